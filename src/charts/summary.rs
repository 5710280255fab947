//! The one-sentence summary of a chart, read out as the SVG's description and shown beside it,
//! so that what the chart shows never depends on seeing it.

use super::{short, ChartDef, ChartKind, Table, Unit};
use crate::format;
use crate::words::Words;

/// The one-sentence summary read out as the SVG's description, in the words `w`.
pub fn summary(def: &ChartDef, t: &Table, w: &Words) -> String {
    let u = def.unit;
    let additive = matches!(u, Unit::Money | Unit::Count);
    match def.kind {
        ChartKind::Line => {
            let parts: Vec<String> = t.series.iter().map(|s| trend(u, s, t, w)).collect();
            format!("{}.", parts.join("; "))
        }
        ChartKind::Timeline => {
            let s = &t.series[0];
            let (_, max) = extreme(&s.values, true);
            let most: Vec<String> = t
                .categories
                .iter()
                .zip(&s.values)
                .filter(|(_, &v)| v == max)
                .map(|(c, _)| c.clone())
                .collect();
            let total: f64 = s.values.iter().sum();
            let max = if most.len() > 1 {
                w.fill("summary_each", &[("value", &short(u, max))])
            } else {
                short(u, max)
            };
            let mut out = w.fill(
                "summary_timeline",
                &[
                    ("series", &s.name),
                    ("first", &t.categories[0]),
                    ("last", &t.categories[t.categories.len() - 1]),
                    ("value", &max),
                    ("names", &names(&most, w)),
                ],
            );
            // Periods of a timeline are consecutive (empty ones keep their row), so their
            // counts add up to the whole.
            if additive {
                out.push_str(&w.fill("summary_in_all", &[("total", &short(u, total))]));
            }
            out.push('.');
            out
        }
        ChartKind::Stacked => {
            let totals: Vec<f64> = (0..t.categories.len())
                .map(|c| t.series.iter().map(|s| s.values[c]).sum())
                .collect();
            let mut out = if t.categories.len() == 1 {
                w.fill(
                    "summary_totals",
                    &[
                        ("category", &t.categories[0]),
                        ("value", &short(u, totals[0])),
                    ],
                )
            } else {
                w.fill(
                    "summary_by_total",
                    &[("extremes", &extremes(u, &t.categories, &totals, w))],
                )
            };
            if additive && t.categories.len() > 1 {
                out.push_str(&w.fill(
                    "summary_together",
                    &[("total", &short(u, totals.iter().sum::<f64>()))],
                ));
            }
            out.push('.');
            out
        }
        ChartKind::Bar | ChartKind::Column if t.categories.len() > 1 && years(t).is_some() => {
            // Years: a change over time, told like a line. No total: amounts from years that
            // are not all there (or stocks such as households) do not add up to anything.
            let parts: Vec<String> = t.series.iter().map(|s| trend(u, s, t, w)).collect();
            let mut out = parts.join("; ");
            let missing = missing_years(t);
            if !missing.is_empty() && missing.len() <= 3 {
                out.push_str(&w.fill("summary_no_figure", &[("years", &names(&missing, w))]));
            }
            out.push('.');
            out
        }
        ChartKind::Bar | ChartKind::Column => {
            let parts: Vec<String> = t
                .series
                .iter()
                .map(|s| {
                    let prefix = if t.series.len() > 1 {
                        format!("{}: ", s.name)
                    } else {
                        String::new()
                    };
                    let mut p = if t.categories.len() == 1 {
                        let one = w.fill(
                            "summary_is",
                            &[
                                ("category", &t.categories[0]),
                                ("value", &short(u, s.values[0])),
                            ],
                        );
                        format!("{prefix}{one}")
                    } else {
                        format!("{prefix}{}", extremes(u, &t.categories, &s.values, w))
                    };
                    if additive && t.categories.len() > 1 {
                        p.push_str(&w.fill(
                            "summary_in_all",
                            &[("total", &short(u, s.values.iter().sum::<f64>()))],
                        ));
                    }
                    p
                })
                .collect();
            format!("{}.", parts.join("; "))
        }
    }
}

