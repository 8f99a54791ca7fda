//! The HTML report: one self-contained `index.html` (inline CSS, a small vanilla script, an
//! inline SVG chart; no external assets) that opens from disk or a file share.
//!
//! Crawled strings (titles, URLs, messages, evidence, department names) are hostile: all are
//! HTML-escaped, only `http(s)` URLs become links, filter values travel in escaped `data-*`
//! attributes, and a Content-Security-Policy allows only the report's own script (by hash), so
//! even a missed escape could not run injected code.

mod chart;
pub mod scorecard;

use crate::encode::base64;
use crate::model::{
    FindingStatus, ReportFinding, ReportInput, RunMeta, SeverityCounts, SEVERITIES, SOURCE_DOCUMENT,
};
use crate::text::{
    all_sorted, escape_html as esc, evidence_pretty, fmt_beijing, fmt_utc, is_web_url, status_text,
};
use gongkai_core::Severity;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

pub use chart::trend_svg;

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// How many entries the "new / resolved" lists show before pointing to the table.
const CHANGE_LIST_MAX: usize = 50;

/// Renders `index.html`.
pub fn render(input: &ReportInput) -> String {
    let mut h = String::with_capacity(64 * 1024 + input.findings.len() * 1500);
    let script_hash = base64(&Sha256::digest(JS.as_bytes()));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'; \
         base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"gongkai {}\">\n\
         <title>政务公开检查报告 · {} · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&input.run.tool_version),
        esc(&input.site),
        esc(&input.run.as_of),
    );
    header(&mut h, input);
    h.push_str("<main>\n");
    coverage_section(&mut h, &input.run);
    summary(&mut h, input);
    scorecard::section(&mut h, input);
    changes(&mut h, input);
    breakdowns(&mut h, input);
    let _ = writeln!(
        h,
        "<section id=\"trend\"><h2>历次运行趋势</h2>{}</section>",
        chart::trend_svg(&input.trend)
    );
    findings_table(&mut h, input);
    rules_section(&mut h, input);
    h.push_str("</main>\n");
    let _ = write!(h, "<script>{JS}</script>\n</body>\n</html>\n");
    h
}

fn header(h: &mut String, input: &ReportInput) {
    let r = &input.run;
    let _ = write!(
        h,
        "<header>\n<h1>政务公开检查报告：{}</h1>\n<dl>\n",
        esc(&input.site)
    );
    let mut row = |k: &str, v: &str| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    };
    row("运行编号", &r.id.to_string());
    row("评估日期", &r.as_of);
    row("开始时间", &time_pair(&r.started_at));
    row(
        "结束时间",
        &r.finished_at
            .as_deref()
            .map(time_pair)
            .unwrap_or_else(|| "未完成".to_string()),
    );
    row("工具版本", &format!("gongkai {}", r.tool_version));
    row("规则版本", &version_hash(&r.rules_version, &r.rules_hash));
    if !r.config_hash.is_empty() {
        row("配置哈希", &r.config_hash);
    }
    row("扫描状态", &run_state(r));
    row("抓取页面数", &r.pages_fetched.to_string());
    row(
        "未验证（访问受限）",
        &format!(
            "{} 个页面或链接（401/403/412/429 等，不计为问题）",
            r.walls()
        ),
    );
    if r.unconfirmed > 0 {
        row(
            "待确认",
            &format!(
                "{} 个失效链接尚未在连续多次运行中失效，本次不计为问题",
                r.unconfirmed
            ),
        );
    }
    if !r.outcome_counts.is_empty() {
        let parts: Vec<String> = r
            .outcome_counts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        row("抓取结果", &parts.join("，"));
    }
    match &input.previous_run {
        Some(p) => row("对比运行", &previous_text(p)),
        None => row("对比运行", "无（首次运行）"),
    }
    row("依据文件", SOURCE_DOCUMENT);
    h.push_str("</dl>\n</header>\n");
}

