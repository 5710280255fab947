//! Raw HTML in Markdown, judged by an allow-list: what a sanitiser would remove before
//! publishing. The allow-list and the last word are `ammonia`'s (its parser is a browser's,
//! html5ever): mps refuses what ammonia would remove, rather than publishing a silently changed
//! page, so a site that passes publishes its HTML exactly as written.
//!
//! Each finding names the tag or attribute and where it starts in the HTML given, so that the
//! error can point at its line in the Markdown file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

/// One thing the sanitiser would remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte offset in the HTML it was found in.
    pub offset: usize,
    /// What would be removed, as the reader wrote it: "`<script>`", "the `onclick` attribute of
    /// `<img>`".
    pub what: String,
    /// How to do the same thing safely.
    pub help: &'static str,
}

/// The allow-list: ammonia's defaults, and the few attributes a page's own HTML needs to fit
/// the site (ids for links to a part of the page, classes and ARIA for the theme's styles and
/// screen readers, `open` for `<details>`). None of these can run anything.
fn builder() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["tfoot"])
        .add_generic_attributes(["id", "class", "role", "dir"])
        .add_generic_attribute_prefixes(["aria-"])
        .add_tag_attributes("details", ["open"])
        .link_rel(None);
    b
}

struct Rules {
    tags: HashSet<&'static str>,
    generic: HashSet<&'static str>,
    per_tag: HashMap<&'static str, HashSet<&'static str>>,
    schemes: HashSet<&'static str>,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let b = builder();
    Rules {
        tags: b.clone_tags(),
        generic: b.clone_generic_attributes(),
        per_tag: b.clone_tag_attributes(),
        schemes: b.clone_url_schemes(),
    }
});

/// Attributes whose value is a web address.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "xlink:href",
    "action",
    "formaction",
    "data",
    "poster",
    "ping",
    "srcset",
];

/// The scheme of a web address (`javascript` in `JavaScript:alert(1)`), read as a browser
/// reads it: tabs and newlines inside are ignored, spaces and control characters around it
/// trimmed. `None` for a relative address.
pub fn scheme(url: &str) -> Option<String> {
    // Asked of every link on every page: most are relative, and have no colon at all.
    if !url.contains(':') {
        return None;
    }
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c <= ' ');
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

/// Why a link to `url` may not be published, if it may not: its scheme is not on the list.
pub fn unsafe_scheme(url: &str) -> Option<String> {
    scheme(url).filter(|s| !RULES.schemes.contains(s.as_str()))
}

/// How to do safely what a removed element was for.
fn element_help(name: &str) -> &'static str {
    match name {
        "script" | "noscript" => "pages cannot run scripts; an interactive feature belongs in the theme (a template in the site's templates/ folder)",
        "iframe" | "object" | "embed" | "applet" | "frame" | "frameset" | "video" | "audio" | "source" | "track" | "portal" => {
            "embed a video, map or document by linking to it instead, such as `[Watch the video (YouTube)](https://www.youtube.com/watch?v=...)`"
        }
        "style" | "link" => "style pages in the theme's CSS (a theme in themes/), not in the page",
        "meta" | "base" | "head" | "html" | "body" | "title" => "remove it: the theme writes the page's head and body",
        "form" | "input" | "button" | "select" | "textarea" | "option" | "label" | "fieldset" => {
            "link to the form on the site that handles it, such as `[Give your views](https://...)`"
        }
        "svg" | "math" | "canvas" => "save the picture as an image file and show it with `![what it shows](picture.svg)`",
        _ => "write it in Markdown, or use one of the HTML elements the README lists as allowed",
    }
}

