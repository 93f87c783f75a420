//! `shoebox serve DIR`: the gallery of DIR on this machine, behind the same login gate as the
//! deployed site, rebuilt when DIR changes. DIR is only read; the site, the signing key and the
//! users live in the data folder (`--data`, default ~/.local/share/shoebox).

use crate::build::{build, output_stores, SiteOptions};
use crate::gate::Gate;
use crate::live::{serve_following, AuthFiles};
use crate::local;
use anyhow::Context as _;
use shared::LocalStore;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// How long the folder must be quiet before a rebuild (copying a folder of photos is a burst).
const SETTLE: Duration = Duration::from_millis(800);

/// Arguments of `shoebox serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder of albums (each sub-folder is an album).
    dir: PathBuf,
    /// The data folder: the built site, the signing key and the users.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The gallery's title (default: the folder's name).
    #[arg(long)]
    title: Option<String>,
    /// Serve each photo's original (beside the album's pages) and link it in the lightbox.
    #[arg(long)]
    originals: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.dir.is_dir(), "{} is not a folder", args.dir.display());
    let dir = args.dir.canonicalize().with_context(|| format!("cannot open {}", args.dir.display()))?;
    let data = std::path::absolute(args.data.clone().unwrap_or_else(local::default_data_dir))?;
    anyhow::ensure!(
        !data.starts_with(&dir),
        "--data must be outside {} (the photos are never written to)",
        dir.display()
    );
    let users = local::users_file(&data);
    let htpasswd = std::fs::read_to_string(&users).unwrap_or_default();
    anyhow::ensure!(
        htpasswd.lines().any(|l| l.contains(':')),
        "nobody can sign in yet: add someone with `shoebox users add NAME{}`",
        args.data.as_ref().map(|d| format!(" --data {}", d.display())).unwrap_or_default()
    );
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| dir.file_name().and_then(|n| n.to_str()).unwrap_or("Shoebox").to_owned());
    let options = SiteOptions { title, theme: None, originals: args.originals };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve_folder(&args, dir, data, options))
}

/// Builds `dir`, serves it, and keeps both the site and the sign-in configuration current.
async fn serve_folder(
    args: &Args,
    dir: PathBuf,
    data: PathBuf,
    options: SiteOptions,
) -> anyhow::Result<ExitCode> {
    let site_dir = data.join("site");
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    build(dir.clone(), site_dir.clone(), options.clone(), jobs).await?;
    let files = Arc::new(AuthFiles::new(&data, &options.title));
    let (resized, web) = output_stores(&site_dir);
    let gate = Gate::new(files.load()?, web, resized, args.originals.then(|| LocalStore::new(&dir)));
    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
    println!("Shoebox: http://{}/ serving {}", listener.local_addr()?, dir.display());
    println!("Watching for changes; users in {}. Ctrl-C stops it.", local::users_file(&data).display());
    let watcher = rebuild_on_change(&dir, site_dir, options, jobs)?;
    serve_following(gate, files, listener).await.context("serving")?;
    drop(watcher);
    Ok(ExitCode::SUCCESS)
}

/// Watches `dir` and, after each burst of changes has settled, runs the same incremental build
/// (new, changed and deleted photos, `album.yml` edits). The watch lasts as long as the watcher.
fn rebuild_on_change(
    dir: &Path,
    site_dir: PathBuf,
    options: SiteOptions,
    jobs: usize,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = changed.send(());
        }
    })
    .context("cannot watch the folder")?;
    notify::Watcher::watch(&mut watcher, dir, notify::RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    let dir = dir.to_owned();
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            while tokio::time::timeout(SETTLE, changes.recv()).await.is_ok_and(|m| m.is_some()) {}
            if let Err(e) = build(dir.clone(), site_dir.clone(), options.clone(), jobs).await {
                eprintln!("shoebox: rebuild failed: {e:#}");
            }
        }
    });
    Ok(watcher)
}
