//! Coverage of the 67 ledger items: which rules automate an item (from the rules' `ledger`
//! fields), and for the others what a crawl can see or why it cannot (from `rules/coverage.toml`).
//! [`coverage_markdown`] renders the matrix that `docs/coverage.md` holds; a test keeps the file
//! equal to the rendering of the default pack (set `GONGKAI_UPDATE_COVERAGE=1` to rewrite it).

use crate::error::RulesError;
use crate::pack::{RulePack, COVERAGE_FILE, EMBEDDED};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Number of items in the ledger of 滕政办发〔2022〕11号.
pub const LEDGER_ITEMS: u32 = 67;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// Rule ids that cite the item.
    Automated(Vec<String>),
    /// What a crawl sees of it.
    Partial(String),
    /// Why a crawl cannot see it.
    NotObservable(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageItem {
    pub item: u32,
    pub task: String,
    pub status: CoverageStatus,
}

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
    items: BTreeMap<u32, (String, Option<String>, String)>,
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

    fn embedded() -> Self {
        let text = EMBEDDED
            .iter()
            .find(|(n, _)| *n == COVERAGE_FILE)
            .map(|(_, t)| *t)
            .unwrap_or("item = []");
        CoverageData::parse(COVERAGE_FILE, text).expect("embedded coverage data is valid (tested)")
    }
}

/// The coverage matrix of all 67 ledger items for a pack. Items cited by an enabled rule's
/// `ledger` are automated; the others take their status and note from the pack's
/// `coverage.toml` (else the embedded one).
pub fn coverage(pack: &RulePack) -> Vec<CoverageItem> {
    let fallback;
    let data = match &pack.coverage {
        Some(d) => d,
        None => {
            fallback = CoverageData::embedded();
            &fallback
        }
    };
    (1..=LEDGER_ITEMS)
        .map(|n| {
            let rules: Vec<String> = pack
                .rules()
                .iter()
                .filter(|r| r.enabled && r.ledger.contains(&n))
                .map(|r| r.id.clone())
                .collect();
            let (task, status, note) = data
                .items
                .get(&n)
                .cloned()
                .unwrap_or_else(|| (format!("台账第{n}项"), None, String::new()));
            let status = if !rules.is_empty() {
                CoverageStatus::Automated(rules)
            } else if status.as_deref() == Some("partial") {
                CoverageStatus::Partial(note)
            } else if status.as_deref() == Some("not-observable") {
                CoverageStatus::NotObservable(note)
            } else {
                CoverageStatus::NotObservable("规则包中没有引用该项的规则".into())
            };
            CoverageItem {
                item: n,
                task,
                status,
            }
        })
        .collect()
}

/// The coverage matrix as Markdown (the content of `docs/coverage.md` for the default pack).
pub fn coverage_markdown(pack: &RulePack) -> String {
    let items = coverage(pack);
    let count = |f: fn(&CoverageStatus) -> bool| items.iter().filter(|i| f(&i.status)).count();
    let auto = count(|s| matches!(s, CoverageStatus::Automated(_)));
    let part = count(|s| matches!(s, CoverageStatus::Partial(_)));
    let none = count(|s| matches!(s, CoverageStatus::NotObservable(_)));
    let mut s = String::new();
    s.push_str("# Coverage of the ledger (滕政办发〔2022〕11号)\n\n");
    s.push_str("<!-- Generated by gongkai_rules::coverage_markdown from rules/*.toml; do not edit by hand.\n");
    s.push_str(
        "     Regenerate: GONGKAI_UPDATE_COVERAGE=1 cargo test -p gongkai-rules coverage -->\n\n",
    );
    s.push_str(&format!(
        "Rule pack sha256 `{}`. Of the {} ledger items, {} are automated (a rule cites them), {} are \
         partially observable by a crawl, {} are not observable from the website.\n\n",
        pack.hash(),
        LEDGER_ITEMS,
        auto,
        part,
        none
    ));
    s.push_str("| 序号 | 工作任务 | 状态 | 规则 / 说明 |\n|---:|---|---|---|\n");
    for it in &items {
        let (st, detail) = match &it.status {
            CoverageStatus::Automated(r) => (
                "自动检查",
                r.iter()
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            CoverageStatus::Partial(n) => ("部分可观测", n.clone()),
            CoverageStatus::NotObservable(n) => ("不可观测", n.clone()),
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            it.item,
            it.task.replace('|', "／"),
            st,
            detail.replace('|', "／")
        ));
    }
    s.push_str("\n## Rules\n\n| 规则 | 级别 | 台账 | 标题 |\n|---|---|---|---|\n");
    for r in pack.rules() {
        let ledger: Vec<String> = r.ledger.iter().map(|n| n.to_string()).collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id,
            r.severity.as_str(),
            ledger.join(", "),
            r.title
        ));
    }
    s.push_str(
        "\n## Definitions used by the rules\n\n\
         - **Article**: a crawled page whose kind is article / info-disclosure article, or that carries a metadata \
         block with at least two known fields.\n\
         - **Normative document (规范性文件)**: an article whose type field (文件类型) contains 规范性文件, or that is \
         listed in (or breadcrumbed / `ColumnName`-tagged under) a column whose name contains 规范性文件, and that is \
         not an interpretation.\n\
         - **Interpretation (解读)**: an article not typed 规范性文件, in a column whose name contains 解读, or whose \
         title contains 解读 / 图解 / 一图读懂 / 答记者问 / 问答 / 一问一答.\n\
         - **Older than a cycle** (`column.stale`): `as_of − newest item date > days`; exactly `days` does not fire.\n\
         - **Comment period** (`consultation.short-period`): counted inclusive (1 June to 30 June = 30 days); \
         exactly `min_days` does not fire.\n\
         - **Due dates**: a rule or column with `due` is judged only when `as_of` is after `due`.\n\
         - **Department**: the page's 发布机构; else the most specific owner rule of the evaluation context (column \
         match beats URL prefix, longer prefix beats shorter); else the rule's `department`; aliases applied.\n",
    );
    s
}
