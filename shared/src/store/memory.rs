//! [`ObjectStore`] in memory, counting operations: for tests that assert how much I/O an
//! update costs, and for anything that wants a throwaway bucket.

use super::{md5_etag, Object, ObjectInfo, ObjectStore, Precondition, PutOptions, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A bucket held in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<BTreeMap<String, (Bytes, PutOptions)>>,
    reads: AtomicUsize,
    writes: AtomicUsize,
    lists: AtomicUsize,
}

/// How many operations a [`MemoryStore`] has served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpCounts {
    /// `get` and `head` calls.
    pub reads: usize,
    /// `put` and `delete` calls.
    pub writes: usize,
    /// `list` calls.
    pub lists: usize,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Operations served so far.
    pub fn counts(&self) -> OpCounts {
        OpCounts {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            lists: self.lists.load(Ordering::Relaxed),
        }
    }

    /// Sets the counters back to zero.
    pub fn reset_counts(&self) {
        self.reads.store(0, Ordering::Relaxed);
        self.writes.store(0, Ordering::Relaxed);
        self.lists.store(0, Ordering::Relaxed);
    }

    /// The options an object was written with.
    pub fn options_of(&self, key: &str) -> Option<PutOptions> {
        self.lock().get(key).map(|(_, o)| o.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (Bytes, PutOptions)>> {
        // A panic while holding the lock cannot leave the map half-updated: recover the guard.
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn info(key: &str, body: &Bytes) -> ObjectInfo {
    ObjectInfo { key: key.to_owned(), size: body.len() as u64, etag: md5_etag(body) }
}

#[async_trait]
impl ObjectStore for MemoryStore {
    fn location(&self) -> String {
        "memory".into()
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.lock().get(key).map(|(b, _)| info(key, b)))
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let Some((body, _)) = self.lock().get(key).cloned() else { return Ok(None) };
        if body.len() as u64 > max_bytes {
            return Err(StoreError::TooLarge {
                key: key.to_owned(),
                size: body.len() as u64,
                limit: max_bytes,
            });
        }
        Ok(Some(Object { info: info(key, &body), body }))
    }

    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(key.to_owned(), (body, options.clone()));
        Ok(())
    }

    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        let mut objects = self.lock();
        let current = objects.get(key).map(|(b, _)| md5_etag(b));
        if !precondition.holds(current.as_deref()) {
            return Err(StoreError::Conflict { key: key.to_owned() });
        }
        objects.insert(key.to_owned(), (body, options.clone()));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.lock().remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        self.lists.fetch_add(1, Ordering::Relaxed);
        Ok(self
            .lock()
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, (b, _))| info(k, b))
            .collect())
    }
}