/// 运行异常（降级） / 完整 / 不完整 (with the limits) / 未完成.
fn run_state(r: &RunMeta) -> String {
    if let Some(line) = r.degraded_line() {
        line
    } else if r.partial {
        let limits = r
            .coverage
            .as_ref()
            .map(|c| c.limits_hit.join("、"))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "抓取上限".to_string());
        format!("不完整（{limits}）：需要全站才能判断的规则未判断，未再出现的问题不算已整改")
    } else if r.finished_at.is_none() {
        "未完成".to_string()
    } else {
        "完整".to_string()
    }
}

/// The 覆盖情况 section: pages fetched; not fetched and not readable, by reason.
fn coverage_section(h: &mut String, r: &RunMeta) {
    let Some(c) = &r.coverage else {
        return;
    };
    let cls = if r.partial { " class=\"partial\"" } else { "" };
    let _ = writeln!(
        h,
        "<section id=\"coverage\"{cls}><h2>覆盖情况</h2>\n<p>{}</p>\n<table>\n\
         <thead><tr><th>项目</th><th>数量</th></tr></thead>\n<tbody>",
        esc(&c.summary)
    );
    let mut row = |k: &str, n: u64| {
        let _ = writeln!(h, "<tr><td>{}</td><td>{n}</td></tr>", esc(k));
    };
    row("已抓取页面", c.pages_fetched);
    row("未抓取（合计）", c.not_fetched_total());
    for (label, n) in &c.not_fetched {
        row(&format!("未抓取：{label}"), *n);
    }
    row("无法读取（合计）", c.unreadable_total());
    for (label, n) in &c.unreadable {
        row(&format!("无法读取：{label}"), *n);
    }
    if c.out_of_scope > 0 {
        row("站外链接（只检查不抓取）", c.out_of_scope);
    }
    h.push_str("</tbody>\n</table>\n");
    for line in &c.nights {
        let _ = writeln!(h, "<p class=\"nights\">{}</p>", esc(line));
    }
    if !c.not_judged.is_empty() {
        let _ = writeln!(
            h,
            "<p>本次扫描不完整，以下规则未判断：{}</p>",
            esc(&c.not_judged.join("、"))
        );
    }
    h.push_str("</section>\n");
}

fn time_pair(t: &str) -> String {
    let utc = fmt_utc(t);
    let bj = fmt_beijing(t);
    if utc == bj {
        utc
    } else {
        format!("{utc} / {bj}")
    }
}

fn version_hash(version: &str, hash: &str) -> String {
    match (version.is_empty(), hash.is_empty()) {
        (_, true) => version.to_string(),
        (true, false) => format!("哈希 {hash}"),
        (false, false) => format!("{version}（哈希 {hash}）"),
    }
}

fn previous_text(p: &RunMeta) -> String {
    format!("运行编号 {}，评估日期 {}", p.id, p.as_of)
}

fn sev_class(s: Severity) -> &'static str {
    s.as_str()
}

fn summary(h: &mut String, input: &ReportInput) {
    let c = SeverityCounts::of(&input.findings);
    let new = input
        .findings
        .iter()
        .filter(|f| f.status == FindingStatus::New)
        .count();
    h.push_str("<section id=\"summary\"><h2>问题概况</h2><div class=\"cards\">\n");
    for s in SEVERITIES {
        let _ = writeln!(
            h,
            "<div class=\"card {}\">{}<b>{}</b></div>",
            sev_class(s),
            s.label_zh(),
            c.get(s)
        );
    }
    let _ = writeln!(h, "<div class=\"card\">问题合计<b>{}</b></div>", c.total());
    let _ = writeln!(h, "<div class=\"card error\">新发现<b>{new}</b></div>");
    let _ = writeln!(
        h,
        "<div class=\"card resolved\">已整改<b>{}</b></div>",
        input.resolved.len()
    );
    h.push_str("</div></section>\n");
}

fn change_item(h: &mut String, input: &ReportInput, f: &ReportFinding) {
    let _ = writeln!(
        h,
        "<li><span class=\"sev {}\">{}</span> {} · {} · {}</li>",
        sev_class(f.finding.severity),
        f.finding.severity.label_zh(),
        esc(input.rule_title(f)),
        esc(f.department()),
        link(&f.finding.url, f.page_title.as_deref())
    );
}

