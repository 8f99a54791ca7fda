//! `link-broken`: a link on a crawled page whose target is broken.
//!
//! How: every link (a, img, iframe, embed, attachment) of a crawled page whose target answered
//! 404 / 410, another 4xx, 5xx after retries, or failed DNS / connect / TLS / timeout, or looped
//! in redirects ([`FetchOutcome::is_broken`]). 401 / 403 / 407 / 412 / 429 / 451 and anti-bot
//! pages are *unverified*, never broken (the crawler may not pass a 瑞数 cookie wall; that says
//! nothing about the target). When one URL was fetched more than once in a run and any fetch
//! succeeded, the link is not reported (flaky, not broken). When the scanner itself may have had
//! no DNS (not one outside host name resolved during the run: an isolated network), DNS failures
//! are unverified, whatever their count, except for reserved names (`.invalid`, `.test`,
//! `.example`) that never resolve anywhere. When any outside host resolved, DNS works and a DNS
//! failure is broken.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::sitemodel::strip_fragment;
use crate::urlparts::host_of;
use gongkai_core::FetchOutcome;
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

/// RFC 2606 / 6761 names that can never resolve: a link to them is broken on any network.
fn reserved_host(url: &str) -> bool {
    host_of(url).is_some_and(|h| {
        let h = h.trim_end_matches('.');
        ["invalid", "test", "example", "localhost"]
            .iter()
            .any(|tld| h == *tld || h.ends_with(&format!(".{tld}")))
    })
}

/// True when the scan may have run without name resolution: not one outside host name resolved
/// (a machine cut off from the internet, where every external link would otherwise look dead).
/// A host counts as resolved when the answer needed its address: any HTTP status, a refused
/// connection, a TLS error. Timeouts and transport errors prove nothing.
pub(crate) fn scanner_offline(pages: &[crate::SitePage], start_urls: &[String]) -> bool {
    let own: HashSet<String> = start_urls.iter().filter_map(|u| host_of(u)).collect();
    let mut failed = HashSet::new();
    let mut resolved = HashSet::new();
    for p in pages {
        let Some(host) = host_of(&p.url) else {
            continue;
        };
        if own.contains(&host) || host.parse::<std::net::IpAddr>().is_ok() || reserved_host(&p.url)
        {
            continue;
        }
        match p.outcome {
            FetchOutcome::Dns => {
                failed.insert(host);
            }
            FetchOutcome::RobotsDisallowed
            | FetchOutcome::Skipped
            | FetchOutcome::Timeout
            | FetchOutcome::NetworkError => {}
            _ => {
                resolved.insert(host);
            }
        }
    }
    !failed.is_empty() && resolved.is_empty()
}

/// The link rules' answer for a page: they judge the links of every crawled page.
pub(crate) fn links_applies(cx: &RuleCx<'_>, i: usize, kinds: &[LinkKind], what: &str) -> Applies {
    let sm = cx.site;
    let n = sm
        .links_of(i)
        .filter(|l| l.target_url.is_some() && kinds.contains(&l.kind))
        .count();
    if n == 0 {
        return Applies::NotJudged("页面上没有要检查的链接".into());
    }
    let fetched = sm
        .links_of(i)
        .filter(|l| kinds.contains(&l.kind))
        .filter(|l| l.target_url.and_then(|t| sm.lookup(t)).is_some())
        .count();
    Applies::Judged(format!(
        "检查本页{n}个链接{what}（本次已访问其中{fetched}个，其余未访问的不判断）"
    ))
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
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        Some(links_applies(cx, i, &self.p.kinds, "能否访问"))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let site = cx.site;
        let offline = scanner_offline(&site.site.pages, &site.site.start_urls);
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
            // Without working DNS the scanner cannot tell a dead domain from its own network:
            // such targets are unverified, except reserved names that never resolve anywhere.
            if offline && tp.outcome == FetchOutcome::Dns && !reserved_host(&tp.url) {
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
    use gongkai_core::FetchOutcome;
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

    #[test]
    fn dns_failures_are_unverified_when_the_scanner_is_offline() {
        // One outside host failed DNS and none resolved: whatever the count, unverified.
        let one = {
            let mut s = site(vec![
                page(ROOT, home("首页")),
                target("http://www.gov.cn/", FetchOutcome::Dns, None),
            ]);
            s.links.push(link(
                ROOT,
                "http://www.gov.cn/",
                LinkKind::Page,
                "中国政府网",
            ));
            s
        };
        assert!(run("link.broken", &one, &ctx(2022, 7, 1)).is_empty());
        // A timeout elsewhere proves no resolution either.
        let mut t = one.clone();
        t.pages
            .push(target("http://www.sd.gov.cn/", FetchOutcome::Timeout, None));
        assert!(run("link.broken", &t, &ctx(2022, 7, 1)).is_empty());
        // A refused connection does: the name resolved, so the DNS failure is real.
        let mut r = one.clone();
        r.pages
            .push(target("http://www.sd.gov.cn/", FetchOutcome::Connect, None));
        assert_eq!(run("link.broken", &r, &ctx(2022, 7, 1)).len(), 1);

        let hosts = ["beian.miit.gov.cn", "www.beian.gov.cn", "bszs.conac.cn"];
        let mut pages = vec![page(ROOT, home("首页"))];
        for h in hosts {
            pages.push(target(&format!("http://{h}/"), FetchOutcome::Dns, None));
        }
        pages.push(target("http://dead.invalid/", FetchOutcome::Dns, None));
        let mut s = site(pages);
        for h in hosts {
            s.links
                .push(link(ROOT, &format!("http://{h}/"), LinkKind::Page, h));
        }
        s.links
            .push(link(ROOT, "http://dead.invalid/", LinkKind::Page, "旧版"));
        let f = run("link.broken", &s, &ctx(2022, 7, 1));
        // Only the reserved name, which never resolves anywhere, is reported.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].target.as_deref(), Some("http://dead.invalid/"));

        // One outside host resolved (answered 200): DNS works, the failures are real.
        let mut s2 = s.clone();
        s2.pages
            .push(target("http://www.gov.cn/", FetchOutcome::Ok, Some(200)));
        let f = run("link.broken", &s2, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 4, "{f:?}");
    }
}
