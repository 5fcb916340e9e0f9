"""Self-check of the de-spin engine, and its speed.

1. Spin the clean seeds (corrections/despin/reference/: seeds 000, 001, 002, 004 after
   t2s) with the *forward* direction of a profile's table — the approved, context-free
   rows read original → spun, applied in one leftmost-longest pass like the real spinner —
   then run the despin stage on the result and measure the character error rate (CER)
   against the clean text.
   The table was curated from seed 003, so this measures the ENGINE (gate, one-pass
   restorer, context rows, scorer for ambiguous forms), not the table's coverage of
   the real spinner: a word the table does not know is neither spun nor restored here.
   The scorer's n-gram evidence comes from these same reference texts, so each seed is
   restored with the reference texts of the OTHER seeds only (leave-one-out).
2. Speed: restore throughput on a large text (the seeds repeated to ~--mb MB), spun and
   clean, compared with OpenCC t2s on the same text.

    python bench/despin_selfcheck.py [--profile thesaurus] [--tables DIR] [--mb 20]
"""

from __future__ import annotations

import argparse
import difflib
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from policyclean import despin  # noqa: E402
from policyclean.model import Config  # noqa: E402
from policyclean.spintable import Spinner, despin_dir, load_profiles  # noqa: E402


def edits(a: str, b: str) -> int:
    """Character edits between a and b, line by line (difflib alignment of each differing line)."""
    total = 0
    for la, lb in zip(a.split("\n"), b.split("\n")):
        if la == lb:
            continue
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
            if tag != "equal":
                total += max(i2 - i1, j2 - j1)
    return total + abs(a.count("\n") - b.count("\n"))


def _without(config: Config, name: str, scratch: Path) -> Config:
    """A copy of the tables whose reference/ lacks ``name`` (leave-one-out for the scorer)."""
    target = scratch / name
    if not target.exists():
        shutil.copytree(despin_dir(config.tables_dir).parent, target)
        (target / "despin" / "reference" / name).unlink()
    return Config(tables_dir=str(target))


def selfcheck(config: Config, profile_name: str) -> tuple[int, int, int]:
    profile = load_profiles(config, [profile_name])[0]
    spinner = Spinner(profile.entries)
    print(f"profile {profile.name}: {sum(e.status == 'approved' for e in profile.entries)} approved rows, "
          f"{len(spinner.forward)} usable forward (original → spun) pairs")
    print("NOTE: the table is built from seed 003; spinning the clean seeds with its own forward pairs "
          "measures the engine, not the table's coverage.")
    total_chars = total_spun = total_left = 0
    scratch = Path(tempfile.mkdtemp(prefix="despin-selfcheck-"))
    for path in sorted((despin_dir(config.tables_dir) / "reference").glob("*.txt")):
        if "003" in path.name:
            continue  # the table's own source: not a self-check (it still serves as scorer evidence)
        clean = path.read_text(encoding="utf-8")
        spun = spinner.spin(clean)
        result = despin.run(spun, _without(config, path.name, scratch), {})
        data = result.data.get("despin", {})
        before, after = edits(spun, clean), edits(result.text, clean)
        total_chars += len(clean)
        total_spun += before
        total_left += after
        print(f"  {path.name}: {len(clean)} chars; spun CER {before / len(clean):.2%} → restored CER {after / len(clean):.2%} "
              f"({after} edits); gate score {data.get('score')} spun={data.get('spun')}; "
              f"{len(result.changes)} substitutions, {len(data.get('unresolved', []))} unresolved, "
              f"paragraphs kept {data.get('paragraphs_kept', [])}")
        if after and "-v" in sys.argv:
            for la, lb in zip(result.text.split("\n"), clean.split("\n")):
                if la != lb:
                    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
                        if tag != "equal":
                            print(f"      {la[max(0, i1 - 6):i2 + 6]!r} should be {lb[max(0, j1 - 6):j2 + 6]!r}")
        # and the clean text itself must pass unchanged
        untouched = despin.run(clean, config, {})
        if untouched.text != clean:
            print(f"  !! {path.name}: the clean text was changed ({len(untouched.changes)} changes)")
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"ALL (scorer evidence leave-one-out): {total_chars} chars; spun CER {total_spun / total_chars:.2%}; "
          f"restored CER {total_left / total_chars:.3%} ({total_left} character edits left)")
    return total_chars, total_spun, total_left


def speed(config: Config, profile_name: str, megabytes: float) -> None:
    profile = load_profiles(config, [profile_name])[0]
    spinner = Spinner(profile.entries)
    clean_unit = "\n".join(p.read_text(encoding="utf-8").rstrip("\n")
                           for p in sorted((despin_dir(config.tables_dir) / "reference").glob("*.txt")) if "003" not in p.name) + "\n"
    seed3 = ROOT / "seeds" / "003_3f0afe50fd1fbd10.txt"
    spun_unit = spinner.spin(clean_unit)
    if seed3.exists():
        spun_unit += "\n".join(l.strip() for l in seed3.read_text(encoding="utf-8").splitlines() if l.strip()) + "\n"
    repeat = max(1, int(megabytes * 1e6 / len(clean_unit.encode("utf-8"))))
    clean = clean_unit * repeat
    spun = spun_unit * max(1, int(megabytes * 1e6 / len(spun_unit.encode("utf-8"))))
    t0 = time.perf_counter()
    profile.restorer  # noqa: B018 — compile once (already cached by the selfcheck above in one process)
    compile_time = time.perf_counter() - t0

    def timed(label: str, func, text: str) -> float:
        t = time.perf_counter()
        out = func(text)
        elapsed = time.perf_counter() - t
        mb = len(text.encode("utf-8")) / 1e6
        print(f"  {label}: {mb:.1f} MB in {elapsed:.2f} s = {mb / elapsed:.1f} MB/s")
        return out

    print(f"speed (table compiled in {compile_time * 1000:.1f} ms, cached per process):")
    timed("despin.run on clean text (gate only)", lambda t: despin.run(t, config, {}), clean)
    timed("restorer.scan alone on spun text (matching, no report)", lambda t: len(profile.restorer.scan_tuples(t)), spun)
    gc.collect()
    r = timed("despin.run on spun text (gate + restore + a Change per substitution)", lambda t: despin.run(t, config, {}), spun)
    print(f"    {len(r.changes)} substitutions, {len(r.data['despin']['unresolved'])} unresolved")
    del r
    gc.collect()
    try:
        import opencc
        converter = opencc.OpenCC("t2s")
        timed("OpenCC t2s on the spun text, for comparison", converter.convert, spun)
    except ImportError:
        print("  (opencc not installed: no comparison)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="thesaurus")
    parser.add_argument("--tables", help="a copy of corrections/")
    parser.add_argument("--mb", type=float, default=20.0, help="size of the speed test text (default 20 MB)")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("-v", action="store_true", help="print every remaining difference")
    args = parser.parse_args()
    config = Config(tables_dir=args.tables)
    selfcheck(config, args.profile)
    if not args.no_speed:
        speed(config, args.profile, args.mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
