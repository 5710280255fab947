//! How numbers, money and dates read on the page (British conventions), and the Tera filters
//! that expose the same formatting to templates.

use chrono::NaiveDate;
use tera::{Tera, Value};

use crate::money::Money;

/// The arguments a Tera filter is given (Tera's filter API takes a `HashMap`).
pub type FilterArgs = std::collections::HashMap<String, Value>;

/// The largest key figure mps shows, either side of zero: a million million. Numbers above it
/// lose their pence and then their units as floating point, so they are refused rather than
/// shown wrong; a larger figure is written in a bigger unit (`£bn`, or "million people").
pub const LARGEST_FIGURE: f64 = 1e12;

/// Why a key figure's value (or previous value) cannot be shown, and how to fix it.
pub fn figure_out_of_range(id: &str, which: &str, v: f64) -> Option<(String, String)> {
    (v.is_finite() && v.abs() > LARGEST_FIGURE).then(|| {
        (
            format!(
                "figure `{id}` has the {which} {}, more than the largest mps shows, {} either side of zero",
                crate::money::written(v),
                thousands(LARGEST_FIGURE as u64)
            ),
            "check the number for extra digits, or write it in a bigger unit: `value: 357.3` with `unit: \"£m\"`, or `value: 1.2` with `unit: \"million people\"`".into(),
        )
    })
}

/// A count and its noun, singular for one: `1 month`, `36 months`, `1,200 pages`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    group(&n.to_string())
}

