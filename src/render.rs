//! Rendering: each planned page through Markdown and its template to HTML, plus the files made
//! from the whole site (`sitemap.xml`). Pure: nothing here touches the disk except reading
//! templates' errors' source files for line numbers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::charts::RenderedChart;
use crate::error::Diagnostic;
use crate::format;
use crate::markdown::{self, Heading, LinkContext};
use crate::model::Site;
use crate::pages::{Kind, NavLink, PageTree};
use crate::templates::SiteTheme;
use crate::urls;
use crate::views::{self, DataView};

/// One finished output page.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// Site path (`plan/`).
    pub path: String,
    /// Output file relative to the output folder (`plan/index.html`).
    pub output: String,
    pub html: String,
    /// The file to blame for problems in this page.
    pub source: PathBuf,
    pub template: String,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    organisation: &'a str,
    base_url: &'a str,
    base_path: String,
    language: &'a str,
    phase: &'a str,
    feedback: &'a str,
    feedback_href: String,
    accessibility: &'a crate::config::AccessibilitySettings,
    accessibility_contact: String,
    accessibility_contact_href: String,
    procurement: &'a crate::config::ProcurementSettings,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: String,
    path: &'a str,
    permalink: String,
    kind: Kind,
    template: &'a str,
    is_section: bool,
    date: Option<NaiveDate>,
    date_display: Option<String>,
    updated: Option<NaiveDate>,
    updated_display: Option<String>,
    /// `updated`, else `date`: what "Last updated" shows.
    last_updated_display: Option<String>,
    review_by: Option<NaiveDate>,
    review_by_display: Option<String>,
    headings: Vec<Heading>,
    /// The feedback link, carrying this page's address.
    feedback_href: String,
}

