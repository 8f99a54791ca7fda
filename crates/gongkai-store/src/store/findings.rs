//! Findings of a run: replace them as a whole, read them back (`findings` table).

use super::Store;
use crate::error::{bad_value, json, sql, StoreError};
use crate::types::StoredFinding;
use crate::write::now_rfc3339;
use gongkai_core::{Finding, Severity};
use rusqlite::params;

impl Store {
    /// Replaces all findings of a run in one transaction and stamps `runs.checked_at`.
    /// A `fetch_id` of `Some(0)` or less (tests build sites with id 0) is stored as NULL.
    pub fn replace_findings(&self, run_id: i64, findings: &[Finding]) -> Result<(), StoreError> {
        let p = &self.path;
        let tx = self.tx("replace findings: begin")?;
        let n = tx
            .execute(
                "UPDATE runs SET checked_at = ?2 WHERE id = ?1",
                params![run_id, now_rfc3339()],
            )
            .map_err(sql(p, "replace findings: stamp run"))?;
        self.expect_run(n, run_id, "replace findings")?;
        tx.execute("DELETE FROM findings WHERE run_id = ?1", [run_id])
            .map_err(sql(p, "replace findings: delete"))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO findings (run_id, rule, severity, url, target, department,
                                           ledger, message, evidence, fingerprint, fetch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(sql(p, "replace findings: prepare"))?;
            for f in findings {
                let ledger = serde_json::to_string(&f.ledger).map_err(json(p, "encode ledger"))?;
                let evidence =
                    serde_json::to_string(&f.evidence).map_err(json(p, "encode evidence"))?;
                stmt.execute(params![
                    run_id,
                    f.rule,
                    f.severity.as_str(),
                    f.url,
                    f.target,
                    f.department,
                    ledger,
                    f.message,
                    evidence,
                    f.fingerprint,
                    f.fetch_id.filter(|id| *id > 0),
                ])
                .map_err(sql(p, "replace findings: insert"))?;
            }
        }
        self.commit(tx, "replace findings: commit")
    }

    /// Findings of a run in insertion order.
    pub fn findings(&self, run_id: i64) -> Result<Vec<StoredFinding>, StoreError> {
        const OP: &str = "read findings";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, rule, severity, url, target, department, ledger, message, evidence,
                        fingerprint, fetch_id
                 FROM findings WHERE run_id = ?1 ORDER BY id",
            )
            .map_err(sql(p, OP))?;
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
        );
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })
            .map_err(sql(p, OP))?
            .collect::<rusqlite::Result<Vec<Row>>>()
            .map_err(sql(p, OP))?;
        rows.into_iter()
            .map(
                |(id, rule, sev, url, target, department, ledger, message, evidence, fp, fid)| {
                    let severity = match sev.as_str() {
                        "notice" => Severity::Notice,
                        "warning" => Severity::Warning,
                        "error" => Severity::Error,
                        _ => return Err(bad_value(p, OP, "findings.severity", sev)),
                    };
                    Ok(StoredFinding {
                        id,
                        run_id,
                        finding: Finding {
                            rule,
                            severity,
                            url,
                            target,
                            department,
                            ledger: serde_json::from_str(&ledger)
                                .map_err(json(p, "read findings.ledger"))?,
                            message,
                            evidence: serde_json::from_str(&evidence)
                                .map_err(json(p, "read findings.evidence"))?,
                            fingerprint: fp,
                            fetch_id: fid,
                        },
                    })
                },
            )
            .collect()
    }
}
