//! The preview's HTTP/1.x connections, read and written here rather than by an HTTP server
//! crate, so that the limits a preview needs hold on every connection: a request head must
//! arrive whole within [`HEAD_TIMEOUT`] and fit in [`MAX_HEAD`] bytes (request line
//! [`MAX_REQUEST_LINE`]), anything that is not HTTP/1.0 or 1.1 (an HTTP/2 preface, a TLS
//! handshake) is answered or closed at once, and a live-reload stream notices at once when its
//! page goes, because its connection is read for the close. `httparse` parses the head.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http::{self, Reply, Response};
use super::{Event, Shared};

/// The longest a request head may take to arrive, counted from when the connection is ready
/// for it (a new connection, or the end of the previous answer): a slow sender is cut off.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request line accepted; longer gets 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The largest request head (request line and headers) accepted; larger gets 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most headers a request may have; more gets 431.
const MAX_HEADERS: usize = 64;
/// How long a write may stall before the connection is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long, and how much, a refused request's remaining bytes are read before closing.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;
/// How often an idle live-reload stream sends a comment: proxies and browsers then keep it open.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// A request, as far as the preview needs it.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    /// Whether the connection may carry another request after this one.
    pub keep_alive: bool,
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
enum HeadError {
    /// The connection closed (or was shut down) before a request began.
    Closed,
    /// No complete head within [`HEAD_TIMEOUT`].
    Timeout,
    /// Not HTTP/1.x at all (a TLS handshake, binary noise): closed without an answer.
    NotHttp,
    /// A request line naming another HTTP version (`PRI * HTTP/2.0`): 505.
    Version,
    /// A request line over [`MAX_REQUEST_LINE`]: 414.
    LineTooLong,
    /// A head over [`MAX_HEAD`] or with too many headers: 431.
    HeadTooLarge,
    /// A malformed head: 400.
    Malformed,
}

/// Serves one connection until it closes, fails, times out, or the server stops (which shuts
/// the socket down).
pub fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let request = match read_head(&mut stream, &mut buf) {
            Ok(r) => r,
            Err(e) => {
                let answer = match e {
                    HeadError::Closed | HeadError::Timeout | HeadError::NotHttp => None,
                    HeadError::Version => Some(http::text(505, "Only HTTP/1.1 is supported\n")),
                    HeadError::LineTooLong => Some(http::text(414, "Request line too long\n")),
                    HeadError::HeadTooLarge => Some(http::text(431, "Request headers too large\n")),
                    HeadError::Malformed => Some(http::text(400, "Bad request\n")),
                };
                match answer {
                    Some(r) => {
                        let _ = write_response(&mut stream, &r, false, false);
                        linger(&mut stream);
                    }
                    None => close(&stream),
                }
                return;
            }
        };
        let head_only = request.method == "HEAD";
        match http::handle(&request, &shared) {
            Reply::Response(r) => {
                let keep = request.keep_alive && r.keep_alive;
                if write_response(&mut stream, &r, head_only, keep).is_err() || !keep {
                    close(&stream);
                    return;
                }
            }
            Reply::Events => return events(stream, &shared),
        }
    }
}

/// Ends the connection: the close is sent at once, and the reader of a stream wakes.
fn close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Both);
}

/// Closes after an answer to a refused request, reading (and dropping) a little of what the
/// client is still sending first: closing with unread bytes would reset the connection, and
/// the client could lose the answer. What is read is bounded, in bytes and time.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER));
    let mut sink = [0u8; 4096];
    let mut left = LINGER_BYTES;
    let deadline = Instant::now() + LINGER;
    while left > 0 && Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
    close(stream);
}

/// Reads one request head into `buf` (which keeps any bytes after it, for the next request).
fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Request, HeadError> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut chunk = [0u8; 4096];
    loop {
        // Blank lines before a request are allowed (RFC 9112, 2.2).
        let blank = buf
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        buf.drain(..blank);
        if let Some((r, len)) = check_head(buf)? {
            buf.drain(..len);
            return Ok(r);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::Timeout);
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(HeadError::Timeout)
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(HeadError::Closed),
        }
    }
}

