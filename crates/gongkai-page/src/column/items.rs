//! Column list items: finding the page's main list and reading each item's title, link and date.
//!
//! A list is a group of sibling elements (`li`, `tr`, `dd`, `p`, `div`, `dl`) under one parent,
//! each holding a link. Navigation menus, headers and footers are groups too, so the main list is
//! the group (siblings under parents of the same shape merged, e.g. one `ul` per year) with the
//! most *dated* items; at least a third of its items must carry a date. A group without dates is
//! accepted only when it clearly is the main list: three or more items with article-length titles,
//! in a container named like a list (`list`, `news`, `xxgk` ...) or on a page with pagination.
//! Undated items inside the chosen list are kept with `date: None`: they are what the
//! "undated item counts as not updated" rule needs.
//!
//! An item's date is taken from a small date-only element (`<span>2022-06-01</span>`), else from
//! the item text outside its title link (so a date inside a title is not mistaken for the item
//! date), else a month-day (`06-01`) put under the nearest year heading or the year in the
//! item's TRS / Hanweb URL.

use crate::dates::{self, parse_date, parse_month_day, resolve_month_day, year_heading};
use crate::dom::{self, Nd};
use crate::model::ColumnItem;
use crate::url::resolve_with;
use ::url::Url;
use arcstr::ArcStr;
use chrono::NaiveDate;
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::Node;
use std::collections::HashMap;

/// At most this many items are returned for one page.
pub const MAX_ITEMS: usize = 5000;
/// Items with more text than this (bytes) are content blocks, not list items.
const MAX_ITEM_TEXT: usize = 1200;
/// Link texts that are not item titles.
const NON_TITLE: [&str; 10] = [
    "更多", "more", "更多>>", "详细", "详情", ">>", "查看", "下载", "more>>", "[详细]",
];

/// A candidate list found on a page.
#[derive(Debug, Clone)]
pub struct Group {
    pub items: Vec<ColumnItem>,
    pub dated: usize,
    /// The parent elements the items came from.
    pub parents: Vec<NodeId>,
    /// The group lies in a container named like a list.
    pub list_hint: bool,
    pub in_chrome: bool,
}

impl Group {
    fn avg_title_chars(&self) -> usize {
        if self.items.is_empty() {
            return 0;
        }
        self.items
            .iter()
            .map(|i| i.title.chars().count())
            .sum::<usize>()
            / self.items.len()
    }
}

/// How strict group selection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A whole page: chrome excluded, dated lists preferred, undated only when clearly main.
    Page { has_pagination: bool },
    /// A fragment known to be a list (Hanweb records): the largest group wins.
    Fragment,
}

/// Finds the main list under `root`.
pub fn main_list(root: Nd<'_>, base: &Url, mode: Mode) -> Option<Group> {
    let groups = merged_groups(root, base, mode);
    let eligible = |g: &&Group| match mode {
        Mode::Page { .. } => !g.in_chrome,
        Mode::Fragment => true,
    };
    let dated = groups
        .iter()
        .filter(eligible)
        .filter(|g| g.dated >= 1 && g.dated * 3 >= g.items.len())
        .max_by_key(|g| (g.dated, g.items.len()));
    if let Some(g) = dated {
        return Some(g.clone());
    }
    match mode {
        Mode::Fragment => groups.into_iter().max_by_key(|g| g.items.len()),
        Mode::Page { has_pagination } => groups
            .into_iter()
            .filter(|g| !g.in_chrome && g.items.len() >= 3 && g.avg_title_chars() >= 8)
            .filter(|g| g.list_hint || has_pagination)
            .max_by_key(|g| g.items.len()),
    }
}

