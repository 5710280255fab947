//! Answers HTTP requests from the current build (held in memory): the Host check, safe path
//! resolution, content types, HEAD, redirects for folders and the site's own 404 page. Requests
//! for the live-reload stream are handed back to the connection ([`super::conn`]).

use std::path::Path;

use super::conn::Request;
use super::inject::{self, EVENTS_PATH};
use super::rebuild::{Body, SiteFiles};
use super::{Shared, Snapshot};

/// How many live-reload streams may be open at once; more get 503. A stream's slot is freed the
/// moment its page closes the connection.
pub const MAX_STREAMS: usize = 256;

/// A response body: the build's own bytes where possible, so serving copies nothing.
#[derive(Debug, Clone)]
pub enum Payload {
    Owned(Vec<u8>),
    Shared(Body),
}

impl Payload {
    pub fn len(&self) -> usize {
        self.as_ref().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        match self {
            Payload::Owned(v) => v,
            Payload::Shared(b) => b.bytes(),
        }
    }
}

/// An answer to one request.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Headers other than Content-Length and Connection, which the connection adds.
    pub headers: Vec<(&'static str, String)>,
    pub body: Payload,
    /// Whether the connection may stay open after it.
    pub keep_alive: bool,
}

impl Response {
    fn new(status: u16, ctype: &str, body: Payload) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type", ctype.to_string()),
                ("Cache-Control", "no-store".to_string()),
            ],
            body,
            keep_alive: true,
        }
    }

    fn with(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// What to do with a request.
#[derive(Debug)]
pub enum Reply {
    Response(Response),
    /// Open a live-reload stream on the connection.
    Events,
}

/// The reason phrase for the status codes the preview sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// A plain-text response.
pub fn text(status: u16, body: &str) -> Response {
    Response::new(
        status,
        "text/plain; charset=utf-8",
        Payload::Owned(body.as_bytes().to_vec()),
    )
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Malformed or dangerous: 400.
    BadRequest,
}

/// Splits a request target's path into decoded segments, refusing anything that could name a
/// file outside the site: `..` and `.` segments, empty segments (`//`), backslashes, NUL and
/// other control bytes, colons, encoded slashes and invalid UTF-8. The last segment is empty
/// when the path ends with `/`.
pub fn segments(target: &str) -> Result<Vec<String>, Refused> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let rest = path.strip_prefix('/').ok_or(Refused::BadRequest)?;
    let raw: Vec<&str> = rest.split('/').collect();
    let mut out = Vec::with_capacity(raw.len());
    for (i, seg) in raw.iter().enumerate() {
        let decoded = percent_encoding::percent_decode_str(seg)
            .decode_utf8()
            .map_err(|_| Refused::BadRequest)?;
        let last = i + 1 == raw.len();
        if decoded.is_empty() && !last {
            return Err(Refused::BadRequest);
        }
        if decoded == "."
            || decoded == ".."
            || decoded
                .chars()
                .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control())
        {
            return Err(Refused::BadRequest);
        }
        out.push(decoded.into_owned());
    }
    Ok(out)
}

/// What a request path resolves to in a build.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the build, by its path from the site root.
    File(String),
    /// A folder asked for without its trailing `/`.
    Redirect,
    NotFound,
}

/// Resolves decoded path segments (from [`segments`]) to a file of the build. Only names the
/// build made can be found, so no request reaches anything else on disk.
pub fn resolve(files: &SiteFiles, segs: &[String]) -> Resolved {
    let parts: Vec<&str> = segs
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let joined = parts.join("/");
    let wants_dir = segs.last().is_none_or(|s| s.is_empty());
    let file = if wants_dir {
        if joined.is_empty() {
            "index.html".to_string()
        } else {
            format!("{joined}/index.html")
        }
    } else {
        joined.clone()
    };
    if files.contains_key(&file) {
        return Resolved::File(file);
    }
    let folder = format!("{joined}/");
    let is_folder = files.has_under(&folder);
    if !wants_dir && is_folder {
        Resolved::Redirect
    } else {
        Resolved::NotFound
    }
}

/// `localhost`, `*.localhost`, `127.x.x.x`, `0.0.0.0` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, _)) => ip.to_string(),
            None => return false,
        }
    } else {
        host.rsplit_once(':')
            .map_or(host.as_str(), |(name, _)| name)
            .to_string()
    };
    let name = name.trim_end_matches('.');
    if name == "localhost" || name.ends_with(".localhost") || name == "0.0.0.0" {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// The Content-Type for a file name.
pub fn content_type(path: &Path) -> String {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8".into(),
        "css" => "text/css".into(),
        "js" | "mjs" => "text/javascript; charset=utf-8".into(),
        "svg" => "image/svg+xml".into(),
        "json" => "application/json".into(),
        "csv" => "text/csv; charset=utf-8".into(),
        "xml" => "application/xml".into(),
        "atom" => "application/atom+xml".into(),
        "txt" | "md" => "text/plain; charset=utf-8".into(),
        _ => mime_guess::from_path(path)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_string(),
    }
}

/// Answers one request.
pub fn handle(request: &Request, shared: &Shared) -> Reply {
    Reply::Response(match answer(request, shared) {
        Ok(reply) => return reply,
        Err(r) => r,
    })
}

