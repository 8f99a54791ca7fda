//! Shared by the checks over attachment text: the pages that link an attachment and the
//! department they belong to (an attachment is the linking page's department's publication).

use crate::check::RuleCx;
use crate::site::SiteAttachment;

/// Linking pages (URLs, in link order, deduplicated, at most `max`) and the department of the
/// first one (or of the attachment's own URL when no crawled page links it).
pub(crate) fn linking(cx: &RuleCx<'_>, a: &SiteAttachment, max: usize) -> (Vec<String>, String) {
    let sm = cx.site;
    let mut pages: Vec<String> = Vec::new();
    let mut dept = None;
    for l in sm.links_to_attachment(&a.url) {
        let source_url = sm.source_url(&l);
        if pages.iter().any(|p| p.as_str() == source_url) {
            continue;
        }
        if dept.is_none() {
            dept = Some(cx.dept_page(l.source_page));
        }
        if pages.len() < max {
            pages.push(source_url.to_string());
        }
    }
    let dept = dept.unwrap_or_else(|| cx.dept_for(&a.url, &[]));
    (pages, dept)
}

/// The reason code of an unreadable attachment, in the words of a report.
pub(crate) fn reason_label(code: &str) -> &'static str {
    match code {
        "too-large" => "文件过大，未下载",
        "encrypted" => "文件已加密",
        "no-text" => "无文本层（扫描图片）",
        "corrupt" => "文件损坏",
        "hostile" => "超出安全限制（压缩炸弹等）",
        "timeout" => "读取超时",
        "unsupported" => "不支持的格式",
        _ => "无法读取",
    }
}
