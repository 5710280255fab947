//! The plan's open data, as the build writes it: the CSV parses back to the plan's entries, the
//! JSON holds the plan, and the OCDS package validates against the OCDS 1.1.5 schema.

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
            row["value_gbp"].parse::<u64>().ok(),
            Some(e.value),
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
            (e.value >= 2_000_000).to_string(),
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
        assert_eq!(j["value"], e.value);
        assert_eq!(j["pipeline_notice"], e.value >= 2_000_000);
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
        assert_eq!(r["tender"]["value"]["amount"], e.value);
        assert_eq!(r["tender"]["value"]["currency"], "GBP");
        assert_eq!(r["buyer"]["name"], "Southend-on-Sea Borough Council");
    }
}

#[test]
fn ocds_package_validates_against_the_1_1_5_schema() {
    let dir = repo().join("../shared/ocds-1.1.5");
    let (Ok(package), Ok(release)) = (
        std::fs::read_to_string(dir.join("release-package-schema.json")),
        std::fs::read_to_string(dir.join("release-schema.json")),
    ) else {
        println!(
            "skipped: the OCDS 1.1.5 schema is not at {} (CI copies shared/ beside the repo)",
            dir.display()
        );
        return;
    };
    let package: Value = serde_json::from_str(&package).expect("package schema");
    let release: Value = serde_json::from_str(&release).expect("release schema");
    let release_uri = release["id"]
        .as_str()
        .expect("release schema id")
        .to_string();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .with_resource(
            release_uri,
            jsonschema::Resource::from_contents(release).expect("release schema resource"),
        )
        .build(&package)
        .expect("the schema compiles offline");
    let data: Value = serde_json::from_str(&read("plan-ocds.json")).expect("valid JSON");
    let errors: Vec<String> = validator
        .iter_errors(&data)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // The validator is not vacuous: a release without an ocid fails.
    let mut broken = data.clone();
    if let Some(r) = broken["releases"][0].as_object_mut() {
        r.remove("ocid");
    }
    assert!(!validator.is_valid(&broken));
}
