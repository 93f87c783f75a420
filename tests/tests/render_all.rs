//! A full render that runs short of time goes on in the next invocation: it queues
//! `{"render":"all","after":…}` on the site queue (moto, through the real SQS client), and the
//! invocation that receives it continues after that album, until every page is written.

use bytes::Bytes;
use shared::{sqs_client, MemoryStore, ObjectStore, PutOptions, SqsSiteQueue};
use shoebox_core::keys::{album_data_key, album_page_key, GALLERY_DATA_KEY};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest};
use site_builder::lambda::{handle, handle_sqs, SiteBuilder};
use site_builder::{AlbumData, GallerySummary, Renderer};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tests::*;

const ALBUMS: usize = 600;

fn album(a: usize) -> String {
    format!("Album {a:03}")
}

/// A gallery of `ALBUMS` albums of one photo each, as data files.
async fn gallery() -> Arc<MemoryStore> {
    let web = Arc::new(MemoryStore::new());
    let mut summary = GallerySummary::default();
    for a in 0..ALBUMS {
        let name = album(a);
        let mut data = AlbumData::new(&name);
        let key = format!("{name}/IMG_1.jpg");
        let manifest = PhotoManifest {
            schema: shoebox_core::MANIFEST_SCHEMA,
            source_key: key.clone(),
            album: name.clone(),
            etag: "e".into(),
            sequencer: None,
            source_bytes: 1,
            width: 400,
            height: 300,
            derivatives: vec![Derivative {
                width: 320,
                height: 240,
                key: format!("{name}/_p/IMG_1-e/320.jpg"),
                bytes: 1,
            }],
            thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
            icc_profile: false,
            exif: ExifSummary::default(),
            video: None,
        };
        data.photos.insert(key, manifest);
        data.revision = 1;
        let body = Bytes::from(serde_json::to_vec(&data).expect("json"));
        web.put(&album_data_key(&name), body, &PutOptions::json()).await.expect("put");
        summary.update(&data);
    }
    let body = Bytes::from(serde_json::to_vec(&summary).expect("json"));
    web.put(GALLERY_DATA_KEY, body, &PutOptions::json()).await.expect("put");
    web
}

fn builder(web: Arc<MemoryStore>, queue: Option<SqsSiteQueue>) -> anyhow::Result<SiteBuilder> {
    Ok(SiteBuilder {
        source: Arc::new(MemoryStore::new()),
        resized: Arc::new(MemoryStore::new()),
        web,
        renderer: Renderer::new("Big Gallery")?,
        continuation: queue.map(|q| Arc::new(q) as Arc<dyn site_builder::lambda::Continuation>),
    })
}

/// An invocation with almost no time left: one step, then it must stop.
fn short() -> Option<Instant> {
    Some(Instant::now() + Duration::from_secs(1))
}

async fn pages(web: &MemoryStore) -> usize {
    let mut n = 0;
    for a in 0..ALBUMS {
        n += usize::from(web.head(&album_page_key(&album(a))).await.expect("head").is_some());
    }
    n
}

