//! The hostile server misbehaves exactly as documented (raw TCP client, no HTTP client crate).

use super::*;
use std::io::Read;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `GET path` and reads until EOF, an error, or `limit`; returns the bytes and the error.
async fn raw(
    server: &HostileServer,
    method: &str,
    path: &str,
    limit: Duration,
) -> (Vec<u8>, Option<std::io::Error>) {
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: hostile-test\r\nX-Probe: 1\r\n\r\n",
        server.addr()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    read_all(&mut s, limit).await
}

async fn read_all<S: AsyncRead + Unpin>(
    s: &mut S,
    limit: Duration,
) -> (Vec<u8>, Option<std::io::Error>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return (out, None),
            Ok(Ok(0)) => return (out, None),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Ok(Err(e)) => return (out, Some(e)),
        }
    }
}

fn split(resp: &[u8]) -> (String, &[u8]) {
    let end = find(resp, b"\r\n\r\n").expect("complete head");
    (
        String::from_utf8_lossy(&resp[..end]).into_owned(),
        &resp[end + 4..],
    )
}

async fn plain() -> HostileServer {
    HostileServer::start(HostileOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_and_request_log() {
    let s = plain().await;
    let (resp, _) = raw(&s, "GET", "/links/index.html", Duration::from_secs(5)).await;
    let (head, body) = split(&resp);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let body = String::from_utf8_lossy(body);
    assert_eq!(body.matches("<a href=\"/links/p/").count(), MANY_LINKS);

    let (resp, _) = raw(&s, "HEAD", "/t/ok.html", Duration::from_secs(5)).await;
    let (head, body) = split(&resp);
    assert!(head.contains("Content-Length:") && body.is_empty());

    let (resp, _) = raw(&s, "GET", "/nope", Duration::from_secs(5)).await;
    assert!(resp.starts_with(b"HTTP/1.1 404"));

    let log = s.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/links/index.html");
    assert_eq!(log[0].header("x-probe"), Some("1"));
    assert_eq!(log[0].header("User-Agent"), Some("hostile-test"));
    assert_eq!(log[0].status, Some(200));
    assert!(log[0].done.is_some_and(|d| d >= log[0].at));
    assert_eq!(log[1].method, "HEAD");
    assert_eq!(log[2].status, Some(404));
    assert_eq!(s.connections(), 3);
}

#[tokio::test]
async fn traps_render_forever_and_sessions_change() {
    let s = plain().await;
    let (resp, _) = raw(&s, "GET", "/cal?date=2023-03-01", Duration::from_secs(5)).await;
    let body = String::from_utf8_lossy(split(&resp).1).into_owned();
    assert!(body.contains("/cal?date=2023-02-28") && body.contains("/cal?date=2023-03-02"));
    let (resp, _) = raw(&s, "GET", "/day/9999-12-31.html", Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&resp).contains("/day/9999-12-30.html"));

    let ids = |body: &str, marker: &str| -> Vec<String> {
        body.split(marker)
            .skip(1)
            .map(|r| r.chars().take_while(|c| c.is_ascii_hexdigit()).collect())
            .collect()
    };
    let (a, _) = raw(
        &s,
        "GET",
        "/sess/list.jsp;jsessionid=ABC",
        Duration::from_secs(5),
    )
    .await;
    let (b, _) = raw(&s, "GET", "/sess/list.jsp", Duration::from_secs(5)).await;
    let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let (ia, ib) = (ids(&a, ";jsessionid="), ids(&b, ";jsessionid="));
    assert_eq!(ia.len(), 4);
    assert!(
        ia.iter().all(|i| i.len() == 32 && !ib.contains(i)),
        "{ia:?} {ib:?}"
    );
    let (c, _) = raw(&s, "GET", "/sid/about.do?sid=1", Duration::from_secs(5)).await;
    assert_eq!(ids(&String::from_utf8_lossy(&c), "?sid=").len(), 4);
}

#[tokio::test]
async fn redirects() {
    let peer = plain().await;
    let s = HostileServer::start(HostileOptions {
        peer: Some(peer.origin()),
        ..HostileOptions::default()
    })
    .await
    .unwrap();
    for (path, location) in [
        ("/r/ftp", "ftp://".to_string()),
        ("/r/javascript", "javascript:".to_string()),
        ("/r/file", "file:///etc/passwd".to_string()),
        ("/r/offsite", format!("{}/landing.html", peer.origin())),
        ("/r/loop-a", "/r/loop-b".to_string()),
        ("/r/self", "/r/self".to_string()),
        ("/r/chain/41", "/r/chain/42".to_string()),
    ] {
        let (resp, _) = raw(&s, "GET", path, Duration::from_secs(5)).await;
        let (head, _) = split(&resp);
        assert!(head.starts_with("HTTP/1.1 30"), "{path}: {head}");
        assert!(
            head.contains(&format!("Location: {location}")),
            "{path}: {head}"
        );
    }
    let (resp, _) = raw(&s, "GET", "/r/no-location", Duration::from_secs(5)).await;
    let (head, _) = split(&resp);
    assert!(head.starts_with("HTTP/1.1 302") && !head.contains("Location"));
}

#[tokio::test]
async fn slowloris_never_finishes_its_headers() {
    let s = plain().await;
    let t = Instant::now();
    let (resp, err) = raw(&s, "GET", "/t/slowloris", Duration::from_millis(2600)).await;
    assert!(err.is_none());
    assert!(t.elapsed() >= Duration::from_millis(2500));
    let text = String::from_utf8_lossy(&resp);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(!text.contains("\r\n\r\n"), "headers finished: {text}");
    let drips = text.rsplit("X-Slowloris: ").next().unwrap().len();
    assert!((1..=3).contains(&drips), "{drips} bytes in 2.6 s");

    let (resp, _) = raw(&s, "GET", "/t/silent", Duration::from_millis(500)).await;
    assert!(resp.is_empty());
    assert_eq!(s.requests()[1].status, None);
}

#[tokio::test]
async fn trickle_and_endless_bodies_never_end() {
    let s = plain().await;
    let (resp, _) = raw(&s, "GET", "/t/trickle", Duration::from_millis(1200)).await;
    let (head, body) = split(&resp);
    assert!(head.contains("Transfer-Encoding: chunked"));
    let drips = String::from_utf8_lossy(body).matches("<p>.</p>").count();
    assert!((2..=6).contains(&drips), "{drips} chunks in 1.2 s");
    assert!(!String::from_utf8_lossy(body).contains("\r\n0\r\n\r\n"));

    // Read 20 MiB of the endless body, then hang up: the server notices and stops.
    let mut c = TcpStream::connect(s.addr()).await.unwrap();
    c.write_all(b"GET /t/endless HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut total = 0usize;
    let mut buf = vec![0u8; 256 * 1024];
    while total < 20 << 20 {
        let n = c.read(&mut buf).await.unwrap();
        assert!(n > 0, "endless body ended after {total} bytes");
        total += n;
    }
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.requests()[1].done.is_none() {
        assert!(
            Instant::now() < deadline,
            "the server kept writing after the client left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn reset_and_eof_cut_the_body_in_half() {
    let s = plain().await;
    let (resp, err) = raw(&s, "GET", "/t/reset", Duration::from_secs(5)).await;
    let err = err.expect("connection reset");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    let (head, body) = split(&resp);
    assert!(head.contains("Content-Length: 200000"));
    assert!(body.len() <= 100_000, "{}", body.len());

    let (resp, err) = raw(&s, "GET", "/t/eof", Duration::from_secs(5)).await;
    assert!(err.is_none());
    let (head, body) = split(&resp);
    assert!(head.contains("Content-Length: 200000"));
    assert_eq!(body.len(), 100_000);

    let (resp, _) = raw(&s, "GET", "/t/not-http", Duration::from_secs(5)).await;
    assert!(resp.starts_with(b"SSH-2.0-"));
    let (resp, _) = raw(&s, "GET", "/t/header-flood", Duration::from_secs(5)).await;
    assert!(split(&resp).0.matches("X-Flood-").count() == FLOOD_HEADERS);
}

#[test]
fn gzip_bomb_is_valid_gzip() {
    // A small bomb decodes completely (the CRC and size in the trailer are checked).
    let gz = gzip_bomb(3);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(
        out.len(),
        3 * 1024 * 1024 + (BOMB_BYTES as usize - 1024 * 1024 * 1024)
    );
    assert!(out.starts_with(b"<!DOCTYPE html>"));
    assert!(out.iter().rev().take(1000).all(|b| *b == b' '));
}

#[tokio::test]
async fn gzip_bomb_is_small_on_the_wire() {
    let s = plain().await;
    let (resp, _) = raw(&s, "GET", "/t/bomb", Duration::from_secs(10)).await;
    let (head, body) = split(&resp);
    assert!(head.contains("Content-Encoding: gzip"));
    assert!(body.len() < 4 << 20, "{} bytes on the wire", body.len());
    // The first 32 MiB inflate to spaces (the whole GiB would be slow in a debug build).
    let mut dec = flate2::read::GzDecoder::new(body).take(32 << 20);
    let mut out = Vec::new();
    dec.read_to_end(&mut out).unwrap();
    assert_eq!(out.len(), 32 << 20);
    const { assert!(BOMB_BYTES > 1 << 30) };
}

#[tokio::test]
async fn charsets() {
    let s = plain().await;
    let (resp, _) = raw(&s, "GET", "/cs/gbk-only.html", Duration::from_secs(5)).await;
    let (head, body) = split(&resp);
    assert!(head.contains("charset=gb2312"));
    let (text, _, bad) = encoding_rs::GBK.decode(body);
    assert!(!bad);
    assert!(text.contains(&format!("<title>{GBK_ONLY_TITLE}</title>")));
    assert!(std::str::from_utf8(body).is_err());

    let (resp, _) = raw(&s, "GET", "/cs/bad-utf8.html", Duration::from_secs(5)).await;
    assert!(std::str::from_utf8(split(&resp).1).is_err());
    let (resp, _) = raw(&s, "GET", "/cs/bad-gbk.html", Duration::from_secs(5)).await;
    let (_, _, bad) = encoding_rs::GBK.decode(split(&resp).1);
    assert!(bad);
}

#[tokio::test]
async fn malformed_pages_have_their_shape() {
    let s = plain().await;
    let (resp, _) = raw(&s, "GET", "/bad/deep.html", Duration::from_secs(5)).await;
    let body = String::from_utf8_lossy(split(&resp).1).into_owned();
    assert_eq!(body.matches("<div>").count(), DEEP_NESTING);
    let (resp, _) = raw(&s, "GET", "/bad/attr.html", Duration::from_secs(10)).await;
    let body = split(&resp).1;
    assert!(body.len() > HUGE_ATTR_BYTES + 1024 * 1024);
    assert!(find(body, b"/bad/after-attr.html").is_some());
    let (resp, _) = raw(&s, "GET", "/bad/garbage.html", Duration::from_secs(5)).await;
    let body = split(&resp).1;
    assert!(body.contains(&0) && body.contains(&0xff));
    assert!(find(body, b"/bad/after-garbage.html").is_some());
}

#[tokio::test]
async fn storm_host_answers_429_except_robots() {
    let s = HostileServer::start(HostileOptions {
        storm_retry_after: Some(1),
        ..HostileOptions::default()
    })
    .await
    .unwrap();
    let (resp, _) = raw(&s, "GET", "/fast/index.html", Duration::from_secs(5)).await;
    let (head, _) = split(&resp);
    assert!(
        head.starts_with("HTTP/1.1 429") && head.contains("Retry-After: 1"),
        "{head}"
    );
    let (resp, _) = raw(&s, "GET", "/robots.txt", Duration::from_secs(5)).await;
    assert!(resp.starts_with(b"HTTP/1.1 200"));

    let fast = HostileServer::start(HostileOptions {
        peer: Some(s.origin()),
        ..HostileOptions::default()
    })
    .await
    .unwrap();
    let (resp, _) = raw(&fast, "GET", "/fast/index.html", Duration::from_secs(5)).await;
    let body = String::from_utf8_lossy(&resp).into_owned();
    assert_eq!(body.matches("<a href=\"/fast/").count(), FAST_PAGES);
    assert_eq!(
        body.matches(&format!("<a href=\"{}/p/", s.origin()))
            .count(),
        STORM_PEER_PAGES
    );
}

#[tokio::test]
async fn tls_with_a_self_signed_certificate() {
    use rustls::pki_types::{CertificateDer, ServerName};
    let s = HostileServer::start(HostileOptions {
        tls: true,
        ..HostileOptions::default()
    })
    .await
    .unwrap();
    assert!(s.origin().starts_with("https://127.0.0.1:"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let connect = |roots: rustls::RootCertStore| {
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        tokio_rustls::TlsConnector::from(Arc::new(config))
    };

    // A client that trusts the certificate gets pages.
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(s.cert_der().unwrap().to_vec()))
        .unwrap();
    let tcp = TcpStream::connect(s.addr()).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = connect(roots).connect(name.clone(), tcp).await.unwrap();
    tls.write_all(b"GET /t/ok.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let (resp, _) = read_all(&mut tls, Duration::from_secs(5)).await;
    assert!(
        resp.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&resp)
    );

    // One that does not refuses it; the server counts the failed handshake.
    let tcp = TcpStream::connect(s.addr()).await.unwrap();
    let err = connect(rustls::RootCertStore::empty())
        .connect(name, tcp)
        .await
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.tls_handshake_failures() == 0 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(s.requests().len(), 1);
    assert_eq!(s.connections(), 2);
}

#[tokio::test]
async fn dropping_the_server_releases_held_connections() {
    let s = plain().await;
    let addr = s.addr();
    let mut c = TcpStream::connect(addr).await.unwrap();
    c.write_all(b"GET /t/trickle HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    assert!(c.read(&mut buf).await.unwrap() > 0);
    drop(s);
    // The trickle stops (EOF) and the port no longer accepts.
    let (_, err) = read_all(&mut c, Duration::from_secs(3)).await;
    assert!(err.is_none());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(TcpStream::connect(addr).await.is_err());
}
