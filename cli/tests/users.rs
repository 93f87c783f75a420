//! Edits of the people who may sign in, made at the same time by several `shoebox` processes on
//! one data folder: none is lost (they take turns on a lock file).

mod common;

use std::io::Write as _;
use std::process::Stdio;

#[test]
fn concurrent_users_and_share_edits_all_survive() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let names = ["anna", "ben", "carla", "dmitri", "eve", "farid"];
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            let mut child = common::command()
                .args(["users", "add", name, "--data"])
                .arg(&data)
                .stdin(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts");
            let mut stdin = child.stdin.take().expect("stdin");
            writeln!(stdin, "correct horse battery {name} staple").expect("password");
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("waits");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let listed = common::command().args(["users", "list", "--data"]).arg(&data).output().expect("runs");
    let mut users: Vec<String> = String::from_utf8_lossy(&listed.stdout).lines().map(str::to_owned).collect();
    users.sort();
    assert_eq!(users, names, "every concurrent edit survived");

    // Share links, made at once into the same access settings.
    let albums = tmp.path().join("albums/Rome");
    std::fs::create_dir_all(&albums).expect("mkdir");
    std::fs::copy(common::fixture("Landscape_1.jpg"), albums.join("a.jpg")).expect("copy");
    let built = common::command()
        .arg("build")
        .arg(tmp.path().join("albums"))
        .arg("--out")
        .arg(data.join("site"))
        .output();
    assert!(built.expect("runs").status.success());
    let shares: Vec<_> = names
        .iter()
        .map(|name| {
            common::command()
                .args(["share", "Rome", "--note", name, "--data"])
                .arg(&data)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts")
        })
        .collect();
    for child in shares {
        let out = child.wait_with_output().expect("waits");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let listed = common::command().args(["share", "list", "--data"]).arg(&data).output().expect("runs");
    let mut notes: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| l.rsplit('\t').next().map(str::to_owned))
        .collect();
    notes.sort();
    assert_eq!(notes, names, "every link made at the same time is kept");
}
