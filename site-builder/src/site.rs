//! One batch of SiteQueue messages, end to end: update the data, then render exactly the pages
//! it touched (the changed albums, their parent albums, the index) plus the fixed pages.
//!
//! Two runs may render the same page at once from different versions of the data. Each page is
//! written only if it is still the version read before its data was looked at (through
//! [`shared::store::Update`], like the data files); otherwise it is rendered again from the data
//! as it is then. So the run that saved the newest data always has the last word, and a page
//! never goes back to an older state.

use crate::album::AlbumData;
use crate::gallery::GallerySummary;
use crate::parts::listed_parts;
use crate::render::{write_if_changed, AlbumPage, RenderError, Renderer};
use crate::update::{apply_batch, load_album, load_gallery_versioned, Saved, UpdateError};
use bytes::Bytes;
use shared::store::{Current, Read, Update, Written};
use shared::{ObjectStore, PutOptions, StoreError};
use shoebox_core::keys::{
    album_data_key, album_page_key, grid_part_key, GALLERY_DATA_KEY, LOGIN_PAGE_KEY, LOGIN_SCRIPT_KEY,
    NOT_FOUND_PAGE_KEY,
};
use shoebox_core::signin::{static_login_page, static_login_script};
use shoebox_core::SiteMessage;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What a site update did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteReport {
    /// Albums whose data changed.
    pub changed_albums: Vec<String>,
    /// Keys written to the web bucket (data, and pages and assets whose bytes changed).
    pub written: Vec<String>,
    /// Pages deleted because their album no longer has photos, grid parts no page lists and data
    /// chunks no head names any more.
    pub deleted: Vec<String>,
    /// Derivatives deleted from the resized bucket after the pages stopped showing them.
    pub deleted_derivatives: Vec<String>,
    /// Messages ignored as stale.
    pub stale: usize,
    /// Albums that could not be updated, with the reason.
    pub failed_albums: Vec<(String, String)>,
}

impl SiteReport {
    /// Records that `album` could not be updated (once per album).
    pub fn add_failure(&mut self, album: &str, reason: String) {
        if !self.failed_albums.iter().any(|(known, _)| known == album) {
            self.failed_albums.push((album.to_owned(), reason));
        }
    }
}

/// Why a site update failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SiteError {
    /// Updating the data failed.
    #[error(transparent)]
    Update(#[from] UpdateError),
    /// Rendering or writing a page failed.
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl From<StoreError> for SiteError {
    fn from(e: StoreError) -> Self {
        Self::Render(RenderError::from(e))
    }
}

/// The albums to re-render for a set of changed albums: each, and every ancestor folder.
pub fn pages_to_render(changed: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for album in changed {
        let parts: Vec<&str> = album.split('/').collect();
        for i in 1..=parts.len() {
            out.insert(parts[..i].join("/"));
        }
    }
    out
}

async fn write(
    web: &dyn ObjectStore,
    key: &str,
    body: &[u8],
    options: PutOptions,
    report: &mut SiteReport,
) -> Result<(), RenderError> {
    if write_if_changed(web, key, body, &options).await? {
        report.written.push(key.to_owned());
    }
    Ok(())
}

/// The buckets the site builder works with.
#[derive(Clone, Copy)]
pub struct Buckets<'a> {
    /// Photos and `album.yml` files (read only).
    pub source: &'a dyn ObjectStore,
    /// Derivatives and manifests (replaced derivatives are deleted here).
    pub resized: &'a dyn ObjectStore,
    /// Data files, pages and assets.
    pub web: &'a dyn ObjectStore,
}

/// Applies a batch and renders what it touched. Unchanged output is not rewritten. Derivatives
/// of replaced photo versions are deleted only after the pages stopped referring to them, so a
/// visitor never sees a broken image while the site catches up.
pub async fn update_site(
    buckets: Buckets<'_>,
    renderer: &Renderer,
    messages: &[SiteMessage],
) -> Result<SiteReport, SiteError> {
    let batch = apply_batch(buckets.source, buckets.resized, buckets.web, messages).await?;
    let mut report = SiteReport {
        changed_albums: batch.changed.clone(),
        written: batch.written.clone(),
        deleted: batch.deleted.clone(),
        stale: batch.stale,
        failed_albums: batch.failed.clone(),
        ..Default::default()
    };
    if let Some(gallery) = &batch.gallery {
        // Every touched album, changed or not: a replay may follow a try that saved the data and
        // failed before the pages were written (pages whose bytes are the same are not rewritten).
        let mut touched: Vec<String> = batch.changed.iter().chain(&batch.unchanged).cloned().collect();
        for album in &batch.retitled {
            let inside = format!("{album}/");
            touched.extend(gallery.value.albums.keys().filter(|a| a.starts_with(&inside)).cloned());
        }
        let pages = pages_to_render(&touched);
        render_pages(buckets.web, renderer, gallery, &pages, &batch.touched_data, true, &mut report).await?;
    }
    for key in batch.unreferenced {
        // A failure costs storage, not correctness: logged, not retried.
        match buckets.resized.delete(&key).await {
            Ok(()) => report.deleted_derivatives.push(key),
            Err(e) => tracing::warn!(derivative = %key, error = %e, "could not delete a replaced derivative"),
        }
    }
    Ok(report)
}

