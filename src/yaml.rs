//! The one place that knows which YAML crates `mps` uses.
//!
//! Everything else calls [`parse`], which returns the typed value together with the
//! [`Positions`] of every key and item in the source, so that later checks can point at the
//! exact line and column without reading or searching the file again.
//!
//! Two readers work together here. `saphyr-parser` (an event parser that reports the span of
//! every event) makes one streaming pass that enforces the limits on hostile input (size,
//! nesting), finds duplicate keys where they are repeated, and records positions. `serde_yaml`
//! then turns the same text into typed values; its error messages are translated into plain
//! words by [`reader_words`] before a user sees them. Text of nothing but `key: value` lines
//! (most front matter, the words files) is read by [`flat`] in one pass instead, whenever it
//! can give exactly what the two readers would.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use saphyr_parser::{Event, Parser, ScanError, Span};
use serde::de::DeserializeOwned;

use crate::error::Diagnostic;

mod flat;

/// Deeper nesting than this is refused: real data files nest four or five levels, and without
/// a limit a crafted file of a few hundred kilobytes takes minutes to read.
pub const MAX_DEPTH: usize = 100;

/// Larger YAML files (and front matter) are refused: the largest real plan is well under
/// 1 MB, and the whole file is held in memory several times while it is read.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

// Positions belong to the error floor, below this module, so that diagnostics can carry them
// without the error module knowing about YAML.
pub use crate::error::Pos;

/// Where each value of a YAML document was written, by path: `entries[3].theme`, `title`,
/// `themes[0]`, `accessibility.statement_reviewed`. The root is the empty path.
///
/// The position of a path is the one to show a reader: the value itself when it is a scalar
/// (`theme: x` points at `x`), the key when it is a list or mapping written under it, and the
/// item itself for list items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    /// Sorted by path, for binary search. A path written twice keeps its first position
    /// (duplicates are refused anyway).
    entries: Vec<(Box<str>, Pos, Pos)>,
}

impl Positions {
    fn find(&self, path: &str) -> Option<&(Box<str>, Pos, Pos)> {
        self.entries
            .binary_search_by(|(p, _, _)| (**p).cmp(path))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The position of `path`, if it was written in the source.
    pub fn get(&self, path: &str) -> Option<Pos> {
        self.find(path).map(|e| e.1)
    }

    /// The position of the key of `path` (for list items, the item), if it was written.
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.find(path).map(|e| e.2)
    }

    /// The position of `path`, or of the nearest enclosing value that was written (a missing
    /// key points at its entry): what a diagnostic should show.
    pub fn nearest(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.get(p) {
                return Some(pos);
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.rfind(['.', '[']).unwrap_or(0)];
        }
    }

    /// [`Positions::nearest`] as `Diagnostic::at` takes it.
    pub fn at(&self, path: &str) -> (Option<usize>, Option<usize>) {
        match self.nearest(path) {
            Some(p) => p.at(),
            None => (None, None),
        }
    }

    /// Just the line of [`Positions::nearest`].
    pub fn line(&self, path: &str) -> Option<usize> {
        self.nearest(path).map(|p| p.line)
    }

    /// How many paths are recorded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A value read from YAML, with where each part of it was written.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub positions: Positions,
    /// Paths of text with no words of its own in the language read (see [`parse_in`]).
    pub untranslated: Vec<String>,
}

/// Parses `source` (the text of `file`, or a part of it that starts on line `first_line`) into
/// `T`, with the positions of its values. A byte-order mark at the start is accepted.
pub fn parse<T: DeserializeOwned>(
    source: &str,
    file: &Path,
    first_line: usize,
) -> Result<Located<T>, Diagnostic> {
    parse_in(source, file, first_line, None)
}

/// How a site that publishes several languages writes text per language, and which language is
/// being read: a mapping whose keys are all language codes of the site (`name: {en: ..., cy:
/// ...}`, a code or its first part) stands for the text in the language being read.
#[derive(Debug, Clone, Copy)]
pub struct Translating<'a> {
    /// The site's languages, the default first.
    pub languages: &'a [String],
    /// The language being read.
    pub language: &'a str,
    /// Keys whose text a reader sees, so that text written once (not per language) in a
    /// language other than the default is reported as untranslated.
    pub text_keys: &'a [&'a str],
    /// Keys of web addresses, which may also differ by language (a source in Welsh).
    pub link_keys: &'a [&'a str],
}

impl Translating<'_> {
    fn is_default(&self) -> bool {
        self.languages
            .first()
            .is_some_and(|d| d.eq_ignore_ascii_case(self.language))
    }

    /// Whether `key` names one of the site's languages: the code itself, or its first part.
    fn is_code(&self, key: &str) -> bool {
        self.languages.iter().any(|l| same_language(key, l))
    }
}

