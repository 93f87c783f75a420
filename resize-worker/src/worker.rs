//! The worker's core: one S3 change in, derivatives, manifests and site messages out.
//!
//! Delivery is at least once and unordered, so every step is idempotent and stale events are
//! recognised: by S3's `sequencer` where the event has one, by the ETag in the stored manifest,
//! and by looking at the source object itself.

use crate::error::ResizeError;
use crate::motion_photo::motion_video;
use crate::pipeline::{resize_photo, ResizedPhoto};
use crate::publish::{publish, PhotoSource};
use bytes::Bytes;
use shared::{
    clear_failure, decode_sqs_body, record_failure, ChangeKind, EventError, Limits, Object, ObjectStore,
    QueueError, S3Change, SiteQueue, StoreError, VideoQueue,
};
use shoebox_core::keys::{classify_source_key, manifest_key};
use shoebox_core::{FailureKind, Ignored, PhotoManifest, Sequencer, SiteMessage, SourceObject};
use std::sync::Arc;

/// What handling one change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New derivatives and manifest were written and announced.
    Resized {
        /// How many derivatives were written.
        derivatives: usize,
    },
    /// The stored manifest already matches this version; nothing was resized (it was announced
    /// again, so a retry after a failed send still reaches the site).
    AlreadyCurrent,
    /// An older event than the one already applied; nothing done.
    Stale,
    /// The object was deleted before it could be read; its deletion event will clean up.
    SourceGone,
    /// A deleted photo's derivatives and manifest were removed and the removal announced.
    Removed,
    /// A Motion Photo's still was resized and shown, but its clip cannot be: why.
    ResizedWithoutMotion {
        /// How many derivatives were written.
        derivatives: usize,
        /// What is wrong with the clip.
        reason: String,
    },
    /// An `album.yml` change was forwarded to the site builder.
    AlbumMetadataForwarded,
    /// A video's (or a Motion Photo's) change was sent to the video worker's queue.
    VideoForwarded,
    /// A video left alone: no video worker here (locally: no ffmpeg). It is done once there is.
    VideoWaiting,
    /// A key Shoebox ignores (hidden, not a photo, …), and why.
    Ignored(Ignored),
    /// The photo cannot be shown (its content is at fault, so retrying cannot help): the reason
    /// was recorded for `shoebox status`, and the message is done.
    Recorded {
        /// The reason, as recorded.
        reason: String,
    },
}

