"""Stage 'decode' (placeholder until implemented: UTF-8 only)."""

from __future__ import annotations

from .model import Config, StageResult


def decode(data: bytes, config: Config) -> StageResult:
    return StageResult(data.decode("utf-8"), data={"encoding": "utf-8", "confidence": 1.0})
