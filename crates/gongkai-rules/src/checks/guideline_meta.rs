//! `guideline-meta`: pages missing the meta tags of 政府网站发展指引 (国办发〔2017〕47号).
//!
//! How: the home page (start URL or home kind) must carry `home` tags (SiteName, SiteDomain,
//! SiteIDCode), column list pages the `column` tags (ColumnName, ColumnType), articles the
//! `article` tags (ArticleTitle, PubDate, ContentSource). A tag with empty content counts as
//! missing. Pages come from templates, so findings are grouped: one per page class and set of
//! missing tags, with the number of pages and up to `max_examples` example URLs; the target names
//! the class and the tags ("文章页：ContentSource"), so two groups are told apart. Only HTML
//! answers are judged: a data answer (the XML a Hanweb dataproxy returns to a POST, JSON) is not a
//! page a visitor opens and cannot carry `<meta>` tags.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub const SUMMARY: &str = "页面缺少政府网站发展指引要求的元数据标签";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub home: Vec<String>,
    pub column: Vec<String>,
    pub article: Vec<String>,
    pub max_examples: usize,
}

impl Default for Params {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
        Params {
            home: v(&["SiteName", "SiteDomain", "SiteIDCode"]),
            column: v(&["ColumnName", "ColumnType"]),
            article: v(&["ArticleTitle", "PubDate", "ContentSource"]),
            max_examples: 10,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

pub struct GuidelineMeta {
    p: Params,
}
crate::check_glue!(GuidelineMeta);

impl Check for GuidelineMeta {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !is_html(sm.page(i).content_type.as_deref()) {
            return Some(Applies::NotJudged("不是 HTML 页面".into()));
        }
        let (zh, required) = if sm.is_home(i) {
            ("首页", &self.p.home)
        } else if sm.model(i).column.is_some() {
            ("栏目页", &self.p.column)
        } else if sm.is_article(i) {
            ("文章页", &self.p.article)
        } else {
            return Some(Applies::NotJudged(
                "不是首页、栏目页或文章页，发展指引没有规定其元标签".into(),
            ));
        };
        Some(Applies::Judged(format!(
            "{zh}：检查元标签 {}",
            required.join("、")
        )))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        // (class, missing tags) → pages
        let mut groups: BTreeMap<(&'static str, Vec<String>), Vec<usize>> = BTreeMap::new();
        for &i in &sm.crawled {
            if !is_html(sm.page(i).content_type.as_deref()) {
                continue;
            }
            let m = sm.model(i);
            let (class, required) = if sm.is_home(i) {
                ("home", &self.p.home)
            } else if m.column.is_some() {
                ("column", &self.p.column)
            } else if sm.is_article(i) {
                ("article", &self.p.article)
            } else {
                continue;
            };
            let missing: Vec<String> = required
                .iter()
                .filter(|t| {
                    m.guideline_meta
                        .get(t.as_str())
                        .is_none_or(|v| v.trim().is_empty())
                })
                .cloned()
                .collect();
            if !missing.is_empty() {
                groups.entry((class, missing)).or_default().push(i);
            }
        }
        for ((class, missing), pages) in groups {
            let zh = match class {
                "home" => "首页",
                "column" => "栏目页",
                _ => "文章页",
            };
            let first = sm.page(pages[0]);
            let msg = if class == "home" {
                format!(
                    "网站首页缺少发展指引要求的元数据标签：{}",
                    missing.join("、")
                )
            } else {
                format!(
                    "{}个{}缺少发展指引要求的元数据标签：{}",
                    pages.len(),
                    zh,
                    missing.join("、")
                )
            };
            let ev = json!({
                "page_class": class,
                "missing": missing,
                "pages": pages.len(),
                "examples": pages.iter().take(self.p.max_examples).map(|&i| sm.page(i).url.clone()).collect::<Vec<_>>(),
            });
            let dept = cx.dept_for(&sm.root, &[]);
            let mut subject = vec![sm.root.clone(), class.to_string()];
            subject.extend(missing.iter().cloned());
            let url = if class == "home" {
                first.url.to_string()
            } else {
                sm.root.clone()
            };
            cx.emit(
                Emit::new(&url, dept, msg, ev)
                    .target(format!("{zh}：{}", missing.join("、")))
                    .subject(subject)
                    .fetch(first.fetch_id),
            );
        }
    }
}

/// An HTML answer (or one without a content type, judged by its parsed model).
fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("html") || c.trim().is_empty()
    })
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    #[test]
    fn grouped_by_class_and_missing_set() {
        let mut h = home("");
        h.guideline_meta
            .insert("SiteName".into(), "滕州市人民政府".into());
        h.guideline_meta
            .insert("SiteDomain".into(), "www.tengzhou.gov.cn".into());
        h.guideline_meta
            .insert("SiteIDCode".into(), "3704810001".into());
        let mut a1 = article("a", "");
        a1.guideline_meta.insert("ArticleTitle".into(), "a".into());
        a1.guideline_meta
            .insert("PubDate".into(), "2022-06-01 10:00".into());
        let mut a2 = a1.clone();
        a2.guideline_meta.insert("ContentSource".into(), " ".into());
        let mut a3 = a1.clone();
        a3.guideline_meta
            .insert("ContentSource".into(), "市政府办公室".into());
        let s = site(vec![
            page(ROOT, h),
            page(&u("a1.html"), a1),
            page(&u("a2.html"), a2),
            page(&u("a3.html"), a3),
        ]);
        let f = run("site.guideline-meta", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence["pages"], 2);
        assert_eq!(
            f[0].evidence["missing"],
            serde_json::json!(["ContentSource"])
        );
        assert_eq!(f[0].severity, crate::Severity::Notice);
        assert_eq!(f[0].target.as_deref(), Some("文章页：ContentSource"));
        let s = site(vec![page(ROOT, home(""))]);
        let f = run("site.guideline-meta", &s, &ctx(2022, 7, 1));
        assert_eq!(
            f[0].evidence["missing"],
            serde_json::json!(["SiteName", "SiteDomain", "SiteIDCode"])
        );
    }

    #[test]
    fn data_answers_are_not_pages() {
        let mut h = home("");
        for (k, v) in [
            ("SiteName", "滕州市人民政府"),
            ("SiteDomain", "www.tengzhou.gov.cn"),
            ("SiteIDCode", "3704810001"),
        ] {
            h.guideline_meta.insert(k.into(), v.into());
        }
        let mut answer = page(
            &u("module/web/jpage/dataproxy.jsp"),
            column("部门规范性文件", &[("a", &u("a.html"), Some("2022-06-01"))]),
        );
        answer.content_type = Some("text/xml;charset=UTF-8".into());
        let s = site(vec![page(ROOT, h.clone()), answer]);
        assert!(run("site.guideline-meta", &s, &ctx(2022, 7, 1)).is_empty());
        // The same list served as an HTML page is judged.
        let s = site(vec![
            page(ROOT, h),
            page(
                &u("col/col1/index.html"),
                column("部门规范性文件", &[("a", &u("a.html"), Some("2022-06-01"))]),
            ),
        ]);
        let f = run("site.guideline-meta", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].target.as_deref(),
            Some("栏目页：ColumnName、ColumnType")
        );
    }
}
