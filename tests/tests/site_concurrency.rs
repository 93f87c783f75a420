//! Two site builders at once (the SiteQueue's event source allows two), through moto: each gets
//! half of the messages for the same album, and both read every data file before either writes,
//! so their writes collide. S3 conditional writes (If-Match / If-None-Match) must make the loser
//! read again and apply its messages again: no photo may be lost from the album's data, the
//! gallery summary or the album's page and the grid parts it lists (the album is big enough to
//! have parts, and the new photos fall into different ones).

use async_trait::async_trait;
use bytes::Bytes;
use lambda_runtime::{Context, LambdaEvent};
use shared::{
    s3_client, sqs_client, Object, ObjectInfo, ObjectStore, Precondition, PutOptions, S3Store, SiteQueue,
    SqsSiteQueue, StoreError,
};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest, SiteMessage};
use site_builder::lambda::{handle, SiteBuilder};
use site_builder::Renderer;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tests::*;

/// S3 with slow reads of data files, so two runs both read the same version before either
/// writes; counts the conditional writes that found the object changed.
#[derive(Debug)]
struct SlowReads {
    inner: S3Store,
    conflicts: Arc<AtomicUsize>,
}

#[async_trait]
impl ObjectStore for SlowReads {
    fn location(&self) -> String {
        self.inner.location()
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        self.inner.head(key).await
    }
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        let got = self.inner.get(key, max_bytes).await;
        if key.starts_with("_data/") {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        got
    }
    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError> {
        self.inner.put(key, body, options).await
    }
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        let result = self.inner.put_if(key, body, options, precondition).await;
        if matches!(result, Err(StoreError::Conflict { .. })) {
            self.conflicts.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        self.inner.list(prefix).await
    }
}

fn manifest(key: &str) -> PhotoManifest {
    let album = shoebox_core::keys::album_of(key).unwrap_or_default().to_owned();
    let stem = key.rsplit('/').next().unwrap_or(key).trim_end_matches(".jpg");
    let dir = shoebox_core::keys::derivative_dir(&album, stem, "etag", key);
    PhotoManifest {
        schema: shoebox_core::MANIFEST_SCHEMA,
        source_key: key.into(),
        album,
        etag: "etag".into(),
        sequencer: None,
        source_bytes: 1,
        width: 1500,
        height: 1000,
        derivatives: vec![Derivative {
            width: 640,
            height: 427,
            key: shoebox_core::keys::derivative_key(&dir, 640),
            bytes: 1,
        }],
        thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
        icc_profile: false,
        exif: ExifSummary::default(),
        video: None,
    }
}

