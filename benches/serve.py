#!/usr/bin/env python3
"""Times `mps serve` from a file's save to the reload event its open pages receive.

Not a test: it prints numbers. For each site it starts `mps serve --port 0`, opens the
live-reload stream (/__mps/events) the way a page does, then saves a page N times (default 20)
and measures, for each save, the time from the moment the file is closed (or renamed into
place) to the arrival of the `reload` event, i.e. the debounce, a full build, the swap, and the
event. It checks after each save that the new text is served. Medians are reported for saves
written in place, saves by rename (write a temporary file, then rename it over the page, as
vim, VS Code and Sublime do), and saves of a new title, after which the section page that lists
the page must show the new title too (listing pages are never stale).

Sites: the default site (a copy of the repository's site.yaml and content/) and a corpus of
--pages pages (default 1,000) from gen_corpus.py with a minimal site.yaml (--corpus DIR reuses
a corpus made before, a folder holding content/ and site.yaml; --no-default skips the default
site).

It also times, in the same run and interleaved, the preview's start-up (from starting
`mps serve` to its first build being served: the `hello` of the live-reload stream) against
`mps build` of the same site into an empty folder, --starts times each (default 3), and
reports the medians and their ratio.

With each median it prints the server's CPU time per save (from /proc, so Linux only): on a
shared machine the wall-clock figures grow with the load, the CPU time much less.

Usage:
    python3 benches/serve.py [--bin target/release/mps] [--edits 20] [--pages 1000]
                             [--corpus DIR] [--starts 3] [--no-default]
                             [--corpus-script ../shared/bench/gen_corpus.py]
Without --bin it runs `cargo build --release` first.
"""
import argparse
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
SITE_YAML = (
    "title: Benchmark corpus\n"
    "organisation: Benchmark Council\n"
    "base_url: https://example.org/\n"
    "feedback: bench@example.org\n"
)
TIMEOUT = 30.0


class Events:
    """A raw-socket reader for the server's Server-Sent Events stream."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.sendall(
            b"GET /__mps/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        self.buf = b""
        head = self._until(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise SystemExit(f"live-reload stream refused: {head!r}")

    def _until(self, sep):
        while sep not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("live-reload stream closed")
            self.buf += chunk
        out, self.buf = self.buf.split(sep, 1)
        return out

    def next(self):
        """The next event's (name, data)."""
        while True:
            block = self._until(b"\n\n").decode("utf-8", "replace")
            name, data = None, []
            for line in block.split("\n"):
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
            if name:
                return name, "\n".join(data)

    def wait_for(self, want):
        while True:
            name, data = self.next()
            if name == want:
                return data
            if name == "error":
                raise SystemExit(f"the build failed during the benchmark:\n{data}")


def get(host, port, path):
    with socket.create_connection((host, port), timeout=TIMEOUT) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out.decode("utf-8", "replace")
            out += chunk


