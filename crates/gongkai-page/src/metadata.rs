//! The 政务公开 metadata block (索引号 / 文号 / 成文日期 / 有效性 ...) and the 政府网站发展指引
//! `<meta>` tags.
//!
//! Portals print the block in many shapes; we read four:
//! (a) tables of label cell / value cell, one to three pairs per row;
//! (b) `li`, `p`, `div` whose first element is the label (`<span>索引号</span>…`);
//! (c) `dl > dt / dd`;
//! (d) lines of `label：value`, possibly several per line (`发布时间：… 来源：… 浏览次数：…`).
//!
//! Precision matters more than recall: a false "missing 有效性" sent to a department costs trust.
//! So a line is read only when it is short (≤ 300 chars) and starts with a label (at most a few
//! characters before it), a label must be a known label (or a short one ending in a colon, which
//! only ends values and fills `raw`), values longer than a sentence are dropped, and a container
//! where the same field repeats three times or more is a list (a column page's 发布时间 per item),
//! not a metadata block. Footers are ignored.

use crate::dom::{self, Nd, BOUNDARY};
use crate::labels::{self, field_of, normalize_label, HEADER_WORDS};
use crate::model::Metadata;
use crate::thread_regex::ThreadRegex;
use ego_tree::NodeId;
use regex::Regex;
use rustc_hash::FxHashSet;
use scraper::Node;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Lines longer than this (chars) are body text, not metadata.
const MAX_LINE_CHARS: usize = 300;
/// Values longer than this (chars) are dropped.
const MAX_VALUE_CHARS: usize = 300;
/// Table cells longer than this (bytes) are not values.
const MAX_CELL_BYTES: usize = 1500;
/// At most this many pairs are kept.
const MAX_PAIRS: usize = 300;
/// Non-space characters allowed before the first label of a line (bullets, "【字体：" ...).
const MAX_PREFIX_CHARS: usize = 6;

/// The 政府网站发展指引 meta names, canonical spelling.
pub const GUIDELINE_META: [&str; 15] = [
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Image",
    "Url",
];

static KNOWN_LABEL: ThreadRegex = ThreadRegex::new(|| {
    let alts: Vec<String> = labels::all_labels()
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| regex::escape(&c.to_string()))
                .collect::<Vec<_>>()
                .join("[\\s\\x01]*")
        })
        .collect();
    Regex::new(&format!("({})(?:[\\s\\x01]*[:：]|(\\x01))", alts.join("|"))).expect("label regex")
});

static GENERIC_LABEL: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?:^|[\s\x01|｜丨【\[])(\p{Han}{2,6})[\s\x01]*[:：]").expect("static regex")
});

/// Result of metadata extraction, with what the page-kind decision needs.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub metadata: Metadata,
    /// At least two known fields, one of them specific to disclosure pages (索引号, 文号,
    /// 成文日期, 有效性, 主题分类, 文件类型 ...), not just a news byline (发布时间 + 来源).
    pub disclosure_block: bool,
}

#[derive(Debug, Clone)]
struct Pair {
    label: String,
    value: String,
    block: NodeId,
    /// Read from a line of running text inside the article body (not a table, list or
    /// labelled element): such a pair counts only inside a real metadata block.
    prose: bool,
}

/// Extracts the metadata block from the document (or fragment) rooted at `root`.
pub fn extract(root: Nd<'_>) -> Extracted {
    extract_with_body(root, None)
}

/// Like [`extract`], knowing the article body container: a `label：value` line of body prose
/// there is not a metadata field unless its block holds at least two fields (a metadata block
/// printed inside the body), so "有效期：5年" in the text never becomes the page's 有效性.
pub fn extract_with_body(root: Nd<'_>, body: Option<Nd<'_>>) -> Extracted {
    let mut pairs: Vec<Pair> = Vec::new();
    let mut consumed: FxHashSet<NodeId> = FxHashSet::default();
    for n in root.descendants() {
        if pairs.len() >= MAX_PAIRS {
            break;
        }
        let Node::Element(e) = n.value() else {
            continue;
        };
        match e.name() {
            "tr" => table_row(n, &mut pairs, &mut consumed),
            "dl" => definition_list(n, &mut pairs, &mut consumed),
            name if (dom::is_block_tag(name) || name == "body")
                && !consumed.contains(&n.id())
                && !matches!(
                    name,
                    "table" | "tbody" | "thead" | "tfoot" | "tr" | "ul" | "ol" | "dl"
                ) =>
            {
                read_block(n, body, &mut pairs);
            }
            _ => {}
        }
    }
    select::select(root, pairs)
}

