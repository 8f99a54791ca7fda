//! Builders for hand-written [`Site`] values in tests.

use crate::{default_pack, evaluate, EvalContext, Finding, Site, SiteLink, SitePage};
use chrono::NaiveDate;
use gongkai_core::FetchOutcome;
use gongkai_page::{ColumnItem, ColumnList, Field, LinkKind, PageKind, PageModel};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn ctx(y: i32, m: u32, d: u32) -> EvalContext {
    EvalContext::new(date(y, m, d))
}

/// A crawled 200 page.
pub fn page(url: &str, model: PageModel) -> SitePage {
    SitePage {
        fetch_id: 0,
        url: url.into(),
        final_url: url.into(),
        status: Some(200),
        outcome: FetchOutcome::Ok,
        content_type: Some("text/html".into()),
        fetched_at: "2022-07-01T00:00:00Z".into(),
        depth: 1,
        crawled: true,
        model: Some(Box::new(model)),
        body_sha256: None,
    }
}

/// A checked (not crawled) target with an outcome and status, no model.
pub fn target(url: &str, outcome: FetchOutcome, status: Option<u16>) -> SitePage {
    SitePage {
        fetch_id: 7,
        url: url.into(),
        final_url: url.into(),
        status,
        outcome,
        content_type: None,
        fetched_at: "2022-07-01T00:00:00Z".into(),
        depth: 2,
        crawled: false,
        model: None,
        body_sha256: None,
    }
}

pub fn home(text: &str) -> PageModel {
    PageModel {
        kind: PageKind::Home,
        title: "滕州市人民政府".into(),
        text: text.into(),
        ..Default::default()
    }
}

pub fn article(title: &str, text: &str) -> PageModel {
    PageModel {
        kind: PageKind::Article,
        title: format!("{title}_滕州市人民政府").into(),
        heading: Some(title.into()),
        text: text.into(),
        ..Default::default()
    }
}

pub fn with_fields(mut m: PageModel, fields: &[(Field, &str)]) -> PageModel {
    for (f, v) in fields {
        m.metadata.fields.insert(*f, v.to_string().into());
        m.metadata
            .raw
            .push((label(*f).to_string().into(), v.to_string().into()));
    }
    if m.metadata.fields.len() >= 2 {
        m.kind = PageKind::InfoDisclosureArticle;
    }
    m
}

fn label(f: Field) -> &'static str {
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

/// A column list page; items are (title, url, date).
pub fn column(name: &str, items: &[(&str, &str, Option<&str>)]) -> PageModel {
    PageModel {
        kind: PageKind::ColumnList,
        title: format!("{name}_滕州市人民政府").into(),
        column: Some(Box::new(ColumnList {
            name: name.into(),
            items: items
                .iter()
                .map(|(t, u, d)| ColumnItem {
                    title: t.to_string().into(),
                    url: Some(u.to_string().into()),
                    date: d.map(Into::into),
                })
                .collect(),
            total_pages: None,
            current_page: None,
        })),
        ..Default::default()
    }
}

pub fn link(source: &str, target: &str, kind: LinkKind, anchor: &str) -> SiteLink {
    SiteLink {
        source_url: source.into(),
        target_url: Some(target.into()),
        kind,
        element: match kind {
            LinkKind::Image => "img[src]".into(),
            LinkKind::Frame => "iframe[src]".into(),
            _ => "a[href]".into(),
        },
        anchor: anchor.into(),
        skip: None,
        source_page: None,
        region: gongkai_page::LinkRegion::Other,
        hidden: None,
    }
}

/// Adds a page link to the site's links (on the first page whose URL is `source`).
pub fn add_link(site: &mut Site, source: &str, target: &str, anchor: &str) {
    site.links
        .push(link(source, target, LinkKind::Page, anchor));
}

pub const ROOT: &str = "http://www.tengzhou.gov.cn/";

/// A site of these pages; links in their models are moved to `Site::links` (the store's go to
/// `Site::link_table`; the rules read both alike).
pub fn site(pages: Vec<SitePage>) -> Site {
    let mut s = Site {
        run_id: 1,
        start_urls: vec![ROOT.into()],
        pages,
        links: Vec::new(),
        soft404_probes: Vec::new(),
        attachments: Vec::new(),
        link_table: Default::default(),
        texts: Default::default(),
    };
    s.take_model_links();
    s
}

/// `site` as `Store::load_site` gives it back: built by `SiteBuilder`, the crawled pages' texts
/// (and what the builder drops with them) read on demand.
pub fn stored(site: Site) -> Site {
    struct Texts(Vec<String>);
    impl gongkai_core::PageTexts for Texts {
        fn text(&self, fetch_id: i64) -> Option<String> {
            self.0.get(usize::try_from(fetch_id).ok()?).cloned()
        }
    }
    let texts: Vec<String> = site
        .pages
        .iter()
        .map(|p| p.model.as_ref().map(|m| m.text.clone()).unwrap_or_default())
        .collect();
    let mut b = gongkai_core::SiteBuilder::new(site.run_id, site.start_urls.clone());
    b.texts_on_demand(std::sync::Arc::new(Texts(texts)));
    for (i, mut p) in site.pages.into_iter().enumerate() {
        p.fetch_id = i as i64;
        b.page(p);
    }
    let mut s = b.finish();
    s.links = site.links;
    s
}

pub fn u(path: &str) -> String {
    format!("http://www.tengzhou.gov.cn/{path}")
}

/// Findings of one rule of the default pack.
pub fn run(rule: &str, site: &Site, ctx: &EvalContext) -> Vec<Finding> {
    evaluate(&default_pack(), site, ctx)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}
