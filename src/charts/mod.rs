//! Charts drawn at build time: definitions in `content/data/charts.yaml`, data inline or derived
//! from the procurement plan, drawn as SVG by [`draw`] (plotters) and published with a summary,
//! a data table and a CSV download so that the figures never depend on seeing the picture.
//!
//! Flow: [`ChartsFile`] is loaded with the other data, [`validate`] checks every definition
//! (including that its labels fit), and [`render_all`] draws each chart once per build.

pub mod draw;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;
use crate::format;
use crate::markdown::html_escape;
use crate::model::{Data, Site};
use crate::yaml::find_line;

/// `content/data/charts.yaml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChartsFile {
    #[serde(default)]
    pub charts: Vec<ChartDef>,
}

/// One chart as written in YAML.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChartDef {
    /// Lower-case letters, digits and hyphens; names the CSV file and the SVG's ids.
    pub id: String,
    pub title: String,
    pub kind: ChartKind,
    /// Replaces the generated one-sentence summary.
    #[serde(default)]
    pub description: Option<String>,
    pub data: DataSpec,
    #[serde(default)]
    pub unit: Unit,
    #[serde(default)]
    pub source_name: Option<String>,
    #[serde(default)]
    pub source_url: Option<String>,
    /// Names the categories (the first column of the table).
    #[serde(default)]
    pub x_label: Option<String>,
    /// Names the values; shown above the value axis of line charts.
    #[serde(default)]
    pub y_label: Option<String>,
    /// Shown under the chart, for caveats such as "illustrative".
    #[serde(default)]
    pub note: Option<String>,
    /// The data is invented (as the plan's entries are): the chart is tagged "Illustrative".
    #[serde(default)]
    pub illustrative: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Horizontal bars, one row per category: best for long labels and phones.
    Bar,
    /// Vertical bars: for a few short labels.
    Column,
    /// Horizontal bars split into the parts of each total.
    Stacked,
    /// Time series, one line per series.
    Line,
    /// One row per period, in time order.
    Timeline,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Pounds: shown as £1.2m on the chart and in full in the table.
    Money,
    /// Whole numbers.
    Count,
    Percent,
    #[default]
    Number,
}

/// Data derived from the procurement plan.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DerivedSource {
    PlanValueByTheme,
    PlanCountByTheme,
    PlanStartsByQuarter,
    PlanStartsByMonth,
    PlanLargest,
}

impl DerivedSource {
    fn name(self) -> &'static str {
        match self {
            DerivedSource::PlanValueByTheme => "plan-value-by-theme",
            DerivedSource::PlanCountByTheme => "plan-count-by-theme",
            DerivedSource::PlanStartsByQuarter => "plan-starts-by-quarter",
            DerivedSource::PlanStartsByMonth => "plan-starts-by-month",
            DerivedSource::PlanLargest => "plan-largest",
        }
    }
}

/// Either `source:` or `categories:` with `series:`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    #[serde(default)]
    pub source: Option<DerivedSource>,
    /// For `plan-largest`: how many procurements to show (10 when not given).
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub series: Vec<SeriesDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeriesDef {
    pub name: String,
    pub values: Vec<f64>,
    /// A hex colour; the palette's next colour when not given.
    #[serde(default)]
    pub colour: Option<String>,
}

/// The site palette for chart marks. Each colour is at least 3:1 against white (tested), and
/// adjacent colours differ in lightness as well as hue.
pub const PALETTE: &[&str] = &[
    "#1d4f91", "#b04a00", "#00594f", "#8a1c52", "#6b3fa0", "#505a5f",
];
/// Text on charts: the theme's `--text`.
pub const TEXT: &str = "#0b0c0c";
/// Secondary text: the theme's `--muted`.
pub const MUTED: &str = "#484949";
/// The background charts are drawn on.
pub const BACKGROUND: &str = "#ffffff";

/// A chart's data, resolved: every series has one value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// One colour per category (bars coloured by theme), when the data has them.
    pub category_colours: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
    pub colour: String,
}

