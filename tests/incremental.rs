//! The preview's incremental builds (`mps serve`) against full builds: after every edit of a
//! random sequence, the files the preview would serve must equal, byte for byte, those of a
//! build from scratch and those `mps build` writes; and an edit must re-render only the pages
//! it reaches.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mps::serve::rebuild::{PreviewBuild, Rebuilder};

/// The bytes of every file of a preview build.
fn bytes(build: &PreviewBuild) -> BTreeMap<String, Vec<u8>> {
    build
        .files
        .iter()
        .map(|(name, body)| (name.clone(), body.bytes().to_vec()))
        .collect()
}

fn page(title: &str, weight: i64, draft: bool, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndescription: About {title}.\ndate: 2026-01-0{}\nweight: {weight}\ndraft: {draft}\n---\n\n{body}\n",
        weight.rem_euclid(9) + 1
    )
}

/// A site with the default content plus a section of small pages to edit.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_default_site(dir.path());
    let guide = dir.path().join("content/guide");
    std::fs::create_dir_all(&guide).unwrap();
    std::fs::write(
        guide.join("_index.md"),
        page("Guide", 1, false, "How to work with us."),
    )
    .unwrap();
    for i in 0..6 {
        std::fs::write(
            guide.join(format!("p{i}.md")),
            page(&format!("Guide page {i}"), i, false, "Some words."),
        )
        .unwrap();
    }
    dir
}

/// A small deterministic pseudo-random sequence (no dependency needed for this).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Makes one random edit under `root`; returns the paths it touched.
fn edit(root: &Path, rng: &mut Lcg, step: usize) -> (String, Vec<PathBuf>) {
    let guide = root.join("content/guide");
    let i = rng.below(6);
    let file = guide.join(format!("p{i}.md"));
    let touch = |p: &Path, text: String| {
        std::fs::write(p, text).unwrap();
        vec![p.to_path_buf()]
    };
    // Saves p{i} with its usual title.
    let save = |weight: i64, draft: bool, body: &str| {
        touch(&file, page(&format!("Guide page {i}"), weight, draft, body))
    };
    match rng.below(10) {
        0 => (
            format!("body of p{i}"),
            save(i as i64, false, &format!("Edit {step}: more words.")),
        ),
        1 => (
            format!("title of p{i}"),
            touch(
                &file,
                page(&format!("Renamed {i} at {step}"), i as i64, false, "Words."),
            ),
        ),
        2 => (
            "section title".into(),
            touch(
                &guide.join("_index.md"),
                page(&format!("Guide {step}"), 1, false, "How to work with us."),
            ),
        ),
        3 => (
            format!("weight of p{i}"),
            save(10 - step as i64 % 20, false, "Some words."),
        ),
        4 => (format!("p{i} made a draft"), save(i as i64, true, "Draft.")),
        5 => {
            let other = rng.below(6);
            (
                format!("link from p{i} to p{other}"),
                save(
                    i as i64,
                    false,
                    &format!("See [page {other}](p{other}.md) and [the plan](../plan/_index.md)."),
                ),
            )
        }
        6 => {
            let extra = guide.join(format!("extra{}.md", step % 3));
            if extra.exists() {
                std::fs::remove_file(&extra).unwrap();
                ("an extra page deleted".into(), vec![extra])
            } else {
                (
                    "an extra page added".into(),
                    touch(&extra, page(&format!("Extra {step}"), 3, false, "New.")),
                )
            }
        }
        7 => {
            let yaml = root.join("site.yaml");
            let text = std::fs::read_to_string(&yaml).unwrap();
            let first = text.lines().next().unwrap().to_string();
            let text = text.replacen(&first, &format!("title: Commissioning {step}"), 1);
            ("the site title".into(), touch(&yaml, text))
        }
        9 => {
            // A page in the navigation, which every page shows.
            let framework = root.join("content/framework.md");
            let text = std::fs::read_to_string(&framework).unwrap();
            let line = text
                .lines()
                .find(|l| l.starts_with("title: "))
                .unwrap()
                .to_string();
            let text = text.replacen(&line, &format!("title: The framework at {step}"), 1);
            ("the framework page's title".into(), touch(&framework, text))
        }
        _ => {
            let themes = root.join("content/data/themes.yaml");
            let text = std::fs::read_to_string(&themes).unwrap();
            let at = text.find("name: ").unwrap() + "name: ".len();
            let text = format!("{}Edited {step} {}", &text[..at], &text[at..]);
            ("a theme's name".into(), touch(&themes, text))
        }
    }
}

