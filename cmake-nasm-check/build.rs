//! Checks that the tools libjpeg-turbo's build needs are installed, before anything else is built.

use std::process::Command;

fn runs(tool: &str, flag: &str) -> bool {
    Command::new(tool).arg(flag).output().is_ok_and(|out| out.status.success())
}

fn main() {
    println!("cargo:rerun-if-env-changed=TURBOJPEG_SOURCE");
    // turbojpeg-sys builds libjpeg-turbo from source unless told to use an installed one.
    if std::env::var("TURBOJPEG_SOURCE").is_ok_and(|s| !s.eq_ignore_ascii_case("vendor")) {
        return;
    }
    let missing: Vec<&str> = [("cmake", "--version"), ("nasm", "-v")]
        .into_iter()
        .filter(|(t, f)| !runs(t, f))
        .map(|(t, _)| t)
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "\nShoebox builds libjpeg-turbo from source and needs {} on the PATH: install {} \
             (Debian/Ubuntu: sudo apt-get install cmake nasm; Fedora: sudo dnf install cmake nasm; \
             macOS: brew install cmake nasm; Windows: winget install Kitware.CMake NASM.NASM), then build again.\n",
            missing.join(" and "),
            if missing.len() == 1 { "it" } else { "them" }
        );
        std::process::exit(1);
    }
}
