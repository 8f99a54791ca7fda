//! `doc-metadata`: a normative document missing 文号, 成文日期 or 发布日期.
//!
//! How: for each normative document, each required field must be shown: as a printed metadata
//! label (文号, 发文字号, 成文时间, 发布时间 ...) with a value, or as a labelled value in the page
//! text ("发布日期：2022-06-01"). A value the extractor took from elsewhere (the `PubDate` meta tag,
//! the list date) is not shown on the page and does not count. The 文号 also counts when a well-formed 文号 (…〔2022〕11号)
//! appears in the first `docnum_head_chars` characters of the text (under the title, as printed
//! documents carry it). A field whose label is present but whose value is blank is missing too.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::{not_normative, Applies};
use crate::sitemodel::SiteModel;
use crate::text::{compact, fold};
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "规范性文件缺少文号、成文日期或发布日期";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    /// Chinese name used in messages.
    pub name: String,
    /// Metadata field: doc-number, written-date, publish-date, index-number, publisher, topic,
    /// validity, doc-type.
    pub field: Field,
    /// Labels that also carry it (metadata labels or labels in the text).
    pub labels: Vec<String>,
    /// The value must contain a date.
    #[serde(default)]
    pub date: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub docnum_head_chars: usize,
    pub required: Vec<Required>,
}