#[test]
fn incremental_builds_equal_full_builds_after_random_edits() {
    let dir = site();
    let root = dir.path().canonicalize().unwrap();
    let mut preview = Rebuilder::new(&root, false);
    preview.build(None).unwrap();
    let mut rng = Lcg(2019);
    for step in 0..40 {
        let (what, changed) = edit(&root, &mut rng, step);
        let incremental = preview.build(Some(&changed)).unwrap();
        let full = Rebuilder::new(&root, false).build(None).unwrap();
        let (a, b) = (bytes(&incremental), bytes(&full));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "step {step} ({what}): different files"
        );
        for (name, content) in &b {
            assert!(
                a[name] == *content,
                "step {step} ({what}): {name} differs from a full build"
            );
        }
    }

    // And the same as what `mps build` writes.
    let out = dir.path().join("out");
    let mut opts = mps::BuildOptions::new(&root);
    opts.output = Some(out.clone());
    mps::build(&opts).unwrap();
    let mut written = common::tree(&out);
    written.remove(".mps-manifest");
    let last = bytes(&preview.build(None).unwrap());
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        last.keys().collect::<Vec<_>>()
    );
    for (name, content) in &written {
        assert!(last[name] == *content, "{name} differs from mps build");
    }
}

#[test]
fn an_edit_re_renders_only_the_pages_it_reaches() {
    let dir = site();
    let root = dir.path().canonicalize().unwrap();
    let mut preview = Rebuilder::new(&root, false);
    let first = preview.build(None).unwrap();
    assert_eq!(first.rendered, first.pages);

    let p2 = root.join("content/guide/p2.md");
    // Saves `text` as p2, rebuilds, and checks how many pages were rendered and what shows.
    let mut save = |text: String, rendered: usize, shown: &str, in_files: &[&str]| {
        std::fs::write(&p2, text).unwrap();
        let b = preview.build(Some(std::slice::from_ref(&p2))).unwrap();
        assert_eq!(b.rendered, rendered, "saving {shown:?}");
        let files = bytes(&b);
        for name in in_files {
            assert!(
                String::from_utf8_lossy(&files[*name]).contains(shown),
                "{name} does not show {shown:?}"
            );
        }
    };
    // New words in a page: that page alone.
    let fresh = || page("Guide page 2", 2, false, "Fresh words.");
    save(fresh(), 1, "Fresh words.", &["guide/p2/index.html"]);
    // A new title: the page, its section's list, and the site map (and no others).
    let retitled = || page("Retitled", 2, false, "Fresh words.");
    let lists = [
        "guide/index.html",
        "sitemap/index.html",
        "search-index.json",
    ];
    save(retitled(), 3, "Retitled", &lists);
    // Saving without a change renders nothing.
    save(retitled(), 0, "Retitled", &lists);

    // A broken page fails, and fixing it brings everything back.
    std::fs::write(&p2, "---\ntitle: [unclosed\n---\n").unwrap();
    let e = preview.build(Some(std::slice::from_ref(&p2))).unwrap_err();
    assert!(e.to_string().contains("p2.md"), "{e}");
    std::fs::write(&p2, page("Retitled", 2, false, "Fresh words.")).unwrap();
    let fixed = bytes(&preview.build(Some(&[p2])).unwrap());
    assert_eq!(
        fixed,
        bytes(&Rebuilder::new(&root, false).build(None).unwrap())
    );

    // A reused page still has its links checked when their target changes: here a heading
    // that another page links to is renamed, and only that other page is at fault.
    let p1 = root.join("content/guide/p1.md");
    let p3 = root.join("content/guide/p3.md");
    let part = |heading: &str| page("Guide page 3", 3, false, &format!("## {heading}\n\nWords."));
    std::fs::write(&p3, part("The part")).unwrap();
    std::fs::write(
        &p1,
        page("Guide page 1", 1, false, "See [the part](p3.md#the-part)."),
    )
    .unwrap();
    preview.build(Some(&[p1.clone(), p3.clone()])).unwrap();
    std::fs::write(&p3, part("Another part")).unwrap();
    let e = preview
        .build(Some(std::slice::from_ref(&p3)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("p1.md") && e.contains("the-part"), "{e}");
    std::fs::write(&p3, part("The part")).unwrap();
    preview.build(Some(std::slice::from_ref(&p3))).unwrap();
}

/// A new title is served before the files that list every page are made: the build that
/// `start` returns has the feed and the site map pending, `finish` makes them, and then the
/// build equals a full one.
#[test]
fn a_new_title_is_served_before_the_feed_and_site_map_are_made() {
    use mps::serve::rebuild::Body;
    let dir = site();
    let root = dir.path().canonicalize().unwrap();
    let mut preview = Rebuilder::new(&root, false);
    preview.build(None).unwrap();
    let p2 = root.join("content/guide/p2.md");
    std::fs::write(&p2, page("Retitled", 2, false, "Some words.")).unwrap();
    let served = preview.start(Some(std::slice::from_ref(&p2))).unwrap();
    let pending = |name: &str| match served.files.get(name) {
        Some(Body::Pending(p)) => p.clone(),
        other => panic!("{name} is not pending: {other:?}"),
    };
    let (feed, map) = (pending("atom.xml"), pending("sitemap/index.html"));
    assert!(!feed.is_ready() && !map.is_ready());
    // What lists the page beside the site map is served with the build.
    assert!(matches!(
        served.files.get("guide/index.html"),
        Some(Body::Html(h)) if h.contains("Retitled")
    ));
    assert!(preview.finish().is_none());
    assert!(feed.is_ready() && map.is_ready());
    assert_same(0, "a new title", &bytes(&served), &full(&root));
}

/// A site's feed template that fails on one title: the page is served with its new title
/// first, then making the feed fails, and `finish` gives the full build's error; the feed
/// served meanwhile is the last good one. Fixing the title brings everything back.
#[test]
fn a_feed_failing_after_the_build_is_served_reports_as_a_full_build_does() {
    let dir = site();
    let root = dir.path().canonicalize().unwrap();
    let atom = root.join("themes/default/templates/atom.xml");
    let text = std::fs::read_to_string(&atom).unwrap();
    let text = text.replacen(
        "{% for e in feed.entries %}",
        "{% for e in feed.entries %}{% if e.title == \"Boom\" %}{{ no_such_value }}{% endif %}",
        1,
    );
    std::fs::write(&atom, text).unwrap();
    let mut preview = Rebuilder::new(&root, false);
    let before = bytes(&preview.build(None).unwrap());
    let p2 = root.join("content/guide/p2.md");
    std::fs::write(&p2, page("Boom", 2, false, "Some words.")).unwrap();
    let served = preview.start(Some(std::slice::from_ref(&p2))).unwrap();
    let e = preview.finish().expect("the feed fails").unwrap_err();
    let full_error = Rebuilder::new(&root, false).build(None).unwrap_err();
    assert_eq!(e.to_string(), full_error.to_string());
    assert!(e.to_string().contains("atom.xml"), "{e}");
    assert_eq!(bytes(&served)["atom.xml"], before["atom.xml"]);

    std::fs::write(&p2, page("Fine", 2, false, "Some words.")).unwrap();
    let fixed = preview.build(Some(std::slice::from_ref(&p2))).unwrap();
    assert_same(1, "fixed", &bytes(&fixed), &full(&root));
}

/// Pages of the large site: `PER_SECTION` in each of `SECTIONS` top-level sections.
const SECTIONS: usize = 10;
const PER_SECTION: usize = 100;

fn corpus_rel(n: usize) -> String {
    format!("sec-{:02}/page-{n:04}.md", n / PER_SECTION)
}

/// Page `n` of the large site: dated or not, with a heading other pages link to, and links to
/// two other pages (one to that heading). `heading` is the heading's id; `extra` more words.
fn corpus_page(n: usize, title: &str, heading: &str, extra: &str) -> String {
    let all = SECTIONS * PER_SECTION;
    let (a, b) = ((n * 7 + 3) % all, (n * 13 + 5) % all);
    let date = if n % 3 == 0 {
        format!("date: 2026-0{}-1{}\n", n % 9 + 1, n % 10)
    } else {
        String::new()
    };
    format!(
        "---\ntitle: {title}\ndescription: About page {n}.\n{date}weight: {}\n---\n\n\
         Words of page {n}. {extra}\n\n## Part of {n} {{#{heading}}}\n\n\
         See [page {a}](../{}) and [the part of page {b}](../{}#part).\n",
        n % PER_SECTION,
        corpus_rel(a),
        corpus_rel(b)
    )
}

/// The default site plus 1,000 small pages in ten sections, linked to each other.
fn large_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_default_site(dir.path());
    let content = dir.path().join("content");
    for s in 0..SECTIONS {
        let sec = content.join(format!("sec-{s:02}"));
        std::fs::create_dir_all(&sec).unwrap();
        std::fs::write(
            sec.join("_index.md"),
            page(&format!("Section {s}"), s as i64, false, "A section."),
        )
        .unwrap();
    }
    for n in 0..SECTIONS * PER_SECTION {
        std::fs::write(
            content.join(corpus_rel(n)),
            corpus_page(n, &format!("Page {n}"), "part", ""),
        )
        .unwrap();
    }
    dir
}

