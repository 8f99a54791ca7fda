//! gongkai-report: turns one scan's findings into the documents people read and cite.
//!
//! Pure writers over plain data ([`model::ReportInput`]; the CLI converts store rows into it):
//! - [`html`]: one self-contained `index.html` with totals, trend chart and a filterable table;
//! - [`xlsx`]: `departments.xlsx`, a summary sheet plus one sheet per responsible unit (责任单位),
//!   or one unit's own workbook;
//! - [`csv`]: `findings.csv` (UTF-8 with BOM for Excel, formula injection neutralised);
//! - [`table`]: a plain-text terminal table (CJK width aware);
//! - [`jsonl`]: one JSON object per finding;
//! - [`warc`]: the fetches behind the findings as a WARC 1.1 file (gzip per record);
//! - [`track`]: new / persisting / resolved findings across runs, by fingerprint.
//!
//! Everything users read is Chinese. Every string that came from a crawled page is hostile input
//! and is escaped for the format it is written to.

pub mod csv;
mod encode;
pub mod html;
pub mod jsonl;
pub mod mask;
pub mod model;
pub mod table;
mod text;
pub mod track;
pub mod warc;
pub mod xlsx;

pub use model::{
    EvidenceRef, FindingStatus, ReportFinding, ReportInput, RuleInfo, RunMeta, SeverityCounts,
    TrendPoint,
};
pub use track::{diff, track, Diff};
pub use warc::{WarcExchange, WarcInfo};

/// Errors of the file writers.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("csv: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no findings for department {0:?}")]
    NoSuchDepartment(String),
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;
