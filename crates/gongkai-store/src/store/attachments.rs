//! Texts extracted from attachments (table `attachment_texts`, one row per body sha256): what
//! is still to be extracted in a run, storing a result, and the rules' view of a run's
//! attachments (read texts, unreadable ones and those too large to read).

use super::Store;
use crate::body::{decode, encode, Compression};
use crate::error::{bad_value, json, sql, StoreError};
use gongkai_core::{SiteAttachment, TextChunk};
use rusqlite::params;

/// `fetches.headers` JSON fragments of the crawl's attachment marker
/// (`gongkai_core::attachment::MARKER`).
const READ_MARK: &str = "%[\"x-gongkai-attachment\",\"read\"]%";
const TOO_LARGE_MARK: &str = "%[\"x-gongkai-attachment\",\"too-large\"]%";

/// A body to extract: its sha256, one URL it was fetched from and its Content-Type.
#[derive(Debug, Clone)]
pub struct PendingAttachment {
    pub body_sha256: String,
    pub url: String,
    pub content_type: Option<String>,
}

/// One extraction result to store.
#[derive(Debug, Clone)]
pub struct AttachmentText {
    pub body_sha256: String,
    pub extractor_version: u32,
    pub format: String,
    /// None when text was read; else the reason code.
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub cut: bool,
    /// (location, text)
    pub chunks: Vec<TextChunk>,
}