/// Reads a block as labelled elements, else as lines (marked as prose inside the body).
fn read_block(n: Nd<'_>, body: Option<Nd<'_>>, pairs: &mut Vec<Pair>) {
    if labelled::element(n, pairs) {
        return;
    }
    let from = pairs.len();
    block_lines(n, pairs);
    if pairs.len() == from {
        return;
    }
    let prose = body.is_some_and(|b| b.id() == n.id() || n.ancestors().any(|a| a.id() == b.id()));
    for p in &mut pairs[from..] {
        p.prose = prose;
    }
}

/// Reads the `<meta name=... content=...>` tags named by the 政府网站发展指引, by canonical name;
/// names match case-insensitively, the first occurrence wins.
pub fn guideline_meta(root: Nd<'_>) -> BTreeMap<String, String> {
    guideline_meta_of(
        root.descendants()
            .take(crate::index::EARLY_NODES)
            .filter(|n| dom::is_tag(*n, &html5ever::local_name!("meta"))),
    )
}

/// [`guideline_meta`] of the page's `<meta>` elements, in document order.
pub(crate) fn guideline_meta_of<'a>(
    metas: impl IntoIterator<Item = Nd<'a>>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for n in metas {
        let Some(name) = dom::attr(n, "name") else {
            continue;
        };
        let name = name.trim();
        let Some(canon) = GUIDELINE_META.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
            continue;
        };
        if out.contains_key(*canon) {
            continue;
        }
        let mut v = dom::collapse(dom::attr(n, "content").unwrap_or(""));
        dom::truncate(&mut v, 2000);
        out.insert((*canon).to_string(), v);
    }
    out
}

fn table_row(tr: Nd<'_>, pairs: &mut Vec<Pair>, consumed: &mut FxHashSet<NodeId>) {
    let cells: Vec<Nd<'_>> = dom::child_elements(tr)
        .filter(|c| matches!(dom::tag(*c), Some("td" | "th")))
        .take(16)
        .collect();
    if cells.len() < 2
        || cells
            .iter()
            .all(|c| dom::is_tag(*c, &html5ever::local_name!("th")))
    {
        return;
    }
    if cells.iter().any(|c| has_descendant_tag(*c, "table")) {
        return;
    }
    let Some(block) = ancestor_tag(tr, "table") else {
        return;
    };
    let texts: Vec<String> = cells
        .iter()
        .map(|c| dom::text(*c, MAX_CELL_BYTES + 1))
        .collect();
    let mut i = 0;
    while i + 1 < cells.len() {
        let label = normalize_label(&texts[i]);
        // A `th` beside a `td` is a label by markup, known or not (留言时间, 答复内容 ...).
        let th_label = dom::tag(cells[i]) == Some("th")
            && dom::tag(cells[i + 1]) == Some("td")
            && !label.is_empty()
            && label.chars().count() <= 10
            && !label.chars().any(|c| c.is_ascii_digit());
        let is_label = th_label || label_cell(&texts[i], &label);
        if !is_label {
            i += 1;
            continue;
        }
        let value = &texts[i + 1];
        let value_label = normalize_label(value);
        let value_is_label =
            label_cell(value, &value_label) || HEADER_WORDS.contains(&value_label.as_str());
        if value_is_label || value.len() > MAX_CELL_BYTES {
            i += 1;
            continue;
        }
        consumed.insert(cells[i].id());
        consumed.insert(cells[i + 1].id());
        pairs.push(Pair {
            label,
            value: clean_value(value),
            block: block.id(),
            prose: false,
        });
        i += 2;
    }
}

