//! Each market's feed (`atom.xml`, through the theme's feed template) and data file
//! (`market.json`), beside its page, so a provider can follow just their market.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::feeds::{self, Feed, FeedEntry};
use crate::market_views::{MarketView, MarketsView};
use crate::model::{Contact, DataSource, Engagement, Intention, Site};
use crate::money::Money;
use crate::templates::SiteTheme;

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
    /// The rating before, when the market file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<JsonPreviousRating<'a>>,
}

#[derive(Serialize)]
struct JsonPreviousRating<'a> {
    level: &'a str,
    label: &'a str,
    assessed: NaiveDate,
}

#[derive(Serialize)]
struct JsonFigure<'a> {
    id: &'a str,
    label: &'a str,
    #[serde(serialize_with = "crate::format::serialize_number")]
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
                    previous: r.previous.as_ref().map(|p| JsonPreviousRating {
                        level: &p.level,
                        label: &p.label,
                        assessed: p.assessed,
                    }),
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
                    status: e.entry.status.label(),
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
            &feed(site, view, m, &page, feed_href, &absolute, &derived.words),
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
    w: &crate::words::Words,
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
                title: Cow::Owned(w.fill("feed_procurement", &[("title", &e.entry.title)])),
                href: e
                    .href
                    .as_deref()
                    .map(absolute)
                    .unwrap_or_else(|| format!("{page}#procurement-{}", e.entry.id)),
                published: None,
                updated: feeds::timestamp(updated),
                summary: Some(Cow::Owned(w.fill(
                    "feed_procurement_summary",
                    &[
                        ("id", &e.entry.id),
                        ("status", &e.status_label),
                        ("start", &e.start_display),
                        ("value", &e.value_display),
                    ],
                ))),
            },
        ));
    }
    for i in &m.intentions {
        entries.push((
            stated,
            FeedEntry {
                title: Cow::Owned(w.fill(
                    "feed_intention",
                    &[("date", &i.when_display), ("what", &i.what)],
                )),
                href: format!("{page}#{}", i.anchor),
                published: None,
                updated: feeds::timestamp(stated),
                summary: Some(Cow::Borrowed(&i.what)),
            },
        ));
    }
    for e in &m.engagement {
        let mut summary = w.fill(
            "feed_event_on",
            &[("title", &e.title), ("date", &e.date_display)],
        );
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
