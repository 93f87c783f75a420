//! Messages from the resize worker to the site builder (the SiteQueue).
//!
//! One message per changed photo or album. The site builder applies them to the affected album's
//! data; it never lists the gallery to learn what changed.

use crate::manifest::PhotoManifest;
use crate::sequencer::Sequencer;
use serde::{Deserialize, Serialize};

/// A change the site builder must apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SiteMessage {
    /// A photo was added or replaced; its new manifest.
    PhotoUpserted {
        /// The photo's manifest, as stored.
        manifest: Box<PhotoManifest>,
    },
    /// A photo was deleted from the source bucket.
    PhotoRemoved {
        /// The deleted photo's source key.
        source_key: String,
        /// Its album.
        album: String,
        /// The deletion's sequencer, when known; a deletion older than the current photo is ignored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sequencer: Option<Sequencer>,
    },
    /// An album's `album.yml` was written or deleted.
    AlbumMetadataChanged {
        /// The album whose metadata changed.
        album: String,
        /// True when `album.yml` was deleted (defaults apply again).
        removed: bool,
        /// The change's sequencer, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sequencer: Option<Sequencer>,
    },
}

impl SiteMessage {
    /// The album this message touches.
    pub fn album(&self) -> &str {
        match self {
            SiteMessage::PhotoUpserted { manifest } => &manifest.album,
            SiteMessage::PhotoRemoved { album, .. } | SiteMessage::AlbumMetadataChanged { album, .. } => {
                album
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_with_a_type_tag() {
        let msgs = vec![
            SiteMessage::PhotoRemoved { source_key: "A/b.jpg".into(), album: "A".into(), sequencer: None },
            SiteMessage::AlbumMetadataChanged {
                album: "A/B".into(),
                removed: true,
                sequencer: Some(Sequencer("01".into())),
            },
        ];
        for m in msgs {
            let json = serde_json::to_string(&m).expect("serialises");
            assert!(json.starts_with(r#"{"type":""#), "{json}");
            let back: SiteMessage = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, m);
        }
        let removed: SiteMessage =
            serde_json::from_str(r#"{"type":"photo_removed","source_key":"A/b.jpg","album":"A"}"#)
                .expect("parses");
        assert_eq!(removed.album(), "A");
    }
}
