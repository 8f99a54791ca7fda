//! `doc-validity-expired`: a normative document still marked in force past its term.
//!
//! How: a normative document whose page mark says it is in force (the vocabulary's `in_force`
//! marks: 现行有效 / 有效 / 继续有效, and none of `not_in_force`: 失效 / 废止 / 已修改 ...) although
//! its term has ended:
//! 1. its body's term clause (`PageModel::term`) states the end: 有效期至 a date before the as-of
//!    date, or 施行日期 + 有效期N年 before it (basis `term`);
//! 2. without a term clause, its 成文日期 (else 发布日期) is more than `max_years` years before the
//!    as-of date — `provisional_years` for titles with 暂行 / 试行 (Shandong's rule; basis
//!    `max-years`).
//!
//! "More than" is strict: on the last day of the term it does not fire. Marks with 长期 and marks
//! carrying an end date not yet reached (有效期至2030年…) are left alone, and so are undated
//! documents. A page marked 已废止 / 失效 past its term says the truth: it is not "expired".
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::doc_validity::{validity, Validity};
use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::{not_normative, Applies};
use crate::sitemodel::SiteModel;
use crate::text::add_years;
use chrono::NaiveDate;
use gongkai_page::dates::{find_dates, parse_date};
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "仍标注现行有效但已超过有效期的规范性文件";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub max_years: i32,
    pub provisional_years: i32,
    pub provisional_words: Vec<String>,
    /// Marks containing these are not judged (长期有效 ...).
    pub skip_marks: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_years: 5,
            provisional_years: 2,
            provisional_words: vec!["暂行".into(), "试行".into()],
            skip_marks: vec!["长期".into()],
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !(1..=50).contains(&self.max_years) {
            return Err(bad("max_years", "must be between 1 and 50"));
        }
        if !(1..=50).contains(&self.provisional_years) {
            return Err(bad("provisional_years", "must be between 1 and 50"));
        }
        Ok(())
    }
}

pub struct DocValidityExpired {
    p: Params,
}
crate::check_glue!(DocValidityExpired);

/// When and why a document's term ends.
struct Lapse {
    /// Last day in force.
    last_day: NaiveDate,
    basis: &'static str,
    /// Human (Chinese) statement of the term, for the message.
    stated: String,
    evidence: serde_json::Value,
}

impl DocValidityExpired {
    /// The end of the term the body's clause states, if it states one.
    fn term_lapse(&self, sm: &SiteModel<'_>, i: usize) -> Option<Lapse> {
        let t = sm.model(i).term.as_ref()?;
        let effective = t.effective.as_deref().and_then(parse_date);
        let (last_day, stated) = match (t.expires.as_deref().and_then(parse_date), t.years) {
            (Some(e), _) => (e, format!("正文规定有效期至{e}")),
            (None, Some(n)) => {
                let e = effective?;
                let end = add_years(e, i32::try_from(n).ok()?).pred_opt()?;
                (end, format!("正文规定自{e}起施行、有效期{n}年"))
            }
            _ => return None,
        };
        Some(Lapse {
            last_day,
            basis: "term",
            stated,
            evidence: json!({"term_clause": sm.term_quote(i), "effective": t.effective,
                "expires": t.expires, "years": t.years}),
        })
    }

    /// Shandong's default term from the 成文日期 (else 发布日期).
    fn age_lapse(&self, sm: &SiteModel<'_>, i: usize, title: &str) -> Option<Lapse> {
        let (date, which) = match sm.field(i, Field::WrittenDate).and_then(parse_date) {
            Some(d) => (d, "成文日期"),
            None => (
                sm.field(i, Field::PublishDate).and_then(parse_date)?,
                "发布日期",
            ),
        };
        let provisional = self
            .p
            .provisional_words
            .iter()
            .any(|w| !w.is_empty() && title.contains(w.as_str()));
        let years = if provisional {
            self.p.provisional_years
        } else {
            self.p.max_years
        };
        Some(Lapse {
            last_day: add_years(date, years),
            basis: "max-years",
            stated: format!(
                "{which}为{date}，已超过{years}年有效期{}",
                if provisional {
                    "（暂行/试行）"
                } else {
                    ""
                }
            ),
            evidence: json!({"date": date.to_string(), "date_field": which, "years": years,
                "provisional": provisional}),
        })
    }
}

