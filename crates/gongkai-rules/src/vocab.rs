//! The pack's shared vocabulary (`rules/vocabulary.toml`): the validity labels and marks, and the
//! words that make a page an interpretation or a normative document. Every rule that needs one of
//! these reads it from here, so an office that adds a label or a mark changes every rule at once.

use crate::error::RulesError;
use crate::text::compact;
use serde::{Deserialize, Serialize};

/// Name of the vocabulary file inside a pack directory (not a rule file).
pub const VOCABULARY_FILE: &str = "vocabulary.toml";

/// The shared vocabulary of a pack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Vocabulary {
    pub validity: ValidityWords,
    pub interpretation: InterpretationWords,
    pub normative: NormativeWords,
}

/// What a page's validity mark (有效性) may be labelled and may say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidityWords {
    /// Metadata labels that carry the mark, besides the extractor's own 有效性 field (labels of
    /// the metadata block only: a clause in the document's body is never a mark).
    pub labels: Vec<String>,
    /// Values that count as a mark (a value with a date, such as 有效期至2027年9月18日, counts too).
    pub marks: Vec<String>,
    /// Marks that say the document is in force.
    pub in_force: Vec<String>,
    /// Words that say the document is no longer (fully) in force; they win over `in_force`.
    pub not_in_force: Vec<String>,
}

/// What makes a page an interpretation (解读) and a link a link to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterpretationWords {
    /// Words in a title or an anchor text (解读, 图解, 一图读懂 ...).
    pub title_words: Vec<String>,
    /// Words in a column name (解读).
    pub column_words: Vec<String>,
}

/// What makes a page a normative document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormativeWords {
    /// Words in a column name or a 文件类型 value (规范性文件).
    pub words: Vec<String>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Default for ValidityWords {
    fn default() -> Self {
        ValidityWords {
            labels: strings(&[
                "有效性",
                "时效性",
                "效力状态",
                "效力状况",
                "效力级别",
                "有效期",
                "时效",
                "效力",
                "有效状态",
                "文件状态",
                "是否有效",
                "有效期限",
            ]),
            marks: strings(&[
                "现行有效",
                "长期有效",
                "继续有效",
                "部分有效",
                "有效",
                "已失效",
                "部分失效",
                "失效",
                "已废止",
                "废止",
                "已修改",
                "已修订",
                "修订",
                "修改",
                "尚未生效",
                "未生效",
                "停止执行",
                "长期",
            ]),
            in_force: strings(&["现行有效", "有效", "继续有效"]),
            not_in_force: strings(&[
                "失效",
                "废止",
                "停止执行",
                "已修改",
                "已修订",
                "被修改",
                "尚未生效",
                "未生效",
            ]),
        }
    }
}

impl Default for InterpretationWords {
    fn default() -> Self {
        InterpretationWords {
            title_words: strings(&["解读", "图解", "一图读懂", "答记者问", "问答", "一问一答"]),
            column_words: strings(&["解读"]),
        }
    }
}

impl Default for NormativeWords {
    fn default() -> Self {
        NormativeWords {
            words: strings(&["规范性文件"]),
        }
    }
}

impl Vocabulary {
    /// Parses `vocabulary.toml`; errors name the file and line.
    pub(crate) fn parse(name: &str, text: &str) -> Result<Self, RulesError> {
        let v: Vocabulary = toml::from_str(text)
            .map_err(|e| RulesError::at(name, text, e.span().map(|s| s.start), e.message()))?;
        let lists = [
            ("validity.labels", &v.validity.labels),
            ("validity.marks", &v.validity.marks),
            ("validity.in_force", &v.validity.in_force),
            ("interpretation.title_words", &v.interpretation.title_words),
            ("normative.words", &v.normative.words),
        ];
        for (key, list) in lists {
            if list.is_empty() || list.iter().any(|w| w.trim().is_empty()) {
                return Err(RulesError::at(
                    name,
                    text,
                    None,
                    format!("`{key}` must be a non-empty list of non-empty words"),
                ));
            }
        }
        Ok(v)
    }
}

impl ValidityWords {
    /// The longest mark contained in `value` (spaces and widths ignored), or "日期" when the value
    /// carries a full date (有效期至2027年9月18日); None when it states no validity at all.
    pub fn mark_in(&self, value: &str) -> Option<String> {
        let v = compact(value);
        let mut sorted: Vec<&String> = self.marks.iter().collect();
        sorted.sort_by_key(|m| std::cmp::Reverse(m.chars().count()));
        if let Some(m) = sorted
            .into_iter()
            .find(|m| !m.trim().is_empty() && v.contains(compact(m).as_str()))
        {
            return Some(m.clone());
        }
        if !gongkai_page::dates::find_dates(value).is_empty() {
            return Some("日期".into());
        }
        None
    }

    /// True when a mark says the document is no longer (fully) in force.
    pub fn says_not_in_force(&self, value: &str) -> bool {
        let v = compact(value);
        self.not_in_force
            .iter()
            .any(|w| !w.trim().is_empty() && v.contains(compact(w).as_str()))
    }

    /// True when a mark says the document is in force (and nothing says otherwise).
    pub fn says_in_force(&self, value: &str) -> bool {
        let v = compact(value);
        !self.says_not_in_force(value)
            && self
                .in_force
                .iter()
                .any(|w| !w.trim().is_empty() && v.contains(compact(w).as_str()))
    }

    /// True when a normalised metadata label is one of the validity labels.
    pub fn is_label(&self, label: &str) -> bool {
        let l = compact(label);
        self.labels.iter().any(|x| compact(x) == l)
    }
}

impl InterpretationWords {
    /// True when a title or anchor text reads like an interpretation.
    pub fn in_title(&self, s: &str) -> bool {
        self.title_words
            .iter()
            .any(|w| !w.is_empty() && s.contains(w.as_str()))
    }

    /// True when a column name is an interpretation column.
    pub fn in_column(&self, s: &str) -> bool {
        self.column_words
            .iter()
            .any(|w| !w.is_empty() && s.contains(w.as_str()))
    }
}

impl NormativeWords {
    /// True when a column name or a 文件类型 value says 规范性文件.
    pub fn matches(&self, s: &str) -> bool {
        self.words
            .iter()
            .any(|w| !w.is_empty() && s.contains(w.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_force() {
        let v = ValidityWords::default();
        assert_eq!(v.mark_in("现行 有效").as_deref(), Some("现行有效"));
        assert_eq!(
            v.mark_in("2022年10月26日至2027年10月25日").as_deref(),
            Some("日期")
        );
        assert_eq!(v.mark_in("见正文"), None);
        assert!(v.says_in_force("有效（暂行，有效期2年）"));
        assert!(!v.says_in_force("部分失效"));
        assert!(!v.says_in_force("已废止"));
        assert!(v.says_not_in_force("已修改"));
        assert!(v.is_label("效力 状况"));
    }

    #[test]
    fn empty_lists_are_refused_with_the_file() {
        let e = Vocabulary::parse("vocabulary.toml", "[validity]\nmarks = []\n").unwrap_err();
        assert!(e.to_string().contains("vocabulary.toml"), "{e}");
        let e =
            Vocabulary::parse("vocabulary.toml", "[validity]\nmark = [\"有效\"]\n").unwrap_err();
        assert!(e.to_string().contains("vocabulary.toml:2"), "{e}");
        let v = Vocabulary::parse(
            "vocabulary.toml",
            "[interpretation]\ntitle_words = [\"解读\"]\n",
        )
        .unwrap();
        assert_eq!(v.interpretation.title_words, ["解读"]);
        assert_eq!(v.validity, ValidityWords::default());
    }
}
