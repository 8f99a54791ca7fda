//! Authentication: one-time sign-in links, passwords (argon2id), sessions in cookies, CSRF
//! tokens on every form, and rate-limited sign-in (per account name and per client address).
//!
//! Secrets (sessions, links, API tokens) are 256-bit random values; the database keeps only
//! their sha256, so a copy of the database does not let anyone sign in.

use crate::layout::{message, page, AppError};
use crate::state::AppState;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_store::{sha256_hex, Account, AuditRow, CredentialKind, Store};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use maud::html;
use rand::RngCore;
use serde::Deserialize;
use std::net::SocketAddr;
use std::num::NonZeroU32;

/// Session cookie name.
pub const SESSION_COOKIE: &str = "gk_session";
/// Cookie of the pre-session CSRF token (sign-in forms: double submit).
pub const FORM_COOKIE: &str = "gk_form";
/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD: usize = 256;

/// A 256-bit random secret, hex.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// What the database stores of a secret.
pub fn secret_hash(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes), PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// True when `password` matches the PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// Equal in time independent of where the strings differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    /// The session's CSRF token, put in every form and checked on every POST.
    pub csrf: String,
    pub(crate) token_sha: String,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// Cookie attributes: always HttpOnly and SameSite=Strict; Secure when configured or when the
/// proxy says the browser spoke HTTPS.
fn set_cookie(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age: i64,
) -> String {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let secure = if state.opts().secure_cookies || https {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The client address: the socket peer, or with `trust_proxy` the last X-Forwarded-For entry.
pub(crate) fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    if state.opts().trust_proxy {
        if let Some(last) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            let ip = last.trim();
            if !ip.is_empty() && ip.len() <= 64 {
                return ip.to_string();
            }
        }
    }
    peer.ip().to_string()
}

/// The session of this request, if it carries a live one.
pub(crate) async fn session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let sha = secret_hash(&token);
    let found = state
        .db(move |s| {
            Ok(s.credential(CredentialKind::Session, &sha)?
                .map(|c| (c, sha)))
        })
        .await?;
    Ok(found.map(|((account, csrf), token_sha)| Session {
        account,
        csrf: csrf.unwrap_or_default(),
        token_sha,
    }))
}

