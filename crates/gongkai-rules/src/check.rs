//! The check contract: what every check kind implements ([`Check`], [`Kind`] with its typed
//! params and [`ParamError`]), what it sees ([`RuleCx`]: the rule, the site model, the
//! evaluation context) and how it reports ([`Emit`] → a [`Finding`] with a stable fingerprint).
//! Check modules use this module only; the registry (`checks`) and the evaluation loop (`eval`)
//! sit on top of it.

use crate::context::EvalContext;
use crate::encoded::EncodedFindings;
use crate::sitemodel::SiteModel;
use crate::{Finding, Severity};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A compiled check: runs over the site model and emits findings.
pub(crate) trait Check: Send + Sync {
    fn run(&self, cx: &mut RuleCx<'_>);
    /// Whether the check judges page `i` (an index of `cx.site.crawled`) and why or why not, in
    /// Chinese for office staff (`gongkai inspect`). None: the check has no per-page answer and
    /// [`crate::explain`] answers by its kind.
    fn applies(&self, _cx: &RuleCx<'_>, _i: usize) -> Option<crate::explain::Applies> {
        None
    }
    /// True for a check that reads the text of every crawled page or walks every link: the long
    /// ones, which the evaluation hands out first, so that the short ones fill in at the end
    /// instead of one long check running alone on one core after the others are done.
    fn reads_every_page(&self) -> bool {
        false
    }
}

/// A check kind: typed params and a validating constructor.
pub(crate) trait Kind: Check + Sized + 'static {
    type Params: DeserializeOwned + Serialize + Default;
    fn new(p: Self::Params) -> Result<Self, ParamError>;
}

/// Why params were refused.
#[derive(Debug)]
pub(crate) enum ParamError {
    UnknownKind,
    /// `path` is the key path inside `[params]`.
    Bad {
        path: Vec<String>,
        message: String,
    },
}

pub(crate) fn bad(path: &str, message: impl Into<String>) -> ParamError {
    ParamError::Bad {
        path: path
            .split('.')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        message: message.into(),
    }
}

/// What a check hands to [`RuleCx::emit`].
pub(crate) struct Emit {
    pub url: String,
    pub target: Option<String>,
    pub department: String,
    pub message: String,
    pub evidence: serde_json::Value,
    /// Subject parts for the fingerprint; empty means [url, target].
    pub subject: Vec<String>,
    pub fetch_id: Option<i64>,
    /// Ledger items when narrower than the rule's (e.g. one required column).
    pub ledger: Option<Vec<u32>>,
}

impl Emit {
    pub fn new(
        url: &str,
        department: String,
        message: String,
        evidence: serde_json::Value,
    ) -> Self {
        Emit {
            url: url.to_string(),
            target: None,
            department,
            message,
            evidence,
            subject: Vec::new(),
            fetch_id: None,
            ledger: None,
        }
    }
    pub fn target(mut self, t: impl Into<String>) -> Self {
        self.target = Some(t.into());
        self
    }
    pub fn fetch(mut self, id: i64) -> Self {
        self.fetch_id = Some(id);
        self
    }
    pub fn subject(mut self, parts: Vec<String>) -> Self {
        self.subject = parts;
        self
    }
    pub fn ledger(mut self, items: Vec<u32>) -> Self {
        self.ledger = Some(items);
        self
    }
}

/// What a check's findings take from its rule.
#[derive(Clone, Copy)]
pub(crate) struct RuleRef<'a> {
    pub id: &'a str,
    pub severity: Severity,
    pub ledger: &'a [u32],
    /// The rule's default department.
    pub department: &'a str,
}

/// One rule's view of an evaluation.
pub(crate) struct RuleCx<'a> {
    pub rule: RuleRef<'a>,
    pub site: &'a SiteModel<'a>,
    pub ctx: &'a EvalContext,
    /// Findings so far, held compact ([`EncodedFindings`]).
    pub out: EncodedFindings,
}

impl RuleCx<'_> {
    pub fn as_of(&self) -> NaiveDate {
        self.ctx.as_of
    }

    /// Department of a page (publisher, owner, rule default).
    pub fn dept_page(&self, i: usize) -> String {
        self.site.department(i, self.ctx, self.rule.department)
    }

    /// Department for a URL / columns (owner, rule default).
    pub fn dept_for(&self, url: &str, columns: &[String]) -> String {
        self.site
            .department_for(url, columns, self.ctx, self.rule.department)
    }

    pub fn emit(&mut self, e: Emit) {
        let subject: Vec<String> = if e.subject.is_empty() {
            vec![e.url.clone(), e.target.clone().unwrap_or_default()]
        } else {
            e.subject
        };
        let parts: Vec<&str> = subject.iter().map(|s| s.as_str()).collect();
        self.out.push(&Finding {
            rule: self.rule.id.to_string(),
            severity: self.rule.severity,
            url: e.url,
            target: e.target,
            department: e.department,
            ledger: e.ledger.unwrap_or_else(|| self.rule.ledger.to_vec()),
            message: e.message,
            evidence: e.evidence,
            fingerprint: fingerprint(self.rule.id, &parts),
            fetch_id: e.fetch_id,
        });
    }
}

/// Stable fingerprint: sha256 hex (first 24 chars) of the rule id and the subject parts.
pub fn fingerprint(rule: &str, subject: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    for s in subject {
        h.update([0x1f]);
        h.update(s.as_bytes());
    }
    hex::encode(h.finalize())[..24].to_string()
}

/// Implements the [`Kind`] glue for a struct `$t { p: Params }`.
#[macro_export]
#[doc(hidden)]
macro_rules! check_glue {
    ($t:ident) => {
        impl $crate::check::Kind for $t {
            type Params = Params;
            fn new(p: Params) -> Result<Self, $crate::check::ParamError> {
                p.validate()?;
                Ok($t { p })
            }
        }
    };
}

/// A date parameter: TOML date or "YYYY-MM-DD".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateParam(pub NaiveDate);

impl<'de> Deserialize<'de> for DateParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        toml_date(&v)
            .map(DateParam)
            .ok_or_else(|| serde::de::Error::custom(format!("bad date {v}: use 2022-06-30")))
    }
}

impl Serialize for DateParam {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// A date from a TOML date value or a "YYYY-MM-DD" string.
pub(crate) fn toml_date(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::Datetime(dt) => {
            if dt.time.is_some() || dt.offset.is_some() {
                return None;
            }
            let d = dt.date?;
            NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}
