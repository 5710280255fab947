//! The theme's own words ("Last updated", "Show the data as a table", month names) in each
//! language a site is published in: `i18n/LANG.yaml` files of flat `key: text` mappings, from
//! the built-in default theme, the site's theme and the site itself, merged key by key in that
//! order. Templates see them as `words`; the derive stage formats dates, counts and chart
//! summaries with them, so that a page in Welsh shows no English word of the theme's.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::error::{Diagnostic, Pos, Result};

/// The built-in theme's English words.
const BUILT_IN_ENGLISH: &str = include_str!("../themes/default/i18n/en.yaml");

/// The language whose words every other language must have all of.
pub const REFERENCE: &str = "en";

/// One folder of words files, as the theme or the site has it.
#[derive(Debug, Clone)]
pub struct Layer {
    /// How errors name the folder: `themes/default/i18n` or `(built-in theme)/i18n`.
    pub shown: PathBuf,
    /// Whether the folder is the site's own `i18n/` (its words never define which keys a
    /// language must have).
    pub site: bool,
    files: LayerFiles,
}

#[derive(Debug, Clone)]
enum LayerFiles {
    Disk(PathBuf),
    /// File name (`cy.yaml`) -> text.
    BuiltIn(BTreeMap<String, &'static str>),
}

impl Layer {
    /// The words files in folder `dir` on disk.
    pub fn disk(dir: PathBuf, site: bool) -> Layer {
        Layer {
            shown: dir.clone(),
            site,
            files: LayerFiles::Disk(dir),
        }
    }

    /// Words files compiled into mps: (file name, text).
    pub fn built_in(shown: PathBuf, files: BTreeMap<String, &'static str>) -> Layer {
        Layer {
            shown,
            site: false,
            files: LayerFiles::BuiltIn(files),
        }
    }

    /// The text of `name` in this folder, if it has that file.
    fn read(&self, name: &str) -> Result<Option<(PathBuf, String)>> {
        let path = self.shown.join(name);
        match &self.files {
            LayerFiles::BuiltIn(files) => Ok(files.get(name).map(|t| (path, t.to_string()))),
            LayerFiles::Disk(dir) => {
                let file = dir.join(name);
                if !file.is_file() {
                    return Ok(None);
                }
                let text = crate::source::read_text(&file, Some(crate::yaml::MAX_BYTES))?;
                Ok(Some((file, text)))
            }
        }
    }
}

/// The words of one language: every key of the theme's English file (and any a site adds),
/// each with its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    /// The language code these words are for, as site.yaml writes it (`en-GB`, `cy`).
    pub language: String,
    map: BTreeMap<String, String>,
    /// The files read, in the order they were merged (the last wins).
    pub files: Vec<PathBuf>,
}

impl serde::Serialize for Words {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(s)
    }
}

/// The `{name}` values a text has.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('{').filter_map(move |(i, _)| {
        let end = text[i..].find('}')? + i;
        let name = &text[i + 1..end];
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .then(|| &text[i..=end])
    })
}

/// The candidates for a language's file, most particular first: `en-GB.yaml`, `en.yaml`.
pub fn file_names(language: &str) -> Vec<String> {
    let mut names = vec![format!("{language}.yaml")];
    if let Some((primary, _)) = language.split_once('-') {
        names.push(format!("{primary}.yaml"));
    }
    names
}

/// The short month keys ("Jan"), January first.
const MONTHS_SHORT: [&str; 12] = [
    "month_short_january",
    "month_short_february",
    "month_short_march",
    "month_short_april",
    "month_short_may",
    "month_short_june",
    "month_short_july",
    "month_short_august",
    "month_short_september",
    "month_short_october",
    "month_short_november",
    "month_short_december",
];

