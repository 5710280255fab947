//! `site.yaml`: the settings of one site (title, organisation, base URL, theme, navigation,
//! thresholds, accessibility statement).

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Result};

/// The parsed `site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    pub organisation: String,
    /// Absolute URL the site is published at, used for the sitemap and feeds. Ends with `/`.
    pub base_url: String,
    /// The language of the pages being built: the default language, or for a site published in
    /// several, the language of this build pass (see [`SiteConfig::for_language`]).
    #[serde(default = "default_language")]
    pub language: String,
    /// Every language the site is published in, the default first (`[en-GB, cy]`); empty for a
    /// site in `language` alone.
    #[serde(default)]
    pub languages: Vec<String>,
    /// What a language other than the default shows where it has no translation.
    #[serde(default)]
    pub translations: TranslationSettings,
    /// Where this language's pages are published under the site's address: empty for the
    /// default language, `cy/` for Welsh.
    #[serde(skip)]
    pub prefix: String,
    /// The site's address (the default language's), whatever language is being built.
    #[serde(skip)]
    pub site_url: String,
    /// The organisation's name in the default language: what identifies it in the open data,
    /// whatever language is being built.
    #[serde(skip)]
    pub default_organisation: String,
    /// Paths of this file's text with no words of the language being built.
    #[serde(skip)]
    pub untranslated: Vec<String>,
    /// Name of the site theme (a folder in `themes/`); `default` is built in.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Shown in the phase banner ("beta", "alpha"); empty hides the banner's tag.
    #[serde(default = "default_phase")]
    pub phase: String,
    /// Where readers send feedback: an email address or a URL.
    pub feedback: String,
    /// Site paths (such as `plan/`) in menu order. Empty: the top-level sections by weight.
    #[serde(default)]
    pub navigation: Vec<String>,
    #[serde(default)]
    pub procurement: ProcurementSettings,
    #[serde(default)]
    pub accessibility: AccessibilitySettings,
    /// How the procurement plan is published as open data (CSV, JSON, OCDS).
    #[serde(default)]
    pub open_data: OpenDataSettings,
    /// What `mps check` warns about.
    #[serde(default)]
    pub check: CheckSettings,
    /// The rating scale and dimensions of the markets in `content/data/markets/`.
    #[serde(default)]
    pub markets: Option<MarketsSettings>,
    /// Where each value was written in `site.yaml`, for error messages.
    #[serde(skip)]
    pub positions: crate::yaml::Positions,
    /// How pages' Markdown is published.
    #[serde(default)]
    pub markdown: MarkdownSettings,
}

/// How a site published in several languages treats text that has no translation.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationSettings {
    /// Publish the default language's text where a translation is missing (`mps check` lists
    /// each); otherwise a missing translation stops the build.
    #[serde(default)]
    pub fallback: bool,
}

/// Just the languages of `site.yaml`, read before the rest: the rest may give text per language.
#[derive(Debug, Default, Deserialize)]
struct LanguagesOnly {
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
}

/// Keys of the data files (and `site.yaml`) whose values readers see as text: a language other
/// than the default that has no words of its own for one of them is untranslated.
pub const TEXT_KEYS: &[&str] = &[
    "title",
    "name",
    "description",
    "summary",
    "note",
    "label",
    "what",
    "reason",
    "role",
    "more_of",
    "less_of",
    "outcomes",
    "in_practice",
    "mission",
    "definition",
    "conditions",
    "social_value",
    "place",
    "services",
    "tested",
    "known_issues",
    "organisation",
    "team",
    "department",
    "source_name",
    "x_label",
    "y_label",
    "route",
    "unit",
    "period",
    "kind",
    "purposes",
    "headline",
    "text",
    "definition_source",
];

/// Keys of web addresses that may be given per language (a source's Welsh page).
pub const LINK_KEYS: &[&str] = &["source_url", "url"];

/// Settings of pages' Markdown.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownSettings {
    /// Publish raw HTML and links that could run a script or load another site as written,
    /// rather than refusing them (`mps check` still lists each).
    #[serde(default)]
    pub allow_unsafe_html: bool,
}

