//! The department workbook (`departments.xlsx`): a 汇总 sheet (counts per department and
//! severity) first, then one sheet per responsible unit listing its findings; or one
//! department's own workbook, for mailing it its list.
//!
//! Sheet names are sanitised (≤ 31 UTF-16 units, none of `[]:*?/\`, no leading/trailing
//! apostrophe, unique ignoring case). Page URLs become hyperlinks only when they are http(s)
//! and fit Excel's URL limit; anything else is written as plain text. Cells are written as
//! strings (never formulas), control characters replaced, overlong text cut to Excel's limit.

use crate::model::{
    ledger_text, FindingStatus, ReportFinding, ReportInput, SeverityCounts, SEVERITIES,
    SOURCE_DOCUMENT,
};
use crate::text::{all_sorted, description, is_web_url, status_text, truncate_chars};
use crate::{ReportError, Result};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Name of the summary sheet.
pub const SUMMARY_SHEET: &str = "汇总";

/// Column headers of a department sheet.
pub const COLUMNS: [&str; 12] = [
    "序号",
    "问题类型",
    "严重程度",
    "页面标题",
    "页面地址",
    "问题描述",
    "依据",
    "台账序号",
    "首次发现",
    "本次发现",
    "状态",
    "最后核实",
];

const WIDTHS: [f64; 12] = [
    6.0, 22.0, 9.0, 30.0, 45.0, 50.0, 30.0, 10.0, 12.0, 12.0, 16.0, 12.0,
];

/// Summary sheet headers.
pub const SUMMARY_COLUMNS: [&str; 7] = [
    "责任单位",
    "错误",
    "警告",
    "提示",
    "合计",
    "新发现",
    "已整改",
];

/// Excel's cell text limit is 32,767 characters; stay a little under.
const MAX_CELL_CHARS: usize = 32_000;
/// Excel's hyperlink limit is about 2,080 characters after escaping.
const MAX_URL_CHARS: usize = 2_079;
/// Excel allows 65,530 hyperlinks per worksheet.
const MAX_LINKS_PER_SHEET: usize = 65_530;
/// Sheet name limit (UTF-16 code units).
const MAX_SHEET_NAME: usize = 31;

/// Writes `departments.xlsx`: the 汇总 sheet, then one sheet per department.
pub fn write(input: &ReportInput, path: impl AsRef<Path>) -> Result<()> {
    let mut wb = workbook(input)?;
    wb.save(path.as_ref())?;
    Ok(())
}

/// The workbook `write` saves, as bytes.
pub fn to_bytes(input: &ReportInput) -> Result<Vec<u8>> {
    Ok(workbook(input)?.save_to_buffer()?)
}

/// Writes one department's own workbook (a single sheet with its findings).
/// Fails with [`ReportError::NoSuchDepartment`] when the department has no findings.
pub fn write_department(
    input: &ReportInput,
    department: &str,
    path: impl AsRef<Path>,
) -> Result<()> {
    let rows = department_rows(input, department);
    if rows.is_empty() {
        return Err(ReportError::NoSuchDepartment(department.to_string()));
    }
    let mut wb = Workbook::new();
    let mut namer = SheetNamer::default();
    let name = namer.name(department);
    let ws = wb.add_worksheet();
    ws.set_name(&name)?;
    department_sheet(ws, input, &rows)?;
    wb.save(path.as_ref())?;
    Ok(())
}

/// Departments with open or resolved findings, sorted: the sheets `write` makes, in order.
pub fn departments(input: &ReportInput) -> Vec<String> {
    let mut d: Vec<String> = input
        .findings
        .iter()
        .chain(&input.resolved)
        .map(|f| f.department().to_string())
        .collect();
    d.sort();
    d.dedup();
    d
}

fn department_rows<'a>(input: &'a ReportInput, department: &str) -> Vec<&'a ReportFinding> {
    all_sorted(input)
        .into_iter()
        .filter(|f| f.department() == department)
        .collect()
}

fn workbook(input: &ReportInput) -> Result<Workbook> {
    let mut wb = Workbook::new();
    let depts = departments(input);
    let mut namer = SheetNamer::default();
    let summary_name = namer.name(SUMMARY_SHEET);
    let sheet_names: Vec<String> = depts.iter().map(|d| namer.name(d)).collect();

    let ws = wb.add_worksheet();
    ws.set_name(&summary_name)?;
    summary_sheet(ws, input, &depts, &sheet_names)?;

    for (dept, name) in depts.iter().zip(&sheet_names) {
        let rows = department_rows(input, dept);
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        department_sheet(ws, input, &rows)?;
    }
    Ok(wb)
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2E6E6))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
}

fn wrap_format() -> Format {
    Format::new().set_text_wrap().set_align(FormatAlign::Top)
}