/// All item groups, siblings of the same shape merged, in document order.
///
/// On a whole page a group in chrome that starts a new merge key can never be chosen (a merged
/// group is in chrome when its first group is): its items are only counted (the total bound needs
/// their number), not resolved and dated.
fn merged_groups(root: Nd<'_>, base: &Url, mode: Mode) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut merge_key_index: HashMap<(Option<NodeId>, String), usize> = HashMap::new();
    let mut total_items = 0usize;
    for p in root.descendants() {
        if total_items >= MAX_ITEMS * 4 {
            break;
        }
        let Node::Element(pe) = p.value() else {
            continue;
        };
        if matches!(pe.name(), "head" | "script" | "style" | "select") {
            continue;
        }
        let key = || {
            (
                p.parent().map(|x| x.id()),
                format!("{}.{}", pe.name(), dom::el_attr(pe, "class").unwrap_or("")),
            )
        };
        let count_only =
            || matches!(mode, Mode::Page { .. }) && !merge_key_index.contains_key(&key());
        let Some(group) = group_under(p, base, &count_only) else {
            continue;
        };
        total_items += group.items.len();
        let key = key();
        if let Some(&i) = merge_key_index.get(&key) {
            let g = &mut out[i];
            g.dated += group.dated;
            g.parents.extend(group.parents);
            g.list_hint |= group.list_hint;
            let room = MAX_ITEMS.saturating_sub(g.items.len());
            g.items.extend(group.items.into_iter().take(room));
        } else {
            merge_key_index.insert(key, out.len());
            out.push(group);
        }
    }
    out
}

/// The item group directly under `p`, if its children form one. When the group is in chrome and
/// `count_only()` says so, its items are left blank (only their number is right).
fn group_under(p: Nd<'_>, base: &Url, count_only: &dyn Fn() -> bool) -> Option<Group> {
    // Counts per item tag (a fixed table: this runs for every element of the page).
    let mut by_tag = [0usize; ITEM_TAGS.len()];
    let atoms = item_tag_atoms();
    for c in dom::child_elements(p).take(MAX_ITEMS) {
        let Some(e) = c.value().as_element() else {
            continue;
        };
        if let Some(i) = atoms.iter().position(|a| e.name.local == *a) {
            by_tag[i] += 1;
        }
    }
    // The most frequent tag, ties to the greatest name (as a max over (count, tag) does).
    let tag = ITEM_TAGS
        .iter()
        .zip(by_tag)
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .max_by_key(|(_, (t, n))| (*n, **t))
        .map(|(i, _)| &atoms[i])?;
    let candidates: Vec<Nd<'_>> = dom::child_elements(p)
        .filter(|c| dom::is_tag(*c, tag))
        .take(MAX_ITEMS)
        .collect();
    // The year context applies from the first item that needs one (only a month-day, no full
    // date) on. Deciding that takes a date scan per item, so it is done lazily: only when an item
    // actually falls back to a month-day, for the items up to that one not yet checked.
    let mut checked = 0usize;
    let mut year_ctx: Option<Option<i32>> = None;
    let mut items = Vec::new();
    let mut dated = 0;
    // Whether the group is in chrome, and whether its items are only counted: asked once, at
    // the first candidate that holds a link (most groups have none).
    let mut chrome: Option<(bool, bool)> = None;
    for (i, c) in candidates.iter().enumerate() {
        let mut year_for_item = || {
            while year_ctx.is_none() && checked <= i {
                if needs_year(candidates[checked]) {
                    year_ctx = Some(year_context(p));
                }
                checked += 1;
            }
            year_ctx.flatten()
        };
        if item_shaped(*c) && has_link(*c) {
            let (_, light) = *chrome.get_or_insert_with(|| {
                let in_chrome = dom::in_chrome(p);
                (in_chrome, in_chrome && count_only())
            });
            if light {
                if is_record(*c) {
                    items.push(ColumnItem {
                        title: Default::default(),
                        url: None,
                        date: None,
                    });
                }
            } else if let Some((item, has_date)) = read_linked(*c, base, &mut year_for_item) {
                dated += usize::from(has_date);
                items.push(item);
            }
        }
    }
    if items.is_empty() {
        return None;
    }
    Some(Group {
        items,
        dated,
        parents: vec![p.id()],
        list_hint: list_hint(p),
        in_chrome: chrome.map_or_else(|| dom::in_chrome(p), |(c, _)| c),
    })
}

