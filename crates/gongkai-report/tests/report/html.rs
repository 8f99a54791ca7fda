//! HTML report content and escaping of hostile crawled strings.

use crate::common::{sample, HOSTILE_IMG_TITLE, HOSTILE_SCRIPT_TITLE, JS_URL};
use gongkai_report::html;

#[test]
fn hostile_strings_only_escaped() {
    let page = html::render(&sample());
    // Exactly one script element: the report's own.
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the report's script"
    );
    assert!(!page.contains(HOSTILE_SCRIPT_TITLE));
    assert!(!page.contains(HOSTILE_IMG_TITLE));
    assert!(!page.contains("<img"));
    assert!(!page.contains("<img src"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;img src=x onerror=alert(4)&gt;"));
    assert!(page.contains("&lt;/pre&gt;&lt;script&gt;alert(5)&lt;/script&gt;"));
    // The javascript: URL is shown as text, never as a link.
    assert!(page.contains(JS_URL), "shown as text");
    assert!(!page.contains(&format!("href=\"{JS_URL}")));
    assert!(!page.to_lowercase().contains("href=\"javascript"));
    for href in page.split("href=\"").skip(1) {
        assert!(
            href.starts_with("https://") || href.starts_with("http://"),
            "{href:.40}"
        );
    }
}

#[test]
fn self_contained_with_csp() {
    let page = html::render(&sample());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("script-src 'sha256-"));
    assert!(!page.contains("<link"), "no external stylesheets");
    assert!(!page.contains("src=\""), "no external scripts or images");
    assert!(page.contains("<svg"), "trend chart inline");
}

#[test]
fn header_totals_and_citation() {
    let page = html::render(&sample());
    for needle in [
        "滕州市人民政府门户网站",
        "运行编号",
        "2026-01-26",
        "2026-01-26 01:30:00 UTC",
        "2026-01-26 09:30:00（北京时间）",
        "gongkai 0.1.0",
        "2026.1（哈希 abc123）",
        "按问题类型统计",
        "按责任单位统计",
        "文件 滕政办发〔2022〕11号",
        "条款 一（二）",
        "台账序号 5",
        "未整改（已 12 天）",
        "新发现 <b>3</b> 个",
        "已整改 <b>1</b> 个",
        "链接无法访问",
    ] {
        assert!(page.contains(needle), "missing {needle:?}");
    }
    // Filter data attributes are escaped.
    assert!(page.contains("data-dept=\"市场监管局[执法]/稽查:一科\""));
    assert_eq!(
        page.matches("<tr class=\"").count(),
        6,
        "5 open + 1 resolved rows"
    );
}

#[test]
fn empty_report_renders() {
    let page = html::render(&Default::default());
    assert!(page.contains("本次运行未发现问题"));
    assert!(page.contains("暂无历史运行数据"));
}

#[test]
fn coverage_section_and_partial_state() {
    let mut input = sample();
    assert!(!html::render(&input).contains("id=\"coverage\""));
    input.run.partial = true;
    input.run.coverage = Some(gongkai_report::RunCoverage {
        pages_fetched: 120,
        not_fetched: vec![("超出页数上限".into(), 30), ("robots.txt 禁止".into(), 2)],
        unreadable: vec![("页面过大".into(), 1)],
        out_of_scope: 4,
        limits_hit: vec!["超出页数上限".into()],
        not_judged: vec!["column.missing".into()],
        summary: "已抓取页面 120；未抓取 32".into(),
        nights: vec![
            "沿用最近核实结果：5 个页面、0 个链接目标，最后核实于 2026-01-20 至 2026-01-25".into(),
        ],
    });
    let page = html::render(&input);
    assert!(page.contains("<h2>覆盖情况</h2>"), "section");
    assert!(
        page.contains("最后核实于 2026-01-20 至 2026-01-25"),
        "nights line"
    );
    assert!(page.contains("<td>未抓取：超出页数上限</td><td>30</td>"));
    assert!(page.contains("<td>未抓取（合计）</td><td>32</td>"));
    assert!(page.contains("不完整（超出页数上限）"), "header state");
    assert!(page.contains("以下规则未判断：column.missing"));
}
