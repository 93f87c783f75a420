//! `shoebox resize FILE... --out DIR`: the resize worker's pipeline on local files.

use anyhow::Context as _;
use resize_worker::{publish, resize_photo, PhotoSource};
use shared::store::md5_etag;
use shared::{Limits, LocalStore};
use shoebox_core::keys::{classify_source_key, SourceObject};
use shoebox_core::PhotoFormat;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `shoebox resize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Photos to resize (JPEG, MPO, HEIC/HEIF, AVIF, PNG, WebP, GIF, TIFF).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folder to write the derivatives and manifests into, laid out as the resized bucket is (the
    /// album is the name of the folder the photo is in).
    #[arg(long)]
    out: PathBuf,
    /// Photos resized at once (each photo uses one thread).
    #[arg(long, default_value_t = default_jobs())]
    jobs: usize,
    /// Refuse photos with more pixels than this.
    #[arg(long, default_value_t = shared::config::DEFAULT_MAX_PIXELS)]
    max_pixels: u64,
    /// Refuse files larger than this many bytes, before reading them (the worker's
    /// `MAX_SOURCE_BYTES`).
    #[arg(long, default_value_t = shared::config::DEFAULT_MAX_SOURCE_BYTES)]
    max_source_bytes: u64,
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The source key a local file stands for: `FOLDER/FILE`, its folder being the album.
fn source_key(path: &Path) -> anyhow::Result<String> {
    let file = path.file_name().and_then(|f| f.to_str()).context("file name is not UTF-8")?;
    let album = path
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().and_then(|d| d.file_name()).and_then(|d| d.to_str()).map(str::to_owned))
        .filter(|a| !a.starts_with('.') && !a.starts_with('_'))
        .unwrap_or_else(|| "photos".to_owned());
    Ok(format!("{album}/{file}"))
}

async fn resize_one(store: &LocalStore, path: &Path, limits: Limits) -> anyhow::Result<String> {
    let key = source_key(path)?;
    let SourceObject::Photo { album, stem, extension } = classify_source_key(&key) else {
        let extensions: Vec<&str> = PhotoFormat::extensions().collect();
        anyhow::bail!("not a photo file name (expected one of .{})", extensions.join(", ."));
    };
    // As the worker does: a file over the limit is refused before it is read into memory.
    let size = tokio::fs::metadata(path).await.context("cannot read the file")?.len();
    if size > limits.max_source_bytes {
        anyhow::bail!(
            "{size} bytes is over the limit of {} bytes (--max-source-bytes)",
            limits.max_source_bytes
        );
    }
    let bytes = tokio::fs::read(path).await.context("cannot read the file")?;
    let etag = md5_etag(&bytes);
    let size = bytes.len() as u64;
    let ext = extension.clone();
    let photo = tokio::task::spawn_blocking(move || resize_photo(&bytes, &ext, &limits)).await??;
    let source =
        PhotoSource { key: &key, album: &album, stem: &stem, etag: &etag, bytes: size, sequencer: None };
    let manifest = publish(store, &source, photo).await?;
    Ok(String::from_utf8(manifest.to_json())?)
}

/// Runs `shoebox resize`; fails (exit 1) if any photo failed, after trying them all.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let jobs = args.jobs.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(jobs)
        .enable_all()
        .build()?;
    let store = Arc::new(LocalStore::new(&args.out));
    let limits =
        Limits { max_pixels: args.max_pixels, max_source_bytes: args.max_source_bytes, ..Limits::default() };
    let failed = runtime.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
        let mut tasks = tokio::task::JoinSet::new();
        for path in args.files {
            let (store, permits) = (store.clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let result = resize_one(&store, &path, limits).await;
                (path, result)
            });
        }
        let mut failed = 0;
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((_, Ok(line))) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{line}");
                }
                Ok((path, Err(e))) => {
                    failed += 1;
                    eprintln!("shoebox: {}: {e:#}", path.display());
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("shoebox: a resize task failed: {e}");
                }
            }
        }
        failed
    });
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
