//! `gongkai fleet status`: every site with the state of its latest site-run and its last
//! published run.

use crate::db::Db;
use crate::Result;
use chrono::{DateTime, FixedOffset, Utc};

/// One site's line of the status.
#[derive(Debug, Clone)]
pub struct SiteStatus {
    /// Site id.
    pub id: i64,
    /// 名称.
    pub name: String,
    /// 网址.
    pub url: String,
    /// 主管单位.
    pub authority: String,
    /// Platform key.
    pub platform_key: String,
    /// State of the latest site-run (`due`, `running`, `done`, `failed`), if any.
    pub state: Option<String>,
    /// Worker holding (or last holding) it.
    pub worker: Option<String>,
    /// When it was claimed.
    pub since: Option<DateTime<Utc>>,
    /// Attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed, or why a lease was taken over.
    pub reason: Option<String>,
    /// A running site-run whose lease has expired (its worker is gone).
    pub lease_expired: bool,
    /// The last published run: when it finished, its status and its number of findings.
    pub last_run: Option<(DateTime<Utc>, String, i64)>,
}

/// Reads the status of every site (one round trip).
pub async fn load(db: &Db) -> Result<Vec<SiteStatus>> {
    let rows = db
        .query(
            "SELECT s.id, s.name, s.url, s.authority, s.platform_key,
                    r.state, r.worker, r.claimed_at, coalesce(r.attempts, 0), r.reason,
                    coalesce(r.state = 'running' AND r.lease_until < now(), false),
                    lr.finished_at, lr.status,
                    (SELECT count(*) FROM findings f WHERE f.site_run_id = lr.site_run_id)
             FROM sites s
             LEFT JOIN LATERAL (SELECT * FROM site_runs WHERE site_id = s.id
                                ORDER BY id DESC LIMIT 1) r ON true
             LEFT JOIN LATERAL (SELECT * FROM runs WHERE site_id = s.id
                                ORDER BY finished_at DESC LIMIT 1) lr ON true
             ORDER BY s.id",
            &[],
            "reading the fleet status",
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| SiteStatus {
            id: r.get(0),
            name: r.get(1),
            url: r.get(2),
            authority: r.get(3),
            platform_key: r.get(4),
            state: r.get(5),
            worker: r.get(6),
            since: r.get(7),
            attempts: r.get(8),
            reason: r.get(9),
            lease_expired: r.get(10),
            last_run: r
                .get::<_, Option<DateTime<Utc>>>(11)
                .map(|t| (t, r.get(12), r.get(13))),
        })
        .collect())
}

/// 北京时间 for display.
pub fn beijing(t: DateTime<Utc>) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The status as text (Chinese, for the office): a count per state, then one line per site.
pub fn render(sites: &[SiteStatus]) -> String {
    let count = |s: &str| {
        sites
            .iter()
            .filter(|x| x.state.as_deref() == Some(s))
            .count()
    };
    let mut out = format!(
        "站点 {} 个：待扫描 {}，扫描中 {}，已完成 {}，失败 {}\n",
        sites.len(),
        count("due"),
        count("running"),
        count("done"),
        count("failed")
    );
    for s in sites {
        let state = match s.state.as_deref() {
            None => "未排队".to_string(),
            Some("due") if s.attempts > 0 => format!("待重试（已尝试 {} 次）", s.attempts),
            Some("due") => "待扫描".to_string(),
            Some("running") => format!(
                "扫描中（{}，自 {} 起{}）",
                s.worker.as_deref().unwrap_or("?"),
                s.since.map(beijing).unwrap_or_default(),
                if s.lease_expired {
                    "，租约已过期，等待接手"
                } else {
                    ""
                }
            ),
            Some("done") => "已完成".to_string(),
            Some("failed") => format!("失败（{}）", s.reason.as_deref().unwrap_or("原因未知")),
            Some(other) => other.to_string(),
        };
        let last = match &s.last_run {
            Some((t, status, n)) => format!(
                "上次运行 {}（{}，发现 {n} 条）",
                beijing(*t),
                if status == "partial" {
                    "不完整"
                } else {
                    "完整"
                }
            ),
            None => "尚无运行".to_string(),
        };
        out.push_str(&format!(
            "[{}] {} {} 主管单位：{} 平台：{}  {}  {}\n",
            s.id, s.name, s.url, s.authority, s.platform_key, state, last
        ));
    }
    out
}
