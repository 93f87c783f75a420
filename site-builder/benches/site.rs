//! Site builder benchmark: one new photo in a synthetic 100,000-photo / 2,000-album gallery
//! (time and object-store operations), rendering a 5,000-photo album, and re-rendering every page,
//! in memory and with each request taking as long as an S3 request from Lambda (20 ms).
//!
//! `cargo bench -p site-builder --bench site` prints one JSON object.

use bytes::Bytes;
use shared::{MemoryStore, Object, ObjectInfo, ObjectStore, Precondition, PutOptions, StoreError};
use shoebox_core::keys::{derivative_dir, derivative_key, GALLERY_DATA_KEY};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest, Sequencer, SiteMessage};
use site_builder::site::Buckets;
use site_builder::{render_all, update_site, AlbumData, GallerySummary, Renderer};
use std::time::Instant;

fn manifest(album: &str, n: usize) -> PhotoManifest {
    let key = format!("{album}/IMG_{n:05}.jpg");
    let (w, h) = if n.is_multiple_of(3) { (3000, 4000) } else { (4000, 3000) };
    PhotoManifest {
        schema: shoebox_core::MANIFEST_SCHEMA,
        album: album.into(),
        etag: format!("{n:032x}"),
        sequencer: Some(Sequencer(format!("{n:016X}"))),
        source_bytes: 3_000_000,
        width: w,
        height: h,
        derivatives: [2048u32, 1280, 640, 320]
            .iter()
            .map(|e| {
                let (dw, dh) = if w >= h { (*e, e * h / w) } else { (e * w / h, *e) };
                Derivative {
                    width: dw,
                    height: dh,
                    key: derivative_key(&derivative_dir(album, &format!("IMG_{n:05}"), "e", &key), dw),
                    bytes: 250_000,
                }
            })
            .collect(),
        thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
        icc_profile: true,
        exif: ExifSummary {
            captured_at: Some(format!("2024-05-{:02}T12:{:02}:00", n % 28 + 1, n % 60)),
            ..Default::default()
        },
        video: None,
        source_key: key,
    }
}

/// Time to first byte of an S3 request from a Lambda function in the same Region (small objects).
const S3_LATENCY: std::time::Duration = std::time::Duration::from_millis(20);

/// An in-memory bucket whose every request takes [`S3_LATENCY`], as S3's do; requests in
/// flight at once overlap, as they do over the SDK's connection pool.
#[derive(Debug)]
struct Remote<'a>(&'a MemoryStore);

#[async_trait::async_trait]
impl ObjectStore for Remote<'_> {
    fn location(&self) -> String {
        self.0.location()
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        tokio::time::sleep(S3_LATENCY).await;
        self.0.head(key).await
    }
    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        tokio::time::sleep(S3_LATENCY).await;
        self.0.get(key, max_bytes).await
    }
    async fn put(&self, key: &str, body: Bytes, options: &PutOptions) -> Result<(), StoreError> {
        tokio::time::sleep(S3_LATENCY).await;
        self.0.put(key, body, options).await
    }
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        tokio::time::sleep(S3_LATENCY).await;
        self.0.put_if(key, body, options, precondition).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        tokio::time::sleep(S3_LATENCY).await;
        self.0.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        tokio::time::sleep(S3_LATENCY).await;
        self.0.list(prefix).await
    }
}

fn album_data(album: &str, photos: usize) -> AlbumData {
    let mut d = AlbumData::new(album);
    for n in 0..photos {
        let m = manifest(album, n);
        d.photos.insert(m.source_key.clone(), m);
    }
    d
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (albums, per_album) = (2_000usize, 50usize);
    let source = MemoryStore::new();
    let web = MemoryStore::new();
    let mut summary = GallerySummary::default();
    let t = Instant::now();
    for a in 0..albums {
        let data = album_data(&format!("Year {}/Album {a:04}", 2000 + a % 20), per_album);
        site_builder::album_file::save_whole(&web, &data).await.expect("saves");
        summary.update(&data);
    }
    web.put(GALLERY_DATA_KEY, Bytes::from(serde_json::to_vec(&summary).expect("json")), &PutOptions::json())
        .await
        .expect("put");
    let setup_s = t.elapsed().as_secs_f64();
    let renderer = Renderer::new("Benchmark").expect("templates");

    let t = Instant::now();
    let first = render_all(&web, &renderer).await.expect("renders");
    let render_all_s = t.elapsed().as_secs_f64();

    // The same over S3-like latency: the pages are unchanged, so this is the HEADs and GETs
    // every page costs (as after a deploy that changed nothing), plus rendering.
    let again = Renderer::new("Benchmark").expect("templates");
    web.reset_counts();
    let t = Instant::now();
    render_all(&Remote(&web), &again).await.expect("renders");
    let remote_s = t.elapsed().as_secs_f64();
    let remote_ops = web.counts();
    let one_at_a_time_s =
        (remote_ops.reads + remote_ops.writes + remote_ops.lists) as f64 * S3_LATENCY.as_secs_f64();

    // One new photo into one album: data, summary, and the pages it touches.
    web.reset_counts();
    let new = SiteMessage::PhotoUpserted { manifest: Box::new(manifest("Year 2007/Album 0007", per_album)) };
    let t = Instant::now();
    let report = update_site(Buckets { source: &source, resized: &source, web: &web }, &renderer, &[new])
        .await
        .expect("updates");
    let one_photo_ms = t.elapsed().as_secs_f64() * 1000.0;
    let ops = web.counts();

    // One album of 5,000 photos.
    let big = album_data("Big/Album", 5_000);
    let mut big_summary = summary.clone();
    big_summary.update(&big);
    let t = Instant::now();
    let page = renderer.album(&big, &big_summary).expect("renders");
    let big_ms = t.elapsed().as_secs_f64() * 1000.0;
    let sample = std::env::temp_dir().join("shoebox-album-5000.html");
    std::fs::write(&sample, &page.html).expect("write sample");
    let part_bytes: Vec<usize> = page.parts.iter().map(|p| p.body.len()).collect();

    println!(
        "{}",
        serde_json::json!({
            "gallery": { "albums": albums, "photos": albums * per_album, "setup_s": setup_s },
            "render_all": { "seconds": render_all_s, "pages_written": first.written.len() },
            "render_all_20ms_requests": {
                "seconds": remote_s,
                "requests": remote_ops.reads + remote_ops.writes + remote_ops.lists,
                "one_request_at_a_time_would_wait_s": one_at_a_time_s,
            },
            "one_new_photo": {
                "ms": one_photo_ms,
                "reads": ops.reads, "writes": ops.writes, "lists": ops.lists,
                "written": report.written,
            },
            "album_5000": {
                "render_ms": big_ms, "html_bytes": page.html.len(), "html_file": sample,
                "parts": part_bytes.len(),
                "part_bytes_max": part_bytes.iter().max(),
                "part_bytes_total": part_bytes.iter().sum::<usize>(),
            },
        })
    );
}
