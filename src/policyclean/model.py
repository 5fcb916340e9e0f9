"""The data every stage shares: the configuration, one edit, a stage's result, the report.

A stage is a pure function ``run(text, config, facts) -> StageResult``:
- ``text`` is the document as the previous stage left it (after ``normalise``:
  one paragraph per line, lines joined by "\\n", a final "\\n" when non-empty);
- ``config`` is the frozen :class:`Config`;
- ``facts`` is a read-only mapping of what earlier stages found (their
  ``StageResult.data`` merged in order), e.g. ``facts["metadata"]``.
It returns the new text, every edit it made, warnings for a person, and data
for later stages and the report. Stages never mutate their inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, Mapping, NamedTuple


@dataclass(frozen=True)
class Config:
    """How to clean. Frozen: pass overrides to :func:`policyclean.clean` as keywords."""

    # decoding
    encoding: str | None = None  # force the input encoding instead of detecting it
    errors: Literal["strict", "replace"] = "strict"  # "replace": decode anyway, report how many bytes
    html: Literal["auto", "always", "never"] = "auto"  # extract the main text from HTML input
    # repair and normalisation
    mojibake: bool = True
    t2s: Literal["auto", "always", "never"] = "auto"  # auto: convert only paragraphs detected Traditional
    region: Literal["none", "tw", "hk"] = "none"  # read Traditional as Taiwan/HK phrasing (OpenCC tw2sp/hk2s)
    punct: Literal["chinese", "keep"] = "chinese"
    spaces: Literal["collapse", "keep"] = "collapse"  # keep: space runs inside a line stay (aligned tables)
    # de-spinning
    despin: bool = True
    despin_profiles: tuple[str, ...] = ()  # () = every profile shipped in corrections/despin/
    despin_threshold: float | None = None  # None = each profile's own threshold
    # boilerplate, extraction, placeholders
    boilerplate: bool = True
    keep: Literal["article", "document"] = "article"
    placeholders: tuple[tuple[str, str], ...] = ()  # (placeholder, replacement) pairs given by the caller
    # where the correction tables live; None = the ones shipped with policyclean
    tables_dir: str | None = None
    # the input's name, used in messages ("seeds/002.txt: ...")
    source: str | None = None
    # how many Changes each step of the report keeps (None = all; the count stays exact).
    # Large corpora that only need the text use 0: less memory, and bulk stages go faster.
    max_changes: int | None = None

    def with_overrides(self, **overrides: Any) -> "Config":
        """A copy with ``overrides`` applied; unknown names and bad values raise ValueError."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown option(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if "placeholders" in overrides and isinstance(overrides["placeholders"], Mapping):
            overrides["placeholders"] = tuple(overrides["placeholders"].items())
        if "despin_profiles" in overrides and isinstance(overrides["despin_profiles"], str):
            overrides["despin_profiles"] = (overrides["despin_profiles"],)
        new = replace(self, **overrides)
        new.validate()
        return new

    def validate(self) -> None:
        choices = {
            "errors": ("strict", "replace"),
            "html": ("auto", "always", "never"),
            "t2s": ("auto", "always", "never"),
            "region": ("none", "tw", "hk"),
            "punct": ("chinese", "keep"),
            "spaces": ("collapse", "keep"),
            "keep": ("article", "document"),
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, allowed))}")
        if self.max_changes is not None and (not isinstance(self.max_changes, int) or self.max_changes < 0):
            raise ValueError(f"max_changes={self.max_changes!r} must be None or a whole number ≥ 0")


class Change(NamedTuple):
    """One edit: ``before`` at ``start:end`` of the stage's input text became ``after``.

    A NamedTuple rather than a dataclass: bulk stages make hundreds of thousands of
    these on large inputs, and a tuple is about three times cheaper to create.
    """

    start: int
    end: int
    before: str
    after: str
    rule: str  # what made the edit: a rule name or a table entry such as "despin/thesaurus/table.tsv:12"
    why: str = ""  # a short reason in words

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "before": self.before, "after": self.after,
                "rule": self.rule, "why": self.why}


@dataclass(frozen=True)
class StageResult:
    """What one stage returns."""

    text: str
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)  # facts for later stages and the report
    summary: str = ""  # one line in words for --explain, e.g. "converted 41 Traditional paragraphs"
    # How many changes were made when a stage, asked for none (Config.max_changes == 0),
    # counted them without building Change records; None = len(changes).
    count: int | None = None


@dataclass(frozen=True)
class Step:
    """A stage that changed something, as it appears in the report."""

    name: str
    summary: str
    changes: tuple[Change, ...]  # all of them, or the first Config.max_changes
    data: Mapping[str, Any] = field(default_factory=dict)
    total: int | None = None  # how many changes were made; None = len(changes)

    @property
    def count(self) -> int:
        return len(self.changes) if self.total is None else self.total

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary, "count": self.count,
                "changes": [c.to_dict() for c in self.changes], "data": _jsonable(self.data)}


@dataclass(frozen=True)
class Result:
    """The cleaned text and the report of how it was made."""

    text: str
    encoding: str | None  # what the input bytes were decoded as; None for str input
    confidence: float | None
    script: str  # "simplified", "traditional", "mixed" or "none" (no Han text)
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]
    metadata: Mapping[str, Any]
    facts: Mapping[str, Any] = field(default_factory=dict)  # everything the stages found

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    @property
    def removed(self) -> tuple[Mapping[str, Any], ...]:
        """Lines taken out of the text (site chrome, article lead, metadata table), with the rule."""
        return tuple(self.facts.get("removed", ()))

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"encoding": self.encoding, "confidence": self.confidence, "script": self.script,
                "steps": [s.to_dict() for s in self.steps], "warnings": list(self.warnings),
                "metadata": _jsonable(self.metadata), "removed": _jsonable(list(self.removed))}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
