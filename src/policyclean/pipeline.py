"""The one place the stages are composed, in order, into :func:`clean`."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Mapping

from . import (boilerplate, decode, despin, extract, htmlextract, metadata, mojibake, normalise,
               pinyin, placeholders, punct, script)
from .model import Config, Result, StageResult, Step

StageFunction = Callable[[str, Config, Mapping[str, Any]], StageResult]

# (name, function, whether the config asks for it). The order is the design:
# text must be decoded and extracted from HTML before anything reads it; mojibake is
# repaired before normalisation could disturb its byte patterns; paragraphs are
# Simplified before the spinner's (Simplified) table is matched. De-spinning comes after
# every stage that removes lines or replaces words, so its gate judges on the first pass
# the very text it would judge on a second (a gate that scored lines later removed as
# chrome could decide differently the second time). Punctuation is last, so every rule
# before it sees one form of the text (and the gate ignores punctuation).
STAGES: tuple[tuple[str, StageFunction, Callable[[Config], bool]], ...] = (
    ("html", htmlextract.run, lambda c: c.html != "never"),
    ("mojibake", mojibake.run, lambda c: c.mojibake),
    ("normalise", normalise.run, lambda c: True),
    ("pinyin", pinyin.run, lambda c: True),
    ("t2s", script.run, lambda c: True),  # always detects the script; converts unless t2s="never"
    ("metadata", metadata.run, lambda c: True),
    ("boilerplate", boilerplate.run, lambda c: c.boilerplate),
    ("extract", extract.run, lambda c: True),
    ("placeholders", placeholders.run, lambda c: True),
    ("despin", despin.run, lambda c: c.despin),
    ("punct", punct.run, lambda c: c.punct != "keep"),
)

DEFAULT_CONFIG = Config()


def clean(data: bytes | str, config: Config | None = None, **overrides: Any) -> Result:
    """Clean one document.

    ``data`` is bytes in any encoding (detected, or forced with ``encoding=``) or a str.
    Keyword ``overrides`` change single options of ``config`` (default :class:`Config`).
    Raises :class:`policyclean.DecodeError` for bytes that are not text.
    """
    config = config or DEFAULT_CONFIG
    if overrides:
        config = config.with_overrides(**overrides)
    steps: list[Step] = []
    warnings: list[str] = []
    facts: dict[str, Any] = {}

    if isinstance(data, (bytes, bytearray, memoryview)):
        decoded = decode.decode(bytes(data), config)
        _record("decode", decoded, steps, warnings, facts, config.max_changes)
        text = decoded.text
    elif isinstance(data, str):
        text = data
    else:
        raise TypeError(f"clean() takes bytes or str, not {type(data).__name__}")

    for name, function, wanted in STAGES:
        if not wanted(config):
            continue
        result = function(text, config, MappingProxyType(facts))
        _record(name, result, steps, warnings, facts, config.max_changes, changed=result.text != text)
        text = result.text

    return Result(
        text=text,
        encoding=facts.get("encoding"),
        confidence=facts.get("confidence"),
        script=facts.get("script", "none"),
        steps=tuple(steps),
        warnings=tuple(warnings),
        metadata=dict(facts.get("metadata", {})),
        facts=facts,  # plain dicts, so a Result pickles across worker processes
    )


def _record(name: str, result: StageResult, steps: list[Step], warnings: list[str],
            facts: dict[str, Any], max_changes: int | None, changed: bool = True) -> None:
    """Fold one stage's result into the report and the facts later stages see."""
    count = len(result.changes) if result.count is None else result.count
    if count or (changed and result.summary):
        kept = result.changes if max_changes is None else result.changes[:max_changes]
        steps.append(Step(name, result.summary or f"{count} change(s)", kept, dict(result.data), count))
    warnings.extend(result.warnings)
    for key, value in result.data.items():
        # lists accumulate across stages (e.g. "removed" lines); mappings merge; the rest is replaced
        if isinstance(value, (list, tuple)) and isinstance(facts.get(key), (list, tuple)):
            facts[key] = tuple(facts[key]) + tuple(value)
        elif isinstance(value, Mapping) and isinstance(facts.get(key), Mapping):
            facts[key] = {**facts[key], **value}
        else:
            facts[key] = value