/// Whether `key` has the shape of a language tag (`fr`, `en-GB`), whatever the site's languages.
fn looks_like_language_tag(key: &str) -> bool {
    let mut parts = key.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether `key` (`cy`, `en`, `en-GB`) names the language `code` (`en-GB`).
fn same_language(key: &str, code: &str) -> bool {
    key.eq_ignore_ascii_case(code)
        || code
            .split_once('-')
            .is_some_and(|(primary, _)| key.eq_ignore_ascii_case(primary))
}

/// [`parse`], reading text given per language for the language `tr` names. Without `tr` a
/// mapping of languages is just a mapping (a one-language site).
pub fn parse_in<T: DeserializeOwned>(
    source: &str,
    file: &Path,
    first_line: usize,
    tr: Option<&Translating>,
) -> Result<Located<T>, Diagnostic> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    if source.len() > MAX_BYTES {
        let line = source.as_bytes()[..MAX_BYTES]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + first_line;
        return Err(Diagnostic::error(
            file,
            format!(
                "this file is larger than {} MB, the most mps reads",
                MAX_BYTES / (1024 * 1024)
            ),
        )
        .at(Some(line), Some(1))
        .help("split the data or remove what is not needed; a YAML file for mps is rarely more than a few hundred kilobytes"));
    }
    let positions = match flat::read(source, first_line) {
        Some(flat) => {
            if tr.is_none() {
                if let Some(value) = flat::value(&flat) {
                    return Ok(Located {
                        value,
                        positions: flat.positions,
                        untranslated: Vec::new(),
                    });
                }
            }
            flat.positions
        }
        None => index(source, file, first_line)?,
    };
    // An empty document is an empty mapping, not "null": lets a file hold only comments.
    let text = if positions.is_empty() { "{}" } else { source };
    let reader_error = |e: serde_yaml::Error| {
        let (line, column) = match e.location() {
            Some(loc) => (Some(loc.line() + first_line - 1), Some(loc.column())),
            None => (None, None),
        };
        let raw = e.to_string();
        // serde_yaml appends " at line N column M"; we report the location separately.
        let raw = match raw.find(" at line ") {
            Some(i) => &raw[..i],
            None => raw.as_str(),
        };
        let (message, help) = reader_words(raw);
        let (line, column) = match (line, path_of(raw)) {
            // serde_yaml reports a missing key at the start of its mapping, and some other
            // errors without a place: the index knows where the path was written.
            (None, Some(p)) => positions.at(p),
            _ => (line, column),
        };
        Diagnostic::error(file, message).at(line, column).help(help)
    };
    let Some(tr) = tr else {
        let value = serde_yaml::from_str(text).map_err(reader_error)?;
        return Ok(Located {
            value,
            positions,
            untranslated: Vec::new(),
        });
    };
    // Text per language is chosen in the document before it becomes typed values, so that the
    // model holds plain text in one language and nothing after loading knows about languages.
    let mut document: serde_yaml::Value = serde_yaml::from_str(text).map_err(reader_error)?;
    let mut found = Found::default();
    choose_language(&mut document, tr, &mut String::new(), None, &mut found);
    if let Some((path, missing)) = found.no_default.first() {
        let default = tr.languages.first().map_or("", String::as_str);
        let (line, column) = positions.at(path);
        return Err(Diagnostic::error(
            file,
            format!("`{path}` has no text in {default}, the site's default language (it has {missing})"),
        )
        .at(line, column)
        .help(format!(
            "add `{default}: ...` to it: the default language's text is the one every language falls back to"
        )));
    }
    if let Some((path, keys)) = found.twice.first() {
        let (line, column) = positions.at(path);
        return Err(Diagnostic::error(
            file,
            format!("`{path}` gives the same language twice, as `{keys}`"),
        )
        .at(line, column)
        .help("keep one of them: a language's code and its first part (`en-GB` and `en`) name the same language"));
    }
    if let Some(path) = found.unknown_language.first() {
        let (line, column) = positions.at(path);
        return Err(Diagnostic::error(
            file,
            format!(
                "`{path}` is given in a language the site is not published in (its languages are {})",
                tr.languages.join(", ")
            ),
        )
        .at(line, column)
        .help("use the codes of `languages:` in site.yaml as the keys, or add the language there"));
    }
    if let Some(path) = found.not_text.first() {
        let (line, column) = positions.at(path);
        return Err(Diagnostic::error(
            file,
            format!("`{path}` is given per language, but it is the same in every language"),
        )
        .at(line, column)
        .help(format!(
            "write it once, without the language codes: only text ({}) and web addresses ({}) can be given per language",
            tr.text_keys.iter().take(6).copied().collect::<Vec<_>>().join(", ") + ", ...",
            tr.link_keys.join(", ")
        )));
    }
    let value = serde_path_to_error::deserialize(document).map_err(|e| {
        let path = e.path().to_string();
        let raw = e.into_inner().to_string();
        let raw = match raw.find(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw,
        };
        let shown = if path == "." || path.is_empty() {
            raw.clone()
        } else {
            format!("{path}: {raw}")
        };
        let (message, help) = reader_words(&shown);
        let (line, column) = positions.at(if path == "." { "" } else { &path });
        Diagnostic::error(file, message).at(line, column).help(help)
    })?;
    Ok(Located {
        value,
        positions,
        untranslated: found.untranslated,
    })
}

/// What [`choose_language`] found besides the text it chose.
#[derive(Default)]
struct Found {
    /// Paths of text the language being read has no words of its own for.
    untranslated: Vec<String>,
    /// Paths of language mappings without the default language, with the languages they have.
    no_default: Vec<(String, String)>,
    /// Paths of language mappings at a key that is not text.
    not_text: Vec<String>,
    /// Paths of text given per language with a language the site does not have.
    unknown_language: Vec<String>,
    /// Paths of language mappings that give one language twice (`en` and `en-GB`), with the
    /// keys that do.
    twice: Vec<(String, String)>,
}

