//! A gate whose sign-in configuration follows its data folder, for `serve` and `demo`: the users
//! (`htpasswd`) and share links (`access.json`) are re-read when either file changes, before each
//! sign-in, sign-out and share request (so a link `shoebox share` just printed works at once)
//! and within a second otherwise (so a removed user's next cookie check already knows).

use crate::gate::{serve, Gate};
use crate::local;
use edge_auth::Auth;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The users and share-link files of a data folder, re-read when either changed.
pub struct AuthFiles {
    data: PathBuf,
    title: String,
    seen: Mutex<(Option<SystemTime>, Option<SystemTime>)>,
}

impl AuthFiles {
    /// The files of `data`, as they are now.
    pub fn new(data: &Path, title: &str) -> Self {
        let files = Self { data: data.to_owned(), title: title.to_owned(), seen: Mutex::new((None, None)) };
        if let Ok(mut seen) = files.seen.lock() {
            *seen = files.stamp();
        }
        files
    }

    fn stamp(&self) -> (Option<SystemTime>, Option<SystemTime>) {
        (modified(&local::users_file(&self.data)), modified(&local::access_file(&self.data)))
    }

    /// The sign-in configuration the files hold now.
    pub fn load(&self) -> anyhow::Result<Auth> {
        local::auth_from(&self.data, &self.title)
    }

    /// The new configuration when a file changed since the last call; broken files keep the
    /// previous settings (and say so).
    pub fn changed(&self) -> Option<Auth> {
        let now = self.stamp();
        {
            let mut seen = self.seen.lock().ok()?;
            if *seen == now {
                return None;
            }
            *seen = now;
        }
        match self.load() {
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

/// Serves `gate` on `listener` until the process ends, its sign-in configuration kept in step
/// with `files`.
pub async fn serve_following(
    gate: Gate,
    files: Arc<AuthFiles>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let gate = Arc::new(gate.with_refresh({
        let files = files.clone();
        Box::new(move || files.changed())
    }));
    let poller = {
        let gate = gate.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Some(auth) = files.changed() {
                    gate.set_auth(auth);
                }
            }
        })
    };
    let served = serve(gate, listener).await;
    poller.abort();
    served
}
