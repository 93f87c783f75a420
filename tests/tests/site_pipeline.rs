//! Resize worker → SiteQueue → site builder → web bucket, all through moto: pages appear; a
//! deletion and a new album title change exactly the pages they touch; rebuild-all recovers a
//! corrupt data file; a failed album's records stay in the queue.

use lambda_runtime::{Context, LambdaEvent};
use resize_worker::lambda::handle_batch;
use shared::store::{FaultPlan, FaultyStore};
use shared::{s3_client, sqs_client, S3Store};
use site_builder::lambda::{handle, SiteBuilder};
use site_builder::update::load_album;
use site_builder::Renderer;
use std::sync::Arc;
use tests::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/exif-orientation")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn text(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> anyhow::Result<String> {
    let body = s3.get_object().bucket(bucket).key(key).send().await?.body.collect().await?.into_bytes();
    Ok(String::from_utf8(body.to_vec())?)
}

/// Buckets and queues in moto, wired like the stack: source → ResizeQueue, and a SiteQueue.
struct Pipeline {
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    source: String,
    resized: String,
    web: String,
    resize_url: String,
    resize_arn: String,
    site_url: String,
    site_arn: String,
}

async fn pipeline() -> anyhow::Result<Pipeline> {
    let sdk = sdk_config().await;
    let (s3, sqs) = (s3_client(&sdk), sqs_client(&sdk));
    let (source, resized, web) = (unique("src"), unique("rsz"), unique("web"));
    let (resize_url, resize_arn) = create_queue(&sqs, &unique("resize")).await?;
    let (site_url, site_arn) = create_queue(&sqs, &unique("site")).await?;
    create_notifying_bucket(&s3, &source, &resize_arn).await?;
    s3.create_bucket().bucket(&resized).send().await?;
    s3.create_bucket().bucket(&web).send().await?;
    let _ = receive(&sqs, &resize_url, 1).await?; // a possible test event
    Ok(Pipeline { s3, sqs, source, resized, web, resize_url, resize_arn, site_url, site_arn })
}

/// The site builder over the pipeline's three buckets.
fn site_builder(
    s3: &aws_sdk_s3::Client,
    source: &str,
    resized: &str,
    web: &str,
) -> anyhow::Result<SiteBuilder> {
    Ok(SiteBuilder {
        source: Arc::new(S3Store::new(s3.clone(), source)),
        resized: Arc::new(S3Store::new(s3.clone(), resized)),
        web: Arc::new(S3Store::new(s3.clone(), web)),
        renderer: Renderer::new("Moto Gallery")?,
        continuation: None,
    })
}