/// Settings of the plan's open data. Every key is optional; see `OpenDataSettings::default`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDataSettings {
    /// Prefix of each OCDS `ocid`, registered with the Open Contracting Partnership, such as
    /// `ocds-b5fd17-`. The entry id is appended to it.
    #[serde(default)]
    pub ocid_prefix: Option<String>,
    /// Who publishes the data; defaults to the organisation.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Web address of the publisher.
    #[serde(default)]
    pub publisher_uri: Option<String>,
    /// The licence of the data, as a URL; defaults to the Open Government Licence v3.0.
    #[serde(default)]
    pub license: Option<String>,
    /// The buyer's identifier scheme (org-id.guide), such as `GB-LAE` for English local
    /// authorities.
    #[serde(default)]
    pub buyer_scheme: Option<String>,
    /// The buyer's identifier within that scheme, such as `SOS`.
    #[serde(default)]
    pub buyer_id: Option<String>,
    /// Write `plan-ocds.json` even when the plan (or an entry) is illustrative; each release
    /// then says it is an invented example. Off by default: OCDS readers see no page tags.
    #[serde(default)]
    pub publish_illustrative_ocds: bool,
}

/// OCDS prefix used until a site sets its own.
pub const DEFAULT_OCID_PREFIX: &str = "ocds-000000-";
/// The Open Government Licence v3.0.
pub const DEFAULT_LICENSE: &str =
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/";

impl OpenDataSettings {
    pub fn ocid_prefix(&self) -> &str {
        self.ocid_prefix.as_deref().unwrap_or(DEFAULT_OCID_PREFIX)
    }
    pub fn license(&self) -> &str {
        self.license.as_deref().unwrap_or(DEFAULT_LICENSE)
    }
}

/// Settings of `mps check`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSettings {
    /// Warn about MPS figures whose `as_at` date is older than this many months.
    #[serde(default = "default_figure_age")]
    pub figure_max_age_months: u32,
    /// Warn about market ratings assessed more than this many months before the markets
    /// page's `updated` (or `date`).
    #[serde(default = "default_figure_age")]
    pub rating_max_age_months: u32,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            figure_max_age_months: default_figure_age(),
            rating_max_age_months: default_figure_age(),
        }
    }
}

