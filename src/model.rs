//! The typed content model: front matter, pages, and the data files in `content/data/`.
//!
//! Types here mirror the documented schemas exactly; unknown keys are rejected so a typo never
//! disappears silently. Relations (a procurement's theme, a principle's themes) are checked by
//! `validate`, not here.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::money::Money;

/// The YAML block at the top of a Markdown page.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub updated: Option<NaiveDate>,
    #[serde(default)]
    pub review_by: Option<NaiveDate>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub draft: bool,
    /// A template of the site theme to render this page with, such as `framework.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// Build pages from data here: `principles`, `themes`, `plan`, `largest`, `pipeline`,
    /// `markets` or `changes`.
    #[serde(default)]
    pub generate: Option<Generate>,
}

/// Which data-driven pages a section or page stands for.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Generate {
    Principles,
    Themes,
    Plan,
    Largest,
    /// The plan's pipeline-notice entries (see `facts::in_pipeline`).
    Pipeline,
    Markets,
    /// What changed between the previous edition of the plan and the current one.
    Changes,
}

/// A Markdown file as loaded: front matter parsed, body not yet rendered.
#[derive(Debug, Clone)]
pub struct SourcePage {
    /// Path relative to `content/`, with `/` separators: `plan/_index.md`.
    pub rel: String,
    /// Path on disk, for error messages.
    pub file: PathBuf,
    pub front: FrontMatter,
    pub body: String,
    /// 1-based line in the file where `body` starts.
    pub body_line: usize,
    /// Site path of the page: `""` for home, `plan/`, `plan/largest/`.
    pub path: String,
    pub is_section: bool,
    /// Where each front matter value was written (lines count from the top of the file).
    pub front_positions: crate::yaml::Positions,
    /// In a language other than the default: the page has no translation, and shows the
    /// default language's text.
    pub untranslated: bool,
}

/// An outcome theme: one of the council's ambitions that plan entries serve (not the site's
/// look, which is `SiteTheme`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeTheme {
    pub slug: String,
    pub name: String,
    /// A hex colour such as `#00594f`, dark enough for white text.
    pub colour: String,
    pub summary: String,
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// The outcomes are examples written for the site, not the council's own words.
    #[serde(default)]
    pub illustrative: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThemesFile {
    pub themes: Vec<OutcomeTheme>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub slug: String,
    pub name: String,
    pub summary: String,
    /// What the principle means in practice.
    #[serde(default)]
    pub in_practice: Vec<String>,
    /// The `in_practice` bullets are examples written for the site.
    #[serde(default)]
    pub illustrative: bool,
    /// Slugs of the outcome themes this principle most relates to.
    #[serde(default)]
    pub themes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrinciplesFile {
    pub principles: Vec<Principle>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    pub name: String,
    pub description: String,
}

/// The framework itself: what commissioning means here and what the framework is for.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub definition: String,
    #[serde(default)]
    pub definition_source: Option<String>,
    #[serde(default)]
    pub mission: Option<String>,
    /// What the framework is for.
    #[serde(default)]
    pub purposes: Vec<String>,
    #[serde(default)]
    pub values: Vec<Value>,
    /// The conditions for change.
    #[serde(default)]
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Planned,
    MarketEngagement,
    Tendering,
    Awarded,
    Cancelled,
}

impl Status {
    /// The key of its name in the theme's words (see `words`).
    pub fn word(self) -> &'static str {
        match self {
            Status::Planned => "status_planned",
            Status::MarketEngagement => "status_market_engagement",
            Status::Tendering => "status_tendering",
            Status::Awarded => "status_awarded",
            Status::Cancelled => "status_cancelled",
        }
    }

    /// Its name in English, as the open data writes it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Planned => "Planned",
            Status::MarketEngagement => "Market engagement",
            Status::Tendering => "Tendering",
            Status::Awarded => "Awarded",
            Status::Cancelled => "Cancelled",
        }
    }
}

