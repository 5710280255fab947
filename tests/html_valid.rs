//! Every page `mps` writes is valid HTML, as judged by the W3C Nu HTML checker (npm `vnu-jar`,
//! run with Java): the default site, and another council's site written from the README.
//!
//! `.ci/run` installs Java and the checker. Elsewhere, without them, this test prints why and
//! passes; with `CI=true` it fails instead, so CI always judges the HTML.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use mps::{build, BuildOptions};

fn vnu_jar() -> PathBuf {
    std::env::var_os("MPS_VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/npm/node_modules/vnu-jar/build/dist/vnu.jar"))
}

/// `Some(jar)` when Java and the checker are installed; otherwise prints why and returns `None`
/// (or fails, under CI).
fn checker() -> Option<PathBuf> {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let jar = vnu_jar();
    let java = Command::new("java").arg("-version").output();
    let why = if java.is_err() {
        "no `java` on the PATH"
    } else if !jar.exists() {
        "vnu.jar not found"
    } else {
        return Some(jar);
    };
    let msg = format!(
        "HTML validity test skipped: {why}. Install with `apt-get install default-jre-headless` \
         and `npm install --prefix target/npm vnu-jar`, or run `bash .ci/run`."
    );
    assert!(!in_ci, "{msg}");
    eprintln!("{msg}");
    None
}

fn build_into(root: &Path, out: &Path) {
    build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        drafts: false,
    })
    .unwrap_or_else(|e| panic!("build of {} failed: {e}", root.display()));
}

/// Runs the checker over every `.html` file under `dirs`; returns its messages, one per line.
fn validate(jar: &Path, dirs: &[&Path]) -> Vec<String> {
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .args(dirs)
        .output()
        .expect("java runs");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&out.stdout).lines())
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_page_of_the_default_and_another_councils_site_is_valid_html() {
    let Some(jar) = checker() else { return };
    let dir = tempfile::tempdir().unwrap();
    let default_out = dir.path().join("default");
    build_into(&repo_root(), &default_out);

    let other_root = dir.path().join("other");
    write_files(&other_root, &other_council());
    let other_out = dir.path().join("other-public");
    build_into(&other_root, &other_out);

    // A site in English and Welsh.
    let bilingual = fixture("glanmor");
    let bilingual_out = dir.path().join("bilingual-public");
    build_into(&bilingual.root, &bilingual_out);
    assert!(bilingual_out.join("cy/index.html").is_file());

    let pages = [&default_out, &other_out, &bilingual_out]
        .iter()
        .flat_map(|d| tree(d).into_keys())
        .filter(|k| k.ends_with(".html"))
        .count();
    assert!(
        pages > 20,
        "expected the two sites to have many pages, found {pages}"
    );

    let problems = validate(&jar, &[&default_out, &other_out, &bilingual_out]);
    assert!(
        problems.is_empty(),
        "the Nu HTML checker found {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checker_is_really_judging() {
    // Guards the test above against a checker that passes everything (a wrong flag, a jar that
    // does nothing): a page with a known error must be reported.
    let Some(jar) = checker() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.html"),
        "<!DOCTYPE html><html lang=en><title>x</title><p><div></span></p>",
    )
    .unwrap();
    let problems = validate(&jar, &[dir.path()]);
    assert!(!problems.is_empty(), "an invalid page passed the checker");
}
