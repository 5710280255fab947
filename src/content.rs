//! Loading a site from disk: `site.yaml`, the Markdown pages under `content/`, the data files in
//! `content/data/`, and the static files to copy. Produces an unvalidated [`Site`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::error::{Diagnostic, Error, Result};
use crate::model::{
    Data, DataSources, FiguresFile, FrontMatter, PrinciplesFile, ProcurementPlan, Site, SourcePage,
    ThemesFile,
};

/// The data files `mps` understands, in `content/data/`.
pub const DATA_FILES: &[&str] = &[
    "themes.yaml",
    "principles.yaml",
    "framework.yaml",
    "plan.yaml",
    "figures.yaml",
    "charts.yaml",
];

/// Files editors leave behind while saving, backups, and hidden files: never content. The one
/// rule for loading and for the preview's watcher, so that what a build ignores never starts
/// one either.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.ends_with(".orig")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Loads everything under `root`. `drafts` keeps pages marked `draft: true`.
pub fn load(root: &Path, drafts: bool) -> Result<Site> {
    load_with(root, SiteConfig::load(root)?, drafts)
}

/// Like [`load`], with `site.yaml` already read into `config`.
pub fn load_with(root: &Path, config: SiteConfig, drafts: bool) -> Result<Site> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Diagnostic::error(&content, "the content folder is missing")
            .help("create content/ beside site.yaml, with at least content/_index.md for the home page")
            .into());
    }

    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    let mut data_files = Vec::new();
    let mut problems = Vec::new();
    let mut market_files = Vec::new();
    let mut plan_files = Vec::new();
    let mut folders = Vec::new();
    let found = walk(root, &content, &mut problems, &mut folders)?;
    if !folders.is_empty() {
        // Whatever else would be reported follows from the file being missing.
        return Err(folders.into());
    }
    for (rel, path) in found {
        if let Some(name) = rel.strip_prefix("data/") {
            // content/data/ holds the site's data and is never published as it is.
            if let Some(file) = name.strip_prefix("markets/") {
                // One file per market; anything else there (notes) is neither data nor published.
                if file.ends_with(".yaml") || file.ends_with(".yml") {
                    market_files.push(path);
                }
                continue;
            }
            if let Some(file) = name.strip_prefix("plan/") {
                // One file per edition of the plan: `plan/2019-20.yaml`.
                match file.strip_suffix(".yaml") {
                    Some(slug) if !slug.contains('/') => plan_files.push((slug.to_string(), path)),
                    _ => problems.push(unknown_data_file(name, &path)),
                }
                continue;
            }
            match DATA_FILES.iter().find(|k| **k == name) {
                Some(key) => data_files.push((*key, path)),
                None => problems.push(unknown_data_file(name, &path)),
            }
        } else if rel.ends_with(".md") {
            markdown.push((rel, path));
        } else {
            assets.push((rel, path));
        }
    }
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        // Published as they are: a folder there is just a folder, whatever its name.
        assets.extend(walk(root, &static_dir, &mut problems, &mut Vec::new())?);
    }
    assets.sort();

    if !markdown.iter().any(|(rel, _)| rel == "_index.md") {
        problems.push(if markdown.is_empty() && data_files.is_empty() {
            Diagnostic::error(&content, "the content folder has no pages")
                .help("a site needs site.yaml and at least content/_index.md, the home page, starting with front matter such as `---`, `title: Home`, `---`; `mps init DIR` makes a complete example site to start from")
        } else {
            Diagnostic::error(content.join("_index.md"), "the home page is missing")
                .help("create content/_index.md, starting with front matter such as `---`, `title: Home`, `---`, then the home page's text")
        });
    }

    let mut untranslated = Vec::new();
    let markdown = in_language(markdown, &config, &mut problems);
    let loaded: Vec<Result<Option<SourcePage>, Diagnostic>> = markdown
        .par_iter()
        .map(|(rel, file, default)| {
            let own = load_page(rel, file, drafts)?;
            match (own, default) {
                // A translation marked as a draft is not published: the page is untranslated.
                (None, Some(default)) if file != default => Ok(load_page(rel, default, drafts)?
                    .map(|mut p| {
                        p.untranslated = true;
                        p
                    })),
                (mut own, _) => {
                    if let Some(p) = own.as_mut() {
                        p.untranslated = default.as_ref() == Some(file);
                        if let Some(default) = default.as_ref().filter(|d| *d != file) {
                            if !same_kind(p, default, drafts)? {
                                // The page itself is a draft: so is every translation of it.
                                return Ok(None);
                            }
                        }
                    }
                    Ok(own)
                }
            }
        })
        .collect();
    let mut pages = Vec::with_capacity(loaded.len());
    for page in loaded {
        match page {
            Ok(Some(p)) => {
                if p.untranslated {
                    untranslated.push(untranslated_page(&p, &config));
                }
                pages.push(p);
            }
            Ok(None) => {}
            Err(d) => problems.push(d),
        }
    }

    if let (Some((_, single)), Some((_, first))) = (
        data_files.iter().find(|(k, _)| *k == "plan.yaml"),
        plan_files.first(),
    ) {
        problems.push(
            Diagnostic::error(
                single,
                format!(
                    "the plan is given twice: here and in the editions folder ({})",
                    first.display()
                ),
            )
            .at(Some(1), Some(1))
            .help("keep one: a site with one plan has content/data/plan.yaml; a site that keeps earlier editions has one file per edition in content/data/plan/ (such as 2019-20.yaml), with `current: true` in one of them, and no plan.yaml"),
        );
    }
    plan_files.sort();

    let mut data_untranslated = Vec::new();
    let loaded = load_data(
        &data_files,
        &market_files,
        &plan_files,
        &config,
        &mut data_untranslated,
    );
    let (data, data_sources) = match loaded {
        Ok(d) => d,
        Err(mut d) => {
            problems.append(&mut d);
            Default::default()
        }
    };
    untranslated_text(
        &root.join("site.yaml"),
        &config.untranslated,
        &config.positions,
        &config,
        &mut untranslated,
    );
    untranslated.append(&mut data_untranslated);
    if !config.translations.fallback {
        // Nothing is published in the default language's words in its place.
        problems.extend(untranslated.drain(..).map(Diagnostic::into_error));
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }
    Ok(Site {
        root: root.to_path_buf(),
        config,
        pages,
        data,
        data_sources,
        assets,
        untranslated,
        languages: None,
    })
}

