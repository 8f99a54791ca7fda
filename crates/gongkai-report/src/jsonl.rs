//! JSON Lines: one finding per line with the keys `rule`, `severity`, `url`, `target`,
//! `department`, `ledger`, `message`, `evidence`, `fingerprint`, `run`, plus `status`,
//! `first_seen`, `last_seen` and `last_verified` (最后核实) when known. Serialised by serde_json, so crawled text cannot
//! break a line (newlines inside strings are escaped).

use crate::model::{ReportFinding, ReportInput};
use crate::Result;
use gongkai_core::{Finding, Severity};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Line<'a> {
    rule: &'a str,
    severity: Severity,
    url: &'a str,
    target: Option<&'a str>,
    department: &'a str,
    ledger: &'a [u32],
    message: &'a str,
    evidence: &'a serde_json::Value,
    fingerprint: &'a str,
    run: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seen: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_seen: Option<&'a str>,
    /// 最后核实: the night the page was last verified (incremental nights carry pages forward).
    #[serde(skip_serializing_if = "Option::is_none")]
    last_verified: Option<&'a str>,
}

fn bare(f: &Finding, run: i64) -> Line<'_> {
    Line {
        rule: &f.rule,
        severity: f.severity,
        url: &f.url,
        target: f.target.as_deref(),
        department: &f.department,
        ledger: &f.ledger,
        message: &f.message,
        evidence: &f.evidence,
        fingerprint: &f.fingerprint,
        run,
        status: None,
        first_seen: None,
        last_seen: None,
        last_verified: None,
    }
}

fn tracked(f: &ReportFinding, run: i64) -> Line<'_> {
    let nonempty = |s: &'_ str| -> bool { !s.is_empty() };
    Line {
        status: Some(f.status.as_str()),
        first_seen: Some(f.first_seen.as_str()).filter(|s| nonempty(s)),
        last_seen: Some(f.last_seen.as_str()).filter(|s| nonempty(s)),
        last_verified: f.last_verified.as_deref(),
        ..bare(&f.finding, run)
    }
}

/// One line (without the newline) for a finding whose history is unknown.
pub fn finding_line(f: &Finding, run: i64) -> String {
    serde_json::to_string(&bare(f, run)).expect("serialisable")
}

/// One line (without the newline) for a tracked finding.
pub fn report_line(f: &ReportFinding, run: i64) -> String {
    serde_json::to_string(&tracked(f, run)).expect("serialisable")
}

/// Writes the report's open findings, then the resolved ones, one per line.
pub fn write(input: &ReportInput, mut w: impl Write) -> Result<()> {
    for f in input.findings.iter().chain(&input.resolved) {
        serde_json::to_writer(&mut w, &tracked(f, input.run.id))?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

/// Writes bare findings of run `run`, one per line.
pub fn write_findings(findings: &[Finding], run: i64, mut w: impl Write) -> Result<()> {
    for f in findings {
        serde_json::to_writer(&mut w, &bare(f, run))?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}
