//! Installs the browser code the site embeds (PhotoSwipe, ThumbHash) from the npm registry,
//! pinned by `web/package-lock.json`, into `OUT_DIR` with `npm ci`. Nothing third-party is kept
//! in the repository; `src/assets.rs` embeds the installed files as content-hashed assets.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = manifest_dir.join("web");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("web");
    for file in ["package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed=web/{file}");
    }
    fs::create_dir_all(&out).expect("create OUT_DIR/web");
    let lock =
        fs::read(web.join("package-lock.json")).expect("site-builder/web/package-lock.json is readable");
    let installed = out.join("node_modules/.package-lock.json");
    // npm ci only when the lockfile changed since the last install into this OUT_DIR.
    let stamp = out.join("installed-lock.json");
    if installed.exists() && fs::read(&stamp).is_ok_and(|s| s == lock) {
        return;
    }
    for file in ["package.json", "package-lock.json"] {
        fs::copy(web.join(file), out.join(file)).expect("copy npm manifest into OUT_DIR");
    }
    npm_ci(&out);
    fs::write(&stamp, &lock).expect("write install stamp");
}

fn npm_ci(dir: &Path) {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm ci` in {} failed ({s}): the site builder embeds PhotoSwipe and ThumbHash from the npm \
             registry, pinned by site-builder/web/package-lock.json; check network access to the registry",
            dir.display()
        ),
        Err(e) => panic!(
            "could not run `npm` ({e}): building the site builder needs Node.js with npm (18 or newer) to \
             install PhotoSwipe and ThumbHash from site-builder/web/package-lock.json"
        ),
    }
}
