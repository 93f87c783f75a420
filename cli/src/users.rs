//! `shoebox users add|remove|list`: who may sign in. Locally the list is the htpasswd file in the
//! data folder (`shoebox serve` picks changes up within a second); with `--stack` it is the
//! deployed gallery's access object, found through the stack's outputs (the edge picks changes up
//! within five minutes). Same checks, same messages: bcrypt (`$2y$`), names the login form
//! accepts, a cost the edge can afford, and the result parsed by edge-auth before anything is
//! written. `--albums ALBUM` limits a person to one album (kept beside the users, in the access
//! settings, so the users file stays an htpasswd file).

use crate::local;
use crate::place::{resolve_album, Place, PlaceArgs};
use edge_auth::htpasswd::MAX_EDGE_COST;
use edge_auth::Scope;
use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

/// Arguments of `shoebox users`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    place: PlaceArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a user, or set a new password for one (asked on the terminal; one line on stdin otherwise).
    Add {
        /// User name: letters, digits, `.`, `_`, `-`, `@`.
        name: String,
        /// bcrypt cost: each step doubles the time a sign-in takes.
        #[arg(long, default_value_t = local::BCRYPT_COST)]
        cost: u32,
        /// Let them see this album (and the albums inside it) only, e.g. "Family/".
        #[arg(long, value_name = "ALBUM")]
        albums: Option<String>,
        /// Accept a password that is easy to guess.
        #[arg(long)]
        allow_weak: bool,
    },
    /// Remove a user.
    Remove {
        /// User name.
        name: String,
    },
    /// List the users (and the album a user is limited to).
    List,
}

/// Checks a user name for htpasswd and the login form.
pub fn valid_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("a user name has 1 to 64 characters".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))) {
        return Err(format!("a user name cannot contain {c:?}"));
    }
    Ok(())
}

/// `text` with `name`'s line replaced by `line` (or removed when `None`); other lines kept.
pub fn edit(text: &str, name: &str, line: Option<&str>) -> (String, bool) {
    let mut found = false;
    let mut out: Vec<String> = Vec::new();
    for l in text.lines() {
        if l.split_once(':').is_some_and(|(user, _)| user == name) {
            found = true;
            out.extend(line.map(str::to_owned));
        } else {
            out.push(l.to_owned());
        }
    }
    if !found {
        out.extend(line.map(str::to_owned));
    }
    let mut text = out.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    (text, found)
}

/// The weakest password `users add` takes without `--allow-weak`: zxcvbn's score 3, "safely
/// unguessable" (over 10^8 guesses, each a bcrypt check for whoever holds the users file).
const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Three;

/// Why `password` is too easy to guess for `name`, or `None` when it is strong enough.
pub fn weakness(password: &str, name: &str) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(password, &[name, "shoebox", "gallery", "photos"]);
    if estimate.score() >= MIN_STRENGTH {
        return None;
    }
    let mut why = format!("this password is easy to guess (strength {} of 4)", estimate.score());
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            why.push_str(&format!(": {warning}"));
        }
        for suggestion in feedback.suggestions() {
            why.push_str(&format!(" {suggestion}"));
        }
    }
    why.push_str(" A few unrelated words make a strong one; --allow-weak takes it anyway.");
    Some(why)
}