/// The Markdown files of the language `config` is for, as (address of the page's default
/// language file, file to read, the default language's file when that is what is read or what
/// a draft translation falls back to). One language publishes `page.md`; another publishes
/// `page.cy.md` in its place, or `page.md` as untranslated where the site has no translation.
fn in_language(
    markdown: Vec<(String, PathBuf)>,
    config: &SiteConfig,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf, Option<PathBuf>)> {
    if !config.is_multilingual() {
        return markdown.into_iter().map(|(r, p)| (r, p, None)).collect();
    }
    let others: Vec<&str> = config.languages()[1..].to_vec();
    // The language of a translation's file name: `framework.cy.md` -> (`framework.md`, `cy`).
    let translation_of = |rel: &str| -> Option<(String, &str)> {
        let stem = rel.strip_suffix(".md")?;
        let (base, code) = stem.rsplit_once('.')?;
        // `page.cy.md` is Welsh whether the site names it `cy` or `cy-GB`.
        let lang = others.iter().find(|l| {
            l.eq_ignore_ascii_case(code)
                || l.split_once('-')
                    .is_some_and(|(primary, _)| primary.eq_ignore_ascii_case(code))
        })?;
        Some((format!("{base}.md"), *lang))
    };
    let mut defaults: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut mine: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (rel, path) in markdown {
        let top = rel.split('/').next().unwrap_or("");
        if rel.contains('/')
            && others
                .iter()
                .any(|l| crate::config::language_folder(l).trim_end_matches('/') == top)
        {
            problems.push(
                Diagnostic::error(&path, format!("content/{top}/ is where the site's `{top}` pages are published"))
                    .help(format!("a page of another language sits beside its default language's page (framework.{top}.md beside framework.md); move this page there, or rename the folder")),
            );
            continue;
        }
        match translation_of(&rel) {
            Some((base, lang)) => {
                if lang.eq_ignore_ascii_case(&config.language) {
                    mine.insert(base, path);
                }
            }
            None => {
                defaults.insert(rel, path);
            }
        }
    }
    let is_default = config.is_default_language(&config.language);
    let mut out = Vec::with_capacity(defaults.len());
    for (rel, default) in &defaults {
        match mine.remove(rel) {
            Some(own) if !is_default => out.push((rel.clone(), own, Some(default.clone()))),
            _ if is_default => out.push((rel.clone(), default.clone(), None)),
            _ => out.push((rel.clone(), default.clone(), Some(default.clone()))),
        }
    }
    // A page only this language has.
    out.extend(mine.into_iter().map(|(rel, own)| (rel, own, None)));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A translation (`p`) is made into the same kind of page as the default language's file
/// `default`: otherwise the languages' pages would not match, and links between them break.
/// False when the default language's page is a draft left out of this build.
fn same_kind(p: &SourcePage, default: &Path, drafts: bool) -> Result<bool, Diagnostic> {
    let text = crate::source::read_text(default, None)?;
    let Ok(original) = parse_page(&p.rel, default, &text) else {
        // The default language's build reports what is wrong with it.
        return Ok(true);
    };
    if original.front.draft && !drafts {
        return Ok(false);
    }
    for (key, mine, theirs) in [
        (
            "generate",
            p.front.generate.map(|g| format!("{g:?}").to_lowercase()),
            original
                .front
                .generate
                .map(|g| format!("{g:?}").to_lowercase()),
        ),
        (
            "template",
            p.front.template.clone(),
            original.front.template.clone(),
        ),
    ] {
        if mine != theirs {
            let name = default
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let want = match &theirs {
                Some(v) => format!("write `{key}: {v}` in its front matter, as {name} has"),
                None => format!("remove `{key}:` from its front matter: {name} has none"),
            };
            let (line, column) = match p.front_positions.get(key) {
                Some(pos) => pos.at(),
                None => (Some(1), Some(1)),
            };
            return Err(Diagnostic::error(
                &p.file,
                format!("this translation's `{key}` is not the same as {name}'s"),
            )
            .at(line, column)
            .help(format!(
                "a translation makes the same kind of page as the page it translates: {want}"
            )));
        }
    }
    Ok(true)
}

/// The warning that page `p` has no translation into the language `config` is for.
fn untranslated_page(p: &SourcePage, config: &SiteConfig) -> Diagnostic {
    let name = p
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let own = format!(
        "{}.{}.md",
        name.strip_suffix(".md").unwrap_or(&name),
        config.language
    );
    let draft = p.file.with_file_name(&own).is_file();
    let help = if draft {
        // `mps new page` starts a translation as a draft, which leaves the page untranslated.
        format!(
            "{own} beside it is a draft: translate it, then remove `draft: true` from its front matter{}",
            fallback_help(config)
        )
    } else {
        let stem = p.rel.strip_suffix(".md").unwrap_or(&p.rel);
        format!(
            "write {own} beside it, with the page's front matter and text in that language (`mps new page {stem}.{}` starts one){}",
            config.language,
            fallback_help(config)
        )
    };
    Diagnostic::warning(
        &p.file,
        format!("this page has no `{}` translation", config.language),
    )
    .help(help)
}

fn fallback_help(config: &SiteConfig) -> &'static str {
    if config.translations.fallback {
        "; until then the default language's words are published in its place"
    } else {
        "; or set `translations: fallback: true` in site.yaml to publish the default language's text until it is translated"
    }
}

