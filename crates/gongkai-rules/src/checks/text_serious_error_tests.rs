//! Tests of `text.serious-error`.

use super::{variants, How, Term};
use crate::checks::testkit::*;

fn one(text: &str) -> crate::Site {
    site(vec![
        page(ROOT, home("")),
        page(&u("xw/1.html"), article("我市召开专题会议", text)),
    ])
}

fn hits(text: &str) -> Vec<String> {
    run("text.serious-error", &one(text), &ctx(2022, 7, 1))
        .into_iter()
        .map(|f| f.evidence["found"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn replaced_doubled_dropped() {
    assert_eq!(hits("庆祝中华人民共合国成立73周年"), vec!["中华人民共合国"]);
    assert_eq!(
        hits("坚持中国特色社会注义道路不动摇"),
        vec!["中国特色社会注义"]
    );
    assert_eq!(hits("建设社会注义现代化国家"), vec!["社会注义"]);
    assert_eq!(hits("齐齐哈市某单位来我市考察"), vec!["齐齐哈市"]);
    assert_eq!(hits("滕州市人民攻府办公室"), vec!["人民攻府"]);
    assert_eq!(hits("中华人民共和和国成立以来"), vec!["中华人民共和和国"]);
    let f = run(
        "text.serious-error",
        &one("坚持中国特色社会注义道路不动摇"),
        &ctx(2022, 7, 1),
    );
    assert!(f[0].evidence["context"]
        .as_str()
        .unwrap()
        .contains("坚持中国特色社会注义道路"));
    assert_eq!(f[0].evidence["term"], "中国特色社会主义");
}

#[test]
fn traps_correct_terms_and_ordinary_words() {
    for t in [
        "中华人民共和国成立73周年，坚持中国特色社会主义道路。",
        "全体中国共产党党员要履行社会义务，推进社会主义义务教育均衡发展。",
        "山西省和陕西省代表团来访。",
        "济南是山东省省会，齐齐哈尔市位于黑龙江省。",
        "市民政府服务热线，人民政府信息公开。",
        "和合文化研讨会在滕州举行。",
    ] {
        assert!(hits(t).is_empty(), "{t}: {:?}", hits(t));
    }
}

#[test]
fn allow_list_and_local_terms_from_site_config() {
    let rule = r#"
[[rule]]
id = "text.serious-error"
title = "严重表述错误"
severity = "error"
ledger = [50]
clause = "c"
department = "市政府办公室"
check = "text-serious-error"
doc = "d"
[rule.params]
terms = ["社会主义"]
local_terms = ["滕州市人民政府"]
confusions = ["主注", "州洲"]
allow = ["社会注义研究会"]
"#;
    let pack = crate::pack_from_files(vec![("t.toml".into(), rule.into())]).unwrap();
    let run_text = |t: &str| {
        crate::evaluate(&pack, &one(t), &ctx(2022, 7, 1))
            .into_iter()
            .map(|f| f.evidence["found"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(run_text("滕洲市人民政府办公室"), vec!["滕洲市人民政府"]);
    assert!(run_text("本市社会注义研究会成立").is_empty());
    assert_eq!(run_text("坚持社会注义"), vec!["社会注义"]);
    let terms = vec![Term {
        text: "社会主义".to_string(),
        local: false,
    }];
    let vs = variants(&terms, &["主注".to_string()], &["社会注义".into()]);
    assert!(!vs.iter().any(|v| v.text == "社会注义"));
    let vs = variants(&terms, &["主注".to_string()], &[]);
    assert!(vs
        .iter()
        .any(|v| v.text == "社会注义" && v.how == How::Replaced { at: 2, by: '注' }));
}

#[test]
fn short_terms_are_refused() {
    let mut t = toml::Table::new();
    t.insert("terms".into(), toml::Value::Array(vec!["山东".into()]));
    assert!(crate::checks::build("text-serious-error", t).is_err());
}

#[test]
fn abbreviations_followed_by_ordinary_words_and_other_legit_text() {
    for t in [
        "市监察委会同市财政局开展专项检查。",
        "国家监察委会同最高人民检察院联合发布典型案例。",
        "省纪委监委会同有关部门督办。",
        "县人大常委会同意任命。",
        "市人民代表大会常务委员会。",
        "中国共产党滕州市委员会。",
        "改革开放四十多年来，实事求是。",
    ] {
        assert!(hits(t).is_empty(), "{t}: {:?}", hits(t));
    }
    // Without an ordinary word after it, the dropped 员 is an error.
    assert_eq!(hits("市监察委会主任到会讲话"), vec!["监察委会"]);
}

/// The default pack's hits on `text` with the site config's `[text]` section in the context.
fn site_hits(text: &str, terms: &[&str], confusions: &[&str], allow: &[&str]) -> Vec<String> {
    let mut cx = ctx(2022, 7, 1);
    cx.text = crate::SiteTerms {
        protected_terms: terms.iter().map(|t| t.to_string()).collect(),
        confusions: confusions.iter().map(|t| t.to_string()).collect(),
        allow: allow.iter().map(|a| crate::AllowEntry::parse(a)).collect(),
    };
    run("text.serious-error", &one(text), &cx)
        .into_iter()
        .map(|f| f.evidence["found"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn site_config_terms_are_protected_even_around_national_terms() {
    let local = ["青岚县人民政府", "县长刘建华", "青岚县行政审批局"];
    // Without the site's terms nothing is known about them.
    assert!(site_hits("清岚县人民政府召开常务会议", &[], &[], &[]).is_empty());
    // The change (青→清) is outside the protected 人民政府 it contains: a misspelt local name.
    assert_eq!(
        site_hits("清岚县人民政府召开常务会议", &local, &[], &[]),
        vec!["清岚县人民政府"]
    );
    assert_eq!(
        site_hits("县长刘健华出席会议并讲话", &local, &[], &[]),
        vec!["县长刘健华"]
    );
    // 局/居 is in no shipped group: the site adds it.
    assert!(site_hits("到青岚县行政审批居办理", &local, &[], &[]).is_empty());
    assert_eq!(
        site_hits("到青岚县行政审批居办理", &local, &["局居"], &[]),
        vec!["青岚县行政审批居"]
    );
    // Correct local terms and national terms are silent; national misspellings still fire.
    assert!(site_hits("青岚县人民政府县长刘建华", &local, &[], &[]).is_empty());
    assert_eq!(
        site_hits("青岚县人民攻府", &local, &[], &[]),
        vec!["青岚县人民攻府"]
    );
    // Shorter than 3 characters: ignored (the config loader refuses them).
    assert!(site_hits("刘健", &["刘建"], &[], &[]).is_empty());
}

#[test]
fn site_allow_list_everywhere_or_under_a_url_prefix() {
    let local = ["青岚县人民政府"];
    let text = "清岚县人民政府召开常务会议";
    assert!(site_hits(text, &local, &[], &["清岚县人民政府"]).is_empty());
    // Text around the hit silences it too.
    assert!(site_hits(text, &local, &[], &["常务会议"]).is_empty());
    assert!(site_hits(
        text,
        &local,
        &[],
        &["清岚县人民政府@http://www.tengzhou.gov.cn/xw/"]
    )
    .is_empty());
    assert_eq!(
        site_hits(
            text,
            &local,
            &[],
            &["清岚县人民政府@http://www.tengzhou.gov.cn/zwgk/"]
        ),
        vec!["清岚县人民政府"]
    );
    // National terms are silenced by the site's allow list as well.
    assert!(site_hits("本市社会注义研究会成立", &[], &[], &["社会注义研究会"]).is_empty());
}

#[test]
fn allow_entries_parse_with_and_without_a_url_prefix() {
    use crate::AllowEntry;
    let a = AllowEntry::parse(" 社会注义@https://www.x.gov.cn/a/ ");
    assert_eq!(a.text, "社会注义");
    assert_eq!(a.url_prefix.as_deref(), Some("https://www.x.gov.cn/a/"));
    assert!(a.applies_to("https://www.x.gov.cn/a/1.html"));
    assert!(!a.applies_to("https://www.x.gov.cn/b/1.html"));
    let b = AllowEntry::parse("邮箱qlx@qinglan.gov.cn");
    assert_eq!(b.text, "邮箱qlx@qinglan.gov.cn");
    assert_eq!(b.url_prefix, None);
    assert!(b.applies_to("http://any/"));
    assert!(!AllowEntry::parse("").applies_to("http://any/"));
}
