//! End-to-end: findings across runs (diff, statuses), reports, evidence, WARC export, the
//! database lock and `--fail-on`.

mod support;

use gongkai_fixture::FixtureOptions;
use support::*;

/// Two scans of the fixture; between them one broken link is fixed and another introduced.
fn two_scans() -> (Portal, tempfile::TempDir, std::path::PathBuf) {
    let portal = Portal::start(FixtureOptions {
        slow_ms: 10,
        ..FixtureOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(&portal, dir.path(), &db, &["--rate", "0"]);
    let page = String::from_utf8(gongkai_fixture::portal_file("zjtz/index.html").unwrap().to_vec())
        .unwrap()
        .replace("/gone/zjtz/gk2019.html", "/zwgk/index.html")
        .replace(
            "<li><a href=\"/slow/zjtz/lswh.html\">",
            "<li><a href=\"/zjtz/lswh-2023.html\">新版历史文化</a></li><li><a href=\"/slow/zjtz/lswh.html\">",
        );
    portal.server.set_file("zjtz/index.html", Some(&page));
    scan_fixture(&portal, dir.path(), &db, &["--rate", "0"]);
    (portal, dir, db)
}

#[test]
fn findings_across_runs_reports_and_evidence() {
    let (_portal, dir, db) = two_scans();
    let db_s = db.to_str().unwrap();

    // diff: exactly the fixed link is resolved and the new one is new.
    let out = run(&["diff", "--db", db_s]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("新发现 1 条, 已整改 1 条"), "{text}");
    assert!(
        text.contains("/zjtz/lswh-2023.html") && text.contains("/gone/zjtz/gk2019.html"),
        "{text}"
    );

    // findings --status
    let new = stdout(&run(&[
        "findings", "--db", db_s, "--status", "new", "--format", "jsonl",
    ]));
    let new: Vec<serde_json::Value> = new
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["rule"], "link.broken");
    assert_eq!(new[0]["status"], "new");
    assert!(new[0]["target"]
        .as_str()
        .unwrap()
        .ends_with("/zjtz/lswh-2023.html"));
    let resolved = stdout(&run(&[
        "findings", "--db", db_s, "--status", "resolved", "--format", "jsonl",
    ]));
    assert_eq!(resolved.lines().count(), 1, "{resolved}");
    assert!(resolved.contains("gk2019.html"));
    let persisting = stdout(&run(&[
        "findings",
        "--db",
        db_s,
        "--status",
        "persisting",
        "--format",
        "jsonl",
    ]));
    assert!(persisting.lines().count() > 10);

    // A reader that closes the pipe (`| head -1`) ends the listing quietly, with exit 0.
    for format in ["jsonl", "csv", "table"] {
        let mut child = gongkai()
            .args(["findings", "--db", db_s, "--format", format])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");
    }

    // report: the three files, with the new and resolved counts in the HTML.
    let out_dir = dir.path().join("report");
    let out = run(&["report", "--db", db_s, "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(html.contains("lswh-2023.html"));
    let csv = std::fs::read(out_dir.join("findings.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "CSV without BOM");
    assert!(
        std::fs::metadata(out_dir.join("departments.xlsx"))
            .unwrap()
            .len()
            > 1000
    );

    // evidence: the stored bytes of the fetch behind a finding hash to the recorded sha256.
    let f = &new[0];
    let save = dir.path().join("evidence");
    let out = run(&[
        "evidence",
        f["fingerprint"].as_str().unwrap(),
        "--db",
        db_s,
        "--save",
        save.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.contains("北京时间") && shown.contains("404"),
        "{shown}"
    );
    let any_with_body = stdout(&run(&[
        "findings",
        "--db",
        db_s,
        "--rule",
        "doc.validity-missing",
        "--format",
        "jsonl",
    ]));
    let fp = serde_json::from_str::<serde_json::Value>(any_with_body.lines().next().unwrap())
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let out = run(&[
        "evidence",
        &fp,
        "--db",
        db_s,
        "--save",
        save.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let saved: Vec<_> = std::fs::read_dir(&save)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    // The 404 page behind the link finding and the document page: both exact stored bytes.
    assert_eq!(saved.len(), 2, "{saved:?}");
    for path in saved {
        let bytes = std::fs::read(&path).unwrap();
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        assert_eq!(path.file_stem().unwrap().to_str().unwrap(), sha);
    }

    let out = run(&["evidence", "verify", "--db", db_s]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn warc_export_reads_back_with_an_independent_reader() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(
        &portal,
        dir.path(),
        &db,
        &["--rate", "0", "--max-pages", "30"],
    );
    let warc = dir.path().join("scan.warc.gz");
    let out = run(&[
        "export-warc",
        "--db",
        db.to_str().unwrap(),
        "--run",
        "1",
        "--out",
        warc.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let script = r#"
import sys
from warcio.archiveiterator import ArchiveIterator
n = {}
with open(sys.argv[1], 'rb') as f:
    for rec in ArchiveIterator(f, check_digests=True):
        n[rec.rec_type] = n.get(rec.rec_type, 0) + 1
        if rec.rec_type == 'response':
            rec.content_stream().read()
            assert rec.digest_checker.passed is not False, rec.rec_headers.get_header('WARC-Target-URI')
        if rec.rec_type == 'warcinfo':
            info = rec.content_stream().read().decode()
            assert 'gongkai' in info and 'as-of' in info.lower().replace('_', '-'), info
print(n)
assert n.get('warcinfo') == 1 and n.get('response', 0) > 20 and n.get('request') == n.get('response')
"#;
    let have_warcio = std::process::Command::new("python3")
        .args(["-c", "import warcio"])
        .status()
        .is_ok_and(|s| s.success());
    if !have_warcio {
        eprintln!("SKIPPED: python3 warcio not installed (.ci/run installs it)");
        return;
    }
    let out = std::process::Command::new("python3")
        .args(["-c", script, warc.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "warcio: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn a_second_scan_of_a_locked_database_stops_and_fail_on_sets_exit_1() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    {
        use fs4::fs_std::FileExt;
        let lock = std::fs::File::create(dir.path().join("t.db.lock")).unwrap();
        assert!(lock.try_lock_exclusive().unwrap());
        let out = run(&[
            "scan",
            &portal.base(),
            "--db",
            db.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("another gongkai scan"),
            "{}",
            stderr(&out)
        );
    }
    let cfg = fixture_config(dir.path());
    let out = run(&[
        "scan",
        &portal.base(),
        "--db",
        db.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--rate",
        "0",
        "--max-pages",
        "20",
        "--quiet",
        "--fail-on",
        "error",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
