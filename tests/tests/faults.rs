//! Fault injection through the real handlers: the resize worker's and the site builder's Lambda
//! entry points, over stores and a queue that fail on random schedules (errors, 503 SlowDown,
//! timeouts after the write landed, lost conditional writes), and whose process may be killed
//! mid-batch (nothing more reaches the buckets, the response is lost, SQS redelivers the whole
//! batch). Failed records are redelivered, as SQS does, until every one is acknowledged. Two
//! properties, over many schedules:
//!
//! - no record is acknowledged whose change is not in the buckets at that moment;
//! - the buckets end as a run without faults leaves them.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Context, LambdaEvent};
use proptest::prelude::*;
use shared::store::{Fault, FaultPlan, FaultyStore};
use shared::{
    encode_sqs_body, ChangeKind, Limits, MemoryStore, ObjectStore, PutOptions, QueueError, S3Change,
    SiteQueue,
};
use shoebox_core::keys::{failure_key, manifest_key};
use shoebox_core::{Derivative, ExifSummary, FailureRecord, PhotoManifest, Sequencer, SiteMessage};
use site_builder::lambda::{handle_sqs, SiteBuilder};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Redeliveries after which a record that still fails means the handler never gets it right.
const MAX_ROUNDS: usize = 200;

fn fault() -> impl Strategy<Value = Option<Fault>> {
    prop_oneof![
        6 => Just(None),
        1 => Just(Some(Fault::Fail)),
        1 => Just(Some(Fault::SlowDown)),
        1 => Just(Some(Fault::TimeoutAfter)),
        1 => Just(Some(Fault::LoseRace)),
    ]
}

fn schedule(max: usize) -> impl Strategy<Value = Vec<Option<Fault>>> {
    prop::collection::vec(fault(), 0..max)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// An SQS event of `(message id, body)` records.
fn sqs_event(records: &[(String, String)]) -> SqsEvent {
    let records = records
        .iter()
        .map(|(id, body)| {
            serde_json::from_value(serde_json::json!({
                "messageId": id, "body": body, "attributes": {}, "messageAttributes": {},
                "eventSource": "aws:sqs", "awsRegion": "us-east-1"
            }))
            .expect("an SQS record")
        })
        .collect();
    let mut event = SqsEvent::default();
    event.records = records;
    event
}

fn failed_ids(response: &SqsBatchResponse) -> Vec<String> {
    response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect()
}

/// Every object of a store: key → bytes.
async fn contents(store: &MemoryStore) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for info in store.list("").await.expect("list") {
        let object = store.get(&info.key, u64::MAX).await.expect("get").expect("listed");
        out.insert(info.key, object.body.to_vec());
    }
    out
}

/// Delivers `records` in batches of `batch` through `handle` until each is acknowledged, as SQS
/// redelivers failed records; after each call, `check` sees the records it acknowledged. When
/// `process` was killed during a call, its response is lost: the whole batch comes back.
async fn deliver<F, Fut, C, CFut>(
    records: Vec<(String, String)>,
    batch: usize,
    process: &FaultyStore,
    handle: F,
    check: C,
) where
    F: Fn(SqsEvent) -> Fut,
    Fut: std::future::Future<Output = SqsBatchResponse>,
    C: Fn(Vec<(String, String)>) -> CFut,
    CFut: std::future::Future<Output = ()>,
{
    let mut pending = records;
    let mut rounds = 0;
    while !pending.is_empty() {
        rounds += 1;
        assert!(rounds <= MAX_ROUNDS, "still failing after {MAX_ROUNDS} deliveries: {pending:?}");
        let take = batch.min(pending.len());
        let now: Vec<(String, String)> = pending.drain(..take).collect();
        let response = handle(sqs_event(&now)).await;
        if process.killed() {
            process.restart();
            pending.extend(now);
            continue;
        }
        let failed = failed_ids(&response);
        let (retry, acked): (Vec<_>, Vec<_>) = now.into_iter().partition(|(id, _)| failed.contains(id));
        check(acked).await;
        pending.extend(retry);
    }
}

// ------------------------------------------------------------------------------- resize worker

/// A SiteQueue that keeps what it was sent, failing sends as its schedule says.
#[derive(Default)]
struct RecordingQueue {
    sent: Mutex<Vec<SiteMessage>>,
    schedule: Mutex<(usize, Vec<Option<Fault>>)>,
    /// The process's store: once it is killed, nothing is sent either.
    process: Option<Arc<FaultyStore>>,
}

