//! What an evaluation needs besides the site: the date to judge on and who owns what.

use crate::text::compact;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who is responsible for a part of the site, when the page itself does not say (发布机构).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRule {
    /// Matches pages whose URL starts with this prefix.
    pub url_prefix: Option<String>,
    /// Matches pages in (or column findings about) a column whose name contains this.
    pub column: Option<String>,
    pub department: String,
}

/// What an evaluation needs besides the site: the date to judge on and who owns what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalContext {
    /// "Today" for due dates, update cycles and annual reports.
    pub as_of: NaiveDate,
    /// Owners by URL prefix and/or column; the most specific match wins (a column match beats a
    /// prefix; a longer prefix beats a shorter one).
    #[serde(default)]
    pub owners: Vec<OwnerRule>,
    /// alias → canonical department name (e.g. "滕州市司法局" → "市司法局").
    #[serde(default)]
    pub aliases: Vec<(String, String)>,
    /// False when the crawl was cut by a limit (a `partial` run): the checks that conclude
    /// something is absent from the whole site (`eval::WHOLE_SITE_CHECKS`) do not judge then.
    #[serde(default = "yes")]
    pub complete: bool,
    /// The site's own protected terms and known false hits for `text-serious-error` (site.toml
    /// `[text]`), added to those of the rule's params.
    #[serde(default)]
    pub text: SiteTerms,
}

/// The site's own wording: protected terms, confusable characters and known false hits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteTerms {
    /// Local protected terms: leaders' names with their titles, local organs, towns (≥ 3
    /// characters; shorter ones are ignored here and refused by the config loader).
    #[serde(default)]
    pub protected_terms: Vec<String>,
    /// Extra groups of mutually confusable characters, one string a group ("建健键").
    #[serde(default)]
    pub confusions: Vec<String>,
    /// Known false hits: a misspelt string (or text around it) that is right here, everywhere or
    /// only on pages under a URL prefix.
    #[serde(default)]
    pub allow: Vec<AllowEntry>,
}

/// One known false hit of `text-serious-error`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowEntry {
    /// The misspelt string itself, or text around it.
    pub text: String,
    /// Only on pages whose URL starts with this; everywhere when absent.
    #[serde(default)]
    pub url_prefix: Option<String>,
}

impl AllowEntry {
    /// Parses `"text"` or `"text@http://host/prefix"` (the part after the last `@` that starts
    /// with `http://` or `https://` is the URL prefix; any other `@` belongs to the text). An
    /// entry with empty text applies nowhere.
    pub fn parse(s: &str) -> AllowEntry {
        let s = s.trim();
        if let Some((text, prefix)) = s.rsplit_once('@') {
            if prefix.starts_with("http://") || prefix.starts_with("https://") {
                return AllowEntry {
                    text: text.trim().to_string(),
                    url_prefix: Some(prefix.trim().to_string()),
                };
            }
        }
        AllowEntry {
            text: s.to_string(),
            url_prefix: None,
        }
    }

    /// True when the entry applies on the page at `url`.
    pub fn applies_to(&self, url: &str) -> bool {
        !self.text.is_empty()
            && self
                .url_prefix
                .as_deref()
                .is_none_or(|p| url.starts_with(p))
    }
}

fn yes() -> bool {
    true
}

impl EvalContext {
    pub fn new(as_of: NaiveDate) -> Self {
        EvalContext {
            as_of,
            owners: Vec::new(),
            aliases: Vec::new(),
            complete: true,
            text: SiteTerms::default(),
        }
    }

    /// The canonical name of a department (aliases compared without spaces).
    pub fn canonical_department(&self, name: &str) -> String {
        let k = compact(name);
        self.aliases
            .iter()
            .find(|(a, _)| compact(a) == k)
            .map(|(_, c)| c.trim().to_string())
            .unwrap_or_else(|| name.trim().to_string())
    }
}
