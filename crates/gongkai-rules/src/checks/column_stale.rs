//! `column-stale`: a column whose newest item is older than its update cycle.
//!
//! How: for each column (all its pagination pages), the newest item date (the maximum over every
//! dated item seen; future dates ignored) is compared with the cycle of the first `cycles` entry
//! whose keywords occur in the column name (and none of whose `exclude` words do). "Older than
//! the cycle" means `as_of - newest > days`: a column whose newest item is exactly `days` days old
//! is on the boundary and does NOT fire. Columns without a matching cycle, and columns with no
//! dated item (the crawl cannot tell), are not judged.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::text::compact;
use gongkai_page::dates::parse_date;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "栏目最新信息超过更新周期未更新";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    /// The column name contains one of these.
    pub keywords: Vec<String>,
    /// ... and none of these.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Allowed age of the newest item, in days.
    pub days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// First match wins.
    pub cycles: Vec<Cycle>,
}

impl Default for Params {
    fn default() -> Self {
        let c = |k: &[&str], x: &[&str], days| Cycle {
            keywords: k.iter().map(|s| s.to_string()).collect(),
            exclude: x.iter().map(|s| s.to_string()).collect(),
            days,
        };
        Params {
            cycles: vec![
                c(&["动态", "要闻", "新闻"], &["发布会", "新闻发布"], 14),
                c(
                    &["通知公告", "公告", "政策文件", "规范性文件", "政策解读"],
                    &[],
                    183,
                ),
                c(
                    &[
                        "规划",
                        "计划",
                        "人事",
                        "领导信息",
                        "机构职能",
                        "财政预决算",
                        "预决算",
                        "统计",
                    ],
                    &["年报", "年度报告"],
                    365,
                ),
            ],
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        for (i, c) in self.cycles.iter().enumerate() {
            if c.days <= 0 {
                return Err(bad(&format!("cycles.{i}.days"), "must be positive"));
            }
            if c.keywords.iter().all(|k| k.trim().is_empty()) {
                return Err(bad(&format!("cycles.{i}.keywords"), "at least one keyword"));
            }
        }
        Ok(())
    }
}

pub struct ColumnStale {
    p: Params,
}
crate::check_glue!(ColumnStale);

impl ColumnStale {
    fn cycle(&self, name: &str) -> Option<&Cycle> {
        let n = compact(name);
        self.p.cycles.iter().find(|c| {
            c.keywords
                .iter()
                .any(|k| !k.is_empty() && n.contains(compact(k).as_str()))
                && !c
                    .exclude
                    .iter()
                    .any(|x| !x.is_empty() && n.contains(compact(x).as_str()))
        })
    }
}

impl Check for ColumnStale {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        let Some(col) = sm.columns.iter().find(|c| c.pages.contains(&i)) else {
            return Some(Applies::NotJudged("不是栏目列表页".into()));
        };
        Some(match self.cycle(&col.name) {
            Some(c) => Applies::Judged(format!(
                "栏目“{}”：更新周期{}天，按其最新条目日期判断",
                col.name, c.days
            )),
            None => Applies::NotJudged(format!(
                "栏目“{}”不属于任何规定了更新周期的栏目类别",
                col.name
            )),
        })
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let as_of = cx.as_of();
        for col in &sm.columns {
            let Some(cycle) = self.cycle(&col.name) else {
                continue;
            };
            let mut dated = 0usize;
            let mut total = 0usize;
            let mut newest = None;
            for &i in &col.pages {
                for item in &sm.model(i).column.as_ref().expect("column").items {
                    total += 1;
                    if let Some(d) = item.date.as_deref().and_then(parse_date) {
                        dated += 1;
                        if d <= as_of && newest.as_ref().is_none_or(|(n, _)| d > *n) {
                            newest = Some((d, item.title.clone()));
                        }
                    }
                }
            }
            let Some((newest, newest_title)) = newest else {
                continue;
            };
            let days = (as_of - newest).num_days();
            if days <= cycle.days {
                continue;
            }
            let first = col.pages[0];
            let p = sm.page(first);
            let msg = format!(
                "栏目“{}”最新信息发布于{}，距今{}天未更新，超过{}天的更新周期",
                col.name, newest, days, cycle.days
            );
            let ev = json!({
                "column": col.name,
                "newest_date": newest.to_string(),
                "newest_title": newest_title,
                "as_of": as_of.to_string(),
                "days_since": days,
                "cycle_days": cycle.days,
                "items_seen": total,
                "dated_items": dated,
                "pages": col.pages.iter().map(|&i| sm.page(i).url.clone()).collect::<Vec<_>>(),
            });
            let dept = cx.dept_for(&p.final_url, std::slice::from_ref(&col.name));
            cx.emit(
                Emit::new(&p.url, dept, msg, ev)
                    .target(col.name.clone())
                    .subject(vec![p.url.to_string()])
                    .fetch(p.fetch_id),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    fn s(name: &str, dates: &[&str]) -> crate::Site {
        let items: Vec<(String, String)> = dates
            .iter()
            .enumerate()
            .map(|(i, _)| (format!("信息{i}"), u(&format!("x/t{i}.html"))))
            .collect();
        let cols: Vec<(&str, &str, Option<&str>)> = items
            .iter()
            .zip(dates)
            .map(|((t, l), d)| (t.as_str(), l.as_str(), Some(*d)))
            .collect();
        site(vec![
            page(ROOT, home("")),
            page(&u("x/index.html"), column(name, &cols)),
        ])
    }

    #[test]
    fn boundary_does_not_fire() {
        // 2022-06-01 + 14 days = 2022-06-15.
        assert!(run(
            "column.stale",
            &s("部门动态", &["2022-06-01", "2022-05-01"]),
            &ctx(2022, 6, 15)
        )
        .is_empty());
        let f = run(
            "column.stale",
            &s("部门动态", &["2022-06-01", "2022-05-01"]),
            &ctx(2022, 6, 16),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["days_since"], 15);
        assert_eq!(f[0].evidence["cycle_days"], 14);
        assert!(f[0].message.contains("15天"));
    }

    #[test]
    fn cycles_by_name() {
        assert!(run(
            "column.stale",
            &s("通知公告", &["2022-01-01"]),
            &ctx(2022, 7, 3)
        )
        .is_empty());
        assert_eq!(
            run(
                "column.stale",
                &s("通知公告", &["2022-01-01"]),
                &ctx(2022, 7, 4)
            )
            .len(),
            1
        );
        assert!(run(
            "column.stale",
            &s("人事信息", &["2021-07-01"]),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        assert_eq!(
            run(
                "column.stale",
                &s("人事信息", &["2021-07-01"]),
                &ctx(2022, 7, 2)
            )
            .len(),
            1
        );
        // No cycle configured, news conferences excluded, undated columns not judged.
        assert!(run(
            "column.stale",
            &s("便民服务", &["2010-01-01"]),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        // Yearly: 机构职能, 财政预决算; the 年报 column is left to annual-report.missing.
        assert_eq!(
            run(
                "column.stale",
                &s("机构职能", &["2021-06-30"]),
                &ctx(2022, 7, 1)
            )
            .len(),
            1
        );
        assert_eq!(
            run(
                "column.stale",
                &s("财政预决算", &["2021-06-30"]),
                &ctx(2022, 7, 1)
            )
            .len(),
            1
        );
        assert!(run(
            "column.stale",
            &s("政府信息公开年报", &["2021-01-20"]),
            &ctx(2022, 3, 21)
        )
        .is_empty());
        assert!(run(
            "column.stale",
            &s("新闻发布会", &["2021-01-01"]),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        let mut und = s("部门动态", &[]);
        und.pages[1]
            .model
            .as_mut()
            .unwrap()
            .column
            .as_mut()
            .unwrap()
            .items
            .push(gongkai_page::ColumnItem {
                title: "x".into(),
                url: None,
                date: None,
            });
        assert!(run("column.stale", &und, &ctx(2022, 7, 1)).is_empty());
    }

    #[test]
    fn newest_over_all_pages() {
        let mut st = s("部门动态", &["2022-01-01"]);
        st.pages.push(page(
            &u("x/index_1.html"),
            column("部门动态", &[("新", &u("x/n.html"), Some("2022-06-10"))]),
        ));
        assert!(run("column.stale", &st, &ctx(2022, 6, 20)).is_empty());
    }

    /// A Hanweb column page and the batches it loads by POSTing one dataproxy.jsp (same URL,
    /// different bodies) are one column: judged once, at the column page, over every batch.
    #[test]
    fn hanweb_batches_belong_to_their_column() {
        let proxy = u("module/web/jpage/dataproxy.jsp");
        let mut col = column("部门动态", &[("甲", &u("art/a.html"), Some("2022-05-01"))]);
        col.follow = Box::new([gongkai_page::FollowRequest::HanwebDataProxy {
            endpoint: proxy.clone(),
            form: vec![("columnid".into(), "1".into())],
            perpage: 2,
            batch: 2,
        }]);
        let batch = |title: &str, date: &str, sha: &str| {
            let mut p = page(
                &proxy,
                column("部门动态", &[(title, &u(title), Some(date))]),
            );
            p.content_type = Some("text/xml;charset=UTF-8".into());
            p.body_sha256 = Some(sha.into());
            p
        };
        let st = site(vec![
            page(ROOT, home("")),
            page(&u("col/col1/index.html"), col),
            batch("甲", "2022-05-01", "aa"),
            batch("乙", "2022-04-01", "bb"),
        ]);
        let f = run("column.stale", &st, &ctx(2022, 6, 1));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].url, u("col/col1/index.html"));
        assert_eq!(f[0].evidence["items_seen"], 3);
        // The second batch's item is the newest: not stale.
        let st = site(vec![
            page(ROOT, home("")),
            page(&u("col/col1/index.html"), {
                let mut c = column("部门动态", &[("甲", &u("art/a.html"), Some("2022-05-01"))]);
                c.follow = Box::new([gongkai_page::FollowRequest::HanwebDataProxy {
                    endpoint: proxy.clone(),
                    form: Vec::new(),
                    perpage: 2,
                    batch: 2,
                }]);
                c
            }),
            batch("甲", "2022-05-01", "aa"),
            batch("丙", "2022-05-30", "cc"),
        ]);
        assert!(run("column.stale", &st, &ctx(2022, 6, 1)).is_empty());
    }
}
