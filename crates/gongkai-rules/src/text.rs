//! Text helpers the checks share: width folding, compact keys for matching, dates with positions,
//! character n-grams.
//!
//! Dates are parsed with gongkai-page's one parser (`gongkai_page::dates::parse_date`) everywhere;
//! [`find_dates`] is kept here only because the consultation-period check needs byte positions,
//! which `gongkai_page::dates::find_dates` does not return.

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

/// Folds full-width ASCII (digits, letters, brackets, colon, hyphen) to half-width, the ideographic
/// space to a space and dash variants to '-'. Keeps 〔〕 and CJK punctuation such as 《》、。
pub fn fold(s: &str) -> String {
    map_chars(s, &FOLD_LEADS, |c| Some(fold_char(c)))
}

/// UTF-8 lead bytes of the characters [`fold_char`] changes: full-width forms (U+FF01–FF5E),
/// the ideographic space, the no-break space and the dashes.
const FOLD_LEADS: [bool; 256] = leads(&[0xC2, 0xE2, 0xE3, 0xEF]);

/// [`FOLD_LEADS`], and the bytes of every whitespace character (ASCII, U+0085, U+1680,
/// U+2000–U+205F, U+3000).
const COMPACT_LEADS: [bool; 256] = leads(&[
    b'\t', b'\n', 0x0B, 0x0C, b'\r', b' ', 0xC2, 0xE1, 0xE2, 0xE3, 0xEF,
]);

const fn leads(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// `s.chars().filter_map(f).collect()`, where `f` keeps every character whose first UTF-8 byte
/// is not marked in `leads` as it is: runs of those are copied as bytes. Pushing a page's text
/// back a character at a time was a large part of the checks that fold every page (7% of
/// `check` at 20,000 pages).
fn map_chars(s: &str, leads: &[bool; 256], mut f: impl FnMut(char) -> Option<char>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.bytes().position(|b| leads[usize::from(b)]) {
        out.push_str(&rest[..at]);
        // A marked byte is never a continuation byte (0x80–0xBF), so `at` starts a character.
        let mut chars = rest[at..].chars();
        if let Some(c) = chars.next() {
            out.extend(f(c));
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        _ => c,
    }
}

/// True when `c` is the [`fold_char`] of itself only (not ASCII, which full-width forms fold
/// to, and not folded to anything else): a string of such characters is in `fold(t)` exactly
/// where it is in `t`.
pub fn folds_only_from_itself(c: char) -> bool {
    !c.is_ascii() && fold_char(c) == c
}

/// Folded, without any whitespace.
pub fn compact(s: &str) -> String {
    map_chars(s, &COMPACT_LEADS, |c| {
        Some(fold_char(c)).filter(|c| !c.is_whitespace())
    })
}

/// Letters, digits and CJK only (punctuation and spaces dropped), folded: a key for comparing
/// titles written with different punctuation.
pub fn key(s: &str) -> String {
    map_chars(s, &KEY_LEADS, |c| {
        Some(fold_char(c)).filter(|&c| is_key_char(c))
    })
}

/// The lead bytes of every character but ASCII letters and digits and the CJK ideographs
/// U+5000–U+9FFF (lead bytes 0xE5–0xE9; all letters). Continuation bytes are never marked.
const KEY_LEADS: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let u = b as u8;
        t[b] = if u.is_ascii() {
            !u.is_ascii_alphanumeric()
        } else {
            u >= 0xC0 && !(u >= 0xE5 && u <= 0xE9)
        };
        b += 1;
    }
    t
};

/// `c.is_alphanumeric()`, answered without the Unicode tables for ASCII and the CJK Unified
/// Ideographs (all letters): the tables' search was half of the n-gram walk's time on Chinese
/// pages.
#[inline]
fn is_key_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        true
    } else {
        c.is_alphanumeric()
    }
}

pub fn contains_any(hay: &str, needles: &[String]) -> bool {
    needles
        .iter()
        .any(|n| !n.is_empty() && hay.contains(n.as_str()))
}

pub fn first_match<'a>(hay: &str, needles: &'a [String]) -> Option<&'a str> {
    needles
        .iter()
        .find(|n| !n.is_empty() && hay.contains(n.as_str()))
        .map(|s| s.as_str())
}

