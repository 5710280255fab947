//! Markdown to HTML: CommonMark plus tables, footnotes, strikethrough, smart punctuation and
//! heading anchors. Links to other content by source path (`../plan/_index.md`) become links to
//! that page; a link to a page that does not exist is an error naming the line.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::error::{line_col, Diagnostic};
use crate::{sanitise, urls};

/// What a page's Markdown needs to know about the rest of the site.
pub struct LinkContext<'a> {
    /// Source path of this page relative to `content/` (`mps/_index.md`).
    pub rel: &'a str,
    /// Site path of this page (`mps/`).
    pub path: &'a str,
    /// Site path of every page, by source path (hashed: every link of every page looks here).
    pub pages: &'a HashMap<&'a str, &'a str>,
    /// Publish raw HTML and links as written, even what could run a script (`markdown:
    /// allow_unsafe_html` in site.yaml).
    pub allow_unsafe_html: bool,
    /// For a site in several languages, every language's pages and the language being built,
    /// so that `page.cy.md` links to the Welsh page from any language.
    pub languages: Option<(&'a crate::translations::Languages, &'a str)>,
}

/// One heading of a page, for tables of contents and checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub problems: Vec<Diagnostic>,
    /// The page's first words (about [`WORDS_KEPT`] characters) without markup, whitespace
    /// squashed, for the search index. Shortcodes and raw HTML are not words.
    pub words: String,
    /// Each Markdown link and image: its address as written into the HTML, and the line and
    /// column of its source, so that the link checker can point at it.
    pub links: Vec<(String, usize, usize)>,
}

/// How many characters of a page's words [`Rendered::words`] keeps, at least (all of them when
/// the page has fewer): more than the search index shows, and no more, since gathering them
/// is work on every page of every build.
pub const WORDS_KEPT: usize = 2000;

/// Built once: `memmem::find` would build its searcher again for every piece of text.
static TWO_SPACES: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"  "));

/// Gathers the words of a page from its Markdown events.
#[derive(Default)]
struct Words {
    out: String,
    /// Characters in `out`.
    chars: usize,
    /// Whether whitespace came since the last word, so the next word starts with a space.
    gap: bool,
}

impl Words {
    fn feed(&mut self, event: &Event) {
        if self.chars > WORDS_KEPT {
            return;
        }
        match event {
            Event::Text(t) | Event::Code(t) => self.text(t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) => self.gap = true,
            _ => {}
        }
    }

    /// The same words as `t.split_whitespace()`, joined by single spaces. Found a byte at a
    /// time where the text is ASCII (most of it), and copied a run of words at a time where
    /// they are already one space apart, which is several times faster than word by word.
    fn text(&mut self, t: &str) {
        let b = t.as_bytes();
        // Most text is printable ASCII words one space apart, perhaps with a space at either
        // end (beside inline markup): then it is its own single run, found with loops the
        // compiler turns into SIMD.
        let odd = b
            .iter()
            .fold(false, |odd, &c| odd | !(b' '..0x7f).contains(&c));
        let lead = b.first() == Some(&b' ');
        let trail = b.len() > 1 && b.last() == Some(&b' ');
        let inner = &b[usize::from(lead)..b.len() - usize::from(trail)];
        if !odd
            && inner.first().is_some_and(|&c| c != b' ')
            && inner.last().is_some_and(|&c| c != b' ')
            && TWO_SPACES.find(inner).is_none()
        {
            if (self.gap || lead) && !self.out.is_empty() {
                self.out.push(' ');
                self.chars += 1;
            }
            // All ASCII: a byte is a character.
            self.out
                .push_str(&t[usize::from(lead)..t.len() - usize::from(trail)]);
            self.chars += inner.len();
            self.gap = trail;
            return;
        }
        // Whether `t` has whitespace at `i`, and the length of the character there.
        let space_at = |i: usize| -> (bool, usize) {
            match b[i] {
                c if c.is_ascii() => (matches!(c, b' ' | b'\t'..=b'\r'), 1),
                _ => t[i..]
                    .chars()
                    .next()
                    .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
            }
        };
        let mut i = 0;
        while i < b.len() {
            let (space, len) = space_at(i);
            if space {
                self.gap = true;
                i += len;
                continue;
            }
            // A run of words, each one space from the next.
            let start = i;
            i += len;
            while i < b.len() {
                // Printable ASCII is never whitespace: the common case, without a call.
                if b[i] > b' ' && b[i] < 0x7f {
                    i += 1;
                    continue;
                }
                let (space, len) = space_at(i);
                if !space {
                    i += len;
                } else if b[i] == b' ' && i + 1 < b.len() && !space_at(i + 1).0 {
                    i += 1;
                } else {
                    break;
                }
            }
            if self.gap && !self.out.is_empty() {
                self.out.push(' ');
                self.chars += 1;
            }
            self.out.push_str(&t[start..i]);
            self.chars += t[start..i].chars().count();
            self.gap = false;
        }
    }
}