fn read_password(name: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {name}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    anyhow::ensure!(password.chars().count() >= 8, "a password has at least 8 characters");
    anyhow::ensure!(password.len() <= 72, "bcrypt reads at most 72 bytes of a password");
    Ok(password)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> anyhow::Result<ExitCode> {
    let place = Place::open(args.place, None).await?;
    match args.command {
        Command::List => {
            let people = place.people().await?;
            for line in people.users.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                let user = line.split_once(':').map_or(line, |(user, _)| user);
                match people.access.scopes.get(user) {
                    Some(scope) => println!("{user}\t(only {}/)", scope.album),
                    None => println!("{user}"),
                }
            }
        }
        Command::Add { name, cost, albums, allow_weak } => {
            valid_name(&name).map_err(anyhow::Error::msg)?;
            anyhow::ensure!(
                (local::MIN_BCRYPT_COST..=MAX_EDGE_COST).contains(&cost),
                "--cost must be {} to {MAX_EDGE_COST}: each step doubles the time a sign-in takes \
                 at the edge (docs/performance.md)",
                local::MIN_BCRYPT_COST
            );
            let scope = match &albums {
                Some(album) => {
                    let album = resolve_album(&place.gallery().await?, album)?;
                    Some(Scope { album })
                }
                None => None,
            };
            let password = read_password(&name)?;
            if let Some(why) = weakness(&password, &name).filter(|_| !allow_weak) {
                anyhow::bail!("{why}");
            }
            let line = format!("{name}:{}", local::bcrypt_hash(&password, cost)?);
            // Decided from what is stored when it is written: an edit made meanwhile is kept.
            let replaced = place
                .edit(|people| {
                    let (text, replaced) = edit(&people.users, &name, Some(&line));
                    people.users = text;
                    match &scope {
                        Some(s) => people.access.scopes.insert(name.clone(), s.clone()),
                        None => people.access.scopes.remove(&name),
                    };
                    Ok(replaced)
                })
                .await?;
            let only = scope.map(|s| format!(", who sees only {}/", s.album)).unwrap_or_default();
            eprintln!(
                "shoebox: {} {name}{only} in {}; {}",
                if replaced { "new password for" } else { "added" },
                place.describe(),
                place.takes_effect()
            );
        }
        Command::Remove { name } => {
            place
                .edit(|people| {
                    let (text, found) = edit(&people.users, &name, None);
                    anyhow::ensure!(found, "no user {name} in {}", place.describe());
                    people.users = text;
                    people.access.scopes.remove(&name);
                    Ok(())
                })
                .await?;
            eprintln!(
                "shoebox: removed {name} from {}; {}. Cookies already issued keep working until they \
                 expire (12 hours, or 30 days with \"keep me signed in\") or the signing key changes",
                place.describe(),
                place.takes_effect()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_other_lines_and_replace_in_place() {
        let text = "# people\nalice:$2y$10$a\nbob:$2y$10$b\n";
        assert_eq!(
            edit(text, "alice", Some("alice:$2y$10$z")),
            ("# people\nalice:$2y$10$z\nbob:$2y$10$b\n".into(), true)
        );
        assert_eq!(edit(text, "carol", Some("carol:x")), (format!("{text}carol:x\n"), false));
        assert_eq!(edit(text, "bob", None), ("# people\nalice:$2y$10$a\n".into(), true));
        assert_eq!(edit("", "a", None), (String::new(), false));
        assert!(!edit(text, "ali", None).1, "whole names only");
    }

    #[test]
    fn guessable_passwords_are_refused_with_a_reason() {
        for weak in ["password1", "grandma123", "qwertyuiop", "anna2024!", "Shoebox2024"] {
            let why = weakness(weak, "anna").unwrap_or_else(|| panic!("{weak} passes"));
            assert!(why.contains("easy to guess") && why.contains("--allow-weak"), "{why}");
        }
        for strong in ["correct horse battery staple", "plum-otter-gravel-lantern", "Tq9#vL2!xR7m"] {
            assert_eq!(weakness(strong, "anna"), None, "{strong}");
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("anna.k@example.org").is_ok());
        assert!(valid_name("").is_err());
        assert!(valid_name("a:b").is_err());
        assert!(valid_name("a b").is_err());
    }

    #[test]
    fn a_hash_too_costly_for_the_edge_is_refused_naming_the_user() {
        use crate::place::checked_users;
        let ok = "alice:$2y$04$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6\n";
        assert_eq!(checked_users(ok).expect("loads").len(), 1);
        let slow = format!("{ok}bob:$2y$14$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6\n");
        let err = checked_users(&slow).expect_err("too slow").to_string();
        assert!(err.contains("bob") && err.contains("cost 14"), "{err}");
        assert!(checked_users("carol:$apr1$abc$def\n").is_err(), "other schemes are refused");
    }
}
