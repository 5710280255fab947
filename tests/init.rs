//! `mps init` makes a site that builds and checks clean, and never touches a folder in use;
//! `mps new page` adds a draft page and never overwrites one.

use std::path::Path;
use std::process::Command;

fn mps(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mps"))
        .args(args)
        .output()
        .expect("mps runs")
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_new_site_builds_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("council");
    let r = root.to_str().unwrap();
    let out = mps(&["init", r]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "site.yaml",
        "content/_index.md",
        "content/data/themes.yaml",
        "content/data/principles.yaml",
        "content/data/framework.yaml",
        "content/data/plan.yaml",
        "content/data/figures.yaml",
        "content/data/charts.yaml",
    ] {
        assert!(root.join(f).is_file(), "{f}");
    }
    assert!(std::fs::read_to_string(root.join("site.yaml"))
        .unwrap()
        .contains("Example Borough Council"));

    let out = mps(&["check", "--strict", "--root", r]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = mps::build(&mps::BuildOptions::new(&root)).expect("it builds");
    let public = summary.output;
    for f in [
        "index.html",
        "about/index.html",
        "guidance/index.html",
        "guidance/working-with-us/index.html",
        "principles/outcomes-first/index.html",
        "themes/safe-and-well/index.html",
        "plan/index.html",
        "plan/exa-001/index.html",
        "plan/largest/index.html",
        "mps/index.html",
        "mps/markets/index.html",
        "mps/markets/home-care/index.html",
        "mps/markets/home-care/atom.xml",
        "mps/markets/home-care/market.json",
        "framework/index.html",
        "plan.csv",
        "plan-ocds.json",
        "charts/spend-by-theme.csv",
        "search-index.json",
        "atom.xml",
    ] {
        assert!(public.join(f).is_file(), "{f}");
    }
    // The feedback link carries the page's address.
    let about = std::fs::read_to_string(public.join("about/index.html")).unwrap();
    assert!(
        about.contains("https%3A%2F%2Fwww%2Eexample%2Egov%2Euk%2Fcommissioning%2Fabout%2F"),
        "feedback link without the page address"
    );
}

#[test]
fn init_into_a_folder_in_use_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("used");
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("site.yaml"), "title: Mine\n").unwrap();
    std::fs::write(root.join("notes.txt"), "keep me\n").unwrap();
    let before = listing(&root);
    let out = mps(&["init", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(listing(&root), before);
}

#[test]
fn new_page_adds_a_draft_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    mps::scaffold::init(&root, today).unwrap();
    let file = mps::scaffold::new_page(&root, "guidance/how-to-bid", today).unwrap();
    assert_eq!(file, root.join("content/guidance/how-to-bid.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("---\ntitle: How to bid\n"), "{text}");
    assert!(text.contains("date: 2026-11-25") && text.contains("draft: true"));
    // A draft does not stop a check or a build.
    assert!(mps::build::validate_only(&root, true).is_ok());

    std::fs::write(&file, "mine").unwrap();
    let r = root.to_str().unwrap();
    let out = mps(&["new", "page", "guidance/how-to-bid", "--root", r]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    assert!(mps::scaffold::new_page(&root, "../escape", today).is_err());
}

#[test]
fn new_page_adds_a_draft_translation_of_the_same_kind() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    mps::scaffold::init_in(&root, today, &["en-GB".into(), "cy".into()]).unwrap();
    std::fs::create_dir_all(root.join("content/guidance")).unwrap();
    std::fs::write(
        root.join("content/guidance/how-to-bid.md"),
        "---\ntitle: \"Bidding: a guide\"\ndescription: How to bid for our contracts.\ntemplate: page.html\n---\n\nText.\n",
    )
    .unwrap();
    let file = mps::scaffold::new_page(&root, "guidance/how-to-bid.cy", today).unwrap();
    assert_eq!(file, root.join("content/guidance/how-to-bid.cy.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"Bidding: a guide\"\n"),
        "{text}"
    );
    assert!(
        text.contains("template: \"page.html\"\n") && text.contains("draft: true"),
        "{text}"
    );
    // With drafts shown, the draft is the page's translation.
    assert!(mps::build::validate_only(&root, true).is_ok());
    // Without, the page is untranslated, which this starter does not allow: the error says why.
    let r = root.to_str().unwrap();
    let built = mps(&["build", "--root", r]);
    let err = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{err}");
    assert!(
        err.contains("how-to-bid.cy.md beside it is a draft"),
        "{err}"
    );

    // Not twice, and not in a language the site lacks or its default language.
    let again = mps(&["new", "page", "guidance/how-to-bid.cy", "--root", r]);
    assert_eq!(again.status.code(), Some(1));
    let fr = mps(&["new", "page", "guidance/how-to-bid.fr", "--root", r]);
    let err = String::from_utf8_lossy(&fr.stderr);
    assert!(
        err.contains("`fr` is not one of the languages") && err.contains("(cy)"),
        "{err}"
    );
    let en = mps(&["new", "page", "guidance/how-to-bid.en", "--root", r]);
    let err = String::from_utf8_lossy(&en.stderr);
    assert!(err.contains("default language"), "{err}");
    assert!(!root.join("content/guidance/how-to-bid.fr.md").exists());
    assert!(!root.join("content/guidance/how-to-bid.en.md").exists());

    // A one-language site is told how to add a language.
    let one = dir.path().join("one");
    mps::scaffold::init(&one, today).unwrap();
    let e = mps::scaffold::new_page(&one, "about.cy", today).unwrap_err();
    let d = &e.diagnostics()[0];
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("languages: [en-GB, cy]"),
        "{e}"
    );
}