/// Warnings for each text at `paths` of `file` with no words of the language `config` is for.
fn untranslated_text(
    file: &Path,
    paths: &[String],
    positions: &crate::yaml::Positions,
    config: &SiteConfig,
    out: &mut Vec<Diagnostic>,
) {
    for path in paths {
        // A list item is written `- {en-GB: ..., cy: ...}`; a key `key: {en-GB: ..., cy: ...}`.
        let key = if path.ends_with(']') {
            "-".to_string()
        } else {
            let k = path.rsplit(['.', ']']).next().unwrap_or(path);
            format!("{k}:")
        };
        out.push(
            Diagnostic::warning(
                file,
                format!("`{path}` has no `{}` translation", config.language),
            )
            .at_pos(positions.nearest(path))
            .help(format!(
                "give it per language, such as `{key} {{{}: ..., {}: ...}}`{}",
                config.default_language(),
                config.language,
                fallback_help(config)
            )),
        );
    }
}
/// A file in `content/data/` that is not one of [`DATA_FILES`]: never published, never
/// ignored without a word.
fn unknown_data_file(name: &str, path: &Path) -> Diagnostic {
    let mut help = match crate::error::closest(name, DATA_FILES.iter().copied()) {
        Some(best) => format!("did you mean {best}? "),
        None => String::new(),
    };
    if name.starts_with("plan/") {
        help.push_str("content/data/plan/ holds only the editions of the plan, one YAML file each named after its period (such as 2024-25.yaml); rename this file, or move it out of content/data/ (to content/ or static/ if it should be published)");
    } else {
        help.push_str(&format!(
            "content/data/ holds only the data files {}, and the folders markets/ (one YAML file per market) and plan/ (one YAML file per edition of the plan); rename this file, or move it out of content/data/ (to content/ or static/ if it should be published)",
            DATA_FILES.join(", ")
        ));
    }
    Diagnostic::error(path, format!("`{name}` is not a data file mps knows")).help(help)
}

