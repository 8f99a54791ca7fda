//! `link-soft404`: a link whose target answers 2xx with an error page.
//!
//! How: a link of a crawled page whose target answered 2xx but (a) the page model says it looks
//! like an error page (页面不存在 / 页面未找到 / 找不到 / 已删除 / 404 / Not Found with little other
//! content), or (b) it returns what the same host returns for a random path that cannot exist
//! (`Site::soft404_probes`): equal body sha256, or near-equal text (character-trigram Jaccard at
//! or above `probe_similarity`). Links to the host root (`/`, `/index.*`, `/default.*`) and to the
//! start URLs are never matched by (b), since hosts that send unknown paths home would otherwise
//! make every link home a finding. Anti-bot challenge pages are never soft-404s.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::link_broken::kind_zh;
use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::sitemodel::strip_fragment;
use crate::text::ngrams;
use crate::SitePage;
use gongkai_core::FetchOutcome;
use gongkai_page::LinkKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};

pub const SUMMARY: &str = "链接目标返回 2xx 但内容是错误页（软 404）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub kinds: Vec<LinkKind>,
    /// Trigram Jaccard similarity to the host's random-path answer that counts as the same page.
    pub probe_similarity: f64,
    /// Compare with the soft-404 probes at all.
    pub use_probes: bool,
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
            probe_similarity: 0.9,
            use_probes: true,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(0.5..=1.0).contains(&self.probe_similarity) {
            return Err(bad("probe_similarity", "must be between 0.5 and 1.0"));
        }
        Ok(())
    }
}

pub struct LinkSoft404 {
    p: Params,
}
crate::check_glue!(LinkSoft404);