/// Renders every page of the gallery from the stored data (after a deploy, a template or title
/// change), still writing only the pages whose bytes differ.
pub async fn render_all(web: &dyn ObjectStore, renderer: &Renderer) -> Result<SiteReport, SiteError> {
    Ok(render_all_from(web, renderer, None, None).await?.report)
}

/// Pages a full render does between looks at the clock.
const RENDER_STEP: usize = 256;
/// A step of a full render does not start with less time than this left (a step of 256 pages
/// takes a few seconds).
const DEADLINE_MARGIN: Duration = Duration::from_secs(20);

/// How far a full render got.
#[derive(Debug, Default)]
pub struct RenderAll {
    /// What it wrote, deleted and could not render.
    pub report: SiteReport,
    /// The last album page rendered, when time ran short before the end: a new invocation goes
    /// on after it.
    pub next: Option<String>,
}

/// Renders the album pages after `after` (all of them, with the index and the assets, for
/// `None`) in name order, stopping between steps when `deadline` is near.
pub async fn render_all_from(
    web: &dyn ObjectStore,
    renderer: &Renderer,
    after: Option<&str>,
    deadline: Option<Instant>,
) -> Result<RenderAll, SiteError> {
    let gallery = load_gallery_versioned(web).await?;
    let albums: Vec<String> = gallery.value.albums.keys().cloned().collect();
    let pages: Vec<String> =
        pages_to_render(&albums).into_iter().filter(|page| after.is_none_or(|a| page.as_str() > a)).collect();
    let mut report = SiteReport::default();
    let start = after.is_none();
    if start {
        // Check every asset again: this is also the repair path for a bucket that lost files.
        publish_assets(web, renderer, &mut report).await?;
    }
    // The start renders the index with its first step, even in a gallery without album pages.
    let steps = pages.chunks(RENDER_STEP).chain((start && pages.is_empty()).then_some(&[][..]));
    let mut last: Option<&String> = None;
    for step in steps {
        let short = deadline.is_some_and(|d| d.saturating_duration_since(Instant::now()) < DEADLINE_MARGIN);
        if short && last.is_some() {
            return Ok(RenderAll { report, next: last.cloned() });
        }
        let step_pages: BTreeSet<String> = step.iter().cloned().collect();
        let index = start && last.is_none();
        render_pages(web, renderer, &gallery, &step_pages, &[], index, &mut report).await?;
        last = step.last().or(last);
    }
    Ok(RenderAll { report, next: None })
}

/// Renders `pages` (album paths) again from the data files: those a full render could not
/// write. Pages that fail again are in the report's `failed_albums`.
pub async fn render_named(
    web: &dyn ObjectStore,
    renderer: &Renderer,
    pages: &BTreeSet<String>,
) -> Result<SiteReport, SiteError> {
    let gallery = load_gallery_versioned(web).await?;
    let mut report = SiteReport::default();
    render_pages(web, renderer, &gallery, pages, &[], false, &mut report).await?;
    Ok(report)
}

/// Whether the store still holds exactly `known`'s version of `key` (one HEAD).
async fn still_current<T>(web: &dyn ObjectStore, key: &str, known: &Saved<T>) -> Result<bool, StoreError> {
    Ok(web.head(key).await?.map(|info| info.etag) == known.etag)
}

/// The album's data as stored now: this run's own saved version while it is still the stored
/// one, else read again.
async fn current_album<'a>(
    web: &dyn ObjectStore,
    album: &str,
    fresh: &'a [Saved<AlbumData>],
) -> Result<Cow<'a, AlbumData>, SiteError> {
    if let Some(known) = fresh.iter().find(|d| d.value.album == album) {
        if still_current(web, &album_data_key(album), known).await? {
            return Ok(Cow::Borrowed(&known.value));
        }
    }
    Ok(Cow::Owned(load_album(web, album).await?))
}

