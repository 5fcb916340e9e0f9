"""Seed text prepared the way the stages before metadata leave it, for stage-level tests.

Stripped lines without blank ones (normalise) and, for every line, bare OpenCC t2s (the
seeds 002 and 004 are Traditional; t2s leaves the Simplified seeds' lines as they are).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import opencc

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def prepared(name: str) -> str:
    """Seed ``name`` (a file name in seeds/) one paragraph per line, Simplified."""
    lines = (_t2s().convert(line.strip()) for line in (SEEDS / name).read_text(encoding="utf-8").split("\n"))
    return "".join(line + "\n" for line in lines if line)
