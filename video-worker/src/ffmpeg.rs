//! Running ffmpeg for a [`Plan`]: the web MP4 and the poster frame. The arguments are built by
//! plain functions (unit-tested); [`Ffmpeg::run`] starts the binary with no input, keeps the end of
//! what it says, and kills it when it runs past its time, so one bad clip cannot hold a worker.

use crate::plan::{Plan, WebVideo};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable that names the ffmpeg binary (else `ffmpeg` on `PATH`).
pub const FFMPEG_ENV: &str = "SHOEBOX_FFMPEG";
/// The x264 preset and quality of the web copy (Immich's defaults: CRF 23).
const PRESET: &str = "veryfast";
const CRF: &str = "23";
/// How much of ffmpeg's error output is kept for the message.
const STDERR_TAIL: usize = 600;

/// Why ffmpeg could not do its part.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FfmpegError {
    /// No ffmpeg to run.
    #[error("ffmpeg not found: set {FFMPEG_ENV} to its path or put it on PATH ({0})")]
    NotFound(String),
    /// Starting or waiting for it failed.
    #[error("running ffmpeg failed: {0}")]
    Io(#[from] std::io::Error),
    /// It ran past its time and was killed.
    #[error("ffmpeg took longer than {0:?} and was stopped")]
    TimedOut(Duration),
    /// It exited with an error.
    #[error("ffmpeg failed ({status}): {stderr}")]
    Failed {
        /// Its exit status.
        status: String,
        /// The end of what it printed.
        stderr: String,
    },
}

/// An ffmpeg binary and how long one run may take.
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    /// The binary.
    pub path: PathBuf,
    /// Longest run before it is killed.
    pub timeout: Duration,
}

impl Ffmpeg {
    /// The ffmpeg named by [`FFMPEG_ENV`], else the first `ffmpeg` on `PATH`.
    pub fn locate(timeout: Duration) -> Result<Self, FfmpegError> {
        if let Some(path) = std::env::var_os(FFMPEG_ENV).filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            if !path.is_file() {
                return Err(FfmpegError::NotFound(format!("{FFMPEG_ENV}={} is not a file", path.display())));
            }
            return Ok(Self { path, timeout });
        }
        let path = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|dir| dir.join("ffmpeg"))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| FfmpegError::NotFound("none on PATH".into()))?;
        Ok(Self { path, timeout })
    }

    /// Makes the web MP4 of `input` at `output` as `plan` says.
    pub async fn web_mp4(&self, input: &Path, output: &Path, plan: &Plan) -> Result<(), FfmpegError> {
        self.run(web_mp4_args(input, output, plan)).await
    }

    /// Writes a poster frame of `input` (upright, full size) as a JPEG at `output`: the most
    /// representative of 30 frames from a third of the way in (at most 1 s), not a black first
    /// frame.
    pub async fn poster(&self, input: &Path, output: &Path, duration_ms: u64) -> Result<(), FfmpegError> {
        self.run(poster_args(input, output, duration_ms)).await
    }

    /// Runs ffmpeg with `args`, killed after [`Ffmpeg::timeout`].
    pub async fn run(&self, args: Vec<OsString>) -> Result<(), FfmpegError> {
        let child = tokio::process::Command::new(&self.path)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| FfmpegError::TimedOut(self.timeout))??;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let start = stderr.len().saturating_sub(STDERR_TAIL);
        let start = (start..stderr.len()).find(|&i| stderr.is_char_boundary(i)).unwrap_or(stderr.len());
        Err(FfmpegError::Failed {
            status: output.status.to_string(),
            stderr: stderr[start..].trim().to_owned(),
        })
    }
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// The arguments that make the web MP4: only the first video and audio streams, no metadata
/// (a phone's GPS stays out of the web copy), `moov` first.
pub fn web_mp4_args(input: &Path, output: &Path, plan: &Plan) -> Vec<OsString> {
    let mut out = args(&["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i"]);
    out.push(input.into());
    out.extend(args(&["-map", "0:v:0", "-map", "0:a:0?", "-map_metadata", "-1", "-sn", "-dn"]));
    match plan {
        Plan::Remux => out.extend(args(&["-c", "copy"])),
        Plan::Transcode(web) => out.extend(transcode_args(web)),
    }
    out.extend(args(&["-movflags", "+faststart", "-f", "mp4"]));
    out.push(output.into());
    out
}

