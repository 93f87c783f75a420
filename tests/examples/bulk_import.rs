//! A bulk import, modelled with the real handlers: N photos (default 20,000, in albums of 100)
//! arrive in the source bucket at R a second (default 5, what one `aws s3 sync` of phone photos
//! manages), through moto (S3 with its notifications to the resize queue, SQS) and the real
//! SDK clients. The Lambda event sources are played on a simulated clock with the template's
//! settings: the resize worker takes batches of up to 4 with at most 5 invocations at once; the
//! site builder batches up to 500 messages over a 10 s window with at most 2 at once. Every
//! handler runs for real on the messages the queues hold; S3 and SQS requests are counted as they
//! are made. What the clock cannot take from this machine is modelled: a resize invocation takes
//! `--photo-seconds` (default 0.65 s: a 12 MP photo's resize, ~0.5 s at 1,769 MB, plus reading it
//! and writing five objects) per photo; a site-builder invocation takes what it took here against
//! moto plus 20 ms for each S3 request it made one after another (an upper bound: many are made
//! 32 at once). Prints a Markdown table (docs/performance.md, the README's cost table).
//!
//!   ./scripts/bench-import [N] [R] [--photo-seconds S] [--sample WxH]

use async_trait::async_trait;
use bytes::Bytes;
use shared::store::PutOptions;
use shared::{
    s3_client, sqs_client, Object, ObjectInfo, ObjectStore, Precondition, QueueError, S3Store, SiteQueue,
    SqsSiteQueue, StoreError,
};
use shoebox_core::SiteMessage;
use site_builder::lambda::{handle_sqs, SiteBuilder};
use site_builder::Renderer;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;
use tests::*;

/// Requests by kind, for every bucket.
#[derive(Default, Debug)]
struct Counts {
    get: AtomicUsize,
    put: AtomicUsize,
    delete: AtomicUsize,
    list: AtomicUsize,
    sqs_send: AtomicUsize,
}

impl Counts {
    /// S3 requests so far, and set back to zero: GET/HEAD, PUT, DELETE, LIST.
    fn take_s3(&self) -> [usize; 4] {
        [&self.get, &self.put, &self.delete, &self.list].map(|c| c.swap(0, Relaxed))
    }
}

/// An object store that counts its requests.
#[derive(Debug)]
struct Counted {
    inner: S3Store,
    counts: Arc<Counts>,
}

#[async_trait]
impl ObjectStore for Counted {
    fn location(&self) -> String {
        self.inner.location()
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        self.counts.get.fetch_add(1, Relaxed);
        self.inner.head(key).await
    }
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        self.counts.get.fetch_add(1, Relaxed);
        self.inner.get(key, max_bytes).await
    }
    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError> {
        self.counts.put.fetch_add(1, Relaxed);
        self.inner.put(key, body, options).await
    }
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        self.counts.put.fetch_add(1, Relaxed);
        self.inner.put_if(key, body, options, precondition).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.counts.delete.fetch_add(1, Relaxed);
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        self.counts.list.fetch_add(1, Relaxed);
        self.inner.list(prefix).await
    }
}

/// The site queue, counting SendMessageBatch requests (ten messages each).
struct CountedQueue {
    inner: SqsSiteQueue,
    counts: Arc<Counts>,
}

#[async_trait]
impl SiteQueue for CountedQueue {
    async fn send(&self, messages: &[SiteMessage]) -> Result<(), QueueError> {
        self.counts.sqs_send.fetch_add(messages.len().div_ceil(10), Relaxed);
        self.inner.send(messages).await
    }
}

