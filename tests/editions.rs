//! Editions of the plan, as the README's "Editions" section describes them, tried on a site
//! that is not Southend's: one file per edition in `content/data/plan/`, one of them current;
//! the "What changed" page lists exactly the differences; bad folders fail at file and line.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// The earlier edition. Thresholds of the scaffold: large £1m, pipeline £2m.
const EARLIER: &str = r#"year: 2025/26
published: 2025-03-20
entries:
  - id: NWC-001
    title: Home care
    theme: safe-and-well
    department: Adults
    value: 4500000
    start: 2025-10-01
    duration_months: 36
    route: Open procedure
    status: planned
    notice_date: 2025-06-01
    social_value: Local jobs.
  - id: NWC-002
    title: Park maintenance
    theme: thriving-places
    department: Place
    value: 900000
    start: 2025-07-01
    duration_months: 24
    route: Open procedure
    status: planned
    social_value: Apprenticeships.
  - id: NWC-003
    title: Youth grants
    theme: safe-and-well
    department: Children
    value: 40000
    start: 2025-05-01
    duration_months: 12
    route: Grant programme
    status: planned
    social_value: Volunteering.
  - id: NWC-004
    title: Library books
    theme: thriving-places
    department: Place
    value: 300000
    start: 2025-09-01
    duration_months: 12
    route: Open procedure
    status: tendering
    social_value: Local suppliers.
  - id: NWC-005
    title: Street lighting
    theme: thriving-places
    department: Place
    value: 2500000
    start: 2026-01-01
    duration_months: 60
    route: Restricted procedure
    status: planned
    notice_date: 2025-09-01
    social_value: Local jobs.
  - id: NWC-008
    title: Minor repairs
    theme: thriving-places
    department: Place
    value: 5000
    start: 2025-08-01
    duration_months: 12
    route: Direct award
    status: planned
    social_value: Local trades.
"#;

/// The current edition: NWC-001 costs more and has moved on, NWC-002 starts later, NWC-003
/// is gone, NWC-004 is unchanged but reworded, NWC-005 changes route, and two are new (one
/// above and one below the pipeline threshold).
const CURRENT: &str = r#"year: 2026/27
published: 2026-03-18
current: true
entries:
  - id: NWC-001
    title: Home care
    theme: safe-and-well
    department: Adults
    value: 4800000
    start: 2025-10-01
    duration_months: 36
    route: Open procedure
    status: tendering
    notice_date: 2025-06-01
    social_value: Local jobs.
  - id: NWC-002
    title: Park maintenance
    theme: thriving-places
    department: Place
    value: 900000
    start: 2026-07-01
    duration_months: 24
    route: Open procedure
    status: planned
    social_value: Apprenticeships.
  - id: NWC-004
    title: Library books and e-books
    theme: thriving-places
    department: Place
    value: 300000
    start: 2025-09-01
    duration_months: 12
    route: Open procedure
    status: tendering
    social_value: Local suppliers and reading groups.
  - id: NWC-005
    title: Street lighting
    theme: thriving-places
    department: Place
    value: 2500000
    start: 2026-01-01
    duration_months: 60
    route: Framework call-off
    status: planned
    notice_date: 2025-09-01
    social_value: Local jobs.
  - id: NWC-007
    title: School transport
    theme: safe-and-well
    department: Children
    value: 3100000
    start: 2027-04-01
    duration_months: 48
    route: Open procedure
    status: planned
    notice_date: 2026-08-01
    social_value: Local drivers.
  - id: NWC-006
    title: Lunch clubs
    theme: safe-and-well
    department: Adults
    value: 20000
    start: 2026-06-01
    duration_months: 12
    route: Grant programme
    status: planned
    social_value: Volunteering.
  - id: NWC-008
    title: Minor repairs
    theme: thriving-places
    department: Place
    value: 5000
    start: 2025-08-01
    duration_months: 12
    route: Direct award
    status: planned
    social_value: Local trades.
"#;

const CHANGES_PAGE: &str = "---\ntitle: What changed\ndescription: Since last year's plan.\ngenerate: changes\n---\n\nCompared with last year.\n";

