//! The procurement plan as open data: `plan.csv`, `plan.json` and `plan-ocds.json`, an Open
//! Contracting Data Standard (OCDS) 1.1 release package of planning releases, with the UK
//! extension: each pipeline entry is shaped as Find a Tender publishes a pipeline notice (UK1);
//! and `contracts.csv`, the contracts register the Local Government Transparency Code 2015 asks
//! for.
//!
//! Everything here is made from the typed plan and `site.yaml` alone, so the files are the same
//! on every build of the same content: dates come from the plan's `published` date, never the
//! clock, and keys are in a fixed order.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::error::Diagnostic;
use crate::facts::PlanFacts;
use crate::model::{Category, ProcurementEntry, ProcurementPlan, Site, Status, SuitableFor};
use crate::money::Money;

pub const CSV_FILE: &str = "plan.csv";
pub const JSON_FILE: &str = "plan.json";
pub const OCDS_FILE: &str = "plan-ocds.json";
pub const CONTRACTS_FILE: &str = "contracts.csv";

/// The extensions `plan-ocds.json` uses, as its `extensions` array lists them: the Cabinet
/// Office's UK extension (`noticeType`, `amountGross`) and the two of its dependencies whose
/// fields a pipeline entry has (`tender.communication`, `tender.suitability`).
pub const OCDS_EXTENSIONS: [&str; 3] = [
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_communication_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
];

/// One downloadable file, as templates list it.
#[derive(Debug, Clone, Serialize)]
pub struct Download {
    /// Output file relative to the site root (`plan.csv`).
    pub href: String,
    /// What the file is, in words of the page's language.
    pub title: String,
    /// File type as readers know it (`CSV`).
    pub format: &'static str,
    pub bytes: usize,
    /// `12 KB`.
    pub size_display: String,
}

/// The open data files of the site's plan: (output file, bytes). Empty when there is no plan.
pub fn files(
    site: &Site,
    facts: &PlanFacts,
    w: &crate::words::Words,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let Some(plan) = &site.data.plan else {
        return Ok(Vec::new());
    };
    let file = site
        .data_sources
        .files
        .get("plan.yaml")
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| site.root.join("content/data/plan.yaml"));
    files_of(plan, site, facts, "", &file, w)
}

/// The same files for an earlier edition, in its folder (`plan/2019-20/plan.csv`), each made
/// from the edition's own entries and facts (so its pipeline is its own).
pub fn edition_files(
    edition: &crate::model::Edition,
    folder: &str,
    site: &Site,
    facts: &PlanFacts,
    w: &crate::words::Words,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    files_of(&edition.plan, site, facts, folder, &edition.file, w)
}

/// `plan`'s open data, each file named `folder` (a site path ending in `/`, or empty for the
/// site's root) plus its name; `file` is the plan's file, for the rare error.
fn files_of(
    plan: &ProcurementPlan,
    site: &Site,
    facts: &PlanFacts,
    folder: &str,
    file: &std::path::Path,
    w: &crate::words::Words,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let config = &site.config;
    let problem = |what: &str, e: String| {
        Diagnostic::error(file, format!("could not write the plan as {what}: {e}"))
            .help("this is a bug in mps; please report it with the plan file")
    };
    let csv = csv(plan, site, facts).map_err(|e| problem("CSV", e))?;
    let json = json(plan, config, facts).map_err(|e| problem("JSON", e.to_string()))?;
    let contracts = contracts(plan, facts).map_err(|e| problem("a contracts register", e))?;
    let mut out = vec![(CSV_FILE, csv), (JSON_FILE, json)];
    // OCDS is read by machines that cannot see a page's "Illustrative" tag, so invented data
    // goes out in it only when the site says so (and then each release says it is invented).
    if !plan_illustrative(plan) || config.open_data.publish_illustrative_ocds {
        let uri = format!("{}{folder}{OCDS_FILE}", config.base_url);
        let ocds = ocds(plan, config, facts, uri, w).map_err(|e| problem("OCDS", e.to_string()))?;
        out.push((OCDS_FILE, ocds));
    }
    out.push((CONTRACTS_FILE, contracts));
    Ok(out
        .into_iter()
        .map(|(name, bytes)| (format!("{folder}{name}"), bytes))
        .collect())
}

/// Whether any of the plan is invented: the plan as a whole or one of its entries.
pub fn plan_illustrative(plan: &ProcurementPlan) -> bool {
    plan.illustrative || plan.entries.iter().any(|e| e.illustrative)
}

