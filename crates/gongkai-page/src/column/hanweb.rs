//! Hanweb (大汉 JCMS) column lists.
//!
//! A Hanweb column page (`/col/col123/index.html`) ships its first records inside
//! `<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp
//! ?page=1&webid=1&path=/&columnid=123&unitid=456…">]]></nextgroup><recordset><record><![CDATA[
//! item html ]]></record>…` and loads the rest by POSTing to that `dataproxy.jsp` with
//! `startrecord` / `endrecord` / `perpage`. The form fields (col, appid, webid, path, columnid,
//! unitid, webname, permissiontype, sourceContentType) come from the `nextgroup` link and from the
//! jpage script's configuration (`ajaxParam: {…}` / `form: {…}` / `var perpage = 15` ...).
//!
//! A request is emitted only when a `columnid` and a `unitid` or `webid` are known: a guessed
//! request would answer nothing and make an empty column look broken.

use crate::dom;
use crate::model::{ColumnItem, FollowRequest, Link};
use crate::thread_regex::ThreadRegex;
use crate::url::resolve;
use ::url::Url;
use regex::Regex;
use scraper::Html;

/// At most this many records are read from one response or page.
pub const MAX_RECORDS: usize = 10_000;
/// Records larger than this (bytes) are cut.
const MAX_RECORD_BYTES: usize = 64 * 1024;
const DEFAULT_ENDPOINT: &str = "/module/web/jpage/dataproxy.jsp";

/// One dataproxy answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HanwebBatch {
    /// `<totalrecord>`: records in the whole column.
    pub total_records: Option<u32>,
    /// `<totalpage>` when given.
    pub total_pages: Option<u32>,
    /// Each `<record>`'s item HTML.
    pub records: Vec<String>,
}

static TOTAL_RECORD: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?i)<totalrecord>\s*(\d{1,9})\s*</totalrecord>").expect("static regex")
});
static TOTAL_PAGE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?i)<totalpage>\s*(\d{1,9})\s*</totalpage>").expect("static regex")
});
static RECORD: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?is)<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>")
        .expect("static regex")
});
static NEXTGROUP_HREF: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r#"(?is)<nextgroup>\s*(?:<!\[CDATA\[)?\s*<a[^>]*?href\s*=\s*["']([^"']+)["']"#)
        .expect("static regex")
});
static FORM_FIELD: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(
        r#"(?i)(?:^|[^\w$.])(col|appid|webid|path|columnid|unitid|webname|permissiontype|sourcecontenttype)["']?\s*[:=]\s*(?:"([^"]{0,200})"|'([^']{0,200})'|([\w./%-]{1,200}))"#,
    )
    .expect("static regex")
});
static NUM_SETTING: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r#"(?i)(?:^|[^\w$.])(perpage|startrecord|endrecord|totalrecord|groupsize)["']?\s*[:=]\s*["']?(\d{1,7})"#)
        .expect("static regex")
});
static PROXY_URL: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r#"(?i)["']([^"'\s]{0,200}dataproxy\.jsp[^"'\s]{0,500})["']"#).expect("static regex")
});

