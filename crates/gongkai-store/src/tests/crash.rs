//! Crash consistency: a writer killed with SIGKILL leaves a consistent, resumable frontier.

use super::{assert_consistent, count, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::FetchPurpose;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Child half of `kill_minus_nine_keeps_frontier_consistent`: writes until killed.
#[test]
fn kill_child() {
    let Ok(db) = std::env::var("GONGKAI_STORE_KILL_CHILD") else {
        return;
    };
    let path = PathBuf::from(db);
    let run: i64 = std::env::var("GONGKAI_STORE_KILL_RUN")
        .unwrap()
        .parse()
        .unwrap();
    let (_writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    handle
        .blocking_enqueue(vec![FrontierEntry::get(
            format!("{HOST}/n/0"),
            FetchPurpose::Crawl,
            0,
        )])
        .unwrap();
    // A breadth-first crawl of a binary tree: fetching n/i discovers n/(2i+1) and n/(2i+2).
    // Bounded in time so that an orphaned child (parent panicked) does not run forever.
    let deadline = Instant::now() + Duration::from_secs(120);
    for i in 0u64.. {
        if Instant::now() > deadline {
            return;
        }
        let url = format!("{HOST}/n/{i}");
        let follow = [2 * i + 1, 2 * i + 2]
            .iter()
            .map(|c| {
                FrontierEntry::get(format!("{HOST}/n/{c}"), FetchPurpose::Crawl, 1)
                    .with_parent(&url)
            })
            .collect();
        handle.blocking_record(page(&url, 20), follow).unwrap();
    }
}

fn fetched_count(path: &Path) -> i64 {
    Store::open_readonly(path)
        .ok()
        .and_then(|s| {
            s.connection()
                .query_row("SELECT count(*) FROM fetches", [], |r| r.get(0))
                .ok()
        })
        .unwrap_or(0)
}

#[test]
fn kill_minus_nine_keeps_frontier_consistent() {
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    /// Kills the child if an assertion below panics.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = std::process::Command::new(exe)
        .args([
            "--exact",
            "tests::crash::kill_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GONGKAI_STORE_KILL_CHILD", &path)
        .env("GONGKAI_STORE_KILL_RUN", run.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(KillOnDrop)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while fetched_count(&path) < 300 {
        assert!(Instant::now() < deadline, "child wrote too little");
        assert!(child.0.try_wait().unwrap().is_none(), "child exited early");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.0.kill().unwrap(); // SIGKILL: no destructor, no commit of the open transaction
    child.0.wait().unwrap();

    let store = Store::open(&path).unwrap();
    assert_consistent(&store, run);
    let fetched = count(&store, "SELECT count(*) FROM fetches");
    assert!(fetched >= 300);
    // Every fetched node's children were queued in the same transaction.
    let missing_children: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM fetches f
             WHERE (SELECT count(*) FROM frontier fr WHERE fr.parent = f.url) <> 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(missing_children, 0);
    // Fetched nodes are a prefix 0..n of the tree (the writer committed in order).
    let mut nodes: Vec<i64> = store
        .fetches(run)
        .unwrap()
        .iter()
        .map(|f| f.record.url.rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    nodes.sort_unstable();
    assert_eq!(nodes, (0..fetched).collect::<Vec<_>>());
    // Resume: the pending entries are exactly the unfetched children; finishing them leaves
    // nothing pending.
    let pending = store.frontier_pending(run).unwrap();
    let seen = store.frontier_seen(run).unwrap();
    assert_eq!(pending.len() as i64 + fetched, seen.len() as i64);
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    for e in &pending {
        handle.blocking_record(page(&e.url, 0), vec![]).unwrap();
    }
    writer.finish().unwrap();
    assert!(store.frontier_pending(run).unwrap().is_empty());
    assert_consistent(&store, run);
}
