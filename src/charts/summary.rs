//! The one-sentence summary of a chart, read out as the SVG's description and shown beside it,
//! so that what the chart shows never depends on seeing it.

use super::{short, ChartDef, ChartKind, Table, Unit};
use crate::format;

/// The one-sentence summary read out as the SVG's description.
pub fn summary(def: &ChartDef, t: &Table) -> String {
    let u = def.unit;
    let additive = matches!(u, Unit::Money | Unit::Count);
    match def.kind {
        ChartKind::Line => {
            let parts: Vec<String> = t
                .series
                .iter()
                .map(|s| {
                    let (first, last) = (s.values[0], s.values[s.values.len() - 1]);
                    let (c0, c1) = (&t.categories[0], &t.categories[t.categories.len() - 1]);
                    let verb = if last > first {
                        "rose"
                    } else if last < first {
                        "fell"
                    } else {
                        "stayed"
                    };
                    let change = if first != 0.0 && last != first && u != Unit::Percent {
                        format!(
                            ", {} of {}%",
                            if last > first { "a rise" } else { "a fall" },
                            format::number(((last - first) / first * 100.0).abs().round())
                        )
                    } else {
                        String::new()
                    };
                    if verb == "stayed" {
                        format!("{} stayed at {} from {c0} to {c1}", s.name, short(u, first))
                    } else {
                        format!(
                            "{} {verb} from {} in {c0} to {} in {c1}{change}",
                            s.name,
                            short(u, first),
                            short(u, last)
                        )
                    }
                })
                .collect();
            format!("{}.", parts.join("; "))
        }
        ChartKind::Timeline => {
            let s = &t.series[0];
            let (i, max) = extreme(&s.values, true);
            let total: f64 = s.values.iter().sum();
            let mut out = format!(
                "{} from {} to {}: the most, {}, in {}",
                s.name,
                t.categories[0],
                t.categories[t.categories.len() - 1],
                short(u, max),
                t.categories[i]
            );
            if additive {
                out.push_str(&format!(", of {} in all", short(u, total)));
            }
            out.push('.');
            out
        }
        ChartKind::Stacked => {
            let totals: Vec<f64> = (0..t.categories.len())
                .map(|c| t.series.iter().map(|s| s.values[c]).sum())
                .collect();
            let (hi, max) = extreme(&totals, true);
            let (lo, min) = extreme(&totals, false);
            let mut out = format!(
                "{} has the largest total, {}, and {} the smallest, {}",
                t.categories[hi],
                short(u, max),
                t.categories[lo],
                short(u, min)
            );
            if additive {
                out.push_str(&format!(
                    "; together {}",
                    short(u, totals.iter().sum::<f64>())
                ));
            }
            out.push('.');
            out
        }
        ChartKind::Bar | ChartKind::Column => {
            let parts: Vec<String> = t
                .series
                .iter()
                .map(|s| {
                    let (hi, max) = extreme(&s.values, true);
                    let (lo, min) = extreme(&s.values, false);
                    let prefix = if t.series.len() > 1 {
                        format!("{}: ", s.name)
                    } else {
                        String::new()
                    };
                    let mut p = if t.categories.len() == 1 {
                        format!("{prefix}{} is {}", t.categories[0], short(u, max))
                    } else {
                        format!(
                            "{prefix}{} is the largest at {}, and {} the smallest at {}",
                            t.categories[hi],
                            short(u, max),
                            t.categories[lo],
                            short(u, min)
                        )
                    };
                    if additive && t.categories.len() > 1 {
                        p.push_str(&format!(
                            ", of {} in all",
                            short(u, s.values.iter().sum::<f64>())
                        ));
                    }
                    p
                })
                .collect();
            format!("{}.", parts.join("; "))
        }
    }
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
