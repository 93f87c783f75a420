//! Where a gallery's people and share links live, for `shoebox users` and `shoebox share`: the
//! data folder of `shoebox serve` (`htpasswd`, `access.json`, the built site), or a deployed
//! stack (one object in its access bucket and its web bucket, found through the stack's outputs).
//! The signing key is never read here: it lives in a secret only the edge and the stack read.
//!
//! Every change is an [`edit`](Place::edit): a function of what is stored now. Locally, commands
//! take turns on a lock file; on a stack the object is written only if it is still the version
//! read (S3 `If-Match`), and the edit is decided again when another one got there first, so two
//! people editing at the same moment both keep their change.

use crate::local;
use anyhow::Context as _;
use edge_auth::htpasswd::{Users, MAX_EDGE_COST};
use edge_auth::Access;
use serde::{Deserialize, Serialize};
use shared::store::{Read, Update, Written};
use shared::{LocalStore, ObjectStore as _, PutOptions, S3Store};
use site_builder::GallerySummary;
use std::path::PathBuf;

/// Where `--stack` galleries name their parts (template.yaml's outputs).
const ACCESS_OUTPUT: &str = "AccessBucket";
const WEB_OUTPUT: &str = "WebBucket";
const URL_OUTPUT: &str = "SiteUrl";
/// Every output `users` and `share` read.
#[cfg(test)]
pub const STACK_OUTPUTS: [&str; 3] = [ACCESS_OUTPUT, WEB_OUTPUT, URL_OUTPUT];

/// The access object's key in a stack's access bucket (template.yaml names it to the stack helper
/// and in the edge function's policy).
pub const ACCESS_OBJECT: &str = "access.json";

/// The largest access object read (thousands of users and links fit in far less).
const MAX_ACCESS_BYTES: u64 = 4 << 20;

/// Who may sign in and what is shared: what one edit reads and changes. On a stack it is one
/// object (`access.json`), so a person and their album limit change together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// The htpasswd lines (bcrypt), comments kept.
    #[serde(default)]
    pub users: String,
    /// Share links and album limits.
    #[serde(default)]
    pub access: Access,
}

/// The options that say where the gallery is, shared by `shoebox users` and `shoebox share`.
#[derive(Debug, clap::Args)]
pub struct PlaceArgs {
    /// The data folder of `shoebox serve` (default: ~/.local/share/shoebox).
    #[arg(long, global = true, conflicts_with = "stack")]
    data: Option<PathBuf>,
    /// The deployed gallery: the CloudFormation stack `sam deploy` made (samconfig.toml: shoebox).
    #[arg(long, global = true)]
    stack: Option<String>,
    /// The stack's region.
    #[arg(long, global = true, default_value = "us-east-1", requires = "stack")]
    region: String,
}

/// A gallery whose people and links can be edited.
pub enum Place {
    /// `shoebox serve`'s data folder.
    Local {
        /// The data folder.
        data: PathBuf,
        /// The address visitors use (for share links).
        url: String,
    },
    /// A deployed stack.
    Stack(Box<Stack>),
}

/// A deployed stack's parts.
pub struct Stack {
    name: String,
    access: S3Store,
    web: S3Store,
    url: String,
}

/// The users of `text` as edge-auth reads them, refused when one would cost the edge more than
/// [`MAX_EDGE_COST`] to check.
pub fn checked_users(text: &str) -> anyhow::Result<Users> {
    let users = Users::parse(text).context("the users would not load")?;
    if let Some((user, cost)) = users.costliest().filter(|(_, cost)| *cost > MAX_EDGE_COST) {
        anyhow::bail!(
            "{user}'s password hash has bcrypt cost {cost}; signing in would take too long at the edge \
             (at most {MAX_EDGE_COST}): set a new password with `shoebox users add {user}`"
        );
    }
    Ok(users)
}

/// A deployed stack's outputs (template.yaml's `Outputs`), found by its name.
pub struct StackOutputs {
    /// The stack's name.
    pub name: String,
    /// AWS configuration for the stack's region.
    pub sdk: aws_config::SdkConfig,
    outputs: Vec<(String, String)>,
}

impl StackOutputs {
    /// Looks the stack up in `region`.
    pub async fn load(stack: &str, region: &str) -> anyhow::Result<Self> {
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_owned()))
            .load()
            .await;
        let described = aws_sdk_cloudformation::Client::new(&sdk)
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot find the stack {stack} in {region} ({}); deploy it with `sam build && sam deploy --guided`",
                    sdk_error(e)
                )
            })?;
        let outputs = described.stacks().first().map(|s| s.outputs()).unwrap_or_default();
        let outputs = outputs
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
            .collect();
        Ok(Self { name: stack.to_owned(), sdk, outputs })
    }

    /// The output `key`, or an error that says what is wrong.
    pub fn get(&self, key: &str) -> anyhow::Result<String> {
        self.outputs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).with_context(|| {
            format!(
                "stack {} has no {key} output: is it a Shoebox stack, deployed with this version? \
                 (`sam build && sam deploy` updates it)",
                self.name
            )
        })
    }
}