/// Raw HTML and links of a page's Markdown, gathered as its events go by, and what of them
/// could not be published safely (see [`sanitise`]).
#[derive(Default)]
struct RawHtml {
    /// Each piece of raw HTML (a whole HTML block, or one inline tag), with where each of its
    /// parts starts in the piece and in the Markdown.
    pieces: Vec<(String, Vec<(usize, usize)>)>,
    in_block: bool,
    /// (offset, address, scheme) of links and images whose scheme is not allowed.
    links: Vec<(usize, String, String)>,
}

impl RawHtml {
    /// Called for every event of every page, most of which are none of those it keeps: those
    /// are passed over here, inline, without a call.
    #[inline(always)]
    fn feed(&mut self, event: &Event, range: &Range<usize>) {
        if matches!(
            event,
            Event::Start(Tag::HtmlBlock | Tag::Link { .. } | Tag::Image { .. })
                | Event::End(TagEnd::HtmlBlock)
                | Event::Html(_)
                | Event::InlineHtml(_)
        ) {
            self.keep(event, range);
        }
    }

    fn keep(&mut self, event: &Event, range: &Range<usize>) {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                self.in_block = true;
                self.pieces.push(Default::default());
            }
            Event::End(TagEnd::HtmlBlock) => self.in_block = false,
            Event::Html(t) | Event::InlineHtml(t) => {
                if !(self.in_block && matches!(event, Event::Html(_))) || self.pieces.is_empty() {
                    self.pieces.push(Default::default());
                }
                if let Some((text, map)) = self.pieces.last_mut() {
                    map.push((text.len(), range.start));
                    text.push_str(t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                if let Some(s) = sanitise::unsafe_scheme(dest_url) {
                    self.links.push((range.start, dest_url.to_string(), s));
                }
            }
            _ => {}
        }
    }

    /// What could not be published: errors, or with `allowed` warnings that it is published.
    fn diagnostics(
        self,
        body: &str,
        file: &Path,
        first_line: usize,
        allowed: bool,
    ) -> Vec<Diagnostic> {
        let mut found: Vec<(usize, String, String)> = Vec::new();
        for (text, map) in &self.pieces {
            for f in sanitise::findings(text) {
                let (part, source) = map
                    .iter()
                    .rev()
                    .find(|(at, _)| *at <= f.offset)
                    .copied()
                    .unwrap_or((0, 0));
                found.push((source + f.offset - part, f.what, f.help.to_string()));
            }
        }
        for (offset, dest, scheme) in self.links {
            found.push((
                offset,
                format!("the link to `{dest}` (a `{scheme}:` address)"),
                sanitise::scheme_help(&scheme).to_string(),
            ));
        }
        found.sort_by_key(|(offset, _, _)| *offset);
        found
            .into_iter()
            .map(|(offset, what, help)| {
                let (line, col) = line_col(body, offset.min(body.len()));
                let at = (Some(line + first_line - 1), Some(col));
                if allowed {
                    Diagnostic::warning(
                        file,
                        format!("{what} is published as written, because site.yaml sets `markdown: allow_unsafe_html: true`"),
                    )
                    .at(at.0, at.1)
                    .help(format!("make sure it is safe; to publish the page without it: {help}"))
                } else {
                    Diagnostic::error(
                        file,
                        format!("{what} cannot be published: a page's HTML may not run scripts, load other sites or use `javascript:` and `data:` addresses"),
                    )
                    .at(at.0, at.1)
                    .help(help)
                }
            })
            .collect()
    }
}

