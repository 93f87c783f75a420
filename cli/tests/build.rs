//! `shoebox build` on a real folder: the site appears, a rerun does nothing, a deleted photo
//! disappears.

mod common;

use common::{fixture, shoebox};
use std::path::Path;

fn build(dir: &Path, out: &Path) -> (bool, String) {
    let output = shoebox([
        "build",
        dir.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--title",
        "Test Gallery",
    ]);
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn files(root: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let modified = e.metadata().and_then(|m| m.modified()).expect("mtime");
                out.push((p.strip_prefix(root).expect("inside").display().to_string(), modified));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn builds_reruns_idempotently_and_follows_deletions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, out) = (tmp.path().join("albums"), tmp.path().join("site"));
    let rome = dir.join("Trips/Rome 2024");
    std::fs::create_dir_all(&rome).expect("mkdir");
    std::fs::copy(fixture("Landscape_6.jpg"), rome.join("a+b ü.jpg")).expect("copy");
    std::fs::copy(fixture("Portrait_3.jpg"), rome.join("IMG 2.jpg")).expect("copy");
    std::fs::write(rome.join("album.yml"), "title: Rome\n").expect("write");
    std::fs::write(rome.join(".DS_Store"), "junk").expect("write");
    let before = files(&dir);

    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");
    assert!(log.contains("2 resized, 0 unchanged, 0 removed, 0 failed"), "{log}");
    for page in [
        "web/index.html",
        "web/Trips/index.html",
        "web/Trips/Rome 2024/index.html",
        "web/_auth/404.html",
        "web/_auth/login.js",
        "web/_auth/login.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    let html = std::fs::read_to_string(out.join("web/Trips/Rome 2024/index.html")).expect("page");
    assert!(html.contains("<h1>Rome</h1>"), "album.yml title used");
    assert!(
        html.contains("/Trips/Rome%202024/_p/a%2Bb%20%C3%BC-"),
        "derivative URLs are encoded, under the album"
    );
    assert_eq!(std::fs::read_dir(out.join("resized/Trips/Rome 2024/_p")).expect("dir").count(), 2);

    let site_before = files(&out);
    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");
    assert!(log.contains("0 resized, 2 unchanged") && log.contains("0 web file(s) written"), "{log}");
    assert_eq!(files(&out), site_before, "a rerun rewrites nothing");
    assert_eq!(files(&dir), before, "the source folder is never written");

    std::fs::remove_file(rome.join("a+b ü.jpg")).expect("rm");
    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");
    assert!(log.contains("0 resized, 1 unchanged, 1 removed"), "{log}");
    assert_eq!(std::fs::read_dir(out.join("resized/Trips/Rome 2024/_p")).expect("dir").count(), 1);
    let html = std::fs::read_to_string(out.join("web/Trips/Rome 2024/index.html")).expect("page");
    assert!(!html.contains("a%2Bb"), "the deleted photo left the page");

    std::fs::write(rome.join("broken.jpg"), "not a photo").expect("write");
    let (ok, log) = build(&dir, &out);
    assert!(!ok, "a bad photo makes the exit code non-zero");
    assert!(log.contains("Trips/Rome 2024/broken.jpg cannot be shown: not an image"), "{log}");
    assert!(log.contains("1 cannot be shown"), "{log}");
    let record = out.join("resized/_failures/Trips/Rome 2024/broken.jpg.json");
    assert!(record.is_file(), "the failure is recorded");
    let (ok, log) = build(&dir, &out);
    assert!(!ok && log.contains("broken.jpg cannot be shown"), "listed on every build until fixed: {log}");

    std::fs::remove_file(rome.join("broken.jpg")).expect("rm");
    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");
    assert!(!record.exists(), "a deleted photo's record goes with it");
}

#[test]
fn a_damaged_album_data_file_is_made_again_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, out) = (tmp.path().join("albums"), tmp.path().join("site"));
    for (album, photo) in [("Family", "Landscape_1.jpg"), ("Rome", "Portrait_6.jpg")] {
        std::fs::create_dir_all(dir.join(album)).expect("mkdir");
        std::fs::copy(fixture(photo), dir.join(album).join(photo)).expect("copy");
    }
    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");

    // Family's data file is damaged, then both albums get a new photo.
    std::fs::write(out.join("web/_data/Family/album.json"), "{broken").expect("write");
    std::fs::copy(fixture("Landscape_2.jpg"), dir.join("Family/new.jpg")).expect("copy");
    std::fs::copy(fixture("Landscape_3.jpg"), dir.join("Rome/new.jpg")).expect("copy");
    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");
    let rome = std::fs::read_to_string(out.join("web/Rome/index.html")).expect("page");
    assert!(rome.contains("/Rome/_p/new-"), "the other album is updated");
    let family = std::fs::read_to_string(out.join("web/Family/index.html")).expect("page");
    assert!(family.contains("/Family/_p/new-") && family.contains("/Family/_p/Landscape_1-"), "{family}");

    // A data file that cannot be read at all (here a folder in its place): that album is left
    // behind, the build says so and fails; once it can be written, every photo comes back.
    let data = out.join("web/_data/Rome/album.json");
    std::fs::remove_file(&data).expect("rm");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::copy(fixture("Landscape_4.jpg"), dir.join("Rome/newer.jpg")).expect("copy");
    let (ok, log) = build(&dir, &out);
    assert!(!ok, "an album left behind makes the exit code non-zero: {log}");
    assert!(log.contains("album Rome not updated"), "{log}");
    std::fs::remove_dir(&data).expect("rmdir");
    let (ok, log) = build(&dir, &out);
    assert!(ok, "{log}");
    let rome = std::fs::read_to_string(out.join("web/Rome/index.html")).expect("page");
    assert!(rome.contains("/Rome/_p/newer-") && rome.contains("/Rome/_p/Portrait_6-"), "{rome}");
}

