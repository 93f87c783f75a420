//! Helpers for tests against real parts: a moto server (S3 + SQS) reached through the real AWS
//! SDK clients. `./scripts/test` starts moto and sets `SHOEBOX_TEST_ENDPOINT`.

use anyhow::Context as _;
use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};
use aws_sdk_sqs::types::{Message, QueueAttributeName};
use std::time::{Duration, Instant};

/// The moto endpoint; a clear failure (not a skip) when the test script did not start one.
pub fn endpoint() -> String {
    std::env::var("SHOEBOX_TEST_ENDPOINT").expect(
        "SHOEBOX_TEST_ENDPOINT is not set: run ./scripts/test, which starts a moto server on 127.0.0.1",
    )
}

/// SDK configuration for moto: fixed test credentials, us-east-1, the endpoint override.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let creds = aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "shoebox-tests");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .load()
        .await
}

/// A unique suffix so tests sharing one moto server never collide.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// A standard queue; returns (url, arn).
pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> anyhow::Result<(String, String)> {
    let url =
        sqs.create_queue().queue_name(name).send().await?.queue_url().context("no queue url")?.to_owned();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?;
    let arn = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .context("no queue arn")?
        .clone();
    Ok((url, arn))
}

/// A bucket that notifies `queue_arn` of every object creation and removal.
pub async fn create_notifying_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    queue_arn: &str,
) -> anyhow::Result<()> {
    s3.create_bucket().bucket(bucket).send().await?;
    let queue = QueueConfiguration::builder()
        .queue_arn(queue_arn)
        .events(Event::from("s3:ObjectCreated:*"))
        .events(Event::from("s3:ObjectRemoved:*"))
        .build()?;
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(NotificationConfiguration::builder().queue_configurations(queue).build())
        .send()
        .await?;
    Ok(())
}

/// Receives until `want` messages arrived (or 20 s passed), deleting none.
pub async fn receive(sqs: &aws_sdk_sqs::Client, url: &str, want: usize) -> anyhow::Result<Vec<Message>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut all = Vec::new();
    while all.len() < want && Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .visibility_timeout(300)
            .send()
            .await?;
        all.extend(out.messages().iter().cloned());
    }
    Ok(all)
}

/// Turns received SQS messages into the event a Lambda gets from its SQS event source.
pub fn lambda_event(messages: &[Message], queue_arn: &str) -> aws_lambda_events::event::sqs::SqsEvent {
    let records = messages
        .iter()
        .map(|m| {
            serde_json::from_value(serde_json::json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "md5OfBody": m.md5_of_body(),
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1"
            }))
            .expect("an SQS record")
        })
        .collect();
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    event.records = records;
    event
}

/// The resize worker over moto: the source and resized buckets, the SiteQueue at `site_url`.
pub fn s3_worker(
    s3: &aws_sdk_s3::Client,
    sqs: &aws_sdk_sqs::Client,
    source: &str,
    resized: &str,
    site_url: &str,
) -> resize_worker::Worker {
    use shared::{Limits, S3Store, SqsSiteQueue};
    use std::sync::Arc;
    resize_worker::Worker::new(
        source,
        Arc::new(S3Store::new(s3.clone(), source)),
        Arc::new(S3Store::new(s3.clone(), resized)),
        Arc::new(SqsSiteQueue::new(sqs.clone(), site_url)),
        Limits::default(),
    )
}

/// Every key in a bucket.
pub async fn keys(s3: &aws_sdk_s3::Client, bucket: &str) -> anyhow::Result<Vec<String>> {
    let out = s3.list_objects_v2().bucket(bucket).send().await?;
    Ok(out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect())
}
