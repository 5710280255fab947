//! Charts drawn at build time: definitions in `content/data/charts.yaml`, data inline or derived
//! from the procurement plan, drawn as SVG by [`draw`] (plotters) and published with a summary,
//! a data table and a CSV download so that the figures never depend on seeing the picture.
//!
//! Flow: [`ChartsFile`] is loaded with the other data, [`validate`] checks every definition
//! (including that its labels fit), and [`build_all`] resolves and draws each chart once per build
//! (the derive stage calls it). [`data`] resolves a chart's table, [`summary`] words it and
//! [`draw`] draws it.

pub mod data;
pub mod draw;
pub mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

pub use crate::chartdef::*;
use crate::colour::{contrast, parse_hex};
use crate::error::Diagnostic;
use crate::facts::PlanFacts;
use crate::format;
use crate::model::Site;
use crate::money::Money;
use crate::words::Words;
use crate::yaml::Pos;
use data::csv_text;
pub use data::{resolve, Table, PALETTE};
pub use summary::summary;

// Chart colours are set here and in `data::PALETTE`, and nowhere else: the SVGs carry them as
// attributes, because a chart must read the same wherever it is shown (a download, a feed
// reader), not only under the theme's CSS. The default theme's `--text` and `--muted` must be
// the same colours; a test below reads its style.css to keep the two in step.

/// Text on charts: the theme's `--text`.
pub const TEXT: &str = "#0b0c0c";
/// Secondary text: the theme's `--muted`.
pub const MUTED: &str = "#484949";

/// A chart ready to place: the SVG, its data table and CSV.
#[derive(Debug, Clone, Serialize)]
pub struct RenderedChart {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub svg: String,
    /// The chart's data as a table: the theme's `chart_table.html` writes it.
    pub data: DataTable,
    /// The CSV file relative to the site root: `charts/ID.csv`.
    pub csv_href: String,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub note: Option<String>,
    pub illustrative: bool,
}

/// Every chart of the site, drawn, by id; and each chart's data as `charts/ID.csv`, in the
/// order of `charts.yaml`. Each chart's data is resolved once for both. A chart that cannot be
/// drawn carries its problem, reported by each page that places it; one whose data cannot be
/// written stops the build.
pub fn build_all(
    site: &Site,
    facts: &PlanFacts,
    w: &Words,
) -> (Drawn, Result<CsvFiles, Diagnostic>) {
    use rayon::prelude::*;
    let file = source(site);
    let problem = |def: &ChartDef, msg: String| {
        Diagnostic::error(file, format!("chart `{}`: {msg}", def.id))
            .at_pos(chart_at(site, def, "id"))
    };
    let each: Vec<_> = site
        .data
        .charts
        .par_iter()
        .map(|def| match resolve(def, &site.data, facts, w) {
            Ok(t) => {
                // A chart drawn from an invented plan is invented too, marked or not.
                let illustrative = def.illustrative
                    || (def.data.source.is_some()
                        && site
                            .data
                            .plan
                            .as_ref()
                            .is_some_and(crate::opendata::plan_illustrative));
                (
                    render(def, &t, w)
                        .map(|c| RenderedChart { illustrative, ..c })
                        .map_err(|m| problem(def, m)),
                    csv_text(def, &t, illustrative).map_err(|m| problem(def, m)),
                )
            }
            Err(m) => (Err(problem(def, m.clone())), Err(problem(def, m))),
        })
        .collect();
    let mut drawn = BTreeMap::new();
    let mut files = Vec::with_capacity(each.len());
    let mut failed = None;
    for (def, (chart, csv)) in site.data.charts.iter().zip(each) {
        drawn.insert(def.id.clone(), chart);
        match csv {
            Ok(csv) => files.push((format!("charts/{}.csv", def.id), csv.into_bytes())),
            Err(d) => {
                failed.get_or_insert(d);
            }
        }
    }
    (drawn, failed.map_or(Ok(files), Err))
}

/// Each chart's data: (`charts/ID.csv`, bytes).
pub type CsvFiles = Vec<(String, Vec<u8>)>;

/// Every chart, drawn once per build, by id.
pub type Drawn = BTreeMap<String, Result<RenderedChart, Diagnostic>>;

