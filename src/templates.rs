//! The site theme (`SiteTheme`): Tera templates and static files from `themes/NAME/`, with the
//! built-in `default` theme as a fallback and the site's own `templates/` folder overriding any
//! template by name. Also the filters templates use to format money, numbers and dates.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use include_dir::{include_dir, Dir};
use tera::Tera;

use crate::error::{Diagnostic, Result};
use crate::format;
use crate::words::{self, Words};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Templates mps renders by themselves, not as a page's template: a chart's data table, the
/// Atom feed, `sitemap.xml` and the site's menu. Not offered as page templates.
pub const FILE_TEMPLATES: &[&str] = &[CHART_TABLE, ATOM, SITEMAP, SITE_NAV];
/// Writes a chart's data table (see `charts::DataTable`).
pub const CHART_TABLE: &str = "chart_table.html";
/// Writes the Atom feed (see `feeds`).
pub const ATOM: &str = "atom.xml";
/// Writes `sitemap.xml` (see `feeds`).
pub const SITEMAP: &str = "sitemap.xml";
/// Writes the site's menu, which pages show as `site_nav` (see `render::Renderer::site_nav`).
pub const SITE_NAV: &str = "partials/site_nav.html";

/// Where a theme file comes from.
#[derive(Debug, Clone)]
pub enum ThemeFile {
    Disk(PathBuf),
    BuiltIn(&'static [u8]),
}

/// The internal template behind the chart shortcode (see [`SiteTheme::chart_figure`]).
const CHART_SHORTCODE: &str = "__mps/chart-shortcode.html";
const CHART_SHORTCODE_SOURCE: &str =
    "{% import \"macros.html\" as m %}{{ m::chart(chart=chart, root=root) }}";

/// The look of a site: compiled templates plus static files to copy.
pub struct SiteTheme {
    pub tera: Tera,
    /// Static files: (path in the output, where it comes from), sorted.
    pub assets: Vec<(String, ThemeFile)>,
    /// Where each template was read from, for error messages.
    pub template_files: BTreeMap<String, PathBuf>,
    /// Changes whenever any template's name or text does: part of every page's fingerprint, so
    /// a preview never reuses a page rendered with other templates.
    pub fingerprint: u64,
    /// Every template's text by name (the chart shortcode's among them), parsed or not.
    sources: Arc<BTreeMap<String, String>>,
    /// Whether the templates are still to be parsed, by [`SiteTheme::parse_used`].
    pending: bool,
    /// The theme's words in each language the site is published in (see `words`), merged with
    /// the site's own `i18n/` files, by language code as site.yaml writes it.
    pub words: Arc<BTreeMap<String, Arc<Words>>>,
}

/// Which of a theme's templates to parse when it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parse {
    /// Every template, used or not (`mps check` and the preview report a mistake in any).
    All,
    /// None yet: [`SiteTheme::parse_used`] parses the ones the planned pages use.
    Used,
}

impl SiteTheme {
    /// What the language switcher says of the language `code`, in that language.
    pub fn language_words(&self, code: &str) -> crate::translations::LanguageWords {
        match self.words.get(code) {
            Some(w) => crate::translations::LanguageWords {
                name: w.get("language_name").to_string(),
                no_translation: w.get("no_translation").to_string(),
                nearest: w.get("nearest_translation").to_string(),
            },
            // Every language of the site has its words once the theme has loaded.
            None => crate::translations::LanguageWords {
                name: code.to_string(),
                ..Default::default()
            },
        }
    }

    /// Loads the theme `config` names for the site at `root`; a missing theme is reported at
    /// the `theme:` line of site.yaml.
    pub fn for_site(root: &Path, config: &crate::config::SiteConfig) -> Result<SiteTheme> {
        Self::for_site_parsing(root, config, Parse::All)
    }

    /// [`SiteTheme::for_site`], parsing the templates `parse` says.
    pub fn for_site_parsing(
        root: &Path,
        config: &crate::config::SiteConfig,
        parse: Parse,
    ) -> Result<SiteTheme> {
        Self::load_at(
            root,
            &config.theme,
            config.positions.nearest("theme"),
            parse,
            (
                &config.languages(),
                // Where the site names its languages, to point a missing words file at.
                config
                    .positions
                    .get("languages")
                    .or_else(|| config.positions.nearest("language")),
            ),
        )
    }

    /// Loads theme `name` for the site at `root`, with its English words.
    pub fn load(root: &Path, name: &str) -> Result<SiteTheme> {
        Self::load_at(root, name, None, Parse::All, (&["en-GB"], None))
    }

