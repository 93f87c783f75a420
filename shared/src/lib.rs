//! Shoebox's I/O layer, under the Lambdas and the CLI (the pure rules they apply are in
//! `shoebox_core`):
//!
//! - [`s3_event`]: decoding S3 event notifications out of SQS message bodies ([`S3Change`]).
//! - [`store`]: the [`ObjectStore`] trait with S3 ([`S3Store`]), folder ([`LocalStore`]) and
//!   in-memory ([`MemoryStore`]) backends, conditional writes, and [`store::Update`], the one
//!   read-modify-write loop (conditional write, bounded retry with jitter).
//! - [`queue`]: the [`SiteQueue`] trait with SQS ([`SqsSiteQueue`]) and in-process
//!   ([`ChannelSiteQueue`]) backends.
//! - [`failures`]: the records of photos that cannot be shown.
//! - [`batch`]: the partial-batch response of the SQS-fed Lambdas ([`Retries`]).
//! - [`config`]: configuration read from the environment; [`logging`]: the Lambdas' log setup.

pub mod batch;
pub mod config;
pub mod failures;
pub mod logging;
pub mod queue;
pub mod s3_event;
pub mod store;

pub use batch::{Retries, UnidentifiedFailure};
pub use config::{ConfigError, Limits, SiteConfig, WorkerConfig};
pub use failures::{clear_failure, list_failures, record_failure};
pub use queue::{
    sqs_client, ChannelSiteQueue, QueueError, SiteQueue, SqsSiteQueue, SqsVideoQueue, VideoQueue,
};
pub use s3_event::{decode_sqs_body, encode_sqs_body, ChangeKind, EventError, S3Change};
pub use store::{
    s3_client, LocalStore, MemoryStore, Object, ObjectInfo, ObjectStore, Precondition, PutOptions, S3Store,
    StoreError,
};
