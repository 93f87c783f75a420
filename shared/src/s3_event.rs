//! Decoding S3 event notifications out of SQS message bodies: the one place that does it.
//!
//! A body can be a direct S3 → SQS notification, an SNS → SQS delivery with raw message delivery
//! (the same JSON), or an SNS envelope whose `Message` field holds the notification as a string.
//! `s3:TestEvent` messages (sent when a notification is configured) decode to no changes.
//! Keys arrive URL-form encoded (`+` is a space, `%2F` is `/`) and are decoded here, once.

use serde::Deserialize;
use shoebox_core::Sequencer;

/// Whether an object appeared (or was replaced) or went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// `ObjectCreated:*`.
    Created,
    /// `ObjectRemoved:*` (including delete markers).
    Removed,
}

/// One object change, decoded from an S3 event record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Change {
    /// Created or removed.
    pub kind: ChangeKind,
    /// The bucket the object lives in.
    pub bucket: String,
    /// The object key, URL-decoded.
    pub key: String,
    /// Size in bytes, for creations.
    pub size: Option<u64>,
    /// The object's ETag without quotes, for creations.
    pub etag: Option<String>,
    /// S3's per-key event order (absent in some emulators).
    pub sequencer: Option<Sequencer>,
}

/// Why an SQS body could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The body is not JSON at all.
    #[error("message body is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// JSON, but neither an S3 notification, an SNS envelope nor a test event.
    #[error("message body is not an S3 event notification (no Records, Event or SNS Message field)")]
    NotAnS3Event,
    /// An S3 record is missing a field Shoebox needs.
    #[error("S3 event record {index} is malformed: {reason}")]
    MalformedRecord {
        /// Position of the record in `Records`.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A key whose percent-decoding is not UTF-8.
    #[error("S3 event key {0:?} does not decode to UTF-8")]
    BadKeyEncoding(String),
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "Records")]
    records: Option<Vec<serde_json::Value>>,
    #[serde(rename = "Event")]
    event: Option<String>,
    #[serde(rename = "Type")]
    sns_type: Option<String>,
    #[serde(rename = "Message")]
    sns_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_name: String,
    s3: RecordS3,
}

#[derive(Deserialize)]
struct RecordS3 {
    bucket: RecordBucket,
    object: RecordObject,
}

#[derive(Deserialize)]
struct RecordBucket {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordObject {
    key: String,
    #[serde(default)]
    size: Option<serde_json::Value>,
    #[serde(default, alias = "etag")]
    e_tag: Option<String>,
    #[serde(default)]
    sequencer: Option<String>,
}

/// Decodes an SQS message body into the object changes it carries (none for a test event).
pub fn decode_sqs_body(body: &str) -> Result<Vec<S3Change>, EventError> {
    let parsed: Body = serde_json::from_str(body).map_err(EventError::NotJson)?;
    if let Some(records) = parsed.records {
        return records
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| decode_record(i, r).transpose())
            .collect();
    }
    if parsed.event.as_deref() == Some("s3:TestEvent") {
        return Ok(Vec::new());
    }
    if parsed.sns_type.as_deref() == Some("Notification") {
        if let Some(inner) = parsed.sns_message {
            return decode_sqs_body(&inner);
        }
    }
    Err(EventError::NotAnS3Event)
}

fn decode_record(index: usize, value: serde_json::Value) -> Result<Option<S3Change>, EventError> {
    let record: Record = serde_json::from_value(value)
        .map_err(|e| EventError::MalformedRecord { index, reason: e.to_string() })?;
    let kind = if record.event_name.starts_with("ObjectCreated:") {
        ChangeKind::Created
    } else if record.event_name.starts_with("ObjectRemoved:") {
        ChangeKind::Removed
    } else {
        // Restores, tagging, ACL and lifecycle transitions do not change what a photo looks like.
        return Ok(None);
    };
    let size = match record.s3.object.size {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        Some(other) => {
            return Err(EventError::MalformedRecord {
                index,
                reason: format!("size {other} is not a number"),
            })
        }
    };
    Ok(Some(S3Change {
        kind,
        bucket: record.s3.bucket.name,
        key: decode_key(&record.s3.object.key)?,
        size,
        etag: record.s3.object.e_tag.map(|e| e.trim_matches('"').to_owned()).filter(|e| !e.is_empty()),
        sequencer: record.s3.object.sequencer.filter(|s| !s.is_empty()).map(Sequencer),
    }))
}

/// An SQS body carrying `changes` as S3 would notify them (for `shoebox retry`, which sends a
/// photo through the worker again); [`decode_sqs_body`] reads it back unchanged.
pub fn encode_sqs_body(changes: &[S3Change]) -> String {
    let records: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let event_name = match c.kind {
                ChangeKind::Created => "ObjectCreated:Put",
                ChangeKind::Removed => "ObjectRemoved:Delete",
            };
            let mut object = serde_json::json!({ "key": encode_key(&c.key) });
            if let Some(size) = c.size {
                object["size"] = size.into();
            }
            if let Some(etag) = &c.etag {
                object["eTag"] = etag.as_str().into();
            }
            if let Some(sequencer) = &c.sequencer {
                object["sequencer"] = sequencer.0.as_str().into();
            }
            serde_json::json!({
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": event_name,
                "s3": { "s3SchemaVersion": "1.0", "bucket": { "name": c.bucket }, "object": object },
            })
        })
        .collect();
    serde_json::json!({ "Records": records }).to_string()
}

