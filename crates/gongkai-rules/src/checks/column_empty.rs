//! `column-empty`: a column whose list pages list no item (空白栏目).
//!
//! What: a column (its pagination pages grouped) none of whose pages lists an item. Columns whose
//! list is loaded by a request the crawl could not answer (a Hanweb dataproxy follow request) or
//! that claim more than one page are not judged. The evidence says whether the page shows an
//! explicit empty marker (暂无信息, 暂无数据, 没有记录 ...).
//! Why: 空白栏目 are counted by the national website checks (≥5 is a veto); ledger item 51.
//! Example: 政府信息公开 > 财政预决算 shows its heading and nothing under it.

use super::{to_toml, Check, ParamError};
use crate::eval::{Emit, RuleCx};
use crate::text::compact;
use gongkai_page::FollowRequest;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "栏目页没有任何信息条目（空白栏目）";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Texts that mark an empty list.
    pub empty_markers: Vec<String>,
    /// Column names (substrings) never judged, e.g. navigation-only parent columns.
    pub ignore: Vec<String>,
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
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        Ok(())
    }
}

pub struct ColumnEmpty {
    p: Params,
}
crate::check_glue!(ColumnEmpty);

impl Check for ColumnEmpty {
    fn params_toml(&self) -> String {
        to_toml(&self.p)
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
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
            let p = sm.page(first);
            let text = compact(&sm.model(first).text);
            let marker = self
                .p
                .empty_markers
                .iter()
                .find(|m| text.contains(compact(m).as_str()));
            let msg = format!("栏目“{}”没有任何信息条目（空白栏目）", col.name);
            let ev = json!({
                "column": col.name,
                "pages": col.pages.iter().map(|&i| sm.page(i).url.clone()).collect::<Vec<_>>(),
                "empty_marker": marker,
            });
            let dept = cx.dept_for(&p.final_url, std::slice::from_ref(&col.name));
            cx.emit(
                Emit::new(&p.url, dept, msg, ev)
                    .target(col.name.clone())
                    .subject(vec![p.url.clone()])
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
        hw.follow.push(FollowRequest::HanwebDataProxy {
            endpoint: u("module/web/jpage/dataproxy.jsp"),
            form: vec![],
            perpage: 15,
            batch: 45,
        });
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("col/col5/index.html"), hw),
        ]);
        assert!(run("column.empty", &s, &ctx(2022, 7, 1)).is_empty());
    }
}