/// One start tag found in raw HTML.
struct StartTag<'a> {
    at: usize,
    name: String,
    /// (offset, lower-case name, raw value).
    attrs: Vec<(usize, String, Option<&'a str>)>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The start tags of `html`, skipping comments, doctypes and end tags as a browser does. The
/// text of `<script>` and other raw-text elements is read as markup: anything there is found
/// as well, which can only refuse more, never less.
fn start_tags(html: &str) -> Vec<StartTag<'_>> {
    let b = html.as_bytes();
    let n = b.len();
    let find = |from: usize, pat: &str| {
        html.get(from..)
            .and_then(|rest| rest.find(pat))
            .map_or(n, |i| from + i)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html.get(i..).and_then(|rest| rest.find('<')) {
        let at = i + lt;
        i = at + 1;
        let Some(&c) = b.get(i) else { break };
        if html[i..].starts_with("!--") {
            let body = i + 3;
            i = if html[body..].starts_with('>') {
                body + 1
            } else if html[body..].starts_with("->") {
                body + 2
            } else {
                let end = find(body, "-->").min(find(body, "--!>"));
                if end == n {
                    n
                } else if html[end..].starts_with("-->") {
                    end + 3
                } else {
                    end + 4
                }
            };
            continue;
        }
        if c == b'!' || c == b'?' || c == b'/' {
            i = (find(i, ">") + 1).min(n);
            continue;
        }
        if !c.is_ascii_alphabetic() {
            continue;
        }
        let name_start = i;
        while i < n && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        let mut tag = StartTag {
            at,
            name: html[name_start..i].to_ascii_lowercase(),
            attrs: Vec::new(),
        };
        loop {
            while i < n && (is_space(b[i]) || b[i] == b'/') {
                i += 1;
            }
            if i >= n {
                break;
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            i += 1;
            while i < n && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let name = html[attr_start..i].to_ascii_lowercase();
            while i < n && is_space(b[i]) {
                i += 1;
            }
            let mut value = None;
            if i < n && b[i] == b'=' {
                i += 1;
                while i < n && is_space(b[i]) {
                    i += 1;
                }
                if i < n && (b[i] == b'"' || b[i] == b'\'') {
                    let q = if b[i] == b'"' { "\"" } else { "'" };
                    let end = find(i + 1, q);
                    value = Some(&html[i + 1..end]);
                    i = (end + 1).min(n);
                } else {
                    let start = i;
                    while i < n && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    value = Some(&html[start..i]);
                }
            }
            tag.attrs.push((attr_start, name, value));
        }
        out.push(tag);
    }
    out
}

/// The `href` and `src` values of `html`'s start tags (character references decoded, as the
/// link checker reads them in the finished page), each with the offset of its attribute, so
/// that a broken link in a page's own HTML is reported at its place in the Markdown.
pub fn links(html: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for tag in start_tags(html) {
        // As in a browser, the first of two attributes of the same name is the one used.
        let mut seen = [false; 2];
        for (at, name, value) in &tag.attrs {
            let which = match name.as_str() {
                "href" => 0,
                "src" => 1,
                _ => continue,
            };
            if !std::mem::replace(&mut seen[which], true) {
                let value = html_escape::decode_html_entities(value.unwrap_or(""));
                out.push((*at, value.into_owned()));
            }
        }
    }
    out
}

/// What the allow-list would remove from `html`, one finding per element or attribute.
pub fn findings(html: &str) -> Vec<Finding> {
    let rules = &*RULES;
    let mut out = Vec::new();
    for tag in start_tags(html) {
        if !rules.tags.contains(tag.name.as_str()) {
            out.push(Finding {
                offset: tag.at,
                what: format!("`<{}>`", tag.name),
                help: element_help(&tag.name),
            });
            continue;
        }
        for (at, name, value) in &tag.attrs {
            let allowed = rules.generic.contains(name.as_str())
                || name.starts_with("aria-")
                || rules
                    .per_tag
                    .get(tag.name.as_str())
                    .is_some_and(|a| a.contains(name.as_str()));
            if !allowed {
                let help = if name.starts_with("on") {
                    "remove it: pages cannot run scripts, and event handlers are scripts"
                } else if name == "style" {
                    "remove it: styles belong in the theme's CSS (a theme in themes/)"
                } else {
                    "remove it, or write the element in Markdown; the README lists the attributes kept"
                };
                out.push(Finding {
                    offset: *at,
                    what: format!("the `{name}` attribute of `<{}>`", tag.name),
                    help,
                });
                continue;
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let decoded = html_escape::decode_html_entities(value.unwrap_or(""));
                if let Some(s) = unsafe_scheme(&decoded) {
                    out.push(Finding {
                        offset: *at,
                        what: format!("the `{s}:` address in the `{name}` of `<{}>`", tag.name),
                        help: scheme_help(&s),
                    });
                }
            }
        }
    }
    if out.is_empty() && !html.is_empty() && removes_more(html) {
        // The tags as the scanner above reads them are all allowed, yet a browser's parser
        // reads something else there: refuse it rather than guess.
        out.push(Finding {
            offset: 0,
            what: "markup that a browser reads differently from how it looks".into(),
            help: "write it in Markdown, or make each HTML tag complete on its own (quotes closed, `>` at the end)",
        });
    }
    out
}

/// How to link safely instead of with a `scheme:` address.
pub fn scheme_help(scheme: &str) -> &'static str {
    match scheme {
        "data" => "save the file beside the page and link to it, such as `![what it shows](chart.png)`",
        _ => "link to a web page with a `https:` address, or to another page by its file, such as `[plan](../plan/_index.md)`",
    }
}

/// Each element and attribute of `html` by name, counted.
fn counts(html: &str) -> BTreeMap<(String, String), usize> {
    let mut c = BTreeMap::new();
    for tag in start_tags(html) {
        *c.entry((tag.name.clone(), String::new())).or_insert(0) += 1;
        for (_, name, _) in tag.attrs {
            *c.entry((tag.name.clone(), name)).or_insert(0) += 1;
        }
    }
    c
}

/// Whether ammonia, reading `html` as a browser would, removes an element or attribute.
fn removes_more(html: &str) -> bool {
    let cleaned = builder().clean(html).to_string();
    let after = counts(&cleaned);
    counts(html)
        .into_iter()
        .any(|(key, n)| after.get(&key).copied().unwrap_or(0) < n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(html: &str) -> Vec<String> {
        findings(html).into_iter().map(|f| f.what).collect()
    }

    #[test]
    fn structure_tables_details_images_and_links_are_kept() {
        let html = "<details open><summary>More</summary><p id=\"x\" class=\"note\">Text</p></details>\
            <table><caption>C</caption><thead><tr><th scope=\"col\" colspan=\"2\">H</th></tr></thead>\
            <tbody><tr><td>1</td></tr></tbody><tfoot><tr><td>2</td></tr></tfoot></table>\
            <img src=\"a.png\" alt=\"A\" width=\"10\"><a href=\"https://x.org/\" title=\"t\">x</a>\
            <a href=\"../plan/\">p</a><a href=\"mailto:a@b.c\">m</a><!-- <script> in a comment -->\
            <figure><figcaption aria-label=\"f\">F</figcaption></figure>";
        assert_eq!(whats(html), Vec::<String>::new());
    }

    #[test]
    fn scripts_handlers_frames_styles_and_bad_schemes_are_found() {
        let html = "<script>alert(1)</script><img src=x onerror=\"alert(1)\"><iframe src=\"https://x\"></iframe>\
            <object></object><embed><style>p{}</style><a href=\"javascript:alert(1)\">j</a>\
            <a href=\" JaVa&#x09;Script:alert(1)\">k</a><a href=\"vbscript:x\">v</a>\
            <img src=\"data:image/png;base64,AA\" alt=\"d\"><p style=\"color:red\">s</p>";
        assert_eq!(
            whats(html),
            [
                "`<script>`",
                "the `onerror` attribute of `<img>`",
                "`<iframe>`",
                "`<object>`",
                "`<embed>`",
                "`<style>`",
                "the `javascript:` address in the `href` of `<a>`",
                "the `javascript:` address in the `href` of `<a>`",
                "the `vbscript:` address in the `href` of `<a>`",
                "the `data:` address in the `src` of `<img>`",
                "the `style` attribute of `<p>`",
            ]
        );
        let f = findings("text <b>x</b> <img src=x onerror=y>");
        assert_eq!(f[0].offset, "text <b>x</b> <img src=x ".len());
    }

    #[test]
    fn what_a_browser_reads_differently_is_refused_too() {
        // A character reference without its `;`, which browsers decode in attributes.
        for html in [
            "<a href=\"&#106avascript:alert(1)\">x</a>",
            "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
            "<a href=\"jav&Tab;ascript:alert(1)\">x</a>",
            "<?php x ?><svg><script>alert(1)</script></svg>",
            "<img src=x onerror=alert(1)//",
        ] {
            assert!(!findings(html).is_empty(), "{html}");
        }
        // Comments, processing instructions and CDATA (a comment up to its first `>` in HTML)
        // are not markup, to a browser either.
        assert_eq!(
            whats("<!-- <script> --><?php x ?><![CDATA[<img src=x onerror=y>]]><p>ok</p>"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn links_are_read_with_their_offsets() {
        let html = "<p><a class=x href=\"a/&amp;b\" href=\"no\">x</a> <img src='p.png'></p>";
        assert_eq!(
            links(html),
            [
                (html.find("href").unwrap_or(0), "a/&b".to_string()),
                (html.find("src").unwrap_or(0), "p.png".to_string()),
            ]
        );
    }

    #[test]
    fn schemes_are_read_as_a_browser_reads_them() {
        assert_eq!(scheme("https://x").as_deref(), Some("https"));
        assert_eq!(
            scheme("\u{1} java\nscript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme("../a:b"), None);
        assert_eq!(scheme("#x:y"), None);
        assert_eq!(unsafe_scheme("mailto:a@b.c"), None);
        assert_eq!(unsafe_scheme("DATA:text/html,x").as_deref(), Some("data"));
    }
}
