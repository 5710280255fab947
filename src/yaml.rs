//! The one place that knows which YAML crate `mps` uses.
//!
//! Everything else calls [`parse`] and [`find_line`], so the YAML library can be swapped here
//! alone. Errors come back as [`Diagnostic`]s with the file, line, column and a hint.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;

/// Parses `source` (the text of `file`, or a part of it that starts on line `first_line`) into `T`.
pub fn parse<T: DeserializeOwned>(
    source: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, Diagnostic> {
    // An empty document is an empty mapping, not "null": lets a file hold only comments.
    let source = if source.trim().is_empty() {
        "{}"
    } else {
        source
    };
    serde_yaml::from_str(source).map_err(|e| {
        let (line, column) = match e.location() {
            Some(loc) => (Some(loc.line() + first_line - 1), Some(loc.column())),
            None => (None, None),
        };
        let raw = e.to_string();
        // serde_yaml appends " at line N column M"; we report the location separately.
        let message = match raw.find(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw,
        };
        let help = hint(&message);
        let (line, column) = match duplicate_key(&message) {
            // serde reports a duplicate at the start of its mapping: point at the second one.
            Some(key) => second_key(source, e.location().map_or(1, |l| l.line()), key)
                .map(|(l, c)| (Some(l + first_line - 1), Some(c)))
                .unwrap_or((line, column)),
            None => (line, column),
        };
        Diagnostic::error(file, message).at(line, column).help(help)
    })
}

/// The key named in a "duplicate field `key`" (or "duplicate entry") message.
fn duplicate_key(message: &str) -> Option<&str> {
    let rest = &message[message.find("duplicate ")?..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

/// The line and column of the second `key:` at the indentation of the first, at or after
/// `from_line`.
fn second_key(source: &str, from_line: usize, key: &str) -> Option<(usize, usize)> {
    let first = find_line(source, from_line, key, "")?;
    let indent = |line: usize| {
        let text = source.lines().nth(line - 1).unwrap_or("");
        text.len()
            - text
                .trim_start()
                .trim_start_matches("- ")
                .trim_start()
                .len()
    };
    let want = indent(first);
    let mut at = first + 1;
    while let Some(next) = find_line(source, at, key, "") {
        if indent(next) == want {
            return Some((next, want + 1));
        }
        at = next + 1;
    }
    None
}

fn hint(message: &str) -> String {
    // serde_yaml may prefix the message with the path to the value (`themes[1]: ...`),
    // so look for the kind of error anywhere in it.
    let has = |s: &str| message.contains(s);
    if has("unknown field") {
        "remove this key or correct its spelling; the keys allowed here are listed in the message"
            .into()
    } else if has("missing field") {
        "add the missing key to this entry".into()
    } else if has("invalid type") || has("invalid value") {
        "change the value to the kind shown; dates are written YYYY-MM-DD and amounts as plain numbers such as 1500000".into()
    } else if has("duplicate") {
        "each key may appear only once in an entry".into()
    } else if has("unknown variant") {
        "use one of the values listed above".into()
    } else {
        "check the indentation and punctuation here: YAML needs `key: value`, a space after each colon and dash, and quotes around text containing `: ` or starting with a special character".into()
    }
}

/// The 1-based line of the first `key: value` line at or after `from_line`, where `value` matches
/// (quoted or not). Used to point validation errors (which YAML parsing cannot see) at a line.
pub fn find_line(source: &str, from_line: usize, key: &str, value: &str) -> Option<usize> {
    source
        .lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find(|(_, line)| {
            let t = line.trim_start().trim_start_matches("- ").trim_start();
            let Some(rest) = t.strip_prefix(key) else {
                return false;
            };
            let Some(rest) = rest.trim_start().strip_prefix(':') else {
                return false;
            };
            let v = rest.trim();
            let v = v.split(" #").next().unwrap_or(v).trim();
            value.is_empty() || v.trim_matches(|c| c == '"' || c == '\'') == value
        })
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = parse::<T>("name: x\ncolour: red\n", Path::new("t.yaml"), 1).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.message.contains("unknown field `colour`"),
            "{}",
            err.message
        );
        assert!(!err.message.contains(" at line "));
    }

    #[test]
    fn offset_applies_to_front_matter() {
        let err = parse::<T>("name: [", Path::new("p.md"), 2).unwrap_err();
        assert_eq!(err.line.map(|l| l >= 2), Some(true));
    }

    #[test]
    fn a_duplicate_key_is_shown_where_it_is_repeated() {
        let err = parse::<T>("name: a\nname: b\n", Path::new("t.yaml"), 1).unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!((err.line, err.column), (Some(2), Some(1)));

        #[derive(Debug, Deserialize)]
        struct List {
            #[allow(dead_code)]
            items: Vec<T>,
        }
        let src = "items:\n  - name: a\n  - name: b\n    name: c\n";
        let err = parse::<List>(src, Path::new("t.yaml"), 3).unwrap_err();
        assert_eq!(
            (err.line, err.column),
            (Some(6), Some(5)),
            "{}",
            err.message
        );
    }

    #[test]
    fn find_line_matches_quoted_values() {
        let src = "entries:\n  - id: A\n    theme: x\n  - id: \"B\"\n    theme: y\n";
        assert_eq!(find_line(src, 1, "id", "B"), Some(4));
        assert_eq!(find_line(src, 4, "theme", ""), Some(5));
        assert_eq!(find_line(src, 1, "id", "C"), None);
    }
}
