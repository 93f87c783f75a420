//! Checking signed cookies the way CloudFront does, for the local gate: the key pair id, the
//! signature over the policy with the public key, the policy's `DateLessThan` and its
//! `Resource` pattern against the requested URL.

use crate::auth::Auth;
use crate::cookies::{cf_base64_decode, HashAlgorithm, HASH_ALGORITHM, KEY_PAIR_ID, POLICY, SIGNATURE};
use rsa::signature::Verifier as _;
use serde::Deserialize;

/// Why a request's cookies do not grant access (CloudFront answers all of these with 403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Denied {
    /// One of the three cookies is missing.
    #[error("no {0} cookie")]
    Missing(&'static str),
    /// The key pair id is not the configured one.
    #[error("unknown key pair id {0:?}")]
    UnknownKey(String),
    /// The policy is not CloudFront base64 of a custom policy.
    #[error("malformed policy: {0}")]
    BadPolicy(&'static str),
    /// The signature does not verify.
    #[error("signature does not match the policy")]
    BadSignature,
    /// The policy has expired.
    #[error("policy expired at {0}")]
    Expired(u64),
    /// The policy's resource does not cover the URL.
    #[error("policy resource {0:?} does not cover the request")]
    Resource(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Policy {
    statement: Vec<Statement>,
}
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Statement {
    resource: String,
    condition: Condition,
}
#[derive(Deserialize)]
struct Condition {
    #[serde(rename = "DateLessThan")]
    date_less_than: Epoch,
}
#[derive(Deserialize)]
struct Epoch {
    #[serde(rename = "AWS:EpochTime")]
    epoch: u64,
}

/// CloudFront's resource wildcards: `*` is any run of characters, `?` exactly one.
pub fn resource_matches(pattern: &str, url: &str) -> bool {
    let (p, u): (Vec<char>, Vec<char>) = (pattern.chars().collect(), url.chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < u.len() {
        if i < p.len() && (p[i] == '?' || p[i] == u[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The value of cookie `name` in a `Cookie` header (the first one, as CloudFront reads it).
fn cookie(header: &str, name: &str) -> Option<String> {
    cookie::Cookie::split_parse(header).flatten().find(|c| c.name() == name).map(|c| c.value().to_owned())
}

impl Auth {
    /// Whether the cookies in `cookie_header` grant access to `url` (`https://host/path`) at
    /// Unix time `now`.
    pub fn check_cookies(&self, cookie_header: Option<&str>, url: &str, now: u64) -> Result<(), Denied> {
        let header = cookie_header.unwrap_or_default();
        let policy_b64 = cookie(header, POLICY).ok_or(Denied::Missing(POLICY))?;
        let signature_b64 = cookie(header, SIGNATURE).ok_or(Denied::Missing(SIGNATURE))?;
        let key_pair_id = cookie(header, KEY_PAIR_ID).ok_or(Denied::Missing(KEY_PAIR_ID))?;
        if key_pair_id != self.config.key_pair_id {
            return Err(Denied::UnknownKey(key_pair_id));
        }
        let policy = cf_base64_decode(&policy_b64).ok_or(Denied::BadPolicy("not CloudFront base64"))?;
        let signature = cf_base64_decode(&signature_b64).ok_or(Denied::BadSignature)?;
        let algorithm = match cookie(header, HASH_ALGORITHM).as_deref() {
            Some("SHA256") => HashAlgorithm::Sha256,
            _ => HashAlgorithm::Sha1,
        };
        let public = self.key.to_public_key();
        let signature =
            rsa::pkcs1v15::Signature::try_from(signature.as_slice()).map_err(|_| Denied::BadSignature)?;
        let verified = match algorithm {
            HashAlgorithm::Sha1 => {
                rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(public).verify(&policy, &signature)
            }
            HashAlgorithm::Sha256 => {
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public).verify(&policy, &signature)
            }
        };
        verified.map_err(|_| Denied::BadSignature)?;
        let policy: Policy =
            serde_json::from_slice(&policy).map_err(|_| Denied::BadPolicy("not a custom policy"))?;
        let [statement] = policy.statement.as_slice() else {
            return Err(Denied::BadPolicy("not exactly one statement"));
        };
        if now >= statement.condition.date_less_than.epoch {
            return Err(Denied::Expired(statement.condition.date_less_than.epoch));
        }
        if !resource_matches(&statement.resource, url) {
            return Err(Denied::Resource(statement.resource.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::signed_cookie_values;
    use crate::handler::tests::auth;
    use rand_chacha::rand_core::SeedableRng;

    /// A `Cookie` header as a browser sends it after a login.
    fn cookie_header(a: &Auth, algorithm: HashAlgorithm, policy: &str) -> String {
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
        signed_cookie_values(&a.key, &a.config.key_pair_id, algorithm, policy, &mut rng)
            .expect("signs")
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    #[test]
    fn accepts_what_a_login_signs_and_refuses_everything_else() {
        for algorithm in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            let a = auth(algorithm);
            let policy = crate::cookies::policy("h.example", 1_000);
            let good = cookie_header(&a, algorithm, &policy);
            assert_eq!(a.check_cookies(Some(&good), "https://h.example/Trips/", 999), Ok(()));
            assert_eq!(
                a.check_cookies(Some(&good), "https://h.example/Trips/", 1_000),
                Err(Denied::Expired(1_000))
            );
            assert!(matches!(
                a.check_cookies(Some(&good), "https://other.example/", 1),
                Err(Denied::Resource(_))
            ));
            assert_eq!(a.check_cookies(None, "https://h.example/", 1), Err(Denied::Missing(POLICY)));
            // A policy with a later expiry under the old signature.
            let forged = good.replace(
                &crate::cookies::cf_base64(policy.as_bytes()),
                &crate::cookies::cf_base64(crate::cookies::policy("h.example", 9_999).as_bytes()),
            );
            assert_eq!(a.check_cookies(Some(&forged), "https://h.example/", 1), Err(Denied::BadSignature));
            let other_key = good.replace("K2JCJMDEHXQW5F", "KOTHER");
            assert!(matches!(
                a.check_cookies(Some(&other_key), "https://h.example/", 1),
                Err(Denied::UnknownKey(_))
            ));
        }
    }

    #[test]
    fn wildcards_match_like_cloudfront() {
        assert!(resource_matches("https://h/*", "https://h/"));
        assert!(resource_matches("https://h/*", "https://h/a/b.jpg?x=1"));
        assert!(resource_matches("https://h/a?c", "https://h/abc"));
        assert!(resource_matches("https://*/photos/*.jpg", "https://h/photos/a/b.jpg"));
        assert!(!resource_matches("https://h/*", "https://other/"));
        assert!(!resource_matches("https://h/photos/*", "https://h/index.html"));
        assert!(!resource_matches("https://h/a?c", "https://h/ac"));
    }

    #[test]
    fn reads_the_first_cookie_of_a_name() {
        let header = "a=1; CloudFront-Policy=p1; CloudFront-Policy=p2;b=2";
        assert_eq!(cookie(header, POLICY).as_deref(), Some("p1"));
        assert_eq!(cookie(header, "b").as_deref(), Some("2"));
        assert_eq!(cookie(header, "c"), None);
    }
}
