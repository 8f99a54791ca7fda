//! `column-required`: a required column that no page or link of the site names.
//!
//! How: for each configured column (canonical name + synonyms, optional `due`, ledger items and
//! department), looks through every crawled page's title, heading, breadcrumb, column name and
//! `ColumnName` meta, and every link's anchor text, for the canonical name or a synonym (spaces
//! and full-width forms ignored). A column with a `due` date is only required once the as-of date
//! is after it. Nothing is reported when the start page itself was not crawled (a failed or
//! blocked home page says nothing about the columns). `target` is the canonical name.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, DateParam, Emit, ParamError, RuleCx};
use crate::text::compact;
use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "必设栏目在全站页面和链接中均未出现";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Canonical name (the finding's target).
    pub name: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Required only after this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateParam>,
    /// Ledger items of this column (default: the rule's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<u32>,
    /// Responsible unit when no owner rule of the context matches (default: the rule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub columns: Vec<Column>,
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.columns.is_empty() {
            return Err(bad("columns", "at least one column"));
        }
        for (i, c) in self.columns.iter().enumerate() {
            if c.name.trim().is_empty() {
                return Err(bad(&format!("columns.{i}.name"), "empty column name"));
            }
            // An empty name is in every string: the column would always count as present.
            if let Some(j) = c.synonyms.iter().position(|s| s.trim().is_empty()) {
                return Err(bad(&format!("columns.{i}.synonyms.{j}"), "empty synonym"));
            }
            if let Some(n) = c.ledger.iter().find(|n| !(1..=67).contains(*n)) {
                return Err(bad(
                    &format!("columns.{i}.ledger"),
                    format!("ledger item {n} is not in 1..=67"),
                ));
            }
        }
        Ok(())
    }
}

pub struct ColumnRequired {
    p: Params,
}
crate::check_glue!(ColumnRequired);

