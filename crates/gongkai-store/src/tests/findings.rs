//! Findings: round trip and whole-run replacement.

use super::{new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::{Finding, Severity};

#[test]
fn findings_round_trip_and_replace() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let fid = store
        .record(run, &page(&format!("{HOST}/"), 1), &[])
        .unwrap();
    let f1 = Finding {
        rule: "link.broken".into(),
        severity: Severity::Error,
        url: format!("{HOST}/"),
        target: Some(format!("{HOST}/art/0.html")),
        department: "市政府办公室".into(),
        ledger: vec![3, 17],
        message: "链接无法访问（404）".into(),
        evidence: serde_json::json!({"status": 404, "anchor": "第0条"}),
        fingerprint: "fp-1".into(),
        fetch_id: Some(fid),
    };
    let f2 = Finding {
        rule: "metadata.missing".into(),
        severity: Severity::Warning,
        target: None,
        ledger: vec![],
        evidence: serde_json::json!({}),
        fingerprint: "fp-2".into(),
        fetch_id: Some(0),
        ..f1.clone()
    };
    store
        .replace_findings(run, &[f1.clone(), f2.clone()])
        .unwrap();
    let got = store.findings(run).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].finding, f1);
    assert_eq!(got[0].run_id, run);
    assert_eq!(
        got[1].finding,
        Finding {
            fetch_id: None,
            ..f2
        }
    );
    assert!(store.run(run).unwrap().unwrap().checked_at.is_some());

    store
        .replace_findings(run, std::slice::from_ref(&f1))
        .unwrap();
    assert_eq!(store.findings(run).unwrap().len(), 1);
    store.replace_findings(run, &[]).unwrap();
    assert!(store.findings(run).unwrap().is_empty());
    // Unknown fetch ids violate the foreign key; the old findings are kept (one transaction).
    store
        .replace_findings(run, std::slice::from_ref(&f1))
        .unwrap();
    let bad = Finding {
        fetch_id: Some(12345),
        ..f1
    };
    assert!(store.replace_findings(run, &[bad]).is_err());
    assert_eq!(store.findings(run).unwrap().len(), 1);
    assert!(matches!(
        store.replace_findings(77, &[]).unwrap_err(),
        StoreError::RunNotFound { .. }
    ));
    store.set_rules_version(run, "pack-2").unwrap();
    assert_eq!(
        store.run(run).unwrap().unwrap().rules_version.as_deref(),
        Some("pack-2")
    );
}
