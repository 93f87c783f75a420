//! `album.yml`: optional per-album settings written by the owner.
//!
//! ```yaml
//! title: Rome, spring 2024
//! description: Three days of *walking*.   # Markdown
//! cover: IMG_0042.jpg
//! sort: date desc                          # date | date desc | name | name desc
//! date: 2024-04-12
//! captions:
//!   IMG_0042.jpg: The Pantheon at dawn
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How photos are ordered on the album page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    /// Oldest capture time first (photos without one go last, by name).
    #[default]
    #[serde(rename = "date")]
    DateAsc,
    /// Newest first.
    #[serde(rename = "date desc")]
    DateDesc,
    /// By file name, A to Z.
    #[serde(rename = "name")]
    NameAsc,
    /// By file name, Z to A.
    #[serde(rename = "name desc")]
    NameDesc,
}

/// The settings of one album; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbumMetadata {
    /// Display title (default: the folder name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Markdown description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// File name of the cover photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// Photo order.
    #[serde(default)]
    pub sort: SortOrder,
    /// A date shown for the album (free text, e.g. `2024-04-12` or `Spring 2024`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Captions by file name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub captions: BTreeMap<String, String>,
}

/// Why an `album.yml` was not used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// Not YAML, or fields that do not fit (with line and column from the parser).
    #[error("album.yml of {album:?} is not valid: {message}; the album uses its defaults")]
    Invalid {
        /// The album.
        album: String,
        /// The parser's message.
        message: String,
    },
    /// Larger than any sensible album.yml.
    #[error("album.yml of {album:?} is {bytes} bytes, over the 256 KiB limit; the album uses its defaults")]
    TooLarge {
        /// The album.
        album: String,
        /// Its size.
        bytes: usize,
    },
}

/// Largest accepted `album.yml`.
pub const MAX_ALBUM_YML: usize = 256 * 1024;

impl AlbumMetadata {
    /// Parses an `album.yml`; an empty file means defaults.
    pub fn parse(album: &str, text: &str) -> Result<Self, MetadataError> {
        if text.len() > MAX_ALBUM_YML {
            return Err(MetadataError::TooLarge { album: album.to_owned(), bytes: text.len() });
        }
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_saphyr::from_str(text)
            .map_err(|e| MetadataError::Invalid { album: album.to_owned(), message: e.to_string() })
    }

    /// Parses, or logs the error and returns defaults: a broken file never stops an album.
    pub fn parse_or_default(album: &str, text: &str) -> Self {
        Self::parse(album, text).unwrap_or_else(|e| {
            tracing::error!(album, error = %e, "broken album.yml");
            Self::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field() {
        let m = AlbumMetadata::parse(
            "Rome",
            "title: Rome, spring 2024\ndescription: Three days of *walking*.\ncover: IMG_0042.jpg\nsort: date desc\ndate: 2024-04-12\ncaptions:\n  IMG_0042.jpg: The Pantheon at dawn\n",
        )
        .expect("parses");
        assert_eq!(m.title.as_deref(), Some("Rome, spring 2024"));
        assert_eq!(m.sort, SortOrder::DateDesc);
        assert_eq!(m.date.as_deref(), Some("2024-04-12"));
        assert_eq!(m.captions.get("IMG_0042.jpg").map(String::as_str), Some("The Pantheon at dawn"));
        assert_eq!(AlbumMetadata::parse("A", "  \n").expect("empty"), AlbumMetadata::default());
    }

    #[test]
    fn broken_files_get_a_clear_error_and_defaults() {
        // Each message passes on what the parser said, where it applies.
        for (text, hint) in [
            ("title: [unclosed", "line 1 column 8"),
            ("titel: typo", "unknown field `titel`"),
            ("sort: sideways", "unknown variant `sideways`"),
            ("- just\n- a list", "expected mapping"),
        ] {
            let err = AlbumMetadata::parse("Trips/Rome", text).expect_err(text);
            let msg = err.to_string();
            assert!(msg.contains("\"Trips/Rome\" is not valid") && msg.contains("defaults"), "{msg}");
            assert!(msg.contains(hint), "{text:?}: {msg}");
            assert_eq!(AlbumMetadata::parse_or_default("Trips/Rome", text), AlbumMetadata::default());
        }
        let huge = "a".repeat(MAX_ALBUM_YML + 1);
        assert!(matches!(AlbumMetadata::parse("A", &huge), Err(MetadataError::TooLarge { .. })));
    }
}
