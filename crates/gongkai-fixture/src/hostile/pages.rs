//! The pages of the hostile server: URL-space traps, link floods, broken markup, broken charsets.

use std::sync::atomic::Ordering;

use super::{Reply, Shared, DEEP_NESTING, FAST_PAGES, HUGE_ATTR_BYTES, STORM_PEER_PAGES};

/// Links on `/links/index.html`.
pub const MANY_LINKS: usize = 10_000;
/// Title of `/cs/gbk-only.html`: 镕, 堃 and 喆 are in GBK but not in GB2312.
pub const GBK_ONLY_TITLE: &str = "关于表彰朱镕基、李堃、张喆等同志的通报";

const UTF8: &str = "text/html; charset=utf-8";
/// The pages of the two session-id sites.
const SESSION_PAGES: [&str; 4] = ["index", "list", "detail", "about"];

/// A small complete page.
pub(crate) fn simple(title: &str, text: &str) -> String {
    doc(title, &format!("<h1>{title}</h1>\n<p>{text}</p>\n"))
}

fn doc(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}

fn list(title: &str, links: &[(String, String)]) -> String {
    let mut body = format!("<h1>{title}</h1>\n<ul>\n");
    for (href, text) in links {
        body.push_str(&format!("<li><a href=\"{href}\">{text}</a></li>\n"));
    }
    body.push_str("</ul>\n");
    doc(title, &body)
}

fn links(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(h, t)| (h.to_string(), t.to_string()))
        .collect()
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::new(status, UTF8, simple("页面已移动", "请稍候。")).with("Location", location)
}

