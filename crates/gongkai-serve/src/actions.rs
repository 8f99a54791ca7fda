//! The POST actions of the loop: 申请复核 (recheck), 申请豁免 (waiver request) and the office's
//! decision on a waiver. Each checks the session's CSRF token and the account's access, and is
//! written to the audit table.

use crate::auth::{audit, check_csrf, client_ip, require, Session};
use crate::layout::{message, AppError};
use crate::model::{one, Denied, FindingView};
use crate::recheck;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_store::{RecheckRow, RunInfo, Store, WaiverRow};
use serde::Deserialize;
use std::net::SocketAddr;

/// Longest waiver reason kept.
pub const MAX_REASON: usize = 2000;

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub(crate) fn denied(d: Denied) -> Response {
    match d {
        Denied::NotFound => message(StatusCode::NOT_FOUND, "未找到", "没有这条问题。"),
        Denied::Forbidden => message(StatusCode::FORBIDDEN, "无权访问", "这条问题不属于本单位。"),
    }
}

/// The session of a POST whose form carried the session's CSRF token, with the client's address
/// for the audit; or the answer to give instead (the sign-in page, 403).
async fn posted(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    csrf: &str,
) -> Result<(Session, String), Response> {
    let s = require(state, headers).await?;
    check_csrf(&s, csrf).map_err(|r| *r)?;
    let ip = client_ip(state, headers, peer);
    Ok((s, ip))
}

/// Runs `then` on finding `id` as `account` may see it (its run and view), or says why not.
fn with_finding<T>(
    store: &Store,
    st: &AppState,
    account: &gongkai_store::Account,
    id: i64,
    then: impl FnOnce(RunInfo, FindingView) -> anyhow::Result<T>,
) -> anyhow::Result<Result<T, Denied>> {
    match one(store, st.pack(), account, id)? {
        Ok((run, v)) => then(run, v).map(Ok),
        Err(d) => Ok(Err(d)),
    }
}

/// Now, as the rows and the audit record times (RFC 3339 UTC, milliseconds).
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `POST /findings/{id}/recheck`.
pub async fn recheck(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    let (s, ip) = match posted(&state, &headers, peer, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if state.inner.recheck_limit.check_key(&s.account.id).is_err() {
        return Ok(message(
            StatusCode::TOO_MANY_REQUESTS,
            "复核过于频繁",
            "申请复核过于频繁，请一分钟后再试。",
        ));
    }
    let (account, st) = (s.account.clone(), state.clone());
    let found = state
        .db(move |store| {
            with_finding(store, &st, &account, id, |run, v| {
                if !recheck::page_local(st.pack(), &v.rule) {
                    return Ok((run, v, false));
                }
                let control = recheck::stored_site(store, &run, &v.finding)?;
                let ctx = recheck::context(&run, st.opts());
                let page_local = control
                    .is_some_and(|site| recheck::reports(st.pack(), &site, &ctx, &v.fingerprint));
                Ok((run, v, page_local))
            })
        })
        .await?;
    let (run, v, page_local) = match found {
        Ok(x) => x,
        Err(d) => return Ok(denied(d)),
    };
    let _turn = state.inner.rechecks.acquire().await?;
    let outcome = if !page_local {
        recheck::site_wide()
    } else {
        match recheck::refetch(&run, &v.finding).await {
            Ok(records) => {
                let (st, run2, finding) = (state.clone(), run.clone(), v.finding.clone());
                state
                    .db(move |store| {
                        let (site, evidence) =
                            recheck::fresh_site(store, &run2, &finding, &records)?;
                        let ctx = recheck::context(&run2, st.opts());
                        let still = recheck::reports(st.pack(), &site, &ctx, &finding.fingerprint);
                        let (result, message) = recheck::verdict(&records, &finding, still);
                        Ok(recheck::Outcome {
                            result,
                            message,
                            evidence,
                        })
                    })
                    .await?
            }
            Err(e) => {
                tracing::warn!(url = %v.url, error = format!("{e:#}"), "recheck fetch failed");
                recheck::Outcome {
                    result: "failed",
                    message: "重新抓取超时或出错，无法复核，问题保持待整改。".to_string(),
                    evidence: serde_json::json!([]),
                }
            }
        }
    };
    let account = s.account.clone();
    state
        .db(move |store| {
            store.add_recheck(&RecheckRow {
                id: 0,
                fingerprint: v.fingerprint.clone(),
                finding_id: Some(v.id),
                account_id: account.id,
                requested_at: now(),
                result: outcome.result.to_string(),
                message: outcome.message.clone(),
                evidence: outcome.evidence,
            })?;
            audit(
                store,
                Some(&account),
                "申请复核",
                Some(&v.fingerprint),
                &outcome.message,
                &ip,
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct WaiverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /findings/{id}/waiver`: a department asks, with a reason.
pub async fn ask_waiver(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<WaiverForm>,
) -> Result<Response, AppError> {
    let (s, ip) = match posted(&state, &headers, peer, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let reason = f.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Ok(message(
            StatusCode::BAD_REQUEST,
            "请填写理由",
            "申请豁免须填写理由（不超过 2000 字）。",
        ));
    }
    let (account, st) = (s.account.clone(), state.clone());
    let res = state
        .db(move |store| {
            with_finding(store, &st, &account, id, |run, v| {
                let body = store
                    .fetch_by_url(run.id, &v.url)?
                    .and_then(|p| p.body_sha256);
                store.add_waiver(&WaiverRow {
                    id: 0,
                    fingerprint: v.fingerprint.clone(),
                    finding_id: Some(v.id),
                    reason: reason.clone(),
                    requested_by: account.id,
                    requested_at: now(),
                    body_sha256: body,
                    status: "pending".into(),
                    decided_by: None,
                    decided_at: None,
                })?;
                audit(
                    store,
                    Some(&account),
                    "申请豁免",
                    Some(&v.fingerprint),
                    &reason,
                    &ip,
                )
            })
        })
        .await?;
    Ok(match res {
        Ok(()) => Redirect::to(&format!("/findings/{id}")).into_response(),
        Err(d) => denied(d),
    })
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    /// `approve` or `reject`.
    decision: String,
}

/// `POST /waivers/{id}/decide`: the office approves or rejects.
pub async fn decide_waiver(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(waiver_id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    let (s, ip) = match posted(&state, &headers, peer, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if !s.account.is_admin() {
        return Ok(message(
            StatusCode::FORBIDDEN,
            "无权操作",
            "只有管理员可以审批豁免。",
        ));
    }
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Ok(message(
                StatusCode::BAD_REQUEST,
                "请求无效",
                "未知的审批结果。",
            ))
        }
    };
    let account = s.account.clone();
    let done = state
        .db(move |store| {
            let Some(w) = store.waivers(None)?.into_iter().find(|w| w.id == waiver_id) else {
                return Ok(false);
            };
            if !store.decide_waiver(waiver_id, approve, account.id)? {
                return Ok(false);
            }
            let what = if approve {
                "批准豁免"
            } else {
                "驳回豁免"
            };
            audit(
                store,
                Some(&account),
                what,
                Some(&w.fingerprint),
                &w.reason,
                &ip,
            )?;
            Ok(true)
        })
        .await?;
    if !done {
        return Ok(message(
            StatusCode::CONFLICT,
            "无法审批",
            "该申请不存在或已审批。",
        ));
    }
    Ok(Redirect::to("/waivers").into_response())
}
