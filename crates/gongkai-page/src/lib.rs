//! Pure extraction from stored page bytes: charset decoding, links, page kind, the metadata block
//! (索引号, 文号, 成文日期, 有效性 ...), dates, 文号 parsing, column lists and their pagination.
//!
//! Nothing here does I/O. The crawler calls [`analyze`] once per fetched HTML page and gets both
//! the links that feed its frontier and the [`PageModel`] that the rules read; `gongkai check`
//! can re-run the same extraction over bytes already stored.

pub mod charset;
mod content;
pub mod dates;
pub mod docnum;
mod dom;
mod guard;
pub mod labels;
pub mod links;
pub mod metadata;
pub mod model;
pub mod url;

pub use charset::{decode, Decoded};
pub use model::*;
