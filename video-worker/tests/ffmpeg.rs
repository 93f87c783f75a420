//! The video worker with a real ffmpeg (`SHOEBOX_FFMPEG`, which `./scripts/test` points at the
//! pinned imageio-ffmpeg wheel's binary; these tests fail, not skip, without one). The clips are
//! made here with that ffmpeg: an iPhone-like portrait HEVC 10-bit MOV with AAC and a Live Photo
//! content identifier, a web-ready H.264 MP4, an audio-only file and broken files. Each output is
//! checked by probing it in Rust and by decoding its pixels.

use bytes::Bytes;
use shared::{
    ChangeKind, ChannelSiteQueue, Limits, MemoryStore, ObjectStore, PutOptions, S3Change, VideoQueue,
};
use shoebox_core::keys::manifest_key;
use shoebox_core::{PhotoManifest, SiteMessage};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use video_worker::{plan, probe, Ffmpeg, FfmpegError, Plan, Refusal, VideoCodec, VideoInfo, VideoWorker};

fn ffmpeg() -> Ffmpeg {
    Ffmpeg::locate(Duration::from_secs(120)).expect("these tests need ffmpeg: run ./scripts/test")
}

async fn make(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut all: Vec<std::ffi::OsString> =
        ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"].iter().map(Into::into).collect();
    all.extend(args.iter().map(Into::into));
    all.push(out.clone().into());
    ffmpeg().run(all).await.expect("makes the fixture");
    out
}

fn probed(path: &Path) -> VideoInfo {
    probe(std::fs::File::open(path).expect("open")).expect("probes")
}

/// The first frame of `path` as shown (upright), as RGB bytes.
async fn first_frame(dir: &Path, path: &Path) -> Vec<u8> {
    let input = path.to_str().expect("utf8");
    let args = ["-i", input, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24"];
    std::fs::read(make(dir, "frame.rgb", &args).await).expect("frame")
}

/// The video stream's packets, hashed by ffmpeg's streamhash muxer (what a remux must keep).
async fn video_hash(dir: &Path, path: &Path) -> String {
    let input = path.to_str().expect("utf8");
    let args = ["-i", input, "-map", "0:v:0", "-c", "copy", "-f", "streamhash", "-hash", "md5"];
    std::fs::read_to_string(make(dir, "hash.txt", &args).await).expect("hash")
}

/// A xorshift step: the damage tests' reproducible random numbers.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[tokio::test]
async fn an_iphone_like_portrait_hevc_clip_becomes_an_upright_h264_web_mp4() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 320×240 coded, a white square in the coded top-left corner, 10-bit HEVC and AAC; then a
    // display matrix that turns it a quarter clockwise to portrait, as an iPhone held upright
    // writes it, and the Live Photo keys.
    let coded = make(
        dir.path(),
        "coded.mov",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30:duration=1.5,drawbox=x=0:y=0:w=60:h=60:color=white:t=fill",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1.5",
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
        ],
    )
    .await;
    let clip = make(
        dir.path(),
        "IMG_0001.MOV",
        &[
            "-display_rotation",
            "-90",
            "-i",
            coded.to_str().expect("utf8"),
            "-c",
            "copy",
            "-movflags",
            "use_metadata_tags",
            "-metadata",
            "com.apple.quicktime.content.identifier=4A3B2C1D-0000-4000-8000-0123456789AB",
            "-metadata",
            "com.apple.quicktime.creationdate=2024-05-01T12:00:00+0200",
        ],
    )
    .await;

    let info = probed(&clip);
    let video = info.video.clone().expect("a video track");
    assert_eq!(video.codec, VideoCodec::Hevc);
    assert_eq!((video.bit_depth, video.chroma.as_deref()), (Some(10), Some("4:2:0")));
    assert_eq!((video.width, video.height, video.rotation), (320, 240, 90));
    assert_eq!(video.display_size(), (240, 320), "portrait as shown");
    assert_eq!(info.audio.as_deref(), Some("mp4a"));
    assert!((1_400..=1_600).contains(&info.duration_ms), "{} ms", info.duration_ms);
    assert_eq!(info.content_identifier.as_deref(), Some("4A3B2C1D-0000-4000-8000-0123456789AB"));
    assert_eq!(info.created_at.as_deref(), Some("2024-05-01T12:00:00+0200"));
    assert!(!info.faststart, "ffmpeg writes moov last unless told");

    let web_plan = plan(&info).expect("a video");
    assert!(matches!(web_plan, Plan::Transcode(ref w) if (w.width, w.height) == (240, 320)), "{web_plan:?}");
    let web = dir.path().join("web.mp4");
    ffmpeg().web_mp4(&clip, &web, &web_plan).await.expect("transcodes");

    let out = probed(&web);
    let v = out.video.clone().expect("video");
    assert_eq!(v.codec, VideoCodec::H264);
    assert_eq!((v.bit_depth, v.chroma.as_deref(), v.hdr), (Some(8), Some("4:2:0"), false));
    assert_eq!((v.width, v.height, v.rotation), (240, 320, 0), "portrait pixels, no display matrix left");
    assert_eq!(out.audio.as_deref(), Some("mp4a"), "the sound stays");
    assert!(out.faststart, "moov before mdat");
    assert!(out.duration_ms.abs_diff(info.duration_ms) <= 100, "{} vs {}", out.duration_ms, info.duration_ms);
    assert_eq!(out.content_identifier, None, "no metadata in the web copy");
    assert_eq!(plan(&out), Ok(Plan::Remux), "the web copy is what a web MP4 is");

    // The coded top-left corner, turned a quarter clockwise, is the top-right corner as shown.
    let frame = first_frame(dir.path(), &web).await;
    assert_eq!(frame.len(), 240 * 320 * 3);
    let pixel = |x: usize, y: usize| {
        let i = (y * 240 + x) * 3;
        frame[i..i + 3].iter().map(|&c| u32::from(c)).sum::<u32>()
    };
    assert!(pixel(230, 10) > 700, "white at the top right: {}", pixel(230, 10));
    assert!(pixel(10, 10) < 600, "not at the top left: {}", pixel(10, 10));

    // The poster is upright too.
    let poster = dir.path().join("poster.jpg");
    ffmpeg().poster(&clip, &poster, info.duration_ms).await.expect("poster");
    let frame = first_frame(dir.path(), &poster).await;
    assert_eq!(frame.len(), 240 * 320 * 3, "the poster is 240×320");
}