/// Replaces each language mapping under `value` (at `path`, under the key `key`) with the text of
/// the language `tr` reads, or the default language's where it has none.
fn choose_language(
    value: &mut serde_yaml::Value,
    tr: &Translating,
    path: &mut String,
    key: Option<&str>,
    found: &mut Found,
) {
    use serde_yaml::Value;
    let len = path.len();
    match value {
        Value::Mapping(map) => {
            let is_language_map = !map.is_empty()
                && map
                    .keys()
                    .all(|k| k.as_str().is_some_and(|k| tr.is_code(k)));
            let looks_like_languages = !map.is_empty()
                && key.is_some_and(|k| tr.text_keys.contains(&k))
                && map
                    .keys()
                    .all(|k| k.as_str().is_some_and(looks_like_language_tag));
            if looks_like_languages && !is_language_map {
                found.unknown_language.push(path.clone());
                return;
            }
            if is_language_map
                && !key.is_some_and(|k| tr.text_keys.contains(&k) || tr.link_keys.contains(&k))
            {
                // A number, a date, an id or a setting is the same in every language: given per
                // language, the languages' pages and open data would disagree.
                found.not_text.push(path.clone());
                return;
            }
            if is_language_map {
                // `en` and `en-GB` on an `en-GB` site are the same language: which text is meant?
                for lang in tr.languages {
                    let keys: Vec<&str> = map
                        .keys()
                        .filter_map(Value::as_str)
                        .filter(|k| same_language(k, lang))
                        .collect();
                    if keys.len() > 1 {
                        found.twice.push((path.clone(), keys.join("` and `")));
                        return;
                    }
                }
                let pick = |lang: &str| {
                    map.iter()
                        .find(|(k, _)| k.as_str().is_some_and(|k| same_language(k, lang)))
                        .map(|(_, v)| v.clone())
                };
                let default = tr.languages.first().map_or("", String::as_str);
                let fallback = pick(default);
                if fallback.is_none() {
                    // Every language falls back to the default's text: it must be there.
                    let has: Vec<&str> = map.keys().filter_map(Value::as_str).collect();
                    found.no_default.push((path.clone(), has.join(", ")));
                    return;
                }
                // An empty text is a translation still to be written.
                let chosen = match pick(tr.language).filter(|v| v.as_str() != Some("")) {
                    Some(v) => Some(v),
                    None => {
                        found.untranslated.push(path.clone());
                        fallback
                    }
                };
                if let Some(v) = chosen {
                    *value = v;
                }
                return;
            }
            for (k, v) in map.iter_mut() {
                let Some(k) = k.as_str() else { continue };
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                choose_language(v, tr, path, Some(k), found);
                path.truncate(len);
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let _ = write!(path, "[{i}]");
                choose_language(item, tr, path, key, found);
                path.truncate(len);
            }
        }
        Value::String(text) => {
            // A unit such as `£m` or `%` is the same in every language; a word has letters.
            let is_text = key.is_some_and(|k| tr.text_keys.contains(&k))
                && text.chars().filter(|c| c.is_alphabetic()).count() >= 2;
            // A supplier's name is its legal name, the same in every language.
            let is_name_of_record = path.contains("supplier.");
            if is_text && !is_name_of_record && !tr.is_default() {
                found.untranslated.push(path.clone());
            }
        }
        _ => {}
    }
}

/// One open list or mapping during the indexing pass.
struct Frame {
    /// Length of the path of this collection in `path`.
    len: usize,
    kind: FrameKind,
    /// Whether this collection is itself a key of a mapping (`? [a, b]: x`).
    is_key: bool,
    /// Where it starts, to point at an unclosed `[` or `{`.
    start: Pos,
}

enum FrameKind {
    Seq {
        next: usize,
    },
    Map {
        /// The key whose value comes next (an index into `seen`, or [`COMPLEX`]) and where it
        /// was written; `None` when a key comes next.
        key: Option<(usize, Pos)>,
        seen: Seen,
    },
    /// A list or mapping used as a key (`? [a, b]: x`): indexed no further.
    Key,
}

/// The `key` of a mapping whose key is a list or mapping.
const COMPLEX: usize = usize::MAX;

/// The keys of one mapping so far. Most mappings have a handful of keys, so they are compared
/// in a list; a mapping with many keys also gets a hash index, so that a crafted file with a
/// hundred thousand keys is still read in linear time.
#[derive(Default)]
struct Seen {
    list: Vec<(String, Pos)>,
    index: Option<HashMap<String, usize>>,
}

impl Seen {
    const SMALL: usize = 16;

    fn get(&self, key: &str) -> Option<Pos> {
        match &self.index {
            Some(index) => index.get(key).map(|&i| self.list[i].1),
            None => self.list.iter().find(|(k, _)| k == key).map(|e| e.1),
        }
    }

