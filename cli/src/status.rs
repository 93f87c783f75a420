//! `shoebox status` and `shoebox retry`: what the gallery shows, what is waiting, what failed and
//! why, and sending the failures back once the owner has fixed them.
//!
//! A deployed gallery is read through its stack's outputs: the gallery summary and the failure
//! records from the buckets, the queues' depths, and the dead-letter queues' messages (peeked:
//! received, then made visible again at once). A local gallery has no queues: `build` and `serve`
//! try every failed photo again on each run.

use crate::place::{sdk_error, StackOutputs};
use anyhow::Context as _;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use shared::{decode_sqs_body, encode_sqs_body, list_failures, ChangeKind, ObjectStore, S3Change, S3Store};
use shoebox_core::keys::GALLERY_DATA_KEY;
use shoebox_core::{FailureRecord, SiteMessage};
use std::path::PathBuf;
use std::process::ExitCode;

/// The stack outputs `status` and `retry` read (template.yaml's `Outputs`).
pub const SOURCE_OUTPUT: &str = "SourceBucket";
/// The resized bucket: manifests and failure records.
pub const RESIZED_OUTPUT: &str = "ResizedBucket";
/// The web bucket: the gallery summary.
pub const WEB_OUTPUT: &str = "WebBucket";
/// The queues, each with its dead-letter queue.
pub const QUEUE_OUTPUTS: [(Stage, &str, &str); 2] = [
    (Stage::Resize, "ResizeQueueUrl", "ResizeDeadLetterQueueUrl"),
    (Stage::Site, "SiteQueueUrl", "SiteDeadLetterQueueUrl"),
];
/// Dead letters listed one by one (the rest are counted).
const LISTED_DEAD_LETTERS: usize = 50;

/// Arguments of `shoebox status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The data folder of `shoebox serve` (default: ~/.local/share/shoebox).
    #[arg(long, conflicts_with_all = ["out", "stack"])]
    data: Option<PathBuf>,
    /// The output folder of `shoebox build`.
    #[arg(long, conflicts_with = "stack")]
    out: Option<PathBuf>,
    /// The deployed gallery: the CloudFormation stack `sam deploy` made.
    #[arg(long)]
    stack: Option<String>,
    /// The stack's region.
    #[arg(long, default_value = "us-east-1", requires = "stack")]
    region: String,
}

/// Arguments of `shoebox retry`.
#[derive(Debug, clap::Args)]
pub struct RetryArgs {
    /// The deployed gallery (locally, `shoebox build` and `serve` retry on every run).
    #[arg(long)]
    stack: String,
    /// The stack's region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

/// A step of the pipeline with a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The resize worker's queue (S3 events).
    Resize,
    /// The site builder's queue (SiteQueue messages).
    Site,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Resize => "resize",
            Stage::Site => "site",
        }
    }

    /// What a message of this stage's queue is about, in a line.
    fn describe(self, body: &str) -> String {
        match self {
            Stage::Resize => match decode_sqs_body(body) {
                Ok(changes) if changes.is_empty() => "an S3 test event".to_owned(),
                Ok(changes) => changes
                    .iter()
                    .map(|c| match c.kind {
                        ChangeKind::Created => c.key.clone(),
                        ChangeKind::Removed => format!("{} (deleted)", c.key),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Err(e) => format!("unreadable message: {e}"),
            },
            Stage::Site => match serde_json::from_str::<SiteMessage>(body) {
                Ok(SiteMessage::PhotoUpserted { manifest }) => format!("{} (to show)", manifest.source_key),
                Ok(SiteMessage::PhotoRemoved { source_key, .. }) => format!("{source_key} (to remove)"),
                Ok(SiteMessage::AlbumMetadataChanged { album, .. }) => format!("{album}/album.yml"),
                Err(e) => format!("unreadable message: {e}"),
            },
        }
    }
}

/// One queue's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueReport {
    /// `resize` or `site`.
    pub name: &'static str,
    /// Messages waiting.
    pub waiting: u64,
    /// Messages being handled now.
    pub in_flight: u64,
    /// Messages in the dead-letter queue.
    pub dead: u64,
    /// What the first dead letters are about.
    pub dead_letters: Vec<String>,
}

