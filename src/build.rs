//! The build pipeline: load -> validate -> plan pages -> render (in parallel) -> check links ->
//! swap the finished output in. Nothing reaches the output folder unless every step succeeded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, Result};
use crate::links::{self, PageLinks};
use crate::output::{self, Staging};
use crate::pages;
use crate::render::{self, Renderer};
use crate::templates::{SiteTheme, ThemeFile};
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
    let (pages, files) = generate(&opts.root, opts.drafts, Some(&staging))?;
    let output = staging.commit()?;
    Ok(BuildSummary {
        pages,
        files,
        output,
    })
}

/// Everything a build checks, without writing anything.
pub fn validate_only(root: &Path, drafts: bool) -> Result<usize> {
    generate(root, drafts, None).map(|(pages, _)| pages)
}

/// Runs the pipeline, writing into `staging` when given. Returns (pages, files).
fn generate(root: &Path, drafts: bool, staging: Option<&Staging>) -> Result<(usize, usize)> {
    let site = content::load(root, drafts)?;
    let problems = validate::validate(&site);
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let theme = SiteTheme::load(root, &site.config.theme)?;
    let tree = pages::plan(&site, &theme).map_err(Error::from)?;
    let renderer = Renderer::new(&site, &tree, &theme);

    let write = |rel: &str, bytes: &[u8]| -> Result<(), Vec<Diagnostic>> {
        match staging {
            Some(s) => s.write(rel, bytes).map_err(|e| e.diagnostics()),
            None => Ok(()),
        }
    };
    let results: Vec<Result<PageLinks, Vec<Diagnostic>>> = (0..tree.pages.len())
        .into_par_iter()
        .map(|i| {
            let page = renderer.render(i)?;
            write(&page.output, page.html.as_bytes())?;
            Ok(links::scan(
                &page.output,
                &page.html,
                page.source,
                &page.template,
            ))
        })
        .collect();
    let mut problems = Vec::new();
    let mut scanned = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(l) => scanned.push(l),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }

    let mut files: BTreeSet<String> = scanned.iter().map(|p| p.output.clone()).collect();
    // The site's own files win over the theme's of the same name.
    let mut assets: BTreeMap<String, ThemeFile> = theme.assets.iter().cloned().collect();
    for (rel, path) in &site.assets {
        assets.insert(rel.clone(), ThemeFile::Disk(path.clone()));
    }
    for (rel, file) in &assets {
        if files.contains(rel) {
            let shown = match file {
                ThemeFile::Disk(p) => p.clone(),
                ThemeFile::BuiltIn(_) => PathBuf::from("(built-in theme)").join(rel),
            };
            problems.push(
                Diagnostic::error(shown, format!("this file would replace the page `{rel}`"))
                    .help("rename the file or move it to another folder"),
            );
            continue;
        }
        if let Some(s) = staging {
            let r = match file {
                ThemeFile::Disk(p) => s.copy(rel, p),
                ThemeFile::BuiltIn(bytes) => s.write(rel, bytes),
            };
            if let Err(e) = r {
                problems.extend(e.diagnostics());
            }
        }
        files.insert(rel.clone());
    }
    let sitemap = render::sitemap(&site, &tree);
    if let Err(mut d) = write("sitemap.xml", sitemap.as_bytes()) {
        problems.append(&mut d);
    }
    files.insert("sitemap.xml".into());
    // Open data, search index, feed and robots.txt (see `extras`).
    match crate::extras::files(&site, &tree) {
        Ok(extra) => {
            for (rel, bytes) in extra {
                if files.contains(&rel) {
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
                if let Err(mut d) = write(&rel, &bytes) {
                    problems.append(&mut d);
                }
                files.insert(rel);
            }
        }
        Err(mut d) => problems.append(&mut d),
    }

    problems.extend(links::check(&scanned, &files, &site.config.base_path()));
    if !problems.is_empty() {
        return Err(problems.into());
    }
    Ok((scanned.len(), files.len()))
}
