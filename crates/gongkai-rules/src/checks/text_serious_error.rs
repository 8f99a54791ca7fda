//! `text-serious-error`: a protected term (国名, 党和国家机构, 固定政治表述, place names) misspelt.
//!
//! How: for each protected term of at least 3 characters (the pack's national list plus the
//! site's `local_terms`), the misspellings considered are exactly: one character replaced by a
//! character of its group in the shipped confusion table (same pinyin or similar shape:
//! 中华人民共合国, 社会注义, 攻府), one interior character doubled (terms of ≥ 4 characters:
//! 中华人民共和和国), and one interior character dropped (terms of ≥ 5 characters: 齐齐哈市).
//! Never a generic edit distance. A variant that contains a protected term itself, is on the
//! `allow` list, or whose surroundings (±len of the term) contain the correct term is skipped:
//! that keeps 山西省/陕西省, 中国共产党党员 and 社会主义义务 silent. A dropped-character variant whose
//! last character begins an `ordinary_words` word that the text goes on with is an abbreviation
//! (监察委 + 会同), skipped too. Page titles and texts are scanned.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

pub const SUMMARY: &str = "国名、机构名称、固定政治表述、地名等重要表述的错别字";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// The national list (shipped in the pack).
    pub terms: Vec<String>,
    /// The site's own: leaders' names and titles, local organs, towns.
    pub local_terms: Vec<String>,
    /// Groups of mutually confusable characters (same pinyin / similar shape), one string each.
    pub confusions: Vec<String>,
    /// Misspellings (or text around them) that are known to be right here.
    pub allow: Vec<String>,
    /// Ordinary words that a dropped-character variant's last character may begin: "监察委会同"
    /// is the abbreviation 监察委 and 会同 ("jointly with"), not 监察委员会 missing 员.
    pub ordinary_words: Vec<String>,
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        for (name, list) in [("terms", &self.terms), ("local_terms", &self.local_terms)] {
            if let Some((k, t)) = list
                .iter()
                .enumerate()
                .find(|(_, t)| t.trim().chars().count() < 3)
            {
                return Err(bad(
                    &format!("{name}.{k}"),
                    format!("term “{t}” is shorter than 3 characters: too many false hits"),
                ));
            }
        }
        if self.terms.is_empty() && self.local_terms.is_empty() {
            return Err(bad("terms", "at least one protected term"));
        }
        Ok(())
    }
}

/// How a variant differs from its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Replaced { at: usize, by: char },
    Doubled { at: usize },
    Dropped { at: usize },
}

struct Variant {
    text: String,
    term: usize,
    how: How,
}

pub struct TextSeriousError {
    p: Params,
    terms: Vec<String>,
    variants: Vec<Variant>,
    ac: Option<AhoCorasick>,
}