#[async_trait::async_trait]
impl SiteQueue for RecordingQueue {
    async fn send(&self, messages: &[SiteMessage]) -> Result<(), QueueError> {
        let fault = {
            let mut guard = self.schedule.lock().expect("lock");
            let (count, plan) = &mut *guard;
            *count += 1;
            plan.get(*count - 1).copied().flatten()
        };
        if self.process.as_ref().is_some_and(|p| p.killed()) {
            return Err(QueueError::Send { queue: "site".into(), message: "the process was killed".into() });
        }
        if fault == Some(Fault::TimeoutAfter) {
            self.sent.lock().expect("lock").extend_from_slice(messages);
        }
        if let Some(fault) = fault {
            return Err(QueueError::Send { queue: "site".into(), message: format!("injected {fault:?}") });
        }
        self.sent.lock().expect("lock").extend_from_slice(messages);
        Ok(())
    }
}

fn png(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(120, 80, |x, y| image::Rgb([x as u8 ^ seed, y as u8, seed]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).expect("encodes");
    bytes.into_inner()
}

const SOURCE: &str = "source";

/// The source and resized buckets as the worker finds them: two photos, a file that is not
/// one, and `A/old.png`, resized earlier and deleted since.
async fn worker_buckets() -> (Arc<MemoryStore>, Arc<MemoryStore>) {
    let (source, resized) = (Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new()));
    for (key, body) in [("A/old.png", png(9)), ("A/p1.png", png(1)), ("B/p2.png", png(2))] {
        source.put(key, body.into(), &PutOptions::default()).await.expect("put");
    }
    source.put("A/broken.png", "not a photo".into(), &PutOptions::default()).await.expect("put");
    let worker = worker(source.clone(), resized.clone(), Arc::new(RecordingQueue::default()));
    worker.handle_change(&change(&source, ChangeKind::Created, "A/old.png").await).await.expect("resized");
    source.delete("A/old.png").await.expect("delete");
    (source, resized)
}

fn worker(
    source: Arc<dyn ObjectStore>,
    resized: Arc<dyn ObjectStore>,
    queue: Arc<dyn SiteQueue>,
) -> resize_worker::Worker {
    resize_worker::Worker::new(SOURCE, source, resized, queue, Limits::default())
}

async fn change(source: &MemoryStore, kind: ChangeKind, key: &str) -> S3Change {
    let head = source.head(key).await.expect("head");
    S3Change {
        kind,
        bucket: SOURCE.into(),
        key: key.into(),
        size: head.as_ref().map(|h| h.size),
        etag: head.map(|h| h.etag),
        sequencer: None,
    }
}

/// The S3 events of the scenario, one per record: two photos, the broken file, a photo deleted
/// before it was read, and the deletion of `A/old.png`.
async fn worker_records(source: &MemoryStore) -> Vec<(String, String)> {
    let mut records = Vec::new();
    for (kind, key) in [
        (ChangeKind::Created, "A/p1.png"),
        (ChangeKind::Created, "B/p2.png"),
        (ChangeKind::Created, "A/broken.png"),
        (ChangeKind::Created, "A/gone.png"),
        (ChangeKind::Removed, "A/old.png"),
    ] {
        let body = encode_sqs_body(&[change(source, kind, key).await]);
        records.push((format!("{key} {kind:?}"), body));
    }
    records
}

/// The resized bucket with failure records' times left out (they say when, which differs).
async fn resized_contents(store: &MemoryStore) -> BTreeMap<String, Vec<u8>> {
    let mut out = contents(store).await;
    for (key, body) in out.iter_mut() {
        if key.starts_with(shoebox_core::keys::FAILURES_PREFIX) {
            let mut record = FailureRecord::from_json(body).expect("a failure record");
            record.at.clear();
            *body = record.to_json();
        }
    }
    out
}

/// What an acknowledged S3 event must have left in the resized bucket and told the site.
async fn worker_applied(
    acked: &[(String, String)],
    source: &MemoryStore,
    resized: &MemoryStore,
    queue: &RecordingQueue,
) {
    for (id, body) in acked {
        for c in shared::decode_sqs_body(body).expect("an S3 event") {
            let manifest = resized.get(&manifest_key(&c.key), 1 << 20).await.expect("get");
            let told =
                |wanted: &dyn Fn(&SiteMessage) -> bool| queue.sent.lock().expect("lock").iter().any(wanted);
            match (c.kind, c.key.as_str()) {
                (ChangeKind::Created, "A/broken.png") => {
                    let record = resized.get(&failure_key(&c.key), 1 << 20).await.expect("get");
                    assert!(record.is_some(), "{id} acknowledged without its failure record");
                }
                (ChangeKind::Created, key) if source.head(key).await.expect("head").is_some() => {
                    let manifest =
                        PhotoManifest::from_json(&manifest.expect("acknowledged, so resized").body)
                            .expect("manifest");
                    for d in &manifest.derivatives {
                        assert!(
                            resized.head(&d.key).await.expect("head").is_some(),
                            "{id}: {} missing",
                            d.key
                        );
                    }
                    assert!(
                        told(
                            &|m| matches!(m, SiteMessage::PhotoUpserted { manifest } if manifest.source_key == key)
                        ),
                        "{id}: the site was not told"
                    );
                }
                (ChangeKind::Created, _) => {
                    assert!(manifest.is_none(), "{id}: a photo that is gone was resized")
                }
                (ChangeKind::Removed, key) => {
                    assert!(manifest.is_none(), "{id} acknowledged with its manifest left");
                    assert!(
                        told(
                            &|m| matches!(m, SiteMessage::PhotoRemoved { source_key, .. } if source_key == key)
                        ),
                        "{id}: the site was not told"
                    );
                }
            }
        }
    }
}