fn changes(h: &mut String, input: &ReportInput) {
    h.push_str("<section id=\"changes\"><h2>与上次运行相比</h2>\n");
    let Some(prev) = &input.previous_run else {
        h.push_str("<p class=\"muted\">首次运行，没有可对比的上次运行；全部问题均为新发现。</p></section>\n");
        return;
    };
    let new: Vec<&ReportFinding> = input
        .findings
        .iter()
        .filter(|f| f.status == FindingStatus::New)
        .collect();
    let _ = writeln!(
        h,
        "<p>对比{}：新发现 <b>{}</b> 个，已整改 <b>{}</b> 个，未整改 <b>{}</b> 个。</p>",
        esc(&previous_text(prev)),
        new.len(),
        input.resolved.len(),
        input.findings.len() - new.len()
    );
    h.push_str("<div class=\"grid2\">\n");
    for (title, list) in [
        ("新发现", new),
        ("已整改", input.resolved.iter().collect::<Vec<_>>()),
    ] {
        let _ = write!(h, "<div><h3>{title}（{}）</h3>", list.len());
        if list.is_empty() {
            h.push_str("<p class=\"muted\">无</p></div>\n");
            continue;
        }
        h.push_str("<ul class=\"changes\">\n");
        for f in list.iter().take(CHANGE_LIST_MAX) {
            change_item(h, input, f);
        }
        h.push_str("</ul>");
        if list.len() > CHANGE_LIST_MAX {
            let _ = write!(
                h,
                "<p class=\"muted\">另有 {} 个，见下方问题清单。</p>",
                list.len() - CHANGE_LIST_MAX
            );
        }
        h.push_str("</div>\n");
    }
    h.push_str("</div></section>\n");
}

fn breakdowns(h: &mut String, input: &ReportInput) {
    // By rule.
    let mut by_rule: BTreeMap<&str, (Severity, u64, u64)> = BTreeMap::new();
    for f in &input.findings {
        let e = by_rule
            .entry(f.finding.rule.as_str())
            .or_insert((f.finding.severity, 0, 0));
        e.0 = e.0.max(f.finding.severity);
        e.1 += 1;
        if f.status == FindingStatus::New {
            e.2 += 1;
        }
    }
    let mut rules: Vec<_> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(b.1 .1.cmp(&a.1 .1)));
    h.push_str("<section id=\"breakdown\"><div class=\"grid2\">\n<div><h2>按问题类型统计</h2>");
    h.push_str("<table><thead><tr><th>问题类型</th><th>严重程度</th><th>台账序号</th><th class=\"num\">数量</th><th class=\"num\">新发现</th></tr></thead><tbody>\n");
    for (rule, (sev, n, new)) in &rules {
        let info = input.rule(rule);
        let title = info.map(|r| r.title.as_str()).unwrap_or(rule);
        let ledger = info
            .map(|r| crate::model::ledger_text(&r.ledger))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{}<div class=\"url\">{}</div></td><td><span class=\"sev {}\">{}</span></td><td>{}</td><td class=\"num\">{n}</td><td class=\"num\">{new}</td></tr>",
            esc(title),
            esc(rule),
            sev_class(*sev),
            sev.label_zh(),
            esc(&ledger)
        );
    }
    if rules.is_empty() {
        h.push_str("<tr><td colspan=\"5\" class=\"muted\">无问题</td></tr>\n");
    }
    h.push_str("</tbody></table></div>\n");

    // By department.
    let mut by_dept: BTreeMap<&str, SeverityCounts> = BTreeMap::new();
    for f in &input.findings {
        by_dept
            .entry(f.department())
            .or_default()
            .add(f.finding.severity);
    }
    let mut depts: Vec<_> = by_dept.into_iter().collect();
    depts.sort_by(|a, b| {
        b.1.errors
            .cmp(&a.1.errors)
            .then(b.1.total().cmp(&a.1.total()))
            .then(a.0.cmp(b.0))
    });
    h.push_str("<div><h2>按责任单位统计</h2><table><thead><tr><th>责任单位</th>");
    for s in SEVERITIES {
        let _ = write!(h, "<th class=\"num\">{}</th>", s.label_zh());
    }
    h.push_str("<th class=\"num\">合计</th></tr></thead><tbody>\n");
    for (d, c) in &depts {
        let _ = write!(h, "<tr><td>{}</td>", esc(d));
        for s in SEVERITIES {
            let _ = write!(h, "<td class=\"num\">{}</td>", c.get(s));
        }
        let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", c.total());
    }
    if depts.is_empty() {
        h.push_str("<tr><td colspan=\"5\" class=\"muted\">无问题</td></tr>\n");
    }
    h.push_str("</tbody></table></div>\n</div></section>\n");
}

