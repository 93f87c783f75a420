//! Rendered pages, parsed as HTML: images are complete, references resolve, nothing external.

use bytes::Bytes;
use scraper::{Html, Selector};
use shared::{MemoryStore, ObjectStore, PutOptions};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest, SiteMessage};
use site_builder::site::Buckets;
use site_builder::{update_site, Renderer, Theme};
use std::collections::BTreeSet;

fn manifest(key: &str, w: u32, h: u32, date: &str) -> PhotoManifest {
    let album = shoebox_core::keys::album_of(key).unwrap_or_default().to_owned();
    let dir = shoebox_core::keys::derivative_dir(&album, key.rsplit('/').next().unwrap_or(key), "etag", key);
    let derivatives = [2048u32, 1280, 640, 320]
        .iter()
        .map(|&edge| {
            let (dw, dh) = if w >= h { (edge, edge * h / w) } else { (edge * w / h, edge) };
            Derivative { width: dw, height: dh, key: shoebox_core::keys::derivative_key(&dir, dw), bytes: 1 }
        })
        .collect();
    PhotoManifest {
        schema: shoebox_core::MANIFEST_SCHEMA,
        source_key: key.into(),
        album,
        etag: "etag".into(),
        sequencer: None,
        source_bytes: 1,
        width: w,
        height: h,
        derivatives,
        thumbhash: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
        icc_profile: false,
        exif: ExifSummary { captured_at: Some(date.into()), ..Default::default() },
        video: None,
    }
}

fn messages() -> Vec<SiteMessage> {
    [
        ("Trips/Rome 2024/a+b ü.jpg", 4000, 3000, "2024-05-01T10:00:00"),
        ("Trips/Rome 2024/IMG 2.jpg", 3000, 4000, "2024-05-02T10:00:00"),
        ("Trips/Rome 2024/Day 2/x.jpg", 4000, 3000, "2024-05-03T10:00:00"),
        ("Family/1.jpg", 4000, 4000, "2023-01-01T00:00:00"),
    ]
    .into_iter()
    .map(|(k, w, h, d)| SiteMessage::PhotoUpserted { manifest: Box::new(manifest(k, w, h, d)) })
    .chain([SiteMessage::AlbumMetadataChanged {
        album: "Trips/Rome 2024".into(),
        removed: false,
        sequencer: None,
    }])
    .collect()
}