#[tokio::test]
async fn a_full_render_short_of_time_continues_through_the_site_queue() -> anyhow::Result<()> {
    let sdk = sdk_config().await;
    let sqs = sqs_client(&sdk);
    let (site_url, site_arn) = create_queue(&sqs, &unique("site")).await?;
    let web = gallery().await;
    let builder = builder(web.clone(), Some(SqsSiteQueue::new(sqs.clone(), &site_url)))?;

    let out = handle(&builder, serde_json::json!({ "render": "all" }), short())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut after = out["continues_after"].as_str().expect("it stopped after one step").to_owned();
    let first = pages(&web).await;
    assert!(first > 0 && first < ALBUMS, "one step, not everything: {first} pages");
    assert!(web.head("index.html").await?.is_some(), "the first step renders the index");

    let mut invocations = 1;
    loop {
        // A continuation is sent before its invocation returns: no wait for one that never comes.
        let received = sqs.receive_message().queue_url(&site_url).wait_time_seconds(1).send().await?;
        let messages = received.messages().to_vec();
        if messages.is_empty() {
            break;
        }
        assert_eq!(messages.len(), 1, "one continuation at a time");
        let body: serde_json::Value = serde_json::from_str(messages[0].body().unwrap_or_default())?;
        assert_eq!(body, serde_json::json!({ "render": "all", "after": after }));
        let response = handle_sqs(&builder, lambda_event(&messages, &site_arn), short()).await?;
        assert!(response.batch_item_failures.is_empty());
        sqs.delete_message()
            .queue_url(&site_url)
            .receipt_handle(messages[0].receipt_handle().unwrap_or_default())
            .send()
            .await?;
        invocations += 1;
        assert!(invocations < 10, "the render does not end");
        let done = pages(&web).await;
        assert!(done > first, "each invocation gets further");
        // The next continuation, if any, names the last page this one rendered.
        after = format!("Album {:03}", done - 1);
    }
    assert_eq!(pages(&web).await, ALBUMS, "every page, after {invocations} invocations");
    assert!(invocations >= 3, "{ALBUMS} pages in steps of 256 take three: {invocations}");
    Ok(())
}

#[tokio::test]
async fn without_a_queue_a_render_short_of_time_says_where_it_stopped() -> anyhow::Result<()> {
    let web = gallery().await;
    let builder = builder(web.clone(), None)?;
    let out = handle(&builder, serde_json::json!({ "render": "all" }), short())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let next = out["next"].as_str().expect("where to go on").to_owned();
    let out = handle(&builder, serde_json::json!({ "render": "all", "after": next }), None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(out.get("next").is_none(), "with time enough it finishes: {out}");
    assert_eq!(pages(&web).await, ALBUMS);
    Ok(())
}

#[tokio::test]
async fn pages_a_full_render_cannot_write_go_on_as_a_message_that_is_retried_until_they_render(
) -> anyhow::Result<()> {
    let sdk = sdk_config().await;
    let sqs = sqs_client(&sdk);
    let (site_url, site_arn) = create_queue(&sqs, &unique("site-pages")).await?;
    let web = gallery().await;
    let damaged = album(7);
    let good = web.get(&album_data_key(&damaged), 1 << 20).await?.expect("data file").body;
    web.put(&album_data_key(&damaged), Bytes::from_static(b"{not json"), &PutOptions::json()).await?;
    let builder = builder(web.clone(), Some(SqsSiteQueue::new(sqs.clone(), &site_url)))?;

    let out = handle(&builder, serde_json::json!({ "render": "all" }), None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(out["sent_again"], serde_json::json!([damaged]), "{out}");
    assert_eq!(pages(&web).await, ALBUMS - 1, "the rest of the render went on");

    let received = sqs.receive_message().queue_url(&site_url).wait_time_seconds(1).send().await?;
    let messages = received.messages().to_vec();
    assert_eq!(messages.len(), 1);
    let body: serde_json::Value = serde_json::from_str(messages[0].body().unwrap_or_default())?;
    assert_eq!(body, serde_json::json!({ "render": "pages", "pages": [damaged] }));
    // Still damaged: not acknowledged, so the queue retries it (and after five tries the
    // dead-letter queue and its alarm tell the owner).
    let response = handle_sqs(&builder, lambda_event(&messages, &site_arn), None).await?;
    let retried: Vec<&str> =
        response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(retried, [messages[0].message_id().unwrap_or_default()]);
    assert!(web.head(&album_page_key(&damaged)).await?.is_none());
    // Repaired (e.g. by `{"rebuild":"all"}`): the retry renders it and is acknowledged.
    web.put(&album_data_key(&damaged), good, &PutOptions::json()).await?;
    let response = handle_sqs(&builder, lambda_event(&messages, &site_arn), None).await?;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(pages(&web).await, ALBUMS);
    Ok(())
}
