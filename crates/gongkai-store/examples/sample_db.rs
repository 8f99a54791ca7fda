//! Writes a small sample database (for trying the queries in docs/schema.md and for report
//! development): `cargo run -p gongkai-store --example sample_db -- /tmp/sample.sqlite`.

use gongkai_core::{FetchOutcome, FetchPurpose, FetchRecord, Method, RedirectHop};
use gongkai_core::{Field, Link, LinkKind, PageKind, PageModel, SkipReason, EXTRACTOR_VERSION};
use gongkai_core::{Finding, Severity};
use gongkai_store::{FrontierEntry, NewRun, RunStatus, Store, StoreWriter};
use std::path::PathBuf;

const HOST: &str = "http://www.example.gov.cn";

fn link(path: &str, kind: LinkKind, anchor: &str) -> Link {
    Link {
        raw: path.to_owned(),
        url: Some(format!("{HOST}{path}")),
        kind,
        element: if kind == LinkKind::Image {
            "img[src]"
        } else {
            "a[href]"
        }
        .to_owned(),
        anchor: anchor.to_owned(),
        skip: None,
        region: Default::default(),
        hidden: None,
    }
}

fn record(url: &str, purpose: FetchPurpose, outcome: FetchOutcome, status: u16) -> FetchRecord {
    FetchRecord {
        url: url.to_owned(),
        method: Method::Get,
        request_body: None,
        purpose,
        depth: 1,
        outcome,
        status: Some(status),
        final_url: url.to_owned(),
        redirects: Vec::new(),
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        content_type: Some("text/html".into()),
        charset: Some("utf-8".into()),
        etag: None,
        last_modified: None,
        fetched_at: "2025-06-30T08:00:00Z".into(),
        elapsed_ms: 35,
        body: Some(
            format!(
                "<html><title>{url}</title><body>{}</body></html>",
                "<p>政府信息公开</p>".repeat(50)
            )
            .into_bytes(),
        ),
        body_truncated: false,
        not_modified: false,
        error: (status >= 400).then(|| format!("HTTP {status}")),
        model: None,
        attempts: 1,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "sample.sqlite".into()),
    );
    let store = Store::open(&path)?;
    let run = store.begin_run(&NewRun {
        site: "示例市人民政府".into(),
        start_urls: vec![format!("{HOST}/")],
        settings: serde_json::json!({"rate": 2.0, "max_pages": 100}),
        tool_version: "0.1.0".into(),
        rules_version: Some("sample-pack".into()),
        config_hash: None,
        as_of: "2025-06-30".into(),
    })?;
    let (writer, handle) = StoreWriter::spawn(&path, run)?;

    let home = format!("{HOST}/");
    let mut rec = record(&home, FetchPurpose::Crawl, FetchOutcome::Ok, 200);
    rec.etag = Some("\"home-v1\"".into());
    rec.model = Some(PageModel {
        extractor_version: EXTRACTOR_VERSION,
        title: "示例市人民政府".into(),
        kind: PageKind::Home,
        links: vec![
            link("/zwgk/gfxwj/index.html", LinkKind::Page, "规范性文件"),
            link("/art/2024/1.html", LinkKind::Page, "关于印发某某办法的通知"),
            link("/old/gone.html", LinkKind::Page, "旧栏目"),
            link("/files/plan.pdf", LinkKind::Attachment, "年度计划"),
            link("/img/logo.png", LinkKind::Image, "标志"),
            Link {
                raw: "mailto:zfb@example.gov.cn".into(),
                url: None,
                kind: LinkKind::Page,
                element: "a[href]".into(),
                anchor: "联系我们".into(),
                skip: Some(SkipReason::Mailto),
                region: Default::default(),
                hidden: None,
            },
        ],
        ..PageModel::default()
    });
    let follow = rec
        .model
        .as_ref()
        .unwrap()
        .links
        .iter()
        .filter_map(|l| Some((l.url.clone()?, l.kind)))
        .map(|(u, kind)| {
            let purpose = if u.ends_with(".html") {
                FetchPurpose::Crawl
            } else {
                FetchPurpose::Check
            };
            FrontierEntry::get(u, purpose, 1)
                .with_parent(&home)
                .with_link_kind(kind)
        })
        .collect();
    handle.blocking_enqueue(vec![
        FrontierEntry::get(&home, FetchPurpose::Crawl, 0).with_link_kind(LinkKind::Page)
    ])?;
    handle.blocking_record(rec, follow)?;

    let mut art = record(
        &format!("{HOST}/art/2024/1.html"),
        FetchPurpose::Crawl,
        FetchOutcome::Ok,
        200,
    );
    let mut model = PageModel {
        extractor_version: EXTRACTOR_VERSION,
        title: "关于印发某某办法的通知".into(),
        kind: PageKind::InfoDisclosureArticle,
        links: vec![link("/files/missing.doc", LinkKind::Attachment, "附件1")],
        ..PageModel::default()
    };
    model
        .metadata
        .fields
        .insert(Field::IndexNumber, "11370481/2024-00001".into());
    model
        .metadata
        .fields
        .insert(Field::DocNumber, gongkai_core::ArcStr::new());
    art.model = Some(model);
    handle.blocking_record(
        art,
        vec![
            FrontierEntry::get(format!("{HOST}/files/missing.doc"), FetchPurpose::Check, 2)
                .with_parent(format!("{HOST}/art/2024/1.html"))
                .with_link_kind(LinkKind::Attachment),
        ],
    )?;
    let mut gone = record(
        &format!("{HOST}/old/gone.html"),
        FetchPurpose::Crawl,
        FetchOutcome::NotFound,
        404,
    );
    gone.redirects = vec![RedirectHop {
        url: format!("{HOST}/old/gone.html"),
        status: 302,
        location: format!("{HOST}/404.html"),
    }];
    handle.blocking_record(gone, vec![])?;
    let mut pdf = record(
        &format!("{HOST}/files/plan.pdf"),
        FetchPurpose::Check,
        FetchOutcome::Ok,
        200,
    );
    pdf.body = None;
    pdf.content_type = Some("application/pdf".into());
    handle.blocking_record(pdf, vec![])?;
    let mut doc = record(
        &format!("{HOST}/files/missing.doc"),
        FetchPurpose::Check,
        FetchOutcome::NotFound,
        404,
    );
    doc.body = None;
    handle.blocking_record(doc, vec![])?;
    let probe = record(
        &format!("{HOST}/gongkai-probe-3f9c1e.html"),
        FetchPurpose::Soft404Probe,
        FetchOutcome::Ok,
        200,
    );
    handle.blocking_record(probe, vec![])?;
    // The column page of 规范性文件 loads its list by POST (Hanweb dataproxy): the queued request
    // carries the column's name.
    let column_url = format!("{HOST}/zwgk/gfxwj/index.html");
    let mut column_page = record(&column_url, FetchPurpose::Crawl, FetchOutcome::Ok, 200);
    column_page.model = Some(PageModel {
        extractor_version: EXTRACTOR_VERSION,
        title: "规范性文件".into(),
        ..PageModel::default()
    });
    let mut list = FrontierEntry::get(
        format!("{HOST}/module/web/jpage/dataproxy.jsp"),
        FetchPurpose::Crawl,
        2,
    )
    .with_parent(&column_url)
    .with_link_kind(LinkKind::Page)
    .with_column("规范性文件");
    list.method = Method::Post;
    list.request_body = Some("col=1&columnid=12&startrecord=1&endrecord=45&perpage=15".into());
    handle.blocking_record(column_page, vec![list])?;
    // Left queued: /img/logo.png and the dataproxy POST (an interrupted scan).
    let stats = writer.finish()?;
    store.finish_run(run, RunStatus::Interrupted)?;

    let fetch_id = store.fetch_by_url(run, &format!("{HOST}/"))?.map(|f| f.id);
    store.replace_findings(
        run,
        &[Finding {
            rule: "link.broken".into(),
            severity: Severity::Error,
            url: home.clone(),
            target: Some(format!("{HOST}/old/gone.html")),
            department: "市政府办公室".into(),
            ledger: vec![3],
            message: "首页链接“旧栏目”无法访问（404）".into(),
            evidence: serde_json::json!({"status": 404, "anchor": "旧栏目"}),
            fingerprint: "link.broken:sample".into(),
            fetch_id,
        }],
    )?;
    eprintln!("wrote {} (run {run}): {stats:?}", path.display());
    Ok(())
}
