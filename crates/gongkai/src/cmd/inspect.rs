//! `gongkai inspect`: what gongkai reads on one page and what every rule makes of it.
//!
//! `gongkai inspect URL` fetches the page once with the crawler itself (its client, User-Agent,
//! robots.txt and rate limit; no link is followed or checked); `gongkai inspect --db DB --url URL`
//! takes the page stored by a run (default: the latest) and judges it within that whole crawl.
//! The output answers an office's question "why was this page flagged, or not": the page model
//! (kind, titles, each metadata field with the label the page prints, the body's term clause, the
//! footer, column and pagination, links by kind and region) and, per rule, judged or not and why.

use crate::cli::InspectArgs;
use crate::config::SiteConfig;
use anyhow::{bail, Context, Result};
use gongkai_crawl::{CrawlConfig, CrawlEvent, CrawlStats, FetchPurpose, NoPrior};
use gongkai_page::{Field, LinkKind, LinkRegion, PageModel};
use gongkai_rules::{explain_page, Applies, EvalContext, OwnerRule, PageExplanation, Site};
use gongkai_rules::{SiteBuilder, SitePage};
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// One link as `inspect` shows it.
#[derive(Debug, Serialize)]
struct LinkView {
    anchor: String,
    url: Option<String>,
    kind: LinkKind,
    region: LinkRegion,
}

/// Everything `inspect` prints (also the `--format json` document).
#[derive(Debug, Serialize)]
struct Inspection {
    /// "fetched" (one page fetched now) or "stored" (a run of a database).
    source: String,
    run_id: Option<i64>,
    as_of: String,
    url: String,
    final_url: String,
    status: Option<u16>,
    outcome: String,
    content_type: Option<String>,
    /// The page model without its links (they are in `links`).
    model: Option<PageModel>,
    links: Vec<LinkView>,
    explanation: Option<PageExplanation>,
}

pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let config = match &args.config {
        Some(p) => SiteConfig::load(p)?,
        None => SiteConfig::default(),
    };
    let pack = super::check::load_pack(args.rules.as_deref())?;
    let url = match (&args.url, &args.page) {
        (Some(u), None) | (None, Some(u)) => u.clone(),
        (Some(_), Some(_)) => bail!("give the URL once: either as the argument or with --url"),
        (None, None) => {
            bail!("which page? give its URL (gongkai inspect URL, or --db DB --url URL)")
        }
    };
    // A one-page fetch is never the whole site: whole-site rules (column.missing ...) do not judge it.
    let (site, run_id, as_of, source, complete) = match &args.db {
        Some(db) => {
            let store = super::check::open_existing(db)?;
            let run = match args.run {
                Some(id) => store
                    .run(id)?
                    .with_context(|| format!("no run {id} in {}", db.display()))?,
                None => store
                    .runs()?
                    .into_iter()
                    .last()
                    .with_context(|| format!("no scan in {}", db.display()))?,
            };
            let as_of = super::parse_as_of(Some(args.as_of.as_deref().unwrap_or(&run.as_of)))?;
            let complete = run.complete();
            (
                store.load_site(run.id)?,
                Some(run.id),
                as_of,
                "stored",
                complete,
            )
        }
        None => {
            let as_of = super::parse_as_of(args.as_of.as_deref())?;
            let site = super::runtime()?.block_on(fetch_one(&url, &config))?;
            (site, None, as_of, "fetched", false)
        }
    };
    let ctx = eval_context(&config, as_of, complete);
    let key = normalise(&url);
    let Some(page) = site
        .pages
        .iter()
        .position(|p| p.url == key || p.final_url == key || p.url == url || p.final_url == url)
    else {
        bail!(
            "{url} was not fetched in run {} (inspect a page of the run, or fetch it: gongkai inspect URL)",
            run_id.unwrap_or_default()
        );
    };
    let p = &site.pages[page];
    let inspection = Inspection {
        source: source.into(),
        run_id,
        as_of: as_of.to_string(),
        url: p.url.to_string(),
        final_url: p.final_url.to_string(),
        status: p.status,
        outcome: p.outcome.code().into(),
        content_type: p.content_type.as_deref().map(String::from),
        // A stored site's models come without their text (nor their term clause's sentence):
        // read it back for the page shown.
        model: p.model.as_deref().cloned().map(|mut m| {
            m.text = site.page_text(page).into_owned();
            if m.term.as_ref().is_some_and(|t| t.quote.is_empty()) {
                m.term = gongkai_page::validity::term_clause(&m.text);
            }
            m
        }),
        links: links_of(&site, page),
        explanation: explain_page(&pack, &site, &ctx, &p.url),
    };
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&inspection)?);
    } else {
        print!("{}", render(&inspection));
    }
    Ok(ExitCode::SUCCESS)
}