#[tokio::test]
async fn two_site_builders_at_once_lose_no_update() -> anyhow::Result<()> {
    let sdk = sdk_config().await;
    let (s3, sqs) = (s3_client(&sdk), sqs_client(&sdk));
    let (source, resized, web) = (unique("src"), unique("rsz"), unique("web"));
    for bucket in [&source, &resized, &web] {
        s3.create_bucket().bucket(bucket).send().await?;
    }
    let (site_url, site_arn) = create_queue(&sqs, &unique("site")).await?;
    let conflicts = Arc::new(AtomicUsize::new(0));
    let builder = || -> anyhow::Result<SiteBuilder> {
        Ok(SiteBuilder {
            source: Arc::new(S3Store::new(s3.clone(), &source)),
            resized: Arc::new(S3Store::new(s3.clone(), &resized)),
            web: Arc::new(SlowReads { inner: S3Store::new(s3.clone(), &web), conflicts: conflicts.clone() }),
            renderer: Renderer::new("Two at once")?,
            continuation: None,
        })
    };
    let (first, second) = (builder()?, builder()?);

    // An album of 300 photos (a page and a few grid parts), made by one builder.
    let queue = SqsSiteQueue::new(sqs.clone(), &site_url);
    let mut expected: Vec<String> = (0..300).map(|i| format!("Trips/Rome/p{i:03}.jpg")).collect();
    let seed: Vec<SiteMessage> =
        expected.iter().map(|k| SiteMessage::PhotoUpserted { manifest: Box::new(manifest(k)) }).collect();
    let buckets = site_builder::site::Buckets {
        source: first.source.as_ref(),
        resized: first.resized.as_ref(),
        web: first.web.as_ref(),
    };
    site_builder::update_site(buckets, &first.renderer, &seed).await?;

    // Four rounds, each with a new pair of photos for the same album, sent through the real
    // SiteQueue and split between the two builders, which run at the same time. In the first
    // three, one is near the start and one further on (in different parts and data chunks); in
    // the last they are neighbours, so the run that loses the race for the head wrote a chunk
    // that no head will name.
    for round in 0..4 {
        let further = if round == 3 { 60 } else { 200 + round * 31 };
        let keys = [
            format!("Trips/Rome/p{:03}-r{round}.jpg", 60 + round * 7),
            format!("Trips/Rome/p{further:03}-r{round}b.jpg"),
        ];
        let messages: Vec<SiteMessage> =
            keys.iter().map(|k| SiteMessage::PhotoUpserted { manifest: Box::new(manifest(k)) }).collect();
        queue.send(&messages).await?;
        expected.extend(keys);
        let received = receive(&sqs, &site_url, 2).await?;
        anyhow::ensure!(received.len() == 2, "both messages arrive ({} did)", received.len());
        let event = |i: usize| {
            let event = lambda_event(&received[i..=i], &site_arn);
            serde_json::to_value(event).map(|v| LambdaEvent::new(v, Context::default()))
        };
        let (a, b) = (event(0)?, event(1)?);
        let (ra, rb) = tokio::join!(handle(&first, a.payload, None), handle(&second, b.payload, None));
        for r in [ra, rb] {
            let r = r.map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(r["batchItemFailures"].as_array().is_some_and(Vec::is_empty), "no failures: {r}");
        }
    }
    assert!(conflicts.load(Ordering::Relaxed) > 0, "the runs did collide, so the retry path was taken");

    // The album's data file, the summary and the page each hold every photo.
    let get = |key: &'static str| {
        let (s3, web) = (s3.clone(), web.clone());
        async move {
            let out = s3.get_object().bucket(&web).key(key).send().await?;
            anyhow::Ok(String::from_utf8(out.body.collect().await?.into_bytes().to_vec())?)
        }
    };
    let store = S3Store::new(s3.clone(), &web);
    let data = site_builder::album_file::load(&store, "Trips/Rome").await?;
    let photos: Vec<&String> = data.data.photos.keys().collect();
    assert_eq!(photos.len(), expected.len(), "every photo in the data: {photos:?}");
    // Chunks written by a run that lost the race for the head are deleted by it.
    let mut named: Vec<String> =
        data.chunks.iter().map(|h| shoebox_core::keys::album_data_chunk_key("Trips/Rome", h)).collect();
    named.sort();
    let stored: Vec<String> = store.list("_data/Trips/Rome/_c/").await?.into_iter().map(|o| o.key).collect();
    assert_eq!(stored, named, "the chunks stored are the chunks the head names");
    let summary: serde_json::Value = serde_json::from_str(&get("_data/gallery.json").await?)?;
    assert_eq!(summary["albums"]["Trips/Rome"]["photo_count"], expected.len());
    // The page and the parts it lists hold every photo exactly once, in the album's order.
    let page = get("Trips/Rome/index.html").await?;
    let mut shown: Vec<String> = page
        .split("id=\"photo-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    let parts = site_builder::parts::listed_parts(page.as_bytes());
    assert!(parts.len() >= 2, "the album has parts: {parts:?}");
    for hash in &parts {
        let key = shoebox_core::keys::grid_part_key("Trips/Rome", hash);
        let out = s3.get_object().bucket(&web).key(&key).send().await?;
        let part: serde_json::Value = serde_json::from_slice(&out.body.collect().await?.into_bytes())?;
        for photo in part["photos"].as_array().expect("photos") {
            shown.push(photo["id"].as_str().expect("id").to_owned());
        }
    }
    expected.sort_by(|a, b| a.rsplit('/').next().cmp(&b.rsplit('/').next()));
    let ids: Vec<String> = expected.iter().map(|k| shoebox_core::keys::photo_id(k)).collect();
    assert_eq!(shown, ids, "the page and its parts show every photo once, in order");
    let folder = get("Trips/index.html").await?;
    assert!(folder.contains(&format!("{} photos", expected.len())), "the folder's tile counts every photo");
    Ok(())
}
