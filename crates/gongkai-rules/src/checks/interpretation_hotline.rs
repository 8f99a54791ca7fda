//! `interpretation-hotline`: an interpretation page that shows no consultation phone number.
//!
//! How: searches the interpretation's text (and `tel:` links) for a phone number: a landline with
//! area code (0632-5512345, (0632)5512345, （0632）5512345, 0632－5512345, 0632 5512345), a mobile
//! number (1[3-9] + 9 digits), a 400/800 number, or — right after 电话 / 热线 / 咨询 / 联系 / Tel —
//! (or 拨打 / 致电) a local number of 7–8 digits or a service number (12345, 96xxx). Numbers inside longer digit
//! runs (ID numbers, 索引号) never count. A number that the text of most crawled pages carries
//! (the site footer's 联系电话, when the body could not be told from the page chrome) is not the
//! interpretation's hotline. Pages whose text is shorter than `min_text_chars` (image
//! 图解 pages whose text the crawl cannot read) are not judged.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::text::{fold, key};
use aho_corasick::AhoCorasick;
use gongkai_page::SkipReason;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::LazyLock;

pub const SUMMARY: &str = "政策解读页面未公布政策咨询电话";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Pages with less text (letters, digits, CJK) are not judged (image-only 图解).
    pub min_text_chars: usize,
    /// Words after which a bare local or service number counts.
    pub keywords: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_text_chars: 80,
            keywords: [
                "电话",
                "热线",
                "咨询",
                "联系方式",
                "联系",
                "Tel",
                "TEL",
                "tel",
                "电 话",
                // "请拨打12345政务服务便民热线": the number comes before 热线.
                "拨打",
                "致电",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.keywords.is_empty() {
            return Err(bad("keywords", "at least one keyword"));
        }
        Ok(())
    }
}

static AREA_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(0\d{2,3}\)\s*\d{7,8}|0\d{2,3}\s?-\s?\d{7,8}|0\d{2,3} \d{7,8}").expect("area")
});
static MOBILE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"1[3-9]\d{9}|1[3-9]\d[- ]\d{4}[- ]\d{4}").expect("mobile"));
static FREE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[48]00-?\d{3}-?\d{4}").expect("400"));
static LOCAL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[2-9]\d{6,7}|123\d{2}|96\d{3,4}").expect("local"));

fn isolated(s: &str, start: usize, end: usize) -> bool {
    let b = s.as_bytes();
    let before = start > 0 && b[start - 1].is_ascii_alphanumeric();
    let after = b.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
    !before && !after
}

/// Phone numbers in `text` (folded form).
#[cfg(test)]
pub(crate) fn find_phones(text: &str, keywords: &[String]) -> Vec<String> {
    PhoneFinder::new(keywords).find(text)
}

/// Finds phone numbers: area-code, mobile and 400/800 numbers anywhere, local numbers right
/// after a keyword (咨询电话 …). Built once per evaluation: the keywords are searched for in
/// one pass over a page (a pass per keyword was a third of the check's time at 20,000 pages).
pub(crate) struct PhoneFinder {
    /// Folded keywords; an automaton over them, pattern `i` being `keywords[i]`.
    keywords: Vec<String>,
    ac: Option<AhoCorasick>,
}

impl PhoneFinder {
    pub(crate) fn new(keywords: &[String]) -> Self {
        // An empty keyword would stand before every character: left out.
        let keywords: Vec<String> = keywords
            .iter()
            .map(|k| fold(k))
            .filter(|k| !k.is_empty())
            .collect();
        let ac = AhoCorasick::new(&keywords).ok();
        PhoneFinder { keywords, ac }
    }

    pub(crate) fn find(&self, text: &str) -> Vec<String> {
        self.find_prepared(&Self::prepare(text))
    }

    /// The text as [`Self::find_prepared`] searches it: folded, dashes as '-'. Every number it
    /// finds is a piece of this text.
    fn prepare(text: &str) -> String {
        let t = fold(text);
        if t.contains(['–', '—']) {
            t.replace(['–', '—'], "-")
        } else {
            t
        }
    }

