//! `doc-interpretation`: a normative document that no interpretation is tied to.
//!
//! How: for each normative document, looks for an interpretation tied to it in any of the four
//! ways of [`crate::linkage`] (the document links to an interpretation — also any link whose
//! anchor reads 解读 / 图解 / 一图读懂 / 答记者问 / 问答, since the interpretation may sit on another
//! site; an interpretation links to it; an interpretation's title quotes its title 《…》; an
//! interpretation carries its 文号). Only the document's own links count: not the template's
//! (region chrome, or a target linked from 30% or more of the site's article pages, such as the
//! 政策解读 entry of every page's navigation) and not a column index. Documents published less
//! than `grace_days` before the as-of date are skipped (interpretations may follow within days),
//! and so are documents marked 失效 / 废止 when `skip_invalid` is set. With `since`, documents
//! dated before it (or undated) are not judged: the default pack sets the ledger's year,
//! 2022-01-01. A document's date is its 发布日期, else 成文日期, else the PubDate meta, else the
//! date its column list gives for it.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::doc_validity::{validity, Validity};
use crate::check::{bad, Check, DateParam, Emit, ParamError, RuleCx};
use crate::explain::{not_normative, Applies};
use crate::linkage::{anchor_link, doc_info, interp_info, DocIndex};
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "规范性文件没有关联的政策解读（四种关联方式均未发现）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Documents published within this many days before as-of are not judged yet.
    pub grace_days: i64,
    /// Skip documents marked 失效 / 废止 / 已修改.
    pub skip_invalid: bool,
    /// Only documents published (成文) on or after this date are judged; undated ones are not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateParam>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            grace_days: 7,
            skip_invalid: true,
            since: None,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.grace_days < 0 {
            return Err(bad("grace_days", "must not be negative"));
        }
        Ok(())
    }
}

pub struct DocInterpretation {
    p: Params,
}
crate::check_glue!(DocInterpretation);

pub(crate) const WAYS: [&str; 4] = [
    "doc-links-interpretation",
    "interpretation-links-doc",
    "title-quote",
    "doc-number",
];