impl Check for ColumnRequired {
    fn run(&self, cx: &mut RuleCx<'_>) {
        // Absence is only known from a complete crawl (see `EvalContext::complete`).
        if !cx.ctx.complete {
            return;
        }
        let sm = cx.site;
        if !sm.crawled.iter().any(|&i| sm.is_home(i)) {
            return;
        }
        // The required columns due, each with its names, and whether some page name or link
        // anchor of the site contains one of them: one pass over the names, none held.
        let due: Vec<(&Column, Vec<String>)> = self
            .p
            .columns
            .iter()
            .filter(|c| c.due.is_none_or(|d| cx.as_of() > d.0))
            .map(|c| {
                let names = std::iter::once(&c.name)
                    .chain(&c.synonyms)
                    .map(|s| compact(s))
                    .collect();
                (c, names)
            })
            .collect();
        // Every name of every column in one automaton: one pass over a string answers them all
        // (a substring search per name and string was the check's cost on a large site). No
        // name is empty (`Params::validate`).
        let (owner, needles): (Vec<usize>, Vec<&str>) = due
            .iter()
            .enumerate()
            .flat_map(|(k, (_, names))| names.iter().map(move |n| (k, n.as_str())))
            .unzip();
        // Building fails only past the automaton's size limits: then one search per name.
        let automaton = AhoCorasick::new(&needles).ok();
        let mut found = vec![false; due.len()];
        let mut left = due.len();
        let mut look = |h: &str, left: &mut usize| {
            let h = compact(h);
            let mut mark = |p: usize| {
                if !found[owner[p]] {
                    found[owner[p]] = true;
                    *left -= 1;
                }
            };
            match &automaton {
                Some(a) => a
                    .find_overlapping_iter(&h)
                    .for_each(|m| mark(m.pattern().as_usize())),
                None => (0..needles.len())
                    .filter(|&p| h.contains(needles[p]))
                    .for_each(&mut mark),
            }
        };
        for &i in &sm.crawled {
            if left == 0 {
                break;
            }
            for s in sm.names_of(i) {
                look(&s, &mut left);
            }
        }
        for a in sm.distinct_anchors() {
            if left == 0 {
                break;
            }
            look(a, &mut left);
        }
        for (k, (c, _)) in due.iter().enumerate() {
            if found[k] {
                continue;
            }
            let due = c.due.map(|d| d.0.to_string());
            let msg = match &due {
                Some(d) => format!(
                    "网站未设置“{}”栏目（应于{}前建立），全站页面和链接中均未发现该栏目",
                    c.name, d
                ),
                None => format!("网站未设置“{}”栏目，全站页面和链接中均未发现该栏目", c.name),
            };
            let ev = json!({
                "column": c.name,
                "names_searched": std::iter::once(&c.name).chain(&c.synonyms).collect::<Vec<_>>(),
                "due": due,
                "pages_searched": sm.crawled.len(),
                "links_searched": sm.link_count(),
            });
            // Owner from the context first, then the column's own department, then the rule's.
            let dept = sm
                .owner_for(&sm.root, std::slice::from_ref(&c.name), cx.ctx)
                .or_else(|| {
                    c.department
                        .as_ref()
                        .map(|d| cx.ctx.canonical_department(d))
                })
                .unwrap_or_else(|| cx.dept_for(&sm.root, &[]));
            let mut e = Emit::new(&sm.root, dept, msg, ev)
                .target(c.name.clone())
                .subject(vec![sm.root.clone(), c.name.clone()]);
            if !c.ledger.is_empty() {
                e = e.ledger(c.ledger.clone());
            }
            if let Some(h) = sm.crawled.iter().find(|&&i| sm.is_home(i)) {
                e = e.fetch(sm.page(*h).fetch_id);
            }
            cx.emit(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_core::FetchOutcome;

    fn names(s: &crate::Site, y: i32, m: u32, d: u32) -> Vec<String> {
        run("column.missing", s, &ctx(y, m, d))
            .into_iter()
            .map(|f| f.target.unwrap())
            .collect()
    }

    fn full_site() -> crate::Site {
        let mut s = site(vec![page(ROOT, home("首页"))]);
        for a in [
            "政府信息公开指南",
            "政府信息公开年报",
            "行政规范性文件",
            "政策解读",
            "政府公报",
            "重大行政决策",
            "政务公开标准目录",
            "公共企事业单位信息公开",
            "建议提案办理",
            "重点任务公开承诺",
        ] {
            add_link(&mut s, ROOT, &u(&format!("{a}.html")), a);
        }
        s
    }

    #[test]
    fn all_present_nothing_fires() {
        assert!(names(&full_site(), 2023, 3, 1).is_empty());
    }

    /// A blank synonym would be found in every string and keep its column from ever being
    /// reported: the rules file is refused instead.
    #[test]
    fn a_blank_synonym_is_refused() {
        let column = |synonyms: Vec<String>| super::Column {
            name: "政府公报".into(),
            synonyms,
            due: None,
            ledger: Vec::new(),
            department: None,
        };
        let params = |c| super::Params { columns: vec![c] };
        assert!(params(column(vec!["公报".into()])).validate().is_ok());
        assert!(params(column(vec!["公报".into(), "\u{3000}".into()]))
            .validate()
            .is_err());
    }

    /// One string can name several columns (a navigation line flattened into one anchor): each
    /// counts, wherever its name sits in the string.
    #[test]
    fn one_string_naming_every_column_finds_them_all() {
        let mut s = site(vec![page(ROOT, home("首页"))]);
        add_link(
            &mut s,
            ROOT,
            &u("nav.html"),
            "政府信息公开指南 政府信息公开年报|行政规范性文件·政策解读 政府公报 重大行政决策 \
             政务公开标准目录 公共企事业单位信息公开 建议提案办理 重点任务公开承诺",
        );
        assert!(names(&s, 2023, 3, 1).is_empty());
        let mut s = site(vec![page(ROOT, home("首页"))]);
        add_link(&mut s, ROOT, &u("nav.html"), "政府信息公开指南 政策解读");
        let missing = names(&s, 2023, 3, 1);
        assert!(missing.contains(&"政府公报".to_string()), "{missing:?}");
        assert!(!missing.contains(&"政策解读".to_string()), "{missing:?}");
        assert!(
            !missing.iter().any(|m| m == "政府信息公开指南"),
            "{missing:?}"
        );
    }

    #[test]
    fn missing_column_fires_after_due_only() {
        let mut s = full_site();
        s.links.retain(|l| &*l.anchor != "建议提案办理");
        s.pages[0]
            .model
            .as_mut()
            .unwrap()
            .links
            .retain(|l| &*l.anchor != "建议提案办理");
        assert!(
            names(&s, 2022, 10, 31).is_empty(),
            "on the due date it is not late yet"
        );
        let f = run("column.missing", &s, &ctx(2022, 11, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].target.as_deref(), Some("建议提案办理"));
        assert_eq!(f[0].ledger, vec![41]);
        assert_eq!(f[0].url, ROOT);
    }

    #[test]
    fn a_partial_crawl_does_not_judge_missing_columns() {
        let mut s = full_site();
        s.links.retain(|l| &*l.anchor != "建议提案办理");
        s.pages[0]
            .model
            .as_mut()
            .unwrap()
            .links
            .retain(|l| &*l.anchor != "建议提案办理");
        let mut partial = ctx(2022, 11, 1);
        partial.complete = false;
        assert!(run("column.missing", &s, &partial).is_empty());
        assert_eq!(run("column.missing", &s, &ctx(2022, 11, 1)).len(), 1);
    }

    #[test]
    fn synonyms_breadcrumbs_and_column_names_count() {
        let mut s = full_site();
        s.links.retain(|l| &*l.anchor != "政府信息公开年报");
        s.pages[0]
            .model
            .as_mut()
            .unwrap()
            .links
            .retain(|l| &*l.anchor != "政府信息公开年报");
        s.pages
            .push(page(&u("nb/index.html"), column("年度报告", &[])));
        assert!(names(&s, 2023, 3, 1).is_empty());
        let mut s = full_site();
        s.pages[0]
            .model
            .as_mut()
            .unwrap()
            .links
            .retain(|l| &*l.anchor != "政府公报");
        s.links.retain(|l| &*l.anchor != "政府公报");
        let mut a = article("x", "");
        a.breadcrumb = vec!["首页".into(), "政 府 公 报".into()];
        s.pages.push(page(&u("gb/t.html"), a));
        assert!(names(&s, 2023, 3, 1).is_empty());
    }

    #[test]
    fn blocked_home_says_nothing() {
        let mut s = site(vec![target(ROOT, FetchOutcome::Blocked, Some(412))]);
        s.pages[0].crawled = true;
        assert!(names(&s, 2023, 3, 1).is_empty());
    }
}