fn default_figure_age() -> u32 {
    12
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProcurementSettings {
    /// Entries worth at least this (GBP) are listed on the largest-procurements page.
    #[serde(default = "default_large")]
    pub large_threshold: u64,
    /// Entries worth at least this (GBP) are marked as pipeline-notice items, when their
    /// notice date falls in the pipeline window (see `facts::in_pipeline`).
    #[serde(default = "default_pipeline")]
    pub pipeline_threshold: u64,
    /// Whether the council expects to pay more than £100 million under public contracts in the
    /// plan's financial year, which makes a pipeline notice a legal duty (Procurement Act 2023
    /// s.93). It changes what the pipeline page says, and `mps check` then warns when the plan
    /// is published later than the 56 days the Act allows.
    #[serde(default)]
    pub spend_over_100m: bool,
}

impl Default for ProcurementSettings {
    fn default() -> Self {
        ProcurementSettings {
            large_threshold: default_large(),
            pipeline_threshold: default_pipeline(),
            spend_over_100m: false,
        }
    }
}

/// What the accessibility statement says, as the 2018 regulations require.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccessibilitySettings {
    /// Who to contact about access problems; defaults to the feedback address.
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub response_days: Option<u32>,
    #[serde(default)]
    pub statement_prepared: Option<NaiveDate>,
    #[serde(default)]
    pub statement_reviewed: Option<NaiveDate>,
    #[serde(default)]
    pub compliance: Compliance,
    #[serde(default)]
    pub known_issues: Vec<String>,
    /// How the site was tested, in a sentence, for the statement's "How we tested" section.
    #[serde(default)]
    pub tested: Option<String>,
    /// Who audited the site independently, if anyone; without it the statement says the
    /// compliance status is the council's own assessment.
    #[serde(default)]
    pub audited_by: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Compliance {
    #[default]
    Full,
    Partial,
    Not,
}

fn default_language() -> String {
    "en-GB".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_phase() -> String {
    "beta".into()
}
fn default_large() -> u64 {
    1_000_000
}
fn default_pipeline() -> u64 {
    2_000_000
}

impl SiteConfig {
    /// Reads and checks `site.yaml` in `root`, in the site's default language.
    pub fn load(root: &Path) -> Result<SiteConfig> {
        Self::load_in(root, None)
    }

    /// Reads and checks `site.yaml` in `root`, its text in `language` (one of the site's
    /// languages; the default when `None`), with the language's address under the site's.
    pub fn load_in(root: &Path, language: Option<&str>) -> Result<SiteConfig> {
        let path = root.join("site.yaml");
        if !path.exists() {
            return Err(Diagnostic::error(&path, "site.yaml not found")
                .help("run mps in the folder that holds site.yaml, pass --root, or create a site with `mps init DIR`")
                .into());
        }
        let source = crate::source::read_text(&path, Some(crate::yaml::MAX_BYTES))?;
        let langs = crate::yaml::parse::<LanguagesOnly>(&source, &path, 1)?;
        check_languages(&langs.value, &langs.positions, &path)?;
        let all = langs.value.languages;
        let reading = language.or(all.first().map(String::as_str));
        let tr = reading.map(|language| crate::yaml::Translating {
            languages: &all,
            language,
            text_keys: TEXT_KEYS,
            link_keys: LINK_KEYS,
        });
        let located = crate::yaml::parse_in::<SiteConfig>(&source, &path, 1, tr.as_ref())?;
        let mut config = located.value;
        config.positions = located.positions;
        config.untranslated = located.untranslated;
        if let Some(first) = config.languages.first() {
            config.language = first.clone();
        }
        config.check(&path)?;
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        config.site_url = config.base_url.clone();
        config.default_organisation = config.organisation.clone();
        if let Some(lang) = language {
            if !config.is_default_language(lang) {
                config.default_organisation = Self::load_in(root, None)?.organisation;
                config.prefix = language_folder(lang);
                config.base_url.push_str(&config.prefix);
            }
            config.language = lang.to_string();
        }
        Ok(config)
    }

    /// The languages the site is published in, the default first.
    pub fn languages(&self) -> Vec<&str> {
        if self.languages.is_empty() {
            vec![self.language.as_str()]
        } else {
            self.languages.iter().map(String::as_str).collect()
        }
    }

    /// The site's default language.
    pub fn default_language(&self) -> &str {
        self.languages.first().unwrap_or(&self.language)
    }

    pub fn is_default_language(&self, lang: &str) -> bool {
        self.default_language().eq_ignore_ascii_case(lang)
    }

    /// Whether the site is published in more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// How the data of this site is read for the language being built: `None` for a site that
    /// names no `languages`.
    pub fn translating(&self) -> Option<crate::yaml::Translating<'_>> {
        (!self.languages.is_empty()).then(|| crate::yaml::Translating {
            languages: &self.languages,
            language: &self.language,
            text_keys: TEXT_KEYS,
            link_keys: LINK_KEYS,
        })
    }

    fn check(&self, path: &Path) -> Result<()> {
        let mut problems = Vec::new();
        let at = |key: &str| self.positions.nearest(key);
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            problems.push(
                Diagnostic::error(path, format!("base_url `{}` is not an absolute URL", self.base_url))
                    .at_pos(at("base_url"))
                    .help("write the full address the site is published at, such as https://www.example.gov.uk/commissioning/"),
            );
        }
        if self.feedback_href().is_none() {
            problems.push(
                Diagnostic::error(
                    path,
                    format!(
                        "feedback `{}` is neither an email address nor a web address",
                        self.feedback
                    ),
                )
                .at_pos(at("feedback"))
                .help(
                    "write an email address (name@example.gov.uk) or a URL starting with https://",
                ),
            );
        }
        if self.language.trim().is_empty() {
            problems.push(
                Diagnostic::error(path, "language is empty")
                    .at_pos(at("language"))
                    .help("use a language tag such as en-GB"),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.into())
        }
    }

    /// The feedback address as a link: `mailto:` for an email address.
    pub fn feedback_href(&self) -> Option<String> {
        contact_href(&self.feedback)
    }

    /// Who to contact about accessibility (`accessibility.contact`, else `feedback`), as shown
    /// and as a link.
    pub fn accessibility_contact(&self) -> (String, String) {
        let contact = self
            .accessibility
            .contact
            .as_ref()
            .unwrap_or(&self.feedback);
        let shown = contact.trim().trim_start_matches("mailto:").to_string();
        let href = contact_href(contact).unwrap_or_else(|| contact.clone());
        (shown, href)
    }

    /// The path part of the base URL (`/commissioning/`), for pages served at any depth (404).
    pub fn base_path(&self) -> String {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, r)| r);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        }
    }
}

/// The folder a language other than the default is published in: `cy/`.
pub fn language_folder(code: &str) -> String {
    format!("{}/", code.to_ascii_lowercase())
}