/// One line of the annual procurement plan.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProcurementEntry {
    pub id: String,
    pub title: String,
    /// Slug of an outcome theme.
    pub theme: String,
    pub department: String,
    /// Estimated total value in pounds sterling.
    pub value: Money,
    /// Expected start.
    pub start: NaiveDate,
    pub duration_months: u32,
    pub route: String,
    pub status: Status,
    pub social_value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Slug of the market (`content/data/markets/`) this procurement buys for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    /// An invented example, not a real procurement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub illustrative: bool,
    /// When the council expects to publish the next notice (the tender or transparency
    /// notice); decides whether the entry falls in the pipeline window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_date: Option<NaiveDate>,
    /// The main procurement category, as a pipeline notice gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Whether the contract suits small and medium enterprises and voluntary, community and
    /// social enterprises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suitable_for: Option<SuitableFor>,
    /// Estimated total value including VAT, in pounds sterling (`value` is without VAT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_gross: Option<Money>,
    /// Who won the contract, once awarded (for the Transparency Code contracts register).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Supplier>,
    /// When the contract is due for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_date: Option<NaiveDate>,
    /// Whether the contract is (or was) let through a published invitation to tender or to
    /// quote; when absent, `facts::tendered` works it out from the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tendered: Option<bool>,
}

/// The supplier of an awarded contract, as the Local Government Transparency Code 2015 asks.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    pub name: String,
    /// Whether the supplier is a small or medium-sized enterprise.
    #[serde(default)]
    pub sme: bool,
    /// Whether the supplier is a voluntary or community sector organisation.
    #[serde(default)]
    pub vcse: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity_number: Option<String>,
}

/// The main procurement category of an entry (OCDS `mainProcurementCategory`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Goods,
    Services,
    Works,
}

impl Category {
    /// The key of its name in the theme's words (see `words`).
    pub fn word(self) -> &'static str {
        match self {
            Category::Goods => "category_goods",
            Category::Services => "category_services",
            Category::Works => "category_works",
        }
    }

    /// Its name in English, as the open data writes it.
    pub fn label(self) -> &'static str {
        match self {
            Category::Goods => "Goods",
            Category::Services => "Services",
            Category::Works => "Works",
        }
    }
}

/// Who a contract suits, as a pipeline notice says.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SuitableFor {
    /// Small and medium-sized enterprises.
    pub sme: bool,
    /// Voluntary, community and social enterprises.
    pub vcse: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProcurementPlan {
    /// The plan year as people write it: `2019/20`.
    pub year: String,
    /// When the plan was published; dates the open data.
    pub published: NaiveDate,
    /// Shown on every page that shows entries (for example, that they are illustrative).
    #[serde(default)]
    pub note: Option<String>,
    /// Every entry is an invented example (as if each were marked `illustrative`).
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub entries: Vec<ProcurementEntry>,
    /// In `content/data/plan/`, the edition the site shows; exactly one file says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub current: bool,
}

/// An earlier edition of the plan, from `content/data/plan/<slug>.yaml`, published at
/// `<plan section>/<slug>/`.
#[derive(Debug, Clone)]
pub struct Edition {
    /// The file name without `.yaml`: `2019-20`. Makes the edition's stable address.
    pub slug: String,
    pub file: PathBuf,
    pub plan: ProcurementPlan,
    /// Where each value was written, so that its checks point at their line.
    pub positions: crate::yaml::Positions,
}

/// One MPS key figure, shown as a stat tile.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFigure {
    pub id: String,
    pub label: String,
    pub value: f64,
    /// `%`, `£m` and `£` format the number; any other word is shown after it.
    pub unit: String,
    /// The date the figure describes, for currency checks.
    pub as_at: NaiveDate,
    /// How people name that date (`mid-2018`, `2019/20`); shown instead of the date.
    #[serde(default)]
    pub period: Option<String>,
    /// Where the figure comes from; required unless the figure is `illustrative`.
    #[serde(default)]
    pub source_name: String,
    #[serde(default)]
    pub source_url: String,
    #[serde(default)]
    pub note: Option<String>,
    /// Not a sourced fact: an example or estimate written for the site.
    #[serde(default)]
    pub illustrative: bool,
    /// One of the few figures that lead the page, in the headline band.
    #[serde(default)]
    pub headline: bool,
    /// A pictogram drawn beside the figure: one of [`ICONS`].
    #[serde(default)]
    pub icon: Option<String>,
    /// The value before, so the page can show the change.
    #[serde(default)]
    pub previous: Option<PreviousValue>,
}

