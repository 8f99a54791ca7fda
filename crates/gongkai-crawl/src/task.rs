//! One request from start to record: redirects followed by hand, HEAD-then-GET for checks,
//! retries decided, the body classified and (for crawled HTML) analysed into a page model whose
//! links become frontier candidates.

use crate::attachment;
use crate::coverage::CutReason;
use crate::ctx::{Ctx, PriorFetch, TaskDone};
use crate::fetch::{self, Conditional, Exchange, NetFailure};
use crate::frontier::{Candidate, FrontierEntry, Via};
use crate::host::{Host, Queued, RobotsState};
use crate::outcome::{FetchOutcome, FetchPurpose, FetchRecord, Method, RedirectHop};
use crate::scope::origin_key;
use gongkai_page::{FollowRequest, LinkKind, PageKind, PageModel, SkipReason};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Bytes read from a checked attachment or image when HEAD is refused.
const ATTACHMENT_GET_CAP: usize = 16 * 1024;
/// robots.txt size read (RFC 9309 asks for at least 500 KiB).
const ROBOTS_CAP: usize = 512 * 1024;

pub(crate) async fn fetch_robots(ctx: Arc<Ctx>, origin: String) -> TaskDone {
    let state = match Url::parse(&origin).and_then(|u| u.join("/robots.txt")) {
        Err(_) => RobotsState::Ready(None),
        Ok(url) => {
            let mut current = url;
            let mut state = RobotsState::DisallowAll;
            // RFC 9309: follow at least five redirects.
            for _ in 0..5 {
                match fetch::exchange(&ctx.client, Method::Get, &current, None, None, ROBOTS_CAP)
                    .await
                {
                    Ok(ex) if (300..400).contains(&ex.status) => {
                        match fetch::header(&ex.headers, "location")
                            .and_then(|l| fetch::redirect_target(&current, l))
                        {
                            Some(next) => current = next,
                            None => {
                                state = RobotsState::Ready(None);
                                break;
                            }
                        }
                    }
                    Ok(ex) if (200..300).contains(&ex.status) => {
                        state = match texting_robots::Robot::new(&ctx.cfg.robots_agent, &ex.body) {
                            Ok(r) => RobotsState::Ready(Some(r)),
                            Err(_) => RobotsState::Ready(None),
                        };
                        break;
                    }
                    // 4xx: no rules apply ("unavailable"); a 429 is treated as unreachable.
                    Ok(ex) if (400..500).contains(&ex.status) && ex.status != 429 => {
                        state = RobotsState::Ready(None);
                        break;
                    }
                    Ok(ex) => {
                        tracing::warn!(%origin, status = ex.status, "robots.txt unreachable: assuming complete disallow");
                        break;
                    }
                    Err(f) => {
                        // The host itself cannot be reached: the requests that follow will fail
                        // the same way and be classified as such (dns, connect, tls, timeout).
                        tracing::debug!(%origin, detail = %f.detail, "robots.txt fetch failed");
                        state = RobotsState::Ready(None);
                        break;
                    }
                }
            }
            state
        }
    };
    TaskDone::Robots { origin, state }
}

