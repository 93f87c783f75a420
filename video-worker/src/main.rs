//! The video-worker Lambda: configuration, clients and ffmpeg (the layer's, named by
//! `SHOEBOX_FFMPEG`) are set up once per process; every SQS batch is handled message by message.

use lambda_runtime::{run, service_fn, Error};
use resize_worker::{lambda::handle_batch_with, Worker};
use shared::{s3_client, sqs_client, ConfigError, S3Store, SqsSiteQueue, WorkerConfig};
use std::sync::Arc;
use std::time::Duration;
use video_worker::{Ffmpeg, VideoWorker};

/// A number of seconds from the environment, or `default`.
fn seconds(name: &'static str, default: u64) -> Result<u64, ConfigError> {
    match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v.trim().parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(|| ConfigError::Invalid {
            name,
            value: v,
            reason: "must be a whole number of seconds above zero".into(),
        }),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::logging::init_lambda_logging();

    let config = WorkerConfig::from_env()?;
    // Killed before the Lambda's own timeout, so the failure is recorded, not retried blindly.
    let ffmpeg = Ffmpeg::locate(Duration::from_secs(seconds("FFMPEG_TIMEOUT_SECONDS", 840)?))?;
    let max_transcode = seconds("MAX_TRANSCODE_SECONDS", 1_000)?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = s3_client(&sdk);
    let photos = Worker::new(
        config.source_bucket.clone(),
        Arc::new(S3Store::new(s3.clone(), config.source_bucket)),
        Arc::new(S3Store::new(s3, config.resized_bucket)),
        Arc::new(SqsSiteQueue::new(sqs_client(&sdk), config.site_queue_url)),
        config.limits,
    );
    let worker = VideoWorker::new(photos, Some(ffmpeg), std::env::temp_dir())
        .with_max_transcode_ms(max_transcode * 1000);
    let worker = &worker;
    run(service_fn(|event| {
        handle_batch_with(event, |body| async move {
            worker.handle_body(&body).await.map(|_| ()).map_err(|e| e.to_string())
        })
    }))
    .await
}
