//! The build pipeline: load -> validate -> plan pages -> render (in parallel) -> check links ->
//! swap the finished output in. Nothing reaches the output folder unless every step succeeded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::derive::Derived;
use crate::error::{Diagnostic, Error, Result};
use crate::links::{self, PageLinks};
use crate::memo::{Fingerprint, PageOut, RenderMemo};
use crate::model::Site;
use crate::output::{self, Staging};
use crate::pages::{self, PageTree};
use crate::render::{RenderedPage, Renderer};
use crate::search::{self, IndexPart};
use crate::templates::{Parse, SiteTheme, ThemeFile};
use crate::{content, validate};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder, holding `site.yaml` and `content/`.
    pub root: PathBuf,
    /// Where to write; `root/public` when not given.
    pub output: Option<PathBuf>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output: None,
            drafts: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub pages: usize,
    pub files: usize,
    pub output: PathBuf,
}

/// Builds the site and swaps it into the output folder.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary> {
    let target = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join("public"));
    let target = output::check_target(&target, &opts.root)?;
    let staging = Staging::new(target)?;
    let (sites, theme) = load_with_theme(&opts.root, opts.drafts, Parse::Used)?;
    let (pages, files) = if sites.len() == 1 {
        let done = generate(&sites[0], &theme, Sink::Disk(&staging, ""), None)?;
        let counts = (done.pages, done.files.len());
        free_later(done);
        counts
    } else {
        let done = generate_languages(
            &sites,
            &theme,
            |site| Sink::Disk(&staging, &site.config.prefix),
            None,
        )?;
        let counts = (
            done.iter().map(|d| d.pages).sum(),
            done.iter().map(|d| d.files.len()).sum(),
        );
        free_later(done);
        counts
    };
    let output = staging.commit()?;
    free_later((sites, theme));
    Ok(BuildSummary {
        pages,
        files,
        output,
    })
}

