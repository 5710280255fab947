//! Loading a site from disk: `site.yaml`, the Markdown pages under `content/`, the data files in
//! `content/data/`, and the static files to copy. Produces an unvalidated [`Site`].

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

/// Files editors leave behind while saving; never content.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
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
    for entry in walk(&content) {
        let entry = entry?;
        let rel = rel_path(&content, entry.path());
        if rel.starts_with("data/") {
            let yaml = rel.ends_with(".yaml") || rel.ends_with(".yml");
            if !yaml && rel.starts_with(crate::markets::FOLDER) {
                // Backups and notes beside the market files are neither data nor published.
                continue;
            }
            if yaml {
                data_files.push((rel, entry.path().to_path_buf()));
            } else {
                assets.push((rel, entry.path().to_path_buf()));
            }
        } else if rel.ends_with(".md") {
            markdown.push((rel, entry.path().to_path_buf()));
        } else {
            assets.push((rel, entry.path().to_path_buf()));
        }
    }
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        for entry in walk(&static_dir) {
            let entry = entry?;
            assets.push((
                rel_path(&static_dir, entry.path()),
                entry.path().to_path_buf(),
            ));
        }
    }
    assets.sort();

    let loaded: Vec<Result<Option<SourcePage>, Diagnostic>> = markdown
        .par_iter()
        .map(|(rel, file)| load_page(rel, file, drafts))
        .collect();
    let mut pages = Vec::with_capacity(loaded.len());
    for page in loaded {
        match page {
            Ok(Some(p)) => pages.push(p),
            Ok(None) => {}
            Err(d) => problems.push(d),
        }
    }

    let (data, data_sources) = match load_data(&data_files) {
        Ok(d) => d,
        Err(mut d) => {
            problems.append(&mut d);
            Default::default()
        }
    };
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
    })
}

/// Files under `dir`, sorted, without hidden files or editor temporaries.
fn walk(dir: &Path) -> impl Iterator<Item = Result<walkdir::DirEntry>> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_editor_temp(&e.file_name().to_string_lossy()))
        .filter_map(|e| match e {
            Ok(e) if e.file_type().is_file() => Some(Ok(e)),
            Ok(_) => None,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                let io = err
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("filesystem loop"));
                Some(Err(Error::io("could not read", path, io)))
            }
        })
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
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    if stem == "_index" {
        String::new()
    } else if let Some(dir) = stem.strip_suffix("/_index") {
        format!("{dir}/")
    } else {
        format!("{stem}/")
    }
}

fn load_page(rel: &str, file: &Path, drafts: bool) -> Result<Option<SourcePage>, Diagnostic> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Diagnostic::error(file, format!("could not read this page: {e}"))
            .help("save the file as UTF-8 text")
    })?;
    let page = parse_page(rel, file, &text)?;
    Ok(if page.front.draft && !drafts {
        None
    } else {
        Some(page)
    })
}

/// Splits front matter from body and parses both into a [`SourcePage`].
pub fn parse_page(rel: &str, file: &Path, text: &str) -> Result<SourcePage, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(bad) = rel.split('/').find(|seg| {
        !seg.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    }) {
        return Err(Diagnostic::error(
            file,
            format!("`{bad}` cannot be part of a web address"),
        )
        .help("rename it using only letters, digits and hyphens, such as `market-position-statement.md`"));
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
    let front: FrontMatter = crate::yaml::parse(yaml, file, 2).map_err(|d| {
        if d.message.starts_with("missing field `title`") {
            d.at(Some(1), Some(1))
                .help("every page needs `title: ...` in its front matter")
        } else {
            d
        }
    })?;
    if front.title.trim().is_empty() {
        return Err(Diagnostic::error(file, "the title is empty")
            .at(crate::yaml::find_line(text, 1, "title", ""), None)
            .help("give the page a short title"));
    }
    Ok(SourcePage {
        rel: rel.to_string(),
        file: file.to_path_buf(),
        front,
        body: text[body_start..].to_string(),
        body_line: line_no + 1,
        path: site_path(rel),
        is_section: rel == "_index.md" || rel.ends_with("/_index.md"),
    })
}

fn load_data(files: &[(String, PathBuf)]) -> Result<(Data, DataSources), Vec<Diagnostic>> {
    let mut data = Data::default();
    let mut sources = DataSources::default();
    let mut problems = Vec::new();
    for (rel, path) in files {
        let name = rel.trim_start_matches("data/");
        if rel.starts_with(crate::markets::FOLDER) {
            match crate::markets::load(path) {
                Ok(m) => data.markets.push(m),
                Err(d) => problems.push(d),
            }
            continue;
        }
        let Some(key) = DATA_FILES.iter().find(|k| **k == name) else {
            problems.push(
                Diagnostic::error(path, format!("`{name}` is not a data file mps knows")).help(
                    format!(
                        "data files are {}; rename it or move it out of content/data/",
                        DATA_FILES.join(", ")
                    ),
                ),
            );
            continue;
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Diagnostic::error(path, format!("could not read: {e}")));
                continue;
            }
        };
        let parsed = match *key {
            "themes.yaml" => {
                crate::yaml::parse::<ThemesFile>(&text, path, 1).map(|f| data.themes = f.themes)
            }
            "principles.yaml" => crate::yaml::parse::<PrinciplesFile>(&text, path, 1)
                .map(|f| data.principles = f.principles),
            "framework.yaml" => {
                crate::yaml::parse(&text, path, 1).map(|f| data.framework = Some(f))
            }
            "plan.yaml" => {
                crate::yaml::parse::<ProcurementPlan>(&text, path, 1).map(|f| data.plan = Some(f))
            }
            "charts.yaml" => crate::yaml::parse::<crate::chartdef::ChartsFile>(&text, path, 1)
                .map(|f| data.charts = f.charts),
            _ => crate::yaml::parse::<FiguresFile>(&text, path, 1).map(|f| data.figures = f),
        };
        match parsed {
            Ok(()) => {
                sources.files.insert(key, (path.clone(), text));
            }
            Err(d) => problems.push(d),
        }
    }
    crate::markets::sort(&mut data.markets);
    if problems.is_empty() {
        Ok((data, sources))
    } else {
        Err(problems)
    }
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
