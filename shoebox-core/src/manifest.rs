//! The photo manifest: what the resize worker learned about one photo and what it wrote.
//!
//! Stored as JSON at [`crate::keys::manifest_key`] in the resized bucket and carried in
//! [`crate::SiteMessage::PhotoUpserted`]. The schema is versioned by [`MANIFEST_SCHEMA`]; readers
//! refuse versions they do not know instead of guessing.

use crate::sequencer::Sequencer;
use serde::{Deserialize, Serialize};

/// The manifest schema version this code writes and reads.
pub const MANIFEST_SCHEMA: u32 = 1;

/// Everything Shoebox knows about one source photo after resizing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoManifest {
    /// Schema version ([`MANIFEST_SCHEMA`]).
    pub schema: u32,
    /// The photo's key in the source bucket.
    pub source_key: String,
    /// The album (folder path) the photo belongs to.
    pub album: String,
    /// The source object's ETag (without quotes) the derivatives were made from.
    pub etag: String,
    /// The S3 event sequencer that caused this version, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequencer: Option<Sequencer>,
    /// Size of the source object in bytes.
    pub source_bytes: u64,
    /// Width after applying the EXIF orientation.
    pub width: u32,
    /// Height after applying the EXIF orientation.
    pub height: u32,
    /// The JPEG derivatives, largest first.
    pub derivatives: Vec<Derivative>,
    /// ThumbHash of the photo, standard base64; a placeholder painted before the image loads.
    pub thumbhash: String,
    /// Whether an ICC colour profile was found and copied into the derivatives.
    pub icc_profile: bool,
    /// The EXIF fields Shoebox shows. GPS is never copied.
    pub exif: ExifSummary,
    /// For a video: its web copy. The derivatives are then its poster's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoSummary>,
}

/// What a video's manifest adds to a photo's: the web copy every browser plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSummary {
    /// Length in milliseconds.
    pub duration_ms: u64,
    /// The web MP4 (H.264 8-bit 4:2:0, AAC, `moov` first, upright).
    pub web: Derivative,
    /// Whether the web copy is the source's own streams (a remux), not a new encode.
    pub remuxed: bool,
    /// Whether it has sound.
    pub audio: bool,
    /// Apple's Live Photo content identifier of the clip, when it carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_identifier: Option<String>,
    /// The clip is the photo's own motion (an Android Motion Photo): shown as a still that
    /// moves, like a Live Photo, not as a video.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub motion: bool,
}

/// One resized JPEG of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Derivative {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Key in the resized bucket.
    pub key: String,
    /// Size of the JPEG in bytes.
    pub bytes: u64,
}

/// The EXIF subset shown next to a photo, and the Live Photo identifier; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExifSummary {
    /// When the photo was taken, as `YYYY-MM-DDTHH:MM:SS` (plus the offset when the camera wrote one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    /// Camera make and model, e.g. `FUJIFILM X-T4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    /// Lens model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lens: Option<String>,
    /// Exposure time, e.g. `1/250 s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<String>,
    /// Aperture, e.g. `f/2.8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aperture: Option<String>,
    /// ISO speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso: Option<u32>,
    /// Focal length, e.g. `35 mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_length: Option<String>,
    /// Apple's Live Photo content identifier (MakerNote tag 0x0011): the still's motion is the
    /// QuickTime clip whose `com.apple.quicktime.content.identifier` is the same. Not shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_identifier: Option<String>,
}

/// Why a stored manifest could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Not valid manifest JSON.
    #[error("manifest is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Written by a newer (or unknown) schema.
    #[error("manifest schema {found} is not supported (this build reads schema {MANIFEST_SCHEMA})")]
    UnsupportedSchema {
        /// The version found in the file.
        found: u32,
    },
}

impl PhotoManifest {
    /// Parses a stored manifest, refusing unknown schema versions.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ManifestError> {
        #[derive(Deserialize)]
        struct Version {
            schema: u32,
        }
        let v: Version = serde_json::from_slice(bytes)?;
        if v.schema != MANIFEST_SCHEMA {
            return Err(ManifestError::UnsupportedSchema { found: v.schema });
        }
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Every object written for this version in the resized bucket besides the manifest: the
    /// derivatives, and a video's web copy.
    pub fn stored_keys(&self) -> impl Iterator<Item = &str> {
        self.derivatives.iter().chain(self.video.as_ref().map(|v| &v.web)).map(|d| d.key.as_str())
    }

    /// Serialises the manifest as stored (compact JSON).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a manifest of plain fields always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> PhotoManifest {
        PhotoManifest {
            schema: MANIFEST_SCHEMA,
            source_key: "Trip/IMG 1.jpg".into(),
            album: "Trip".into(),
            etag: "abc".into(),
            sequencer: Some(Sequencer("0A".into())),
            source_bytes: 123,
            width: 4000,
            height: 3000,
            derivatives: vec![Derivative {
                width: 2048,
                height: 1536,
                key: "Trip/_p/IMG 1-x/2048.jpg".into(),
                bytes: 9,
            }],
            thumbhash: "AAAA".into(),
            icc_profile: false,
            exif: ExifSummary { camera: Some("Cam".into()), iso: Some(200), ..Default::default() },
            video: None,
        }
    }

    #[test]
    fn round_trips_and_omits_empty_exif_fields() {
        let m = sample();
        let json = m.to_json();
        assert_eq!(PhotoManifest::from_json(&json).expect("parses"), m);
        let text = String::from_utf8(json).expect("utf8");
        assert!(!text.contains("lens") && !text.contains("video"), "{text}");
        let mut clip = m.clone();
        clip.video = Some(VideoSummary {
            duration_ms: 3_100,
            web: Derivative { width: 720, height: 1280, key: "Trip/_p/IMG 1-x/video.mp4".into(), bytes: 9 },
            remuxed: false,
            audio: true,
            content_identifier: Some("A-B".into()),
            motion: false,
        });
        assert_eq!(PhotoManifest::from_json(&clip.to_json()).expect("parses"), clip);
        assert_eq!(
            clip.stored_keys().collect::<Vec<_>>(),
            ["Trip/_p/IMG 1-x/2048.jpg", "Trip/_p/IMG 1-x/video.mp4"]
        );
    }

    #[test]
    fn a_location_in_what_is_read_is_never_written_back() {
        // A manifest written by something else (or by a future build that kept GPS) carries a
        // location; what this build writes from it has none.
        let mut v: serde_json::Value = serde_json::from_slice(&sample().to_json()).expect("json");
        v["exif"]["gps_latitude"] = 48.8584.into();
        v["exif"]["location"] = "48.8584 N, 2.2945 E".into();
        v["gps"] = serde_json::json!({ "lat": 48.8584, "lon": 2.2945 });
        let read = PhotoManifest::from_json(v.to_string().as_bytes()).expect("parses");
        let written = String::from_utf8(read.to_json()).expect("utf8");
        for located in ["gps", "location", "48.8584", "2.2945"] {
            assert!(!written.contains(located), "{located} in {written}");
        }
    }

    #[test]
    fn refuses_unknown_schema() {
        let mut v: serde_json::Value = serde_json::from_slice(&sample().to_json()).expect("json");
        v["schema"] = 99.into();
        let err = PhotoManifest::from_json(v.to_string().as_bytes()).expect_err("refused");
        assert!(matches!(err, ManifestError::UnsupportedSchema { found: 99 }));
    }
}
