//! The two things a page can say about a document's validity, kept apart:
//!
//! * the page's **mark** (有效性 / 现行有效 / 已废止 ...), which the office must update when the
//!   document lapses or is repealed: a labelled metadata field (read by [`crate::metadata`]) or
//!   a badge near the title (`【现行有效】`, `<span class="yxx">已废止</span>`), read by [`badge`];
//! * the document's own **term clause** in its body ("本办法自2022年9月19日起施行，有效期至
//!   2027年9月18日。", "有效期5年"), read by [`term_clause`]. It is the text of the document and
//!   never changes, so it is not a mark; it gives the dates to compare the mark with.

use crate::dates::{normalize_digits, parse_date};
use crate::dom::{self, Nd};
use crate::model::TermClause;
use crate::thread_regex::ThreadRegex;
use chrono::NaiveDate;
use regex::Regex;
use scraper::Node;

/// Marks a badge may carry (after brackets and spaces are removed).
const BADGE_MARKS: [&str; 12] = [
    "现行有效",
    "有效",
    "已废止",
    "废止",
    "已失效",
    "失效",
    "已修改",
    "已修订",
    "部分失效",
    "部分有效",
    "已被修改",
    "已宣布失效",
];
/// More badges than this on one page: a list of documents, not one document's mark.
const MAX_BADGES: usize = 2;
/// Term quotes are cut to this many characters.
const MAX_QUOTE_CHARS: usize = 200;
/// Only this much of the body is searched for the clause (it closes the document).
const MAX_SCAN_CHARS: usize = 100_000;

/// A badge carrying the page's validity mark: a short element (span, em, i, b, font, label,
/// strong, sup) whose whole text is a mark (`现行有效`, `【已废止】`), or a bracketed mark at
/// either end of the heading. Page chrome is ignored, and so is a page carrying several
/// different badges (a list of documents).
///
/// Badges inside the article body, or on an item of a list (`li`, links), mark other
/// documents, not this one.
pub fn badge(root: Nd<'_>, heading: Option<&str>, body: Option<Nd<'_>>) -> Option<String> {
    let candidates = root
        .descendants()
        .take(crate::index::EARLY_NODES)
        .filter(|n| {
            matches!(
                dom::tag(*n),
                Some("span" | "em" | "i" | "b" | "font" | "label" | "strong" | "sup" | "div")
            )
        });
    badge_among(candidates, heading, body)
}

