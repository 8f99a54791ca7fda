//! End-to-end: bad input gets one clear line and exit code 2.

mod support;

use support::*;

fn fails_with(args: &[&str], needle: &str) {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "args {args:?}: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    let lines: Vec<_> = err.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(lines.len(), 1, "want one error line, got: {err}");
    assert!(err.contains(needle), "want {needle:?} in {err}");
}

#[test]
fn bad_start_urls() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    fails_with(&["scan", "not a url", "--db", db], "bad start URL");
    fails_with(
        &["scan", "ftp://example.org/", "--db", db],
        "only http and https",
    );
    fails_with(&["scan", "--db", db], "no start URL");
}

#[test]
fn unreachable_site() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // A bound but never listening port refuses connections.
    let sock = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    drop(sock);
    fails_with(
        &[
            "scan",
            &format!("http://127.0.0.1:{port}/"),
            "--db",
            db.to_str().unwrap(),
            "--quiet",
        ],
        "unreachable",
    );
}

#[test]
fn bad_config_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("site.toml");
    std::fs::write(&cfg, "[site]\nname = \"x\"\nstart_urls = \"http://a/\"\n").unwrap();
    let db = dir.path().join("t.db");
    fails_with(
        &[
            "scan",
            "--config",
            cfg.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        "site.toml:3:",
    );
    // The [text] section of text.serious-error: a wrong type, a term too short to protect.
    for (text, needle) in [
        (
            "[site]\nname = \"x\"\n\n[text]\nallow = \"副县长李健明\"\n",
            "site.toml:5:",
        ),
        (
            "[text]\nprotected_terms = [\n  \"青岚县人民政府\",\n  \"县长\",\n]\n",
            "site.toml:4: text.protected_terms",
        ),
    ] {
        std::fs::write(&cfg, text).unwrap();
        fails_with(
            &[
                "scan",
                "http://127.0.0.1:9/",
                "--config",
                cfg.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ],
            needle,
        );
    }
}

#[test]
fn resume_without_an_unfinished_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    fails_with(
        &["scan", "--resume", "--db", db.to_str().unwrap()],
        "nothing to resume",
    );
}

#[test]
fn init_writes_a_config_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("site.toml");
    let out = run(&["init", cfg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("start_urls"));
    fails_with(&["init", cfg.to_str().unwrap()], "already exists");
}

#[test]
fn database_from_a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let db_s = db.to_str().unwrap();
    fails_with(&["findings", "--db", db_s], "newer");
    fails_with(
        &["scan", "http://127.0.0.1:9/", "--db", db_s, "--quiet"],
        "newer",
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the newer database was modified"
    );
}

#[test]
fn unwritable_and_full_database_paths() {
    // /sys is read-only even for root; /dev/full fails every write with ENOSPC.
    if std::path::Path::new("/sys").exists() {
        fails_with(
            &[
                "scan",
                "http://127.0.0.1:9/",
                "--db",
                "/sys/gongkai.db",
                "--quiet",
            ],
            "/sys/gongkai.db",
        );
    }
    if std::path::Path::new("/dev/full").exists() {
        fails_with(
            &[
                "scan",
                "http://127.0.0.1:9/",
                "--db",
                "/dev/full",
                "--quiet",
            ],
            "full",
        );
    }
}

#[test]
fn bad_rule_pack_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("links.toml"), "[[rule]]\nid = \"x\"\ntitle = \n").unwrap();
    let db = dir.path().join("t.db");
    fails_with(
        &[
            "scan",
            "http://127.0.0.1:9/",
            "--db",
            db.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ],
        "links.toml:3:",
    );
    // Nothing was fetched or created for a scan that could not start.
    assert!(!db.exists());
}

#[test]
fn a_start_page_behind_an_anti_bot_wall_is_an_operational_error() {
    let portal = Portal::start(gongkai_fixture::FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let url = format!("{}waf/index.html", portal.base());
    fails_with(
        &[
            "scan",
            &url,
            "--db",
            db.to_str().unwrap(),
            "--rate",
            "0",
            "--quiet",
        ],
        "refused the crawler",
    );
}
