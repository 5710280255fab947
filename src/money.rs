//! A sum of money in pounds sterling, kept as whole pence so that `24.50` adds up exactly and
//! never reads "£24.5" or "-0".

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// What a sum of money must look like, in the reader's words (the YAML error names file:line).
pub const EXPECTED: &str = "a sum of money in pounds, such as 4800000 or 24.50";

/// The largest sum mps accepts, in whole pounds: a million million. Far above any council's
/// spending, and small enough that totals of many such sums stay exact in pence.
pub const LARGEST_POUNDS: u64 = 1_000_000_000_000;
/// [`LARGEST_POUNDS`] as the reader sees it (written out, as `format` depends on this module).
const LARGEST_SHOWN: &str = "£1,000,000,000,000";

/// Starts the message of a sum that is refused for its value, so that the YAML reader can tell
/// it from serde's own messages; what is wrong and how to fix it are split by [`HELP`].
pub const REFUSED: &str = "money refused: ";
pub const HELP: &str = " | help: ";

/// A number as the reader wrote it, shortened when long: `1e300`, not 301 digits.
pub fn written(v: f64) -> String {
    if v.abs() >= 1e16 {
        let full = format!("{v:e}");
        // The source line is shown under the message, so four figures are enough here.
        if full.len() > 10 {
            format!("{v:.3e}")
        } else {
            full
        }
    } else {
        format!("{v}")
    }
}

fn refuse<E: de::Error>(wrong: String, help: String) -> E {
    E::custom(format!("{REFUSED}{wrong}{HELP}{help}"))
}

fn too_large<E: de::Error>(as_written: &str) -> E {
    refuse(
        format!(
            "is {as_written}, more than the largest sum mps accepts, {LARGEST_SHOWN} (a million million pounds)"
        ),
        "check the number for extra digits; sums are written in whole pounds, such as 4800000 for £4.8m".into(),
    )
}

fn negative<E: de::Error>(as_written: &str) -> E {
    refuse(
        format!("is {as_written}, which is negative; a sum of money cannot be less than nothing"),
        format!(
            "write the sum without the minus sign, such as {}",
            as_written.trim_start_matches('-')
        ),
    )
}

/// A sum of money in pence. Written in YAML as pounds: `4800000` or `24.50`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(u64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_pence(pence: u64) -> Money {
        Money(pence)
    }

    /// Whole pounds; saturates rather than wrapping on absurd sums.
    pub fn from_pounds(pounds: u64) -> Money {
        Money(pounds.saturating_mul(100))
    }

    pub fn pence(self) -> u64 {
        self.0
    }

    /// Whether the sum has pence, so it must be shown with two decimals.
    pub fn has_pence(self) -> bool {
        self.0 % 100 != 0
    }

    /// Pounds as a number, for charts and arithmetic that does not need to be exact.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Pounds as a number rounded to the penny; negative and non-finite numbers give zero.
    pub fn from_f64_rounded(v: f64) -> Money {
        if v.is_finite() && v > 0.0 {
            Money((v * 100.0).round() as u64)
        } else {
            Money::ZERO
        }
    }

    /// Pounds as plain digits, as a CSV or a data file wants them: `4800000`, `24.50`.
    pub fn plain(self) -> String {
        if self.has_pence() {
            format!("{}.{:02}", self.0 / 100, self.0 % 100)
        } else {
            (self.0 / 100).to_string()
        }
    }

    /// Serialises as the plain digits in text (for CSV, where `24.50` must keep its zero).
    pub fn serialize_plain<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&m.plain())
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl<'a> std::iter::Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

/// Compared with a whole number of pounds (thresholds are set in whole pounds).
impl PartialEq<u64> for Money {
    fn eq(&self, pounds: &u64) -> bool {
        *self == Money::from_pounds(*pounds)
    }
}

impl PartialOrd<u64> for Money {
    fn partial_cmp(&self, pounds: &u64) -> Option<std::cmp::Ordering> {
        Some(self.cmp(&Money::from_pounds(*pounds)))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// A whole sum is written as an integer and a sum with pence as a number with decimals, so data
/// files keep the shape they had before pence were accepted.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.has_pence() {
            s.serialize_f64(self.as_f64())
        } else {
            s.serialize_u64(self.0 / 100)
        }
    }
}

struct MoneyVisitor;

