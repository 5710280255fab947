//! `mps check`: warnings about stale figures, overdue reviews and hard-to-use Markdown name the
//! file and line; exit codes follow errors, and warnings only with --strict.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use mps::error::Severity;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

/// A small, clean site made by `mps init`, dated `made`.
fn site(made: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    mps::scaffold::init(&root, date(made)).expect("scaffold");
    (dir, root)
}

fn check(root: &Path, today: &str) -> Vec<mps::Diagnostic> {
    mps::check::check(&mps::check::CheckOptions {
        root: root.to_path_buf(),
        drafts: false,
        today: date(today),
    })
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn a_fresh_site_has_nothing_to_report() {
    let (_d, root) = site("2026-11-25");
    let found = check(&root, "2026-11-25");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_stale_figure_is_a_warning_naming_the_file_and_line() {
    let (_d, root) = site("2026-11-25");
    let figures = root.join("content/data/figures.yaml");
    edit(&figures, "as_at: 2026-08-25", "as_at: 2019-06-30");
    let found = check(&root, "2026-11-25");
    assert_eq!(found.len(), 1, "{found:?}");
    let w = &found[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.file, figures);
    assert!(w.message.contains("population"), "{w}");
    let text = std::fs::read_to_string(&figures).unwrap();
    let line = w.line.expect("a line");
    assert!(text
        .lines()
        .nth(line - 1)
        .unwrap()
        .contains("as_at: 2019-06-30"));

    // The age is a setting.
    edit(
        &root.join("site.yaml"),
        "figure_max_age_months: 12",
        "figure_max_age_months: 120",
    );
    assert!(check(&root, "2026-11-25").is_empty());
}

#[test]
fn figures_age_as_time_passes() {
    let (_d, root) = site("2026-11-25");
    // Made a quarter old; stale once more than twelve months have passed since then.
    assert!(check(&root, "2027-08-24").is_empty());
    let later = check(&root, "2027-08-26");
    assert_eq!(
        later
            .iter()
            .filter(|d| d.message.contains("figure"))
            .count(),
        2
    );
}

#[test]
fn an_overdue_review_is_a_warning_naming_the_page() {
    let (_d, root) = site("2026-11-25");
    let page = root.join("content/about.md");
    edit(&page, "review_by: 2027-11-25", "review_by: 2026-01-31");
    let found = check(&root, "2026-11-25");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].file, page);
    assert_eq!(found[0].line, Some(5));
    assert!(found[0].message.contains("31 January 2026"), "{}", found[0]);
}

#[test]
fn markdown_problems_name_file_and_line() {
    let (_d, root) = site("2026-11-25");
    let page = root.join("content/about.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        format!("{text}\n#### Deep\n\n![](chart.png)\n\nSee [click here](https://www.example.gov.uk/).\n"),
    )
    .unwrap();
    std::fs::write(root.join("content/chart.png"), b"png").unwrap();
    let found = check(&root, "2026-11-25");
    let lines = text.lines().count();
    let got: Vec<(Option<usize>, &str)> =
        found.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(found.len(), 3, "{got:?}");
    assert!(found.iter().all(|d| d.file == page));
    assert_eq!(found[0].line, Some(lines + 2));
    assert!(found[0].message.contains("heading level 4"));
    assert!(found[1].message.contains("alt text"));
    assert!(found[2].message.contains("click here"));
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mps"))
        .args(args)
        .output()
        .expect("mps runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn exit_codes_follow_errors_and_strict_warnings() {
    let (_d, root) = site("2026-11-25");
    let r = root.to_str().unwrap();
    // Figures dated 2019 are stale whatever today is.
    edit(
        &root.join("content/data/figures.yaml"),
        "as_at: 2026-08-25",
        "as_at: 2019-06-30",
    );
    let (code, text) = run(&["check", "--root", r]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("figures.yaml"), "{text}");
    let (code, _) = run(&["check", "--strict", "--root", r]);
    assert_eq!(code, 1);

    edit(
        &root.join("content/data/plan.yaml"),
        "theme: thriving-places",
        "theme: nowhere",
    );
    let (code, text) = run(&["check", "--root", r]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("plan.yaml") && text.contains("nowhere"),
        "{text}"
    );
    assert!(!root.join("public").exists(), "check never writes");
}

#[test]
fn the_default_site_checks_with_warnings_only() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let found = check(&root, "2026-11-25");
    assert!(
        found.iter().all(|d| d.severity == Severity::Warning),
        "{found:?}"
    );
}

#[test]
fn an_old_accessibility_statement_is_a_warning() {
    let (_d, root) = site("2026-11-25");
    let found = check(&root, "2027-11-26");
    let w: Vec<_> = found
        .iter()
        .filter(|d| d.message.contains("accessibility statement"))
        .collect();
    assert_eq!(w.len(), 1, "{found:?}");
    assert_eq!(w[0].file, root.join("site.yaml"));
    assert!(w[0].line.is_some());
}

#[test]
fn pipeline_entries_without_notice_fields_and_a_late_plan_are_warnings() {
    let (_d, root) = site("2026-11-25");
    let plan = root.join("content/data/plan.yaml");
    edit(&plan, "    category: services\n", "");
    let found = check(&root, "2026-11-25");
    assert_eq!(found.len(), 1, "{found:?}");
    let w = &found[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.file, plan);
    assert!(
        w.message.contains("EXA-001") && w.message.contains("category"),
        "{w}"
    );
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text
        .lines()
        .nth(w.line.expect("a line") - 1)
        .unwrap()
        .contains("EXA-001"));

    // With the duty on, a 2026/27 plan published on 25 November is past 26 May; and the buyer
    // needs an identifier.
    edit(
        &plan,
        "    value_gross: 4500000\n",
        "    value_gross: 4500000\n    category: services\n",
    );
    edit(
        &root.join("site.yaml"),
        "spend_over_100m: false",
        "spend_over_100m: true",
    );
    let found = check(&root, "2026-11-25");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|d| d.file == plan
        && d.message.contains("26 May 2026")
        && d.message.contains("more than 56 days")));
    assert!(found
        .iter()
        .any(|d| d.message.contains("organisation identifier")));
    edit(&plan, "published: 2026-11-25", "published: 2026-05-26");
    edit(
        &root.join("site.yaml"),
        "  # buyer_scheme: GB-LAE\n  # buyer_id: EXA\n",
        "  buyer_scheme: GB-LAE\n  buyer_id: EXA\n",
    );
    let found = check(&root, "2026-11-25");
    assert!(found.is_empty(), "{found:?}");
}

/// A number with neither a source nor the illustrative mark never reaches a page: the build
/// refuses it, so `mps check` (with or without --strict) fails, naming the file; for an MPS
/// figure and a market figure alike.
#[test]
fn a_figure_with_neither_source_nor_illustrative_mark_fails_check() {
    let (_d, root) = site("2026-11-25");
    let r = root.to_str().unwrap();
    edit(
        &root.join("content/data/figures.yaml"),
        "    source_name: Office for National Statistics, mid-year population estimates\n",
        "",
    );
    let (code, text) = run(&["check", "--strict", "--root", r]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("figures.yaml") && text.contains("population"),
        "{text}"
    );

    let (_d, root) = site("2026-11-25");
    let r = root.to_str().unwrap();
    edit(
        &root.join("content/data/markets/home-care.yaml"),
        "    illustrative: true\n    icon: calendar\n",
        "    icon: calendar\n",
    );
    let (code, text) = run(&["check", "--strict", "--root", r]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("home-care.yaml") && text.contains("home-care-hours"),
        "{text}"
    );
}