/// [`badge`] among the page's elements of the badge tags (`span`, `em`, `i`, `b`, `font`,
/// `label`, `strong`, `sup`, `div`), in document order.
pub(crate) fn badge_among<'a>(
    candidates: impl IntoIterator<Item = Nd<'a>>,
    heading: Option<&str>,
    body: Option<Nd<'_>>,
) -> Option<String> {
    if let Some(h) = heading {
        if let Some(m) = bracketed_mark_at_end(h) {
            return Some(m);
        }
    }
    let mut found: Vec<String> = Vec::new();
    for n in candidates {
        let Node::Element(e) = n.value() else {
            continue;
        };
        // A badge is a leaf or nearly: never gather a big subtree for it.
        if n.descendants().take(6).count() >= 6 {
            continue;
        }
        // Every mark holds 效, 止 or 修: text without any is not gathered.
        let may_mark = n
            .descendants()
            .filter_map(|d| d.value().as_text())
            .any(|t| t.contains(['效', '止', '修']));
        if !may_mark {
            continue;
        }
        let t = dom::text(n, 64);
        let Some(mark) = mark_of(&t) else { continue };
        // An unbracketed plain 有效 / 失效 in a div is too weak: only styled badges count.
        let bracketed = t.trim().starts_with(['【', '[', '〔']);
        if e.name() == "div" && !bracketed {
            continue;
        }
        if dom::in_chrome(n) {
            continue;
        }
        let on_item = n
            .ancestors()
            .take(3)
            .any(|a| matches!(dom::tag(a), Some("a" | "li")));
        let in_body = body.is_some_and(|b| n.ancestors().any(|a| a.id() == b.id()));
        if on_item || in_body {
            continue;
        }
        if !found.contains(&mark) {
            found.push(mark);
        }
        if found.len() > MAX_BADGES {
            return None;
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

/// The mark when `text` is exactly a (possibly bracketed) mark.
fn mark_of(text: &str) -> Option<String> {
    let t: String = text
        .chars()
        .filter(|c| !dom::is_space(*c) && !"【】[]〔〕()（）".contains(*c))
        .collect();
    BADGE_MARKS.contains(&t.as_str()).then_some(t)
}

fn bracketed_mark_at_end(heading: &str) -> Option<String> {
    static AT_END: ThreadRegex = ThreadRegex::new(|| {
        Regex::new(r"^\s*【([^】]{2,6})】|【([^】]{2,6})】\s*$").expect("static regex")
    });
    let c = AT_END.re().captures(heading)?;
    let inner = c.get(1).or_else(|| c.get(2))?.as_str();
    mark_of(inner)
}

/// A date as term clauses print it: digits (2022年9月19日, 2022-09-19) or Chinese numerals
/// (二〇二二年九月十九日). Digits are normalised to ASCII before matching.
const DATE: &str = concat!(
    r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2}",
    r"|[〇○零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)",
);

fn date_regex(before: &str, after: &str) -> Regex {
    Regex::new(&format!("{before}{DATE}{after}")).expect("static regex")
}

/// "自2022年1月1日起施行", and the forms portals print beside it: 从 / 于 for 自
/// ("本规定从2022年1月1日起施行", "于2022年1月1日起实施") and no preposition at all when 起
/// follows the date ("本办法2022年1月1日起施行"). The date is group 1 or group 2.
static EFFECTIVE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(&format!(
        r"(?:(?:自|从|于)\s*{DATE}\s*(?:起|开始)?|{DATE}\s*(?:起|开始))\s*(?:正式)?\s*(?:施行|实施|执行|生效)"
    ))
    .expect("static regex")
});
static FROM_ISSUE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"自\s*(?:印发|发布|公布|颁布|下发|发文|签发)之日起\s*(?:施行|实施|执行|生效)")
        .expect("static regex")
});
static EXPIRES: ThreadRegex = ThreadRegex::new(|| {
    date_regex(
        r"有效期限?\s*(?:为|是)?\s*(?:至|截至|截止(?:到|至|于|日期为|日期是|时间为)?|到)\s*",
        "",
    )
});
/// "…，2027年9月18日废止" / "至2027年9月18日自动失效".
static LAPSES: ThreadRegex =
    ThreadRegex::new(|| date_regex(r"", r"\s*(?:起)?\s*(?:自动)?\s*(?:废止|失效)"));
static RANGE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(&format!(
        r"有效期限?\s*(?:为|自|从)?\s*{DATE}\s*(?:起)?\s*(?:至|到|—|-|～|~)\s*{DATE}"
    ))
    .expect("static regex")
});
static YEARS: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"有效期限?\s*[:：]?\s*(?:为|是)?\s*([0-9一二两三四五六七八九十]{1,3})\s*个?\s*年")
        .expect("static regex")
});