/// The downloads templates link to, with their sizes. Empty when there is no plan.
pub fn downloads(files: &[(String, Vec<u8>)], w: &crate::words::Words) -> Vec<Download> {
    files
        .iter()
        .map(|(path, bytes)| {
            let name = path.rsplit('/').next().unwrap_or(path);
            let (title, format) = match name {
                CSV_FILE => ("download_csv", "CSV"),
                JSON_FILE => ("download_json", "JSON"),
                CONTRACTS_FILE => ("download_contracts", "CSV"),
                _ => ("download_ocds", "OCDS JSON"),
            };
            Download {
                href: path.clone(),
                title: w.get(title).to_string(),
                format,
                bytes: bytes.len(),
                size_display: size_display(bytes.len(), w),
            }
        })
        .collect()
}

/// `850 bytes`, `12 KB`, `1.4 MB`.
pub fn size_display(bytes: usize, w: &crate::words::Words) -> String {
    if bytes < 1000 {
        w.count(bytes as u64, "byte", "bytes")
    } else if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// One row of `plan.csv`. Column order is the field order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CsvRow {
    pub id: String,
    pub title: String,
    pub theme: String,
    pub theme_name: String,
    pub department: String,
    /// Estimated total value in pounds sterling, a plain number.
    #[serde(serialize_with = "Money::serialize_plain")]
    pub value_gbp: Money,
    /// ISO 8601 (YYYY-MM-DD).
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub duration_months: u32,
    pub route: String,
    pub status: Status,
    /// `true` when the entry is at or above the pipeline-notice threshold.
    pub pipeline_notice: bool,
    pub cpv: Option<String>,
    pub social_value: String,
    pub description: Option<String>,
    /// `true` when the entry (or the whole plan) is an invented example.
    pub illustrative: bool,
}

fn csv(plan: &ProcurementPlan, site: &Site, facts: &PlanFacts) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (e, f) in plan.entries.iter().zip(&facts.entries) {
        let theme_name = f
            .theme
            .map_or_else(|| e.theme.clone(), |t| site.data.themes[t].name.clone());
        w.serialize(CsvRow {
            id: e.id.clone(),
            title: e.title.clone(),
            theme: e.theme.clone(),
            theme_name,
            department: e.department.clone(),
            value_gbp: e.value,
            start_date: e.start,
            end_date: f.end,
            duration_months: e.duration_months,
            route: e.route.clone(),
            status: e.status,
            pipeline_notice: f.pipeline,
            cpv: e.cpv.clone(),
            social_value: e.social_value.clone(),
            description: e.description.clone(),
            illustrative: plan.illustrative || e.illustrative,
        })
        .map_err(|e| e.to_string())?;
    }
    if plan.entries.is_empty() {
        // Still write the header row, so the file says what its columns are.
        w.write_record(csv_header()).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// The column names of `plan.csv`.
pub fn csv_header() -> [&'static str; 16] {
    [
        "id",
        "title",
        "theme",
        "theme_name",
        "department",
        "value_gbp",
        "start_date",
        "end_date",
        "duration_months",
        "route",
        "status",
        "pipeline_notice",
        "cpv",
        "social_value",
        "description",
        "illustrative",
    ]
}

/// One row of `contracts.csv`, the Local Government Transparency Code 2015 contracts register.
/// Column order is the field order (see [`contracts_header`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContractsRow {
    /// The entry's id.
    pub reference: String,
    pub title: String,
    pub department: String,
    pub description: Option<String>,
    /// Empty until awarded.
    pub supplier: Option<String>,
    pub supplier_company_number: Option<String>,
    pub supplier_charity_number: Option<String>,
    /// The sum to be paid over the length of the contract, in pounds, a plain number.
    #[serde(serialize_with = "Money::serialize_plain")]
    pub value_gbp: Money,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub review_date: Option<NaiveDate>,
    /// `yes` when let through a published invitation to tender or to quote.
    pub tendered: YesNo,
    /// Whether the supplier is a small or medium-sized enterprise; empty without a supplier.
    pub supplier_sme: Option<YesNo>,
    /// Whether the supplier is a voluntary or community sector organisation.
    pub supplier_vcse: Option<YesNo>,
    pub status: Status,
    /// `true` when the entry (or the whole plan) is an invented example; not a Transparency
    /// Code field, so it comes last.
    pub illustrative: bool,
}

/// `yes` or `no`, as the register's readers expect.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    Yes,
    No,
}

impl From<bool> for YesNo {
    fn from(b: bool) -> Self {
        if b {
            YesNo::Yes
        } else {
            YesNo::No
        }
    }
}

/// The column names of `contracts.csv`.
pub fn contracts_header() -> [&'static str; 16] {
    [
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
    ]
}

