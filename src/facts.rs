//! The rules that turn the validated plan into facts: a contract's end date, whether an entry
//! belongs in the pipeline notice (and when that notice is due) or counts as large, each outcome theme's totals, the order of the
//! largest entries, and the address of every generated page. Each rule is written once, here,
//! and everything that shows one of these facts (pages, open data, charts) reads it from
//! [`PlanFacts`] and [`GeneratedPaths`], which the derive stage makes once per build.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::config::ProcurementSettings;
use crate::model::{Data, Generate, ProcurementEntry, SourcePage, Status};
use crate::money::Money;

/// The last day of a contract starting on `start` and running `months` months: the day before
/// the same date `months` months later, or, where that month has no such date (29 February in
/// a common year, the 31st of a short month), that month's last day. So 12 months from 29
/// February 2024 end on 28 February 2025, and a month from 31 January 2024 ends on 29
/// February. `None` past chrono's range.
pub fn end_date(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    // chrono clamps to the month's last day where the same date does not exist.
    let same = start.checked_add_months(Months::new(months))?;
    if same.day() < start.day() {
        Some(same)
    } else {
        same.pred_opt()
    }
}

/// Whether an entry of this value needs a pipeline notice under the site's threshold.
pub fn is_pipeline(value: Money, settings: &ProcurementSettings) -> bool {
    value >= settings.pipeline_threshold
}

/// How far ahead a pipeline notice looks, in months (Procurement Act 2023 s.93).
pub const PIPELINE_MONTHS: u32 = 18;

/// The days, counting 1 April as the first, within which a pipeline notice must be published
/// (Procurement Act 2023 s.93(1)).
pub const PIPELINE_NOTICE_DAYS: u64 = 56;

/// The pipeline window of a plan published on `published`: from that day to the same date
/// [`PIPELINE_MONTHS`] months later, both days included. Where that date does not exist the
/// month's last day stands for it (chrono clamps): 31 August 2025 runs to 28 February 2027.
/// `None` past chrono's range.
pub fn pipeline_window(published: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let last = published.checked_add_months(Months::new(PIPELINE_MONTHS))?;
    Some((published, last))
}

/// The pipeline rule, the only place it is written: an entry is in the plan's pipeline when
/// it is not cancelled, its value is at or above the pipeline threshold, and its expected
/// notice date (`notice_date`) falls within [`pipeline_window`] of the plan's `published` date.
/// An entry without a notice date is counted in: the duty is to list every such contract, so
/// leaving one out on a missing date would be the worse mistake; `mps check` warns about it.
pub fn in_pipeline(
    entry: &ProcurementEntry,
    published: NaiveDate,
    settings: &ProcurementSettings,
) -> bool {
    if entry.status == Status::Cancelled || !is_pipeline(entry.value, settings) {
        return false;
    }
    match (entry.notice_date, pipeline_window(published)) {
        (None, _) => true,
        (Some(d), Some((first, last))) => first <= d && d <= last,
        (Some(d), None) => published <= d,
    }
}

/// The first day (1 April) of the financial year a plan is for: the year its `year` starts
/// with (`2019/20`, `2019-20` and `2019` all start in 2019), else the financial year that
/// `published` falls in.
pub fn financial_year_start(year: &str, published: NaiveDate) -> Option<NaiveDate> {
    let digits: String = year
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let first = match digits.parse::<i32>() {
        Ok(y) if digits.len() == 4 => y,
        _ if published.month() >= 4 => published.year(),
        _ => published.year() - 1,
    };
    NaiveDate::from_ymd_opt(first, 4, 1)
}

/// The last day a pipeline notice for the financial year starting on `start` may be published:
/// the 56th day counting `start` as the first (26 May).
pub fn pipeline_notice_deadline(start: NaiveDate) -> Option<NaiveDate> {
    start.checked_add_days(Days::new(PIPELINE_NOTICE_DAYS - 1))
}

/// The Local Government Transparency Code 2015 asks for every contract worth more than this.
pub const CONTRACTS_REGISTER_OVER: u64 = 5_000;