/// Builds each language of a site published in several (`sites`, one per language, the
/// default first) into the sink `sink` gives it, then checks the links of every language
/// together: a page may link to another language's. With `memos` (the preview), one memo per
/// language.
pub fn generate_languages<'a>(
    sites: &'a [Site],
    theme: &SiteTheme,
    sink: impl Fn(&'a Site) -> Sink<'a>,
    memos: Option<&[RenderMemo]>,
) -> Result<Vec<Generated>> {
    let mut done = Vec::with_capacity(sites.len());
    let mut problems = Vec::new();
    for (n, site) in sites.iter().enumerate() {
        let memo = memos.and_then(|m| m.get(n));
        match generate_in_language(site, theme, sink(site), memo) {
            Ok(d) => done.push(d),
            Err(e) => problems.extend(e.diagnostics()),
        }
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut pages: Vec<Arc<PageLinks>> = Vec::new();
    for (d, site) in done.iter_mut().zip(sites) {
        if let Some((links, files)) = d.links.take() {
            let prefix = &site.config.prefix;
            names.extend(files.into_iter().map(|f| format!("{prefix}{f}")));
            pages.extend(links.into_iter().map(|l| {
                let mut l = (*l).clone();
                l.output.insert_str(0, prefix);
                Arc::new(l)
            }));
        }
    }
    let base_path = sites[0].config.base_path();
    let broken = links::check_some(&pages, &names, &base_path, |_| true);
    free_later((pages, names));
    if !broken.is_empty() {
        return Err(broken.into());
    }
    Ok(done)
}

/// Frees `value` on the thread pool rather than on the way out of a build. The pages and links
/// of a large site are hundreds of thousands of small allocations: freeing them one by one took
/// about 25 ms at the end of a 10,000-page build, which nothing needs to wait for (and `mps
/// build` exits before most of it is done).
fn free_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// Everything a build checks, without writing anything.
pub fn validate_only(root: &Path, drafts: bool) -> Result<usize> {
    let (sites, theme) = load_with_theme(root, drafts, Parse::All)?;
    if sites.len() == 1 {
        return generate(&sites[0], &theme, Sink::Nowhere, None).map(|done| done.pages);
    }
    let done = generate_languages(&sites, &theme, |_| Sink::Nowhere, None)?;
    Ok(done.iter().map(|d| d.pages).sum())
}

/// Loads and validates the site (one per language it is published in, the default first), and
/// loads its theme, parsing the templates `parse` says: they compile while the pages are read.
/// Problems with the pages are reported before problems with the theme.
fn load_with_theme(root: &Path, drafts: bool, parse: Parse) -> Result<(Vec<Site>, SiteTheme)> {
    let config = crate::config::SiteConfig::load(root)?;
    let theme_config = config.clone();
    let (sites, theme) = rayon::join(
        || load_languages(root, config, drafts),
        || SiteTheme::for_site_parsing(root, &theme_config, parse),
    );
    let (mut sites, theme) = (sites?, theme?);
    tie_languages(&mut sites, &theme);
    Ok((sites, theme))
}

/// Loads and validates the site in each language it is published in (the default first,
/// whose `site.yaml` is `config`), and tells each what the others have.
pub fn load_languages(
    root: &Path,
    config: crate::config::SiteConfig,
    drafts: bool,
) -> Result<Vec<Site>> {
    if !config.is_multilingual() {
        return Ok(vec![
            content::load_with(root, config, drafts).and_then(checked)?
        ]);
    }
    let others: Vec<String> = config.languages()[1..]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut loaded = vec![content::load_with(root, config, drafts).and_then(checked)];
    loaded.extend(
        others
            .par_iter()
            .map(|lang| {
                let config = crate::config::SiteConfig::load_in(root, Some(lang))?;
                content::load_with(root, config, drafts).and_then(checked)
            })
            .collect::<Vec<_>>(),
    );
    let mut sites = Vec::with_capacity(loaded.len());
    let mut problems = Vec::new();
    for site in loaded {
        match site {
            Ok(s) => sites.push(s),
            Err(e) => problems.extend(e.diagnostics()),
        }
    }
    // Crawlers read robots.txt at the top of a site only: a site's own is published there once.
    for site in sites.iter_mut().skip(1) {
        site.assets
            .retain(|(rel, _)| rel != crate::feeds::ROBOTS_FILE);
    }
    // A file of the default language's inside another language's folder would be published
    // where that language's pages are (`static/cy/index.html` over the Welsh home page).
    let prefixes: Vec<&str> = sites
        .iter()
        .skip(1)
        .map(|s| s.config.prefix.as_str())
        .collect();
    for (rel, path) in sites.first().iter().flat_map(|s| &s.assets) {
        if let Some(prefix) = prefixes.iter().find(|p| rel.starts_with(**p)) {
            problems.push(
                Diagnostic::error(path, format!("this file would be published in `{prefix}`, where the site's `{}` pages are", prefix.trim_end_matches('/')))
                    .help(format!("move it out of the {prefix} folder: each language's pages are published there, and a file for every language belongs outside it")),
            );
        }
    }
    if !problems.is_empty() {
        return Err(crate::error::Diagnostics::sorted(problems).0.into());
    }
    Ok(sites)
}

/// Tells each language of a site in several (`sites`, from [`load_languages`]) what pages the
/// others have, with the theme's words for the language switcher.
pub fn tie_languages(sites: &mut [Site], theme: &SiteTheme) {
    if sites.len() < 2 {
        return;
    }
    let list = sites
        .iter()
        .map(|site| crate::translations::LanguagePages {
            code: site.config.language.clone(),
            words: theme.language_words(&site.config.language),
            prefix: site.config.prefix.clone(),
            pages: site
                .pages
                .iter()
                .map(|p| (p.path.clone(), !p.untranslated))
                .collect(),
        })
        .collect();
    let languages = Arc::new(crate::translations::Languages { list });
    for site in sites {
        site.languages = Some(languages.clone());
    }
}

/// Loads and validates the site (in its default language).
pub fn load(root: &Path, drafts: bool) -> Result<Site> {
    let site = content::load(root, drafts)?;
    checked(site)
}

/// `site` if it is valid.
pub fn checked(site: Site) -> Result<Site> {
    let problems = validate::validate(&site);
    if !problems.is_empty() {
        return Err(problems.into());
    }
    Ok(site)
}

/// One file of a finished build, as the preview holds it in memory.
#[derive(Debug, Clone)]
pub enum FileBody {
    Bytes(Arc<[u8]>),
    Html(Arc<str>),
    /// A file copied as it is (the site's or a theme's static file): read when asked for.
    Disk(PathBuf),
    BuiltIn(&'static [u8]),
}

fn index_error(site: &Site, e: serde_json::Error) -> Diagnostic {
    Diagnostic::error(
        site.root.join("site.yaml"),
        format!("could not write the search index: {e}"),
    )
    .help("this is a bug in mps; please report it")
}

/// Where a build's files go.
pub enum Sink<'a> {
    /// Written to the staging folder (under the folder named by the second field, such as
    /// `cy/` for a language other than the default) as they are made; nothing is kept in memory.
    Disk(&'a Staging, &'a str),
    /// Kept in memory (the preview serves them from there).
    Memory,
    /// Checked, then dropped (`mps check`).
    Nowhere,
}

impl Sink<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Vec<Diagnostic>> {
        match self {
            Sink::Disk(s, "") => s.write(rel, bytes).map_err(|e| e.diagnostics()),
            Sink::Disk(s, prefix) => s
                .write(&format!("{prefix}{rel}"), bytes)
                .map_err(|e| e.diagnostics()),
            _ => Ok(()),
        }
    }
}

