//! `shoebox resize` on local files: a manifest per photo on stdout, one clear line per refused
//! file on stderr, the same limits as the worker.

mod common;

use common::{fixture, shoebox};
use std::ffi::OsStr;
use std::path::Path;

fn resize(files: &[&Path], out: &Path, extra: &[&str]) -> (bool, String, String) {
    let args = [OsStr::new("resize")]
        .into_iter()
        .chain(files.iter().map(|f| f.as_os_str()))
        .chain([OsStr::new("--out"), out.as_os_str()])
        .chain(extra.iter().map(OsStr::new));
    let output = shoebox(args);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn resizes_photos_and_refuses_big_files_and_other_names_with_a_reason() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let album = tmp.path().join("Album");
    std::fs::create_dir_all(&album).expect("mkdir");
    let photo = album.join("one.jpg");
    std::fs::copy(fixture("Landscape_1.jpg"), &photo).expect("copy");
    let size = std::fs::metadata(&photo).expect("stat").len();
    let notes = album.join("notes.txt");
    std::fs::write(&notes, "not a photo").expect("write");
    let out = tmp.path().join("out");

    let (ok, stdout, stderr) = resize(&[&photo], &out, &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("\"source_key\":\"Album/one.jpg\""), "{stdout}");

    // One byte under the file's size: refused before reading, with both numbers.
    let limit = (size - 1).to_string();
    let (ok, stdout, stderr) = resize(&[&photo, &notes], &out, &["--max-source-bytes", &limit]);
    assert!(!ok, "a refused file fails the command");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains(&format!("{size} bytes is over the limit of {limit} bytes")), "{stderr}");
    // The message lists every photo extension the worker accepts.
    assert!(stderr.contains("notes.txt: not a photo file name (expected one of .jpg,"), "{stderr}");
    assert!(stderr.contains(".avif") && stderr.contains(".mpo"), "{stderr}");
}
