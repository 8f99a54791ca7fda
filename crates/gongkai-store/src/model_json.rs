//! The stored form of a page model: its JSON without the page's `text` (schema version 10),
//! which is stored once in its own column (`fetches.text`) and read directly, and for crawled
//! pages without its `links` (version 11), which are stored apart (`page_links`, version 12); and the way back.
//!
//! The text is taken out of serde_json's own output (a top-level member, found by a small scan
//! that skips nested values and strings) rather than from a copy of the model: the writer only
//! borrows the records it stores, and a copy of every model would cost more than the scan. The
//! links are moved out of the model while it is serialised and put back.

use gongkai_core::{Link, PageModel};

/// A model as stored: its JSON, and whether its text was kept out of it (the caller stores
/// `model.text` in its own column; false only if the scan below cannot find the member, and the
/// JSON still holds it). With `links_apart` the JSON has no `links` member either (the caller
/// stores them as rows); `model` is unchanged afterwards.
pub(crate) fn encode(
    model: &mut PageModel,
    links_apart: bool,
) -> serde_json::Result<(String, bool)> {
    // The text is taken out too while the model is serialised: it is cut from the JSON below,
    // and escaping a page's text only to scan past it and cut it out was wasted work.
    let text = std::mem::take(&mut model.text);
    let cut = encode_with(model, links_apart);
    model.text = text;
    match cut? {
        (json, true) => Ok((json, true)),
        // Not found: serialised again with the text (the caller then keeps it in the JSON).
        (_, false) => encode_with(model, links_apart),
    }
}

/// [`encode`] of the model as it is: its JSON without `links` (with `links_apart`) and without
/// `text`, and whether `text` was found and cut.
fn encode_with(model: &mut PageModel, links_apart: bool) -> serde_json::Result<(String, bool)> {
    let links: Vec<Link> = if links_apart {
        std::mem::take(&mut model.links)
    } else {
        Vec::new()
    };
    let json = serde_json::to_string(&*model);
    if links_apart {
        model.links = links;
    }
    let mut json = json?;
    if links_apart {
        if let Some((start, end)) = member_span(json.as_bytes(), b"links") {
            json.replace_range(start..end, "");
        }
    }
    Ok(match member_span(json.as_bytes(), b"text") {
        Some((start, end)) => {
            json.replace_range(start..end, "");
            (json, true)
        }
        None => (json, false),
    })
}

/// Puts a separately stored `text` back into a model's JSON (a no-op without one).
pub(crate) fn with_text(json: String, text: Option<&str>) -> String {
    let Some(text) = text else {
        return json;
    };
    let Some(rest) = json.strip_prefix('{') else {
        return json;
    };
    // A String serialises infallibly.
    let quoted = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let sep = if rest.trim_start().starts_with('}') {
        ""
    } else {
        ","
    };
    format!("{{\"text\":{quoted}{sep}{rest}")
}

/// Parses a stored model and puts its separately stored text back.
pub(crate) fn decode(json: &str, text: Option<String>) -> serde_json::Result<PageModel> {
    let mut m: PageModel = serde_json::from_str(json)?;
    if let Some(t) = text {
        m.text = t;
    }
    Ok(m)
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
        let before = m.clone();
        let (json, apart) = encode(&mut m, false).unwrap();
        assert!(apart);
        let text = Some(m.text.as_str());
        assert_eq!(text, Some(m.text.as_str()));
        assert!(!json.contains("正文"));
        assert_eq!(decode(&json, text.map(String::from)).unwrap(), m);
        assert_eq!(m, before);
        let whole: PageModel = serde_json::from_str(&with_text(json.clone(), text)).unwrap();
        assert_eq!(whole, m);
        assert_eq!(with_text(json.clone(), None), json);
        assert_eq!(with_text("{}".into(), Some("t")), r#"{"text":"t"}"#);
    }

    /// The stored JSON is what serialising the whole model and cutting its `text` (and with
    /// `links_apart` its `links`) gives: taking the text out first changes no byte. (The
    /// bench's 20,000 pages and the fixtures are stored byte-identically too.)
    #[test]
    fn stored_json_is_the_model_without_text_and_links() {
        let mut m = PageModel {
            title: "标题 \"text\": \\".into(),
            text: "正文 {\"text\": 1} \\ \n\u{1}".into(),
            links: vec![Link {
                raw: "/a.html".into(),
                url: Some("http://x.gov.cn/a.html".into()),
                kind: gongkai_core::LinkKind::Page,
                element: "a[href]".into(),
                anchor: "text".into(),
                skip: None,
                region: gongkai_core::LinkRegion::Content,
                hidden: None,
            }],
            ..PageModel::default()
        };
        m.guideline_meta.insert("text".into(), "元数据".into());
        m.breadcrumb = vec!["首页".into(), "text".into()];
        for links_apart in [false, true] {
            // The whole model serialised, then cut: what `encode` did before.
            let (old, _) = encode_with(&mut m.clone(), links_apart).unwrap();
            let (json, apart) = encode(&mut m.clone(), links_apart).unwrap();
            assert!(apart);
            assert_eq!(json, old);
            assert!(!json.contains("正文") && json.contains("元数据"), "{json}");
            assert_eq!(json.contains("a.html"), !links_apart, "{json}");
        }
    }

    #[test]
    fn links_apart_leaves_them_out_of_the_json_and_in_the_model() {
        let link = Link {
            raw: "/a.html".into(),
            url: Some("http://x.gov.cn/a.html".into()),
            kind: gongkai_core::LinkKind::Page,
            element: "a[href]".into(),
            anchor: "links \"text\"".into(),
            skip: None,
            region: gongkai_core::LinkRegion::Content,
            hidden: Some("display:none".into()),
        };
        let mut m = PageModel {
            title: "t".into(),
            text: "正文".into(),
            links: vec![link.clone(), link],
            ..PageModel::default()
        };
        let before = m.clone();
        let (json, apart) = encode(&mut m, true).unwrap();
        let text = apart.then(|| m.text.clone());
        assert_eq!(m, before, "the model is given back whole");
        let stored: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(stored.get("links").is_none(), "{json}");
        assert!(stored.get("text").is_none(), "{json}");
        assert!(!json.contains("a.html"), "{json}");
        let mut back = decode(&json, text).unwrap();
        assert!(back.links.is_empty());
        back.links = before.links.clone();
        assert_eq!(back, before);
        // Kept in the JSON without `links_apart`.
        let (json, _) = encode(&mut m, false).unwrap();
        assert_eq!(decode(&json, Some("正文".into())).unwrap(), before);
    }
}
