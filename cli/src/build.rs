//! `shoebox build DIR --out OUT`: the whole pipeline once over a folder, no server.
//!
//! DIR is the source bucket (never written); OUT/resized and OUT/web are laid out exactly as the
//! buckets are. The resize worker and the site builder run unchanged over folder stores, joined
//! by an in-process queue. A second run over an unchanged folder does no image work and
//! rewrites nothing.
//!
//! [`update`] is the same pipeline over the paths a folder watcher reported (`shoebox serve`):
//! only those files and folders are looked at, as S3 would announce them, and only the albums
//! they touch are rendered, so its time follows the change, not the library.

use anyhow::Context as _;
use resize_worker::{Outcome, Worker};
use shared::{
    list_failures, ChangeKind, ChannelSiteQueue, Limits, LocalStore, ObjectInfo, ObjectStore, S3Change,
};
use shoebox_core::keys::{
    classify_source_key, failure_key, manifest_key, source_key_of_failure, source_key_of_manifest,
    SourceObject, FAILURES_PREFIX, MANIFESTS_PREFIX,
};
use site_builder::site::Buckets;
use site_builder::theme::THEME_PREFIX;
use site_builder::{render_all, update_site, Renderer, Theme};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use video_worker::{Ffmpeg, VideoWorker};

/// The worker checks events come from its bucket; a folder has no bucket name.
const LOCAL_BUCKET: &str = "local";
/// Longest one ffmpeg run may take locally (a deployed worker has the Lambda's limit).
const LOCAL_FFMPEG_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3 * 3600);

/// Arguments of `shoebox build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder of albums (each sub-folder is an album).
    dir: PathBuf,
    /// Where to write `resized/` and `web/`.
    #[arg(long)]
    out: PathBuf,
    /// The gallery's title (default: the folder's name).
    #[arg(long)]
    title: Option<String>,
    /// A folder of templates (`layout.hbs`, `index.hbs`, `album.hbs`, `tile.hbs`, `404.hbs`) and
    /// `site.css` that replace the built-in ones (default: the theme folder in DIR, when there is
    /// one).
    #[arg(long)]
    theme: Option<PathBuf>,
    /// Link each photo's original in the lightbox (served from DIR, beside the album's pages).
    #[arg(long)]
    originals: bool,
    /// Photos resized at once.
    #[arg(long, default_value_t = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))]
    jobs: usize,
}

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Tally {
    resized: usize,
    current: usize,
    removed: usize,
    /// Videos left until ffmpeg is found.
    waiting: usize,
    /// Photos that failed in a way that may pass (the next build tries again); those that cannot
    /// be shown are listed from their failure records.
    failed: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.dir.is_dir(), "{} is not a folder", args.dir.display());
    let dir = args.dir.canonicalize().with_context(|| format!("cannot open {}", args.dir.display()))?;
    let out = std::path::absolute(&args.out).context("bad --out")?;
    anyhow::ensure!(
        !out.starts_with(&dir),
        "--out must be outside {} (the photos are never written to)",
        dir.display()
    );
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| dir.file_name().and_then(|n| n.to_str()).unwrap_or("Shoebox").to_owned());
    let jobs = args.jobs.max(1);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().max_blocking_threads(jobs).enable_all().build()?;
    let site = SiteOptions { title, theme: args.theme.clone(), originals: args.originals };
    runtime.block_on(build(dir, out, site, jobs))
}

/// The resized and web "buckets" of an output folder: `OUT/resized` and `OUT/web`.
pub fn output_stores(out: &Path) -> (LocalStore, LocalStore) {
    (LocalStore::new(out.join("resized")), LocalStore::new(out.join("web")))
}

/// How the pages are rendered.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The gallery's title.
    pub title: String,
    /// A theme folder (else DIR/_theme when present).
    pub theme: Option<PathBuf>,
    /// Whether the lightbox links originals.
    pub originals: bool,
}

