//! 发文字号 (document number) parsing and the GB/T 9704-2012 form check.
//!
//! The standard form is 机关代字 + 〔four-digit year〕 (U+3014 / U+3015) + number without 第 and
//! without leading zeros + 号, e.g. `滕政办发〔2022〕11号`. Portals and drafters often write
//! `[2022]`, `【2022】`, `（2022）`, `(2022)`, `〔2022〕第5号`, `05号`, drop the 号 or shorten the
//! year to `〔22〕`. [`parse_doc_number`] accepts all of these and records what it saw, so a
//! rule can report exactly which part deviates; [`DocNumber::is_standard`] is the verdict.
//!
//! [`find_doc_numbers`] spots numbers quoted in titles and text. It is stricter than the parser
//! (it needs 号 or the standard brackets) so that ordinary parentheses like `工作（2022）` are not
//! mistaken for document numbers.

use crate::dates::normalize_digits;
use crate::thread_regex::ThreadRegex;
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A parsed 文号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocNumber {
    /// 机关代字, e.g. 滕政办发.
    pub agency: String,
    /// Year, expanded to four digits when written short (`〔22〕` → 2022).
    pub year: Option<u32>,
    /// Serial number.
    pub number: Option<u32>,
    /// The text matched, as written.
    pub raw: String,
    /// Bracket pair used around the year, e.g. ('〔', '〕').
    pub bracket: (char, char),
    /// 第 written before the number.
    pub has_di: bool,
    /// The number has a leading zero (`05号`).
    pub leading_zero: bool,
    /// Ends with 号.
    pub ends_with_hao: bool,
    /// The year was written with fewer than four digits.
    pub year_short: bool,
}

impl DocNumber {
    /// Whether the number follows GB/T 9704-2012: 〔YYYY〕 with U+3014/U+3015, four-digit year,
    /// no 第, no leading zero, ends with 号, with an agency code and a number.
    pub fn is_standard(&self) -> bool {
        self.bracket == ('〔', '〕')
            && !self.year_short
            && self.year.is_some()
            && self.number.is_some()
            && !self.has_di
            && !self.leading_zero
            && self.ends_with_hao
            && !self.agency.is_empty()
    }

    /// True when the year sits in the small-form look-alikes ﹝﹞ (U+FE5D / U+FE5E), which
    /// print almost like 〔〕 but are other characters (search and citation miss them).
    pub fn lookalike_bracket(&self) -> bool {
        self.bracket == ('﹝', '﹞')
    }

    /// True when the year sits in one of the brackets GB/T 9704-2012 does not allow
    /// ([] 【】 （） () 〖〗 ﹝﹞ ...): parsed, but not standard.
    pub fn nonstandard_bracket(&self) -> bool {
        self.bracket != ('〔', '〕')
    }

    /// Human-readable (Chinese) list of deviations from GB/T 9704-2012; empty when standard.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.lookalike_bracket() {
            out.push("年份使用了形近字符﹝﹞而非六角括号〔〕");
        } else if self.bracket != ('〔', '〕') {
            out.push("年份未使用六角括号〔〕");
        }
        if self.year_short {
            out.push("年份未写全四位");
        }
        if self.has_di {
            out.push("序号前加“第”");
        }
        if self.leading_zero {
            out.push("序号有前导零");
        }
        if !self.ends_with_hao {
            out.push("缺少“号”");
        }
        if self.agency.is_empty() {
            out.push("缺少机关代字");
        }
        out
    }
}

const OPEN: &str = "〔﹝[【（(［〖｛{";
const CLOSE: &str = "〕﹞]】）)］〗｝}";

static DOC_NO: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(
        r"([\p{Han}A-Za-z]{0,16})\s*([〔﹝\[【（(［〖｛{])\s*(\d{2,4})\s*([〕﹞\]】）)］〗｝}])\s*(第)?\s*(\d{1,6})\s*(号)?",
    )
    .expect("static regex")
});

/// Words that precede a quoted 文号 in running text but are not part of the agency code.
const LEAD_WORDS: [&str; 14] = [
    "根据", "依据", "按照", "依照", "参照", "对照", "转发", "印发", "贯彻", "落实", "执行", "废止",
    "修改", "通过",
];

/// Parses a 文号 field value or any text holding one; returns the first found.
pub fn parse_doc_number(s: &str) -> Option<DocNumber> {
    scan(s, false, 1).into_iter().next()
}

/// Finds 文号 quoted in titles or text (at most 100). Requires 号 or the standard 〔〕 brackets.
pub fn find_doc_numbers(text: &str) -> Vec<DocNumber> {
    scan(text, true, 100)
}

