//! Why a rule judged a page or not: the per-page answer behind `gongkai inspect`.
//!
//! [`explain_page`] evaluates the pack over the site (as a scan does), then for one page asks
//! every rule whether it judges that page ([`Applies`], answered per check kind) and lists the
//! findings it made there. Reasons are in Chinese: the output is for office staff asking "why was
//! this page flagged, or not".

use crate::check::RuleCx;
use crate::pack::RulePack;
use crate::sitemodel::SiteModel;
use crate::{evaluate, EvalContext, Finding, Site};
use gongkai_page::PageKind;
use serde::Serialize;

/// A check's answer for one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "kebab-case")]
pub enum Applies {
    /// The rule looks at this page; what it checks there.
    Judged(String),
    /// The rule does not look at this page; why not.
    NotJudged(String),
}

/// One rule's answer for the page, with its findings there.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVerdict {
    pub rule: String,
    pub title: String,
    pub check: String,
    #[serde(flatten)]
    pub applies: Applies,
    /// Findings of this rule reported at this page (link rules: links on this page).
    pub findings: Vec<Finding>,
}

/// What the rules make of one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageExplanation {
    pub url: String,
    /// The page took part in evaluation (crawled, answered 2xx with a page model, not a
    /// duplicate of another URL's bytes).
    pub evaluated: bool,
    /// The URL whose page stands for this one when its bytes duplicate it.
    pub same_as: Option<String>,
    pub title: String,
    /// 规范性文件 by the site model's definition.
    pub normative: bool,
    /// 政策解读 by the site model's definition.
    pub interpretation: bool,
    /// Column names the page belongs to (listing columns, breadcrumb, ColumnName).
    pub columns: Vec<String>,
    /// The date the rules place it at and where it came from (发布日期 / 成文日期 / PubDate /
    /// 列表日期).
    pub reference_date: Option<(String, String)>,
    /// Who a finding on this page goes to (empty: each rule's default), and the site's 主办单位 as
    /// its footer states it.
    pub department: String,
    pub sponsor: Option<String>,
    pub rules: Vec<RuleVerdict>,
}

/// Explains what every rule of `pack` makes of the page at `url` (requested or final URL) of
/// `site`; None when the site has no fetch of that URL.
pub fn explain_page(
    pack: &RulePack,
    site: &Site,
    ctx: &EvalContext,
    url: &str,
) -> Option<PageExplanation> {
    let sm = SiteModel::build(site, pack.vocabulary());
    let i = sm.lookup(url)?;
    let findings = evaluate(pack, site, ctx);
    let evaluated = sm.crawled.contains(&i);
    let page = sm.page(i);
    let here = |f: &Finding| f.url == page.url || f.url == page.final_url || f.url == url;
    let same_as = (crate::sitemodel::strip_fragment(&page.url)
        != crate::sitemodel::strip_fragment(url)
        && crate::sitemodel::strip_fragment(&page.final_url)
            != crate::sitemodel::strip_fragment(url))
    .then(|| page.url.to_string());
    let mut rules = Vec::new();
    for rule in pack.rules() {
        let cx = RuleCx {
            rule: crate::check::RuleRef {
                id: &rule.id,
                severity: rule.severity,
                ledger: &rule.ledger,
                department: &rule.department,
            },
            site: &sm,
            ctx,
            out: Default::default(),
        };
        let applies = if !rule.enabled {
            Applies::NotJudged("规则未启用（enabled = false）".into())
        } else if let Some(d) = rule.due.filter(|d| ctx.as_of <= *d) {
            Applies::NotJudged(format!("判定日期 {} 未晚于规则生效日期 {d}", ctx.as_of))
        } else if !evaluated {
            Applies::NotJudged(not_evaluated_reason(&sm, i))
        } else {
            rule.imp
                .applies(&cx, i)
                .unwrap_or_else(|| by_kind(&rule.check, &sm, i))
        };
        rules.push(RuleVerdict {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            check: rule.check.clone(),
            applies,
            findings: findings
                .iter()
                .filter(|f| f.rule == rule.id && here(f))
                .cloned()
                .collect(),
        });
    }
    // Without a publisher, an owner or a footer sponsor, the rule's own default decides.
    let department = if sm.page(i).model.is_some() {
        sm.department(i, ctx, "")
    } else {
        String::new()
    };
    Some(PageExplanation {
        url: page.url.to_string(),
        evaluated,
        same_as,
        title: sm.title(i),
        normative: sm.normative.contains(&i),
        interpretation: sm.interpretations.contains(&i),
        columns: if page.model.is_some() {
            sm.column_names(i)
        } else {
            Vec::new()
        },
        reference_date: sm
            .reference_date(i)
            .map(|(d, from)| (d.to_string(), from.to_string())),
        department,
        sponsor: sm.sponsor.as_deref().map(|s| ctx.canonical_department(s)),
        rules,
    })
}

/// Why a page took no part in evaluation.
fn not_evaluated_reason(sm: &SiteModel<'_>, i: usize) -> String {
    let p = sm.page(i);
    if !p.crawled {
        return "该地址只作为链接目标检查了能否访问，没有作为网站页面抓取分析".into();
    }
    if !matches!(
        p.outcome,
        gongkai_core::FetchOutcome::Ok | gongkai_core::FetchOutcome::Redirected
    ) {
        return format!("页面未成功获取（{}）", p.outcome.code());
    }
    match p.model.as_ref() {
        None => "不是网页（没有页面模型）".into(),
        Some(m) if m.challenge => "返回的是反爬虫验证页面，内容无法判断".into(),
        Some(_) => "与另一地址的页面内容完全相同，由那个地址代表".into(),
    }
}

/// Answers for check kinds without their own per-page answer.
fn by_kind(kind: &str, sm: &SiteModel<'_>, i: usize) -> Applies {
    let column = sm.model(i).column.is_some() || sm.model(i).kind == PageKind::ColumnList;
    match kind {
        "column-empty" if column => Applies::Judged("栏目列表页：检查栏目是否有信息条目".into()),
        "column-empty" => Applies::NotJudged("不是栏目列表页".into()),
        "column-required" => Applies::NotJudged(
            "全站检查：在所有页面的标题、面包屑、栏目名和链接文字中找必设栏目，不逐页判定".into(),
        ),
        "annual-report" => Applies::NotJudged(
            "全站检查：在全站标题、栏目条目和链接文字中找上一年度的年报，不逐页判定".into(),
        ),
        _ => Applies::NotJudged("全站级检查，不逐页判定".into()),
    }
}

/// Why page `i` is not a normative document (for the document rules).
pub(crate) fn not_normative(sm: &SiteModel<'_>, i: usize) -> Applies {
    let m = sm.model(i);
    let why = if sm.interpretations.contains(&i) {
        "是政策解读，不是规范性文件".to_string()
    } else if !sm.is_article(i) || m.column.is_some() {
        format!("不是文章页（页面类型：{}）", kind_zh(m.kind))
    } else {
        "不是规范性文件：没有列入名称含“规范性文件”的栏目（列表、面包屑、ColumnName），文件类型也不是规范性文件"
            .to_string()
    };
    Applies::NotJudged(why)
}

/// Chinese name of a page kind.
pub fn kind_zh(k: PageKind) -> &'static str {
    match k {
        PageKind::Home => "首页",
        PageKind::ColumnList => "栏目列表页",
        PageKind::Article => "文章页",
        PageKind::InfoDisclosureArticle => "信息公开文章页（有元数据）",
        PageKind::Other => "其他页面",
    }
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