/// Builds `dir` into `out/resized` and `out/web`; the exit code says whether every photo and
/// every album worked.
pub async fn build(dir: PathBuf, out: PathBuf, site: SiteOptions, jobs: usize) -> anyhow::Result<ExitCode> {
    let source = LocalStore::new(&dir);
    let (resized, web) = output_stores(&out);
    // A build that was killed left its half-written temporary files; nothing else writes here.
    for store in [&resized, &web] {
        store.remove_leftovers().with_context(|| format!("cannot clean {}", store.root().display()))?;
    }
    let changes = folder_changes(&source, &resized).await?;
    run_changes(dir, out, site, jobs, changes, Scope::Everything).await
}

/// Brings `out` up to date with the files and folders at `paths` in `dir` (what a watcher saw
/// change since the last build); the rest of the gallery is not looked at. A change to the theme
/// (or to `dir` itself) is a whole [`build`].
pub async fn update(
    dir: PathBuf,
    out: PathBuf,
    site: SiteOptions,
    jobs: usize,
    paths: &BTreeSet<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let source = LocalStore::new(&dir);
    let (resized, _) = output_stores(&out);
    match changes_at(&source, &resized, &dir, paths).await? {
        Some(changes) => run_changes(dir, out, site, jobs, changes, Scope::Touched).await,
        None => build(dir, out, site, jobs).await,
    }
}

/// Which pages a run renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every page (a full build: a new title or templates change pages whose data did not).
    Everything,
    /// The pages of the albums the changes touched (and their parents).
    Touched,
}