/// The URL as the crawler keys it (normalised), or as given when it does not parse.
fn normalise(u: &str) -> String {
    url::Url::parse(u.trim())
        .map(|u| u.to_string())
        .unwrap_or_else(|_| u.to_string())
}

fn eval_context(config: &SiteConfig, as_of: chrono::NaiveDate, complete: bool) -> EvalContext {
    EvalContext {
        as_of,
        complete,
        owners: config
            .owners
            .iter()
            .map(|o| OwnerRule {
                url_prefix: o.url_prefix.clone(),
                column: o.column.clone(),
                department: o.department.clone(),
            })
            .collect(),
        aliases: config
            .departments
            .aliases
            .iter()
            .map(|(a, c)| (a.clone(), c.clone()))
            .collect(),
        text: config.text.site_terms(),
    }
}

/// Fetches one page with the crawler (robots.txt, User-Agent, rate limit, redirects, body cap),
/// following and checking nothing else, into a one-page site.
async fn fetch_one(url: &str, config: &SiteConfig) -> Result<Site> {
    let start = url::Url::parse(url.trim()).with_context(|| format!("not a URL: {url}"))?;
    if !matches!(start.scheme(), "http" | "https") {
        bail!("only http and https URLs can be inspected: {url}");
    }
    let mut cfg = CrawlConfig::new(vec![start.clone()]).with_contact(&config.site.contact);
    cfg.max_pages = 1;
    cfg.max_checks = 0;
    cfg.max_depth = 0;
    cfg.soft404_probe = false;
    if let Some(r) = config.crawl.rate {
        cfg.rate = (r > 0.0).then_some(r);
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let crawl = tokio::spawn(gongkai_crawl::crawl(
        cfg,
        Arc::new(NoPrior),
        None,
        tx,
        CancellationToken::new(),
        Arc::new(CrawlStats::default()),
    ));
    let mut site = SiteBuilder::new(0, vec![start.to_string()]);
    let mut got = false;
    while let Some(ev) = rx.recv().await {
        if let CrawlEvent::Fetched { record, .. } = ev {
            if record.purpose != FetchPurpose::Crawl {
                continue;
            }
            if record.outcome == gongkai_crawl::FetchOutcome::RobotsDisallowed {
                bail!("{url} is disallowed by the site's robots.txt for gongkai: not fetched");
            }
            got = true;
            site.page(SitePage {
                fetch_id: 0,
                url: record.url.as_str().into(),
                final_url: record.final_url.as_str().into(),
                status: record.status,
                outcome: record.outcome,
                content_type: record.content_type.as_deref().map(Into::into),
                fetched_at: record.fetched_at.as_str().into(),
                depth: record.depth,
                crawled: true,
                model: record.model.clone().map(Box::new),
                body_sha256: None,
            });
        }
    }
    crawl
        .await
        .context("the fetch task failed")?
        .context("fetching the page")?;
    if !got {
        bail!("{url} was not fetched (robots.txt may disallow it, or it is out of scope)");
    }
    Ok(site.finish())
}

/// The links of page `i` as the site holds them.
fn links_of(site: &Site, i: usize) -> Vec<LinkView> {
    site.links_on(i)
        .iter()
        .map(|l| LinkView {
            anchor: l.anchor.to_string(),
            url: l.target_url.as_deref().map(String::from),
            kind: l.kind,
            region: l.region,
        })
        .collect()
}

fn field_zh(f: Field) -> &'static str {
    match f {
        Field::IndexNumber => "索引号",
        Field::Topic => "主题分类",
        Field::Publisher => "发布机构",
        Field::DocNumber => "文号",
        Field::WrittenDate => "成文日期",
        Field::PublishDate => "发布日期",
        Field::Validity => "有效性",
        Field::DocType => "文件类型",
        Field::Title => "标题",
    }
}