impl super::Kind for TextSeriousError {
    type Params = Params;
    fn new(p: Params) -> Result<Self, ParamError> {
        p.validate()?;
        let terms: Vec<String> = p
            .terms
            .iter()
            .chain(&p.local_terms)
            .map(|t| t.trim().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let variants = variants(&terms, &p.confusions, &p.allow);
        // A contiguous NFA: cheap to build (the pack is compiled often), fast enough to scan.
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(variants.iter().map(|v| v.text.as_str()))
            .map_err(|e| bad("terms", format!("cannot build the matcher: {e}")))?;
        Ok(TextSeriousError {
            p,
            terms,
            variants,
            ac: Some(ac),
        })
    }
}

/// Every misspelling of every term that the table allows, minus those containing a protected
/// term and those allowed.
fn variants(terms: &[String], confusions: &[String], allow: &[String]) -> Vec<Variant> {
    let mut conf: HashMap<char, BTreeSet<char>> = HashMap::new();
    for g in confusions {
        let cs: Vec<char> = g.chars().filter(|c| !c.is_whitespace()).collect();
        for &a in &cs {
            conf.entry(a)
                .or_default()
                .extend(cs.iter().copied().filter(|&b| b != a));
        }
    }
    let mut out: Vec<Variant> = Vec::new();
    let mut seen = BTreeSet::new();
    // Membership of protected terms in a variant, one automaton for all terms.
    let protected = AhoCorasick::new(terms).ok();
    for (ti, t) in terms.iter().enumerate() {
        let cs: Vec<char> = t.chars().collect();
        let n = cs.len();
        let mut push = |chars: Vec<char>, how: How| {
            let text: String = chars.into_iter().collect();
            if protected.as_ref().is_none_or(|p| p.is_match(&text))
                || allow.iter().any(|a| !a.is_empty() && a == &text)
                || !seen.insert(text.clone())
            {
                return;
            }
            out.push(Variant {
                text,
                term: ti,
                how,
            });
        };
        for at in 0..n {
            for &by in conf.get(&cs[at]).into_iter().flatten() {
                let mut v = cs.clone();
                v[at] = by;
                push(v, How::Replaced { at, by });
            }
        }
        if n >= 4 {
            for at in 1..n - 1 {
                let mut v = cs.clone();
                v.insert(at, cs[at]);
                push(v, How::Doubled { at });
            }
        }
        if n >= 5 {
            for at in 1..n - 1 {
                let mut v = cs.clone();
                v.remove(at);
                push(v, How::Dropped { at });
            }
        }
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Check for TextSeriousError {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let Some(ac) = &self.ac else { return };
        let sm = cx.site;
        for &i in &sm.crawled {
            let m = sm.model(i);
            let mut reported = BTreeSet::new();
            for text in [m.title.as_str(), m.text.as_str()] {
                let hits: Vec<(usize, usize, usize)> = ac
                    .find_overlapping_iter(text)
                    .map(|h| (h.start(), h.end(), h.pattern().as_usize()))
                    .collect();
                for &(s, e, vi) in &hits {
                    // A misspelt longer term wins over the shorter term inside it.
                    if hits
                        .iter()
                        .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (e2 - s2) > (e - s))
                    {
                        continue;
                    }
                    let v = &self.variants[vi];
                    let term = &self.terms[v.term];
                    if matches!(v.how, How::Dropped { .. }) && self.ends_in_word(text, &v.text, e) {
                        continue;
                    }
                    let near = &text[floor_boundary(text, s.saturating_sub(term.len()))
                        ..ceil_boundary(text, e + term.len())];
                    if near.contains(term.as_str()) {
                        continue;
                    }
                    let ctx_s = floor_boundary(text, s.saturating_sub(60));
                    let ctx_e = ceil_boundary(text, e + 60);
                    let around = &text[ctx_s..ctx_e];
                    if self
                        .p
                        .allow
                        .iter()
                        .any(|a| !a.is_empty() && around.contains(a.as_str()))
                        || !reported.insert(v.text.clone())
                    {
                        continue;
                    }
                    self.emit(cx, i, v, term, around);
                }
            }
        }
    }
}

impl TextSeriousError {
    /// True when the variant's last character and the text after `end` form an ordinary word.
    fn ends_in_word(&self, text: &str, variant: &str, end: usize) -> bool {
        let Some(last) = variant.chars().next_back() else {
            return false;
        };
        let after = &text[end..];
        self.p.ordinary_words.iter().any(|w| {
            let mut cs = w.chars();
            cs.next() == Some(last) && {
                let rest = cs.as_str();
                !rest.is_empty() && after.starts_with(rest)
            }
        })
    }

    fn emit(&self, cx: &mut RuleCx<'_>, i: usize, v: &Variant, term: &str, around: &str) {
        let tc: Vec<char> = term.chars().collect();
        let how = match v.how {
            How::Replaced { at, by } => format!("“{}”误为“{}”", tc[at], by),
            How::Doubled { at } => format!("“{}”重复", tc[at]),
            How::Dropped { at } => format!("漏“{}”字", tc[at]),
        };
        let msg = format!(
            "页面中“{}”疑为“{}”的错误表述（{}）：……{}……",
            v.text, term, how, around
        );
        let ev = json!({
            "found": v.text,
            "term": term,
            "how": how,
            "context": around,
        });
        let p = cx.site.page(i);
        let dept = cx.dept_page(i);
        cx.emit(
            Emit::new(&p.url, dept, msg, ev)
                .fetch(p.fetch_id)
                .subject(vec![p.url.clone(), v.text.clone()]),
        );
    }
}

#[cfg(test)]
#[path = "text_serious_error_tests.rs"]
mod tests;
