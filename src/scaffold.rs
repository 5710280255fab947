//! `mps init DIR` and `mps new page PATH`: starting a site and adding to it. Neither ever
//! overwrites a file.
//!
//! The starter site lives in the repository's `scaffold/` folder and is built into the binary.
//! Its dates are filled in from "today" (passed in), so that a new site passes `mps check`; these
//! commands write content, not build output, so the clock is allowed here.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Months, NaiveDate};
use include_dir::{include_dir, Dir};

use crate::error::{Diagnostic, Error, Result};

static SCAFFOLD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scaffold");

/// Each language the starter site is translated into: the files `mps init --languages` writes
/// over or beside the starter's (see `scaffold-languages/README.md`).
static TRANSLATED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scaffold-languages");

/// The starter site's files: (path relative to the site folder, text), sorted.
pub fn files(today: NaiveDate) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(&SCAFFOLD, today, &mut out);
    out.sort();
    out
}

fn collect(dir: &'static Dir<'static>, today: NaiveDate, out: &mut Vec<(String, String)>) {
    for entry in dir.entries() {
        if let Some(sub) = entry.as_dir() {
            collect(sub, today, out);
        } else if let Some(file) = entry.as_file() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            let text = String::from_utf8_lossy(file.contents());
            out.push((rel, fill(&text, today)));
        }
    }
}

/// Replaces the scaffold's `%%NAME%%` placeholders with dates worked out from `today`.
fn fill(text: &str, today: NaiveDate) -> String {
    let review_by = today.checked_add_months(Months::new(12)).unwrap_or(today);
    // Figures a quarter old: recent enough for `mps check`, and clearly in the past.
    let as_at = today.checked_sub_months(Months::new(3)).unwrap_or(today);
    let year = today.year();
    let plan_year = format!("{year}/{:02}", (year + 1).rem_euclid(100));
    // Within the pipeline window (18 months from publication) and before the entries start
    // (1 April next year at the earliest).
    let notice = today.checked_add_months(Months::new(3)).unwrap_or(today);
    text.replace("%%TODAY%%", &today.to_string())
        .replace("%%REVIEW_BY%%", &review_by.to_string())
        .replace("%%AS_AT%%", &as_at.to_string())
        .replace("%%PLAN_YEAR%%", &plan_year)
        .replace("%%NEXT_YEAR%%", &(year + 1).to_string())
        .replace("%%NOTICE_DATE%%", &notice.to_string())
}

/// The starter site in `languages` (the default first; empty for the English starter): the
/// English starter with, for each other language, its translations and data files given in
/// every language.
pub fn files_in(today: NaiveDate, languages: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = files(today);
    let Some((first, others)) = languages.split_first() else {
        return Ok(out);
    };
    let known: Vec<&str> = TRANSLATED
        .dirs()
        .filter_map(|d| d.path().to_str())
        .collect();
    let unknown = |code: &str, why: &str| {
        Error::from(
            Diagnostic::error(Path::new("--languages"), format!("the starter site is not written in `{code}`{why}"))
                .help(format!(
                    "the starter site is in English (en-GB) with translations into {}: start with --languages en-GB,{}, then add your own language as the README's \"Sites in more than one language\" explains",
                    known.join(", "),
                    known.first().unwrap_or(&"cy")
                )),
        )
    };
    if !(first.eq_ignore_ascii_case("en-GB") || first.eq_ignore_ascii_case("en")) {
        return Err(unknown(first, " as its default language"));
    }
    if others.len() > 1 {
        return Err(unknown(&others[1..].join(","), " besides one translation"));
    }
    for code in others {
        let Some(dir) = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(code))
            .and_then(|k| TRANSLATED.get_dir(k))
        else {
            return Err(unknown(code, ""));
        };
        let mut extra = Vec::new();
        collect(dir, today, &mut extra);
        for (rel, text) in extra {
            // Paths inside the language's folder are the site's own.
            let rel = rel
                .strip_prefix(&format!("{}/", dir.path().to_string_lossy()))
                .unwrap_or(&rel)
                .to_string();
            match out.iter_mut().find(|(r, _)| *r == rel) {
                Some(file) => file.1 = text,
                None => out.push((rel, text)),
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Creates a new site in `dir`, which must not exist or be empty. Returns the files written.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>> {
    init_in(dir, today, &[])
}

/// [`init`], in `languages` (see [`files_in`]).
pub fn init_in(dir: &Path, today: NaiveDate, languages: &[String]) -> Result<Vec<PathBuf>> {
    let files = files_in(today, languages)?;
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Diagnostic::error(dir, "this is a file, not a folder")
                .help("choose a new folder name for the site")
                .into());
        }
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| Error::io("could not read", dir, e))?;
        if entries.next().is_some() {
            return Err(Diagnostic::error(dir, "this folder is not empty, so mps init changed nothing")
                .help("choose a new or empty folder: mps init never overwrites or mixes in with existing files")
                .into());
        }
    }
    let mut written = Vec::with_capacity(files.len());
    for (rel, text) in &files {
        let path = dir.join(rel);
        create_new(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `text` to a new file at `path`, creating folders; fails if the file exists.
fn create_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("could not create", parent, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::from(
                    Diagnostic::error(path, "this file already exists, so it was left alone")
                        .help("choose another name"),
                )
            } else {
                Error::io("could not create", path, e)
            }
        })?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::io("could not write", path, e))
}