/// A record for a URL that was not requested.
pub(crate) fn skipped_record(
    entry: &FrontierEntry,
    outcome: FetchOutcome,
    why: &str,
) -> FetchRecord {
    FetchRecord {
        url: entry.url.clone(),
        method: entry.method,
        request_body: entry.request_body.clone(),
        purpose: entry.purpose,
        depth: entry.depth,
        outcome,
        status: None,
        final_url: entry.url.clone(),
        redirects: Vec::new(),
        headers: Vec::new(),
        content_type: None,
        charset: None,
        etag: None,
        last_modified: None,
        fetched_at: now_rfc3339(),
        elapsed_ms: 0,
        body: None,
        body_truncated: false,
        not_modified: false,
        error: Some(why.to_string()),
        model: None,
        attempts: 0,
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The answer after following redirects.
struct Followed {
    exchange: Result<Exchange, NetFailure>,
    final_url: Url,
    redirects: Vec<RedirectHop>,
    /// Set when the chain itself failed (loop, too long, non-http target).
    chain_failure: Option<(FetchOutcome, String)>,
}

async fn follow(
    ctx: &Ctx,
    method: Method,
    url: &Url,
    form: Option<&str>,
    cond: Option<&Conditional>,
    cap: usize,
    full: bool,
) -> Followed {
    let mut current = url.clone();
    let mut method = method;
    let mut form = form.map(str::to_string);
    let mut redirects = Vec::new();
    let mut visited: HashSet<String> = HashSet::from([current.to_string()]);
    let mut hops = 0usize;
    loop {
        if hops > 0 {
            // Each hop is a request of its own and waits for its host's turn.
            let origin = origin_key(&current);
            let limiter = match ctx.limiters.get(&origin) {
                Some(l) => l,
                None => {
                    let h = Host::new(origin.clone(), ctx.cfg.rate);
                    ctx.limiters.set(&origin, h.limiter.clone());
                    h.limiter
                }
            };
            if let Some(l) = limiter {
                l.until_ready().await;
            }
        }
        let cond_here = if hops == 0 { cond } else { None };
        let ex = fetch::exchange_with(
            &ctx.client,
            method,
            &current,
            form.as_deref(),
            cond_here,
            cap,
            full,
        )
        .await;
        let ex = match ex {
            Err(f) => {
                return Followed {
                    exchange: Err(f),
                    final_url: current,
                    redirects,
                    chain_failure: None,
                }
            }
            Ok(ex) => ex,
        };
        let is_redirect = matches!(ex.status, 301 | 302 | 303 | 307 | 308);
        let location = fetch::header(&ex.headers, "location").map(str::to_string);
        let (true, Some(location)) = (is_redirect, location) else {
            return Followed {
                exchange: Ok(ex),
                final_url: current,
                redirects,
                chain_failure: None,
            };
        };
        redirects.push(fetch::hop(&current, ex.status, &location));
        let Some(next) = fetch::redirect_target(&current, &location) else {
            return Followed {
                exchange: Ok(ex),
                final_url: current,
                redirects,
                chain_failure: Some((
                    FetchOutcome::TooManyRedirects,
                    format!("redirect to a non-http(s) target: {location}"),
                )),
            };
        };
        if !visited.insert(next.to_string()) {
            return Followed {
                exchange: Ok(ex),
                final_url: next,
                redirects,
                chain_failure: Some((FetchOutcome::RedirectLoop, "redirect loop".to_string())),
            };
        }
        hops += 1;
        if hops > ctx.cfg.max_redirects {
            return Followed {
                exchange: Ok(ex),
                final_url: next,
                redirects,
                chain_failure: Some((
                    FetchOutcome::TooManyRedirects,
                    format!("more than {} redirects", ctx.cfg.max_redirects),
                )),
            };
        }
        if matches!(ex.status, 301..=303) && method == Method::Post {
            method = Method::Get;
            form = None;
        }
        current = next;
    }
}

fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(6));
    let jitter = rand::random::<f64>() * exp.as_secs_f64() * 0.5;
    exp + Duration::from_secs_f64(jitter)
}

fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            ct.contains("html") || (ct.starts_with("text/plain") && looks_like_html(body))
        }
        None => looks_like_html(body),
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    head.contains("<html")
        || head.contains("<!doctype html")
        || head.contains("<head")
        || head.contains("<body")
}

