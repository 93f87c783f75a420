//! The resize-worker Lambda: configuration and clients are built once per process, then every
//! SQS batch goes to [`resize_worker::lambda::handle_batch`].

use lambda_runtime::{run, service_fn, Error};
use resize_worker::{lambda::handle_batch, Worker};
use shared::{s3_client, sqs_client, S3Store, SqsSiteQueue, SqsVideoQueue, WorkerConfig};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::logging::init_lambda_logging();

    let config = WorkerConfig::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = s3_client(&sdk);
    let sqs = sqs_client(&sdk);
    let mut worker = Worker::new(
        config.source_bucket.clone(),
        Arc::new(S3Store::new(s3.clone(), config.source_bucket)),
        Arc::new(S3Store::new(s3, config.resized_bucket)),
        Arc::new(SqsSiteQueue::new(sqs.clone(), config.site_queue_url)),
        config.limits,
    );
    if let Some(url) = config.video_queue_url {
        worker = worker.with_videos(Arc::new(SqsVideoQueue::new(sqs, url)));
    }
    run(service_fn(|event| handle_batch(&worker, event))).await
}
