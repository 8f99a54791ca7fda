//! A page URL's host, origin and path, read from the string the store holds. The link checks
//! ask for them once per page (30,000 times at 20,000 pages), and parsing each URL again was a
//! fifth of those checks. The strings were written by the `url` crate, so their authority is
//! already in its canonical form ([`canonical_authority`]); anything that is not plainly so is
//! parsed as before.

use gongkai_page::url::canonical_authority;

/// The path of `u` (what `Url::path` gives) when `u` is plainly canonical: its authority as for
/// [`canonical_authority`], its path of characters `url` keeps as they are, with no `.` or `..` segment and no
/// percent sign (`%2e` is a dot to it).
fn plain_path(u: &str) -> Option<&str> {
    let (scheme, _, _) = canonical_authority(u)?;
    let rest = &u[scheme.len() + "://".len()..];
    let path = &rest[rest.find('/')?..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let kept = path.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            )
    });
    let dots = path.split('/').any(|seg| seg == "." || seg == "..");
    (kept && !dots).then_some(path)
}

/// The path of `u` (`Url::path`); None when it does not parse.
pub(crate) fn path_of(u: &str) -> Option<std::borrow::Cow<'_, str>> {
    match plain_path(u) {
        Some(p) => Some(std::borrow::Cow::Borrowed(p)),
        None => url::Url::parse(u)
            .ok()
            .map(|u| std::borrow::Cow::Owned(u.path().to_string())),
    }
}

/// The host of `u`, lower-case (what `Url::host_str` gives).
pub(crate) fn host_of(u: &str) -> Option<String> {
    match canonical_authority(u) {
        Some((_, host, _)) => Some(host.to_string()),
        None => url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase)),
    }
}

/// The origin of `u` as `Url::origin().ascii_serialization()` writes it (`scheme://host[:port]`).
pub(crate) fn origin_of(u: &str) -> Option<String> {
    match canonical_authority(u) {
        Some((scheme, host, None)) => Some(format!("{scheme}://{host}")),
        Some((scheme, host, Some(port))) => Some(format!("{scheme}://{host}:{port}")),
        None => url::Url::parse(u)
            .ok()
            .map(|u| u.origin().ascii_serialization()),
    }
}

#[cfg(test)]
mod tests {
    /// Whatever the string, the answers are the `url` crate's.
    #[test]
    fn host_and_origin_are_what_url_gives() {
        let hosts = [
            "www.tengzhou.gov.cn",
            "127.0.0.1",
            "WWW.Tengzhou.gov.cn",
            "0x7f.0.0.1",
            "017.0.0.1",
            "127.1",
            "256.0.0.1",
            "1.2.3.4.5",
            "12345.gov.cn",
            "a..b",
            "a.b.",
            "xn--fiqs8s.cn",
            "xn--zz.cn",
            "政府.cn",
            "[::1]",
            "user@h.cn",
            "",
            "-a-.cn",
            "0.0.0.0",
            "10.00.0.1",
        ];
        let ports = ["", ":80", ":443", ":8080", ":08080", ":", ":99999", ":0"];
        let tails = ["/", "/a/b.html?x=1#f", "?q", "#f", ""];
        for scheme in ["http", "https", "ftp", "HTTP"] {
            for h in hosts {
                for p in ports {
                    for t in tails {
                        let u = format!("{scheme}://{h}{p}{t}");
                        let parsed = url::Url::parse(&u).ok();
                        let host = parsed
                            .as_ref()
                            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
                        let origin = parsed.as_ref().map(|u| u.origin().ascii_serialization());
                        assert_eq!(super::host_of(&u), host, "{u}");
                        assert_eq!(super::origin_of(&u), origin, "{u}");
                        // The serialised form, as the store holds it, is read without parsing.
                        if let Some(p) = &parsed {
                            assert_eq!(super::host_of(p.as_str()), host, "{p}");
                            assert_eq!(super::origin_of(p.as_str()), origin, "{p}");
                        }
                    }
                }
            }
        }
        for path in [
            "/",
            "/a/b.html",
            "/a/./b",
            "/a/../b",
            "/a/%2e%2e/b",
            "/a/%41",
            "/政府/a",
            "/a b",
            "/a\\b",
            "/a/.",
            "/a/..",
            "/a/.b/c..d",
            "/~u/(x)!$&'*+,;=:@-_",
            "/a|b",
            "/a^b`c{d}",
            "/a\"b<c>",
        ] {
            for tail in ["", "?x=1", "#f", "?a#b"] {
                for auth in ["http://h.cn", "https://127.0.0.1:8080", "http://H.cn"] {
                    let u = format!("{auth}{path}{tail}");
                    let want = url::Url::parse(&u).ok().map(|p| p.path().to_string());
                    assert_eq!(super::path_of(&u).map(|p| p.into_owned()), want, "{u}");
                }
            }
        }
        assert!(super::plain_path("http://www.tengzhou.gov.cn/a/t1.html?x").is_some());
        assert!(super::canonical_authority("http://www.tengzhou.gov.cn/a").is_some());
        assert!(super::canonical_authority("http://127.0.0.1:18480/x").is_some());
    }
}
