//! Link checking of the rendered output: every internal `href` and `src` must reach a file the
//! build writes, and every `#fragment` an `id` in the target page. Templates are checked too,
//! since this runs on the finished HTML. Linear in the number of links.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use lol_html::{element, HtmlRewriter, Settings};
use percent_encoding::percent_decode_str;

use crate::error::Diagnostic;
use crate::urls;

/// What one output page links to and which fragments it offers.
#[derive(Debug, Clone, Default)]
pub struct PageLinks {
    pub output: String,
    pub source: PathBuf,
    pub template: String,
    pub links: Vec<String>,
    pub ids: BTreeSet<String>,
}

/// Reads the links and ids of one page.
pub fn scan(output: &str, html: &str, source: PathBuf, template: &str) -> PageLinks {
    let mut links = Vec::new();
    let mut srcs = Vec::new();
    let mut ids = BTreeSet::new();
    {
        let mut rewriter = HtmlRewriter::new(
            Settings {
                element_content_handlers: vec![
                    element!("[href]", |el| {
                        if let Some(v) = el.get_attribute("href") {
                            links.push(v);
                        }
                        Ok(())
                    }),
                    element!("[src]", |el| {
                        if let Some(v) = el.get_attribute("src") {
                            srcs.push(v);
                        }
                        Ok(())
                    }),
                    element!("[id]", |el| {
                        if let Some(v) = el.get_attribute("id") {
                            ids.insert(v);
                        }
                        Ok(())
                    }),
                ],
                ..Settings::new()
            },
            |_: &[u8]| {},
        );
        // Our own HTML is always parseable; a failure here would only lose link checks.
        let _ = rewriter.write(html.as_bytes());
        let _ = rewriter.end();
    }
    links.extend(srcs);
    PageLinks {
        output: output.to_string(),
        source,
        template: template.to_string(),
        links: links.into_iter().map(|l| l.replace("&amp;", "&")).collect(),
        ids,
    }
}

fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    match href.find(':') {
        Some(i) => !href[..i].contains('/') && !href[..i].contains('#') && !href[..i].contains('?'),
        None => false,
    }
}

/// Checks all links. `files` holds every file the build writes (pages and assets); `base_path`
/// is the path part of the base URL, which root-relative links (in the 404 page) start with.
pub fn check(pages: &[PageLinks], files: &BTreeSet<String>, base_path: &str) -> Vec<Diagnostic> {
    let ids: BTreeMap<&str, &BTreeSet<String>> =
        pages.iter().map(|p| (p.output.as_str(), &p.ids)).collect();
    let mut problems = Vec::new();
    for page in pages {
        for link in &page.links {
            if link.is_empty() || is_external(link) {
                continue;
            }
            if let Some(reason) = broken(link, page, files, &ids, base_path) {
                problems.push(describe(page, link, &reason));
            }
        }
    }
    problems
}

fn broken(
    link: &str,
    page: &PageLinks,
    files: &BTreeSet<String>,
    ids: &BTreeMap<&str, &BTreeSet<String>>,
    base_path: &str,
) -> Option<String> {
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let target = if path.is_empty() {
        page.output.clone()
    } else {
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let resolved = if let Some(abs) = decoded.strip_prefix('/') {
            match ("/".to_string() + abs).strip_prefix(base_path) {
                Some(rest) => Some(rest.to_string()),
                None => {
                    return Some(format!(
                        "it starts with `/` but the site lives at `{base_path}`"
                    ))
                }
            }
        } else {
            urls::join(urls::parent(&page.output), &decoded)
        };
        let Some(mut t) = resolved else {
            return Some("it points above the top of the site".into());
        };
        if t.is_empty() || decoded.ends_with('/') {
            if !t.is_empty() {
                t.push('/');
            }
            t.push_str("index.html");
        }
        t
    };
    if !files.contains(&target) {
        return Some(format!("nothing is published at `{target}`"));
    }
    match fragment {
        Some(f) if !f.is_empty() && target.ends_with(".html") => {
            let f = percent_decode_str(f).decode_utf8_lossy();
            match ids.get(target.as_str()) {
                Some(set) if set.contains(f.as_ref()) => None,
                Some(_) => Some(format!(
                    "`{target}` has no heading or element with id `{f}`"
                )),
                None => None,
            }
        }
        _ => None,
    }
}

fn describe(page: &PageLinks, link: &str, reason: &str) -> Diagnostic {
    let text = std::fs::read_to_string(&page.source).unwrap_or_default();
    let trimmed = link.trim_end_matches("index.html");
    let needles = [link, trimmed, link.split('#').next().unwrap_or(link)];
    let found = needles
        .iter()
        .filter(|n| !n.is_empty())
        .find_map(|n| text.find(*n))
        .map(|off| crate::error::line_col(&text, off));
    let mut d = Diagnostic::error(
        &page.source,
        format!("broken link `{link}` on page {}: {reason}", page.output),
    );
    match found {
        Some((line, col)) => {
            d = d
                .at(Some(line), Some(col))
                .help("correct the address; to link another page, use its file path, such as `../plan/_index.md`");
        }
        None => {
            d = d.help(format!(
                "the link comes from template `{}`; correct it there or add the page it points to",
                page.template
            ));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_broken_pages_and_fragments() {
        let a = scan(
            "plan/index.html",
            r##"<a href="../index.html#top">x</a><a href="../nope/index.html">y</a><a href="#here">z</a><a href="https://x.org/">w</a><a href="mailto:a@b.c">m</a><img src="../style.css"><h2 id="here">H</h2>"##,
            PathBuf::from("content/plan/_index.md"),
            "plan.html",
        );
        let home = scan(
            "index.html",
            r#"<p id="top"></p><a href="plan/#gone">p</a>"#,
            PathBuf::from("content/_index.md"),
            "index.html",
        );
        let all = files(&["index.html", "plan/index.html", "style.css"]);
        let problems = check(&[a, home], &all, "/");
        let msgs: Vec<_> = problems.iter().map(|d| d.message.clone()).collect();
        assert_eq!(problems.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("nope/index.html"));
        assert!(msgs[1].contains("no heading or element with id `gone`"));
    }

    #[test]
    fn root_relative_links_use_the_base_path() {
        let nf = scan(
            "404.html",
            r#"<a href="/mps/plan/index.html">p</a><a href="/other/">o</a>"#,
            PathBuf::from("site.yaml"),
            "404.html",
        );
        let problems = check(&[nf], &files(&["plan/index.html", "404.html"]), "/mps/");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("/other/"));
    }
}
