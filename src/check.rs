//! `mps check`: everything the build validates, without writing anything, plus warnings about
//! what is out of date or hard to use before it is published: MPS figures older than the
//! configured age, pages past their `review_by` date, images without alt text, skipped heading
//! levels, links whose text says nothing ("click here"), pipeline entries that lack what a
//! pipeline notice needs, and a plan published too late for the pipeline notice deadline.
//!
//! "Today" is passed in, so that checks are repeatable in tests; the binary passes the local date.

use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::error::{line_col, Diagnostic, Severity};
use crate::format;
use crate::model::{Site, SourcePage};

/// What to check and as of when.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    /// Check pages marked `draft: true` too.
    pub drafts: bool,
    /// The date to judge currency by.
    pub today: NaiveDate,
}

/// Link texts that say nothing out of context, compared in lower case without punctuation.
const VAGUE_LINK_TEXT: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "link",
    "this link",
    "find out more",
];

/// Every problem and warning in the site, sorted by file and line. Errors are what the build
/// would stop on; warnings are everything else worth fixing.
pub fn check(opts: &CheckOptions) -> Vec<Diagnostic> {
    let mut out = match crate::build::validate_only(&opts.root, opts.drafts) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics(),
    };
    // Warnings need the loaded site; if it cannot be loaded the errors above say why.
    if let Ok(site) = crate::content::load(&opts.root, opts.drafts) {
        out.extend(warnings(&site, opts.today));
        // Each other language: what it has not translated, and its own pages' problems.
        let others: Vec<String> = site.config.languages()[1..]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for lang in others {
            let config = crate::config::SiteConfig::load_in(&opts.root, Some(&lang));
            let Ok(Ok(mut other)) =
                config.map(|c| crate::content::load_with(&opts.root, c, opts.drafts))
            else {
                continue;
            };
            out.append(&mut other.untranslated);
            for page in other.pages.iter().filter(|p| {
                !p.untranslated && p.file.to_string_lossy().ends_with(&format!(".{lang}.md"))
            }) {
                overdue_review(page, opts.today, &mut out);
                placeholder_description(page, &mut out);
                markdown_body(page, &mut out);
            }
        }
    }
    let sorted = crate::error::Diagnostics::sorted(out);
    sorted.0
}

/// The warnings about a loaded site, as of `today`.
pub fn warnings(site: &Site, today: NaiveDate) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    stale_figures(site, today, &mut out);
    accessibility_statement(site, today, &mut out);
    pipeline_notices(site, &mut out);
    crate::markets::warnings(site, &mut out);
    for page in &site.pages {
        overdue_review(page, today, &mut out);
        placeholder_description(page, &mut out);
        markdown_body(page, &mut out);
        if site.config.markdown.allow_unsafe_html {
            out.extend(crate::markdown::unsafe_html_warnings(
                &page.body,
                &page.file,
                page.body_line,
            ));
        }
    }
    out
}

/// Counts of errors and warnings.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

fn stale_figures(site: &Site, today: NaiveDate, out: &mut Vec<Diagnostic>) {
    let months = site.config.check.figure_max_age_months;
    let Some(cutoff) = today.checked_sub_months(Months::new(months)) else {
        return;
    };
    let file = match site.data_sources.files.get("figures.yaml") {
        Some((p, _)) => p.clone(),
        None => site.root.join("content/data/figures.yaml"),
    };
    for (i, fig) in site.data.figures.figures.iter().enumerate() {
        if fig.as_at >= cutoff {
            continue;
        }
        let at = site
            .data_sources
            .at("figures.yaml", &format!("figures[{i}].as_at"));
        out.push(
            Diagnostic::warning(
                &file,
                format!(
                    "figure `{}` is as at {}, more than {} ago",
                    fig.id,
                    format::date_long(fig.as_at),
                    format::count(months.into(), "month", "months")
                ),
            )
            .at_pos(at)
            .help(format!(
                "update the value and its as_at date from the source ({}), or, if no newer figure exists, keep it and say so in its note; the age limit is `check: figure_max_age_months` in site.yaml",
                fig.source_url
            )),
        );
    }
}

/// The accessibility statement should be reviewed at least once a year.
fn accessibility_statement(site: &Site, today: NaiveDate, out: &mut Vec<Diagnostic>) {
    let a = &site.config.accessibility;
    let (key, last) = match (a.statement_reviewed, a.statement_prepared) {
        (Some(d), _) => ("statement_reviewed", d),
        (None, Some(d)) => ("statement_prepared", d),
        (None, None) => return,
    };
    match last.checked_add_months(Months::new(12)) {
        Some(due) if due < today => {}
        _ => return,
    }
    let file = site.root.join("site.yaml");
    out.push(
        Diagnostic::warning(
            &file,
            format!(
                "the accessibility statement was last reviewed on {}, more than a year ago",
                format::date_long(last)
            ),
        )
        .at_pos(site.config.positions.nearest(&format!("accessibility.{key}")))
        .help("check the statement and its known issues are still right, then set `statement_reviewed:` to today"),
    );
}

