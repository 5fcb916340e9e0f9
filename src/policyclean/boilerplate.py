"""Stage 'boilerplate': remove the site chrome a reposting site put around the article.

Source lines, view counters, editor credits, ``THE END``, copyright notices, comment
widgets, page buttons, clickbait heads... The rules live in
``corrections/boilerplate/chrome.tsv`` (see the README there). Each rule matches a
*whole line* and applies in a zone:

- ``head``: the lines before the first body paragraph;
- ``tail``: the lines after the last body paragraph;
- ``edge``: head or tail;
- ``tail-list``: the tail, but only below a removed line (a run of them counts): items a
  document's own list could hold (``· 申报表``) are related links only under other chrome;
- ``anywhere``: every line.

A rule's *extent* is ``line`` (the line), ``rest`` (the line and the rest of the tail: a list
of links) or ``comments`` (a comment section's header: with a commenter's line below it, the
header and everything after it, although comments hold sentences; see ``_comment_section``).

A *body paragraph* (an anchor) is a line that no rule matches and that reads as prose
(long, or a sentence ending in 。). Lines between the first and the last anchor are the
article's body and only ``anywhere`` rules can touch them; so a document's own short
lines (its date ``2025年12月19日``, its signature ``江苏省人民政府``) stay, and a body
sentence that merely contains 来源 or 评论 is never a whole-line match.

Removing matched lines never changes which lines are anchors, so a second pass removes
nothing more (idempotent).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .extract import load_rules as load_document_rules
from .model import Change, Config, StageResult

ZONES = ("head", "tail", "tail-list", "edge", "anywhere")
EXTENTS = ("line", "rest", "comments")
# A comment section (extent "comments") is looked for in the last lines of a page only.
COMMENT_REACH = 80
COLUMNS = ("id", "zone", "extent", "match", "pattern", "fact", "why", "example")

# No rule matches a line longer than this (rules are for short chrome lines); longer
# lines are never tested, which keeps the stage fast on long documents.
MAX_CHROME_LEN = 240
# A line that no rule matches is body prose when it is at least this long...
PROSE_MIN_LEN = 40
# ...or when it is a sentence of at least this length ending with one of these marks.
SENTENCE_MIN_LEN = 12
_SENTENCE_END = ("。", "！", "？", "；", "!", "?", ";")
# How a document's own paragraphs end; a headline ends in ？ or ！ or not at all. The body ends
# at the last anchor ending so: a long headline or chrome line below it does not shield the
# chrome above it (a related-reading block, credits) from the tail rules.
_PARAGRAPH_END = ("。", "；", ";")

_DATE_PARTS = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


@dataclass(frozen=True)
class ChromeRule:
    id: str
    zone: str
    extent: str
    regex: re.Pattern[str]
    fact: str
    why: str
    examples: tuple[str, ...]
    where: str  # "chrome.tsv:12"

    @property
    def name(self) -> str:
        return f"boilerplate/{self.where}"


class ChromeRules(tuple):
    """The rules in file order, and ``any_line``: one regex that fullmatches exactly the lines
    some rule fullmatches (their union), so a line no rule matches costs one C-level test."""

    any_line: re.Pattern[str] | None = None
    comment_headers: tuple[ChromeRule, ...] = ()  # the rules of extent "comments"


_GLOBAL_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _union(sources: list[str]) -> re.Pattern[str] | None:
    """One alternation of the rule patterns: a leading ``(?i)`` becomes a scoped ``(?i:…)`` and
    named groups become plain ones (names may repeat across rules); the language is the union.
    None when a pattern does not allow this (a back-reference), so each rule is tried in turn."""
    parts = []
    for source in sources:
        if "(?P=" in source or re.search(r"\\[1-9]", source):
            return None
        flags = _GLOBAL_FLAGS.match(source)
        body = _NAMED_GROUP.sub("(?:", source[flags.end():] if flags else source)
        parts.append(f"(?{flags.group(1)}:{body})" if flags else f"(?:{body})")
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


@lru_cache(maxsize=8)
def load_rules(directory: str) -> ChromeRules:
    """The chrome rules of ``<directory>/boilerplate/chrome.tsv``, compiled, in file order."""
    path = Path(directory) / "boilerplate" / "chrome.tsv"
    rules = []
    sources: list[str] = []
    seen: set[str] = set()
    for row in read_tsv(path, COLUMNS):
        rule_id, zone, extent, match = row["id"], row["zone"], row["extent"] or "line", row["match"] or "regex"
        if not rule_id or rule_id in seen:
            raise TableError(f"{path}:{row.line}: missing or repeated rule id {rule_id!r}")
        seen.add(rule_id)
        if zone not in ZONES:
            raise TableError(f"{path}:{row.line}: zone {zone!r} is not one of {', '.join(ZONES)}")
        if extent not in EXTENTS:
            raise TableError(f"{path}:{row.line}: extent {extent!r} is not one of {', '.join(EXTENTS)}")
        if match not in ("regex", "literal"):
            raise TableError(f"{path}:{row.line}: match {match!r} is not 'regex' or 'literal'")
        if not row["pattern"]:
            raise TableError(f"{path}:{row.line}: empty pattern")
        source = re.escape(row["pattern"]) if match == "literal" else row["pattern"]
        try:
            regex = re.compile(source)
        except re.error as error:
            raise TableError(f"{path}:{row.line}: bad regular expression: {error}") from None
        if row["fact"] and "value" not in regex.groupindex:
            raise TableError(f"{path}:{row.line}: fact {row['fact']!r} needs a (?P<value>...) group in the pattern")
        examples = tuple(e.strip() for e in row["example"].split(" ;; ") if e.strip())
        rules.append(ChromeRule(rule_id, zone, extent, regex, row["fact"], row["why"], examples, row.where))
        sources.append(source)
    result = ChromeRules(rules)
    result.any_line = _union(sources)
    result.comment_headers = tuple(rule for rule in rules if rule.extent == "comments")
    return result


# Emoji, dingbats and arrows that sites sprinkle over chrome (📰 来源丨…, 👍 点赞 ⭐ 收藏, ↓↓↓ 点击…).
# A line that no rule matches is tried again with each run of them (and the spaces around it)
# read as one space, so rules need not list every pictograph. Document lines do not carry them.
_DECORATION = re.compile(r"\s*[\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d\u20e3]+\s*")


def match_line(line: str, rules: tuple[ChromeRule, ...]) -> ChromeRule | None:
    """The first rule whose pattern matches the whole ``line`` (or the line read without its
    decoration, see ``_DECORATION``), or None."""
    return next(matching_rules(line, rules), None)


def matching_rules(line: str, rules: tuple[ChromeRule, ...]) -> Iterator[ChromeRule]:
    """Every rule that matches the whole ``line``, in file order; then those that match it read
    without its decoration."""
    if len(line) > MAX_CHROME_LEN:
        return
    readings = [line]
    if _DECORATION.search(line):
        plain = _DECORATION.sub(" ", line).strip()
        if plain and plain != line:
            readings.append(plain)
    any_line = getattr(rules, "any_line", None)
    for reading in readings:
        if any_line is not None and not any_line.fullmatch(reading):
            continue
        for rule in rules:
            if rule.regex.fullmatch(reading):
                yield rule


def is_prose(line: str) -> bool:
    """A line that reads as a body paragraph (when no chrome rule matches it)."""
    return len(line) >= PROSE_MIN_LEN or (len(line) >= SENTENCE_MIN_LEN and line.endswith(_SENTENCE_END))


def find_chrome(lines: list[str], rules: tuple[ChromeRule, ...],
                closing: tuple[Any, ...] = ()) -> list[tuple[int, ChromeRule, str]]:
    """``(index, rule, why)`` of every line of ``lines`` to remove, in order.

    Only the head (up to the first body paragraph) and the tail (from the last body paragraph,
    or from the last sentence for a trailing list of links) are matched against the rules
    unless a rule applies anywhere: the cost does not grow with the body of a long text.
    """
    matched: dict[int, ChromeRule | None] = {}

    def rule_of(i: int) -> ChromeRule | None:
        if i not in matched:
            matched[i] = match_line(lines[i], rules)
        return matched[i]

    def is_anchor(i: int) -> bool:
        return is_prose(lines[i]) and rule_of(i) is None

    first = next((i for i in range(len(lines)) if is_anchor(i)), len(lines))
    # the comments hold sentences: below a comment section's header the body cannot go on
    comments = _comment_section(lines, first, rule_of, closing, getattr(rules, "comment_headers", rules))
    end = len(lines) if comments is None else comments
    last = next((i for i in range(end - 1, first - 1, -1)
                 if is_anchor(i) and lines[i].rstrip().endswith(_PARAGRAPH_END)), -1)
    if last < 0:
        last = next((i for i in range(end - 1, first - 1, -1) if is_anchor(i)), -1)
    # Without any body paragraph, every line is at the page's edge.
    if any(rule.zone == "anywhere" for rule in rules):
        scan = range(len(lines))
    else:
        last_sentence = next((i for i in range(len(lines) - 1, -1, -1)
                              if lines[i].rstrip().endswith(_PARAGRAPH_END)), -1)
        tail_from = max(first + 1, min(last + 1, last_sentence + 1)) if last >= 0 else first + 1
        scan = list(range(min(first, len(lines)))) + list(range(tail_from, len(lines)))
    matched_lines = [(i, rule_of(i)) for i in scan]

    removed: list[tuple[int, ChromeRule, str]] = []
    gone: set[int] = set()

    def in_tail(i: int, rule: ChromeRule) -> bool:
        return i > last or (rule.extent == "rest" and i > first and not any(
            line.rstrip().endswith(_PARAGRAPH_END) for line in lines[i + 1:]))  # a list of links after the body

    def applies(i: int, rule: ChromeRule) -> bool:
        zone, head, tail = rule.zone, i < first, in_tail(i, rule)
        return (zone == "anywhere" or (zone == "head" and head) or (zone == "tail" and tail)
                or (zone == "edge" and (head or tail))
                or (zone == "tail-list" and tail and _below_removed(lines, i, gone)))

    rest_from: tuple[int, ChromeRule] | None = None
    for i, rule in matched_lines:
        if rest_from is not None:
            start, block = rest_from
            if any(cue.regex.search(lines[i]) for cue in closing):
                continue  # the document's own date or signature line is never "the rest" of a link block
            removed.append((i, block, f"{block.id}: after the line {start + 1} ({block.why})"))
            gone.add(i)
            continue
        if rule is None:
            continue
        # the first rule that matches names the line; when it does not apply here (a tail rule
        # at the top), the next matching rule that does (▲图片来源：… is an image credit on top)
        if not applies(i, rule):
            rule = next((other for other in matching_rules(lines[i], rules) if other is not rule and applies(i, other)),
                        None)
            if rule is None:
                continue
        removed.append((i, rule, f"{rule.id}: {rule.why}"))
        gone.add(i)
        if (rule.extent == "rest" and in_tail(i, rule)) or (rule.extent == "comments" and i == comments):
            rest_from = (i, rule)
    return removed


def _comment_section(lines: list[str], first: int, rule_of: Any, closing: tuple[Any, ...],
                     headers: tuple[ChromeRule, ...]) -> int | None:
    """The line of a comment section's header (a rule of extent "comments") in the last
    COMMENT_REACH lines, below the first body paragraph, when a commenter's line (a rule whose
    id starts with "comment") follows it and no closing line of the document (its date,
    signature) stands anywhere below it; else None."""
    for i in range(max(first + 1, len(lines) - COMMENT_REACH), len(lines)):
        # a cheap look first: only a line some header rule matches is matched against every rule
        if not any(header.regex.fullmatch(lines[i]) for header in headers):
            continue
        rule = rule_of(i)
        if rule is None or rule.extent != "comments":
            continue
        below = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if below is None or rule_of(below) is None or not rule_of(below).id.startswith("comment"):
            continue
        if any(cue.regex.search(line) for line in lines[i + 1:] for cue in closing):
            continue
        return i
    return None


def _below_removed(lines: list[str], i: int, gone: set[int]) -> bool:
    """Whether the nearest non-blank line above line ``i`` is removed. Removing never makes a
    kept line the neighbour of a line that was judged below chrome, so this is idempotent."""
    above = i - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    return above in gone


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text:
        return StageResult(text)
    directory = str(tables_dir(config.tables_dir))
    rules = load_rules(directory)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    # the closing cues (date, signature, 此件公开发布) of corrections/boilerplate/document_cues.tsv
    closing = load_document_rules(directory).cues["closing"]
    removed = find_chrome(lines, rules, closing)
    if not removed:
        return StageResult(text)

    # offsets of each line (with its "\n") in the input
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    gone = {i for i, _, _ in removed}
    changes = []
    report = []
    metadata: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for i, rule, why in removed:
        line = lines[i]
        end = min(starts[i + 1], len(text))
        changes.append(Change(starts[i], end, text[starts[i]:end], "", rule.name, why))
        report.append({"stage": "boilerplate", "rule": rule.name, "why": why, "line": i + 1, "text": line})
        counts[rule.id] += 1
        if rule.fact and rule.fact not in metadata:
            found = rule.regex.fullmatch(line)
            value = found.group("value") if found else None
            if value:
                metadata[rule.fact] = _iso_date(value) if rule.fact == "published" else value.strip()

    # the text outside the removed spans (offsets of the Changes hold by construction)
    new_text = "".join(text[starts[i]:starts[i + 1]] for i in range(len(lines)) if i not in gone)
    data: dict[str, Any] = {"removed": report}
    if metadata:
        data["metadata"] = metadata
    listing = ", ".join(f"{rule_id} ×{n}" if n > 1 else rule_id for rule_id, n in counts.items())
    noun = "line" if len(removed) == 1 else "lines"
    return StageResult(new_text, tuple(changes), (), data,
                       f"removed {len(removed)} {noun} of site chrome ({listing})")


def _iso_date(value: str) -> str:
    """``2026年1月7日`` / ``2026.1.7`` → ``2026-01-07``; other values unchanged."""
    found = _DATE_PARTS.search(value)
    if not found:
        return value.strip()
    year, month, day = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"
