//! PDF through `pdf-extract` (on lopdf), which maps glyphs to text with the fonts' ToUnicode
//! CMaps: the Type0 / Identity-H CID fonts of pdfs printed from WPS and Word come out as Chinese.
//! One chunk per page, located as `第N页`. No text on any page means a scanned image.

use crate::{Extracted, Format, Limits, Reason, Sink};
use pdf_extract::{Document, PlainTextOutput};

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Extracted {
    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.to_string();
            let m = msg.to_ascii_lowercase();
            let reason = if m.contains("decrypt") || m.contains("password") || m.contains("encrypt")
            {
                Reason::Encrypted
            } else {
                Reason::Corrupt
            };
            return Extracted::unreadable(Format::Pdf, reason, format!("pdf: {msg}"));
        }
    };
    let pages: Vec<u32> = doc
        .get_pages()
        .keys()
        .copied()
        .take(limits.max_pages as usize)
        .collect();
    // lopdf decrypts with the empty password while loading; when that fails the objects stay
    // ciphertext and no page (or no text) is found.
    let encrypted =
        doc.is_encrypted() || doc.was_encrypted() || doc.trailer.get(b"Encrypt").is_ok();
    if pages.is_empty() {
        let reason = if encrypted {
            Reason::Encrypted
        } else {
            Reason::Corrupt
        };
        return Extracted::unreadable(Format::Pdf, reason, "pdf without readable pages");
    }
    let mut sink = Sink::new(limits.max_text);
    let mut errors = 0usize;
    for n in pages {
        let mut s = String::new();
        let ok = {
            let mut out = PlainTextOutput::new(&mut s);
            pdf_extract::output_doc_page(&doc, &mut out, n).is_ok()
        };
        if !ok {
            errors += 1;
        }
        if !sink.push(format!("第{n}页"), s) {
            break;
        }
    }
    if sink.chunks.is_empty() {
        return if encrypted {
            Extracted::unreadable(Format::Pdf, Reason::Encrypted, "encrypted pdf without text")
        } else if errors > 0 {
            Extracted::unreadable(Format::Pdf, Reason::Corrupt, "no page could be read")
        } else {
            Extracted::unreadable(Format::Pdf, Reason::NoText, "no text layer")
        };
    }
    sink.finish(Format::Pdf)
}
