//! `id-number`: an unmasked resident ID number (居民身份证号码) in page text.
//!
//! How: scans the text of crawled pages and of checked attachments whose text is available (a
//! non-HTML target with a page model) for 18-character runs of 17 digits + a digit or X that
//! stand alone (no ASCII letter or digit right before or after), whose first two digits are a
//! province code, whose birth date (digits 7–14) is a real date between 1800 and the as-of date,
//! and whose check digit is right (ISO 7064 MOD 11-2: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
//! check = "10X98765432"[Σ mod 11]). Numbers written in 6-8-4 groups split by single spaces or
//! hyphens (`110105 19491231 002X`, `110105-19491231-002X`) count too. Masked numbers
//! (3704811990****1234) never match. One finding per page; the evidence keeps the numbers masked
//! (first 6 and last 4 characters) and the full number is never stored.
//! Attachments read in full (`Site::attachments`: xlsx, xls, docx, pdf, csv ...) are scanned
//! chunk by chunk: one finding per attachment at the attachment's URL, whose evidence names the
//! locations (`Sheet2!C5`, `第3页`, `表格1 第2行第3列`) and the pages linking it; the department
//! is the linking page's.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::text::fold;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "页面或附件文本中含有未脱敏的18位身份证号码";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Also scan checked (not crawled) non-HTML targets that carry text (attachments).
    pub attachments: bool,
    /// At most this many masked numbers in one finding's evidence.
    pub max_examples: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            attachments: true,
            max_examples: 10,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
const PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// True when `id` (18 chars) is a valid resident ID number on `as_of`.
pub(crate) fn valid_id(id: &str, as_of: NaiveDate) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let last = b[17].to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == b'X') {
        return false;
    }
    let d = |r: std::ops::Range<usize>| id[r].parse::<u32>().unwrap_or(0);
    if !PROVINCES.contains(&d(0..2)) {
        return false;
    }
    let (y, m, day) = (d(6..10) as i32, d(10..12), d(12..14));
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(birth) if y >= 1800 && birth <= as_of && y <= as_of.year() => {}
        _ => return false,
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| (c - b'0') as u32 * w)
        .sum();
    CHECK[(sum % 11) as usize] == last
}

/// First 6 and last 4 characters kept.
pub(crate) fn mask(id: &str) -> String {
    format!("{}********{}", &id[..6], &id[14..])
}

/// Valid ID numbers in `text`, masked: whole 18-character runs, then 6-8-4 groups.
pub(crate) fn find_ids(text: &str, as_of: NaiveDate) -> Vec<String> {
    let t = fold(text);
    let mut out = whole_runs(&t, as_of);
    out.extend(grouped(&t, as_of));
    out
}

