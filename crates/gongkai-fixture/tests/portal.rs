//! The fixture portal against `fixtures/portal/PLANTED.md`: a small crawl from the home page checks
//! that every link answers as planted (and nothing else is broken), that every served file is
//! reachable, and that the planted dates, periods and IDs are what the notes say.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use common::get;
use gongkai_fixture::{FixtureOptions, FixtureServer, DEMO_AS_OF, EXTERNAL_HOSTS};
use url::Url;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
fn days(date: &str) -> i64 {
    let mut it = date.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, m, d) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn age(date: &str) -> i64 {
    days(DEMO_AS_OF) - days(date)
}

/// `href="…"` and `src="…"` values of a page, entity-decoded, plus the list pages that TRS's
/// `createPageHTML(count, current, "index", "html")` would write.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = html.find("createPageHTML(") {
        let count: usize = html[i + 15..]
            .split(',')
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        out.extend((1..count).map(|k| format!("index_{k}.html")));
    }
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

fn decode(body: &[u8], content_type: Option<&str>) -> String {
    if content_type.is_some_and(|c| c.contains("gb2312")) {
        encoding_rs::GBK.decode(body).0.into_owned()
    } else {
        String::from_utf8_lossy(body).into_owned()
    }
}

/// What the crawl saw: target URL → (status or error, first page linking to it).
struct Crawl {
    seen: BTreeMap<String, (String, String)>,
    pages: BTreeMap<String, String>,
}

async fn crawl(s: &FixtureServer) -> Crawl {
    let base = Url::parse(&s.base_url()).unwrap();
    let second = Url::parse(&s.second_origin()).unwrap();
    let dead = Url::parse(&s.dead_origin()).unwrap();
    let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut pages = BTreeMap::new();
    let mut queue = VecDeque::from([(base.join("index.html").unwrap(), "(start)".to_string())]);
    while let Some((url, from)) = queue.pop_front() {
        let key = url.to_string();
        if seen.contains_key(&key) {
            continue;
        }
        let same = url.origin() == base.origin();
        let on_second = url.origin() == second.origin();
        let status = if url.origin() == dead.origin() {
            "refused".to_string()
        } else if url.host_str().is_some_and(|h| h.ends_with(".invalid")) {
            "dns".to_string()
        } else if url.host_str().is_some_and(|h| EXTERNAL_HOSTS.contains(&h)) {
            "external".to_string()
        } else if same && url.path().starts_with("/private/") {
            "robots".to_string()
        } else if same || on_second {
            let origin = if same {
                s.base_url()
            } else {
                s.second_origin()
            };
            let path = &url[url::Position::BeforePath..];
            let r = get(&origin, path).await;
            let ct = r.header("content-type").map(str::to_string);
            if same
                && r.status == 200
                && ct
                    .as_deref()
                    .is_some_and(|c| c.starts_with("text/html") || c.starts_with("text/xml"))
            {
                let text = decode(&r.body, ct.as_deref());
                for l in links(&text) {
                    if l.starts_with("javascript:")
                        || l.starts_with("mailto:")
                        || l.starts_with("tel:")
                    {
                        continue;
                    }
                    queue.push_back((url.join(&l).unwrap(), key.clone()));
                }
                pages.insert(path.to_string(), text);
            }
            r.status.to_string()
        } else {
            panic!("unexpected host in {key} (linked from {from})");
        };
        seen.insert(key, (status, from));
    }
    Crawl { seen, pages }
}

fn rel(s: &FixtureServer, url: &str) -> String {
    let second = s.second_origin();
    let dead = s.dead_origin();
    if let Some(p) = url.strip_prefix(&s.base_url()) {
        format!("/{p}")
    } else if let Some(p) = url.strip_prefix(&second) {
        format!("{{{{SECOND_ORIGIN}}}}/{p}")
    } else if let Some(p) = url.strip_prefix(&dead) {
        format!("{{{{DEAD_ORIGIN}}}}/{p}")
    } else {
        url.to_string()
    }
}

