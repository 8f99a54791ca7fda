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
