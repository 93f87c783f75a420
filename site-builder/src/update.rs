//! Applying a batch of SiteQueue messages to the albums' data files through an object store.
//!
//! Per touched album: one read of its data (the head and its chunks, [`crate::album_file`]), one
//! read of its `album.yml` when that changed, and when anything changed, the chunks that changed
//! and one write of the head; then, if any album changed, one read and one write of the gallery
//! summary. Nothing is listed (except the manifests of an album whose data is damaged, to make it
//! again); the gallery's size does not matter.
//!
//! Two site builders may run at once (the queue's concurrency is 2), so every head and the summary
//! are changed through [`shared::store::Update`]: written only if still the version read, else
//! read again and the messages applied again, a few times at most. Each save raises the album's
//! `revision`, so the summary never goes back to an older version.

use crate::album::{apply, unreferenced_derivatives, AlbumData, Applied};
use crate::album_file::{self, FileError};
use crate::gallery::{GallerySummary, GALLERY_SCHEMA};
use crate::metadata::{AlbumMetadata, MAX_ALBUM_YML};
use crate::rebuild::rebuild_album;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::store::{Read, Update, Written};
use shared::{ObjectStore, PutOptions, StoreError};
use shoebox_core::keys::{album_data_key, album_metadata_key, GALLERY_DATA_KEY};
use shoebox_core::SiteMessage;
use std::collections::BTreeMap;

/// Largest data file read (the gallery summary; an album's head before chunks was a few MB per
/// 5,000 photos).
const MAX_DATA_FILE: u64 = album_file::MAX_HEAD;
/// How data files are read before they are changed.
const READ_DATA_FILE: Read = Read::Body { max_bytes: MAX_DATA_FILE };

/// A data file's content and the ETag of the stored version it is (read or written).
#[derive(Debug, Clone)]
pub struct Saved<T> {
    /// The content.
    pub value: T,
    /// The stored version's ETag; `None` when nothing is stored.
    pub etag: Option<String>,
}

/// A JSON data file of the web bucket, versioned by a schema number.
pub trait DataFile: Serialize + DeserializeOwned {
    /// The schema this build reads and writes.
    const SCHEMA: u32;
    /// The schema a file says it has.
    fn schema(&self) -> u32;
}

impl DataFile for GallerySummary {
    const SCHEMA: u32 = GALLERY_SCHEMA;
    fn schema(&self) -> u32 {
        self.schema
    }
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
    /// Albums whose title in the summary changed (or may have, in an earlier try): their
    /// sub-albums' pages show it in the breadcrumb, so those are rendered again too.
    pub retitled: Vec<String>,
    /// Albums that could not be updated, with the reason; their messages should be retried.
    pub failed: Vec<(String, String)>,
    /// Whether the gallery summary changed (the index must be re-rendered).
    pub gallery_changed: bool,
    /// The touched albums' data as saved or read, for rendering without reading it again.
    pub touched_data: Vec<Saved<AlbumData>>,
    /// The gallery summary after the batch (as saved or read), when any album was touched.
    pub gallery: Option<Saved<GallerySummary>>,
    /// Derivative keys in the resized bucket that no photo refers to any more (replaced or stale
    /// versions); deleted once the pages no longer show them.
    pub unreferenced: Vec<String>,
    /// Data keys written (album heads and chunks, the summary).
    pub written: Vec<String>,
    /// Data chunks deleted because no head names them any more.
    pub deleted: Vec<String>,
}

/// Why an album could not be updated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// Reading or writing a bucket failed, or another run kept changing the file (then the
    /// batch is retried later).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A data file exists but cannot be read (an album's is made again from its manifests; the
    /// gallery summary by a full rebuild).
    #[error("{key}: unreadable data file ({reason}); a full rebuild recreates it")]
    BadDataFile {
        /// The data file's key.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

impl From<FileError> for UpdateError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Store(e) => Self::Store(e),
            FileError::Damaged { key, reason } => Self::BadDataFile { key, reason },
        }
    }
}

/// A data file's stored bytes as `T` (`empty()` when there is no file), refusing other schemas.
fn parse<T: DataFile>(key: &str, body: Option<&[u8]>, empty: impl FnOnce() -> T) -> Result<T, UpdateError> {
    let Some(body) = body else { return Ok(empty()) };
    let bad = |reason: String| UpdateError::BadDataFile { key: key.to_owned(), reason };
    let value: T = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    if value.schema() != T::SCHEMA {
        return Err(bad(format!("schema {} is not {}", value.schema(), T::SCHEMA)));
    }
    Ok(value)
}

/// A data file's JSON.
fn to_json<T: Serialize>(key: &str, value: &T) -> Result<Bytes, UpdateError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| UpdateError::BadDataFile { key: key.to_owned(), reason: e.to_string() })
}

