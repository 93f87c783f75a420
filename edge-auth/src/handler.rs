//! The routes: `GET` [`LOGIN_PATH`] (page), `POST` [`LOGIN_PATH`] (check, sign cookies),
//! `GET|POST` [`LOGOUT_PATH`] (expire cookies), `GET` [`SHARE_PATH`]`?t=TOKEN` (a share link:
//! cookies for one album). Everything else gets a clear 4xx. Deployed, each request comes as an
//! origin-request event of an uncached behaviour (the body included); the local gate builds the
//! same events.

use crate::auth::Auth;
use crate::cookies;
use crate::event::{CfRequest, CfResponse};
use crate::redirect::safe_next;
use crate::share::{self, ShareError};
use base64::Engine as _;
use serde::Deserialize;
use shoebox_core::keys::{album_resource, album_url, LOGIN_PATH, LOGOUT_PATH, SHARE_PATH};
use shoebox_core::signin::{login_page, message_page};

/// Longest accepted user name, in bytes.
const MAX_USERNAME: usize = 256;
/// Longest accepted password, in bytes (bcrypt reads 72; anything far longer is not a password).
const MAX_PASSWORD: usize = 1024;
/// Largest login body accepted: a sign-in form is a few hundred bytes. (CloudFront passes an
/// origin-request trigger up to 1 MB and marks a longer body `inputTruncated`.)
const MAX_BODY: usize = 40 * 1024;

/// A response and, for the shim to log, what happened.
#[derive(Debug, Clone)]
pub struct Handled {
    /// The response for CloudFront.
    pub response: CfResponse,
    /// One log line.
    pub log: String,
}

fn handled(response: CfResponse, log: impl Into<String>) -> Handled {
    Handled { response, log: log.into() }
}

fn text(status: u16, message: &str) -> CfResponse {
    CfResponse::new(status).body("text/plain; charset=utf-8", format!("{message}\n"))
}

#[derive(Debug, Default, Deserialize)]
struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    remember: Option<serde_json::Value>,
}

impl Credentials {
    fn remember(&self) -> bool {
        match &self.remember {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => matches!(s.as_str(), "1" | "on" | "true" | "yes"),
            Some(serde_json::Value::Number(n)) => n.as_u64() == Some(1),
            _ => false,
        }
    }
}

/// Parses a form-encoded body into credentials (unknown fields ignored).
fn from_form(body: &[u8]) -> Credentials {
    let mut c = Credentials::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "username" => c.username = v.into_owned(),
            "password" => c.password = v.into_owned(),
            "next" => c.next = Some(v.into_owned()),
            "remember" => c.remember = Some(serde_json::Value::String(v.into_owned())),
            _ => {}
        }
    }
    c
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// What signed cookies grant: an album (`""` for the whole site) on a host, until when, and for
/// how long the browser keeps them (`None`: until it closes).
struct Grant<'a> {
    host: &'a str,
    album: &'a str,
    expires: u64,
    max_age: Option<u64>,
}

/// A login turned away: the status, what the visitor is told, and the log line.
struct Refusal {
    status: u16,
    message: &'static str,
    log: String,
}

fn refuse(status: u16, message: &'static str, log: impl Into<String>) -> Refusal {
    Refusal { status, message, log: log.into() }
}

