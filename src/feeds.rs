//! Discovery: the Atom feed of pages by date (`atom.xml`), `sitemap.xml` and `robots.txt`. All
//! use absolute addresses from `base_url`, and all are the same on every build of the same
//! content. The feed and the sitemap are written by the theme's `atom.xml` and `sitemap.xml`,
//! which a site can override like any other template; this module works out what they list.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Diagnostic;
use crate::model::Site;
use crate::pages::{Kind, PageTree};
use crate::templates::{self, SiteTheme};

pub const ATOM_FILE: &str = "atom.xml";
pub const ROBOTS_FILE: &str = "robots.txt";
pub const SITEMAP_FILE: &str = "sitemap.xml";

fn timestamp(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// What `atom.xml` is written from.
#[derive(Debug, Serialize)]
struct Feed<'a> {
    title: &'a str,
    organisation: &'a str,
    language: &'a str,
    base_url: &'a str,
    /// The feed's own address.
    href: String,
    /// When the most recently updated page changed (the start of 1970 with none).
    updated: String,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Debug, Serialize)]
struct FeedEntry<'a> {
    title: &'a str,
    /// The page's absolute address, which is also its id.
    href: String,
    published: Option<String>,
    updated: String,
    summary: Option<&'a str>,
}

/// What `sitemap.xml` lists of one page.
#[derive(Debug, Serialize)]
struct SitemapPage {
    href: String,
    lastmod: Option<NaiveDate>,
}

fn render<T: Serialize>(
    site: &Site,
    theme: &SiteTheme,
    template: &str,
    key: &str,
    value: &T,
) -> Result<String, Diagnostic> {
    let mut ctx = tera::Context::new();
    ctx.insert(key, value);
    theme.render(template, &ctx, &site.root.join("site.yaml"))
}

/// The Atom feed: every page with an `updated` or `date`, most recently updated first.
pub fn atom(site: &Site, tree: &PageTree, theme: &SiteTheme) -> Result<String, Diagnostic> {
    let c = &site.config;
    let mut dated: Vec<(NaiveDate, &str, usize)> = tree
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind != Kind::NotFound)
        .filter_map(|(i, p)| p.updated.or(p.date).map(|d| (d, p.path.as_str(), i)))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    // A feed must say when it last changed; with no dated pages, the start of the epoch.
    let updated = dated.first().map(|e| e.0).unwrap_or_default();
    let feed = Feed {
        title: &c.title,
        organisation: &c.organisation,
        language: &c.language,
        base_url: &c.base_url,
        href: format!("{}{ATOM_FILE}", c.base_url),
        updated: timestamp(updated),
        entries: dated
            .into_iter()
            .map(|(d, path, i)| {
                let p = &tree.pages[i];
                FeedEntry {
                    title: &p.title,
                    href: format!("{}{path}", c.base_url),
                    published: p.date.map(timestamp),
                    updated: timestamp(d),
                    summary: p.description.as_deref(),
                }
            })
            .collect(),
    };
    render(site, theme, templates::ATOM, "feed", &feed)
}

/// `robots.txt`: everything may be crawled; the sitemap is at its absolute address.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nDisallow:\n\nSitemap: {}{SITEMAP_FILE}\n",
        site.config.base_url
    )
}

/// `sitemap.xml`: every page but the 404 page, with absolute addresses, in address order.
pub fn sitemap(site: &Site, tree: &PageTree, theme: &SiteTheme) -> Result<String, Diagnostic> {
    let pages: Vec<SitemapPage> = tree
        .by_path
        .iter()
        .map(|(path, &i)| (path, &tree.pages[i]))
        .filter(|(_, p)| p.kind != Kind::NotFound)
        .map(|(path, p)| SitemapPage {
            href: format!("{}{}", site.config.base_url, path),
            lastmod: p.updated.or(p.date),
        })
        .collect();
    render(site, theme, templates::SITEMAP, "pages", &pages)
}