pub(crate) fn origin(u: &str) -> Option<String> {
    url::Url::parse(u)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

fn root_like(u: &str) -> bool {
    let Ok(url) = url::Url::parse(u) else {
        return false;
    };
    let path = url.path().trim_end_matches('/');
    if path.is_empty() {
        return true;
    }
    if path.matches('/').count() != 1 {
        return false;
    }
    let last = &path[1..];
    let stem = last.split('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(stem.as_str(), "index" | "default" | "home" | "main")
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    let union = a.len() as f64 + b.len() as f64 - inter;
    inter / union
}

fn ok2xx(p: &SitePage) -> bool {
    matches!(p.outcome, FetchOutcome::Ok | FetchOutcome::Redirected)
        && p.status.is_none_or(|s| (200..300).contains(&s))
        && !p.model.as_ref().is_some_and(|m| m.challenge)
}

impl LinkSoft404 {
    /// Why `t` is a soft-404, if it is.
    fn verdict(
        &self,
        t: &SitePage,
        probes: &HashMap<String, &SitePage>,
        starts: &[&str],
    ) -> Option<serde_json::Value> {
        if !ok2xx(t) {
            return None;
        }
        if t.model.as_ref().is_some_and(|m| m.looks_like_error) {
            return Some(json!({"method": "error-page"}));
        }
        if !self.p.use_probes {
            return None;
        }
        let probe = probes.get(&origin(&t.final_url)?)?;
        if !ok2xx(probe) || root_like(&t.url) || root_like(&t.final_url) {
            return None;
        }
        if starts
            .iter()
            .any(|s| strip_fragment(s) == t.url || strip_fragment(s) == t.final_url)
        {
            return None;
        }
        if probe.final_url != probe.url && t.final_url != probe.final_url {
            return None;
        }
        if let (Some(a), Some(b)) = (&t.body_sha256, &probe.body_sha256) {
            if a == b {
                return Some(
                    json!({"method": "probe-hash", "probe_url": probe.url, "body_sha256": a}),
                );
            }
        }
        let (Some(tm), Some(pm)) = (&t.model, &probe.model) else {
            return None;
        };
        // URLs echoed in error pages differ per request: compare the non-ASCII text only.
        let strip = |t: &str| t.chars().filter(|c| !c.is_ascii()).collect::<String>();
        let (a, b) = (ngrams(&strip(&tm.text), 3), ngrams(&strip(&pm.text), 3));
        let sim = jaccard(&a, &b);
        if sim >= self.p.probe_similarity {
            return Some(
                json!({"method": "probe-text", "probe_url": probe.url, "similarity": (sim * 1000.0).round() / 1000.0}),
            );
        }
        None
    }
}

impl Check for LinkSoft404 {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let site = cx.site;
        let probes: HashMap<String, &SitePage> = site
            .site
            .soft404_probes
            .iter()
            .filter_map(|p| origin(&p.url).map(|o| (o, p)))
            .collect();
        let starts: Vec<&str> = site.site.start_urls.iter().map(|s| s.as_str()).collect();
        let mut done = HashSet::new();
        for (l, src, t, target) in site.fetched_links(&self.p.kinds) {
            let tp = site.page(t);
            let Some(mut ev) = self.verdict(tp, &probes, &starts) else {
                continue;
            };
            let source = site.page(src).url.clone();
            let tgt = strip_fragment(target).to_string();
            if !done.insert((source.clone(), tgt.clone())) {
                continue;
            }
            let how = match ev["method"].as_str() {
                Some("error-page") => "页面内容为错误提示".to_string(),
                _ => "内容与该网站不存在页面的返回内容相同".to_string(),
            };
            let obj = ev.as_object_mut().expect("object");
            obj.insert("source".into(), json!(source));
            obj.insert("target".into(), json!(tgt));
            obj.insert("status".into(), json!(tp.status));
            obj.insert("outcome".into(), json!(tp.outcome.code()));
            obj.insert("final_url".into(), json!(tp.final_url));
            obj.insert(
                "title".into(),
                json!(tp.model.as_ref().map(|m| m.title.clone())),
            );
            obj.insert("anchor".into(), json!(l.anchor.trim()));
            let msg = format!(
                "页面中的{}“{}”指向 {tgt}，返回状态 {} 但{how}（软 404）",
                kind_zh(l.kind),
                crate::text::clip(l.anchor.trim(), 40),
                tp.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "2xx".into()),
            );
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
    use super::*;
    use crate::checks::testkit::*;

    fn soft(url: &str, text: &str, sha: &str) -> SitePage {
        let mut p = target(url, FetchOutcome::Ok, Some(200));
        p.model = Some(gongkai_page::PageModel {
            title: "提示".into(),
            text: text.into(),
            ..Default::default()
        });
        p.body_sha256 = Some(sha.into());
        p
    }

    fn base(t: SitePage) -> crate::Site {
        let tu = t.url.clone();
        let mut s = site(vec![page(ROOT, home("首页 新闻 公开")), t]);
        s.links.push(link(ROOT, &tu, LinkKind::Page, "旧链接"));
        s
    }

    #[test]
    fn error_page_flag_fires() {
        let mut t = soft(&u("old.html"), "页面不存在", "aa");
        t.model.as_mut().unwrap().looks_like_error = true;
        let f = run("link.soft-404", &base(t), &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["method"], "error-page");
        assert!(f[0].message.contains("软 404"));
    }

    #[test]
    fn challenge_and_non_2xx_do_not_fire() {
        let mut t = soft(&u("old.html"), "页面不存在", "aa");
        t.model.as_mut().unwrap().looks_like_error = true;
        t.model.as_mut().unwrap().challenge = true;
        assert!(run("link.soft-404", &base(t), &ctx(2022, 7, 1)).is_empty());
        let mut t = soft(&u("old.html"), "页面不存在", "aa");
        t.model.as_mut().unwrap().looks_like_error = true;
        t.outcome = FetchOutcome::Blocked;
        t.status = Some(412);
        assert!(run("link.soft-404", &base(t), &ctx(2022, 7, 1)).is_empty());
    }

    #[test]
    fn probe_hash_and_text_match() {
        let mut s = base(soft(
            &u("old.html"),
            "抱歉 您访问的内容暂时无法显示 请返回首页",
            "same",
        ));
        s.soft404_probes.push(soft(
            &u("gk-probe-8f3a.html"),
            "抱歉 您访问的内容暂时无法显示 请返回首页",
            "same",
        ));
        let f = run("link.soft-404", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["method"], "probe-hash");

        let mut s = base(soft(
            &u("old.html"),
            "抱歉，您访问的内容 /old.html 暂时无法显示，请返回首页",
            "x1",
        ));
        s.soft404_probes.push(soft(
            &u("gk-probe.html"),
            "抱歉，您访问的内容 /gk-probe.html 暂时无法显示，请返回首页",
            "x2",
        ));
        let f = run("link.soft-404", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence["method"], "probe-text");
    }

    #[test]
    fn real_pages_and_home_links_are_not_soft404() {
        let mut s = base(soft(
            &u("zwgk/index.html"),
            "政府信息公开 指南 制度 年报 法定主动公开内容 规范性文件",
            "a",
        ));
        s.soft404_probes
            .push(soft(&u("gk-probe.html"), "页面不存在", "b"));
        assert!(run("link.soft-404", &s, &ctx(2022, 7, 1)).is_empty());
        // Host sends unknown paths home: a link to /index.html equals the probe but is home.
        let mut s = base(soft(&u("index.html"), "首页 新闻 公开", "home"));
        s.soft404_probes
            .push(soft(&u("gk-probe.html"), "首页 新闻 公开", "home"));
        assert!(run("link.soft-404", &s, &ctx(2022, 7, 1)).is_empty());
    }
}
