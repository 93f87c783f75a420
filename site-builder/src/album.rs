//! The per-album data file and how one SiteQueue message changes it.

use crate::metadata::AlbumMetadata;
use serde::{Deserialize, Serialize};
use shoebox_core::{PhotoManifest, Sequencer, SiteMessage};
use std::collections::BTreeMap;

/// Schema version of [`AlbumData`] files.
pub const ALBUM_DATA_SCHEMA: u32 = 1;

/// Everything the album's pages need, kept in one file per album.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumData {
    /// Schema version ([`ALBUM_DATA_SCHEMA`]).
    pub schema: u32,
    /// The album path.
    pub album: String,
    /// The album's photos by source key, as their manifests describe them.
    pub photos: BTreeMap<String, PhotoManifest>,
    /// Deletions by source key with their sequencer, so an older upsert arriving late cannot
    /// bring a deleted photo back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deleted: BTreeMap<String, Sequencer>,
    /// The album's `album.yml` settings.
    #[serde(default)]
    pub metadata: AlbumMetadata,
    /// Sequencer of the `album.yml` change applied last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_sequencer: Option<Sequencer>,
    /// Raised by every save, so the gallery summary can tell a newer version from an older one
    /// when two site builders run at once.
    #[serde(default)]
    pub revision: u64,
}

/// What applying a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The data changed; the album must be saved and re-rendered.
    Changed,
    /// Nothing changed (a replay, or the same content again).
    Unchanged,
    /// The message is older than what the data already holds; ignored.
    Stale,
}

impl AlbumData {
    /// An empty album.
    pub fn new(album: impl Into<String>) -> Self {
        Self {
            schema: ALBUM_DATA_SCHEMA,
            album: album.into(),
            photos: BTreeMap::new(),
            deleted: BTreeMap::new(),
            metadata: AlbumMetadata::default(),
            metadata_sequencer: None,
            revision: 0,
        }
    }
}

/// True when both sequencers are known and `incoming` is older than `current`.
fn older(incoming: Option<&Sequencer>, current: Option<&Sequencer>) -> bool {
    matches!((incoming, current), (Some(i), Some(c)) if i < c)
}

