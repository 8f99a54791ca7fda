//! `interpretation-copied`: an interpretation that mostly copies the document it interprets.
//!
//! How: for each interpretation tied to a normative document (any of the four ways of
//! [`crate::linkage`] that names a page), the share of the interpretation's character n-grams
//! (letters, digits and CJK only; `ngram` long) that also occur in the document. N-grams shared
//! by many pages of the site (navigation, footers: present in at least `boilerplate_pages` pages
//! and a quarter of all crawled pages) are left out first. Fires at `threshold` or more.
//! Interpretations shorter than `min_chars` are not judged.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::linkage::{doc_info, interp_info, tie, DocIndex};
use crate::text::{for_each_key_ngram, key};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

pub const SUMMARY: &str = "政策解读内容大部分照搬所解读文件（字符 n-gram 包含度）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub ngram: usize,
    /// Containment (0..1) at or above which it fires.
    pub threshold: f64,
    /// Interpretations with fewer characters (letters, digits, CJK) are not judged.
    pub min_chars: usize,
    /// An n-gram in at least this many pages (and a quarter of the crawled pages) is boilerplate.
    pub boilerplate_pages: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ngram: 5,
            threshold: 0.8,
            min_chars: 200,
            boilerplate_pages: 4,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(2..=20).contains(&self.ngram) {
            return Err(bad("ngram", "must be between 2 and 20"));
        }
        if !(0.0..=1.0).contains(&self.threshold) || self.threshold == 0.0 {
            return Err(bad("threshold", "must be in (0, 1]"));
        }
        if self.boilerplate_pages < 2 {
            return Err(bad("boilerplate_pages", "must be at least 2"));
        }
        Ok(())
    }
}

pub struct InterpretationCopied {
    p: Params,
}
crate::check_glue!(InterpretationCopied);

