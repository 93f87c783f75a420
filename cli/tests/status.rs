//! `shoebox status` and `shoebox retry --stack` against a deployed-looking gallery in moto: a
//! CloudFormation stack with template.yaml's outputs, buckets filled by the real resize worker and
//! site builder (one photo shown, one that cannot be), and a message in each dead-letter queue.

mod common;

use aws_sdk_sqs::types::Message;
use common::fixture;
use shared::{encode_sqs_body, ChangeKind, S3Change, S3Store};
use shoebox_core::SiteMessage;
use site_builder::lambda::{handle_sqs, SiteBuilder};
use std::collections::BTreeSet;
use std::process::Output;
use std::sync::Arc;
use tests::{create_queue, lambda_event, receive, s3_worker, sdk_config, unique};

/// Runs `shoebox` against moto, as a user with credentials for the stack would.
fn shoebox(args: &[&str]) -> Output {
    common::command()
        .args(args)
        .env("AWS_ENDPOINT_URL", tests::endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("runs")
}

fn created(bucket: &str, key: &str) -> S3Change {
    S3Change {
        kind: ChangeKind::Created,
        bucket: bucket.into(),
        key: key.into(),
        size: None,
        etag: None,
        sequencer: None,
    }
}

fn resize_keys(messages: &[Message]) -> BTreeSet<String> {
    messages
        .iter()
        .flat_map(|m| shared::decode_sqs_body(m.body().unwrap_or_default()).expect("an S3 event"))
        .map(|c| c.key)
        .collect()
}

#[tokio::test]
async fn status_names_broken_photos_and_dead_letters_and_retry_sends_them_back() -> anyhow::Result<()> {
    let sdk = sdk_config().await;
    let (s3, sqs) = (shared::s3_client(&sdk), shared::sqs_client(&sdk));
    let (source, resized, web) = (unique("src"), unique("rsz"), unique("web"));
    for bucket in [&source, &resized, &web] {
        s3.create_bucket().bucket(bucket).send().await?;
    }
    let (resize_url, _) = create_queue(&sqs, &unique("resize")).await?;
    let (resize_dead, _) = create_queue(&sqs, &unique("resize-dlq")).await?;
    let (site_url, site_arn) = create_queue(&sqs, &unique("site")).await?;
    let (site_dead, _) = create_queue(&sqs, &unique("site-dlq")).await?;

    // One photo is shown; one cannot be (the worker records why and is done with it).
    let good = std::fs::read(fixture("Landscape_1.jpg"))?;
    s3.put_object().bucket(&source).key("Trips/good.jpg").body(good.into()).send().await?;
    s3.put_object()
        .bucket(&source)
        .key("Trips/broken.jpg")
        .body(b"text, not a photo".to_vec().into())
        .send()
        .await?;
    let worker = s3_worker(&s3, &sqs, &source, &resized, &site_url);
    for key in ["Trips/good.jpg", "Trips/broken.jpg"] {
        worker.handle_change(&created(&source, key)).await?;
    }
    let builder = SiteBuilder {
        source: Arc::new(S3Store::new(s3.clone(), &source)),
        resized: Arc::new(S3Store::new(s3.clone(), &resized)),
        web: Arc::new(S3Store::new(s3.clone(), &web)),
        renderer: site_builder::Renderer::new("Status Gallery")?,
        continuation: None,
    };
    let shown =
        handle_sqs(&builder, lambda_event(&receive(&sqs, &site_url, 1).await?, &site_arn), None).await?;
    assert!(shown.batch_item_failures.is_empty());

    // What failed five times sits in the dead-letter queues.
    let lost = encode_sqs_body(&[created(&source, "Trips/lost.jpg")]);
    sqs.send_message().queue_url(&resize_dead).message_body(lost).send().await?;
    let removal = SiteMessage::PhotoRemoved {
        source_key: "Trips/gone.jpg".into(),
        album: "Trips".into(),
        sequencer: None,
    };
    sqs.send_message().queue_url(&site_dead).message_body(serde_json::to_string(&removal)?).send().await?;

    let stack = unique("status");
    let outputs = serde_json::json!({
        "SourceBucket": { "Value": source },
        "ResizedBucket": { "Value": resized },
        "WebBucket": { "Value": web },
        "ResizeQueueUrl": { "Value": resize_url },
        "ResizeDeadLetterQueueUrl": { "Value": resize_dead },
        "SiteQueueUrl": { "Value": site_url },
        "SiteDeadLetterQueueUrl": { "Value": site_dead },
    });
    let template =
        serde_json::json!({ "Resources": { "Marker": { "Type": "AWS::SQS::Queue" } }, "Outputs": outputs });
    aws_sdk_cloudformation::Client::new(&sdk)
        .create_stack()
        .stack_name(&stack)
        .template_body(template.to_string())
        .send()
        .await?;

    let status = shoebox(&["status", "--stack", &stack]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(
        status.status.code(),
        Some(1),
        "something needs the owner: {text}{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for line in [
        "Gallery: stack status-",
        "1 photo in 1 album; site last updated 20",
        "resize queue: 0 waiting, 0 in progress",
        "1 photo cannot be shown:\n  Trips/broken.jpg: not an image",
        "1 message in the resize dead-letter queue",
        "  Trips/lost.jpg\n",
        "1 message in the site dead-letter queue",
        "  Trips/gone.jpg (to remove)\n",
        &format!("then run `shoebox retry --stack {stack}`"),
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    // Looking does not take: the dead letters are still there, visible.
    let again = String::from_utf8_lossy(&shoebox(&["status", "--stack", &stack]).stdout).into_owned();
    assert!(again.contains("Trips/lost.jpg") && again.contains("Trips/gone.jpg"), "{again}");

    let retry = shoebox(&["retry", "--stack", &stack]);
    let text = String::from_utf8_lossy(&retry.stdout);
    assert!(retry.status.success(), "{text}{}", String::from_utf8_lossy(&retry.stderr));
    assert!(text.contains("1 message moved back from the resize dead-letter queue"), "{text}");
    assert!(text.contains("1 message moved back from the site dead-letter queue"), "{text}");
    assert!(text.contains("1 photo that could not be shown sent to the resize worker again"), "{text}");

    let requeued = receive(&sqs, &resize_url, 2).await?;
    assert_eq!(
        resize_keys(&requeued),
        BTreeSet::from(["Trips/broken.jpg".to_owned(), "Trips/lost.jpg".to_owned()]),
        "the dead letter and the failed photo are back in the resize queue"
    );
    let site = receive(&sqs, &site_url, 1).await?;
    assert_eq!(site.len(), 1);
    assert!(site[0].body().is_some_and(|b| b.contains("Trips/gone.jpg")));
    for dead in [&resize_dead, &site_dead] {
        let left = sqs.receive_message().queue_url(dead).wait_time_seconds(1).send().await?;
        assert!(left.messages().is_empty(), "{dead} is empty");
    }

    // The fixed photo goes through the worker again and its record goes.
    s3.put_object()
        .bucket(&source)
        .key("Trips/broken.jpg")
        .body(std::fs::read(fixture("Portrait_3.jpg"))?.into())
        .send()
        .await?;
    let fixed: Vec<Message> =
        requeued.into_iter().filter(|m| m.body().is_some_and(|b| b.contains("broken"))).collect();
    for change in
        fixed.iter().flat_map(|m| shared::decode_sqs_body(m.body().unwrap_or_default()).expect("event"))
    {
        worker.handle_change(&change).await?;
    }
    let status = shoebox(&["status", "--stack", &stack]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(!text.contains("cannot be shown"), "{text}");
    Ok(())
}