/// A cell is a label cell when its text is a known label (a field's or a letter page's), or short
/// text ending in a colon.
pub(crate) fn label_cell(text: &str, normalized: &str) -> bool {
    if normalized.is_empty() || normalized.chars().count() > 10 {
        return false;
    }
    if field_of(normalized).is_some() || crate::labels::is_letter_label(normalized) {
        return true;
    }
    let t = text.trim_end();
    (t.ends_with('：') || t.ends_with(':')) && !normalized.chars().any(|c| c.is_ascii_digit())
}

fn definition_list(dl: Nd<'_>, pairs: &mut Vec<Pair>, consumed: &mut FxHashSet<NodeId>) {
    let kids: Vec<Nd<'_>> = dom::child_elements(dl).take(200).collect();
    for (i, dt) in kids.iter().enumerate() {
        if !dom::is_tag(*dt, &html5ever::local_name!("dt")) {
            continue;
        }
        let Some(dd) = kids.get(i + 1).filter(|d| dom::tag(**d) == Some("dd")) else {
            continue;
        };
        let lt = dom::text(*dt, 200);
        let label = normalize_label(&lt);
        if !label_cell(&lt, &label) {
            continue;
        }
        let value = dom::text(*dd, MAX_CELL_BYTES + 1);
        if value.len() > MAX_CELL_BYTES {
            continue;
        }
        consumed.insert(dt.id());
        consumed.insert(dd.id());
        pairs.push(Pair {
            label,
            value: clean_value(&value),
            block: dl.id(),
            prose: false,
        });
    }
}

/// Splits a block element's direct content into runs of inline content (separated by nested
/// blocks) and reads each short run as a `label：value` line.
fn block_lines(el: Nd<'_>, pairs: &mut Vec<Pair>) {
    // Runs as (text, length): the text leaves out leading ASCII whitespace (collapsing drops it
    // anyway), the length counts it (the budget is on the run as written). Blank runs (the
    // whitespace between block children) are never kept: they read as no line.
    let mut runs: Vec<(String, usize)> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    let mut had_block_child = false;
    let budget = MAX_LINE_CHARS * 4 + 64;
    for c in el.children() {
        match c.value() {
            Node::Text(t) if cur_len <= budget => {
                cur_len += t.len();
                if !cur.is_empty() || !t.bytes().all(|b| b.is_ascii_whitespace()) {
                    cur.push_str(t);
                }
            }
            Node::Text(_) => {}
            Node::Element(e) => {
                let name = e.name();
                if dom::is_invisible_tag(name) {
                    continue;
                }
                if dom::is_block_tag(name) || has_block_descendant(c) {
                    had_block_child = true;
                    if !cur.is_empty() {
                        runs.push((std::mem::take(&mut cur), cur_len));
                    }
                    cur_len = 0;
                    continue;
                }
                if cur_len <= budget {
                    let marked = dom::marked_text(c, budget);
                    cur.reserve(marked.len() + 2);
                    cur.push(BOUNDARY);
                    cur.push_str(&marked);
                    cur.push(BOUNDARY);
                    cur_len += marked.len() + 2;
                }
            }
            _ => {}
        }
    }
    if !cur.is_empty() {
        runs.push((cur, cur_len));
    }
    // A leaf block is one line of its parent container; a mixed block is its own container.
    let block = if had_block_child {
        el
    } else {
        el.parent().unwrap_or(el)
    };
    // Footer lines are never metadata; whether the block is in the footer (an ancestor walk) is
    // asked only once a line actually reads as labelled pairs, which few do.
    let mut footer: Option<bool> = None;
    for (run, len) in runs {
        if len > budget {
            continue;
        }
        let line = collapse_line(&run);
        if line.is_empty() || line.chars().count() > MAX_LINE_CHARS {
            continue;
        }
        let parsed = parse_line(&line);
        if parsed.is_empty() {
            continue;
        }
        if *footer.get_or_insert_with(|| in_footer(el)) {
            return;
        }
        for (label, value) in parsed {
            pairs.push(Pair {
                label,
                value,
                block: block.id(),
                prose: false,
            });
        }
    }
}

