//! Live Photos: a still and the short clip that is its motion are one item of the album.
//!
//! A clip is a still's motion when Apple's content identifier of both is the same (the still's
//! MakerNote, the clip's QuickTime metadata); failing that, when they share a file name stem in
//! the album (`IMG_0001.HEIC` and `IMG_0001.MOV`) and the clip is short enough to be motion, not
//! a video of its own.

use crate::album::AlbumData;
use shoebox_core::keys::last_segment;
use shoebox_core::PhotoManifest;
use std::collections::{BTreeMap, HashMap};

/// The longest clip paired with a still by name alone (Live Photos last about 3 s).
pub const MAX_MOTION_BY_STEM_MS: u64 = 5_000;

fn stem(source_key: &str) -> &str {
    let file = last_segment(source_key);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

/// Each still's motion clip, by the still's source key.
pub fn motions(data: &AlbumData) -> BTreeMap<&str, &PhotoManifest> {
    // A Motion Photo carries its own motion and is a still here.
    let is_clip = |p: &PhotoManifest| p.video.as_ref().is_some_and(|v| !v.motion);
    let stills: Vec<&PhotoManifest> = data.photos.values().filter(|p| !is_clip(p)).collect();
    let by_identifier: HashMap<&str, &str> = stills
        .iter()
        .filter_map(|p| Some((p.exif.content_identifier.as_deref()?, p.source_key.as_str())))
        .collect();
    let mut by_stem: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in &stills {
        by_stem.entry(stem(&p.source_key)).or_default().push(&p.source_key);
    }
    let mut out = BTreeMap::new();
    for clip in data.photos.values().filter(|p| is_clip(p)) {
        let Some(video) = &clip.video else { continue };
        let still =
            video.content_identifier.as_deref().and_then(|id| by_identifier.get(id).copied()).or_else(|| {
                match by_stem.get(stem(&clip.source_key)).map(Vec::as_slice) {
                    // Only when the name points at one still: `a.jpg` + `a.heic` + `a.mov` is left apart.
                    Some([one]) if video.duration_ms <= MAX_MOTION_BY_STEM_MS => Some(*one),
                    _ => None,
                }
            });
        if let Some(still) = still {
            // Two clips claiming one still: the first by key wins, the other stays a video.
            out.entry(still).or_insert(clip);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shoebox_core::{Derivative, ExifSummary, VideoSummary, MANIFEST_SCHEMA};

    fn item(key: &str, identifier: Option<&str>, clip_ms: Option<u64>) -> PhotoManifest {
        let web = Derivative { width: 2, height: 2, key: format!("{key}/video.mp4"), bytes: 1 };
        PhotoManifest {
            schema: MANIFEST_SCHEMA,
            source_key: key.into(),
            album: "A".into(),
            etag: "e".into(),
            sequencer: None,
            source_bytes: 1,
            width: 2,
            height: 2,
            derivatives: Vec::new(),
            thumbhash: String::new(),
            icc_profile: false,
            exif: ExifSummary {
                content_identifier: identifier.filter(|_| clip_ms.is_none()).map(Into::into),
                ..Default::default()
            },
            video: clip_ms.map(|duration_ms| VideoSummary {
                duration_ms,
                web,
                remuxed: false,
                audio: true,
                content_identifier: identifier.map(Into::into),
                motion: false,
            }),
        }
    }

    fn pairs(items: Vec<PhotoManifest>) -> Vec<(String, String)> {
        let mut data = AlbumData::new("A");
        data.photos = items.into_iter().map(|p| (p.source_key.clone(), p)).collect();
        motions(&data).into_iter().map(|(s, c)| (s.to_owned(), c.source_key.clone())).collect()
    }

    #[test]
    fn pairs_by_content_identifier_first_then_by_stem() {
        let found = pairs(vec![
            // Same identifier, different names (renamed on export).
            item("A/still.heic", Some("ID-1"), None),
            item("A/motion.mov", Some("ID-1"), Some(3_000)),
            // Same stem, no identifier.
            item("A/IMG_2.jpg", None, None),
            item("A/IMG_2.MOV", None, Some(2_500)),
            // Same stem but a long clip: a video of its own.
            item("A/beach.jpg", None, None),
            item("A/beach.mp4", None, Some(60_000)),
            // An identifier nobody else has, and a stem with two stills: left apart.
            item("A/x.mov", Some("ID-9"), Some(3_000)),
            item("A/y.jpg", None, None),
            item("A/y.heic", None, None),
            item("A/y.mov", None, Some(3_000)),
        ]);
        assert_eq!(
            found,
            [("A/IMG_2.jpg".into(), "A/IMG_2.MOV".into()), ("A/still.heic".into(), "A/motion.mov".into())]
        );
    }
}
