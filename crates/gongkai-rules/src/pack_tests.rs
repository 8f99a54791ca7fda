//! Loader tests: the default pack, and errors that name file and line.

use crate::pack::EMBEDDED;
use crate::{
    coverage, coverage_markdown, default_pack, load_pack, pack_from_files, CoverageStatus,
    RulesError,
};
use std::path::PathBuf;

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

const MINIMAL: &str = r#"
[[rule]]
id = "link.broken"
title = "链接失效"
severity = "error"
ledger = [51]
department = "市政府各部门"
check = "link-broken"
"#;

fn err(files: &[(&str, &str)]) -> (String, usize, String) {
    let files = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    match pack_from_files(files) {
        Err(RulesError::Invalid {
            file,
            line,
            message,
        }) => (file, line, message),
        other => panic!("expected an invalid-pack error, got {other:?}"),
    }
}

#[test]
fn default_pack_has_the_contract_ids() {
    let pack = default_pack();
    for id in [
        "link.broken",
        "link.soft-404",
        "doc.validity-missing",
        "doc.metadata-missing",
        "doc.number-format",
        "doc.interpretation-missing",
        "interpretation.copied",
        "interpretation.no-hotline",
        "column.missing",
        "column.empty",
        "column.stale",
        "consultation.short-period",
        "privacy.id-number",
        "annual-report.missing",
        "site.guideline-meta",
        "doc.validity-expired",
        "interaction.reply-fields",
    ] {
        let r = pack.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            !r.title.is_empty() && !r.doc.trim().is_empty() && !r.clause.is_empty(),
            "{id}"
        );
        assert!(!r.ledger.is_empty(), "{id}");
    }
    assert_eq!(pack.hash().len(), 64);
    assert_eq!(
        pack.get("column.missing").unwrap().ledger,
        vec![23, 25, 41, 42, 53, 55]
    );
}

#[test]
fn embedded_list_matches_rules_dir_and_load_pack_agrees() {
    let mut on_disk: Vec<String> = std::fs::read_dir(rules_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        on_disk, embedded,
        "the build script embeds every rules/*.toml"
    );
    let loaded = load_pack(&rules_dir()).unwrap();
    assert_eq!(loaded.hash(), default_pack().hash());
    assert_eq!(loaded.rules().len(), default_pack().rules().len());
}

#[test]
fn syntax_error_names_file_and_line() {
    let text = format!("{MINIMAL}\n[[rule]]\nid = \"x\"\ntitle = \"unterminated\n");
    let (file, line, msg) = err(&[("links.toml", &text)]);
    assert_eq!(file, "links.toml");
    assert_eq!(line, 12, "{msg}");
    let e = pack_from_files(vec![("links.toml".into(), text)])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("links.toml:12: "), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn unknown_kind_names_the_check_line() {
    let text = MINIMAL.replace("\"link-broken\"", "\"link-brokne\"");
    let (file, line, msg) = err(&[("a.toml", &text)]);
    assert_eq!((file.as_str(), line), ("a.toml", 8));
    assert!(msg.contains("unknown check kind `link-brokne`"), "{msg}");
}

#[test]
fn unknown_and_badly_typed_params_name_the_key_line() {
    let text = format!("{MINIMAL}\n[rule.params]\nkinds = [\"page\"]\nunverifed_status = [404]\n");
    let (_, line, msg) = err(&[("a.toml", &text)]);
    assert_eq!(line, 12, "{msg}");
    assert!(msg.contains("unverifed_status"), "{msg}");

    let text = format!("{MINIMAL}\n[rule.params]\nkinds = \"page\"\n");
    let (_, line, msg) = err(&[("a.toml", &text)]);
    assert_eq!(line, 11, "{msg}");
    assert!(msg.contains("kinds"), "{msg}");

    let text = r#"
[[rule]]
id = "column.stale"
title = "t"
severity = "warning"
ledger = [51]
department = "d"
check = "column-stale"

[[rule.params.cycles]]
keywords = ["动态"]
days = "14"
"#;
    let (_, line, msg) = err(&[("c.toml", text)]);
    assert_eq!(line, 12, "{msg}");
    assert!(msg.contains("cycles.0.days"), "{msg}");
    // A value the constructor refuses.
    let text = text.replace("days = \"14\"", "days = 0");
    let (_, line, msg) = err(&[("c.toml", &text)]);
    assert_eq!(line, 12, "{msg}");
}

#[test]
fn duplicate_id_bad_date_and_unknown_rule_field() {
    let (file, line, msg) = err(&[("a.toml", MINIMAL), ("b.toml", &format!("\n\n{MINIMAL}"))]);
    assert_eq!((file.as_str(), line), ("b.toml", 5));
    assert!(
        msg.contains("duplicate rule id `link.broken`") && msg.contains("a.toml:3"),
        "{msg}"
    );

    let text = MINIMAL.replace("check =", "due = \"2022-02-30\"\ncheck =");
    let (_, line, msg) = err(&[("a.toml", &text)]);
    assert_eq!(line, 8, "{msg}");
    assert!(msg.contains("due"), "{msg}");

    let text = r#"
[[rule]]
id = "column.missing"
title = "t"
severity = "error"
ledger = [23]
department = "d"
check = "column-required"

[[rule.params.columns]]
name = "建议提案办理"
due = "2022-10-32"
"#;
    let (_, line, msg) = err(&[("a.toml", text)]);
    assert_eq!(line, 12, "{msg}");

    let text = MINIMAL.replace("department", "severty = \"x\"\ndepartment");
    let (_, line, msg) = err(&[("a.toml", &text)]);
    assert_eq!(line, 7, "{msg}");
    assert!(msg.contains("severty"), "{msg}");
    let text = MINIMAL.replace("ledger = [51]", "ledger = [68]");
    assert_eq!(err(&[("a.toml", &text)]).1, 6);
}

#[test]
fn offices_change_params_without_recompiling() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
[[rule]]
id = "column.stale"
title = "栏目更新不及时"
severity = "warning"
ledger = [51]
department = "市政府办公室"
check = "column-stale"

[[rule.params.cycles]]
keywords = ["工作动态"]
days = 7
"#;
    std::fs::write(dir.path().join("mine.toml"), text).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let pack = load_pack(dir.path()).unwrap();
    assert_eq!(pack.rules().len(), 1);
    assert!(pack.explain("column.stale").unwrap().contains("days = 7"));
    // Coverage falls back to the embedded notes.
    assert_eq!(coverage(&pack).len(), 67);
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(load_pack(empty.path()), Err(RulesError::Empty(_))));
}

