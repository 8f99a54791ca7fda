//! Glue between the crawler's types and the store's.

use gongkai_crawl::{FrontierEntry, PriorFetch, PriorLookup};
use gongkai_store::Store;
use std::path::Path;
use std::sync::Mutex;

pub fn to_store_entry(e: FrontierEntry) -> gongkai_store::FrontierEntry {
    gongkai_store::FrontierEntry {
        url: e.url,
        method: e.method,
        request_body: e.body,
        purpose: e.purpose,
        depth: e.depth,
        parent: e.parent,
        link_kind: e.link_kind,
        column: e.column,
    }
}

pub fn to_crawl_entry(e: gongkai_store::FrontierEntry) -> FrontierEntry {
    FrontierEntry {
        url: e.url,
        method: e.method,
        body: e.request_body,
        purpose: e.purpose,
        depth: e.depth,
        parent: e.parent,
        link_kind: e.link_kind,
        column: e.column,
    }
}

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
        Ok(StorePrior {
            store: Mutex::new(Store::open_readonly(db)?),
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
            .and_then(|j| serde_json::from_str(j).ok());
        Some(PriorFetch {
            etag: v.etag,
            last_modified: v.last_modified,
            body,
            final_url: v.final_url,
            model,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_crawl::{FetchPurpose, Method};
    use gongkai_page::LinkKind;

    /// A resumed crawl gets back exactly what was queued, link kind and column included.
    #[test]
    fn frontier_entries_round_trip() {
        let e = FrontierEntry {
            url: "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp".into(),
            method: Method::Post,
            body: Some("col=1&columnid=12&startrecord=1&endrecord=45&perpage=15".into()),
            purpose: FetchPurpose::Crawl,
            depth: 2,
            parent: Some("http://www.example.gov.cn/col/col12/index.html".into()),
            link_kind: Some(LinkKind::Attachment),
            column: Some("规范性文件".into()),
        };
        let stored = to_store_entry(e.clone());
        assert_eq!(stored.request_key(), e.key());
        assert_eq!(to_crawl_entry(stored), e);
    }
}
