//! The batched writer thread: batching, errors, async API, readers beside it, throughput.

use super::{assert_consistent, count, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::{FetchPurpose, FetchRecord};
use std::time::{Duration, Instant};

#[test]
fn writer_batches_and_flushes() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();

    // Hold the write lock so the writer stalls on its first batch while the channel fills up.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    handle
        .blocking_enqueue(vec![FrontierEntry::get(
            format!("{HOST}/"),
            FetchPurpose::Crawl,
            0,
        )])
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    for i in 0..150 {
        let url = format!("{HOST}/p{i}");
        let follow = vec![FrontierEntry::get(
            format!("{url}/child"),
            FetchPurpose::Crawl,
            2,
        )];
        handle.blocking_record(page(&url, 2), follow).unwrap();
    }
    assert_eq!(
        count(&store, "SELECT count(*) FROM fetches"),
        0,
        "not committed yet"
    );
    blocker.execute_batch("COMMIT").unwrap();
    handle.blocking_flush().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 150);
    assert_eq!(count(&store, "SELECT count(*) FROM frontier"), 301);
    assert_eq!(count(&store, "SELECT count(*) FROM links"), 450);
    // Every page has the same three links: stored once, listed by 150 pages.
    assert_eq!(count(&store, "SELECT count(*) FROM link_defs"), 3);
    assert_eq!(count(&store, "SELECT count(*) FROM page_links"), 150);
    // Same record again: upsert, no duplicates.
    writer.record(page(&format!("{HOST}/p0"), 2)).unwrap();
    writer.flush().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 150);
    let stats = writer.finish().unwrap();
    assert_eq!(stats.records, 151);
    assert_eq!(stats.frontier_new, 151);
    assert_eq!(stats.links, 453);
    assert_eq!(stats.bodies_new, 150);
    assert_eq!(stats.bodies_dedup, 1);
    // 1 (stalled first) + 150 records in batches of <= 200 items (record + follow = 2 items).
    assert!(stats.transactions <= 4, "{stats:?}");
    // Sending after finish fails cleanly.
    assert!(matches!(
        handle.blocking_flush().unwrap_err(),
        StoreError::Writer { .. }
    ));
    assert_consistent(&store, run);
}

