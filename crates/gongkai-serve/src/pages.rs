//! The HTML pages (maud templates: every interpolated value is escaped) and the downloads.

use crate::actions::denied;
use crate::auth::{require, Session};
use crate::layout::{page, AppError};
use crate::model::{one, visible, Filter, FindingView, LoopState};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_report::{EvidenceRef, ReportFinding, ReportInput, RuleInfo, RunMeta};
use gongkai_store::{AuditRow, RunInfo, Store};
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet};

macro_rules! session_or_return {
    ($state:expr, $headers:expr) => {
        match require(&$state, &$headers).await {
            Ok(s) => s,
            Err(r) => return Ok(r),
        }
    };
}

/// `GET /`: the office's overview per department and over time; departments go to their list.
pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let s = session_or_return!(state, headers);
    if !s.account.is_admin() {
        return Ok(Redirect::to("/findings").into_response());
    }
    let (account, st) = (s.account.clone(), state.clone());
    let (run, views, trend) = state
        .db(move |store| {
            let (run, views) = visible(store, st.pack(), &account)?;
            Ok((run, views, trend(store)?))
        })
        .await?;
    let mut per: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for v in &views {
        let e = per.entry(dept(&v.department).to_string()).or_default();
        e[match v.status {
            LoopState::Open => 0,
            LoopState::Resolved => 1,
            LoopState::Waived => 2,
        }] += 1;
    }
    let runs: BTreeSet<(i64, String)> =
        trend.iter().map(|(id, d, _, _)| (*id, d.clone())).collect();
    let body = html! {
        @if let Some(r) = &run { p { "当前扫描：#" (r.id) "（评估日期 " (r.as_of) "）" } }
        h2 { "各单位问题（当前扫描）" }
        table #departments {
            tr { th { "责任单位" } th { "待整改" } th { "已整改" } th { "已豁免（不计入）" } }
            @for (d, n) in &per {
                tr {
                    td { a href={ "/findings?department=" (urlenc(d)) } { (d) } }
                    td.open { (n[0]) } td.resolved { (n[1]) } td.waived { (n[2]) }
                }
            }
        }
        h2 { "各次扫描问题数" }
        table #trend {
            tr { th { "责任单位" } @for (id, date) in &runs { th { "#" (id) " " (date) } } }
            @for d in trend.iter().map(|t| &t.2).collect::<BTreeSet<_>>() {
                tr {
                    td { (dept(d)) }
                    @for (id, _) in &runs {
                        td { (trend.iter().find(|t| t.0 == *id && &t.2 == d).map_or(0, |t| t.3)) }
                    }
                }
            }
        }
        p { a href="/audit.csv" { "下载操作记录（audit.csv）" } }
    };
    Ok(page("各单位概况", Some(&s), body).into_response())
}

/// Findings per run and department (the last 12 runs with findings).
fn trend(store: &Store) -> anyhow::Result<Vec<(i64, String, String, i64)>> {
    let mut stmt = store.connection().prepare(
        "SELECT r.id, r.as_of, f.department, count(*) FROM findings f JOIN runs r ON r.id = f.run_id
         WHERE r.id IN (SELECT DISTINCT run_id FROM findings ORDER BY run_id DESC LIMIT 12)
         GROUP BY r.id, f.department ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn dept(d: &str) -> &str {
    if d.trim().is_empty() {
        gongkai_report::model::UNKNOWN_DEPARTMENT
    } else {
        d
    }
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn filter_query(f: &Filter) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("rule", &f.rule),
        ("status", &f.status),
        ("severity", &f.severity),
        ("department", &f.department),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            q.append_pair(k, v);
        }
    }
    q.finish()
}

fn select(name: &str, label: &str, current: Option<&str>, options: &[(String, String)]) -> Markup {
    html! {
        label { (label) " "
            select name=(name) {
                option value="" { "全部" }
                @for (v, text) in options {
                    option value=(v) selected[current == Some(v.as_str())] { (text) }
                }
            }
        }
    }
}

