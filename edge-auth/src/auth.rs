//! [`Auth`]: the configuration made ready for every request (the RSA key parsed once, the users
//! loaded, the share secret decoded), and the signed cookies it issues.

use crate::config::EdgeConfig;
use crate::htpasswd::{HtpasswdError, Users};
use crate::share::secret_from_base64;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use shoebox_core::keys::is_album_path;

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
    /// A user's album scope is not an album.
    #[error("the album scope of user {0:?} is not an album path like Family or Trips/Rome 2024")]
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
        if let Some((user, _)) = config.scopes.iter().find(|(_, scope)| !is_album_path(&scope.album)) {
            return Err(ConfigError::Scope(user.clone()));
        }
        Ok(Self { key, users, share_secret, config })
    }

    /// The configuration this was built from.
    pub fn config(&self) -> &EdgeConfig {
        &self.config
    }

    /// How many users may sign in.
    pub fn user_count(&self) -> usize {
        self.users.len()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Scope;
    use crate::cookies::HashAlgorithm;
    use crate::handler::tests::config_with;

    #[test]
    fn a_scope_that_is_not_an_album_is_refused_naming_the_user() {
        for album in ["", "/Family/", "_auth", "Family//Kids"] {
            let config = config_with(HashAlgorithm::Sha1, |c| {
                c.scopes.insert("alice".into(), Scope { album: album.into() });
            });
            assert!(
                matches!(Auth::new(config), Err(ConfigError::Scope(user)) if user == "alice"),
                "{album:?}"
            );
        }
        let config = config_with(HashAlgorithm::Sha1, |c| {
            c.scopes.insert("alice".into(), Scope { album: "Trips/Rome 2024".into() });
        });
        assert_eq!(Auth::new(config).expect("an album").user_count(), 1);
    }
}
