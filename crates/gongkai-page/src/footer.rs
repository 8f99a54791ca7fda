//! The site footer's statements (政府网站发展指引): 主办单位, 网站标识码, ICP备案号, 公安机关备案号.
//!
//! Footers are written as `<p>`s, `<span>`s, `<br>`-separated lines or one line with `|`
//! separators. We read the text of footer-like elements (`footer`, class/id `footer`, `foot`,
//! `bottom`, `copyright`) with element boundaries kept, and when the page has none, the last
//! part of the body text.

use crate::dom::{self, Nd, BOUNDARY};
use crate::model::Footer;
use crate::thread_regex::ThreadRegex;
use ego_tree::iter::Edge;
use regex::Regex;
use scraper::Node;

/// Footer text read (bytes).
const MAX_FOOTER_TEXT: usize = 16 * 1024;
/// Body tail used when no footer element exists (chars).
const TAIL_CHARS: usize = 1500;
/// Longest sponsor name (chars).
const MAX_SPONSOR_CHARS: usize = 40;

static SPONSOR: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"主\s*办(?:\s*单\s*位|方|机关)?\s*[:：]\s*([^\x01|｜丨\s,，;；]{2,60})")
        .expect("static regex")
});
/// "版权所有：滕州市人民政府" on footers that name no 主办: the owner of the site.
static COPYRIGHT_OWNER: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"版权所有\s*[:：]?\s*(?:©|\(c\)|（c）)?\s*([^\x01|｜丨\s,，;；©]{2,60})")
        .expect("static regex")
});
/// "滕州市人民政府办公室主办" (name before the word).
static SPONSOR_BEFORE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?:^|[\x01|｜丨\s：:])(\p{Han}{3,40}?)\s*主办(?:$|[\x01|｜丨\s，,；;])")
        .expect("static regex")
});
static SITE_ID: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?i)网站(?:标识|识别)码\s*[:：]?\s*(bm\d{8}|\d{10}|[0-9a-z]{6,12})")
        .expect("static regex")
});
static ICP: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(?i)(\p{Han}{1,2}\s*ICP\s*备\s*\d{6,10}\s*号(?:\s*-\s*\d{1,3})?)")
        .expect("static regex")
});
static POLICE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"(\p{Han}{1,2}\s*公网安备\s*(?:\d\s*){10,16}号?)").expect("static regex")
});

/// Reads the footer statements of the document rooted at `root`.
pub fn extract(root: Nd<'_>) -> Footer {
    match footer_text(root) {
        Ok(found) => found,
        Err(text) => parse(&text),
    }
}

/// Footer texts longer than this (bytes) are parsed without being remembered.
const REMEMBERED_TEXT: usize = 4096;

thread_local! {
    /// The footer text parsed last on this thread, and what it said: a portal's pages share their
    /// template's footer, and parsing it again was 2% of a scan's CPU.
    static LAST: std::cell::RefCell<(String, Footer)> =
        std::cell::RefCell::new((String::new(), Footer::default()));
}

/// Parses footer text (element boundaries may be marked with U+0001).
pub fn parse(text: &str) -> Footer {
    if text.is_empty() || text.len() > REMEMBERED_TEXT {
        return parse_anew(text);
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != text {
            let found = parse_anew(text);
            last.0.clear();
            last.0.push_str(text);
            last.1 = found;
        }
        last.1.clone()
    })
}

fn parse_anew(text: &str) -> Footer {
    let sponsor = SPONSOR
        .re()
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| trim_sponsor(m.as_str()))
        .or_else(|| {
            SPONSOR_BEFORE
                .re()
                .captures_iter(text)
                .filter_map(|c| c.get(1))
                .map(|m| trim_sponsor(m.as_str()))
                .find(|name| looks_like_organ(name))
        })
        .or_else(|| {
            COPYRIGHT_OWNER
                .re()
                .captures_iter(text)
                .filter_map(|c| c.get(1))
                .map(|m| trim_sponsor(m.as_str()))
                .find(|name| looks_like_organ(name))
        })
        .filter(|s| {
            let n = s.chars().count();
            (2..=MAX_SPONSOR_CHARS).contains(&n)
        });
    let one = |re: &Regex| {
        re.captures(text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().split_whitespace().collect::<String>())
    };
    Footer {
        sponsor: sponsor.map(Into::into),
        site_id_code: one(&SITE_ID.re()).map(Into::into),
        icp: one(&ICP.re()).map(Into::into),
        police_beian: one(&POLICE.re()).map(|p| space_after_beian(&p).into()),
    }
}

/// "X主办" names an organ only when X ends like one and is not a sentence ("本次活动由市文旅局
/// 主办" in body text is not the site's sponsor).
fn looks_like_organ(name: &str) -> bool {
    const ENDINGS: [&str; 14] = [
        "政府",
        "办公室",
        "办公厅",
        "局",
        "委员会",
        "委",
        "厅",
        "中心",
        "部",
        "院",
        "署",
        "办",
        "管委会",
        "馆",
    ];
    ENDINGS.iter().any(|e| name.ends_with(e)) && !name.contains(['由', '在', '的'])
}

/// Cuts a following statement glued to the sponsor ("滕州市人民政府办公室承办：…").
fn trim_sponsor(s: &str) -> String {
    let mut v = s.to_string();
    for stop in [
        "承办",
        "协办",
        "网站标识码",
        "地址",
        "电话",
        "联系",
        "技术支持",
        "版权",
        "备案",
        "邮编",
        "ICP",
        "Copyright",
        "©",
    ] {
        if let Some(i) = v.find(stop) {
            v.truncate(i);
        }
    }
    v.trim_matches(|c: char| c.is_whitespace() || matches!(c, '。' | '.' | '、'))
        .to_string()
}