/// Whether an item might carry only a month-day (so the year context is worth looking up).
fn needs_year(item: Nd<'_>) -> bool {
    let t = dom::text(item, 512);
    parse_date(&t).is_none() && parse_month_day(&t).is_some()
}

/// Tags of list items.
const ITEM_TAGS: [&str; 6] = ["li", "tr", "dd", "p", "div", "dl"];

/// [`ITEM_TAGS`] as atoms, in the same order.
fn item_tag_atoms() -> [html5ever::LocalName; 6] {
    use html5ever::local_name;
    [
        local_name!("li"),
        local_name!("tr"),
        local_name!("dd"),
        local_name!("p"),
        local_name!("div"),
        local_name!("dl"),
    ]
}

/// Reads one list item: its title link, URL and date. None when it has no usable link or is too
/// big to be an item.
pub fn read_item(item: Nd<'_>, base: &Url, year_ctx: Option<i32>) -> Option<(ColumnItem, bool)> {
    if !item_shaped(item) {
        return None;
    }
    read_record(item, base, year_ctx)
}

/// Reads an element known to be one item (a Hanweb record), whatever its shape.
pub fn read_record(item: Nd<'_>, base: &Url, year_ctx: Option<i32>) -> Option<(ColumnItem, bool)> {
    read_record_with(item, base, &mut || year_ctx)
}

/// [`read_record`] with the year context asked for only when a month-day needs it.
fn read_record_with(
    item: Nd<'_>,
    base: &Url,
    year_ctx: &mut dyn FnMut() -> Option<i32>,
) -> Option<(ColumnItem, bool)> {
    if !has_link(item) {
        return None;
    }
    read_linked(item, base, year_ctx)
}

/// [`read_record_with`] of an item known to hold a link.
fn read_linked(
    item: Nd<'_>,
    base: &Url,
    year_ctx: &mut dyn FnMut() -> Option<i32>,
) -> Option<(ColumnItem, bool)> {
    if too_big(item) {
        return None;
    }
    let (link, title) = title_link(item)?;
    let href = dom::attr(link, "href").unwrap_or("");
    // Only the URL's text is kept: it is taken from the resolved answer in place.
    let url: Option<ArcStr> =
        resolve_with(base, href, |r| r.as_ref().ok().map(|u| u.as_str().into()));
    if title.is_empty() {
        return None;
    }
    let date = item_date(item, link, year_ctx, url.as_deref());
    let has_date = date.is_some();
    Some((
        ColumnItem {
            title: title.into(),
            url,
            date: date.map(iso_date),
        },
        has_date,
    ))
}

/// `%Y-%m-%d` as chrono writes it, without interpreting a format string per item.
fn iso_date(d: NaiveDate) -> ArcStr {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string().into();
    }
    // Every part is in range: four, two and two ASCII digits.
    let digit = |n: u32, div: u32| char::from(b'0' + (n / div % 10) as u8);
    let y = y.unsigned_abs();
    let mut s = String::with_capacity(10);
    s.extend([
        digit(y, 1000),
        digit(y, 100),
        digit(y, 10),
        digit(y, 1),
        '-',
    ]);
    s.extend([
        digit(m, 10),
        digit(m, 1),
        '-',
        digit(day, 10),
        digit(day, 1),
    ]);
    s.as_str().into()
}

/// Most candidates (an article's paragraphs) hold no link at all: tell that before collecting
/// their text (the same answer as `title_link` finding a link, at a fraction of the cost).
fn has_link(item: Nd<'_>) -> bool {
    let a = html5ever::local_name!("a");
    item.descendants()
        .take(400)
        .any(|d| dom::is_tag(d, &a) && dom::attr(d, "href").is_some())
}

/// Too much text for an item? Most items are far below the bound, which their raw size shows
/// without collapsing anything.
fn too_big(item: Nd<'_>) -> bool {
    !dom::text_surely_within(item, MAX_ITEM_TEXT)
        && dom::text(item, MAX_ITEM_TEXT + 1).len() > MAX_ITEM_TEXT
}

/// Whether [`read_record_with`] reads `item` (holding a link) as an item, without resolving or
/// dating it.
fn is_record(item: Nd<'_>) -> bool {
    !too_big(item) && title_link(item).is_some()
}

