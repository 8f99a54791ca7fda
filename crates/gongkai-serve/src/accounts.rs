//! Making accounts from the command line: one-time sign-in links and API tokens. The secret is
//! printed once and only its sha256 is stored.

use crate::auth::{new_secret, secret_hash};
use gongkai_store::{AccountRole, AuditRow, CredentialKind, Store};

/// How long a sign-in link stays valid.
pub const SIGNIN_LINK_HOURS: i64 = 72;

fn audit(store: &Store, account_id: i64, name: &str, action: &str) -> anyhow::Result<()> {
    store.audit(&AuditRow {
        id: 0,
        at: String::new(),
        account_id: Some(account_id),
        actor: "cli".to_string(),
        action: action.to_string(),
        fingerprint: None,
        detail: name.to_string(),
        ip: None,
    })?;
    Ok(())
}

/// Creates the account when missing and returns a one-time sign-in link under `base_url`
/// (e.g. `https://gongkai.example.gov.cn`). Earlier links stay valid until used or expired.
pub fn signin_link(store: &Store, role: &AccountRole, base_url: &str) -> anyhow::Result<String> {
    let account = store.ensure_account(role)?;
    let secret = new_secret();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SIGNIN_LINK_HOURS))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    store.add_credential(
        account.id,
        CredentialKind::Signin,
        &secret_hash(&secret),
        None,
        Some(&expires),
    )?;
    audit(store, account.id, account.name(), "发放登录链接")?;
    Ok(format!(
        "{}/signin/{secret}",
        base_url.trim_end_matches('/')
    ))
}

/// Creates the account when missing and returns a new API token (no expiry).
pub fn api_token(store: &Store, role: &AccountRole) -> anyhow::Result<String> {
    let account = store.ensure_account(role)?;
    let secret = new_secret();
    store.add_credential(
        account.id,
        CredentialKind::Api,
        &secret_hash(&secret),
        None,
        None,
    )?;
    audit(store, account.id, account.name(), "发放 API 令牌")?;
    Ok(secret)
}