impl Store {
    /// Bodies of attachments read in full in `run_id` without a stored text of `version`.
    pub fn attachments_to_extract(
        &self,
        run_id: i64,
        version: u32,
    ) -> Result<Vec<PendingAttachment>, StoreError> {
        const OP: &str = "list attachments to extract";
        let mut stmt = self
            .conn
            .prepare(concat!(
                "SELECT f.body_sha256, min(f.url), min(f.content_type) FROM fetches f
                 WHERE f.id IN ",
                run_rows!(),
                " AND f.body_sha256 IS NOT NULL AND f.headers LIKE ?2
                   AND NOT EXISTS (SELECT 1 FROM attachment_texts a
                                   WHERE a.body_sha256 = f.body_sha256
                                     AND a.extractor_version = ?3)
                 GROUP BY f.body_sha256 ORDER BY min(f.id)",
            ))
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map(params![run_id, READ_MARK, version], |r| {
                Ok(PendingAttachment {
                    body_sha256: r.get(0)?,
                    url: r.get(1)?,
                    content_type: r.get(2)?,
                })
            })
            .map_err(sql(&self.path, OP))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql(&self.path, OP))
    }

    /// Stores (or replaces) the text of one body.
    pub fn put_attachment_text(&self, t: &AttachmentText) -> Result<(), StoreError> {
        self.put_attachment_texts(std::slice::from_ref(t))
    }

    /// Stores (or replaces) the texts of several bodies in one transaction: one commit per
    /// body made the reading of a run's attachments wait on the store more than on the parsers.
    pub fn put_attachment_texts(&self, texts: &[AttachmentText]) -> Result<(), StoreError> {
        const OP: &str = "store attachment text";
        let p = &self.path;
        if texts.is_empty() {
            return Ok(());
        }
        let tx = self.tx("store attachment texts: begin")?;
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR REPLACE INTO attachment_texts
                 (body_sha256, extractor_version, format, status, reason, detail, cut, chunks,
                  extracted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(sql(p, OP))?;
        for t in texts {
            let raw = serde_json::to_vec(&t.chunks).map_err(json(p, OP))?;
            let (c, data) = encode(&raw);
            let mut blob = vec![match c {
                Compression::Zstd => b'z',
                Compression::None => b'n',
            }];
            blob.extend_from_slice(&(raw.len() as u64).to_le_bytes());
            blob.extend_from_slice(&data);
            stmt.execute(params![
                t.body_sha256,
                t.extractor_version,
                t.format,
                if t.reason.is_some() {
                    "unreadable"
                } else {
                    "read"
                },
                t.reason,
                t.detail,
                t.cut,
                blob,
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ])
            .map_err(sql(p, OP))?;
        }
        drop(stmt);
        self.commit(tx, "store attachment texts: commit")
    }

    /// Attachments of the run by result: (None, n) read, (Some(reason), n) not read (including
    /// `too-large` ones the crawl did not download).
    pub fn attachment_counts(&self, run_id: i64) -> Result<Vec<(Option<String>, i64)>, StoreError> {
        const OP: &str = "count attachments";
        let mut stmt = self
            .conn
            .prepare(concat!(
                "SELECT CASE WHEN f.headers LIKE ?3 THEN 'too-large'
                             ELSE a.reason END AS r, count(*)
                 FROM fetches f LEFT JOIN attachment_texts a ON a.body_sha256 = f.body_sha256
                 WHERE f.id IN ",
                run_rows!(),
                " AND (f.headers LIKE ?3
                       OR (f.headers LIKE ?2 AND a.body_sha256 IS NOT NULL))
                 GROUP BY r ORDER BY r",
            ))
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map(params![run_id, READ_MARK, TOO_LARGE_MARK], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(sql(&self.path, OP))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql(&self.path, OP))
    }

    /// The run's attachments read in full (with their text or the reason it is missing) and
    /// those refused as too large. Attachments whose text was never extracted are left out.
    pub fn site_attachments(&self, run_id: i64) -> Result<Vec<SiteAttachment>, StoreError> {
        const OP: &str = "load attachment texts";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare(concat!(
                "SELECT f.id, f.url, f.headers LIKE ?3, a.format, a.reason, a.cut, a.chunks
                 FROM fetches f LEFT JOIN attachment_texts a ON a.body_sha256 = f.body_sha256
                 WHERE f.id IN ",
                run_rows!(),
                " AND (f.headers LIKE ?2 OR f.headers LIKE ?3)
                 ORDER BY f.id",
            ))
            .map_err(sql(p, OP))?;
        let mut rows = stmt
            .query(params![run_id, READ_MARK, TOO_LARGE_MARK])
            .map_err(sql(p, OP))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql(p, OP))? {
            let too_large: bool = r.get(2).map_err(sql(p, OP))?;
            let format: Option<String> = r.get(3).map_err(sql(p, OP))?;
            let mut a = SiteAttachment {
                fetch_id: r.get(0).map_err(sql(p, OP))?,
                url: r.get(1).map_err(sql(p, OP))?,
                ..SiteAttachment::default()
            };
            if too_large {
                a.unreadable = Some("too-large".into());
                out.push(a);
                continue;
            }
            let Some(format) = format else { continue };
            a.format = format;
            a.unreadable = r.get(4).map_err(sql(p, OP))?;
            a.cut = r
                .get::<_, Option<bool>>(5)
                .map_err(sql(p, OP))?
                .unwrap_or(false);
            let blob: Option<Vec<u8>> = r.get(6).map_err(sql(p, OP))?;
            if let Some(blob) = blob {
                a.chunks = chunks(p, &blob)?;
            }
            out.push(a);
        }
        Ok(out)
    }
}

fn chunks(p: &std::path::Path, blob: &[u8]) -> Result<Vec<TextChunk>, StoreError> {
    const OP: &str = "decode attachment text";
    if blob.len() < 9 {
        return Err(bad_value(p, OP, "attachment_texts.chunks", "short blob"));
    }
    let c = match blob[0] {
        b'z' => Compression::Zstd,
        _ => Compression::None,
    };
    let raw_len = u64::from_le_bytes(blob[1..9].try_into().unwrap_or([0; 8])) as usize;
    let raw = decode(c, blob[9..].to_vec(), raw_len)
        .map_err(|m| bad_value(p, OP, "attachment_texts.chunks", &m))?;
    serde_json::from_slice(&raw).map_err(json(p, OP))
}
