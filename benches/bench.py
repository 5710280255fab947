#!/usr/bin/env python3
"""Full-build benchmark: mps against Hugo (and Zola, when installed) on the same corpus, same run.

Usage: python3 benches/bench.py [--sizes 1000,10000] [--runs 5] [--work DIR]

Generates the corpus with ../shared/bench/gen_corpus.py, writes a site.yaml beside it, builds it
with the release `mps` binary, and reports the median wall time and peak memory (max RSS) over
the runs. Where `hugo` or `zola` is on PATH, the same corpus is laid out for it with
../shared/bench/adapt.py --nav=sections and timed the same way, and ratios are printed.
Each is timed twice: from no output at all (the output, and the previous output mps keeps
beside it, are deleted before each run), and again over the output of its last run
("rebuild": Hugo and Zola overwrite it, mps starts from the output it kept).
Also times the cold build of the repository's default site. Only ratios from one run count.
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


def measure(name, cmd, runs, before=None):
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        t, m = timed(cmd)
        times.append(t)
        peaks.append(m)
    return {"name": name, "median": statistics.median(times), "min": min(times), "peak_mb": max(peaks)}


def row(r, base=None):
    ratio = ""
    if base:
        ratio = f"{r['median'] / base['median']:.3f}x time, {r['peak_mb'] / base['peak_mb']:.3f}x memory"
    return f"| {r['name']} | {r['median'] * 1000:.0f} ms | {r['min'] * 1000:.0f} ms | {r['peak_mb']:.0f} MB | {ratio} |"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    work = args.work or tempfile.mkdtemp(prefix="mps-bench-")
    print(f"# mps benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores")
    print()
    print("| build | median | fastest | peak memory | against the peer |")
    print("|---|---|---|---|---|")

    out = os.path.join(work, "default-public")

    def clear():
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(os.path.join(work, ".default-public.mps-previous"), ignore_errors=True)

    r = measure("default site, cold", [MPS, "build", "--root", REPO, "--output", out], args.runs, clear)
    print(row(r))

    for n in [int(s) for s in args.sizes.split(",") if s]:
        site = os.path.join(work, f"site-{n}")
        if not os.path.exists(os.path.join(site, "content")):
            subprocess.run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), str(n),
                            os.path.join(site, "content")], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(site, "site.yaml"), "w") as f:
                f.write(SITE_YAML)
        out = os.path.join(work, f"public-{n}")
        kept = os.path.join(work, f".public-{n}.mps-previous")

        def clear(out=out, kept=kept):
            # A cold build: no output, and not the previous output mps keeps beside it either.
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(kept, ignore_errors=True)

        mps_cmd = [MPS, "build", "--root", site, "--output", out]
        mps = measure(f"mps, {n} pages", mps_cmd, args.runs, clear)
        # Building again over the output of the last run, as an editor does.
        mps_again = measure(f"mps, {n} pages, rebuild", mps_cmd, args.runs)
        peers = []
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
            pclear = lambda pout=pout: shutil.rmtree(pout, ignore_errors=True)
            if peer == "hugo":
                cmd = [exe, "--quiet", "--source", psite, "--destination", pout]
            else:
                cmd = [exe, "--root", psite, "build", "--output-dir", pout, "--force"]
            peers.append((measure(f"{peer}, {n} pages", cmd, args.runs, pclear),
                          measure(f"{peer}, {n} pages, rebuild", cmd, args.runs)))
        for p, _ in peers:
            print(row(p))
        print(row(mps, peers[0][0] if peers else None))
        for _, p in peers:
            print(row(p))
        print(row(mps_again, peers[0][1] if peers else None))
    if not shutil.which("hugo"):
        print("\nHugo is not installed (apt-get install hugo), so no ratios were measured.")


if __name__ == "__main__":
    main()
