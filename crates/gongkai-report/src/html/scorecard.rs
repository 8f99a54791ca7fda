//! The scorecard of the national spot-check indicators (国办秘函〔2019〕19号, 政府网站与政务新媒体
//! 检查指标): each indicator a crawl can observe, its threshold, this run's figure, pass / fail and
//! the rules whose findings stand behind it; indicators a crawl cannot see are listed as such.
//! [`scorecard`] computes it from a run's findings; [`section`] renders it into the HTML report
//! and [`text`] for the terminal (`gongkai scorecard`).

use crate::model::ReportInput;
use crate::text::escape_html as esc;
use gongkai_core::Finding;
use std::fmt::Write;

/// What kind of indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorKind {
    /// 单项否决: one failure fails the whole site.
    Veto,
    /// 扣分: costs points.
    Deduction,
    /// Not observable by a crawl.
    NotObservable,
}

impl IndicatorKind {
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Veto => "单项否决",
            IndicatorKind::Deduction => "扣分",
            IndicatorKind::NotObservable => "无法由抓取判断",
        }
    }
}

/// One indicator's definition.
struct Def {
    kind: IndicatorKind,
    name: &'static str,
    threshold: &'static str,
    /// Rules whose findings are counted.
    rules: &'static [&'static str],
    /// Fails when the count reaches this (None for not observable).
    fail_at: Option<usize>,
    /// Only findings passing this filter count.
    filter: fn(&Finding) -> bool,
    note: &'static str,
}

fn all(_: &Finding) -> bool {
    true
}

/// Columns with a cycle of 6 months or less (动态要闻 2 weeks, 通知公告 / 政策文件 6 months).
fn short_cycle(f: &Finding) -> bool {
    f.evidence["cycle_days"].as_i64().is_some_and(|d| d <= 183)
}

