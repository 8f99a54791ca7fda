//! Pure URL normalisation, shared by link extraction and the crawler.
//!
//! What a browser does when a visitor clicks is what we check, so resolution follows the WHATWG
//! URL rules (the `url` crate): tabs and newlines inside a reference are dropped, backslashes act
//! as slashes, spaces and non-ASCII characters (including full-width `％` or `？`, which a
//! browser sends percent-encoded rather than treating as `%` / `?`) are percent-encoded. We do
//! not "repair" full-width punctuation: a link written with `？` breaks for visitors too, and
//! reporting it is the point.
//!
//! Normalisation then makes URLs comparable as frontier keys: no fragment, lower-case scheme and
//! host (the `url` crate does this for http(s)), no default port, no empty `?`, query order kept.

use crate::model::SkipReason;
use ::url::Url;
use std::borrow::Cow;
use std::cell::RefCell;

/// Longest reference we try to resolve; longer ones are treated as malformed.
const MAX_RAW_LEN: usize = 8 * 1024;

/// Resolves a reference found in a page against `base` and normalises it.
///
/// Skips (with the reason) `mailto:`, `tel:`, `javascript:`, `data:`, fragment-only and empty
/// references (they point at the page itself), other schemes, and unparsable references.
pub fn resolve(base: &Url, raw: &str) -> Result<Url, SkipReason> {
    resolve_with(base, raw, Clone::clone)
}

/// [`resolve`], handing `f` the answer by reference: callers that only look at the URL (or
/// keep some of the answers) save a copy per reference.
pub(crate) fn resolve_with<T>(
    base: &Url,
    raw: &str,
    f: impl FnOnce(&Result<Url, SkipReason>) -> T,
) -> T {
    // A page resolves the same references several times (links, list items, pagination):
    // the answers for the last base are remembered, a bounded number of them.
    RESOLVED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let cache = &mut *cache;
        if cache.base != base.as_str() || cache.answers.len() >= MAX_CACHED {
            cache.base.clear();
            cache.base.push_str(base.as_str());
            cache.answers.clear();
        }
        if raw.len() > MAX_CACHED_RAW {
            return f(&resolve_uncached(base, raw));
        }
        // One hash per reference, and the key is copied only when it is new.
        f(cache
            .answers
            .entry_ref(raw)
            .or_insert_with(|| resolve_uncached(base, raw)))
    })
}

/// References remembered per base (the cache is cleared when full or when the base changes):
/// with [`MAX_CACHED_RAW`], a few MB per thread at worst.
const MAX_CACHED: usize = 2048;
/// Longer references are not remembered.
const MAX_CACHED_RAW: usize = 512;
/// Table slots kept between pages (the table itself, not its answers): a page's references
/// then seldom make it grow again.
const KEPT_SLOTS: usize = 256;

/// Answers of [`resolve`] for one base. The keys are page text: the hasher is seeded per
/// process (foldhash), so a page cannot choose colliding references.
#[derive(Default)]
struct Resolved {
    base: String,
    answers: hashbrown::HashMap<String, Result<Url, SkipReason>, foldhash::fast::RandomState>,
}

thread_local! {
    static RESOLVED: RefCell<Resolved> = RefCell::default();
}

/// Drops the remembered answers ([`crate::analyze`] calls this when a page is done, so a
/// thread does not keep them while it waits for the next page); an emptied table of at most
/// [`KEPT_SLOTS`] slots stays.
pub(crate) fn forget_resolved() {
    RESOLVED.with(|cache| {
        let mut cache = cache.borrow_mut();
        cache.base = String::new();
        cache.answers.clear();
        cache.answers.shrink_to(KEPT_SLOTS);
    });
}