/// Key figures: one up, one down, one with an earlier value that is the same (not a change).
const FIGURES: &str = r#"figures:
  - id: population
    label: Resident population
    value: 152000
    unit: people
    as_at: 2026-06-30
    previous: {value: 150000, as_at: 2025-06-30}
    illustrative: true
  - id: over-65-share
    label: Residents aged 65 and over
    value: 20
    unit: "%"
    as_at: 2026-06-30
    previous: {value: 20.0, as_at: 2025-06-30}
    illustrative: true
  - id: care-spend
    label: Spending on adult care
    value: 41.5
    unit: £m
    as_at: 2026-03-31
    previous: {value: 43, as_at: 2025-03-31, period: 2024/25}
    illustrative: true
"#;

/// Gives the scaffold's home care market's ratings earlier levels: quality up from
/// Developing, supply down from Good, workforce the same as before (not a change).
fn rate_before(root: &Path) {
    let file = root.join("content/data/markets/home-care.yaml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    for (reason, before) in [
        ("Most agencies are rated Good", "developing"),
        ("Some packages wait", "good"),
        ("Agencies find it hard", "needs-to-change"),
    ] {
        let at = text.find(reason).expect("a rating");
        let assessed = at + text[at..].find("assessed:").expect("assessed");
        let end = assessed + text[assessed..].find('\n').expect("end of line") + 1;
        text.insert_str(
            end,
            &format!("    previous: {{level: {before}, assessed: 2025-11-01}}\n"),
        );
    }
    std::fs::write(&file, text).expect("write");
}

/// A site made by `mps init`, with its plan replaced by two editions and a "What changed" page.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    let made = NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
    mps::scaffold::init(&root, made).expect("scaffold");
    let data = root.join("content/data");
    std::fs::remove_file(data.join("plan.yaml")).expect("remove plan.yaml");
    std::fs::create_dir(data.join("plan")).expect("plan folder");
    std::fs::write(data.join("plan/2025-26.yaml"), EARLIER).expect("write");
    std::fs::write(data.join("plan/2026-27.yaml"), CURRENT).expect("write");
    std::fs::write(root.join("content/plan/changes.md"), CHANGES_PAGE).expect("write");
    std::fs::write(data.join("figures.yaml"), FIGURES).expect("write");
    rate_before(&root);
    (dir, root)
}

fn build(root: &Path) -> Result<PathBuf, Vec<mps::Diagnostic>> {
    let out = root.parent().expect("a parent").join("out");
    let mut opts = mps::build::BuildOptions::new(root);
    opts.output = Some(out.clone());
    mps::build::build(&opts)
        .map(|_| out)
        .map_err(|e| e.diagnostics())
}

