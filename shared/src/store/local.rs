//! [`ObjectStore`] over a folder: keys are relative paths, writes are atomic (temp file + rename).

use super::{md5_etag, Object, ObjectInfo, ObjectStore, Precondition, PutOptions, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::HashMap;
use std::io::{ErrorKind, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// Prefix of the store's own files (temporary files, the lock); listings skip them.
const OWN_PREFIX: &str = ".shoebox-";
/// Prefix of in-flight temporary files.
const TEMP_PREFIX: &str = ".shoebox-tmp-";
/// The file conditional writes lock (across threads and processes) while they compare and rename.
const LOCK_FILE: &str = ".shoebox-lock";

/// What identifies a file's content without reading it: size, modification time, inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    modified: SystemTime,
    inode: u64,
}

/// Files modified this recently are not cached: a rewrite within the clock's resolution could
/// keep size and time (git's "racy clean" problem).
const RACY: Duration = Duration::from_secs(2);

/// MD5 ETags of files already read by this process, so a long-running `shoebox serve` lists an
/// unchanged folder again without reading every photo.
fn etag_cache() -> &'static Mutex<HashMap<PathBuf, (Stamp, String)>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, (Stamp, String)>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn stamp(meta: &std::fs::Metadata) -> Option<Stamp> {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    let modified = meta.modified().ok()?;
    let settled = SystemTime::now().duration_since(modified).is_ok_and(|age| age >= RACY);
    settled.then_some(Stamp { size: meta.len(), modified, inode })
}

fn cached_etag(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    let stamp = stamp(meta)?;
    let cache = etag_cache().lock().ok()?;
    cache.get(path).filter(|(s, _)| *s == stamp).map(|(_, etag)| etag.clone())
}

fn remember_etag(path: &Path, meta: &std::fs::Metadata, etag: &str) {
    if let (Some(stamp), Ok(mut cache)) = (stamp(meta), etag_cache().lock()) {
        cache.insert(path.to_owned(), (stamp, etag.to_owned()));
    }
}

/// The metadata of the file at `path`, or `None` when there is no file (missing, or a folder).
fn file_metadata(path: &Path, key: &str) -> Result<Option<std::fs::Metadata>, StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(Some(m)),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::NotADirectory => Ok(None),
        Err(e) => Err(io(key, "stat")(e)),
    }
}

/// The file's MD5 ETag, from the cache when its stamp is unchanged.
fn file_etag(path: &Path, meta: &std::fs::Metadata, key: &str) -> Result<String, StoreError> {
    if let Some(etag) = cached_etag(path, meta) {
        return Ok(etag);
    }
    let body = std::fs::read(path).map_err(io(key, "read"))?;
    let etag = md5_etag(&body);
    remember_etag(path, meta, &etag);
    Ok(etag)
}

/// A folder used as a bucket.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store rooted at `root` (created on first write if missing).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Removes the temporary files a killed process left behind (a write is a temporary file
    /// renamed into place, so an interrupted one leaves its temporary file). Call it when no
    /// other process writes here; returns how many were removed.
    pub fn remove_leftovers(&self) -> std::io::Result<usize> {
        fn sweep(dir: &Path) -> std::io::Result<usize> {
            let mut removed = 0;
            let entries = match std::fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    removed += sweep(&entry.path())?;
                } else if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    std::fs::remove_file(entry.path())?;
                    removed += 1;
                }
            }
            Ok(removed)
        }
        sweep(&self.root)
    }

    /// The folder this store keeps its objects in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file path of `key`, refusing keys that would leave the root.
    pub fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        let invalid = |reason| StoreError::InvalidKey { key: key.to_owned(), reason };
        if key.is_empty() {
            return Err(invalid("empty key"));
        }
        if key.contains('\0') {
            return Err(invalid("NUL byte in key"));
        }
        let rel = Path::new(key);
        for c in rel.components() {
            match c {
                Component::Normal(_) => {}
                Component::ParentDir => return Err(invalid("'..' would escape the store's folder")),
                Component::RootDir | Component::Prefix(_) => return Err(invalid("absolute path")),
                Component::CurDir => return Err(invalid("'.' path segment")),
            }
        }
        if key.split('/').any(str::is_empty) {
            return Err(invalid("empty path segment"));
        }
        Ok(self.root.join(rel))
    }
}