/// Files under `dir` (inside the site at `root`), sorted, as (path relative to `dir` with `/`
/// separators, path on disk), without hidden files, editors' files and backups.
///
/// A symbolic link is followed when what it points to is inside the site folder; one that
/// leads out of the site, or to nothing, is a problem added to `problems`, never skipped
/// without a word. A folder named like a file mps reads (`themes.yaml/`, `_index.md/`) is added
/// to `folders`: without this, its file would only be missing, and reported as what follows
/// from that.
fn walk(
    root: &Path,
    dir: &Path,
    problems: &mut Vec<Diagnostic>,
    folders: &mut Vec<Diagnostic>,
) -> Result<Vec<(String, PathBuf)>> {
    let site = root
        .canonicalize()
        .map_err(|e| Error::io("could not read", root, e))?;
    let mut files = Vec::new();
    let mut refused: Vec<Diagnostic> = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && is_editor_temp(&e.file_name().to_string_lossy()) {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            match e.path().canonicalize() {
                Ok(target) if target.starts_with(&site) => true,
                Ok(target) => {
                    refused.push(
                        Diagnostic::error(
                            e.path(),
                            format!(
                                "this is a link to {}, which is outside the site folder",
                                target.display()
                            ),
                        )
                        .help("mps reads only files inside the site folder, so that a site builds the same everywhere; copy the file into the site instead of linking to it"),
                    );
                    false
                }
                // A link to nothing: walkdir reports it below with its path.
                Err(_) => true,
            }
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                files.push((rel_path(dir, e.path()), e.path().to_path_buf()));
            }
            Ok(e) if e.depth() > 0 && e.file_type().is_dir() => {
                let name = e.file_name().to_string_lossy();
                if [".md", ".yaml", ".yml"].iter().any(|x| name.ends_with(x)) {
                    folders.push(
                        Diagnostic::error(e.path(), format!("`{name}` is a folder, not a file"))
                            .help(format!(
                                "mps reads `{name}` as a file: move anything inside this folder elsewhere, remove the folder, and create the file {name} in its place"
                            )),
                    );
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                if err.loop_ancestor().is_some() {
                    problems.push(
                        Diagnostic::error(&path, "this link points back to a folder that holds it")
                            .help(
                                "remove the link: it would make the folder contain itself for ever",
                            ),
                    );
                } else if path.is_symlink() && links_in_a_loop(&path) {
                    problems.push(
                        Diagnostic::error(
                            &path,
                            "this link points to itself (or to a link that leads back to it)",
                        )
                        .help("remove the link, or make it point to a file inside the site folder"),
                    );
                } else if path.is_symlink() && !path.exists() {
                    let to = std::fs::read_link(&path).unwrap_or_default();
                    problems.push(
                        Diagnostic::error(
                            &path,
                            format!("this is a link to {}, which does not exist", to.display()),
                        )
                        .help("remove the link, or make it point to a file inside the site folder"),
                    );
                } else {
                    let io = err
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("unreadable folder"));
                    return Err(Error::io("could not read", path, io));
                }
            }
        }
    }
    problems.append(&mut refused);
    Ok(files)
}

