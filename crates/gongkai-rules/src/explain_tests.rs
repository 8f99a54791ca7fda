//! Tests of the per-page explanations behind `gongkai inspect`.

use super::*;
use crate::checks::testkit::*;
use crate::default_pack;
use gongkai_core::FetchOutcome;
use gongkai_page::{Field, LinkKind};

fn site_with_doc() -> Site {
    let doc = with_fields(
        article(
            "滕州市城市管理办法",
            "第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。",
        ),
        &[
            (Field::DocType, "规范性文件"),
            (Field::DocNumber, "滕政办发〔2022〕11号"),
            (Field::PublishDate, "2022-06-01"),
        ],
    );
    let mut s = site(vec![
        page(ROOT, home("首页")),
        page(&u("gfxwj/t1.html"), doc),
        page(&u("dt/t2.html"), article("工作动态", "正文")),
        target(&u("dead.pdf"), FetchOutcome::NotFound, Some(404)),
    ]);
    s.links.push(link(
        &u("gfxwj/t1.html"),
        &u("dead.pdf"),
        LinkKind::Attachment,
        "附件",
    ));
    s
}

fn verdict<'a>(e: &'a PageExplanation, rule: &str) -> &'a RuleVerdict {
    e.rules.iter().find(|r| r.rule == rule).expect(rule)
}

#[test]
fn a_normative_document_is_judged_and_its_findings_listed() {
    let s = site_with_doc();
    let e = explain_page(&default_pack(), &s, &ctx(2022, 8, 1), &u("gfxwj/t1.html")).unwrap();
    assert!(e.evaluated && e.normative && !e.interpretation);
    assert_eq!(
        e.reference_date,
        Some(("2022-06-01".into(), "发布日期".into()))
    );
    let v = verdict(&e, "doc.validity-missing");
    assert!(matches!(v.applies, Applies::Judged(_)), "{v:?}");
    assert_eq!(v.findings.len(), 1);
    let b = verdict(&e, "link.broken");
    assert!(
        matches!(&b.applies, Applies::Judged(r) if r.contains("1个链接")),
        "{b:?}"
    );
    assert_eq!(b.findings.len(), 1);
    // A mark-less page is not judged for expiry, and says why.
    let x = verdict(&e, "doc.validity-expired");
    assert!(
        matches!(&x.applies, Applies::NotJudged(r) if r.contains("没有有效性标注")),
        "{x:?}"
    );
    // Site-level rules say they are.
    let c = verdict(&e, "column.missing");
    assert!(
        matches!(&c.applies, Applies::NotJudged(r) if r.contains("全站")),
        "{c:?}"
    );
    // Every rule of the pack answers.
    assert_eq!(e.rules.len(), default_pack().rules().len());
}

#[test]
fn other_pages_say_why_not() {
    let s = site_with_doc();
    let pack = default_pack();
    let e = explain_page(&pack, &s, &ctx(2022, 8, 1), &u("dt/t2.html")).unwrap();
    assert!(!e.normative);
    let v = verdict(&e, "doc.validity-missing");
    assert!(
        matches!(&v.applies, Applies::NotJudged(r) if r.contains("规范性文件")),
        "{v:?}"
    );
    assert!(v.findings.is_empty());
    // A checked link target was never analysed as a page.
    let e = explain_page(&pack, &s, &ctx(2022, 8, 1), &u("dead.pdf")).unwrap();
    assert!(!e.evaluated);
    assert!(e
        .rules
        .iter()
        .all(|r| matches!(&r.applies, Applies::NotJudged(x) if x.contains("链接目标"))));
    assert!(explain_page(&pack, &s, &ctx(2022, 8, 1), &u("nowhere.html")).is_none());
}

#[test]
fn documents_before_since_and_in_grace_say_so() {
    let s = site_with_doc();
    let pack = default_pack();
    let e = explain_page(&pack, &s, &ctx(2022, 6, 3), &u("gfxwj/t1.html")).unwrap();
    let v = verdict(&e, "doc.interpretation-missing");
    assert!(
        matches!(&v.applies, Applies::NotJudged(r) if r.contains("不足7天")),
        "{v:?}"
    );
    let mut s2 = s.clone();
    s2.pages[1]
        .model
        .as_mut()
        .unwrap()
        .metadata
        .fields
        .insert(Field::PublishDate, "2021-03-01".into());
    let e = explain_page(&pack, &s2, &ctx(2022, 8, 1), &u("gfxwj/t1.html")).unwrap();
    let v = verdict(&e, "doc.interpretation-missing");
    assert!(
        matches!(&v.applies, Applies::NotJudged(r) if r.contains("早于")),
        "{v:?}"
    );
}