/// Video and audio encoding of a transcode. ffmpeg turns the picture upright before the filters
/// (its `autorotate`), so the sizes are the displayed ones and no rotation is left in the output.
fn transcode_args(web: &WebVideo) -> Vec<OsString> {
    let (w, h) = (web.width, web.height);
    let filter = if web.tone_map {
        // PQ/HLG → linear light → BT.709 primaries → Hable tone curve → BT.709 8-bit 4:2:0.
        format!(
            "zscale=w={w}:h={h}:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,\
             tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
        )
    } else {
        format!("scale={w}:{h}:flags=bicubic,format=yuv420p")
    };
    let mut out = args(&["-vf", &filter, "-c:v", "libx264", "-preset", PRESET, "-crf", CRF]);
    out.extend(args(&["-profile:v", "high", "-color_primaries", "bt709", "-color_trc", "bt709"]));
    out.extend(args(&["-colorspace", "bt709"]));
    out.extend(match (web.audio, web.copy_audio) {
        (false, _) => args(&["-an"]),
        (true, true) => args(&["-c:a", "copy"]),
        (true, false) => args(&["-c:a", "aac", "-b:a", "128k"]),
    });
    out
}

/// The arguments that write the poster frame.
pub fn poster_args(input: &Path, output: &Path, duration_ms: u64) -> Vec<OsString> {
    let at_ms = (duration_ms / 3).min(1_000);
    let mut out = args(&["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-ss"]);
    out.push(format!("{}.{:03}", at_ms / 1000, at_ms % 1000).into());
    out.push("-i".into());
    out.push(input.into());
    out.extend(args(&[
        "-map",
        "0:v:0",
        "-vf",
        "thumbnail=n=30",
        "-frames:v",
        "1",
        "-q:v",
        "2",
        "-f",
        "image2",
    ]));
    out.push(output.into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(args: &[OsString]) -> String {
        args.iter().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_remux_copies_and_a_transcode_encodes_h264_with_aac() {
        let (i, o) = (Path::new("in.mov"), Path::new("out.mp4"));
        let remux = joined(&web_mp4_args(i, o, &Plan::Remux));
        assert!(
            remux.contains("-c copy") && remux.ends_with("-movflags +faststart -f mp4 out.mp4"),
            "{remux}"
        );
        let web = WebVideo { width: 1080, height: 1920, tone_map: true, copy_audio: false, audio: true };
        let transcode = joined(&web_mp4_args(i, o, &Plan::Transcode(web)));
        for part in
            ["-c:v libx264", "-crf 23", "zscale=w=1080:h=1920", "tonemap=", "format=yuv420p", "-c:a aac"]
        {
            assert!(transcode.contains(part), "{part} in {transcode}");
        }
        let silent = WebVideo { width: 640, height: 360, tone_map: false, copy_audio: false, audio: false };
        let silent = joined(&web_mp4_args(i, o, &Plan::Transcode(silent)));
        assert!(silent.contains("scale=640:360") && silent.contains("-an") && !silent.contains("tonemap"));
    }

    #[test]
    fn the_poster_comes_from_a_third_of_the_way_in_at_most_a_second() {
        let at = |ms| joined(&poster_args(Path::new("v"), Path::new("p.jpg"), ms));
        assert!(at(900).contains("-ss 0.300 "), "{}", at(900));
        assert!(at(60_000).contains("-ss 1.000 "));
        assert!(at(0).contains("-ss 0.000 "));
    }
}
