//! Column (栏目) list pages: the column's name, its items, its pagination and, for Hanweb, the
//! dataproxy request that loads the rest of the list.
//!
//! The name comes from the breadcrumb tail, then the ColumnName meta, then a heading just above
//! the list, then the `<title>` minus the site-name suffix (`规范性文件_滕州市人民政府`).

pub mod hanweb;
pub mod items;
pub mod pagination;

use crate::dom::{self, Nd};
use crate::model::{ColumnList, FollowRequest};
use ::url::Url;
use std::collections::BTreeMap;

pub use hanweb::{analyze_fragment, parse_hanweb_response, HanwebBatch};

/// Breadcrumb tails that name the page, not the column.
const GENERIC_CRUMBS: [&str; 8] = [
    "正文",
    "详情",
    "详细信息",
    "内容",
    "列表",
    "信息列表",
    "文章",
    "浏览文章",
];

/// Inputs the column analysis needs from the rest of the page.
pub struct ColumnContext<'a, 'd> {
    pub root: Nd<'d>,
    pub page: &'a Url,
    pub base: &'a Url,
    /// Inline script texts (including `type="text/xml"` datastores).
    pub scripts: &'a [String],
    /// `src` of external scripts.
    pub script_srcs: &'a [String],
    pub title: &'a str,
    pub breadcrumb: &'a [String],
    pub guideline_meta: &'a BTreeMap<String, String>,
    /// The page's `<a>` elements in document order, when already listed (else found here).
    pub anchors: Option<&'a [Nd<'d>]>,
    /// Whether to search the page for its main list. False when the page's kind is known
    /// without it (an article): pagination and Hanweb requests are still read, they are followed
    /// from any page.
    pub find_list: bool,
}

/// Everything column-related found on a page, with the evidence the page-kind decision uses.
#[derive(Debug, Clone, Default)]
pub struct ColumnAnalysis {
    pub list: ColumnList,
    pub follow: Vec<FollowRequest>,
    /// Items in the main list that carry a date.
    pub dated_items: usize,
    pub has_pagination: bool,
    pub hanweb: bool,
}

impl ColumnAnalysis {
    /// Strong evidence the page is a column list: pagination, a Hanweb list, or a dated list of
    /// five or more items.
    pub fn strong(&self) -> bool {
        self.has_pagination || self.hanweb || self.dated_items >= 5
    }

    /// Any evidence: a list with items at all.
    pub fn any(&self) -> bool {
        self.strong() || !self.list.items.is_empty()
    }
}

/// Analyses the page as a column list page.
pub fn analyze_column(ctx: &ColumnContext<'_, '_>) -> ColumnAnalysis {
    let mut out = ColumnAnalysis::default();
    let pag = match ctx.anchors {
        Some(anchors) => {
            pagination::extract_among(ctx.root, anchors, ctx.page, ctx.base, ctx.scripts)
        }
        None => pagination::extract(ctx.root, ctx.page, ctx.base, ctx.scripts),
    };
    out.has_pagination = pag.found();
    out.list.total_pages = pag.total_pages;
    out.list.current_page = pag.current_page;
    out.follow.extend(
        pag.urls
            .into_iter()
            .map(|url| FollowRequest::Pagination { url }),
    );

    let mut list_parent = None;
    if let Some(h) = hanweb::detect(ctx.page, ctx.scripts, ctx.script_srcs) {
        out.hanweb = true;
        out.list.items = hanweb::record_items(ctx.base, &h.records);
        out.dated_items = out.list.items.iter().filter(|i| i.date.is_some()).count();
        if let (Some(total), Some(pp)) = (h.total_records, h.perpage) {
            out.list
                .total_pages
                .get_or_insert(total.div_ceil(pp.max(1)));
        }
        if let Some(req) = h.request {
            out.follow.push(req);
        }
        // The page itself shows the first batch.
        out.list.current_page.get_or_insert(1);
    }
    if out.list.items.is_empty() && ctx.find_list {
        let mode = items::Mode::Page {
            has_pagination: out.has_pagination,
        };
        if let Some(g) = items::main_list(ctx.root, ctx.base, mode) {
            out.dated_items = g.dated;
            list_parent = g.parents.first().copied();
            out.list.items = g.items;
        }
    }
    let near_heading = list_parent
        .and_then(|id| ctx.root.tree().get(id))
        .and_then(heading_above);
    out.list.name = column_name(ctx, near_heading).into();
    out
}

fn column_name(ctx: &ColumnContext<'_, '_>, near_heading: Option<String>) -> String {
    if let Some(tail) = ctx
        .breadcrumb
        .iter()
        .rev()
        .find(|c| !GENERIC_CRUMBS.contains(&c.as_str()))
    {
        if ctx.breadcrumb.len() >= 2 {
            return tail.clone();
        }
    }
    if let Some(m) = ctx
        .guideline_meta
        .get("ColumnName")
        .filter(|m| !m.is_empty())
    {
        return m.clone();
    }
    if let Some(h) = near_heading {
        return h;
    }
    title_without_site(
        ctx.title,
        ctx.guideline_meta.get("SiteName").map(String::as_str),
    )
}