/// The answer for an ordinary (well-behaved at the HTTP level) path, or None for 404.
pub(crate) fn page(shared: &Shared, path: &str, query: Option<&str>) -> Option<Reply> {
    // Servlet containers ignore path parameters such as `;jsessionid=…`.
    let path = path.split(';').next().unwrap_or(path);
    let html = |s: String| Some(Reply::html(s));
    match path {
        "/" | "/index.html" => html(list(
            "敌意服务器",
            &links(&[
                ("/t/index.html", "传输层"),
                ("/r/index.html", "重定向"),
                ("/links/index.html", "一万个链接"),
                ("/cal/index.html", "日历陷阱"),
                ("/sess/index.jsp", "jsessionid"),
                ("/sid/index.do", "sid"),
                ("/bad/index.html", "畸形 HTML"),
                ("/cs/index.html", "字符集"),
                ("/fast/index.html", "快速主机"),
            ]),
        )),
        "/landing.html" => html(list("落地页", &links(&[("/landing-next.html", "下一页")]))),
        "/landing-next.html" => html(simple("落地页二", "不应被爬取。")),
        "/t/index.html" => html(list(
            "传输层",
            &links(&[
                ("/t/ok.html", "正常页面"),
                ("/t/slowloris", "慢速头部"),
                ("/t/silent", "沉默"),
                ("/t/trickle", "涓涓细流"),
                ("/t/endless", "无穷无尽"),
                ("/t/reset", "连接重置"),
                ("/t/eof", "提前关闭"),
                ("/t/bomb", "压缩炸弹"),
                ("/t/not-http", "不是 HTTP"),
                ("/t/header-flood", "头部洪水"),
            ]),
        )),
        "/t/ok.html" => html(simple("正常页面", "一切正常。")),
        "/r/index.html" => html(list(
            "重定向",
            &links(&[
                ("/r/ftp", "ftp"),
                ("/r/javascript", "javascript"),
                ("/r/file", "file"),
                ("/r/offsite", "站外"),
                ("/r/loop-a", "循环"),
                ("/r/self", "自己"),
                ("/r/chain/0", "无尽链"),
                ("/r/no-location", "无 Location"),
            ]),
        )),
        "/r/ftp" => Some(redirect(302, "ftp://127.0.0.1/pub/report.pdf")),
        "/r/javascript" => Some(redirect(302, "javascript:alert(document.cookie)")),
        "/r/file" => Some(redirect(302, "file:///etc/passwd")),
        "/r/offsite" => {
            let peer = shared
                .peer()
                .unwrap_or_else(|| "http://nonexistent.invalid".into());
            Some(redirect(302, &format!("{peer}/landing.html")))
        }
        "/r/loop-a" => Some(redirect(302, "/r/loop-b")),
        "/r/loop-b" => Some(redirect(302, "/r/loop-a")),
        "/r/self" => Some(redirect(301, "/r/self")),
        "/r/no-location" => Some(Reply::new(302, UTF8, simple("302", "没有 Location。"))),
        "/links/index.html" => {
            let items: Vec<(String, String)> = (0..MANY_LINKS)
                .map(|i| (format!("/links/p/{i}.html"), format!("第{i}条信息")))
                .collect();
            html(list("一万个链接", &items))
        }
        "/cal/index.html" => html(list(
            "日历",
            &links(&[
                ("/cal?date=2023-04-20", "活动日历"),
                ("/day/2023-04-20.html", "每日信息"),
            ]),
        )),
        "/cal" => {
            let day = query
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("date=")))
                .and_then(parse_date)
                .unwrap_or_else(|| days_from_civil(2023, 4, 20));
            html(calendar_page(day, |d| format!("/cal?date={}", ymd(d))))
        }
        "/bad/index.html" => html(list(
            "畸形 HTML",
            &links(&[
                ("/bad/unclosed.html", "未闭合"),
                ("/bad/garbage.html", "乱码"),
                ("/bad/deep.html", "深嵌套"),
                ("/bad/fonts.html", "font 标签"),
                ("/bad/attr.html", "超长属性"),
                ("/bad/many-attrs.html", "很多属性"),
            ]),
        )),
        "/bad/unclosed.html" => Some(Reply::new(200, UTF8, unclosed())),
        "/bad/garbage.html" => Some(Reply::new(200, UTF8, garbage())),
        "/bad/deep.html" => {
            let mut s = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>深嵌套</title></head><body>\n");
            s.push_str(&"<div>".repeat(DEEP_NESTING));
            s.push_str("<p><a href=\"/bad/after-deep.html\">最深处的链接</a></p>");
            s.push_str(&"</div>".repeat(DEEP_NESTING));
            s.push_str("\n</body></html>\n");
            html(s)
        }
        "/bad/fonts.html" => {
            let mut s = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>font 标签</title></head><body>\n");
            s.push_str(&"<font color=\"red\">字".repeat(50_000));
            s.push_str("<a href=\"/bad/after-fonts.html\">下一页</a>\n</body></html>\n");
            html(s)
        }
        "/bad/attr.html" => {
            let mut s = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>超长属性</title></head><body>\n<div data-payload=\"");
            s.push_str(&"x".repeat(HUGE_ATTR_BYTES));
            s.push_str("\"><a href=\"/bad/after-attr.html\">属性之后</a></div>\n<a href=\"/bad/");
            s.push_str(&"y".repeat(1024 * 1024));
            s.push_str(".html\">一兆的链接</a>\n</body></html>\n");
            html(s)
        }
        "/bad/many-attrs.html" => {
            let mut s = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>很多属性</title></head><body>\n<div");
            for i in 0..50_000 {
                s.push_str(&format!(" a{i}=\"{i}\""));
            }
            s.push_str(
                "><a href=\"/bad/after-many-attrs.html\">属性之后</a></div>\n</body></html>\n",
            );
            html(s)
        }
        "/cs/index.html" => html(list(
            "字符集",
            &links(&[
                ("/cs/gbk-only.html", "GBK 字"),
                ("/cs/gbk-only-meta.html", "GBK 字 (meta)"),
                ("/cs/bad-utf8.html", "坏 UTF-8"),
                ("/cs/bad-gbk.html", "坏 GBK"),
            ]),
        )),
        "/cs/gbk-only.html" => Some(gbk_only(true)),
        "/cs/gbk-only-meta.html" => Some(gbk_only(false)),
        "/cs/bad-utf8.html" => Some(bad_utf8()),
        "/cs/bad-gbk.html" => Some(bad_gbk()),
        "/fast/index.html" => {
            let mut items: Vec<(String, String)> = (1..=FAST_PAGES)
                .map(|i| (format!("/fast/{i}.html"), format!("快速页面{i}")))
                .collect();
            if let Some(peer) = shared.peer() {
                items.extend(
                    (1..=STORM_PEER_PAGES)
                        .map(|i| (format!("{peer}/p/{i}.html"), format!("繁忙主机{i}"))),
                );
            }
            html(list("快速主机", &items))
        }
        "/peer/index.html" => {
            let peer = shared
                .peer()
                .unwrap_or_else(|| "http://nonexistent.invalid".into());
            html(list(
                "友情链接",
                &[
                    (format!("{peer}/"), "首页".to_string()),
                    (format!("{peer}/t/ok.html"), "正常页面".to_string()),
                ],
            ))
        }
        "/fast/attach.html" => {
            let peer = shared
                .peer()
                .unwrap_or_else(|| "http://nonexistent.invalid".into());
            html(doc(
                "附件",
                &format!(
                    "<p><a href=\"{peer}/files/report.pdf\">年度报告.pdf</a></p>\n<p><img src=\"{peer}/img/logo.png\" alt=\"标志\"></p>\n"
                ),
            ))
        }
        _ => dynamic(shared, path),
    }
}