/// Digits with a comma between each group of three.
fn group(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number with thousands separators and only the decimals it needs: `182463` -> `182,463`,
/// `19.7` -> `19.7`.
pub fn number(v: f64) -> String {
    let v_abs = v.abs();
    let rounded = (v_abs * 100.0).round() / 100.0;
    // A number that rounds to nothing has no sign: never "-0".
    let neg = v < 0.0 && rounded > 0.0;
    // `{:.0}` writes every digit of a number of any size, where `as u64` would saturate.
    let mut s = group(&format!("{:.0}", rounded.trunc()));
    let frac = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    if frac > 0 {
        let f = format!("{frac:02}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// Full money: `4800000` -> `£4,800,000`; with pence, always two decimals: `£24.50`.
pub fn money(v: Money) -> String {
    let p = v.pence();
    if v.has_pence() {
        format!("£{}.{:02}", thousands(p / 100), p % 100)
    } else {
        format!("£{}", thousands(p / 100))
    }
}

/// Pounds with thousands separators, and two decimals when there are pence: `24.5` ->
/// `24.50`; never `-0`.
fn pounds(v: f64) -> String {
    let pence = (v.abs() * 100.0).round();
    let s = money(Money::from_pence(pence as u64));
    let digits = s.trim_start_matches('£');
    if v < 0.0 && pence > 0.0 {
        format!("-{digits}")
    } else {
        digits.to_string()
    }
}

/// Short money for tiles, charts and table cells: `£4.8m`, `£750k`, `£900`, `£24.50`. Each sum
/// is rounded first and its unit chosen after, so a rounding carries into the next unit:
/// 999999.99 is `£1m`, never `£1,000k`.
pub fn money_short(v: f64) -> String {
    let a = v.abs();
    // A sum that rounds to nothing has no sign: never "-£0".
    let sign = if v < 0.0 && (a * 100.0).round() > 0.0 {
        "-"
    } else {
        ""
    };
    if (a * 100.0).round() < 100_000.0 {
        return format!("{sign}£{}", pounds(a));
    }
    let thousands = (a / 1e3).round();
    if thousands < 1000.0 {
        return format!("{sign}£{}k", number(thousands));
    }
    let millions = round1(a / 1e6);
    if millions < 1000.0 {
        return format!("{sign}£{}m", number(millions));
    }
    format!("{sign}£{}bn", number(round1(a / 1e9)))
}

/// A threshold in whole pounds ("worth £1m or more"): short when the short form is exact, and
/// in full otherwise, since "£1.5m or more" for 1499999 would misstate which sums count.
pub fn threshold(pounds: u64) -> String {
    let short = money_short(pounds as f64);
    let exact = match short.chars().last() {
        Some('k') => pounds % 1_000 == 0,
        Some('m') => pounds % 100_000 == 0,
        Some('n') => pounds % 100_000_000 == 0,
        _ => true,
    };
    if exact {
        short
    } else {
        money(Money::from_pounds(pounds))
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `2019-03-12` -> `12 March 2019`: for messages to the site's authors, which are in English.
/// Pages write dates in their own language (see `words::Words::date`).
pub fn date_long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The keys of the month names in the theme's words, January first.
pub const MONTH_KEYS: [&str; 12] = [
    "month_january",
    "month_february",
    "month_march",
    "month_april",
    "month_may",
    "month_june",
    "month_july",
    "month_august",
    "month_september",
    "month_october",
    "month_november",
    "month_december",
];

/// A key figure as shown on a tile: `%` and money units format the number, other units are
/// words shown after it.
pub fn figure(value: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{}%", number(value)),
        "£m" => format!("£{}m", number(value)),
        "£" if value < 0.0 => format!("-£{}", pounds(-value)),
        "£" => format!("£{}", pounds(value)),
        "£bn" => format!("£{}bn", number(value)),
        _ => number(value),
    }
}

/// A number as the data files write it: a whole number without `.0` (`14500`, as `plan.json`
/// writes sums of money), any other with its decimals (`19.7`).
pub fn serialize_number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    // Beyond 2^53 not every whole number is exact, so it stays a float there.
    if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// The unit word shown under a figure, if the unit is not part of the number.
pub fn figure_unit(unit: &str) -> Option<&str> {
    match unit {
        "%" | "£m" | "£" | "£bn" | "" => None,
        u => Some(u),
    }
}

pub fn register_filters(tera: &mut Tera) {
    tera.register_filter("money", |v: &Value, _: &FilterArgs| {
        Ok(Value::String(money(Money::from_f64_rounded(as_f64(
            v, "money",
        )?))))
    });
    tera.register_filter("money_short", |v: &Value, _: &FilterArgs| {
        Ok(Value::String(money_short(as_f64(v, "money_short")?)))
    });
    tera.register_filter("number", |v: &Value, _: &FilterArgs| {
        Ok(Value::String(number(as_f64(v, "number")?)))
    });
    // `date_long(words=words)` names the month in the page's language.
    tera.register_filter("date_long", |v: &Value, args: &FilterArgs| {
        use chrono::Datelike;
        let s = v
            .as_str()
            .ok_or_else(|| tera::Error::msg("date_long expects a date written YYYY-MM-DD"))?;
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| tera::Error::msg(format!("date_long: `{s}` is not a YYYY-MM-DD date")))?;
        let month = args.get("words").and_then(|w| {
            let key = MONTH_KEYS.get(d.month0() as usize)?;
            w.get(key)?.as_str()
        });
        Ok(Value::String(match month {
            Some(m) => format!("{} {m} {}", d.day(), d.year()),
            None => date_long(d),
        }))
    });
}

fn as_f64(v: &Value, filter: &str) -> tera::Result<f64> {
    v.as_f64()
        .ok_or_else(|| tera::Error::msg(format!("the `{filter}` filter expects a number, got {v}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(number(182463.0), "182,463");
        assert_eq!(number(19.7), "19.7");
        assert_eq!(number(4.49), "4.49");
        assert_eq!(money(Money::from_pounds(4_800_000)), "£4,800,000");
        assert_eq!(money(Money::from_pence(2_450)), "£24.50");
        assert_eq!(money(Money::from_pence(123_456_705)), "£1,234,567.05");
        assert_eq!(money_short(24.5), "£24.50");
        assert_eq!(money_short(900.0), "£900");
        assert_eq!(money_short(-0.001), "£0");
        assert_eq!(number(-0.001), "0");
        assert_eq!(figure(24.5, "£"), "£24.50");
        assert_eq!(figure(17.0, "£"), "£17");
        assert_eq!(figure(-2.5, "£"), "-£2.50");
        assert_eq!(money_short(4_800_000.0), "£4.8m");
        assert_eq!(money_short(12_000_000.0), "£12m");
        assert_eq!(money_short(750_000.0), "£750k");
        assert_eq!(figure(357.3, "£m"), "£357.3m");
        assert_eq!(figure(19.0, "%"), "19%");
        assert_eq!(figure_unit("people"), Some("people"));
    }

    #[test]
    fn short_money_carries_its_rounding_into_the_next_unit() {
        assert_eq!(money_short(999_999.99), "£1m");
        assert_eq!(money_short(999_499.0), "£999k");
        assert_eq!(money_short(1_999_999.99), "£2m");
        assert_eq!(money_short(999.999), "£1k");
        assert_eq!(money_short(999.99), "£999.99");
        assert_eq!(money_short(999_960_000.0), "£1bn");
        assert_eq!(money_short(-999_999.99), "-£1m");
        assert_eq!(money_short(1_500.0), "£2k");
    }

    #[test]
    fn data_files_write_whole_numbers_without_a_point() {
        #[derive(serde::Serialize)]
        struct N(#[serde(serialize_with = "serialize_number")] f64);
        let j = |v: f64| serde_json::to_string(&N(v)).unwrap();
        assert_eq!(j(14500.0), "14500");
        assert_eq!(j(-3.0), "-3");
        assert_eq!(j(19.7), "19.7");
        assert_eq!(j(0.0), "0");
    }

    #[test]
    fn a_threshold_is_short_only_when_exact() {
        assert_eq!(threshold(1_000_000), "£1m");
        assert_eq!(threshold(2_500_000), "£2.5m");
        assert_eq!(threshold(750_000), "£750k");
        assert_eq!(threshold(1_499_999), "£1,499,999");
        assert_eq!(threshold(999_999), "£999,999");
        assert_eq!(threshold(900), "£900");
    }

    #[test]
    fn a_count_of_one_is_singular() {
        assert_eq!(count(1, "month", "months"), "1 month");
        assert_eq!(count(0, "month", "months"), "0 months");
        assert_eq!(count(1200, "page", "pages"), "1,200 pages");
    }

    #[test]
    fn huge_numbers_are_never_capped() {
        assert_eq!(number(1e20), "100,000,000,000,000,000,000");
        assert_eq!(number(-1e20), "-100,000,000,000,000,000,000");
        assert_eq!(figure(1e12, "people"), "1,000,000,000,000");
    }

    #[test]
    fn figures_above_the_largest_are_refused_in_words() {
        assert!(figure_out_of_range("a", "value", LARGEST_FIGURE).is_none());
        assert!(figure_out_of_range("a", "value", -LARGEST_FIGURE).is_none());
        let (what, help) = figure_out_of_range("a", "value", 1e20).unwrap();
        assert!(
            what.contains("1e20") && what.contains("1,000,000,000,000"),
            "{what}"
        );
        assert!(help.contains("£m"), "{help}");
        assert!(figure_out_of_range("a", "value", -1.5e12).is_some());
    }

    #[test]
    fn dates_are_british() {
        let d = NaiveDate::from_ymd_opt(2019, 3, 12).unwrap();
        assert_eq!(date_long(d), "12 March 2019");
    }
}