/// An item holds no nested lists or tables and only a few links (layout blocks hold many).
fn item_shaped(item: Nd<'_>) -> bool {
    use html5ever::local_name;
    let mut links = 0;
    for d in item.descendants().skip(1).take(400) {
        let Some(e) = d.value().as_element() else {
            continue;
        };
        let name = &e.name.local;
        if *name == local_name!("a") {
            links += 1;
            if links > 6 {
                return false;
            }
        } else if *name == local_name!("ul")
            || *name == local_name!("ol")
            || *name == local_name!("table")
            || *name == local_name!("dl")
        {
            return false;
        }
    }
    true
}

/// The item's title link and its title: the `a[href]` with the longest title, ignoring "更多" /
/// "详细" links.
fn title_link(item: Nd<'_>) -> Option<(Nd<'_>, String)> {
    let a = html5ever::local_name!("a");
    item.descendants()
        .take(400)
        .filter(|d| dom::is_tag(*d, &a) && dom::attr(*d, "href").is_some())
        .map(|a| (a, link_title(a)))
        .filter(|(_, t)| !t.is_empty() && !NON_TITLE.iter().any(|w| t.eq_ignore_ascii_case(w)))
        .max_by_key(|(_, t)| t.chars().count())
}

/// A link's title: its text without date-only parts (`<i>2020-08-14</i>` inside the link), or its
/// `title` attribute when the text is truncated ("…"), empty, or the attribute plus extras.
fn link_title(a: Nd<'_>) -> String {
    let text = dom::text_skipping(a, 1024, &|el| {
        may_hold_date(*el, None) && date_only(&dom::text(*el, 64)).is_some()
    });
    let attr = dom::attr(a, "title").map(dom::collapse).unwrap_or_default();
    let truncated = text.ends_with("...") || text.ends_with('…') || text.ends_with("..");
    let use_attr = !attr.is_empty()
        && (text.is_empty()
            || (truncated && attr.chars().count() > 4)
            || (text != attr && text.starts_with(attr.as_str())));
    let mut t = if use_attr { attr } else { text };
    dom::truncate(&mut t, 1024);
    t
}

/// The date of a short text that is essentially a date (`[2022-06-01]`, `发布时间：2022-06-01
/// 10:00`); None when the text says more than that.
fn date_only(t: &str) -> Option<NaiveDate> {
    if t.is_empty() || t.chars().count() > 30 {
        return None;
    }
    let date = parse_date(t)?;
    let rest = t
        .chars()
        .filter(|c| {
            !(c.is_ascii_digit()
                || c.is_whitespace()
                || "-/.:：年月日时分秒[]【】()（）〔〕〇○零一二三四五六七八九十".contains(*c))
        })
        .count();
    (rest <= 6).then_some(date)
}

/// Whether the text under `node` (leaving out the subtree `except`) may hold a date or a
/// month-day: a digit (any script, as the date parsers count them) or 年. False means none of
/// the date parsers can find anything in it, so its text need not be gathered; past a few KB
/// of text the answer is a cautious true.
fn may_hold_date(node: Nd<'_>, except: Option<NodeId>) -> bool {
    let mut budget = 4096usize;
    let mut text = |t: &str| match budget.checked_sub(t.len()) {
        Some(left) => {
            budget = left;
            text_may_hold_date(t)
        }
        None => true,
    };
    let Some(except) = except else {
        return node
            .descendants()
            .any(|n| n.value().as_text().is_some_and(|t| text(t)));
    };
    let mut skipping: Option<NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) if skipping.is_none() => {
                if n.id() == except {
                    skipping = Some(n.id());
                } else if n.value().as_text().is_some_and(|t| text(t)) {
                    return true;
                }
            }
            Edge::Close(n) if skipping == Some(n.id()) => skipping = None,
            _ => {}
        }
    }
    false
}

