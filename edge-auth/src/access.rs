//! Who may see what beyond a whole-site login: share links and people limited to one album. Kept
//! beside the users (a local `access.json`, or the deployed stack's access object), edited by
//! `shoebox share` and `shoebox users`, and merged into the edge's configuration
//! ([`crate::EdgeConfig::with_access`]). Not secret the way the signing key is.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The one album a user may see (and the albums inside it).
///
/// Only the album's folder path is stored: its URL path and its cookie policy are computed from
/// it (`shoebox_core::keys`). Files written before that also carry a `path` field, which is
/// ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// The album's folder path (`Family`).
    pub album: String,
}

/// Sharing and album limits.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_store_the_album_only_and_read_older_files_with_its_path() {
        let older = r#"{"scopes":{"alice":{"album":"Family","path":"/Family/"}}}"#;
        let access: Access = serde_json::from_str(older).expect("an older access file still loads");
        assert_eq!(access.scopes["alice"], Scope { album: "Family".into() });
        let written = serde_json::to_string(&access).expect("serialises");
        assert_eq!(written, r#"{"scopes":{"alice":{"album":"Family"}}}"#);
        assert!(serde_json::from_str::<Access>(r#"{"sharedSecret":"x"}"#).is_err(), "typos are refused");
    }
}
