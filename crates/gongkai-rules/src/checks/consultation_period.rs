//! `consultation-period`: a public-comment period shorter than `min_days`.
//!
//! How: an article whose title says 征求意见 / 征集意见 (not a 结果 / 采纳 / 反馈 page) and names a
//! decision ([`DecisionScope`]: a draft, 办法, 规划, 方案, 政策 … and no 口号, 标识, 志愿者, 网站 …) is read for
//! its period, in sentences that speak of 意见 / 建议 / 反馈 / 征集 / 征求:
//! 1. a range "2022年6月1日至2022年6月30日", "自2022年6月1日起至6月30日止", "2022-06-01—2022-06-30"
//!    (a time of day may follow a date; an end without a year takes the start's year);
//! 2. else a stated length "征求意见期为15天" / "为期20日" / "10个工作日" (working days are reported
//!    only when no weekends and holidays could bring them to `min_days`);
//! 3. else an end date only ("截止日期：2022年6月30日", "截至…", "请于…前") counted from the
//!    publish date (发布日期, else the `PubDate` meta).
//!
//! Days are counted inclusive: 6月1日 to 6月30日 is 30 days, and exactly `min_days` does not fire.
//! Statistics like "截至2021年12月31日，全市…" do not count: the sentence must speak of opinions.
//! With `since` (the default pack: 2022-01-01), consultations that ended before it are left alone.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, DateParam, Emit, ParamError, RuleCx};
use crate::explain::Applies;
use crate::text::{compact, fold};
use chrono::{Datelike, NaiveDate};
use gongkai_page::dates::parse_date;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::LazyLock;

pub const SUMMARY: &str = "公开征求意见期限少于30日";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub min_days: i64,
    pub title_keywords: Vec<String>,
    /// Titles with these words are results / feedback pages, not the consultation itself.
    pub exclude_title: Vec<String>,
    /// A sentence must contain one of these for its dates to count.
    pub context_words: Vec<String>,
    /// Consultations that ended (or, without an end date, were published) before this date are
    /// not judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateParam>,
    /// Only consultations on decisions (决策事项) are judged: see [`DecisionScope`].
    pub decision_words: Vec<String>,
    pub not_decision_words: Vec<String>,
}

/// Which consultations are on decisions (决策事项: 重大行政决策, 规范性文件 and policy drafts), as
/// the ledger's 30-day rule and its 采纳情况 duty mean: a title naming a draft or a decision
/// (`decision_words`: 《》, 征求意见稿, 草案, 办法, 规划, 方案 …) and no subject that is no decision
/// (`not_decision_words`: 标识, 口号, 吉祥物, 志愿者, 网站 …, which wins unless the title names a
/// draft: 征求意见稿, 草案, 送审稿).
#[derive(Debug, Clone)]
pub struct DecisionScope {
    pub decision_words: Vec<String>,
    pub not_decision_words: Vec<String>,
}

impl Default for DecisionScope {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
        DecisionScope {
            decision_words: v(&[
                "《",
                "征求意见稿",
                "草案",
                "送审稿",
                "决策",
                "规范性文件",
                "办法",
                "规定",
                "条例",
                "细则",
                "规划",
                "方案",
                "政策",
                "措施",
                "决定",
                "标准",
                "计划",
                "实施意见",
                "指导意见",
                "规则",
                "目录",
                "清单",
            ]),
            not_decision_words: v(&[
                "标识",
                "LOGO",
                "logo",
                "Logo",
                "口号",
                "宣传语",
                "吉祥物",
                "命名",
                "名称征集",
                "志愿者",
                "作品",
                "征文",
                "摄影",
                "网站",
                "网页",
                "问卷",
                "满意度",
                "线索",
                "选题",
                "题材",
                "文创",
                "歌曲",
                "故事",
                "案例",
            ]),
        }
    }
}

impl DecisionScope {
    /// True when `title` is a consultation on a decision (see the type's doc). A title naming a
    /// draft (征求意见稿 / 草案 / 送审稿) is one whatever its subject (《政府网站集约化建设方案（征求意见稿）》).
    pub(crate) fn is_decision(decision: &[String], not_decision: &[String], title: &str) -> bool {
        const DRAFTS: [&str; 3] = ["征求意见稿", "草案", "送审稿"];
        let t = compact(title);
        if DRAFTS.iter().any(|d| t.contains(d)) {
            return true;
        }
        let has = |ws: &[String]| {
            ws.iter()
                .any(|w| !w.trim().is_empty() && t.contains(compact(w).as_str()))
        };
        has(decision) && !has(not_decision)
    }
}

