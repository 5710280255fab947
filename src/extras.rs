//! Files made from the whole site besides its pages: the plan's open data and chart data, the
//! Atom feed, `sitemap.xml`, `robots.txt`, and each market's feed and JSON file. None of them depends on the rendered pages, so the
//! build makes them while the pages render. (The search index, which needs each page's words,
//! is assembled from entries made with the pages: see `search::index_json`.)

use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::feeds;
use crate::model::Site;
use crate::pages::PageTree;
use crate::templates::SiteTheme;

/// Files the site's own static files may replace (a council may want its own `robots.txt`).
pub const REPLACEABLE: &[&str] = &[feeds::ROBOTS_FILE];

/// Every extra file of the site: (output path, bytes), in a fixed order.
pub fn files(
    site: &Site,
    tree: &PageTree,
    derived: &Derived,
    theme: &SiteTheme,
) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
    let data = derived.files.as_ref().map_err(|d| vec![d.clone()])?;
    let (atom, sitemap) = rayon::join(
        || feeds::atom(site, tree, theme),
        || feeds::sitemap(site, tree, theme),
    );
    let (atom, sitemap) = match (atom, sitemap) {
        (Ok(a), Ok(s)) => (a, s),
        (a, s) => return Err(a.err().into_iter().chain(s.err()).collect()),
    };
    let mut out: Vec<(String, Vec<u8>)> = data.clone();
    out.push((feeds::ATOM_FILE.to_string(), atom.into_bytes()));
    out.push((feeds::SITEMAP_FILE.to_string(), sitemap.into_bytes()));
    // Crawlers read robots.txt at the top of a site only: the default language's lists every
    // language's site map.
    if site.config.prefix.is_empty() {
        out.push((
            feeds::ROBOTS_FILE.to_string(),
            feeds::robots(site).into_bytes(),
        ));
    }
    out.extend(crate::market_files::files(site, derived, theme)?);
    Ok(out)
}
