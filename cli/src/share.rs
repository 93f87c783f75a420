//! `shoebox share ALBUM`: a link that opens one album (and the albums inside it) until a date,
//! for anyone who has it, no account needed. `share list` shows the links, `share revoke ID`
//! withdraws one, `share rotate` withdraws them all (a new share secret). The same commands work
//! on `shoebox serve`'s data folder and, with `--stack`, on the deployed gallery.

use crate::local;
use crate::place::{resolve_album, Place, PlaceArgs};
use edge_auth::share::{self, ShareClaims, SECRET_BYTES};
use edge_auth::{Access, ShareLink};
use shoebox_core::keys::SHARE_PATH;
use std::process::ExitCode;

/// Default lifetime of a link.
const DEFAULT_EXPIRY: &str = "30d";
/// The longest a link may last.
const MAX_EXPIRY_DAYS: u64 = 366;

/// Arguments of `shoebox share`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// The album to share, as its folder path ("Trips/Rome 2024").
    album: Option<String>,
    /// How long the link works: minutes, hours, days or weeks ("90m", "12h", "14d", "2w").
    #[arg(long, default_value = DEFAULT_EXPIRY)]
    expires: String,
    /// Who it is for, shown by `share list`.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    place: PlaceArgs,
    /// The gallery's address in links (default: the stack's SiteUrl, or http://127.0.0.1:8080/).
    #[arg(long, global = true)]
    url: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List the share links: id, album, until when, for whom.
    List,
    /// Withdraw a link (cookies it already gave work for at most four more hours).
    Revoke {
        /// The link's id, as `share list` shows it.
        id: String,
    },
    /// Withdraw every link at once: a new share secret.
    Rotate,
}

/// Parses "90m", "12h", "14d", "2w" into seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("never") {
        return Err("share links always expire: give a duration like 30d".into());
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = number.parse().map_err(|_| format!("{text:?} is not a duration like 14d, 12h or 2w"))?;
    let seconds = match unit {
        "m" | "min" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        "w" => n * 7 * 86_400,
        _ => return Err(format!("{text:?} is not a duration like 14d, 12h or 2w")),
    };
    if seconds == 0 {
        return Err("a link must last at least a minute".into());
    }
    if seconds > MAX_EXPIRY_DAYS * 86_400 {
        return Err(format!("a link lasts at most {MAX_EXPIRY_DAYS} days"));
    }
    Ok(seconds)
}

/// A Unix time as a UTC date and time, "2026-12-27 14:05 UTC".
pub fn utc(epoch: u64) -> String {
    let t = shoebox_core::UtcTime::from_epoch(epoch);
    format!("{} {:02}:{:02} UTC", t.date(), t.hour, t.minute)
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_secret() -> anyhow::Result<String> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::STANDARD.encode(local::random::<SECRET_BYTES>()?))
}