/// A page rendered and written, with its links and its search-index entry.
type PageDone = Result<(Arc<PageLinks>, RenderedPage, Option<IndexPart>), Vec<Diagnostic>>;

/// Renders page `i` (in `ctx`, see [`Renderer::context`]), writes it to `sink`, reads its links
/// and makes its search-index entry.
fn finish_page(
    renderer: &Renderer,
    ctx: &mut tera::Context,
    i: usize,
    sink: &Sink,
    memo: Option<&RenderMemo>,
) -> PageDone {
    let mut page = renderer.render(ctx, i, memo)?;
    sink.write(&page.output, page.html.as_bytes())?;
    // A page nothing keeps (a full build's) hands over what it found rather than copying it.
    let kept = matches!(sink, Sink::Memory) || memo.is_some();
    let links = match &page.links {
        Some(l) => l.clone(),
        None => {
            let mut l = links::scan(
                &page.output,
                &page.html,
                page.source.clone(),
                &page.template,
            );
            if let Some((_, _, md)) = &mut page.markdown {
                l.markdown = match Arc::get_mut(md) {
                    Some(md) if !kept => std::mem::take(&mut md.links),
                    _ => md.links.clone(),
                };
            }
            l.template_file = renderer.theme().template_files.get(&page.template).cloned();
            Arc::new(l)
        }
    };
    let words = page.markdown.as_ref().map(|(_, _, md)| md.words.as_str());
    let entry = renderer
        .search_entry(i, words)
        .map(|e| e.serialised())
        .transpose()
        .map_err(|e| vec![index_error(renderer.site(), e)])?;
    if !kept {
        // Written already, and its words are in the index entry: do not hold every page in
        // memory until the end.
        page.html = Arc::from("");
        page.markdown = None;
    }
    Ok((links, page, entry))
}

/// What a preview build keeps besides its memo, so that the next build can redo a few pages
/// without planning, deriving or indexing the whole site again (see `serve::rebuild`).
#[derive(Debug)]
pub struct Kept {
    pub tree: PageTree,
    pub derived: Arc<Derived>,
    /// Every page's search-index entry, by address (the index is their concatenation).
    pub index: BTreeMap<String, Arc<IndexPart>>,
    /// Every file of the site: what links may point to.
    pub names: BTreeSet<String>,
    /// Every page's links, in the order of `tree.pages`.
    pub links: Vec<Arc<PageLinks>>,
    /// `names` and the pages' output files as the link check looks them up, made when first
    /// needed: a quick rebuild changes neither.
    pub targets: std::sync::OnceLock<crate::links::Targets>,
}

/// A page redone by [`render_pages`]: its tree index, links, rendering and search entry.
pub type Redone = (usize, Arc<PageLinks>, RenderedPage, Option<IndexPart>);

/// Renders pages `which` of `tree` (the preview's pages of a site whose plan and derived facts
/// are unchanged), each reused from `memo` when its inputs hash the same. Errors as `generate`
/// reports them.
pub fn render_pages(
    site: &Site,
    theme: &SiteTheme,
    tree: &PageTree,
    derived: &Derived,
    memo: &RenderMemo,
    which: &[usize],
) -> Result<Vec<Redone>> {
    let renderer = Renderer::new(site, tree, theme, derived);
    let results: Vec<PageDone> = which
        .par_iter()
        .map_init(
            || renderer.context(),
            |ctx, &i| finish_page(&renderer, ctx, i, &Sink::Memory, Some(memo)),
        )
        .collect();
    let (rendered, entries) = collect_pages(results)?;
    let mut entries = entries.into_iter().peekable();
    let mut out = Vec::with_capacity(rendered.len());
    for (&i, (links, page)) in which.iter().zip(rendered) {
        // Entries come in page order, one per searchable page: match them up by address.
        let entry = entries.next_if(|e| e.url() == page.output);
        out.push((i, links, page, entry));
    }
    Ok(out)
}

