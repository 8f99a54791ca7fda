//! `link-broken`: a link on a crawled page whose target is broken.
//!
//! What: every link (a, img, iframe, embed, attachment) of a crawled page whose target answered
//! 404 / 410, another 4xx, 5xx after retries, or failed DNS / connect / TLS / timeout, or looped
//! in redirects ([`FetchOutcome::is_broken`]). 401 / 403 / 407 / 412 / 429 / 451 and anti-bot
//! pages are *unverified*, never broken (the crawler may not pass a 瑞数 cookie wall; that says
//! nothing about the target). When one URL was fetched more than once in a run and any fetch
//! succeeded, the link is not reported (flaky, not broken).
//! Why: 断链、错链 are a veto item of the national website checks and ledger item 51.
//! Example: 首页 links "政府信息公开指南" to `/zwgk/zn/index.html`, which answers 404 → one finding
//! for (首页, that URL).

use super::{bad, to_toml, Check, ParamError};
use crate::eval::{Emit, RuleCx};
use crate::sitemodel::strip_fragment;
use gongkai_crawl::FetchOutcome;
use gongkai_page::LinkKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;

pub const SUMMARY: &str =
    "链接目标返回 404/410/其他4xx/5xx 或无法连接（401/403/412/429 等视为未验证）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Link kinds checked: page, image, attachment, frame, media, script, style.
    pub kinds: Vec<LinkKind>,
    /// HTTP statuses that mean "could not verify", never broken.
    pub unverified_status: Vec<u16>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            kinds: vec![
                LinkKind::Page,
                LinkKind::Image,
                LinkKind::Attachment,
                LinkKind::Frame,
                LinkKind::Media,
            ],
            unverified_status: vec![401, 403, 407, 412, 429, 451],
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.kinds.is_empty() {
            return Err(bad("kinds", "at least one link kind"));
        }
        Ok(())
    }
}

pub struct LinkBroken {
    p: Params,
}
crate::check_glue!(LinkBroken);

/// Chinese description of a broken outcome.
pub(crate) fn outcome_zh(o: FetchOutcome, status: Option<u16>) -> String {
    let s = status.map(|s| format!("HTTP {s}")).unwrap_or_default();
    match o {
        FetchOutcome::NotFound => format!("页面不存在（{s}）"),
        FetchOutcome::ClientError => format!("请求错误（{s}）"),
        FetchOutcome::ServerError => format!("服务器错误（{s}，已重试）"),
        FetchOutcome::Timeout => "访问超时".into(),
        FetchOutcome::Dns => "域名无法解析".into(),
        FetchOutcome::Connect => "无法建立连接".into(),
        FetchOutcome::Tls => "TLS/证书错误".into(),
        FetchOutcome::RedirectLoop => "重定向循环".into(),
        FetchOutcome::TooManyRedirects => "重定向次数过多或跳转到非网页地址".into(),
        FetchOutcome::NetworkError => "网络传输错误".into(),
        other => other.code().into(),
    }
}

pub(crate) fn kind_zh(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Page => "链接",
        LinkKind::Image => "图片",
        LinkKind::Attachment => "附件",
        LinkKind::Frame => "内嵌框架",
        LinkKind::Media => "媒体",
        LinkKind::Script => "脚本",
        LinkKind::Style => "样式表",
    }
}

