//! Checks that need more than one value at a time: slugs that must exist, ids that must be
//! unique, colours, addresses and `generate` settings. Each problem points at the line to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::Diagnostic;
use crate::model::{Generate, Site};
use crate::urls::is_web_url;
use crate::yaml::Pos;

/// All problems found in a loaded site. Empty means the site can be rendered.
pub fn validate(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    data(site, &mut out);
    out.extend(crate::charts::validate(site));
    out.extend(crate::markets::validate(site));
    pages(site, &mut out);
    out
}

/// The path of a data file, or where it would be when it is not present.
fn source<'a>(site: &'a Site, key: &str) -> &'a Path {
    site.data_sources
        .files
        .get(key)
        .map(|(p, _)| p.as_path())
        .unwrap_or(Path::new("content/data"))
}

/// Where `path` (such as `entries[3].theme`) was written in data file `key`.
fn at(site: &Site, key: &str, path: &str) -> Option<Pos> {
    site.data_sources.at(key, path)
}

use crate::urls::is_slug;

/// Reports each value seen before; `items` are (path of the value, value).
fn duplicates<'a>(
    site: &Site,
    key: &str,
    items: impl Iterator<Item = (String, &'a str)>,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let file = source(site, key);
    let mut seen = BTreeMap::new();
    for (path, v) in items {
        if let Some(first) = seen.insert(v, path.clone()) {
            let first_line = at(site, key, &first).map(|p| p.line);
            let place = first_line.map_or(String::new(), |l| format!(" (first on line {l})"));
            out.push(
                Diagnostic::error(file, format!("{what} `{v}` is used more than once{place}"))
                    .at_pos(at(site, key, &path))
                    .help(format!("each {what} must be unique; rename one of them")),
            );
        }
    }
}