/// Drops links (and revocations) that have expired anyway.
fn prune(access: &mut Access, now: u64) {
    access.links.retain(|l| l.expires > now);
    let live: Vec<&str> = access.links.iter().map(|l| l.id.as_str()).collect();
    access.revoked_links.retain(|id| live.contains(&id.as_str()));
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> anyhow::Result<ExitCode> {
    let place = Place::open(args.place, args.url).await?;
    match (args.command, args.album) {
        (Some(Command::List), _) => list(&place.people().await?.access, now()),
        (Some(Command::Revoke { id }), _) => revoke(&place, &id).await?,
        (Some(Command::Rotate), _) => rotate(&place).await?,
        (None, Some(album)) => share(&place, &album, &args.expires, args.note).await?,
        (None, None) => anyhow::bail!("name an album to share, or use `share list`, `share revoke ID`"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `share list`: one line per link, tab-separated: id, album, until when (or revoked, expired),
/// for whom.
fn list(access: &Access, now: u64) {
    for link in &access.links {
        let status = if access.revoked_links.contains(&link.id) {
            "revoked".to_owned()
        } else if link.expires <= now {
            "expired".to_owned()
        } else {
            format!("until {}", utc(link.expires))
        };
        let note = link.note.as_deref().map(|n| format!("\t{n}")).unwrap_or_default();
        println!("{}\t{}/\t{status}{note}", link.id, link.album);
    }
}

/// `share revoke ID`.
async fn revoke(place: &Place, id: &str) -> anyhow::Result<()> {
    place
        .edit(|people| {
            let access = &mut people.access;
            anyhow::ensure!(
                access.links.iter().any(|l| l.id == id),
                "no share link {id} in {} (see `shoebox share list`)",
                place.describe()
            );
            if !access.revoked_links.iter().any(|r| r == id) {
                access.revoked_links.push(id.to_owned());
            }
            prune(access, now());
            Ok(())
        })
        .await?;
    eprintln!(
        "shoebox: revoked {id}; {}. Whoever opened it keeps the album for at most four more hours \
         (the cookies a link gives last that long at most)",
        place.takes_effect()
    );
    Ok(())
}

/// `share rotate`: a new secret, so every link made before stops working.
async fn rotate(place: &Place) -> anyhow::Result<()> {
    let secret = new_secret()?;
    let count = place
        .edit(|people| {
            let access = &mut people.access;
            let count = access.links.len();
            access.share_secret = Some(secret.clone());
            access.links.clear();
            access.revoked_links.clear();
            Ok(count)
        })
        .await?;
    eprintln!(
        "shoebox: new share secret; the {count} link(s) made before stop working ({})",
        place.takes_effect()
    );
    Ok(())
}

/// `share ALBUM`: a new link, recorded, printed on stdout.
async fn share(place: &Place, album: &str, expires: &str, note: Option<String>) -> anyhow::Result<()> {
    let seconds = parse_duration(expires).map_err(anyhow::Error::msg)?;
    let album = resolve_album(&place.gallery().await?, album)?;
    let note = note.filter(|n| !n.trim().is_empty());
    let first_secret = new_secret()?;
    // Signed with the secret stored beside the link: decided again if a rotation came between.
    let (claims, token) = place
        .edit(|people| {
            let access = &mut people.access;
            let stored = access.share_secret.get_or_insert_with(|| first_secret.clone());
            let secret = share::secret_from_base64(stored).ok_or_else(|| {
                anyhow::anyhow!(
                    "the share secret in {} is broken: run `shoebox share rotate`",
                    place.describe()
                )
            })?;
            let now = now();
            let claims =
                ShareClaims { v: 1, a: album.clone(), e: now + seconds, i: hex(&local::random::<5>()?) };
            let token = share::encode(&secret, &claims);
            prune(access, now);
            access.links.push(ShareLink {
                id: claims.i.clone(),
                album: album.clone(),
                expires: claims.e,
                created: now,
                note: note.clone(),
            });
            Ok((claims, token))
        })
        .await?;
    println!("{}{}?t={token}", place.url().trim_end_matches('/'), SHARE_PATH);
    eprintln!(
        "shoebox: this link opens {album}/ (and the albums inside it) for anyone who has it, until {}; \
         revoke it with `shoebox share revoke {}`",
        utc(claims.e),
        claims.i
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_minutes_hours_days_weeks_and_never_forever() {
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("12h"), Ok(43_200));
        assert_eq!(parse_duration("14d"), Ok(14 * 86_400));
        assert_eq!(parse_duration("2w"), Ok(14 * 86_400));
        for bad in ["never", "Never", "", "d", "14", "14y", "-1d", "0d", "400d", "1.5d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dates_are_utc_and_right_across_leap_years() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_798_761_599), "2026-12-31 23:59 UTC");
    }

    #[test]
    fn expired_links_and_their_revocations_are_forgotten() {
        let link = |id: &str, expires| ShareLink {
            id: id.into(),
            album: "A".into(),
            expires,
            created: 0,
            note: None,
        };
        let mut access = Access {
            links: vec![link("old", 10), link("live", 100)],
            revoked_links: vec!["old".into(), "live".into()],
            ..Access::default()
        };
        prune(&mut access, 50);
        assert_eq!(access.links, vec![link("live", 100)]);
        assert_eq!(access.revoked_links, vec!["live".to_owned()]);
    }
}
