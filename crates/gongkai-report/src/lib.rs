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
    EvidenceRef, FindingStatus, ReportFinding, ReportInput, RuleInfo, RunCoverage, RunMeta,
    SeverityCounts, TrendPoint,
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

impl ReportError {
    /// The kind of the I/O error underneath, when writing failed on I/O (a closed pipe ...).
    pub fn io_error_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            ReportError::Io(e) => Some(e.kind()),
            ReportError::Json(e) => e.io_error_kind(),
            ReportError::Csv(e) => match e.kind() {
                ::csv::ErrorKind::Io(e) => Some(e.kind()),
                _ => None,
            },
            ReportError::Xlsx(_) | ReportError::NoSuchDepartment(_) => None,
        }
    }
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;

#[cfg(test)]
mod error_tests {
    use super::ReportError;
    use std::io::{Error, ErrorKind};

    #[test]
    fn io_kinds_are_seen_through_writer_errors() {
        let pipe = || Error::new(ErrorKind::BrokenPipe, "Broken pipe");
        let csv = ReportError::Csv(::csv::Error::from(pipe()));
        assert_eq!(csv.io_error_kind(), Some(ErrorKind::BrokenPipe));
        let json = ReportError::Json(serde_json::Error::io(pipe()));
        assert_eq!(json.io_error_kind(), Some(ErrorKind::BrokenPipe));
        assert_eq!(
            ReportError::NoSuchDepartment("x".into()).io_error_kind(),
            None
        );
    }
}
