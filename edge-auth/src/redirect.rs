//! Where a login may send the visitor: same-site absolute paths only (no open redirect).

use shoebox_core::keys::AUTH_URL_PREFIX;

/// Returns `next` when it is a plain same-site path, else `/`.
///
/// Refused: anything not starting with a single `/` (`//evil`, `/\evil`, `https://…`,
/// `javascript:`), and the same after percent-decoding (`/%2F%2Fevil`, `%2F%5Cevil`), control
/// characters, and links back into the sign-in folder ([`AUTH_URL_PREFIX`]).
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else { return "/".into() };
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    let plain = |s: &str| {
        s.starts_with('/')
            && !s.starts_with("//")
            && !s.starts_with("/\\")
            && !s.chars().any(|c| c.is_control() || c == '\\')
            && !s.starts_with(AUTH_URL_PREFIX)
    };
    if plain(next) && plain(&decoded) && next.len() <= 2048 {
        next.to_owned()
    } else {
        "/".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_same_site_paths() {
        for ok in ["/", "/Trips/Rome%202024/", "/a/b?x=1#photo-3", "/caf%C3%A9/"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
    }

    #[test]
    fn refuses_everything_that_could_leave_the_site() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "http:/evil",
            "javascript:alert(1)",
            "evil.example",
            "/%2F%2Fevil.example",
            "/%2fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/\t/evil.example",
            "/%0A/evil",
            "/_auth/logout",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
