//! Markets: one file per care market in `content/data/markets/`, rated on the dimensions and
//! scale a site sets in `site.yaml` (`markets:`), with figures, messages, intentions, contacts,
//! engagement and the plan's procurements for it.
//!
//! Flow: [`load`] reads each file, [`sort`] puts them in overview order, [`validate`] checks
//! them against `site.yaml` and the rest of the data, [`view`] derives what templates show
//! (once per build, in the derive stage), [`files`] writes each market's Atom feed and JSON
//! file, and [`warnings`] adds `mps check`'s warnings. Nothing here knows any council's
//! markets: the scale, the dimensions and the markets all come from content.
//!
//! Dates are judged against the markets page's own `updated` (or `date`), never the day of the
//! build: "upcoming" means on or after that date.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::facts::GeneratedPaths;
use crate::feeds::{self, Feed, FeedEntry};
use crate::format;
use crate::model::{DataSource, Generate, KeyFigure, Site, ICONS};
use crate::money::Money;
use crate::templates::SiteTheme;
use crate::urls;
use crate::urls::is_slug;
use crate::validate::is_web_url;
use crate::views::{DataView, EntryView, Link};
use crate::yaml::Positions;

/// Where market files live, relative to `content/`.
pub const FOLDER: &str = "data/markets/";
/// Each market's Atom feed, in its page's folder.
pub const FEED_FILE: &str = "atom.xml";
/// Each market's data as JSON, in its page's folder.
pub const JSON_FILE: &str = "market.json";

