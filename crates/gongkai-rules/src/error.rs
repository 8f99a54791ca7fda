//! Errors of loading a rule pack. Every message is one line and names the file and line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The directory or a file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A rule file is wrong: TOML syntax, unknown check kind, unknown or badly typed parameter,
    /// duplicate id, bad date ... `line` is 1-based (0 when no position is known).
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    /// The directory holds no rule file.
    #[error("{0}: no rule files (*.toml with [[rule]] tables)")]
    Empty(PathBuf),
}

impl RulesError {
    pub(crate) fn at(
        file: &str,
        text: &str,
        offset: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        let line = offset.map(|o| line_of(text, o)).unwrap_or(0);
        let message = message.into().replace(['\n', '\r'], " ");
        RulesError::Invalid {
            file: file.to_string(),
            line,
            message: message.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
