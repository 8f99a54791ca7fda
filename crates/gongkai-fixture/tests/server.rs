//! The server's behaviours, exercised over raw HTTP/1.1.

mod common;

use common::{get, request};
use gongkai_fixture::{FixtureOptions, FixtureServer, Origin, LAST_MODIFIED};

async fn start() -> FixtureServer {
    FixtureServer::start(FixtureOptions {
        slow_ms: 300,
        gen_pages: 50,
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn static_pages_have_types_and_validators() {
    let s = start().await;
    let base = s.base_url();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with('/'));

    let home = get(&base, "/").await;
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home
        .text()
        .contains("<meta name=\"SiteIDCode\" content=\"3704810001\">"));
    assert_eq!(home.header("last-modified"), Some(LAST_MODIFIED));
    let etag = home.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    assert_eq!(
        get(&base, "/index.html").await.header("etag"),
        Some(etag.as_str())
    );

    for (path, ct) in [
        (
            "/zwgk/gfxwj/202210/P020221019512345678901.pdf",
            "application/pdf",
        ),
        (
            "/zwgk/gfxwj/202209/P020220926512340000001.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "/zwgk/bzml/202211/P020221130512345678012.xls",
            "application/vnd.ms-excel",
        ),
        ("/images/logo.png", "image/png"),
        ("/images/banner.jpg", "image/jpeg"),
        ("/css/style.css", "text/css"),
        ("/js/trs_page.js", "application/javascript; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let r = get(&base, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ct), "{path}");
        assert!(r.header("etag").is_some(), "{path}");
    }
    assert!(get(&base, "/zwgk/gfxwj/202210/P020221019512345678901.pdf")
        .await
        .body
        .starts_with(b"%PDF-"));
    assert!(get(&base, "/images/logo.png")
        .await
        .body
        .starts_with(b"\x89PNG"));
    assert!(get(&base, "/zwgk/bzml/202211/P020221130512345678012.xls")
        .await
        .body
        .starts_with(&[0xD0, 0xCF, 0x11, 0xE0]));

    // Directory without slash redirects; notes and server data are not served.
    let r = get(&base, "/zwgk").await;
    assert_eq!((r.status, r.header("location")), (301, Some("/zwgk/")));
    assert_eq!(get(&base, "/zwgk/").await.status, 200);
    assert_eq!(get(&base, "/PLANTED.md").await.status, 404);
    assert_eq!(get(&base, "/_data/dataproxy/1234.txt").await.status, 404);
    assert_eq!(get(&base, "/_data").await.status, 404);
    let r = get(&base, "/no/such/page.html").await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("页面不存在"));
    s.shutdown().await;
}

#[tokio::test]
async fn conditional_requests_answer_304() {
    let s = start().await;
    let base = s.base_url();
    let first = get(&base, "/zwgk/index.html").await;
    let etag = first.header("etag").unwrap().to_string();

    let r = request(
        &base,
        "GET",
        "/zwgk/index.html",
        &[("If-None-Match", &etag)],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));

    let r = request(
        &base,
        "GET",
        "/zwgk/index.html",
        &[("If-None-Match", "\"other\"")],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    // If-None-Match wins over a matching If-Modified-Since.
    let r = request(
        &base,
        "GET",
        "/zwgk/index.html",
        &[
            ("If-None-Match", "\"other\""),
            ("If-Modified-Since", LAST_MODIFIED),
        ],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);

    let r = request(
        &base,
        "GET",
        "/zwgk/index.html",
        &[("If-Modified-Since", LAST_MODIFIED)],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 304);
    let r = request(
        &base,
        "GET",
        "/zwgk/index.html",
        &[("If-Modified-Since", "Sat, 01 Apr 2023 00:00:00 GMT")],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);

    // Generated pages are cacheable too.
    let g = get(&base, "/gen/3.html").await;
    let r = request(
        &base,
        "GET",
        "/gen/3.html",
        &[("If-None-Match", g.header("etag").unwrap())],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 304);

    let log = s.requests();
    let cond: Vec<_> = log
        .iter()
        .filter(|e| e.if_none_match.is_some() || e.if_modified_since.is_some())
        .collect();
    assert_eq!(cond.len(), 6);
    assert_eq!(cond[0].if_none_match.as_deref(), Some(etag.as_str()));
    assert_eq!(cond[0].status, 304);
    assert_eq!(cond[3].if_modified_since.as_deref(), Some(LAST_MODIFIED));
    s.shutdown().await;
}

#[tokio::test]
async fn head_is_answered_without_body_and_downfile_refuses_head() {
    let s = start().await;
    let base = s.base_url();
    let full = get(&base, "/zwgk/index.html").await;
    let r = request(&base, "HEAD", "/zwgk/index.html", &[], b"")
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("content-length"),
        Some(full.body.len().to_string().as_str())
    );
    assert_eq!(r.header("etag"), full.header("etag"));

    let path = "/module/download/downfile.jsp?classid=0&filename=bszn.pdf";
    let r = request(&base, "HEAD", path, &[], b"").await.unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = get(&base, path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r.body.starts_with(b"%PDF-"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("bszn.pdf"));

    assert_eq!(
        request(&base, "POST", "/index.html", &[], b"x=1")
            .await
            .unwrap()
            .status,
        405
    );
    let log = s.requests();
    assert!(log
        .iter()
        .any(|e| e.method == "HEAD" && e.path == path && e.status == 405));
    s.shutdown().await;
}

#[tokio::test]
async fn error_statuses_and_blocking_answers() {
    let s = start().await;
    let base = s.base_url();
    assert_eq!(get(&base, "/gone/zjtz/gk2019.html").await.status, 410);
    for _ in 0..2 {
        assert_eq!(get(&base, "/error/hdjl/query.jsp?id=1").await.status, 500);
    }
    let r = get(&base, "/waf/ldxx/index.html").await;
    assert_eq!(r.status, 412);
    assert!(r.text().contains("document.cookie"));
    assert!(r.header("set-cookie").is_some());
    let r = request(
        &base,
        "GET",
        "/waf/ldxx/index.html",
        &[("Cookie", "gk_waf=ok")],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    for _ in 0..2 {
        let r = get(&base, "/busy/zxft/index.html").await;
        assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    }
    let r = get(&base, "/auth/oa/index.html").await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(get(&base, "/forbidden/admin/index.html").await.status, 403);
    assert_eq!(get(&base, "/status/503").await.status, 503);
    assert_eq!(get(&base, "/status/abc").await.status, 404);

    // Flaky paths fail once per path, then succeed.
    assert_eq!(get(&base, "/flaky/500/zjtz/lyjd.html").await.status, 500);
    assert_eq!(get(&base, "/flaky/500/zjtz/lyjd.html").await.status, 200);
    let r = get(&base, "/flaky/429/a.html").await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    assert_eq!(get(&base, "/flaky/429/a.html").await.status, 200);

    let log = s.requests();
    let cookie = log.iter().find(|e| e.cookie.is_some()).unwrap();
    assert_eq!(
        (cookie.status, cookie.cookie.as_deref()),
        (200, Some("gk_waf=ok"))
    );
    assert!(log
        .iter()
        .all(|e| e.user_agent.as_deref() == Some("fixture-test/1")));
    s.shutdown().await;
}

#[tokio::test]
async fn redirects() {
    let s = start().await;
    let base = s.base_url();
    let r = get(&base, "/redirect/chain").await;
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("/redirect/chain-2"))
    );
    let r = get(&base, "/redirect/chain-2").await;
    assert_eq!(r.status, 302);
    let loc = r.header("location").unwrap().to_string();
    assert_eq!(loc, s.url("/zwgk/index.html"));
    assert_eq!(get(&base, "/zwgk/index.html").await.status, 200);

    let r = get(&base, "/redirect/loop-a").await;
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some("/redirect/loop-b"))
    );
    let r = get(&base, "/redirect/loop-b").await;
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some("/redirect/loop-a"))
    );

    let r = get(&base, "/redirect/offsite").await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location").unwrap(),
        format!("{}landing.html", s.second_origin())
    );
    s.shutdown().await;
}

