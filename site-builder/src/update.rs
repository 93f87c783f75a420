//! Applying a batch of SiteQueue messages to the albums' data files through an object store.
//!
//! Per touched album: one read of its data file, one read of its `album.yml` when that changed,
//! and one write when anything changed; then, if any album changed, one read and at most one
//! write of the gallery summary. Nothing is listed; the gallery's size does not matter.

use crate::album::{apply, unreferenced_derivatives, AlbumData, Applied, ALBUM_DATA_SCHEMA};
use crate::gallery::{GallerySummary, GALLERY_SCHEMA};
use crate::metadata::{AlbumMetadata, MAX_ALBUM_YML};
use bytes::Bytes;
use shared::keys::{album_data_key, album_metadata_key, GALLERY_DATA_KEY};
use shared::{ObjectStore, PutOptions, SiteMessage, StoreError};
use std::collections::BTreeMap;

/// Largest album data file read (a 5,000-photo album is a few MB).
const MAX_DATA_FILE: u64 = 256 << 20;

/// What a batch did.
#[derive(Debug, Clone, Default)]
pub struct BatchReport {
    /// Albums whose data changed (to re-render), in name order.
    pub changed: Vec<String>,
    /// Albums the batch touched without changing them (replays).
    pub unchanged: Vec<String>,
    /// Messages ignored as older than the data.
    pub stale: usize,
    /// Albums that could not be updated, with the reason; their messages should be retried.
    pub failed: Vec<(String, String)>,
    /// Whether the gallery summary changed (the index must be re-rendered).
    pub gallery_changed: bool,
    /// The changed albums' data, for rendering without reading it again.
    pub changed_data: Vec<AlbumData>,
    /// The gallery summary after the batch, when any album changed.
    pub gallery: Option<GallerySummary>,
    /// Derivative keys in the resized bucket that no photo refers to any more (replaced or stale
    /// versions); deleted once the pages no longer show them.
    pub unreferenced: Vec<String>,
}

/// Why an album could not be updated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// Reading or writing a bucket failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An album's data file exists but cannot be read; `rebuild-all` recreates it.
    #[error("{key}: unreadable album data ({reason}); run a full rebuild to recreate it")]
    BadDataFile {
        /// The data file's key.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

/// Reads an album's data file (a new, empty album when there is none).
pub async fn load_album(web: &dyn ObjectStore, album: &str) -> Result<AlbumData, UpdateError> {
    let key = album_data_key(album);
    let Some(object) = web.get(&key, MAX_DATA_FILE).await? else { return Ok(AlbumData::new(album)) };
    let data: AlbumData = serde_json::from_slice(&object.body)
        .map_err(|e| UpdateError::BadDataFile { key: key.clone(), reason: e.to_string() })?;
    if data.schema != ALBUM_DATA_SCHEMA {
        return Err(UpdateError::BadDataFile {
            key,
            reason: format!("schema {} is not {ALBUM_DATA_SCHEMA}", data.schema),
        });
    }
    Ok(data)
}

/// Reads the gallery summary (empty when there is none).
pub async fn load_gallery(web: &dyn ObjectStore) -> Result<GallerySummary, UpdateError> {
    let Some(object) = web.get(GALLERY_DATA_KEY, MAX_DATA_FILE).await? else {
        return Ok(GallerySummary::default());
    };
    let bad = |reason: String| UpdateError::BadDataFile { key: GALLERY_DATA_KEY.to_owned(), reason };
    let summary: GallerySummary = serde_json::from_slice(&object.body).map_err(|e| bad(e.to_string()))?;
    if summary.schema != GALLERY_SCHEMA {
        return Err(bad(format!("schema {} is not {GALLERY_SCHEMA}", summary.schema)));
    }
    Ok(summary)
}

/// Writes a data file as JSON (`no-cache`).
pub(crate) async fn save_json<T: serde::Serialize>(
    web: &dyn ObjectStore,
    key: &str,
    value: &T,
) -> Result<(), UpdateError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| UpdateError::BadDataFile { key: key.to_owned(), reason: e.to_string() })?;
    web.put(key, Bytes::from(body), &PutOptions::json()).await?;
    Ok(())
}

