//! `shoebox users add|remove|list`: who may sign in. Locally the list is the htpasswd file in the
//! data folder (`shoebox serve` picks changes up within a second); with `--stack` it is the
//! deployed gallery's users secret (htpasswd lines), found through the stack's `UsersSecret`
//! output (the edge picks changes up within five minutes). The signing key lives in another
//! secret this command never reads. Same checks, same messages: bcrypt (`$2y$`), names the login
//! form accepts, a cost the edge can afford, and the result parsed by edge-auth before anything
//! is written.

use crate::local;
use anyhow::Context as _;
use edge_auth::htpasswd::{Users, MAX_EDGE_COST};
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

/// The stack output naming the users secret (template.yaml).
const USERS_SECRET_OUTPUT: &str = "UsersSecret";
/// What the users secret holds once the last user is removed (it cannot be empty).
const NOBODY: &str = "# Nobody may sign in. Add people with `shoebox users add NAME --stack STACK`.\n";

/// Arguments of `shoebox users`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
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

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a user, or set a new password for one (asked on the terminal; one line on stdin otherwise).
    Add {
        /// User name: letters, digits, `.`, `_`, `-`, `@`.
        name: String,
        /// bcrypt cost: each step doubles the time a sign-in takes.
        #[arg(long, default_value_t = local::BCRYPT_COST)]
        cost: u32,
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

/// Where the users live.
enum Target {
    /// The htpasswd file in a data folder.
    File(PathBuf),
    /// The users secret of a deployed stack.
    Stack(StackUsers),
}

/// A deployed gallery's users: the secret, and its text as read.
struct StackUsers {
    stack: String,
    secret: String,
    client: aws_sdk_secretsmanager::Client,
    text: String,
}

impl Target {
    fn describe(&self) -> String {
        match self {
            Self::File(file) => file.display().to_string(),
            Self::Stack(s) => format!("stack {}", s.stack),
        }
    }

    /// When a change reaches sign-in.
    fn takes_effect(&self) -> &'static str {
        match self {
            Self::File(_) => "a running `shoebox serve` picks it up within a second",
            Self::Stack(_) => "sign-in picks it up within five minutes (the edge caches its configuration)",
        }
    }

    fn htpasswd(&self, file_text: &str) -> String {
        match self {
            Self::File(_) => file_text.to_owned(),
            Self::Stack(s) => s.text.clone(),
        }
    }

    /// Checks `text` as edge-auth would and writes it.
    async fn write(&mut self, text: &str) -> anyhow::Result<()> {
        checked_users(text)?;
        match self {
            Self::File(file) => {
                if let Some(dir) = file.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                local::write_private(file, text.as_bytes())
            }
            Self::Stack(s) => {
                // Secrets Manager refuses an empty value; a comment is no user as well.
                let text = if text.trim().is_empty() { NOBODY } else { text };
                s.client
                    .put_secret_value()
                    .secret_id(&s.secret)
                    .secret_string(text)
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)))
                    .with_context(|| format!("cannot write the secret {}", s.secret))?;
                Ok(())
            }
        }
    }
}

/// Finds the stack's users secret and reads it (no value yet means no users).
async fn stack_users(stack: &str, region: &str) -> anyhow::Result<StackUsers> {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_owned()))
        .load()
        .await;
    let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
    let described = cloudformation.describe_stacks().stack_name(stack).send().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot find the stack {stack} in {region} ({}); deploy it with `sam build && sam deploy --guided`",
            aws_sdk_cloudformation::error::DisplayErrorContext(e)
        )
    })?;
    let outputs = described.stacks().first().map(|s| s.outputs()).unwrap_or_default();
    let secret = outputs
        .iter()
        .find(|o| o.output_key() == Some(USERS_SECRET_OUTPUT))
        .and_then(|o| o.output_value())
        .with_context(|| {
            format!("stack {stack} has no {USERS_SECRET_OUTPUT} output: is it a Shoebox stack?")
        })?
        .to_owned();
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let text = match client.get_secret_value().secret_id(&secret).send().await {
        Ok(value) => value.secret_string().unwrap_or_default().to_owned(),
        // A secret without a value yet (before the first deploy finished): no users.
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                s.is_resource_not_found_exception() && s.to_string().contains("AWSCURRENT")
            }) =>
        {
            String::new()
        }
        Err(e) => anyhow::bail!(
            "cannot read the secret {secret}: {}",
            aws_sdk_secretsmanager::error::DisplayErrorContext(e)
        ),
    };
    Ok(StackUsers { stack: stack.to_owned(), secret, client, text })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> anyhow::Result<ExitCode> {
    let (mut target, file_text) = match &args.stack {
        Some(stack) => (Target::Stack(stack_users(stack, &args.region).await?), String::new()),
        None => {
            let data = args.data.unwrap_or_else(local::default_data_dir);
            let file = local::users_file(&data);
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
            };
            (Target::File(file), text)
        }
    };
    let text = target.htpasswd(&file_text);
    match args.command {
        Command::List => {
            for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                println!("{}", line.split_once(':').map_or(line, |(user, _)| user));
            }
        }
        Command::Add { name, cost } => {
            valid_name(&name).map_err(anyhow::Error::msg)?;
            anyhow::ensure!(
                (local::MIN_BCRYPT_COST..=MAX_EDGE_COST).contains(&cost),
                "--cost must be {} to {MAX_EDGE_COST}: each step doubles the time a sign-in takes \
                 at the edge (docs/performance.md)",
                local::MIN_BCRYPT_COST
            );
            let line = format!("{name}:{}", local::bcrypt_hash(&read_password(&name)?, cost)?);
            let (new, replaced) = edit(&text, &name, Some(&line));
            target.write(&new).await?;
            eprintln!(
                "shoebox: {} {name} in {}; {}",
                if replaced { "new password for" } else { "added" },
                target.describe(),
                target.takes_effect()
            );
        }
        Command::Remove { name } => {
            let (new, found) = edit(&text, &name, None);
            anyhow::ensure!(found, "no user {name} in {}", target.describe());
            target.write(&new).await?;
            eprintln!(
                "shoebox: removed {name} from {}; {}. Cookies already issued keep working until they \
                 expire (12 hours, or 30 days with \"keep me signed in\") or the signing key changes",
                target.describe(),
                target.takes_effect()
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
    fn names_are_checked() {
        assert!(valid_name("anna.k@example.org").is_ok());
        assert!(valid_name("").is_err());
        assert!(valid_name("a:b").is_err());
        assert!(valid_name("a b").is_err());
    }

    #[test]
    fn a_hash_too_costly_for_the_edge_is_refused_naming_the_user() {
        let ok = "alice:$2y$04$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6\n";
        assert_eq!(checked_users(ok).expect("loads").len(), 1);
        let slow = format!("{ok}bob:$2y$14$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6\n");
        let err = checked_users(&slow).expect_err("too slow").to_string();
        assert!(err.contains("bob") && err.contains("cost 14"), "{err}");
        assert!(checked_users("carol:$apr1$abc$def\n").is_err(), "other schemes are refused");
    }
}
