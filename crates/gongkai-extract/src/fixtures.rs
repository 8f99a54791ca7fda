//! Small files of every supported format written in code, for tests here and for the fixture
//! attachments of the binary's end-to-end tests (`examples/make_fixtures.rs`). They are built
//! the way real producers lay them out (a Type0 / Identity-H font with a ToUnicode CMap as WPS
//! and Word print, BIFF8 in an OLE container, a Word 97 piece table), small enough to read.
//!
//! Test helpers: they panic on an I/O error of an in-memory writer, which cannot happen.

use crate::word::{FIB_FC_CLX, FIB_FLAGS, FIB_LCB_CLX, F_WHICH_TABLE};
use std::io::{Cursor, Write};

/// A Word 97 binary document: one UTF-16 piece; paragraphs split by `\r`.
pub fn doc(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let text_at = 0x0800usize;
    let mut word = vec![0u8; text_at];
    word[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    word[FIB_FLAGS..FIB_FLAGS + 2].copy_from_slice(&F_WHICH_TABLE.to_le_bytes());
    for u in &units {
        word.extend_from_slice(&u.to_le_bytes());
    }
    let mut plc = Vec::new();
    plc.extend_from_slice(&0u32.to_le_bytes());
    plc.extend_from_slice(&(units.len() as u32).to_le_bytes());
    plc.extend_from_slice(&0u16.to_le_bytes());
    plc.extend_from_slice(&(text_at as u32).to_le_bytes());
    plc.extend_from_slice(&0u16.to_le_bytes());
    // A Prc first (formatting), as Word writes, then the Pcdt.
    let mut clx = vec![0x01, 0x02, 0x00, 0xAA, 0xBB, 0x02];
    clx.extend_from_slice(&(plc.len() as u32).to_le_bytes());
    clx.extend_from_slice(&plc);
    word[FIB_FC_CLX..FIB_FC_CLX + 4].copy_from_slice(&0u32.to_le_bytes());
    word[FIB_LCB_CLX..FIB_LCB_CLX + 4].copy_from_slice(&(clx.len() as u32).to_le_bytes());
    ole(&[("/WordDocument", word), ("/1Table", clx)])
}

/// An OLE compound file of these streams.
pub fn ole(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut ole = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("in-memory ole");
    for (name, data) in streams {
        let mut s = ole.create_stream(name).expect("stream");
        s.write_all(data).expect("write");
    }
    ole.flush().expect("flush");
    ole.into_inner().into_inner()
}

fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

fn bof(dt: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&0x0600u16.to_le_bytes());
    d.extend_from_slice(&dt.to_le_bytes());
    d.extend_from_slice(&[0; 12]);
    d
}

/// (row, column, text) of one xls cell.
pub type Cell<'a> = (u16, u16, &'a str);

