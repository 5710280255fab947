//! Markets: another council's markets, written from the README's Markets section, build with
//! their own scale and dimensions; bad market data fails at its file and line; each market's
//! feed and JSON file parse; search finds markets; `mps check` warns by the page's date.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const MARKETS_SETTINGS: &str = "markets:\n  scale:\n    - level: poor\n      label: Poor\n      description: Not meeting needs.\n    - level: fair\n      label: Fair\n    - level: good\n      label: Good\n  dimensions:\n    - id: access\n      label: Access\n      description: Can people get care when they need it?\n    - id: cost\n      label: Cost\n";

const EXTRA_CARE: &str = "slug: extra-care
name: Extra care housing
services: [extra care, housing with care, sheltered housing]
summary: >-
  Flats for older people with care on site, so that people can keep their own front door.
icon: home
order: 1
ratings:
  - dimension: access
    level: poor
    reason: There are too few flats in the north of the district.
    assessed: 2026-02-01
  - dimension: cost
    level: good
    reason: Costs less than a care home for most people.
    assessed: 2026-02-01
figures:
  - id: extra-care-flats
    label: Extra care flats
    value: 240
    unit: flats
    as_at: 2026-01-01
    source_name: Northam housing register
    source_url: https://www.northam.example/housing
    headline: true
  - id: extra-care-waiting
    label: People waiting for a flat
    value: 85
    unit: people
    as_at: 2026-01-01
    illustrative: true
more_of:
  - Flats for couples where one partner is living with dementia.
less_of:
  - Moves into residential care that extra care could prevent.
intentions:
  - what: Open a second scheme in Northam North.
    when: 2027-06-01
  - what: Agree the care contract for the first scheme.
    when: 2026-05-01
  - what: Review the allocations policy.
    when: 2025-11-01
contacts:
  - role: Housing with care lead
    email: housing@northam.example
engagement:
  - title: Spring forum that has passed
    date: 2026-02-20
    kind: forum
  - title: Developers' day
    date: 2026-09-15
    kind: event
    url: plan/
  - title: Extra care forum
    date: 2026-04-10
    kind: forum
    place: Town Hall
    url: https://www.northam.example/forum
";

const DAY_CARE: &str = "slug: day-opportunities
name: Day opportunities
summary: Daytime activities and support for adults.
order: 2
illustrative: true
ratings:
  - dimension: access
    level: fair
    reason: Most people can reach a centre within half an hour.
    assessed: 2026-02-01
contacts:
  - team: Adult commissioning
";

const MARKETS_PAGE: &str = "---\ntitle: Care markets\ndescription: Each care market in Northam.\ndate: 2026-01-15\nupdated: 2026-03-01\ngenerate: markets\n---\nOur markets.\n";

/// Northam's site with two markets; returns (temp dir, site root).
fn northam() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write_files(&root, &other_council());
    let site = format!("{SITE_YAML}{MARKETS_SETTINGS}");
    let plan = PLAN_YAML.replace(
        "    title: Falls prevention service\n",
        "    title: Falls prevention service\n    market: extra-care\n",
    );
    write_files(
        &root,
        &[
            ("site.yaml", site.as_str()),
            ("content/data/plan.yaml", plan.as_str()),
            ("content/data/markets/extra-care.yaml", EXTRA_CARE),
            ("content/data/markets/day-opportunities.yaml", DAY_CARE),
            ("content/data/markets/extra-care.yaml.bak", "not: data\n"),
            ("content/markets/_index.md", MARKETS_PAGE),
        ],
    );
    (dir, root)
}

fn build(root: &Path) -> PathBuf {
    mps::build(&mps::BuildOptions::new(root))
        .unwrap_or_else(|e| panic!("{e}"))
        .output
}

