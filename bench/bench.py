"""Throughput and peak memory of policyclean against bare OpenCC t2s and ftfy.

    python bench/bench.py            # 50 MB corpus (the seeds, Simplified and Traditional mixed)
    python bench/bench.py --mb 10    # a quicker run
    python bench/bench.py --stages   # seconds per stage of one pipeline pass
    python bench/bench.py --stages --records   # ... with every change recorded (as --report does)

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


CLEAN = sorted((ROOT / "tests" / "expected").glob("*.document.txt"))
CORPUS = {"seeds": SEEDS, "clean": CLEAN}
corpus_files = SEEDS  # set by --corpus


def build_corpus(megabytes: float) -> bytes:
    documents = [path.read_bytes().rstrip(b"\n") + b"\n\n" for path in corpus_files]
    unit = b"".join(documents)
    repeats = max(1, int(megabytes * 1_000_000 // len(unit)) + 1)
    return unit * repeats


def measure(kind: str, megabytes: float) -> dict:
    """Run in a child process: build the corpus, time one pass of `kind` over it."""
    corpus = build_corpus(megabytes)
    text = corpus.decode("utf-8")
    documents = [path.read_bytes() for path in corpus_files]
    run = prepare(kind, corpus, text, documents)
    run_small = prepare(kind, b"".join(documents), b"".join(documents).decode("utf-8"), documents[:1])
    run_small()  # load tables and converters outside the timed pass
    # a command-line run's memory is its own process's (the last child waited for)
    who = resource.RUSAGE_CHILDREN if kind.startswith("cli") else resource.RUSAGE_SELF
    baseline = 0 if kind.startswith("cli") else resource.getrusage(who).ru_maxrss
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(who).ru_maxrss
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
    if kind == "pipeline-no-records":
        import policyclean
        return lambda: policyclean.clean(corpus, max_changes=0)
    if kind == "stage-t2s":
        from policyclean import script
        from policyclean.model import Config
        return lambda: script.run(text, Config(), {})
    if kind == "stage-despin":
        from policyclean import despin
        from policyclean.model import Config
        return lambda: despin.run(text, Config(), {})
    if kind in ("cli-one-file", "cli-stream"):
        # the command a user runs, start-up and file writing included
        import tempfile
        folder = Path(tempfile.mkdtemp(prefix="policyclean-bench-"))
        source = folder / "corpus.txt"
        source.write_bytes(corpus)
        command = [sys.executable, "-m", "policyclean", "clean", str(source), "-o", str(folder / "out.txt"), "--force"]
        if kind == "cli-stream":
            command.append("--stream")
        return lambda: subprocess.run(command, check=True)
    if kind == "opencc-t2s":
        import opencc
        converter = opencc.OpenCC("t2s")
        return lambda: converter.convert(text)
    if kind == "ftfy":
        import ftfy
        return lambda: ftfy.fix_text(text)
    raise SystemExit(f"unknown measurement {kind}")


def stage_times(megabytes: float, records: bool) -> None:
    """Seconds per stage of one pipeline pass over the corpus (as one file).

    Without ``records`` the stages only count their changes (``max_changes=0``, what the CLI
    does unless --explain or --report asks for them)."""
    from types import MappingProxyType

    import policyclean
    from policyclean import decode, pipeline
    from policyclean.model import Config

    corpus = build_corpus(megabytes)
    policyclean.clean(b"".join(path.read_bytes() for path in corpus_files))  # load tables outside the timing
    config = Config(max_changes=None if records else 0)
    start = time.perf_counter()
    result = decode.decode(corpus, config)
    rows = [("decode", time.perf_counter() - start, len(result.changes))]
    text, facts = result.text, {}
    for name, function, wanted in pipeline.STAGES:
        if not wanted(config):
            continue
        start = time.perf_counter()
        result = function(text, config, MappingProxyType(facts))
        rows.append((name, time.perf_counter() - start, result.count if result.count is not None else len(result.changes)))
        facts.update(result.data)
        text = result.text
    total = sum(seconds for _, seconds, _ in rows)
    print(f"seconds per stage, one pass over {len(corpus) / 1e6:.1f} MB, {'every change recorded' if records else 'changes counted'}"
          f" (total {total:.2f} s, {len(corpus) / 1e6 / total:.1f} MB/s)")
    for name, seconds, changes in rows:
        print(f"  {name:12} {seconds:6.2f} s  {len(corpus) / 1e6 / max(seconds, 1e-9):8.1f} MB/s  {changes:8d} changes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    parser.add_argument("--only", action="append", help="run only these measurements")
    parser.add_argument("--stages", action="store_true", help="print the seconds each stage takes instead")
    parser.add_argument("--records", action="store_true",
                        help="with --stages: record every change (as --report does), not only count them")
    parser.add_argument("--corpus", choices=sorted(CORPUS), default="seeds",
                        help="seeds: the damaged seeds (every stage has work); clean: the hand-checked clean "
                             "documents (Simplified, Chinese punctuation: the stages should find nothing to do)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global corpus_files
    corpus_files = CORPUS[args.corpus]
    if args.stages:
        stage_times(args.mb, args.records)
        return
    if args.child:
        print(json.dumps(measure(args.child, args.mb)))
        return
    kinds = args.only or ["opencc-t2s", "pipeline-one-file", "pipeline-no-records", "pipeline-per-document",
                          "cli-one-file", "cli-stream", "stage-t2s", "stage-despin", "ftfy"]
    print(f"corpus: {args.corpus} ({len(corpus_files)} files) concatenated to {args.mb:g} MB (UTF-8); one process per row")
    print(f"{'measurement':24} {'MB':>7} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    rows = {}
    for kind in kinds:
        output = subprocess.run([sys.executable, __file__, "--mb", str(args.mb), "--corpus", args.corpus, "--child", kind],
                                capture_output=True, text=True)
        if output.returncode:
            print(f"{kind:24} failed: {output.stderr.strip().splitlines()[-1] if output.stderr else output.returncode}")
            continue
        row = json.loads(output.stdout)
        rows[kind] = row
        print(f"{kind:24} {row['mb']:7.1f} {row['seconds']:8.2f} {row['mb_per_s']:8.1f} {row['peak_rss_mb']:12.0f}")
    for kind, what in (("pipeline-one-file", "every change recorded"), ("pipeline-no-records", "changes counted, as the CLI")):
        if "opencc-t2s" in rows and kind in rows:
            ratio = rows[kind]["mb_per_s"] / rows["opencc-t2s"]["mb_per_s"]
            print(f"pipeline ({what}) / bare OpenCC throughput: {ratio:.2f} (target ≥ 0.25)")


if __name__ == "__main__":
    main()
