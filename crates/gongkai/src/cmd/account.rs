//! `gongkai account add | token`: accounts for `gongkai serve`.

use crate::cli::{AccountAction, AccountArgs, AccountWho};
use anyhow::{bail, Result};
use gongkai_store::AccountRole;
use std::process::ExitCode;

fn role(who: &AccountWho) -> Result<AccountRole> {
    match (&who.department, who.admin) {
        (Some(d), false) if !d.trim().is_empty() && d.trim() != "admin" => {
            Ok(AccountRole::Department(d.trim().to_string()))
        }
        (None, true) => Ok(AccountRole::Admin),
        _ => bail!("give either --department NAME (not empty, not \"admin\") or --admin"),
    }
}

pub fn run(args: AccountArgs) -> Result<ExitCode> {
    match args.action {
        AccountAction::Add { who, base_url } => {
            let role = role(&who)?;
            let store = super::check::open_existing(&who.db)?;
            let link = gongkai_serve::accounts::signin_link(&store, &role, &base_url)?;
            println!(
                "一次性登录链接（{} 小时内有效，只能使用一次，请当面或经可信渠道交给使用者）:",
                gongkai_serve::accounts::SIGNIN_LINK_HOURS
            );
            println!("{link}");
        }
        AccountAction::Token { who } => {
            let role = role(&who)?;
            let store = super::check::open_existing(&who.db)?;
            let token = gongkai_serve::accounts::api_token(&store, &role)?;
            println!("API 令牌（只显示这一次；请求头 Authorization: Bearer 令牌）:");
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
