//! Writing the output folder safely: everything goes to a staging folder beside it, which is
//! swapped in only when the whole build succeeded. A failed build leaves the previous output
//! untouched; a folder `mps` did not make, or that holds files `mps` did not write, is never
//! replaced.
//!
//! The output a build replaces is kept beside the new one as `.<name>.mps-previous` (for
//! `public/`, `.public.mps-previous/`), and the next build starts from it instead of an empty
//! folder: it rewrites only the files whose bytes changed, removes the ones the site no longer
//! has, and swaps. Most files of a rebuild are then neither created nor deleted, which is most
//! of the work of writing a site. The kept folder is reused only when it holds nothing but the
//! files its manifest lists (no links, no files of anyone else's); otherwise it is left alone
//! and the build starts from an empty folder.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use crate::error::{Error, Result};

/// Lists every file of a build, so the next build knows what it may replace.
pub const MANIFEST: &str = ".mps-manifest";
const MANIFEST_HEADER: &str =
    "# Written by mps. This folder is rebuilt by `mps build`; files not listed here stop it.\n";

/// A build's output while it is being written.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    /// Where the output this build replaces is kept for the next build.
    previous: PathBuf,
    written: Mutex<BTreeSet<String>>,
    /// Whether anything in the staging folder differs from the previous output it started
    /// from: until then, a build that fails can hand that output back as it was.
    changed: AtomicBool,
    /// Folders (relative, `/`-separated) known to exist in `dir`.
    dirs: Mutex<HashSet<String>>,
    /// Finding out, on another thread while the site loads, whether the previous output can be
    /// reused; its answer, once known.
    pending: Mutex<Option<JoinHandle<Start>>>,
    start: OnceLock<Start>,
    committed: bool,
}

/// What a staging folder holds when the build starts writing.
#[derive(Debug, Default)]
struct Start {
    /// Files (relative, `/`-separated) of the reused previous output; empty for a fresh folder.
    files: HashSet<String>,
    /// Its folders.
    dirs: HashSet<String>,
}

/// Makes a path absolute without requiring it to exist.
fn absolute(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path).map_err(|e| Error::io("could not resolve", path, e))?;
    // Resolve symlinks in the part that exists, so that comparisons below are honest.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    Ok(out)
}

/// Refuses output folders that would put the site's own files at risk.
pub fn check_target(target: &Path, root: &Path) -> Result<PathBuf> {
    let target = absolute(target)?;
    let root = absolute(root)?;
    let refuse = |reason: &str| {
        Err(Error::UnsafeOutput {
            path: target.clone(),
            reason: reason.to_string(),
        })
    };
    if target == root {
        return refuse("it is the site folder itself");
    }
    if root.starts_with(&target) {
        return refuse("it contains the site folder");
    }
    if target.join("content").exists() || target.join("site.yaml").exists() {
        return refuse("it holds a site (content/ or site.yaml)");
    }
    for own in ["content", "themes", "templates", "static"] {
        if target.starts_with(root.join(own)) {
            return refuse(&format!("it is inside the site's {own}/ folder"));
        }
    }
    if target.exists() && !target.is_dir() {
        return refuse("it is a file, not a folder");
    }
    Ok(target)
}

/// The files the manifest in `dir` lists, if it has one written by mps.
fn read_manifest(dir: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("could not read", dir.join(MANIFEST), e)),
    }
}

fn listed(manifest: &str) -> HashSet<&str> {
    manifest.lines().filter(|l| !l.starts_with('#')).collect()
}

/// What a walk found at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    /// A link, or anything else that is not a plain file or folder. Links are not followed.
    Other,
}

