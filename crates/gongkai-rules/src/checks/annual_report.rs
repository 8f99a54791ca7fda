//! `annual-report`: no 政府信息公开工作年度报告 for the previous year once its deadline has passed.
//!
//! How: once the as-of date is after the deadline, looks through every crawled page's title / heading / column items and every link
//! anchor for a text naming the previous year and a report: it must contain "{year}年" and 政府信息公开
//! and one of 年度报告 / 工作报告 / 年报 ("滕州市2022年政府信息公开工作年度报告", "2022年度政府信息公开
//! 工作报告", "政府信息公开工作年度报告（2022年）"). When a link to an annual-report column was seen
//! but that column page was not crawled, nothing is reported (the crawl could not look inside).
//! The deadline depends on whose portal it is: a people's government's own portal (its home page's
//! `SiteName`, else its `<title>`, names a `government_names` organ such as "滕州市人民政府" or
//! "滕州市人民政府门户网站") owes the government's report, due `government_deadline_*` (31 March);
//! any other site (a department's) owes a department's report, due `deadline_*` (31 January).
//! A site whose earlier reports are a government's ("滕州市人民政府2021年政府信息公开工作年度报告")
//! is a government's portal too, whatever its home page is called.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::text::compact;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "截止日期后网站仍未发布上一年度政府信息公开工作年度报告";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// A department's deadline (条例 Art. 49: 31 January).
    pub deadline_month: u32,
    pub deadline_day: u32,
    /// A government's deadline (条例 Art. 50: 31 March), used on a government's own portal.
    pub government_deadline_month: u32,
    pub government_deadline_day: u32,
    /// A site whose name ends with one of these (before 门户网站 / 网站 / 门户 / 官网) is a
    /// government's own portal.
    pub government_names: Vec<String>,
    /// A report text must contain this ...
    pub subject: String,
    /// ... and one of these.
    pub report_words: Vec<String>,
    /// Names of the annual-report column (for the crawl-depth guard).
    pub column_names: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            deadline_month: 1,
            deadline_day: 31,
            government_deadline_month: 3,
            government_deadline_day: 31,
            government_names: vec!["人民政府".into()],
            subject: "政府信息公开".into(),
            report_words: ["年度报告", "工作报告", "年报"].map(String::from).to_vec(),
            column_names: [
                "政府信息公开年报",
                "政府信息公开年度报告",
                "年度报告",
                "年报",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if NaiveDate::from_ymd_opt(2021, self.deadline_month, self.deadline_day).is_none() {
            return Err(bad(
                "deadline_day",
                "deadline_month / deadline_day is not a date",
            ));
        }
        if NaiveDate::from_ymd_opt(
            2021,
            self.government_deadline_month,
            self.government_deadline_day,
        )
        .is_none()
        {
            return Err(bad(
                "government_deadline_day",
                "government_deadline_month / government_deadline_day is not a date",
            ));
        }
        Ok(())
    }
}

pub struct AnnualReport {
    p: Params,
}
crate::check_glue!(AnnualReport);

impl AnnualReport {
    fn is_report(&self, text: &str, year: i32) -> bool {
        let t = compact(text);
        t.contains(&format!("{year}年"))
            && t.contains(compact(&self.p.subject).as_str())
            && self
                .p
                .report_words
                .iter()
                .any(|w| t.contains(compact(w).as_str()))
    }

    /// True when a report title of `year` is a government's own: the government's name is followed
    /// by the year or by 政府信息公开 ("滕州市人民政府2021年政府信息公开工作年度报告"; not
    /// "滕州市人民政府办公室2021年…").
    fn governments_report(&self, text: &str, year: i32) -> bool {
        let t = compact(text);
        self.p.government_names.iter().any(|g| {
            let g = compact(g);
            !g.is_empty()
                && (t.contains(&format!("{g}{year}年"))
                    || t.contains(&format!("{g}{}", compact(&self.p.subject))))
        })
    }

