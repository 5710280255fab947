//! What templates see of the data: each theme with its procurements and totals, the plan grouped
//! by theme, the largest procurements derived from the plan, formatted figures, and the links
//! between them. Computed once per build; never typed in twice.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::facts::{GeneratedPaths, PlanFacts};
use crate::format;
use crate::model::{Data, Framework, ProcurementEntry};
use crate::money::Money;
use crate::words::Words;

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    /// Output file of the target relative to the site root (`themes/safe-and-well/index.html`);
    /// templates write `{{ root }}{{ link.href }}`.
    pub href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    #[serde(flatten)]
    pub entry: ProcurementEntry,
    pub href: Option<String>,
    pub theme_name: String,
    pub theme_href: Option<String>,
    pub theme_colour: String,
    pub value_display: String,
    pub value_short: String,
    pub start_display: String,
    /// Expected end: start plus the duration.
    pub end: Option<NaiveDate>,
    pub end_display: String,
    pub status_label: String,
    /// Shown, marked, but left out of every total, the largest list and pipeline notices.
    pub cancelled: bool,
    pub large: bool,
    pub pipeline: bool,
    /// The pipeline page, on entries in the pipeline when the site has one.
    pub pipeline_href: Option<String>,
    /// `June 2019`, when the entry has a notice date.
    pub notice_date_display: String,
    pub category_label: Option<String>,
    pub value_gross_display: Option<String>,
    /// On an earlier edition's entry: its page in the current plan, when it is still there.
    pub current_href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeView {
    pub slug: String,
    pub name: String,
    pub colour: String,
    pub summary: String,
    pub outcomes: Vec<String>,
    /// The outcomes are examples written for the site.
    pub outcomes_illustrative: bool,
    /// Some of the theme's procurements are illustrative.
    pub entries_illustrative: bool,
    pub href: Option<String>,
    pub entries: Vec<EntryView>,
    pub count: usize,
    pub total: Money,
    pub total_display: String,
    pub total_short: String,
    pub principles: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrincipleView {
    pub number: usize,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub in_practice: Vec<String>,
    pub illustrative: bool,
    pub href: Option<String>,
    pub themes: Vec<Link>,
    pub previous: Option<Link>,
    pub next: Option<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub year: String,
    pub published: NaiveDate,
    pub published_display: String,
    pub note: Option<String>,
    /// Any entry is illustrative (each entry says which in its own `illustrative`).
    pub illustrative: bool,
    pub href: Option<String>,
    pub largest_href: Option<String>,
    pub entries: Vec<EntryView>,
    /// Entries at or above the large threshold, largest first.
    pub largest: Vec<EntryView>,
    pub largest_total_display: String,
    pub count: usize,
    pub total: Money,
    pub total_display: String,
    pub total_short: String,
    pub large_threshold: u64,
    pub large_threshold_display: String,
    pub pipeline_threshold: u64,
    pub pipeline_threshold_display: String,
    pub pipeline_count: usize,
    /// The pipeline page, when the site has one.
    pub pipeline_href: Option<String>,
    /// The pipeline entries, by expected notice date.
    pub pipeline: Vec<EntryView>,
    pub pipeline_total_display: String,
    /// The last day of the pipeline window (the first is `published`).
    pub pipeline_until: Option<NaiveDate>,
    pub pipeline_until_display: String,
    /// From `site.yaml`: whether the pipeline notice is a legal duty for this council.
    pub spend_over_100m: bool,
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
    pub previous: Option<ChangeView>,
}

impl FigureView {
    /// A key figure as a tile shows it; the MPS's figures and each market's are made alike.
    pub fn of(f: &crate::model::KeyFigure, w: &Words) -> Self {
        FigureView {
            id: f.id.clone(),
            label: f.label.clone(),
            value: f.value,
            display: format::figure(f.value, &f.unit),
            unit: format::figure_unit(&f.unit).map(str::to_string),
            as_at: f.as_at,
            as_at_display: f.period.clone().unwrap_or_else(|| w.date(f.as_at)),
            source_name: f.source_name.clone(),
            source_url: f.source_url.clone(),
            note: f.note.clone(),
            illustrative: f.illustrative,
            headline: f.headline,
            icon: f.icon.clone(),
            previous: f.previous.as_ref().map(|p| change(f.value, &f.unit, p, w)),
        }
    }
}

/// A figure's change since its previous value, in words as well as a direction, so the page
/// never relies on an arrow or a colour alone.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub display: String,
    pub as_at_display: String,
    /// `up`, `down` or `same`.
    pub direction: &'static str,
    /// `Down £4.4m from £10.3m in 2018/19`.
    pub words: String,
}

