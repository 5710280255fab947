#!/usr/bin/env python3
"""Full-build benchmark: mps against Hugo (and Zola, when installed) on the same corpus, same run.

Usage: python3 benches/bench.py [--sizes 1000,10000] [--runs 6] [--work DIR] [--mps MPS]
       [--baseline MPS]

With --baseline, a second mps binary (for example one built from an earlier commit, to show that
a change costs no speed) builds the same corpus in the same rotation, and its ratios against the
peers are printed beside the current build's, so before and after come from one run.

Generates the corpus with ../shared/bench/gen_corpus.py, writes a site.yaml beside it, builds it
with the release `mps` binary, and reports the median wall time and peak memory (max RSS) over
the runs. Where `hugo` or `zola` is on PATH, the same corpus is laid out for it with
../shared/bench/adapt.py --nav=sections and timed the same way, and ratios are printed.
Each is timed twice: from no output at all (the output, and the previous output mps keeps
beside it, are moved aside before each run), and again over the output of its last run
("rebuild": Hugo and Zola overwrite it, mps starts from the output it kept).
Also times the cold build of the repository's default site. Only ratios from one run count.

The tools take turns, run by run (mps, Hugo, Zola, mps, ...), so that anything that drifts
during the run (other load, the page cache, the disk) falls on all of them alike, and each
turn starts one tool later than the one before, so that no tool always runs right after the
same other (after Hugo is the slow place). The default of six runs gives each of three tools
(mps, a baseline, Hugo) each place twice. The file system is synced before each timed run, so
that no run pays for writing out the last one's files.

Old outputs are moved into a `trash` folder beside them, and deleted only at the end, because
of how ext4 without a journal (this project's machines) makes files: it passes over every inode
freed in the last minute or more. Deleting the 20,000 files and folders of a 10,000-page output
just before a run cost that run seconds of system time, whichever tool it was; that is the
benchmark's own cost, not the build's. A run right after this script pays it once, for all.
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
MPS = os.path.join(REPO, "target", "release", "mps")

SITE_YAML = """title: Synthetic corpus
organisation: Benchmark Council
base_url: https://bench.example/
feedback: bench@bench.example
"""


def timed(cmd, cwd=None):
    """Runs cmd; returns (seconds, peak RSS in MB) of the child."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return elapsed, usage.ru_maxrss / 1024.0


class Trash:
    """Where old outputs go before a cold run: moved, not deleted (see the module's note)."""

    def __init__(self, work):
        # One per run of the script, so that a run that was stopped leaves nothing in the way.
        self.dir = os.path.join(work, "trash", str(os.getpid()))
        self.count = 0

    def clear(self, *paths):
        os.makedirs(self.dir, exist_ok=True)
        for p in paths:
            if os.path.lexists(p):
                self.count += 1
                os.rename(p, os.path.join(self.dir, str(self.count)))

    def empty(self):
        shutil.rmtree(os.path.dirname(self.dir), ignore_errors=True)


def measure(tools, runs):
    """Times each tool `runs` times, taking turns. tools: (name, cmd, before or None).

    Each turn starts one tool later than the last (mps, baseline, Hugo; then baseline, Hugo,
    mps; ...), so that no tool always follows the same one: the run after Hugo's (which leaves
    a gigabyte of memory and thousands of files to the kernel) is the slow place, and a fixed
    order put one mps binary there every time."""
    samples = {name: ([], []) for name, _, _ in tools}
    for turn in range(runs):
        k = turn % len(tools)
        for name, cmd, before in tools[k:] + tools[:k]:
            if before:
                before()
            # The last run's files go to disk now, not while this one is timed.
            os.sync()
            t, m = timed(cmd)
            samples[name][0].append(t)
            samples[name][1].append(m)
    return {name: {"name": name, "median": statistics.median(times), "min": min(times),
                   "peak_mb": max(peaks)}
            for name, (times, peaks) in samples.items()}


