//! The local gate: serves a built gallery the way the CloudFront distribution in `template.yaml`
//! does. The same behaviours (path pattern → origin, signed or not, rewritten or not; the
//! patterns come from `shoebox_core::keys`), the same signed-cookie check
//! (`edge_auth::Auth::check_cookies`), the same sign-in, sign-out and share links
//! (`edge_auth::Auth::handle`, on the origin-request event CloudFront would send), the same error
//! pages (403 → the static sign-in page, 404 → the not-found page), the same path rewrite as the
//! distribution's CloudFront Function (`shoebox_core::keys::origin_path`), and the same security
//! headers. `template_agreement` (a test) holds this file and the template together.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use edge_auth::event::{CfBody, CfRequest, CfResponse, HeaderValue as CfHeader};
use edge_auth::verify::resource_matches;
use edge_auth::Auth;
use shared::{LocalStore, ObjectStore, StoreError};
use shoebox_core::keys::{
    is_grid_part, origin_path, ASSETS_PATTERN, ASSETS_PREFIX, AUTH_PATTERN, DERIVATIVES_PATTERN,
    LOGIN_PAGE_KEY, LOGIN_PATH, LOGOUT_PATH, NOT_FOUND_PAGE_KEY, ORIGINALS_PATTERN, SHARE_PATH,
};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// Where a behaviour's requests go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The edge-auth function answers (an origin-request trigger on an uncached behaviour).
    EdgeAuth,
    /// The web bucket: pages, assets, data.
    Web,
    /// The resized bucket: derivatives ([`DERIVATIVES_PATTERN`]).
    Resized,
    /// The source bucket (originals, [`ORIGINALS_PATTERN`]), reached through the rewrite.
    Source,
}

impl Origin {
    /// The distribution's origin id for it (`TargetOriginId` in `template.yaml`).
    pub fn id(self) -> &'static str {
        match self {
            Self::EdgeAuth => "edge-auth",
            Self::Web => "web",
            Self::Resized => "resized",
            Self::Source => "source",
        }
    }
}

/// One cache behaviour of the distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behavior {
    /// CloudFront path pattern (`*` and `?` wildcards); `*` alone is the default behaviour.
    pub path_pattern: &'static str,
    /// Where matching requests go.
    pub origin: Origin,
    /// Whether signed cookies are required (the behaviour's trusted key group).
    pub signed: bool,
    /// Whether the path-rewrite CloudFront Function runs on viewer request ([`origin_path`]).
    pub rewrite: bool,
}

const fn behavior(path_pattern: &'static str, origin: Origin, signed: bool, rewrite: bool) -> Behavior {
    Behavior { path_pattern, origin, signed, rewrite }
}

/// The distribution's behaviours in precedence order; the first match wins. Everything private
/// about an album lives under its own path, so a cookie for `https://HOST/ALBUM/*` grants exactly
/// that album; only the sign-in pages and the hashed assets are unsigned.
pub const BEHAVIORS: [Behavior; 8] = [
    behavior(LOGIN_PATH, Origin::EdgeAuth, false, false),
    behavior(LOGOUT_PATH, Origin::EdgeAuth, false, false),
    behavior(SHARE_PATH, Origin::EdgeAuth, false, false),
    behavior(AUTH_PATTERN, Origin::Web, false, false),
    behavior(ASSETS_PATTERN, Origin::Web, false, false),
    behavior(DERIVATIVES_PATTERN, Origin::Resized, true, false),
    behavior(ORIGINALS_PATTERN, Origin::Source, true, true),
    behavior("*", Origin::Web, true, true),
];

/// The behaviour that serves `path`.
pub fn behavior_for(path: &str) -> &'static Behavior {
    BEHAVIORS
        .iter()
        .find(|b| resource_matches(b.path_pattern, path))
        .unwrap_or(&BEHAVIORS[BEHAVIORS.len() - 1])
}

/// The distribution's Content-Security-Policy: pages load only their own scripts (no inline
/// ones), styles, images and data (a big album's grid parts).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The headers the distribution's response-headers policy adds to every response.
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("strict-transport-security", "max-age=63072000"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("content-security-policy", CONTENT_SECURITY_POLICY),
];

