//! A deeply paged column under `/deep/`, for crawl-coverage tests and benchmarks.
//!
//! Like many JSP portals, the column list is `/deep/list.jsp?page=k` and articles are
//! `/deep/show.jsp?id=n`: the list pages are linked **only** by 下一页 / 上一页 from one page to
//! the next (no page count, no 尾页), so a crawler that counts each list page one level deeper
//! loses the end of the column; and the articles are hundreds of query variants of one path, so
//! a query-variant trap guard that does not know list items cuts them. Articles also link to
//! their neighbours (上一篇 / 下一篇). Everything is a pure function of the request.

/// The deep column: `articles` articles, `per_page` per list page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeepColumn {
    articles: usize,
    per_page: usize,
}

impl Default for DeepColumn {
    /// 640 articles at 20 a page: 32 list pages.
    fn default() -> Self {
        DeepColumn::new(640, 20)
    }
}

impl DeepColumn {
    pub fn new(articles: usize, per_page: usize) -> Self {
        DeepColumn {
            articles: articles.max(1),
            per_page: per_page.max(1),
        }
    }

    pub fn articles(&self) -> usize {
        self.articles
    }

    /// Number of list pages.
    pub fn list_pages(&self) -> usize {
        self.articles.div_ceil(self.per_page)
    }

    /// Path of the column's home page.
    pub const HOME: &'static str = "/deep/index.html";

    /// Path and query of list page `k` (1-based).
    pub fn list_path(k: usize) -> String {
        format!("/deep/list.jsp?page={k}")
    }

    /// Path and query of article `n` (1-based).
    pub fn article_path(n: usize) -> String {
        format!("/deep/show.jsp?id={n}")
    }

    /// Every page of the site (home, list pages, articles), as path and query.
    pub fn all_paths(&self) -> Vec<String> {
        let mut v = vec![Self::HOME.to_string()];
        v.extend((1..=self.list_pages()).map(Self::list_path));
        v.extend((1..=self.articles).map(Self::article_path));
        v
    }

    /// The page at `path` (without query) with `query`, or None (404).
    pub fn page(&self, path: &str, query: Option<&str>) -> Option<String> {
        let num = |key: &str| -> Option<usize> {
            url::form_urlencoded::parse(query?.as_bytes())
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.parse().ok())
        };
        match path {
            "/deep/" | "/deep/index.html" => Some(self.home()),
            "/deep/list.jsp" => num("page")
                .filter(|k| (1..=self.list_pages()).contains(k))
                .map(|k| self.list(k)),
            "/deep/show.jsp" => num("id")
                .filter(|n| (1..=self.articles).contains(n))
                .map(|n| self.article(n)),
            _ => None,
        }
    }

    fn date(n: usize) -> String {
        // Newest first: article 1 is the latest.
        let days = 800usize.saturating_sub(n % 800);
        let (m, d) = (1 + (days / 28) % 12, 1 + days % 28);
        format!("2024-{m:02}-{d:02}")
    }

    fn doc(title: &str, body: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title}_青石县人民政府</title>\n</head>\n<body>\n\
             <div class=\"nav\"><a href=\"/deep/index.html\">首页</a> \
             <a href=\"/deep/list.jsp?page=1\">通知公告</a></div>\n{body}\
             <div class=\"footer\">主办单位：青石县人民政府办公室</div>\n</body>\n</html>\n"
        )
    }

    fn home(&self) -> String {
        let latest: String = (1..=5.min(self.articles))
            .map(|n| {
                format!("<li><a href=\"show.jsp?id={n}\">关于第{n}期工作安排的通知</a></li>\n")
            })
            .collect();
        Self::doc(
            "首页",
            &format!(
                "<h2>通知公告</h2>\n<ul class=\"latest\">\n{latest}</ul>\n\
                 <a href=\"list.jsp?page=1\">更多</a>\n"
            ),
        )
    }

    fn list(&self, k: usize) -> String {
        let first = (k - 1) * self.per_page + 1;
        let last = (k * self.per_page).min(self.articles);
        let items: String = (first..=last)
            .map(|n| {
                format!(
                    "<li><a href=\"show.jsp?id={n}\" target=\"_blank\">关于第{n}期工作安排的通知</a>\
                     <span class=\"date\">{}</span></li>\n",
                    Self::date(n)
                )
            })
            .collect();
        let mut pager = String::from("<div class=\"pagination\">");
        if k > 1 {
            pager.push_str(&format!("<a href=\"list.jsp?page={}\">上一页</a> ", k - 1));
        }
        if k < self.list_pages() {
            pager.push_str(&format!("<a href=\"list.jsp?page={}\">下一页</a>", k + 1));
        }
        pager.push_str("</div>\n");
        Self::doc(
            "通知公告",
            &format!(
                "<div class=\"position\">当前位置：<a href=\"/deep/index.html\">首页</a> &gt; \
                 通知公告</div>\n<ul class=\"list\">\n{items}</ul>\n{pager}"
            ),
        )
    }

    fn article(&self, n: usize) -> String {
        let mut around = String::new();
        if n > 1 {
            around.push_str(&format!("<a href=\"show.jsp?id={}\">上一篇</a> ", n - 1));
        }
        if n < self.articles {
            around.push_str(&format!("<a href=\"show.jsp?id={}\">下一篇</a>", n + 1));
        }
        Self::doc(
            &format!("关于第{n}期工作安排的通知"),
            &format!(
                "<div class=\"position\">当前位置：<a href=\"/deep/index.html\">首页</a> &gt; \
                 <a href=\"list.jsp?page=1\">通知公告</a></div>\n\
                 <h1>关于第{n}期工作安排的通知</h1>\n<p>发布日期：{}</p>\n\
                 <div class=\"content\"><p>各乡镇、各部门：现将第{n}期工作安排通知如下，请认真落实。</p></div>\n\
                 <div class=\"around\">{around}</div>\n",
                Self::date(n)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_exist_and_chain_by_next_only() {
        let d = DeepColumn::new(45, 20);
        assert_eq!(d.list_pages(), 3);
        assert_eq!(d.all_paths().len(), 1 + 3 + 45);
        let p2 = d.page("/deep/list.jsp", Some("page=2")).unwrap();
        assert!(p2.contains("list.jsp?page=3\">下一页"));
        assert!(p2.contains("list.jsp?page=1\">上一页"));
        assert!(!p2.contains("共"), "no page count");
        assert!(p2.contains("show.jsp?id=21\"") && p2.contains("show.jsp?id=40\""));
        let p3 = d.page("/deep/list.jsp", Some("page=3")).unwrap();
        assert!(!p3.contains("下一页"));
        assert!(d.page("/deep/list.jsp", Some("page=4")).is_none());
        assert!(d.page("/deep/show.jsp", Some("id=45")).is_some());
        assert!(d.page("/deep/show.jsp", Some("id=46")).is_none());
        assert!(d.page("/deep/other.jsp", None).is_none());
    }
}