/// A page link: clickable only for http(s); the text is the page title or the URL.
fn link(url: &str, title: Option<&str>) -> String {
    let text = match title {
        Some(t) if !t.trim().is_empty() => t,
        _ => url,
    };
    if is_web_url(url) {
        format!(
            "<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{}</a>",
            esc(url),
            esc(text)
        )
    } else {
        format!("<span>{}</span>", esc(text))
    }
}

fn select(h: &mut String, key: &str, label: &str, options: &[(String, String)]) {
    let _ = write!(
        h,
        "<label>{label} <select id=\"f-{key}\" data-filter=\"{key}\"><option value=\"\">全部</option>"
    );
    for (value, text) in options {
        let _ = write!(h, "<option value=\"{}\">{}</option>", esc(value), esc(text));
    }
    h.push_str("</select></label>\n");
}

fn findings_table(h: &mut String, input: &ReportInput) {
    let rows = all_sorted(input);
    let mut depts: Vec<String> = rows.iter().map(|f| f.department().to_string()).collect();
    depts.sort();
    depts.dedup();
    let mut rules: Vec<(String, String)> = rows
        .iter()
        .map(|f| (f.finding.rule.clone(), input.rule_title(f).to_string()))
        .collect();
    rules.sort();
    rules.dedup_by(|a, b| a.0 == b.0);

    let _ = write!(
        h,
        "<section id=\"list\"><h2>问题清单</h2>\n<div class=\"filters\">\n"
    );
    select(
        h,
        "dept",
        "责任单位",
        &depts
            .iter()
            .map(|d| (d.clone(), d.clone()))
            .collect::<Vec<_>>(),
    );
    select(
        h,
        "rule",
        "问题类型",
        &rules
            .iter()
            .map(|(id, t)| (id.clone(), format!("{t}（{id}）")))
            .collect::<Vec<_>>(),
    );
    select(
        h,
        "severity",
        "严重程度",
        &SEVERITIES
            .iter()
            .map(|s| (s.as_str().to_string(), s.label_zh().to_string()))
            .collect::<Vec<_>>(),
    );
    let mut statuses = vec![("open".to_string(), "未解决（新发现与未整改）".to_string())];
    for s in [
        FindingStatus::New,
        FindingStatus::Persisting,
        FindingStatus::Resolved,
        FindingStatus::Unverified,
    ] {
        statuses.push((s.as_str().to_string(), s.label_zh().to_string()));
    }
    select(h, "status", "状态", &statuses);
    let _ = write!(
        h,
        "<label>搜索 <input id=\"f-q\" type=\"search\" placeholder=\"页面、描述、证据…\"></label>\
         <button id=\"f-reset\" type=\"button\">重置</button>\
         <span>显示 <b id=\"shown-count\">{}</b> / {} 条</span>\n</div>\n",
        rows.len(),
        rows.len()
    );
    h.push_str(
        "<table id=\"findings\"><thead><tr><th class=\"num\">序号</th><th>严重程度</th>\
         <th>问题类型</th><th>责任单位</th><th>页面</th><th>问题描述与证据</th><th>依据</th>\
         <th>状态</th></tr></thead><tbody>\n",
    );
    for (i, f) in rows.iter().enumerate() {
        row(h, input, i + 1, f);
    }
    h.push_str("</tbody></table>\n");
    if rows.is_empty() {
        h.push_str("<p class=\"muted\">本次运行未发现问题。</p>\n");
    }
    h.push_str("</section>\n");
}

