//! A big album's grid in parts, through `update_site` over a memory store: the page and its parts
//! show every photo exactly once in the album's order after additions, a deletion in the middle
//! of a part and a re-sort; one new photo rewrites the page and one or two parts, and its data
//! head and one or two chunks, not the album;
//! parts no page lists any more are deleted, with the page of an album that empties.

use bytes::Bytes;
use shared::{MemoryStore, ObjectStore, PutOptions};
use shoebox_core::keys::{grid_part_key, photo_id};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest, SiteMessage};
use site_builder::parts::{listed_parts, INLINE_PHOTOS};
use site_builder::site::Buckets;
use site_builder::{update_site, Renderer, SiteReport};

const ALBUM: &str = "Big";

fn key(n: usize) -> String {
    format!("{ALBUM}/IMG_{n:05}.jpg")
}

fn upsert(key: &str, n: usize) -> SiteMessage {
    let dir = shoebox_core::keys::derivative_dir(ALBUM, "x", "etag", key);
    SiteMessage::PhotoUpserted {
        manifest: Box::new(PhotoManifest {
            schema: shoebox_core::MANIFEST_SCHEMA,
            source_key: key.into(),
            album: ALBUM.into(),
            etag: "etag".into(),
            sequencer: None,
            source_bytes: 1,
            width: 4000 - (n % 3) as u32 * 1000,
            height: 3000,
            derivatives: vec![Derivative {
                width: 640,
                height: 480,
                key: shoebox_core::keys::derivative_key(&dir, 640),
                bytes: 1,
            }],
            thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
            icc_profile: false,
            // Capture order is the reverse of name order, so a re-sort by name turns it round.
            exif: ExifSummary {
                captured_at: Some(format!("2024-05-01T{:08}", 99_999_999 - n)),
                ..Default::default()
            },
            video: None,
        }),
    }
}

struct Site {
    source: MemoryStore,
    resized: MemoryStore,
    web: MemoryStore,
    renderer: Renderer,
}

impl Site {
    fn new() -> Self {
        let renderer = Renderer::new("Parts").expect("renderer");
        Self { source: MemoryStore::new(), resized: MemoryStore::new(), web: MemoryStore::new(), renderer }
    }

    async fn update(&self, messages: &[SiteMessage]) -> SiteReport {
        let buckets = Buckets { source: &self.source, resized: &self.resized, web: &self.web };
        let report = update_site(buckets, &self.renderer, messages).await.expect("update");
        assert!(report.failed_albums.is_empty(), "{:?}", report.failed_albums);
        report
    }

    async fn text(&self, key: &str) -> Option<String> {
        let object = self.web.get(key, u64::MAX).await.expect("get")?;
        Some(String::from_utf8(object.body.to_vec()).expect("utf8"))
    }

    /// The photo ids the page and its parts show, in order; checks every part it lists exists
    /// and no other part is stored.
    async fn shown(&self) -> Vec<String> {
        let page = self.text(&format!("{ALBUM}/index.html")).await.expect("the page");
        let mut ids: Vec<String> = page
            .split("id=\"photo-")
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_owned))
            .collect();
        assert!(ids.len() <= INLINE_PHOTOS);
        let parts = listed_parts(page.as_bytes());
        for hash in &parts {
            let body = self
                .text(&grid_part_key(ALBUM, hash))
                .await
                .unwrap_or_else(|| panic!("part {hash} is stored"));
            let part: serde_json::Value = serde_json::from_str(&body).expect("json");
            ids.extend(
                part["photos"]
                    .as_array()
                    .expect("photos")
                    .iter()
                    .map(|p| p["id"].as_str().expect("id").to_owned()),
            );
        }
        let stored: Vec<String> =
            self.web.list(&format!("{ALBUM}/_g/")).await.expect("list").into_iter().map(|o| o.key).collect();
        let listed: Vec<String> = parts.iter().map(|h| grid_part_key(ALBUM, h)).collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(stored, sorted, "the parts stored are the parts the page lists");
        ids
    }
}

/// Ids of photos `ns`, in capture order (newest name first: see `upsert`).
fn in_capture_order(mut ns: Vec<usize>) -> Vec<String> {
    ns.sort_by(|a, b| b.cmp(a));
    ns.into_iter().map(|n| photo_id(&key(n))).collect()
}