pub(crate) async fn fetch_task(ctx: Arc<Ctx>, origin: String, q: Queued) -> TaskDone {
    let Queued { entry, attempt, .. } = q;
    let started = std::time::Instant::now();
    let fetched_at = now_rfc3339();
    let Ok(url) = Url::parse(&entry.url) else {
        let record = skipped_record(&entry, FetchOutcome::Skipped, "unparsable URL");
        return TaskDone::Fetched {
            origin,
            record: Box::new(record),
            discovered: Vec::new(),
        };
    };

    let crawlable = entry.purpose == FetchPurpose::Crawl && ctx.scope.contains(&url);
    let read_attachment = attachment::read_in_full(&ctx.cfg, &entry, ctx.scope.contains(&url));
    let cap = if crawlable {
        ctx.cfg.html_cap
    } else if read_attachment {
        ctx.cfg.attachment_cap
    } else {
        ctx.cfg.check_cap
    };
    let prior = if (crawlable || read_attachment) && entry.method == Method::Get {
        prior_fetch(&ctx, &entry.url).await
    } else {
        None
    };
    let (followed, used_method) = request(
        &ctx,
        &origin,
        &entry,
        &url,
        cap,
        prior.as_ref(),
        read_attachment,
    )
    .await;

    if attempt < ctx.cfg.max_retries && followed.chain_failure.is_none() {
        if let Some((wait, block)) = retry_decision(&ctx, attempt, &followed.exchange) {
            return TaskDone::Retry {
                origin,
                queued: Queued {
                    entry,
                    attempt: attempt + 1,
                    not_before: Some(Instant::now() + wait),
                },
                block_host_until: block,
            };
        }
    }

    let mut record = new_record(&entry, fetched_at, attempt, used_method);
    let mut discovered = Vec::new();
    match answered(&mut record, followed, prior, crawlable, cap) {
        None => {}
        Some((body, reused_model)) => {
            let (html, body) =
                analyze_answer(&mut record, body, reused_model, &entry, read_attachment).await;
            let final_in_scope = Url::parse(&record.final_url)
                .map(|u| ctx.scope.contains(&u))
                .unwrap_or(false);
            if let Some(hanweb_total) = html.hanweb_total {
                if crawlable
                    && final_in_scope
                    && record.outcome != FetchOutcome::Blocked
                    && record.outcome.is_ok_like()
                {
                    if let Some(model) = record.model.as_ref() {
                        discovered = discover(&ctx, &entry, model, &record.final_url, hanweb_total);
                    }
                }
            }
            // Attachments of the portal's own origins are kept whole (their text is checked).
            let truncated = record.body_truncated;
            let attachment_read = read_attachment
                && attachment::mark(&mut record, html.is_html, truncated, cap, &body);
            // Pages and text are kept as evidence; binary prefixes of attachments are not.
            if !body.is_empty()
                && (html.is_html
                    || attachment_read
                    || record
                        .content_type
                        .as_deref()
                        .is_some_and(fetch::is_textual))
            {
                record.body = Some(body);
            }
        }
    }
    record.elapsed_ms = started.elapsed().as_millis() as u64;
    TaskDone::Fetched {
        origin,
        record: Box::new(record),
        discovered,
    }
}

/// Validators and the body of the last stored fetch of `url`, for a conditional request.
async fn prior_fetch(ctx: &Ctx, url: &str) -> Option<PriorFetch> {
    if ctx.prior.is_empty() {
        return None;
    }
    let lookup = ctx.prior.clone();
    let key = url.to_string();
    tokio::task::spawn_blocking(move || lookup.prior(&key))
        .await
        .ok()
        .flatten()
}

/// Makes the request, following redirects: conditional when there is a prior fetch, and
/// HEAD-then-GET for attachment checks. Returns the answer and the method that produced it.
async fn request(
    ctx: &Ctx,
    origin: &str,
    entry: &FrontierEntry,
    url: &Url,
    cap: usize,
    prior: Option<&PriorFetch>,
    read_attachment: bool,
) -> (Followed, Method) {
    let head_first = entry.purpose == FetchPurpose::Check
        && entry.method == Method::Get
        && !read_attachment
        && !matches!(
            entry.link_kind,
            Some(LinkKind::Page | LinkKind::Frame) | None
        );
    if !head_first {
        let cond = prior.map(|p| Conditional {
            etag: p.etag.clone(),
            last_modified: p.last_modified.clone(),
        });
        let form = entry.request_body.as_deref();
        let followed = follow(
            ctx,
            entry.method,
            url,
            form,
            cond.as_ref(),
            cap,
            read_attachment,
        )
        .await;
        return (followed, entry.method);
    }
    let followed = follow(ctx, Method::Head, url, None, None, 0, false).await;
    // HEAD is often refused or answered wrongly by government servers: GET decides.
    let head_ok = matches!(&followed.exchange, Ok(ex) if (200..300).contains(&ex.status))
        && followed.chain_failure.is_none();
    let hard_fail = matches!(&followed.exchange, Err(f) if matches!(f.outcome, FetchOutcome::Dns | FetchOutcome::Connect | FetchOutcome::Tls));
    // 429 / 503 say "busy", not "HEAD refused": the retry decision waits as asked instead.
    let busy = matches!(&followed.exchange, Ok(ex) if ex.status == 429 || ex.status == 503);
    if head_ok || hard_fail || busy {
        return (followed, Method::Head);
    }
    if let Some(l) = ctx.limiters.get(origin).flatten() {
        l.until_ready().await;
    }
    let followed = follow(ctx, Method::Get, url, None, None, ATTACHMENT_GET_CAP, false).await;
    (followed, Method::Get)
}

