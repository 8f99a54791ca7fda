//! One walk over the parsed page listing the elements that several extractors look for by tag
//! name alone (`meta`, `script`, `style`, link-bearing elements, badge-shaped elements), so each
//! of them reads its short list instead of walking the whole tree again.

use crate::dom::Nd;
use scraper::Node;

/// Nodes (of any kind, in document order) within which `meta` tags and badges are looked for.
pub(crate) const EARLY_NODES: usize = 200_000;

/// The elements of one page, by what extractors want of them, each list in document order.
#[derive(Default)]
pub(crate) struct TagIndex<'a> {
    /// `meta` elements among the first [`EARLY_NODES`] nodes.
    pub metas: Vec<Nd<'a>>,
    pub scripts: Vec<Nd<'a>>,
    pub styles: Vec<Nd<'a>>,
    /// Elements that may carry a link ([`crate::links`]): `a`, `area`, `img`, `iframe`,
    /// `frame`, `embed`, `source`, `video`, `audio`, `object`, `script`, `link`.
    pub links: Vec<Nd<'a>>,
    pub anchors: Vec<Nd<'a>>,
    /// Elements a validity badge may be ([`crate::validity::badge`]) among the first
    /// [`EARLY_NODES`] nodes.
    pub badges: Vec<Nd<'a>>,
}

impl<'a> TagIndex<'a> {
    /// Walks the tree under `root` once.
    pub fn of(root: Nd<'a>) -> Self {
        let mut ix = TagIndex::default();
        for (i, n) in root.descendants().enumerate() {
            let Node::Element(e) = n.value() else {
                continue;
            };
            let early = i < EARLY_NODES;
            match e.name() {
                "meta" if early => ix.metas.push(n),
                "script" => {
                    ix.scripts.push(n);
                    ix.links.push(n);
                }
                "style" => ix.styles.push(n),
                "a" => {
                    ix.anchors.push(n);
                    ix.links.push(n);
                }
                "area" | "img" | "iframe" | "frame" | "embed" | "source" | "video" | "audio"
                | "object" | "link" => ix.links.push(n),
                "span" | "em" | "i" | "b" | "font" | "label" | "strong" | "sup" | "div"
                    if early =>
                {
                    ix.badges.push(n);
                }
                _ => {}
            }
        }
        ix
    }
}
