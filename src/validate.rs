//! Checks that need more than one value at a time: slugs that must exist, ids that must be
//! unique, colours, addresses and `generate` settings. Each problem points at the line to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::Diagnostic;
use crate::model::{Generate, Site};
use crate::yaml::find_line;

/// All problems found in a loaded site. Empty means the site can be rendered.
pub fn validate(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    data(site, &mut out);
    out.extend(crate::charts::validate(site));
    out.extend(crate::markets::validate(site));
    pages(site, &mut out);
    out
}

/// The text and path of a data file, or a placeholder when it was not present.
fn source<'a>(site: &'a Site, key: &str) -> (&'a Path, &'a str) {
    site.data_sources
        .files
        .get(key)
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .unwrap_or((Path::new("content/data"), ""))
}

/// Line of the item whose `key` is `value`, then of `field` within it.
fn item_line(text: &str, key: &str, value: &str, field: Option<&str>) -> Option<usize> {
    let start = find_line(text, 1, key, value)?;
    match field {
        Some(f) => find_line(text, start, f, "").or(Some(start)),
        None => Some(start),
    }
}

pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn duplicates<'a>(
    items: impl Iterator<Item = &'a str>,
    file: &Path,
    text: &str,
    key: &str,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen = BTreeSet::new();
    for v in items {
        if !seen.insert(v) {
            let line = text
                .lines()
                .enumerate()
                .filter(|(_, l)| {
                    let t = l.trim_start().trim_start_matches("- ").trim_start();
                    t.strip_prefix(key)
                        .and_then(|r| r.trim_start().strip_prefix(':'))
                        .is_some_and(|r| r.trim().trim_matches(|c| c == '"' || c == '\'') == v)
                })
                .nth(1)
                .map(|(i, _)| i + 1);
            out.push(
                Diagnostic::error(file, format!("{what} `{v}` is used more than once"))
                    .at(line, None)
                    .help(format!("each {what} must be unique; rename one of them")),
            );
        }
    }
}

fn data(site: &Site, out: &mut Vec<Diagnostic>) {
    let d = &site.data;
    let (tf, tt) = source(site, "themes.yaml");
    for t in &d.themes {
        if !is_slug(&t.slug) {
            out.push(
                Diagnostic::error(tf, format!("theme slug `{}` is not a valid slug", t.slug))
                    .at(item_line(tt, "slug", &t.slug, None), None)
                    .help("use lower-case letters, digits and hyphens, such as `safe-and-well`"),
            );
        }
        if !is_hex_colour(&t.colour) {
            out.push(
                Diagnostic::error(
                    tf,
                    format!(
                        "colour `{}` of theme `{}` is not a hex colour",
                        t.colour, t.slug
                    ),
                )
                .at(item_line(tt, "slug", &t.slug, Some("colour")), None)
                .help("write it as \"#1d4f91\" (in quotes, with six hex digits)"),
            );
        }
    }
    for t in d.themes.iter().filter(|t| is_hex_colour(&t.colour)) {
        let ratio = crate::colour::contrast_with_white(&t.colour);
        if ratio < 3.0 {
            out.push(
                Diagnostic::error(tf, format!(
                    "colour `{}` of theme `{}` is too light: {ratio:.1}:1 against white, and marks need at least 3:1",
                    t.colour, t.slug
                ))
                .at(item_line(tt, "slug", &t.slug, Some("colour")), None)
                .help("choose a darker colour; WCAG 2.2 AA needs 3:1 for bars and borders"),
            );
        }
    }
    duplicates(
        d.themes.iter().map(|t| t.slug.as_str()),
        tf,
        tt,
        "slug",
        "theme slug",
        out,
    );

    let theme_slugs: BTreeSet<&str> = d.themes.iter().map(|t| t.slug.as_str()).collect();
    let valid_themes = || {
        if theme_slugs.is_empty() {
            "there are no themes: add content/data/themes.yaml".to_string()
        } else {
            format!(
                "use one of: {}",
                theme_slugs.iter().copied().collect::<Vec<_>>().join(", ")
            )
        }
    };

    let (pf, pt) = source(site, "principles.yaml");
    for p in &d.principles {
        if !is_slug(&p.slug) {
            out.push(
                Diagnostic::error(
                    pf,
                    format!("principle slug `{}` is not a valid slug", p.slug),
                )
                .at(item_line(pt, "slug", &p.slug, None), None)
                .help("use lower-case letters, digits and hyphens, such as `driving-innovation`"),
            );
        }
        for t in &p.themes {
            if !theme_slugs.contains(t.as_str()) {
                out.push(
                    Diagnostic::error(
                        pf,
                        format!(
                            "principle `{}` names theme `{t}`, which does not exist",
                            p.slug
                        ),
                    )
                    .at(item_line(pt, "slug", &p.slug, Some("themes")), None)
                    .help(valid_themes()),
                );
            }
        }
    }
    duplicates(
        d.principles.iter().map(|p| p.slug.as_str()),
        pf,
        pt,
        "slug",
        "principle slug",
        out,
    );

    if let Some(plan) = &d.plan {
        let (f, t) = source(site, "plan.yaml");
        for e in &plan.entries {
            if e.id.is_empty()
                || !e
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                out.push(
                    Diagnostic::error(
                        f,
                        format!("procurement id `{}` cannot be used in a web address", e.id),
                    )
                    .at(item_line(t, "id", &e.id, None), None)
                    .help("use letters, digits and hyphens only, such as SBC-1920-001"),
                );
            }
            if !theme_slugs.contains(e.theme.as_str()) {
                out.push(
                    Diagnostic::error(
                        f,
                        format!(
                            "procurement `{}` has theme `{}`, which does not exist",
                            e.id, e.theme
                        ),
                    )
                    .at(item_line(t, "id", &e.id, Some("theme")), None)
                    .help(valid_themes()),
                );
            }
            if e.duration_months == 0 {
                out.push(
                    Diagnostic::error(f, format!("procurement `{}` lasts 0 months", e.id))
                        .at(item_line(t, "id", &e.id, Some("duration_months")), None)
                        .help("give the expected contract length in whole months"),
                );
            }
            if let Some(cpv) = &e.cpv {
                if !(cpv.len() == 8 && cpv.chars().all(|c| c.is_ascii_digit())) {
                    out.push(
                        Diagnostic::error(f, format!("CPV code `{cpv}` of `{}` is not eight digits", e.id))
                            .at(item_line(t, "id", &e.id, Some("cpv")), None)
                            .help("write the eight-digit CPV code in quotes, such as \"85312000\", or remove the key"),
                    );
                }
            }
        }
        duplicates(
            plan.entries.iter().map(|e| e.id.as_str()),
            f,
            t,
            "id",
            "procurement id",
            out,
        );
    }

    let (ff, ft) = source(site, "figures.yaml");
    for fig in &d.figures.figures {
        if !is_web_url(&fig.source_url) {
            out.push(
                Diagnostic::error(
                    ff,
                    format!(
                        "figure `{}` has source_url `{}`, which is not a web address",
                        fig.id, fig.source_url
                    ),
                )
                .at(item_line(ft, "id", &fig.id, Some("source_url")), None)
                .help("link the page the figure comes from, starting with https://"),
            );
        }
        if !fig.value.is_finite() {
            out.push(
                Diagnostic::error(ff, format!("figure `{}` has no usable value", fig.id))
                    .at(item_line(ft, "id", &fig.id, Some("value")), None)
                    .help("write the value as a plain number, such as 182463 or 19.7"),
            );
        }
    }
    duplicates(
        d.figures.figures.iter().map(|f| f.id.as_str()),
        ff,
        ft,
        "id",
        "figure id",
        out,
    );
    for s in &d.figures.sources {
        if !is_web_url(&s.url) {
            out.push(
                Diagnostic::error(
                    ff,
                    format!(
                        "data source `{}` has url `{}`, which is not a web address",
                        s.name, s.url
                    ),
                )
                .at(item_line(ft, "name", &s.name, Some("url")), None)
                .help("start the address with https://"),
            );
        }
    }
}