/// HDR clips (PQ, as HDR10 cameras write it, and HLG, as iPhones do) are tone-mapped to an SDR
/// BT.709 web copy.
#[tokio::test]
async fn hdr_clips_are_tone_mapped_to_sdr() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, transfer, x265) in [("pq", "smpte2084", "smpte2084"), ("hlg", "arib-std-b67", "arib-std-b67")]
    {
        let params = format!("log-level=error:colorprim=bt2020:transfer={x265}:colormatrix=bt2020nc");
        let clip = make(
            dir.path(),
            &format!("{name}.mov"),
            &[
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=30:duration=1",
                "-c:v",
                "libx265",
                "-x265-params",
                &params,
                "-pix_fmt",
                "yuv420p10le",
                "-color_primaries",
                "bt2020",
                "-color_trc",
                transfer,
                "-colorspace",
                "bt2020nc",
                "-tag:v",
                "hvc1",
            ],
        )
        .await;
        let info = probed(&clip);
        assert_eq!(info.video.as_ref().map(|v| (v.hdr, v.bit_depth)), Some((true, Some(10))), "{name}");
        let web_plan = plan(&info).expect("a video");
        assert!(matches!(web_plan, Plan::Transcode(ref w) if w.tone_map && !w.audio), "{name}: {web_plan:?}");
        let web = dir.path().join(format!("{name}.mp4"));
        ffmpeg().web_mp4(&clip, &web, &web_plan).await.expect("tone-maps");
        let v = probed(&web).video.expect("video");
        assert_eq!((v.codec, v.bit_depth, v.hdr), (VideoCodec::H264, Some(8), false), "{name}");
        assert_eq!(first_frame(dir.path(), &web).await.len(), 320 * 240 * 3, "{name}");
    }
}

