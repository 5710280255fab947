//! The page tree: every page the site will have (from Markdown and generated from data), its
//! address, template, section and place in listings, navigation and breadcrumbs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Diagnostic;
use crate::facts::GeneratedPaths;
use crate::model::{Generate, Site};
use crate::templates::SiteTheme;
use crate::urls;

/// What a page is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "lowercase")]
pub enum Kind {
    /// A Markdown page: index into `Site::pages`.
    Content(usize),
    Principle(usize),
    Theme(usize),
    Procurement(usize),
    /// A market: index into `Data::markets` (and `MarketsView::list`).
    Market(usize),
    /// An earlier edition's plan page: index into `Data::editions` (and `Derived::editions`).
    Edition(usize),
    /// An entry's page in an earlier edition: (edition, entry).
    EditionEntry(usize, usize),
    Accessibility,
    /// The search page (see `search`).
    Search,
    /// The HTML site map, listing every page by section (see `search`).
    SiteMap,
    NotFound,
}

/// Pages every site has, made by `search` from the page tree: (site path, kind, the keys of
/// the title and description in the theme's words, template).
pub const PAGES: &[(&str, Kind, &str, &str, &str)] = &[
    (
        "search/",
        Kind::Search,
        "search_title",
        "search_description",
        "search.html",
    ),
    (
        "sitemap/",
        Kind::SiteMap,
        "site_map",
        "site_map_description",
        "sitemap.html",
    ),
];

#[derive(Debug, Clone)]
pub struct PlannedPage {
    pub path: String,
    pub kind: Kind,
    pub title: String,
    pub description: Option<String>,
    pub template: String,
    /// The file a reader of an error should open.
    pub file: PathBuf,
    pub weight: i64,
    /// Site path of the section that lists this page.
    pub parent: Option<String>,
    pub is_section: bool,
    /// Shown in section listings and the sitemap.
    pub listed: bool,
    pub date: Option<NaiveDate>,
    pub updated: Option<NaiveDate>,
    pub review_by: Option<NaiveDate>,
    /// The language of `title` when it is not the build's (see `NavLink::lang`).
    pub title_lang: Option<String>,
}

/// A link in navigation, breadcrumbs or listings. `href` is the output file from the site root.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub title: String,
    /// The language of `title` when it is not the page's (an untranslated page's title in a
    /// language other than the default); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub path: String,
    pub href: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PageTree {
    pub pages: Vec<PlannedPage>,
    pub by_path: BTreeMap<String, usize>,
    /// Listed children of each section, in order.
    pub children: BTreeMap<String, Vec<usize>>,
    /// Site path of each Markdown page, by its path relative to `content/`.
    pub by_source: BTreeMap<String, String>,
    pub nav: Vec<NavLink>,
}

impl PageTree {
    pub fn link(&self, i: usize) -> NavLink {
        let p = &self.pages[i];
        NavLink {
            title: p.title.clone(),
            lang: p.title_lang.clone(),
            path: p.path.clone(),
            href: urls::output_file(&p.path),
            description: p.description.clone(),
        }
    }

    /// The position in `nav` of the entry for the page at `path`: the page itself, or else the
    /// deepest entry it is under (the home page is under none).
    pub fn nav_current(&self, path: &str) -> Option<usize> {
        if let Some(i) = self.nav.iter().position(|n| n.path == path) {
            return Some(i);
        }
        self.nav
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                !n.path.is_empty() && n.path.ends_with('/') && path.starts_with(&n.path)
            })
            .max_by_key(|(_, n)| n.path.len())
            .map(|(i, _)| i)
    }

    /// Home, then each ancestor section that exists, then the page itself.
    pub fn breadcrumbs(&self, path: &str) -> Vec<NavLink> {
        let mut out = Vec::new();
        if path.is_empty() || !path.ends_with('/') {
            return out;
        }
        let mut prefix = String::new();
        if let Some(&i) = self.by_path.get("") {
            out.push(self.link(i));
        }
        for seg in path.trim_end_matches('/').split('/') {
            prefix.push_str(seg);
            prefix.push('/');
            if let Some(&i) = self.by_path.get(&prefix) {
                out.push(self.link(i));
            }
        }
        out
    }
}

fn default_template(g: Option<Generate>, is_home: bool, is_section: bool) -> &'static str {
    match g {
        Some(Generate::Principles) => "principles.html",
        Some(Generate::Themes) => "themes.html",
        Some(Generate::Plan) => "plan.html",
        Some(Generate::Largest) => "largest.html",
        Some(Generate::Pipeline) => "pipeline.html",
        Some(Generate::Markets) => "markets.html",
        Some(Generate::Changes) => "changes.html",
        None if is_home => "index.html",
        None if is_section => "section.html",
        None => "page.html",
    }
}

