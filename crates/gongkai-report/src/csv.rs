//! `findings.csv`: every finding (open, then resolved) as one row, for Excel and scripts.
//!
//! UTF-8 with a byte-order mark so Excel shows Chinese, RFC 4180 quoting by the `csv` crate,
//! and formula injection neutralised: a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
//! leading apostrophe so spreadsheet programs show it as text instead of evaluating it.

use crate::model::{ledger_text, ReportFinding, ReportInput};
use crate::text::{all_sorted, evidence_compact, status_text};
use crate::Result;
use std::io::Write;

/// UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Column headers.
pub const COLUMNS: [&str; 20] = [
    "序号",
    "责任单位",
    "问题类型",
    "规则编号",
    "严重程度",
    "页面标题",
    "页面地址",
    "目标",
    "问题描述",
    "证据",
    "依据文件",
    "条款",
    "台账序号",
    "状态",
    "首次发现",
    "本次发现",
    "持续天数",
    "运行编号",
    "指纹",
    "最后核实",
];

/// Prefixes an apostrophe to text a spreadsheet would read as a formula.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn record(input: &ReportInput, n: usize, f: &ReportFinding) -> Vec<String> {
    let fi = &f.finding;
    vec![
        n.to_string(),
        f.department().to_string(),
        input.rule_title(f).to_string(),
        fi.rule.clone(),
        fi.severity.label_zh().to_string(),
        f.page_title.clone().unwrap_or_default(),
        fi.url.clone(),
        fi.target.clone().unwrap_or_default(),
        fi.message.clone(),
        evidence_compact(&fi.evidence),
        crate::model::SOURCE_DOCUMENT.to_string(),
        input.clause(f).to_string(),
        ledger_text(input.ledger(f)),
        status_text(f),
        f.first_seen.clone(),
        f.last_seen.clone(),
        f.days_open.map(|d| d.to_string()).unwrap_or_default(),
        input.run.id.to_string(),
        fi.fingerprint.clone(),
        f.last_verified.clone().unwrap_or_default(),
    ]
}

/// Writes `findings.csv` (BOM, header, one row per finding) to `w`.
pub fn write(input: &ReportInput, mut w: impl Write) -> Result<()> {
    w.write_all(BOM)?;
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(w);
    out.write_record(COLUMNS)?;
    for (i, f) in all_sorted(input).into_iter().enumerate() {
        let rec: Vec<String> = record(input, i + 1, f)
            .iter()
            .map(|c| neutralize(c))
            .collect();
        out.write_record(&rec)?;
    }
    out.flush()?;
    Ok(())
}

/// The CSV as bytes.
pub fn to_bytes(input: &ReportInput) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    write(input, &mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas() {
        assert_eq!(neutralize("=1+1"), "'=1+1");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-cmd"), "'-cmd");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("\t=x"), "'\t=x");
        assert_eq!(neutralize("正常"), "正常");
        assert_eq!(neutralize(""), "");
    }
}
