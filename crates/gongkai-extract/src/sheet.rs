//! Spreadsheets through calamine (xlsx, xls, ods; WPS `.et` files are one of the first two):
//! one chunk per non-empty cell, located as `Sheet2!C5`.

use crate::archive::{checked, Refused};
use crate::{Extracted, Format, Limits, Reason, Sink};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

/// Column letters of a 0-based column index (0 → A, 26 → AA).
pub(crate) fn column_name(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        // Integers stored as floats: written without ".0" (an ID held as a number has lost its
        // last digits anyway; a phone number has not).
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        other => Some(other.to_string()),
    }
}

pub(crate) fn extract(bytes: &[u8], format: Format, limits: &Limits) -> Extracted {
    // Zipped workbooks are inflated once under the bounds before calamine sees them.
    if matches!(format, Format::Xlsx | Format::Ods) {
        if let Err(Refused(r, d)) = checked(bytes, limits) {
            return Extracted::unreadable(format, r, d);
        }
    }
    let mut wb = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(e) => return Extracted::unreadable(format, classify(&e.to_string()), e.to_string()),
    };
    let mut sink = Sink::new(limits.max_text);
    let names = wb.sheet_names();
    'sheets: for name in names {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                let msg = e.to_string();
                if sink.chunks.is_empty() && classify(&msg) == Reason::Encrypted {
                    return Extracted::unreadable(format, Reason::Encrypted, msg);
                }
                continue;
            }
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, d) in range.used_cells() {
            let Some(text) = cell_text(d) else { continue };
            let loc = format!(
                "{}!{}{}",
                name,
                column_name(c0 + c as u32),
                r0 + r as u32 + 1
            );
            if !sink.push(loc, text) {
                break 'sheets;
            }
        }
    }
    sink.finish(format)
}

fn classify(msg: &str) -> Reason {
    let m = msg.to_ascii_lowercase();
    if m.contains("password") || m.contains("encrypt") {
        Reason::Encrypted
    } else {
        Reason::Corrupt
    }
}

#[cfg(test)]
mod tests {
    use super::column_name;

    #[test]
    fn columns() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(2), "C");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }
}