impl Default for Params {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
        Params {
            min_days: 30,
            title_keywords: v(&[
                "征求意见",
                "征集意见",
                "意见征集",
                "征求公众意见",
                "征求社会意见",
            ]),
            exclude_title: v(&["结果", "采纳", "反馈", "情况的说明", "情况说明", "吸收"]),
            context_words: v(&["意见", "建议", "反馈", "征集", "征求"]),
            since: None,
            decision_words: DecisionScope::default().decision_words,
            not_decision_words: DecisionScope::default().not_decision_words,
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(1..=365).contains(&self.min_days) {
            return Err(bad("min_days", "must be between 1 and 365"));
        }
        if self.title_keywords.is_empty() {
            return Err(bad("title_keywords", "at least one keyword"));
        }
        Ok(())
    }
}

const DATE: &str = r"(?:19|20)\d{2}\s*[年\-/\.]\s*\d{1,2}\s*[月\-/\.]\s*\d{1,2}\s*日?";
const PART: &str = r"\d{1,2}\s*月\s*\d{1,2}\s*日";
const TIME: &str =
    r"(?:\s*(?:上午|下午|晚上)?\s*\d{1,2}\s*(?::\s*\d{2}|时|点)(?:\s*\d{1,2}\s*分)?)?";

static RANGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<a>{DATE}){TIME}\s*(?:起)?\s*(?:至|到|-|~|～)\s*(?P<b>{DATE}|{PART}){TIME}\s*(?:止)?"
    ))
    .expect("range")
});
static PART_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("part"));
static LEN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:为期|期限为?|期为|时间为|期限是)\s*(\d{1,3})\s*(个)?\s*(工作日|天|日)")
        .expect("len")
});
static END_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:截止|截至|止于|于|至)[^。；\d]{{0,8}}(?P<d>{DATE})|(?P<e>{DATE}){TIME}\s*(?:前|之前|止|截止)"))
        .expect("end")
});

/// Words one of which a sentence must contain for an end date alone to count.
const END_CONTEXT: &[&str] = &[
    "反馈",
    "截止",
    "截至",
    "提出",
    "提交",
    "寄送",
    "发送",
    "邮寄",
    "征求",
    "征集",
    "传真",
    "电子邮件",
];

/// True when dates sit in a validity / entry-into-force statement (有效期, 施行), not a period.
fn validity_context(before: &str, after: &str) -> bool {
    let b: String = before
        .chars()
        .rev()
        .take(10)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let a: String = after.chars().take(4).collect();
    ["有效期", "施行", "执行", "生效"]
        .iter()
        .any(|w| b.contains(w) || a.contains(w))
        || a.starts_with('起')
}

/// The period found in a text: (start, end, days, how, matched text).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Period {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub days: i64,
    pub method: &'static str,
    pub matched: String,
    /// For stated working days: the count as written.
    pub working_days: Option<i64>,
}

pub(crate) fn find_period(
    text: &str,
    published: Option<NaiveDate>,
    context: &[String],
) -> Option<Period> {
    let t = fold(text);
    let sentences: Vec<&str> = t
        .split(['。', '！', '？', ';', '；', '\n'])
        .filter(|s| context.iter().any(|c| s.contains(c.as_str())))
        .collect();
    for s in &sentences {
        for c in RANGE_RE.captures_iter(s) {
            let m0 = c.get(0).expect("match");
            if validity_context(&s[..m0.start()], &s[m0.end()..]) {
                continue;
            }
            let Some(a) = parse_date(&c["a"]) else {
                continue;
            };
            let b_txt = &c["b"];
            let b = parse_date(b_txt).or_else(|| {
                let p = PART_RE.captures(b_txt)?;
                let (m, d): (u32, u32) = (p[1].parse().ok()?, p[2].parse().ok()?);
                let y = if m < a.month() {
                    a.year() + 1
                } else {
                    a.year()
                };
                NaiveDate::from_ymd_opt(y, m, d)
            });
            let Some(b) = b else { continue };
            if b < a {
                continue;
            }
            return Some(Period {
                start: Some(a),
                end: Some(b),
                days: (b - a).num_days() + 1,
                method: "range",
                matched: c[0].trim().to_string(),
                working_days: None,
            });
        }
    }
    for s in &sentences {
        if let Some(c) = LEN_RE.captures(s) {
            let n: i64 = c[1].parse().ok()?;
            let working = &c[3] == "工作日";
            return Some(Period {
                start: None,
                end: None,
                days: n,
                method: if working {
                    "stated-working-days"
                } else {
                    "stated-days"
                },
                matched: c[0].to_string(),
                working_days: working.then_some(n),
            });
        }
    }
    let start = published?;
    for s in sentences
        .iter()
        .filter(|s| END_CONTEXT.iter().any(|w| s.contains(w)))
    {
        for c in END_RE.captures_iter(s) {
            let m0 = c.get(0).expect("match");
            if validity_context(&s[..m0.start()], &s[m0.end()..]) {
                continue;
            }
            let d = c
                .name("d")
                .or(c.name("e"))
                .and_then(|m| parse_date(m.as_str()));
            let Some(end) = d else { continue };
            if end < start {
                continue;
            }
            return Some(Period {
                start: Some(start),
                end: Some(end),
                days: (end - start).num_days() + 1,
                method: "end-date-from-publish-date",
                matched: c[0].trim().to_string(),
                working_days: None,
            });
        }
    }
    None
}

