//! One entry point for a fetched answer, used by both the crawl and `gongkai check`: a plain page
//! goes through [`crate::analyze`], a Hanweb dataproxy POST answer (XML of item records) becomes
//! its column's list model. The column name comes from the request (the list page that queued the
//! POST), since the XML does not carry it; callers must pass it on both paths or re-checked lists
//! lose their column.

use crate::column::{analyze_fragment, hanweb::record_items, parse_hanweb_response};
use gongkai_core::model::{ColumnList, PageKind, PageModel, EXTRACTOR_VERSION};
use gongkai_core::Method;
use url::Url;

/// The extraction of one fetched answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Analyzed {
    /// The page model.
    pub model: PageModel,
    /// Total record count a Hanweb dataproxy answer announces (drives the next batch POST).
    pub hanweb_total: Option<u32>,
}

/// Analyses a fetched answer. `method` is the request's method: a POST answer is a Hanweb
/// dataproxy batch (the only POSTs the crawler makes) and is read as XML, with `column` as its
/// column name; any other answer is an HTML page (`content_type` picks its charset).
pub fn analyze_fetched(
    url: &Url,
    body: &[u8],
    content_type: Option<&str>,
    method: Method,
    column: Option<&str>,
) -> Analyzed {
    if method == Method::Post {
        let (model, hanweb_total) = hanweb_model(url, body, column.map(str::to_string));
        Analyzed {
            model,
            hanweb_total,
        }
    } else {
        Analyzed {
            model: crate::analyze(url, body, content_type),
            hanweb_total: None,
        }
    }
}

/// Builds the column's page model from one dataproxy answer; returns the total record count.
/// The XML and the item HTML are read by this crate's column parser (one item per record).
pub fn hanweb_model(url: &Url, body: &[u8], column: Option<String>) -> (PageModel, Option<u32>) {
    let body = &body[..body.len().min(crate::MAX_BODY)];
    let xml = crate::decode(body, Some("text/xml")).text;
    let batch = parse_hanweb_response(&xml);
    let (links, _) = analyze_fragment(url, &batch.records.join("\n"));
    let items = record_items(url, &batch.records);
    let name = column.unwrap_or_default();
    let model = PageModel {
        extractor_version: EXTRACTOR_VERSION,
        title: name.clone().into(),
        kind: PageKind::ColumnList,
        links,
        column: Some(Box::new(ColumnList {
            name: name.into(),
            items,
            total_pages: batch.total_pages,
            current_page: None,
        })),
        ..PageModel::default()
    };
    (model, batch.total_records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>\
        <record><![CDATA[<li><a href=\"/art/2024/1/2/art_12_1.html\">关于印发某办法的通知</a><span>2024-01-02</span></li>]]></record>\
        </recordset><totalrecord>1</totalrecord><totalpage>1</totalpage></datastore>";

    #[test]
    fn posts_keep_their_column_and_pages_are_html() {
        let url = Url::parse("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp").unwrap();
        let a = analyze_fetched(&url, XML.as_bytes(), None, Method::Post, Some("规范性文件"));
        let col = a.model.column.expect("a column list");
        assert_eq!(col.name, "规范性文件");
        assert_eq!(col.items.len(), 1);
        assert_eq!(a.hanweb_total, Some(1));

        let page = Url::parse("http://www.example.gov.cn/a.html").unwrap();
        let html = "<html><head><title>某页</title></head><body><p>正文</p></body></html>";
        let b = analyze_fetched(&page, html.as_bytes(), Some("text/html"), Method::Get, None);
        assert_eq!(b.model.title, "某页");
        assert_eq!(b.hanweb_total, None);
    }
}