/// [`may_hold_date`] of one text: a character that is a digit (ASCII or any other numeric,
/// as `dates` counts digits) or 年. Looked at byte by byte: ASCII and CJK ideographs (nearly
/// all page text) are told apart by their first byte alone.
fn text_may_hold_date(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    while let Some(off) = b[i..]
        .iter()
        .position(|x| DATE_BYTE[usize::from(*x)] != NEVER)
    {
        let p = i + off;
        let hit = match DATE_BYTE[usize::from(b[p])] {
            DIGIT => true,
            // 年 is U+5E74 (E5 B9 B4); other ideographs with this lead byte hold no digit.
            NIAN_LEAD => b[p + 1..].starts_with(&[0xB9, 0xB4]),
            _ => t[p..].chars().next().is_some_and(char::is_numeric),
        };
        if hit {
            return true;
        }
        i = p + 1;
    }
    false
}

/// [`DATE_BYTE`] of a byte that starts nothing a date parser counts: ASCII other than digits,
/// UTF-8 continuation bytes, lead bytes of CJK ideographs (U+4E00..=U+9FFF) other than E5.
const NEVER: u8 = 0;
/// An ASCII digit.
const DIGIT: u8 = 1;
/// E5: the lead byte of 年 (and of other ideographs).
const NIAN_LEAD: u8 = 2;
/// A lead byte of some other character, which may be numeric (full-width digits, 〇 ...).
const OTHER_LEAD: u8 = 3;

/// What each byte of UTF-8 text may start, for [`text_may_hold_date`].
static DATE_BYTE: [u8; 256] = {
    let mut t = [NEVER; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = DIGIT;
        c += 1;
    }
    let mut c = 0xC0usize;
    while c <= 0xFF {
        t[c] = OTHER_LEAD;
        c += 1;
    }
    let mut c = 0xE4usize;
    while c <= 0xE9 {
        t[c] = NEVER;
        c += 1;
    }
    t[0xE5] = NIAN_LEAD;
    t
};

fn item_date(
    item: Nd<'_>,
    link: Nd<'_>,
    year_ctx: &mut dyn FnMut() -> Option<i32>,
    url: Option<&str>,
) -> Option<NaiveDate> {
    // 1. A small element whose whole text is a date.
    let mut month_day = None;
    for d in item.descendants().skip(1).take(400) {
        if d.id() == link.id() || !d.value().is_element() {
            continue;
        }
        // A date element is (nearly) a leaf; gathering the text of every big subtree here
        // would make deeply nested pages cubic.
        if d.descendants().take(8).count() >= 8 {
            continue;
        }
        if !may_hold_date(d, None) {
            continue;
        }
        let t = dom::text(d, 64);
        if let Some(date) = date_only(&t) {
            return Some(date);
        }
        if month_day.is_none() && !t.is_empty() && t.chars().count() <= 12 {
            month_day = parse_month_day(&t);
        }
    }
    // 2. Dates in the item text outside the title link.
    let outside = if may_hold_date(item, Some(link.id())) {
        dom::text_skipping(item, MAX_ITEM_TEXT, &|el| el.id() == link.id())
    } else {
        String::new()
    };
    if let Some(date) = parse_date(&outside) {
        return Some(date);
    }
    // 3. A month-day under a year from context.
    let md = month_day.or_else(|| parse_month_day(&outside))?;
    let year = year_ctx().or_else(|| {
        url.and_then(dates::date_from_url)
            .map(|d| chrono::Datelike::year(&d))
    })?;
    resolve_month_day(md, year)
}

/// A year heading just before the list (`<h3>2022年</h3><ul>…`), looked for among the previous
/// siblings of the list and of its nearest ancestors.
fn year_context(p: Nd<'_>) -> Option<i32> {
    let mut cur = Some(p);
    for _ in 0..3 {
        let n = cur?;
        let mut sib = n.prev_sibling();
        let mut seen = 0;
        while let Some(s) = sib {
            if s.value().is_element() {
                seen += 1;
                let t = dom::text(s, 64);
                if let Some(y) = year_heading(&t) {
                    return Some(y);
                }
                if seen >= 3 {
                    break;
                }
            }
            sib = s.prev_sibling();
        }
        cur = n.parent();
    }
    None
}

