//! Hostile and unusual content: unsafe raw HTML, links with script schemes, pages at generated
//! pages' addresses, colliding ids, Welsh names, broken links and bad bytes at their lines.
//! Each test builds its own small site in a temp folder (see `common`).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use mps::{build, BuildOptions, Diagnostic};

/// The other council's site with `extra` files added (or replaced).
fn site_with(extra: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write_files(&root, &other_council());
    write_files(&root, extra);
    (dir, root)
}

fn build_site(root: &Path) -> mps::Result<mps::BuildSummary> {
    build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(root.join("public")),
        drafts: false,
    })
}

/// The build's errors, as (file name, line, message).
fn errors(root: &Path) -> Vec<(String, Option<usize>, String, Diagnostic)> {
    let err = build_site(root).expect_err("the build should fail");
    assert!(
        !root.join("public").exists(),
        "a failed build publishes nothing"
    );
    err.diagnostics()
        .into_iter()
        .map(|d| {
            (
                d.file
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                d.line,
                d.message.clone(),
                d,
            )
        })
        .collect()
}

const FRONT: &str = "---\ntitle: About this site\ndescription: Who we are.\n---\n";

#[test]
fn unsafe_raw_html_and_links_are_errors_at_their_lines() {
    // Line 5 is the first line of the body.
    let body = "Intro.\n\
        \n\
        <div class=\"note\">\n\
        <script>alert(1)</script>\n\
        </div>\n\
        \n\
        Text <img src=\"x.png\" alt=\"x\" onerror=\"alert(1)\"> more.\n\
        \n\
        <iframe src=\"https://video.example/\"></iframe>\n\
        \n\
        A [bad link](javascript:alert(1)) and [data](data:text/html,<b>x</b>).\n\
        \n\
        <a href=\"JaVaScRiPt:alert(1)\">x</a> <p style=\"color:red\">s</p>\n\
        \n\
        <object data=\"x.swf\"></object><embed src=\"x\"><style>p{}</style>\n";
    let page = format!("{FRONT}{body}");
    let (_dir, root) = site_with(&[("content/about.md", &page)]);
    let errs = errors(&root);
    let found: Vec<(Option<usize>, &str)> = errs
        .iter()
        .filter(|e| e.0 == "about.md")
        .map(|e| (e.1, e.2.as_str()))
        .collect();
    let expect = [
        (8, "`<script>`"),
        (11, "the `onerror` attribute of `<img>`"),
        (13, "`<iframe>`"),
        (15, "the link to `javascript:alert(1)`"),
        (15, "the link to `data:text/html,<b>x</b>`"),
        (17, "the `javascript:` address in the `href` of `<a>`"),
        (17, "the `style` attribute of `<p>`"),
        (19, "`<object>`"),
        (19, "`<embed>`"),
        (19, "`<style>`"),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for ((line, what), (got_line, msg)) in expect.iter().zip(&found) {
        assert_eq!(*got_line, Some(*line), "{msg}");
        assert!(msg.starts_with(what), "{msg} should start with {what}");
        assert!(msg.contains("cannot be published"), "{msg}");
    }
    // Each says how to do it safely.
    let helps: Vec<String> = errs
        .iter()
        .map(|e| e.3.help.clone().unwrap_or_default())
        .collect();
    assert!(helps[2].contains("linking to it"), "{helps:?}");
    assert!(helps[0].contains("scripts"), "{helps:?}");
    // The script's column is where the tag starts.
    assert_eq!(errs[0].3.column, Some(1));
}

#[test]
fn safe_raw_html_is_published_as_written() {
    let body = "<details>\n<summary>More about us</summary>\n\nWe are a team.\n\n</details>\n\n\
        <table>\n<caption>Contacts</caption>\n<tr><th>Team</th></tr>\n<tr><td>Us</td></tr>\n</table>\n\n\
        <figure><img src=\"https://www.northam.example/logo.png\" alt=\"Our logo\"></figure>\n\n\
        See <a href=\"https://www.northam.example/\" title=\"Home\">our home page</a>.\n";
    let page = format!("{FRONT}{body}");
    let (_dir, root) = site_with(&[("content/about.md", &page)]);
    build_site(&root).unwrap();
    let html = read(&root.join("public/about/index.html"));
    for kept in [
        "<details>\n<summary>More about us</summary>",
        "<caption>Contacts</caption>",
        "<img src=\"https://www.northam.example/logo.png\" alt=\"Our logo\">",
        "<a href=\"https://www.northam.example/\" title=\"Home\">our home page</a>",
    ] {
        assert!(html.contains(kept), "{kept} missing from {html}");
    }
}

#[test]
fn allow_unsafe_html_keeps_it_and_check_lists_each() {
    let site_yaml = format!("{SITE_YAML}markdown:\n  allow_unsafe_html: true\n");
    let page = format!("{FRONT}Intro.\n\n<script>track()</script>\n\n[x](javascript:go())\n");
    let (_dir, root) = site_with(&[("site.yaml", &site_yaml), ("content/about.md", &page)]);
    build_site(&root).unwrap();
    let html = read(&root.join("public/about/index.html"));
    assert!(html.contains("<script>track()</script>"), "{html}");
    assert!(html.contains("href=\"javascript:go()\""), "{html}");
    let found = mps::check::check(&mps::check::CheckOptions {
        root: root.clone(),
        drafts: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    });
    let unsafe_ones: Vec<_> = found
        .iter()
        .filter(|d| d.message.contains("allow_unsafe_html"))
        .collect();
    assert_eq!(unsafe_ones.len(), 2, "{found:#?}");
    assert!(unsafe_ones
        .iter()
        .all(|d| d.severity == mps::error::Severity::Warning));
    assert_eq!(unsafe_ones[0].line, Some(7));
    assert_eq!(unsafe_ones[1].line, Some(9));
    // And a site without the setting refuses it.
    let (_dir2, strict) = site_with(&[("content/about.md", &page)]);
    assert_eq!(errors(&strict).len(), 2);
}

#[test]
fn an_unknown_markdown_key_in_site_yaml_is_refused() {
    let site_yaml = format!("{SITE_YAML}markdown:\n  allow_unsafe: true\n");
    let (_dir, root) = site_with(&[("site.yaml", &site_yaml)]);
    let errs = errors(&root);
    assert!(
        errs.iter().any(|e| e.0 == "site.yaml"),
        "{:?}",
        errs.iter().map(|e| &e.2).collect::<Vec<_>>()
    );
}

#[test]
fn broken_links_and_anchors_name_their_markdown_line() {
    let body = "Intro.\n\n\
        See [the principles](principles/_index.md#no-such-heading).\n\n\
        And [a folder](nowhere/) and [again](nowhere/).\n\n\
        Fine: [top](principles/_index.md#top-of-list).\n";
    let page = format!("{FRONT}{body}");
    let (_dir, root) = site_with(&[("content/about.md", &page)]);
    let errs = errors(&root);
    let found: Vec<(Option<usize>, Option<usize>)> = errs
        .iter()
        .filter(|e| e.0 == "about.md")
        .map(|e| (e.1, e.3.column))
        .collect();
    assert_eq!(
        found,
        [(Some(7), Some(5)), (Some(9), Some(5)), (Some(9), Some(30))],
        "{:#?}",
        errs.iter().map(|e| &e.2).collect::<Vec<_>>()
    );
    assert!(errs[0].2.contains("no-such-heading"), "{}", errs[0].2);
}

#[test]
fn broken_links_in_a_pages_own_html_name_their_markdown_line() {
    let body = "Intro.\n\n\
        <p>See <a href=\"nope/\">raw link</a>.</p>\n\n\
        Text <img src=\"x.png\" alt=\"X\"> inline.\n";
    let page = format!("{FRONT}{body}");
    let (_dir, root) = site_with(&[("content/about.md", &page)]);
    let errs = errors(&root);
    let found: Vec<(&str, Option<usize>, Option<usize>)> = errs
        .iter()
        .map(|e| (e.0.as_str(), e.1, e.3.column))
        .collect();
    assert_eq!(
        found,
        [
            ("about.md", Some(7), Some(11)),
            ("about.md", Some(9), Some(11))
        ],
        "{:#?}",
        errs.iter().map(|e| &e.2).collect::<Vec<_>>()
    );
    assert!(errs[0].2.contains("`nope/`"), "{}", errs[0].2);
    assert!(!errs[0].2.contains("template"), "{}", errs[0].2);
    // An HTML link is published as written: a file path there is no page's address.
    let help = errs[0].3.help.clone().unwrap_or_default();
    assert!(help.contains("Markdown link"), "{help}");
}

#[test]
fn broken_links_in_templates_name_the_template() {
    let template = "{% extends \"base.html\" %}{% block content %}<a href=\"{{ root }}missing/index.html\">x</a>{{ page.content | safe }}{% endblock content %}";
    let page =
        "---\ntitle: About this site\ndescription: Who we are.\ntemplate: odd.html\n---\nText.\n";
    let (_dir, root) = site_with(&[("templates/odd.html", template), ("content/about.md", page)]);
    let errs = errors(&root);
    assert_eq!(
        errs.len(),
        1,
        "{:#?}",
        errs.iter().map(|e| &e.2).collect::<Vec<_>>()
    );
    assert!(
        errs[0].3.file.ends_with("templates/odd.html"),
        "{:?}",
        errs[0].3.file
    );
    assert!(errs[0].2.contains("missing/index.html"), "{}", errs[0].2);
}

#[test]
fn an_image_without_alt_in_raw_html_is_reported_at_its_own_line() {
    let body = "Intro.\n\n<div>\n<p>One</p>\n<img src=\"a.png\">\n</div>\n\nText <img src=\"b.png\"> too.\n";
    let page = format!("{FRONT}{body}");
    let (_dir, root) = site_with(&[("content/about.md", &page)]);
    let found = mps::check::check(&mps::check::CheckOptions {
        root: root.clone(),
        drafts: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    });
    let alts: Vec<_> = found
        .iter()
        .filter(|d| d.message.contains("no alt attribute"))
        .map(|d| (d.line, d.column))
        .collect();
    assert_eq!(
        alts,
        [(Some(9), Some(1)), (Some(12), Some(6))],
        "{found:#?}"
    );
}

#[test]
fn invalid_utf8_names_the_line_of_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write_files(&root, &other_council());
    std::fs::write(
        root.join("content/about.md"),
        b"---\ntitle: About\ndescription: Who.\n---\nOne.\n\nCaf\xe9 two.\n",
    )
    .unwrap();
    let errs = errors(&root);
    let e = errs.iter().find(|e| e.0 == "about.md").expect("an error");
    assert_eq!((e.1, e.3.column), (Some(7), Some(4)), "{}", e.2);
    assert!(e.2.contains("UTF-8"), "{}", e.2);
}

