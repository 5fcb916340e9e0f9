"""Stage 'script' (placeholder until implemented: returns the text unchanged)."""

from __future__ import annotations

from typing import Any, Mapping

from .model import Config, StageResult


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    return StageResult(text)
