//! Discovery: the Atom feed of pages by date (`atom.xml`), `sitemap.xml` and `robots.txt`. All
//! use absolute addresses from `base_url`, and all are the same on every build of the same
//! content.

use chrono::NaiveDate;

use crate::markdown::html_escape;
use crate::model::Site;
use crate::pages::{Kind, PageTree};

pub const ATOM_FILE: &str = "atom.xml";
pub const ROBOTS_FILE: &str = "robots.txt";
pub const SITEMAP_FILE: &str = "sitemap.xml";

fn timestamp(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// The Atom feed: every page with an `updated` or `date`, most recently updated first.
pub fn atom(site: &Site, tree: &PageTree) -> String {
    let c = &site.config;
    let mut entries: Vec<(NaiveDate, &str, usize)> = tree
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind != Kind::NotFound)
        .filter_map(|(i, p)| p.updated.or(p.date).map(|d| (d, p.path.as_str(), i)))
        .collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    // A feed must say when it last changed; with no dated pages, the start of the epoch.
    let updated = entries.first().map(|e| e.0).unwrap_or_default();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        html_escape(&c.language)
    ));
    out.push_str(&format!("  <title>{}</title>\n", html_escape(&c.title)));
    out.push_str(&format!(
        "  <subtitle>New and updated pages from {}</subtitle>\n",
        html_escape(&c.organisation)
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        html_escape(&format!("{}{ATOM_FILE}", c.base_url))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        html_escape(&c.base_url)
    ));
    out.push_str(&format!("  <id>{}</id>\n", html_escape(&c.base_url)));
    out.push_str(&format!("  <updated>{}</updated>\n", timestamp(updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        html_escape(&c.organisation)
    ));
    for (d, path, i) in entries {
        let p = &tree.pages[i];
        let link = html_escape(&format!("{}{path}", c.base_url));
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", html_escape(&p.title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n"
        ));
        out.push_str(&format!("    <id>{link}</id>\n"));
        if let Some(published) = p.date {
            out.push_str(&format!(
                "    <published>{}</published>\n",
                timestamp(published)
            ));
        }
        out.push_str(&format!("    <updated>{}</updated>\n", timestamp(d)));
        if let Some(desc) = &p.description {
            out.push_str(&format!("    <summary>{}</summary>\n", html_escape(desc)));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// `robots.txt`: everything may be crawled; the sitemap is at its absolute address.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nDisallow:\n\nSitemap: {}{SITEMAP_FILE}\n",
        site.config.base_url
    )
}

/// `sitemap.xml`: every listed page, with absolute addresses, in address order.
pub fn sitemap(site: &Site, tree: &PageTree) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, &i) in &tree.by_path {
        let p = &tree.pages[i];
        if p.kind == Kind::NotFound {
            continue;
        }
        out.push_str("  <url>\n    <loc>");
        out.push_str(&html_escape(&format!("{}{}", site.config.base_url, path)));
        out.push_str("</loc>\n");
        if let Some(d) = p.updated.or(p.date) {
            out.push_str(&format!("    <lastmod>{d}</lastmod>\n"));
        }
        out.push_str("  </url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