fn data(site: &Site, out: &mut Vec<Diagnostic>) {
    let d = &site.data;
    let tf = source(site, "themes.yaml");
    let tat = |i: usize, field: &str| at(site, "themes.yaml", &format!("themes[{i}].{field}"));
    for (i, t) in d.themes.iter().enumerate() {
        if !is_slug(&t.slug) {
            out.push(
                Diagnostic::error(tf, format!("theme slug `{}` is not a valid slug", t.slug))
                    .at_pos(tat(i, "slug"))
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
                .at_pos(tat(i, "colour"))
                .help("write it as \"#1d4f91\" (in quotes, with six hex digits)"),
            );
        }
    }
    for (i, t) in d
        .themes
        .iter()
        .enumerate()
        .filter(|(_, t)| is_hex_colour(&t.colour))
    {
        let ratio = crate::colour::contrast_with_white(&t.colour);
        if ratio < 3.0 {
            out.push(
                Diagnostic::error(tf, format!(
                    "colour `{}` of theme `{}` is too light: {ratio:.1}:1 against white, and marks need at least 3:1",
                    t.colour, t.slug
                ))
                .at_pos(tat(i, "colour"))
                .help("choose a darker colour; WCAG 2.2 AA needs 3:1 for bars and borders"),
            );
        }
    }
    duplicates(
        site,
        "themes.yaml",
        d.themes
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("themes[{i}].slug"), t.slug.as_str())),
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

    let pf = source(site, "principles.yaml");
    let pat = |path: String| at(site, "principles.yaml", &path);
    for (i, p) in d.principles.iter().enumerate() {
        if !is_slug(&p.slug) {
            out.push(
                Diagnostic::error(
                    pf,
                    format!("principle slug `{}` is not a valid slug", p.slug),
                )
                .at_pos(pat(format!("principles[{i}].slug")))
                .help("use lower-case letters, digits and hyphens, such as `driving-innovation`"),
            );
        }
        for (j, t) in p.themes.iter().enumerate() {
            if !theme_slugs.contains(t.as_str()) {
                out.push(
                    Diagnostic::error(
                        pf,
                        format!(
                            "principle `{}` names theme `{t}`, which does not exist",
                            p.slug
                        ),
                    )
                    .at_pos(pat(format!("principles[{i}].themes[{j}]")))
                    .help(valid_themes()),
                );
            }
        }
    }
    duplicates(
        site,
        "principles.yaml",
        d.principles
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("principles[{i}].slug"), p.slug.as_str())),
        "principle slug",
        out,
    );

    if let Some(plan) = &d.plan {
        let at = |path: &str| at(site, "plan.yaml", path);
        plan_entries(
            plan,
            source(site, "plan.yaml"),
            &at,
            &theme_slugs,
            &valid_themes,
            out,
        );
    }
    // Earlier editions are published at their own addresses, so they are checked alike, each
    // against its own file.
    for ed in &d.editions {
        if !is_slug(&ed.slug) {
            out.push(
                Diagnostic::error(
                    &ed.file,
                    format!(
                        "the edition's file name `{}` cannot be used in a web address",
                        ed.slug
                    ),
                )
                .at(Some(1), Some(1))
                .help("name the file after the plan's year with lower-case letters, digits and hyphens, such as 2019-20.yaml"),
            );
        }
        let at = |path: &str| ed.positions.nearest(path);
        plan_entries(&ed.plan, &ed.file, &at, &theme_slugs, &valid_themes, out);
    }

    let ff = source(site, "figures.yaml");
    let fat = |path: String| at(site, "figures.yaml", &path);
    for (i, fig) in d.figures.figures.iter().enumerate() {
        if !fig.illustrative && (fig.source_name.is_empty() || fig.source_url.is_empty()) {
            let missing = if fig.source_name.is_empty() {
                "source_name"
            } else {
                "source_url"
            };
            out.push(
                Diagnostic::error(
                    ff,
                    format!("figure `{}` has no {missing}, and is not marked illustrative", fig.id),
                )
                .at_pos(fat(format!("figures[{i}].id")))
                .help("give the figure a source_name and source_url, or mark an invented figure `illustrative: true`"),
            );
        }
        if let Some(icon) = fig
            .icon
            .as_deref()
            .filter(|i| !crate::model::ICONS.contains(i))
        {
            let (message, help) = crate::model::unknown_icon(&format!("figure `{}`", fig.id), icon);
            out.push(
                Diagnostic::error(ff, message)
                    .at_pos(fat(format!("figures[{i}].icon")))
                    .help(help),
            );
        }
        if !fig.source_url.is_empty() && !is_web_url(&fig.source_url) {
            out.push(
                Diagnostic::error(
                    ff,
                    format!(
                        "figure `{}` has source_url `{}`, which is not a web address",
                        fig.id, fig.source_url
                    ),
                )
                .at_pos(fat(format!("figures[{i}].source_url")))
                .help("link the page the figure comes from, starting with https://"),
            );
        }
        if !fig.value.is_finite() {
            out.push(
                Diagnostic::error(ff, format!("figure `{}` has no usable value", fig.id))
                    .at_pos(fat(format!("figures[{i}].value")))
                    .help("write the value as a plain number, such as 182463 or 19.7"),
            );
        }
        let values = [("value", "value".to_string(), fig.value)]
            .into_iter()
            .chain(
                fig.previous
                    .iter()
                    .map(|p| ("previous value", "previous.value".to_string(), p.value)),
            );
        for (which, key, v) in values {
            if let Some((what, help)) = crate::format::figure_out_of_range(&fig.id, which, v) {
                out.push(
                    Diagnostic::error(ff, what)
                        .at_pos(fat(format!("figures[{i}].{key}")))
                        .help(help),
                );
            }
        }
    }
    duplicates(
        site,
        "figures.yaml",
        d.figures
            .figures
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("figures[{i}].id"), f.id.as_str())),
        "figure id",
        out,
    );
    for (i, s) in d.figures.sources.iter().enumerate() {
        if !is_web_url(&s.url) {
            out.push(
                Diagnostic::error(
                    ff,
                    format!(
                        "data source `{}` has url `{}`, which is not a web address",
                        s.name, s.url
                    ),
                )
                .at_pos(fat(format!("sources[{i}].url")))
                .help("start the address with https://"),
            );
        }
    }
}

/// The checks of one edition of the plan (the current one or an earlier one) in file `f`;
/// `at` finds where a value was written in it.
/// How to mend a procurement id that cannot be part of a web address: the id itself with each
/// run of other characters made a hyphen (`WCC 013` -> `WCC-013`), so the example is the
/// council's own rather than another's.
fn id_help(id: &str) -> String {
    let mut mended = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            mended.push(c);
        } else if !mended.is_empty() && !mended.ends_with('-') {
            mended.push('-');
        }
    }
    let mended = mended.trim_end_matches('-');
    if mended.is_empty() {
        "give the procurement a reference made of letters, digits and hyphens only, such as P-001"
            .into()
    } else {
        format!("use letters, digits and hyphens only, such as `{mended}`")
    }
}

