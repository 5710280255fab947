//! Link checking of the rendered output: every internal `href` and `src` must reach a file the
//! build writes, and every `#fragment` an `id` in the target page. Templates are checked too,
//! since this runs on the finished HTML. Linear in the number of links.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::urls;

/// What one output page links to and which fragments it offers.
#[derive(Debug, Clone, Default)]
pub struct PageLinks {
    pub output: String,
    pub source: PathBuf,
    pub template: String,
    /// The page's links, one after another: a build keeps every page's links until all pages
    /// are rendered, and one string per page rather than one per link (there are dozens) is
    /// less to allocate, keep and free.
    links: String,
    /// Where each link ends in `links`.
    ends: Vec<usize>,
    pub ids: BTreeSet<String>,
    /// The links written in the page's Markdown, as they are in the HTML, each with its line
    /// and column in the source: a broken one is reported there, anything else comes from the
    /// template.
    pub markdown: Vec<(String, usize, usize)>,
    /// The file of the page's template, when known.
    pub template_file: Option<PathBuf>,
}

impl PageLinks {
    /// The page's links (decoded `href` and `src` values), in document order, `href`s before
    /// `src`s.
    pub fn links(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let link = &self.links[start..end];
            start = end;
            link
        })
    }
}

/// Links gathered one after another into one string.
#[derive(Default)]
struct LinkList {
    text: String,
    ends: Vec<usize>,
}

impl LinkList {
    fn push(&mut self, value: &str) {
        html_escape::decode_html_entities_to_string(value, &mut self.text);
        self.ends.push(self.text.len());
    }
}

