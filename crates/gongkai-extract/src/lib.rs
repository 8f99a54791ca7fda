//! Text with locations from the attachments a government portal publishes: spreadsheets
//! (xlsx / xls / ods / et), csv and txt, Word documents (docx, WordprocessingML "wps-xml", legacy
//! doc and wps), pdf, ofd and zip archives one level deep.
//!
//! Pure: bytes in, [`Extracted`] out. Every input is hostile: sizes, entry counts, compression
//! ratios and nesting are bounded by [`Limits`], third-party parsers run behind `catch_unwind`,
//! and a file that cannot be read comes back as [`Status::Unreadable`] with its reason, never as
//! a panic or an empty success.

mod archive;
mod ofd;
mod office;
mod pdf;
mod sheet;
mod sniff;
mod text;
mod word;

pub mod fixtures;

pub use sniff::Format;

use serde::{Deserialize, Serialize};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Version of the extraction logic; stored texts of another version are extracted again.
pub const EXTRACTOR_VERSION: u32 = 1;

/// Bounds applied to one file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Input bytes read at most (larger inputs are refused as too large).
    pub max_input: usize,
    /// Total bytes decompressed from a zip container (xlsx, docx, ofd, zip).
    pub max_unzipped: u64,
    /// Entries in one zip container.
    pub max_entries: usize,
    /// Compression ratio above which one zip entry is treated as a bomb (when it is large).
    pub max_ratio: u64,
    /// Characters of text kept per file; the rest is cut (and the cut is reported).
    pub max_text: usize,
    /// PDF pages read at most.
    pub max_pages: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 20 * 1024 * 1024,
            max_unzipped: 200 * 1024 * 1024,
            max_entries: 10_000,
            max_ratio: 200,
            max_text: 16 * 1024 * 1024,
            max_pages: 2_000,
        }
    }
}

/// One piece of text and where it is in the file, e.g. `Sheet2!C5`, `第3页`, `段落12`,
/// `表格1 第2行第3列`, or `名单.zip > Sheet1!A2` for a member of an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    pub loc: String,
    pub text: String,
}

/// Whether text came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "kebab-case")]
pub enum Status {
    /// Text was read (possibly none, for an empty spreadsheet).
    Read,
    /// Nothing could be read; the reason is a short Chinese phrase for reports.
    Unreadable(Reason),
}

/// Why a file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    TooLarge,
    Encrypted,
    /// A pdf with no text layer (a scanned image).
    NoText,
    Corrupt,
    /// Bounds hit: zip bomb, too many entries, too deep.
    Hostile,
    Unsupported,
}

impl Reason {
    /// Stable code for storage.
    pub fn code(self) -> &'static str {
        match self {
            Reason::TooLarge => "too-large",
            Reason::Encrypted => "encrypted",
            Reason::NoText => "no-text",
            Reason::Corrupt => "corrupt",
            Reason::Hostile => "hostile",
            Reason::Unsupported => "unsupported",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<Reason> {
        [
            Reason::TooLarge,
            Reason::Encrypted,
            Reason::NoText,
            Reason::Corrupt,
            Reason::Hostile,
            Reason::Unsupported,
        ]
        .into_iter()
        .find(|r| r.code() == s)
    }

    /// The phrase shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Reason::TooLarge => "文件过大",
            Reason::Encrypted => "文件已加密",
            Reason::NoText => "无文本层（扫描图片）",
            Reason::Corrupt => "文件损坏",
            Reason::Hostile => "超出安全限制（压缩炸弹等）",
            Reason::Unsupported => "不支持的格式",
        }
    }
}

/// The result of reading one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    pub format: Format,
    pub status: Status,
    pub chunks: Vec<Chunk>,
    /// Detail for logs (English), e.g. the parser's error.
    pub detail: Option<String>,
    /// True when text beyond [`Limits::max_text`] was dropped.
    pub cut: bool,
}

impl Extracted {
    pub(crate) fn unreadable(format: Format, reason: Reason, detail: impl Into<String>) -> Self {
        Extracted {
            format,
            status: Status::Unreadable(reason),
            chunks: Vec::new(),
            detail: Some(detail.into()),
            cut: false,
        }
    }
}

/// Collects chunks up to the text limit.
pub(crate) struct Sink {
    pub chunks: Vec<Chunk>,
    room: usize,
    pub cut: bool,
}

impl Sink {
    pub fn new(max_text: usize) -> Self {
        Sink {
            chunks: Vec::new(),
            room: max_text,
            cut: false,
        }
    }

    /// Adds a chunk; empty text is skipped. False once the limit is reached.
    pub fn push(&mut self, loc: impl Into<String>, text: String) -> bool {
        let text = text.trim().to_string();
        if text.is_empty() {
            return !self.cut;
        }
        if text.len() > self.room {
            self.cut = true;
            return false;
        }
        self.room -= text.len();
        self.chunks.push(Chunk {
            loc: loc.into(),
            text,
        });
        true
    }

    pub fn finish(self, format: Format) -> Extracted {
        Extracted {
            format,
            status: Status::Read,
            chunks: self.chunks,
            detail: None,
            cut: self.cut,
        }
    }
}

/// Reads the text of one file. `name` is the URL path or file name (its extension helps when the
/// bytes alone do not tell), `content_type` the HTTP Content-Type if any.
pub fn extract(bytes: &[u8], name: &str, content_type: Option<&str>, limits: &Limits) -> Extracted {
    extract_depth(bytes, name, content_type, limits, 0)
}

pub(crate) fn extract_depth(
    bytes: &[u8],
    name: &str,
    content_type: Option<&str>,
    limits: &Limits,
    depth: u32,
) -> Extracted {
    let format = sniff::sniff(bytes, name, content_type);
    if bytes.len() > limits.max_input {
        return Extracted::unreadable(
            format,
            Reason::TooLarge,
            format!("{} bytes > {}", bytes.len(), limits.max_input),
        );
    }
    // Last guard: some parsers panic on hostile input.
    let run = AssertUnwindSafe(|| match format {
        Format::Xlsx | Format::Xls | Format::Ods => sheet::extract(bytes, format, limits),
        Format::Docx => office::docx(bytes, limits),
        Format::WordXml => office::word_xml(bytes, limits),
        Format::Doc => word::extract(bytes, limits),
        Format::Pdf => pdf::extract(bytes, limits),
        Format::Ofd => ofd::extract(bytes, limits),
        Format::Zip if depth == 0 => archive::extract(bytes, limits, depth),
        Format::Zip => Extracted::unreadable(format, Reason::Hostile, "archive inside an archive"),
        Format::Text => text::extract(bytes, content_type, limits),
        Format::Encrypted => Extracted::unreadable(format, Reason::Encrypted, "encrypted package"),
        Format::Unknown => Extracted::unreadable(format, Reason::Unsupported, "unknown format"),
    });
    match catch_unwind(run) {
        Ok(e) => e,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Extracted::unreadable(format, Reason::Corrupt, format!("parser panicked: {msg}"))
        }
    }
}

#[cfg(test)]
mod tests;