fn collapse_line(run: &str) -> String {
    // Spaces and markers are normalised as the marked text collapser does.
    dom::collapse_marked(run)
}

struct Occurrence {
    start: usize,
    end: usize,
    label: String,
    colonless: bool,
}

/// Reads one line (boundary-marked, collapsed) as `label：value` pairs. Returns normalised labels
/// and cleaned values; empty unless the line has a known field label near its start.
pub(crate) fn parse_line(line: &str) -> Vec<(String, String)> {
    // A known label ends before a colon or an element boundary: most lines (body text, menu
    // entries) have no such place, and the label regex need not run over them.
    if !may_hold_known_label(line) {
        return Vec::new();
    }
    let mut occ: Vec<Occurrence> = Vec::new();
    for c in KNOWN_LABEL.re().captures_iter(line) {
        let (Some(whole), Some(lab)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let colonless = c.get(2).is_some();
        let before = line[..whole.start()].chars().next_back();
        let boundary_ok = match before {
            None => true,
            Some(ch) => ch == BOUNDARY || (!colonless && !ch.is_alphanumeric()),
        };
        if !boundary_ok {
            continue;
        }
        let end = if colonless { lab.end() } else { whole.end() };
        occ.push(Occurrence {
            start: whole.start(),
            end,
            label: normalize_label(lab.as_str()),
            colonless,
        });
    }
    if !occ.iter().any(|o| field_of(&o.label).is_some()) {
        return Vec::new();
    }
    for c in GENERIC_LABEL.re().captures_iter(line) {
        let (Some(whole), Some(lab)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if occ
            .iter()
            .any(|o| o.start < whole.end() && lab.start() < o.end)
        {
            continue;
        }
        occ.push(Occurrence {
            start: lab.start(),
            end: whole.end(),
            label: normalize_label(lab.as_str()),
            colonless: false,
        });
    }
    occ.sort_by_key(|o| o.start);
    // Colon-less labels only count at the very start of the line.
    let mut first = true;
    occ.retain(|o| {
        let keep = !o.colonless || first;
        first = false;
        keep
    });
    let Some(head) = occ.first() else {
        return Vec::new();
    };
    let prefix = &line[..head.start];
    let prefix_chars = prefix
        .chars()
        .filter(|c| *c != BOUNDARY && !c.is_whitespace())
        .count();
    // Words run into the first label make it a sentence ("本通知有效期：五年"), not a field
    // line; bullets, brackets, numbering and text of a preceding element are fine.
    let prefix_han = prefix
        .rsplit(BOUNDARY)
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    if (head.colonless && prefix_chars > 0) || prefix_chars > MAX_PREFIX_CHARS || prefix_han >= 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, o) in occ.iter().enumerate() {
        let stop = occ.get(i + 1).map_or(line.len(), |n| n.start);
        if stop < o.end {
            continue;
        }
        let value = clean_value(&line[o.end..stop]);
        if value.chars().count() > MAX_VALUE_CHARS {
            continue;
        }
        out.push((o.label.clone(), value));
    }
    out
}

/// The last characters of the known labels, as a bit set over the Basic Multilingual Plane
/// (where every label's characters are).
static LABEL_ENDS: LazyLock<Box<[u64; 1024]>> = LazyLock::new(|| {
    let mut bits = Box::new([0u64; 1024]);
    for c in labels::all_labels()
        .iter()
        .filter_map(|l| l.chars().next_back())
    {
        let c = c as usize;
        if let Some(w) = bits.get_mut(c >> 6) {
            *w |= 1 << (c & 63);
        }
    }
    bits
});

/// Whether `c` ends a known label.
fn ends_label(ends: &[u64; 1024], c: char) -> bool {
    let c = c as usize;
    ends.get(c >> 6).is_some_and(|w| w >> (c & 63) & 1 == 1)
}

/// Whether `t` holds the last character of a known label (else no label can be read from it).
pub(crate) fn may_end_label(t: &str) -> bool {
    let ends = &**LABEL_ENDS;
    t.chars().any(|c| ends_label(ends, c))
}

/// Whether [`KNOWN_LABEL`] may match in `line`: a known label's last character followed,
/// past spaces and markers, by a colon or a marker. Lines of body text that end a salutation or
/// an introduction with a colon mostly have none, and the label regex need not run over them.
fn may_hold_known_label(line: &str) -> bool {
    let b = line.as_bytes();
    let ends = &**LABEL_ENDS;
    let mut from = 0;
    // memchr3 skips the text between candidates many bytes at a time.
    while let Some(off) = memchr::memchr3(b':', BOUNDARY as u8, 0xEF, &b[from..]) {
        let at = from + off;
        from = at + 1;
        // '：' is EF BC 9A; other characters with lead byte EF are not separators.
        if b[at] == 0xEF && !b[at..].starts_with("：".as_bytes()) {
            continue;
        }
        let before = line[..at]
            .chars()
            .rev()
            .find(|c| *c != BOUNDARY && !c.is_whitespace());
        if before.is_some_and(|c| ends_label(ends, c)) {
            return true;
        }
    }
    false
}

/// Cleans a value: boundary markers vanish (or become a space between ASCII words), whitespace
/// collapses, separators left dangling at either end go.
pub(crate) fn clean_value(s: &str) -> String {
    let mut joined = String::with_capacity(s.len());
    // The last character before the current one that is not a marker.
    let mut prev: Option<char> = None;
    for (i, ch) in s.char_indices() {
        if ch == BOUNDARY {
            // The marker is one byte; the next character that is not one is looked for only
            // when the previous one could make a space.
            if prev.is_some_and(|c| c.is_ascii_alphanumeric())
                && s[i + 1..]
                    .chars()
                    .find(|c| *c != BOUNDARY)
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                joined.push(' ');
            }
        } else {
            joined.push(ch);
            prev = Some(ch);
        }
    }
    let collapsed = dom::collapse(&joined);
    let trimmed = collapsed.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '|' | '｜' | '丨' | '/' | '，' | ',' | '；' | ';' | '【' | '】'
            )
    });
    let mut v = trimmed.to_string();
    // A value cut out of "（来源：大众日报）" keeps an unbalanced closing bracket.
    for (open, close) in [('（', '）'), ('(', ')')] {
        if v.ends_with(close) && !v.contains(open) {
            v.pop();
        }
    }
    dom::truncate(&mut v, 2000);
    v.trim_end().to_string()
}

