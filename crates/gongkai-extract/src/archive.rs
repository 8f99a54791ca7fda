//! Zip containers read safely: entry count, total decompressed bytes and per-entry ratio are
//! bounded while the bytes are actually inflated (declared sizes can lie), and zip archives are
//! read one level deep.

use crate::{extract_depth, Extracted, Format, Limits, Reason, Sink, Status};
use std::io::{Cursor, Read};

/// Why a container was refused.
pub(crate) struct Refused(pub Reason, pub String);

/// Opens a zip and inflates every entry once, counting real bytes, so a container that passes
/// can be handed to another parser (calamine) without risk. Returns the archive.
pub(crate) fn checked<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<zip::ZipArchive<Cursor<&'a [u8]>>, Refused> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Refused(Reason::Corrupt, format!("zip: {e}")))?;
    if zip.len() > limits.max_entries {
        return Err(Refused(
            Reason::Hostile,
            format!("{} zip entries > {}", zip.len(), limits.max_entries),
        ));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(zip::result::ZipError::UnsupportedArchive(m)) if m.contains("ncrypt") => {
                return Err(Refused(Reason::Encrypted, "encrypted zip entry".into()))
            }
            Err(e) => return Err(Refused(Reason::Corrupt, format!("zip entry {i}: {e}"))),
        };
        if f.encrypted() {
            return Err(Refused(Reason::Encrypted, "encrypted zip entry".into()));
        }
        let packed = f.compressed_size().max(1);
        let mut n: u64 = 0;
        loop {
            let r = f
                .read(&mut buf)
                .map_err(|e| Refused(Reason::Corrupt, format!("zip entry {}: {e}", f.name())))?;
            if r == 0 {
                break;
            }
            n += r as u64;
            total += r as u64;
            if total > limits.max_unzipped {
                return Err(Refused(
                    Reason::Hostile,
                    format!("more than {} bytes unzipped", limits.max_unzipped),
                ));
            }
            // Small entries compress well legitimately (repeated XML); large ones at a bomb's
            // ratio are refused.
            if n > 1024 * 1024 && n / packed > limits.max_ratio {
                return Err(Refused(
                    Reason::Hostile,
                    format!("zip entry {} ratio over {}", f.name(), limits.max_ratio),
                ));
            }
        }
    }
    Ok(zip)
}

/// Reads one entry (already checked by [`checked`]) as bytes.
pub(crate) fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut f = zip.by_name(name).ok()?;
    let mut out = Vec::with_capacity(f.size().min(64 * 1024 * 1024) as usize);
    f.read_to_end(&mut out).ok()?;
    Some(out)
}

/// A plain zip archive: each member read as a file of its own, its locations prefixed with the
/// member's path. Archives inside are not opened (one level deep).
pub(crate) fn extract(bytes: &[u8], limits: &Limits, depth: u32) -> Extracted {
    let mut zip = match checked(bytes, limits) {
        Ok(z) => z,
        Err(Refused(r, d)) => return Extracted::unreadable(Format::Zip, r, d),
    };
    let mut sink = Sink::new(limits.max_text);
    let mut unreadable = Vec::new();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let mut names = names;
    names.sort();
    for name in names {
        if name.ends_with('/') {
            continue;
        }
        let Some(data) = entry(&mut zip, &name) else {
            unreadable.push(format!("{name}: unreadable entry"));
            continue;
        };
        let inner = extract_depth(&data, &name, None, limits, depth + 1);
        if let Status::Unreadable(r) = inner.status {
            unreadable.push(format!("{name}: {}", r.code()));
            continue;
        }
        for c in inner.chunks {
            if !sink.push(format!("{name} > {}", c.loc), c.text) {
                break;
            }
        }
    }
    let nothing = sink.chunks.is_empty();
    let mut out = sink.finish(Format::Zip);
    if nothing && !unreadable.is_empty() {
        return Extracted::unreadable(
            Format::Zip,
            Reason::Unsupported,
            format!("no member read: {}", unreadable.join("; ")),
        );
    }
    if !unreadable.is_empty() {
        out.detail = Some(format!("members not read: {}", unreadable.join("; ")));
    }
    out
}