/// The ids listed in a section of the changes page, from its heading to the next one.
fn ids_in(html: &str, section: &str) -> Vec<String> {
    let start = html
        .find(&format!("id=\"{section}\""))
        .unwrap_or_else(|| panic!("no {section} section"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |i| i + 1);
    rest[..end]
        .split("<span class=\"muted\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_changes_page_lists_exactly_the_differences() {
    let (_d, root) = site();
    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let html = std::fs::read_to_string(out.join("plan/changes/index.html")).expect("page");
    assert_eq!(ids_in(&html, "added"), ["NWC-006", "NWC-007"]);
    assert_eq!(ids_in(&html, "removed"), ["NWC-003"]);
    assert_eq!(ids_in(&html, "changed"), ["NWC-001", "NWC-002", "NWC-005"]);
    let changed = &html[html.find("id=\"changed\"").expect("changed")..];
    for cells in [
        "<td data-label=\"What changed\">Estimated value</td>\n      <td data-label=\"In 2025/26\">£4,500,000</td>\n      <td data-label=\"In 2026/27\">£4,800,000</td>",
        "<td data-label=\"What changed\">Status</td>\n      <td data-label=\"In 2025/26\">Planned</td>\n      <td data-label=\"In 2026/27\">Tendering</td>",
        "<td data-label=\"What changed\">Expected start</td>\n      <td data-label=\"In 2025/26\">July 2025</td>\n      <td data-label=\"In 2026/27\">July 2026</td>",
        "<td data-label=\"What changed\">Route</td>\n      <td data-label=\"In 2025/26\">Restricted procedure</td>\n      <td data-label=\"In 2026/27\">Framework call-off</td>",
    ] {
        assert!(changed.contains(cells), "{cells} not in {changed}");
    }
    // Added entries link to their pages in the current plan; removed ones to theirs in the
    // earlier edition, which stays published.
    assert!(
        html.contains("href=\"../../plan/nwc-007/index.html\""),
        "{html}"
    );
    assert!(out.join("plan/nwc-007/index.html").is_file());
    assert!(!out.join("plan/nwc-003").exists());
    assert!(html.contains("href=\"../../plan/2025-26/nwc-003/index.html\""));
    assert!(out.join("plan/2025-26/nwc-003/index.html").is_file());

    // Figures that moved (not the one whose earlier value is the same), in file order.
    assert_eq!(
        row_heads(&html, "figures"),
        ["Resident population", "Spending on adult care"]
    );
    let figures = section(&html, "figures");
    assert!(
        figures.contains("150,000 people (30 June 2025)"),
        "{figures}"
    );
    assert!(
        figures.contains("152,000 people (30 June 2026)"),
        "{figures}"
    );
    assert!(
        figures.contains("Down £1.5m from £43m in 2024/25"),
        "{figures}"
    );
    // Ratings that went up or down, not the one that stayed the same.
    let ratings = section(&html, "ratings");
    let rows: Vec<Vec<String>> = ratings
        .split("<tr>")
        .skip(2)
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| {
                    let c = c.split_once('>').map_or("", |(_, rest)| rest);
                    c.split('<').next().unwrap_or_default().to_string()
                })
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            // The scaffold dates its ratings three months before it was made.
            [
                "Quality",
                "Developing (1 November 2025)",
                "Good (25 August 2026)",
                "Up"
            ],
            [
                "Supply",
                "Good (1 November 2025)",
                "Developing (25 August 2026)",
                "Down"
            ],
        ]
        .map(|r| r.map(String::from).to_vec()),
        "{ratings}"
    );
    assert!(html.contains("compares the 2026/27 plan"));
    assert!(html.contains("with the 2025/26 plan"));

    // The current edition is the site's plan: its pipeline and downloads are its own.
    let csv = std::fs::read_to_string(out.join("plan.csv")).expect("plan.csv");
    assert!(csv.contains("NWC-007") && !csv.contains("NWC-003"));
    let pipeline = std::fs::read_to_string(out.join("plan/pipeline/index.html")).expect("page");
    assert!(pipeline.contains("NWC-007"));
    assert!(
        !pipeline.contains("NWC-001"),
        "advertised before 2026-03-18"
    );
}

#[test]
fn a_site_with_no_earlier_edition_says_so() {
    let (_d, root) = site();
    std::fs::remove_file(root.join("content/data/plan/2025-26.yaml")).expect("remove");
    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let html = std::fs::read_to_string(out.join("plan/changes/index.html")).expect("page");
    assert!(
        html.contains("There is no earlier edition of the plan to compare the 2026/27 plan with.")
    );
    assert!(!html.contains("id=\"added\""));
}

/// The part of a page from the heading with id `id` to the next `<h2`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} section"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// The row headings of the table in a section.
fn row_heads(html: &str, id: &str) -> Vec<String> {
    section(html, id)
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or_default().to_string())
        .collect()
}

fn line_of(file: &Path, line: usize) -> String {
    let text = std::fs::read_to_string(file).expect("read");
    text.lines().nth(line - 1).unwrap_or_default().to_string()
}