/// What [`generate`] made.
#[derive(Debug, Default)]
pub struct Generated {
    pub pages: usize,
    /// Pages rendered by this build rather than reused from the memo.
    pub rendered: usize,
    /// Every file of the site; with bodies only for [`Sink::Memory`].
    pub files: BTreeMap<String, Option<FileBody>>,
    /// The pages and Markdown rendered, for the next preview build (only with a memo).
    pub memo: Option<RenderMemo>,
    /// The plan, facts, index entries and file names, for the next preview build (only with a
    /// memo).
    pub kept: Option<Kept>,
    /// Every page's links and every file's name, when the links are left to be checked with
    /// the other languages' (see [`generate_languages`]).
    pub links: Option<(Vec<Arc<PageLinks>>, BTreeSet<String>)>,
}

/// Renders a loaded, valid site into `sink`. With `memo` (the preview), pages whose inputs are
/// unchanged since the build that made the memo are reused rather than rendered again.
///
/// The steps: derive the facts, plan the pages, render them (while the files made from the
/// whole site are made), place the static files and the made files beside them, then write
/// those while the links are checked.
pub fn generate(
    site: &Site,
    theme: &SiteTheme,
    sink: Sink,
    memo: Option<&RenderMemo>,
) -> Result<Generated> {
    generate_checking(site, theme, sink, memo, true)
}

/// [`generate`] for one language of a site in several: the links are left for
/// [`generate_languages`] to check, in `Generated::links`.
fn generate_in_language(
    site: &Site,
    theme: &SiteTheme,
    sink: Sink,
    memo: Option<&RenderMemo>,
) -> Result<Generated> {
    generate_checking(site, theme, sink, memo, false)
}

/// [`generate`], checking the links when `check_links`, else handing them back.
fn generate_checking(
    site: &Site,
    theme: &SiteTheme,
    sink: Sink,
    memo: Option<&RenderMemo>,
    check_links: bool,
) -> Result<Generated> {
    // The words of this pass's language: dates, counts and chart summaries are written in
    // them, and templates see them as `words`.
    let words = theme.words_for(&site.config.language)?;
    let derived = Derived::new(site, words.clone());
    let tree = pages::plan(site, theme, &derived.paths, &derived.words).map_err(Error::from)?;
    // `mps build` parses only the templates the planned pages use (`mps check` parses all).
    let parsed = match theme.parse_used(tree.pages.iter().map(|p| p.template.as_str()), &words) {
        Ok(parsed) => parsed,
        Err(e) => {
            free_later((tree, derived));
            return Err(e);
        }
    };
    let theme = parsed.as_ref().unwrap_or(theme);
    let kept = generate_in(site, theme, sink, memo, &tree, &derived, check_links);
    let kept = match kept {
        Ok(k) => k,
        Err(e) => {
            free_later((tree, derived));
            return Err(e);
        }
    };
    Ok(match kept {
        (mut done, Some((index, names, links))) => {
            done.kept = Some(Kept {
                tree,
                derived,
                index,
                names,
                links,
                targets: std::sync::OnceLock::new(),
            });
            done
        }
        (done, None) => {
            free_later((tree, derived));
            done
        }
    })
}

/// Index entries by address, file names and pages' links, kept for the next preview build.
type KeptParts = (
    BTreeMap<String, Arc<IndexPart>>,
    BTreeSet<String>,
    Vec<Arc<PageLinks>>,
);

