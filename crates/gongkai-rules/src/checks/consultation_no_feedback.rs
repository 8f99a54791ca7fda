//! `consultation-no-feedback`: a consultation that ended long ago with no published outcome.
//!
//! How: a consultation is an article whose title says 征求意见 / 征集意见 (`title_keywords`) and
//! does not itself report an outcome (`outcome_words`: 采纳 / 反馈 / 意见情况 / 结果). Its period
//! is read as `consultation-period` reads it; its end (the end date, else start + length) must be
//! more than `grace_days` (default 30) days before the as-of date. Its subject is the 《》 name
//! without a trailing （征求意见稿）/（草案）/（送审稿）, or the title less 关于 / 公开征求 / 征集意见 /
//! 公告 / 通知, the leading place name and the year; subjects under 4 characters are not judged.
//! Only consultations on decisions are judged (`decision_words` / `not_decision_words`, as
//! `consultation-period` scopes them). It fires unless some other crawled page reports the
//! outcome: its title has an outcome word and names the subject, or it is an article (not a
//! column list, which links every consultation) linking the consultation with an outcome word in
//! its title or text.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::consultation_period::{find_period, DecisionScope};
use crate::check::{bad, Check, DateParam, Emit, ParamError, RuleCx};

use crate::text::{clip, compact, key};
use chrono::{Days, NaiveDate};
use gongkai_page::parse_date;
use gongkai_page::Field;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::LazyLock;

pub const SUMMARY: &str = "征求意见结束后未公开意见采纳情况";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub grace_days: i64,
    pub title_keywords: Vec<String>,
    pub outcome_words: Vec<String>,
    pub context_words: Vec<String>,
    /// Consultations that ended before this date are not judged.
    pub since: Option<DateParam>,
    /// Only consultations on decisions (决策事项) are judged, as `consultation-period` scopes them.
    pub decision_words: Vec<String>,
    pub not_decision_words: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Params {
            grace_days: 30,
            title_keywords: v(&[
                "征求意见",
                "征集意见",
                "意见征集",
                "征求公众意见",
                "征求社会意见",
            ]),
            outcome_words: v(&["采纳", "反馈", "意见情况", "结果", "吸收"]),
            context_words: v(&["意见", "建议", "反馈", "征集", "征求"]),
            since: None,
            decision_words: DecisionScope::default().decision_words,
            not_decision_words: DecisionScope::default().not_decision_words,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(0..=365).contains(&self.grace_days) {
            return Err(bad("grace_days", "must be between 0 and 365"));
        }
        if self.title_keywords.is_empty() || self.outcome_words.is_empty() {
            return Err(bad(
                "title_keywords",
                "title_keywords and outcome_words must not be empty",
            ));
        }
        Ok(())
    }
}

pub struct ConsultationNoFeedback {
    p: Params,
}
crate::check_glue!(ConsultationNoFeedback);

static BOOK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^》]{2,80})》").expect("book regex"));
static DRAFT_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[（(](?:征求意见稿|草案|送审稿|草案征求意见稿|修订草案|修订稿|征求意见修改稿)[）)]$",
    )
    .expect("draft regex")
});
static PLACE_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\p{Han}{1,8}?(?:省|市|县|区|自治州|旗|镇|街道))?(?:人民政府)?|(?:19|20)\d{2}年度?",
    )
    .expect("place regex")
});

/// The consultation's subject (see the module doc).
pub(crate) fn subject(title: &str) -> Option<String> {
    let t = compact(title);
    if let Some(c) = BOOK.captures(&t) {
        let s = DRAFT_SUFFIX.replace(&c[1], "").to_string();
        return (s.chars().count() >= 4).then_some(s);
    }
    let mut s = t.clone();
    for w in [
        "关于",
        "公开征求",
        "征求意见",
        "征集意见",
        "意见征集",
        "的公告",
        "的通知",
        "公告",
        "通知",
        "对",
        "就",
        "向社会",
        "社会公众",
        "公众",
    ] {
        s = s.replace(w, "");
    }
    let s = PLACE_YEAR.replace_all(&s, "").to_string();
    let mut s = s.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    for tail in ["意见建议", "意见", "建议", "的"] {
        if let Some(t) = s.strip_suffix(tail) {
            s = t.to_string();
        }
    }
    (s.chars().count() >= 4).then_some(s)
}

