//! Rendering: each planned page through Markdown and its template to HTML. Pure: nothing here
//! touches the disk except reading templates' errors' source files for line numbers.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::charts::RenderedChart;
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::links::PageLinks;
use crate::markdown::{self, Heading, LinkContext, Rendered};
use crate::memo::{Fingerprint, RenderMemo};
use crate::model::Site;
use crate::pages::{Kind, NavLink, PageTree};
use crate::templates::SiteTheme;
use crate::urls;
use crate::views;

/// One finished output page.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// Output file relative to the output folder (`plan/index.html`).
    pub output: String,
    pub html: Arc<str>,
    /// The file to blame for problems in this page.
    pub source: PathBuf,
    pub template: String,
    /// Hash of everything the page was rendered from; `None` without a memo.
    pub fingerprint: Option<u64>,
    /// The page's source (relative to `content/`), the hash of its Markdown's inputs and its
    /// output, for the next memo.
    pub markdown: Option<(String, Option<u64>, Arc<Rendered>)>,
    /// The page's links, when it was reused from the memo (and so needs no scanning): `Some`
    /// exactly when the page came from the memo rather than its template.
    pub links: Option<Arc<PageLinks>>,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    organisation: &'a str,
    base_url: &'a str,
    base_path: String,
    language: &'a str,
    /// The site's default language: what an untranslated page's words are in.
    default_language: &'a str,
    phase: &'a str,
    feedback: &'a str,
    feedback_href: String,
    accessibility: &'a crate::config::AccessibilitySettings,
    accessibility_contact: String,
    accessibility_contact_href: String,
    procurement: &'a crate::config::ProcurementSettings,
}

#[derive(Serialize)]
struct PageView<'a> {
    /// In a language other than the default: a Markdown page shown in the default language's
    /// words, which has no translation yet.
    untranslated: bool,
    title: &'a str,
    description: Option<&'a str>,
    content: String,
    path: &'a str,
    permalink: String,
    kind: Kind,
    template: &'a str,
    is_section: bool,
    date: Option<NaiveDate>,
    date_display: Option<String>,
    updated: Option<NaiveDate>,
    updated_display: Option<String>,
    /// `updated`, else `date`: what "Last updated" shows.
    last_updated_display: Option<String>,
    review_by: Option<NaiveDate>,
    review_by_display: Option<String>,
    headings: Vec<Heading>,
    /// The feedback link, carrying this page's address.
    feedback_href: String,
}

/// What one page adds to the context its template sees.
#[derive(Serialize)]
struct PageVars<'a> {
    page: PageView<'a>,
    root: String,
    /// Which entry of `nav` to mark as current (see [`crate::pages::PageTree::nav_current`]).
    /// Worked out here rather than by comparing paths in the template for every entry: that
    /// was about 4% of a build's CPU.
    nav_current: Option<usize>,
    breadcrumbs: Vec<NavLink>,
    children: Vec<NavLink>,
    /// The principle, theme or procurement a generated page shows.
    item: Option<Item<'a>>,
    site_map: Option<Vec<crate::search::MapNode>>,
    /// On an earlier edition's pages, the edition (on its entries' pages, without its lists
    /// of entries); null elsewhere.
    edition: Option<&'a views::EditionView>,
    /// For a site in several languages, this page in each (see `translations::Alternate`);
    /// empty otherwise.
    translations: Vec<crate::translations::Alternate>,
    /// `page.untranslated`, as a plain name: Tera looks a dotted name up at about ten times
    /// the cost, and base.html asks on every page.
    untranslated: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Item<'a> {
    Principle(&'a views::PrincipleView),
    Theme(&'a views::ThemeView),
    Entry(&'a views::EntryView),
    Market(&'a crate::market_views::MarketView),
}

/// Renders pages of one site. Built once per build; `render` may be called from many threads.
pub struct Renderer<'a> {
    site: &'a Site,
    tree: &'a PageTree,
    theme: &'a SiteTheme,
    derived: &'a Derived,
    /// Every chart with its data table written by the theme, by id.
    charts: BTreeMap<String, Result<PlacedChart<'a>, Diagnostic>>,
    base: tera::Context,
    /// The accessibility statement's output file, from the site root.
    accessibility: String,
    /// The tree's `by_source`, hashed for looking up links.
    sources: HashMap<&'a str, &'a str>,
    /// Hash of `base` and the templates: part of every page's fingerprint (`None`, and so no
    /// reuse, if something in it could not be hashed).
    base_fingerprint: Option<u64>,
    /// Hash of what every page's Markdown may use besides its own text (other pages' addresses,
    /// the charts): part of every Markdown fingerprint.
    markdown_fingerprint: Option<u64>,
    /// The site's menu as `partials/site_nav.html` wrote it, for each place it can differ.
    menus: Mutex<Menus>,
}

/// The menus written so far, and the context they are written in: the site-wide part of it
/// (`site`, `words`, `nav`) is copied from `base` once, not for every menu.
#[derive(Default)]
struct Menus {
    written: BTreeMap<MenuKey, Arc<str>>,
    ctx: Option<tera::Context>,
}

/// Everything the site's menu depends on besides the site-wide variables: where the page is
/// (its links start with `root`), which entry it is in, and whether it is that entry itself
/// or the home page. Pages alike in these get the same menu.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct MenuKey {
    root: String,
    nav_current: Option<usize>,
    nav_is_page: bool,
    is_home: bool,
}

/// A chart as templates place it: the derived chart, with its data table as HTML.
#[derive(Serialize)]
struct PlacedChart<'a> {
    #[serde(flatten)]
    chart: &'a RenderedChart,
    /// The data table, written by the theme's `chart_table.html`.
    table: String,
}

