//! One policy grants one album: a gallery with awkward album names (prefixes and suffixes of
//! each other, spaces, `+`, `#`, `%`, `*`, `?`, NFC and NFD forms of the same name) is built and
//! every object of the three "buckets" is requested through the gate with a cookie scoped to each
//! album (`https://HOST/ALBUM/*`), with the whole-site cookie, and with none. A scoped cookie
//! reaches exactly its album's subtree; the whole-site cookie reaches everything; no cookie
//! reaches only the sign-in pages and the hashed assets.

use crate::build::{build, output_stores, SiteOptions};
use crate::gate::{app, behavior_for, Gate};
use crate::local;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use resize_worker::sample::sample_jpeg;
use shared::keys::{album_resource, album_url, classify_source_key, original_url, url_path, SourceObject};
use shared::{LocalStore, ObjectStore};
use std::collections::BTreeMap;
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
    let options = SiteOptions { title: "Crawl".into(), theme: None, originals: true };
    assert_eq!(build(dir.clone(), out.clone(), options, 2).await.expect("builds"), ExitCode::SUCCESS);

    let auth = local::auth(local::signing_key(&data).expect("key"), String::new(), "Crawl").expect("auth");
    let cookie_for = |album: &str| {
        let values = auth.signed_cookies(&album_resource(HOST, album), u64::MAX / 2, [7; 32]).expect("signs");
        values.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    };
    let mut scopes: BTreeMap<String, String> =
        ALBUMS.iter().map(|a| ((*a).to_owned(), cookie_for(a))).collect();
    scopes.insert(String::new(), cookie_for("")); // the whole site, as a sign-in grants
    let (resized, web) = output_stores(&out);
    let source = LocalStore::new(&dir);
    let app = app(Arc::new(Gate::new(auth, web.clone(), resized.clone(), Some(source.clone()))));

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
        if object.key.starts_with(shared::keys::MANIFESTS_PREFIX) {
            manifests.push(url_path(&object.key));
        } else {
            urls.push(url_path(&object.key));
        }
    }
    for object in source.list("").await.expect("source") {
        if matches!(classify_source_key(&object.key), SourceObject::Photo { .. }) {
            urls.push(original_url(&object.key));
        }
    }
    assert!(urls.len() > ALBUMS.len() * 4, "pages, data files, derivatives and originals: {urls:?}");

    let mut reached: BTreeMap<&str, usize> = BTreeMap::new();
    for url in &urls {
        let unsigned = !behavior_for(url).signed;
        let anonymous = status(&app, url, None).await;
        assert_eq!(
            anonymous,
            if unsigned { StatusCode::OK } else { StatusCode::FORBIDDEN },
            "no cookie: {url}"
        );
        for (album, cookie) in &scopes {
            let covered = unsigned || url.starts_with(&album_url(album));
            let got = status(&app, url, Some(cookie)).await;
            let want = if covered { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(got, want, "cookie for {album:?} on {url}");
            if covered && !unsigned {
                *reached.entry(album.as_str()).or_default() += 1;
            }
        }
    }
    // Not vacuous: every album cookie reached its page, its photo and its original at least.
    for album in ALBUMS {
        assert!(reached.get(album).copied().unwrap_or(0) >= 3, "{album:?} reached {:?}", reached.get(album));
    }
    assert_eq!(reached[""], urls.iter().filter(|u| behavior_for(u).signed).count(), "the whole site");
    // Manifests are data for the pipeline, never served.
    for url in manifests {
        assert_eq!(status(&app, &url, Some(&scopes[""])).await, StatusCode::NOT_FOUND, "{url}");
    }
}