/// A chart ready to place: the SVG, its data table and CSV.
#[derive(Debug, Clone, Serialize)]
pub struct RenderedChart {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub svg: String,
    /// The data table, wrapped so that it scrolls on narrow screens.
    pub table: String,
    /// The CSV file relative to the site root: `charts/ID.csv`.
    pub csv_href: String,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub note: Option<String>,
    pub illustrative: bool,
}

/// Draws every chart of the site. A chart that cannot be drawn carries its problem, reported
/// by each page that places it.
pub fn render_all(site: &Site) -> BTreeMap<String, Result<RenderedChart, Diagnostic>> {
    use rayon::prelude::*;
    let (file, text) = source(site);
    site.data
        .charts
        .par_iter()
        .map(|def| {
            let r = resolve(def, &site.data)
                .and_then(|t| render(def, &t))
                .map_err(|msg| {
                    Diagnostic::error(file, format!("chart `{}`: {msg}", def.id))
                        .at(find_line(text, 1, "id", &def.id), None)
                });
            (def.id.clone(), r)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Each chart's data as `charts/ID.csv`, in the order of `charts.yaml`.
pub fn csv_files(site: &Site) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let (file, text) = source(site);
    site.data
        .charts
        .iter()
        .map(|def| {
            resolve(def, &site.data)
                .and_then(|t| csv_text(def, &t))
                .map(|csv| (format!("charts/{}.csv", def.id), csv.into_bytes()))
                .map_err(|msg| {
                    Diagnostic::error(file, format!("chart `{}`: {msg}", def.id))
                        .at(find_line(text, 1, "id", &def.id), None)
                })
        })
        .collect()
}

/// Draws one chart from its resolved data.
pub fn render(def: &ChartDef, table: &Table) -> Result<RenderedChart, String> {
    check(def, table)?;
    let summary = def
        .description
        .clone()
        .unwrap_or_else(|| summary(def, table));
    let svg = draw::svg(def, table, &summary)?;
    Ok(RenderedChart {
        id: def.id.clone(),
        title: def.title.clone(),
        summary,
        svg,
        table: table_html(def, table),
        csv_href: format!("charts/{}.csv", def.id),
        source_name: def.source_name.clone(),
        source_url: def.source_url.clone(),
        note: def.note.clone(),
        illustrative: def.illustrative,
    })
}

fn source(site: &Site) -> (&Path, &str) {
    site.data_sources
        .files
        .get("charts.yaml")
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .unwrap_or((Path::new("content/data/charts.yaml"), ""))
}

/// A value as drawn on the chart: `£1.2m`, `3`, `19.7%`.
pub fn short(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Money => format::money_short(v),
        Unit::Count => format::number(v.round()),
        Unit::Percent => format!("{}%", format::number(v)),
        Unit::Number => format::number(v),
    }
}

/// A value as shown in the table: money in full.
pub fn full(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Money if v >= 0.0 => format::money(v.round() as u64),
        Unit::Money => format!("-{}", format::money((-v).round() as u64)),
        _ => short(unit, v),
    }
}

/// The data of a chart, inline or derived from the plan. Errors are plain sentences; callers
/// add the file and line.
pub fn resolve(def: &ChartDef, data: &Data) -> Result<Table, String> {
    let spec = &def.data;
    let table = match spec.source {
        Some(src) => {
            if !spec.categories.is_empty() || !spec.series.is_empty() {
                return Err(format!(
                    "has both `source: {}` and its own `categories` or `series`; use one or the other",
                    src.name()
                ));
            }
            derived(src, spec.limit, data)?
        }
        None => inline(spec)?,
    };
    if table.categories.is_empty() {
        return Err("has nothing to show: its data source gives no categories yet".into());
    }
    Ok(table)
}

