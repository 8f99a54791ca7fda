//! The coverage data file (`rules/coverage.toml`): per ledger item its task, and for items no rule
//! cites whether a crawl sees part of it and why not. Parsed with the pack; read by `coverage`.

use crate::error::RulesError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Number of items in the ledger of 滕政办发〔2022〕11号.
pub const LEDGER_ITEMS: u32 = 67;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoverage {
    item: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    item: toml::Spanned<u32>,
    task: String,
    #[serde(default)]
    status: Option<toml::Spanned<String>>,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Clone)]
pub(crate) struct CoverageData {
    /// item → (task, status, note)
    pub(crate) items: BTreeMap<u32, (String, Option<String>, String)>,
}

impl CoverageData {
    pub(crate) fn parse(file: &str, text: &str) -> Result<Self, RulesError> {
        let raw: RawCoverage = toml::from_str(text)
            .map_err(|e| RulesError::at(file, text, e.span().map(|s| s.start), e.message()))?;
        let mut items = BTreeMap::new();
        for it in raw.item {
            let n = *it.item.get_ref();
            let at = Some(it.item.span().start);
            if !(1..=LEDGER_ITEMS).contains(&n) {
                return Err(RulesError::at(
                    file,
                    text,
                    at,
                    format!("ledger item {n} is not in 1..=67"),
                ));
            }
            if let Some(s) = &it.status {
                if !matches!(s.get_ref().as_str(), "partial" | "not-observable") {
                    return Err(RulesError::at(
                        file,
                        text,
                        Some(s.span().start),
                        format!("item {n}: status must be \"partial\" or \"not-observable\""),
                    ));
                }
            }
            if items
                .insert(n, (it.task, it.status.map(|s| s.into_inner()), it.note))
                .is_some()
            {
                return Err(RulesError::at(
                    file,
                    text,
                    at,
                    format!("duplicate item {n}"),
                ));
            }
        }
        Ok(CoverageData { items })
    }
}
