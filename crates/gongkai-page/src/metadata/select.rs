//! Choosing the metadata block's fields from every (label, value) pair seen: pairs are grouped
//! by their container, lists (a field repeated three times or more) and footers are dropped,
//! lone body-prose lines are dropped, and each field takes the best value on the page.

use super::{in_footer, Extracted, Pair, MAX_PAIRS};
use crate::dom::Nd;
use crate::labels::{field_of, is_fallback_label, is_placeholder, is_strong_label};
use crate::model::{ArcStr, Field, Metadata};
use ego_tree::NodeId;
use rustc_hash::FxHashMap;

/// Pairs already kept (page text: a seeded hasher).
type SeenRaw = hashbrown::HashSet<(ArcStr, ArcStr), foldhash::fast::RandomState>;

/// Longest value (chars) a 有效性 read from body prose may have: a mark, not a sentence.
const MAX_PROSE_VALIDITY_CHARS: usize = 12;

/// How good a value is for its field, lower is better: the field's own label with a real
/// value, then blank; a fallback label (责任部门, 生成日期, bare 日期) only where the page prints
/// none of the field's own labels, again a real value before a blank one. Among labels of one
/// rank the first on the page wins, so a blank is never recorded over a value the page shows
/// under the same kind of label.
fn rank(label: &str, value: &str) -> u8 {
    let blank = is_placeholder(value);
    let fallback = is_fallback_label(label);
    u8::from(fallback) * 2 + u8::from(blank)
}

/// The field a pair stands for, if any: the bare 日期 / 生成日期 labels count only with a
/// date value (a table header 日期 or "日期：见附件" is not a 发布日期).
fn pair_field(p: &Pair) -> Option<Field> {
    let f = field_of(&p.label)?;
    if f == Field::PublishDate
        && is_fallback_label(&p.label)
        && crate::dates::parse_date(&p.value).is_none()
    {
        return None;
    }
    if f == Field::Validity && p.prose {
        let v = p.value.trim();
        if v.chars().count() > MAX_PROSE_VALIDITY_CHARS || v.contains(['。', '，', ',']) {
            return None;
        }
    }
    Some(f)
}

/// Keeps a (label, value) pair for `md.raw` unless it is there already or the list is full.
fn keep_raw(raw: &mut Vec<(ArcStr, ArcStr)>, seen: &mut SeenRaw, label: ArcStr, value: ArcStr) {
    if raw.len() < MAX_PAIRS && seen.insert((label.clone(), value.clone())) {
        raw.push((label, value));
    }
}

pub(super) fn select(root: Nd<'_>, pairs: Vec<Pair>) -> Extracted {
    // Group by container, in document order of first appearance.
    let mut order: Vec<NodeId> = Vec::new();
    let mut by_block: FxHashMap<NodeId, Vec<Pair>> = FxHashMap::default();
    for p in pairs {
        if !by_block.contains_key(&p.block) {
            order.push(p.block);
        }
        by_block.entry(p.block).or_default().push(p);
    }
    let mut md = Metadata::default();
    let mut ranks: FxHashMap<Field, u8> = FxHashMap::default();
    let mut seen_raw = SeenRaw::default();
    // Collected here and made into `md.raw` once: a push onto `Pairs` copies the list.
    let mut raw: Vec<(ArcStr, ArcStr)> = Vec::new();
    for id in order {
        let Some(block_pairs) = by_block.remove(&id) else {
            continue;
        };
        let mut counts: FxHashMap<Field, usize> = FxHashMap::default();
        for p in &block_pairs {
            if let Some(f) = pair_field(p) {
                *counts.entry(f).or_default() += 1;
            }
        }
        if counts.is_empty() {
            // A labelled block of no known field (留言时间 / 答复内容 in a letter table) is kept
            // as raw pairs for the rules that read them; body prose is not.
            if !root.tree().get(id).is_some_and(in_footer) {
                for p in block_pairs.into_iter().filter(|p| !p.prose) {
                    keep_raw(&mut raw, &mut seen_raw, p.label.into(), p.value.into());
                }
            }
            continue;
        }
        if counts.values().any(|c| *c >= 3) {
            continue;
        }
        // Lines of body prose count only as a block of two fields or more.
        if counts.len() < 2 && block_pairs.iter().all(|p| p.prose) {
            continue;
        }
        if root.tree().get(id).is_some_and(in_footer) {
            continue;
        }
        for p in block_pairs {
            let field = pair_field(&p);
            let value: ArcStr = p.value.as_str().into();
            if let Some(f) = field {
                let r = rank(&p.label, &p.value);
                if ranks.get(&f).is_none_or(|old| r < *old) {
                    ranks.insert(f, r);
                    md.fields.insert(f, value.clone());
                }
            }
            keep_raw(&mut raw, &mut seen_raw, p.label.into(), value);
        }
    }
    md.raw = raw.into_iter().collect();
    let strong = md.raw.iter().any(|(l, _)| is_strong_label(l));
    let disclosure_block = md.fields.len() >= 2 && strong;
    Extracted {
        metadata: md,
        disclosure_block,
    }
}