impl Words {
    /// The text of `key`. Every key mps itself uses is in the built-in English file, and every
    /// language is checked to have all of those when it loads, so a missing key here is a bug:
    /// it shows as the key itself rather than stop the page.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map_or(key, String::as_str)
    }

    /// How many words there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether `key` is defined.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.get(key), values)
    }

    /// `2019-03-12` -> `12 March 2019` (`12 Mawrth 2019` in Welsh).
    pub fn date(&self, d: NaiveDate) -> String {
        format!("{} {} {}", d.day(), self.month(d.month()), d.year())
    }

    /// `June 2019` (`Mehefin 2019`).
    pub fn month_year(&self, d: NaiveDate) -> String {
        format!("{} {}", self.month(d.month()), d.year())
    }

    /// The name of month `m` (1 to 12).
    pub fn month(&self, m: u32) -> &str {
        crate::format::MONTH_KEYS
            .get(m.wrapping_sub(1) as usize)
            .map_or("", |k| self.get(k))
    }

    /// The short name of month `m` (1 to 12): `Jan`, `Ion`.
    pub fn month_short(&self, m: u32) -> &str {
        MONTHS_SHORT
            .get(m.wrapping_sub(1) as usize)
            .map_or("", |k| self.get(k))
    }

    /// A count and its noun (`one` for one, `many` otherwise, both keys): `1 month`, `36 months`.
    pub fn count(&self, n: u64, one: &str, many: &str) -> String {
        format!(
            "{} {}",
            crate::format::thousands(n),
            self.get(if n == 1 { one } else { many })
        )
    }

    /// The built-in default theme's English words, as they read before any site changes them:
    /// for checks that lay a chart out before a build's words are known, and for tests.
    pub fn english() -> &'static Words {
        ENGLISH.get_or_init(|| {
            // The built-in file is tested to load; if it ever did not, the keys show instead.
            let file = Path::new("(built-in theme)/i18n/en.yaml");
            english_from(read_file(file, BUILT_IN_ENGLISH).ok().as_ref())
        })
    }

    /// The words with `key` set to `text`, for tests of other modules.
    #[cfg(test)]
    pub fn with(mut self, key: &str, text: &str) -> Words {
        self.map.insert(key.into(), text.into());
        self
    }
}

