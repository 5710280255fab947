//! `mps serve`: a live preview for people editing the site.
//!
//! The site is built into memory (never into `public/`) and served from there. A watcher
//! rebuilds it when a source changes, re-rendering only the pages the change reaches (see
//! [`rebuild`]); each build is swapped in whole, and only then are open pages told to reload,
//! over Server-Sent Events. A failed build keeps the last good one on screen with an overlay
//! showing the problem (file, line and the offending lines), and the terminal prints it once.

pub mod conn;
pub mod hosts;
pub mod http;
pub mod inject;
mod quick;
pub mod rebuild;
pub mod watch;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
/// changes, which the watcher reports in batches as files go quiet, gives one build. Not less:
/// on a busy machine the program making a burst can stall for tens of milliseconds within it.
const QUIET_BURST: Duration = Duration::from_millis(100);
/// Changes that come in quick succession (the last build ended less than [`RAPID`] before)
/// wait this long for the next to stop, so that a stream of saves (an editor saving as you
/// type, a sync tool) gives a few builds rather than one per save.
const QUIET_RAPID: Duration = Duration::from_millis(150);
const RAPID: Duration = Duration::from_millis(200);
/// After a build fails just after a change, how long to wait for the file to settle before
/// showing the error: a file caught in the middle of being written (emptied, then written, as
/// synced folders and some editors save) would otherwise flash "this page has no front matter".
/// A change within this time rebuilds instead.
const SETTLE: Duration = Duration::from_millis(300);
/// In a steady stream of changes, the longest wait before building anyway.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// Most paths a plain save reports.
const SAVE_PATHS: usize = 2;
/// The most connections open at once (live-reload streams included); more get 503.
const MAX_CONNECTIONS: usize = 512;
/// How often the listener looks for the stop flag when no one connects.
const ACCEPT_POLL: Duration = Duration::from_millis(25);

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
    /// Nothing to tell (the error shown already): not sent.
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
    /// Open live-reload streams, by id.
    streams: Mutex<BTreeMap<u64, Sender<Event>>>,
    next_id: AtomicU64,
    builds: AtomicU64,
    pub(crate) hosts: hosts::Hosts,
    /// Open connections, so that stopping the server closes them.
    connections: Mutex<BTreeMap<u64, TcpStream>>,
    open: AtomicUsize,
}

impl Shared {
    pub fn snapshot(&self) -> Snapshot {
        match self.current.read() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Registers a stream and returns its id and the state it starts from, atomically with
    /// respect to builds: every change after the snapshot reaches the stream. `None` when full.
    pub fn subscribe(&self, tx: Sender<Event>, max: usize) -> Option<(u64, Snapshot)> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if streams.len() >= max {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        streams.insert(id, tx);
        Some((id, current.clone()))
    }

    /// Frees a stream's slot (its page has gone). Its writer then sees the channel close.
    pub fn unsubscribe(&self, id: u64) {
        self.streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// How many live-reload streams are open.
    pub fn streams(&self) -> usize {
        self.streams.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Applies a build's outcome and tells every open page, while holding the state lock so
    /// that no stream misses or reorders it.
    fn publish(&self, update: impl FnOnce(&mut Snapshot) -> Event) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        let event = update(&mut current);
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if !matches!(event, Event::Ping) {
            streams.retain(|_, s| s.send(event.clone()).is_ok());
        }
        drop(streams);
        drop(current);
    }

    fn close_all(&self) {
        self.streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        for c in self
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Serves a new connection on its own thread, or refuses it when too many are open.
    fn accept(self: &Arc<Self>, stream: TcpStream) {
        // Accepted sockets inherit non-blocking mode from the listener on some systems.
        let _ = stream.set_nonblocking(false);
        if self.open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            self.open.fetch_sub(1, Ordering::SeqCst);
            let mut stream = stream;
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(c) = stream.try_clone() {
            self.connections
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, c);
        }
        let shared = self.clone();
        let spawned = std::thread::Builder::new()
            .name("mps-conn".into())
            .spawn(move || {
                conn::serve(stream, shared.clone());
                shared.forget(id);
            });
        if spawned.is_err() {
            // The stream was dropped with the closure: the browser retries.
            self.forget(id);
        }
    }

    fn forget(&self, id: u64) {
        self.connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        self.open.fetch_sub(1, Ordering::SeqCst);
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
        let listener = TcpListener::bind(want)
            .and_then(|l| l.set_nonblocking(true).map(|_| l))
            .map_err(|e| {
                Error::from(
                    Diagnostic::error(want.to_string(), format!("could not listen on {want}: {e}"))
                        .help("another program may be using this port: try --port with another number"),
                )
            })?;
        let addr = listener.local_addr().unwrap_or(want);

        let shared = Arc::new(Shared {
            current: RwLock::new(Snapshot {
                build_id: "none".into(),
                ..Snapshot::default()
            }),
            streams: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(0),
            builds: AtomicU64::new(0),
            hosts: hosts::Hosts::new(addr),
            connections: Mutex::new(BTreeMap::new()),
            open: AtomicUsize::new(0),
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
            last_end: Instant::now(),
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
            threads: Vec::with_capacity(1),
            builder: Some(builder_thread),
        };
        let (shared, stop) = (server.shared.clone(), server.stop.clone());
        let t = std::thread::Builder::new()
            .name("mps-listen".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => shared.accept(stream),
                        // Nobody waiting (or a connection lost before it was accepted).
                        Err(_) => std::thread::sleep(ACCEPT_POLL),
                    }
                }
            })
            .map_err(|e| Error::io("could not start a thread for", &opts.root, e))?;
        server.threads.push(t);
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

    /// With a non-loopback `--bind`, the home page's addresses for other machines: this
    /// machine's network addresses and its host name. Empty when bound to loopback.
    pub fn network_urls(&self) -> Vec<String> {
        self.shared.hosts.network_urls(self.addr)
    }

    /// How many live-reload streams are open.
    pub fn streams(&self) -> usize {
        self.shared.streams()
    }

    /// What is being served now.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.snapshot()
    }