impl Check for DocInterpretation {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_normative(i) {
            return Some(not_normative(sm, i));
        }
        let dated = sm.reference_date(i);
        if let Some((d, from)) = dated {
            if (cx.as_of() - d).num_days() < self.p.grace_days {
                return Some(Applies::NotJudged(format!(
                    "{from}{d}距判定日期不足{}天，解读可能随后发布",
                    self.p.grace_days
                )));
            }
        }
        if let Some(since) = self.p.since {
            match dated {
                None => {
                    return Some(Applies::NotJudged(
                        "页面没有日期（发布日期、成文日期、PubDate、列表日期都没有），不判断"
                            .into(),
                    ))
                }
                Some((d, from)) if d < since.0 => {
                    return Some(Applies::NotJudged(format!(
                        "{from}{d}早于规则起始日期{}",
                        since.0
                    )))
                }
                _ => {}
            }
        }
        if self.p.skip_invalid {
            if let Validity::Found { value, .. } = validity(sm, i) {
                if sm.vocab.validity.says_not_in_force(&value) {
                    return Some(Applies::NotJudged(format!(
                        "有效性为“{value}”，不再要求解读"
                    )));
                }
            }
        }
        Some(Applies::Judged(
            "规范性文件：按四种方式查找关联解读（只算文件自己的链接，不算导航等模板链接和栏目首页）".into(),
        ))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let interps = sm.interpretations.len();
        // Which documents some interpretation is tied to: one indexed look per interpretation
        // instead of a tie of every document with every interpretation.
        let docs: Vec<_> = sm.normative.iter().map(|&d| doc_info(sm, d)).collect();
        let index = DocIndex::new(&docs);
        let mut tied = vec![false; docs.len()];
        for &i in &sm.interpretations {
            for (d, _) in index.tied(&docs, &interp_info(sm, i)) {
                tied[d] = true;
            }
        }
        for (k, &d) in sm.normative.iter().enumerate() {
            let dated = sm.reference_date(d);
            let published = dated.map(|(d, _)| d);
            if let Some(p) = published {
                if (cx.as_of() - p).num_days() < self.p.grace_days {
                    continue;
                }
            }
            if let Some(since) = self.p.since {
                if published.is_none_or(|p| p < since.0) {
                    continue;
                }
            }
            if self.p.skip_invalid {
                if let Validity::Found { value, .. } = validity(sm, d) {
                    if sm.vocab.validity.says_not_in_force(&value) {
                        continue;
                    }
                }
            }
            if anchor_link(&docs[k]).is_some() || tied[k] {
                continue;
            }
            let p = sm.page(d);
            let title = sm.title(d);
            let number = sm.field(d, Field::DocNumber).unwrap_or("");
            let msg = format!(
                "规范性文件《{}》{}未发现对应的政策解读（文件未链接解读，解读未链接文件，也没有解读标题引用其标题或文号）",
                crate::text::clip(&title, 60),
                if number.is_empty() { String::new() } else { format!("（{number}）") },
            );
            let ev = json!({
                "title": title,
                "doc_number_format": number,
                "published": published.map(|d| d.to_string()),
                "date_from": dated.map(|(_, from)| from),
                "ways_checked": WAYS,
                "interpretations_on_site": interps,
            });
            let dept = cx.dept_page(d);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::Field;

    fn base(interp_title: &str, interp_text: &str) -> crate::Site {
        let doc = with_fields(
            article(
                "滕州市人民政府办公室关于印发滕州市城市管理办法的通知",
                "各镇人民政府……",
            ),
            &[
                (Field::DocType, "规范性文件"),
                (Field::DocNumber, "滕政办发〔2022〕11号"),
                (Field::PublishDate, "2022-06-01"),
            ],
        );
        let other = with_fields(
            article("工作动态", "正文"),
            &[(Field::IndexNumber, "1"), (Field::Topic, "综合")],
        );
        let col = column(
            "政策解读",
            &[(interp_title, &u("jd/t2.html"), Some("2022-06-02"))],
        );
        site(vec![
            page(ROOT, home("")),
            page(&u("gfxwj/t1.html"), doc),
            page(&u("jd/index.html"), col),
            page(&u("jd/t2.html"), article(interp_title, interp_text)),
            page(&u("dt/t3.html"), other),
        ])
    }

    const AS_OF: (i32, u32, u32) = (2022, 8, 1);

    fn n(s: &crate::Site) -> usize {
        run(
            "doc.interpretation-missing",
            s,
            &ctx(AS_OF.0, AS_OF.1, AS_OF.2),
        )
        .len()
    }

    #[test]
    fn unrelated_interpretation_does_not_count() {
        let s = base("《滕州市养老服务补贴办法》政策解读", "本办法……");
        let f = run("doc.interpretation-missing", &s, &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].url, u("gfxwj/t1.html"));
        assert_eq!(f[0].evidence["ways_checked"].as_array().unwrap().len(), 4);
        assert!(f[0].message.contains("滕政办发〔2022〕11号"));
    }

    #[test]
    fn way1_document_links_interpretation() {
        let mut s = base("政策解读", "本办法……");
        add_link(&mut s, &u("gfxwj/t1.html"), &u("jd/t2.html"), "相关链接");
        assert_eq!(n(&s), 0);
        // A link whose anchor says 解读 counts even when its target was not crawled.
        let mut s = base("政策解读", "本办法……");
        add_link(
            &mut s,
            &u("gfxwj/t1.html"),
            "http://www.zaozhuang.gov.cn/jd/1.html",
            "图解：城市管理办法",
        );
        assert_eq!(n(&s), 0);
    }

    #[test]
    fn way2_interpretation_links_document() {
        let mut s = base("政策解读", "本办法……");
        add_link(&mut s, &u("jd/t2.html"), &u("gfxwj/t1.html"), "原文链接");
        assert_eq!(n(&s), 0);
    }

    #[test]
    fn way3_title_quotes_document() {
        assert_eq!(n(&base("《滕州市城市管理办法》政策解读", "……")), 0);
        assert_eq!(n(&base("一图读懂滕州市城市管理办法", "……")), 0);
    }

    #[test]
    fn way4_doc_number() {
        assert_eq!(
            n(&base(
                "政策问答",
                "《办法》（滕政办发[2022]11号）出台背景……"
            )),
            0
        );
        assert_eq!(n(&base("滕政办发〔2022〕11号文件解读", "……")), 0);
    }

