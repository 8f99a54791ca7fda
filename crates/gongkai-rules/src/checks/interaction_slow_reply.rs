//! `interaction-slow-reply`: a message answered more than N working days after it was written.
//!
//! How: every message of a message page (read as `interaction-unanswered` reads them) with a
//! dated, non-pending reply where the working days in (留言日期, 答复日期] on the official calendar
//! exceed `max_working_days` (default 15; offices set their own promise).
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::interaction_unanswered::{messages_of, MessageLabels};
use crate::check::{bad, Check, Emit, ParamError, RuleCx};

use crate::calendar;

use crate::text::clip;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "答复超过规定工作日的网民留言";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub max_working_days: u32,
    pub labels: MessageLabels,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_working_days: 15,
            labels: MessageLabels::default(),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(1..=365).contains(&self.max_working_days) {
            return Err(bad("max_working_days", "must be between 1 and 365"));
        }
        self.labels.validate("labels")
    }
}

pub struct InteractionSlowReply {
    p: Params,
}
crate::check_glue!(InteractionSlowReply);

impl Check for InteractionSlowReply {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.crawled {
            if sm.is_home(i) {
                continue;
            }
            for msg in messages_of(sm, i, &self.p.labels) {
                let (Some(date), Some(reply)) = (msg.date, msg.reply_date) else {
                    continue;
                };
                if !msg.replied() || reply <= date {
                    continue;
                }
                let wd = calendar::working_days_between(date, reply);
                if wd.days <= i64::from(self.p.max_working_days) {
                    continue;
                }
                let title = sm.title(i);
                let text = format!(
                    "网民留言《{}》留言时间{}，答复时间{}，用时{}个工作日{}，超过{}个工作日",
                    clip(&title, 40),
                    date,
                    reply,
                    wd.days,
                    if wd.estimated {
                        "（按估算日历）"
                    } else {
                        ""
                    },
                    self.p.max_working_days
                );
                let ev = json!({
                    "title": title,
                    "message_date": date.to_string(),
                    "reply_date": reply.to_string(),
                    "working_days": wd.days,
                    "estimated": wd.estimated,
                    "reply_unit": msg.reply_unit,
                    "limit": self.p.max_working_days,
                });
                let p = sm.page(i);
                let dept = cx.dept_page(i);
                cx.emit(
                    Emit::new(&p.url, dept, text, ev)
                        .fetch(p.fetch_id)
                        .subject(vec![p.url.to_string(), date.to_string()]),
                );
            }
        }
    }
}