/// CloudFront passes at most this much body to an origin-request function (more is cut and
/// marked `inputTruncated`).
const MAX_EDGE_BODY: usize = 1024 * 1024;
/// Largest object the gate serves (originals can be large).
const MAX_OBJECT: u64 = 512 * 1024 * 1024;

/// Returns a new login configuration when its sources changed since it last looked.
pub type AuthRefresh = Box<dyn Fn() -> Option<Auth> + Send + Sync>;

/// What the gate serves and checks.
pub struct Gate {
    /// The login configuration: users, signing key, key pair id (replaced when users change).
    auth: RwLock<Arc<Auth>>,
    /// Asked before each sign-in, sign-out and share request, so a user or link made a moment
    /// ago works at once (like the deployed function after its cache expires).
    refresh: Option<AuthRefresh>,
    /// The web bucket.
    pub web: LocalStore,
    /// The resized bucket.
    pub resized: LocalStore,
    /// The source folder, when originals are served.
    pub originals: Option<LocalStore>,
}

impl Gate {
    /// A gate over the three folders.
    pub fn new(auth: Auth, web: LocalStore, resized: LocalStore, originals: Option<LocalStore>) -> Self {
        Self { auth: RwLock::new(Arc::new(auth)), refresh: None, web, resized, originals }
    }

    /// The same gate, re-reading its login configuration through `refresh` before auth requests.
    pub fn with_refresh(mut self, refresh: AuthRefresh) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// The current login configuration.
    pub fn auth(&self) -> Arc<Auth> {
        self.auth.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |a| a.clone())
    }

    /// Replaces the login configuration (new users take effect on the next login; existing
    /// cookies stay valid as long as the signing key is the same).
    pub fn set_auth(&self, auth: Auth) {
        match self.auth.write() {
            Ok(mut a) => *a = Arc::new(auth),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(auth),
        }
    }
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("web", &self.web).finish_non_exhaustive()
    }
}

/// Serves `gate` on `listener` until the process ends.
pub async fn serve(gate: Arc<Gate>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, app(gate)).await
}

/// The gate as a router: every request through [`handle`], every response with the
/// distribution's security headers, text compressed (gzip or Brotli, as the browser accepts) as
/// the distribution's `Compress: true` does.
pub fn app(gate: Arc<Gate>) -> axum::Router {
    use tower_http::compression::Predicate as _;
    axum::Router::new()
        .fallback(handle)
        .layer(axum::middleware::map_response(add_security_headers))
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when(
                // CloudFront compresses text, never media: a video's byte ranges must be its own.
                tower_http::compression::predicate::DefaultPredicate::new()
                    .and(tower_http::compression::predicate::NotForContentType::const_new("video/")),
            ),
        )
        .with_state(gate)
}

