//! Coverage of a crawl: every URL that was found but not crawled, counted by reason, and every
//! crawled page that could not be read. A run cut by a limit is `partial`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a discovered URL was not crawled (fetched and parsed as a page).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum CutReason {
    /// The crawl budget (`max_pages`) was used up.
    MaxPages,
    /// The link-check budget (`max_checks`) was used up.
    MaxChecks,
    /// An in-scope page deeper than `max_depth`: checked, not parsed.
    MaxDepth,
    /// A page on another host: checked, not crawled (not a cut of the site).
    OutOfScope,
    /// robots.txt disallows it.
    Robots,
    /// Trap guard: too many query strings on one path (calendars, session ids).
    QueryVariants,
    /// Trap guard: URL longer than `max_url_len`.
    UrlTooLong,
    /// Trap guard: a pager chain longer than `max_pagination_chain`.
    PaginationChain,
    /// The site configuration excludes it.
    Excluded,
    /// A link with a scheme that is never fetched (ftp:, file:, weixin: …) or not a URL at all.
    Scheme,
}

impl CutReason {
    /// Every reason, in report order.
    pub const ALL: [CutReason; 10] = [
        CutReason::MaxPages,
        CutReason::MaxChecks,
        CutReason::MaxDepth,
        CutReason::Robots,
        CutReason::QueryVariants,
        CutReason::UrlTooLong,
        CutReason::PaginationChain,
        CutReason::Excluded,
        CutReason::Scheme,
        CutReason::OutOfScope,
    ];

    /// Stable code stored in SQLite.
    pub fn code(self) -> &'static str {
        match self {
            CutReason::MaxPages => "max-pages",
            CutReason::MaxChecks => "max-checks",
            CutReason::MaxDepth => "max-depth",
            CutReason::OutOfScope => "out-of-scope",
            CutReason::Robots => "robots",
            CutReason::QueryVariants => "query-variants",
            CutReason::UrlTooLong => "url-too-long",
            CutReason::PaginationChain => "pagination-chain",
            CutReason::Excluded => "excluded",
            CutReason::Scheme => "scheme",
        }
    }

    /// The reason for a stored code (the inverse of `code`).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Chinese label for summaries and reports.
    pub fn label(self) -> &'static str {
        match self {
            CutReason::MaxPages => "超出页数上限",
            CutReason::MaxChecks => "超出检查数上限",
            CutReason::MaxDepth => "超出深度",
            CutReason::OutOfScope => "站外链接（只检查不抓取）",
            CutReason::Robots => "robots.txt 禁止",
            CutReason::QueryVariants => "同一路径参数过多（日历、会话号等陷阱）",
            CutReason::UrlTooLong => "网址过长",
            CutReason::PaginationChain => "翻页链过长",
            CutReason::Excluded => "配置排除",
            CutReason::Scheme => "不抓取的协议或无效网址",
        }
    }

    /// A crawl limit: the site was not fetched completely because of it.
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            CutReason::MaxPages | CutReason::MaxChecks | CutReason::MaxDepth
        )
    }
}

/// Why a crawled page could not be read.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Unreadable {
    /// Body over the HTML cap.
    TooLarge,
    /// Answered with something that is not HTML (or could not be decoded as a page).
    NotHtml,
    /// Anti-bot challenge, 401/403/429 and the like.
    Blocked,
}

impl Unreadable {
    /// Every reason, in report order.
    pub const ALL: [Unreadable; 3] = [
        Unreadable::TooLarge,
        Unreadable::NotHtml,
        Unreadable::Blocked,
    ];

    /// Stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Unreadable::TooLarge => "too-large",
            Unreadable::NotHtml => "not-html",
            Unreadable::Blocked => "blocked",
        }
    }

    /// The reason for a stored code (the inverse of `code`).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Chinese label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Unreadable::TooLarge => "页面过大",
            Unreadable::NotHtml => "不是网页或无法解码",
            Unreadable::Blocked => "被拦截（验证页、拒绝访问）",
        }
    }
}

/// A URL the crawler did not crawl, as the store keeps it (one row per request key and run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutUrl {
    /// Request key (`GET url`), or `SKIP raw` for links that are not fetchable URLs.
    pub key: String,
    /// The URL not fetched.
    pub url: String,
    /// Why it was not fetched.
    pub reason: CutReason,
    /// The page it was found on.
    pub parent: Option<String>,
}