/// The list or one of its three nearest ancestors has a class / id naming a list.
fn list_hint(p: Nd<'_>) -> bool {
    let mut cur = Some(p);
    for _ in 0..4 {
        let Some(n) = cur else { break };
        if let Some(e) = n.value().as_element() {
            if dom::any_class_id_token(e, |t| {
                matches!(
                    t,
                    "list"
                        | "lists"
                        | "lb"
                        | "liebiao"
                        | "news"
                        | "newslist"
                        | "xxgk"
                        | "gkml"
                        | "lmlist"
                        | "infolist"
                        | "wjlb"
                        | "doclist"
                        | "listbox"
                        | "listcon"
                        | "article"
                        | "zfxxgk"
                        | "column"
                ) || t.ends_with("list")
            }) {
                return true;
            }
        }
        cur = n.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn base() -> Url {
        Url::parse("http://www.tengzhou.gov.cn/zwgk/zwdt/index.html").unwrap()
    }

    fn list(html: &str, mode: Mode) -> Option<Group> {
        let d = Html::parse_document(html);
        main_list(d.tree.root(), &base(), mode)
    }

    const NAV: &str = r#"<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
        <li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>"#;

    #[test]
    fn trs_ul_li_with_date_spans() {
        let g = list(
            &format!(
                r#"{NAV}<div class="list"><ul>
            <li><a href="./202304/t20230419_1239012.html" title="滕州市召开2023年政务公开工作会议">滕州市召开2023年政务公开工作会议</a><span>2023-04-19</span></li>
            <li><a href="./202304/t20230414_1238950.html" title="我市开展优化营商环境专项督查工作情况通报">我市开展优化营商环境专项督...</a><span>2023-04-14</span></li>
            <li><a href="./202303/t20230328_1238360.html">滕州市举办2023年春季大型招聘会</a></li>
            </ul></div>"#
            ),
            Mode::Page { has_pagination: false },
        )
        .unwrap();
        assert_eq!(g.items.len(), 3);
        assert_eq!(g.dated, 2);
        assert_eq!(g.items[0].date.as_deref(), Some("2023-04-19"));
        assert_eq!(g.items[1].title, "我市开展优化营商环境专项督查工作情况通报");
        assert_eq!(
            g.items[0].url.as_deref(),
            Some("http://www.tengzhou.gov.cn/zwgk/zwdt/202304/t20230419_1239012.html")
        );
        // The undated item counts, with no date.
        assert_eq!(g.items[2].date, None);
    }

    #[test]
    fn table_rows_and_bracketed_dates() {
        let g = list(
            r#"<table class="xxgk_list"><tbody><tr><th>标题</th><th>发布日期</th></tr>
            <tr><td><a href="/a/1.html">关于2022年6月1日起调整公交线路的通告</a></td><td>[2022-05-20]</td></tr>
            <tr><td><a href="/a/2.html">滕州市2022年政务公开工作要点</a></td><td>(2022-04-01)</td></tr>
            <tr><td><a href="/a/3.html">滕州市2021年政府信息公开工作年度报告</a></td><td>2022年1月28日</td></tr>
            </tbody></table>"#,
            Mode::Page { has_pagination: false },
        )
        .unwrap();
        let dates: Vec<_> = g.items.iter().map(|i| i.date.clone().unwrap()).collect();
        // The date inside the first title is not the item date.
        assert_eq!(dates, vec!["2022-05-20", "2022-04-01", "2022-01-28"]);
    }

    #[test]
    fn month_day_under_year_heading_or_url_year() {
        let g = list(
            r#"<div class="list"><h3>2021年</h3><ul>
            <li><a href="/a/1.html">全市安全生产工作会议召开</a><span>[12-30]</span></li>
            <li><a href="/a/2.html">全市森林防火工作会议召开</a><span>[11-02]</span></li></ul></div>"#,
            Mode::Page { has_pagination: false },
        )
        .unwrap();
        assert_eq!(g.items[0].date.as_deref(), Some("2021-12-30"));
        let g = list(
            r#"<ul class="news"><li><a href="/art/2022/6/1/art_12_34.html">通知一则测试标题</a><em>06-01</em></li>
            <li><a href="/art/2022/5/3/art_12_33.html">通知二则测试标题</a><em>05-03</em></li></ul>"#,
            Mode::Page { has_pagination: false },
        )
        .unwrap();
        assert_eq!(g.items[1].date.as_deref(), Some("2022-05-03"));
    }

    #[test]
    fn navigation_only_pages_have_no_list() {
        let html = format!(
            r#"{NAV}<div class="side"><ul><li><a href="/a">机构职能</a></li><li><a href="/b">政策文件</a></li>
            <li><a href="/c">规划计划</a></li></ul></div>"#
        );
        assert!(list(
            &html,
            Mode::Page {
                has_pagination: false
            }
        )
        .is_none());
        // Undated, but clearly the main list: list-named container, article-length titles.
        let html = format!(
            r#"{NAV}<div class="newslist"><ul><li><a href="/1.html">滕州市人民政府关于公布第一批市级非物质文化遗产名录的通知</a></li>
            <li><a href="/2.html">滕州市人民政府关于调整部分行政许可事项的决定</a></li>
            <li><a href="/3.html">滕州市人民政府关于印发滕州市国土空间总体规划的通知</a></li></ul></div>"#
        );
        let g = list(
            &html,
            Mode::Page {
                has_pagination: false,
            },
        )
        .unwrap();
        assert_eq!(g.items.len(), 3);
        assert_eq!(g.dated, 0);
    }

    #[test]
    fn chrome_lists_with_dates_are_ignored() {
        let g = list(
            r#"<div class="footer"><ul><li><a href="/x">友情链接一号站点名称</a><span>2022-01-01</span></li>
            <li><a href="/y">友情链接二号站点名称</a><span>2022-01-02</span></li></ul></div>
            <div class="con"><ul><li><a href="/1.html">本栏目唯一一条信息标题</a><span>2022-06-01</span></li></ul></div>"#,
            Mode::Page { has_pagination: false },
        )
        .unwrap();
        assert_eq!(g.items.len(), 1);
        assert_eq!(g.items[0].title, "本栏目唯一一条信息标题");
    }

    #[test]
    fn date_precheck_matches_the_char_rule() {
        let reference = |t: &str| {
            t.chars().any(|c| match c {
                '0'..='9' | '年' => true,
                '\0'..='\u{7f}' | '\u{4e00}'..='\u{9fff}' => false,
                _ => c.is_numeric(),
            })
        };
        let samples = [
            "",
            "详见：",
            "发布时间：2022-06-01",
            "二〇二二年六月一日",
            "六月一日",
            "２０２２－０６－０１",
            "①号文件",
            "Ⅻ",
            "é ü Ω 😀 \u{3000}、",
            "平年度",
            "幸",
            "abc def",
        ];
        for t in samples {
            assert_eq!(text_may_hold_date(t), reference(t), "{t:?}");
        }
        // A month-day in full-width digits is still read as the item's date.
        let g = list(
            r#"<div class="list"><h3>2021年</h3><ul>
            <li><a href="/a/1.html">全市安全生产工作会议召开</a><span>１２－３０</span></li>
            <li><a href="/a/2.html">全市森林防火工作会议召开</a><span>１１－０２</span></li></ul></div>"#,
            Mode::Page { has_pagination: false },
        )
        .unwrap();
        assert_eq!(g.items[0].date.as_deref(), Some("2021-12-30"));
    }

    #[test]
    fn split_lists_merge() {
        let ul = |a: u32| {
            format!(
                "<ul class=\"l\"><li><a href=\"/{a}.html\">信息标题{a}号</a><span>2022-06-0{a}</span></li>\
                 <li><a href=\"/{a}b.html\">信息标题{a}b号</a><span>2022-05-0{a}</span></li></ul>"
            )
        };
        let g = list(
            &format!("<div class=\"box\">{}<hr>{}</div>", ul(1), ul(2)),
            Mode::Page {
                has_pagination: false,
            },
        )
        .unwrap();
        assert_eq!(g.items.len(), 4);
    }
}
