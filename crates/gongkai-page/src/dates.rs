//! Date parsing for the shapes Chinese portals print: `2022-06-01`, `2022-6-1`, `2022年6月1日`,
//! `2022/6/1`, `2022.06.01`, `20220601`, optionally followed by a time, full-width digits, and
//! Chinese numerals (`二〇二二年六月一日`, as in 成文日期 of official documents).
//!
//! List pages often print only `06-01` or `[06-01]` under a year heading; [`parse_month_day`] and
//! [`resolve_month_day`] handle those, and [`date_from_url`] reads the date TRS and Hanweb put in
//! article URLs (used only as year context, never as a displayed date).
//!
//! Digits glued to other digits are not dates (`120220601999` is a number), and only years
//! 1949–2100 with real calendar days are accepted.

use crate::thread_regex::ThreadRegex;
use chrono::NaiveDate;
use regex::Regex;
use std::borrow::Cow;

/// Upper bound on dates returned by [`find_dates`].
const MAX_DATES: usize = 1000;

static FULL_DATE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(concat!(
        r"(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})",
        r"|(\d{4})/(\d{1,2})/(\d{1,2})",
        r"|(\d{4})\.(\d{1,2})\.(\d{1,2})",
        r"|(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})",
        r"|(\d{4})(\d{2})(\d{2})",
        r"|([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})",
    ))
    .expect("static regex")
});

static MONTH_DAY: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})|(\d{1,2})\s*月\s*(\d{1,2})\s*日")
        .expect("static regex")
});

static URL_DATE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"/t(\d{4})(\d{2})(\d{2})_\d+|/art/(\d{4})/(\d{1,2})/(\d{1,2})/|/(\d{4})(\d{2})/t\d")
        .expect("static regex")
});

static YEAR_HEADING: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"^\s*[\[【（(]?\s*((?:19|20)\d{2})\s*年?(?:度)?\s*[\]】）)]?\s*$")
        .expect("static regex")
});

/// Parses the first date found in `s` (surrounding text and a following time are ignored).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    scan(s, 1).into_iter().next()
}

/// All dates in `text`, in order (at most 1000).
pub fn find_dates(text: &str) -> Vec<NaiveDate> {
    scan(text, MAX_DATES)
}

/// Parses a month-day item date such as `06-01`, `[06-01]`, `6/1` or `6月1日` (the first found,
/// not part of a longer number). Returns (month, day) when they are in range.
pub fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let norm = normalize_digits(s);
    if !has_digit(&norm) {
        return None;
    }
    for c in MONTH_DAY.re().captures_iter(&norm) {
        let whole = c.get(0)?;
        if digit_glued(&norm, whole.start(), whole.end()) {
            continue;
        }
        let (m, d) = match (c.get(1), c.get(2)) {
            (Some(m), Some(d)) => (m.as_str(), d.as_str()),
            _ => (c.get(3)?.as_str(), c.get(4)?.as_str()),
        };
        let (m, d) = (m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some((m, d));
        }
    }
    None
}

