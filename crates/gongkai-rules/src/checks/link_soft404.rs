//! `link-soft404`: a link whose target answers 2xx with an error page.
//!
//! How: a link of a crawled page whose target answered 2xx but
//! (a) the link names a document or attachment (path ending .pdf .doc .docx .xls .xlsx .wps .ofd
//!     .zip .rar .et ...: `attachment_extensions`) and the answer is `text/html`;
//! (b) the page model says it looks like an error page (页面不存在 / 页面未找到 / 404 ...) and its
//!     main content is short (`error_page_max_chars`): a real page that mentions 页面不存在 among
//!     substantial content is not an error page;
//! (c) it returns what the same host returns for a random path that cannot exist
//!     (`Site::soft404_probes`): equal body sha256, or near-equal main content (character-trigram
//!     Jaccard at or above `probe_similarity`) once the host's template is taken out — trigrams
//!     found on at least half (and at least two) of the host's other answered pages are template,
//!     so real pages that share the error page's template are not matched.
//!
//! Links to the host root (`/`, `/index.*`, `/default.*`) and to the start URLs are never matched
//! by (c), since hosts that send unknown paths home would otherwise make every link home a
//! finding. Anti-bot challenge pages are never soft-404s.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::link_broken::kind_zh;
use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::sitemodel::strip_fragment;
use crate::text::ngrams;
use crate::urlparts::origin_of;
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
    /// Path extensions of documents and attachments: answered `text/html`, they are soft-404s.
    pub attachment_extensions: Vec<String>,
    /// An error-looking page with more main-content characters than this is a real page.
    pub error_page_max_chars: usize,
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
            attachment_extensions: [
                "pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip", "rar", "et", "ppt",
                "pptx", "7z", "dps", "ceb", "tif", "tiff",
            ]
            .map(String::from)
            .to_vec(),
            error_page_max_chars: 400,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(0.5..=1.0).contains(&self.probe_similarity) {
            return Err(bad("probe_similarity", "must be between 0.5 and 1.0"));
        }
        if self.attachment_extensions.iter().any(|e| {
            e.is_empty() || e.starts_with('.') || e.chars().any(|c| c.is_ascii_uppercase())
        }) {
            return Err(bad(
                "attachment_extensions",
                "extensions are lower-case, without the dot (\"pdf\")",
            ));
        }
        Ok(())
    }
}

pub struct LinkSoft404 {
    p: Params,
}
crate::check_glue!(LinkSoft404);

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

/// The path extension of a URL, lower-case ("" when none).
fn path_extension(u: &str) -> String {
    let Some(path) = crate::urlparts::path_of(u) else {
        return String::new();
    };
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Characters of a page's main content compared (error pages and templates show in the first
/// few thousand; a hostile page may carry megabytes).
const COMPARED_CHARS: usize = 20_000;

/// Trigrams of a page's main content, non-ASCII only (URLs echoed in error pages differ per
/// request), from its first [`COMPARED_CHARS`] such characters.
fn grams(text: &str) -> HashSet<String> {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_ascii())
        .take(COMPARED_CHARS)
        .collect();
    ngrams(&kept, 3)
}

/// Pages per origin whose trigrams make up its template sample: a template is shared by every
/// page, so a bounded sample finds it and keeps a 200,000-page crawl's memory flat.
const TEMPLATE_SAMPLE: usize = 40;

/// One origin's template sample: how many sampled pages hold each trigram.
struct Sample<'a> {
    members: HashMap<&'a str, HashSet<String>>,
    counts: HashMap<String, usize>,
}

/// Per origin (built on first use, for origins that have a probe): a sample of its answered
/// pages with a model (crawled pages and checked targets), for telling the host's template from
/// a page's own content.
struct HostPages<'a> {
    site: &'a crate::Site,
    samples: std::cell::RefCell<HashMap<String, std::rc::Rc<Sample<'a>>>>,
}

impl<'a> HostPages<'a> {
    fn new(site: &'a crate::Site) -> Self {
        HostPages {
            site,
            samples: Default::default(),
        }
    }

