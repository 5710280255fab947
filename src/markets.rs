//! Markets: one file per care market in `content/data/markets/`, rated on the dimensions and
//! scale a site sets in `site.yaml` (`markets:`). This module loads the files into the model
//! ([`load`], [`sort`]), checks them against `site.yaml` and the rest of the data
//! ([`validate`]) and gives `mps check`'s warnings ([`warnings`]). What templates show of them
//! is `market_views`, made once per build in the derive stage; each market's feed and JSON file
//! is `market_files`. Nothing here knows any council's markets: the scale, the dimensions and
//! the markets all come from content.
//!
//! Dates are judged against the markets page's own `updated` (or `date`), never the day of the
//! build: "upcoming" means on or after that date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Months, NaiveDate};

use crate::config::MarketsSettings;
use crate::error::Diagnostic;
use crate::format;
use crate::model::{Generate, Market, MarketSource, Site, ICONS};
use crate::urls::{self, is_slug, is_web_url};

/// Where market files live, relative to `content/`.
pub const FOLDER: &str = "data/markets/";
/// Each market's Atom feed, in its page's folder.
pub const FEED_FILE: &str = "atom.xml";
/// Each market's data as JSON, in its page's folder.
pub const JSON_FILE: &str = "market.json";

/// Reads one market file.
/// Reads one market file (its text in the language `tr` reads), with the paths of its text
/// that has no words of that language.
pub fn load(
    path: &Path,
    tr: Option<&crate::yaml::Translating>,
) -> Result<(MarketSource, Vec<String>), Diagnostic> {
    let text = crate::source::read_text(path, Some(crate::yaml::MAX_BYTES))?;
    let located = crate::yaml::parse_in::<Market>(&text, path, 1, tr)?;
    Ok((
        MarketSource {
            market: located.value,
            file: path.to_path_buf(),
            positions: located.positions,
        },
        located.untranslated,
    ))
}

/// Overview order: `order` (smallest first; markets without one last), then name, then slug.
pub fn sort(markets: &mut [MarketSource]) {
    markets.sort_by(|a, b| {
        let key = |m: &Market| (m.order.unwrap_or(i64::MAX), m.name.clone(), m.slug.clone());
        key(&a.market).cmp(&key(&b.market))
    });
}

/// The date "upcoming" is judged from: the markets page's `updated`, or its `date`.
pub fn reference_date(site: &Site) -> Option<NaiveDate> {
    site.pages
        .iter()
        .rfind(|p| p.front.generate == Some(Generate::Markets))
        .and_then(|p| p.front.updated.or(p.front.date))
}

