//! The failure records of photos that cannot be shown: written by the resize worker, removed when
//! the photo is resized or deleted, listed by `shoebox build`, `serve` and `status`.

use crate::store::{ObjectStore, PutOptions, StoreError};
use shoebox_core::keys::{failure_key, source_key_of_failure, FAILURES_PREFIX};
use shoebox_core::{FailureKind, FailureRecord, FAILURE_SCHEMA};

/// Largest record read (a key and a sentence).
const MAX_RECORD: u64 = 64 << 10;

impl StoreError {
    /// Whether retrying may help: races, throttling and network trouble may pass; an object over
    /// the size limit or a refused key will not.
    pub fn kind(&self) -> FailureKind {
        match self {
            StoreError::TooLarge { .. } | StoreError::InvalidKey { .. } => FailureKind::Permanent,
            StoreError::Conflict { .. } | StoreError::Contended { .. } => FailureKind::Transient,
            // S3 and file-system errors are mostly throttling, timeouts, full disks; a missing
            // permission is retried too and ends in the dead-letter queue, which raises an alarm.
            StoreError::Io { .. } | StoreError::S3 { .. } => FailureKind::Transient,
        }
    }
}

/// Now, as RFC 3339 in UTC (second precision).
pub fn now_rfc3339() -> String {
    rfc3339(std::time::SystemTime::now())
}

/// A time as RFC 3339 in UTC (second precision).
pub fn rfc3339(time: std::time::SystemTime) -> String {
    use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
    let seconds = DateTime::from_secs(DateTime::from(time).secs());
    seconds.fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

/// Records that the photo `source_key` (version `etag`) cannot be shown, and why. A record of the
/// same version and reason is kept as it is, so its time says since when.
pub async fn record_failure(
    resized: &dyn ObjectStore,
    source_key: &str,
    etag: &str,
    reason: &str,
) -> Result<FailureRecord, StoreError> {
    let etag = etag.trim_matches('"');
    if let Some(object) = resized.get(&failure_key(source_key), MAX_RECORD).await? {
        if let Some(known) = FailureRecord::from_json(&object.body) {
            if known.etag == etag && known.reason == reason {
                return Ok(known);
            }
        }
    }
    let record = FailureRecord {
        schema: FAILURE_SCHEMA,
        source_key: source_key.to_owned(),
        etag: etag.to_owned(),
        reason: reason.to_owned(),
        at: now_rfc3339(),
    };
    resized.put(&failure_key(source_key), record.to_json().into(), &PutOptions::json()).await?;
    Ok(record)
}

/// Removes the photo's failure record, if there is one (the photo was resized or deleted).
pub async fn clear_failure(resized: &dyn ObjectStore, source_key: &str) -> Result<(), StoreError> {
    resized.delete(&failure_key(source_key)).await
}

/// Every failure record, in key order. A record that cannot be read is listed with its key and
/// says so, rather than hidden.
pub async fn list_failures(resized: &dyn ObjectStore) -> Result<Vec<FailureRecord>, StoreError> {
    let mut records = Vec::new();
    for info in resized.list(FAILURES_PREFIX).await? {
        let Some(object) = resized.get(&info.key, MAX_RECORD).await? else { continue };
        records.push(FailureRecord::from_json(&object.body).unwrap_or_else(|| FailureRecord {
            schema: FAILURE_SCHEMA,
            source_key: source_key_of_failure(&info.key).unwrap_or(&info.key).to_owned(),
            etag: String::new(),
            reason: format!("the failure record {} is unreadable", info.key),
            at: String::new(),
        }));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[tokio::test]
    async fn records_are_listed_until_cleared() {
        let store = MemoryStore::new();
        assert!(list_failures(&store).await.expect("list").is_empty());
        record_failure(&store, "Trip/b.jpg", "\"e2\"", "truncated JPEG").await.expect("record");
        record_failure(&store, "Trip/a.jpg", "e1", "not an image").await.expect("record");
        store.put("_failures/Trip/c.jpg.json", "garbage".into(), &PutOptions::json()).await.expect("put");
        let listed = list_failures(&store).await.expect("list");
        let keys: Vec<&str> = listed.iter().map(|r| r.source_key.as_str()).collect();
        assert_eq!(keys, ["Trip/a.jpg", "Trip/b.jpg", "Trip/c.jpg"]);
        assert_eq!((listed[1].etag.as_str(), listed[1].reason.as_str()), ("e2", "truncated JPEG"));
        assert!(listed[2].reason.contains("unreadable"), "{:?}", listed[2]);
        assert!(listed[0].at.ends_with('Z') && listed[0].at.len() == 20, "{}", listed[0].at);
        let again = record_failure(&store, "Trip/b.jpg", "e2", "truncated JPEG").await.expect("record");
        assert_eq!(again, listed[1], "the same failure again keeps its record (and its time)");
        clear_failure(&store, "Trip/a.jpg").await.expect("clear");
        clear_failure(&store, "Trip/never.jpg").await.expect("clearing nothing succeeds");
        assert_eq!(list_failures(&store).await.expect("list").len(), 2);
    }
}