impl ConsultationNoFeedback {
    fn is_outcome(&self, s: &str) -> bool {
        self.p
            .outcome_words
            .iter()
            .any(|w| !w.is_empty() && s.contains(w.as_str()))
    }

    fn is_consultation(&self, title: &str) -> bool {
        let t = compact(title);
        self.p
            .title_keywords
            .iter()
            .any(|k| t.contains(compact(k).as_str()))
            && !self.is_outcome(&t)
            && DecisionScope::is_decision(&self.p.decision_words, &self.p.not_decision_words, &t)
    }

    /// Pages that may report an outcome, found once per run: (page, title key, title says
    /// an outcome). Pages saying it in neither title nor text are never outcome pages.
    fn outcome_candidates(
        &self,
        sm: &crate::sitemodel::SiteModel<'_>,
    ) -> Vec<(usize, String, bool)> {
        sm.crawled
            .iter()
            .copied()
            .filter_map(|j| {
                let title = sm.title(j);
                let in_title = self.is_outcome(&title);
                (in_title || self.is_outcome(&sm.text(j))).then(|| (j, key(&title), in_title))
            })
            .collect()
    }

    /// The page (other than `i`) reporting the outcome of consultation `i` with subject `subj`.
    fn outcome_page(
        &self,
        sm: &crate::sitemodel::SiteModel<'_>,
        cands: &[(usize, String, bool)],
        i: usize,
        subj: &str,
    ) -> Option<usize> {
        let url = &sm.page(i).url;
        let sk = key(subj);
        cands
            .iter()
            .filter(|(j, _, _)| *j != i)
            .find(|(j, tk, in_title)| {
                (*in_title && tk.contains(sk.as_str()))
                    // A list page links every consultation and prints other pages' titles: only
                    // an article linking this one speaks of its outcome.
                    || (sm.is_article(*j)
                        && sm.model(*j).column.is_none()
                        && sm
                            .links_of(*j)
                            .any(|l| l.target_url == Some(url.as_str())))
            })
            .map(|(j, _, _)| *j)
    }
}