#[test]
fn explain_shows_everything() {
    let pack = default_pack();
    let e = pack.explain("consultation.short-period").unwrap();
    for s in [
        "征求意见期限少于30日",
        "warning",
        "26",
        "min_days = 30",
        "征求意见期限一般不少于30日",
        "consultation-period",
    ] {
        assert!(e.contains(s), "{s} in {e}");
    }
    assert!(pack.explain("no.such").is_none());
}

#[test]
fn coverage_covers_all_items() {
    let items = coverage(&default_pack());
    assert_eq!(items.len(), 67);
    assert_eq!(
        items.iter().map(|i| i.item).collect::<Vec<_>>(),
        (1..=67).collect::<Vec<_>>()
    );
    let auto = |n: usize| match &items[n - 1].status {
        CoverageStatus::Automated(r) => r.clone(),
        _ => vec![],
    };
    assert!(auto(28).contains(&"doc.validity-missing".to_string()));
    assert!(auto(51).contains(&"link.broken".to_string()));
    assert!(auto(67).contains(&"annual-report.missing".to_string()));
    assert!(matches!(items[14].status, CoverageStatus::NotObservable(_)));
    assert!(matches!(items[13].status, CoverageStatus::Partial(_)));
    assert!(auto(10).contains(&"column.topical-missing".to_string()));
    for it in &items {
        let note = match &it.status {
            CoverageStatus::Automated(r) => r.join(""),
            CoverageStatus::Partial(n) | CoverageStatus::NotObservable(n) => n.clone(),
        };
        assert!(!note.is_empty() && !it.task.is_empty(), "item {}", it.item);
    }
}

#[test]
fn coverage_doc_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/coverage.md");
    let want = coverage_markdown(&default_pack());
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/coverage.md is out of date: run `gongkai rules --coverage --write docs/coverage.md`"
    );
}

#[test]
fn explain_shows_the_shared_vocabulary_of_document_rules() {
    let pack = default_pack();
    let e = pack.explain("doc.validity-missing").unwrap();
    assert!(e.contains("shared vocabulary (vocabulary.toml)"), "{e}");
    assert!(e.contains("效力状况"), "{e}");
    assert!(!pack
        .explain("link.broken")
        .unwrap()
        .contains("shared vocabulary"));
}

#[test]
fn an_office_vocabulary_reaches_every_rule() {
    // A label added once in vocabulary.toml is read by doc.validity-missing (the mark is found)
    // and doc.validity-expired (the mark is judged) alike.
    let mut files: Vec<(String, String)> = EMBEDDED
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    for (n, t) in files.iter_mut() {
        if n == "vocabulary.toml" {
            *t = t.replace("labels = [\"有效性\"", "labels = [\"执行状态\", \"有效性\"");
        }
    }
    let pack = crate::pack_from_files(files).unwrap();
    assert!(pack.vocabulary().validity.is_label("执行状态"));
    use crate::checks::testkit::*;
    use gongkai_page::Field;
    let mut m = with_fields(
        article("滕州市XX管理办法", "正文"),
        &[
            (Field::DocType, "规范性文件"),
            (Field::WrittenDate, "2010-01-01"),
        ],
    );
    m.metadata.raw.push(("执行状态".into(), "现行有效".into()));
    let s = site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)]);
    let f = crate::evaluate(&pack, &s, &ctx(2022, 7, 1));
    let rules: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    assert!(!rules.contains(&"doc.validity-missing"), "{rules:?}");
    assert!(rules.contains(&"doc.validity-expired"), "{rules:?}");
    // The default pack does not know the label: the page has no mark.
    let f = crate::evaluate(&default_pack(), &s, &ctx(2022, 7, 1));
    assert!(f.iter().any(|f| f.rule == "doc.validity-missing"));
}