def row(r, bases=()):
    """A table row; `bases`: (peer's name, peer's result) to give ratios against."""
    ratio = "; ".join(
        f"{r['median'] / b['median']:.3f}x {name}'s time, {r['peak_mb'] / b['peak_mb']:.3f}x its memory"
        for name, b in bases)
    return f"| {r['name']} | {r['median'] * 1000:.0f} ms | {r['min'] * 1000:.0f} ms | {r['peak_mb']:.0f} MB | {ratio} |"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--work", default=None)
    ap.add_argument("--mps", default=None,
                    help="the mps binary to time (default: target/release/mps, built first)")
    ap.add_argument("--baseline", default=None,
                    help="another mps binary to time in the same run, such as an earlier commit's")
    args = ap.parse_args()

    global MPS
    if args.mps:
        MPS = os.path.abspath(args.mps)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    work = args.work or tempfile.mkdtemp(prefix="mps-bench-")
    print(f"# mps benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores")
    print()
    print("| build | median | fastest | peak memory | mps against the others |")
    print("|---|---|---|---|---|")

    trash = Trash(work)
    out = os.path.join(work, "default-public")
    clear = lambda: trash.clear(out, os.path.join(work, ".default-public.mps-previous"))
    name = "default site, cold"
    r = measure([(name, [MPS, "build", "--root", REPO, "--output", out], clear)], args.runs)
    print(row(r[name]))

    for n in [int(s) for s in args.sizes.split(",") if s]:
        site = os.path.join(work, f"site-{n}")
        if not os.path.exists(os.path.join(site, "content")):
            subprocess.run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), str(n),
                            os.path.join(site, "content")], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(site, "site.yaml"), "w") as f:
                f.write(SITE_YAML)
        out = os.path.join(work, f"public-{n}")
        kept = os.path.join(work, f".public-{n}.mps-previous")
        # A cold build: no output, and not the previous output mps keeps beside it either.
        tools = [(f"mps, {n} pages", [MPS, "build", "--root", site, "--output", out],
                  lambda out=out, kept=kept: trash.clear(out, kept))]
        if args.baseline:
            bout = os.path.join(work, f"baseline-public-{n}")
            bkept = os.path.join(work, f".baseline-public-{n}.mps-previous")
            tools.append((f"mps baseline, {n} pages",
                          [args.baseline, "build", "--root", site, "--output", bout],
                          lambda bout=bout, bkept=bkept: trash.clear(bout, bkept)))
        for peer in ("hugo", "zola"):
            exe = shutil.which(peer)
            if not exe:
                continue
            psite = os.path.join(work, f"{peer}-{n}")
            if not os.path.exists(psite):
                subprocess.run([sys.executable, os.path.join(SHARED, "adapt.py"), peer,
                                os.path.join(site, "content"), psite, "--nav=sections"],
                               check=True, stdout=subprocess.DEVNULL)
            pout = os.path.join(work, f"{peer}-public-{n}")
            if peer == "hugo":
                cmd = [exe, "--quiet", "--source", psite, "--destination", pout]
            else:
                cmd = [exe, "--root", psite, "build", "--output-dir", pout, "--force"]
            tools.append((f"{peer}, {n} pages", cmd, lambda pout=pout: trash.clear(pout)))
        cold = measure(tools, args.runs)
        # Building again over the output of the last run, as an editor does.
        again = measure([(f"{name}, rebuild", cmd, None) for name, cmd, _ in tools], args.runs)
        ours = [name for name, _, _ in tools if name.startswith("mps")]
        peers = [name for name, _, _ in tools if not name.startswith("mps")]
        for results, suffix in ((cold, ""), (again, ", rebuild")):
            for p in peers:
                print(row(results[p + suffix]))
            bases = [(p.split(",")[0].capitalize(), results[p + suffix]) for p in peers]
            for m in reversed(ours):
                print(row(results[m + suffix], bases))
    trash.empty()
    if not shutil.which("hugo"):
        print("\nHugo is not installed (apt-get install hugo), so no ratios were measured.")


if __name__ == "__main__":
    main()