/// [`generate`] once the facts are derived and the pages planned.
fn generate_in(
    site: &Site,
    theme: &SiteTheme,
    sink: Sink,
    memo: Option<&RenderMemo>,
    tree: &PageTree,
    derived: &Derived,
    check_links: bool,
) -> Result<(Generated, Option<KeptParts>)> {
    let renderer = Renderer::new(site, tree, theme, derived);

    let keep_html = matches!(sink, Sink::Memory);
    // The files made from the whole site are made while the pages render: nothing waits for
    // them at the end.
    let (results, extra): (Vec<PageDone>, _) = rayon::join(
        || {
            (0..tree.pages.len())
                .into_par_iter()
                .map_init(
                    || renderer.context(),
                    |ctx, i| finish_page(&renderer, ctx, i, &sink, memo),
                )
                .collect()
        },
        || crate::extras::files(site, tree, derived, theme),
    );
    let (rendered, entries) = collect_pages(results)?;
    // A reused page is one that came with its links.
    let reused: Vec<bool> = rendered.iter().map(|(_, p)| p.links.is_some()).collect();
    let (mut files, mut next_memo) = record_pages(&rendered, keep_html, memo);
    let mut problems = Vec::new();
    let copies = place_assets(site, theme, &sink, &mut files, &mut problems);
    let to_write = place_made_files(site, extra, &mut files, &mut problems);

    let names: BTreeSet<String> = files.keys().cloned().collect();
    let pages = rendered.len();
    let scanned: Vec<Arc<PageLinks>> = rendered.into_iter().map(|(l, _)| l).collect();
    let kept_index: Option<BTreeMap<String, Arc<IndexPart>>> = memo.map(|_| {
        entries
            .iter()
            .map(|e| (e.url().to_string(), Arc::new(e.clone())))
            .collect()
    });
    let targets = next_memo.as_ref().and_then(|_| {
        let mut f = Fingerprint::new(0);
        f.add("files", &names);
        for l in &scanned {
            f.add(&l.output, &l.ids);
        }
        f.finish()
    });
    let unchanged_targets = targets.is_some() && memo.and_then(|m| m.link_targets) == targets;
    // The files made from the whole site (the largest of a build) are written while the links
    // are checked.
    let ((written, mut index), broken) = rayon::join(
        || write_files(&sink, &to_write, &copies, entries),
        || {
            if !check_links {
                return Vec::new();
            }
            links::check_some(&scanned, &names, &site.config.base_path(), |i| {
                !(unchanged_targets && reused[i])
            })
        },
    );
    for w in written {
        if let Err(mut d) = w {
            problems.append(&mut d);
        }
    }
    problems.extend(broken);
    let handed = (!check_links).then(|| (scanned.clone(), names.clone()));
    let scanned = match memo {
        Some(_) => Some(scanned),
        None => {
            free_later(scanned);
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems.into());
    }
    if keep_html {
        for (rel, bytes) in to_write {
            let bytes = bytes.unwrap_or_else(|| std::mem::take(&mut index));
            files.insert(rel, Some(FileBody::Bytes(Arc::from(bytes))));
        }
    }
    if let Some(m) = next_memo.as_mut() {
        m.link_targets = targets;
    }
    Ok((
        Generated {
            pages,
            rendered: reused.iter().filter(|r| !**r).count(),
            files,
            memo: next_memo,
            kept: None,
            links: handed,
        },
        kept_index
            .zip(scanned)
            .map(|(index, links)| (index, names, links)),
    ))
}

/// A rendered page with its links.
type Rendered = (Arc<PageLinks>, RenderedPage);

/// The rendered pages and their search-index entries, or every problem the pages had (one
/// template mistake reported once, not once per page).
fn collect_pages(results: Vec<PageDone>) -> Result<(Vec<Rendered>, Vec<IndexPart>)> {
    let mut problems = Vec::new();
    let mut rendered = Vec::with_capacity(results.len());
    let mut entries = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((links, page, entry)) => {
                rendered.push((links, page));
                entries.extend(entry);
            }
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return Err(crate::templates::collapse_page_repeats(problems).into());
    }
    Ok((rendered, entries))
}

/// Every page among the site's files (with its HTML when `keep_html`), and the memo for the
/// next preview build (only with a memo).
fn record_pages(
    rendered: &[Rendered],
    keep_html: bool,
    memo: Option<&RenderMemo>,
) -> (BTreeMap<String, Option<FileBody>>, Option<RenderMemo>) {
    let mut files: BTreeMap<String, Option<FileBody>> = BTreeMap::new();
    let mut next_memo = memo.map(|_| RenderMemo::default());
    for (links, page) in rendered {
        let body = keep_html.then(|| FileBody::Html(page.html.clone()));
        files.insert(page.output.clone(), body);
        if let Some(m) = next_memo.as_mut() {
            if let Some((rel, Some(key), md)) = &page.markdown {
                m.markdown.insert(rel.clone(), (*key, md.clone()));
            }
            if let Some(f) = page.fingerprint {
                m.pages.insert(
                    page.output.clone(),
                    PageOut {
                        fingerprint: f,
                        html: page.html.clone(),
                        links: links.clone(),
                    },
                );
            }
        }
    }
    (files, next_memo)
}

