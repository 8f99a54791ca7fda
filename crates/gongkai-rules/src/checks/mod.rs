//! The registry of check kinds: one module per kind (named like the kind), each with its `Params`
//! (unknown keys denied, defaults filled in) and a constructor that validates them; the contract
//! they implement is in `crate::check`. Rules name a kind in `check` and
//! give its `[params]`; several rules may share one kind with different params.

use std::sync::Arc;

/// The check contract, at its old paths (new code: `crate::check`).
#[allow(unused_imports)]
pub(crate) use crate::check::{bad, Check, DateParam, Kind, ParamError};

pub mod annual_report;
pub mod attachment_unreadable;
pub mod classified_mark;
pub mod column_empty;
pub mod column_required;
pub mod column_stale;
pub mod consultation_no_feedback;
pub mod consultation_period;
pub mod doc_interpretation;
pub mod doc_late_publication;
pub mod doc_metadata;
pub mod doc_number_format;
pub mod doc_validity;
pub mod doc_validity_expired;
pub mod guideline_meta;
pub mod home_stale;
pub mod id_number;
pub mod interaction_slow_reply;
pub mod interaction_unanswered;
pub mod interpretation_copied;
pub mod interpretation_hotline;
pub mod link_broken;
pub mod link_dark;
pub mod link_soft404;
pub mod reply_fields;
pub mod site_identity;
pub mod text_serious_error;

#[cfg(test)]
pub(crate) mod testkit;

/// One registered kind.
pub struct KindInfo {
    pub name: &'static str,
    /// One line: what it checks.
    pub summary: &'static str,
    /// The module that implements it (`checks/<module>.rs`): the kind name with `_` for `-`.
    pub module: &'static str,
    build: fn(toml::Table) -> Result<Built, ParamError>,
}

macro_rules! kind {
    ($name:literal, $m:ident :: $t:ident) => {
        KindInfo {
            name: $name,
            module: stringify!($m),
            summary: $m::SUMMARY,
            build: build_kind::<$m::$t>,
        }
    };
}

/// Every check kind, by name.
pub static KINDS: &[KindInfo] = &[
    kind!("annual-report", annual_report::AnnualReport),
    kind!(
        "attachment-unreadable",
        attachment_unreadable::AttachmentUnreadable
    ),
    kind!("classified-mark", classified_mark::ClassifiedMark),
    kind!("column-empty", column_empty::ColumnEmpty),
    kind!("column-required", column_required::ColumnRequired),
    kind!("column-stale", column_stale::ColumnStale),
    kind!(
        "consultation-period",
        consultation_period::ConsultationPeriod
    ),
    kind!("doc-interpretation", doc_interpretation::DocInterpretation),
    kind!("doc-metadata", doc_metadata::DocMetadata),
    kind!("doc-number-format", doc_number_format::DocNumberFormat),
    kind!("doc-validity", doc_validity::DocValidity),
    kind!(
        "doc-validity-expired",
        doc_validity_expired::DocValidityExpired
    ),
    kind!("guideline-meta", guideline_meta::GuidelineMeta),
    kind!("id-number", id_number::IdNumber),
    kind!(
        "interpretation-copied",
        interpretation_copied::InterpretationCopied
    ),
    kind!(
        "interpretation-hotline",
        interpretation_hotline::InterpretationHotline
    ),
    kind!("link-broken", link_broken::LinkBroken),
    kind!("link-soft404", link_soft404::LinkSoft404),
    kind!("reply-fields", reply_fields::ReplyFields),
    kind!(
        "doc-late-publication",
        doc_late_publication::DocLatePublication
    ),
    kind!(
        "interaction-unanswered",
        interaction_unanswered::InteractionUnanswered
    ),
    kind!(
        "interaction-slow-reply",
        interaction_slow_reply::InteractionSlowReply
    ),
    kind!("text-serious-error", text_serious_error::TextSeriousError),
    kind!("link-dark", link_dark::LinkDark),
    kind!("site-identity", site_identity::SiteIdentity),
    kind!("home-stale", home_stale::HomeStale),
    kind!(
        "consultation-no-feedback",
        consultation_no_feedback::ConsultationNoFeedback
    ),
];

/// A check built from a rule's params, with those params as TOML (defaults filled in).
pub(crate) struct Built {
    pub imp: Arc<dyn Check>,
    /// The effective params, rendered from the kind's `Params` by serde (for `rules explain`).
    pub params_toml: String,
}

pub(crate) fn build(kind: &str, params: toml::Table) -> Result<Built, ParamError> {
    let k = KINDS
        .iter()
        .find(|k| k.name == kind)
        .ok_or(ParamError::UnknownKind)?;
    (k.build)(params)
}

fn build_kind<K: Kind>(params: toml::Table) -> Result<Built, ParamError> {
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
    let params_toml = toml::to_string(&p).unwrap_or_else(|e| format!("# (not renderable: {e})"));
    Ok(Built {
        imp: Arc::new(K::new(p)?),
        params_toml,
    })
}

#[cfg(test)]
mod registry_tests {
    use super::KINDS;

    /// A kind lives in the file named like it, so `check = "x-y"` is found in `checks/x_y.rs`.
    #[test]
    fn kind_names_match_module_names() {
        for k in KINDS {
            assert_eq!(k.name.replace('-', "_"), k.module, "kind {}", k.name);
        }
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len(), "kind names are unique");
    }
}
