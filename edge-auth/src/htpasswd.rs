//! htpasswd users with bcrypt hashes (`$2y$`, `$2a$`, `$2b$`); other schemes are refused when
//! the configuration loads.

use std::collections::HashMap;

/// A bad line in the htpasswd data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HtpasswdError {
    /// A line without `user:hash`.
    #[error("htpasswd line {line}: expected USER:HASH")]
    Malformed {
        /// 1-based line number.
        line: usize,
    },
    /// A hash that is not bcrypt.
    #[error("htpasswd user {user:?} uses {scheme}; only bcrypt ($2y$, $2a$, $2b$) is accepted: recreate it with `htpasswd -B` or `shoebox users add`")]
    UnsupportedScheme {
        /// The user.
        user: String,
        /// The scheme found.
        scheme: &'static str,
    },
    /// A bcrypt hash with a cost out of range or a wrong length.
    #[error("htpasswd user {user:?} has a malformed bcrypt hash")]
    BadBcrypt {
        /// The user.
        user: String,
    },
    /// The same user twice.
    #[error("htpasswd user {0:?} appears twice")]
    Duplicate(String),
}

/// The highest bcrypt cost a deployed sign-in can afford. Each step doubles the time a check
/// takes; at the edge function's CPU share a cost-12 check takes about a third of a second and a
/// cost-14 one over a second (docs/performance.md). `shoebox users` refuses to write more.
pub const MAX_EDGE_COST: u32 = 12;

/// The users and their bcrypt hashes.
#[derive(Debug, Clone)]
pub struct Users {
    hashes: HashMap<String, String>,
    /// A bcrypt hash no password matches, at the users' highest cost: unknown users are checked
    /// against it so they take as long as wrong passwords.
    decoy: String,
}

fn scheme_of(hash: &str) -> &'static str {
    match hash {
        h if h.starts_with("$apr1$") => "Apache MD5 ($apr1$)",
        h if h.starts_with("{SHA}") => "SHA-1 ({SHA})",
        h if h.starts_with("$1$") => "MD5-crypt ($1$)",
        h if h.starts_with("$5$") => "SHA-256-crypt ($5$)",
        h if h.starts_with("$6$") => "SHA-512-crypt ($6$)",
        h if h.starts_with('$') => "an unknown $-scheme",
        _ => "plain text or DES crypt",
    }
}

/// The cost of a bcrypt hash `$2y$NN$` + 53 characters, if it has that shape.
fn bcrypt_cost(hash: &str) -> Option<u32> {
    let rest = hash
        .strip_prefix("$2y$")
        .or_else(|| hash.strip_prefix("$2a$"))
        .or_else(|| hash.strip_prefix("$2b$"))?;
    let (cost, tail) = rest.split_once('$')?;
    let cost: u32 = cost.parse().ok()?;
    ((4..=31).contains(&cost) && tail.len() == 53).then_some(cost)
}

impl Users {
    /// Parses htpasswd text: one `user:hash` per line; blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<Self, HtpasswdError> {
        let mut hashes = HashMap::new();
        let mut max_cost = None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (user, hash) = line.split_once(':').ok_or(HtpasswdError::Malformed { line: i + 1 })?;
            if user.is_empty() || hash.is_empty() {
                return Err(HtpasswdError::Malformed { line: i + 1 });
            }
            if !(hash.starts_with("$2y$") || hash.starts_with("$2a$") || hash.starts_with("$2b$")) {
                return Err(HtpasswdError::UnsupportedScheme {
                    user: user.to_owned(),
                    scheme: scheme_of(hash),
                });
            }
            let cost = bcrypt_cost(hash).ok_or_else(|| HtpasswdError::BadBcrypt { user: user.to_owned() })?;
            max_cost = max_cost.max(Some(cost));
            if hashes.insert(user.to_owned(), hash.to_owned()).is_some() {
                return Err(HtpasswdError::Duplicate(user.to_owned()));
            }
        }
        // A valid-looking hash whose digest part no password produces, as costly as the costliest
        // user's (cost 10 when there is nobody: every login then fails anyway).
        let decoy = format!(
            "$2b${:02}$C6UzMDM.H6dfI/f/IKxGhuQbL/3mY.VNm1B4ab9bX4.xAdbrrSGJ2",
            max_cost.unwrap_or(10)
        );
        Ok(Self { hashes, decoy })
    }

    /// The user whose hash is the most expensive to check, with its bcrypt cost.
    pub fn costliest(&self) -> Option<(&str, u32)> {
        self.hashes
            .iter()
            .filter_map(|(user, hash)| bcrypt_cost(hash).map(|cost| (user.as_str(), cost)))
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when there are no users (then nobody can log in).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The hash a login for `user` is checked against: theirs, or the decoy of equal cost.
    pub(crate) fn hash_to_check(&self, user: &str) -> (&str, bool) {
        match self.hashes.get(user) {
            Some(h) => (h, true),
            None => (&self.decoy, false),
        }
    }

    /// Checks a password. Unknown users run the same bcrypt work as known ones.
    pub fn verify(&self, user: &str, password: &str) -> bool {
        let (hash, known) = self.hash_to_check(user);
        let matches = bcrypt_verify(password, hash);
        matches && known
    }
}

