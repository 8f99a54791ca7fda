//! The fleet against a real PostgreSQL server: three fixture portals on loopback (two on one
//! platform), a fourth site that refuses connections, two worker processes of the real binary,
//! one killed with SIGKILL mid-scan. Every site completes exactly once with the findings of a
//! single-machine `gongkai scan`, the platform's two sites are never crawled at once (from the
//! servers' request logs), the dead site fails after three attempts with its reason, and the
//! province report opens in headless Chromium and its XLSX reads back.

mod fleet_support;
mod support;

use fleet_support::{scalar, sql, Pg};
use gongkai_fixture::{FixtureOptions, FixtureServer};
use gongkai_testkit::{chromium_available, problems, Browser, CHROMIUM};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use support::{fixture_config, gongkai, run, stderr, stdout};

const BUDGET: Duration = Duration::from_secs(300);

struct Sites {
    servers: Vec<FixtureServer>,
    _rt: tokio::runtime::Runtime,
}

fn start_sites(n: usize) -> Sites {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let servers = (0..n)
        .map(|_| {
            rt.block_on(FixtureServer::start(FixtureOptions::default()))
                .unwrap()
        })
        .collect();
    Sites { servers, _rt: rt }
}

fn worker(pg: &str, dir: &Path, name: &str) -> Child {
    let data = dir.join(name);
    gongkai()
        .args([
            "worker", "--pg", pg, "--once", "--name", name, "--rate", "0",
        ])
        .args(["--lease-secs", "3", "--poll-secs", "0.2"])
        .args(["--as-of", gongkai_fixture::DEMO_AS_OF])
        .arg("--data")
        .arg(&data)
        .stdout(std::fs::File::create(dir.join(format!("{name}.out"))).unwrap())
        .stderr(std::fs::File::create(dir.join(format!("{name}.err"))).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .expect("worker starts")
}

/// Waits for a worker to exit successfully; returns its stdout.
fn finish(mut child: Child, dir: &Path, name: &str) -> String {
    let deadline = Instant::now() + BUDGET;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("worker {name} did not finish in {BUDGET:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = std::fs::read_to_string(dir.join(format!("{name}.out"))).unwrap();
    let err = std::fs::read_to_string(dir.join(format!("{name}.err"))).unwrap();
    assert!(status.success(), "worker {name}: {status}\n{out}\n{err}");
    out
}

fn csv(dir: &Path, rows: &[(&str, String, &str, &str)]) -> std::path::PathBuf {
    let cfg = fixture_config(dir);
    let mut text = String::from("\u{feff}名称,网址,主管单位,平台,配置\n");
    for (name, url, auth, platform) in rows {
        text.push_str(&format!(
            "{name},{url},{auth},{platform},{}\n",
            cfg.display()
        ));
    }
    let path = dir.join(format!("sites-{}.csv", rows.len()));
    std::fs::write(&path, text).unwrap();
    path
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// (rule, url, fingerprint) of the findings published for a site.
fn published(pg: &str, url: &str) -> BTreeSet<(String, String, String)> {
    sql(
        pg,
        &format!(
            "SELECT f.rule, f.url, f.fingerprint FROM findings f JOIN runs r USING (site_run_id)
             JOIN sites s ON s.id = r.site_id WHERE s.url = '{url}'"
        ),
    )
    .into_iter()
    .map(|r| {
        (
            r[0].clone().unwrap(),
            r[1].clone().unwrap(),
            r[2].clone().unwrap(),
        )
    })
    .collect()
}

/// (rule, url, fingerprint) of a single-machine `gongkai scan` of the same site.
fn scanned_alone(dir: &Path, url: &str, i: usize) -> BTreeSet<(String, String, String)> {
    let db = dir.join(format!("alone-{i}.db"));
    let cfg = fixture_config(dir);
    let out = support::scan_command(url, &db, &cfg)
        .arg("--quiet")
        .output()
        .expect("gongkai runs");
    assert!(out.status.success(), "scan: {}", stderr(&out));
    let conn = support::open_db(&db);
    let mut stmt = conn
        .prepare(
            "SELECT rule, url, fingerprint FROM findings WHERE run_id = (SELECT max(id) FROM runs)",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// [first, last] arrival of the requests a server saw.
fn window(s: &FixtureServer) -> (Instant, Instant) {
    let log = s.requests();
    let first = log.iter().map(|r| r.at).min().expect("requests");
    let last = log.iter().map(|r| r.at).max().expect("requests");
    (first, last)
}

fn round_trips(out: &str) -> Vec<u64> {
    out.lines()
        .filter(|l| l.starts_with("已发布"))
        .filter_map(|l| l.split("PostgreSQL 往返 ").nth(1))
        .filter_map(|t| t.split(' ').next()?.parse().ok())
        .collect()
}

#[test]
fn two_workers_one_killed_every_site_once() {
    let Some(server) = Pg::get() else { return };
    let pg = server.fresh_db();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sites = start_sites(3);
    let urls: Vec<String> = sites.servers.iter().map(FixtureServer::base_url).collect();
    let dead = sites.servers[0].dead_origin();
    let all = csv(
        d,
        &[
            ("甲区政府", urls[0].clone(), "甲市", "集约平台"),
            ("乙区政府", urls[1].clone(), "甲市", "集约平台"),
            ("丙县政府", urls[2].clone(), "丙县", "丙县自建"),
            ("丁镇政府", dead.clone(), "丙县", "丁镇"),
        ],
    );
    ok(&["fleet", "init", "--pg", &pg]);
    let add = ok(&[
        "fleet",
        "add",
        "--pg",
        &pg,
        "--sites",
        all.to_str().unwrap(),
    ]);
    assert!(add.contains("新增 4，更新 0；新排队 4"), "{add}");
    let again = ok(&[
        "fleet",
        "add",
        "--pg",
        &pg,
        "--sites",
        all.to_str().unwrap(),
    ]);
    assert!(again.contains("新增 0，更新 4；新排队 0"), "{again}");
    assert_eq!(scalar(&pg, "SELECT count(*) FROM sites"), "4");

    // w1 claims a site; once its server has answered a few dozen requests, w1 dies.
    let mut w1 = worker(&pg, d, "w1");
    let w2 = worker(&pg, d, "w2");
    let deadline = Instant::now() + BUDGET;
    let killed = loop {
        if Instant::now() > deadline {
            break None;
        }
        let held = scalar(
            &pg,
            "SELECT t.url FROM site_runs r JOIN sites t ON t.id = r.site_id
             WHERE r.state = 'running' AND r.worker = 'w1'",
        );
        if let Some(i) = urls.iter().position(|u| *u == held) {
            if sites.servers[i].requests().len() >= 30 {
                break Some(i);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    w1.kill().unwrap(); // SIGKILL: no chance to clean up
    let _ = w1.wait();
    let killed = killed.expect("w1 never got far into a scan");
    let out2 = finish(w2, d, "w2");

    // Every site once: one site-run each, done, published once and by w2 for the killed one.
    let states = sql(
        &pg,
        "SELECT t.url, r.state, r.attempts, coalesce(r.reason, ''),
                (SELECT count(*) FROM runs x WHERE x.site_id = t.id),
                (SELECT worker FROM runs x WHERE x.site_id = t.id)
         FROM sites t JOIN site_runs r ON r.site_id = t.id ORDER BY t.id",
    );
    assert_eq!(states.len(), 4, "one site-run per site: {states:?}");
    for (i, row) in states.iter().take(3).enumerate() {
        assert_eq!(row[1].as_deref(), Some("done"), "{row:?}");
        assert_eq!(row[4].as_deref(), Some("1"), "published once: {row:?}");
        if i == killed {
            assert_eq!(row[2].as_deref(), Some("2"), "{row:?}");
            assert!(row[3].as_deref().unwrap().contains("w1"), "{row:?}");
            assert_eq!(row[5].as_deref(), Some("w2"), "{row:?}");
        }
    }
    let dead_row = &states[3];
    assert_eq!(dead_row[1].as_deref(), Some("failed"), "{dead_row:?}");
    assert_eq!(dead_row[2].as_deref(), Some("3"), "{dead_row:?}");
    assert!(
        dead_row[3]
            .as_deref()
            .unwrap()
            .starts_with("第 3 次尝试失败：site unreachable"),
        "{dead_row:?}"
    );
    assert_eq!(dead_row[4].as_deref(), Some("0"));
    let status = ok(&["fleet", "status", "--pg", &pg]);
    assert!(status.contains("已完成 3，失败 1"), "{status}");
    assert!(status.contains("失败（第 3 次尝试失败"), "{status}");

    // One polite crawler per platform: the two sites of 集约平台 were never crawled at once.
    let (a, b) = (window(&sites.servers[0]), window(&sites.servers[1]));
    assert!(
        a.1 < b.0 || b.1 < a.0,
        "platform windows overlap: {a:?} {b:?}"
    );

    // The findings are those of a single-machine scan of the same site.
    for (i, url) in urls.iter().enumerate() {
        let fleet = published(&pg, url);
        assert!(!fleet.is_empty(), "{url}: nothing published");
        assert_eq!(fleet, scanned_alone(d, url, i), "{url}");
    }
    eprintln!(
        "round trips per site-run (w2, with the kill): {:?}",
        round_trips(&out2)
    );

    second_round_and_report(&pg, d, &urls);
}

/// A second round without the dead site: both workers, timed; then the province report.
fn second_round_and_report(pg: &str, d: &Path, urls: &[String]) {
    let three = csv(
        d,
        &[
            ("甲区政府", urls[0].clone(), "甲市", "集约平台"),
            ("乙区政府", urls[1].clone(), "甲市", "集约平台"),
            ("丙县政府", urls[2].clone(), "丙县", "丙县自建"),
        ],
    );
    let add = ok(&[
        "fleet",
        "add",
        "--pg",
        pg,
        "--sites",
        three.to_str().unwrap(),
    ]);
    assert!(add.contains("新排队 3"), "{add}");
    let t = Instant::now();
    let (w3, w4) = (worker(pg, d, "w3"), worker(pg, d, "w4"));
    let (o3, o4) = (finish(w3, d, "w3"), finish(w4, d, "w4"));
    let secs = t.elapsed().as_secs_f64();
    let trips: Vec<u64> = round_trips(&o3)
        .into_iter()
        .chain(round_trips(&o4))
        .collect();
    assert_eq!(trips.len(), 3, "{o3}\n{o4}");
    eprintln!(
        "MEASURE fleet: 3 fixture sites with 2 workers in {secs:.1}s = {:.0} sites/hour; \
         PostgreSQL round trips per site-run {trips:?}",
        3.0 * 3600.0 / secs
    );
    assert_eq!(scalar(pg, "SELECT count(*) FROM runs"), "6");
    // Statuses are decided against the previous published run, by whichever worker: unchanged
    // sites have only persisting findings in the second round.
    let statuses = sql(
        pg,
        "SELECT f.status, count(*) FROM findings f
         WHERE f.site_run_id IN (SELECT max(site_run_id) FROM runs GROUP BY site_id)
         GROUP BY 1",
    );
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert_eq!(statuses[0][0].as_deref(), Some("persisting"));

    let out = d.join("province");
    ok(&[
        "fleet",
        "report",
        "--pg",
        pg,
        "--out",
        out.to_str().unwrap(),
    ]);
    let xlsx = out.join("sites.xlsx");
    {
        use calamine::{open_workbook, Reader, Xlsx};
        let mut book: Xlsx<_> = open_workbook(&xlsx).expect("xlsx opens");
        assert_eq!(book.sheet_names(), vec!["全省", "丙县", "甲市"]);
        let all = book.worksheet_range("全省").unwrap();
        assert_eq!(all.height(), 5, "header + one row per site");
        assert_eq!(all.get((0, 1)).unwrap().to_string(), "名称");
        let city = book.worksheet_range("甲市").unwrap();
        assert_eq!(city.height(), 3);
    }
    if !chromium_available() {
        eprintln!("SKIPPED browser part: no {CHROMIUM}");
        return;
    }
    let mut b = Browser::launch();
    let s = b.open(&format!("file://{}", out.join("index.html").display()));
    let rows = b.eval(&s, "document.querySelectorAll('#league tbody tr').length");
    assert_eq!(rows, serde_json::json!(4));
    let failed = b.eval(
        &s,
        "document.body.textContent.includes('尚无运行：第 3 次尝试失败')",
    );
    assert_eq!(failed, serde_json::json!(true), "the failed site says why");
    let trend = b.eval(
        &s,
        "document.querySelector('#league tbody tr').cells[10].textContent",
    );
    assert!(
        trend.as_str().unwrap().contains('→'),
        "two runs in the trend: {trend}"
    );
    let link = b.eval(
        &s,
        "document.querySelector('#league a[href^=\"sites/\"]').getAttribute('href')",
    );
    let site_report = out.join(link.as_str().unwrap());
    let s2 = b.open(&format!("file://{}", site_report.display()));
    let title = b.eval(&s2, "document.title");
    assert!(!title.as_str().unwrap().is_empty());
    let problems = problems(&b.events);
    assert!(problems.is_empty(), "script errors: {problems:?}");
}

#[test]
fn bad_inputs_fail_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "名称,网址,主管单位\n甲,http://a.example.cn/,甲市\n乙,ftp://b,乙市\n",
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["fleet", "init", "--pg", "nonsense://"],
            "bad PostgreSQL URL",
        ),
        (
            vec!["fleet", "status", "--pg", "postgres://u@127.0.0.1:1/x"],
            "cannot connect",
        ),
        (
            vec![
                "fleet",
                "add",
                "--pg",
                "postgres://u@127.0.0.1:1/x",
                "--sites",
                bad.to_str().unwrap(),
            ],
            "bad.csv:3: 网址",
        ),
    ];
    for (args, want) in cases {
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let Some(server) = Pg::get() else { return };
    let pg = server.fresh_db();
    let out = run(&[
        "worker",
        "--pg",
        &pg,
        "--data",
        dir.path().to_str().unwrap(),
        "--once",
    ]);
    assert!(stderr(&out).contains("fleet init"), "{}", stderr(&out));
}

/// A worker that stops answering (SIGSTOP: a machine off the network) loses its lease; another
/// worker takes the site over and publishes; when the first comes back it finds the lease gone,
/// stops its scan and publishes nothing.
#[test]
fn a_paused_worker_loses_its_lease_and_publishes_nothing() {
    let Some(server) = Pg::get() else { return };
    let pg = server.fresh_db();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sites = start_sites(1);
    let url = sites.servers[0].base_url();
    let list = csv(d, &[("甲区政府", url.clone(), "甲市", "")]);
    ok(&["fleet", "init", "--pg", &pg]);
    ok(&[
        "fleet",
        "add",
        "--pg",
        &pg,
        "--sites",
        list.to_str().unwrap(),
    ]);
    let w1 = worker(&pg, d, "w1");
    let pid = w1.id().to_string();
    let deadline = Instant::now() + BUDGET;
    while sites.servers[0].requests().len() < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let signal = |sig: &str| {
        let st = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap();
        assert!(st.success(), "kill {sig}");
    };
    signal("-STOP");
    let w2 = worker(&pg, d, "w2");
    let out2 = finish(w2, d, "w2");
    assert!(out2.contains("已发布"), "{out2}");
    signal("-CONT");
    finish(w1, d, "w1");
    let err1 = std::fs::read_to_string(d.join("w1.err")).unwrap();
    assert!(err1.contains("lost the lease"), "{err1}");
    let runs = sql(&pg, "SELECT worker FROM runs");
    assert_eq!(runs, vec![vec![Some("w2".to_string())]]);
    let state = sql(&pg, "SELECT state, attempts FROM site_runs");
    assert_eq!(state[0], vec![Some("done".into()), Some("2".into())]);
}