/// `markets:` in `site.yaml`: the rating scale and the rating grid's rows.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarketsSettings {
    /// Rating levels, worst first.
    #[serde(default)]
    pub scale: Vec<ScaleLevel>,
    /// The rating grid's rows, in order.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    /// The word market files use.
    pub level: String,
    /// The words shown on the page.
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// One market file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    pub slug: String,
    pub name: String,
    /// Words providers search for.
    #[serde(default)]
    pub services: Vec<String>,
    pub summary: String,
    #[serde(default)]
    pub icon: Option<String>,
    /// Place on the overview: smallest first, then by name.
    #[serde(default)]
    pub order: Option<i64>,
    /// The ratings, messages, intentions, contacts and engagement are examples written for the
    /// site (each figure says for itself).
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub ratings: Vec<Rating>,
    #[serde(default)]
    pub figures: Vec<KeyFigure>,
    /// Ids from `charts.yaml`.
    #[serde(default)]
    pub charts: Vec<String>,
    #[serde(default)]
    pub more_of: Vec<String>,
    #[serde(default)]
    pub less_of: Vec<String>,
    #[serde(default)]
    pub intentions: Vec<Intention>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub engagement: Vec<Engagement>,
    #[serde(default)]
    pub sources: Vec<DataSource>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub dimension: String,
    pub level: String,
    pub reason: String,
    pub assessed: NaiveDate,
    #[serde(default)]
    pub illustrative: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Intention {
    pub what: String,
    pub when: NaiveDate,
    #[serde(default)]
    pub illustrative: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Engagement {
    pub title: String,
    pub date: NaiveDate,
    /// A web or `mailto:` address, or a site address such as `plan/`.
    #[serde(default)]
    pub url: Option<String>,
    /// A word such as forum, event, consultation or training.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
}

/// A market as loaded, with its file and where each value was written, so that problems found
/// after parsing (a level not on the scale, a slug used twice) point at their line.
#[derive(Debug, Clone)]
pub struct MarketSource {
    pub market: Market,
    pub file: PathBuf,
    pub positions: Positions,
}

/// Reads one market file.
pub fn load(path: &Path) -> Result<MarketSource, Diagnostic> {
    let text = crate::source::read_text(path, Some(crate::yaml::MAX_BYTES))?;
    let located = crate::yaml::parse::<Market>(&text, path, 1)?;
    Ok(MarketSource {
        market: located.value,
        file: path.to_path_buf(),
        positions: located.positions,
    })
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

    if let Some(plan) = &site.data.plan {
        let file = site.data_sources.files.get("plan.yaml").map_or_else(
            || site.root.join("content/data/plan.yaml"),
            |(p, _)| p.clone(),
        );
        let slugs: Vec<&str> = markets.iter().map(|m| m.market.slug.as_str()).collect();
        for (i, e) in plan.entries.iter().enumerate() {
            let Some(slug) = &e.market else { continue };
            if slugs.contains(&slug.as_str()) {
                continue;
            }
            let line = site
                .data_sources
                .at("plan.yaml", &format!("entries[{i}].market"))
                .map(|p| p.line);
            out.push(
                Diagnostic::error(
                    &file,
                    format!(
                        "procurement `{}` has market `{slug}`, which does not exist",
                        e.id
                    ),
                )
                .at(line, None)
                .help(if slugs.is_empty() {
                    "there are no markets: add a file to content/data/markets/ or remove the `market:` line".to_string()
                } else {
                    format!("use one of: {}", slugs.join(", "))
                }),
            );
        }
    }
    out
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
        err(
            pos.line("icon"),
            format!(
                "market `{}` names the icon `{icon}`, which there is none of",
                m.slug
            ),
            format!("use one of: {}", ICONS.join(", ")),
        );
    }
    let mut rated = BTreeSet::new();
    for (i, r) in m.ratings.iter().enumerate() {
        let at = pos.line(&format!("ratings[{i}].dimension"));
        if !dimensions.contains(&r.dimension.as_str()) {
            err(
                at,
                format!(
                    "rating dimension `{}` is not one of the site's market dimensions",
                    r.dimension
                ),
                if dimensions.is_empty() {
                    "list the dimensions under `markets: dimensions:` in site.yaml".to_string()
                } else {
                    format!(
                        "use one of: {} (from `markets: dimensions:` in site.yaml)",
                        dimensions.join(", ")
                    )
                },
            );
        } else if !rated.insert(r.dimension.as_str()) {
            err(
                at,
                format!("market `{}` rates `{}` twice", m.slug, r.dimension),
                "rate each dimension at most once; remove one of the two".into(),
            );
        }
        if !levels.contains(&r.level.as_str()) {
            err(
                pos.line(&format!("ratings[{i}].level")),
                format!(
                    "rating level `{}` is not on the site's rating scale",
                    r.level
                ),
                if levels.is_empty() {
                    "list the levels under `markets: scale:` in site.yaml".to_string()
                } else {
                    format!(
                        "use one of: {} (from `markets: scale:` in site.yaml)",
                        levels.join(", ")
                    )
                },
            );
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
        if let Some(icon) = f.icon.as_deref().filter(|i| !ICONS.contains(i)) {
            err(
                field("icon"),
                format!(
                    "figure `{}` names the icon `{icon}`, which there is none of",
                    f.id
                ),
                format!("use one of: {}", ICONS.join(", ")),
            );
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
fn link_target(url: &str) -> Option<(String, bool)> {
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
// What templates see.

#[derive(Debug, Clone, Default, Serialize)]
pub struct MarketsView {
    /// The overview page (output file from the site root), when a page has `generate: markets`.
    pub href: Option<String>,
    pub scale: Vec<LevelView>,
    pub dimensions: Vec<Dimension>,
    /// The date "upcoming" is judged from.
    pub reference: Option<NaiveDate>,
    pub reference_display: Option<String>,
    /// Every market, in overview order.
    pub list: Vec<MarketView>,
    /// Each market's name and page, by slug (plan entries link back with it).
    pub links: BTreeMap<String, Link>,
    /// Some market's content is illustrative.
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub level: String,
    pub label: String,
    pub description: Option<String>,
    /// 1 for the worst level: themes may style levels by it, beside the words.
    pub rank: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RatingView {
    pub dimension: String,
    pub dimension_label: String,
    pub level: String,
    pub label: String,
    pub rank: usize,
    pub reason: String,
    pub assessed: NaiveDate,
    pub assessed_display: String,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    pub id: String,
    pub label: String,
    pub value: f64,
    pub display: String,
    pub unit: Option<String>,
    pub as_at: NaiveDate,
    pub as_at_display: String,
    pub source_name: String,
    pub source_url: String,
    pub note: Option<String>,
    pub illustrative: bool,
    pub headline: bool,
    pub icon: Option<String>,
    /// The change since `previous`, drawn by the theme's figure tile as on the MPS.
    pub previous: Option<crate::views::ChangeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntentionView {
    pub what: String,
    pub when: NaiveDate,
    pub when_display: String,
    pub illustrative: bool,
    /// The id of its list item on the market's page.
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EngagementView {
    pub title: String,
    pub date: NaiveDate,
    pub date_display: String,
    pub kind: Option<String>,
    pub place: Option<String>,
    /// A web or mailto address (`external`), or an output file from the site root.
    pub href: Option<String>,
    pub external: bool,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    /// The team, or else the role.
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub email_href: Option<String>,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarketView {
    pub slug: String,
    pub name: String,
    pub services: Vec<String>,
    pub summary: String,
    pub icon: Option<String>,
    pub illustrative: bool,
    /// The market's page, feed and JSON file (output files from the site root).
    pub href: Option<String>,
    pub feed_href: Option<String>,
    pub json_href: Option<String>,
    /// One cell per dimension of the site, in order: `None` where the market is not rated.
    pub grid: Vec<Option<RatingView>>,
    /// The ratings it has, in the order of the site's dimensions.
    pub ratings: Vec<RatingView>,
    pub figures: Vec<FigureView>,
    /// The figures marked `headline`, or else the first two: shown on the overview's card.
    pub headline_figures: Vec<FigureView>,
    pub charts: Vec<String>,
    pub more_of: Vec<String>,
    pub less_of: Vec<String>,
    /// On or after the reference date, nearest first.
    pub intentions: Vec<IntentionView>,
    /// Before the reference date, most recent first.
    pub past_intentions: Vec<IntentionView>,
    /// On or after the reference date, nearest first.
    pub engagement: Vec<EngagementView>,
    pub contacts: Vec<ContactView>,
    /// The plan's entries with this market, by expected start.
    pub procurements: Vec<EntryView>,
    pub procurements_total_display: String,
    pub sources: Vec<DataSource>,
    /// Where to send feedback on this market, naming it.
    pub feedback_href: String,
}

fn with_query(base: &str, key: &str, value: &str) -> String {
    format!(
        "{base}{}{key}={}",
        if base.contains('?') { '&' } else { '?' },
        utf8_percent_encode(value, NON_ALPHANUMERIC)
    )
}

/// Feedback on one market: to its first contact's email, else to the site's feedback address,
/// with a subject (or, for a web form, a `market=` parameter) naming the market.
fn feedback_href(site: &Site, m: &Market) -> String {
    let subject = format!("Feedback on the {} market", m.name);
    let contact = m
        .contacts
        .iter()
        .filter_map(|c| c.email.as_deref())
        .find_map(crate::config::contact_href);
    let base = contact
        .or_else(|| site.config.feedback_href())
        .unwrap_or_default();
    if base.starts_with("mailto:") {
        with_query(&base, "subject", &subject)
    } else {
        with_query(&base, "market", &m.slug)
    }
}

fn figure_view(f: &KeyFigure) -> FigureView {
    FigureView {
        id: f.id.clone(),
        label: f.label.clone(),
        value: f.value,
        display: format::figure(f.value, &f.unit),
        unit: format::figure_unit(&f.unit).map(str::to_string),
        as_at: f.as_at,
        as_at_display: f
            .period
            .clone()
            .unwrap_or_else(|| format::date_long(f.as_at)),
        source_name: f.source_name.clone(),
        source_url: f.source_url.clone(),
        note: f.note.clone(),
        illustrative: f.illustrative,
        headline: f.headline,
        icon: f.icon.clone(),
        previous: f
            .previous
            .as_ref()
            .map(|p| crate::views::change(f.value, &f.unit, p)),
    }
}

/// Everything templates show of the markets. Plan entries' views come from `data`.
pub fn view(site: &Site, paths: &GeneratedPaths, data: &DataView) -> MarketsView {
    let settings = site.config.markets.clone().unwrap_or_default();
    let reference = reference_date(site);
    let upcoming = |d: NaiveDate| reference.is_none_or(|r| d >= r);
    let scale: Vec<LevelView> = settings
        .scale
        .iter()
        .enumerate()
        .map(|(i, l)| LevelView {
            level: l.level.clone(),
            label: l.label.clone(),
            description: l.description.clone(),
            rank: i + 1,
        })
        .collect();
    let plan = site.data.plan.as_ref();
    let list: Vec<MarketView> = site
        .data
        .markets
        .iter()
        .map(|src| {
            let m = &src.market;
            let href = paths.market(&m.slug);
            let rating = |d: &Dimension| {
                let r = m.ratings.iter().find(|r| r.dimension == d.id)?;
                let level = scale.iter().find(|l| l.level == r.level)?;
                Some(RatingView {
                    dimension: d.id.clone(),
                    dimension_label: d.label.clone(),
                    level: r.level.clone(),
                    label: level.label.clone(),
                    rank: level.rank,
                    reason: r.reason.clone(),
                    assessed: r.assessed,
                    assessed_display: format::date_long(r.assessed),
                    illustrative: r.illustrative || m.illustrative,
                })
            };
            let grid: Vec<Option<RatingView>> = settings.dimensions.iter().map(rating).collect();
            let figures: Vec<FigureView> = m.figures.iter().map(figure_view).collect();
            let mut headline: Vec<FigureView> =
                figures.iter().filter(|f| f.headline).cloned().collect();
            if headline.is_empty() {
                headline = figures.iter().take(2).cloned().collect();
            }
            let mut intentions: Vec<(usize, &Intention)> =
                m.intentions.iter().enumerate().collect();
            intentions.sort_by_key(|(i, x)| (x.when, *i));
            let intention = |(i, x): (usize, &Intention)| IntentionView {
                what: x.what.clone(),
                when: x.when,
                when_display: format::date_long(x.when),
                illustrative: x.illustrative || m.illustrative,
                anchor: format!("intention-{}", i + 1),
            };
            let mut past_intentions: Vec<IntentionView> = intentions
                .iter()
                .filter(|(_, x)| !upcoming(x.when))
                .map(|&p| intention(p))
                .collect();
            past_intentions.reverse();
            let mut engagement: Vec<(usize, &Engagement)> = m
                .engagement
                .iter()
                .enumerate()
                .filter(|(_, e)| upcoming(e.date))
                .collect();
            engagement.sort_by_key(|(i, e)| (e.date, *i));
            let mut procurements: Vec<EntryView> = match (plan, &data.plan) {
                (Some(p), Some(v)) => p
                    .entries
                    .iter()
                    .zip(&v.entries)
                    .filter(|(e, _)| e.market.as_deref() == Some(m.slug.as_str()))
                    .map(|(_, v)| v.clone())
                    .collect(),
                _ => Vec::new(),
            };
            procurements
                .sort_by(|a, b| (a.entry.start, &a.entry.id).cmp(&(b.entry.start, &b.entry.id)));
            let total: Money = procurements.iter().map(|e| e.entry.value).sum();
            MarketView {
                slug: m.slug.clone(),
                name: m.name.clone(),
                services: m.services.clone(),
                summary: m.summary.clone(),
                icon: m.icon.clone(),
                illustrative: m.illustrative,
                feed_href: href.as_ref().map(|p| format!("{p}{FEED_FILE}")),
                json_href: href.as_ref().map(|p| format!("{p}{JSON_FILE}")),
                href: href.as_deref().map(urls::output_file),
                ratings: grid.iter().flatten().cloned().collect(),
                grid,
                headline_figures: headline,
                figures,
                charts: m.charts.clone(),
                more_of: m.more_of.clone(),
                less_of: m.less_of.clone(),
                intentions: intentions
                    .iter()
                    .filter(|(_, x)| upcoming(x.when))
                    .map(|&p| intention(p))
                    .collect(),
                past_intentions,
                engagement: engagement
                    .into_iter()
                    .map(|(i, e)| {
                        let target = e.url.as_deref().and_then(link_target);
                        EngagementView {
                            title: e.title.clone(),
                            date: e.date,
                            date_display: format::date_long(e.date),
                            kind: e.kind.clone(),
                            place: e.place.clone(),
                            external: target.as_ref().is_some_and(|t| t.1),
                            href: target.map(|t| t.0),
                            anchor: format!("engagement-{}", i + 1),
                        }
                    })
                    .collect(),
                contacts: m
                    .contacts
                    .iter()
                    .map(|c| ContactView {
                        name: c
                            .team
                            .clone()
                            .or_else(|| c.role.clone())
                            .unwrap_or_default(),
                        team: c.team.clone(),
                        role: c.role.clone(),
                        email: c.email.clone(),
                        email_href: c.email.as_deref().and_then(crate::config::contact_href),
                        phone: c.phone.clone(),
                        phone_href: c.phone.as_deref().map(|p| {
                            let digits: String = p
                                .chars()
                                .filter(|c| c.is_ascii_digit() || *c == '+')
                                .collect();
                            format!("tel:{digits}")
                        }),
                    })
                    .collect(),
                procurements_total_display: format::money(total),
                procurements,
                sources: m.sources.clone(),
                feedback_href: feedback_href(site, m),
            }
        })
        .collect();
    MarketsView {
        href: paths.markets.as_deref().map(urls::output_file),
        links: list
            .iter()
            .map(|m| {
                (
                    m.slug.clone(),
                    Link {
                        title: m.name.clone(),
                        href: m.href.clone(),
                    },
                )
            })
            .collect(),
        illustrative: list.iter().any(|m| m.illustrative),
        list,
        scale,
        dimensions: settings.dimensions,
        reference_display: reference.map(format::date_long),
        reference,
    }
}

/// The words a market's search entry is made from: its services first (what providers type),
/// then its summary, messages, intentions and engagement.
pub fn search_words(m: &Market) -> Vec<String> {
    let mut parts = Vec::new();
    if !m.services.is_empty() {
        parts.push(format!("Services: {}.", m.services.join(", ")));
    }
    parts.push(m.summary.clone());
    let sentences = |label: &str, list: &[String]| {
        (!list.is_empty()).then(|| format!("{label}: {}", list.join(" ")))
    };
    parts.extend(sentences("We want more of", &m.more_of));
    parts.extend(sentences("We want less of", &m.less_of));
    parts.extend(m.intentions.iter().map(|i| i.what.clone()));
    parts.extend(m.engagement.iter().map(|e| e.title.clone()));
    parts.extend(m.ratings.iter().map(|r| r.reason.clone()));
    parts
}

// ---------------------------------------------------------------------------------------------
// Each market's feed and data file.

/// One market's data, as its JSON file holds it.
#[derive(Serialize)]
struct MarketJson<'a> {
    slug: &'a str,
    name: &'a str,
    summary: &'a str,
    services: &'a [String],
    illustrative: bool,
    /// The market's page, absolute.
    page: Option<String>,
    /// The date the page was stated at (the markets page's `updated` or `date`).
    as_at: Option<NaiveDate>,
    ratings: Vec<JsonRating<'a>>,
    figures: Vec<JsonFigure<'a>>,
    more_of: &'a [String],
    less_of: &'a [String],
    intentions: &'a [Intention],
    engagement: &'a [Engagement],
    contacts: &'a [Contact],
    procurements: Vec<JsonProcurement<'a>>,
    sources: &'a [DataSource],
}

#[derive(Serialize)]
struct JsonRating<'a> {
    dimension: &'a str,
    dimension_label: &'a str,
    level: &'a str,
    label: &'a str,
    reason: &'a str,
    assessed: NaiveDate,
    illustrative: bool,
}

#[derive(Serialize)]
struct JsonFigure<'a> {
    id: &'a str,
    label: &'a str,
    value: f64,
    unit: &'a str,
    as_at: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    source_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    source_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    illustrative: bool,
}

#[derive(Serialize)]
struct JsonProcurement<'a> {
    id: &'a str,
    title: &'a str,
    /// Estimated total value, in pounds.
    value: Money,
    start: NaiveDate,
    end: Option<NaiveDate>,
    duration_months: u32,
    status: &'a str,
    route: &'a str,
    page: Option<String>,
    /// The entry, or the whole plan, is an invented example.
    illustrative: bool,
}

/// Each market's `atom.xml` and `market.json`, beside its page, in overview order. None when
/// no page has `generate: markets`.
pub fn files(
    site: &Site,
    derived: &Derived,
    theme: &SiteTheme,
) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
    let view = &derived.markets;
    let base = &site.config.base_url;
    let absolute = |file: &str| format!("{base}{}", file.trim_end_matches("index.html"));
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (m, src) in view.list.iter().zip(&site.data.markets) {
        let (Some(href), Some(feed_href), Some(json_href)) = (&m.href, &m.feed_href, &m.json_href)
        else {
            continue;
        };
        let page = absolute(href);
        let json = MarketJson {
            slug: &m.slug,
            name: &m.name,
            summary: &m.summary,
            services: &m.services,
            illustrative: m.illustrative,
            page: Some(page.clone()),
            as_at: view.reference,
            ratings: m
                .ratings
                .iter()
                .map(|r| JsonRating {
                    dimension: &r.dimension,
                    dimension_label: &r.dimension_label,
                    level: &r.level,
                    label: &r.label,
                    reason: &r.reason,
                    assessed: r.assessed,
                    illustrative: r.illustrative,
                })
                .collect(),
            figures: src
                .market
                .figures
                .iter()
                .map(|f| JsonFigure {
                    id: &f.id,
                    label: &f.label,
                    value: f.value,
                    unit: &f.unit,
                    as_at: f.as_at,
                    period: f.period.as_deref(),
                    source_name: &f.source_name,
                    source_url: &f.source_url,
                    note: f.note.as_deref(),
                    illustrative: f.illustrative,
                })
                .collect(),
            more_of: &m.more_of,
            less_of: &m.less_of,
            intentions: &src.market.intentions,
            engagement: &src.market.engagement,
            contacts: &src.market.contacts,
            procurements: m
                .procurements
                .iter()
                .map(|e| JsonProcurement {
                    id: &e.entry.id,
                    title: &e.entry.title,
                    value: e.entry.value,
                    start: e.entry.start,
                    end: e.end,
                    duration_months: e.entry.duration_months,
                    status: e.status_label,
                    route: &e.entry.route,
                    page: e.href.as_deref().map(absolute),
                    illustrative: e.entry.illustrative,
                })
                .collect(),
            sources: &m.sources,
        };
        match serde_json::to_vec_pretty(&json) {
            Ok(mut bytes) => {
                bytes.push(b'\n');
                out.push((json_href.clone(), bytes));
            }
            Err(e) => problems.push(
                Diagnostic::error(&src.file, format!("could not write {json_href}: {e}"))
                    .help("this is a bug in mps; please report it"),
            ),
        }
        match feeds::feed(
            site,
            theme,
            &feed(site, view, m, &page, feed_href, &absolute),
        ) {
            Ok(xml) => out.push((feed_href.clone(), xml.into_bytes())),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A market's feed: the market itself, its procurements, its intentions and its upcoming
/// engagement, most recently changed first. Each item links to its place on the market's page
/// (or its entry's page), which is also its id.
fn feed<'a>(
    site: &'a Site,
    view: &MarketsView,
    m: &'a MarketView,
    page: &str,
    feed_href: &str,
    absolute: &dyn Fn(&str) -> String,
) -> Feed<'a> {
    let c = &site.config;
    // The page's own date; without one, the latest date the market itself gives.
    let stated = view
        .reference
        .or_else(|| m.ratings.iter().map(|r| r.assessed).max())
        .unwrap_or_default();
    let published = site.data.plan.as_ref().map(|p| p.published);
    let mut entries = vec![(
        stated,
        FeedEntry {
            title: Cow::Borrowed(&m.name),
            href: page.to_string(),
            published: None,
            updated: feeds::timestamp(stated),
            summary: Some(Cow::Borrowed(&m.summary)),
        },
    )];
    for e in &m.procurements {
        let updated = published.unwrap_or(stated);
        entries.push((
            updated,
            FeedEntry {
                title: Cow::Owned(format!("Procurement: {}", e.entry.title)),
                href: e
                    .href
                    .as_deref()
                    .map(absolute)
                    .unwrap_or_else(|| format!("{page}#procurement-{}", e.entry.id)),
                published: None,
                updated: feeds::timestamp(updated),
                summary: Some(Cow::Owned(format!(
                    "{}, {}. Expected to start in {}. Estimated value {}.",
                    e.entry.id, e.status_label, e.start_display, e.value_display
                ))),
            },
        ));
    }
    for i in &m.intentions {
        entries.push((
            stated,
            FeedEntry {
                title: Cow::Owned(format!("Intention for {}: {}", i.when_display, i.what)),
                href: format!("{page}#{}", i.anchor),
                published: None,
                updated: feeds::timestamp(stated),
                summary: Some(Cow::Borrowed(&i.what)),
            },
        ));
    }
    for e in &m.engagement {
        let mut summary = format!("{} on {}", e.title, e.date_display);
        if let Some(place) = &e.place {
            summary.push_str(&format!(", {place}"));
        }
        summary.push('.');
        entries.push((
            stated,
            FeedEntry {
                title: Cow::Owned(format!("{}, {}", e.title, e.date_display)),
                href: format!("{page}#{}", e.anchor),
                published: None,
                updated: feeds::timestamp(stated),
                summary: Some(Cow::Owned(summary)),
            },
        ));
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.href.cmp(&b.1.href)));
    let updated = entries.iter().map(|e| e.0).max().unwrap_or_default();
    Feed {
        title: Cow::Owned(format!("{}: {}", c.title, m.name)),
        organisation: &c.organisation,
        language: &c.language,
        base_url: Cow::Owned(page.to_string()),
        href: absolute(feed_href),
        updated: feeds::timestamp(updated),
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    }
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
                            "the `{}` rating of `{}` was assessed on {}, more than {months} months before the markets page's date ({})",
                            r.dimension,
                            m.slug,
                            format::date_long(r.assessed),
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

    #[test]
    fn feedback_names_the_market() {
        let m = &src("home-care", "Home care", None).market;
        let mail = with_query(
            "mailto:a@x.gov.uk",
            "subject",
            &format!("Feedback on the {} market", m.name),
        );
        assert_eq!(
            mail,
            "mailto:a@x.gov.uk?subject=Feedback%20on%20the%20Home%20care%20market"
        );
        assert_eq!(
            with_query("https://x.gov.uk/f?a=1", "market", "home-care"),
            "https://x.gov.uk/f?a=1&market=home%2Dcare"
        );
    }
}