#[tokio::test]
async fn a_web_ready_mp4_is_remuxed_with_the_same_video_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = make(
        dir.path(),
        "clip.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=30:duration=2",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ],
    )
    .await;
    let info = probed(&clip);
    assert_eq!(info.video.as_ref().map(|v| v.h264_profile.is_some()), Some(true));
    assert!(!info.faststart);
    assert_eq!(plan(&info), Ok(Plan::Remux));
    let web = dir.path().join("web.mp4");
    let started = std::time::Instant::now();
    ffmpeg().web_mp4(&clip, &web, &Plan::Remux).await.expect("remuxes");
    let took = started.elapsed();
    assert!(probed(&web).faststart);
    assert_eq!(
        video_hash(dir.path(), &web).await,
        video_hash(dir.path(), &clip).await,
        "the same video packets"
    );
    // A remux copies: far under the clip's 2 s even on a slow machine (an encode is not).
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn a_vp9_webm_is_probed_and_transcoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = make(
        dir.path(),
        "clip.webm",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30:duration=1.5",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1.5",
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "libopus",
            "-shortest",
        ],
    )
    .await;
    let info = probed(&clip);
    let video = info.video.clone().expect("a video track");
    assert_eq!((video.codec.clone(), video.width, video.height), (VideoCodec::Vp9, 320, 240));
    assert_eq!(info.audio.as_deref(), Some("A_OPUS"));
    assert!((1_400..=1_600).contains(&info.duration_ms), "{} ms", info.duration_ms);
    let web_plan = plan(&info).expect("a video");
    assert!(
        matches!(web_plan, Plan::Transcode(ref w) if (w.width, w.height, w.copy_audio, w.audio) == (320, 240, false, true)),
        "{web_plan:?}"
    );
    let web = dir.path().join("web.mp4");
    ffmpeg().web_mp4(&clip, &web, &web_plan).await.expect("transcodes");
    let out = probed(&web);
    assert_eq!(out.video.map(|v| (v.codec, v.width, v.height)), Some((VideoCodec::H264, 320, 240)));
    assert_eq!(out.audio.as_deref(), Some("mp4a"), "Opus becomes AAC");
    assert!(out.duration_ms.abs_diff(info.duration_ms) <= 100);

    // Cut and damaged copies of its header get an answer, never a panic.
    let bytes = std::fs::read(&clip).expect("read");
    let header = bytes.windows(4).position(|w| w == [0x1F, 0x43, 0xB6, 0x75]).expect("a cluster");
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for len in 0..header {
        let _ = probe(std::io::Cursor::new(bytes[..len].to_vec()));
    }
    for _ in 0..2_000 {
        let mut damaged = bytes.clone();
        let r = next(&mut seed);
        damaged[(r as usize) % header] = (r >> 40) as u8;
        let _ = probe(std::io::Cursor::new(damaged));
    }
}

/// A Motion Photo as a Pixel writes it: a JPEG with the XMP directory, then the MP4 (a 1 s HEVC
/// clip). Returns the photo, the plain still and the clip.
async fn motion_photo(dir: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let still =
        make(dir, "still.jpg", &["-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1"]).await;
    let clip = make(
        dir,
        "motion.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30:duration=1",
            "-c:v",
            "libx265",
            "-x265-params",
            "log-level=error",
            "-tag:v",
            "hvc1",
        ],
    )
    .await;
    let (still, clip) = (std::fs::read(still).expect("still"), std::fs::read(clip).expect("clip"));
    let xmp = format!(
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1"><Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="{}"/></rdf:li></rdf:Seq></Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>"#,
        clip.len()
    );
    let app1 = [&b"http://ns.adobe.com/xap/1.0/\0"[..], xmp.as_bytes()].concat();
    let mut photo = still[..2].to_vec();
    photo.extend([0xFF, 0xE1]);
    photo.extend(u16::try_from(app1.len() + 2).expect("fits").to_be_bytes());
    photo.extend(app1);
    photo.extend(&still[2..]);
    photo.extend(&clip);
    (photo, still, clip)
}

#[tokio::test]
async fn a_motion_photo_s_clip_is_found_and_made_playable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (photo, still, clip) = motion_photo(dir.path()).await;
    let range = video_worker::motion_photo::motion_video(&photo).expect("a motion photo");
    assert_eq!(&photo[range.clone()], &clip[..]);
    let info = probe(std::io::Cursor::new(&photo[range])).expect("an MP4");
    assert_eq!(info.video.map(|v| v.codec), Some(VideoCodec::Hevc));
    assert_eq!(video_worker::motion_photo::motion_video(&still), None, "a plain JPEG has none");
}

