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
