//! Terminal table and JSON Lines.

use crate::common::sample;
use gongkai_report::{jsonl, table};
use std::collections::BTreeSet;

#[test]
fn table_aligns_cjk() {
    let mut input = sample();
    input.findings[2].finding.message = "教育\u{1b}[2J动态\n第二行".into();
    let out = table::render_width(&input, 140);
    assert!(!out.contains('\u{1b}'), "terminal escapes removed");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1 + 2 + 6, "summary, header, rule, 6 rows");
    assert!(lines[0].contains("错误 2 · 警告 2 · 提示 1 · 已整改 1"));
    // Column separators line up in display cells on every row.
    let sep_cols = |l: &str| -> Vec<usize> {
        let mut cols = Vec::new();
        let mut w = 0;
        for (i, _) in l.char_indices() {
            if l[i..].starts_with(" | ") {
                cols.push(w);
            }
            w += table::display_width(&l[i..].chars().next().unwrap().to_string());
        }
        cols
    };
    let header = sep_cols(lines[1]);
    assert_eq!(header.len(), 6);
    for l in &lines[3..] {
        assert_eq!(sep_cols(l)[..6], header[..], "misaligned: {l}");
    }
    assert!(
        out.contains("javascript:alert(3)"),
        "plain text, shown as is"
    );
    assert!(table::render(&Default::default()).contains("未发现问题"));
}

#[test]
fn jsonl_keys() {
    let input = sample();
    let mut buf = Vec::new();
    jsonl::write(&input, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    let expected: BTreeSet<&str> = [
        "rule",
        "severity",
        "url",
        "target",
        "department",
        "ledger",
        "message",
        "evidence",
        "fingerprint",
        "run",
        "status",
        "first_seen",
        "last_seen",
    ]
    .into();
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, expected);
        assert_eq!(v["run"], 3);
    }
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["severity"], "error");
    assert_eq!(first["status"], "persisting");
    assert_eq!(first["ledger"], serde_json::json!([5]));
    let last: serde_json::Value = serde_json::from_str(lines[5]).unwrap();
    assert_eq!(last["status"], "resolved");

    // Bare findings: no history keys.
    let line = jsonl::finding_line(&input.findings[0].finding, 9);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let bare: BTreeSet<&str> = expected
        .iter()
        .copied()
        .filter(|k| !["status", "first_seen", "last_seen"].contains(k))
        .collect();
    assert_eq!(keys, bare);
    assert!(!line.contains('\n'));
}