/// Whether to retry, and how long to wait (plus until when to block the host): transient
/// failures and 5xx with backoff; 429/503 after Retry-After (when within the cap).
fn retry_decision(
    ctx: &Ctx,
    attempt: u32,
    exchange: &Result<Exchange, NetFailure>,
) -> Option<(Duration, Option<Instant>)> {
    match exchange {
        Err(f) if f.transient => Some((backoff(ctx.cfg.backoff_base, attempt), None)),
        Ok(ex) if ex.status == 429 || ex.status == 503 => match fetch::retry_after(&ex.headers) {
            Some(wait) if wait <= ctx.cfg.retry_after_cap => {
                let until = Instant::now() + wait;
                Some((wait, Some(until)))
            }
            Some(_) => None,
            None if ex.status == 503 => Some((backoff(ctx.cfg.backoff_base, attempt), None)),
            None => None,
        },
        Ok(ex) if (500..600).contains(&ex.status) => {
            Some((backoff(ctx.cfg.backoff_base, attempt), None))
        }
        _ => None,
    }
}

/// The record of a fetch of `entry` before its answer is known.
fn new_record(
    entry: &FrontierEntry,
    fetched_at: String,
    attempt: u32,
    used_method: Method,
) -> FetchRecord {
    let mut record = FetchRecord {
        url: entry.url.clone(),
        method: entry.method,
        request_body: entry.request_body.clone(),
        purpose: entry.purpose,
        depth: entry.depth,
        outcome: FetchOutcome::Ok,
        status: None,
        final_url: entry.url.clone(),
        redirects: Vec::new(),
        headers: Vec::new(),
        content_type: None,
        charset: None,
        etag: None,
        last_modified: None,
        fetched_at,
        elapsed_ms: 0,
        body: None,
        body_truncated: false,
        not_modified: false,
        error: None,
        model: None,
        attempts: attempt + 1,
    };
    if used_method != entry.method {
        record
            .headers
            .push(("x-gongkai-method".into(), used_method.as_str().into()));
    }
    record
}

/// Fills `record` from the answer (status, headers, outcome, 304 reuse, size cap). Returns the
/// body (the stored one on a 304) and the reusable stored model, or None when no answer came.
fn answered(
    record: &mut FetchRecord,
    followed: Followed,
    prior: Option<PriorFetch>,
    crawlable: bool,
    cap: usize,
) -> Option<(Vec<u8>, Option<PageModel>)> {
    let redirected = !followed.redirects.is_empty();
    record.final_url = followed.final_url.to_string();
    record.redirects = followed.redirects;
    let ex = match followed.exchange {
        Err(f) => {
            record.outcome = f.outcome;
            record.error = Some(f.detail);
            return None;
        }
        Ok(ex) => ex,
    };
    record.status = Some(ex.status);
    record.headers.extend(ex.headers.iter().cloned());
    record.content_type = fetch::header(&ex.headers, "content-type").map(str::to_string);
    record.etag = fetch::header(&ex.headers, "etag").map(str::to_string);
    record.last_modified = fetch::header(&ex.headers, "last-modified").map(str::to_string);
    record.outcome = fetch::classify_status(ex.status, redirected);
    let mut body = ex.body;
    let mut reused_model = None;
    if let Some((outcome, why)) = followed.chain_failure {
        record.outcome = outcome;
        record.error = Some(why);
        body.clear();
    } else if ex.status == 304 {
        if let Some(p) = prior {
            record.not_modified = true;
            body = p.body;
            // Same bytes from the same URL: the stored model is what parsing would give.
            if p.final_url == record.final_url {
                reused_model = p.model;
            }
            record.etag = record.etag.take().or(p.etag);
            record.last_modified = record.last_modified.take().or(p.last_modified);
        } else {
            // 304 without a stored body (validators from another URL): nothing to reuse.
            record.error = Some("304 Not Modified without a stored body".into());
        }
    }
    if ex.truncated
        && crawlable
        && record
            .content_type
            .as_deref()
            .is_none_or(|c| c.contains("html"))
    {
        record.outcome = FetchOutcome::TooLarge;
        record.error = Some(format!("body larger than {} bytes", cap));
    }
    record.body_truncated = ex.truncated;
    Some((body, reused_model))
}