#[tokio::test]
async fn every_link_answers_as_planted() {
    let s = FixtureServer::start(FixtureOptions {
        slow_ms: 50,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = crawl(&s).await;

    let expected: BTreeMap<&str, &str> = [
        // link.broken
        ("/sjkf/index.html", "404"),
        ("/images/zt/2021dsxx.jpg", "404"),
        ("/zwgk/tzgg/202101/t20210105_3001234.html", "404"),
        ("/zwgk/tzgg/202208/P020220812000000000000.xls", "404"),
        ("/gone/zjtz/gk2019.html", "410"),
        ("/error/hdjl/query.jsp?id=1", "500"),
        ("{{DEAD_ORIGIN}}/wsxf/index.html", "refused"),
        ("http://nonexistent.invalid/", "dns"),
        ("/redirect/loop-a", "302"),
        // traps
        ("/waf/ldxx/index.html", "412"),
        ("/busy/zxft/index.html", "429"),
        ("/auth/oa/index.html", "401"),
        ("/forbidden/admin/index.html", "403"),
        ("/redirect/chain", "301"),
        ("/redirect/offsite", "302"),
        ("/flaky/500/zjtz/lyjd.html", "500"),
        ("/private/neibu.html", "robots"),
    ]
    .into_iter()
    .collect();

    let mut unexpected = Vec::new();
    let mut found = BTreeSet::new();
    for (url, (status, from)) in &c.seen {
        let r = rel(&s, url);
        match expected.get(r.as_str()) {
            Some(want) => {
                assert_eq!(status, want, "{r} (linked from {from})");
                found.insert(r);
            }
            None if status == "200" || status == "external" => {}
            None => unexpected.push(format!("{r} → {status} (linked from {})", rel(&s, from))),
        }
    }
    assert!(
        unexpected.is_empty(),
        "unplanned answers:\n{}",
        unexpected.join("\n")
    );
    let missing: Vec<_> = expected.keys().filter(|k| !found.contains(**k)).collect();
    assert!(missing.is_empty(), "planted links not found: {missing:?}");

    // Soft 404: the second origin's unknown path answers 200 with an error page.
    let soft = format!("{}art/2021/3/5/art_999_1.html", s.second_origin());
    assert_eq!(c.seen[&soft].0, "200");
    assert!(get(&s.second_origin(), "/art/2021/3/5/art_999_1.html")
        .await
        .text()
        .contains("页面不存在"));

    // Every served file is reachable from the home page (the dataproxy list included).
    let reached: BTreeSet<String> = c.seen.keys().map(|u| rel(&s, u)).collect();
    let orphans: Vec<_> = gongkai_fixture::served_paths()
        .into_iter()
        // `zwgk/fj/` is the attachments section scanned from its own start page
        // (tests/attachments.rs), deliberately not linked so the demo's findings stay as planned.
        .filter(|p| p != "robots.txt" && !p.starts_with("zwgk/fj/"))
        .filter(|p| !reached.contains(&format!("/{p}")))
        .collect();
    assert!(orphans.is_empty(), "unlinked files: {orphans:?}");

    // The crawl above never asked for robots-disallowed paths; neither may anyone else.
    assert!(s
        .requests()
        .iter()
        .all(|e| !e.path.starts_with("/private/")));

    // Two columns are missing everywhere.
    for (path, text) in &c.pages {
        for name in ["公共企事业单位信息公开", "重点任务公开承诺"] {
            assert!(!text.contains(name), "{name} appears on {path}");
        }
    }
    s.shutdown().await;
}

/// The newest item date of a column list page, from `<span class="date">` / `<span>` dates.
fn newest(html: &str) -> Option<String> {
    let mut dates: Vec<String> = Vec::new();
    for part in html.split("<li>").skip(1) {
        let li = part.split("</li>").next().unwrap();
        let digits: String = li
            .rsplit("<span")
            .next()
            .unwrap()
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '年' || *c == '月')
            .collect();
        let norm: Vec<&str> = digits.split(['年', '月']).collect();
        let date = match norm.as_slice() {
            [y, m, d] => format!(
                "{y}-{:02}-{:02}",
                m.parse::<u32>().ok()?,
                d.parse::<u32>().ok()?
            ),
            [ymd] if ymd.len() == 8 => format!("{}-{}-{}", &ymd[..4], &ymd[4..6], &ymd[6..]),
            _ => continue,
        };
        dates.push(date);
    }
    dates.into_iter().max()
}

#[tokio::test]
async fn planted_dates_and_periods() {
    let s = FixtureServer::start(FixtureOptions::default())
        .await
        .unwrap();
    let base = s.base_url();
    let cols = [
        ("/zwgk/zwdt/index.html", "2023-04-19", 1),
        ("/col/col1235/index.html", "2023-04-06", 14),
        ("/zwgk/zjdt/index.html", "2023-03-01", 50),
        ("/zwgk/tzgg/index.html", "2022-09-30", 202),
        ("/zwgk/gfxwj/index.html", "2022-10-19", 183),
        ("/zwgk/zcjd/index.html", "2023-01-11", 99),
        ("/zwgk/zfgb/index.html", "2022-12-30", 111),
        ("/zwgk/zdxzjc/index.html", "2023-03-10", 41),
        ("/zwgk/bzml/index.html", "2022-11-30", 141),
        ("/zwgk/jyta/index.html", "2022-09-20", 212),
        ("/zwgk/ghjh/index.html", "2022-05-20", 335),
        ("/zwgk/rsxx/index.html", "2022-12-16", 125),
        ("/zwgk/ndbg/index.html", "2022-01-28", 447),
        ("/zwgk/zqyj/index.html", "2023-03-10", 41),
        ("/zwgk/gkzd/index.html", "2022-08-20", 243),
    ];
    for (path, date, days_old) in cols {
        let html = get(&base, path).await.text();
        assert_eq!(newest(&html).as_deref(), Some(date), "{path}");
        assert_eq!(age(date), days_old, "{path}");
    }
    // Hanweb list: the newest record is inline.
    let html = get(&base, "/col/col1234/index.html").await.text();
    assert!(html.contains("<span>2023-01-10</span>") && html.contains("<nextgroup><![CDATA["));
    assert_eq!(html.matches("<record>").count(), 4);
    assert!(html.contains("var perpage = 2;") && html.contains("var endrecord = 4;"));

    // The empty column.
    let html = get(&base, "/zwgk/tjxx/index.html").await.text();
    assert!(newest(&html).is_none() && html.contains("暂无信息"));

    // Annual reports: 2020 and 2021 only.
    let html = get(&base, "/zwgk/ndbg/index.html").await.text();
    assert!(
        html.contains("2021年政府信息公开工作年度报告")
            && html.contains("2020年政府信息公开工作年度报告")
    );
    assert!(!html.contains("2022年政府信息公开工作年度报告"));
    assert!(days(DEMO_AS_OF) > days("2023-03-31"));

    // Consultation periods (inclusive).
    let short = get(&base, "/zwgk/zqyj/202302/t20230201_1237501.html")
        .await
        .text();
    assert!(short.contains("征求意见时间：2023年2月1日至2023年2月20日"));
    assert_eq!(days("2023-02-20") - days("2023-02-01") + 1, 20);
    let ok = get(&base, "/zwgk/zqyj/202303/t20230310_1238201.html")
        .await
        .text();
    assert!(ok.contains("征求意见时间：2023年3月10日至2023年4月8日"));
    assert_eq!(days("2023-04-08") - days("2023-03-10") + 1, 30);
    s.shutdown().await;
}

fn id_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(c, w)| (c - b'0') as u32 * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    let (m, d): (u32, u32) = (id[10..12].parse().unwrap(), id[12..14].parse().unwrap());
    let y: i64 = id[6..10].parse().unwrap();
    let dim = [
        31,
        if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) {
            29
        } else {
            28
        },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    check == b[17] && (1..=12).contains(&m) && d >= 1 && d <= dim[(m - 1) as usize]
}

