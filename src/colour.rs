//! Colours as sites write them (`#rrggbb`) and the WCAG contrast between two: the one place
//! validation, charts and their drawing measure contrast.

/// `#1d4f91` -> (29, 79, 145).
pub fn parse_hex(s: &str) -> Option<(u8, u8, u8)> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((p(0)?, p(2)?, p(4)?))
}

/// WCAG 2.2 contrast ratio of two colours.
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    fn lum((r, g, b): (u8, u8, u8)) -> f64 {
        let c = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// WCAG contrast ratio of a `#rrggbb` colour against white (black where `hex` is not a colour:
/// validation reports those separately).
pub fn contrast_with_white(hex: &str) -> f64 {
    contrast(parse_hex(hex).unwrap_or((0, 0, 0)), (255, 255, 255))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast_with_white("#000000") - 21.0).abs() < 0.01);
        assert!((contrast_with_white("#767676") - 4.54).abs() < 0.01);
        assert!(contrast_with_white("#ffdd00") < 3.0);
        assert_eq!(parse_hex("#1d4f91"), Some((29, 79, 145)));
        assert_eq!(parse_hex("teal"), None);
        let a = contrast((29, 79, 145), (255, 255, 255));
        assert!((a - contrast((255, 255, 255), (29, 79, 145))).abs() < 1e-12);
    }
}