fn pages(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut by_path: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    let mut generators: BTreeMap<Generate, &PathBuf> = BTreeMap::new();
    for p in &site.pages {
        if let Some(other) = by_path.insert(&p.path, &p.file) {
            out.push(
                Diagnostic::error(
                    &p.file,
                    format!(
                        "this page has the same address `/{}` as {}",
                        p.path,
                        other.display()
                    ),
                )
                .at(Some(1), None)
                .help("rename or remove one of the two files"),
            );
        }
        if let Some(g) = p.front.generate {
            let line = find_line(&fm_text(p), 1, "generate", "");
            if let Some(other) = generators.insert(g, &p.file) {
                out.push(
                    Diagnostic::error(
                        &p.file,
                        format!(
                            "`generate: {}` is also set in {}",
                            generate_name(g),
                            other.display()
                        ),
                    )
                    .at(line, None)
                    .help("each kind of generated page can live in one place only; remove one"),
                );
            }
            let missing = match g {
                Generate::Principles => {
                    site.data.principles.is_empty().then_some("principles.yaml")
                }
                Generate::Themes => site.data.themes.is_empty().then_some("themes.yaml"),
                Generate::Plan | Generate::Largest => {
                    site.data.plan.is_none().then_some("plan.yaml")
                }
                Generate::Markets => site.data.markets.is_empty().then_some("markets/"),
            };
            if let Some(file) = missing {
                out.push(
                    Diagnostic::error(
                        &p.file,
                        format!(
                            "`generate: {}` needs content/data/{file}, which is missing or empty",
                            generate_name(g)
                        ),
                    )
                    .at(line, None)
                    .help(format!(
                        "add content/data/{file} or remove the `generate` line"
                    )),
                );
            }
        }
    }
}

fn fm_text(p: &crate::model::SourcePage) -> String {
    std::fs::read_to_string(&p.file).unwrap_or_default()
}

pub fn generate_name(g: Generate) -> &'static str {
    match g {
        Generate::Principles => "principles",
        Generate::Themes => "themes",
        Generate::Plan => "plan",
        Generate::Largest => "largest",
        Generate::Markets => "markets",
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

pub(crate) fn is_web_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && s.len() > 10 && !s.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_colours() {
        assert!(is_slug("safe-and-well"));
        assert!(!is_slug("Safe and well"));
        assert!(!is_slug("-x"));
        assert!(is_hex_colour("#00594f"));
        assert!(!is_hex_colour("teal"));
    }

    #[test]
    fn item_line_finds_the_field_within_the_item() {
        let text = "entries:\n  - id: A\n    theme: a\n  - id: B\n    theme: zzz\n";
        assert_eq!(item_line(text, "id", "B", Some("theme")), Some(5));
    }
}