/// `A rose from 1 in 2011 to 2 in 2021, a rise of 100%`, or `A stayed at 1 from 2011 to 2021`.
fn trend(u: Unit, s: &super::data::Series, t: &Table, w: &Words) -> String {
    let (first, last) = (s.values[0], s.values[s.values.len() - 1]);
    let (c0, c1) = (&t.categories[0], &t.categories[t.categories.len() - 1]);
    if last == first {
        return w.fill(
            "summary_stayed",
            &[
                ("series", &s.name),
                ("value", &short(u, first)),
                ("first", c0),
                ("last", c1),
            ],
        );
    }
    let rose = last > first;
    let change = if first != 0.0 && u != Unit::Percent {
        let percent = format::number(((last - first) / first * 100.0).abs().round());
        w.fill(
            if rose {
                "summary_rise_of"
            } else {
                "summary_fall_of"
            },
            &[("percent", &percent)],
        )
    } else {
        String::new()
    };
    let mut out = w.fill(
        if rose { "summary_rose" } else { "summary_fell" },
        &[
            ("series", &s.name),
            ("from", &short(u, first)),
            ("first", c0),
            ("to", &short(u, last)),
            ("last", c1),
        ],
    );
    out.push_str(&change);
    out
}

/// The largest and smallest categories, naming every one that ties:
/// `A is the largest at 9, and B, C and D the smallest at 4 each`.
fn extremes(u: Unit, categories: &[String], values: &[f64], w: &Words) -> String {
    let (_, max) = extreme(values, true);
    let (_, min) = extreme(values, false);
    if max == min {
        return w.fill(
            "summary_all_same",
            &[
                ("n", &categories.len().to_string()),
                ("value", &short(u, max)),
            ],
        );
    }
    let at = |v: f64| -> Vec<String> {
        categories
            .iter()
            .zip(values)
            .filter(|(_, &x)| x == v)
            .map(|(c, _)| c.clone())
            .collect()
    };
    let (hi, lo) = (at(max), at(min));
    // The key for one name, and for several.
    let side = |names_at: &[String], keys: (&str, &str), v: f64| {
        let (key, value) = if names_at.len() == 1 {
            (keys.0, short(u, v))
        } else {
            (keys.1, w.fill("summary_each", &[("value", &short(u, v))]))
        };
        w.fill(key, &[("names", &names(names_at, w)), ("value", &value)])
    };
    let largest = ("summary_largest_one", "summary_largest_many");
    let smallest = ("summary_smallest_one", "summary_smallest_many");
    w.fill(
        "summary_extremes",
        &[
            ("largest", &side(&hi, largest, max)),
            ("smallest", &side(&lo, smallest, min)),
        ],
    )
}

/// `A`, `A and B`, `A, B and C`. Names may contain "and" themselves, so only the last pair is
/// joined with it. Before a vowel the words may join it otherwise (Welsh `a` becomes `ac`).
fn names(items: &[String], w: &Words) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => {
            let vowel = last.chars().next().is_some_and(|c| {
                "aeiouwyâêîôûŵŷáéíóúàèìòù".contains(c.to_lowercase().next().unwrap_or(c))
            });
            let key = if vowel { "list_and_vowel" } else { "list_and" };
            w.fill(key, &[("rest", &rest.join(", ")), ("last", last)])
        }
    }
}

/// The first year of each category, when every category is a year (`2019`) or a financial
/// year (`2019/20`, `2019-20`).
pub(super) fn years(t: &Table) -> Option<Vec<i32>> {
    t.categories
        .iter()
        .map(|c| {
            let c = c.trim();
            let head = c.get(..4)?;
            let rest = &c[4..];
            let ok_rest = rest.is_empty()
                || (rest.len() == 3
                    && (rest.starts_with('/') || rest.starts_with('-'))
                    && rest[1..].chars().all(|ch| ch.is_ascii_digit()));
            if head.chars().all(|ch| ch.is_ascii_digit()) && ok_rest {
                head.parse().ok()
            } else {
                None
            }
        })
        .collect()
}