    /// The words of `language` (a language the theme was loaded for: one of
    /// `SiteConfig::languages`), or an error naming it.
    pub fn words_for(&self, language: &str) -> Result<Arc<Words>, Diagnostic> {
        self.words.get(language).cloned().ok_or_else(|| {
            Diagnostic::error(
                "site.yaml",
                format!("the theme was loaded without the words of `{language}`"),
            )
            .help("this is a bug in mps; please report it")
        })
    }

    /// `languages`: the codes of the languages the site is published in, and where site.yaml
    /// chose them.
    fn load_at(
        root: &Path,
        name: &str,
        at: Option<crate::yaml::Pos>,
        parse: Parse,
        languages: (&[&str], Option<crate::yaml::Pos>),
    ) -> Result<SiteTheme> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        let mut assets = Vec::new();
        let theme_dir = root.join("themes").join(name);
        if theme_dir.is_dir() {
            read_dir_files(&theme_dir.join("templates"), &mut |rel, path| {
                let text = read(path)?;
                sources.insert(rel, (path.to_path_buf(), text));
                Ok(())
            })?;
            read_dir_files(&theme_dir.join("static"), &mut |rel, path| {
                assets.push((rel, ThemeFile::Disk(path.to_path_buf())));
                Ok(())
            })?;
        } else if name == "default" {
            builtin(&DEFAULT_THEME, &mut sources, &mut assets);
        } else {
            return Err(Diagnostic::error(
                root.join("site.yaml"),
                format!(
                    "theme `{name}` not found in {}",
                    root.join("themes").display()
                ),
            )
            .at_pos(at)
            .help("use `theme: default`, or put the theme's templates/ and static/ in themes/NAME/")
            .into());
        }
        // A theme written before mps made a file from a template still builds: the default
        // theme's version stands in for the one it lacks.
        for name in FILE_TEMPLATES {
            if !sources.contains_key(*name) {
                if let Some(file) = DEFAULT_THEME.get_file(format!("templates/{name}")) {
                    let shown = PathBuf::from(format!("(built-in theme)/templates/{name}"));
                    let text = String::from_utf8_lossy(file.contents()).into_owned();
                    sources.insert(name.to_string(), (shown, text));
                }
            }
        }
        // The site's own templates win over the theme's, file by file.
        read_dir_files(&root.join("templates"), &mut |rel, path| {
            let text = read(path)?;
            sources.insert(rel, (path.to_path_buf(), text));
            Ok(())
        })?;
        assets.sort_by(|a, b| a.0.cmp(&b.0));
        // The built-in theme's words underlie any theme's, so that a theme of its own need
        // translate only the words it changes; the site's own files come last.
        let mut layers = vec![words::Layer::built_in(
            PathBuf::from("(built-in theme)/i18n"),
            builtin_words(),
        )];
        if theme_dir.is_dir() {
            layers.push(words::Layer::disk(theme_dir.join("i18n"), false));
        }
        layers.push(words::Layer::disk(root.join("i18n"), true));
        let words = words::load(&layers, languages.0, &root.join("site.yaml"), languages.1)?;