impl Default for Params {
    fn default() -> Self {
        let r = |name: &str, field, labels: &[&str], date| Required {
            name: name.into(),
            field,
            labels: labels.iter().map(|s| s.to_string()).collect(),
            date,
        };
        Params {
            docnum_head_chars: 200,
            required: vec![
                r(
                    "文号",
                    Field::DocNumber,
                    &[
                        "文号",
                        "发文字号",
                        "发文号",
                        "发文文号",
                        "文件字号",
                        "文件编号",
                    ],
                    false,
                ),
                r(
                    "成文日期",
                    Field::WrittenDate,
                    &[
                        "成文日期",
                        "成文时间",
                        "成文日",
                        "印发日期",
                        "印发时间",
                        "制发日期",
                        "签发日期",
                    ],
                    true,
                ),
                r(
                    "发布日期",
                    Field::PublishDate,
                    &[
                        "发布日期",
                        "发布时间",
                        "公开日期",
                        "公开时间",
                        "发文日期",
                        "公布日期",
                        "公布时间",
                        "发表日期",
                        "发表时间",
                    ],
                    true,
                ),
            ],
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.required.is_empty() {
            return Err(bad("required", "at least one required field"));
        }
        for (i, r) in self.required.iter().enumerate() {
            if r.labels.iter().all(|l| l.trim().is_empty()) {
                return Err(bad(&format!("required.{i}.labels"), "at least one label"));
            }
        }
        Ok(())
    }
}

/// True when a printed value shows the field: not blank nor a placeholder (无, —, /, 空 ...), and
/// for dates a date gongkai-page's one date parser reads.
fn has_value(v: &str, date: bool) -> bool {
    !gongkai_page::labels::is_placeholder(v)
        && (!date || gongkai_page::dates::parse_date(v).is_some())
}

/// Where page `i` shows `r`, if it does.
fn shown(sm: &SiteModel<'_>, i: usize, r: &Required, head_chars: usize) -> Option<&'static str> {
    let m = sm.model(i);
    // A field the extractor filled without a printed label (e.g. from the PubDate meta tag) is
    // not shown on the page: with raw pairs present, only printed labels count.
    if m.metadata.raw.is_empty()
        && m.metadata
            .fields
            .get(&r.field)
            .is_some_and(|v| has_value(v, r.date))
    {
        return Some("field");
    }
    let labels: Vec<String> = r.labels.iter().map(|l| compact(l)).collect();
    // A printed label counts when it is one of the rule's labels or one the page model's label
    // table reads as this field (生成日期 / 发文日期 / 日期 → 发布日期, 责任部门 → 发布机构 ...).
    let printed_as_field = |l: &str| {
        gongkai_page::labels::field_of(&gongkai_page::labels::normalize_label(l)) == Some(r.field)
    };
    if m.metadata.raw.iter().any(|(l, v)| {
        let lc = compact(l);
        (printed_as_field(l) || labels.iter().any(|x| lc == *x || lc.contains(x.as_str())))
            && has_value(v, r.date)
    }) {
        return Some("label");
    }
    let page_text = sm.text(i);
    let text = fold(&page_text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for l in &labels {
        let mut from = 0;
        while let Some(pos) = text[from..].find(l.as_str()) {
            let start = from + pos + l.len();
            let rest = text[start..].trim_start();
            if let Some(value) = rest.strip_prefix(':') {
                let value: String = value.chars().take(30).collect();
                if has_value(&value, r.date) {
                    return Some("text");
                }
            }
            from = start;
        }
    }
    if r.field == Field::DocNumber {
        let head: String = page_text.chars().take(head_chars).collect();
        if gongkai_page::docnum::find_doc_numbers(&head)
            .iter()
            .any(|d| !d.agency.is_empty() && d.year.is_some() && d.number.is_some())
        {
            return Some("text-head");
        }
    }
    None
}

pub struct DocMetadata {
    p: Params,
}
crate::check_glue!(DocMetadata);

impl Check for DocMetadata {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_normative(i) {
            return Some(not_normative(sm, i));
        }
        let names: Vec<&str> = self.p.required.iter().map(|r| r.name.as_str()).collect();
        Some(Applies::Judged(format!(
            "规范性文件：检查页面是否显示{}",
            names.join("、")
        )))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.normative {
            let mut missing = Vec::new();
            let mut found = serde_json::Map::new();
            for r in &self.p.required {
                match shown(sm, i, r, self.p.docnum_head_chars) {
                    Some(w) => {
                        found.insert(r.name.clone(), json!(w));
                    }
                    None => missing.push(r.name.clone()),
                }
            }
            if missing.is_empty() {
                continue;
            }
            let p = sm.page(i);
            let title = sm.title(i);
            let msg = format!(
                "规范性文件《{}》页面缺少{}",
                crate::text::clip(&title, 60),
                missing.join("、")
            );
            let ev = json!({
                "title": title,
                "missing": missing,
                "found": found,
                "metadata": sm.model(i).metadata.raw,
            });
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::{Field, PageModel};

    fn one(m: PageModel) -> Vec<crate::Finding> {
        let m = with_fields(m, &[(Field::DocType, "规范性文件")]);
        let s = site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)]);
        run("doc.metadata-missing", &s, &ctx(2022, 7, 1))
    }

    #[test]
    fn complete_metadata_is_fine() {
        let m = with_fields(
            article("办法", "正文"),
            &[
                (Field::DocNumber, "滕政办发〔2022〕11号"),
                (Field::WrittenDate, "2022-06-01"),
                (Field::PublishDate, "2022年6月2日"),
            ],
        );
        let f = one(m);
        assert!(f.is_empty(), "{f:?}");
        // Labels in the text and a 文号 under the title count too.
        let m = article(
            "办法",
            "滕政办发〔2022〕11号 各镇人民政府…… 成文日期：2022年6月1日 发布时间：2022-06-02 10:00",
        );
        let f = one(m);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn says_which_are_missing() {
        let m = with_fields(
            article("办法", "正文"),
            &[(Field::PublishDate, "2022-06-02"), (Field::WrittenDate, "")],
        );
        let f = one(m);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence["missing"],
            serde_json::json!(["文号", "成文日期"])
        );
        assert!(f[0].message.contains("文号、成文日期"), "{}", f[0].message);
        let m = with_fields(
            article("办法", "正文"),
            &[
                (Field::DocNumber, "无"),
                (Field::WrittenDate, "2022-06-01"),
                (Field::PublishDate, "2022-06-02"),
            ],
        );
        assert_eq!(one(m)[0].evidence["missing"], serde_json::json!(["文号"]));
        // A publish date taken from the PubDate meta tag (no printed label) is not shown.
        let mut m = with_fields(
            article("办法", "正文"),
            &[
                (Field::DocNumber, "滕政办发〔2022〕8号"),
                (Field::WrittenDate, "2022-04-20"),
            ],
        );
        m.metadata
            .fields
            .insert(Field::PublishDate, "2022-04-22".into());
        assert_eq!(
            one(m)[0].evidence["missing"],
            serde_json::json!(["发布日期"])
        );
    }

    #[test]
    fn labels_the_page_model_reads_as_the_field_count() {
        // An office's rule lists only 发布日期; the page prints 公开日期, which the page model's
        // label table reads as 发布日期: the page shows it.
        let rule = r#"
[[rule]]
id = "doc.metadata-missing"
title = "t"
severity = "error"
ledger = [28]
department = "市司法局"
check = "doc-metadata"
[[rule.params.required]]
name = "发布日期"
field = "publish-date"
labels = ["发布日期"]
date = true
"#;
        let pack = crate::pack_from_files(vec![("d.toml".into(), rule.into())]).unwrap();
        let mut m = with_fields(
            article("滕州市XX管理办法", "正文"),
            &[(Field::DocType, "规范性文件"), (Field::IndexNumber, "1")],
        );
        m.metadata
            .raw
            .push(("公开日期".into(), "2022-06-02".into()));
        let s = site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m.clone())]);
        assert!(crate::evaluate(&pack, &s, &ctx(2022, 8, 1)).is_empty());
        // A placeholder is no value, whatever the label.
        m.metadata.raw.retain(|l, _| l != "公开日期");
        m.metadata.raw.push(("公开日期".into(), "—".into()));
        let s = site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)]);
        let f = crate::evaluate(&pack, &s, &ctx(2022, 8, 1));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("发布日期"));
    }
}
