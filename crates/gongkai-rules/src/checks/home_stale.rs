//! `home-stale`: the home page's newest dated item is older than `max_days`.
//!
//! How: on each home page, the dates of its list items (`column.items[].date`) and the dates
//! printed in its text are collected; dates after the as-of date are ignored (event notices,
//! deadlines). When the newest is more than `max_days` (default 14) days before the as-of date it
//! fires. A home page without any date is left alone (lists loaded by script are not seen; the
//! scorecard reports it as not observed).
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::text::find_dates;
use gongkai_page::parse_date;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "首页超过2周未更新";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub max_days: i64,
}

impl Default for Params {
    fn default() -> Self {
        Params { max_days: 14 }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(1..=365).contains(&self.max_days) {
            return Err(bad("max_days", "must be between 1 and 365"));
        }
        Ok(())
    }
}

pub struct HomeStale {
    p: Params,
}
crate::check_glue!(HomeStale);

impl Check for HomeStale {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let as_of = cx.as_of();
        for &i in &sm.crawled {
            if !sm.is_home(i) {
                continue;
            }
            let m = sm.model(i);
            let items = m
                .column
                .iter()
                .flat_map(|c| &c.items)
                .filter_map(|it| it.date.as_deref().and_then(parse_date));
            let text = find_dates(&sm.text(i)).into_iter().map(|(_, d)| d);
            let Some(newest) = items.chain(text).filter(|d| *d <= as_of).max() else {
                continue;
            };
            let age = (as_of - newest).num_days();
            if age <= self.p.max_days {
                continue;
            }
            let msg = format!(
                "首页最新一条带日期的信息为{newest}，至{as_of}已{age}天未更新，超过{}天（2周）",
                self.p.max_days
            );
            let ev =
                json!({"newest": newest.to_string(), "days": age, "limit_days": self.p.max_days});
            let p = sm.page(i);
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    fn s(text: &str) -> crate::Site {
        site(vec![page(ROOT, home(text))])
    }

    #[test]
    fn fires_after_two_weeks() {
        let f = run(
            "home.stale",
            &s("要闻 市政府召开常务会议 2022-06-10 政策解读 2022年6月1日"),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["newest"], "2022-06-10");
        assert_eq!(f[0].evidence["days"], 21);
    }

    #[test]
    fn traps_recent_item_future_notice_and_no_dates() {
        assert!(run(
            "home.stale",
            &s("要闻 2022-06-17 旧闻 2021-01-01"),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        // A future date (a deadline) does not make the page fresh, but a recent item does.
        let f = run(
            "home.stale",
            &s("报名截止2022-08-01 要闻 2022-05-01"),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f.len(), 1);
        assert!(run("home.stale", &s("欢迎访问"), &ctx(2022, 7, 1)).is_empty());
        let mut h = column(
            "首页",
            &[(
                "要闻",
                "http://www.tengzhou.gov.cn/a.html",
                Some("2022-06-30"),
            )],
        );
        h.kind = gongkai_page::PageKind::Home;
        assert!(run("home.stale", &site(vec![page(ROOT, h)]), &ctx(2022, 7, 1)).is_empty());
    }
}