/// Reads a data file (`empty()` when there is none) with the ETag of the version read.
async fn load_versioned<T: DataFile>(
    web: &dyn ObjectStore,
    key: &str,
    empty: impl FnOnce() -> T,
) -> Result<Saved<T>, UpdateError> {
    let object = web.get(key, MAX_DATA_FILE).await?;
    let value = parse(key, object.as_ref().map(|o| &o.body[..]), empty)?;
    Ok(Saved { value, etag: object.map(|o| o.info.etag) })
}

/// Reads an album's data (a new, empty album when there is none).
pub async fn load_album(web: &dyn ObjectStore, album: &str) -> Result<AlbumData, UpdateError> {
    Ok(album_file::load(web, album).await?.data)
}

/// Reads the gallery summary (empty when there is none).
pub async fn load_gallery(web: &dyn ObjectStore) -> Result<GallerySummary, UpdateError> {
    Ok(load_gallery_versioned(web).await?.value)
}

/// Reads the gallery summary with the ETag of the version read.
pub async fn load_gallery_versioned(web: &dyn ObjectStore) -> Result<Saved<GallerySummary>, UpdateError> {
    load_versioned(web, GALLERY_DATA_KEY, GallerySummary::default).await
}

/// Writes a data file as JSON (`no-cache`), whatever is stored (rebuild-all).
pub(crate) async fn save_json<T: Serialize>(
    web: &dyn ObjectStore,
    key: &str,
    value: &T,
) -> Result<(), UpdateError> {
    web.put(key, to_json(key, value)?, &PutOptions::json()).await?;
    Ok(())
}

/// An album's `album.yml` (the defaults when there is none or it is too big).
pub(crate) async fn read_album_yml(
    source: &dyn ObjectStore,
    album: &str,
) -> Result<AlbumMetadata, UpdateError> {
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
    /// The album's data as stored now (saved by this run, or as read when nothing changed).
    current: Saved<AlbumData>,
    /// Whether this run saved it.
    changed: bool,
    /// Derivatives no photo refers to any more.
    unreferenced: Vec<String>,
    /// Messages older than the data.
    stale: usize,
    /// Keys written (the head and new chunks) and chunks deleted.
    written: Vec<String>,
    deleted: Vec<String>,
}

/// Applies one album's messages to its data, as it is stored when the head is written. Damaged
/// data is made again from the photos' manifests first, so no change is lost.
async fn apply_album(
    source: &dyn ObjectStore,
    resized: &dyn ObjectStore,
    web: &dyn ObjectStore,
    album: &str,
    messages: &[&SiteMessage],
) -> Result<AlbumOutcome, UpdateError> {
    let needs_yml =
        messages.iter().any(|m| matches!(m, SiteMessage::AlbumMetadataChanged { removed: false, .. }));
    let yml = if needs_yml { Some(read_album_yml(source, album).await?) } else { None };
    let key = album_data_key(album);
    let options = PutOptions::json();
    let mut update = Update::new(web, &key, READ_DATA_FILE, &options);
    let mut written = Vec::new();
    // Chunks written by attempts that lost the race for the head.
    let mut orphans: Vec<String> = Vec::new();
    loop {
        let current = update.read().await?;
        let read = album_file::read(web, album, current.body.as_deref(), current.etag.as_deref()).await;
        let (stored, mut changed) = match read {
            Ok(Some(stored)) => (stored, false),
            // A chunk went with a newer head: read that one.
            Ok(None) => continue,
            Err(FileError::Damaged { key, reason }) => {
                let damaged = UpdateError::BadDataFile { key, reason };
                tracing::error!(album, error = %damaged, "rebuilding the album's data from its manifests");
                let data = rebuild_album(source, resized, album).await?;
                (album_file::Stored { data, chunks: Vec::new() }, true)
            }
            Err(e) => return Err(e.into()),
        };
        let mut data = stored.data;
        let (mut unreferenced, mut stale) = (Vec::new(), 0);
        for m in messages {
            let before = match m {
                SiteMessage::PhotoUpserted { manifest } => data.photos.get(&manifest.source_key).cloned(),
                _ => None,
            };
            match apply(&mut data, m, yml.clone()) {
                Applied::Changed => changed = true,
                Applied::Unchanged => {}
                Applied::Stale => stale += 1,
            }
            if let SiteMessage::PhotoUpserted { manifest } = m {
                let after = data.photos.get(&manifest.source_key);
                unreferenced.extend(unreferenced_derivatives(before.as_ref(), manifest, after));
            }
        }
        if !changed {
            let deleted = album_file::delete_retired_chunks(web, album, &orphans, &stored.chunks).await;
            let current = Saved { value: data, etag: current.etag };
            return Ok(AlbumOutcome { current, changed, unreferenced, stale, written, deleted });
        }
        data.revision += 1;
        let encoded = album_file::encode(&data)?;
        let new = album_file::write_new_chunks(web, album, &encoded, &stored.chunks).await?;
        let etag = match update.write(encoded.head.clone()).await? {
            Written::Conflict => {
                orphans.extend(new.iter().map(|c| c.hash.clone()));
                written.extend(new.into_iter().map(|c| c.key));
                continue;
            }
            Written::Stored(etag) => {
                written.push(key.clone());
                Some(etag)
            }
            Written::Unchanged => current.etag,
        };
        written.extend(new.into_iter().map(|c| c.key));
        // Retired: what the replaced head named and this one does not, and what lost attempts
        // wrote that neither names (the head read names what the other run wrote).
        let hashes = encoded.hashes();
        let keep: Vec<String> = hashes.iter().chain(&stored.chunks).cloned().collect();
        let mut deleted = album_file::delete_retired_chunks(web, album, &stored.chunks, &hashes).await;
        deleted.extend(album_file::delete_retired_chunks(web, album, &orphans, &keep).await);
        let current = Saved { value: data, etag };
        return Ok(AlbumOutcome { current, changed: true, unreferenced, stale, written, deleted });
    }
}