        let template_files: BTreeMap<String, PathBuf> = sources
            .iter()
            .map(|(k, (p, _))| (k.clone(), p.clone()))
            .collect();
        let mut raw: BTreeMap<String, String> = sources
            .into_iter()
            .filter(|(k, _)| k.ends_with(".html") || k.ends_with(".xml") || k.ends_with(".txt"))
            .map(|(k, (_, t))| (k, t))
            .collect();
        // The `{{ chart(id="...") }}` shortcode places a chart with the theme's own `chart`
        // macro, so a theme changes a chart's figure in one place for pages and templates alike.
        if raw.contains_key("macros.html") {
            raw.insert(
                CHART_SHORTCODE.to_string(),
                CHART_SHORTCODE_SOURCE.to_string(),
            );
        }
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            for (name, text) in &raw {
                (name, text).hash(&mut h);
            }
            h.finish()
        };
        let mut theme = SiteTheme {
            tera: Tera::default(),
            assets,
            template_files,
            fingerprint,
            sources: Arc::new(raw),
            pending: parse == Parse::Used,
            words: Arc::new(words),
        };
        if parse == Parse::All {
            theme.tera = theme.compile(theme.sources.keys().map(String::as_str), None)?;
        }
        Ok(theme)
    }

    /// With a theme loaded with [`Parse::Used`], the theme with the templates parsed that
    /// `page_templates` (the planned pages' templates), the files mps makes from templates and
    /// the chart shortcode use, with every template those extend, include or import. Parsing a
    /// template costs far more than rendering it once, and a theme has templates for pages a
    /// site may not have. `None` when every template is parsed already.
    pub fn parse_used<'t>(
        &self,
        page_templates: impl IntoIterator<Item = &'t str>,
        words: &Words,
    ) -> Result<Option<SiteTheme>> {
        if !self.pending {
            return Ok(None);
        }
        let mut used: BTreeSet<&str> = BTreeSet::new();
        let mut todo: Vec<&str> = page_templates
            .into_iter()
            .chain(FILE_TEMPLATES.iter().copied())
            .chain([CHART_SHORTCODE])
            .collect();
        while let Some(name) = todo.pop() {
            let Some((name, text)) = self.sources.get_key_value(name) else {
                continue;
            };
            if used.insert(name) {
                todo.extend(named_in(text, &self.sources));
            }
        }
        Ok(Some(SiteTheme {
            tera: self.compile(used.into_iter(), Some(words))?,
            assets: self.assets.clone(),
            template_files: self.template_files.clone(),
            fingerprint: self.fingerprint,
            sources: self.sources.clone(),
            pending: false,
            words: self.words.clone(),
        }))
    }

    /// A `Tera` with mps's filters and functions and the templates `names`, parsed side by side;
    /// with `words`, for pages in their language only, with those words written into the
    /// templates (see [`words::bake`]).
    fn compile<'t>(
        &self,
        names: impl Iterator<Item = &'t str>,
        words: Option<&Words>,
    ) -> Result<Tera> {
        use rayon::prelude::*;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(crate::markdown::html_escape);
        format::register_filters(&mut tera);
        tera.register_function("url", url_function);
        tera.register_filter("url", UrlFilter);
        tera.register_filter("emphasis", Emphasis);
        let raw: Vec<(&str, &str)> = names
            .filter_map(|n| self.sources.get_key_value(n))
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        // A word a template uses that a language lacks stops the build before any page renders.
        let unknown = words::check_templates(
            &self.words,
            raw.iter()
                .filter_map(|(n, t)| self.template_files.get(*n).map(|f| (f.as_path(), *t))),
        );
        if !unknown.is_empty() {
            return Err(unknown.into());
        }
        // Tera escapes what a template writes when the template it renders (not the one
        // included, imported or extended) ends in .html or .xml, so words are written out
        // escaped only when every template is one of those.
        let escaped = |n: &str| n.ends_with(".html") || n.ends_with(".xml");
        let words = words.filter(|_| raw.iter().all(|(n, _)| escaped(n)));
        let html_escape = crate::markdown::html_escape;
        let parsed: Vec<tera::Result<tera::Template>> = raw
            .par_iter()
            .map(|(name, text)| match words {
                Some(w) => tera::Template::new(name, None, &words::bake(text, w, html_escape)),
                None => tera::Template::new(name, None, text),
            })
            .collect();
        // What `Tera::add_raw_templates` does, with the parsing spread over the threads: the
        // first template in name order that fails is the one reported.
        let added = parsed
            .into_iter()
            .zip(&raw)
            .try_for_each(|(tpl, (name, text))| {
                // A parse error is reported from the template as written: words written out
                // before it on its line would move its column.
                let tpl = tpl
                    .or_else(|_| tera::Template::new(name, None, text))
                    .map_err(|e| tera::Error::chain(format!("Failed to parse '{name}'"), e))?;
                tera.templates.insert(name.to_string(), tpl);
                Ok(())
            })
            .and_then(|()| tera.build_inheritance_chains())
            .and_then(|()| tera.check_macro_files());
        match added {
            Ok(()) => Ok(tera),
            Err(e) => Err(template_error(&e, &self.template_files, &self.sources, None).into()),
        }
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Template names, sorted, for "use one of" hints.
    pub fn template_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .sources
            .keys()
            .map(String::as_str)
            .filter(|n| {
                !n.starts_with("partials/")
                    && !n.starts_with("macros")
                    && !n.starts_with("__mps/")
                    && !FILE_TEMPLATES.contains(n)
                    // Pieces other templates build on, never a page's layout on their own.
                    && !matches!(*n, "base.html" | "icons.html")
            })
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }

    /// A chart's figure as the theme's `chart` macro draws it, for a page whose links start with
    /// `root`, in the language of `words`. Errors are (what is wrong, how to fix it).
    pub fn chart_figure<T: serde::Serialize>(
        &self,
        chart: &T,
        root: &str,
        words: &Words,
    ) -> Result<String, crate::markdown::ChartProblem> {
        let missing = || {
            (
                "the theme's macros.html has no `chart` macro, which places charts".to_string(),
                "copy the `chart` macro from the default theme's templates/macros.html into yours"
                    .to_string(),
            )
        };
        if !self.has_template(CHART_SHORTCODE) {
            return Err(missing());
        }
        let mut ctx = tera::Context::new();
        ctx.insert("chart", chart);
        ctx.insert("root", root);
        ctx.insert("words", words);
        let _root = PageRoot::set(root);
        self.tera.render(CHART_SHORTCODE, &ctx).map_err(|e| {
            let text = format!("{e:?}");
            if text.contains("m::chart") && text.contains("not found") {
                missing()
            } else {
                let shown = template_error(&e, &self.template_files, &self.sources, None);
                (
                    format!("the `chart` macro failed: {}", shown.message),
                    shown
                        .help
                        .unwrap_or_else(|| "check the `chart` macro in macros.html".into()),
                )
            }
        })
    }

    /// Renders `name`; errors name the template file and the page being built.
    pub fn render(
        &self,
        name: &str,
        ctx: &tera::Context,
        page_file: &Path,
    ) -> Result<String, Diagnostic> {
        let root = ctx.get("root").and_then(|v| v.as_str()).unwrap_or("");
        let _root = PageRoot::set(root);
        self.tera.render(name, ctx).map_err(|e| {
            template_error(
                &e,
                &self.template_files,
                &self.sources,
                Some((name, page_file)),
            )
        })
    }
}

