//! The preview's quick rebuild: when a save changes only the words, title or description of
//! Markdown pages the last build had, only what shows them is made again, without planning,
//! deriving, fingerprinting, indexing or link-checking the rest of the site.
//!
//! What shows what is worked out from the page plan, and is a superset of what can change:
//!
//! - the page itself (its words, headings, title and description);
//! - when its title or description changed: the section that lists it (`children`), every page
//!   under it (their `breadcrumbs`; and their search-index `section` when it is a top-level
//!   section), the HTML site map, and the Atom feed when the page is dated. A change that moves
//!   the navigation, which every page shows, takes the full path instead.
//!
//! The site map and the feed list every page, so on a large site they are most of a title
//! save's work: they are left pending ([`Later`]) and made by [`finish`] just after the build is
//! served, and a request for either waits until it is made, so nothing stale is served. If
//! making them fails, the server replaces the build with a full one, which reports why.
//!
//! Each of those pages is still fingerprinted and reused when its context hashes the same
//! (`memo`), so the count of pages rendered again is the same as the full path gives. Pages
//! rendered again have their links checked; a page that lost an `id` has every page with a link
//! to that fragment checked again too. Anything else (a new, deleted or renamed page, data,
//! templates, `site.yaml`, a draft, a date, a weight, a problem anywhere) returns `None`, and the
//! caller takes the full path, which also gives the error exactly as `mps build` reports it.
//! `tests/incremental.rs` compares the outcome with full builds after random edits.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::rebuild::{Body, LazyIndex, Pending, SiteFiles};
use crate::build::{self, Kept};
use crate::links::PageLinks;
use crate::memo::{PageOut, RenderMemo};
use crate::model::{Site, SourcePage};
use crate::pages::{Kind, PageTree};
use crate::templates::SiteTheme;
use crate::{feeds, search, urls};

/// What a quick rebuild needs from the last build, and updates.
pub struct State<'a> {
    pub root_abs: &'a Path,
    pub drafts: bool,
    pub site: &'a mut Site,
    pub theme: &'a SiteTheme,
    pub memo: &'a mut RenderMemo,
    pub kept: &'a mut Kept,
    pub files: &'a Arc<SiteFiles>,
}

/// The outcome of a quick rebuild: the site's files, and how many pages were rendered again.
pub struct Done {
    pub files: Arc<SiteFiles>,
    pub rendered: usize,
    /// What is left to make once the build is served: `files` holds it as [`Body::Pending`].
    pub later: Option<Later>,
}

/// The files that list every page, left by a quick rebuild to [`finish`]: the site map and the
/// Atom feed. At 10,000 pages they are most of a title save's work, and nobody looking at the
/// page they edited waits for them; whoever asks for one waits until it is made.
#[derive(Debug, Default)]
pub struct Later {
    /// The site map page, by tree index.
    site_map: Option<(usize, Arc<Pending>)>,
    feed: Option<Arc<Pending>>,
    /// Each pending file's version in the build before: what it is served as if making it
    /// fails (the full build that follows then reports why) or never happens.
    before: Vec<(Arc<Pending>, Body)>,
}

impl Later {
    /// Leaves `name` of `files` pending, or `None` when the last build had no such file.
    fn defer(&mut self, files: &mut SiteFiles, name: &str) -> Option<Arc<Pending>> {
        let before = files.get(name)?.settled();
        let pending = Arc::new(Pending::default());
        self.before.push((pending.clone(), before));
        files.insert(name.to_string(), Body::Pending(pending.clone()));
        Some(pending)
    }
}

impl Drop for Later {
    fn drop(&mut self) {
        // A file still pending is never left so: a request for it would wait for ever.
        for (pending, before) in self.before.drain(..) {
            pending.fill(before);
        }
    }
}

/// A changed page: its index in `site.pages`, and what it now is.
struct Edit {
    index: usize,
    page: SourcePage,
    /// Its title or description changed.
    retitled: bool,
}

