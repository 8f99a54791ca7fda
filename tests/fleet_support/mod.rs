//! The PostgreSQL server of the fleet tests: `$GONGKAI_TEST_PG` (CI starts one with .ci/pg.sh),
//! else a private instance started here with the same script when `initdb` is available, else
//! none and the tests say they are skipped. Each test gets a database of its own.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A server to create test databases on.
pub struct Pg {
    base: String,
    /// Set when this process started the server (stopped on drop).
    own: Option<tempfile::TempDir>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/pg.sh")
}

impl Pg {
    /// The server, or None (with a note on stderr) when there is none to be had.
    pub fn get() -> Option<Pg> {
        if let Ok(url) = std::env::var("GONGKAI_TEST_PG") {
            return Some(Pg {
                base: url,
                own: None,
            });
        }
        let found = std::process::Command::new("bash")
            .args([
                "-c",
                "command -v initdb || ls /usr/lib/postgresql/*/bin/initdb",
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            eprintln!(
                "SKIPPED: no PostgreSQL (set GONGKAI_TEST_PG or install postgresql; .ci/run does)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(dir.path().join("pg"))
            .output()
            .expect("run .ci/pg.sh");
        assert!(
            out.status.success(),
            "pg.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let url = text
            .trim()
            .strip_prefix("export GONGKAI_TEST_PG=")
            .expect("pg.sh prints the URL")
            .to_string();
        Some(Pg {
            base: url,
            own: Some(dir),
        })
    }

    /// A new empty database; returns its URL.
    pub fn fresh_db(&self) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "gongkai_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        sql(&self.base, &format!("CREATE DATABASE {name}"));
        let (head, _) = self.base.rsplit_once('/').expect("URL with a database");
        format!("{head}/{name}")
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let _ = std::process::Command::new("bash")
                .arg(script())
                .arg("stop")
                .arg(dir.path().join("pg"))
                .output();
        }
    }
}

/// Runs `query` on `url`; returns the rows as text (NULL as None).
pub fn sql(url: &str, query: &str) -> Vec<Vec<Option<String>>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL");
        let task = tokio::spawn(conn);
        let msgs = client.simple_query(query).await.expect(query);
        drop(client);
        let _ = task.await;
        msgs.into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect()
    })
}

/// The first column of the first row.
pub fn scalar(url: &str, query: &str) -> String {
    sql(url, query)
        .first()
        .and_then(|r| r.first().cloned().flatten())
        .unwrap_or_default()
}