    #[test]
    fn documents_before_since_are_not_judged() {
        let mut s = base("《养老办法》解读", "……");
        s.pages[1]
            .model
            .as_mut()
            .unwrap()
            .metadata
            .fields
            .insert(Field::PublishDate, "2021-12-31".into());
        assert_eq!(n(&s), 0);
        s.pages[1]
            .model
            .as_mut()
            .unwrap()
            .metadata
            .fields
            .remove(&Field::PublishDate);
        assert_eq!(n(&s), 0, "undated");
    }

    #[test]
    fn grace_period_and_invalid_documents_skipped() {
        let s = base("《养老办法》解读", "……");
        assert_eq!(
            run("doc.interpretation-missing", &s, &ctx(2022, 6, 5)).len(),
            0
        );
        let mut s = base("《养老办法》解读", "……");
        s.pages[1]
            .model
            .as_mut()
            .unwrap()
            .metadata
            .fields
            .insert(Field::Validity, "已废止".into());
        assert_eq!(n(&s), 0);
    }

    #[test]
    fn template_and_column_links_are_not_the_documents_interpretation() {
        use gongkai_page::LinkRegion;
        // The navigation's 政策解读 entry, marked chrome by the extractor.
        let mut s = base("《养老办法》解读", "……");
        add_link(&mut s, &u("gfxwj/t1.html"), &u("jd/t2.html"), "政策解读");
        s.links.last_mut().unwrap().region = LinkRegion::Chrome;
        assert_eq!(n(&s), 1, "chrome");
        // The same link in an undecided region, but it is on every article page: template.
        let mut s = base("《养老办法》解读", "……");
        for src in ["gfxwj/t1.html", "jd/t2.html", "dt/t3.html"] {
            add_link(
                &mut s,
                &u(src),
                "http://www.zaozhuang.gov.cn/zcjd/",
                "政策解读",
            );
        }
        assert_eq!(n(&s), 1, "linked from every article");
        // A link to the 政策解读 column index itself, from the document's content.
        let mut s = base("《养老办法》解读", "……");
        add_link(
            &mut s,
            &u("gfxwj/t1.html"),
            &u("jd/index.html"),
            "查看政策解读",
        );
        s.links.last_mut().unwrap().region = LinkRegion::Content;
        assert_eq!(n(&s), 1, "column index");
        // Not crawled, but shaped like a column index.
        let mut s = base("《养老办法》解读", "……");
        add_link(
            &mut s,
            &u("gfxwj/t1.html"),
            "http://www.zaozhuang.gov.cn/col/col123/index.html",
            "解读",
        );
        assert_eq!(n(&s), 1, "column-shaped URL");
        // The document's own 相关解读 block counts.
        let mut s = base("《养老办法》解读", "……");
        add_link(
            &mut s,
            &u("gfxwj/t1.html"),
            &u("jd/t2.html"),
            "相关解读：图解",
        );
        s.links.last_mut().unwrap().region = LinkRegion::Related;
        assert_eq!(n(&s), 0, "related block");
    }

    #[test]
    fn the_date_falls_back_to_pubdate_and_the_list_date() {
        // No 发布日期 / 成文日期 on the page: the PubDate meta places it in 2022.
        let undated = |s: &mut crate::Site| {
            let m = s.pages[1].model.as_mut().unwrap();
            m.metadata.fields.remove(&Field::PublishDate);
            m.metadata.raw.retain(|l, _| l != "发布日期");
        };
        let mut s = base("《养老办法》解读", "……");
        undated(&mut s);
        assert_eq!(n(&s), 0, "undated: not judged");
        s.pages[1]
            .model
            .as_mut()
            .unwrap()
            .guideline_meta
            .insert("PubDate".into(), "2022-06-01 09:30".into());
        let f = run("doc.interpretation-missing", &s, &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["date_from"], "PubDate");
        // The date its column list gives.
        let mut s = base("《养老办法》解读", "……");
        undated(&mut s);
        s.pages.push(page(
            &u("gfxwj/index.html"),
            column(
                "规范性文件",
                &[("城市管理办法", &u("gfxwj/t1.html"), Some("2022-05-30"))],
            ),
        ));
        let f = run("doc.interpretation-missing", &s, &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["date_from"], "列表日期");
        assert_eq!(f[0].evidence["published"], "2022-05-30");
        // The fallback never makes the page show a date: doc.metadata-missing still asks it.
        let m = run("doc.metadata-missing", &s, &ctx(2022, 8, 1));
        assert_eq!(m.len(), 1);
        assert!(m[0].message.contains("发布日期"), "{}", m[0].message);
    }
}
