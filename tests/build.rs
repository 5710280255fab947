//! Building whole sites: the default site, another council's site, and sites with mistakes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use mps::{build, BuildOptions};

fn build_to(root: &Path, out: &Path) -> mps::Result<mps::BuildSummary> {
    build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        drafts: false,
    })
}

/// Builds a fixture site; returns (temp dir, site root, output).
fn other_site() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write_files(&root, &other_council());
    let out = root.join("public");
    (dir, root, out)
}

#[test]
fn committed_public_matches_a_fresh_build() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_to(&repo_root(), &out).unwrap();
    let fresh = tree(&out);
    let committed = tree(&repo_root().join("public"));
    let differing: Vec<_> = fresh
        .keys()
        .chain(committed.keys())
        .filter(|k| fresh.get(*k) != committed.get(*k))
        .collect();
    assert!(
        differing.is_empty(),
        "public/ is out of date ({} files differ, first: {:?}). Refresh it with `cargo run -- build` and commit it.",
        differing.len(),
        differing.first()
    );
}

#[test]
fn builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    build_to(&repo_root(), &dir.path().join("a")).unwrap();
    build_to(&repo_root(), &dir.path().join("b")).unwrap();
    assert_eq!(tree(&dir.path().join("a")), tree(&dir.path().join("b")));
}

/// Follows relative links from index.html as a reader opening the site from disk would.
#[test]
fn every_page_is_reachable_from_the_home_page_by_links() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_to(&repo_root(), &out).unwrap();
    let all = tree(&out);
    let pages: Vec<&String> = all
        .keys()
        .filter(|k| k.ends_with(".html") && *k != "404.html")
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec!["index.html".to_string()];
    while let Some(page) = queue.pop() {
        if !seen.insert(page.clone()) {
            continue;
        }
        let html = String::from_utf8_lossy(&all[&page]).into_owned();
        let base = Path::new(&page).parent().unwrap().to_path_buf();
        for part in html.split("href=\"").skip(1) {
            let href = &part[..part.find('"').unwrap()];
            if href.contains(':') || href.starts_with('#') || href.starts_with('/') {
                continue;
            }
            let href = href.split('#').next().unwrap();
            let mut p = base.clone();
            for seg in href.split('/') {
                match seg {
                    ".." => {
                        p.pop();
                    }
                    "." | "" => {}
                    s => p.push(s),
                }
            }
            let p = p.to_string_lossy().replace('\\', "/");
            assert!(all.contains_key(&p), "{page} links to missing {p}");
            if p.ends_with(".html") {
                queue.push(p);
            }
        }
    }
    let unreached: Vec<_> = pages.iter().filter(|p| !seen.contains(**p)).collect();
    assert!(
        unreached.is_empty(),
        "not reachable by links: {unreached:?}"
    );
}

#[test]
fn default_site_has_the_pages_of_the_publication() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_to(&repo_root(), &out).unwrap();
    for p in [
        "index.html",
        "framework/index.html",
        "governance/index.html",
        "principles/index.html",
        "principles/driving-innovation/index.html",
        "themes/index.html",
        "themes/safe-and-well/index.html",
        "plan/index.html",
        "plan/largest/index.html",
        "mps/index.html",
        "accessibility/index.html",
        "404.html",
        "sitemap.xml",
        "style.css",
    ] {
        assert!(out.join(p).is_file(), "{p} missing");
    }
    let principles = read(&out.join("principles/index.html"));
    assert_eq!(
        principles.matches("class=\"card principle-card\"").count(),
        10
    );
    let themes = read(&out.join("themes/index.html"));
    assert_eq!(themes.matches("class=\"card theme-card\"").count(), 5);
    // Every page showing plan entries says they are illustrative.
    for p in [
        "plan/index.html",
        "plan/largest/index.html",
        "themes/safe-and-well/index.html",
    ] {
        assert!(
            read(&out.join(p)).contains("Illustrative"),
            "{p} lacks the note"
        );
    }
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://commissioning.example.gov.uk/plan/largest/</loc>"));
    // Figures carry a source and the period they describe; the headline band leads the MPS.
    let mps = read(&out.join("mps/index.html"));
    assert!(mps.contains("<p class=\"tile-source\"><a href=\"https://"));
    assert!(mps.contains(", mid-2018</p>"));
    assert_eq!(
        mps.split("class=\"tiles headline-band\"")
            .nth(1)
            .unwrap()
            .split("</ul>")
            .next()
            .unwrap()
            .matches("<li class=\"tile\">")
            .count(),
        4
    );
    assert!(mps.contains("Down £4.4m from £10.3m in 2018/19"));
    // No heading twice on one page.
    assert_eq!(mps.matches("Tell us what you think</h2>").count(), 1);
    // The tag's explanation is given once per page, however many items carry the tag.
    let plan = read(&out.join("plan/index.html"));
    assert_eq!(plan.matches("Items with this tag are examples").count(), 1);
    assert!(plan.matches("class=\"tag tag-illustrative\"").count() > 25);
}