#[tokio::test]
async fn second_origin_soft_404_and_dead_port() {
    let s = start().await;
    let second = s.second_origin();
    assert_ne!(second, s.base_url());
    let home = get(&second, "/").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("滕州市政务服务网"));
    let landing = get(&second, "/landing.html").await;
    assert_eq!(landing.status, 200);
    assert!(!landing.text().contains("页面不存在"));
    let soft = get(&second, "/art/2021/3/5/art_999_1.html").await;
    assert_eq!(soft.status, 200);
    assert!(soft.text().contains("页面不存在"));
    let random = get(&second, "/zzz-random-8d1f.html").await;
    assert_eq!(random.body, soft.body);
    assert!(get(&second, "/robots.txt")
        .await
        .text()
        .contains("Allow: /"));

    let dead = s.dead_origin();
    let err = request(&dead, "GET", "/", &[], b"").await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);

    let log = s.requests();
    assert!(log
        .iter()
        .all(|e| e.origin == Origin::Second && e.port == s.second_port()));
    assert_eq!(log.len(), 5);
    s.shutdown().await;
}

#[tokio::test]
async fn placeholders_are_replaced() {
    let s = start().await;
    let base = s.base_url();
    let second = s.second_origin();
    let dead = s.dead_origin();
    let home = get(&base, "/index.html").await.text();
    assert!(
        !home.contains("{{"),
        "unreplaced placeholder on the home page"
    );
    assert!(home.contains(&format!("{second}art/2021/3/5/art_999_1.html")));
    let hdjl = get(&base, "/hdjl/index.html").await.text();
    assert!(hdjl.contains(&format!("{dead}wsxf/index.html")));
    for path in gongkai_fixture::served_paths() {
        if path.ends_with(".html") {
            let r = get(&base, &format!("/{path}")).await;
            assert!(!r.text().contains("{{"), "{path}");
        }
    }
    s.shutdown().await;
}

