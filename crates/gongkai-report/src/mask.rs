//! Last guard against printing a leak: anything shaped like a resident ID number (18 characters:
//! 17 digits and a digit or X, standing alone, or in 6-8-4 groups split by one space or hyphen)
//! is shown with its first 6 and last 4 characters only. Applied to every finding that reaches
//! a report, the terminal or `gongkai evidence`, whatever rule produced it. Unlike the rule, no
//! checksum is asked for: a wrong-check-digit number is still someone's number mistyped.

use gongkai_core::Finding;
use std::borrow::Cow;

fn is_id_char(c: char, last: bool) -> bool {
    c.is_ascii_digit() || (last && (c == 'X' || c == 'x'))
}

/// `s` with every ID-shaped number masked (`110105********002X`).
pub fn mask_ids(s: &str) -> Cow<'_, str> {
    let c: Vec<char> = s.chars().collect();
    let mut out: Option<Vec<char>> = None;
    let alnum = |i: Option<usize>| {
        i.and_then(|i| c.get(i))
            .is_some_and(|x| x.is_ascii_alphanumeric())
    };
    let mut i = 0;
    while i < c.len() {
        // Plain: 18 characters; grouped: 6 + sep + 8 + sep + 4 = 20.
        let mut hit = None;
        if i + 18 <= c.len()
            && (0..17).all(|k| is_id_char(c[i + k], false))
            && is_id_char(c[i + 17], true)
            && !alnum(i.checked_sub(1))
            && !alnum(Some(i + 18))
        {
            hit = Some((18, vec![]));
        } else if i + 20 <= c.len()
            && matches!(c[i + 6], ' ' | '-')
            && c[i + 15] == c[i + 6]
            && (0..6)
                .chain(7..15)
                .chain(16..19)
                .all(|k| is_id_char(c[i + k], false))
            && is_id_char(c[i + 19], true)
            && !alnum(i.checked_sub(1))
            && !alnum(Some(i + 20))
        {
            hit = Some((20, vec![i + 6, i + 15]));
        }
        if let Some((len, seps)) = hit {
            let o = out.get_or_insert_with(|| c.clone());
            // Keep the first 6 and the last 4 digits; separators stay.
            let digits: Vec<usize> = (i..i + len).filter(|k| !seps.contains(k)).collect();
            for &k in &digits[6..digits.len() - 4] {
                o[k] = '*';
            }
            i += len;
            continue;
        }
        i += 1;
    }
    match out {
        Some(o) => Cow::Owned(o.into_iter().collect()),
        None => Cow::Borrowed(s),
    }
}

fn mask_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let Cow::Owned(m) = mask_ids(s) {
                *s = m;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(mask_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(mask_json),
        _ => {}
    }
}

fn mask_string(s: &mut String) {
    if let Cow::Owned(m) = mask_ids(s) {
        *s = m;
    }
}

/// Masks the readable fields of a finding (message, URL, target, evidence); the fingerprint
/// and rule stay as they are.
pub fn mask_finding(f: &mut Finding) {
    mask_string(&mut f.message);
    mask_string(&mut f.url);
    if let Some(t) = f.target.as_mut() {
        mask_string(t);
    }
    mask_json(&mut f.evidence);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_plain_and_grouped_numbers_only() {
        assert_eq!(
            mask_ids(
                "张三 11010519491231002X，李四 110105 19491231 0021；王五 440524-18800101-0014"
            ),
            "张三 110105********002X，李四 110105 ******** 0021；王五 440524-********-0014"
        );
        for keep in [
            "P020221019512345678901.pdf",
            "110105********002X",
            "电话 0632-5512345",
            "索引号 11370481004331876H/2022-00128",
            "ID11010519491231002X",
        ] {
            assert_eq!(mask_ids(keep), keep);
        }
    }

    #[test]
    fn findings_are_masked_everywhere_readable() {
        let mut f: Finding = serde_json::from_value(serde_json::json!({
            "rule": "x", "severity": "error", "url": "http://a/?id=11010519491231002X",
            "target": null, "department": "d", "message": "号码 11010519491231002X",
            "evidence": {"list": ["11010519491231002X"]}, "fingerprint": "f",
            "ledger": [], "fetch_id": null
        }))
        .unwrap();
        mask_finding(&mut f);
        let all = serde_json::to_string(&f).unwrap();
        assert!(!all.contains("11010519491231002X"));
        assert!(all.contains("110105********002X"));
    }
}
