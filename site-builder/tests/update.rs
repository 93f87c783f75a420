//! Applying SiteQueue batches through an object store: bounded I/O whatever the gallery's size.

use bytes::Bytes;
use shared::store::OpCounts;
use shared::{MemoryStore, ObjectStore, PutOptions};
use shoebox_core::keys::{album_data_key, GALLERY_DATA_KEY};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest, Sequencer, SiteMessage};
use site_builder::{apply_batch, AlbumData, GallerySummary, SortOrder};

fn manifest(album: &str, n: usize, etag: &str) -> PhotoManifest {
    let key = format!("{album}/IMG_{n:05}.jpg");
    PhotoManifest {
        schema: shoebox_core::MANIFEST_SCHEMA,
        album: album.into(),
        etag: etag.into(),
        sequencer: Some(Sequencer(format!("{n:016X}"))),
        source_bytes: 3_000_000,
        width: 4000,
        height: 3000,
        derivatives: [2048u32, 1280, 640, 320]
            .iter()
            .map(|w| Derivative {
                width: *w,
                height: w * 3 / 4,
                key: format!("{album}/_p/IMG_{n:05}-abc/{w}.jpg"),
                bytes: 1,
            })
            .collect(),
        thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
        icc_profile: false,
        exif: ExifSummary { captured_at: Some("2024-05-01T12:00:00".into()), ..Default::default() },
        source_key: key,
    }
}

/// A gallery of `albums` × `per_album` photos, written as data files directly.
async fn gallery(albums: usize, per_album: usize) -> MemoryStore {
    let web = MemoryStore::new();
    let mut summary = GallerySummary::default();
    for a in 0..albums {
        let album = format!("Year {}/Album {a:04}", 2000 + a % 20);
        let mut data = AlbumData::new(&album);
        for n in 0..per_album {
            let m = manifest(&album, n, "e1");
            data.photos.insert(m.source_key.clone(), m);
        }
        let body = serde_json::to_vec(&data).expect("serialises");
        web.put(&album_data_key(&album), Bytes::from(body), &PutOptions::json()).await.expect("put");
        summary.update(&data);
    }
    let body = serde_json::to_vec(&summary).expect("serialises");
    web.put(GALLERY_DATA_KEY, Bytes::from(body), &PutOptions::json()).await.expect("put");
    web.reset_counts();
    web
}

fn upsert(m: PhotoManifest) -> SiteMessage {
    SiteMessage::PhotoUpserted { manifest: Box::new(m) }
}

#[tokio::test]
async fn one_new_photo_in_a_100000_photo_gallery_is_two_reads_and_two_writes() {
    let source = MemoryStore::new();
    let resized = MemoryStore::new();
    let web = gallery(2_000, 50).await;
    let album = "Year 2007/Album 0007";
    let new = upsert(manifest(album, 50, "e1"));

    let report = apply_batch(&source, &resized, &web, std::slice::from_ref(&new)).await.expect("applies");
    assert_eq!(report.changed, vec![album.to_owned()]);
    assert!(report.gallery_changed, "the album's count changed");
    assert_eq!(
        web.counts(),
        OpCounts { reads: 2, writes: 2, lists: 0 },
        "no listing: the album's data file and the gallery summary, each read once and written once"
    );
    assert_eq!(source.counts(), OpCounts::default());

    web.reset_counts();
    let replay = apply_batch(&source, &resized, &web, &[new]).await.expect("applies");
    assert_eq!(replay.unchanged, vec![album.to_owned()]);
    assert_eq!(
        web.counts(),
        OpCounts { reads: 2, writes: 0, lists: 0 },
        "a replay reads the album and the summary (an earlier try may have failed between them) \
         and writes nothing"
    );

    let data: AlbumData = serde_json::from_slice(
        &web.get(&album_data_key(album), u64::MAX).await.expect("get").expect("exists").body,
    )
    .expect("json");
    assert_eq!(data.photos.len(), 51);
    let gallery = site_builder::update::load_gallery(&web).await.expect("loads");
    assert_eq!(gallery.albums.len(), 2_000);
    assert_eq!(gallery.albums[album].photo_count, 51);
}

#[tokio::test]
async fn a_burst_into_one_album_is_a_bounded_number_of_operations() {
    let source = MemoryStore::new();
    let resized = MemoryStore::new();
    let web = gallery(10, 5).await;
    let album = "Year 2003/Album 0003";
    let burst: Vec<SiteMessage> = (100..600).map(|n| upsert(manifest(album, n, "e1"))).collect();
    let report = apply_batch(&source, &resized, &web, &burst).await.expect("applies");
    assert_eq!(report.changed.len(), 1);
    assert_eq!(
        web.counts(),
        OpCounts { reads: 2, writes: 2, lists: 0 },
        "500 photos, one album: same cost as one"
    );
}

