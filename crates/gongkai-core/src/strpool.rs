//! One copy of each string that a site's page models repeat.
//!
//! A portal's pages come from a few templates: every page states the same footer, the same meta
//! tag names and site name, the same metadata labels; an article's title is printed in its
//! heading, its `ArticleTitle` meta and its metadata block, and listed again in its column; dates
//! recur across thousands of pages. The model strings that repeat are [`ArcStr`]s, and a
//! [`StringPool`] makes equal ones share one allocation while a site is loaded, so the rules'
//! input grows with what a site says, not with how often it says it (issue 11).

use crate::model::{ArcStr, PageModel};
use std::collections::HashSet;

/// The distinct strings seen so far; [`StringPool::share`] swaps a string for its first copy.
#[derive(Debug, Default)]
pub struct StringPool {
    set: HashSet<ArcStr>,
}

impl StringPool {
    /// Makes `s` the pool's copy of its text (adding it when new). The empty string is the
    /// static empty `ArcStr`, which allocates nothing.
    pub fn share(&mut self, s: &mut ArcStr) {
        if s.is_empty() {
            *s = ArcStr::new();
        } else if let Some(first) = self.set.get(s.as_str()) {
            *s = first.clone();
        } else {
            self.set.insert(s.clone());
        }
    }

    /// [`StringPool::share`] for an optional string.
    pub fn share_opt(&mut self, s: &mut Option<ArcStr>) {
        if let Some(s) = s {
            self.share(s);
        }
    }

    /// Number of distinct strings held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when the pool holds no string.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

impl PageModel {
    /// Shares the model's repeated strings through `pool` (see the module doc) and trims its
    /// lists to their length. What the model says is unchanged.
    pub fn share_strings(&mut self, pool: &mut StringPool) {
        pool.share(&mut self.title);
        pool.share_opt(&mut self.heading);
        if !self.guideline_meta.is_empty() {
            self.guideline_meta = std::mem::take(&mut self.guideline_meta)
                .into_iter()
                .map(|(mut k, mut v)| {
                    pool.share(&mut k);
                    pool.share(&mut v);
                    (k, v)
                })
                .collect();
        }
        for v in self.metadata.fields.values_mut() {
            pool.share(v);
        }
        for (l, v) in &mut self.metadata.raw {
            pool.share(l);
            pool.share(v);
        }
        self.metadata.raw.shrink_to_fit();
        for b in &mut self.breadcrumb {
            pool.share(b);
        }
        self.breadcrumb.shrink_to_fit();
        if let Some(c) = &mut self.column {
            pool.share(&mut c.name);
            for item in &mut c.items {
                pool.share(&mut item.title);
                pool.share_opt(&mut item.url);
                pool.share_opt(&mut item.date);
            }
            c.items.shrink_to_fit();
        }
        let f = &mut self.footer;
        for s in [
            &mut f.sponsor,
            &mut f.site_id_code,
            &mut f.icp,
            &mut f.police_beian,
        ] {
            pool.share_opt(s);
        }
        if let Some(t) = &mut self.term {
            pool.share(&mut t.quote);
            pool.share_opt(&mut t.effective);
            pool.share_opt(&mut t.expires);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ColumnItem, ColumnList, Field};

    fn article(title: &str, date: &str) -> PageModel {
        let mut m = PageModel {
            title: title.into(),
            heading: Some(title.into()),
            ..Default::default()
        };
        m.guideline_meta
            .insert("SiteName".into(), "滕州市人民政府".into());
        m.guideline_meta.insert("ArticleTitle".into(), title.into());
        m.metadata.fields.insert(Field::PublishDate, date.into());
        m.metadata.raw.push(("发布日期".into(), date.into()));
        m.footer.sponsor = Some("滕州市人民政府办公室".into());
        m
    }

    #[test]
    fn a_model_fits_a_256_byte_allocation() {
        // A loaded site holds one boxed model a page: jemalloc serves 257–320 bytes from its
        // 320-byte class, so a model a few bytes over 256 costs 64 more a page (6.4 MB at 100,000
        // pages). Rarely present parts (column list, term clause) are boxed or compact for this.
        assert!(std::mem::size_of::<PageModel>() <= 256);
    }

    #[test]
    fn equal_strings_share_one_allocation_and_the_model_is_unchanged() {
        let mut pool = StringPool::default();
        let (mut a, mut b) = (
            article("关于甲的通知", "2024-05-01"),
            article("关于乙的通知", "2024-05-01"),
        );
        let (a0, b0) = (a.clone(), b.clone());
        a.share_strings(&mut pool);
        b.share_strings(&mut pool);
        assert_eq!((&a, &b), (&a0, &b0), "sharing changes no text");
        let same = |x: &ArcStr, y: &ArcStr| ArcStr::ptr_eq(x, y);
        // Across pages: the footer, meta names and values, labels, dates.
        assert!(same(
            a.footer.sponsor.as_ref().unwrap(),
            b.footer.sponsor.as_ref().unwrap()
        ));
        let (ka, _) = a.guideline_meta.get_key_value("SiteName").unwrap();
        let (kb, _) = b.guideline_meta.get_key_value("SiteName").unwrap();
        assert!(same(ka, kb));
        assert!(same(&a.metadata.raw[0].1, &b.metadata.raw[0].1));
        assert!(same(
            &a.metadata.raw[0].1,
            &a.metadata.fields[&Field::PublishDate]
        ));
        // Within a page: the title, its heading and its ArticleTitle meta.
        assert!(same(&a.title, a.heading.as_ref().unwrap()));
        assert!(same(&a.title, &a.guideline_meta["ArticleTitle"]));
        assert!(!same(&a.title, &b.title));
        // title, heading and meta of two pages, SiteName key+value, ArticleTitle key, dates,
        // the 发布日期 label, the sponsor.
        assert_eq!(pool.len(), 8);
    }

    #[test]
    fn a_column_lists_the_titles_its_articles_print() {
        let mut pool = StringPool::default();
        let mut a = article("关于甲的通知", "2024-05-01");
        a.share_strings(&mut pool);
        let mut list = PageModel {
            column: Some(Box::new(ColumnList {
                name: "通知公告".into(),
                items: vec![ColumnItem {
                    title: "关于甲的通知".into(),
                    url: Some("http://x/a.html".into()),
                    date: Some("2024-05-01".into()),
                }],
                ..Default::default()
            })),
            ..Default::default()
        };
        list.share_strings(&mut pool);
        let item = &list.column.as_ref().unwrap().items[0];
        assert!(ArcStr::ptr_eq(&item.title, &a.title));
        assert!(ArcStr::ptr_eq(
            item.date.as_ref().unwrap(),
            &a.metadata.raw[0].1
        ));
    }
}
