//! Videos end to end through moto: an upload's S3 event reaches the resize worker, which sends it
//! to the video queue; the video worker's Lambda handler streams the clip from S3 to scratch
//! space, makes the poster's derivatives and the web MP4 with the pinned ffmpeg
//! (`SHOEBOX_FFMPEG`), writes them and the manifest, and tells the site builder. A text file named
//! `.mov` is recorded as not shown; a deletion removes the web copy too.

use lambda_runtime::{Context, LambdaEvent};
use resize_worker::lambda::{handle_batch, handle_batch_with};
use shared::{s3_client, sqs_client, SqsVideoQueue};
use shoebox_core::keys::{failure_key, manifest_key};
use shoebox_core::{PhotoManifest, SiteMessage};
use std::sync::Arc;
use std::time::Duration;
use tests::*;
use video_worker::{Ffmpeg, VideoWorker};

const CLIP: &str = "Trips/Day 1/IMG_0001.MOV";
const NOT_A_CLIP: &str = "Trips/Day 1/notes.mov";

/// A 2 s 10-bit HEVC clip with sound, made by the pinned ffmpeg.
async fn clip(ffmpeg: &Ffmpeg, dir: &std::path::Path) -> Vec<u8> {
    let out = dir.join("clip.mov");
    let args = [
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=2",
        "-c:v",
        "libx265",
        "-x265-params",
        "log-level=error",
        "-pix_fmt",
        "yuv420p10le",
        "-tag:v",
        "hvc1",
        "-c:a",
        "aac",
        "-shortest",
    ];
    let mut all: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    all.push(out.clone().into());
    ffmpeg.run(all).await.expect("makes the clip");
    std::fs::read(out).expect("clip")
}

#[tokio::test]
async fn a_video_goes_from_the_resize_queue_through_the_video_worker_to_the_site_queue() -> anyhow::Result<()>
{
    let ffmpeg = Ffmpeg::locate(Duration::from_secs(120)).expect("./scripts/test sets SHOEBOX_FFMPEG");
    let scratch = tempfile::tempdir()?;
    let sdk = sdk_config().await;
    let (s3, sqs) = (s3_client(&sdk), sqs_client(&sdk));
    let (source, resized) = (unique("source"), unique("resized"));
    let (resize_url, resize_arn) = create_queue(&sqs, &unique("resize")).await?;
    let (video_url, video_arn) = create_queue(&sqs, &unique("video")).await?;
    let (site_url, _) = create_queue(&sqs, &unique("site")).await?;
    create_notifying_bucket(&s3, &source, &resize_arn).await?;
    s3.create_bucket().bucket(&resized).send().await?;
    let setup = receive(&sqs, &resize_url, 1).await?;

    let body = clip(&ffmpeg, scratch.path()).await;
    s3.put_object().bucket(&source).key(CLIP).body(body.into()).send().await?;
    s3.put_object().bucket(&source).key(NOT_A_CLIP).body(b"just text".to_vec().into()).send().await?;
    let mut messages = setup;
    messages.extend(receive(&sqs, &resize_url, 2).await?);

    // The resize worker does no video work: it hands each video's event to the video queue.
    let photos = s3_worker(&s3, &sqs, &source, &resized, &site_url)
        .with_videos(Arc::new(SqsVideoQueue::new(sqs.clone(), &video_url)));
    let event = lambda_event(&messages, &resize_arn);
    let response = handle_batch(&photos, LambdaEvent::new(event, Context::default())).await.expect("handled");
    assert!(response.batch_item_failures.is_empty());
    assert!(keys(&s3, &resized).await?.is_empty(), "nothing made by the resize worker");
    let videos = receive(&sqs, &video_url, 2).await?;
    assert_eq!(videos.len(), 2);

    let worker = VideoWorker::new(photos.clone(), Some(ffmpeg), scratch.path().join("work"));
    let event = lambda_event(&videos, &video_arn);
    let response = handle_batch_with(LambdaEvent::new(event, Context::default()), |body| {
        let worker = worker.clone();
        async move { worker.handle_body(&body).await.map(|_| ()).map_err(|e| e.to_string()) }
    })
    .await
    .expect("handled");
    assert!(response.batch_item_failures.is_empty(), "the text file is recorded, not retried");

    let manifest = s3.get_object().bucket(&resized).key(manifest_key(CLIP)).send().await?;
    let manifest = PhotoManifest::from_json(&manifest.body.collect().await?.into_bytes())?;
    let video = manifest.video.clone().expect("a video manifest");
    assert!(video.duration_ms.abs_diff(2_000) <= 100, "{} ms", video.duration_ms);
    assert!(video.audio && !video.remuxed);
    assert_eq!((video.web.width, video.web.height), (320, 240));
    assert_eq!((manifest.width, manifest.height), (320, 240), "the poster's size");
    let web = s3.get_object().bucket(&resized).key(&video.web.key).send().await?;
    assert_eq!(web.content_type(), Some("video/mp4"));
    let web = web.body.collect().await?.into_bytes();
    assert_eq!(web.len() as u64, video.web.bytes);
    let info = video_worker::probe(std::io::Cursor::new(&web))?;
    assert_eq!(info.video.map(|v| v.codec), Some(video_worker::VideoCodec::H264));
    assert!(info.faststart);
    let stored = keys(&s3, &resized).await?;
    for d in &manifest.derivatives {
        assert!(stored.contains(&d.key), "{} stored", d.key);
    }
    assert!(!scratch.path().join("work").read_dir()?.any(|_| true), "scratch space is cleaned up");

    let failure = s3.get_object().bucket(&resized).key(failure_key(NOT_A_CLIP)).send().await?;
    let failure = String::from_utf8(failure.body.collect().await?.into_bytes().to_vec())?;
    assert!(failure.contains("not a video Shoebox can read"), "{failure}");

    let site: Vec<SiteMessage> = receive(&sqs, &site_url, 1)
        .await?
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap_or_default()).expect("a SiteMessage"))
        .collect();
    assert!(
        matches!(&site[..], [SiteMessage::PhotoUpserted { manifest: m }] if m.video.is_some()),
        "{site:?}"
    );

    // Deleted: the web copy goes with the poster's derivatives and the manifest.
    s3.delete_object().bucket(&source).key(CLIP).send().await?;
    let deleted = receive(&sqs, &resize_url, 1).await?;
    let event = lambda_event(&deleted, &resize_arn);
    handle_batch(&photos, LambdaEvent::new(event, Context::default())).await.expect("handled");
    let removal = receive(&sqs, &video_url, 1).await?;
    worker.handle_body(removal[0].body().unwrap_or_default()).await?;
    let left = keys(&s3, &resized).await?;
    assert_eq!(left, [failure_key(NOT_A_CLIP)], "only the text file's record is left");
    Ok(())
}
