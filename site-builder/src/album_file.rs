//! How an album's data is kept in the web bucket: a small head (`_data/ALBUM/album.json`: the
//! album's settings, revision and the names of its chunks) and the photos in chunks
//! (`_data/ALBUM/_c/HASH.json.gz`, [`shoebox_core::keys::album_data_chunk_key`]).
//!
//! Chunks are cut by source key with [`crate::cuts`], so one new or deleted photo changes one
//! chunk (at most two) and the head, never the whole album. A chunk is named by a hash of its
//! JSON and never changes: the head is the only object written in place, always conditionally
//! (`If-Match`, through [`shared::store::Update`] in [`crate::update`]), so two site builders
//! cannot lose each other's changes and a reader of one head version sees one consistent album.
//! New chunks are written before the head that names them; chunks only the replaced head named
//! are deleted after it. Chunks are gzipped: they are read by the site builder only.
//!
//! Heads of schema 1 (the whole album in one file, as stores written before chunks hold) are
//! still read; the next change writes chunks.

use crate::album::{AlbumData, ALBUM_DATA_SCHEMA};
use crate::cuts::Cuts;
use crate::metadata::AlbumMetadata;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use shared::store::md5_etag;
use shared::{ObjectStore, PutOptions, StoreError};
use shoebox_core::keys::{album_data_chunk_key, album_data_key, photo_id};
use shoebox_core::{PhotoManifest, Sequencer};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;

/// Schema of a head that names chunks.
pub const ALBUM_HEAD_SCHEMA: u32 = 2;

/// How an album's photos (and deletions) are cut into chunks, by source key: 8 to 128 entries,
/// about 32 (~6 KB gzipped), so a 10,000-photo album has about 300 chunks and its head ~5 KB.
pub const DATA_CUTS: Cuts = Cuts { min: 8, max: 128, one_in: 24 };

/// Largest chunk read, gzipped; and once unpacked (a chunk holds at most 128 manifests).
const MAX_CHUNK: u64 = 16 << 20;
const MAX_CHUNK_JSON: u64 = 64 << 20;
/// Chunks read or written at once.
const CONCURRENCY: usize = 16;

/// Why an album's data could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Reading or writing the bucket failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The head or a chunk it names is damaged or missing.
    #[error("{key}: {reason}")]
    Damaged {
        /// The key of the damaged object.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

/// The head: everything but the photos, and the chunks that hold them. Schema 1 heads hold the
/// photos themselves.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    schema: u32,
    album: String,
    #[serde(default)]
    metadata: AlbumMetadata,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata_sequencer: Option<Sequencer>,
    #[serde(default)]
    revision: u64,
    /// How many photos the chunks hold.
    #[serde(default)]
    count: usize,
    /// The chunks' hashes in source-key order.
    #[serde(default)]
    chunks: Vec<String>,
    /// Schema 1 only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    photos: BTreeMap<String, PhotoManifest>,
    /// Schema 1 only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    deleted: BTreeMap<String, Sequencer>,
}

/// One chunk: the photos and deletions of a run of source keys.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Chunk {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    photos: BTreeMap<String, PhotoManifest>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    deleted: BTreeMap<String, Sequencer>,
}

/// An album's data as stored: the album, and the chunks its head names.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The album.
    pub data: AlbumData,
    /// The hashes of the chunks the head names (none for a schema 1 head or no head).
    pub chunks: Vec<String>,
}

/// An album's data as it is written: the head's bytes and every chunk.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The head's JSON.
    pub head: Bytes,
    /// The chunks, in order.
    pub chunks: Vec<EncodedChunk>,
}

/// One chunk, ready to write.
#[derive(Debug, Clone)]
pub struct EncodedChunk {
    /// Its name: 12 hex digits of the MD5 of its JSON.
    pub hash: String,
    /// Its JSON (gzipped only when written: most chunks of a save are stored already).
    pub json: Vec<u8>,
}

impl Encoded {
    /// The chunks' hashes, in order.
    pub fn hashes(&self) -> Vec<String> {
        self.chunks.iter().map(|c| c.hash.clone()).collect()
    }
}

