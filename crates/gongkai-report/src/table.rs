//! Plain-text table of findings for the terminal.
//!
//! Column widths count display cells (CJK characters are two wide, via `unicode-width`), so
//! Chinese text lines up. Control characters from crawled text (terminal escapes, newlines)
//! are replaced before printing.

use crate::model::{ReportInput, SeverityCounts};
use crate::text::{all_sorted, description, one_line, status_text};
use std::fmt::Write;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Default total width when the caller does not know the terminal's.
pub const DEFAULT_WIDTH: usize = 160;

const SEP: &str = " | ";

/// Renders the table at [`DEFAULT_WIDTH`].
pub fn render(input: &ReportInput) -> String {
    render_width(input, DEFAULT_WIDTH)
}

/// Display width of `s` in terminal cells.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `width` cells (marking a cut with `…`) and pads it with spaces to
/// exactly `width` cells.
pub fn fit(s: &str, width: usize) -> String {
    let s = one_line(s);
    let mut out = String::new();
    let mut used = 0;
    if display_width(s.as_str()) <= width {
        out.push_str(&s);
        used = display_width(s.as_str());
    } else if width > 0 {
        for c in s.chars() {
            let w = UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > width - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// Renders the table so that lines are at most about `width` cells wide.
pub fn render_width(input: &ReportInput, width: usize) -> String {
    let rows = all_sorted(input);
    let c = SeverityCounts::of(&input.findings);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  运行 {}  评估日期 {}  错误 {} · 警告 {} · 提示 {} · 已整改 {}",
        one_line(&input.site),
        input.run.id,
        one_line(&input.run.as_of),
        c.errors,
        c.warnings,
        c.notices,
        input.resolved.len()
    );
    if rows.is_empty() {
        s.push_str("未发现问题。\n");
        return s;
    }
    let num_w = rows.len().to_string().len().max(4);
    let fixed = [num_w, 8, 18, 16, 20];
    let fixed_total: usize = fixed.iter().sum::<usize>() + SEP.len() * 6;
    let rest = width.saturating_sub(fixed_total).max(40);
    let page_w = rest * 2 / 5;
    let msg_w = rest - page_w;
    let widths = [
        fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], page_w, msg_w,
    ];
    let headers = [
        "序号",
        "严重程度",
        "状态",
        "责任单位",
        "问题类型",
        "页面地址",
        "问题描述",
    ];

    let line = |cells: &[String]| -> String {
        let joined: Vec<String> = cells.iter().zip(widths).map(|(c, w)| fit(c, w)).collect();
        format!("{}\n", joined.join(SEP).trim_end())
    };
    s.push_str(&line(&headers.map(String::from)));
    let total: usize = widths.iter().sum::<usize>() + SEP.len() * (widths.len() - 1);
    s.push_str(&"-".repeat(total));
    s.push('\n');
    for (i, f) in rows.iter().enumerate() {
        s.push_str(&line(&[
            (i + 1).to_string(),
            f.finding.severity.label_zh().to_string(),
            status_text(f),
            f.department().to_string(),
            input.rule_title(f).to_string(),
            f.finding.url.clone(),
            description(f),
        ]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_cells() {
        assert_eq!(fit("政务", 6), "政务  ");
        assert_eq!(display_width(&fit("政务公开工作要点", 7)), 7);
        assert_eq!(fit("政务公开工作要点", 7), "政务公…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("a\u{1b}[31mb", 10), "a [31mb   ");
    }
}
