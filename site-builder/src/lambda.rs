//! The Lambda adapter: an SQS batch (collected by the queue's batching window; at most two
//! invocations at once, which the conditional writes make safe) becomes one site update; the
//! records of albums it could not update go back to the queue. A direct invocation with
//! `{"render": "all"}` re-renders every page from the data files (the deploy sends it, so new
//! templates and assets reach every page), and `{"rebuild": "all"}` rebuilds the data files from
//! the manifests first (recovery).

use crate::rebuild::rebuild_all;
use crate::render::Renderer;
use crate::site::{render_all, update_site, Buckets};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::{ObjectStore, Retries, UnidentifiedFailure};
use shoebox_core::SiteMessage;
use std::sync::Arc;

/// Stores and templates, built once per process.
pub struct SiteBuilder {
    /// The source bucket (album.yml).
    pub source: Arc<dyn ObjectStore>,
    /// The resized bucket (manifests for rebuilds; replaced derivatives are deleted here).
    pub resized: Arc<dyn ObjectStore>,
    /// The web bucket.
    pub web: Arc<dyn ObjectStore>,
    /// The templates.
    pub renderer: Renderer,
}

impl SiteBuilder {
    /// The three buckets, borrowed.
    pub fn buckets(&self) -> Buckets<'_> {
        Buckets { source: self.source.as_ref(), resized: self.resized.as_ref(), web: self.web.as_ref() }
    }
}

/// Applies an SQS batch of SiteQueue messages; returns the records to retry: those that are not
/// SiteQueue messages, those of albums that could not be updated, and all of them when the
/// shared pages could not be written.
pub async fn handle_sqs(
    builder: &SiteBuilder,
    event: SqsEvent,
) -> Result<SqsBatchResponse, UnidentifiedFailure> {
    let mut retries = Retries::new();
    let mut parsed: Vec<(String, SiteMessage)> = Vec::new();
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        match serde_json::from_str::<SiteMessage>(record.body.as_deref().unwrap_or_default()) {
            Ok(m) => parsed.push((id, m)),
            Err(e) => retries.retry(&id, &format_args!("not a SiteQueue message: {e}")),
        }
    }
    let messages: Vec<SiteMessage> = parsed.iter().map(|(_, m)| m.clone()).collect();
    match update_site(builder.buckets(), &builder.renderer, &messages).await {
        Ok(report) => {
            tracing::info!(changed = ?report.changed_albums, written = report.written.len(), stale = report.stale, failed = report.failed_albums.len(), "site updated");
            for (id, m) in &parsed {
                if let Some((album, reason)) =
                    report.failed_albums.iter().find(|(album, _)| album == m.album())
                {
                    retries.retry(id, &format_args!("album {album}: {reason}"));
                }
            }
        }
        // The summary or a page could not be written: every message goes back to the queue.
        Err(e) => {
            parsed.iter().for_each(|(id, _)| retries.retry(id, &format_args!("site update failed: {e}")))
        }
    }
    retries.into_response()
}

/// Dispatches an invocation: an SQS event, `{"render": "all"}` or `{"rebuild": "all"}`.
pub async fn handle(
    builder: &SiteBuilder,
    event: serde_json::Value,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    if event.get("Records").is_some() {
        let sqs: SqsEvent = serde_json::from_value(event)?;
        return Ok(serde_json::to_value(handle_sqs(builder, sqs).await?)?);
    }
    if event.get("rebuild").and_then(|v| v.as_str()) == Some("all") {
        let report = rebuild_all(
            builder.source.as_ref(),
            builder.resized.as_ref(),
            builder.web.as_ref(),
            &builder.renderer,
        )
        .await?;
        return Ok(
            serde_json::json!({ "albums": report.changed_albums.len(), "written": report.written.len() }),
        );
    }
    if event.get("render").and_then(|v| v.as_str()) == Some("all") {
        let report = render_all(builder.web.as_ref(), &builder.renderer).await?;
        tracing::info!(written = report.written.len(), failed = ?report.failed_albums, "rendered every page");
        return Ok(serde_json::json!({ "written": report.written.len(), "failed": report.failed_albums }));
    }
    Err("expected an SQS event, {\"render\": \"all\"} or {\"rebuild\": \"all\"}".into())
}