/// The session, or a redirect to the sign-in page.
pub(crate) async fn require(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    match session(state, headers).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// Refuses a POST whose form token is not the session's.
pub(crate) fn check_csrf(session: &Session, token: &str) -> Result<(), Box<Response>> {
    if !session.csrf.is_empty() && same(&session.csrf, token) {
        Ok(())
    } else {
        Err(Box::new(message(
            StatusCode::FORBIDDEN,
            "请求无效",
            "表单已过期或来源不明（CSRF 校验失败），请返回刷新页面后重试。",
        )))
    }
}

/// Appends an audit entry for `account` (or an anonymous actor).
pub(crate) fn audit(
    store: &Store,
    account: Option<&Account>,
    action: &str,
    fingerprint: Option<&str>,
    detail: &str,
    ip: &str,
) -> anyhow::Result<()> {
    store.audit(&AuditRow {
        id: 0,
        at: String::new(),
        account_id: account.map(|a| a.id),
        actor: account.map_or("(未登录)", |a| a.name()).to_string(),
        action: action.to_string(),
        fingerprint: fingerprint.map(str::to_string),
        detail: detail.to_string(),
        ip: Some(ip.to_string()),
    })?;
    Ok(())
}

/// Opens a session for `account`: stores it and returns the Set-Cookie value.
async fn open_session(
    state: &AppState,
    headers: &HeaderMap,
    account_id: i64,
) -> Result<String, AppError> {
    let token = new_secret();
    let sha = secret_hash(&token);
    let csrf = new_secret();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    state
        .db(move |s| {
            // Sessions are bounded: expired ones go when a new one starts.
            s.purge_expired_credentials()?;
            s.add_credential(
                account_id,
                CredentialKind::Session,
                &sha,
                Some(&csrf),
                Some(&expires),
            )?;
            Ok(())
        })
        .await?;
    Ok(set_cookie(
        state,
        headers,
        SESSION_COOKIE,
        &token,
        SESSION_HOURS * 3600,
    ))
}

/// Per-name and per-address sign-in limits (in memory; a restart forgets them).
pub struct SigninLimiter {
    by_name: DefaultKeyedRateLimiter<String>,
    by_ip: DefaultKeyedRateLimiter<String>,
}

impl SigninLimiter {
    pub(crate) fn new() -> Self {
        // 5 tries a minute per account, 20 per address; bursts of the same size.
        let per_name = Quota::per_minute(NonZeroU32::new(5).expect("non-zero"));
        let per_ip = Quota::per_minute(NonZeroU32::new(20).expect("non-zero"));
        SigninLimiter {
            by_name: RateLimiter::keyed(per_name),
            by_ip: RateLimiter::keyed(per_ip),
        }
    }

    /// One attempt: false when either limit is used up.
    pub(crate) fn allow(&self, name: &str, ip: &str) -> bool {
        if self.by_ip.len() > 100_000 {
            self.by_ip.retain_recent();
            self.by_name.retain_recent();
        }
        let name: String = name.chars().take(100).collect();
        self.by_ip.check_key(&ip.to_string()).is_ok() && self.by_name.check_key(&name).is_ok()
    }
}

fn form_token(headers: &HeaderMap) -> String {
    cookie(headers, FORM_COOKIE).unwrap_or_else(new_secret)
}

fn form_cookie(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    set_cookie(state, headers, FORM_COOKIE, token, 3600)
}

fn check_form_token(headers: &HeaderMap, sent: &str) -> Result<(), Box<Response>> {
    match cookie(headers, FORM_COOKIE) {
        Some(c) if same(&c, sent) => Ok(()),
        _ => Err(Box::new(message(
            StatusCode::FORBIDDEN,
            "请求无效",
            "表单已过期或来源不明（CSRF 校验失败），请返回刷新页面后重试。",
        ))),
    }
}

/// `GET /login`.
pub async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = form_token(&headers);
    let body = html! {
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(token);
            p { label for="name" { "账号（单位名称，管理员为 admin）" } input #name name="name" required; }
            p { label for="password" { "密码" } input #password name="password" type="password" required; }
            button type="submit" { "登录" }
        }
    };
    (
        [(header::SET_COOKIE, form_cookie(&state, &headers, &token))],
        page("登录", None, body),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    name: String,
    password: String,
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    if let Err(r) = check_form_token(&headers, &f.csrf) {
        return Ok(*r);
    }
    let ip = client_ip(&state, &headers, peer);
    let name = f.name.trim().to_string();
    if !state.inner.limiter.allow(&name, &ip) {
        return Ok(message(
            StatusCode::TOO_MANY_REQUESTS,
            "尝试过于频繁",
            "登录尝试过于频繁，请一分钟后再试。",
        ));
    }
    let password = f.password;
    let ip2 = ip.clone();
    let account = state
        .db(move |s| {
            let acc = s.account_by_name(&name)?;
            // Verify against a dummy hash when there is no account, so timing does not tell
            // which names exist.
            let phc = acc.as_ref().and_then(|a| a.password_hash.clone());
            let ok = password.len() <= MAX_PASSWORD
                && verify_password(&password, phc.as_deref().unwrap_or(DUMMY.as_str()))
                && phc.is_some();
            let acc = acc.filter(|_| ok);
            let detail = if acc.is_some() { "" } else { "失败" };
            audit(
                s,
                acc.as_ref(),
                "登录",
                None,
                format!("{detail} {name}").trim(),
                &ip2,
            )?;
            Ok(acc)
        })
        .await?;
    let Some(account) = account else {
        return Ok(message(
            StatusCode::UNAUTHORIZED,
            "登录失败",
            "账号或密码不正确。",
        ));
    };
    let cookie = open_session(&state, &headers, account.id).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/findings")).into_response())
}

/// An argon2id hash of a random secret, so that a sign-in for a missing account costs the same.
static DUMMY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&new_secret()).unwrap_or_default());

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: ends the session.
pub async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let s = match require(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    if let Err(r) = check_csrf(&s, &f.csrf) {
        return Ok(*r);
    }
    let ip = client_ip(&state, &headers, peer);
    state
        .db(move |st| {
            st.use_credential(&s.token_sha)?;
            audit(st, Some(&s.account), "退出", None, "", &ip)
        })
        .await?;
    let clear = set_cookie(&state, &headers, SESSION_COOKIE, "", 0);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

/// `GET /signin/{token}`: the one-time link's page, where the password is set.
pub async fn signin_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let sha = secret_hash(&token);
    let live = state
        .db(move |s| Ok(s.credential(CredentialKind::Signin, &sha)?))
        .await?;
    let Some((account, _)) = live else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            "链接无效",
            "登录链接无效、已使用或已过期，请向管理员索取新链接。",
        ));
    };
    let form = form_token(&headers);
    let body = html! {
        p { "账号：" strong { (account.name()) } "。请设置密码（至少 " (MIN_PASSWORD) " 个字符），此链接只能使用一次。" }
        form method="post" action={ "/signin/" (token) } {
            input type="hidden" name="csrf" value=(form);
            p { label for="password" { "新密码" } input #password name="password" type="password" required; }
            p { label for="password2" { "再次输入" } input #password2 name="password2" type="password" required; }
            button type="submit" { "设置密码并登录" }
        }
    };
    Ok((
        [(header::SET_COOKIE, form_cookie(&state, &headers, &form))],
        page("设置密码", None, body),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    csrf: String,
    password: String,
    password2: String,
}

/// `POST /signin/{token}`: sets the password, spends the link, opens a session.
pub async fn signin(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(f): Form<SigninForm>,
) -> Result<Response, AppError> {
    if let Err(r) = check_form_token(&headers, &f.csrf) {
        return Ok(*r);
    }
    let n = f.password.chars().count();
    if f.password != f.password2 || !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Ok(message(
            StatusCode::BAD_REQUEST,
            "密码不符合要求",
            "两次输入须一致，长度 10 至 256 个字符。请返回重试。",
        ));
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&f.password)).await??;
    let sha = secret_hash(&token);
    let ip = client_ip(&state, &headers, peer);
    let account = state
        .db(move |s| {
            let Some((account, _)) = s.credential(CredentialKind::Signin, &sha)? else {
                return Ok(None);
            };
            // Only one request can spend the link.
            if !s.use_credential(&sha)? {
                return Ok(None);
            }
            s.set_password(account.id, &hash)?;
            audit(s, Some(&account), "设置密码", None, "一次性登录链接", &ip)?;
            Ok(Some(account))
        })
        .await?;
    let Some(account) = account else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            "链接无效",
            "登录链接无效、已使用或已过期，请向管理员索取新链接。",
        ));
    };
    let cookie = open_session(&state, &headers, account.id).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/findings")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_secrets() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterx", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert!(!verify_password("x", &DUMMY));
        let a = new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_secret());
        assert_eq!(secret_hash(&a).len(), 64);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn cookies_are_parsed_strictly() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; gk_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "gk"), None);
    }
}
