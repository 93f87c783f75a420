//! The video worker's core: one S3 change of a video in; a poster (through the photo pipeline), a
//! web MP4 and a manifest out, announced to the site builder like a photo's.
//!
//! It wraps the resize worker ([`resize_worker::Worker`]) for everything a video shares with a
//! photo: the stores, stale and current versions, removals, failure records and announcements.
//! The source is copied to scratch space (never held in memory), probed in Rust, planned, and
//! handed to ffmpeg, which is killed past its time.

use crate::ffmpeg::{Ffmpeg, FfmpegError};
use crate::plan::{plan, Plan, MAX_DURATION_MS};
use crate::probe::{probe, VideoInfo};
use resize_worker::motion_photo::motion_video;
use resize_worker::{
    manifest_for, publish_manifest, Fetched, Outcome, PhotoSource, Settled, Worker, WorkerError,
};
use shared::{decode_sqs_body, ChangeKind, PutOptions, S3Change, StoreError};
use shoebox_core::keys::{classify_source_key, derivative_dir, web_video_key};
use shoebox_core::{Derivative, SourceObject, VideoSummary};
use std::path::{Path, PathBuf};

/// The video worker: the photo worker it builds on, ffmpeg (none: videos wait), scratch space.
#[derive(Clone)]
pub struct VideoWorker {
    photos: Worker,
    ffmpeg: Option<Ffmpeg>,
    scratch: PathBuf,
    max_transcode_ms: u64,
}

impl VideoWorker {
    /// A video worker over `photos`' stores and queue. Without `ffmpeg`, created videos are left
    /// waiting ([`Outcome::VideoWaiting`]); deletions are still applied.
    pub fn new(photos: Worker, ffmpeg: Option<Ffmpeg>, scratch: impl Into<PathBuf>) -> Self {
        Self { photos, ffmpeg, scratch: scratch.into(), max_transcode_ms: MAX_DURATION_MS }
    }

    /// The longest clip this worker transcodes (one Lambda invocation's worth of encoding);
    /// longer ones are recorded as not shown, with the reason, instead of timing out again and
    /// again. Remuxes are not limited: they copy.
    pub fn with_max_transcode_ms(mut self, max: u64) -> Self {
        self.max_transcode_ms = max.min(MAX_DURATION_MS);
        self
    }

    /// Handles every change in one SQS message body, in order.
    pub async fn handle_body(&self, body: &str) -> Result<Vec<Outcome>, WorkerError> {
        let mut outcomes = Vec::new();
        for change in decode_sqs_body(body)? {
            outcomes.push(self.handle_change(&change).await?);
        }
        Ok(outcomes)
    }

    /// Handles one change: a video, or a created photo that may be a Motion Photo (with ffmpeg);
    /// anything else goes to the photo worker.
    pub async fn handle_change(&self, change: &S3Change) -> Result<Outcome, WorkerError> {
        self.photos.check_bucket(change)?;
        let handled = match (classify_source_key(&change.key), change.kind) {
            (SourceObject::Video { album, stem, .. }, ChangeKind::Created) => {
                self.created(change, &album, &stem).await
            }
            (SourceObject::Video { album, .. }, ChangeKind::Removed) => {
                self.photos.photo_removed(change, &album).await
            }
            (SourceObject::Photo { album, stem, extension }, ChangeKind::Created)
                if self.ffmpeg.is_some() =>
            {
                self.photo_created(change, &album, &stem, &extension).await
            }
            _ => return self.photos.handle_change(change).await,
        };
        let outcome = self.photos.keep_record(change, handled).await?;
        tracing::info!(key = %change.key, kind = ?change.kind, outcome = ?outcome, "handled");
        Ok(outcome)
    }

