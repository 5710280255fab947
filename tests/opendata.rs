//! The plan's open data, as the build writes it: the CSV parses back to the plan's entries, the
//! JSON holds the plan, and the OCDS package validates against the OCDS 1.1.5 schema with the
//! UK extension and its communication and suitability dependencies merged in; pipeline entries
//! are shaped as Find a Tender publishes a pipeline notice.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's own site, built once into a temporary folder.
fn built() -> PathBuf {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut opts = mps::BuildOptions::new(repo());
        opts.output = Some(dir.path().join("out"));
        mps::build(&opts).expect("the default site builds");
        dir
    })
    .path()
    .join("out")
}

fn plan() -> mps::model::ProcurementPlan {
    let site = mps::content::load(&repo(), false).expect("the default site loads");
    site.data.plan.expect("the default site has a plan")
}

/// The pipeline rule, written out again from the README so the build is checked against the
/// documented rule rather than against itself.
fn in_pipeline(plan: &mps::model::ProcurementPlan, e: &mps::model::ProcurementEntry) -> bool {
    let last = plan
        .published
        .checked_add_months(chrono::Months::new(18))
        .unwrap();
    e.status != mps::model::Status::Cancelled
        && e.value >= 2_000_000
        && match e.notice_date {
            None => true,
            Some(d) => plan.published <= d && d <= last,
        }
}

