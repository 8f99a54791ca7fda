//! The JSON API: `GET /api/findings` and `GET /api/findings/{id}` with `Authorization: Bearer
//! TOKEN` (tokens from `gongkai account token`). No or unknown token → 401; a finding of another
//! department → 404 (its existence is not confirmed).

use crate::auth::secret_hash;
use crate::layout::AppError;
use crate::model::{one, visible, Filter};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongkai_store::{Account, CredentialKind};
use serde_json::json;

fn error(status: StatusCode, text: &str) -> Response {
    let mut r = (status, Json(json!({ "error": text }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Bearer".parse().expect("static header"),
        );
    }
    r
}

/// The account of the request's Bearer token.
async fn bearer(state: &AppState, headers: &HeaderMap) -> Result<Account, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128);
    let Some(token) = token else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "需要 Authorization: Bearer 令牌",
        ));
    };
    let sha = secret_hash(token);
    match state
        .db(move |s| Ok(s.credential(CredentialKind::Api, &sha)?))
        .await
    {
        Ok(Some((a, _))) => Ok(a),
        Ok(None) => Err(error(StatusCode::UNAUTHORIZED, "令牌无效")),
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

/// `GET /api/findings`: the account's findings of the current run (filters as on the page).
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    let account = match bearer(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return Ok(r),
    };
    let st = state.clone();
    let (_, views) = state.db(move |s| visible(s, st.pack(), &account)).await?;
    let views: Vec<_> = views.into_iter().filter(|v| filter.keep(v)).collect();
    Ok(Json(views).into_response())
}

/// `GET /api/findings/{id}`.
pub async fn one_finding(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let account = match bearer(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return Ok(r),
    };
    let st = state.clone();
    let res = state.db(move |s| one(s, st.pack(), &account, id)).await?;
    Ok(match res {
        Ok((_, v)) => Json(v).into_response(),
        Err(_) => error(StatusCode::NOT_FOUND, "没有这条问题"),
    })
}
