//! End-to-end: incremental nights. A rescan of a database with a completed run fetches the home
//! page, every list page, new articles, pages with findings and pages whose list entry changed or
//! vanished, plus its slice of the rolling schedule; the rest is carried forward with the night
//! it was last verified. `--full` fetches everything. The site is a small column served by the
//! fixture server from files the test writes (`FixtureServer::set_file`), so it can change
//! between nights.

mod support;

use gongkai_fixture::FixtureOptions;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::*;

/// Articles of the test column (two list pages of 8).
const ARTICLES: usize = 14;
const PER_PAGE: usize = 8;
/// Article 2 links a page that does not exist: a finding every night.
const BROKEN_ON: usize = 2;

/// TRS-style article file name (the page model reads such URLs as articles).
fn article_file(i: usize) -> String {
    format!("t20260201_{}.html", 1000 + i)
}

fn article_path(i: usize) -> String {
    format!("nt/tzgg/{}", article_file(i))
}

fn date_of(i: usize, changed: &BTreeSet<usize>) -> String {
    let day = if changed.contains(&i) { 28 } else { i % 27 + 1 };
    format!("2026-02-{day:02}")
}

fn chrome(title: &str, body: &str) -> String {
    // Only list pages name their column (an article naming one reads as an empty column).
    let meta = if title == "通知公告" {
        "<meta name=\"ColumnName\" content=\"通知公告\">"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}_测试市人民政府</title>{meta}</head><body>\
         <div class=\"nav\"><a href=\"/nt/index.html\">首页</a> <a href=\"/nt/tzgg/index.html\">通知公告</a></div>\
         <div class=\"main\">{body}</div>\
         <div class=\"footer\">主办单位：测试市人民政府办公室 网站标识码：3700000001</div></body></html>"
    )
}

/// The site as it stands: `live` articles (newest first in the list), `changed` ones with a new
/// date and text, `related` = (page, target) links between articles.
struct Site {
    live: Vec<usize>,
    changed: BTreeSet<usize>,
    related: Vec<(usize, usize)>,
}

impl Site {
    /// Every article live, none changed, no links between them.
    fn all_live() -> Site {
        Site {
            live: (1..=ARTICLES).collect(),
            changed: BTreeSet::new(),
            related: Vec::new(),
        }
    }

    fn publish(&self, portal: &Portal) {
        let server = &portal.server;
        server.set_file(
            "nt/index.html",
            Some(&chrome(
                "首页",
                "<h1>测试市人民政府</h1><a href=\"/nt/tzgg/index.html\">通知公告</a>\
                 <a href=\"{{SECOND_ORIGIN}}/\">政务服务网</a>",
            )),
        );
        let pages: Vec<&[usize]> = self.live.chunks(PER_PAGE).collect();
        for (n, items) in pages.iter().enumerate() {
            let list: String = items
                .iter()
                .map(|i| {
                    format!(
                        "<li><a href=\"{}\" title=\"关于第{i}项工作的通知\">关于第{i}项工作的通知</a>\
                         <span class=\"date\">{}</span></li>",
                        article_file(*i),
                        date_of(*i, &self.changed)
                    )
                })
                .collect();
            let next = if n + 1 < pages.len() {
                format!("<a href=\"index_{}.html\">下一页</a>", n + 1)
            } else {
                "下一页".to_string()
            };
            let body = format!(
                "<div class=\"position\">当前位置：<a href=\"/nt/index.html\">首页</a> &gt; <span>通知公告</span></div>\
                 <h2 class=\"column-title\">通知公告</h2><ul class=\"list\">{list}</ul>\
                 <div class=\"page\">共{}页　<a href=\"index.html\">首页</a>　{next}　尾页</div>",
                pages.len()
            );
            let name = if n == 0 {
                "nt/tzgg/index.html".to_string()
            } else {
                format!("nt/tzgg/index_{n}.html")
            };
            server.set_file(&name, Some(&chrome("通知公告", &body)));
        }
        for i in 1..=ARTICLES + 5 {
            if !self.live.contains(&i) {
                server.set_file(&article_path(i), None);
                continue;
            }
            let mut links = String::new();
            if i == BROKEN_ON {
                links.push_str("<p>附件：<a href=\"/nt/tzgg/missing.html\">附件说明.pdf</a></p>");
            }
            for (_, t) in self.related.iter().filter(|(p, _)| *p == i) {
                links.push_str(&format!(
                    "<p>相关通知：<a href=\"{}\">关于第{t}项工作的通知</a></p>",
                    article_file(*t)
                ));
            }
            let body = format!(
                "<div class=\"position\">当前位置：<a href=\"/nt/index.html\">首页</a> &gt; \
                 <a href=\"index.html\">通知公告</a> &gt; <span>正文</span></div>\
                 <div class=\"article\"><h1 class=\"title\">关于第{i}项工作的通知</h1>\
                 <div class=\"info\"><span>发布日期：{}</span>　<span>来源：测试市人民政府办公室</span></div>\
                 <div class=\"TRS_Editor\"><p>第{i}项工作按计划推进，各单位要加强协调配合，确保按期完成。{}</p>{links}</div></div>",
                date_of(i, &self.changed),
                if self.changed.contains(&i) { "现将更新后的安排通知如下。" } else { "" }
            );
            server.set_file(&article_path(i), Some(&chrome("通知", &body)));
        }
    }
}

