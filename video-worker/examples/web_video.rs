//! Makes the web MP4 and the poster of one video the way the worker does (probe in Rust, plan,
//! ffmpeg for each output) and prints what it found and made, as JSON:
//!
//!   SHOEBOX_FFMPEG=… cargo run --release -p video-worker --example web_video -- IN OUT_DIR
//!
//! `scripts/bench-video` times it against one ffmpeg command making the same outputs.

use std::path::PathBuf;
use std::time::Duration;
use video_worker::{plan, probe, Ffmpeg};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let (Some(input), Some(out)) = (args.next().map(PathBuf::from), args.next().map(PathBuf::from)) else {
        return Err("usage: web_video IN OUT_DIR".into());
    };
    std::fs::create_dir_all(&out)?;
    let info = probe(std::fs::File::open(&input)?)?;
    let plan = plan(&info)?;
    let ffmpeg = Ffmpeg::locate(Duration::from_secs(900))?;
    let (web, poster) = (out.join("web.mp4"), out.join("poster.jpg"));
    ffmpeg.web_mp4(&input, &web, &plan).await?;
    ffmpeg.poster(&input, &poster, info.duration_ms).await?;
    let made = probe(std::fs::File::open(&web)?)?;
    let summary = serde_json::json!({ "source": info, "plan": plan, "web": made,
        "web_bytes": std::fs::metadata(&web)?.len(), "poster_bytes": std::fs::metadata(&poster)?.len() });
    println!("{summary}");
    Ok(())
}
