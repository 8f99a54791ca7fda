//! The queue against a real PostgreSQL server (`$GONGKAI_TEST_PG`, else a private instance from
//! .ci/pg.sh when initdb is installed, else skipped with a note): platform exclusivity under
//! concurrent claims, lease takeover, exactly-once publication, failure after three attempts.
//! Leases of zero seconds expire at once, so no test waits for a clock.

use gongkai_fleet::publish::{publish, Published, PublishedFinding, RunRecord};
use gongkai_fleet::queue::{self, AfterFailure};
use gongkai_fleet::{schema, sites, Db};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

struct Server {
    base: String,
    own: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(d) = &self.own {
            let _ = std::process::Command::new("bash")
                .arg(script())
                .arg("stop")
                .arg(d.path().join("pg"))
                .output();
        }
    }
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/pg.sh")
}

fn server() -> Option<Server> {
    if let Ok(base) = std::env::var("GONGKAI_TEST_PG") {
        return Some(Server { base, own: None });
    }
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("bash")
        .arg(script())
        .arg("start")
        .arg(dir.path().join("pg"))
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!(
            "SKIPPED: no PostgreSQL ({}); set GONGKAI_TEST_PG or install postgresql",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let base = text
        .strip_prefix("export GONGKAI_TEST_PG=")
        .unwrap()
        .to_string();
    Some(Server {
        base,
        own: Some(dir),
    })
}

/// A fresh, initialised database; returns its URL.
async fn fresh(s: &Server) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "fleet_queue_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let db = Db::connect(&s.base).await.unwrap();
    db.batch(&format!("CREATE DATABASE {name}"), "create")
        .await
        .unwrap();
    let url = format!("{}/{name}", s.base.rsplit_once('/').unwrap().0);
    let db = Db::connect(&url).await.unwrap();
    assert!(schema::check(&db).await.is_err(), "not initialised yet");
    assert_eq!(schema::migrate(&db).await.unwrap(), (0, schema::latest()));
    assert_eq!(
        schema::migrate(&db).await.unwrap(),
        (schema::latest(), schema::latest())
    );
    schema::check(&db).await.unwrap();
    url
}

async fn add(db: &Db, rows: &[(&str, &str)]) {
    let mut text = String::from("名称,网址,主管单位,平台\n");
    for (url, platform) in rows {
        text.push_str(&format!("站点,{url},某市,{platform}\n"));
    }
    let rows = sites::parse_csv(text.as_bytes(), "t.csv", Path::new(".")).unwrap();
    sites::register(db, &rows).await.unwrap();
}

fn record() -> RunRecord {
    RunRecord {
        status: "completed".into(),
        as_of: "2023-04-20".into(),
        started_at: chrono::Utc::now(),
        finished_at: chrono::Utc::now(),
        pages: 10,
        coverage: serde_json::json!({}),
        scorecard: serde_json::json!([]),
        tool_version: "test".into(),
        rules_version: None,
        report_html: None,
    }
}

fn finding(fp: &str) -> PublishedFinding {
    PublishedFinding {
        fingerprint: fp.into(),
        rule: "link.broken".into(),
        severity: "error".into(),
        url: "http://a.example.cn/x".into(),
        target: None,
        department: "办公室".into(),
        message: "链接失效".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_keep_one_crawler_per_platform() {
    let Some(s) = server() else { return };
    let url = fresh(&s).await;
    let db = Db::connect(&url).await.unwrap();
    add(
        &db,
        &[
            ("http://p1.example.cn/", "集约"),
            ("http://p2.example.cn/", "集约"),
            ("http://p3.example.cn/", "集约"),
            ("http://q1.example.cn/", "q1"),
            ("http://q2.example.cn/", "q2"),
        ],
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let db = Db::connect(&url).await.unwrap();
            let c = queue::claim(&db, &format!("w{i}"), Duration::from_secs(60))
                .await
                .unwrap();
            c.map(|c| c.platform_key)
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.extend(t.await.unwrap());
    }
    got.sort();
    assert_eq!(got, vec!["q1", "q2", "集约"]);
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_published_once() {
    let Some(s) = server() else { return };
    let db = Db::connect(&fresh(&s).await).await.unwrap();
    add(&db, &[("http://a.example.cn/", "a")]).await;
    let first = queue::claim(&db, "w1", Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    let second = queue::claim(&db, "w2", Duration::from_secs(60))
        .await
        .unwrap()
        .expect("the expired lease is claimable");
    assert_eq!(second.site_run_id, first.site_run_id);
    assert_eq!(second.attempt, 2);
    assert!(!queue::heartbeat(&db, &first, Duration::from_secs(60))
        .await
        .unwrap());
    assert!(queue::heartbeat(&db, &second, Duration::from_secs(60))
        .await
        .unwrap());
    let fs = [finding("f1"), finding("f2")];
    let lost = publish(&db, &first, "w1", &record(), &fs).await.unwrap();
    assert_eq!(lost, Published::LeaseLost);
    let before = db.round_trips();
    assert_eq!(
        publish(&db, &second, "w2", &record(), &fs).await.unwrap(),
        Published::Done
    );
    assert_eq!(
        db.round_trips() - before,
        5,
        "publishing costs five round trips"
    );
    assert_eq!(
        publish(&db, &second, "w2", &record(), &fs).await.unwrap(),
        Published::LeaseLost,
        "a repeated publish writes nothing"
    );
    let n = db
        .query(
            "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM findings)",
            &[],
            "count",
        )
        .await
        .unwrap();
    assert_eq!((n[0].get::<_, i64>(0), n[0].get::<_, i64>(1)), (1, 2));
    assert!(queue::claim(&db, "w3", Duration::ZERO)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn three_lost_leases_or_three_errors_fail_the_run_with_a_reason() {
    let Some(s) = server() else { return };
    let db = Db::connect(&fresh(&s).await).await.unwrap();
    add(
        &db,
        &[("http://a.example.cn/", "a"), ("http://b.example.cn/", "b")],
    )
    .await;
    // Site a: three workers die in turn.
    for w in ["w1", "w2", "w3"] {
        let c = queue::claim(&db, w, Duration::ZERO).await.unwrap().unwrap();
        assert_eq!(c.url, "http://a.example.cn/");
    }
    // Site b: three scans fail.
    for n in 1..=3 {
        let c = queue::claim(&db, "w4", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((c.url.as_str(), c.attempt), ("http://b.example.cn/", n));
        let after = queue::fail(&db, &c, "site unreachable").await.unwrap();
        let want = if n < 3 {
            AfterFailure::Retry
        } else {
            AfterFailure::Failed
        };
        assert_eq!(after, want);
    }
    assert!(queue::claim(&db, "w5", Duration::ZERO)
        .await
        .unwrap()
        .is_none());
    assert_eq!(queue::open_counts(&db).await.unwrap(), (0, 0));
    let rows = db
        .query(
            "SELECT state, reason FROM site_runs ORDER BY id",
            &[],
            "read",
        )
        .await
        .unwrap();
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got[0].0, "failed");
    assert!(got[0].1.contains("第 3 次尝试中断：工作进程 w3"), "{got:?}");
    assert_eq!(
        got[1],
        ("failed".into(), "第 3 次尝试失败：site unreachable".into())
    );
}