#[test]
fn another_council_gets_its_own_site_from_content_and_site_yaml_alone() {
    let (_dir, root, out) = other_site();
    let summary = mps::build(&BuildOptions::new(&root)).unwrap();
    assert_eq!(summary.output, out.canonicalize().unwrap());
    let all = tree(&out);
    for (path, bytes) in &all {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("Southend"), "{path} mentions Southend");
    }
    let home = read(&out.join("index.html"));
    assert!(home.contains("<title>Commissioning in Northam</title>"));
    assert!(home.contains("lang=\"en-GB\""));
    assert!(home.contains("href=\"plan/largest/index.html\""));
    // Drafts stay out unless asked for.
    assert!(!out.join("plan/draft-note/index.html").exists());

    // Theme page: its procurements with their total, linked both ways.
    let theme = read(&out.join("themes/healthy-lives/index.html"));
    assert!(theme.contains("Falls prevention service"));
    assert!(theme.contains("Home adaptations framework"));
    assert!(!theme.contains("Business support hub"));
    assert!(theme.contains("£3,700,000"), "theme total missing");
    assert!(theme.contains("href=\"../../plan/ndc-001/index.html\""));
    assert!(theme.contains("href=\"../../principles/listen-first/index.html\""));
    let entry = read(&out.join("plan/ndc-001/index.html"));
    assert!(entry.contains("href=\"../../themes/healthy-lives/index.html\""));
    assert!(entry.contains("Pipeline notice"));
    let principle = read(&out.join("principles/listen-first/index.html"));
    assert!(principle.contains("href=\"../../themes/healthy-lives/index.html\""));
    assert!(principle.contains("href=\"../../principles/spend-wisely/index.html\""));

    // The £1m+ list is derived from the plan, largest first, with its threshold.
    let largest = read(&out.join("plan/largest/index.html"));
    let a = largest.find("Falls prevention service").unwrap();
    let b = largest.find("Home adaptations framework").unwrap();
    assert!(a < b, "largest first");
    assert!(!largest.contains("Business support hub"));

    // The plan page is grouped by theme with totals.
    let plan = read(&out.join("plan/index.html"));
    assert!(plan.contains("<caption>Planned procurements by theme, 2026/27</caption>"));
    assert!(plan.contains("£4,100,000"), "plan total missing");
    assert!(plan.contains("<th scope=\"col\""));
    // Money in tables is short on phones, with the full figure for screen readers; a phone
    // shows each cell beside its column's name.
    assert!(plan.contains(
        "class=\"num\" data-label=\"Estimated value\"><span class=\"money-short\" aria-hidden=\"true\">£400k</span><span class=\"money-full\">£400,000</span><"
    ));

    // Markdown: table caption and scope, anchors, and source links.
    let about = read(&out.join("about/index.html"));
    assert!(about.contains("<caption>Contacts</caption>"));
    assert!(about.contains("href=\"../principles/index.html#top-of-list\""));
    assert!(about.contains("Next review"));
}