/// Adds `content/PATH.md` to the site at `root`, as a draft with front matter to fill in.
/// `path` is relative to `content/`, with or without `.md`: `guidance/how-to-bid`. With a
/// language code of the site's after a dot (`guidance/how-to-bid.cy`), adds the page's
/// translation, `content/guidance/how-to-bid.cy.md`, a draft with the title, template and
/// `generate:` of the default language's page where there is one (a translation must make the
/// same kind of page).
pub fn new_page(root: &Path, path: &str, today: NaiveDate) -> Result<PathBuf> {
    let rel = path
        .trim()
        .trim_start_matches("content/")
        .trim_matches('/')
        .trim_end_matches(".md");
    let (rel, code) = match rel.rsplit_once('.') {
        Some((base, code)) if !code.is_empty() && !code.contains('/') => (base, Some(code)),
        _ => (rel, None),
    };
    let bad = rel.is_empty()
        || rel.split('/').any(|seg| {
            seg.is_empty()
                || seg == "."
                || seg == ".."
                || !seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if bad || rel.starts_with("data/") || rel == "data" {
        return Err(Diagnostic::error(
            root.join("content").join(path),
            format!("`{path}` cannot be the name of a page"),
        )
        .help(
            "use letters, digits and hyphens, with / between folders, such as guidance/how-to-bid (and .cy for its Welsh translation on a site in Welsh too)",
        )
        .into());
    }
    if !root.join("site.yaml").is_file() {
        return Err(Diagnostic::error(root.join("site.yaml"), "site.yaml not found")
            .help("run mps in the site's folder, pass --root, or start a site with `mps init DIR`")
            .into());
    }
    let default_file = root.join("content").join(format!("{rel}.md"));
    // A translation starts as the kind of page the default language's page is.
    let (original, file) = match code {
        None => (None, default_file),
        Some(code) => {
            let config = crate::config::SiteConfig::load(root)?;
            let languages = config.languages();
            let others = &languages[1..];
            let known = others.iter().any(|l| {
                l.eq_ignore_ascii_case(code)
                    || l.split_once('-')
                        .is_some_and(|(primary, _)| primary.eq_ignore_ascii_case(code))
            });
            let is_default = languages[0].eq_ignore_ascii_case(code)
                || languages[0]
                    .split_once('-')
                    .is_some_and(|(primary, _)| primary.eq_ignore_ascii_case(code));
            if is_default {
                return Err(Diagnostic::error(
                    root.join("content").join(path),
                    format!("`{path}`: `{code}` is the site's default language, whose pages have no language in their names"),
                )
                .help(format!("write `mps new page {rel}` for the page itself"))
                .into());
            }
            if !known {
                let help = if others.is_empty() {
                    format!("the site is published in {} only: to add a translation, first list the languages in site.yaml, such as `languages: [{}, {code}]`; a page's own name has no dot", languages[0], languages[0])
                } else {
                    format!("a translation's name ends with one of the site's other languages ({}), such as `{rel}.{}`; a page's own name has no dot", others.join(", "), others[0])
                };
                return Err(Diagnostic::error(
                    root.join("site.yaml"),
                    format!(
                        "`{path}`: `{code}` is not one of the languages this site is published in"
                    ),
                )
                .help(help)
                .into());
            }
            let original = match std::fs::read_to_string(&default_file) {
                Ok(text) => {
                    let page =
                        crate::content::parse_page(&format!("{rel}.md"), &default_file, &text)?;
                    Some(page.front)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io("could not read", &default_file, e)),
            };
            let file = root.join("content").join(format!("{rel}.{code}.md"));
            (original, file)
        }
    };
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let name = if name == "_index" {
        rel.rsplit('/').nth(1).unwrap_or("home")
    } else {
        name
    };
    let review_by = today.checked_add_months(Months::new(12)).unwrap_or(today);
    // Titles and names a person wrote are written as quoted YAML, which JSON's strings are.
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"));
    let mut front = match &original {
        Some(f) => format!("---\ntitle: {}\n", quoted(&f.title)),
        None => format!("---\ntitle: {}\n", title_from(name)),
    };
    front.push_str(&format!(
        "description: \"TODO: one sentence saying what this page is for and who it helps\"\ndate: {today}\nreview_by: {review_by}\n"
    ));
    if let Some(f) = &original {
        if let Some(t) = &f.template {
            front.push_str(&format!("template: {}\n", quoted(t)));
        }
        if let Some(g) = f.generate.and_then(|g| serde_json::to_string(&g).ok()) {
            front.push_str(&format!("generate: {g}\n"));
        }
    }
    let text = if code.is_some() {
        format!("{front}# Remove this line to publish the translation.\ndraft: true\n---\n\nTranslate the page here, and its title and description above.\n")
    } else {
        format!("{front}# Remove this line to publish the page.\ndraft: true\n---\n\nWrite the page here. Start headings at `##`: the title above is the page's main heading.\n")
    };
    create_new(&file, &text)?;
    Ok(file)
}

/// `how-to-bid` -> `How to bid`.
fn title_from(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "New page".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_all_filled() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        for (rel, text) in files_in(today, &["en-GB".into(), "cy".into()]).unwrap() {
            assert!(!text.contains("%%"), "{rel} has an unfilled placeholder");
        }
        assert_eq!(fill("%%PLAN_YEAR%%", today), "2026/27");
        assert_eq!(fill("%%AS_AT%%", today), "2026-08-25");
    }

    #[test]
    fn the_bilingual_starter_adds_translations_and_replaces_the_data() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let english = files(today);
        let both = files_in(today, &["en-GB".into(), "cy".into()]).unwrap();
        let find = |list: &[(String, String)], rel: &str| {
            list.iter().find(|(r, _)| r == rel).map(|(_, t)| t.clone())
        };
        assert!(find(&both, "content/framework.cy.md").is_some());
        assert!(find(&english, "content/framework.cy.md").is_none());
        let site = find(&both, "site.yaml").unwrap();
        assert!(site.contains("languages: [en-GB, cy]"), "{site}");
        // Every English page has its Welsh translation.
        for (rel, _) in english.iter().filter(|(r, _)| r.ends_with(".md")) {
            let welsh = format!("{}.cy.md", rel.strip_suffix(".md").unwrap());
            assert!(find(&both, &welsh).is_some(), "{welsh}");
        }
        // Nothing but the starter's own languages.
        let e = files_in(today, &["en-GB".into(), "fr".into()]).unwrap_err();
        assert!(e.to_string().contains("not written in `fr`"), "{e}");
        assert!(files_in(today, &["cy".into(), "en-GB".into()]).is_err());
    }

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(title_from("how-to-bid"), "How to bid");
        assert_eq!(title_from("faq"), "Faq");
    }
}