/// Draws one chart from its resolved data.
pub fn render(def: &ChartDef, table: &Table, w: &Words) -> Result<RenderedChart, String> {
    check(def, table)?;
    let summary = def
        .description
        .clone()
        .unwrap_or_else(|| summary(def, table, w));
    let svg = draw::svg(def, table, &summary, w)?;
    Ok(RenderedChart {
        id: def.id.clone(),
        title: def.title.clone(),
        summary,
        svg,
        data: data_table(def, table, w),
        csv_href: format!("charts/{}.csv", def.id),
        source_name: def.source_name.clone(),
        source_url: def.source_url.clone(),
        note: def.note.clone(),
        illustrative: def.illustrative,
    })
}

fn source(site: &Site) -> &Path {
    site.data_sources
        .files
        .get("charts.yaml")
        .map(|(p, _)| p.as_path())
        .unwrap_or(Path::new("content/data/charts.yaml"))
}

/// Where `field` of chart `def` (one of `site.data.charts`) was written in charts.yaml.
fn chart_at(site: &Site, def: &ChartDef, field: &str) -> Option<Pos> {
    let i = site.data.charts.iter().position(|d| std::ptr::eq(d, def))?;
    site.data_sources
        .at("charts.yaml", &format!("charts[{i}].{field}"))
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
        Unit::Money if v < 0.0 && Money::from_f64_rounded(-v) > Money::ZERO => {
            format!("-{}", format::money(Money::from_f64_rounded(-v)))
        }
        Unit::Money => format::money(Money::from_f64_rounded(v)),
        _ => short(unit, v),
    }
}

/// A chart's data as its table shows it: every value formatted, in rows and columns.
#[derive(Debug, Clone, Serialize)]
pub struct DataTable {
    /// The chart's title, which captions the table.
    pub title: String,
    /// Heads the first column, of categories or periods.
    pub first: String,
    /// Heads the other columns: one per series, and `Total` for stacked bars of several.
    pub columns: Vec<String>,
    pub rows: Vec<DataRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataRow {
    pub label: String,
    /// One per column, written in full (`£1,250,000`).
    pub cells: Vec<String>,
}

fn data_table(def: &ChartDef, t: &Table, w: &Words) -> DataTable {
    let u = def.unit;
    let first = def.x_label.as_deref().unwrap_or(match def.kind {
        ChartKind::Line | ChartKind::Timeline => w.get("chart_period"),
        _ => w.get("chart_category"),
    });
    let totals = def.kind == ChartKind::Stacked && t.series.len() > 1;
    let mut columns: Vec<String> = t.series.iter().map(|s| s.name.clone()).collect();
    if totals {
        columns.push(w.get("chart_total").to_string());
    }
    let rows = t
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut cells: Vec<String> = t.series.iter().map(|s| full(u, s.values[i])).collect();
            if totals {
                cells.push(full(u, t.series.iter().map(|x| x.values[i]).sum()));
            }
            DataRow {
                label: c.clone(),
                cells,
            }
        })
        .collect();
    DataTable {
        title: def.title.clone(),
        first: first.to_string(),
        columns,
        rows,
    }
}

