//! The registry of check kinds: one module per kind, each with its `Params` (unknown keys denied,
//! defaults filled in) and a constructor that validates them. Rules name a kind in `check` and
//! give its `[params]`; several rules may share one kind with different params.

use crate::eval::RuleCx;
use crate::pack::toml_date;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

pub mod annual_report;
pub mod column_empty;
pub mod column_required;
pub mod column_stale;
pub mod consultation_feedback;
pub mod consultation_period;
pub mod doc_expired;
pub mod doc_interpretation;
pub mod doc_late;
pub mod doc_metadata;
pub mod doc_number;
pub mod doc_validity;
pub mod guideline_meta;
pub mod home_stale;
pub mod id_number;
pub mod interaction_slow;
pub mod interaction_unanswered;
pub mod interp_copied;
pub mod interp_hotline;
pub mod link_broken;
pub mod link_dark;
pub mod link_soft404;
pub mod reply_fields;
pub mod site_identity;
pub mod text_serious;

#[cfg(test)]
pub(crate) mod testkit;

/// A compiled check: runs over the site model and emits findings.
pub(crate) trait Check: Send + Sync {
    fn run(&self, cx: &mut RuleCx<'_>);
    /// Effective parameters as TOML (for `rules explain`).
    fn params_toml(&self) -> String;
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

/// One registered kind.
pub struct KindInfo {
    pub name: &'static str,
    /// One line: what it checks.
    pub summary: &'static str,
    build: fn(toml::Table) -> Result<Arc<dyn Check>, ParamError>,
}

macro_rules! kind {
    ($name:literal, $m:ident :: $t:ident) => {
        KindInfo {
            name: $name,
            summary: $m::SUMMARY,
            build: build_kind::<$m::$t>,
        }
    };
}

/// Every check kind, by name.
pub static KINDS: &[KindInfo] = &[
    kind!("annual-report", annual_report::AnnualReport),
    kind!("column-empty", column_empty::ColumnEmpty),
    kind!("column-required", column_required::ColumnRequired),
    kind!("column-stale", column_stale::ColumnStale),
    kind!(
        "consultation-period",
        consultation_period::ConsultationPeriod
    ),
    kind!("doc-interpretation", doc_interpretation::DocInterpretation),
    kind!("doc-metadata", doc_metadata::DocMetadata),
    kind!("doc-number-format", doc_number::DocNumberFormat),
    kind!("doc-validity", doc_validity::DocValidity),
    kind!("doc-validity-expired", doc_expired::DocValidityExpired),
    kind!("guideline-meta", guideline_meta::GuidelineMeta),
    kind!("id-number", id_number::IdNumber),
    kind!("interpretation-copied", interp_copied::InterpretationCopied),
    kind!(
        "interpretation-hotline",
        interp_hotline::InterpretationHotline
    ),
    kind!("link-broken", link_broken::LinkBroken),
    kind!("link-soft404", link_soft404::LinkSoft404),
    kind!("reply-fields", reply_fields::ReplyFields),
    kind!("doc-late-publication", doc_late::DocLatePublication),
    kind!(
        "interaction-unanswered",
        interaction_unanswered::InteractionUnanswered
    ),
    kind!(
        "interaction-slow-reply",
        interaction_slow::InteractionSlowReply
    ),
    kind!("text-serious-error", text_serious::TextSeriousError),
    kind!("link-dark", link_dark::LinkDark),
    kind!("site-identity", site_identity::SiteIdentity),
    kind!("home-stale", home_stale::HomeStale),
    kind!(
        "consultation-no-feedback",
        consultation_feedback::ConsultationNoFeedback
    ),
];

pub(crate) fn build(kind: &str, params: toml::Table) -> Result<Arc<dyn Check>, ParamError> {
    let k = KINDS
        .iter()
        .find(|k| k.name == kind)
        .ok_or(ParamError::UnknownKind)?;
    (k.build)(params)
}

fn build_kind<K: Kind>(params: toml::Table) -> Result<Arc<dyn Check>, ParamError> {
    let p: K::Params =
        serde_path_to_error::deserialize(toml::Value::Table(params)).map_err(|e| {
            let mut path: Vec<String> = e
                .path()
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
            let message = e.inner().to_string();
            if let Some(rest) = message.strip_prefix("unknown field `") {
                if let Some(name) = rest.split('`').next() {
                    if path.last().map(|s| s.as_str()) != Some(name) {
                        path.push(name.to_string());
                    }
                }
            }
            ParamError::Bad { path, message }
        })?;
    Ok(Arc::new(K::new(p)?))
}

/// Renders params as TOML for explanations.
pub(crate) fn to_toml<P: Serialize>(p: &P) -> String {
    toml::to_string(p).unwrap_or_else(|e| format!("# (not renderable: {e})"))
}

/// Implements [`Check::params_toml`] and the [`Kind`] glue for a struct `$t { p: Params }`.
#[macro_export]
#[doc(hidden)]
macro_rules! check_glue {
    ($t:ident) => {
        impl $crate::checks::Kind for $t {
            type Params = Params;
            fn new(p: Params) -> Result<Self, $crate::checks::ParamError> {
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