#[tokio::test]
async fn gbk_subtree_is_served_as_gbk() {
    let s = start().await;
    let base = s.base_url();
    let r = get(&base, "/gbk/tzgg/2023/0328_1.html").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=gb2312"));
    assert!(
        std::str::from_utf8(&r.body).is_err(),
        "body must not be UTF-8"
    );
    let (text, _, errors) = encoding_rs::GBK.decode(&r.body);
    assert!(!errors);
    assert!(text.contains("镕"));
    assert!(text.contains("charset=gb2312"));
    // 镕 is GBK 0xE9 0x46, outside GB2312.
    assert!(r.body.windows(2).any(|w| w == [0xE9, 0x46]));
    for (path, ch) in [
        ("/gbk/tzgg/2023/0215_1.html", "堃"),
        ("/gbk/tzgg/2023/0110_1.html", "喆"),
        ("/gbk/index.html", "堃"),
    ] {
        let r = get(&base, path).await;
        let (text, _, errors) = encoding_rs::GBK.decode(&r.body);
        assert!(!errors && text.contains(ch), "{path}");
        let title = &text[text.find("<title>").unwrap()..text.find("</title>").unwrap()];
        assert!(
            path.ends_with("index.html") || title.contains(ch),
            "{path}: {title}"
        );
    }
    let etag = r.header("etag").unwrap().to_string();
    let again = request(
        &base,
        "GET",
        "/gbk/tzgg/2023/0328_1.html",
        &[("If-None-Match", &etag)],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(again.status, 304);
    s.shutdown().await;
}

#[tokio::test]
async fn hanweb_dataproxy_post() {
    let s = start().await;
    let base = s.base_url();
    let form = "col=1&appid=1&webid=1&path=%2F&columnid=1234&sourceContentType=1&unitid=5678&webname=%E6%BB%95%E5%B7%9E&permissiontype=0";
    let r = request(
        &base,
        "POST",
        "/module/web/jpage/dataproxy.jsp?startrecord=5&endrecord=8&perpage=2",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/xml"));
    let xml = r.text();
    assert!(xml.contains("<totalrecord>6</totalrecord>"));
    assert!(xml.contains("<totalpage>3</totalpage>"));
    assert_eq!(xml.matches("<record><![CDATA[<li>").count(), 2);
    assert!(
        xml.contains("/art/2022/8/30/art_1234_5679.html")
            && xml.contains("/art/2022/6/1/art_1234_5678.html")
    );

    // Everything in the body, as some clients send it.
    let body = format!("{form}&startrecord=1&endrecord=45&perpage=15");
    let r = request(
        &base,
        "POST",
        "/module/web/jpage/dataproxy.jsp",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.text().matches("<record>").count(), 6);

    // Every record links to an existing article.
    for rec in gongkai_fixture::hanweb_column_records("1234") {
        let href = rec
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(get(&base, href).await.status, 200, "{href}");
    }

    let log = s.requests();
    let post = log.iter().find(|e| e.method == "POST").unwrap();
    assert_eq!(
        post.path,
        "/module/web/jpage/dataproxy.jsp?startrecord=5&endrecord=8&perpage=2"
    );
    assert_eq!(post.body.as_deref(), Some(form));
    s.shutdown().await;
}

#[tokio::test]
async fn slow_paths_wait() {
    let s = start().await;
    let t = std::time::Instant::now();
    let r = get(&s.base_url(), "/slow/zjtz/lswh.html").await;
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
    s.shutdown().await;
}

#[tokio::test]
async fn generated_site() {
    let s = start().await;
    let base = s.base_url();
    let site = s.gen_site();
    assert_eq!(site.pages(), 50);
    let r = get(&base, "/gen/index.html").await;
    assert_eq!(r.status, 200);
    let text = r.text();
    for link in site.links(0) {
        assert!(text.contains(&format!("href=\"{link}\"")));
    }
    assert_eq!(get(&base, "/gen/49.html").await.status, 200);
    assert_eq!(get(&base, "/gen/50.html").await.status, 404);
    let broken = site.broken_targets().into_iter().next().unwrap();
    assert_eq!(get(&base, &broken).await.status, 404);
    s.shutdown().await;
}

#[tokio::test]
async fn robots_and_override() {
    let s = start().await;
    let robots = get(&s.base_url(), "/robots.txt").await.text();
    assert!(robots.contains("User-agent: *") && robots.contains("Disallow: /private/"));
    s.shutdown().await;

    let custom = "User-agent: *\nCrawl-delay: 2\nDisallow: /zwgk/\n";
    let s = FixtureServer::start(FixtureOptions {
        robots_txt: Some(custom.into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(get(&s.base_url(), "/robots.txt").await.text(), custom);
    s.shutdown().await;
}

#[tokio::test]
async fn large_bodies() {
    let s = FixtureServer::start(FixtureOptions {
        huge_bytes: 3 * 1024 * 1024,
        ..Default::default()
    })
    .await
    .unwrap();
    let r = get(&s.base_url(), "/huge.html").await;
    assert_eq!(r.body.len(), 3 * 1024 * 1024);
    let r = get(&s.base_url(), "/bomb.html").await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() < 1024 * 1024);
    assert_eq!(&r.body[..2], &[0x1f, 0x8b]);
    s.shutdown().await;
}

#[tokio::test]
async fn log_records_every_request_with_times() {
    let s = start().await;
    let before = std::time::SystemTime::now();
    get(&s.base_url(), "/index.html").await;
    get(&s.second_origin(), "/x").await;
    get(&s.base_url(), "/missing.html").await;
    let log = s.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(
        (log[0].origin, log[0].port, log[0].status),
        (Origin::Main, s.main_port(), 200)
    );
    assert_eq!((log[1].origin, log[1].status), (Origin::Second, 200));
    assert_eq!(
        (log[2].path.as_str(), log[2].status),
        ("/missing.html", 404)
    );
    assert!(log[0].time >= before && log[0].at <= log[2].at);
    s.clear_requests();
    assert!(s.requests().is_empty());
    drop(s); // dropping without shutdown must not hang
}

#[tokio::test]
async fn shutdown_is_quick_with_idle_keep_alive_connections() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = start().await;
    let host = s
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut conn = tokio::net::TcpStream::connect(&host).await.unwrap();
    conn.write_all(format!("GET /robots.txt HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = conn.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let t = std::time::Instant::now();
    s.shutdown().await;
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
}