fn inline(spec: &DataSpec) -> Result<Table, String> {
    if spec.categories.is_empty() {
        return Err("has no data: give `source:` or `categories:` with `series:`".into());
    }
    if spec.series.is_empty() {
        return Err("has categories but no `series`".into());
    }
    let mut series = Vec::new();
    for (i, s) in spec.series.iter().enumerate() {
        if s.values.is_empty() {
            return Err(format!("series `{}` has no values", s.name));
        }
        if s.values.len() != spec.categories.len() {
            return Err(format!(
                "series `{}` has {} values but there are {} categories; give one value per category",
                s.name,
                s.values.len(),
                spec.categories.len()
            ));
        }
        series.push(Series {
            name: s.name.clone(),
            values: s.values.clone(),
            colour: s
                .colour
                .clone()
                .unwrap_or_else(|| PALETTE[i % PALETTE.len()].to_string()),
        });
    }
    Ok(Table {
        categories: spec.categories.clone(),
        series,
        category_colours: None,
    })
}

fn derived(src: DerivedSource, limit: Option<usize>, data: &Data) -> Result<Table, String> {
    let plan = data.plan.as_ref().ok_or_else(|| {
        format!(
            "`source: {}` needs content/data/plan.yaml, which is missing",
            src.name()
        )
    })?;
    let one = |name: &str,
               categories: Vec<String>,
               values: Vec<f64>,
               colours: Option<Vec<String>>| Table {
        categories,
        series: vec![Series {
            name: name.to_string(),
            values,
            colour: PALETTE[0].to_string(),
        }],
        category_colours: colours,
    };
    match src {
        DerivedSource::PlanValueByTheme | DerivedSource::PlanCountByTheme => {
            let money = src == DerivedSource::PlanValueByTheme;
            let values = data
                .themes
                .iter()
                .map(|t| {
                    let mine = plan.entries.iter().filter(|e| e.theme == t.slug);
                    if money {
                        mine.map(|e| e.value as f64).sum()
                    } else {
                        mine.count() as f64
                    }
                })
                .collect();
            let colours = data
                .themes
                .iter()
                .enumerate()
                .map(|(i, t)| usable_colour(&t.colour, i))
                .collect();
            Ok(one(
                if money {
                    "Estimated value"
                } else {
                    "Procurements"
                },
                data.themes.iter().map(|t| t.name.clone()).collect(),
                values,
                Some(colours),
            ))
        }
        DerivedSource::PlanStartsByQuarter | DerivedSource::PlanStartsByMonth => {
            let quarters = src == DerivedSource::PlanStartsByQuarter;
            let key = |d: NaiveDate| {
                let m0 = d.year() * 12 + d.month0() as i32;
                if quarters {
                    // Financial quarters: April to June is the first.
                    m0 - (d.month0() as i32 - 3).rem_euclid(3)
                } else {
                    m0
                }
            };
            let mut counts: BTreeMap<i32, f64> = BTreeMap::new();
            for e in &plan.entries {
                *counts.entry(key(e.start)).or_default() += 1.0;
            }
            let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().last()) else {
                return Err("the plan has no entries to count".into());
            };
            let step = if quarters { 3 } else { 1 };
            let mut categories = Vec::new();
            let mut values = Vec::new();
            let mut m = first;
            while m <= last {
                categories.push(period_label(m, if quarters { 3 } else { 1 }));
                values.push(counts.get(&m).copied().unwrap_or(0.0));
                m += step;
            }
            Ok(one("Procurements starting", categories, values, None))
        }
        DerivedSource::PlanLargest => {
            let mut entries: Vec<_> = plan.entries.iter().collect();
            entries.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.id.cmp(&b.id)));
            entries.truncate(limit.unwrap_or(10).max(1));
            Ok(one(
                "Estimated value",
                entries.iter().map(|e| e.title.clone()).collect(),
                entries.iter().map(|e| e.value as f64).collect(),
                None,
            ))
        }
    }
}

/// `months` months starting at month index `m0` (year * 12 + month0): `Apr–Jun 2019`, `May 2019`.
fn period_label(m0: i32, months: i32) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let name = |m: i32| NAMES[m.rem_euclid(12) as usize];
    let year = (m0 + months - 1).div_euclid(12);
    if months == 1 {
        format!("{} {year}", name(m0))
    } else {
        format!("{}–{} {year}", name(m0), name(m0 + months - 1))
    }
}

