//! Word 97-2003 binary documents (doc, and WPS `.wps` files, which use the same format) read by
//! hand: the OLE container through the `cfb` crate, then the File Information Block (FIB) of the
//! `WordDocument` stream, the piece table (CLX) in the `0Table` / `1Table` stream, and each piece
//! decoded as 8-bit (cp1252, "compressed") or UTF-16LE text ([MS-DOC] 2.4.1). Paragraphs are
//! located as `段落N`; table cells end with 0x07 and are read as their own paragraphs.

use crate::{Extracted, Format, Limits, Reason, Sink};
use std::io::{Cursor, Read};

/// Offsets in the WordDocument stream ([MS-DOC] 2.5.1, 2.5.6).
pub(crate) const FIB_FLAGS: usize = 0x0A;
pub(crate) const FIB_FC_CLX: usize = 0x01A2;
pub(crate) const FIB_LCB_CLX: usize = 0x01A6;
const F_ENCRYPTED: u16 = 0x0100;
pub(crate) const F_WHICH_TABLE: u16 = 0x0200;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn read_stream(
    ole: &mut cfb::CompoundFile<Cursor<&[u8]>>,
    name: &str,
    cap: usize,
) -> Option<Vec<u8>> {
    let s = ole.open_stream(name).ok()?;
    let mut out = Vec::new();
    s.take(cap as u64).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The pieces: (first CP, CP count, file offset, compressed).
fn pieces(clx: &[u8]) -> Option<Vec<(u32, u32, usize, bool)>> {
    let mut i = 0usize;
    // Skip Prc entries (0x01 + cbGrpprl + grpprl).
    while clx.get(i) == Some(&0x01) {
        let cb = u16_at(clx, i + 1)? as usize;
        i += 3 + cb;
    }
    if clx.get(i) != Some(&0x02) {
        return None;
    }
    let lcb = u32_at(clx, i + 1)? as usize;
    let plc = clx.get(i + 5..i + 5 + lcb)?;
    // lcb = 4 (n + 1) + 8 n
    if lcb < 4 || !(lcb - 4).is_multiple_of(12) {
        return None;
    }
    let n = (lcb - 4) / 12;
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let cp = u32_at(plc, 4 * k)?;
        let next = u32_at(plc, 4 * (k + 1))?;
        let pcd = 4 * (n + 1) + 8 * k;
        let fc = u32_at(plc, pcd + 2)?;
        let compressed = fc & 0x4000_0000 != 0;
        let offset = if compressed {
            ((fc & 0x3FFF_FFFF) / 2) as usize
        } else {
            fc as usize
        };
        out.push((cp, next.saturating_sub(cp), offset, compressed));
    }
    Some(out)
}

/// The document's characters, pieces in CP order.
fn text(doc: &[u8], table: &[u8], limits: &Limits) -> Result<String, (Reason, String)> {
    let fc_clx = u32_at(doc, FIB_FC_CLX).ok_or((Reason::Corrupt, "short FIB".into()))? as usize;
    let lcb_clx = u32_at(doc, FIB_LCB_CLX).ok_or((Reason::Corrupt, "short FIB".into()))? as usize;
    let clx = table
        .get(fc_clx..fc_clx.saturating_add(lcb_clx))
        .ok_or((Reason::Corrupt, "CLX outside the table stream".into()))?;
    let mut ps = pieces(clx).ok_or((Reason::Corrupt, "bad piece table".into()))?;
    ps.sort_by_key(|p| p.0);
    let mut out = String::new();
    for (_, count, offset, compressed) in ps {
        let count = count as usize;
        if out.len() > limits.max_text {
            break;
        }
        if compressed {
            let Some(bytes) = doc.get(offset..offset.saturating_add(count)) else {
                continue;
            };
            let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            out.push_str(&s);
        } else {
            let Some(bytes) = doc.get(offset..offset.saturating_add(count * 2)) else {
                continue;
            };
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            out.push_str(&String::from_utf16_lossy(&units));
        }
    }
    Ok(out)
}

/// Paragraph texts: field instructions (between 0x13 and 0x14) dropped, other control
/// characters made spaces, split at paragraph and cell marks.
fn paragraphs(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_field_code = 0usize;
    for c in raw.chars() {
        match c {
            '\u{13}' => in_field_code += 1,
            '\u{14}' | '\u{15}' => in_field_code = in_field_code.saturating_sub(1),
            _ if in_field_code > 0 => {}
            '\r' | '\u{7}' | '\u{c}' => out.push(std::mem::take(&mut cur)),
            '\u{b}' => cur.push('\n'),
            c if (c as u32) < 0x20 && c != '\t' => cur.push(' '),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut ole = match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(o) => o,
        Err(e) => return Extracted::unreadable(Format::Doc, Reason::Corrupt, format!("ole: {e}")),
    };
    let Some(doc) = read_stream(&mut ole, "/WordDocument", limits.max_input) else {
        return Extracted::unreadable(Format::Doc, Reason::Corrupt, "no WordDocument stream");
    };
    let Some(flags) = u16_at(&doc, FIB_FLAGS) else {
        return Extracted::unreadable(Format::Doc, Reason::Corrupt, "short FIB");
    };
    if flags & F_ENCRYPTED != 0 {
        return Extracted::unreadable(Format::Doc, Reason::Encrypted, "fEncrypted set");
    }
    let table_name = if flags & F_WHICH_TABLE != 0 {
        "/1Table"
    } else {
        "/0Table"
    };
    let Some(table) = read_stream(&mut ole, table_name, limits.max_input) else {
        return Extracted::unreadable(Format::Doc, Reason::Corrupt, "no table stream");
    };
    let raw = match text(&doc, &table, limits) {
        Ok(t) => t,
        Err((r, d)) => return Extracted::unreadable(Format::Doc, r, d),
    };
    let mut sink = Sink::new(limits.max_text);
    for (i, p) in paragraphs(&raw).into_iter().enumerate() {
        if !sink.push(format!("段落{}", i + 1), p) {
            break;
        }
    }
    sink.finish(Format::Doc)
}
