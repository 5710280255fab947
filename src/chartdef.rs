//! Chart definitions as a site writes them in `content/data/charts.yaml`: part of the loaded
//! model. Resolving their data and drawing them is the `charts` module's job.

use serde::{Deserialize, Serialize};

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
    pub fn name(self) -> &'static str {
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