impl Check for LinkBroken {
    fn params_toml(&self) -> String {
        to_toml(&self.p)
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let site = cx.site;
        let mut done = HashSet::new();
        for (l, src, t, target) in site.fetched_links(&self.p.kinds) {
            let tp = site.page(t);
            if !tp.outcome.is_broken()
                || tp
                    .status
                    .is_some_and(|s| self.p.unverified_status.contains(&s))
            {
                continue;
            }
            let source = site.page(src).url.clone();
            let tgt = strip_fragment(target).to_string();
            if !done.insert((source.clone(), tgt.clone())) {
                continue;
            }
            let anchor = l.anchor.trim();
            let what = kind_zh(l.kind);
            let shown = if anchor.is_empty() {
                String::new()
            } else {
                format!("“{}”", crate::text::clip(anchor, 40))
            };
            let msg = format!(
                "页面中的{what}{shown}指向 {tgt} 无法访问：{}",
                outcome_zh(tp.outcome, tp.status)
            );
            let ev = json!({
                "source": source,
                "target": tgt,
                "final_url": tp.final_url,
                "status": tp.status,
                "outcome": tp.outcome.code(),
                "link_kind": l.kind,
                "element": l.element,
                "anchor": anchor,
                "fetched_at": tp.fetched_at,
            });
            let dept = cx.dept_page(src);
            cx.emit(
                Emit::new(&source, dept, msg, ev)
                    .target(tgt)
                    .fetch(tp.fetch_id),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_crawl::FetchOutcome;
    use gongkai_page::{Field, LinkKind};

    fn with_target(o: FetchOutcome, status: Option<u16>) -> crate::Site {
        let mut s = site(vec![
            page(ROOT, home("首页")),
            target(&u("a.pdf"), o, status),
        ]);
        s.links
            .push(link(ROOT, &u("a.pdf"), LinkKind::Attachment, "附件1"));
        s
    }

    #[test]
    fn broken_outcomes_fire() {
        for (o, st) in [
            (FetchOutcome::NotFound, Some(404)),
            (FetchOutcome::NotFound, Some(410)),
            (FetchOutcome::ClientError, Some(400)),
            (FetchOutcome::ServerError, Some(503)),
            (FetchOutcome::Dns, None),
            (FetchOutcome::Connect, None),
            (FetchOutcome::Tls, None),
            (FetchOutcome::Timeout, None),
            (FetchOutcome::RedirectLoop, Some(302)),
        ] {
            let f = run("link.broken", &with_target(o, st), &ctx(2022, 7, 1));
            assert_eq!(f.len(), 1, "{o:?}");
            assert_eq!(f[0].target.as_deref(), Some(u("a.pdf").as_str()));
            assert_eq!(f[0].url, ROOT);
            assert_eq!(f[0].fetch_id, Some(7));
            assert_eq!(f[0].evidence["outcome"], o.code());
            assert!(f[0].message.contains("附件"), "{}", f[0].message);
        }
    }

    #[test]
    fn unverified_never_broken() {
        for st in [401u16, 403, 407, 412, 429, 451] {
            let f = run(
                "link.broken",
                &with_target(FetchOutcome::Blocked, Some(st)),
                &ctx(2022, 7, 1),
            );
            assert!(f.is_empty(), "{st}");
            // Even if a crawler classified it as a client error, the status decides.
            let f = run(
                "link.broken",
                &with_target(FetchOutcome::ClientError, Some(st)),
                &ctx(2022, 7, 1),
            );
            assert!(f.is_empty(), "{st}");
        }
        for o in [
            FetchOutcome::Ok,
            FetchOutcome::Redirected,
            FetchOutcome::Skipped,
            FetchOutcome::RobotsDisallowed,
            FetchOutcome::TooLarge,
        ] {
            assert!(run("link.broken", &with_target(o, Some(200)), &ctx(2022, 7, 1)).is_empty());
        }
    }

    #[test]
    fn one_finding_per_source_and_target_and_publisher_decides() {
        let mut s = with_target(FetchOutcome::NotFound, Some(404));
        s.links.push(link(
            ROOT,
            &format!("{}#p2", u("a.pdf")),
            LinkKind::Attachment,
            "again",
        ));
        let art = with_fields(
            article("通知", "正文"),
            &[(Field::Publisher, "市司法局"), (Field::IndexNumber, "1")],
        );
        s.pages.push(page(&u("t1.html"), art));
        s.links
            .push(link(&u("t1.html"), &u("a.pdf"), LinkKind::Attachment, ""));
        let f = run("link.broken", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 2);
        let from_art = f.iter().find(|f| f.url == u("t1.html")).unwrap();
        assert_eq!(from_art.department, "市司法局");
        assert_ne!(f[0].fingerprint, f[1].fingerprint);
    }

    #[test]
    fn a_successful_refetch_wins() {
        let mut s = with_target(FetchOutcome::Timeout, None);
        s.pages
            .push(target(&u("a.pdf"), FetchOutcome::Ok, Some(200)));
        assert!(run("link.broken", &s, &ctx(2022, 7, 1)).is_empty());
    }
}
