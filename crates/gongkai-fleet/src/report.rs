//! The province view (`gongkai fleet report`): one self-contained `index.html` — a league table
//! of sites by the national scorecard and findings per 1,000 pages, a roll-up per 主管单位 and the
//! trend over runs — `sites.xlsx` with one row per site and one sheet per 主管单位, and each
//! site's own report (rendered by its worker with gongkai-report) under `sites/<id>/`.

use crate::db::Db;
use crate::status::beijing;
use crate::{FleetError, Result};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tokio_postgres::types::Type;

/// The latest published run of a site.
#[derive(Debug, Clone)]
pub struct LastRun {
    /// Its site-run id.
    pub site_run_id: i64,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// `completed` or `partial`.
    pub status: String,
    /// Pages fetched.
    pub pages: i64,
    /// Findings by severity: error, warning, notice.
    pub by_severity: [i64; 3],
    /// 单项否决 indicators failed.
    pub veto_failed: i64,
    /// Indicators failed, of those judged.
    pub failed: i64,
    /// Indicators judged.
    pub judged: i64,
    /// Whether the worker published the site's own report.
    pub has_report: bool,
}

impl LastRun {
    /// All findings.
    pub fn findings(&self) -> i64 {
        self.by_severity.iter().sum()
    }

    /// Findings per 1,000 pages fetched.
    pub fn per_thousand(&self) -> f64 {
        per_thousand(self.findings(), self.pages)
    }
}

fn per_thousand(findings: i64, pages: i64) -> f64 {
    findings as f64 * 1000.0 / pages.max(1) as f64
}

/// One site of the province view.
#[derive(Debug, Clone)]
pub struct SiteView {
    /// Site id.
    pub id: i64,
    /// 名称.
    pub name: String,
    /// 网址.
    pub url: String,
    /// 主管单位.
    pub authority: String,
    /// Platform key.
    pub platform_key: String,
    /// State of the latest site-run.
    pub state: Option<String>,
    /// Why the latest site-run failed, when it did.
    pub reason: Option<String>,
    /// Its latest published run.
    pub last: Option<LastRun>,
    /// Findings of each published run, oldest first: (finished, findings, pages).
    pub history: Vec<(DateTime<Utc>, i64, i64)>,
}

/// Reads the province view (two round trips).
pub async fn load(db: &Db) -> Result<Vec<SiteView>> {
    let rows = db
        .query(
            "SELECT s.id, s.name, s.url, s.authority, s.platform_key,
                    (SELECT state FROM site_runs WHERE site_id = s.id ORDER BY id DESC LIMIT 1),
                    (SELECT reason FROM site_runs WHERE site_id = s.id ORDER BY id DESC LIMIT 1),
                    lr.site_run_id, lr.finished_at, lr.status, lr.pages, lr.scorecard,
                    lr.report_html IS NOT NULL,
                    (SELECT count(*) FROM findings f WHERE f.site_run_id = lr.site_run_id AND f.severity = 'error'),
                    (SELECT count(*) FROM findings f WHERE f.site_run_id = lr.site_run_id AND f.severity = 'warning'),
                    (SELECT count(*) FROM findings f WHERE f.site_run_id = lr.site_run_id AND f.severity = 'notice')
             FROM sites s
             LEFT JOIN LATERAL (SELECT * FROM runs WHERE site_id = s.id
                                ORDER BY finished_at DESC LIMIT 1) lr ON true
             ORDER BY s.id",
            &[],
            "reading the sites' latest runs",
        )
        .await?;
    let mut sites: Vec<SiteView> = rows
        .iter()
        .map(|r| {
            let last = r.get::<_, Option<i64>>(7).map(|id| {
                let (veto_failed, failed, judged) = score(&r.get::<_, serde_json::Value>(11));
                LastRun {
                    site_run_id: id,
                    finished_at: r.get(8),
                    status: r.get(9),
                    pages: r.get(10),
                    has_report: r.get(12),
                    by_severity: [r.get(13), r.get(14), r.get(15)],
                    veto_failed,
                    failed,
                    judged,
                }
            });
            SiteView {
                id: r.get(0),
                name: r.get(1),
                url: r.get(2),
                authority: r.get(3),
                platform_key: r.get(4),
                state: r.get(5),
                reason: r.get(6),
                last,
                history: Vec::new(),
            }
        })
        .collect();
    let hist = db
        .query(
            "SELECT r.site_id, r.finished_at, r.pages,
                    (SELECT count(*) FROM findings f WHERE f.site_run_id = r.site_run_id)
             FROM runs r ORDER BY r.finished_at",
            &[],
            "reading the runs",
        )
        .await?;
    for h in &hist {
        let id: i64 = h.get(0);
        if let Some(s) = sites.iter_mut().find(|s| s.id == id) {
            s.history.push((h.get(1), h.get(3), h.get(2)));
        }
    }
    Ok(sites)
}

