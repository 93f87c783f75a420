//! The `shoebox` command: `demo`, `serve`, `users`, `share`, `build`, `resize`, `status`, `retry`.

mod build;
#[cfg(test)]
mod crawl_tests;
mod demo;
mod gate;
mod live;
mod local;
mod place;
mod resize;
mod serve;
mod share;
mod status;
#[cfg(test)]
mod template_agreement;
mod users;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Shoebox: a private photo gallery without servers.
#[derive(Debug, Parser)]
#[command(name = "shoebox", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sample albums behind the local login gate at http://127.0.0.1:8080 (the login is printed).
    Demo(demo::Args),
    /// Serve a folder of albums behind the login gate, rebuilding when it changes.
    Serve(serve::Args),
    /// Manage who can sign in (to `shoebox serve`, or with --stack to the deployed gallery).
    Users(users::Args),
    /// Share one album with a link that expires; list and revoke links.
    Share(share::Args),
    /// Resize photos into the gallery's derivatives; prints one manifest (JSON) per photo.
    Resize(resize::Args),
    /// Build the whole gallery from a folder of albums into OUT/resized and OUT/web.
    Build(build::Args),
    /// What the gallery shows, what is waiting, and what failed and why (exit 1 when something did).
    Status(status::StatusArgs),
    /// Send failed photos and dead letters through the deployed pipeline again.
    Retry(status::RetryArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOEBOX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Users(args) => users::run(args),
        Command::Share(args) => share::run(args),
        Command::Resize(args) => resize::run(args),
        Command::Build(args) => build::run(args),
        Command::Status(args) => status::run_status(args),
        Command::Retry(args) => status::run_retry(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("shoebox: {e:#}");
            ExitCode::FAILURE
        }
    }
}