pub(crate) fn sdk_error(e: impl std::error::Error) -> String {
    aws_sdk_cloudformation::error::DisplayErrorContext(e).to_string()
}

impl Place {
    /// The data folder (`--data`, default ~/.local/share/shoebox) or, with `--stack`, the stack.
    pub async fn open(args: PlaceArgs, url: Option<String>) -> anyhow::Result<Self> {
        let PlaceArgs { data, stack, region } = args;
        let Some(stack) = stack.as_deref() else {
            let data = data.unwrap_or_else(local::default_data_dir);
            let url = url.unwrap_or_else(|| "http://127.0.0.1:8080/".into());
            return Ok(Self::Local { data, url: format!("{}/", url.trim_end_matches('/')) });
        };
        let outputs = StackOutputs::load(stack, &region).await?;
        let output = |key: &str| outputs.get(key);
        let sdk = &outputs.sdk;
        let url = match url {
            Some(url) => format!("{}/", url.trim_end_matches('/')),
            None => output(URL_OUTPUT)?,
        };
        Ok(Self::Stack(Box::new(Stack {
            name: stack.to_owned(),
            access: S3Store::new(shared::s3_client(sdk), output(ACCESS_OUTPUT)?),
            web: S3Store::new(shared::s3_client(sdk), output(WEB_OUTPUT)?),
            url,
        })))
    }

    /// How messages name it.
    pub fn describe(&self) -> String {
        match self {
            Self::Local { data, .. } => data.display().to_string(),
            Self::Stack(s) => format!("stack {}", s.name),
        }
    }

    /// When a change reaches sign-in.
    pub fn takes_effect(&self) -> &'static str {
        match self {
            Self::Local { .. } => "a running `shoebox serve` picks it up within a second",
            Self::Stack(_) => "sign-in picks it up within five minutes (the edge caches its configuration)",
        }
    }

    /// The address visitors use, ending in `/`.
    pub fn url(&self) -> &str {
        match self {
            Self::Local { url, .. } => url,
            Self::Stack(s) => &s.url,
        }
    }

    /// The users and sharing settings as stored now.
    pub async fn people(&self) -> anyhow::Result<People> {
        match self {
            Self::Local { data, .. } => local_people(data),
            Self::Stack(s) => Ok(s.read().await?.1),
        }
    }

    /// Applies `change` to the users and sharing settings as stored now and writes the result,
    /// checked as edge-auth would read it; returns what `change` returned. No edit made at the
    /// same moment is lost: locally they take turns, and on a stack `change` is applied again to
    /// the newer version when another edit was written between this one's read and its write (so
    /// it must decide from what it is given, not from what it saw before).
    pub async fn edit<T>(
        &self,
        mut change: impl FnMut(&mut People) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        match self {
            Self::Local { data, .. } => {
                let _turn = local::EditLock::acquire(data)?;
                let before = local_people(data)?;
                let mut after = before.clone();
                let out = change(&mut after)?;
                checked_users(&after.users)?;
                write_local(data, &before, &after)?;
                Ok(out)
            }
            Self::Stack(s) => s.edit(change).await,
        }
    }
    /// The gallery's albums as the site builder last recorded them.
    pub async fn gallery(&self) -> anyhow::Result<GallerySummary> {
        let loaded = match self {
            Self::Local { data, .. } => {
                site_builder::update::load_gallery(&LocalStore::new(data.join("site").join("web"))).await
            }
            Self::Stack(s) => site_builder::update::load_gallery(&s.web).await,
        };
        loaded.with_context(|| format!("cannot read the albums of {}", self.describe()))
    }
}

fn local_people(data: &std::path::Path) -> anyhow::Result<People> {
    Ok(People { users: local::read_optional(&local::users_file(data))?, access: local::access(data)? })
}

/// Writes the files that changed. Two files cannot change at once, so the order keeps every
/// moment safe: a new or changed album limit before the user it limits, a user removed (or no
/// longer limited) before their limit goes.
fn write_local(data: &std::path::Path, before: &People, after: &People) -> anyhow::Result<()> {
    let write_users = || local::write_private(&local::users_file(data), after.users.as_bytes());
    let write_access = || {
        let json = serde_json::to_string_pretty(&after.access)?;
        local::write_private(&local::access_file(data), json.as_bytes())
    };
    let limits_first =
        after.access.scopes.iter().any(|(user, scope)| before.access.scopes.get(user) != Some(scope));
    if limits_first {
        if after.access != before.access {
            write_access()?;
        }
        if after.users != before.users {
            write_users()?;
        }
    } else {
        if after.users != before.users {
            write_users()?;
        }
        if after.access != before.access {
            write_access()?;
        }
    }
    Ok(())
}

