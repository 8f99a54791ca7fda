//! The site model the checks share, built once per evaluation: pages indexed by URL and final URL,
//! columns (their pagination pages grouped) and their items, which page is listed in which column,
//! normative documents and interpretations.
//!
//! Definitions (also in `docs/coverage.md`):
//! - article: a crawled page whose kind is article / info-disclosure article, or that carries a
//!   metadata block with at least two known fields;
//! - normative document (规范性文件): an article whose type field (文件类型 / 体裁) contains 规范性文件,
//!   or that is listed in (or breadcrumbed / `ColumnName`-tagged under) a column whose name contains
//!   规范性文件 and that is not an interpretation;
//! - interpretation (解读): an article, not typed 规范性文件, in a column whose name contains 解读,
//!   or whose title contains 解读 / 图解 / 一图读懂 / 答记者问 / 问答 / 一问一答.

use crate::context::EvalContext;
use crate::text::{compact, key};
use crate::vocab::Vocabulary;
use crate::{LinkRef, LinkTable, Site, SitePage};
use chrono::NaiveDate;
use gongkai_core::FetchOutcome;
use gongkai_page::{Field, FollowRequest, PageKind, PageModel, PageModelExt};
use index::{PageKeyed, UrlIndex, UrlOf};
use std::borrow::Cow;

/// The site model's maps and sets: keyed by the site's URLs and link targets, looked up for
/// every link of every page; foldhash with random seeds (SipHash hashing, here and in the link
/// table's interning, was 2–3% of `check` at 20,000 pages).
type HashMap<K, V> = std::collections::HashMap<K, V, index::DefaultHasher>;
type HashSet<T> = std::collections::HashSet<T, index::DefaultHasher>;

mod index;
#[cfg(test)]
mod lookup_tests;

static ORGAN_RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(政府|办公室|局|委员会|委|办|院|中心|镇|街道|管委会|站|所|队|厅|部|署|会)$")
        .expect("organ")
});

/// A link target linked from at least this share of the site's article pages is template (site
/// navigation, header, footer), whatever region the extractor gave the link.
pub(crate) const TEMPLATE_SHARE: f64 = 0.3;
/// ... and from at least this many of them (a site of three articles has no template yet).
const TEMPLATE_MIN_PAGES: usize = 3;

/// The pages of one column (its pagination pages grouped) and their items.
#[derive(Debug, Clone)]
pub(crate) struct ColumnGroup {
    /// Display name (trimmed) of the first page.
    pub name: String,
    /// Page indices, first page first.
    pub pages: Vec<usize>,
}

pub(crate) struct SiteModel<'a> {
    pub site: &'a Site,
    /// The pack's shared vocabulary.
    pub vocab: &'a Vocabulary,
    /// URL (fragment stripped) → the page standing for it. Looked up for every link of the
    /// site by several checks; holds page indices only ([`index`]).
    by_url: UrlIndex<'a>,
    /// Every link, grouped by source page: the site's table, or one built from its hand-made
    /// links ([`Site::all_links`]).
    links: Cow<'a, LinkTable>,
    /// Crawled pages with a model and a 2xx outcome, one per final URL.
    pub crawled: Vec<usize>,
    pub columns: Vec<ColumnGroup>,
    /// (column page, its group index in `columns`), by page: which group a listing's column
    /// page belongs to (a few entries a column, not one a listed page).
    group_of: Vec<(u32, u32)>,
    /// Every column item that names a page: (listed page, column page, item index), by listed
    /// page, then in column order (groups, their pages, their items).
    listings: Vec<(u32, u32, u32)>,
    pub normative: Vec<usize>,
    pub interpretations: Vec<usize>,
    /// The first start URL (the site root), or the first page's URL.
    pub root: String,
    /// The site's 主办单位 as its footer states it: the home page's, else the first crawled
    /// page's that states one (not yet canonicalised).
    pub sponsor: Option<String>,
    /// Link targets (fragment stripped) linked from at least [`TEMPLATE_SHARE`] of the site's
    /// article pages (built on first use).
    template_targets: std::sync::OnceLock<HashSet<String>>,
    /// The links to the run's read attachments (built on first use, kept: three checks ask).
    links_to_attachments: std::sync::OnceLock<AttachmentLinks<'a>>,
    /// [`Self::pages_with_text`]'s answers by needle set.
    text_hits: std::sync::Mutex<HashMap<Vec<String>, std::sync::Arc<Vec<usize>>>>,
}

/// The links to each of the run's read attachments, as one list of (attachment, link index)
/// sorted by attachment: a vector per attachment held more than twice as much (3.5 MB at
/// 100,000 pages, kept while the rules run).
#[derive(Debug, Default)]
struct AttachmentLinks<'a> {
    /// Attachment URL → its number (position in the run's attachment list, first of equal URLs).
    by_url: HashMap<&'a str, u32>,
    /// (attachment number, link index), by attachment, then in link order.
    pairs: Vec<(u32, u32)>,
}

impl<'a> AttachmentLinks<'a> {
    fn build(attachments: &'a [crate::SiteAttachment], links: &LinkTable) -> Self {
        let mut by_url: HashMap<&'a str, u32> =
            HashMap::with_capacity_and_hasher(attachments.len(), Default::default());
        for (k, a) in attachments.iter().enumerate() {
            by_url.entry(a.url.as_str()).or_insert(k as u32);
        }
        // The table iterates in index order; the sort is stable, so each attachment's links stay
        // in link order.
        let mut pairs: Vec<(u32, u32)> = links
            .iter()
            .enumerate()
            .filter_map(|(n, l)| Some((*by_url.get(l.target_url?)?, n as u32)))
            .collect();
        pairs.sort_by_key(|&(a, _)| a);
        pairs.shrink_to_fit();
        AttachmentLinks { by_url, pairs }
    }

    /// Indices of the links to `url`, in link order; None when `url` is not one of the run's
    /// attachments.
    fn links_to(&self, url: &str) -> Option<impl Iterator<Item = u32> + '_> {
        let a = *self.by_url.get(url)?;
        let from = self.pairs.partition_point(|&(k, _)| k < a);
        let to = self.pairs.partition_point(|&(k, _)| k <= a);
        Some(self.pairs[from..to].iter().map(|&(_, n)| n))
    }
}