/// Paths with a variable part.
fn dynamic(shared: &Shared, path: &str) -> Option<Reply> {
    if let Some(n) = path.strip_prefix("/r/chain/") {
        let n: u64 = n.parse().ok()?;
        return Some(redirect(302, &format!("/r/chain/{}", n + 1)));
    }
    if let Some(i) = path
        .strip_prefix("/links/p/")
        .and_then(|r| r.strip_suffix(".html"))
    {
        let i: usize = i.parse().ok()?;
        return Some(Reply::html(list(
            &format!("第{i}条信息"),
            &links(&[("/links/index.html", "返回")]),
        )));
    }
    if let Some(d) = path
        .strip_prefix("/day/")
        .and_then(|r| r.strip_suffix(".html"))
    {
        let day = parse_date(d)?;
        return Some(Reply::html(calendar_page(day, |d| {
            format!("/day/{}.html", ymd(d))
        })));
    }
    if let Some(name) = path
        .strip_prefix("/sess/")
        .and_then(|r| r.strip_suffix(".jsp"))
    {
        SESSION_PAGES.contains(&name).then_some(())?;
        let items: Vec<(String, String)> = SESSION_PAGES
            .iter()
            .map(|p| {
                let id = session_id(shared);
                (format!("/sess/{p}.jsp;jsessionid={id}"), p.to_string())
            })
            .collect();
        return Some(Reply::html(list(&format!("会话 {name}"), &items)).with(
            "Set-Cookie",
            &format!("JSESSIONID={}; Path=/", session_id(shared)),
        ));
    }
    if let Some(name) = path
        .strip_prefix("/sid/")
        .and_then(|r| r.strip_suffix(".do"))
    {
        SESSION_PAGES.contains(&name).then_some(())?;
        let items: Vec<(String, String)> = SESSION_PAGES
            .iter()
            .map(|p| {
                (
                    format!("/sid/{p}.do?sid={}", session_id(shared)),
                    p.to_string(),
                )
            })
            .collect();
        return Some(Reply::html(list(&format!("会话 {name}"), &items)));
    }
    if let Some(case) = path
        .strip_prefix("/bad/after-")
        .or_else(|| path.strip_prefix("/cs/after-"))
        .and_then(|r| r.strip_suffix(".html"))
    {
        return Some(Reply::html(simple(
            &format!("{case} 之后"),
            "解析到了页面末尾。",
        )));
    }
    if let Some(i) = path
        .strip_prefix("/fast/")
        .and_then(|r| r.strip_suffix(".html"))
    {
        let i: usize = i.parse().ok()?;
        return (1..=FAST_PAGES)
            .contains(&i)
            .then(|| Reply::html(simple(&format!("快速页面{i}"), "很快。")));
    }
    None
}

/// A fresh id on every call, like a server that starts a session per request.
fn session_id(shared: &Shared) -> String {
    let n = shared.renders.fetch_add(1, Ordering::Relaxed);
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    // The origin keeps two servers of one test from handing out the same ids.
    let origin = shared
        .origin
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let seed = n ^ origin;
    format!("{:016X}{:016X}", mix(seed), mix(seed ^ 0xdead_beef))
}

fn calendar_page(day: i64, href: impl Fn(i64) -> String) -> String {
    let title = format!("{} 活动安排", ymd(day));
    doc(
        &title,
        &format!(
            "<h1>{title}</h1>\n<p>本日无活动。</p>\n<p><a href=\"{}\">前一天</a> <a href=\"{}\">后一天</a></p>\n",
            href(day - 1),
            href(day + 1)
        ),
    )
}

fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    ((1..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| days_from_civil(y, m, d))
}

fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn unclosed() -> String {
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>未闭合标签</title>\n<body>\
     <div class=\"main\"><table><tr><td><font color=red><b><i>\n<ul><li><a href=\"/bad/after-unclosed.html\">下一页\n\
     <li><a href='/bad/after-unclosed-2.html>坏引号\n<p>文字<div><span>\n\
     <a href=\"/bad/after-unclosed-3.html\n<!-- 没有结束的注释\n"
        .to_string()
}

/// A page whose body is 200 KB of binary garbage (NUL, 0xFF, stray `<` not starting a tag),
/// with a link after it.
fn garbage() -> Vec<u8> {
    let mut out = b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\xe4\xb9\xb1\xe7\xa0\x81\x00\xff</title></head><body>\n".to_vec();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let b = (x >> 11) as u8;
        out.push(b);
        if b == b'<' {
            out.push(b' ');
        }
    }
    out.extend_from_slice(
        "\n<p><a href=\"/bad/after-garbage.html\">乱码之后</a></p>\n</body></html>\n".as_bytes(),
    );
    out
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    debug_assert!(!unmappable, "not GBK: {text}");
    bytes.into_owned()
}

fn gbk_only(label_in_header: bool) -> Reply {
    let html = format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\n\
         <title>{GBK_ONLY_TITLE}</title>\n</head>\n<body>\n<h1>{GBK_ONLY_TITLE}</h1>\n\
         <p>各镇人民政府、街道办事处：朱镕基、李堃、张喆同志在政务公开工作中表现突出，予以通报表彰。</p>\n\
         <p><a href=\"/cs/after-gbk-only.html\">相关文件</a></p>\n</body>\n</html>\n"
    );
    let ct = if label_in_header {
        "text/html; charset=gb2312"
    } else {
        "text/html"
    };
    Reply::new(200, ct, gbk(&html))
}

fn bad_utf8() -> Reply {
    let mut b = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>".to_vec();
    b.extend_from_slice("坏字节".as_bytes());
    b.extend_from_slice(&[0xff, 0xfe]); // never valid in UTF-8
    b.extend_from_slice("测试".as_bytes());
    b.extend_from_slice(&[0xe6, 0xb5]); // a truncated three-byte sequence
    b.extend_from_slice("页面</title></head><body>\n<p>".as_bytes());
    b.extend_from_slice(&[0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]); // overlong, surrogate, 5-byte
    b.extend_from_slice(
        "</p>\n<p><a href=\"/cs/after-bad-utf8.html\">之后</a></p>\n</body></html>\n".as_bytes(),
    );
    Reply::new(200, UTF8, b)
}

fn bad_gbk() -> Reply {
    let mut b = gbk("<!DOCTYPE html>\n<html><head><meta charset=\"gbk\"><title>坏字节");
    b.extend_from_slice(&[0xff, 0x81, 0x7f]); // 0xFF is never a lead byte; 0x7F is not a trail byte
    b.extend_from_slice(&gbk("测试页面</title></head><body>\n<p>正文"));
    b.extend_from_slice(&[0x81, 0x0a, 0xa1]); // a lead byte before a newline, a lone lead byte
    b.extend_from_slice(&gbk(
        "</p>\n<p><a href=\"/cs/after-bad-gbk.html\">之后</a></p>\n</body></html>\n",
    ));
    Reply::new(200, "text/html; charset=gbk", b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2023, 4, 20),
            (2024, 2, 29),
            (2000, 12, 31),
            (1, 1, 1),
        ] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(ymd(days_from_civil(2023, 3, 1) - 1), "2023-02-28");
        assert_eq!(ymd(days_from_civil(2023, 12, 31) + 1), "2024-01-01");
        assert_eq!(parse_date("2023-13-01"), None);
    }

    #[test]
    fn gbk_only_title_is_not_gb2312() {
        // GB2312 has no 镕 堃 喆: their GBK codes are outside its rows (lead or trail byte < 0xA1).
        for c in ['镕', '堃', '喆'] {
            let bytes = gbk(&c.to_string());
            assert_eq!(bytes.len(), 2);
            assert!(bytes[0] < 0xa1 || bytes[1] < 0xa1, "{c} {bytes:x?}");
            assert!(GBK_ONLY_TITLE.contains(c));
        }
    }
}