/// An earlier value of a key figure.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousValue {
    pub value: f64,
    pub as_at: NaiveDate,
    /// How people name that date (`2018/19`); shown instead of the date.
    #[serde(default)]
    pub period: Option<String>,
}

/// The pictograms a figure can name with `icon:`. Every theme draws each of these (the default
/// theme in `templates/icons.html`), so content never names one a theme lacks.
pub const ICONS: &[&str] = &[
    "calendar", "care", "chart", "contract", "heart", "home", "map", "money", "people", "school",
];

/// What is wrong with the icon `icon` (not one of [`ICONS`]) of `what` (such as "figure
/// `households`"), and how to fix it: the nearest icon when one is near.
pub fn unknown_icon(what: &str, icon: &str) -> (String, String) {
    // Ten icons: a guess up to two-thirds of the word away is still worth offering.
    let limit = (icon.chars().count() * 2 / 3).max(1);
    let guess = crate::error::closest_within(icon, ICONS.iter().copied(), limit)
        .map(|g| format!("did you mean `{g}`? "))
        .unwrap_or_default();
    (
        format!("{what} names the icon `{icon}`, which is not one of the icons mps has"),
        format!("{guess}use one of: {}", ICONS.join(", ")),
    )
}

/// A live link to a data source providers can use.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresFile {
    #[serde(default)]
    pub figures: Vec<KeyFigure>,
    #[serde(default)]
    pub sources: Vec<DataSource>,
}

/// All of `content/data/`. Each part is optional: a site without a plan has no plan pages.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub themes: Vec<OutcomeTheme>,
    pub principles: Vec<Principle>,
    pub framework: Option<Framework>,
    /// The current edition of the plan.
    pub plan: Option<ProcurementPlan>,
    /// The earlier editions (from `content/data/plan/`), oldest first by `published`.
    pub editions: Vec<Edition>,
    pub figures: FiguresFile,
    /// Chart definitions from `charts.yaml`.
    pub charts: Vec<crate::chartdef::ChartDef>,
    /// One per file in `content/data/markets/`, in overview order (see `markets::sort`).
    pub markets: Vec<MarketSource>,
}

/// Where each data file was read from, with its text, and where each of its values was
/// written, so that validation can point at lines.
#[derive(Debug, Clone, Default)]
pub struct DataSources {
    pub files: std::collections::BTreeMap<&'static str, (PathBuf, String)>,
    /// By data file name, as in `files`: paths such as `entries[3].theme`.
    pub positions: std::collections::BTreeMap<&'static str, crate::yaml::Positions>,
}

impl DataSources {
    /// The file a data file was (or would be) read from, and the position of `path` in it.
    pub fn at(&self, name: &str, path: &str) -> Option<crate::yaml::Pos> {
        self.positions.get(name)?.nearest(path)
    }
}

/// Everything loaded from a site root, before validation.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub pages: Vec<SourcePage>,
    pub data: Data,
    pub data_sources: DataSources,
    /// Files copied as they are: (path relative to the output, path on disk), sorted.
    pub assets: Vec<(String, PathBuf)>,
    /// In a language other than the default: each page and text with no translation (as
    /// warnings; they stop the build unless `translations: fallback: true`).
    pub untranslated: Vec<crate::error::Diagnostic>,
    /// For a site published in several languages, every language's pages (set once every
    /// language has loaded).
    pub languages: Option<std::sync::Arc<crate::translations::Languages>>,
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
    /// The rating before this one, so the page can show what changed (as a figure's
    /// `previous` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousRating>,
}

/// An earlier rating of the same dimension of a market.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousRating {
    /// A level from `site.yaml` `markets: scale:`.
    pub level: String,
    pub assessed: NaiveDate,
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
    pub positions: crate::yaml::Positions,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_icon_gets_the_nearest_one_when_one_is_near() {
        let (message, help) = unknown_icon("figure `x`", "person");
        assert_eq!(
            message,
            "figure `x` names the icon `person`, which is not one of the icons mps has"
        );
        assert!(
            help.starts_with("did you mean `people`? use one of: calendar,"),
            "{help}"
        );
        let (_, help) = unknown_icon("figure `x`", "zzzzzzzz");
        assert!(help.starts_with("use one of:"), "{help}");
    }
}
