//! [`ObjectStore`] that fails on purpose: for tests that check no failure is swallowed. It wraps
//! a real store and, for the operations a [`FaultPlan`] picks, answers as S3 does when things go
//! wrong: an error, throttling (503 SlowDown), a timeout after the write landed, or a conditional
//! write lost to another writer.

use super::{Object, ObjectInfo, ObjectStore, Precondition, PutOptions, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use std::sync::{Arc, Mutex};

/// One way an operation goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request fails (500 InternalError); nothing happened.
    Fail,
    /// The request is throttled (503 SlowDown); nothing happened.
    SlowDown,
    /// The request happened, but its answer never came back (a timeout after a write landed).
    TimeoutAfter,
    /// A conditional write finds another writer got there first ([`StoreError::Conflict`]);
    /// on other operations the same as [`Fault::Fail`].
    LoseRace,
}

/// Which operations fail: by their number (every operation counts, from 0), or every write to
/// keys with a prefix a number of times.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    /// `schedule[i]` is what happens to operation `i`; operations past its end succeed.
    pub schedule: Vec<Option<Fault>>,
    /// Writes (`put`, `put_if`, `delete`) to keys starting with `.0` fail `.1` more times.
    pub failing_writes: Vec<(String, usize)>,
    /// The process is killed before this operation: it and every later one fail (nothing more
    /// reaches the bucket) until [`FaultyStore::restart`].
    pub killed_at: Option<usize>,
}

/// A store whose operations fail as its [`FaultPlan`] says.
#[derive(Debug)]
pub struct FaultyStore {
    inner: Arc<dyn ObjectStore>,
    plan: Mutex<(usize, FaultPlan)>,
}

impl FaultyStore {
    /// `inner`, failing as `plan` says.
    pub fn new(inner: Arc<dyn ObjectStore>, plan: FaultPlan) -> Self {
        Self { inner, plan: Mutex::new((0, plan)) }
    }

    /// How many operations were served (failed ones included).
    pub fn operations(&self) -> usize {
        self.lock().0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, FaultPlan)> {
        self.plan.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the process was killed (see [`FaultPlan::killed_at`]).
    pub fn killed(&self) -> bool {
        let guard = self.lock();
        guard.1.killed_at.is_some_and(|at| guard.0 > at)
    }

    /// A new process after a kill: operations work again.
    pub fn restart(&self) {
        self.lock().1.killed_at = None;
    }

    /// The fault for the next operation, which writes `key` when `writes`.
    fn next(&self, key: &str, writes: bool) -> Option<Fault> {
        let mut guard = self.lock();
        let (count, plan) = &mut *guard;
        let killed = plan.killed_at.is_some_and(|at| *count >= at);
        let scheduled = plan.schedule.get(*count).copied().flatten();
        *count += 1;
        if killed {
            return Some(Fault::Fail);
        }
        if scheduled.is_some() {
            return scheduled;
        }
        let rule = plan
            .failing_writes
            .iter_mut()
            .find(|(prefix, left)| writes && *left > 0 && key.starts_with(prefix.as_str()))?;
        rule.1 -= 1;
        Some(Fault::Fail)
    }

    fn error(&self, fault: Fault, key: &str, op: &'static str) -> StoreError {
        let message = match fault {
            Fault::Fail | Fault::LoseRace => "InternalError: injected failure (500)",
            Fault::SlowDown => "SlowDown: Please reduce your request rate (503)",
            Fault::TimeoutAfter => {
                "timeout: no response within the deadline (injected after the request ran)"
            }
        };
        StoreError::S3 { bucket: self.inner.location(), key: key.to_owned(), op, message: message.to_owned() }
    }
}

#[async_trait]
impl ObjectStore for FaultyStore {
    fn location(&self) -> String {
        format!("faulty {}", self.inner.location())
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        match self.next(key, false) {
            None => self.inner.head(key).await,
            Some(Fault::TimeoutAfter) => {
                self.inner.head(key).await.and(Err(self.error(Fault::TimeoutAfter, key, "HeadObject")))
            }
            Some(fault) => Err(self.error(fault, key, "HeadObject")),
        }
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        match self.next(key, false) {
            None => self.inner.get(key, max_bytes).await,
            Some(fault) => Err(self.error(fault, key, "GetObject")),
        }
    }

    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError> {
        match self.next(key, true) {
            None => self.inner.put(key, body, options).await,
            Some(Fault::TimeoutAfter) => {
                self.inner.put(key, body, options).await?;
                Err(self.error(Fault::TimeoutAfter, key, "PutObject"))
            }
            Some(fault) => Err(self.error(fault, key, "PutObject")),
        }
    }

    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        match self.next(key, true) {
            None => self.inner.put_if(key, body, options, precondition).await,
            Some(Fault::LoseRace) => Err(StoreError::Conflict { key: key.to_owned() }),
            Some(Fault::TimeoutAfter) => {
                self.inner.put_if(key, body, options, precondition).await?;
                Err(self.error(Fault::TimeoutAfter, key, "PutObject"))
            }
            Some(fault) => Err(self.error(fault, key, "PutObject")),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.next(key, true) {
            None => self.inner.delete(key).await,
            Some(Fault::TimeoutAfter) => {
                self.inner.delete(key).await?;
                Err(self.error(Fault::TimeoutAfter, key, "DeleteObject"))
            }
            Some(fault) => Err(self.error(fault, key, "DeleteObject")),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        match self.next(prefix, false) {
            None => self.inner.list(prefix).await,
            Some(fault) => Err(self.error(fault, prefix, "ListObjectsV2")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[tokio::test]
    async fn faults_happen_where_the_plan_says_and_nowhere_else() {
        let inner = Arc::new(MemoryStore::new());
        let plan = FaultPlan {
            schedule: vec![None, Some(Fault::SlowDown), Some(Fault::TimeoutAfter)],
            failing_writes: vec![("_data/".into(), 1)],
            killed_at: None,
        };
        let store = FaultyStore::new(inner.clone(), plan);
        store.put("a", "1".into(), &PutOptions::default()).await.expect("op 0 succeeds");
        let err = store.put("b", "2".into(), &PutOptions::default()).await.expect_err("op 1 is throttled");
        assert!(err.to_string().contains("SlowDown"), "{err}");
        assert!(inner.get("b", 10).await.expect("get").is_none(), "a throttled write did nothing");
        store.put("c", "3".into(), &PutOptions::default()).await.expect_err("op 2 times out");
        assert!(inner.get("c", 10).await.expect("get").is_some(), "the timed-out write landed");
        store.get("_data/x", 10).await.expect("reads of the prefix are not faulted");
        store.put("_data/x", "4".into(), &PutOptions::default()).await.expect_err("the first write fails");
        store.put("_data/x", "5".into(), &PutOptions::default()).await.expect("the second succeeds");
        assert_eq!(store.operations(), 6);
    }

    #[tokio::test]
    async fn a_killed_process_reaches_nothing_until_it_restarts() {
        let inner = Arc::new(MemoryStore::new());
        let store = FaultyStore::new(inner.clone(), FaultPlan { killed_at: Some(1), ..Default::default() });
        store.put("a", "1".into(), &PutOptions::default()).await.expect("before the kill");
        assert!(!store.killed());
        store.put("b", "2".into(), &PutOptions::default()).await.expect_err("killed");
        store.get("a", 10).await.expect_err("still killed");
        assert!(store.killed() && inner.get("b", 10).await.expect("get").is_none());
        store.restart();
        store.put("b", "2".into(), &PutOptions::default()).await.expect("restarted");
    }
}
