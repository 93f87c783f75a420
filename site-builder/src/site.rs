//! One batch of SiteQueue messages, end to end: update the data, then render exactly the pages
//! it touched (the changed albums, their parent albums, the index) plus the fixed pages.

use crate::album::AlbumData;
use crate::gallery::GallerySummary;
use crate::render::{write_if_changed, RenderError, Renderer};
use crate::update::{apply_batch, load_album, load_gallery, UpdateError};
use shared::keys::{album_page_key, INDEX_PAGE};
use shared::{ObjectStore, PutOptions, SiteMessage};
use std::collections::BTreeSet;

/// Key of the static login page CloudFront shows instead of a forbidden page.
pub const LOGIN_PAGE: &str = "_auth/login.html";
/// Key of the not-found page.
pub const NOT_FOUND_PAGE: &str = "404.html";

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

/// Renders every page of the gallery from the stored data (after a template or title change),
/// still writing only the pages whose bytes differ.
pub async fn render_all(web: &dyn ObjectStore, renderer: &Renderer) -> Result<SiteReport, SiteError> {
    let gallery = load_gallery(web).await?;
    let albums: Vec<String> = gallery.albums.keys().cloned().collect();
    let mut report = SiteReport::default();
    // Check every asset again: this is also the repair path for a bucket that lost files.
    publish_assets(web, renderer, &mut report).await?;
    render_pages(web, renderer, &gallery, &pages_to_render(&albums), &[], &mut report).await?;
    Ok(report)
}

async fn render_pages(
    web: &dyn ObjectStore,
    renderer: &Renderer,
    gallery: &GallerySummary,
    pages: &BTreeSet<String>,
    fresh: &[AlbumData],
    report: &mut SiteReport,
) -> Result<(), SiteError> {
    if renderer.assets_unpublished() {
        publish_assets(web, renderer, report).await?;
    }
    for path in pages {
        let page = album_page_key(path);
        if !gallery.has_page(path) {
            // The album lost its last photo: its page goes, so the address stops working.
            if web.head(&page).await.map_err(RenderError::from)?.is_some() {
                web.delete(&page).await.map_err(RenderError::from)?;
                report.deleted.push(page);
            }
            continue;
        }
        let data = match fresh.iter().find(|d| &d.album == path) {
            Some(d) => d.clone(),
            None => load_album(web, path).await?,
        };
        let html = renderer.album(&data, gallery)?;
        write(web, &page, html.as_bytes(), PutOptions::html(), report).await?;
    }
    write(web, INDEX_PAGE, renderer.index(gallery)?.as_bytes(), PutOptions::html(), report).await?;
    write(web, NOT_FOUND_PAGE, renderer.not_found()?.as_bytes(), PutOptions::html(), report).await?;
    let login = edge_auth::page::static_login_page(&renderer.title);
    write(web, LOGIN_PAGE, login.as_bytes(), PutOptions::html(), report).await?;
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
