//! Applying a batch of SiteQueue messages to the albums' data files through an object store.
//!
//! Per touched album: one read of its data file, one read of its `album.yml` when that changed,
//! and one write when anything changed; then, if any album changed, one read and one write of
//! the gallery summary. Nothing is listed; the gallery's size does not matter.
//!
//! Two site builders may run at once (the queue's concurrency is 2), so every write of a data
//! file is conditional on the version that was read ([`ObjectStore::put_if`]); when another run
//! got there first, the file is read again and the messages applied again, a few times at most.
//! Each save raises the album's `revision`, so the summary never goes back to an older version.

use crate::album::{apply, unreferenced_derivatives, AlbumData, Applied, ALBUM_DATA_SCHEMA};
use crate::gallery::{GallerySummary, GALLERY_SCHEMA};
use crate::metadata::{AlbumMetadata, MAX_ALBUM_YML};
use bytes::Bytes;
use shared::keys::{album_data_key, album_metadata_key, GALLERY_DATA_KEY};
use shared::store::md5_etag;
use shared::{ObjectStore, Precondition, PutOptions, SiteMessage, StoreError};
use std::collections::BTreeMap;
use std::time::Duration;

/// Largest album data file read (a 5,000-photo album is a few MB).
const MAX_DATA_FILE: u64 = 256 << 20;
/// How often a conditional write is tried before the batch gives up (and SQS retries it later).
pub(crate) const MAX_ATTEMPTS: u32 = 8;

/// A data file's content and the ETag of the stored version it is (read or written).
#[derive(Debug, Clone)]
pub struct Saved<T> {
    /// The content.
    pub value: T,
    /// The stored version's ETag; `None` when nothing is stored.
    pub etag: Option<String>,
}

/// Waits a little before trying a conditional write again, longer each time, with jitter so two
/// runs do not collide in step.
pub(crate) async fn back_off(attempt: u32) {
    let jitter =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
            % 40;
    tokio::time::sleep(Duration::from_millis(u64::from(20 * attempt + jitter))).await;
}

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
    /// The changed albums' data as saved, for rendering without reading it again.
    pub changed_data: Vec<Saved<AlbumData>>,
    /// The gallery summary after the batch (as saved or read), when any album changed.
    pub gallery: Option<Saved<GallerySummary>>,
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
    /// Another run kept changing the file between this run's read and write.
    #[error("{key}: changed by another run {attempts} times in a row; the batch is retried later")]
    Contended {
        /// The data file's key.
        key: String,
        /// How often it was tried.
        attempts: u32,
    },
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
    Ok(load_album_versioned(web, album).await?.value)
}

/// Reads an album's data file with the ETag of the version read.
pub async fn load_album_versioned(
    web: &dyn ObjectStore,
    album: &str,
) -> Result<Saved<AlbumData>, UpdateError> {
    let key = album_data_key(album);
    let Some(object) = web.get(&key, MAX_DATA_FILE).await? else {
        return Ok(Saved { value: AlbumData::new(album), etag: None });
    };
    let data: AlbumData = serde_json::from_slice(&object.body)
        .map_err(|e| UpdateError::BadDataFile { key: key.clone(), reason: e.to_string() })?;
    if data.schema != ALBUM_DATA_SCHEMA {
        return Err(UpdateError::BadDataFile {
            key,
            reason: format!("schema {} is not {ALBUM_DATA_SCHEMA}", data.schema),
        });
    }
    Ok(Saved { value: data, etag: Some(object.info.etag) })
}

/// Reads the gallery summary (empty when there is none).
pub async fn load_gallery(web: &dyn ObjectStore) -> Result<GallerySummary, UpdateError> {
    Ok(load_gallery_versioned(web).await?.value)
}

/// Reads the gallery summary with the ETag of the version read.
pub async fn load_gallery_versioned(web: &dyn ObjectStore) -> Result<Saved<GallerySummary>, UpdateError> {
    let Some(object) = web.get(GALLERY_DATA_KEY, MAX_DATA_FILE).await? else {
        return Ok(Saved { value: GallerySummary::default(), etag: None });
    };
    let bad = |reason: String| UpdateError::BadDataFile { key: GALLERY_DATA_KEY.to_owned(), reason };
    let summary: GallerySummary = serde_json::from_slice(&object.body).map_err(|e| bad(e.to_string()))?;
    if summary.schema != GALLERY_SCHEMA {
        return Err(bad(format!("schema {} is not {GALLERY_SCHEMA}", summary.schema)));
    }
    Ok(Saved { value: summary, etag: Some(object.info.etag) })
}

fn to_json<T: serde::Serialize>(key: &str, value: &T) -> Result<Vec<u8>, UpdateError> {
    serde_json::to_vec(value)
        .map_err(|e| UpdateError::BadDataFile { key: key.to_owned(), reason: e.to_string() })
}

/// Writes a data file as JSON (`no-cache`), whatever is stored (rebuild-all).
pub(crate) async fn save_json<T: serde::Serialize>(
    web: &dyn ObjectStore,
    key: &str,
    value: &T,
) -> Result<(), UpdateError> {
    web.put(key, Bytes::from(to_json(key, value)?), &PutOptions::json()).await?;
    Ok(())
}

