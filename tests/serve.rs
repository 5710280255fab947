//! The preview server, started in-process on an ephemeral port against a temporary site.
//! Requests use raw sockets, so that paths reach the server exactly as written.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use mps::serve::{ServeOptions, Server};

const WAIT: Duration = Duration::from_secs(10);
const MARKER: &str = "secret-marker-7c1f";

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn site_yaml() -> String {
    format!(
        "# {MARKER}\ntitle: Tiny\norganisation: Tiny Council\nbase_url: https://example.org/\nfeedback: a@example.org\n"
    )
}

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

/// A tiny site: a home page and one page.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("site.yaml"), &site_yaml());
    write(
        &dir.path().join("content/_index.md"),
        &page("Home", "Welcome home."),
    );
    write(
        &dir.path().join("content/page.md"),
        &page("A page", "First version."),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A page of the build being served, as built (without the live-reload script).
fn built_text(server: &Server, name: &str) -> String {
    let files = server.snapshot().files.expect("a build is being served");
    match files.get(name) {
        Some(mps::serve::rebuild::Body::Html(html)) => html.to_string(),
        other => panic!("{name} is not a page of the build: {other:?}"),
    }
}

fn start(root: &Path) -> Server {
    let mut opts = ServeOptions::new(root);
    opts.port = 0;
    opts.verbose = false;
    Server::start(opts).unwrap()
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Sends a request with the target exactly as given and reads the whole reply.
fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    request_to(addr, "localhost", method, target)
}

fn request_to(addr: SocketAddr, host: &str, method: &str, target: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

/// A live-reload stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            s,
            "GET /__mps/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut ev = Events {
            reader: BufReader::new(s),
        };
        // The response head.
        let mut line = String::new();
        loop {
            line.clear();
            ev.read_line(&mut line);
            if line == "\r\n" {
                break;
            }
            assert!(!line.is_empty(), "stream closed before its head ended");
        }
        ev
    }

    fn read_line(&mut self, line: &mut String) {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.reader.read_line(line) {
                Ok(_) => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    assert!(Instant::now() < deadline, "no data within {WAIT:?}");
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// The next event (name, data), skipping comments and `retry`.
    fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), Vec::new());
        loop {
            let mut line = String::new();
            self.read_line(&mut line);
            assert!(!line.is_empty(), "stream closed");
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !name.is_empty() {
                    return (name, data.join("\n"));
                }
            } else if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push(d.to_string());
            }
        }
    }

    /// Waits for an event named `want`, returning its data.
    fn wait_for(&mut self, want: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            assert!(
                Instant::now() < deadline,
                "no `{want}` event within {WAIT:?}"
            );
            let (name, data) = self.next();
            if name == want {
                return data;
            }
        }
    }
}

#[test]
fn an_edit_reloads_open_pages_and_serves_the_new_content() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome home."));
    assert!(home.body.contains("/__mps/events"), "script injected");
    let script_at = home.body.find("data-mps-live-reload").unwrap();
    assert!(script_at < home.body.to_ascii_lowercase().rfind("</body>").unwrap());

    let mut events = Events::open(addr);
    let first = events.wait_for("hello");
    assert_eq!(first, server.snapshot().build_id);
    write(
        &site.path().join("content/page.md"),
        &page("A page", "Second version."),
    );
    let id = events.wait_for("reload");
    assert_ne!(id, first);
    let page = get(addr, "/page/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Second version."), "{}", page.body);

    // The built files themselves carry no live-reload script, and public/ is never made.
    let built = built_text(&server, "page/index.html");
    assert!(built.contains("Second version."));
    assert!(!built.contains("__mps"));
    assert!(!site.path().join("public").exists());
    server.stop();
}