/// `GET /findings`: the list with filters.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    let s = session_or_return!(state, headers);
    let (account, st) = (s.account.clone(), state.clone());
    let (run, views) = state
        .db(move |store| visible(store, st.pack(), &account))
        .await?;
    let rules: BTreeSet<(String, String)> = views
        .iter()
        .map(|v| (v.rule.clone(), format!("{} {}", v.rule, v.rule_title)))
        .collect();
    let rules: Vec<_> = rules.into_iter().collect();
    let statuses: Vec<(String, String)> = [LoopState::Open, LoopState::Resolved, LoopState::Waived]
        .iter()
        .map(|l| (l.as_str().to_string(), l.label_zh().to_string()))
        .chain([("all".to_string(), "全部（含豁免）".to_string())])
        .collect();
    let severities: Vec<(String, String)> = [
        gongkai_rules::Severity::Error,
        gongkai_rules::Severity::Warning,
        gongkai_rules::Severity::Notice,
    ]
    .iter()
    .map(|s| (s.as_str().to_string(), s.label_zh().to_string()))
    .collect();
    let shown: Vec<&FindingView> = views.iter().filter(|v| filter.keep(v)).collect();
    let q = filter_query(&filter);
    let body = html! {
        @if let Some(r) = &run { p { "当前扫描：#" (r.id) "（评估日期 " (r.as_of) "）" } }
        @else { p.msg { "数据库中还没有完成检查的扫描。" } }
        form method="get" action="/findings" {
            (select("rule", "规则", filter.rule.as_deref(), &rules))
            (select("status", "状态", filter.status.as_deref(), &statuses))
            (select("severity", "级别", filter.severity.as_deref(), &severities))
            @if s.account.is_admin() {
                label { "责任单位 " input name="department" value=(filter.department.clone().unwrap_or_default()); }
            }
            button type="submit" { "筛选" }
        }
        p {
            "共 " span #count { (shown.len()) } " 条。"
            a href={ "/findings.xlsx?" (q) } { "下载 XLSX" } " · "
            a href={ "/findings.csv?" (q) } { "下载 CSV" }
        }
        table #findings {
            tr { th { "编号" } th { "级别" } th { "规则" } th { "责任单位" } th { "页面" } th { "说明" } th { "状态" } }
            @for v in &shown {
                tr data-status=(v.status.as_str()) {
                    td { a href={ "/findings/" (v.id) } { "#" (v.id) } }
                    td { (v.severity.label_zh()) }
                    td { (v.rule_title) br; small { (v.rule) } }
                    td { (dept(&v.department)) }
                    td { (v.url) @if let Some(t) = &v.target { br; "→ " (t) } }
                    td { (v.message) }
                    td class=(v.status.as_str()) {
                        (v.status.label_zh())
                        @if v.waiver_pending { br; small { "豁免待审批" } }
                    }
                }
            }
        }
    };
    Ok(page("问题清单", Some(&s), body).into_response())
}

/// `GET /findings/{id}`: one finding with evidence, history, rechecks, waivers and audit.
pub async fn finding(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let s = session_or_return!(state, headers);
    let (account, st) = (s.account.clone(), state.clone());
    let res = state
        .db(move |store| {
            let (run, v) = match one(store, st.pack(), &account, id)? {
                Ok(x) => x,
                Err(d) => return Ok(Err(d)),
            };
            let detail = Detail::load(store, &run, &v)?;
            Ok(Ok((run, v, detail)))
        })
        .await?;
    let (run, v, d) = match res {
        Ok(x) => x,
        Err(e) => return Ok(denied(e)),
    };
    Ok(page(
        &format!("问题 #{}", v.id),
        Some(&s),
        finding_body(&s, &run, &v, &d),
    )
    .into_response())
}

/// What the finding page shows besides the finding.
struct Detail {
    page_title: Option<String>,
    evidence: Option<EvidenceRef>,
    history: Vec<(i64, String, i64)>,
    rechecks: Vec<gongkai_store::RecheckRow>,
    waivers: Vec<gongkai_store::WaiverRow>,
    audit: Vec<AuditRow>,
}

impl Detail {
    fn load(store: &Store, run: &RunInfo, v: &FindingView) -> anyhow::Result<Detail> {
        let page_title = store
            .fetch_by_url(run.id, &v.url)?
            .and_then(|p| p.title)
            .filter(|t| !t.trim().is_empty());
        let evidence = match v.finding.fetch_id {
            Some(fid) => store.fetch(fid)?.map(|f| EvidenceRef {
                fetch_id: fid,
                final_url: Some(f.record.final_url.clone()),
                http_status: f.record.status,
                fetched_at: f.record.fetched_at.clone(),
                body_sha256: f.body_sha256.clone(),
            }),
            None => None,
        };
        Ok(Detail {
            page_title,
            evidence,
            history: store.fingerprint_runs(&v.fingerprint)?,
            rechecks: store.rechecks(Some(&v.fingerprint))?,
            waivers: store.waivers(Some(&v.fingerprint))?,
            audit: store.audit_log(Some(&v.fingerprint))?,
        })
    }
}