/// Whether following the link at `path` (and the links it leads to) comes back to a link
/// already passed, as `ln -s loop loop` does.
fn links_in_a_loop(path: &Path) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut at = path.to_path_buf();
    // The kernel gives up after 40 links: so does this.
    for _ in 0..40 {
        if !seen.insert(at.clone()) {
            return true;
        }
        match std::fs::read_link(&at) {
            Ok(to) => at = at.parent().unwrap_or(Path::new("")).join(to),
            Err(_) => return false,
        }
    }
    true
}

fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The site path of a Markdown file: `_index.md` -> ``, `plan/_index.md` -> `plan/`,
/// `plan/largest.md` -> `plan/largest/`.
pub fn site_path(rel: &str) -> String {
    crate::urls::site_path_of(rel)
}

fn load_page(rel: &str, file: &Path, drafts: bool) -> Result<Option<SourcePage>, Diagnostic> {
    let text = crate::source::read_text(file, None)?;
    let page = parse_page(rel, file, &text)?;
    if page.front.draft && !drafts && rel == "_index.md" {
        // Without the home page every link to it breaks; one error says why instead.
        let (line, column) = page.front_positions.at("draft");
        return Err(Diagnostic::error(
            file,
            "the home page is marked `draft: true`, so the site has no home page",
        )
        .at(line, column)
        .help(format!("remove `draft: true` from {} to publish the site, or preview it with `mps build --drafts` or `mps serve --drafts`", file.display())));
    }
    Ok(if page.front.draft && !drafts {
        None
    } else {
        Some(page)
    })
}