impl Check for ConsultationNoFeedback {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let as_of = cx.as_of();
        let mut cands: Option<Vec<(usize, String, bool)>> = None;
        for &i in &sm.crawled {
            if !sm.is_article(i) || sm.model(i).column.is_some() {
                continue;
            }
            let title = sm.title(i);
            if !self.is_consultation(&title) {
                continue;
            }
            let Some(subj) = subject(&title) else {
                continue;
            };
            let m = sm.model(i);
            let published = sm
                .field(i, Field::PublishDate)
                .and_then(parse_date)
                .or_else(|| m.guideline_meta.get("PubDate").and_then(|d| parse_date(d)));
            let Some(period) = find_period(&sm.text(i), published, &self.p.context_words) else {
                continue;
            };
            let end: Option<NaiveDate> = period.end.or_else(|| {
                let start = period.start.or(published)?;
                start.checked_add_days(Days::new(u64::try_from(period.days.max(1) - 1).ok()?))
            });
            let Some(end) = end else { continue };
            if self.p.since.is_some_and(|s| end < s.0) {
                continue;
            }
            let waited = (as_of - end).num_days();
            if waited <= self.p.grace_days {
                continue;
            }
            let cands = cands.get_or_insert_with(|| self.outcome_candidates(sm));
            if self.outcome_page(sm, cands, i, &subj).is_some() {
                continue;
            }
            let msg = format!(
                "《{}》征求意见已于{}结束，{}天后仍未见公开意见采纳情况（未找到标题含“{}”并说明采纳、反馈或意见情况的页面）",
                clip(&title, 60),
                end,
                waited,
                clip(&subj, 30)
            );
            let ev = json!({"title": title, "subject": subj, "end": end.to_string(), "days_since_end": waited});
            let p = sm.page(i);
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::subject;
    use crate::checks::testkit::*;

    const BODY: &str =
        "为广泛听取社会各界意见，现公开征求意见。征求意见时间：2022年3月1日至2022年3月31日。";

    fn cons() -> gongkai_page::PageModel {
        article(
            "关于公开征求《滕州市养犬管理办法（征求意见稿）》意见的公告",
            BODY,
        )
    }

    #[test]
    fn subjects() {
        assert_eq!(
            subject("关于公开征求《滕州市养犬管理办法（征求意见稿）》意见的公告").as_deref(),
            Some("滕州市养犬管理办法")
        );
        assert_eq!(
            subject("滕州市2022年老旧小区改造计划公开征求意见").as_deref(),
            Some("老旧小区改造计划")
        );
        assert_eq!(subject("征求意见").as_deref(), None);
    }

    #[test]
    fn a_list_page_linking_it_is_no_outcome_page() {
        let mut list = column(
            "征求意见",
            &[
                (
                    "关于公开征求《滕州市养犬管理办法（征求意见稿）》意见的公告",
                    &u("zq/1.html"),
                    Some("2022-03-01"),
                ),
                (
                    "关于《滕州市供水管理办法》征求意见采纳情况的反馈",
                    &u("zq/5.html"),
                    Some("2022-02-01"),
                ),
            ],
        );
        // The list prints the other consultation's outcome title in its text.
        list.text = "关于公开征求《滕州市养犬管理办法（征求意见稿）》意见的公告 关于《滕州市供水管理办法》征求意见采纳情况的反馈".into();
        let mut s = site(vec![
            page(ROOT, home("")),
            page(&u("zq/1.html"), cons()),
            page(&u("zq/index.html"), list),
        ]);
        add_link(&mut s, &u("zq/index.html"), &u("zq/1.html"), "养犬管理办法");
        assert_eq!(
            run("consultation.no-feedback", &s, &ctx(2022, 7, 1)).len(),
            1
        );
    }

    #[test]
    fn fires_without_outcome() {
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("zq/1.html"), cons()),
            page(
                &u("zq/2.html"),
                article("滕州市养犬管理办法政策解读", "解读"),
            ),
        ]);
        let f = run("consultation.no-feedback", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["end"], "2022-03-31");
        // Within 30 days of the end: silent.
        assert!(run("consultation.no-feedback", &s, &ctx(2022, 4, 30)).is_empty());
    }

    #[test]
    fn traps_published_outcome_by_title_or_by_link() {
        let by_title = site(vec![
            page(ROOT, home("")),
            page(&u("zq/1.html"), cons()),
            page(
                &u("zq/3.html"),
                article(
                    "关于《滕州市养犬管理办法》征求意见采纳情况的说明",
                    "共收到意见12条",
                ),
            ),
        ]);
        assert!(run("consultation.no-feedback", &by_title, &ctx(2022, 7, 1)).is_empty());
        let mut by_link = site(vec![
            page(ROOT, home("")),
            page(&u("zq/1.html"), cons()),
            page(
                &u("zq/4.html"),
                article(
                    "意见征集情况公示",
                    "我局对收到的意见进行了认真研究，反馈如下",
                ),
            ),
        ]);
        add_link(
            &mut by_link,
            &u("zq/4.html"),
            &u("zq/1.html"),
            "原征求意见公告",
        );
        by_link.links.last_mut().unwrap().source_page = Some(2);
        assert!(run("consultation.no-feedback", &by_link, &ctx(2022, 7, 1)).is_empty());
    }
}