static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
        .expect("date regex")
});

/// Every full date (year, month, day) in `s`, with its byte range in `s`. Accepts 2022-06-01,
/// 2022年6月1日, 2022/6/1, 2022.06.01 (full-width digits too). Digits must not continue the
/// number on either side.
pub fn find_dates(s: &str) -> Vec<(Range<usize>, NaiveDate)> {
    let folded = fold(s);
    // fold() maps chars one-to-one, but byte lengths may differ: map folded offsets back.
    let map = offset_map(s, &folded);
    let bytes = folded.as_bytes();
    let mut out = Vec::new();
    for c in DATE_RE.captures_iter(&folded) {
        let m = c.get(0).expect("match");
        if m.start() > 0 && bytes[m.start() - 1].is_ascii_digit() {
            continue;
        }
        let end_digit = c.get(3).expect("day").end();
        if bytes.get(end_digit).is_some_and(|b| b.is_ascii_digit()) {
            continue;
        }
        let (y, mo, d) = (num(&c[1]), num(&c[2]), num(&c[3]));
        if let Some(date) = NaiveDate::from_ymd_opt(y as i32, mo, d) {
            out.push((map(m.start())..map(m.end()), date));
        }
    }
    out
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

/// Maps a byte offset of `folded` back to the same char position in `orig`.
fn offset_map<'a>(orig: &'a str, folded: &str) -> impl Fn(usize) -> usize + 'a {
    let mut table: Vec<(usize, usize)> = Vec::new();
    let mut ob = orig.char_indices().map(|(i, _)| i);
    for (fi, _) in folded.char_indices() {
        table.push((fi, ob.next().unwrap_or(orig.len())));
    }
    move |f: usize| match table.binary_search_by_key(&f, |&(fi, _)| fi) {
        Ok(i) => table[i].1,
        Err(_) => orig.len(),
    }
}

/// The set of character n-grams of `key(s)`.
pub fn ngrams(s: &str, n: usize) -> HashSet<String> {
    let chars: Vec<char> = key(s).chars().collect();
    if chars.len() < n || n == 0 {
        return HashSet::new();
    }
    chars.windows(n).map(|w| w.iter().collect()).collect()
}

/// The character n-grams of `k` (already a [`key`]), borrowed from it: the same grams as
/// [`ngrams`] gives for the text `k` was made from, with repeats.
pub fn key_ngrams(k: &str, n: usize) -> impl Iterator<Item = &str> {
    let mut bounds: Vec<usize> = k.char_indices().map(|(b, _)| b).collect();
    bounds.push(k.len());
    let count = if n == 0 {
        0
    } else {
        bounds.len().saturating_sub(n)
    };
    (0..count).map(move |j| &k[bounds[j]..bounds[j + n]])
}

/// Calls `f` with each character n-gram of `key(text)` in order, with repeats (what
/// [`key_ngrams`] gives for the key), as its characters: no key and no string per n-gram is
/// built, so a pass over every page's text keeps no copy of it and allocates nothing per
/// character (a check hashes the n-grams of every crawled page).
pub fn for_each_key_ngram(text: &str, n: usize, mut f: impl FnMut(&[char])) {
    if n == 0 {
        return;
    }
    // The last n characters are kept contiguous: the buffer holds up to 2n and drops the older
    // half when full.
    let mut window: Vec<char> = Vec::with_capacity(2 * n);
    for c in text.chars().map(fold_char).filter(|&c| is_key_char(c)) {
        if window.len() == 2 * n {
            window.copy_within(n.., 0);
            window.truncate(n);
        }
        window.push(c);
        if window.len() >= n {
            f(&window[window.len() - n..]);
        }
    }
}

/// Whole years between `from` and `to` are at least `years`: `from + years` is on or before `to`.
pub fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() + years, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28))
        .unwrap_or(d)
}

