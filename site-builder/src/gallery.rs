//! The gallery-level summary ([`shoebox_core::keys::GALLERY_DATA_KEY`]): per album its title, photo count, cover and
//! capture-date range, so the index and parent albums render without reading every album.

use crate::album::AlbumData;
use crate::metadata::SortOrder;
use serde::{Deserialize, Serialize};
use shoebox_core::keys::last_segment;
use shoebox_core::{Derivative, PhotoManifest};
use std::collections::{BTreeMap, BTreeSet};

/// Schema version of the summary file.
pub const GALLERY_SCHEMA: u32 = 1;

/// One album as the index shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumSummary {
    /// Display title (`album.yml` title, else the folder name).
    pub title: String,
    /// Number of photos directly in the album.
    pub photo_count: usize,
    /// The cover photo: `album.yml`'s `cover` when it names a photo of the album, else the first
    /// photo in the album's order.
    pub cover: Option<Cover>,
    /// Earliest capture time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_taken: Option<String>,
    /// Latest capture time, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_taken: Option<String>,
}

/// What a tile needs of the cover photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    /// The cover's source key.
    pub source_key: String,
    /// Width after orientation.
    pub width: u32,
    /// Height after orientation.
    pub height: u32,
    /// ThumbHash, base64.
    pub thumbhash: String,
    /// Its derivatives.
    pub derivatives: Vec<Derivative>,
}

/// Every album with photos, by album path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GallerySummary {
    /// Schema version ([`GALLERY_SCHEMA`]).
    pub schema: u32,
    /// Albums by path.
    pub albums: BTreeMap<String, AlbumSummary>,
    /// The data-file revision each album's entry was made from (kept after an album empties),
    /// so a run that saved an older revision cannot put an older state back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub revisions: BTreeMap<String, u64>,
}

impl Default for GallerySummary {
    fn default() -> Self {
        Self { schema: GALLERY_SCHEMA, albums: BTreeMap::new(), revisions: BTreeMap::new() }
    }
}

/// The album's photos (and videos) in the order its `album.yml` asks for; a Live Photo's motion
/// clip is not an item of its own ([`crate::live`]).
pub fn ordered_photos(data: &AlbumData) -> Vec<&PhotoManifest> {
    ordered_with(data, &crate::live::motions(data))
}

/// [`ordered_photos`] for a caller that has the album's Live pairs already.
pub fn ordered_with<'a>(
    data: &'a AlbumData,
    motions: &BTreeMap<&str, &'a PhotoManifest>,
) -> Vec<&'a PhotoManifest> {
    let paired: BTreeSet<&str> = motions.values().map(|clip| clip.source_key.as_str()).collect();
    let mut photos: Vec<&PhotoManifest> =
        data.photos.values().filter(|p| !paired.contains(p.source_key.as_str())).collect();
    let by_name =
        |a: &&PhotoManifest, b: &&PhotoManifest| last_segment(&a.source_key).cmp(last_segment(&b.source_key));
    match data.metadata.sort {
        SortOrder::NameAsc => photos.sort_by(by_name),
        SortOrder::NameDesc => photos.sort_by(|a, b| by_name(b, a)),
        SortOrder::DateAsc | SortOrder::DateDesc => {
            // Photos without a capture time go last, by name, in both directions.
            photos.sort_by(|a, b| match (&a.exif.captured_at, &b.exif.captured_at) {
                (Some(x), Some(y)) if data.metadata.sort == SortOrder::DateDesc => {
                    y.cmp(x).then_with(|| by_name(a, b))
                }
                (Some(x), Some(y)) => x.cmp(y).then_with(|| by_name(a, b)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => by_name(a, b),
            })
        }
    }
    photos
}

impl AlbumSummary {
    /// The summary of an album, or `None` when it has no photos.
    pub fn of(data: &AlbumData) -> Option<Self> {
        let photos = ordered_photos(data);
        let first = *photos.first()?;
        let cover = data
            .metadata
            .cover
            .as_deref()
            .and_then(|name| photos.iter().find(|p| last_segment(&p.source_key) == name).copied())
            .unwrap_or(first);
        let dates: BTreeSet<&str> = photos.iter().filter_map(|p| p.exif.captured_at.as_deref()).collect();
        let title = data.metadata.title.clone().unwrap_or_else(|| last_segment(&data.album).to_owned());
        Some(Self {
            title,
            photo_count: photos.len(),
            cover: Some(Cover {
                source_key: cover.source_key.clone(),
                width: cover.width,
                height: cover.height,
                thumbhash: cover.thumbhash.clone(),
                derivatives: cover.derivatives.clone(),
            }),
            first_taken: dates.first().map(|d| (*d).to_owned()),
            last_taken: dates.last().map(|d| (*d).to_owned()),
        })
    }
}

impl GallerySummary {
    /// Records an album's state at its data file's revision; returns whether the summary
    /// changed. A revision older than the one recorded is ignored.
    pub fn update(&mut self, data: &AlbumData) -> bool {
        let recorded = self.revisions.get(&data.album).copied().unwrap_or(0);
        if data.revision < recorded {
            return false;
        }
        let mut changed = data.revision > recorded;
        if changed {
            self.revisions.insert(data.album.clone(), data.revision);
        }
        changed |= match AlbumSummary::of(data) {
            Some(s) if self.albums.get(&data.album) == Some(&s) => false,
            Some(s) => {
                self.albums.insert(data.album.clone(), s);
                true
            }
            None => self.albums.remove(&data.album).is_some(),
        };
        changed
    }