/// What [`analyze_answer`] found.
struct AnswerKind {
    /// The body is a page (HTML, or a Hanweb list answer).
    is_html: bool,
    /// Set when a model was attached to the record: the Hanweb total record count it announced.
    hanweb_total: Option<Option<u32>>,
}

/// Attaches the page model to `record` (the reused one, or a fresh extraction off the async
/// threads), with the charset; a challenge page turns an ok outcome into `blocked`. The body is
/// handed back (it went to the extraction's thread and back, not copied).
async fn analyze_answer(
    record: &mut FetchRecord,
    body: Vec<u8>,
    reused_model: Option<PageModel>,
    entry: &FrontierEntry,
    read_attachment: bool,
) -> (AnswerKind, Vec<u8>) {
    // Hanweb list answers are XML holding item HTML: parsed like pages. An attachment read whole
    // is HTML only when its bytes say so (servers label xls and doc files text/html).
    let is_html = !body.is_empty()
        && (is_html(record.content_type.as_deref(), &body) || entry.method == Method::Post)
        && (!read_attachment || looks_like_html(&body));
    let none = AnswerKind {
        is_html,
        hanweb_total: None,
    };
    if !is_html || record.outcome == FetchOutcome::TooLarge {
        return (none, body);
    }
    let (model, body) = match reused_model {
        Some(m) => (Some((m, None)), body),
        None => {
            let url = record.final_url.clone();
            analyze_off_thread(&url, body, record.content_type.clone(), entry).await
        }
    };
    let Some((model, hanweb_total)) = model else {
        return (none, body);
    };
    record.charset = Some(
        gongkai_page::encoding_of(
            &body[..body.len().min(4096)],
            record.content_type.as_deref(),
        )
        .to_string(),
    );
    if model.challenge && matches!(record.outcome, FetchOutcome::Ok | FetchOutcome::Redirected) {
        record.outcome = FetchOutcome::Blocked;
        record.error = Some("anti-bot challenge page".into());
    }
    record.model = Some(model);
    let kind = AnswerKind {
        is_html,
        hanweb_total: Some(hanweb_total),
    };
    (kind, body)
}

/// Page extraction is CPU work: keep it off the async threads.
/// The body goes to the extraction's thread and comes back with the model (None if the
/// extraction panicked: the body, the evidence, is kept all the same).
async fn analyze_off_thread(
    final_url: &str,
    body: Vec<u8>,
    content_type: Option<String>,
    entry: &FrontierEntry,
) -> (Option<(PageModel, Option<u32>)>, Vec<u8>) {
    let Ok(url) = Url::parse(final_url) else {
        return (None, body);
    };
    let method = entry.method;
    let column = entry.column.clone();
    let done = tokio::task::spawn_blocking(move || {
        let analyzed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let a = gongkai_page::analyze_fetched(
                &url,
                &body,
                content_type.as_deref(),
                method,
                column.as_deref(),
            );
            (a.model, a.hanweb_total)
        }));
        (analyzed.ok(), body)
    })
    .await;
    // A blocking task is only lost when the runtime shuts down, the crawl with it.
    done.unwrap_or_default()
}

