//! `mps serve`: a live preview for people editing the site.
//!
//! The site is built into memory (never into `public/`) and served from there. A watcher
//! rebuilds it when a source changes, re-rendering only the pages the change reaches (see
//! [`rebuild`]); each build is swapped in whole, and only then are open pages told to reload,
//! over Server-Sent Events. A failed build keeps the last good one on screen with an overlay
//! showing the problem (file, line and the offending lines), and the terminal prints it once.

pub mod http;
pub mod inject;
pub mod rebuild;
pub mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::{Diagnostic, Error, Result};
use rebuild::{Rebuilder, SiteFiles};

/// How long the builder waits for more changes after a save of one or two files (an editor's
/// save: the file, perhaps its temporary twin), so a save shows quickly...
const QUIET_SAVE: Duration = Duration::from_millis(5);
/// ...and after anything bigger (a `git checkout`, a find-and-replace), so that a burst of
/// changes, which the watcher reports in batches as files go quiet, gives one build.
const QUIET_BURST: Duration = Duration::from_millis(40);
/// In a steady stream of changes, the longest wait before building anyway.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// Most paths a plain save reports.
const SAVE_PATHS: usize = 2;
/// Threads answering HTTP requests (live-reload streams get their own).
const WORKERS: usize = 8;

/// How to run the preview server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder, holding `site.yaml` and `content/`.
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Print build results and errors on the terminal.
    pub verbose: bool,
}

impl ServeOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ServeOptions {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            drafts: false,
            verbose: true,
        }
    }
}

/// Parses a `--bind` value: an IPv4 or IPv6 address (brackets allowed) or `localhost`.
pub fn parse_bind(s: &str) -> std::result::Result<IpAddr, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let t = t
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(t);
    t.parse()
        .map_err(|_| format!("`{s}` is not an IP address (try 127.0.0.1 or ::1)"))
}

/// A message to open live-reload streams.
#[derive(Debug, Clone)]
pub enum Event {
    /// A new build is being served; carries its id.
    Reload(String),
    /// The latest build failed; carries the rendered diagnostics.
    Error(String),
    /// Nothing to tell: used to find streams that have closed.
    Ping,
}

/// What the server is serving right now.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The files of the last good build; `None` until one succeeds.
    pub files: Option<Arc<SiteFiles>>,
    /// Identifies the last good build across server restarts.
    pub build_id: String,
    /// The rendered problems while the latest build failed.
    pub error: Option<String>,
}

/// State shared by the builder, the request handlers and the live-reload streams. Lock order:
/// `current`, then `streams`.
pub struct Shared {
    current: RwLock<Snapshot>,
    streams: Mutex<Vec<Sender<Event>>>,
    builds: AtomicU64,
    loopback_only: bool,
}

impl Shared {
    /// Whether the server listens on loopback only, and so checks Host headers.
    pub fn loopback_only(&self) -> bool {
        self.loopback_only
    }

    pub fn snapshot(&self) -> Snapshot {
        match self.current.read() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Registers a stream and returns the state it starts from, atomically with respect to
    /// builds: every change after the snapshot reaches the stream. `None` when full.
    pub fn subscribe(&self, tx: Sender<Event>, max: usize) -> Option<Snapshot> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        // Forget streams whose page has gone.
        streams.retain(|s| s.send(Event::Ping).is_ok());
        if streams.len() >= max {
            return None;
        }
        streams.push(tx);
        Some(current.clone())
    }

    /// Applies a build's outcome and tells every open page, while holding the state lock so
    /// that no stream misses or reorders it.
    fn publish(&self, update: impl FnOnce(&mut Snapshot) -> Event) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        let event = update(&mut current);
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        streams.retain(|s| s.send(event.clone()).is_ok());
        drop(streams);
        drop(current);
    }

    fn close_streams(&self) {
        self.streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// A running preview server. Stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    changes: Sender<watch::Changes>,
    threads: Vec<JoinHandle<()>>,
    builder: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds, builds the site once, then serves and watches it in background threads. A failing
    /// first build still starts the server: pages show the problem until it is fixed.
    pub fn start(opts: ServeOptions) -> Result<Server> {
        let root_abs = opts
            .root
            .canonicalize()
            .map_err(|e| Error::io("could not open the site folder", &opts.root, e))?;
        let want = SocketAddr::new(opts.bind, opts.port);
        let http = tiny_http::Server::http(want).map_err(|e| {
            Error::from(
                Diagnostic::error(want.to_string(), format!("could not listen on {want}: {e}"))
                    .help("another program may be using this port: try --port with another number"),
            )
        })?;
        let addr = http.server_addr().to_ip().unwrap_or(want);
        let http = Arc::new(http);

        let shared = Arc::new(Shared {
            current: RwLock::new(Snapshot {
                build_id: "none".into(),
                ..Snapshot::default()
            }),
            streams: Mutex::new(Vec::new()),
            builds: AtomicU64::new(0),
            loopback_only: addr.ip().is_loopback(),
        });
        let stop = Arc::new(AtomicBool::new(false));

        let (tx, rx) = mpsc::channel();
        let watcher = watch::SiteWatcher::start(&root_abs, tx.clone())?;
        let mut builder = Builder {
            opts: opts.clone(),
            rebuilder: Rebuilder::new(&root_abs, opts.drafts),
            instance: instance_id(),
            shared: shared.clone(),
            stop: stop.clone(),
            watcher,
            last_printed: None,
        };
        builder.build(None);
        let builder_thread = std::thread::Builder::new()
            .name("mps-builder".into())
            .spawn(move || builder.run(rx))
            .map_err(|e| Error::io("could not start a thread for", &opts.root, e))?;

        // From here on, dropping `server` (an early return) stops what has started.
        let mut server = Server {
            addr,
            shared,
            stop,
            changes: tx,
            threads: Vec::with_capacity(WORKERS),
            builder: Some(builder_thread),
        };
        for i in 0..WORKERS {
            let (http, shared, stop) = (http.clone(), server.shared.clone(), server.stop.clone());
            let t = std::thread::Builder::new()
                .name(format!("mps-http-{i}"))
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match http.recv_timeout(Duration::from_millis(100)) {
                            Ok(Some(request)) => http::handle(request, &shared),
                            Ok(None) => {}
                            Err(_) => std::thread::sleep(Duration::from_millis(10)),
                        }
                    }
                })
                .map_err(|e| Error::io("could not start a thread for", &opts.root, e))?;
            server.threads.push(t);
        }
        Ok(server)
    }

    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the home page.
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
            ip if ip.is_unspecified() => "[::1]".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        format!("http://{host}:{}/", self.addr.port())
    }

    /// What is being served now.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.snapshot()
    }

    /// How many builds (good or failed) have finished, counting the first.
    pub fn builds(&self) -> u64 {
        self.shared.builds.load(Ordering::SeqCst)
    }

    /// Stops serving and watching. Open live-reload streams get no more events; their
    /// connections close when the process ends (tiny_http keeps a connection's socket until the
    /// browser closes it), and browsers then reconnect to the next server and reload.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the builder, which then sees the stop flag.
        let _ = self.changes.send(Vec::new());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        if let Some(b) = self.builder.take() {
            let _ = b.join();
        }
        self.shared.close_streams();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A per-process id, so that pages from a previous run of the server reload.
