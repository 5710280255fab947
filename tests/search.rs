//! Search and discovery files, as the build writes them: the search index finds a principle by
//! a word from its body, the site map and feed list pages with absolute addresses, every page
//! links the feed and carries its own address in the feedback link.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

fn built() -> PathBuf {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut opts = mps::BuildOptions::new(env!("CARGO_MANIFEST_DIR"));
        opts.output = Some(dir.path().join("out"));
        mps::build(&opts).expect("the default site builds");
        dir
    })
    .path()
    .join("out")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(built().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The pages whose title, description or text hold every word of `query`, as search.js finds
/// them.
fn search(index: &Value, query: &str) -> Vec<String> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    index["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter(|p| {
            let hay = format!(
                "{} {} {} {}",
                p["title"].as_str().unwrap_or(""),
                p["section"].as_str().unwrap_or(""),
                p["description"].as_str().unwrap_or(""),
                p["text"].as_str().unwrap_or("")
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|p| p["url"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_index_finds_a_principle_by_a_word_from_its_body() {
    let index: Value = serde_json::from_str(&read("search-index.json")).expect("valid JSON");
    // "pilots" appears only in the body (in practice) of the principle on driving innovation.
    let found = search(&index, "pilots");
    assert!(
        found.contains(&"principles/driving-innovation/index.html".to_string()),
        "{found:?}"
    );
    let entry = index["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == "principles/driving-innovation/index.html")
        .expect("the principle is indexed");
    assert_eq!(entry["section"], "Our ten commissioning principles");
    assert!(entry["title"].as_str().is_some_and(|t| !t.is_empty()));
    // Markdown pages are indexed as plain text, without markup.
    let framework = index["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == "framework/index.html")
        .expect("framework indexed");
    let text = framework["text"].as_str().unwrap();
    assert!(text.contains("right-sourcing") && !text.contains("##") && !text.contains("]("));
    // The index stays small: no page's text is longer than the limit.
    assert!(index["pages"].as_array().unwrap().iter().all(|p| p["text"]
        .as_str()
        .unwrap_or("")
        .chars()
        .count()
        <= 1501));
    // Every indexed address is a page the build wrote.
    for p in index["pages"].as_array().unwrap() {
        let url = p["url"].as_str().unwrap();
        assert!(built().join(url).is_file(), "{url}");
    }
}

#[test]
fn without_javascript_the_header_search_says_so_and_links_the_site_map() {
    let home = read("index.html");
    // Without JavaScript the header box is hidden and a note links the site map instead.
    assert!(home.contains("action=\"search/index.html\""));
    assert!(home.contains("hidden data-search>"));
    assert!(home.contains(
        "<noscript><p class=\"header-search-off\">Search needs JavaScript. <a href=\"sitemap/index.html\">"
    ));
    assert!(home.contains("<label for=\"header-search-q\">"));
    let search = read("search/index.html");
    assert!(search.contains("needs JavaScript") && search.contains("../sitemap/index.html"));
    assert!(search.contains("role=\"status\""));
    let map = read("sitemap/index.html");
    for page in [
        "../plan/index.html",
        "../principles/driving-innovation/index.html",
        "../accessibility/index.html",
    ] {
        assert!(map.contains(&format!("href=\"{page}\"")), "{page}");
    }
    let script = read("search.js");
    assert!(!script.contains("http://") && !script.contains("https://"));
}

#[test]
fn atom_feed_and_robots_use_absolute_addresses() {
    let feed = read("atom.xml");
    let doc = roxmltree::Document::parse(&feed).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert!(!entries.is_empty());
    let mut last = String::from("9999");
    for e in &entries {
        let id = e
            .children()
            .find(|n| n.has_tag_name("id"))
            .and_then(|n| n.text())
            .unwrap_or("");
        assert!(
            id.starts_with("https://commissioning.example.gov.uk/"),
            "{id}"
        );
        let updated = e
            .children()
            .find(|n| n.has_tag_name("updated"))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_string();
        assert!(updated <= last, "newest first");
        last = updated;
    }
    assert!(!feed.contains("404"));
    assert_eq!(
        read("robots.txt"),
        "User-agent: *\nDisallow:\n\nSitemap: https://commissioning.example.gov.uk/sitemap.xml\n"
    );
}

#[test]
fn every_page_links_the_feed_and_sends_feedback_with_its_address() {
    let plan = read("plan/index.html");
    assert!(
        plan.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../atom.xml\"")
    );
    // The feedback link carries the page's own address.
    assert!(
        plan.contains("https%3A%2F%2Fcommissioning%2Eexample%2Egov%2Euk%2Fplan%2F"),
        "feedback link without the page address"
    );
    let principle = read("principles/driving-innovation/index.html");
    assert!(principle.contains("href=\"../../atom.xml\""));
    assert!(principle.contains("principles%2Fdriving%2Dinnovation%2F"));
}

#[test]
fn a_sites_own_robots_txt_wins_but_no_file_may_replace_the_open_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
    mps::scaffold::init(&root, today).expect("scaffold");
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(
        root.join("static/robots.txt"),
        "User-agent: *\nDisallow: /\n",
    )
    .unwrap();
    let out = mps::build(&mps::BuildOptions::new(&root)).expect("it builds");
    assert_eq!(
        std::fs::read_to_string(out.output.join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /\n"
    );

    std::fs::write(root.join("static/plan.csv"), "mine\n").unwrap();
    let err = mps::build(&mps::BuildOptions::new(&root)).expect_err("a clash");
    let d = err.diagnostics();
    assert!(
        d.iter()
            .any(|d| d.file.ends_with("static/plan.csv") && d.message.contains("plan.csv")),
        "{d:?}"
    );
    // The failed build left the last good one alone.
    assert!(out.output.join("plan.csv").is_file());
}

/// The matching in `search.js` (folded accents, Welsh mutations, exact words first, no
/// stemming), checked by `tests/js/search.test.js` under Node. Node comes with npm, which
/// `.ci/run` uses; elsewhere, without it, this test says why and passes.
#[test]
fn search_js_matches_welsh_mutations_and_unaccented_words() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js/search.test.js");
    let run = std::process::Command::new("node").arg(&script).output();
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            let msg = format!("search.js checks skipped: node not found ({e}); run `bash .ci/run`");
            assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{msg}");
            eprintln!("{msg}");
            return;
        }
    };
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}