/// Years between the first and last category with no category of their own, written like
/// the categories (`2017/18` when they are financial years).
fn missing_years(t: &Table) -> Vec<String> {
    let Some(ys) = years(t) else {
        return Vec::new();
    };
    let financial = t.categories[0].len() > 4;
    let sep = if financial {
        &t.categories[0][4..5]
    } else {
        ""
    };
    let mut out = Vec::new();
    for w in ys.windows(2) {
        for y in w[0] + 1..w[1] {
            out.push(if financial {
                format!("{y}{sep}{:02}", (y + 1) % 100)
            } else {
                y.to_string()
            });
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::super::tests::{def, resolved};
    use super::super::{ChartKind, Unit};
    use super::summary;

    fn said(kind: ChartKind, unit: Unit, cats: &[&str], series: &[(&str, &[f64])]) -> String {
        let mut d = def(kind, cats, series);
        d.unit = unit;
        let t = resolved(&d).unwrap();
        summary(&d, &t, crate::words::Words::english())
    }

    /// One sentence: a single full stop, at the end (decimals aside).
    fn one_sentence(s: &str) -> bool {
        s.ends_with('.') && !s[..s.len() - 1].contains(". ")
    }

    #[test]
    fn ties_name_every_category_that_ties() {
        let s = said(
            ChartKind::Bar,
            Unit::Count,
            &[
                "Safe and Well",
                "Pride and Joy",
                "Active and Involved",
                "Opportunity and Prosperity",
            ],
            &[("Procurements", &[9.0, 4.0, 4.0, 4.0])],
        );
        assert_eq!(
            s,
            "Safe and Well is the largest at 9, and Pride and Joy, Active and Involved and \
             Opportunity and Prosperity the smallest at 4 each, of 21 in all."
        );
        let s = said(
            ChartKind::Column,
            Unit::Count,
            &["A", "B", "C"],
            &[("S", &[5.0, 5.0, 1.0])],
        );
        assert_eq!(
            s,
            "A and B are the largest at 5 each, and C the smallest at 1, of 11 in all."
        );
        let s = said(
            ChartKind::Bar,
            Unit::Count,
            &["A", "B"],
            &[("S", &[2.0, 2.0])],
        );
        assert_eq!(s, "all 2 are 2 each, of 4 in all.");
        let s = said(
            ChartKind::Timeline,
            Unit::Count,
            &["Q1", "Q2", "Q3"],
            &[("Starts", &[3.0, 1.0, 3.0])],
        );
        assert_eq!(
            s,
            "Starts from Q1 to Q3: the most, 3 each, in Q1 and Q3, of 7 in all."
        );
    }

    #[test]
    fn years_are_a_change_over_time_with_no_total() {
        let s = said(
            ChartKind::Column,
            Unit::Money,
            &["2016/17", "2018/19", "2019/20"],
            &[("Main government grant", &[21.3e6, 10.3e6, 5.9e6])],
        );
        assert_eq!(
            s,
            "Main government grant fell from £21.3m in 2016/17 to £5.9m in 2019/20, a fall of \
             72% (no figure for 2017/18)."
        );
        assert!(!s.contains("in all"));
        let s = said(
            ChartKind::Bar,
            Unit::Count,
            &["2011", "2021"],
            &[("Households", &[74678.0, 78300.0])],
        );
        assert_eq!(
            s,
            "Households rose from 74,678 in 2011 to 78,300 in 2021, a rise of 5%."
        );
        // Consecutive years have no gap to mention; still no total.
        let s = said(
            ChartKind::Column,
            Unit::Money,
            &["2019", "2020"],
            &[("S", &[1e6, 1e6])],
        );
        assert_eq!(s, "S stayed at £1m from 2019 to 2020.");
        // Words that are not years keep the largest-and-smallest reading.
        let s = said(
            ChartKind::Column,
            Unit::Count,
            &["2019 plan", "2020"],
            &[("S", &[1.0, 2.0])],
        );
        assert!(s.contains("in all"), "{s}");
    }

    #[test]
    fn the_last_name_is_joined_as_the_words_say() {
        let cy = crate::words::Words::english()
            .clone()
            .with("list_and", "{rest} a {last}")
            .with("list_and_vowel", "{rest} ac {last}");
        let n =
            |v: &[&str]| super::names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &cy);
        assert_eq!(n(&["Caerdydd", "Bangor"]), "Caerdydd a Bangor");
        assert_eq!(
            n(&["Caerdydd", "Bangor", "Abertawe"]),
            "Caerdydd, Bangor ac Abertawe"
        );
        assert_eq!(n(&["Bangor", "Ynys Môn"]), "Bangor ac Ynys Môn");
    }

    #[test]
    fn every_summary_is_one_sentence() {
        let two = [("A", &[1.0, 2.0, 3.0][..]), ("B", &[3.0, 2.0, 1.0][..])];
        for kind in [
            ChartKind::Bar,
            ChartKind::Column,
            ChartKind::Line,
            ChartKind::Stacked,
        ] {
            let s = said(kind, Unit::Money, &["X", "Y", "Z"], &two);
            assert!(one_sentence(&s), "{kind:?}: {s}");
        }
        let s = said(
            ChartKind::Stacked,
            Unit::Count,
            &["X", "Y"],
            &[("A", &[1.0, 2.0]), ("B", &[3.0, 2.0])],
        );
        assert_eq!(s, "By total, all 2 are 4 each; together 8.");
    }
}