async fn add_security_headers(mut response: Response) -> Response {
    for (name, value) in SECURITY_HEADERS {
        response.headers_mut().insert(name, HeaderValue::from_static(value));
    }
    response
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn text(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}

async fn handle(State(gate): State<Arc<Gate>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let behavior = behavior_for(&path);
    if behavior.origin == Origin::EdgeAuth {
        return edge_auth(&gate, request).await;
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        // CloudFront's answer for methods a behaviour does not allow.
        return text(
            StatusCode::FORBIDDEN,
            "This distribution is not configured to allow this HTTP request method.",
        );
    }
    if behavior.signed {
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let url = format!("https://{host}{}", request.uri().path_and_query().map_or("/", |p| p.as_str()));
        let cookies = request.headers().get(header::COOKIE).and_then(|c| c.to_str().ok());
        if let Err(denied) = gate.auth().check_cookies(cookies, &url, now()) {
            tracing::debug!(%path, origin = behavior.origin.id(), %denied, "403");
            return error_page(&gate, StatusCode::FORBIDDEN, LOGIN_PAGE_KEY).await;
        }
    }
    let asked = if behavior.rewrite { origin_path(&path) } else { Cow::Borrowed(path.as_str()) };
    // S3 takes the key from the percent-decoded path.
    let Ok(decoded) = percent_encoding::percent_decode_str(&asked).decode_utf8() else {
        return text(StatusCode::BAD_REQUEST, "The path is not UTF-8.");
    };
    let key = decoded.trim_start_matches('/').to_owned();
    let store = match behavior.origin {
        Origin::Resized => &gate.resized,
        Origin::Source => match &gate.originals {
            Some(store) => store,
            // Originals switched off: the distribution has no such behaviour, so the default
            // one looks for the path in the web bucket, where it is not.
            None => return error_page(&gate, StatusCode::NOT_FOUND, NOT_FOUND_PAGE_KEY).await,
        },
        Origin::Web | Origin::EdgeAuth => &gate.web,
    };
    match store.get(&key, MAX_OBJECT).await {
        Ok(Some(object)) => {
            let etag = format!("\"{}\"", object.info.etag);
            let mut headers = HeaderMap::new();
            insert(&mut headers, header::CONTENT_TYPE, content_type(&key));
            insert(&mut headers, header::CACHE_CONTROL, cache_control(behavior.origin, &key));
            insert(&mut headers, header::ETAG, &etag);
            insert(&mut headers, header::ACCEPT_RANGES, "bytes");
            let unchanged =
                request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(&etag);
            if unchanged {
                return (StatusCode::NOT_MODIFIED, headers).into_response();
            }
            let len = object.body.len() as u64;
            // Browsers fetch videos in byte ranges (Safari will not play one otherwise), as S3
            // answers them.
            match byte_range(request.headers().get(header::RANGE).and_then(|v| v.to_str().ok()), len) {
                Ok(None) => (StatusCode::OK, headers, Body::from(object.body)).into_response(),
                Ok(Some((start, end))) => {
                    insert(&mut headers, header::CONTENT_RANGE, &format!("bytes {start}-{end}/{len}"));
                    let part = object.body.slice(start as usize..=end as usize);
                    (StatusCode::PARTIAL_CONTENT, headers, Body::from(part)).into_response()
                }
                Err(()) => {
                    insert(&mut headers, header::CONTENT_RANGE, &format!("bytes */{len}"));
                    (StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response()
                }
            }
        }
        Ok(None) | Err(StoreError::InvalidKey { .. }) => {
            error_page(&gate, StatusCode::NOT_FOUND, NOT_FOUND_PAGE_KEY).await
        }
        Err(e) => {
            tracing::error!(%key, origin = behavior.origin.id(), error = %e, "gate: read failed");
            text(StatusCode::BAD_GATEWAY, "The origin could not be read.")
        }
    }
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// A custom error response: the page from the web bucket with the error's status.
async fn error_page(gate: &Gate, status: StatusCode, key: &str) -> Response {
    match gate.web.get(key, MAX_OBJECT).await {
        Ok(Some(page)) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
            Body::from(page.body),
        )
            .into_response(),
        _ => text(status, status.canonical_reason().unwrap_or("Error")),
    }
}

/// The one byte range a `Range` header asks of a body of `len` bytes, inclusive: `None` for the
/// whole body (no header, or one this does not serve partly, such as several ranges), an error
/// when it lies past the end.
fn byte_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    let Some((first, last)) = spec.split_once('-').filter(|_| !spec.contains(',')) else { return Ok(None) };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let (start, end) = match (number(first), number(last)) {
        (Some(start), Some(end)) if start <= end => (start, end.min(len.saturating_sub(1))),
        (Some(start), None) if last.trim().is_empty() => (start, len.saturating_sub(1)),
        // The last N bytes.
        (None, Some(n)) if first.trim().is_empty() && n > 0 => (len.saturating_sub(n), len.saturating_sub(1)),
        _ => return Ok(None),
    };
    if start >= len {
        return Err(());
    }
    Ok(Some((start, end)))
}

fn content_type(key: &str) -> &'static str {
    let extension = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "txt" | "yml" | "yaml" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// What the buckets' objects carry: pages revalidate; hashed assets, grid parts and derivatives
/// never change.
fn cache_control(origin: Origin, key: &str) -> &'static str {
    if origin == Origin::Resized || key.starts_with(ASSETS_PREFIX) || is_grid_part(key) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// Turns the request into the origin-request event CloudFront would send the edge function
/// (lower-case header names, the body base64-encoded and cut at [`MAX_EDGE_BODY`]).
async fn edge_auth(gate: &Gate, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large.");
    };
    let mut headers: BTreeMap<String, Vec<CfHeader>> = BTreeMap::new();
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            headers
                .entry(name.as_str().to_owned())
                .or_default()
                .push(CfHeader { key: Some(name.as_str().to_owned()), value: value.to_owned() });
        }
    }
    let truncated = body.len() > MAX_EDGE_BODY;
    let data = &body[..body.len().min(MAX_EDGE_BODY)];
    use base64::Engine as _;
    let cf = CfRequest {
        method: parts.method.as_str().to_owned(),
        uri: parts.uri.path().to_owned(),
        querystring: parts.uri.query().unwrap_or_default().to_owned(),
        headers,
        body: Some(CfBody {
            encoding: "base64".into(),
            data: base64::engine::general_purpose::STANDARD.encode(data),
            input_truncated: truncated,
        }),
    };
    let mut seed = [0u8; 32];
    if getrandom::fill(&mut seed).is_err() {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "No randomness available.");
    }
    if let Some(auth) = gate.refresh.as_ref().and_then(|refresh| refresh()) {
        gate.set_auth(auth);
    }
    let handled = gate.auth().handle(&cf, now(), seed);
    tracing::info!(path = %cf.uri, "{}", handled.log);
    into_response(handled.response)
}

