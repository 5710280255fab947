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
"#;

const CHANGES_PAGE: &str = "---\ntitle: What changed\ndescription: Since last year's plan.\ngenerate: changes\n---\n\nCompared with last year.\n";

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
    // Added entries link to their pages in the current plan; removed ones have none.
    assert!(
        html.contains("href=\"../../plan/nwc-007/index.html\""),
        "{html}"
    );
    assert!(out.join("plan/nwc-007/index.html").is_file());
    assert!(!out.join("plan/nwc-003").exists());
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