/// Writes each chart's data table with the theme's template, once per build.
fn place_charts<'a>(
    site: &Site,
    theme: &SiteTheme,
    derived: &'a Derived,
) -> BTreeMap<String, Result<PlacedChart<'a>, Diagnostic>> {
    let file = site.data_sources.files.get("charts.yaml").map_or_else(
        || site.root.join("content/data/charts.yaml"),
        |(p, _)| p.clone(),
    );
    derived
        .charts
        .iter()
        .map(|(id, chart)| {
            let placed = chart.as_ref().map_err(Clone::clone).and_then(|chart| {
                let mut ctx = tera::Context::new();
                ctx.insert("table", &chart.data);
                ctx.insert("words", &*derived.words);
                let table = theme.render(crate::templates::CHART_TABLE, &ctx, &file)?;
                Ok(PlacedChart { chart, table })
            });
            (id.clone(), placed)
        })
        .collect()
}

/// The links every page of the default theme writes, each as a plain name (`style_href`) that
/// is `root` and the file's address from the site root, as `url()` gives it. `base.html` wrote
/// them with `url()` at about 1,500 instructions a call, 10 calls a page; now they are made
/// when a thread's page is at another depth than its last one, and looked up by plain name.
pub const LINKS: [(&str, &str); 8] = [
    ("home_href", "index.html"),
    ("style_href", "style.css"),
    ("favicon_href", "favicon.svg"),
    ("feed_href", crate::feeds::ATOM_FILE),
    ("search_js_href", "search.js"),
    ("menu_js_href", "menu.js"),
    ("search_href", "search/index.html"),
    ("site_map_href", "sitemap/index.html"),
];

/// Puts [`LINKS`] and `accessibility_href` (to `accessibility`, from the site root) for a page
/// whose links start with `root` into `ctx`.
fn put_links(ctx: &mut tera::Context, root: &str, accessibility: &str) {
    let join = |path: &str| {
        let path = urls::encode(path);
        let mut url = String::with_capacity(root.len() + path.len());
        url.push_str(root);
        url.push_str(&path);
        url
    };
    for (name, path) in LINKS {
        ctx.insert(name, &join(path));
    }
    ctx.insert("accessibility_href", &join(accessibility));
}