    fn push(&mut self, key: &str, pos: Pos) -> usize {
        let i = self.list.len();
        self.list.push((key.to_string(), pos));
        if let Some(index) = &mut self.index {
            index.insert(key.to_string(), i);
        } else if self.list.len() > Self::SMALL {
            self.index = Some(
                self.list
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
        i
    }

    fn name(&self, key: usize) -> &str {
        self.list.get(key).map_or("?", |e| e.0.as_str())
    }
}

fn pos_of(span: &Span, first_line: usize) -> Pos {
    Pos {
        line: span.start.line() + first_line - 1,
        column: span.start.col() + 1,
    }
}

/// The streaming pass: limits, duplicate keys, positions.
fn index(source: &str, file: &Path, first_line: usize) -> Result<Positions, Diagnostic> {
    let mut entries: Vec<(Box<str>, Pos, Pos)> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut path = String::new();
    let mut documents = 0;
    let scan_error = |e: ScanError, frames: &[Frame]| {
        let m = e.marker();
        let line = m.line() + first_line - 1;
        // An unclosed `[` or `{` is noticed only lines later: point at the bracket instead.
        if let Some(open) = frames
            .iter()
            .rev()
            .find(|f| f.start.line < line && is_flow_start(source, f.start, first_line))
        {
            return Diagnostic::error(
                file,
                "this is not valid YAML: this `[` or `{` is not closed on its line",
            )
            .at(Some(open.start.line), Some(open.start.column))
            .help("close it on the same line (`[a, b]`), or, if the value is text that starts with a bracket, put it in quotes");
        }
        if e.info().contains("recursion limit") {
            return nested_too_deep(file).at(Some(m.line() + first_line - 1), Some(m.col() + 1));
        }
        Diagnostic::error(file, format!("this is not valid YAML: {}", e.info()))
            .at(Some(m.line() + first_line - 1), Some(m.col() + 1))
            .help(SYNTAX_HELP)
    };
    for event in Parser::new_from_str(source) {
        let (event, span) = event.map_err(|e| scan_error(e, &frames))?;
        let pos = pos_of(&span, first_line);
        let is_start = matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                // A second document is refused by the typed reader with its own message.
                if documents > 1 {
                    break;
                }
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let ended = frames.pop();
                if let Some(Frame {
                    kind: FrameKind::Map { key, .. },
                    ..
                }) = frames.last_mut()
                {
                    if ended.is_some_and(|f| f.is_key) {
                        // The collection that ended was a key; its value comes next.
                        *key = Some((COMPLEX, pos));
                    }
                }
                continue;
            }
            Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) => {}
            Event::SequenceStart(..) => {}
            _ => continue,
        }
        if is_start && frames.len() >= MAX_DEPTH {
            return Err(nested_too_deep(file).at(Some(pos.line), Some(pos.column)));
        }
        // Where this value sits, and the position to record for it.
        let (record, key_pos) = match frames.last_mut() {
            None => {
                path.clear();
                (true, pos)
            }
            Some(frame) => {
                path.truncate(frame.len);
                match &mut frame.kind {
                    FrameKind::Key => (false, pos),
                    FrameKind::Seq { next } => {
                        // Writing to a String cannot fail.
                        let _ = write!(path, "[{next}]");
                        *next += 1;
                        (true, pos)
                    }
                    FrameKind::Map { key, seen } => match key.take() {
                        None => {
                            // This event is a key.
                            if let Event::Scalar(text, ..) = &event {
                                if let Some(first) = seen.get(text) {
                                    return Err(Diagnostic::error(
                                        file,
                                        format!(
                                            "`{text}` is written twice here (first on line {})",
                                            first.line
                                        ),
                                    )
                                    .at(Some(pos.line), Some(pos.column))
                                    .help("each key may appear only once in an entry: remove one of the two, or start a new list item with `- `"));
                                }
                                *key = Some((seen.push(text, pos), pos));
                            } else if is_start {
                                frames.push(Frame {
                                    len: path.len(),
                                    kind: FrameKind::Key,
                                    is_key: true,
                                    start: pos,
                                });
                            } else {
                                *key = Some((COMPLEX, pos));
                            }
                            continue;
                        }
                        Some((name, key_pos)) => {
                            if !path.is_empty() {
                                path.push('.');
                            }
                            path.push_str(seen.name(name));
                            (true, key_pos)
                        }
                    },
                }
            }
        };
        let in_map = matches!(
            frames.last(),
            Some(Frame {
                kind: FrameKind::Map { .. },
                ..
            })
        );
        if record {
            // A list or mapping under a key is shown at its key; anything else at itself.
            let shown = if is_start && in_map { key_pos } else { pos };
            entries.push((path.as_str().into(), shown, key_pos));
        }
        match event {
            Event::MappingStart(..) => frames.push(Frame {
                len: path.len(),
                is_key: false,
                start: pos,
                kind: if record {
                    FrameKind::Map {
                        key: None,
                        seen: Seen::default(),
                    }
                } else {
                    FrameKind::Key
                },
            }),
            Event::SequenceStart(..) => frames.push(Frame {
                len: path.len(),
                is_key: false,
                start: pos,
                kind: if record {
                    FrameKind::Seq { next: 0 }
                } else {
                    FrameKind::Key
                },
            }),
            _ => {}
        }
    }
    // A document with only a null scalar (or nothing) records just the root: treat it as empty.
    if entries.len() == 1 && is_null_document(source) {
        entries.clear();
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|b, a| a.0 == b.0);
    Ok(Positions { entries })
}

/// Whether the character at `pos` (a position from [`index`]) is `[` or `{`.
fn is_flow_start(source: &str, pos: Pos, first_line: usize) -> bool {
    source
        .lines()
        .nth(pos.line + 1 - first_line - 1)
        .and_then(|l| l.chars().nth(pos.column - 1))
        .is_some_and(|c| c == '[' || c == '{')
}

fn nested_too_deep(file: &Path) -> Diagnostic {
    Diagnostic::error(
        file,
        format!("this data is nested more than {MAX_DEPTH} levels deep"),
    )
    .help("mps data files need only a few levels of lists and `key: value` lines; check the indentation and brackets here")
}

/// Whether the text holds no value at all: only comments, blank lines and document markers.
fn is_null_document(source: &str) -> bool {
    source.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..." || t == "~" || t == "null"
    })
}

const SYNTAX_HELP: &str = "check the indentation and punctuation here: YAML needs `key: value`, a space after each colon and dash, and quotes around text containing `: ` or starting with a special character";

/// The path serde_yaml puts before its message (`entries[0].value: invalid type: ...`).
fn path_of(raw: &str) -> Option<&str> {
    let (head, _) = raw.split_once(": ")?;
    let looks_like_path = !head.is_empty()
        && !head.contains(' ')
        && head
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'));
    looks_like_path.then_some(head)
}

