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
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::borrow::Cow;
use std::sync::LazyLock;

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
    /// Titles with these words speak about reports (a notice to compile them), they are none.
    pub mention_words: Vec<String>,
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
            mention_words: [
                "通知", "报送", "做好", "编制", "填报", "督查", "考核", "培训", "解读",
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
        !self
            .p
            .mention_words
            .iter()
            .any(|w| !w.trim().is_empty() && t.contains(compact(w).as_str()))
            && t.contains(&format!("{year}年"))
            && t.contains(compact(&self.p.subject).as_str())
            && self
                .p
                .report_words
                .iter()
                .any(|w| t.contains(compact(w).as_str()))
    }

    /// The part of [`Self::is_report`] that does not depend on the year, with the words
    /// compacted once: a text it rejects is no report of any year.
    fn report_filter(&self) -> impl Fn(&str) -> bool + '_ {
        let mention: Vec<String> = self
            .p
            .mention_words
            .iter()
            .filter(|w| !w.trim().is_empty())
            .map(|w| compact(w))
            .collect();
        let subject = compact(&self.p.subject);
        let report: Vec<String> = self.p.report_words.iter().map(|w| compact(w)).collect();
        move |text: &str| {
            let t = compact(text);
            !mention.iter().any(|w| t.contains(w.as_str()))
                && t.contains(subject.as_str())
                && report.iter().any(|w| t.contains(w.as_str()))
        }
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

/// A text naming a report, with the publisher of the page it is the title of (None for list
/// items and link anchors).
struct Candidate<'a> {
    text: std::borrow::Cow<'a, str>,
    publisher: Option<String>,
}

impl AnnualReport {
    /// The unit a report title names before its year or subject ("青岚县民政局2024年…" →
    /// 青岚县民政局); None when nothing precedes them ("2024年度政府信息公开工作报告").
    fn named_unit(&self, text: &str, year: i32) -> Option<String> {
        let t = compact(text);
        let cut = [format!("{year}年"), compact(&self.p.subject)]
            .iter()
            .filter_map(|k| t.find(k.as_str()))
            .min()?;
        let unit = t[..cut].trim_start_matches("关于").to_string();
        (!unit.is_empty()).then_some(unit)
    }

    /// True when `unit` is only a place or a people's government ("青岚县", "滕州市人民政府"): the
    /// government's own report.
    fn government_unit(&self, unit: &str) -> bool {
        // 滕州市政府: the short form of 人民政府 in titles.
        PLACE.is_match(unit)
            || unit.strip_suffix("政府").is_some_and(|p| PLACE.is_match(p))
            || self
                .p
                .government_names
                .iter()
                .any(|g| !g.trim().is_empty() && unit.ends_with(compact(g).as_str()))
    }

    /// True when `unit` names department `dept` (its full name, or its name without the leading
    /// place: 司法局 for 滕州市司法局, so 市司法局 and 县司法局 count).
    fn names_department(unit: &str, dept: &str) -> bool {
        let d = compact(dept);
        if d.is_empty() {
            return false;
        }
        let short = PLACE_PREFIX
            .captures(&d)
            .map(|c| c[1].to_string())
            .unwrap_or_default();
        unit.contains(d.as_str()) || (short.chars().count() >= 3 && unit.contains(short.as_str()))
    }

    /// True when `c` is the `year` report of the department called `names` (its canonical name
    /// and its aliases): its title names the department, or its page's publisher is the
    /// department and its title names no other unit.
    fn departments_report(&self, c: &Candidate<'_>, year: i32, names: &[String]) -> bool {
        if !self.is_report(&c.text, year) {
            return false;
        }
        let named = |unit: &str| names.iter().any(|d| Self::names_department(unit, d));
        match self.named_unit(&c.text, year) {
            Some(u) if !self.government_unit(&u) => named(&u),
            _ => c.publisher.as_deref().is_some_and(|p| named(&compact(p))),
        }
    }

