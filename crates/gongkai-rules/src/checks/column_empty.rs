//! `column-empty`: a column whose list pages list no item (空白栏目).
//!
//! How: a column (its pagination pages grouped) none of whose pages lists an item. Columns whose
//! list is loaded by a request the crawl could not answer (a Hanweb dataproxy follow request) or
//! that claim more than one page are not judged. A page with no items but with links of its own
//! (at least `landing_links` targets that neither the home page nor most pages link to, breadcrumb
//! links aside) is a landing page of sub-columns (政府信息公开, 法定主动公开内容) or an intro page,
//! not an empty list — unless it shows an explicit empty marker (暂无信息, 暂无数据, 没有记录 ...),
//! which always counts. The evidence says which.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{Check, Emit, ParamError, RuleCx};
use crate::sitemodel::{strip_fragment, SiteModel};
use crate::text::compact;
use gongkai_page::FollowRequest;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};

pub const SUMMARY: &str = "栏目页没有任何信息条目（空白栏目）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Texts that mark an empty list.
    pub empty_markers: Vec<String>,
    /// Column names (substrings) never judged, e.g. navigation-only parent columns.
    pub ignore: Vec<String>,
    /// A page without items but with this many links of its own is a landing page.
    pub landing_links: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            empty_markers: [
                "暂无信息",
                "暂无数据",
                "暂无内容",
                "暂无记录",
                "没有记录",
                "无相关信息",
                "没有找到",
                "暂无",
            ]
            .map(String::from)
            .to_vec(),
            ignore: Vec::new(),
            landing_links: 3,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if self.landing_links == 0 {
            return Err(crate::check::bad("landing_links", "must be at least 1"));
        }
        Ok(())
    }
}

/// Link targets of the page chrome: on the home page, or on at least 30% of crawled pages (and 3).
fn shared_links(sm: &SiteModel<'_>) -> HashSet<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    let mut out = HashSet::new();
    for &i in &sm.crawled {
        let targets: HashSet<&str> = sm
            .links_of(i)
            .filter_map(|l| l.target_url.map(strip_fragment))
            .collect();
        for t in targets {
            *count.entry(t).or_default() += 1;
            if sm.is_home(i) {
                out.insert(t.to_string());
            }
        }
    }
    let min = 3.max(sm.crawled.len() * 3 / 10);
    out.extend(
        count
            .into_iter()
            .filter(|&(_, n)| n >= min)
            .map(|(t, _)| t.to_string()),
    );
    out
}

pub struct ColumnEmpty {
    p: Params,
}
crate::check_glue!(ColumnEmpty);

impl Check for ColumnEmpty {
    fn run(&self, cx: &mut RuleCx<'_>) {
        // Absence is only known from a complete crawl (see `EvalContext::complete`).
        if !cx.ctx.complete {
            return;
        }
        let sm = cx.site;
        // Counted over every link of the site: only when some column looks empty.
        let shared = std::cell::OnceCell::new();
        for col in &sm.columns {
            let lists: Vec<_> = col.pages.iter().map(|&i| sm.model(i)).collect();
            if lists
                .iter()
                .any(|m| m.column.as_ref().is_some_and(|c| !c.items.is_empty()))
            {
                continue;
            }
            if lists.iter().any(|m| {
                m.follow
                    .iter()
                    .any(|f| matches!(f, FollowRequest::HanwebDataProxy { .. }))
                    || m.column
                        .as_ref()
                        .and_then(|c| c.total_pages)
                        .is_some_and(|t| t > 1)
            }) {
                continue;
            }
            let name = compact(&col.name);
            if self
                .p
                .ignore
                .iter()
                .any(|x| !x.is_empty() && name.contains(compact(x).as_str()))
            {
                continue;
            }
            let first = col.pages[0];
            let shared = shared.get_or_init(|| shared_links(sm));
            let p = sm.page(first);
            let m = sm.model(first);
            let text = compact(&sm.text(first));
            let marker = self
                .p
                .empty_markers
                .iter()
                .find(|mk| text.contains(compact(mk).as_str()));
            let crumbs: Vec<String> = m.breadcrumb.iter().map(|c| compact(c)).collect();
            let own: HashSet<&str> = sm
                .links_of(first)
                .filter(|l| l.skip.is_none() && !crumbs.contains(&compact(l.anchor)))
                .filter_map(|l| l.target_url.map(strip_fragment))
                .filter(|u| {
                    !shared.contains(*u) && !col.pages.iter().any(|&c| sm.lookup(u) == Some(c))
                })
                .collect();
            if marker.is_none() && own.len() >= self.p.landing_links {
                continue;
            }
            let msg = format!("栏目“{}”没有任何信息条目（空白栏目）", col.name);
            let ev = json!({
                "column": col.name,
                "pages": col.pages.iter().map(|&i| sm.page(i).url.clone()).collect::<Vec<_>>(),
                "empty_marker": marker,
                "own_links": own.len(),
            });
            let dept = cx.dept_for(&p.final_url, std::slice::from_ref(&col.name));
            cx.emit(
                Emit::new(&p.url, dept, msg, ev)
                    .target(col.name.clone())
                    .subject(vec![p.url.to_string()])
                    .fetch(p.fetch_id),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::FollowRequest;

    #[test]
    fn empty_column_fires_and_listed_does_not() {
        let mut empty = column("财政预决算", &[]);
        empty.text = "财政预决算 暂无信息".into();
        let full = column("通知公告", &[("通知", &u("t.html"), Some("2022-06-01"))]);
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("czyjs/index.html"), empty),
            page(&u("tzgg/index.html"), full),
        ]);
        let f = run("column.empty", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].target.as_deref(), Some("财政预决算"));
        assert_eq!(f[0].evidence["empty_marker"], "暂无信息");
    }

    #[test]
    fn landing_pages_are_not_empty_columns() {
        let mut landing = column("政府信息公开", &[]);
        for (a, t) in [
            ("指南", "zwgk/gkzn/index.html"),
            ("制度", "zwgk/gkzd/index.html"),
            ("年报", "zwgk/ndbg/index.html"),
        ] {
            landing.links.push(gongkai_page::Link {
                raw: t.into(),
                url: Some(u(t)),
                kind: gongkai_page::LinkKind::Page,
                element: "a[href]".into(),
                anchor: a.into(),
                skip: None,
                region: Default::default(),
                hidden: None,
            });
        }
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("zwgk/index.html"), landing.clone()),
        ]);
        assert!(run("column.empty", &s, &ctx(2022, 7, 1)).is_empty());
        // ... unless it says it is empty.
        landing.text = "暂无数据".into();
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("zwgk/index.html"), landing),
        ]);
        assert_eq!(run("column.empty", &s, &ctx(2022, 7, 1)).len(), 1);
    }

    #[test]
    fn items_on_a_later_page_or_dataproxy_lists_count() {
        let p1 = column("通知公告", &[]);
        let p2 = column("通知公告", &[("通知", &u("t.html"), Some("2022-06-01"))]);
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("tzgg/index.html"), p1),
            page(&u("tzgg/index_1.html"), p2),
        ]);
        assert!(run("column.empty", &s, &ctx(2022, 7, 1)).is_empty());
        let mut hw = column("通知公告", &[]);
        hw.follow = Box::new([FollowRequest::HanwebDataProxy {
            endpoint: u("module/web/jpage/dataproxy.jsp"),
            form: vec![],
            perpage: 15,
            batch: 45,
        }]);
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("col/col5/index.html"), hw),
        ]);
        assert!(run("column.empty", &s, &ctx(2022, 7, 1)).is_empty());
    }
}
