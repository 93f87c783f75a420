//! How long `shoebox serve` takes to show a new photo, as the library grows: libraries of small
//! photos (100 to an album), one new 12 MP photo copied into an album, the time until the album's
//! page lists it. Run by `./scripts/bench-serve [N…]` (default 1000 20000 100000); results in
//! docs/performance.md.
//!
//! The library is one small sample JPEG hard-linked N times (each link is its own photo to the
//! pipeline: resized, listed, given a page), so a 100,000-photo library is built in minutes.

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

/// A library of `n` photos in albums of [`PER_ALBUM`], all links to `small`.
fn library(albums: &Path, small: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let album = albums.join(album_name(i / PER_ALBUM));
        if i % PER_ALBUM == 0 {
            std::fs::create_dir_all(&album)?;
        }
        std::fs::hard_link(small, album.join(format!("IMG_{i:06}.jpg")))?;
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

fn main() {
    let sizes: Vec<usize> =
        std::env::args().skip(1).filter(|a| !a.starts_with('-')).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 20_000, 100_000] } else { sizes };
    let root = tempfile::tempdir().expect("tempdir");
    let small = root.path().join("small.jpg");
    std::fs::write(&small, samples::sample_jpeg(320, 240, 1, None).expect("encodes")).expect("writes");
    let big = root.path().join("big.jpg");
    std::fs::write(&big, samples::sample_jpeg(4000, 3000, 2, None).expect("encodes")).expect("writes");
    println!("| photos in the library | first build | new 12 MP photo → on its page (median of {TRIALS}; min–max) |");
    println!("|---:|---:|---:|");
    for n in sizes {
        let work = root.path().join(format!("n{n}"));
        let (albums, data) = (work.join("albums"), work.join("data"));
        library(&albums, &small, n).expect("library");
        let mut add = shoebox()
            .args(["users", "add", "bench", "--allow-weak", "--data"])
            .arg(&data)
            .stdin(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("users add");
        writeln!(add.stdin.take().expect("stdin"), "bench-password").expect("password");
        assert!(add.wait().expect("waits").success());
        let start = Instant::now();
        let built =
            shoebox().arg("build").arg(&albums).arg("--out").arg(data.join("site")).output().expect("builds");
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let first = start.elapsed().as_secs_f64();
        let mut server = serve(&albums, &data);
        let album = albums.join(album_name(0));
        let page: PathBuf = data.join("site/web").join(album_name(0)).join("index.html");
        let mut times: Vec<f64> =
            (0..TRIALS).map(|t| latency(&big, &album, &format!("new-photo-{t}"), &page)).collect();
        server.kill().expect("stops");
        let _ = server.wait();
        times.sort_by(f64::total_cmp);
        println!(
            "| {n} | {first:.0} s | **{:.2} s** ({:.2}–{:.2}) |",
            times[TRIALS / 2],
            times[0],
            times[TRIALS - 1]
        );
        std::fs::remove_dir_all(&work).expect("cleans up");
    }
}