/// Receives exactly `n` messages (they are all there: moto delivers notifications at once),
/// dropping S3's test event.
async fn take(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    n: usize,
) -> anyhow::Result<Vec<aws_sdk_sqs::types::Message>> {
    let mut out: Vec<aws_sdk_sqs::types::Message> = Vec::new();
    while out.len() < n {
        let want = (n - out.len()).min(10) as i32;
        let got = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(want)
            .visibility_timeout(3600)
            .send()
            .await?;
        anyhow::ensure!(!got.messages().is_empty(), "the queue ran dry at {} of {n}", out.len());
        let (tests, photos): (Vec<_>, Vec<_>) = got
            .messages()
            .iter()
            .cloned()
            .partition(|m| m.body().is_some_and(|b| b.contains("s3:TestEvent")));
        delete_all(sqs, url, &tests).await?;
        out.extend(photos);
    }
    Ok(out)
}

async fn delete_all(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    messages: &[aws_sdk_sqs::types::Message],
) -> anyhow::Result<()> {
    for chunk in messages.chunks(10) {
        let mut batch = sqs.delete_message_batch().queue_url(url);
        for (i, m) in chunk.iter().enumerate() {
            batch = batch.entries(
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .build()?,
            );
        }
        batch.send().await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(20_000), |a| a.parse())?;
    let rate: f64 = args.get(1).map_or(Ok(5.0), |a| a.parse())?;
    let photo_seconds: f64 = args
        .iter()
        .position(|a| a == "--photo-seconds")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(0.65), |a| a.parse())?;
    const ALBUM_SIZE: usize = 100;
    const RESIZE_BATCH: usize = 4;
    const RESIZE_CONCURRENCY: usize = 5;
    const SITE_BATCH: usize = 500;
    const SITE_WINDOW: f64 = 10.0;
    const SITE_CONCURRENCY: usize = 2;
    const S3_LATENCY: f64 = 0.020;

    let sdk = sdk_config().await;
    let (s3, sqs) = (s3_client(&sdk), sqs_client(&sdk));
    let (source, resized, web) = (unique("bulk-src"), unique("bulk-rsz"), unique("bulk-web"));
    let (resize_url, resize_arn) = create_queue(&sqs, &unique("bulk-resize")).await?;
    let (site_url, site_arn) = create_queue(&sqs, &unique("bulk-site")).await?;
    create_notifying_bucket(&s3, &source, &resize_arn).await?;
    for bucket in [&resized, &web] {
        s3.create_bucket().bucket(bucket).send().await?;
    }
    let counts = Arc::new(Counts::default());
    let counted = |bucket: &str| -> Arc<dyn ObjectStore> {
        Arc::new(Counted { inner: S3Store::new(s3.clone(), bucket), counts: counts.clone() })
    };
    let worker = resize_worker::Worker::new(
        source.as_str(),
        counted(&source),
        counted(&resized),
        Arc::new(CountedQueue { inner: SqsSiteQueue::new(sqs.clone(), &site_url), counts: counts.clone() }),
        shared::Limits::default(),
    );
    let builder = SiteBuilder {
        source: counted(&source),
        resized: counted(&resized),
        web: counted(&web),
        renderer: Renderer::new("Bulk import")?,
        continuation: None,
    };

    // The uploads (one PUT each, as `aws s3 sync` makes them); S3 tells the resize queue.
    // 640×480 by default (one derivative); `--sample 2100x1400` makes all four sizes, as a phone
    // photo does, at several times the resize time here.
    let (width, height) = args
        .iter()
        .position(|a| a == "--sample")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.split_once('x'))
        .map_or(Ok((640, 480)), |(w, h)| anyhow::Ok((w.parse()?, h.parse()?)))?;
    let photo = Bytes::from(samples::sample_jpeg(width, height, 7, None)?);
    let started = Instant::now();
    let upload = |i: usize| {
        let (s3, source, photo) = (s3.clone(), source.clone(), photo.clone());
        async move {
            let key = format!("Album {:03}/IMG_{i:05}.jpg", i / ALBUM_SIZE);
            s3.put_object().bucket(&source).key(&key).body(photo.into()).send().await?;
            anyhow::Ok(())
        }
    };
    let mut uploaded = 0usize;

    // Resize: photo i arrives at i / rate; five invocation slots take up to four waiting photos
    // each time one is free (the event source's pollers hand a batch to a free slot at once).
    let arrival = |i: usize| i as f64 / rate;
    let mut slots = [0.0f64; RESIZE_CONCURRENCY];
    let (mut next, mut resize_invocations, mut resize_seconds) = (0usize, 0usize, 0.0f64);
    let mut site_arrivals: Vec<f64> = Vec::new(); // one per site message, when its invocation ended
    let (mut sqs_receives, mut sqs_deletes) = (0usize, 0usize);
    while next < n {
        let slot = (0..RESIZE_CONCURRENCY).min_by(|&a, &b| slots[a].total_cmp(&slots[b])).unwrap_or(0);
        let start = slots[slot].max(arrival(next));
        let mut batch = 1;
        while batch < RESIZE_BATCH && next + batch < n && arrival(next + batch) <= start {
            batch += 1;
        }
        // The photos are put into the bucket as their time comes, so the queue stays as short
        // as it would be (moto slows down with thousands of waiting messages).
        while uploaded < (next + batch).max(n.min(next + RESIZE_BATCH * RESIZE_CONCURRENCY)) {
            upload(uploaded).await?;
            uploaded += 1;
        }
        let messages = take(&sqs, &resize_url, batch).await?;
        sqs_receives += 1;
        let sent_before = counts.sqs_send.load(Relaxed);
        let event = lambda_event(&messages, &resize_arn);
        let response = resize_worker::lambda::handle_batch(
            &worker,
            lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(
            response.batch_item_failures.is_empty(),
            "resize failures: {:?}",
            response.batch_item_failures
        );
        delete_all(&sqs, &resize_url, &messages).await?;
        sqs_deletes += 1;
        let duration = batch as f64 * photo_seconds;
        resize_seconds += duration;
        resize_invocations += 1;
        slots[slot] = start + duration;
        // Each photo sent one site message.
        let sent = counts.sqs_send.load(Relaxed) - sent_before;
        anyhow::ensure!(sent >= 1, "the worker told the site queue");
        site_arrivals.extend(std::iter::repeat_n(start + duration, batch));
        next += batch;
        if resize_invocations % 500 == 0 {
            eprintln!("resized {next} of {n}");
        }
    }
    eprintln!("uploads and resize handlers ran in {:.0} s", started.elapsed().as_secs_f64());
    let resize_requests = counts.take_s3();
    let site_sends = counts.sqs_send.swap(0, Relaxed);
    site_arrivals.sort_by(f64::total_cmp);

    // Site builder: a batch starts collecting when a message waits and a slot is free, and is
    // handed over when 500 are waiting or 10 s after it started collecting.
    let mut site_slots = [0.0f64; SITE_CONCURRENCY];
    let (mut taken, mut site_invocations, mut site_seconds, mut site_wall) = (0usize, 0usize, 0.0f64, 0.0f64);
    let mut visible_at = 0.0f64;
    let mut site_requests = [0usize; 4];
    while taken < site_arrivals.len() {
        let slot =
            (0..SITE_CONCURRENCY).min_by(|&a, &b| site_slots[a].total_cmp(&site_slots[b])).unwrap_or(0);
        let open = site_slots[slot].max(site_arrivals[taken]);
        let full_at = site_arrivals.get(taken + SITE_BATCH - 1).copied().unwrap_or(f64::INFINITY);
        let start = (open + SITE_WINDOW).min(full_at.max(open));
        let batch =
            site_arrivals[taken..].iter().take(SITE_BATCH).take_while(|&&t| t <= start).count().max(1);
        let messages = take(&sqs, &site_url, batch).await?;
        sqs_receives += batch.div_ceil(10);
        let t = Instant::now();
        let response = handle_sqs(&builder, lambda_event(&messages, &site_arn), None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let wall = t.elapsed().as_secs_f64();
        anyhow::ensure!(
            response.batch_item_failures.is_empty(),
            "site failures: {:?}",
            response.batch_item_failures
        );
        delete_all(&sqs, &site_url, &messages).await?;
        sqs_deletes += batch.div_ceil(10);
        let made = counts.take_s3();
        for (total, n) in site_requests.iter_mut().zip(made) {
            *total += n;
        }
        let requests: usize = made.iter().sum();
        let duration = wall + requests as f64 * S3_LATENCY;
        site_seconds += duration;
        site_wall += wall;
        site_invocations += 1;
        site_slots[slot] = start + duration;
        visible_at = visible_at.max(start + duration);
        taken += batch;
    }

    // Every photo is in the gallery: the summary counts them all.
    let summary = s3.get_object().bucket(&web).key(shoebox_core::keys::GALLERY_DATA_KEY).send().await?;
    let summary: serde_json::Value = serde_json::from_slice(&summary.body.collect().await?.into_bytes())?;
    let shown: u64 = summary["albums"]
        .as_object()
        .map(|albums| albums.values().filter_map(|a| a["photo_count"].as_u64()).sum())
        .unwrap_or(0);
    anyhow::ensure!(shown == n as u64, "{shown} of {n} photos in the gallery");

    let uploads_end = arrival(n - 1);
    let gb_s_resize = resize_seconds * 1.769;
    let gb_s_site = site_seconds * 0.5;
    let put_requests = n + resize_requests[1] + site_requests[1];
    let get_requests = resize_requests[0] + site_requests[0];
    let sqs_requests = n + site_sends + sqs_receives + sqs_deletes;
    let lambda_cost = (gb_s_resize + gb_s_site) * 0.000_016_666_7
        + (resize_invocations + site_invocations) as f64 * 0.2 / 1e6;
    let s3_cost = put_requests as f64 * 0.005 / 1000.0
        + get_requests as f64 * 0.0004 / 1000.0
        + (resize_requests[3] + site_requests[3]) as f64 * 0.005 / 1000.0;
    let sqs_cost = sqs_requests as f64 * 0.4 / 1e6;
    println!("| {n} photos in albums of {ALBUM_SIZE}, {rate} a second | |");
    println!("|---|---:|");
    println!("| uploads end | {:.1} min |", uploads_end / 60.0);
    println!(
        "| last photo visible | {:.1} min ({:.0} s after the last upload) |",
        visible_at / 60.0,
        visible_at - uploads_end
    );
    println!(
        "| resize invocations (≤ 4 photos, ≤ 5 at once) | {resize_invocations} ({:.2} photos each) |",
        n as f64 / resize_invocations as f64
    );
    println!("| site-builder invocations (≤ 500 messages, 10 s window, ≤ 2 at once) | {site_invocations} ({:.0} messages each) |", n as f64 / site_invocations as f64);
    println!("| Lambda GB-seconds: resize (1,769 MB, {photo_seconds} s a photo) | {gb_s_resize:.0} |");
    println!("| Lambda GB-seconds: site builder (512 MB; {site_wall:.0} s measured on moto + 20 ms a request) | {gb_s_site:.0} |");
    println!("| S3 GET/HEAD: resize, site builder | {}, {} |", resize_requests[0], site_requests[0]);
    println!("| S3 PUT: uploads, resize, site builder | {n}, {}, {} |", resize_requests[1], site_requests[1]);
    println!(
        "| S3 DELETE, LIST: resize; site builder | {}, {}; {}, {} |",
        resize_requests[2], resize_requests[3], site_requests[2], site_requests[3]
    );
    println!("| SQS requests: notifications, site sends, receives, deletes | {n}, {site_sends}, {sqs_receives}, {sqs_deletes} |");
    println!(
        "| cost at list prices: Lambda, S3 requests, SQS (before free tiers) | ${lambda_cost:.2}, ${s3_cost:.2}, ${sqs_cost:.2} |"
    );
    eprintln!("ran in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
