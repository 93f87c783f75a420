//! `shoebox users add|remove|list`: who may sign in. Locally the list is the htpasswd file in the
//! data folder (`shoebox serve` picks changes up within a second); with `--stack` it is the
//! `htpasswd` field of the deployed gallery's sign-in configuration secret, found through the
//! stack's outputs (the edge picks changes up within five minutes). Same checks, same messages:
//! bcrypt (`$2y$`), names the login form accepts, a cost the edge can afford, and the result
//! parsed by edge-auth before anything is written.

use crate::local;
use anyhow::Context as _;
use edge_auth::htpasswd::{Users, MAX_EDGE_COST};
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

/// The stack output naming the sign-in configuration secret (template.yaml).
const CONFIG_SECRET_OUTPUT: &str = "EdgeConfigSecret";

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
    /// The sign-in configuration secret of a deployed stack.
    Stack(StackConfig),
}

/// A deployed gallery's sign-in configuration: the secret, and its JSON as read.
struct StackConfig {
    stack: String,
    secret: String,
    client: aws_sdk_secretsmanager::Client,
    config: serde_json::Map<String, serde_json::Value>,
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
            Self::Stack(s) => {
                s.config.get("htpasswd").and_then(|v| v.as_str()).unwrap_or_default().to_owned()
            }
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
                s.config.insert("htpasswd".into(), text.into());
                let json = serde_json::Value::Object(s.config.clone()).to_string();
                // The whole configuration must still load at the edge, key and all.
                edge_auth::Auth::from_json(&json).context("the sign-in configuration would not load")?;
                s.client
                    .put_secret_value()
                    .secret_id(&s.secret)
                    .secret_string(json)
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)))
                    .with_context(|| format!("cannot write the secret {}", s.secret))?;
                Ok(())
            }
        }
    }
}

/// Finds the stack's sign-in configuration secret and reads it.
async fn stack_config(stack: &str, region: &str) -> anyhow::Result<StackConfig> {
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
        .find(|o| o.output_key() == Some(CONFIG_SECRET_OUTPUT))
        .and_then(|o| o.output_value())
        .with_context(|| {
            format!("stack {stack} has no {CONFIG_SECRET_OUTPUT} output: is it a Shoebox stack?")
        })?
        .to_owned();
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let value = client.get_secret_value().secret_id(&secret).send().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot read the secret {secret}: {}",
            aws_sdk_secretsmanager::error::DisplayErrorContext(e)
        )
    })?;
    let text = value.secret_string().unwrap_or("{}");
    let config = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => anyhow::bail!("the secret {secret} is not a sign-in configuration (JSON object)"),
    };
    Ok(StackConfig { stack: stack.to_owned(), secret, client, config })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> anyhow::Result<ExitCode> {
    let (mut target, file_text) = match &args.stack {
        Some(stack) => (Target::Stack(stack_config(stack, &args.region).await?), String::new()),
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
