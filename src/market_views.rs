//! What templates see of the markets: each market with its ratings as words and levels, its
//! figures as tiles, its messages, its intentions and engagement nearest first, its contacts,
//! the plan's procurements for it, and the words its search entry is made from. Made once per
//! build in the derive stage from the validated markets.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::config::Dimension;
use crate::facts::GeneratedPaths;
use crate::format;
use crate::markets::{link_target, reference_date, FEED_FILE, JSON_FILE};
use crate::model::{DataSource, Engagement, Intention, Market, Site};
use crate::money::Money;
use crate::urls;
use crate::views::{DataView, EntryView, FigureView, Link};
use crate::words::Words;

// ---------------------------------------------------------------------------------------------
// What templates see.

#[derive(Debug, Clone, Default, Serialize)]
pub struct MarketsView {
    /// The overview page (output file from the site root), when a page has `generate: markets`.
    pub href: Option<String>,
    pub scale: Vec<LevelView>,
    pub dimensions: Vec<Dimension>,
    /// The date "upcoming" is judged from.
    pub reference: Option<NaiveDate>,
    pub reference_display: Option<String>,
    /// Every market, in overview order.
    pub list: Vec<MarketView>,
    /// Each market's name and page, by slug (plan entries link back with it).
    pub links: BTreeMap<String, Link>,
    /// Some market's content is illustrative.
    pub illustrative: bool,
    /// Every rating that went up or down since its `previous`, market by market in overview
    /// order, each market's in the order of the site's dimensions.
    pub rating_changes: Vec<RatingMoveView>,
}

/// A rating's earlier level, as shown beside it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingChangeView {
    pub level: String,
    pub label: String,
    pub rank: usize,
    pub assessed: NaiveDate,
    pub assessed_display: String,
    /// `up` (a better level on the scale), `down` or `same`.
    pub direction: &'static str,
    /// `Up from Developing (1 March 2025)`: the change in words, never by arrow or colour
    /// alone.
    pub words: String,
}