/// Reads the links and ids of one page.
///
/// A small scanner over the tags of the finished HTML rather than a full HTML parser: it reads
/// the `href`, `src` and `id` attributes of every start tag (values quoted with `"` or `'`, or
/// unquoted; character references decoded), and skips comments, CDATA sections, doctypes, end
/// tags and the contents of `script`, `style` and the other raw-text elements. The first of two
/// attributes of the same name wins, as in a browser. Links come in document order, `href`s
/// before `src`s.
pub fn scan(output: &str, html: &str, source: PathBuf, template: &str) -> PageLinks {
    let mut links = LinkList::default();
    let mut srcs = LinkList::default();
    let mut ids = BTreeSet::new();
    scan_tags(html, |name, value| match name {
        Attr::Href => links.push(value),
        Attr::Src => srcs.push(value),
        Attr::Id => {
            ids.insert(decode(value));
        }
    });
    let LinkList { mut text, mut ends } = links;
    let offset = text.len();
    text.push_str(&srcs.text);
    ends.extend(srcs.ends.iter().map(|&e| offset + e));
    text.shrink_to_fit();
    ends.shrink_to_fit();
    PageLinks {
        output: output.to_string(),
        source,
        template: template.to_string(),
        links: text,
        ends,
        ids,
        markdown: Vec::new(),
        template_file: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attr {
    Href,
    Src,
    Id,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The position of byte `needle` in `hay` at or after `from`, or the end of `hay`.
fn find_byte(hay: &[u8], from: usize, needle: u8) -> usize {
    hay.get(from..)
        .and_then(|rest| memchr::memchr(needle, rest))
        .map_or(hay.len(), |i| from + i)
}

/// The position of `needle` in `hay` at or after `from`, or the end of `hay`.
fn find_from(hay: &str, from: usize, needle: &str) -> usize {
    hay.as_bytes()
        .get(from..)
        .and_then(|rest| memchr::memmem::find(rest, needle.as_bytes()))
        .map_or(hay.len(), |i| from + i)
}

/// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Calls `found` with each `href`, `src` and `id` attribute value (raw, undecoded) of every start
/// tag in `html`.
fn scan_tags(html: &str, mut found: impl FnMut(Attr, &str)) {
    let b = html.as_bytes();
    let n = b.len();
    let mut i = 0;
    // Depth of `<svg>` and `<math>` elements, inside which `<title>`, `<style>` and `<script>`
    // hold markup rather than text.
    let mut foreign = 0usize;
    while let Some(lt) = b.get(i..).and_then(|rest| memchr::memchr(b'<', rest)) {
        i += lt + 1;
        let Some(&c) = b.get(i) else { break };
        if c == b'!' {
            if b[i..].starts_with(b"!--") {
                // A comment; `<!-->` and `<!--->` are empty comments.
                let body = i + 3;
                if b[body..].starts_with(b">") {
                    i = body + 1;
                } else if b[body..].starts_with(b"->") {
                    i = body + 2;
                } else {
                    let end = find_from(html, body, "--");
                    let mut j = end;
                    // Ends at `-->` or `--!>`; a lone `--` inside does not end it.
                    loop {
                        if j >= n {
                            i = n;
                            break;
                        }
                        let rest = &b[j..];
                        if rest.starts_with(b"-->") {
                            i = j + 3;
                            break;
                        }
                        if rest.starts_with(b"--!>") {
                            i = j + 4;
                            break;
                        }
                        j = find_from(html, j + 1, "--");
                    }
                }
            } else if b[i..].starts_with(b"![CDATA[") {
                i = (find_from(html, i, "]]>") + 3).min(n);
            } else {
                i = (find_byte(b, i, b'>') + 1).min(n);
            }
            continue;
        }
        if c == b'?' || c == b'/' {
            // A processing instruction (a bogus comment in HTML) or an end tag: no attributes
            // to read.
            let end = find_byte(b, i, b'>');
            if c == b'/' && foreign > 0 {
                let name = html[i + 1..end].trim_end();
                if name.eq_ignore_ascii_case("svg") || name.eq_ignore_ascii_case("math") {
                    foreign -= 1;
                }
            }
            i = (end + 1).min(n);
            continue;
        }
        if !c.is_ascii_alphabetic() {
            continue; // `<` as text
        }
        let name_start = i;
        while i < n && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        let name = &html[name_start..i];
        let mut seen = [false; 3];
        // Attributes, up to the `>` that ends the tag.
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
            // A name may start with `=`; after that, `=` ends it.
            i += 1;
            while i < n && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let attr = &html[attr_start..i];
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
                    let end = find_byte(b, i + 1, b[i]);
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
            let kind = if attr.eq_ignore_ascii_case("href") {
                Attr::Href
            } else if attr.eq_ignore_ascii_case("src") {
                Attr::Src
            } else if attr.eq_ignore_ascii_case("id") {
                Attr::Id
            } else {
                continue;
            };
            let k = kind as usize;
            if !seen[k] {
                seen[k] = true;
                found(kind, value.unwrap_or(""));
            }
        }
        if name.eq_ignore_ascii_case("svg") || name.eq_ignore_ascii_case("math") {
            if !html[..i].ends_with("/>") {
                foreign += 1;
            }
            continue;
        }
        if foreign > 0 {
            continue;
        }
        if let Some(raw) = RAW_TEXT.iter().find(|r| name.eq_ignore_ascii_case(r)) {
            // Skip to the matching end tag, in any letter case.
            let mut j = i;
            loop {
                j = find_from(html, j, "</");
                if j >= n {
                    i = n;
                    break;
                }
                let after = j + 2;
                let close = after + raw.len();
                if close <= n
                    && b[after..close].eq_ignore_ascii_case(raw.as_bytes())
                    && (close == n || is_space(b[close]) || b[close] == b'>' || b[close] == b'/')
                {
                    i = j;
                    break;
                }
                j = after;
            }
        }
    }
}

/// Decodes the character references in an attribute value (`&amp;`, `&#39;`, `&#x27;`...).
fn decode(value: &str) -> String {
    html_escape::decode_html_entities(value).into_owned()
}

fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    match href.find(':') {
        Some(i) => !href[..i].contains('/') && !href[..i].contains('#') && !href[..i].contains('?'),
        None => false,
    }
}

/// Checks all links. `files` holds every file the build writes (pages and assets); `base_path`
/// is the path part of the base URL, which root-relative links (in the 404 page) start with.
/// Pages may be given owned or shared (`Arc`, as the preview keeps them).
pub fn check<P: std::borrow::Borrow<PageLinks> + Sync>(
    pages: &[P],
    files: &BTreeSet<String>,
    base_path: &str,
) -> Vec<Diagnostic> {
    check_some(pages, files, base_path, |_| true)
}

/// Like [`check`], but checks only the links of the pages `which` picks (by index); the others
/// still count as link targets. The preview uses it to skip pages whose links and targets are
/// known to be unchanged since a build that passed. Pages are checked in parallel; problems come
/// back in page order.
pub fn check_some<P: std::borrow::Borrow<PageLinks> + Sync>(
    pages: &[P],
    files: &BTreeSet<String>,
    base_path: &str,
    which: impl Fn(usize) -> bool + Sync,
) -> Vec<Diagnostic> {
    // Looked up once for every link: a hash beats a dozen string comparisons in a tree (and
    // xxh3 beats the standard SipHash at short strings; nothing here needs its resistance to
    // chosen keys).
    let files: FastSet<&str> = files.iter().map(String::as_str).collect();
    let outputs: FastMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.borrow().output.as_str(), i))
        .collect();
    check_in(pages, &files, &outputs, base_path, which)
}

