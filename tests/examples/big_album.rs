//! Writes a gallery with one album of N photos (default 10,000), laid out as `shoebox build` lays
//! it out (`OUT/resized`, `OUT/web`), in seconds: eight sample photos are resized for real and
//! every photo of the album shows one of them (manifests with their own source keys and ids,
//! sharing those derivatives). The whole album arrives as one batch through the real site builder
//! (`update_site` over folder stores). With `--add` it then adds one photo in the middle of the
//! album as a second batch and prints what that wrote, in bytes.
//!
//!   cargo run -p tests --example big_album -- OUT [N] [--add]
//!
//! `./scripts/test` makes one for the browser tests (tests/browser/big-album.test.mjs).

use anyhow::Context as _;
use resize_worker::{publish, resize_photo, PhotoSource};
use shared::store::LocalStore;
use shared::{Limits, ObjectStore};
use shoebox_core::SiteMessage;
use site_builder::site::Buckets;
use site_builder::{update_site, Renderer};
use std::path::PathBuf;

/// Sample photos of a few shapes, resized; their manifests.
async fn samples(resized: &dyn ObjectStore) -> anyhow::Result<Vec<shoebox_core::PhotoManifest>> {
    let shapes =
        [(640, 480), (480, 640), (720, 480), (640, 640), (800, 450), (480, 720), (600, 400), (512, 384)];
    let mut out = Vec::new();
    for (i, (w, h)) in shapes.into_iter().enumerate() {
        let jpeg = samples::sample_jpeg(w, h, i as u64, None)?;
        let photo = resize_photo(&jpeg, "jpg", &Limits::default())?;
        let (key, stem, etag) = (format!("Big/sample-{i}.jpg"), format!("sample-{i}"), format!("s{i}"));
        let source = PhotoSource {
            key: &key,
            album: "Big",
            stem: &stem,
            etag: &etag,
            bytes: jpeg.len() as u64,
            sequencer: None,
        };
        out.push(publish(resized, &source, photo).await?);
    }
    Ok(out)
}

/// Photo `n` of the album: a sample's derivatives under its own name, one capture second apart.
fn photo(samples: &[shoebox_core::PhotoManifest], n: usize, name: &str) -> SiteMessage {
    let mut manifest = samples[n % samples.len()].clone();
    manifest.source_key = format!("Big/{name}");
    manifest.etag = format!("e{n}");
    let second = n % 60;
    let minute = (n / 60) % 60;
    let hour = n / 3600;
    manifest.exif.captured_at = Some(format!("2024-05-01T{:02}:{minute:02}:{second:02}", 6 + hour));
    SiteMessage::PhotoUpserted { manifest: Box::new(manifest) }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().context("usage: big_album OUT [N] [--add]")?);
    let n: usize = args.get(1).filter(|a| !a.starts_with("--")).map_or(Ok(10_000), |a| a.parse())?;
    let add = args.iter().any(|a| a == "--add");
    let (source, resized, web) = (
        LocalStore::new(out.join("source")),
        LocalStore::new(out.join("resized")),
        LocalStore::new(out.join("web")),
    );
    let buckets = Buckets { source: &source, resized: &resized, web: &web };
    let renderer = Renderer::new("Big Gallery")?;
    let samples = samples(&resized).await?;
    let messages: Vec<SiteMessage> = (0..n).map(|i| photo(&samples, i, &format!("IMG_{i:05}.jpg"))).collect();
    let report = update_site(buckets, &renderer, &messages).await?;
    anyhow::ensure!(report.failed_albums.is_empty(), "{:?}", report.failed_albums);
    let size = |key: &str| std::fs::metadata(out.join("web").join(key)).map(|m| m.len()).unwrap_or(0);
    let parts = report.written.iter().filter(|k| k.contains("/_g/")).count();
    println!("album of {n} photos: page {} bytes, {parts} parts", size("Big/index.html"));
    if add {
        // Between photos n/2 and n/2 + 1 in capture order.
        let mut extra = photo(&samples, n / 2, &format!("IMG_{:05}b.jpg", n / 2));
        if let SiteMessage::PhotoUpserted { manifest } = &mut extra {
            manifest.etag = "added".into();
        }
        let started = std::time::Instant::now();
        let report = update_site(buckets, &renderer, &[extra]).await?;
        let took = started.elapsed();
        let (mut pages, mut data) = (0, 0);
        for key in &report.written {
            println!("  wrote {key}: {} bytes", size(key));
            if key.starts_with(shoebox_core::keys::DATA_PREFIX) {
                data += size(key);
            } else {
                pages += size(key);
            }
        }
        for key in &report.deleted {
            println!("  deleted {key}");
        }
        println!(
            "one new photo in the middle wrote {} bytes in {} objects: {pages} of pages, {data} of data \
             ({} ms)",
            pages + data,
            report.written.len(),
            took.as_millis()
        );
    }
    Ok(())
}
