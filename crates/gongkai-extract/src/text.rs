//! csv and txt: charset detected as for pages (GBK is common), one chunk per line, located as
//! `第N行`.

use crate::{Extracted, Format, Limits, Sink};

pub(crate) fn extract(bytes: &[u8], content_type: Option<&str>, limits: &Limits) -> Extracted {
    // Page decoding: HTTP charset, BOM, then detection (gb2312 read as GB18030).
    let decoded = gongkai_page::decode(bytes, content_type);
    let mut sink = Sink::new(limits.max_text);
    for (i, line) in decoded.text.lines().enumerate() {
        if !sink.push(format!("第{}行", i + 1), line.to_string()) {
            break;
        }
    }
    sink.finish(Format::Text)
}