#[test]
fn two_current_editions_fail_at_the_second_current_line() {
    let (_d, root) = site();
    let earlier = root.join("content/data/plan/2025-26.yaml");
    std::fs::write(
        &earlier,
        EARLIER.replacen(
            "published: 2025-03-20\n",
            "published: 2025-03-20\ncurrent: true\n",
            1,
        ),
    )
    .expect("write");
    let errors = build(&root).expect_err("two current editions");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(
        e.message
            .contains("two editions of the plan are marked current"),
        "{e}"
    );
    assert_eq!(e.file, root.join("content/data/plan/2026-27.yaml"));
    assert_eq!(line_of(&e.file, e.line.expect("a line")), "current: true");
    assert!(e.message.contains("2025-26.yaml"), "{e}");
}

#[test]
fn no_current_edition_fails_naming_a_file() {
    let (_d, root) = site();
    let current = root.join("content/data/plan/2026-27.yaml");
    std::fs::write(&current, CURRENT.replacen("current: true\n", "", 1)).expect("write");
    let errors = build(&root).expect_err("no current edition");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(
        e.message
            .contains("no edition of the plan is marked current"),
        "{e}"
    );
    assert_eq!(e.file, current);
    assert_eq!(e.line, Some(1));
    assert!(e.help.iter().any(|h| h.contains("current: true")), "{e}");
}

#[test]
fn plan_yaml_beside_the_editions_folder_fails() {
    let (_d, root) = site();
    let single = root.join("content/data/plan.yaml");
    std::fs::write(&single, CURRENT).expect("write");
    let errors = build(&root).expect_err("both");
    assert!(
        errors.iter().any(|e| e.file == single
            && e.line == Some(1)
            && e.message.contains("the plan is given twice")),
        "{errors:?}"
    );
}