/// Warnings for the raw HTML and links of a page that `markdown: allow_unsafe_html` lets
/// through, for `mps check` (without it, the build refuses them).
pub fn unsafe_html_warnings(body: &str, file: &Path, first_line: usize) -> Vec<Diagnostic> {
    let mut raw = RawHtml::default();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        raw.feed(&event, &range);
    }
    raw.diagnostics(body, file, first_line, true)
}

/// The Markdown extensions every page is read with (`mps check` reads pages the same way).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Why a chart could not be placed: (what is wrong, how to fix it).
pub type ChartProblem = (String, String);

/// Renders `body` (which starts on line `first_line` of `file`).
pub fn render(body: &str, file: &Path, first_line: usize, ctx: &LinkContext) -> Rendered {
    render_with_charts(body, file, first_line, ctx, &|id| {
        Err((
            format!("chart `{id}` cannot be placed here"),
            "place charts in pages under content/".to_string(),
        ))
    })
}

/// Like [`render`], and a paragraph that is only `{{ chart(id="...") }}` becomes the figure
/// `chart` returns for that id (or an error naming the line).
pub fn render_with_charts(
    body: &str,
    file: &Path,
    first_line: usize,
    ctx: &LinkContext,
    chart: &dyn Fn(&str) -> Result<String, ChartProblem>,
) -> Rendered {
    let mut out = Rendered::default();
    let mut placed = BTreeSet::new();
    let mut in_shortcode = false;
    let mut ids = BTreeSet::new();
    // About one event per 16 bytes of Markdown: grown once or not at all.
    let mut events: Vec<Event> = Vec::with_capacity(body.len() / 16);
    // A page's words are at most its text, and little more than `WORDS_KEPT`: one
    // allocation, not one per doubling.
    let mut words = Words {
        out: String::with_capacity(body.len().min(WORDS_KEPT * 2)),
        ..Words::default()
    };
    // While inside a heading, its events wait here until its text (and so its id) is known.
    let mut heading: Option<(pulldown_cmark::HeadingLevel, Option<CowStr>, Vec<Event>)> = None;
    // Headings get their ids once the page's footnotes are known, so that a heading never
    // takes a footnote's id: (place in `events`, explicit id).
    let mut heading_at: Vec<(usize, Option<String>)> = Vec::new();
    let mut footnotes: BTreeSet<String> = BTreeSet::new();
    let mut raw = RawHtml::default();
    // (address, offset) of each link and image, for the link checker.
    let mut link_offsets: Vec<(String, usize)> = Vec::new();

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if in_shortcode {
            in_shortcode = !matches!(event, Event::End(TagEnd::Paragraph));
            continue;
        }
        if let Event::Start(Tag::Paragraph) = event {
            let text = body[range.clone()].trim();
            if text.starts_with("{{") && text.ends_with("}}") {
                in_shortcode = true;
                let (line, col) = line_col(body, range.start);
                let at = |msg: String, help: &str| {
                    Diagnostic::error(file, msg)
                        .at(Some(line + first_line - 1), Some(col))
                        .help(help.to_string())
                };
                match chart_shortcode(text) {
                    None => out.problems.push(at(
                        format!("`{text}` is not a shortcode mps knows"),
                        "place a chart with {{ chart(id=\"spend-by-theme\") }} alone on its line, with a blank line before and after",
                    )),
                    Some(id) if !placed.insert(id.to_string()) => out.problems.push(at(
                        format!("chart `{id}` is placed twice on this page"),
                        "a chart may appear once per page; remove one of the two",
                    )),
                    Some(id) => match chart(id) {
                        Ok(html) => events.push(Event::Html(format!("{html}\n").into())),
                        Err((msg, help)) => out.problems.push(at(msg, &help)),
                    },
                }
                continue;
            }
        }
        words.feed(&event);
        raw.feed(&event, &range);
        if let Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) =
            &event
        {
            footnotes.insert(label.to_string());
        }
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = resolve(&dest_url, ctx).unwrap_or_else(|msg| {
                    out.problems.push(problem(
                        body,
                        range.start,
                        file,
                        first_line,
                        &dest_url,
                        &msg,
                    ));
                    dest_url.to_string()
                });
                link_offsets.push((dest.clone(), range.start));
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest.into(),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = resolve(&dest_url, ctx).unwrap_or_else(|msg| {
                    out.problems.push(problem(
                        body,
                        range.start,
                        file,
                        first_line,
                        &dest_url,
                        &msg,
                    ));
                    dest_url.to_string()
                });
                link_offsets.push((dest.clone(), range.start));
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest.into(),
                    title,
                    id,
                })
            }
            e => e,
        };
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level, id, Vec::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, given, inner)) = heading.take() {
                    let text = plain_text(&inner);
                    let n = level as u8;
                    heading_at.push((events.len(), given.map(|g| g.to_string())));
                    out.headings.push(Heading {
                        level: n,
                        id: String::new(),
                        text,
                    });
                    events.push(Event::Html(CowStr::Borrowed("")));
                    events.extend(inner);
                    events.push(Event::Html(CLOSE_HEADING[usize::from(n - 1)].into()));
                }
            }
            e => match heading.as_mut() {
                Some((_, _, inner)) => inner.push(e),
                None => events.push(e),
            },
        }
    }
    ids.extend(footnotes);
    for ((at, given), h) in heading_at.into_iter().zip(out.headings.iter_mut()) {
        let base = given.unwrap_or_else(|| urls::slugify(&h.text));
        h.id = unique(&mut ids, base);
        let n = usize::from(h.level);
        let mut open = String::with_capacity(h.id.len() + 12);
        open.push_str(OPEN_HEADING[n - 1]);
        html_escape_into(&mut open, &h.id);
        open.push_str("\">");
        events[at] = Event::Html(open.into());
    }
    // Links in the page's own HTML are published as written, and a broken one is the page's
    // to correct: reported at its line in the Markdown, as a Markdown link is.
    for (text, map) in &raw.pieces {
        for (offset, dest) in sanitise::links(text) {
            let (part, source) = map
                .iter()
                .rev()
                .find(|(at, _)| *at <= offset)
                .copied()
                .unwrap_or((0, 0));
            link_offsets.push((dest, source + offset - part));
        }
    }
    // `lines_of` counts lines in one pass, so wants the offsets in order.
    link_offsets.sort_by_key(|(_, offset)| *offset);
    if !ctx.allow_unsafe_html {
        out.problems
            .extend(raw.diagnostics(body, file, first_line, false));
    }
    out.links = lines_of(body, first_line, link_offsets);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    out.html = tables(html);
    out.words = words.out;
    out
}