fn link_kind_zh(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Page => "网页",
        LinkKind::Image => "图片",
        LinkKind::Attachment => "附件",
        LinkKind::Script => "脚本",
        LinkKind::Style => "样式表",
        LinkKind::Frame => "内嵌框架",
        LinkKind::Media => "媒体",
    }
}

fn region_zh(r: LinkRegion) -> &'static str {
    match r {
        LinkRegion::Content => "正文",
        LinkRegion::Related => "相关区块",
        LinkRegion::Chrome => "模板（导航/页头/页脚）",
        LinkRegion::Other => "未判定",
    }
}

/// The readable text block.
fn render(x: &Inspection) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "页面：{}", x.url);
    if x.final_url != x.url {
        let _ = writeln!(s, "  最终地址：{}", x.final_url);
    }
    let _ = writeln!(
        s,
        "  状态：{}（{}）  类型：{}",
        x.status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into()),
        x.outcome,
        x.content_type.as_deref().unwrap_or("-")
    );
    let _ = writeln!(
        s,
        "  来源：{}  判定日期：{}",
        match x.run_id {
            Some(r) => format!("数据库第 {r} 次扫描"),
            None => "现场获取（只取这一页，不检查链接目标，不看全站）".into(),
        },
        x.as_of
    );
    if x.model
        .as_ref()
        .is_some_and(|m| m.extractor_version != gongkai_page::EXTRACTOR_VERSION)
    {
        s.push_str(
            "  注意：该页面模型由旧版提取器生成；运行 gongkai check 可按当前版本重新提取。\n",
        );
    }
    match &x.model {
        Some(m) => render_model(&mut s, m),
        None => s.push_str("\n没有页面模型（不是网页，或未成功获取）。\n"),
    }
    render_links(&mut s, &x.links);
    if let Some(e) = &x.explanation {
        render_rules(&mut s, e);
    }
    s
}

fn render_model(s: &mut String, m: &PageModel) {
    use std::fmt::Write;
    let _ = writeln!(s, "\n页面类型：{}", gongkai_rules::explain::kind_zh(m.kind));
    let _ = writeln!(s, "网页标题：{}", m.title);
    if let Some(h) = &m.heading {
        let _ = writeln!(s, "正文标题：{h}");
    }
    if !m.breadcrumb.is_empty() {
        let _ = writeln!(s, "当前位置：{}", m.breadcrumb.join(" > "));
    }
    s.push_str("元数据：\n");
    if m.metadata.fields.is_empty() {
        s.push_str("  （没有识别到元数据）\n");
    }
    for (f, v) in m.metadata.fields.iter() {
        let printed = m
            .metadata
            .raw
            .iter()
            .find(|(l, _)| {
                gongkai_page::labels::field_of(&gongkai_page::labels::normalize_label(l))
                    == Some(*f)
            })
            .map(|(l, _)| l.as_str())
            .unwrap_or("（无标签）");
        let shown = if m.metadata.value(*f).is_none() {
            format!("“{v}”（视为未填写）")
        } else {
            v.to_string()
        };
        let _ = writeln!(s, "  {}（页面标签“{printed}”）：{shown}", field_zh(*f));
    }
    let known: Vec<(&gongkai_page::ArcStr, &gongkai_page::ArcStr)> = m
        .metadata
        .raw
        .iter()
        .filter(|(l, _)| {
            gongkai_page::labels::field_of(&gongkai_page::labels::normalize_label(l)).is_none()
        })
        .collect();
    for (l, v) in known {
        let _ = writeln!(s, "  其他标签“{l}”：{v}");
    }
    match &m.term {
        Some(t) => {
            let _ = writeln!(
                s,
                "正文施行期限条款：{}（施行 {}，有效期至 {}，有效期 {}）",
                t.quote,
                t.effective.as_deref().unwrap_or("-"),
                t.expires.as_deref().unwrap_or("-"),
                t.years
                    .map(|y| format!("{y}年"))
                    .unwrap_or_else(|| "-".into())
            );
        }
        None => s.push_str("正文施行期限条款：无\n"),
    }
    let f = &m.footer;
    let _ = writeln!(
        s,
        "页脚：主办单位 {}；网站标识码 {}；ICP备案号 {}；公安机关备案号 {}",
        f.sponsor.as_deref().unwrap_or("-"),
        f.site_id_code.as_deref().unwrap_or("-"),
        f.icp.as_deref().unwrap_or("-"),
        f.police_beian.as_deref().unwrap_or("-")
    );
    if let Some(c) = &m.column {
        let _ = writeln!(
            s,
            "栏目列表：“{}”，本页 {} 条，第 {} 页 / 共 {} 页，另有 {} 个翻页或数据请求",
            c.name,
            c.items.len(),
            c.current_page
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            c.total_pages
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            m.follow.len()
        );
    }
    for (k, v) in &m.guideline_meta {
        let _ = writeln!(s, "  元标签 {k}：{v}");
    }
    if m.challenge {
        s.push_str("注意：页面是反爬虫验证页，内容无法判断。\n");
    }
    if m.looks_like_error {
        s.push_str("注意：页面看起来是错误提示页（页面不存在等）。\n");
    }
}

