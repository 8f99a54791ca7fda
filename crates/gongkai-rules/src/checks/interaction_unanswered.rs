//! `interaction-unanswered`: a citizen's message (留言 / 来信) with no reply after `max_days`.
//! Also home of the message reader that `interaction-slow-reply` shares.
//!
//! How: a crawled page (not a column list) that prints a message-time label (留言时间 / 来信时间 /
//! 提问时间 …) with a date, and a message-content or reply label, is a message page; a page may
//! hold several messages (each message-time label starts one). Labels are read from the metadata
//! block (`metadata.raw`) and, when it has none, from "label：value" in the text. A message has a
//! reply only when it shows a reply date (答复时间 / 回复时间 …) and its reply content, if printed,
//! is not a "pending" phrase (正在办理中 / 办理中 / 待处理 / 已受理 …). A message with no reply whose
//! date is more than `max_days` (default 90) days before the as-of date fires.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::sitemodel::SiteModel;
use crate::text::{clip, fold};
use chrono::NaiveDate;
use gongkai_page::parse_date;
use gongkai_page::PageModel;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::borrow::Cow;

pub const SUMMARY: &str = "超过3个月未答复的网民留言";

/// The labels and phrases of message pages (shared by both interaction kinds).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageLabels {
    pub message_time: Vec<String>,
    pub message_content: Vec<String>,
    pub reply_time: Vec<String>,
    pub reply_content: Vec<String>,
    pub reply_unit: Vec<String>,
    /// Reply contents (or 状态 values) that mean "not answered yet".
    pub pending: Vec<String>,
}