fn plan_entries(
    plan: &crate::model::ProcurementPlan,
    f: &Path,
    at: &dyn Fn(&str) -> Option<Pos>,
    theme_slugs: &BTreeSet<&str>,
    valid_themes: &dyn Fn() -> String,
    out: &mut Vec<Diagnostic>,
) {
    let eat = |i: usize, field: &str| at(&format!("entries[{i}].{field}"));
    for (i, e) in plan.entries.iter().enumerate() {
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
                .at_pos(eat(i, "id"))
                .help(id_help(&e.id)),
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
                .at_pos(eat(i, "theme"))
                .help(valid_themes()),
            );
        }
        if e.duration_months == 0 {
            out.push(
                Diagnostic::error(f, format!("procurement `{}` lasts 0 months", e.id))
                    .at_pos(eat(i, "duration_months"))
                    .help("give the expected contract length in whole months"),
            );
        }
        if let Some(gross) = e.value_gross.filter(|&g| g < e.value) {
            out.push(
                Diagnostic::error(
                    f,
                    format!(
                        "procurement `{}` has a value_gross of {gross}, less than its value of {}",
                        e.id, e.value
                    ),
                )
                .at_pos(eat(i, "value_gross"))
                .help("value is the estimate without VAT and value_gross the estimate with VAT, so value_gross is at least value"),
            );
        }
        if let Some(cpv) = &e.cpv {
            if !(cpv.len() == 8 && cpv.chars().all(|c| c.is_ascii_digit())) {
                out.push(
                    Diagnostic::error(f, format!("CPV code `{cpv}` of `{}` is not eight digits", e.id))
                        .at_pos(eat(i, "cpv"))
                        .help("write the eight-digit CPV code in quotes, such as \"85312000\", or remove the key"),
                );
            }
        }
    }
    let mut seen = BTreeMap::new();
    for (i, e) in plan.entries.iter().enumerate() {
        if let Some(first) = seen.insert(e.id.as_str(), i) {
            let place =
                eat(first, "id").map_or(String::new(), |p| format!(" (first on line {})", p.line));
            out.push(
                Diagnostic::error(
                    f,
                    format!("procurement id `{}` is used more than once{place}", e.id),
                )
                .at_pos(eat(i, "id"))
                .help("each procurement id must be unique; rename one of them"),
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
        if let Some(template) = p.front.template.as_deref() {
            // The built-in templates that exist to show one data file: without it the page
            // would be published with its main part missing, and nobody told.
            let missing = match template {
                "mps.html" => site
                    .data
                    .figures
                    .figures
                    .is_empty()
                    .then_some("figures.yaml"),
                "framework.html" => site.data.framework.is_none().then_some("framework.yaml"),
                _ => None,
            };
            if let Some(file) = missing {
                out.push(
                    Diagnostic::error(
                        &p.file,
                        format!(
                            "`template: {template}` shows content/data/{file}, which is missing or empty"
                        ),
                    )
                    .at_pos(p.front_positions.nearest("template"))
                    .help(format!(
                        "add content/data/{file} (a backup such as {file}.bak is ignored), or remove the `template` line"
                    )),
                );
            }
        }
        if let Some(g) = p.front.generate {
            let line = p.front_positions.nearest("generate");
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
                    .at_pos(line)
                    .help("each kind of generated page can live in one place only; remove one"),
                );
            }
            let missing = match g {
                Generate::Principles => {
                    site.data.principles.is_empty().then_some("principles.yaml")
                }
                Generate::Themes => site.data.themes.is_empty().then_some("themes.yaml"),
                Generate::Plan | Generate::Largest | Generate::Pipeline | Generate::Changes => {
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
                    .at_pos(line)
                    .help(if file == "plan.yaml" {
                        "add content/data/plan.yaml, or one file per edition of the plan in content/data/plan/ (such as 2024-25.yaml, with `current: true` in the one the site shows); or remove the `generate` line".to_string()
                    } else {
                        format!("add content/data/{file} or remove the `generate` line")
                    }),
                );
            }
        }
    }
}

pub fn generate_name(g: Generate) -> &'static str {
    match g {
        Generate::Principles => "principles",
        Generate::Themes => "themes",
        Generate::Plan => "plan",
        Generate::Largest => "largest",
        Generate::Pipeline => "pipeline",
        Generate::Markets => "markets",
        Generate::Changes => "changes",
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
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
    fn a_bad_id_is_mended_in_its_own_words() {
        assert_eq!(
            id_help("WCC 013"),
            "use letters, digits and hyphens only, such as `WCC-013`"
        );
        assert!(id_help("  A/B//C. ").ends_with("`A-B-C`"));
        assert!(id_help("£££").contains("such as P-001"));
        assert!(!id_help("x y").contains("SBC"));
    }
}