struct Nights<'a> {
    portal: &'a Portal,
    db: std::path::PathBuf,
    config: std::path::PathBuf,
}

impl<'a> Nights<'a> {
    /// Nights of `portal` into a database in `dir`, with `revisit_days`.
    fn new(portal: &'a Portal, dir: &Path, revisit_days: u32) -> Self {
        let (db, config) = setup(dir, revisit_days);
        Nights { portal, db, config }
    }

    fn scan(&self, night: &str, extra: &[&str]) -> String {
        let start = format!("{}nt/index.html", self.portal.base());
        let mut args = vec![
            "scan",
            start.as_str(),
            "--db",
            self.db.to_str().unwrap(),
            "--config",
            self.config.to_str().unwrap(),
            "--rate",
            "0",
            "--as-of",
            "2026-03-01",
            "--night",
            night,
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "scan failed: {}", stderr(&out));
        stdout(&out)
    }
}

fn latest_run(db: &Path) -> i64 {
    open_db(db)
        .query_row("SELECT max(id) FROM runs", [], |r| r.get(0))
        .unwrap()
}

/// Path → (carried, verified_on, outcome) of every request of a run, soft-404 probes aside.
fn rows(db: &Path, run: i64) -> BTreeMap<String, (bool, String, String)> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare(
            "SELECT url, carried_from IS NOT NULL, verified_on, outcome FROM fetches
             WHERE run_id = ?1 AND purpose != 'soft-404-probe'",
        )
        .unwrap();
    let out = stmt
        .query_map([run], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    out
}

