//! Watching the site's sources: `site.yaml` and the `content/`, `themes/`, `templates/`,
//! `static/` and `i18n/` folders. The site folder itself is watched without recursion, so the output
//! folders (`public/`, `target/`) and editors' files beside `site.yaml` never start a build.
//! Folders created or re-created after the start are picked up.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::event::{MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::content::is_editor_temp;
use crate::error::{Diagnostic, Error, Result};

/// The folders under the site root whose changes rebuild the site.
pub const WATCHED_DIRS: &[&str] = &["content", "themes", "templates", "static", "i18n"];
/// The file at the site root whose changes rebuild the site.
pub const CONFIG_FILE: &str = "site.yaml";
/// How long a file must stay quiet before its change is reported. Short, as in Zola: the time
/// from a save to the page is what editors feel. Editors write a file in well under this, and
/// the builder's own wait (`QUIET` in `serve`) gathers the files of a burst into one build.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// Whether a change to `path` (absolute, under `root`) can change the built site.
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_string_lossy().into_owned(),
            _ => String::from(".."),
        })
        .collect();
    match parts.as_slice() {
        [] => false,
        [only] if only == CONFIG_FILE => true,
        [first, ..] if WATCHED_DIRS.contains(&first.as_str()) => {
            parts.iter().all(|p| p != ".." && !is_editor_temp(p))
        }
        _ => false,
    }
}

/// Whether an event kind can mean changed content. Reads (the build's own, too) are not.
fn changes_content(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// A change worth a rebuild: the relevant paths, or none when the watcher lost track (rescan).
pub type Changes = Vec<PathBuf>;

/// The file watcher and the folders it currently watches.
pub struct SiteWatcher {
    root: PathBuf,
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    watched: BTreeSet<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching `root` (canonical); relevant changes are sent to `tx`.
    pub fn start(root: &Path, tx: Sender<Changes>) -> Result<SiteWatcher> {
        let filter_root = root.to_path_buf();
        let handler = move |result: DebounceEventResult| {
            let changes: Option<Changes> = match result {
                Ok(events) => {
                    let mut paths: Vec<PathBuf> = Vec::new();
                    let mut rescan = false;
                    for e in events.iter().filter(|e| changes_content(&e.kind)) {
                        rescan |= e.need_rescan();
                        paths.extend(
                            e.paths
                                .iter()
                                .filter(|p| is_relevant(&filter_root, p))
                                .cloned(),
                        );
                    }
                    (rescan || !paths.is_empty()).then_some(paths)
                }
                // The watcher lost events: rebuild to be safe.
                Err(_) => Some(Vec::new()),
            };
            if let Some(c) = changes {
                let _ = tx.send(c);
            }
        };
        let debouncer = new_debouncer(DEBOUNCE, None, handler).map_err(|e| watch_error(root, e))?;
        let mut w = SiteWatcher {
            root: root.to_path_buf(),
            debouncer,
            watched: BTreeSet::new(),
        };
        w.debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| watch_error(root, e))?;
        w.refresh(&[]);
        Ok(w)
    }

    /// Watches source folders that appeared, and re-watches those that were re-created (a
    /// folder deleted and made again, or renamed into place, is a new folder to the OS).
    pub fn refresh(&mut self, changed: &[PathBuf]) {
        for name in WATCHED_DIRS {
            let dir = self.root.join(name);
            let recreated = changed.iter().any(|p| p == &dir);
            let is_dir = dir.is_dir();
            if self.watched.contains(&dir) && (recreated || !is_dir) {
                let _ = self.debouncer.unwatch(&dir);
                self.watched.remove(&dir);
            }
            if is_dir
                && !self.watched.contains(&dir)
                && self.debouncer.watch(&dir, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(dir);
            }
        }
    }
}

fn watch_error(root: &Path, e: notify::Error) -> Error {
    Diagnostic::error(root, format!("could not watch the site for changes: {e}"))
        .help("on Linux, raise fs.inotify.max_user_watches, or use `mps build`")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_are_relevant() {
        let root = Path::new("/site");
        for yes in [
            "/site/site.yaml",
            "/site/content/a.md",
            "/site/content/new/folder",
            "/site/content",
            "/site/themes/x/templates/page.html",
            "/site/templates/page.html",
            "/site/static/logo.svg",
        ] {
            assert!(is_relevant(root, Path::new(yes)), "{yes}");
        }
        for no in [
            "/site",
            "/site/public/index.html",
            "/site/target/debug/x",
            "/site/.site.yaml.swp",
            "/site/site.yaml~",
            "/site/4913",
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/#a.md#",
            "/site/content/.#a.md",
            "/site/content/.git/index",
            "/elsewhere/content/a.md",
        ] {
            assert!(!is_relevant(root, Path::new(no)), "{no}");
        }
    }
}