/// Whether `code` looks like a language tag (`cy`, `en-GB`, `es-419`).
fn is_language_tag(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `language` and `languages` of `site.yaml` agree and name real language tags, each once.
fn check_languages(
    langs: &LanguagesOnly,
    positions: &crate::yaml::Positions,
    path: &Path,
) -> Result<()> {
    let mut problems = Vec::new();
    if langs.languages.is_empty() && positions.get("languages").is_some() {
        problems.push(
            Diagnostic::error(path, "languages is empty")
                .at_pos(positions.nearest("languages"))
                .help("list the site's languages, the default first (`languages: [en-GB, cy]`), or remove `languages:` for a site in one language"),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, code) in langs.languages.iter().enumerate() {
        let at = positions.nearest(&format!("languages[{i}]"));
        let primary = code.split('-').next().unwrap_or("");
        if is_language_tag(code) && primary.chars().any(|c| c.is_ascii_uppercase()) {
            problems.push(
                Diagnostic::error(path, format!("`{code}` has its language in capitals"))
                    .at_pos(at)
                    .help(format!(
                        "write `{}`: a language tag's language is in lower case (cy, en-GB), which also names its folder and words file",
                        code.replacen(primary, &primary.to_ascii_lowercase(), 1)
                    )),
            );
        } else if !is_language_tag(code) {
            problems.push(
                Diagnostic::error(path, format!("`{code}` is not a language tag"))
                    .at_pos(at)
                    .help("use a language tag such as en-GB (English), cy (Welsh) or gd (Scottish Gaelic)"),
            );
        } else if seen
            .iter()
            .any(|s| s.eq_ignore_ascii_case(code) || language_folder(s) == language_folder(code))
        {
            problems.push(
                Diagnostic::error(path, format!("`{code}` is listed twice in languages"))
                    .at_pos(at)
                    .help("list each language once, the default first"),
            );
        }
        seen.push(code);
    }
    if let (Some(language), Some(first)) = (&langs.language, langs.languages.first()) {
        if !language.eq_ignore_ascii_case(first) {
            problems.push(
                Diagnostic::error(
                    path,
                    format!("language is `{language}` but languages starts with `{first}`"),
                )
                .at_pos(positions.nearest("language"))
                .help("the first of languages is the default language: remove `language:` or make it the same as the first of languages"),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into())
    }
}

/// A contact as a link: web and `mailto:` addresses as they are, an email address as `mailto:`;
/// `None` for anything else. The one rule for every contact a site gives.
pub fn contact_href(contact: &str) -> Option<String> {
    let f = contact.trim();
    if f.starts_with("https://") || f.starts_with("http://") || f.starts_with("mailto:") {
        Some(f.to_string())
    } else if is_email(f) {
        Some(format!("mailto:{f}"))
    } else {
        None
    }
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && host.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// `markets:` in `site.yaml`: the rating scale and the rating grid's rows.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarketsSettings {
    /// Rating levels, worst first.
    #[serde(default)]
    pub scale: Vec<ScaleLevel>,
    /// The rating grid's rows, in order.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    /// The word market files use.
    pub level: String,
    /// The words shown on the page.
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_become_links_by_one_rule() {
        assert_eq!(contact_href(" a@b.org ").as_deref(), Some("mailto:a@b.org"));
        assert_eq!(
            contact_href("mailto:a@b.org").as_deref(),
            Some("mailto:a@b.org")
        );
        assert_eq!(
            contact_href("https://x.org/c").as_deref(),
            Some("https://x.org/c")
        );
        assert_eq!(contact_href("01702 215000"), None);
    }

    fn write(dir: &Path, text: &str) {
        std::fs::write(dir.join("site.yaml"), text).unwrap();
    }

    #[test]
    fn email_feedback_becomes_mailto_and_base_gets_slash() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "title: T\norganisation: O\nbase_url: https://x.gov.uk/mps\nfeedback: a@x.gov.uk\n",
        );
        let c = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(c.feedback_href().as_deref(), Some("mailto:a@x.gov.uk"));
        assert_eq!(c.base_url, "https://x.gov.uk/mps/");
        assert_eq!(c.base_path(), "/mps/");
        assert_eq!(c.language, "en-GB");
    }

    #[test]
    fn bad_feedback_points_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "title: T\norganisation: O\nbase_url: https://x.gov.uk/\nfeedback: nobody\n",
        );
        let e = SiteConfig::load(dir.path()).unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!(d.line, Some(4));
        assert!(d.message.contains("feedback"));
    }
}