#[test]
fn another_councils_markets_build_with_their_own_scale_and_dimensions() {
    let (_dir, root) = northam();
    let out = build(&root);
    let overview = read(&out.join("markets/index.html"));
    // The grid: a real table, a market a row, a dimension a column, levels in words.
    assert!(
        overview.contains("<caption>Ratings of every market"),
        "{overview}"
    );
    assert!(overview.contains("<th scope=\"col\">Access</th>"));
    assert!(overview.contains("<th scope=\"col\">Cost</th>"));
    assert!(overview.contains("<th scope=\"row\"><a href=\"../markets/extra-care/index.html\">Extra care housing</a></th>"));
    assert!(overview.contains(">Poor</span>") && overview.contains(">Fair</span>"));
    assert!(
        overview.contains("Not rated"),
        "day opportunities has no cost rating"
    );
    // Order: by `order`, so extra care comes first.
    assert!(overview.find("Extra care housing") < overview.find("Day opportunities"));
    // The card shows the headline figure with its source.
    assert!(overview.contains("Extra care flats") && overview.contains("Northam housing register"));
    assert!(
        !overview.contains("People waiting for a flat"),
        "only headline figures on cards"
    );

    let page = read(&out.join("markets/extra-care/index.html"));
    for want in [
        "<h1>Extra care housing</h1>",
        "<caption>Ratings of the Extra care housing market</caption>",
        "There are too few flats in the north of the district.",
        "1 February 2026",
        "Flats for couples where one partner is living with dementia.",
        "Moves into residential care that extra care could prevent.",
        "Illustrative</span></p>",
        "<p class=\"tile-source\"><a href=\"https://www.northam.example/housing\">Northam housing register</a>, ",
        "Falls prevention service",
        "£2,500,000",
        "June 2026",
        "mailto:housing@northam.example?subject=Feedback%20on%20the%20Extra%20care%20housing%20market",
        "Housing with care lead",
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../../markets/extra-care/atom.xml\"",
        "<link rel=\"alternate\" type=\"application/json\" href=\"../../markets/extra-care/market.json\"",
    ] {
        assert!(page.contains(want), "market page lacks {want}");
    }
    // Upcoming is judged from the markets page's `updated` (1 March 2026), nearest first.
    assert!(!page.contains("Spring forum that has passed"));
    let forum = page.find("Extra care forum").unwrap();
    let developers = page.find("Developers&#39; day").unwrap();
    assert!(forum < developers, "engagement nearest first");
    assert!(page.contains("<a href=\"../../plan/index.html\">Developers&#39; day</a>"));
    let contract = page.find("Agree the care contract").unwrap();
    let second = page.find("Open a second scheme").unwrap();
    assert!(contract < second, "intentions nearest first");
    let earlier = page.find("Earlier intentions").unwrap();
    assert!(page.find("Review the allocations policy").unwrap() > earlier);

    // The plan entry links back to its market.
    let entry = read(&out.join("plan/ndc-001/index.html"));
    assert!(
        entry.contains("<a href=\"../../markets/extra-care/index.html\">Extra care housing</a>")
    );
    // The illustrative market says so.
    let day = read(&out.join("markets/day-opportunities/index.html"));
    assert!(day.contains("Illustrative"));
    // A backup beside the market files is neither data nor published.
    assert!(!out.join("data/markets/extra-care.yaml.bak").exists());
}

#[test]
fn each_market_has_a_feed_and_a_json_file_that_parse() {
    let (_dir, root) = northam();
    let out = build(&root);
    let xml = read(&out.join("markets/extra-care/atom.xml"));
    let doc = roxmltree::Document::parse(&xml).expect("the feed is XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    let atom = "http://www.w3.org/2005/Atom";
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name((atom, name)))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    assert_eq!(
        child(feed, "title").as_deref(),
        Some("Commissioning in Northam: Extra care housing")
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((atom, "entry")))
        .collect();
    let ids: Vec<String> = entries.iter().filter_map(|e| child(*e, "id")).collect();
    assert!(
        ids.contains(&"https://www.northam.example/commissioning/markets/extra-care/".to_string())
    );
    assert!(ids.contains(&"https://www.northam.example/commissioning/plan/ndc-001/".to_string()));
    assert!(ids.iter().any(|i| i.ends_with("#engagement-3")), "{ids:?}");
    assert!(
        !ids.iter().any(|i| i.ends_with("#engagement-1")),
        "past engagement is not in the feed"
    );
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "feed ids are unique");
    // Every fragment the feed links to is on the page.
    let page = read(&out.join("markets/extra-care/index.html"));
    for id in &ids {
        if let Some((_, frag)) = id.split_once('#') {
            assert!(
                page.contains(&format!("id=\"{frag}\"")),
                "no #{frag} on the page"
            );
        }
    }

    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("markets/extra-care/market.json"))).expect("JSON");
    assert_eq!(json["slug"], "extra-care");
    assert_eq!(json["ratings"][0]["dimension"], "access");
    assert_eq!(json["ratings"][0]["label"], "Poor");
    // A whole number is written without `.0`, as the plan downloads write sums.
    assert_eq!(json["figures"][0]["value"].as_u64(), Some(240), "{json}");
    assert_eq!(json["figures"][1]["illustrative"], true);
    assert_eq!(json["intentions"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["procurements"][0]["id"], "NDC-001");
    assert_eq!(json["procurements"][0]["value"], 2500000);
    assert_eq!(json["procurements"][0]["end"], "2029-05-31");
    // Every item says whether it is invented, so the JSON keeps the pages' provenance.
    for list in ["ratings", "figures", "intentions", "procurements"] {
        for item in json[list].as_array().expect(list) {
            assert!(item["illustrative"].is_boolean(), "{list}: {item}");
        }
    }
    assert_eq!(json["as_at"], "2026-03-01");
}

