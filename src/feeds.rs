//! Discovery: the Atom feed of pages by date (`atom.xml`), `sitemap.xml` and `robots.txt`. All
//! use absolute addresses from `base_url`, and all are the same on every build of the same
//! content. The feed and the sitemap are written by the theme's `atom.xml` and `sitemap.xml`,
//! which a site can override like any other template; this module works out what they list.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Diagnostic;
use crate::model::Site;
use crate::pages::{Kind, PageTree};
use crate::templates::{self, SiteTheme};

pub const ATOM_FILE: &str = "atom.xml";
pub const ROBOTS_FILE: &str = "robots.txt";
pub const SITEMAP_FILE: &str = "sitemap.xml";

/// A date as an Atom timestamp (midnight UTC).
pub fn timestamp(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// What `atom.xml` is written from: the site's feed, or one market's (see `markets`).
#[derive(Debug, Serialize)]
pub struct Feed<'a> {
    pub title: Cow<'a, str>,
    pub organisation: &'a str,
    pub language: &'a str,
    /// The page the feed is of.
    pub base_url: Cow<'a, str>,
    /// The feed's own address.
    pub href: String,
    /// When the most recently updated page changed (the start of 1970 with none).
    pub updated: String,
    pub entries: Vec<FeedEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct FeedEntry<'a> {
    pub title: Cow<'a, str>,
    /// The page's absolute address, which is also its id.
    pub href: String,
    pub published: Option<String>,
    pub updated: String,
    pub summary: Option<Cow<'a, str>>,
}

/// What `sitemap.xml` lists of one page.
#[derive(Debug, Serialize)]
struct SitemapPage {
    href: String,
    lastmod: Option<NaiveDate>,
    /// For a site in several languages, the page in each language it is translated into
    /// (itself included); empty otherwise.
    alternates: Vec<crate::translations::Alternate>,
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
    ctx.insert("words", &*theme.words_for(&site.config.language)?);
    theme.render(template, &ctx, &site.root.join("site.yaml"))
}

/// The Atom feed: every page with an `updated` or `date`, most recently updated first.
pub fn atom(site: &Site, tree: &PageTree, theme: &SiteTheme) -> Result<String, Diagnostic> {
    let c = &site.config;
    let mut dated: Vec<(NaiveDate, &str, usize)> = tree
        .pages
        .iter()
        .enumerate()
        // An earlier edition's entries are not news: the edition's own page stands for them.
        .filter(|(_, p)| !matches!(p.kind, Kind::NotFound | Kind::EditionEntry(..)))
        .filter_map(|(i, p)| p.updated.or(p.date).map(|d| (d, p.path.as_str(), i)))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    // A feed must say when it last changed; with no dated pages, the start of the epoch.
    let updated = dated.first().map(|e| e.0).unwrap_or_default();
    let value = Feed {
        title: Cow::Borrowed(&c.title),
        organisation: &c.organisation,
        language: &c.language,
        base_url: Cow::Borrowed(&c.base_url),
        href: format!("{}{ATOM_FILE}", c.base_url),
        updated: timestamp(updated),
        entries: dated
            .into_iter()
            .map(|(d, path, i)| {
                let p = &tree.pages[i];
                FeedEntry {
                    title: Cow::Borrowed(&p.title),
                    href: format!("{}{path}", c.base_url),
                    published: p.date.map(timestamp),
                    updated: timestamp(d),
                    summary: p.description.as_deref().map(Cow::Borrowed),
                }
            })
            .collect(),
    };
    feed(site, theme, &value)
}

/// A feed written by the theme's `atom.xml`.
pub fn feed(site: &Site, theme: &SiteTheme, feed: &Feed) -> Result<String, Diagnostic> {
    render(site, theme, templates::ATOM, "feed", feed)
}

/// `robots.txt`: everything may be crawled; the sitemap is at its absolute address.
pub fn robots(site: &Site) -> String {
    let mut out = format!(
        "User-agent: *\nDisallow:\n\nSitemap: {}{SITEMAP_FILE}\n",
        site.config.base_url
    );
    // A site in several languages has a site map in each language's folder.
    for lang in site.languages.iter().flat_map(|l| l.list.iter().skip(1)) {
        out.push_str(&format!(
            "Sitemap: {}{}{SITEMAP_FILE}\n",
            site.config.site_url, lang.prefix
        ));
    }
    out
}

/// `sitemap.xml`: every page but the 404 page, with absolute addresses, in address order.
pub fn sitemap(site: &Site, tree: &PageTree, theme: &SiteTheme) -> Result<String, Diagnostic> {
    let pages: Vec<SitemapPage> = tree
        .by_path
        .iter()
        .map(|(path, &i)| (path, &tree.pages[i]))
        .filter(|(_, p)| p.kind != Kind::NotFound)
        .map(|(path, p)| SitemapPage {
            href: format!("{}{}", site.config.base_url, crate::urls::encode(path)),
            lastmod: p.updated.or(p.date),
            alternates: match &site.languages {
                Some(l) if l.is_multilingual() => {
                    let markdown = matches!(p.kind, Kind::Content(_));
                    let mut alts =
                        l.alternates(&site.config.language, path, markdown, &site.config.site_url);
                    alts.retain(|a| a.translated);
                    // A page only one language has has no alternates to declare.
                    if alts.len() < 2 {
                        alts.clear();
                    }
                    alts
                }
                _ => Vec::new(),
            },
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("pages", &pages);
    ctx.insert(
        "multilingual",
        &site.languages.as_ref().is_some_and(|l| l.is_multilingual()),
    );
    theme.render(templates::SITEMAP, &ctx, &site.root.join("site.yaml"))
}
