//! `doc-validity`: a normative document whose page shows no validity mark.
//!
//! How: a normative document (see the site model) whose page carries no 有效性 mark: neither
//! the extractor's 有效性 field (the metadata block, a labelled field outside the body, or a badge
//! such as 【现行有效】) nor a metadata pair under one of the vocabulary's validity labels
//! (`rules/vocabulary.toml`: 有效性 / 时效性 / 效力状态 / 效力状况 / 有效期 ...). A field whose value
//! holds no mark (blank, 无, —) counts as missing; a metadata value with a date or 长期
//! ("有效期：2022年10月26日至2027年10月25日") counts as a mark. A term clause in the document's
//! body ("本办法自2022年9月19日起施行，有效期至2027年9月18日") is the document's text, not the
//! page's mark: it does not change when the document is 废止 / 修改 / 失效, which is what the mark
//! must track. It feeds `doc-validity-expired` instead.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use crate::explain::{not_normative, Applies};
use crate::sitemodel::SiteModel;
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "规范性文件页面未标注有效性（现行有效/失效/废止…）";

/// No parameters: the labels and marks are the pack's shared vocabulary (`vocabulary.toml`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

/// What a page says about its validity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Validity {
    /// A mark was found: (value shown, where: field / label, the mark matched).
    Found {
        value: String,
        source: &'static str,
        mark: String,
    },
    /// The label is there but says nothing (blank, 无, —).
    Blank {
        label: String,
        value: String,
    },
    Missing,
}

/// Finds the validity mark of page `i`: the 有效性 field, else a metadata pair under a
/// vocabulary label. Never the body text.
pub(crate) fn validity(sm: &SiteModel<'_>, i: usize) -> Validity {
    let m = sm.model(i);
    let words = &sm.vocab.validity;
    let mut blank = None;
    if let Some(raw) = m.metadata.fields.get(&Field::Validity) {
        match m
            .metadata
            .value(Field::Validity)
            .and_then(|v| words.mark_in(v))
        {
            Some(mark) => {
                return Validity::Found {
                    value: raw.trim().into(),
                    source: "field",
                    mark,
                }
            }
            None => blank = Some(("有效性".to_string(), raw.trim().to_string())),
        }
    }
    for (l, v) in &m.metadata.raw {
        if !words.is_label(l) {
            continue;
        }
        let mark = (!gongkai_page::labels::is_placeholder(v))
            .then(|| words.mark_in(v))
            .flatten();
        match mark {
            Some(mark) => {
                return Validity::Found {
                    value: v.trim().into(),
                    source: "label",
                    mark,
                }
            }
            None => blank = blank.or(Some((l.to_string(), v.trim().to_string()))),
        }
    }
    match blank {
        Some((label, value)) => Validity::Blank { label, value },
        None => Validity::Missing,
    }
}

pub struct DocValidity {
    /// No params of its own (labels and marks are the pack's vocabulary); kept for the glue.
    #[allow(dead_code)]
    p: Params,
}
crate::check_glue!(DocValidity);

