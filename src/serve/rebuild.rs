//! Preview builds: the site built into memory, reusing what the last build made.
//!
//! When only Markdown pages that the last build already had were edited, just those files are
//! read and parsed again; the templates stay compiled; and the renderer's memo (see
//! [`crate::memo`]) re-renders only the pages whose context changed: the edited page, and the
//! pages that list it when its title or description changed. Anything else (data, templates,
//! `site.yaml`, static files, a page added, deleted or turned into a draft) reloads the whole
//! site, still reusing every page that comes out the same. A failed build forgets the loaded
//! site, so the next build starts from the files on disk. Either way the result is what
//! `mps build` would write, which `tests/serve.rs` checks after random sequences of edits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::{self, FileBody, Sink};
use crate::error::{Diagnostic, Error, Result};
use crate::memo::RenderMemo;
use crate::model::Site;
use crate::templates::SiteTheme;

/// Every file of a preview build, by path relative to the site root (`plan/index.html`).
pub type SiteFiles = BTreeMap<String, FileBody>;

/// A finished preview build.
#[derive(Debug, Clone)]
pub struct PreviewBuild {
    pub files: Arc<SiteFiles>,
    pub pages: usize,
    /// Pages rendered again; the others were reused from the last build.
    pub rendered: usize,
}

/// Builds one site again and again, keeping what it can between builds.
pub struct Rebuilder {
    root: PathBuf,
    /// `root` with symlinks resolved, as the watcher reports paths.
    root_abs: PathBuf,
    drafts: bool,
    /// The last site that loaded and validated, while the last build succeeded.
    site: Option<Site>,
    theme: Option<SiteTheme>,
    memo: RenderMemo,
}

impl Rebuilder {
    pub fn new(root: &Path, drafts: bool) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            root_abs: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            drafts,
            site: None,
            theme: None,
            memo: RenderMemo::default(),
        }
    }

    /// Builds the site. `changed` lists the files changed since the last call, or is `None`
    /// when that is not known (the first build, or a watcher that lost track).
    pub fn build(&mut self, changed: Option<&[PathBuf]>) -> Result<PreviewBuild> {
        let result = self.try_build(changed);
        if result.is_err() {
            self.site = None;
            self.theme = None;
        }
        result
    }

    fn try_build(&mut self, changed: Option<&[PathBuf]>) -> Result<PreviewBuild> {
        let partial = match (changed, self.site.take()) {
            (Some(changed), Some(prev)) if !changed.is_empty() => {
                reload_pages(prev, &self.root_abs, self.drafts, changed)
            }
            _ => None,
        };
        let site = match partial {
            Some(site) => build::checked(site.map_err(Error::from)?)?,
            None => {
                self.theme = None;
                build::load(&self.root, self.drafts)?
            }
        };
        let theme = match self.theme.take() {
            Some(t) => t,
            None => SiteTheme::for_site(&self.root, &site.config)?,
        };
        let done = build::generate(&site, &theme, Sink::Memory, Some(&self.memo));
        self.theme = Some(theme);
        let done = done?;
        self.memo = done.memo.unwrap_or_default();
        self.site = Some(site);
        let files: SiteFiles = done
            .files
            .into_iter()
            .filter_map(|(rel, body)| body.map(|b| (rel, b)))
            .collect();
        Ok(PreviewBuild {
            files: Arc::new(files),
            pages: done.pages,
            rendered: done.rendered,
        })
    }
}

/// `site` with the changed Markdown pages read again, or `None` when the change is more than
/// that (see the module comment). A page that no longer parses is an error naming it.
fn reload_pages(
    mut site: Site,
    root_abs: &Path,
    drafts: bool,
    changed: &[PathBuf],
) -> Option<std::result::Result<Site, Diagnostic>> {
    let content = root_abs.join("content");
    for path in changed {
        let rel = path
            .strip_prefix(&content)
            .ok()?
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<Vec<_>>>()?
            .join("/");
        if !rel.ends_with(".md") || rel.starts_with("data/") || !path.is_file() {
            return None;
        }
        let slot = site.pages.iter_mut().find(|p| p.rel == rel)?;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(_) => return None,
        };
        let page = match crate::content::parse_page(&rel, &slot.file, &text) {
            Ok(p) => p,
            Err(d) => return Some(Err(d)),
        };
        if page.front.draft && !drafts {
            return None;
        }
        *slot = page;
    }
    Some(Ok(site))
}