/// Derivative (and web video) keys nothing refers to once a `photo_upserted` has been applied: those of the
/// version it replaced, or its own when it was stale. `after` is the photo's entry afterwards.
pub fn unreferenced_derivatives(
    before: Option<&PhotoManifest>,
    message: &PhotoManifest,
    after: Option<&PhotoManifest>,
) -> Vec<String> {
    let keep: Vec<&str> = after.map(|m| m.stored_keys().collect()).unwrap_or_default();
    let mut out: Vec<String> = before
        .into_iter()
        .chain([message])
        .flat_map(|m| m.stored_keys())
        .filter(|key| !keep.contains(key))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Applies one message to the album's data. `metadata` is the parsed `album.yml` for an
/// [`SiteMessage::AlbumMetadataChanged`] that is not a removal (the caller reads the file).
pub fn apply(data: &mut AlbumData, message: &SiteMessage, metadata: Option<AlbumMetadata>) -> Applied {
    match message {
        SiteMessage::PhotoUpserted { manifest } => {
            let key = &manifest.source_key;
            if older(manifest.sequencer.as_ref(), data.deleted.get(key)) {
                return Applied::Stale;
            }
            if let Some(current) = data.photos.get(key) {
                if older(manifest.sequencer.as_ref(), current.sequencer.as_ref()) {
                    return Applied::Stale;
                }
                if current == manifest.as_ref() {
                    return Applied::Unchanged;
                }
            }
            data.deleted.remove(key);
            data.photos.insert(key.clone(), manifest.as_ref().clone());
            Applied::Changed
        }
        SiteMessage::PhotoRemoved { source_key, sequencer, .. } => {
            if let Some(current) = data.photos.get(source_key) {
                if older(sequencer.as_ref(), current.sequencer.as_ref()) {
                    return Applied::Stale;
                }
            }
            let mut changed = data.photos.remove(source_key).is_some();
            if let Some(s) = sequencer {
                if data.deleted.get(source_key) != Some(s) {
                    data.deleted.insert(source_key.clone(), s.clone());
                    changed = true;
                }
            }
            if changed {
                Applied::Changed
            } else {
                Applied::Unchanged
            }
        }
        SiteMessage::AlbumMetadataChanged { removed, sequencer, .. } => {
            if older(sequencer.as_ref(), data.metadata_sequencer.as_ref()) {
                return Applied::Stale;
            }
            let new = if *removed { AlbumMetadata::default() } else { metadata.unwrap_or_default() };
            let changed =
                new != data.metadata || sequencer.is_some() && *sequencer != data.metadata_sequencer;
            data.metadata = new;
            if sequencer.is_some() {
                data.metadata_sequencer = sequencer.clone();
            }
            if changed {
                Applied::Changed
            } else {
                Applied::Unchanged
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use shoebox_core::{Derivative, ExifSummary, MANIFEST_SCHEMA};

    pub(crate) fn manifest(key: &str, etag: &str, seq: Option<&str>) -> PhotoManifest {
        let album = shoebox_core::keys::album_of(key).unwrap_or_default().to_owned();
        PhotoManifest {
            schema: MANIFEST_SCHEMA,
            source_key: key.into(),
            album,
            etag: etag.into(),
            sequencer: seq.map(|s| Sequencer(s.into())),
            source_bytes: 1,
            width: 4,
            height: 3,
            derivatives: vec![Derivative {
                width: 4,
                height: 3,
                key: format!("photos/{key}-{etag}/4.jpg"),
                bytes: 1,
            }],
            thumbhash: "AA".into(),
            icc_profile: false,
            exif: ExifSummary::default(),
            video: None,
        }
    }

    pub(crate) fn up(key: &str, etag: &str, seq: Option<&str>) -> SiteMessage {
        SiteMessage::PhotoUpserted { manifest: Box::new(manifest(key, etag, seq)) }
    }

    fn rm(key: &str, seq: Option<&str>) -> SiteMessage {
        SiteMessage::PhotoRemoved {
            source_key: key.into(),
            album: "A".into(),
            sequencer: seq.map(|s| Sequencer(s.into())),
        }
    }

    #[test]
    fn newer_manifests_win_and_replays_change_nothing() {
        let mut d = AlbumData::new("A");
        assert_eq!(apply(&mut d, &up("A/1.jpg", "e1", Some("10")), None), Applied::Changed);
        assert_eq!(apply(&mut d, &up("A/1.jpg", "e1", Some("10")), None), Applied::Unchanged, "replay");
        assert_eq!(apply(&mut d, &up("A/1.jpg", "e0", Some("09")), None), Applied::Stale, "older version");
        assert_eq!(d.photos["A/1.jpg"].etag, "e1");
        assert_eq!(apply(&mut d, &up("A/1.jpg", "e2", Some("11")), None), Applied::Changed);
        assert_eq!(d.photos["A/1.jpg"].etag, "e2");
    }

    #[test]
    fn replaced_and_stale_versions_leave_their_derivatives_unreferenced() {
        let (v1, v2) = (manifest("A/1.jpg", "e1", Some("10")), manifest("A/1.jpg", "e2", Some("11")));
        // v2 replaces v1: v1's derivatives go.
        assert_eq!(unreferenced_derivatives(Some(&v1), &v2, Some(&v2)), ["photos/A/1.jpg-e1/4.jpg"]);
        // v1 arrives after v2 (stale): v1's own derivatives go, v2's stay.
        assert_eq!(unreferenced_derivatives(Some(&v2), &v1, Some(&v2)), ["photos/A/1.jpg-e1/4.jpg"]);
        // A replay, or a first version: nothing.
        assert!(unreferenced_derivatives(Some(&v2), &v2, Some(&v2)).is_empty());
        assert!(unreferenced_derivatives(None, &v1, Some(&v1)).is_empty());
        // An upsert after the photo's deletion (stale against the tombstone): its derivatives go.
        assert_eq!(unreferenced_derivatives(None, &v1, None), ["photos/A/1.jpg-e1/4.jpg"]);
    }

    #[test]
    fn deletions_older_than_the_photo_are_ignored_and_newer_ones_stick() {
        let mut d = AlbumData::new("A");
        apply(&mut d, &up("A/1.jpg", "e1", Some("20")), None);
        assert_eq!(apply(&mut d, &rm("A/1.jpg", Some("19")), None), Applied::Stale);
        assert!(d.photos.contains_key("A/1.jpg"));
        assert_eq!(apply(&mut d, &rm("A/1.jpg", Some("21")), None), Applied::Changed);
        assert!(d.photos.is_empty());
        assert_eq!(apply(&mut d, &rm("A/1.jpg", Some("21")), None), Applied::Unchanged, "replayed deletion");
        assert_eq!(
            apply(&mut d, &up("A/1.jpg", "e1", Some("20")), None),
            Applied::Stale,
            "late upsert cannot resurrect"
        );
        assert_eq!(
            apply(&mut d, &up("A/1.jpg", "e3", Some("22")), None),
            Applied::Changed,
            "a re-upload does"
        );
        assert!(d.deleted.is_empty());
    }

    #[test]
    fn without_sequencers_the_last_message_wins() {
        let mut d = AlbumData::new("A");
        apply(&mut d, &up("A/1.jpg", "e1", None), None);
        assert_eq!(apply(&mut d, &rm("A/1.jpg", None), None), Applied::Changed);
        assert_eq!(apply(&mut d, &rm("A/1.jpg", None), None), Applied::Unchanged);
    }

    #[test]
    fn album_yml_changes_and_removals() {
        let mut d = AlbumData::new("A");
        let meta = AlbumMetadata { title: Some("Rome".into()), ..Default::default() };
        let changed = |removed, seq: &str| SiteMessage::AlbumMetadataChanged {
            album: "A".into(),
            removed,
            sequencer: Some(Sequencer(seq.into())),
        };
        assert_eq!(apply(&mut d, &changed(false, "05"), Some(meta.clone())), Applied::Changed);
        assert_eq!(d.metadata.title.as_deref(), Some("Rome"));
        assert_eq!(apply(&mut d, &changed(false, "05"), Some(meta)), Applied::Unchanged);
        assert_eq!(apply(&mut d, &changed(true, "04"), None), Applied::Stale);
        assert_eq!(apply(&mut d, &changed(true, "06"), None), Applied::Changed);
        assert_eq!(d.metadata, AlbumMetadata::default());
    }
}