/// Cuts an album into its head and chunks.
pub fn encode(data: &AlbumData) -> Result<Encoded, FileError> {
    let keys: Vec<&String> =
        data.photos.keys().chain(data.deleted.keys()).collect::<BTreeSet<_>>().into_iter().collect();
    let ids: Vec<String> = keys.iter().map(|k| photo_id(k)).collect();
    let mut chunks = Vec::new();
    for range in DATA_CUTS.cut(&ids) {
        let mut chunk = Chunk::default();
        for key in &keys[range] {
            if let Some(m) = data.photos.get(*key) {
                chunk.photos.insert((*key).clone(), m.clone());
            }
            if let Some(s) = data.deleted.get(*key) {
                chunk.deleted.insert((*key).clone(), s.clone());
            }
        }
        let json = to_json(&data.album, &chunk)?;
        chunks.push(EncodedChunk { hash: md5_etag(&json)[..12].to_owned(), json });
    }
    let head = Head {
        schema: ALBUM_HEAD_SCHEMA,
        album: data.album.clone(),
        metadata: data.metadata.clone(),
        metadata_sequencer: data.metadata_sequencer.clone(),
        revision: data.revision,
        count: data.photos.len(),
        chunks: chunks.iter().map(|c| c.hash.clone()).collect(),
        photos: BTreeMap::new(),
        deleted: BTreeMap::new(),
    };
    Ok(Encoded { head: Bytes::from(to_json(&data.album, &head)?), chunks })
}

/// JSON of a head or chunk.
fn to_json<T: Serialize>(album: &str, value: &T) -> Result<Vec<u8>, FileError> {
    serde_json::to_vec(value)
        .map_err(|e| FileError::Damaged { key: album_data_key(album), reason: e.to_string() })
}

fn gzip(json: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(json);
    Bytes::from(encoder.finish().unwrap_or_default())
}

/// Reads an album given its head's bytes as stored (`None`: no album yet). `Ok(None)` means a
/// chunk the head names is gone because another run replaced the head since it was read: read
/// the head again.
pub async fn read(
    web: &dyn ObjectStore,
    album: &str,
    head: Option<&[u8]>,
    head_etag: Option<&str>,
) -> Result<Option<Stored>, FileError> {
    let Some(head) = head else {
        return Ok(Some(Stored { data: AlbumData::new(album), chunks: Vec::new() }));
    };
    let key = album_data_key(album);
    let damaged = |reason: String| FileError::Damaged { key: key.clone(), reason };
    let head: Head = serde_json::from_slice(head).map_err(|e| damaged(e.to_string()))?;
    if head.album != album {
        return Err(damaged(format!("it is the data of album {:?}", head.album)));
    }
    let mut data = AlbumData {
        schema: ALBUM_DATA_SCHEMA,
        album: head.album,
        photos: head.photos,
        deleted: head.deleted,
        metadata: head.metadata,
        metadata_sequencer: head.metadata_sequencer,
        revision: head.revision,
    };
    match head.schema {
        ALBUM_DATA_SCHEMA => return Ok(Some(Stored { data, chunks: Vec::new() })),
        ALBUM_HEAD_SCHEMA => {}
        other => {
            return Err(damaged(format!(
                "schema {other} is neither {ALBUM_DATA_SCHEMA} nor {ALBUM_HEAD_SCHEMA}"
            )))
        }
    }
    let chunks = head.chunks;
    let Some(read) = read_chunks(web, album, &chunks).await? else {
        // A chunk is missing: damage, unless the head moved on meanwhile.
        let now = web.head(&key).await?.map(|info| info.etag);
        if now.as_deref() != head_etag {
            return Ok(None);
        }
        return Err(damaged("a chunk it names is missing".into()));
    };
    for chunk in read {
        data.photos.extend(chunk.photos);
        data.deleted.extend(chunk.deleted);
    }
    if data.photos.len() != head.count {
        return Err(damaged(format!("its chunks hold {} photos, not {}", data.photos.len(), head.count)));
    }
    Ok(Some(Stored { data, chunks }))
}

/// The chunks named `hashes`, in order; `None` when one is missing.
async fn read_chunks(
    web: &dyn ObjectStore,
    album: &str,
    hashes: &[String],
) -> Result<Option<Vec<Chunk>>, FileError> {
    use futures::{StreamExt as _, TryStreamExt as _};
    let reads: Vec<_> =
        hashes.iter().map(|hash| read_chunk(web, album_data_chunk_key(album, hash))).collect();
    let chunks: Vec<Option<Chunk>> = futures::stream::iter(reads).buffered(CONCURRENCY).try_collect().await?;
    Ok(chunks.into_iter().collect())
}

/// One chunk (`None` when it is missing).
async fn read_chunk(web: &dyn ObjectStore, key: String) -> Result<Option<Chunk>, FileError> {
    let Some(object) = web.get(&key, MAX_CHUNK).await? else { return Ok(None) };
    let damaged = |reason: String| FileError::Damaged { key: key.clone(), reason };
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&object.body[..])
        .take(MAX_CHUNK_JSON)
        .read_to_end(&mut json)
        .map_err(|e| damaged(format!("not gzip: {e}")))?;
    serde_json::from_slice(&json).map(Some).map_err(|e| damaged(e.to_string()))
}