/// Whether an entry belongs in the Transparency Code contracts register (`contracts.csv`):
/// worth more than £5,000 and not cancelled (a cancelled procurement is no contract).
pub fn in_contracts_register(entry: &ProcurementEntry) -> bool {
    entry.status != Status::Cancelled && entry.value > CONTRACTS_REGISTER_OVER
}

/// Whether an entry is let through a published invitation to tender or to quote: its
/// `tendered` field when set, else whether its route names a procedure or a tender (`Open
/// procedure`, `Restricted procedure`, `Competitive flexible procedure`, ...). Grant programmes,
/// framework call-offs and direct awards are not.
pub fn tendered(entry: &ProcurementEntry) -> bool {
    entry.tendered.unwrap_or_else(|| {
        let route = entry.route.to_lowercase();
        route.contains("procedure") || route.contains("tender")
    })
}

/// Whether an entry of this value is one of the plan's largest.
pub fn is_large(value: Money, settings: &ProcurementSettings) -> bool {
    value >= settings.large_threshold
}

/// Site paths of the generated pages, where the site has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedPaths {
    pub principles: Option<String>,
    pub themes: Option<String>,
    pub plan: Option<String>,
    pub largest: Option<String>,
    pub pipeline: Option<String>,
    pub markets: Option<String>,
    pub changes: Option<String>,
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
                Some(Generate::Pipeline) => &mut g.pipeline,
                Some(Generate::Markets) => &mut g.markets,
                Some(Generate::Changes) => &mut g.changes,
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

    /// An earlier edition's plan page, which its downloads sit beside: its slug (the file
    /// name) under the plan page.
    pub fn edition(&self, slug: &str) -> Option<String> {
        self.plan.as_ref().map(|p| format!("{p}{slug}/"))
    }

    /// The paths an earlier edition's pages see: its own page stands for the plan page, so
    /// its entries are under it; it has no largest, pipeline or changes page of its own.
    pub fn for_edition(&self, slug: &str) -> Self {
        GeneratedPaths {
            plan: self.edition(slug),
            largest: None,
            pipeline: None,
            changes: None,
            ..self.clone()
        }
    }
}

/// The fields of an entry that the "What changed" page compares, in the order it lists them.
pub const COMPARED: &[&str] = &["value", "start", "status", "route"];

/// An entry in both editions whose compared fields differ.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryChange {
    pub before: ProcurementEntry,
    pub after: ProcurementEntry,
    /// Which of [`COMPARED`] differ, in that order.
    pub fields: Vec<&'static str>,
}

/// What changed from one edition of the plan to the next, each list sorted by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanDiff {
    pub added: Vec<ProcurementEntry>,
    pub removed: Vec<ProcurementEntry>,
    pub changed: Vec<EntryChange>,
}

/// Compares two editions, matching entries by id: an id only in `cur` is added, only in `prev`
/// removed, and in both but with a different value, start, status or route, changed. Other
/// fields (title, description, dates of notices) are not compared: they are wording, not the
/// plan's substance.
pub fn diff(prev: &[ProcurementEntry], cur: &[ProcurementEntry]) -> PlanDiff {
    use std::collections::BTreeMap;
    let before: BTreeMap<&str, &ProcurementEntry> =
        prev.iter().map(|e| (e.id.as_str(), e)).collect();
    let after: BTreeMap<&str, &ProcurementEntry> = cur.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut out = PlanDiff::default();
    for (id, a) in &after {
        let Some(b) = before.get(id) else {
            out.added.push((*a).clone());
            continue;
        };
        let fields: Vec<&'static str> = COMPARED
            .iter()
            .copied()
            .filter(|f| match *f {
                "value" => a.value != b.value,
                "start" => a.start != b.start,
                "status" => a.status != b.status,
                _ => a.route != b.route,
            })
            .collect();
        if !fields.is_empty() {
            out.changed.push(EntryChange {
                before: (*b).clone(),
                after: (*a).clone(),
                fields,
            });
        }
    }
    out.removed = before
        .iter()
        .filter(|(id, _)| !after.contains_key(*id))
        .map(|(_, b)| (*b).clone())
        .collect();
    out
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
    /// A cancelled entry is still shown, marked, but counts towards no total, is never large
    /// and needs no pipeline notice.
    pub cancelled: bool,
    pub pipeline: bool,
    pub large: bool,
    /// In the Transparency Code contracts register (see [`in_contracts_register`]).
    pub contracts_register: bool,
    /// Let through a published invitation to tender or quote (see [`tendered`]).
    pub tendered: bool,
}

