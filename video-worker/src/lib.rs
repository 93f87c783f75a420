//! The video worker: what phones record, made playable in every browser.
//!
//! - [`probe`]: what a video is (codecs, bit depth, rotation, duration, capture time, the Live
//!   Photo content identifier), read from its MP4/QuickTime boxes in Rust; [`matroska`] for
//!   WebM.
//! - [`motion_photo`]: the MP4 an Android Motion Photo carries after its JPEG.
//! - [`plan`]: what to make of it: a remux when it already is a web MP4, else a transcode to
//!   H.264 8-bit 4:2:0 with AAC and the rotation baked in, or a refusal naming the reason.
//! - [`ffmpeg`]: running ffmpeg (`SHOEBOX_FFMPEG` or `ffmpeg` on `PATH`) for a plan, killed
//!   when it runs past its time.
//! - [`VideoWorker`]: one S3 change of a video in; poster derivatives, web MP4 and manifest out.

pub mod ffmpeg;
/// Android Motion Photos (the module lives with the photo it is in: `resize_worker`).
pub use resize_worker::motion_photo;
pub mod matroska;
pub mod plan;
pub mod probe;
mod worker;

pub use ffmpeg::{Ffmpeg, FfmpegError};
pub use plan::{plan, Plan, Refusal, WebVideo};
pub use probe::{probe, ProbeError, VideoCodec, VideoInfo, VideoTrack};
pub use worker::{transcode_limit_ms, VideoWorker};