fn scan(s: &str, strict: bool, limit: usize) -> Vec<DocNumber> {
    let norm = normalize_digits(s);
    let mut out = Vec::new();
    for c in DOC_NO.re().captures_iter(&norm) {
        if out.len() >= limit {
            break;
        }
        let Some(whole) = c.get(0) else { continue };
        // Not part of a longer number on the right.
        if norm[whole.end()..]
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_digit())
        {
            continue;
        }
        let (Some(open), Some(close), Some(year_m), Some(num_m)) =
            (c.get(2), c.get(4), c.get(3), c.get(6))
        else {
            continue;
        };
        let open = open.as_str().chars().next().unwrap_or('(');
        let close = close.as_str().chars().next().unwrap_or(')');
        let pair_ok = OPEN.contains(open) && CLOSE.contains(close);
        if !pair_ok {
            continue;
        }
        let year_str = year_m.as_str();
        let year_short = year_str.len() < 4;
        let year_val: u32 = year_str.parse().unwrap_or(0);
        let year = match year_str.len() {
            4 if (1949..=2100).contains(&year_val) => Some(year_val),
            2 => Some(if year_val <= 50 {
                2000 + year_val
            } else {
                1900 + year_val
            }),
            _ => None,
        };
        let Some(year) = year else { continue };
        let ends_with_hao = c.get(7).is_some();
        let has_di = c.get(5).is_some();
        let agency = trim_agency(c.get(1).map_or("", |m| m.as_str()));
        if strict && !(ends_with_hao || (open == '〔' && close == '〕')) {
            continue;
        }
        if agency.is_empty() && (strict || !ends_with_hao) {
            continue;
        }
        let num_str = num_m.as_str();
        let raw_start = c.get(1).map_or(whole.start(), |m| m.end() - agency.len());
        out.push(DocNumber {
            raw: norm[raw_start..whole.end()].trim().to_string(),
            agency,
            year: Some(year),
            number: num_str.parse().ok(),
            bracket: (open, close),
            has_di,
            leading_zero: num_str.len() > 1 && num_str.starts_with('0'),
            ends_with_hao,
            year_short,
        });
    }
    out
}

/// Cuts leading connective words (根据, 印发 ...) and anything before 的/和/及/与/、 from the
/// Han run in front of the bracket, leaving the agency code.
fn trim_agency(run: &str) -> String {
    let mut s = run;
    if let Some(pos) = s.rfind(['的', '和', '及', '与', '、']) {
        s = &s[pos + '的'.len_utf8()..];
    }
    for w in LEAD_WORDS {
        if let Some(pos) = s.rfind(w) {
            s = &s[pos + w.len()..];
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_number() {
        let d = parse_doc_number("滕政办发〔2022〕11号").unwrap();
        assert_eq!(d.agency, "滕政办发");
        assert_eq!(d.year, Some(2022));
        assert_eq!(d.number, Some(11));
        assert_eq!(d.bracket, ('〔', '〕'));
        assert!(d.is_standard());
        assert!(d.problems().is_empty());
        assert_eq!(d.raw, "滕政办发〔2022〕11号");
    }

    #[test]
    fn wrong_forms() {
        let cases = [
            ("滕政办发[2022]11号", ('[', ']')),
            ("滕政办发【2022】11号", ('【', '】')),
            ("滕政办发（2022）11号", ('（', '）')),
            ("滕政办发(2022)11号", ('(', ')')),
            ("滕政办发﹝2022﹞11号", ('﹝', '﹞')),
            ("滕政办发〖2022〗11号", ('〖', '〗')),
            ("滕政办发［2022］11号", ('［', '］')),
        ];
        for (s, br) in cases {
            let d = parse_doc_number(s).unwrap();
            assert_eq!(d.bracket, br, "{s}");
            assert!(!d.is_standard(), "{s}");
            assert_eq!(d.number, Some(11));
        }
        let d = parse_doc_number("赣府厅字﹝2024﹞12号").unwrap();
        assert!(d.lookalike_bracket() && d.nonstandard_bracket());
        assert_eq!(d.problems(), vec!["年份使用了形近字符﹝﹞而非六角括号〔〕"]);
        assert_eq!((d.year, d.number), (Some(2024), Some(12)));
        assert_eq!(find_doc_numbers("依据赣府厅字﹝2024﹞12号文件").len(), 1);
        let d = parse_doc_number("鲁政字〔2022〕第5号").unwrap();
        assert!(d.has_di && !d.is_standard());
        let d = parse_doc_number("滕政发〔2022〕05号").unwrap();
        assert!(d.leading_zero && !d.is_standard());
        let d = parse_doc_number("滕政发〔2022〕5").unwrap();
        assert!(!d.ends_with_hao && !d.is_standard());
        let d = parse_doc_number("滕政发〔22〕5号").unwrap();
        assert!(d.year_short && d.year == Some(2022) && !d.is_standard());
        let d = parse_doc_number("滕政办发 〔 2022 〕 11 号").unwrap();
        assert!(d.is_standard());
        let d = parse_doc_number("国办发〔２０２２〕１１号").unwrap();
        assert_eq!(d.number, Some(11));
    }

    #[test]
    fn non_numbers() {
        assert!(parse_doc_number("无").is_none());
        assert!(parse_doc_number("2022-06-01").is_none());
        assert!(parse_doc_number("〔2022〕").is_none());
        assert!(find_doc_numbers("2022年度政务公开工作（2022）安排").is_empty());
        assert!(find_doc_numbers("印发计划[2022]3").is_empty());
    }

    #[test]
    fn finds_in_titles_and_text() {
        let v = find_doc_numbers(
            "关于印发《滕州市2022年政务公开工作要点》的通知（滕政办发〔2022〕11号）",
        );
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].agency, "滕政办发");
        let v = find_doc_numbers("根据鲁政办字[2021]5号和国办发〔2019〕61号文件精神");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].agency, "鲁政办字");
        assert_eq!(v[1].agency, "国办发");
        assert!(v[1].is_standard());
    }
}