/// Each `(text, offset)` with the line and column of its offset in `body` (which starts on line
/// `first_line`), counted in one pass: the offsets come in order.
fn lines_of(
    body: &str,
    first_line: usize,
    offsets: Vec<(String, usize)>,
) -> Vec<(String, usize, usize)> {
    let mut line = first_line;
    let mut line_start = 0;
    let mut counted = 0;
    offsets
        .into_iter()
        .map(|(text, offset)| {
            let offset = offset.min(body.len()).max(counted);
            // A page's whole text passes through here: count its newlines with memchr's
            // vectorised search rather than a byte at a time.
            let between = &body.as_bytes()[counted..offset];
            if let Some(last) = memchr::memrchr(b'\n', between) {
                line += memchr::memchr_iter(b'\n', between).count();
                line_start = counted + last + 1;
            }
            counted = offset;
            let col = body
                .get(line_start..offset)
                .map_or(1, |s| s.chars().count() + 1);
            (text, line, col)
        })
        .collect()
}

/// The id in `{{ chart(id="spend-by-theme") }}` (spaces optional, either kind of quote).
fn chart_shortcode(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let args = inner
        .strip_prefix("chart")?
        .trim_start()
        .strip_prefix('(')?;
    let args = args.strip_suffix(')')?.trim();
    let value = args
        .strip_prefix("id")?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let id = value.strip_prefix(quote)?.strip_suffix(quote)?;
    (!id.is_empty() && !id.contains(['"', '\'', ' '])).then_some(id)
}

