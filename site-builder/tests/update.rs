//! Applying SiteQueue batches through an object store: bounded I/O whatever the gallery's size.

use bytes::Bytes;
use shared::store::OpCounts;
use shared::{MemoryStore, ObjectStore, PutOptions};
use shoebox_core::keys::{album_data_key, GALLERY_DATA_KEY};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest, Sequencer, SiteMessage};
use site_builder::{album_file, apply_batch, AlbumData, GallerySummary, SortOrder};

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
        video: None,
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
        album_file::save_whole(&web, &data).await.expect("saves");
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

/// The chunks an album's head names now.
async fn chunks_of(web: &MemoryStore, album: &str) -> usize {
    album_file::load(web, album).await.expect("loads").chunks.len()
}

#[tokio::test]
async fn one_new_photo_in_a_100000_photo_gallery_reads_one_album_and_writes_a_chunk() {
    let source = MemoryStore::new();
    let resized = MemoryStore::new();
    let web = gallery(2_000, 50).await;
    let album = "Year 2007/Album 0007";
    let chunks = chunks_of(&web, album).await;
    web.reset_counts();
    let new = upsert(manifest(album, 50, "e1"));

    let report = apply_batch(&source, &resized, &web, std::slice::from_ref(&new)).await.expect("applies");
    assert_eq!(report.changed, vec![album.to_owned()]);
    assert!(report.gallery_changed, "the album's count changed");
    let counts = web.counts();
    assert_eq!(
        (counts.reads, counts.lists),
        (chunks + 2, 0),
        "no listing: the album's head and its {chunks} chunks, and the gallery summary"
    );
    let new_chunks = report.written.iter().filter(|k| k.contains("/_c/")).count();
    assert!((1..=2).contains(&new_chunks), "{:?}", report.written);
    assert_eq!(report.deleted.len(), new_chunks, "the chunks replaced: {:?}", report.deleted);
    assert_eq!(
        counts.writes,
        2 * new_chunks + 2,
        "the new chunks, the head and the summary written, the replaced chunks deleted: {:?}",
        report.written
    );
    assert_eq!(source.counts(), OpCounts::default());

    web.reset_counts();
    let replay = apply_batch(&source, &resized, &web, &[new]).await.expect("applies");
    assert_eq!(replay.unchanged, vec![album.to_owned()]);
    assert_eq!(
        web.counts(),
        OpCounts { reads: chunks_of(&web, album).await + 2, writes: 0, lists: 0 },
        "a replay reads the album and the summary (an earlier try may have failed between them) \
         and writes nothing"
    );

    let data = site_builder::update::load_album(&web, album).await.expect("loads");
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
    let counts = web.counts();
    let chunks = chunks_of(&web, album).await;
    assert!(chunks >= 5, "{chunks} chunks");
    assert_eq!(
        counts,
        OpCounts { reads: 3, writes: chunks + 3, lists: 0 },
        "500 photos, one album: its head, its one chunk and the summary read once; each of its \
         {chunks} chunks, its head and the summary written once, and its one chunk before deleted"
    );
}

/// Stores from before chunks hold an album in one file (schema 1): it is read, and its next
/// change writes it in chunks.
#[tokio::test]
async fn an_album_in_one_file_goes_into_chunks_on_its_next_change() {
    let (source, resized, web) = (MemoryStore::new(), MemoryStore::new(), MemoryStore::new());
    let album = "Old";
    let mut data = AlbumData::new(album);
    for n in 0..300 {
        let m = manifest(album, n, "e1");
        data.photos.insert(m.source_key.clone(), m);
    }
    let body = serde_json::to_vec(&data).expect("serialises");
    web.put(&album_data_key(album), Bytes::from(body), &PutOptions::json()).await.expect("put");
    apply_batch(&source, &resized, &web, &[upsert(manifest(album, 300, "e1"))]).await.expect("applies");
    let head: serde_json::Value = serde_json::from_slice(
        &web.get(&album_data_key(album), u64::MAX).await.expect("get").expect("head").body,
    )
    .expect("json");
    assert_eq!(head["schema"], 2);
    assert!(head.get("photos").is_none(), "{head}");
    let stored = album_file::load(&web, album).await.expect("loads");
    assert_eq!(stored.data.photos.len(), 301);
    assert!(stored.chunks.len() >= 5, "{} chunks", stored.chunks.len());
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