/// Every file under `root` with its bytes, the album data files left out (their `revision`
/// counts saves, which a killed run adds to).
fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files(root)
        .into_iter()
        .filter(|(name, _)| !name.starts_with("web/_data/"))
        .map(|(name, _)| {
            let bytes = std::fs::read(root.join(&name)).expect("read");
            (name, bytes)
        })
        .collect()
}

#[test]
fn a_build_killed_at_any_point_is_finished_by_the_next_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("albums");
    for (album, photos) in [
        ("Trips/Rome", &["Landscape_1.jpg", "Portrait_2.jpg", "Landscape_3.jpg"][..]),
        ("Family", &["Portrait_4.jpg", "Landscape_5.jpg", "Portrait_6.jpg"][..]),
    ] {
        std::fs::create_dir_all(dir.join(album)).expect("mkdir");
        for photo in photos {
            std::fs::copy(fixture(photo), dir.join(album).join(photo)).expect("copy");
        }
    }
    std::fs::write(dir.join("Trips/Rome/album.yml"), "title: Rome\n").expect("write");
    let reference = tmp.path().join("reference");
    let (ok, log) = build(&dir, &reference);
    assert!(ok, "{log}");
    let one_job = |out: &Path| {
        let mut command = common::command();
        command.arg("build").arg(&dir).arg("--out").arg(out).args(["--title", "Test Gallery", "--jobs", "1"]);
        command
    };
    let started = std::time::Instant::now();
    assert!(one_job(&tmp.path().join("timing")).output().expect("runs").status.success());
    let whole = started.elapsed();

    // Killed (SIGKILL: no cleanup) at a few points through a build, then built again.
    for eighth in 1..8u32 {
        let out = tmp.path().join(format!("killed-{eighth}"));
        let mut child = one_job(&out).stderr(std::process::Stdio::null()).spawn().expect("starts");
        std::thread::sleep(whole * eighth / 8);
        let _ = child.kill();
        let _ = child.wait();
        let (ok, log) = build(&dir, &out);
        assert!(ok, "the build after a kill at {eighth}/8 failed: {log}");
        let (got, want) = (tree(&out), tree(&reference));
        let differ: Vec<&String> =
            got.keys().chain(want.keys()).filter(|k| got.get(*k) != want.get(*k)).collect();
        assert!(differ.is_empty(), "killed at {eighth}/8, then built: not what one build makes: {differ:?}");
    }
}