impl Check for DocValidity {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_normative(i) {
            return Some(not_normative(sm, i));
        }
        Some(Applies::Judged(match validity(sm, i) {
            Validity::Found { value, source, .. } => format!(
                "规范性文件：有效性标注为“{value}”（{}）",
                if source == "field" {
                    "有效性字段"
                } else {
                    "属性表标签"
                }
            ),
            _ => "规范性文件：页面没有有效性标注".into(),
        }))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.normative {
            let v = validity(sm, i);
            let (detail, ev) = match &v {
                Validity::Found { .. } => continue,
                Validity::Blank { label, value } => (
                    format!("“{label}”一栏为空或无有效性标注（“{value}”）"),
                    json!({"state": "blank", "label": label, "value": value}),
                ),
                Validity::Missing => ("页面未显示有效性".to_string(), json!({"state": "missing"})),
            };
            let p = sm.page(i);
            let title = sm.title(i);
            let mut ev = ev;
            let o = ev.as_object_mut().expect("object");
            o.insert("title".into(), json!(title));
            o.insert("doc_number".into(), json!(sm.field(i, Field::DocNumber)));
            o.insert("labels_checked".into(), json!(sm.vocab.validity.labels));
            let term = sm.term_quote(i);
            // Say why the body's term clause did not count, so no one reads it as an oversight.
            o.insert("term_clause".into(), json!(term));
            let msg = format!(
                "规范性文件《{}》{}{}，应标注现行有效、失效、废止等有效性状态",
                crate::text::clip(&title, 60),
                detail,
                if term.is_some() {
                    "（正文中的施行期限条款不是页面的有效性标注）"
                } else {
                    ""
                }
            );
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::{Field, PageModel};

    fn normative(m: PageModel) -> crate::Site {
        let m = with_fields(
            m,
            &[
                (Field::DocType, "行政规范性文件"),
                (Field::DocNumber, "滕政办发〔2022〕11号"),
            ],
        );
        site(vec![page(ROOT, home("首页")), page(&u("gfxwj/t1.html"), m)])
    }

    fn fires(m: PageModel) -> usize {
        run("doc.validity-missing", &normative(m), &ctx(2022, 7, 1)).len()
    }

    #[test]
    fn every_synonym_and_mark_is_accepted() {
        for label in [
            "有效性",
            "时效性",
            "效力状态",
            "效力状况",
            "有效期",
            "时效",
            "文件状态",
            "是否有效",
            "有效期限",
        ] {
            for mark in [
                "有效",
                "现行有效",
                "失效",
                "已失效",
                "废止",
                "已废止",
                "已修改",
                "部分失效",
                "长期有效",
                "2022年10月26日至2027年10月25日",
            ] {
                let mut m = article("滕州市XX管理办法", "正文");
                m.metadata.raw.push((label.into(), mark.into()));
                assert_eq!(fires(m), 0, "{label}={mark}");
            }
        }
        // 效力级别 is a legal rank (法律 / 行政法规 / 地方性法规 ...), not a validity mark.
        let mut m = article("滕州市XX管理办法", "正文");
        m.metadata
            .raw
            .push(("效力级别".into(), "地方规范性文件".into()));
        assert_eq!(fires(m), 1, "效力级别 is no validity label");
        // The extractor's field (metadata block or a badge such as 【现行有效】).
        for mark in [
            "现行有效",
            "【现行有效】",
            "已废止",
            "有效期至2027年6月30日",
        ] {
            let m = with_fields(
                article("滕州市XX管理办法", "正文"),
                &[(Field::Validity, mark)],
            );
            assert_eq!(fires(m), 0, "{mark}");
        }
    }

    #[test]
    fn body_text_is_not_a_mark() {
        // Statements in the body are the document's text; only the page's mark counts.
        for text in [
            "第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。",
            "有效性：现行有效",
            "本办法有效期5年。",
            "【现行有效】滕州市XX管理办法",
        ] {
            assert_eq!(fires(article("滕州市XX管理办法", text)), 1, "{text}");
        }
        // A parsed term clause is not a mark either, and the message says why.
        let mut m = article(
            "滕州市XX管理办法",
            "本办法自2022年9月19日起施行，有效期至2027年9月18日。",
        );
        m.term = Some(gongkai_page::TermClause {
            quote: "本办法自2022年9月19日起施行，有效期至2027年9月18日".into(),
            effective: Some("2022-09-19".into()),
            expires: Some("2027-09-18".into()),
            years: None,
        });
        let f = run("doc.validity-missing", &normative(m), &ctx(2022, 10, 1));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("施行期限条款"), "{}", f[0].message);
        assert!(f[0].evidence["term_clause"]
            .as_str()
            .unwrap()
            .contains("2027"));
    }

    #[test]
    fn a_stored_site_quotes_the_term_clause_from_the_page_text() {
        // A stored site's models hold neither their text nor the term clause's sentence.
        let text = "第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。其他。";
        let mut m = article("滕州市XX管理办法", text);
        m.term = gongkai_page::validity::term_clause(text);
        let quote = m.term.as_ref().unwrap().quote.to_string();
        assert!(quote.contains("2027年9月18日"), "{quote}");
        let site = stored(normative(m));
        let stored_term = site.pages[1].model.as_ref().unwrap().term.clone().unwrap();
        assert_eq!(stored_term.quote, "", "the builder drops the sentence");
        let f = run("doc.validity-missing", &site, &ctx(2022, 10, 1));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("施行期限条款"), "{}", f[0].message);
        assert_eq!(f[0].evidence["term_clause"], quote.as_str());
    }

    #[test]
    fn placeholders_and_unknown_labels_are_not_marks() {
        for v in ["无", "—", "/", "空", "暂无"] {
            let m = with_fields(article("滕州市XX管理办法", "正文"), &[(Field::Validity, v)]);
            let f = run("doc.validity-missing", &normative(m), &ctx(2022, 7, 1));
            assert_eq!(f.len(), 1, "{v}");
            assert_eq!(f[0].evidence["state"], "blank");
        }
        // A label the vocabulary does not know is not a validity label.
        let mut m = article("滕州市XX管理办法", "正文");
        m.metadata.raw.push(("备注".into(), "现行有效".into()));
        assert_eq!(fires(m), 1);
    }

    #[test]
    fn missing_and_blank_fire() {
        let f = run(
            "doc.validity-missing",
            &normative(article(
                "滕州市XX管理办法",
                "对现行有效的规范性文件进行清理",
            )),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["state"], "missing");
        assert!(f[0].message.contains("滕州市XX管理办法"));
        let m = with_fields(
            article("滕州市XX管理办法", "正文"),
            &[(Field::Validity, "")],
        );
        let f = run("doc.validity-missing", &normative(m), &ctx(2022, 7, 1));
        assert_eq!(f[0].evidence["state"], "blank");
    }

    #[test]
    fn normative_by_column_not_interpretations() {
        let doc = article("滕州市XX管理办法", "正文");
        let interp = article("《滕州市XX管理办法》政策解读", "解读");
        let col = column(
            "行政规范性文件",
            &[
                ("办法", &u("g/t1.html"), Some("2022-06-01")),
                ("解读", &u("g/t2.html"), Some("2022-06-01")),
            ],
        );
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("g/index.html"), col),
            page(&u("g/t1.html"), doc),
            page(&u("g/t2.html"), interp),
        ]);
        let f = run("doc.validity-missing", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].url, u("g/t1.html"));
        // A plain article outside such columns is not a normative document.
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("x/t1.html"), article("工作动态", "正文")),
        ]);
        assert!(run("doc.validity-missing", &s, &ctx(2022, 7, 1)).is_empty());
    }
}