    /// How many builds (good or failed) have finished, counting the first.
    pub fn builds(&self) -> u64 {
        self.shared.builds.load(Ordering::SeqCst)
    }

    /// Stops serving and watching, and closes every connection: pages then try to reconnect,
    /// and reload when a server (this one restarted) answers again.
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
        self.shared.close_all();
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
    /// When the last build was served: changes soon after it are saves in quick succession.
    last_end: Instant,
}

impl Builder {
    fn run(mut self, rx: Receiver<watch::Changes>) {
        loop {
            let Ok(mut changed) = rx.recv() else { return };
            if self.stop.load(Ordering::SeqCst) || !self.gather(&rx, &mut changed) {
                return;
            }
            // A build that fails just after a change is shown only once the files have
            // settled: a change while waiting means a file was still being written, so build
            // again (a few times at most, so that a broken file saved over and over is shown).
            let mut tries = 0;
            let outcome = loop {
                self.watcher.refresh(&changed);
                // An empty list means the watcher lost track of what changed.
                let known =
                    !changed.is_empty() && !changed.iter().any(|p| p.as_os_str().is_empty());
                let started = Instant::now();
                let result = self.rebuilder.start(known.then_some(changed.as_slice()));
                let took = started.elapsed();
                tries += 1;
                if result.is_ok() || tries > 3 {
                    break (result, took);
                }
                match rx.recv_timeout(SETTLE) {
                    Ok(_) if self.stop.load(Ordering::SeqCst) => return,
                    Ok(mut more) => {
                        let lost = more.is_empty();
                        changed.append(&mut more);
                        if lost {
                            // Keep the "lost track" mark through the merge.
                            changed.push(PathBuf::new());
                        }
                        if !self.gather(&rx, &mut changed) {
                            return;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => break (result, took),
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            changed.retain(|p| !p.as_os_str().is_empty());
            self.publish(outcome.0, outcome.1, &changed);
            // Saves in quick succession are counted from the build being served, not from the
            // end of what it left to make below.
            let served = Instant::now();
            // What the build left to make (the feed and site map after a new title) is made
            // now that it is served; requests for those files wait for it. If making it fails,
            // the full build that replaces it says why.
            if let Some(result) = self.rebuilder.finish() {
                self.publish(result, served.elapsed(), &changed);
                self.last_end = Instant::now();
            } else {
                self.last_end = served;
            }
        }
    }

    /// Adds to `changed` the changes that follow it closely, so that they make one build: waits
    /// until changes stop arriving, or too long has passed. Changes that arrive during the build
    /// wait in the channel: exactly one more build. `false` when the server is stopping.
    fn gather(&self, rx: &Receiver<watch::Changes>, changed: &mut watch::Changes) -> bool {
        let rapid = self.last_end.elapsed() < RAPID;
        let start = Instant::now();
        let mut batches = 1;
        if changed.is_empty() {
            changed.push(PathBuf::new());
        }
        loop {
            let quiet = if rapid {
                QUIET_RAPID
            } else if batches == 1 && changed.len() <= SAVE_PATHS {
                QUIET_SAVE
            } else {
                QUIET_BURST
            };
            let left = MAX_WAIT.saturating_sub(start.elapsed());
            if left.is_zero() {
                return !self.stop.load(Ordering::SeqCst);
            }
            match rx.recv_timeout(quiet.min(left)) {
                Ok(_) if self.stop.load(Ordering::SeqCst) => return false,
                Ok(mut more) => {
                    batches += 1;
                    if more.is_empty() {
                        more.push(PathBuf::new());
                    }
                    changed.append(&mut more);
                }
                Err(RecvTimeoutError::Timeout) => return !self.stop.load(Ordering::SeqCst),
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// The first build, before serving starts.
    fn build(&mut self, changed: Option<&[PathBuf]>) {
        let started = Instant::now();
        let result = self.rebuilder.build(changed);
        self.publish(result, started.elapsed(), changed.unwrap_or_default());
        let now = Instant::now();
        self.last_end = now.checked_sub(RAPID).unwrap_or(now);
    }

    /// Serves a build's outcome and tells open pages and the terminal.
    fn publish(
        &mut self,
        result: Result<rebuild::PreviewBuild>,
        took: Duration,
        changed: &[PathBuf],
    ) {
        let n = self.shared.builds.load(Ordering::SeqCst) + 1;
        let took = took.as_millis();
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
                    let why = describe(&self.watcher_root(), changed);
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