/// The nearest existing section above `path`.
fn parent_of(path: &str, by_path: &BTreeMap<String, usize>) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let mut p = path.trim_end_matches('/');
    while let Some(i) = p.rfind('/') {
        p = &p[..i];
        let candidate = format!("{p}/");
        if by_path.contains_key(&candidate) {
            return Some(candidate);
        }
    }
    by_path.contains_key("").then(String::new)
}

/// The error for a content page at the address of a generated page (either way round), naming
/// both and how to change the generated page properly.
fn generated_clash(a: &PlannedPage, b: &PlannedPage) -> Option<Diagnostic> {
    let (content, generated) = match (&a.kind, &b.kind) {
        (Kind::Content(_), Kind::Content(_)) => return None,
        (Kind::Content(_), _) => (a, b),
        (_, Kind::Content(_)) => (b, a),
        _ => return None,
    };
    let what = match generated.kind {
        Kind::Principle(_) => "the page of a commissioning principle",
        Kind::Theme(_) => "the page of an outcome theme",
        Kind::Procurement(_) => "the page of a procurement",
        Kind::Market(_) => "the page of a market",
        Kind::Edition(_) => "the page of an earlier edition of the plan",
        Kind::EditionEntry(..) => "the page of a procurement in an earlier edition of the plan",
        Kind::Accessibility => "the accessibility statement",
        Kind::Search => "the search page",
        Kind::SiteMap => "the site map",
        Kind::NotFound => "the \"page not found\" page",
        Kind::Content(_) => return None,
    };
    Some(
        Diagnostic::error(
            &content.file,
            format!(
                "this page would be published at `/{}`, which is {what} that mps makes (from {})",
                generated.path,
                generated.file.display()
            ),
        )
        .help(format!(
            "rename or move this file; to change {what}, copy the template `{}` into the site's templates/ folder and edit it there",
            generated.template
        )),
    )
}