/// Pages rendered and written at once: S3 answers each request in tens of milliseconds, so a
/// full render of thousands of pages is bound by round trips, not by the CPU.
const CONCURRENCY: usize = 32;

/// How an album page is read before it is written: whole, for the grid parts it lists (a page
/// from before parts could hold thousands of photos). The index lists none: only its version.
const READ_ALBUM_PAGE: Read = Read::Body { max_bytes: 64 << 20 };

/// What became of one page in a round of [`render_pages`].
enum PageOutcome<'a> {
    /// The page and the grid parts it lists that were missing were written; the parts only the
    /// version it replaced listed were deleted.
    Written {
        written: Vec<String>,
        deleted: Vec<String>,
    },
    Unchanged,
    Deleted(Vec<String>),
    /// Its data file is damaged: left as it was, reported.
    Failed(&'a str, String),
    /// Another run wrote it since its version was read: rendered again next round.
    Conflict(&'a str, &'a String, Update<'a>),
}

/// A page's version, read before its data.
async fn read_version<'a>(
    path: &'a str,
    key: &'a String,
    mut update: Update<'a>,
) -> Result<(&'a str, &'a String, Update<'a>, Current), StoreError> {
    let current = update.read().await?;
    Ok((path, key, update, current))
}

/// What a page is rendered from in one round (`'p`: this round; `'a`: the whole render).
#[derive(Clone, Copy)]
struct Page<'p, 'a> {
    web: &'a dyn ObjectStore,
    renderer: &'p Renderer,
    summary: &'p GallerySummary,
    fresh: &'p [Saved<AlbumData>],
}

impl<'p, 'a> Page<'p, 'a> {
    /// Renders the page of `path` ("" for the index) and writes it if it is still `current`:
    /// first the grid parts it lists that the stored version did not (parts are named by their
    /// content, so those it shares are already stored), then the page, then the parts only the
    /// replaced version listed are deleted.
    async fn render(
        self,
        path: &'a str,
        key: &'a String,
        mut update: Update<'a>,
        current: Current,
    ) -> Result<PageOutcome<'a>, SiteError> {
        let stored_parts = current.body.as_deref().map(listed_parts).unwrap_or_default();
        if !path.is_empty() && !self.summary.has_page(path) {
            // The album lost its last photo: its page goes, so the address stops working.
            if current.etag.is_none() {
                return Ok(PageOutcome::Unchanged);
            }
            self.web.delete(key).await?;
            let mut deleted = vec![key.clone()];
            deleted.extend(self.delete_parts(path, &stored_parts).await);
            return Ok(PageOutcome::Deleted(deleted));
        }
        let page = if path.is_empty() {
            AlbumPage { html: self.renderer.index(self.summary)?, parts: Vec::new() }
        } else {
            match current_album(self.web, path, self.fresh).await {
                Ok(album) => self.renderer.album(&album, self.summary)?,
                // A damaged data file: the page stays as it was and the album is reported (its
                // next update makes the data again); the other pages are rendered.
                Err(SiteError::Update(e @ UpdateError::BadDataFile { .. })) => {
                    tracing::error!(album = path, error = %e, "album page not rendered");
                    return Ok(PageOutcome::Failed(path, e.to_string()));
                }
                Err(e) => return Err(e),
            }
        };
        let mut written = Vec::new();
        let options = PutOptions::immutable("application/json");
        for part in page.parts.iter().filter(|p| !stored_parts.contains(&p.hash)) {
            if write_if_changed(self.web, &part.key, part.body.as_bytes(), &options).await? {
                written.push(part.key.clone());
            }
        }
        Ok(match update.write(Bytes::from(page.html)).await? {
            Written::Conflict => PageOutcome::Conflict(path, key, update),
            Written::Stored(_) => {
                written.push(key.clone());
                let retired: Vec<String> = stored_parts
                    .into_iter()
                    .filter(|hash| !page.parts.iter().any(|p| &p.hash == hash))
                    .collect();
                let deleted = self.delete_parts(path, &retired).await;
                PageOutcome::Written { written, deleted }
            }
            Written::Unchanged if written.is_empty() => PageOutcome::Unchanged,
            Written::Unchanged => PageOutcome::Written { written, deleted: Vec::new() },
        })
    }

    /// Deletes the grid parts of `path` named `hashes`, which no stored page lists any more; returns
    /// their keys. A failure costs storage, not correctness: logged, not retried.
    async fn delete_parts(self, path: &str, hashes: &[String]) -> Vec<String> {
        let mut deleted = Vec::new();
        for key in hashes.iter().map(|hash| grid_part_key(path, hash)) {
            match self.web.delete(&key).await {
                Ok(()) => deleted.push(key),
                Err(e) => tracing::warn!(part = %key, error = %e, "could not delete a retired grid part"),
            }
        }
        deleted
    }
}