impl Check for DocValidityExpired {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        if !sm.is_normative(i) {
            return Some(not_normative(sm, i));
        }
        let Validity::Found { value, .. } = validity(sm, i) else {
            return Some(Applies::NotJudged(
                "页面没有有效性标注（见 doc.validity-missing）".into(),
            ));
        };
        if !sm.vocab.validity.says_in_force(&value) {
            return Some(Applies::NotJudged(format!(
                "有效性标注为“{value}”，不是现行有效，无需判断是否过期"
            )));
        }
        let title = sm.title(i);
        Some(
            match (self.term_lapse(sm, i), self.age_lapse(sm, i, &title)) {
                (Some(l), _) | (None, Some(l)) => Applies::Judged(format!(
                    "标注“{value}”：{}，有效期最后一天为{}",
                    l.stated, l.last_day
                )),
                (None, None) => Applies::NotJudged(
                    "标注现行有效，但正文没有施行期限条款，页面也没有成文日期或发布日期".into(),
                ),
            },
        )
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let as_of = cx.as_of();
        let words = &sm.vocab.validity;
        for &i in &sm.normative {
            let Validity::Found { value, .. } = validity(sm, i) else {
                continue;
            };
            if !words.says_in_force(&value)
                || self
                    .p
                    .skip_marks
                    .iter()
                    .any(|m| !m.is_empty() && value.contains(m.as_str()))
                || find_dates(&value).iter().any(|d| *d >= as_of)
            {
                continue;
            }
            let title = sm.title(i);
            let lapse = match self.term_lapse(sm, i) {
                Some(l) => l,
                None => match self.age_lapse(sm, i, &title) {
                    Some(l) => l,
                    None => continue,
                },
            };
            if as_of <= lapse.last_day {
                continue;
            }
            let p = sm.page(i);
            let msg = format!(
                "规范性文件《{}》{}，已于{}到期，但仍标注“{}”，应及时更新有效性标注",
                crate::text::clip(&title, 60),
                lapse.stated,
                lapse.last_day,
                value
            );
            let mut ev = json!({
                "title": title,
                "validity": value,
                "basis": lapse.basis,
                "lapsed_on": lapse.last_day.to_string(),
                "days_over": (as_of - lapse.last_day).num_days(),
            });
            if let (Some(o), serde_json::Value::Object(extra)) =
                (ev.as_object_mut(), lapse.evidence)
            {
                o.extend(extra);
            }
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testkit::*;
    use gongkai_page::Field;

    fn s(title: &str, written: &str, validity: &str) -> crate::Site {
        let m = with_fields(
            article(title, "正文"),
            &[
                (Field::DocType, "规范性文件"),
                (Field::WrittenDate, written),
                (Field::Validity, validity),
            ],
        );
        site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)])
    }

    #[test]
    fn five_years_strict() {
        assert!(run(
            "doc.validity-expired",
            &s("滕州市XX管理办法", "2017-07-01", "现行有效"),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        let f = run(
            "doc.validity-expired",
            &s("滕州市XX管理办法", "2017-07-01", "现行有效"),
            &ctx(2022, 7, 2),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["days_over"], 1);
    }

    #[test]
    fn provisional_two_years_and_skips() {
        assert_eq!(
            run(
                "doc.validity-expired",
                &s("滕州市XX暂行办法", "2019-05-01", "有效"),
                &ctx(2022, 7, 1)
            )
            .len(),
            1
        );
        assert!(run(
            "doc.validity-expired",
            &s("滕州市XX管理办法", "2019-05-01", "有效"),
            &ctx(2022, 7, 1)
        )
        .is_empty());
        for v in [
            "已失效",
            "已废止",
            "长期有效",
            "有效期至2030年12月31日",
            "部分失效",
        ] {
            assert!(
                run(
                    "doc.validity-expired",
                    &s("滕州市XX暂行办法", "2010-01-01", v),
                    &ctx(2022, 7, 1)
                )
                .is_empty(),
                "{v}"
            );
        }
    }
}

#[cfg(test)]
mod term_tests {
    use crate::checks::testkit::*;
    use gongkai_page::{Field, TermClause};

    fn s(validity: &str, term: TermClause) -> crate::Site {
        let mut m = with_fields(
            article("滕州市XX管理办法", "正文"),
            &[
                (Field::DocType, "规范性文件"),
                (Field::WrittenDate, "2021-09-01"),
                (Field::Validity, validity),
            ],
        );
        m.term = Some(term);
        site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)])
    }

    fn until(expires: &str) -> TermClause {
        TermClause {
            quote: format!("本办法自2020年9月19日起施行，有效期至{expires}").into(),
            effective: Some("2020-09-19".into()),
            expires: Some(expires.into()),
            years: None,
        }
    }

    fn years(n: u32) -> TermClause {
        TermClause {
            quote: format!("本办法自2020年9月19日起施行，有效期{n}年").into(),
            effective: Some("2020-09-19".into()),
            expires: None,
            years: Some(n),
        }
    }

    #[test]
    fn a_stored_site_quotes_the_term_clause_from_the_page_text() {
        let text = "本办法自2020年9月19日起施行，有效期至2022年9月18日。";
        let mut m = with_fields(
            article("滕州市XX管理办法", text),
            &[
                (Field::DocType, "规范性文件"),
                (Field::WrittenDate, "2020-09-01"),
                (Field::Validity, "现行有效"),
            ],
        );
        m.term = gongkai_page::validity::term_clause(text);
        let quote = m.term.as_ref().unwrap().quote.to_string();
        let site = stored(site(vec![page(ROOT, home("")), page(&u("g/t1.html"), m)]));
        let f = run("doc.validity-expired", &site, &ctx(2022, 9, 19));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence["basis"], "term");
        assert_eq!(f[0].evidence["term_clause"], quote.as_str());
    }

    #[test]
    fn stated_end_date_decides() {
        let f = run(
            "doc.validity-expired",
            &s("现行有效", until("2022-09-18")),
            &ctx(2022, 9, 19),
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence["basis"], "term");
        assert_eq!(f[0].evidence["days_over"], 1);
        assert!(
            f[0].message.contains("有效期至2022-09-18"),
            "{}",
            f[0].message
        );
        // On the last day it is still in force.
        assert!(run(
            "doc.validity-expired",
            &s("现行有效", until("2022-09-18")),
            &ctx(2022, 9, 18)
        )
        .is_empty());
        // The term clause wins over Shandong's default: 成文 2021, term to 2030 → in force.
        assert!(run(
            "doc.validity-expired",
            &s("有效", until("2030-12-31")),
            &ctx(2027, 1, 1)
        )
        .is_empty());
    }

    #[test]
    fn n_years_from_effective_date() {
        // 2020-09-19 + 2 years: last day 2022-09-18.
        assert!(run(
            "doc.validity-expired",
            &s("有效", years(2)),
            &ctx(2022, 9, 18)
        )
        .is_empty());
        assert_eq!(
            run(
                "doc.validity-expired",
                &s("继续有效", years(2)),
                &ctx(2022, 9, 19)
            )
            .len(),
            1
        );
    }

    #[test]
    fn honest_marks_past_their_term_are_not_expired() {
        for mark in [
            "已废止",
            "已失效",
            "失效",
            "部分失效",
            "已修改",
            "长期有效",
            "无",
        ] {
            assert!(
                run(
                    "doc.validity-expired",
                    &s(mark, until("2021-01-01")),
                    &ctx(2023, 1, 1)
                )
                .is_empty(),
                "{mark}"
            );
        }
    }
}
