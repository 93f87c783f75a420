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
use crate::render::{write_if_changed, RenderError, Renderer};
use crate::update::{apply_batch, load_album, load_gallery_versioned, Saved, UpdateError};
use bytes::Bytes;
use shared::store::{Read, Update, Written};
use shared::{ObjectStore, PutOptions, StoreError};
use shoebox_core::keys::{
    album_data_key, album_page_key, GALLERY_DATA_KEY, LOGIN_PAGE_KEY, LOGIN_SCRIPT_KEY, NOT_FOUND_PAGE_KEY,
};
use shoebox_core::signin::{static_login_page, static_login_script};
use shoebox_core::SiteMessage;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// What a site update did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteReport {
    /// Albums whose data changed.
    pub changed_albums: Vec<String>,
    /// Keys written to the web bucket (pages and assets whose bytes changed).
    pub written: Vec<String>,
    /// Pages deleted because their album no longer has photos.
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
        render_pages(buckets.web, renderer, gallery, &pages, &batch.touched_data, &mut report).await?;
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
    let gallery = load_gallery_versioned(web).await?;
    let albums: Vec<String> = gallery.value.albums.keys().cloned().collect();
    let mut report = SiteReport::default();
    // Check every asset again: this is also the repair path for a bucket that lost files.
    publish_assets(web, renderer, &mut report).await?;
    render_pages(web, renderer, &gallery, &pages_to_render(&albums), &[], &mut report).await?;
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

/// Renders `pages` (album paths) and the index, each written only if still the version read
/// before its data was looked at (else rendered again from the data as it is then), then the
/// fixed pages.
async fn render_pages(
    web: &dyn ObjectStore,
    renderer: &Renderer,
    gallery: &Saved<GallerySummary>,
    pages: &BTreeSet<String>,
    fresh: &[Saved<AlbumData>],
    report: &mut SiteReport,
) -> Result<(), SiteError> {
    if renderer.assets_unpublished() {
        publish_assets(web, renderer, report).await?;
    }
    let mut gallery = Cow::Borrowed(gallery);
    let options = PutOptions::html();
    // "" is the index.
    let paths: Vec<&str> = pages.iter().map(String::as_str).chain([""]).collect();
    let keys: Vec<String> = paths.iter().map(|path| album_page_key(path)).collect();
    let mut pending: Vec<(&str, &String, Update)> = paths
        .iter()
        .zip(&keys)
        .map(|(path, key)| (*path, key, Update::new(web, key, Read::Version, &options)))
        .collect();
    while !pending.is_empty() {
        // The pages' versions first (a HEAD each), then the data they are rendered from.
        let mut read = Vec::with_capacity(pending.len());
        for (path, key, mut update) in pending {
            let current = update.read().await?;
            read.push((path, key, update, current));
        }
        if !still_current(web, GALLERY_DATA_KEY, &gallery).await? {
            gallery = Cow::Owned(load_gallery_versioned(web).await?);
        }
        let summary = &gallery.value;
        let mut conflicts = Vec::new();
        for (path, key, mut update, current) in read {
            if !path.is_empty() && !summary.has_page(path) {
                // The album lost its last photo: its page goes, so the address stops working.
                if current.etag.is_some() {
                    web.delete(key).await?;
                    report.deleted.push(key.clone());
                }
                continue;
            }
            let html = if path.is_empty() {
                renderer.index(summary)?
            } else {
                match current_album(web, path, fresh).await {
                    Ok(album) => renderer.album(&album, summary)?,
                    // A damaged data file: the page stays as it was and the album is reported
                    // (a rebuild recreates the data); the other pages are still rendered.
                    Err(SiteError::Update(e @ UpdateError::BadDataFile { .. })) => {
                        tracing::error!(album = path, error = %e, "album page not rendered");
                        report.add_failure(path, e.to_string());
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            };
            match update.write(Bytes::from(html)).await? {
                Written::Conflict => conflicts.push((path, key, update)),
                Written::Stored(_) => report.written.push(key.clone()),
                Written::Unchanged => {}
            }
        }
        pending = conflicts;
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
