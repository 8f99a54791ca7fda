use super::*;
use scraper::Html;

fn iso(s: &str) -> Option<crate::model::ArcStr> {
    Some(s.into())
}

#[test]
fn shandong_term_clause_is_read_as_a_clause() {
    let t = term_clause(
        "第十二条 本办法由市司法局负责解释。第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。",
    )
    .unwrap();
    assert_eq!(t.effective, iso("2022-09-19"));
    assert_eq!(t.expires, iso("2027-09-18"));
    assert_eq!(t.years, None);
    assert_eq!(
        t.quote,
        "第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。"
    );
}

#[test]
fn clause_forms() {
    let t = term_clause("本规定自２０２３年３月１日起施行。有效期5年。").unwrap();
    assert_eq!(t.effective, iso("2023-03-01"));
    assert_eq!(t.years, Some(5));
    assert_eq!(t.quote, "本规定自2023年3月1日起施行。有效期5年。");
    let t = term_clause("本通知自印发之日起施行，有效期为三年。").unwrap();
    assert_eq!((t.effective, t.years), (None, Some(3)));
    let t = term_clause("本意见自印发之日起施行，有效期至2026年12月31日。").unwrap();
    assert_eq!(t.expires, iso("2026-12-31"));
    let t = term_clause("有效期为2021年1月1日至2025年12月31日。").unwrap();
    assert_eq!(t.effective, iso("2021-01-01"));
    assert_eq!(t.expires, iso("2025-12-31"));
    let t = term_clause("本办法自2022-06-01起实施，有效期两年。").unwrap();
    assert_eq!((t.effective, t.years), (iso("2022-06-01"), Some(2)));
    let t = term_clause("本办法自二〇二二年九月十九日起施行，二〇二七年九月十八日废止。").unwrap();
    assert_eq!(t.effective, iso("2022-09-19"));
    assert_eq!(t.expires, iso("2027-09-18"));
    assert_eq!(term_clause("本办法有效期限为5年。").unwrap().years, Some(5));
    let t = term_clause("本通知有效期截止日期为2025年12月31日。").unwrap();
    assert_eq!(t.expires, iso("2025-12-31"));
    assert!(term_clause("各镇人民政府要高度重视政务公开工作。").is_none());
    let long = format!("{}本办法自2022年1月1日起施行。", "很长的正文".repeat(100));
    assert!(term_clause(&long).unwrap().quote.chars().count() <= 200);
}

/// Portals print the effective date with 从 / 于 for 自, or with no preposition before 起; a
/// date that only qualifies the document being replaced is not this one's.
#[test]
fn effective_date_forms_beside_zi() {
    let cases = [
        ("本规定从2022年1月1日起施行，有效期5年。", "2022-01-01"),
        (
            "本办法于2021年3月1日起实施。有效期至2026年2月28日。",
            "2021-03-01",
        ),
        ("本细则2020年7月1日起正式施行，有效期三年。", "2020-07-01"),
        (
            "本意见从二〇一九年五月一日开始执行，有效期为2年。",
            "2019-05-01",
        ),
    ];
    for (text, date) in cases {
        let t = term_clause(text).unwrap_or_else(|| panic!("no clause in {text}"));
        assert_eq!(t.effective, iso(date), "{text}");
    }
    // The first sentence has no date of its own; the next names the replaced document's.
    let t = term_clause(
        "本办法自印发之日起施行，有效期5年。2018年3月1日起施行的《滕州市某某管理办法》同时废止。",
    )
    .unwrap();
    assert_eq!((t.effective, t.years), (None, Some(5)));
    let t = term_clause("2018年3月1日起施行的《某某办法》同时废止，本办法从2023年1月1日起施行。")
        .unwrap();
    assert_eq!(t.effective, iso("2023-01-01"));
    // A date that is not followed by a taking-effect verb is no effective date.
    assert!(term_clause("本办法于2022年1月1日经市政府常务会议审议通过。").is_none());
    let t = term_clause("本通知自发文之日起施行。").unwrap();
    assert_eq!(t.effective, None);
}

fn badge_of(html: &str, heading: Option<&str>) -> Option<String> {
    let d = Html::parse_document(html);
    let root = d.tree.root();
    let body = root
        .descendants()
        .find(|n| dom::attr(*n, "class") == Some("TRS_Editor"));
    badge(root, heading, body)
}

#[test]
fn badges() {
    assert_eq!(
        badge_of(
            r#"<h1>滕州市城市管理办法<span class="yxx">现行有效</span></h1>"#,
            None
        ),
        Some("现行有效".to_string())
    );
    assert_eq!(
        badge_of("<p>x</p>", Some("【已废止】关于印发某某办法的通知")),
        Some("已废止".to_string())
    );
    assert_eq!(
        badge_of(r#"<div class="badge">【已失效】</div><p>正文</p>"#, None),
        Some("已失效".to_string())
    );
    // A list of documents with badges is not one mark; a nav item is chrome; prose is no badge.
    assert_eq!(
        badge_of(
            "<ul><li><a>甲</a><em>现行有效</em></li><li><a>乙</a><em>已废止</em></li>\
             <li><a>丙</a><em>已失效</em></li></ul>",
            None
        ),
        None
    );
    assert_eq!(
        badge_of(r#"<div class="nav"><span>已废止</span></div>"#, None),
        None
    );
    assert_eq!(badge_of("<p>本办法现行有效。</p>", None), None);
    // One related document with its badge, and a badge inside the body text: not this page's.
    assert_eq!(
        badge_of(
            r#"<div class="xgwj"><ul><li><a href="/1.html">旧办法</a><em>已废止</em></li></ul></div>"#,
            None
        ),
        None
    );
    assert_eq!(
        badge_of(
            r#"<div class="TRS_Editor"><p>原《某办法》<span>已废止</span>。</p></div>"#,
            None
        ),
        None
    );
}

#[test]
fn every_badge_mark_holds_a_character_the_precheck_looks_for() {
    for m in BADGE_MARKS {
        assert!(m.contains(['效', '止', '修']), "{m}");
    }
    let d = Html::parse_document(
        "<h1>关于印发办法的通知</h1><span class=\"mark\">【现行有效】</span><span>其他</span>",
    );
    assert_eq!(
        badge(d.tree.root(), Some("关于印发办法的通知"), None).as_deref(),
        Some("现行有效")
    );
}
