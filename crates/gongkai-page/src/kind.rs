//! Page kind: what a page looks like on its own (cross-page kinds such as "normative document"
//! are the rules' business).
//!
//! Order of evidence, most specific first:
//! 1. Home: the site root (`/`, `/index.html`, `/default.aspx` …) without a query.
//! 2. InfoDisclosureArticle: a metadata block with two or more known fields, one of them
//!    specific to disclosure (索引号, 文号, 成文日期, 有效性 …), so a news byline is not enough.
//! 3. Article: an ArticleTitle meta, or a TRS / Hanweb / gkmlpt article URL
//!    (`/t20220601_123.html`, `/art/2022/6/1/art_1_2.html`, `/post_123.html`).
//! 4. ColumnList: a ColumnName meta without ArticleTitle, or strong list evidence (pagination, a
//!    Hanweb list, five or more dated items).
//! 5. Article: a body container with substantial text besides any list, and a heading.
//! 6. ColumnList: any list with items.
//! 7. Article: a heading with a body container or a printed publication date.
//! 8. Other.

use crate::column::ColumnAnalysis;
use crate::model::PageKind;
use crate::thread_regex::ThreadRegex;
use ::url::Url;
use regex::Regex;
use std::collections::BTreeMap;

static ARTICLE_URL: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(concat!(
        r"(?i)/t\d{8}_\d+(?:_\d+)?\.s?html?$",
        r"|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$",
        r"|/post_\d+\.html?$",
        r"|/\d{8}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.html?$",
    ))
    .expect("static regex")
});

/// Steps 1–3 of the order above, which need no list evidence: the kind when one of them
/// decides, else None. The extractor asks this first, so that a page already known to be an
/// article (most of a portal) is not searched for its main list, which only a list page keeps.
pub fn decide_before_lists(
    url: &Url,
    guideline_meta: &BTreeMap<String, String>,
    disclosure_block: bool,
) -> Option<PageKind> {
    if is_home_url(url) {
        return Some(PageKind::Home);
    }
    if disclosure_block {
        return Some(PageKind::InfoDisclosureArticle);
    }
    let article_meta = guideline_meta
        .get("ArticleTitle")
        .is_some_and(|v| !v.trim().is_empty());
    (article_meta || is_article_url(url)).then_some(PageKind::Article)
}

/// Evidence gathered from the page.
pub struct KindInputs<'a> {
    pub url: &'a Url,
    pub guideline_meta: &'a BTreeMap<String, String>,
    pub disclosure_block: bool,
    pub column: &'a ColumnAnalysis,
    /// Characters of text in the article body container, if any.
    pub container_chars: Option<usize>,
    pub has_heading: bool,
    /// The page prints its own publication date (metadata 发布时间 / PubDate meta).
    pub has_publish_date: bool,
}

/// Whether the URL is the site's home page.
pub fn is_home_url(url: &Url) -> bool {
    if url.query().is_some_and(|q| !q.is_empty()) {
        return false;
    }
    let path = url.path().to_ascii_lowercase();
    if path == "/" || path.is_empty() {
        return true;
    }
    let Some(file) = path.strip_prefix('/') else {
        return false;
    };
    if file.contains('/') {
        return false;
    }
    let stem = file.split('.').next().unwrap_or("");
    matches!(stem, "index" | "default" | "home" | "main") && file.contains('.')
}

/// Whether the URL has a known CMS article shape.
pub fn is_article_url(url: &Url) -> bool {
    ARTICLE_URL.re().is_match(url.path())
}

/// The page's kind, by the order of evidence above.
pub fn decide(k: &KindInputs<'_>) -> PageKind {
    if let Some(kind) = decide_before_lists(k.url, k.guideline_meta, k.disclosure_block) {
        return kind;
    }
    let nonempty = |name: &str| {
        k.guideline_meta
            .get(name)
            .is_some_and(|v| !v.trim().is_empty())
    };
    if nonempty("ColumnName") || k.column.strong() {
        return PageKind::ColumnList;
    }
    let list_chars: usize = k
        .column
        .list
        .items
        .iter()
        .map(|i| i.title.chars().count() + 12)
        .sum();
    if let Some(chars) = k.container_chars {
        if k.has_heading && chars.saturating_sub(list_chars) >= 150 {
            return PageKind::Article;
        }
    }
    if k.column.any() {
        return PageKind::ColumnList;
    }
    if k.has_heading && (k.container_chars.is_some() || k.has_publish_date) {
        return PageKind::Article;
    }
    PageKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ColumnItem;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn home_urls() {
        for s in [
            "http://a.gov.cn/",
            "http://a.gov.cn/index.html",
            "http://a.gov.cn/index.shtml",
            "http://a.gov.cn/default.aspx",
        ] {
            assert!(is_home_url(&u(s)), "{s}");
        }
        for s in [
            "http://a.gov.cn/zwgk/index.html",
            "http://a.gov.cn/index.jsp?id=5",
            "http://a.gov.cn/indexes",
        ] {
            assert!(!is_home_url(&u(s)), "{s}");
        }
    }

    #[test]
    fn article_urls() {
        for s in [
            "http://www.tengzhou.gov.cn/zwgk/gfxwj/202206/t20220601_123.html",
            "http://www.jiangsu.gov.cn/art/2022/6/1/art_46143_10502060.html",
            "http://www.gd.gov.cn/gkmlpt/content/3/3940/post_3940123.html",
        ] {
            assert!(is_article_url(&u(s)), "{s}");
        }
        assert!(!is_article_url(&u("http://a.gov.cn/col/col123/index.html")));
    }

    fn inputs<'a>(
        url: &'a Url,
        meta: &'a BTreeMap<String, String>,
        col: &'a ColumnAnalysis,
    ) -> KindInputs<'a> {
        KindInputs {
            url,
            guideline_meta: meta,
            disclosure_block: false,
            column: col,
            container_chars: None,
            has_heading: false,
            has_publish_date: false,
        }
    }

    #[test]
    fn decisions() {
        let meta = BTreeMap::new();
        let col = ColumnAnalysis::default();
        let url = u("http://a.gov.cn/zwgk/x.html");
        assert_eq!(decide(&inputs(&url, &meta, &col)), PageKind::Other);
        let mut k = inputs(&url, &meta, &col);
        k.disclosure_block = true;
        assert_eq!(decide(&k), PageKind::InfoDisclosureArticle);
        let mut k = inputs(&url, &meta, &col);
        k.container_chars = Some(800);
        k.has_heading = true;
        assert_eq!(decide(&k), PageKind::Article);

        let mut small = ColumnAnalysis::default();
        small.list.items = (0..3)
            .map(|i| ColumnItem {
                title: format!("信息标题{i}").into(),
                url: None,
                date: Some("2022-06-01".into()),
            })
            .collect();
        small.dated_items = 3;
        let mut k = inputs(&url, &meta, &small);
        k.container_chars = Some(80);
        k.has_heading = true;
        assert_eq!(decide(&k), PageKind::ColumnList);
        let mut meta2 = BTreeMap::new();
        meta2.insert("ColumnName".to_string(), "通知公告".to_string());
        assert_eq!(decide(&inputs(&url, &meta2, &col)), PageKind::ColumnList);
        meta2.insert("ArticleTitle".to_string(), "某通知".to_string());
        assert_eq!(decide(&inputs(&url, &meta2, &col)), PageKind::Article);
    }
}
