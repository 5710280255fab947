//! Fixture sites for integration tests: small, complete sites written into temp folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Writes `files` (path relative to `root`, contents) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

pub const SITE_YAML: &str = "title: Commissioning in Northam\norganisation: Northam District Council\nbase_url: https://www.northam.example/commissioning/\nfeedback: commissioning@northam.example\nnavigation:\n  - principles/\n  - themes/\n  - plan/\n";

pub const THEMES_YAML: &str = "themes:\n  - slug: healthy-lives\n    name: Healthy Lives\n    colour: \"#00594f\"\n    summary: People live longer, healthier lives.\n    outcomes:\n      - Fewer falls at home\n  - slug: good-growth\n    name: Good Growth\n    colour: \"#1d4f91\"\n    summary: The local economy grows fairly.\n";

pub const PRINCIPLES_YAML: &str = "principles:\n  - slug: listen-first\n    name: Listen first\n    summary: We start from what residents tell us.\n    in_practice:\n      - We run open sessions with providers before we write a specification.\n    themes: [healthy-lives]\n  - slug: spend-wisely\n    name: Spend wisely\n    summary: Every pound works hard.\n";

pub const PLAN_YAML: &str = "year: 2026/27\npublished: 2026-03-01\nnote: These entries are examples.\nentries:\n  - id: NDC-001\n    title: Falls prevention service\n    theme: healthy-lives\n    department: Adult Care\n    value: 2500000\n    start: 2026-06-01\n    duration_months: 36\n    route: Open procedure\n    status: planned\n    social_value: Local jobs.\n  - id: NDC-002\n    title: Business support hub\n    theme: good-growth\n    department: Place\n    value: 400000\n    start: 2026-09-01\n    duration_months: 24\n    route: Restricted procedure\n    status: tendering\n    social_value: Apprenticeships.\n  - id: NDC-003\n    title: Home adaptations framework\n    theme: healthy-lives\n    department: Housing\n    value: 1200000\n    start: 2027-01-01\n    duration_months: 48\n    route: Framework call-off\n    status: planned\n    social_value: Training for local trades.\n";

pub const FIGURES_YAML: &str = "figures:\n  - id: population\n    label: Residents\n    value: 98765\n    unit: people\n    as_at: 2025-06-30\n    period: mid-2025\n    source_name: ONS\n    source_url: https://www.ons.gov.uk/\n";

/// A complete small site for another council, written only from the README's content guide.
pub fn other_council() -> Vec<(&'static str, &'static str)> {
    vec![
        ("site.yaml", SITE_YAML),
        ("content/_index.md", "---\ntitle: Commissioning in Northam\ndescription: How Northam buys services.\n---\nWelcome. Read [our plan](plan/_index.md) and the [biggest contracts](plan/largest.md).\n"),
        ("content/about.md", "---\ntitle: About this site\ndescription: Who we are.\nupdated: 2026-05-01\nreview_by: 2027-05-01\n---\n## Who we are\n\nSee [the principles](principles/_index.md#top-of-list) and [home](_index.md).\n\nTable: Contacts\n\n| Team | Email |\n|---|---|\n| Commissioning | c@northam.example |\n"),
        ("content/principles/_index.md", "---\ntitle: Our principles\ndescription: How we commission.\ngenerate: principles\n---\n## Top of list\n\nThe principles.\n"),
        ("content/themes/_index.md", "---\ntitle: Our themes\ndescription: What we want for Northam.\ngenerate: themes\n---\n"),
        ("content/plan/_index.md", "---\ntitle: Procurement plan\ndescription: What we will buy.\ngenerate: plan\n---\nThe plan.\n"),
        ("content/plan/largest.md", "---\ntitle: Largest procurements\ndescription: Over £1m.\ngenerate: largest\n---\n"),
        ("content/plan/draft-note.md", "---\ntitle: Secret draft\ndescription: Not ready.\ndraft: true\n---\nNot yet.\n"),
        ("content/data/themes.yaml", THEMES_YAML),
        ("content/data/principles.yaml", PRINCIPLES_YAML),
        ("content/data/plan.yaml", PLAN_YAML),
        ("content/data/figures.yaml", FIGURES_YAML),
    ]
}

/// Every file under `dir` with its bytes, by relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the repository's default site (site.yaml, content/, themes/) into `dest`.
pub fn copy_default_site(dest: &Path) {
    let root = repo_root();
    std::fs::copy(root.join("site.yaml"), dest.join("site.yaml")).unwrap();
    for dir in ["content", "themes"] {
        for e in walkdir::WalkDir::new(root.join(dir)) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(&root).unwrap();
            let to = dest.join(rel);
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixture site from `tests/fixtures/NAME`, copied into a temporary folder so that a test
/// may change it freely.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

/// Copies `tests/fixtures/NAME` into a new temporary folder.
pub fn fixture(name: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let from = repo_root().join("tests/fixtures").join(name);
    assert!(from.is_dir(), "no fixture {}", from.display());
    for e in walkdir::WalkDir::new(&from) {
        let e = e.unwrap();
        let to = root.join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    Fixture { _dir: dir, root }
}

impl Fixture {
    /// Writes (or replaces) a file of the site.
    pub fn write(self, rel: &str, text: impl AsRef<[u8]>) -> Self {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Replaces the first `from` in a file of the site with `to`; the text must be there.
    pub fn edit(self, rel: &str, from: &str, to: &str) -> Self {
        let text = read(&self.root.join(rel));
        assert!(text.contains(from), "{rel} has no {from:?}");
        let text = text.replacen(from, to, 1);
        self.write(rel, text)
    }

    /// Removes a file of the site.
    pub fn remove(self, rel: &str) -> Self {
        std::fs::remove_file(self.root.join(rel)).unwrap();
        self
    }

    /// Builds the site into its `public/` folder.
    pub fn build(&self) -> mps::Result<mps::BuildSummary> {
        mps::build(&mps::BuildOptions {
            root: self.root.clone(),
            output: Some(self.root.join("public")),
            drafts: false,
        })
    }

    /// The built output, by path relative to `public/`.
    pub fn output(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.root.join("public"))
    }

    /// Builds the site, which must fail, and returns the errors as a user sees them (the
    /// renderer of `mps build`, without colour), with paths relative to the site folder.
    pub fn errors(&self) -> String {
        let err = match self.build() {
            Ok(_) => panic!("the build of {} succeeded", self.root.display()),
            Err(e) => e,
        };
        self.render(&err.diagnostics())
    }

    /// The diagnostics as a user sees them, with paths relative to the site folder.
    pub fn render(&self, diagnostics: &[mps::Diagnostic]) -> String {
        let text = mps::error::render(diagnostics);
        let prefix = format!("{}{}", self.root.display(), std::path::MAIN_SEPARATOR);
        text.replace(&prefix, "")
            .replace(&self.root.display().to_string(), ".")
    }
}