#[test]
fn bad_yaml_shows_an_overlay_with_file_and_line_and_the_fix_recovers() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let mut events = Events::open(addr);
    events.wait_for("hello");

    let yaml = site.path().join("site.yaml");
    write(
        &yaml,
        "title: Tiny\norganisation: Tiny Council\nbase_url: [https://example.org/\nfeedback: a@example.org\n",
    );
    let error = events.wait_for("error");
    assert!(error.contains("site.yaml:3"), "{error}");
    assert!(
        error.contains("base_url: [https"),
        "offending line shown: {error}"
    );

    // Pages still come from the last good build, with the overlay on top.
    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome home."));
    assert!(home.body.contains("id=\"mps-overlay\""));
    assert!(home.body.contains("site.yaml:3"));

    write(&yaml, &site_yaml());
    events.wait_for("reload");
    let home = get(addr, "/");
    assert!(!home.body.contains("id=\"mps-overlay\""));
    assert!(server.snapshot().error.is_none());
    assert!(!site.path().join("public").exists());
}

#[test]
fn rename_saves_deletes_recreates_and_new_folders_are_seen() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let mut events = Events::open(addr);
    events.wait_for("hello");
    let target = site.path().join("content/page.md");

    // Written to a temporary file, then renamed over the page, as vim and VS Code do.
    let temp = site.path().join("content/.page.md.tmp");
    write(&temp, &page("A page", "Saved by rename."));
    std::fs::rename(&temp, &target).unwrap();
    events.wait_for("reload");
    assert!(get(addr, "/page/").body.contains("Saved by rename."));

    std::fs::remove_file(&target).unwrap();
    events.wait_for("reload");
    assert_eq!(get(addr, "/page/").status, 404);
    write(&target, &page("A page", "Back again."));
    events.wait_for("reload");
    assert!(get(addr, "/page/").body.contains("Back again."));

    write(
        &site.path().join("content/newdir/deeper/thing.md"),
        &page("Thing", "In a new folder."),
    );
    events.wait_for("reload");
    let thing = get(addr, "/newdir/deeper/thing/");
    assert_eq!(thing.status, 200);
    assert!(thing.body.contains("In a new folder."));
    // A later edit inside the new folder is seen too.
    write(
        &site.path().join("content/newdir/deeper/thing.md"),
        &page("Thing", "Edited in the new folder."),
    );
    events.wait_for("reload");
    assert!(get(addr, "/newdir/deeper/thing/")
        .body
        .contains("Edited in the new folder."));

    // The whole content folder replaced (a `git checkout`, a restore from backup): edits in
    // the new folder are still seen.
    let content = site.path().join("content");
    let moved = site.path().join("content-old");
    std::fs::rename(&content, &moved).unwrap();
    copy_dir(&moved, &content);
    std::fs::remove_dir_all(&moved).unwrap();
    events.wait_for("reload");
    write(&target, &page("A page", "After the folder swap."));
    let deadline = Instant::now() + WAIT;
    while !get(addr, "/page/").body.contains("After the folder swap.") {
        assert!(
            Instant::now() < deadline,
            "edit in the re-created folder not seen"
        );
        events.wait_for("reload");
    }
}

#[test]
fn a_burst_of_changes_gives_one_rebuild_and_editor_files_none() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let mut events = Events::open(addr);
    events.wait_for("hello");
    let before = server.builds();
    for i in 0..300 {
        write(
            &site.path().join(format!("content/burst-{i}.txt")),
            &format!("file {i}"),
        );
    }
    events.wait_for("reload");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(server.builds(), before + 1, "one rebuild for the burst");
    assert_eq!(get(addr, "/burst-299.txt").body, "file 299");

    // Swap, backup and lock files, and a write to public/, change nothing.
    for name in [
        "content/.page.md.swp",
        "content/page.md~",
        "content/#page.md#",
        "content/.#page.md",
    ] {
        write(&site.path().join(name), "x");
    }
    write(&site.path().join("public/index.html"), "x");
    write(&site.path().join("notes.txt"), "x");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(server.builds(), before + 1, "editor files started a build");
}

