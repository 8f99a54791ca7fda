//! OFD (GB/T 33190, the national fixed-layout format): a zip whose pages are XML files with
//! `TextCode` elements. Pages follow the order of `Document.xml`'s page list (falling back to the
//! page directories' numbers); each page is one chunk located as `第N页`.

use crate::archive::{checked, entry, Refused};
use crate::{Extracted, Format, Limits, Reason, Sink};
use quick_xml::events::Event;

/// Text of the TextCode elements of one page, in document order.
fn page_text(xml: &[u8]) -> String {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_code = false;
    let mut last_y: Option<String> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Err(_) | Ok(Event::Eof) => break,
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"TextCode" => {
                in_code = true;
                // A new line when the baseline moves.
                let y = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"Y")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                if !out.is_empty() && y != last_y {
                    out.push('\n');
                }
                last_y = y;
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"TextCode" => in_code = false,
            Ok(Event::Text(t)) if in_code => {
                let s = t
                    .unescape()
                    .map(|c| c.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                out.push_str(&s);
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

/// Page content paths in reading order: from `Doc_N/Document.xml`'s `Page BaseLoc`s.
fn page_order(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>) -> Vec<String> {
    let mut docs: Vec<String> = zip
        .file_names()
        .filter(|n| n.ends_with("Document.xml"))
        .map(str::to_string)
        .collect();
    docs.sort();
    let mut pages = Vec::new();
    for d in docs {
        let dir = d
            .rsplit_once('/')
            .map(|(a, _)| format!("{a}/"))
            .unwrap_or_default();
        let Some(xml) = entry(zip, &d) else { continue };
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Err(_) | Ok(Event::Eof) => break,
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Page" => {
                    if let Some(a) = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"BaseLoc")
                    {
                        let loc = String::from_utf8_lossy(&a.value)
                            .trim_start_matches('/')
                            .to_string();
                        let full = if loc.starts_with(&dir) || dir.is_empty() {
                            loc
                        } else {
                            format!("{dir}{loc}")
                        };
                        pages.push(full);
                    }
                }
                _ => {}
            }
            buf.clear();
        }
    }
    if pages.is_empty() {
        let mut found: Vec<(u32, String)> = zip
            .file_names()
            .filter(|n| n.contains("/Pages/Page_") && n.ends_with("Content.xml"))
            .map(|n| {
                let num = n
                    .split("/Page_")
                    .nth(1)
                    .and_then(|r| r.split('/').next())
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(u32::MAX);
                (num, n.to_string())
            })
            .collect();
        found.sort();
        pages = found.into_iter().map(|(_, n)| n).collect();
    }
    pages
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Extracted {
    let mut zip = match checked(bytes, limits) {
        Ok(z) => z,
        Err(Refused(r, d)) => return Extracted::unreadable(Format::Ofd, r, d),
    };
    let pages = page_order(&mut zip);
    if pages.is_empty() {
        return Extracted::unreadable(Format::Ofd, Reason::Corrupt, "no pages in OFD");
    }
    let mut sink = Sink::new(limits.max_text);
    for (i, p) in pages.iter().enumerate() {
        let Some(xml) = entry(&mut zip, p) else {
            continue;
        };
        if !sink.push(format!("第{}页", i + 1), page_text(&xml)) {
            break;
        }
    }
    if sink.chunks.is_empty() {
        return Extracted::unreadable(Format::Ofd, Reason::NoText, "no TextCode in any page");
    }
    sink.finish(Format::Ofd)
}