/// Everything under `dir` (not `dir` itself), as `/`-separated relative paths, in no particular
/// order. With `parallel`, folders are read on rayon's threads: an output has a folder per page,
/// and reading them one by one was most of the time spent checking an output before and after a
/// build. Never parallel from a thread that rayon's threads may wait for (see [`claim`]).
fn walk(dir: &Path, parallel: bool) -> std::io::Result<Vec<(String, Kind)>> {
    fn read(dir: &Path, prefix: &str, parallel: bool) -> std::io::Result<Vec<(String, Kind)>> {
        use rayon::prelude::*;
        let mut found = Vec::new();
        let mut subdirs = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let rel = format!("{prefix}{}", name.to_string_lossy());
            let kind = entry.file_type()?;
            let kind = if kind.is_dir() {
                subdirs.push((entry.path(), format!("{rel}/")));
                Kind::Dir
            } else if kind.is_file() {
                Kind::File
            } else {
                Kind::Other
            };
            found.push((rel, kind));
        }
        let below: Vec<std::io::Result<Vec<(String, Kind)>>> = if parallel {
            subdirs
                .par_iter()
                .map(|(path, prefix)| read(path, prefix, true))
                .collect()
        } else {
            subdirs
                .iter()
                .map(|(path, prefix)| read(path, prefix, false))
                .collect()
        };
        for b in below {
            found.append(&mut b?);
        }
        Ok(found)
    }
    read(dir, "", parallel)
}

/// Files in `dir` that the manifest of the last build does not list: someone else's. Sorted.
fn foreign_files(dir: &Path) -> Result<Vec<String>> {
    let manifest = read_manifest(dir)?;
    let listed = listed(manifest.as_deref().unwrap_or(""));
    let mut foreign: Vec<String> = walk(dir, true)
        .map_err(|e| Error::io("could not read", dir, e))?
        .into_iter()
        .filter(|(rel, kind)| {
            *kind != Kind::Dir && rel != MANIFEST && !listed.contains(rel.as_str())
        })
        .map(|(rel, _)| rel)
        .collect();
    foreign.sort();
    Ok(foreign)
}

/// The files and folders of a previous output at `dir`, when it can be reused: a real folder
/// holding a manifest written by mps, every file listed in it, and nothing but plain files and
/// folders (a link could lead a write out of the folder).
fn reusable(dir: &Path) -> Option<Start> {
    if !std::fs::symlink_metadata(dir).ok()?.is_dir() {
        return None;
    }
    let manifest = read_manifest(dir).ok()??;
    if !manifest.starts_with(MANIFEST_HEADER) {
        return None;
    }
    let listed = listed(&manifest);
    let mut start = Start::default();
    // Serial: this runs on the claim thread, which writers on rayon's threads wait for.
    for (rel, kind) in walk(dir, false).ok()? {
        match kind {
            Kind::Dir => {
                start.dirs.insert(rel);
            }
            Kind::File if rel == MANIFEST || listed.contains(rel.as_str()) => {
                start.files.insert(rel);
            }
            _ => return None,
        }
    }
    Some(start)
}

/// Takes over the previous output at `previous` as the staging folder `dir` (an empty folder
/// that the rename replaces), when it can be reused.
fn claim(previous: &Path, dir: &Path) -> Start {
    match reusable(previous) {
        // A rename is atomic: of two builds starting at once, one gets the folder.
        Some(start) if std::fs::rename(previous, dir).is_ok() => start,
        _ => Start::default(),
    }
}

/// Removes a file, for replacing it: a new file is made rather than the old one written
/// through, so another name for it (a hard link in a backup) or a reader of the old output keeps
/// the old bytes.
fn remove_old(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("could not replace", path, e)),
    }
}

/// The folders above `rel`, nearest first: `a/b/c.html` -> `a/b`, `a`.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    let mut rest = rel;
    std::iter::from_fn(move || {
        let i = rest.rfind('/')?;
        rest = &rest[..i];
        Some(rest)
    })
}