/// Records the touched albums in the gallery summary, as it is stored when the write happens.
/// An album's entry only ever moves to a newer revision. Also returns whether the summary
/// changed and the albums whose title in it changed (appearing or leaving counts).
async fn update_gallery(
    web: &dyn ObjectStore,
    touched: &[Saved<AlbumData>],
) -> Result<(Saved<GallerySummary>, bool, Vec<String>), UpdateError> {
    let options = PutOptions::json();
    let mut update = Update::new(web, GALLERY_DATA_KEY, READ_DATA_FILE, &options);
    loop {
        let current = update.read().await?;
        let mut gallery = parse(GALLERY_DATA_KEY, current.body.as_deref(), GallerySummary::default)?;
        let title = |g: &GallerySummary, album: &str| g.albums.get(album).map(|s| s.title.clone());
        let before: Vec<Option<String>> = touched.iter().map(|d| title(&gallery, &d.value.album)).collect();
        let mut gallery_changed = false;
        for data in touched {
            gallery_changed |= gallery.update(&data.value);
        }
        let retitled: Vec<String> = touched
            .iter()
            .zip(before)
            .filter(|(d, before)| title(&gallery, &d.value.album) != *before)
            .map(|(d, _)| d.value.album.clone())
            .collect();
        if !gallery_changed {
            return Ok((Saved { value: gallery, etag: current.etag }, false, retitled));
        }
        match update.write(to_json(GALLERY_DATA_KEY, &gallery)?).await? {
            Written::Conflict => continue,
            Written::Stored(etag) => return Ok((Saved { value: gallery, etag: Some(etag) }, true, retitled)),
            Written::Unchanged => return Ok((Saved { value: gallery, etag: current.etag }, false, retitled)),
        }
    }
}

/// Applies `messages` (grouped by album, in order) to the data files in `web`, reading
/// `album.yml` files from `source` when they changed (and manifests from `resized` to remake a
/// damaged data file).
pub async fn apply_batch(
    source: &dyn ObjectStore,
    resized: &dyn ObjectStore,
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
        match apply_album(source, resized, web, album, &messages).await {
            Ok(outcome) => {
                report.stale += outcome.stale;
                report.unreferenced.extend(outcome.unreferenced);
                report.written.extend(outcome.written);
                report.deleted.extend(outcome.deleted);
                if outcome.changed {
                    report.changed.push(album.to_owned());
                } else {
                    report.unchanged.push(album.to_owned());
                }
                report.touched_data.push(outcome.current);
            }
            Err(e) => {
                tracing::error!(album, error = %e, "album update failed");
                report.failed.push((album.to_owned(), e.to_string()));
            }
        }
    }
    // Unchanged albums count too: a replay may follow a try that saved an album's data and
    // then failed before the summary or the pages were written.
    if !report.touched_data.is_empty() {
        let (gallery, changed, retitled) = update_gallery(web, &report.touched_data).await?;
        report.gallery_changed = changed;
        if changed {
            report.written.push(GALLERY_DATA_KEY.to_owned());
        }
        // What an earlier try of an unchanged album did is unknown: its sub-albums too.
        report.retitled = retitled.into_iter().chain(report.unchanged.iter().cloned()).collect();
        report.gallery = Some(gallery);
    }
    Ok(report)
}
