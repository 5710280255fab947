//! Writing the output folder safely: everything goes to a staging folder beside it, which is
//! swapped in only when the whole build succeeded. A failed build leaves the previous output
//! untouched; a folder `mps` did not make, or that holds files `mps` did not write, is never
//! replaced.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Lists every file of a build, so the next build knows what it may replace.
pub const MANIFEST: &str = ".mps-manifest";
const MANIFEST_HEADER: &str =
    "# Written by mps. This folder is rebuilt by `mps build`; files not listed here stop it.\n";

/// A build's output while it is being written.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    written: Mutex<BTreeSet<String>>,
    committed: bool,
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

/// Files in `dir` that the manifest of the last build does not list: someone else's.
fn foreign_files(dir: &Path) -> Result<Vec<String>> {
    let manifest = match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("could not read", dir.join(MANIFEST), e)),
    };
    let listed: BTreeSet<&str> = manifest
        .as_deref()
        .unwrap_or("")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name().min_depth(1) {
        let entry = entry.map_err(|e| {
            Error::io(
                "could not read",
                dir,
                e.into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("loop")),
            )
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel != MANIFEST && !listed.contains(rel.as_str()) {
            foreign.push(rel);
        }
    }
    Ok(foreign)
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
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io("could not clear", &dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("could not create", &dir, e))?;
        Ok(Staging {
            target,
            dir,
            written: Mutex::new(BTreeSet::new()),
            committed: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file of the build. Safe to call from many threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io("could not create", parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io("could not write", &path, e))?;
        self.record(rel);
        Ok(())
    }

    /// Copies a file into the build.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io("could not create", parent, e))?;
        }
        std::fs::copy(from, &path).map_err(|e| Error::io("could not copy", from, e))?;
        self.record(rel);
        Ok(())
    }

    fn record(&self, rel: &str) {
        if let Ok(mut w) = self.written.lock() {
            w.insert(rel.to_string());
        }
    }

    /// Swaps the finished build in for the previous output.
    pub fn commit(mut self) -> Result<PathBuf> {
        let written = std::mem::take(&mut *self.written.lock().map_err(|_| {
            Error::io(
                "could not finish",
                &self.dir,
                std::io::Error::other("a writer thread panicked"),
            )
        })?);
        let mut manifest = String::from(MANIFEST_HEADER);
        for f in &written {
            manifest.push_str(f);
            manifest.push('\n');
        }
        let mpath = self.dir.join(MANIFEST);
        std::fs::write(&mpath, manifest).map_err(|e| Error::io("could not write", &mpath, e))?;

        let old = self.dir.with_file_name(format!(
            ".{}.mps-old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            // Checked again at the last moment: someone may have added a file during the build.
            let foreign = foreign_files(&self.target)?;
            if !foreign.is_empty() {
                return Err(Error::UnsafeOutput {
                    path: self.target.clone(),
                    reason: format!(
                        "files appeared in it during the build ({})",
                        foreign.join(", ")
                    ),
                });
            }
            std::fs::rename(&self.target, &old)
                .map_err(|e| Error::io("could not move aside", &self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io("could not move into place", &self.target, e));
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io("could not remove", &old, e))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