/// Errors in the current edition name its own file, as they would name plan.yaml.
#[test]
fn errors_in_the_current_edition_name_its_file_and_line() {
    let (_d, root) = site();
    let current = root.join("content/data/plan/2026-27.yaml");
    std::fs::write(
        &current,
        CURRENT.replacen(
            "theme: safe-and-well\n    department: Children",
            "theme: nowhere\n    department: Children",
            1,
        ),
    )
    .expect("write");
    let errors = build(&root).expect_err("an unknown theme");
    let e = errors
        .iter()
        .find(|e| e.message.contains("nowhere"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(e.file, current);
    assert_eq!(
        line_of(&e.file, e.line.expect("a line")).trim(),
        "theme: nowhere"
    );
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The earlier edition's ids, in its file's order.
const EARLIER_IDS: [&str; 6] = [
    "NWC-001", "NWC-002", "NWC-003", "NWC-004", "NWC-005", "NWC-008",
];

/// Every page of the earlier edition is published under the plan page, says it is an earlier
/// edition in a landmark with a link to the current plan, and is linked from the current plan
/// and the "What changed" page; the current plan's pages stay where they were, unmarked.
#[test]
fn earlier_editions_are_published_marked_and_linked() {
    let (_d, root) = site();
    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let notice =
        "<div class=\"notice edition-notice\" role=\"region\" aria-label=\"Earlier edition\">";
    let page = read(&out, "plan/2025-26/index.html");
    assert!(page.contains(notice), "{page}");
    assert!(page.contains(
        "<strong>This is the 2025/26 edition of the plan</strong>, published on 20 March 2025"
    ));
    assert!(
        page.contains("<a href=\"../../plan/index.html\">see the current plan (2026/27)</a>"),
        "{page}"
    );
    assert!(page.contains("<h1>Procurement plan 2025/26 (earlier edition)</h1>"));
    // Its own facts: two entries in its pipeline (from its own published date), five in all.
    assert!(
        page.contains(
            "<p class=\"tile-value\">2</p><p class=\"tile-label\">in the pipeline notice"
        ),
        "{page}"
    );
    for id in EARLIER_IDS {
        let lower = id.to_ascii_lowercase();
        assert!(
            page.contains(&format!("href=\"../../plan/2025-26/{lower}/index.html\"")),
            "{id} not linked from the edition's page"
        );
        let entry = read(&out, &format!("plan/2025-26/{lower}/index.html"));
        assert!(entry.contains(notice), "{id}");
        assert!(entry
            .contains("<a href=\"../../../plan/index.html\">see the current plan (2026/27)</a>"));
        assert!(entry.contains(&format!("Procurement {id}")));
        assert!(entry.contains(
            "<a href=\"../../../plan/2025-26/index.html\">The procurement plan for 2025/26</a>"
        ));
    }
    // The entry as the earlier edition gave it, not as it is now.
    let e1 = read(&out, "plan/2025-26/nwc-001/index.html");
    assert!(e1.contains("<dd>£4,500,000") && !e1.contains("£4,800,000"));
    assert!(e1.contains("<dd>Planned</dd>"));
    // An entry still in the plan links to its current page; a removed one cannot.
    let to_current = "See this procurement in the current plan";
    assert!(e1.contains(&format!(
        "<a href=\"../../../plan/nwc-001/index.html\">{to_current}</a>"
    )));
    assert!(!read(&out, "plan/2025-26/nwc-003/index.html").contains(to_current));

    // The current plan stays at plan/, unmarked, and lists every edition.
    let plan = read(&out, "plan/index.html");
    assert!(!plan.contains("edition-notice"));
    assert!(plan.contains("<a href=\"../plan/2025-26/index.html\">The 2025/26 plan</a>, published on 20 March 2025</li>"), "{plan}");
    assert!(plan.contains("<a href=\"../plan/index.html\" aria-current=\"page\">The 2026/27 plan</a>, published on 18 March 2026 (the current plan)</li>"));
    assert!(!read(&out, "plan/nwc-001/index.html").contains("edition-notice"));
    let changes = read(&out, "plan/changes/index.html");
    assert!(changes.contains("<a href=\"../../plan/2025-26/index.html\">The 2025/26 plan</a>"));

    // Found in the site map; the edition's page is searchable, its entries are not.
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("plan/2025-26/nwc-003/"));
    let search = read(&out, "search-index.json");
    assert!(search.contains("plan/2025-26/index.html"));
    assert!(!search.contains("plan/2025-26/nwc-"));
}

fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("CSV")
}

fn column(rows: &[std::collections::BTreeMap<String, String>], name: &str) -> Vec<String> {
    rows.iter().map(|r| r[name].clone()).collect()
}

/// Each edition's downloads are made from that edition alone: its own entries, its own
/// contracts register (over £5,000) and its own pipeline window.
#[test]
fn each_edition_has_its_own_downloads() {
    let (_d, root) = site();
    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let page = read(&out, "plan/2025-26/index.html");
    for file in ["plan.csv", "plan.json", "plan-ocds.json", "contracts.csv"] {
        assert!(
            page.contains(&format!("href=\"../../plan/2025-26/{file}\" download")),
            "{file} not linked"
        );
    }

    let plan = csv_rows(&read(&out, "plan/2025-26/plan.csv"));
    assert_eq!(column(&plan, "id"), EARLIER_IDS);
    // NWC-001 and NWC-005 are £2m or more, with notices inside 20 March 2025 to 20 September
    // 2026; the others are below the threshold.
    let pipeline: Vec<String> = plan
        .iter()
        .filter(|r| r["pipeline_notice"] == "true")
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(pipeline, ["NWC-001", "NWC-005"]);
    assert_eq!(plan[0]["value_gbp"], "4500000");
    let contracts = csv_rows(&read(&out, "plan/2025-26/contracts.csv"));
    assert_eq!(
        column(&contracts, "reference"),
        ["NWC-001", "NWC-002", "NWC-003", "NWC-004", "NWC-005"],
        "£5,000 exactly is left out"
    );

    let json: serde_json::Value =
        serde_json::from_str(&read(&out, "plan/2025-26/plan.json")).expect("JSON");
    assert_eq!(json["year"], "2025/26");
    assert_eq!(json["published"], "2025-03-20");
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(6));

    let ocds: serde_json::Value =
        serde_json::from_str(&read(&out, "plan/2025-26/plan-ocds.json")).expect("OCDS");
    assert!(ocds["uri"]
        .as_str()
        .is_some_and(|u| u.ends_with("/plan/2025-26/plan-ocds.json")));
    assert_eq!(ocds["publishedDate"], "2025-03-20T00:00:00Z");
    let releases = ocds["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), 6);
    let uk1: Vec<&str> = releases
        .iter()
        .filter(|r| r["planning"]["documents"][0]["noticeType"] == "UK1")
        .filter_map(|r| r["tender"]["id"].as_str())
        .collect();
    assert_eq!(uk1, ["NWC-001", "NWC-005"]);
    assert_eq!(releases[0]["id"], "NWC-001-planning-2025-03-20");

    // The current edition's files are its own: only NWC-007 is in its pipeline (published
    // 18 March 2026, so NWC-001's and NWC-005's notices are past).
    let current = csv_rows(&read(&out, "plan.csv"));
    let pipeline: Vec<String> = current
        .iter()
        .filter(|r| r["pipeline_notice"] == "true")
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(pipeline, ["NWC-007"]);
    let ocds: serde_json::Value =
        serde_json::from_str(&read(&out, "plan-ocds.json")).expect("OCDS");
    assert_eq!(ocds["publishedDate"], "2026-03-18T00:00:00Z");
    assert!(
        !out.join("plan/2026-27").exists(),
        "the current edition is at plan/"
    );
}

/// An earlier edition is checked as the current one is, each error at its file, line and
/// column: themes and markets that do not exist, ids used twice within the edition.
#[test]
fn errors_in_an_earlier_edition_name_its_file_line_and_column() {
    let (_d, root) = site();
    let earlier = root.join("content/data/plan/2025-26.yaml");
    let text = EARLIER
        .replacen(
            "theme: thriving-places\n    department: Place\n    value: 900000",
            "theme: nowhere\n    department: Place\n    value: 900000",
            1,
        )
        .replacen(
            "    route: Grant programme\n",
            "    route: Grant programme\n    market: no-such-market\n",
            1,
        )
        .replacen("id: NWC-004", "id: NWC-001", 1);
    std::fs::write(&earlier, text).expect("write");
    let errors = build(&root).expect_err("errors in the earlier edition");
    assert_eq!(errors.len(), 3, "{errors:?}");
    for (what, line) in [
        ("theme `nowhere`", "    theme: nowhere"),
        ("market `no-such-market`", "    market: no-such-market"),
        (
            "procurement id `NWC-001` is used more than once (first on line 4)",
            "  - id: NWC-001",
        ),
    ] {
        let e = errors
            .iter()
            .find(|e| e.message.contains(what))
            .unwrap_or_else(|| panic!("no error about {what}: {errors:?}"));
        assert_eq!(e.file, earlier, "{e}");
        assert_eq!(line_of(&e.file, e.line.expect("a line")), line, "{e}");
        // The column is that of the value.
        let column = e.column.expect("a column");
        let value = line.rsplit(' ').next().expect("a value");
        assert_eq!(&line[column - 1..], value, "{e}");
    }
}

#[test]
fn an_earlier_edition_needs_a_file_name_that_can_be_an_address() {
    let (_d, root) = site();
    let plan = root.join("content/data/plan");
    std::fs::rename(plan.join("2025-26.yaml"), plan.join("2025_26.yaml")).expect("rename");
    let errors = build(&root).expect_err("a bad name");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].file, plan.join("2025_26.yaml"));
    assert!(errors[0].message.contains("`2025_26`"), "{}", errors[0]);
}

