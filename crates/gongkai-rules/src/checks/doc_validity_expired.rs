//! `doc-validity-expired`: a normative document still marked in force past its validity term.
//!
//! How: a normative document whose validity mark says it is in force (现行有效 / 有效 / 继续有效,
//! and nothing like 失效 / 废止 / 已修改), whose 成文日期 (else 发布日期) is more than `max_years`
//! years before the as-of date — `provisional_years` for titles with 暂行 / 试行. "More than" is
//! strict: on the anniversary itself it does not fire. Marks with 长期 and marks carrying an end
//! date not yet reached (有效期至2030年…) are left alone, and so are documents without a date.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use super::doc_validity::{default_labels, default_marks, says_invalid, validity, Validity};
use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::text::{add_years, find_dates, parse_date};
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "仍标注现行有效但已超过有效期年限的规范性文件";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub max_years: i32,
    pub provisional_years: i32,
    pub provisional_words: Vec<String>,
    /// Marks that mean "in force".
    pub current_marks: Vec<String>,
    /// Marks containing these are not judged (长期有效 ...).
    pub skip_marks: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_years: 5,
            provisional_years: 2,
            provisional_words: vec!["暂行".into(), "试行".into()],
            current_marks: vec!["现行有效".into(), "有效".into(), "继续有效".into()],
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

impl Check for DocValidityExpired {
    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let as_of = cx.as_of();
        let (labels, marks) = (default_labels(), default_marks());
        for &i in &sm.normative {
            let Validity::Found { value, .. } = validity(sm, i, &labels, &marks) else {
                continue;
            };
            if says_invalid(&value)
                || !self
                    .p
                    .current_marks
                    .iter()
                    .any(|m| value.contains(m.as_str()))
                || self
                    .p
                    .skip_marks
                    .iter()
                    .any(|m| !m.is_empty() && value.contains(m.as_str()))
                || find_dates(&value).iter().any(|(_, d)| *d >= as_of)
            {
                continue;
            }
            let (date, which) = match sm.field(i, Field::WrittenDate).and_then(parse_date) {
                Some(d) => (d, "成文日期"),
                None => match sm.field(i, Field::PublishDate).and_then(parse_date) {
                    Some(d) => (d, "发布日期"),
                    None => continue,
                },
            };
            let title = sm.title(i);
            let provisional = self
                .p
                .provisional_words
                .iter()
                .any(|w| title.contains(w.as_str()));
            let years = if provisional {
                self.p.provisional_years
            } else {
                self.p.max_years
            };
            let lapse = add_years(date, years);
            if as_of <= lapse {
                continue;
            }
            let p = sm.page(i);
            let msg =
                format!(
                "规范性文件《{}》{}为{}，已超过{}年有效期{}，但仍标注“{}”，应及时更新有效性标注",
                crate::text::clip(&title, 60),
                which,
                date,
                years,
                if provisional { "（暂行/试行）" } else { "" },
                value
            );
            let ev = json!({
                "title": title,
                "validity": value,
                "date": date.to_string(),
                "date_field": which,
                "years": years,
                "provisional": provisional,
                "lapsed_on": lapse.to_string(),
                "days_over": (as_of - lapse).num_days(),
            });
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