/// A BIFF8 workbook (xls): sheets of (row, column, text) cells written as LABEL records.
pub fn xls(sheets: &[(&str, Vec<Cell<'_>>)]) -> Vec<u8> {
    let mut streams: Vec<Vec<u8>> = Vec::new();
    for (_, cells) in sheets {
        let mut s = Vec::new();
        record(&mut s, 0x0809, &bof(0x0010));
        for (r, c, text) in cells {
            let units: Vec<u16> = text.encode_utf16().collect();
            let mut d = Vec::new();
            d.extend_from_slice(&r.to_le_bytes());
            d.extend_from_slice(&c.to_le_bytes());
            d.extend_from_slice(&0u16.to_le_bytes());
            d.extend_from_slice(&(units.len() as u16).to_le_bytes());
            d.push(1);
            for u in units {
                d.extend_from_slice(&u.to_le_bytes());
            }
            record(&mut s, 0x0204, &d);
        }
        record(&mut s, 0x000A, &[]);
        streams.push(s);
    }
    let bound = |name: &str, pos: u32| {
        let units: Vec<u16> = name.encode_utf16().collect();
        let mut d = pos.to_le_bytes().to_vec();
        d.extend_from_slice(&[0, 0, units.len() as u8, 1]);
        for u in units {
            d.extend_from_slice(&u.to_le_bytes());
        }
        d
    };
    let mut globals_len = 4 + 16 + 4;
    for (name, _) in sheets {
        globals_len += 4 + bound(name, 0).len();
    }
    let mut wb = Vec::new();
    record(&mut wb, 0x0809, &bof(0x0005));
    let mut pos = globals_len as u32;
    for ((name, _), s) in sheets.iter().zip(&streams) {
        record(&mut wb, 0x0085, &bound(name, pos));
        pos += s.len() as u32;
    }
    record(&mut wb, 0x000A, &[]);
    for s in streams {
        wb.extend_from_slice(&s);
    }
    ole(&[("/Workbook", wb)])
}

/// A zip of (name, bytes) members, deflated.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A docx: body paragraphs, then a table of rows of cells, then an optional header paragraph.
pub fn docx(paragraphs: &[&str], table: &[Vec<&str>], header: Option<&str>) -> Vec<u8> {
    let p = |t: &str| {
        format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            esc(t)
        )
    };
    let mut body = String::new();
    for t in paragraphs {
        body.push_str(&p(t));
    }
    if !table.is_empty() {
        body.push_str("<w:tbl>");
        for row in table {
            body.push_str("<w:tr>");
            for c in row {
                body.push_str(&format!("<w:tc><w:tcPr/>{}</w:tc>", p(c)));
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
    }
    let ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {ns}><w:body>{body}</w:body></w:document>");
    let ct = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
    let mut members: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", ct.as_bytes().to_vec()),
        ("word/document.xml", doc.into_bytes()),
    ];
    if let Some(h) = header {
        let x = format!("<?xml version=\"1.0\"?><w:hdr {ns}>{}</w:hdr>", p(h));
        members.push(("word/header1.xml", x.into_bytes()));
    }
    let refs: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    zip(&refs)
}

/// An OFD of pages of text lines (one TextCode per line).
pub fn ofd(pages: &[&str]) -> Vec<u8> {
    let ns = "xmlns:ofd=\"http://www.ofdspec.org/2016\"";
    let ofd_xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD {ns} Version=\"1.0\" DocType=\"OFD\"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>");
    let mut list = String::new();
    let mut contents = Vec::new();
    for (i, text) in pages.iter().enumerate() {
        list.push_str(&format!(
            "<ofd:Page ID=\"{}\" BaseLoc=\"Pages/Page_{i}/Content.xml\"/>",
            i + 10
        ));
        let mut objs = String::new();
        for (k, line) in text.lines().enumerate() {
            let y = 20 + 8 * k;
            objs.push_str(&format!("<ofd:TextObject ID=\"{}\" Boundary=\"10 {y} 180 8\" Font=\"3\" Size=\"5\"><ofd:TextCode X=\"0\" Y=\"{y}\">{}</ofd:TextCode></ofd:TextObject>", 100 + k, esc(line)));
        }
        let c = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID=\"2\">{objs}</ofd:Layer></ofd:Content></ofd:Page>");
        contents.push((format!("Doc_0/Pages/Page_{i}/Content.xml"), c.into_bytes()));
    }
    let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID></ofd:CommonData><ofd:Pages>{list}</ofd:Pages></ofd:Document>");
    let mut members: Vec<(String, Vec<u8>)> = vec![
        ("OFD.xml".into(), ofd_xml.into_bytes()),
        ("Doc_0/Document.xml".into(), doc.into_bytes()),
    ];
    members.extend(contents);
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip(&refs)
}

/// Assembles numbered objects into a PDF with a correct xref table.
fn pdf_file(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    o.extend_from_slice(data);
    o.extend_from_slice(b"\nendstream");
    o
}

/// A PDF whose pages show text lines in a Type0 font with Identity-H encoding (two-byte CIDs,
/// no embedded font program) and a ToUnicode CMap, the way WPS and Word print Chinese.
pub fn pdf(pages: &[&str]) -> Vec<u8> {
    let mut chars: Vec<char> = Vec::new();
    for p in pages {
        for c in p.chars() {
            if c != '\n' && !chars.contains(&c) {
                chars.push(c);
            }
        }
    }
    let cid = |c: char| chars.iter().position(|x| *x == c).unwrap_or(0) + 1;
    let mut cmap = String::from("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for block in chars.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", block.len()));
        for c in block {
            let mut u = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut u)
                .iter()
                .map(|x| format!("{x:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", cid(*c)));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    // 1 catalog, 2 pages, 3 font, 4 cid font, 5 descriptor, 6 tounicode, then page + content.
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 7 + 2 * i)).collect();
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /CIDToGIDMap /Identity >>".to_vec(),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 859 /StemV 80 >>".to_vec(),
        stream("", cmap.as_bytes()),
    ];
    for (i, p) in pages.iter().enumerate() {
        objs.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", 8 + 2 * i).into_bytes());
        let mut content = String::from("BT\n/F1 12 Tf\n14 TL\n50 780 Td\n");
        for line in p.lines() {
            let hex: String = line.chars().map(|c| format!("{:04X}", cid(c))).collect();
            content.push_str(&format!("<{hex}> Tj T*\n"));
        }
        content.push_str("ET\n");
        objs.push(stream("", content.as_bytes()));
    }
    pdf_file(&objs)
}

/// A scanned-looking PDF: one page that only paints a filled rectangle (no text operators).
pub fn pdf_image_only() -> Vec<u8> {
    let content = b"q 0.5 g 50 50 400 600 re f Q\n";
    pdf_file(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("", content),
    ])
}