/// The theme colour if marks in it meet 3:1 on the background, else the palette's.
fn usable_colour(hex: &str, i: usize) -> String {
    match parse_hex(hex) {
        Some(c) if contrast(c, (255, 255, 255)) >= 3.0 => hex.to_string(),
        _ => PALETTE[i % PALETTE.len()].to_string(),
    }
}

/// `#1d4f91` -> (29, 79, 145).
pub fn parse_hex(s: &str) -> Option<(u8, u8, u8)> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((p(0)?, p(2)?, p(4)?))
}

/// WCAG 2.2 contrast ratio of two colours.
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    fn lum((r, g, b): (u8, u8, u8)) -> f64 {
        let c = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The one-sentence summary read out as the SVG's description.
pub fn summary(def: &ChartDef, t: &Table) -> String {
    let u = def.unit;
    let additive = matches!(u, Unit::Money | Unit::Count);
    match def.kind {
        ChartKind::Line => {
            let parts: Vec<String> = t
                .series
                .iter()
                .map(|s| {
                    let (first, last) = (s.values[0], s.values[s.values.len() - 1]);
                    let (c0, c1) = (&t.categories[0], &t.categories[t.categories.len() - 1]);
                    let verb = if last > first {
                        "rose"
                    } else if last < first {
                        "fell"
                    } else {
                        "stayed"
                    };
                    let change = if first != 0.0 && last != first && u != Unit::Percent {
                        format!(
                            ", {} of {}%",
                            if last > first { "a rise" } else { "a fall" },
                            format::number(((last - first) / first * 100.0).abs().round())
                        )
                    } else {
                        String::new()
                    };
                    if verb == "stayed" {
                        format!("{} stayed at {} from {c0} to {c1}", s.name, short(u, first))
                    } else {
                        format!(
                            "{} {verb} from {} in {c0} to {} in {c1}{change}",
                            s.name,
                            short(u, first),
                            short(u, last)
                        )
                    }
                })
                .collect();
            format!("{}.", parts.join("; "))
        }
        ChartKind::Timeline => {
            let s = &t.series[0];
            let (i, max) = extreme(&s.values, true);
            let total: f64 = s.values.iter().sum();
            let mut out = format!(
                "{} from {} to {}: the most, {}, in {}",
                s.name,
                t.categories[0],
                t.categories[t.categories.len() - 1],
                short(u, max),
                t.categories[i]
            );
            if additive {
                out.push_str(&format!(", of {} in all", short(u, total)));
            }
            out.push('.');
            out
        }
        ChartKind::Stacked => {
            let totals: Vec<f64> = (0..t.categories.len())
                .map(|c| t.series.iter().map(|s| s.values[c]).sum())
                .collect();
            let (hi, max) = extreme(&totals, true);
            let (lo, min) = extreme(&totals, false);
            let mut out = format!(
                "{} has the largest total, {}, and {} the smallest, {}",
                t.categories[hi],
                short(u, max),
                t.categories[lo],
                short(u, min)
            );
            if additive {
                out.push_str(&format!(
                    "; together {}",
                    short(u, totals.iter().sum::<f64>())
                ));
            }
            out.push('.');
            out
        }
        ChartKind::Bar | ChartKind::Column => {
            let parts: Vec<String> = t
                .series
                .iter()
                .map(|s| {
                    let (hi, max) = extreme(&s.values, true);
                    let (lo, min) = extreme(&s.values, false);
                    let prefix = if t.series.len() > 1 {
                        format!("{}: ", s.name)
                    } else {
                        String::new()
                    };
                    let mut p = if t.categories.len() == 1 {
                        format!("{prefix}{} is {}", t.categories[0], short(u, max))
                    } else {
                        format!(
                            "{prefix}{} is the largest at {}, and {} the smallest at {}",
                            t.categories[hi],
                            short(u, max),
                            t.categories[lo],
                            short(u, min)
                        )
                    };
                    if additive && t.categories.len() > 1 {
                        p.push_str(&format!(
                            ", of {} in all",
                            short(u, s.values.iter().sum::<f64>())
                        ));
                    }
                    p
                })
                .collect();
            format!("{}.", parts.join("; "))
        }
    }
}

/// Index and value of the largest (or smallest) value; the first one on ties.
fn extreme(values: &[f64], largest: bool) -> (usize, f64) {
    let mut best = (0, values.first().copied().unwrap_or(0.0));
    for (i, &v) in values.iter().enumerate() {
        if (largest && v > best.1) || (!largest && v < best.1) {
            best = (i, v);
        }
    }
    best
}

fn table_html(def: &ChartDef, t: &Table) -> String {
    let u = def.unit;
    let first = def.x_label.as_deref().unwrap_or(match def.kind {
        ChartKind::Line | ChartKind::Timeline => "Period",
        _ => "Category",
    });
    let totals = def.kind == ChartKind::Stacked && t.series.len() > 1;
    let mut s = format!(
        "<div class=\"table-wrap\" role=\"region\" aria-label=\"Data: {title}\" tabindex=\"0\"><table class=\"chart-table\"><caption>{title}</caption><thead><tr><th scope=\"col\">{}</th>",
        html_escape(first),
        title = html_escape(&def.title)
    );
    for series in &t.series {
        s.push_str(&format!(
            "<th scope=\"col\" class=\"num\">{}</th>",
            html_escape(&series.name)
        ));
    }
    if totals {
        s.push_str("<th scope=\"col\" class=\"num\">Total</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for (i, c) in t.categories.iter().enumerate() {
        s.push_str(&format!("<tr><th scope=\"row\">{}</th>", html_escape(c)));
        for series in &t.series {
            s.push_str(&format!(
                "<td class=\"num\">{}</td>",
                full(u, series.values[i])
            ));
        }
        if totals {
            let sum: f64 = t.series.iter().map(|x| x.values[i]).sum();
            s.push_str(&format!("<td class=\"num\">{}</td>", full(u, sum)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

/// The chart's data as CSV: one row per category, one column per series, plain numbers.
fn csv_text(def: &ChartDef, t: &Table) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| format!("could not write its CSV: {e}");
    let mut header = vec![def.x_label.clone().unwrap_or_else(|| "Category".into())];
    header.extend(t.series.iter().map(|s| s.name.clone()));
    w.write_record(&header).map_err(fail)?;
    for (i, c) in t.categories.iter().enumerate() {
        let mut row = vec![c.clone()];
        row.extend(t.series.iter().map(|s| format!("{}", s.values[i])));
        w.write_record(&row).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| format!("could not write its CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("could not write its CSV: {e}"))
}

/// Every problem with the site's chart definitions, each pointing at its line.
pub fn validate(site: &Site) -> Vec<Diagnostic> {
    let (file, text) = source(site);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    // Start each search at the chart's own `id:` line, so two charts with the same field find
    // their own.
    let mut from = 1;
    for def in &site.data.charts {
        let start = find_line(text, from, "id", &def.id);
        if let Some(l) = start {
            from = l + 1;
        }
        let at = |field: &str| {
            start
                .and_then(|s| {
                    let next = find_line(text, s + 1, "id", "").unwrap_or(usize::MAX);
                    find_line(text, s, field, "").filter(|&l| l < next)
                })
                .or(start)
        };
        let mut err = |line: Option<usize>, msg: String, help: &str| {
            out.push(
                Diagnostic::error(file, format!("chart `{}`: {msg}", def.id))
                    .at(line, None)
                    .help(help.to_string()),
            );
        };
        if !crate::urls::slugify(&def.id).eq(&def.id) || def.id.is_empty() {
            err(
                start,
                "the id must be lower-case letters, digits and hyphens".into(),
                "use an id such as `spend-by-theme`; it names the chart's CSV file",
            );
        }
        if !seen.insert(def.id.as_str()) {
            let again = find_line(text, start.map_or(1, |l| l + 1), "id", &def.id);
            err(
                again.or(start),
                "this id is used by another chart too".into(),
                "give each chart its own id",
            );
        }
        if def.title.trim().is_empty() {
            err(
                at("title"),
                "the title is empty".into(),
                "give the chart a short title",
            );
        }
        if let Some(url) = &def.source_url {
            if def.source_name.is_none() {
                err(
                    at("source_url"),
                    "has a source_url but no source_name".into(),
                    "add `source_name:` saying who published the figures; it is the link's text",
                );
            }
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                err(
                    at("source_url"),
                    format!("source_url `{url}` is not a web address"),
                    "link the page the figures come from, starting with https://",
                );
            }
        }
        let table = match resolve(def, &site.data) {
            Ok(t) => t,
            Err(msg) => {
                let line = if def.data.source.is_some() {
                    at("source")
                } else if def.data.series.iter().any(|s| !s.values.is_empty()) {
                    def.data
                        .series
                        .iter()
                        .find(|s| s.values.len() != def.data.categories.len())
                        .and_then(|s| start.and_then(|l| find_line(text, l, "name", &s.name)))
                        .or(at("data"))
                } else {
                    at("data")
                };
                err(
                    line,
                    msg,
                    "see the `## Charts` section of README.md for the data a chart needs",
                );
                continue;
            }
        };
        if let Err(msg) = check(def, &table) {
            err(
                at("data").or(start),
                msg,
                "see the `## Charts` section of README.md",
            );
            continue;
        }
        if let Err(msg) = draw::layout_check(def, &table) {
            err(
                at("kind"),
                msg,
                "shorten the labels, or use `kind: bar`, which has room for long labels",
            );
        }
    }
    out
}

/// Checks the values suit the kind of chart.
fn check(def: &ChartDef, t: &Table) -> Result<(), String> {
    for s in &t.series {
        if let Some(v) = s.values.iter().find(|v| !v.is_finite()) {
            return Err(format!(
                "series `{}` has a value that is not a number: {v}",
                s.name
            ));
        }
        if def.kind != ChartKind::Line && s.values.iter().any(|&v| v < 0.0) {
            return Err(format!(
                "series `{}` has a negative value; only line charts can show negative values",
                s.name
            ));
        }
        if def.unit == Unit::Count && s.values.iter().any(|v| v.fract() != 0.0) {
            return Err(format!(
                "series `{}` has a fraction but `unit: count` means whole numbers",
                s.name
            ));
        }
        if parse_hex(&s.colour).is_none() {
            return Err(format!(
                "colour `{}` of series `{}` is not a hex colour such as \"#1d4f91\"",
                s.colour, s.name
            ));
        }
        if let Some(c) = parse_hex(&s.colour) {
            if contrast(c, (255, 255, 255)) < 3.0 {
                return Err(format!(
                    "colour `{}` of series `{}` is too light: marks need 3:1 contrast against white",
                    s.colour, s.name
                ));
            }
        }
    }
    if def.kind == ChartKind::Line && t.categories.len() < 2 {
        return Err("a line chart needs at least two points in each series".into());
    }
    if def.kind == ChartKind::Timeline && t.series.len() != 1 {
        return Err("a timeline shows one series; use `kind: stacked` for more".into());
    }
    if t.series.len() > PALETTE.len() {
        return Err(format!(
            "has {} series; charts are readable with at most {}",
            t.series.len(),
            PALETTE.len()
        ));
    }
    if t.categories.iter().any(|c| c.trim().is_empty()) {
        return Err("has an empty category label".into());
    }
    let mut names = BTreeSet::new();
    if let Some(s) = t.series.iter().find(|s| !names.insert(s.name.as_str())) {
        return Err(format!("has two series called `{}`", s.name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn def(kind: ChartKind, categories: &[&str], series: &[(&str, &[f64])]) -> ChartDef {
        ChartDef {
            id: "test-chart".into(),
            title: "Test chart".into(),
            kind,
            description: None,
            data: DataSpec {
                categories: categories.iter().map(|s| s.to_string()).collect(),
                series: series
                    .iter()
                    .map(|(n, v)| SeriesDef {
                        name: n.to_string(),
                        values: v.to_vec(),
                        colour: None,
                    })
                    .collect(),
                ..Default::default()
            },
            unit: Unit::Money,
            source_name: None,
            source_url: None,
            x_label: None,
            y_label: None,
            note: None,
            illustrative: false,
        }
    }

    #[test]
    fn palette_marks_meet_three_to_one() {
        for c in PALETTE {
            let rgb = parse_hex(c).unwrap();
            assert!(contrast(rgb, (255, 255, 255)) >= 3.0, "{c}");
        }
        assert!(contrast(parse_hex(TEXT).unwrap(), (255, 255, 255)) >= 4.5);
        assert!(contrast(parse_hex(MUTED).unwrap(), (255, 255, 255)) >= 4.5);
    }

    #[test]
    fn quarters_are_financial() {
        // April 2019 is month index 2019 * 12 + 3.
        assert_eq!(period_label(2019 * 12 + 3, 3), "Apr–Jun 2019");
        assert_eq!(period_label(2019 * 12 + 9, 3), "Oct–Dec 2019");
        assert_eq!(period_label(2020 * 12, 3), "Jan–Mar 2020");
        assert_eq!(period_label(2019 * 12 + 4, 1), "May 2019");
    }

    #[test]
    fn inline_series_must_match_categories() {
        let d = def(ChartKind::Bar, &["A", "B"], &[("S", &[1.0])]);
        let e = resolve(&d, &Data::default()).unwrap_err();
        assert!(e.contains("1 values but there are 2"), "{e}");
        let d = def(ChartKind::Bar, &["A"], &[("S", &[])]);
        assert!(resolve(&d, &Data::default())
            .unwrap_err()
            .contains("no values"));
        let d = def(ChartKind::Bar, &["A"], &[]);
        assert!(resolve(&d, &Data::default())
            .unwrap_err()
            .contains("no `series`"));
    }

    #[test]
    fn summaries_name_extremes_totals_and_trends() {
        let d = def(ChartKind::Bar, &["A", "B", "C"], &[("S", &[2e6, 5e6, 1e6])]);
        let t = resolve(&d, &Data::default()).unwrap();
        assert_eq!(
            summary(&d, &t),
            "B is the largest at £5m, and C the smallest at £1m, of £8m in all."
        );
        let d = def(
            ChartKind::Line,
            &["2016/17", "2018/19", "2019/20"],
            &[("Grant", &[21.3e6, 10.3e6, 5.9e6])],
        );
        let t = resolve(&d, &Data::default()).unwrap();
        assert_eq!(
            summary(&d, &t),
            "Grant fell from £21.3m in 2016/17 to £5.9m in 2019/20, a fall of 72%."
        );
    }

    #[test]
    fn derived_data_with_nothing_to_count_is_an_error_not_a_panic() {
        let mut d = def(ChartKind::Bar, &[], &[]);
        d.data.source = Some(DerivedSource::PlanValueByTheme);
        let data = Data {
            plan: Some(crate::model::ProcurementPlan {
                year: "2019/20".into(),
                published: NaiveDate::from_ymd_opt(2019, 3, 12).unwrap(),
                note: None,
                illustrative: false,
                entries: Vec::new(),
            }),
            ..Data::default()
        };
        assert!(resolve(&d, &data).unwrap_err().contains("nothing to show"));
        d.data.source = Some(DerivedSource::PlanStartsByMonth);
        assert!(resolve(&d, &data).unwrap_err().contains("no entries"));
        d.data.source = Some(DerivedSource::PlanLargest);
        assert!(resolve(&d, &data).is_err());
        let line = def(ChartKind::Line, &["2020"], &[("S", &[1.0])]);
        let t = resolve(&line, &Data::default()).unwrap();
        assert!(render(&line, &t)
            .unwrap_err()
            .contains("at least two points"));
    }

    #[test]
    fn csv_has_plain_numbers() {
        let d = def(
            ChartKind::Bar,
            &["A, the first", "B"],
            &[("S", &[7400000.0, 19.7])],
        );
        let t = resolve(&d, &Data::default()).unwrap();
        assert_eq!(
            csv_text(&d, &t).unwrap(),
            "Category,S\n\"A, the first\",7400000\nB,19.7\n"
        );
    }
}
