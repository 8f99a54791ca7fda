//! Crawl scope: the start URLs' origins plus configured extra hosts.

use url::Url;

#[derive(Debug, Clone)]
pub struct Scope {
    origins: Vec<String>,
    extra_hosts: Vec<String>,
}

impl Scope {
    pub fn new(start_urls: &[Url], extra_hosts: &[String]) -> Self {
        Scope {
            origins: start_urls.iter().map(origin_key).collect(),
            extra_hosts: extra_hosts
                .iter()
                .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// True when pages at `url` are crawled (parsed for links), not only checked.
    pub fn contains(&self, url: &Url) -> bool {
        if url.scheme() != "http" && url.scheme() != "https" {
            return false;
        }
        let origin = origin_key(url);
        if self.origins.contains(&origin) {
            return true;
        }
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        self.extra_hosts.contains(&host)
    }

    /// [`Scope::contains`] for a URL string as the `url` crate serialises it (the page model's
    /// link targets), without parsing it again: a page has dozens of links, and parsing each
    /// (IDNA, percent-encoding) was a visible share of the crawl. `None` when the string is not
    /// in the plain `http(s)://host[:port]/…` form this reads; the caller then parses.
    pub fn contains_str(&self, url: &str) -> Option<bool> {
        let (scheme, host, port) = gongkai_page::url::canonical_authority(url)?;
        let port = port.unwrap_or(if scheme == "https" { 443 } else { 80 });
        // Compared piece by piece with the origin keys: no key is built per link.
        let is_origin = |o: &String| {
            o.strip_prefix(scheme)
                .and_then(|r| r.strip_prefix("://"))
                .and_then(|r| r.strip_prefix(host))
                .and_then(|r| r.strip_prefix(':'))
                .and_then(|p| p.parse::<u16>().ok())
                == Some(port)
        };
        Some(self.origins.iter().any(is_origin) || self.extra_hosts.iter().any(|h| h == host))
    }
}

/// "scheme://host:port" with the port always explicit: the key of per-host limits.
pub fn origin_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_is_origins_plus_extra_hosts() {
        let s = Scope::new(
            &[Url::parse("http://www.tengzhou.gov.cn/").unwrap()],
            &["zwgk.tengzhou.gov.cn".to_string()],
        );
        assert!(s.contains(&Url::parse("http://www.tengzhou.gov.cn:80/a").unwrap()));
        assert!(!s.contains(&Url::parse("https://www.tengzhou.gov.cn/a").unwrap()));
        assert!(s.contains(&Url::parse("https://zwgk.tengzhou.gov.cn/a").unwrap()));
        assert!(!s.contains(&Url::parse("http://www.gov.cn/").unwrap()));
    }

    #[test]
    fn contains_str_agrees_with_contains() {
        let s = Scope::new(
            &[
                Url::parse("http://www.tengzhou.gov.cn/").unwrap(),
                Url::parse("http://127.0.0.1:8080/").unwrap(),
            ],
            &["zwgk.tengzhou.gov.cn".to_string()],
        );
        for raw in [
            "http://www.tengzhou.gov.cn/a?b=1",
            "http://www.tengzhou.gov.cn:80/a",
            "HTTP://WWW.Tengzhou.gov.cn/a",
            "https://www.tengzhou.gov.cn/a",
            "https://zwgk.tengzhou.gov.cn:8443/x#f",
            "http://www.tengzhou.gov.cn.evil.cn/",
            "http://user@www.tengzhou.gov.cn/",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8081/",
            "http://[::1]:8080/",
            "http://政府.cn/",
            "ftp://www.tengzhou.gov.cn/",
            "mailto:a@b.cn",
        ] {
            let Ok(u) = Url::parse(raw) else { continue };
            let want = s.contains(&u);
            // The serialised form is what the page model holds: read without parsing.
            let fast = s.contains_str(u.as_str());
            assert!(fast.is_none_or(|f| f == want), "{raw}: {fast:?} vs {want}");
            // A string the url crate would rewrite is either read the same or left to it.
            assert!(s.contains_str(raw).is_none_or(|f| f == want), "{raw}");
        }
        assert_eq!(s.contains_str("http://www.tengzhou.gov.cn/a"), Some(true));
        assert_eq!(s.contains_str("http://www.gov.cn/a"), Some(false));
    }
}