/// Splits front matter from body and parses both into a [`SourcePage`].
pub fn parse_page(rel: &str, file: &Path, text: &str) -> Result<SourcePage, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(bad) = rel.split('/').find(|seg| !crate::urls::is_file_name(seg)) {
        return Err(Diagnostic::error(
            file,
            format!("`{bad}` cannot be part of a web address"),
        )
        .help("rename it using only lower-case letters (of any language), digits and hyphens, such as `market-position-statement.md` or `tŷ-gwyn.md`"));
    }
    let missing = || {
        Diagnostic::error(file, "this page has no front matter")
            .at(Some(1), Some(1))
            .help("start the file with a line `---`, then `title: Your title`, then another `---` line")
    };
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or_else(missing)?;
    if first.trim_end() != "---" {
        return Err(missing());
    }
    let mut offset = first.len();
    let mut line_no = 1;
    let mut yaml_end = None;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "---" {
            yaml_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = yaml_end else {
        return Err(Diagnostic::error(file, "the front matter is never closed")
            .at(Some(1), Some(1))
            .help("add a line with only `---` after the last front matter line"));
    };
    let yaml = &text[first.len()..yaml_end];
    let front = crate::yaml::parse::<FrontMatter>(yaml, file, 2).map_err(|d| {
        if d.message == "`title` is missing from this file" {
            Diagnostic::error(file, "this page has no title")
                .at(Some(1), Some(1))
                .help("every page needs `title: ...` in its front matter, between the two `---` lines")
        } else {
            d
        }
    })?;
    if front.value.title.trim().is_empty() {
        return Err(Diagnostic::error(file, "the title is empty")
            .at_pos(front.positions.nearest("title"))
            .help("give the page a short title"));
    }
    Ok(SourcePage {
        rel: rel.to_string(),
        file: file.to_path_buf(),
        front: front.value,
        body: text[body_start..].to_string(),
        body_line: line_no + 1,
        path: site_path(rel),
        is_section: rel == "_index.md" || rel.ends_with("/_index.md"),
        front_positions: front.positions,
        untranslated: false,
    })
}

