//! The resize worker: turns an uploaded photo into upright, colour-managed JPEG derivatives and a
//! [`shoebox_core::PhotoManifest`], then tells the site builder.
//!
//! - [`resize_photo`]: bytes in, [`ResizedPhoto`] out (pure computation): [`decode`] (sniffing,
//!   limits and one module per format), EXIF, the orientation decided once for every format
//!   ([`orientation`]), [`pixels`] (resize, orient), encoding through [`jpeg_turbo`], ThumbHash.
//! - [`publish`]: writes derivatives, then the manifest, to an object store.
//! - [`Worker`]: one S3 change in, effects out; idempotent, recognises stale events. A video, or
//!   an Android Motion Photo ([`motion_photo`]), goes to the video worker's queue.
//! - [`lambda::handle_batch`]: the SQS batch adapter with partial batch failures.

pub mod decode;
mod error;
pub mod jpeg_turbo;
pub mod lambda;
mod metadata;
pub mod motion_photo;
pub mod orientation;
mod pipeline;
pub mod pixels;
mod publish;
mod worker;

pub use error::ResizeError;
pub use pipeline::{
    encode_jpeg, plan, resize_photo, EncodedJpeg, ResizedPhoto, DERIVATIVE_LONG_EDGES, JPEG_QUALITY,
};
pub use publish::{manifest_for, publish, publish_manifest, PhotoSource};
pub use worker::{Fetched, Outcome, Settled, Worker, WorkerError};