async fn read_album_yml(source: &dyn ObjectStore, album: &str) -> Result<AlbumMetadata, UpdateError> {
    let key = album_metadata_key(album);
    match source.get(&key, MAX_ALBUM_YML as u64).await {
        Ok(Some(object)) => {
            Ok(AlbumMetadata::parse_or_default(album, &String::from_utf8_lossy(&object.body)))
        }
        Ok(None) => Ok(AlbumMetadata::default()),
        Err(StoreError::TooLarge { size, .. }) => {
            tracing::error!(album, bytes = size, "album.yml is over 256 KiB; the album uses its defaults");
            Ok(AlbumMetadata::default())
        }
        Err(e) => Err(e.into()),
    }
}

/// Applies one album's messages; returns its data when it changed (and was saved) and the
/// derivatives no longer referenced.
async fn apply_album(
    source: &dyn ObjectStore,
    web: &dyn ObjectStore,
    album: &str,
    messages: &[&SiteMessage],
    stale: &mut usize,
) -> Result<(Option<AlbumData>, Vec<String>), UpdateError> {
    let mut data = load_album(web, album).await?;
    let needs_yml =
        messages.iter().any(|m| matches!(m, SiteMessage::AlbumMetadataChanged { removed: false, .. }));
    let yml = if needs_yml { Some(read_album_yml(source, album).await?) } else { None };
    let mut changed = false;
    let mut unreferenced = Vec::new();
    for m in messages {
        let before = match m {
            SiteMessage::PhotoUpserted { manifest } => data.photos.get(&manifest.source_key).cloned(),
            _ => None,
        };
        match apply(&mut data, m, yml.clone()) {
            Applied::Changed => changed = true,
            Applied::Unchanged => {}
            Applied::Stale => *stale += 1,
        }
        if let SiteMessage::PhotoUpserted { manifest } = m {
            let after = data.photos.get(&manifest.source_key);
            unreferenced.extend(unreferenced_derivatives(before.as_ref(), manifest, after));
        }
    }
    if !changed {
        return Ok((None, unreferenced));
    }
    save_json(web, &album_data_key(album), &data).await?;
    Ok((Some(data), unreferenced))
}

/// Applies `messages` (grouped by album, in order) to the data files in `web`, reading
/// `album.yml` files from `source` when they changed.
pub async fn apply_batch(
    source: &dyn ObjectStore,
    web: &dyn ObjectStore,
    messages: &[SiteMessage],
) -> Result<BatchReport, UpdateError> {
    let mut by_album: BTreeMap<&str, Vec<&SiteMessage>> = BTreeMap::new();
    for m in messages {
        by_album.entry(m.album()).or_default().push(m);
    }
    let mut report = BatchReport::default();
    for (album, messages) in by_album {
        // One album's failure (say, a corrupt data file) must not hold up the others.
        match apply_album(source, web, album, &messages, &mut report.stale).await {
            Ok((Some(data), unreferenced)) => {
                report.changed.push(album.to_owned());
                report.changed_data.push(data);
                report.unreferenced.extend(unreferenced);
            }
            Ok((None, unreferenced)) => {
                report.unchanged.push(album.to_owned());
                report.unreferenced.extend(unreferenced);
            }
            Err(e) => {
                tracing::error!(album, error = %e, "album update failed");
                report.failed.push((album.to_owned(), e.to_string()));
            }
        }
    }
    if !report.changed_data.is_empty() {
        let mut gallery = load_gallery(web).await?;
        let mut gallery_changed = false;
        for data in &report.changed_data {
            gallery_changed |= gallery.update(data);
        }
        if gallery_changed {
            save_json(web, GALLERY_DATA_KEY, &gallery).await?;
        }
        report.gallery_changed = gallery_changed;
        report.gallery = Some(gallery);
    }
    Ok(report)
}