/// A rating that changed shows its previous level beside it on the market's page, and in its
/// JSON file; one that stayed the same shows no change.
#[test]
fn a_market_page_shows_a_changed_ratings_previous_level() {
    let (_d, root) = site();
    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let page = read(&out, "mps/markets/home-care/index.html");
    assert!(
        page.contains("<span class=\"rating-change\">Up from Developing (1 November 2025)</span>"),
        "{page}"
    );
    assert!(page.contains("<span class=\"rating-change\">Down from Good (1 November 2025)</span>"));
    assert_eq!(
        page.matches("rating-change").count(),
        2,
        "workforce did not change"
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(&out, "mps/markets/home-care/market.json")).expect("JSON");
    assert_eq!(json["ratings"][0]["previous"]["level"], "developing");
    assert_eq!(json["ratings"][0]["previous"]["assessed"], "2025-11-01");

    // A previous level must be on the scale too.
    let file = root.join("content/data/markets/home-care.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("{level: good,", "{level: grand,", 1)).expect("write");
    let errors = build(&root).expect_err("a level not on the scale");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].file, file);
    assert!(
        errors[0].message.contains("previous rating level `grand`"),
        "{}",
        errors[0]
    );
    assert!(line_of(&file, errors[0].line.expect("a line")).contains("previous: {level: grand"));
}

#[test]
fn an_edition_named_after_an_entry_says_to_rename_one_of_the_two() {
    let (_d, root) = site();
    let plan = root.join("content/data/plan");
    std::fs::rename(plan.join("2025-26.yaml"), plan.join("nwc-007.yaml")).expect("rename");
    let errors = build(&root).expect_err("two pages at one address");
    let clash = errors
        .iter()
        .find(|e| e.message.contains("is used twice"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    let help = clash.help.clone().unwrap_or_default();
    assert!(
        help.contains("rename the edition file") && help.contains("nwc-007.yaml"),
        "{help}"
    );
    assert!(!help.contains("Markdown"), "{help}");
}

/// Each row of the changes page that shows an illustrative entry carries the tag, as the same
/// entry's row does on the plan and edition pages; the others do not.
#[test]
fn the_changes_page_tags_illustrative_rows() {
    let (_d, root) = site();
    let data = root.join("content/data/plan");
    let mark = |file: &str, title: &str| {
        let path = data.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        let from = format!("    title: {title}\n");
        assert!(text.contains(&from), "{title}");
        let text = text.replacen(&from, &format!("{from}    illustrative: true\n"), 1);
        std::fs::write(&path, text).expect("write");
    };
    mark("2025-26.yaml", "Youth grants");
    mark("2026-27.yaml", "School transport");
    mark("2026-27.yaml", "Park maintenance");
    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let html = std::fs::read_to_string(out.join("plan/changes/index.html")).expect("page");
    let tagged = |id: &str| {
        let row = html[..html.find(&format!(">{id}</span>")).expect(id)]
            .rsplit("<th scope=\"row\"")
            .next()
            .unwrap_or_default()
            .to_string();
        row.contains("tag-illustrative")
    };
    for (id, illustrative) in [
        ("NWC-007", true),
        ("NWC-006", false),
        ("NWC-003", true),
        ("NWC-002", true),
        ("NWC-001", false),
    ] {
        assert_eq!(tagged(id), illustrative, "{id}");
    }
}

/// A count of one reads in the singular wherever a count is shown.
#[test]
fn a_count_of_one_is_singular() {
    let (_d, root) = site();
    let plan = root.join("content/data/plan/2026-27.yaml");
    let text = std::fs::read_to_string(&plan).expect("read");
    let at = text.find("id: NWC-006").expect("NWC-006");
    let months = at + text[at..].find("duration_months: ").expect("months");
    let end = months + text[months..].find('\n').expect("end");
    let text = format!("{}duration_months: 1{}", &text[..months], &text[end..]);
    std::fs::write(&plan, text).expect("write");
    let figures = root.join("content/data/figures.yaml");
    let mut text = std::fs::read_to_string(&figures).expect("read");
    text.push_str("sources:\n  - name: Only source\n    url: https://example.org/\n");
    std::fs::write(&figures, text).expect("write");

    let out = build(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let plan_page = read(&out, "plan/index.html");
    assert!(plan_page.contains(">1 month</td>"), "{plan_page}");
    assert!(!plan_page.contains(" 1 months"));
    let entry = read(&out, "plan/nwc-006/index.html");
    assert!(entry.contains("<dd>1 month"), "{entry}");
    let mps = read(&out, "mps/index.html");
    assert!(mps.contains("1 source, kept up to date"), "{mps}");
    // One procurement was removed: "its details", not "their".
    let changes = read(&out, "plan/changes/index.html");
    assert!(
        changes.contains("Its details are as the 2025/26 plan gave them"),
        "{changes}"
    );
}
