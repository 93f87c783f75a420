//! What the `shoebox` command tests share: the shared fixture photos and running the binary.
// Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A photo from `../shared/fixtures/exif-orientation` (real photos, MIT licensed).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-orientation").join(name)
}

/// Runs the built `shoebox` binary with `args` and waits for it.
pub fn shoebox<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    command().args(args).output().expect("runs")
}

/// The built `shoebox` binary, to be given arguments and environment.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shoebox"))
}