/// Puts a month-day under a year (from a year heading or other context).
pub fn resolve_month_day((month, day): (u32, u32), year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A year heading such as `2022`, `2022年`, `【2022年度】`.
pub fn year_heading(s: &str) -> Option<i32> {
    if s.len() > 40 {
        return None;
    }
    let norm = normalize_digits(s);
    YEAR_HEADING
        .re()
        .captures(&norm)?
        .get(1)?
        .as_str()
        .parse()
        .ok()
}

/// The date embedded in a TRS (`/202206/t20220601_123.html`) or Hanweb
/// (`/art/2022/6/1/art_1_2.html`) article URL.
pub fn date_from_url(url: &str) -> Option<NaiveDate> {
    let c = URL_DATE.re().captures(url)?;
    if let (Some(y), Some(m), Some(d)) = (c.get(1), c.get(2), c.get(3)) {
        return ymd(y.as_str(), m.as_str(), d.as_str());
    }
    if let (Some(y), Some(m), Some(d)) = (c.get(4), c.get(5), c.get(6)) {
        return ymd(y.as_str(), m.as_str(), d.as_str());
    }
    if let (Some(y), Some(m)) = (c.get(7), c.get(8)) {
        return ymd(y.as_str(), m.as_str(), "1");
    }
    None
}

fn scan(text: &str, limit: usize) -> Vec<NaiveDate> {
    let norm = normalize_digits(text);
    let mut out = Vec::new();
    // Every shape has four digits or 年: most texts (titles, labels) have neither.
    if !has_digit(&norm) && !norm.contains('年') {
        return out;
    }
    // The commonest shape, a bare `2022-06-01`, is the whole text: it is FULL_DATE's first
    // alternative matching from the start to the end, the only match there can be.
    if let Some(found) = bare_iso_date(&norm) {
        out.extend(found.filter(|_| limit > 0));
        return out;
    }
    for c in FULL_DATE.re().captures_iter(&norm) {
        if out.len() >= limit {
            break;
        }
        let Some(whole) = c.get(0) else { continue };
        if digit_glued(&norm, whole.start(), whole.end()) {
            continue;
        }
        let date = if let Some(y) = c.get(16) {
            let (Some(m), Some(d)) = (c.get(17), c.get(18)) else {
                continue;
            };
            chinese_date(y.as_str(), m.as_str(), d.as_str())
        } else {
            (0..5)
                .find_map(|g| {
                    let base = 1 + g * 3;
                    match (c.get(base), c.get(base + 1), c.get(base + 2)) {
                        (Some(y), Some(m), Some(d)) => {
                            Some(ymd(y.as_str(), m.as_str(), d.as_str()))
                        }
                        _ => None,
                    }
                })
                .flatten()
        };
        if let Some(d) = date {
            out.push(d);
        }
    }
    out
}

/// `Some(date)` when the whole text is `YYYY-M-D` in ASCII digits (month and day one or two
/// digits), `Some(None)` when that date does not exist; None for any other text.
fn bare_iso_date(s: &str) -> Option<Option<NaiveDate>> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return None;
    }
    Some(ymd(y, m, d))
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    if !(1949..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
}

fn chinese_date(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let mut year = 0i32;
    for c in y.chars() {
        year = year * 10 + cn_digit(c)? as i32;
    }
    if !(1949..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, cn_small_number(m)?, cn_small_number(d)?)
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '○' | '零' | 'Ｏ' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// 一 .. 三十一 (十, 十二, 二十, 二十三, 三十一).
fn cn_small_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + cn_digit(*u)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', u] => Some(cn_digit(*t)? * 10 + cn_digit(*u)?),
        [u] => cn_digit(*u),
        _ => None,
    }
}

/// True when the match at `start..end` is glued to more digits on either side.
fn digit_glued(s: &str, start: usize, end: usize) -> bool {
    let before = s[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_digit());
    let after = s[end..].chars().next().is_some_and(|c| c.is_ascii_digit());
    before || after
}

/// Maps full-width digits and date punctuation to ASCII so one set of patterns covers both.
pub(crate) fn normalize_digits(s: &str) -> Cow<'_, str> {
    let mapped = |c: char| match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' | '—' | '–' => '-',
        '／' => '/',
        '．' => '.',
        _ => c,
    };
    // Most text has none of these: borrow it as is.
    if !has_mapped(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(mapped).collect())
}

/// Whether UTF-8 `b` holds a character [`normalize_digits`] maps: U+FF0D..=U+FF19 (full-width
/// －．／ and ０-９, `EF BC 8D..=99`) or U+2013 / U+2014 (`E2 80 93` / `E2 80 94`).
fn has_mapped(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(off) = memchr::memchr2(0xEF, 0xE2, &b[i..]) {
        let p = i + off;
        if matches!(
            (b[p], b.get(p + 1), b.get(p + 2)),
            (0xEF, Some(0xBC), Some(0x8D..=0x99)) | (0xE2, Some(0x80), Some(0x93 | 0x94))
        ) {
            return true;
        }
        i = p + 1;
    }
    false
}

