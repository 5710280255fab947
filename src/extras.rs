//! Files made from the whole site besides its pages: the plan's open data, the search index, the
//! Atom feed and `robots.txt`. The build writes them after the pages and checks links to them.

use crate::error::Diagnostic;
use crate::model::Site;
use crate::pages::PageTree;

/// Files the site's own static files may replace (a council may want its own `robots.txt`).
pub const REPLACEABLE: &[&str] = &["robots.txt"];

/// Every extra file of the site: (output path, bytes), in a fixed order.
pub fn files(site: &Site, tree: &PageTree) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
    let _ = tree;
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, bytes) in crate::opendata::files(site).map_err(|d| vec![d])? {
        out.push((name.to_string(), bytes));
    }
    out.extend(crate::charts::csv_files(site).map_err(|d| vec![d])?);
    Ok(out)
}
