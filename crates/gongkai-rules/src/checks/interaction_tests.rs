//! Tests of `interaction.unanswered` and `interaction.slow-reply`.

use super::{messages, MessageLabels};
use crate::checks::testkit::*;
use gongkai_page::PageModel;

fn msg_page(text: &str) -> PageModel {
    article("关于小区供暖问题的咨询", text)
}

fn one(text: &str) -> crate::Site {
    site(vec![
        page(ROOT, home("")),
        page(&u("hd/xx/1.html"), msg_page(text)),
    ])
}

fn raw_page(pairs: &[(&str, &str)]) -> crate::Site {
    let mut m = msg_page("");
    for (l, v) in pairs {
        m.metadata
            .raw
            .push((l.to_string().into(), v.to_string().into()));
    }
    site(vec![page(ROOT, home("")), page(&u("hd/xx/2.html"), m)])
}

const PENDING: &str =
    "留言标题：关于小区供暖问题 留言时间：2022-03-01 10:12 留言内容：我小区至今未供暖。 \
                       答复单位：市住建局 答复内容：正在办理中";

#[test]
fn unanswered_after_90_days_with_pending_or_missing_reply() {
    let f = run("interaction.unanswered", &one(PENDING), &ctx(2022, 7, 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].evidence["pending"], "正在办理");
    assert_eq!(f[0].evidence["days"], 122);
    // No 答复时间 at all, labels in the metadata block.
    let s = raw_page(&[
        ("来信时间", "2022年2月10日"),
        ("来信内容", "路灯不亮"),
        ("回复内容", "已受理"),
    ]);
    assert_eq!(run("interaction.unanswered", &s, &ctx(2022, 7, 1)).len(), 1);
}

#[test]
fn traps_recent_or_answered_messages() {
    // 61 days old: not yet.
    let recent = PENDING.replace("2022-03-01", "2022-05-01");
    assert!(run("interaction.unanswered", &one(&recent), &ctx(2022, 7, 1)).is_empty());
    // Answered with a date.
    let answered =
        "留言时间：2022-03-01 留言内容：路灯不亮。 答复单位：市城管局 答复时间：2022-03-10 \
                    答复内容：经核查，已于3月9日修复。";
    assert!(run("interaction.unanswered", &one(answered), &ctx(2022, 7, 1)).is_empty());
    // A long reply that mentions 已受理 in passing is a reply.
    let long = "留言时间：2022-03-01 留言内容：路灯不亮。 回复时间：2022-03-10 回复内容：您好，您反映的问题我局已受理，\
                经现场核查，路灯线路老化，已安排施工队于3月9日更换完毕，感谢您对城市管理工作的关心和支持。";
    assert!(run("interaction.unanswered", &one(long), &ctx(2022, 7, 1)).is_empty());
    // A news article that merely mentions a date is no message page.
    let news = "3月1日，市长信箱共收到留言120件，办理中的留言将于近期答复。";
    assert!(run("interaction.unanswered", &one(news), &ctx(2022, 7, 1)).is_empty());
}

#[test]
fn several_messages_on_one_page() {
    let text = "留言时间：2022-01-05 留言内容：甲 答复内容：待处理 \
                留言时间：2022-01-06 留言内容：乙 答复时间：2022-01-10 答复内容：已解决 \
                留言时间：2022-06-20 留言内容：丙 答复内容：办理中";
    let page = msg_page(text);
    let ms = messages(
        &page,
        || page.text.as_str().into(),
        &MessageLabels::default(),
    );
    assert_eq!(ms.len(), 3);
    assert!(!ms[0].replied() && ms[1].replied() && !ms[2].replied());
    let f = run("interaction.unanswered", &one(text), &ctx(2022, 7, 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].evidence["message_date"], "2022-01-05");
}

#[test]
fn slow_reply_counts_working_days_across_guoqing() {
    let t = |reply: &str| {
        format!("留言时间：2022-09-20 留言内容：噪音扰民 答复单位：市生态环境局 答复时间：{reply} 答复内容：已处理。")
    };
    // (09-20, 10-14]: 9-21..9-30 (8), 10-8, 10-9 (worked weekend), 10-10..10-14 (5) = 15.
    assert!(run(
        "interaction.slow-reply",
        &one(&t("2022-10-14")),
        &ctx(2023, 1, 1)
    )
    .is_empty());
    assert_eq!(
        run(
            "interaction.slow-reply",
            &one(&t("2022-10-17")),
            &ctx(2023, 1, 1)
        )
        .len(),
        1
    );
    let f = run(
        "interaction.slow-reply",
        &one(&t("2022-10-20")),
        &ctx(2023, 1, 1),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].evidence["working_days"], 19);
    // A pending "reply" is not a slow reply (it is unanswered).
    let pend = "留言时间：2022-09-20 留言内容：噪音 答复时间：2022-12-01 答复内容：办理中";
    assert!(run("interaction.slow-reply", &one(pend), &ctx(2023, 1, 1)).is_empty());
}
