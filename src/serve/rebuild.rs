//! Preview builds: the site built into memory, reusing what the last build made.
//!
//! A save that changes only the words, title or description of pages the last build had takes
//! the quick path (see `quick`): those pages and what shows them are made again, and nothing
//! else is looked at. Otherwise, when only Markdown pages that the last build already had were
//! edited (a date, a weight), just those files are read and parsed again; the templates stay
//! compiled; and the renderer's memo (see `memo`) re-renders only the pages whose context
//! changed. Anything else (data, templates, `site.yaml`, static files, a page added, deleted or
//! turned into a draft) reloads the whole site, still reusing every page that comes out the
//! same. A failed build forgets the loaded site, so the next build starts from the files on
//! disk. Either way the result is what `mps build` would write, which `tests/incremental.rs`
//! checks after random sequences of edits.
//!
//! Every file of a preview build is held in memory, static files included: they are read once
//! when the build is made (and again only when they change), so nothing done to the site folder
//! after that, such as a file replaced by a link to somewhere else, can change what is served.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::SystemTime;

use crate::build::{self, FileBody, Sink};
use crate::error::{Diagnostic, Error, Result};
use crate::memo::RenderMemo;
use crate::model::Site;
use crate::search::IndexPart;
use crate::templates::SiteTheme;

/// One file of a preview build, with its bytes: the server never opens a file to answer.
#[derive(Debug, Clone)]
pub enum Body {
    /// A page, which gets the live-reload script when served.
    Html(Arc<str>),
    Bytes(Arc<[u8]>),
    /// A file of the built-in theme.
    Static(&'static [u8]),
    /// The search index of a quick rebuild, put together when first asked for.
    Index(Arc<LazyIndex>),
    /// A file a quick rebuild finishes just after the build is served (see `quick`): a
    /// request for it waits until it is made.
    Pending(Arc<Pending>),
}

impl Body {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Html(h) => h.as_bytes(),
            Body::Bytes(b) => b,
            Body::Static(b) => b,
            Body::Index(i) => i.bytes(),
            Body::Pending(p) => p.wait().bytes(),
        }
    }

    /// This body, or what it was made as if it was pending and has been made.
    pub(super) fn settled(&self) -> Body {
        match self {
            Body::Pending(p) => p.body.get().cloned().unwrap_or_else(|| self.clone()),
            _ => self.clone(),
        }
    }
}

/// A file being made after its build was served: the Atom feed or the site map, which list
/// every page and so cost a large site's title save most of its time. Whoever asks for it
/// waits until it is there, so nothing older is ever served with the build.
#[derive(Debug, Default)]
pub struct Pending {
    body: OnceLock<Body>,
    /// Set, under its lock, once `body` is: what waiting requests sleep on (`OnceLock::wait`
    /// is newer than the Rust this crate supports).
    made: Mutex<bool>,
    ready: Condvar,
}

impl Pending {
    /// Makes the file `body`, unless it was made already.
    pub(super) fn fill(&self, body: Body) {
        if self.body.set(body).is_ok() {
            *self.made.lock().unwrap_or_else(|p| p.into_inner()) = true;
            self.ready.notify_all();
        }
    }

    /// The file, once made.
    fn wait(&self) -> &Body {
        loop {
            if let Some(body) = self.body.get() {
                return body;
            }
            let mut made = self.made.lock().unwrap_or_else(|p| p.into_inner());
            while !*made {
                made = self.ready.wait(made).unwrap_or_else(|p| p.into_inner());
            }
        }
    }

    /// Whether the file has been made.
    pub fn is_ready(&self) -> bool {
        self.body.get().is_some()
    }
}

/// The search index as its entries. A large site's index is megabytes, which every save would
/// otherwise copy; it is read only when someone searches.
#[derive(Debug)]
pub struct LazyIndex {
    parts: Vec<Arc<IndexPart>>,
    bytes: OnceLock<Vec<u8>>,
}

impl LazyIndex {
    /// The index of `parts`, which are in address order.
    pub fn new(parts: Vec<Arc<IndexPart>>) -> Self {
        LazyIndex {
            parts,
            bytes: OnceLock::new(),
        }
    }

    fn bytes(&self) -> &[u8] {
        self.bytes
            .get_or_init(|| crate::search::index_json_sorted(self.parts.iter().map(|p| &**p)))
    }
}

/// Every file of a preview build, by path relative to the site root (`plan/index.html`).
///
/// A quick rebuild changes a few of a large site's files: those are kept beside a shared map
/// of the rest, so that making the next build's list costs what changed rather than a copy of
/// every name (200,000 at 100,000 pages). They are folded into a new shared map once they are
/// more than an eighth of it.
#[derive(Debug, Clone, Default)]
pub struct SiteFiles {
    base: Arc<BTreeMap<String, Body>>,
    changed: BTreeMap<String, Body>,
}