#[test]
fn traversal_attempts_fail_and_never_leak_files() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    for target in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/%2E%2E/site.yaml",
        "/..%2fsite.yaml",
        "/..%2F..%2Fsite.yaml",
        "/%5c..%5csite.yaml",
        "/..\\site.yaml",
        "/%00",
        "/index.html%00.css",
        "//etc/passwd",
        "/page/../../site.yaml",
        "/./site.yaml",
        "/%2e/site.yaml",
        "http://example.org/../site.yaml",
        "site.yaml",
        "/%ff%fe",
    ] {
        let r = get(addr, target);
        assert!(
            r.status == 400 || r.status == 404,
            "{target}: status {}",
            r.status
        );
        assert!(!r.body.contains(MARKER), "{target} leaked site.yaml");
        assert!(!r.body.contains("root:x:0"), "{target} leaked /etc/passwd");
    }
    // A page elsewhere cannot reach the preview by pointing its own name at 127.0.0.1.
    let rebound = request_to(addr, "attacker.example", "GET", "/");
    assert_eq!(rebound.status, 403);
    assert_eq!(request_to(addr, &addr.to_string(), "GET", "/").status, 200);
}

#[test]
fn head_content_types_redirects_and_the_sites_404_page() {
    let site = site();
    write(&site.path().join("static/big.txt"), &"x".repeat(100_000));
    let server = start(site.path());
    let addr = server.addr();

    let head = request(addr, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(head
        .header("content-type")
        .unwrap()
        .starts_with("text/html; charset=utf-8"));

    let big = request(addr, "HEAD", "/big.txt");
    assert_eq!(big.status, 200);
    assert_eq!(big.header("content-length").unwrap(), "100000");
    assert!(big.body.is_empty());
    assert_eq!(get(addr, "/big.txt").body.len(), 100_000);

    let css = get(addr, "/style.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(!css.body.contains("__mps"), "script only in HTML");
    let xml = get(addr, "/sitemap.xml");
    assert_eq!(xml.header("content-type").unwrap(), "application/xml");

    let dir = get(addr, "/page?x=1");
    assert_eq!(dir.status, 301);
    assert_eq!(dir.header("location").unwrap(), "/page/?x=1");
    assert_eq!(get(addr, "/page/index.html").status, 200);

    let missing = get(addr, "/no/such/page/");
    assert_eq!(missing.status, 404);
    let own_404 = built_text(&server, "404.html");
    let title = own_404
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap();
    assert!(missing.body.contains(title), "the site's own 404 page");
    assert!(missing.body.contains("/__mps/events"));

    assert_eq!(request(addr, "POST", "/").status, 405);
}

#[test]
fn many_concurrent_connections_are_served() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    // Some open live-reload streams must not starve page requests.
    let _streams: Vec<Events> = (0..20).map(|_| Events::open(addr)).collect();
    let threads: Vec<_> = (0..64)
        .map(|i| {
            std::thread::spawn(move || {
                let target = if i % 2 == 0 { "/" } else { "/style.css" };
                get(addr, target).status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
}

#[test]
fn ipv6_loopback_and_a_restarted_server_make_pages_reload() {
    let site = site();
    let first = start(site.path());
    let old_id = first.snapshot().build_id;
    first.stop();

    let mut opts = ServeOptions::new(site.path());
    opts.port = 0;
    opts.verbose = false;
    opts.bind = "::1".parse().unwrap();
    let server = match Server::start(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipping the IPv6 part: {e}");
            return;
        }
    };
    assert!(server.url().starts_with("http://[::1]:"));
    let addr = server.addr();
    assert_eq!(get(addr, "/").status, 200);
    // A page from the old server sees another build id on reconnecting, and reloads.
    let mut events = Events::open(addr);
    assert_ne!(events.wait_for("hello"), old_id);
}

#[test]
fn a_site_broken_from_the_start_is_served_as_its_error_until_fixed() {
    let site = site();
    let yaml = site.path().join("site.yaml");
    write(&yaml, "title: Tiny\n");
    let server = start(site.path());
    let addr = server.addr();
    let page = get(addr, "/");
    assert_eq!(page.status, 500);
    assert!(page.body.contains("id=\"mps-overlay\""));
    assert!(page.body.contains("site.yaml"));
    let mut events = Events::open(addr);
    events.wait_for("hello");
    write(&yaml, &site_yaml());
    events.wait_for("reload");
    assert_eq!(get(addr, "/").status, 200);
}

/// In a real browser: an edit reloads the page, a broken file shows the overlay without a reload,
/// the fix reloads it away, and a restarted server makes the page reload. Skipped (with the reason
/// printed) where Debian's Chromium is missing, except in CI.
#[test]
fn in_a_browser_pages_reload_show_errors_and_survive_a_restart() {
    use headless_chrome::{Browser, LaunchOptions};
    const CHROMIUM: &str = "/usr/bin/chromium";
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !Path::new(CHROMIUM).exists() {
        assert!(!in_ci, "no {CHROMIUM}");
        eprintln!("browser test skipped: no {CHROMIUM} (apt-get install chromium)");
        return;
    }
    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(CHROMIUM.into()),
        user_data_dir: Some(profile.path().to_path_buf()),
        idle_browser_timeout: Duration::from_secs(60),
        ..LaunchOptions::default()
    })
    .unwrap();
    let tab = browser.new_tab().unwrap();
    let eval = |js: &str| -> serde_json::Value {
        tab.evaluate(js, false)
            .ok()
            .and_then(|r| r.value)
            .unwrap_or(serde_json::Value::Null)
    };
    let wait_until = |js: &str| {
        let deadline = Instant::now() + WAIT;
        while eval(js) != serde_json::Value::Bool(true) {
            assert!(Instant::now() < deadline, "never true: {js}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Set on the page; a reload clears it.
    let mark = "window.__mpsMark = 1; true";
    let reloaded = "window.__mpsMark === undefined";
    let connected = "window.__mpsLiveReload === 'connected'";

    let site = site();
    let server = start(site.path());
    tab.navigate_to(&format!("{}page/", server.url()))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_until("document.body.innerText.includes('First version.')");
    wait_until(connected);
    eval(mark);

    write(
        &site.path().join("content/page.md"),
        &page("A page", "Second version."),
    );
    wait_until("document.body.innerText.includes('Second version.')");
    assert_eq!(eval(reloaded), serde_json::Value::Bool(true));
    wait_until(connected);
    eval(mark);

    let yaml = site.path().join("site.yaml");
    write(&yaml, "title: Tiny\norganisation: [Tiny\n");
    wait_until("!!document.getElementById('mps-overlay')");
    wait_until("document.getElementById('mps-overlay').innerText.includes('site.yaml:')");
    assert_eq!(
        eval(reloaded),
        serde_json::Value::Bool(false),
        "no reload on error"
    );

    write(&yaml, &site_yaml());
    wait_until("!document.getElementById('mps-overlay')");
    wait_until(reloaded);
    wait_until(connected);
    eval(mark);

    drop(server);

    // A restarted `mps serve` (a new process on the same port): open pages reconnect and reload.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cli = |root: &Path| {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_mps"))
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mps serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    };
    let interrupt = |mut child: std::process::Child| {
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(
            child.wait().unwrap().success(),
            "Ctrl-C ends mps serve cleanly"
        );
    };
    let first = cli(site.path());
    tab.navigate_to(&format!("http://127.0.0.1:{port}/page/"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_until(connected);
    eval(mark);
    interrupt(first);
    let second = cli(site.path());
    wait_until(reloaded);
    wait_until("document.body.innerText.includes('Second version.')");
    interrupt(second);
}
