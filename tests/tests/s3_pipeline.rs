//! The resize pipeline end to end through moto: S3 events → SQS → the Lambda handler →
//! resized bucket + SiteQueue, with awkward keys, a corrupt photo in the same batch (recorded, not
//! retried, until it is replaced), a replay, and a deletion.

use lambda_runtime::{Context, LambdaEvent};
use resize_worker::lambda::handle_batch;
use shared::{s3_client, sqs_client};
use shoebox_core::{PhotoManifest, SiteMessage};
use std::collections::BTreeSet;
use tests::*;

const ROME: &str = "Trips/Rome 2024/a+b ü.jpg";
const DAY2: &str = "Trips/Rome 2024/Day 2/IMG 0001.JPG";
const BROKEN: &str = "Family/broken.jpg";
const ALBUM_YML: &str = "Family/album.yml";
const HIDDEN: &str = "Family/.DS_Store";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/exif-orientation")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn site_messages(messages: &[aws_sdk_sqs::types::Message]) -> Vec<SiteMessage> {
    messages
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap_or_default()).expect("a SiteMessage"))
        .collect()
}

#[tokio::test]
async fn s3_events_through_sqs_to_derivatives_manifests_and_site_messages() -> anyhow::Result<()> {
    let sdk = sdk_config().await;
    let (s3, sqs) = (s3_client(&sdk), sqs_client(&sdk));
    let (source, resized) = (unique("source"), unique("resized"));
    let (resize_url, resize_arn) = create_queue(&sqs, &unique("resize")).await?;
    let (site_url, _) = create_queue(&sqs, &unique("site")).await?;
    create_notifying_bucket(&s3, &source, &resize_arn).await?;
    s3.create_bucket().bucket(&resized).send().await?;
    // A test event may arrive when the notification is configured; it must be harmless.
    let setup = receive(&sqs, &resize_url, 1).await?;

    let uploads: Vec<(&str, Vec<u8>)> = vec![
        (ROME, fixture("Landscape_6.jpg")),
        (DAY2, fixture("Portrait_8.jpg")),
        (BROKEN, b"this is a text file with a .jpg name".to_vec()),
        (ALBUM_YML, b"title: Family\n".to_vec()),
        (HIDDEN, b"junk".to_vec()),
    ];
    for (key, body) in &uploads {
        s3.put_object().bucket(&source).key(*key).body(body.clone().into()).send().await?;
    }
    let mut messages = setup;
    messages.extend(receive(&sqs, &resize_url, uploads.len()).await?);
    let events = messages.iter().filter(|m| m.body().is_some_and(|b| b.contains("Records"))).count();
    assert_eq!(events, uploads.len(), "one S3 event per upload");

    let worker = s3_worker(&s3, &sqs, &source, &resized, &site_url);
    let event = lambda_event(&messages, &resize_arn);
    let response =
        handle_batch(&worker, LambdaEvent::new(event.clone(), Context::default())).await.expect("handled");

    // The broken photo cannot be shown whatever happens: recorded once, not retried.
    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
    let records = shared::list_failures(&shared::S3Store::new(s3.clone(), &resized)).await?;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].source_key, BROKEN);
    assert!(records[0].reason.starts_with("not an image"), "{}", records[0].reason);

    // Derivatives and manifests landed under the awkward keys.
    let stored: BTreeSet<String> = keys(&s3, &resized).await?.into_iter().collect();
    for (key, dims) in [(ROME, (1800, 1200)), (DAY2, (1200, 1800))] {
        let manifest_key = shoebox_core::keys::manifest_key(key);
        assert!(stored.contains(&manifest_key), "{manifest_key} in {stored:?}");
        let body = s3
            .get_object()
            .bucket(&resized)
            .key(&manifest_key)
            .send()
            .await?
            .body
            .collect()
            .await?
            .into_bytes();
        let manifest = PhotoManifest::from_json(&body)?;
        assert_eq!(manifest.source_key, key);
        assert_eq!((manifest.width, manifest.height), dims, "{key} is upright");
        assert_eq!(manifest.derivatives.len(), 4);
        for d in &manifest.derivatives {
            assert!(stored.contains(&d.key), "{} stored", d.key);
            let head = s3.head_object().bucket(&resized).key(&d.key).send().await?;
            assert_eq!(head.content_type(), Some("image/jpeg"));
            assert_eq!(head.cache_control(), Some("public, max-age=31536000, immutable"));
            assert_eq!(head.content_length(), Some(d.bytes as i64));
        }
    }
    let derived = stored.iter().filter(|k| !k.starts_with(shoebox_core::keys::FAILURES_PREFIX));
    assert!(!derived.into_iter().any(|k| k.contains("broken") || k.contains("DS_Store")), "{stored:?}");

    // The site builder was told about both photos and the album.yml, and nothing else.
    let site = site_messages(&receive(&sqs, &site_url, 3).await?);
    let mut told: Vec<String> = site
        .iter()
        .map(|m| match m {
            SiteMessage::PhotoUpserted { manifest } => format!("photo {}", manifest.source_key),
            SiteMessage::AlbumMetadataChanged { album, removed, .. } => {
                format!("album {album} removed={removed}")
            }
            other => format!("unexpected {other:?}"),
        })
        .collect();
    told.sort();
    let mut expected =
        vec!["album Family removed=false".to_owned(), format!("photo {ROME}"), format!("photo {DAY2}")];
    expected.sort();
    assert_eq!(told, expected);

    // A replay of the same batch does no image work: nothing in the resized bucket changes.
    let before = keys(&s3, &resized).await?;
    let replay = handle_batch(&worker, LambdaEvent::new(event, Context::default())).await.expect("handled");
    assert!(replay.batch_item_failures.is_empty(), "the broken photo is recorded again, not retried");
    assert_eq!(keys(&s3, &resized).await?, before, "its record is kept as it was");

    // Deleting a photo removes its derivatives and manifest and tells the site builder.
    let _ = receive(&sqs, &site_url, 3).await?; // the replay's re-announcements
    let rome_manifest: PhotoManifest = {
        let body = s3
            .get_object()
            .bucket(&resized)
            .key(shoebox_core::keys::manifest_key(ROME))
            .send()
            .await?
            .body
            .collect()
            .await?;
        PhotoManifest::from_json(&body.into_bytes())?
    };
    s3.delete_object().bucket(&source).key(ROME).send().await?;
    let deletion = receive(&sqs, &resize_url, 1).await?;
    let deletion: Vec<_> =
        deletion.into_iter().filter(|m| m.body().is_some_and(|b| b.contains("ObjectRemoved"))).collect();
    assert_eq!(deletion.len(), 1);
    let response =
        handle_batch(&worker, LambdaEvent::new(lambda_event(&deletion, &resize_arn), Context::default()))
            .await
            .expect("handled");
    assert!(response.batch_item_failures.is_empty());
    let stored: BTreeSet<String> = keys(&s3, &resized).await?.into_iter().collect();
    for d in &rome_manifest.derivatives {
        assert!(!stored.contains(&d.key), "{} deleted", d.key);
    }
    assert!(!stored.contains(&shoebox_core::keys::manifest_key(ROME)));
    assert!(stored.contains(&shoebox_core::keys::manifest_key(DAY2)), "the other photo stays");
    let site = site_messages(&receive(&sqs, &site_url, 1).await?);
    assert!(
        site.iter().any(|m| matches!(m, SiteMessage::PhotoRemoved { source_key, album, .. } if source_key == ROME && album == "Trips/Rome 2024")),
        "{site:?}"
    );

    // The owner replaces the broken photo with a real one: it is resized and its record goes.
    s3.put_object().bucket(&source).key(BROKEN).body(fixture("Landscape_1.jpg").into()).send().await?;
    let fixed = receive(&sqs, &resize_url, 1).await?;
    let response =
        handle_batch(&worker, LambdaEvent::new(lambda_event(&fixed, &resize_arn), Context::default()))
            .await
            .expect("handled");
    assert!(response.batch_item_failures.is_empty());
    let stored = keys(&s3, &resized).await?;
    assert!(stored.contains(&shoebox_core::keys::manifest_key(BROKEN)), "{stored:?}");
    assert!(!stored.contains(&shoebox_core::keys::failure_key(BROKEN)), "the record is gone: {stored:?}");
    Ok(())
}
