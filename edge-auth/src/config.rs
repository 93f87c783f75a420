//! The edge configuration as it arrives: JSON the shim assembles from the stack's secrets (a
//! file locally) and passes in once per cold start. [`crate::Auth`] is what it becomes.

use crate::access::{Access, Scope};
use crate::cookies::HashAlgorithm;
use serde::Deserialize;
use std::collections::BTreeMap;

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

impl EdgeConfig {
    /// A configuration with this key and these users, everything else at its default (no
    /// sharing, no album limits).
    pub fn new(key_pair_id: impl Into<String>, private_key_pem: String, htpasswd: String) -> Self {
        Self {
            key_pair_id: key_pair_id.into(),
            private_key_pem,
            htpasswd,
            session_seconds: default_session(),
            remember_seconds: default_remember(),
            hash_algorithm: HashAlgorithm::default(),
            title: default_title(),
            share_secret: None,
            share_cookie_seconds: default_share_cookie(),
            revoked_links: Vec::new(),
            scopes: BTreeMap::new(),
        }
    }

    /// This configuration with the share secret, the revoked links and the album limits of
    /// `access` (the shim does the same in JavaScript).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_what_the_json_leaves_out_and_unknown_keys_are_refused() {
        let json = r#"{"keyPairId":"K","privateKeyPem":"pem","htpasswd":""}"#;
        let config: EdgeConfig = serde_json::from_str(json).expect("parses");
        assert_eq!((config.session_seconds, config.remember_seconds), (12 * 3600, 30 * 24 * 3600));
        assert_eq!((config.title.as_str(), config.share_cookie_seconds), ("Shoebox", 4 * 3600));
        assert_eq!(config.hash_algorithm, HashAlgorithm::Sha1);
        let new = EdgeConfig::new("K", "pem".into(), String::new());
        assert_eq!((new.session_seconds, new.title.as_str()), (config.session_seconds, "Shoebox"));
        let typo = r#"{"keyPairId":"K","privateKeyPem":"pem","htpasswd":"","sesionSeconds":1}"#;
        assert!(serde_json::from_str::<EdgeConfig>(typo).is_err());
    }
}
