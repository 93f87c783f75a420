//! The Lambda adapter: an SQS batch in, the ids of exactly the failed records out.

use crate::worker::Worker;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::LambdaEvent;
use shared::Retries;

/// Handles one SQS message; the error is what gets logged for a failed record.
pub async fn handle_message(worker: &Worker, message: &SqsMessage) -> Result<(), String> {
    let body = message.body.as_deref().ok_or("the SQS message has no body")?;
    worker.handle_body(body).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Handles a batch record by record, so one bad photo fails only its own record.
///
/// Failed records are returned in `batchItemFailures` (the event source mapping must enable
/// `ReportBatchItemFailures`); SQS retries them and, after the queue's redrive count, moves them
/// to the dead-letter queue.
pub async fn handle_batch(
    worker: &Worker,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let mut retries = Retries::new();
    for message in &event.payload.records {
        if let Err(error) = handle_message(worker, message).await {
            retries.retry(message.message_id.as_deref().unwrap_or_default(), &error);
        }
    }
    Ok(retries.into_response()?)
}
