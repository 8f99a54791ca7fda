//! Traps from real portals, through the whole extractor: a term clause in the body is not a
//! validity mark; template navigation to 政策解读 is not the document's interpretation; an href
//! ending in a full-width space keeps it, as a browser does.

use gongkai_page::{analyze, Field, LinkKind, LinkRegion};
use url::Url;

fn run(url: &str, html: &str) -> gongkai_page::PageModel {
    analyze(
        &Url::parse(url).unwrap(),
        html.as_bytes(),
        Some("text/html; charset=utf-8"),
    )
}

const SHANDONG: &str = r#"<html><head><title>某市城市绿化管理办法_某市人民政府</title></head><body>
<div class="nav"><a href="/zwgk/zcjd/">政策解读</a><a href="/zwgk/">政务公开</a></div>
<table class="xxgk"><tr><td>索引号：</td><td>1137/2022-1</td><td>文号：</td><td>某政发〔2022〕3号</td></tr>
<tr><td>发布机构：</td><td>某市人民政府</td><td>发布日期：</td><td>2022-09-20</td></tr></table>
<h1>某市城市绿化管理办法</h1>
<div class="TRS_Editor"><p>第一条 为加强城市绿化管理，改善生态环境，制定本办法。</p>
<p>有效期：5年</p>
<p>第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。</p>
<p>附件：<a href="/u/2022/lvhua.pdf　">绿化管理目录.pdf</a></p></div>
<div class="footer">主办单位：某市人民政府办公室 网站标识码：3704000001</div>
</body></html>"#;

#[test]
fn term_clause_is_not_a_validity_mark() {
    let m = run(
        "http://www.example.gov.cn/zwgk/gfxwj/202209/t20220920_1.html",
        SHANDONG,
    );
    assert_eq!(m.metadata.value(Field::Validity), None);
    assert!(!m.metadata.has_label(Field::Validity));
    let term = m.term.expect("term clause");
    assert_eq!(term.effective.as_deref(), Some("2022-09-19"));
    assert_eq!(term.expires.as_deref(), Some("2027-09-18"));
    assert!(term.quote.contains("有效期至2027年9月18日"));
    assert_eq!(
        m.metadata.value(Field::DocNumber),
        Some("某政发〔2022〕3号")
    );
    assert_eq!(m.footer.sponsor.as_deref(), Some("某市人民政府办公室"));
}

#[test]
fn navigation_is_chrome_and_full_width_space_stays_in_the_url() {
    let m = run(
        "http://www.example.gov.cn/zwgk/gfxwj/202209/t20220920_1.html",
        SHANDONG,
    );
    let nav = m.links.iter().find(|l| l.anchor == "政策解读").unwrap();
    assert_eq!(nav.region, LinkRegion::Chrome);
    let pdf = m
        .links
        .iter()
        .find(|l| l.anchor == "绿化管理目录.pdf")
        .unwrap();
    assert_eq!(
        pdf.url.as_deref(),
        Some("http://www.example.gov.cn/u/2022/lvhua.pdf%E3%80%80")
    );
    assert_eq!(pdf.kind, LinkKind::Attachment);
    assert_eq!(pdf.region, LinkRegion::Content);
}

#[test]
fn one_date_vocabulary() {
    use gongkai_page::parse_date;
    for s in [
        "2022-09-19",
        "2022/9/19",
        "2022.09.19",
        "2022年9月19日",
        "2022年9月19日 11:54",
        "2022-09-19 11:54",
        "２０２２／９／１９",
        "二〇二二年九月十九日",
    ] {
        assert_eq!(
            parse_date(s).map(|d| d.to_string()).as_deref(),
            Some("2022-09-19"),
            "{s}"
        );
    }
}