/// A serde or serde_yaml message in a reader's words: (what is wrong, how to fix it). Rust and
/// serde words ("u64", "struct FrontMatter", "unit value", "as u128") never reach the reader.
pub fn reader_words(raw: &str) -> (String, String) {
    let (path, rest) = match path_of(raw) {
        Some(p) => (p, &raw[p.len() + 2..]),
        None => ("", raw),
    };
    let field = path
        .rsplit('.')
        .next()
        .map(|f| f.split('[').next().unwrap_or(f))
        .unwrap_or("");
    let what = if field.is_empty() {
        "this value".to_string()
    } else {
        format!("`{field}`")
    };
    let ticked = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };

    if let Some(rest) = rest.strip_prefix("unknown field ") {
        let names = ticked(rest);
        let unknown = names.first().cloned().unwrap_or_default();
        let allowed: Vec<&str> = names.iter().skip(1).map(String::as_str).collect();
        let mut help = String::new();
        if let Some(best) = crate::error::closest(&unknown, allowed.iter().copied()) {
            help.push_str(&format!("did you mean `{best}`? "));
        }
        if allowed.is_empty() {
            help.push_str("remove this key");
        } else {
            help.push_str(&format!(
                "the keys allowed here are {}; remove this key or correct its spelling",
                allowed.join(", ")
            ));
        }
        return (format!("`{unknown}` is not a key mps knows here"), help);
    }
    if let Some(rest) = rest.strip_prefix("missing field ") {
        let name = ticked(rest).into_iter().next().unwrap_or_default();
        let place = if path.is_empty() {
            "this file".to_string()
        } else if path.ends_with(']') {
            "this entry".to_string()
        } else {
            format!("`{field}`")
        };
        return (
            format!("`{name}` is missing from {place}"),
            format!("add a line `{name}: ...` to it"),
        );
    }
    if let Some(rest) = rest.strip_prefix("unknown variant ") {
        let names = ticked(rest);
        let given = names.first().cloned().unwrap_or_default();
        let allowed: Vec<&str> = names.iter().skip(1).map(String::as_str).collect();
        let mut help = String::new();
        if let Some(best) = crate::error::closest(&given, allowed.iter().copied()) {
            help.push_str(&format!("did you mean `{best}`? "));
        }
        help.push_str(&format!("write one of: {}", allowed.join(", ")));
        return (format!("{what} cannot be `{given}`"), help);
    }
    if let Some(rest) = rest.strip_prefix(crate::money::REFUSED) {
        let (wrong, help) = rest.split_once(crate::money::HELP).unwrap_or((rest, ""));
        return (format!("{what} {wrong}"), help.to_string());
    }
    if let Some(rest) = rest
        .strip_prefix("invalid type: ")
        .or_else(|| rest.strip_prefix("invalid value: "))
    {
        let (found, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        let wanted = expected_words(field, expected);
        return (
            format!("{what} must be {wanted}, not {}", found_words(found)),
            format!("change the value to {wanted}"),
        );
    }
    if rest.starts_with("duplicate field") || rest.starts_with("duplicate entry") {
        let name = ticked(rest).into_iter().next().unwrap_or_default();
        return (
            format!("`{name}` is written twice here"),
            "each key may appear only once in an entry: remove one of the two".into(),
        );
    }
    if rest.contains("more than one document") {
        return (
            "this file holds more than one YAML document (a second `---` line)".into(),
            "remove the `---` line, or join the two parts into one".into(),
        );
    }
    if rest.contains("repetition limit") || rest.contains("recursion limit") {
        return (
            "this file repeats or nests its values too much to be read".into(),
            "write the values out plainly, without long chains of `&anchor` and `*alias`".into(),
        );
    }
    // chrono's date parser reports these when a date is not written YYYY-MM-DD.
    const DATE_ERRORS: &[&str] = &[
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "trailing input",
        "input is not enough for unique date and time",
        "no possible date and time matching input",
        "bad or unsupported format string",
    ];
    if DATE_ERRORS.iter().any(|d| rest.starts_with(d)) {
        let wanted = DATE;
        return (
            format!("{what} must be {wanted}"),
            "write the date as year, month and day with hyphens; a date that does not exist (such as 2025-02-30) is refused".into(),
        );
    }
    (
        format!("this is not valid YAML: {rest}"),
        SYNTAX_HELP.to_string(),
    )
}

const DATE: &str = "a date written YYYY-MM-DD, such as 2025-04-01";

/// What a field should hold, in words, from serde's "expected" text and the field's name.
fn expected_words(field: &str, expected: &str) -> String {
    let e = expected.trim();
    if e == crate::money::EXPECTED {
        return e.into();
    }
    let whole = matches!(
        e,
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
    ) || e.starts_with("an integer");
    let unsigned = e.starts_with('u');
    if whole {
        return match field {
            "value" | "large_threshold" | "pipeline_threshold" => {
                "a whole number of pounds, such as 4800000".into()
            }
            f if f.ends_with("months") => "a whole number of months, such as 36".into(),
            f if f.ends_with("days") => "a whole number of days, such as 20".into(),
            _ if unsigned => "a whole number of 0 or more, such as 10".into(),
            _ => "a whole number, such as 10".into(),
        };
    }
    if matches!(e, "f32" | "f64") || e.contains("floating point") {
        return "a number, such as 182463 or 19.7".into();
    }
    if e.contains("date") {
        return DATE.into();
    }
    if e == "a boolean" || e == "bool" {
        return "`true` or `false`".into();
    }
    if e.contains("string") || e == "char" {
        return "text".into();
    }
    if e.contains("sequence") || e.starts_with("a list") || e.contains("Vec") {
        return "a list, with each item on its own line starting with `- `".into();
    }
    if e == "struct FrontMatter" {
        return "front matter made of `key: value` lines, such as `title: Your title`".into();
    }
    if e.starts_with("struct ") || e.contains("map") {
        return "a group of `key: value` lines".into();
    }
    if e.starts_with("enum ") || e.starts_with("variant") {
        return "one of the values described in the README".into();
    }
    "a value of another kind (see the README for this key)".into()
}