/// Inserts `value` into `ctx` and adds it to `fp`.
fn put<T: Serialize + ?Sized>(ctx: &mut tera::Context, fp: &mut Fingerprint, key: &str, value: &T) {
    fp.add(key, value);
    ctx.insert(key, value);
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        tree: &'a PageTree,
        theme: &'a SiteTheme,
        derived: &'a Derived,
    ) -> Self {
        let data = &derived.view;
        let c = &site.config;
        let (contact, contact_href) = c.accessibility_contact();
        let site_view = SiteView {
            title: &c.title,
            organisation: &c.organisation,
            base_url: &c.base_url,
            base_path: c.base_path(),
            language: &c.language,
            default_language: c.default_language(),
            phase: &c.phase,
            feedback: &c.feedback,
            feedback_href: c.feedback_href().unwrap_or_default(),
            accessibility: &c.accessibility,
            accessibility_contact: contact,
            accessibility_contact_href: contact_href,
            procurement: &c.procurement,
        };
        let mut base = tera::Context::new();
        let mut fp = Fingerprint::new(theme.fingerprint);
        put(&mut base, &mut fp, "site", &site_view);
        put(&mut base, &mut fp, "data", data);
        put(&mut base, &mut fp, "nav", &tree.nav);
        // The theme's words in this pass's language, once for every page.
        put(&mut base, &mut fp, "words", &*derived.words);
        let charts = place_charts(site, theme, derived);
        // Templates place charts with the `chart` macro of the default theme's macros.html.
        let drawn: BTreeMap<&String, &PlacedChart> = charts
            .iter()
            .filter_map(|(id, c)| c.as_ref().ok().map(|c| (id, c)))
            .collect();
        put(&mut base, &mut fp, "charts", &drawn);
        put(&mut base, &mut fp, "downloads", &derived.downloads);
        put(&mut base, &mut fp, "markets", &derived.markets);
        put(
            &mut base,
            &mut fp,
            "generated",
            &serde_json::json!({
                "principles": derived.paths.principles.as_deref().map(urls::output_file),
                "themes": derived.paths.themes.as_deref().map(urls::output_file),
                "plan": derived.paths.plan.as_deref().map(urls::output_file),
                "largest": derived.paths.largest.as_deref().map(urls::output_file),
                "pipeline": derived.paths.pipeline.as_deref().map(urls::output_file),
                "markets": derived.paths.markets.as_deref().map(urls::output_file),
                "accessibility": urls::output_file("accessibility/"),
            }),
        );
        let accessibility = urls::output_file("accessibility/");
        let base_fingerprint = fp.finish();
        let mut md = Fingerprint::new(0);
        md.add("pages", &tree.by_source);
        // Whether unsafe HTML is an error changes what a page's Markdown gives.
        md.add("allow_unsafe_html", &site.config.markdown.allow_unsafe_html);
        // A chart placed in Markdown is drawn with the theme's words.
        md.add("words", &*derived.words);
        for (id, chart) in &charts {
            match chart {
                Ok(c) => md.add(id, c),
                Err(d) => md.add(id, &d.to_string()),
            }
        }
        let markdown_fingerprint = md.finish();
        Renderer {
            site,
            tree,
            sources: tree
                .by_source
                .iter()
                .map(|(rel, path)| (rel.as_str(), path.as_str()))
                .collect(),
            theme,
            derived,
            charts,
            base,
            accessibility,
            base_fingerprint,
            markdown_fingerprint,
            menus: Mutex::default(),
        }
    }

    /// The site's menu for a page at `key`, written by `partials/site_nav.html` the first time a
    /// page there asks. A menu of ten entries was the most expensive part of most pages (about
    /// 150,000 instructions, a seventh of a build), and a site has only a few different menus.
    fn site_nav(&self, key: MenuKey, page_file: &std::path::Path) -> Result<Arc<str>, Diagnostic> {
        // Held while a menu is written: there are a few dozen of them, and the pages that wait
        // would otherwise write the same menu themselves.
        let mut menus = self
            .menus
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(menu) = menus.written.get(&key) {
            return Ok(menu.clone());
        }
        let ctx = menus.ctx.get_or_insert_with(|| {
            let mut ctx = tera::Context::new();
            for name in ["site", "words", "nav"] {
                if let Some(v) = self.base.get(name) {
                    ctx.insert(name, v);
                }
            }
            ctx
        });
        ctx.insert("root", &key.root);
        put_links(ctx, &key.root, &self.accessibility);
        ctx.insert("nav_current", &key.nav_current);
        ctx.insert("nav_is_page", &key.nav_is_page);
        ctx.insert("is_home", &key.is_home);
        let menu: Arc<str> = self
            .theme
            .render(crate::templates::SITE_NAV, ctx, page_file)
            .map_err(|d| {
                if d.message.contains("not found in context") {
                    d.help(format!(
                        "{} is written once for many pages, so it sees only `site`, `words`, \
                         `nav`, `root`, the ready-made links (`home_href`, `menu_js_href`, ...), \
                         `nav_current`, `nav_is_page` and `is_home`; what depends on the page \
                         itself belongs in base.html",
                        crate::templates::SITE_NAV
                    ))
                } else {
                    d
                }
            })?
            .into();
        menus.written.insert(key, menu.clone());
        Ok(menu)
    }

    /// The site being rendered.
    /// The site theme the pages are rendered with.
    pub fn theme(&self) -> &'a SiteTheme {
        self.theme
    }

    pub fn site(&self) -> &'a Site {
        self.site
    }

    /// Page `i`'s entry in the search index (`None` for pages the index leaves out), with
    /// `words` from its Markdown.
    pub fn search_entry(
        &self,
        i: usize,
        words: Option<&str>,
    ) -> Option<crate::search::IndexEntry<'a>> {
        crate::search::entry(
            self.site,
            self.tree,
            &self.tree.pages[i],
            words,
            &self.derived.words,
        )
    }

    /// A template context to render pages in: the site-wide variables, to which [`render`]
    /// adds (or replaces) each page's own. One per thread, rather than a copy per page.
    ///
    /// [`render`]: Renderer::render
    pub fn context(&self) -> tera::Context {
        self.base.clone()
    }

    /// Renders page `i` of the tree in `ctx` (from [`Renderer::context`]). With a memo (the
    /// preview), reuses the previous build's Markdown and page when their inputs hash the same.
    pub fn render(
        &self,
        ctx: &mut tera::Context,
        i: usize,
        memo: Option<&RenderMemo>,
    ) -> Result<RenderedPage, Vec<Diagnostic>> {
        let p = &self.tree.pages[i];
        let mut problems = Vec::new();
        let mut markdown_out = None;
        let (content, headings) = match p.kind {
            Kind::Content(ci) => {
                let src = &self.site.pages[ci];
                let key = memo.and(self.markdown_fingerprint).and_then(|seed| {
                    let mut f = Fingerprint::new(seed);
                    f.add("rel", &src.rel);
                    f.add("path", &src.path);
                    f.add("file", &src.file);
                    f.add("line", &src.body_line);
                    f.add("body", &src.body);
                    f.finish()
                });
                let reused = key.and_then(|k| memo.and_then(|m| m.markdown(&src.rel, k)));
                let (out, shown) = match reused {
                    Some(out) => {
                        let shown = (out.html.clone(), out.headings.clone());
                        (out, shown)
                    }
                    None => {
                        let mut out = self.markdown(src);
                        let shown = if memo.is_some() {
                            // Kept in the memo until the next build: no spare capacity.
                            out.words.shrink_to_fit();
                            (out.html.clone(), out.headings.clone())
                        } else {
                            // A full build keeps only the words, until the page's search entry
                            // is made: a large site does not hold every page's HTML twice.
                            (
                                std::mem::take(&mut out.html),
                                std::mem::take(&mut out.headings),
                            )
                        };
                        (Arc::new(out), shown)
                    }
                };
                problems.extend(out.problems.iter().cloned());
                markdown_out = Some((src.rel.clone(), key, out));
                if src.untranslated {
                    // Shown in the default language's words: screen readers must read it so,
                    // and only it (the theme's words around it are the page's language).
                    let (html, headings) = shown;
                    (
                        format!(
                            "<div lang=\"{}\">\n{html}</div>\n",
                            self.site.config.default_language()
                        ),
                        headings,
                    )
                } else {
                    shown
                }
            }
            _ => (String::new(), Vec::new()),
        };
        let permalink = format!("{}{}", self.site.config.base_url, p.path);
        let w = &*self.derived.words;
        let date = |d: NaiveDate| w.date(d);
        let page = PageView {
            title: &p.title,
            description: p.description.as_deref(),
            content,
            path: &p.path,
            feedback_href: self.feedback_href(&p.title, &permalink),
            permalink,
            kind: p.kind,
            template: &p.template,
            is_section: p.is_section,
            date: p.date,
            date_display: p.date.map(date),
            updated: p.updated,
            updated_display: p.updated.map(date),
            last_updated_display: p.updated.or(p.date).map(date),
            review_by: p.review_by,
            review_by_display: p.review_by.map(date),
            headings,
            untranslated: match p.kind {
                Kind::Content(ci) => self.site.pages[ci].untranslated,
                _ => false,
            },
        };
        // The 404 page is served at any depth, so it links from the site's base path.
        let root = if p.kind == Kind::NotFound {
            self.site.config.base_path()
        } else {
            urls::root_prefix(&p.path)
        };
        let item = match p.kind {
            Kind::Principle(n) => Some(Item::Principle(&self.derived.view.principles[n])),
            Kind::Theme(n) => Some(Item::Theme(&self.derived.view.themes[n])),
            Kind::Procurement(n) => self
                .derived
                .view
                .plan
                .as_ref()
                .map(|plan| Item::Entry(&plan.entries[n])),
            Kind::Market(n) => self.derived.markets.list.get(n).map(Item::Market),
            Kind::EditionEntry(k, n) => self
                .derived
                .editions
                .get(k)
                .and_then(|ed| ed.view.plan.entries.get(n))
                .map(Item::Entry),
            _ => None,
        };
        let edition = match p.kind {
            Kind::Edition(k) => self.derived.editions.get(k).map(|ed| &ed.view),
            Kind::EditionEntry(k, _) => self.derived.editions.get(k).map(|ed| &ed.summary),
            _ => None,
        };
        let mut vars = PageVars {
            page,
            root,
            nav_current: self.tree.nav_current(&p.path),
            breadcrumbs: self.tree.breadcrumbs(&p.path),
            children: self
                .tree
                .children
                .get(&p.path)
                .map(|c| c.iter().map(|&i| self.tree.link(i)).collect())
                .unwrap_or_default(),
            item,
            site_map: (p.kind == Kind::SiteMap).then(|| crate::search::site_map(self.tree)),
            edition,
            untranslated: matches!(p.kind, Kind::Content(ci) if self.site.pages[ci].untranslated),
            translations: match &self.site.languages {
                Some(l) if l.is_multilingual() => {
                    let mut alts = l.alternates(
                        &self.site.config.language,
                        &p.path,
                        matches!(p.kind, Kind::Content(_)),
                        &self.site.config.site_url,
                    );
                    if p.kind == Kind::NotFound {
                        // Served at any address: its links start from the site's root.
                        for a in &mut alts {
                            let from_root = a
                                .url
                                .split_once("://")
                                .and_then(|(_, r)| r.find('/').map(|i| r[i..].to_string()));
                            // The other language's home page: the missing address may be
                            // missing there too.
                            if let Some(path) = from_root {
                                let folder = path.rfind('/').map_or("/", |i| &path[..=i]);
                                a.href = format!("{folder}index.html");
                            }
                        }
                    }
                    alts
                }
                _ => Vec::new(),
            },
        };
        if let Kind::Market(n) = p.kind {
            // A market's charts are placed by its template: a chart that cannot be drawn is
            // reported here, as the chart shortcode reports it on a Markdown page.
            let ids = self.site.data.markets.get(n).map(|m| &m.market.charts);
            for id in ids.into_iter().flatten() {
                if let Some(Err(d)) = self.charts.get(id) {
                    problems.push(d.clone());
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let output = urls::output_file(&p.path);
        // Everything the template will see, hashed, so the memo can tell whether the page would
        // come out the same. The Markdown's HTML is stood for by the hash of its inputs.
        let fingerprint = match (memo, self.base_fingerprint) {
            (Some(_), Some(base)) => {
                let md = markdown_out.as_ref().and_then(|(_, key, _)| *key);
                let no_md = matches!(p.kind, Kind::Content(_)) && md.is_none();
                let content = std::mem::take(&mut vars.page.content);
                let mut fp = Fingerprint::new(base);
                fp.add("template", &p.template);
                fp.add("file", &p.file);
                fp.add("markdown", &md);
                fp.add("vars", &vars);
                vars.page.content = content;
                fp.finish().filter(|_| !no_md)
            }
            _ => None,
        };
        let reused = fingerprint.and_then(|f| memo.and_then(|m| m.page(&output, f)));
        let (html, links) = match reused {
            Some(kept) => (kept.html.clone(), Some(kept.links.clone())),
            None => {
                let local = tera::Context::from_serialize(&vars).map_err(|e| {
                    vec![
                        Diagnostic::error(&p.file, format!("could not prepare this page: {e}"))
                            .help("this is a bug in mps; please report it"),
                    ]
                })?;
                let root_changed =
                    ctx.get("root").and_then(tera::Value::as_str) != Some(vars.root.as_str());
                // Every page sets the same variables (absent ones as null), so nothing of the
                // page rendered before in `ctx` is left over.
                ctx.extend(local);
                if root_changed {
                    put_links(ctx, &vars.root, &self.accessibility);
                }
                let nav_is_page = vars
                    .nav_current
                    .and_then(|n| self.tree.nav.get(n))
                    .is_some_and(|item| item.path == p.path);
                let menu = self
                    .site_nav(
                        MenuKey {
                            root: vars.root.clone(),
                            nav_current: vars.nav_current,
                            nav_is_page,
                            is_home: p.path.is_empty(),
                        },
                        &p.file,
                    )
                    .map_err(|d| vec![d])?;
                ctx.insert("site_nav", &*menu);
                let html = self
                    .theme
                    .render(&p.template, ctx, &p.file)
                    .map_err(|d| vec![d])?;
                (Arc::from(html), None)
            }
        };
        Ok(RenderedPage {
            output,
            html,
            source: p.file.clone(),
            template: p.template.clone(),
            fingerprint,
            markdown: markdown_out,
            links,
        })
    }

    /// A content page's Markdown as HTML, with its charts placed.
    fn markdown(&self, src: &crate::model::SourcePage) -> Rendered {
        let ctx = LinkContext {
            rel: &src.rel,
            path: &src.path,
            pages: &self.sources,
            allow_unsafe_html: self.site.config.markdown.allow_unsafe_html,
            languages: self
                .site
                .languages
                .as_deref()
                .map(|l| (l, self.site.config.language.as_str())),
        };
        let root = urls::root_prefix(&src.path);
        let chart = |id: &str| match self.charts.get(id) {
            Some(Ok(c)) => self.theme.chart_figure(c, &root, &self.derived.words),
            Some(Err(d)) => Err((
                d.to_string(),
                "fix the chart's definition in content/data/charts.yaml".to_string(),
            )),
            None => Err((
                format!(
                    "there is no chart `{id}` in content/data/charts.yaml{}",
                    if self.charts.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; charts are: {}",
                            self.derived
                                .charts
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
                "use the id of a chart in content/data/charts.yaml".to_string(),
            )),
        };
        markdown::render_with_charts(&src.body, &src.file, src.body_line, &ctx, &chart)
    }

    fn feedback_href(&self, title: &str, permalink: &str) -> String {
        let base = self.site.config.feedback_href().unwrap_or_default();
        if base.starts_with("mailto:") {
            let w = &*self.derived.words;
            let subject = w.fill("feedback_subject", &[("title", title)]);
            let body = format!(
                "{}\n\n",
                w.fill("feedback_body_page", &[("address", permalink)])
            );
            format!(
                "{base}{}subject={}&body={}",
                if base.contains('?') { '&' } else { '?' },
                utf8_percent_encode(&subject, NON_ALPHANUMERIC),
                utf8_percent_encode(&body, NON_ALPHANUMERIC)
            )
        } else {
            format!(
                "{base}{}page={}",
                if base.contains('?') { '&' } else { '?' },
                utf8_percent_encode(permalink, NON_ALPHANUMERIC)
            )
        }
    }
}