fn answer(request: &Request, shared: &Shared) -> Result<Reply, Response> {
    let method = request.method.as_str();
    if method != "GET" && method != "HEAD" {
        let mut r = text(405, "Method not allowed\n").with("Allow", "GET, HEAD");
        r.keep_alive = false;
        return Err(r);
    }
    if let Some(host) = &request.host {
        if !shared.hosts.allows(host) {
            return Err(text(403, &shared.hosts.refusal()));
        }
    }
    let target = request.target.as_str();
    let segs = segments(target).map_err(|Refused::BadRequest| text(400, "Bad request\n"))?;
    if segs.len() == 2 && format!("/{}/{}", segs[0], segs[1]) == EVENTS_PATH {
        if method == "HEAD" {
            return Err(Response::new(
                200,
                "text/event-stream",
                Payload::Owned(Vec::new()),
            ));
        }
        return Ok(Reply::Events);
    }
    let snap = shared.snapshot();
    let Some(files) = snap.files.clone() else {
        // No build has worked yet: every page is the error.
        let page = html_page(&snap, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Site not built</title></head><body></body></html>");
        return Err(html_response(500, page));
    };
    Ok(Reply::Response(match resolve(&files, &segs) {
        Resolved::File(file) => serve_file(&snap, &files, &file, 200),
        Resolved::Redirect => {
            let path = target.split(['?', '#']).next().unwrap_or("/");
            let query = target.find('?').map(|i| &target[i..]).unwrap_or("");
            let location = format!("{path}/{query}");
            text(301, "Moved permanently\n").with("Location", &location)
        }
        Resolved::NotFound => {
            // A language's folder (`cy/`) has its own 404 page, in its language.
            let local = segs.first().map(|s| format!("{s}/404.html"));
            match local.filter(|l| files.contains_key(l.as_str())) {
                Some(l) => serve_file(&snap, &files, &l, 404),
                None if files.contains_key("404.html") => {
                    serve_file(&snap, &files, "404.html", 404)
                }
                None => text(404, "Not found\n"),
            }
        }
    }))
}

/// The HTML with the live-reload script, and the overlay while the site is broken.
fn html_page(snap: &Snapshot, html: &str) -> String {
    let mut snippet = String::new();
    if let Some(error) = &snap.error {
        snippet.push_str(&inject::overlay(error));
    }
    snippet.push_str(&inject::script(&snap.build_id));
    inject::inject(html, &snippet)
}

fn html_response(status: u16, page: String) -> Response {
    Response::new(
        status,
        "text/html; charset=utf-8",
        Payload::Owned(page.into_bytes()),
    )
}

/// A file of the build, from the bytes the build holds: nothing is read from disk here.
fn serve_file(snap: &Snapshot, files: &SiteFiles, name: &str, status: u16) -> Response {
    let ctype = content_type(Path::new(name));
    match files.get(name) {
        Some(Body::Html(html)) => html_response(status, html_page(snap, html)),
        // A static HTML file gets the live-reload script too.
        Some(body) if ctype.starts_with("text/html") => html_response(
            status,
            html_page(snap, &String::from_utf8_lossy(body.bytes())),
        ),
        Some(body) => Response::new(status, &ctype, Payload::Shared(body.clone())),
        None => text(404, "Not found\n"),
    }
}

/// Formats one Server-Sent Event; multi-line data becomes several `data:` lines.
pub fn sse(event: &str, data: &str) -> String {
    let mut out = format!("event: {event}\n");
    for line in data.trim_end_matches(['\n', '\r']).split('\n') {
        out.push_str("data: ");
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push('\n');
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Result<Vec<String>, Refused> {
        segments(p)
    }

    #[test]
    fn decodes_and_refuses_traversal() {
        assert_eq!(segs("/a/b%20c/").unwrap(), vec!["a", "b c", ""]);
        assert_eq!(segs("/").unwrap(), vec![""]);
        assert_eq!(segs("/x.css?v=1").unwrap(), vec!["x.css"]);
        for bad in [
            "/../site.yaml",
            "/%2e%2e/site.yaml",
            "/..%2fsite.yaml",
            "/%5c..%5csite.yaml",
            "/%00",
            "//etc/passwd",
            "/a/./b",
            "/a%2fb",
            "/C:/x",
            "site.yaml",
            "/%ff",
        ] {
            assert_eq!(segs(bad), Err(Refused::BadRequest), "{bad}");
        }
    }

    #[test]
    fn a_welsh_address_is_decoded_and_served() {
        let segs = segs("/t%C5%B7-gwyn/").unwrap();
        assert_eq!(segs, vec!["tŷ-gwyn", ""]);
        let mut files = SiteFiles::new();
        files.insert("tŷ-gwyn/index.html".into(), Body::Static(b"x"));
        assert!(matches!(resolve(&files, &segs), Resolved::File(f) if f == "tŷ-gwyn/index.html"));
        let bare = self::segs("/t%C5%B7-gwyn").unwrap();
        assert!(matches!(resolve(&files, &bare), Resolved::Redirect));
    }

    #[test]
    fn only_loopback_host_names_pass() {
        for yes in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:1111",
            "127.1.2.3",
            "[::1]:1111",
            "[::1]",
            "app.localhost",
            "0.0.0.0:1111",
        ] {
            assert!(is_loopback_host(yes), "{yes}");
        }
        for no in [
            "example.org",
            "evil.example:1111",
            "10.0.0.1",
            "[::2]:1",
            "localhost.evil.com",
            "[::1",
        ] {
            assert!(!is_loopback_host(no), "{no}");
        }
    }

    #[test]
    fn content_types() {
        for (f, t) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.css", "text/css"),
            ("a.svg", "image/svg+xml"),
            ("a.json", "application/json"),
            ("a.csv", "text/csv; charset=utf-8"),
            ("a.xml", "application/xml"),
            ("a.atom", "application/atom+xml"),
            ("a.png", "image/png"),
        ] {
            assert_eq!(content_type(Path::new(f)), t);
        }
    }

    #[test]
    fn sse_splits_lines() {
        assert_eq!(sse("error", "a\nb"), "event: error\ndata: a\ndata: b\n\n");
    }
}
