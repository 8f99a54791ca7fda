//! Labelled elements: a block whose children are a label element followed by the value, in
//! whatever elements the template uses:
//! `<dd><label>发布机构：</label><div class="display-block">万载县统计局</div></dd>` (江西 platform),
//! `<li><span>名称：</span><span>值</span></li>`, `<p><strong>索引号</strong>：000014349/2022-00056</p>`,
//! `<div class="xxgk-item"><span class="lab">文号</span><span>鄂政办发〔2022〕3号</span></div>`.
//! A label element may be followed by several value nodes, and several label elements may share
//! one block. Line parsing would read the label with an empty value whenever the value sits in a
//! nested block, which is why these are read from the element structure first.

use super::{clean_value, label_cell, Pair, MAX_VALUE_CHARS};
use crate::dom::{self, Nd, BOUNDARY};
use crate::labels::{field_of, normalize_label};
use scraper::Node;

/// Label elements are short.
const MAX_LABEL_BYTES: usize = 60;
/// At most this many children are looked at.
const MAX_CHILDREN: usize = 40;

enum Part {
    Label(String),
    Value(String),
}

/// Reads `el` as label element(s) + values. Pushes the pairs and returns true when `el` is such
/// an element (its first non-empty child is a label element holding a known field label, and no
/// value holds a further `label：`); returns false and pushes nothing otherwise.
pub(super) fn element(el: Nd<'_>, pairs: &mut Vec<Pair>) -> bool {
    if !matches!(
        dom::tag(el),
        Some("li" | "dd" | "dt" | "p" | "div" | "section" | "td" | "th")
    ) {
        return false;
    }
    let Some(first_el) = first_small_element(el) else {
        return false;
    };
    // A field label's last character is in its element's text (most first elements, menu
    // entries and the like, have none): nothing is gathered otherwise.
    let may_label = first_el
        .descendants()
        .filter_map(|d| d.value().as_text())
        .any(|t| super::may_end_label(t));
    if !may_label {
        return false;
    }
    let first_text = dom::text(first_el, MAX_LABEL_BYTES + 1);
    if first_text.len() > MAX_LABEL_BYTES || field_of(&normalize_label(&first_text)).is_none() {
        return false;
    }
    let Some(parts) = parts(el) else {
        return false;
    };
    let Some(Part::Label(first)) = parts.first() else {
        return false;
    };
    if field_of(first).is_none() {
        return false;
    }
    // A lone label cell is left to the table reader.
    if parts.len() == 1 && matches!(dom::tag(el), Some("td" | "th")) {
        return false;
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let Part::Label(label) = &parts[i] else {
            i += 1;
            continue;
        };
        let mut value = String::new();
        i += 1;
        while let Some(Part::Value(v)) = parts.get(i) {
            value.push(BOUNDARY);
            value.push_str(v);
            i += 1;
        }
        let value = clean_value(value.trim_start_matches([BOUNDARY, ' ', '：', ':']));
        let value = value.trim_start_matches(['：', ':']).trim().to_string();
        // A value that itself holds a label is a line of several pairs: line parsing reads it.
        if value.chars().count() > MAX_VALUE_CHARS || !super::parse_line(&value).is_empty() {
            return false;
        }
        out.push((label.clone(), value));
    }
    let block = el.parent().unwrap_or(el).id();
    for (label, value) in out {
        pairs.push(Pair {
            label,
            value,
            block,
            prose: false,
        });
    }
    true
}

/// The element's children as labels and values; None when a child is too big to be part of a
/// metadata line or there are too many children.
fn parts(el: Nd<'_>) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    for (i, c) in el.children().enumerate() {
        if i >= MAX_CHILDREN {
            return None;
        }
        match c.value() {
            Node::Text(t) => {
                let t = dom::collapse(t);
                if !t.is_empty() {
                    parts.push(Part::Value(t));
                }
            }
            Node::Element(e) => {
                if dom::is_invisible_tag(e.name()) {
                    continue;
                }
                let t = dom::text(c, MAX_VALUE_CHARS * 4 + 1);
                if t.is_empty() {
                    continue;
                }
                if t.len() > MAX_VALUE_CHARS * 4 {
                    return None;
                }
                if t.len() <= MAX_LABEL_BYTES && !has_nested_label(c) {
                    let label = normalize_label(&t);
                    if label_cell(&t, &label) && !value_like_label(&label) {
                        parts.push(Part::Label(label));
                        continue;
                    }
                }
                parts.push(Part::Value(t));
            }
            _ => {}
        }
    }
    Some(parts)
}

/// Cheap pre-check run on every block: the first non-blank child is a small element (a label
/// has at most a few nodes), so big subtrees are never gathered for nothing.
fn first_small_element(el: Nd<'_>) -> Option<Nd<'_>> {
    for c in el.children().take(MAX_CHILDREN) {
        match c.value() {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(_) => return None,
            Node::Element(e) if dom::is_invisible_tag(e.name()) => {}
            Node::Element(_) => {
                let small = c.descendants().take(8).count() < 8;
                if small && c.descendants().all(|d| !d.value().is_text()) {
                    continue; // an empty icon element before the label
                }
                return small.then_some(c);
            }
            _ => {}
        }
    }
    None
}

/// A label element is a leaf as labels go: `<span><b>文号</b>：</span>` is fine, a `div`
/// holding two label spans is not one label.
fn has_nested_label(n: Nd<'_>) -> bool {
    dom::child_elements(n).count() > 2
}

/// Short values that end in a colon but are not labels (times such as "11:54" are excluded by
/// `label_cell` already; this keeps bracketed notes out).
fn value_like_label(label: &str) -> bool {
    label
        .chars()
        .all(|c| c.is_ascii_digit() || c == ':' || c == '-')
}
