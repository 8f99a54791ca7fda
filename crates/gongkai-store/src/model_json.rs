//! The stored form of a page model (schema version 10): its JSON without the page's `text`,
//! which is stored once in its own column (`fetches.text`) and read directly, and for a crawled
//! page without its `links`, which are stored once, as `links` rows; and the way back.
//!
//! Both are taken out of serde_json's own output (top-level members, found by a small scan
//! that skips nested values and strings) rather than from a copy of the model: the writer only
//! borrows the records it stores, and a copy of every model would cost more than the scan.
//!
//! A row is in this form when its `text` column is not NULL; its links are then in `links`
//! when the row is a crawled page (`purpose = 'crawl'`, the only rows that have link rows).

use crate::codes::from_serde_code;
use crate::error::{bad_value, sql, StoreError};
use gongkai_core::{Link, PageModel};
use rusqlite::Connection;
use std::path::Path;

/// A model as stored: its JSON, and the text kept out of it (None when the JSON still holds
/// it, which only happens if the scan below cannot find the member; its links then stay too).
/// `links_apart`: the links are stored as `links` rows, so they leave the JSON.
pub(crate) fn encode(
    model: &PageModel,
    links_apart: bool,
) -> serde_json::Result<(String, Option<&str>)> {
    let mut json = serde_json::to_string(model)?;
    let Some((start, end)) = member_span(json.as_bytes(), b"text") else {
        return Ok((json, None));
    };
    json.replace_range(start..end, "");
    if links_apart {
        // Readers take a crawled page's links from its rows whether or not the JSON kept them.
        if let Some((start, end)) = member_span(json.as_bytes(), b"links") {
            json.replace_range(start..end, "");
        }
    }
    Ok((json, Some(model.text.as_str())))
}

/// Puts a member (`key` and its JSON `value`) back into a model's JSON.
fn with_member(json: String, key: &str, value: &str) -> String {
    let Some(rest) = json.strip_prefix('{') else {
        return json;
    };
    let sep = if rest.trim_start().starts_with('}') {
        ""
    } else {
        ","
    };
    format!("{{\"{key}\":{value}{sep}{rest}")
}

/// Puts a separately stored `text` back into a model's JSON (a no-op without one).
pub(crate) fn with_text(json: String, text: Option<&str>) -> String {
    match text {
        // A String serialises infallibly.
        Some(t) => with_member(json, "text", &serde_json::to_string(t).unwrap_or_default()),
        None => json,
    }
}

/// Puts links stored as rows back into a model's JSON (replacing any it still holds).
pub(crate) fn with_links(json: String, links: &[Link]) -> serde_json::Result<String> {
    let mut json = json;
    if let Some((start, end)) = member_span(json.as_bytes(), b"links") {
        json.replace_range(start..end, "");
    }
    Ok(with_member(json, "links", &serde_json::to_string(links)?))
}

/// Parses a stored model and puts its separately stored text and links back.
pub(crate) fn decode(
    json: &str,
    text: Option<String>,
    links: Option<Vec<Link>>,
) -> serde_json::Result<PageModel> {
    let mut m: PageModel = serde_json::from_str(json)?;
    if let Some(t) = text {
        m.text = t;
    }
    if let Some(l) = links {
        m.links = l;
    }
    Ok(m)
}

/// The links of source fetch row `source` as stored in `links`, in page order.
pub(crate) fn read_links(
    conn: &Connection,
    path: &Path,
    source: i64,
) -> Result<Vec<Link>, StoreError> {
    const OP: &str = "read links";
    let mut stmt = conn
        .prepare_cached(
            "SELECT target_url, raw, kind, element, anchor, skip, region, hidden
             FROM links WHERE source_fetch_id = ?1 ORDER BY seq",
        )
        .map_err(sql(path, OP))?;
    let mut rows = stmt.query([source]).map_err(sql(path, OP))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(sql(path, OP))? {
        out.push(link_from_row(r, path).map_err(|e| match e {
            RowError::Sql(e) => sql(path, OP)(e),
            RowError::Bad(e) => e,
        })?);
    }
    Ok(out)
}

enum RowError {
    Sql(rusqlite::Error),
    Bad(StoreError),
}

impl From<rusqlite::Error> for RowError {
    fn from(e: rusqlite::Error) -> Self {
        RowError::Sql(e)
    }
}