#[tokio::test]
async fn files_that_are_not_videos_are_named_with_their_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, body: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("write");
        path
    };
    let err = |path: &Path| probe(std::fs::File::open(path).expect("open")).expect_err("refused").to_string();
    assert_eq!(err(&write("empty.mp4", b"")), "not an MP4, QuickTime or WebM video: the file is empty");
    assert!(err(&write("text.mp4", b"<html>not a video</html>")).contains("not an ftyp box"));

    let clip = make(
        dir.path(),
        "clip.mov",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30:duration=1",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ],
    )
    .await;
    let bytes = std::fs::read(&clip).expect("read");
    // moov comes last: a cut upload has none (and its mdat runs past the end).
    let cut = write("cut.mov", &bytes[..bytes.len() / 2]);
    let says = err(&cut);
    assert!(says.contains("runs past the end") || says.contains("no moov box"), "{says}");

    // Audio only: a video file without a picture.
    let m4a = make(dir.path(), "voice.m4a", &["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac"]).await;
    let info = probed(&m4a);
    assert_eq!(info.audio.as_deref(), Some("mp4a"));
    assert_eq!(plan(&info), Err(Refusal::NoVideo));
}

#[tokio::test]
async fn an_ffmpeg_that_runs_too_long_is_stopped() {
    let mut slow = ffmpeg();
    slow.timeout = Duration::from_millis(300);
    let args = [
        "-hide_banner",
        "-nostdin",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1920x1080:duration=600",
        "-f",
        "null",
        "-",
    ];
    let started = std::time::Instant::now();
    let err = slow.run(args.iter().map(Into::into).collect()).await.expect_err("stopped");
    assert!(matches!(err, FfmpegError::TimedOut(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn ffmpeg_s_own_error_is_in_the_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.mov");
    std::fs::write(&junk, b"not a video at all").expect("write");
    let err = ffmpeg().web_mp4(&junk, &dir.path().join("out.mp4"), &Plan::Remux).await.expect_err("fails");
    assert!(err.to_string().contains("Invalid data found"), "{err}");
}

/// Cut and damaged copies of a real clip: each is probed to an answer (a description or an
/// error), never a panic or a hang.
#[tokio::test]
async fn cut_and_damaged_clips_never_panic_the_probe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = make(
        dir.path(),
        "clip.mov",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30:duration=1",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1",
            "-c:v",
            "libx265",
            "-x265-params",
            "log-level=error",
            "-tag:v",
            "hvc1",
            "-c:a",
            "aac",
            "-movflags",
            "+faststart+use_metadata_tags",
            "-metadata",
            "com.apple.quicktime.content.identifier=X",
        ],
    )
    .await;
    let bytes = std::fs::read(&clip).expect("read");
    let moov_end = bytes.windows(4).position(|w| w == b"mdat").expect("mdat");
    let probe_bytes = |b: Vec<u8>| probe(std::io::Cursor::new(b)).map(|_| ());
    let mut answers = (0, 0);
    for len in (0..bytes.len()).step_by(97).chain(0..moov_end.min(400)) {
        match probe_bytes(bytes[..len].to_vec()) {
            Ok(()) => answers.0 += 1,
            Err(_) => answers.1 += 1,
        }
    }
    // Flip bytes inside the boxes that are parsed (ftyp and moov), a few at a time.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..3_000 {
        let mut damaged = bytes.clone();
        for _ in 0..3 {
            let r = next(&mut seed);
            damaged[(r as usize) % moov_end] = (r >> 32) as u8;
        }
        match probe_bytes(damaged) {
            Ok(()) => answers.0 += 1,
            Err(_) => answers.1 += 1,
        }
    }
    assert!(answers.1 > 0 && answers.0 > 0, "some damage is refused, some is harmless: {answers:?}");
}

/// The video worker's queue as a list (what the resize worker forwarded).
#[derive(Default)]
struct Forwarded(Mutex<Vec<S3Change>>);

#[async_trait::async_trait]
impl VideoQueue for Forwarded {
    async fn send(&self, change: &S3Change) -> Result<(), shared::QueueError> {
        self.0.lock().expect("lock").push(change.clone());
        Ok(())
    }
}