/// The credentials a login request carries, from a form or JSON body as CloudFront passes it.
fn read_credentials(request: &CfRequest, content_type: &str) -> Result<Credentials, Refusal> {
    let Some(body) = &request.body else {
        return Err(refuse(400, "The login request has no body.", "login without body"));
    };
    if body.input_truncated {
        return Err(refuse(413, "The login request is too large.", "login body truncated by CloudFront"));
    }
    let bytes = match body.encoding.as_str() {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(body.data.trim())
            .map_err(|_| refuse(400, "The login request body is not valid base64.", "bad base64 body"))?,
        "text" | "" => body.data.clone().into_bytes(),
        other => {
            return Err(refuse(
                400,
                "The login request body has an unknown encoding.",
                format!("body encoding {other:?}"),
            ))
        }
    };
    if bytes.len() > MAX_BODY {
        return Err(refuse(413, "The login request is too large.", format!("body of {} bytes", bytes.len())));
    }
    let creds = if content_type.starts_with("application/json") {
        serde_json::from_slice::<Credentials>(&bytes)
            .map_err(|_| refuse(400, "The login request is not valid JSON.", "bad JSON body"))?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        if std::str::from_utf8(&bytes).is_err() {
            return Err(refuse(400, "The login request is not valid UTF-8.", "non-UTF-8 form"));
        }
        from_form(&bytes)
    } else {
        return Err(refuse(
            415,
            "Send the login as a form or as JSON.",
            format!("content type {content_type:?}"),
        ));
    };
    if creds.username.is_empty() || creds.password.is_empty() {
        return Err(refuse(400, "Enter your user name and password.", "empty credentials"));
    }
    if creds.username.len() > MAX_USERNAME || creds.password.len() > MAX_PASSWORD {
        return Err(refuse(400, "User name or password is too long.", "over-long credentials"));
    }
    Ok(creds)
}

impl Auth {
    /// Handles a CloudFront request event (origin-request when deployed) given as JSON. `now` is
    /// the Unix time in seconds; `seed` seeds the RNG that blinds the RSA operation.
    pub fn handle_event(&self, event_json: &str, now: u64, seed: [u8; 32]) -> Handled {
        match CfRequest::from_event(event_json) {
            Ok(request) => self.handle(&request, now, seed),
            Err(e) => {
                handled(text(400, "Bad request: not a CloudFront request event."), format!("bad event: {e}"))
            }
        }
    }

    /// Handles one request.
    pub fn handle(&self, request: &CfRequest, now: u64, seed: [u8; 32]) -> Handled {
        let method = request.method.to_ascii_uppercase();
        match (request.uri.as_str(), method.as_str()) {
            (LOGIN_PATH, "GET" | "HEAD") => {
                let next = safe_next(query_param(&request.querystring, "next").as_deref());
                handled(self.page(200, None, &next), "login page")
            }
            (LOGIN_PATH, "POST") => self.login(request, now, seed),
            (LOGOUT_PATH, "GET" | "POST") => {
                let mut r =
                    CfResponse::new(303).header("Location", LOGIN_PATH).header("Cache-Control", "no-store");
                for name in cookies::ALL {
                    r = r.header("Set-Cookie", cookies::expire_cookie(name));
                }
                handled(r, "logout")
            }
            (SHARE_PATH, "GET" | "HEAD") => self.open_share(request, now, seed),
            (LOGIN_PATH | LOGOUT_PATH | SHARE_PATH, _) => handled(
                text(405, "Method not allowed.").header(
                    "Allow",
                    match request.uri.as_str() {
                        LOGIN_PATH => "GET, HEAD, POST",
                        LOGOUT_PATH => "GET, POST",
                        _ => "GET, HEAD",
                    },
                ),
                format!("{method} {} refused", request.uri),
            ),
            _ => handled(text(404, "Not found."), format!("no route for {}", request.uri)),
        }
    }

    fn page(&self, status: u16, error: Option<&str>, next: &str) -> CfResponse {
        CfResponse::new(status).body("text/html; charset=utf-8", login_page(&self.config.title, error, next))
    }

    fn message(&self, status: u16, heading: &str, text: &str) -> CfResponse {
        CfResponse::new(status)
            .body("text/html; charset=utf-8", message_page(&self.config.title, heading, text))
            .header("Cache-Control", "no-store")
    }

    /// The signed cookies of `grant` (and the scope cookie: set for a visitor limited to the
    /// album, else an earlier one cleared), on a response.
    fn with_cookies(
        &self,
        mut response: CfResponse,
        grant: &Grant<'_>,
        seed: [u8; 32],
    ) -> Result<CfResponse, rsa::signature::Error> {
        let resource = album_resource(grant.host, grant.album);
        for (name, value) in self.signed_cookies(&resource, grant.expires, seed)? {
            response = response.header("Set-Cookie", cookies::set_cookie(name, &value, grant.max_age));
        }
        let scope = if grant.album.is_empty() {
            cookies::expire_cookie(cookies::SCOPE)
        } else {
            cookies::scope_cookie(&album_url(grant.album), grant.max_age)
        };
        Ok(response.header("Set-Cookie", scope))
    }