impl Check for InterpretationCopied {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_interpretation(i) {
            return Some(Applies::NotJudged("不是政策解读".into()));
        }
        let chars = key(&sm.text(i)).chars().count();
        if chars < self.p.min_chars {
            return Some(Applies::NotJudged(format!(
                "解读正文只有{chars}字，少于{}字不判断",
                self.p.min_chars
            )));
        }
        let it = interp_info(sm, i);
        if !sm
            .normative
            .iter()
            .any(|&d| tie(&doc_info(sm, d), &it).is_some())
        {
            return Some(Applies::NotJudged("没有找到它所解读的规范性文件".into()));
        }
        Some(Applies::Judged(
            "比较解读正文与所解读文件的文字重合程度".into(),
        ))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        if sm.interpretations.is_empty() || sm.normative.is_empty() {
            return;
        }
        let n = self.p.ngram;
        let docs: Vec<_> = sm.normative.iter().map(|&d| doc_info(sm, d)).collect();
        let index = DocIndex::new(&docs);
        // Document frequency over the crawled pages, of the judged interpretations' n-grams only,
        // each n-gram named by its 64-bit hash (a fast hasher, seeded per run, so a hostile page
        // cannot plan collisions; two of a million n-grams collide once in about 10^7 runs).
        let hasher = foldhash::fast::RandomState::default();
        let gram = |g: &[char]| hasher.hash_one(g);
        let grams = |k: &str| -> Vec<u64> {
            let chars: Vec<char> = k.chars().collect();
            chars.windows(n).map(gram).collect()
        };
        let mut df: HashMap<u64, (u32, u32), foldhash::fast::RandomState> = HashMap::default();
        // The interpretations to judge: long enough and tied to a document (by index in `docs`).
        // Only indices are kept: a text is read again when it is compared, so the judged
        // interpretations' texts are never all in memory at once (at 100,000 pages they were
        // the largest part of what the rules held beyond the site).
        type Ties = Vec<(usize, &'static str)>;
        let mut judged: Vec<(usize, Ties)> = Vec::new();
        for &i in &sm.interpretations {
            let k = key(&sm.text(i));
            if k.chars().count() < self.p.min_chars {
                continue;
            }
            let it = interp_info(sm, i);
            let ties: Ties = index
                .tied(&docs, &it)
                .into_iter()
                .map(|(d, (way, _))| (d, way))
                .collect();
            if !ties.is_empty() {
                for g in grams(&k) {
                    df.insert(g, (0, u32::MAX));
                }
                judged.push((i, ties));
            }
        }
        if judged.is_empty() {
            return;
        }
        // Every n-gram of every crawled page is looked up here.
        for &i in &sm.crawled {
            let page = i as u32;
            for_each_key_ngram(&sm.text(i), n, |g| {
                if let Some((count, last)) = df.get_mut(&gram(g)) {
                    if *last != page {
                        *count += 1;
                        *last = page;
                    }
                }
            });
        }
        let min_df = self.p.boilerplate_pages.max(sm.crawled.len().div_ceil(4));
        let boiler = |g: u64| df.get(&g).map_or(0, |&(c, _)| c as usize) >= min_df;
        let grams_of =
            |page: usize| -> HashSet<u64> { grams(&key(&sm.text(page))).into_iter().collect() };
        for (i, ties) in &judged {
            let i = *i;
            let mine: HashSet<u64> = grams_of(i).into_iter().filter(|&g| !boiler(g)).collect();
            if mine.is_empty() {
                continue;
            }
            let mut best: Option<(f64, usize, &'static str)> = None;
            for &(d, way) in ties {
                let doc = &docs[d];
                let theirs = grams_of(doc.page);
                let shared = mine.iter().filter(|g| theirs.contains(*g)).count();
                let c = shared as f64 / mine.len() as f64;
                if best.is_none_or(|(b, _, _)| c > b) {
                    best = Some((c, doc.page, way));
                }
            }
            let Some((c, d, way)) = best else { continue };
            if c < self.p.threshold {
                continue;
            }
            let p = sm.page(i);
            let pct = (c * 100.0).floor() as u32;
            let msg = format!(
                "政策解读《{}》有{}%的内容与所解读文件《{}》相同，属于简单摘抄原文的形式化解读",
                crate::text::clip(&sm.title(i), 50),
                pct,
                crate::text::clip(&sm.title(d), 50)
            );
            let ev = json!({
                "interpretation": p.url,
                "document": sm.page(d).url,
                "document_title": sm.title(d),
                "containment": (c * 1000.0).round() / 1000.0,
                "ngram": n,
                "ngrams_compared": mine.len(),
                "tied_by": way,
            });
            let dept = cx.dept_page(i);
            cx.emit(
                Emit::new(&p.url, dept, msg, ev)
                    .target(sm.page(d).url.as_str())
                    .fetch(p.fetch_id),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::Field;

    const DOC: &str = "第一条 为加强城市管理，提高城市管理水平，根据有关法律法规，结合本市实际，制定本办法。第二条 本市行政区域内的城市管理活动适用本办法。第三条 城市管理应当坚持以人为本、依法管理、公众参与的原则。第四条 市城市管理部门负责全市城市管理工作的组织协调和监督检查。第五条 各镇人民政府、街道办事处负责本辖区内的城市管理工作。第六条 鼓励单位和个人参与城市管理，对违反本办法的行为进行劝阻和举报。第七条 本办法自2022年7月1日起施行，有效期五年。";

    fn s(interp_text: &str) -> crate::Site {
        let doc = with_fields(
            article("滕州市城市管理办法", DOC),
            &[
                (Field::DocType, "规范性文件"),
                (Field::PublishDate, "2022-06-01"),
            ],
        );
        site(vec![
            page(ROOT, home("")),
            page(&u("g/t1.html"), doc),
            page(
                &u("jd/t2.html"),
                article("《滕州市城市管理办法》政策解读", interp_text),
            ),
        ])
    }

    #[test]
    fn copied_fires() {
        let f = run(
            "interpretation.copied",
            &s(&format!("一、文件全文 {DOC}")),
            &ctx(2022, 8, 1),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence["containment"].as_f64().unwrap() >= 0.8);
        assert_eq!(f[0].evidence["tied_by"], "title-quote");
        assert_eq!(f[0].target.as_deref(), Some(u("g/t1.html").as_str()));
    }

    /// Text the site repeats on many pages (a footer, a notice) is left out before comparing:
    /// an interpretation that shares only that with its document is not a copy of it.
    #[test]
    fn text_on_many_pages_is_not_counted_as_copied() {
        let boiler = "本网站由滕州市人民政府办公室主办，滕州市大数据中心承办。网站标识码三七零四八一零零零一，鲁ICP备零五零零二一七六号。为确保最佳浏览效果，建议使用谷歌、火狐、Edge等浏览器。对本网站有任何意见和建议，请拨打政务服务便民热线一二三四五或通过网站留言板留言，我们将及时答复。未经授权，任何单位和个人不得复制、转载本网站的内容。本网站所载信息仅供参考，具体以正式文件为准。联系地址：滕州市学院中路。".repeat(2);
        let own = "起草背景和主要内容：明确镇街分工，新增公众参与渠道。";
        let site_with = |others: usize| {
            let mut pages = vec![
                page(ROOT, home("")),
                page(
                    &u("g/t1.html"),
                    with_fields(
                        article("滕州市城市管理办法", &format!("{DOC}{boiler}")),
                        &[
                            (Field::DocType, "规范性文件"),
                            (Field::PublishDate, "2022-06-01"),
                        ],
                    ),
                ),
                page(
                    &u("jd/t2.html"),
                    article("《滕州市城市管理办法》政策解读", &format!("{boiler}{own}")),
                ),
            ];
            for k in 0..others {
                let text = format!("第{k}条新闻，内容各不相同。{boiler}");
                pages.push(page(&u(&format!("xw/t{k}.html")), article("新闻", &text)));
            }
            site(pages)
        };
        // On two pages only, the shared text counts: the interpretation is mostly the document's.
        let f = run("interpretation.copied", &site_with(0), &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        // On four pages (boilerplate_pages) and a quarter of the site, it is the site's own.
        let f = run("interpretation.copied", &site_with(2), &ctx(2022, 8, 1));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn real_interpretation_passes() {
        let text = "一、起草背景。近年来我市城区面积不断扩大，原有管理方式难以适应群众需求，市民反映占道经营、噪声扰民等问题较多。二、主要内容。办法明确了市城市管理部门与各镇街的分工，压实属地责任，并首次规定了公众参与和举报渠道。三、新旧政策差异。与原规定相比，新增了劝阻和举报条款，明确了镇街的主体责任。四、影响范围。涉及城区全体居民和沿街商户。五、注意事项。商户应在划定区域内经营，违者将依法处理。咨询电话：0632-5512345。解读机关：市综合行政执法局。本办法第三条强调城市管理应当坚持以人为本、依法管理、公众参与的原则，各单位要认真贯彻执行。";
        assert!(run("interpretation.copied", &s(text), &ctx(2022, 8, 1)).is_empty());
        // Short interpretations are not judged.
        assert!(run(
            "interpretation.copied",
            &s("第一条 为加强城市管理"),
            &ctx(2022, 8, 1)
        )
        .is_empty());
    }
}