/// Whether `s` may hold a `\d` (any Unicode decimal digit; `is_numeric` is a superset).
fn has_digit(s: &str) -> bool {
    s.chars().any(|c| match c {
        '0'..='9' => true,
        // ASCII and CJK ideographs hold no other digits: skip the Unicode table lookup.
        '\0'..='\u{7f}' | '\u{4e00}'..='\u{9fff}' => false,
        _ => c.is_numeric(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A bare `YYYY-M-D` text takes the short path; it must read as the pattern does.
    #[test]
    fn bare_iso_dates_read_as_the_pattern_does() {
        assert_eq!(parse_date("2022-06-01"), Some(d(2022, 6, 1)));
        assert_eq!(parse_date("2022-6-1"), Some(d(2022, 6, 1)));
        assert_eq!(parse_date("２０２２－０６－０１"), Some(d(2022, 6, 1)));
        assert_eq!(parse_date("2022-02-30"), None);
        assert_eq!(parse_date("1900-01-01"), None);
        assert_eq!(bare_iso_date("2022-06-01 10:00"), None);
        assert_eq!(parse_date("2022-06-01 10:00"), Some(d(2022, 6, 1)));
        assert_eq!(bare_iso_date("2022-006-01"), None);
        assert_eq!(parse_date("2022-006-01"), None);
        assert_eq!(find_dates("2022-06-01"), vec![d(2022, 6, 1)]);
    }

    #[test]
    fn mapped_bytes_match_the_mapping() {
        for c in ['０', '５', '９', '－', '．', '／', '—', '–'] {
            assert!(has_mapped(c.to_string().as_bytes()), "{c}");
        }
        for s in ["，：（）。、", "2022-06-01", "Ｆ＋～—x"] {
            assert_eq!(has_mapped(s.as_bytes()), s.contains(['—']), "{s}");
        }
    }

    #[test]
    fn common_shapes() {
        for s in [
            "2022-06-01",
            "2022-6-1",
            "2022年6月1日",
            "2022年06月01日 10:30",
            "2022/6/1",
            "2022.06.01",
            "20220601",
            "发布时间：2022-06-01 09:12:33",
            "２０２２年６月１日",
            "[2022-06-01]",
            "二〇二二年六月一日",
            "二○二二年六月一日",
        ] {
            assert_eq!(parse_date(s), Some(d(2022, 6, 1)), "{s}");
        }
        assert_eq!(
            parse_date("二〇二一年十二月三十一日"),
            Some(d(2021, 12, 31))
        );
        assert_eq!(parse_date("二〇二一年十月二十日"), Some(d(2021, 10, 20)));
    }

    #[test]
    fn rejects_non_dates() {
        assert_eq!(parse_date("2022-13-01"), None);
        assert_eq!(parse_date("2022-02-30"), None);
        assert_eq!(parse_date("120220601999"), None);
        assert_eq!(parse_date("11370481004222241N/2022-00001"), None);
        assert_eq!(parse_date("滕政办发〔2022〕11号"), None);
        assert_eq!(parse_date("1800-01-01"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn finds_all() {
        let v = find_dates("成文日期：2022年5月30日 发布日期：2022-06-01 有效期至2027.06.01");
        assert_eq!(v, vec![d(2022, 5, 30), d(2022, 6, 1), d(2027, 6, 1)]);
    }

    #[test]
    fn month_day_and_context() {
        assert_eq!(parse_month_day("[06-01]"), Some((6, 1)));
        assert_eq!(parse_month_day("6月1日"), Some((6, 1)));
        assert_eq!(parse_month_day("13-01"), None);
        assert_eq!(parse_month_day("2022-06"), None);
        assert_eq!(resolve_month_day((2, 29), 2024), Some(d(2024, 2, 29)));
        assert_eq!(resolve_month_day((2, 29), 2023), None);
        assert_eq!(year_heading("2022年"), Some(2022));
        assert_eq!(year_heading("【2021年度】"), Some(2021));
        assert_eq!(year_heading("2022年工作要点"), None);
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            date_from_url("http://www.tengzhou.gov.cn/zwgk/202206/t20220601_123.html"),
            Some(d(2022, 6, 1))
        );
        assert_eq!(
            date_from_url("/art/2022/6/1/art_1_2.html"),
            Some(d(2022, 6, 1))
        );
        assert_eq!(date_from_url("/col/col123/index.html"), None);
    }
}