/// Prints 公安机关备案号 as 鲁公网安备 37048102000123号 (the usual form) whatever the spacing.
fn space_after_beian(p: &str) -> String {
    match p.split_once("公网安备") {
        Some((a, b)) => format!("{a}公网安备 {}", b.trim()),
        None => p.to_string(),
    }
}

/// The statements of the page's footer elements when they hold any (parsed once here), else the
/// text to read them from: footer elements' text plus the tail of the body text.
fn footer_text(root: Nd<'_>) -> Result<Footer, String> {
    let mut out = String::new();
    let mut inside: Option<ego_tree::NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Close(n) if inside == Some(n.id()) => inside = None,
            Edge::Open(n) if inside.is_none() => {
                if out.len() >= MAX_FOOTER_TEXT {
                    break;
                }
                let Node::Element(e) = n.value() else {
                    continue;
                };
                let footerish = e.name() == "footer"
                    || dom::any_class_id_token(e, |t| {
                        matches!(t, "bottom" | "copyright" | "banquan" | "dibu")
                            || t.starts_with("foot")
                    });
                if footerish {
                    out.push(BOUNDARY);
                    out.push_str(&dom::marked_text(n, MAX_FOOTER_TEXT));
                    inside = Some(n.id());
                }
            }
            _ => {}
        }
    }
    if !out.is_empty() {
        let found = parse(&out);
        if found != Footer::default() {
            return Ok(found);
        }
    }
    let body = root
        .descendants()
        .find(|n| dom::is_tag(*n, &html5ever::local_name!("body")))
        .unwrap_or(root);
    let all = dom::marked_text(body, 512 * 1024);
    let n = all.chars().count();
    let tail: String = all.chars().skip(n.saturating_sub(TAIL_CHARS)).collect();
    out.push(BOUNDARY);
    out.push_str(&tail);
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn f(html: &str) -> Footer {
        let d = Html::parse_document(html);
        extract(d.tree.root())
    }

    /// The remembered footer answers only for the same text: alternating footers each read as
    /// their own, again and again.
    #[test]
    fn a_remembered_footer_answers_only_for_its_own_text() {
        let a = "\u{1}主办单位：滕州市人民政府办公室\u{1}网站标识码：3704810001";
        let b = "\u{1}主办单位：枣庄市人民政府办公室\u{1}鲁ICP备12345678号";
        for _ in 0..3 {
            let fa = parse(a);
            assert_eq!(fa.sponsor.as_deref(), Some("滕州市人民政府办公室"));
            assert_eq!(fa.site_id_code.as_deref(), Some("3704810001"));
            assert_eq!(fa.icp, None);
            let fb = parse(b);
            assert_eq!(fb.sponsor.as_deref(), Some("枣庄市人民政府办公室"));
            assert_eq!(fb.icp.as_deref(), Some("鲁ICP备12345678号"));
            assert_eq!(fb.site_id_code, None);
            assert_eq!(parse(b), fb);
        }
        assert_eq!(parse(""), Footer::default());
    }

    #[test]
    fn paragraph_footer() {
        let v = f(r#"<body><div class="main">正文</div><div class="footer">
            <p>主办单位：滕州市人民政府办公室　承办单位：滕州市大数据中心</p>
            <p>网站标识码：3704810001　<a href="https://beian.miit.gov.cn/">鲁ICP备12345678号-1</a></p>
            <p><img src="/ga.png"><a href="http://www.beian.gov.cn/">鲁公网安备 37048102000123号</a></p>
            </div></body>"#);
        assert_eq!(v.sponsor.as_deref(), Some("滕州市人民政府办公室"));
        assert_eq!(v.site_id_code.as_deref(), Some("3704810001"));
        assert_eq!(v.icp.as_deref(), Some("鲁ICP备12345678号-1"));
        assert_eq!(
            v.police_beian.as_deref(),
            Some("鲁公网安备 37048102000123号")
        );
    }

    #[test]
    fn pipe_and_br_footer_without_footer_class() {
        let v = f(r#"<body><div>正文很多</div><div class="dibu">
            主办：万载县人民政府办公室 | 网站标识码:3609220001 | 赣ICP备05004321号<br>
            赣公网安备36092202000012号</div></body>"#);
        assert_eq!(v.sponsor.as_deref(), Some("万载县人民政府办公室"));
        assert_eq!(v.site_id_code.as_deref(), Some("3609220001"));
        assert_eq!(v.icp.as_deref(), Some("赣ICP备05004321号"));
        assert_eq!(
            v.police_beian.as_deref(),
            Some("赣公网安备 36092202000012号")
        );
        let v = f(r#"<footer><span>甘肃省教育厅主办</span><span>技术支持：某公司</span></footer>"#);
        assert_eq!(v.sponsor.as_deref(), Some("甘肃省教育厅"));
        assert_eq!(f("<p>没有页脚</p>"), Footer::default());
        assert_eq!(
            f("<p>正文</p><p>本次活动由市文化和旅游局主办，欢迎参加。</p>").sponsor,
            None
        );
        let v = f(r#"<div id="foot">版权所有：某县人民政府 网站识别码：3716230001</div>"#);
        assert_eq!(v.sponsor.as_deref(), Some("某县人民政府"));
        assert_eq!(v.site_id_code.as_deref(), Some("3716230001"));
        let v = f(r#"<div id="foot">版权所有：某县人民政府 主办：某县人民政府办公室</div>"#);
        assert_eq!(v.sponsor.as_deref(), Some("某县人民政府办公室"));
    }
}
