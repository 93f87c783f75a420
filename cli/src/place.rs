//! Where a gallery's people and share links live, for `shoebox users` and `shoebox share`: the
//! data folder of `shoebox serve` (`htpasswd`, `access.json`, the built site), or a deployed
//! stack (its users and access secrets and its web bucket, found through the stack's outputs).
//! The signing key is never read here: it lives in a secret of its own.

use crate::local;
use anyhow::Context as _;
use edge_auth::htpasswd::{Users, MAX_EDGE_COST};
use edge_auth::Access;
use shared::{LocalStore, S3Store};
use site_builder::GallerySummary;
use std::path::PathBuf;

/// What the users secret holds once the last user is removed (Secrets Manager takes no empty
/// value; a comment is no user as well).
const NOBODY: &str = "# Nobody may sign in. Add people with `shoebox users add NAME --stack STACK`.\n";

/// Where `--stack` galleries name their parts (template.yaml's outputs).
const USERS_OUTPUT: &str = "UsersSecret";
const ACCESS_OUTPUT: &str = "AccessSecret";
const WEB_OUTPUT: &str = "WebBucket";
const URL_OUTPUT: &str = "SiteUrl";
/// Every output `users` and `share` read.
#[cfg(test)]
pub const STACK_OUTPUTS: [&str; 4] = [USERS_OUTPUT, ACCESS_OUTPUT, WEB_OUTPUT, URL_OUTPUT];

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
    secrets: aws_sdk_secretsmanager::Client,
    users_secret: String,
    access_secret: String,
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
    aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string()
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
            secrets: aws_sdk_secretsmanager::Client::new(sdk),
            users_secret: output(USERS_OUTPUT)?,
            access_secret: output(ACCESS_OUTPUT)?,
            web: S3Store::new(shared::s3_client(sdk), output(WEB_OUTPUT)?),
            url,
        })))
    }

    /// Taken before reading what a command changes, held until it has written: locally, commands
    /// at the same time take turns. A stack's secrets have no such lock (two edits in the same
    /// second can still lose one; issue 20 moves them where writes are conditional).
    pub fn lock(&self) -> anyhow::Result<Option<local::EditLock>> {
        match self {
            Self::Local { data, .. } => Ok(Some(local::EditLock::acquire(data)?)),
            Self::Stack(_) => Ok(None),
        }
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

    /// The htpasswd text.
    pub async fn users(&self) -> anyhow::Result<String> {
        match self {
            Self::Local { data, .. } => local::read_optional(&local::users_file(data)),
            Self::Stack(s) => Ok(s.read(&s.users_secret).await?.unwrap_or_default()),
        }
    }

    /// Checks `text` as edge-auth would and writes it as the users.
    pub async fn set_users(&self, text: &str) -> anyhow::Result<()> {
        checked_users(text)?;
        match self {
            Self::Local { data, .. } => local::write_private(&local::users_file(data), text.as_bytes()),
            Self::Stack(s) => {
                s.write(&s.users_secret, if text.trim().is_empty() { NOBODY } else { text }).await
            }
        }
    }

    /// The sharing settings and album limits.
    pub async fn access(&self) -> anyhow::Result<Access> {
        match self {
            Self::Local { data, .. } => local::access(data),
            Self::Stack(s) => {
                local::parse_access(&s.read(&s.access_secret).await?.unwrap_or_default(), &s.access_secret)
            }
        }
    }

    /// Writes the sharing settings and album limits.
    pub async fn set_access(&self, access: &Access) -> anyhow::Result<()> {
        let json = serde_json::to_string_pretty(access)?;
        match self {
            Self::Local { data, .. } => local::write_private(&local::access_file(data), json.as_bytes()),
            Self::Stack(s) => s.write(&s.access_secret, &json).await,
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

impl Stack {
    /// A secret's value; `None` when it has none yet (the deploy has not finished).
    async fn read(&self, secret: &str) -> anyhow::Result<Option<String>> {
        match self.secrets.get_secret_value().secret_id(secret).send().await {
            Ok(value) => Ok(value.secret_string().map(str::to_owned)),
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_resource_not_found_exception() && s.to_string().contains("AWSCURRENT")
                }) =>
            {
                Ok(None)
            }
            Err(e) => anyhow::bail!("cannot read the secret {secret}: {}", sdk_error(e)),
        }
    }

    async fn write(&self, secret: &str, text: &str) -> anyhow::Result<()> {
        self.secrets
            .put_secret_value()
            .secret_id(secret)
            .secret_string(text)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("cannot write the secret {secret}: {}", sdk_error(e)))?;
        Ok(())
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