/// What a pipeline notice (UK1) needs from an entry: (key in plan.yaml, present).
fn notice_fields(e: &crate::model::ProcurementEntry) -> [(&'static str, bool); 6] {
    [
        ("notice_date", e.notice_date.is_some()),
        ("category", e.category.is_some()),
        ("suitable_for", e.suitable_for.is_some()),
        ("value_gross", e.value_gross.is_some()),
        ("cpv", e.cpv.is_some()),
        ("description", e.description.is_some()),
    ]
}

/// Pipeline entries without what the notice needs; and, when the notice is a duty
/// (`spend_over_100m`), a buyer without an identifier and a plan published after the deadline.
fn pipeline_notices(site: &Site, out: &mut Vec<Diagnostic>) {
    let Some(plan) = &site.data.plan else {
        return;
    };
    let file = match site.data_sources.files.get("plan.yaml") {
        Some((p, _)) => p.clone(),
        None => site.root.join("content/data/plan.yaml"),
    };
    let at = |path: &str| site.data_sources.at("plan.yaml", path);
    let settings = &site.config.procurement;
    let facts = crate::facts::PlanFacts::new(
        &site.data,
        &crate::facts::GeneratedPaths::of(&site.pages),
        settings,
    );
    for &i in &facts.pipeline {
        let e = &plan.entries[i];
        let missing: Vec<&str> = notice_fields(e)
            .iter()
            .filter(|(_, present)| !present)
            .map(|(key, _)| *key)
            .collect();
        if missing.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::warning(
                &file,
                format!(
                    "`{}` is in the pipeline but lacks what a pipeline notice needs: {}",
                    e.id,
                    missing.join(", ")
                ),
            )
            .at_pos(at(&format!("entries[{i}].id")))
            .help(format!(
                "add {} to the entry (see \"Pipeline notices\" in the README); an entry without notice_date is listed in the pipeline until it has one",
                missing.join(", ")
            )),
        );
    }
    if !settings.spend_over_100m {
        return;
    }
    let site_file = site.root.join("site.yaml");
    if !facts.pipeline.is_empty()
        && (site.config.open_data.buyer_scheme.is_none()
            || site.config.open_data.buyer_id.is_none())
    {
        out.push(
            Diagnostic::warning(&site_file, "the plan has a pipeline, but the buyer has no organisation identifier")
                .help("set `open_data: buyer_scheme:` and `buyer_id:` in site.yaml (such as GB-PPON and your Public Procurement Organisation Number), so the pipeline notice in plan-ocds.json names the council as Find a Tender does"),
        );
    }
    let Some(start) = crate::facts::financial_year_start(&plan.year, plan.published) else {
        return;
    };
    let Some(deadline) = crate::facts::pipeline_notice_deadline(start) else {
        return;
    };
    if plan.published > deadline {
        out.push(
            Diagnostic::warning(
                &file,
                format!(
                    "the {} plan is published on {}, more than {} days after its financial year started on {}: a pipeline notice was due by {}",
                    plan.year,
                    format::date_long(plan.published),
                    crate::facts::PIPELINE_NOTICE_DAYS,
                    format::date_long(start),
                    format::date_long(deadline)
                ),
            )
            .at_pos(at("published"))
            .help("publish the pipeline notice on Find a Tender as soon as you can; if `year` is not the plan's financial year (such as 2025/26), correct it, and if the council does not expect to spend over £100 million, set `procurement: spend_over_100m: false` in site.yaml"),
        );
    }
}

fn overdue_review(page: &SourcePage, today: NaiveDate, out: &mut Vec<Diagnostic>) {
    let Some(review_by) = page.front.review_by else {
        return;
    };
    if review_by >= today {
        return;
    }
    out.push(
        Diagnostic::warning(
            &page.file,
            format!(
                "this page was due for review by {}",
                format::date_long(review_by)
            ),
        )
        .at_pos(page.front_positions.nearest("review_by"))
        .help("check the page is still right, then set `updated:` to today and `review_by:` to the next review date"),
    );
}

fn placeholder_description(page: &SourcePage, out: &mut Vec<Diagnostic>) {
    let Some(d) = &page.front.description else {
        return;
    };
    if d.trim_start().to_ascii_uppercase().starts_with("TODO") {
        out.push(
            Diagnostic::warning(&page.file, "the description is still a placeholder")
                .at_pos(page.front_positions.nearest("description"))
                .help("write one sentence saying what the page is for; it appears in search results and link previews"),
        );
    }
}

