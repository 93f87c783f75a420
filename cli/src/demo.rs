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
use samples::{apple_maker_note, sample_jpeg, SampleExif};
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

/// The album of clips, made with ffmpeg when there is one.
const CLIPS: &str = "Moving pictures";
/// The Live-Photo-like pair's content identifier (the still's MakerNote, the clip's metadata).
const LIVE_ID: &str = "5D2F1C3B-0A9E-4E8B-9C61-7F2B0D4A1E55";

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
    write_clips(&staging.join(CLIPS), seed)?;
    // Appears whole or not at all, so an interrupted first run starts over.
    std::fs::rename(&staging, albums)?;
    Ok(())
}

/// Short generated clips: a web-ready H.264 MP4 (copied as it is), a portrait 10-bit HEVC MOV
/// like a phone's (encoded for the web) and a Live-Photo-like still and clip with one content
/// identifier. Without ffmpeg the demo has photos only, and says so.
fn write_clips(folder: &Path, seed: u64) -> anyhow::Result<()> {
    let Ok(ffmpeg) = video_worker::Ffmpeg::locate(std::time::Duration::from_secs(120)) else {
        eprintln!("shoebox: no ffmpeg (set SHOEBOX_FFMPEG or put it on PATH), so the demo has no clips");
        return Ok(());
    };
    std::fs::create_dir_all(folder)?;
    std::fs::write(folder.join("album.yml"), "description: Clips and a Live Photo (hover it).\n")?;
    let id_tag = format!("com.apple.quicktime.content.identifier={LIVE_ID}");
    let clips: [(&str, Vec<&str>); 3] = [
        (
            "Waves.mp4",
            vec![
                "-f",
                "lavfi",
                "-i",
                "gradients=s=640x360:r=30:d=4:speed=0.03",
                "-f",
                "lavfi",
                "-i",
                "sine=f=220:d=4",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
                "-movflags",
                "+faststart",
            ],
        ),
        (
            "Harbour.MOV",
            vec![
                "-f",
                "lavfi",
                "-i",
                "cellauto=s=360x640:r=30:rule=110",
                "-t",
                "3",
                "-c:v",
                "libx265",
                "-x265-params",
                "log-level=error",
                "-pix_fmt",
                "yuv420p10le",
                "-tag:v",
                "hvc1",
            ],
        ),
        (
            "IMG_0100.MOV",
            vec![
                "-f",
                "lavfi",
                "-i",
                "life=s=480x320:r=30:mold=10:ratio=0.3",
                "-t",
                "2.5",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "use_metadata_tags",
                "-metadata",
                &id_tag,
            ],
        ),
    ];
    for (name, args) in clips {
        let status = std::process::Command::new(&ffmpeg.path)
            .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
            .args(args)
            .arg(folder.join(name))
            .status()
            .with_context(|| format!("running {}", ffmpeg.path.display()))?;
        anyhow::ensure!(status.success(), "ffmpeg could not make the sample clip {name}");
    }
    let exif = SampleExif {
        make: "Apple".into(),
        model: "iPhone (sample)".into(),
        taken: "2024:06:01 18:30:00".into(),
        maker_note: apple_maker_note(format!("{LIVE_ID}\0").as_bytes()),
        ..SampleExif::default()
    };
    std::fs::write(folder.join("IMG_0100.jpg"), sample_jpeg(1800, 1200, seed, Some(&exif))?)?;
    Ok(())
}

/// A fresh password each run: 12 letters and digits, without look-alikes (the alphabet has 50
/// characters, so a byte modulo 50 is close enough to uniform for a demo).
fn password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
    Ok(local::random::<12>()?.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect())
}