/// What links may point to, made once and used by many checks of pages of one site whose files
/// stay the same (the preview's quick rebuilds): making these tables is most of the work of
/// checking a few pages of a large site.
#[derive(Debug)]
pub struct Targets {
    files: FastSet<String>,
    /// Each page's index by its output file, which stays the same while `files` does.
    outputs: FastMap<String, usize>,
}

impl Targets {
    pub fn new<P: std::borrow::Borrow<PageLinks>>(files: &BTreeSet<String>, pages: &[P]) -> Self {
        Targets {
            files: files.iter().cloned().collect(),
            outputs: pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.borrow().output.clone(), i))
                .collect(),
        }
    }
}

/// Like [`check_some`], with the targets made before: `pages` must be the pages `targets` was
/// made from, in the same order (their links and ids may have changed since).
pub fn check_with<P: std::borrow::Borrow<PageLinks> + Sync>(
    pages: &[P],
    targets: &Targets,
    base_path: &str,
    which: impl Fn(usize) -> bool + Sync,
) -> Vec<Diagnostic> {
    check_in(pages, &targets.files, &targets.outputs, base_path, which)
}

fn check_in<P, S, K>(
    pages: &[P],
    files: &FastSet<S>,
    outputs: &FastMap<K, usize>,
    base_path: &str,
    which: impl Fn(usize) -> bool + Sync,
) -> Vec<Diagnostic>
where
    P: std::borrow::Borrow<PageLinks> + Sync,
    S: std::borrow::Borrow<str> + std::hash::Hash + Eq + Sync,
    K: std::borrow::Borrow<str> + std::hash::Hash + Eq + Sync,
{
    let ids = |target: &str| {
        outputs
            .get(target)
            .and_then(|&i| pages.get(i))
            .map(|p| &p.borrow().ids)
    };
    let per_page: Vec<Vec<Diagnostic>> = pages
        .par_iter()
        .enumerate()
        .filter(|(i, _)| which(*i))
        .map(|(_, p)| {
            let page = p.borrow();
            let mut problems = Vec::new();
            let mut buf = String::new();
            // How many broken links of each address were reported, so that the second
            // `[x](a.md)` that is broken points at the second one in the Markdown.
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for link in page.links() {
                if link.is_empty() || is_external(link) {
                    continue;
                }
                if let Some(reason) = broken(link, page, files, &ids, base_path, &mut buf) {
                    let nth = seen.entry(link).or_insert(0);
                    problems.push(describe(page, link, &reason, *nth));
                    *nth += 1;
                }
            }
            problems
        })
        .collect();
    per_page.into_iter().flatten().collect()
}

/// `s` with its percent-escapes decoded. Most links have none: they are returned as they are,
/// without the decoder's second pass over them to check they are UTF-8.
fn unescape(s: &str) -> Cow<'_, str> {
    if s.contains('%') {
        percent_decode_str(s).decode_utf8_lossy()
    } else {
        Cow::Borrowed(s)
    }
}

type FastSet<K> = HashSet<K, xxhash_rust::xxh3::Xxh3DefaultBuilder>;
type FastMap<K, V> = HashMap<K, V, xxhash_rust::xxh3::Xxh3DefaultBuilder>;

fn broken<'p, S: std::borrow::Borrow<str> + std::hash::Hash + Eq>(
    link: &str,
    page: &PageLinks,
    files: &FastSet<S>,
    ids: &impl Fn(&str) -> Option<&'p BTreeSet<String>>,
    base_path: &str,
    buf: &mut String,
) -> Option<String> {
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let target: &str = if path.is_empty() {
        &page.output
    } else {
        let decoded = unescape(path);
        buf.clear();
        if let Some(abs) = decoded.strip_prefix('/') {
            buf.push('/');
            buf.push_str(abs);
            if !buf.starts_with(base_path) {
                return Some(format!(
                    "it starts with `/` but the site lives at `{base_path}`"
                ));
            }
            buf.drain(..base_path.len());
        } else if !join_into(buf, urls::parent(&page.output), &decoded) {
            return Some("it points above the top of the site".into());
        }
        if buf.is_empty() || decoded.ends_with('/') {
            if !buf.is_empty() {
                buf.push('/');
            }
            buf.push_str("index.html");
        }
        buf
    };
    if !files.contains(target) {
        return Some(format!("nothing is published at `{target}`"));
    }
    match fragment {
        Some(f) if !f.is_empty() && target.ends_with(".html") => {
            let f = unescape(f);
            match ids(target) {
                Some(set) if set.contains(f.as_ref()) => None,
                Some(_) => Some(format!(
                    "`{target}` has no heading or element with id `{f}`"
                )),
                None => None,
            }
        }
        _ => None,
    }
}