/// Resolves a link destination. `.md` targets become page links; folder links get `index.html`
/// so that they work from disk. Web addresses are left alone.
fn resolve(dest: &str, ctx: &LinkContext) -> Result<String, String> {
    if dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with('/')
        || dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with("data:")
        // Any other address with a scheme leads off the site; one that could run a script is
        // reported by `RawHtml`, with the raw HTML.
        || sanitise::scheme(dest).is_some()
    {
        return Ok(dest.to_string());
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let with_fragment = |s: String| match fragment {
        Some(f) => format!("{s}#{f}"),
        None => s,
    };
    if path.ends_with(".md") {
        let target = urls::join(urls::parent(ctx.rel), path)
            .ok_or_else(|| format!("`{dest}` points above the content folder"))?;
        return match ctx.pages.get(target.as_str()) {
            Some(site_path) => Ok(with_fragment(urls::href(ctx.path, site_path))),
            None => match ctx
                .languages
                .and_then(|(l, me)| l.page_in(&target, me, ctx.path))
            {
                Some(href) => Ok(with_fragment(href)),
                None => Err(format!(
                    "`{dest}` links to content/{target}, which does not exist (or is a draft)"
                )),
            },
        };
    }
    if path.ends_with('/') {
        return Ok(with_fragment(format!("{path}index.html")));
    }
    // Relative links to files are written from the page's folder in the source, but the page
    // is output one folder deeper (`mps/` -> `mps/index.html`, `framework.md` -> `framework/`).
    let source_dir = urls::parent(ctx.rel);
    match urls::join(source_dir, path) {
        Some(target) => Ok(with_fragment(format!(
            "{}{target}",
            urls::root_prefix(ctx.path)
        ))),
        None => Err(format!("`{dest}` points above the content folder")),
    }
}

fn problem(
    body: &str,
    offset: usize,
    file: &Path,
    first_line: usize,
    dest: &str,
    msg: &str,
) -> Diagnostic {
    let (line, col) = line_col(body, offset);
    Diagnostic::error(file, format!("broken link: {msg}"))
        .at(Some(line + first_line - 1), Some(col))
        .help(format!(
            "link to another page by its file, relative to this one, such as `[plan](../plan/_index.md)`; check the spelling of `{dest}`"
        ))
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

fn unique(ids: &mut BTreeSet<String>, base: String) -> String {
    let mut id = None;
    let mut n = 1;
    while ids.contains(id.as_ref().unwrap_or(&base)) {
        id = Some(format!("{base}-{n}"));
        n += 1;
    }
    let id = id.unwrap_or(base);
    ids.insert(id.clone());
    id
}

/// How each level of heading opens (up to its id) and closes: the same for every page.
const OPEN_HEADING: [&str; 6] = [
    "<h1 id=\"",
    "<h2 id=\"",
    "<h3 id=\"",
    "<h4 id=\"",
    "<h5 id=\"",
    "<h6 id=\"",
];
const CLOSE_HEADING: [&str; 6] = [
    "</h1>\n", "</h2>\n", "</h3>\n", "</h4>\n", "</h5>\n", "</h6>\n",
];

/// Escapes text for HTML content and double-quoted attributes. Unlike Tera's default it leaves
/// `/` alone, so URLs in the output stay readable.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    html_escape_into(&mut out, s);
    out
}

/// [`html_escape`], onto the end of `out`.
fn html_escape_into(out: &mut String, s: &str) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, s);
}