impl Stack {
    /// The access object's version and content; nothing yet (no users, no share secret) while the
    /// first deploy has not made it.
    async fn read(&self) -> anyhow::Result<(Option<String>, People)> {
        let object = self.access.get(ACCESS_OBJECT, MAX_ACCESS_BYTES).await?;
        match object {
            Some(object) => Ok((Some(object.info.etag), self.parse(&object.body)?)),
            None => Ok((None, People::default())),
        }
    }

    fn parse(&self, body: &[u8]) -> anyhow::Result<People> {
        serde_json::from_slice(body).with_context(|| {
            format!(
                "{}/{ACCESS_OBJECT} of stack {} is not Shoebox access settings",
                self.access.location(),
                self.name
            )
        })
    }

    /// One conditional read-modify-write of the access object ([`Place::edit`]).
    async fn edit<T>(&self, mut change: impl FnMut(&mut People) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let options = PutOptions::json();
        let mut update =
            Update::new(&self.access, ACCESS_OBJECT, Read::Body { max_bytes: MAX_ACCESS_BYTES }, &options);
        loop {
            let current = update.read().await?;
            let mut people = match &current.body {
                Some(body) => self.parse(body)?,
                None => People::default(),
            };
            let out = change(&mut people)?;
            checked_users(&people.users)?;
            let mut body = serde_json::to_vec_pretty(&people)?;
            body.push(b'\n');
            match update.write(body.into()).await? {
                Written::Conflict => continue,
                Written::Stored(_) | Written::Unchanged => return Ok(out),
            }
        }
    }
}

/// The album a person means by `name`: an album or folder of the gallery, matched exactly or,
/// failing that, in Unicode normal form C (a name typed on one system, a folder made on another).
pub fn resolve_album(gallery: &GallerySummary, name: &str) -> anyhow::Result<String> {
    use unicode_normalization::UnicodeNormalization as _;
    let wanted = name.trim().trim_matches('/');
    anyhow::ensure!(!wanted.is_empty(), "name an album (the whole gallery needs no share link: add a user)");
    if gallery.has_page(wanted) {
        return Ok(wanted.to_owned());
    }
    let nfc = |s: &str| s.nfc().collect::<String>();
    let wanted_nfc = nfc(wanted);
    let mut pages: Vec<String> = Vec::new();
    for album in gallery.albums.keys() {
        let parts: Vec<&str> = album.split('/').collect();
        for i in 1..=parts.len() {
            pages.push(parts[..i].join("/"));
        }
    }
    pages.sort();
    pages.dedup();
    if let Some(found) = pages.iter().find(|p| nfc(p) == wanted_nfc) {
        return Ok(found.clone());
    }
    let near: Vec<&String> = pages
        .iter()
        .filter(|p| nfc(&p.to_lowercase()).contains(&wanted_nfc.to_lowercase()))
        .take(5)
        .collect();
    if near.is_empty() {
        anyhow::bail!("no album {wanted:?} in the gallery")
    }
    anyhow::bail!(
        "no album {wanted:?} in the gallery; did you mean {}?",
        near.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use site_builder::AlbumData;

    fn gallery(albums: &[&str]) -> GallerySummary {
        let mut g = GallerySummary::default();
        for album in albums {
            let mut data = AlbumData::new(*album);
            let key = format!("{album}/1.jpg");
            let manifest: shoebox_core::PhotoManifest = serde_json::from_value(serde_json::json!({
                "schema": shoebox_core::MANIFEST_SCHEMA, "source_key": key, "album": album, "etag": "e",
                "source_bytes": 1, "width": 2, "height": 1, "derivatives": [], "thumbhash": "",
                "icc_profile": false, "exif": {}
            }))
            .expect("manifest");
            data.photos.insert(key, manifest);
            g.update(&data);
        }
        g
    }

    #[test]
    fn albums_are_found_exactly_then_in_nfc_and_otherwise_named_near_misses() {
        let g = gallery(&["Trips/Rome 2024", "Caf\u{e9}", "Family/Kids"]);
        assert_eq!(resolve_album(&g, "Trips/Rome 2024").expect("exact"), "Trips/Rome 2024");
        assert_eq!(resolve_album(&g, "/Trips/").expect("a folder"), "Trips");
        assert_eq!(resolve_album(&g, "Cafe\u{301}").expect("NFD typed, NFC stored"), "Caf\u{e9}");
        let nfd = gallery(&["Cafe\u{301}"]);
        assert_eq!(resolve_album(&nfd, "Caf\u{e9}").expect("NFC typed, NFD stored"), "Cafe\u{301}");
        let miss = resolve_album(&g, "rome").expect_err("no such album").to_string();
        assert!(miss.contains("did you mean \"Trips/Rome 2024\""), "{miss}");
        assert!(resolve_album(&g, "Kids").is_err(), "an album's name alone is not its path");
        assert!(resolve_album(&g, "/").is_err());
    }
}