/// A record prepared ahead (hashed, JSON made, and compressed or not) is stored exactly as the
/// writer stores it unprepared: the same fetch row, body row, links and text.
#[test]
fn prepared_records_store_the_same_rows() {
    let rows = |prepare: Option<bool>| {
        let (_d, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let run = store.begin_run(&new_run("s")).unwrap();
        let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
        for i in 0..3 {
            let mut rec = page(&format!("{HOST}/p{i}"), 3);
            rec.redirects = vec![gongkai_core::RedirectHop {
                url: format!("{HOST}/old{i}"),
                status: 301,
                location: format!("/p{i}"),
            }];
            if let Some(m) = rec.model.as_mut() {
                m.text = format!("第{i}页的正文");
            }
            let mut cmd = StoreCommand::record(rec, Vec::new());
            if let Some(compress) = prepare {
                cmd.prepare(compress);
                assert!(matches!(
                    &cmd,
                    StoreCommand::Record {
                        prepared: Some(_),
                        ..
                    }
                ));
            }
            handle.blocking_send(cmd).unwrap();
        }
        // The same body again: stored once whether compressed ahead or not.
        let mut again = StoreCommand::record(page(&format!("{HOST}/p0"), 3), Vec::new());
        if let Some(compress) = prepare {
            again.prepare(compress);
        }
        handle.blocking_send(again).unwrap();
        let stats = writer.finish().unwrap();
        assert_eq!((stats.bodies_new, stats.bodies_dedup), (3, 1));
        assert_consistent(&store, run);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut out: Vec<String> = Vec::new();
        for sql in [
            "SELECT url, redirects, headers, body_sha256, model, text, title, links_apart
             FROM fetches ORDER BY url",
            "SELECT sha256, raw_len, compression, hex(data) FROM bodies ORDER BY sha256",
            "SELECT f.url, p.defs FROM page_links p JOIN fetches f ON f.id = p.source_fetch_id
             ORDER BY 1",
            "SELECT * FROM link_defs ORDER BY id",
        ] {
            let mut stmt = conn.prepare(sql).unwrap();
            let n = stmt.column_count();
            let mut q = stmt.query([]).unwrap();
            while let Some(r) = q.next().unwrap() {
                let cols: Vec<String> = (0..n)
                    .map(|c| format!("{:?}", r.get_ref(c).unwrap()))
                    .collect();
                out.push(cols.join("|"));
            }
        }
        out
    };
    let plain = rows(None);
    assert!(plain.len() > 8, "{plain:?}");
    assert_eq!(rows(Some(true)), plain);
    assert_eq!(rows(Some(false)), plain);
}

#[test]
fn writer_reports_errors() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert!(matches!(
        StoreWriter::spawn(&path, 42).err().unwrap(),
        StoreError::RunNotFound { run_id: 42, .. }
    ));
    let run = store.begin_run(&new_run("s")).unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    // Remove the run under the writer: its next insert violates the foreign key.
    store.connection().execute("DELETE FROM runs", []).unwrap();
    handle
        .blocking_record(page(&format!("{HOST}/"), 1), vec![])
        .unwrap();
    let err = handle.blocking_flush().unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    assert!(handle.blocking_enqueue(vec![]).is_err());
    assert!(matches!(
        writer.finish().unwrap_err(),
        StoreError::Sqlite { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_async_api() {
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let h = handle.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                let url = format!("{HOST}/t{t}/{i}");
                h.enqueue(vec![FrontierEntry::get(&url, FetchPurpose::Crawl, 1)])
                    .await
                    .unwrap();
                h.record(page(&url, 1), vec![]).await.unwrap();
            }
            h.flush().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    match handle.try_send(StoreCommand::Enqueue(vec![])) {
        Ok(()) | Err(TrySendError::Full(_)) => {}
        Err(TrySendError::Closed(e)) => panic!("{e}"),
    }
    let stats = writer.finish_async().await.unwrap();
    assert_eq!(stats.records, 200);
    let store = Store::open_readonly(&path).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 200);
    assert!(store.frontier_pending(run).unwrap().is_empty());
    assert_consistent(&store, run);
}

#[test]
fn readonly_reads_while_writer_writes() {
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let producer = std::thread::spawn(move || {
        for i in 0..400 {
            handle
                .blocking_record(page(&format!("{HOST}/r{i}"), 5), vec![])
                .unwrap();
            if i % 50 == 0 {
                handle.blocking_flush().unwrap();
            }
        }
    });
    let reader = Store::open_readonly(&path).unwrap();
    let mut last = 0;
    let mut observations = 0;
    while !producer.is_finished() {
        let n = count(&reader, "SELECT count(*) FROM fetches");
        assert!(n >= last, "counts only grow");
        // Each committed record has all its links (readers see whole transactions).
        let links = count(&reader, "SELECT count(*) FROM links");
        assert!(links >= n * 6, "{links} links for {n} fetches");
        last = n;
        observations += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    producer.join().unwrap();
    writer.finish().unwrap();
    assert_eq!(count(&reader, "SELECT count(*) FROM fetches"), 400);
    assert!(observations > 0);
    // Readers cannot write.
    assert!(reader.begin_run(&new_run("s")).is_err());
}

/// Process CPU seconds (Linux; 0 elsewhere), for throughput figures on a busy machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
            let ticks: f64 =
                after.get(11)?.parse::<f64>().ok()? + after.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// Throughput: `GONGKAI_STORE_PERF_PAGES` pages (default 2,000) with 40 links each through the
/// writer. Run with 20000 in release to see the production figure.
#[test]
fn writer_throughput() {
    let pages: usize = std::env::var("GONGKAI_STORE_PERF_PAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let n_links: usize = std::env::var("GONGKAI_STORE_PERF_LINKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let with_follow = std::env::var("GONGKAI_STORE_PERF_FOLLOW").as_deref() != Ok("0");
    let records: Vec<FetchRecord> = (0..pages)
        .map(|i| {
            let url = format!("{HOST}/p/{i}.html");
            let mut r = page(&url, n_links);
            r.body = Some(
                format!("<html><title>{i}</title>{}</html>", "公开目录 ".repeat(500)).into_bytes(),
            );
            r
        })
        .collect();
    let started = Instant::now();
    let cpu = cpu_secs();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let producer = std::thread::spawn(move || {
        for r in records {
            if !with_follow {
                handle.blocking_record(r, vec![]).unwrap();
                continue;
            }
            let follow = r
                .model
                .as_ref()
                .unwrap()
                .links
                .iter()
                .filter_map(|l| l.url.clone())
                .map(|u| FrontierEntry::get(u, FetchPurpose::Crawl, 2))
                .collect();
            handle.blocking_record(r, follow).unwrap();
        }
    });
    producer.join().unwrap();
    let stats = writer.finish().unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "stored {pages} pages, {} links in {elapsed:?}, {:.2} s CPU ({} transactions)",
        stats.links,
        cpu_secs() - cpu,
        stats.transactions
    );
    assert_eq!(stats.records as usize, pages);
    let per_page = if n_links > 0 { n_links + 1 } else { 0 };
    assert_eq!(stats.links as usize, pages * per_page);
    let store = Store::open_readonly(&path).unwrap();
    let t = Instant::now();
    let cpu = cpu_secs();
    let site = store.load_site(run).unwrap();
    eprintln!(
        "load_site: {:?}, {:.2} s CPU",
        t.elapsed(),
        cpu_secs() - cpu
    );
    assert_eq!(site.pages.len(), pages);
    assert_eq!(site.link_table.len(), pages * per_page);
}