impl From<BTreeMap<String, Body>> for SiteFiles {
    fn from(files: BTreeMap<String, Body>) -> Self {
        SiteFiles {
            base: Arc::new(files),
            changed: BTreeMap::new(),
        }
    }
}

impl SiteFiles {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, name: &str) -> Option<&Body> {
        self.changed.get(name).or_else(|| self.base.get(name))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds or replaces the file `name`.
    pub fn insert(&mut self, name: String, body: Body) {
        self.changed.insert(name, body);
        if self.changed.len() > (self.base.len() / 8).max(1024) {
            let mut base = (*self.base).clone();
            base.append(&mut self.changed);
            self.base = Arc::new(base);
        }
    }

    /// Whether any file is in `folder` (which ends in `/`) or under it.
    pub fn has_under(&self, folder: &str) -> bool {
        let under = |files: &BTreeMap<String, Body>| {
            files
                .range::<str, _>((
                    std::ops::Bound::Included(folder),
                    std::ops::Bound::Unbounded,
                ))
                .next()
                .is_some_and(|(k, _)| k.starts_with(folder))
        };
        under(&self.changed) || under(&self.base)
    }

    /// Every file, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Body)> {
        let mut base = self.base.iter().peekable();
        let mut changed = self.changed.iter().peekable();
        std::iter::from_fn(move || match (base.peek(), changed.peek()) {
            (Some((a, _)), Some((b, _))) => match a.cmp(b) {
                std::cmp::Ordering::Less => base.next(),
                std::cmp::Ordering::Greater => changed.next(),
                std::cmp::Ordering::Equal => {
                    base.next();
                    changed.next()
                }
            },
            (Some(_), None) => base.next(),
            (None, _) => changed.next(),
        })
    }
}

