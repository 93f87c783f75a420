//! The SiteQueue: how the resize worker tells the site builder what changed; the VideoQueue: how
//! it hands videos to the video worker.
//!
//! [`SqsSiteQueue`] sends to SQS; [`ChannelSiteQueue`] hands messages to an in-process channel
//! for local mode and tests.

use crate::s3_event::{encode_sqs_body, S3Change};
use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use shoebox_core::SiteMessage;
use tokio::sync::mpsc::UnboundedSender;

/// SQS accepts at most ten entries per `SendMessageBatch`.
const SQS_BATCH: usize = 10;

/// Why messages could not be queued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The request to SQS failed as a whole.
    #[error("sending to {queue} failed: {message}")]
    Send {
        /// The queue URL.
        queue: String,
        /// The SDK's error with its context chain.
        message: String,
    },
    /// SQS refused some entries of a batch.
    #[error("{queue} refused {} message(s): {}", failures.len(), failures.join("; "))]
    Refused {
        /// The queue URL.
        queue: String,
        /// One line per refused entry.
        failures: Vec<String>,
    },
    /// The receiving side of an in-process queue is gone.
    #[error("the in-process site queue is closed")]
    Closed,
}

/// Where site changes go.
#[async_trait]
pub trait SiteQueue: Send + Sync {
    /// Queues the messages; succeeds only when every one was accepted.
    async fn send(&self, messages: &[SiteMessage]) -> Result<(), QueueError>;
}

/// Builds an SQS client from the shared SDK configuration (honours `AWS_ENDPOINT_URL`).
pub fn sqs_client(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// The SiteQueue on Amazon SQS.
#[derive(Debug, Clone)]
pub struct SqsSiteQueue {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsSiteQueue {
    /// A sender to `queue_url`, using a client built once per process.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self { client, queue_url: queue_url.into() }
    }

    /// Sends one message with `body` as it is (the site builder's note to itself to go on with
    /// a full render).
    pub async fn send_body(&self, body: &str) -> Result<(), QueueError> {
        self.client.send_message().queue_url(&self.queue_url).message_body(body).send().await.map_err(
            |e| QueueError::Send {
                queue: self.queue_url.clone(),
                message: aws_sdk_sqs::error::DisplayErrorContext(e).to_string(),
            },
        )?;
        Ok(())
    }
}

#[async_trait]
impl SiteQueue for SqsSiteQueue {
    async fn send(&self, messages: &[SiteMessage]) -> Result<(), QueueError> {
        for chunk in messages.chunks(SQS_BATCH) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(serde_json::to_string(m).expect("site messages always serialise"))
                        .build()
                        .expect("id and body are set")
                })
                .collect::<Vec<_>>();
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| QueueError::Send {
                    queue: self.queue_url.clone(),
                    message: DisplayErrorContext(e).to_string(),
                })?;
            if !out.failed().is_empty() {
                let failures = out
                    .failed()
                    .iter()
                    .map(|f| format!("entry {}: {} {}", f.id(), f.code(), f.message().unwrap_or_default()))
                    .collect();
                return Err(QueueError::Refused { queue: self.queue_url.clone(), failures });
            }
        }
        Ok(())
    }
}

/// Where the resize worker sends the changes of videos: the video worker's queue.
#[async_trait]
pub trait VideoQueue: Send + Sync {
    /// Queues one change, as the S3 event notification the video worker decodes.
    async fn send(&self, change: &S3Change) -> Result<(), QueueError>;
}

/// The video worker's queue on SQS: one S3 event per message, as S3 itself would send it.
#[derive(Debug, Clone)]
pub struct SqsVideoQueue(SqsSiteQueue);

impl SqsVideoQueue {
    /// A sender to `queue_url`.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self(SqsSiteQueue::new(client, queue_url))
    }
}

#[async_trait]
impl VideoQueue for SqsVideoQueue {
    async fn send(&self, change: &S3Change) -> Result<(), QueueError> {
        self.0.send_body(&encode_sqs_body(std::slice::from_ref(change))).await
    }
}

/// The SiteQueue as an in-process channel (local mode, tests).
#[derive(Debug, Clone)]
pub struct ChannelSiteQueue {
    sender: UnboundedSender<SiteMessage>,
}

impl ChannelSiteQueue {
    /// Wraps the sending half of a channel.
    pub fn new(sender: UnboundedSender<SiteMessage>) -> Self {
        Self { sender }
    }
}

#[async_trait]
impl SiteQueue for ChannelSiteQueue {
    async fn send(&self, messages: &[SiteMessage]) -> Result<(), QueueError> {
        for m in messages {
            self.sender.send(m.clone()).map_err(|_| QueueError::Closed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn channel_queue_delivers_in_order_and_reports_closed() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let q = ChannelSiteQueue::new(tx);
        let m =
            |a: &str| SiteMessage::AlbumMetadataChanged { album: a.into(), removed: false, sequencer: None };
        q.send(&[m("a"), m("b")]).await.expect("sent");
        assert_eq!(rx.recv().await.map(|m| m.album().to_owned()).as_deref(), Some("a"));
        assert_eq!(rx.recv().await.map(|m| m.album().to_owned()).as_deref(), Some("b"));
        drop(rx);
        assert!(matches!(q.send(&[m("c")]).await, Err(QueueError::Closed)));
    }
}