fn contracts(plan: &ProcurementPlan, facts: &PlanFacts) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows = 0;
    for (e, f) in plan.entries.iter().zip(&facts.entries) {
        if !f.contracts_register {
            continue;
        }
        let s = e.supplier.as_ref();
        w.serialize(ContractsRow {
            reference: e.id.clone(),
            title: e.title.clone(),
            department: e.department.clone(),
            description: e.description.clone(),
            supplier: s.map(|s| s.name.clone()),
            supplier_company_number: s.and_then(|s| s.company_number.clone()),
            supplier_charity_number: s.and_then(|s| s.charity_number.clone()),
            value_gbp: e.value,
            start_date: e.start,
            end_date: f.end,
            review_date: e.review_date,
            tendered: f.tendered.into(),
            supplier_sme: s.map(|s| s.sme.into()),
            supplier_vcse: s.map(|s| s.vcse.into()),
            status: e.status,
            illustrative: plan.illustrative || e.illustrative,
        })
        .map_err(|e| e.to_string())?;
        rows += 1;
    }
    if rows == 0 {
        // Still write the header row, so the file says what its columns are.
        w.write_record(contracts_header())
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    year: &'a str,
    published: NaiveDate,
    currency: &'static str,
    pipeline_threshold: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// Every entry is an invented example.
    illustrative: bool,
    entries: Vec<JsonEntry>,
}

#[derive(Serialize)]
struct JsonEntry {
    /// The entry, its `illustrative` set when the plan's is.
    #[serde(flatten)]
    entry: ProcurementEntry,
    end: Option<NaiveDate>,
    pipeline_notice: bool,
}

