//! The theme's words in another language: the default site built with `language: cy` shows
//! none of the theme's English words (its own content stays as written), and its dates read
//! in Welsh.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// The literal parts of each English word in the theme's en.yaml (the text between its
/// `{placeholders}`), by key, trimmed of spaces and punctuation.
fn english_parts() -> Vec<(String, String)> {
    let text = read(&repo_root().join("themes/default/i18n/en.yaml"));
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        if line.starts_with(['#', ' ']) || key.is_empty() {
            continue;
        }
        let value = value.trim().trim_matches('"');
        let mut rest = value;
        let mut parts = Vec::new();
        while let Some(open) = rest.find('{') {
            parts.push(&rest[..open]);
            rest = rest[open..]
                .find('}')
                .map_or("", |close| &rest[open + close + 1..]);
        }
        parts.push(rest);
        for p in parts {
            let p = p.trim_matches(|c: char| c.is_whitespace() || ",.:;()".contains(c));
            if p.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
                out.push((key.to_string(), p.to_string()));
            }
        }
    }
    out
}

/// Every page's HTML, with the escapes the theme's words may come out with undone.
fn pages(out: &Path) -> BTreeMap<String, String> {
    tree(out)
        .into_iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(k, v)| {
            let html = String::from_utf8(v).unwrap();
            (k, html.replace("&#39;", "'").replace("&amp;", "&"))
        })
        .collect()
}

/// Whether `part` is in `html` as the theme would write it: a phrase anywhere, a single word
/// only as the whole text of an element or an attribute.
fn shows(html: &str, part: &str) -> bool {
    if part.contains(' ') {
        html.contains(part)
    } else {
        html.contains(&format!(">{part}<")) || html.contains(&format!("\"{part}\""))
    }
}

/// The words that read the same in Welsh: "Data: {title}".
const SAME_IN_WELSH: &[&str] = &["chart_data_label", "market_json_title"];

/// The English parts that the site's own files (its content and site.yaml) never contain.
fn theme_only(root: &Path) -> Vec<(String, String)> {
    let mut own = read(&root.join("site.yaml"));
    for (_, bytes) in tree(&root.join("content")) {
        own.push_str(&String::from_utf8_lossy(&bytes));
    }
    english_parts()
        .into_iter()
        .filter(|(k, p)| !own.contains(p.as_str()) && !SAME_IN_WELSH.contains(&k.as_str()))
        .collect()
}

fn built(language: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    copy_default_site(&root);
    let config = read(&root.join("site.yaml"));
    assert!(config.contains("language: en-GB"), "{config}");
    std::fs::write(
        root.join("site.yaml"),
        config.replace("language: en-GB", &format!("language: {language}")),
    )
    .unwrap();
    mps::build(&mps::BuildOptions {
        root: root.clone(),
        output: Some(root.join("public")),
        drafts: false,
    })
    .unwrap();
    (dir, root)
}

#[test]
fn a_welsh_site_shows_no_english_word_of_the_themes() {
    let (_dir, root) = built("cy");
    let parts = theme_only(&root);
    assert!(parts.len() > 150, "only {} parts to look for", parts.len());
    let mut found = Vec::new();
    for (page, html) in pages(&root.join("public")) {
        // The search page's own words belong to search.html and search.js.
        if page == "search/index.html" {
            continue;
        }
        for (key, part) in &parts {
            if shows(&html, part) {
                found.push(format!("{page}: `{key}` ({part})"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English in the Welsh site:\n{}",
        found.join("\n")
    );

    // The check can fail: the same site in English shows many of them.
    let (_dir, en_root) = built("en-GB");
    let en_pages = pages(&en_root.join("public"));
    let shown = parts
        .iter()
        .filter(|(_, p)| en_pages.values().any(|h| shows(h, p)))
        .count();
    assert!(
        shown > 80,
        "only {shown} English parts found in the English site"
    );
}

#[test]
fn a_welsh_site_writes_its_dates_in_welsh() {
    let (_dir, root) = built("cy");
    let pages = pages(&root.join("public"));
    let home = &pages["index.html"];
    assert!(home.contains("<html lang=\"cy\">"), "{home}");
    // Every page that says when it was last updated says it in Welsh.
    let months = [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ];
    let mut dated = 0;
    for (page, html) in &pages {
        let Some(at) = html.find("<dt>Diweddarwyd ddiwethaf</dt><dd>") else {
            continue;
        };
        dated += 1;
        let rest = &html[at + "<dt>Diweddarwyd ddiwethaf</dt><dd>".len()..];
        let date = &rest[..rest.find('<').unwrap()];
        let words: Vec<&str> = date.split(' ').collect();
        assert!(
            words.len() == 3 && months.contains(&words[1]),
            "{page}: {date}"
        );
    }
    assert!(dated > 10, "only {dated} pages say when they were updated");
    // Month and year (a plan entry's expected start) and a chart's periods too.
    let plan = &pages["plan/index.html"];
    assert!(
        months
            .iter()
            .any(|m| plan.contains(&format!("<td data-label=\"Dechrau disgwyliedig\">{m} "))),
        "no Welsh month in the plan's table"
    );
    assert!(
        plan.contains("Ebr–Meh 2019"),
        "no Welsh quarter in the chart"
    );
}