#[tokio::test]
async fn deletions_titles_and_broken_album_yml() {
    let source = MemoryStore::new();
    let resized = MemoryStore::new();
    let web = gallery(3, 3).await;
    let album = "Year 2001/Album 0001";
    source
        .put(
            &format!("{album}/album.yml"),
            Bytes::from_static(b"title: Rome\nsort: name desc\n"),
            &PutOptions::default(),
        )
        .await
        .expect("put");
    let messages = vec![
        SiteMessage::PhotoRemoved {
            source_key: format!("{album}/IMG_00001.jpg"),
            album: album.into(),
            sequencer: Some(Sequencer("00000000000000FF".into())),
        },
        SiteMessage::AlbumMetadataChanged { album: album.into(), removed: false, sequencer: None },
    ];
    let report = apply_batch(&source, &resized, &web, &messages).await.expect("applies");
    assert_eq!(report.changed, vec![album.to_owned()]);
    assert_eq!(source.counts().reads, 1, "album.yml read once");
    let data = site_builder::update::load_album(&web, album).await.expect("loads");
    assert_eq!(data.photos.len(), 2);
    assert_eq!(data.metadata.title.as_deref(), Some("Rome"));
    let gallery = site_builder::update::load_gallery(&web).await.expect("loads");
    assert_eq!(gallery.albums[album].title, "Rome", "the summary follows album.yml");
    assert_eq!(gallery.albums[album].photo_count, 2);
    assert_eq!(data.metadata.sort, SortOrder::NameDesc);

    // A broken album.yml: logged, defaults apply, the album still updates.
    source
        .put(&format!("{album}/album.yml"), Bytes::from_static(b"title: [oops"), &PutOptions::default())
        .await
        .expect("put");
    let changed = SiteMessage::AlbumMetadataChanged { album: album.into(), removed: false, sequencer: None };
    apply_batch(&source, &resized, &web, &[changed]).await.expect("applies");
    let data = site_builder::update::load_album(&web, album).await.expect("loads");
    assert_eq!(data.metadata, Default::default());
}

/// A damaged data file is made again from the album's manifests (and its album.yml), then the
/// batch is applied to it: nothing is lost and nothing goes back to the queue.
#[tokio::test]
async fn a_damaged_data_file_is_made_again_from_the_manifests() {
    let source = MemoryStore::new();
    let resized = MemoryStore::new();
    let web = gallery(3, 2).await;
    let album = "Year 2001/Album 0001";
    for n in 0..2 {
        let m = manifest(album, n, "e1");
        let key = shoebox_core::keys::manifest_key(&m.source_key);
        resized.put(&key, Bytes::from(m.to_json()), &PutOptions::json()).await.expect("put");
    }
    // A photo of a sub-album shares the manifest prefix and must stay out of this album.
    let nested = manifest(&format!("{album}/Day 2"), 7, "e1");
    let key = shoebox_core::keys::manifest_key(&nested.source_key);
    resized.put(&key, Bytes::from(nested.to_json()), &PutOptions::json()).await.expect("put");
    source
        .put(&format!("{album}/album.yml"), Bytes::from_static(b"title: Rome\n"), &PutOptions::default())
        .await
        .expect("put");
    web.put(&album_data_key(album), Bytes::from_static(b"{not json"), &PutOptions::json())
        .await
        .expect("put");

    let other = "Year 2002/Album 0002";
    let batch = [upsert(manifest(album, 9, "e1")), upsert(manifest(other, 9, "e1"))];
    let report = apply_batch(&source, &resized, &web, &batch).await.expect("the batch goes on");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.changed, vec![album.to_owned(), other.to_owned()]);
    let data = site_builder::update::load_album(&web, album).await.expect("readable again");
    let photos: Vec<&str> = data.photos.keys().map(String::as_str).collect();
    assert_eq!(
        photos,
        [
            format!("{album}/IMG_00000.jpg"),
            format!("{album}/IMG_00001.jpg"),
            format!("{album}/IMG_00009.jpg")
        ],
        "the manifests' photos and the batch's new one"
    );
    assert_eq!(data.metadata.title.as_deref(), Some("Rome"), "album.yml read again");
    let summary: GallerySummary = serde_json::from_slice(
        &web.get(GALLERY_DATA_KEY, 1 << 20).await.expect("get").expect("summary").body,
    )
    .expect("summary");
    assert_eq!(summary.albums[album].photo_count, 3, "the summary follows the remade data");
}
