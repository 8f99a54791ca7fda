//! Pure extraction from stored page bytes: charset decoding, links and where they sit (content,
//! related block, template chrome), page kind, the metadata block (索引号, 文号, 成文日期, 有效性
//! ...) read as a reader sees it, validity badges and the body's term clause (kept apart), the
//! footer's statements (主办单位, 网站标识码, 备案号), dates, 文号 parsing, column lists and their
//! pagination.
//!
//! Nothing here does I/O. The crawler calls [`analyze`] once per fetched HTML page and gets both
//! the links that feed its frontier and the [`PageModel`] that the rules read; `gongkai check`
//! can re-run the same extraction over bytes already stored.
//!
//! Crawled pages are hostile input: every function here is total (no panics on any bytes),
//! bounded in output size, and linear-ish in time: the body is capped, markup nesting and
//! attribute floods are bounded before parsing ([`guard`]), the DOM is walked iteratively, and
//! all regexes are compiled once.

pub mod charset;
pub mod column;
mod content;
pub mod dates;
pub mod docnum;
mod dom;
pub mod fetched;
pub mod footer;
pub mod guard;
pub mod hidden;
mod index;
pub mod kind;
pub mod labels;
pub mod links;
pub mod metadata;
mod model_ext;
/// The page model, defined in `gongkai-core` (the contract between extractor, crawler, store and
/// rules) and re-exported here with its extension trait.
pub mod model {
    pub use crate::model_ext::PageModelExt;
    pub use gongkai_core::model::*;
}
mod regions;
mod thread_regex;
pub mod url;
pub mod validity;

pub use charset::{decode, encoding_of, Decoded};
pub use column::{analyze_fragment, parse_hanweb_response, HanwebBatch};
pub use dates::{find_dates, parse_date};
pub use docnum::{find_doc_numbers, parse_doc_number, DocNumber};
pub use fetched::{analyze_fetched, Analyzed};
pub use model::*;

use ::url::Url;
use scraper::{Html, Node};

/// Bodies are cut to this many bytes before decoding.
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// Inline script text kept for pagination / Hanweb detection.
const MAX_SCRIPT_BYTES: usize = 4 * 1024 * 1024;

/// Analyses one fetched HTML page: decodes it, parses it once and fills the whole [`PageModel`].
pub fn analyze(url: &Url, body: &[u8], content_type: Option<&str>) -> PageModel {
    let body = &body[..body.len().min(MAX_BODY)];
    let decoded = decode(body, content_type);
    let html = guard::bound_markup(&decoded.text);
    let doc = parse_document(&html);
    let root = doc.tree.root();
    let page = url::normalize(url);

    let ix = index::TagIndex::of(root);

    let title = content::title(root);
    let guideline_meta = metadata::guideline_meta_of(ix.metas.iter().copied());
    let base = links::base_url(root, &page);
    let container = content::body_container(root);
    let links = links::extract_indexed(&ix, &base, container);
    let mut md = metadata::extract_with_body(root, container);
    let breadcrumb = content::breadcrumb(root);
    let heading = content::heading(
        root,
        &title,
        guideline_meta.get("ArticleTitle").map(String::as_str),
        container,
    );
    let text = content::main_text(root, container);
    if md.metadata.value(Field::Validity).is_none() {
        let badges = ix.badges.iter().copied();
        if let Some(mark) = validity::badge_among(badges, heading.as_deref(), container) {
            md.metadata.fields.insert(Field::Validity, mark.into());
        }
    }
    let term = validity::term_clause(&text);
    let (scripts, script_srcs) = scripts_of(ix.scripts.iter().copied());
    let dataproxy = page.path().ends_with("/dataproxy.jsp");
    // A page whose kind is known without list evidence keeps no list (unless it is a dataproxy
    // answer, made a list below): its main list is not searched for.
    let kind_without_list = kind::decide_before_lists(&page, &guideline_meta, md.disclosure_block)
        .filter(|_| !dataproxy);
    let ctx = column::ColumnContext {
        root,
        page: &page,
        base: &base,
        scripts: &scripts,
        script_srcs: &script_srcs,
        title: &title,
        breadcrumb: &breadcrumb,
        guideline_meta: &guideline_meta,
        anchors: Some(&ix.anchors),
        find_list: kind_without_list.is_none(),
    };
    let mut col = column::analyze_column(&ctx);
    if dataproxy && col.list.items.is_empty() {
        // A Hanweb dataproxy answer rendered as a page: every link group is the list.
        if let Some(g) = column::items::main_list(root, &base, column::items::Mode::Fragment) {
            col.dated_items = g.dated;
            col.list.items = g.items;
        }
    }

    // With a container, the main text is the container's text (same budget): count it.
    let container_chars = container.map(|_| text.chars().count());
    let challenge = content::challenge(&html, root, container, container_chars);
    let looks_like_error = content::looks_like_error(&title, &text);
    let mut kind = kind::decide(&kind::KindInputs {
        url: &page,
        guideline_meta: &guideline_meta,
        disclosure_block: md.disclosure_block,
        column: &col,
        container_chars,
        has_heading: heading.is_some(),
        has_publish_date: md
            .metadata
            .fields
            .get(&Field::PublishDate)
            .is_some_and(|v| !v.is_empty())
            || guideline_meta
                .get("PubDate")
                .is_some_and(|v| !v.trim().is_empty()),
    });
    if dataproxy {
        kind = PageKind::ColumnList;
    }
    if challenge || (looks_like_error && kind != PageKind::Home) {
        kind = PageKind::Other;
    }
    let follow = if challenge {
        Vec::new()
    } else {
        std::mem::take(&mut col.follow)
    };
    url::forget_resolved();
    PageModel {
        extractor_version: EXTRACTOR_VERSION,
        title: title.into(),
        heading: heading.map(Into::into),
        kind,
        guideline_meta: guideline_meta
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
        metadata: md.metadata,
        breadcrumb: breadcrumb.into_iter().map(Into::into).collect(),
        column: (kind == PageKind::ColumnList).then(|| Box::new(col.list)),
        text,
        links,
        follow: follow.into(),
        challenge,
        looks_like_error,
        term,
        footer: footer::extract(root),
    }
}