/// What `shoebox status` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Photos shown.
    pub photos: usize,
    /// Albums with photos.
    pub albums: usize,
    /// When the site was last updated (RFC 3339), if ever.
    pub last_update: Option<String>,
    /// Photos that cannot be shown.
    pub failures: Vec<FailureRecord>,
    /// The queues (none locally).
    pub queues: Vec<QueueReport>,
}

impl Report {
    /// Whether anything needs the owner.
    pub fn needs_attention(&self) -> bool {
        !self.failures.is_empty() || self.queues.iter().any(|q| q.dead > 0)
    }

    /// The report as printed; `retry` is the command that sends failures back, if there is one.
    pub fn render(&self, place: &str, retry: Option<&str>) -> String {
        let mut out = format!("Gallery: {place}\n");
        let updated = self.last_update.as_deref().map_or("never".to_owned(), |t| t.replace('T', " "));
        out += &format!(
            "  {} in {}; site last updated {updated}\n",
            plural(self.photos, "photo"),
            plural(self.albums, "album")
        );
        for q in &self.queues {
            out += &format!("  {} queue: {} waiting, {} in progress\n", q.name, q.waiting, q.in_flight);
        }
        if !self.failures.is_empty() {
            out += &format!("\n{} cannot be shown:\n", plural(self.failures.len(), "photo"));
            for f in &self.failures {
                let since = if f.at.is_empty() {
                    String::new()
                } else {
                    format!(" (since {})", f.at.replace('T', " "))
                };
                out += &format!("  {}: {}{since}\n", f.source_key, f.reason);
            }
        }
        for q in self.queues.iter().filter(|q| q.dead > 0) {
            out += &format!(
                "\n{} in the {} dead-letter queue (failed five times; the logs say why):\n",
                plural(q.dead as usize, "message"),
                q.name
            );
            for line in &q.dead_letters {
                out += &format!("  {line}\n");
            }
            if q.dead as usize > q.dead_letters.len() {
                out += &format!("  … and {} more\n", q.dead as usize - q.dead_letters.len());
            }
        }
        if self.needs_attention() {
            out += "\n";
            out += &match retry {
                Some(retry) => format!("Fix or delete those photos, then run `{retry}`.\n"),
                None => {
                    "Fix or delete those photos: the next `shoebox build` or `serve` run tries them again.\n"
                        .to_owned()
                }
            };
        } else {
            out += "Nothing failed.\n";
        }
        out
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Photos, albums and failures from the resized and web buckets.
async fn gallery_report(resized: &dyn ObjectStore, web: &dyn ObjectStore) -> anyhow::Result<Report> {
    let gallery = site_builder::update::load_gallery(web)
        .await
        .with_context(|| format!("cannot read the gallery summary in {}", web.location()))?;
    let shown = gallery.albums.values().filter(|a| a.photo_count > 0);
    let failures = list_failures(resized)
        .await
        .with_context(|| format!("cannot list the failure records in {}", resized.location()))?;
    Ok(Report {
        photos: shown.clone().map(|a| a.photo_count).sum(),
        albums: shown.count(),
        failures,
        ..Report::default()
    })
}

/// `shoebox status`.
pub fn run_status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (report, place, retry) = runtime.block_on(async {
        match &args.stack {
            Some(stack) => {
                let outputs = StackOutputs::load(stack, &args.region).await?;
                let report = stack_report(&outputs).await?;
                let retry = format!("shoebox retry --stack {stack}{}", region_flag(&args.region));
                anyhow::Ok((report, format!("stack {stack}"), Some(retry)))
            }
            None => {
                let site = match &args.out {
                    Some(out) => out.clone(),
                    None => args.data.clone().unwrap_or_else(crate::local::default_data_dir).join("site"),
                };
                let report = local_report(&site).await?;
                anyhow::Ok((report, site.display().to_string(), None))
            }
        }
    })?;
    print!("{}", report.render(&place, retry.as_deref()));
    Ok(if report.needs_attention() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn region_flag(region: &str) -> String {
    if region == "us-east-1" {
        String::new()
    } else {
        format!(" --region {region}")
    }
}

/// The report of a `shoebox build` output folder (or `serve`'s `DATA/site`).
pub async fn local_report(site: &std::path::Path) -> anyhow::Result<Report> {
    anyhow::ensure!(
        site.join("web").is_dir(),
        "{} holds no built gallery (no web folder): run `shoebox build` or `shoebox serve` first",
        site.display()
    );
    let (resized, web) = crate::build::output_stores(site);
    let mut report = gallery_report(&resized, &web).await?;
    report.last_update = std::fs::metadata(site.join("web").join(GALLERY_DATA_KEY))
        .and_then(|m| m.modified())
        .ok()
        .map(shared::failures::rfc3339);
    Ok(report)
}

/// The report of a deployed stack.
pub async fn stack_report(outputs: &StackOutputs) -> anyhow::Result<Report> {
    let s3 = shared::s3_client(&outputs.sdk);
    let sqs = shared::sqs_client(&outputs.sdk);
    let web_bucket = outputs.get(WEB_OUTPUT)?;
    let resized = S3Store::new(s3.clone(), outputs.get(RESIZED_OUTPUT)?);
    let web = S3Store::new(s3.clone(), &web_bucket);
    let mut report = gallery_report(&resized, &web).await?;
    report.last_update = match s3.head_object().bucket(&web_bucket).key(GALLERY_DATA_KEY).send().await {
        Ok(head) => head.last_modified().map(|t| t.to_string()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => None,
        Err(e) => anyhow::bail!("cannot read s3://{web_bucket}/{GALLERY_DATA_KEY}: {}", sdk_error(e)),
    };
    for (stage, queue, dead) in QUEUE_OUTPUTS {
        report.queues.push(queue_report(&sqs, stage, &outputs.get(queue)?, &outputs.get(dead)?).await?);
    }
    Ok(report)
}

/// (waiting, in flight) of a queue.
async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> anyhow::Result<(u64, u64)> {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the queue {url}: {}", sdk_error(e)))?;
    let count = |name: QueueAttributeName| {
        attributes.attributes().and_then(|a| a.get(&name)).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
    };
    Ok((
        count(QueueAttributeName::ApproximateNumberOfMessages),
        count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    ))
}

async fn queue_report(
    sqs: &aws_sdk_sqs::Client,
    stage: Stage,
    url: &str,
    dead_url: &str,
) -> anyhow::Result<QueueReport> {
    let (waiting, in_flight) = depth(sqs, url).await?;
    let (dead, _) = depth(sqs, dead_url).await?;
    let dead_letters = if dead > 0 {
        let wanted = usize::try_from(dead).unwrap_or(usize::MAX).min(LISTED_DEAD_LETTERS);
        peek(sqs, dead_url, wanted).await?.iter().map(|body| stage.describe(body)).collect()
    } else {
        Vec::new()
    };
    Ok(QueueReport { name: stage.name(), waiting, in_flight, dead, dead_letters })
}

/// Up to ten messages of a queue, hidden from others for `hidden_seconds` (waits a second for
/// them: a short poll may miss messages of a small queue).
async fn receive(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    hidden_seconds: i32,
) -> anyhow::Result<Vec<aws_sdk_sqs::types::Message>> {
    let received = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .visibility_timeout(hidden_seconds)
        .wait_time_seconds(1)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the queue {url}: {}", sdk_error(e)))?;
    Ok(received.messages().to_vec())
}

/// The bodies of `max` messages of a queue (fewer if it holds fewer), left in it: received, then
/// made visible again at once.
async fn peek(sqs: &aws_sdk_sqs::Client, url: &str, max: usize) -> anyhow::Result<Vec<String>> {
    let mut bodies = Vec::new();
    let mut handles = Vec::new();
    while bodies.len() < max {
        let received = receive(sqs, url, 30).await?;
        if received.is_empty() {
            break;
        }
        for m in &received {
            bodies.push(m.body().unwrap_or_default().to_owned());
            handles.extend(m.receipt_handle().map(str::to_owned));
        }
    }
    for chunk in handles.chunks(10) {
        let entries = chunk.iter().enumerate().map(|(i, handle)| {
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(handle)
                .visibility_timeout(0)
                .build()
        });
        let entries = entries.collect::<Result<Vec<_>, _>>()?;
        sqs.change_message_visibility_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("cannot return messages to {url}: {}", sdk_error(e)))?;
    }
    bodies.truncate(max);
    Ok(bodies)
}

/// What `shoebox retry` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retried {
    /// Messages moved back from each dead-letter queue, by stage name.
    pub moved: Vec<(&'static str, usize)>,
    /// Photos with a failure record sent through the resize worker again.
    pub photos: usize,
}

/// `shoebox retry`.
pub fn run_retry(args: RetryArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let retried = runtime.block_on(async {
        let outputs = StackOutputs::load(&args.stack, &args.region).await?;
        retry_stack(&outputs).await
    })?;
    for (stage, moved) in &retried.moved {
        println!("{} moved back from the {stage} dead-letter queue", plural(*moved, "message"));
    }
    println!("{} that could not be shown sent to the resize worker again", plural(retried.photos, "photo"));
    println!(
        "In a minute, `shoebox status --stack {}{}` shows what is still wrong.",
        args.stack,
        region_flag(&args.region)
    );
    Ok(ExitCode::SUCCESS)
}

/// Moves every dead letter back to its queue, and sends every photo with a failure record to the
/// resize worker again (its record goes when it works, and is written again when it does not).
pub async fn retry_stack(outputs: &StackOutputs) -> anyhow::Result<Retried> {
    let s3 = shared::s3_client(&outputs.sdk);
    let sqs = shared::sqs_client(&outputs.sdk);
    let mut retried = Retried::default();
    for (stage, queue, dead) in QUEUE_OUTPUTS {
        let moved = redrive(&sqs, &outputs.get(dead)?, &outputs.get(queue)?).await?;
        retried.moved.push((stage.name(), moved));
    }
    let source_bucket = outputs.get(SOURCE_OUTPUT)?;
    let source = S3Store::new(s3.clone(), &source_bucket);
    let resized = S3Store::new(s3, outputs.get(RESIZED_OUTPUT)?);
    let resize_queue = outputs.get(QUEUE_OUTPUTS[0].1)?;
    for failure in list_failures(&resized).await? {
        // As S3 would announce the photo now: there (a creation) or gone (a deletion, which
        // removes the record).
        let head = source.head(&failure.source_key).await?;
        let change = S3Change {
            kind: if head.is_some() { ChangeKind::Created } else { ChangeKind::Removed },
            bucket: source_bucket.clone(),
            key: failure.source_key.clone(),
            size: head.as_ref().map(|h| h.size),
            etag: head.map(|h| h.etag),
            sequencer: None,
        };
        sqs.send_message()
            .queue_url(&resize_queue)
            .message_body(encode_sqs_body(&[change]))
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("cannot send {} to {resize_queue}: {}", failure.source_key, sdk_error(e))
            })?;
        retried.photos += 1;
    }
    Ok(retried)
}

/// Moves every message of `from` to `to` (sent first, deleted after, so none is lost; a crash in
/// between sends one twice, which every handler tolerates).
///
/// SQS's own move task (`StartMessageMoveTask`) would do this server-side but asynchronously;
/// moving them here is as cheap for a gallery's few dead letters and is done when this returns.
async fn redrive(sqs: &aws_sdk_sqs::Client, from: &str, to: &str) -> anyhow::Result<usize> {
    let mut moved = 0;
    loop {
        let received = receive(sqs, from, 60).await?;
        let messages = received.as_slice();
        if messages.is_empty() {
            return Ok(moved);
        }
        let entries = messages.iter().enumerate().map(|(i, m)| {
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(m.body().unwrap_or_default())
                .build()
        });
        let sent = sqs
            .send_message_batch()
            .queue_url(to)
            .set_entries(Some(entries.collect::<Result<Vec<_>, _>>()?))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("cannot send to the queue {to}: {}", sdk_error(e)))?;
        let deletes = sent.successful().iter().filter_map(|ok| {
            let handle = messages.get(ok.id().parse::<usize>().ok()?)?.receipt_handle()?;
            DeleteMessageBatchRequestEntry::builder().id(ok.id()).receipt_handle(handle).build().ok()
        });
        let deletes: Vec<_> = deletes.collect();
        moved += deletes.len();
        if !deletes.is_empty() {
            sqs.delete_message_batch()
                .queue_url(from)
                .set_entries(Some(deletes))
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("cannot delete moved messages from {from}: {}", sdk_error(e)))?;
        }
        if let Some(failed) = sent.failed().first() {
            anyhow::bail!("the queue {to} refused a message: {}", failed.message().unwrap_or(failed.code()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str, reason: &str) -> FailureRecord {
        FailureRecord {
            schema: 1,
            source_key: key.into(),
            etag: "e".into(),
            reason: reason.into(),
            at: "2026-12-07T03:00:00Z".into(),
        }
    }

    #[test]
    fn a_healthy_gallery_says_so_and_a_troubled_one_says_what_to_do() {
        let healthy = Report { photos: 1, albums: 1, ..Default::default() };
        let text = healthy.render("site", None);
        assert!(text.contains("1 photo in 1 album; site last updated never"), "{text}");
        assert!(text.ends_with("Nothing failed.\n") && !healthy.needs_attention(), "{text}");

        let troubled = Report {
            photos: 12,
            albums: 2,
            last_update: Some("2026-12-07T03:00:00Z".into()),
            failures: vec![record("Trip/b.jpg", "not an image")],
            queues: vec![QueueReport {
                name: "resize",
                waiting: 3,
                in_flight: 1,
                dead: 2,
                dead_letters: vec!["Trip/c.jpg".into()],
            }],
        };
        let text = troubled.render("stack s", Some("shoebox retry --stack s"));
        for line in [
            "12 photos in 2 albums; site last updated 2026-12-07 03:00:00Z",
            "resize queue: 3 waiting, 1 in progress",
            "1 photo cannot be shown:\n  Trip/b.jpg: not an image (since 2026-12-07 03:00:00Z)",
            "2 messages in the resize dead-letter queue",
            "  Trip/c.jpg\n  … and 1 more",
            "then run `shoebox retry --stack s`",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
        assert!(troubled.needs_attention());
    }

    #[test]
    fn dead_letters_are_named_by_what_they_carry() {
        let change = S3Change {
            kind: ChangeKind::Created,
            bucket: "b".into(),
            key: "Trip/IMG 1.jpg".into(),
            size: None,
            etag: None,
            sequencer: None,
        };
        assert_eq!(Stage::Resize.describe(&encode_sqs_body(&[change])), "Trip/IMG 1.jpg");
        assert!(Stage::Resize.describe("{}").starts_with("unreadable message"));
        let removed = SiteMessage::PhotoRemoved {
            source_key: "Trip/a.jpg".into(),
            album: "Trip".into(),
            sequencer: None,
        };
        let body = serde_json::to_string(&removed).expect("json");
        assert_eq!(Stage::Site.describe(&body), "Trip/a.jpg (to remove)");
    }
}