/// What identifies the version of a static file read before: if none of it changed, the bytes
/// read then are still the file's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    real: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

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
    /// The last build's plan, facts and index entries, and its files, while it succeeded: what
    /// a quick rebuild (see `quick`) starts from.
    kept: Option<(build::Kept, Arc<SiteFiles>)>,
    /// The static files read by the last build, so an unchanged one is not read again.
    copies: HashMap<PathBuf, (Stamp, Arc<[u8]>)>,
    /// For a site in several languages, each language's memo, the default first: every save
    /// rebuilds each language, reusing its pages that come out the same.
    languages: Option<Vec<RenderMemo>>,
    /// What the last quick rebuild left to make after being served (see [`Rebuilder::finish`]).
    later: Option<super::quick::Later>,
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
            kept: None,
            copies: HashMap::new(),
            languages: None,
            later: None,
        }
    }

    /// Builds the site, whole: every file of the result is made. `changed` lists the files
    /// changed since the last call, or is `None` when that is not known (the first build, or a
    /// watcher that lost track).
    pub fn build(&mut self, changed: Option<&[PathBuf]>) -> Result<PreviewBuild> {
        let first = self.start(changed);
        match self.made_later() {
            Ok(rendered) => first.map(|mut b| {
                b.rendered += rendered;
                b
            }),
            Err(then) => then,
        }
    }

    /// Builds the site as [`Rebuilder::build`] does, except that a quick rebuild may leave
    /// files that list every page (the feed, the site map) as [`Body::Pending`], to be made by
    /// [`Rebuilder::finish`]: the build can be served at once, and a request for such a file
    /// waits for it. The server calls `finish` as soon as it has swapped the build in.
    pub fn start(&mut self, changed: Option<&[PathBuf]>) -> Result<PreviewBuild> {
        // Anything left from the last build is made first: this one starts from its state
        // (and if that failed, the state is gone and this build takes the full path).
        let _ = self.made_later();
        self.run(changed)
    }

    /// Makes the files the last [`Rebuilder::start`] left pending. `None` when that went well
    /// (or there was nothing to make): the build it returned is whole. Otherwise the pending
    /// files get their versions of the build before, and this returns a full build of the site
    /// as it is on disk, which is what to serve instead: it reports the problem exactly as
    /// `mps build` does.
    pub fn finish(&mut self) -> Option<Result<PreviewBuild>> {
        self.made_later().err()
    }

    /// [`Rebuilder::finish`], with how many pages it rendered when it went well.
    fn made_later(&mut self) -> std::result::Result<usize, Result<PreviewBuild>> {
        let Some(later) = self.later.take() else {
            return Ok(0);
        };
        let done = match (self.site.as_ref(), self.theme.as_ref(), self.kept.as_mut()) {
            (Some(site), Some(theme), Some((kept, _))) => {
                super::quick::finish(later, site, theme, &mut self.memo, kept)
            }
            _ => None,
        };
        if let Some(rendered) = done {
            return Ok(rendered);
        }
        self.site = None;
        self.theme = None;
        self.kept = None;
        Err(self.run(None))
    }

    /// A build, forgetting what it started from when it fails.
    fn run(&mut self, changed: Option<&[PathBuf]>) -> Result<PreviewBuild> {
        let result = self.try_build(changed);
        if result.is_err() {
            self.site = None;
            self.theme = None;
            self.kept = None;
        }
        result
    }

    fn try_build(&mut self, changed: Option<&[PathBuf]>) -> Result<PreviewBuild> {
        if self.languages.is_some() {
            return self.build_languages();
        }
        if let Some(done) = changed.and_then(|c| self.quick(c)) {
            return Ok(done);
        }
        let kept = self.kept.take();
        free_later(kept);
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
                let site = build::load(&self.root, self.drafts)?;
                if site.config.is_multilingual() {
                    self.site = None;
                    self.languages = Some(Vec::new());
                    return self.build_languages();
                }
                site
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
        let kept = done.kept;
        self.site = Some(site);
        let mut files = BTreeMap::new();
        let mut copies = HashMap::new();
        self.hold(done.files, "", &mut files, &mut copies)?;
        self.copies = copies;
        let files = Arc::new(SiteFiles::from(files));
        self.kept = kept.map(|k| (k, files.clone()));
        Ok(PreviewBuild {
            files,
            pages: done.pages,
            rendered: done.rendered,
        })
    }

    /// Builds every language of a site in several (see [`build::generate_languages`]), each
    /// reusing the pages of its last build that come out the same.
    fn build_languages(&mut self) -> Result<PreviewBuild> {
        let config = crate::config::SiteConfig::load(&self.root)?;
        if !config.is_multilingual() {
            // Back to one language: the usual path, from the files on disk.
            self.languages = None;
            self.theme = None;
            return self.try_build(None);
        }
        let mut sites = build::load_languages(&self.root, config, self.drafts)?;
        let theme = SiteTheme::for_site(&self.root, &sites[0].config)?;
        build::tie_languages(&mut sites, &theme);
        let memos = self.languages.take().unwrap_or_default();
        let done = build::generate_languages(&sites, &theme, |_| Sink::Memory, Some(&memos));
        self.languages = Some(memos);
        let done = done?;
        let mut files = BTreeMap::new();
        let mut copies = HashMap::new();
        let (mut pages, mut rendered) = (0, 0);
        let mut memos = Vec::with_capacity(done.len());
        for (d, site) in done.into_iter().zip(&sites) {
            pages += d.pages;
            rendered += d.rendered;
            memos.push(d.memo.unwrap_or_default());
            self.hold(d.files, &site.config.prefix, &mut files, &mut copies)?;
        }
        self.languages = Some(memos);
        self.copies = copies;
        free_later(sites);
        Ok(PreviewBuild {
            files: Arc::new(SiteFiles::from(files)),
            pages,
            rendered,
        })
    }

    /// Puts a build's `made` files into `files`, under `prefix`, reading static files (or
    /// reusing what the last build read of them, into `copies`).
    fn hold(
        &self,
        made: BTreeMap<String, Option<FileBody>>,
        prefix: &str,
        files: &mut BTreeMap<String, Body>,
        copies: &mut HashMap<PathBuf, (Stamp, Arc<[u8]>)>,
    ) -> Result<()> {
        let mut problems = Vec::new();
        for (rel, body) in made {
            let body = match body {
                None => continue,
                Some(FileBody::Html(h)) => Body::Html(h),
                Some(FileBody::Bytes(b)) => Body::Bytes(b),
                Some(FileBody::BuiltIn(b)) => Body::Static(b),
                Some(FileBody::Disk(path)) => match self.copy(&path) {
                    Ok((stamp, bytes)) => {
                        copies.insert(path, (stamp, bytes.clone()));
                        Body::Bytes(bytes)
                    }
                    Err(d) => {
                        problems.push(d);
                        continue;
                    }
                },
            };
            files.insert(format!("{prefix}{rel}"), body);
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        Ok(())
    }

    /// A quick rebuild after `changed` (see `quick`), or `None` when the change needs the full
    /// path.
    fn quick(&mut self, changed: &[PathBuf]) -> Option<PreviewBuild> {
        if changed.is_empty() {
            return None;
        }
        let (kept, files) = self.kept.as_mut()?;
        let state = super::quick::State {
            root_abs: &self.root_abs,
            drafts: self.drafts,
            site: self.site.as_mut()?,
            theme: self.theme.as_ref()?,
            memo: &mut self.memo,
            kept,
            files,
        };
        let done = super::quick::rebuild(state, changed)?;
        *files = done.files.clone();
        self.later = done.later;
        Some(PreviewBuild {
            pages: kept.tree.pages.len(),
            files: done.files,
            rendered: done.rendered,
        })
    }
}

