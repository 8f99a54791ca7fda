//! `gongkai`: checks a Chinese government portal against the 政务公开 work points.
//!
//! A thin binary over the library crates: argument parsing, wiring and exit codes
//! (0 completed, 1 findings at `--fail-on` severity, 2 operational error).

mod attachments;
mod cli;
mod cmd;
mod config;
mod progress;
mod store_bridge;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    init_tracing(args.verbose);
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            // One line: the error and its causes.
            let mut msg = format!("{e}");
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            eprintln!("gongkai: error: {}", msg.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn,gongkai=info",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
