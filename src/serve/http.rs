//! Answers HTTP requests from the current build (held in memory): safe path resolution, content
//! types, HEAD, redirects for folders, the site's own 404 page, and the Server-Sent Events stream
//! that drives live reload.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::inject::{self, EVENTS_PATH};
use super::rebuild::SiteFiles;
use super::{Event, Shared, Snapshot};
use crate::build::FileBody;

/// How many live-reload streams may be open at once; more get 503.
const MAX_STREAMS: usize = 256;
/// How often an idle stream sends a comment, to notice closed pages.
const KEEPALIVE: Duration = Duration::from_secs(15);

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
    let is_folder = files
        .range(folder.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&folder));
    if !wants_dir && is_folder {
        Resolved::Redirect
    } else {
        Resolved::NotFound
    }
}

/// Whether the Host header names this machine's loopback (or is absent). A server bound to
/// loopback refuses other names, so that a web page cannot reach the preview through DNS
/// rebinding.
fn host_is_loopback(request: &Request) -> bool {
    let Some(h) = request.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    is_loopback_host(h.value.as_str())
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

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// Adds headers, skipping any that cannot be encoded (never the case for the ones used here).
/// Bodies are always sent with a Content-Length (tiny_http would chunk large ones), so that HEAD
/// tells the size and browsers show progress.
fn with_headers<R: std::io::Read>(r: Response<R>, headers: &[(&str, &str)]) -> Response<R> {
    let mut r = r.with_chunked_threshold(usize::MAX);
    for (n, v) in headers {
        if let Some(h) = header(n, v) {
            r.add_header(h);
        }
    }
    r
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    with_headers(
        Response::from_data(body.as_bytes().to_vec()).with_status_code(status),
        &[
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Cache-Control", "no-store"),
        ],
    )
}

fn ignore_closed(r: std::io::Result<()>) {
    // A browser that closed the connection early is not a problem worth reporting.
    let _ = r;
}

/// Answers one request.
pub fn handle(request: Request, shared: &Shared) {
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        let r = with_headers(text(405, "Method not allowed\n"), &[("Allow", "GET, HEAD")]);
        return ignore_closed(request.respond(r));
    }
    if shared.loopback_only() && !host_is_loopback(&request) {
        return ignore_closed(request.respond(text(
            403,
            "This preview only answers to localhost, 127.0.0.1 or [::1]\n",
        )));
    }
    let target = request.url().to_string();
    let segs = match segments(&target) {
        Ok(s) => s,
        Err(Refused::BadRequest) => {
            return ignore_closed(request.respond(text(400, "Bad request\n")))
        }
    };
    if segs.len() == 2 && format!("/{}/{}", segs[0], segs[1]) == EVENTS_PATH {
        return events(request, shared);
    }
    let snap = shared.snapshot();
    let Some(files) = snap.files.clone() else {
        // No build has worked yet: every page is the error.
        let page = html_page(&snap, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Site not built</title></head><body></body></html>");
        return ignore_closed(request.respond(html_response(500, page)));
    };
    match resolve(&files, &segs) {
        Resolved::File(file) => serve_file(request, &snap, &files, &file, 200),
        Resolved::Redirect => {
            let path = target.split(['?', '#']).next().unwrap_or("/");
            let query = target.find('?').map(|i| &target[i..]).unwrap_or("");
            let location = format!("{path}/{query}");
            let r = with_headers(
                text(301, "Moved permanently\n"),
                &[("Location", location.as_str())],
            );
            ignore_closed(request.respond(r));
        }
        Resolved::NotFound => {
            if files.contains_key("404.html") {
                serve_file(request, &snap, &files, "404.html", 404)
            } else {
                ignore_closed(request.respond(text(404, "Not found\n")))
            }
        }
    }
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

fn html_response(status: u16, page: String) -> Response<std::io::Cursor<Vec<u8>>> {
    with_headers(
        Response::from_data(page.into_bytes()).with_status_code(status),
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-store"),
        ],
    )
}

fn serve_file(request: Request, snap: &Snapshot, files: &SiteFiles, name: &str, status: u16) {
    let ctype = content_type(Path::new(name));
    let is_page = ctype.starts_with("text/html");
    let not_found = || text(404, "Not found\n");
    let page = |html: &str| html_response(status, html_page(snap, html));
    let bytes: Vec<u8> = match files.get(name) {
        Some(FileBody::Html(html)) => return ignore_closed(request.respond(page(html))),
        Some(FileBody::Bytes(b)) => b.to_vec(),
        Some(FileBody::BuiltIn(b)) => b.to_vec(),
        // The site's own static files are read from where they are, so a large PDF is never
        // held in memory.
        Some(FileBody::Disk(path)) if !is_page => {
            return match std::fs::File::open(path) {
                Ok(f) => respond_with(request, Response::from_file(f), &ctype, status),
                Err(_) => ignore_closed(request.respond(not_found())),
            };
        }
        Some(FileBody::Disk(path)) => match std::fs::read(path) {
            Ok(b) => b,
            Err(_) => return ignore_closed(request.respond(not_found())),
        },
        None => return ignore_closed(request.respond(not_found())),
    };
    if is_page {
        // A static HTML file gets the live-reload script too.
        ignore_closed(request.respond(page(&String::from_utf8_lossy(&bytes))))
    } else {
        respond_with(request, Response::from_data(bytes), &ctype, status)
    }
}

/// Sends a file of the build (not a page) with its type and status.
fn respond_with<R: std::io::Read>(request: Request, r: Response<R>, ctype: &str, status: u16) {
    let r = with_headers(
        r.with_status_code(StatusCode(status)),
        &[("Content-Type", ctype), ("Cache-Control", "no-store")],
    );
    ignore_closed(request.respond(r));
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

/// Opens a live-reload stream. The response is written by hand on the raw connection, so that
/// each event is flushed at once; the connection closes when the stream ends.
fn events(request: Request, shared: &Shared) {
    if request.method() == &Method::Head {
        let r = with_headers(text(200, ""), &[("Content-Type", "text/event-stream")]);
        return ignore_closed(request.respond(r));
    }
    let (tx, rx) = mpsc::channel();
    let Some(snap) = shared.subscribe(tx, MAX_STREAMS) else {
        return ignore_closed(request.respond(text(503, "Too many live-reload streams\n")));
    };
    let mut first = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
         Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n",
    );
    first.push_str(&sse("hello", &snap.build_id));
    if let Some(error) = &snap.error {
        first.push_str(&sse("error", error));
    }
    let mut writer = request.into_writer();
    let spawned = std::thread::Builder::new()
        .name("mps-sse".into())
        .spawn(move || {
            let send = |w: &mut Box<dyn Write + Send>, s: &str| {
                w.write_all(s.as_bytes()).and_then(|_| w.flush())
            };
            if send(&mut writer, &first).is_err() {
                return;
            }
            loop {
                let msg = match rx.recv_timeout(KEEPALIVE) {
                    Ok(Event::Reload(id)) => sse("reload", &id),
                    Ok(Event::Error(text)) => sse("error", &text),
                    Ok(Event::Ping) => continue,
                    Err(mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                };
                if send(&mut writer, &msg).is_err() {
                    return;
                }
            }
        });
    // If no thread could be started the writer is dropped and the browser simply retries.
    drop(spawned);
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
