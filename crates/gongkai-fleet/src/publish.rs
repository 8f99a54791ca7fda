//! Publication of a finished site-run: the run record, its coverage and scorecard, and its
//! findings with their statuses (new / persisting against the site's previous published run),
//! written exactly once.
//!
//! One transaction marks the site-run done — only if this worker's lease token still holds it —
//! and inserts the rows keyed by the site-run id (`ON CONFLICT DO NOTHING`). A worker that lost
//! its lease publishes nothing; a retried publish of the same run changes nothing.

use crate::db::Db;
use crate::queue::Claim;
use crate::Result;
use chrono::{DateTime, Utc};
use tokio_postgres::types::Type;

/// The run record of a finished scan.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// `completed` or `partial`.
    pub status: String,
    /// The as-of date the rules judged by (YYYY-MM-DD).
    pub as_of: String,
    /// When the scan started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// Pages fetched.
    pub pages: i64,
    /// The coverage (gongkai-core `Coverage` as JSON).
    pub coverage: serde_json::Value,
    /// The scorecard: `[{"name", "kind", "pass", "figure"}]`.
    pub scorecard: serde_json::Value,
    /// gongkai version.
    pub tool_version: String,
    /// Hash of the rule pack.
    pub rules_version: Option<String>,
    /// The site's own HTML report (self-contained), when rendered.
    pub report_html: Option<String>,
}

/// One finding as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFinding {
    /// Stable fingerprint (rule + subject).
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// `error`, `warning` or `notice`.
    pub severity: String,
    /// Page.
    pub url: String,
    /// Link target or column, when the rule has one.
    pub target: Option<String>,
    /// 责任单位.
    pub department: String,
    /// Chinese message.
    pub message: String,
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// Published now; the site-run is done.
    Done,
    /// The lease was lost (taken over or reset): nothing was written.
    LeaseLost,
}

/// Publishes a finished site-run exactly once (five round trips).
pub async fn publish(
    db: &Db,
    claim: &Claim,
    worker: &str,
    run: &RunRecord,
    findings: &[PublishedFinding],
) -> Result<Published> {
    db.begin().await?;
    match publish_in_tx(db, claim, worker, run, findings).await {
        Ok(Published::Done) => {
            db.commit().await?;
            Ok(Published::Done)
        }
        Ok(Published::LeaseLost) => {
            db.rollback().await;
            Ok(Published::LeaseLost)
        }
        Err(e) => {
            db.rollback().await;
            Err(e)
        }
    }
}

async fn publish_in_tx(
    db: &Db,
    claim: &Claim,
    worker: &str,
    run: &RunRecord,
    findings: &[PublishedFinding],
) -> Result<Published> {
    let done = db
        .execute(
            "UPDATE site_runs SET state = 'done', finished_at = now(), lease_token = NULL,
                 lease_until = NULL
             WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            &[(&claim.site_run_id, Type::INT8), (&claim.token, Type::INT8)],
            "marking the site-run done",
        )
        .await?;
    if done != 1 {
        return Ok(Published::LeaseLost);
    }
    db.execute(
        "INSERT INTO runs (site_run_id, site_id, worker, status, as_of, started_at, finished_at,
                           pages, coverage, scorecard, tool_version, rules_version, report_html)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (site_run_id) DO NOTHING",
        &[
            (&claim.site_run_id, Type::INT8),
            (&claim.site_id, Type::INT8),
            (&worker, Type::TEXT),
            (&run.status, Type::TEXT),
            (&run.as_of, Type::TEXT),
            (&run.started_at, Type::TIMESTAMPTZ),
            (&run.finished_at, Type::TIMESTAMPTZ),
            (&run.pages, Type::INT8),
            (&run.coverage, Type::JSONB),
            (&run.scorecard, Type::JSONB),
            (&run.tool_version, Type::TEXT),
            (&run.rules_version, Type::TEXT),
            (&run.report_html, Type::TEXT),
        ],
        "publishing the run",
    )
    .await?;
    let col = |f: fn(&PublishedFinding) -> &str| -> Vec<&str> { findings.iter().map(f).collect() };
    let (fp, rule, sev, url) = (
        col(|f| &f.fingerprint),
        col(|f| &f.rule),
        col(|f| &f.severity),
        col(|f| &f.url),
    );
    let (dept, msg) = (col(|f| &f.department), col(|f| &f.message));
    let target: Vec<Option<&str>> = findings.iter().map(|f| f.target.as_deref()).collect();
    // All findings in one statement, arrays unnested server-side. The status is decided here,
    // against the site's previous published run, whichever worker made it.
    db.execute(
        "INSERT INTO findings (site_run_id, fingerprint, rule, severity, url, target, department,
                               message, status)
         SELECT $1, u.fp, u.rule, u.sev, u.url, u.target, u.dept, u.msg,
                CASE WHEN EXISTS (
                    SELECT 1 FROM findings p
                    WHERE p.fingerprint = u.fp AND p.site_run_id = (
                        SELECT site_run_id FROM runs WHERE site_id = $9 AND site_run_id <> $1
                        ORDER BY finished_at DESC LIMIT 1))
                THEN 'persisting' ELSE 'new' END
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[]) AS u(fp, rule, sev, url, target, dept, msg)
         ON CONFLICT DO NOTHING",
        &[
            (&claim.site_run_id, Type::INT8),
            (&fp, Type::TEXT_ARRAY),
            (&rule, Type::TEXT_ARRAY),
            (&sev, Type::TEXT_ARRAY),
            (&url, Type::TEXT_ARRAY),
            (&target, Type::TEXT_ARRAY),
            (&dept, Type::TEXT_ARRAY),
            (&msg, Type::TEXT_ARRAY),
            (&claim.site_id, Type::INT8),
        ],
        "publishing the findings",
    )
    .await?;
    Ok(Published::Done)
}
