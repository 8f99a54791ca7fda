//! What a file is, from its bytes first (servers label attachments wrongly, and `.et` / `.wps`
//! files are spreadsheet or Word containers), then from its name and Content-Type.

use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// The formats told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// xlsx / xlsm / et saved as OOXML.
    Xlsx,
    /// BIFF in an OLE compound file (xls, et).
    Xls,
    Ods,
    Docx,
    /// One-file WordprocessingML (Word 2003 XML, WPS "wps-xml", Word flat OPC).
    WordXml,
    /// Word 97-2003 binary in an OLE compound file (doc, wps).
    Doc,
    Pdf,
    Ofd,
    Zip,
    /// csv, txt.
    Text,
    /// An OLE compound file holding an encrypted OOXML package.
    Encrypted,
    Unknown,
}

impl Format {
    /// Stable code for storage and reports.
    pub fn code(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Docx => "docx",
            Format::WordXml => "word-xml",
            Format::Doc => "doc",
            Format::Pdf => "pdf",
            Format::Ofd => "ofd",
            Format::Zip => "zip",
            Format::Text => "text",
            Format::Encrypted => "encrypted",
            Format::Unknown => "unknown",
        }
    }
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Lower-case extension of the last path segment (query and fragment ignored).
pub(crate) fn extension(name: &str) -> String {
    let path = name.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((_, ext)) => ext.to_ascii_lowercase(),
        None => String::new(),
    }
}

pub(crate) fn sniff(bytes: &[u8], name: &str, content_type: Option<&str>) -> Format {
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Format::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return sniff_ole(bytes);
    }
    let probe = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    if probe
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
        && (probe.contains("wordDocument")
            || probe.contains("office/word/2003/wordml")
            || (probe.contains("pkg:package") && probe.contains("w:document")))
    {
        return Format::WordXml;
    }
    let ext = extension(name);
    let textual_ct = content_type.is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("text/plain") || c.starts_with("text/csv")
    });
    let binary = bytes[..bytes.len().min(8192)].contains(&0);
    if !binary && (matches!(ext.as_str(), "csv" | "txt" | "tsv") || textual_ct) {
        return Format::Text;
    }
    Format::Unknown
}

fn sniff_zip(bytes: &[u8]) -> Format {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Format::Zip;
    };
    let has = |n: &str| zip.index_for_name(n).is_some();
    if has("word/document.xml") {
        Format::Docx
    } else if has("xl/workbook.xml") || has("xl/workbook.bin") {
        Format::Xlsx
    } else if has("content.xml") && has("mimetype") {
        // OpenDocument: only spreadsheets are read (calamine); odt / odp are not.
        let mut zip = zip;
        let mut mime = String::new();
        if let Ok(f) = zip.by_name("mimetype") {
            use std::io::Read;
            let _ = f.take(128).read_to_string(&mut mime);
        }
        if mime.contains("spreadsheet") {
            Format::Ods
        } else {
            Format::Unknown
        }
    } else if has("OFD.xml") || has("ofd.xml") {
        Format::Ofd
    } else {
        Format::Zip
    }
}

fn sniff_ole(bytes: &[u8]) -> Format {
    let Ok(ole) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Format::Unknown;
    };
    let has = |n: &str| ole.exists(n);
    if has("/EncryptedPackage") {
        Format::Encrypted
    } else if has("/WordDocument") {
        Format::Doc
    } else if has("/Workbook") || has("/Book") {
        Format::Xls
    } else {
        Format::Unknown
    }
}