fn change(value: f64, unit: &str, previous: &crate::model::PreviousValue, w: &Words) -> ChangeView {
    let as_at_display = previous
        .period
        .clone()
        .unwrap_or_else(|| w.date(previous.as_at));
    let display = format::figure(previous.value, unit);
    let diff = value - previous.value;
    // Compared at the precision figures are shown with, so 19.70 and 19.7 count as no change.
    let shown_diff = (diff.abs() * 100.0).round() / 100.0;
    let (direction, words) = if shown_diff == 0.0 {
        (
            "same",
            w.fill("figure_no_change", &[("date", &as_at_display)]),
        )
    } else {
        let amount = match unit {
            "%" if shown_diff == 1.0 => format!("1 {}", w.get("percentage_point")),
            "%" => format!(
                "{} {}",
                format::number(shown_diff),
                w.get("percentage_points")
            ),
            "£m" | "£" | "£bn" => format::figure(shown_diff, unit),
            _ => match format::figure_unit(unit) {
                Some(u) => format!("{} {u}", format::number(shown_diff)),
                None => format::number(shown_diff),
            },
        };
        let dir = if diff > 0.0 { "up" } else { "down" };
        let key = if diff > 0.0 {
            "figure_up"
        } else {
            "figure_down"
        };
        (
            dir,
            w.fill(
                key,
                &[
                    ("amount", &amount),
                    ("value", &display),
                    ("date", &as_at_display),
                ],
            ),
        )
    };
    ChangeView {
        display,
        as_at_display,
        direction,
        words,
    }
}

/// All data, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct DataView {
    pub themes: Vec<ThemeView>,
    pub principles: Vec<PrincipleView>,
    pub framework: Option<Framework>,
    pub plan: Option<PlanView>,
    pub figures: Vec<FigureView>,
    /// The figures whose `previous` value differs from their value (at the precision shown),
    /// in file order: what the "What changed" page lists.
    pub figures_moved: Vec<FigureView>,
    pub sources: Vec<crate::model::DataSource>,
    /// What changed since the previous edition of the plan, when there is one.
    pub changes: Option<ChangesView>,
    /// Every edition of the plan, newest first (the current one among them), when the site
    /// keeps earlier editions; empty otherwise.
    pub editions: Vec<EditionLink>,
}

/// One edition of the plan, as the list of editions shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EditionLink {
    pub year: String,
    pub published_display: String,
    /// Its plan page (the plan page itself for the current edition), when the site has one.
    pub href: Option<String>,
    pub current: bool,
}

/// An earlier edition of the plan, as its own pages show it: its plan with its entries and
/// totals by theme, worked out by the same rules as the current plan's, and its downloads.
#[derive(Debug, Clone, Serialize)]
pub struct EditionView {
    /// The file name without `.yaml`, which names its folder.
    pub slug: String,
    pub year: String,
    pub published_display: String,
    /// Its plan page.
    pub href: Option<String>,
    pub plan: PlanView,
    /// The outcome themes with this edition's entries and totals.
    pub themes: Vec<ThemeView>,
    pub downloads: Vec<crate::opendata::Download>,
}

impl EditionView {
    /// The edition without its lists of entries: what an entry's page needs of it, so that a
    /// page per entry does not carry the whole plan.
    pub fn summary(&self) -> Self {
        let mut plan = self.plan.clone();
        plan.entries.clear();
        plan.largest.clear();
        plan.pipeline.clear();
        EditionView {
            plan,
            themes: Vec::new(),
            downloads: Vec::new(),
            ..self.clone()
        }
    }
}

