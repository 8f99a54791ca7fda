//! Shared text helpers: escaping, URL checks, time formatting, ordering.

use crate::model::{ReportFinding, ReportInput};
use chrono::{DateTime, FixedOffset, Utc};
use std::cmp::Ordering;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls other than tab/newline are invalid in HTML; show a replacement.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// True when `url` is a plain `http://` or `https://` URL safe to make clickable: no
/// whitespace or control characters (which browsers strip, changing the meaning).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    scheme_ok
        && url.len() > 8
        && !url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\u{feff}')
}

/// Replaces control characters (terminal escapes, CR/LF) with spaces, for one-line output.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Shortens to at most `max` characters, marking the cut with `…`.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

/// `2026-01-26 02:00:00 UTC`, or the input unchanged when it is not RFC 3339.
pub fn fmt_utc(s: &str) -> String {
    match parse_time(s) {
        Some(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        None => s.to_string(),
    }
}

/// `2026-01-26 10:00:00（北京时间）`, or the input unchanged when it is not RFC 3339.
pub fn fmt_beijing(s: &str) -> String {
    let bj = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    match parse_time(s) {
        Some(t) => t
            .with_timezone(&bj)
            .format("%Y-%m-%d %H:%M:%S（北京时间）")
            .to_string(),
        None => s.to_string(),
    }
}

/// `2026-01-26T02:00:00Z` (WARC-Date form), if `s` is RFC 3339.
pub fn warc_date(s: &str) -> Option<String> {
    parse_time(s).map(|t| {
        t.with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    })
}

/// Report order: severity (most severe first), department, rule, page, target.
pub fn report_order(a: &ReportFinding, b: &ReportFinding) -> Ordering {
    b.finding
        .severity
        .cmp(&a.finding.severity)
        .then_with(|| a.department().cmp(b.department()))
        .then_with(|| a.finding.rule.cmp(&b.finding.rule))
        .then_with(|| a.finding.url.cmp(&b.finding.url))
        .then_with(|| a.finding.target.cmp(&b.finding.target))
}

/// Open findings then resolved ones, each sorted in report order.
pub fn all_sorted(input: &ReportInput) -> Vec<&ReportFinding> {
    let mut open: Vec<&ReportFinding> = input.findings.iter().collect();
    open.sort_by(|a, b| report_order(a, b));
    let mut resolved: Vec<&ReportFinding> = input.resolved.iter().collect();
    resolved.sort_by(|a, b| report_order(a, b));
    open.extend(resolved);
    open
}

/// Evidence as indented JSON; empty when there is none.
pub fn evidence_pretty(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(m) if m.is_empty() => String::new(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}

/// Evidence as one-line JSON; empty when there is none.
pub fn evidence_compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(m) if m.is_empty() => String::new(),
        v => v.to_string(),
    }
}

/// Message plus the link target when there is one.
pub fn description(f: &ReportFinding) -> String {
    match f.finding.target.as_deref() {
        Some(t) if !t.trim().is_empty() => format!("{}（目标：{}）", f.finding.message, t),
        _ => f.finding.message.clone(),
    }
}

/// Status label with the days open for persisting findings: `未整改（已 12 天）`.
pub fn status_text(f: &ReportFinding) -> String {
    use crate::model::FindingStatus;
    match (f.status, f.days_open) {
        (FindingStatus::Persisting, Some(d)) if d > 0 => {
            format!("{}（已 {} 天）", f.status.label_zh(), d)
        }
        _ => f.status.label_zh().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls() {
        assert!(is_web_url("http://www.tengzhou.gov.cn/"));
        assert!(is_web_url("HTTPS://x.cn/a?b=1"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("java\tscript:alert(1)"));
        assert!(!is_web_url(" http://x.cn/"));
        assert!(!is_web_url("http://x.cn/\njavascript:"));
        assert!(!is_web_url("data:text/html,<script>"));
        assert!(!is_web_url("http://"));
    }

    #[test]
    fn times() {
        assert_eq!(fmt_utc("2026-01-26T02:03:04Z"), "2026-01-26 02:03:04 UTC");
        assert_eq!(
            fmt_beijing("2026-01-26T18:03:04Z"),
            "2026-01-27 02:03:04（北京时间）"
        );
        assert_eq!(fmt_utc("bogus"), "bogus");
        assert_eq!(
            warc_date("2026-01-26T10:00:00+08:00").as_deref(),
            Some("2026-01-26T02:00:00Z")
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape_html("<a href=\"x\" title='y'>&\u{1b}"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;\u{fffd}"
        );
    }
}
