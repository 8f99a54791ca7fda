//! Every format, located text, and hostile inputs (each bounded).

use crate::fixtures;
use crate::{extract, Format, Limits, Reason, Status};

fn read(bytes: &[u8], name: &str) -> crate::Extracted {
    extract(bytes, name, None, &Limits::default())
}

fn has(e: &crate::Extracted, loc: &str, needle: &str) -> bool {
    e.chunks
        .iter()
        .any(|c| c.loc == loc && c.text.contains(needle))
}

const ID: &str = "11010519491231002X";

#[test]
fn xlsx_second_sheet_cell() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write(0, 0, "补贴发放公示")
        .unwrap();
    let s2 = wb.add_worksheet().set_name("Sheet2").unwrap();
    s2.write(4, 1, "张三").unwrap();
    s2.write(4, 2, ID).unwrap();
    s2.write(5, 2, 1_234_567_890_123_f64).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let e = read(&bytes, "/fj/list.xlsx");
    assert_eq!(e.format, Format::Xlsx);
    assert_eq!(e.status, Status::Read);
    assert!(has(&e, "Sheet2!C5", ID), "{:?}", e.chunks);
    assert!(has(&e, "Sheet2!C6", "1234567890123"));
    assert!(has(&e, "说明!A1", "补贴"));
    // A WPS .et saved as OOXML is the same container.
    assert_eq!(read(&bytes, "/fj/list.et").format, Format::Xlsx);
}

#[test]
fn xls_biff8_cells() {
    let bytes = fixtures::xls(&[
        ("Sheet1", vec![(0, 0, "救助名单")]),
        ("名单", vec![(2, 3, ID)]),
    ]);
    let e = read(&bytes, "/fj/a.et");
    assert_eq!(e.format, Format::Xls);
    assert!(has(&e, "名单!D3", ID), "{e:?}");
    assert!(has(&e, "Sheet1!A1", "救助"));
}

#[test]
fn docx_paragraphs_table_cells_and_header() {
    let bytes = fixtures::docx(
        &["关于招聘成绩的公示", "秘密★1年"],
        &[vec!["姓名", "身份证号"], vec!["李四", ID]],
        Some("机密★5年"),
    );
    let e = read(&bytes, "/a.docx");
    assert_eq!(e.format, Format::Docx);
    assert!(has(&e, "段落2", "秘密★1年"));
    assert!(has(&e, "表格1 第2行第2列", ID), "{:?}", e.chunks);
    assert!(has(&e, "页眉 段落1", "机密★5年"));
}

#[test]
fn word_xml_2003() {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><?mso-application progid=\"Word.Document\"?><w:wordDocument xmlns:w=\"http://schemas.microsoft.com/office/word/2003/wordml\"><w:body><w:p><w:r><w:t>名单</w:t></w:r></w:p><w:p><w:r><w:t>王五 {ID}</w:t></w:r></w:p></w:body></w:wordDocument>"
    );
    let e = read(xml.as_bytes(), "/a.wps");
    assert_eq!(e.format, Format::WordXml);
    assert!(has(&e, "段落2", ID));
}

#[test]
fn legacy_doc_piece_table() {
    let bytes = fixtures::doc(&format!(
        "公示\r张三\u{7}{ID}\u{7}\r\u{13} HYPERLINK x \u{14}链接\u{15}"
    ));
    let e = read(&bytes, "/a.doc");
    assert_eq!(e.format, Format::Doc);
    assert!(has(&e, "段落1", "公示"));
    assert!(has(&e, "段落3", ID), "{:?}", e.chunks);
    assert!(e.chunks.iter().all(|c| !c.text.contains("HYPERLINK")));
    assert!(e.chunks.iter().any(|c| c.text == "链接"));
}

#[test]
fn pdf_identity_h_with_tounicode() {
    let bytes = fixtures::pdf(&["第一页 说明", &format!("秘密★1年\n张三 {ID}")]);
    let e = read(&bytes, "/a.pdf");
    assert_eq!(e.format, Format::Pdf);
    assert_eq!(e.status, Status::Read, "{:?}", e.detail);
    assert!(has(&e, "第2页", "秘密★1年"), "{:?}", e.chunks);
    assert!(has(&e, "第2页", ID), "{:?}", e.chunks);
}

#[test]
fn pdf_unreadable_kinds() {
    let e = read(&fixtures::pdf_image_only(), "/scan.pdf");
    assert_eq!(e.status, Status::Unreadable(Reason::NoText));
    let full = fixtures::pdf(&["张三"]);
    let e = read(&full[..full.len() / 2], "/cut.pdf");
    assert!(matches!(e.status, Status::Unreadable(_)), "{e:?}");
    let at = full.windows(11).rposition(|w| w == b"/Root 1 0 R").unwrap() + 11;
    let mut enc = full[..at].to_vec();
    enc.extend_from_slice(
        "/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O <0102030405060708090A0B0C0D0E0F100102030405060708090A0B0C0D0E0F10> /U <1102030405060708090A0B0C0D0E0F100102030405060708090A0B0C0D0E0F10> /P -4 >> /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]".as_bytes(),
    );
    enc.extend_from_slice(&full[at..]);
    let e = read(&enc, "/enc.pdf");
    assert_eq!(e.status, Status::Unreadable(Reason::Encrypted), "{e:?}");
}

