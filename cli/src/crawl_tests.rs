//! One policy grants one album: a gallery with awkward album names (prefixes and suffixes of
//! each other, spaces, `+`, `#`, `%`, `*`, `?`, NFC and NFD forms of the same name) is built and
//! every object of the three "buckets" is requested through the gate with, for each album, a
//! cookie signed for its pattern (`https://HOST/ALBUM/*`), the cookies a share link for it gives,
//! and the cookies a user limited to it gets at sign-in; then with the whole-site cookies (signed,
//! and a sign-in without a limit), and with none. Every album's cookies reach exactly its
//! subtree (videos too: their posters, web copies and originals); the whole-site ones
//! everything; no cookie only the sign-in pages and hashed assets.

use crate::build::{build, output_stores, SiteOptions};
use crate::gate::{app, behavior_for, Gate};
use crate::local;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine as _;
use edge_auth::share::{self, ShareClaims};
use edge_auth::{Access, Scope};
use samples::sample_jpeg;
use shared::{LocalStore, ObjectStore};
use shoebox_core::keys::{
    album_resource, album_url, classify_source_key, original_url, url_path, SourceObject,
};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;
use tower::ServiceExt as _;

const HOST: &str = "gallery.test";

/// Album folders, each with one photo.
const ALBUMS: [&str; 14] = [
    "Kids",
    "Family",
    "Family/Kids",
    "Rome",
    "Rome 2024",
    "Trips/Rome 2024/Day 2",
    "A+B",
    "Hash #1",
    "100% fun",
    "Star*",
    "What?",
    "Caf\u{e9}",
    "Cafe\u{301}",
    "Trips/Kids",
];

/// Sends `request` through the gate; returns the status, the `Location` and the cookies it set,
/// as a `Cookie` header (cookies it expired left out).
async fn cookies_from(app: &axum::Router, request: Request<Body>) -> (StatusCode, String, String) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let location =
        response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| !v.contains("Max-Age=0"))
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect();
    (response.status(), location, cookies.join("; "))
}

