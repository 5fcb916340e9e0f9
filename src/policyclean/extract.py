"""Stage 'extract': the article, or only the official document inside it.

``keep="article"`` (default): the article stays (``boilerplate`` already removed the
chrome) except a news dateline and byline glued to its first paragraph
(``C114讯 5月23日消息(兰茜)近日,…`` → ``近日,…``; rules in
``corrections/boilerplate/datelines.tsv``).

``keep="document"``: only the official document (title, body, signature, date). The
document inside a news article is found, in this order, by

1. a marker line such as ``以下是该实施意见的具体内容:`` (``markers.tsv``): the
   document starts on the next line;
2. a repeated lead: news lead paragraphs that repeat (most of) a paragraph of the
   document that follows (seed 003): the document starts after the last of them;
3. a title line after a news lead (``document_cues.tsv``): the document starts at
   the title.

When none is found, a text that reads as a document (headings, a title on top, a
closing date or signature, and no news opening) is the document itself — a second pass
over an extracted document changes nothing. Otherwise the article is returned with a
warning and ``data["document_found"] = False``. Every dropped line is reported in
``data["removed"]`` with its rule and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

# Only the first paragraphs can carry a dateline.
DATELINE_PARAGRAPHS = 3
MIN_HAN_AFTER_DATELINE = 4  # Han characters that must remain after a removed dateline
HAN = re.compile(r"[\u4e00-\u9fff]")
# A news lead is short: look for repeated lead paragraphs among the first ones only.
LEAD_MAX_PARAGRAPHS = 30
# A clause of a lead paragraph counts as repeated when it has at least this many
# characters and recurs verbatim in the document; a lead paragraph is repeated when
# such clauses cover at least LEAD_COVERAGE of its characters.
CLAUSE_MIN_LEN = 8
LEAD_COVERAGE = 0.5
LEAD_MIN_LEN = 16
# A title after a news lead must stand among the first lines.
TITLE_MAX_LINE = 6
CUE_KINDS = ("news", "title", "heading", "closing", "title-head")

_CLAUSES = re.compile(r"[^。；;！!？?，,：:\n]+")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    regex: re.Pattern[str]
    why: str
    examples: tuple[str, ...]
    where: str

    @property
    def name(self) -> str:
        return f"boilerplate/{self.where}"


@dataclass(frozen=True)
class Rules:
    markers: tuple[Rule, ...]
    datelines: tuple[Rule, ...]
    cues: Mapping[str, tuple[Rule, ...]]


def _load(path: Path, kind_column: bool) -> tuple[Rule, ...]:
    required = ("id", "kind", "pattern", "why", "example") if kind_column else ("id", "pattern", "why", "example")
    rules = []
    for row in read_tsv(path, required):
        kind = row["kind"] if kind_column else ""
        if kind_column and kind not in CUE_KINDS:
            raise TableError(f"{path}:{row.line}: kind {kind!r} is not one of {', '.join(CUE_KINDS)}")
        if not row["id"] or not row["pattern"]:
            raise TableError(f"{path}:{row.line}: a rule needs an id and a pattern")
        try:
            regex = re.compile(row["pattern"])
        except re.error as error:
            raise TableError(f"{path}:{row.line}: bad regular expression: {error}") from None
        examples = tuple(e.strip() for e in row["example"].split(" ;; ") if e.strip())
        rules.append(Rule(row["id"], kind, regex, row["why"], examples, row.where))
    return tuple(rules)


@lru_cache(maxsize=8)
def load_rules(directory: str) -> Rules:
    base = Path(directory) / "boilerplate"
    cues = _load(base / "document_cues.tsv", kind_column=True)
    return Rules(markers=_load(base / "markers.tsv", kind_column=False),
                 datelines=_load(base / "datelines.tsv", kind_column=False),
                 cues={kind: tuple(r for r in cues if r.kind == kind) for kind in CUE_KINDS})


def _first(rules: tuple[Rule, ...], line: str) -> Rule | None:
    return next((r for r in rules if r.regex.search(line)), None)


# --- finding the document ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    start: int  # index of the document's first line
    method: str  # "marker", "repeated-lead", "title"
    reasons: tuple[tuple[str, str], ...]  # (rule, why) for each dropped line 0..start-1


def find_marker(lines: list[str], rules: Rules) -> Found | None:
    """A marker line in the first half of the text, with a document after it."""
    total = sum(len(line) for line in lines)
    before = 0
    for i, line in enumerate(lines):
        if before * 2 >= total:
            break
        rule = _first(rules.markers, line) if len(line) <= 300 else None
        if rule is not None and i + 1 < len(lines):
            after = total - before - len(line)
            if after > before:
                quoted = line if len(line) <= 30 else "…" + line[-20:]
                reasons = tuple((rule.name, f"news lead before the marker {quoted!r} (line {i + 1})")
                                for _ in range(i))
                return Found(i + 1, "marker", reasons + ((rule.name, f"{rule.id}: {rule.why}"),))
        before += len(line)
    return None


def _repeat_source(line: str, full: str, offset: int, starts: list[int]) -> int | None:
    """Index of the later line that repeats most of ``line`` (searching ``full`` from ``offset``), or None."""
    clauses = _CLAUSES.findall(line)
    size = sum(len(c) for c in clauses)
    if size < LEAD_MIN_LEN:
        return None
    covered = 0
    where = None
    for clause in clauses:
        clause = clause.strip()
        if len(clause) < CLAUSE_MIN_LEN:
            continue
        at = full.find(clause, offset)
        if at >= 0:
            covered += len(clause)
            where = at if where is None else where
    if covered < LEAD_COVERAGE * size or where is None:
        return None
    # the line that holds the first repeated clause
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= where:
            lo = mid
        else:
            hi = mid - 1
    return lo


def find_repeated_lead(lines: list[str], rules: Rules) -> Found | None:
    """News lead paragraphs that repeat paragraphs of the document after them (seed 003)."""
    if len(lines) < 4:
        return None
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    full = "\n".join(lines)
    limit = min(LEAD_MAX_PARAGRAPHS, len(lines) // 2)
    repeated = [i for i in range(limit) if _repeat_source(lines[i], full, starts[i + 1], starts) is not None]
    if not repeated:
        return None
    start = repeated[-1] + 1
    # Check again against the document alone: each lead paragraph must repeat a line after the lead.
    sources = {i: _repeat_source(lines[i], full, starts[start], starts) for i in range(start)}
    hits = [i for i, s in sources.items() if s is not None]
    lead, document = lines[:start], lines[start:]
    news_top = any(_first(rules.cues["news"], line) for line in lead[:2])
    if (not hits or len(hits) * 2 < start  # most of the lead repeats the document
            or (len(hits) < 2 and not news_top)  # one repeat only counts under a news opening
            or any(_first(rules.cues["heading"], line) for line in lead)  # a lead has no section headings
            or _first(rules.cues["title"], lead[0])  # a document title on top: not a lead
            or sum(map(len, document)) <= sum(map(len, lead))):
        return None
    reasons = []
    for i in range(start):
        if sources[i] is not None:
            reasons.append(("extract:repeated-lead", f"news lead: repeats the document paragraph on line {sources[i] + 1}"))
        else:
            reasons.append(("extract:repeated-lead", f"news lead before the paragraphs that repeat the document "
                                                     f"(the document starts at line {start + 1})"))
    return Found(start, "repeated-lead", tuple(reasons))


def find_title_after_news(lines: list[str], rules: Rules) -> Found | None:
    """A document title after news lead paragraphs (the first lines read as news)."""
    if not lines or _first(rules.cues["title"], lines[0]):
        return None
    if not any(_first(rules.cues["news"], line) for line in lines[:2]):
        return None
    for i in range(1, min(TITLE_MAX_LINE + 1, len(lines) - 1)):
        rule = _first(rules.cues["title"], lines[i])
        if rule is None:
            continue
        rest = lines[i + 1:]
        if not any(_first(rules.cues["heading"], line) for line in rest):
            return None  # a title-like sentence without a document under it
        # the lines right above the title that belong to it: the issuing body alone
        # (某某省人力资源和社会保障厅), the first half of a title split over two lines (…关于印发)
        start = i
        while start > 1 and _first(rules.cues["title-head"], lines[start - 1]):
            start -= 1
        reasons = tuple((rule.name, f"news lead before the document's title {lines[i]!r} (line {i + 1})")
                        for _ in range(start))
        return Found(start, "title", reasons)
    return None


def looks_like_document(lines: list[str], rules: Rules) -> bool:
    """No news opening, and headings, a title on top or a closing line at the end."""
    if not lines or any(_first(rules.cues["news"], line) for line in lines[:2]):
        return False
    headings = sum(1 for line in lines if len(line) <= 400 and _first(rules.cues["heading"], line))
    return (headings >= 2
            or any(_first(rules.cues["title"], line) for line in lines[:3])
            or any(_first(rules.cues["closing"], line) for line in lines[-4:]))


def find_document(lines: list[str], rules: Rules) -> Found | None:
    """Where the embedded document starts, looked for again inside what was found until nothing more is.

    Repeating until a fixed point is what makes document mode idempotent: the document
    returned never holds a marker or a repeated lead that a second pass would cut at.
    """
    start, methods, reasons = 0, [], []
    while True:
        rest = lines[start:]
        found = find_marker(rest, rules) or find_repeated_lead(rest, rules) or find_title_after_news(rest, rules)
        if found is None or found.start == 0:
            break
        start += found.start
        methods.append(found.method)
        reasons.extend(found.reasons)
    if not methods:
        return None
    return Found(start, " then ".join(methods), tuple(reasons))


def _chrome(lines: list[str], config: Config) -> list[tuple[int, Any, str]]:
    """The chrome lines the boilerplate stage finds in ``lines`` (imported here: it imports this module)."""
    from . import boilerplate
    directory = str(tables_dir(config.tables_dir))
    return boilerplate.find_chrome(lines, boilerplate.load_rules(directory), load_rules(directory).cues["closing"])


def _metadata_stage() -> Any:
    """The metadata module (imported here: it imports boilerplate, which imports this module)."""
    from . import metadata

    return metadata


def _reads_as_text(rest: str) -> bool:
    """What is left after a dateline must be a paragraph, not a stub a later rule would take for chrome."""
    return len(HAN.findall(rest)) >= MIN_HAN_AFTER_DATELINE


# --- the stage --------------------------------------------------------------------------------------

def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text.strip():
        return StageResult(text)
    rules = load_rules(str(tables_dir(config.tables_dir)))
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    changes: list[Change] = []
    removed: list[dict[str, Any]] = []
    warnings: list[str] = []
    data: dict[str, Any] = {}
    summary: list[str] = []
    first = 0  # first line kept
    gone: set[int] = set()  # lines of chrome at the kept document's edges

    if config.keep == "document":
        found = find_document(lines, rules)
        if found is not None:
            first = found.start
            for i, (rule, why) in enumerate(found.reasons):
                end = min(starts[i + 1], len(text))
                changes.append(Change(starts[i], end, text[starts[i]:end], "", rule, why))
                removed.append({"stage": "extract", "rule": rule, "why": why, "line": i + 1, "text": lines[i]})
            data["document_found"] = True
            data["document"] = {"method": found.method, "first_line": first + 1, "last_line": len(lines)}
            summary.append(f"kept the embedded document (lines {first + 1}–{len(lines)}, found by "
                           f"{found.method}); dropped {first} line{'s' if first != 1 else ''} of news lead")
            # The document's first lines were body lines of the page; now they are its head, where
            # the metadata and boilerplate stages of a second pass would take a portal table and
            # chrome (a bare counter): take them now, in that order.
            table_values: dict[str, str] = {}
            metadata = _metadata_stage()
            for i, row in metadata.table_rows(lines[first:], config):
                i += first
                gone.add(i)
                rule, why = metadata.row_reason(row, config)
                end = min(starts[i + 1], len(text))
                changes.append(Change(starts[i], end, text[starts[i]:end], "", rule, why))
                removed.append({"stage": "extract", "rule": rule, "why": why, "line": i + 1, "text": lines[i]})
                for key, value in metadata.row_values(row, config).items():
                    table_values.setdefault(key, value)
            known = facts.get("metadata", {})
            if any(key not in known for key in table_values):
                data["metadata"] = {key: value for key, value in table_values.items() if key not in known}
            rest = [i for i in range(first, len(lines)) if i not in gone]
            for i, rule, why in _chrome([lines[i] for i in rest], config):
                i = rest[i]
                gone.add(i)
                end = min(starts[i + 1], len(text))
                changes.append(Change(starts[i], end, text[starts[i]:end], "", rule.name, why))
                removed.append({"stage": "extract", "rule": rule.name, "why": why, "line": i + 1, "text": lines[i]})
            if gone:
                summary.append(f"removed {len(gone)} line{'s' if len(gone) != 1 else ''} of site chrome or portal "
                               "metadata at the document's edges")
        elif looks_like_document(lines, rules):
            data["document_found"] = True
            data["document"] = {"method": "whole text", "first_line": 1, "last_line": len(lines)}
        else:
            data["document_found"] = False
            name = f"{config.source}: " if config.source else ""
            warnings.append(f"{name}keep='document': no embedded official document found (no marker such as "
                            f"'以下是…具体内容:', no lead repeating the body, no title after a news opening); "
                            f"the article is returned")

    # datelines glued to the first paragraphs kept: each of them, and again on the same line
    # until none is left, so a second pass finds nothing more to take
    for i in [i for i in range(first, len(lines)) if i not in gone][:DATELINE_PARAGRAPHS]:
        line, cut = lines[i], 0
        while True:
            rest = line[cut:]
            for rule in rules.datelines:
                found_prefix = rule.regex.match(rest)
                if found_prefix and found_prefix.end() > 0 and _reads_as_text(rest[found_prefix.end():]):
                    break
            else:
                break
            prefix = found_prefix.group(0)
            why = f"{rule.id}: {rule.why}"
            changes.append(Change(starts[i] + cut, starts[i] + cut + len(prefix), prefix, "", rule.name, why))
            removed.append({"stage": "extract", "rule": rule.name, "why": why, "line": i + 1, "text": prefix})
            summary.append(f"removed the dateline {prefix.strip()!r} from line {i + 1}")
            cut += len(prefix)

    if not changes:
        return StageResult(text, (), tuple(warnings), data, "")
    changes.sort(key=lambda change: change.start)
    removed.sort(key=lambda entry: entry["line"])
    # the text outside the removed spans (Changes are in order and do not overlap)
    pieces = []
    position = 0
    for change in changes:
        pieces.append(text[position:change.start])
        position = change.end
    pieces.append(text[position:])
    data["removed"] = removed
    return StageResult("".join(pieces), tuple(changes), tuple(warnings), data, "; ".join(summary))