fn resolve_uncached(base: &Url, raw: &str) -> Result<Url, SkipReason> {
    let cleaned = clean(raw);
    if cleaned.len() > MAX_RAW_LEN {
        return Err(SkipReason::Malformed);
    }
    if cleaned.is_empty() || cleaned.starts_with('#') {
        return Err(SkipReason::BareFragment);
    }
    if let Some(scheme) = scheme_of(&cleaned) {
        match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => {}
            "mailto" => return Err(SkipReason::Mailto),
            "tel" | "callto" | "sms" => return Err(SkipReason::Tel),
            "javascript" | "vbscript" => return Err(SkipReason::Javascript),
            "data" | "blob" => return Err(SkipReason::Data),
            _ => return Err(SkipReason::OtherScheme),
        }
    }
    let joined = base.join(&cleaned).map_err(|_| SkipReason::Malformed)?;
    match joined.scheme() {
        "http" | "https" => {}
        _ => return Err(SkipReason::OtherScheme),
    }
    if joined.host_str().is_none_or(str::is_empty) {
        return Err(SkipReason::Malformed);
    }
    Ok(normalize_owned(joined))
}

/// Normalises an absolute URL: drops the fragment and an empty query; the `url` crate already
/// lower-cases scheme and host and drops default ports for http(s).
pub fn normalize(url: &Url) -> Url {
    normalize_owned(url.clone())
}

/// [`normalize`] of a URL the caller owns (no copy).
fn normalize_owned(mut u: Url) -> Url {
    if u.fragment().is_some() {
        u.set_fragment(None);
    }
    strip_session_ids(&mut u);
    if u.query() == Some("") {
        u.set_query(None);
    }
    u
}

/// Server session ids (`;jsessionid=…` path parameters, `JSESSIONID` / `PHPSESSID` /
/// `ASPSESSIONID…` query parameters) name the visitor, not the page: Java and PHP portals append a
/// fresh one to every link, which would make one page into endless URLs.
fn strip_session_ids(u: &mut Url) {
    fn is_session(name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        n == "jsessionid" || n == "phpsessid" || n.starts_with("aspsessionid")
    }
    if u.path().contains(';') {
        let path = u.path().to_string();
        let cleaned: Vec<String> = path
            .split('/')
            .map(|seg| {
                let mut parts = seg.split(';');
                let head = parts.next().unwrap_or("").to_string();
                let kept: Vec<&str> = parts
                    .filter(|p| !is_session(p.split('=').next().unwrap_or("")))
                    .collect();
                if kept.is_empty() {
                    head
                } else {
                    format!("{head};{}", kept.join(";"))
                }
            })
            .collect();
        u.set_path(&cleaned.join("/"));
    }
    if let Some(q) = u.query() {
        if q.split('&')
            .any(|kv| is_session(kv.split('=').next().unwrap_or("")))
        {
            let kept: Vec<&str> = q
                .split('&')
                .filter(|kv| !is_session(kv.split('=').next().unwrap_or("")))
                .collect();
            let kept = kept.join("&");
            u.set_query((!kept.is_empty()).then_some(kept.as_str()));
        }
    }
}

