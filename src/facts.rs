//! The rules that turn the validated plan into facts: a contract's end date, whether an entry
//! needs a pipeline notice or counts as large, each outcome theme's totals, the order of the
//! largest entries, and the address of every generated page. Each rule is written once, here,
//! and everything that shows one of these facts (pages, open data, charts) reads it from
//! [`PlanFacts`] and [`GeneratedPaths`], which the derive stage makes once per build.

use chrono::{Months, NaiveDate};

use crate::config::ProcurementSettings;
use crate::model::{Data, Generate, ProcurementEntry, SourcePage};

/// The last day of a contract starting on `start` and running `months` months: the day before
/// the same date `months` months later. Where that date does not exist, the month's last day
/// stands for it (chrono clamps), so 12 months from 31 January 2024 end on 30 January 2025 and
/// 1 month from 31 January ends on 28 (or 29) February less a day. `None` past chrono's range.
pub fn end_date(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
}

/// Whether an entry of this value needs a pipeline notice under the site's threshold.
pub fn is_pipeline(value: u64, settings: &ProcurementSettings) -> bool {
    value >= settings.pipeline_threshold
}

/// Whether an entry of this value is one of the plan's largest.
pub fn is_large(value: u64, settings: &ProcurementSettings) -> bool {
    value >= settings.large_threshold
}

/// Site paths of the generated pages, where the site has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedPaths {
    pub principles: Option<String>,
    pub themes: Option<String>,
    pub plan: Option<String>,
    pub largest: Option<String>,
    pub markets: Option<String>,
}

impl GeneratedPaths {
    /// Where the pages that ask to be generated (`generate:` in front matter) are. When two
    /// pages ask for the same, the later one wins, as it always has.
    pub fn of(pages: &[SourcePage]) -> Self {
        let mut g = GeneratedPaths::default();
        for p in pages {
            let slot = match p.front.generate {
                Some(Generate::Principles) => &mut g.principles,
                Some(Generate::Themes) => &mut g.themes,
                Some(Generate::Plan) => &mut g.plan,
                Some(Generate::Largest) => &mut g.largest,
                Some(Generate::Markets) => &mut g.markets,
                None => continue,
            };
            *slot = Some(p.path.clone());
        }
        g
    }

    pub fn principle(&self, slug: &str) -> Option<String> {
        self.principles.as_ref().map(|p| format!("{p}{slug}/"))
    }

    pub fn theme(&self, slug: &str) -> Option<String> {
        self.themes.as_ref().map(|p| format!("{p}{slug}/"))
    }

    /// A market's page: its slug under the markets page.
    pub fn market(&self, slug: &str) -> Option<String> {
        self.markets.as_ref().map(|p| format!("{p}{slug}/"))
    }

    /// An entry's page: its id in lower case under the plan page.
    pub fn entry(&self, id: &str) -> Option<String> {
        self.plan
            .as_ref()
            .map(|p| format!("{p}{}/", id.to_ascii_lowercase()))
    }
}

/// What the rules say about one plan entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFacts {
    /// Site path of the entry's page, when the site has a plan page.
    pub path: Option<String>,
    /// Last day of the contract (see [`end_date`]).
    pub end: Option<NaiveDate>,
    /// Index of its outcome theme in `Data::themes` (validation makes sure there is one).
    pub theme: Option<usize>,
    pub pipeline: bool,
    pub large: bool,
}

/// Totals of one outcome theme's entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThemeTotals {
    pub count: usize,
    pub value: u64,
}

/// The facts of the whole plan, each entry's at the same index as in the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFacts {
    pub entries: Vec<EntryFacts>,
    /// One per outcome theme, in the order of `Data::themes`.
    pub themes: Vec<ThemeTotals>,
    pub total: u64,
    pub pipeline_count: usize,
    /// Every entry's index, largest value first (ties by id): the largest list and the
    /// `plan-largest` chart both take from the front.
    pub by_value: Vec<usize>,
}

impl PlanFacts {
    pub fn new(data: &Data, paths: &GeneratedPaths, settings: &ProcurementSettings) -> Self {
        let entries: &[ProcurementEntry] = data.plan.as_ref().map_or(&[], |p| &p.entries);
        let theme_index: std::collections::BTreeMap<&str, usize> = data
            .themes
            .iter()
            .enumerate()
            .map(|(i, t)| (t.slug.as_str(), i))
            .collect();
        let mut themes = vec![ThemeTotals::default(); data.themes.len()];
        let facts: Vec<EntryFacts> = entries
            .iter()
            .map(|e| {
                let theme = theme_index.get(e.theme.as_str()).copied();
                if let Some(t) = theme {
                    themes[t].count += 1;
                    themes[t].value += e.value;
                }
                EntryFacts {
                    path: paths.entry(&e.id),
                    end: end_date(e.start, e.duration_months),
                    theme,
                    pipeline: is_pipeline(e.value, settings),
                    large: is_large(e.value, settings),
                }
            })
            .collect();
        let mut by_value: Vec<usize> = (0..entries.len()).collect();
        by_value.sort_by(|&a, &b| {
            let (a, b) = (&entries[a], &entries[b]);
            b.value.cmp(&a.value).then_with(|| a.id.cmp(&b.id))
        });
        PlanFacts {
            total: entries.iter().map(|e| e.value).sum(),
            pipeline_count: facts.iter().filter(|f| f.pipeline).count(),
            entries: facts,
            themes,
            by_value,
        }
    }

    /// The large entries' indices, largest first.
    pub fn largest(&self) -> impl Iterator<Item = usize> + '_ {
        self.by_value
            .iter()
            .copied()
            .filter(|&i| self.entries[i].large)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn end_date_is_the_day_before_the_same_date_later() {
        assert_eq!(end_date(d(2019, 4, 1), 12), Some(d(2020, 3, 31)));
        assert_eq!(end_date(d(2019, 4, 1), 0), Some(d(2019, 3, 31)));
        // Leap days: 12 months from 29 February is 28 February, so the contract ends the 27th.
        assert_eq!(end_date(d(2024, 2, 29), 12), Some(d(2025, 2, 27)));
        assert_eq!(end_date(d(2024, 2, 29), 48), Some(d(2028, 2, 28)));
        // A month from 31 January is the last day of February.
        assert_eq!(end_date(d(2024, 1, 31), 1), Some(d(2024, 2, 28)));
        assert_eq!(end_date(NaiveDate::MAX, 1), None);
    }

    #[test]
    fn thresholds_include_their_own_value() {
        let s = ProcurementSettings {
            large_threshold: 1_000_000,
            pipeline_threshold: 2_000_000,
        };
        assert!(is_large(1_000_000, &s) && !is_large(999_999, &s));
        assert!(is_pipeline(2_000_000, &s) && !is_pipeline(1_999_999, &s));
    }

    #[test]
    fn generated_addresses_hang_under_their_page() {
        let g = GeneratedPaths {
            principles: Some("framework/principles/".into()),
            themes: None,
            plan: Some("plan/".into()),
            largest: None,
            markets: None,
        };
        assert_eq!(
            g.principle("fair").as_deref(),
            Some("framework/principles/fair/")
        );
        assert_eq!(g.theme("safe"), None);
        assert_eq!(g.entry("SBC-001").as_deref(), Some("plan/sbc-001/"));
    }
}
