//! Finding things: the search index (`search-index.json`) that the theme's `search.js` reads in
//! the browser, and the HTML site map that serves readers without JavaScript.
//!
//! The index is made from the model (Markdown bodies as plain text, and the data behind the
//! generated pages), so it is the same on every build and needs no server.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Site;
use crate::pages::{Kind, PageTree, PlannedPage};
use crate::urls;
use crate::words::Words;

/// Output file of the search index.
pub const INDEX_FILE: &str = "search-index.json";

/// Longest plain text kept for one page, in characters: enough to find a page by the words
/// in it and show a snippet, without making the index heavy.
const MAX_TEXT: usize = 1500;
// A page's rendering keeps enough of its words for the index, and for the `…` of a cut.
const _: () = assert!(MAX_TEXT < crate::markdown::WORDS_KEPT);

#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry<'a> {
    pub title: &'a str,
    /// Title of the top-level section the page is in (the theme's word for `home` for
    /// top-level pages).
    pub section: &'a str,
    /// Output file relative to the site root: `plan/index.html`.
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// The page's words as plain text, trimmed.
    pub text: String,
}

fn searchable(p: &PlannedPage) -> bool {
    // An earlier edition's entries would stand beside the current ones with the same words;
    // the edition's own page is found, and leads to them.
    !matches!(
        p.kind,
        Kind::NotFound | Kind::Search | Kind::SiteMap | Kind::EditionEntry(..)
    )
}

/// The title of the top-level section holding `path`; top-level pages are in `Home`, in the
/// words `w`.
fn section_of<'a>(tree: &'a PageTree, path: &str, w: &'a Words) -> &'a str {
    let top = match path.find('/') {
        Some(i) if i + 1 < path.len() => &path[..=i],
        _ => "",
    };
    match tree.by_path.get(top) {
        Some(&i) if !top.is_empty() => &tree.pages[i].title,
        _ => w.get("home"),
    }
}

/// The index entry of page `p`, or `None` for a page the index leaves out. `words`: a Markdown
/// page's words, as its rendering found them (see `markdown::Rendered::words`).
pub fn entry<'a>(
    site: &Site,
    tree: &'a PageTree,
    p: &'a PlannedPage,
    words: Option<&str>,
    w: &'a Words,
) -> Option<IndexEntry<'a>> {
    searchable(p).then(|| IndexEntry {
        title: &p.title,
        section: section_of(tree, &p.path, w),
        url: urls::output_file(&p.path),
        description: p.description.as_deref(),
        text: trim(&page_text(site, p, words, w), MAX_TEXT),
    })
}

/// One entry of the index, serialised. Entries are made with their pages, on many threads; the
/// index is then only their concatenation.
#[derive(Debug, Clone)]
pub struct IndexPart {
    url: String,
    json: Vec<u8>,
}

impl IndexPart {
    /// The page's output file, which the index is in the order of.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl IndexEntry<'_> {
    pub fn serialised(&self) -> serde_json::Result<IndexPart> {
        // Room for the entry as it is and a little escaping, so that the buffer is not grown
        // (and copied) four or five times on the way.
        let size = self.title.len()
            + self.section.len()
            + self.url.len()
            + self.description.map_or(0, str::len)
            + self.text.len()
            + 64;
        let mut json = Vec::with_capacity(size + size / 16);
        serde_json::to_writer(&mut json, self)?;
        Ok(IndexPart {
            url: self.url.clone(),
            json,
        })
    }
}

/// `search-index.json` (`{"pages":[...]}`, entries by address), compact: it is read by a
/// script, not by people.
pub fn index_json(mut parts: Vec<IndexPart>) -> Vec<u8> {
    parts.sort_unstable_by(|a, b| a.url.cmp(&b.url));
    index_json_sorted(parts.iter())
}

/// [`index_json`] of entries already in address order (the preview keeps them so).
pub fn index_json_sorted<'a>(parts: impl Iterator<Item = &'a IndexPart> + Clone) -> Vec<u8> {
    let len = parts.clone().map(|p| p.json.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(len + 12);
    out.extend_from_slice(b"{\"pages\":[");
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&p.json);
    }
    out.extend_from_slice(b"]}");
    out
}