#[cfg(test)]
thread_local! {
    /// Counts bcrypt comparisons, so tests can see the unknown-user path does one.
    pub(crate) static BCRYPT_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn bcrypt_verify(password: &str, hash: &str) -> bool {
    #[cfg(test)]
    BCRYPT_RUNS.with(|c| c.set(c.get() + 1));
    // bcrypt reads at most 72 bytes; longer passwords are errors in the crate: not a match.
    bcrypt::verify(password, hash).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const ALICE: &str = "alice:$2y$04$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6"; // "wonderland"

    #[test]
    fn accepts_bcrypt_variants_and_checks_passwords() {
        let users = Users::parse(&format!("# users\n\n{ALICE}\n")).expect("parses");
        assert_eq!(users.len(), 1);
        assert!(users.verify("alice", "wonderland"));
        assert!(!users.verify("alice", "Wonderland"));
        assert!(!users.verify("bob", "wonderland"));
    }

    #[test]
    fn unknown_users_cost_a_bcrypt_comparison_at_the_same_cost() {
        let users = Users::parse(ALICE).expect("parses");
        let before = BCRYPT_RUNS.with(|c| c.get());
        assert!(!users.verify("mallory", "wonderland"));
        assert_eq!(BCRYPT_RUNS.with(|c| c.get()), before + 1, "unknown user ran bcrypt");
        let (decoy, known) = users.hash_to_check("mallory");
        assert!(!known);
        let (alice, _) = users.hash_to_check("alice");
        assert_eq!(bcrypt_cost(decoy), bcrypt_cost(alice), "the decoy costs what alice's hash costs (4)");
        // With several costs, the costliest.
        let bob = "bob:$2y$12$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6";
        let both = Users::parse(&format!("{ALICE}\n{bob}")).expect("parses");
        assert_eq!(bcrypt_cost(both.hash_to_check("mallory").0), Some(12));
        assert!(!Users::parse("").expect("nobody").verify("mallory", "x"));
    }

    /// By the clock, not only by cost: an unknown name takes as long as a wrong password, for a
    /// cheap file and a costly one (the decoy follows the file). The clock is the thread's CPU
    /// time, which other work on the machine does not stretch (a wall clock beside a compile
    /// measured ratios from 0.34 to 0.90 for hashes of equal cost); minimums of interleaved runs.
    #[cfg(unix)]
    #[test]
    fn an_unknown_name_takes_as_long_as_a_wrong_password() {
        use cpu_time::ThreadTime;
        use std::time::Duration;
        for cost in [5, 10] {
            let hash = bcrypt::hash_with_salt("right", cost, [7; 16])
                .expect("hashes")
                .format_for_version(bcrypt::Version::TwoY);
            let users = Users::parse(&format!("alice:{hash}")).expect("parses");
            let (mut known, mut unknown) = (Duration::MAX, Duration::MAX);
            for _ in 0..9 {
                let t = ThreadTime::now();
                assert!(!users.verify("alice", "wrong"));
                known = known.min(t.elapsed());
                let t = ThreadTime::now();
                assert!(!users.verify("mallory", "wrong"));
                unknown = unknown.min(t.elapsed());
            }
            // One bcrypt cost step doubles the time, so a decoy one step off gives 2 or 0.5.
            let ratio = unknown.as_secs_f64() / known.as_secs_f64();
            assert!(
                (0.75..=1.33).contains(&ratio),
                "cost {cost}: unknown name {unknown:?}, wrong password {known:?} (ratio {ratio:.2})"
            );
        }
    }

    #[test]
    fn refuses_other_schemes_naming_user_and_scheme() {
        let err = Users::parse("carol:$apr1$abc$def").expect_err("refused");
        assert_eq!(
            err,
            HtpasswdError::UnsupportedScheme { user: "carol".into(), scheme: "Apache MD5 ($apr1$)" }
        );
        assert!(err.to_string().contains("carol") && err.to_string().contains("$apr1$"));
        assert!(matches!(Users::parse("dave:{SHA}abc="), Err(HtpasswdError::UnsupportedScheme { .. })));
        assert!(matches!(Users::parse("erin:plain"), Err(HtpasswdError::UnsupportedScheme { .. })));
        assert!(matches!(Users::parse("nocolon"), Err(HtpasswdError::Malformed { line: 1 })));
        assert!(matches!(Users::parse("f:$2y$99$x"), Err(HtpasswdError::BadBcrypt { .. })));
        assert!(matches!(Users::parse(&format!("{ALICE}\n{ALICE}")), Err(HtpasswdError::Duplicate(_))));
    }
}
