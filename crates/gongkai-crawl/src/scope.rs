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
}