/// Renders `pages` (album paths) and, with `index`, the front page, each written only if still
/// the version read before its data was looked at (else rendered again from the data as it is
/// then), then the fixed pages. Up to [`CONCURRENCY`] pages are read, rendered and written at
/// once.
async fn render_pages(
    web: &dyn ObjectStore,
    renderer: &Renderer,
    gallery: &Saved<GallerySummary>,
    pages: &BTreeSet<String>,
    fresh: &[Saved<AlbumData>],
    index: bool,
    report: &mut SiteReport,
) -> Result<(), SiteError> {
    use futures::{StreamExt as _, TryStreamExt as _};
    if renderer.assets_unpublished() {
        publish_assets(web, renderer, report).await?;
    }
    let mut gallery = Cow::Borrowed(gallery);
    let options = PutOptions::html();
    // "" is the index.
    let paths: Vec<&str> = pages.iter().map(String::as_str).chain(index.then_some("")).collect();
    let keys: Vec<String> = paths.iter().map(|path| album_page_key(path)).collect();
    let mut pending: Vec<(&str, &String, Update)> = paths
        .iter()
        .zip(&keys)
        .map(|(path, key)| {
            let read = if path.is_empty() { Read::Version } else { READ_ALBUM_PAGE };
            (*path, key, Update::new(web, key, read, &options))
        })
        .collect();
    while !pending.is_empty() {
        // The pages as stored first (the index's version, a HEAD; album pages whole, a GET),
        // then the data they are rendered from. The
        // futures are made before they are streamed: a closure inside the stream would be too
        // general for the compiler to see that the whole is `Send`.
        let reads: Vec<_> =
            pending.into_iter().map(|(path, key, update)| read_version(path, key, update)).collect();
        let read: Vec<_> = futures::stream::iter(reads).buffered(CONCURRENCY).try_collect().await?;
        if !still_current(web, GALLERY_DATA_KEY, &gallery).await? {
            gallery = Cow::Owned(load_gallery_versioned(web).await?);
        }
        let page = Page { web, renderer, summary: &gallery.value, fresh };
        let renders: Vec<_> = read
            .into_iter()
            .map(|(path, key, update, current)| page.render(path, key, update, current))
            .collect();
        let outcomes: Vec<PageOutcome> =
            futures::stream::iter(renders).buffered(CONCURRENCY).try_collect().await?;
        pending = Vec::new();
        for outcome in outcomes {
            match outcome {
                PageOutcome::Written { written, deleted } => {
                    report.written.extend(written);
                    report.deleted.extend(deleted);
                }
                PageOutcome::Unchanged => {}
                PageOutcome::Deleted(keys) => report.deleted.extend(keys),
                PageOutcome::Failed(path, reason) => report.add_failure(path, reason),
                PageOutcome::Conflict(path, key, update) => pending.push((path, key, update)),
            }
        }
    }
    write(web, NOT_FOUND_PAGE_KEY, renderer.not_found()?.as_bytes(), PutOptions::html(), report).await?;
    let login = static_login_page(&renderer.title);
    write(web, LOGIN_PAGE_KEY, login.as_bytes(), PutOptions::html(), report).await?;
    let script = static_login_script();
    let script_options = PutOptions::revalidated("text/javascript; charset=utf-8");
    write(web, LOGIN_SCRIPT_KEY, script.as_bytes(), script_options, report).await?;
    Ok(())
}

/// Writes the content-hashed assets that are missing or differ.
async fn publish_assets(
    web: &dyn ObjectStore,
    renderer: &Renderer,
    report: &mut SiteReport,
) -> Result<(), RenderError> {
    for asset in renderer.assets() {
        write(web, &asset.key, asset.body.as_bytes(), PutOptions::immutable(asset.content_type), report)
            .await?;
    }
    renderer.assets_are_published();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_are_rendered_with_the_album() {
        let pages = pages_to_render(&["Trips/Italy/Rome".into(), "Family".into()]);
        assert_eq!(
            pages.into_iter().collect::<Vec<_>>(),
            ["Family", "Trips", "Trips/Italy", "Trips/Italy/Rome"]
        );
    }
}