thread_local! {
    /// The `root` of the page this thread is rendering, for `url()`. Tera functions see only
    /// their arguments, never the page's context, and one `Tera` serves every page (pages render
    /// on several threads at once), so the page's root travels beside the render call.
    static PAGE_ROOT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Sets the page root for `url()` while a render runs, and puts the previous one back after.
struct PageRoot(String);

impl PageRoot {
    fn set(root: &str) -> PageRoot {
        PageRoot(PAGE_ROOT.with(|r| std::mem::replace(&mut *r.borrow_mut(), root.to_string())))
    }
}

impl Drop for PageRoot {
    fn drop(&mut self) {
        let previous = std::mem::take(&mut self.0);
        PAGE_ROOT.with(|r| *r.borrow_mut() = previous);
    }
}

/// `url(path="plan/index.html")`: an internal link made relative to the page being rendered,
/// so a template never joins `root` and an address by hand. `root=` overrides the page's root.
fn url_function(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    // Called for most links of every page, so the arguments are found by walking the one or
    // two of them rather than by hashing their names.
    let (mut path, mut root) = (None, None);
    for (name, value) in args {
        match name.as_str() {
            "path" => path = Some(value),
            "root" => root = Some(value),
            _ => {}
        }
    }
    let path = match path {
        Some(tera::Value::String(s)) => s.as_str(),
        Some(tera::Value::Null) | None => {
            return Err(tera::Error::msg(
                "url() needs `path`, the address of a page or file from the site root, as in \
                 url(path=\"plan/index.html\"); wrap it in `{% if x.href %}` where it may be missing",
            ))
        }
        Some(other) => {
            return Err(tera::Error::msg(format!(
                "url(path=...) needs text, not {other}"
            )))
        }
    };
    Ok(tera::Value::String(link(path, root)))
}

/// `path` from the site root made relative to the page: `root` if it is text, else the
/// page's own root. Put together without `format!`, which cost a third of a `url()` call.
fn link(path: &str, root: Option<&tera::Value>) -> String {
    // Non-ASCII addresses are percent-encoded in links (plain ASCII ones come back as they are).
    let path = crate::urls::encode(path);
    let join = |root: &str| {
        let mut url = String::with_capacity(root.len() + path.len());
        url.push_str(root);
        url.push_str(&path);
        url
    };
    match root {
        Some(tera::Value::String(r)) => join(r),
        _ => PAGE_ROOT.with(|r| join(&r.borrow())),
    }
}

/// `{{ x.href | url }}`: the same link as `url(path=x.href)`. Tera calls a filter with the
/// value it already has, without building an argument map for it, so in a loop over many links
/// the filter costs about a third less than the function.
struct UrlFilter;

impl tera::Filter for UrlFilter {
    fn filter(
        &self,
        value: &tera::Value,
        args: &crate::format::FilterArgs,
    ) -> tera::Result<tera::Value> {
        let path =
            match value {
                tera::Value::String(s) => s.as_str(),
                tera::Value::Null => return Err(tera::Error::msg(
                    "the `url` filter was given nothing: the address of a page or file from the \
                     site root, as in {{ x.href | url }}; wrap it in `{% if x.href %}` where it \
                     may be missing",
                )),
                other => {
                    return Err(tera::Error::msg(format!(
                        "the `url` filter needs text, not {other}"
                    )))
                }
            };
        if let Some(name) = args.keys().find(|k| k.as_str() != "root") {
            return Err(tera::Error::msg(format!(
                "the `url` filter takes only `root`, not `{name}`"
            )));
        }
        Ok(tera::Value::String(link(path, args.get("root"))))
    }
}

/// `{{ text | emphasis }}`: the text escaped, with `*words*` in italics (`<em>`), so data such
/// as a quoted definition keeps its source's emphasis without allowing any other markup.
struct Emphasis;

impl tera::Filter for Emphasis {
    fn filter(
        &self,
        value: &tera::Value,
        _: &crate::format::FilterArgs,
    ) -> tera::Result<tera::Value> {
        let text = value
            .as_str()
            .ok_or_else(|| tera::Error::msg("the `emphasis` filter needs text"))?;
        Ok(tera::Value::String(emphasis(text)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn emphasis(text: &str) -> String {
    let parts: Vec<&str> = text.split('*').collect();
    // An odd number of stars leaves the last one as it is.
    let pairs = (parts.len() - 1) / 2;
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            if i > pairs * 2 {
                out.push('*');
            } else {
                out.push_str(if i % 2 == 1 { "<em>" } else { "</em>" });
            }
        }
        out.push_str(&crate::markdown::html_escape(part));
    }
    out
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| crate::error::Error::io("could not read", path, e))
}

/// Calls `f(relative path, path)` for each file under `dir`, sorted; nothing if `dir` is absent.
fn read_dir_files(dir: &Path, f: &mut dyn FnMut(String, &Path) -> Result<()>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let p = e.path().map(Path::to_path_buf).unwrap_or_default();
            crate::error::Error::io(
                "could not read",
                p,
                e.into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("filesystem loop")),
            )
        })?;
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || crate::content::is_editor_temp(&name) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        f(rel, entry.path())?;
    }
    Ok(())
}

