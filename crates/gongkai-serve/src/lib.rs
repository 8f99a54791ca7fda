//! gongkai-serve: the web application behind `gongkai serve`, over the same SQLite database as
//! the scans. It closes the loop with departments (通报 → 整改 → 复查):
//!
//! - accounts: the office administrator and one account per 责任单位, made by the CLI
//!   ([`accounts`]: one-time sign-in links, API tokens); argon2id passwords, session cookies
//!   (HttpOnly, SameSite=Strict, Secure behind TLS), CSRF tokens on every form, rate-limited
//!   sign-in ([`auth`]);
//! - server-rendered pages ([`pages`], maud: escapes every interpolated string by default) with
//!   a strict Content-Security-Policy and no script at all: a department sees only its own
//!   findings, evidence and history, and downloads them as XLSX/CSV; the office sees everything;
//! - 申请复核 ([`recheck`]): the finding's page (and link target) is re-fetched at once by the
//!   crawler itself (its User-Agent, robots.txt and rate limit) and the finding's rule re-run;
//! - 申请豁免 ([`actions`]): asked with a reason, decided by the office, lapsing when the page
//!   changes;
//! - an append-only audit of every action, and a JSON API ([`api`]) with Bearer tokens.

pub mod accounts;
pub mod actions;
pub mod api;
pub mod auth;
mod layout;
pub mod model;
pub mod pages;
pub mod recheck;
mod state;

pub use state::{AppState, ServeOptions};

use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/app.css", get(layout::stylesheet))
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/signin/{token}", get(auth::signin_form).post(auth::signin))
        .route("/findings", get(pages::list))
        .route("/findings.csv", get(pages::download_csv))
        .route("/findings.xlsx", get(pages::download_xlsx))
        .route("/findings/{id}", get(pages::finding))
        .route("/findings/{id}/recheck", post(actions::recheck))
        .route("/findings/{id}/waiver", post(actions::ask_waiver))
        .route("/waivers", get(pages::waivers))
        .route("/waivers/{id}/decide", post(actions::decide_waiver))
        .route("/audit.csv", get(pages::audit_csv))
        .route("/api/findings", get(api::list))
        .route("/api/findings/{id}", get(api::one_finding))
        .layer(axum::middleware::from_fn(layout::security_headers))
        .with_state(state)
}

/// Serves until `shutdown` resolves. Prints nothing; the caller announces the address.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