fn read(name: &str) -> String {
    std::fs::read_to_string(built().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn csv_parses_back_to_the_same_entries() {
    let plan = plan();
    let text = read("plan.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), plan.entries.len());
    for (row, e) in rows.iter().zip(&plan.entries) {
        assert_eq!(row["id"], e.id);
        assert_eq!(row["title"], e.title);
        assert_eq!(row["theme"], e.theme);
        assert_eq!(row["department"], e.department);
        // Money is a plain number of pounds: no symbol, no separators.
        assert_eq!(
            row["value_gbp"].as_str(),
            e.value.plain().as_str(),
            "{row:?}"
        );
        assert_eq!(row["start_date"], e.start.format("%Y-%m-%d").to_string());
        assert_eq!(row["duration_months"], e.duration_months.to_string());
        assert_eq!(row["route"], e.route);
        assert_eq!(row["social_value"], e.social_value);
        assert_eq!(row["cpv"], e.cpv.clone().unwrap_or_default());
        assert_eq!(
            row["description"],
            e.description.clone().unwrap_or_default()
        );
        assert_eq!(
            row["pipeline_notice"],
            in_pipeline(&plan, e).to_string(),
            "{}",
            e.id
        );
        let end = chrono::NaiveDate::parse_from_str(&row["end_date"], "%Y-%m-%d")
            .expect("ISO 8601 end date");
        assert!(end > e.start);
    }
    // The typed reader agrees too.
    let typed: Vec<mps::opendata::CsvRow> = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("rows deserialise");
    assert_eq!(typed.len(), plan.entries.len());
    assert!(typed
        .iter()
        .zip(&plan.entries)
        .all(|(r, e)| r.status == e.status));
}

#[test]
fn json_holds_the_plan_with_pipeline_flags() {
    let plan = plan();
    let v: Value = serde_json::from_str(&read("plan.json")).expect("valid JSON");
    assert_eq!(v["year"], plan.year.as_str());
    assert_eq!(v["published"], plan.published.to_string());
    let entries = v["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), plan.entries.len());
    for (j, e) in entries.iter().zip(&plan.entries) {
        assert_eq!(j["id"], e.id.as_str());
        assert_eq!(j["value"], serde_json::to_value(e.value).unwrap());
        assert_eq!(j["pipeline_notice"], in_pipeline(&plan, e), "{}", e.id);
    }
}

#[test]
fn downloads_are_linked_from_the_plan_and_theme_pages() {
    let plan_page = read("plan/index.html");
    for f in ["plan.csv", "plan.json", "plan-ocds.json"] {
        assert!(plan_page.contains(&format!("href=\"../{f}\"")), "{f}");
    }
    let theme = read("themes/safe-and-well/index.html");
    assert!(theme.contains("href=\"../../plan.csv\""));
    assert!(theme.contains("(CSV, "), "size hint");
}

#[test]
fn ocds_package_is_dated_from_the_plan_and_one_release_per_entry() {
    let plan = plan();
    let v: Value = serde_json::from_str(&read("plan-ocds.json")).expect("valid JSON");
    let published = format!("{}T00:00:00Z", plan.published);
    assert_eq!(v["version"], "1.1");
    assert_eq!(v["publishedDate"], published.as_str());
    let releases = v["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), plan.entries.len());
    for (r, e) in releases.iter().zip(&plan.entries) {
        assert!(r["ocid"].as_str().is_some_and(|o| o.ends_with(&e.id)));
        assert_eq!(r["date"], published.as_str());
        assert_eq!(r["tag"][0], "planning");
        assert_eq!(r["initiationType"], "tender");
        assert_eq!(
            r["tender"]["value"]["amount"],
            serde_json::to_value(e.value).unwrap()
        );
        assert_eq!(r["tender"]["value"]["currency"], "GBP");
        assert_eq!(r["buyer"]["name"], "Southend-on-Sea Borough Council");
    }
}

/// RFC 7386 JSON Merge Patch, as OCDS applies an extension's `release-schema.json`.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(target) = target else {
        unreachable!("made an object above")
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[test]
fn merge_patch_follows_rfc_7386() {
    let mut doc = serde_json::json!({"a": "b", "c": {"d": "e", "f": "g"}});
    merge_patch(
        &mut doc,
        &serde_json::json!({"a": "z", "c": {"f": null}, "h": [1]}),
    );
    assert_eq!(
        doc,
        serde_json::json!({"a": "z", "c": {"d": "e"}, "h": [1]})
    );
}

/// A validator for OCDS 1.1.5 release packages whose release schema has the UK extension and
/// its communication and suitability dependencies merged in (dependencies first), the
/// package schema's reference to the release schema resolved locally. `None` (and the test
/// skips) when the schemas are not beside the repository.
fn uk_validator() -> Option<jsonschema::Validator> {
    let core = repo().join("../shared/ocds-1.1.5");
    let uk = repo().join("../shared/ocds-uk");
    let read_json = |p: PathBuf| -> Option<Value> {
        let text = std::fs::read_to_string(&p).ok()?;
        Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
    };
    let (Some(package), Some(mut release), Some(communication), Some(suitability), Some(uk_ext)) = (
        read_json(core.join("release-package-schema.json")),
        read_json(core.join("release-schema.json")),
        read_json(uk.join("deps/communication/release-schema.json")),
        read_json(uk.join("deps/suitability/release-schema.json")),
        read_json(uk.join("release-schema.json")),
    ) else {
        println!(
            "skipped: the OCDS schemas are not at {} and {} (CI copies shared/ beside the repo)",
            core.display(),
            uk.display()
        );
        return None;
    };
    for patch in [&communication, &suitability, &uk_ext] {
        merge_patch(&mut release, patch);
    }
    let release_uri = release["id"]
        .as_str()
        .expect("release schema id")
        .to_string();
    Some(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .with_resource(
                release_uri,
                jsonschema::Resource::from_contents(release).expect("release schema resource"),
            )
            .build(&package)
            .expect("the schema compiles offline"),
    )
}

#[test]
fn ocds_package_validates_against_the_1_1_5_schema_with_the_uk_extension() {
    let Some(validator) = uk_validator() else {
        return;
    };
    // The current plan's package, and the earlier edition's in its folder.
    for file in ["plan/2019-20/plan-ocds.json", "plan-ocds.json"] {
        let data: Value = serde_json::from_str(&read(file)).expect("valid JSON");
        let errors: Vec<String> = validator
            .iter_errors(&data)
            .map(|e| format!("{file}: {} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
    let data: Value = serde_json::from_str(&read("plan-ocds.json")).expect("valid JSON");

    // The validator is not vacuous: a release without an ocid fails, and so do the
    // extensions' fields written wrongly.
    let first_pipeline = data["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .position(|r| r.get("planning").is_some())
        .expect("a pipeline release");
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut b = data.clone();
        f(&mut b["releases"][first_pipeline]);
        b
    };
    assert!(!validator.is_valid(&broken(&|r| {
        r.as_object_mut().unwrap().remove("ocid");
    })));
    assert!(!validator.is_valid(&broken(&|r| {
        r["tender"]["suitability"]["sme"] = Value::from("yes");
    })));
    assert!(!validator.is_valid(&broken(&|r| {
        r["tender"]["communication"] = serde_json::json!({});
    })));
    assert!(!validator.is_valid(&broken(&|r| {
        r["tender"]["value"]["amountGross"] = Value::from("lots");
    })));
}

#[test]
fn pipeline_entries_are_shaped_as_find_a_tender_publishes_them() {
    let plan = plan();
    let v: Value = serde_json::from_str(&read("plan-ocds.json")).expect("valid JSON");
    let extensions = v["extensions"].as_array().expect("extensions");
    for name in [
        "cabinetoffice/ocds_uk_extension",
        "ocds_communication_extension",
        "ocds_suitability_extension",
    ] {
        assert!(
            extensions
                .iter()
                .any(|x| x.as_str().is_some_and(|u| u.contains(name))),
            "{name}"
        );
    }
    let releases = v["releases"].as_array().expect("releases");
    let mut pipeline = 0;
    for (r, e) in releases.iter().zip(&plan.entries) {
        let doc = &r["planning"]["documents"][0];
        if !in_pipeline(&plan, e) {
            assert!(r.get("planning").is_none(), "{}", e.id);
            continue;
        }
        pipeline += 1;
        assert_eq!(doc["documentType"], "plannedProcurementNotice", "{}", e.id);
        assert_eq!(doc["noticeType"], "UK1");
        let t = &r["tender"];
        assert_eq!(t["status"], "planned");
        assert_eq!(t["value"]["amount"], serde_json::to_value(e.value).unwrap());
        assert_eq!(
            t["value"]["amountGross"],
            serde_json::to_value(e.value_gross.expect("gross")).unwrap()
        );
        assert!(["goods", "services", "works"]
            .contains(&t["mainProcurementCategory"].as_str().unwrap()));
        assert_eq!(t["classification"]["scheme"], "CPV");
        assert_eq!(
            t["communication"]["futureNoticeDate"],
            format!("{}T00:00:00Z", e.notice_date.expect("notice date"))
        );
        assert!(t["contractPeriod"]["startDate"].is_string());
        assert!(t["suitability"]["sme"].is_boolean() && t["suitability"]["vcse"].is_boolean());
        let party = &r["parties"][0];
        assert_eq!(party["roles"][0], "buyer");
        assert_eq!(party["id"], r["buyer"]["id"]);
        assert!(party["identifier"]["scheme"].is_string() && party["identifier"]["id"].is_string());
    }
    // The default plan has entries both in the window and, though large enough, outside it.
    assert!(pipeline >= 2, "{pipeline}");
    assert!(plan
        .entries
        .iter()
        .any(|e| e.value >= 2_000_000 && !in_pipeline(&plan, e)));
}

#[test]
fn the_pipeline_page_lists_exactly_the_pipeline_entries_and_the_tags_link_to_it() {
    let plan = plan();
    let page = read("plan/pipeline/index.html");
    assert!(page.contains("section 93 of the Procurement Act 2023"));
    assert!(page.contains("regulation 15"));
    for e in &plan.entries {
        let listed = page.contains(&format!("<span class=\"muted\">{}</span>", e.id));
        assert_eq!(listed, in_pipeline(&plan, e), "{}", e.id);
    }
    let plan_page = read("plan/index.html");
    let tags = plan_page.matches(">Pipeline notice</").count();
    let linked = plan_page
        .matches("<a class=\"tag\" href=\"../plan/pipeline/index.html\">Pipeline notice</a>")
        .count();
    assert_eq!(
        tags,
        plan.entries
            .iter()
            .filter(|e| in_pipeline(&plan, e))
            .count()
    );
    assert_eq!(tags, linked);
}

/// The columns of `contracts.csv`, as the README lists them.
const CONTRACTS_COLUMNS: [&str; 16] = [
    "reference",
    "title",
    "department",
    "description",
    "supplier",
    "supplier_company_number",
    "supplier_charity_number",
    "value_gbp",
    "start_date",
    "end_date",
    "review_date",
    "tendered",
    "supplier_sme",
    "supplier_vcse",
    "status",
    "illustrative",
];

fn csv_rows(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    (headers.iter().map(str::to_string).collect(), rows)
}

#[test]
fn the_contracts_register_has_the_documented_columns_and_one_row_per_contract() {
    let plan = plan();
    let (headers, rows) = csv_rows(&read("contracts.csv"));
    assert_eq!(headers, CONTRACTS_COLUMNS);
    assert_eq!(mps::opendata::contracts_header(), CONTRACTS_COLUMNS);
    let expected: Vec<&mps::model::ProcurementEntry> = plan
        .entries
        .iter()
        .filter(|e| e.value > 5_000 && e.status != mps::model::Status::Cancelled)
        .collect();
    assert_eq!(rows.len(), expected.len());
    for (row, e) in rows.iter().zip(expected) {
        assert_eq!(row["reference"], e.id);
        assert_eq!(row["value_gbp"], e.value.to_string());
        let tendered = e.route.to_lowercase().contains("procedure");
        assert_eq!(
            row["tendered"],
            if tendered { "yes" } else { "no" },
            "{}",
            e.id
        );
    }
    let plan_page = read("plan/index.html");
    assert!(plan_page.contains("href=\"../contracts.csv\""));
}

/// A second council's site: the scaffold, with an awarded contract, one of £5,000 and a
/// cancelled one added.
#[test]
fn the_contracts_register_of_another_site_follows_the_documented_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    mps::scaffold::init(&root, today).expect("scaffold");
    let plan_file = root.join("content/data/plan.yaml");
    let mut text = std::fs::read_to_string(&plan_file).expect("plan");
    text.push_str(
        "  - id: EXA-004
    title: Meals on wheels
    theme: safe-and-well
    department: Adult social care
    value: 250000
    start: 2026-06-01
    duration_months: 24
    route: Framework call-off
    tendered: true
    status: awarded
    social_value: Local jobs.
    review_date: 2027-06-01
    supplier:
      name: Example Meals CIC
      sme: true
      vcse: true
      company_number: \"01234567\"
  - id: EXA-005
    title: Small repair
    theme: safe-and-well
    department: Place
    value: 5000
    start: 2026-06-01
    duration_months: 1
    route: Direct award
    status: planned
    social_value: None.
  - id: EXA-006
    title: Cancelled study
    theme: safe-and-well
    department: Place
    value: 90000
    start: 2026-06-01
    duration_months: 6
    route: Open procedure
    status: cancelled
    social_value: None.
",
    );
    std::fs::write(&plan_file, text).expect("write plan");
    let mut opts = mps::BuildOptions::new(root.clone());
    opts.output = Some(dir.path().join("out"));
    mps::build(&opts).expect("the site builds");
    let csv = std::fs::read_to_string(dir.path().join("out/contracts.csv")).expect("csv");
    let (headers, rows) = csv_rows(&csv);
    assert_eq!(headers, CONTRACTS_COLUMNS);
    let refs: Vec<&str> = rows.iter().map(|r| r["reference"].as_str()).collect();
    assert_eq!(refs, ["EXA-001", "EXA-002", "EXA-003", "EXA-004"]);
    let awarded = &rows[3];
    assert_eq!(awarded["supplier"], "Example Meals CIC");
    assert_eq!(awarded["supplier_company_number"], "01234567");
    assert_eq!(awarded["supplier_charity_number"], "");
    assert_eq!(awarded["supplier_sme"], "yes");
    assert_eq!(awarded["supplier_vcse"], "yes");
    assert_eq!(awarded["tendered"], "yes", "the field wins over the route");
    assert_eq!(awarded["review_date"], "2027-06-01");
    assert_eq!(awarded["end_date"], "2028-05-31");
    assert_eq!(awarded["status"], "awarded");
    // Before award there is no supplier, and the SME and VCSE columns stay empty.
    assert_eq!(rows[0]["supplier"], "");
    assert_eq!(rows[0]["supplier_sme"], "");
    assert_eq!(rows[2]["tendered"], "no", "a grant programme");
}

/// A second council's site (the scaffold, published 25 November 2026, so its window runs to
/// 25 May 2028) with entries on each side of each bound of the documented pipeline rule.
#[test]
fn the_pipeline_page_of_another_site_lists_exactly_what_the_rule_picks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    mps::scaffold::init(&root, today).expect("scaffold");
    let plan_file = root.join("content/data/plan.yaml");
    let mut text = std::fs::read_to_string(&plan_file).expect("plan");
    let entry = |id: &str, value: u64, notice: Option<&str>, status: &str| {
        format!(
            "  - id: {id}\n    title: Entry {id}\n    theme: safe-and-well\n    department: Place\n    value: {value}\n    start: 2028-09-01\n    duration_months: 12\n    route: Open procedure\n    status: {status}\n    social_value: Some.\n{}",
            notice.map_or(String::new(), |d| format!("    notice_date: {d}\n"))
        )
    };
    for (id, value, notice, status) in [
        ("P-LAST-DAY", 2_000_000, Some("2028-05-25"), "planned"),
        ("P-DAY-AFTER", 2_000_000, Some("2028-05-26"), "planned"),
        ("P-BELOW", 1_999_999, Some("2027-01-01"), "planned"),
        ("P-NO-DATE", 3_000_000, None, "planned"),
        ("P-CANCELLED", 3_000_000, Some("2026-11-25"), "cancelled"),
        ("P-FIRST-DAY", 3_000_000, Some("2026-11-25"), "tendering"),
        ("P-DAY-BEFORE", 3_000_000, Some("2026-11-24"), "tendering"),
    ] {
        text.push_str(&entry(id, value, notice, status));
    }
    std::fs::write(&plan_file, text).expect("write plan");
    let mut opts = mps::BuildOptions::new(root.clone());
    opts.output = Some(dir.path().join("out"));
    mps::build(&opts).expect("the site builds");
    let page = std::fs::read_to_string(dir.path().join("out/plan/pipeline/index.html"))
        .expect("the pipeline page");
    let listed: Vec<&str> = page
        .split("<span class=\"muted\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .collect();
    // Soonest notice first, entries without a date last.
    assert_eq!(
        listed,
        ["P-FIRST-DAY", "EXA-001", "P-LAST-DAY", "P-NO-DATE"]
    );
    assert!(page.contains("between 25 November 2026, when the plan was published, and 25 May 2028"));
    assert!(page.contains("Not yet known"));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/plan.json")).expect("json"),
    )
    .expect("valid JSON");
    let flagged: Vec<&str> = json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["pipeline_notice"] == true)
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        flagged,
        ["EXA-001", "P-LAST-DAY", "P-NO-DATE", "P-FIRST-DAY"]
    );
}

/// The default plan is illustrative: every download says so, and the OCDS package, written
/// because site.yaml asks for it, says so in each release and does not name the council as
/// the publisher of real data.
#[test]
fn downloads_of_the_illustrative_plan_carry_the_mark() {
    assert!(plan().illustrative);
    for name in ["plan.csv", "contracts.csv"] {
        let (headers, rows) = csv_rows(&read(name));
        assert!(headers.iter().any(|h| h == "illustrative"), "{name}");
        assert!(!rows.is_empty(), "{name}");
        assert!(rows.iter().all(|r| r["illustrative"] == "true"), "{name}");
    }
    let json: Value = serde_json::from_str(&read("plan.json")).expect("valid JSON");
    assert_eq!(json["illustrative"], true);
    for e in json["entries"].as_array().expect("entries") {
        assert_eq!(e["illustrative"], true, "{e}");
    }
    let ocds: Value = serde_json::from_str(&read("plan-ocds.json")).expect("valid JSON");
    let publisher = ocds["publisher"]["name"].as_str().expect("publisher");
    assert!(publisher.contains("illustrative"), "{publisher}");
    for r in ocds["releases"].as_array().expect("releases") {
        let d = r["tender"]["description"].as_str().expect("a description");
        assert!(d.starts_with("Illustrative:"), "{d}");
    }
    let chart = read("charts/spend-by-theme.csv");
    assert!(
        chart.lines().next().unwrap().ends_with(",illustrative"),
        "{chart}"
    );
    assert!(
        chart.lines().skip(1).all(|l| l.ends_with(",true")),
        "{chart}"
    );
}

/// A second council's site whose plan is illustrative and whose site.yaml does not ask for
/// OCDS: no `plan-ocds.json`, and the other downloads are marked.
#[test]
fn an_illustrative_plan_gets_no_ocds_unless_the_site_asks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    mps::scaffold::init(&root, today).expect("scaffold");
    let plan_file = root.join("content/data/plan.yaml");
    let text = std::fs::read_to_string(&plan_file).expect("plan");
    assert!(text.contains("\nentries:"), "{text}");
    std::fs::write(
        &plan_file,
        text.replacen("\nentries:", "\nillustrative: true\nentries:", 1),
    )
    .expect("write plan");
    let build = |out: &str| {
        let mut opts = mps::BuildOptions::new(root.clone());
        opts.output = Some(dir.path().join(out));
        mps::build(&opts).expect("the site builds");
        dir.path().join(out)
    };
    let out = build("out");
    assert!(!out.join("plan-ocds.json").exists());
    let csv = std::fs::read_to_string(out.join("plan.csv")).expect("csv");
    let (_, rows) = csv_rows(&csv);
    assert!(rows.iter().all(|r| r["illustrative"] == "true"));
    let site_file = root.join("site.yaml");
    let site = std::fs::read_to_string(&site_file).expect("site.yaml");
    std::fs::write(
        &site_file,
        site.replacen(
            "open_data:\n",
            "open_data:\n  publish_illustrative_ocds: true\n",
            1,
        ),
    )
    .expect("write site.yaml");
    assert!(build("out2").join("plan-ocds.json").is_file());
}

#[test]
fn each_language_of_a_bilingual_site_publishes_valid_ocds() {
    let Some(validator) = uk_validator() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    mps::build(&mps::BuildOptions {
        root: repo().join("tests/fixtures/glanmor"),
        output: Some(out.clone()),
        drafts: false,
    })
    .unwrap();
    for file in ["plan-ocds.json", "cy/plan-ocds.json"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let data: Value = serde_json::from_str(&text).expect("valid JSON");
        let errors: Vec<String> = validator
            .iter_errors(&data)
            .map(|e| format!("{file}: {} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
    let welsh: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cy/plan-ocds.json")).unwrap())
            .unwrap();
    assert_eq!(
        welsh["releases"][0]["tender"]["title"],
        "Gwasanaeth atal cwympiadau"
    );
}
