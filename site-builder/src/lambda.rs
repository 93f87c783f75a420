//! The Lambda adapter: an SQS batch (collected by the queue's batching window; at most two
//! invocations at once, which the conditional writes make safe) becomes one site update; the
//! records of albums it could not update go back to the queue. A direct invocation with
//! `{"render": "all"}` re-renders every page from the data files (the deploy sends it, so new
//! templates and assets reach every page), and `{"rebuild": "all"}` rebuilds the data files from
//! the manifests first (recovery).
//!
//! A full render that runs short of time stops between steps and sends
//! `{"render": "all", "after": "ALBUM"}` to the site queue; the invocation that receives it goes
//! on after that album. So a gallery of any size is rendered, a timeout's worth at a time. Pages
//! a full render could not write are sent on as `{"render": "pages", "pages": [ALBUM, …]}`, a
//! message of their own: retried by the queue, and in the dead-letter queue (and its alarm) when
//! they keep failing, while the rest of the render goes on.

use crate::rebuild::rebuild_all;
use crate::render::Renderer;
use crate::site::{render_all_from, render_named, update_site, Buckets};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde::Deserialize;
use shared::{ObjectStore, QueueError, Retries, SqsSiteQueue, UnidentifiedFailure};
use shoebox_core::SiteMessage;
use std::sync::Arc;
use std::time::Instant;

/// Where a full render sends what is left for later: its continuation, and the pages it could
/// not write.
#[async_trait::async_trait]
pub trait Continuation: Send + Sync {
    /// Queues `{"render": "all", "after": after}`.
    async fn render_after(&self, after: &str) -> Result<(), QueueError>;
    /// Queues `{"render": "pages", "pages": pages}`.
    async fn render_again(&self, pages: &[String]) -> Result<(), QueueError>;
}

#[async_trait::async_trait]
impl Continuation for SqsSiteQueue {
    async fn render_after(&self, after: &str) -> Result<(), QueueError> {
        self.send_body(&serde_json::json!({ "render": "all", "after": after }).to_string()).await
    }

    async fn render_again(&self, pages: &[String]) -> Result<(), QueueError> {
        self.send_body(&serde_json::json!({ "render": "pages", "pages": pages }).to_string()).await
    }
}

/// `{"render": "all"}`, optionally `"after": "ALBUM"` (a continuation), or
/// `{"render": "pages", "pages": [ALBUM, …]}` (pages a full render could not write).
#[derive(Debug, Deserialize)]
struct RenderRequest {
    render: String,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    pages: Vec<String>,
}

impl RenderRequest {
    fn parse(value: &serde_json::Value) -> Option<RenderRequest> {
        serde_json::from_value::<RenderRequest>(value.clone())
            .ok()
            .filter(|r| r.render == "all" || (r.render == "pages" && !r.pages.is_empty()))
    }
}

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
    /// Where a full render that runs short of time sends its continuation (none: it returns
    /// where it stopped, in `"next"`).
    pub continuation: Option<Arc<dyn Continuation>>,
}

impl SiteBuilder {
    /// The three buckets, borrowed.
    pub fn buckets(&self) -> Buckets<'_> {
        Buckets { source: self.source.as_ref(), resized: self.resized.as_ref(), web: self.web.as_ref() }
    }
}

/// Applies an SQS batch of SiteQueue messages; returns the records to retry: those that are not
/// SiteQueue messages, those of albums that could not be updated, and all of them when the
/// shared pages could not be written. A full-render continuation in the batch is carried out
/// after the messages, until `deadline`.
pub async fn handle_sqs(
    builder: &SiteBuilder,
    event: SqsEvent,
    deadline: Option<Instant>,
) -> Result<SqsBatchResponse, UnidentifiedFailure> {
    let mut retries = Retries::new();
    let mut parsed: Vec<(String, SiteMessage)> = Vec::new();
    let mut renders: Vec<(String, RenderRequest)> = Vec::new();
    for record in event.records {
        let id = record.message_id.unwrap_or_default();
        let body = record.body.as_deref().unwrap_or_default();
        match serde_json::from_str::<SiteMessage>(body) {
            Ok(m) => parsed.push((id, m)),
            Err(e) => match serde_json::from_str(body).ok().as_ref().and_then(RenderRequest::parse) {
                Some(render) => renders.push((id, render)),
                None => retries.retry(&id, &format_args!("not a SiteQueue message: {e}")),
            },
        }
    }
    let messages: Vec<SiteMessage> = parsed.iter().map(|(_, m)| m.clone()).collect();
    if !messages.is_empty() {
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
    }
    for (id, render) in renders {
        match render_request(builder, &render, deadline).await {
            Ok(out)
                if render.render == "pages" && out["failed"].as_array().is_some_and(|f| !f.is_empty()) =>
            {
                retries.retry(&id, &format_args!("pages not rendered: {}", out["failed"]));
            }
            Ok(_) => {}
            Err(e) => retries.retry(&id, &format_args!("render failed: {e}")),
        }
    }
    retries.into_response()
}

/// Carries out a render request: the whole site (from `after`), or the pages named.
async fn render_request(
    builder: &SiteBuilder,
    render: &RenderRequest,
    deadline: Option<Instant>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    if render.render == "pages" {
        let pages = render.pages.iter().cloned().collect();
        let report = render_named(builder.web.as_ref(), &builder.renderer, &pages).await?;
        tracing::info!(pages = ?render.pages, written = report.written.len(), failed = ?report.failed_albums, "rendered pages again");
        return Ok(serde_json::json!({ "written": report.written.len(), "failed": report.failed_albums }));
    }
    render_all(builder, render.after.as_deref(), deadline).await
}

/// Renders every page after `after` until `deadline`, then queues the rest (or, without a queue,
/// says in `"next"` where to go on).
async fn render_all(
    builder: &SiteBuilder,
    after: Option<&str>,
    deadline: Option<Instant>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let done = render_all_from(builder.web.as_ref(), &builder.renderer, after, deadline).await?;
    let report = &done.report;
    tracing::info!(after, written = report.written.len(), failed = ?report.failed_albums, next = ?done.next, "rendered pages");
    let mut out = serde_json::json!({ "written": report.written.len(), "failed": report.failed_albums });
    if let Some(queue) = &builder.continuation {
        // Sent on as a message of their own: retried, and in the dead-letter queue when they
        // keep failing, while the render goes on.
        if !report.failed_albums.is_empty() {
            let failed: Vec<String> = report.failed_albums.iter().map(|(page, _)| page.clone()).collect();
            queue.render_again(&failed).await?;
            out["sent_again"] = failed.into();
        }
    }
    if let Some(next) = &done.next {
        match &builder.continuation {
            Some(queue) => {
                queue.render_after(next).await?;
                out["continues_after"] = next.as_str().into();
            }
            None => out["next"] = next.as_str().into(),
        }
    }
    Ok(out)
}

/// Dispatches an invocation: an SQS event, `{"render": "all"}` or `{"rebuild": "all"}`; a full
/// render stops between steps when `deadline` is near.
pub async fn handle(
    builder: &SiteBuilder,
    event: serde_json::Value,
    deadline: Option<Instant>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    if event.get("Records").is_some() {
        let sqs: SqsEvent = serde_json::from_value(event)?;
        return Ok(serde_json::to_value(handle_sqs(builder, sqs, deadline).await?)?);
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
    if let Some(render) = RenderRequest::parse(&event) {
        return render_request(builder, &render, deadline).await;
    }
    Err("expected an SQS event, {\"render\": \"all\"}, {\"render\": \"pages\", …} or {\"rebuild\": \"all\"}"
        .into())
}
