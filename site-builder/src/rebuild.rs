//! `rebuild-all`: recreate every data file and page from the manifests, for recovery (a lost or
//! corrupt data file) and after template changes. It lists the manifests; the incremental path
//! never does.

use crate::album::AlbumData;
use crate::album_file;
use crate::gallery::GallerySummary;
use crate::render::Renderer;
use crate::site::{pages_to_render, render_all, SiteError, SiteReport};
use crate::update::{read_album_yml, save_json, UpdateError};
use shared::ObjectStore;
use shoebox_core::keys::{
    album_manifests_prefix, album_of_data_key, album_page_key, data_chunk_of_key, source_key_of_manifest,
    DATA_PREFIX, GALLERY_DATA_KEY, MANIFESTS_PREFIX,
};
use shoebox_core::PhotoManifest;
use std::collections::{BTreeMap, BTreeSet};

/// Rebuilds all data files from the manifests in `resized` and `album.yml` files in `source`,
/// removes the data files and pages of albums that no longer have photos and the data chunks no
/// head names (left by a run that lost a race, or damage), and re-renders every page.
pub async fn rebuild_all(
    source: &dyn ObjectStore,
    resized: &dyn ObjectStore,
    web: &dyn ObjectStore,
    renderer: &Renderer,
) -> Result<SiteReport, SiteError> {
    let mut albums = albums_from_manifests(resized, MANIFESTS_PREFIX).await?;
    let mut gallery = GallerySummary::default();
    let revision = fresh_revision();
    let mut chunks = BTreeSet::new();
    for (album, data) in &mut albums {
        data.revision = revision;
        data.metadata = read_album_yml(source, album).await?;
        let hashes = album_file::save_whole(web, data).await.map_err(UpdateError::from)?;
        chunks.extend(hashes.into_iter().map(|hash| (album.clone(), hash)));
        gallery.update(data);
    }
    let mut deleted = Vec::new();
    for stale in web.list(DATA_PREFIX).await.map_err(UpdateError::from)? {
        if let Some((album, hash)) = data_chunk_of_key(&stale.key) {
            if !chunks.contains(&(album.to_owned(), hash.to_owned())) {
                web.delete(&stale.key).await.map_err(UpdateError::from)?;
                deleted.push(stale.key);
            }
            continue;
        }
        let Some(album) = album_of_data_key(&stale.key) else { continue };
        if albums.contains_key(album) {
            continue;
        }
        web.delete(&stale.key).await.map_err(UpdateError::from)?;
        // Its page too, and its folders' pages if nothing with photos is left in them.
        for path in pages_to_render(&[album.to_owned()]).into_iter().rev() {
            let page = album_page_key(&path);
            if !gallery.has_page(&path)
                && !deleted.contains(&page)
                && web.head(&page).await.map_err(UpdateError::from)?.is_some()
            {
                web.delete(&page).await.map_err(UpdateError::from)?;
                deleted.push(page);
            }
        }
    }
    save_json(web, GALLERY_DATA_KEY, &gallery).await?;
    let mut report = render_all(web, renderer).await?;
    deleted.append(&mut report.deleted);
    report.deleted = deleted;
    report.changed_albums = albums.into_keys().collect();
    Ok(report)
}

/// A revision above anything an incremental run has saved before (those count up from 0 by one
/// per change): now, in milliseconds.
fn fresh_revision() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The albums whose photos' manifests are under `prefix`, as data files without metadata.
async fn albums_from_manifests(
    resized: &dyn ObjectStore,
    prefix: &str,
) -> Result<BTreeMap<String, AlbumData>, UpdateError> {
    let mut albums: BTreeMap<String, AlbumData> = BTreeMap::new();
    for info in resized.list(prefix).await? {
        let Some(object) = resized.get(&info.key, 16 << 20).await? else { continue };
        match PhotoManifest::from_json(&object.body) {
            Ok(m) if source_key_of_manifest(&info.key).is_ok_and(|k| k == m.source_key) => {
                let data = albums.entry(m.album.clone()).or_insert_with(|| AlbumData::new(m.album.clone()));
                data.photos.insert(m.source_key.clone(), m);
            }
            Ok(_) => tracing::warn!(key = %info.key, "manifest names another photo; skipped"),
            Err(e) => tracing::warn!(key = %info.key, error = %e, "unreadable manifest; skipped"),
        }
    }
    Ok(albums)
}

/// One album's data made again from its photos' manifests and its `album.yml` (for a damaged
/// data file: the manifests are the truth it is made from).
pub(crate) async fn rebuild_album(
    source: &dyn ObjectStore,
    resized: &dyn ObjectStore,
    album: &str,
) -> Result<AlbumData, UpdateError> {
    let mut data = albums_from_manifests(resized, &album_manifests_prefix(album))
        .await?
        .remove(album)
        .unwrap_or_else(|| AlbumData::new(album));
    data.revision = fresh_revision();
    data.metadata = read_album_yml(source, album).await?;
    Ok(data)
}