    /// True when `c` is the site's own `year` report: on a government's portal the government's
    /// (no unit, a place or a government named, and not published by a configured department);
    /// on a department's site any report not of another configured department.
    fn own_report(
        &self,
        c: &Candidate<'_>,
        year: i32,
        government: bool,
        depts: &[Vec<String>],
    ) -> bool {
        if !self.is_report(&c.text, year) {
            return false;
        }
        let of_dept = depts.iter().any(|d| self.departments_report(c, year, d));
        if !government {
            return !of_dept;
        }
        let unit_ok = self
            .named_unit(&c.text, year)
            .is_none_or(|u| self.government_unit(&u));
        unit_ok && !of_dept
    }
}

/// A place name alone (青岚县, 滕州市, 山东省).
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,8}?(?:省|市|县|区|自治州|自治县|旗|盟)$").expect("place regex")
});
/// A department's name after its leading place (民政局 in 青岚县民政局).
static PLACE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,6}?(?:省|市|县|区)(\p{Han}{3,})$").expect("place prefix regex")
});

impl Check for AnnualReport {
    fn reads_every_page(&self) -> bool {
        true
    }

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
        // Only texts that may name a report are kept (every use below asks `is_report` first):
        // a site's titles, list items and anchors are not held all at once.
        let may = self.report_filter();
        let mut searched = 0;
        let mut cands: Vec<Candidate<'_>> = Vec::new();
        for &i in &sm.crawled {
            let m = sm.model(i);
            let publisher = || {
                sm.field(i, gongkai_page::Field::Publisher)
                    .map(|p| cx.ctx.canonical_department(p))
            };
            for text in [Cow::Owned(sm.title(i)), Cow::Borrowed(m.title.as_str())] {
                searched += 1;
                if may(&text) {
                    cands.push(Candidate {
                        text,
                        publisher: publisher(),
                    });
                }
            }
            if let Some(c) = &m.column {
                searched += c.items.len();
                cands.extend(
                    c.items
                        .iter()
                        .filter(|it| may(&it.title))
                        .map(|it| Candidate {
                            text: Cow::Borrowed(it.title.as_str()),
                            publisher: None,
                        }),
                );
            }
        }
        // Counted as ever: each crawled page's link anchors, then every link's anchor again.
        searched += sm
            .crawled
            .iter()
            .map(|&i| sm.links_of(i).count())
            .sum::<usize>()
            + sm.link_count();
        cands.extend(
            sm.distinct_anchors()
                .into_iter()
                .filter(|a| may(a))
                .map(|a| Candidate {
                    text: Cow::Borrowed(a),
                    publisher: None,
                }),
        );
        let earlier: Vec<i32> = (year - 5..year)
            .filter(|y| cands.iter().any(|c| self.is_report(&c.text, *y)))
            .collect();
        let government = self.names_government(site_name)
            || cands.iter().any(|c| {
                earlier
                    .iter()
                    .any(|y| self.is_report(&c.text, *y) && self.governments_report(&c.text, *y))
            });
        let mut depts: Vec<String> = cx
            .ctx
            .owners
            .iter()
            .map(|o| cx.ctx.canonical_department(&o.department))
            .filter(|d| !d.is_empty() && !self.names_government(d))
            .collect();
        depts.sort();
        depts.dedup();
        // Each department with the aliases the config maps to it (县发改委 → 青岚县发展和改革委员会).
        let depts: Vec<Vec<String>> = depts
            .into_iter()
            .map(|d| {
                let mut names = vec![d.clone()];
                names.extend(
                    cx.ctx
                        .aliases
                        .iter()
                        .filter(|(_, c)| c.trim() == d)
                        .map(|(a, _)| a.clone()),
                );
                names
            })
            .collect();
        let col = self.report_column(sm, &cx.ctx.owners);
        let site = Unit {
            name: None,
            government,
            url_prefix: None,
        };
        if !cands
            .iter()
            .any(|c| self.own_report(c, year, government, &depts))
        {
            self.emit_missing(cx, &site, col, home, (site_name.trim(), &earlier, searched));
        }
        for names in &depts {
            if cands
                .iter()
                .any(|c| self.departments_report(c, year, names))
            {
                continue;
            }
            let d = &names[0];
            let url_prefix = cx
                .ctx
                .owners
                .iter()
                .filter(|o| cx.ctx.canonical_department(&o.department) == *d)
                .find_map(|o| o.url_prefix.clone());
            let unit = Unit {
                name: Some(d.clone()),
                government: false,
                url_prefix,
            };
            self.emit_missing(cx, &unit, col, home, (site_name.trim(), &earlier, searched));
        }
    }
}

