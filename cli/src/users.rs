//! `shoebox users add|remove|list`: the htpasswd list of people who may sign in to the local
//! gate (`shoebox serve`), in the data folder. Passwords are bcrypt-hashed (`$2y$`, cost 10); the
//! file is the same format the deployed login reads. A running `serve` picks changes up within
//! a second.

use crate::local;
use anyhow::Context as _;
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `shoebox users`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    /// The data folder (default: ~/.local/share/shoebox).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a user, or set a new password for one (asked on the terminal; one line on stdin otherwise).
    Add {
        /// User name: letters, digits, `.`, `_`, `-`, `@`.
        name: String,
    },
    /// Remove a user.
    Remove {
        /// User name.
        name: String,
    },
    /// List the users.
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
    let data = args.data.unwrap_or_else(local::default_data_dir);
    let file = local::users_file(&data);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
    };
    match args.command {
        Command::List => {
            for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                println!("{}", line.split_once(':').map_or(line, |(user, _)| user));
            }
        }
        Command::Add { name } => {
            valid_name(&name).map_err(anyhow::Error::msg)?;
            let line = format!("{name}:{}", local::bcrypt_hash(&read_password(&name)?)?);
            let (new, replaced) = edit(&text, &name, Some(&line));
            edge_auth::htpasswd::Users::parse(&new).context("the users file would not load")?;
            std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
            local::write_private(&file, new.as_bytes())?;
            eprintln!(
                "shoebox: {} {name} in {}",
                if replaced { "new password for" } else { "added" },
                file.display()
            );
        }
        Command::Remove { name } => {
            let (new, found) = edit(&text, &name, None);
            anyhow::ensure!(found, "no user {name} in {}", file.display());
            local::write_private(&file, new.as_bytes())?;
            eprintln!("shoebox: removed {name}; their cookies stop working when they expire or the signing key changes");
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
    fn names_are_checked() {
        assert!(valid_name("anna.k@example.org").is_ok());
        assert!(valid_name("").is_err());
        assert!(valid_name("a:b").is_err());
        assert!(valid_name("a b").is_err());
    }
}
