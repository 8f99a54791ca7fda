//! `gongkai fleet`: the PostgreSQL side of a province's scan — schema, sites, status, report.
//! The work itself is `gongkai worker` (cmd/worker.rs); the logic lives in gongkai-fleet.

use crate::cli::{FleetAction, FleetArgs};
use anyhow::Result;
use gongkai_fleet::{report, schema, sites, status, Db};
use std::process::ExitCode;

pub async fn run(args: FleetArgs) -> Result<ExitCode> {
    match args.action {
        FleetAction::Init { pg } => {
            let db = Db::connect(&pg).await?;
            let (before, after) = schema::migrate(&db).await?;
            if before == after {
                println!("队列数据库已是最新（schema {after}）");
            } else {
                println!("队列数据库已初始化或升级：schema {before} → {after}");
            }
        }
        FleetAction::Add { pg, sites: path } => {
            // The CSV is checked before any connection: a bad row fails fast with its line.
            let rows = sites::read_csv(&path)?;
            let db = connected(&pg).await?;
            let sum = sites::register(&db, &rows).await?;
            println!(
                "站点 {} 个：新增 {}，更新 {}；新排队 {} 个",
                rows.len(),
                sum.added,
                sum.updated,
                sum.queued
            );
        }
        FleetAction::Status { pg } => {
            let db = connected(&pg).await?;
            print!("{}", status::render(&status::load(&db).await?));
        }
        FleetAction::Report { pg, out } => {
            let db = connected(&pg).await?;
            let index = report::write(&db, &out).await?;
            println!("全省报告已写入 (report written): {}", index.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Connects and checks that `fleet init` has run.
pub async fn connected(pg: &str) -> Result<Db> {
    let db = Db::connect(pg).await?;
    schema::check(&db).await?;
    Ok(db)
}
