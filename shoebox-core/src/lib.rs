//! Shoebox's pure core: what every part must agree on, written once. No I/O, no async runtime,
//! no AWS SDK, so the edge function (wasm32), both Lambdas and the `shoebox` CLI all build on it.
//!
//! - [`keys`]: every key and URL scheme (albums, derivatives, originals, manifests, data files,
//!   assets, the sign-in paths, the CloudFront path patterns and policy resources) and the
//!   canonical percent-encoding.
//! - [`formats`]: [`PhotoFormat`], the one table of photo formats and their extensions.
//! - [`sequencer`]: [`Sequencer`], S3's per-key event order.
//! - [`manifest`]: the [`PhotoManifest`] the resize worker writes for each photo.
//! - [`message`]: the [`SiteMessage`] the resize worker sends to the site builder.
//! - [`failure`]: [`FailureKind`] and the [`FailureRecord`] of a photo that cannot be shown.
//! - [`signin`]: the sign-in pages the edge answers with and the site builder publishes.
//! - [`time`]: [`UtcTime`], seconds since 1970 as a UTC date and time.

pub mod failure;
pub mod formats;
pub mod keys;
pub mod manifest;
pub mod message;
pub mod sequencer;
pub mod signin;
pub mod time;

pub use failure::{FailureKind, FailureRecord, FAILURE_SCHEMA};
pub use formats::PhotoFormat;
pub use keys::{Ignored, SourceKeyError, SourceObject};
pub use manifest::{Derivative, ExifSummary, ManifestError, PhotoManifest, VideoSummary, MANIFEST_SCHEMA};
pub use message::SiteMessage;
pub use sequencer::Sequencer;
pub use time::UtcTime;
