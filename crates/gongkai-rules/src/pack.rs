//! The rule pack: rule files (`rules/*.toml`) in their serde form ([`RawRule`]) and compiled into
//! typed [`Rule`]s whose check kind and parameters have been validated.

use crate::checks::{self, Check, ParamError};
use crate::coverage::CoverageData;
use crate::error::RulesError;
use crate::Severity;
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;

/// Name of the coverage data file inside a pack directory (not a rule file).
pub const COVERAGE_FILE: &str = "coverage.toml";

/// The default pack, embedded at compile time (file name, text). A test keeps this list equal to
/// the files of `rules/`.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    (
        "annual-report.toml",
        include_str!("../../../rules/annual-report.toml"),
    ),
    ("columns.toml", include_str!("../../../rules/columns.toml")),
    (
        "consultation.toml",
        include_str!("../../../rules/consultation.toml"),
    ),
    (
        "coverage.toml",
        include_str!("../../../rules/coverage.toml"),
    ),
    (
        "documents.toml",
        include_str!("../../../rules/documents.toml"),
    ),
    (
        "indicators.toml",
        include_str!("../../../rules/indicators.toml"),
    ),
    (
        "interaction.toml",
        include_str!("../../../rules/interaction.toml"),
    ),
    (
        "interpretation.toml",
        include_str!("../../../rules/interpretation.toml"),
    ),
    ("links.toml", include_str!("../../../rules/links.toml")),
    ("privacy.toml", include_str!("../../../rules/privacy.toml")),
    ("site.toml", include_str!("../../../rules/site.toml")),
];

/// One rule file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

/// One rule, as written in TOML (`[[rule]]`). Kept apart from the compiled [`Rule`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Stable id, e.g. "link.broken".
    pub id: Spanned<String>,
    /// Chinese title.
    pub title: String,
    pub severity: Severity,
    /// Ledger item numbers (1..=67).
    pub ledger: Spanned<Vec<u32>>,
    /// Cited text of the ledger item or regulation.
    #[serde(default)]
    pub clause: String,
    /// Default responsible unit (责任单位).
    pub department: String,
    /// The rule does not fire before (or on) this date: TOML date or "YYYY-MM-DD".
    #[serde(default)]
    pub due: Option<Spanned<toml::Value>>,
    /// Check kind name (see [`crate::check_kinds`]).
    pub check: Spanned<String>,
    /// Parameters of the check kind; unknown keys are errors.
    #[serde(default)]
    pub params: Option<toml::Table>,
    /// What it checks, why, an example.
    #[serde(default)]
    pub doc: String,
    /// False switches the rule off without deleting it.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A compiled rule.
#[derive(Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub ledger: Vec<u32>,
    pub clause: String,
    pub department: String,
    pub due: Option<NaiveDate>,
    /// Check kind name.
    pub check: String,
    pub doc: String,
    pub enabled: bool,
    /// File the rule came from (file name only).
    pub file: String,
    pub(crate) imp: Arc<dyn Check>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("severity", &self.severity)
            .field("check", &self.check)
            .field("file", &self.file)
            .finish()
    }
}

impl Rule {
    /// The effective parameters (defaults filled in), as TOML.
    pub fn params_toml(&self) -> String {
        self.imp.params_toml()
    }
}

/// A loaded, validated rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    rules: Vec<Rule>,
    hash: String,
    pub(crate) coverage: Option<CoverageData>,
    source: String,
}

