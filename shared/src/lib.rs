//! Shoebox's common core: everything two crates must agree on lives here, once.
//!
//! - [`keys`]: every key scheme (source photos and album metadata, resized derivatives,
//!   manifests, web pages).
//! - [`s3_event`]: decoding S3 event notifications out of SQS message bodies.
//! - [`manifest`]: the [`PhotoManifest`] the resize worker writes for each photo.
//! - [`message`]: the [`SiteMessage`] the resize worker sends to the site builder.
//! - [`store`]: the [`ObjectStore`] trait with S3 ([`S3Store`]), folder ([`LocalStore`]) and
//!   in-memory ([`MemoryStore`]) backends.
//! - [`queue`]: the [`SiteQueue`] trait with SQS ([`SqsSiteQueue`]) and in-process
//!   ([`ChannelSiteQueue`]) backends.
//! - [`config`]: configuration read from the environment; [`logging`]: the Lambdas' log setup.

pub mod config;
pub mod keys;
pub mod logging;
pub mod manifest;
pub mod message;
pub mod queue;
pub mod s3_event;
pub mod store;

pub use config::{ConfigError, Limits, SiteConfig, WorkerConfig};
pub use keys::{SourceKeyError, SourceObject};
pub use manifest::{Derivative, ExifSummary, ManifestError, PhotoManifest, MANIFEST_SCHEMA};
pub use message::SiteMessage;
pub use queue::{sqs_client, ChannelSiteQueue, QueueError, SiteQueue, SqsSiteQueue};
pub use s3_event::{decode_sqs_body, ChangeKind, EventError, S3Change, Sequencer};
pub use store::{
    s3_client, LocalStore, MemoryStore, Object, ObjectInfo, ObjectStore, Precondition, PutOptions, S3Store,
    StoreError,
};
