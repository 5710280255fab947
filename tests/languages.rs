//! A site in English and Welsh (`tests/fixtures/glanmor`): each language published with its
//! `lang`, `hreflang` alternates and a switcher that leads to the same page in the other
//! language (or says it has no translation and leads to the nearest page that has); text from
//! the data in each language; one site map, open data and search index per language; `mps check`
//! listing what is not translated; and a site that allows no fallback refusing to build.

mod common;

use common::{fixture, Fixture};

fn built() -> Fixture {
    let site = fixture("glanmor");
    site.build().expect("the bilingual fixture builds");
    site
}

fn page(site: &Fixture, rel: &str) -> String {
    let bytes = site
        .output()
        .remove(rel)
        .unwrap_or_else(|| panic!("{rel} was not published"));
    String::from_utf8(bytes).unwrap()
}

/// The `<nav class="language-switcher">` of a page.
fn switcher(html: &str) -> &str {
    let start = html
        .find("<nav class=\"language-switcher\"")
        .expect("the page has a language switcher");
    let end = html[start..].find("</nav>").unwrap() + start;
    &html[start..end]
}

/// The text of `html` without its tags.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn each_language_has_its_lang_alternates_and_switcher() {
    let site = built();
    let en = page(&site, "index.html");
    let cy = page(&site, "cy/index.html");
    assert!(en.contains("<html lang=\"en-GB\">"), "{}", &en[..200]);
    assert!(cy.contains("<html lang=\"cy\">"), "{}", &cy[..200]);
    for html in [&en, &cy] {
        assert!(html.contains(
            "<link rel=\"alternate\" hreflang=\"en-GB\" href=\"https://www.glanmor.example/commissioning/\">"
        ));
        assert!(html.contains(
            "<link rel=\"alternate\" hreflang=\"cy\" href=\"https://www.glanmor.example/commissioning/cy/\">"
        ));
    }
    let to_welsh = switcher(&en);
    assert!(
        to_welsh.contains("<a href=\"cy/index.html\" hreflang=\"cy\" lang=\"cy\">Cymraeg</a>"),
        "{to_welsh}"
    );
    let to_english = switcher(&cy);
    assert!(
        to_english
            .contains("<a href=\"../index.html\" hreflang=\"en-GB\" lang=\"en-GB\">English</a>"),
        "{to_english}"
    );
    // The Welsh site's own words: its title and the page's.
    assert!(text(&cy).contains("Comisiynu yng Nglanmôr"));
    assert!(text(&cy).contains("Croeso."));
    // Pages made from the data are in both languages, at the same addresses.
    let plan_en = page(&site, "plan/index.html");
    let plan_cy = page(&site, "cy/plan/index.html");
    assert!(switcher(&plan_en).contains("href=\"../cy/plan/index.html\""));
    assert!(switcher(&plan_cy).contains("href=\"../../plan/index.html\""));
}

#[test]
fn data_text_is_shown_in_each_language() {
    let site = built();
    let plan_en = text(&page(&site, "plan/index.html"));
    let plan_cy = text(&page(&site, "cy/plan/index.html"));
    assert!(plan_en.contains("Falls prevention service"), "{plan_en}");
    assert!(plan_cy.contains("Gwasanaeth atal cwympiadau"), "{plan_cy}");
    assert!(!plan_cy.contains("Falls prevention service"), "{plan_cy}");
    let theme_cy = text(&page(&site, "cy/themes/healthy-lives/index.html"));
    assert!(theme_cy.contains("Bywydau Iach"), "{theme_cy}");
    assert!(
        theme_cy.contains("Llai o gwympiadau yn y cartref"),
        "{theme_cy}"
    );
    let theme_en = text(&page(&site, "themes/healthy-lives/index.html"));
    assert!(theme_en.contains("Healthy Lives") && !theme_en.contains("Bywydau"));
}