/// Judges the bytes received so far: a complete request, a reason to stop, or `None` to read
/// on. Everything that can be refused early is, so a hostile client never gets to send much.
/// A complete request comes with the length of its head.
fn check_head(buf: &[u8]) -> Result<Option<(Request, usize)>, HeadError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    // Every HTTP/1 method is a token of upper-case letters; a TLS handshake starts with 0x16.
    if !first.is_ascii_uppercase() {
        return Err(HeadError::NotHttp);
    }
    let line_end = memchr::memchr(b'\n', buf);
    match line_end {
        None if buf.len() > MAX_REQUEST_LINE => return Err(HeadError::LineTooLong),
        None => return Ok(None),
        Some(n) if n > MAX_REQUEST_LINE => return Err(HeadError::LineTooLong),
        Some(n) => {
            let line = &buf[..n];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let version = line.rsplit(|b| *b == b' ').next().unwrap_or_default();
            if version != b"HTTP/1.1" && version != b"HTTP/1.0" {
                return Err(if version.starts_with(b"HTTP/") {
                    HeadError::Version
                } else {
                    HeadError::Malformed
                });
            }
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let parsed = req.parse(buf);
    let len = match parsed {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(HeadError::HeadTooLarge)
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::HeadTooLarge),
        Err(_) => return Err(HeadError::Malformed),
    };
    if len > MAX_HEAD {
        return Err(HeadError::HeadTooLarge);
    }
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let connection = header("connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let http11 = req.version == Some(1);
    // A request with a body is answered, then the connection closed: the preview takes no
    // bodies, and so never has to read one.
    let has_body =
        header("transfer-encoding").is_some() || header("content-length").is_some_and(|v| v != "0");
    let keep_alive = !has_body
        && if http11 {
            !connection.split(',').any(|t| t.trim() == "close")
        } else {
            connection.split(',').any(|t| t.trim() == "keep-alive")
        };
    let request = Request {
        method: req.method.unwrap_or_default().to_string(),
        target: req.path.unwrap_or_default().to_string(),
        host: header("host"),
        keep_alive,
    };
    Ok(Some((request, len)))
}

/// Writes a response; with `head_only`, its head alone (Content-Length still the body's).
fn write_response(
    stream: &mut TcpStream,
    r: &Response,
    head_only: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
        r.status,
        http::reason(r.status),
        r.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (name, value) in &r.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    if head_only || r.body.is_empty() {
        stream.write_all(head.as_bytes())?;
    } else if r.body.len() < 16 * 1024 {
        let mut all = head.into_bytes();
        all.extend_from_slice(r.body.as_ref());
        stream.write_all(&all)?;
    } else {
        stream.write_all(head.as_bytes())?;
        stream.write_all(r.body.as_ref())?;
    }
    stream.flush()
}

/// Turns the connection into a live-reload stream. This thread reads the connection, only to
/// learn the moment the page closes it, and frees the stream's slot then; a second thread
/// writes the events. Either side ending shuts the socket down, which ends the other.
fn events(stream: TcpStream, shared: &Arc<Shared>) {
    let (tx, rx) = mpsc::channel();
    let Some((id, snap)) = shared.subscribe(tx, http::MAX_STREAMS) else {
        let r = http::text(503, "Too many live-reload streams\n");
        let mut stream = stream;
        let _ = write_response(&mut stream, &r, false, false);
        return close(&stream);
    };
    let mut first = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
         Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n",
    );
    first.push_str(&http::sse("hello", &snap.build_id));
    if let Some(error) = &snap.error {
        first.push_str(&http::sse("error", error));
    }
    let writer = stream.try_clone().ok().and_then(|mut out| {
        std::thread::Builder::new()
            .name("mps-sse".into())
            .spawn(move || {
                let mut send = |s: &str| out.write_all(s.as_bytes()).and_then(|_| out.flush());
                if send(&first).is_ok() {
                    loop {
                        let msg = match rx.recv_timeout(KEEPALIVE) {
                            Ok(Event::Reload(id)) => http::sse("reload", &id),
                            Ok(Event::Error(text)) => http::sse("error", &text),
                            Ok(Event::Ping) => continue,
                            Err(mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".into(),
                            Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        };
                        if send(&msg).is_err() {
                            break;
                        }
                    }
                }
                close(&out);
            })
            .ok()
    });
    if writer.is_some() {
        let mut stream = stream;
        let _ = stream.set_read_timeout(None);
        let mut sink = [0u8; 512];
        // A page sends nothing more on this connection: whatever comes is read and dropped,
        // and the end of the stream (or an error) means the page has gone.
        loop {
            match stream.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        shared.unsubscribe(id);
        close(&stream);
        if let Some(w) = writer {
            let _ = w.join();
        }
    } else {
        shared.unsubscribe(id);
        close(&stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &[u8]) -> Result<Option<Request>, HeadError> {
        check_head(s).map(|r| r.map(|(r, _)| r))
    }

    #[test]
    fn complete_heads_parse_and_partial_ones_wait() {
        let r = check(b"GET /a HTTP/1.1\r\nHost: x:1\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str()), ("GET", "/a"));
        assert_eq!(r.host.as_deref(), Some("x:1"));
        assert!(r.keep_alive);
        let r = check(b"GET / HTTP/1.0\r\n\r\n").unwrap().unwrap();
        assert!(!r.keep_alive);
        let r = check(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!r.keep_alive);
        let r = check(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
            .unwrap()
            .unwrap();
        assert!(
            !r.keep_alive,
            "a body is never read, so the connection closes"
        );
        assert!(check(b"GET / HTTP/1.1\r\nHost: x").unwrap().is_none());
        assert!(check(b"GE").unwrap().is_none());
    }

    #[test]
    fn what_is_not_http1_is_refused_at_once() {
        assert_eq!(
            check(b"PRI * HTTP/2.0\r\n").unwrap_err(),
            HeadError::Version
        );
        assert_eq!(
            check(b"\x16\x03\x01\x02\x00\x01").unwrap_err(),
            HeadError::NotHttp
        );
        assert_eq!(check(b"GET / FTP\r\n").unwrap_err(), HeadError::Malformed);
        assert_eq!(
            check(b"get / HTTP/1.1\r\n").unwrap_err(),
            HeadError::NotHttp
        );
    }

    #[test]
    fn oversized_heads_are_refused() {
        let mut line = b"GET /".to_vec();
        line.extend(std::iter::repeat_n(b'a', MAX_REQUEST_LINE + 1));
        assert_eq!(check(&line).unwrap_err(), HeadError::LineTooLong);
        let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', MAX_HEAD));
        assert_eq!(check(&head).unwrap_err(), HeadError::HeadTooLarge);
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X{i}: y\r\n"))
            .collect();
        let head = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(check(head.as_bytes()).unwrap_err(), HeadError::HeadTooLarge);
    }
}