/// Resolves `target` (`/`-separated, may hold `.` and `..`) against the folder `base` into
/// `buf`, as [`urls::join`] does but without allocating. False when it climbs above the top.
fn join_into(buf: &mut String, base: &str, target: &str) -> bool {
    let push = |buf: &mut String, seg: &str| {
        if !buf.is_empty() {
            buf.push('/');
        }
        buf.push_str(seg);
    };
    for seg in segments(base).filter(|s| !s.is_empty()) {
        push(buf, seg);
    }
    for seg in segments(target) {
        match seg {
            "" | "." => {}
            ".." => {
                if buf.is_empty() {
                    return false;
                }
                let cut = memchr::memrchr(b'/', buf.as_bytes()).unwrap_or(0);
                buf.truncate(cut);
            }
            s => push(buf, s),
        }
    }
    true
}

/// `path.split('/')`, found by bytes: `str::split` sets up a searcher for each path, and its
/// matching costs more than a link's few short segments (a 1,000-page build resolves 64,000
/// links, and this was 3.5% of its instructions).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'/', path.as_bytes())
        .chain(std::iter::once(path.len()))
        .map(move |end| {
            // `/` is one byte in UTF-8, so `start` and `end` are character boundaries.
            let seg = &path[start..end];
            start = end + 1;
            seg
        })
}

