//! End-to-end: the spot-check indicator rules on planted pages served by the fixture server,
//! each planted case with a trap beside it (page → store → rules, hidden links included).

mod support;

use gongkai_fixture::{FixtureOptions, EXTERNAL_HOSTS};
use std::collections::BTreeSet;
use support::*;

fn doc(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}_滕州市人民政府</title></head>\
         <body><div class=\"wrap\"><h1 class=\"title\">{title}</h1><div class=\"content\">{body}</div></div></body></html>"
    )
}

fn meta_doc(title: &str, written: &str, published: &str) -> String {
    doc(
        title,
        &format!(
            "<table class=\"xxgk_table\"><tr><td class=\"bt\">索 引 号：</td><td class=\"nr\">11370481004331876H/2022-09001</td>\
             <td class=\"bt\">发布机构：</td><td class=\"nr\">滕州市人民政府办公室</td></tr>\
             <tr><td class=\"bt\">成文日期：</td><td class=\"nr\">{written}</td>\
             <td class=\"bt\">发布日期：</td><td class=\"nr\">{published}</td></tr></table><p>正文内容。</p>"
        ),
    )
}

fn message(title: &str, asked: &str, reply_time: Option<&str>, reply: &str) -> String {
    let rt = reply_time
        .map(|t| format!("<p>答复时间：{t}</p>"))
        .unwrap_or_default();
    doc(
        title,
        &format!(
            "<p>留言时间：{asked}</p><p>留言内容：{title}，请相关部门尽快处理。</p>\
             <p>答复单位：滕州市住房和城乡建设局</p>{rt}<p>答复内容：{reply}</p>"
        ),
    )
}

/// Plants the cases and returns the (rule, path) pairs found for the new rules.
fn scan_planted() -> BTreeSet<(String, String)> {
    let portal = Portal::start(FixtureOptions::default());
    let ext = EXTERNAL_HOSTS[0];
    let planted = [
        ("zbhd/1.html", message("小区供暖不达标", "2022-12-01", None, "正在办理中")),
        ("zbhd/2.html", message("路灯损坏", "2023-03-01", None, "已受理")),
        ("zbhd/3.html", message("噪音扰民", "2023-02-01", Some("2023-03-10"), "经现场核查，已责令整改。")),
        ("zbhd/4.html", message("井盖缺失", "2023-02-01", Some("2023-02-10"), "已于2月9日补装。")),
        ("zbxw/e1.html", doc("庆祝大会召开", "<p>热烈庆祝中华人民共合国成立周年。</p>")),
        ("zbxw/e2.html", doc("教育工作会议", "<p>中华人民共和国义务教育法规定，推进社会主义义务教育均衡发展，全体中国共产党党员带头。</p>")),
        ("zbgk/l1.html", meta_doc("关于做好秋季防火工作的通知", "2022年09月01日", "2022年10月20日")),
        ("zbgk/l2.html", meta_doc("关于做好冬季供暖工作的通知", "2022年09月20日", "2022年10月21日")),
    ];
    let mut home =
        String::from_utf8(gongkai_fixture::portal_file("index.html").unwrap().to_vec()).unwrap();
    let mut extra = String::from("<style>.yq-x{display:none}</style><div class=\"planted\">");
    for (path, text) in &planted {
        portal.server.set_file(path, Some(text));
        extra.push_str(&format!("<a href=\"/{path}\">{path}</a> "));
    }
    extra.push_str(&format!(
        "<div style=\"position:absolute;left:-9999px\"><a href=\"http://{ext}/bet/\">体育</a></div>\
         <div class=\"yq-x\"><a href=\"http://{ext}/casino/\">娱乐城</a></div>\
         <div style=\"display:none\"><a href=\"/zwgk/index.html\">政务公开（隐藏菜单）</a></div>\
         <a href=\"http://{ext}/\">山东省人民政府</a></div>"
    ));
    home = home.replacen("</body>", &format!("{extra}</body>"), 1);
    portal.server.set_file("index.html", Some(&home));

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(&portal, dir.path(), &db, &["--rate", "0"]);
    let out = run(&[
        "findings",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    let rules = [
        "interaction.unanswered",
        "interaction.slow-reply",
        "text.serious-error",
        "doc.late-publication",
        "link.dark",
    ];
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| rules.contains(&v["rule"].as_str().unwrap()))
        .map(|v| {
            let url = v["url"].as_str().unwrap();
            let path = url.splitn(4, '/').nth(3).unwrap_or("").to_string();
            let what = v["target"]
                .as_str()
                .map(|t| format!("{path} -> {t}"))
                .unwrap_or(path);
            (v["rule"].as_str().unwrap().to_string(), what)
        })
        .collect()
}

#[test]
fn planted_cases_fire_and_traps_stay_silent() {
    let ext = EXTERNAL_HOSTS[0];
    let got = scan_planted();
    let want: BTreeSet<(String, String)> = [
        ("interaction.unanswered", "zbhd/1.html".to_string()),
        ("interaction.slow-reply", "zbhd/3.html".to_string()),
        ("text.serious-error", "zbxw/e1.html".to_string()),
        ("doc.late-publication", "zbgk/l1.html".to_string()),
        ("link.dark", format!(" -> http://{ext}/bet/")),
        ("link.dark", format!(" -> http://{ext}/casino/")),
    ]
    .into_iter()
    .map(|(r, p)| (r.to_string(), p))
    .collect();
    assert_eq!(got, want);
}