    /// True when `name` (a site name or a home page title) names a government itself: one of its
    /// `_` / `-` / `|` separated parts ends with a government name, possibly followed by 门户网站,
    /// 网站, 门户 or 官网 ("滕州市人民政府门户网站", "首页_滕州市人民政府"; not
    /// "滕州市人民政府办公室").
    fn names_government(&self, name: &str) -> bool {
        compact(name).split(['_', '-', '|']).any(|part| {
            let part = ["门户网站", "官方网站", "网站", "门户", "官网"]
                .iter()
                .find_map(|s| part.strip_suffix(s))
                .unwrap_or(part);
            self.p
                .government_names
                .iter()
                .any(|g| !g.trim().is_empty() && part.ends_with(compact(g).as_str()))
        })
    }
}

impl Check for AnnualReport {
    fn run(&self, cx: &mut RuleCx<'_>) {
        // Absence is only known from a complete crawl (see `EvalContext::complete`).
        if !cx.ctx.complete {
            return;
        }
        let sm = cx.site;
        let as_of = cx.as_of();
        let Some(home) = sm.crawled.iter().copied().find(|&i| sm.is_home(i)) else {
            return;
        };
        let hm = sm.model(home);
        let site_name = hm
            .guideline_meta
            .get("SiteName")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&hm.title);
        let year = as_of.year() - 1;
        let titles: Vec<String> = sm.crawled.iter().map(|&i| sm.title(i)).collect();
        let mut texts: Vec<&str> = Vec::new();
        for (&i, t) in sm.crawled.iter().zip(&titles) {
            let m = sm.model(i);
            texts.push(t);
            texts.push(&m.title);
            if let Some(c) = &m.column {
                texts.extend(c.items.iter().map(|it| it.title.as_str()));
            }
        }
        // Counted as ever: each crawled page's link anchors, then every link's anchor again.
        let searched = texts.len()
            + sm.crawled
                .iter()
                .map(|&i| sm.links_of(i).count())
                .sum::<usize>()
            + sm.site.links.len();
        // Only `any` is asked of the texts: each distinct one is judged once.
        texts.extend_from_slice(sm.distinct_anchors());
        texts.sort_unstable();
        texts.dedup();
        let earlier: Vec<i32> = (year - 5..year)
            .filter(|y| texts.iter().any(|t| self.is_report(t, *y)))
            .collect();
        let government = self.names_government(site_name)
            || texts.iter().any(|t| {
                earlier
                    .iter()
                    .any(|y| self.is_report(t, *y) && self.governments_report(t, *y))
            });
        let (month, day) = if government {
            (
                self.p.government_deadline_month,
                self.p.government_deadline_day,
            )
        } else {
            (self.p.deadline_month, self.p.deadline_day)
        };
        let Some(deadline) = NaiveDate::from_ymd_opt(as_of.year(), month, day) else {
            return;
        };
        if as_of <= deadline || texts.iter().any(|t| self.is_report(t, year)) {
            return;
        }
        let col_names: Vec<String> = self.p.column_names.iter().map(|c| compact(c)).collect();
        let is_col = |s: &str| {
            let s = compact(s);
            !s.is_empty()
                && s.chars().count() <= 20
                && col_names.iter().any(|c| s.contains(c.as_str()))
        };
        let crawled_col = sm.columns.iter().find(|c| is_col(&c.name));
        let linked_col = sm.distinct_anchors().iter().any(|a| is_col(a));
        if crawled_col.is_none() && linked_col {
            return;
        }
        let (url, fetch) = match crawled_col {
            Some(c) => (
                sm.page(c.pages[0]).url.clone(),
                sm.page(c.pages[0]).fetch_id,
            ),
            None => (sm.root.clone(), sm.page(home).fetch_id),
        };
        let msg = format!(
            "截至{as_of}，网站未发布{year}年度政府信息公开工作年度报告（应于{}前发布）",
            deadline
        );
        let ev = json!({
            "year": year,
            "deadline": deadline.to_string(),
            "site_name": site_name.trim(),
            "level": if government { "government" } else { "department" },
            "as_of": as_of.to_string(),
            "annual_report_column": crawled_col.map(|c| c.name.clone()),
            "earlier_years_found": earlier,
            "texts_searched": searched,
        });
        let dept = cx.dept_for(
            &url,
            &crawled_col
                .map(|c| vec![c.name.clone()])
                .unwrap_or_default(),
        );
        cx.emit(
            Emit::new(&url, dept, msg, ev)
                .target(format!("{year}年度政府信息公开工作年度报告"))
                .subject(vec![sm.root.clone(), year.to_string()])
                .fetch(fetch),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    fn s(titles: &[&str]) -> crate::Site {
        let items: Vec<(&str, String, Option<&str>)> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, u(&format!("nb/t{i}.html")), Some("2022-01-20")))
            .collect();
        let items: Vec<(&str, &str, Option<&str>)> =
            items.iter().map(|(t, l, d)| (*t, l.as_str(), *d)).collect();
        let mut st = site(vec![
            page(ROOT, home("")),
            page(&u("nb/index.html"), column("政府信息公开年报", &items)),
        ]);
        add_link(&mut st, ROOT, &u("nb/index.html"), "政府信息公开年报");
        st
    }

    #[test]
    fn missing_after_the_governments_deadline_on_a_government_portal() {
        let st = s(&[
            "滕州市人民政府2021年政府信息公开工作年度报告",
            "滕州市人民政府2020年政府信息公开工作年度报告",
        ]);
        assert!(
            run("annual-report.missing", &st, &ctx(2023, 3, 31)).is_empty(),
            "a government's report is due 31 March (条例 Art. 50), not 31 January"
        );
        let f = run("annual-report.missing", &st, &ctx(2023, 4, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["year"], 2022);
        assert_eq!(f[0].evidence["deadline"], "2023-03-31");
        assert_eq!(f[0].evidence["level"], "government");
        assert!(f[0].message.contains("2023-03-31"), "{}", f[0].message);
        assert_eq!(
            f[0].evidence["earlier_years_found"],
            serde_json::json!([2020, 2021])
        );
        assert_eq!(f[0].url, u("nb/index.html"));
    }

    #[test]
    fn a_department_site_owes_its_report_by_31_january() {
        let mut st = s(&["市司法局2021年政府信息公开工作年度报告"]);
        let m = st.pages[0].model.as_mut().unwrap();
        m.title = "滕州市司法局".into();
        m.guideline_meta
            .insert("SiteName".into(), "滕州市司法局".into());
        assert!(run("annual-report.missing", &st, &ctx(2023, 1, 31)).is_empty());
        let f = run("annual-report.missing", &st, &ctx(2023, 2, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["deadline"], "2023-01-31");
        assert_eq!(f[0].evidence["level"], "department");
    }

    #[test]
    fn earlier_government_reports_make_a_government_portal() {
        let mut st = s(&["滕州市人民政府2021年政府信息公开工作年度报告"]);
        st.pages[0].model.as_mut().unwrap().title = "首页".into();
        assert!(run("annual-report.missing", &st, &ctx(2023, 3, 31)).is_empty());
        assert_eq!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).len(), 1);
        // A department's earlier report does not make it one.
        let mut st = s(&["滕州市人民政府办公室2021年政府信息公开工作年度报告"]);
        st.pages[0].model.as_mut().unwrap().title = "首页".into();
        assert_eq!(run("annual-report.missing", &st, &ctx(2023, 2, 1)).len(), 1);
    }

    #[test]
    fn government_portal_names() {
        let c = super::AnnualReport {
            p: super::Params::default(),
        };
        for n in [
            "滕州市人民政府",
            "滕州市人民政府门户网站",
            "首页_滕州市人民政府",
            "滕州市人民政府 - 首页",
        ] {
            assert!(c.names_government(n), "{n}");
        }
        for n in [
            "滕州市人民政府办公室",
            "滕州市发展和改革局",
            "人民政府网站群",
        ] {
            assert!(!c.names_government(n), "{n}");
        }
    }

    #[test]
    fn title_forms_found() {
        for t in [
            "滕州市2022年政府信息公开工作年度报告",
            "2022年度政府信息公开工作报告",
            "市司法局政府信息公开工作年度报告（2022年）",
            "2022年政府信息公开年报",
        ] {
            assert!(
                run("annual-report.missing", &s(&[t]), &ctx(2023, 4, 1)).is_empty(),
                "{t}"
            );
        }
    }

    #[test]
    fn uncrawled_report_column_is_not_judged() {
        let mut st = site(vec![page(ROOT, home(""))]);
        add_link(&mut st, ROOT, &u("nb/index.html"), "政府信息公开年报");
        assert!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).is_empty());
        let st = site(vec![page(ROOT, home(""))]);
        assert_eq!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).len(), 1);
    }
}