/// An Android Motion Photo goes to the video worker (routed by its content, not its name), which
/// shows the still with its clip as motion; a plain JPEG stays with the resize worker; a Motion
/// Photo whose clip is broken is still shown, as a still.
#[tokio::test]
async fn motion_photos_are_routed_by_content_and_shown_as_stills_that_move() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (photo, still, clip) = motion_photo(dir.path()).await;
    let mut broken = photo.clone();
    let at = broken.len() - clip.len();
    broken[at + 8..].fill(0x55); // the ftyp box's type stays, the rest is noise
    let source = Arc::new(MemoryStore::new());
    let resized = Arc::new(MemoryStore::new());
    let mut changes = Vec::new();
    for (key, body) in [("A/PXL_1.MP.jpg", photo), ("A/plain.jpg", still), ("A/PXL_2.MP.jpg", broken)] {
        source.put(key, Bytes::from(body), &PutOptions::immutable_jpeg()).await.expect("put");
        let info = source.head(key).await.expect("head").expect("there");
        changes.push(S3Change {
            kind: ChangeKind::Created,
            bucket: "b".into(),
            key: key.into(),
            size: Some(info.size),
            etag: Some(info.etag),
            sequencer: None,
        });
    }
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let forwarded = Arc::new(Forwarded::default());
    let photos = resize_worker::Worker::new(
        "b",
        source.clone(),
        resized.clone(),
        Arc::new(ChannelSiteQueue::new(sender)),
        Limits::default(),
    );
    let routing = photos.clone().with_videos(forwarded.clone());
    let mut outcomes = Vec::new();
    for change in &changes {
        outcomes.push(routing.handle_change(change).await.expect("handled"));
    }
    use resize_worker::Outcome;
    assert!(matches!(
        &outcomes[..],
        [Outcome::VideoForwarded, Outcome::Resized { .. }, Outcome::VideoForwarded]
    ));
    let to_video: Vec<S3Change> = forwarded.0.lock().expect("lock").clone();
    assert_eq!(
        to_video.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
        ["A/PXL_1.MP.jpg", "A/PXL_2.MP.jpg"]
    );

    let worker = VideoWorker::new(photos, Some(ffmpeg()), dir.path().join("scratch"));
    assert!(matches!(worker.handle_change(&to_video[0]).await.expect("handled"), Outcome::Resized { .. }));
    // The broken clip's loss reaches the caller as a value, with its reason.
    let without = worker.handle_change(&to_video[1]).await.expect("handled");
    assert!(
        matches!(&without, Outcome::ResizedWithoutMotion { reason, .. } if reason.contains("not a video Shoebox can read")),
        "{without:?}"
    );
    let manifest = |key: &str| {
        let resized = resized.clone();
        let key = key.to_owned();
        async move {
            let body =
                resized.get(&manifest_key(&key), 1 << 20).await.expect("get").expect("a manifest").body;
            PhotoManifest::from_json(&body).expect("parses")
        }
    };
    let moving = manifest("A/PXL_1.MP.jpg").await;
    let video = moving.video.clone().expect("its motion");
    assert!(video.motion, "a still that moves, not a video");
    assert_eq!((moving.width, moving.height), (320, 240), "the still's size");
    assert!((900..=1_100).contains(&video.duration_ms), "{} ms", video.duration_ms);
    let web = resized.get(&video.web.key, 64 << 20).await.expect("get").expect("the web copy").body;
    let info = probe(std::io::Cursor::new(&web)).expect("an MP4");
    assert_eq!(info.video.map(|v| v.codec), Some(VideoCodec::H264), "HEVC motion made playable everywhere");
    for key in moving.stored_keys() {
        assert!(resized.head(key).await.expect("head").is_some(), "{key}");
    }
    let broken = manifest("A/PXL_2.MP.jpg").await;
    assert!(broken.video.is_none() && !broken.derivatives.is_empty(), "a broken clip loses only the motion");
    assert!(manifest("A/plain.jpg").await.video.is_none());
    let mut announced = Vec::new();
    while let Ok(SiteMessage::PhotoUpserted { manifest }) = receiver.try_recv() {
        announced.push(manifest.source_key);
    }
    announced.sort();
    assert_eq!(announced, ["A/PXL_1.MP.jpg", "A/PXL_2.MP.jpg", "A/plain.jpg"]);
}