/// The words of one page, whitespace squashed.
fn page_text<'a>(site: &Site, p: &PlannedPage, words: Option<&'a str>, w: &Words) -> Cow<'a, str> {
    let d = &site.data;
    let mut parts: Vec<String> = Vec::new();
    match p.kind {
        Kind::Content(_) => return Cow::Borrowed(words.unwrap_or_default()),
        Kind::Principle(i) => {
            if let Some(pr) = d.principles.get(i) {
                parts.push(pr.summary.clone());
                parts.extend(pr.in_practice.iter().cloned());
            }
        }
        Kind::Theme(i) => {
            if let Some(t) = d.themes.get(i) {
                parts.push(t.summary.clone());
                parts.extend(t.outcomes.iter().cloned());
            }
        }
        Kind::Procurement(i) => {
            if let Some(e) = d.plan.as_ref().and_then(|plan| plan.entries.get(i)) {
                parts.extend(e.description.iter().map(|t| sentence(t)));
                parts.push(format!(
                    "{}: {}",
                    w.get("social_value"),
                    sentence(&e.social_value)
                ));
                parts.push(format!(
                    "{}. {}. {}. {}.",
                    e.department.trim_end_matches('.'),
                    e.route.trim_end_matches('.'),
                    w.get(e.status.word()),
                    w.fill("search_reference", &[("id", &e.id)])
                ));
            }
        }
        Kind::Market(i) => {
            if let Some(m) = d.markets.get(i) {
                parts.extend(crate::market_views::search_words(&m.market, w));
            }
        }
        Kind::Accessibility => {
            parts.push(w.get("search_accessibility_text").to_string());
        }
        Kind::Edition(i) => {
            if let Some(ed) = d.editions.get(i) {
                parts.extend(ed.plan.note.iter().cloned());
                parts.extend(ed.plan.entries.iter().map(|e| e.title.clone()));
            }
        }
        Kind::Search | Kind::SiteMap | Kind::NotFound | Kind::EditionEntry(..) => {}
    }
    Cow::Owned(squash(&parts.join(" ")))
}

/// `text`, ending with a full stop.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Runs of whitespace become one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, cut at a word boundary.
fn trim(s: &str, max: usize) -> String {
    // Where character `max` starts, if there is one: the text is cut there.
    let Some((end, _)) = s.char_indices().nth(max) else {
        return s.to_string();
    };
    let cut = &s[..end];
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

/// One page in the site map, with the pages under it.
#[derive(Debug, Clone, Serialize)]
pub struct MapNode {
    pub title: String,
    /// Output file relative to the site root.
    pub href: String,
    pub children: Vec<MapNode>,
}

/// Every page, nested by section, starting from the home page (or the top-level pages when
/// there is no home page).
pub fn site_map(tree: &PageTree) -> Vec<MapNode> {
    let mut under: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in tree.pages.iter().enumerate() {
        if matches!(p.kind, Kind::NotFound) || p.path.is_empty() {
            continue;
        }
        let parent = p.parent.clone().unwrap_or_default();
        under.entry(parent).or_default().push(i);
    }
    for list in under.values_mut() {
        list.sort_by(|&a, &b| {
            let (a, b) = (&tree.pages[a], &tree.pages[b]);
            // Pages written in Markdown first, then earlier editions (newest first), then the
            // plan's entries, in plan order.
            let entry = |p: &PlannedPage| match p.kind {
                Kind::Edition(_) => 1,
                Kind::Procurement(_) | Kind::EditionEntry(..) => 2,
                _ => 0,
            };
            (entry(a), a.weight, &a.title, &a.path).cmp(&(entry(b), b.weight, &b.title, &b.path))
        });
    }
    fn node(tree: &PageTree, under: &BTreeMap<String, Vec<usize>>, i: usize) -> MapNode {
        let p = &tree.pages[i];
        MapNode {
            title: p.title.clone(),
            href: urls::output_file(&p.path),
            children: under
                .get(&p.path)
                .map(|c| c.iter().map(|&c| node(tree, under, c)).collect())
                .unwrap_or_default(),
        }
    }
    match tree.by_path.get("") {
        Some(&home) => vec![node(tree, &under, home)],
        None => under
            .get("")
            .map(|c| c.iter().map(|&c| node(tree, &under, c)).collect())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_entries_in_address_order_as_one_json_document() {
        let entry = |url: &str, title: &'static str| IndexEntry {
            title,
            section: "Home",
            url: url.to_string(),
            description: None,
            text: format!("Words of \"{title}\"."),
        };
        let parts: Vec<IndexPart> = [
            entry("plan/index.html", "Plan"),
            entry("index.html", "Home"),
        ]
        .iter()
        .map(|e| e.serialised().expect("serialises"))
        .collect();
        let json: serde_json::Value =
            serde_json::from_slice(&index_json(parts)).expect("valid JSON");
        let pages = json["pages"].as_array().expect("pages");
        let urls: Vec<&str> = pages.iter().filter_map(|p| p["url"].as_str()).collect();
        assert_eq!(urls, ["index.html", "plan/index.html"]);
        assert_eq!(pages[1]["text"], "Words of \"Plan\".");
        assert!(pages[0].get("description").is_none());
        assert_eq!(index_json(Vec::new()), b"{\"pages\":[]}");
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        assert_eq!(trim("one two three", 9), "one two…");
        assert_eq!(trim("short", 9), "short");
        assert_eq!(trim("exactly 9", 9), "exactly 9");
        assert_eq!(trim(&"é".repeat(10), 9), format!("{}…", "é".repeat(9)));
        assert_eq!(trim("ab cdé fgh", 8), "ab cdé…");
    }
}
