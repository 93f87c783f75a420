//! Writing a resized photo: derivatives first, then its manifest, so a manifest only ever names
//! objects that exist.

use crate::pipeline::{EncodedJpeg, ResizedPhoto};
use bytes::Bytes;
use shared::{ObjectInfo, ObjectStore, PutOptions, S3Change, StoreError};
use shoebox_core::keys::{derivative_dir, derivative_key, manifest_key};
use shoebox_core::{Derivative, PhotoManifest, Sequencer, MANIFEST_SCHEMA};

/// Identifies the source photo a manifest describes.
#[derive(Debug, Clone)]
pub struct PhotoSource<'a> {
    /// Key in the source bucket.
    pub key: &'a str,
    /// Album (folder path).
    pub album: &'a str,
    /// File name without extension.
    pub stem: &'a str,
    /// ETag of the bytes that were resized.
    pub etag: &'a str,
    /// Size of the source object.
    pub bytes: u64,
    /// Sequencer of the event that caused this work, when known.
    pub sequencer: Option<Sequencer>,
}

impl<'a> PhotoSource<'a> {
    /// The source of a created photo (or video): the change that announced it and the object
    /// that was read.
    pub fn of(change: &'a S3Change, album: &'a str, stem: &'a str, object: &'a ObjectInfo) -> Self {
        Self {
            key: &change.key,
            album,
            stem,
            etag: &object.etag,
            bytes: object.size,
            sequencer: change.sequencer.clone(),
        }
    }
}

/// Builds the manifest for `photo` with the derivative keys of the key scheme.
pub fn manifest_for(source: &PhotoSource<'_>, photo: &ResizedPhoto) -> PhotoManifest {
    let dir = derivative_dir(source.album, source.stem, source.etag, source.key);
    PhotoManifest {
        schema: MANIFEST_SCHEMA,
        source_key: source.key.to_owned(),
        album: source.album.to_owned(),
        etag: source.etag.to_owned(),
        sequencer: source.sequencer.clone(),
        source_bytes: source.bytes,
        width: photo.width,
        height: photo.height,
        derivatives: photo
            .derivatives
            .iter()
            .map(|d| Derivative {
                width: d.width,
                height: d.height,
                key: derivative_key(&dir, d.width),
                bytes: d.jpeg.len() as u64,
            })
            .collect(),
        thumbhash: photo.thumbhash.clone(),
        icc_profile: photo.icc_profile,
        exif: photo.exif.clone(),
        video: None,
    }
}

/// Writes the derivatives and then the manifest to the resized store; returns the manifest.
pub async fn publish(
    store: &dyn ObjectStore,
    source: &PhotoSource<'_>,
    photo: ResizedPhoto,
) -> Result<PhotoManifest, StoreError> {
    let manifest = manifest_for(source, &photo);
    publish_manifest(store, &manifest, photo.derivatives).await?;
    Ok(manifest)
}

/// Writes `jpegs` as `manifest`'s derivatives and then the manifest itself. Whatever else the
/// manifest names (a video's web copy) must be written before.
pub async fn publish_manifest(
    store: &dyn ObjectStore,
    manifest: &PhotoManifest,
    jpegs: Vec<EncodedJpeg>,
) -> Result<(), StoreError> {
    for (d, encoded) in manifest.derivatives.iter().zip(jpegs) {
        store.put(&d.key, Bytes::from(encoded.jpeg), &PutOptions::immutable_jpeg()).await?;
    }
    store.put(&manifest_key(&manifest.source_key), Bytes::from(manifest.to_json()), &PutOptions::json()).await
}