impl RulePack {
    /// All rules, sorted by id.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// sha256 (hex) over the pack's files (name and bytes, sorted by name), for citability.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Where the pack came from ("embedded" or the directory).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Human-readable explanation for `gongkai rules explain ID`.
    pub fn explain(&self, id: &str) -> Option<String> {
        let r = self.get(id)?;
        let mut s = String::new();
        s.push_str(&format!("{} — {}\n", r.id, r.title));
        s.push_str(&format!(
            "severity: {} ({})\n",
            r.severity.as_str(),
            r.severity.label_zh()
        ));
        let ledger: Vec<String> = r.ledger.iter().map(|n| n.to_string()).collect();
        s.push_str(&format!(
            "ledger: 滕政办发〔2022〕11号 台账第 {} 项\n",
            ledger.join("、")
        ));
        s.push_str(&format!("department: {}\n", r.department));
        if let Some(d) = r.due {
            s.push_str(&format!("due: {d}\n"));
        }
        if !r.enabled {
            s.push_str("enabled: false\n");
        }
        s.push_str(&format!("check: {}\nfile: {}\n", r.check, r.file));
        s.push_str(&format!("\nclause:\n  {}\n", r.clause.trim()));
        s.push_str("\ndoc:\n");
        for line in r.doc.trim().lines() {
            s.push_str(&format!("  {line}\n"));
        }
        s.push_str("\nparams:\n");
        for line in r.params_toml().lines() {
            s.push_str(&format!("  {line}\n"));
        }
        Some(s)
    }
}

/// Loads every `*.toml` of `dir` (`coverage.toml` is the coverage data, the others hold
/// `[[rule]]` tables). Any error names the file and line.
pub fn load_pack(dir: &Path) -> Result<RulePack, RulesError> {
    let rd = std::fs::read_dir(dir).map_err(|source| RulesError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|source| RulesError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
            path: path.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        files.push((name, text));
    }
    let pack = compile(files, dir.display().to_string())?;
    if pack.rules.is_empty() {
        return Err(RulesError::Empty(dir.to_path_buf()));
    }
    Ok(pack)
}

/// The pack shipped with the binary (the repository's `rules/`, embedded at compile time).
pub fn default_pack() -> RulePack {
    let files = EMBEDDED
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    compile(files, "embedded".into()).expect("the embedded rule pack is valid (tested)")
}

/// Compiles named file texts into a pack.
pub fn pack_from_files(files: Vec<(String, String)>) -> Result<RulePack, RulesError> {
    compile(files, "memory".into())
}

fn compile(mut files: Vec<(String, String)>, source: String) -> Result<RulePack, RulesError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (name, text) in &files {
        hasher.update(name.as_bytes());
        hasher.update([0u8]);
        hasher.update(text.as_bytes());
        hasher.update([0u8]);
    }
    let hash = hex::encode(hasher.finalize());

    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    let mut coverage = None;
    for (name, text) in &files {
        if name == COVERAGE_FILE {
            coverage = Some(CoverageData::parse(name, text)?);
            continue;
        }
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| RulesError::at(name, text, e.span().map(|s| s.start), e.message()))?;
        for (i, rr) in raw.rule.into_iter().enumerate() {
            let rule = compile_rule(name, text, i, rr)?;
            let id_line = rule_line(text, i);
            if let Some((f, l)) = seen.get(&rule.id) {
                return Err(RulesError::Invalid {
                    file: name.clone(),
                    line: id_line,
                    message: format!("duplicate rule id `{}` (first defined at {f}:{l})", rule.id),
                });
            }
            seen.insert(rule.id.clone(), (name.clone(), id_line));
            rules.push(rule);
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(RulePack {
        rules,
        hash,
        coverage,
        source,
    })
}

fn rule_line(text: &str, index: usize) -> usize {
    let doc = toml_edit::Document::parse(text).ok();
    let off = doc.as_ref().and_then(|d| {
        let t = d.as_table().get("rule")?.as_array_of_tables()?.get(index)?;
        t.key("id")
            .and_then(|k| k.span())
            .or(t.span())
            .map(|s| s.start)
    });
    off.map(|o| crate::error::line_of(text, o)).unwrap_or(0)
}