pub(crate) fn in_footer(n: Nd<'_>) -> bool {
    let mut cur = Some(n);
    let mut depth = 0;
    while let Some(x) = cur {
        if let Node::Element(e) = x.value() {
            if e.name() == "footer" {
                return true;
            }
            if dom::any_class_id_token(e, |t| {
                matches!(t, "footer" | "foot" | "copyright" | "bottom")
            }) {
                return true;
            }
        }
        depth += 1;
        if depth > 40 {
            break;
        }
        cur = x.parent();
    }
    false
}

fn ancestor_tag<'a>(n: Nd<'a>, name: &str) -> Option<Nd<'a>> {
    n.ancestors().take(8).find(|a| dom::tag(*a) == Some(name))
}

fn has_descendant_tag(n: Nd<'_>, name: &str) -> bool {
    n.descendants()
        .skip(1)
        .take(500)
        .any(|d| dom::tag(d) == Some(name))
}

/// True when an inline element wraps block content (looked at within its first 200 nodes; a
/// bigger subtree is treated as block too).
fn has_block_descendant(n: Nd<'_>) -> bool {
    let mut count = 0;
    for d in n.descendants().skip(1) {
        count += 1;
        if count > 200 {
            return true;
        }
        if dom::tag(d).is_some_and(dom::is_block_tag)
            && !dom::is_tag(d, &html5ever::local_name!("br"))
        {
            return true;
        }
    }
    false
}

mod labelled;
mod select;

#[cfg(test)]
mod tests;