fn into_response(cf: CfResponse) -> Response {
    let status = StatusCode::from_u16(cf.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, cf.body.unwrap_or_default()).into_response();
    for values in cf.headers.values() {
        for v in values {
            let name = v.key.as_deref().unwrap_or_default();
            if let (Ok(name), Ok(value)) =
                (header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&v.value))
            {
                response.headers_mut().append(name, value);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_match_in_precedence_order() {
        let origin = |p: &str| (behavior_for(p).origin, behavior_for(p).signed);
        assert_eq!(origin("/_auth/login"), (Origin::EdgeAuth, false));
        assert_eq!(origin("/_auth/logout"), (Origin::EdgeAuth, false));
        assert_eq!(origin("/_auth/share"), (Origin::EdgeAuth, false));
        assert_eq!(origin("/_auth/login.html"), (Origin::Web, false));
        assert_eq!(origin("/_auth/404.html"), (Origin::Web, false));
        assert_eq!(origin("/_assets/gallery.0123456789.js"), (Origin::Web, false));
        assert_eq!(origin("/Trips/_p/a-1/640.jpg"), (Origin::Resized, true));
        assert_eq!(origin("/Trips/Rome%202024/_p/a-1/640.jpg"), (Origin::Resized, true));
        assert_eq!(origin("/Trips/_o/a.jpg"), (Origin::Source, true));
        assert_eq!(origin("/"), (Origin::Web, true));
        assert_eq!(origin("/Trips/Rome%202024/"), (Origin::Web, true));
        assert_eq!(origin("/_data/gallery.json"), (Origin::Web, true));
        assert_eq!(origin("/_authx"), (Origin::Web, true), "only /_auth/ is open");
        assert_eq!(origin("/Trips/_px/a.jpg"), (Origin::Web, true));
    }

    #[test]
    fn byte_ranges_as_s3_answers_them() {
        assert_eq!(byte_range(None, 10), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-"), 10), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=2-4"), 10), Ok(Some((2, 4))));
        assert_eq!(byte_range(Some("bytes=8-100"), 10), Ok(Some((8, 9))));
        assert_eq!(byte_range(Some("bytes=-3"), 10), Ok(Some((7, 9))));
        assert_eq!(byte_range(Some("bytes=-30"), 10), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=10-"), 10), Err(()));
        assert_eq!(byte_range(Some("bytes=0-"), 0), Err(()));
        for whole in ["bytes=0-1,4-5", "bytes=5-2", "items=0-1", "bytes=x-y", "bytes=-0"] {
            assert_eq!(byte_range(Some(whole), 10), Ok(None), "{whole}");
        }
    }

    #[test]
    fn content_types_and_caching() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("_assets/gallery.1.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("Trips/_p/a-1/1.JPG"), "image/jpeg");
        assert_eq!(content_type("Trips/_p/a-1/video.mp4"), "video/mp4");
        assert_eq!(content_type("Trips/IMG_1.MOV"), "video/quicktime");
        assert_eq!(cache_control(Origin::Web, "_assets/site.1.css"), "public, max-age=31536000, immutable");
        assert_eq!(
            cache_control(Origin::Web, "A/_g/0123456789ab.json"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control(Origin::Web, "index.html"), "no-cache");
        assert_eq!(cache_control(Origin::Source, "a/b.jpg"), "no-cache");
    }
}