fn compile_rule(file: &str, text: &str, index: usize, rr: RawRule) -> Result<Rule, RulesError> {
    let id = rr.id.get_ref().trim().to_string();
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !id_ok {
        return Err(RulesError::at(
            file,
            text,
            Some(rr.id.span().start),
            format!("bad rule id `{id}`: use lower-case ASCII letters, digits, '.', '-', '_'"),
        ));
    }
    if let Some(bad) = rr.ledger.get_ref().iter().find(|n| !(1..=67).contains(*n)) {
        return Err(RulesError::at(
            file,
            text,
            Some(rr.ledger.span().start),
            format!("rule `{id}`: ledger item {bad} is not in 1..=67"),
        ));
    }
    let due = match &rr.due {
        None => None,
        Some(sp) => Some(toml_date(sp.get_ref()).ok_or_else(|| {
            RulesError::at(
                file,
                text,
                Some(sp.span().start),
                format!("rule `{id}`: bad date in `due` (use 2022-06-30)"),
            )
        })?),
    };
    let kind = rr.check.get_ref().trim();
    let params = rr.params.unwrap_or_default();
    let imp = match checks::build(kind, params) {
        Ok(imp) => imp,
        Err(ParamError::UnknownKind) => {
            let known: Vec<&str> = checks::KINDS.iter().map(|k| k.name).collect();
            return Err(RulesError::at(
                file,
                text,
                Some(rr.check.span().start),
                format!(
                    "rule `{id}`: unknown check kind `{kind}` (known: {})",
                    known.join(", ")
                ),
            ));
        }
        Err(ParamError::Bad { path, message }) => {
            let off = param_offset(text, index, &path);
            let shown = if path.is_empty() {
                String::new()
            } else {
                format!(" `{}`", path.join("."))
            };
            return Err(RulesError::at(
                file,
                text,
                off,
                format!("rule `{id}`: bad parameter{shown}: {message}"),
            ));
        }
    };
    Ok(Rule {
        id,
        title: rr.title,
        severity: rr.severity,
        ledger: rr.ledger.into_inner(),
        clause: rr.clause,
        department: rr.department,
        due,
        check: kind.to_string(),
        doc: rr.doc,
        enabled: rr.enabled,
        file: file.to_string(),
        imp,
    })
}

/// A date from a TOML date value or a "YYYY-MM-DD" string.
pub(crate) fn toml_date(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::Datetime(dt) => {
            if dt.time.is_some() || dt.offset.is_some() {
                return None;
            }
            let d = dt.date?;
            NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// Byte offset of the deepest known position of `rule[index].params.<path>`.
fn param_offset(text: &str, index: usize, path: &[String]) -> Option<usize> {
    enum Node<'a> {
        Item(&'a toml_edit::Item),
        Table(&'a toml_edit::Table),
        Value(&'a toml_edit::Value),
    }
    let doc = toml_edit::Document::parse(text).ok()?;
    let rule = doc
        .as_table()
        .get("rule")?
        .as_array_of_tables()?
        .get(index)?;
    let mut best = rule.span().map(|s| s.start);
    let Some(params) = rule.get("params") else {
        return best;
    };
    if let Some(s) = rule.key("params").and_then(|k| k.span()).or(params.span()) {
        best = Some(s.start);
    }
    let mut node = Node::Item(params);
    for seg in path {
        let mut key_span = None;
        let next = match node {
            Node::Item(toml_edit::Item::Table(t)) | Node::Table(t) => {
                key_span = t.key(seg).and_then(|k| k.span());
                t.get(seg).map(Node::Item)
            }
            Node::Item(toml_edit::Item::ArrayOfTables(a)) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .map(Node::Table),
            Node::Item(toml_edit::Item::Value(v)) | Node::Value(v) => match v {
                toml_edit::Value::InlineTable(it) => {
                    key_span = it.key(seg).and_then(|k| k.span());
                    it.get(seg).map(Node::Value)
                }
                toml_edit::Value::Array(a) => seg
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| a.get(i))
                    .map(Node::Value),
                _ => None,
            },
            Node::Item(_) => None,
        };
        if let Some(s) = &key_span {
            best = Some(s.start);
        }
        let Some(n) = next else { break };
        let span = match &n {
            Node::Item(it) => it.span(),
            Node::Table(t) => t.span(),
            Node::Value(v) => v.span(),
        };
        if key_span.is_none() {
            if let Some(s) = span {
                best = Some(s.start);
            }
        }
        node = n;
    }
    best
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