/// Turns a crawled page's links and follow-ups into frontier candidates.
///
/// Depth counts clicks between lists, not pages of one list: every page of a column list (a
/// pagination follow request, or a link the page model reads as its own pager) keeps the depth
/// of the page it was found on, and the articles of page k are one level below the list.
fn discover(
    ctx: &Ctx,
    entry: &FrontierEntry,
    model: &PageModel,
    page_url: &str,
    hanweb_total: Option<u32>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let child_depth = entry.depth + 1;
    let pager: HashSet<&str> = model
        .follow
        .iter()
        .filter_map(|f| match f {
            FollowRequest::Pagination { url } => Some(url.as_str()),
            _ => None,
        })
        .collect();
    // Items of the page's own column list (only on pages read as lists).
    let items: HashSet<&str> = match (&model.column, model.kind) {
        (Some(col), PageKind::ColumnList) => {
            col.items.iter().filter_map(|i| i.url.as_deref()).collect()
        }
        _ => HashSet::new(),
    };
    for link in &model.links {
        let Some(target) = link.url.as_deref() else {
            if matches!(
                link.skip,
                Some(SkipReason::OtherScheme | SkipReason::Malformed)
            ) {
                out.push(scheme_candidate(&link.raw, page_url));
            }
            continue;
        };
        // Scripts and styles are recorded, not fetched: they are not part of the link checks.
        if matches!(link.kind, LinkKind::Script | LinkKind::Style) {
            continue;
        }
        let in_scope = match ctx.scope.contains_str(target) {
            Some(inside) => inside,
            None => {
                let Ok(u) = Url::parse(target) else { continue };
                ctx.scope.contains(&u)
            }
        };
        if in_scope && pager.contains(target) {
            // Queued below with the list's depth.
            continue;
        }
        let page_like = matches!(link.kind, LinkKind::Page | LinkKind::Frame);
        let deep = child_depth > ctx.cfg.max_depth;
        let (purpose, note) = match (page_like, in_scope, deep) {
            (true, true, false) => (FetchPurpose::Crawl, None),
            (true, true, true) => (FetchPurpose::Check, Some(CutReason::MaxDepth)),
            (true, false, _) => (FetchPurpose::Check, Some(CutReason::OutOfScope)),
            (false, _, _) => (FetchPurpose::Check, None),
        };
        let via = if items.contains(target) {
            Via::ListItem
        } else {
            Via::Link
        };
        out.push(Candidate {
            entry: FrontierEntry {
                url: target.to_string(),
                method: Method::Get,
                request_body: None,
                purpose,
                depth: child_depth,
                parent: Some(page_url.to_string()),
                link_kind: Some(link.kind),
                column: None,
            },
            via,
            note,
        });
    }
    out.extend(follow_candidates(ctx, entry, model, page_url, hanweb_total));
    out
}

/// The page's pagination and Hanweb follow requests: same column, same depth.
fn follow_candidates(
    ctx: &Ctx,
    entry: &FrontierEntry,
    model: &PageModel,
    page_url: &str,
    hanweb_total: Option<u32>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let column_name = model
        .column
        .as_ref()
        .map(|c| c.name.to_string())
        .filter(|n| !n.is_empty());
    for follow in &model.follow {
        match follow {
            FollowRequest::Pagination { url } => {
                let Ok(u) = Url::parse(url) else { continue };
                if !ctx.scope.contains(&u) {
                    continue;
                }
                out.push(Candidate {
                    entry: FrontierEntry {
                        url: url.clone(),
                        method: Method::Get,
                        request_body: None,
                        purpose: FetchPurpose::Crawl,
                        depth: entry.depth,
                        parent: Some(page_url.to_string()),
                        link_kind: Some(LinkKind::Page),
                        column: column_name.clone(),
                    },
                    via: Via::Pagination,
                    note: None,
                });
            }
            FollowRequest::HanwebDataProxy { .. } => {
                if let Some(first) =
                    crate::hanweb::first_request(follow, entry.depth, page_url, column_name.clone())
                {
                    if Url::parse(&first.url)
                        .map(|u| ctx.scope.contains(&u))
                        .unwrap_or(false)
                    {
                        out.push(Candidate {
                            entry: first,
                            via: Via::Pagination,
                            note: None,
                        });
                    }
                }
            }
        }
    }
    if entry.method == Method::Post {
        if let Some(next) = crate::hanweb::next_request(entry, hanweb_total) {
            out.push(Candidate {
                entry: next,
                via: Via::Pagination,
                note: None,
            });
        }
    }
    out
}

/// A link that is never requested (ftp:, weixin:, a malformed href): counted, not queued.
fn scheme_candidate(raw: &str, page_url: &str) -> Candidate {
    let raw: String = raw.chars().take(2048).collect();
    Candidate {
        entry: FrontierEntry {
            url: raw,
            method: Method::Get,
            request_body: None,
            purpose: FetchPurpose::Check,
            depth: 0,
            parent: Some(page_url.to_string()),
            link_kind: None,
            column: None,
        },
        via: Via::Link,
        note: Some(CutReason::Scheme),
    }
}