/// (veto indicators failed, indicators failed, indicators judged) of a published scorecard.
fn score(card: &serde_json::Value) -> (i64, i64, i64) {
    let mut out = (0, 0, 0);
    for i in card.as_array().into_iter().flatten() {
        match i.get("pass").and_then(serde_json::Value::as_bool) {
            Some(false) => {
                out.1 += 1;
                out.2 += 1;
                if i.get("kind").and_then(|k| k.as_str()) == Some("veto") {
                    out.0 += 1;
                }
            }
            Some(true) => out.2 += 1,
            None => {}
        }
    }
    out
}

/// The league order: fewest 单项否决 failures, then fewest indicators failed, then fewest
/// findings per 1,000 pages; sites without a run last.
pub fn league(sites: &[SiteView]) -> Vec<&SiteView> {
    let mut v: Vec<&SiteView> = sites.iter().collect();
    v.sort_by(|a, b| match (&a.last, &b.last) {
        (Some(x), Some(y)) => (x.veto_failed, x.failed)
            .cmp(&(y.veto_failed, y.failed))
            .then(x.per_thousand().total_cmp(&y.per_thousand()))
            .then(a.name.cmp(&b.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    v
}

/// Writes index.html, sites.xlsx and the sites' own reports into `out`; returns index.html.
pub async fn write(db: &Db, out: &Path) -> Result<PathBuf> {
    let sites = load(db).await?;
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| FleetError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    for s in &sites {
        let Some(last) = s.last.as_ref().filter(|l| l.has_report) else {
            continue;
        };
        let rows = db
            .query(
                "SELECT report_html FROM runs WHERE site_run_id = $1",
                &[(&last.site_run_id, Type::INT8)],
                "reading a site's report",
            )
            .await?;
        if let Some(html) = rows.first().and_then(|r| r.get::<_, Option<String>>(0)) {
            let dir = out.join("sites").join(s.id.to_string());
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            let p = dir.join("index.html");
            std::fs::write(&p, html).map_err(io(&p))?;
        }
    }
    let index = out.join("index.html");
    std::fs::write(&index, render_html(&sites, Utc::now())).map_err(io(&index))?;
    write_xlsx(&sites, &out.join("sites.xlsx"))?;
    Ok(index)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn state_zh(s: Option<&str>) -> &'static str {
    match s {
        Some("due") => "待扫描",
        Some("running") => "扫描中",
        Some("done") => "已完成",
        Some("failed") => "失败",
        _ => "未排队",
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f0f0f0}td.n{text-align:right}.bad{color:#b00020}.ok{color:#1b5e20}";

/// The self-contained province page (no script, no external resource).
pub fn render_html(sites: &[SiteView], now: DateTime<Utc>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>全省政府网站政务公开检查</title><style>{STYLE}</style></head><body>\
         <h1>全省政府网站政务公开检查</h1><p>站点 {} 个，生成于 {}（北京时间）。排名依据：单项否决未通过项数、\
         指标未通过项数、每千页问题数，依次从少到多。</p>",
        sites.len(),
        beijing(now)
    );
    h.push_str("<h2>站点排名</h2><table id=\"league\"><thead><tr><th>排名</th><th>站点</th><th>主管单位</th><th>状态</th><th>最近运行</th><th>页面数</th><th>问题数</th><th>每千页问题数</th><th>单项否决未通过</th><th>指标未通过/已判断</th><th>历次问题数</th><th>报告</th></tr></thead><tbody>");
    for (i, s) in league(sites).iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td>",
            i + 1,
            esc(&s.url),
            esc(&s.name),
            esc(&s.authority),
            state_zh(s.state.as_deref())
        );
        match &s.last {
            Some(l) => {
                let trend: Vec<String> = s
                    .history
                    .iter()
                    .rev()
                    .take(6)
                    .rev()
                    .map(|x| x.1.to_string())
                    .collect();
                let _ = write!(
                    h,
                    "<td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td>\
                     <td class=\"n {}\">{}</td><td class=\"n\">{}/{}</td><td>{}</td><td>{}</td></tr>",
                    beijing(l.finished_at),
                    l.pages,
                    l.findings(),
                    l.per_thousand(),
                    if l.veto_failed > 0 { "bad" } else { "ok" },
                    l.veto_failed,
                    l.failed,
                    l.judged,
                    trend.join(" → "),
                    if l.has_report {
                        format!("<a href=\"sites/{}/index.html\">查看</a>", s.id)
                    } else {
                        "—".into()
                    }
                );
            }
            None => {
                let why = match (&s.state, &s.reason) {
                    (Some(st), Some(r)) if st == "failed" => format!("尚无运行：{}", esc(r)),
                    _ => "尚无运行".to_string(),
                };
                let _ = write!(h, "<td colspan=\"8\">{why}</td></tr>");
            }
        }
    }
    h.push_str("</tbody></table>");
    rollup_html(&mut h, sites);
    trend_html(&mut h, sites);
    h.push_str("</body></html>\n");
    h
}

fn rollup_html(h: &mut String, sites: &[SiteView]) {
    h.push_str("<h2>按主管单位汇总</h2><table id=\"authorities\"><thead><tr><th>主管单位</th><th>站点数</th><th>已完成</th><th>失败</th><th>页面数</th><th>问题数</th><th>每千页问题数</th><th>单项否决未通过的站点</th></tr></thead><tbody>");
    let mut by: BTreeMap<&str, Vec<&SiteView>> = BTreeMap::new();
    for s in sites {
        by.entry(s.authority.as_str()).or_default().push(s);
    }
    for (auth, list) in &by {
        let pages: i64 = list
            .iter()
            .filter_map(|s| s.last.as_ref())
            .map(|l| l.pages)
            .sum();
        let findings: i64 = list
            .iter()
            .filter_map(|s| s.last.as_ref())
            .map(LastRun::findings)
            .sum();
        let state = |x: &str| {
            list.iter()
                .filter(|s| s.state.as_deref() == Some(x))
                .count()
        };
        let vetoed = list
            .iter()
            .filter(|s| s.last.as_ref().is_some_and(|l| l.veto_failed > 0))
            .count();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{pages}</td><td class=\"n\">{findings}</td><td class=\"n\">{:.1}</td><td class=\"n\">{vetoed}</td></tr>",
            esc(auth),
            list.len(),
            state("done"),
            state("failed"),
            per_thousand(findings, pages)
        );
    }
    h.push_str("</tbody></table>");
}

fn trend_html(h: &mut String, sites: &[SiteView]) {
    h.push_str("<h2>趋势（按运行日期，北京时间）</h2><table id=\"trend\"><thead><tr><th>日期</th><th>运行次数</th><th>页面数</th><th>问题数</th><th>每千页问题数</th></tr></thead><tbody>");
    let mut by: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for s in sites {
        for (t, findings, pages) in &s.history {
            let day = beijing(*t).chars().take(10).collect::<String>();
            let e = by.entry(day).or_default();
            e.0 += 1;
            e.1 += pages;
            e.2 += findings;
        }
    }
    for (day, (runs, pages, findings)) in &by {
        let _ = write!(
            h,
            "<tr><td>{day}</td><td class=\"n\">{runs}</td><td class=\"n\">{pages}</td><td class=\"n\">{findings}</td><td class=\"n\">{:.1}</td></tr>",
            per_thousand(*findings, *pages)
        );
    }
    h.push_str("</tbody></table>");
}

const COLUMNS: &[&str] = &[
    "排名",
    "名称",
    "网址",
    "主管单位",
    "平台",
    "状态",
    "最近运行",
    "页面数",
    "问题数",
    "错误",
    "警告",
    "提示",
    "每千页问题数",
    "单项否决未通过",
    "指标未通过",
    "指标已判断",
    "失败原因",
];

/// A worksheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique in the book.
fn sheet_name(raw: &str, used: &mut HashSet<String>) -> String {
    let clean: String = raw
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() { "未命名" } else { clean }
        .chars()
        .take(28)
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        name = format!("{base}~{n}");
        n += 1;
    }
    name
}

/// `sites.xlsx`: sheet 全省 with one row per site in league order, then one sheet per 主管单位.
pub fn write_xlsx(sites: &[SiteView], path: &Path) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let xerr = |source| FleetError::Xlsx {
        path: path.display().to_string(),
        source,
    };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ranked = league(sites);
    let mut used = HashSet::new();
    let mut groups: Vec<(String, Vec<(usize, &SiteView)>)> = vec![(
        sheet_name("全省", &mut used),
        ranked
            .iter()
            .enumerate()
            .map(|(i, s)| (i + 1, *s))
            .collect(),
    )];
    let mut by: BTreeMap<&str, Vec<(usize, &SiteView)>> = BTreeMap::new();
    for (i, s) in ranked.iter().enumerate() {
        by.entry(s.authority.as_str()).or_default().push((i + 1, s));
    }
    for (auth, list) in by {
        groups.push((sheet_name(auth, &mut used), list));
    }
    for (name, list) in groups {
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(xerr)?;
        for (c, title) in COLUMNS.iter().enumerate() {
            ws.write_with_format(0, c as u16, *title, &bold)
                .map_err(xerr)?;
        }
        for (r, (rank, s)) in list.iter().enumerate() {
            let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
            ws.write(row, 0, *rank as u32).map_err(xerr)?;
            for (c, v) in [&s.name, &s.url, &s.authority, &s.platform_key]
                .iter()
                .enumerate()
            {
                ws.write(row, 1 + c as u16, v.as_str()).map_err(xerr)?;
            }
            ws.write(row, 5, state_zh(s.state.as_deref()))
                .map_err(xerr)?;
            if let (Some("failed"), Some(why)) = (s.state.as_deref(), &s.reason) {
                ws.write(row, 16, why.as_str()).map_err(xerr)?;
            }
            if let Some(l) = &s.last {
                ws.write(row, 6, beijing(l.finished_at)).map_err(xerr)?;
                let nums = [
                    l.pages,
                    l.findings(),
                    l.by_severity[0],
                    l.by_severity[1],
                    l.by_severity[2],
                ];
                for (c, v) in nums.iter().enumerate() {
                    ws.write(row, 7 + c as u16, *v as f64).map_err(xerr)?;
                }
                ws.write(row, 12, (l.per_thousand() * 10.0).round() / 10.0)
                    .map_err(xerr)?;
                ws.write(row, 13, l.veto_failed as f64).map_err(xerr)?;
                ws.write(row, 14, l.failed as f64).map_err(xerr)?;
                ws.write(row, 15, l.judged as f64).map_err(xerr)?;
            }
        }
        ws.autofit();
    }
    book.save(path).map_err(xerr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: i64, name: &str, auth: &str, last: Option<(i64, i64, i64)>) -> SiteView {
        SiteView {
            id,
            name: name.into(),
            url: format!("http://{id}.example.cn/"),
            authority: auth.into(),
            platform_key: "p".into(),
            state: Some("done".into()),
            reason: None,
            last: last.map(|(veto, findings, pages)| LastRun {
                site_run_id: id,
                finished_at: Utc::now(),
                status: "completed".into(),
                pages,
                by_severity: [findings, 0, 0],
                veto_failed: veto,
                failed: veto,
                judged: 10,
                has_report: false,
            }),
            history: Vec::new(),
        }
    }

    #[test]
    fn league_orders_by_veto_then_density() {
        let sites = vec![
            site(1, "甲", "省政府办公厅", Some((1, 1, 100))),
            site(2, "乙", "A市", Some((0, 50, 100))),
            site(3, "丙", "A市", Some((0, 5, 100))),
            site(4, "丁", "A市", None),
        ];
        let order: Vec<i64> = league(&sites).iter().map(|s| s.id).collect();
        assert_eq!(order, vec![3, 2, 1, 4]);
        let html = render_html(&sites, Utc::now());
        assert!(
            html.contains("<td>A市</td><td class=\"n\">3</td>"),
            "{html}"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(sheet_name("a/b", &mut used), "a_b");
        assert_eq!(sheet_name("A_B", &mut used), "A_B~2");
        let long = "很".repeat(40);
        assert_eq!(sheet_name(&long, &mut used).chars().count(), 28);
    }
}
