//! What to make of a video: pure decisions over [`VideoInfo`], so every rule is a unit test.
//!
//! Every browser plays H.264 8-bit 4:2:0 in MP4 with AAC audio and `moov` first; Safari alone
//! plays HEVC, and 10-bit or HDR H.264 plays almost nowhere. A clip that already is exactly that
//! (upright, at most [`REMUX_SHORT_SIDE`]) is remuxed: the same video bytes, `moov` moved to the
//! front. Anything else is transcoded, scaled so its short side is at most [`WEB_SHORT_SIDE`],
//! the display rotation baked into the pixels and HDR tone-mapped to SDR.

use crate::probe::{VideoCodec, VideoInfo};
use serde::{Deserialize, Serialize};

/// A transcode's short side at most, in pixels. Measured by `scripts/bench-video` on one core
/// (docs/performance.md): against 1080, 720 takes two thirds of the CPU time (so one 900 s
/// invocation takes clips half as long again), writes a third of the bytes, and is Immich's
/// default; phone screens and the lightbox's usual size show little difference.
pub const WEB_SHORT_SIDE: u32 = 720;
/// A web-ready H.264 clip is remuxed up to this short side: copying costs nothing, so a camera's
/// or an Android phone's 1080p H.264 keeps its quality.
pub const REMUX_SHORT_SIDE: u32 = 1080;
/// Longest clip taken, in milliseconds (3 hours); longer is refused as absurd.
pub const MAX_DURATION_MS: u64 = 3 * 3600 * 1000;
/// Largest coded side taken (8K is 7680).
pub const MAX_SIDE: u32 = 8192;

/// The web copy a transcode makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebVideo {
    /// Width as shown (even).
    pub width: u32,
    /// Height as shown (even).
    pub height: u32,
    /// Tone-map HDR (PQ, HLG) to SDR.
    pub tone_map: bool,
    /// Keep the source's AAC as it is (else encode AAC, or no audio when there is none).
    pub copy_audio: bool,
    /// Whether the source has audio at all.
    pub audio: bool,
}

/// What to do with a video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum Plan {
    /// Already a web MP4: copy its streams into a new MP4 with `moov` first.
    Remux,
    /// Encode a web MP4.
    Transcode(WebVideo),
}

/// Why a file is not taken as a video.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Refusal {
    /// Sound only (a voice memo, an `.m4a` renamed).
    #[error("it has no video stream (audio only)")]
    NoVideo,
    /// Zero duration.
    #[error("it lasts 0 seconds")]
    Empty,
    /// Longer than [`MAX_DURATION_MS`].
    #[error("it lasts {0} s, more than the 3 hours taken")]
    TooLong(u64),
    /// A side of 0 or over [`MAX_SIDE`].
    #[error("its frames are {0}×{1} pixels, outside 1 to 8192")]
    BadSize(u32, u32),
}

/// Whether a video is exactly what every browser plays, upright and not too large.
fn web_ready(info: &VideoInfo) -> bool {
    let Some(v) = &info.video else { return false };
    v.codec == VideoCodec::H264
        && v.bit_depth == Some(8)
        && v.chroma.as_deref() == Some("4:2:0")
        && !v.hdr
        && v.rotation == 0
        && !v.mirrored
        && v.width.min(v.height) <= REMUX_SHORT_SIDE
        && info.audio.as_deref().is_none_or(|a| a == "mp4a")
}