const DEFS: &[Def] = &[
    Def {
        kind: IndicatorKind::Veto,
        name: "首页栏目信息更新",
        threshold: "监测前2周内首页有更新（超过14天未更新即否决）",
        rules: &["home.stale"],
        fail_at: Some(1),
        filter: all,
        note: "首页没有任何带日期信息时不判断",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "动态要闻、通知公告、政策文件类栏目不更新",
        threshold: "动态要闻超过2周、通知公告和政策文件超过6个月未更新的栏目，累计5个及以上即否决",
        rules: &["column.stale"],
        fail_at: Some(5),
        filter: short_cycle,
        note: "无日期条目按未更新计",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "应更新未更新栏目",
        threshold: "按更新周期应更新而未更新的栏目，累计10个及以上即否决",
        rules: &["column.stale"],
        fail_at: Some(10),
        filter: all,
        note: "周期：动态要闻14天，通知公告、政策文件6个月，其他1年",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "空白栏目",
        threshold: "栏目无任何信息，累计5个及以上即否决",
        rules: &["column.empty"],
        fail_at: Some(5),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "互动回应差",
        threshold: "网民留言超过3个月未答复，出现即否决",
        rules: &["interaction.unanswered"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "严重表述错误",
        threshold: "国名、机构、固定政治表述、地名等严重错别字，出现即否决",
        rules: &["text.serious-error"],
        fail_at: Some(1),
        filter: all,
        note: "只查受保护表述的同音、形近、漏字、重字错误；严重病句需人工",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "泄露个人隐私",
        threshold: "公开内容中出现完整身份证号等个人信息，出现即否决",
        rules: &["privacy.id-number"],
        fail_at: Some(1),
        filter: all,
        note: "涉密标志（秘密★等）未检查",
    },
    Def {
        kind: IndicatorKind::Veto,
        name: "暗链和违规链接",
        threshold: "隐藏的外站链接或链接到赌博、色情等网站，出现即否决",
        rules: &["link.dark"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "链接不可用",
        threshold: "存在不可用链接即扣分",
        rules: &["link.broken", "link.soft-404"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "留言答复及时性",
        threshold: "超过承诺工作日答复即扣分",
        rules: &["interaction.slow-reply"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "留言答复要素",
        threshold: "答复缺少留言时间、答复时间、答复单位即扣分",
        rules: &["interaction.reply-fields"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "网站标识",
        threshold: "缺少网站标识码、ICP备案号、公安机关备案号或元数据即扣分",
        rules: &["site.identity", "site.guideline-meta"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "信息发布及时性",
        threshold: "形成后超过20个工作日公开即扣分",
        rules: &["doc.late-publication"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "政策解读",
        threshold: "规范性文件无解读或解读简单摘抄即扣分",
        rules: &["doc.interpretation-missing", "interpretation.copied"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::Deduction,
        name: "征集调查",
        threshold: "征求意见期限不足或未公开意见采纳情况即扣分",
        rules: &["consultation.short-period", "consultation.no-feedback"],
        fail_at: Some(1),
        filter: all,
        note: "",
    },
    Def {
        kind: IndicatorKind::NotObservable,
        name: "站点无法访问",
        threshold: "监测1周，无法访问次数占比超过5%",
        rules: &[],
        fail_at: None,
        filter: all,
        note: "需连续一周多次监测，单次抓取无法判断",
    },
    Def {
        kind: IndicatorKind::NotObservable,
        name: "泄露国家秘密",
        threshold: "出现即否决",
        rules: &[],
        fail_at: None,
        filter: all,
        note: "密级标志未检查，内容是否涉密需人工判断",
    },
    Def {
        kind: IndicatorKind::NotObservable,
        name: "搜索、办事服务、政务新媒体、用户体验等",
        threshold: "按指标扣分",
        rules: &[],
        fail_at: None,
        filter: all,
        note: "需人工使用或不在网站抓取范围内",
    },
];

/// One indicator's result for a run.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub name: &'static str,
    pub threshold: &'static str,
    pub rules: Vec<&'static str>,
    /// Findings counted (None when not observable).
    pub figure: Option<usize>,
    /// Pass (true), fail (false), or not judged (None).
    pub pass: Option<bool>,
    /// Up to 5 URLs of the findings behind it.
    pub examples: Vec<String>,
    pub note: &'static str,
}

/// The scorecard of a run's findings. A rule the pack does not run still counts 0: callers pass
/// `enabled` (rule ids that ran) so that such indicators show as not judged.
pub fn scorecard(findings: &[&Finding], enabled: &[String]) -> Vec<Indicator> {
    DEFS.iter()
        .map(|d| {
            let ran = !d.rules.is_empty() && d.rules.iter().any(|r| enabled.iter().any(|e| e == r));
            let hits: Vec<&&Finding> = findings
                .iter()
                .filter(|f| d.rules.contains(&f.rule.as_str()) && (d.filter)(f))
                .collect();
            let (figure, pass) = match (d.fail_at, ran) {
                (Some(n), true) => (Some(hits.len()), Some(hits.len() < n)),
                _ => (None, None),
            };
            Indicator {
                kind: d.kind,
                name: d.name,
                threshold: d.threshold,
                rules: d.rules.to_vec(),
                figure,
                pass,
                examples: hits.iter().take(5).map(|f| f.url.clone()).collect(),
                note: d.note,
            }
        })
        .collect()
}

fn verdict(i: &Indicator) -> &'static str {
    match i.pass {
        Some(true) => "通过",
        Some(false) if i.kind == IndicatorKind::Veto => "否决",
        Some(false) => "扣分",
        None => "未判断",
    }
}

fn of_input(input: &ReportInput) -> Vec<Indicator> {
    let findings: Vec<&Finding> = input.findings.iter().map(|f| &f.finding).collect();
    let enabled: Vec<String> = input.rules.iter().map(|r| r.id.clone()).collect();
    scorecard(&findings, &enabled)
}

/// The scorecard as plain text (Chinese), one indicator per line.
pub fn text(input: &ReportInput) -> String {
    let items = of_input(input);
    let vetoed = items
        .iter()
        .filter(|i| i.kind == IndicatorKind::Veto && i.pass == Some(false))
        .count();
    let mut s = format!(
        "政府网站检查指标记分卡（国办秘函〔2019〕19号）· {} · {}\n结论：{}\n\n",
        input.site,
        input.run.as_of,
        if vetoed > 0 {
            format!("{vetoed}项单项否决指标未通过")
        } else {
            "可观测的单项否决指标均通过".into()
        }
    );
    for i in &items {
        let _ = writeln!(
            s,
            "[{}] {}：{}（{}；依据规则：{}）{}",
            i.kind.label(),
            i.name,
            match i.figure {
                Some(n) => format!("{} · {n}项", verdict(i)),
                None => verdict(i).to_string(),
            },
            i.threshold,
            if i.rules.is_empty() {
                "无".to_string()
            } else {
                i.rules.join("、")
            },
            if i.note.is_empty() {
                String::new()
            } else {
                format!(" 注：{}", i.note)
            }
        );
    }
    s
}

/// Renders the scorecard section of the HTML report.
pub fn section(h: &mut String, input: &ReportInput) {
    let items = of_input(input);
    h.push_str(
        "<section id=\"scorecard\"><h2>政府网站检查指标记分卡</h2><p class=\"muted\">依据国办秘函〔2019〕19号\
         《政府网站与政务新媒体检查指标》；只列抓取能观测的指标，其余注明无法判断。</p>\n<table><thead><tr><th>类别</th>\
         <th>指标</th><th>阈值</th><th>本次</th><th>结论</th><th>依据规则</th><th>说明</th></tr></thead><tbody>\n",
    );
    for i in &items {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i.kind.label(),
            esc(i.name),
            esc(i.threshold),
            i.figure.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            verdict(i),
            esc(&i.rules.join("、")),
            esc(i.note)
        );
    }
    h.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::Severity;

    fn f(rule: &str, cycle: Option<i64>) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            url: format!("http://x.gov.cn/{rule}"),
            target: None,
            department: "市政府办公室".into(),
            ledger: vec![],
            message: String::new(),
            evidence: match cycle {
                Some(c) => serde_json::json!({"cycle_days": c}),
                None => serde_json::json!({}),
            },
            fingerprint: rule.into(),
            fetch_id: None,
        }
    }

    #[test]
    fn thresholds_and_not_judged() {
        let enabled: Vec<String> = ["home.stale", "column.stale", "column.empty", "link.dark"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let fs: Vec<Finding> = (0..4)
            .map(|_| f("column.stale", Some(14)))
            .chain([f("link.dark", None)])
            .collect();
        let refs: Vec<&Finding> = fs.iter().collect();
        let sc = scorecard(&refs, &enabled);
        let by = |n: &str| sc.iter().find(|i| i.name == n).unwrap();
        assert_eq!(by("首页栏目信息更新").pass, Some(true));
        // 4 stale short-cycle columns: under the threshold of 5.
        assert_eq!(
            by("动态要闻、通知公告、政策文件类栏目不更新").figure,
            Some(4)
        );
        assert_eq!(
            by("动态要闻、通知公告、政策文件类栏目不更新").pass,
            Some(true)
        );
        assert_eq!(by("暗链和违规链接").pass, Some(false));
        // A rule that did not run: not judged.
        assert_eq!(by("严重表述错误").pass, None);
        assert_eq!(by("站点无法访问").kind, IndicatorKind::NotObservable);
        let fs5: Vec<Finding> = (0..5)
            .map(|_| f("column.stale", Some(183)))
            .chain([f("column.stale", Some(365))])
            .collect();
        let refs: Vec<&Finding> = fs5.iter().collect();
        let sc = scorecard(&refs, &enabled);
        let by = |n: &str| sc.iter().find(|i| i.name == n).unwrap();
        assert_eq!(
            by("动态要闻、通知公告、政策文件类栏目不更新").pass,
            Some(false)
        );
        assert_eq!(by("应更新未更新栏目").figure, Some(6));
        assert_eq!(by("应更新未更新栏目").pass, Some(true));
    }
}