/// Runs the worker over `changes` and updates the site.
async fn run_changes(
    dir: PathBuf,
    out: PathBuf,
    site: SiteOptions,
    jobs: usize,
    changes: Vec<S3Change>,
    scope: Scope,
) -> anyhow::Result<ExitCode> {
    let source = Arc::new(LocalStore::new(&dir));
    let (resized, web) = output_stores(&out);
    let (resized, web) = (Arc::new(resized), Arc::new(web));
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let photos = Worker::new(
        LOCAL_BUCKET,
        source.clone(),
        resized.clone(),
        Arc::new(ChannelSiteQueue::new(sender)),
        Limits::default(),
    );
    // Photos never wait for ffmpeg: without it, only videos are left for a later build.
    let ffmpeg = Ffmpeg::locate(LOCAL_FFMPEG_TIMEOUT);
    let ffmpeg_missing = ffmpeg.as_ref().err().map(ToString::to_string);
    let worker = VideoWorker::new(photos, ffmpeg.ok(), std::env::temp_dir().join("shoebox-video"));
    let count = |video: bool| {
        changes
            .iter()
            .filter(|c| match classify_source_key(&c.key) {
                SourceObject::Photo { .. } => !video,
                SourceObject::Video { .. } => video,
                _ => false,
            })
            .count()
    };
    let (photos, videos) = (count(false), count(true));
    let what = match scope {
        Scope::Everything => "in",
        Scope::Touched => "changed in",
    };
    eprintln!("shoebox: {photos} photo(s) and {videos} video(s) {what} {}", dir.display());
    let tally = resize_all(&worker, changes, jobs).await;
    drop(worker); // closes the queue, so the receiver below ends
    let mut messages = Vec::new();
    while let Some(m) = receiver.recv().await {
        messages.push(m);
    }

    let renderer =
        Renderer::with_theme(site.title, &load_theme(site.theme.as_deref(), source.as_ref()).await?)?
            .with_originals(site.originals)
            .with_upload_hint(format!("cp -r ~/Pictures/Trip \"{}/\"", dir.display()));
    let buckets = Buckets { source: source.as_ref(), resized: resized.as_ref(), web: web.as_ref() };
    let mut report = update_site(buckets, &renderer, &messages).await?;
    if scope == Scope::Everything {
        // A full build also re-renders pages whose data did not change (a new title, a new
        // version of the templates); identical bytes are still not rewritten.
        let rendered = render_all(web.as_ref(), &renderer).await?;
        report.written.extend(rendered.written);
        for (album, reason) in rendered.failed_albums {
            report.add_failure(&album, reason);
        }
    }
    for (album, reason) in &report.failed_albums {
        eprintln!("shoebox: album {album} not updated: {reason}");
    }
    if tally.waiting > 0 {
        let why = ffmpeg_missing.as_deref().unwrap_or("no ffmpeg");
        eprintln!("shoebox: {} video(s) waiting for ffmpeg, photos are not affected: {why}", tally.waiting);
    }
    let failures = list_failures(resized.as_ref()).await.context("listing the failure records")?;
    for failure in &failures {
        eprintln!("shoebox: {} cannot be shown: {}", failure.source_key, failure.reason);
    }
    eprintln!(
        "shoebox: {} resized, {} unchanged, {} removed, {} failed, {} cannot be shown; {} web file(s) written",
        tally.resized,
        tally.current,
        tally.removed,
        tally.failed,
        failures.len(),
        report.written.len()
    );
    eprintln!(
        "shoebox: site in {} and {} (laid out like the web and resized buckets)",
        out.join("web").display(),
        out.join("resized").display()
    );
    let all_shown = tally.failed == 0 && failures.is_empty() && report.failed_albums.is_empty();
    Ok(if all_shown { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The folder as S3 would have announced it: every file "created"; every photo with a manifest or
/// a failure record that is gone "removed".
async fn folder_changes(source: &LocalStore, resized: &LocalStore) -> anyhow::Result<Vec<S3Change>> {
    let listing = source.list("").await.context("listing the folder")?;
    let present: BTreeSet<&str> = listing.iter().map(|o| o.key.as_str()).collect();
    let mut changes: Vec<S3Change> = listing
        .iter()
        .filter(|o| !matches!(classify_source_key(&o.key), SourceObject::Ignored(_)))
        .map(|o| local_change(ChangeKind::Created, &o.key, Some(o)))
        .collect();
    // Every photo shown, or recorded as failed (the records' keys are enough: they are not read).
    let mut gone: BTreeSet<String> = shown_under(resized, "").await?.into_iter().collect();
    gone.retain(|key| !present.contains(key.as_str()));
    changes.extend(gone.iter().map(|key| local_change(ChangeKind::Removed, key, None)));
    Ok(changes)
}

/// What S3 would announce for the files and folders at `paths` (absolute, inside `dir`): every
/// file there now "created", every photo with a manifest or a failure record there that is gone
/// "removed". `None` when a path needs a whole build (the theme, or `dir` itself).
async fn changes_at(
    source: &LocalStore,
    resized: &LocalStore,
    dir: &Path,
    paths: &BTreeSet<PathBuf>,
) -> anyhow::Result<Option<Vec<S3Change>>> {
    let mut present: BTreeMap<String, ObjectInfo> = BTreeMap::new();
    let mut known: BTreeSet<String> = BTreeSet::new();
    for path in paths {
        let Some(key) = key_of(dir, path) else { continue };
        if key.is_empty() || format!("{key}/").starts_with(THEME_PREFIX) {
            return Ok(None);
        }
        match std::fs::metadata(path) {
            // A folder: the files in it now, and the photos shown from it before.
            Ok(meta) if meta.is_dir() => {
                let listed = source.list(&format!("{key}/")).await.context("listing a changed folder")?;
                present.extend(listed.into_iter().map(|o| (o.key.clone(), o)));
                known.extend(shown_under(resized, &format!("{key}/")).await?);
            }
            // A file: itself (nothing can be under it).
            Ok(_) => {
                if let Some(info) = source.head(&key).await.context("reading a changed file")? {
                    present.insert(key.clone(), info);
                }
            }
            // Gone: a photo that was shown (or recorded as failed), else a folder that held some.
            Err(_) => {
                let shown = resized.head(&manifest_key(&key)).await.context("reading a manifest")?.is_some()
                    || resized.head(&failure_key(&key)).await.context("reading a failure record")?.is_some();
                if shown {
                    known.insert(key.clone());
                } else {
                    known.extend(shown_under(resized, &format!("{key}/")).await?);
                }
            }
        }
    }
    let mut changes: Vec<S3Change> = present
        .values()
        .filter(|o| !matches!(classify_source_key(&o.key), SourceObject::Ignored(_)))
        .map(|o| local_change(ChangeKind::Created, &o.key, Some(o)))
        .collect();
    changes.extend(
        known
            .iter()
            .filter(|k| !present.contains_key(*k))
            .map(|k| local_change(ChangeKind::Removed, k, None)),
    );
    Ok(Some(changes))
}

/// The source keys of the photos shown (or recorded as failed) under `folder` (ending in `/`,
/// or empty for all).
async fn shown_under(resized: &LocalStore, folder: &str) -> anyhow::Result<Vec<String>> {
    let mut keys = Vec::new();
    for manifest in resized.list(&format!("{MANIFESTS_PREFIX}{folder}")).await.context("listing manifests")? {
        keys.extend(source_key_of_manifest(&manifest.key).ok().map(str::to_owned));
    }
    for record in
        resized.list(&format!("{FAILURES_PREFIX}{folder}")).await.context("listing the failure records")?
    {
        keys.extend(source_key_of_failure(&record.key).map(str::to_owned));
    }
    Ok(keys)
}

/// The key of `path` in the folder store of `dir` (`None` outside it or not UTF-8, which the
/// store does not list either).
fn key_of(dir: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(dir).ok()?;
    let parts: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// A change of the folder store as an S3 event would carry it.
fn local_change(kind: ChangeKind, key: &str, object: Option<&ObjectInfo>) -> S3Change {
    S3Change {
        kind,
        bucket: LOCAL_BUCKET.into(),
        key: key.to_owned(),
        size: object.map(|o| o.size),
        etag: object.map(|o| o.etag.clone()),
        sequencer: None,
    }
}

/// Runs the worker on every change (videos and photos), `jobs` at once, with a progress bar on a terminal.
async fn resize_all(worker: &VideoWorker, changes: Vec<S3Change>, jobs: usize) -> Tally {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    let mut tasks = tokio::task::JoinSet::new();
    for change in changes {
        let (worker, permits) = (worker.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = worker.handle_change(&change).await;
            (change.key, result)
        });
    }
    let mut tally = Tally::default();
    // Drawn only when stderr is a terminal; invisible in logs and tests.
    let progress = indicatif::ProgressBar::new(tasks.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while let Some(joined) = tasks.join_next().await {
        progress.inc(1);
        match joined {
            Ok((key, Ok(Outcome::Resized { .. }))) => {
                tally.resized += 1;
                progress.set_message(key);
            }
            Ok((key, Ok(Outcome::ResizedWithoutMotion { reason, .. }))) => {
                tally.resized += 1;
                progress.suspend(|| eprintln!("shoebox: {key} is shown without its motion: {reason}"));
            }
            Ok((_, Ok(Outcome::AlreadyCurrent))) => tally.current += 1,
            Ok((_, Ok(Outcome::Removed))) => tally.removed += 1,
            Ok((_, Ok(Outcome::VideoWaiting))) => tally.waiting += 1,
            Ok((_, Ok(_))) => {}
            Ok((_, Err(e))) => {
                tally.failed += 1;
                progress.suspend(|| eprintln!("shoebox: {e}")); // worker errors name the key
            }
            Err(e) => {
                tally.failed += 1;
                eprintln!("shoebox: a task failed: {e}");
            }
        }
    }
    progress.finish_and_clear();
    tally
}

/// The theme: `--theme DIR`, else, like the deployed site builder, a theme folder among the albums.
async fn load_theme(theme_dir: Option<&Path>, source: &LocalStore) -> anyhow::Result<Theme> {
    match theme_dir {
        Some(theme_dir) => Theme::load(&LocalStore::new(theme_dir), "")
            .await
            .with_context(|| format!("cannot read the theme in {}", theme_dir.display())),
        None => Theme::load(source, THEME_PREFIX)
            .await
            .with_context(|| format!("cannot read {THEME_PREFIX} in {}", source.root().display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-orientation").join(name)
    }

    /// Every file under `root` with its bytes, the album data files left out (their `revision`
    /// counts saves, which differ between one build and a history of updates).
    fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
                let path = entry.path();
                let name = path.strip_prefix(root).expect("inside").to_string_lossy().into_owned();
                if path.is_dir() {
                    stack.push(path);
                } else if !name.starts_with("web/_data/") {
                    out.insert(name, std::fs::read(&path).expect("read"));
                }
            }
        }
        out
    }

    fn site() -> SiteOptions {
        SiteOptions { title: "Test".into(), theme: None, originals: false }
    }

    fn put(dir: &Path, key: &str, photo: &str) -> PathBuf {
        let path = dir.join(key);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixture(photo), &path).expect("copy");
        path
    }

    /// Each step changes the folder and names the paths a watcher would report; after each,
    /// [`update`] over those paths leaves the same site as a whole build of the folder.
    #[tokio::test(flavor = "multi_thread")]
    async fn updates_from_changed_paths_equal_a_whole_build() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("albums");
        put(&dir, "Trips/Rome/a.jpg", "Landscape_1.jpg");
        put(&dir, "Trips/Rome/b.jpg", "Portrait_2.jpg");
        put(&dir, "Family/c.jpg", "Landscape_3.jpg");
        let out = tmp.path().join("out");
        assert_eq!(build(dir.clone(), out.clone(), site(), 2).await.expect("builds"), ExitCode::SUCCESS);

        type Step = Box<dyn Fn(&Path) -> Vec<PathBuf>>;
        let steps: Vec<(&str, Step)> = vec![
            ("a photo added", Box::new(|d| vec![put(d, "Trips/Rome/d.jpg", "Portrait_4.jpg")])),
            (
                "a folder copied in",
                Box::new(|d| {
                    put(d, "Trips/Oslo/e.jpg", "Landscape_5.jpg");
                    put(d, "Trips/Oslo/f.jpg", "Portrait_6.jpg");
                    vec![d.join("Trips/Oslo")]
                }),
            ),
            (
                "a photo deleted",
                Box::new(|d| {
                    std::fs::remove_file(d.join("Trips/Rome/a.jpg")).expect("rm");
                    vec![d.join("Trips/Rome/a.jpg")]
                }),
            ),
            (
                "a folder renamed",
                Box::new(|d| {
                    std::fs::rename(d.join("Trips/Oslo"), d.join("Trips/Bergen")).expect("mv");
                    vec![d.join("Trips/Oslo"), d.join("Trips/Bergen")]
                }),
            ),
            (
                "an album.yml and a file that is no photo",
                Box::new(|d| {
                    std::fs::write(d.join("Family/album.yml"), "title: Our family\n").expect("yml");
                    std::fs::write(d.join("Family/notes.txt"), "hi").expect("txt");
                    vec![d.join("Family/album.yml"), d.join("Family/notes.txt")]
                }),
            ),
            (
                "a whole folder deleted",
                Box::new(|d| {
                    std::fs::remove_dir_all(d.join("Trips")).expect("rm -r");
                    vec![d.join("Trips")]
                }),
            ),
        ];
        for (what, step) in steps {
            let paths: BTreeSet<PathBuf> = step(&dir).into_iter().collect();
            let code = update(dir.clone(), out.clone(), site(), 2, &paths).await.expect("updates");
            assert_eq!(code, ExitCode::SUCCESS, "{what}");
            let whole = tmp.path().join(format!("whole-{}", what.len()));
            build(dir.clone(), whole.clone(), site(), 2).await.expect("builds");
            let (updated, built) = (tree(&out), tree(&whole));
            let differ: Vec<&String> =
                built.keys().chain(updated.keys()).filter(|k| built.get(*k) != updated.get(*k)).collect();
            assert!(differ.is_empty(), "after {what}: these differ from a whole build: {differ:?}");
        }
    }

    #[tokio::test]
    async fn the_theme_or_the_folder_itself_asks_for_a_whole_build() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("albums");
        put(&dir, "A/a.jpg", "Landscape_1.jpg");
        let (source, resized) = (LocalStore::new(&dir), LocalStore::new(tmp.path().join("resized")));
        let at = |paths: &[PathBuf]| paths.iter().cloned().collect::<BTreeSet<_>>();
        for whole in [vec![dir.join("_theme/site.css")], vec![dir.join("_theme")], vec![dir.clone()]] {
            assert!(changes_at(&source, &resized, &dir, &at(&whole)).await.expect("reads").is_none());
        }
        let some =
            changes_at(&source, &resized, &dir, &at(&[dir.join("A/a.jpg"), tmp.path().join("elsewhere")]))
                .await
                .expect("reads")
                .expect("an update");
        assert_eq!(
            some.iter().map(|c| (c.kind, c.key.as_str())).collect::<Vec<_>>(),
            [(ChangeKind::Created, "A/a.jpg")]
        );
    }
}
