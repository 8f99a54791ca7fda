//! The queue of site-runs: claims with `FOR UPDATE SKIP LOCKED`, leases kept alive by
//! heartbeats, retries of runs whose worker vanished, and failure after [`MAX_ATTEMPTS`].
//!
//! Platform exclusivity is decided inside the claim transaction: claims take one advisory lock
//! (they are short, so serialising them costs nothing against scans of minutes), and a run is
//! only claimable when no other run of its platform is running. A partial unique index
//! (`site_runs_platform_running`) backs this up in the database itself.

use crate::db::Db;
use crate::Result;
use std::time::Duration;
use tokio_postgres::types::Type;

/// Attempts before a site-run is marked failed.
pub const MAX_ATTEMPTS: i32 = 3;

/// Key of the advisory lock held while claiming.
const CLAIM_LOCK: i64 = 0x676f_6e67_6b61_6902;

/// A site-run this worker holds: what to scan, and the lease token that proves it is still ours.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The site-run.
    pub site_run_id: i64,
    /// The site.
    pub site_id: i64,
    /// 名称.
    pub name: String,
    /// 网址.
    pub url: String,
    /// 主管单位.
    pub authority: String,
    /// The platform this run holds.
    pub platform_key: String,
    /// The site.toml text registered with the site, if any.
    pub config_text: Option<String>,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// Changes at every claim: a worker whose lease was taken over can no longer act on the run.
    pub token: i64,
}

/// Marks runs whose lease expired after their last attempt as failed, then claims the next
/// claimable site-run (an expired lease first, then the oldest due run) for `worker`, holding it
/// for `lease`. Three round trips.
pub async fn claim(db: &Db, worker: &str, lease: Duration) -> Result<Option<Claim>> {
    // BEGIN, the claim lock and the sweep in one round trip (no parameters).
    let begun = db
        .batch(
            &format!(
                "BEGIN;
             SELECT pg_advisory_xact_lock({CLAIM_LOCK});
             UPDATE site_runs SET state = 'failed', finished_at = now(), lease_token = NULL,
                 reason = '第 ' || attempts || ' 次尝试中断：工作进程 ' || coalesce(worker, '?')
                          || ' 的租约过期（进程退出或断网）'
             WHERE state = 'running' AND lease_until < now() AND attempts >= {MAX_ATTEMPTS};"
            ),
            "sweeping expired leases",
        )
        .await;
    if let Err(e) = begun {
        db.rollback().await;
        return Err(e);
    }
    let secs = lease.as_secs_f64();
    let rows = db
        .query(
            "WITH cand AS (
                 SELECT r.id FROM site_runs r
                 WHERE r.due_at <= now()
                   AND (r.state = 'due' OR (r.state = 'running' AND r.lease_until < now()))
                   AND NOT EXISTS (SELECT 1 FROM site_runs o
                                   WHERE o.platform_key = r.platform_key
                                     AND o.state = 'running' AND o.id <> r.id)
                 ORDER BY (r.state = 'running') DESC, r.due_at, r.id
                 LIMIT 1
                 FOR UPDATE SKIP LOCKED)
             UPDATE site_runs s SET state = 'running', worker = $1, attempts = s.attempts + 1,
                 lease_token = (random() * 9.0e18)::bigint,
                 lease_until = now() + make_interval(secs => $2),
                 claimed_at = now(), heartbeat_at = now(),
                 reason = CASE WHEN s.state = 'running'
                               THEN '工作进程 ' || coalesce(s.worker, '?') || ' 的租约过期，已由他人接手'
                               ELSE s.reason END
             FROM cand, sites t
             WHERE s.id = cand.id AND t.id = s.site_id
             RETURNING s.id, s.site_id, t.name, t.url, t.authority, s.platform_key,
                       t.config_text, s.attempts, s.lease_token",
            &[(&worker, Type::TEXT), (&secs, Type::FLOAT8)],
            "claiming a site-run",
        )
        .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            db.rollback().await;
            return Err(e);
        }
    };
    db.commit().await?;
    Ok(rows.first().map(|r| Claim {
        site_run_id: r.get(0),
        site_id: r.get(1),
        name: r.get(2),
        url: r.get(3),
        authority: r.get(4),
        platform_key: r.get(5),
        config_text: r.get(6),
        attempt: r.get(7),
        token: r.get(8),
    }))
}

/// Renews the lease; false when it is no longer ours (expired and taken over, or the run was
/// reset), and the worker must stop without publishing.
pub async fn heartbeat(db: &Db, claim: &Claim, lease: Duration) -> Result<bool> {
    let secs = lease.as_secs_f64();
    let n = db
        .execute(
            "UPDATE site_runs SET lease_until = now() + make_interval(secs => $3),
                 heartbeat_at = now()
             WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            &[
                (&claim.site_run_id, Type::INT8),
                (&claim.token, Type::INT8),
                (&secs, Type::FLOAT8),
            ],
            "renewing the lease",
        )
        .await?;
    Ok(n == 1)
}

/// What became of a site-run whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Back in the queue for another attempt.
    Retry,
    /// Marked failed: this was the last attempt.
    Failed,
    /// The lease was no longer ours; nothing changed.
    NotOurs,
}

/// Records a failed attempt with its reason: back to due, or failed after [`MAX_ATTEMPTS`].
pub async fn fail(db: &Db, claim: &Claim, reason: &str) -> Result<AfterFailure> {
    let rows = db
        .query(
            &format!(
                "UPDATE site_runs SET
                     state = CASE WHEN attempts >= {MAX_ATTEMPTS} THEN 'failed' ELSE 'due' END,
                     finished_at = CASE WHEN attempts >= {MAX_ATTEMPTS} THEN now() END,
                     reason = '第 ' || attempts || ' 次尝试失败：' || $3,
                     lease_token = NULL, lease_until = NULL
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'
                 RETURNING state"
            ),
            &[
                (&claim.site_run_id, Type::INT8),
                (&claim.token, Type::INT8),
                (&reason, Type::TEXT),
            ],
            "recording a failed attempt",
        )
        .await?;
    Ok(match rows.first().map(|r| r.get::<_, String>(0)) {
        None => AfterFailure::NotOurs,
        Some(s) if s == "failed" => AfterFailure::Failed,
        Some(_) => AfterFailure::Retry,
    })
}

/// Gives a site-run back without counting the attempt (the worker was asked to stop).
pub async fn release(db: &Db, claim: &Claim) -> Result<()> {
    db.execute(
        "UPDATE site_runs SET state = 'due', attempts = greatest(attempts - 1, 0),
             lease_token = NULL, lease_until = NULL
         WHERE id = $1 AND lease_token = $2 AND state = 'running'",
        &[(&claim.site_run_id, Type::INT8), (&claim.token, Type::INT8)],
        "releasing a site-run",
    )
    .await?;
    Ok(())
}

/// Site-runs still open: (due, running). A worker with `--once` stops when both are 0: a
/// running run may yet come back to the queue when its worker's lease expires.
pub async fn open_counts(db: &Db) -> Result<(i64, i64)> {
    let rows = db
        .query(
            "SELECT count(*) FILTER (WHERE state = 'due'),
                    count(*) FILTER (WHERE state = 'running')
             FROM site_runs",
            &[],
            "counting open site-runs",
        )
        .await?;
    Ok(rows.first().map_or((0, 0), |r| (r.get(0), r.get(1))))
}
