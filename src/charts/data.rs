//! A chart's data, resolved: inline from `charts.yaml` or derived from the plan's facts, as one
//! [`Table`] that the drawing, the summary, the data table and the CSV all read.

use std::collections::BTreeMap;

use crate::words::Words;

use chrono::{Datelike, NaiveDate};

use super::{ChartDef, DataSpec, DerivedSource};
use crate::colour::{contrast, parse_hex};
use crate::facts::PlanFacts;
use crate::model::Data;

/// The site palette for chart marks. Each colour is at least 3:1 against white (tested), and
/// adjacent colours differ in lightness as well as hue.
pub const PALETTE: &[&str] = &[
    "#1d4f91", "#b04a00", "#00594f", "#8a1c52", "#6b3fa0", "#505a5f",
];
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

/// The data of a chart, inline or derived from the plan. Errors are plain sentences; callers
/// add the file and line.
pub fn resolve(def: &ChartDef, data: &Data, facts: &PlanFacts, w: &Words) -> Result<Table, String> {
    let spec = &def.data;
    let table = match spec.source {
        Some(src) => {
            if !spec.categories.is_empty() || !spec.series.is_empty() {
                return Err(format!(
                    "has both `source: {}` and its own `categories` or `series`; use one or the other",
                    src.name()
                ));
            }
            derived(src, spec.limit, data, facts, w)?
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

fn derived(
    src: DerivedSource,
    limit: Option<usize>,
    data: &Data,
    facts: &PlanFacts,
    w: &Words,
) -> Result<Table, String> {
    let plan = data.plan.as_ref().ok_or_else(|| {
        format!(
            "`source: {}` needs the plan, and there is none: add content/data/plan.yaml, or one file per edition in content/data/plan/ (such as 2024-25.yaml)",
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
            let values = (0..data.themes.len())
                .map(|i| {
                    let t = facts.themes.get(i).copied().unwrap_or_default();
                    if money {
                        t.value.as_f64()
                    } else {
                        t.count as f64
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
                w.get(if money {
                    "chart_estimated_value"
                } else {
                    "chart_procurements"
                }),
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
            for &i in &facts.by_value {
                *counts.entry(key(plan.entries[i].start)).or_default() += 1.0;
            }
            let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().last()) else {
                return Err("the plan has no entries to count".into());
            };
            let step = if quarters { 3 } else { 1 };
            let mut categories = Vec::new();
            let mut values = Vec::new();
            let mut m = first;
            while m <= last {
                categories.push(period_label(m, if quarters { 3 } else { 1 }, w));
                values.push(counts.get(&m).copied().unwrap_or(0.0));
                m += step;
            }
            Ok(one(
                w.get("chart_procurements_starting"),
                categories,
                values,
                None,
            ))
        }
        DerivedSource::PlanLargest => {
            let entries: Vec<_> = facts
                .by_value
                .iter()
                .take(limit.unwrap_or(10).max(1))
                .map(|&i| &plan.entries[i])
                .collect();
            Ok(one(
                w.get("chart_estimated_value"),
                entries.iter().map(|e| e.title.clone()).collect(),
                entries.iter().map(|e| e.value.as_f64()).collect(),
                None,
            ))
        }
    }
}

/// `months` months starting at month index `m0` (year * 12 + month0): `Apr–Jun 2019`, `May 2019`.
pub(super) fn period_label(m0: i32, months: i32, w: &Words) -> String {
    let name = |m: i32| w.month_short(m.rem_euclid(12) as u32 + 1);
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

/// A plain number for the CSV: money with pence keeps two decimals (`24.50`), and zero is
/// never written `-0`.
fn csv_number(unit: super::Unit, v: f64) -> String {
    let v = if v == 0.0 { 0.0 } else { v };
    if unit == super::Unit::Money && v.is_finite() && (v * 100.0).round() % 100.0 != 0.0 {
        let m = crate::money::Money::from_f64_rounded(v.abs()).plain();
        return if v < 0.0 { format!("-{m}") } else { m };
    }
    format!("{v}")
}

/// The chart's data as CSV: one row per category, one column per series, plain numbers.
/// `illustrative` marks every row: the chart is, or its data comes from an illustrative plan.
pub(super) fn csv_text(def: &ChartDef, t: &Table, illustrative: bool) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| format!("could not write its CSV: {e}");
    let mut header = vec![def.x_label.clone().unwrap_or_else(|| "Category".into())];
    header.extend(t.series.iter().map(|s| s.name.clone()));
    // The download travels without the page's "Illustrative" tag, so it carries the mark.
    header.push("illustrative".into());
    w.write_record(&header).map_err(fail)?;
    for (i, c) in t.categories.iter().enumerate() {
        let mut row = vec![c.clone()];
        row.extend(t.series.iter().map(|s| csv_number(def.unit, s.values[i])));
        row.push(illustrative.to_string());
        w.write_record(&row).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| format!("could not write its CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("could not write its CSV: {e}"))
}
