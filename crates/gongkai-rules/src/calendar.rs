//! The official working-day calendar: weekends and public holidays with the 调休 working weekend
//! days of the State Council's yearly holiday arrangements, shipped as data
//! (`data/calendar.toml`) for 2018 onward. Working-day deadlines of the regulations (条例 Art. 26:
//! 20 working days; letters offices' 15 working days) are counted on it.
//!
//! Years without data fall back to Mon–Fri minus the fixed statutory dates (元旦, 劳动节, 国庆);
//! counts touching such a year are flagged [`WorkingDays::estimated`], because the lunar holidays
//! and the 调休 days of that year are unknown.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

const DATA: &str = include_str!("../data/calendar.toml");

/// A count of working days and whether it relied on the fallback for a year without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDays {
    pub days: i64,
    pub estimated: bool,
}

/// The calendar: per date, whether it is off or a working weekend day, and which years are known.
#[derive(Debug, Default)]
pub struct Calendar {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
    /// Year → the notice it comes from.
    years: BTreeMap<i32, String>,
}

static OFFICIAL: LazyLock<Calendar> =
    LazyLock::new(|| Calendar::parse(DATA).expect("bundled calendar.toml is valid"));

/// The shipped official calendar.
pub fn official() -> &'static Calendar {
    &OFFICIAL
}

/// Working days in (from, to] on the official calendar (0 when `to <= from`).
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> WorkingDays {
    official().working_days_between(from, to)
}

impl Calendar {
    /// Parses the TOML data: tables `[yYYYY]` with `source`, `off` and `work` lists of
    /// "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD".
    pub fn parse(text: &str) -> Result<Calendar, String> {
        let t: toml::Table = text.parse().map_err(|e| format!("calendar.toml: {e}"))?;
        let mut cal = Calendar::default();
        for (key, v) in &t {
            let year: i32 = key
                .strip_prefix('y')
                .and_then(|y| y.parse().ok())
                .ok_or_else(|| format!("calendar.toml: bad table name {key}"))?;
            let tab = v
                .as_table()
                .ok_or_else(|| format!("calendar.toml: {key} is not a table"))?;
            let source = tab.get("source").and_then(|s| s.as_str()).unwrap_or("");
            cal.years.insert(year, source.to_string());
            for (list, set) in [("off", &mut cal.off), ("work", &mut cal.work)] {
                for item in tab
                    .get(list)
                    .and_then(|a| a.as_array())
                    .into_iter()
                    .flatten()
                {
                    let s = item
                        .as_str()
                        .ok_or_else(|| format!("calendar.toml: {key}.{list}: not a string"))?;
                    for d in expand(s).ok_or_else(|| format!("calendar.toml: {key}: bad {s}"))? {
                        set.insert(d);
                    }
                }
            }
        }
        if let Some(d) = cal.off.intersection(&cal.work).next() {
            return Err(format!("calendar.toml: {d} is both off and work"));
        }
        Ok(cal)
    }

    /// Whether the year's arrangement is in the data.
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The notice a year's arrangement comes from.
    pub fn source(&self, year: i32) -> Option<&str> {
        self.years.get(&year).map(|s| s.as_str())
    }

    /// Whether `d` is a working day (official data, else the fallback).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.work.contains(&d) {
            return true;
        }
        if self.off.contains(&d) {
            return false;
        }
        if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        self.has_year(d.year()) || !statutory_fixed(d)
    }

    /// Working days in (from, to]. Spans are capped at 40 years to bound the work.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> WorkingDays {
        let mut out = WorkingDays {
            days: 0,
            estimated: false,
        };
        if to <= from {
            return out;
        }
        let to = to.min(from + chrono::Duration::days(366 * 40));
        let mut d = from;
        while let Some(n) = d.checked_add_days(Days::new(1)) {
            if n > to {
                break;
            }
            d = n;
            if !self.has_year(d.year()) {
                out.estimated = true;
            }
            if self.is_working_day(d) {
                out.days += 1;
            }
        }
        out
    }

    /// The date `n` working days after `from` (the deadline of an n-working-day term), and
    /// whether it was estimated.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> (NaiveDate, bool) {
        let (mut d, mut left, mut est) = (from, n, false);
        while left > 0 {
            let Some(next) = d.checked_add_days(Days::new(1)) else {
                break;
            };
            d = next;
            est |= !self.has_year(d.year());
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        (d, est)
    }
}

/// The fixed-date statutory holidays (全国年节及纪念日放假办法, 2025 revision): 1-1, 5-1, 5-2,
/// 10-1..10-3. The lunar holidays cannot be placed without the year's arrangement.
fn statutory_fixed(d: NaiveDate) -> bool {
    matches!((d.month(), d.day()), (1, 1) | (5, 1 | 2) | (10, 1..=3))
}

