//! One batch of SiteQueue messages, end to end: update the data, then render exactly the pages
//! it touched (the changed albums, their parent albums, the index) plus the fixed pages.
//!
//! Two runs may render the same page at once from different versions of the data. Each page is
//! written only if it is still the version read before its data was looked at (a conditional
//! write); otherwise it is rendered again from the data as it is then. So the run that saved the
//! newest data always has the last word, and a page never goes back to an older state.

use crate::album::AlbumData;
use crate::gallery::GallerySummary;
use crate::render::{write_if_changed, RenderError, Renderer};
use crate::update::{
    apply_batch, back_off, load_album, load_gallery_versioned, Saved, UpdateError, MAX_ATTEMPTS,
};
use bytes::Bytes;
use shared::keys::{album_data_key, album_page_key, GALLERY_DATA_KEY};
use shared::store::md5_etag;
use shared::{ObjectStore, Precondition, PutOptions, SiteMessage, StoreError};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// Key of the static login page CloudFront shows instead of a forbidden page.
pub const LOGIN_PAGE: &str = "_auth/login.html";
/// Key of the login page's script (it fills in the address to return to; no inline scripts).
pub const LOGIN_SCRIPT: &str = "_auth/login.js";
/// Key of the not-found page (unsigned, like the login page: CloudFront serves it in place of
/// any missing object, whatever the visitor's cookies cover).
pub const NOT_FOUND_PAGE: &str = "_auth/404.html";

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
    let batch = apply_batch(buckets.source, buckets.web, messages).await?;
    let mut report =
        SiteReport { changed_albums: batch.changed.clone(), stale: batch.stale, ..Default::default() };
    if let Some(gallery) = &batch.gallery {
        let pages = pages_to_render(&batch.changed);
        render_pages(buckets.web, renderer, gallery, &pages, &batch.changed_data, &mut report).await?;
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
/// before its data was looked at; conflicting pages are rendered again, a few times at most.
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
    // "" is the index.
    let mut pending: BTreeSet<String> = pages.iter().cloned().chain([String::new()]).collect();
    let mut reloaded: Option<Saved<GallerySummary>> = None;
    for attempt in 1..=MAX_ATTEMPTS {
        // The pages' versions first, then the data they are rendered from.
        let mut versions = Vec::with_capacity(pending.len());
        for path in &pending {
            let page = album_page_key(path);
            let etag = web.head(&page).await?.map(|info| info.etag);
            versions.push((path.clone(), page, etag));
        }
        let known = reloaded.as_ref().unwrap_or(gallery);
        if !still_current(web, GALLERY_DATA_KEY, known).await? {
            reloaded = Some(load_gallery_versioned(web).await?);
        }
        let gallery = &reloaded.as_ref().unwrap_or(gallery).value;
        let mut conflicts = BTreeSet::new();
        for (path, page, etag) in versions {
            if !path.is_empty() && !gallery.has_page(&path) {
                // The album lost its last photo: its page goes, so the address stops working.
                if etag.is_some() {
                    web.delete(&page).await?;
                    report.deleted.push(page);
                }
                continue;
            }
            let html = if path.is_empty() {
                renderer.index(gallery)?
            } else {
                renderer.album(&*current_album(web, &path, fresh).await?, gallery)?
            };
            if etag.as_deref() == Some(md5_etag(html.as_bytes()).as_str()) {
                continue;
            }
            let precondition = Precondition::from_read(etag.as_deref());
            match web.put_if(&page, Bytes::from(html), &PutOptions::html(), &precondition).await {
                Ok(()) => report.written.push(page),
                Err(StoreError::Conflict { .. }) => {
                    tracing::info!(%page, attempt, "page changed by another run; rendering again");
                    conflicts.insert(path);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if conflicts.is_empty() {
            write(web, NOT_FOUND_PAGE, renderer.not_found()?.as_bytes(), PutOptions::html(), report).await?;
            let login = edge_auth::page::static_login_page(&renderer.title);
            write(web, LOGIN_PAGE, login.as_bytes(), PutOptions::html(), report).await?;
            let script = edge_auth::page::STATIC_LOGIN_SCRIPT;
            write(
                web,
                LOGIN_SCRIPT,
                script.as_bytes(),
                PutOptions::revalidated("text/javascript; charset=utf-8"),
                report,
            )
            .await?;
            return Ok(());
        }
        pending = conflicts;
        back_off(attempt).await;
    }
    Err(SiteError::Update(UpdateError::Contended {
        key: album_page_key(pending.iter().next().map_or("", String::as_str)),
        attempts: MAX_ATTEMPTS,
    }))
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