def save_in_place(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return time.perf_counter()


def save_by_rename(path, text):
    tmp = path.with_name("." + path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return time.perf_counter()


def start_serve(binary, root):
    """Starts `mps serve`; returns (process, host, port, live-reload stream, seconds from the
    start to the first build being served)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(binary), "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    m = re.search(r"http://(\[[^\]]+\]|[^:/]+):(\d+)/", line)
    if not m:
        stop(proc)
        raise SystemExit(f"mps serve did not print its URL: {line!r}")
    host, port = m.group(1).strip("[]"), int(m.group(2))
    events = Events(host, port)
    events.wait_for("hello")
    return proc, host, port, events, time.perf_counter() - t0


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def startup_vs_build(binary, root, starts):
    """Medians of `mps serve` start-up and `mps build` into an empty folder, interleaved (s)."""
    serve_times, build_times = [], []
    out = root.parent / (root.name + "-out")
    for _ in range(starts):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(out.parent / ("." + out.name + ".mps-previous"), ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run(
            [str(binary), "build", "--root", str(root), "--output", str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        build_times.append(time.perf_counter() - t0)
        proc, _, _, _, took = start_serve(binary, root)
        stop(proc)
        serve_times.append(took)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.parent / ("." + out.name + ".mps-previous"), ignore_errors=True)
    return statistics.median(serve_times), statistics.median(build_times)


def cpu_seconds(pid):
    """CPU time (user + system) used by process `pid` so far, or None off Linux."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def bench_site(binary, root, page, url_path, listing_path, edits):
    proc, host, port, events, _ = start_serve(binary, root)
    try:
        original = page.read_text(encoding="utf-8")
        results = {}
        for mode, save in (
            ("in place", save_in_place),
            ("by rename", save_by_rename),
            ("new title", save_in_place),
        ):
            times = []
            cpu_before = cpu_seconds(proc.pid)
            for i in range(edits):
                marker = f"Benchmark edit {mode} {i}"
                if mode == "new title":
                    text = re.sub(r"(?m)^title: .*$", f"title: {marker}", original, count=1)
                else:
                    text = original.rstrip("\n") + f"\n\n{marker}.\n"
                t0 = save(page, text)
                events.wait_for("reload")
                times.append((time.perf_counter() - t0) * 1000)
                if marker not in get(host, port, url_path):
                    raise SystemExit(f"{url_path} does not show the edit after the reload")
                if mode == "new title" and marker not in get(host, port, listing_path):
                    raise SystemExit(f"{listing_path} does not list the new title after the reload")
                time.sleep(0.25)  # let each save be its own build
            cpu_after = cpu_seconds(proc.pid)
            cpu = None
            if cpu_before is not None and cpu_after is not None:
                cpu = (cpu_after - cpu_before) * 1000 / edits
            results[mode] = (times, cpu)
        page.write_text(original, encoding="utf-8")
        return results
    finally:
        stop(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", type=pathlib.Path)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--corpus", type=pathlib.Path, help="a corpus made before (content/, site.yaml)")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--no-default", action="store_true", help="skip the default site")
    ap.add_argument(
        "--corpus-script",
        type=pathlib.Path,
        default=REPO.parent / "shared" / "bench" / "gen_corpus.py",
    )
    args = ap.parse_args()

    binary = args.bin
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        binary = REPO / "target" / "release" / "mps"

    rows = []
    with tempfile.TemporaryDirectory(prefix="mps-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        default = tmp / "default"
        default.mkdir()
        shutil.copy(REPO / "site.yaml", default / "site.yaml")
        for d in ("content", "themes", "templates", "static"):
            if (REPO / d).is_dir():
                shutil.copytree(REPO / d, default / d)
        sites = [
            (
                "default site",
                default,
                default / "content" / "plan" / "largest.md",
                "/plan/largest/",
                "/sitemap/",  # its section page shows the plan, not a list of pages
            )
        ]
        if args.no_default:
            sites = []

        corpus_row = (
            f"{args.pages}-page corpus",
            None,
            "content/sec-01/page-00001.md",
            "/sec-01/page-00001/",
            "/sec-01/",
        )
        if args.corpus is not None:
            corpus = args.corpus.resolve()
            name = f"corpus ({sum(1 for _ in (corpus / 'content').rglob('*.md'))} pages)"
            sites.append((name, corpus, corpus / corpus_row[2], corpus_row[3], corpus_row[4]))
        elif args.corpus_script.is_file():
            corpus = tmp / "corpus"
            subprocess.run(
                [sys.executable, str(args.corpus_script), str(args.pages), str(corpus / "content")],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (corpus / "content" / "manifest.json").unlink(missing_ok=True)
            (corpus / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
            sites.append((corpus_row[0], corpus, corpus / corpus_row[2], corpus_row[3], corpus_row[4]))
        else:
            print(f"skipping the corpus: {args.corpus_script} not found", file=sys.stderr)

        starts = []
        for name, root, page, url_path, listing in sites:
            if args.starts > 0:
                starts.append((name, *startup_vs_build(binary, root, args.starts)))
            for mode, (times, cpu) in bench_site(binary, root, page, url_path, listing, args.edits).items():
                rows.append((name, mode, times, cpu))

    print(f"save -> reload event, {args.edits} saves each (ms)")
    print("(cpu: the server's CPU time per save, all threads, idle ticking included)")
    print(f"{'site':<21} {'save':<10} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}")
    for name, mode, times, cpu in rows:
        cpu = "" if cpu is None else f"{cpu:8.1f}"
        print(
            f"{name:<21} {mode:<10} {statistics.median(times):8.1f} "
            f"{min(times):8.1f} {max(times):8.1f} {cpu}"
        )
    if starts:
        print(f"\nstart-up to first build served vs `mps build` into an empty folder, medians of {args.starts}")
        print(f"{'site':<21} {'serve':>9} {'build':>9} {'ratio':>6}")
        for name, serve, build in starts:
            print(f"{name:<21} {serve:8.2f}s {build:8.2f}s {serve / build:6.2f}")
    print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