fn row(h: &mut String, input: &ReportInput, n: usize, f: &ReportFinding) {
    let sev = f.finding.severity;
    let _ = write!(
        h,
        "<tr class=\"{}\" data-dept=\"{}\" data-rule=\"{}\" data-severity=\"{}\" data-status=\"{}\" data-fingerprint=\"{}\">",
        f.status.as_str(),
        esc(f.department()),
        esc(&f.finding.rule),
        sev.as_str(),
        f.status.as_str(),
        esc(&f.finding.fingerprint),
    );
    let _ = write!(
        h,
        "<td class=\"num\">{n}</td><td><span class=\"sev {}\">{}</span></td><td>{}<div class=\"url\">{}</div></td><td>{}</td>",
        sev_class(sev),
        sev.label_zh(),
        esc(input.rule_title(f)),
        esc(&f.finding.rule),
        esc(f.department()),
    );
    // Page: title link plus the URL itself.
    h.push_str("<td>");
    h.push_str(&link(&f.finding.url, f.page_title.as_deref()));
    if f.page_title
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
    {
        let _ = write!(h, "<div class=\"url\">{}</div>", esc(&f.finding.url));
    }
    h.push_str("</td>");
    // Message, target, evidence.
    h.push_str("<td class=\"msg\">");
    h.push_str(&esc(&f.finding.message));
    if let Some(t) = f.finding.target.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(h, "<div class=\"url\">目标：{}</div>", link(t, None));
    }
    let ev = evidence_pretty(&f.finding.evidence);
    let proof = evidence_ref_text(f);
    if !ev.is_empty() || !proof.is_empty() {
        h.push_str("<details><summary>证据</summary>");
        if !proof.is_empty() {
            let _ = write!(h, "<div class=\"url\">{}</div>", esc(&proof));
        }
        if !ev.is_empty() {
            let _ = write!(h, "<pre>{}</pre>", esc(&ev));
        }
        h.push_str("</details>");
    }
    h.push_str("</td>");
    // Citation.
    let ledger = crate::model::ledger_text(input.ledger(f));
    let clause = input.clause(f);
    let _ = write!(h, "<td>文件 {}", esc(SOURCE_DOCUMENT));
    if !clause.is_empty() {
        let _ = write!(h, "<br>条款 {}", esc(clause));
    }
    if !ledger.is_empty() {
        let _ = write!(h, "<br>台账序号 {}", esc(&ledger));
    }
    h.push_str("</td>");
    // Status and dates.
    let _ = writeln!(
        h,
        "<td><span class=\"st {}\">{}</span><div class=\"url\">首次 {}<br>最近 {}{}</div></td></tr>",
        f.status.as_str(),
        esc(&status_text(f)),
        esc(&f.first_seen),
        esc(&f.last_seen),
        f.last_verified
            .as_deref()
            .map(|d| format!("<br>最后核实 {}", esc(d)))
            .unwrap_or_default()
    );
}

fn evidence_ref_text(f: &ReportFinding) -> String {
    let Some(e) = &f.evidence_ref else {
        return String::new();
    };
    let mut parts = vec![format!("抓取记录 {}", e.fetch_id)];
    if let Some(s) = e.http_status {
        parts.push(format!("HTTP {s}"));
    }
    if !e.fetched_at.is_empty() {
        parts.push(format!("抓取于 {}", fmt_beijing(&e.fetched_at)));
    }
    if let Some(u) = &e.final_url {
        if u != &f.finding.url {
            parts.push(format!("最终地址 {u}"));
        }
    }
    if let Some(sha) = &e.body_sha256 {
        parts.push(format!("SHA-256 {sha}"));
    }
    parts.join("；")
}

fn rules_section(h: &mut String, input: &ReportInput) {
    if input.rules.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section id=\"rules\"><h2>检查规则与依据</h2><p class=\"muted\">依据文件：{}</p>\
         <table><thead><tr><th>规则编号</th><th>规则名称</th><th>严重程度</th><th>条款</th><th>台账序号</th></tr></thead><tbody>",
        esc(SOURCE_DOCUMENT)
    );
    for r in &input.rules {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td><span class=\"sev {}\">{}</span></td><td>{}</td><td>{}</td></tr>",
            esc(&r.id),
            esc(&r.title),
            sev_class(r.severity),
            r.severity.label_zh(),
            esc(&r.clause),
            esc(&crate::model::ledger_text(&r.ledger))
        );
    }
    h.push_str("</tbody></table></section>\n");
}