/// The document's term clause in its body text: 施行日期, 有效期至 date and 有效期N年, from the
/// first sentence that states them (and the next one, when the term follows in its own
/// sentence: "本办法自2022年9月19日起施行。有效期5年。").
pub fn term_clause(text: &str) -> Option<TermClause> {
    // Digit normalisation maps char to char: cut first, then normalise only what is scanned.
    // A text of at most that many bytes has at most that many chars: nothing to count.
    let cut = if text.len() <= MAX_SCAN_CHARS {
        text.len()
    } else {
        text.char_indices()
            .nth(MAX_SCAN_CHARS)
            .map_or(text.len(), |(i, _)| i)
    };
    let text: String = normalize_digits(&text[..cut]).into_owned();
    let sentences = split_sentences(&text);
    let mut term = TermClause::default();
    let mut quote: Vec<&str> = Vec::new();
    let mut last_hit: Option<usize> = None;
    for (i, s) in sentences.iter().enumerate() {
        if !may_state_term(s) {
            continue;
        }
        let effective = effective_date(s);
        let from_issue = FROM_ISSUE.re().is_match(s);
        let range = RANGE.re().captures(s).and_then(|c| {
            Some((
                parse_date(c.get(1)?.as_str())?,
                parse_date(c.get(2)?.as_str())?,
            ))
        });
        let effective = effective.or(range.map(|r| r.0));
        let expires = EXPIRES
            .re()
            .captures(s)
            .or_else(|| LAPSES.re().captures(s))
            .and_then(|c| parse_date(c.get(1)?.as_str()))
            .or(range.map(|r| r.1));
        let years = YEARS
            .re()
            .captures(s)
            .and_then(|c| small_number(c.get(1)?.as_str()))
            .filter(|y| (1..=50).contains(y));
        if effective.is_none() && !from_issue && expires.is_none() && years.is_none() {
            continue;
        }
        // A second clause far from the first (another document quoted in the text) is not ours.
        if last_hit.is_some_and(|l| i > l + 1) {
            break;
        }
        last_hit = Some(i);
        quote.push(s);
        if term.effective.is_none() {
            term.effective = effective.map(|d| d.to_string().into());
        }
        if term.expires.is_none() {
            term.expires = expires.map(|d| d.to_string().into());
        }
        if term.years.is_none() {
            term.years = years;
        }
        if term.expires.is_some() || term.years.is_some() {
            break;
        }
    }
    if quote.is_empty() {
        return None;
    }
    let mut q: String = quote.join("").chars().take(MAX_QUOTE_CHARS).collect();
    q = q.trim().to_string();
    term.quote = q.into();
    Some(term)
}

/// The date this sentence says the document takes effect. A date that only qualifies another
/// document ("2018年3月1日起施行的《某办法》同时废止", the one this document replaces) is not it.
fn effective_date(s: &str) -> Option<NaiveDate> {
    EFFECTIVE
        .re()
        .captures_iter(s)
        .find(|c| c.get(0).is_some_and(|m| !s[m.end()..].starts_with('的')))
        .and_then(|c| parse_date(c.get(1).or_else(|| c.get(2))?.as_str()))
}

/// Whether a sentence holds the words every term pattern needs: 有效期 (EXPIRES, RANGE, YEARS),
/// 废止 / 失效 (LAPSES), or 施行 / 实施 / 执行 / 生效 with 自 / 从 / 于 / 起 and a date or 之日
/// (EFFECTIVE: every date form ends in 日 or has digits; FROM_ISSUE). Most body sentences hold
/// none, and a substring search is far cheaper than six regex searches (实施 and 于 alone are
/// common in policy text).
fn may_state_term(s: &str) -> bool {
    s.contains("有效期")
        || s.contains("废止")
        || s.contains("失效")
        || (['自', '从', '于', '起'].iter().any(|c| s.contains(*c))
            && (s.contains('日') || s.bytes().any(|b| b.is_ascii_digit()))
            && ["施行", "实施", "执行", "生效"]
                .iter()
                .any(|w| s.contains(w)))
}

/// Sentences ending in 。；! ? (the terminator kept), whitespace-trimmed, each at most a few
/// hundred characters (longer runs are cut so a missing full stop does not glue a page).
fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    let mut at = 0;
    // The terminators are '\n' and 。 (E3 80 82), ！ (EF BC 81), ； (EF BC 9B), ？ (EF BC 9F):
    // only their first bytes are looked for, the rest of the text is not decoded.
    while let Some(off) = memchr::memchr3(b'\n', 0xE3, 0xEF, &b[at..]) {
        let i = at + off;
        let width = match (b[i], b.get(i + 1), b.get(i + 2)) {
            (b'\n', _, _) => 1,
            (0xE3, Some(0x80), Some(0x82)) | (0xEF, Some(0xBC), Some(0x81 | 0x9B | 0x9F)) => 3,
            _ => 0,
        };
        if width == 0 {
            at = i + 1;
            continue;
        }
        let end = i + width;
        let s = text[start..end].trim();
        if !s.is_empty() {
            out.push(s);
        }
        start = end;
        at = end;
    }
    let tail = text[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out
}

/// 1..=99 in digits or Chinese numerals (五, 十, 两).
fn small_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let d = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or((c == '两').then_some(2))
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + d(*u)?),
        [t, '十'] => Some(d(*t)? * 10),
        [t, '十', u] => Some(d(*t)? * 10 + d(*u)?),
        [u] => d(*u),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
