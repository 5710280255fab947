//! Typed errors and diagnostics for the whole library.
//!
//! Every problem a user can cause becomes a [`Diagnostic`]: the file, the line and column where
//! known, what is wrong and how to fix it. Diagnostics are rendered once, at the edge (the binary
//! or the preview server), by [`render`], which adds the offending source lines.

use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// As [`Diagnostic::at`] takes it.
    pub fn at(self) -> (Option<usize>, Option<usize>) {
        (Some(self.line), Some(self.column))
    }
}

/// How serious a finding is. Errors stop a build; warnings are reported by `mps check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in one file, with enough context for a non-developer to fix it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line, when the problem can be pinned to one.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// The same problem, as one that stops the build.
    pub fn into_error(self) -> Self {
        Diagnostic {
            severity: Severity::Error,
            ..self
        }
    }

    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// Points at a position kept from loading, when there is one.
    pub fn at_pos(self, pos: Option<Pos>) -> Self {
        match pos {
            Some(p) => self.at(Some(p.line), Some(p.column)),
            None => self,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column`, as far as it is known.
    pub fn location(&self) -> String {
        let mut s = self.file.display().to_string();
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                s.push_str(&format!(":{col}"));
            }
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// A non-empty list of diagnostics, sorted by file and line so that output is stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn sorted(mut list: Vec<Diagnostic>) -> Self {
        list.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
        });
        list.dedup();
        Diagnostics(list)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Everything that can stop `mps` from doing what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site's content, data, configuration or templates have problems.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// A file or folder could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The output folder is somewhere `mps` must never write.
    #[error("refusing to write to {}: {reason}", path.display())]
    UnsafeOutput { path: PathBuf, reason: String },
}

impl Error {
    pub fn io(action: &'static str, path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// The diagnostics this error carries, or one made from it.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Invalid(d) => d.0.clone(),
            Error::Io { path, .. } => vec![Diagnostic::error(path, self.to_string())
                .help("check that the file exists and that you are allowed to read and write it")],
            Error::UnsafeOutput { path, .. } => vec![Diagnostic::error(path, self.to_string())
                .help("choose another output folder with --output")],
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Invalid(Diagnostics(vec![d]))
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(d: Vec<Diagnostic>) -> Self {
        Error::Invalid(Diagnostics::sorted(d))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The most of one source line shown after the place a diagnostic points at, in bytes.
const MAX_SHOWN: usize = 200;

/// Renders diagnostics with the offending source lines, as plain text (no colour codes), so the
/// same text serves the terminal and the browser overlay.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = termcolor::NoColor::new(Vec::new());
    let config = term::Config::default();
    for d in diagnostics {
        // Lossy, so that a file with a bad byte still shows its line (with U+FFFD for the byte).
        let source = std::fs::read(&d.file)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let mut shown = source.as_str();
        let mut cut_text = String::new();
        let mut cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(&d.message);
        if let Some(offset) = d.line.and_then(|l| byte_offset(&source, l, d.column)) {
            let mut end = source[offset..]
                .find('\n')
                .map(|n| offset + n.max(1))
                .unwrap_or(source.len());
            // A very long line (a crafted or minified file) is cut after the place, so that
            // the message stays readable and quick to print.
            if end - offset > MAX_SHOWN {
                let mut cut = offset + MAX_SHOWN;
                while !source.is_char_boundary(cut) {
                    cut -= 1;
                }
                cut_text = format!("{}…", &source[..cut]);
                end = cut;
            }
            if !cut_text.is_empty() {
                shown = cut_text.as_str();
            }
            cs = cs.with_labels(vec![Label::primary((), offset..end.max(offset))]);
        } else {
            cs = cs.with_notes(vec![format!("in {}", d.location())]);
        }
        if let Some(help) = &d.help {
            cs = cs.with_notes(vec![format!("help: {help}")]);
        }
        let file = SimpleFile::new(d.file.display().to_string(), shown);
        if term::emit(&mut out, &config, &file, &cs).is_err() {
            // Rendering only fails for out-of-range spans; fall back to the one-line form,
            // after what is already written.
            let mut text = out.into_inner();
            text.extend_from_slice(format!("{d}\n").as_bytes());
            out = termcolor::NoColor::new(text);
        }
    }
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}

/// The byte offset of a 1-based line and column, if the line exists.
fn byte_offset(source: &str, line: usize, column: Option<usize>) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += source[start..].find('\n')? + 1;
    }
    if start > source.len() || (start == source.len() && line > 1 && !source.is_empty()) {
        return None;
    }
    let line_text = &source[start..];
    let line_text = &line_text[..line_text.find('\n').unwrap_or(line_text.len())];
    // Without a column, point at the line's text rather than its indentation.
    let within = match column {
        Some(c) => line_text
            .char_indices()
            .nth(c.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(0),
        None => line_text.len() - line_text.trim_start().len(),
    };
    Some(start + within)
}

/// The 1-based line and column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |n| before[n + 1..].chars().count())
        + 1;
    (line, col)
}

/// The candidate closest to `word` by edit distance, if one is close enough to be a likely
/// typing slip: for "did you mean ...?" suggestions.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    closest_within(word, candidates, limit)
}

/// Like [`closest`], with at most `limit` edits: wider for a short list of known words, where
/// a guess further off is still likely the one meant (`person` for `people`).
pub fn closest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<&'a str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    candidates
        .into_iter()
        .map(|c| {
            (
                edit_distance(&word, &c.to_lowercase().chars().collect::<Vec<_>>()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, with a swap of two neighbours counted as one edit.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_near_names_only() {
        let names = ["figures.yaml", "plan.yaml", "themes.yaml"];
        assert_eq!(closest("figure.yaml", names), Some("figures.yaml"));
        assert_eq!(closest("fgiures.yaml", names), Some("figures.yaml"));
        assert_eq!(closest("budget.yaml", names), None);
        assert_eq!(closest("nmae", ["name", "title"]), Some("name"));
    }

    #[test]
    fn line_col_counts_from_one() {
        let s = "ab\ncd\nef";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 4), (2, 2));
        assert_eq!(line_col(s, 6), (3, 1));
    }

    #[test]
    fn render_cuts_a_very_long_line_after_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        std::fs::write(&path, format!("a: 1\nb: {}\n", "[".repeat(100_000))).unwrap();
        let d = Diagnostic::error(&path, "too deep").at(Some(2), Some(4));
        let text = render(&[d.clone(), d]);
        assert!(text.len() < 2_000, "{}", text.len());
        assert_eq!(text.matches("too deep").count(), 2, "{text}");
        assert!(text.contains("b: [[[") && text.contains('…'), "{text}");
    }

    #[test]
    fn render_shows_the_offending_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        std::fs::write(&path, "a: 1\nb: [\n").unwrap();
        let d = Diagnostic::error(&path, "bad list")
            .at(Some(2), Some(4))
            .help("close the bracket");
        let text = render(&[d]);
        assert!(text.contains("bad list"), "{text}");
        assert!(text.contains("b: ["), "{text}");
        assert!(text.contains(":2:4"), "{text}");
        assert!(text.contains("close the bracket"), "{text}");
    }
}