async fn status(app: &axum::Router, url: &str, cookie: Option<&str>) -> StatusCode {
    let mut request = Request::get(url).header(header::HOST, HOST);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    let response =
        app.clone().oneshot(request.body(Body::empty()).expect("request")).await.expect("infallible");
    response.status()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cookie_for_one_album_reaches_exactly_that_album() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, out, data) = (tmp.path().join("albums"), tmp.path().join("site"), tmp.path().join("data"));
    for (i, album) in ALBUMS.iter().enumerate() {
        let folder = dir.join(album);
        std::fs::create_dir_all(&folder).expect("folder");
        let jpeg = sample_jpeg(96, 64, i as u64, None).expect("jpeg");
        std::fs::write(folder.join(format!("IMG {i}+a.jpg")), jpeg).expect("photo");
    }
    // A clip in some of the albums, whose poster, web copy and original must follow the same rule.
    let ffmpeg = video_worker::Ffmpeg::locate(std::time::Duration::from_secs(60)).expect("SHOEBOX_FFMPEG");
    let clip = tmp.path().join("clip.mp4");
    let made = std::process::Command::new(&ffmpeg.path)
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:d=0.5"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&clip)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    for (i, album) in ALBUMS.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        std::fs::copy(&clip, dir.join(album).join(format!("clip {i}+a.mp4"))).expect("clip");
    }
    let options = SiteOptions { title: "Crawl".into(), theme: None, originals: true };
    assert_eq!(build(dir.clone(), out.clone(), options, 2).await.expect("builds"), ExitCode::SUCCESS);

    // A share secret, and one user limited to each album (u0, u1, …) beside an unlimited one.
    let secret = [9u8; 32];
    let mut access = Access {
        share_secret: Some(base64::engine::general_purpose::STANDARD.encode(secret)),
        ..Access::default()
    };
    let mut htpasswd = format!("admin:{}\n", local::bcrypt_hash("admin password", 4).expect("hash"));
    for (i, album) in ALBUMS.iter().enumerate() {
        htpasswd
            .push_str(&format!("u{i}:{}\n", local::bcrypt_hash(&format!("password {i}"), 4).expect("hash")));
        access.scopes.insert(format!("u{i}"), Scope { album: (*album).to_owned() });
    }
    let auth =
        local::auth(local::signing_key(&data).expect("key"), htpasswd, &access, "Crawl").expect("auth");
    let signed_for = |album: &str| {
        let values = auth.signed_cookies(&album_resource(HOST, album), u64::MAX / 2, [7; 32]).expect("signs");
        values.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    };
    // (album, how the cookies were had, the Cookie header); "" is the whole site.
    let mut cookies: Vec<(String, &str, String)> =
        ALBUMS.iter().map(|a| ((*a).to_owned(), "signed", signed_for(a))).collect();
    cookies.push((String::new(), "signed", signed_for("")));
    let (resized, web) = output_stores(&out);
    let source = LocalStore::new(&dir);
    let app = app(Arc::new(Gate::new(auth, web.clone(), resized.clone(), Some(source.clone()))));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let sign_in = |user: String, password: String| {
        let body = format!("username={user}&password={}&next=%2F", password.replace(' ', "+"));
        Request::post("/_auth/login")
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    for (i, album) in ALBUMS.iter().enumerate() {
        let claims = ShareClaims { v: 1, a: (*album).to_owned(), e: now + 3600, i: format!("link{i}") };
        let url = format!("/_auth/share?t={}", share::encode(&secret, &claims));
        let opened = cookies_from(
            &app,
            Request::get(url).header(header::HOST, HOST).body(Body::empty()).expect("request"),
        )
        .await;
        assert_eq!(
            (opened.0, opened.1.as_str()),
            (StatusCode::SEE_OTHER, album_url(album).as_str()),
            "link to {album}"
        );
        cookies.push(((*album).to_owned(), "share link", opened.2));
        let signed_in = cookies_from(&app, sign_in(format!("u{i}"), format!("password {i}"))).await;
        assert_eq!(signed_in.1, album_url(album), "u{i} lands in {album}");
        cookies.push(((*album).to_owned(), "limited user", signed_in.2));
    }
    let admin = cookies_from(&app, sign_in("admin".into(), "admin password".into())).await;
    assert_eq!((admin.0, admin.1.as_str()), (StatusCode::SEE_OTHER, "/"));
    cookies.push((String::new(), "unlimited user", admin.2));

    // Every object of the three buckets, by the URL that serves it.
    let mut urls = Vec::new();
    for object in web.list("").await.expect("web") {
        urls.push(url_path(&object.key));
        if let Some(folder) = object.key.strip_suffix("index.html") {
            urls.push(if folder.is_empty() {
                "/".into()
            } else {
                url_path(folder.trim_end_matches('/')) + "/"
            });
        }
    }
    let mut manifests = Vec::new();
    for object in resized.list("").await.expect("resized") {
        if object.key.starts_with(shoebox_core::keys::MANIFESTS_PREFIX) {
            manifests.push(url_path(&object.key));
        } else {
            urls.push(url_path(&object.key));
        }
    }
    for object in source.list("").await.expect("source") {
        if matches!(classify_source_key(&object.key), SourceObject::Photo { .. } | SourceObject::Video { .. })
        {
            urls.push(original_url(&object.key));
        }
    }
    assert!(urls.len() > ALBUMS.len() * 4, "pages, data files, derivatives and originals: {urls:?}");
    let videos = urls.iter().filter(|u| u.ends_with("/video.mp4")).count();
    assert_eq!(videos, ALBUMS.len().div_ceil(3), "every clip's web copy is crawled: {urls:?}");

    let mut reached: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for url in &urls {
        let unsigned = !behavior_for(url).signed;
        let anonymous = status(&app, url, None).await;
        let want = if unsigned { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(anonymous, want, "no cookie: {url}");
        for (album, how, cookie) in &cookies {
            let covered = unsigned || url.starts_with(&album_url(album));
            let got = status(&app, url, Some(cookie)).await;
            let want = if covered { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(got, want, "{how} cookies for {album:?} on {url}");
            if covered && !unsigned {
                *reached.entry((album.as_str(), *how)).or_default() += 1;
            }
        }
    }
    // Not vacuous: every album's cookies reached its page, its photo and its original at least.
    for album in ALBUMS {
        for how in ["signed", "share link", "limited user"] {
            let count = reached.get(&(album, how)).copied().unwrap_or(0);
            assert!(count >= 3, "{how} cookies for {album:?} reached {count}");
        }
    }
    let signed_urls = urls.iter().filter(|u| behavior_for(u).signed).count();
    assert_eq!(reached[&("", "signed")], signed_urls, "the whole site");
    assert_eq!(reached[&("", "unlimited user")], signed_urls, "the whole site");
    let distinct: BTreeSet<&String> = cookies.iter().map(|(_, _, c)| c).collect();
    assert_eq!(distinct.len(), cookies.len(), "every way gave its own cookies");
    // Manifests are data for the pipeline, never served.
    let whole = &cookies.iter().find(|(a, _, _)| a.is_empty()).expect("whole site").2;
    for url in manifests {
        assert_eq!(status(&app, &url, Some(whole)).await, StatusCode::NOT_FOUND, "{url}");
    }
    // A link to an album that has gone lands on the not-found page, not an error.
    let claims = ShareClaims { v: 1, a: "Gone".into(), e: now + 60, i: "gone".into() };
    let url = format!("/_auth/share?t={}", share::encode(&secret, &claims));
    let request = Request::get(url).header(header::HOST, HOST).body(Body::empty()).expect("request");
    let (opened, location, gone) = cookies_from(&app, request).await;
    assert_eq!((opened, location.as_str()), (StatusCode::SEE_OTHER, "/Gone/"));
    assert_eq!(status(&app, "/Gone/", Some(&gone)).await, StatusCode::NOT_FOUND);
}
