//! The page shell, the stylesheet, security headers on every answer, and the error page.

use crate::auth::Session;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// No script at all, styles only from our own stylesheet, forms only to ourselves, never framed.
/// Stricter than the report's (which needs one hashed inline script).
pub(crate) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CSS: &str = "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:0;color:#222}\
header{background:#8b1a1a;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center}\
header a{color:#fff}header form{margin-left:auto}main{padding:1em}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;\
text-align:left;vertical-align:top;word-break:break-all}th{background:#f3f3f3}\
.open{color:#b00}.resolved{color:#070}.waived{color:#666}.msg{background:#fff6d6;padding:.5em}\
form.inline{display:inline}label{margin-right:.5em}textarea{width:40em;max-width:100%}";

/// Adds the security headers to every response.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// `GET /app.css`.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// A whole page: header with navigation (and sign-out when signed in), then `body`.
pub(crate) fn page(title: &str, session: Option<&Session>, body: Markup) -> Html<String> {
    let m = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="referrer" content="no-referrer";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · gongkai 政务公开" }
                link rel="stylesheet" href="/app.css";
            }
            body {
                header {
                    strong { "政务公开问题整改" }
                    @if let Some(s) = session {
                        a href="/findings" { "问题清单" }
                        @if s.account.is_admin() {
                            a href="/" { "各单位概况" }
                            a href="/waivers" { "豁免审批" }
                        }
                        span #who { (s.account.name()) }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button type="submit" { "退出" }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    };
    Html(m.into_string())
}

/// A short message page with a status.
pub(crate) fn message(status: StatusCode, title: &str, text: &str) -> Response {
    (status, page(title, None, html! { p.msg { (text) } })).into_response()
}

/// Internal errors: logged with their context, shown as a generic page.
pub struct AppError(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for AppError {
    fn from(e: E) -> Self {
        AppError(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = format!("{:#}", self.0), "request failed");
        message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器错误",
            "处理请求时出错，请稍后重试或联系管理员。",
        )
    }
}
