//! The resize worker: turns an uploaded photo into upright, colour-managed JPEG derivatives and a
//! [`shared::PhotoManifest`], then tells the site builder.
//!
//! - [`pipeline::resize_photo`]: bytes in, [`pipeline::ResizedPhoto`] out (pure computation:
//!   [`format`] sniffing, [`decode`] (with [`jpeg_turbo`], [`heif`], [`avif`], [`tiff`], [`png`], [`box_shrink`] and [`colour`]), [`metadata`] and
//!   [`orientation`], [`pixels`], encoding).
//! - [`publish::publish`]: writes derivatives, then the manifest, to an object store.
//! - [`worker::Worker`]: one S3 change in, effects out; idempotent, recognises stale events.
//! - [`lambda::handle_batch`]: the SQS batch adapter with partial batch failures.

pub mod avif;
pub mod box_shrink;
pub mod colour;
pub mod decode;
pub mod error;
pub mod format;
pub mod heif;
pub mod jpeg_turbo;
pub mod lambda;
pub mod metadata;
pub mod orientation;
pub mod pipeline;
pub mod pixels;
pub mod png;
pub mod publish;
pub mod sample;
pub mod tiff;
pub mod worker;

pub use error::ResizeError;
pub use pipeline::{resize_photo, EncodedJpeg, ResizedPhoto, DERIVATIVE_LONG_EDGES};
pub use publish::{publish, PhotoSource};
pub use worker::{Outcome, Worker, WorkerError};