#[test]
fn the_search_index_has_markets_by_service_and_message_words() {
    let (_dir, root) = northam();
    let out = build(&root);
    let index: serde_json::Value =
        serde_json::from_str(&read(&out.join("search-index.json"))).unwrap();
    let entry = index["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == "markets/extra-care/index.html")
        .expect("the market is in the search index");
    let text = entry["text"].as_str().unwrap();
    assert!(text.contains("sheltered housing"), "{text}");
    assert!(text.contains("dementia"), "{text}");
    assert_eq!(entry["section"], "Care markets");
}

/// The default site's search, scored as the theme's search.js scores it: the best page for a
/// query is the market it names.
#[test]
fn searching_the_default_site_lands_on_the_right_market() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    mps::build(&mps::BuildOptions {
        root: repo_root(),
        output: Some(out.clone()),
        drafts: false,
    })
    .unwrap();
    let index: serde_json::Value =
        serde_json::from_str(&read(&out.join("search-index.json"))).unwrap();
    let pages = index["pages"].as_array().unwrap();
    let count = |hay: &str, needle: &str| hay.matches(needle).count().min(20);
    let best = |query: &str| {
        let terms: Vec<String> = query
            .to_lowercase()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        pages
            .iter()
            .map(|p| {
                let field = |k: &str| p[k].as_str().unwrap_or("").to_lowercase();
                let (title, section, desc, text) = (
                    field("title"),
                    field("section"),
                    field("description"),
                    field("text"),
                );
                let mut total = 0;
                for t in &terms {
                    let s = count(&title, t) * 10
                        + count(&section, t) * 2
                        + count(&desc, t) * 4
                        + count(&text, t);
                    if s == 0 {
                        return (0, p["url"].as_str().unwrap_or(""));
                    }
                    total += s;
                }
                (total, p["url"].as_str().unwrap_or(""))
            })
            .max_by_key(|(score, _)| *score)
            .map(|(_, url)| url.to_string())
            .unwrap()
    };
    assert_eq!(best("home care"), "mps/markets/home-care/index.html");
    assert_eq!(best("dementia"), "mps/markets/care-homes/index.html");
    // The MPS page links every market, one click away.
    let mps = read(&out.join("mps/index.html"));
    for slug in [
        "care-homes",
        "home-care",
        "learning-disability-autism",
        "mental-health",
        "carers-community",
    ] {
        assert!(
            mps.contains(&format!("href=\"../mps/markets/{slug}/index.html\"")),
            "{slug}"
        );
    }
}

/// Loads the site with `file` replaced by `text`; the build's problems.
fn problems_with(file: &str, text: &str) -> Vec<mps::Diagnostic> {
    let (_dir, root) = northam();
    std::fs::write(root.join(file), text).unwrap();
    match mps::build::validate_only(&root, false) {
        Ok(_) => panic!("{file} should not build"),
        Err(e) => e.diagnostics(),
    }
}