    /// A share link: cookies for the album it names, until it expires or for
    /// `shareCookieSeconds` at most, then on to the album.
    fn open_share(&self, request: &CfRequest, now: u64, seed: [u8; 32]) -> Handled {
        let token = query_param(&request.querystring, "t").unwrap_or_default();
        let claims = match self.share_secret.as_deref() {
            None => Err(ShareError::NoSecret),
            Some(secret) => share::decode(secret, &token, now, &self.config.revoked_links),
        };
        let claims = match claims {
            Ok(c) => c,
            Err(e) => {
                let (status, heading, text) = match &e {
                    ShareError::Expired(_) => {
                        (410, "This link has expired", "Ask whoever sent it for a new one.")
                    }
                    ShareError::Revoked(_) => (
                        410,
                        "This link no longer works",
                        "Whoever shared it has withdrawn it. Ask them for a new one if you still need it.",
                    ),
                    ShareError::NoSecret => {
                        (503, "Sharing is not available", "This gallery does not open share links.")
                    }
                    ShareError::Malformed(_) | ShareError::BadSignature => (
                        400,
                        "This link is not valid",
                        "It may have been cut short when it was copied: try copying the whole link again.",
                    ),
                };
                return handled(self.message(status, heading, text), format!("share link refused: {e}"));
            }
        };
        let Some(host) = valid_host(request) else {
            return handled(text(400, "The request has no valid Host header."), "share without a valid Host");
        };
        let expires = claims.e.min(now.saturating_add(self.config.share_cookie_seconds));
        let response =
            CfResponse::new(303).header("Location", album_url(&claims.a)).header("Cache-Control", "no-store");
        let grant = Grant { host, album: &claims.a, expires, max_age: Some(expires - now) };
        match self.with_cookies(response, &grant, seed) {
            Ok(r) => handled(r, format!("share link {} opened {:?} until {expires}", claims.i, claims.a)),
            Err(e) => handled(text(500, "Signing failed."), format!("signing failed: {e}")),
        }
    }

    /// A sign-in: the credentials checked, then cookies for the whole site (or the one album the
    /// user is limited to) and on to the page asked for.
    fn login(&self, request: &CfRequest, now: u64, seed: [u8; 32]) -> Handled {
        let content_type = request
            .header("content-type")
            .unwrap_or("application/x-www-form-urlencoded")
            .to_ascii_lowercase();
        let wants_json = content_type.starts_with("application/json")
            || request.header("accept").is_some_and(|a| a.contains("application/json"));
        let checked = read_credentials(request, &content_type).and_then(|creds| {
            let host = valid_host(request)
                .ok_or_else(|| refuse(400, "The request has no valid Host header.", "missing or bad Host"))?;
            if !self.users.verify(&creds.username, &creds.password) {
                let log = format!("login failed for {:?}", creds.username);
                return Err(refuse(401, "Wrong user name or password.", log));
            }
            Ok((creds, host))
        });
        let (creds, host) = match checked {
            Ok(checked) => checked,
            Err(Refusal { status, message, log }) => {
                let response = if wants_json {
                    CfResponse::new(status)
                        .body("application/json", serde_json::json!({ "error": message }).to_string())
                } else if status == 401 || status == 400 {
                    self.page(status, Some(message), "/")
                } else {
                    text(status, message)
                };
                return handled(response, log);
            }
        };
        let remember = creds.remember();
        let lifetime = if remember { self.config.remember_seconds } else { self.config.session_seconds };
        let expires = now.saturating_add(lifetime);
        // A user limited to one album gets cookies for that album's pattern only, and lands in it.
        let next = safe_next(creds.next.as_deref());
        let (album, next) = match self.config.scopes.get(&creds.username) {
            Some(scope) if next.starts_with(&album_url(&scope.album)) => (scope.album.as_str(), next),
            Some(scope) => (scope.album.as_str(), album_url(&scope.album)),
            None => ("", next),
        };
        let max_age = remember.then_some(self.config.remember_seconds);
        let response = if wants_json {
            CfResponse::new(200)
                .body("application/json", serde_json::json!({ "ok": true, "next": next }).to_string())
        } else {
            CfResponse::new(303).header("Location", next.as_str()).header("Cache-Control", "no-store")
        };
        match self.with_cookies(response, &Grant { host, album, expires, max_age }, seed) {
            Ok(response) => handled(response, format!("login ok for {:?}", creds.username)),
            Err(e) => handled(text(500, "Signing failed."), format!("signing failed: {e}")),
        }
    }
}

