//! Charts in built sites: accessible SVG that parses as XML, numbers that match the data, a
//! table and CSV for each chart, identical bytes on every build, and mistakes in chart
//! definitions reported with file and line.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use mps::{build, BuildOptions};

/// One chart of each kind, two derived from the fixture plan and three inline.
const CHARTS_YAML: &str = r##"charts:
  - id: spend-by-theme
    title: Spend by theme
    kind: bar
    unit: money
    data:
      source: plan-value-by-theme
  - id: count-by-theme
    title: Procurements by theme
    kind: column
    unit: count
    data:
      source: plan-count-by-theme
  - id: starts
    title: Starts by quarter
    kind: timeline
    unit: count
    data:
      source: plan-starts-by-quarter
  - id: largest
    title: Largest procurements
    kind: bar
    unit: money
    data:
      source: plan-largest
      limit: 2
  - id: care-mix
    title: Care by setting
    kind: stacked
    unit: count
    data:
      categories: ["2019", "2020"]
      series:
        - name: At home
          values: [120, 140]
        - name: Care homes
          values: [80, 70]
  - id: population
    title: Population projection
    kind: line
    unit: number
    y_label: People
    source_name: ONS projections
    source_url: https://www.ons.gov.uk/
    data:
      categories: ["2020", "2025", "2030"]
      series:
        - name: Aged 65 and over
          values: [32000, 35500, 39000]
        - name: Aged 85 and over
          values: [4800, 5400, 6300]
"##;

const PAGE: &str = "---\ntitle: Charts\ndescription: Every chart.\n---\nIntro.\n\n{{ chart(id=\"spend-by-theme\") }}\n\n{{ chart(id=\"count-by-theme\") }}\n\n{{ chart(id=\"starts\") }}\n\n{{ chart(id=\"largest\") }}\n\n{{ chart(id=\"care-mix\") }}\n\n{{ chart(id=\"population\") }}\n";

fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let mut files = other_council();
    files.push(("content/data/charts.yaml", CHARTS_YAML));
    files.push(("content/charts.md", PAGE));
    write_files(&root, &files);
    (dir, root)
}

fn build_to(root: &Path, out: &Path) -> mps::Result<mps::BuildSummary> {
    build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        drafts: false,
    })
}

/// The `<svg>...</svg>` elements of a page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("svg is closed") + start + 6;
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Every text label drawn in an SVG.
fn labels(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

fn chart_svg<'a>(html: &'a str, id: &str) -> &'a str {
    svgs(html)
        .into_iter()
        .find(|s| s.contains(&format!("chart-{id}-title")))
        .unwrap_or_else(|| panic!("no chart {id}"))
}