    /// The albums inside `path` (at any depth; all albums for ""), found by a range of the sorted
    /// keys rather than a scan.
    pub fn inside<'a>(&'a self, path: &str) -> impl Iterator<Item = (&'a String, &'a AlbumSummary)> + 'a {
        let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
        self.albums.range(prefix.clone()..).take_while(move |(k, _)| k.starts_with(&prefix))
    }

    /// Whether `path` has a page: it has photos or holds albums that do.
    pub fn has_page(&self, path: &str) -> bool {
        self.albums.contains_key(path) || self.inside(path).next().is_some()
    }

    /// The direct sub-albums of `parent` ("" for the top level), including folders that hold
    /// only sub-albums and no photos of their own.
    pub fn children(&self, parent: &str) -> Vec<String> {
        let prefix = if parent.is_empty() { String::new() } else { format!("{parent}/") };
        let mut out = BTreeSet::new();
        for (path, _) in self.inside(parent) {
            if let Some(first) = path[prefix.len()..].split('/').next().filter(|s| !s.is_empty()) {
                out.insert(format!("{prefix}{first}"));
            }
        }
        out.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::album::{apply, tests::up};
    use crate::metadata::AlbumMetadata;

    fn album_with(name: &str, photos: &[(&str, Option<&str>)]) -> AlbumData {
        let mut d = AlbumData::new(name);
        for (file, date) in photos {
            apply(&mut d, &up(&format!("{name}/{file}"), "e", None), None);
            if let Some(p) = d.photos.get_mut(&format!("{name}/{file}")) {
                p.exif.captured_at = date.map(str::to_owned);
            }
        }
        d
    }

    #[test]
    fn summaries_follow_sort_cover_and_dates() {
        let mut d = album_with(
            "Trips/Rome",
            &[
                ("b.jpg", Some("2024-05-02T10:00:00")),
                ("a.jpg", Some("2024-05-01T09:00:00")),
                ("c.jpg", None),
            ],
        );
        let s = AlbumSummary::of(&d).expect("has photos");
        assert_eq!(s.title, "Rome");
        assert_eq!(s.photo_count, 3);
        assert_eq!(
            s.cover.as_ref().map(|c| c.source_key.as_str()),
            Some("Trips/Rome/a.jpg"),
            "oldest first by default"
        );
        assert_eq!(
            (s.first_taken.as_deref(), s.last_taken.as_deref()),
            (Some("2024-05-01T09:00:00"), Some("2024-05-02T10:00:00"))
        );
        let names = |d: &AlbumData| {
            ordered_photos(d).iter().map(|p| last_segment(&p.source_key).to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(names(&d), ["a.jpg", "b.jpg", "c.jpg"]);
        d.metadata = AlbumMetadata {
            sort: SortOrder::DateDesc,
            cover: Some("c.jpg".into()),
            title: Some("Roma".into()),
            ..Default::default()
        };
        assert_eq!(names(&d), ["b.jpg", "a.jpg", "c.jpg"], "undated photos stay last");
        let s = AlbumSummary::of(&d).expect("has photos");
        assert_eq!(s.cover.map(|c| c.source_key), Some("Trips/Rome/c.jpg".into()));
        assert_eq!(s.title, "Roma");
        d.metadata.sort = SortOrder::NameDesc;
        assert_eq!(names(&d), ["c.jpg", "b.jpg", "a.jpg"]);
    }

    #[test]
    fn update_reports_changes_and_drops_empty_albums() {
        let mut g = GallerySummary::default();
        let d = album_with("A", &[("1.jpg", None)]);
        assert!(g.update(&d));
        assert!(!g.update(&d), "same state, no change");
        assert!(g.update(&AlbumData::new("A")), "emptied album leaves the summary");
        assert!(g.albums.is_empty());
    }

    #[test]
    fn an_older_revision_never_replaces_a_newer_one() {
        let mut g = GallerySummary::default();
        let mut one = album_with("A", &[("1.jpg", None)]);
        one.revision = 2;
        let mut two = album_with("A", &[("1.jpg", None), ("2.jpg", None)]);
        two.revision = 3;
        assert!(g.update(&two));
        assert!(!g.update(&one), "a run that saved revision 2 comes late");
        assert_eq!(g.albums["A"].photo_count, 2);
        // A newer revision with the same summary still moves the recorded revision on.
        let mut three = two.clone();
        three.revision = 4;
        assert!(g.update(&three));
        assert_eq!(g.revisions["A"], 4);
        // An emptied album keeps its revision, so an older state cannot bring it back.
        let mut empty = AlbumData::new("A");
        empty.revision = 5;
        assert!(g.update(&empty));
        assert!(!g.update(&three) && g.albums.is_empty());
    }

    #[test]
    fn children_include_folders_with_only_sub_albums() {
        let mut g = GallerySummary::default();
        for name in
            ["Trips/Italy/Rome", "Trips/Italy/Milan", "Trips/Paris", "Family", "Trips 2", "Trips.old/x"]
        {
            g.update(&album_with(name, &[("1.jpg", None)]));
        }
        assert_eq!(g.children(""), ["Family", "Trips", "Trips 2", "Trips.old"]);
        assert_eq!(g.children("Trips"), ["Trips/Italy", "Trips/Paris"]);
        assert_eq!(g.children("Trips/Italy"), ["Trips/Italy/Milan", "Trips/Italy/Rome"]);
        assert!(g.children("Family").is_empty());
        // Keys that sort next to "Trips/" ("Trips 2", "Trips.old/x") are not inside it.
        let inside: Vec<&String> = g.inside("Trips").map(|(k, _)| k).collect();
        assert_eq!(inside, ["Trips/Italy/Milan", "Trips/Italy/Rome", "Trips/Paris"]);
        assert!(g.has_page("Trips") && g.has_page("Trips/Italy") && g.has_page("Family"));
        assert!(!g.has_page("Trip") && !g.has_page("Trips/Italy/Venice"));
    }
}
