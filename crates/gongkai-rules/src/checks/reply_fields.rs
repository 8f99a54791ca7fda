//! `reply-fields`: a published 留言 reply that does not show 留言时间 / 答复时间 / 答复单位.
//!
//! How: a crawled page is a message reply when it carries (as a metadata label, or as a label
//! followed by a colon in the text) one of `question_labels` (留言内容, 来信内容, 咨询内容 ...) and
//! one of `answer_labels` (答复内容, 回复内容, 办理结果 ...). Each `required` group must then be
//! present as a label the same way (synonyms per group). Column list pages are not judged, nor
//! pages whose every message still awaits its reply (a pending 答复内容 such as 正在办理中 and no
//! reply date: `interaction-unanswered` judges those).
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::checks::interaction_unanswered::{messages, MessageLabels};
use crate::explain::Applies;
use crate::text::compact;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "留言答复页面缺少留言时间、答复时间或答复单位";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub question_labels: Vec<String>,
    pub answer_labels: Vec<String>,
    pub required: Vec<Group>,
}

impl Default for Params {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let g = |n: &str, a: &[&str]| Group {
            name: n.into(),
            labels: v(a),
        };
        Params {
            question_labels: v(&[
                "留言内容",
                "来信内容",
                "咨询内容",
                "问题内容",
                "留言标题",
                "来信标题",
                "咨询问题",
            ]),
            answer_labels: v(&[
                "答复内容",
                "回复内容",
                "答复意见",
                "回复意见",
                "办理结果",
                "处理结果",
                "答复",
            ]),
            required: vec![
                g(
                    "留言时间",
                    &[
                        "留言时间",
                        "来信时间",
                        "提问时间",
                        "咨询时间",
                        "留言日期",
                        "来信日期",
                        "提交时间",
                    ],
                ),
                g(
                    "答复时间",
                    &[
                        "答复时间",
                        "回复时间",
                        "办理时间",
                        "处理时间",
                        "答复日期",
                        "回复日期",
                    ],
                ),
                g(
                    "答复单位",
                    &[
                        "答复单位",
                        "回复单位",
                        "办理单位",
                        "答复部门",
                        "回复部门",
                        "处理单位",
                        "办理部门",
                        "答复机构",
                        "回复机构",
                    ],
                ),
            ],
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.question_labels.is_empty() || self.answer_labels.is_empty() {
            return Err(bad(
                "question_labels",
                "question and answer labels must not be empty",
            ));
        }
        for (i, g) in self.required.iter().enumerate() {
            if g.labels.is_empty() {
                return Err(bad(&format!("required.{i}.labels"), "at least one label"));
            }
        }
        Ok(())
    }
}

pub struct ReplyFields {
    p: Params,
}
crate::check_glue!(ReplyFields);

/// Labels of a page: its metadata labels and every "label：" of its text.
fn has_label(raw_labels: &[String], text: &str, label: &str) -> bool {
    let l = compact(label);
    if raw_labels.iter().any(|r| r.contains(l.as_str())) {
        return true;
    }
    let mut from = 0;
    while let Some(pos) = text[from..].find(l.as_str()) {
        let end = from + pos + l.len();
        if text[end..].starts_with(':') || text[end..].starts_with('：') {
            return true;
        }
        from = end;
    }
    false
}

/// True when every message of the page still awaits its reply (答复内容 正在办理中 / 已受理, no
/// reply date): there is no reply yet whose fields could be missing.
fn awaiting(m: &gongkai_page::PageModel, text: &str) -> bool {
    let msgs = messages(m, || text.into(), &MessageLabels::default());
    !msgs.is_empty()
        && msgs
            .iter()
            .all(|x| x.pending.is_some() && x.reply_date.is_none())
}

impl Check for ReplyFields {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        let m = sm.model(i);
        if m.column.is_some() || sm.is_home(i) {
            return Some(Applies::NotJudged("不是文章页".into()));
        }
        let raw: Vec<String> = m.metadata.raw.iter().map(|(l, _)| compact(l)).collect();
        let page_text = sm.text(i);
        let text = compact(&page_text);
        let any = |ls: &[String]| ls.iter().any(|l| has_label(&raw, &text, l));
        if !any(&self.p.question_labels) || !any(&self.p.answer_labels) {
            return Some(Applies::NotJudged(
                "不是留言答复页面（没有留言和答复两部分）".into(),
            ));
        }
        if awaiting(m, &page_text) {
            return Some(Applies::NotJudged(
                "留言尚未答复（正在办理中等），由 interaction.unanswered 判断".into(),
            ));
        }
        Some(Applies::Judged("留言答复：检查必须公开的项目".into()))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.crawled {
            let m = sm.model(i);
            if m.column.is_some() || sm.is_home(i) {
                continue;
            }
            let raw: Vec<String> = m.metadata.raw.iter().map(|(l, _)| compact(l)).collect();
            let page_text = sm.text(i);
            let text = compact(&page_text);
            let any = |ls: &[String]| ls.iter().any(|l| has_label(&raw, &text, l));
            if !any(&self.p.question_labels)
                || !any(&self.p.answer_labels)
                || awaiting(m, &page_text)
            {
                continue;
            }
            let missing: Vec<String> = self
                .p
                .required
                .iter()
                .filter(|g| !any(&g.labels))
                .map(|g| g.name.clone())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let p = sm.page(i);
            let msg = format!(
                "留言答复《{}》未公开{}",
                crate::text::clip(&sm.title(i), 50),
                missing.join("、")
            );
            let ev = json!({"title": sm.title(i), "missing": missing});
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    fn s(text: &str) -> crate::Site {
        site(vec![
            page(ROOT, home("")),
            page(&u("hd/t1.html"), article("关于小区供暖的咨询", text)),
        ])
    }

    #[test]
    fn reply_missing_fields() {
        let f = run(
            "interaction.reply-fields",
            &s("留言标题：供暖 留言内容：何时供暖？ 回复内容：11月15日。 回复时间：2022-06-02"),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence["missing"],
            serde_json::json!(["留言时间", "答复单位"])
        );
        let full = "留言时间：2022-06-01 留言内容：何时供暖？ 答复单位：市住建局 答复时间：2022-06-02 答复内容：11月15日。";
        assert!(run("interaction.reply-fields", &s(full), &ctx(2022, 7, 1)).is_empty());
        // Not a reply page.
        assert!(run(
            "interaction.reply-fields",
            &s("关于做好答复工作的通知"),
            &ctx(2022, 7, 1)
        )
        .is_empty());
    }

    #[test]
    fn a_message_still_awaiting_its_reply_has_no_reply_fields_to_miss() {
        let pending = "留言时间：2025-01-15 留言内容：课后服务收费多少？ 答复单位：县教体局 答复内容：您的留言已受理，正在办理中。";
        assert!(run("interaction.reply-fields", &s(pending), &ctx(2025, 5, 20)).is_empty());
        // A real reply without its 答复时间 still fires.
        let replied = "留言时间：2025-03-30 留言内容：转学要什么材料？ 答复单位：县教体局 答复内容：请携带户口簿到学校办理。";
        let f = run("interaction.reply-fields", &s(replied), &ctx(2025, 5, 20));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["missing"], serde_json::json!(["答复时间"]));
    }
}
