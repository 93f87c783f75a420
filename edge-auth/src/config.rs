//! The edge configuration: what the shim fetches (from SSM in AWS, a file locally) and passes in.

use crate::htpasswd::{HtpasswdError, Users};
use crate::share::{secret_from_base64, valid_album_path};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which digest signs the policy. CloudFront defaults to SHA-1; SHA-256 adds a cookie.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HashAlgorithm {
    /// RSA-SHA1, CloudFront's default.
    #[default]
    Sha1,
    /// RSA-SHA256 (`CloudFront-Hash-Algorithm=SHA256`).
    Sha256,
}

/// The configuration as JSON (camelCase keys).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EdgeConfig {
    /// The CloudFront public key id (`CloudFront-Key-Pair-Id`).
    pub key_pair_id: String,
    /// The RSA-2048 private key, PEM (PKCS#1 or PKCS#8).
    pub private_key_pem: String,
    /// htpasswd lines `user:$2y$…`.
    pub htpasswd: String,
    /// How long a login lasts, in seconds (the policy's `DateLessThan`).
    #[serde(default = "default_session")]
    pub session_seconds: u64,
    /// How long "keep me signed in" cookies last in the browser (`Max-Age`).
    #[serde(default = "default_remember")]
    pub remember_seconds: u64,
    /// The signing digest.
    #[serde(default)]
    pub hash_algorithm: HashAlgorithm,
    /// The gallery's title, shown on the login page.
    #[serde(default = "default_title")]
    pub title: String,
    /// The share-link secret: 32 random bytes, standard base64. Without it share links are
    /// refused.
    #[serde(default)]
    pub share_secret: Option<String>,
    /// The longest a share link's cookies last (the link's expiry cuts it shorter): how long a
    /// revoked link's cookies can still be used. Opening the link again renews them.
    #[serde(default = "default_share_cookie")]
    pub share_cookie_seconds: u64,
    /// Ids of revoked share links.
    #[serde(default)]
    pub revoked_links: Vec<String>,
    /// Users who may see one album (and its sub-albums) only, by user name.
    #[serde(default)]
    pub scopes: BTreeMap<String, Scope>,
}

/// The one album a user or a link may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scope {
    /// The album's folder path (`Family`).
    pub album: String,
    /// Its canonical URL path, with a trailing slash (`/Family/`).
    pub path: String,
}

/// Sharing and album limits, kept beside the users (a local `access.json`, or the deployed
/// stack's access secret) and merged into [`EdgeConfig`] by [`EdgeConfig::with_access`] (the
/// shim does the same in JavaScript). Not secret the way the signing key is: `shoebox share` and
/// `shoebox users` read and write it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Access {
    /// The share-link secret (32 random bytes, standard base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_secret: Option<String>,
    /// The share links made, for `shoebox share list` (the edge needs only the revoked ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ShareLink>,
    /// Ids of revoked links, kept until the link would have expired anyway.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_links: Vec<String>,
    /// Users limited to one album.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, Scope>,
}

/// A share link as `shoebox share` recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareLink {
    /// The link's id (in its token, and what `shoebox share revoke` takes).
    pub id: String,
    /// The album's folder path.
    pub album: String,
    /// Unix time it stops working.
    pub expires: u64,
    /// Unix time it was made.
    pub created: u64,
    /// Who it is for, if the owner said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl EdgeConfig {
    /// This configuration with the share secret, the revoked links and the album limits of
    /// `access`.
    pub fn with_access(mut self, access: &Access) -> Self {
        self.share_secret = access.share_secret.clone();
        self.revoked_links = access.revoked_links.clone();
        self.scopes = access.scopes.clone();
        self
    }
}

fn default_session() -> u64 {
    12 * 3600
}
fn default_remember() -> u64 {
    30 * 24 * 3600
}
fn default_title() -> String {
    "Shoebox".into()
}
fn default_share_cookie() -> u64 {
    4 * 3600
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not valid configuration JSON.
    #[error("configuration is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The private key does not parse.
    #[error("privateKeyPem is not an RSA private key in PEM (PKCS#1 or PKCS#8): {0}")]
    Key(String),
    /// The key is not 2048 bits.
    #[error("the private key has {0} bits; CloudFront key groups take RSA-2048")]
    KeySize(usize),
    /// A bad htpasswd line.
    #[error(transparent)]
    Htpasswd(#[from] HtpasswdError),
    /// A setting out of range.
    #[error("{0}")]
    Invalid(&'static str),
    /// A user's album scope is not a canonical album path.
    #[error("the album scope of user {0:?} is not an album path like /Family/")]
    Scope(String),
}

/// The parsed configuration: the key and users, ready for every request.
#[derive(Debug)]
pub struct Auth {
    pub(crate) key: rsa::PrivateKey,
    pub(crate) users: Users,
    pub(crate) share_secret: Option<Vec<u8>>,
    pub(crate) config: EdgeConfig,
}

impl Auth {
    /// Parses JSON configuration (the key once, here, not per request).
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        Self::new(serde_json::from_str(json)?)
    }

    /// Parses the key and the users of `config`.
    pub fn new(config: EdgeConfig) -> Result<Self, ConfigError> {
        let pem = config.private_key_pem.trim();
        let key = rsa::PrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| rsa::PrivateKey::from_pkcs8_pem(pem))
            .map_err(|e| ConfigError::Key(e.to_string()))?;
        let bits = rsa::traits::PublicKeyParts::size(&key) * 8;
        if bits != 2048 {
            return Err(ConfigError::KeySize(bits));
        }
        if config.key_pair_id.trim().is_empty() {
            return Err(ConfigError::Invalid("keyPairId is empty"));
        }
        if config.session_seconds == 0 {
            return Err(ConfigError::Invalid("sessionSeconds must be greater than zero"));
        }
        let users = Users::parse(&config.htpasswd)?;
        let share_secret = match config.share_secret.as_deref() {
            Some(text) => Some(
                secret_from_base64(text)
                    .ok_or(ConfigError::Invalid("shareSecret is not 32 bytes of base64"))?,
            ),
            None => None,
        };
        if config.share_cookie_seconds == 0 {
            return Err(ConfigError::Invalid("shareCookieSeconds must be greater than zero"));
        }
        if let Some((user, _)) = config.scopes.iter().find(|(_, scope)| !valid_album_path(&scope.path)) {
            return Err(ConfigError::Scope(user.clone()));
        }
        Ok(Self { key, users, share_secret, config })
    }

    /// The configuration this was built from.
    pub fn config(&self) -> &EdgeConfig {
        &self.config
    }

    /// The signed-cookie values (name, value) granting `resource` until `expires_epoch`, signed
    /// with this configuration's key; `seed` blinds the RSA operation.
    pub fn signed_cookies(
        &self,
        resource: &str,
        expires_epoch: u64,
        seed: [u8; 32],
    ) -> Result<Vec<(&'static str, String)>, rsa::signature::Error> {
        use rand_chacha::rand_core::SeedableRng as _;
        let policy = crate::cookies::policy_for(resource, expires_epoch);
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
        crate::cookies::signed_cookie_values(
            &self.key,
            &self.config.key_pair_id,
            self.config.hash_algorithm,
            &policy,
            &mut rng,
        )
    }
}