    fn sample(&self, origin: &str) -> std::rc::Rc<Sample<'a>> {
        if let Some(s) = self.samples.borrow().get(origin) {
            return s.clone();
        }
        let mut members: HashMap<&'a str, HashSet<String>> = HashMap::new();
        for (i, p) in self.site.pages.iter().enumerate() {
            if members.len() >= TEMPLATE_SAMPLE {
                break;
            }
            if ok2xx(p)
                && p.model.is_some()
                && !members.contains_key(p.final_url.as_str())
                && origin_of(&p.final_url).as_deref() == Some(origin)
            {
                members.insert(p.final_url.as_str(), grams(&self.site.page_text(i)));
            }
        }
        let mut counts: HashMap<String, usize> = HashMap::new();
        for g in members.values().flatten() {
            *counts.entry(g.clone()).or_default() += 1;
        }
        let s = std::rc::Rc::new(Sample { members, counts });
        self.samples
            .borrow_mut()
            .insert(origin.to_string(), s.clone());
        s
    }

    /// A test for "this trigram is the host's template": found on at least half (and at least
    /// two) of the origin's sampled pages other than `except`. Each test is one lookup.
    fn template(&self, origin: &str, except: &str) -> impl Fn(&str) -> bool + 'a {
        let s = self.sample(origin);
        let except = except.to_string();
        let own_in_sample = s.members.contains_key(except.as_str());
        let others = s.members.len() - usize::from(own_in_sample);
        let need = others.div_ceil(2).max(2);
        move |g: &str| {
            let own = s
                .members
                .get(except.as_str())
                .is_some_and(|o| o.contains(g));
            s.counts
                .get(g)
                .is_some_and(|n| n - usize::from(own) >= need)
        }
    }
}

impl LinkSoft404 {
    /// Why `t` (page `ti` of the site) is a soft-404, if it is.
    fn verdict(
        &self,
        site: &crate::Site,
        ti: usize,
        probes: &HashMap<String, &SitePage>,
        starts: &[&str],
        hosts: &HostPages<'_>,
    ) -> Option<serde_json::Value> {
        let t = &site.pages[ti];
        if !ok2xx(t) {
            return None;
        }
        let ext = path_extension(&t.url);
        let html = t
            .content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("text/html"));
        if html && !ext.is_empty() && self.p.attachment_extensions.contains(&ext) {
            return Some(json!({"method": "attachment-html", "extension": ext,
                "content_type": t.content_type}));
        }
        if t.model.as_ref().is_some_and(|m| {
            m.looks_like_error
                && site
                    .page_text(ti)
                    .chars()
                    .filter(|c| !c.is_ascii())
                    .take(self.p.error_page_max_chars + 1)
                    .count()
                    <= self.p.error_page_max_chars
        }) {
            return Some(json!({"method": "error-page"}));
        }
        if !self.p.use_probes {
            return None;
        }
        let probe = probes.get(&origin_of(&t.final_url)?)?;
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
        if t.model.is_none() || probe.model.is_none() {
            return None;
        }
        let probe_text = probe.model.as_ref().map_or("", |m| m.text.as_str());
        let (a, b) = (grams(&site.page_text(ti)), grams(probe_text));
        // Take the host's template out, so that only main contents are compared; when nothing
        // is left on either side the two are template alone, and the whole texts decide.
        let is_template = hosts.template(&origin_of(&t.final_url)?, &t.final_url);
        let (a2, b2): (HashSet<String>, HashSet<String>) = (
            a.iter().filter(|g| !is_template(g)).cloned().collect(),
            b.iter().filter(|g| !is_template(g)).cloned().collect(),
        );
        let sim = if a2.len() < 5 && b2.len() < 5 {
            jaccard(&a, &b)
        } else {
            jaccard(&a2, &b2)
        };
        if sim >= self.p.probe_similarity {
            return Some(
                json!({"method": "probe-text", "probe_url": probe.url, "similarity": (sim * 1000.0).round() / 1000.0}),
            );
        }
        None
    }
}