#[test]
fn a_content_page_may_not_take_a_generated_pages_address() {
    let page = "---\ntitle: Mine\ndescription: Mine.\n---\nMine.\n";
    let (_dir, root) = site_with(&[
        ("content/accessibility.md", page),
        ("content/search.md", page),
        ("content/principles/listen-first.md", page),
    ]);
    let errs = errors(&root);
    let msgs: Vec<_> = errs.iter().map(|e| (e.0.as_str(), e.2.as_str())).collect();
    let find = |file: &str| {
        msgs.iter()
            .find(|(f, _)| *f == file)
            .unwrap_or_else(|| panic!("no error for {file}: {msgs:#?}"))
            .1
    };
    assert!(find("accessibility.md").contains("the accessibility statement"));
    assert!(find("accessibility.md").contains("site.yaml"));
    assert!(find("search.md").contains("the search page"));
    assert!(find("listen-first.md").contains("principles.yaml"));
    let help = errs
        .iter()
        .find(|e| e.0 == "search.md")
        .and_then(|e| e.3.help.clone())
        .unwrap();
    assert!(
        help.contains("`search.html`") && help.contains("templates/"),
        "{help}"
    );
}

#[test]
fn footnote_and_heading_ids_never_collide() {
    let body = "## Note\n\nSee this[^note] and [the heading](#note-1).\n\n## Other\n\n[^note]: The note.\n";
    let page = format!("{FRONT}{body}");
    let (_dir, root) = site_with(&[("content/about.md", &page)]);
    build_site(&root).unwrap();
    let html = read(&root.join("public/about/index.html"));
    assert!(html.contains("<h2 id=\"note-1\">Note</h2>"), "{html}");
    assert!(html.contains("<h2 id=\"other\">Other</h2>"), "{html}");
    assert!(html.contains("id=\"note\""), "{html}");
    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids in {html}");
}

