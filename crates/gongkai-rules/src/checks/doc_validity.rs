//! `doc-validity`: a normative document whose page shows no validity mark.
//!
//! How: a normative document (see the site model) with no 有效性 mark: neither the metadata
//! field (有效性 / 时效性 / 效力状态 / 效力状况 / 有效期 ...) nor a labelled mark in the page text
//! ("有效性：现行有效") nor a bracketed badge (【现行有效】, [已废止]). A field whose value holds no
//! mark (blank, "无", "—") counts as missing; a value with a date or 长期 ("有效期至2027年6月30日")
//! counts as a mark.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::sitemodel::SiteModel;
use crate::text::{compact, find_dates};
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "规范性文件页面未标注有效性（现行有效/失效/废止…）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Labels that carry the validity (metadata labels and labels in the page text).
    pub labels: Vec<String>,
    /// Marks that count as a validity statement.
    pub marks: Vec<String>,
}

pub(crate) fn default_labels() -> Vec<String> {
    [
        "有效性",
        "时效性",
        "效力状态",
        "效力状况",
        "效力级别",
        "有效期",
        "时效",
        "效力",
        "有效状态",
        "文件状态",
    ]
    .map(String::from)
    .to_vec()
}

pub(crate) fn default_marks() -> Vec<String> {
    [
        "现行有效",
        "长期有效",
        "继续有效",
        "部分有效",
        "有效",
        "已失效",
        "部分失效",
        "失效",
        "已废止",
        "废止",
        "已修改",
        "已修订",
        "修订",
        "修改",
        "尚未生效",
        "未生效",
        "停止执行",
        "长期",
    ]
    .map(String::from)
    .to_vec()
}

impl Default for Params {
    fn default() -> Self {
        Params {
            labels: default_labels(),
            marks: default_marks(),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.labels.is_empty() {
            return Err(bad("labels", "at least one label"));
        }
        if self.marks.iter().any(|m| m.trim().is_empty()) || self.marks.is_empty() {
            return Err(bad("marks", "marks must be non-empty strings"));
        }
        Ok(())
    }
}

/// What a page says about its validity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Validity {
    /// A mark was found: (value shown, where: field / label / text / badge, the mark matched).
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

fn mark_in(value: &str, marks: &[String]) -> Option<String> {
    let v = compact(value);
    let mut sorted: Vec<&String> = marks.iter().collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.chars().count()));
    if let Some(m) = sorted.into_iter().find(|m| v.contains(compact(m).as_str())) {
        return Some(m.clone());
    }
    if !find_dates(value).is_empty() {
        return Some("日期".into());
    }
    None
}

/// Finds the validity statement of page `i`.
pub(crate) fn validity(
    sm: &SiteModel<'_>,
    i: usize,
    labels: &[String],
    marks: &[String],
) -> Validity {
    let m = sm.model(i);
    let mut blank = None;
    if let Some(v) = m.metadata.fields.get(&Field::Validity) {
        match mark_in(v, marks) {
            Some(mark) => {
                return Validity::Found {
                    value: v.trim().into(),
                    source: "field",
                    mark,
                }
            }
            None => blank = Some(("有效性".to_string(), v.trim().to_string())),
        }
    }
    for (l, v) in &m.metadata.raw {
        let lk = compact(l);
        if labels.iter().any(|x| lk.contains(compact(x).as_str())) {
            match mark_in(v, marks) {
                Some(mark) => {
                    return Validity::Found {
                        value: v.trim().into(),
                        source: "label",
                        mark,
                    }
                }
                None => blank = blank.or(Some((l.clone(), v.trim().to_string()))),
            }
        }
    }
    let text = compact(&m.text);
    for l in labels {
        let l = compact(l);
        let mut from = 0;
        while let Some(pos) = text[from..].find(l.as_str()) {
            let start = from + pos + l.len();
            let window: String = text[start..].chars().take(14).collect();
            let window = window.trim_start_matches([':', '：', '】', ']', '为', '是']);
            let head: String = window.chars().take(12).collect();
            if let Some(mark) = mark_in(&head, marks) {
                if mark != "日期" || l.contains("有效期") {
                    return Validity::Found {
                        value: head,
                        source: "text",
                        mark,
                    };
                }
            }
            from = start;
        }
    }
    for (open, close) in [
        ('【', '】'),
        ('[', ']'),
        ('（', '）'),
        ('(', ')'),
        ('〔', '〕'),
    ] {
        for m in marks {
            let badge = format!("{open}{}{close}", compact(m));
            if text.contains(&badge) {
                return Validity::Found {
                    value: badge,
                    source: "badge",
                    mark: m.clone(),
                };
            }
        }
    }
    match blank {
        Some((label, value)) => Validity::Blank { label, value },
        None => Validity::Missing,
    }
}

/// True when a validity value says the document is no longer (fully) in force.
pub(crate) fn says_invalid(value: &str) -> bool {
    let v = compact(value);
    [
        "失效",
        "废止",
        "停止执行",
        "已修改",
        "已修订",
        "被修改",
        "尚未生效",
        "未生效",
    ]
    .iter()
    .any(|w| v.contains(w))
}

pub struct DocValidity {
    p: Params,
}
crate::check_glue!(DocValidity);

impl Check for DocValidity {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.normative {
            let v = validity(sm, i, &self.p.labels, &self.p.marks);
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
            o.insert(
                "doc_number_format".into(),
                json!(sm.field(i, Field::DocNumber)),
            );
            o.insert("labels_checked".into(), json!(self.p.labels));
            let msg = format!(
                "规范性文件《{}》{}，应标注现行有效、失效、废止等有效性状态",
                crate::text::clip(&title, 60),
                detail
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
        for label in ["有效性", "时效性", "效力状态", "效力状况", "有效期", "时效"]
        {
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
            ] {
                let mut m = article("滕州市XX管理办法", "正文");
                m.metadata.raw.push((label.into(), mark.into()));
                assert_eq!(fires(m), 0, "{label}={mark}");
            }
        }
        let m = with_fields(
            article("滕州市XX管理办法", "正文"),
            &[(Field::Validity, "现行有效")],
        );
        assert_eq!(fires(m), 0);
        for text in [
            "有效性：现行有效",
            "时效性 ：已废止",
            "效力状态:部分失效",
            "【现行有效】滕州市XX管理办法",
            "有效期至2027年6月30日",
        ] {
            assert_eq!(fires(article("滕州市XX管理办法", text)), 0, "{text}");
        }
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