fn nights_record(db: &Path, run: i64) -> serde_json::Value {
    let text: String = open_db(db)
        .query_row("SELECT nights FROM runs WHERE id = ?1", [run], |r| r.get(0))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fetched(rows: &BTreeMap<String, (bool, String, String)>) -> BTreeSet<String> {
    rows.iter()
        .filter(|(_, (carried, _, _))| !carried)
        .map(|(u, _)| u.clone())
        .collect()
}

fn setup(dir: &Path, revisit_days: u32) -> (std::path::PathBuf, std::path::PathBuf) {
    let config = dir.join("site.toml");
    std::fs::write(
        &config,
        format!("[site]\nname = \"测试市\"\n\n[crawl]\nrevisit_days = {revisit_days}\n"),
    )
    .unwrap();
    (dir.join("n.db"), config)
}

#[test]
fn every_page_is_verified_within_revisit_days_and_full_fetches_everything() {
    let portal = Portal::start(FixtureOptions::default());
    Site::all_live().publish(&portal);
    let dir = tempfile::tempdir().unwrap();
    let n = Nights::new(&portal, dir.path(), 3);
    let base = portal.base();
    let out = n.scan("2026-03-01", &[]);
    assert!(out.contains("全量扫描（首次扫描）"), "{out}");
    let full = rows(&n.db, 1);
    assert!(full.values().all(|(c, v, _)| !c && v == "2026-03-01"));
    let all: BTreeSet<String> = full.keys().cloned().collect();
    let lists = [
        format!("{base}nt/index.html"),
        format!("{base}nt/tzgg/index.html"),
        format!("{base}nt/tzgg/index_1.html"),
    ];

    let mut seen = BTreeSet::new();
    for night in ["2026-03-02", "2026-03-03", "2026-03-04"] {
        let out = n.scan(night, &[]);
        assert!(out.contains("增量巡检"), "{out}");
        let run = latest_run(&n.db);
        let r = rows(&n.db, run);
        // The whole site is in every run: fetched tonight or carried forward.
        assert_eq!(
            r.keys().cloned().collect::<BTreeSet<_>>(),
            all,
            "night {night}"
        );
        let tonight = fetched(&r);
        for l in &lists {
            assert!(tonight.contains(l), "{l} not fetched on {night}");
        }
        let broken = format!("{base}{}", article_path(BROKEN_ON));
        assert!(tonight.contains(&broken), "page with a finding not fetched");
        assert!(
            tonight.len() < all.len(),
            "night {night} fetched everything"
        );
        // Carried rows were verified within the last revisit_days nights.
        for (u, (carried, verified, _)) in &r {
            if *carried {
                let age = days(night) - days(verified);
                assert!(
                    (1..3).contains(&age),
                    "{u} last verified {verified} on {night}"
                );
            } else {
                assert_eq!(verified, night);
            }
        }
        let rec = nights_record(&n.db, run);
        assert_eq!(rec["mode"], "incremental");
        assert_eq!(rec["revisits"]["home"], 1);
        assert_eq!(rec["revisits"]["column-list"], 2);
        let made: i64 = open_db(&n.db)
            .query_row(
                "SELECT count(*) FROM fetches WHERE run_id = ?1 AND carried_from IS NULL",
                [run],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            rec["requests"], made,
            "requests counted with the soft-404 probes"
        );
        assert!(made as usize <= tonight.len() + 2);
        seen.extend(tonight);
        assert!(out.contains("沿用最近核实结果"), "{out}");
        assert!(out.contains("均在 3 天内"), "{out}");
    }
    assert_eq!(
        seen, all,
        "every request verified within revisit_days nights"
    );

    // --full fetches everything again.
    let out = n.scan("2026-03-05", &["--full"]);
    assert!(out.contains("全量扫描（按 --full 要求）"), "{out}");
    let r = rows(&n.db, latest_run(&n.db));
    assert_eq!(fetched(&r), all);
}

#[test]
fn changed_new_and_removed_pages_are_caught_the_same_night() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let n = Nights::new(&portal, dir.path(), 7);
    let base = portal.base();
    let night = "2026-03-02";
    let day = days(night);
    // Pages not due tonight by the rolling schedule, so only a change can bring them in.
    let not_due: Vec<usize> = (3..=ARTICLES)
        .filter(|i| {
            let key = format!("GET {base}{}", article_path(*i));
            gongkai_crawl::schedule::bucket(&key, 7) != day.rem_euclid(7)
        })
        .collect();
    assert!(not_due.len() >= 3, "{not_due:?}");
    let (changed, removed, linker) = (not_due[0], not_due[1], not_due[2]);
    let mut site = Site {
        live: (1..=ARTICLES).collect(),
        changed: BTreeSet::new(),
        related: vec![(linker, removed)],
    };
    site.publish(&portal);
    n.scan("2026-03-01", &[]);

    // The night's changes: one page changed (text and list date), one removed from its list and
    // from disk, one new article at the top of the list.
    site.changed.insert(changed);
    site.live.retain(|i| *i != removed);
    site.live.insert(0, ARTICLES + 1);
    site.publish(&portal);
    let out = n.scan(night, &[]);
    let run = latest_run(&n.db);
    let r = rows(&n.db, run);
    let url = |i: usize| format!("{base}{}", article_path(i));
    let (carried, _, outcome) = &r[&url(changed)];
    assert!(
        !carried && outcome == "ok",
        "changed page not fetched: {out}"
    );
    let (carried, _, outcome) = &r[&url(removed)];
    assert!(
        !carried && outcome == "not-found",
        "removed page not checked: {out}"
    );
    let (carried, _, _) = &r[&url(ARTICLES + 1)];
    assert!(!carried, "new page not fetched");
    let (carried, verified, _) = &r[&url(linker)];
    assert!(
        carried,
        "the page linking the removed one was not due: {:?}",
        finding_rows(&n.db, 1)
    );
    assert_eq!(verified, "2026-03-01");
    let conn = open_db(&n.db);
    let not_modified: bool = conn
        .query_row(
            "SELECT not_modified FROM fetches WHERE run_id = ?1 AND url = ?2",
            rusqlite::params![run, url(changed)],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!not_modified, "the changed page was answered anew");
    let rec = nights_record(&n.db, run);
    assert_eq!(
        rec["revisits"]["list-changed"],
        1,
        "{rec} changed {changed}: {:?}",
        finding_rows(&n.db, 1)
    );
    assert_eq!(rec["revisits"]["list-gone"], 1, "{rec}");
    assert!(rec["revisits"]["new"].as_u64().unwrap() >= 1, "{rec}");
    assert!(
        out.contains("列表变化 1") && out.contains("列表移除 1"),
        "{out}"
    );

    // The removed page's 404 is a finding on the carried page that links it, with the night
    // that page was last verified.
    let f = run_ok(&[
        "findings",
        "--db",
        n.db.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    let line = f
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| {
            v["rule"] == "link.broken"
                && v["url"] == url(linker).as_str()
                && v["target"] == url(removed).as_str()
        })
        .unwrap_or_else(|| panic!("no finding on the removed page's link:\n{f}"));
    assert_eq!(line["last_verified"], "2026-03-01", "{line}");
    // The page with a finding was fetched tonight, and says so.
    let broken = f
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["url"] == url(BROKEN_ON).as_str())
        .unwrap_or_else(|| panic!("no finding on article {BROKEN_ON}:\n{f}"));
    assert_eq!(broken["last_verified"], night);
    let csv = run_ok(&[
        "findings",
        "--db",
        n.db.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(csv.lines().next().unwrap().contains("最后核实"), "{csv}");
}

/// A night carries forward rows whose page models an older extractor wrote: they are read
/// again from the stored bytes, as `check` does (only a new full scan, which wrote every row
/// itself, skips that comparison).
#[test]
fn a_night_reads_again_the_carried_pages_an_older_extractor_read() {
    let portal = Portal::start(FixtureOptions::default());
    Site::all_live().publish(&portal);
    let dir = tempfile::tempdir().unwrap();
    let n = Nights::new(&portal, dir.path(), 7);
    n.scan("2026-03-01", &[]);
    // The articles' models as an older extractor stored them.
    let old = rusqlite::Connection::open(&n.db)
        .unwrap()
        .execute(
            "UPDATE fetches SET extractor_version = 0, title = '旧模型',
                    model = json_set(model, '$.title', '旧模型')
             WHERE run_id = 1 AND url LIKE '%/t20260201_%' AND model IS NOT NULL",
            [],
        )
        .unwrap();
    assert_eq!(old, ARTICLES);
    n.scan("2026-03-02", &[]);
    let run = latest_run(&n.db);
    let conn = open_db(&n.db);
    let mut stmt = conn
        .prepare(
            "SELECT f.url, f.carried_from IS NOT NULL, f.model IS NOT NULL, f.extractor_version,
                    json_extract(f.model, '$.title')
             FROM fetches f WHERE f.run_id = ?1 AND f.url LIKE '%/t20260201_%'",
        )
        .unwrap();
    /// url, carried, has a model of its own, extractor version, the model's title.
    type Row = (String, bool, bool, Option<i64>, Option<String>);
    let rows: Vec<Row> = stmt
        .query_map([run], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), ARTICLES);
    assert!(rows.iter().any(|r| r.1), "no article carried: {rows:?}");
    for (url, _, has_model, version, title) in &rows {
        assert!(*has_model, "{url}: no model of its own");
        assert!(version.is_some_and(|v| v > 0), "{url}: version {version:?}");
        assert!(
            title
                .as_deref()
                .is_some_and(|t| !t.is_empty() && t != "旧模型"),
            "{url}: {title:?}"
        );
    }
}

/// Days since 1970-01-01 of a YYYY-MM-DD date (the schedule's night number).
fn days(date: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .unwrap()
        .signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

/// (rule, url) of a run's findings, for failure messages.
fn finding_rows(db: &Path, run: i64) -> Vec<(String, String)> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare("SELECT rule, url || ' ' || coalesce(target, '') FROM findings WHERE run_id = ?1 AND rule NOT LIKE 'column.%' ORDER BY url")
        .unwrap();
    let out = stmt
        .query_map([run], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    out
}

fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}