/// Text safe for a cell: control characters (but tab/newline) replaced, length capped.
fn cell(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    truncate_chars(&cleaned, MAX_CELL_CHARS)
}

/// Length of `url` once Excel-escaped (non-ASCII and specials percent-encoded), estimated high.
fn escaped_len(url: &str) -> usize {
    url.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~:/?#@!$&'()*+,;=".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// True when `url` can be written as an Excel hyperlink.
pub fn linkable(url: &str) -> bool {
    is_web_url(url) && escaped_len(url) <= MAX_URL_CHARS
}

fn write_text(ws: &mut Worksheet, row: u32, col: u16, s: &str, fmt: Option<&Format>) -> Result<()> {
    match fmt {
        Some(f) => ws.write_string_with_format(row, col, cell(s), f)?,
        None => ws.write_string(row, col, cell(s))?,
    };
    Ok(())
}

fn header_row(ws: &mut Worksheet, headers: &[&str]) -> Result<()> {
    let hf = header_format();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &hf)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn department_sheet(
    ws: &mut Worksheet,
    input: &ReportInput,
    rows: &[&ReportFinding],
) -> Result<()> {
    header_row(ws, &COLUMNS)?;
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let wrap = wrap_format();
    let mut links = 0usize;
    for (i, f) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_number(r, 0, (i + 1) as f64)?;
        write_text(ws, r, 1, input.rule_title(f), None)?;
        write_text(ws, r, 2, f.finding.severity.label_zh(), None)?;
        write_text(ws, r, 3, f.page_title.as_deref().unwrap_or(""), Some(&wrap))?;
        let url = f.finding.url.as_str();
        let mut linked = false;
        if links < MAX_LINKS_PER_SHEET && linkable(url) {
            // Fall back to plain text if the library still refuses the URL.
            if ws
                .write_url_with_text(r, 4, Url::new(url), cell(url))
                .is_ok()
            {
                linked = true;
                links += 1;
            }
        }
        if !linked {
            write_text(ws, r, 4, url, None)?;
        }
        write_text(ws, r, 5, &description(f), Some(&wrap))?;
        let clause = input.clause(f);
        let basis = if clause.is_empty() {
            SOURCE_DOCUMENT.to_string()
        } else {
            format!("{SOURCE_DOCUMENT} {clause}")
        };
        write_text(ws, r, 6, &basis, Some(&wrap))?;
        write_text(ws, r, 7, &ledger_text(input.ledger(f)), None)?;
        write_text(ws, r, 8, &f.first_seen, None)?;
        write_text(ws, r, 9, &f.last_seen, None)?;
        write_text(ws, r, 10, &status_text(f), None)?;
        write_text(ws, r, 11, f.last_verified.as_deref().unwrap_or(""), None)?;
    }
    ws.autofilter(0, 0, rows.len() as u32, (COLUMNS.len() - 1) as u16)?;
    Ok(())
}

fn summary_sheet(
    ws: &mut Worksheet,
    input: &ReportInput,
    depts: &[String],
    sheet_names: &[String],
) -> Result<()> {
    header_row(ws, &SUMMARY_COLUMNS)?;
    ws.set_column_width(0, 36.0)?;
    for c in 1..SUMMARY_COLUMNS.len() as u16 {
        ws.set_column_width(c, 9.0)?;
    }
    let mut counts: BTreeMap<&str, (SeverityCounts, u64, u64)> = BTreeMap::new();
    for f in &input.findings {
        let e = counts.entry(f.department()).or_default();
        e.0.add(f.finding.severity);
        if f.status == FindingStatus::New {
            e.1 += 1;
        }
    }
    for f in &input.resolved {
        counts.entry(f.department()).or_default().2 += 1;
    }
    let mut total = (SeverityCounts::default(), 0u64, 0u64);
    let mut r = 1u32;
    for (dept, sheet) in depts.iter().zip(sheet_names) {
        let (c, new, resolved) = counts.get(dept.as_str()).copied().unwrap_or_default();
        let target = format!("internal:'{}'!A1", sheet.replace('\'', "''"));
        if ws
            .write_url_with_text(r, 0, Url::new(target), cell(dept))
            .is_err()
        {
            write_text(ws, r, 0, dept, None)?;
        }
        for (col, s) in (1u16..).zip(SEVERITIES) {
            ws.write_number(r, col, c.get(s) as f64)?;
        }
        ws.write_number(r, 4, c.total() as f64)?;
        ws.write_number(r, 5, new as f64)?;
        ws.write_number(r, 6, resolved as f64)?;
        total.0.errors += c.errors;
        total.0.warnings += c.warnings;
        total.0.notices += c.notices;
        total.1 += new;
        total.2 += resolved;
        r += 1;
    }
    let bold = Format::new().set_bold();
    ws.write_string_with_format(r, 0, "合计", &bold)?;
    for (col, s) in (1u16..).zip(SEVERITIES) {
        ws.write_number_with_format(r, col, total.0.get(s) as f64, &bold)?;
    }
    ws.write_number_with_format(r, 4, total.0.total() as f64, &bold)?;
    ws.write_number_with_format(r, 5, total.1 as f64, &bold)?;
    ws.write_number_with_format(r, 6, total.2 as f64, &bold)?;

    // Run facts below the table.
    let mut facts = vec![
        ("网站", input.site.clone()),
        ("运行编号", input.run.id.to_string()),
        ("评估日期", input.run.as_of.clone()),
        ("依据文件", SOURCE_DOCUMENT.to_string()),
        ("工具版本", format!("gongkai {}", input.run.tool_version)),
        ("规则版本", input.run.rules_version.clone()),
    ];
    if let Some(line) = input.run.degraded_line() {
        facts.push(("扫描状态", line));
    } else if input.run.partial {
        facts.push((
            "扫描状态",
            "不完整：需要全站才能判断的规则未判断，未再出现的问题不算已整改".to_string(),
        ));
    }
    facts.push((
        "未验证（访问受限）",
        format!(
            "{} 个页面或链接（401/403/412/429 等，不计为问题）",
            input.run.walls()
        ),
    ));
    if input.run.unconfirmed > 0 {
        facts.push((
            "待确认",
            format!(
                "{} 个失效链接尚未在连续多次运行中失效，本次不计为问题",
                input.run.unconfirmed
            ),
        ));
    }
    if let Some(c) = &input.run.coverage {
        facts.push(("覆盖情况", c.summary.clone()));
    }
    for (r, (k, v)) in (r + 2..).zip(facts) {
        ws.write_string_with_format(r, 0, k, &bold)?;
        write_text(ws, r, 1, &v, None)?;
    }
    Ok(())
}

