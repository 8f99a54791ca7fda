//! The site configuration (`site.toml`): what to scan, how politely, and who owns what.

use anyhow::{anyhow, Context, Result};
use serde::Deserialize;
use std::path::Path;

/// `site.toml` as written by `gongkai init`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    #[serde(default)]
    pub site: SiteSection,
    #[serde(default)]
    pub crawl: CrawlSection,
    /// Responsible units by URL prefix or column name. The most specific match wins, whatever the
    /// order: a column match beats a URL prefix, a longer prefix beats a shorter one.
    #[serde(default)]
    pub owners: Vec<Owner>,
    #[serde(default)]
    pub departments: Departments,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSection {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub start_urls: Vec<String>,
    #[serde(default)]
    pub extra_hosts: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Contact put into the User-Agent (mailto: or a web page).
    #[serde(default)]
    pub contact: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlSection {
    pub rate: Option<f64>,
    pub concurrency: Option<usize>,
    pub per_host_concurrency: Option<usize>,
    pub max_pages: Option<usize>,
    pub max_depth: Option<u32>,
    pub timeout_secs: Option<u64>,
    pub connect_timeout_secs: Option<u64>,
    /// Attachments on the portal's own origins are read in full up to this many MiB (default
    /// 20); larger ones are counted as not read. 0: attachments are only checked for
    /// reachability.
    pub max_attachment_mib: Option<u64>,
    /// Incremental nights: every page and link target is verified at least once every this many
    /// nights (default 7); lists, new and changed pages and pages with findings every night.
    pub revisit_days: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub url_prefix: Option<String>,
    pub column: Option<String>,
    pub department: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Departments {
    /// Alias → canonical name (市住建局 = 滕州市住房和城乡建设局).
    #[serde(default)]
    pub aliases: std::collections::BTreeMap<String, String>,
}

impl SiteConfig {
    /// Loads and validates a config file; errors name the file and line.
    pub fn load(path: &Path) -> Result<SiteConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, name: &str) -> Result<SiteConfig> {
        let cfg: SiteConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().replace('\n', " ");
            match line {
                Some(l) => anyhow!("{name}:{l}: {msg}"),
                None => anyhow!("{name}: {msg}"),
            }
        })?;
        if let Some(rate) = cfg.crawl.rate {
            if !(rate.is_finite() && rate >= 0.0) {
                return Err(anyhow!("{name}: crawl.rate must be a non-negative number"));
            }
        }
        for o in &cfg.owners {
            if o.url_prefix.is_none() && o.column.is_none() {
                return Err(anyhow!(
                    "{name}: owner \"{}\" needs url_prefix or column",
                    o.department
                ));
            }
        }
        Ok(cfg)
    }
}

/// The commented template `gongkai init` writes.
pub const TEMPLATE: &str = r#"# gongkai site configuration. Every key is optional except start_urls (or URLs on the command line).

[site]
# Shown in reports.
name = "滕州市人民政府"
# Where the crawl starts; their origins (scheme, host, port) are the crawl scope.
start_urls = ["http://www.tengzhou.gov.cn/"]
# Further hosts whose pages are crawled too (not only checked), e.g. department subdomains.
extra_hosts = []
# URL prefixes never fetched.
exclude = []
# Put into the User-Agent so server administrators can reach you.
contact = "mailto:webmaster@example.gov.cn"

[crawl]
# Requests per second per host. Government servers are fragile: keep it low.
rate = 2.0
# Requests in flight across all hosts, and to one host.
concurrency = 16
per_host_concurrency = 4
max_pages = 50000
max_depth = 12
timeout_secs = 30
connect_timeout_secs = 10
# A rescan is an incremental night (`gongkai scan --full` fetches everything): home page, column
# lists, new and changed pages and pages with findings every night, every other page and link
# target at least once every revisit_days nights.
revisit_days = 7

# Responsible units (责任单位) for pages whose own 发布机构 is missing. The most specific match wins,
# whatever the order: a column match beats a URL prefix, a longer prefix beats a shorter one;
# with no match, the rule's default department.
[[owners]]
url_prefix = "http://www.tengzhou.gov.cn/zwgk/gfxwj/"
department = "滕州市司法局"

[[owners]]
column = "政策解读"
department = "滕州市人民政府办公室"

[departments.aliases]
"市住建局" = "滕州市住房和城乡建设局"
"市政府办公室" = "滕州市人民政府办公室"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses() {
        let cfg = SiteConfig::parse(TEMPLATE, "site.toml").unwrap();
        assert_eq!(cfg.owners.len(), 2);
        assert_eq!(cfg.crawl.rate, Some(2.0));
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = SiteConfig::parse("[site]\nname = \"x\"\nstart_urls = 5\n", "site.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:3:"), "{err}");
        let err = SiteConfig::parse("[site]\nnmae = 1\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.toml:2:"), "{err}");
    }
}
