//! One request waiting to be made, and its identity within a run.
//!
//! The crawler queues [`FrontierEntry`]s and the store keeps every one of them (the frontier table
//! is also the run's "seen" set, read back on resume), so both use this one type and this one
//! [`request_key`]: resume depends on the two agreeing.

use crate::model::LinkKind;
use crate::outcome::{FetchPurpose, FetchRecord, Method};
use serde::{Deserialize, Serialize};

/// One request the crawler has queued (or will queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontierEntry {
    /// Normalised absolute URL.
    pub url: String,
    /// GET for pages, HEAD for some checks, POST for Hanweb dataproxy lists.
    pub method: Method,
    /// urlencoded form body for POST (`frontier.request_body`).
    pub request_body: Option<String>,
    /// Why the URL is fetched.
    pub purpose: FetchPurpose,
    /// Link depth from the start URLs.
    pub depth: u32,
    /// The page the URL was found on (None for start URLs and probes).
    pub parent: Option<String>,
    /// What kind of reference led here (decides HEAD vs GET for checks); `frontier.link_kind`.
    #[serde(default)]
    pub link_kind: Option<LinkKind>,
    /// Column name of the list page that led here (Hanweb list POSTs carry their column's name);
    /// `frontier.column_name`.
    #[serde(default)]
    pub column: Option<String>,
}

impl FrontierEntry {
    /// A start URL (or any in-scope page) to crawl at `depth`.
    pub fn crawl(url: &str, depth: u32) -> Self {
        FrontierEntry {
            link_kind: Some(LinkKind::Page),
            ..FrontierEntry::get(url, FetchPurpose::Crawl, depth)
        }
    }

    /// A GET entry.
    pub fn get(url: impl Into<String>, purpose: FetchPurpose, depth: u32) -> Self {
        FrontierEntry {
            url: url.into(),
            method: Method::Get,
            request_body: None,
            purpose,
            depth,
            parent: None,
            link_kind: None,
            column: None,
        }
    }

    /// Sets the page the URL was found on.
    #[must_use]
    pub fn with_parent(mut self, parent: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self
    }

    /// Sets the kind of reference that led here.
    #[must_use]
    pub fn with_link_kind(mut self, link_kind: LinkKind) -> Self {
        self.link_kind = Some(link_kind);
        self
    }

    /// Sets the column name of the list page that led here.
    #[must_use]
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// Identity of the request within a run; see [`request_key`].
    pub fn request_key(&self) -> String {
        request_key(self.method, &self.url, self.request_body.as_deref())
    }
}

/// The key that identifies one request within a run: `"METHOD URL"`, plus `"\n" + body` when the
/// request has a body (Hanweb dataproxy POSTs share one URL). Unique per run in the crawler's seen
/// set and in the store's `fetches` and `frontier` tables.
pub fn request_key(method: Method, url: &str, request_body: Option<&str>) -> String {
    let mut key = String::with_capacity(
        method.as_str().len() + 1 + url.len() + request_body.map_or(0, |b| b.len() + 1),
    );
    key.push_str(method.as_str());
    key.push(' ');
    key.push_str(url);
    if let Some(body) = request_body {
        key.push('\n');
        key.push_str(body);
    }
    key
}

impl FetchRecord {
    /// The request key of this fetch (the same as its frontier entry's).
    pub fn request_key(&self) -> String {
        request_key(self.method, &self.url, self.request_body.as_deref())
    }
}

/// A request key reduced to 128 bits of SipHash-1-3 under keys drawn at random per process.
///
/// The seen sets hold one entry per URL ever queued (about 1.5 per page, plus every link target),
/// so at 100,000 pages full key strings cost tens of megabytes; 16 bytes each do not grow the
/// crawl much. The keys are secret, so a hostile page cannot craft a URL that collides with
/// another (a collision would only skip one request).
#[derive(Debug, Clone, Copy)]
pub struct KeyHasher {
    k0: u64,
    k1: u64,
}

impl Default for KeyHasher {
    fn default() -> Self {
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        KeyHasher {
            k0: state.hash_one(0x5eed_u64),
            k1: state.hash_one(0xfeed_u64),
        }
    }
}

impl KeyHasher {
    /// Hash of a request key string (as made by [`request_key`]).
    pub fn key(&self, key: &str) -> u128 {
        self.parts(&[key.as_bytes()])
    }

    /// Hash of `entry`'s request key, without building the string: the same value as
    /// `self.key(&entry.request_key())`.
    pub fn entry(&self, entry: &FrontierEntry) -> u128 {
        let method = entry.method.as_str().as_bytes();
        match entry.request_body.as_deref() {
            None => self.parts(&[method, b" ", entry.url.as_bytes()]),
            Some(body) => self.parts(&[method, b" ", entry.url.as_bytes(), b"\n", body.as_bytes()]),
        }
    }

    fn parts(&self, parts: &[&[u8]]) -> u128 {
        use std::hash::Hasher;
        let mut h = siphasher::sip128::SipHasher13::new_with_keys(self.k0, self.k1);
        for p in parts {
            // `write` feeds a byte stream: consecutive parts hash like their concatenation.
            h.write(p);
        }
        siphasher::sip128::Hasher128::finish128(&h).as_u128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_keys() {
        assert_eq!(request_key(Method::Get, "http://a/", None), "GET http://a/");
        assert_eq!(
            request_key(Method::Post, "http://a/p", Some("x=1&y=2")),
            "POST http://a/p\nx=1&y=2"
        );
        let e = FrontierEntry::get("http://a/", FetchPurpose::Crawl, 0);
        assert_eq!(e.request_key(), "GET http://a/");
    }

    #[test]
    fn post_bodies_are_distinct_requests() {
        let mut a = FrontierEntry::crawl("http://a/module/web/jpage/dataproxy.jsp", 1);
        a.method = Method::Post;
        a.request_body = Some("startrecord=1&endrecord=45".into());
        let mut b = a.clone();
        b.request_body = Some("startrecord=46&endrecord=90".into());
        assert_ne!(a.request_key(), b.request_key());
    }

    #[test]
    fn entries_round_trip_through_json() {
        let e = FrontierEntry {
            url: "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp".into(),
            method: Method::Post,
            request_body: Some("col=1&columnid=12&startrecord=1&endrecord=45".into()),
            purpose: FetchPurpose::Crawl,
            depth: 2,
            parent: Some("http://www.example.gov.cn/col/col12/index.html".into()),
            link_kind: Some(LinkKind::Attachment),
            column: Some("规范性文件".into()),
        };
        let back: FrontierEntry =
            serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
