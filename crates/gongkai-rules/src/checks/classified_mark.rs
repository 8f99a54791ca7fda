//! `classified-mark`: a published page or attachment bearing a state-secret classification mark.
//!
//! How: 绝密 / 机密 / 秘密 immediately followed by ★ (one space allowed, as pdf text extraction
//! inserts them), optionally with the period after it (秘密★1年, 机密★5年, 绝密★长期), in the text
//! of crawled pages and of attachments read in full. A mark quoted inside running text (标注
//! “秘密★”) is a sentence about marks, not a mark; talk about secrets (保守国家秘密, 保密工作,
//! 秘密文件管理) has no ★ and never matches. One finding per page or attachment; the evidence
//! gives the marks and their locations (`第1页`, `页眉 段落1`), for attachments also the pages
//! linking it; the department is the linking page's.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::LazyLock;

pub const SUMMARY: &str = "页面或附件带有国家秘密密级标志（绝密★、机密★、秘密★）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Also scan attachments read in full.
    pub attachments: bool,
    /// At most this many marks in one finding's evidence.
    pub max_examples: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            attachments: true,
            max_examples: 10,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

static MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(绝密|机密|秘密)[ \u{3000}]?★(?:[ \u{3000}]?(?:[0-9０-９]+|[一二三四五六七八九十]+)[ \u{3000}]?(?:年|个月)|[ \u{3000}]?长期)?")
        .expect("static regex")
});

/// The classification marks in `text`, quoted mentions left out.
pub(crate) fn find_marks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in MARK.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let quoted = matches!(before, Some('“' | '"' | '「' | '『' | '‘' | '\''))
            && matches!(after, Some('”' | '"' | '」' | '』' | '’' | '\''));
        if !quoted {
            out.push(m.as_str().to_string());
        }
    }
    out
}

pub struct ClassifiedMark {
    p: Params,
}
crate::check_glue!(ClassifiedMark);

impl Check for ClassifiedMark {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.crawled {
            let mut marks = find_marks(&sm.text(i));
            if marks.is_empty() {
                continue;
            }
            marks.truncate(self.p.max_examples);
            let p = sm.page(i);
            let msg = format!("页面带有密级标志“{}”，涉密信息不得公开", marks[0]);
            let dept = cx.dept_page(i);
            cx.emit(
                Emit::new(
                    &p.url,
                    dept,
                    msg,
                    json!({"marks": marks, "attachment": false}),
                )
                .subject(vec![p.url.to_string()])
                .fetch(p.fetch_id),
            );
        }
        if !self.p.attachments {
            return;
        }
        for a in &sm.site.attachments {
            let mut marks = Vec::new();
            let mut locations = Vec::new();
            for c in &a.chunks {
                for m in find_marks(&c.text) {
                    if marks.len() < self.p.max_examples {
                        marks.push(m);
                        locations.push(c.loc.clone());
                    }
                }
            }
            if marks.is_empty() {
                continue;
            }
            let (linked_from, dept) = crate::attach::linking(cx, a, 10);
            let msg = format!(
                "附件带有密级标志“{}”（位置 {}），涉密信息不得公开",
                marks[0], locations[0]
            );
            let ev = json!({
                "marks": marks,
                "locations": locations,
                "attachment": true,
                "format": a.format,
                "linked_from": linked_from,
            });
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
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn marks_and_traps() {
        assert_eq!(find_marks("秘密★1年"), vec!["秘密★1年"]);
        assert_eq!(find_marks("机密★5年 关于……"), vec!["机密★5年"]);
        assert_eq!(find_marks("绝密★长期"), vec!["绝密★长期"]);
        assert_eq!(find_marks("秘密 ★ 一年"), vec!["秘密 ★ 一年"]);
        assert_eq!(find_marks("机密★"), vec!["机密★"]);
        for trap in [
            "各单位要保守国家秘密，做好保密工作",
            "秘密文件管理办法",
            "密级标志依次标注“秘密★”“机密★”",
            "★秘密",
            "机密文件★",
            "★★★ 优秀",
        ] {
            assert!(find_marks(trap).is_empty(), "{trap}");
        }
    }

    #[test]
    fn pages_and_attachments() {
        let url = u("fj/tz.pdf");
        let mut s = site(vec![
            page(ROOT, home("")),
            page(
                &u("zwgk/t1.html"),
                article("关于加强保密工作的通知", "秘密★1年\n各单位要保守国家秘密"),
            ),
            page(&u("zwgk/t2.html"), article("保密工作", "做好秘密文件管理")),
        ]);
        s.links.push(link(
            &u("zwgk/t2.html"),
            &url,
            gongkai_page::LinkKind::Attachment,
            "附件",
        ));
        s.attachments.push(crate::SiteAttachment {
            fetch_id: 9,
            url: url.clone(),
            format: "pdf".into(),
            chunks: vec![crate::TextChunk {
                loc: "第1页".into(),
                text: "机密★5年\n关于……".into(),
            }],
            ..Default::default()
        });
        let f = run("secrecy.classified-mark", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(f.iter().any(|x| x.url == u("zwgk/t1.html")));
        let a = f.iter().find(|x| x.url == url).expect("attachment finding");
        assert_eq!(a.evidence["locations"][0], "第1页");
        assert_eq!(a.evidence["linked_from"][0], u("zwgk/t2.html"));
    }
}