/// Totals of one outcome theme's entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThemeTotals {
    pub count: usize,
    pub value: Money,
}

/// The facts of the whole plan, each entry's at the same index as in the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFacts {
    pub entries: Vec<EntryFacts>,
    /// One per outcome theme, in the order of `Data::themes`.
    pub themes: Vec<ThemeTotals>,
    /// Entries not cancelled, and their value.
    pub count: usize,
    pub total: Money,
    pub pipeline_count: usize,
    /// The pipeline entries' indices, by expected notice date (entries without one last), ties
    /// by id: the order of the pipeline page.
    pub pipeline: Vec<usize>,
    /// Every entry's index but the cancelled ones', largest value first (ties by id): the
    /// largest list and the `plan-largest` chart both take from the front.
    pub by_value: Vec<usize>,
}

impl PlanFacts {
    pub fn new(data: &Data, paths: &GeneratedPaths, settings: &ProcurementSettings) -> Self {
        let entries: &[ProcurementEntry] = data.plan.as_ref().map_or(&[], |p| &p.entries);
        let published = data.plan.as_ref().map_or(NaiveDate::MIN, |p| p.published);
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
                let cancelled = e.status == Status::Cancelled;
                if let (Some(t), false) = (theme, cancelled) {
                    themes[t].count += 1;
                    themes[t].value += e.value;
                }
                EntryFacts {
                    path: paths.entry(&e.id),
                    end: end_date(e.start, e.duration_months),
                    theme,
                    cancelled,
                    pipeline: in_pipeline(e, published, settings),
                    large: !cancelled && is_large(e.value, settings),
                    contracts_register: in_contracts_register(e),
                    tendered: tendered(e),
                }
            })
            .collect();
        let mut by_value: Vec<usize> = (0..entries.len())
            .filter(|&i| !facts[i].cancelled)
            .collect();
        by_value.sort_by(|&a, &b| {
            let (a, b) = (&entries[a], &entries[b]);
            b.value.cmp(&a.value).then_with(|| a.id.cmp(&b.id))
        });
        let mut pipeline: Vec<usize> = (0..entries.len()).filter(|&i| facts[i].pipeline).collect();
        pipeline.sort_by(|&a, &b| {
            let (a, b) = (&entries[a], &entries[b]);
            // `None` sorts first, so compare "has no date" before the date itself.
            (a.notice_date.is_none(), a.notice_date, &a.id).cmp(&(
                b.notice_date.is_none(),
                b.notice_date,
                &b.id,
            ))
        });
        PlanFacts {
            count: by_value.len(),
            total: by_value.iter().map(|&i| entries[i].value).sum(),
            pipeline_count: pipeline.len(),
            pipeline,
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
        // Leap days: there is no 29 February 2025, so the contract runs to the month's end.
        assert_eq!(end_date(d(2024, 2, 29), 12), Some(d(2025, 2, 28)));
        assert_eq!(end_date(d(2024, 2, 29), 48), Some(d(2028, 2, 28)));
        assert_eq!(end_date(d(2023, 3, 1), 12), Some(d(2024, 2, 29)));
        // Short months: a month from 31 January (or 30th) ends on February's last day...
        assert_eq!(end_date(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
        assert_eq!(end_date(d(2025, 1, 30), 1), Some(d(2025, 2, 28)));
        // ...and from a date February has, the day before it.
        assert_eq!(end_date(d(2025, 1, 28), 1), Some(d(2025, 2, 27)));
        assert_eq!(end_date(d(2024, 8, 31), 1), Some(d(2024, 9, 30)));
        assert_eq!(end_date(NaiveDate::MAX, 1), None);
    }

    #[test]
    fn thresholds_include_their_own_value() {
        let s = ProcurementSettings {
            large_threshold: 1_000_000,
            pipeline_threshold: 2_000_000,
            spend_over_100m: false,
        };
        let m = Money::from_pounds;
        assert!(is_large(m(1_000_000), &s) && !is_large(m(999_999), &s));
        assert!(is_pipeline(m(2_000_000), &s) && !is_pipeline(m(1_999_999), &s));
        // A penny short of the threshold is below it.
        assert!(!is_large(Money::from_pence(99_999_999), &s));
    }

    #[test]
    fn cancelled_entries_count_towards_nothing() {
        let entry = |id: &str, value: u64, status: Status| ProcurementEntry {
            id: id.into(),
            title: id.into(),
            theme: "safe".into(),
            start: d(2019, 4, 1),
            ..entry(value, None, status)
        };
        let data = Data {
            themes: vec![crate::model::OutcomeTheme {
                slug: "safe".into(),
                name: "Safe".into(),
                colour: "#00594f".into(),
                summary: String::new(),
                outcomes: Vec::new(),
                illustrative: false,
            }],
            plan: Some(crate::model::ProcurementPlan {
                year: "2019/20".into(),
                published: d(2019, 3, 1),
                note: None,
                illustrative: false,
                current: false,
                entries: vec![
                    entry("A", 9_000_000, Status::Cancelled),
                    entry("B", 5_000_000, Status::Planned),
                ],
            }),
            ..Data::default()
        };
        let f = PlanFacts::new(
            &data,
            &GeneratedPaths::default(),
            &ProcurementSettings::default(),
        );
        assert!(f.entries[0].cancelled && !f.entries[0].large && !f.entries[0].pipeline);
        assert!(f.entries[1].large && f.entries[1].pipeline);
        assert_eq!((f.count, f.total), (1, Money::from_pounds(5_000_000)));
        assert_eq!(
            f.themes[0],
            ThemeTotals {
                count: 1,
                value: Money::from_pounds(5_000_000)
            }
        );
        assert_eq!(f.by_value, vec![1]);
        assert_eq!(f.largest().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn generated_addresses_hang_under_their_page() {
        let g = GeneratedPaths {
            principles: Some("framework/principles/".into()),
            themes: None,
            plan: Some("plan/".into()),
            largest: None,
            pipeline: None,
            markets: None,
            changes: None,
        };
        assert_eq!(
            g.principle("fair").as_deref(),
            Some("framework/principles/fair/")
        );
        assert_eq!(g.theme("safe"), None);
        assert_eq!(g.entry("NWC-001").as_deref(), Some("plan/nwc-001/"));
        let e = g.for_edition("2019-20");
        assert_eq!(e.plan.as_deref(), Some("plan/2019-20/"));
        assert_eq!(e.entry("NWC-001").as_deref(), Some("plan/2019-20/nwc-001/"));
        assert_eq!(e.principles, g.principles);
    }

    fn entry(value: u64, notice: Option<NaiveDate>, status: Status) -> ProcurementEntry {
        ProcurementEntry {
            id: "X-1".into(),
            title: "T".into(),
            theme: "t".into(),
            department: "D".into(),
            value: Money::from_pounds(value),
            start: d(2026, 4, 1),
            duration_months: 12,
            route: "Open procedure".into(),
            status,
            social_value: "S".into(),
            cpv: None,
            description: None,
            notice_date: notice,
            category: None,
            suitable_for: None,
            value_gross: None,
            supplier: None,
            review_date: None,
            tendered: None,
            illustrative: false,
            market: None,
        }
    }

    #[test]
    fn the_contracts_register_takes_what_is_over_5000_and_not_cancelled() {
        assert!(in_contracts_register(&entry(5_001, None, Status::Awarded)));
        assert!(!in_contracts_register(&entry(5_000, None, Status::Planned)));
        assert!(!in_contracts_register(&entry(
            9_000,
            None,
            Status::Cancelled
        )));
        let mut e = entry(9_000, None, Status::Planned);
        assert!(tendered(&e), "Open procedure");
        e.route = "Grant programme".into();
        assert!(!tendered(&e));
        e.route = "Framework call-off".into();
        assert!(!tendered(&e));
        e.tendered = Some(true);
        assert!(tendered(&e));
    }

    #[test]
    fn the_pipeline_window_includes_both_ends() {
        let s = ProcurementSettings::default();
        let published = d(2025, 4, 10);
        let at = |notice| in_pipeline(&entry(2_000_000, notice, Status::Planned), published, &s);
        assert!(at(Some(d(2025, 4, 10))));
        assert!(at(Some(d(2026, 10, 10))));
        assert!(!at(Some(d(2026, 10, 11))));
        assert!(!at(Some(d(2025, 4, 9))));
        // No date: counted in (and `mps check` warns).
        assert!(at(None));
        // Below the threshold, or cancelled: never.
        assert!(!in_pipeline(
            &entry(1_999_999, None, Status::Planned),
            published,
            &s
        ));
        assert!(!in_pipeline(
            &entry(5_000_000, Some(d(2025, 6, 1)), Status::Cancelled),
            published,
            &s
        ));
        // A window from the 31st ends on the last day of the month 18 months on.
        assert_eq!(
            pipeline_window(d(2025, 8, 31)),
            Some((d(2025, 8, 31), d(2027, 2, 28)))
        );
    }

    #[test]
    fn the_financial_year_comes_from_the_plan_year() {
        let p = d(2019, 3, 12);
        assert_eq!(financial_year_start("2019/20", p), Some(d(2019, 4, 1)));
        assert_eq!(financial_year_start("2019-2020", p), Some(d(2019, 4, 1)));
        // Not a year: the financial year the plan was published in.
        assert_eq!(financial_year_start("this year", p), Some(d(2018, 4, 1)));
        assert_eq!(
            financial_year_start("next", d(2025, 4, 1)),
            Some(d(2025, 4, 1))
        );
        assert_eq!(
            pipeline_notice_deadline(d(2025, 4, 1)),
            Some(d(2025, 5, 26))
        );
    }

    /// Entries are matched by id; only value, start, status and route count as a change; each
    /// list comes out sorted by id whatever the order in the files.
    #[test]
    fn diff_lists_added_removed_and_changed_by_id() {
        let e = |id: &str, value: u64| ProcurementEntry {
            id: id.into(),
            ..entry(value, None, Status::Planned)
        };
        let prev = vec![e("C", 10), e("A", 10), e("B", 10), e("D", 10), e("E", 10)];
        let mut moved = e("D", 10);
        moved.start = d(2027, 1, 1);
        moved.status = Status::Tendering;
        let mut reworded = e("E", 10);
        reworded.title = "A new title".into();
        let mut rerouted = e("B", 10);
        rerouted.route = "Framework call-off".into();
        let cur = vec![e("Z", 5), moved, e("C", 20), reworded, rerouted, e("Y", 1)];
        let d = diff(&prev, &cur);
        let ids = |v: &[ProcurementEntry]| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.added), ["Y", "Z"]);
        assert_eq!(ids(&d.removed), ["A"]);
        let changed: Vec<(&str, Vec<&str>)> = d
            .changed
            .iter()
            .map(|c| (c.after.id.as_str(), c.fields.clone()))
            .collect();
        assert_eq!(
            changed,
            [
                ("B", vec!["route"]),
                ("C", vec!["value"]),
                ("D", vec!["start", "status"])
            ]
        );
        assert_eq!(d.changed[1].before.value, 10);
        assert_eq!(d.changed[1].after.value, 20);
        assert_eq!(diff(&cur, &cur), PlanDiff::default());
    }
}
