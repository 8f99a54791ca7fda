//! One copy of each string that a site's page models repeat.
//!
//! A portal's pages come from a few templates: every page states the same footer, the same meta
//! tag names and site name, the same metadata labels; an article's title is printed in its
//! heading, its `ArticleTitle` meta and its metadata block, and listed again in its column; dates
//! recur across thousands of pages. The model strings that repeat are [`ArcStr`]s, and a
//! [`StringPool`] makes equal ones share one allocation while a site is loaded, so the rules'
//! input grows with what a site says, not with how often it says it (issue 11).

use crate::model::{ArcStr, PageModel};
use crate::pairs::Keys;

/// Random seeds (a hostile site cannot make its strings collide) and foldhash's speed: every
/// string of every page model is looked up here while a site loads.
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// The distinct strings seen so far; [`StringPool::share`] swaps a string for its first copy.
#[derive(Debug, Default)]
pub struct StringPool {
    set: HashSet<ArcStr>,
    /// The distinct label lists of [`crate::pairs::Pairs`].
    lists: HashSet<Keys>,
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

    /// The pool's copy of label list `keys` (added when new): pages that print the same labels
    /// in the same order hold them once (see [`crate::pairs`]).
    pub(crate) fn share_list(&mut self, keys: Box<[ArcStr]>) -> Keys {
        if let Some(first) = self.lists.get(&keys) {
            return first.clone();
        }
        let keys = Keys::new(keys);
        self.lists.insert(keys.clone());
        keys
    }

    /// Number of distinct label lists held.
    pub fn lists(&self) -> usize {
        self.lists.len()
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
        self.guideline_meta.share(pool);
        for v in self.metadata.fields.values_mut() {
            pool.share(v);
        }
        self.metadata.raw.share(pool);
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
        assert!(same(
            a.metadata.raw.get(0).unwrap().1,
            b.metadata.raw.get(0).unwrap().1
        ));
        assert!(same(
            a.metadata.raw.get(0).unwrap().1,
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
            a.metadata.raw.get(0).unwrap().1
        ));
    }

    #[test]
    fn a_loaded_site_holds_an_articles_url_once() {
        use crate::site::{SiteBuilder, SitePage};
        let url = "http://x/zwgk/t20240501_1.html";
        let page = |url: &str, model: PageModel| SitePage {
            fetch_id: 0,
            url: url.into(),
            final_url: url.into(),
            status: Some(200),
            outcome: crate::FetchOutcome::Ok,
            content_type: None,
            fetched_at: "2024-05-02T00:00:00Z".into(),
            depth: 1,
            crawled: true,
            model: Some(Box::new(model)),
            body_sha256: None,
        };
        let mut a = article("关于甲的通知", "2024-05-01");
        a.guideline_meta.insert("Url".into(), url.into());
        let list = PageModel {
            column: Some(Box::new(ColumnList {
                name: "通知公告".into(),
                items: vec![ColumnItem {
                    title: "关于甲的通知".into(),
                    url: Some(url.into()),
                    date: None,
                }],
                ..Default::default()
            })),
            ..Default::default()
        };
        let mut b = SiteBuilder::new(1, vec![]);
        b.page(page("http://x/zwgk/", list));
        b.page(page(url, a));
        let site = b.finish();
        let article = &site.pages[1];
        let listed = &site.pages[0]
            .model
            .as_ref()
            .unwrap()
            .column
            .as_ref()
            .unwrap()
            .items[0];
        let meta = &article.model.as_ref().unwrap().guideline_meta["Url"];
        assert!(ArcStr::ptr_eq(&article.url, listed.url.as_ref().unwrap()));
        assert!(ArcStr::ptr_eq(&article.url, meta));
        assert!(ArcStr::ptr_eq(&article.url, &article.final_url));
    }
}