/// Reads an album's data as stored now (an empty album when there is none).
pub async fn load(web: &dyn ObjectStore, album: &str) -> Result<Stored, FileError> {
    let key = album_data_key(album);
    loop {
        let object = web.get(&key, MAX_HEAD).await?;
        let (body, etag) = match &object {
            Some(o) => (Some(&o.body[..]), Some(o.info.etag.as_str())),
            None => (None, None),
        };
        if let Some(stored) = read(web, album, body, etag).await? {
            return Ok(stored);
        }
    }
}

/// Largest head read (a schema 1 head holds the whole album: a few MB per 5,000 photos).
pub const MAX_HEAD: u64 = 256 << 20;

/// A chunk written: its hash and key.
#[derive(Debug, Clone)]
pub struct WrittenChunk {
    /// Its hash.
    pub hash: String,
    /// Its key.
    pub key: String,
}

/// Writes the chunks of `encoded` that `stored` (the chunks the head being replaced names) does
/// not have, before the head that names them is written.
pub async fn write_new_chunks(
    web: &dyn ObjectStore,
    album: &str,
    encoded: &Encoded,
    stored: &[String],
) -> Result<Vec<WrittenChunk>, FileError> {
    use futures::{StreamExt as _, TryStreamExt as _};
    let options = PutOptions { content_type: Some("application/gzip".into()), cache_control: None };
    let options = &options;
    // A new album writes all its chunks: as many at once as are read at once.
    let writes: Vec<_> = encoded
        .chunks
        .iter()
        .filter(|c| !stored.contains(&c.hash))
        .map(|chunk| async move {
            let key = album_data_chunk_key(album, &chunk.hash);
            web.put(&key, gzip(&chunk.json), options).await?;
            Ok::<_, FileError>(WrittenChunk { hash: chunk.hash.clone(), key })
        })
        .collect();
    futures::stream::iter(writes).buffered(CONCURRENCY).try_collect().await
}

/// Deletes the chunks of `candidates` that `keep` does not name (those only a replaced head named,
/// once the new one is stored); returns their keys. A failure costs storage, not correctness:
/// logged.
pub async fn delete_retired_chunks(
    web: &dyn ObjectStore,
    album: &str,
    candidates: &[String],
    keep: &[String],
) -> Vec<String> {
    let mut deleted = Vec::new();
    let mut retired: Vec<&String> = candidates.iter().filter(|h| !keep.contains(h)).collect();
    retired.sort();
    retired.dedup();
    for key in retired.into_iter().map(|h| album_data_chunk_key(album, h)) {
        match web.delete(&key).await {
            Ok(()) => deleted.push(key),
            Err(e) => tracing::warn!(chunk = %key, error = %e, "could not delete a retired data chunk"),
        }
    }
    deleted
}

