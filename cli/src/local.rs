//! What `demo`, `serve` and `users` share on one machine: the data folder's layout, the signing
//! key kept there, htpasswd files, and the login configuration built from them.

use anyhow::Context as _;
use edge_auth::{Access, Auth, EdgeConfig};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use std::path::{Path, PathBuf};

/// bcrypt cost of new passwords: about 90 ms per login at the edge (see docs/performance.md).
pub const BCRYPT_COST: u32 = 10;
/// The lowest cost `shoebox users add --cost` accepts (what `htpasswd -B` has long defaulted to
/// is lower; 10 is today's usual floor for bcrypt).
pub const MIN_BCRYPT_COST: u32 = 10;
/// The key pair id the local gate signs with (CloudFront's comes from the stack).
const LOCAL_KEY_PAIR_ID: &str = "KLOCALGATE";

/// The default data folder: `$XDG_DATA_HOME/shoebox`, else `~/.local/share/shoebox`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("shoebox")
}

/// Held while one command reads, changes and writes the data folder's users or sharing
/// settings: commands run at the same time take turns, so none loses another's edit.
#[derive(Debug)]
pub struct EditLock(#[allow(dead_code, reason = "held for its lock, released on drop")] std::fs::File);

impl EditLock {
    /// Waits for the data folder's lock file (`.shoebox-edit.lock`) and holds it.
    pub fn acquire(data: &Path) -> anyhow::Result<EditLock> {
        std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
        let path = data.join(".shoebox-edit.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(EditLock(file))
    }
}

/// The htpasswd file in a data folder.
pub fn users_file(data: &Path) -> PathBuf {
    data.join("htpasswd")
}

/// The sharing settings and album limits in a data folder (edge_auth::Access as JSON).
pub fn access_file(data: &Path) -> PathBuf {
    data.join("access.json")
}

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes)
}

/// A bcrypt hash in htpasswd's `$2y$` form.
pub fn bcrypt_hash(password: &str, cost: u32) -> anyhow::Result<String> {
    let parts = bcrypt::hash_with_salt(password, cost, random::<16>()?)
        .map_err(|e| anyhow::anyhow!("bcrypt: {e}"))?;
    Ok(parts.format_for_version(bcrypt::Version::TwoY))
}

/// The RSA-2048 signing key kept in the data folder, made on first use.
pub fn signing_key(data: &Path) -> anyhow::Result<String> {
    let path = data.join("signing-key.pem");
    if let Ok(pem) = std::fs::read_to_string(&path) {
        return Ok(pem);
    }
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let key = rsa::PrivateKey::new(&mut ChaCha20Rng::from_seed(random::<32>()?), 2048)
        .context("generating the signing key")?;
    let pem = key.to_pkcs8_pem(LineEnding::LF).context("encoding the signing key")?.to_string();
    write_private(&path, pem.as_bytes())?;
    Ok(pem)
}

/// Writes a file readable by its owner only, whole or not at all (its folder made if missing).
pub fn write_private(path: &Path, body: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let partial = path.with_extension("partial");
    std::fs::write(&partial, body).with_context(|| format!("cannot write {}", partial.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The gate's login configuration from a signing key, htpasswd lines and the sharing settings.
pub fn auth(private_key_pem: String, htpasswd: String, access: &Access, title: &str) -> anyhow::Result<Auth> {
    let config = EdgeConfig {
        title: title.to_owned(),
        ..EdgeConfig::new(LOCAL_KEY_PAIR_ID, private_key_pem, htpasswd)
    };
    Ok(Auth::new(config.with_access(access))?)
}

/// A text file's content; empty when there is no such file.
pub fn read_optional(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Sharing settings as stored (an empty text: none yet, the default); `name` says where in
/// the error.
pub fn parse_access(text: &str, name: &str) -> anyhow::Result<Access> {
    if text.trim().is_empty() {
        return Ok(Access::default());
    }
    serde_json::from_str(text).with_context(|| format!("{name} is not Shoebox access settings"))
}

/// The sharing settings in a data folder (none yet: the default).
pub fn access(data: &Path) -> anyhow::Result<Access> {
    let file = access_file(data);
    parse_access(&read_optional(&file)?, &file.display().to_string())
}

/// The gate's login configuration from a data folder: its key, users and sharing settings.
pub fn auth_from(data: &Path, title: &str) -> anyhow::Result<Auth> {
    auth(signing_key(data)?, read_optional(&users_file(data))?, &access(data)?, title)
}