/// The one problem in `file`, at `line`, whose message holds `says`.
fn fails_at(file: &str, text: &str, line: usize, says: &str) {
    let found = problems_with(file, text);
    assert!(
        found
            .iter()
            .any(|d| d.file.ends_with(file) && d.line == Some(line) && d.message.contains(says)),
        "wanted {file}:{line} `{says}`, got: {found:#?}"
    );
}

#[test]
fn bad_market_data_fails_at_its_file_and_line() {
    let market = "content/data/markets/extra-care.yaml";
    // Line 10 is the first rating's `level:`.
    fails_at(
        market,
        &EXTRA_CARE.replace("level: poor", "level: dire"),
        10,
        "rating level `dire` is not on the site's rating scale",
    );
    fails_at(
        market,
        &EXTRA_CARE.replace("dimension: cost", "dimension: price"),
        13,
        "rating dimension `price`",
    );
    fails_at(
        market,
        &EXTRA_CARE.replace("icon: home\n", "icon: home\ncolour: red\n"),
        7,
        "`colour` is not a key mps knows here",
    );
    fails_at(
        market,
        &EXTRA_CARE.replace("order: 1\n", "order: 1\ncharts: [nowhere]\n"),
        8,
        "chart `nowhere`",
    );
    fails_at(
        market,
        &EXTRA_CARE.replace("    source_name: Northam housing register\n", ""),
        18,
        "has no source_name, and is not marked illustrative",
    );
    // A repeated slug is reported in the later file by name.
    let found = problems_with(
        "content/data/markets/day-opportunities.yaml",
        &DAY_CARE.replace("slug: day-opportunities", "slug: extra-care"),
    );
    assert!(
        found.iter().any(|d| d.file.ends_with("extra-care.yaml")
            && d.line == Some(1)
            && d.message.contains("day-opportunities.yaml")),
        "{found:#?}"
    );
    fails_at(
        "content/data/markets/day-opportunities.yaml",
        &DAY_CARE.replace("order: 2\n", "order: 2\nicon: castle\n"),
        5,
        "names the icon `castle`",
    );
    let plan = PLAN_YAML.replace(
        "    title: Business support hub\n",
        "    title: Business support hub\n    market: business\n",
    );
    fails_at(
        "content/data/plan.yaml",
        &plan,
        17,
        "procurement `NDC-002` has market `business`, which does not exist",
    );
    let site = format!(
        "{SITE_YAML}{}",
        MARKETS_SETTINGS.replace("      label: Fair\n", "")
    );
    fails_at("site.yaml", &site, 14, "`label` is missing");
}

#[test]
fn check_warns_by_the_markets_pages_date() {
    let (_dir, root) = northam();
    let old = EXTRA_CARE.replacen("assessed: 2026-02-01", "assessed: 2024-12-01", 1);
    std::fs::write(root.join("content/data/markets/extra-care.yaml"), old).unwrap();
    std::fs::write(
        root.join("content/data/markets/day-opportunities.yaml"),
        DAY_CARE.replace("contacts:\n  - team: Adult commissioning\n", ""),
    )
    .unwrap();
    let site = mps::build::load(&root, false).unwrap();
    // "Today" is far away: markets are judged by the page's own date, not the clock.
    let today = chrono::NaiveDate::from_ymd_opt(2040, 1, 1).unwrap();
    let warnings: Vec<String> = mps::check::warnings(&site, today)
        .into_iter()
        .filter(|d| d.file.to_string_lossy().contains("markets"))
        .map(|d| format!("{}", d))
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert!(warnings
        .iter()
        .any(|w| w.contains("extra-care.yaml:12:") && w.contains("assessed on 1 December 2024")));
    assert!(warnings
        .iter()
        .any(|w| w.contains("Spring forum that has passed") && w.contains("extra-care.yaml:48:")));
    assert!(warnings
        .iter()
        .any(|w| w.contains("`day-opportunities` has no contact")));
}

#[test]
fn a_markets_charts_are_drawn_on_its_page() {
    let (_dir, root) = northam();
    let charts = "charts:\n  - id: day-places\n    title: Day centre places\n    kind: bar\n    unit: count\n    data:\n      categories: [North, South]\n      series:\n        - name: Places\n          values: [40, 55]\n";
    write_files(
        &root,
        &[
            ("content/data/charts.yaml", charts),
            (
                "content/data/markets/day-opportunities.yaml",
                &DAY_CARE.replace("order: 2\n", "order: 2\ncharts: [day-places]\n"),
            ),
        ],
    );
    let out = build(&root);
    let page = read(&out.join("markets/day-opportunities/index.html"));
    assert!(page.contains("id=\"chart-day-places\""), "{page}");
    assert!(page.contains("Day centre places"));
}