/// Makes valid, unique Excel sheet names.
#[derive(Debug, Default)]
pub struct SheetNamer {
    used: HashSet<String>,
}

impl SheetNamer {
    /// A valid sheet name for `wanted`, unique among the names this namer gave out.
    pub fn name(&mut self, wanted: &str) -> String {
        let base = sanitize_sheet_name(wanted);
        let mut candidate = base.clone();
        let mut n = 2;
        while self.taken(&candidate) {
            let suffix = format!("({n})");
            candidate = format!(
                "{}{suffix}",
                fit_utf16(&base, MAX_SHEET_NAME - suffix.len())
            );
            candidate = trim_apostrophes(&candidate);
            n += 1;
        }
        self.used.insert(candidate.to_lowercase());
        candidate
    }

    fn taken(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        self.used.contains(&lower) || lower == "history"
    }
}

/// Replaces forbidden characters, trims apostrophes and cuts to 31 UTF-16 units.
pub fn sanitize_sheet_name(wanted: &str) -> String {
    let replaced: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cut = fit_utf16(replaced.trim(), MAX_SHEET_NAME);
    let name = trim_apostrophes(cut.trim());
    if name.is_empty() {
        "未命名".to_string()
    } else {
        name
    }
}

fn trim_apostrophes(s: &str) -> String {
    s.trim_matches('\'').to_string()
}

/// The longest prefix of `s` of at most `max` UTF-16 units.
fn fit_utf16(s: &str, max: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        used += c.len_utf16();
        if used > max {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names() {
        let mut n = SheetNamer::default();
        assert_eq!(n.name("汇总"), "汇总");
        assert_eq!(n.name("汇总"), "汇总(2)");
        assert_eq!(n.name("a[b]:c*d?e/f\\g"), "a_b__c_d_e_f_g");
        assert_eq!(n.name("'quoted'"), "quoted");
        assert_eq!(n.name(""), "未命名");
        assert_eq!(n.name("History"), "History(2)");
        let long = "滕州市人民政府办公室政务公开科与网站管理中心联合工作专班第一组";
        let a = n.name(long);
        let b = n.name(long);
        assert_eq!(a.encode_utf16().count(), 31);
        assert!(b.encode_utf16().count() <= 31 && b.ends_with("(2)"), "{b}");
        assert_ne!(a, b);
        let emoji = "😀".repeat(20);
        assert!(n.name(&emoji).encode_utf16().count() <= 31);
        assert_eq!(n.name("ABC"), "ABC");
        assert_eq!(n.name("abc"), "abc(2)");
    }

    #[test]
    fn link_limits() {
        assert!(linkable("https://www.tengzhou.gov.cn/a.html"));
        assert!(!linkable("javascript:alert(1)"));
        assert!(!linkable(&format!("https://x.cn/{}", "a".repeat(2100))));
        assert!(!linkable(&format!("https://x.cn/{}", "中".repeat(700))));
    }
}
