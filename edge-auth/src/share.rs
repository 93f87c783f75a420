//! Share links: a token that opens one album until a date, authenticated with HMAC-SHA256 under
//! the gallery's share secret. `shoebox share` makes them; the edge opens them at
//! [`SHARE_PATH`]`?t=TOKEN` and answers with signed cookies for that album's pattern only.
//!
//! A token is `BASE64URL(claims JSON) "." BASE64URL(HMAC-SHA256(secret, claims JSON))`, no
//! padding. The claims name the album by its folder path; its URL path and cookie policy are
//! computed at the edge by `shoebox_core::keys`, the same code that names every URL. (Tokens
//! made before also carry the URL path as `p`; it is ignored.)

use base64::Engine as _;
use hmac::Mac as _;
use serde::{Deserialize, Serialize};
use shoebox_core::keys::is_album_path;
pub use shoebox_core::keys::SHARE_PATH;

/// Longest token accepted (an album path is at most a few hundred bytes).
pub const MAX_TOKEN: usize = 2048;
/// Share secrets are this many random bytes.
pub const SECRET_BYTES: usize = 32;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// What a share link grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareClaims {
    /// Format version (1).
    pub v: u32,
    /// The album's folder path, as people name it (`Trips/Rome 2024`).
    pub a: String,
    /// Unix time the link stops working.
    pub e: u64,
    /// The link's id (for listing and revoking).
    pub i: String,
}

/// Why a share token does not open anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// No token, an over-long one, or not of the token's form.
    #[error("not a share token: {0}")]
    Malformed(&'static str),
    /// The signature does not match: tampered with, or made with another (older) share secret.
    #[error("the token's signature does not match the share secret")]
    BadSignature,
    /// Past its expiry.
    #[error("the link expired at {0}")]
    Expired(u64),
    /// Revoked by the owner.
    #[error("the link {0} was revoked")]
    Revoked(String),
    /// The gallery has no share secret configured.
    #[error("sharing is not set up (no share secret)")]
    NoSecret,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn mac(secret: &[u8], message: &[u8]) -> HmacSha256 {
    #[allow(clippy::expect_used)] // not input-dependent: HMAC takes keys of any length
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(message);
    mac
}

/// Makes a token for `claims`.
pub fn encode(secret: &[u8], claims: &ShareClaims) -> String {
    let json = serde_json::to_vec(claims).unwrap_or_default();
    let signature = mac(secret, &json).finalize().into_bytes();
    format!("{}.{}", b64().encode(&json), b64().encode(signature))
}

/// Checks a token and returns its claims, if it is well formed, signed with `secret`, not
/// expired at `now` and not in `revoked`.
pub fn decode(secret: &[u8], token: &str, now: u64, revoked: &[String]) -> Result<ShareClaims, ShareError> {
    if token.is_empty() {
        return Err(ShareError::Malformed("empty"));
    }
    if token.len() > MAX_TOKEN {
        return Err(ShareError::Malformed("too long"));
    }
    let (body, signature) = token.split_once('.').ok_or(ShareError::Malformed("no signature part"))?;
    let json = b64().decode(body).map_err(|_| ShareError::Malformed("claims are not base64url"))?;
    let signature =
        b64().decode(signature).map_err(|_| ShareError::Malformed("signature is not base64url"))?;
    // Constant time: a guessed signature learns nothing from how long the refusal took.
    mac(secret, &json).verify_slice(&signature).map_err(|_| ShareError::BadSignature)?;
    let claims: ShareClaims =
        serde_json::from_slice(&json).map_err(|_| ShareError::Malformed("claims are not share claims"))?;
    if claims.v != 1 || !is_album_path(&claims.a) || claims.i.is_empty() {
        return Err(ShareError::Malformed("unknown version, or not an album"));
    }
    if now >= claims.e {
        return Err(ShareError::Expired(claims.e));
    }
    if revoked.contains(&claims.i) {
        return Err(ShareError::Revoked(claims.i));
    }
    Ok(claims)
}

/// Decodes a share secret from its configuration form (standard base64 of 32 bytes).
pub fn secret_from_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text.trim()).ok().filter(|s| s.len() == SECRET_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> ShareClaims {
        ShareClaims { v: 1, a: "Trips/Rome 2024".into(), e: 2_000, i: "3f9a1c2b7e".into() }
    }

    #[test]
    fn a_token_opens_until_it_expires_and_not_once_revoked() {
        let secret = [7u8; 32];
        let token = encode(&secret, &claims());
        assert!(token.len() < 300 && !token.contains(['+', '/', '=']), "{token}");
        assert_eq!(decode(&secret, &token, 1_999, &[]), Ok(claims()));
        assert_eq!(decode(&secret, &token, 2_000, &[]), Err(ShareError::Expired(2_000)));
        assert_eq!(
            decode(&secret, &token, 1, &["other".into(), "3f9a1c2b7e".into()]),
            Err(ShareError::Revoked("3f9a1c2b7e".into()))
        );
    }

    #[test]
    fn tampered_foreign_and_malformed_tokens_are_refused() {
        let secret = [7u8; 32];
        let token = encode(&secret, &claims());
        assert_eq!(decode(&[8u8; 32], &token, 1, &[]), Err(ShareError::BadSignature), "an older secret");
        // Another album under the same signature.
        let (_, signature) = token.split_once('.').expect("two parts");
        let mut other = claims();
        other.a = "Family".into();
        let forged = format!("{}.{signature}", b64().encode(serde_json::to_vec(&other).expect("json")));
        assert_eq!(decode(&secret, &forged, 1, &[]), Err(ShareError::BadSignature));
        let mut later = claims();
        later.e = 9_999;
        let extended = format!("{}.{signature}", b64().encode(serde_json::to_vec(&later).expect("json")));
        assert_eq!(decode(&secret, &extended, 1, &[]), Err(ShareError::BadSignature), "a later expiry");
        for bad in ["", "abc", "abc.", ".abc", "!!!.###", &"A".repeat(MAX_TOKEN + 1), &token.replace('.', "")]
        {
            let refused = decode(&secret, bad, 1, &[]);
            assert!(
                matches!(refused, Err(ShareError::Malformed(_) | ShareError::BadSignature)),
                "{bad:?}: {refused:?}"
            );
        }
        // Well signed, but not something a link may open.
        for album in ["", "/", "Trips/", "/Trips", "A/../B", "_auth", "A//B", ".git"] {
            let mut c = claims();
            c.a = album.into();
            assert!(
                matches!(decode(&secret, &encode(&secret, &c), 1, &[]), Err(ShareError::Malformed(_))),
                "{album:?}"
            );
        }
        assert!(decode(&secret, &format!("{}.{signature}", b64().encode(b"{not json")), 1, &[]).is_err());
    }

    #[test]
    fn tokens_made_with_the_url_path_in_them_still_open() {
        // Before the edge computed it, `shoebox share` put the album's URL path in the claims.
        let secret = [7u8; 32];
        let json = br#"{"v":1,"a":"Trips/Rome 2024","p":"/Trips/Rome%202024/","e":2000,"i":"3f9a1c2b7e"}"#;
        let signature = mac(&secret, json).finalize().into_bytes();
        let token = format!("{}.{}", b64().encode(json), b64().encode(signature));
        assert_eq!(decode(&secret, &token, 1, &[]), Ok(claims()));
    }

    #[test]
    fn secrets_are_32_bytes_of_base64() {
        let text = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert_eq!(secret_from_base64(&text), Some(vec![1u8; 32]));
        assert_eq!(secret_from_base64("c2hvcnQ="), None);
        assert_eq!(secret_from_base64("not base64!"), None);
    }
}