/// Frees `value` on the thread pool: a large site's pages are many small allocations, which
/// the next build need not wait for.
fn free_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

impl Rebuilder {
    /// The bytes of a static file of the site, read now unless the last build read this very
    /// version. The file must be inside the site folder once links are followed.
    fn copy(&self, path: &Path) -> std::result::Result<(Stamp, Arc<[u8]>), Diagnostic> {
        let unreadable = |e: std::io::Error| {
            Diagnostic::error(path, format!("could not read this file: {e}"))
                .help("check that the file exists and can be read, then save again")
        };
        let real = path.canonicalize().map_err(unreadable)?;
        if !real.starts_with(&self.root_abs) {
            return Err(Diagnostic::error(
                path,
                format!(
                    "this file is a link to `{}`, which is outside the site folder",
                    real.display()
                ),
            )
            .help("copy the file into the site folder instead of linking to it"));
        }
        let mut file = std::fs::File::open(&real).map_err(unreadable)?;
        // The stamp is taken from the open file, so it describes the bytes read below.
        let meta = file.metadata().map_err(unreadable)?;
        if !meta.is_file() {
            return Err(Diagnostic::error(path, "this is not a file")
                .help("only files can be published from the site's folders"));
        }
        let stamp = Stamp {
            real,
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        };
        if let Some((old, bytes)) = self.copies.get(path) {
            if *old == stamp {
                return Ok((stamp, bytes.clone()));
            }
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        std::io::Read::read_to_end(&mut file, &mut bytes).map_err(unreadable)?;
        Ok((stamp, Arc::from(bytes)))
    }
}

/// The `/`-separated path under `content/` of a changed file that is a Markdown page (not in
/// `data/`), or `None` for anything else: the quick paths handle only such files.
pub(super) fn markdown_page_rel(content: &Path, path: &Path) -> Option<String> {
    let rel = path
        .strip_prefix(content)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<Vec<_>>>()?
        .join("/");
    (rel.ends_with(".md") && !rel.starts_with("data/") && path.is_file()).then_some(rel)
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
        let rel = markdown_page_rel(&content, path)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_for_a_pending_file_waits_until_it_is_made() {
        let pending = Arc::new(Pending::default());
        let body = Body::Pending(pending.clone());
        let reader = std::thread::spawn(move || body.bytes().to_vec());
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!reader.is_finished());
        pending.fill(Body::Static(b"made"));
        pending.fill(Body::Static(b"again")); // the first stays
        assert_eq!(reader.join().unwrap(), b"made");
        assert_eq!(Body::Pending(pending).bytes(), b"made");
    }

    #[test]
    fn site_files_keep_changes_beside_the_shared_rest_and_fold_them_in() {
        let names: Vec<String> = (0..3000).map(|i| format!("p{i:04}/index.html")).collect();
        let base: BTreeMap<String, Body> = names
            .iter()
            .map(|n| (n.clone(), Body::Static(b"old")))
            .collect();
        let mut files = SiteFiles::from(base);
        let copy = files.clone();
        files.insert("p0001/index.html".into(), Body::Static(b"new"));
        files.insert("p9999/extra.css".into(), Body::Static(b"added"));
        assert_eq!(
            files.get("p0001/index.html").map(Body::bytes),
            Some(&b"new"[..])
        );
        assert_eq!(
            copy.get("p0001/index.html").map(Body::bytes),
            Some(&b"old"[..])
        );
        assert!(files.has_under("p9999/") && !copy.has_under("p9999/"));
        assert!(files.has_under("p0002/") && !files.has_under("p000/"));
        let listed: Vec<&String> = files.iter().map(|(n, _)| n).collect();
        assert_eq!(listed.len(), 3001);
        assert!(listed.windows(2).all(|w| w[0] < w[1]));
        // More changes than the threshold are folded into a new shared map, the same files.
        for n in &names[..1100] {
            files.insert(n.clone(), Body::Static(b"newer"));
        }
        assert!(files.changed.len() <= 1024);
        assert_eq!(files.iter().count(), 3001);
        assert_eq!(files.get(&names[5]).map(Body::bytes), Some(&b"newer"[..]));
        assert_eq!(files.get(&names[2000]).map(Body::bytes), Some(&b"old"[..]));
        assert_eq!(copy.get(&names[5]).map(Body::bytes), Some(&b"old"[..]));
    }
}