/// Writes a data file as JSON if the stored version is still `read` (the ETag it was read at, or
/// none); returns the new version's ETag, or [`StoreError::Conflict`].
async fn save_json_if<T: serde::Serialize>(
    web: &dyn ObjectStore,
    key: &str,
    value: &T,
    read: Option<&str>,
) -> Result<String, UpdateError> {
    let body = to_json(key, value)?;
    let etag = md5_etag(&body);
    web.put_if(key, Bytes::from(body), &PutOptions::json(), &Precondition::from_read(read)).await?;
    Ok(etag)
}

fn is_conflict(e: &UpdateError) -> bool {
    matches!(e, UpdateError::Store(StoreError::Conflict { .. }))
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

/// What applying one album's messages did.
struct AlbumOutcome {
    /// The album's data as saved, when it changed.
    saved: Option<Saved<AlbumData>>,
    /// Derivatives no photo refers to any more.
    unreferenced: Vec<String>,
    /// Messages older than the data.
    stale: usize,
}

/// Applies one album's messages to its data file: read, apply, write if still unchanged, else
/// again from the new version.
async fn apply_album(
    source: &dyn ObjectStore,
    web: &dyn ObjectStore,
    album: &str,
    messages: &[&SiteMessage],
) -> Result<AlbumOutcome, UpdateError> {
    let needs_yml =
        messages.iter().any(|m| matches!(m, SiteMessage::AlbumMetadataChanged { removed: false, .. }));
    let yml = if needs_yml { Some(read_album_yml(source, album).await?) } else { None };
    let key = album_data_key(album);
    for attempt in 1..=MAX_ATTEMPTS {
        let Saved { value: mut data, etag: read } = load_album_versioned(web, album).await?;
        let mut outcome = AlbumOutcome { saved: None, unreferenced: Vec::new(), stale: 0 };
        let mut changed = false;
        for m in messages {
            let before = match m {
                SiteMessage::PhotoUpserted { manifest } => data.photos.get(&manifest.source_key).cloned(),
                _ => None,
            };
            match apply(&mut data, m, yml.clone()) {
                Applied::Changed => changed = true,
                Applied::Unchanged => {}
                Applied::Stale => outcome.stale += 1,
            }
            if let SiteMessage::PhotoUpserted { manifest } = m {
                let after = data.photos.get(&manifest.source_key);
                outcome.unreferenced.extend(unreferenced_derivatives(before.as_ref(), manifest, after));
            }
        }
        if !changed {
            return Ok(outcome);
        }
        data.revision += 1;
        match save_json_if(web, &key, &data, read.as_deref()).await {
            Ok(etag) => {
                outcome.saved = Some(Saved { value: data, etag: Some(etag) });
                return Ok(outcome);
            }
            Err(e) if is_conflict(&e) => {
                tracing::info!(album, attempt, "album data changed by another run; applying again");
                back_off(attempt).await;
            }
            Err(e) => return Err(e),
        }
    }
    Err(UpdateError::Contended { key, attempts: MAX_ATTEMPTS })
}

/// Records the changed albums in the gallery summary: read, update, write if still unchanged,
/// else again. An album's entry only ever moves to a newer revision.
async fn update_gallery(
    web: &dyn ObjectStore,
    changed: &[Saved<AlbumData>],
) -> Result<(Saved<GallerySummary>, bool), UpdateError> {
    for attempt in 1..=MAX_ATTEMPTS {
        let Saved { value: mut gallery, etag: read } = load_gallery_versioned(web).await?;
        let mut gallery_changed = false;
        for data in changed {
            gallery_changed |= gallery.update(&data.value);
        }
        if !gallery_changed {
            return Ok((Saved { value: gallery, etag: read }, false));
        }
        match save_json_if(web, GALLERY_DATA_KEY, &gallery, read.as_deref()).await {
            Ok(etag) => return Ok((Saved { value: gallery, etag: Some(etag) }, true)),
            Err(e) if is_conflict(&e) => {
                tracing::info!(attempt, "gallery summary changed by another run; updating again");
                back_off(attempt).await;
            }
            Err(e) => return Err(e),
        }
    }
    Err(UpdateError::Contended { key: GALLERY_DATA_KEY.to_owned(), attempts: MAX_ATTEMPTS })
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
        match apply_album(source, web, album, &messages).await {
            Ok(outcome) => {
                report.stale += outcome.stale;
                report.unreferenced.extend(outcome.unreferenced);
                match outcome.saved {
                    Some(saved) => {
                        report.changed.push(album.to_owned());
                        report.changed_data.push(saved);
                    }
                    None => report.unchanged.push(album.to_owned()),
                }
            }
            Err(e) => {
                tracing::error!(album, error = %e, "album update failed");
                report.failed.push((album.to_owned(), e.to_string()));
            }
        }
    }
    if !report.changed_data.is_empty() {
        let (gallery, changed) = update_gallery(web, &report.changed_data).await?;
        report.gallery_changed = changed;
        report.gallery = Some(gallery);
    }
    Ok(report)
}
