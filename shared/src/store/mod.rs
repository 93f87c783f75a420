//! The object-store trait: the narrow view of a bucket that the core logic needs.
//!
//! [`S3Store`] talks to S3 (or moto, via `AWS_ENDPOINT_URL`); [`LocalStore`] keeps objects as files
//! under a folder, for local mode and tests; [`MemoryStore`] counts operations. All report a
//! missing object as `Ok(None)`, so callers treat "gone" as an ordinary outcome rather than an
//! error. [`Update`] is the read-modify-write every caller of [`ObjectStore::put_if`] goes through.

mod faulty;
mod local;
mod memory;
mod s3;
pub mod update;

pub use faulty::{Fault, FaultPlan, FaultyStore};
pub use local::LocalStore;
pub use memory::{MemoryStore, OpCounts};
pub use s3::{s3_client, S3Store};
pub use update::{Current, Read, Update, Written};

use async_trait::async_trait;
use bytes::Bytes;

/// What a listing or a HEAD says about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The ETag without quotes (an MD5 of the content for single-part uploads and local files).
    pub etag: String,
}

/// An object's bytes and what is known about it.
#[derive(Debug, Clone)]
pub struct Object {
    /// Key, size and ETag.
    pub info: ObjectInfo,
    /// The content.
    pub body: Bytes,
}

/// How an object is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// `Content-Type` (S3 only; local files are typed by extension when served).
    pub content_type: Option<String>,
    /// `Cache-Control` (S3 only).
    pub cache_control: Option<String>,
}

impl PutOptions {
    /// Options for an immutable, content-addressed JPEG derivative.
    pub fn immutable_jpeg() -> Self {
        Self::immutable("image/jpeg")
    }

    /// Options for an HTML page: revalidated on every visit (ETag), never stale.
    pub fn html() -> Self {
        Self::revalidated("text/html; charset=utf-8")
    }

    /// Options for a file whose name stays while its content changes: revalidated on every visit.
    pub fn revalidated(content_type: &str) -> Self {
        Self { content_type: Some(content_type.into()), cache_control: Some("no-cache".into()) }
    }

    /// Options for a content-hashed asset (its name changes when it does).
    pub fn immutable(content_type: &str) -> Self {
        Self {
            content_type: Some(content_type.into()),
            cache_control: Some("public, max-age=31536000, immutable".into()),
        }
    }

    /// Options for JSON data that changes in place.
    pub fn json() -> Self {
        Self { content_type: Some("application/json".into()), cache_control: Some("no-cache".into()) }
    }
}

/// What a conditional write ([`ObjectStore::put_if`]) expects to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No object at the key yet (S3 `If-None-Match: *`).
    Absent,
    /// The object as read, by its ETag (S3 `If-Match`).
    Matches(String),
}

impl Precondition {
    /// The precondition for replacing what a read returned: its ETag, or "still absent".
    pub fn from_read(etag: Option<&str>) -> Self {
        etag.map_or(Self::Absent, |e| Self::Matches(e.trim_matches('"').to_owned()))
    }

    /// Whether an object with `current` ETag (or none) satisfies it.
    pub fn holds(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (Self::Absent, None) => true,
            (Self::Matches(expected), Some(etag)) => expected == etag.trim_matches('"'),
            _ => false,
        }
    }
}

/// Why an object-store operation failed. Every variant names the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The object is larger than the caller allows.
    #[error("{key}: {size} bytes is over the limit of {limit} bytes")]
    TooLarge {
        /// The object's key.
        key: String,
        /// Its size.
        size: u64,
        /// The limit that was exceeded.
        limit: u64,
    },
    /// A key the store refuses (it would escape the root folder, or is empty).
    #[error("{key:?}: refused key: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A filesystem error in the local store.
    #[error("{key}: {op} failed: {source}")]
    Io {
        /// The key.
        key: String,
        /// What was being done.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A conditional write found the object changed since it was read (or created meanwhile).
    #[error("{key}: changed since it was read; not overwritten")]
    Conflict {
        /// The key.
        key: String,
    },
    /// An [`Update`] found the object changed by another writer every time it tried.
    #[error("{key}: changed by another writer {attempts} times in a row; not written")]
    Contended {
        /// The key.
        key: String,
        /// How often it was tried.
        attempts: u32,
    },
    /// An S3 request failed.
    #[error("s3://{bucket}/{key}: {op} failed: {message}")]
    S3 {
        /// The bucket.
        bucket: String,
        /// The key (or prefix for listings).
        key: String,
        /// The S3 operation.
        op: &'static str,
        /// The SDK's error, with its context chain.
        message: String,
    },
}

/// A bucket, seen through the operations Shoebox needs.
#[async_trait]
pub trait ObjectStore: Send + Sync + std::fmt::Debug {
    /// Where this store points, for log lines (`s3://bucket` or a folder path).
    fn location(&self) -> String;

    /// Size and ETag of an object, or `None` when it does not exist.
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError>;

    /// An object's content, or `None` when it does not exist.
    ///
    /// Objects larger than `max_bytes` are refused with [`StoreError::TooLarge`] before their body
    /// is read.
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError>;

    /// Writes an object whole: readers see the old content or the new, never a part.
    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError>;

    /// Copies an object into the file at `path` (a video, too large to hold in memory), or `None`
    /// when it does not exist. Refused like [`ObjectStore::get`] past `max_bytes`. This default
    /// reads it whole; the S3 store streams it.
    async fn get_to_file(
        &self,
        key: &str,
        path: &std::path::Path,
        max_bytes: u64,
    ) -> Result<Option<ObjectInfo>, StoreError> {
        let Some(object) = self.get(key, max_bytes).await? else { return Ok(None) };
        tokio::fs::write(path, &object.body).await.map_err(|e| StoreError::Io {
            key: key.to_owned(),
            op: "write a scratch copy",
            source: e,
        })?;
        Ok(Some(object.info))
    }

    /// Writes the file at `path` as an object, like [`ObjectStore::put`]. This default reads it
    /// whole; the S3 store streams it.
    async fn put_file(
        &self,
        key: &str,
        path: &std::path::Path,
        options: &PutOptions,
    ) -> Result<(), StoreError> {
        let body = tokio::fs::read(path).await.map_err(|e| StoreError::Io {
            key: key.to_owned(),
            op: "read a scratch file",
            source: e,
        })?;
        self.put(key, Bytes::from(body), options).await
    }

    /// Writes an object whole, but only if it is still as `precondition` says; otherwise nothing
    /// is written and the result is [`StoreError::Conflict`]. Two writers that read the same
    /// version cannot both replace it, so a read-modify-write never loses an update.
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError>;

    /// Deletes an object; deleting a missing object succeeds.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Every object whose key starts with `prefix`, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError>;
}

/// Hex MD5 of a body: the ETag S3 gives a single-part upload, and the local store's ETag.
pub fn md5_etag(body: &[u8]) -> String {
    use md5::{Digest, Md5};
    lower_hex(&Md5::digest(body))
}

/// Lower-case hex of a digest, as ETags spell it.
fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
