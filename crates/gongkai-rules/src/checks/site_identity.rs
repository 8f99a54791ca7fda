//! `site-identity`: the home page footer lacks 网站标识码, ICP 备案号 or 公安机关备案号, or the
//! `SiteIDCode` meta disagrees with the footer's 网站标识码.
//!
//! How: on each home page (start URL or a page of kind Home), the identity marks are read from
//! the page model's footer (`footer.site_id_code / icp / police_beian`) and, where the footer was
//! not recognised, from the page text (网站标识码：1234567890, 鲁ICP备05001234号-1, 鲁公网安备
//! 37048102000123号). Each missing mark is named; a `SiteIDCode` meta whose letters and digits
//! differ from the footer's 网站标识码 is reported too.
//! A home page whose footer was not seen at all (no footer field extracted and no mark in the
//! text) is not judged.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::LazyLock;

pub const SUMMARY: &str = "首页底部缺少网站标识码、ICP备案号或公安机关备案号";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Which marks to require (网站标识码, ICP备案号, 公安机关备案号); all by default.
    pub skip: Vec<String>,
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

pub struct SiteIdentity {
    p: Params,
}
crate::check_glue!(SiteIdentity);

static SITE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"网站标识码\s*[:：]?\s*([0-9A-Za-z]{6,12})").expect("site id regex")
});
static ICP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}?\s*ICP\s*备\s*\d{4,}号(?:-\d+)?").expect("icp regex"));
static POLICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}?公网安备\s*\d{6,}号?").expect("police regex"));

fn alnum(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

impl Check for SiteIdentity {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.crawled {
            if !sm.is_home(i) {
                continue;
            }
            let m = sm.model(i);
            let text = crate::text::fold(&sm.text(i));
            let nonblank = |o: &Option<gongkai_page::ArcStr>| {
                o.as_ref()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let site_id = nonblank(&m.footer.site_id_code)
                .or_else(|| SITE_ID.captures(&text).map(|c| c[1].to_string()));
            let icp =
                nonblank(&m.footer.icp).or_else(|| ICP.find(&text).map(|x| x.as_str().to_string()));
            let police = nonblank(&m.footer.police_beian)
                .or_else(|| POLICE.find(&text).map(|x| x.as_str().to_string()));
            let skipped = |n: &str| self.p.skip.iter().any(|s| s == n);
            let missing: Vec<&str> = [
                ("网站标识码", &site_id),
                ("ICP备案号", &icp),
                ("公安机关备案号", &police),
            ]
            .into_iter()
            .filter(|(n, v)| v.is_none() && !skipped(n))
            .map(|(n, _)| n)
            .collect();
            // Without any sign of a footer (the extractor found none and the text shows no mark)
            // the footer was not seen, e.g. written by script: nothing can be said.
            let f = &m.footer;
            let seen = [&f.sponsor, &f.site_id_code, &f.icp, &f.police_beian]
                .iter()
                .any(|x| x.is_some())
                || site_id.is_some()
                || icp.is_some()
                || police.is_some();
            if !seen {
                continue;
            }
            let meta = m
                .guideline_meta
                .get("SiteIDCode")
                .map(|s| s.trim().to_string());
            let mismatch = matches!((&meta, &site_id),
                (Some(a), Some(b)) if !a.is_empty() && alnum(a) != alnum(b));
            if missing.is_empty() && !mismatch {
                continue;
            }
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("首页底部缺少{}", missing.join("、")));
            }
            if mismatch {
                parts.push(format!(
                    "SiteIDCode 元标签（{}）与底部网站标识码（{}）不一致",
                    meta.clone().unwrap_or_default(),
                    site_id.clone().unwrap_or_default()
                ));
            }
            let ev = json!({
                "missing": missing,
                "site_id_code": site_id,
                "icp": icp,
                "police_beian": police,
                "meta_site_id_code": meta,
            });
            let p = sm.page(i);
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, parts.join("；"), ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;

    fn s(footer_text: &str, meta: Option<&str>) -> crate::Site {
        let mut h = home(footer_text);
        if let Some(m) = meta {
            h.guideline_meta.insert("SiteIDCode".into(), m.into());
        }
        site(vec![page(ROOT, h)])
    }

    #[test]
    fn missing_marks_and_meta_mismatch() {
        let f = run(
            "site.identity",
            &s(
                "主办：滕州市人民政府办公室 网站标识码：3704810001 鲁ICP备05001234号-1",
                None,
            ),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].evidence["missing"],
            serde_json::json!(["公安机关备案号"])
        );
        let full = "网站标识码:3704810001 鲁ICP备05001234号-1 鲁公网安备 37048102000123号";
        let f = run(
            "site.identity",
            &s(full, Some("3704810002")),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("不一致"));
    }

    #[test]
    fn footer_seen_by_sponsor_only_is_judged_unseen_footer_is_not() {
        let mut h = home("欢迎访问");
        assert!(run(
            "site.identity",
            &site(vec![page(ROOT, h.clone())]),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        h.footer.sponsor = Some("滕州市人民政府办公室".into());
        let f = run(
            "site.identity",
            &site(vec![page(ROOT, h)]),
            &ctx(2022, 7, 1),
        );
        assert_eq!(f[0].evidence["missing"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn trap_complete_footer_and_footer_fields() {
        let full = "网站标识码：3704810001 鲁ICP备05001234号-1 鲁公网安备 37048102000123号";
        assert!(run(
            "site.identity",
            &s(full, Some("3704810001")),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        let mut h = home("");
        h.footer.site_id_code = Some("3704810001".into());
        h.footer.icp = Some("鲁ICP备05001234号".into());
        h.footer.police_beian = Some("鲁公网安备37048102000123号".into());
        assert!(run(
            "site.identity",
            &site(vec![page(ROOT, h)]),
            &ctx(2022, 7, 1)
        )
        .is_empty());
    }
}