pub struct ConsultationPeriod {
    p: Params,
}
crate::check_glue!(ConsultationPeriod);

impl ConsultationPeriod {
    fn too_short(&self, p: &Period) -> bool {
        match p.working_days {
            // The most calendar days n working days can span: weekends plus a holiday week.
            Some(n) => n + 2 * ((n + 4) / 5) + 9 < self.p.min_days,
            None => p.days < self.p.min_days,
        }
    }
}

impl Check for ConsultationPeriod {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_article(i) || sm.model(i).column.is_some() {
            return Some(Applies::NotJudged("不是文章页".into()));
        }
        let tk = compact(&sm.title(i));
        let has = |ws: &[String]| {
            ws.iter()
                .any(|k| !k.is_empty() && tk.contains(compact(k).as_str()))
        };
        if !has(&self.p.title_keywords) {
            return Some(Applies::NotJudged("标题不含“征求意见”等字样".into()));
        }
        if has(&self.p.exclude_title) {
            return Some(Applies::NotJudged(
                "是征求意见结果或反馈，不是征求意见公告".into(),
            ));
        }
        if !DecisionScope::is_decision(&self.p.decision_words, &self.p.not_decision_words, &tk) {
            return Some(Applies::NotJudged(
                "不是决策事项（规范性文件、规划、方案、政策等草案）的征求意见".into(),
            ));
        }
        Some(Applies::Judged(format!(
            "征求意见公告：检查征求意见期限是否不少于{}日",
            self.p.min_days
        )))
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        for &i in &sm.crawled {
            if !sm.is_article(i) || sm.model(i).column.is_some() {
                continue;
            }
            let title = sm.title(i);
            let tk = compact(&title);
            if !self
                .p
                .title_keywords
                .iter()
                .any(|k| tk.contains(compact(k).as_str()))
                || self
                    .p
                    .exclude_title
                    .iter()
                    .any(|k| !k.is_empty() && tk.contains(compact(k).as_str()))
                || !DecisionScope::is_decision(
                    &self.p.decision_words,
                    &self.p.not_decision_words,
                    &tk,
                )
            {
                continue;
            }
            // 发布日期, else 成文日期, the PubDate meta, the date its list gives.
            let published = sm.reference_date(i).map(|(d, _)| d);
            let Some(period) = find_period(&sm.text(i), published, &self.p.context_words) else {
                continue;
            };
            if !self.too_short(&period) {
                continue;
            }
            if let Some(since) = self.p.since {
                if period.end.or(published).is_none_or(|d| d < since.0) {
                    continue;
                }
            }
            let p = sm.page(i);
            let span = match (period.start, period.end) {
                (Some(a), Some(b)) => format!("（{a}至{b}）"),
                _ => format!("（{}）", period.matched),
            };
            let unit = if period.working_days.is_some() {
                "个工作日"
            } else {
                "天"
            };
            let msg = format!(
                "《{}》征求意见期限为{}{}{}，少于{}日",
                crate::text::clip(&title, 60),
                period.days,
                unit,
                span,
                self.p.min_days
            );
            let ev = json!({
                "title": title,
                "start": period.start.map(|d| d.to_string()),
                "end": period.end.map(|d| d.to_string()),
                "days_inclusive": period.days,
                "working_days": period.working_days,
                "method": period.method,
                "matched": period.matched,
                "published": published.map(|d| d.to_string()),
                "min_days": self.p.min_days,
            });
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    fn ctxw() -> Vec<String> {
        Params::default().context_words
    }

    #[test]
    fn parses_forms() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        let p = find_period("征求意见时间：2022年6月1日至2022年6月30日。", None, &ctxw()).unwrap();
        assert_eq!(
            (p.start, p.end, p.days),
            (d(2022, 6, 1), d(2022, 6, 30), 30)
        );
        let p = find_period(
            "公开征求意见，时间自2022年12月20日起至1月18日止",
            None,
            &ctxw(),
        )
        .unwrap();
        assert_eq!((p.end, p.days), (d(2023, 1, 18), 30));
        let p = find_period(
            "意见反馈时间为2022-06-01 9:00—2022-06-10 17:00",
            None,
            &ctxw(),
        )
        .unwrap();
        assert_eq!(p.days, 10);
        let p = find_period(
            "请于2022年6月20日前将意见反馈至市司法局",
            d(2022, 6, 1),
            &ctxw(),
        )
        .unwrap();
        assert_eq!((p.days, p.method), (20, "end-date-from-publish-date"));
        let p = find_period("反馈意见截止日期：2022年7月10日", d(2022, 6, 1), &ctxw()).unwrap();
        assert_eq!(p.days, 40);
        let p = find_period("征求意见期为15天", None, &ctxw()).unwrap();
        assert_eq!((p.days, p.method), (15, "stated-days"));
        // Statistics and validity periods are not comment periods.
        assert!(find_period("截至2021年12月31日，全市累计完成投资10亿元。本意见自2022年7月1日起施行，有效期至2027年6月30日。", d(2022, 6, 1), &ctxw()).is_none());
    }