#[test]
fn the_threshold_for_largest_procurements_is_a_setting() {
    let (_dir, root, out) = other_site();
    let site = read(&root.join("site.yaml")) + "procurement:\n  large_threshold: 300000\n";
    std::fs::write(root.join("site.yaml"), site).unwrap();
    mps::build(&BuildOptions::new(&root)).unwrap();
    let largest = read(&out.join("plan/largest/index.html"));
    assert!(largest.contains("Business support hub"));
}

#[test]
fn drafts_are_built_when_asked() {
    let (_dir, root, out) = other_site();
    mps::build(&BuildOptions {
        drafts: true,
        ..BuildOptions::new(&root)
    })
    .unwrap();
    assert!(out.join("plan/draft-note/index.html").exists());
}

#[test]
fn a_site_can_override_any_template() {
    let (_dir, root, out) = other_site();
    write_files(
        &root,
        &[("templates/page.html", "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">Our own layout</p>{{ page.content | safe }}{% endblock content %}")],
    );
    mps::build(&BuildOptions::new(&root)).unwrap();
    assert!(read(&out.join("about/index.html")).contains("Our own layout"));
}

/// The menu is written once for each place it can differ (see `partials/site_nav.html`): each
/// page still gets the menu of its own depth and section.
#[test]
fn a_site_can_write_its_own_menu() {
    let (_dir, root, out) = other_site();
    write_files(
        &root,
        &[(
            "templates/partials/site_nav.html",
            "<p id=\"menu\" data-current=\"{{ nav_current }}\" data-page=\"{{ nav_is_page }}\" data-home=\"{{ is_home }}\"><a href=\"{{ url(path='plan/index.html') }}\">{{ words.menu }}</a> <a href=\"{{ home_href }}\">{{ site.title }}</a></p>\n",
        )],
    );
    build_to(&root, &out).unwrap();
    let menu = |page: &str| {
        let html = read(&out.join(page));
        let start = html.find("<p id=\"menu\"").expect("no menu");
        html[start..start + html[start..].find("</p>").unwrap()].to_string()
    };
    // plan/ is the third entry of SITE_YAML's navigation.
    let (plan, title) = ("2".to_string(), "Commissioning in Northam");
    for (page, current, is_page, home, up) in [
        ("index.html", String::new(), false, true, ""),
        ("plan/index.html", plan.to_string(), true, false, "../"),
        (
            "plan/ndc-001/index.html",
            plan.to_string(),
            false,
            false,
            "../../",
        ),
        ("about/index.html", String::new(), false, false, "../"),
    ] {
        assert_eq!(
            menu(page),
            format!(
                "<p id=\"menu\" data-current=\"{current}\" data-page=\"{is_page}\" data-home=\"{home}\"><a href=\"{up}plan/index.html\">Menu</a> <a href=\"{up}index.html\">{title}</a>"
            ),
            "{page}"
        );
    }
}

/// The main navigation marks the entry for the page being read (`aria-current="page"`), or else
/// the deepest entry it is under (`"true"`); never more than one.
#[test]
fn the_navigation_marks_where_the_reader_is() {
    let (_dir, root, out) = other_site();
    let site_yaml = SITE_YAML.replace("  - plan/\n", "  - plan/\n  - plan/largest/\n");
    write_files(&root, &[("site.yaml", site_yaml.as_str())]);
    build_to(&root, &out).unwrap();
    let marked = |page: &str| -> Vec<(String, String)> {
        let html = read(&out.join(page));
        let start = html.find("<nav class=\"site-nav\"").expect("no navigation");
        let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
        nav.split("<a ")
            .filter_map(|a| {
                let value = a.split("aria-current=\"").nth(1)?.split('"').next()?;
                let text = a.split('>').nth(1)?.split('<').next()?;
                Some((text.to_string(), value.to_string()))
            })
            .collect()
    };
    let one = |text: &str, value: &str| vec![(text.to_string(), value.to_string())];
    assert_eq!(marked("index.html"), one("Home", "page"));
    assert_eq!(marked("plan/index.html"), one("Procurement plan", "page"));
    assert_eq!(
        marked("plan/ndc-001/index.html"),
        one("Procurement plan", "true")
    );
    assert_eq!(
        marked("plan/largest/index.html"),
        one("Largest procurements", "page")
    );
    assert_eq!(
        marked("principles/listen-first/index.html"),
        one("Our principles", "true")
    );
    assert_eq!(marked("about/index.html"), vec![]);
}

/// A mistake in a template breaks every page built with it: it is reported once, with the
/// first page and a count of the others, not once for each page.
#[test]
fn a_template_mistake_is_reported_once_not_once_per_page() {
    let (_dir, root, out) = other_site();
    write_files(
        &root,
        &[
            ("templates/page.html", "{% extends \"base.html\" %}{% block content %}{{ page.nope.x }}{% endblock content %}"),
            ("content/b.md", "---\ntitle: B\ndescription: Page B.\n---\nB.\n"),
            ("content/c.md", "---\ntitle: C\ndescription: Page C.\n---\nC.\n"),
        ],
    );
    let err = build_to(&root, &out).unwrap_err();
    let all = err.diagnostics();
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = &all[0];
    assert!(d.file.ends_with("templates/page.html"), "{d:#?}");
    assert!(
        d.message.contains("(while building the page from ")
            && d.message.ends_with(", and 2 other pages)"),
        "{}",
        d.message
    );
    assert!(!out.exists());
}

/// Each mistake fails with file and line, and leaves the previous output as it was.
#[test]
fn mistakes_fail_with_file_and_line_and_leave_public_untouched() {
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        // (file, contents, file named in the error, line, words in the message)
        (
            "content/about.md",
            "---\ntitle: About\n---\nSee [gone](missing.md).\n",
            "about.md",
            4,
            "missing.md",
        ),
        (
            "content/about.md",
            "---\ntitle: About\n---\n\nSee [gone](../nowhere/).\n",
            "about.md",
            5,
            "nowhere",
        ),
        (
            "content/data/plan.yaml",
            &PLAN_YAML.replace("    duration_months: 24\n", "    duration_months: [24\n"),
            "plan.yaml",
            0,
            "",
        ),
        (
            "content/data/figures.yaml",
            &format!("{FIGURES_YAML}    icon: rocket\n"),
            "figures.yaml",
            10,
            "icon `rocket`",
        ),
        (
            "content/data/figures.yaml",
            &FIGURES_YAML.replace("    source_name: ONS\n", ""),
            "figures.yaml",
            2,
            "no source_name",
        ),
        (
            "content/data/plan.yaml",
            &PLAN_YAML.replace("theme: good-growth", "theme: good-grwoth"),
            "plan.yaml",
            17,
            "good-grwoth",
        ),
        (
            "content/data/themes.yaml",
            &THEMES_YAML.replace("    summary: The local", "    sumary: The local"),
            "themes.yaml",
            11,
            "sumary",
        ),
        (
            "content/data/principles.yaml",
            &PRINCIPLES_YAML.replace("slug: spend-wisely", "slug: listen-first"),
            "principles.yaml",
            8,
            "more than once",
        ),
        (
            "content/about.md",
            "---\ntitle: About\nweight: heavy\n---\n",
            "about.md",
            3,
            "weight",
        ),
        (
            "content/about.md",
            "---\ntitle: About\ntemplate: fancy.html\n---\n",
            "about.md",
            3,
            "fancy.html",
        ),
        (
            "site.yaml",
            &SITE_YAML.replace("  - plan/\n", "  - plann/\n"),
            "site.yaml",
            8,
            "plann/",
        ),
    ];
    for (file, text, named, line, words) in cases {
        let (_dir, root, out) = other_site();
        mps::build(&BuildOptions::new(&root)).unwrap();
        let before = tree(&out);
        std::fs::write(root.join(file), text).unwrap();
        let err = mps::build(&BuildOptions::new(&root)).expect_err(file);
        let d = err.diagnostics();
        let first = &d[0];
        assert!(
            first.file.ends_with(named),
            "{file}: error names {} instead",
            first.file.display()
        );
        if *line > 0 {
            assert_eq!(first.line, Some(*line), "{file}: {first}");
        } else {
            assert!(first.line.is_some(), "{file}: no line in {first}");
        }
        assert!(first.message.contains(words), "{file}: {first}");
        assert!(first.help.is_some(), "{file}: no help in {first}");
        if words == &"sumary" {
            assert!(
                first.help.as_deref().unwrap().contains("spelling"),
                "{first}"
            );
        }
        assert_eq!(
            tree(&out),
            before,
            "{file}: public/ changed after a failed build"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("mps-staging") || n.contains("mps-old"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn unknown_theme_slug_lists_the_valid_ones() {
    let (_dir, root, _out) = other_site();
    std::fs::write(
        root.join("content/data/plan.yaml"),
        PLAN_YAML.replace("theme: good-growth", "theme: good-grwoth"),
    )
    .unwrap();
    let err = mps::build(&BuildOptions::new(&root)).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(
        d.help.as_deref(),
        Some("use one of: good-growth, healthy-lives")
    );
}

#[test]
fn refuses_to_write_over_the_site_or_foreign_folders() {
    let (dir, root, _out) = other_site();
    for bad in [
        root.clone(),
        dir.path().to_path_buf(),
        root.join("content/out"),
    ] {
        let err = build_to(&root, &bad).unwrap_err();
        assert!(
            matches!(err, mps::Error::UnsafeOutput { .. }),
            "{}: {err}",
            bad.display()
        );
    }
    let foreign = dir.path().join("mine");
    write_files(&foreign, &[("notes.txt", "keep me")]);
    assert!(build_to(&root, &foreign).is_err());
    assert_eq!(read(&foreign.join("notes.txt")), "keep me");
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
}

#[test]
fn the_binary_reports_errors_with_source_lines() {
    let (_dir, root, _out) = other_site();
    std::fs::write(
        root.join("content/data/plan.yaml"),
        PLAN_YAML.replace("theme: good-growth", "theme: good-grwoth"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mps"))
        .args(["build", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plan.yaml:17"), "{err}");
    assert!(
        err.contains("theme: good-grwoth"),
        "source line missing: {err}"
    );
    assert!(
        err.contains("use one of: good-growth, healthy-lives"),
        "{err}"
    );

    let help = Command::new(env!("CARGO_BIN_EXE_mps"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("build"));
    let version = Command::new(env!("CARGO_BIN_EXE_mps"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
}

/// The benchmark corpus (`../shared/bench/gen_corpus.py`) builds as it is, with only a
/// `site.yaml` added: its `.md` links resolve and each section lists its pages. Skipped, with
/// the reason, where the generator is not beside the repository.
#[test]
fn the_benchmark_corpus_builds_as_it_is() {
    let script = repo_root().join("../shared/bench/gen_corpus.py");
    if !script.is_file() {
        eprintln!("skipped: {} not found", script.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let made = Command::new("python3")
        .arg(&script)
        .arg("30")
        .arg(root.join("content"))
        .output();
    match made {
        Ok(o) if o.status.success() => {}
        other => {
            eprintln!("skipped: could not run {}: {other:?}", script.display());
            return;
        }
    }
    write_files(
        root,
        &[(
            "site.yaml",
            "title: Corpus\norganisation: Benchmark Council\nbase_url: https://bench.example/\nfeedback: bench@bench.example\n",
        )],
    );
    let out = root.join("public");
    let summary = build_to(root, &out).unwrap();
    assert!(summary.pages >= 30, "{} pages", summary.pages);
    let files = tree(&out);
    let pages: Vec<&String> = files
        .keys()
        .filter(|k| {
            k.starts_with("sec-") && k.ends_with("/index.html") && k.matches('/').count() == 2
        })
        .collect();
    assert_eq!(pages.len(), 30, "{pages:?}");
    for (name, bytes) in &files {
        if name.ends_with(".html") {
            let html = String::from_utf8_lossy(bytes);
            assert!(!html.contains(".md\""), "{name} still links to a .md file");
        }
    }
    // Each section page lists the titles of its pages.
    let section = String::from_utf8_lossy(&files["sec-01/index.html"]).to_string();
    for page in pages.iter().filter(|p| p.starts_with("sec-01/")) {
        let src = std::fs::read_to_string(
            root.join("content")
                .join(page.replace("/index.html", ".md")),
        )
        .unwrap();
        let title = src
            .lines()
            .find_map(|l| l.strip_prefix("title: "))
            .unwrap()
            .trim_matches('"');
        assert!(section.contains(title), "sec-01 does not list {title:?}");
    }
}

#[test]
fn pence_are_accepted_and_shown_with_two_decimals() {
    let site = fixture("northam")
        .edit(
            "content/data/plan.yaml",
            "value: 400000\n",
            "value: 24.50\n    value_gross: 29.40\n",
        )
        .edit(
            "content/data/plan.yaml",
            "value: 1200000",
            "value: 1200000.05",
        );
    site.build().unwrap();
    let out = site.output();
    let text = |k: &str| String::from_utf8(out[k].clone()).unwrap();
    let pages: Vec<String> = out
        .keys()
        .filter(|k| k.ends_with(".html"))
        .map(|k| text(k))
        .collect();
    assert!(pages.iter().any(|p| p.contains("£24.50")));
    assert!(pages.iter().any(|p| p.contains("£29.40")));
    assert!(pages.iter().any(|p| p.contains("£1,200,000.05")));
    assert!(pages
        .iter()
        .all(|p| !p.contains("£24.5<") && !p.contains("£29.4<")));
    // Whole pounds stay whole.
    assert!(pages.iter().any(|p| p.contains("£2,500,000")));
    let csv = text("plan.csv");
    assert!(csv.contains(",24.50,"), "{csv}");
    assert!(csv.contains(",1200000.05,"), "{csv}");
    assert!(csv.contains(",2500000,"), "{csv}");
    assert!(!csv.contains(",-0"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&text("plan.json")).unwrap();
    assert_eq!(json["entries"][1]["value"], serde_json::json!(24.5));
    assert_eq!(json["entries"][0]["value"], serde_json::json!(2500000));
    let ocds: serde_json::Value = serde_json::from_str(&text("plan-ocds.json")).unwrap();
    let amounts: Vec<&serde_json::Value> = ocds["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["tender"]["value"]["amount"])
        .collect();
    assert!(amounts.contains(&&serde_json::json!(24.5)), "{amounts:?}");
}

#[test]
fn money_with_a_fraction_of_a_penny_is_refused_at_its_line() {
    let errors = fixture("northam")
        .edit("content/data/plan.yaml", "value: 400000", "value: 24.505")
        .errors();
    assert!(
        errors.contains("content/data/plan.yaml:19")
            && errors.contains("more than two decimal places")
            && errors.contains("round it to the penny"),
        "{errors}"
    );
}

#[test]
fn a_draft_home_page_is_one_error_saying_how_to_fix_it() {
    let site = fixture("northam").edit(
        "content/_index.md",
        "title: Commissioning in Northam\n",
        "title: Commissioning in Northam\ndraft: true\n",
    );
    let errors = site.errors();
    assert_eq!(errors.matches("error:").count(), 1, "{errors}");
    assert!(
        errors.contains("content/_index.md:3")
            && errors.contains("the home page is marked `draft: true`")
            && errors.contains("--drafts"),
        "{errors}"
    );
    // With --drafts the home page is built.
    mps::build(&mps::BuildOptions {
        root: site.root.clone(),
        output: Some(site.root.join("public")),
        drafts: true,
    })
    .unwrap();
}
