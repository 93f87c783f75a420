//! How long `shoebox serve` takes to show a new photo, as the library grows: libraries of small
//! photos (100 to an album), one new 12 MP photo copied into an album, the time until the album's
//! page lists it, and the bytes the update wrote besides the photo's own files. Then one album
//! of `--album N` photos (default 10,000): its page, its data file and what one new photo
//! rewrites. Run by `./scripts/bench-serve [N…] [--album N]` (default 1000 20000 100000);
//! results in docs/performance.md.
//!
//! The library is a few small sample JPEGs hard-linked N times in turn (each link is its own
//! photo to the pipeline: resized, listed, given a page; a file takes at most 65,000 links), so
//! a 100,000-photo library is built in minutes.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PER_ALBUM: usize = 100;
const TRIALS: usize = 5;

fn shoebox() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shoebox"))
}

fn album_name(i: usize) -> String {
    format!("Album {i:04}")
}

/// A library of `n` photos in albums of [`PER_ALBUM`], links to `smalls` in turn.
fn library(albums: &Path, smalls: &[PathBuf], n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let album = albums.join(album_name(i / PER_ALBUM));
        if i % PER_ALBUM == 0 {
            std::fs::create_dir_all(&album)?;
        }
        std::fs::hard_link(&smalls[i % smalls.len()], album.join(format!("IMG_{i:06}.jpg")))?;
    }
    Ok(())
}

/// `shoebox serve` on `albums`, returned once it listens (its start-up build done).
fn serve(albums: &Path, data: &Path) -> Child {
    let mut child = shoebox()
        .args(["serve", "--port", "0", "--data"])
        .arg(data)
        .arg(albums)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines.next().expect("serve prints its address").expect("reads");
        if line.starts_with("Shoebox: http://") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {}); // keep its stdout drained
    child
}

/// Seconds from copying `photo` into `album` until `page` lists it.
fn latency(photo: &Path, album: &Path, name: &str, page: &Path) -> f64 {
    let start = Instant::now();
    std::fs::copy(photo, album.join(format!("{name}.jpg"))).expect("copies");
    let deadline = start + Duration::from_secs(120);
    loop {
        if std::fs::read_to_string(page).is_ok_and(|html| html.contains(name)) {
            return start.elapsed().as_secs_f64();
        }
        assert!(Instant::now() < deadline, "{name} never appeared on {}", page.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Bytes of the files under `root` written since `since`, leaving out the new photo's own files
/// (its derivatives and manifest, which any design writes): what the site's update rewrote.
fn written_since(root: &Path, since: std::time::SystemTime, name: &str) -> (u64, Vec<(String, u64)>) {
    let mut total = 0;
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                if !path.to_string_lossy().contains(name) {
                    stack.push(path);
                }
            } else if meta.modified().is_ok_and(|m| m >= since) && !path.to_string_lossy().contains(name) {
                total += meta.len();
                files.push((path.strip_prefix(root).unwrap_or(&path).display().to_string(), meta.len()));
            }
        }
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.1));
    (total, files)
}

/// One update's bytes: copies one more photo, waits until it is listed and the update is over.
fn one_update(big: &Path, album: &Path, page: &Path, site: &Path) -> (f64, u64, Vec<(String, u64)>) {
    let since = std::time::SystemTime::now() - Duration::from_millis(10);
    let seconds = latency(big, album, "counted-photo", page);
    std::thread::sleep(Duration::from_secs(2)); // the summary and parents come after the page
    let (bytes, files) = written_since(site, since, "counted-photo");
    (seconds, bytes, files)
}

/// A `shoebox users add` so serve starts.
fn add_user(data: &Path) {
    let mut add = shoebox()
        .args(["users", "add", "bench", "--allow-weak", "--data"])
        .arg(data)
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("users add");
    writeln!(add.stdin.take().expect("stdin"), "bench-password").expect("password");
    assert!(add.wait().expect("waits").success());
}

/// `shoebox build`, timed.
fn first_build(albums: &Path, data: &Path) -> f64 {
    let start = Instant::now();
    let built =
        shoebox().arg("build").arg(albums).arg("--out").arg(data.join("site")).output().expect("builds");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    start.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut sizes = Vec::new();
    let mut big_album = 10_000;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--album" => big_album = it.next().and_then(|n| n.parse().ok()).expect("--album N"),
            n => sizes.extend(n.parse::<usize>().ok()),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 20_000, 100_000];
    }
    let root = tempfile::tempdir().expect("tempdir");
    let smalls: Vec<PathBuf> = (0..8)
        .map(|seed| {
            let small = root.path().join(format!("small-{seed}.jpg"));
            std::fs::write(&small, samples::sample_jpeg(320, 240, seed, None).expect("encodes"))
                .expect("writes");
            small
        })
        .collect();
    let big = root.path().join("big.jpg");
    std::fs::write(&big, samples::sample_jpeg(4000, 3000, 2, None).expect("encodes")).expect("writes");
    println!("| photos in the library | first build | new 12 MP photo → on its page (median of {TRIALS}; min–max) | bytes the update rewrote |");
    println!("|---:|---:|---:|---:|");
    for n in sizes {
        let work = root.path().join(format!("n{n}"));
        let (albums, data) = (work.join("albums"), work.join("data"));
        library(&albums, &smalls, n).expect("library");
        add_user(&data);
        let first = first_build(&albums, &data);
        let mut server = serve(&albums, &data);
        let album = albums.join(album_name(0));
        let page: PathBuf = data.join("site/web").join(album_name(0)).join("index.html");
        let mut times: Vec<f64> =
            (0..TRIALS).map(|t| latency(&big, &album, &format!("new-photo-{t}"), &page)).collect();
        let (_, bytes, _) = one_update(&big, &album, &page, &data.join("site"));
        server.kill().expect("stops");
        let _ = server.wait();
        times.sort_by(f64::total_cmp);
        println!(
            "| {n} | {first:.0} s | **{:.2} s** ({:.2}–{:.2}) | {} KB |",
            times[TRIALS / 2],
            times[0],
            times[TRIALS - 1],
            bytes / 1000
        );
        std::fs::remove_dir_all(&work).expect("cleans up");
    }

    // One big album: what one new photo costs in bytes rewritten.
    let work = root.path().join("album");
    let (albums, data) = (work.join("albums"), work.join("data"));
    let album = albums.join("Phone dump");
    std::fs::create_dir_all(&album).expect("mkdir");
    for i in 0..big_album {
        std::fs::hard_link(&smalls[i % smalls.len()], album.join(format!("IMG_{i:06}.jpg"))).expect("link");
    }
    add_user(&data);
    first_build(&albums, &data);
    let page = data.join("site/web/Phone dump/index.html");
    let page_bytes = std::fs::metadata(&page).map(|m| m.len()).unwrap_or(0);
    let mut server = serve(&albums, &data);
    let (seconds, bytes, files) = one_update(&big, &album, &page, &data.join("site"));
    server.kill().expect("stops");
    let _ = server.wait();
    println!();
    println!("One album of {big_album} photos: page {} KB; one new photo on its page in {seconds:.2} s, rewriting {} KB:", page_bytes / 1000, bytes / 1000);
    for (file, size) in files.iter().take(8) {
        println!("- `{file}`: {} KB", size / 1000);
    }
}