/// Adds the theme's and the site's static files to `files` (the site's win over the theme's
/// of the same name; neither may replace a page). Returns the files to copy to the disk.
fn place_assets(
    site: &Site,
    theme: &SiteTheme,
    sink: &Sink,
    files: &mut BTreeMap<String, Option<FileBody>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, ThemeFile)> {
    let mut assets: BTreeMap<String, ThemeFile> = theme.assets.iter().cloned().collect();
    for (rel, path) in &site.assets {
        assets.insert(rel.clone(), ThemeFile::Disk(path.clone()));
    }
    let mut copies = Vec::new();
    for (rel, file) in assets {
        if files.contains_key(&rel) {
            let shown = match &file {
                ThemeFile::Disk(p) => p.clone(),
                ThemeFile::BuiltIn(_) => PathBuf::from("(built-in theme)").join(&rel),
            };
            problems.push(
                Diagnostic::error(shown, format!("this file would replace the page `{rel}`"))
                    .help("rename the file or move it to another folder"),
            );
            continue;
        }
        let body = match (sink, &file) {
            (Sink::Disk(..), _) => {
                // Copied beside the link check.
                copies.push((rel.clone(), file));
                None
            }
            (Sink::Memory, ThemeFile::Disk(p)) => Some(FileBody::Disk(p.clone())),
            (Sink::Memory, ThemeFile::BuiltIn(bytes)) => Some(FileBody::BuiltIn(bytes)),
            (Sink::Nowhere, _) => None,
        };
        files.insert(rel, body);
    }
    copies
}

/// A file made from the whole site: its bytes, or `None` for the search index, which is put
/// together beside the link check.
type Made = (String, Option<Vec<u8>>);

/// Adds the files made from the whole site to `files`, unless a static file of the site takes
/// the name (only `extras::REPLACEABLE` ones may). Returns the files to write.
fn place_made_files(
    site: &Site,
    extra: Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>>,
    files: &mut BTreeMap<String, Option<FileBody>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Made> {
    let mut made: Vec<Made> = vec![(search::INDEX_FILE.to_string(), None)];
    match extra {
        Ok(extra) => made.extend(extra.into_iter().map(|(rel, bytes)| (rel, Some(bytes)))),
        Err(mut d) => problems.append(&mut d),
    }
    let mut to_write = Vec::with_capacity(made.len());
    for (rel, bytes) in made {
        if files.contains_key(&rel) {
            if !crate::extras::REPLACEABLE.contains(&rel.as_str()) {
                let own = site
                    .assets
                    .iter()
                    .find(|(r, _)| *r == rel)
                    .map(|(_, p)| p.clone())
                    .unwrap_or_else(|| site.root.join("static").join(&rel));
                problems.push(
                    Diagnostic::error(
                        own,
                        format!("this file would replace `{rel}`, which mps writes"),
                    )
                    .help("rename the file or move it to another folder"),
                );
            }
            continue;
        }
        files.insert(rel.clone(), None);
        to_write.push((rel, bytes));
    }
    to_write
}

/// Writes the made files (the search index from `entries`) and copies the static files to
/// `sink`. Returns each write's outcome, and the search index.
fn write_files(
    sink: &Sink,
    to_write: &[Made],
    copies: &[(String, ThemeFile)],
    entries: Vec<IndexPart>,
) -> (Vec<Result<(), Vec<Diagnostic>>>, Vec<u8>) {
    let index = search::index_json(entries);
    let mut written = to_write
        .par_iter()
        .map(|(rel, bytes)| sink.write(rel, bytes.as_deref().unwrap_or(&index)))
        .collect::<Vec<_>>();
    if let Sink::Disk(s, prefix) = sink {
        written.par_extend(copies.par_iter().map(|(rel, file)| {
            let rel = &format!("{prefix}{rel}");
            match file {
                ThemeFile::Disk(p) => s.copy(rel, p),
                ThemeFile::BuiltIn(bytes) => s.write(rel, bytes),
            }
            .map_err(|e| e.diagnostics())
        }));
    }
    (written, index)
}