fn render_links(s: &mut String, links: &[LinkView]) {
    use std::fmt::Write;
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_region: BTreeMap<&str, usize> = BTreeMap::new();
    for l in links {
        *by_kind.entry(link_kind_zh(l.kind)).or_default() += 1;
        *by_region.entry(region_zh(l.region)).or_default() += 1;
    }
    let join = |m: &BTreeMap<&str, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join("，")
    };
    let _ = writeln!(s, "\n链接：共 {} 个", links.len());
    if links.is_empty() {
        return;
    }
    let _ = writeln!(s, "  按类型：{}", join(&by_kind));
    let _ = writeln!(s, "  按位置：{}", join(&by_region));
    let own: Vec<&LinkView> = links
        .iter()
        .filter(|l| matches!(l.region, LinkRegion::Content | LinkRegion::Related))
        .collect();
    if !own.is_empty() {
        s.push_str("  正文和相关区块中的链接：\n");
        for l in own.iter().take(40) {
            let _ = writeln!(
                s,
                "    [{}·{}] {} → {}",
                region_zh(l.region),
                link_kind_zh(l.kind),
                l.anchor,
                l.url.as_deref().unwrap_or("（不访问）")
            );
        }
        if own.len() > 40 {
            let _ = writeln!(s, "    ……另有 {} 个", own.len() - 40);
        }
    }
}

fn render_rules(s: &mut String, e: &PageExplanation) {
    use std::fmt::Write;
    s.push_str("\n规则怎样看这个页面：\n");
    let _ = writeln!(
        s,
        "  规范性文件：{}  政策解读：{}  所属栏目：{}",
        if e.normative { "是" } else { "否" },
        if e.interpretation { "是" } else { "否" },
        if e.columns.is_empty() {
            "-".to_string()
        } else {
            e.columns.join("、")
        }
    );
    let _ = writeln!(
        s,
        "  日期：{}  责任单位：{}  网站主办单位：{}",
        e.reference_date
            .as_ref()
            .map(|(d, from)| format!("{d}（{from}）"))
            .unwrap_or_else(|| "无".into()),
        if e.department.is_empty() {
            "按各规则默认单位"
        } else {
            &e.department
        },
        e.sponsor.as_deref().unwrap_or("-")
    );
    if let Some(other) = &e.same_as {
        let _ = writeln!(s, "  与 {other} 内容相同，由该地址代表。");
    }
    for r in &e.rules {
        let (mark, why) = match &r.applies {
            Applies::Judged(w) if r.findings.is_empty() => ("判定·无问题", w),
            Applies::Judged(w) => ("判定·有问题", w),
            Applies::NotJudged(w) => ("未判定", w),
        };
        let _ = writeln!(s, "  [{mark}] {} {}：{why}", r.rule, r.title);
        for f in &r.findings {
            let _ = writeln!(s, "      - {}（{}）", f.message, f.department);
        }
    }
}