/// The list of editions: the current one and each earlier one, newest first by `published`.
fn editions(data: &Data, paths: &GeneratedPaths, w: &Words) -> Vec<EditionLink> {
    let Some(cur) = data.plan.as_ref().filter(|_| !data.editions.is_empty()) else {
        return Vec::new();
    };
    let mut out = vec![EditionLink {
        year: cur.year.clone(),
        published_display: w.date(cur.published),
        href: file(paths.plan.clone()),
        current: true,
    }];
    out.extend(data.editions.iter().rev().map(|ed| EditionLink {
        year: ed.plan.year.clone(),
        published_display: w.date(ed.plan.published),
        href: file(paths.edition(&ed.slug)),
        current: false,
    }));
    out
}

/// One entry as the "What changed" page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedEntryView {
    pub id: String,
    pub title: String,
    /// The entry's page in the current plan (for a removed entry, in the earlier edition).
    pub href: Option<String>,
    pub value_display: String,
    pub start_display: String,
    pub status_label: String,
    pub route: String,
    /// The entry, or the whole plan it was listed in, is marked illustrative (the rule the plan
    /// tables follow), so its row carries the tag.
    pub illustrative: bool,
    /// For a changed entry: each field that differs, old and new.
    pub fields: Vec<FieldChangeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChangeView {
    /// `Estimated value`, `Expected start`, `Status`, `Route`.
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The current edition of the plan compared with the one before (see `facts::diff`).
#[derive(Debug, Clone, Serialize)]
pub struct ChangesView {
    pub previous_year: String,
    pub previous_published_display: String,
    pub current_year: String,
    pub current_published_display: String,
    pub added: Vec<ChangedEntryView>,
    pub removed: Vec<ChangedEntryView>,
    pub changed: Vec<ChangedEntryView>,
}

fn changes(data: &Data, paths: &GeneratedPaths, w: &Words) -> Option<ChangesView> {
    let cur = data.plan.as_ref()?;
    let edition = data.editions.last()?;
    let prev = &edition.plan;
    let d = crate::facts::diff(&prev.entries, &cur.entries);
    let start = |e: &ProcurementEntry| w.month_year(e.start);
    // An entry still in the plan links to its page there; a removed one to its page in the
    // earlier edition, which stays published.
    let row = |e: &ProcurementEntry, current: bool| ChangedEntryView {
        id: e.id.clone(),
        title: e.title.clone(),
        href: file(if current {
            paths.entry(&e.id)
        } else {
            paths.for_edition(&edition.slug).entry(&e.id)
        }),
        value_display: format::money(e.value),
        start_display: start(e),
        status_label: w.get(e.status.word()).to_string(),
        route: e.route.clone(),
        illustrative: e.illustrative
            || if current {
                cur.illustrative
            } else {
                prev.illustrative
            },
        fields: Vec::new(),
    };
    let changed = d
        .changed
        .iter()
        .map(|c| {
            let mut r = row(&c.after, true);
            // Invented in either plan, so the comparison is too.
            r.illustrative |= c.before.illustrative || prev.illustrative;
            r.fields = c
                .fields
                .iter()
                .map(|f| {
                    let (label, before, after) = match *f {
                        "value" => (
                            "estimated_value",
                            format::money(c.before.value),
                            format::money(c.after.value),
                        ),
                        "start" => ("expected_start", start(&c.before), start(&c.after)),
                        "status" => (
                            "status",
                            w.get(c.before.status.word()).to_string(),
                            w.get(c.after.status.word()).to_string(),
                        ),
                        _ => ("route", c.before.route.clone(), c.after.route.clone()),
                    };
                    FieldChangeView {
                        label: w.get(label).to_string(),
                        before,
                        after,
                    }
                })
                .collect();
            r
        })
        .collect();
    Some(ChangesView {
        previous_year: prev.year.clone(),
        previous_published_display: w.date(prev.published),
        current_year: cur.year.clone(),
        current_published_display: w.date(cur.published),
        added: d.added.iter().map(|e| row(e, true)).collect(),
        removed: d.removed.iter().map(|e| row(e, false)).collect(),
        changed,
    })
}

/// A site path as the output file templates link to.
fn file(path: Option<String>) -> Option<String> {
    path.map(|p| crate::urls::output_file(&p))
}

pub fn build(
    data: &Data,
    config: &SiteConfig,
    paths: &GeneratedPaths,
    facts: &PlanFacts,
    w: &Words,
) -> DataView {
    let theme_by_slug: BTreeMap<&str, &crate::model::OutcomeTheme> =
        data.themes.iter().map(|t| (t.slug.as_str(), t)).collect();
    let thresholds = &config.procurement;
    let plan_illustrative = data.plan.as_ref().is_some_and(|p| p.illustrative);
    let entry_view = |(e, f): (&ProcurementEntry, &crate::facts::EntryFacts)| {
        let theme = f.theme.map(|t| &data.themes[t]);
        let end = f.end;
        EntryView {
            href: file(f.path.clone()),
            theme_name: theme.map_or_else(|| e.theme.clone(), |t| t.name.clone()),
            theme_href: file(paths.theme(&e.theme)),
            theme_colour: theme.map_or_else(String::new, |t| t.colour.clone()),
            value_display: format::money(e.value),
            value_short: format::money_short(e.value.as_f64()),
            start_display: w.month_year(e.start),
            end,
            end_display: end.map_or_else(String::new, |d| w.month_year(d)),
            status_label: w.get(e.status.word()).to_string(),
            cancelled: f.cancelled,
            large: f.large,
            pipeline: f.pipeline,
            pipeline_href: file(paths.pipeline.clone().filter(|_| f.pipeline)),
            notice_date_display: e.notice_date.map_or_else(String::new, |d| w.month_year(d)),
            category_label: e.category.map(|c| w.get(c.word()).to_string()),
            value_gross_display: e.value_gross.map(format::money),
            current_href: None,
            entry: ProcurementEntry {
                illustrative: e.illustrative || plan_illustrative,
                ..e.clone()
            },
        }
    };

    let plan = data.plan.as_ref().map(|p| {
        let entries: Vec<EntryView> = p
            .entries
            .iter()
            .zip(&facts.entries)
            .map(entry_view)
            .collect();
        let largest: Vec<EntryView> = facts.largest().map(|i| entries[i].clone()).collect();
        let total = facts.total;
        let largest_total: Money = largest.iter().map(|e| e.entry.value).sum();
        let pipeline: Vec<EntryView> = facts.pipeline.iter().map(|&i| entries[i].clone()).collect();
        let pipeline_total: Money = pipeline.iter().map(|e| e.entry.value).sum();
        let pipeline_until = crate::facts::pipeline_window(p.published).map(|(_, last)| last);
        PlanView {
            year: p.year.clone(),
            published: p.published,
            published_display: w.date(p.published),
            note: p.note.clone(),
            illustrative: entries.iter().any(|e| e.entry.illustrative),
            href: file(paths.plan.clone()),
            largest_href: file(paths.largest.clone()),
            count: facts.count,
            pipeline_count: facts.pipeline_count,
            largest_total_display: format::money(largest_total),
            largest,
            entries,
            total,
            total_display: format::money(total),
            total_short: format::money_short(total.as_f64()),
            large_threshold: thresholds.large_threshold,
            large_threshold_display: format::threshold(thresholds.large_threshold),
            pipeline_threshold: thresholds.pipeline_threshold,
            pipeline_threshold_display: format::threshold(thresholds.pipeline_threshold),
            pipeline_href: file(paths.pipeline.clone()),
            pipeline,
            pipeline_total_display: format::money(pipeline_total),
            pipeline_until,
            pipeline_until_display: pipeline_until.map_or_else(String::new, |d| w.date(d)),
            spend_over_100m: thresholds.spend_over_100m,
        }
    });

    let principle_link = |slug: &str, name: &str| Link {
        title: name.to_string(),
        href: file(paths.principle(slug)),
    };
    let themes = data
        .themes
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let entries: Vec<EntryView> = plan
                .as_ref()
                .map(|p| {
                    p.entries
                        .iter()
                        .zip(&facts.entries)
                        .filter(|(_, f)| f.theme == Some(ti))
                        .map(|(e, _)| e.clone())
                        .collect()
                })
                .unwrap_or_default();
            let total = facts.themes.get(ti).map_or(Money::ZERO, |t| t.value);
            ThemeView {
                slug: t.slug.clone(),
                name: t.name.clone(),
                colour: t.colour.clone(),
                summary: t.summary.clone(),
                outcomes: t.outcomes.clone(),
                outcomes_illustrative: t.illustrative,
                entries_illustrative: entries.iter().any(|e| e.entry.illustrative),
                href: file(paths.theme(&t.slug)),
                count: facts.themes.get(ti).map_or(0, |t| t.count),
                entries,
                total,
                total_display: format::money(total),
                total_short: format::money_short(total.as_f64()),
                principles: data
                    .principles
                    .iter()
                    .filter(|p| p.themes.contains(&t.slug))
                    .map(|p| principle_link(&p.slug, &p.name))
                    .collect(),
            }
        })
        .collect();

    let n = data.principles.len();
    let principles = data
        .principles
        .iter()
        .enumerate()
        .map(|(i, p)| PrincipleView {
            number: i + 1,
            slug: p.slug.clone(),
            name: p.name.clone(),
            summary: p.summary.clone(),
            in_practice: p.in_practice.clone(),
            illustrative: p.illustrative,
            href: file(paths.principle(&p.slug)),
            themes: p
                .themes
                .iter()
                .map(|s| Link {
                    title: theme_by_slug
                        .get(s.as_str())
                        .map_or_else(|| s.clone(), |t| t.name.clone()),
                    href: file(paths.theme(s)),
                })
                .collect(),
            previous: (i > 0).then(|| {
                let q = &data.principles[i - 1];
                principle_link(&q.slug, &q.name)
            }),
            next: (i + 1 < n).then(|| {
                let q = &data.principles[i + 1];
                principle_link(&q.slug, &q.name)
            }),
        })
        .collect();

    let figures: Vec<FigureView> = data
        .figures
        .figures
        .iter()
        .map(|f| FigureView::of(f, w))
        .collect();
    let figures_moved = figures
        .iter()
        .filter(|f| f.previous.as_ref().is_some_and(|p| p.direction != "same"))
        .cloned()
        .collect();

    DataView {
        themes,
        principles,
        framework: data.framework.clone(),
        plan,
        figures,
        figures_moved,
        sources: data.figures.sources.clone(),
        changes: changes(data, paths, w),
        editions: editions(data, paths, w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PreviousValue;

    fn prev(value: f64, period: &str) -> PreviousValue {
        PreviousValue {
            value,
            as_at: NaiveDate::from_ymd_opt(2018, 4, 1).unwrap(),
            period: Some(period.into()),
        }
    }

    #[test]
    fn change_is_told_in_words_as_well_as_a_direction() {
        let c = change(5.9, "£m", &prev(10.3, "2018/19"), Words::english());
        assert_eq!(c.direction, "down");
        assert_eq!(c.words, "Down £4.4m from £10.3m in 2018/19");
        let c = change(19.7, "%", &prev(18.7, "2014"), Words::english());
        assert_eq!(c.direction, "up");
        assert_eq!(c.words, "Up 1 percentage point from 18.7% in 2014");
        let c = change(
            78300.0,
            "households",
            &prev(74678.0, "2011"),
            Words::english(),
        );
        assert_eq!(c.words, "Up 3,622 households from 74,678 in 2011");
        let c = change(7.0, "years", &prev(7.001, "2011"), Words::english());
        assert_eq!(c.direction, "same");
        assert_eq!(c.words, "No change from 2011");
    }
}