fn finding_body(s: &Session, run: &RunInfo, v: &FindingView, d: &Detail) -> Markup {
    html! {
        table #finding {
            tr { th { "状态" } td #status class=(v.status.as_str()) { (v.status.label_zh()) } }
            tr { th { "规则" } td { (v.rule_title) " (" (v.rule) ")" } }
            tr { th { "级别" } td { (v.severity.label_zh()) } }
            tr { th { "责任单位" } td { (dept(&v.department)) } }
            tr { th { "页面标题" } td #page-title { (d.page_title.clone().unwrap_or_default()) } }
            tr { th { "页面" } td { (v.url) } }
            @if let Some(t) = &v.target { tr { th { "链接目标" } td { (t) } } }
            tr { th { "说明" } td { (v.message) } }
            tr { th { "扫描" } td { "#" (run.id) "（" (run.as_of) "）" } }
            tr { th { "指纹" } td { code { (v.fingerprint) } } }
        }
        @if let Some(last) = &v.last_recheck { p.msg #recheck-message { (last) } }
        h2 { "证据" }
        @if let Some(e) = &d.evidence {
            p { "抓取记录 #" (e.fetch_id) "，HTTP " (e.http_status.map(|s| s.to_string()).unwrap_or_else(|| "无响应".into()))
                "，时间 " (e.fetched_at) "，最终地址 " (e.final_url.clone().unwrap_or_default()) }
            p { "内容 sha256：" code { (e.body_sha256.clone().unwrap_or_else(|| "无".into())) } }
        } @else { p { "无抓取记录。" } }
        pre { (serde_json::to_string_pretty(&v.finding.evidence).unwrap_or_default()) }
        h2 { "历次扫描" }
        ul { @for (rid, date, fid) in &d.history { li { "扫描 #" (rid) "（" (date) "）发现，记录 #" (fid) } } }
        h2 { "复核" }
        @if v.status == LoopState::Open {
            form method="post" action={ "/findings/" (v.id) "/recheck" } {
                input type="hidden" name="csrf" value=(s.csrf);
                button #recheck type="submit" { "已整改，申请复核" }
            }
        }
        ul #rechecks { @for r in &d.rechecks { li { (r.requested_at) "：" (r.message)
            @for e in r.evidence.as_array().into_iter().flatten() {
                br; small { (e["url"].as_str().unwrap_or("")) " → HTTP " (e["status"].to_string()) "，" (e["outcome"].as_str().unwrap_or(""))
                    "，sha256 " (e["body_sha256"].as_str().unwrap_or("无")) }
            }
        } } }
        h2 { "豁免" }
        ul #waivers { @for w in &d.waivers { li { (w.requested_at) "：" (w.reason) "（" (waiver_zh(&w.status)) "）" } } }
        @if !v.waiver_pending && v.status == LoopState::Open {
            form method="post" action={ "/findings/" (v.id) "/waiver" } {
                input type="hidden" name="csrf" value=(s.csrf);
                p { label for="reason" { "申请豁免的理由" } }
                textarea #reason name="reason" required maxlength="2000" {}
                p { button #ask-waiver type="submit" { "申请豁免" } }
            }
        }
        h2 { "操作记录" }
        table #audit {
            tr { th { "时间" } th { "操作人" } th { "操作" } th { "内容" } th { "来源" } }
            @for a in &d.audit { tr { td { (a.at) } td { (a.actor) } td { (a.action) } td { (a.detail) } td { (a.ip.clone().unwrap_or_default()) } } }
        }
    }
}

fn waiver_zh(s: &str) -> &'static str {
    match s {
        "approved" => "已批准",
        "rejected" => "已驳回",
        _ => "待审批",
    }
}

/// `GET /waivers`: the office's queue.
pub async fn waivers(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let s = session_or_return!(state, headers);
    if !s.account.is_admin() {
        return Ok(denied(crate::model::Denied::Forbidden));
    }
    let rows = state
        .db(|store| {
            let mut out = Vec::new();
            for w in store.waivers(None)? {
                let who = store.account(w.requested_by)?.map(|a| a.name().to_string());
                out.push((w, who.unwrap_or_default()));
            }
            Ok(out)
        })
        .await?;
    let body = html! {
        table #waiver-queue {
            tr { th { "问题" } th { "申请单位" } th { "时间" } th { "理由" } th { "状态" } th { "审批" } }
            @for (w, who) in rows.iter().rev() {
                tr {
                    td { @if let Some(fid) = w.finding_id { a href={ "/findings/" (fid) } { "#" (fid) } } }
                    td { (who) } td { (w.requested_at) } td { (w.reason) } td { (waiver_zh(&w.status)) }
                    td { @if w.status == "pending" {
                        form.inline method="post" action={ "/waivers/" (w.id) "/decide" } {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button name="decision" value="approve" type="submit" { "批准" }
                            " "
                            button name="decision" value="reject" type="submit" { "驳回" }
                        }
                    } }
                }
            }
        }
    };
    Ok(page("豁免审批", Some(&s), body).into_response())
}