/// `text` with each `{name}` replaced by its value, in one pass, so that a value that itself
/// holds braces (a chart series called `{n}`) is left as it is. Other braces stay.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let named = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, *v))
        });
        match named {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A words file's keys, each with its text and where the text was written.
type Read = BTreeMap<String, (String, Pos)>;

/// The built-in English words (see [`Words::english`]), made once per process.
static ENGLISH: std::sync::OnceLock<Words> = std::sync::OnceLock::new();

/// [`Words::english`] from a read of the built-in English file.
fn english_from(read: Option<&Read>) -> Words {
    Words {
        language: "en-GB".into(),
        map: read
            .into_iter()
            .flatten()
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect(),
        ..Words::default()
    }
}

/// Reads one words file: a mapping of keys to text.
fn read_file(path: &Path, text: &str) -> Result<Read> {
    let located = crate::yaml::parse::<BTreeMap<String, serde_json::Value>>(text, path, 1)
        .map_err(|d| {
            // A file that is not a mapping at all.
            if d.message.contains("expected a map") || d.message.contains("mapping") {
                d.help("write one `key: text` a line, such as `last_updated: Last updated`")
            } else {
                d
            }
        })?;
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (key, value) in located.value {
        let pos = located
            .positions
            .get(&key)
            .unwrap_or(Pos { line: 1, column: 1 });
        match value {
            serde_json::Value::String(s) => {
                out.insert(key, (s, pos));
            }
            other => {
                let what = match other {
                    serde_json::Value::Null => "nothing".to_string(),
                    serde_json::Value::Object(_) => "a mapping".to_string(),
                    serde_json::Value::Array(_) => "a list".to_string(),
                    v => format!("`{v}`, not text"),
                };
                problems.push(
                    Diagnostic::error(path, format!("the word `{key}` is {what}"))
                        .at_pos(Some(pos))
                        .help(format!(
                            "give `{key}` the text to show, in quotes if it looks like a number or yes/no: `{key}: \"...\"`"
                        )),
                );
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }
    Ok(out)
}

/// Loads the words of each of `languages` from `layers` (the built-in theme's, the site
/// theme's, the site's, in that order), each language's file being `LANG.yaml`, else that of
/// its primary subtag. `site_yaml` and `at` are where the site chose its languages, for the
/// error when a language has no words file at all.
pub fn load(
    layers: &[Layer],
    languages: &[&str],
    site_yaml: &Path,
    at: Option<Pos>,
) -> Result<BTreeMap<String, Arc<Words>>> {
    let mut problems = Vec::new();
    // The keys every language must have: the theme's English ones (not a site's additions).
    let mut reference: BTreeMap<String, (PathBuf, Pos)> = BTreeMap::new();
    let mut read_before: BTreeMap<PathBuf, Read> = BTreeMap::new();
    for layer in layers.iter().filter(|l| !l.site) {
        match first_file(layer, REFERENCE) {
            Ok(Some((path, text))) => match read_file(&path, &text) {
                Ok(read) => {
                    for (k, (_, pos)) in &read {
                        reference.insert(k.clone(), (path.clone(), *pos));
                    }
                    // The checks below compare with the built-in English: reading that file
                    // once more would be a tenth of a small site's build.
                    if text == BUILT_IN_ENGLISH {
                        ENGLISH.get_or_init(|| english_from(Some(&read)));
                    }
                    // The English file is read again as a language's: once is enough.
                    read_before.insert(path.clone(), read);
                }
                Err(e) => problems.extend(e.diagnostics()),
            },
            Ok(None) => {}
            Err(e) => problems.extend(e.diagnostics()),
        }
    }
    let mut out = BTreeMap::new();
    for &language in languages {
        let mut words = Words {
            language: language.to_string(),
            ..Words::default()
        };
        let mut looked = Vec::new();
        // Where the last file read ends (its last word): a missing word is added there.
        let mut last_word: Option<Pos> = None;
        // Where each word was last written, for a word that lost a `{value}`.
        let mut written: BTreeMap<String, (PathBuf, Pos)> = BTreeMap::new();
        for layer in layers {
            for name in file_names(language) {
                looked.push(layer.shown.join(name));
            }
            let found = match first_file(layer, language) {
                Ok(f) => f,
                Err(e) => {
                    problems.extend(e.diagnostics());
                    continue;
                }
            };
            let Some((path, text)) = found else { continue };
            let read = match read_before.get(&path) {
                Some(read) => Ok(read.clone()),
                None => read_file(&path, &text),
            };
            match read {
                Ok(read) => {
                    last_word = read.values().map(|(_, pos)| *pos).max();
                    for (k, (v, pos)) in read {
                        written.insert(k.clone(), (path.clone(), pos));
                        words.map.insert(k, v);
                    }
                }
                Err(e) => problems.extend(e.diagnostics()),
            }
            words.files.push(path);
        }
        if words.files.is_empty() {
            let names = file_names(language);
            problems.push(
                Diagnostic::error(
                    site_yaml,
                    format!(
                        "the site is published in `{language}`, but there are no words for it: looked for {}",
                        looked
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at_pos(at)
                .help(format!(
                    "add i18n/{} beside site.yaml with every key of the theme's {REFERENCE}.yaml in that language, or check the language code",
                    names.last().map_or("LANG.yaml", String::as_str)
                )),
            );
            continue;
        }
        let missing: Vec<&String> = reference
            .keys()
            .filter(|k| !words.map.contains_key(*k))
            .collect();
        if let (Some(first), Some(file)) = (missing.first(), words.files.last()) {
            let (en_file, en_pos) = &reference[*first];
            let shown: Vec<String> = missing.iter().take(10).map(|k| format!("`{k}`")).collect();
            let more = missing.len().saturating_sub(shown.len());
            problems.push(
                Diagnostic::error(
                    file,
                    format!(
                        "{} has no {} {}{}, which the theme's {} has (the first at line {})",
                        file.display(),
                        if missing.len() == 1 { "word" } else { "words" },
                        shown.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        },
                        en_file.display(),
                        en_pos.line
                    ),
                )
                .at_pos(last_word)
                .help(format!(
                    "add each missing key with its text in `{language}`; these are all of them, with the English to translate (keep each {{name}} as it is):\n{}",
                    missing
                        .iter()
                        .map(|k| {
                            let english = Words::english().get(k);
                            // Quoted as YAML, so that the lines can be pasted as they are.
                            format!("{k}: {}", serde_json::to_string(english).unwrap_or_default())
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                )),
            );
        }
        // A translation that drops a `{value}` would publish the sentence without it.
        for (k, text) in &words.map {
            let english = Words::english();
            if !english.has(k) {
                continue;
            }
            let lost: Vec<&str> = placeholders(english.get(k))
                .filter(|p| !text.contains(p))
                .collect();
            if let (Some(first), Some((file, pos))) = (lost.first(), written.get(k)) {
                problems.push(
                    Diagnostic::error(
                        file,
                        format!("`{k}` has lost {first}, which the English text has"),
                    )
                    .at_pos(Some(*pos))
                    .help(format!(
                        "keep {} in the translation, where the sentence needs it: the page puts the value there (English: {:?})",
                        lost.join(" and "),
                        english.get(k)
                    )),
                );
            }
        }
        out.insert(language.to_string(), Arc::new(words));
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }
    Ok(out)
}

/// A language's file in `layer`: `LANG.yaml`, else its primary subtag's.
fn first_file(layer: &Layer, language: &str) -> Result<Option<(PathBuf, String)>> {
    for name in file_names(language) {
        if let Some(found) = layer.read(&name)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Every `words.KEY` in template `text`, with its line and column.
pub fn used_in(text: &str) -> Vec<(&str, Pos)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (at, _) in text.match_indices("words.") {
        // `site.words.x` or `my_words.x` is another variable.
        if at > 0 && (ident(bytes[at - 1]) || bytes[at - 1] == b'.') {
            continue;
        }
        let start = at + "words.".len();
        let end = bytes[start..]
            .iter()
            .position(|&b| !ident(b))
            .map_or(bytes.len(), |n| start + n);
        if end == start {
            continue;
        }
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rfind('\n')
            .map_or(before, |n| &before[n + 1..])
            .chars()
            .count()
            + 1;
        out.push((&text[start..end], Pos { line, column }));
    }
    out
}

/// Checks that each language's words define every `words.KEY` the templates `used` (template
/// file, text) use, so that a build fails before it renders a page.
pub fn check_templates<'t>(
    words: &BTreeMap<String, Arc<Words>>,
    used: impl Iterator<Item = (&'t Path, &'t str)>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: BTreeSet<(String, &str, String)> = BTreeSet::new();
    for (file, text) in used {
        for (key, pos) in used_in(text) {
            for w in words.values() {
                if w.map.contains_key(key) {
                    continue;
                }
                let words_file = w
                    .files
                    .last()
                    .map_or_else(|| "i18n".to_string(), |f| f.display().to_string());
                if !seen.insert((file.display().to_string(), key, w.language.clone())) {
                    continue;
                }
                problems.push(
                    Diagnostic::error(
                        file,
                        format!(
                            "the template uses `words.{key}`, which {words_file} does not define"
                        ),
                    )
                    .at_pos(Some(pos))
                    .help(format!(
                        "add `{key}: ...` to i18n/{} beside site.yaml (for `{}`), or correct the key",
                        file_names(&w.language).last().map_or("LANG.yaml", String::as_str),
                        w.language
                    )),
                );
            }
        }
    }
    problems
}

/// Template `text` with each plain `{{ words.KEY }}` written out as the text of `KEY` in
/// `words` (passed through `escape`, which must be what the template's autoescaping would do),
/// so that rendering a page does not look the word up. A build renders every page in one
/// language, and Tera's dotted lookups cost about ten times a plain name's: at 1,000 pages the
/// default theme looked up about 20,000 words a build.
///
/// The output is the same as the lookup's, so only what is certainly the same is written out:
/// `{{ words.KEY }}` with no filter and no whitespace control, outside tags and comments, whose
/// text has no braces or line breaks (it is template text now, and must keep the template's
/// lines for error positions). A template that binds `words` itself (`set`, `for`, a macro's
/// parameter) or has a `raw` block is left as it is.
pub fn bake<'t>(text: &'t str, words: &Words, escape: impl Fn(&str) -> String) -> Cow<'t, str> {
    if !text.contains("words.") || binds_words(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    let mut at = 0;
    let bytes = text.as_bytes();
    while let Some(open) = memchr::memchr(b'{', &bytes[at..]).map(|n| at + n) {
        let close = match bytes.get(open + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                at = open + 1;
                continue;
            }
        };
        let Some(end) = text[open + 2..].find(close).map(|n| open + 2 + n) else {
            break;
        };
        at = end + 2;
        if close != "}}" {
            continue;
        }
        let inner = &text[open + 2..end];
        let Some(key) = inner.trim_matches(' ').strip_prefix("words.") else {
            continue;
        };
        let plain = !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !inner.starts_with('-')
            && !inner.ends_with('-');
        let Some(word) = words.map.get(key).filter(|_| plain) else {
            continue;
        };
        if word.contains(['{', '}', '\n', '\r']) {
            continue;
        }
        out.push_str(&text[copied..open]);
        out.push_str(&escape(word));
        copied = at;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether template `text` gives `words` a value of its own anywhere (`{% set words = %}`,
/// `{% for words in %}`, a macro parameter named `words`), or has a `raw` block, in which
/// `{{ words.KEY }}` is text.
fn binds_words(text: &str) -> bool {
    text.match_indices("{%").any(|(at, _)| {
        let rest = &text[at + 2..];
        let tag = rest.find("%}").map_or(rest, |n| &rest[..n]);
        let mut tokens = tag
            .trim_start_matches('-')
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|t| !t.is_empty());
        match tokens.next() {
            Some("raw") => true,
            Some("set" | "set_global") => tokens.next() == Some("words"),
            Some("for") => tokens.take_while(|t| *t != "in").any(|t| t == "words"),
            Some("macro") => {
                let params = tag.split_once('(').map_or("", |(_, p)| p);
                params
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|t| t == "words")
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(pairs: &[(&str, &str)]) -> Words {
        Words {
            language: "en-GB".into(),
            map: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            files: Vec::new(),
        }
    }

    #[test]
    fn bake_writes_out_plain_words_escaped_and_leaves_the_rest() {
        let w = en(&[("a", "Tom & Jerry"), ("b", "{x} braces"), ("c", "C")]);
        let esc = |s: &str| s.replace('&', "&amp;");
        let text = "<p>{{ words.a }}|{{words.c}}|{{- words.c }}|{{ words.c | upper }}|\
                    {{ words.b }}|{{ words.zz }}|{# {{ words.c }} #}|{% if x %}{{ words.c }}{% endif %}</p>";
        assert_eq!(
            bake(text, &w, esc),
            "<p>Tom &amp; Jerry|C|{{- words.c }}|{{ words.c | upper }}|\
             {{ words.b }}|{{ words.zz }}|{# {{ words.c }} #}|{% if x %}C{% endif %}</p>"
        );
        // Nothing to write out: the text itself, not a copy.
        assert!(matches!(
            bake("{{ site.title }}", &w, esc),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn bake_leaves_a_template_that_binds_words_or_has_raw_text() {
        let w = en(&[("c", "C")]);
        let same = |text: &str| assert_eq!(bake(text, &w, str::to_string), text, "{text}");
        same("{% set words = other %}{{ words.c }}");
        same("{%- set_global words = other -%}{{ words.c }}");
        same("{% for k, words in all %}{{ words.c }}{% endfor %}");
        same("{% macro m(a, words=1) %}{{ words.c }}{% endmacro m %}");
        same("{% raw %}{{ words.c }}{% endraw %}");
        // Reading words is not binding them.
        assert_eq!(
            bake(
                "{% set x = words.c %}{{ f(words=words) }}{{ words.c }}",
                &w,
                str::to_string
            ),
            "{% set x = words.c %}{{ f(words=words) }}C"
        );
    }

    fn layer(dir: &Path, site: bool) -> Layer {
        Layer::disk(dir.to_path_buf(), site)
    }

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn a_language_uses_its_own_file_else_its_primary_subtags() {
        let t = tempfile::tempdir().unwrap();
        let theme = t.path().join("theme");
        write(&theme, "en.yaml", "a: A\nb: B\n");
        write(&theme, "en-US.yaml", "a: A-us\nb: B-us\n");
        let got = load(
            &[layer(&theme, false)],
            &["en-GB", "en-US"],
            Path::new("site.yaml"),
            None,
        )
        .unwrap();
        assert_eq!(got["en-GB"].get("a"), "A");
        assert_eq!(got["en-US"].get("a"), "A-us");
        assert_eq!(file_names("en-GB"), ["en-GB.yaml", "en.yaml"]);
    }

    #[test]
    fn a_sites_words_override_and_add_key_by_key() {
        let t = tempfile::tempdir().unwrap();
        let (theme, site) = (t.path().join("theme"), t.path().join("site"));
        write(&theme, "en.yaml", "a: A\nb: B\n");
        write(&theme, "cy.yaml", "a: A-cy\nb: B-cy\n");
        write(&site, "cy.yaml", "b: Bee\nc: Sea\n");
        // A language only the site has: it must give every key of the theme's English.
        write(&site, "fr.yaml", "a: A-fr\nb: B-fr\n");
        let got = load(
            &[layer(&theme, false), layer(&site, true)],
            &["cy", "fr"],
            Path::new("site.yaml"),
            None,
        )
        .unwrap();
        assert_eq!(
            (got["cy"].get("a"), got["cy"].get("b"), got["cy"].get("c")),
            ("A-cy", "Bee", "Sea")
        );
        assert_eq!(got["fr"].get("b"), "B-fr");
        assert_eq!(got["cy"].files.len(), 2);
    }

    #[test]
    fn a_language_without_a_file_names_the_files_looked_for() {
        let t = tempfile::tempdir().unwrap();
        let theme = t.path().join("theme");
        write(&theme, "en.yaml", "a: A\n");
        let at = Some(Pos {
            line: 3,
            column: 11,
        });
        let err = load(
            &[layer(&theme, false)],
            &["fr-BE"],
            Path::new("site.yaml"),
            at,
        )
        .unwrap_err();
        let d = &err.diagnostics()[0];
        assert!(d.message.contains("`fr-BE`"), "{d}");
        assert!(
            d.message.contains("fr-BE.yaml") && d.message.contains("fr.yaml"),
            "{d}"
        );
        assert_eq!((d.line, d.column), (Some(3), Some(11)));
        assert!(d.help.as_deref().unwrap().contains("i18n/fr.yaml"), "{d}");
    }

    #[test]
    fn a_key_the_english_has_and_another_language_lacks_is_named() {
        let t = tempfile::tempdir().unwrap();
        let (theme, site) = (t.path().join("theme"), t.path().join("site"));
        write(&theme, "en.yaml", "a: A\nlast_updated: Last updated\n");
        write(&site, "fr.yaml", "a: A-fr\n");
        // A site's own English words add keys no other language is made to have.
        write(&site, "en.yaml", "only_here: Yes\n");
        let err = load(
            &[layer(&theme, false), layer(&site, true)],
            &["en", "fr"],
            Path::new("site.yaml"),
            None,
        )
        .unwrap_err();
        let ds = err.diagnostics();
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert!(ds[0].file.ends_with("site/fr.yaml"), "{}", ds[0]);
        assert!(ds[0].message.contains("`last_updated`"), "{}", ds[0]);
        assert!(ds[0].message.contains("line 2"), "{}", ds[0]);
        // It points at the file's last word, where another is added.
        assert_eq!((ds[0].line, ds[0].column), (Some(1), Some(4)));
    }

    #[test]
    fn the_built_in_words_are_complete_in_english_and_welsh() {
        let builtin = Layer::built_in(
            PathBuf::from("(built-in theme)/i18n"),
            [
                ("en.yaml".to_string(), BUILT_IN_ENGLISH),
                (
                    "cy.yaml".to_string(),
                    include_str!("../themes/default/i18n/cy.yaml"),
                ),
            ]
            .into(),
        );
        let got = load(&[builtin], &["en-GB", "cy"], Path::new("site.yaml"), None).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(got["cy"].date(d), "1 Rhagfyr 2026");
        assert_eq!(got["en-GB"].date(d), "1 December 2026");
        assert_eq!(got["cy"].month_year(d), "Rhagfyr 2026");
        assert_eq!(got["cy"].len(), got["en-GB"].len());
    }

    /// Every word the Rust code asks for by name is in the built-in English file (and so, by
    /// the check above, in every language's).
    #[test]
    fn every_key_the_code_uses_is_in_the_english_file() {
        let en = Words::english();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut used = Vec::new();
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            // The modules that write pages' words; the others name template variables
            // (`feed_href`) that look like keys.
            let writes = [
                "views.rs",
                "market_views.rs",
                "market_files.rs",
                "search.rs",
                "pages.rs",
                "opendata.rs",
                "model.rs",
                "derive.rs",
                "data.rs",
                "draw.rs",
                "summary.rs",
                "mod.rs",
            ];
            let name = entry.file_name().to_string_lossy();
            if !writes.contains(&name.as_ref()) || entry.path().ends_with("serve/mod.rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            // The code's own, not its tests' made-up words.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (at, _) in code.match_indices('"') {
                let rest = &code[at + 1..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                // Keys are snake_case with one underscore at least, or a handful of plain words.
                let keyish = !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit());
                if keyish
                    && (key.starts_with("status_")
                        || key.starts_with("category_")
                        || key.starts_with("summary_")
                        || key.starts_with("chart_")
                        || key.starts_with("download_")
                        || key.starts_with("feed_")
                        || key.starts_with("search_")
                        || key.starts_with("figure_")
                        || key.starts_with("rating_")
                        || key.starts_with("month_")
                        || key.starts_with("edition_")
                        || key.starts_with("accessibility_"))
                {
                    used.push((entry.path().display().to_string(), key.to_string()));
                }
            }
        }
        assert!(used.len() > 40, "{used:?}");
        for (file, key) in used {
            assert!(
                en.has(&key),
                "{file} uses `{key}`, which en.yaml does not define"
            );
        }
        for key in [
            "home",
            "page_not_found",
            "social_value",
            "list_and",
            "percentage_point",
            "percentage_points",
            "month",
            "months",
            "byte",
            "bytes",
            "estimated_value",
            "expected_start",
            "status",
            "route",
            "accessibility_statement",
            "site_map",
        ] {
            assert!(en.has(key), "{key}");
        }
    }

    #[test]
    fn a_word_that_is_not_text_is_refused_where_it_is() {
        let t = tempfile::tempdir().unwrap();
        let theme = t.path().join("theme");
        write(&theme, "en.yaml", "a: A\nb:\n  c: d\nn: 3\n");
        let err = load(
            &[layer(&theme, false)],
            &["en"],
            Path::new("site.yaml"),
            None,
        )
        .unwrap_err();
        let ds = err.diagnostics();
        assert_eq!(ds.len(), 2, "{ds:?}");
        assert!(ds[0].message.contains("`b` is a mapping"), "{}", ds[0]);
        assert_eq!(ds[0].line, Some(2));
        assert!(ds[1].message.contains("`n` is `3`"), "{}", ds[1]);
        assert_eq!((ds[1].line, ds[1].column), (Some(4), Some(4)));
    }

    #[test]
    fn templates_uses_of_words_are_found_with_their_place() {
        let text = "<p>{{ words.last_updated }}</p>\n  {{ site.words.x }}{{ words.skip_link | upper }}{{ mywords.y }}";
        assert_eq!(
            used_in(text),
            [
                ("last_updated", Pos { line: 1, column: 7 }),
                (
                    "skip_link",
                    Pos {
                        line: 2,
                        column: 24
                    }
                )
            ]
        );
        let mut words = BTreeMap::new();
        words.insert(
            "cy".to_string(),
            Arc::new(Words {
                language: "cy".into(),
                map: [("skip_link".to_string(), "Hepgor".to_string())].into(),
                files: vec![PathBuf::from("themes/default/i18n/cy.yaml")],
            }),
        );
        let ds = check_templates(&words, [(Path::new("templates/t.html"), text)].into_iter());
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert!(ds[0].message.contains("`words.last_updated`"), "{}", ds[0]);
        assert!(
            ds[0].message.contains("themes/default/i18n/cy.yaml"),
            "{}",
            ds[0]
        );
        assert_eq!((ds[0].line, ds[0].column), (Some(1), Some(7)));
    }

    #[test]
    fn dates_and_counts_read_in_the_language() {
        let en = Words::english();
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(en.date(d), "1 December 2026");
        assert_eq!(en.month_short(3), "Mar");
        let cy = en
            .clone()
            .with("month_december", "Rhagfyr")
            .with("month", "mis")
            .with("months", "mis");
        assert_eq!(cy.date(d), "1 Rhagfyr 2026");
        assert_eq!(cy.count(1200, "month", "months"), "1,200 mis");
        assert_eq!(en.count(1, "month", "months"), "1 month");
        assert_eq!(fill("{n} o {all}", &[("n", "3"), ("all", "9")]), "3 o 9");
        assert_eq!(fill("{a} {b} {c", &[("a", "{b}"), ("b", "x")]), "{b} x {c");
    }
}
