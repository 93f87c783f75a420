//! `shoebox demo`: sample albums, a login printed on the terminal, the gallery behind the local
//! gate at http://127.0.0.1:8080. Everything lives in one folder (default: the system's temp
//! folder + `shoebox-demo`), laid out as `shoebox serve`'s data folder: a second run reuses the
//! photos, the build and the signing key, and `shoebox users|share --data DIR` work on a running
//! demo as on `serve` (it follows its users and share links the same way).

use crate::build::{build, output_stores, SiteOptions};
use crate::gate::Gate;
use crate::live::{serve_following, AuthFiles};
use crate::{local, users};
use anyhow::Context as _;
use samples::{sample_jpeg, SampleExif};
use shared::LocalStore;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `shoebox demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Where the sample albums, the built site and the signing key live.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// One sample album: folder, `album.yml` (empty for none), photo sizes (width, height).
type SampleAlbum = (&'static str, &'static str, &'static [(u32, u32)]);

/// The sample albums.
const ALBUMS: [SampleAlbum; 4] = [
    (
        "Coast",
        "title: Along the coast\ndescription: Six frames from a *windy* week by the sea.\ncaptions:\n  IMG_0001.jpg: First light\n",
        &[(2400, 1600), (1600, 2400), (2400, 1600), (3000, 1200), (1800, 1800), (2400, 1600)],
    ),
    ("Mountains/Alps", "title: The Alps\nsort: date desc\n", &[(2400, 1600), (2400, 1600), (1600, 2400), (2400, 1600)]),
    ("Mountains/Tatra", "", &[(1600, 2400), (2400, 1600), (2400, 1600)]),
    ("City at night", "description: Long exposures, tripod, no flash.\n", &[(2400, 1600), (1800, 1800), (1600, 2400), (2400, 1600), (3000, 1200)]),
];

const USER: &str = "demo";
const TITLE: &str = "Shoebox demo";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = args.dir.unwrap_or_else(|| std::env::temp_dir().join("shoebox-demo"));
    let albums = dir.join("albums");
    let out = dir.join("site");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if !albums.exists() {
        write_samples(&albums)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
        let options = SiteOptions { title: TITLE.into(), theme: None, originals: true };
        let code = build(albums.clone(), out.clone(), options, jobs).await?;
        anyhow::ensure!(code == ExitCode::SUCCESS, "the sample photos did not all build");

        let password = password()?;
        set_demo_user(&dir, &password)?;
        let files = Arc::new(AuthFiles::new(&dir, TITLE));
        let (resized, web) = output_stores(&out);
        let gate = Gate::new(files.load()?, web, resized, Some(LocalStore::new(&albums)));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
        let address = listener.local_addr()?;
        println!("Shoebox demo: http://{address}/");
        println!("  user:     {USER}");
        println!("  password: {password}");
        println!("  photos:   {} (add folders of photos and run the demo again)", albums.display());
        println!(
            "  share:    shoebox share \"Mountains/Alps\" --data {} --url http://{address}/",
            dir.display()
        );
        println!("Ctrl-C stops it.");
        serve_following(gate, files, listener).await.context("serving")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Gives the demo user a new password in the demo folder's users file, keeping anyone added
/// with `shoebox users add --data DIR`.
fn set_demo_user(dir: &Path, password: &str) -> anyhow::Result<()> {
    let file = local::users_file(dir);
    let text = local::read_optional(&file)?;
    let line = format!("{USER}:{}", local::bcrypt_hash(password, local::BCRYPT_COST)?);
    local::write_private(&file, users::edit(&text, USER, Some(&line)).0.as_bytes())
}

fn write_samples(albums: &Path) -> anyhow::Result<()> {
    eprintln!("shoebox: making sample photos in {}", albums.display());
    let staging = albums.with_extension("partial");
    let _ = std::fs::remove_dir_all(&staging);
    let mut seed = 1u64;
    for (album, yml, photos) in ALBUMS {
        let folder = staging.join(album);
        std::fs::create_dir_all(&folder)?;
        if !yml.is_empty() {
            std::fs::write(folder.join("album.yml"), yml)?;
        }
        for (i, (w, h)) in photos.iter().enumerate() {
            let exif = SampleExif {
                make: "Shoebox".into(),
                model: "Sample Camera".into(),
                taken: format!("2024:{:02}:{:02} {:02}:15:00", 3 + seed % 6, 1 + i * 3, 8 + i),
                exposure: (1, [60, 125, 250, 500][i % 4]),
                f_number_tenths: [28, 40, 56, 80][i % 4],
                iso: [100, 200, 400, 800][i % 4],
                ..SampleExif::default()
            };
            let jpeg = sample_jpeg(*w, *h, seed, Some(&exif))?;
            std::fs::write(folder.join(format!("IMG_{:04}.jpg", i + 1)), jpeg)?;
            seed += 1;
        }
    }
    // Appears whole or not at all, so an interrupted first run starts over.
    std::fs::rename(&staging, albums)?;
    Ok(())
}

/// A fresh password each run: 12 letters and digits, without look-alikes (the alphabet has 50
/// characters, so a byte modulo 50 is close enough to uniform for a demo).
fn password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
    Ok(local::random::<12>()?.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect())
}