#[tokio::test]
async fn planted_ids_and_interpretations() {
    let s = FixtureServer::start(FixtureOptions::default())
        .await
        .unwrap();
    let base = s.base_url();
    let html = get(&base, "/zwgk/tzgg/202209/t20220930_1235950.html")
        .await
        .text();
    for id in ["11010519491231002X", "440524188001010014"] {
        assert!(html.contains(id) && id_ok(id), "{id}");
    }
    for id in ["370481199001011235", "370481199002301232"] {
        assert!(html.contains(id) && !id_ok(id), "{id}");
    }
    assert!(html.contains("370481********1234"));

    // interpretation.copied: most of the document's body text reappears in the interpretation.
    let body = |html: &str| {
        let start = html.find("<div class=\"TRS_Editor\">").unwrap();
        let end = start + html[start..].find("</div>").unwrap();
        html[start..end].to_string()
    };
    let doc = body(
        &get(&base, "/zwgk/gfxwj/202203/t20220328_1233305.html")
            .await
            .text(),
    );
    let interp = body(
        &get(&base, "/zwgk/zcjd/202203/t20220329_1233320.html")
            .await
            .text(),
    );
    let doc_paras: Vec<&str> = doc.split("<p>").skip(1).collect();
    assert!(doc_paras.len() >= 7 && doc_paras.iter().all(|p| interp.contains(p)));

    // interpretation.no-hotline: no digits run of 7+ in the body.
    let no_phone = body(
        &get(&base, "/zwgk/zcjd/202212/t20221221_1236901.html")
            .await
            .text(),
    );
    let longest_run = no_phone
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_run < 7, "{no_phone}");
    for (path, phone) in [
        ("/zwgk/zcjd/202210/t20221019_1236015.html", "0632-5512345"),
        (
            "/zwgk/zcjd/202209/t20220927_1235885.html",
            "（0632）5512345",
        ),
        (
            "/zwgk/zcjd/202209/t20220906_1235640.html",
            "咨询电话：5512345",
        ),
        (
            "/zwgk/zcjd/202208/t20220816_1235320.html",
            "138－1234－5678",
        ),
    ] {
        assert!(
            body(&get(&base, path).await.text()).contains(phone),
            "{path}"
        );
    }
    s.shutdown().await;
}