fn link_from_row(r: &rusqlite::Row<'_>, path: &Path) -> Result<Link, RowError> {
    const OP: &str = "read links";
    let kind: String = r.get(2)?;
    let skip: Option<String> = r.get(5)?;
    // NULL for rows written before schema version 4.
    let region: Option<String> = r.get(6)?;
    Ok(Link {
        url: r.get(0)?,
        raw: r.get(1)?,
        kind: from_serde_code(&kind)
            .ok_or_else(|| RowError::Bad(bad_value(path, OP, "links.kind", &kind)))?,
        element: r.get(3)?,
        anchor: r.get(4)?,
        skip: match skip {
            Some(s) => Some(
                from_serde_code(&s)
                    .ok_or_else(|| RowError::Bad(bad_value(path, OP, "links.skip", &s)))?,
            ),
            None => None,
        },
        region: region
            .as_deref()
            .and_then(from_serde_code)
            .unwrap_or_default(),
        hidden: r.get(7)?,
    })
}

/// The byte range to remove for top-level member `key` of the compact JSON object `b` (the
/// member with one adjacent comma), or None when it is absent or the input is not an object.
fn member_span(b: &[u8], key: &[u8]) -> Option<(usize, usize)> {
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut i = 1;
    let mut first = true;
    loop {
        if *b.get(i)? == b'}' {
            return None;
        }
        let start = i;
        let key_end = skip_string(b, i)?;
        if *b.get(key_end)? != b':' {
            return None;
        }
        let end = skip_value(b, key_end + 1)?;
        let found = &b[start + 1..key_end - 1] == key;
        match *b.get(end)? {
            b',' if found => return Some((start, end + 1)),
            b'}' if found => return Some((if first { start } else { start - 1 }, end)),
            b',' => i = end + 1,
            _ => return None,
        }
        first = false;
    }
}

/// The index after the string starting at `b[i]` (a quote).
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    if *b.get(i)? != b'"' {
        return None;
    }
    i += 1;
    loop {
        match *b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The index after the JSON value starting at `b[i]`.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match *b.get(i)? {
                    b'"' => i = skip_string(b, i)?,
                    b'{' | b'[' => {
                        depth += 1;
                        i += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        i += 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => i += 1,
                }
            }
        }
        _ => {
            while !matches!(*b.get(i)?, b',' | b'}' | b']') {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_top_level_member_is_taken_out() {
        let cases = [
            (r#"{"text":"a"}"#, "{}"),
            (r#"{"text":"a","b":1}"#, r#"{"b":1}"#),
            (r#"{"b":1,"text":"a"}"#, r#"{"b":1}"#),
            (
                r#"{"m":{"text":"x"},"s":"\"text\":","text":"a\"b\\","l":[{"text":1}]}"#,
                r#"{"m":{"text":"x"},"s":"\"text\":","l":[{"text":1}]}"#,
            ),
        ];
        for (json, want) in cases {
            let (s, e) = member_span(json.as_bytes(), b"text").unwrap();
            let mut out = json.to_string();
            out.replace_range(s..e, "");
            assert_eq!(out, want, "{json}");
        }
        for json in [r#"{"m":{"text":"x"}}"#, "{}", "[]", "", r#"{"text":"#, "5"] {
            assert_eq!(member_span(json.as_bytes(), b"text"), None, "{json}");
        }
    }

    #[test]
    fn a_model_round_trips_through_its_stored_form() {
        let mut m = PageModel {
            title: "标题 \"text\":".into(),
            text: "正文 {\"text\": 1} \\ \n".into(),
            ..PageModel::default()
        };
        m.guideline_meta.insert("text".into(), "元数据".into());
        let (json, text) = encode(&m, false).unwrap();
        assert_eq!(text, Some(m.text.as_str()));
        assert!(!json.contains("正文"));
        assert_eq!(decode(&json, text.map(String::from), None).unwrap(), m);
        let whole: PageModel = serde_json::from_str(&with_text(json.clone(), text)).unwrap();
        assert_eq!(whole, m);
        assert_eq!(with_text(json.clone(), None), json);
        assert_eq!(with_text("{}".into(), Some("t")), r#"{"text":"t"}"#);
    }
}