fn expand(s: &str) -> Option<Vec<NaiveDate>> {
    let p = |x: &str| NaiveDate::parse_from_str(x.trim(), "%Y-%m-%d").ok();
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (p(a)?, p(b)?),
        None => (p(s)?, p(s)?),
    };
    if b < a || (b - a).num_days() > 31 {
        return None;
    }
    Some(a.iter_days().take_while(|d| *d <= b).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn w(a: NaiveDate, b: NaiveDate) -> i64 {
        let r = working_days_between(a, b);
        assert!(!r.estimated);
        r.days
    }

    #[test]
    fn every_year_2018_to_2026_is_known() {
        for y in 2018..=2026 {
            assert!(official().has_year(y), "{y}");
            assert!(official()
                .source(y)
                .is_some_and(|s| s.contains("国办发明电")));
        }
    }

    #[test]
    fn guoqing_2022_off_and_makeup_days() {
        let c = official();
        for day in 1..=7 {
            assert!(!c.is_working_day(d(2022, 10, day)), "10-{day}");
        }
        // 10-08 (Sat) and 10-09 (Sun) were worked.
        assert!(c.is_working_day(d(2022, 10, 8)));
        assert!(c.is_working_day(d(2022, 10, 9)));
        // (09-30, 10-10]: 10-08, 10-09, 10-10.
        assert_eq!(w(d(2022, 9, 30), d(2022, 10, 10)), 3);
    }

    #[test]
    fn chunjie_2020_extended_to_feb_2() {
        let c = official();
        assert!(!c.is_working_day(d(2020, 1, 31)));
        // 2-1 was a makeup Saturday before the extension; it was cancelled.
        assert!(!c.is_working_day(d(2020, 2, 1)));
        assert!(!c.is_working_day(d(2020, 2, 2)));
        assert!(c.is_working_day(d(2020, 2, 3)));
        assert!(c.is_working_day(d(2020, 1, 19)));
    }

    #[test]
    fn spot_checks_across_years() {
        let c = official();
        // 2019 劳动节 5-1..5-4, 4-28 and 5-5 worked.
        assert!(!c.is_working_day(d(2019, 5, 2)));
        assert!(c.is_working_day(d(2019, 5, 5)));
        // 2023 中秋国庆 9-29..10-6, 10-7 and 10-8 worked.
        assert!(!c.is_working_day(d(2023, 9, 29)));
        assert!(c.is_working_day(d(2023, 10, 7)));
        // 2024 春节 2-10..2-17, 2-4 and 2-18 (Sundays) worked.
        assert!(c.is_working_day(d(2024, 2, 4)));
        assert!(!c.is_working_day(d(2024, 2, 16)));
        assert!(c.is_working_day(d(2024, 2, 18)));
        // 2025 春节 1-28..2-4 (除夕 off), 1-26 and 2-8 worked.
        assert!(!c.is_working_day(d(2025, 1, 28)));
        assert!(c.is_working_day(d(2025, 2, 8)));
        // 2026 春节 2-15..2-23, 2-14 and 2-28 worked; 元旦 1-4 (Sun) worked.
        assert!(!c.is_working_day(d(2026, 2, 23)));
        assert!(c.is_working_day(d(2026, 2, 28)));
        assert!(c.is_working_day(d(2026, 1, 4)));
        // An ordinary Saturday is off, an ordinary Tuesday worked.
        assert!(!c.is_working_day(d(2021, 3, 6)));
        assert!(c.is_working_day(d(2021, 3, 9)));
    }

    /// Per year, days named in the State Council's notice: days off of 春节, 国庆 and the other
    /// holidays, and every 调休 working weekend day of the year. The tables were checked against
    /// the published texts of the notices for 2018–2026 and of the 2019 劳动节 adjustment
    /// (国办发明电〔2019〕3号) and the 2020 春节 extension.
    #[test]
    fn each_year_matches_its_notice() {
        use chrono::Datelike;
        // (year, days off, 调休 working weekend days)
        /// (month, day) pairs of one notice.
        type Days = &'static [(u32, u32)];
        let notices: &[(i32, Days, Days)] = &[
            (
                2018,
                &[
                    (2, 15),
                    (2, 21),
                    (4, 5),
                    (4, 30),
                    (6, 18),
                    (9, 24),
                    (10, 1),
                    (10, 5),
                ],
                &[
                    (2, 11),
                    (2, 24),
                    (4, 8),
                    (4, 28),
                    (9, 29),
                    (9, 30),
                    (12, 29),
                ],
            ),
            (
                2019,
                &[
                    (2, 4),
                    (2, 8),
                    (4, 5),
                    (5, 2),
                    (5, 3),
                    (6, 7),
                    (9, 13),
                    (10, 7),
                ],
                &[(2, 2), (2, 3), (4, 28), (5, 5), (9, 29), (10, 12)],
            ),
            (
                2020,
                &[(1, 24), (1, 31), (4, 6), (5, 4), (5, 5), (6, 26), (10, 8)],
                &[(1, 19), (4, 26), (5, 9), (6, 28), (9, 27), (10, 10)],
            ),
            (
                2021,
                &[(2, 11), (2, 17), (4, 5), (5, 4), (6, 14), (9, 20), (10, 7)],
                &[(2, 7), (2, 20), (4, 25), (5, 8), (9, 18), (9, 26), (10, 9)],
            ),
            (
                2022,
                &[
                    (1, 3),
                    (1, 31),
                    (2, 4),
                    (4, 4),
                    (5, 4),
                    (6, 3),
                    (9, 12),
                    (10, 7),
                ],
                &[(1, 29), (1, 30), (4, 2), (4, 24), (5, 7), (10, 8), (10, 9)],
            ),
            (
                2023,
                &[(1, 2), (1, 27), (4, 5), (5, 3), (6, 23), (9, 29), (10, 6)],
                &[(1, 28), (1, 29), (4, 23), (5, 6), (6, 25), (10, 7), (10, 8)],
            ),
            (
                2024,
                &[
                    (1, 1),
                    (2, 12),
                    (2, 16),
                    (4, 5),
                    (5, 3),
                    (6, 10),
                    (9, 16),
                    (10, 7),
                ],
                &[
                    (2, 4),
                    (2, 18),
                    (4, 7),
                    (4, 28),
                    (5, 11),
                    (9, 14),
                    (9, 29),
                    (10, 12),
                ],
            ),
            (
                2025,
                &[(1, 1), (1, 28), (2, 4), (4, 4), (5, 5), (6, 2), (10, 8)],
                &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
            ),
            (
                2026,
                &[
                    (1, 2),
                    (2, 16),
                    (2, 23),
                    (4, 6),
                    (5, 5),
                    (6, 19),
                    (9, 25),
                    (10, 7),
                ],
                &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
            ),
        ];
        let c = official();
        for (y, off, work) in notices {
            for (m, dd) in *off {
                assert!(
                    !c.is_working_day(d(*y, *m, *dd)),
                    "{y}-{m}-{dd} is a day off"
                );
            }
            for (m, dd) in *work {
                let day = d(*y, *m, *dd);
                assert!(
                    day.weekday().number_from_monday() >= 6,
                    "{day} is a weekend day"
                );
                assert!(c.is_working_day(day), "{day} was worked (调休)");
            }
        }
    }

    #[test]
    fn counts_over_whole_months() {
        // October 2022: 31 days, 10 weekend days + 5 holiday weekdays (10-3..10-7) off, 2 makeup
        // weekend days worked → 31 - 10 - 5 + 2 = 18.
        assert_eq!(w(d(2022, 9, 30), d(2022, 10, 31)), 18);
        // February 2021: 20 weekdays, 5 of them in 春节 (2-11,12,15,16,17), plus 2-7 and 2-20.
        assert_eq!(w(d(2021, 1, 31), d(2021, 2, 28)), 17);
        // The start day does not count; an empty or reversed span is 0.
        assert_eq!(w(d(2022, 6, 6), d(2022, 6, 7)), 1);
        assert_eq!(w(d(2022, 6, 7), d(2022, 6, 7)), 0);
        assert_eq!(w(d(2022, 6, 8), d(2022, 6, 7)), 0);
    }

    #[test]
    fn add_working_days_across_guoqing() {
        // 20 working days from 2022-09-20: 9-21..9-30 (8), 10-8..10-10 (3), 10-11..10-21 (9).
        let (due, est) = official().add_working_days(d(2022, 9, 20), 20);
        assert!(!est);
        assert_eq!(due, d(2022, 10, 21));
        assert_eq!(w(d(2022, 9, 20), due), 20);
    }

    #[test]
    fn unknown_years_fall_back_and_are_flagged() {
        let r = working_days_between(d(2030, 9, 30), d(2030, 10, 7));
        assert!(r.estimated);
        // 2030-10-01..10-03 (Tue–Thu) statutory; 10-04 Fri and 10-07 Mon worked.
        assert_eq!(r.days, 2);
        assert!(working_days_between(d(2017, 12, 29), d(2018, 1, 3)).estimated);
    }

    #[test]
    fn bad_data_is_refused() {
        assert!(Calendar::parse("[y2020]\noff=[\"2020-13-01\"]").is_err());
        assert!(Calendar::parse("[y2020]\noff=[\"2020-01-01\"]\nwork=[\"2020-01-01\"]").is_err());
        assert!(Calendar::parse("[x]\noff=[]").is_err());
    }
}