#[test]
fn an_untranslated_page_says_so_in_both_languages() {
    let site = built();
    // The Welsh copy of a page with no translation: a notice in Welsh, the text marked English.
    let about_cy = page(&site, "cy/about/index.html");
    assert!(
        about_cy.contains("class=\"untranslated-notice\""),
        "{about_cy}"
    );
    assert!(about_cy.contains("<div lang=\"en-GB\">"));
    assert!(
        !about_cy.contains("hreflang=\"cy\" href="),
        "an untranslated page declares no alternates"
    );
    // From the English page, the switcher says there is no Welsh page yet and leads to the
    // nearest one that has one (here the home page), in Welsh.
    let about_en = page(&site, "about/index.html");
    let s = switcher(&about_en);
    assert!(s.contains("<li lang=\"cy\">"), "{s}");
    assert!(s.contains("href=\"../cy/index.html\""), "{s}");
    assert!(!s.contains("href=\"../cy/about/index.html\""), "{s}");
}

#[test]
fn site_maps_feeds_search_and_open_data_are_per_language() {
    let site = built();
    let out = site.output();
    for file in [
        "sitemap.xml",
        "search-index.json",
        "atom.xml",
        "plan.json",
        "plan-ocds.json",
        "plan.csv",
    ] {
        assert!(out.contains_key(file), "{file}");
        assert!(out.contains_key(&format!("cy/{file}")), "cy/{file}");
    }
    assert!(!out.contains_key("cy/robots.txt"));
    let robots = page(&site, "robots.txt");
    assert!(robots.contains("Sitemap: https://www.glanmor.example/commissioning/cy/sitemap.xml"));
    let map = page(&site, "sitemap.xml");
    assert!(map.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert!(map.contains(
        "<xhtml:link rel=\"alternate\" hreflang=\"cy\" href=\"https://www.glanmor.example/commissioning/cy/plan/\"/>"
    ));
    let index_cy = page(&site, "cy/search-index.json");
    assert!(index_cy.contains("Gwasanaeth atal cwympiadau"));
    let ocds: serde_json::Value = serde_json::from_str(&page(&site, "cy/plan-ocds.json")).unwrap();
    let release = &ocds["releases"][0];
    assert_eq!(release["language"], "cy");
    assert!(release["id"].as_str().unwrap().ends_with("-cy"));
    let ocds_en: serde_json::Value = serde_json::from_str(&page(&site, "plan-ocds.json")).unwrap();
    assert_eq!(ocds_en["releases"][0]["language"], "en");
    // The buyer is the same organisation, whatever language names it.
    assert_eq!(
        release["buyer"]["id"],
        ocds_en["releases"][0]["buyer"]["id"]
    );
}

#[test]
fn check_lists_what_is_not_translated() {
    let site = fixture("glanmor");
    let found = mps::check::check(&mps::check::CheckOptions {
        root: site.root.clone(),
        drafts: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    });
    let shown = site.render(&found);
    assert!(
        shown.contains("this page has no `cy` translation"),
        "{shown}"
    );
    assert!(shown.contains("content/about.md"), "{shown}");
    assert!(shown.contains("write about.cy.md beside it"), "{shown}");
    assert!(
        shown.contains("`themes[1].summary` has no `cy` translation"),
        "{shown}"
    );
    assert!(shown.contains("content/data/themes.yaml:13:14"), "{shown}");
    // Translated text is not listed.
    assert!(!shown.contains("`themes[0].summary`"), "{shown}");
    assert!(!shown.contains("_index.md` has no"), "{shown}");
}

#[test]
fn without_fallback_a_missing_translation_stops_the_build() {
    let site = fixture("glanmor").edit("site.yaml", "fallback: true", "fallback: false");
    let errors = site.errors();
    assert!(
        errors.contains("error: this page has no `cy` translation"),
        "{errors}"
    );
    assert!(errors.contains("content/about.md"), "{errors}");
    assert!(errors.contains("themes.yaml:13:14"), "{errors}");
    assert!(!site.root.join("public").exists());
}

#[test]
fn a_broken_link_in_a_translation_names_the_translation() {
    let site = fixture("glanmor").write(
        "content/about.cy.md",
        "---\ntitle: Amdanom ni\n---\nGweler [y cynllun](plan/nowhere.md).\n",
    );
    let errors = site.errors();
    assert!(errors.contains("content/about.cy.md:4"), "{errors}");
}

#[test]
fn bad_language_settings_are_explained() {
    let site = fixture("glanmor").edit(
        "site.yaml",
        "languages: [en-GB, cy]",
        "languages: [en-GB, cy, Welsh language]",
    );
    let errors = site.errors();
    assert!(
        errors.contains("`Welsh language` is not a language tag"),
        "{errors}"
    );
    assert!(errors.contains("site.yaml:4:"), "{errors}");
    let site = fixture("glanmor").edit(
        "site.yaml",
        "languages: [en-GB, cy]",
        "language: cy\nlanguages: [en-GB, cy]",
    );
    let errors = site.errors();
    assert!(
        errors.contains("language is `cy` but languages starts with `en-GB`"),
        "{errors}"
    );
    // A text given per language must include the default language's.
    let site = fixture("glanmor").edit(
        "content/data/themes.yaml",
        "name: {en: Good Growth, cy: Twf Da}",
        "name: {cy: Twf Da}",
    );
    let errors = site.errors();
    assert!(
        errors.contains("`themes[1].name` has no text in en-GB"),
        "{errors}"
    );
    assert!(errors.contains("themes.yaml:11:"), "{errors}");
}

#[test]
fn the_same_input_builds_the_same_bytes() {
    let a = built();
    let b = built();
    assert_eq!(a.output(), b.output());
}

#[test]
fn a_translation_makes_the_same_kind_of_page() {
    let site = fixture("glanmor").edit("content/plan/_index.cy.md", "generate: plan\n", "");
    let errors = site.errors();
    assert!(errors.contains("content/plan/_index.cy.md:1:1"), "{errors}");
    assert!(
        errors.contains("this translation's `generate` is not the same as _index.md's"),
        "{errors}"
    );
    assert!(
        errors.contains("write `generate: plan` in its front matter"),
        "{errors}"
    );
}

#[test]
fn only_text_and_addresses_may_differ_by_language() {
    let site = fixture("glanmor").edit(
        "content/data/plan.yaml",
        "value: 2500000",
        "value: {en: 2500000, cy: 100}",
    );
    let errors = site.errors();
    assert!(
        errors.contains(
            "`entries[0].value` is given per language, but it is the same in every language"
        ),
        "{errors}"
    );
    assert!(errors.contains("plan.yaml:9:"), "{errors}");
    // A language the site does not have is named as such, not as a wrong type.
    let site = fixture("glanmor").edit(
        "content/data/themes.yaml",
        "name: {en: Good Growth, cy: Twf Da}",
        "name: {en: Good Growth, fr: Bonne croissance}",
    );
    let errors = site.errors();
    assert!(
        errors.contains("`themes[1].name` is given in a language the site is not published in"),
        "{errors}"
    );
    assert!(
        errors.contains("site.yaml") || errors.contains("themes.yaml:11:"),
        "{errors}"
    );
}

#[test]
fn an_empty_translation_is_untranslated() {
    let site = fixture("glanmor").edit(
        "content/data/themes.yaml",
        "name: {en: Good Growth, cy: Twf Da}",
        "name: {en: Good Growth, cy: \"\"}",
    );
    site.build().unwrap();
    let theme = text(&page(&site, "cy/themes/good-growth/index.html"));
    assert!(theme.contains("Good Growth"), "{theme}");
    let found = mps::check::check(&mps::check::CheckOptions {
        root: site.root.clone(),
        drafts: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    });
    assert!(site
        .render(&found)
        .contains("`themes[1].name` has no `cy` translation"));
}

#[test]
fn files_in_a_languages_folder_and_empty_languages_are_refused() {
    let site = fixture("glanmor").write("static/cy/index.html", "<p>mine</p>");
    let errors = site.errors();
    assert!(errors.contains("static/cy/index.html"), "{errors}");
    assert!(
        errors.contains("where the site's `cy` pages are"),
        "{errors}"
    );
    let site = fixture("glanmor").edit("site.yaml", "languages: [en-GB, cy]", "languages: []");
    assert!(site.errors().contains("languages is empty"));
}

#[test]
fn the_404_pages_switch_to_the_other_languages_home_from_any_address() {
    let site = built();
    let en = page(&site, "404.html");
    assert!(
        switcher(&en).contains("href=\"/commissioning/cy/index.html\""),
        "{}",
        switcher(&en)
    );
    let cy = page(&site, "cy/404.html");
    assert!(
        switcher(&cy).contains("href=\"/commissioning/index.html\""),
        "{}",
        switcher(&cy)
    );
}

#[test]
fn a_draft_page_publishes_none_of_its_translations_and_cy_gb_reads_cy_files() {
    let site = fixture("glanmor")
        .write(
            "content/about.cy.md",
            "---\ntitle: Amdanom ni\n---\nPwy ydym ni.\n",
        )
        .edit(
            "content/about.md",
            "title: About this site\n",
            "title: About this site\ndraft: true\n",
        );
    site.build().unwrap();
    let out = site.output();
    assert!(!out.contains_key("about/index.html") && !out.contains_key("cy/about/index.html"));
    let site = fixture("glanmor").edit(
        "site.yaml",
        "languages: [en-GB, cy]",
        "languages: [en-GB, cy-GB]",
    );
    site.build().unwrap();
    assert!(text(&page(&site, "cy-gb/index.html")).contains("Croeso."));
}

#[test]
fn a_site_word_that_loses_its_value_is_refused_at_its_line() {
    let site = fixture("glanmor").write(
        "i18n/cy.yaml",
        "# Our own words\npublished_by: Cyhoeddwyd gan y cyngor.\n",
    );
    let errors = site.errors();
    assert!(errors.contains("i18n/cy.yaml:2:15"), "{errors}");
    assert!(
        errors.contains("`published_by` has lost {organisation}"),
        "{errors}"
    );
    // Keeping the value, the site's word is used.
    let site = fixture("glanmor").write(
        "i18n/cy.yaml",
        "published_by: \"Cyhoeddir gan {organisation}.\"\n",
    );
    site.build().unwrap();
    assert!(text(&page(&site, "cy/index.html")).contains("Cyhoeddir gan Cyngor Sir Glanmôr."));
}

#[test]
fn a_link_to_a_translations_file_leads_to_that_languages_page() {
    let site = fixture("glanmor")
        .write(
            "content/guide.md",
            "---\ntitle: Guide\n---\nRead [the plan in Welsh](plan/_index.cy.md#main-content).\n",
        )
        .write(
            "content/guide.cy.md",
            "---\ntitle: Canllaw\n---\nDarllenwch [y cynllun yn Saesneg](plan/_index.en.md) a [hwn](plan/_index.cy.md).\n",
        );
    site.build().unwrap();
    let en = page(&site, "guide/index.html");
    assert!(
        en.contains("<a href=\"../cy/plan/index.html#main-content\">the plan in Welsh</a>"),
        "{en}"
    );
    let cy = page(&site, "cy/guide/index.html");
    assert!(
        cy.contains("<a href=\"../../plan/index.html\">y cynllun yn Saesneg</a>"),
        "{cy}"
    );
    assert!(
        cy.contains("<a href=\"../plan/index.html\">hwn</a>"),
        "{cy}"
    );
    // A language the site lacks is still a broken link.
    let site = fixture("glanmor").write(
        "content/guide.md",
        "---\ntitle: Guide\n---\nRead [it](plan/_index.fr.md).\n",
    );
    assert!(site.errors().contains("content/guide.md:4"));
}

#[test]
fn language_codes_in_capitals_are_refused_and_a_sites_robots_txt_is_published_once() {
    let site = fixture("glanmor").edit(
        "site.yaml",
        "languages: [en-GB, cy]",
        "languages: [en-GB, CY]",
    );
    let errors = site.errors();
    assert!(
        errors.contains("`CY` has its language in capitals"),
        "{errors}"
    );
    assert!(errors.contains("write `cy`"), "{errors}");
    let site = fixture("glanmor").write("static/robots.txt", "User-agent: *\n");
    site.build().unwrap();
    let out = site.output();
    assert!(out.contains_key("robots.txt") && !out.contains_key("cy/robots.txt"));
}
