//! Schema migrations (SQLite `user_version`) and connection setup.
//!
//! Migrations are append-only: never edit a released one, add a new `M::up` instead and document
//! it in `docs/schema.md`.

use crate::error::StoreError;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::time::Duration;

/// Version 1: the initial schema (crate-visible so a test can build a v1 database to migrate).
pub(crate) const V1: &str = r#"
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    site            TEXT NOT NULL,
    start_urls      TEXT NOT NULL DEFAULT '[]',
    settings        TEXT NOT NULL DEFAULT '{}',
    tool_version    TEXT NOT NULL,
    rules_version   TEXT,
    config_hash     TEXT,
    as_of           TEXT NOT NULL
                    CHECK (as_of GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'interrupted')),
    outcome_counts  TEXT,
    pages_fetched   INTEGER,
    checked_at      TEXT
);
CREATE INDEX runs_site ON runs(site, id);

CREATE TABLE bodies (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    raw_len     INTEGER NOT NULL,
    compression TEXT NOT NULL CHECK (compression IN ('zstd', 'none')),
    data        BLOB NOT NULL,
    stored_at   TEXT NOT NULL
);

CREATE TABLE fetches (
    id                INTEGER PRIMARY KEY,
    run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    request_key       TEXT NOT NULL,
    url               TEXT NOT NULL,
    method            TEXT NOT NULL CHECK (method IN ('GET', 'HEAD', 'POST')),
    request_body      TEXT,
    purpose           TEXT NOT NULL CHECK (purpose IN ('crawl', 'check', 'soft-404-probe')),
    depth             INTEGER NOT NULL,
    outcome           TEXT NOT NULL,
    status            INTEGER,
    final_url         TEXT NOT NULL,
    redirects         TEXT NOT NULL DEFAULT '[]',
    headers           TEXT NOT NULL DEFAULT '[]',
    content_type      TEXT,
    charset           TEXT,
    etag              TEXT,
    last_modified     TEXT,
    fetched_at        TEXT NOT NULL,
    elapsed_ms        INTEGER NOT NULL,
    body_sha256       TEXT REFERENCES bodies(sha256),
    body_truncated    INTEGER NOT NULL DEFAULT 0,
    not_modified      INTEGER NOT NULL DEFAULT 0,
    error             TEXT,
    title             TEXT,
    attempts          INTEGER NOT NULL DEFAULT 1,
    model             TEXT,
    extractor_version INTEGER,
    UNIQUE (run_id, request_key)
);
CREATE INDEX fetches_run_url ON fetches(run_id, url);
CREATE INDEX fetches_url ON fetches(url);

CREATE TABLE links (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    source_fetch_id INTEGER NOT NULL REFERENCES fetches(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    target_url      TEXT,
    raw             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    element         TEXT NOT NULL,
    anchor          TEXT NOT NULL,
    skip            TEXT
);
CREATE INDEX links_source ON links(source_fetch_id);
CREATE INDEX links_run ON links(run_id);

CREATE TABLE frontier (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    request_key  TEXT NOT NULL,
    url          TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('GET', 'HEAD', 'POST')),
    request_body TEXT,
    purpose      TEXT NOT NULL CHECK (purpose IN ('crawl', 'check', 'soft-404-probe')),
    depth        INTEGER NOT NULL,
    parent       TEXT,
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done')),
    fetch_id     INTEGER REFERENCES fetches(id) ON DELETE SET NULL,
    UNIQUE (run_id, request_key)
);
CREATE INDEX frontier_run_state ON frontier(run_id, state, id);

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('notice', 'warning', 'error')),
    url         TEXT NOT NULL,
    target      TEXT,
    department  TEXT NOT NULL,
    ledger      TEXT NOT NULL DEFAULT '[]',
    message     TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '{}',
    fingerprint TEXT NOT NULL,
    fetch_id    INTEGER REFERENCES fetches(id) ON DELETE SET NULL
);
CREATE INDEX findings_run_rule ON findings(run_id, rule);
CREATE INDEX findings_fingerprint ON findings(fingerprint);

-- Every link with its source page and what fetching its target gave (latest fetch of that URL
-- in the same run; NULL columns when the target was never fetched).
CREATE VIEW link_targets AS
SELECT l.run_id          AS run_id,
       l.id              AS link_id,
       l.source_fetch_id AS source_fetch_id,
       s.url             AS source_url,
       s.title           AS source_title,
       l.seq             AS seq,
       l.target_url      AS target_url,
       l.raw             AS raw,
       l.kind            AS kind,
       l.element         AS element,
       l.anchor          AS anchor,
       l.skip            AS skip,
       t.id              AS target_fetch_id,
       t.outcome         AS target_outcome,
       t.status          AS target_status,
       t.final_url       AS target_final_url