/// Images, headings and links in a page's Markdown.
fn markdown_body(page: &SourcePage, out: &mut Vec<Diagnostic>) {
    let body = &page.body;
    let line_of = |offset: usize| {
        let (line, col) = line_col(body, offset);
        (Some(line + page.body_line - 1), Some(col))
    };
    let options = crate::markdown::options();
    // The page's title is its h1, written by the template.
    let mut previous_level = 1u8;
    // (offset, text so far) of the open link or image.
    let mut link: Option<(usize, String)> = None;
    let mut image: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = level as u8;
                let (line, col) = line_of(range.start);
                if level == 1 {
                    out.push(
                        Diagnostic::warning(&page.file, "a second level-1 heading: the page title is already the level-1 heading")
                            .at(line, col)
                            .help("start headings in the page at `##`"),
                    );
                } else if level > previous_level + 1 {
                    out.push(
                        Diagnostic::warning(
                            &page.file,
                            format!(
                                "heading level {level} follows level {previous_level}, skipping a level"
                            ),
                        )
                        .at(line, col)
                        .help(format!(
                            "use `{}` here, so that screen reader users can follow the page's structure",
                            "#".repeat(previous_level as usize + 1)
                        )),
                    );
                }
                previous_level = level;
            }
            Event::Start(Tag::Link { .. }) => link = Some((range.start, String::new())),
            Event::Start(Tag::Image { .. }) => image = Some((range.start, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, s)) = image.as_mut() {
                    s.push_str(&t);
                }
                if let Some((_, s)) = link.as_mut() {
                    s.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((start, alt)) = image.take() {
                    if alt.trim().is_empty() {
                        let (line, col) = line_of(start);
                        out.push(
                            Diagnostic::warning(&page.file, "this image has no alt text")
                                .at(line, col)
                                .help("describe what the image shows between the brackets: `![A bar chart of spend by theme](chart.png)`"),
                        );
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, text)) = link.take() {
                    vague_link(&page.file, &text, line_of(start), out);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                // Each `<img>` at its own line: the event's HTML is the Markdown from where
                // the event starts (a block's lines come one event each).
                let at = |i: usize| match body.get(range.start..) {
                    Some(rest) if rest.starts_with(html.as_ref()) => line_of(range.start + i),
                    _ => line_of(range.start),
                };
                html_images(&page.file, &html, at, out);
            }
            _ => {}
        }
    }
}

fn vague_link(
    file: &Path,
    text: &str,
    (line, col): (Option<usize>, Option<usize>),
    out: &mut Vec<Diagnostic>,
) {
    let normal: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let message = if normal.is_empty() {
        "this link has no text".to_string()
    } else if VAGUE_LINK_TEXT.contains(&normal.as_str()) {
        format!(
            "the link text `{}` does not say where the link goes",
            text.trim()
        )
    } else {
        return;
    };
    out.push(
        Diagnostic::warning(file, message)
            .at(line, col)
            .help("write link text that makes sense on its own, such as `[the 2019/20 procurement plan](plan/_index.md)`"),
    );
}

/// `<img>` tags in raw HTML without an `alt` attribute.
fn html_images(
    file: &Path,
    html: &str,
    at: impl Fn(usize) -> (Option<usize>, Option<usize>),
    out: &mut Vec<Diagnostic>,
) {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("<img") {
        let (line, col) = at(lower.len() - rest.len() + i);
        let tag = &rest[i..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let has_alt = tag
            .split(|c: char| c.is_whitespace())
            .any(|a| a == "alt" || a.starts_with("alt="));
        if !has_alt {
            out.push(
                Diagnostic::warning(file, "this image has no alt attribute")
                    .at(line, col)
                    .help("add alt=\"what the image shows\", or alt=\"\" if it is only decoration"),
            );
        }
        rest = &rest[i + 4..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FrontMatter;

    fn page(body: &str) -> SourcePage {
        SourcePage {
            rel: "p.md".into(),
            file: PathBuf::from("content/p.md"),
            front: FrontMatter {
                title: "P".into(),
                ..Default::default()
            },
            body: body.into(),
            body_line: 4,
            untranslated: false,
            path: "p/".into(),
            is_section: false,
            front_positions: Default::default(),
        }
    }

    fn warnings_of(body: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        markdown_body(&page(body), &mut out);
        out
    }

    #[test]
    fn skipped_heading_levels_name_the_line() {
        let w = warnings_of("Intro\n\n#### Too deep\n\n## Fine\n\n### Fine too\n");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].line, Some(6));
        assert!(w[0].message.contains("level 4 follows level 1"));
    }

    #[test]
    fn images_without_alt_text_are_found() {
        let w = warnings_of("![](a.png)\n\n![A chart](b.png)\n\n<img src=\"c.png\">\n");
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].line, Some(4));
        assert_eq!(w[1].line, Some(8));
        assert!(warnings_of("<img src=\"d.png\" alt=\"\">\n").is_empty());
    }

    #[test]
    fn vague_and_empty_link_text_is_found() {
        let w = warnings_of(
            "See [click here](https://x.gov.uk/).\n\n[Read more…](https://x.gov.uk/) and [](https://y.gov.uk/)\n\n[The plan](https://x.gov.uk/plan)\n",
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].message.contains("click here"));
        assert!(w[2].message.contains("no text"));
    }
}
