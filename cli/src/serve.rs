//! `shoebox serve DIR`: the gallery of DIR on this machine, behind the same login gate as the
//! deployed site, rebuilt when DIR changes. DIR is only read; the site, the signing key and the
//! users live in the data folder (`--data`, default ~/.local/share/shoebox).

use crate::build::{build, output_stores, update, SiteOptions};
use crate::gate::Gate;
use crate::live::{serve_following, AuthFiles};
use crate::local;
use anyhow::Context as _;
use shared::LocalStore;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// How long the folder must be quiet before an update: a copy of a folder of photos is one burst
/// of events, handled as one update. Short, since the update's time follows the change (a file
/// still being written when it runs is read again when its last write is reported).
const SETTLE: Duration = Duration::from_millis(250);

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
    // Watching before saying so: a change made right after the message is seen.
    let watcher = rebuild_on_change(&dir, site_dir, options, jobs)?;
    println!("Shoebox: http://{}/ serving {}", listener.local_addr()?, dir.display());
    println!("Watching for changes; users in {}. Ctrl-C stops it.", local::users_file(&data).display());
    serve_following(gate, files, listener).await.context("serving")?;
    drop(watcher);
    Ok(ExitCode::SUCCESS)
}

/// What the watcher reports: the paths an event names, or that it lost track (its queue
/// overflowed), so only a whole build can tell what changed.
enum Seen {
    Paths(Vec<PathBuf>),
    LostTrack,
}

/// Watches `dir` and, after each burst of changes has settled, updates the site from the paths
/// that changed (new, changed and deleted photos and folders, `album.yml` edits): the time an
/// update takes follows the change, not the size of the library. The watch lasts as long as the
/// watcher.
fn rebuild_on_change(
    dir: &Path,
    site_dir: PathBuf,
    options: SiteOptions,
    jobs: usize,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<Seen>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let seen = match event {
            Ok(e) if e.need_rescan() => Seen::LostTrack,
            Ok(e) if e.kind.is_access() => return,
            Ok(e) => Seen::Paths(e.paths),
            Err(_) => Seen::LostTrack,
        };
        let _ = changed.send(seen);
    })
    .context("cannot watch the folder")?;
    notify::Watcher::watch(&mut watcher, dir, notify::RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    let dir = dir.to_owned();
    tokio::spawn(async move {
        while let Some(first) = changes.recv().await {
            let mut paths = BTreeSet::new();
            let mut lost = false;
            let mut take = |seen: Seen| match seen {
                Seen::Paths(p) => paths.extend(p),
                Seen::LostTrack => lost = true,
            };
            take(first);
            while let Ok(Some(seen)) = tokio::time::timeout(SETTLE, changes.recv()).await {
                take(seen);
            }
            let done = if lost {
                build(dir.clone(), site_dir.clone(), options.clone(), jobs).await
            } else {
                update(dir.clone(), site_dir.clone(), options.clone(), jobs, &paths).await
            };
            if let Err(e) = done {
                eprintln!("shoebox: rebuild failed: {e:#}");
            }
        }
    });
    Ok(watcher)
}