FROM links l
JOIN fetches s ON s.id = l.source_fetch_id
LEFT JOIN fetches t ON t.id = (
    SELECT max(f.id) FROM fetches f WHERE f.run_id = l.run_id AND f.url = l.target_url
);
"#;

/// Version 2: the frontier remembers why an entry was queued, so that a resumed crawl makes the
/// same decisions as an uninterrupted one: `link_kind` (the `gongkai_core::LinkKind` serde code;
/// HEAD or GET for checks) and `column_name` (Hanweb list POSTs carry their column's name).
/// Both NULL for rows written before (and for fetches recorded without being queued).
const V2: &str = r#"
ALTER TABLE frontier ADD COLUMN link_kind TEXT;
ALTER TABLE frontier ADD COLUMN column_name TEXT;
"#;

/// Version 3: coverage. `runs.status` may be `partial` (a crawl limit cut the run; the table is
/// rebuilt because SQLite cannot alter a CHECK constraint), `runs.coverage` holds the run's
/// coverage JSON (`gongkai_core::Coverage`), and `cut_urls` keeps every URL found but not
/// crawled, with the reason (one row per request key and run, so a resume counts it once).
/// Runs with foreign keys off (see [`open_rw`]), as SQLite's table-rebuild procedure asks.
const V3: &str = r#"
CREATE TABLE runs_v3 (
    id              INTEGER PRIMARY KEY,
    site            TEXT NOT NULL,
    start_urls      TEXT NOT NULL DEFAULT '[]',
    settings        TEXT NOT NULL DEFAULT '{}',
    tool_version    TEXT NOT NULL,
    rules_version   TEXT,
    config_hash     TEXT,
    as_of           TEXT NOT NULL
                    CHECK (as_of GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'interrupted', 'partial')),
    outcome_counts  TEXT,
    pages_fetched   INTEGER,
    checked_at      TEXT,
    coverage        TEXT
);
INSERT INTO runs_v3 (id, site, start_urls, settings, tool_version, rules_version, config_hash,
                     as_of, started_at, finished_at, status, outcome_counts, pages_fetched,
                     checked_at)
SELECT id, site, start_urls, settings, tool_version, rules_version, config_hash, as_of,
       started_at, finished_at, status, outcome_counts, pages_fetched, checked_at
FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v3 RENAME TO runs;
CREATE INDEX runs_site ON runs(site, id);

CREATE TABLE cut_urls (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    request_key TEXT NOT NULL,
    url         TEXT NOT NULL,
    reason      TEXT NOT NULL,
    parent      TEXT,
    UNIQUE (run_id, request_key)
);
"#;

/// Version 4: each link remembers where on its page it sits (`gongkai_core::LinkRegion` serde
/// code: content, related, chrome, other), so a document's own links can be told from template
/// links in SQL too. NULL for rows written before.
const V4_LINK_REGION: &str = r#"
ALTER TABLE links ADD COLUMN region TEXT;
"#;

/// Version 5: evidence seals (issue 15): `manifests` is the signed, hash-chained list of run manifests
/// (no foreign key to `runs`: a deleted run must leave its seal behind), `sealed_leaves` the leaf
/// hashes each manifest committed to, so that `gongkai evidence verify` can name which fetch or
/// finding no longer matches. The manifest bytes are the exact signed canonical JSON.
const V_EVIDENCE: &str = r#"
CREATE TABLE manifests (
    seq        INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL,
    manifest   TEXT NOT NULL,
    hash       TEXT NOT NULL CHECK (length(hash) = 64),
    signature  TEXT NOT NULL,
    sealed_at  TEXT NOT NULL
);
CREATE INDEX manifests_run ON manifests(run_id, seq);

CREATE TABLE sealed_leaves (
    seq   INTEGER NOT NULL REFERENCES manifests(seq) ON DELETE CASCADE,
    tree  TEXT NOT NULL CHECK (tree IN ('fetch', 'finding')),
    idx   INTEGER NOT NULL,
    key   TEXT NOT NULL,
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (seq, tree, idx)
) WITHOUT ROWID;
"#;