fn json(
    plan: &ProcurementPlan,
    config: &SiteConfig,
    facts: &PlanFacts,
) -> serde_json::Result<Vec<u8>> {
    let doc = JsonPlan {
        year: &plan.year,
        published: plan.published,
        currency: "GBP",
        pipeline_threshold: config.procurement.pipeline_threshold,
        note: plan.note.as_deref(),
        illustrative: plan.illustrative,
        entries: plan
            .entries
            .iter()
            .zip(&facts.entries)
            .map(|(e, f)| JsonEntry {
                entry: ProcurementEntry {
                    illustrative: plan.illustrative || e.illustrative,
                    ..e.clone()
                },
                end: f.end,
                pipeline_notice: f.pipeline,
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}

// OCDS 1.1 types: only the fields this publisher fills, in the standard's order.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    uri: String,
    version: &'static str,
    extensions: [&'static str; 3],
    published_date: String,
    publisher: Publisher,
    license: String,
    releases: Vec<Release>,
}

#[derive(Serialize)]
struct Publisher {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Release {
    ocid: String,
    id: String,
    date: String,
    tag: [&'static str; 1],
    initiation_type: &'static str,
    language: String,
    parties: Vec<Party>,
    buyer: OrgRef,
    /// Only on pipeline entries: the pipeline notice they are part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    planning: Option<Planning>,
    tender: Tender,
}

#[derive(Serialize)]
struct Planning {
    documents: [Document; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    id: String,
    document_type: &'static str,
    /// UK extension: the Procurement Act notice this is.
    notice_type: &'static str,
    title: String,
}

#[derive(Serialize, Clone)]
struct OrgRef {
    id: String,
    name: String,
}

#[derive(Serialize)]
struct Party {
    #[serde(flatten)]
    org: OrgRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<Identifier>,
    roles: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identifier {
    scheme: String,
    id: String,
    legal_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tender {
    id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    status: &'static str,
    value: Amount,
    procurement_method_details: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    main_procurement_category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classification: Option<Classification>,
    contract_period: Period,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<Item>,
    /// Communication extension: when the next notice is expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    communication: Option<Communication>,
    /// Suitability extension: whether the contract suits SMEs and VCSEs.
    #[serde(skip_serializing_if = "Option::is_none")]
    suitability: Option<SuitableFor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Amount {
    amount: Money,
    /// UK extension: the amount with VAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_gross: Option<Money>,
    currency: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Communication {
    future_notice_date: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Period {
    start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
}

#[derive(Serialize)]
struct Item {
    id: String,
    description: String,
    classification: Classification,
}

#[derive(Serialize, Clone)]
struct Classification {
    scheme: &'static str,
    id: String,
}

fn start_of_day(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn end_of_day(d: NaiveDate) -> String {
    format!("{}T23:59:59Z", d.format("%Y-%m-%d"))
}

/// The buyer's party id: `GB-LAE-SOS` when an identifier is set, else the organisation's slug.
fn buyer_id(config: &SiteConfig) -> String {
    let o = &config.open_data;
    match (&o.buyer_scheme, &o.buyer_id) {
        (Some(s), Some(id)) => format!("{s}-{id}"),
        _ => crate::urls::slugify(&config.default_organisation),
    }
}

fn ocds(
    plan: &ProcurementPlan,
    config: &SiteConfig,
    facts: &PlanFacts,
    uri: String,
    w: &crate::words::Words,
) -> serde_json::Result<Vec<u8>> {
    let o = &config.open_data;
    let buyer = OrgRef {
        id: buyer_id(config),
        name: config.organisation.clone(),
    };
    let identifier = match (&o.buyer_scheme, &o.buyer_id) {
        (Some(scheme), Some(id)) => Some(Identifier {
            scheme: scheme.clone(),
            id: id.clone(),
            legal_name: config.organisation.clone(),
        }),
        _ => None,
    };
    let date = start_of_day(plan.published);
    // OCDS names a language by its two-letter code. Each language publishes its own releases
    // of the same procurements: ids stay unique by naming the language in all but the default's.
    let language = config
        .language
        .split('-')
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    let release_suffix = if config.prefix.is_empty() {
        String::new()
    } else {
        format!("-{language}")
    };
    let releases = plan
        .entries
        .iter()
        .zip(&facts.entries)
        .map(|(e, f)| Release {
            ocid: format!("{}{}", o.ocid_prefix(), e.id),
            id: format!(
                "{}-planning-{}{release_suffix}",
                e.id,
                plan.published.format("%Y-%m-%d")
            ),
            date: date.clone(),
            tag: ["planning"],
            initiation_type: "tender",
            language: language.clone(),
            parties: vec![Party {
                org: buyer.clone(),
                identifier: identifier.as_ref().map(|i| Identifier {
                    scheme: i.scheme.clone(),
                    id: i.id.clone(),
                    legal_name: i.legal_name.clone(),
                }),
                roles: ["buyer"],
            }],
            buyer: buyer.clone(),
            planning: f.pipeline.then(|| Planning {
                documents: [Document {
                    id: format!("{}-pipeline-notice", e.id),
                    document_type: "plannedProcurementNotice",
                    notice_type: "UK1",
                    title: w.get("pipeline_notice").to_string(),
                }],
            }),
            tender: Tender {
                id: e.id.clone(),
                title: e.title.clone(),
                description: if plan.illustrative || e.illustrative {
                    Some(format!(
                        "{}{}",
                        w.get("ocds_illustrative"),
                        e.description
                            .as_deref()
                            .map(|d| format!(" {d}"))
                            .unwrap_or_default()
                    ))
                } else {
                    e.description.clone()
                },
                // A planning release: the tender is planned, unless the plan says it was
                // cancelled.
                status: if e.status == Status::Cancelled {
                    "cancelled"
                } else {
                    "planned"
                },
                value: Amount {
                    amount: e.value,
                    amount_gross: e.value_gross,
                    currency: "GBP",
                },
                procurement_method_details: e.route.clone(),
                main_procurement_category: e.category,
                classification: e.cpv.as_ref().map(|cpv| Classification {
                    scheme: "CPV",
                    id: cpv.clone(),
                }),
                contract_period: Period {
                    start_date: start_of_day(e.start),
                    end_date: f.end.map(end_of_day),
                },
                items: e
                    .cpv
                    .iter()
                    .map(|cpv| Item {
                        id: "1".into(),
                        description: e.title.clone(),
                        classification: Classification {
                            scheme: "CPV",
                            id: cpv.clone(),
                        },
                    })
                    .collect(),
                communication: e.notice_date.map(|d| Communication {
                    future_notice_date: start_of_day(d),
                }),
                suitability: e.suitable_for,
            },
        })
        .collect();
    let package = Package {
        uri,
        version: "1.1",
        extensions: OCDS_EXTENSIONS,
        published_date: date,
        publisher: Publisher {
            name: {
                let name = o
                    .publisher
                    .clone()
                    .unwrap_or_else(|| config.organisation.clone());
                // Invented data must not read as the organisation's own publication.
                if plan_illustrative(plan) {
                    format!(
                        "{name} (illustrative example data, not published by {})",
                        config.organisation
                    )
                } else {
                    name
                }
            },
            uri: o.publisher_uri.clone(),
        },
        license: o.license().to_string(),
        releases,
    };
    let mut out = serde_json::to_vec_pretty(&package)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(
            size_display(850, crate::words::Words::english()),
            "850 bytes"
        );
        assert_eq!(
            size_display(12_345, crate::words::Words::english()),
            "13 KB"
        );
        assert_eq!(
            size_display(1_400_000, crate::words::Words::english()),
            "1.4 MB"
        );
    }
}