/// Scheme, host and port (None for the scheme's default) of the URL string `u` when its
/// authority is plainly in the form the `url` crate writes: http(s), lower-case ASCII letters,
/// digits, dots and hyphens, no user, no IP address in another notation, no IDNA label, an
/// explicit port only when not the default, a path, query or fragment after it. None for
/// anything else: the caller parses (the crawl scope and the link checks read stored and
/// extracted URLs this way instead of parsing each again).
pub fn canonical_authority(u: &str) -> Option<(&str, &str, Option<u16>)> {
    // Prefixes, not a search for "://": the crawl asks this for every link it finds.
    let (scheme, rest, default) = if let Some(rest) = u.strip_prefix("http://") {
        ("http", rest, 80)
    } else if let Some(rest) = u.strip_prefix("https://") {
        ("https", rest, 443)
    } else {
        return None;
    };
    let end = rest.find(['/', '?', '#'])?;
    let auth = &rest[..end];
    if !auth
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b':'))
    {
        return None;
    }
    let (host, port) = match auth.split_once(':') {
        Some((h, p)) => {
            if p.is_empty() || p.starts_with('0') || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: u16 = p.parse().ok()?;
            if n == default {
                return None;
            }
            (h, Some(n))
        }
        None => (auth, None),
    };
    // Read in place: the crawl asks this for every link it finds.
    if host
        .split('.')
        .any(|l| l.is_empty() || l.starts_with("xn--"))
    {
        return None;
    }
    // A host whose last label is a number is an IPv4 address to `url`, which rewrites other
    // notations (0x7f.1, 017.0.0.1): only the dotted decimal form it writes is taken.
    let last = host.rsplit('.').next()?;
    if last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x") {
        let dotted = host.split('.').count() == 4
            && host.split('.').all(|l| {
                l.bytes().all(|b| b.is_ascii_digit())
                    && (l == "0" || !l.starts_with('0'))
                    && l.parse::<u8>().is_ok()
            });
        if !dotted {
            return None;
        }
    }
    Some((scheme, host, port))
}

/// "scheme://host:port" with the port always explicit, e.g. `http://www.tengzhou.gov.cn:80`.
/// Used to key per-origin politeness and same-site checks.
pub fn origin_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{}:{}", url.scheme(), host, port),
        None => format!("{}://{}", url.scheme(), host),
    }
}

/// Cleans a reference as the WHATWG URL parser does: C0 controls and ASCII space are trimmed at
/// both ends (tab, LF, CR, FF, space ...), tabs and newlines are removed anywhere. Nothing else:
/// a full-width space (U+3000), NBSP or zero-width character stays and is percent-encoded, so
/// `/a/b.pdf　` is fetched as `/a/b.pdf%E3%80%80`, exactly as a visitor's browser requests it.
fn clean(raw: &str) -> Cow<'_, str> {
    let trimmed = raw.trim_matches(|c: char| c <= '\u{20}');
    if !trimmed.contains(['\t', '\n', '\r']) {
        return Cow::Borrowed(trimmed);
    }
    Cow::Owned(
        trimmed
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect(),
    )
}

