//! The sites CSV and its registration: UTF-8 (a BOM is allowed), a header row naming the columns
//! 名称, 网址 and 主管单位, and optionally 平台 (platform key) and 配置 (path of a site.toml,
//! relative to the CSV). Re-adding a CSV updates the sites by 网址 and never duplicates them.

use crate::db::Db;
use crate::{FleetError, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tokio_postgres::types::Type;

/// Largest CSV and largest site.toml read (the lists are small; anything larger is a mistake).
const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// One row of the CSV, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    /// Line of the row in the CSV (1-based), for messages.
    pub line: u64,
    /// 名称.
    pub name: String,
    /// 网址, normalised (absolute http(s) URL).
    pub url: String,
    /// 主管单位.
    pub authority: String,
    /// 平台 when given.
    pub platform: Option<String>,
    /// 配置: the path as resolved against the CSV's directory, and the file's text.
    pub config: Option<(PathBuf, String)>,
}

/// Reads and checks the whole CSV; the first bad row fails with file and line.
pub fn read_csv(path: &Path) -> Result<Vec<SiteRow>> {
    let file = path.display().to_string();
    let io = |source| FleetError::Io {
        path: file.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_CSV_BYTES {
        return Err(csv_err(
            &file,
            1,
            format!("file larger than {MAX_CSV_BYTES} bytes"),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_csv(&bytes, &file, base)
}

fn csv_err(file: &str, line: u64, message: String) -> FleetError {
    FleetError::Csv {
        file: file.to_string(),
        line,
        message,
    }
}

/// Parses CSV bytes; `file` names it in errors and `base` resolves relative 配置 paths.
pub fn parse_csv(bytes: &[u8], file: &str, base: &Path) -> Result<Vec<SiteRow>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        return Err(csv_err(
            file,
            line,
            "not UTF-8 (save the file as UTF-8; GBK/GB18030 exports from Excel must be converted)"
                .into(),
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| csv_err(file, 1, format!("cannot read the header row: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_c), Some(url_c), Some(auth_c)) = (col("名称"), col("网址"), col("主管单位"))
    else {
        return Err(csv_err(
            file,
            1,
            format!(
                "the header row must name the columns 名称, 网址 and 主管单位 (found: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let (plat_c, conf_c) = (col("平台"), col("配置"));
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(bytes, p));
            csv_err(file, line, format!("unreadable row: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| line_of(bytes, p));
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let need = |c: usize, label: &str| {
            get(Some(c)).ok_or_else(|| csv_err(file, line, format!("{label} is empty")))
        };
        let name = need(name_c, "名称")?;
        let raw_url = need(url_c, "网址")?;
        let authority = need(auth_c, "主管单位")?;
        let url = normalise_url(&raw_url).map_err(|m| csv_err(file, line, m))?;
        if let Some(first) = seen.insert(url.clone(), line) {
            return Err(csv_err(
                file,
                line,
                format!("网址 {url} is listed twice (first at line {first})"),
            ));
        }
        let config = match get(conf_c) {
            None => None,
            Some(p) => Some(read_config(base, &p).map_err(|m| csv_err(file, line, m))?),
        };
        rows.push(SiteRow {
            line,
            name,
            url,
            authority,
            platform: get(plat_c),
            config,
        });
    }
    Ok(rows)
}

/// The 1-based line of a record from its byte offset (the csv crate's own line count skips
/// blank lines, which would point users at the wrong line).
fn line_of(bytes: &[u8], p: &csv::Position) -> u64 {
    let mut end = usize::try_from(p.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    // A record's position can be the blank lines before it.
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count() as u64
}

/// An absolute http(s) URL with a host, fragment dropped.
pub fn normalise_url(raw: &str) -> std::result::Result<String, String> {
    let mut u = url::Url::parse(raw).map_err(|e| format!("网址 {raw:?} is not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
        return Err(format!("网址 {raw:?} must be an http(s) URL with a host"));
    }
    u.set_fragment(None);
    Ok(u.to_string())
}

fn read_config(base: &Path, p: &str) -> std::result::Result<(PathBuf, String), String> {
    let path = base.join(p);
    let meta = std::fs::metadata(&path).map_err(|e| format!("配置 {}: {e}", path.display()))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(format!("配置 {} is larger than 1 MiB", path.display()));
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("配置 {}: {e}", path.display()))?;
    Ok((path, text))
}

/// The platform key of a site: its 平台 when given, else the first resolved IP address of its
/// host (`ip:…`), else the host name itself (`host:…`) when it does not resolve now.
pub async fn platform_key(platform: Option<&str>, url: &str) -> String {
    if let Some(p) = platform {
        return p.to_string();
    }
    let Ok(u) = url::Url::parse(url) else {
        return format!("host:{url}");
    };
    let host = u.host_str().unwrap_or_default().to_string();
    let port = u.port_or_known_default().unwrap_or(80);
    let bare = host.trim_matches(['[', ']']).to_string();
    let lookup = tokio::net::lookup_host((bare, port));
    match tokio::time::timeout(std::time::Duration::from_secs(10), lookup).await {
        Ok(Ok(mut addrs)) => match addrs.next() {
            Some(a) => format!("ip:{}", a.ip()),
            None => format!("host:{host}"),
        },
        _ => format!("host:{host}"),
    }
}

/// What `fleet add` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AddSummary {
    /// Sites new to the fleet.
    pub added: u64,
    /// Sites already there, updated.
    pub updated: u64,
    /// Site-runs queued (sites with no run due or running).
    pub queued: u64,
}

/// Registers the rows in one transaction: upsert by 网址, then queue a site-run for every site
/// that has none due or running (re-adding a CSV starts a new round).
pub async fn register(db: &Db, rows: &[SiteRow]) -> Result<AddSummary> {
    use futures::StreamExt;
    // Name lookups run 32 at a time: a province's list can hold a thousand hosts.
    let keys: Vec<String> = futures::stream::iter(rows)
        .map(|r| platform_key(r.platform.as_deref(), &r.url))
        .buffered(32)
        .collect()
        .await;
    db.begin().await?;
    let res = register_in_tx(db, rows, &keys).await;
    match res {
        Ok(s) => {
            db.commit().await?;
            Ok(s)
        }
        Err(e) => {
            db.rollback().await;
            Err(e)
        }
    }
}

async fn register_in_tx(db: &Db, rows: &[SiteRow], keys: &[String]) -> Result<AddSummary> {
    let mut sum = AddSummary::default();
    for (r, key) in rows.iter().zip(keys) {
        let cpath = r.config.as_ref().map(|(p, _)| p.display().to_string());
        let ctext = r.config.as_ref().map(|(_, t)| t.clone());
        let got = db
            .query(
                "INSERT INTO sites (name, url, authority, platform, platform_key, config_path, config_text)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (url) DO UPDATE SET name = EXCLUDED.name,
                     authority = EXCLUDED.authority, platform = EXCLUDED.platform,
                     platform_key = EXCLUDED.platform_key, config_path = EXCLUDED.config_path,
                     config_text = EXCLUDED.config_text, updated_at = now()
                 RETURNING id, (xmax = 0)",
                &[
                    (&r.name, Type::TEXT),
                    (&r.url, Type::TEXT),
                    (&r.authority, Type::TEXT),
                    (&r.platform, Type::TEXT),
                    (key, Type::TEXT),
                    (&cpath, Type::TEXT),
                    (&ctext, Type::TEXT),
                ],
                &format!("registering {} (line {})", r.url, r.line),
            )
            .await?;
        let row = got.first().ok_or_else(|| FleetError::NotInitialised)?;
        let id: i64 = row.get(0);
        if row.get::<_, bool>(1) {
            sum.added += 1;
        } else {
            sum.updated += 1;
        }
        // A due run follows the site's new platform key; a running one keeps the one it holds.
        db.execute(
            "UPDATE site_runs SET platform_key = $2 WHERE site_id = $1 AND state = 'due'",
            &[(&id, Type::INT8), (key, Type::TEXT)],
            "updating the queue",
        )
        .await?;
        sum.queued += db
            .execute(
                "INSERT INTO site_runs (site_id, platform_key) VALUES ($1, $2)
                 ON CONFLICT (site_id) WHERE state IN ('due', 'running') DO NOTHING",
                &[(&id, Type::INT8), (key, Type::TEXT)],
                "queueing a site-run",
            )
            .await?;
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_optional_columns_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "[site]\n").unwrap();
        let text = "\u{feff}名称,网址,主管单位,平台,配置\n\
                    甲市政府,http://a.example.cn,甲市,集约一号,a.toml\n\
                    \n\
                    乙县政府,https://b.example.cn/index.html#top,乙县,,\n";
        let rows = parse_csv(text.as_bytes(), "s.csv", dir.path()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].url, "http://a.example.cn/");
        assert_eq!(rows[0].platform.as_deref(), Some("集约一号"));
        assert_eq!(rows[0].config.as_ref().unwrap().1, "[site]\n");
        assert_eq!(rows[1].url, "https://b.example.cn/index.html");
        assert_eq!(rows[1].platform, None);
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let base = Path::new(".");
        let cases: &[(&[u8], u64, &str)] = &[
            (b"name,url\n", 1, "名称, 网址 and 主管单位"),
            (
                "名称,网址,主管单位\n甲,ftp://x.cn,甲\n".as_bytes(),
                2,
                "http(s)",
            ),
            (
                "名称,网址,主管单位\n甲,http://x.cn,\n".as_bytes(),
                2,
                "主管单位 is empty",
            ),
            (
                "名称,网址,主管单位\n甲,http://x.cn,甲\n乙,http://x.cn/,乙\n".as_bytes(),
                3,
                "first at line 2",
            ),
            (b"\xe5\x90\x8d,x\n\xff\xfe,y\n", 2, "not UTF-8"),
            (
                "名称,网址,主管单位,配置\n甲,http://x.cn,甲,missing.toml\n".as_bytes(),
                2,
                "配置",
            ),
        ];
        for (text, line, want) in cases {
            let e = parse_csv(text, "s.csv", base).unwrap_err().to_string();
            assert!(e.starts_with(&format!("s.csv:{line}: ")), "{e}");
            assert!(e.contains(want), "{e}");
        }
    }

    #[tokio::test]
    async fn platform_key_prefers_the_column_then_the_address() {
        assert_eq!(platform_key(Some("集约"), "http://x.cn/").await, "集约");
        assert_eq!(
            platform_key(None, "http://127.0.0.1:8080/").await,
            "ip:127.0.0.1"
        );
        assert_eq!(
            platform_key(None, "http://localhost/")
                .await
                .split(':')
                .next(),
            Some("ip")
        );
    }
}
