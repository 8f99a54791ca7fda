//! Word documents as XML: docx (zip) and one-file WordprocessingML (Word 2003 XML as WPS writes
//! it, flat OPC). Paragraphs are located as `段落N`, table cells as `表格T 第R行第C列`; headers
//! and footers (where 密级 marks often sit) as `页眉` / `页脚`.

use crate::archive::{checked, entry, Refused};
use crate::{Extracted, Format, Limits, Reason, Sink};
use quick_xml::events::Event;

/// Walks WordprocessingML and pushes paragraphs and table cells. False once the sink is full.
fn walk(xml: &[u8], prefix: &str, sink: &mut Sink) -> Result<bool, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut para = 0usize;
    let mut table = 0usize;
    // (row, cell) of the outermost table being read; nested tables fill the outer cell.
    let mut tbl_depth = 0usize;
    let (mut row, mut col) = (0usize, 0usize);
    let mut in_t = false;
    let mut text = String::new();
    let mut cell = String::new();
    let loc = |s: String| {
        if prefix.is_empty() {
            s
        } else {
            format!("{prefix} {s}")
        }
    };
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("xml at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_t = true,
                b"tbl" => {
                    tbl_depth += 1;
                    if tbl_depth == 1 {
                        table += 1;
                        row = 0;
                    }
                }
                b"tr" if tbl_depth == 1 => {
                    row += 1;
                    col = 0;
                }
                b"tc" if tbl_depth == 1 => {
                    col += 1;
                    cell.clear();
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => text.push('\t'),
                b"br" | b"cr" => text.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_t => {
                let s = t
                    .unescape()
                    .map(|c| c.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                text.push_str(&s);
            }
            Event::CData(t) if in_t => text.push_str(&String::from_utf8_lossy(&t)),
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_t = false,
                b"p" => {
                    let p = std::mem::take(&mut text);
                    if tbl_depth > 0 {
                        if !cell.is_empty() {
                            cell.push('\n');
                        }
                        cell.push_str(&p);
                    } else {
                        para += 1;
                        if !sink.push(loc(format!("段落{para}")), p) {
                            return Ok(false);
                        }
                    }
                }
                b"tc" if tbl_depth == 1 => {
                    let c = std::mem::take(&mut cell);
                    if !sink.push(loc(format!("表格{table} 第{row}行第{col}列")), c) {
                        return Ok(false);
                    }
                }
                b"tbl" => tbl_depth = tbl_depth.saturating_sub(1),
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(true)
}

/// A docx package (also .wps / .docm saved as OOXML).
pub(crate) fn docx(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut zip = match checked(bytes, limits) {
        Ok(z) => z,
        Err(Refused(r, d)) => return Extracted::unreadable(Format::Docx, r, d),
    };
    let mut names: Vec<String> = zip
        .file_names()
        .filter(|n| {
            n.starts_with("word/")
                && n.ends_with(".xml")
                && (n.starts_with("word/header") || n.starts_with("word/footer"))
        })
        .map(str::to_string)
        .collect();
    names.sort();
    let mut sink = Sink::new(limits.max_text);
    let Some(main) = entry(&mut zip, "word/document.xml") else {
        return Extracted::unreadable(Format::Docx, Reason::Corrupt, "no word/document.xml");
    };
    match walk(&main, "", &mut sink) {
        Ok(true) => {}
        Ok(false) => return sink.finish(Format::Docx),
        Err(e) if sink.chunks.is_empty() => {
            return Extracted::unreadable(Format::Docx, Reason::Corrupt, e)
        }
        Err(_) => {}
    }
    for n in names {
        let prefix = if n.starts_with("word/header") {
            "页眉"
        } else {
            "页脚"
        };
        if let Some(x) = entry(&mut zip, &n) {
            if let Ok(false) = walk(&x, prefix, &mut sink) {
                break;
            }
        }
    }
    sink.finish(Format::Docx)
}

/// One-file WordprocessingML.
pub(crate) fn word_xml(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut sink = Sink::new(limits.max_text);
    match walk(bytes, "", &mut sink) {
        Err(e) if sink.chunks.is_empty() => {
            Extracted::unreadable(Format::WordXml, Reason::Corrupt, e)
        }
        _ => sink.finish(Format::WordXml),
    }
}