#[tokio::test]
async fn every_photo_once_through_additions_deletions_and_a_re_sort() {
    let site = Site::new();
    let mut present: Vec<usize> = (0..1_000).map(|n| n * 2).collect();
    let all: Vec<SiteMessage> = present.iter().map(|&n| upsert(&key(n), n)).collect();
    let first = site.update(&all).await;
    assert_eq!(site.shown().await, in_capture_order(present.clone()));
    let parts = first.written.iter().filter(|k| k.contains("/_g/")).count();
    assert!(parts >= 5, "a 1,000-photo album has parts ({parts})");

    // One photo in the middle: the page and one or two parts are written, the replaced ones go.
    let report = site.update(&[upsert(&key(1_001), 1_001)]).await;
    present.push(1_001);
    let written_parts: Vec<&String> = report.written.iter().filter(|k| k.contains("/_g/")).collect();
    assert!((1..=2).contains(&written_parts.len()), "written: {:?}", report.written);
    assert!(report.written.contains(&format!("{ALBUM}/index.html")));
    let deleted_parts = report.deleted.iter().filter(|k| k.contains("/_g/")).count();
    assert!((1..=2).contains(&deleted_parts), "deleted: {:?}", report.deleted);
    assert_eq!(site.shown().await, in_capture_order(present.clone()));

    // A deletion in the middle of a part.
    site.update(&[SiteMessage::PhotoRemoved {
        source_key: key(1_200),
        album: ALBUM.into(),
        sequencer: None,
    }])
    .await;
    present.retain(|&n| n != 1_200);
    assert_eq!(site.shown().await, in_capture_order(present.clone()));

    // album.yml asks for name order: every part changes, every photo is still there once.
    site.source
        .put(&format!("{ALBUM}/album.yml"), Bytes::from_static(b"sort: name\n"), &PutOptions::default())
        .await
        .expect("put");
    let re_sorted = site
        .update(&[SiteMessage::AlbumMetadataChanged { album: ALBUM.into(), removed: false, sequencer: None }])
        .await;
    let mut by_name = present.clone();
    by_name.sort();
    assert_eq!(site.shown().await, by_name.iter().map(|&n| photo_id(&key(n))).collect::<Vec<_>>());
    assert!(re_sorted.deleted.iter().filter(|k| k.contains("/_g/")).count() >= 5, "the old parts went");

    // The album empties: its page and every part go.
    let removals: Vec<SiteMessage> = present
        .iter()
        .map(|&n| SiteMessage::PhotoRemoved { source_key: key(n), album: ALBUM.into(), sequencer: None })
        .collect();
    site.update(&removals).await;
    assert!(site.text(&format!("{ALBUM}/index.html")).await.is_none(), "the page is gone");
    assert!(site.web.list(&format!("{ALBUM}/_g/")).await.expect("list").is_empty(), "so are its parts");
}

#[tokio::test]
async fn one_new_photo_in_a_10000_photo_album_rewrites_a_small_part_of_it() {
    let site = Site::new();
    let all: Vec<SiteMessage> = (0..10_000).map(|n| upsert(&key(n * 2), n * 2)).collect();
    site.update(&all).await;
    let page_bytes = site.text(&format!("{ALBUM}/index.html")).await.expect("page").len();
    assert!(page_bytes <= 100_000, "the page is {page_bytes} bytes");

    let report = site.update(&[upsert(&key(9_001), 9_001)]).await;
    let (mut data, mut pages) = (0, 0);
    for key in &report.written {
        let bytes = site.web.get(key, u64::MAX).await.expect("get").expect("written").body.len();
        if key.starts_with(shoebox_core::keys::DATA_PREFIX) {
            data += bytes;
        } else {
            pages += bytes;
        }
    }
    // The page (36 photos) and one or two parts of about 48: well under the album's 10,000
    // photos (several MB as one page).
    assert!(pages <= 150_000, "one new photo rewrote {pages} bytes of pages: {:?}", report.written);
    // The album's head, one or two data chunks and the gallery summary, not the album's data
    // (about 4 MB as one file).
    assert!(data <= 32_000, "one new photo rewrote {data} bytes of data in {} objects", report.written.len());
    let chunks = report.written.iter().filter(|k| shoebox_core::keys::data_chunk_of_key(k).is_some()).count();
    assert!((1..=2).contains(&chunks), "{chunks} data chunks written");
}