/// Version 6: text extracted from attachments read in full, one row per body (deduplicated by
/// sha256 like the bodies, so a rescan whose 304 reuses a body reuses its text). `chunks` is
/// zstd-compressed JSON `[{"loc": "Sheet2!C5", "text": "..."}, ...]`; `status` says whether
/// text came out, `reason` why not (`encrypted`, `no-text`, `corrupt`, `hostile`,
/// `unsupported`, `timeout`). Rows of another `extractor_version` are extracted again.
const V6_ATTACHMENT_TEXTS: &str = r#"
CREATE TABLE attachment_texts (
    body_sha256       TEXT PRIMARY KEY REFERENCES bodies(sha256),
    extractor_version INTEGER NOT NULL,
    format            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('read', 'unreadable')),
    reason            TEXT,
    detail            TEXT,
    cut               INTEGER NOT NULL DEFAULT 0,
    chunks            BLOB,
    extracted_at      TEXT NOT NULL
);
"#;

/// Version 8: run health. `degraded` holds why a finished run is not trusted to stand for the
/// whole site (far fewer pages than the last complete run, start page blocked or unreachable;
/// Chinese, NULL for a healthy run); `unconfirmed` counts broken links held back until they fail
/// in `confirm_runs` consecutive runs (NULL before the rules ran).
const V8_RUN_HEALTH: &str = r#"
ALTER TABLE runs ADD COLUMN degraded TEXT;
ALTER TABLE runs ADD COLUMN unconfirmed INTEGER;
"#;

/// Version 7: `gongkai serve` (departments close the loop): accounts (the office administrator
/// and one per 责任单位), credentials (sign-in links, API tokens and sessions, stored only as
/// sha256 of the secret), rechecks (申请复核, with the re-fetch as JSON evidence), waivers
/// (申请豁免, bound to the page body they were asked on) and the append-only audit table
/// (triggers refuse UPDATE and DELETE). Rechecks and waivers follow a finding by fingerprint, so
/// they survive later runs.
const V7_SERVE: &str = r#"
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'department')),
    department    TEXT,
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'admin') = (department IS NULL))
);
CREATE UNIQUE INDEX accounts_department ON accounts(department) WHERE department IS NOT NULL;
CREATE UNIQUE INDEX accounts_one_admin ON accounts(role) WHERE role = 'admin';

CREATE TABLE credentials (
    token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('signin', 'api', 'session')),
    csrf         TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    used_at      TEXT
);
CREATE INDEX credentials_account ON credentials(account_id, kind);

CREATE TABLE rechecks (
    id           INTEGER PRIMARY KEY,
    fingerprint  TEXT NOT NULL,
    finding_id   INTEGER,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    requested_at TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('resolved', 'open', 'site-wide', 'failed')),
    message      TEXT NOT NULL,
    evidence     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX rechecks_fingerprint ON rechecks(fingerprint, id);

