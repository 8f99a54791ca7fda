//! The portal-jx fixture (`FixtureServer::start_jx`): its two origins, and the properties its
//! planted problems rely on (see `fixtures/portal-jx/PLANTED.md`).

mod common;

use common::get;
use gongkai_fixture::{jx_served_paths, FixtureOptions, FixtureServer, Origin, JX_SITE_ID_CODE};

async fn start() -> FixtureServer {
    FixtureServer::start_jx(FixtureOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn portal_origin_serves_site_and_404s_the_rest() {
    let s = start().await;
    let base = s.base_url();
    let home = get(&base, "/").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains(&format!(
        "<meta name=\"SiteIDCode\" content=\"{JX_SITE_ID_CODE}\">"
    )));
    assert!(home
        .text()
        .contains(&s.second_origin()[..s.second_origin().len() - 1]));
    assert!(!home.text().contains("{{"), "placeholders replaced");
    assert_eq!(get(&base, "/xxgk").await.status, 301);
    assert_eq!(get(&base, "/xxgk/").await.status, 200);
    assert_eq!(get(&base, "/ztzl/yhyshj/index.html").await.status, 404);
    assert_eq!(get(&base, "/PLANTED.md").await.status, 404);
    assert_eq!(get(&base, "/generate.py").await.status, 404);
    // The attachment exists; the same href with a trailing U+3000 does not.
    let pdf = get(&base, "/xxgk/tzgg/202410/P020241030512300000001.pdf").await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let spaced = get(
        &base,
        "/xxgk/tzgg/202410/P020241030512300000001.pdf%E3%80%80",
    )
    .await;
    assert_eq!(spaced.status, 404);
    // The old notice under /gbk/ is served GBK-encoded.
    let gbk = get(&base, "/gbk/tzgg/202401/t20240105_38601.html").await;
    assert_eq!(
        gbk.header("content-type"),
        Some("text/html; charset=gb2312")
    );
    let (text, _, bad) = encoding_rs::GBK.decode(&gbk.body);
    assert!(!bad && text.contains("刘堃、王喆"));
    // The bundled portal's misbehaviour endpoints are not part of this site.
    assert_eq!(get(&base, "/redirect/loop-a").await.status, 404);
    assert!(s.requests().iter().all(|r| r.origin == Origin::Main));
}

#[tokio::test]
async fn old_subsite_answers_unknown_paths_with_its_error_page() {
    let s = start().await;
    let old = s.second_origin();
    let error = get(&old, "/no/such/page.html").await;
    assert_eq!(error.status, 200);
    assert!(error.text().contains("页面不存在"));
    let pdf = get(&old, "/jyj/uploadfiles/201909/zsfa2019.pdf").await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(pdf.text(), error.text());
    // Real pages share the error page's template but not its content.
    for path in ["/", "/jyj/col/tzgg.html", "/jyj/art/2019/0601/1234.html"] {
        let r = get(&old, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_ne!(r.text(), error.text(), "{path}");
        assert!(r.text().contains("青岚县教育体育局"), "{path}");
    }
    assert!(get(&old, "/jyj/art/2019/0601/1234.html")
        .await
        .text()
        .contains("页面不存在"));
}

#[test]
fn the_deep_column_is_paged_only_by_next_links() {
    let paths = jx_served_paths();
    let lists: Vec<&String> = paths
        .iter()
        .filter(|p| p.starts_with("xwzx/xzdt/") && !p.contains("/t20"))
        .collect();
    assert_eq!(lists.len(), 16, "{lists:?}");
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/portal-jx/site/xwzx/xzdt/"
    );
    for n in 2..=16 {
        let prev = if n == 2 {
            "index.html".to_string()
        } else {
            format!("list_{}.html", n - 1)
        };
        let text = std::fs::read_to_string(format!("{dir}{prev}")).unwrap();
        assert!(text.contains(&format!("<a href=\"list_{n}.html\">下一页</a>")));
        assert!(!text.contains("尾页") && !text.contains("共16页"));
    }
}
