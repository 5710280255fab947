//! How numbers, money and dates read on the page (British conventions), and the Tera filters
//! that expose the same formatting to templates.

use chrono::NaiveDate;
use tera::{Tera, Value};

/// The arguments a Tera filter is given (Tera's filter API takes a `HashMap`).
pub type FilterArgs = std::collections::HashMap<String, Value>;

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
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
    let neg = v < 0.0;
    let v = v.abs();
    let rounded = (v * 100.0).round() / 100.0;
    let whole = rounded.trunc() as u64;
    let frac = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    let mut s = thousands(whole);
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

/// Full money: `4800000` -> `£4,800,000`.
pub fn money(v: u64) -> String {
    format!("£{}", thousands(v))
}

/// Short money for tiles and charts: `£4.8m`, `£750k`, `£900`.
pub fn money_short(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a >= 1_000_000_000.0 {
        format!("{sign}£{}bn", number(round1(a / 1e9)))
    } else if a >= 1_000_000.0 {
        format!("{sign}£{}m", number(round1(a / 1e6)))
    } else if a >= 1_000.0 {
        format!(
            "{sign}£{}k",
            number(a / 1e3).split('.').next().unwrap_or("0")
        )
    } else {
        format!("{sign}£{}", number(a))
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `2019-03-12` -> `12 March 2019`.
pub fn date_long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A key figure as shown on a tile: `%` and money units format the number, other units are
/// words shown after it.
pub fn figure(value: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{}%", number(value)),
        "£m" => format!("£{}m", number(value)),
        "£" => format!("£{}", number(value)),
        "£bn" => format!("£{}bn", number(value)),
        _ => number(value),
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
        Ok(Value::String(money(
            as_f64(v, "money")?.round().max(0.0) as u64
        )))
    });
    tera.register_filter("money_short", |v: &Value, _: &FilterArgs| {
        Ok(Value::String(money_short(as_f64(v, "money_short")?)))
    });
    tera.register_filter("number", |v: &Value, _: &FilterArgs| {
        Ok(Value::String(number(as_f64(v, "number")?)))
    });
    tera.register_filter("date_long", |v: &Value, _: &FilterArgs| {
        let s = v
            .as_str()
            .ok_or_else(|| tera::Error::msg("date_long expects a date written YYYY-MM-DD"))?;
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| tera::Error::msg(format!("date_long: `{s}` is not a YYYY-MM-DD date")))?;
        Ok(Value::String(date_long(d)))
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
        assert_eq!(money(4_800_000), "£4,800,000");
        assert_eq!(money_short(4_800_000.0), "£4.8m");
        assert_eq!(money_short(12_000_000.0), "£12m");
        assert_eq!(money_short(750_000.0), "£750k");
        assert_eq!(figure(357.3, "£m"), "£357.3m");
        assert_eq!(figure(19.0, "%"), "19%");
        assert_eq!(figure_unit("people"), Some("people"));
    }

    #[test]
    fn dates_are_british() {
        let d = NaiveDate::from_ymd_opt(2019, 3, 12).unwrap();
        assert_eq!(date_long(d), "12 March 2019");
    }
}
