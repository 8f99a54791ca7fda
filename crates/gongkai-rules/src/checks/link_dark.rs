//! `link-dark`: dark links (暗链) — links to another site hidden from readers, and outbound links
//! whose text or target page title is on the deny list.
//!
//! How: every page link (`a` / `area`) of a crawled page whose target is on another site (not
//! the registrable domain of a start URL: www.x.gov.cn and zwgk.x.gov.cn are one site) fires
//! when the page extractor marked it hidden (display:none, visibility:hidden, zero size,
//! font-size:0, far off-screen, on it or an ancestor, inline or by a `<style>` rule; hover menus
//! excepted — see `gongkai_page::hidden`), or when its anchor text or the title of its fetched
//! target contains a `deny` word (博彩, 赌场, 娱乐城 …) and no `except` word (举报, 打击 … as in
//! 网络色情举报). Hidden links inside the site (collapsed menus) are silent.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::text::clip;
use gongkai_page::LinkKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;

pub const SUMMARY: &str = "隐藏的外站链接（暗链）和指向赌博、色情等网站的链接";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub deny: Vec<String>,
    /// Anchor texts with these words are about fighting the deny-listed things, not links to them.
    pub except: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Params {
            deny: v(&[
                "博彩",
                "赌场",
                "赌博网",
                "娱乐城",
                "真人视讯",
                "六合彩",
                "百家乐",
                "老虎机",
                "时时彩",
                "色情",
                "成人视频",
                "葡京",
                "威尼斯人",
                "太阳城",
                "皇冠体育",
                "代孕",
                "代开发票",
            ]),
            except: v(&["举报", "打击", "整治", "扫黄", "治理", "专项", "查处"]),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.deny.iter().any(|w| w.trim().is_empty()) {
            return Err(bad("deny", "empty word"));
        }
        Ok(())
    }
}

pub struct LinkDark {
    p: Params,
}
crate::check_glue!(LinkDark);

/// The site a host belongs to: the registrable domain, approximately (last two labels, three
/// under a two-letter country code with gov / com / org / edu / net / ac: tengzhou.gov.cn).
pub(crate) fn site_key(url: &str) -> Option<String> {
    let host = crate::urlparts::host_of(url)?;
    let host = host.trim_end_matches('.');
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return Some(host.to_string());
    }
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let keep = if n >= 3
        && labels[n - 1].len() == 2
        && ["gov", "com", "org", "edu", "net", "ac"].contains(&labels[n - 2])
    {
        3
    } else {
        2
    };
    Some(labels[n.saturating_sub(keep)..].join("."))
}

impl Check for LinkDark {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let own: HashSet<String> = sm
            .site
            .start_urls
            .iter()
            .chain(std::iter::once(&sm.root))
            .filter_map(|u| site_key(u))
            .collect();
        // `scheme://host[:port]/` of the site's own URLs: a target starting with one has that
        // host, so it is the site's own without parsing it (most links are).
        let own_prefixes: Vec<String> = sm
            .site
            .start_urls
            .iter()
            .chain(std::iter::once(&sm.root))
            .filter_map(|u| url::Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| format!("{}/", u.origin().ascii_serialization()))
            .collect();
        for l in sm.all_links() {
            if !matches!(l.kind, LinkKind::Page) || !l.element.starts_with('a') {
                continue;
            }
            let Some(target) = l.target_url else {
                continue;
            };
            if own_prefixes.iter().any(|p| target.starts_with(p.as_str())) {
                continue;
            }
            if site_key(target).is_none_or(|k| own.contains(&k)) {
                continue;
            }
            let src = l.source_page;
            // One page per body: `/` and `/index.html` answering the same bytes report once
            // (`crawled` is ascending).
            if sm.crawled.binary_search(&src).is_err() {
                continue;
            }
            let target_title = sm
                .lookup(target)
                .and_then(|t| sm.page(t).model.as_ref())
                .map(|m| m.title.clone())
                .unwrap_or_default();
            let denied = |s: &str| {
                (!self
                    .p
                    .except
                    .iter()
                    .any(|w| !w.is_empty() && s.contains(w.as_str())))
                .then(|| self.p.deny.iter().find(|w| s.contains(w.as_str())).cloned())
                .flatten()
            };
            let word = denied(l.anchor).or_else(|| denied(&target_title));
            if l.hidden.is_none() && word.is_none() {
                continue;
            }
            let mut why = Vec::new();
            if let Some(h) = l.hidden {
                why.push(format!("对读者隐藏（{h}）"));
            }
            if let Some(w) = &word {
                why.push(format!("链接文字或目标页标题含“{w}”"));
            }
            let msg = format!(
                "页面中指向外站 {} 的链接“{}”{}，疑为暗链或违规链接，应立即删除并排查网站安全",
                clip(target, 80),
                clip(l.anchor, 30),
                why.join("，")
            );
            let ev = json!({
                "target": target,
                "anchor": l.anchor,
                "hidden": l.hidden,
                "deny_word": word,
                "target_title": (!target_title.is_empty()).then_some(target_title),
            });
            let p = sm.page(src);
            let dept = cx.dept_page(src);
            cx.emit(
                Emit::new(&p.url, dept, msg, ev)
                    .target(target)
                    .fetch(p.fetch_id),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::site_key;
    use crate::checks::testkit::*;

    fn hidden_link(src: &str, target: &str, anchor: &str, why: Option<&str>) -> crate::SiteLink {
        let mut l = link(src, target, gongkai_page::LinkKind::Page, anchor);
        l.hidden = why.map(String::from);
        l
    }

    fn with_links(links: Vec<crate::SiteLink>) -> crate::Site {
        let mut s = site(vec![
            page(ROOT, home("")),
            page(&u("a.html"), article("新闻", "")),
        ]);
        s.links = links;
        s
    }

    #[test]
    fn hidden_outbound_and_denied_words_fire() {
        let s = with_links(vec![
            hidden_link(
                ROOT,
                "http://xx-bet.com/",
                "体育",
                Some("style=\"display:none\""),
            ),
            hidden_link(&u("a.html"), "http://www.foo.net/", "娱乐城官网", None),
        ]);
        let f = run("link.dark", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 2);
        assert!(f.iter().any(|x| x.evidence["deny_word"] == "娱乐城"));
        assert!(f
            .iter()
            .any(|x| x.target.as_deref() == Some("http://xx-bet.com/")));
    }

    #[test]
    fn traps_visible_friendly_links_hidden_inner_menus_and_reporting() {
        let s = with_links(vec![
            hidden_link(ROOT, "http://www.shandong.gov.cn/", "山东省人民政府", None),
            hidden_link(
                ROOT,
                &u("zwgk/index.html"),
                "政务公开",
                Some("CSS .sub: display:none"),
            ),
            hidden_link(
                ROOT,
                "http://zwgk.tengzhou.gov.cn/x.html",
                "公开",
                Some("style=\"display:none\""),
            ),
            hidden_link(ROOT, "https://www.12377.cn/", "网络色情信息举报", None),
        ]);
        assert!(run("link.dark", &s, &ctx(2022, 7, 1)).is_empty());
    }

    #[test]
    fn site_keys() {
        assert_eq!(
            site_key("http://www.tengzhou.gov.cn/a").as_deref(),
            Some("tengzhou.gov.cn")
        );
        assert_eq!(
            site_key("http://zwgk.tengzhou.gov.cn/").as_deref(),
            Some("tengzhou.gov.cn")
        );
        assert_eq!(
            site_key("https://a.b.example.com/").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            site_key("http://127.0.0.1:8080/").as_deref(),
            Some("127.0.0.1")
        );
    }
}