/// Writes an album whatever is stored (rebuild-all): its chunks, then its head. Returns the
/// chunks' hashes.
pub async fn save_whole(web: &dyn ObjectStore, data: &AlbumData) -> Result<Vec<String>, FileError> {
    let encoded = encode(data)?;
    write_new_chunks(web, &data.album, &encoded, &[]).await?;
    web.put(&album_data_key(&data.album), encoded.head.clone(), &PutOptions::json()).await?;
    Ok(encoded.hashes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::album::tests::manifest;
    use crate::cuts::tests::{check_cover, check_local, names};
    use shared::store::MemoryStore;

    fn album(n: usize) -> AlbumData {
        let mut data = AlbumData::new("A");
        for name in names(n) {
            let key = format!("A/{name}");
            data.photos.insert(key.clone(), manifest(&key, "e", Some("01")));
        }
        data.deleted.insert("A/gone.jpg".into(), Sequencer("02".into()));
        data.revision = 7;
        data
    }

    #[test]
    fn chunks_cover_every_entry_once_and_one_change_touches_at_most_two() {
        let chunks = check_cover(DATA_CUTS);
        assert!((200..500).contains(&chunks), "about 32 entries a chunk: {chunks} chunks");
        check_local(DATA_CUTS);
    }

    #[tokio::test]
    async fn an_album_reads_back_as_written() {
        let web = MemoryStore::new();
        for n in [0, 1, 500] {
            let data = album(n);
            let hashes = save_whole(&web, &data).await.expect("saves");
            let stored = load(&web, "A").await.expect("loads");
            assert_eq!(stored.data, data, "n = {n}");
            assert_eq!(stored.chunks, hashes);
        }
    }

    /// A manifest as a phone photo's looks: its own ETag, four derivatives under its own hash, a
    /// ThumbHash, EXIF and a Live Photo identifier (each made from hashes of the name, so nothing
    /// repeats across photos).
    fn phone_photo(key: &str, n: usize) -> PhotoManifest {
        let hash = |salt: &str| md5_etag(format!("{salt}{key}").as_bytes());
        let dir = format!("A/_p/IMG_{n:05}-{}", &hash("dir")[..12]);
        let widths = [(2048, 1536), (1280, 960), (640, 480), (320, 240)];
        PhotoManifest {
            etag: hash("etag"),
            source_bytes: 2_400_000 + n as u64 * 7,
            width: 4032,
            height: 3024,
            derivatives: widths
                .iter()
                .map(|&(width, height)| shoebox_core::Derivative {
                    width,
                    height,
                    key: format!("{dir}/{width}.jpg"),
                    bytes: u64::from(width) * 131 + n as u64,
                })
                .collect(),
            thumbhash: format!("{}{}", &hash("t1")[..14], &hash("t2")[..14]),
            exif: shoebox_core::ExifSummary {
                captured_at: Some(format!(
                    "2024-05-{:02}T{:02}:{:02}:{:02}",
                    1 + n / 3600 % 28,
                    n / 60 % 24,
                    n % 60,
                    n * 7 % 60
                )),
                camera: Some("Apple iPhone 15 Pro".into()),
                lens: Some("iPhone 15 Pro back triple camera 6.86mm f/1.78".into()),
                exposure: Some(format!("1/{}", 60 + n % 500)),
                aperture: Some("f/1.8".into()),
                iso: Some(50 + (n % 20) as u32 * 25),
                focal_length: Some("6.9 mm".into()),
                // Every iPhone still carries one (Live Photos are on by default).
                content_identifier: Some(format!(
                    "{}-{}-{}-{}-{}",
                    &hash("c")[..8],
                    &hash("c")[8..12],
                    &hash("c")[12..16],
                    &hash("c")[16..20],
                    &hash("c")[20..32]
                )),
            },
            video: None,
            ..manifest(key, "e", Some(&format!("{n:016X}")))
        }
    }

    #[tokio::test]
    async fn one_new_photo_in_a_10000_photo_album_writes_a_chunk_and_a_small_head() {
        let mut data = AlbumData::new("A");
        for (n, name) in names(10_000).into_iter().enumerate() {
            let key = format!("A/{name}");
            data.photos.insert(key.clone(), phone_photo(&key, n));
        }
        let whole = serde_json::to_vec(&data).expect("json").len();
        let before = encode(&data).expect("encodes");
        let key = "A/IMG_05000b.jpg";
        data.photos.insert(key.into(), phone_photo(key, 10_000));
        let after = encode(&data).expect("encodes");
        let new: Vec<&EncodedChunk> =
            after.chunks.iter().filter(|c| !before.hashes().contains(&c.hash)).collect();
        assert!((1..=2).contains(&new.len()), "{} new chunks", new.len());
        let chunk_bytes: usize = new.iter().map(|c| gzip(&c.json).len()).sum();
        let written = chunk_bytes + after.head.len();
        // Printed for docs/performance.md (`cargo test -p site-builder --lib one_new_photo -- --nocapture`).
        println!(
            "10,000 photos: {whole} bytes as one file; {} chunks; one new photo writes the head \
             ({} bytes) and {} chunk(s) ({chunk_bytes} bytes): {written} bytes",
            after.chunks.len(),
            after.head.len(),
            new.len()
        );
        assert!(written <= 16_000, "{written} bytes written");
    }

    #[tokio::test]
    async fn schema_1_files_are_read() {
        let web = MemoryStore::new();
        let data = album(20);
        let body = Bytes::from(serde_json::to_vec(&data).expect("json"));
        web.put(&album_data_key("A"), body, &PutOptions::json()).await.expect("put");
        let stored = load(&web, "A").await.expect("loads");
        assert_eq!(stored.data, data);
        assert!(stored.chunks.is_empty());
    }

    #[tokio::test]
    async fn damage_is_named() {
        let web = MemoryStore::new();
        let hashes = save_whole(&web, &album(100)).await.expect("saves");
        web.delete(&album_data_chunk_key("A", &hashes[1])).await.expect("delete");
        let err = load(&web, "A").await.expect_err("a chunk is missing");
        assert!(err.to_string().contains("a chunk it names is missing"), "{err}");

        let chunk = album_data_chunk_key("A", &hashes[0]);
        web.put(&chunk, Bytes::from_static(b"{}"), &PutOptions::json()).await.expect("put");
        let err = load(&web, "A").await.expect_err("not gzip");
        assert!(err.to_string().starts_with(&chunk), "{err}");

        for (body, says) in [
            (&b"{not json"[..], "key must be a string"),
            (br#"{"schema":9,"album":"A"}"#, "schema 9"),
            (br#"{"schema":2,"album":"B"}"#, "album \"B\""),
        ] {
            web.put(&album_data_key("A"), Bytes::from_static(body), &PutOptions::json()).await.expect("put");
            let err = load(&web, "A").await.expect_err("damaged head");
            assert!(err.to_string().contains(says), "{err}");
        }
    }
}
