//! The one read-modify-write helper: read an object's current version, decide what it should be,
//! write only if it is still the version read, and when another writer got there first, read
//! again and decide again: a few times at most, with a growing, jittered pause.
//!
//! Two site builders may run at once (the queue's concurrency is 2); with every read-modify-write
//! going through [`Update`], neither can overwrite what the other wrote without having seen it.
//! (An attempt is the caller's own loop body rather than a closure: its futures then stay `Send`
//! for `tokio::spawn`, which async closures over borrowed data do not yet.)

use super::{md5_etag, ObjectStore, Precondition, PutOptions, StoreError};
use bytes::Bytes;
use std::time::Duration;

/// How often an update is tried before it gives up with [`StoreError::Contended`] (the caller's
/// work is then retried later, by the queue).
pub const MAX_ATTEMPTS: u32 = 8;

/// What an update reads before deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The object's bytes (refused over `max_bytes`) and version.
    Body {
        /// The largest object read.
        max_bytes: u64,
    },
    /// Only its version (a HEAD): for objects made whole from other data, such as pages.
    Version,
}

/// The stored version an attempt decides from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Current {
    /// The stored version's ETag; `None` when there is no object.
    pub etag: Option<String>,
    /// Its bytes, when the update reads them ([`Read::Body`]) and the object exists.
    pub body: Option<Bytes>,
}

/// How a write of an [`Update`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Written; the ETag of the version stored now (the MD5 of the bytes, as S3 gives
    /// single-part uploads).
    Stored(String),
    /// The bytes are what is stored already: nothing written.
    Unchanged,
    /// Another writer changed the object since it was read: read again and decide again.
    Conflict,
}

/// Waits a little before trying again, longer each time, with jitter so two writers do not
/// collide in step.
async fn back_off(attempt: u32) {
    let jitter =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
            % 40;
    tokio::time::sleep(Duration::from_millis(u64::from(20 * attempt + jitter))).await;
}

/// One read-modify-write of one object. Each attempt [`read`](Update::read)s the version stored
/// now, decides what the object should be from that alone, and [`write`](Update::write)s it,
/// which happens only if the object is still that version (S3 `If-Match`, or `If-None-Match: *`
/// when there was none). On [`Written::Conflict`] the caller reads again; the reads pause a
/// little longer each time, and give up with [`StoreError::Contended`] after [`MAX_ATTEMPTS`].
///
/// ```text
/// let mut update = Update::new(store, key, Read::Body { max_bytes }, &options);
/// let etag = loop {
///     let current = update.read().await?;
///     let body = decide(current)?;
///     match update.write(body).await? {
///         Written::Conflict => continue,
///         Written::Stored(etag) => break Some(etag),
///         Written::Unchanged => break current_etag,
///     }
/// };
/// ```
pub struct Update<'a> {
    store: &'a dyn ObjectStore,
    key: &'a str,
    read: Read,
    options: &'a PutOptions,
    attempt: u32,
    read_etag: Option<String>,
}

impl<'a> Update<'a> {
    /// An update of `key` in `store` that reads as `read` says and writes with `options`.
    pub fn new(store: &'a dyn ObjectStore, key: &'a str, read: Read, options: &'a PutOptions) -> Self {
        Self { store, key, read, options, attempt: 0, read_etag: None }
    }

    /// The version stored now, for the next attempt (after a pause when it is not the first).
    pub async fn read(&mut self) -> Result<Current, StoreError> {
        if self.attempt == MAX_ATTEMPTS {
            return Err(StoreError::Contended { key: self.key.to_owned(), attempts: MAX_ATTEMPTS });
        }
        if self.attempt > 0 {
            tracing::info!(
                key = self.key,
                attempt = self.attempt,
                "changed by another writer since it was read; trying again"
            );
            back_off(self.attempt).await;
        }
        self.attempt += 1;
        let current = match self.read {
            Read::Body { max_bytes } => match self.store.get(self.key, max_bytes).await? {
                Some(object) => Current { etag: Some(object.info.etag), body: Some(object.body) },
                None => Current::default(),
            },
            Read::Version => {
                Current { etag: self.store.head(self.key).await?.map(|info| info.etag), body: None }
            }
        };
        self.read_etag = current.etag.clone();
        Ok(current)
    }