CREATE TABLE waivers (
    id           INTEGER PRIMARY KEY,
    fingerprint  TEXT NOT NULL,
    finding_id   INTEGER,
    reason       TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES accounts(id),
    requested_at TEXT NOT NULL,
    body_sha256  TEXT,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   INTEGER REFERENCES accounts(id),
    decided_at   TEXT
);
CREATE INDEX waivers_fingerprint ON waivers(fingerprint, id);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    account_id  INTEGER,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    fingerprint TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT
);
CREATE INDEX audit_fingerprint ON audit(fingerprint, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"#;

/// `link_targets` as version 9 made it (links through `carried_from`), made again by version 12
/// over the `links` view.
macro_rules! link_targets_view {
    () => {
        r#"CREATE VIEW link_targets AS
SELECT s.run_id          AS run_id,
       l.id              AS link_id,
       s.id              AS source_fetch_id,
       s.url             AS source_url,
       s.title           AS source_title,
       l.seq             AS seq,
       l.target_url      AS target_url,
       l.raw             AS raw,
       l.kind            AS kind,
       l.element         AS element,
       l.anchor          AS anchor,
       l.skip            AS skip,
       t.id              AS target_fetch_id,
       t.outcome         AS target_outcome,
       t.status          AS target_status,
       t.final_url       AS target_final_url
FROM fetches s
JOIN links l ON l.source_fetch_id = COALESCE(s.carried_from, s.id)
LEFT JOIN fetches t ON t.id = (
    SELECT max(f.id) FROM fetches f WHERE f.run_id = s.run_id AND f.url = l.target_url
);
"#
    };
}

/// Version 9 (issue 11, incremental nights): a rescan fetches what changes often every night
/// and the rest on a rolling schedule; rows it did not fetch are carried from the previous run.
/// `fetches.verified_on` is the night (YYYY-MM-DD) the row's answer was last verified (NULL for
/// rows written before: their `fetched_at` date), `fetches.carried_from` the original fetch row
/// a carried row stands for (NULL for rows fetched in the run): a carried row has no model
/// (NULL) and no `links` rows of its own, it shares its original's. `link_targets` follows
/// `carried_from`, so it lists every run's links. `runs.nights` is the run's revisit record
/// (JSON: mode, base run, night, revisit days, counts by reason, carried rows and their dates).
const V9_NIGHTS: &str = concat!(
    r#"
ALTER TABLE fetches ADD COLUMN verified_on TEXT;
ALTER TABLE fetches ADD COLUMN carried_from INTEGER;
ALTER TABLE runs ADD COLUMN nights TEXT;

DROP VIEW link_targets;
"#,
    link_targets_view!()
);

/// Version 10 (issue 11): a page's text is stored once, in `fetches.text`, read directly by the
/// rules instead of through `json_extract` over the whole model. Rows written since hold their
/// model JSON without `text` (readers put it back); rows whose `text` is NULL (written before,
/// or without a model) keep it inside the model JSON, so old rows read as they did.
const V10_PAGE_TEXT: &str = r#"
ALTER TABLE fetches ADD COLUMN text TEXT;
"#;

/// Version 11 (issue 11): a crawled page's links are stored once, as its `links` rows, and no
/// longer also inside its model JSON (they were two thirds of its bytes, read again with every
/// column after it). `links` gains `hidden`, the one field of a link the rows lacked;
/// `fetches.links_apart` is 1 for rows whose model JSON was written without its links (readers
/// take them from the rows). Older rows keep their links in the JSON and read as they did.
/// The index `links_run` goes: no reader looks links up by run (they go through their source
/// fetch), and every link stored paid for it.
const V11_LINKS_APART: &str = r#"
ALTER TABLE links ADD COLUMN hidden TEXT;
ALTER TABLE fetches ADD COLUMN links_apart INTEGER NOT NULL DEFAULT 0;
DROP INDEX links_run;
"#;

/// Version 12 (issue 11): a crawled page's links are stored as distinct links and lists of them.
/// `link_defs` holds each distinct link once (the template's navigation is the same on every
/// page: 922,523 link rows of a 20,000-page portal were 91,613 distinct links); `page_links` is
/// one row per page, `defs` its links' `link_defs` ids in page order as a JSON array. `links`
/// becomes a view with the table's columns, `seq` a link's position on its page and `id` its
/// `link_defs` id (shared by every page with the same link). Existing rows are converted, each
/// link row becoming its own `link_defs` row under its old id.
const V12_LINK_DEFS: &str = concat!(
    r#"
CREATE TABLE link_defs (
    id         INTEGER PRIMARY KEY,
    target_url TEXT,
    raw        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    element    TEXT NOT NULL,
    anchor     TEXT NOT NULL,
    skip       TEXT,
    region     TEXT,
    hidden     TEXT
);
CREATE TABLE page_links (
    source_fetch_id INTEGER PRIMARY KEY REFERENCES fetches(id) ON DELETE CASCADE,
    defs            TEXT NOT NULL
);
INSERT INTO link_defs (id, target_url, raw, kind, element, anchor, skip, region, hidden)
SELECT id, target_url, raw, kind, element, anchor, skip, region, hidden FROM links;
INSERT INTO page_links (source_fetch_id, defs)
SELECT source_fetch_id, json_group_array(id ORDER BY seq, id) FROM links GROUP BY source_fetch_id;
DROP VIEW link_targets;
DROP TABLE links;
CREATE VIEW links AS
SELECT d.id              AS id,
       f.run_id          AS run_id,
       p.source_fetch_id AS source_fetch_id,
       j.key             AS seq,
       d.target_url      AS target_url,
       d.raw             AS raw,
       d.kind            AS kind,
       d.element         AS element,
       d.anchor          AS anchor,
       d.skip            AS skip,
       d.region          AS region,
       d.hidden          AS hidden
FROM page_links p
JOIN fetches f ON f.id = p.source_fetch_id
JOIN json_each(p.defs) j
JOIN link_defs d ON d.id = j.value;
"#,
    link_targets_view!()
);

pub(crate) const MIGRATIONS_SLICE: &[M<'static>] = &[
    M::up(V1),
    M::up(V2),
    M::up(V3).foreign_key_check(),
    M::up(V4_LINK_REGION),
    M::up(V_EVIDENCE),
    M::up(V6_ATTACHMENT_TEXTS),
    M::up(V7_SERVE),
    M::up(V8_RUN_HEALTH),
    M::up(V9_NIGHTS),
    M::up(V10_PAGE_TEXT),
    M::up(V11_LINKS_APART),
    M::up(V12_LINK_DEFS),
];

/// The schema version this build writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS_SLICE.len() as i64;

fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS_SLICE)
}