/// Every problem with the site's chart definitions, each pointing at its line.
pub fn validate(site: &Site) -> Vec<Diagnostic> {
    let file = source(site);
    // The same rules derive applies later; validation only needs the totals.
    let facts = PlanFacts::new(
        &site.data,
        &crate::facts::GeneratedPaths::default(),
        &site.config.procurement,
    );
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, def) in site.data.charts.iter().enumerate() {
        let at = |field: &str| {
            site.data_sources
                .at("charts.yaml", &format!("charts[{i}].{field}"))
        };
        let start = at("id");
        let mut err = |pos: Option<Pos>, msg: String, help: &str| {
            out.push(
                Diagnostic::error(file, format!("chart `{}`: {msg}", def.id))
                    .at_pos(pos)
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
        if let Some(first) = seen.insert(def.id.as_str(), start) {
            let first = first.map_or(String::new(), |p| format!(" (first on line {})", p.line));
            err(
                start,
                format!("this id is used by another chart too{first}"),
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
        let table = match resolve(def, &site.data, &facts, Words::english()) {
            Ok(t) => t,
            Err(msg) => {
                let line = if def.data.source.is_some() {
                    at("data.source")
                } else if def.data.series.iter().any(|s| !s.values.is_empty()) {
                    def.data
                        .series
                        .iter()
                        .position(|s| s.values.len() != def.data.categories.len())
                        .and_then(|j| at(&format!("data.series[{j}].name")))
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
        if let Err(msg) = draw::layout_check(def, &table, Words::english()) {
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
    use super::data::period_label;
    use super::*;
    use crate::colour::{contrast, parse_hex};
    use crate::model::Data;
    use chrono::NaiveDate;

    fn facts(data: &Data) -> PlanFacts {
        PlanFacts::new(
            data,
            &crate::facts::GeneratedPaths::default(),
            &crate::config::ProcurementSettings::default(),
        )
    }

    /// `d`'s table as a chart with no plan data or figures resolves it, in English.
    pub(crate) fn resolved(d: &ChartDef) -> Result<Table, String> {
        resolve(d, &Data::default(), &PlanFacts::default(), Words::english())
    }

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
    fn chart_text_colours_are_the_default_themes() {
        let css = include_str!("../../themes/default/static/style.css");
        assert!(
            css.contains(&format!("--text: {TEXT};")),
            "--text is not {TEXT}"
        );
        assert!(
            css.contains(&format!("--muted: {MUTED};")),
            "--muted is not {MUTED}"
        );
    }

    #[test]
    fn quarters_are_financial() {
        // April 2019 is month index 2019 * 12 + 3.
        assert_eq!(
            period_label(2019 * 12 + 3, 3, Words::english()),
            "Apr–Jun 2019"
        );
        assert_eq!(
            period_label(2019 * 12 + 9, 3, Words::english()),
            "Oct–Dec 2019"
        );
        assert_eq!(period_label(2020 * 12, 3, Words::english()), "Jan–Mar 2020");
        assert_eq!(period_label(2019 * 12 + 4, 1, Words::english()), "May 2019");
    }

    #[test]
    fn inline_series_must_match_categories() {
        let d = def(ChartKind::Bar, &["A", "B"], &[("S", &[1.0])]);
        let e = resolved(&d).unwrap_err();
        assert!(e.contains("1 values but there are 2"), "{e}");
        let d = def(ChartKind::Bar, &["A"], &[("S", &[])]);
        assert!(resolved(&d).unwrap_err().contains("no values"));
        let d = def(ChartKind::Bar, &["A"], &[]);
        assert!(resolved(&d).unwrap_err().contains("no `series`"));
    }

    #[test]
    fn summaries_name_extremes_totals_and_trends() {
        let d = def(ChartKind::Bar, &["A", "B", "C"], &[("S", &[2e6, 5e6, 1e6])]);
        let t = resolved(&d).unwrap();
        assert_eq!(
            summary(&d, &t, Words::english()),
            "B is the largest at £5m, and C the smallest at £1m, of £8m in all."
        );
        let d = def(
            ChartKind::Line,
            &["2016/17", "2018/19", "2019/20"],
            &[("Grant", &[21.3e6, 10.3e6, 5.9e6])],
        );
        let t = resolved(&d).unwrap();
        assert_eq!(
            summary(&d, &t, Words::english()),
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
                current: false,
                entries: Vec::new(),
            }),
            ..Data::default()
        };
        assert!(resolve(&d, &data, &facts(&data), Words::english())
            .unwrap_err()
            .contains("nothing to show"));
        d.data.source = Some(DerivedSource::PlanStartsByMonth);
        assert!(resolve(&d, &data, &facts(&data), Words::english())
            .unwrap_err()
            .contains("no entries"));
        d.data.source = Some(DerivedSource::PlanLargest);
        assert!(resolve(&d, &data, &facts(&data), Words::english()).is_err());
        let line = def(ChartKind::Line, &["2020"], &[("S", &[1.0])]);
        let t = resolved(&line).unwrap();
        assert!(render(&line, &t, Words::english())
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
        let t = resolved(&d).unwrap();
        assert_eq!(
            csv_text(&d, &t, false).unwrap(),
            "Category,S,illustrative\n\"A, the first\",7400000,false\nB,19.70,false\n"
        );
        // Money keeps its pence; zero is never "-0"; other units keep the decimals they need.
        let mut d = def(ChartKind::Bar, &["A", "B"], &[("S", &[-0.0, 24.5])]);
        let t = resolved(&d).unwrap();
        assert_eq!(
            csv_text(&d, &t, false).unwrap(),
            "Category,S,illustrative\nA,0,false\nB,24.50,false\n"
        );
        d.unit = Unit::Percent;
        assert_eq!(
            csv_text(&d, &t, false).unwrap(),
            "Category,S,illustrative\nA,0,false\nB,24.5,false\n"
        );
        assert_eq!(full(Unit::Money, -0.001), "£0");
        assert_eq!(full(Unit::Money, 24.5), "£24.50");
        assert_eq!(full(Unit::Money, -24.5), "-£24.50");
    }
}