/// The files of a preview build made from scratch.
fn full(root: &Path) -> BTreeMap<String, Vec<u8>> {
    bytes(&Rebuilder::new(root, false).build(None).unwrap())
}

fn assert_same(
    step: usize,
    what: &str,
    a: &BTreeMap<String, Vec<u8>>,
    b: &BTreeMap<String, Vec<u8>>,
) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "step {step} ({what}): different files"
    );
    for (name, content) in b {
        assert!(
            a[name] == *content,
            "step {step} ({what}): {name} differs from a full build"
        );
    }
}

/// On 1,000 pages, each kind of edit in turn to a random page: words, titles (of pages and of
/// sections), a heading that another page links to renamed and restored, pages added, renamed
/// and deleted, data and a template. After each, the preview equals a build from scratch; a
/// change of words re-renders that page alone.
#[test]
fn a_large_site_equals_full_builds_after_each_kind_of_edit() {
    let dir = large_site();
    let root = dir.path().canonicalize().unwrap();
    let content = root.join("content");
    let all = SECTIONS * PER_SECTION;
    let mut preview = Rebuilder::new(&root, false);
    preview.build(None).unwrap();
    let mut rng = Lcg(1000);
    let template = root.join("themes/default/templates/page.html");
    let mut extras: Vec<PathBuf> = Vec::new();
    // Each kind once: a full build of this site takes seconds in a debug build.
    for step in 0..8 {
        let n = rng.below(all as u64) as usize;
        let file = content.join(corpus_rel(n));
        let write = |p: &Path, text: String| {
            std::fs::write(p, text).unwrap();
            vec![p.to_path_buf()]
        };
        let (what, changed): (String, Vec<PathBuf>) = match step % 8 {
            0 => (
                format!("words of page {n}"),
                write(
                    &file,
                    corpus_page(n, &format!("Page {n}"), "part", &format!("Edit {step}.")),
                ),
            ),
            1 => (
                format!("title of page {n}"),
                write(
                    &file,
                    corpus_page(n, &format!("Retitled {n} at {step}"), "part", ""),
                ),
            ),
            2 => {
                let s = n / PER_SECTION;
                (
                    format!("title of section {s}"),
                    write(
                        &content.join(format!("sec-{s:02}/_index.md")),
                        page(
                            &format!("Section {s} at {step}"),
                            s as i64,
                            false,
                            "A section.",
                        ),
                    ),
                )
            }
            3 => {
                // Page `target` loses the heading page `n` links to: both builds fail, naming
                // page `n`; then it comes back.
                let target = (n * 13 + 5) % all;
                let target_file = content.join(corpus_rel(target));
                let before = std::fs::read_to_string(&target_file).unwrap();
                std::fs::write(&target_file, before.replace("{#part}", "{#gone}")).unwrap();
                let e = preview
                    .build(Some(std::slice::from_ref(&target_file)))
                    .unwrap_err()
                    .to_string();
                let linking = corpus_rel(n);
                assert!(
                    e.contains(&linking) && e.contains("#part"),
                    "step {step}: {e}"
                );
                let full_error = Rebuilder::new(&root, false).build(None).unwrap_err();
                assert_eq!(e, full_error.to_string(), "step {step}");
                (
                    format!("heading of page {target} renamed and restored"),
                    write(&target_file, before),
                )
            }
            4 => {
                let s = n / PER_SECTION;
                let extra = content.join(format!("sec-{s:02}/extra-{step}.md"));
                extras.push(extra.clone());
                (
                    format!("a page added to section {s}"),
                    write(&extra, page(&format!("Extra {step}"), 3, false, "New.")),
                )
            }
            5 => {
                let old = extras.pop().unwrap();
                let new = old.with_file_name(format!("renamed-{step}.md"));
                std::fs::rename(&old, &new).unwrap();
                extras.push(new.clone());
                ("a page renamed".into(), vec![old, new])
            }
            6 => {
                let themes = content.join("data/themes.yaml");
                let text = std::fs::read_to_string(&themes).unwrap();
                let at = text.find("name: ").unwrap() + "name: ".len();
                let text = format!("{}Edited {step} {}", &text[..at], &text[at..]);
                ("a theme's name".into(), write(&themes, text))
            }
            _ => {
                let old = extras.remove(0);
                std::fs::remove_file(&old).unwrap();
                let text = format!(
                    "{{% extends \"base.html\" %}}\n{{% block content %}}{{{{ page.content | safe }}}}<p>Template edit {step}.</p>{{% endblock content %}}\n"
                );
                std::fs::write(&template, text).unwrap();
                (
                    "a page deleted and a template edited".into(),
                    vec![old, template.clone()],
                )
            }
        };
        let incremental = preview.build(Some(&changed)).unwrap();
        if step % 8 == 0 {
            assert_eq!(incremental.rendered, 1, "step {step} ({what})");
        }
        assert_same(step, &what, &bytes(&incremental), &full(&root));
    }

    // And the same as what `mps build` writes.
    let out = dir.path().join("out");
    let mut opts = mps::BuildOptions::new(&root);
    opts.output = Some(out.clone());
    mps::build(&opts).unwrap();
    let mut written = common::tree(&out);
    written.remove(".mps-manifest");
    assert_same(
        99,
        "mps build",
        &bytes(&preview.build(None).unwrap()),
        &written,
    );
}