/// Encodes a key as S3 event notifications do: URL form encoding, `/` kept.
fn encode_key(key: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(key, KEEP).to_string().replace("%20", "+")
}

/// Decodes an S3 event key: URL form encoding, where `+` is a space and `%XX` is a byte.
pub fn decode_key(raw: &str) -> Result<String, EventError> {
    // `+` must become a space before percent-decoding, so that `%2B` stays a plus sign.
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|k| k.into_owned())
        .map_err(|_| EventError::BadKeyEncoding(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIRECT: &str = include_str!("../tests/fixtures/s3-put-direct.json");
    const SNS_ENVELOPE: &str = include_str!("../tests/fixtures/s3-put-sns-envelope.json");
    const TEST_EVENT: &str = include_str!("../tests/fixtures/s3-test-event.json");
    const DELETE: &str = include_str!("../tests/fixtures/s3-delete-direct.json");

    #[test]
    fn encoded_changes_decode_to_themselves() {
        let changes = vec![
            S3Change {
                kind: ChangeKind::Created,
                bucket: "src".into(),
                key: "Trips/Rome 2024/a+b ü%.jpg".into(),
                size: Some(12),
                etag: Some("abc".into()),
                sequencer: Some(Sequencer("0055AED6DCD90281E5".into())),
            },
            S3Change {
                kind: ChangeKind::Removed,
                bucket: "src".into(),
                key: "Family/IMG 1.HEIC".into(),
                size: None,
                etag: None,
                sequencer: None,
            },
        ];
        let body = encode_sqs_body(&changes);
        assert!(body.contains("Trips/Rome+2024/a%2Bb+%C3%BC%25.jpg"), "encoded as S3 does: {body}");
        assert_eq!(decode_sqs_body(&body).expect("decodes"), changes);
    }

    #[test]
    fn decodes_a_direct_put_with_an_awkward_key() {
        let changes = decode_sqs_body(DIRECT).expect("decodes");
        assert_eq!(
            changes,
            vec![S3Change {
                kind: ChangeKind::Created,
                bucket: "shoebox-source".into(),
                key: "Trips/Rome 2024/a+b ü.jpg".into(),
                size: Some(1024),
                etag: Some("0123456789abcdef0123456789abcdef".into()),
                sequencer: Some(Sequencer("0A1B2C3D4E5F678901".into())),
            }]
        );
    }

    #[test]
    fn raw_sns_delivery_is_the_same_json_and_envelopes_are_unwrapped() {
        let direct = decode_sqs_body(DIRECT).expect("direct");
        assert_eq!(decode_sqs_body(SNS_ENVELOPE).expect("envelope"), direct);
    }

    #[test]
    fn test_events_are_ignored_not_errors() {
        assert_eq!(decode_sqs_body(TEST_EVENT).expect("test event"), vec![]);
    }

    #[test]
    fn decodes_deletions_without_etag_or_size() {
        let changes = decode_sqs_body(DELETE).expect("decodes");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Removed);
        assert_eq!(changes[0].key, "Trip/IMG 1.jpg");
        assert_eq!(changes[0].etag, None);
    }

    #[test]
    fn moto_style_keys_and_missing_sequencer() {
        let body = r#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},
            "object":{"key":"Trip%2FSub%2Fx%2By.jpg","size":5,"eTag":"\"e\""}}}]}"#;
        let c = &decode_sqs_body(body).expect("decodes")[0];
        assert_eq!(c.key, "Trip/Sub/x+y.jpg");
        assert_eq!(c.sequencer, None);
        assert_eq!(c.etag.as_deref(), Some("e"));
    }

    #[test]
    fn keys_decode_plus_percent_and_utf8() {
        assert_eq!(decode_key("a+b%2Bc%2Fd").expect("ok"), "a b+c/d");
        assert_eq!(decode_key("%C3%BC%E2%9C%93").expect("ok"), "ü✓");
        assert!(matches!(decode_key("bad%FF"), Err(EventError::BadKeyEncoding(_))));
    }

    #[test]
    fn junk_bodies_get_precise_errors() {
        assert!(matches!(decode_sqs_body("not json"), Err(EventError::NotJson(_))));
        assert!(matches!(decode_sqs_body("{}"), Err(EventError::NotAnS3Event)));
        assert!(matches!(
            decode_sqs_body(r#"{"Records":[{"eventName":"ObjectCreated:Put"}]}"#),
            Err(EventError::MalformedRecord { index: 0, .. })
        ));
    }

    #[test]
    fn other_event_types_are_skipped() {
        let body = r#"{"Records":[{"eventName":"ObjectRestore:Completed","s3":{"bucket":{"name":"b"},"object":{"key":"a/b.jpg"}}}]}"#;
        assert_eq!(decode_sqs_body(body).expect("decodes"), vec![]);
    }
}
