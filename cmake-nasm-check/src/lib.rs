//! Nothing to link: this crate's build script stops the build early, with one clear sentence,
//! when `cmake` or `nasm` is missing (see `build.rs`). The resize worker depends on it beside
//! turbojpeg-sys, which needs both to build libjpeg-turbo.