    /// [`Self::find`] in a text made by [`Self::prepare`].
    fn find_prepared(&self, t: &str) -> Vec<String> {
        let mut out = Vec::new();
        for re in [&*AREA_RE, &*MOBILE_RE, &*FREE_RE] {
            for m in re.find_iter(t) {
                if isolated(t, m.start(), m.end()) {
                    out.push(m.as_str().to_string());
                }
            }
        }
        // Each keyword's occurrences from left to right, each search starting after the last
        // occurrence taken, as `str::find` from there would give them.
        let mut next_from = vec![0usize; self.keywords.len()];
        let mut local = |start: usize| {
            let window: String = t[start..].chars().take(14).collect();
            if let Some(m) = LOCAL_RE.find(&window) {
                let before = &window[..m.start()];
                if !before.chars().any(|c| c.is_ascii_digit())
                    && isolated(&window, m.start(), m.end())
                {
                    out.push(m.as_str().to_string());
                }
            }
        };
        match &self.ac {
            Some(ac) => {
                for m in ac.find_overlapping_iter(t) {
                    let k = m.pattern().as_usize();
                    if m.start() >= next_from[k] {
                        next_from[k] = m.end();
                        local(m.end());
                    }
                }
            }
            None => {
                for (k, kw) in self.keywords.iter().enumerate() {
                    while let Some(pos) = t[next_from[k]..].find(kw.as_str()) {
                        let start = next_from[k] + pos + kw.len();
                        local(start);
                        next_from[k] = start;
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

pub struct InterpretationHotline {
    p: Params,
}
crate::check_glue!(InterpretationHotline);

impl Check for InterpretationHotline {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_interpretation(i) {
            return Some(Applies::NotJudged("不是政策解读".into()));
        }
        let chars = key(&sm.text(i)).chars().count();
        if chars < self.p.min_text_chars {
            return Some(Applies::NotJudged(format!(
                "解读正文只有{chars}字（可能是图片解读），少于{}字不判断",
                self.p.min_text_chars
            )));
        }
        Some(Applies::Judged("检查解读页面是否公布咨询电话".into()))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        if sm.interpretations.is_empty() {
            return;
        }
        let finder = PhoneFinder::new(&self.p.keywords);
        // The interpretations to judge, with the numbers each shows (none with a tel: link).
        let mut judged: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for &i in &sm.interpretations {
            let text = sm.text(i);
            let chars = key(&text).chars().count();
            if chars < self.p.min_text_chars {
                continue;
            }
            if sm.links_of(i).any(|l| l.skip == Some(SkipReason::Tel)) {
                continue;
            }
            judged.push((i, chars, finder.find(&text)));
        }
        // Numbers on most pages (footers) do not count. Only the judged interpretations'
        // numbers are counted, on the pages whose text holds one of them: every number found
        // is a piece of the searched text, so no other page can show one.
        let mut on_pages: HashMap<String, (usize, usize)> = HashMap::new();
        let numbers: Vec<&str> = {
            let mut n: Vec<&str> = judged
                .iter()
                .flat_map(|(_, _, phones)| phones.iter().map(String::as_str))
                .collect();
            n.sort_unstable();
            n.dedup();
            n
        };
        if !numbers.is_empty() {
            // Without the automaton (it cannot fail for a few numbers) every page is searched.
            let holds = AhoCorasick::new(&numbers).ok();
            for &i in &sm.crawled {
                let t = PhoneFinder::prepare(&sm.text(i));
                if holds.as_ref().is_some_and(|h| !h.is_match(&t)) {
                    continue;
                }
                let interp = sm.is_interpretation(i);
                for n in finder.find_prepared(&t) {
                    let e = on_pages.entry(n).or_default();
                    e.0 += 1;
                    e.1 += usize::from(!interp);
                }
            }
        }
        let total = sm.crawled.len();
        let chrome = |n: &String| {
            on_pages
                .get(n)
                .is_some_and(|&(all, others)| total >= 5 && all * 10 >= total * 6 && others >= 3)
        };
        for (i, chars, phones) in judged {
            if phones.iter().any(|n| !chrome(n)) {
                continue;
            }
            let p = sm.page(i);
            let msg = format!(
                "政策解读《{}》页面未公布政策咨询电话",
                crate::text::clip(&sm.title(i), 60)
            );
            let ev = json!({
                "title": sm.title(i),
                "text_chars": chars,
                "site_wide_numbers_ignored": phones,
                "searched": ["landline", "mobile", "400/800", "keyword+local", "tel: links"],
            });
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    fn kw() -> Vec<String> {
        Params::default().keywords
    }

    #[test]
    fn keywords_found_in_one_pass_as_one_search_per_keyword_finds_them() {
        let mut keywords = kw();
        // Keywords inside one another, and one that repeats inside itself.
        keywords.extend([
            "电话".to_string(),
            "咨询电话".to_string(),
            "话话".to_string(),
        ]);
        let one_pass = PhoneFinder::new(&keywords);
        let per_keyword = PhoneFinder {
            ac: None,
            ..PhoneFinder::new(&keywords)
        };
        for t in [
            "咨询电话：5512345，电话：5512346；联系电话 5512347",
            "电话电话5512348 话话话5512349 话话话话 5512350",
            "咨询电话：咨询电话：5512351",
            "政策咨询电话：0632-5512345（工作日）；监督电话12345",
            "没有号码",
            "",
        ] {
            assert_eq!(one_pass.find(t), per_keyword.find(t), "{t}");
        }
        assert!(!one_pass.find("话话话5512349").is_empty());
    }

    #[test]
    fn phone_forms() {
        for t in [
            "咨询电话：0632-5512345",
            "咨询电话：（0632）5512345",
            "(0632)5512345",
            "０６３２－５５１２３４５",
            "0632—5512345",
            "联系人：张三 13806321234",
            "联系电话：138－1234－5678",
            "咨询电话：5512345",
            "政策咨询热线：12345",
            "如有疑问，请拨打12345政务服务便民热线咨询。",
            "服务热线 400-123-4567",
            "Tel: 86012345",
        ] {
            assert!(!find_phones(t, &kw()).is_empty(), "{t}");
        }
        for t in [
            "索引号：11370481004222241N/2022-00123",
            "身份证号 370481199001011234",
            "发布日期：20220601",
            "138****1234",
            "第5512345号",
            "2022年6月1日",
        ] {
            assert!(
                find_phones(t, &kw()).is_empty(),
                "{t}: {:?}",
                find_phones(t, &kw())
            );
        }
    }

    fn s(text: &str) -> crate::Site {
        site(vec![
            page(ROOT, home("")),
            page(
                &u("jd/t1.html"),
                article("《滕州市城市管理办法》政策解读", text),
            ),
        ])
    }

    const BODY: &str = "一、起草背景。近年来我市城区面积不断扩大，原有管理方式难以适应群众需求。二、主要内容。办法明确了市城市管理部门与各镇街的分工，压实属地责任，并首次规定了公众参与和举报渠道，商户应在划定区域内经营。";

    #[test]
    fn fires_without_phone() {
        let f = run("interpretation.no-hotline", &s(BODY), &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("咨询电话"));
        assert!(run(
            "interpretation.no-hotline",
            &s(&format!("{BODY}咨询电话：0632－5512345")),
            &ctx(2022, 8, 1)
        )
        .is_empty());
        // The footer number every page carries is not a hotline.
        let mut st = s(&format!(
            "{BODY} 主办单位：滕州市人民政府办公室 联系电话：0632-5512345"
        ));
        for k in 0..5 {
            // Written as pages write it: full-width digits, a long dash.
            let footer = if k % 2 == 0 {
                "联系电话：0632-5512345"
            } else {
                "联系电话：０６３２—５５１２３４５"
            };
            st.pages.push(page(
                &u(&format!("x/t{k}.html")),
                article(
                    "动态",
                    &format!("正文 主办单位：滕州市人民政府办公室 {footer}"),
                ),
            ));
        }
        let f = run("interpretation.no-hotline", &st, &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence["site_wide_numbers_ignored"],
            serde_json::json!(["0632-5512345"])
        );
        // Image-only 图解 pages are not judged.
        assert!(run("interpretation.no-hotline", &s("图解"), &ctx(2022, 8, 1)).is_empty());
    }
}