fn io<'k>(key: &'k str, op: &'static str) -> impl FnOnce(std::io::Error) -> StoreError + 'k {
    move |source| StoreError::Io { key: key.to_owned(), op, source }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|join| {
        Err(StoreError::Io {
            key: String::new(),
            op: "blocking task",
            source: std::io::Error::other(join.to_string()),
        })
    })
}

#[async_trait]
impl ObjectStore for LocalStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        // The local ETag is the content's MD5, as S3's is for single-part uploads.
        let path = self.path_of(key)?;
        let key = key.to_owned();
        blocking(move || {
            let Some(meta) = file_metadata(&path, &key)? else { return Ok(None) };
            match file_etag(&path, &meta, &key) {
                Ok(etag) => Ok(Some(ObjectInfo { size: meta.len(), etag, key })),
                Err(StoreError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }

    async fn get(&self, key: &str, max_bytes: u64) -> Result<Option<Object>, StoreError> {
        let path = self.path_of(key)?;
        let key = key.to_owned();
        blocking(move || {
            let Some(meta) = file_metadata(&path, &key)? else { return Ok(None) };
            if meta.len() > max_bytes {
                return Err(StoreError::TooLarge { key, size: meta.len(), limit: max_bytes });
            }
            let body = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(&key, "read")(e)),
            };
            let info = ObjectInfo { size: body.len() as u64, etag: md5_etag(&body), key };
            Ok(Some(Object { info, body: Bytes::from(body) }))
        })
        .await
    }

    async fn get_to_file(
        &self,
        key: &str,
        to: &Path,
        max_bytes: u64,
    ) -> Result<Option<ObjectInfo>, StoreError> {
        use md5::{Digest, Md5};
        use std::io::Read as _;
        let (path, to) = (self.path_of(key)?, to.to_owned());
        let key = key.to_owned();
        blocking(move || {
            let Some(meta) = file_metadata(&path, &key)? else { return Ok(None) };
            if meta.len() > max_bytes {
                return Err(StoreError::TooLarge { key, size: meta.len(), limit: max_bytes });
            }
            let mut from = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(&key, "read")(e)),
            };
            // Copied and hashed in one pass: a video is never held in memory.
            let mut out = std::fs::File::create(&to).map_err(io(&key, "write a scratch copy"))?;
            let (mut md5, mut size, mut buffer) = (Md5::new(), 0u64, vec![0u8; 1 << 20]);
            loop {
                let n = from.read(&mut buffer).map_err(io(&key, "read"))?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                if size > max_bytes {
                    return Err(StoreError::TooLarge { key, size, limit: max_bytes });
                }
                md5.update(&buffer[..n]);
                out.write_all(&buffer[..n]).map_err(io(&key, "write a scratch copy"))?;
            }
            let etag = super::lower_hex(&md5.finalize());
            Ok(Some(ObjectInfo { key, size, etag }))
        })
        .await
    }

    async fn put_file(&self, key: &str, from: &Path, _options: &PutOptions) -> Result<(), StoreError> {
        let (path, from) = (self.path_of(key)?, from.to_owned());
        let key = key.to_owned();
        blocking(move || {
            write_whole_with(&path, &key, |file| {
                std::io::copy(&mut std::fs::File::open(&from)?, file).map(|_| ())
            })
        })
        .await
    }

    async fn put(&self, key: &str, body: Bytes, _options: &PutOptions) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        let key = key.to_owned();
        blocking(move || write_whole(&path, &body, &key)).await
    }

    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        _options: &PutOptions,
        precondition: &Precondition,
    ) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        let (root, key, precondition) = (self.root.clone(), key.to_owned(), precondition.clone());
        blocking(move || {
            std::fs::create_dir_all(&root).map_err(io(&key, "create folder"))?;
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(root.join(LOCK_FILE))
                .map_err(io(&key, "open the lock file"))?;
            // Held until `lock` drops: compare and rename happen as one step for every writer.
            lock.lock().map_err(io(&key, "lock"))?;
            let current = match std::fs::read(&path) {
                Ok(bytes) => Some(md5_etag(&bytes)),
                Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::NotADirectory => None,
                Err(e) => return Err(io(&key, "read")(e)),
            };
            if !precondition.holds(current.as_deref()) {
                return Err(StoreError::Conflict { key });
            }
            write_whole(&path, &body, &key)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        let root = self.root.clone();
        let key = key.to_owned();
        blocking(move || {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(io(&key, "delete")(e)),
            }
            // Tidy folders the delete emptied, as S3 has no folders to leave behind.
            let mut dir = path.parent();
            while let Some(d) = dir {
                if d == root || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
            Ok(())
        })
        .await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        blocking(move || {
            let mut out = Vec::new();
            walk(&root, &root, &prefix, &mut out)?;
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
        .await
    }
}

/// Writes `body` to a temporary file beside `path`, then renames it into place.
fn write_whole(path: &Path, body: &[u8], key: &str) -> Result<(), StoreError> {
    write_whole_with(path, key, |file| file.write_all(body))
}

/// [`write_whole`] with the content written by `fill` (a copy of a large file, streamed).
fn write_whole_with(
    path: &Path,
    key: &str,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(key, "create folder"))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    // A site is for serving: its files get the usual permissions (0666 less the umask, as any
    // new file), not a temporary file's 0600, so a web server running as another user can read them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io(key, "create temp file"))?;
    fill(tmp.as_file_mut()).map_err(io(key, "write"))?;
    tmp.as_file().sync_data().map_err(io(key, "sync"))?;
    tmp.persist(path).map_err(|e| io(key, "rename into place")(e.error))?;
    Ok(())
}

fn walk(root: &Path, dir: &Path, prefix: &str, out: &mut Vec<ObjectInfo>) -> Result<(), StoreError> {
    let rel_dir = dir.strip_prefix(root).unwrap_or(dir).to_string_lossy().into_owned();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(&rel_dir, "list folder")(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io(&rel_dir, "list folder"))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            tracing::warn!(folder = %dir.display(), "skipping a file whose name is not UTF-8");
            continue;
        };
        if name.starts_with(OWN_PREFIX) {
            continue;
        }
        let key = if rel_dir.is_empty() { name } else { format!("{rel_dir}/{name}") };
        // Only descend into folders that can hold keys with the prefix.
        let path = entry.path();
        let meta = std::fs::metadata(&path).map_err(io(&key, "stat"))?;
        if meta.is_dir() {
            let folder = format!("{key}/");
            if folder.starts_with(prefix) || prefix.starts_with(&folder) {
                walk(root, &path, prefix, out)?;
            }
        } else if meta.is_file() && key.starts_with(prefix) {
            let etag = file_etag(&path, &meta, &key)?;
            out.push(ObjectInfo { size: meta.len(), etag, key });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_go_in_and_out_whole_with_the_etag_of_their_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path().join("bucket"));
        let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let from = dir.path().join("from.bin");
        std::fs::write(&from, &body).expect("write");
        store.put_file("a/v.mp4", &from, &PutOptions::immutable("video/mp4")).await.expect("put");
        let to = dir.path().join("to.bin");
        let info = store.get_to_file("a/v.mp4", &to, 4_000_000).await.expect("get").expect("there");
        assert_eq!((info.size, info.etag.as_str()), (body.len() as u64, md5_etag(&body).as_str()));
        assert_eq!(store.head("a/v.mp4").await.expect("head").expect("there").etag, info.etag);
        assert_eq!(std::fs::read(&to).expect("read"), body);
        assert!(store.get_to_file("a/none.mp4", &to, 10).await.expect("get").is_none());
        let refused = store.get_to_file("a/v.mp4", &to, 1_000).await.expect_err("too large");
        assert!(matches!(refused, StoreError::TooLarge { size: 3_000_000, limit: 1_000, .. }), "{refused}");
    }

    #[test]
    fn leftovers_of_a_killed_write_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("A/_p")).expect("mkdir");
        std::fs::write(dir.path().join("A/_p/.shoebox-tmp-x1"), "half").expect("write");
        std::fs::write(dir.path().join(".shoebox-tmp-x2"), "half").expect("write");
        std::fs::write(dir.path().join("A/_p/a.jpg"), "whole").expect("write");
        std::fs::write(dir.path().join(LOCK_FILE), "").expect("write");
        assert_eq!(LocalStore::new(dir.path()).remove_leftovers().expect("sweeps"), 2);
        assert!(dir.path().join("A/_p/a.jpg").exists() && dir.path().join(LOCK_FILE).exists());
        assert_eq!(LocalStore::new(dir.path().join("missing")).remove_leftovers().expect("nothing"), 0);
    }

    #[tokio::test]
    async fn put_get_list_delete_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path());
        let key = "Trips/Rome 2024/a+b ü.jpg";
        assert!(store.get(key, 100).await.expect("get").is_none());
        store.put(key, Bytes::from_static(b"hello"), &PutOptions::default()).await.expect("put");
        store.put("Trips/x.json", Bytes::from_static(b"{}"), &PutOptions::default()).await.expect("put");
        let got = store.get(key, 100).await.expect("get").expect("exists");
        assert_eq!(&got.body[..], b"hello");
        assert_eq!(got.info.etag, "5d41402abc4b2a76b9719d911017c592");
        let listed: Vec<String> =
            store.list("Trips/R").await.expect("list").into_iter().map(|o| o.key).collect();
        assert_eq!(listed, vec![key.to_owned()]);
        assert_eq!(store.list("").await.expect("list").len(), 2);
        store.delete(key).await.expect("delete");
        store.delete(key).await.expect("deleting twice is fine");
        assert!(!dir.path().join("Trips/Rome 2024").exists(), "emptied folder is tidied");
        assert!(dir.path().join("Trips").exists(), "non-empty folder stays");
    }

    /// Written files get what any new file gets under this umask (0644 under the usual 022), not
    /// a temporary file's 0600.
    #[cfg(unix)]
    #[tokio::test]
    async fn written_files_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path());
        store.put("Trips/index.html", Bytes::from_static(b"<p>"), &PutOptions::default()).await.expect("put");
        let usual = dir.path().join("usual");
        std::fs::write(&usual, b"").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("Trips/index.html")), mode(&usual));
        assert_ne!(mode(&usual), 0o600, "this check needs a umask that leaves group or others a bit");
    }

    #[tokio::test]
    async fn refuses_keys_that_escape_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path().join("root"));
        for key in ["../evil", "a/../../evil", "/etc/passwd", "", "a//b", "./a", "a\0b"] {
            let err = store.put(key, Bytes::new(), &PutOptions::default()).await.expect_err(key);
            assert!(matches!(err, StoreError::InvalidKey { .. }), "{key:?}: {err}");
        }
        assert!(!dir.path().join("evil").exists());
    }

    #[tokio::test]
    async fn get_refuses_objects_over_the_limit_before_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path());
        store.put("a/b", Bytes::from(vec![0u8; 10]), &PutOptions::default()).await.expect("put");
        let err = store.get("a/b", 9).await.expect_err("too large");
        assert!(matches!(err, StoreError::TooLarge { size: 10, limit: 9, .. }), "{err}");
    }

    #[tokio::test]
    async fn cached_etags_follow_replacements_and_edits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path());
        let path = dir.path().join("a/photo.jpg");
        let age = |p: &Path| {
            let old = SystemTime::now() - Duration::from_secs(3600);
            std::fs::File::options()
                .write(true)
                .open(p)
                .and_then(|f| f.set_modified(old))
                .expect("set mtime");
        };
        store.put("a/photo.jpg", Bytes::from_static(b"first"), &PutOptions::default()).await.expect("put");
        age(&path);
        let first = store.list("a/").await.expect("list")[0].etag.clone();
        assert_eq!(first, md5_etag(b"first"));
        assert_eq!(store.head("a/photo.jpg").await.expect("head").map(|i| i.etag), Some(first.clone()));
        // Replaced by rename (a new file), even with the same size and an old time.
        store.put("a/photo.jpg", Bytes::from_static(b"secon"), &PutOptions::default()).await.expect("put");
        age(&path);
        assert_eq!(store.list("a/").await.expect("list")[0].etag, md5_etag(b"secon"));
        // Edited in place to another size.
        std::fs::write(&path, b"third edit").expect("write");
        age(&path);
        assert_eq!(
            store.head("a/photo.jpg").await.expect("head").map(|i| i.etag),
            Some(md5_etag(b"third edit"))
        );
    }

    #[tokio::test]
    async fn conditional_writes_refuse_changed_objects_even_from_many_threads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path());
        let opts = PutOptions::default();
        store
            .put_if("d/x.json", Bytes::from_static(b"1"), &opts, &Precondition::Absent)
            .await
            .expect("create");
        let err = store.put_if("d/x.json", Bytes::from_static(b"2"), &opts, &Precondition::Absent).await;
        assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
        let stale = Precondition::Matches(md5_etag(b"0"));
        assert!(matches!(
            store.put_if("d/x.json", Bytes::from_static(b"2"), &opts, &stale).await,
            Err(StoreError::Conflict { .. })
        ));
        let current = Precondition::Matches(md5_etag(b"1"));
        store.put_if("d/x.json", Bytes::from_static(b"2"), &opts, &current).await.expect("matches");
        // Twenty writers that all read version "2": exactly one may replace it.
        let read = Precondition::Matches(md5_etag(b"2"));
        let writes = (0..20u8).map(|i| {
            let (store, read) = (store.clone(), read.clone());
            tokio::spawn(async move {
                store.put_if("d/x.json", Bytes::from(vec![b'a' + i]), &PutOptions::default(), &read).await
            })
        });
        let mut won = 0;
        for w in writes {
            match w.await.expect("join") {
                Ok(()) => won += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(won, 1);
        let keys: Vec<String> = store.list("").await.expect("list").into_iter().map(|o| o.key).collect();
        assert_eq!(keys, ["d/x.json"], "the lock file is not an object");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replaced_object_is_never_seen_half_written() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;
        const LEN: usize = 4 << 20;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path());
        store.put("k/v", Bytes::from(vec![0u8; LEN]), &PutOptions::default()).await.expect("put");
        let (done, reads) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        // A reader reads the whole time a writer replaces the object, version after version.
        let reader = {
            let (store, done, reads) = (store.clone(), done.clone(), reads.clone());
            tokio::spawn(async move {
                while !done.load(Ordering::SeqCst) {
                    let got = store.get("k/v", u64::MAX).await.expect("get").expect("always there");
                    let first = got.body[0];
                    let whole = got.body.len() == LEN && got.body.iter().all(|b| *b == first);
                    assert!(whole, "a read saw {} bytes, not one whole version", got.body.len());
                    reads.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        // Until the reader has read 30 times while the object was being replaced.
        let started = std::time::Instant::now();
        let mut version = 1u8;
        while reads.load(Ordering::SeqCst) < 30 && started.elapsed().as_secs() < 60 && !reader.is_finished() {
            store.put("k/v", Bytes::from(vec![version; LEN]), &PutOptions::default()).await.expect("put");
            version = version.wrapping_add(1);
        }
        done.store(true, Ordering::SeqCst);
        reader.await.expect("the reader saw only whole versions");
        assert!(reads.load(Ordering::SeqCst) >= 30, "the reader overlapped the writes");
        let entries: Vec<_> = std::fs::read_dir(dir.path().join("k")).expect("dir").collect();
        assert_eq!(entries.len(), 1, "no temp files left behind");
        let got = store.get("k/v", u64::MAX).await.expect("get").expect("exists");
        assert!(got.body.iter().all(|b| *b == version.wrapping_sub(1)));
    }
}
