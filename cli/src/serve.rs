//! `shoebox serve DIR`: the gallery of DIR on this machine, behind the same login gate as the
//! deployed site, rebuilt when DIR changes. DIR is only read; the site, the signing key and the
//! users live in the data folder (`--data`, default ~/.local/share/shoebox).

use crate::build::{build, output_stores, SiteOptions};
use crate::gate::{serve, Gate};
use crate::local;
use anyhow::Context as _;
use edge_auth::config::Auth;
use shared::LocalStore;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

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
    /// Serve originals (at /ALBUM/_o/FILE) and link them in the lightbox.
    #[arg(long)]
    originals: bool,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The users and share-link files of a data folder, re-read when either changed.
struct AuthFiles {
    data: PathBuf,
    title: String,
    seen: Mutex<(Option<SystemTime>, Option<SystemTime>)>,
}

impl AuthFiles {
    fn new(data: &Path, title: &str) -> Self {
        let files = Self { data: data.to_owned(), title: title.to_owned(), seen: Mutex::new((None, None)) };
        if let Ok(mut seen) = files.seen.lock() {
            *seen = files.stamp();
        }
        files
    }

    fn stamp(&self) -> (Option<SystemTime>, Option<SystemTime>) {
        (modified(&local::users_file(&self.data)), modified(&local::access_file(&self.data)))
    }

    /// The new configuration when a file changed since the last call; broken files keep the
    /// previous settings (and say so).
    fn changed(&self) -> Option<Auth> {
        let now = self.stamp();
        {
            let mut seen = self.seen.lock().ok()?;
            if *seen == now {
                return None;
            }
            *seen = now;
        }
        match local::auth_from(&self.data, &self.title) {
            Ok(auth) => {
                eprintln!("shoebox: users and share links reloaded from {}", self.data.display());
                Some(auth)
            }
            Err(e) => {
                eprintln!(
                    "shoebox: {} not reloaded, keeping the previous users and links: {e:#}",
                    self.data.display()
                );
                None
            }
        }
    }
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
    let site_dir = data.join("site");
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = SiteOptions { title: title.clone(), theme: None, originals: args.originals };

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        build(dir.clone(), site_dir.clone(), options.clone(), jobs).await?;
        let files = Arc::new(AuthFiles::new(&data, &title));
        let auth = local::auth_from(&data, &title)?;
        let (resized, web) = output_stores(&site_dir);
        let refresh = {
            let files = files.clone();
            Box::new(move || files.changed())
        };
        let gate = Arc::new(
            Gate::new(auth, web, resized, args.originals.then(|| LocalStore::new(&dir)))
                .with_refresh(refresh),
        );
        let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
        println!("Shoebox: http://{}/ serving {}", listener.local_addr()?, dir.display());
        println!("Watching for changes; users in {}. Ctrl-C stops it.", users.display());

        // Folder changes: wait until the burst settles, then the same incremental build.
        let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if event.is_ok_and(|e| !e.kind.is_access()) {
                let _ = changed.send(());
            }
        })
        .context("cannot watch the folder")?;
        notify::Watcher::watch(&mut watcher, &dir, notify::RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
        let rebuild = {
            let (dir, site_dir) = (dir.clone(), site_dir.clone());
            async move {
                while changes.recv().await.is_some() {
                    while tokio::time::timeout(SETTLE, changes.recv()).await.is_ok_and(|m| m.is_some()) {}
                    if let Err(e) = build(dir.clone(), site_dir.clone(), options.clone(), jobs).await {
                        eprintln!("shoebox: rebuild failed: {e:#}");
                    }
                }
            }
        };
        // Users and sharing: also reload within a second without a request (a removed user's
        // next cookie check), not only before sign-in and share requests.
        let reload = {
            let gate = gate.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if let Some(auth) = files.changed() {
                        gate.set_auth(auth);
                    }
                }
            }
        };
        tokio::spawn(rebuild);
        tokio::spawn(reload);
        serve(gate, listener).await.context("serving")?;
        drop(watcher);
        Ok(ExitCode::SUCCESS)
    })
}