/// Works out every page of the site. Errors: missing templates, clashing addresses, navigation
/// entries that go nowhere.
pub fn plan(
    site: &Site,
    theme: &SiteTheme,
    generated: &GeneratedPaths,
    w: &crate::words::Words,
) -> Result<PageTree, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut pages = Vec::new();
    let mut by_source = BTreeMap::new();

    for (i, p) in site.pages.iter().enumerate() {
        by_source.insert(p.rel.clone(), p.path.clone());
        let f = &p.front;
        let template = f.template.clone().unwrap_or_else(|| {
            default_template(f.generate, p.path.is_empty(), p.is_section).to_string()
        });
        pages.push(PlannedPage {
            title_lang: p
                .untranslated
                .then(|| site.config.default_language().to_string()),
            path: p.path.clone(),
            kind: Kind::Content(i),
            title: f.title.clone(),
            description: f.description.clone(),
            template,
            file: p.file.clone(),
            weight: f.weight.unwrap_or(0),
            parent: None,
            is_section: p.is_section,
            listed: true,
            date: f.date,
            updated: f.updated,
            review_by: f.review_by,
        });
    }

    // Generated pages take their dates from the page that generates them.
    let generator = |path: &Option<String>| {
        path.as_ref()
            .and_then(|p| pages.iter().find(|x: &&PlannedPage| &x.path == p))
            .cloned()
    };
    let mut extra = Vec::new();
    if let Some(g) = generator(&generated.principles) {
        for (i, pr) in site.data.principles.iter().enumerate() {
            extra.push(generated_page(
                &g,
                generated.principle(&pr.slug).unwrap_or_default(),
                Kind::Principle(i),
                &pr.name,
                Some(&pr.summary),
                "principle.html",
                i as i64,
                site,
                "principles.yaml",
            ));
        }
    }
    if let Some(g) = generator(&generated.themes) {
        for (i, t) in site.data.themes.iter().enumerate() {
            extra.push(generated_page(
                &g,
                generated.theme(&t.slug).unwrap_or_default(),
                Kind::Theme(i),
                &t.name,
                Some(&t.summary),
                "theme.html",
                i as i64,
                site,
                "themes.yaml",
            ));
        }
    }
    if let (Some(g), Some(plan)) = (generator(&generated.plan), &site.data.plan) {
        for (i, e) in plan.entries.iter().enumerate() {
            let path = generated.entry(&e.id).unwrap_or_default();
            let mut page = generated_page(
                &g,
                path,
                Kind::Procurement(i),
                &e.title,
                e.description.as_deref(),
                "procurement.html",
                i as i64,
                site,
                "plan.yaml",
            );
            // A plan of hundreds of entries would swamp the plan page's own listing.
            page.listed = false;
            extra.push(page);
        }
    }
    // Earlier editions, each at its own stable address under the plan page, with its entries'
    // pages under it: newest first among the plan page's pages.
    if let Some(g) = generator(&generated.plan) {
        let n = site.data.editions.len();
        for (k, ed) in site.data.editions.iter().enumerate() {
            let Some(path) = generated.edition(&ed.slug) else {
                continue;
            };
            let mut page = generated_page(
                &g,
                path.clone(),
                Kind::Edition(k),
                &w.fill("edition_title", &[("year", &ed.plan.year)]),
                Some(&w.fill(
                    "edition_description",
                    &[
                        ("year", &ed.plan.year),
                        ("date", &w.date(ed.plan.published)),
                    ],
                )),
                &g.template,
                (n - k) as i64,
                site,
                "plan.yaml",
            );
            page.file = ed.file.clone();
            // Kept as published: dated by its own publication, never reviewed again.
            (page.date, page.updated, page.review_by) = (Some(ed.plan.published), None, None);
            let edition_page = page.clone();
            extra.push(page);
            let paths = generated.for_edition(&ed.slug);
            for (i, e) in ed.plan.entries.iter().enumerate() {
                let mut page = generated_page(
                    &edition_page,
                    paths.entry(&e.id).unwrap_or_default(),
                    Kind::EditionEntry(k, i),
                    &format!("{} ({} plan)", e.title, ed.plan.year),
                    e.description.as_deref(),
                    "procurement.html",
                    i as i64,
                    site,
                    "plan.yaml",
                );
                page.file = ed.file.clone();
                page.listed = false;
                extra.push(page);
            }
        }
    }
    if let Some(g) = generator(&generated.markets) {
        for (i, m) in site.data.markets.iter().enumerate() {
            let mut page = generated_page(
                &g,
                generated.market(&m.market.slug).unwrap_or_default(),
                Kind::Market(i),
                &m.market.name,
                Some(&m.market.summary),
                "market.html",
                i as i64,
                site,
                "markets",
            );
            page.file = m.file.clone();
            extra.push(page);
        }
    }
    pages.extend(extra);

    // Generated pages are always planned: a content page at one of their addresses is an error
    // below (one owner per address), not a silent replacement.
    pages.push(PlannedPage {
        title_lang: None,
        path: "accessibility/".into(),
        kind: Kind::Accessibility,
        title: w.get("accessibility_statement").into(),
        description: Some(w.fill(
            "accessibility_description",
            &[("organisation", &site.config.organisation)],
        )),
        template: "accessibility.html".into(),
        file: site.root.join("site.yaml"),
        weight: i64::MAX,
        parent: None,
        is_section: false,
        listed: false,
        date: site.config.accessibility.statement_prepared,
        updated: site.config.accessibility.statement_reviewed,
        review_by: None,
    });
    // Search and the site map, where the theme has templates for them (see `search`).
    for (path, kind, title, description, template) in PAGES {
        if theme.has_template(template) {
            pages.push(PlannedPage {
                title_lang: None,
                path: path.to_string(),
                kind: *kind,
                title: w.get(title).to_string(),
                description: Some(w.get(description).to_string()),
                template: template.to_string(),
                file: site.root.join("site.yaml"),
                weight: i64::MAX,
                parent: None,
                is_section: false,
                listed: false,
                date: None,
                updated: None,
                review_by: None,
            });
        }
    }
    pages.push(PlannedPage {
        title_lang: None,
        path: "404.html".into(),
        kind: Kind::NotFound,
        title: w.get("page_not_found").into(),
        description: None,
        template: "404.html".into(),
        file: site.root.join("site.yaml"),
        weight: 0,
        parent: None,
        is_section: false,
        listed: false,
        date: None,
        updated: None,
        review_by: None,
    });

    let mut by_path = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        if let Some(&other) = by_path.get(&p.path) {
            let o: &PlannedPage = &pages[other];
            if let Some(d) = generated_clash(p, o) {
                problems.push(d);
                continue;
            }
            problems.push(
                Diagnostic::error(
                    &p.file,
                    format!(
                        "the address `/{}` is used twice: by this file and by {}",
                        p.path,
                        o.file.display()
                    ),
                )
                .help(address_fix(p, o)),
            );
        } else {
            by_path.insert(p.path.clone(), i);
        }
        if !theme.has_template(&p.template) {
            let at = match p.kind {
                Kind::Content(ci) => site.pages[ci].front_positions.nearest("template"),
                _ => None,
            };
            problems.push(
                Diagnostic::error(
                    &p.file,
                    format!(
                        "template `{}` does not exist in theme `{}`",
                        p.template, site.config.theme
                    ),
                )
                .at_pos(at)
                .help(format!("use one of: {}", theme.template_names().join(", "))),
            );
        }
    }
    for p in pages.iter_mut() {
        if p.parent.is_none() && p.listed {
            p.parent = parent_of(&p.path, &by_path);
        }
    }
    let mut children: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        if let (Some(parent), true) = (&p.parent, p.listed) {
            children.entry(parent.clone()).or_default().push(i);
        }
    }
    for list in children.values_mut() {
        listing_order(&pages, list);
    }

    let mut tree = PageTree {
        pages,
        by_path,
        children,
        by_source,
        nav: Vec::new(),
    };
    tree.nav = navigation(site, &tree, &mut problems);
    if problems.is_empty() {
        Ok(tree)
    } else {
        Err(problems)
    }
}

