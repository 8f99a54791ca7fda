//! Charset decoding: BOM, then the HTTP charset, then `<meta charset>` / `http-equiv`, then
//! detection.
//!
//! Why this order: a byte-order mark is unambiguous (browsers let it override HTTP, so we do
//! too); an HTTP charset is what browsers obey next; then the `<meta>` prescan of the first
//! bytes; and only when nothing is declared do we guess with chardetng (hinted with the `.cn`
//! TLD, which favours GBK for legacy bytes).
//!
//! Chinese portals routinely label pages `gb2312` while using GBK-only characters (镕, 碁 ...),
//! so every GB label decodes as GB18030, a superset. One deliberate leniency beyond browsers:
//! when HTTP claims UTF-8 but the bytes are not valid UTF-8 and the page's own `<meta>` names
//! another charset that decodes cleanly, the meta wins (a common server misconfiguration; the
//! metadata checks need the real text), and valid non-ASCII UTF-8 under a `<meta>` naming a
//! legacy charset is read as UTF-8 (a template re-saved without updating its meta).

use encoding_rs::{Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// A decoded page body.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// WHATWG encoding name actually used, e.g. "UTF-8", "GBK", "gb18030".
    pub encoding: &'static str,
    /// True when malformed byte sequences were replaced.
    pub had_errors: bool,
}

/// How many leading bytes the `<meta>` prescan looks at.
const PRESCAN_BYTES: usize = 4096;
/// How many leading bytes chardetng sees (enough for a confident guess, bounded for speed).
const DETECT_BYTES: usize = 64 * 1024;

/// Decodes an HTML body. `content_type` is the HTTP Content-Type header value, if any.
/// gb2312 and GBK labels are decoded as GB18030 (a superset), since many pages labelled gb2312
/// contain GBK-only characters.
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    match choose(body, content_type) {
        Choice::Read(enc, from) => run(enc, &body[from..]),
        Choice::MetaIfClean { meta, http } => {
            let decoded = run(meta, body);
            if decoded.had_errors {
                run(http, body)
            } else {
                decoded
            }
        }
    }
}

/// The name of the encoding [`decode`] reads `body` with, found without decoding it (but for
/// the one case that takes a trial decoding: HTTP's UTF-8 against a `<meta>`'s legacy charset).
pub fn encoding_of(body: &[u8], content_type: Option<&str>) -> &'static str {
    match choose(body, content_type) {
        Choice::Read(enc, _) => enc.name(),
        Choice::MetaIfClean { meta, http } => {
            if meta
                .decode_without_bom_handling_and_without_replacement(body)
                .is_some()
            {
                meta.name()
            } else {
                http.name()
            }
        }
    }
}