/// Parses a dataproxy XML answer (also works on the inline `<datastore>` of a column page).
pub fn parse_hanweb_response(xml: &str) -> HanwebBatch {
    let num = |re: &Regex| {
        re.captures(xml)
            .and_then(|c| c.get(1))
            .and_then(|m| m.as_str().parse().ok())
    };
    let records = RECORD
        .re()
        .captures_iter(xml)
        .take(MAX_RECORDS)
        .filter_map(|c| {
            let (m, escaped) = match c.get(1) {
                Some(m) => (m, false),
                None => (c.get(2)?, true),
            };
            let mut s = if escaped {
                unescape(m.as_str().trim())
            } else {
                m.as_str().trim().to_string()
            };
            dom::truncate(&mut s, MAX_RECORD_BYTES);
            (!s.is_empty()).then_some(s)
        })
        .collect();
    HanwebBatch {
        total_records: num(&TOTAL_RECORD.re()),
        total_pages: num(&TOTAL_PAGE.re()),
        records,
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What a Hanweb column page says about its list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HanwebList {
    pub request: Option<FollowRequest>,
    /// Item HTML of the records shipped inline with the page.
    pub records: Vec<String>,
    pub total_records: Option<u32>,
    pub perpage: Option<u32>,
}

/// Reads the jpage datastore and configuration from a page's scripts (inline `text/xml` ones
/// included). `script_srcs` are the `src` of external scripts (a `/module/web/jpage/` script
/// marks a Hanweb list even when the config is elsewhere).
pub fn detect(page: &Url, scripts: &[String], script_srcs: &[String]) -> Option<HanwebList> {
    let relevant: Vec<&String> = scripts
        .iter()
        .filter(|s| s.contains("dataproxy.jsp") || s.contains("<datastore") || s.contains("jpage"))
        .collect();
    let jpage_src = script_srcs.iter().any(|s| s.contains("/jpage/"));
    if relevant.is_empty() {
        return None;
    }
    let mut out = HanwebList::default();
    let mut form: Vec<(String, String)> = Vec::new();
    let mut endpoint: Option<Url> = None;
    let mut settings: Vec<(String, u32)> = Vec::new();
    for s in &relevant {
        if s.contains("<datastore") || s.contains("<record") {
            let batch = parse_hanweb_response(s);
            out.records.extend(batch.records);
            out.total_records = out.total_records.or(batch.total_records);
        }
        if let Some(href) = NEXTGROUP_HREF.re().captures(s).and_then(|c| c.get(1)) {
            let href = href.as_str().replace("&amp;", "&");
            if let Ok(u) = resolve(page, &href) {
                for (k, v) in u.query_pairs().take(32) {
                    if !matches!(
                        k.to_ascii_lowercase().as_str(),
                        "page" | "startrecord" | "endrecord" | "perpage"
                    ) {
                        add_field(&mut form, &k, &v);
                    }
                }
                let mut e = u.clone();
                e.set_query(None);
                endpoint.get_or_insert(e);
            }
        }
        for c in FORM_FIELD.re().captures_iter(s).take(64) {
            let (Some(k), Some(v)) = (c.get(1), c.get(2).or(c.get(3)).or(c.get(4))) else {
                continue;
            };
            add_field(&mut form, k.as_str(), v.as_str());
        }
        for c in NUM_SETTING.re().captures_iter(s).take(64) {
            let (Some(k), Some(v)) = (c.get(1), c.get(2)) else {
                continue;
            };
            if let Ok(n) = v.as_str().parse() {
                settings.push((k.as_str().to_ascii_lowercase(), n));
            }
        }
        if endpoint.is_none() {
            if let Some(m) = PROXY_URL.re().captures(s).and_then(|c| c.get(1)) {
                if let Ok(mut u) = resolve(page, &m.as_str().replace("&amp;", "&")) {
                    for (k, v) in u.query_pairs().take(32) {
                        if !matches!(
                            k.to_ascii_lowercase().as_str(),
                            "page" | "startrecord" | "endrecord" | "perpage"
                        ) {
                            add_field(&mut form, &k, &v);
                        }
                    }
                    u.set_query(None);
                    endpoint = Some(u);
                }
            }
        }
    }
    let setting = |name: &str| settings.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    let perpage = setting("perpage").filter(|p| *p > 0);
    out.perpage = perpage;
    out.total_records = out.total_records.or(setting("totalrecord"));
    let has = |name: &str| {
        form.iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_empty())
    };
    let is_hanweb =
        endpoint.is_some() || jpage_src || relevant.iter().any(|s| s.contains("dataproxy.jsp"));
    if is_hanweb && has("columnid") && (has("unitid") || has("webid")) {
        let endpoint = endpoint.or_else(|| resolve(page, DEFAULT_ENDPOINT).ok())?;
        let pp = perpage.unwrap_or(15).min(1000);
        let batch = match (setting("startrecord"), setting("endrecord")) {
            (Some(s), Some(e)) if e >= s => (e - s + 1).min(5000),
            _ => pp.saturating_mul(setting("groupsize").unwrap_or(3).clamp(1, 50)),
        };
        out.request = Some(FollowRequest::HanwebDataProxy {
            endpoint: endpoint.to_string(),
            form,
            perpage: pp,
            batch,
        });
    }
    (out.request.is_some() || !out.records.is_empty()).then_some(out)
}

fn add_field(form: &mut Vec<(String, String)>, k: &str, v: &str) {
    if form.len() < 32 && !form.iter().any(|(n, _)| n.eq_ignore_ascii_case(k)) {
        form.push((k.to_string(), v.trim().to_string()));
    }
}

/// Wraps table-row records so the HTML parser keeps their structure.
fn wrap_rows(html: &str) -> String {
    let head = html
        .trim_start()
        .get(..3)
        .unwrap_or("")
        .to_ascii_lowercase();
    if head == "<tr" || head == "<td" || head == "<tb" {
        format!("<table>{html}</table>")
    } else {
        html.to_string()
    }
}

/// Links and column items in an HTML fragment (Hanweb records, concatenated or not).
pub fn analyze_fragment(base: &Url, html: &str) -> (Vec<Link>, Vec<ColumnItem>) {
    let mut bounded = wrap_rows(html);
    dom::truncate(&mut bounded, 8 * 1024 * 1024);
    let guarded = crate::guard::bound_markup(&bounded);
    let doc = Html::parse_fragment(&guarded);
    let root = doc.tree.root();
    let links = crate::links::extract(root, base);
    let items = super::items::main_list(root, base, super::items::Mode::Fragment)
        .map(|g| g.items)
        .unwrap_or_default();
    (links, items)
}

/// Items of individual records: each record is one item.
pub fn record_items(base: &Url, records: &[String]) -> Vec<ColumnItem> {
    let mut out = Vec::new();
    for r in records.iter().take(MAX_RECORDS) {
        let guarded = crate::guard::bound_markup(r);
        let doc = Html::parse_fragment(&wrap_rows(&guarded));
        let root = doc.tree.root();
        let item = root
            .children()
            .find(|c| c.value().is_element())
            .and_then(|html_el| super::items::read_record(html_el, base, None));
        if let Some((item, _)) = item {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE_SCRIPT: &str = r#"<datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1234&unitid=5678&webname=滕州市人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2023/1/10/art_1234_5690.html" title="滕州市发展和改革局关于印发滕州市粮食应急保障实施方案的通知" target="_blank">滕州市发展和改革局关于印发滕州市粮食应急保障实施方案的通知</a><span>2023-01-10</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/12/20/art_1234_5688.html" target="_blank">滕州市住房和城乡建设局关于印发管理办法的通知</a><span>2022-12-20</span></li>]]></record>
</recordset>
</datastore>"#;

    fn page() -> Url {
        Url::parse("http://www.tengzhou.gov.cn/col/col1234/index.html").unwrap()
    }

    #[test]
    fn inline_datastore_and_var_config() {
        let config = r#"var perpage = 2; var startrecord = 1; var endrecord = 4; var totalRecord = 6;
jpage("5678", {proxyUrl: "/module/web/jpage/dataproxy.jsp", perpage: perpage, startrecord: startrecord, endrecord: endrecord, totalRecord: totalRecord,
  form: {col: 1, appid: 1, webid: 1, path: "/", columnid: 1234, sourceContentType: 1, unitid: 5678, webname: "滕州市人民政府", permissiontype: 0}});"#;
        let h = detect(
            &page(),
            &[PAGE_SCRIPT.to_string(), config.to_string()],
            &["/module/web/jpage/jpage.js".into()],
        )
        .unwrap();
        assert_eq!(h.records.len(), 2);
        assert_eq!(h.total_records, Some(6));
        let Some(FollowRequest::HanwebDataProxy {
            endpoint,
            form,
            perpage,
            batch,
        }) = h.request
        else {
            panic!("no request")
        };
        assert_eq!(
            endpoint,
            "http://www.tengzhou.gov.cn/module/web/jpage/dataproxy.jsp"
        );
        assert_eq!((perpage, batch), (2, 4));
        let keys: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "webid",
                "path",
                "columnid",
                "unitid",
                "webname",
                "permissiontype",
                "col",
                "appid",
                "sourceContentType"
            ]
        );
        assert!(form.contains(&("webname".into(), "滕州市人民政府".into())));
        let items = record_items(&page(), &h.records);
        assert_eq!(items[1].date.as_deref(), Some("2022-12-20"));
        assert_eq!(
            items[0].url.as_deref(),
            Some("http://www.tengzhou.gov.cn/art/2023/1/10/art_1234_5690.html")
        );
    }

    #[test]
    fn jquery_jpage_ajax_param_config() {
        let config = r#"$(document).ready(function(){ $('#4451706').jpage({ dataStore: dataStore, groupSize: '3',
            barPosition: 'bottom', perPage: '15', proxyUrl: '/module/web/jpage/dataproxy.jsp',
            ajaxParam: {col: 1, appid: 1, webid: 2763, path: '/', columnid: 1229404932, sourceContentType: 1, unitid: 5487416, webname: '杭州市人民政府', permissiontype: 0},
            showMode: 'full', totalRecord: 1183 });});"#;
        let h = detect(&page(), &[config.to_string()], &[]).unwrap();
        let Some(FollowRequest::HanwebDataProxy {
            form,
            perpage,
            batch,
            ..
        }) = h.request
        else {
            panic!()
        };
        assert_eq!((perpage, batch), (15, 45));
        assert_eq!(h.total_records, Some(1183));
        assert!(form.contains(&("columnid".into(), "1229404932".into())));
        assert!(form.contains(&("path".into(), "/".into())));
    }

    #[test]
    fn no_request_without_column_and_unit() {
        let s = "<datastore><recordset></recordset></datastore><script src=\"/module/web/jpage/jpage.js\">";
        assert!(detect(&page(), &[s.to_string()], &[]).is_none());
        assert!(detect(&page(), &["var a = 1;".to_string()], &[]).is_none());
    }

    #[test]
    fn response_parsing() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>6163</totalrecord><totalpage>309</totalpage>
            <nextgroup><![CDATA[<a href="./dataproxy.jsp?page=5&appid=1&webid=3095"></a>]]></nextgroup>
            <recordset><record><![CDATA[<li><a href="http://www.yuhang.gov.cn/art/2020/8/14/art_1229179150_1872814.html" title="公开招标公告"><span>公开招标公告</span><i>2020-08-14</i></a></li>]]></record>
            <record>&lt;li&gt;&lt;a href="/a.html"&gt;转义的记录&lt;/a&gt;&lt;/li&gt;</record></recordset></datastore>"#;
        let b = parse_hanweb_response(xml);
        assert_eq!(b.total_records, Some(6163));
        assert_eq!(b.total_pages, Some(309));
        assert_eq!(b.records.len(), 2);
        assert!(b.records[1].starts_with("<li><a href=\"/a.html\">"));
        let base = Url::parse("http://www.yuhang.gov.cn/module/web/jpage/dataproxy.jsp").unwrap();
        let (links, items) = analyze_fragment(&base, &b.records.join("\n"));
        assert_eq!(links.len(), 2);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].date.as_deref(), Some("2020-08-14"));
        assert_eq!(items[0].title, "公开招标公告");
        assert_eq!(items[1].date, None);
        assert_eq!(
            parse_hanweb_response("garbage <record>"),
            HanwebBatch::default()
        );
    }

    #[test]
    fn table_row_records() {
        let base = page();
        let recs = vec![
            "<tr><td><a href=\"/art/2022/6/1/art_1_1.html\">表格记录一号标题</a></td><td>2022-06-01</td></tr>".to_string(),
            "<tr><td><a href=\"/art/2022/5/1/art_1_2.html\">表格记录二号标题</a></td><td>2022-05-01</td></tr>".to_string(),
        ];
        let items = record_items(&base, &recs);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].date.as_deref(), Some("2022-05-01"));
        let (_, items) = analyze_fragment(&base, &recs.join(""));
        assert_eq!(items.len(), 2);
    }
}