/// Market pages draw their figures with the theme's figure tile (pictogram, source and date,
/// change since the previous value), and an illustrative market tags its ratings and
/// intentions, with the explanation once.
#[test]
fn market_pages_use_the_figure_tile_and_tag_illustrative_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    mps::build(&mps::BuildOptions {
        root: repo_root(),
        output: Some(out.clone()),
        drafts: false,
    })
    .unwrap();
    let page = read(&out.join("mps/markets/home-care/index.html"));
    let figures = page
        .split("<h2 id=\"figures\">")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .expect("a Key figures section");
    let tiles = figures.matches("<li class=\"tile\">").count();
    assert!(tiles > 0, "{figures}");
    assert_eq!(figures.matches("class=\"tile-source\"").count(), tiles);
    assert!(figures.contains("<svg class=\"icon\""), "{figures}");
    // Every tile has a source link or the tag.
    for tile in figures.split("<li class=\"tile\">").skip(1) {
        assert!(
            tile.contains("tag-illustrative") || tile.contains("<a href=\"http"),
            "{tile}"
        );
    }
    let tag = "<span class=\"tag tag-illustrative\">Illustrative</span>";
    assert!(page.contains(&format!(
        "<caption>Ratings of the Home care market {tag}</caption>"
    )));
    assert!(page.contains(&format!("What we plan to do {tag}</h2>")));
    assert_eq!(page.matches("The ratings, messages, intentions").count(), 1);
}

#[test]
fn a_content_page_at_a_markets_address_is_an_error_naming_both() {
    let (_dir, root) = northam();
    write_files(
        &root,
        &[(
            "content/markets/extra-care.md",
            "---\ntitle: Mine\n---\nText.\n",
        )],
    );
    let err = match mps::build(&mps::BuildOptions::new(&root)) {
        Ok(_) => panic!("a content page replaced a market's page"),
        Err(e) => e.diagnostics(),
    };
    assert!(
        err.iter()
            .any(|d| d.file.ends_with("content/markets/extra-care.md")
                && d.message.contains("the page of a market")
                && d.message.contains("extra-care.yaml")),
        "{err:#?}"
    );
}

#[test]
fn ids_are_unique_within_every_market_page() {
    let (_dir, root) = northam();
    let out = build(&root);
    let mut checked = 0;
    for slug in ["extra-care", "day-opportunities"] {
        let html =
            std::fs::read_to_string(out.join("markets").join(slug).join("index.html")).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for part in html.split(" id=\"").skip(1) {
            let id = part.split('"').next().unwrap();
            assert!(seen.insert(id.to_string()), "{slug}: id `{id}` twice");
        }
        assert!(!seen.is_empty());
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn missing_markets_settings_are_one_error_not_one_per_rating() {
    let found = problems_with("site.yaml", SITE_YAML);
    let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["there are markets but site.yaml has no `markets:` settings"],
        "{found:#?}"
    );
}

#[test]
fn a_repeated_market_slug_is_suggested_once() {
    let (_dir, root) = northam();
    std::fs::write(
        root.join("content/data/markets/day-opportunities.yaml"),
        DAY_CARE.replace("slug: day-opportunities", "slug: extra-care"),
    )
    .unwrap();
    let plan = std::fs::read_to_string(root.join("content/data/plan.yaml")).unwrap();
    std::fs::write(
        root.join("content/data/plan.yaml"),
        plan.replace("market: extra-care", "market: extra-cares"),
    )
    .unwrap();
    let found = match mps::build::validate_only(&root, false) {
        Ok(_) => panic!("should not build"),
        Err(e) => e.diagnostics(),
    };
    let help = found
        .iter()
        .find(|d| d.message.contains("`extra-cares`"))
        .and_then(|d| d.help.clone())
        .unwrap_or_default();
    assert_eq!(
        help, "did you mean `extra-care`? use one of: extra-care",
        "{found:#?}"
    );
}