impl Visitor<'_> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        if v > LARGEST_POUNDS {
            return Err(too_large(&v.to_string()));
        }
        Ok(Money(v * 100))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(negative(&v.to_string())),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Money, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(too_large(&v.to_string())),
        }
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Money, E> {
        if v < 0 {
            return Err(negative(&v.to_string()));
        }
        self.visit_u128(v.unsigned_abs())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        if !v.is_finite() {
            return Err(E::invalid_value(Unexpected::Float(v), &self));
        }
        let as_written = written(v);
        if v < 0.0 {
            return Err(negative(&as_written));
        }
        if v > LARGEST_POUNDS as f64 {
            return Err(too_large(&as_written));
        }
        let pence = v * 100.0;
        let rounded = pence.round();
        if (pence - rounded).abs() > 1e-6 {
            return Err(refuse(
                format!("is {as_written}, which has more than two decimal places; money is counted in whole pence"),
                format!("round it to the penny, such as {:.2}", (rounded / 100.0)),
            ));
        }
        Ok(Money(rounded as u64))
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de(s: &str) -> Result<Money, String> {
        serde_json::from_str::<Money>(s).map_err(|e| e.to_string())
    }

    #[test]
    fn pounds_and_pence_are_read_exactly() {
        assert_eq!(de("4800000"), Ok(Money::from_pounds(4_800_000)));
        assert_eq!(de("24.50"), Ok(Money::from_pence(2450)));
        assert_eq!(de("24.5"), Ok(Money::from_pence(2450)));
        assert_eq!(de("0.07"), Ok(Money::from_pence(7)));
        assert_eq!(de("1.10"), Ok(Money::from_pence(110)));
    }

    #[test]
    fn the_largest_sum_is_shown_as_it_is() {
        assert_eq!(
            LARGEST_SHOWN,
            crate::format::money(Money::from_pounds(LARGEST_POUNDS))
        );
    }

    #[test]
    fn text_is_refused_in_words() {
        let e = de("\"24.50\"").unwrap_err();
        assert!(e.contains(EXPECTED), "{e}");
    }

    #[test]
    fn each_refusal_says_what_is_wrong_with_the_number_as_written() {
        for (bad, says, shows) in [
            ("24.505", "more than two decimal places", "24.505"),
            ("4800000.123", "more than two decimal places", "4800000.12"),
            ("-1", "negative", "-1"),
            ("-0.5", "negative", "-0.5"),
            ("-4800000", "negative", "4800000"),
            // JSON reads this as a float; YAML keeps the digits (tested in `yaml`).
            ("99999999999999999999999999", "largest sum", "1e26"),
            ("1e300", "largest sum", "1e300"),
            ("1000000000001", "1,000,000,000,000", "1000000000001"),
        ] {
            let e = de(bad).unwrap_err();
            assert!(e.starts_with(REFUSED), "{bad}: {e}");
            assert!(e.contains(says) && e.contains(shows), "{bad}: {e}");
            assert!(e.len() < 300, "{bad}: {e}");
        }
        assert_eq!(de("1000000000000"), Ok(Money::from_pounds(LARGEST_POUNDS)));
    }

    #[test]
    fn plain_keeps_the_pence_and_whole_pounds_stay_whole() {
        assert_eq!(Money::from_pence(2450).plain(), "24.50");
        assert_eq!(Money::from_pence(7).plain(), "0.07");
        assert_eq!(Money::from_pounds(4_800_000).plain(), "4800000");
        assert_eq!(Money::ZERO.plain(), "0");
    }

    #[test]
    fn serialises_whole_sums_as_integers_and_pence_as_decimals() {
        let j = |m: Money| serde_json::to_string(&m).unwrap();
        assert_eq!(j(Money::from_pounds(4_800_000)), "4800000");
        assert_eq!(j(Money::from_pence(2450)), "24.5");
        assert_eq!(j(Money::ZERO), "0");
    }

    #[test]
    fn compares_with_whole_pound_thresholds() {
        assert!(Money::from_pence(500_000) >= 5_000);
        assert!(Money::from_pence(500_001) > 5_000);
        assert!(Money::from_pence(499_999) < 5_000);
        assert_eq!(
            [Money::from_pence(2450), Money::from_pounds(1)]
                .iter()
                .sum::<Money>(),
            Money::from_pence(2550)
        );
    }
}