#[tokio::test]
async fn resized_photos_become_pages_and_changes_touch_only_their_pages() -> anyhow::Result<()> {
    let Pipeline { s3, sqs, source, resized, web, resize_url, resize_arn, site_url, site_arn } =
        pipeline().await?;

    let uploads = [
        ("Trips/Rome/one.jpg", fixture("Landscape_1.jpg")),
        ("Trips/Rome/two.jpg", fixture("Portrait_6.jpg")),
        ("Family/three.jpg", fixture("Landscape_3.jpg")),
    ];
    for (key, body) in &uploads {
        s3.put_object().bucket(&source).key(*key).body(body.clone().into()).send().await?;
    }
    s3.put_object()
        .bucket(&source)
        .key("Trips/Rome/album.yml")
        .body(b"title: Roma\n".to_vec().into())
        .send()
        .await?;

    let worker = s3_worker(&s3, &sqs, &source, &resized, &site_url);
    let builder = site_builder(&s3, &source, &resized, &web)?;
    let resize_round = |want: usize| {
        let (sqs, worker, resize_url, resize_arn) =
            (sqs.clone(), worker.clone(), resize_url.clone(), resize_arn.clone());
        async move {
            let messages = receive(&sqs, &resize_url, want).await?;
            let r = handle_batch(
                &worker,
                LambdaEvent::new(lambda_event(&messages, &resize_arn), Context::default()),
            )
            .await;
            anyhow::ensure!(
                r.map_err(|e| anyhow::anyhow!("{e}"))?.batch_item_failures.is_empty(),
                "resize failures"
            );
            anyhow::Ok(())
        }
    };
    let site_round = |want: usize| {
        let (sqs, site_url, site_arn) = (sqs.clone(), site_url.clone(), site_arn.clone());
        let builder = &builder;
        async move {
            let messages = receive(&sqs, &site_url, want).await?;
            let event = serde_json::to_value(lambda_event(&messages, &site_arn))?;
            let out = handle(builder, event, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(
                out["batchItemFailures"].as_array().is_some_and(|f| f.is_empty()),
                "site failures: {out}"
            );
            anyhow::Ok(())
        }
    };

    resize_round(4).await?;
    site_round(4).await?;
    let pages = [
        "index.html",
        "Trips/index.html",
        "Trips/Rome/index.html",
        "Family/index.html",
        "_auth/404.html",
        "_auth/login.html",
    ];
    for page in pages {
        let head = s3.head_object().bucket(&web).key(page).send().await?;
        assert_eq!(head.content_type(), Some("text/html; charset=utf-8"), "{page}");
        assert_eq!(head.cache_control(), Some("no-cache"), "{page}");
    }
    let rome = text(&s3, &web, "Trips/Rome/index.html").await?;
    assert!(rome.contains("<h1>Roma</h1>") && rome.matches("id=\"photo-").count() == 2, "{rome}");
    let etags = |keys: &'static [&'static str]| {
        let (s3, web) = (s3.clone(), web.clone());
        async move {
            let mut out = Vec::new();
            for k in keys {
                out.push(
                    s3.head_object()
                        .bucket(&web)
                        .key(*k)
                        .send()
                        .await?
                        .e_tag()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            anyhow::Ok(out)
        }
    };
    const PAGES: &[&str] = &["index.html", "Trips/index.html", "Trips/Rome/index.html", "Family/index.html"];
    let before = etags(PAGES).await?;

    // Delete a photo from Family and retitle Rome: Family, Rome and their parents change.
    s3.delete_object().bucket(&source).key("Family/three.jpg").send().await?;
    s3.put_object()
        .bucket(&source)
        .key("Trips/Rome/album.yml")
        .body(b"title: Rome, at last\n".to_vec().into())
        .send()
        .await?;
    resize_round(2).await?;
    site_round(2).await?;
    let after = etags(&PAGES[..3]).await?;
    assert_ne!(before[2], after[2], "Rome's page changed (title)");
    assert_ne!(before[1], after[1], "Trips' page changed (Rome's tile title)");
    assert_ne!(before[0], after[0], "the index changed (Family is now empty)");
    assert!(
        s3.head_object().bucket(&web).key("Family/index.html").send().await.is_err(),
        "the emptied album's page is deleted (its last photo went)"
    );
    assert!(text(&s3, &web, "Trips/Rome/index.html").await?.contains("<h1>Rome, at last</h1>"));
    assert!(!text(&s3, &web, "index.html").await?.contains(">Family<"), "an emptied album leaves the index");

    // A corrupt data file: rebuild-all restores it from the manifests.
    s3.put_object()
        .bucket(&web)
        .key("_data/Trips/Rome/album.json")
        .body(b"{broken".to_vec().into())
        .send()
        .await?;
    let out = handle(&builder, serde_json::json!({ "rebuild": "all" }), None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(out["albums"], 1, "{out}");
    let data = load_album(&S3Store::new(s3.clone(), &web), "Trips/Rome").await?;
    assert!(data.photos.contains_key("Trips/Rome/one.jpg"), "{data:?}");
    assert_eq!(data.metadata.title.as_deref(), Some("Rome, at last"));
    assert!(
        s3.head_object().bucket(&web).key("_data/Family/album.json").send().await.is_err(),
        "the emptied album's data file is gone"
    );
    Ok(())
}

/// A failed write keeps exactly its album's records in the queue while the rest of the batch is
/// applied; on redelivery the album's damaged data file is made again from the manifests and the
/// records go through. Nothing is acknowledged before its change is saved.
#[tokio::test]
async fn an_album_that_cannot_be_updated_keeps_its_messages_in_the_queue() -> anyhow::Result<()> {
    let Pipeline { s3, sqs, source, resized, web, resize_url, resize_arn, site_url, site_arn } =
        pipeline().await?;
    s3.put_object()
        .bucket(&web)
        .key("_data/Broken/album.json")
        .body(b"{broken".to_vec().into())
        .send()
        .await?;
    for key in ["Broken/a.jpg", "Fine/b.jpg"] {
        s3.put_object().bucket(&source).key(key).body(fixture("Landscape_1.jpg").into()).send().await?;
    }
    let worker = s3_worker(&s3, &sqs, &source, &resized, &site_url);
    let messages = receive(&sqs, &resize_url, 2).await?;
    let resize =
        handle_batch(&worker, LambdaEvent::new(lambda_event(&messages, &resize_arn), Context::default()))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(resize.batch_item_failures.is_empty(), "resize failures");

    // S3 refuses the first write of Broken's data (a 500): that album cannot be saved this time.
    let mut builder = site_builder(&s3, &source, &resized, &web)?;
    let plan = FaultPlan { failing_writes: vec![("_data/Broken/".into(), 1)], ..Default::default() };
    builder.web = Arc::new(FaultyStore::new(builder.web.clone(), plan));
    let messages = receive(&sqs, &site_url, 2).await?;
    assert_eq!(messages.len(), 2);
    let broken_ids: Vec<&str> = messages
        .iter()
        .filter(|m| m.body().is_some_and(|b| b.contains("Broken/a.jpg")))
        .filter_map(|m| m.message_id())
        .collect();
    assert_eq!(broken_ids.len(), 1);
    let event = serde_json::to_value(lambda_event(&messages, &site_arn))?;
    let out = handle(&builder, event.clone(), None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let failed: Vec<&str> = out["batchItemFailures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    assert_eq!(failed, broken_ids, "exactly the failed album's record is retried: {out}");
    assert!(text(&s3, &web, "Fine/index.html").await?.contains("/Fine/_p/b-"), "the other album is updated");
    assert!(s3.head_object().bucket(&web).key("Broken/index.html").send().await.is_err());

    // Redelivered, the batch goes through: the damaged file is made again from the manifests.
    let out = handle(&builder, event, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(out["batchItemFailures"], serde_json::json!([]), "{out}");
    assert!(text(&s3, &web, "Broken/index.html").await?.contains("/Broken/_p/a-"));
    let data = load_album(&S3Store::new(s3.clone(), &web), "Broken").await?;
    assert!(data.photos.contains_key("Broken/a.jpg"), "{data:?}");
    Ok(())
}