async fn page(web: &MemoryStore, key: &str) -> Html {
    let body = web.get(key, u64::MAX).await.expect("get").unwrap_or_else(|| panic!("{key} was written"));
    Html::parse_document(std::str::from_utf8(&body.body).expect("utf8"))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

/// The buckets, with an empty resized bucket (these tests replace no photo).
fn at<'a>(source: &'a MemoryStore, web: &'a MemoryStore) -> Buckets<'a> {
    Buckets { source, resized: Box::leak(Box::new(MemoryStore::new())), web }
}

/// Decodes a site path back into a key.
fn key_of(path: &str) -> String {
    percent_encoding::percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8()
        .expect("utf8")
        .into_owned()
}

#[tokio::test]
async fn pages_are_complete_self_contained_and_not_rewritten_when_unchanged() {
    let source = MemoryStore::new();
    source
        .put(
            "Trips/Rome 2024/album.yml",
            Bytes::from_static(b"title: Rome <2024>\ndescription: Three days of *walking*. <b>bold?</b>\ncaptions:\n  IMG 2.jpg: The Pantheon\n"),
            &PutOptions::default(),
        )
        .await
        .expect("put");
    let web = MemoryStore::new();
    let renderer = Renderer::new("Family Photos").expect("templates");
    let report = update_site(at(&source, &web), &renderer, &messages()).await.expect("renders");
    for key in [
        "index.html",
        "_auth/404.html",
        "_auth/login.html",
        "Trips/index.html",
        "Trips/Rome 2024/index.html",
        "Trips/Rome 2024/Day 2/index.html",
        "Family/index.html",
    ] {
        assert!(report.written.iter().any(|w| w == key), "{key} written: {:?}", report.written);
        let opts = web.options_of(key).expect("options");
        assert_eq!(opts.content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(opts.cache_control.as_deref(), Some("no-cache"));
    }

    let derivative_keys: BTreeSet<String> = messages()
        .iter()
        .filter_map(|m| match m {
            SiteMessage::PhotoUpserted { manifest } => Some(manifest.derivatives.clone()),
            _ => None,
        })
        .flatten()
        .map(|d| d.key)
        .collect();
    let exists = |path: &str, web_keys: &BTreeSet<String>| {
        let key = key_of(path.split('#').next().unwrap_or(path));
        derivative_keys.contains(&key)
            || web_keys.contains(&key)
            || web_keys.contains(&format!("{key}index.html"))
            || key.is_empty()
    };
    let web_keys: BTreeSet<String> = web.list("").await.expect("list").into_iter().map(|o| o.key).collect();

    for key in [
        "index.html",
        "Trips/index.html",
        "Trips/Rome 2024/index.html",
        "Family/index.html",
        "_auth/404.html",
    ] {
        let html = page(&web, key).await;
        for img in html.select(&sel("img")) {
            let a = img.value();
            for attr in ["src", "srcset", "width", "height", "alt"] {
                assert!(a.attr(attr).is_some_and(|v| !v.is_empty()), "{key}: <img> without {attr}: {:?}", a);
            }
            // Tiles wait to be scrolled to; an album's first screen of photos does not.
            let in_grid = img.ancestors().any(|n| {
                n.value()
                    .as_element()
                    .is_some_and(|e| e.has_class("grid", scraper::CaseSensitivity::CaseSensitive))
            });
            assert_eq!(a.attr("loading"), Some(if in_grid { "eager" } else { "lazy" }), "{key}: {a:?}");
            for candidate in a.attr("srcset").unwrap_or_default().split(", ") {
                let url = candidate.split(' ').next().unwrap_or_default();
                assert!(exists(url, &web_keys), "{key}: srcset {url} resolves");
            }
        }
        for (selector, attr) in [("link", "href"), ("img", "src"), ("a", "href"), ("script", "src")] {
            for el in html.select(&sel(selector)) {
                let Some(url) = el.value().attr(attr) else { continue };
                assert!(!url.contains("://") && !url.starts_with("//"), "{key}: external {url}");
                if url.starts_with("/_auth/") || url == "data:," {
                    continue; // served by the edge function; the empty inline icon
                }
                assert!(exists(url, &web_keys), "{key}: {selector} {attr}={url} resolves");
            }
        }
        // No inline scripts (the Content-Security-Policy allows none). The page script and every
        // module it imports are published, cached for a year, and served as JavaScript.
        for script in html.select(&sel("script")) {
            assert!(
                script.value().attr("src").is_some() && script.inner_html().trim().is_empty(),
                "{key}: inline script"
            );
        }
        let script = html.select(&sel(r#"script[type="module"]"#)).next().and_then(|s| s.value().attr("src"));
        let script_body = script.map(|url| web_keys.contains(&key_of(url))).unwrap_or(false);
        assert!(script_body, "{key}: the page script is published");
        let published =
            web.get(&key_of(script.unwrap_or_default()), u64::MAX).await.expect("get").expect("script");
        let text = String::from_utf8(published.body.to_vec()).expect("utf-8");
        let imports: Vec<&str> = text.split(['\'', '"']).filter(|s| s.starts_with("/_assets/")).collect();
        assert_eq!(imports.len(), 3, "lightbox, PhotoSwipe core, ThumbHash: {imports:?}");
        for url in imports.into_iter().chain(script) {
            assert!(exists(url, &web_keys), "{key}: module {url} resolves");
            let opts = web.options_of(&key_of(url)).expect("options");
            assert_eq!(opts.content_type.as_deref(), Some("text/javascript; charset=utf-8"));
            assert_eq!(opts.cache_control.as_deref(), Some("public, max-age=31536000, immutable"));
        }
        // What the lightbox reads from each photo link.
        for link in html.select(&sel(".grid a")) {
            let a = link.value();
            assert_eq!(a.attr("class"), Some("photo"));
            for attr in ["data-pswp-width", "data-pswp-height"] {
                assert!(
                    a.attr(attr).is_some_and(|v| v.parse::<u32>().is_ok_and(|n| n > 0)),
                    "{key}: {attr} in {a:?}"
                );
            }
            assert!(a.attr("data-name").is_some_and(|v| !v.is_empty()), "{key}: data-name in {a:?}");
            assert!(a.attr("data-original").is_none(), "originals are off by default");
            let img = link.select(&sel("img")).next().expect("img in link");
            assert!(
                img.value().attr("data-thumbhash").is_some_and(|v| v.len() > 10),
                "{key}: data-thumbhash"
            );
        }
    }

    let rome = page(&web, "Trips/Rome 2024/index.html").await;
    assert_eq!(
        rome.select(&sel("h1")).next().map(|h| h.text().collect::<String>()),
        Some("Rome <2024>".into())
    );
    let description = rome.select(&sel(".description")).next().map(|d| d.inner_html()).unwrap_or_default();
    assert!(description.contains("<em>walking</em>") && !description.contains("<b>"), "{description}");
    assert_eq!(rome.select(&sel(".grid li[id^=photo-]")).count(), 2);
    let alts: Vec<String> =
        rome.select(&sel(".grid img")).filter_map(|i| i.value().attr("alt").map(str::to_owned)).collect();
    assert_eq!(alts, ["a+b ü", "The Pantheon"], "oldest first; caption as alt text");
    let crumbs: Vec<String> = rome.select(&sel(".crumbs a")).map(|a| a.text().collect()).collect();
    assert_eq!(crumbs, ["Family Photos", "Trips"]);
    assert_eq!(
        rome.select(&sel(".tiles .tile-title")).map(|t| t.text().collect::<String>()).collect::<Vec<_>>(),
        ["Day 2"]
    );

    let index = page(&web, "index.html").await;
    let titles: Vec<String> = index.select(&sel(".tile-title")).map(|t| t.text().collect()).collect();
    assert_eq!(titles, ["Trips", "Family"], "newest first");
    let labels: Vec<String> = index.select(&sel(".tile-meta")).map(|t| t.text().collect()).collect();
    assert_eq!(labels[0].trim(), "1 album", "a folder of sub-albums counts no photos of its own");
    assert!(labels[1].trim().starts_with("1 photo · 2023-01-01"), "{}", labels[1]);

    // The same batch again: nothing is rewritten.
    let again = update_site(at(&source, &web), &renderer, &messages()).await.expect("renders");
    assert!(again.written.is_empty(), "{:?}", again.written);
}

#[tokio::test]
async fn an_album_that_loses_its_last_photo_loses_its_page() {
    let (source, web) = (MemoryStore::new(), MemoryStore::new());
    let renderer = Renderer::new("Gallery").expect("templates");
    update_site(at(&source, &web), &renderer, &messages()).await.expect("renders");
    assert!(web.head("Trips/Rome 2024/Day 2/index.html").await.expect("head").is_some());

    let gone = SiteMessage::PhotoRemoved {
        album: "Trips/Rome 2024/Day 2".into(),
        source_key: "Trips/Rome 2024/Day 2/x.jpg".into(),
        sequencer: None,
    };
    let report = update_site(at(&source, &web), &renderer, &[gone]).await.expect("renders");
    let pages_deleted: Vec<&String> = report.deleted.iter().filter(|k| !k.starts_with("_data/")).collect();
    assert_eq!(pages_deleted, ["Trips/Rome 2024/Day 2/index.html"]);
    assert!(web.head("Trips/Rome 2024/Day 2/index.html").await.expect("head").is_none());
    // The parent still has photos: it is re-rendered without the sub-album tile.
    assert!(report.written.iter().any(|k| k == "Trips/Rome 2024/index.html"), "{:?}", report.written);
    let rome = page(&web, "Trips/Rome 2024/index.html").await;
    assert_eq!(rome.select(&sel(".tiles .tile")).count(), 0);

    // Emptying the last album of a folder removes the folder's page too.
    let last: Vec<SiteMessage> = ["Trips/Rome 2024/a+b ü.jpg", "Trips/Rome 2024/IMG 2.jpg"]
        .into_iter()
        .map(|k| SiteMessage::PhotoRemoved {
            album: "Trips/Rome 2024".into(),
            source_key: k.into(),
            sequencer: None,
        })
        .collect();
    let report = update_site(at(&source, &web), &renderer, &last).await.expect("renders");
    let pages_deleted: Vec<&String> = report.deleted.iter().filter(|k| !k.starts_with("_data/")).collect();
    assert_eq!(pages_deleted, ["Trips/index.html", "Trips/Rome 2024/index.html"]);
    let index = page(&web, "index.html").await;
    let titles: Vec<String> = index.select(&sel(".tile-title")).map(|t| t.text().collect()).collect();
    assert_eq!(titles, ["Family"]);
}

#[tokio::test]
async fn a_theme_replaces_templates_and_the_stylesheet_and_originals_are_linked() {
    let theme_files = MemoryStore::new();
    for (key, body) in [
        ("tile.hbs", "<li class=\"tile themed\"><a href=\"{{href}}\"><span class=\"tile-title\">{{title}}</span></a></li>"),
        ("site.css", "body{background:papayawhip}"),
    ] {
        theme_files.put(key, Bytes::from(body), &PutOptions::default()).await.expect("put");
    }
    let theme = Theme::load(&theme_files, "").await.expect("theme");
    let renderer = Renderer::with_theme("Themed", &theme).expect("templates").with_originals(true);
    let (source, web) = (MemoryStore::new(), MemoryStore::new());
    update_site(at(&source, &web), &renderer, &messages()).await.expect("renders");

    let index = page(&web, "index.html").await;
    assert_eq!(index.select(&sel(".tile.themed")).count(), 2, "the theme's tile partial is used");
    let css =
        index.select(&sel("link[rel=stylesheet]")).next().and_then(|l| l.value().attr("href")).expect("css");
    let css = web.get(&key_of(css), u64::MAX).await.expect("get").expect("published");
    let css = std::str::from_utf8(&css.body).expect("utf8");
    assert!(
        css.ends_with("body{background:papayawhip}") && css.contains(".pswp"),
        "theme CSS after PhotoSwipe's"
    );

    let family = page(&web, "Family/index.html").await;
    let link = family.select(&sel("a.photo")).next().expect("photo link");
    assert_eq!(link.value().attr("data-original"), Some("/Family/_o/1.jpg"));

    // A template that does not compile is refused up front, naming the file.
    let broken = Theme { templates: vec![("album".into(), "{{#if}}".into())], css: None };
    let err = Renderer::with_theme("x", &broken).err().expect("refused");
    assert!(err.to_string().starts_with("template album:"), "{err}");
}

#[tokio::test]
async fn rebuild_all_removes_data_and_pages_of_albums_without_manifests() {
    let (source, resized, web) = (MemoryStore::new(), MemoryStore::new(), MemoryStore::new());
    let renderer = Renderer::new("Gallery").expect("templates");
    update_site(at(&source, &web), &renderer, &messages()).await.expect("renders");
    // Only Family's manifest survives (say, Trips was deleted while the site builder was down).
    let family = manifest("Family/1.jpg", 4000, 4000, "2023-01-01T00:00:00");
    resized
        .put(
            &shoebox_core::keys::manifest_key("Family/1.jpg"),
            Bytes::from(serde_json::to_vec(&family).expect("json")),
            &PutOptions::json(),
        )
        .await
        .expect("put");
    let report = site_builder::rebuild_all(&source, &resized, &web, &renderer).await.expect("rebuilds");
    let (chunks, deleted): (BTreeSet<&str>, BTreeSet<&str>) =
        report.deleted.iter().map(String::as_str).partition(|k| k.starts_with("_data/"));
    assert!(
        !chunks.is_empty() && chunks.iter().all(|k| k.starts_with("_data/Trips/")),
        "the data chunks of albums without photos: {chunks:?}"
    );
    assert_eq!(
        deleted,
        BTreeSet::from([
            "Trips/index.html",
            "Trips/Rome 2024/index.html",
            "Trips/Rome 2024/Day 2/index.html"
        ]),
        "pages of albums with data files but no photos, and of the folder they leave empty"
    );
    let left: Vec<String> = web.list("").await.expect("list").into_iter().map(|o| o.key).collect();
    assert!(left.iter().all(|k| !k.starts_with("Trips/") && !k.starts_with("_data/Trips")), "{left:?}");
    assert!(left.contains(&"Family/index.html".to_owned()));
}

#[tokio::test]
async fn a_replaced_photo_s_old_derivatives_are_deleted_after_the_page_moved_on() {
    let (source, resized, web) = (MemoryStore::new(), MemoryStore::new(), MemoryStore::new());
    let buckets = Buckets { source: &source, resized: &resized, web: &web };
    let renderer = Renderer::new("Gallery").expect("templates");
    let version = |etag: &str, seq: &str| {
        let mut m = manifest("Family/1.jpg", 4000, 3000, "2023-01-01T00:00:00");
        m.etag = etag.into();
        m.sequencer = Some(shoebox_core::Sequencer(seq.into()));
        // Derivative keys carry a hash of the ETag; mark them with it instead.
        for d in &mut m.derivatives {
            d.key = d.key.replace("/1.jpg-", &format!("/1.jpg-{etag}-"));
        }
        m
    };
    let (v1, v2) = (version("aaa", "10"), version("bbb", "11"));
    for d in v1.derivatives.iter().chain(&v2.derivatives) {
        resized.put(&d.key, Bytes::from_static(b"jpeg"), &PutOptions::immutable_jpeg()).await.expect("put");
    }
    let up = |m: &PhotoManifest| SiteMessage::PhotoUpserted { manifest: Box::new(m.clone()) };
    let first = update_site(buckets, &renderer, &[up(&v1)]).await.expect("renders");
    assert!(first.deleted_derivatives.is_empty());

    let second = update_site(buckets, &renderer, &[up(&v2)]).await.expect("renders");
    let old: Vec<String> = v1.derivatives.iter().map(|d| d.key.clone()).collect();
    let mut deleted = second.deleted_derivatives.clone();
    deleted.sort();
    let mut expected = old.clone();
    expected.sort();
    assert_eq!(deleted, expected);
    for key in &old {
        assert!(resized.head(key).await.expect("head").is_none(), "{key} deleted");
    }
    let html = page(&web, "Family/index.html").await.html();
    assert!(html.contains("bbb") && !html.contains("aaa"), "the page shows the new version only");

    // v1 again, late (stale): nothing of v2 is touched.
    let late = update_site(buckets, &renderer, &[up(&v1)]).await.expect("renders");
    assert_eq!(late.stale, 1);
    for d in &v2.derivatives {
        assert!(resized.head(&d.key).await.expect("head").is_some(), "{} kept", d.key);
    }
}