#[test]
fn charts_are_accessible_svg_with_their_data() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    build_to(&root, &out).unwrap();
    let html = read(&out.join("charts/index.html"));
    let all = svgs(&html);
    assert_eq!(all.len(), 6, "{html}");
    for svg in &all {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        let el = doc.root_element();
        assert_eq!(el.attribute("role"), Some("img"));
        let viewbox = el.attribute("viewBox").unwrap();
        assert!(viewbox.starts_with("0 0 400 "), "{viewbox}");
        assert!(el.attribute("width").is_none() && el.attribute("height").is_none());
        let ids: Vec<&str> = el
            .attribute("aria-labelledby")
            .unwrap()
            .split(' ')
            .collect();
        assert_eq!(ids.len(), 2);
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
        assert_eq!(title.attribute("id"), Some(ids[0]));
        assert_eq!(desc.attribute("id"), Some(ids[1]));
        assert!(!title.text().unwrap().is_empty());
        assert!(desc.text().unwrap().ends_with('.'), "{:?}", desc.text());
    }

    // Healthy Lives: 2,500,000 + 1,200,000; Good Growth: 400,000.
    let spend = chart_svg(&html, "spend-by-theme");
    let drawn = labels(spend);
    for want in ["Healthy Lives", "£3.7m", "Good Growth", "£400k"] {
        assert!(drawn.iter().any(|l| l == want), "{want} not in {drawn:?}");
    }
    assert!(spend.contains(
        "Healthy Lives is the largest at £3.7m, and Good Growth the smallest at £400k, of £4.1m in all."
    ));
    let counts = labels(chart_svg(&html, "count-by-theme"));
    assert!(counts.contains(&"2".to_string()) && counts.contains(&"1".to_string()));
    // Starts: Jun 2026 (Apr–Jun), Sep 2026 (Jul–Sep), Jan 2027 (Jan–Mar 2027), with the empty
    // Oct–Dec quarter kept.
    let starts = labels(chart_svg(&html, "starts"));
    for want in [
        "Apr–Jun 2026",
        "Jul–Sep 2026",
        "Oct–Dec 2026",
        "Jan–Mar 2027",
    ] {
        assert!(starts.iter().any(|l| l == want), "{want} not in {starts:?}");
    }
    assert_eq!(starts.iter().filter(|l| *l == "0").count(), 1, "{starts:?}");
    let largest = labels(chart_svg(&html, "largest"));
    assert!(largest.contains(&"Falls prevention service".to_string()));
    assert!(
        !largest.iter().any(|l| l.contains("Business support")),
        "limit: 2"
    );
    let stacked = labels(chart_svg(&html, "care-mix"));
    for want in [
        "120",
        "80",
        "Total 200",
        "Total 210",
        "At home",
        "Care homes",
    ] {
        assert!(
            stacked.iter().any(|l| l == want),
            "{want} not in {stacked:?}"
        );
    }
    let line = labels(chart_svg(&html, "population"));
    for want in ["39,000", "6,300", "People", "2020", "2030"] {
        assert!(line.iter().any(|l| l == want), "{want} not in {line:?}");
    }

    // Each figure has its table, with scope headers and money in full, and a working CSV link.
    assert!(html.contains("<caption>Spend by theme</caption>"));
    assert!(html.contains("<th scope=\"row\">Healthy Lives</th><td class=\"num\">£3,700,000</td>"));
    assert!(html.contains("<th scope=\"col\" class=\"num\">Total</th>"));
    assert!(html.contains("href=\"../charts/spend-by-theme.csv\" download"));
    assert!(html.contains("Source: <a href=\"https://www.ons.gov.uk/\">ONS projections</a>."));
    assert_eq!(
        read(&out.join("charts/spend-by-theme.csv")),
        "Category,Estimated value,illustrative\nHealthy Lives,3700000,false\nGood Growth,400000,false\n"
    );
    assert_eq!(
        read(&out.join("charts/population.csv")),
        "Category,Aged 65 and over,Aged 85 and over,illustrative\n2020,32000,4800,false\n2025,35500,5400,false\n2030,39000,6300,false\n"
    );
}

#[test]
fn two_builds_give_identical_bytes() {
    let (dir, root) = site();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_to(&root, &a).unwrap();
    build_to(&root, &b).unwrap();
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.keys().any(|k| k.starts_with("charts/")));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb.get(k) == Some(v), "{k} differs between builds");
    }
}

#[test]
fn templates_can_place_charts() {
    let (dir, root) = site();
    write_files(
        &root,
        &[(
            "templates/section.html",
            "{% extends \"base.html\" %}{% import \"macros.html\" as m %}{% block content %}{{ m::chart(chart=charts[\"care-mix\"], root=root) }}{% endblock content %}",
        ),
        ("content/plan/more/_index.md", "---\ntitle: More\ndescription: More.\n---\n")],
    );
    let out = dir.path().join("out");
    build_to(&root, &out).unwrap();
    let html = read(&out.join("plan/more/index.html"));
    assert!(
        html.contains("<figure class=\"chart\" id=\"chart-care-mix\">"),
        "{html}"
    );
    assert!(
        html.contains("href=\"../../charts/care-mix.csv\""),
        "{html}"
    );
}

/// Replaces `from` with `to` in the fixture's charts.yaml (or page), builds, and returns the
/// error text.
fn error_after(file: &str, from: &str, to: &str) -> String {
    let (dir, root) = site();
    let path = root.join(file);
    let text = read(&path);
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let err = build_to(&root, &dir.path().join("out")).expect_err(to);
    err.to_string()
}

#[test]
fn bad_definitions_fail_with_file_and_line() {
    let charts = "content/data/charts.yaml";
    let cases = [
        (
            "source: plan-largest",
            "source: plan-biggest",
            ":25:",
            "`source` cannot be `plan-biggest`",
        ),
        (
            "values: [120, 140]",
            "values: [120]",
            ":34:",
            "1 values but there are 2 categories",
        ),
        ("values: [80, 70]", "values: []", ":36:", "has no values"),
        (
            "kind: timeline",
            "kind: pie",
            ":16:",
            "`kind` cannot be `pie`",
        ),
        ("id: starts", "id: largest", ":20:", "used by another chart"),
    ];
    for (from, to, line, message) in cases {
        let err = error_after(charts, from, to);
        assert!(err.contains(&format!("charts.yaml{line}")), "{to}: {err}");
        assert!(err.contains(message), "{to}: {err}");
    }
}