#[test]
fn ofd_pages() {
    let bytes = fixtures::ofd(&["封面", &format!("机密★\n赵六 {ID}")]);
    let e = read(&bytes, "/a.ofd");
    assert_eq!(e.format, Format::Ofd);
    assert!(has(&e, "第2页", "机密★"));
    assert!(has(&e, "第2页", ID));
}

#[test]
fn gbk_csv_lines() {
    let text = format!("姓名,身份证号\n张三,{ID}\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let e = read(&gbk, "/list.csv");
    assert_eq!(e.format, Format::Text);
    assert!(has(&e, "第2行", &format!("张三,{ID}")), "{:?}", e.chunks);
}

#[test]
fn zip_one_level_deep() {
    let inner = fixtures::zip(&[("x.csv", b"a")]);
    let csv = format!("name,id\nA,{ID}\n");
    let bytes = fixtures::zip(&[("名单/list.csv", csv.as_bytes()), ("inner.zip", &inner)]);
    let e = read(&bytes, "/all.zip");
    assert_eq!(e.format, Format::Zip);
    assert!(has(&e, "名单/list.csv > 第2行", ID), "{:?}", e.chunks);
    assert!(e.detail.unwrap().contains("inner.zip: hostile"));
}

#[test]
fn zip_bomb_inside_xlsx_is_refused() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write(0, 0, "x").unwrap();
    let good = wb.save_to_buffer().unwrap();
    // Same package plus a sheet of 8 MiB of zeros (ratio ~1000:1).
    let zeros = vec![b'0'; 8 * 1024 * 1024];
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(good.as_slice())).unwrap();
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut d = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut d).unwrap();
        members.push((f.name().to_string(), d));
    }
    members.push(("xl/worksheets/sheet9.xml".into(), zeros));
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bomb = fixtures::zip(&refs);
    assert!(bomb.len() < 100 * 1024);
    let e = read(&bomb, "/bomb.xlsx");
    assert_eq!(e.status, Status::Unreadable(Reason::Hostile), "{e:?}");
    // Total bound alone, with the ratio allowed.
    let limits = Limits {
        max_ratio: u64::MAX,
        max_unzipped: 1024 * 1024,
        ..Limits::default()
    };
    let e = extract(&bomb, "/bomb.xlsx", None, &limits);
    assert_eq!(e.status, Status::Unreadable(Reason::Hostile), "{e:?}");
}

#[test]
fn encrypted_and_broken_containers() {
    let enc = fixtures::ole(&[
        ("/EncryptionInfo", vec![4, 0, 4, 0]),
        ("/EncryptedPackage", vec![1; 600]),
    ]);
    let e = read(&enc, "/secret.xlsx");
    assert_eq!(e.status, Status::Unreadable(Reason::Encrypted));
    // A doc with fEncrypted set.
    let mut d = fixtures::doc("x");
    let mut ole = cfb::CompoundFile::open(std::io::Cursor::new(&mut d)).unwrap();
    let mut word = Vec::new();
    std::io::Read::read_to_end(&mut ole.open_stream("/WordDocument").unwrap(), &mut word).unwrap();
    word[0x0A] |= 0x01;
    word[0x0B] |= 0x01;
    let e = read(&fixtures::ole(&[("/WordDocument", word)]), "/e.doc");
    assert_eq!(e.status, Status::Unreadable(Reason::Encrypted), "{e:?}");
    // Truncated and garbage containers.
    let docx = fixtures::docx(&["x"], &[], None);
    assert!(matches!(
        read(&docx[..docx.len() / 2], "/t.docx").status,
        Status::Unreadable(_)
    ));
    let xls = fixtures::xls(&[("S", vec![(0, 0, "x")])]);
    assert!(matches!(
        read(&xls[..700], "/t.xls").status,
        Status::Unreadable(_)
    ));
    assert_eq!(
        read(b"\x89PNG\r\n\x1a\nxxxx", "/a.png").status,
        Status::Unreadable(Reason::Unsupported)
    );
    let too_big = Limits {
        max_input: 10,
        ..Limits::default()
    };
    assert_eq!(
        extract(b"0123456789abc", "/a.txt", None, &too_big).status,
        Status::Unreadable(Reason::TooLarge)
    );
}

#[test]
fn text_limit_cuts_and_says_so() {
    let limits = Limits {
        max_text: 20,
        ..Limits::default()
    };
    let e = extract(
        "第一行内容\n第二行内容\n第三行内容\n".as_bytes(),
        "/a.txt",
        None,
        &limits,
    );
    assert!(e.cut);
    assert_eq!(e.chunks.len(), 1);
}

#[test]
fn opendocument_text_is_not_taken_for_a_spreadsheet() {
    let odt = fixtures::zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b"<office:document-content/>"),
    ]);
    let e = read(&odt, "/a.odt");
    assert_eq!(e.status, Status::Unreadable(Reason::Unsupported));
}