/// A short heading just above the list: an `h1`–`h4` or a title-classed element among the
/// previous siblings of the list and of its nearest ancestors.
fn heading_above(list: Nd<'_>) -> Option<String> {
    let mut cur = Some(list);
    for _ in 0..4 {
        let n = cur?;
        let mut sib = n.prev_sibling();
        let mut seen = 0;
        while let Some(s) = sib {
            if let Some(e) = s.value().as_element() {
                seen += 1;
                let heading_like = matches!(e.name(), "h1" | "h2" | "h3" | "h4")
                    || dom::any_class_id_token(e, |t| {
                        t.contains("title")
                            || t.starts_with("tit")
                            || t == "lmmc"
                            || t == "lanmu"
                            || t == "lmname"
                    });
                if heading_like && !dom::in_chrome(s) {
                    let t = dom::text(s, 128);
                    let t =
                        t.trim_end_matches(|c: char| c == '>' || c == '》' || c.is_whitespace());
                    let t = t.strip_suffix("更多").unwrap_or(t).trim();
                    let n = t.chars().count();
                    if (2..=20).contains(&n) && crate::dates::year_heading(t).is_none() {
                        return Some(t.to_string());
                    }
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

/// `规范性文件_滕州市人民政府` → `规范性文件`: the first title segment that is not the site name.
pub fn title_without_site(title: &str, site_name: Option<&str>) -> String {
    let parts: Vec<&str> = title
        .split(['_', '|', '｜', '—', '–', '-'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let is_site = |p: &str| {
        site_name.is_some_and(|s| !s.is_empty() && (p == s || p.contains(s)))
            || p.ends_with("人民政府")
            || p.ends_with("政府网")
            || p.ends_with("门户网站")
    };
    parts
        .iter()
        .find(|p| !is_site(p))
        .or(parts.first())
        .map(|p| p.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn analyze(html: &str, page: &str) -> ColumnAnalysis {
        let d = Html::parse_document(html);
        let root = d.tree.root();
        let page = Url::parse(page).unwrap();
        let meta = crate::metadata::guideline_meta(root);
        let crumbs = crate::content::breadcrumb(root);
        let title = crate::content::title(root);
        let (scripts, srcs) = crate::scripts(root);
        let ctx = ColumnContext {
            root,
            page: &page,
            base: &page,
            scripts: &scripts,
            script_srcs: &srcs,
            title: &title,
            breadcrumb: &crumbs,
            guideline_meta: &meta,
            anchors: None,
            find_list: true,
        };
        analyze_column(&ctx)
    }

    #[test]
    fn name_sources_in_order() {
        let a = analyze(
            "<title>规范性文件_滕州市人民政府</title><div class=\"position\">当前位置：<a>首页</a> &gt; <a>政务公开</a> &gt; <span>规范性文件</span></div>",
            "http://a.gov.cn/zwgk/gfxwj/index.html",
        );
        assert_eq!(a.list.name, "规范性文件");
        let a = analyze(
            "<title>x</title><meta name=\"columnname\" content=\"通知公告\"><body></body>",
            "http://a.gov.cn/tzgg/index.html",
        );
        assert_eq!(a.list.name, "通知公告");
        let a = analyze(
            r#"<title>滕州市人民政府-政策解读</title><div class="col"><div class="lm-title">政策解读</div>
            <ul><li><a href="/1.html">解读一的标题内容</a><span>2022-06-01</span></li></ul></div>"#,
            "http://a.gov.cn/zcjd/index.html",
        );
        assert_eq!(a.list.name, "政策解读");
        assert_eq!(
            title_without_site("滕州市人民政府 | 政策解读", None),
            "政策解读"
        );
        assert_eq!(
            title_without_site("专题专栏_中国滕州", Some("中国滕州")),
            "专题专栏"
        );
    }

    #[test]
    fn trs_list_page_with_create_page_html() {
        let items: String = (1..=8)
            .map(|i| format!("<li><a href=\"./202206/t202206{i:02}_10{i}.html\">规范性文件标题第{i}号测试</a><span>2022-06-{i:02}</span></li>"))
            .collect();
        let a = analyze(
            &format!(
                "<title>规范性文件_滕州市人民政府</title><div class=\"list\"><ul>{items}</ul>\
                 <div class=\"page\"><script>createPageHTML(3, 0, \"index\", \"html\");</script></div></div>"
            ),
            "http://www.tengzhou.gov.cn/zwgk/gfxwj/index.html",
        );
        assert!(a.strong());
        assert_eq!(a.dated_items, 8);
        assert_eq!(a.list.total_pages, Some(3));
        assert_eq!(a.list.current_page, Some(1));
        assert_eq!(a.follow.len(), 2);
    }
}