/// Renders pages of one site. Built once per build; `render` may be called from many threads.
pub struct Renderer<'a> {
    site: &'a Site,
    tree: &'a PageTree,
    theme: &'a SiteTheme,
    base: tera::Context,
    data: DataView,
    /// Every chart, drawn once per build, by id.
    charts: BTreeMap<String, Result<RenderedChart, Diagnostic>>,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, tree: &'a PageTree, theme: &'a SiteTheme) -> Self {
        let data = views::build(&site.data, &site.config, &tree.generated);
        let c = &site.config;
        let contact = c
            .accessibility
            .contact
            .clone()
            .unwrap_or_else(|| c.feedback.clone());
        let contact_href = if contact.contains('@') && !contact.contains("://") {
            format!("mailto:{}", contact.trim_start_matches("mailto:"))
        } else {
            contact.clone()
        };
        let site_view = SiteView {
            title: &c.title,
            organisation: &c.organisation,
            base_url: &c.base_url,
            base_path: c.base_path(),
            language: &c.language,
            phase: &c.phase,
            feedback: &c.feedback,
            feedback_href: c.feedback_href().unwrap_or_default(),
            accessibility: &c.accessibility,
            accessibility_contact: contact.trim_start_matches("mailto:").to_string(),
            accessibility_contact_href: contact_href,
            procurement: &c.procurement,
        };
        let mut base = tera::Context::new();
        base.insert("site", &site_view);
        base.insert("data", &data);
        base.insert("nav", &tree.nav);
        let charts = crate::charts::render_all(site);
        // Templates place charts with the `chart` macro of the default theme's macros.html.
        let drawn: BTreeMap<&String, &RenderedChart> = charts
            .iter()
            .filter_map(|(id, c)| c.as_ref().ok().map(|c| (id, c)))
            .collect();
        base.insert("charts", &drawn);
        base.insert("downloads", &crate::opendata::downloads(site));
        base.insert(
            "generated",
            &serde_json::json!({
                "principles": tree.generated.principles.as_deref().map(urls::output_file),
                "themes": tree.generated.themes.as_deref().map(urls::output_file),
                "plan": tree.generated.plan.as_deref().map(urls::output_file),
                "largest": tree.generated.largest.as_deref().map(urls::output_file),
                "accessibility": urls::output_file("accessibility/"),
            }),
        );
        Renderer {
            site,
            tree,
            theme,
            base,
            data,
            charts,
        }
    }

    /// Renders page `i` of the tree.
    pub fn render(&self, i: usize) -> Result<RenderedPage, Vec<Diagnostic>> {
        let p = &self.tree.pages[i];
        let mut problems = Vec::new();
        let (content, headings) = match p.kind {
            Kind::Content(ci) => {
                let src = &self.site.pages[ci];
                let ctx = LinkContext {
                    rel: &src.rel,
                    path: &src.path,
                    pages: &self.tree.by_source,
                };
                let root = urls::root_prefix(&src.path);
                let chart = |id: &str| match self.charts.get(id) {
                    Some(Ok(c)) => Ok(c.figure(&root)),
                    Some(Err(d)) => Err(d.to_string()),
                    None => Err(format!(
                        "there is no chart `{id}` in content/data/charts.yaml{}",
                        if self.charts.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; charts are: {}",
                                self.charts.keys().cloned().collect::<Vec<_>>().join(", ")
                            )
                        }
                    )),
                };
                let r =
                    markdown::render_with_charts(&src.body, &src.file, src.body_line, &ctx, &chart);
                problems.extend(r.problems);
                (r.html, r.headings)
            }
            _ => (String::new(), Vec::new()),
        };
        let permalink = format!("{}{}", self.site.config.base_url, p.path);
        let page = PageView {
            title: &p.title,
            description: p.description.as_deref(),
            content,
            path: &p.path,
            feedback_href: self.feedback_href(&p.title, &permalink),
            permalink,
            kind: p.kind,
            template: &p.template,
            is_section: p.is_section,
            date: p.date,
            date_display: p.date.map(format::date_long),
            updated: p.updated,
            updated_display: p.updated.map(format::date_long),
            last_updated_display: p.updated.or(p.date).map(format::date_long),
            review_by: p.review_by,
            review_by_display: p.review_by.map(format::date_long),
            headings,
        };
        let mut ctx = self.base.clone();
        ctx.insert("page", &page);
        // The 404 page is served at any depth, so it links from the site's base path.
        let root = if p.kind == Kind::NotFound {
            self.site.config.base_path()
        } else {
            urls::root_prefix(&p.path)
        };
        ctx.insert("root", &root);
        ctx.insert("breadcrumbs", &self.tree.breadcrumbs(&p.path));
        let children: Vec<NavLink> = self
            .tree
            .children
            .get(&p.path)
            .map(|c| c.iter().map(|&i| self.tree.link(i)).collect())
            .unwrap_or_default();
        ctx.insert("children", &children);
        match p.kind {
            Kind::Principle(n) => ctx.insert("item", &self.data.principles[n]),
            Kind::Theme(n) => ctx.insert("item", &self.data.themes[n]),
            Kind::Procurement(n) => {
                if let Some(plan) = &self.data.plan {
                    ctx.insert("item", &plan.entries[n]);
                }
            }
            Kind::SiteMap => ctx.insert("site_map", &crate::search::site_map(self.tree)),
            _ => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let html = self
            .theme
            .render(&p.template, &ctx, &p.file)
            .map_err(|d| vec![d])?;
        Ok(RenderedPage {
            path: p.path.clone(),
            output: urls::output_file(&p.path),
            html,
            source: p.file.clone(),
            template: p.template.clone(),
        })
    }

    fn feedback_href(&self, title: &str, permalink: &str) -> String {
        let base = self.site.config.feedback_href().unwrap_or_default();
        if base.starts_with("mailto:") {
            let subject = format!("Feedback on {title}");
            let body = format!("Page: {permalink}\n\n");
            format!(
                "{base}{}subject={}&body={}",
                if base.contains('?') { '&' } else { '?' },
                utf8_percent_encode(&subject, NON_ALPHANUMERIC),
                utf8_percent_encode(&body, NON_ALPHANUMERIC)
            )
        } else {
            format!(
                "{base}{}page={}",
                if base.contains('?') { '&' } else { '?' },
                utf8_percent_encode(permalink, NON_ALPHANUMERIC)
            )
        }
    }
}

/// `sitemap.xml`: every listed page, with absolute addresses, in address order.
pub fn sitemap(site: &Site, tree: &PageTree) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, &i) in &tree.by_path {
        let p = &tree.pages[i];
        if p.kind == Kind::NotFound {
            continue;
        }
        out.push_str("  <url>\n    <loc>");
        out.push_str(&markdown::html_escape(&format!(
            "{}{}",
            site.config.base_url, path
        )));
        out.push_str("</loc>\n");
        if let Some(d) = p.updated.or(p.date) {
            out.push_str(&format!("    <lastmod>{d}</lastmod>\n"));
        }
        out.push_str("  </url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