/// How long a statement waits for a lock held by another connection before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

fn open_err<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Open {
        path: path.to_path_buf(),
        op,
        source,
    }
}

fn user_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(open_err(path, "reading user_version"))
}

/// Connection-local performance settings (no effect on the file format).
fn tune(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    // 16 MiB page cache per connection (negative = KiB): a scan holds three connections and
    // must stay small on a shared office server; no mmap; in-memory temp tables.
    conn.pragma_update(None, "cache_size", -16384)
        .map_err(open_err(path, "cache_size"))?;
    conn.pragma_update(None, "mmap_size", 0i64)
        .map_err(open_err(path, "mmap_size"))?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(open_err(path, "temp_store"))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Opens (creating when missing) and migrates a database for reading and writing.
pub(crate) fn open_rw(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        }
    }
    create_private(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = Connection::open_with_flags(path, flags).map_err(open_err(path, "open"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(open_err(path, "busy_timeout"))?;
    // Check the version before anything that writes to the file (journal_mode, migrations).
    let found = user_version(&conn, path)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(open_err(path, "journal_mode=WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "SQLite did not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err(path, "synchronous=NORMAL"))?;
    tune(&conn, path)?;
    // Migrations run with foreign keys off: a table rebuild (V3) drops the parent table, which
    // with foreign keys on would cascade-delete every child row. Each migration that rebuilds
    // checks the keys itself (`foreign_key_check`).
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(open_err(path, "foreign_keys=OFF"))?;
    migrations()
        .to_latest(&mut conn)
        .map_err(|source| StoreError::Migrate {
            path: path.to_path_buf(),
            supported: SCHEMA_VERSION,
            source,
        })?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_err(path, "foreign_keys=ON"))?;
    Ok(conn)
}

/// Creates a missing database file readable by its owner only (0600): it holds the bytes of
/// every fetched page and attachment, personal data that leaked included. SQLite gives its
/// `-wal` and `-shm` files the database file's mode.
fn create_private(path: &Path) -> Result<(), StoreError> {
    if path.exists() || path.as_os_str().to_string_lossy().starts_with("file:") {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Opens an existing database read-only. Works while a writer is active (WAL).
pub(crate) fn open_ro(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn =
        Connection::open_with_flags(path, flags).map_err(open_err(path, "open read-only"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(open_err(path, "busy_timeout"))?;
    let found = user_version(&conn, path)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < SCHEMA_VERSION {
        return Err(StoreError::OlderSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    conn.pragma_update(None, "query_only", "ON")
        .map_err(open_err(path, "query_only=ON"))?;
    tune(&conn, path)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
        assert_eq!(SCHEMA_VERSION, 12);
    }

    #[test]
    fn migrates_from_empty_and_sets_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/g.sqlite");
        let conn = open_rw(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        for table in [
            "runs",
            "fetches",
            "bodies",
            "link_defs",
            "page_links",
            "frontier",
            "findings",
            "cut_urls",
            "manifests",
            "sealed_leaves",
        ] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{table}");
        }
        drop(conn);
        // Reopening is a no-op migration.
        open_rw(&path).unwrap();
    }

    #[test]
    fn newer_schema_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE t(x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = open_rw(&path).unwrap_err();
        match &err {
            StoreError::NewerSchema {
                found, supported, ..
            } => {
                assert_eq!(*found, 99);
                assert_eq!(*supported, SCHEMA_VERSION);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("newer"), "{err}");
        let err = open_ro(&path).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "file must not change"
        );
        assert!(!dir.path().join("future.sqlite-wal").exists());
    }

    #[test]
    fn readonly_refuses_unmigrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t(x);")
            .unwrap();
        assert!(matches!(
            open_ro(&path).unwrap_err(),
            StoreError::OlderSchema { found: 0, .. }
        ));
        let missing = dir.path().join("missing.sqlite");
        assert!(matches!(
            open_ro(&missing).unwrap_err(),
            StoreError::Open { .. }
        ));
    }
}