/// Markup bytes per node of a typical page (a median of 25 on the bench site's pages, 22 on the
/// repository's fixture pages): the tree is sized for the markup at this rate up front.
const BYTES_PER_NODE: usize = 24;
/// At most this many nodes are allocated up front (about 2 MB); bigger trees grow as usual.
const MAX_PRESIZED_NODES: usize = 16 * 1024;

/// `Html::parse_document`, into a tree sized for the markup up front: a tree grown node by node
/// is copied again at every doubling of its storage.
fn parse_document(html: &str) -> Html {
    use html5ever::tendril::TendrilSink;
    let mut doc = Html::new_document();
    let nodes = (html.len() / BYTES_PER_NODE).min(MAX_PRESIZED_NODES);
    doc.tree = ego_tree::Tree::with_capacity(Node::Document, nodes);
    let sink = scraper::HtmlTreeSink::new(doc);
    html5ever::driver::parse_document(sink, Default::default()).one(html)
}

/// [`scripts_of`] every `<script>` under `root` (for tests of parts that take the texts).
#[cfg(test)]
pub(crate) fn scripts(root: dom::Nd<'_>) -> (Vec<String>, Vec<String>) {
    scripts_of(
        root.descendants()
            .filter(|n| dom::is_tag(*n, &html5ever::local_name!("script"))),
    )
}

/// Inline script texts (all types, `text/xml` datastores included) and external script `src`s
/// of the page's `<script>` elements (in document order), bounded in total size.
fn scripts_of<'a>(scripts: impl IntoIterator<Item = dom::Nd<'a>>) -> (Vec<String>, Vec<String>) {
    let mut texts = Vec::new();
    let mut srcs = Vec::new();
    let mut total = 0usize;
    for n in scripts {
        let Node::Element(e) = n.value() else {
            continue;
        };
        if let Some(src) = dom::el_attr(e, "src") {
            if srcs.len() < 200 {
                srcs.push(src.chars().take(1000).collect());
            }
        }
        if total >= MAX_SCRIPT_BYTES {
            continue;
        }
        let mut s = String::new();
        for c in n.children() {
            if let Node::Text(t) = c.value() {
                s.push_str(t);
            }
        }
        if !s.trim().is_empty() {
            dom::truncate(&mut s, MAX_SCRIPT_BYTES - total);
            total += s.len();
            texts.push(s);
        }
    }
    (texts, srcs)
}

#[cfg(test)]
mod tests;