/// What was found, from serde's "invalid type" text: `string "abc"`, ``integer `5` as u128``.
fn found_words(found: &str) -> String {
    let f = found.trim();
    let inner = |s: &str| {
        s.split('`')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_else(|| s.to_string())
    };
    if let Some(s) = f.strip_prefix("string ") {
        format!("the text {s}")
    } else if f.starts_with("integer") || f.starts_with("floating point") {
        format!("the number {}", inner(f))
    } else if f.starts_with("boolean") {
        format!("`{}`", inner(f))
    } else if f == "unit value" || f == "null" {
        "an empty value".into()
    } else if f == "sequence" {
        "a list".into()
    } else if f == "map" {
        "a group of `key: value` lines".into()
    } else if f.starts_with("char") {
        format!("the text {}", inner(f))
    } else {
        "what is written here".into()
    }
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

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        #[allow(dead_code)]
        id: String,
        #[allow(dead_code)]
        #[serde(default)]
        value: crate::money::Money,
        #[allow(dead_code)]
        #[serde(default)]
        start: Option<chrono::NaiveDate>,
    }

    #[derive(Debug, Deserialize)]
    struct Plan {
        #[allow(dead_code)]
        entries: Vec<Entry>,
    }

    fn p(path: &str) -> &Path {
        Path::new(path)
    }

    #[test]
    fn the_quick_reading_finds_what_the_event_parser_finds() {
        let flat = [
            "title: \"Fast Portable Event\"\ndate: 2023-01-24\ndescription: \"Notes on x, y and z.\"\nweight: 1\n",
            "title: Home page\n",
            "title: Home page",
            "a_b: 1.5\nc-d: x/y+z\ne:     \"\"\nf: true\n",
            "t: \"it's: #1 {a} [b] & 'c'\"\n",
            "# c\ntitle: x\n",
            "title: x\n\nweight: 2\n\n# end\n",
            "title: tŷ\n",
            "title: Ŵyn, defaid (a) & 100% [x] {y} *z* !w\n",
            "t: \"Croeso i’r wefan: {site}\"\n",
            "title: it's 'quoted' inside\n",
            "title: (a) £5 ~x $y .z\n",
            include_str!("../themes/default/i18n/en.yaml"),
            include_str!("../themes/default/i18n/cy.yaml"),
        ];
        for text in flat {
            for first in [1, 2] {
                let fast = flat::read(text, first)
                    .unwrap_or_else(|| panic!("{text:?}"))
                    .positions;
                let slow = index(text, p("t.md"), first).unwrap();
                assert_eq!(fast, slow, "{text:?}");
            }
        }
        // Left to the event parser: anything but plain `key: value` lines.
        let other = [
            "",
            "title: x # c\n",
            "title: x\ntitle: y\n",
            "title: \u{1}x\n",
            "title: x\r\n",
            "title: 10:30\n",
            "title: \"a\\\"b\"\n",
            "title: 'x'\n",
            "title: x \n",
            "title:\n",
            "title: [a]\n",
            "title: -x\n",
            "tags:\n  - a\n",
            " title: x\n",
            "title: ŷ:\n",
            "title: ,x\n",
            "title: %x\n",
            "title: @x\n",
            "title: |\n  x\n",
            "title: ?x\n",
            "\"title\": x\n",
            "title: *a\n",
            "title: &a x\n",
            "title: !x y\n",
            "title: >\n  x\n",
        ];
        for text in other {
            assert!(flat::read(text, 1).is_none(), "{text:?}");
        }
    }

    #[test]
    fn unknown_key_names_line_and_column_and_suggests() {
        let err = parse::<T>("name: x\nnmae: red\n", p("t.yaml"), 1).unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(1)));
        assert_eq!(err.message, "`nmae` is not a key mps knows here");
        assert!(
            err.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `name`?"),
            "{err}"
        );
    }

    #[test]
    fn offset_applies_to_front_matter() {
        let err = parse::<T>("name: [", p("p.md"), 2).unwrap_err();
        assert_eq!(err.line.map(|l| l >= 2), Some(true));
        let ok = parse::<T>("name: x\n", p("p.md"), 2).unwrap();
        assert_eq!(ok.positions.get("name"), Some(Pos { line: 2, column: 7 }));
    }

    #[test]
    fn a_duplicate_key_is_shown_where_it_is_repeated() {
        let err = parse::<T>("name: a\nname: b\n", p("t.yaml"), 1).unwrap_err();
        assert_eq!(
            err.message,
            "`name` is written twice here (first on line 1)"
        );
        assert_eq!((err.line, err.column), (Some(2), Some(1)));

        #[derive(Debug, Deserialize)]
        struct List {
            #[allow(dead_code)]
            items: Vec<T>,
        }
        let src = "items:\n  - name: a\n  - name: b\n    name: c\n";
        let err = parse::<List>(src, p("t.yaml"), 3).unwrap_err();
        assert_eq!((err.line, err.column), (Some(6), Some(5)), "{err}");
    }

    #[test]
    fn positions_of_nested_values() {
        let src = "entries:\n  - id: A\n    value: 5\n  - id: \"B\"\n    value: 7\n";
        let plan = parse::<Plan>(src, p("plan.yaml"), 1).unwrap();
        let at = |path: &str| plan.positions.get(path).map(|p| (p.line, p.column));
        assert_eq!(at("entries"), Some((1, 1)));
        assert_eq!(at("entries[0]"), Some((2, 5)));
        assert_eq!(at("entries[1].id"), Some((4, 9)));
        assert_eq!(at("entries[1].value"), Some((5, 12)));
        assert_eq!(
            plan.positions.key("entries[1].value"),
            Some(Pos { line: 5, column: 5 })
        );
        assert_eq!(at("entries[2]"), None);
        // A value that is not written points at its entry.
        assert_eq!(
            plan.positions.nearest("entries[0].start"),
            Some(Pos { line: 2, column: 5 })
        );
        let flow = parse::<Plan>("entries: [{id: A}, {id: B}]", p("f.yaml"), 1).unwrap();
        assert_eq!(
            flow.positions.get("entries[1].id"),
            Some(Pos {
                line: 1,
                column: 25
            })
        );
    }

    #[test]
    fn keys_after_a_nested_list_keep_their_paths() {
        #[derive(Debug, Deserialize)]
        struct Data {
            #[allow(dead_code)]
            categories: Vec<String>,
            #[allow(dead_code)]
            series: Vec<T>,
            #[allow(dead_code)]
            after: Vec<String>,
        }
        let src = "categories: [\"a\", \"b\"]\nseries:\n  - name: x\n  - name: y\nafter:\n  - z\n";
        let d = parse::<Data>(src, p("c.yaml"), 1).unwrap();
        let at = |path: &str| d.positions.get(path).map(|p| (p.line, p.column));
        assert_eq!(at("series"), Some((2, 1)));
        assert_eq!(at("series[1].name"), Some((4, 11)));
        assert_eq!(at("after[0]"), Some((6, 5)));
        assert_eq!(at("categories[1]"), Some((1, 19)));
    }

    #[test]
    fn an_unclosed_bracket_is_shown_where_it_opens() {
        let src = "name: x\nlist: [a, b\nother: c\n";
        let err = parse::<T>(src, p("t.yaml"), 1).unwrap_err();
        assert!(err.message.contains("not closed"), "{err}");
        assert_eq!((err.line, err.column), (Some(2), Some(7)), "{err}");
    }

    #[test]
    fn a_mapping_with_many_keys_finds_a_late_duplicate() {
        let mut src: String = (0..5_000).map(|i| format!("k{i}: {i}\n")).collect();
        src.push_str("k17: again\n");
        let err = parse::<T>(&src, p("many.yaml"), 1).unwrap_err();
        assert_eq!(
            err.message,
            "`k17` is written twice here (first on line 18)"
        );
        assert_eq!(err.line, Some(5_001));
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let ok = parse::<T>("\u{feff}name: x\n", p("t.yaml"), 1).unwrap();
        assert_eq!(ok.value.name, "x");
    }

    #[test]
    fn an_empty_or_comment_only_file_is_an_empty_mapping() {
        #[derive(Debug, Deserialize, Default)]
        struct Opt {
            #[serde(default)]
            #[allow(dead_code)]
            name: Option<String>,
        }
        assert!(parse::<Opt>("", p("t.yaml"), 1).is_ok());
        assert!(parse::<Opt>("# nothing yet\n", p("t.yaml"), 1).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_quickly_at_its_line() {
        let deep = format!("a:\n  {}1{}", "[".repeat(200_000), "]".repeat(200_000));
        let started = std::time::Instant::now();
        let err = parse::<T>(&deep, p("deep.yaml"), 1).unwrap_err();
        assert!(
            started.elapsed().as_millis() < 1000,
            "{:?}",
            started.elapsed()
        );
        assert!(err.message.contains("nested more than 100 levels"), "{err}");
        assert_eq!(err.line, Some(2));

        let mut block = String::new();
        for level in 0..150 {
            block.push_str(&" ".repeat(level));
            block.push_str("k:\n");
        }
        let err = parse::<T>(&block, p("deep.yaml"), 1).unwrap_err();
        assert!(err.message.contains("nested more than 100 levels"), "{err}");
        assert_eq!(err.line, Some(101));
    }

    #[test]
    fn too_large_is_refused_at_once() {
        let big = "# padding\n".repeat(MAX_BYTES / 10 + 10);
        let err = parse::<T>(&big, p("big.yaml"), 1).unwrap_err();
        assert!(err.message.contains("larger than 5 MB"), "{err}");
        assert!(err.line.is_some());
    }

    #[test]
    fn type_errors_use_the_readers_words() {
        let src = "entries:\n  - id: A\n    value: 4.8m\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert_eq!(
            err.message,
            "`value` must be a sum of money in pounds, such as 4800000 or 24.50, not the text \"4.8m\""
        );
        assert_eq!(err.line, Some(3));

        // Pence are money; a fraction of a penny is not.
        let src = "entries:\n  - id: A\n    value: 24.50\n";
        assert!(parse::<Plan>(src, p("plan.yaml"), 1).is_ok());
        let src = "entries:\n  - id: A\n    value: 24.505\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert_eq!(
            err.message,
            "`value` is 24.505, which has more than two decimal places; money is counted in whole pence"
        );
        assert_eq!(
            err.help.as_deref(),
            Some("round it to the penny, such as 24.51")
        );
        assert_eq!(err.line, Some(3));
        let src = "entries:\n  - id: A\n    value: -4800000\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert!(
            err.message
                .starts_with("`value` is -4800000, which is negative"),
            "{err}"
        );
        let src = "entries:\n  - id: A\n    value: 99999999999999999999999999\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert!(
            err.message
                .starts_with("`value` is 99999999999999999999999999, more than"),
            "{err}"
        );
        let src = "entries:\n  - id: A\n    value: 1e300\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert!(
            err.message.starts_with(
                "`value` is 1e300, more than the largest sum mps accepts, £1,000,000,000,000"
            ),
            "{err}"
        );

        let src = "entries:\n  - id: A\n    value: 99999999999999999999999\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert!(!err.message.contains("u128"), "{err}");
        assert!(!err.message.contains("u64"), "{err}");

        let src = "entries:\n  - id: A\n    start: 2025-02-30\n";
        let err = parse::<Plan>(src, p("plan.yaml"), 1).unwrap_err();
        assert_eq!(
            err.message,
            "`start` must be a date written YYYY-MM-DD, such as 2025-04-01"
        );

        let err = parse::<Plan>("entries: yes\n", p("plan.yaml"), 1).unwrap_err();
        assert!(err.message.starts_with("`entries` must be a list"), "{err}");

        let err = parse::<Plan>("entries:\n  - value: 1\n", p("plan.yaml"), 1).unwrap_err();
        assert_eq!(err.message, "`id` is missing from this entry");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn no_rust_words_in_any_translation() {
        for raw in [
            "invalid type: string \"x\", expected u64",
            "invalid type: string \"x\", expected struct FrontMatter",
            "invalid value: integer `-1`, expected u32",
            "invalid type: unit value, expected a string",
            "invalid type: map, expected a sequence",
            "invalid type: sequence, expected a boolean",
            "invalid type: floating point `2.5`, expected i64",
            "invalid value: integer `1000000000000000000000` as u128, expected u64",
            "entries[0].status: unknown variant `done`, expected one of `planned`, `awarded`",
            "themes[1]: missing field `slug`",
        ] {
            let (m, h) = reader_words(raw);
            for word in [
                "u64",
                "u32",
                "i64",
                "u128",
                "struct",
                "unit value",
                "sequence",
            ] {
                assert!(!m.contains(word) && !h.contains(word), "{raw} -> {m} / {h}");
            }
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Named {
        name: String,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        label: String,
        value: u32,
    }

    fn reading<'a>(languages: &'a [String], language: &'a str) -> Translating<'a> {
        Translating {
            languages,
            language,
            text_keys: &["name", "label"],
            link_keys: &["url"],
        }
    }

    #[test]
    fn text_given_per_language_is_read_in_the_language_asked_for() {
        let langs = vec!["en-GB".to_string(), "cy".to_string()];
        let src =
            "name: {en: Care homes, cy: Cartrefi gofal}\nitems:\n  - label: Beds\n    value: 3\n";
        let en: Located<Named> =
            parse_in(src, Path::new("m.yaml"), 1, Some(&reading(&langs, "en-GB"))).unwrap();
        assert_eq!(en.value.name, "Care homes");
        assert_eq!(
            (en.value.items[0].label.as_str(), en.value.items[0].value),
            ("Beds", 3)
        );
        assert!(en.untranslated.is_empty(), "{:?}", en.untranslated);
        let cy: Located<Named> =
            parse_in(src, Path::new("m.yaml"), 1, Some(&reading(&langs, "cy"))).unwrap();
        assert_eq!(cy.value.name, "Cartrefi gofal");
        // Text written once is the default language's: Welsh has no words of its own for it.
        assert_eq!(cy.untranslated, ["items[0].label"]);
        assert_eq!(cy.positions.get("items[0].label").unwrap().line, 3);
    }

    #[test]
    fn a_missing_translation_falls_back_and_a_missing_default_is_an_error() {
        let langs = vec!["en-GB".to_string(), "cy".to_string()];
        let src = "name: {en-GB: Home care}\n";
        let cy: Located<Named> =
            parse_in(src, Path::new("m.yaml"), 1, Some(&reading(&langs, "cy"))).unwrap();
        assert_eq!(cy.value.name, "Home care");
        assert_eq!(cy.untranslated, ["name"]);
        let e = parse_in::<Named>(
            "name: {cy: Gofal}\n",
            Path::new("m.yaml"),
            1,
            Some(&reading(&langs, "cy")),
        )
        .unwrap_err();
        assert!(e.message.contains("no text in en-GB"), "{e}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn a_language_given_twice_is_an_error_at_its_line() {
        let langs = vec!["en-GB".to_string(), "cy".to_string()];
        let src = "items: []\nname:\n  en: Home care\n  en-GB: Care at home\n  cy: Gofal\n";
        let e = parse_in::<Named>(src, Path::new("m.yaml"), 1, Some(&reading(&langs, "cy")))
            .unwrap_err();
        assert!(
            e.message
                .contains("`name` gives the same language twice, as `en` and `en-GB`"),
            "{e}"
        );
        assert_eq!(e.line, Some(2), "{e}");
        let e = parse_in::<Named>(
            "name: {en-GB: A, cy: B, CY: C}\n",
            Path::new("m.yaml"),
            1,
            Some(&reading(&langs, "en-GB")),
        )
        .unwrap_err();
        assert!(e.message.contains("`cy` and `CY`"), "{e}");
    }

    #[test]
    fn type_errors_under_languages_keep_their_place() {
        let langs = vec!["en-GB".to_string(), "cy".to_string()];
        let src = "name: {en: A, cy: B}\nitems:\n  - label: x\n    value: many\n";
        let e = parse_in::<Named>(src, Path::new("m.yaml"), 1, Some(&reading(&langs, "cy")))
            .unwrap_err();
        assert_eq!((e.line, e.column), (Some(4), Some(12)), "{e}");
        let e = parse_in::<Named>(
            "name: A\nitems:\n  - label: x\n    value: 1\n    colour: red\n",
            Path::new("m.yaml"),
            1,
            Some(&reading(&langs, "en-GB")),
        )
        .unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
        assert_eq!(e.line, Some(5), "{e}");
    }

    #[test]
    fn a_one_language_site_reads_language_mappings_as_mappings() {
        let e = parse::<Named>("name: {en: A, cy: B}\n", Path::new("m.yaml"), 1).unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
