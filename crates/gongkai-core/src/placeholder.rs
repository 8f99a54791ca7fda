//! Placeholder values: what a metadata label printed with "nothing" holds (文号：无, 有效性：—).

/// Values that mean "nothing here": a label printed with one of these counts as absent in every
/// rule (文号：无, 有效性：—).
pub const PLACEHOLDER_VALUES: &[&str] = &[
    "",
    "无",
    "暂无",
    "空",
    "/",
    "／",
    "-",
    "－",
    "—",
    "——",
    "--",
    "…",
    "...",
    "null",
    "NULL",
    "None",
    "none",
    "无文号",
    "暂无文号",
    "空白",
    "未填写",
    "N/A",
    "n/a",
];

/// True when `value` (trimmed) is blank or a placeholder such as 无 / — / 空 / /.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{3000}' | '。' | '.'));
    PLACEHOLDER_VALUES.contains(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_blank_or_dash_like() {
        for v in ["", "  无 ", "—", "\u{3000}/\u{3000}", "暂无"] {
            assert!(is_placeholder(v), "{v:?}");
        }
        for v in ["有效", "国办发〔2022〕1号", "0"] {
            assert!(!is_placeholder(v), "{v:?}");
        }
    }
}