/// Whose report is looked for: the site's own (`name` None) or a configured department's.
struct Unit {
    name: Option<String>,
    government: bool,
    url_prefix: Option<String>,
}

/// The crawled annual-report column, or `Err(())` when one is linked but was not crawled (the
/// crawl could not look inside: nothing is judged).
type ReportColumn = Result<Option<usize>, ()>;

impl AnnualReport {
    fn is_col(&self, s: &str) -> bool {
        let s = compact(s);
        !s.is_empty()
            && s.chars().count() <= 20
            && self
                .p
                .column_names
                .iter()
                .any(|c| s.contains(compact(c).as_str()))
    }

    /// The site's own report column: a crawled one outside every configured department's URL
    /// prefix when there is one (a department subsite has its own).
    fn report_column(
        &self,
        sm: &crate::sitemodel::SiteModel<'_>,
        owners: &[crate::OwnerRule],
    ) -> ReportColumn {
        let cols: Vec<usize> = (0..sm.columns.len())
            .filter(|&k| self.is_col(&sm.columns[k].name))
            .collect();
        let outside = |k: &usize| {
            let url = &sm.page(sm.columns[*k].pages[0]).url;
            !owners
                .iter()
                .filter_map(|o| o.url_prefix.as_deref())
                .any(|pre| !pre.is_empty() && url.starts_with(pre))
        };
        let crawled = cols
            .iter()
            .copied()
            .find(outside)
            .or_else(|| cols.first().copied());
        let linked = sm.distinct_anchors().iter().any(|a| self.is_col(a));
        if crawled.is_none() && linked {
            return Err(());
        }
        Ok(crawled)
    }

    /// Emits the missing report of `unit` once its deadline has passed: on the unit's own
    /// report column (a department's under its URL prefix), else the site's, else the root.
    fn emit_missing(
        &self,
        cx: &mut RuleCx<'_>,
        unit: &Unit,
        col: ReportColumn,
        home: usize,
        (site_name, earlier, searched): (&str, &[i32], usize),
    ) {
        let sm = cx.site;
        let as_of = cx.as_of();
        let year = as_of.year() - 1;
        let (month, day) = if unit.government {
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
        let Ok(site_col) = col else { return };
        if as_of <= deadline {
            return;
        }
        let own_col = unit.url_prefix.as_deref().and_then(|pre| {
            sm.columns
                .iter()
                .find(|c| self.is_col(&c.name) && sm.page(c.pages[0]).url.starts_with(pre))
        });
        let column = own_col.or_else(|| site_col.map(|k| &sm.columns[k]));
        let (url, fetch) = match column {
            Some(c) => (
                sm.page(c.pages[0]).url.to_string(),
                sm.page(c.pages[0]).fetch_id,
            ),
            None => (sm.root.clone(), sm.page(home).fetch_id),
        };
        let who = unit.name.clone().unwrap_or_default();
        let msg = format!(
            "截至{as_of}，网站未发布{who}{year}年度政府信息公开工作年度报告（应于{deadline}前发布）"
        );
        let level = match (&unit.name, unit.government) {
            (Some(_), _) => "configured-department",
            (None, true) => "government",
            (None, false) => "department",
        };
        let ev = json!({
            "year": year,
            "deadline": deadline.to_string(),
            "site_name": site_name,
            "unit": unit.name,
            "level": level,
            "as_of": as_of.to_string(),
            "annual_report_column": column.map(|c| c.name.clone()),
            "earlier_years_found": earlier,
            "texts_searched": searched,
        });
        let dept = match &unit.name {
            Some(d) => d.clone(),
            None => cx.dept_for(
                &url,
                &column.map(|c| vec![c.name.clone()]).unwrap_or_default(),
            ),
        };
        cx.emit(
            Emit::new(&url, dept, msg, ev)
                .target(format!("{who}{year}年度政府信息公开工作年度报告"))
                .subject(match &unit.name {
                    None => vec![sm.root.clone(), year.to_string()],
                    Some(d) => vec![sm.root.clone(), year.to_string(), d.clone()],
                })
                .fetch(fetch),
        );
    }
}

#[cfg(test)]
#[path = "annual_report_tests.rs"]
mod tests;
