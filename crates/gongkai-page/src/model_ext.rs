//! Page-model methods that need this crate's parsers ([`PageModelExt`]); the model itself is
//! defined in `gongkai-core`.

use gongkai_core::model::{Field, PageModel};

/// Page-model methods that need this crate's date parser.
pub trait PageModelExt {
    /// The date that places this page in time, for deciding whether a rule applies (documents
    /// since a date): 发布日期, else 成文日期, else the `PubDate` guideline meta, as ISO
    /// `YYYY-MM-DD`. The date a column list gives for the page is the caller's further fallback.
    /// This never supplies a field the page must show itself.
    fn reference_date(&self) -> Option<String>;
}

impl PageModelExt for PageModel {
    fn reference_date(&self) -> Option<String> {
        [Field::PublishDate, Field::WrittenDate]
            .into_iter()
            .filter_map(|f| self.metadata.value(f))
            .chain(self.guideline_meta.get("PubDate").map(|v| v.as_str()))
            .find_map(|v| crate::dates::parse_date(v).map(|d| d.to_string()))
    }
}
