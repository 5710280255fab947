//! Files made from the whole site besides its pages: the plan's open data, the search index, the
//! Atom feed and `robots.txt`. The build writes them after the pages and checks links to them.

use std::collections::BTreeMap;

use crate::error::Diagnostic;
use crate::model::Site;
use crate::pages::PageTree;

/// Files the site's own static files may replace (a council may want its own `robots.txt`).
pub const REPLACEABLE: &[&str] = &["robots.txt"];

/// Every extra file of the site: (output path, bytes), in a fixed order.
/// `texts` holds the search words of Markdown pages, by source path relative to `content/`.
pub fn files(
    site: &Site,
    tree: &PageTree,
    texts: &BTreeMap<&str, &str>,
) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
    // The search index is the biggest of these: it is made while the others are.
    let (index, data) = rayon::join(
        || crate::search::index_json(site, tree, texts),
        || -> Result<_, Diagnostic> {
            Ok((
                crate::opendata::files(site)?,
                crate::charts::csv_files(site)?,
            ))
        },
    );
    let (open, csv) = data.map_err(|d| vec![d])?;
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, bytes) in open {
        out.push((name.to_string(), bytes));
    }
    out.extend(csv);
    match index {
        Ok(bytes) => out.push((crate::search::INDEX_FILE.to_string(), bytes)),
        Err(e) => {
            return Err(vec![Diagnostic::error(
                site.root.join("site.yaml"),
                format!("could not write the search index: {e}"),
            )
            .help("this is a bug in mps; please report it")])
        }
    }
    out.push((
        crate::feeds::ATOM_FILE.to_string(),
        crate::feeds::atom(site, tree).into_bytes(),
    ));
    out.push((
        crate::feeds::ROBOTS_FILE.to_string(),
        crate::feeds::robots(site).into_bytes(),
    ));
    Ok(out)
}
