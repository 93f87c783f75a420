//! Failures as values: whether retrying can help, and the record kept for a photo that cannot
//! be shown, which `shoebox status` lists and `shoebox retry` sends back through the worker.

use serde::{Deserialize, Serialize};

/// Whether a failure can go away by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// Throttling, timeouts, a lost conditional-write race: the next try may work.
    Transient,
    /// The content itself is wrong (undecodable, too big): retrying the same bytes fails the same
    /// way, so the failure is recorded for the owner and the message acknowledged.
    Permanent,
    /// Nothing says which (a task that panicked, an event from an unexpected bucket): retried,
    /// and after the queue's redrive count kept in its dead-letter queue.
    Unknown,
}

impl FailureKind {
    /// Whether the message should go back to the queue.
    pub fn is_retried(self) -> bool {
        self != FailureKind::Permanent
    }
}

/// The schema of [`FailureRecord`] files.
pub const FAILURE_SCHEMA: u32 = 1;

/// Why one photo cannot be shown, kept at [`crate::keys::failure_key`] in the resized bucket
/// until the photo is fixed (resized) or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    /// [`FAILURE_SCHEMA`].
    pub schema: u32,
    /// The photo's source key.
    pub source_key: String,
    /// The ETag of the version that failed (empty when it was never read).
    #[serde(default)]
    pub etag: String,
    /// The reason in plain words.
    pub reason: String,
    /// When it failed (RFC 3339, UTC).
    pub at: String,
}

impl FailureRecord {
    /// The record as stored.
    pub fn to_json(&self) -> Vec<u8> {
        // A struct of strings always serialises.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// A stored record; `None` for bytes that are not one (it is then listed by its key only).
    pub fn from_json(bytes: &[u8]) -> Option<FailureRecord> {
        serde_json::from_slice(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_permanent_failures_are_acknowledged() {
        assert!(FailureKind::Transient.is_retried());
        assert!(FailureKind::Unknown.is_retried());
        assert!(!FailureKind::Permanent.is_retried());
    }

    #[test]
    fn a_record_survives_its_json() {
        let record = FailureRecord {
            schema: FAILURE_SCHEMA,
            source_key: "Trip/IMG 1.jpg".into(),
            etag: "abc".into(),
            reason: "truncated JPEG".into(),
            at: "2026-12-07T03:00:00Z".into(),
        };
        assert_eq!(FailureRecord::from_json(&record.to_json()), Some(record));
        assert_eq!(FailureRecord::from_json(br#"{"schema":1}"#), None);
    }
}