/// Rebuilds after `changed`, or `None` when the change needs the full path. `state.site` may
/// have been updated with pages read again even then: the full path reads them again anyway.
pub fn rebuild(state: State, changed: &[PathBuf]) -> Option<Done> {
    let edits = read_edits(state.site, state.root_abs, state.drafts, changed)?;
    for e in &edits {
        state.site.pages[e.index] = e.page.clone();
    }
    let site: &Site = state.site;
    // New titles and descriptions go into the kept plan in place: if anything below fails, the
    // full path plans the site afresh anyway.
    let tree = &mut state.kept.tree;
    for e in edits.iter().filter(|e| e.retitled) {
        let &i = tree.by_path.get(&e.page.path)?;
        if tree.nav.iter().any(|n| n.path == e.page.path) {
            return None; // every page shows the navigation
        }
        let p = &mut tree.pages[i];
        if p.kind != Kind::Content(e.index) {
            return None;
        }
        p.title.clone_from(&e.page.front.title);
        p.description.clone_from(&e.page.front.description);
        if let (Some(parent), true) = (p.parent.clone(), p.listed) {
            if let Some(list) = tree.children.get_mut(&parent) {
                crate::pages::listing_order(&tree.pages, list);
            }
        }
    }
    let tree: &PageTree = &state.kept.tree;

    // The pages to render again (or find unchanged) before the build is served, by tree index;
    // the site map and the feed are made after it (see `Later`).
    let mut which = BTreeSet::new();
    let mut feed = false;
    let mut site_map = None;
    for e in &edits {
        let path = &site.pages[e.index].path;
        let &i = tree.by_path.get(path)?;
        which.insert(i);
        if !e.retitled {
            continue;
        }
        let p = &tree.pages[i];
        feed |= p.updated.or(p.date).is_some();
        if let Some(&parent) = p.parent.as_ref().and_then(|s| tree.by_path.get(s)) {
            which.insert(parent);
        }
        which.extend(
            tree.by_path
                .range::<str, _>((
                    std::ops::Bound::Included(path.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(q, _)| q.starts_with(path.as_str()))
                .map(|(_, &j)| j),
        );
        site_map = tree.pages.iter().position(|p| p.kind == Kind::SiteMap);
    }
    if let Some(m) = site_map {
        which.remove(&m);
    }
    let which: Vec<usize> = which.into_iter().collect();
    let redone = build::render_pages(
        site,
        state.theme,
        tree,
        &state.kept.derived,
        state.memo,
        &which,
    )
    .ok()?;
    check_links(site, state.kept, &redone)?;

    let mut files: SiteFiles = (**state.files).clone();
    let mut later = Later::default();
    if let Some(m) = site_map {
        let pending = later.defer(&mut files, &urls::output_file(&tree.pages[m].path))?;
        later.site_map = Some((m, pending));
    }
    if feed {
        later.feed = Some(later.defer(&mut files, feeds::ATOM_FILE)?);
    }

    // Everything is right: keep it.
    let rendered = keep(state.kept, state.memo, redone, &mut files);
    let index = LazyIndex::new(state.kept.index.values().cloned().collect());
    files.insert(search::INDEX_FILE.to_string(), Body::Index(Arc::new(index)));
    let later = (later.site_map.is_some() || later.feed.is_some()).then_some(later);
    Some(Done {
        files: Arc::new(files),
        rendered,
        later,
    })
}

/// Makes what `rebuild` left pending, from the state it left, and returns how many pages it
/// rendered; `None` when that fails (a template error, a broken link), and the full path must
/// report it.
pub fn finish(
    later: Later,
    site: &Site,
    theme: &SiteTheme,
    memo: &mut RenderMemo,
    kept: &mut Kept,
) -> Option<usize> {
    let tree = &kept.tree;
    let (redone, atom) = rayon::join(
        || {
            let Some((m, _)) = &later.site_map else {
                return Some(Vec::new());
            };
            let redone = build::render_pages(site, theme, tree, &kept.derived, memo, &[*m]).ok()?;
            check_links(site, kept, &redone)?;
            Some(redone)
        },
        || later.feed.as_ref().map(|_| feeds::atom(site, tree, theme)),
    );
    let (Some(redone), Ok(atom)) = (redone, atom.transpose()) else {
        return None;
    };
    // The search index was served with the build: a page that has an entry cannot be made
    // here (the site map has none).
    if redone.iter().any(|r| r.3.is_some()) {
        return None;
    }
    let mut made = SiteFiles::new();
    let rendered = keep(kept, memo, redone, &mut made);
    if let Some((m, pending)) = &later.site_map {
        pending.fill(
            made.get(&urls::output_file(&kept.tree.pages[*m].path))?
                .clone(),
        );
    }
    if let (Some(pending), Some(atom)) = (&later.feed, atom) {
        pending.fill(Body::Bytes(Arc::from(atom.into_bytes())));
    }
    Some(rendered)
}

/// Keeps pages rendered again (their links, memo entries and search entries) and puts them in
/// `files`; returns how many were rendered rather than reused.
fn keep(
    kept: &mut Kept,
    memo: &mut RenderMemo,
    redone: Vec<build::Redone>,
    files: &mut SiteFiles,
) -> usize {
    let mut rendered = 0;
    let mut ids_changed = false;
    for (i, links, page, entry) in redone {
        let url = urls::output_file(&kept.tree.pages[i].path);
        match entry {
            Some(e) => {
                kept.index.insert(url, Arc::new(e));
            }
            None => {
                kept.index.remove(&url);
            }
        }
        if page.links.is_none() {
            rendered += 1;
        }
        ids_changed |= kept.links[i].ids != links.ids;
        kept.links[i] = links.clone();
        if let Some((rel, Some(key), md)) = &page.markdown {
            memo.markdown.insert(rel.clone(), (*key, md.clone()));
        }
        match page.fingerprint {
            Some(f) => {
                memo.pages.insert(
                    page.output.clone(),
                    PageOut {
                        fingerprint: f,
                        html: page.html.clone(),
                        links,
                    },
                );
            }
            None => {
                memo.pages.remove(&page.output);
            }
        }
        files.insert(page.output, Body::Html(page.html));
    }
    if ids_changed {
        // The full path's record of every page's ids is out of date: it checks every page.
        memo.link_targets = None;
    }
    rendered
}

/// The changed pages, when every changed file is a Markdown page the site had and only its
/// words, title or description changed.
fn read_edits(
    site: &Site,
    root_abs: &Path,
    drafts: bool,
    changed: &[PathBuf],
) -> Option<Vec<Edit>> {
    let content = root_abs.join("content");
    let changed: BTreeSet<&PathBuf> = changed.iter().collect();
    let mut edits = Vec::new();
    for path in changed {
        let rel = super::rebuild::markdown_page_rel(&content, path)?;
        let index = site.pages.iter().position(|p| p.rel == rel)?;
        let old = &site.pages[index];
        let text = std::fs::read_to_string(path).ok()?;
        let page = crate::content::parse_page(&rel, &old.file, &text).ok()?;
        if page.front.draft && !drafts {
            return None;
        }
        let mut same_front = page.front.clone();
        same_front.title.clone_from(&old.front.title);
        same_front.description.clone_from(&old.front.description);
        if same_front != old.front || page.path != old.path || page.is_section != old.is_section {
            return None;
        }
        if page.front == old.front && page.body == old.body && page.body_line == old.body_line {
            continue;
        }
        let retitled = page.front != old.front;
        edits.push(Edit {
            index,
            page,
            retitled,
        });
    }
    Some(edits)
}

/// Checks the links of the pages rendered again, and of every page linking to a fragment one of
/// them no longer has. `None` when one is broken (the full path reports it).
fn check_links(site: &Site, state: &Kept, redone: &[build::Redone]) -> Option<()> {
    let kept = &state.links;
    let targets = state
        .targets
        .get_or_init(|| crate::links::Targets::new(&state.names, kept));
    let mut all: Vec<&PageLinks> = kept.iter().map(|l| &**l).collect();
    let mut check = vec![false; all.len()];
    let mut lost: HashSet<&str> = HashSet::new();
    for (i, links, page, _) in redone {
        let old = kept.get(*i)?;
        lost.extend(old.ids.difference(&links.ids).map(String::as_str));
        all[*i] = links;
        check[*i] = page.links.is_none();
    }
    if !lost.is_empty() {
        // Any page with a link to a lost fragment, wherever it points: resolving every link of
        // the site would cost more than checking the few pages this finds.
        let linking: Vec<usize> = all
            .par_iter()
            .enumerate()
            .filter(|(_, l)| l.links().any(|link| links_to(link, &lost)))
            .map(|(k, _)| k)
            .collect();
        for k in linking {
            check[k] = true;
        }
    }
    let broken = crate::links::check_with(&all, targets, &site.config.base_path(), |k| check[k]);
    broken.is_empty().then_some(())
}

/// Whether `link` has a fragment in `ids` (percent-escapes decoded, as the link check does).
fn links_to(link: &str, ids: &HashSet<&str>) -> bool {
    let Some((_, fragment)) = link.split_once('#') else {
        return false;
    };
    if fragment.contains('%') {
        let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        ids.contains(decoded.as_ref())
    } else {
        ids.contains(fragment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_matched_as_the_link_check_reads_them() {
        let lost: HashSet<&str> = ["part", "café"].into_iter().collect();
        assert!(links_to("../a/index.html#part", &lost));
        assert!(links_to("#caf%C3%A9", &lost));
        assert!(links_to("b.html?x=1#part", &lost));
        assert!(!links_to("../a/index.html#partly", &lost));
        assert!(!links_to("../part/index.html", &lost));
        assert!(!links_to("#", &lost));
    }
}