/// The report model of the visible, filtered findings (for the CSV / XLSX writers).
fn report_input(
    run: Option<RunInfo>,
    views: Vec<FindingView>,
    pack: &gongkai_rules::RulePack,
) -> ReportInput {
    let run = run.unwrap_or_else(|| RunInfo {
        id: 0,
        site: String::new(),
        start_urls: Vec::new(),
        settings: serde_json::Value::Null,
        tool_version: String::new(),
        rules_version: None,
        config_hash: None,
        as_of: String::new(),
        started_at: String::new(),
        finished_at: None,
        status: gongkai_store::RunStatus::Completed,
        outcome_counts: Default::default(),
        pages_fetched: None,
        checked_at: None,
        coverage: None,
        degraded: None,
        unconfirmed: None,
    });
    ReportInput {
        site: run.site.clone(),
        run: RunMeta {
            id: run.id,
            as_of: run.as_of.clone(),
            started_at: run.started_at.clone(),
            finished_at: run.finished_at.clone(),
            tool_version: run.tool_version.clone(),
            rules_version: run.rules_version.clone().unwrap_or_default(),
            rules_hash: run.rules_version.clone().unwrap_or_default(),
            config_hash: run.config_hash.clone().unwrap_or_default(),
            pages_fetched: run.pages_fetched.unwrap_or(0),
            outcome_counts: run.outcome_counts.clone(),
            // The department's download is a list, not a run report: coverage stays with the
            // office's report.
            partial: !run.complete(),
            coverage: None,
            degraded: run.degraded.clone(),
            unconfirmed: run.unconfirmed.unwrap_or(0),
        },
        previous_run: None,
        findings: views
            .into_iter()
            .map(|v| ReportFinding::new_on(v.finding, &run.as_of))
            .collect(),
        resolved: Vec::new(),
        trend: Vec::new(),
        rules: pack
            .rules()
            .iter()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                ledger: r.ledger.clone(),
                clause: r.clause.clone(),
            })
            .collect(),
    }
}

async fn download(
    state: AppState,
    headers: HeaderMap,
    filter: Filter,
    xlsx: bool,
) -> Result<Response, AppError> {
    let s = session_or_return!(state, headers);
    let (account, st) = (s.account.clone(), state.clone());
    let bytes = state
        .db(move |store| {
            let (run, views) = visible(store, st.pack(), &account)?;
            let views: Vec<_> = views.into_iter().filter(|v| filter.keep(v)).collect();
            let input = report_input(run, views, st.pack());
            if xlsx {
                Ok(gongkai_report::xlsx::to_bytes(&input)?)
            } else {
                Ok(gongkai_report::csv::to_bytes(&input)?)
            }
        })
        .await?;
    let (ct, name) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "findings.xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "findings.csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /findings.csv`.
pub async fn download_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    download(state, headers, filter, false).await
}

/// `GET /findings.xlsx`.
pub async fn download_xlsx(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    download(state, headers, filter, true).await
}

fn csv_cell(s: &str) -> String {
    let s = gongkai_report::csv::neutralize(s);
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The audit table as CSV (BOM, CRLF), every cell neutralised against spreadsheet formulas.
pub fn audit_csv_bytes(rows: &[AuditRow]) -> Vec<u8> {
    let mut out = String::from("\u{feff}时间,操作人,操作,指纹,内容,来源\r\n");
    for a in rows {
        let cells = [
            a.at.as_str(),
            a.actor.as_str(),
            a.action.as_str(),
            a.fingerprint.as_deref().unwrap_or(""),
            a.detail.as_str(),
            a.ip.as_deref().unwrap_or(""),
        ];
        out.push_str(&cells.map(csv_cell).join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// `GET /audit.csv`: the office gets everything; a department its own actions and findings.
pub async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let s = session_or_return!(state, headers);
    let (account, st) = (s.account.clone(), state.clone());
    let rows = state
        .db(move |store| {
            let all = store.audit_log(None)?;
            if account.is_admin() {
                return Ok(all);
            }
            let (_, views) = visible(store, st.pack(), &account)?;
            let mine: BTreeSet<String> = views.into_iter().map(|v| v.fingerprint).collect();
            Ok(all
                .into_iter()
                .filter(|a| {
                    a.account_id == Some(account.id)
                        || a.fingerprint.as_ref().is_some_and(|f| mine.contains(f))
                })
                .collect())
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"".to_string(),
            ),
        ],
        audit_csv_bytes(&rows),
    )
        .into_response())
}
