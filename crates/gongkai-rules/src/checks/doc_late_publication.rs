//! `doc-late-publication`: a government-information document published more than N working days
//! after it was formed.
//!
//! How: an information-disclosure page (a metadata block) printing both a 成文日期 and a
//! 发布日期 where the working days in (成文日期, 发布日期] — official calendar with 调休 days, see
//! [`crate::calendar`] — exceed `max_working_days` (default 20). The starting day does not count.
//! Gaps longer than `archive_days` calendar days are left alone: they are old files moved onto a
//! new platform (a 2009 document "published" in 2021), not late publication.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::calendar;
use crate::check::{bad, Check, Emit, ParamError, RuleCx};

use gongkai_page::parse_date;
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "发布日期晚于成文日期超过20个工作日的政府信息";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub max_working_days: u32,
    /// Calendar-day gaps above this are archive migrations, not judged.
    pub archive_days: i64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_working_days: 20,
            archive_days: 730,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(1..=365).contains(&self.max_working_days) {
            return Err(bad("max_working_days", "must be between 1 and 365"));
        }
        if self.archive_days < 31 {
            return Err(bad("archive_days", "must be at least 31"));
        }
        Ok(())
    }
}

pub struct DocLatePublication {
    p: Params,
}
crate::check_glue!(DocLatePublication);

impl Check for DocLatePublication {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.crawled {
            if !sm.is_info_disclosure(i) {
                continue;
            }
            let m = sm.model(i);
            let (Some(written), Some(published)) = (
                m.metadata.value(Field::WrittenDate).and_then(parse_date),
                m.metadata.value(Field::PublishDate).and_then(parse_date),
            ) else {
                continue;
            };
            let gap = (published - written).num_days();
            if gap <= 0 || gap > self.p.archive_days {
                continue;
            }
            let wd = calendar::working_days_between(written, published);
            if wd.days <= i64::from(self.p.max_working_days) {
                continue;
            }
            let (due, _) = calendar::official().add_working_days(written, self.p.max_working_days);
            let title = sm.title(i);
            let msg = format!(
                "《{}》成文日期为{}，发布日期为{}，相隔{}个工作日{}，超过“形成之日起{}个工作日内公开”的时限（应于{}前公开）",
                crate::text::clip(&title, 60),
                written,
                published,
                wd.days,
                if wd.estimated { "（含无官方放假安排的年份，按估算）" } else { "" },
                self.p.max_working_days,
                due
            );
            let ev = json!({
                "title": title,
                "written_date": written.to_string(),
                "publish_date": published.to_string(),
                "working_days": wd.days,
                "calendar_days": gap,
                "estimated": wd.estimated,
                "limit": self.p.max_working_days,
                "due": due.to_string(),
            });
            let p = sm.page(i);
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::Field;

    fn s(written: &str, published: &str) -> crate::Site {
        let m = with_fields(
            article("滕州市关于XX工作的通知", "正文"),
            &[
                (Field::WrittenDate, written),
                (Field::PublishDate, published),
            ],
        );
        site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)])
    }

    fn late(w: &str, p: &str) -> Vec<crate::Finding> {
        run("doc.late-publication", &s(w, p), &ctx(2023, 1, 1))
    }

    #[test]
    fn fires_past_twenty_working_days() {
        let f = late("2022-09-01", "2022-10-20");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["working_days"], 31);
        assert_eq!(f[0].evidence["estimated"], false);
        // 21 working days: 2022-09-20 → 10-24.
        let f = late("2022年9月20日", "2022年10月24日");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["due"], "2022-10-21");
    }

    #[test]
    fn traps_within_twenty_across_guoqing_and_chunjie() {
        // 29 calendar days but exactly 20 working days (国庆 off, 10-08/10-09 worked).
        assert!(late("2022-09-20", "2022-10-21").is_empty());
        // 2023 春节 1-21..1-27 off, 1-28/1-29 worked: (01-10, 02-10] is 20 working days.
        assert!(late("2023-01-10", "2023-02-10").is_empty());
        assert_eq!(late("2023-01-10", "2023-02-13").len(), 1);
    }

    #[test]
    fn silent_without_both_dates_reversed_or_archive() {
        assert!(late("2022-10-20", "2022-09-01").is_empty());
        assert!(late("无", "2022-10-20").is_empty());
        assert!(late("2009-03-01", "2021-06-01").is_empty());
        let m = with_fields(
            article("滕州市关于XX工作的通知", "正文"),
            &[
                (Field::PublishDate, "2022-10-20"),
                (Field::Publisher, "市政府办公室"),
            ],
        );
        let st = site(vec![page(ROOT, home("")), page(&u("g/t2.html"), m)]);
        assert!(run("doc.late-publication", &st, &ctx(2023, 1, 1)).is_empty());
    }
}