/// `110105 19491231 002X` / `110105-19491231-002X`: the same separator twice, nothing
/// alphanumeric (or a further separator and digit) around the groups.
fn grouped(t: &str, as_of: NaiveDate) -> Vec<String> {
    // Read as bytes: every character of the pattern and of its surroundings that matters is
    // ASCII, and no byte of a multi-byte character is an ASCII digit, letter or separator, so
    // byte positions inside the 20 pattern bytes are character positions (this ran a vector of
    // every character of every page).
    let c = t.as_bytes();
    let at = |i: usize| c.get(i).copied();
    let digit = |i: usize| at(i).is_some_and(|x| x.is_ascii_digit());
    let mut out = Vec::new();
    let mut i = 0;
    while i + 20 <= c.len() {
        if !digit(i) {
            i += 1;
            continue;
        }
        let sep = at(i + 6);
        let ok = (1..6).all(|k| digit(i + k))
            && matches!(sep, Some(b' ' | b'-'))
            && (7..15).all(|k| digit(i + k))
            && at(i + 15) == sep
            && (16..19).all(|k| digit(i + k))
            && at(i + 19).is_some_and(|x| x.is_ascii_digit() || x == b'X' || x == b'x');
        let before = i.checked_sub(1).and_then(at);
        let after = at(i + 20);
        let alnum = |x: Option<u8>| x.is_some_and(|x| x.is_ascii_alphanumeric());
        let longer =
            |x: Option<u8>, y: Option<u8>| x == sep && y.is_some_and(|y| y.is_ascii_digit());
        if ok
            && !alnum(before)
            && !alnum(after)
            && !longer(before, i.checked_sub(2).and_then(at))
            && !longer(after, at(i + 21))
        {
            let id: String = t[i..i + 20]
                .chars()
                .filter(|x| *x != ' ' && *x != '-')
                .collect();
            if valid_id(&id, as_of) {
                out.push(mask(&id));
                i += 20;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn whole_runs(t: &str, as_of: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<String>| {
        if run.len() == 18 && valid_id(run, as_of) {
            out.push(mask(run));
        }
        run.clear();
    };
    for c in t.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

pub struct IdNumber {
    p: Params,
}
crate::check_glue!(IdNumber);

impl Check for IdNumber {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, _cx: &RuleCx<'_>, _i: usize) -> Option<Applies> {
        Some(Applies::Judged(
            "检查页面文字中是否有未脱敏的身份证号码".into(),
        ))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let read: std::collections::HashSet<&str> =
            sm.site.attachments.iter().map(|a| a.url.as_str()).collect();
        let mut pages: Vec<usize> = sm.crawled.clone();
        if self.p.attachments {
            for (i, p) in sm.site.pages.iter().enumerate() {
                let html = p.content_type.as_deref().is_none_or(|c| c.contains("html"));
                if !p.crawled
                    && !html
                    && p.model.is_some()
                    && sm.lookup(&p.url) == Some(i)
                    && !read.contains(p.url.as_str())
                {
                    pages.push(i);
                }
            }
        }
        for i in pages {
            self.page(cx, i);
        }
        if self.p.attachments {
            for a in &sm.site.attachments {
                self.attachment(cx, a);
            }
        }
    }
}

impl IdNumber {
    fn page(&self, cx: &mut RuleCx<'_>, i: usize) {
        let sm = cx.site;
        let mut ids = find_ids(&sm.text(i), cx.as_of());
        if ids.is_empty() {
            return;
        }
        let count = ids.len();
        ids.dedup();
        ids.truncate(self.p.max_examples);
        let p = sm.page(i);
        let attachment = !p.crawled;
        let msg = format!(
            "{}中有{}处未脱敏的身份证号码（如 {}），应作去标识化处理",
            if attachment { "附件" } else { "页面" },
            count,
            ids[0]
        );
        let ev = json!({"count": count, "masked": ids, "attachment": attachment, "content_type": p.content_type});
        let dept = if attachment {
            // An attachment belongs to the page that links it.
            sm.all_links()
                .find(|l| l.target_url.and_then(|u| sm.lookup(u)) == Some(i))
                .and_then(|l| sm.lookup(sm.source_url(&l)))
                .map(|s| cx.dept_page(s))
                .unwrap_or_else(|| cx.dept_for(&p.url, &[]))
        } else {
            cx.dept_page(i)
        };
        cx.emit(
            Emit::new(&p.url, dept, msg, ev)
                .subject(vec![p.url.to_string()])
                .fetch(p.fetch_id),
        );
    }

    /// One finding per attachment read in full, with the locations of the numbers.
    fn attachment(&self, cx: &mut RuleCx<'_>, a: &crate::site::SiteAttachment) {
        let mut count = 0usize;
        let mut masked: Vec<String> = Vec::new();
        let mut locations: Vec<String> = Vec::new();
        for c in &a.chunks {
            let ids = find_ids(&c.text, cx.as_of());
            if ids.is_empty() {
                continue;
            }
            count += ids.len();
            if locations.len() < self.p.max_examples {
                locations.push(c.loc.clone());
            }
            for id in ids {
                if masked.len() < self.p.max_examples && !masked.contains(&id) {
                    masked.push(id);
                }
            }
        }
        if count == 0 {
            return;
        }
        let (linked_from, dept) = crate::attach::linking(cx, a, 10);
        let msg = format!(
            "附件中有{}处未脱敏的身份证号码（如 {}，位置 {}），应作去标识化处理",
            count, masked[0], locations[0]
        );
        let ev = json!({
            "count": count,
            "masked": masked,
            "attachment": true,
            "format": a.format,
            "locations": locations,
            "linked_from": linked_from,
        });
        cx.emit(
            Emit::new(&a.url, dept, msg, ev)
                .subject(vec![a.url.clone()])
                .fetch(a.fetch_id),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    fn as_of() -> NaiveDate {
        date(2022, 7, 1)
    }

    #[test]
    fn test_vectors_and_traps() {
        assert!(valid_id("11010519491231002X", as_of()));
        assert!(valid_id("440524188001010014", as_of()));
        assert!(valid_id("11010519491231002x", as_of()));
        assert!(!valid_id("110105194912310021", as_of()), "bad check digit");
        assert!(!valid_id("110105194913310025", as_of()), "month 13");
        assert!(
            !valid_id("110105203012310021", as_of()),
            "born in the future"
        );
        assert!(!valid_id("991105194912310021", as_of()), "no such province");
        assert!(!valid_id("440524179901010014", as_of()), "before 1800");
        assert_eq!(mask("11010519491231002X"), "110105********002X");
    }

    #[test]
    fn scanning() {
        let t = "公示名单：张三 11010519491231002X；李四 110105********002X；王五 1101051949****002X；编号 911101051949123100211；身份证：１１０１０５１９４９１２３１００２Ｘ；ID11010519491231002X";
        let ids = find_ids(t, as_of());
        assert_eq!(ids, vec!["110105********002X", "110105********002X"]);
        assert!(find_ids("110105194912310021 110105194913310025", as_of()).is_empty());
    }

    #[test]
    fn grouped_ids() {
        let t = "张三 110105 19491231 002X；李四 110105-19491231-002x；混合 110105 19491231-002X；\
                 续 1 110105 19491231 002X；错 110105 19491231 0021；电话 0632-5512345-1234";
        assert_eq!(
            find_ids(t, as_of()),
            vec!["110105********002X", "110105********002x"]
        );
    }

    #[test]
    fn attachment_text_findings_carry_locations() {
        let mut s = site(vec![page(ROOT, home(""))]);
        let url = u("fj/list.xlsx");
        s.links
            .push(link(ROOT, &url, gongkai_page::LinkKind::Attachment, "名单"));
        let chunk = |loc: &str, text: &str| crate::TextChunk {
            loc: loc.into(),
            text: text.into(),
        };
        s.attachments.push(crate::SiteAttachment {
            fetch_id: 7,
            url: url.clone(),
            format: "xlsx".into(),
            chunks: vec![
                chunk("Sheet1!A1", "补贴发放名单"),
                chunk("Sheet2!C5", "11010519491231002X"),
                chunk("Sheet2!C6", "110105********002X"),
                chunk("Sheet2!C7", "440524 18800101 0014"),
            ],
            ..Default::default()
        });
        let f = run("privacy.id-number", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].url, url);
        assert_eq!(f[0].evidence["count"], 2);
        assert_eq!(f[0].evidence["locations"][0], "Sheet2!C5");
        assert_eq!(f[0].evidence["locations"][1], "Sheet2!C7");
        assert_eq!(f[0].evidence["linked_from"][0], ROOT);
        let all = serde_json::to_string(&f[0]).unwrap();
        assert!(!all.contains("11010519491231002X") && !all.contains("18800101"));
    }

    #[test]
    fn finding_keeps_number_masked() {
        let s = site(vec![
            page(ROOT, home("")),
            page(
                &u("gs/t1.html"),
                article(
                    "补助发放公示",
                    "张三 11010519491231002X 李四 110105194912310021",
                ),
            ),
        ]);
        let f = run("privacy.id-number", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["count"], 1);
        let all = serde_json::to_string(&f[0]).unwrap();
        assert!(!all.contains("11010519491231002X"));
        assert!(all.contains("110105********002X"));
        // A text attachment that was only checked.
        let mut att = target(&u("gs/list.txt"), gongkai_core::FetchOutcome::Ok, Some(200));
        att.content_type = Some("text/plain".into());
        att.model = Some(Box::new(gongkai_page::PageModel {
            text: "王五 11010519491231002X".into(),
            ..Default::default()
        }));
        let mut s = site(vec![page(ROOT, home("")), att]);
        s.links.push(link(
            ROOT,
            &u("gs/list.txt"),
            gongkai_page::LinkKind::Attachment,
            "名单",
        ));
        let f = run("privacy.id-number", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["attachment"], true);
    }
}