/// Sorts a section's listed pages (indices into `pages`) into the order its listing shows.
pub fn listing_order(pages: &[PlannedPage], list: &mut [usize]) {
    list.sort_by(|&a, &b| {
        let (a, b) = (&pages[a], &pages[b]);
        (a.weight, &a.title, &a.path).cmp(&(b.weight, &b.title, &b.path))
    });
}

#[allow(clippy::too_many_arguments)]
fn generated_page(
    generator: &PlannedPage,
    path: String,
    kind: Kind,
    title: &str,
    description: Option<&str>,
    template: &str,
    weight: i64,
    site: &Site,
    data_file: &'static str,
) -> PlannedPage {
    let file = site
        .data_sources
        .files
        .get(data_file)
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| generator.file.clone());
    PlannedPage {
        title_lang: None,
        path,
        kind,
        title: title.to_string(),
        description: description.map(str::to_string),
        template: template.to_string(),
        file,
        weight,
        parent: Some(generator.path.clone()),
        is_section: false,
        listed: true,
        date: generator.date,
        updated: generator.updated,
        review_by: generator.review_by,
    }
}

fn navigation(site: &Site, tree: &PageTree, problems: &mut Vec<Diagnostic>) -> Vec<NavLink> {
    if site.config.navigation.is_empty() {
        return tree
            .children
            .get("")
            .map(|c| c.iter().map(|&i| tree.link(i)).collect())
            .unwrap_or_default();
    }
    let config_file = site.root.join("site.yaml");
    let mut out = Vec::new();
    for (k, entry) in site.config.navigation.iter().enumerate() {
        let mut path = entry.trim().trim_start_matches('/').to_string();
        if !path.is_empty() && !path.ends_with('/') && !path.ends_with(".html") {
            path.push('/');
        }
        match tree.by_path.get(&path) {
            Some(&i) => out.push(tree.link(i)),
            None => {
                let at = site.config.positions.nearest(&format!("navigation[{k}]"));
                let known: Vec<&str> = tree
                    .pages
                    .iter()
                    .filter(|p| p.listed && p.path.matches('/').count() == 1)
                    .map(|p| p.path.as_str())
                    .collect();
                problems.push(
                    Diagnostic::error(
                        &config_file,
                        format!("navigation entry `{entry}` is not a page of this site"),
                    )
                    .at_pos(at)
                    .help(if known.is_empty() {
                        "this site has no sections or pages under the home page yet: add one (such as content/plan/_index.md) or remove this entry".to_string()
                    } else {
                        let guess = crate::error::closest(
                            &path,
                            tree.pages.iter().filter(|p| p.listed).map(|p| p.path.as_str()),
                        )
                        .map(|g| format!("did you mean `{g}`? "))
                        .unwrap_or_default();
                        format!("{guess}list site addresses such as: {}", known.join(", "))
                    }),
                );
            }
        }
    }
    out
}

/// How to give two pages at one address their own: by what made each of them.
fn address_fix(a: &PlannedPage, b: &PlannedPage) -> String {
    // `None` for the pages every site has (search, site map...), whose address is fixed.
    let one = |p: &PlannedPage| {
        let name = p.file.display();
        match p.kind {
            Kind::Content(_) => Some(format!("rename the Markdown file {name}")),
            Kind::Edition(_) => Some(format!("rename the edition file {name}")),
            Kind::Procurement(_) | Kind::EditionEntry(..) => {
                Some(format!("change the entry's `id` in {name}"))
            }
            Kind::Principle(_) | Kind::Theme(_) | Kind::Market(_) => {
                Some(format!("change the `slug` in {name}"))
            }
            Kind::Accessibility | Kind::Search | Kind::SiteMap | Kind::NotFound => None,
        }
    };
    let fixes: Vec<String> = match (one(a), one(b)) {
        (Some(x), Some(y)) if x == y => vec![x],
        (x, y) => x.into_iter().chain(y).collect(),
    };
    format!(
        "{}, so that each page has its own address",
        fixes.join(", or ")
    )
}