/// What [`decode`] reads a body with.
enum Choice {
    /// This encoding, from this byte on (past a byte-order mark).
    Read(&'static Encoding, usize),
    /// HTTP said UTF-8 and the bytes are not: the `<meta>`'s charset if it reads them without
    /// errors, else HTTP's.
    MetaIfClean {
        meta: &'static Encoding,
        http: &'static Encoding,
    },
}

/// The order of the module doc: BOM, HTTP, `<meta>`, detection.
fn choose(body: &[u8], content_type: Option<&str>) -> Choice {
    if let Some((enc, bom_len)) = Encoding::for_bom(body) {
        return Choice::Read(widen(enc), bom_len);
    }
    let meta = prescan_meta(body).map(widen);
    if let Some(http) = content_type.and_then(charset_param).map(widen) {
        if http == UTF_8 && !is_utf8(body) {
            if let Some(meta) = meta.filter(|m| *m != UTF_8) {
                return Choice::MetaIfClean { meta, http };
            }
        }
        return Choice::Read(http, 0);
    }
    if let Some(enc) = meta {
        // A page re-saved as UTF-8 whose template still says gb2312: valid non-ASCII UTF-8 is
        // never real GBK text, so read what the bytes are.
        if enc != UTF_8 && !body.is_ascii() && is_utf8(body) {
            return Choice::Read(UTF_8, 0);
        }
        return Choice::Read(enc, 0);
    }
    if is_utf8(body) {
        return Choice::Read(UTF_8, 0);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &body[..body.len().min(DETECT_BYTES)];
    detector.feed(sample, sample.len() == body.len());
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    Choice::Read(widen(guess), 0)
}

/// Whether `bytes` are valid UTF-8: the same answer as `std::str::from_utf8`, with SIMD (bodies
/// are mostly CJK text, where std's check is slow).
fn is_utf8(bytes: &[u8]) -> bool {
    simdutf8::basic::from_utf8(bytes).is_ok()
}

fn run(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        had_errors,
    }
}

/// Maps encodings to what we actually decode with: GBK (which gb2312 / x-gbk labels resolve to)
/// becomes GB18030; a UTF-16 label in a byte-oriented declaration means UTF-8 (as in browsers).
fn widen(enc: &'static Encoding) -> &'static Encoding {
    if enc == GBK {
        GB18030
    } else if enc == UTF_16BE || enc == UTF_16LE {
        UTF_8
    } else {
        enc
    }
}

/// The `charset` parameter of a Content-Type value, as a known encoding.
fn charset_param(content_type: &str) -> Option<&'static Encoding> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("charset")?;
    label_after_charset(&lower.as_bytes()[at + "charset".len()..])
}

/// Given the bytes right after the word `charset`, parses `= "label"` and resolves the label.
fn label_after_charset(rest: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < rest.len() && rest[i].is_ascii_whitespace() {
        i += 1;
    }
    if rest.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while i < rest.len() && (rest[i].is_ascii_whitespace() || rest[i] == b'"' || rest[i] == b'\'') {
        i += 1;
    }
    let start = i;
    while i < rest.len()
        && !matches!(rest[i], b'"' | b'\'' | b';' | b'>' | b'/' | b',')
        && !rest[i].is_ascii_whitespace()
    {
        i += 1;
    }
    let label = &rest[start..i];
    if label.is_empty() {
        return None;
    }
    Encoding::for_label(label)
}

/// Looks for a charset declaration in `<meta>` tags among the first [`PRESCAN_BYTES`] bytes,
/// skipping HTML comments. Handles `<meta charset=...>` and
/// `<meta http-equiv="Content-Type" content="text/html; charset=...">`.
fn prescan_meta(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(PRESCAN_BYTES)];
    let mut i = 0;
    while i < head.len() {
        if head[i] != b'<' {
            i += 1;
            continue;
        }
        if head[i..].starts_with(b"<!--") {
            match find(&head[i + 4..], b"-->") {
                Some(end) => i += 4 + end + 3,
                None => return None,
            }
            continue;
        }
        let tag_end = head[i..].iter().position(|&b| b == b'>').map(|p| i + p);
        let is_meta = head.len() >= i + 5
            && head[i + 1..i + 5].eq_ignore_ascii_case(b"meta")
            && head
                .get(i + 5)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/');
        if is_meta {
            let end = tag_end.unwrap_or(head.len());
            let tag = head[i..end].to_ascii_lowercase();
            let mut from = 0;
            while let Some(pos) = find(&tag[from..], b"charset") {
                let after = from + pos + "charset".len();
                if let Some(enc) = label_after_charset(&tag[after..]) {
                    return Some(enc);
                }
                from = after;
            }
        }
        i = tag_end.map_or(head.len(), |e| e + 1);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    /// `encoding_of` names what `decode` reads with, on every path of the decision: BOMs,
    /// HTTP and `<meta>` labels that agree or not, bytes valid in one charset or none, a cut
    /// inside a character, and no declaration at all.
    #[test]
    fn encoding_of_is_what_decode_uses() {
        let page = "<html><head><meta charset=\"gb2312\"><title>政务公开</title></head><body>朱镕基 政府信息公开 12345</body></html>";
        let utf8 = page.as_bytes().to_vec();
        let gb = gbk(page);
        let plain = gbk("<p>滕州市人民政府办公室关于印发政务公开工作要点的通知</p>");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(&utf8);
        let mut bom16 = vec![0xFF, 0xFE];
        bom16.extend_from_slice(&utf8);
        let bodies: Vec<Vec<u8>> = vec![
            utf8.clone(),
            gb.clone(),
            plain,
            bom,
            bom16,
            utf8[..utf8.len() - 5].to_vec(),
            gb[..=(gb.len() / 2)].to_vec(),
            b"<meta charset=utf-8><p>ascii only</p>".to_vec(),
            // Neither UTF-8 nor GB18030 (0xFF leads nothing): HTTP's charset stays.
            [gb.as_slice(), &[0xFF, 0x20]].concat(),
            vec![0xFF, 0xFE, 0xFD, 0x80, 0x81],
            Vec::new(),
        ];
        let types = [
            None,
            Some("text/html"),
            Some("text/html; charset=utf-8"),
            Some("text/html; charset=GBK"),
            Some("text/html; charset=\"iso-8859-1\""),
            Some("text/html; charset=nonsense"),
        ];
        for (i, body) in bodies.iter().enumerate() {
            for t in types {
                for cut in [body.len(), body.len().min(7), body.len().min(40)] {
                    let b = &body[..cut];
                    assert_eq!(
                        encoding_of(b, t),
                        decode(b, t).encoding,
                        "body {i} cut {cut} {t:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn gb2312_label_decodes_gbk_only_characters() {
        let html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; \
                    charset=gb2312\"></head><body>朱镕基 围碁 政务公开</body></html>";
        let bytes = gbk(html);
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.contains("朱镕基 围碁 政务公开"), "{}", d.text);
        assert!(!d.had_errors);
        let d = decode(&bytes, Some("text/html; charset=GB2312"));
        assert!(d.text.contains("镕") && d.text.contains("碁"));
        let d = decode(&bytes, Some("text/html;charset=\"x-gbk\""));
        assert_eq!(d.encoding, "gb18030");
    }

    #[test]
    fn meta_charset_short_form_and_comment_skipped() {
        let html = "<!-- <meta charset=\"utf-8\"> --><meta charset='gbk'><p>滕州市人民政府</p>";
        let d = decode(&gbk(html), None);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.text.contains("滕州市人民政府"));
    }

    #[test]
    fn utf8_default_and_bom() {
        let d = decode("<p>政府信息公开</p>".as_bytes(), None);
        assert_eq!(d.encoding, "UTF-8");
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("<p>索引号</p>".as_bytes());
        let d = decode(&with_bom, Some("text/html; charset=gbk"));
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "<p>索引号</p>");
    }

    #[test]
    fn http_utf8_but_meta_gbk_bytes_uses_meta() {
        let html =
            "<meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"><p>发布机构</p>";
        let d = decode(&gbk(html), Some("text/html; charset=utf-8"));
        assert!(d.text.contains("发布机构"));
        assert!(!d.had_errors);
    }

    #[test]
    fn utf8_bytes_under_gb2312_meta() {
        let html =
            "<meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"><p>滕州市</p>";
        let d = decode(html.as_bytes(), None);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains("滕州市"));
    }

    #[test]
    fn undeclared_gbk_is_detected() {
        let text = "<html><body><p>滕州市人民政府办公室关于印发2022年政务公开工作要点的通知，\
                    各镇人民政府、街道办事处，市政府各部门，各有关单位。</p></body></html>";
        let d = decode(&gbk(text), None);
        assert!(
            d.text.contains("政务公开工作要点"),
            "{} {}",
            d.encoding,
            d.text
        );
    }

    #[test]
    fn invalid_bytes_do_not_panic() {
        let bytes = [
            0x81u8, 0xFF, 0xFE, 0x00, 0xC3, 0x28, b'<', b'm', b'e', b't', b'a',
        ];
        let d = decode(&bytes, Some("text/html; charset=gb2312"));
        assert!(d.had_errors);
        let _ = decode(&bytes, Some("text/html; charset="));
        let _ = decode(&bytes, Some("charset"));
        let _ = decode(b"<meta charset", None);
        let _ = decode(b"<meta charset=", None);
        let _ = decode(b"<!--", None);
        let _ = decode(&[], None);
        let _ = decode(&bytes, None);
    }

    /// `is_utf8` answers as std does: valid CJK and ASCII text, and the same text cut inside a
    /// character, with bytes flipped, overlong forms, surrogates and code points past U+10FFFF.
    #[test]
    fn is_utf8_agrees_with_std() {
        let text = "政务公开 <p>滕州市人民政府办公室关于印发2022年政务公开工作要点的通知</p> 𠀀 ok"
            .repeat(9);
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            text.clone().into_bytes(),
            vec![0xC0, 0x80],
            vec![0xE0, 0x80, 0x80],
            vec![0xED, 0xA0, 0x80],
            vec![0xF4, 0x90, 0x80, 0x80],
            vec![0xF0, 0x9F, 0x98],
        ];
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            cases.push(bytes[..cut].to_vec());
        }
        // A fixed xorshift sequence: flips at every position, reproducibly.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..bytes.len() * 4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut b = bytes.to_vec();
            b[i % bytes.len()] = (x >> 24) as u8;
            cases.push(b);
        }
        let mut invalid = 0;
        for c in &cases {
            let std_ok = std::str::from_utf8(c).is_ok();
            assert_eq!(is_utf8(c), std_ok, "{c:x?}");
            invalid += usize::from(!std_ok);
        }
        assert!(invalid > 1000, "only {invalid} invalid cases");
    }
}
