//! The fleet's PostgreSQL schema, versioned like the SQLite store's: each migration runs once,
//! in order, in its own transaction, and `schema_version` records the ones applied.

use crate::db::Db;
use crate::{FleetError, Result};
use tokio_postgres::types::Type;

/// Migrations in order; the version of migration `i` is `i + 1`. Never edit one that shipped:
/// append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: sites, the queue of site-runs, published runs and findings.
    r"
CREATE TABLE sites (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    url          TEXT NOT NULL UNIQUE,
    authority    TEXT NOT NULL,
    platform     TEXT,
    platform_key TEXT NOT NULL,
    config_path  TEXT,
    config_text  TEXT,
    added_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE site_runs (
    id           BIGSERIAL PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    state        TEXT NOT NULL DEFAULT 'due'
                 CHECK (state IN ('due', 'running', 'done', 'failed')),
    platform_key TEXT NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts     INT NOT NULL DEFAULT 0,
    worker       TEXT,
    lease_token  BIGINT,
    lease_until  TIMESTAMPTZ,
    claimed_at   TIMESTAMPTZ,
    heartbeat_at TIMESTAMPTZ,
    reason       TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ
);
-- One open site-run per site, and one running site-run per platform: the database itself
-- refuses a second crawler on a platform, whatever a worker's claim query does.
CREATE UNIQUE INDEX site_runs_one_open ON site_runs (site_id) WHERE state IN ('due', 'running');
CREATE UNIQUE INDEX site_runs_platform_running ON site_runs (platform_key) WHERE state = 'running';
CREATE INDEX site_runs_due ON site_runs (due_at, id) WHERE state IN ('due', 'running');
CREATE TABLE runs (
    site_run_id   BIGINT PRIMARY KEY REFERENCES site_runs(id) ON DELETE CASCADE,
    site_id       BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    worker        TEXT NOT NULL,
    status        TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    pages         BIGINT NOT NULL,
    coverage      JSONB NOT NULL,
    scorecard     JSONB NOT NULL,
    tool_version  TEXT NOT NULL,
    rules_version TEXT,
    report_html   TEXT
);
CREATE TABLE findings (
    site_run_id BIGINT NOT NULL REFERENCES runs(site_run_id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    url         TEXT NOT NULL,
    target      TEXT,
    department  TEXT NOT NULL,
    message     TEXT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (site_run_id, fingerprint)
);
",
];

/// The newest schema version this binary knows.
pub fn latest() -> i32 {
    i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
}

/// Key of the advisory lock that serialises concurrent `fleet init`s.
const INIT_LOCK: i64 = 0x676f_6e67_6b61_6901;

/// Creates or migrates the schema; returns (version before, version after). Safe to run from
/// several machines at once: an advisory lock serialises them.
pub async fn migrate(db: &Db) -> Result<(i32, i32)> {
    db.begin().await?;
    let r = migrate_locked(db).await;
    match r {
        Ok(v) => {
            db.commit().await?;
            Ok(v)
        }
        Err(e) => {
            db.rollback().await;
            Err(e)
        }
    }
}

async fn migrate_locked(db: &Db) -> Result<(i32, i32)> {
    db.query(
        "SELECT pg_advisory_xact_lock($1)",
        &[(&INIT_LOCK, Type::INT8)],
        "locking for migration",
    )
    .await?;
    db.batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
        "creating schema_version",
    )
    .await?;
    let before = current(db).await?;
    if before > latest() {
        return Err(FleetError::SchemaTooNew {
            found: before,
            known: latest(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(before.max(0) as usize) {
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        db.batch(sql, &format!("applying migration {version}"))
            .await?;
        db.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[(&version, Type::INT4)],
            "recording the migration",
        )
        .await?;
    }
    Ok((before, latest()))
}

async fn current(db: &Db) -> Result<i32> {
    let rows = db
        .query(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            &[],
            "reading schema_version",
        )
        .await?;
    Ok(rows.first().map_or(0, |r| r.get(0)))
}

/// Fails unless the schema is initialised and current (every command but `init` calls this).
pub async fn check(db: &Db) -> Result<()> {
    let rows = db
        .query(
            "SELECT to_regclass('schema_version') IS NOT NULL",
            &[],
            "checking the schema",
        )
        .await?;
    if !rows.first().is_some_and(|r| r.get::<_, bool>(0)) {
        return Err(FleetError::NotInitialised);
    }
    let v = current(db).await?;
    if v > latest() {
        return Err(FleetError::SchemaTooNew {
            found: v,
            known: latest(),
        });
    }
    if v < latest() {
        return Err(FleetError::NotInitialised);
    }
    Ok(())
}
