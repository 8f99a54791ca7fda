//! A deterministic generated site under `/gen/`, for crash/resume tests and benchmarks.
//!
//! Page 0 is `/gen/index.html`, page `i` (1 ≤ i < N) is `/gen/{i}.html`. Every page has 20–40
//! links: the first goes to page 0, the second to page `i + 1` (so every page is reachable from
//! page 0), the rest to pseudo-random pages; about one link in twelve goes to
//! `/gen/missing/{i}-{k}.html`, which answers 404. Everything is a pure function of `(N, i)`.

use std::collections::BTreeSet;
use std::path::Path;

/// The generated site of `pages` pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenSite {
    pages: usize,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl GenSite {
    /// A site of `pages` pages (at least 1).
    pub fn new(pages: usize) -> Self {
        GenSite {
            pages: pages.max(1),
        }
    }

    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Path of page `i` (`/gen/index.html` for page 0).
    pub fn page_path(i: usize) -> String {
        if i == 0 {
            "/gen/index.html".to_string()
        } else {
            format!("/gen/{i}.html")
        }
    }

    /// Page number for a request path under `/gen/`, if it names an existing page.
    pub fn page_of(&self, path: &str) -> Option<usize> {
        match path {
            "/gen/" | "/gen/index.html" => Some(0),
            _ => {
                let n: usize = path
                    .strip_prefix("/gen/")?
                    .strip_suffix(".html")?
                    .parse()
                    .ok()?;
                // "/gen/0.html" and non-canonical spellings ("/gen/01.html") are not pages.
                (n > 0 && n < self.pages && Self::page_path(n) == path).then_some(n)
            }
        }
    }

    /// Link targets of page `i` (paths), in document order; empty when `i` is out of range.
    pub fn links(&self, i: usize) -> Vec<String> {
        if i >= self.pages {
            return Vec::new();
        }
        let n = 20 + (splitmix(i as u64) % 21) as usize;
        let mut out = Vec::with_capacity(n);
        out.push(Self::page_path(0));
        out.push(Self::page_path(if i + 1 < self.pages { i + 1 } else { 0 }));
        for k in 2..n {
            let r = splitmix(((i as u64) << 16) ^ (k as u64) ^ 0x6e6b_6f67);
            if r % 12 == 0 {
                out.push(format!("/gen/missing/{i}-{k}.html"));
            } else {
                out.push(Self::page_path(((r >> 8) % self.pages as u64) as usize));
            }
        }
        out
    }

    /// Every broken link target of the site (all pages are reachable, so all of these are seen by
    /// a full crawl).
    pub fn broken_targets(&self) -> BTreeSet<String> {
        (0..self.pages)
            .flat_map(|i| self.links(i))
            .filter(|l| l.starts_with("/gen/missing/"))
            .collect()
    }

    /// Number of (page, broken link) pairs over the whole site.
    pub fn broken_link_count(&self) -> usize {
        (0..self.pages)
            .map(|i| {
                self.links(i)
                    .iter()
                    .filter(|l| l.starts_with("/gen/missing/"))
                    .count()
            })
            .sum()
    }

    /// HTML of page `i`, or None when out of range.
    pub fn page_html(&self, i: usize) -> Option<String> {
        if i >= self.pages {
            return None;
        }
        let day = 1 + (splitmix(i as u64 ^ 0xda7e) % 28);
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>生成页面 {i}_压力测试站点</title>\n</head>\n<body>\n<h1>生成页面 {i}</h1>\n\
             <p>发布日期：2023-03-{day:02}</p>\n<p>本页面由测试服务器按固定规则生成，共{} 页。</p>\n<ul>\n",
            self.pages
        );
        for (k, link) in self.links(i).iter().enumerate() {
            let anchor = match k {
                0 => "首页".to_string(),
                1 => "下一页".to_string(),
                _ => format!("链接 {k}"),
            };
            html.push_str(&format!("<li><a href=\"{link}\">{anchor}</a></li>\n"));
        }
        html.push_str("</ul>\n</body>\n</html>\n");
        Some(html)
    }

    /// Writes the site as static files under `dir` (`dir/gen/index.html`, `dir/gen/1.html` ...).
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        let gen = dir.join("gen");
        std::fs::create_dir_all(&gen)?;
        for i in 0..self.pages {
            let path = Self::page_path(i);
            let name = path.trim_start_matches("/gen/");
            std::fs::write(gen.join(name), self.page_html(i).unwrap_or_default())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let site = GenSite::new(300);
        assert_eq!(site.links(7), GenSite::new(300).links(7));
        for i in 0..300 {
            let links = site.links(i);
            assert!(
                (20..=40).contains(&links.len()),
                "page {i}: {}",
                links.len()
            );
            for l in &links {
                assert!(
                    l.starts_with("/gen/missing/") || site.page_of(l).is_some(),
                    "{l}"
                );
            }
        }
        let broken = site.broken_link_count();
        let total: usize = (0..300).map(|i| site.links(i).len()).sum();
        assert!(
            broken * 100 / total >= 4 && broken * 100 / total <= 14,
            "{broken}/{total}"
        );
        assert!(!site.broken_targets().is_empty());
    }

    #[test]
    fn page_paths_round_trip() {
        let site = GenSite::new(10);
        assert_eq!(site.page_of("/gen/"), Some(0));
        assert_eq!(site.page_of("/gen/index.html"), Some(0));
        assert_eq!(site.page_of("/gen/9.html"), Some(9));
        assert_eq!(site.page_of("/gen/10.html"), None);
        assert_eq!(site.page_of("/gen/0.html"), None);
        assert_eq!(site.page_of("/gen/09.html"), None);
        assert!(site.page_html(9).is_some() && site.page_html(10).is_none());
    }

    #[test]
    fn writes_files() {
        let dir = tempfile::tempdir().unwrap();
        GenSite::new(5).write_to(dir.path()).unwrap();
        assert!(dir.path().join("gen/index.html").exists());
        assert!(dir.path().join("gen/4.html").exists());
    }
}
