//! Attachment texts: what is pending, dedup by body, the rules' view; the database file mode.

use super::*;
use gongkai_core::TextChunk;

fn attachment(url: &str, body: &[u8], mark: &str) -> FetchRecord {
    let mut r = check(url, FetchOutcome::Ok, Some(200));
    r.method = Method::Get;
    r.content_type = Some("application/vnd.ms-excel".into());
    r.headers = vec![("x-gongkai-attachment".into(), mark.into())];
    r.body = (mark == "read").then(|| body.to_vec());
    r.body_truncated = mark == "too-large";
    r
}

#[test]
fn texts_are_extracted_once_per_body_and_loaded_for_the_rules() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let body = b"PK fake xlsx bytes".to_vec();
    store
        .record(
            run,
            &attachment(&format!("{HOST}/fj/a.xls"), &body, "read"),
            &[],
        )
        .unwrap();
    // The same bytes under a second URL: one body, one extraction.
    store
        .record(
            run,
            &attachment(&format!("{HOST}/fj/b.xls"), &body, "read"),
            &[],
        )
        .unwrap();
    store
        .record(
            run,
            &attachment(&format!("{HOST}/fj/big.pdf"), b"", "too-large"),
            &[],
        )
        .unwrap();
    // A checked text page without the marker is not an attachment read in full.
    let mut other = check(&format!("{HOST}/x.txt"), FetchOutcome::Ok, Some(200));
    other.body = Some(b"text".to_vec());
    store.record(run, &other, &[]).unwrap();

    let pending = store.attachments_to_extract(run, 1).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].url, format!("{HOST}/fj/a.xls"));
    assert_eq!(pending[0].body_sha256, sha256_hex(&body));
    store
        .put_attachment_text(&AttachmentText {
            body_sha256: pending[0].body_sha256.clone(),
            extractor_version: 1,
            format: "xls".into(),
            reason: None,
            detail: None,
            cut: false,
            chunks: vec![TextChunk {
                loc: "Sheet2!C5".into(),
                text: "张三".into(),
            }],
        })
        .unwrap();
    assert!(store.attachments_to_extract(run, 1).unwrap().is_empty());
    // A new extractor version extracts again.
    assert_eq!(store.attachments_to_extract(run, 2).unwrap().len(), 1);

    let site = store.load_site(run).unwrap();
    assert_eq!(site.attachments.len(), 3);
    let a = &site.attachments[0];
    assert_eq!(a.format, "xls");
    assert_eq!(a.unreadable, None);
    assert_eq!(a.chunks[0].loc, "Sheet2!C5");
    assert_eq!(site.attachments[1].chunks, a.chunks);
    assert_eq!(site.attachments[2].unreadable.as_deref(), Some("too-large"));
}

#[cfg(unix)]
#[test]
fn database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.begin_run(&new_run("s")).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let shm = PathBuf::from(format!("{}-shm", path.display()));
    assert!(wal.exists());
    assert_eq!(mode(&wal), 0o600);
    assert_eq!(mode(&shm), 0o600);
}