/// Every problem with the markets, the `markets:` settings and plan entries' `market:`.
pub fn validate(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let markets = &site.data.markets;
    let settings = site.config.markets.as_ref();
    if let Some(s) = settings {
        validate_settings(site, s, &mut out);
    } else if let Some(first) = markets.first() {
        out.push(
            Diagnostic::error(&first.file, "there are markets but site.yaml has no `markets:` settings")
                .at(Some(1), None)
                .help("add `markets:` to site.yaml with a `scale:` of rating levels and the `dimensions:` markets are rated on (see the Markets section of the README)"),
        );
    }
    let levels: Vec<&str> = settings
        .map(|s| s.scale.iter().map(|l| l.level.as_str()).collect())
        .unwrap_or_default();
    let dimensions: Vec<&str> = settings
        .map(|s| s.dimensions.iter().map(|d| d.id.as_str()).collect())
        .unwrap_or_default();
    let charts: BTreeSet<&str> = site.data.charts.iter().map(|c| c.id.as_str()).collect();

    // A repeated slug is reported in the file that comes later by name.
    let mut by_file: Vec<&MarketSource> = markets.iter().collect();
    by_file.sort_by(|a, b| a.file.cmp(&b.file));
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for m in &by_file {
        if let Some(other) = seen.insert(&m.market.slug, &m.file) {
            out.push(
                Diagnostic::error(
                    &m.file,
                    format!(
                        "market slug `{}` is also used by {}",
                        m.market.slug,
                        other.display()
                    ),
                )
                .at(m.positions.line("slug"), None)
                .help("each market needs its own slug: it is the market's web address"),
            );
        }
    }

    for m in markets {
        market(m, &levels, &dimensions, &charts, &mut out);
    }

    // A slug used twice is reported above; suggested once.
    let mut slugs: Vec<&str> = markets.iter().map(|m| m.market.slug.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    if let Some(plan) = &site.data.plan {
        let file = site.data_sources.files.get("plan.yaml").map_or_else(
            || site.root.join("content/data/plan.yaml"),
            |(p, _)| p.clone(),
        );
        let at = |path: &str| site.data_sources.at("plan.yaml", path);
        entry_markets(&plan.entries, &file, &at, &slugs, &mut out);
    }
    // Earlier editions are published too, so their entries' markets must exist as well.
    for ed in &site.data.editions {
        let at = |path: &str| ed.positions.nearest(path);
        entry_markets(&ed.plan.entries, &ed.file, &at, &slugs, &mut out);
    }
    out
}

/// Each entry's `market:` must be the slug of a market file.
fn entry_markets(
    entries: &[crate::model::ProcurementEntry],
    file: &std::path::Path,
    at: &dyn Fn(&str) -> Option<crate::yaml::Pos>,
    slugs: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    for (i, e) in entries.iter().enumerate() {
        let Some(slug) = &e.market else { continue };
        if slugs.contains(&slug.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::error(
                file,
                format!(
                    "procurement `{}` has market `{slug}`, which does not exist",
                    e.id
                ),
            )
            .at_pos(at(&format!("entries[{i}].market")))
            .help(if slugs.is_empty() {
                "there are no markets: add a file to content/data/markets/ or remove the `market:` line".to_string()
            } else {
                let guess = crate::error::closest(slug, slugs.iter().copied())
                    .map(|g| format!("did you mean `{g}`? "))
                    .unwrap_or_default();
                format!("{guess}use one of: {}", slugs.join(", "))
            }),
        );
    }
}

fn validate_settings(site: &Site, s: &MarketsSettings, out: &mut Vec<Diagnostic>) {
    let file = site.root.join("site.yaml");
    let pos = &site.config.positions;
    if s.scale.len() < 2 {
        out.push(
            Diagnostic::error(&file, "the markets rating scale needs at least two levels")
                .at(pos.line("markets.scale"), None)
                .help("list the levels under `markets: scale:`, worst first, each with `level:` and `label:`"),
        );
    }
    if s.dimensions.is_empty() {
        out.push(
            Diagnostic::error(&file, "markets have no dimensions to be rated on")
                .at(pos.line("markets.dimensions"), None)
                .help("list the rows of the rating grid under `markets: dimensions:`, each with `id:` and `label:`"),
        );
    }
    let mut seen = BTreeSet::new();
    for (j, l) in s.scale.iter().enumerate() {
        let line = pos.line(&format!("markets.scale[{j}].level"));
        if !is_slug(&l.level) {
            out.push(
                Diagnostic::error(
                    &file,
                    format!("rating level `{}` is not a valid word", l.level),
                )
                .at(line, None)
                .help("use lower-case letters, digits and hyphens, such as `needs-improvement`"),
            );
        }
        if !seen.insert(l.level.as_str()) {
            out.push(
                Diagnostic::error(&file, format!("rating level `{}` is listed twice", l.level))
                    .at(line, None)
                    .help("list each level once"),
            );
        }
        if l.label.trim().is_empty() {
            out.push(
                Diagnostic::error(
                    &file,
                    format!("rating level `{}` has an empty label", l.level),
                )
                .at(line, None)
                .help("give the words shown on the page, such as `Needs to change`"),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (j, d) in s.dimensions.iter().enumerate() {
        let line = pos.line(&format!("markets.dimensions[{j}].id"));
        if !is_slug(&d.id) {
            out.push(
                Diagnostic::error(
                    &file,
                    format!("market dimension `{}` is not a valid id", d.id),
                )
                .at(line, None)
                .help("use lower-case letters, digits and hyphens, such as `workforce`"),
            );
        }
        if !seen.insert(d.id.as_str()) {
            out.push(
                Diagnostic::error(
                    &file,
                    format!("market dimension `{}` is listed twice", d.id),
                )
                .at(line, None)
                .help("list each dimension once"),
            );
        }
    }
}

fn market(
    src: &MarketSource,
    levels: &[&str],
    dimensions: &[&str],
    charts: &BTreeSet<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let (file, pos, m) = (&src.file, &src.positions, &src.market);
    let mut err = |line: Option<usize>, message: String, help: String| {
        out.push(Diagnostic::error(file, message).at(line, None).help(help));
    };
    if !is_slug(&m.slug) {
        err(
            pos.line("slug"),
            format!("market slug `{}` is not a valid slug", m.slug),
            "use lower-case letters, digits and hyphens, such as `home-care`".into(),
        );
    }
    for (key, value) in [("name", &m.name), ("summary", &m.summary)] {
        if value.trim().is_empty() {
            err(
                pos.line(key).or(Some(1)),
                format!("market `{}` has an empty {key}", m.slug),
                format!("write the market's {key}"),
            );
        }
    }
    if let Some(icon) = m.icon.as_deref().filter(|i| !ICONS.contains(i)) {
        let (message, help) = crate::model::unknown_icon(&format!("market `{}`", m.slug), icon);
        err(pos.line("icon"), message, help);
    }
    let mut rated = BTreeSet::new();
    for (i, r) in m.ratings.iter().enumerate() {
        let at = pos.line(&format!("ratings[{i}].dimension"));
        // Without dimensions or levels in site.yaml (reported once, there) every rating would
        // be wrong: the ratings are checked against them only when there are some.
        if !dimensions.is_empty() && !dimensions.contains(&r.dimension.as_str()) {
            err(
                at,
                format!(
                    "rating dimension `{}` is not one of the site's market dimensions",
                    r.dimension
                ),
                format!(
                    "use one of: {} (from `markets: dimensions:` in site.yaml)",
                    dimensions.join(", ")
                ),
            );
        } else if !rated.insert(r.dimension.as_str()) {
            err(
                at,
                format!("market `{}` rates `{}` twice", m.slug, r.dimension),
                "rate each dimension at most once; remove one of the two".into(),
            );
        }
        // A rating's level and its previous level are checked alike (not at all when the
        // scale itself is missing: that is reported once, not per rating).
        let current = Some(("level", "rating level", r.level.as_str()));
        let previous = r
            .previous
            .as_ref()
            .map(|p| ("previous.level", "previous rating level", p.level.as_str()));
        for (key, what, level) in [current, previous].into_iter().flatten() {
            if !levels.is_empty() && !levels.contains(&level) {
                err(
                    pos.line(&format!("ratings[{i}].{key}")),
                    format!("{what} `{level}` is not on the site's rating scale"),
                    format!(
                        "use one of: {} (from `markets: scale:` in site.yaml)",
                        levels.join(", ")
                    ),
                );
            }
        }
        if r.reason.trim().is_empty() {
            err(
                pos.line(&format!("ratings[{i}].reason")),
                format!("the `{}` rating has no reason", r.dimension),
                "say in one line why the market has this rating".into(),
            );
        }
    }
    let mut ids = BTreeSet::new();
    for (k, f) in m.figures.iter().enumerate() {
        let at = pos.line(&format!("figures[{k}].id"));
        let field = |key: &str| pos.line(&format!("figures[{k}].{key}"));
        if !ids.insert(f.id.as_str()) {
            err(
                at,
                format!("figure id `{}` is used more than once", f.id),
                "each figure of a market needs its own id".into(),
            );
        }
        if !f.illustrative && (f.source_name.trim().is_empty() || f.source_url.trim().is_empty()) {
            let missing = if f.source_name.trim().is_empty() {
                "source_name"
            } else {
                "source_url"
            };
            err(
                at,
                format!(
                    "figure `{}` has no {missing}, and is not marked illustrative",
                    f.id
                ),
                "a figure needs a source (source_name and source_url) or `illustrative: true`"
                    .into(),
            );
        }
        if !f.source_url.is_empty() && !is_web_url(&f.source_url) {
            err(
                field("source_url"),
                format!(
                    "figure `{}` has source_url `{}`, which is not a web address",
                    f.id, f.source_url
                ),
                "link the page the figure comes from, starting with https://".into(),
            );
        }
        if !f.value.is_finite() {
            err(
                field("value"),
                format!("figure `{}` has no usable value", f.id),
                "write the value as a plain number, such as 182463 or 19.7".into(),
            );
        }
        let values = [("value", "value", f.value)].into_iter().chain(
            f.previous
                .iter()
                .map(|p| ("previous value", "previous.value", p.value)),
        );
        for (which, key, v) in values {
            if let Some((what, help)) = crate::format::figure_out_of_range(&f.id, which, v) {
                err(field(key), what, help);
            }
        }
        if let Some(icon) = f.icon.as_deref().filter(|i| !ICONS.contains(i)) {
            let (message, help) = crate::model::unknown_icon(&format!("figure `{}`", f.id), icon);
            err(field("icon"), message, help);
        }
    }
    for (j, id) in m.charts.iter().enumerate() {
        if !charts.contains(id.as_str()) {
            err(
                pos.line(&format!("charts[{j}]")),
                format!(
                    "market `{}` shows chart `{id}`, which is not in charts.yaml",
                    m.slug
                ),
                if charts.is_empty() {
                    "there are no charts: add content/data/charts.yaml or remove the id".to_string()
                } else {
                    format!(
                        "use one of: {}",
                        charts.iter().copied().collect::<Vec<_>>().join(", ")
                    )
                },
            );
        }
    }
    for (i, c) in m.contacts.iter().enumerate() {
        let at = pos.line(&format!("contacts[{i}]"));
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&c.team) && blank(&c.role) {
            err(
                at,
                format!(
                    "contact {} of market `{}` has neither a team nor a role",
                    i + 1,
                    m.slug
                ),
                "give `team:` or `role:` so providers know who they are writing to".into(),
            );
        }
        if let Some(email) = &c.email {
            if !crate::config::contact_href(email).is_some_and(|h| h.starts_with("mailto:")) {
                err(
                    pos.line(&format!("contacts[{i}].email")),
                    format!("`{email}` is not an email address"),
                    "write an address such as commissioning@example.gov.uk".into(),
                );
            }
        }
    }
    for (k, e) in m.engagement.iter().enumerate() {
        let Some(url) = &e.url else { continue };
        if link_target(url).is_none() {
            err(
                pos.line(&format!("engagement[{k}].url")),
                format!("engagement `{}` has url `{url}`, which is not an address", e.title),
                "write a web address starting with https://, a mailto: address, or a page of this site such as `plan/`".into(),
            );
        }
    }
    for (k, s) in m.sources.iter().enumerate() {
        if !is_web_url(&s.url) {
            err(
                pos.line(&format!("sources[{k}].url")),
                format!(
                    "data source `{}` has url `{}`, which is not a web address",
                    s.name, s.url
                ),
                "start the address with https://".into(),
            );
        }
    }
}

/// Where an engagement's `url` leads: `(href, external)`. A site address (`plan/`) becomes
/// its output file, relative to the site root.
pub(crate) fn link_target(url: &str) -> Option<(String, bool)> {
    let u = url.trim();
    if is_web_url(u) || (u.starts_with("mailto:") && u.len() > 7 && !u.contains(' ')) {
        return Some((u.to_string(), true));
    }
    let path = u.trim_start_matches('/');
    let ok = !u.contains("://")
        && !u.contains(' ')
        && !u.contains(':')
        && !path.split('/').any(|s| s == "..");
    ok.then(|| (urls::output_file(path), false))
}

// ---------------------------------------------------------------------------------------------
// `mps check`.

/// Warnings about the markets, judged against the markets page's `updated` (or `date`): old
/// ratings, engagement that has passed, markets without a contact.
pub fn warnings(site: &Site, out: &mut Vec<Diagnostic>) {
    let reference = reference_date(site);
    let months = site.config.check.rating_max_age_months;
    let cutoff = reference.and_then(|r| r.checked_sub_months(Months::new(months)));
    for src in &site.data.markets {
        let (file, pos, m) = (&src.file, &src.positions, &src.market);
        if let (Some(cutoff), Some(reference)) = (cutoff, reference) {
            for (i, r) in m.ratings.iter().enumerate() {
                if r.assessed >= cutoff {
                    continue;
                }
                let at = pos.line(&format!("ratings[{i}].assessed"));
                out.push(
                    Diagnostic::warning(
                        file,
                        format!(
                            "the `{}` rating of `{}` was assessed on {}, more than {} before the markets page's date ({})",
                            r.dimension,
                            m.slug,
                            format::date_long(r.assessed),
                            format::count(months.into(), "month", "months"),
                            format::date_long(reference)
                        ),
                    )
                    .at(at, None)
                    .help("assess the market again and update the level, reason and `assessed:` date; the age limit is `check: rating_max_age_months` in site.yaml"),
                );
            }
            for (k, e) in m
                .engagement
                .iter()
                .enumerate()
                .filter(|(_, e)| e.date < reference)
            {
                let at = pos.line(&format!("engagement[{k}].date"));
                out.push(
                    Diagnostic::warning(
                        file,
                        format!(
                            "engagement `{}` on {} is before the markets page's date ({}), so it is no longer shown as upcoming",
                            e.title,
                            format::date_long(e.date),
                            format::date_long(reference)
                        ),
                    )
                    .at(at, None)
                    .help("remove it, or give the next date it takes place"),
                );
            }
        }
        if m.contacts.is_empty() {
            out.push(
                Diagnostic::warning(file, format!("market `{}` has no contact", m.slug))
                    .at(pos.line("slug"), None)
                    .help("add `contacts:` with a team or role and an email address, so providers know who to talk to"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use crate::yaml::Positions;

    #[test]
    fn links_are_web_mail_or_site_addresses() {
        assert_eq!(
            link_target("https://x.gov.uk/e"),
            Some(("https://x.gov.uk/e".into(), true))
        );
        assert_eq!(
            link_target("mailto:a@x.gov.uk"),
            Some(("mailto:a@x.gov.uk".into(), true))
        );
        assert_eq!(
            link_target("plan/"),
            Some(("plan/index.html".into(), false))
        );
        assert_eq!(link_target("../secret/"), None);
        assert_eq!(link_target("ftp://x"), None);
        assert_eq!(link_target("two words"), None);
    }

    fn src(slug: &str, name: &str, order: Option<i64>) -> MarketSource {
        MarketSource {
            market: Market {
                slug: slug.into(),
                name: name.into(),
                services: Vec::new(),
                summary: "S".into(),
                icon: None,
                order,
                illustrative: false,
                ratings: Vec::new(),
                figures: Vec::new(),
                charts: Vec::new(),
                more_of: Vec::new(),
                less_of: Vec::new(),
                intentions: Vec::new(),
                contacts: Vec::new(),
                engagement: Vec::new(),
                sources: Vec::new(),
            },
            file: PathBuf::from(format!("{slug}.yaml")),
            positions: Positions::default(),
        }
    }

    #[test]
    fn overview_order_is_order_then_name() {
        let mut list = vec![
            src("c", "Carers", None),
            src("b", "Beta", Some(2)),
            src("a", "Alpha", None),
            src("z", "Zed", Some(1)),
        ];
        sort(&mut list);
        let slugs: Vec<&str> = list.iter().map(|m| m.market.slug.as_str()).collect();
        assert_eq!(slugs, ["z", "b", "a", "c"]);
    }
}