fn instance_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", nanos, std::process::id())
}

/// Runs builds: one now, then one per burst of changes.
struct Builder {
    opts: ServeOptions,
    rebuilder: Rebuilder,
    instance: String,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    watcher: watch::SiteWatcher,
    /// The last error printed, so a failure is printed once however often it recurs.
    last_printed: Option<String>,
}

impl Builder {
    fn run(mut self, rx: Receiver<watch::Changes>) {
        loop {
            let Ok(mut changed) = rx.recv() else { return };
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            // Coalesce: wait until changes stop arriving (or too long has passed). Changes
            // that arrive during the build below wait in the channel: exactly one more build.
            let start = Instant::now();
            let mut batches = 1;
            while start.elapsed() < MAX_WAIT {
                let quiet = if batches == 1 && changed.len() <= SAVE_PATHS {
                    QUIET_SAVE
                } else {
                    QUIET_BURST
                };
                match rx.recv_timeout(quiet) {
                    Ok(_) if self.stop.load(Ordering::SeqCst) => return,
                    Ok(mut more) => {
                        batches += 1;
                        changed.append(&mut more);
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            self.watcher.refresh(&changed);
            // An empty list means the watcher lost track of what changed.
            self.build((!changed.is_empty()).then_some(changed.as_slice()));
        }
    }

    fn build(&mut self, changed: Option<&[PathBuf]>) {
        let n = self.shared.builds.load(Ordering::SeqCst) + 1;
        let started = Instant::now();
        let result = self.rebuilder.build(changed);
        let took = started.elapsed().as_millis();
        match result {
            Ok(done) => {
                let id = format!("{}-{n}", self.instance);
                self.shared.publish(|cur| {
                    cur.files = Some(done.files.clone());
                    cur.build_id = id.clone();
                    cur.error = None;
                    Event::Reload(id)
                });
                self.shared.builds.store(n, Ordering::SeqCst);
                if self.opts.verbose {
                    let what = if n == 1 { "Built" } else { "Rebuilt" };
                    let why = describe(&self.watcher_root(), changed.unwrap_or_default());
                    let fresh = if n == 1 || done.rendered == done.pages {
                        String::new()
                    } else {
                        format!(" ({} rendered again)", done.rendered)
                    };
                    eprintln!(
                        "{what} {} pages{fresh} in {took} ms{why}{}",
                        done.pages,
                        if self.last_printed.is_some() {
                            " (fixed)"
                        } else {
                            ""
                        }
                    );
                }
                self.last_printed = None;
            }
            Err(e) => {
                let text = crate::error::render(&e.diagnostics());
                let shown = text.clone();
                self.shared.publish(|cur| {
                    if cur.error.as_deref() == Some(shown.as_str()) {
                        return Event::Ping; // open pages show it already
                    }
                    cur.error = Some(shown.clone());
                    Event::Error(shown)
                });
                self.shared.builds.store(n, Ordering::SeqCst);
                if self.opts.verbose && self.last_printed.as_deref() != Some(text.as_str()) {
                    eprint!("{text}");
                    if self.shared.snapshot().files.is_none() {
                        eprintln!("error: the site could not be built; pages show this error until it is fixed");
                    } else {
                        eprintln!("error: the site could not be rebuilt; still serving the last good build");
                    }
                }
                self.last_printed = Some(text);
            }
        }
    }

    fn watcher_root(&self) -> PathBuf {
        self.opts
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.opts.root.clone())
    }
}

/// " (content/a.md changed)" for the terminal.
fn describe(root: &Path, changed: &[PathBuf]) -> String {
    let mut names: Vec<String> = changed
        .iter()
        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1 => format!(" ({} changed)", names[0]),
        n => format!(" ({} and {} more changed)", names[0], n - 1),
    }
}