fn v(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

impl Default for MessageLabels {
    fn default() -> Self {
        MessageLabels {
            message_time: v(&[
                "留言时间",
                "来信时间",
                "提问时间",
                "咨询时间",
                "写信时间",
                "留言日期",
                "来信日期",
                "提问日期",
                "投诉时间",
            ]),
            message_content: v(&[
                "留言内容",
                "来信内容",
                "咨询内容",
                "问题内容",
                "提问内容",
                "投诉内容",
            ]),
            reply_time: v(&[
                "答复时间",
                "回复时间",
                "答复日期",
                "回复日期",
                "办结时间",
                "处理时间",
            ]),
            reply_content: v(&[
                "答复内容",
                "回复内容",
                "答复意见",
                "回复意见",
                "办理结果",
                "处理结果",
            ]),
            reply_unit: v(&[
                "答复单位",
                "回复单位",
                "办理单位",
                "答复部门",
                "回复部门",
                "答复机构",
            ]),
            pending: v(&[
                "正在办理",
                "办理中",
                "待处理",
                "已受理",
                "处理中",
                "待回复",
                "待答复",
                "未回复",
                "未答复",
                "暂未答复",
                "正在处理",
                "转办中",
            ]),
        }
    }
}

impl MessageLabels {
    pub(crate) fn validate(&self, path: &str) -> Result<(), ParamError> {
        for (name, l) in [
            ("message_time", &self.message_time),
            ("reply_time", &self.reply_time),
        ] {
            if l.iter().all(|s| s.trim().is_empty()) {
                return Err(bad(&format!("{path}.{name}"), "at least one label"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    MsgTime,
    MsgContent,
    ReplyTime,
    ReplyContent,
    ReplyUnit,
}

/// One message as printed on a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Message {
    pub date: Option<NaiveDate>,
    pub date_text: String,
    pub has_content: bool,
    pub reply_date: Option<NaiveDate>,
    pub reply_text: Option<String>,
    pub reply_unit: Option<String>,
    pub pending: Option<String>,
}

impl Message {
    /// A dated reply that is not a pending phrase.
    pub fn replied(&self) -> bool {
        self.reply_date.is_some() && self.pending.is_none()
    }
}

/// The slot a metadata label fills (folded, without whitespace; the first list naming it).
fn slot_of(label: &str, l: &MessageLabels) -> Option<Slot> {
    let lists = [
        (Slot::MsgTime, &l.message_time),
        (Slot::MsgContent, &l.message_content),
        (Slot::ReplyTime, &l.reply_time),
        (Slot::ReplyContent, &l.reply_content),
        (Slot::ReplyUnit, &l.reply_unit),
    ];
    // Every metadata label of every page comes here, and most (索引号, 发布机构 ...) start with
    // a character no message label starts with: those are turned away before the label is
    // folded into a new string.
    let first = label
        .chars()
        .map(crate::text::fold_char)
        .find(|c| !c.is_whitespace())?;
    if !lists
        .iter()
        .any(|(_, ls)| ls.iter().any(|x| x.starts_with(first)))
    {
        return None;
    }
    let lab: String = fold(label).chars().filter(|c| !c.is_whitespace()).collect();
    lists
        .into_iter()
        .find(|(_, ls)| ls.iter().any(|x| !x.is_empty() && lab == *x))
        .map(|(s, _)| s)
}

/// The messages of crawled page `i`: [`messages`], except that a page that cannot hold one
/// (no message-time label in its metadata block, none in its text) is passed over without
/// reading its text again (the site model answers "which texts name a message time" once for
/// every check that asks).
pub(crate) fn messages_of(sm: &SiteModel<'_>, i: usize, l: &MessageLabels) -> Vec<Message> {
    let m = sm.model(i);
    if m.column.is_some() {
        return Vec::new();
    }
    let time_in_block = m
        .metadata
        .raw
        .iter()
        .any(|(lab, _)| slot_of(lab, l) == Some(Slot::MsgTime));
    if !time_in_block
        && sm
            .pages_with_text(&l.message_time)
            .binary_search(&i)
            .is_err()
    {
        return Vec::new();
    }
    messages(m, || sm.text(i), l)
}

/// The (slot, value) pairs of a page, in order: the metadata block when it prints a message
/// time, else "label：value" of the text (value up to the next known label, ≤ 300 chars).
fn pairs<'t>(
    m: &PageModel,
    text: impl FnOnce() -> Cow<'t, str>,
    l: &MessageLabels,
) -> Vec<(Slot, String)> {
    let slots: Vec<(Slot, &Vec<String>)> = vec![
        (Slot::MsgTime, &l.message_time),
        (Slot::MsgContent, &l.message_content),
        (Slot::ReplyTime, &l.reply_time),
        (Slot::ReplyContent, &l.reply_content),
        (Slot::ReplyUnit, &l.reply_unit),
    ];
    let raw: Vec<(Slot, String)> = m
        .metadata
        .raw
        .iter()
        .filter_map(|(lab, val)| slot_of(lab, l).map(|s| (s, val.trim().to_string())))
        .collect();
    if raw.iter().any(|(s, _)| *s == Slot::MsgTime) {
        return raw;
    }
    let text = fold(&text());
    // Every label occurrence followed by a colon: (start, value start, slot).
    let mut hits: Vec<(usize, usize, Slot)> = Vec::new();
    for (slot, ls) in &slots {
        for lab in ls.iter().filter(|x| !x.is_empty()) {
            for (pos, _) in text.match_indices(lab.as_str()) {
                let after = &text[pos + lab.len()..];
                let trimmed = after.trim_start();
                if let Some(rest) = trimmed
                    .strip_prefix(':')
                    .or_else(|| trimmed.strip_prefix('：'))
                {
                    hits.push((pos, text.len() - rest.len(), *slot));
                }
            }
        }
    }
    hits.sort();
    hits.dedup_by_key(|h| h.0);
    let mut out = Vec::new();
    for (k, &(_, vstart, slot)) in hits.iter().enumerate() {
        let end = hits
            .get(k + 1)
            .map(|h| h.0)
            .unwrap_or(text.len())
            .max(vstart);
        let val: String = text[vstart..end].trim().chars().take(300).collect();
        out.push((slot, val));
    }
    out
}

/// The messages of a page: each message-time label starts one. Empty when the page is not a
/// message page (no dated message time, or neither message content nor any reply label).
/// `text` gives the page's text (read only when the metadata block prints no message time).
pub(crate) fn messages<'t>(
    m: &PageModel,
    text: impl FnOnce() -> Cow<'t, str>,
    l: &MessageLabels,
) -> Vec<Message> {
    if m.column.is_some() {
        return Vec::new();
    }
    let mut out: Vec<Message> = Vec::new();
    let mut seen_other = false;
    for (slot, val) in pairs(m, text, l) {
        if slot == Slot::MsgTime {
            out.push(Message {
                date: parse_date(&val),
                date_text: clip(&val, 40),
                ..Default::default()
            });
            continue;
        }
        seen_other = true;
        let Some(cur) = out.last_mut() else {
            continue;
        };
        match slot {
            Slot::MsgContent => cur.has_content = true,
            Slot::ReplyTime => cur.reply_date = cur.reply_date.or_else(|| parse_date(&val)),
            Slot::ReplyContent => {
                if let Some(p) = l
                    .pending
                    .iter()
                    .find(|p| !p.is_empty() && val.contains(p.as_str()))
                {
                    // A long substantive reply that mentions 已受理 in passing is still a reply.
                    if val.chars().count() <= 40 {
                        cur.pending = Some(p.clone());
                    }
                }
                cur.reply_text = Some(clip(&val, 80));
            }
            Slot::ReplyUnit => cur.reply_unit = Some(clip(&val, 40)),
            Slot::MsgTime => {}
        }
    }
    if !seen_other {
        return Vec::new();
    }
    out.retain(|x| x.date.is_some());
    out
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Days after the message without a reply before it fires.
    pub max_days: i64,
    pub labels: MessageLabels,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_days: 90,
            labels: MessageLabels::default(),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(1..=3650).contains(&self.max_days) {
            return Err(bad("max_days", "must be between 1 and 3650"));
        }
        self.labels.validate("labels")
    }
}

pub struct InteractionUnanswered {
    p: Params,
}
crate::check_glue!(InteractionUnanswered);

impl Check for InteractionUnanswered {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let as_of = cx.as_of();
        for &i in &sm.crawled {
            if sm.is_home(i) {
                continue;
            }
            for msg in messages_of(sm, i, &self.p.labels) {
                let Some(date) = msg.date else { continue };
                let age = (as_of - date).num_days();
                if msg.replied() || age <= self.p.max_days {
                    continue;
                }
                let why = match (&msg.pending, msg.reply_date) {
                    (Some(p), _) => format!("答复内容为“{p}”"),
                    (None, None) => "页面没有答复时间".to_string(),
                    (None, Some(_)) => String::new(),
                };
                let title = sm.title(i);
                let msg_zh = format!(
                    "网民留言《{}》（留言时间{}）已{}天未答复（{}），超过{}天",
                    clip(&title, 40),
                    date,
                    age,
                    why,
                    self.p.max_days
                );
                let ev = json!({
                    "title": title,
                    "message_date": date.to_string(),
                    "days": age,
                    "reply_text": msg.reply_text,
                    "pending": msg.pending,
                    "reply_unit": msg.reply_unit,
                    "limit_days": self.p.max_days,
                });
                let p = sm.page(i);
                let dept = cx.dept_page(i);
                cx.emit(
                    Emit::new(&p.url, dept, msg_zh, ev)
                        .fetch(p.fetch_id)
                        .subject(vec![p.url.to_string(), date.to_string()]),
                );
            }
        }
    }
}

#[cfg(test)]
#[path = "interaction_tests.rs"]
mod tests;