    fn s(title: &str, text: &str) -> crate::Site {
        let m = with_fields(
            article(title, text),
            &[
                (gongkai_page::Field::PublishDate, "2022-06-01"),
                (gongkai_page::Field::Publisher, "市司法局"),
            ],
        );
        site(vec![page(ROOT, home("")), page(&u("zqyj/t1.html"), m)])
    }

    #[test]
    fn exactly_thirty_days_does_not_fire() {
        let t = "关于《滕州市城市管理办法（征求意见稿）》公开征求意见的公告";
        assert!(run(
            "consultation.short-period",
            &s(t, "征求意见时间：2022年6月1日至2022年6月30日。"),
            &ctx(2022, 8, 1)
        )
        .is_empty());
        let f = run(
            "consultation.short-period",
            &s(t, "征求意见时间：2022年6月1日至2022年6月29日。"),
            &ctx(2022, 8, 1),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["days_inclusive"], 29);
        assert_eq!(f[0].department, "市司法局");
        assert!(f[0].message.contains("29天"), "{}", f[0].message);
    }

    #[test]
    fn only_consultations_on_decisions() {
        let body = "征求意见时间：2022年6月1日至2022年6月10日，欢迎提出意见建议。";
        for t in [
            "关于《滕州市养犬管理办法（征求意见稿）》公开征求意见的公告",
            "滕州市国土空间总体规划公开征求意见",
            "关于滕州市促进消费若干政策措施征求意见的通知",
            "关于重大行政决策事项公开征求意见的公告",
            "关于《滕州市政府网站集约化建设方案（征求意见稿）》公开征求意见的公告",
        ] {
            assert_eq!(
                run("consultation.short-period", &s(t, body), &ctx(2022, 8, 1)).len(),
                1,
                "{t}"
            );
        }
        for t in [
            "滕州市城市形象标识（LOGO）意见征集公告",
            "滕州市城市宣传口号意见征集",
            "关于滕州市人民政府网站改版征求意见的公告",
            "滕州马拉松志愿者招募意见征集",
            "关于征求意见的公告",
        ] {
            assert!(
                run("consultation.short-period", &s(t, body), &ctx(2022, 8, 1)).is_empty(),
                "{t}"
            );
            assert!(
                run("consultation.no-feedback", &s(t, body), &ctx(2022, 8, 1)).is_empty(),
                "{t}"
            );
        }
    }

    #[test]
    fn titles_and_working_days() {
        let body = "征求意见时间：2022年6月1日至2022年6月10日。";
        assert!(run(
            "consultation.short-period",
            &s("城市管理办法征求意见结果的反馈", body),
            &ctx(2022, 8, 1)
        )
        .is_empty());
        assert!(run(
            "consultation.short-period",
            &s("城市管理办法", body),
            &ctx(2022, 8, 1)
        )
        .is_empty());
        let t = "关于城市管理办法公开征集意见的公告";
        assert_eq!(
            run(
                "consultation.short-period",
                &s(t, "征求意见期限为10个工作日。"),
                &ctx(2022, 8, 1)
            )
            .len(),
            1
        );
        assert!(run(
            "consultation.short-period",
            &s(t, "征求意见期限为20个工作日。"),
            &ctx(2022, 8, 1)
        )
        .is_empty());
    }
}