    /// Writes `body` if the object is still the version the last [`read`](Update::read)
    /// returned; bytes equal to it are not written again.
    pub async fn write(&mut self, body: Bytes) -> Result<Written, StoreError> {
        let etag = md5_etag(&body);
        if self.read_etag.as_deref() == Some(etag.as_str()) {
            return Ok(Written::Unchanged);
        }
        let precondition = Precondition::from_read(self.read_etag.as_deref());
        match self.store.put_if(self.key, body, self.options, &precondition).await {
            Ok(()) => Ok(Written::Stored(etag)),
            Err(StoreError::Conflict { .. }) => Ok(Written::Conflict),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;

    fn append(current: &Current, tail: &str) -> Bytes {
        let mut body = current.body.as_deref().unwrap_or_default().to_vec();
        body.extend_from_slice(tail.as_bytes());
        Bytes::from(body)
    }

    #[tokio::test]
    async fn a_conflict_reads_again_and_decides_from_the_new_version() {
        let store = MemoryStore::new();
        let options = PutOptions::json();
        let mut update = Update::new(&store, "k", Read::Body { max_bytes: 64 }, &options);
        let mut attempts = 0;
        let etag = loop {
            let current = update.read().await.expect("reads");
            attempts += 1;
            if attempts == 1 {
                // Another writer slips in between the first read and its write.
                store.put("k", Bytes::from_static(b"other,"), &options).await.expect("put");
            }
            match update.write(append(&current, "mine")).await.expect("writes") {
                Written::Conflict => continue,
                Written::Stored(etag) => break etag,
                Written::Unchanged => panic!("the bytes differ"),
            }
        };
        assert_eq!(attempts, 2, "decided again after the conflict");
        let stored = store.get("k", 64).await.expect("get").expect("exists");
        assert_eq!(&stored.body[..], b"other,mine", "the other writer's change is kept");
        assert_eq!(etag, md5_etag(b"other,mine"));
    }

    #[tokio::test]
    async fn the_same_bytes_are_not_written_again_and_a_version_read_is_a_head() {
        let store = MemoryStore::new();
        let options = PutOptions::json();
        store.put("k", Bytes::from_static(b"same"), &options).await.expect("put");
        store.reset_counts();
        let mut update = Update::new(&store, "k", Read::Version, &options);
        let current = update.read().await.expect("reads");
        assert_eq!(current, Current { etag: Some(md5_etag(b"same")), body: None });
        assert_eq!(update.write(Bytes::from_static(b"same")).await.expect("writes"), Written::Unchanged);
        assert_eq!(store.counts().writes, 0);
        assert_eq!(store.counts().reads, 1, "one HEAD, no body");
        let mut create = Update::new(&store, "new", Read::Version, &options);
        assert_eq!(create.read().await.expect("reads"), Current::default());
        assert!(matches!(create.write(Bytes::from_static(b"1")).await, Ok(Written::Stored(_))));
    }

    #[tokio::test]
    async fn a_key_that_keeps_changing_gives_up_naming_it() {
        let store = MemoryStore::new();
        let options = PutOptions::json();
        let mut update = Update::new(&store, "busy", Read::Version, &options);
        let mut attempts = 0;
        let err = loop {
            match update.read().await {
                Ok(_) => attempts += 1,
                Err(e) => break e,
            }
            store.put("busy", Bytes::from(format!("other {attempts}")), &options).await.expect("put");
            assert_eq!(update.write(Bytes::from_static(b"mine")).await.expect("writes"), Written::Conflict);
        };
        assert_eq!(attempts, MAX_ATTEMPTS);
        assert!(
            matches!(&err, StoreError::Contended { key, attempts } if key == "busy" && *attempts == MAX_ATTEMPTS)
        );
        assert_eq!(err.to_string(), "busy: changed by another writer 8 times in a row; not written");
    }
}