/// The problem with `link`, the `nth` broken one of that address on `page`: at its line in the
/// Markdown when it was written there, else in the page's template.
fn describe(page: &PageLinks, link: &str, reason: &str, nth: usize) -> Diagnostic {
    let decoded = unescape(link);
    let mut written = page
        .markdown
        .iter()
        .filter(|(href, _, _)| href == link || unescape(href) == decoded);
    let count = written.clone().count();
    let message = format!("broken link `{link}` on page {}: {reason}", page.output);
    match written.nth(nth.min(count.saturating_sub(1))) {
        Some((_, line, col)) => Diagnostic::error(&page.source, message)
            .at(Some(*line), Some(*col))
            .help("correct the address; to link another page, write a Markdown link to its file, such as `[plan](../plan/_index.md)`"),
        None => {
            let file = page
                .template_file
                .clone()
                .unwrap_or_else(|| PathBuf::from("templates").join(&page.template));
            Diagnostic::error(file, message).help(format!(
                "the link comes from template `{}` (page {}); correct it there or add the page it points to",
                page.template,
                page.source.display()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_broken_pages_and_fragments() {
        let a = scan(
            "plan/index.html",
            r##"<a href="../index.html#top">x</a><a href="../nope/index.html">y</a><a href="#here">z</a><a href="https://x.org/">w</a><a href="mailto:a@b.c">m</a><img src="../style.css"><h2 id="here">H</h2>"##,
            PathBuf::from("content/plan/_index.md"),
            "plan.html",
        );
        let home = scan(
            "index.html",
            r#"<p id="top"></p><a href="plan/#gone">p</a>"#,
            PathBuf::from("content/_index.md"),
            "index.html",
        );
        let all = files(&["index.html", "plan/index.html", "style.css"]);
        let pages = [a, home];
        let problems = check(&pages, &all, "/");
        let msgs: Vec<_> = problems.iter().map(|d| d.message.clone()).collect();
        assert_eq!(problems.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("nope/index.html"));
        assert!(msgs[1].contains("no heading or element with id `gone`"));
        // Targets made once give the same answers, and see ids that changed since.
        let targets = Targets::new(&all, &pages);
        let again = check_with(&pages, &targets, "/", |_| true);
        assert_eq!(problems, again);
        let fixed = scan(
            "plan/index.html",
            r#"<h2 id="gone">G</h2><a href="../index.html#top">x</a>"#,
            PathBuf::from("content/plan/_index.md"),
            "plan.html",
        );
        let [_, home] = pages;
        let pages = [fixed, home];
        assert_eq!(check_with(&pages, &targets, "/", |_| true), vec![]);
        assert_eq!(check_with(&pages, &targets, "/", |i| i == 0), vec![]);
    }

    fn scanned(html: &str) -> (Vec<String>, Vec<String>) {
        let p = scan("a/index.html", html, PathBuf::from("a.md"), "page.html");
        (
            p.links().map(str::to_string).collect(),
            p.ids.into_iter().collect(),
        )
    }

    #[test]
    fn scan_reads_every_kind_of_attribute_value() {
        let (links, ids) = scanned(
            "<A HREF=\"one\">x</A><a href='two' id=i2><a href=three>t</a><img src=four/>\
             <a\nclass=\"c\"\thref = \"five\" >f</a><p id = 'six'></p><a href=\"\">e</a><a href>n</a>",
        );
        assert_eq!(links, ["one", "two", "three", "five", "", "", "four/"]);
        assert_eq!(ids, ["i2", "six"]);
    }

    #[test]
    fn scan_decodes_character_references() {
        let (links, ids) = scanned(
            "<a href=\"?a=1&amp;b=2\"></a><a href=\"x&#39;y&#x27;z&quot;\"></a><a href=\"&amp\"></a><a href=\"&unknown;&#0;\"></a><h2 id=\"q&amp;a\"></h2>",
        );
        assert_eq!(links, ["?a=1&b=2", "x'y'z\"", "&amp", "&unknown;&#0;"]);
        assert_eq!(ids, ["q&a"]);
    }

    #[test]
    fn scan_skips_comments_scripts_and_other_text() {
        let (links, ids) = scanned(
            "<!-- <a href=\"c1\"> -- still a comment --><!--><a href=\"ok1\"><!---><a href=\"ok2\">\
             <!-- x --!><a href=\"ok3\"><!DOCTYPE html><?xml href=\"pi\"?><![CDATA[<a href=\"cd\">]]>\
             <script src=\"s.js\">if (a <b) { x = '<a href=\"js\">'; } // </scripty> </p></script>\
             <STYLE>a[href=\"css\"] {}</Style ><title><a href=\"t\"></title>\
             </a href=\"end\"><p>1 < 2 and <3 a<b></p><a title=\"<a href='attr'>\" href=\"ok4\">\
             <a href=\"first\" href=\"second\" id=\"x\" ID=\"y\">",
        );
        assert_eq!(links, ["ok1", "ok2", "ok3", "ok4", "first", "s.js"]);
        assert_eq!(ids, ["x"]);
    }

    #[test]
    fn scan_reads_markup_inside_svg_titles() {
        let (_, ids) = scanned(
            "<svg aria-labelledby=\"t d\"><title id=\"t\">A <b>chart</b></title><desc id=\"d\">\
             x</desc><style>.a{}</style><g id=\"g\"/></svg><title>x<p id=\"no\"></title>\
             <svg/><title><p id=\"no2\"></title><p id=\"after\">",
        );
        assert_eq!(ids, ["after", "d", "g", "t"]);
    }

    #[test]
    fn scan_survives_truncated_html() {
        for html in [
            "<a href=\"x",
            "<a href='x",
            "<a href=x",
            "<a href=",
            "<a href",
            "<a",
            "<",
            "<!--",
            "<!-- x -",
            "<script>x",
            "<![CDATA[",
            "<!",
            "</",
            "<a id=\"é&#x",
        ] {
            scanned(html);
        }
        assert_eq!(scanned("<a href=\"x\"").0, ["x"]);
    }

    #[test]
    fn segments_are_what_split_gives() {
        for path in ["", "/", "a", "a/", "/a", "a//b", "é/ü/", "../x/./y"] {
            assert_eq!(
                segments(path).collect::<Vec<_>>(),
                path.split('/').collect::<Vec<_>>(),
                "{path:?}"
            );
        }
    }

    #[test]
    fn join_into_resolves_as_urls_join_does() {
        for base in ["", "a", "a/b", "a//b/"] {
            for target in [
                "",
                ".",
                "..",
                "../..",
                "../../..",
                "x",
                "x/",
                "./x/../y",
                "../x/./y/..",
                "x//y",
                "../../x",
            ] {
                let mut buf = String::from("left over");
                buf.clear();
                let ok = join_into(&mut buf, base, target);
                assert_eq!(
                    ok.then_some(buf),
                    urls::join(base, target),
                    "{base:?} {target:?}"
                );
            }
        }
    }

    #[test]
    fn root_relative_links_use_the_base_path() {
        let nf = scan(
            "404.html",
            r#"<a href="/mps/plan/index.html">p</a><a href="/other/">o</a>"#,
            PathBuf::from("site.yaml"),
            "404.html",
        );
        let problems = check(&[nf], &files(&["plan/index.html", "404.html"]), "/mps/");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("/other/"));
    }
}