/// A rating that went up or down, as the "What changed" page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingMoveView {
    pub market: String,
    pub market_href: Option<String>,
    pub dimension_label: String,
    pub rating: RatingView,
    pub previous: RatingChangeView,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub level: String,
    pub label: String,
    pub description: Option<String>,
    /// 1 for the worst level: themes may style levels by it, beside the words.
    pub rank: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RatingView {
    pub dimension: String,
    pub dimension_label: String,
    pub level: String,
    pub label: String,
    pub rank: usize,
    pub reason: String,
    pub assessed: NaiveDate,
    pub assessed_display: String,
    pub illustrative: bool,
    /// The rating before, when the file gives one (`previous:`).
    pub previous: Option<RatingChangeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntentionView {
    pub what: String,
    pub when: NaiveDate,
    pub when_display: String,
    pub illustrative: bool,
    /// The id of its list item on the market's page.
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EngagementView {
    pub title: String,
    pub date: NaiveDate,
    pub date_display: String,
    pub kind: Option<String>,
    pub place: Option<String>,
    /// A web or mailto address (`external`), or an output file from the site root.
    pub href: Option<String>,
    pub external: bool,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    /// The team, or else the role.
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub email_href: Option<String>,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarketView {
    pub slug: String,
    pub name: String,
    pub services: Vec<String>,
    pub summary: String,
    pub icon: Option<String>,
    pub illustrative: bool,
    /// The market's page, feed and JSON file (output files from the site root).
    pub href: Option<String>,
    pub feed_href: Option<String>,
    pub json_href: Option<String>,
    /// One cell per dimension of the site, in order: `None` where the market is not rated.
    pub grid: Vec<Option<RatingView>>,
    /// The ratings it has, in the order of the site's dimensions.
    pub ratings: Vec<RatingView>,
    pub figures: Vec<FigureView>,
    /// The figures marked `headline`, or else the first two: shown on the overview's card.
    pub headline_figures: Vec<FigureView>,
    pub charts: Vec<String>,
    pub more_of: Vec<String>,
    pub less_of: Vec<String>,
    /// On or after the reference date, nearest first.
    pub intentions: Vec<IntentionView>,
    /// Before the reference date, most recent first.
    pub past_intentions: Vec<IntentionView>,
    /// On or after the reference date, nearest first.
    pub engagement: Vec<EngagementView>,
    pub contacts: Vec<ContactView>,
    /// The plan's entries with this market, by expected start.
    pub procurements: Vec<EntryView>,
    pub procurements_total_display: String,
    pub sources: Vec<DataSource>,
    /// Where to send feedback on this market, naming it.
    pub feedback_href: String,
}

fn with_query(base: &str, key: &str, value: &str) -> String {
    format!(
        "{base}{}{key}={}",
        if base.contains('?') { '&' } else { '?' },
        utf8_percent_encode(value, NON_ALPHANUMERIC)
    )
}

/// Feedback on one market: to its first contact's email, else to the site's feedback address,
/// with a subject (or, for a web form, a `market=` parameter) naming the market.
fn feedback_href(site: &Site, m: &Market, w: &Words) -> String {
    let subject = w.fill("market_feedback_subject", &[("market", &m.name)]);
    let contact = m
        .contacts
        .iter()
        .filter_map(|c| c.email.as_deref())
        .find_map(crate::config::contact_href);
    let base = contact
        .or_else(|| site.config.feedback_href())
        .unwrap_or_default();
    if base.starts_with("mailto:") {
        with_query(&base, "subject", &subject)
    } else {
        with_query(&base, "market", &m.slug)
    }
}

/// Everything templates show of the markets. Plan entries' views come from `data`.
pub fn view(site: &Site, paths: &GeneratedPaths, data: &DataView, w: &Words) -> MarketsView {
    let settings = site.config.markets.clone().unwrap_or_default();
    let reference = reference_date(site);
    let upcoming = |d: NaiveDate| reference.is_none_or(|r| d >= r);
    let scale: Vec<LevelView> = settings
        .scale
        .iter()
        .enumerate()
        .map(|(i, l)| LevelView {
            level: l.level.clone(),
            label: l.label.clone(),
            description: l.description.clone(),
            rank: i + 1,
        })
        .collect();
    let plan = site.data.plan.as_ref();
    let list: Vec<MarketView> = site
        .data
        .markets
        .iter()
        .map(|src| {
            let m = &src.market;
            let href = paths.market(&m.slug);
            let rating = |d: &Dimension| {
                let r = m.ratings.iter().find(|r| r.dimension == d.id)?;
                let level = scale.iter().find(|l| l.level == r.level)?;
                Some(RatingView {
                    dimension: d.id.clone(),
                    dimension_label: d.label.clone(),
                    level: r.level.clone(),
                    label: level.label.clone(),
                    rank: level.rank,
                    reason: r.reason.clone(),
                    assessed: r.assessed,
                    assessed_display: w.date(r.assessed),
                    illustrative: r.illustrative || m.illustrative,
                    previous: r.previous.as_ref().and_then(|p| {
                        let was = scale.iter().find(|l| l.level == p.level)?;
                        Some(rating_change(level.rank, was, p.assessed, w))
                    }),
                })
            };
            let grid: Vec<Option<RatingView>> = settings.dimensions.iter().map(rating).collect();
            let figures: Vec<FigureView> = m.figures.iter().map(|f| FigureView::of(f, w)).collect();
            let mut headline: Vec<FigureView> =
                figures.iter().filter(|f| f.headline).cloned().collect();
            if headline.is_empty() {
                headline = figures.iter().take(2).cloned().collect();
            }
            let mut intentions: Vec<(usize, &Intention)> =
                m.intentions.iter().enumerate().collect();
            intentions.sort_by_key(|(i, x)| (x.when, *i));
            let intention = |(i, x): (usize, &Intention)| IntentionView {
                what: x.what.clone(),
                when: x.when,
                when_display: w.date(x.when),
                illustrative: x.illustrative || m.illustrative,
                anchor: format!("intention-{}", i + 1),
            };
            let mut past_intentions: Vec<IntentionView> = intentions
                .iter()
                .filter(|(_, x)| !upcoming(x.when))
                .map(|&p| intention(p))
                .collect();
            past_intentions.reverse();
            let mut engagement: Vec<(usize, &Engagement)> = m
                .engagement
                .iter()
                .enumerate()
                .filter(|(_, e)| upcoming(e.date))
                .collect();
            engagement.sort_by_key(|(i, e)| (e.date, *i));
            let mut procurements: Vec<EntryView> = match (plan, &data.plan) {
                (Some(p), Some(v)) => p
                    .entries
                    .iter()
                    .zip(&v.entries)
                    .filter(|(e, _)| e.market.as_deref() == Some(m.slug.as_str()))
                    .map(|(_, v)| v.clone())
                    .collect(),
                _ => Vec::new(),
            };
            procurements
                .sort_by(|a, b| (a.entry.start, &a.entry.id).cmp(&(b.entry.start, &b.entry.id)));
            let total: Money = procurements.iter().map(|e| e.entry.value).sum();
            MarketView {
                slug: m.slug.clone(),
                name: m.name.clone(),
                services: m.services.clone(),
                summary: m.summary.clone(),
                icon: m.icon.clone(),
                illustrative: m.illustrative,
                feed_href: href.as_ref().map(|p| format!("{p}{FEED_FILE}")),
                json_href: href.as_ref().map(|p| format!("{p}{JSON_FILE}")),
                href: href.as_deref().map(urls::output_file),
                ratings: grid.iter().flatten().cloned().collect(),
                grid,
                headline_figures: headline,
                figures,
                charts: m.charts.clone(),
                more_of: m.more_of.clone(),
                less_of: m.less_of.clone(),
                intentions: intentions
                    .iter()
                    .filter(|(_, x)| upcoming(x.when))
                    .map(|&p| intention(p))
                    .collect(),
                past_intentions,
                engagement: engagement
                    .into_iter()
                    .map(|(i, e)| {
                        let target = e.url.as_deref().and_then(link_target);
                        EngagementView {
                            title: e.title.clone(),
                            date: e.date,
                            date_display: w.date(e.date),
                            kind: e.kind.clone(),
                            place: e.place.clone(),
                            external: target.as_ref().is_some_and(|t| t.1),
                            href: target.map(|t| t.0),
                            anchor: format!("engagement-{}", i + 1),
                        }
                    })
                    .collect(),
                contacts: m
                    .contacts
                    .iter()
                    .map(|c| ContactView {
                        name: c
                            .team
                            .clone()
                            .or_else(|| c.role.clone())
                            .unwrap_or_default(),
                        team: c.team.clone(),
                        role: c.role.clone(),
                        email: c.email.clone(),
                        email_href: c.email.as_deref().and_then(crate::config::contact_href),
                        phone: c.phone.clone(),
                        phone_href: c.phone.as_deref().map(|p| {
                            let digits: String = p
                                .chars()
                                .filter(|c| c.is_ascii_digit() || *c == '+')
                                .collect();
                            format!("tel:{digits}")
                        }),
                    })
                    .collect(),
                procurements_total_display: format::money(total),
                procurements,
                sources: m.sources.clone(),
                feedback_href: feedback_href(site, m, w),
            }
        })
        .collect();
    let rating_changes = list
        .iter()
        .flat_map(|m| {
            m.ratings.iter().filter_map(|r| {
                let previous = r.previous.clone().filter(|p| p.direction != "same")?;
                Some(RatingMoveView {
                    market: m.name.clone(),
                    market_href: m.href.clone(),
                    dimension_label: r.dimension_label.clone(),
                    rating: r.clone(),
                    previous,
                })
            })
        })
        .collect();
    MarketsView {
        rating_changes,
        href: paths.markets.as_deref().map(urls::output_file),
        links: list
            .iter()
            .map(|m| {
                (
                    m.slug.clone(),
                    Link {
                        title: m.name.clone(),
                        href: m.href.clone(),
                    },
                )
            })
            .collect(),
        illustrative: list.iter().any(|m| m.illustrative),
        list,
        scale,
        dimensions: settings.dimensions,
        reference_display: reference.map(|d| w.date(d)),
        reference,
    }
}

/// A rating now at `rank` on the scale, compared with the level it had before.
fn rating_change(rank: usize, was: &LevelView, assessed: NaiveDate, w: &Words) -> RatingChangeView {
    let assessed_display = w.date(assessed);
    let (direction, key) = match rank.cmp(&was.rank) {
        std::cmp::Ordering::Greater => ("up", "rating_up"),
        std::cmp::Ordering::Less => ("down", "rating_down"),
        std::cmp::Ordering::Equal => ("same", "rating_same"),
    };
    let words = w.fill(key, &[("level", &was.label)]);
    RatingChangeView {
        level: was.level.clone(),
        label: was.label.clone(),
        rank: was.rank,
        assessed,
        words: format!("{words} ({assessed_display})"),
        assessed_display,
        direction,
    }
}

/// The words a market's search entry is made from: its services first (what providers type),
/// then its summary, messages, intentions and engagement.
pub fn search_words(m: &Market, w: &Words) -> Vec<String> {
    let mut parts = Vec::new();
    if !m.services.is_empty() {
        parts.push(w.fill("search_services", &[("services", &m.services.join(", "))]));
    }
    parts.push(m.summary.clone());
    let sentences = |key: &str, list: &[String]| {
        (!list.is_empty()).then(|| format!("{}: {}", w.get(key), list.join(" ")))
    };
    parts.extend(sentences("search_more_of", &m.more_of));
    parts.extend(sentences("search_less_of", &m.less_of));
    parts.extend(m.intentions.iter().map(|i| i.what.clone()));
    parts.extend(m.engagement.iter().map(|e| e.title.clone()));
    parts.extend(m.ratings.iter().map(|r| r.reason.clone()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_change_is_told_in_words() {
        let level = |rank: usize, label: &str| LevelView {
            level: label.to_lowercase(),
            label: label.into(),
            description: None,
            rank,
        };
        let on = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let up = rating_change(3, &level(2, "Developing"), on, Words::english());
        assert_eq!(
            (up.direction, up.words.as_str()),
            ("up", "Up from Developing (1 March 2025)")
        );
        let down = rating_change(1, &level(2, "Developing"), on, Words::english());
        assert_eq!(down.direction, "down");
        assert_eq!(down.words, "Down from Developing (1 March 2025)");
        assert_eq!(
            rating_change(2, &level(2, "Developing"), on, Words::english()).direction,
            "same"
        );
    }

    #[test]
    fn feedback_names_the_market() {
        let mail = with_query(
            "mailto:a@x.gov.uk",
            "subject",
            "Feedback on the Home care market",
        );
        assert_eq!(
            mail,
            "mailto:a@x.gov.uk?subject=Feedback%20on%20the%20Home%20care%20market"
        );
        assert_eq!(
            with_query("https://x.gov.uk/f?a=1", "market", "home-care"),
            "https://x.gov.uk/f?a=1&market=home%2Dcare"
        );
    }
}
