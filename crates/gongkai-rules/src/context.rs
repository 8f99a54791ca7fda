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