impl Check for LinkSoft404 {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        Some(super::link_broken::links_applies(
            cx,
            i,
            &self.p.kinds,
            "是否返回错误页（软 404）",
        ))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let site = cx.site;
        let probes: HashMap<String, &SitePage> = site
            .site
            .soft404_probes
            .iter()
            .filter_map(|p| origin_of(&p.url).map(|o| (o, p)))
            .collect();
        let starts: Vec<&str> = site.site.start_urls.iter().map(|s| s.as_str()).collect();
        let hosts = HostPages::new(site.site);
        let mut done = HashSet::new();
        // A verdict depends on the target page alone, and a target is linked from many pages
        // (a column from every article of it): judged once per target page. 0 = not yet
        // judged, 1 = not a soft-404, 2 = one (its evidence in `found`).
        let mut judged = vec![0u8; site.site.pages.len()];
        let mut found: HashMap<usize, serde_json::Value> = HashMap::new();
        for (l, src, t, target) in site.fetched_links(&self.p.kinds) {
            let tp = site.page(t);
            if judged[t] == 0 {
                judged[t] = match self.verdict(site.site, t, &probes, &starts, &hosts) {
                    Some(ev) => {
                        found.insert(t, ev);
                        2
                    }
                    None => 1,
                };
            }
            if judged[t] != 2 {
                continue;
            }
            let mut ev = found[&t].clone();
            let source = site.page(src).url.clone();
            let tgt = strip_fragment(target).to_string();
            if !done.insert((source.clone(), tgt.clone())) {
                continue;
            }
            let how = match ev["method"].as_str() {
                Some("error-page") => "页面内容为错误提示".to_string(),
                Some("attachment-html") => {
                    "返回的是网页（text/html）而不是文件，文件实际不存在".to_string()
                }
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
        p.model = Some(Box::new(gongkai_page::PageModel {
            title: "提示".into(),
            text: text.into(),
            ..Default::default()
        }));
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

    fn html_target(url: &str, text: &str) -> SitePage {
        let mut p = soft(url, text, url);
        p.content_type = Some("text/html; charset=utf-8".into());
        p
    }

    #[test]
    fn attachment_answered_html_is_soft404() {
        for ext in [
            "pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip", "rar", "et",
        ] {
            let t = html_target(&u(&format!("files/P0202208.{ext}")), "网站首页 新闻");
            let tu = t.url.clone();
            let mut s = site(vec![page(ROOT, home("首页")), t]);
            s.links.push(link(ROOT, &tu, LinkKind::Attachment, "附件"));
            let f = run("link.soft-404", &s, &ctx(2022, 7, 1));
            assert_eq!(f.len(), 1, "{ext}");
            assert_eq!(f[0].evidence["method"], "attachment-html");
        }
        // A real file, or an HTML page whose name is not a document's, is fine.
        let mut pdf = target(&u("files/a.pdf"), FetchOutcome::Ok, Some(200));
        pdf.content_type = Some("application/pdf".into());
        let page_html = html_target(&u("zwgk/index.html"), "政府信息公开");
        let (pu, hu) = (pdf.url.clone(), page_html.url.clone());
        let mut s = site(vec![page(ROOT, home("首页")), pdf, page_html]);
        s.links.push(link(ROOT, &pu, LinkKind::Attachment, "附件"));
        s.links.push(link(ROOT, &hu, LinkKind::Page, "公开"));
        assert!(run("link.soft-404", &s, &ctx(2022, 7, 1)).is_empty());
    }

    #[test]
    fn a_real_page_mentioning_the_error_words_is_not_an_error_page() {
        let long = "本站改版说明：部分旧栏目页面不存在，请通过新版导航访问。".to_string()
            + &"滕州市人民政府办公室关于做好全市政务公开工作的通知，各镇人民政府、街道办事处。"
                .repeat(20);
        let mut t = soft(&u("zwgk/gb.html"), &long, "a");
        t.model.as_mut().unwrap().looks_like_error = true;
        assert!(run("link.soft-404", &base(t), &ctx(2022, 7, 1)).is_empty());
    }

    #[test]
    fn real_pages_sharing_the_error_template_are_not_soft404() {
        // An old subsite: every page, its error page included, wraps its content in the same
        // large template.
        let tpl = concat!(
            "滕州市某某局网站首页机构概况领导信息内设机构政务公开信息公开指南信息公开制度",
            "法定主动公开内容政府信息公开年报依申请公开办事服务办事指南表格下载在线办理",
            "互动交流局长信箱在线咨询意见征集网站地图联系我们版权所有滕州市某某局主办单位",
            "滕州市某某局办公室承办单位滕州市大数据中心技术支持某某网络科技有限公司地址",
            "滕州市荆河中路一百号邮编二七七五零零网站标识码三七零四八一零零一二鲁ICP备案号",
            "鲁公网安备号建议使用谷歌浏览器分辨率访问本站专题专栏优化营商环境双随机一公开",
            "乡村振兴安全生产月扫黑除恶专项斗争文明城市创建友情链接中国政府网山东省人民政府",
            "枣庄市人民政府滕州市人民政府山东政务服务网枣庄政务服务网滕州政务服务网国家统计局",
            "山东统计信息网当前位置"
        );
        let other = "http://old.tengzhou.gov.cn";
        let pg = |path: &str, body: &str| {
            html_target(&format!("{other}/{path}"), &format!("{tpl} {body}"))
        };
        let pages = [
            pg("index2.html", "通知公告 安全检查"),
            pg("tzgg/list.html", "收费目录公告"),
            pg("tzgg/a1.html", "安全检查通知 各科室"),
        ];
        // Whole texts of these pages and of the error page are over 95% alike (trigram Jaccard):
        // only the template-free content tells them apart.
        let probe = pg("gk-probe-1.html", "页面不存在");
        let missing = pg("tzgg/old.html", "页面不存在");
        let mut s = site(vec![page(ROOT, home("首页"))]);
        let mut targets: Vec<String> = pages.iter().map(|p| p.url.to_string()).collect();
        targets.push(missing.url.to_string());
        s.pages.extend(pages);
        s.pages.push(missing);
        for t in &targets {
            s.links.push(link(ROOT, t, LinkKind::Page, "旧站"));
        }
        s.soft404_probes.push(probe);
        let f = run("link.soft-404", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].target.as_deref(),
            Some(format!("{other}/tzgg/old.html").as_str())
        );
        assert_eq!(f[0].evidence["method"], "probe-text");
    }
}
