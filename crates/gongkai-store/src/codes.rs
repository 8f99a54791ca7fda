//! Text codes of enums as stored in SQLite.

use gongkai_core::{FetchPurpose, Method};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub(crate) fn method_code(m: Method) -> &'static str {
    m.as_str()
}

pub(crate) fn method_from_code(s: &str) -> Option<Method> {
    match s {
        "GET" => Some(Method::Get),
        "HEAD" => Some(Method::Head),
        "POST" => Some(Method::Post),
        _ => None,
    }
}

/// Stored purpose codes: `crawl`, `check`, `soft-404-probe`.
pub(crate) fn purpose_code(p: FetchPurpose) -> &'static str {
    match p {
        FetchPurpose::Crawl => "crawl",
        FetchPurpose::Check => "check",
        FetchPurpose::Soft404Probe => "soft-404-probe",
    }
}

pub(crate) fn purpose_from_code(s: &str) -> Option<FetchPurpose> {
    match s {
        "crawl" => Some(FetchPurpose::Crawl),
        "check" => Some(FetchPurpose::Check),
        "soft-404-probe" => Some(FetchPurpose::Soft404Probe),
        _ => None,
    }
}

/// The serde name of a unit enum variant (e.g. `LinkKind::Attachment` → `attachment`).
pub(crate) fn serde_code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<unserialisable: {e}>"),
    }
}

/// Parses a serde name of a unit enum variant.
pub(crate) fn from_serde_code<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::{LinkKind, SkipReason};

    #[test]
    fn codes_round_trip() {
        for m in [Method::Get, Method::Head, Method::Post] {
            assert_eq!(method_from_code(method_code(m)), Some(m));
        }
        for p in [
            FetchPurpose::Crawl,
            FetchPurpose::Check,
            FetchPurpose::Soft404Probe,
        ] {
            assert_eq!(purpose_from_code(purpose_code(p)), Some(p));
        }
        assert_eq!(serde_code(&LinkKind::Attachment), "attachment");
        assert_eq!(serde_code(&SkipReason::BareFragment), "bare-fragment");
        assert_eq!(
            from_serde_code::<SkipReason>("other-scheme"),
            Some(SkipReason::OtherScheme)
        );
        assert_eq!(from_serde_code::<LinkKind>("nope"), None);
    }
}