/// Why a change could not be handled. Permanent failures of a photo become
/// [`Outcome::Recorded`]; whatever reaches the caller is retried.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkerError {
    /// The SQS body is not a usable S3 event.
    #[error(transparent)]
    Event(#[from] EventError),
    /// An event from a bucket this worker does not serve.
    #[error("event for s3://{got}/…, but this worker serves s3://{expected}")]
    WrongBucket {
        /// The event's bucket.
        got: String,
        /// The configured source bucket.
        expected: String,
    },
    /// The photo's content cannot be resized.
    #[error("{key}: {source}")]
    Photo {
        /// The source key.
        key: String,
        /// What is wrong with it.
        #[source]
        source: ResizeError,
    },
    /// The video cannot be made playable (its content is at fault).
    #[error("{key}: {reason}")]
    Video {
        /// The source key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The worker's own scratch space failed (a full disk): another try may pass.
    #[error("{key}: scratch space: {source}")]
    Scratch {
        /// The source key.
        key: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The source object is larger than allowed.
    #[error("{key}: {size} bytes is over the limit of {limit} bytes (MAX_SOURCE_BYTES)")]
    SourceTooLarge {
        /// The source key.
        key: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Reading or writing a bucket failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Telling the site builder failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// The resize task stopped unexpectedly.
    #[error("{key}: resize task failed: {message}")]
    Task {
        /// The source key.
        key: String,
        /// The join error.
        message: String,
    },
}

impl WorkerError {
    /// Whether retrying may help.
    pub fn kind(&self) -> FailureKind {
        match self {
            WorkerError::Photo { .. } | WorkerError::Video { .. } | WorkerError::SourceTooLarge { .. } => {
                FailureKind::Permanent
            }
            WorkerError::Store(e) => e.kind(),
            WorkerError::Queue(_) | WorkerError::Scratch { .. } => FailureKind::Transient,
            // No key to record it under (a body that is not an S3 event, a misrouted event) or
            // no telling (a panic): kept in the dead-letter queue after the retries.
            WorkerError::Event(_) | WorkerError::WrongBucket { .. } | WorkerError::Task { .. } => {
                FailureKind::Unknown
            }
        }
    }
}

/// The resize worker: stores, queue and limits, shared by every invocation of a process.
#[derive(Clone)]
pub struct Worker {
    source_bucket: String,
    source: Arc<dyn ObjectStore>,
    resized: Arc<dyn ObjectStore>,
    queue: Arc<dyn SiteQueue>,
    videos: Option<Arc<dyn VideoQueue>>,
    limits: Limits,
}

/// A created photo's source object, or why there is nothing to do ([`Worker::fetch`]).
#[derive(Debug)]
pub enum Fetched {
    /// Nothing to do: stale, already current, or gone.
    Done(Outcome),
    /// The object to resize.
    Object(Object),
}

/// Whether a created object still needs work, after [`Worker::settled`] looked at its manifest.
#[derive(Debug)]
pub enum Settled {
    /// Nothing to do: stale, or already current (and announced again).
    Done(Outcome),
    /// To do; the manifest stored for an earlier version, if any.
    Pending(Option<Box<PhotoManifest>>),
}

fn is_older(event: Option<&Sequencer>, stored: Option<&Sequencer>) -> bool {
    matches!((event, stored), (Some(e), Some(s)) if e < s)
}

impl Worker {
    /// A worker for events of `source_bucket`, reading from `source` and writing to `resized`.
    pub fn new(
        source_bucket: impl Into<String>,
        source: Arc<dyn ObjectStore>,
        resized: Arc<dyn ObjectStore>,
        queue: Arc<dyn SiteQueue>,
        limits: Limits,
    ) -> Self {
        Self { source_bucket: source_bucket.into(), source, resized, queue, videos: None, limits }
    }

    /// This worker with the video worker's queue: video changes are sent there.
    pub fn with_videos(mut self, videos: Arc<dyn VideoQueue>) -> Self {
        self.videos = Some(videos);
        self
    }

    /// The source store (where the photos and videos are).
    pub fn source(&self) -> &dyn ObjectStore {
        self.source.as_ref()
    }

    /// The resized store (derivatives, web videos, manifests).
    pub fn resized(&self) -> &dyn ObjectStore {
        self.resized.as_ref()
    }

    /// The limits on what is accepted.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Refuses a change from another bucket than the one this worker serves.
    pub fn check_bucket(&self, change: &S3Change) -> Result<(), WorkerError> {
        if change.bucket != self.source_bucket {
            return Err(WorkerError::WrongBucket {
                got: change.bucket.clone(),
                expected: self.source_bucket.clone(),
            });
        }
        Ok(())
    }

    /// Handles every change in one SQS message body, in order.
    pub async fn handle_body(&self, body: &str) -> Result<Vec<Outcome>, WorkerError> {
        let mut outcomes = Vec::new();
        for change in decode_sqs_body(body)? {
            outcomes.push(self.handle_change(&change).await?);
        }
        Ok(outcomes)
    }

    /// Handles one object change.
    pub async fn handle_change(&self, change: &S3Change) -> Result<Outcome, WorkerError> {
        self.check_bucket(change)?;
        let outcome = match classify_source_key(&change.key) {
            SourceObject::Ignored(reason) => Outcome::Ignored(reason),
            SourceObject::AlbumMetadata { album } => {
                let removed = change.kind == ChangeKind::Removed;
                let sequencer = change.sequencer.clone();
                self.queue.send(&[SiteMessage::AlbumMetadataChanged { album, removed, sequencer }]).await?;
                Outcome::AlbumMetadataForwarded
            }
            SourceObject::Photo { album, stem, extension } => {
                let handled = match change.kind {
                    ChangeKind::Created => self.photo_created(change, &album, &stem, &extension).await,
                    ChangeKind::Removed => self.photo_removed(change, &album).await,
                };
                self.keep_record(change, handled).await?
            }
            SourceObject::Video { .. } => match &self.videos {
                Some(videos) => {
                    videos.send(change).await?;
                    Outcome::VideoForwarded
                }
                None => Outcome::VideoWaiting,
            },
        };
        tracing::info!(key = %change.key, kind = ?change.kind, outcome = ?outcome, "handled");
        Ok(outcome)
    }

    /// Keeps the photo's failure record true: written for a permanent failure (which is then
    /// done with), removed once the photo is resized, current or deleted.
    pub async fn keep_record(
        &self,
        change: &S3Change,
        handled: Result<Outcome, WorkerError>,
    ) -> Result<Outcome, WorkerError> {
        let key = change.key.as_str();
        match handled {
            Err(e) if e.kind() == FailureKind::Permanent => {
                let reason = match &e {
                    WorkerError::Photo { source, .. } => source.to_string(),
                    WorkerError::Video { reason, .. } => reason.clone(),
                    other => other.to_string(),
                };
                let etag = change.etag.as_deref().unwrap_or_default();
                record_failure(self.resized.as_ref(), key, etag, &reason).await?;
                tracing::error!(key, reason, "the photo cannot be shown; recorded for `shoebox status`");
                Ok(Outcome::Recorded { reason })
            }
            Err(e) => Err(e),
            Ok(outcome @ (Outcome::Stale | Outcome::SourceGone | Outcome::VideoWaiting)) => Ok(outcome),
            Ok(outcome) => {
                clear_failure(self.resized.as_ref(), key).await?;
                Ok(outcome)
            }
        }
    }

    /// The stored manifest of `key`; an unreadable one counts as absent (it is rewritten).
    async fn stored_manifest(&self, key: &str) -> Result<Option<PhotoManifest>, WorkerError> {
        let Some(object) = self.resized.get(&manifest_key(key), 16 << 20).await? else { return Ok(None) };
        match PhotoManifest::from_json(&object.body) {
            Ok(m) => Ok(Some(m)),
            Err(e) => {
                tracing::warn!(key, error = %e, "stored manifest is unreadable; treating the photo as new");
                Ok(None)
            }
        }
    }

    /// Tells the site builder about a photo's (or video's) current version.
    pub async fn announce(&self, manifest: PhotoManifest) -> Result<(), WorkerError> {
        Ok(self.queue.send(&[SiteMessage::PhotoUpserted { manifest: Box::new(manifest) }]).await?)
    }

    async fn photo_created(
        &self,
        change: &S3Change,
        album: &str,
        stem: &str,
        extension: &str,
    ) -> Result<Outcome, WorkerError> {
        let object = match self.fetch(change).await? {
            Fetched::Done(outcome) => return Ok(outcome),
            Fetched::Object(object) => object,
        };
        // An Android Motion Photo: the video worker makes the still and its motion together.
        if let Some(videos) = self.videos.as_ref().filter(|_| motion_video(&object.body).is_some()) {
            videos.send(change).await?;
            return Ok(Outcome::VideoForwarded);
        }
        self.resize_and_publish(change, album, stem, extension, object).await
    }

    /// The source object of a created photo, unless its stored manifest says there is nothing to
    /// do (stale, already current) or it is gone.
    pub async fn fetch(&self, change: &S3Change) -> Result<Fetched, WorkerError> {
        let key = change.key.as_str();
        let existing = match self.settled(change).await? {
            Settled::Done(outcome) => return Ok(Fetched::Done(outcome)),
            Settled::Pending(existing) => existing,
        };
        let object = match self.source.get(key, self.limits.max_source_bytes).await {
            Ok(Some(object)) => object,
            Ok(None) => return Ok(Fetched::Done(Outcome::SourceGone)),
            Err(StoreError::TooLarge { key, size, limit }) => {
                return Err(WorkerError::SourceTooLarge { key, size, limit })
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(done) = self.current(existing.as_deref(), &object.info.etag).await? {
            return Ok(Fetched::Done(done));
        }
        Ok(Fetched::Object(object))
    }

    /// Makes a photo's derivatives, off the async workers (decoding and resizing are CPU-bound).
    pub async fn resize(&self, key: &str, body: Bytes, extension: &str) -> Result<ResizedPhoto, WorkerError> {
        let (ext, limits) = (extension.to_owned(), self.limits);
        tokio::task::spawn_blocking(move || resize_photo(&body, &ext, &limits))
            .await
            .map_err(|e| WorkerError::Task { key: key.to_owned(), message: e.to_string() })?
            .map_err(|source| WorkerError::Photo { key: key.to_owned(), source })
    }

    /// Resizes a fetched photo, writes its derivatives and manifest, and announces it.
    pub async fn resize_and_publish(
        &self,
        change: &S3Change,
        album: &str,
        stem: &str,
        extension: &str,
        object: Object,
    ) -> Result<Outcome, WorkerError> {
        let resized = self.resize(&change.key, object.body.clone(), extension).await?;
        let source = PhotoSource::of(change, album, stem, &object.info);
        let manifest = publish(self.resized.as_ref(), &source, resized).await?;
        let derivatives = manifest.derivatives.len();
        self.announce(manifest).await?;

        // The previous version's derivatives stay: pages still show them until the site builder
        // has re-rendered, and it deletes them then (site_builder::update_site).
        Ok(Outcome::Resized { derivatives })
    }

    /// Whether a created object still needs work, by its stored manifest: an older event is
    /// stale, an ETag that is already resized is current (and announced again, so a retry after
    /// a failed send still reaches the site).
    pub async fn settled(&self, change: &S3Change) -> Result<Settled, WorkerError> {
        let existing = self.stored_manifest(&change.key).await?;
        if let Some(m) = &existing {
            if is_older(change.sequencer.as_ref(), m.sequencer.as_ref()) {
                return Ok(Settled::Done(Outcome::Stale));
            }
            if let Some(done) = self.current(Some(m), change.etag.as_deref().unwrap_or_default()).await? {
                return Ok(Settled::Done(done));
            }
        }
        Ok(Settled::Pending(existing.map(Box::new)))
    }

    /// [`Outcome::AlreadyCurrent`] (announced again) when `existing` was made from `etag`.
    pub async fn current(
        &self,
        existing: Option<&PhotoManifest>,
        etag: &str,
    ) -> Result<Option<Outcome>, WorkerError> {
        match existing.filter(|m| m.etag == etag) {
            Some(m) => {
                self.announce(m.clone()).await?;
                Ok(Some(Outcome::AlreadyCurrent))
            }
            None => Ok(None),
        }
    }

    /// Removes a deleted photo's (or video's) derivatives and manifest and announces it.
    pub async fn photo_removed(&self, change: &S3Change, album: &str) -> Result<Outcome, WorkerError> {
        let key = change.key.as_str();
        let existing = self.stored_manifest(key).await?;
        if let Some(m) = &existing {
            if is_older(change.sequencer.as_ref(), m.sequencer.as_ref()) {
                return Ok(Outcome::Stale);
            }
        }
        // Without sequencers (some emulators) a re-upload can overtake its deletion: the photo is
        // there again, so this deletion is stale; the creation event owns the photo now.
        if self.source.head(key).await?.is_some() {
            return Ok(Outcome::Stale);
        }
        // Derivatives first and the manifest last: a retry after a failure finds the manifest.
        if let Some(m) = &existing {
            for key in m.stored_keys() {
                self.resized.delete(key).await?;
            }
        }
        self.resized.delete(&manifest_key(key)).await?;
        let message = SiteMessage::PhotoRemoved {
            source_key: key.to_owned(),
            album: album.to_owned(),
            sequencer: change.sequencer.clone(),
        };
        self.queue.send(&[message]).await?;
        Ok(Outcome::Removed)
    }
}
