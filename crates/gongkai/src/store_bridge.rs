//! Glue between the crawler and the store: earlier fetches for conditional requests, file hashes.
//! (Both use `gongkai-core`'s one `FrontierEntry`, so nothing is copied across.)

use gongkai_crawl::{PriorFetch, PriorLookup};
use gongkai_store::Store;
use std::path::Path;
use std::sync::Mutex;

/// sha256 of a file, for citing the exact configuration a run used.
pub fn file_hash(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| gongkai_store::sha256_hex(&b))
}

/// Earlier fetches from the store, for conditional requests (a read-only connection of its own).
pub struct StorePrior {
    store: Mutex<Store>,
}

impl StorePrior {
    pub fn open(db: &Path) -> anyhow::Result<Self> {
        let store = Store::open_readonly(db)?;
        // One index seek and one body per crawled page: a small page cache does (the default
        // 16 MiB filled up with index pages as the site grew, issue 11).
        store
            .connection()
            .pragma_update(None, "cache_size", -2048)
            .map_err(|e| anyhow::anyhow!("{}: cache_size: {e}", db.display()))?;
        Ok(StorePrior {
            store: Mutex::new(store),
        })
    }
}

impl PriorLookup for StorePrior {
    fn prior(&self, url: &str) -> Option<PriorFetch> {
        let store = self.store.lock().ok()?;
        let v = store.validators(url).ok()??;
        if v.etag.is_none() && v.last_modified.is_none() {
            return None;
        }
        let body = store.body(&v.body_sha256).ok()??;
        let model = v
            .model_json
            .as_deref()
            .filter(|_| v.extractor_version == Some(gongkai_page::EXTRACTOR_VERSION))
            .and_then(|j| serde_json::from_str::<gongkai_core::PageModel>(j).ok())
            .and_then(|mut m| {
                // Stored apart (schema 11): a model without its links is not reused.
                if let Some(source) = v.links_of {
                    m.links = store.page_links(source).ok()?;
                }
                Some(m)
            });
        Some(PriorFetch {
            etag: v.etag,
            last_modified: v.last_modified,
            body,
            final_url: v.final_url,
            model,
        })
    }
}
