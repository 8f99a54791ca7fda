//! `doc-number-format`: a 文号 not written as 机关代字〔YYYY〕N号 (GB/T 9704-2012 §7.2.5).
//!
//! How: the 文号 field of normative documents (or, with `scope = "disclosure"`, of every
//! info-disclosure article). Several 文号 in one value (split on 、，,；;) are checked one by one.
//! A value that does not look like a 文号 at all (no year, or no number: "无", an organ name put
//! in the wrong row) is left alone. Reported problems: year brackets other than 〔〕 ([2022],
//! 【2022】, （2022）, (2022), 〔2022]), a two-digit year, 第 before the number, a leading zero,
//! no 号 at the end, a missing 机关代字.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::explain::{not_normative, Applies};
use gongkai_page::Field;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const SUMMARY: &str = "文号格式不符合 机关代字〔年份〕序号号";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// "normative" (normative documents) or "disclosure" (every info-disclosure article).
    pub scope: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            scope: "normative".into(),
        }
    }
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        if !matches!(self.scope.as_str(), "normative" | "disclosure") {
            return Err(bad("scope", "must be \"normative\" or \"disclosure\""));
        }
        Ok(())
    }
}

/// Problems of one 文号 (empty when standard); None when it does not look like a 文号 (no year
/// in brackets or no number). Read with gongkai-page's one 文号 parser, so every bracket
/// look-alike it knows is reported the same way.
pub(crate) fn problems(raw: &str) -> Option<Vec<&'static str>> {
    let d = gongkai_page::docnum::parse_doc_number(raw)?;
    d.year?;
    d.number?;
    let mut out = Vec::new();
    if d.agency.trim().is_empty() {
        out.push("缺少机关代字");
    }
    if d.bracket != ('〔', '〕') {
        out.push("年份应使用六角括号〔〕");
    }
    if d.year_short {
        out.push("年份应写全称（四位数字）");
    }
    if d.has_di {
        out.push("序号前不应加“第”");
    }
    if d.leading_zero {
        out.push("序号不应编虚位（前导0）");
    }
    if !d.ends_with_hao {
        out.push("序号后应加“号”");
    }
    Some(out)
}

pub struct DocNumberFormat {
    p: Params,
}
crate::check_glue!(DocNumberFormat);

impl Check for DocNumberFormat {
    fn applies(&self, cx: &RuleCx<'_>, i: usize) -> Option<Applies> {
        let sm = cx.site;
        let in_scope = if self.p.scope == "normative" {
            sm.is_normative(i)
        } else {
            sm.is_info_disclosure(i) && sm.is_article(i)
        };
        if !in_scope {
            return Some(if self.p.scope == "normative" {
                not_normative(sm, i)
            } else {
                Applies::NotJudged("不是有元数据的信息公开文章页".into())
            });
        }
        Some(match sm.field(i, Field::DocNumber) {
            Some(v) => Applies::Judged(format!("检查文号“{v}”的格式")),
            None => Applies::NotJudged("页面没有文号（或为“无”），无可检查的格式".into()),
        })
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let sm = cx.site;
        let pages: Vec<usize> = if self.p.scope == "normative" {
            sm.normative.clone()
        } else {
            sm.crawled
                .iter()
                .copied()
                .filter(|&i| sm.is_info_disclosure(i) && sm.is_article(i))
                .collect()
        };
        for i in pages {
            let Some(value) = sm.field(i, Field::DocNumber) else {
                continue;
            };
            let mut bad_ones = Vec::new();
            for part in value.split(['、', '，', ',', '；', ';']) {
                let part = part.trim();
                if let Some(pr) = problems(part) {
                    if !pr.is_empty() {
                        bad_ones.push(json!({"doc_number_format": part, "problems": pr}));
                    }
                }
            }
            if bad_ones.is_empty() {
                continue;
            }
            let p = sm.page(i);
            let first = &bad_ones[0];
            let probs: Vec<String> = first["problems"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let msg = format!(
                "《{}》的文号“{}”不规范：{}（应为 机关代字〔年份〕序号号，如 滕政办发〔2022〕11号）",
                crate::text::clip(&sm.title(i), 50),
                first["doc_number_format"].as_str().unwrap_or(""),
                probs.join("；")
            );
            let ev = json!({"value": value, "invalid": bad_ones, "title": sm.title(i)});
            let dept = cx.dept_page(i);
            cx.emit(Emit::new(&p.url, dept, msg, ev).fetch(p.fetch_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problems;
    use crate::checks::testkit::*;
    use gongkai_page::Field;

    #[test]
    fn variants() {
        for ok in [
            "滕政办发〔2022〕11号",
            "滕政办发 〔2022〕 11 号",
            "国办发〔2019〕1号",
            "鲁政字〔２０２２〕１０５号",
        ] {
            assert_eq!(problems(ok), Some(vec![]), "{ok}");
        }
        for (badv, want) in [
            ("滕政办发[2022]11号", "年份应使用六角括号〔〕"),
            ("滕政办发【2022】11号", "年份应使用六角括号〔〕"),
            ("滕政办发（2022）11号", "年份应使用六角括号〔〕"),
            ("滕政办发(2022)11号", "年份应使用六角括号〔〕"),
            ("滕政办发〔2022]11号", "年份应使用六角括号〔〕"),
            ("滕政办发〔2022〕第11号", "序号前不应加“第”"),
            ("滕政办发〔2022〕011号", "序号不应编虚位（前导0）"),
            ("滕政办发〔2022〕11", "序号后应加“号”"),
            ("滕政办发〔22〕11号", "年份应写全称（四位数字）"),
            ("〔2022〕11号", "缺少机关代字"),
        ] {
            let p = problems(badv).unwrap_or_default();
            assert!(p.contains(&want), "{badv}: {p:?}");
        }
        for not_docnum in ["无", "滕州市人民政府", "2022001", "", "—"] {
            assert_eq!(problems(not_docnum), None, "{not_docnum}");
        }
    }

    #[test]
    fn fires_on_normative_documents_only_by_default() {
        let doc = with_fields(
            article("办法", "正文"),
            &[
                (Field::DocType, "规范性文件"),
                (Field::DocNumber, "滕政办发[2022]第05号"),
            ],
        );
        let other = with_fields(
            article("通知", "正文"),
            &[
                (Field::IndexNumber, "1"),
                (Field::DocNumber, "滕政办字[2022]5号"),
            ],
        );
        let ok = with_fields(
            article("办法2", "正文"),
            &[
                (Field::DocType, "规范性文件"),
                (Field::DocNumber, "滕政办发〔2022〕5号、滕政发〔2022〕6号"),
            ],
        );
        let s = site(vec![
            page(ROOT, home("")),
            page(&u("a.html"), doc),
            page(&u("b.html"), other),
            page(&u("c.html"), ok),
        ]);
        let f = run("doc.number-format", &s, &ctx(2022, 7, 1));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].url, u("a.html"));
        assert!(
            f[0].message.contains("六角括号")
                && f[0].message.contains("第")
                && f[0].message.contains("前导0"),
            "{}",
            f[0].message
        );
    }
}