async fn resize_run(
    store_faults: Vec<Option<Fault>>,
    queue_faults: Vec<Option<Fault>>,
    killed_at: Option<usize>,
    batch: usize,
) -> (BTreeMap<String, Vec<u8>>, Vec<SiteMessage>) {
    let (source, resized) = worker_buckets().await;
    let records = worker_records(&source).await;
    let plan = FaultPlan { schedule: store_faults, killed_at, ..Default::default() };
    let faulty = Arc::new(FaultyStore::new(resized.clone(), plan));
    let queue = Arc::new(RecordingQueue { process: Some(faulty.clone()), ..RecordingQueue::default() });
    *queue.schedule.lock().expect("lock") = (0, queue_faults);
    let worker = worker(source.clone(), faulty.clone(), queue.clone());
    let handle = |event: SqsEvent| {
        let worker = worker.clone();
        async move {
            resize_worker::lambda::handle_batch(&worker, LambdaEvent::new(event, Context::default()))
                .await
                .expect("a response")
        }
    };
    let check = |acked: Vec<(String, String)>| {
        let (source, resized, queue) = (source.clone(), resized.clone(), queue.clone());
        async move { worker_applied(&acked, &source, &resized, &queue).await }
    };
    deliver(records, batch, &faulty, handle, check).await;
    let sent = queue.sent.lock().expect("lock").clone();
    (resized_contents(&resized).await, sent)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_resize_worker_loses_nothing_whatever_fails(
        store_faults in schedule(60),
        queue_faults in schedule(8),
        killed_at in prop::option::of(0usize..60),
        batch in 1usize..=5,
    ) {
        let runtime = runtime();
        let (expected, _) = runtime.block_on(resize_run(Vec::new(), Vec::new(), None, 5));
        let (got, sent) = runtime.block_on(resize_run(store_faults, queue_faults, killed_at, batch));
        prop_assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
        prop_assert!(got == expected, "same keys, different bytes");
        for key in ["A/p1.png", "B/p2.png"] {
            let told = sent.iter().any(|m| matches!(m, SiteMessage::PhotoUpserted { manifest } if manifest.source_key == key));
            prop_assert!(told, "{} was never announced", key);
        }
    }
}

// ------------------------------------------------------------------------------- site builder

fn manifest(key: &str, etag: &str, sequencer: u64) -> PhotoManifest {
    let (album, file) = key.rsplit_once('/').expect("in an album");
    let stem = file.trim_end_matches(".jpg");
    PhotoManifest {
        schema: shoebox_core::MANIFEST_SCHEMA,
        source_key: key.into(),
        album: album.into(),
        etag: etag.into(),
        sequencer: Some(Sequencer(format!("{sequencer:016X}"))),
        source_bytes: 1000,
        width: 400,
        height: 300,
        derivatives: [320u32, 640]
            .iter()
            .map(|w| Derivative {
                width: *w,
                height: w * 3 / 4,
                key: format!("{album}/_p/{stem}-{etag}/{w}.jpg"),
                bytes: 1,
            })
            .collect(),
        thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
        icc_profile: false,
        exif: ExifSummary::default(),
        video: None,
    }
}

fn seq(n: u64) -> Option<Sequencer> {
    Some(Sequencer(format!("{n:016X}")))
}

/// SiteQueue messages touching three albums: new photos, a replaced one, a deletion that
/// overtakes nothing, an album.yml change. Sequencers make the outcome independent of order.
fn site_records() -> Vec<(String, String)> {
    let upsert = |m: PhotoManifest| SiteMessage::PhotoUpserted { manifest: Box::new(m) };
    let messages = [
        upsert(manifest("A/p1.jpg", "e1", 10)),
        upsert(manifest("A/p2.jpg", "e1", 11)),
        upsert(manifest("B/q1.jpg", "e1", 12)),
        upsert(manifest("A/Sub/r1.jpg", "e1", 13)),
        SiteMessage::AlbumMetadataChanged { album: "A".into(), removed: false, sequencer: seq(14) },
        SiteMessage::PhotoRemoved { source_key: "A/p2.jpg".into(), album: "A".into(), sequencer: seq(20) },
        upsert(manifest("A/p1.jpg", "e2", 30)),
    ];
    messages
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("m{i}"), serde_json::to_string(m).expect("json")))
        .collect()
}

