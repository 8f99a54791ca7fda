//! What `gongkai serve` keeps (migration 3): accounts, credentials (sign-in links, API tokens,
//! sessions; only sha256 of each secret), rechecks, waivers and the append-only audit table.

use super::Store;
use crate::error::{sql, StoreError};
use crate::write::now_rfc3339;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Who an account is: the office administrator, or one 责任单位.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountRole {
    Admin,
    Department(String),
}

/// One row of `accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub role: AccountRole,
    /// PHC string (argon2id); None until the sign-in link was used.
    pub password_hash: Option<String>,
}

impl Account {
    /// The name shown and typed at sign-in: the department, or `admin`.
    pub fn name(&self) -> &str {
        match &self.role {
            AccountRole::Admin => "admin",
            AccountRole::Department(d) => d,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == AccountRole::Admin
    }
}

/// Kind of a stored credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// One-time sign-in link (sets the password).
    Signin,
    /// Bearer token of the JSON API.
    Api,
    /// Browser session cookie.
    Session,
}

impl CredentialKind {
    fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Signin => "signin",
            CredentialKind::Api => "api",
            CredentialKind::Session => "session",
        }
    }
}

/// One recheck (申请复核) and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecheckRow {
    pub id: i64,
    pub fingerprint: String,
    pub finding_id: Option<i64>,
    pub account_id: i64,
    pub requested_at: String,
    /// `resolved`, `open`, `site-wide` (needs a full scan) or `failed`.
    pub result: String,
    pub message: String,
    /// The re-fetch(es): JSON with url, final_url, status, outcome, fetched_at, body_sha256.
    pub evidence: serde_json::Value,
}

/// One waiver request (申请豁免) and its decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverRow {
    pub id: i64,
    pub fingerprint: String,
    pub finding_id: Option<i64>,
    pub reason: String,
    pub requested_by: i64,
    pub requested_at: String,
    /// Body of the finding's page when the waiver was asked; it lapses when the page changes.
    pub body_sha256: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
}

/// One audit entry (append-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub account_id: Option<i64>,
    /// Account name at the time (department or `admin`; `cli` for commands).
    pub actor: String,
    pub action: String,
    pub fingerprint: Option<String>,
    pub detail: String,
    /// Client address as the server saw it (or as the proxy forwarded it).
    pub ip: Option<String>,
}

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let role: String = r.get(1)?;
    let dept: Option<String> = r.get(2)?;
    Ok(Account {
        id: r.get(0)?,
        role: match (role.as_str(), dept) {
            ("department", Some(d)) => AccountRole::Department(d),
            _ => AccountRole::Admin,
        },
        password_hash: r.get(3)?,
    })
}

const ACCOUNT_COLS: &str = "a.id, a.role, a.department, a.password_hash";

impl Store {
    /// The account of `role`, created when missing.
    pub fn ensure_account(&self, role: &AccountRole) -> Result<Account, StoreError> {
        if let Some(a) = self.account_by_name(match role {
            AccountRole::Admin => "admin",
            AccountRole::Department(d) => d,
        })? {
            if &a.role == role {
                return Ok(a);
            }
        }
        let (code, dept) = match role {
            AccountRole::Admin => ("admin", None),
            AccountRole::Department(d) => ("department", Some(d.as_str())),
        };
        self.conn
            .execute(
                "INSERT INTO accounts (role, department, created_at) VALUES (?1, ?2, ?3)",
                params![code, dept, now_rfc3339()],
            )
            .map_err(sql(&self.path, "create account"))?;
        Ok(Account {
            id: self.conn.last_insert_rowid(),
            role: role.clone(),
            password_hash: None,
        })
    }

    /// The account signing in as `name` (`admin` or a department name).
    pub fn account_by_name(&self, name: &str) -> Result<Option<Account>, StoreError> {
        let q = if name == "admin" {
            format!("SELECT {ACCOUNT_COLS} FROM accounts a WHERE a.role = 'admin'")
        } else {
            format!("SELECT {ACCOUNT_COLS} FROM accounts a WHERE a.department = ?1")
        };
        let mut stmt = self
            .conn
            .prepare_cached(&q)
            .map_err(sql(&self.path, "read account"))?;
        let res = if name == "admin" {
            stmt.query_row([], account_from_row)
        } else {
            stmt.query_row([name], account_from_row)
        };
        res.optional().map_err(sql(&self.path, "read account"))
    }