/// The request's `Host`, when it can name a site in a cookie policy.
fn valid_host(request: &CfRequest) -> Option<&str> {
    request.header("host").filter(|h| !h.is_empty() && !h.contains(['/', '"', '\\', ' ', '*', '?']))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::access::Scope;
    use crate::config::EdgeConfig;
    use crate::cookies::HashAlgorithm;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use rsa::pkcs8::EncodePrivateKey;

    pub(crate) const PASSWORD_LINE: &str =
        "alice:$2y$04$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6";

    pub(crate) fn auth(algorithm: HashAlgorithm) -> Auth {
        auth_with(algorithm, |_| {})
    }

    pub(crate) fn auth_with(algorithm: HashAlgorithm, change: impl FnOnce(&mut EdgeConfig)) -> Auth {
        Auth::new(config_with(algorithm, change)).expect("config")
    }

    /// The tests' configuration: a fixed key, alice (`wonderland`, cost 4), then `change`.
    pub(crate) fn config_with(algorithm: HashAlgorithm, change: impl FnOnce(&mut EdgeConfig)) -> EdgeConfig {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let key = rsa::PrivateKey::new(&mut rng, 2048).expect("key");
        let pem = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).expect("pem").to_string();
        let mut config = EdgeConfig {
            session_seconds: 3600,
            remember_seconds: 86400,
            hash_algorithm: algorithm,
            title: "Family <Photos>".into(),
            ..EdgeConfig::new("K2JCJMDEHXQW5F", pem, PASSWORD_LINE.into())
        };
        change(&mut config);
        config
    }

    fn event(
        method: &str,
        uri: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> String {
        let headers: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), serde_json::json!([{ "key": k, "value": v }])))
            .collect();
        let mut request = serde_json::json!({
            "clientIp": "203.0.113.178", "method": method, "uri": uri, "querystring": query, "headers": headers
        });
        if let Some(b) = body {
            request["body"] = b;
        }
        serde_json::json!({ "Records": [{ "cf": { "config": { "eventType": "origin-request" }, "request": request } }] }).to_string()
    }

    fn form_body(s: &str) -> serde_json::Value {
        serde_json::json!({
            "action": "read-only", "encoding": "base64", "inputTruncated": false,
            "data": base64::engine::general_purpose::STANDARD.encode(s)
        })
    }

    const HOST: (&str, &str) = ("Host", "photos.example.com");
    const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

    #[test]
    fn login_page_renders_with_title_and_safe_next() {
        let a = auth(HashAlgorithm::Sha1);
        let h = a.handle_event(&event("GET", LOGIN_PATH, "next=%2F%2Fevil", &[HOST], None), 0, [0; 32]);
        assert_eq!(h.response.status_code(), 200);
        let body = h.response.body.as_deref().unwrap_or_default();
        assert!(body.contains("Family &lt;Photos&gt;"));
        assert!(body.contains(r#"name="next" value="/""#), "unsafe next replaced");
        assert_eq!(h.response.values("content-type"), vec!["text/html; charset=utf-8"]);
    }

    #[test]
    fn form_login_sets_three_session_cookies_and_redirects() {
        let a = auth(HashAlgorithm::Sha1);
        let body = form_body("username=alice&password=wonderland&next=%2FTrips%2FRome%25202024%2F");
        let h =
            a.handle_event(&event("POST", LOGIN_PATH, "", &[HOST, FORM], Some(body)), 1_700_000_000, [1; 32]);
        assert_eq!(h.response.status_code(), 303, "{:?}", h.response);
        assert_eq!(h.response.values("location"), vec!["/Trips/Rome%202024/"]);
        let all = h.response.values("set-cookie");
        assert!(
            all.iter().any(|c| c.starts_with("shoebox-scope=;") && c.contains("Max-Age=0")),
            "an earlier share link's scope is cleared: {all:?}"
        );
        let cookies: Vec<&str> = all.into_iter().filter(|c| c.starts_with("CloudFront-")).collect();
        assert_eq!(cookies.len(), 3);
        assert!(cookies.iter().all(|c| c.contains("Secure")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")
            && c.contains("Path=/")));
        assert!(cookies.iter().all(|c| !c.contains("Max-Age")), "session cookies");
        let policy = cookies.iter().find(|c| c.starts_with("CloudFront-Policy=")).expect("policy");
        let value = policy.trim_start_matches("CloudFront-Policy=").split(';').next().unwrap_or_default();
        let decoded = String::from_utf8(cookies::cf_base64_decode(value).expect("b64")).expect("utf8");
        assert_eq!(decoded, cookies::policy("photos.example.com", 1_700_003_600));
        assert!(cookies.iter().any(|c| c.starts_with("CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F;")));
        // The response is a valid CloudFront object: status string, no nulls.
        let json = serde_json::to_string(&h.response).expect("json");
        assert!(json.contains(r#""status":"303""#) && !json.contains("null"), "{json}");
    }

    #[test]
    fn remember_me_sets_max_age_and_a_longer_policy_and_sha256_adds_a_cookie() {
        let a = auth(HashAlgorithm::Sha256);
        let body = serde_json::json!({"encoding": "text", "data": r#"{"username":"alice","password":"wonderland","remember":true}"#});
        let h = a.handle_event(
            &event("POST", LOGIN_PATH, "", &[HOST, ("Content-Type", "application/json")], Some(body)),
            100,
            [2; 32],
        );
        assert_eq!(h.response.status_code(), 200);
        assert_eq!(h.response.body.as_deref(), Some(r#"{"next":"/","ok":true}"#));
        let all = h.response.values("set-cookie");
        let cookies: Vec<&str> = all.into_iter().filter(|c| c.starts_with("CloudFront-")).collect();
        assert_eq!(cookies.len(), 4);
        assert!(cookies.iter().all(|c| c.contains("Max-Age=86400")));
        assert!(cookies.iter().any(|c| c.starts_with("CloudFront-Hash-Algorithm=SHA256;")));
    }

    #[test]
    fn failures_are_clear_4xx_never_panics() {
        let a = auth(HashAlgorithm::Sha1);
        let post = |headers: &[(&str, &str)], body: Option<serde_json::Value>| {
            a.handle_event(&event("POST", LOGIN_PATH, "", headers, body), 0, [3; 32]).response
        };
        let wrong = post(&[HOST, FORM], Some(form_body("username=alice&password=nope")));
        assert_eq!(wrong.status_code(), 401);
        assert!(wrong.body.as_deref().unwrap_or_default().contains("Wrong user name or password."));
        assert!(wrong.values("set-cookie").is_empty());
        assert_eq!(
            post(&[HOST, FORM], Some(form_body("username=bob&password=wonderland"))).status_code(),
            401
        );
        assert_eq!(post(&[HOST, FORM], None).status_code(), 400);
        assert_eq!(
            post(&[HOST, FORM], Some(serde_json::json!({"encoding":"base64","data":"!!!"}))).status_code(),
            400
        );
        assert_eq!(
            post(
                &[HOST, FORM],
                Some(serde_json::json!({"encoding":"base64","data":"","inputTruncated":true}))
            )
            .status_code(),
            413
        );
        assert_eq!(post(&[HOST, ("Content-Type", "text/xml")], Some(form_body("<a/>"))).status_code(), 415);
        assert_eq!(
            post(
                &[HOST, ("Content-Type", "application/json")],
                Some(serde_json::json!({"encoding":"text","data":"{"}))
            )
            .status_code(),
            400
        );
        assert_eq!(post(&[HOST, FORM], Some(form_body("username=alice"))).status_code(), 400);
        assert_eq!(
            post(&[FORM], Some(form_body("username=alice&password=wonderland"))).status_code(),
            400,
            "no Host"
        );
        let long = format!("username=alice&password={}", "x".repeat(5000));
        assert_eq!(post(&[HOST, FORM], Some(form_body(&long))).status_code(), 400);
        assert_eq!(a.handle_event("{not json", 0, [0; 32]).response.status_code(), 400);
        assert_eq!(a.handle_event(r#"{"Records":[]}"#, 0, [0; 32]).response.status_code(), 400);
        assert_eq!(
            a.handle_event(&event("PUT", LOGIN_PATH, "", &[HOST], None), 0, [0; 32]).response.status_code(),
            405
        );
        assert_eq!(
            a.handle_event(&event("GET", "/_auth/other", "", &[HOST], None), 0, [0; 32])
                .response
                .status_code(),
            404
        );
    }

    #[test]
    fn logout_expires_every_cookie() {
        let a = auth(HashAlgorithm::Sha1);
        for method in ["GET", "POST"] {
            let r = a.handle_event(&event(method, LOGOUT_PATH, "", &[HOST], None), 0, [0; 32]).response;
            assert_eq!(r.status_code(), 303);
            assert_eq!(r.values("location"), vec![LOGIN_PATH]);
            let cookies = r.values("set-cookie");
            assert_eq!(cookies.len(), 5, "the three, the hash algorithm, the scope: {cookies:?}");
            assert!(cookies.iter().all(|c| c.contains("Max-Age=0")));
        }
    }

    const SHARE_SECRET: [u8; 32] = [5; 32];

    fn sharing() -> Auth {
        auth_with(HashAlgorithm::Sha1, |c| {
            c.share_secret = Some(base64::engine::general_purpose::STANDARD.encode(SHARE_SECRET));
            c.revoked_links = vec!["revoked1".into()];
            c.scopes.insert("alice".into(), Scope { album: "Family".into() });
        })
    }

    fn link(album: &str, expires: u64, id: &str) -> String {
        let claims = share::ShareClaims { v: 1, a: album.into(), e: expires, i: id.into() };
        share::encode(&SHARE_SECRET, &claims)
    }

    fn policy_of(cookies: &[&str]) -> serde_json::Value {
        let value = cookies
            .iter()
            .find_map(|c| c.strip_prefix("CloudFront-Policy="))
            .and_then(|c| c.split(';').next())
            .expect("a policy cookie");
        serde_json::from_slice(&cookies::cf_base64_decode(value).expect("b64")).expect("json")
    }

    #[test]
    fn a_share_link_signs_its_album_only_until_it_or_the_cookie_lifetime_ends() {
        let a = sharing();
        let open = |token: &str, now: u64| {
            let query = format!("t={token}");
            a.handle_event(&event("GET", SHARE_PATH, &query, &[HOST], None), now, [4; 32]).response
        };
        let now = 1_700_000_000;
        // A link valid for 30 days: the cookies last the cookie lifetime (4 h).
        let r = open(&link("Trips/Rome 2024", now + 30 * 86400, "abc"), now);
        assert_eq!(r.status_code(), 303);
        assert_eq!(r.values("location"), vec!["/Trips/Rome%202024/"]);
        let cookies = r.values("set-cookie");
        let statement = &policy_of(&cookies)["Statement"][0];
        assert_eq!(statement["Resource"], "https://photos.example.com/Trips/Rome%202024/*");
        assert_eq!(statement["Condition"]["DateLessThan"]["AWS:EpochTime"], now + 4 * 3600);
        assert!(cookies.iter().filter(|c| c.starts_with("CloudFront-")).all(|c| c.contains("Max-Age=14400")));
        let scope = cookies.iter().find(|c| c.starts_with("shoebox-scope=")).expect("scope cookie");
        assert!(
            scope.starts_with("shoebox-scope=/Trips/Rome%202024/;") && !scope.contains("HttpOnly"),
            "{scope}"
        );
        // A link that ends sooner: the cookies end with it.
        let soon = open(&link("Family", now + 600, "abc"), now);
        let soon_cookies = soon.values("set-cookie");
        assert_eq!(
            policy_of(&soon_cookies)["Statement"][0]["Condition"]["DateLessThan"]["AWS:EpochTime"],
            now + 600
        );
        // HEAD works like GET (link previews); other methods are refused.
        let head = a.handle_event(
            &event("HEAD", SHARE_PATH, &format!("t={}", link("Family", now + 60, "x")), &[HOST], None),
            now,
            [4; 32],
        );
        assert_eq!(head.response.status_code(), 303);
        assert_eq!(
            a.handle_event(&event("POST", SHARE_PATH, "", &[HOST], None), now, [0; 32])
                .response
                .status_code(),
            405
        );
    }

    #[test]
    fn refused_share_links_get_a_page_that_says_why_and_no_cookies() {
        let a = sharing();
        let now = 1_000;
        let refused = |query: String, status: u16, says: &str| {
            let h = a.handle_event(&event("GET", SHARE_PATH, &query, &[HOST], None), now, [4; 32]);
            assert_eq!(h.response.status_code(), status, "{query}: {}", h.log);
            let body = h.response.body.clone().unwrap_or_default();
            assert!(body.contains(says), "{query}: {body}");
            assert!(!body.contains("<form"), "a guest gets no login form");
            assert!(h.response.values("set-cookie").is_empty());
        };
        refused(format!("t={}", link("Family", now, "a")), 410, "expired");
        refused(format!("t={}", link("Family", now + 9, "revoked1")), 410, "withdrawn");
        let tampered = link("Family", now + 9, "a").replacen('e', "f", 1);
        refused(format!("t={tampered}"), 400, "not valid");
        let old_secret = share::encode(
            &[6; 32],
            &share::ShareClaims { v: 1, a: "Family".into(), e: now + 9, i: "a".into() },
        );
        refused(format!("t={old_secret}"), 400, "not valid");
        refused(format!("t={}", "A".repeat(5000)), 400, "not valid");
        refused("t=%FF%FE".into(), 400, "not valid");
        refused(String::new(), 400, "not valid");
        let without = auth(HashAlgorithm::Sha1);
        let h = without.handle_event(
            &event("GET", SHARE_PATH, &format!("t={}", link("Family", now + 9, "a")), &[HOST], None),
            now,
            [4; 32],
        );
        assert_eq!(h.response.status_code(), 503, "no share secret: sharing is off");
    }

    #[test]
    fn a_user_limited_to_one_album_gets_cookies_for_it_and_lands_in_it() {
        let a = sharing();
        let login = |next: &str| {
            let body = form_body(&format!("username=alice&password=wonderland&next={next}"));
            a.handle_event(&event("POST", LOGIN_PATH, "", &[HOST, FORM], Some(body)), 100, [1; 32]).response
        };
        let outside = login("%2FTrips%2F");
        assert_eq!(outside.values("location"), vec!["/Family/"], "sent to the album it may see");
        let cookies = outside.values("set-cookie");
        assert_eq!(policy_of(&cookies)["Statement"][0]["Resource"], "https://photos.example.com/Family/*");
        assert!(cookies.iter().any(|c| c.starts_with("shoebox-scope=/Family/;")));
        let inside = login("%2FFamily%2FKids%2F%23photo-1");
        assert_eq!(inside.values("location"), vec!["/Family/Kids/#photo-1"], "a page inside it is kept");
        // "/Family 2/" starts with "/Family" but is another album.
        assert_eq!(login("%2FFamily%25202%2F").values("location"), vec!["/Family/"]);
    }

    #[test]
    fn signatures_verify_with_the_public_key() {
        use rsa::signature::Verifier;
        for algorithm in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            let a = auth(algorithm);
            let policy = cookies::policy("h.example", 42);
            let mut rng = ChaCha20Rng::from_seed([9; 32]);
            let sig = cookies::sign(&a.key, algorithm, policy.as_bytes(), &mut rng).expect("signs");
            let sig2 =
                cookies::sign(&a.key, algorithm, policy.as_bytes(), &mut ChaCha20Rng::from_seed([8; 32]))
                    .expect("signs");
            assert_eq!(sig, sig2, "PKCS#1 v1.5 is deterministic whatever the blinding");
            let public = rsa::PublicKey::from(&a.key);
            let s = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).expect("sig");
            match algorithm {
                HashAlgorithm::Sha1 => {
                    rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(public).verify(policy.as_bytes(), &s)
                }
                HashAlgorithm::Sha256 => {
                    rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public).verify(policy.as_bytes(), &s)
                }
            }
            .expect("verifies");
        }
    }
}