/// Header cells get `scope="col"`; a paragraph `Table: ...` right before a table becomes its
/// caption, since Markdown has no syntax for captions. One pass over the page, which has been
/// written with the tables already: only `<th>`, `<th style=` and `<table>` change.
fn tables(html: String) -> String {
    if !html.contains("<table>") {
        return html;
    }
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    // `html[copied..]` is still to be copied; `out[segment..]` is what came after the last table.
    let mut copied = 0;
    let mut segment = 0;
    let mut at = 0;
    while let Some(lt) = b.get(at..).and_then(|rest| memchr::memchr(b'<', rest)) {
        at += lt;
        let tail = &b[at..];
        let (len, replacement) = if tail.starts_with(b"<th>") {
            (4, "<th scope=\"col\">")
        } else if tail.starts_with(b"<th style=") {
            (10, "<th scope=\"col\" style=")
        } else if tail.starts_with(b"<table>") {
            (7, "<table>")
        } else {
            at += 1;
            continue;
        };
        out.push_str(&html[copied..at]);
        if len == 7 {
            let before = &out[segment..];
            // The caption is the last paragraph, if it starts with `Table: ` (looking back
            // only as far as the last `<p>`, not through the whole page).
            let caption = before
                .trim_end()
                .strip_suffix("</p>")
                .and_then(|b| b.rfind("<p>").map(|p| (p, &b[p..])))
                .and_then(|(p, last)| last.strip_prefix("<p>Table: ").map(|t| (p, t.to_string())));
            match caption {
                Some((p, text)) => {
                    out.truncate(segment + p);
                    out.push_str("<table>\n<caption>");
                    out.push_str(&text);
                    out.push_str("</caption>");
                }
                None => out.push_str(replacement),
            }
            segment = out.len();
        } else {
            out.push_str(replacement);
        }
        at += len;
        copied = at;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_pages() -> HashMap<&'static str, &'static str> {
        [
            ("_index.md", ""),
            ("plan/_index.md", "plan/"),
            ("mps/_index.md", "mps/"),
            ("framework.md", "framework/"),
        ]
        .into_iter()
        .collect()
    }

    fn md(body: &str) -> Rendered {
        let pages = ctx_pages();
        let ctx = LinkContext {
            rel: "mps/_index.md",
            path: "mps/",
            pages: &pages,
            allow_unsafe_html: false,
            languages: None,
        };
        render(body, Path::new("content/mps/_index.md"), 5, &ctx)
    }

    #[test]
    fn source_links_become_page_links() {
        let r = md("See [the plan](../plan/_index.md#totals) and [framework](../framework.md).");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(
            r.html.contains("href=\"../plan/index.html#totals\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("href=\"../framework/index.html\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn missing_target_names_the_line() {
        let r = md("Intro\n\nSee [x](../nope.md).");
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].line, Some(7));
        assert!(r.problems[0].message.contains("content/nope.md"));
    }

    #[test]
    fn headings_get_unique_ids() {
        let r = md("## Our values\n\n## Our values\n\n### Custom {#mine}");
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["our-values", "our-values-1", "mine"]);
        assert!(
            r.html.contains("<h2 id=\"our-values\">Our values</h2>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn tables_get_scope_and_caption() {
        let r = md("Table: Spend by year\n\n| Year | £ |\n|---|--:|\n| 2019 | 5 |\n");
        assert!(
            r.html.contains("<caption>Spend by year</caption>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<th scope=\"col\">Year</th>"), "{}", r.html);
        assert!(
            r.html.contains("scope=\"col\" style=\"text-align: right\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn words_are_split_as_split_whitespace_splits_them() {
        let mut cases: Vec<String> = [
            "",
            " ",
            "a",
            " a",
            "a ",
            " a b  c ",
            "\u{a0}x\u{2003}y\u{3000}",
            "é à\tü\r\nß",
            "a\u{0b}b\u{0c}c",
            "—dash— “quoted”",
            "\u{85}next\u{2028}line",
            "one two three",
            "a b\u{a0}c d",
            "a \u{2003}b",
            "x\u{1}y \u{7f} z",
            " one two",
            "one two ",
            " one ",
        ]
        .map(String::from)
        .to_vec();
        // And random strings of the characters that matter.
        let alphabet = [
            'a', 'b', ' ', ' ', '\n', '\u{a0}', 'é', '\u{1}', '\u{7f}', '\u{2003}',
        ];
        let mut seed = 7u32;
        for _ in 0..300 {
            let mut t = String::new();
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            for _ in 0..((seed >> 16) % 9) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                t.push(alphabet[(seed >> 16) as usize % alphabet.len()]);
            }
            cases.push(t);
        }
        for (n, first) in cases.iter().enumerate() {
            for second in cases.iter().skip(n % 5).step_by(5) {
                let mut w = Words::default();
                w.text(first);
                w.text(second);
                let (first, second) = (first.as_str(), second.as_str());
                // What the split_whitespace version gave.
                let mut out = String::new();
                let mut gap = false;
                for t in [first, second] {
                    if t.starts_with(char::is_whitespace) {
                        gap = true;
                    }
                    let mut words = t.split_whitespace().peekable();
                    while let Some(word) = words.next() {
                        if gap && !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(word);
                        gap = words.peek().is_some();
                    }
                    if t.ends_with(char::is_whitespace) {
                        gap = true;
                    }
                }
                assert_eq!(
                    (w.out.as_str(), w.gap),
                    (out.as_str(), gap),
                    "{first:?} {second:?}"
                );
                assert_eq!(w.chars, w.out.chars().count(), "{first:?} {second:?}");
            }
        }
    }

    #[test]
    fn words_stop_a_paragraph_after_enough_are_kept() {
        let para: String = (0..40).map(|i| format!("wörd{i} ")).collect();
        let body: String = (0..100).map(|_| format!("{para}\n\n")).collect();
        let r = md(&body);
        let kept = r.words.chars().count();
        assert!(kept > WORDS_KEPT, "{kept}");
        assert!(kept < WORDS_KEPT + para.chars().count() + 1, "{kept}");
        assert!(r.words.starts_with("wörd0 wörd1 "));
        let short = md("Just a few words.");
        assert_eq!(short.words, "Just a few words.");
    }

    #[test]
    fn every_table_gets_its_own_caption_only() {
        let r = md("Table: One\n\n| a |\n|---|\n| 1 |\n\nText.\n\n| b |\n|:-:|\n| 2 |\n\n\
                    Table: Three\n\n| c |\n|---|\n| 3 |\n\n> Table: not a caption\n\n| d |\n|---|\n| 4 |\n");
        assert_eq!(r.html.matches("<caption>").count(), 2, "{}", r.html);
        assert!(
            r.html
                .contains("<table>\n<caption>One</caption><thead><tr><th scope=\"col\">a</th>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<p>Text.</p>\n<table><thead><tr><th scope=\"col\" style=\"text-align: center\">b</th>"), "{}", r.html);
        assert!(
            r.html.contains("<table>\n<caption>Three</caption>"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<p>Table: One"), "{}", r.html);
        assert!(r.html.contains("<p>Table: not a caption</p>"), "{}", r.html);
        assert_eq!(
            tables("<p>no tables <th></p>".into()),
            "<p>no tables <th></p>"
        );
        // A caption spelt with a character reference, and header cells in raw HTML.
        let r = md("&#84;able: Coded\n\n| a |\n|---|\n| 1 |\n");
        assert!(
            r.html.contains("<table>\n<caption>Coded</caption>"),
            "{}",
            r.html
        );
        let r = md("<table><tr><th>x</th></tr></table>\n\nText *with* `code`.\n");
        assert!(r.html.contains("<th scope=\"col\">x</th>"), "{}", r.html);
        // A raw table over several lines, after a caption; and a caption that goes on with
        // markup and a footnote, which keeps its number.
        let r = md("Table: Raw\n\n<table>\n<tr><th>x</th></tr>\n</table>\n");
        assert_eq!(
            r.html,
            "<table>\n<caption>Raw</caption>\n<tr><th scope=\"col\">x</th></tr>\n</table>\n"
        );
        let r = md("A[^a].\n\nTable: *Spend*[^b] by year\n\n| a |\n|---|\n| 1 |\n\n[^a]: One.\n[^b]: Two.\n");
        assert!(
            r.html.contains("<table>\n<caption><em>Spend</em><sup class=\"footnote-reference\"><a href=\"#b\">2</a></sup> by year</caption><thead>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn words_are_the_text_without_markup_or_shortcodes() {
        let pages = ctx_pages();
        let ctx = LinkContext {
            rel: "mps/_index.md",
            path: "mps/",
            pages: &pages,
            allow_unsafe_html: false,
            languages: None,
        };
        let body = "## A  heading {#given}\n\nSome *text*, `code` and **bold**word.\n\n{{ chart(id=\"a\") }}\n\n| a | b |\n|---|---|\n| c | d |\n\n> quoted\n> lines\n\n- one\n- two\n\n<div>raw</div>\n";
        let charts = |_: &str| Ok("<figure>drawn</figure>".to_string());
        let r = render_with_charts(body, Path::new("p.md"), 1, &ctx, &charts);
        assert_eq!(
            r.words,
            "A heading Some text, code and boldword. a b c d quoted lines one two"
        );
    }

    #[test]
    fn chart_shortcodes_become_figures() {
        let pages = ctx_pages();
        let ctx = LinkContext {
            rel: "mps/_index.md",
            path: "mps/",
            pages: &pages,
            allow_unsafe_html: false,
            languages: None,
        };
        let charts = |id: &str| match id {
            "a" => Ok("<figure>A</figure>".to_string()),
            _ => Err((
                format!("there is no chart `{id}`"),
                "use another id".to_string(),
            )),
        };
        let body = "Intro\n\n{{ chart(id=\"a\") }}\n\n```\n{{ chart(id=\"b\") }}\n```\n\n{{chart(id='b')}}\n\n{{ graph(x) }}\n";
        let r = render_with_charts(body, Path::new("p.md"), 5, &ctx, &charts);
        assert!(r.html.contains("<figure>A</figure>"), "{}", r.html);
        assert!(
            r.html.contains("<code>{{ chart(id=\"b\") }}"),
            "code is left alone: {}",
            r.html
        );
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert_eq!(r.problems[0].line, Some(13));
        assert!(r.problems[0].message.contains("no chart `b`"));
        assert_eq!(r.problems[1].line, Some(15));
        assert_eq!(chart_shortcode("{{ chart( id = \"x-1\" ) }}"), Some("x-1"));
        assert_eq!(chart_shortcode("{{ chart(id=x) }}"), None);
    }

    #[test]
    fn links_keep_their_source_lines_and_raw_html_its_own() {
        let r = md("Intro [a](../plan/_index.md)\n\n> quoted <b onclick=\"x\">b</b>\n>\n> <div>\n> <img src=\"javascript:y\" alt=\"\">\n> </div>\n\n- [é](https://x.org/) [b](#x)\n");
        assert_eq!(
            r.links,
            [
                ("../plan/index.html".to_string(), 5, 7),
                ("javascript:y".to_string(), 10, 8),
                ("https://x.org/".to_string(), 13, 3),
                ("#x".to_string(), 13, 23),
            ]
        );
        let at: Vec<_> = r.problems.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(
            at,
            [(Some(7), Some(13)), (Some(10), Some(8))],
            "{:?}",
            r.problems
        );
        assert!(r.problems[0].message.contains("`onclick`"));
        assert!(r.problems[1].message.contains("`javascript:`"));
    }

    #[test]
    fn allowed_unsafe_html_is_kept_without_errors() {
        let pages = ctx_pages();
        let ctx = LinkContext {
            rel: "mps/_index.md",
            path: "mps/",
            pages: &pages,
            allow_unsafe_html: true,
            languages: None,
        };
        let body = "<script>x()</script>\n\n[j](javascript:y())\n";
        let r = render(body, Path::new("p.md"), 1, &ctx);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(r.html.contains("<script>x()</script>"), "{}", r.html);
        assert!(r.html.contains("href=\"javascript:y()\""), "{}", r.html);
        let w = unsafe_html_warnings(body, Path::new("p.md"), 1);
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn headings_never_take_a_footnotes_id() {
        let r = md("## B\n\nText[^b].\n\n### Custom {#b}\n\n## C\n\n[^b]: Note.\n");
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["b-1", "b-2", "c"]);
        assert!(r.html.contains("<h2 id=\"b-1\">B</h2>"), "{}", r.html);
        assert!(r.html.contains("id=\"b\""), "{}", r.html);
    }

    #[test]
    fn smart_punctuation_and_footnotes() {
        let r = md("It's \"quoted\"[^1].\n\n[^1]: A note.");
        assert!(r.html.contains("It’s “quoted”"), "{}", r.html);
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
    }
}
