//! The signed-cookie format, in one place: the custom policy, CloudFront's base64, signing, and
//! the `Set-Cookie` headers. (The policy's `Resource` for an album comes from
//! `shoebox_core::keys::album_resource`.)

use base64::Engine as _;
use rsa::signature::RandomizedSigner;
use rsa::signature::SignatureEncoding;
use serde::Deserialize;
use shoebox_core::keys::album_resource;

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

/// `CloudFront-Policy`.
pub const POLICY: &str = "CloudFront-Policy";
/// `CloudFront-Signature`.
pub const SIGNATURE: &str = "CloudFront-Signature";
/// `CloudFront-Key-Pair-Id`.
pub const KEY_PAIR_ID: &str = "CloudFront-Key-Pair-Id";
/// `CloudFront-Hash-Algorithm` (only sent for SHA-256).
pub const HASH_ALGORITHM: &str = "CloudFront-Hash-Algorithm";
/// The album a scoped visitor (a share link, a user limited to one album) may see, as its URL
/// path; not a credential (the pages' scripts read it, so its name lives with them).
pub const SCOPE: &str = shoebox_core::signin::SCOPE_COOKIE;
/// Every cookie a login may set, for logout to expire.
pub const ALL: [&str; 5] = [POLICY, SIGNATURE, KEY_PAIR_ID, HASH_ALGORITHM, SCOPE];

/// The custom policy for the whole site on `host`, byte for byte as the AWS SDK signers write it.
pub fn policy(host: &str, expires_epoch: u64) -> String {
    policy_for(&album_resource(host, ""), expires_epoch)
}

/// The custom policy for one `Resource` pattern (CloudFront wildcards: `*` any run of
/// characters, `/` included; `?` one character), byte for byte as the AWS SDK signers write it
/// (no whitespace).
pub fn policy_for(resource: &str, expires_epoch: u64) -> String {
    let resource = serde_json::to_string(resource).unwrap_or_default();
    format!(
        r#"{{"Statement":[{{"Resource":{resource},"Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires_epoch}}}}}}}]}}"#
    )
}

/// CloudFront's base64: standard base64 with `+`→`-`, `=`→`_`, `/`→`~`.
pub fn cf_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            c => c,
        })
        .collect()
}

/// Decodes CloudFront's base64 (for the local gate and tests).
pub fn cf_base64_decode(text: &str) -> Option<Vec<u8>> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '=',
            '~' => '/',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD.decode(standard).ok()
}

/// RSA PKCS#1 v1.5 signature of `message`. `rng` blinds the private-key operation; the
/// signature itself is deterministic.
pub fn sign(
    key: &rsa::PrivateKey,
    algorithm: HashAlgorithm,
    message: &[u8],
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<Vec<u8>, rsa::signature::Error> {
    Ok(match algorithm {
        HashAlgorithm::Sha1 => rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key.clone())
            .try_sign_with_rng(rng, message)?
            .to_vec(),
        HashAlgorithm::Sha256 => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
            .try_sign_with_rng(rng, message)?
            .to_vec(),
    })
}

/// The cookie values of a login: (name, value) pairs in the order they are set.
pub fn signed_cookie_values(
    key: &rsa::PrivateKey,
    key_pair_id: &str,
    algorithm: HashAlgorithm,
    policy: &str,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<Vec<(&'static str, String)>, rsa::signature::Error> {
    let signature = sign(key, algorithm, policy.as_bytes(), rng)?;
    let mut cookies = vec![
        (POLICY, cf_base64(policy.as_bytes())),
        (SIGNATURE, cf_base64(&signature)),
        (KEY_PAIR_ID, key_pair_id.to_owned()),
    ];
    if algorithm == HashAlgorithm::Sha256 {
        cookies.push((HASH_ALGORITHM, "SHA256".to_owned()));
    }
    Ok(cookies)
}

/// A `Set-Cookie` value: `Secure; HttpOnly; SameSite=Lax; Path=/`, plus `Max-Age` when given.
pub fn set_cookie(name: &str, value: &str, max_age: Option<u64>) -> String {
    let mut c = cookie::Cookie::build((name, value))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(cookie::SameSite::Lax);
    if let Some(s) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX)));
    }
    c.build().to_string()
}

/// The `Set-Cookie` value naming the scope a visitor may see (readable by the page's script).
pub fn scope_cookie(path: &str, max_age: Option<u64>) -> String {
    let mut c = cookie::Cookie::build((SCOPE, path)).path("/").secure(true).same_site(cookie::SameSite::Lax);
    if let Some(s) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX)));
    }
    c.build().to_string()
}

/// A `Set-Cookie` value that deletes `name`.
pub fn expire_cookie(name: &str) -> String {
    format!(
        "{name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_compact_json_with_the_resource_and_expiry() {
        let p = policy("photos.example.com", 1_800_000_000);
        assert_eq!(
            p,
            r#"{"Statement":[{"Resource":"https://photos.example.com/*","Condition":{"DateLessThan":{"AWS:EpochTime":1800000000}}}]}"#
        );
        let v: serde_json::Value = serde_json::from_str(&p).expect("valid JSON");
        assert_eq!(v["Statement"][0]["Condition"]["DateLessThan"]["AWS:EpochTime"], 1_800_000_000u64);
    }

    #[test]
    fn cloudfront_base64_swaps_the_three_characters_and_round_trips() {
        let bytes = [0xfb, 0xff, 0xbf, 0x00];
        assert_eq!(base64::engine::general_purpose::STANDARD.encode(bytes), "+/+/AA==");
        assert_eq!(cf_base64(&bytes), "-~-~AA__");
        assert_eq!(cf_base64_decode("-~-~AA__").as_deref(), Some(&bytes[..]));
    }

    #[test]
    fn cookie_attributes() {
        let c = set_cookie(POLICY, "abc", None);
        for part in ["CloudFront-Policy=abc", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!c.contains("Max-Age"), "session cookie by default: {c}");
        assert!(set_cookie(POLICY, "abc", Some(60)).contains("Max-Age=60"));
        assert!(expire_cookie(SIGNATURE).contains("Max-Age=0"));
    }
}