fn load_data(
    files: &[(&'static str, PathBuf)],
    markets: &[PathBuf],
    editions: &[(String, PathBuf)],
    config: &SiteConfig,
    untranslated: &mut Vec<Diagnostic>,
) -> Result<(Data, DataSources), Vec<Diagnostic>> {
    let tr = config.translating();
    let tr = tr.as_ref();
    let mut data = Data::default();
    let mut sources = DataSources::default();
    let mut problems = Vec::new();
    for &(key, ref path) in files {
        let text = match crate::source::read_text(path, Some(crate::yaml::MAX_BYTES)) {
            Ok(t) => t,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let parsed = match key {
            // (Each arm returns the positions, after noting the untranslated text.)
            "themes.yaml" => crate::yaml::parse_in::<ThemesFile>(&text, path, 1, tr).map(|f| {
                data.themes = f.value.themes;
                (f.positions, f.untranslated)
            }),
            "principles.yaml" => {
                crate::yaml::parse_in::<PrinciplesFile>(&text, path, 1, tr).map(|f| {
                    data.principles = f.value.principles;
                    (f.positions, f.untranslated)
                })
            }
            "framework.yaml" => crate::yaml::parse_in(&text, path, 1, tr).map(|f| {
                data.framework = Some(f.value);
                (f.positions, f.untranslated)
            }),
            "plan.yaml" => crate::yaml::parse_in::<ProcurementPlan>(&text, path, 1, tr).map(|f| {
                data.plan = Some(f.value);
                (f.positions, f.untranslated)
            }),
            "charts.yaml" => {
                crate::yaml::parse_in::<crate::chartdef::ChartsFile>(&text, path, 1, tr).map(|f| {
                    data.charts = f.value.charts;
                    (f.positions, f.untranslated)
                })
            }
            _ => crate::yaml::parse_in::<FiguresFile>(&text, path, 1, tr).map(|f| {
                data.figures = f.value;
                (f.positions, f.untranslated)
            }),
        };
        match parsed {
            Ok((positions, mut paths)) => {
                if key == "charts.yaml" {
                    // A chart's `kind` and `unit` are settings (`bar`, `money`), not words.
                    paths.retain(|p| !(p.ends_with(".kind") || p.ends_with(".unit")));
                }
                untranslated_text(path, &paths, &positions, config, untranslated);
                sources.files.insert(key, (path.clone(), text));
                sources.positions.insert(key, positions);
            }
            Err(d) => problems.push(d),
        }
    }
    for path in markets {
        match crate::markets::load(path, tr) {
            Ok((m, paths)) => {
                untranslated_text(path, &paths, &m.positions, config, untranslated);
                data.markets.push(m)
            }
            Err(d) => problems.push(d),
        }
    }
    crate::markets::sort(&mut data.markets);
    load_editions(
        editions,
        &mut data,
        &mut sources,
        &mut problems,
        config,
        untranslated,
    );
    if problems.is_empty() {
        Ok((data, sources))
    } else {
        Err(problems)
    }
}

/// Reads the editions of the plan in `content/data/plan/`: the one marked `current: true`
/// becomes `data.plan` (and is validated and located as `plan.yaml` is), the others
/// `data.editions`, oldest first.
fn load_editions(
    files: &[(String, PathBuf)],
    data: &mut Data,
    sources: &mut DataSources,
    problems: &mut Vec<Diagnostic>,
    config: &SiteConfig,
    untranslated: &mut Vec<Diagnostic>,
) {
    let mut current: Option<(PathBuf, String, crate::yaml::Positions)> = None;
    let mut earlier = Vec::new();
    for (slug, path) in files {
        let text = match crate::source::read_text(path, Some(crate::yaml::MAX_BYTES)) {
            Ok(t) => t,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let parsed =
            crate::yaml::parse_in::<ProcurementPlan>(&text, path, 1, config.translating().as_ref());
        let parsed = match parsed {
            Ok(p) => {
                untranslated_text(path, &p.untranslated, &p.positions, config, untranslated);
                p
            }
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        if !parsed.value.current {
            earlier.push(crate::model::Edition {
                slug: slug.clone(),
                file: path.clone(),
                plan: parsed.value,
                positions: parsed.positions,
            });
            continue;
        }
        if let Some((first, _, _)) = &current {
            problems.push(
                Diagnostic::error(
                    path,
                    format!(
                        "two editions of the plan are marked current: this one and {}",
                        first.display()
                    ),
                )
                .at_pos(parsed.positions.nearest("current"))
                .help("exactly one file in content/data/plan/ has `current: true`, the edition the site shows; remove it from the other"),
            );
            continue;
        }
        data.plan = Some(parsed.value);
        current = Some((path.clone(), text, parsed.positions));
    }
    if !files.is_empty() && current.is_none() && problems.is_empty() {
        let (_, path) = &files[files.len() - 1];
        problems.push(
            Diagnostic::error(path, "no edition of the plan is marked current")
                .at(Some(1), Some(1))
                .help("add `current: true` to the edition the site should show (usually the latest), in one file of content/data/plan/"),
        );
    }
    if let Some((path, text, positions)) = current {
        sources.files.insert("plan.yaml", (path, text));
        sources.positions.insert("plan.yaml", positions);
    }
    earlier.sort_by(|a, b| (a.plan.published, &a.slug).cmp(&(b.plan.published, &b.slug)));
    data.editions = earlier;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_are_pretty() {
        assert_eq!(site_path("_index.md"), "");
        assert_eq!(site_path("plan/_index.md"), "plan/");
        assert_eq!(site_path("plan/largest.md"), "plan/largest/");
        assert_eq!(site_path("framework.md"), "framework/");
    }

    #[test]
    fn front_matter_errors_point_into_the_file() {
        let text = "---\ntitle: A\nweight: heavy\n---\nBody\n";
        let e = parse_page("a.md", Path::new("a.md"), text).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let ok = parse_page("a.md", Path::new("a.md"), "---\ntitle: A\n---\nBody\n").unwrap();
        assert_eq!(ok.body, "Body\n");
        assert_eq!(ok.body_line, 4);
    }

    #[test]
    fn missing_front_matter_is_explained() {
        let e = parse_page("a.md", Path::new("a.md"), "# Hello\n").unwrap_err();
        assert!(e.message.contains("no front matter"));
        let e = parse_page("a.md", Path::new("a.md"), "---\ntitle: A\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn editor_files_are_recognised() {
        for name in [
            ".page.md.swp",
            "page.md~",
            "#page.md#",
            ".#page.md",
            "4913.tmp",
        ] {
            assert!(is_editor_temp(name), "{name}");
        }
        assert!(!is_editor_temp("page.md"));
    }
}
