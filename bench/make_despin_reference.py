"""Regenerate corrections/despin/reference/: clean in-domain reference text.

The de-spin scorer counts character n-grams in these files, and `policyclean table lint`
reports table entries that would fire on them. Sources: the clean seeds (000 and 001 are
Simplified already; 002 and 004 were naively converted to Traditional, so they are
converted back with OpenCC t2s) and the hand restoration of seed 003
(tests/expected/003.restored.txt: the official text of the eight-ministry notice).
Run from the repository root:  python bench/make_despin_reference.py
"""

from __future__ import annotations

from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {"000_98647be4b4f94998.txt": False, "001_c9f7ed731d385643.txt": False,
         "002_f98fe54d3787eb79.txt": True, "004_12ff21ec68cac506.txt": True}


def main() -> None:
    out = ROOT / "corrections" / "despin" / "reference"
    out.mkdir(parents=True, exist_ok=True)
    t2s = opencc.OpenCC("t2s")
    for name, traditional in SEEDS.items():
        text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
        if traditional:
            text = t2s.convert(text)
        # one paragraph per line, no blank lines: the shape the stage sees
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        target = out / f"seed_{name[:3]}.txt"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {sum(map(len, lines))} characters")
    restored = ROOT / "tests" / "expected" / "003.restored.txt"
    if restored.exists():
        # its first two lines are the farm's headline and date line, not the notice
        lines = [line.strip() for line in restored.read_text(encoding="utf-8").splitlines() if line.strip()][2:]
        target = out / "seed_003_restored.txt"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {sum(map(len, lines))} characters")


if __name__ == "__main__":
    main()
