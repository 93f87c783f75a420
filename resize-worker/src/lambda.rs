//! The Lambda adapter: an SQS batch in, the ids of exactly the failed records out.

use crate::worker::Worker;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use shared::Retries;

/// Handles a batch record by record, so one bad photo fails only its own record.
///
/// Failed records are returned in `batchItemFailures` (the event source mapping must enable
/// `ReportBatchItemFailures`); SQS retries them and, after the queue's redrive count, moves them
/// to the dead-letter queue.
pub async fn handle_batch(
    worker: &Worker,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    handle_batch_with(event, |body| async move {
        worker.handle_body(&body).await.map(|_| ()).map_err(|e| e.to_string())
    })
    .await
}

/// [`handle_batch`] with another handler of each message's body (the video worker's).
pub async fn handle_batch_with<F, Fut>(
    event: LambdaEvent<SqsEvent>,
    handle: F,
) -> Result<SqsBatchResponse, lambda_runtime::Error>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut retries = Retries::new();
    for message in &event.payload.records {
        let handled = match &message.body {
            Some(body) => handle(body.clone()).await,
            None => Err("the SQS message has no body".to_owned()),
        };
        if let Err(error) = handled {
            retries.retry(message.message_id.as_deref().unwrap_or_default(), &error);
        }
    }
    Ok(retries.into_response()?)
}