impl Staging {
    /// Prepares to build into `target` (already checked by [`check_target`]).
    pub fn new(target: PathBuf) -> Result<Staging> {
        if target.is_dir() {
            let foreign = foreign_files(&target)?;
            if !foreign.is_empty() {
                let shown: Vec<_> = foreign.iter().take(5).cloned().collect();
                return Err(Error::UnsafeOutput {
                    path: target,
                    reason: format!(
                        "it holds files mps did not write ({}{}); move them into static/ or choose another --output",
                        shown.join(", "),
                        if foreign.len() > 5 { ", ..." } else { "" }
                    ),
                });
            }
        }
        let parent = target.parent().unwrap_or(Path::new(".")).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::io("could not create", &parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.mps-staging-{}", std::process::id()));
        let previous = parent.join(format!(".{name}.mps-previous"));
        if std::fs::symlink_metadata(&dir).is_ok() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io("could not clear", &dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("could not create", &dir, e))?;
        let pending = {
            let (previous, dir) = (previous.clone(), dir.clone());
            std::thread::Builder::new()
                .name("mps-output".into())
                .spawn(move || claim(&previous, &dir))
                .ok()
        };
        let start = OnceLock::new();
        if pending.is_none() {
            let _ = start.set(Start::default());
        }
        Ok(Staging {
            target,
            dir,
            previous,
            written: Mutex::new(BTreeSet::new()),
            changed: AtomicBool::new(false),
            dirs: Mutex::new(HashSet::new()),
            pending: Mutex::new(pending),
            start,
            committed: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the staging folder held to begin with (waits for [`claim`]).
    fn start(&self) -> &Start {
        self.start.get_or_init(|| {
            let handle = self.pending.lock().ok().and_then(|mut p| p.take());
            let start = handle.and_then(|h| h.join().ok()).unwrap_or_default();
            if let Ok(mut dirs) = self.dirs.lock() {
                dirs.extend(start.dirs.iter().cloned());
            }
            start
        })
    }

    /// Makes way for the file `rel`: creates the folders above it, and removes what is in the
    /// way from the previous output (a file where a folder is now, or the other way round).
    fn prepare(&self, rel: &str, path: &Path) -> Result<()> {
        let start = self.start();
        if start.dirs.contains(rel) {
            std::fs::remove_dir_all(path).map_err(|e| Error::io("could not replace", path, e))?;
        }
        let Some(parent_rel) = ancestors(rel).next() else {
            return Ok(());
        };
        if self.dirs.lock().is_ok_and(|d| d.contains(parent_rel)) {
            return Ok(());
        }
        for up in ancestors(rel) {
            if start.files.contains(up) {
                remove_old(&self.dir.join(up))?;
            }
        }
        let parent = self.dir.join(parent_rel);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io("could not create", &parent, e))?;
        if let Ok(mut dirs) = self.dirs.lock() {
            for up in ancestors(rel) {
                if !dirs.insert(up.to_string()) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Whether `rel` is a file of the previous output that already holds `bytes`; if it holds
    /// something else, it is removed.
    fn unchanged(&self, rel: &str, path: &Path, bytes: &[u8]) -> Result<bool> {
        if !self.start().files.contains(rel) {
            return Ok(false);
        }
        if std::fs::read(path).is_ok_and(|old| old == bytes) {
            return Ok(true);
        }
        self.changed.store(true, Ordering::Relaxed);
        remove_old(path)?;
        Ok(false)
    }

    /// Writes one file of the build. Safe to call from many threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if !self.unchanged(rel, &path, bytes)? {
            self.changed.store(true, Ordering::Relaxed);
            self.prepare(rel, &path)?;
            std::fs::write(&path, bytes).map_err(|e| Error::io("could not write", &path, e))?;
        }
        self.record(rel);
        Ok(())
    }

    /// Copies a file into the build.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let path = self.dir.join(rel);
        if self.start().files.contains(rel) {
            let bytes = std::fs::read(from).map_err(|e| Error::io("could not copy", from, e))?;
            return self.write(rel, &bytes);
        }
        self.changed.store(true, Ordering::Relaxed);
        self.prepare(rel, &path)?;
        std::fs::copy(from, &path).map_err(|e| Error::io("could not copy", from, e))?;
        self.record(rel);
        Ok(())
    }

    fn record(&self, rel: &str) {
        if let Ok(mut w) = self.written.lock() {
            w.insert(rel.to_string());
        }
    }

    /// Removes what the previous output had and this build does not.
    fn remove_stale(&self, written: &BTreeSet<String>) -> Result<()> {
        self.changed.store(true, Ordering::Relaxed);
        let start = self.start();
        let needed: HashSet<&str> = written.iter().flat_map(|w| ancestors(w)).collect();
        for rel in &start.files {
            // A file that became a folder was removed then; one under a folder that became a
            // file went with the folder.
            let gone =
                needed.contains(rel.as_str()) || ancestors(rel).any(|up| written.contains(up));
            if rel != MANIFEST && !written.contains(rel) && !gone {
                remove_old(&self.dir.join(rel))?;
            }
        }
        let mut stale: Vec<&String> = start
            .dirs
            .iter()
            .filter(|d| !needed.contains(d.as_str()) && !written.contains(*d))
            .collect();
        // Deepest first, so that each is empty when it is removed.
        stale.sort_by_key(|d| std::cmp::Reverse(d.len()));
        for rel in stale {
            let path = self.dir.join(rel);
            match std::fs::remove_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("could not remove", &path, e)),
            }
        }
        Ok(())
    }

    /// Swaps the finished build in for the previous output, which is kept for the next build.
    pub fn commit(mut self) -> Result<PathBuf> {
        let written = std::mem::take(&mut *self.written.lock().map_err(|_| {
            Error::io(
                "could not finish",
                &self.dir,
                std::io::Error::other("a writer thread panicked"),
            )
        })?);
        // The output being replaced is checked again at the last moment (someone may have added
        // a file during the build), while the stale files go.
        let (stale, foreign) = rayon::join(
            || self.remove_stale(&written),
            || {
                if self.target.exists() {
                    foreign_files(&self.target).map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        stale?;
        let foreign = foreign?;
        let mut manifest = String::from(MANIFEST_HEADER);
        for f in &written {
            manifest.push_str(f);
            manifest.push('\n');
        }
        let mpath = self.dir.join(MANIFEST);
        remove_old(&mpath)?;
        std::fs::write(&mpath, manifest).map_err(|e| Error::io("could not write", &mpath, e))?;

        // Where the output being replaced goes: kept for the next build, or, when something
        // already has that name, a folder of its own that is deleted after the swap.
        let mut aside = None;
        if let Some(foreign) = foreign {
            if !foreign.is_empty() {
                return Err(Error::UnsafeOutput {
                    path: self.target.clone(),
                    reason: format!(
                        "files appeared in it during the build ({})",
                        foreign.join(", ")
                    ),
                });
            }
            let kept = std::fs::symlink_metadata(&self.previous).is_err()
                && std::fs::rename(&self.target, &self.previous).is_ok();
            if kept {
                aside = Some((self.previous.clone(), false));
            } else {
                let old = self.dir.with_file_name(format!(
                    ".{}.mps-old-{}",
                    self.target
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    std::process::id()
                ));
                std::fs::rename(&self.target, &old)
                    .map_err(|e| Error::io("could not move aside", &self.target, e))?;
                aside = Some((old, true));
            }
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if let Some((old, _)) = &aside {
                let _ = std::fs::rename(old, &self.target);
            }
            return Err(Error::io("could not move into place", &self.target, e));
        }
        self.committed = true;
        if let Some((old, true)) = aside {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io("could not remove", &old, e))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Wait for the claim, which may still be moving the previous output in.
            let claimed = !self.start().files.is_empty();
            // A build that failed before it changed anything (most do: bad data stops it
            // before a page is written) gives the previous output back, so that the next
            // build still starts from it.
            let untouched = claimed && !self.changed.load(Ordering::Relaxed);
            if !(untouched
                && std::fs::symlink_metadata(&self.previous).is_err()
                && std::fs::rename(&self.dir, &self.previous).is_ok())
            {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `/`-separated path of `path` inside `dir`.
    fn rel_of(dir: &Path, path: &Path) -> String {
        path.strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    #[test]
    fn refuses_dangerous_targets() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_target(&root, &root).is_err());
        assert!(check_target(dir.path(), &root).is_err());
        assert!(check_target(&root.join("content/out"), &root).is_err());
        assert!(check_target(&root.join("public"), &root).is_ok());
    }

    #[test]
    fn failed_build_leaves_previous_output_and_foreign_files_stop_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let s = Staging::new(target.clone()).unwrap();
        s.write("index.html", b"one").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");

        let s = Staging::new(target.clone()).unwrap();
        s.write("index.html", b"two").unwrap();
        drop(s); // a failed build
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "staging left behind"
        );

        std::fs::write(target.join("CNAME"), "x").unwrap();
        let e = Staging::new(target.clone()).err().unwrap();
        assert!(e.to_string().contains("CNAME"), "{e}");
        assert!(target.join("CNAME").exists());
    }

    fn build(target: &Path, files: &[(&str, &str)]) {
        let s = Staging::new(target.to_path_buf()).unwrap();
        for (rel, text) in files {
            s.write(rel, text.as_bytes()).unwrap();
        }
        s.commit().unwrap();
    }

    /// Every file under `dir` and its text, and every folder (ending in `/`).
    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(dir).sort_by_file_name().min_depth(1) {
            let e = e.unwrap();
            let rel = rel_of(dir, e.path());
            if e.path_is_symlink() {
                out.push((rel + " ->", String::new()));
            } else if e.file_type().is_dir() {
                out.push((rel + "/", String::new()));
            } else if rel != MANIFEST {
                out.push((rel, std::fs::read_to_string(e.path()).unwrap()));
            }
        }
        out
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[cfg(unix)]
    fn ino(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    // Unix: elsewhere a rename cannot replace the empty staging folder, and no output is reused.
    #[cfg(unix)]
    #[test]
    fn the_previous_output_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let previous = dir.path().join(".public.mps-previous");
        build(&target, &[("index.html", "1"), ("a/index.html", "a1")]);
        assert!(!previous.exists(), "nothing to keep after a first build");
        build(&target, &[("index.html", "2"), ("a/index.html", "a1")]);
        assert_eq!(
            listing(&previous),
            pairs(&[("a/", ""), ("a/index.html", "a1"), ("index.html", "1")])
        );
        let unchanged = ino(&previous.join("a/index.html"));
        // The third build starts from the first build's files: `a/index.html` is the same, so it
        // is kept as it is; `index.html` is replaced; `b/` is new.
        build(
            &target,
            &[
                ("index.html", "3"),
                ("a/index.html", "a1"),
                ("b/c/x.css", "x"),
            ],
        );
        assert_eq!(
            listing(&target),
            pairs(&[
                ("a/", ""),
                ("a/index.html", "a1"),
                ("b/", ""),
                ("b/c/", ""),
                ("b/c/x.css", "x"),
                ("index.html", "3")
            ])
        );
        assert_eq!(ino(&target.join("a/index.html")), unchanged);
        assert!(foreign_files(&target).unwrap().is_empty());
        // Files and folders the site no longer has go, as do folders that became files and
        // files that became folders.
        build(
            &target,
            &[("a", "now a file"), ("index.html/x", "now a folder")],
        );
        build(
            &target,
            &[("a", "now a file"), ("index.html/x", "now a folder")],
        );
        assert_eq!(
            listing(&target),
            pairs(&[
                ("a", "now a file"),
                ("index.html/", ""),
                ("index.html/x", "now a folder")
            ])
        );
        assert_eq!(listing(&target), listing(&previous));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_build_that_fails_before_changing_anything_keeps_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let previous = dir.path().join(".public.mps-previous");
        build(&target, &[("index.html", "1"), ("a/b.html", "b")]);
        build(&target, &[("index.html", "2"), ("a/b.html", "b")]);
        let (kept, published) = (listing(&previous), listing(&target));
        // Failing with nothing written, or only files that came out the same: handed back.
        drop(Staging::new(target.clone()).unwrap());
        assert_eq!(listing(&previous), kept);
        let s = Staging::new(target.clone()).unwrap();
        s.write("a/b.html", b"b").unwrap();
        drop(s);
        assert_eq!(listing(&previous), kept);
        assert_eq!(listing(&target), published);
        // Failing after a change: the kept folder is no longer what it was, so it goes, and the
        // published output stays.
        let s = Staging::new(target.clone()).unwrap();
        s.write("index.html", b"3").unwrap();
        drop(s);
        assert!(!previous.exists());
        assert_eq!(listing(&target), published);
    }

    #[test]
    fn writers_on_rayon_threads_can_wait_for_the_claim() {
        use rayon::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let pages: Vec<String> = (0..200)
            .map(|i| format!("s{}/p{i}/index.html", i % 7))
            .collect();
        for round in 0..3 {
            let s = Staging::new(target.clone()).unwrap();
            pages.par_iter().for_each(|p| {
                s.write(p, format!("{p} {}", round.min(1)).as_bytes())
                    .unwrap()
            });
            s.commit().unwrap();
        }
        assert_eq!(listing(&target).len(), 200 + 200 + 7);
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_output_with_anything_else_in_it_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let previous = dir.path().join(".public.mps-previous");
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "mine").unwrap();
        for spoil in ["foreign file", "link", "link to folder", "no manifest"] {
            build(&target, &[("index.html", "1"), ("a/b.html", "b")]);
            build(&target, &[("index.html", "2"), ("a/b.html", "b")]);
            match spoil {
                "foreign file" => std::fs::write(previous.join("a/notes.txt"), "keep").unwrap(),
                "link" => {
                    std::fs::remove_file(previous.join("a/b.html")).unwrap();
                    std::os::unix::fs::symlink(&outside, previous.join("a/b.html")).unwrap();
                }
                "link to folder" => {
                    std::fs::remove_dir_all(previous.join("a")).unwrap();
                    std::os::unix::fs::symlink(dir.path(), previous.join("a")).unwrap();
                }
                _ => std::fs::remove_file(previous.join(MANIFEST)).unwrap(),
            }
            let before = listing(&previous);
            build(&target, &[("index.html", "3"), ("a/b.html", "changed")]);
            assert_eq!(listing(&previous), before, "{spoil}");
            assert_eq!(
                listing(&target),
                pairs(&[("a/", ""), ("a/b.html", "changed"), ("index.html", "3")]),
                "{spoil}"
            );
            assert_eq!(std::fs::read_to_string(&outside).unwrap(), "mine");
            std::fs::remove_dir_all(&previous).unwrap();
            std::fs::remove_dir_all(&target).unwrap();
        }
    }

    #[test]
    fn changed_files_are_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, &[("index.html", "1")]);
        build(&target, &[("index.html", "2")]);
        // A backup made with hard links shares the kept file.
        let backup = dir.path().join("backup.html");
        std::fs::hard_link(dir.path().join(".public.mps-previous/index.html"), &backup).unwrap();
        build(&target, &[("index.html", "3")]);
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), "1");
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "3"
        );
    }

    #[test]
    fn a_failed_build_on_a_kept_output_changes_nothing_visible() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        build(&target, &[("index.html", "1")]);
        build(&target, &[("index.html", "2")]);
        let s = Staging::new(target.clone()).unwrap();
        s.write("index.html", b"3").unwrap();
        s.write("new/index.html", b"3").unwrap();
        drop(s);
        assert_eq!(listing(&target), pairs(&[("index.html", "2")]));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.contains("staging")),
            "staging left behind: {names:?}"
        );
        build(&target, &[("index.html", "4")]);
        assert_eq!(listing(&target), pairs(&[("index.html", "4")]));
    }
}