#[test]
fn welsh_names_publish_at_welsh_addresses() {
    let page = "---\ntitle: Tŷ Gwyn\ndescription: Y tŷ gwyn.\n---\n## Cân yr ŵyn\n\nSee [the lambs](#cân-yr-ŵyn) and [home](_index.md).\n";
    let home = "---\ntitle: Commissioning in Northam\ndescription: How Northam buys services.\n---\nRead [our plan](plan/_index.md), the [biggest contracts](plan/largest.md), [Tŷ Gwyn](tŷ-gwyn.md) and [ŵyn](themes/ŵyn/).\n";
    let themes = THEMES_YAML.replace("slug: good-growth", "slug: ŵyn");
    let plan = PLAN_YAML.replace("theme: good-growth", "theme: ŵyn");
    let principles = PRINCIPLES_YAML.replace("slug: spend-wisely", "slug: gwario-â-gofal");
    let (_dir, root) = site_with(&[
        ("content/tŷ-gwyn.md", page),
        ("content/_index.md", home),
        ("content/data/themes.yaml", &themes),
        ("content/data/plan.yaml", &plan),
        ("content/data/principles.yaml", &principles),
    ]);
    build_site(&root).unwrap();
    let out = root.join("public");
    let page = read(&out.join("tŷ-gwyn/index.html"));
    assert!(page.contains("<h2 id=\"cân-yr-ŵyn\">"), "{page}");
    assert!(out.join("themes/ŵyn/index.html").exists());
    assert!(out.join("principles/gwario-â-gofal/index.html").exists());
    let home = read(&out.join("index.html"));
    assert!(home.contains("href=\"t%C5%B7-gwyn/index.html\""), "{home}");
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains("t%C5%B7-gwyn/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("tŷ"), "{sitemap}");
    // A capital is not a lower-case letter.
    let (_dir2, root2) = site_with(&[("content/TŶ.md", "---\ntitle: T\n---\nT\n")]);
    let errs = errors(&root2);
    assert!(errs[0].2.contains("TŶ.md"), "{}", errs[0].2);
}