/// One step of Misra–Gries with at most `k` counters: counts `t`, takes a free counter for
/// it, or when none is free takes one off every counter (dropping those that reach zero).
fn misra_gries<T: std::hash::Hash + Eq>(counters: &mut HashMap<T, usize>, t: T, k: usize) {
    if let Some(n) = counters.get_mut(&t) {
        *n += 1;
    } else if counters.len() < k {
        counters.insert(t, 1);
    } else {
        counters.retain(|_, n| {
            *n -= 1;
            *n > 0
        });
    }
}

pub(crate) fn strip_fragment(u: &str) -> &str {
    u.split('#').next().unwrap_or(u)
}

fn ok_outcome(p: &SitePage) -> bool {
    matches!(p.outcome, FetchOutcome::Ok | FetchOutcome::Redirected)
}

/// How good a fetch is as the representative of its URL (higher is better).
fn rank(p: &SitePage) -> u8 {
    match (
        ok_outcome(p),
        p.crawled,
        p.model.is_some(),
        p.outcome.is_broken(),
    ) {
        (true, true, true, _) => 6,
        (true, _, true, _) => 5,
        (true, _, _, _) => 4,
        (false, _, _, false) => 2,
        _ => 1,
    }
}

impl<'a> SiteModel<'a> {
    pub fn build(site: &'a Site, vocab: &'a Vocabulary) -> Self {
        let pages = &site.pages[..];
        let mut by_url = UrlIndex::with_capacity(pages, pages.len());
        for (i, p) in pages.iter().enumerate() {
            for which in [UrlOf::Requested, UrlOf::Final] {
                by_url.update(i, which, |j| match j {
                    Some(j) if rank(&pages[j]) >= rank(p) => j,
                    _ => i,
                });
            }
        }
        let candidates = Self::candidates(pages);
        // The same bytes under two URLs (`/` and `/index.html`, a column reached with and
        // without `index.html`) are one page, so a department is not told the same thing twice.
        // The shallowest, then shortest URL stands for both: not the first fetched, which differs
        // between a full scan and an incremental night (carried rows come after tonight's).
        let preference = |i: usize| {
            let p = &pages[i];
            (p.depth, p.url.len(), p.url.as_str(), i)
        };
        let mut by_body = PageKeyed::new(pages, candidates.len(), |p: &'a SitePage| {
            p.body_sha256.as_deref()
        });
        for &i in &candidates {
            let i = i as usize;
            if pages[i].body_sha256.is_some() {
                by_body.offer(i, |best| preference(i) < preference(best));
            }
        }
        let mut crawled = Vec::with_capacity(candidates.len());
        for i in candidates {
            let i = i as usize;
            let canonical = match pages[i].body_sha256 {
                Some(_) => by_body.get(i),
                None => None,
            };
            if let Some(canonical) = canonical.filter(|&c| c != i) {
                for which in [UrlOf::Requested, UrlOf::Final] {
                    by_url.update(i, which, |_| canonical);
                }
                continue;
            }
            crawled.push(i);
        }
        drop(by_body);
        let root = site
            .start_urls
            .first()
            .cloned()
            .or_else(|| site.pages.first().map(|p| p.url.to_string()))
            .unwrap_or_default();
        let mut sm = SiteModel {
            site,
            vocab,
            by_url,
            links: site.all_links(),
            crawled,
            columns: Vec::new(),
            group_of: Vec::new(),
            listings: Vec::new(),
            normative: Vec::new(),
            interpretations: Vec::new(),
            root,
            sponsor: None,
            template_targets: std::sync::OnceLock::new(),
            links_to_attachments: std::sync::OnceLock::new(),
            text_hits: std::sync::Mutex::new(HashMap::default()),
        };
        sm.group_columns();
        sm.classify();
        // Both follow `crawled`, which follows the pages: ascending, so membership is a search.
        debug_assert!(
            sm.crawled.is_sorted() && sm.normative.is_sorted() && sm.interpretations.is_sorted()
        );
        sm.sponsor = sm.find_sponsor();
        sm
    }

    /// Pages that stand for themselves, ascending: usable, one per final URL, except that one
    /// URL answering different bytes without a redirect is several pages (a form endpoint POSTed
    /// different bodies: each batch of a Hanweb dataproxy list comes from one dataproxy.jsp).
    fn candidates(pages: &'a [SitePage]) -> Vec<u32> {
        let mut seen_final = PageKeyed::new(pages, pages.len(), |p: &'a SitePage| {
            let final_url = strip_fragment(&p.final_url);
            let distinct = if strip_fragment(&p.url) == final_url {
                p.body_sha256.as_deref().unwrap_or("")
            } else {
                ""
            };
            (final_url, distinct)
        });
        pages
            .iter()
            .enumerate()
            .filter(|&(i, p)| {
                let usable = p.crawled
                    && p.model.is_some()
                    && ok_outcome(p)
                    && !p.model.as_ref().is_some_and(|m| m.challenge);
                usable && seen_final.insert(i)
            })
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// The 主办单位 stated in the footer of the home page, else of the first crawled page.
    fn find_sponsor(&self) -> Option<String> {
        let stated = |i: usize| {
            self.page(i)
                .model
                .as_ref()
                .and_then(|m| m.footer.sponsor.as_deref())
                .map(str::trim)
                .filter(|s| !s.is_empty() && !gongkai_page::labels::is_placeholder(s))
                .map(String::from)
        };
        let homes = self.crawled.iter().copied().filter(|&i| self.is_home(i));
        homes.chain(self.crawled.iter().copied()).find_map(stated)
    }

    /// True when `target` is linked from so many of the site's article pages (at least
    /// [`TEMPLATE_SHARE`] of them) that the link is the template's, not one page's own.
    pub fn is_template_target(&self, target: &str) -> bool {
        self.template_targets
            .get_or_init(|| self.find_template_targets())
            .contains(strip_fragment(target))
    }

    /// The distinct targets (fragment stripped) of article page `i`'s links.
    fn distinct_targets(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let mut seen = HashSet::with_capacity_and_hasher(64, Default::default());
        self.links_of(i)
            .filter_map(|l| l.target_url.map(strip_fragment))
            .filter(move |t| seen.insert(*t))
    }

    /// The targets linked from at least [`TEMPLATE_SHARE`] (and [`TEMPLATE_MIN_PAGES`]) of the
    /// article pages, without a count of every target: a first pass keeps `k` counters
    /// (Misra–Gries), which keeps every target counted more than (pairs / (k + 1)) times, so
    /// with `k` of at least (links / needed pages) no template target is lost; a second pass
    /// counts those candidates exactly.
    fn find_template_targets(&self) -> HashSet<String> {
        let articles: Vec<usize> = self
            .crawled
            .iter()
            .copied()
            .filter(|&i| self.is_article(i))
            .collect();
        let need = ((articles.len() as f64) * TEMPLATE_SHARE).ceil() as usize;
        let need = need.max(TEMPLATE_MIN_PAGES);
        let links: usize = articles.iter().map(|&i| self.links.range_of(i).len()).sum();
        let k = links.div_ceil(need).max(1);
        // Targets are counted by their ids in the link table: one target, one id. A target with
        // a fragment counts as the page it names, which another id may hold: then by text.
        if self.links.any_target_contains('#') {
            return self.template_targets_by_text(&articles, need, k);
        }
        let mut ids: Vec<u32> = Vec::new();
        let distinct = |i: usize, ids: &mut Vec<u32>| {
            ids.clear();
            ids.extend(self.links.target_ids_of(i));
            ids.sort_unstable();
            ids.dedup();
        };
        let mut counters: HashMap<u32, usize> =
            HashMap::with_capacity_and_hasher(k + 1, Default::default());
        for &i in &articles {
            distinct(i, &mut ids);
            for &t in &ids {
                misra_gries(&mut counters, t, k);
            }
        }
        let mut count: HashMap<u32, usize> = counters.into_keys().map(|t| (t, 0)).collect();
        for &i in &articles {
            distinct(i, &mut ids);
            for t in &ids {
                if let Some(n) = count.get_mut(t) {
                    *n += 1;
                }
            }
        }
        count
            .into_iter()
            .filter(|&(_, n)| n >= need)
            .map(|(t, _)| self.links.target(t).to_string())
            .collect()
    }

    /// [`Self::find_template_targets`] counting each page's distinct targets by their text
    /// without a fragment.
    fn template_targets_by_text(
        &self,
        articles: &[usize],
        need: usize,
        k: usize,
    ) -> HashSet<String> {
        let mut counters: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(k + 1, Default::default());
        for &i in articles {
            for t in self.distinct_targets(i) {
                misra_gries(&mut counters, t, k);
            }
        }
        let mut count: HashMap<&str, usize> = counters.into_keys().map(|t| (t, 0)).collect();
        for &i in articles {
            for t in self.distinct_targets(i) {
                if let Some(n) = count.get_mut(t) {
                    *n += 1;
                }
            }
        }
        count
            .into_iter()
            .filter(|&(_, n)| n >= need)
            .map(|(t, _)| t.to_string())
            .collect()
    }

    /// True when `target` is a column index or list page rather than a document: a crawled
    /// column list, or a URL shaped like one (`…/`, `…/index.html`, Hanweb `/col/colN/…`).
    pub fn is_column_target(&self, target: &str) -> bool {
        if let Some(t) = self.lookup(target) {
            if let Some(m) = self.page(t).model.as_ref() {
                if m.column.is_some() || m.kind == PageKind::ColumnList {
                    return true;
                }
                if matches!(m.kind, PageKind::Article | PageKind::InfoDisclosureArticle) {
                    return false;
                }
            }
        }
        let Ok(u) = url::Url::parse(target) else {
            return false;
        };
        let path = u.path();
        let last = path.rsplit('/').next().unwrap_or("");
        let stem = last.split('.').next().unwrap_or("").to_ascii_lowercase();
        last.is_empty()
            || stem == "index"
            || stem.starts_with("index_")
            || path.contains("/col/col")
    }

    /// The date that places page `i` in time, for deciding whether a rule applies: 发布日期,
    /// else 成文日期, else the PubDate meta ([`PageModel::reference_date`]), else the date a
    /// column list gives for it. Never a field the page must show itself.
    pub fn reference_date(&self, i: usize) -> Option<(NaiveDate, &'static str)> {
        let m = self.page(i).model.as_ref()?;
        for (f, name) in [
            (Field::PublishDate, "发布日期"),
            (Field::WrittenDate, "成文日期"),
        ] {
            if let Some(d) = m
                .metadata
                .value(f)
                .and_then(gongkai_page::dates::parse_date)
            {
                return Some((d, name));
            }
        }
        if let Some(d) = m
            .reference_date()
            .as_deref()
            .and_then(gongkai_page::dates::parse_date)
        {
            return Some((d, "PubDate"));
        }
        self.listed_date(i).map(|d| (d, "列表日期"))
    }

    /// The column items that link page `i`, in column order.
    fn listed_items(&self, i: usize) -> impl Iterator<Item = &'a gongkai_page::ColumnItem> + '_ {
        let from = self.listings.partition_point(|e| (e.0 as usize) < i);
        self.listings[from..]
            .iter()
            .take_while(move |e| e.0 as usize == i)
            .filter_map(|&(_, p, k)| {
                self.model(p as usize)
                    .column
                    .as_ref()
                    .and_then(|c| c.items.get(k as usize))
            })
    }

    /// The date of the first column item that links page `i`.
    fn listed_date(&self, i: usize) -> Option<NaiveDate> {
        self.listed_items(i).find_map(|item| {
            item.date
                .as_deref()
                .and_then(gongkai_page::dates::parse_date)
        })
    }

    /// Links of the given kinds on crawled pages whose target was fetched in the run:
    /// `(link, source page, target page, target URL)`. The link checks start from this. The
    /// source page is the one standing for the link's page URL ([`Self::lookup`]).
    pub fn fetched_links<'s>(
        &'s self,
        kinds: &'s [gongkai_page::LinkKind],
    ) -> impl Iterator<Item = (LinkRef<'s>, usize, usize, &'s str)> + use<'a, 's> {
        // The links come page by page: the page standing for a source is looked up once a page.
        let mut last: Option<(usize, Option<usize>)> = None;
        self.links.iter().filter_map(move |l| {
            let target = l.target_url?;
            if !kinds.contains(&l.kind) {
                return None;
            }
            let src = match last {
                Some((page, src)) if page == l.source_page => src,
                _ => {
                    let src = self.lookup(self.source_url(&l));
                    last = Some((l.source_page, src));
                    src
                }
            }?;
            if !self.page(src).crawled {
                return None;
            }
            let t = self.lookup(target)?;
            Some((l, src, t, target))
        })
    }

    /// The URL of the page a link is on.
    pub fn source_url(&self, l: &LinkRef<'_>) -> &'a str {
        &self.page(l.source_page).url
    }

    /// The number of links of the site.
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    /// The links on page `i`, in page order.
    pub fn links_of(&self, i: usize) -> impl Iterator<Item = LinkRef<'_>> + '_ {
        self.links.links_of(i)
    }

    /// Every link of the site, page by page.
    pub fn all_links(&self) -> impl Iterator<Item = LinkRef<'_>> + '_ {
        self.links.iter()
    }

    /// The links whose target is exactly `url` (one of the run's read attachments), in link
    /// order. One pass over the links indexes every attachment, instead of one pass each.
    pub fn links_to_attachment(&self, url: &str) -> Vec<LinkRef<'_>> {
        let index = self
            .links_to_attachments
            .get_or_init(|| AttachmentLinks::build(&self.site.attachments, &self.links));
        match index.links_to(url) {
            Some(ids) => ids.filter_map(|n| self.links.get(n as usize)).collect(),
            // Not one of the run's attachments: look through every link.
            None => self
                .links
                .iter()
                .filter(|l| l.target_url == Some(url))
                .collect(),
        }
    }

    /// The distinct anchor texts of all the site's links, sorted ([`LinkTable::distinct_anchors`]:
    /// string ids marked in a bit set, no copy of the texts). Built on each call: only the
    /// list of borrowed texts is held, by the check that asked.
    pub fn distinct_anchors(&self) -> Vec<&str> {
        self.links.distinct_anchors()
    }

    pub fn page(&self, i: usize) -> &'a SitePage {
        &self.site.pages[i]
    }

    /// The text of page `i`'s model (empty without one). A site loaded from the store holds no
    /// texts of crawled pages: each call reads the store, so a check reads a page's text once
    /// and keeps it no longer than it needs it. Never read `model(i).text` directly.
    pub fn text(&self, i: usize) -> std::borrow::Cow<'a, str> {
        self.site.page_text(i)
    }

    /// The sentence of page `i`'s term clause ([`gongkai_page::TermClause::quote`]), when it has
    /// one. A site loaded from the store holds no quotes (they are page text: 16 MB at 100,000
    /// pages), so it is found again in the page's text by the extractor that found it. Never read
    /// `model(i).term.quote` directly.
    pub fn term_quote(&self, i: usize) -> Option<String> {
        let term = self.model(i).term.as_ref()?;
        if !term.quote.is_empty() {
            return Some(term.quote.to_string());
        }
        gongkai_page::validity::term_clause(&self.text(i)).map(|t| t.quote.to_string())
    }

    /// The crawled pages (ascending) whose folded text ([`crate::text::fold`]) contains one of
    /// `needles` (empty needles ignored). Several checks put the same question to every page (the
    /// message checks look for the same message-time labels), and reading a page's text is the
    /// costly part of that: each needle set is answered once per evaluation and shared.
    pub fn pages_with_text(&self, needles: &[String]) -> std::sync::Arc<Vec<usize>> {
        let key: Vec<String> = needles.iter().filter(|n| !n.is_empty()).cloned().collect();
        // Held while computing: a second check asking the same waits instead of reading again.
        let mut cache = self
            .text_hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(hits) = cache.get(&key) {
            return hits.clone();
        }
        // Needles of characters that only themselves fold to (CJK, not ASCII, not a full-width
        // form, space or dash) are in the folded text exactly where they are in the text, which
        // is then searched without being folded into a copy.
        let raw = key
            .iter()
            .all(|n| n.chars().all(crate::text::folds_only_from_itself));
        let mut hits: Vec<usize> = if key.is_empty() {
            Vec::new()
        } else {
            self.crawled
                .iter()
                .copied()
                .filter(|&i| {
                    let text = self.text(i);
                    if raw {
                        key.iter().any(|n| text.contains(n.as_str()))
                    } else {
                        let text = crate::text::fold(&text);
                        key.iter().any(|n| text.contains(n.as_str()))
                    }
                })
                .collect()
        };
        hits.sort_unstable();
        let hits = std::sync::Arc::new(hits);
        cache.insert(key, hits.clone());
        hits
    }

    /// True when page `i` is a normative document ([`Self::normative`], ascending: a search,
    /// not a scan).
    pub fn is_normative(&self, i: usize) -> bool {
        self.normative.binary_search(&i).is_ok()
    }

    /// True when page `i` is an interpretation ([`Self::interpretations`], ascending).
    pub fn is_interpretation(&self, i: usize) -> bool {
        self.interpretations.binary_search(&i).is_ok()
    }

    /// The model of a page known to have one (crawled pages, column pages).
    pub fn model(&self, i: usize) -> &'a PageModel {
        self.site.pages[i]
            .model
            .as_ref()
            .expect("page with a model")
    }

    /// The page standing for `url` (fragment ignored): the best fetch under that URL, or the
    /// page whose bytes it answered under another URL.
    pub fn lookup(&self, url: &str) -> Option<usize> {
        self.by_url.get(url)
    }

    /// Heading, else the 标题 the metadata block prints (also when the heading is generic: the
    /// site's or a column's name, or under four characters), else the `ArticleTitle` meta, else
    /// the `<title>` with a trailing site name cut, else the title a column lists the page under.
    pub fn title(&self, i: usize) -> String {
        let Some(m) = self.page(i).model.as_ref() else {
            return String::new();
        };
        let nonempty = |s: Option<&gongkai_page::ArcStr>| {
            s.map(|h| h.trim().to_string()).filter(|h| !h.is_empty())
        };
        let heading = nonempty(m.heading.as_ref());
        let generic = heading.as_ref().is_none_or(|h| {
            let k = key(h);
            k.chars().count() < 4
                || m.guideline_meta
                    .get("SiteName")
                    .is_some_and(|n| key(n) == k)
                || m.guideline_meta
                    .get("ColumnName")
                    .is_some_and(|n| key(n) == k)
                || m.breadcrumb.iter().any(|b| key(b) == k)
        });
        if generic {
            if let Some(t) = m.metadata.value(Field::Title) {
                return t.to_string();
            }
        }
        if let Some(h) = heading.or_else(|| nonempty(m.guideline_meta.get("ArticleTitle"))) {
            return h;
        }
        let t = m.title.trim();
        let mut cut = t.to_string();
        for sep in ["_", " - ", "|", "－", "——"] {
            if let Some((head, _)) = t.split_once(sep) {
                if head.trim().chars().count() >= 4 {
                    cut = head.trim().to_string();
                    break;
                }
            }
        }
        let site_name = m
            .guideline_meta
            .get("SiteName")
            .map(|s| s.trim().to_string());
        if !cut.is_empty() && Some(&cut) != site_name.as_ref() {
            return cut;
        }
        self.listed_title(i).unwrap_or(cut)
    }

    /// The title of the first column item that links page `i`.
    fn listed_title(&self, i: usize) -> Option<String> {
        self.listed_items(i)
            .map(|item| item.title.trim())
            .find(|t| !t.is_empty())
            .map(String::from)
    }

    /// The field's value when the page shows a real one (blank and placeholder values such as
    /// 无 / — count as absent: [`gongkai_page::Metadata::value`]).
    pub fn field(&self, i: usize, f: Field) -> Option<&'a str> {
        self.page(i)
            .model
            .as_ref()
            .and_then(|m| m.metadata.value(f))
    }

    pub fn is_article(&self, i: usize) -> bool {
        let Some(m) = self.page(i).model.as_ref() else {
            return false;
        };
        matches!(m.kind, PageKind::Article | PageKind::InfoDisclosureArticle)
            || (m.metadata.fields.len() >= 2 && m.column.is_none() && m.kind != PageKind::Home)
    }

    pub fn is_info_disclosure(&self, i: usize) -> bool {
        self.page(i).model.as_ref().is_some_and(|m| {
            m.metadata.fields.len() >= 2 || m.kind == PageKind::InfoDisclosureArticle
        })
    }

    pub fn is_home(&self, i: usize) -> bool {
        let p = self.page(i);
        p.model.as_ref().is_some_and(|m| m.kind == PageKind::Home)
            || self.site.start_urls.iter().any(|s| {
                let s = strip_fragment(s);
                s == strip_fragment(&p.url) || s == strip_fragment(&p.final_url)
            })
    }

    /// Names of the columns a page belongs to: the columns listing it, its breadcrumb (without
    /// 首页 and its own title) and its `ColumnName` meta.
    pub fn column_names(&self, i: usize) -> Vec<String> {
        let mut out: Vec<String> = self
            .listing_groups(i)
            .map(|g| self.columns[g].name.clone())
            .collect();
        if let Some(m) = self.page(i).model.as_ref() {
            let own = key(&self.title(i));
            for c in &m.breadcrumb {
                let k = key(c);
                if k.is_empty() || k == "首页" || k == own || c.chars().count() > 30 {
                    continue;
                }
                out.push(c.trim().to_string());
            }
            if let Some(c) = m.guideline_meta.get("ColumnName") {
                if !c.trim().is_empty() {
                    out.push(c.trim().to_string());
                }
            }
            if let Some(c) = m.column.as_ref() {
                if !c.name.trim().is_empty() {
                    out.push(c.name.trim().to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The column groups with an item naming page `i`, each once, in column order.
    fn listing_groups(&self, i: usize) -> impl Iterator<Item = usize> + use<'_, 'a> {
        let from = self.listings.partition_point(|e| (e.0 as usize) < i);
        let mut last = None;
        self.listings[from..]
            .iter()
            .take_while(move |e| e.0 as usize == i)
            .filter_map(|&(_, p, _)| {
                let at = self.group_of.binary_search_by_key(&p, |e| e.0).ok()?;
                Some(self.group_of[at].1 as usize)
            })
            // A page's listings follow the groups' order: a group's are consecutive.
            .filter(move |&g| last.replace(g) != Some(g))
    }

    /// Group column list pages: same name and either joined by a pagination follow request or
    /// sharing a URL once page numbers are taken out (index_2.html → index.html, pageNum=2 → ).
    fn group_columns(&mut self) {
        let col_pages: Vec<usize> = self
            .crawled
            .iter()
            .copied()
            .filter(|&i| self.model(i).column.is_some())
            .collect();
        let mut parent: HashMap<usize, usize> = col_pages.iter().map(|&i| (i, i)).collect();
        fn find(p: &mut HashMap<usize, usize>, x: usize) -> usize {
            let mut r = x;
            while p[&r] != r {
                r = p[&r];
            }
            let mut c = x;
            while p[&c] != r {
                let n = p[&c];
                p.insert(c, r);
                c = n;
            }
            r
        }
        let name_of = |sm: &Self, i: usize| compact(&column_name(sm.model(i)));
        let mut by_key: HashMap<(String, String), usize> = HashMap::default();
        for &i in &col_pages {
            let k = (name_of(self, i), page_key(&self.page(i).final_url));
            if let Some(&j) = by_key.get(&k) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent.insert(a, b);
            } else {
                by_key.insert(k, i);
            }
        }
        // Column pages by URL (fragment stripped), in page order: the answers of an endpoint.
        let mut by_page_url: HashMap<&str, Vec<usize>> = HashMap::default();
        for &j in &col_pages {
            by_page_url
                .entry(strip_fragment(&self.page(j).url))
                .or_default()
                .push(j);
        }
        for &i in &col_pages {
            for f in &self.model(i).follow {
                match f {
                    FollowRequest::Pagination { url } => {
                        if let Some(j) = self.lookup(url) {
                            if parent.contains_key(&j) && name_of(self, j) == name_of(self, i) {
                                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                                parent.insert(a, b);
                            }
                        }
                    }
                    // The batches a Hanweb column page loads from its dataproxy are that column:
                    // every answer of the endpoint carrying the column's name joins it.
                    FollowRequest::HanwebDataProxy { endpoint, .. } => {
                        let answers = by_page_url.get(strip_fragment(endpoint));
                        for &j in answers.into_iter().flatten() {
                            if j != i && name_of(self, j) == name_of(self, i) {
                                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                                parent.insert(a, b);
                            }
                        }
                    }
                }
            }
        }
        let mut groups: HashMap<usize, Vec<usize>> = HashMap::default();
        for &i in &col_pages {
            let r = find(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
        let mut cols: Vec<ColumnGroup> = groups
            .into_values()
            .map(|mut pages| {
                pages.sort_by_key(|&i| {
                    (
                        self.model(i)
                            .column
                            .as_ref()
                            .and_then(|c| c.current_page)
                            .unwrap_or(1),
                        self.page(i).final_url.len(),
                        self.page(i).final_url.clone(),
                    )
                });
                let name = column_name(self.model(pages[0])).trim().to_string();
                ColumnGroup { name, pages }
            })
            .collect();
        cols.sort_by(|a, b| self.page(a.pages[0]).url.cmp(&self.page(b.pages[0]).url));
        // Room for every item with a URL at once: no doubling of a list of 100,000s.
        let items_with_url = |p: usize| {
            let c = self.model(p).column.as_ref().expect("column");
            c.items.iter().filter(|item| item.url.is_some()).count()
        };
        let mut listings = Vec::with_capacity(
            cols.iter()
                .flat_map(|c| &c.pages)
                .map(|&p| items_with_url(p))
                .sum(),
        );
        for col in &cols {
            for &p in &col.pages {
                let items = &self.model(p).column.as_ref().expect("column").items;
                for (k, item) in items.iter().enumerate() {
                    if let Some(j) = item.url.as_deref().and_then(|u| self.lookup(u)) {
                        listings.push((j as u32, p as u32, k as u32));
                    }
                }
            }
        }
        // Stable: each page's items stay in column order.
        listings.sort_by_key(|e| e.0);
        listings.shrink_to_fit();
        self.listings = listings;
        let mut group_of: Vec<(u32, u32)> = cols
            .iter()
            .enumerate()
            .flat_map(|(g, c)| c.pages.iter().map(move |&p| (p as u32, g as u32)))
            .collect();
        group_of.sort_unstable();
        self.group_of = group_of;
        self.columns = cols;
    }

    fn classify(&mut self) {
        for &i in &self.crawled {
            if !self.is_article(i) || self.model(i).column.is_some() {
                continue;
            }
            let v = self.vocab;
            let typed = self
                .field(i, Field::DocType)
                .is_some_and(|t| v.normative.matches(t));
            let cols = self.column_names(i);
            let title = self.title(i);
            let interp = !typed
                && (cols.iter().any(|c| v.interpretation.in_column(c))
                    || v.interpretation.in_title(&title));
            if interp {
                self.interpretations.push(i);
            } else if typed || cols.iter().any(|c| v.normative.matches(c)) {
                self.normative.push(i);
            }
        }
    }

    /// The responsible unit for a page: its 发布机构, else the owner of its URL prefix / column
    /// from the context, else the rule's default when it names one unit, else the site's
    /// 主办单位 ([`Self::department_for`]); aliases applied.
    pub fn department(&self, i: usize, ctx: &EvalContext, default: &str) -> String {
        if let Some(p) = self.publisher(i) {
            return ctx.canonical_department(&p);
        }
        let cols = self.column_names(i);
        self.department_for(&self.page(i).final_url, &cols, ctx, default)
    }

    /// The page's 发布机构 when it names an organ. A value printed under 来源 / 信息来源 (news
    /// pages: "来源：滕州日报") counts only when it reads like an organ (…局, …办公室, …镇 ...).
    pub fn publisher(&self, i: usize) -> Option<String> {
        let value = self.field(i, Field::Publisher).filter(|p| !p.is_empty())?;
        // "来源：本站" names the site itself, not a unit anyone can act on.
        if SELF_REFERENCES.contains(&value.trim()) {
            return None;
        }
        let m = self.model(i);
        let label = m
            .metadata
            .raw
            .iter()
            .find(|(_, v)| v.trim() == value)
            .map(|(l, _)| l.as_str())
            .unwrap_or("");
        if !label.contains("来源") || ORGAN_RE.is_match(value) {
            Some(value.to_string())
        } else {
            None
        }
    }

    /// The owner for a URL and column names from the context, else the site's 主办单位 as its
    /// footer states it, else `default` as written; aliases applied. A ledger phrase such as
    /// 市政府各部门、各镇街 names no one: it is the last resort, for sites whose footer states no
    /// 主办单位.
    pub fn department_for(
        &self,
        url: &str,
        columns: &[String],
        ctx: &EvalContext,
        default: &str,
    ) -> String {
        if let Some(o) = self.owner_for(url, columns, ctx) {
            return o;
        }
        // The footer's 主办单位 is the site's own statement of who runs it (the web office); a
        // rule's default unit is the model city's, so it only serves sites that state none.
        match &self.sponsor {
            Some(s) => ctx.canonical_department(s),
            None => ctx.canonical_department(default),
        }
    }

    /// The most specific owner rule matching a URL and column names (aliases applied).
    pub fn owner_for(&self, url: &str, columns: &[String], ctx: &EvalContext) -> Option<String> {
        let cols: Vec<String> = columns.iter().map(|c| compact(c)).collect();
        let mut best: Option<(usize, &str)> = None;
        for o in &ctx.owners {
            let mut score = 0;
            if let Some(pre) = &o.url_prefix {
                if !url.starts_with(pre.as_str()) {
                    continue;
                }
                score += pre.len();
            }
            if let Some(c) = &o.column {
                let c = compact(c);
                if c.is_empty() || !cols.iter().any(|n| n.contains(&c)) {
                    continue;
                }
                score += 10_000;
            }
            if o.url_prefix.is_none() && o.column.is_none() {
                continue;
            }
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, &o.department));
            }
        }
        best.map(|(_, d)| ctx.canonical_department(d))
    }

    /// The page's visible texts to search for names: title, heading, breadcrumb, column name.
    pub fn names_of(&self, i: usize) -> Vec<String> {
        let m = self.model(i);
        let mut v = vec![m.title.to_string()];
        v.extend(m.heading.as_ref().map(|h| h.to_string()));
        v.extend(m.breadcrumb.iter().map(|b| b.to_string()));
        v.extend(m.column.as_ref().map(|c| c.name.to_string()));
        v.extend(m.guideline_meta.get("ColumnName").map(|c| c.to_string()));
        v
    }
}

/// Publisher values that name the site itself, not a unit (来源：本站).
const SELF_REFERENCES: &[&str] = &[
    "本站",
    "本网",
    "本网站",
    "本站原创",
    "原创",
    "网站",
    "本平台",
];

pub(crate) fn column_name(m: &PageModel) -> String {
    let c = m.column.as_ref().map(|c| c.name.trim()).unwrap_or("");
    if !c.is_empty() {
        return c.to_string();
    }
    if let Some(n) = m
        .guideline_meta
        .get("ColumnName")
        .filter(|n| !n.trim().is_empty())
    {
        return n.trim().to_string();
    }
    if let Some(b) = m.breadcrumb.last() {
        return b.trim().to_string();
    }
    m.title.trim().to_string()
}

/// A URL with its page number taken out, so the pages of one column list share a key.
pub(crate) fn page_key(u: &str) -> String {
    let u = strip_fragment(u);
    let Ok(mut url) = url::Url::parse(u) else {
        return u.to_string();
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !(k.contains("page")
                || matches!(
                    k.as_str(),
                    "p" | "pn"
                        | "pno"
                        | "start"
                        | "startrecord"
                        | "endrecord"
                        | "perpage"
                        | "uid"
                        | "offset"
                ))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let path = url.path().to_string();
    let (dir, last) = path.rsplit_once('/').unwrap_or(("", &path));
    let last = match last.rsplit_once('.') {
        Some((stem, ext)) => {
            let stem = strip_page_suffix(stem);
            let stem = if stem.is_empty() {
                "index".to_string()
            } else {
                stem
            };
            format!("{stem}.{ext}")
        }
        None if last.is_empty() => "index.html".to_string(),
        None => last.to_string(),
    };
    let last = if last == "index.html" || last == "index.htm" || last == "index.shtml" {
        "index".to_string()
    } else {
        last
    };
    url.set_path(&format!("{dir}/{last}"));
    url.to_string()
}

fn strip_page_suffix(stem: &str) -> String {
    if let Some(pos) = stem.rfind(['_', '-']) {
        let (head, tail) = stem.split_at(pos);
        if tail.len() > 1 && tail[1..].chars().all(|c| c.is_ascii_digit()) {
            return head.to_string();
        }
    }
    stem.to_string()
}

#[cfg(test)]
mod tests {
    use super::page_key;
    use std::collections::HashMap;

    #[test]
    fn the_metadata_title_replaces_a_generic_heading() {
        use crate::checks::testkit::*;
        use gongkai_page::Field;
        let vocab = crate::Vocabulary::default();
        let mut m = with_fields(
            article("政策文件", "正文"),
            &[
                (Field::Title, "滕州市城市管理办法"),
                (Field::DocNumber, "滕政办发〔2022〕11号"),
            ],
        );
        m.breadcrumb = vec!["首页".into(), "政策文件".into()];
        let s = site(vec![page(ROOT, home("")), page(&u("a/t1.html"), m.clone())]);
        let sm = super::SiteModel::build(&s, &vocab);
        assert_eq!(sm.title(1), "滕州市城市管理办法");
        // A real heading stays.
        m.heading = Some("滕州市人民政府关于印发滕州市城市管理办法的通知".into());
        let s = site(vec![page(ROOT, home("")), page(&u("a/t1.html"), m)]);
        let sm = super::SiteModel::build(&s, &vocab);
        assert_eq!(
            sm.title(1),
            "滕州市人民政府关于印发滕州市城市管理办法的通知"
        );
    }

    /// Adds `url` to the run's read attachments.
    fn add_attachment(s: &mut crate::Site, url: &str) {
        s.attachments.push(crate::SiteAttachment {
            url: url.to_string(),
            ..Default::default()
        });
    }

    /// The anchors of the links to `url`, as `links_to_attachment` gives them.
    fn anchors_linking(sm: &super::SiteModel<'_>, url: &str) -> Vec<String> {
        sm.links_to_attachment(url)
            .iter()
            .map(|l| l.anchor.to_string())
            .collect()
    }

    #[test]
    fn links_to_an_attachment_come_in_page_order_from_one_index() {
        use crate::checks::testkit::*;
        let vocab = crate::Vocabulary::default();
        let mut s = site(vec![
            page(ROOT, home("")),
            page(&u("a/t1.html"), article("通知", "正文")),
        ]);
        let (pdf, doc) = (u("f/1.pdf"), u("f/2.doc"));
        add_link(&mut s, &u("a/t1.html"), &pdf, "附件一");
        add_link(&mut s, ROOT, &doc, "附件二");
        add_link(&mut s, ROOT, &pdf, "附件一（首页）");
        add_attachment(&mut s, &pdf);
        let sm = super::SiteModel::build(&s, &vocab);
        let anchors = |url: &str| anchors_linking(&sm, url);
        // Page order (the home page is page 0), then link order on the page.
        assert_eq!(anchors(&pdf), ["附件一（首页）", "附件一"]);
        // Not one of the run's attachments: found by a pass over the links all the same.
        assert_eq!(anchors(&doc), ["附件二"]);
        assert!(anchors(&u("f/none.pdf")).is_empty());
    }

    /// Several attachments whose links interleave across pages: each gets its own links, in
    /// page and link order, whatever the order of the run's attachment list (one listed twice).
    #[test]
    fn interleaved_links_go_to_their_own_attachments() {
        use crate::checks::testkit::*;
        let vocab = crate::Vocabulary::default();
        let mut s = site(vec![
            page(ROOT, home("")),
            page(&u("a/t1.html"), article("通知", "正文")),
            page(&u("a/t2.html"), article("公告", "正文")),
        ]);
        let (a, b, c) = (u("f/a.pdf"), u("f/b.xls"), u("f/c.doc"));
        for (src, to, anchor) in [
            (ROOT, &b, "b0"),
            (ROOT, &a, "a0"),
            (&*u("a/t1.html"), &a, "a1"),
            (&*u("a/t1.html"), &b, "b1"),
            (&*u("a/t1.html"), &a, "a2"),
            (&*u("a/t2.html"), &c, "c2"),
            (&*u("a/t2.html"), &b, "b2"),
        ] {
            add_link(&mut s, src, to, anchor);
        }
        for url in [&c, &b, &a, &b] {
            add_attachment(&mut s, url);
        }
        let sm = super::SiteModel::build(&s, &vocab);
        let anchors = |url: &str| anchors_linking(&sm, url);
        assert_eq!(anchors(&a), ["a0", "a1", "a2"]);
        assert_eq!(anchors(&b), ["b0", "b1", "b2"]);
        assert_eq!(anchors(&c), ["c2"]);
        assert!(anchors(&u("f/none.pdf")).is_empty());
    }

    /// A page's listed date and title come from the first column item naming it that has
    /// one, in column order (groups, their pages, their items), whichever columns list it.
    #[test]
    fn listed_dates_and_titles_come_from_the_first_item_that_has_one() {
        use crate::checks::testkit::*;
        let vocab = crate::Vocabulary::default();
        let (a, b) = (u("a/t1.html"), u("a/t2.html"));
        let mut undated = article("", "正文");
        undated.heading = None;
        undated.title = gongkai_page::ArcStr::new();
        let s = site(vec![
            page(ROOT, home("")),
            page(
                &u("a/index.html"),
                column(
                    "通知公告",
                    &[("", &a, None), ("通知二", &b, Some("2022-03-04"))],
                ),
            ),
            page(
                &u("a/index_1.html"),
                column("通知公告", &[("关于某事的通知", &a, Some("2022-01-02"))]),
            ),
            page(
                &u("b/index.html"),
                column("工作动态", &[("动态", &a, Some("2021-12-31"))]),
            ),
            page(&a, undated.clone()),
            page(&b, undated),
        ]);
        let sm = super::SiteModel::build(&s, &vocab);
        let (ia, ib) = (sm.lookup(&a).unwrap(), sm.lookup(&b).unwrap());
        // Column a/ sorts before b/: its second page's item is the first with a date and title.
        assert_eq!(
            sm.reference_date(ia).map(|(d, from)| (d.to_string(), from)),
            Some(("2022-01-02".into(), "列表日期"))
        );
        assert_eq!(sm.title(ia), "关于某事的通知");
        assert_eq!(
            sm.reference_date(ib).map(|(d, _)| d.to_string()),
            Some("2022-03-04".into())
        );
        assert_eq!(sm.title(ib), "通知二");
        assert_eq!(sm.reference_date(0), None);
        // Membership by search answers what a scan of the lists answers.
        for i in 0..s.pages.len() {
            assert_eq!(sm.is_normative(i), sm.normative.contains(&i));
            assert_eq!(sm.is_interpretation(i), sm.interpretations.contains(&i));
        }
    }

    #[test]
    fn distinct_anchors_are_each_anchor_once_sorted() {
        use crate::checks::testkit::*;
        let vocab = crate::Vocabulary::default();
        let mut s = site(vec![
            page(ROOT, home("")),
            page(&u("a.html"), article("通知", "正文")),
        ]);
        for (src, anchor) in [
            (ROOT, "政务公开"),
            (ROOT, "首页"),
            (&*u("a.html"), "政务公开"),
            (&*u("a.html"), "附件"),
        ] {
            add_link(&mut s, src, &u("x.html"), anchor);
        }
        let sm = super::SiteModel::build(&s, &vocab);
        let mut want = vec!["政务公开", "首页", "附件"];
        want.sort_unstable();
        assert_eq!(sm.distinct_anchors(), want);
    }

    /// The two-pass template count finds exactly the targets a full count finds, by target id
    /// and, when a target has a fragment, by text.
    #[test]
    fn template_targets_are_those_a_full_count_finds() {
        use crate::checks::testkit::*;
        let vocab = crate::Vocabulary::default();
        for fragment in [true, false] {
            let mut pages = vec![page(ROOT, home(""))];
            for n in 0..20 {
                pages.push(page(&u(&format!("a/{n}.html")), article("通知", "正文")));
            }
            let mut s = site(pages);
            for n in 0..20 {
                let src = u(&format!("a/{n}.html"));
                // On every page, twice (counted once a page); on 6 pages (30%); on 5; its own.
                add_link(&mut s, &src, &u("nav.html"), "导航");
                let again = if fragment { "nav.html#top" } else { "nav.html" };
                add_link(&mut s, &src, &u(again), "导航");
                if n % 10 < 3 {
                    add_link(&mut s, &src, &u("six.html"), "六");
                }
                if n % 4 == 0 {
                    add_link(&mut s, &src, &u("five.html"), "五");
                }
                for m in 0..8 {
                    add_link(&mut s, &src, &u(&format!("own/{n}-{m}.html")), "正文链接");
                }
            }
            let sm = super::SiteModel::build(&s, &vocab);
            assert_eq!(sm.links.any_target_contains('#'), fragment);
            let mut full: HashMap<&str, usize> = HashMap::default();
            for &i in sm.crawled.iter().filter(|&&i| sm.is_article(i)) {
                for t in sm.distinct_targets(i) {
                    *full.entry(t).or_default() += 1;
                }
            }
            let mut want: Vec<&str> = full
                .into_iter()
                .filter(|&(_, n)| n >= 6)
                .map(|(t, _)| t)
                .collect();
            want.sort_unstable();
            let found = sm.find_template_targets();
            let mut got: Vec<&str> = found.iter().map(String::as_str).collect();
            got.sort_unstable();
            assert_eq!(got, want);
            assert_eq!(got, [u("nav.html"), u("six.html")]);
            assert!(
                sm.is_template_target(&u("nav.html#x")) && !sm.is_template_target(&u("five.html"))
            );
        }
    }

    #[test]
    fn pagination_keys() {
        assert_eq!(
            page_key("http://x.gov.cn/zwgk/tzgg/index_2.html"),
            page_key("http://x.gov.cn/zwgk/tzgg/index.html")
        );
        assert_eq!(
            page_key("http://x.gov.cn/zwgk/tzgg/"),
            page_key("http://x.gov.cn/zwgk/tzgg/index.html")
        );
        assert_eq!(
            page_key("http://x.gov.cn/col/col5/index.html?uid=1&pageNum=3"),
            page_key("http://x.gov.cn/col/col5/index.html")
        );
        assert_ne!(
            page_key("http://x.gov.cn/a/index.html"),
            page_key("http://x.gov.cn/b/index.html")
        );
        assert_ne!(
            page_key("http://x.gov.cn/list.jsp?colid=5"),
            page_key("http://x.gov.cn/list.jsp?colid=6")
        );
    }
}
