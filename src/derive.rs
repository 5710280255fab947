//! The derive stage, between validation and rendering: [`Derived`], made once per build from
//! the validated [`Site`], holds every fact a page, a download or a chart shows. Rendering, the
//! page plan, the open data and the feeds read it and work nothing out again.

use std::sync::Arc;

use crate::charts::{self, Drawn};
use crate::error::Diagnostic;
use crate::facts::{GeneratedPaths, PlanFacts};
use crate::model::Site;
use crate::opendata::{self, Download};
use crate::views::{self, DataView};
use crate::words::Words;

/// Files made from the data: (output path relative to the site root, bytes), in a fixed order.
pub type DataFiles = Vec<(String, Vec<u8>)>;

/// Everything derived from a site's data, once per build. Shared by reference (or `Arc`) with
/// every page being rendered: nothing in it is copied per page.
#[derive(Debug)]
pub struct Derived {
    /// Where the generated pages (principles, themes, plan entries, largest) are.
    pub paths: GeneratedPaths,
    /// Each plan entry's end date, theme, address, pipeline and large flags; theme totals.
    pub facts: PlanFacts,
    /// The data as templates see it: figures formatted, entries linked.
    pub view: DataView,
    /// Every chart: resolved table, summary, SVG and data table (or what stops it drawing).
    pub charts: Drawn,
    /// The plan's open data (`plan.csv`, `plan.json`, `plan-ocds.json`, `contracts.csv`) and
    /// each chart's CSV, or the problem that stopped one being written.
    pub files: Result<DataFiles, Diagnostic>,
    /// The open-data downloads, as templates list them.
    pub downloads: Vec<Download>,
    /// The markets, as templates see them (with their plan entries from `view`).
    pub markets: crate::market_views::MarketsView,
    /// The earlier editions of the plan, in the order of `Data::editions` (oldest first).
    pub editions: Vec<EditionDerived>,
    /// The theme's words in the language of this build's pass, which everything above was
    /// written in and templates see as `words`.
    pub words: Arc<Words>,
}

/// What an earlier edition's pages and downloads show, by the same rules as the current plan.
#[derive(Debug)]
pub struct EditionDerived {
    pub facts: PlanFacts,
    /// What its plan page shows.
    pub view: views::EditionView,
    /// What its entries' pages show of it (see `EditionView::summary`).
    pub summary: views::EditionView,
}

/// Each earlier edition's facts, views and downloads (appended to `files`). An edition is
/// published only where the site has a plan page to put it under.
fn editions(
    site: &Site,
    paths: &GeneratedPaths,
    files: &mut Result<DataFiles, Diagnostic>,
    w: &Words,
) -> Vec<EditionDerived> {
    let mut out = Vec::new();
    for ed in &site.data.editions {
        let Some(folder) = paths.edition(&ed.slug) else {
            continue;
        };
        let base_paths = paths;
        let paths = paths.for_edition(&ed.slug);
        // The edition seen as a site's plan, so that every rule and view is the current plan's.
        let data = crate::model::Data {
            themes: site.data.themes.clone(),
            principles: site.data.principles.clone(),
            plan: Some(ed.plan.clone()),
            ..Default::default()
        };
        let facts = PlanFacts::new(&data, &paths, &site.config.procurement);
        let mut view = views::build(&data, &site.config, &paths, &facts, w);
        let made = opendata::edition_files(ed, &folder, site, &facts, w);
        let downloads = made
            .as_deref()
            .map(|f| opendata::downloads(f, w))
            .unwrap_or_default();
        match (made, files.as_mut()) {
            (Ok(made), Ok(all)) => all.extend(made),
            (Err(d), Ok(_)) => *files = Err(d),
            _ => {}
        }
        let Some(mut plan) = view.plan.take() else {
            continue;
        };
        // Each entry still in the current plan links to its page there.
        let current: std::collections::BTreeSet<&str> = site
            .data
            .plan
            .iter()
            .flat_map(|p| p.entries.iter().map(|e| e.id.as_str()))
            .collect();
        for e in &mut plan.entries {
            if current.contains(e.entry.id.as_str()) {
                e.current_href = base_paths
                    .entry(&e.entry.id)
                    .map(|p| crate::urls::output_file(&p));
            }
        }
        let view = views::EditionView {
            slug: ed.slug.clone(),
            year: ed.plan.year.clone(),
            published_display: w.date(ed.plan.published),
            href: plan.href.clone(),
            plan,
            themes: view.themes,
            downloads,
        };
        out.push(EditionDerived {
            facts,
            summary: view.summary(),
            view,
        });
    }
    out
}

impl Derived {
    /// Derives everything from a validated site, in the words of one language: the one the
    /// build's pass is in (`site.config.language`).
    pub fn new(site: &Site, words: Arc<Words>) -> Arc<Self> {
        let w = &*words;
        let paths = GeneratedPaths::of(&site.pages);
        let facts = PlanFacts::new(&site.data, &paths, &site.config.procurement);
        let ((charts, chart_files), (open, view)) = rayon::join(
            || charts::build_all(site, &facts, w),
            || {
                rayon::join(
                    || opendata::files(site, &facts, w),
                    || views::build(&site.data, &site.config, &paths, &facts, w),
                )
            },
        );
        let downloads = open
            .as_deref()
            .map(|f| opendata::downloads(f, w))
            .unwrap_or_default();
        let markets = crate::market_views::view(site, &paths, &view, w);
        let mut files = open.and_then(|mut out| {
            out.extend(chart_files?);
            Ok(out)
        });
        let editions = editions(site, &paths, &mut files, w);
        Arc::new(Derived {
            paths,
            facts,
            view,
            charts,
            files,
            downloads,
            markets,
            editions,
            words,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One entry's facts reach its page view, the CSV, the OCDS file and the charts from the
    /// one derived value.
    #[test]
    fn each_fact_is_shown_as_derived() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::build::load(root, false).unwrap();
        let d = Derived::new(&site, Arc::new(Words::english().clone()));
        let plan = d.view.plan.as_ref().unwrap();
        let files = d.files.as_ref().unwrap();
        let file = |name: &str| {
            let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
            String::from_utf8(bytes.clone()).unwrap()
        };
        let (csv, ocds) = (file("plan.csv"), file("plan-ocds.json"));
        for (view, facts) in plan.entries.iter().zip(&d.facts.entries) {
            let end = facts.end.unwrap();
            assert_eq!(view.end, Some(end));
            assert_eq!(view.pipeline, facts.pipeline);
            assert_eq!(view.large, facts.large);
            assert_eq!(
                view.href,
                facts.path.as_deref().map(crate::urls::output_file)
            );
            assert!(csv.contains(&format!(",{end},")), "{end} not in plan.csv");
            assert!(ocds.contains(&format!("\"endDate\": \"{end}T23:59:59Z\"")));
        }
        assert_eq!(plan.total, d.facts.total);
        assert_eq!(plan.pipeline_count, d.facts.pipeline_count);
        for (t, totals) in d.view.themes.iter().zip(&d.facts.themes) {
            assert_eq!((t.count, t.total), (totals.count, totals.value));
        }
        let spend = d.charts["spend-by-theme"].as_ref().unwrap();
        let shown: Vec<String> = d
            .facts
            .themes
            .iter()
            .map(|t| crate::format::money(t.value))
            .collect();
        let cells: Vec<String> = spend.data.rows.iter().map(|r| r.cells[0].clone()).collect();
        assert_eq!(cells, shown);
        assert!(files.iter().any(|(n, _)| n == "charts/spend-by-theme.csv"));
    }
}