    /// One account by id.
    pub fn account(&self, id: i64) -> Result<Option<Account>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {ACCOUNT_COLS} FROM accounts a WHERE a.id = ?1"),
                [id],
                account_from_row,
            )
            .optional()
            .map_err(sql(&self.path, "read account"))
    }

    /// Stores a new password hash (PHC string).
    pub fn set_password(&self, account_id: i64, hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
                params![account_id, hash],
            )
            .map_err(sql(&self.path, "set password"))?;
        Ok(())
    }

    /// Stores a credential by the sha256 of its secret. `expires_at` is RFC 3339 UTC.
    pub fn add_credential(
        &self,
        account_id: i64,
        kind: CredentialKind,
        token_sha256: &str,
        csrf: Option<&str>,
        expires_at: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO credentials (token_sha256, account_id, kind, csrf, created_at,
                                          expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    token_sha256,
                    account_id,
                    kind.as_str(),
                    csrf,
                    now_rfc3339(),
                    expires_at
                ],
            )
            .map_err(sql(&self.path, "add credential"))?;
        Ok(())
    }

    /// The account and CSRF token of a live (unexpired, unused) credential of `kind`.
    pub fn credential(
        &self,
        kind: CredentialKind,
        token_sha256: &str,
    ) -> Result<Option<(Account, Option<String>)>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {ACCOUNT_COLS}, c.csrf FROM credentials c
                     JOIN accounts a ON a.id = c.account_id
                     WHERE c.token_sha256 = ?1 AND c.kind = ?2 AND c.used_at IS NULL
                       AND (c.expires_at IS NULL OR c.expires_at > ?3)"
                ),
                params![token_sha256, kind.as_str(), now_rfc3339()],
                |r| Ok((account_from_row(r)?, r.get(4)?)),
            )
            .optional()
            .map_err(sql(&self.path, "read credential"))
    }

    /// Deletes expired sessions and sign-in links (API tokens do not expire).
    pub fn purge_expired_credentials(&self) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "DELETE FROM credentials WHERE kind IN ('session', 'signin')
                 AND expires_at IS NOT NULL AND expires_at < ?1",
                [now_rfc3339()],
            )
            .map_err(sql(&self.path, "purge credentials"))
    }

    /// Marks a credential used (sign-in links are single use; sessions end at sign-out).
    /// Returns false when it was already used or does not exist: only one caller wins.
    pub fn use_credential(&self, token_sha256: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE credentials SET used_at = ?2 WHERE token_sha256 = ?1 AND used_at IS NULL",
                params![token_sha256, now_rfc3339()],
            )
            .map_err(sql(&self.path, "use credential"))?;
        Ok(n == 1)
    }

    /// Records a recheck; returns its id.
    pub fn add_recheck(&self, r: &RecheckRow) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO rechecks (fingerprint, finding_id, account_id, requested_at, result,
                                       message, evidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    r.fingerprint,
                    r.finding_id,
                    r.account_id,
                    r.requested_at,
                    r.result,
                    r.message,
                    r.evidence.to_string()
                ],
            )
            .map_err(sql(&self.path, "add recheck"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Rechecks of a finding (`Some(fp)`) or all (`None`), oldest first.
    pub fn rechecks(&self, fingerprint: Option<&str>) -> Result<Vec<RecheckRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, fingerprint, finding_id, account_id, requested_at, result, message,
                        evidence
                 FROM rechecks WHERE ?1 IS NULL OR fingerprint = ?1 ORDER BY id",
            )
            .map_err(sql(&self.path, "read rechecks"))?;
        let rows = stmt
            .query_map([fingerprint], |r| {
                let ev: String = r.get(7)?;
                Ok(RecheckRow {
                    id: r.get(0)?,
                    fingerprint: r.get(1)?,
                    finding_id: r.get(2)?,
                    account_id: r.get(3)?,
                    requested_at: r.get(4)?,
                    result: r.get(5)?,
                    message: r.get(6)?,
                    evidence: serde_json::from_str(&ev).unwrap_or(serde_json::Value::Null),
                })
            })
            .map_err(sql(&self.path, "read rechecks"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(sql(&self.path, "read rechecks"))
    }

    /// Records a waiver request (pending); returns its id.
    pub fn add_waiver(&self, w: &WaiverRow) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO waivers (fingerprint, finding_id, reason, requested_by, requested_at,
                                      body_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    w.fingerprint,
                    w.finding_id,
                    w.reason,
                    w.requested_by,
                    w.requested_at,
                    w.body_sha256
                ],
            )
            .map_err(sql(&self.path, "add waiver"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Approves or rejects a pending waiver. False when it is not pending (already decided).
    pub fn decide_waiver(
        &self,
        waiver_id: i64,
        approve: bool,
        decided_by: i64,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE waivers SET status = ?2, decided_by = ?3, decided_at = ?4
                 WHERE id = ?1 AND status = 'pending'",
                params![
                    waiver_id,
                    if approve { "approved" } else { "rejected" },
                    decided_by,
                    now_rfc3339()
                ],
            )
            .map_err(sql(&self.path, "decide waiver"))?;
        Ok(n == 1)
    }

    /// Waivers of one finding (`Some(fp)`) or all (`None`), oldest first.
    pub fn waivers(&self, fingerprint: Option<&str>) -> Result<Vec<WaiverRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, fingerprint, finding_id, reason, requested_by, requested_at,
                        body_sha256, status, decided_by, decided_at
                 FROM waivers WHERE ?1 IS NULL OR fingerprint = ?1 ORDER BY id",
            )
            .map_err(sql(&self.path, "read waivers"))?;
        let rows = stmt
            .query_map([fingerprint], |r| {
                Ok(WaiverRow {
                    id: r.get(0)?,
                    fingerprint: r.get(1)?,
                    finding_id: r.get(2)?,
                    reason: r.get(3)?,
                    requested_by: r.get(4)?,
                    requested_at: r.get(5)?,
                    body_sha256: r.get(6)?,
                    status: r.get(7)?,
                    decided_by: r.get(8)?,
                    decided_at: r.get(9)?,
                })
            })
            .map_err(sql(&self.path, "read waivers"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(sql(&self.path, "read waivers"))
    }

    /// Appends one audit entry (`id` and `at` of `e` are ignored: the store sets them).
    pub fn audit(&self, e: &AuditRow) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO audit (at, account_id, actor, action, fingerprint, detail, ip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    now_rfc3339(),
                    e.account_id,
                    e.actor,
                    e.action,
                    e.fingerprint,
                    e.detail,
                    e.ip
                ],
            )
            .map_err(sql(&self.path, "append audit"))?;
        Ok(())
    }

    /// Audit entries of one finding (`Some(fp)`) or all (`None`), oldest first.
    pub fn audit_log(&self, fingerprint: Option<&str>) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, account_id, actor, action, fingerprint, detail, ip
                 FROM audit WHERE ?1 IS NULL OR fingerprint = ?1 ORDER BY id",
            )
            .map_err(sql(&self.path, "read audit"))?;
        let rows = stmt
            .query_map([fingerprint], |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    account_id: r.get(2)?,
                    actor: r.get(3)?,
                    action: r.get(4)?,
                    fingerprint: r.get(5)?,
                    detail: r.get(6)?,
                    ip: r.get(7)?,
                })
            })
            .map_err(sql(&self.path, "read audit"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(sql(&self.path, "read audit"))
    }

    /// The run and fingerprint of a finding row (any run).
    pub fn finding_ref(&self, finding_id: i64) -> Result<Option<(i64, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT run_id, fingerprint FROM findings WHERE id = ?1",
                [finding_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql(&self.path, "read finding ref"))
    }

    /// Runs in which a fingerprint was found: (run id, as-of date, finding row id), oldest first.
    pub fn fingerprint_runs(
        &self,
        fingerprint: &str,
    ) -> Result<Vec<(i64, String, i64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.run_id, r.as_of, f.id FROM findings f JOIN runs r ON r.id = f.run_id
                 WHERE f.fingerprint = ?1 ORDER BY f.run_id",
            )
            .map_err(sql(&self.path, "read finding history"))?;
        let rows = stmt
            .query_map([fingerprint], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sql(&self.path, "read finding history"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(sql(&self.path, "read finding history"))
    }
}