/// Decides what to make of a probed video.
pub fn plan(info: &VideoInfo) -> Result<Plan, Refusal> {
    let Some(video) = &info.video else { return Err(Refusal::NoVideo) };
    if info.duration_ms == 0 {
        return Err(Refusal::Empty);
    }
    if info.duration_ms > MAX_DURATION_MS {
        return Err(Refusal::TooLong(info.duration_ms / 1000));
    }
    let (w, h) = (video.width, video.height);
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(Refusal::BadSize(w, h));
    }
    if web_ready(info) {
        return Ok(Plan::Remux);
    }
    let (shown_w, shown_h) = video.display_size();
    let scale = f64::from(WEB_SHORT_SIDE) / f64::from(shown_w.min(shown_h));
    let scale = scale.min(1.0);
    // H.264 4:2:0 needs even sides.
    let even = |side: u32| ((f64::from(side) * scale / 2.0).round() as u32 * 2).max(2);
    Ok(Plan::Transcode(WebVideo {
        width: even(shown_w),
        height: even(shown_h),
        tone_map: video.hdr,
        copy_audio: info.audio.as_deref() == Some("mp4a"),
        audio: info.audio.is_some(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::VideoTrack;

    fn clip(codec: VideoCodec, (w, h): (u32, u32), rotation: u16, depth: u8, hdr: bool) -> VideoInfo {
        VideoInfo {
            brand: "qt  ".into(),
            duration_ms: 3_000,
            video: Some(VideoTrack {
                codec,
                width: w,
                height: h,
                rotation,
                mirrored: false,
                bit_depth: Some(depth),
                chroma: Some("4:2:0".into()),
                hdr,
                h264_profile: None,
            }),
            audio: Some("mp4a".into()),
            created_at: None,
            content_identifier: None,
            faststart: false,
        }
    }

    #[test]
    fn a_web_mp4_is_remuxed_and_everything_else_transcoded() {
        // Web-ready H.264 up to 1080p is copied, not encoded again.
        assert_eq!(plan(&clip(VideoCodec::H264, (1920, 1080), 0, 8, false)), Ok(Plan::Remux));
        // An iPhone's portrait HEVC HDR clip: upright, 720 wide, tone-mapped.
        let iphone = plan(&clip(VideoCodec::Hevc, (3840, 2160), 90, 10, true));
        assert_eq!(
            iphone,
            Ok(Plan::Transcode(WebVideo {
                width: 720,
                height: 1280,
                tone_map: true,
                copy_audio: true,
                audio: true
            }))
        );
        // Rotated H.264 is transcoded too: the rotation goes into the pixels.
        assert!(matches!(plan(&clip(VideoCodec::H264, (1280, 720), 90, 8, false)), Ok(Plan::Transcode(_))));
        // 10-bit H.264, or larger than 1080p, or with other audio.
        assert!(matches!(plan(&clip(VideoCodec::H264, (1280, 720), 0, 10, false)), Ok(Plan::Transcode(_))));
        let big = plan(&clip(VideoCodec::H264, (3840, 2160), 0, 8, false));
        assert!(matches!(big, Ok(Plan::Transcode(WebVideo { width: 1280, height: 720, .. }))), "{big:?}");
        let mut pcm = clip(VideoCodec::H264, (640, 480), 0, 8, false);
        pcm.audio = Some("lpcm".into());
        assert!(matches!(plan(&pcm), Ok(Plan::Transcode(WebVideo { copy_audio: false, audio: true, .. }))));
        // Small clips keep their size; odd sides become even.
        let odd = plan(&clip(VideoCodec::Vp9, (321, 241), 0, 8, false));
        assert!(matches!(odd, Ok(Plan::Transcode(WebVideo { width: 322, height: 242, .. }))), "{odd:?}");
    }

    #[test]
    fn what_cannot_be_a_video_is_refused_with_its_reason() {
        let mut audio_only = clip(VideoCodec::H264, (640, 480), 0, 8, false);
        audio_only.video = None;
        assert_eq!(plan(&audio_only), Err(Refusal::NoVideo));
        let mut empty = clip(VideoCodec::H264, (640, 480), 0, 8, false);
        empty.duration_ms = 0;
        assert_eq!(plan(&empty), Err(Refusal::Empty));
        let mut long = clip(VideoCodec::H264, (640, 480), 0, 8, false);
        long.duration_ms = 4 * 3600 * 1000;
        assert_eq!(
            plan(&long).map_err(|e| e.to_string()),
            Err("it lasts 14400 s, more than the 3 hours taken".into())
        );
        assert_eq!(plan(&clip(VideoCodec::H264, (0, 480), 0, 8, false)), Err(Refusal::BadSize(0, 480)));
        assert_eq!(
            plan(&clip(VideoCodec::H264, (65535, 480), 0, 8, false)),
            Err(Refusal::BadSize(65535, 480))
        );
    }
}
