//! Hanweb (大汉 JCMS) column lists, which load their items by POST to
//! `/module/web/jpage/dataproxy.jsp` in batches (`startrecord` / `endrecord` / `perpage`) and
//! answer XML whose `<record>`s hold the item HTML in CDATA.

use crate::frontier::FrontierEntry;
use crate::outcome::{FetchPurpose, Method};
use gongkai_page::{FollowRequest, LinkKind};

/// Items requested at most per column (a guard against endless lists).
const MAX_RECORDS: u32 = 5000;

/// The first batch POST for a column list page.
pub fn first_request(
    follow: &FollowRequest,
    depth: u32,
    page_url: &str,
    column: Option<String>,
) -> Option<FrontierEntry> {
    let FollowRequest::HanwebDataProxy {
        endpoint,
        form,
        perpage,
        batch,
    } = follow
    else {
        return None;
    };
    let batch = (*batch).clamp(1, 500);
    let mut fields: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "startrecord" | "endrecord" | "perpage"))
        .cloned()
        .collect();
    fields.push(("startrecord".into(), "1".into()));
    fields.push(("endrecord".into(), batch.to_string()));
    fields.push(("perpage".into(), (*perpage).max(1).to_string()));
    Some(FrontierEntry {
        url: endpoint.clone(),
        method: Method::Post,
        request_body: Some(encode_form(&fields)),
        purpose: FetchPurpose::Crawl,
        depth,
        parent: Some(page_url.to_string()),
        link_kind: Some(LinkKind::Page),
        column,
    })
}

/// The next batch, when the answer's total says there are more records.
pub fn next_request(entry: &FrontierEntry, total: Option<u32>) -> Option<FrontierEntry> {
    let total = total?.min(MAX_RECORDS);
    let body = entry.request_body.as_deref()?;
    let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| -> Option<u32> {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.trim().parse().ok())
    };
    let start = get("startrecord")?;
    let end = get("endrecord")?;
    if end >= total || end < start {
        return None;
    }
    let batch = end - start + 1;
    for (k, v) in fields.iter_mut() {
        if k == "startrecord" {
            *v = (end + 1).to_string();
        } else if k == "endrecord" {
            *v = (end + batch).min(total).to_string();
        }
    }
    let mut next = entry.clone();
    next.request_body = Some(encode_form(&fields));
    Some(next)
}

fn encode_form(fields: &[(String, String)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// Builds the column's page model from one dataproxy answer (moved to `gongkai-page`, which both
/// the crawl and `gongkai check` use; see `gongkai_page::analyze_fetched`).
pub use gongkai_page::fetched::hanweb_model as model_from_response;

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn entry(body: &str) -> FrontierEntry {
        FrontierEntry {
            url: "http://a/module/web/jpage/dataproxy.jsp".into(),
            method: Method::Post,
            request_body: Some(body.into()),
            purpose: FetchPurpose::Crawl,
            depth: 1,
            parent: None,
            link_kind: Some(LinkKind::Page),
            column: Some("规范性文件".into()),
        }
    }

    #[test]
    fn batches_walk_to_the_total() {
        let e = entry("col=1&columnid=12&startrecord=1&endrecord=45&perpage=15");
        let n = next_request(&e, Some(100)).unwrap();
        assert_eq!(
            n.request_body.as_deref(),
            Some("col=1&columnid=12&startrecord=46&endrecord=90&perpage=15")
        );
        let n = next_request(&n, Some(100)).unwrap();
        assert_eq!(
            n.request_body.as_deref(),
            Some("col=1&columnid=12&startrecord=91&endrecord=100&perpage=15")
        );
        assert!(next_request(&n, Some(100)).is_none());
        assert!(next_request(&e, None).is_none());
    }

    #[test]
    fn first_request_sets_the_range() {
        let f = FollowRequest::HanwebDataProxy {
            endpoint: "http://a/module/web/jpage/dataproxy.jsp".into(),
            form: vec![
                ("columnid".into(), "12".into()),
                ("startrecord".into(), "9".into()),
            ],
            perpage: 15,
            batch: 45,
        };
        let e = first_request(&f, 2, "http://a/col/col12/index.html", None).unwrap();
        assert_eq!(
            e.request_body.as_deref(),
            Some("columnid=12&startrecord=1&endrecord=45&perpage=15")
        );
        assert_eq!(e.method, Method::Post);
    }

    #[test]
    fn response_records_become_links() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>2</totalrecord><recordset>
<record><![CDATA[<li><a href="/art/2022/6/1/art_12_1.html">关于印发某办法的通知</a><span>2022-06-01</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/5/1/art_12_2.html">另一个通知</a><span>2022-05-01</span></li>]]></record>
</recordset></datastore>"#;
        let url = Url::parse("http://a/module/web/jpage/dataproxy.jsp").unwrap();
        let (model, total) = model_from_response(&url, xml.as_bytes(), Some("规范性文件".into()));
        assert_eq!(total, Some(2));
        let targets: Vec<_> = model.links.iter().filter_map(|l| l.url.clone()).collect();
        assert!(
            targets.contains(&"http://a/art/2022/6/1/art_12_1.html".to_string()),
            "{targets:?}"
        );
        assert_eq!(model.column.unwrap().name, "规范性文件");
    }
}
