//! `gongkai serve`: the departments' web application over the database.

use crate::cli::ServeArgs;
use crate::config::SiteConfig;
use anyhow::{Context, Result};
use gongkai_rules::OwnerRule;
use gongkai_serve::{AppState, ServeOptions};
use std::io::Write;
use std::process::ExitCode;

pub async fn run(args: ServeArgs) -> Result<ExitCode> {
    let site = match &args.config {
        Some(p) => SiteConfig::load(p)?,
        None => SiteConfig::default(),
    };
    let pack = super::check::load_pack(args.rules.as_deref())?;
    // Opening read-write once applies pending migrations before requests arrive.
    drop(super::check::open_existing(&args.db)?);
    let opts = ServeOptions {
        db: args.db.clone(),
        secure_cookies: args.secure_cookies,
        trust_proxy: args.trust_proxy,
        owners: site
            .owners
            .iter()
            .map(|o| OwnerRule {
                url_prefix: o.url_prefix.clone(),
                column: o.column.clone(),
                department: o.department.clone(),
            })
            .collect(),
        aliases: site
            .departments
            .aliases
            .iter()
            .map(|(a, c)| (a.clone(), c.clone()))
            .collect(),
        text: site.text.site_terms(),
    };
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && !args.secure_cookies {
        tracing::warn!(
            %addr,
            "serving beyond loopback without --secure-cookies: put a TLS reverse proxy in front"
        );
    }
    println!(
        "gongkai serve: http://{addr}/ (数据库 {})",
        args.db.display()
    );
    std::io::stdout().flush()?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    gongkai_serve::serve(listener, AppState::new(opts, pack), shutdown)
        .await
        .context("serving")?;
    Ok(ExitCode::SUCCESS)
}