/// The built-in theme's words files: (file name, text).
fn builtin_words() -> BTreeMap<String, &'static str> {
    DEFAULT_THEME
        .get_dir("i18n")
        .map(|d| {
            d.files()
                .filter_map(|f| {
                    let name = f.path().file_name()?.to_string_lossy().into_owned();
                    Some((name, f.contents_utf8()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn builtin(
    dir: &'static Dir<'static>,
    sources: &mut BTreeMap<String, (PathBuf, String)>,
    assets: &mut Vec<(String, ThemeFile)>,
) {
    for entry in dir.entries() {
        if let Some(sub) = entry.as_dir() {
            builtin(sub, sources, assets);
        } else if let Some(file) = entry.as_file() {
            let path = file.path().to_string_lossy().replace('\\', "/");
            if let Some(rel) = path.strip_prefix("templates/") {
                let shown = PathBuf::from(format!("(built-in theme)/templates/{rel}"));
                let text = String::from_utf8_lossy(file.contents()).into_owned();
                sources.insert(rel.to_string(), (shown, text));
            } else if let Some(rel) = path.strip_prefix("static/") {
                assets.push((rel.to_string(), ThemeFile::BuiltIn(file.contents())));
            }
        }
    }
}

/// How a template error names the page it broke: `... (while building the page from FILE)`.
pub const WHILE_BUILDING: &str = " (while building the page from ";

/// One mistake in a template breaks every page built with it: `problems` with one such error
/// for each page become one error that names the first page and counts the others.
pub fn collapse_page_repeats(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(problems.len());
    // The error as it would read without its page: file, line, column and message.
    type Unpaged = (PathBuf, Option<usize>, Option<usize>, String);
    // -> where it is in `out`, and how many more pages it broke.
    let mut seen: HashMap<Unpaged, (usize, usize)> = HashMap::new();
    for d in problems {
        let Some(at) = d.message.find(WHILE_BUILDING) else {
            out.push(d);
            continue;
        };
        // A mistake at a known place is one mistake, whichever page's template (extending the
        // one it is in) Tera names in the message.
        let message = if d.line.is_some() {
            ""
        } else {
            &d.message[..at]
        };
        let key = (d.file.clone(), d.line, d.column, message.to_string());
        match seen.get_mut(&key) {
            Some((_, more)) => *more += 1,
            None => {
                seen.insert(key, (out.len(), 0));
                out.push(d);
            }
        }
    }
    for (i, more) in seen.into_values() {
        if more > 0 {
            if let Some(m) = out[i].message.strip_suffix(')').map(str::to_string) {
                let s = if more == 1 { "" } else { "s" };
                out[i].message = format!("{m}, and {more} other page{s})");
            }
        }
    }
    out
}

/// The templates of `sources` whose names `text` quotes, in the order it quotes them: every
/// template it may extend, include or import (Tera takes only quoted names there), and perhaps
/// a few more.
fn named_in<'s>(
    text: &'s str,
    sources: &'s BTreeMap<String, String>,
) -> impl Iterator<Item = &'s str> + 's {
    let bytes = text.as_bytes();
    memchr::memchr3_iter(b'"', b'\'', b'`', bytes).filter_map(move |start| {
        let rest = &bytes[start + 1..];
        let len = memchr::memchr(bytes[start], rest)?;
        let name = std::str::from_utf8(&rest[..len]).ok()?;
        sources.get_key_value(name).map(|(k, _)| k.as_str())
    })
}

/// Turns a Tera error into a diagnostic that names the template file and, when Tera gives one,
/// the line and column.
fn template_error(
    e: &tera::Error,
    files: &BTreeMap<String, PathBuf>,
    sources: &BTreeMap<String, String>,
    page: Option<(&str, &Path)>,
) -> Diagnostic {
    let mut chain = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let text = chain.join(": ");
    // Tera names the template in quotes: "Failed to parse 'page.html'".
    let template = chain
        .iter()
        .find_map(|s| {
            let start = s.find('\'')? + 1;
            let end = start + s[start..].find('\'')?;
            let name = &s[start..end];
            files.contains_key(name).then(|| name.to_string())
        })
        .or_else(|| page.map(|(n, _)| n.to_string()));
    let (mut line, mut column) = parse_position(&text);
    // Tera gives no position for a problem found while rendering: the name it quotes is found
    // in the template, or in one it extends or includes, where it is used in a tag.
    let mut template = template;
    if line.is_none() {
        if let (Some(t), Some(used)) = (&template, quoted_name(&text)) {
            if let Some((found, l, c)) = find_in_templates(t, used, sources) {
                template = Some(found);
                (line, column) = (Some(l), Some(c));
            }
        }
    }
    let file = template
        .as_ref()
        .and_then(|t| files.get(t).cloned())
        .or_else(|| page.map(|(_, f)| f.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("templates"));
    let mut message = format!(
        "template error: {}",
        text.replace('\n', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
    if let Some((_, page_file)) = page {
        message.push_str(&format!("{WHILE_BUILDING}{})", page_file.display()));
    }
    Diagnostic::error(file, message)
        .at(line, column)
        .help("check the template's tags and variable names; Tera's syntax is described at keats.github.io/tera")
}

/// The name a render error quotes in backticks (``Variable `page.title` not found``).
fn quoted_name(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let len = text[start..].find('`')?;
    Some(&text[start..start + len]).filter(|n| !n.is_empty())
}

/// Where `name` is first used in a tag of template `start`, else of a template it extends,
/// includes or imports (and so on): the template, line and column (1-based, in characters).
fn find_in_templates(
    start: &str,
    name: &str,
    sources: &BTreeMap<String, String>,
) -> Option<(String, usize, usize)> {
    let mut todo = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    while let Some(t) = todo.pop() {
        let Some(text) = sources.get(&t) else {
            continue;
        };
        if !seen.insert(t.clone()) {
            continue;
        }
        if let Some((line, column)) = find_in_tags(text, name) {
            return Some((t, line, column));
        }
        // The templates this one names, in reverse so the first named is searched first.
        let named: Vec<&str> = named_in(text, sources).collect();
        todo.extend(named.into_iter().rev().map(str::to_string));
    }
    None
}

/// Line and column of the first use of `name` as a whole name inside a `{{ }}` or `{% %}` tag.
fn find_in_tags(text: &str, name: &str) -> Option<(usize, usize)> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    text.match_indices(name).find_map(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        if before.is_some_and(is_name) || after.is_some_and(is_name) {
            return None;
        }
        let head = &text[..at];
        let opened = head.rfind("{{").max(head.rfind("{%"));
        let closed = head.rfind("}}").max(head.rfind("%}"));
        if opened.is_none() || closed > opened {
            return None;
        }
        let line = head.matches('\n').count() + 1;
        let column = head[head.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        Some((line, column))
    })
}

/// Finds Tera's `--> line:column` marker.
fn parse_position(text: &str) -> (Option<usize>, Option<usize>) {
    let Some(i) = text.find("--> ") else {
        return (None, None);
    };
    let rest = &text[i + 4..];
    let mut parts = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let line = parts.next().and_then(|s| s.parse().ok());
    let col = parts.next().and_then(|s| s.parse().ok());
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_only_whole_and_inside_a_tag() {
        let text = "page.title outside\n{{ page.titles }} {{ my_page.title }}\n<b>{{ x }}</b> {% if page.title %}";
        assert_eq!(find_in_tags(text, "page.title"), Some((3, 22)));
        assert_eq!(find_in_tags("{{ a }} a {{ b }}", "a"), Some((1, 4)));
        assert_eq!(find_in_tags("{{ b }} a", "a"), None);
        assert_eq!(find_in_tags("", "a"), None);
        // Columns count characters, not bytes.
        assert_eq!(find_in_tags("é {{ a }}", "a"), Some((1, 6)));
    }

    #[test]
    fn a_name_is_looked_for_in_the_templates_a_template_names() {
        let sources: BTreeMap<String, String> = [
            (
                "page.html",
                "{% extends \"base.html\" %}{% block c %}{{ b }}{% endblock c %}",
            ),
            ("base.html", "{% include 'head.html' %}\n{{ a }}"),
            ("head.html", "\n\n  {{ h }}"),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        assert_eq!(
            find_in_templates("page.html", "b", &sources),
            Some(("page.html".into(), 1, 42))
        );
        assert_eq!(
            find_in_templates("page.html", "a", &sources),
            Some(("base.html".into(), 2, 4))
        );
        assert_eq!(
            find_in_templates("page.html", "h", &sources),
            Some(("head.html".into(), 3, 6))
        );
        assert_eq!(find_in_templates("page.html", "z", &sources), None);
        assert_eq!(quoted_name("Variable `page.x` not found"), Some("page.x"));
        assert_eq!(quoted_name("no name"), None);
    }

    #[test]
    fn builtin_default_theme_has_the_core_templates() {
        let dir = tempfile::tempdir().unwrap();
        let theme = SiteTheme::load(dir.path(), "default").unwrap();
        for t in [
            "base.html",
            "page.html",
            "section.html",
            "index.html",
            "404.html",
        ] {
            assert!(theme.has_template(t), "{t} missing");
        }
        assert!(theme.assets.iter().any(|(p, _)| p.ends_with(".css")));
    }

    #[test]
    fn site_templates_override_the_theme_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "{% if %}").unwrap();
        let err = SiteTheme::load(dir.path(), "default").err().unwrap();
        let d = &err.diagnostics()[0];
        assert!(d.file.ends_with("templates/page.html"), "{d}");
        assert_eq!(d.line, Some(1), "{d}");
    }

    #[test]
    fn a_build_parses_only_the_templates_its_pages_use() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/unused.html"), "{% if %}").unwrap();
        std::fs::write(
            dir.path().join("templates/own.html"),
            "{% extends 'base.html' %}{% block main %}{% include `part.html` %}{% endblock main %}",
        )
        .unwrap();
        std::fs::write(dir.path().join("templates/part.html"), "it's here").unwrap();
        let theme =
            SiteTheme::load_at(dir.path(), "default", None, Parse::Used, (&["en-GB"], None))
                .unwrap();
        assert!(theme.has_template("unused.html") && theme.has_template("market.html"));
        let parsed = theme
            .parse_used(["own.html"], Words::english())
            .unwrap()
            .unwrap();
        let mut names: Vec<&str> = parsed.tera.get_template_names().collect();
        names.sort();
        assert_eq!(
            names,
            [
                CHART_SHORTCODE,
                "atom.xml",
                "base.html",
                "chart_table.html",
                "icons.html",
                "macros.html",
                "own.html",
                "part.html",
                "partials/alternates.html",
                "partials/language_switcher.html",
                "partials/site_nav.html",
                "partials/untranslated.html",
                "sitemap.xml"
            ]
        );
        assert!(parsed
            .parse_used(["unused.html"], Words::english())
            .unwrap()
            .is_none());
        // A mistake in a template a page uses still stops the build, and `mps check`, which
        // parses every template, finds it in one no page uses.
        let err = theme
            .parse_used(["unused.html"], Words::english())
            .err()
            .unwrap();
        assert!(err.diagnostics()[0].file.ends_with("templates/unused.html"));
        let err = SiteTheme::load(dir.path(), "default").err().unwrap();
        assert!(err.diagnostics()[0].file.ends_with("templates/unused.html"));
    }

    #[test]
    fn a_template_error_after_a_written_out_word_keeps_its_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/own.html"),
            "<p>{{ words.home }} {{ words.skip_link }} {{ 1 + }}</p>",
        )
        .unwrap();
        let used = SiteTheme::load_at(dir.path(), "default", None, Parse::Used, (&["en-GB"], None))
            .unwrap();
        let baked = used
            .parse_used(["own.html"], Words::english())
            .err()
            .unwrap();
        let all = SiteTheme::load(dir.path(), "default").err().unwrap();
        let (baked, all) = (&baked.diagnostics()[0], &all.diagnostics()[0]);
        assert!(baked.file.ends_with("templates/own.html"), "{baked}");
        assert_eq!(
            (baked.line, baked.column),
            (all.line, all.column),
            "{baked}"
        );
        assert_eq!(baked.to_string(), all.to_string());
    }

    #[test]
    fn url_is_relative_to_the_page_being_rendered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/t.html"),
            "{{ url(path=\"plan/index.html\") }}|{{ url(path=\"a.css\", root=\"x/\") }}|{{ url(path=\"tŷ-gwyn/\") }}",
        )
        .unwrap();
        let theme = SiteTheme::load(dir.path(), "default").unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("root", "../../");
        let page = Path::new("content/p.md");
        assert_eq!(
            theme.render("t.html", &ctx, page).unwrap(),
            "../../plan/index.html|x/a.css|../../t%C5%B7-gwyn/"
        );
        ctx.insert("root", "");
        assert_eq!(
            theme.render("t.html", &ctx, page).unwrap(),
            "plan/index.html|x/a.css|t%C5%B7-gwyn/"
        );
        std::fs::write(
            dir.path().join("templates/t.html"),
            "{{ url(path=nothing) }}",
        )
        .unwrap();
        let theme = SiteTheme::load(dir.path(), "default").unwrap();
        ctx.insert("nothing", &Option::<String>::None);
        let err = theme.render("t.html", &ctx, page).unwrap_err();
        assert!(err.message.contains("url() needs `path`"), "{err}");
    }

    #[test]
    fn url_filter_gives_the_links_url_gives() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        let t = dir.path().join("templates/t.html");
        std::fs::write(
            &t,
            "{{ a | url }}|{{ url(path=a) }}|{{ b | url(root=\"x/\") }}|{{ c | url }}|{{ amp | url }}|{{ url(path=amp) }}",
        )
        .unwrap();
        let theme = SiteTheme::load(dir.path(), "default").unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("root", "../");
        ctx.insert("a", "plan/index.html");
        ctx.insert("b", "a.css");
        ctx.insert("c", "tŷ-gwyn/");
        ctx.insert("amp", "a&b/");
        let page = Path::new("content/p.md");
        assert_eq!(
            theme.render("t.html", &ctx, page).unwrap(),
            "../plan/index.html|../plan/index.html|x/a.css|../t%C5%B7-gwyn/|../a&amp;b/|../a&amp;b/"
        );
        for (text, wanted) in [
            ("{{ nothing | url }}", "the `url` filter was given nothing"),
            ("{{ 3 | url }}", "needs text, not 3"),
            ("{{ a | url(path=\"x\") }}", "takes only `root`, not `path`"),
        ] {
            std::fs::write(&t, text).unwrap();
            let theme = SiteTheme::load(dir.path(), "default").unwrap();
            ctx.insert("nothing", &Option::<String>::None);
            let err = theme.render("t.html", &ctx, page).unwrap_err();
            assert!(err.message.contains(wanted), "{text}: {err}");
        }
    }

    #[test]
    fn emphasis_escapes_and_marks_starred_words() {
        assert_eq!(
            emphasis("this is *not* <b> & 'x'"),
            format!(
                "this is <em>not</em> {}",
                crate::markdown::html_escape("<b> & 'x'")
            )
        );
        assert_eq!(emphasis("a * b"), "a * b");
        assert_eq!(emphasis("*a* *b"), "<em>a</em> *b");
    }

    #[test]
    fn the_default_theme_draws_every_icon_content_may_name() {
        let icons = DEFAULT_THEME
            .get_file("templates/icons.html")
            .and_then(|f| f.contents_utf8())
            .unwrap();
        for name in crate::model::ICONS {
            assert!(icons.contains(&format!("name == \"{name}\"")), "{name}");
        }
    }

    #[test]
    fn a_site_in_welsh_gets_the_welsh_words_and_its_own() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.yaml"),
            "title: T\norganisation: O\nbase_url: https://x.gov.uk/\nfeedback: a@x.gov.uk\nlanguage: cy\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("i18n")).unwrap();
        std::fs::write(dir.path().join("i18n/cy.yaml"), "menu: Y ddewislen\n").unwrap();
        let config = crate::config::SiteConfig::load(dir.path()).unwrap();
        let theme = SiteTheme::for_site(dir.path(), &config).unwrap();
        let w = theme.words_for("cy").unwrap();
        assert_eq!(w.get("last_updated"), "Diweddarwyd ddiwethaf");
        assert_eq!(w.get("menu"), "Y ddewislen");
        assert!(theme.words_for("en-GB").is_err());
        // A template of the site's that uses a word Welsh lacks stops the load, at its line.
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/page.html"),
            "{% extends \"base.html\" %}\n{% block main %}{{ words.my_word }}{% endblock main %}",
        )
        .unwrap();
        let err = SiteTheme::for_site(dir.path(), &config).err().unwrap();
        let d = &err.diagnostics()[0];
        assert!(d.file.ends_with("templates/page.html"), "{d}");
        assert_eq!((d.line, d.column), (Some(2), Some(20)), "{d}");
        assert!(d.message.contains("i18n/cy.yaml"), "{d}");
    }

    #[test]
    fn unknown_theme_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.yaml"),
            "title: T\norganisation: O\nbase_url: https://x.gov.uk/\nfeedback: a@x.gov.uk\ntheme: fancy\n",
        )
        .unwrap();
        let config = crate::config::SiteConfig::load(dir.path()).unwrap();
        let err = SiteTheme::for_site(dir.path(), &config).err().unwrap();
        let d = &err.diagnostics()[0];
        assert!(d.message.contains("fancy"));
        assert_eq!((d.line, d.column), (Some(5), Some(8)));
    }
}
