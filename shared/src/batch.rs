//! The partial-batch response of an SQS-fed Lambda: which records go back to the queue.
//!
//! Both Lambdas report failed records one by one (`ReportBatchItemFailures`), so SQS retries
//! exactly those and, after the queue's redrive count, moves them to the dead-letter queue.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse};
use std::fmt::Display;

/// A record without a message id failed: SQS cannot be told which one, so the whole batch fails
/// (and is retried).
#[derive(Debug, thiserror::Error)]
#[error("a record without a messageId failed ({reason}); the whole batch goes back to the queue")]
pub struct UnidentifiedFailure {
    /// Why the record failed.
    pub reason: String,
}

/// The records of one batch that failed and must be retried.
#[derive(Debug, Default)]
pub struct Retries {
    ids: Vec<String>,
    unidentified: Option<String>,
}

impl Retries {
    /// No failures yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the message `id` failed for `reason` (logged here, once per record).
    pub fn retry(&mut self, id: &str, reason: &dyn Display) {
        tracing::error!(message_id = %id, error = %reason, "record failed; it goes back to the queue");
        if id.is_empty() {
            self.unidentified.get_or_insert_with(|| reason.to_string());
        } else if !self.ids.iter().any(|known| known == id) {
            self.ids.push(id.to_owned());
        }
    }

    /// How many records failed (those without an id count once).
    pub fn len(&self) -> usize {
        self.ids.len() + usize::from(self.unidentified.is_some())
    }

    /// True when every record succeeded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The response for Lambda: the failed records' ids, or an error when one had no id.
    pub fn into_response(self) -> Result<SqsBatchResponse, UnidentifiedFailure> {
        if let Some(reason) = self.unidentified {
            return Err(UnidentifiedFailure { reason });
        }
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = self
            .ids
            .into_iter()
            .map(|id| {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                failure
            })
            .collect();
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(response: &SqsBatchResponse) -> Vec<&str> {
        response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect()
    }

    #[test]
    fn reports_each_failed_record_once_in_order() {
        let mut retries = Retries::new();
        assert!(retries.is_empty());
        retries.retry("b", &"corrupt data file");
        retries.retry("a", &"throttled");
        retries.retry("b", &"again");
        assert_eq!(retries.len(), 2);
        assert_eq!(ids(&retries.into_response().expect("every failure has an id")), ["b", "a"]);
        assert!(Retries::new().into_response().expect("no failures").batch_item_failures.is_empty());
    }

    #[test]
    fn a_failed_record_without_an_id_fails_the_whole_batch() {
        let mut retries = Retries::new();
        retries.retry("a", &"throttled");
        retries.retry("", &"not a SiteQueue message");
        let err = retries.into_response().expect_err("SQS cannot be told which record");
        assert!(err.to_string().contains("not a SiteQueue message"), "{err}");
    }
}
