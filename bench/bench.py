"""Throughput and peak memory of policyclean against bare OpenCC t2s and ftfy.

    python bench/bench.py            # 50 MB corpus (the seeds, Simplified and Traditional mixed)
    python bench/bench.py --mb 10    # a quicker run

The corpus is the five seeds (two of them naive Traditional, one synonym-spun)
concatenated until it reaches the size asked for. Each measurement runs in its
own process so its peak memory (max RSS) is its own. Nothing here is a test:
the figures go into the README by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def build_corpus(megabytes: float) -> bytes:
    documents = [path.read_bytes().rstrip(b"\n") + b"\n\n" for path in SEEDS]
    unit = b"".join(documents)
    repeats = max(1, int(megabytes * 1_000_000 // len(unit)) + 1)
    return unit * repeats


def measure(kind: str, megabytes: float) -> dict:
    """Run in a child process: build the corpus, time one pass of `kind` over it."""
    corpus = build_corpus(megabytes)
    text = corpus.decode("utf-8")
    documents = [path.read_bytes() for path in SEEDS]
    run = prepare(kind, corpus, text, documents)
    run_small = prepare(kind, b"".join(documents), b"".join(documents).decode("utf-8"), documents[:1])
    run_small()  # load tables and converters outside the timed pass
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "mb": len(corpus) / 1e6, "seconds": seconds,
            "mb_per_s": len(corpus) / 1e6 / seconds, "peak_rss_mb": peak / 1024,
            "extra_rss_mb": (peak - baseline) / 1024}


def prepare(kind: str, corpus: bytes, text: str, documents: list[bytes]):
    """A function that makes one timed pass of `kind`, with its converters already built."""
    if kind == "pipeline-one-file":
        import policyclean
        return lambda: policyclean.clean(corpus)
    if kind == "pipeline-per-document":
        import policyclean
        count = max(1, len(corpus) // sum(len(d) for d in documents))
        return lambda: [policyclean.clean(d) for _ in range(count) for d in documents]
    if kind == "stage-t2s":
        from policyclean import script
        from policyclean.model import Config
        return lambda: script.run(text, Config(), {})
    if kind == "stage-despin":
        from policyclean import despin
        from policyclean.model import Config
        return lambda: despin.run(text, Config(), {})
    if kind == "opencc-t2s":
        import opencc
        converter = opencc.OpenCC("t2s")
        return lambda: converter.convert(text)
    if kind == "ftfy":
        import ftfy
        return lambda: ftfy.fix_text(text)
    raise SystemExit(f"unknown measurement {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    parser.add_argument("--only", action="append", help="run only these measurements")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.mb)))
        return
    kinds = args.only or ["opencc-t2s", "pipeline-one-file", "pipeline-per-document",
                          "stage-t2s", "stage-despin", "ftfy"]
    print(f"corpus: the {len(SEEDS)} seeds concatenated to {args.mb:g} MB (UTF-8); one process per row")
    print(f"{'measurement':24} {'MB':>7} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    rows = {}
    for kind in kinds:
        output = subprocess.run([sys.executable, __file__, "--mb", str(args.mb), "--child", kind],
                                capture_output=True, text=True)
        if output.returncode:
            print(f"{kind:24} failed: {output.stderr.strip().splitlines()[-1] if output.stderr else output.returncode}")
            continue
        row = json.loads(output.stdout)
        rows[kind] = row
        print(f"{kind:24} {row['mb']:7.1f} {row['seconds']:8.2f} {row['mb_per_s']:8.1f} {row['peak_rss_mb']:12.0f}")
    if "opencc-t2s" in rows and "pipeline-one-file" in rows:
        ratio = rows["pipeline-one-file"]["mb_per_s"] / rows["opencc-t2s"]["mb_per_s"]
        print(f"pipeline / bare OpenCC throughput: {ratio:.2f} (target ≥ 0.25)")


if __name__ == "__main__":
    main()