/// The scheme when `s` starts with one (`[A-Za-z][A-Za-z0-9+.-]*:`), as written.
fn scheme_of(s: &str) -> Option<&str> {
    let colon = s.find(':')?;
    let candidate = &s[..colon];
    let mut chars = candidate.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    Some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://www.tengzhou.gov.cn/zwgk/gfxwj/index.html").unwrap()
    }

    fn r(raw: &str) -> Result<String, SkipReason> {
        resolve(&base(), raw).map(|u| u.to_string())
    }

    #[test]
    fn relative_and_absolute() {
        assert_eq!(
            r("./202206/t20220601_123.html").unwrap(),
            "http://www.tengzhou.gov.cn/zwgk/gfxwj/202206/t20220601_123.html"
        );
        assert_eq!(
            r("../../index.html").unwrap(),
            "http://www.tengzhou.gov.cn/index.html"
        );
        assert_eq!(
            r("//WWW.Shandong.GOV.cn/").unwrap(),
            "http://www.shandong.gov.cn/"
        );
        assert_eq!(
            r("HTTPS://Example.GOV.cn:443/a#top").unwrap(),
            "https://example.gov.cn/a"
        );
        assert_eq!(
            r("http://a.gov.cn:8080/x?b=2&a=1").unwrap(),
            "http://a.gov.cn:8080/x?b=2&a=1"
        );
        assert_eq!(r("/search?").unwrap(), "http://www.tengzhou.gov.cn/search");
    }

    #[test]
    fn whitespace_and_non_ascii() {
        assert_eq!(
            r(" /art/2022/6/1/art_1_2.html\n\t\u{c} ").unwrap(),
            "http://www.tengzhou.gov.cn/art/2022/6/1/art_1_2.html"
        );
        // U+3000 and NBSP are not whitespace to a browser's URL parser: they stay, encoded.
        assert_eq!(
            r("/a/b.pdf\u{3000}").unwrap(),
            "http://www.tengzhou.gov.cn/a/b.pdf%E3%80%80"
        );
        assert_eq!(
            r("/a/b.pdf\u{a0}").unwrap(),
            "http://www.tengzhou.gov.cn/a/b.pdf%C2%A0"
        );
        assert_eq!(r("\u{1}/a/\u{0}").unwrap(), "http://www.tengzhou.gov.cn/a/");
        assert_eq!(
            r("/a\n/b c.html").unwrap(),
            "http://www.tengzhou.gov.cn/a/b%20c.html"
        );
        assert_eq!(
            r("/附件/通知.pdf").unwrap(),
            "http://www.tengzhou.gov.cn/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf"
        );
        // Full-width ？ and ％ are sent percent-encoded, as a browser does.
        assert_eq!(
            r("/list.jsp？id=5％").unwrap(),
            "http://www.tengzhou.gov.cn/list.jsp%EF%BC%9Fid=5%EF%BC%85"
        );
        assert_eq!(
            r("/s?q=政务 公开").unwrap(),
            "http://www.tengzhou.gov.cn/s?q=%E6%94%BF%E5%8A%A1%20%E5%85%AC%E5%BC%80"
        );
    }

    #[test]
    fn skip_reasons() {
        assert_eq!(r("mailto:zfb@tengzhou.gov.cn"), Err(SkipReason::Mailto));
        assert_eq!(r("tel:0632-5512345"), Err(SkipReason::Tel));
        assert_eq!(r("JavaScript:void(0);"), Err(SkipReason::Javascript));
        assert_eq!(r("java\nscript:alert(1)"), Err(SkipReason::Javascript));
        assert_eq!(r("data:image/png;base64,AAAA"), Err(SkipReason::Data));
        assert_eq!(r("#"), Err(SkipReason::BareFragment));
        assert_eq!(r("#top"), Err(SkipReason::BareFragment));
        assert_eq!(r("  "), Err(SkipReason::BareFragment));
        assert_eq!(r("ftp://ftp.gov.cn/a"), Err(SkipReason::OtherScheme));
        assert_eq!(r("weixin://dl/chat"), Err(SkipReason::OtherScheme));
        assert_eq!(r("http://"), Err(SkipReason::Malformed));
        assert_eq!(r("http://[::1"), Err(SkipReason::Malformed));
        assert_eq!(r(&"a".repeat(MAX_RAW_LEN + 1)), Err(SkipReason::Malformed));
    }

    #[test]
    fn origin_keys() {
        let u = Url::parse("http://WWW.Tengzhou.gov.cn/x").unwrap();
        assert_eq!(origin_key(&u), "http://www.tengzhou.gov.cn:80");
        let u = Url::parse("https://a.gov.cn:8443/").unwrap();
        assert_eq!(origin_key(&u), "https://a.gov.cn:8443");
        let n = normalize(&Url::parse("https://a.gov.cn:443/p?#f").unwrap());
        assert_eq!(n.as_str(), "https://a.gov.cn/p");
    }

    #[test]
    fn session_ids_are_dropped() {
        let n = |s: &str| normalize(&Url::parse(s).unwrap()).to_string();
        assert_eq!(
            n("http://a.gov.cn/col/index.jsp;jsessionid=ABC123?id=5"),
            "http://a.gov.cn/col/index.jsp?id=5"
        );
        assert_eq!(
            n("http://a.gov.cn/x.php?PHPSESSID=zz&page=2"),
            "http://a.gov.cn/x.php?page=2"
        );
        assert_eq!(
            n("http://a.gov.cn/x.php?sid=7"),
            "http://a.gov.cn/x.php?sid=7"
        );
        assert_eq!(n("http://a.gov.cn/a;v=1/b"), "http://a.gov.cn/a;v=1/b");
    }
}