#[test]
fn a_label_too_long_for_a_column_is_an_error_on_its_chart() {
    let err = error_after(
        "content/data/charts.yaml",
        "  - id: count-by-theme\n    title: Procurements by theme\n    kind: column\n    unit: count\n    data:\n      source: plan-count-by-theme\n",
        "  - id: count-by-theme\n    title: Procurements by theme\n    kind: column\n    unit: count\n    data:\n      categories: [\"Extraordinarilyunbreakablylongword\", \"B\", \"C\", \"D\", \"E\", \"F\"]\n      series:\n        - name: N\n          values: [1, 2, 3, 4, 5, 6]\n",
    );
    assert!(err.contains("charts.yaml:10:"), "{err}");
    assert!(err.contains("too long to fit under its column"), "{err}");
}

#[test]
fn long_bar_labels_wrap_and_keep_their_full_text_in_the_table() {
    let long = "A very long procurement title that goes on and on well beyond the width of a phone screen and then some more";
    let (dir, root) = site();
    let path = root.join("content/data/charts.yaml");
    let text = read(&path).replace(
        "categories: [\"2019\", \"2020\"]",
        &format!("categories: [\"{long}\", \"2020\"]"),
    );
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    build_to(&root, &out).unwrap();
    let html = read(&out.join("charts/index.html"));
    let drawn = labels(chart_svg(&html, "care-mix"));
    assert!(drawn.iter().any(|l| l.ends_with('…')), "{drawn:?}");
    assert!(html.contains(&format!("<th scope=\"row\">{long}</th>")));
}

#[test]
fn shortcode_mistakes_name_the_page_and_line() {
    let err = error_after(
        "content/charts.md",
        "{{ chart(id=\"starts\") }}",
        "{{ chart(id=\"nope\") }}",
    );
    assert!(err.contains("charts.md:11:"), "{err}");
    assert!(err.contains("there is no chart `nope`"), "{err}");
    let err = error_after(
        "content/charts.md",
        "{{ chart(id=\"starts\") }}",
        "{{ chart(id=\"largest\") }}",
    );
    assert!(err.contains("placed twice"), "{err}");
}

#[test]
fn the_readme_examples_build() {
    let readme = read(&repo_root().join("README.md"));
    let section = &readme[readme.find("\n## Charts\n").expect("README has ## Charts")..];
    let mut yaml = String::from("charts:\n");
    let mut ids = Vec::new();
    for block in section.split("```yaml\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        if block.starts_with("  - id: ") {
            ids.push(block[8..block.find('\n').unwrap()].to_string());
            yaml.push_str(block);
        }
    }
    assert!(ids.len() >= 5, "{ids:?}");
    let (dir, root) = site();
    let page: String = ids
        .iter()
        .map(|id| format!("{{{{ chart(id=\"{id}\") }}}}\n\n"))
        .collect();
    write_files(
        &root,
        &[
            ("content/data/charts.yaml", yaml.as_str()),
            (
                "content/charts.md",
                &format!("---\ntitle: Charts\ndescription: Examples.\n---\n{page}"),
            ),
        ],
    );
    let out = dir.path().join("out");
    build_to(&root, &out).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    let html = read(&out.join("charts/index.html"));
    assert_eq!(svgs(&html).len(), ids.len());
}

/// The shortcode places charts with the theme's `chart` macro, so a site that overrides
/// macros.html changes its charts' figures in Markdown pages too; a theme without the macro
/// gets an error naming the page and line.
#[test]
fn the_shortcode_uses_the_themes_chart_macro() {
    let dir = tempfile::tempdir().unwrap();
    copy_default_site(dir.path());
    let macros =
        std::fs::read_to_string(repo_root().join("themes/default/templates/macros.html")).unwrap();
    let custom = macros.replacen(
        "<figure class=\"chart\"",
        "<figure class=\"chart council-chart\"",
        1,
    );
    assert_ne!(custom, macros, "the default chart macro has changed shape");
    write_files(dir.path(), &[("templates/macros.html", custom.as_str())]);
    let out = dir.path().join("public");
    build_to(dir.path(), &out).unwrap();
    let plan = std::fs::read_to_string(out.join("plan/index.html")).unwrap();
    assert!(
        plan.contains("<figure class=\"chart council-chart\""),
        "{plan}"
    );

    let start = custom.find("{% macro chart(").unwrap();
    let end = custom[start..].find("{% endmacro chart %}").unwrap() + start + 20;
    let without = format!("{}{}", &custom[..start], &custom[end..]);
    write_files(dir.path(), &[("templates/macros.html", without.as_str())]);
    let err = build_to(dir.path(), &out).unwrap_err().to_string();
    assert!(err.contains("_index.md") && err.contains("chart"), "{err}");
}
