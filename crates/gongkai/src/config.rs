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
    #[serde(default)]
    pub text: TextSection,
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
    /// Seconds failed requests (not found, server error, no connection …; not 401/403/412/429
    /// walls) wait after the latest failure before they are tried once more at the end of the
    /// crawl (default 60): only a second failure counts. The environment variable `GONGKAI_RECHECK_PAUSE_SECS` overrides it.
    pub recheck_pause_secs: Option<u64>,
    /// A broken link is reported only once it failed in this many consecutive runs (default 1);
    /// until then it is counted as 待确认.
    pub confirm_runs: Option<u32>,
    /// A run that fetched fewer pages than this share of the last complete run's is degraded
    /// (default 0.70; 0 turns the check off).
    pub min_pages_ratio: Option<f64>,
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
        if let Some(r) = cfg.crawl.min_pages_ratio {
            if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
                return Err(anyhow!(
                    "{name}: crawl.min_pages_ratio must be between 0 and 1"
                ));
            }
        }
        if cfg.crawl.confirm_runs == Some(0) {
            return Err(anyhow!("{name}: crawl.confirm_runs must be at least 1"));
        }
        cfg.text.validate(text, name)?;
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

/// `[text]`: the site's own wording for `text.serious-error` (严重表述错误).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSection {
    /// Local protected terms (leaders' names with titles, local organs, towns), ≥ 3 characters.
    #[serde(default)]
    pub protected_terms: Vec<toml::Spanned<String>>,
    /// Extra groups of confusable characters (same pinyin / similar shape), one string a group.
    #[serde(default)]
    pub confusions: Vec<String>,
    /// Known false hits: the misspelt string (or text around it), optionally `text@URL-prefix`.
    #[serde(default)]
    pub allow: Vec<toml::Spanned<String>>,
}

impl TextSection {
    /// Refuses terms too short to protect and empty allow entries, naming the file and line.
    fn validate(&self, text: &str, name: &str) -> Result<()> {
        let line = |s: &toml::Spanned<String>| {
            text[..s.span().start.min(text.len())].matches('\n').count() + 1
        };
        for t in &self.protected_terms {
            if t.get_ref().trim().chars().count() < 3 {
                return Err(anyhow!(
                    "{name}:{}: text.protected_terms: \"{}\" is shorter than 3 characters (too many false hits; write the name with its title)",
                    line(t),
                    t.get_ref()
                ));
            }
        }
        for a in &self.allow {
            if gongkai_rules::AllowEntry::parse(a.get_ref())
                .text
                .is_empty()
            {
                return Err(anyhow!("{name}:{}: text.allow: empty entry", line(a)));
            }
        }
        Ok(())
    }

    /// As the rules' evaluation context takes it.
    pub fn site_terms(&self) -> gongkai_rules::SiteTerms {
        gongkai_rules::SiteTerms {
            protected_terms: self
                .protected_terms
                .iter()
                .map(|t| t.get_ref().trim().to_string())
                .collect(),
            confusions: self.confusions.clone(),
            allow: self
                .allow
                .iter()
                .map(|a| gongkai_rules::AllowEntry::parse(a.get_ref()))
                .collect(),
        }
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
# Failed requests (404, 5xx, no connection; not 401/403/412/429 walls) are tried once more at
# the end of the run after this pause; only a second failure makes a link broken.
recheck_pause_secs = 60
# Report a broken link only after it failed in this many consecutive runs (1 = at once).
confirm_runs = 1
# A run fetching fewer pages than this share of the last complete run is degraded (运行异常):
# what it did not see is not taken as fixed.
min_pages_ratio = 0.70
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

# 严重表述错误 (text.serious-error): the pack protects national terms (国名, 机构, 固定政治表述,
# province and city names); add the site's own, at least 3 characters each (a leader's name with
# the title). A misspelling is one character replaced by a same-pinyin / similar-shape one of a
# confusion group (the pack's, plus `confusions` here), doubled, or dropped.
[text]
protected_terms = ["滕州市人民政府", "滕州市行政审批服务局"]
# Extra confusion groups for the characters of the local terms, one string a group.
confusions = ["局居"]
# Known false hits: the misspelt string or text around it; "text@URL-prefix" only under that prefix.
allow = []
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses() {
        let cfg = SiteConfig::parse(TEMPLATE, "site.toml").unwrap();
        assert_eq!(cfg.owners.len(), 2);
        assert_eq!(cfg.crawl.rate, Some(2.0));
        assert_eq!(cfg.crawl.recheck_pause_secs, Some(60));
        assert_eq!(cfg.crawl.confirm_runs, Some(1));
        assert_eq!(cfg.crawl.min_pages_ratio, Some(0.70));
        assert_eq!(cfg.text.site_terms().protected_terms.len(), 2);
    }

    #[test]
    fn health_keys_are_validated() {
        let err = SiteConfig::parse("[crawl]\nmin_pages_ratio = 1.5\n", "s.toml").unwrap_err();
        assert!(err.to_string().contains("min_pages_ratio"), "{err}");
        let err = SiteConfig::parse("[crawl]\nconfirm_runs = 0\n", "s.toml").unwrap_err();
        assert!(err.to_string().contains("confirm_runs"), "{err}");
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

    #[test]
    fn text_section_types_and_short_terms_name_file_and_line() {
        let cfg = SiteConfig::parse(
            "[text]\nprotected_terms = [\"青岚县人民政府\"]\nallow = [\"清岚@http://x/a/\"]\n",
            "site.toml",
        )
        .unwrap();
        let t = cfg.text.site_terms();
        assert_eq!(t.protected_terms, vec!["青岚县人民政府"]);
        assert_eq!(t.allow[0].url_prefix.as_deref(), Some("http://x/a/"));
        for (bad, line) in [
            ("[text]\nprotected_terms = \"青岚县\"\n", 2),
            ("[text]\n\nallow = [1]\n", 3),
            ("[text]\nconfusions = [[\"a\"]]\n", 2),
            ("[text]\nprotected = []\n", 2),
            (
                "[text]\nprotected_terms = [\n  \"青岚县人民政府\",\n  \"县长\",\n]\n",
                4,
            ),
            ("[text]\nallow = [\"@http://x/\"]\n", 2),
        ] {
            let err = SiteConfig::parse(bad, "site.toml").unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("site.toml:{line}:")),
                "{bad}: {err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