/// The coverage of one run, stored as JSON in `runs.coverage`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Crawl fetches (pages requested, whatever the answer).
    pub pages_fetched: u64,
    /// Distinct URLs not crawled, by [`CutReason`] code.
    #[serde(default)]
    pub not_fetched: BTreeMap<String, u64>,
    /// Crawled pages that could not be read, by [`Unreadable`] code.
    #[serde(default)]
    pub unreadable: BTreeMap<String, u64>,
}

impl Coverage {
    fn count(&self, r: CutReason) -> u64 {
        self.not_fetched.get(r.code()).copied().unwrap_or(0)
    }

    /// True when a crawl limit cut the run: conclusions about the whole site are not drawn.
    pub fn partial(&self) -> bool {
        CutReason::ALL
            .iter()
            .any(|r| r.is_limit() && self.count(*r) > 0)
    }

    /// The limits that cut the run.
    pub fn limits_hit(&self) -> Vec<CutReason> {
        CutReason::ALL
            .iter()
            .copied()
            .filter(|r| r.is_limit() && self.count(*r) > 0)
            .collect()
    }

    /// URLs of the site not crawled (out-of-scope links excluded: they are not the site's).
    pub fn not_fetched_total(&self) -> u64 {
        CutReason::ALL
            .iter()
            .filter(|r| **r != CutReason::OutOfScope)
            .map(|r| self.count(*r))
            .sum()
    }

    /// Fetched answers that could not be read, all reasons together.
    pub fn unreadable_total(&self) -> u64 {
        self.unreadable.values().sum()
    }

    /// Non-zero reasons with their Chinese labels, in a fixed order.
    pub fn not_fetched_labelled(&self) -> Vec<(&'static str, u64)> {
        CutReason::ALL
            .iter()
            .filter(|r| **r != CutReason::OutOfScope)
            .map(|r| (r.label(), self.count(*r)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Unreadable counts with their Chinese labels, in report order.
    pub fn unreadable_labelled(&self) -> Vec<(&'static str, u64)> {
        Unreadable::ALL
            .iter()
            .map(|u| {
                (
                    u.label(),
                    self.unreadable.get(u.code()).copied().unwrap_or(0),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// One line for terminals and logs, e.g.
    /// `已抓取页面 120；未抓取 30：超出页数上限 25、robots.txt 禁止 5；无法读取 2：页面过大 2；站外链接 7（只检查）`.
    pub fn summary_line(&self) -> String {
        let join = |v: Vec<(&str, u64)>| {
            v.iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join("、")
        };
        let mut s = format!("已抓取页面 {}", self.pages_fetched);
        let nf = self.not_fetched_total();
        if nf == 0 {
            s.push_str("；未抓取 0");
        } else {
            s.push_str(&format!(
                "；未抓取 {nf}：{}",
                join(self.not_fetched_labelled())
            ));
        }
        let ur = self.unreadable_total();
        if ur > 0 {
            s.push_str(&format!(
                "；无法读取 {ur}：{}",
                join(self.unreadable_labelled())
            ));
        }
        let out = self.count(CutReason::OutOfScope);
        if out > 0 {
            s.push_str(&format!("；站外链接 {out}（只检查不抓取）"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_partial_only_for_limits() {
        for r in CutReason::ALL {
            assert_eq!(CutReason::from_code(r.code()), Some(r));
        }
        for u in Unreadable::ALL {
            assert_eq!(Unreadable::from_code(u.code()), Some(u));
        }
        let mut c = Coverage {
            pages_fetched: 10,
            ..Coverage::default()
        };
        c.not_fetched.insert("query-variants".into(), 3);
        c.not_fetched.insert("out-of-scope".into(), 4);
        assert!(!c.partial());
        assert_eq!(c.not_fetched_total(), 3);
        c.not_fetched.insert("max-pages".into(), 2);
        c.unreadable.insert("too-large".into(), 1);
        assert!(c.partial());
        assert_eq!(c.limits_hit(), vec![CutReason::MaxPages]);
        let line = c.summary_line();
        assert!(
            line.starts_with("已抓取页面 10；未抓取 5：超出页数上限 2、"),
            "{line}"
        );
        assert!(line.contains("无法读取 1：页面过大 1"), "{line}");
        assert!(line.contains("站外链接 4"), "{line}");
    }
}