/// Cuts `s` to at most `n` chars (for messages and evidence).
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_that_only_fold_from_themselves() {
        let all = || (0..0x3_0000u32).filter_map(char::from_u32);
        for d in all() {
            let f = super::fold_char(d);
            assert!(
                f == d || !super::folds_only_from_itself(f),
                "{d:?} folds to {f:?}"
            );
        }
        assert!(super::folds_only_from_itself('留'));
        assert!(!super::folds_only_from_itself('：'));
        assert!(!super::folds_only_from_itself(':'));
        assert!(!super::folds_only_from_itself('\u{3000}'));
        let t = "留言时间：２０２４年　回复—内容";
        for n in ["留言时间", "回复", "内容"] {
            assert_eq!(super::fold(t).contains(n), t.contains(n));
        }
    }

    #[test]
    fn streamed_key_ngrams_are_the_key_ngrams() {
        for (s, n) in [
            ("滕州市 人民政府，２０２２年（通知）", 3),
            ("滕州市人民政府关于印发城市管理办法的通知", 5),
            ("ab", 2),
            ("a", 2),
            ("", 1),
            ("文号abc", 1),
            ("文号abc", 0),
            ("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯", 4),
        ] {
            let k = super::key(s);
            let want: Vec<&str> = super::key_ngrams(&k, n).collect();
            let mut got: Vec<String> = Vec::new();
            super::for_each_key_ngram(s, n, |g| got.push(g.iter().collect()));
            assert_eq!(got, want, "{s} {n}");
        }
    }

    #[test]
    fn key_ngrams_are_ngrams() {
        for (s, n) in [
            ("滕州市 人民政府，2022年", 3),
            ("ab", 2),
            ("a", 2),
            ("", 1),
            ("文号abc", 1),
        ] {
            let k = super::key(s);
            let mine: std::collections::HashSet<String> =
                super::key_ngrams(&k, n).map(String::from).collect();
            assert_eq!(mine, super::ngrams(s, n), "{s}");
        }
    }

    use super::*;

    #[test]
    fn dates_in_many_forms() {
        let d = NaiveDate::from_ymd_opt(2022, 6, 1).unwrap();
        for s in [
            "2022-06-01",
            "2022年6月1日",
            "2022/6/1",
            "2022.06.01",
            "２０２２年６月１日",
            "20220601",
        ] {
            assert_eq!(
                find_dates(s)
                    .first()
                    .map(|x| x.1)
                    .or_else(|| gongkai_page::parse_date(s)),
                Some(d),
                "{s}"
            );
        }
        assert!(find_dates("2022年13月1日").is_empty());
        let f = find_dates("征求意见时间：２０２２年６月１日至2022年6月30日");
        assert_eq!(f.len(), 2);
        let s = "征求意见时间：２０２２年６月１日至2022年6月30日";
        assert_eq!(&s[f[0].0.clone()], "２０２２年６月１日");
    }

    #[test]
    fn keys_drop_punctuation() {
        assert_eq!(key("《滕州市 管理办法》"), "滕州市管理办法");
        assert_eq!(compact("滕政办发〔２０２２〕 11号"), "滕政办发〔2022〕11号");
    }

    #[test]
    fn folding_by_byte_runs_agrees_with_folding_every_character() {
        let slow_fold = |s: &str| s.chars().map(fold_char).collect::<String>();
        let slow_compact = |s: &str| {
            s.chars()
                .map(fold_char)
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        };
        let slow_key = |s: &str| {
            s.chars()
                .map(fold_char)
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        let mut all = String::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let one = c.to_string();
            assert_eq!(fold(&one), slow_fold(&one), "U+{:04X}", u32::from(c));
            assert_eq!(compact(&one), slow_compact(&one), "U+{:04X}", u32::from(c));
            assert_eq!(key(&one), slow_key(&one), "U+{:04X}", u32::from(c));
            if u32::from(c) % 97 == 0 || !c.is_ascii() && fold_char(c) != c || c.is_whitespace() {
                all.push(c);
                all.push('文');
            }
        }
        for s in [
            all.as_str(),
            "",
            "滕政办发〔２０２２〕 11号，咨询电话：０６３２－１２３４５６７　（办公室）",
            "\u{00A0}a\u{3000}\u{2014}b\t\r\n",
        ] {
            assert_eq!(fold(s), slow_fold(s));
            assert_eq!(compact(s), slow_compact(s));
            assert_eq!(key(s), slow_key(s));
        }
    }

    #[test]
    fn the_key_character_shortcut_agrees_with_unicode_on_every_character() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(
                is_key_char(c),
                c.is_alphanumeric(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }
}