    async fn created(&self, change: &S3Change, album: &str, stem: &str) -> Result<Outcome, WorkerError> {
        let Some(ffmpeg) = &self.ffmpeg else { return Ok(Outcome::VideoWaiting) };
        let existing = match self.photos.settled(change).await? {
            Settled::Done(outcome) => return Ok(outcome),
            Settled::Pending(existing) => existing,
        };
        let key = change.key.as_str();
        let dir = self.scratch_dir(key)?;
        let source_path = dir.path().join("source");
        let limit = self.photos.limits().max_video_bytes;
        let info = match self.photos.source().get_to_file(key, &source_path, limit).await {
            Ok(Some(info)) => info,
            Ok(None) => return Ok(Outcome::SourceGone),
            Err(StoreError::TooLarge { key, size, limit }) => {
                return Err(WorkerError::SourceTooLarge { key, size, limit })
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(done) = self.photos.current(existing.as_deref(), &info.etag).await? {
            return Ok(done);
        }

        let video = probe_file(&source_path).await.map_err(|reason| refused(key, reason))?;
        let plan = plan(&video).map_err(|r| refused(key, format!("not shown: {r}")))?;
        let frames = video.video.as_ref().map_or((0, 0), |v| (v.width, v.height));
        let longest = transcode_limit_ms(self.max_transcode_ms, frames);
        if matches!(plan, Plan::Transcode(_)) && video.duration_ms > longest {
            return Err(refused(
                key,
                format!(
                    "not shown: it lasts {} s and needs encoding, but one run encodes at most {} s of \
                     {}×{} video (MAX_TRANSCODE_SECONDS, for 1080p); trim it or upload an H.264 MP4 of it",
                    video.duration_ms / 1000,
                    longest / 1000,
                    frames.0,
                    frames.1
                ),
            ));
        }
        let (web_path, poster_path) = (dir.path().join("web.mp4"), dir.path().join("poster.jpg"));
        let failed = |e: FfmpegError| match e {
            FfmpegError::Io(source) => WorkerError::Scratch { key: key.to_owned(), source },
            other => refused(key, other.to_string()),
        };
        ffmpeg.poster(&source_path, &poster_path, video.duration_ms).await.map_err(failed)?;
        ffmpeg.web_mp4(&source_path, &web_path, &plan).await.map_err(failed)?;

        let poster = tokio::fs::read(&poster_path).await.map_err(|e| scratch(key, e))?;
        let resized = self.photos.resize(key, poster.into(), "jpg").await?;
        let source = PhotoSource::of(change, album, stem, &info);
        let mut manifest = manifest_for(&source, &resized);
        manifest.video = Some(self.put_web_copy(&source, &web_path, &video, &plan, false).await?);
        manifest.exif.captured_at = video.created_at.clone();
        publish_manifest(self.photos.resized(), &manifest, resized.derivatives).await?;
        let derivatives = manifest.stored_keys().count();
        self.photos.announce(manifest).await?;
        Ok(Outcome::Resized { derivatives })
    }

    /// A photo, with its motion when it is an Android Motion Photo. The still is shown even when
    /// its motion cannot be ([`Outcome::ResizedWithoutMotion`] says why).
    async fn photo_created(
        &self,
        change: &S3Change,
        album: &str,
        stem: &str,
        extension: &str,
    ) -> Result<Outcome, WorkerError> {
        let object = match self.photos.fetch(change).await? {
            Fetched::Done(outcome) => return Ok(outcome),
            Fetched::Object(object) => object,
        };
        let (Some(ffmpeg), Some(range)) = (&self.ffmpeg, motion_video(&object.body)) else {
            return self.photos.resize_and_publish(change, album, stem, extension, object).await;
        };
        let key = change.key.as_str();
        let still = self.photos.resize(key, object.body.clone(), extension).await?;
        let source = PhotoSource::of(change, album, stem, &object.info);
        let mut manifest = manifest_for(&source, &still);
        let dir = self.scratch_dir(key)?;
        let (clip_path, web_path) = (dir.path().join("motion.mp4"), dir.path().join("web.mp4"));
        tokio::fs::write(&clip_path, &object.body[range]).await.map_err(|e| scratch(key, e))?;
        let lost = match motion_copy(ffmpeg, &clip_path, &web_path).await {
            Ok((video, plan)) => {
                manifest.video = Some(self.put_web_copy(&source, &web_path, &video, &plan, true).await?);
                None
            }
            Err(reason) => Some(reason),
        };
        publish_manifest(self.photos.resized(), &manifest, still.derivatives).await?;
        let derivatives = manifest.stored_keys().count();
        self.photos.announce(manifest).await?;
        Ok(match lost {
            None => Outcome::Resized { derivatives },
            Some(reason) => Outcome::ResizedWithoutMotion { derivatives, reason },
        })
    }

    /// A fresh scratch folder for one file's work, removed when dropped.
    fn scratch_dir(&self, key: &str) -> Result<tempfile::TempDir, WorkerError> {
        std::fs::create_dir_all(&self.scratch).map_err(|e| scratch(key, e))?;
        tempfile::tempdir_in(&self.scratch).map_err(|e| scratch(key, e))
    }

    /// Writes the web copy at `web_path` beside the derivatives of `source` (before the manifest
    /// that will name it) and says what it is.
    async fn put_web_copy(
        &self,
        source: &PhotoSource<'_>,
        web_path: &Path,
        video: &VideoInfo,
        plan: &Plan,
        motion: bool,
    ) -> Result<VideoSummary, WorkerError> {
        let key = source.key;
        let (width, height) = match plan {
            Plan::Transcode(web) => (web.width, web.height),
            Plan::Remux => video.video.as_ref().map_or((0, 0), |v| v.display_size()),
        };
        let web_key = web_video_key(&derivative_dir(source.album, source.stem, source.etag, key));
        let bytes = tokio::fs::metadata(web_path).await.map_err(|e| scratch(key, e))?.len();
        self.photos.resized().put_file(&web_key, web_path, &PutOptions::immutable("video/mp4")).await?;
        Ok(VideoSummary {
            duration_ms: video.duration_ms,
            web: Derivative { width, height, key: web_key, bytes },
            remuxed: *plan == Plan::Remux,
            audio: video.audio.is_some(),
            content_identifier: if motion { None } else { video.content_identifier.clone() },
            motion,
        })
    }
}

/// The worker's own scratch space failed: another try may pass.
fn scratch(key: &str, source: std::io::Error) -> WorkerError {
    WorkerError::Scratch { key: key.to_owned(), source }
}

/// Probes a Motion Photo's clip and makes its web copy.
async fn motion_copy(ffmpeg: &Ffmpeg, clip: &Path, web: &Path) -> Result<(VideoInfo, Plan), String> {
    let video = probe_file(clip).await?;
    let plan = plan(&video).map_err(|r| r.to_string())?;
    ffmpeg.web_mp4(clip, web, &plan).await.map_err(|e| e.to_string())?;
    Ok((video, plan))
}

/// The longest clip of `frames` (coded width × height) one run encodes, given the limit for
/// 1080p. Decoding and scaling grow with the source's pixels to the power 0.75: a 2160p source
/// measured 2.85× the CPU of a 1080p one per second (docs/performance.md), and 4^0.75 = 2.83.
pub fn transcode_limit_ms(max_at_1080p_ms: u64, (width, height): (u32, u32)) -> u64 {
    let pixels = f64::from(width) * f64::from(height) / (1920.0 * 1080.0);
    (max_at_1080p_ms as f64 / pixels.powf(0.75).max(1.0)) as u64
}

/// A video's content at fault: recorded, not retried.
fn refused(key: &str, reason: String) -> WorkerError {
    WorkerError::Video { key: key.to_owned(), reason }
}

/// Probes the file at `path` off the async workers.
async fn probe_file(path: &Path) -> Result<VideoInfo, String> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path).map_err(|e| format!("cannot open the scratch copy: {e}"))?;
        probe(std::io::BufReader::new(file)).map_err(|e| format!("not a video Shoebox can read: {e}"))
    })
    .await
    .map_err(|e| format!("the probe stopped: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn larger_frames_get_a_shorter_limit_smaller_ones_the_1080p_limit() {
        assert_eq!(transcode_limit_ms(1_200_000, (1920, 1080)), 1_200_000);
        assert_eq!(transcode_limit_ms(1_200_000, (1080, 1920)), 1_200_000, "portrait alike");
        assert_eq!(transcode_limit_ms(1_200_000, (640, 360)), 1_200_000, "never longer than the limit");
        assert_eq!(transcode_limit_ms(1_200_000, (3840, 2160)), 424_264);
        assert_eq!(transcode_limit_ms(1_200_000, (0, 0)), 1_200_000);
    }
}
