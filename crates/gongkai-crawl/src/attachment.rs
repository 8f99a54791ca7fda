//! Attachments of the portal's own origins are read in full (up to
//! [`CrawlConfig::attachment_cap`]) so that their text can be checked; outside-origin
//! attachments are only checked for reachability. The record says which happened in its
//! `x-gongkai-attachment` header: `read` (the whole body is stored) or `too-large`.

use crate::config::CrawlConfig;
use crate::frontier::FrontierEntry;
use crate::outcome::{FetchPurpose, FetchRecord, Method};
use gongkai_page::LinkKind;

/// Header name of the marker kept with the record (evidence and the store's extraction query).
pub const MARKER: &str = "x-gongkai-attachment";

/// True when this checked link is an attachment on the crawl's own origins to read whole.
pub(crate) fn read_in_full(cfg: &CrawlConfig, entry: &FrontierEntry, in_scope: bool) -> bool {
    cfg.attachment_cap > 0
        && in_scope
        && entry.purpose == FetchPurpose::Check
        && entry.method == Method::Get
        && entry.link_kind == Some(LinkKind::Attachment)
}

/// Marks the record of a full attachment read; true when its body is to be stored. An HTML
/// answer (an error or login page served for the file) is left to the page checks.
pub(crate) fn mark(
    record: &mut FetchRecord,
    html: bool,
    truncated: bool,
    cap: usize,
    body: &[u8],
) -> bool {
    if html || !record.outcome.is_ok_like() {
        return false;
    }
    if truncated {
        record.body_truncated = true;
        record.error = Some(format!("attachment larger than {cap} bytes: not read"));
        record.headers.push((MARKER.into(), "too-large".into()));
        return false;
    }
    if body.is_empty() {
        return false;
    }
    record.headers.push((MARKER.into(), "read".into()));
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::FetchOutcome;

    fn entry(kind: LinkKind) -> FrontierEntry {
        FrontierEntry {
            url: "http://www.example.gov.cn/fj/a.xls".into(),
            method: Method::Get,
            request_body: None,
            purpose: FetchPurpose::Check,
            depth: 2,
            parent: None,
            link_kind: Some(kind),
            column: None,
        }
    }

    #[test]
    fn only_own_origin_attachments_are_read_whole() {
        let mut cfg = CrawlConfig::new(Vec::new());
        assert!(read_in_full(&cfg, &entry(LinkKind::Attachment), true));
        assert!(!read_in_full(&cfg, &entry(LinkKind::Attachment), false));
        assert!(!read_in_full(&cfg, &entry(LinkKind::Image), true));
        cfg.attachment_cap = 0;
        assert!(!read_in_full(&cfg, &entry(LinkKind::Attachment), true));
    }

    #[test]
    fn marks_say_what_happened() {
        let e = entry(LinkKind::Attachment);
        let mut r = crate::task::skipped_record(&e, FetchOutcome::Ok, "x");
        r.error = None;
        assert!(mark(&mut r, false, false, 10, b"PK"));
        assert_eq!(r.headers.last().unwrap().1, "read");
        let mut r = crate::task::skipped_record(&e, FetchOutcome::Ok, "x");
        assert!(!mark(&mut r, false, true, 10, b""));
        assert_eq!(r.headers.last().unwrap().1, "too-large");
        assert!(r.body_truncated);
        let mut r = crate::task::skipped_record(&e, FetchOutcome::NotFound, "x");
        assert!(!mark(&mut r, false, false, 10, b"PK"));
        assert!(r.headers.is_empty());
    }
}
