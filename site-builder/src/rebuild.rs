//! `rebuild-all`: recreate every data file and page from the manifests, for recovery (a lost or
//! corrupt data file) and after template changes. It lists the manifests; the incremental path
//! never does.

use crate::album::AlbumData;
use crate::gallery::GallerySummary;
use crate::metadata::{AlbumMetadata, MAX_ALBUM_YML};
use crate::render::Renderer;
use crate::site::{pages_to_render, render_all, SiteError, SiteReport};
use crate::update::{save_json, UpdateError};
use shared::ObjectStore;
use shoebox_core::keys::{
    album_data_key, album_metadata_key, album_of_data_key, album_page_key, source_key_of_manifest,
    DATA_PREFIX, GALLERY_DATA_KEY, MANIFESTS_PREFIX,
};
use shoebox_core::PhotoManifest;
use std::collections::BTreeMap;

/// Rebuilds all data files from the manifests in `resized` and `album.yml` files in `source`,
/// removes the data files and pages of albums that no longer have photos, and re-renders every
/// page.
pub async fn rebuild_all(
    source: &dyn ObjectStore,
    resized: &dyn ObjectStore,
    web: &dyn ObjectStore,
    renderer: &Renderer,
) -> Result<SiteReport, SiteError> {
    let mut albums: BTreeMap<String, AlbumData> = BTreeMap::new();
    for info in resized.list(MANIFESTS_PREFIX).await.map_err(UpdateError::from)? {
        let Some(object) = resized.get(&info.key, 16 << 20).await.map_err(UpdateError::from)? else {
            continue;
        };
        match PhotoManifest::from_json(&object.body) {
            Ok(m) if source_key_of_manifest(&info.key).is_ok_and(|k| k == m.source_key) => {
                let data = albums.entry(m.album.clone()).or_insert_with(|| AlbumData::new(m.album.clone()));
                data.photos.insert(m.source_key.clone(), m);
            }
            Ok(_) => tracing::warn!(key = %info.key, "manifest names another photo; skipped"),
            Err(e) => tracing::warn!(key = %info.key, error = %e, "unreadable manifest; skipped"),
        }
    }
    let mut gallery = GallerySummary::default();
    // Rebuilt files start a revision above anything an incremental run has saved before.
    let revision = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    for (album, data) in &mut albums {
        data.revision = revision;
        if let Some(object) =
            source.get(&album_metadata_key(album), MAX_ALBUM_YML as u64).await.map_err(UpdateError::from)?
        {
            data.metadata = AlbumMetadata::parse_or_default(album, &String::from_utf8_lossy(&object.body));
        }
        save_json(web, &album_data_key(album), data).await?;
        gallery.update(data);
    }
    let mut deleted = Vec::new();
    for stale in web.list(DATA_PREFIX).await.map_err(UpdateError::from)? {
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
    report.deleted = deleted;
    report.changed_albums = albums.into_keys().collect();
    Ok(report)
}
