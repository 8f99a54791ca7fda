//! `attachment-unreadable`: an attachment of the portal's own origins whose text could not be
//! read, so personal data and classification marks in it went unchecked.
//!
//! How: every attachment read in full (`Site::attachments`) that came back unreadable — too
//! large to download (over the crawl's attachment cap), encrypted, a pdf without a text layer
//! (a scan), corrupt, over the safety bounds (zip bombs), an unsupported format — one finding
//! each, with the reason, the format and the pages that link it; the department is the
//! linking page's. Nothing passes silently.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "附件无法读取（过大、加密、扫描件、损坏等），其内容未经检查";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Reason codes not reported (e.g. `["no-text"]` where scans are checked by hand anyway).
    pub ignore: Vec<String>,
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

pub struct AttachmentUnreadable {
    p: Params,
}
crate::check_glue!(AttachmentUnreadable);

impl Check for AttachmentUnreadable {
    fn run(&self, cx: &mut RuleCx<'_>) {
        for a in &cx.site.site.attachments {
            let Some(reason) = a.unreadable.as_deref() else {
                continue;
            };
            if self.p.ignore.iter().any(|r| r == reason) {
                continue;
            }
            let (linked_from, dept) = crate::attach::linking(cx, a, 10);
            let label = crate::attach::reason_label(reason);
            let msg =
                format!("附件未能读取（{label}），其中的个人信息和密级标志未经检查，请人工核查");
            let ev = json!({"reason": reason, "format": a.format, "linked_from": linked_from});
            cx.emit(
                Emit::new(&a.url, dept, msg, ev)
                    .subject(vec![a.url.clone()])
                    .fetch(a.fetch_id),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    #[test]
    fn each_unreadable_attachment_is_reported_with_its_reason() {
        let mut s = site(vec![page(ROOT, home(""))]);
        for (name, reason) in [
            ("a.pdf", Some("no-text")),
            ("b.xlsx", None),
            ("c.doc", Some("too-large")),
        ] {
            s.attachments.push(crate::SiteAttachment {
                url: u(name),
                unreadable: reason.map(String::from),
                ..Default::default()
            });
        }
        let f = run("attachment.unreadable", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("扫描图片"));
        assert_eq!(f[1].evidence["reason"], "too-large");
    }
}