/// What an acknowledged SiteQueue message must have left in the album's data and page.
async fn site_applied(acked: &[(String, String)], web: &MemoryStore) {
    for (id, body) in acked {
        let message: SiteMessage = serde_json::from_str(body).expect("a SiteMessage");
        let data = site_builder::update::load_album(web, message.album()).await.expect("readable data");
        match &message {
            SiteMessage::PhotoUpserted { manifest } => {
                let newer_or_same =
                    data.photos.get(&manifest.source_key).is_some_and(|m| m.sequencer >= manifest.sequencer);
                let deleted_later = data
                    .deleted
                    .get(&manifest.source_key)
                    .is_some_and(|s| Some(s) > manifest.sequencer.as_ref());
                assert!(newer_or_same || deleted_later, "{id} acknowledged but not in the data: {data:?}");
                if let Some(shown) = data.photos.get(&manifest.source_key) {
                    let page =
                        web.get(&format!("{}/index.html", manifest.album), 1 << 22).await.expect("get");
                    let page = String::from_utf8(page.expect("acknowledged, so rendered").body.to_vec())
                        .expect("utf8");
                    assert!(
                        page.contains(&shown.derivatives[0].key),
                        "{id}: the page does not show {}",
                        shown.derivatives[0].key
                    );
                }
            }
            SiteMessage::PhotoRemoved { source_key, sequencer, .. } => {
                let gone = data.photos.get(source_key).is_none_or(|m| m.sequencer > *sequencer);
                assert!(gone, "{id} acknowledged but the photo is still in the data");
            }
            SiteMessage::AlbumMetadataChanged { sequencer, .. } => {
                assert!(data.metadata_sequencer >= *sequencer, "{id} acknowledged but album.yml not applied");
                assert_eq!(data.metadata.title.as_deref(), Some("Alpha"), "{id}");
            }
        }
    }
}

async fn site_run(
    web_faults: Vec<Option<Fault>>,
    killed_at: Option<usize>,
    order: Vec<usize>,
    batch: usize,
) -> BTreeMap<String, Vec<u8>> {
    let plan = FaultPlan { schedule: web_faults, killed_at, ..Default::default() };
    let (source, resized, web) =
        (Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new()));
    source.put("A/album.yml", "title: Alpha\n".into(), &PutOptions::default()).await.expect("put");
    let faulty = Arc::new(FaultyStore::new(web.clone(), plan));
    let builder = Arc::new(SiteBuilder {
        source,
        resized,
        web: faulty.clone(),
        renderer: site_builder::Renderer::new("Faults").expect("templates"),
        continuation: None,
    });
    let all = site_records();
    let records = order.iter().map(|i| all[*i].clone()).collect();
    let handle = |event: SqsEvent| {
        let builder = builder.clone();
        async move { handle_sqs(&builder, event, None).await.expect("every record has an id") }
    };
    let check = |acked: Vec<(String, String)>| {
        let web = web.clone();
        async move { site_applied(&acked, &web).await }
    };
    deliver(records, batch, &faulty, handle, check).await;
    let mut out = contents(&web).await;
    // Data chunks are compared through the heads that name them (reading a head reads its
    // chunks, so a missing one fails here). A write that failed after its chunks were stored can
    // leave chunks no head names: storage only, swept by rebuild-all.
    out.retain(|key, _| shoebox_core::keys::data_chunk_of_key(key).is_none());
    // Data files: what they hold, not how often they were saved (`revision`, tombstones).
    for (key, body) in out.iter_mut() {
        if let Some(album) = shoebox_core::keys::album_of_data_key(key) {
            let data = site_builder::update::load_album(web.as_ref(), album).await.expect("data");
            let photos: BTreeMap<&String, &String> = data.photos.iter().map(|(k, m)| (k, &m.etag)).collect();
            *body = format!("{photos:?} {:?}", data.metadata.title).into_bytes();
        }
    }
    out.remove(shoebox_core::keys::GALLERY_DATA_KEY);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_site_builder_loses_nothing_whatever_fails(
        web_faults in schedule(80),
        killed_at in prop::option::of(0usize..80),
        order in Just((0..7).collect::<Vec<usize>>()).prop_shuffle(),
        batch in 1usize..=7,
    ) {
        let runtime = runtime();
        let expected = runtime.block_on(site_run(Vec::new(), None, (0..7).collect(), 7));
        let got = runtime.block_on(site_run(web_faults, killed_at, order, batch));
        prop_assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
        for (key, body) in &expected {
            prop_assert!(got[key] == *body, "{} differs:\n{}\n---\n{}", key, String::from_utf8_lossy(&got[key]), String::from_utf8_lossy(body));
        }
    }
}
