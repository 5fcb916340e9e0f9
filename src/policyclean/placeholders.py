"""Stage 'placeholders': masked keywords (seed 002's ``关键词1`` for 江苏), found and resolved on evidence.

Every placeholder found is reported in ``data["placeholders"]`` (token, count, the
replacement or None, the evidence), with a warning for each one left unresolved.
A placeholder is replaced only when the evidence is clear:

1. the caller's mapping (``Config.placeholders``, CLI ``--placeholder 关键词1=江苏``);
2. the document number names a province and the placeholder stands where that
   province's name stands: ``苏政发〔2025〕108号`` begins with 苏, which
   ``corrections/provinces.tsv`` gives to exactly one division, 江苏 (江苏省), and
   ``关键词1`` stands right before 省 in the issuer or a heading line
   (``关键词1省人民政府``). It must not stand before another division type (市, 自治区)
   there, and no other placeholder may claim the same province.

Without such evidence nothing is replaced. Patterns of placeholders live in
``corrections/placeholders.tsv``. Metadata values holding a resolved placeholder are
updated too (they merge into ``result.metadata``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import regex

from .data import read_tsv, tables_dir
from .errors import TableError
from .metadata import HEAD_LINES, TAIL_LINES, doc_number_issuer, find_doc_number
from .model import Change, Config, StageResult

CONTEXT_LINE = 50  # issuer and heading lines are short
_TYPES = ("特别行政区", "自治区", "省", "市")  # what may follow a division's name
_ISSUER_ENDINGS = ("人民政府", "政府", "办公厅", "办公室")  # a signature line of a government


@dataclass(frozen=True)
class _Pattern:
    name: str
    same_word: bool
    why: str
    where: str


@dataclass(frozen=True)
class _Province:
    name: str
    suffix: str  # what follows the name in the official name: 省, 市, 壮族自治区
    type: str
    prefixes: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class _Tables:
    token_re: Any  # regex.Pattern: any placeholder, patterns in file order
    patterns: tuple[_Pattern, ...]  # by group index
    provinces: tuple[_Province, ...]
    # the contains column's literals (one of which every placeholder holds), grouped by their first
    # character: (that character, an alternation of the literals); None when a pattern lists none
    contains: tuple[tuple[str, re.Pattern[str]], ...] | None


@lru_cache(maxsize=8)
def _load(directory: str | None) -> _Tables:
    base = tables_dir(directory)
    patterns, parts = [], []
    contains: set[str] | None = set()
    for row in read_tsv(base / "placeholders.tsv", required=("name", "pattern", "same_word")):
        try:
            regex.compile(row["pattern"])
        except regex.error as error:
            raise TableError(f"{row.path}:{row.line}: bad pattern: {error}") from None
        if row["same_word"] not in ("yes", "no"):
            raise TableError(f"{row.path}:{row.line}: same_word must be yes or no")
        parts.append(f"({row['pattern']})")
        literals = row["contains"].split()
        if literals and contains is not None:
            contains.update(literals)
        else:
            contains = None
        patterns.append(_Pattern(row["name"], row["same_word"] == "yes", row["why"], row.where))
    provinces = []
    for row in read_tsv(base / "provinces.tsv", required=("name", "full", "type", "prefixes")):
        if not row["full"].startswith(row["name"]) or row["type"] not in _TYPES:
            raise TableError(f"{row.path}:{row.line}: full name must begin with the name; type one of {', '.join(_TYPES)}")
        provinces.append(_Province(row["name"], row["full"][len(row["name"]):], row["type"],
                                   tuple(row["prefixes"].split()), row.where))
    token_re = regex.compile("|".join(parts)) if parts else regex.compile(r"(?!)")
    by_first: dict[str, list[str]] = {}
    for literal in sorted(contains or (), key=len, reverse=True):
        by_first.setdefault(literal[0], []).append(re.escape(literal))
    # the standard library's re skips to the literals' common prefix at memchr speed
    literals = tuple((first, re.compile("|".join(group))) for first, group in sorted(by_first.items()))
    return _Tables(token_re, tuple(patterns), tuple(provinces), literals if contains is not None else None)


def _find_tokens(text: str, tables: _Tables) -> list[Any]:
    """The placeholder matches in ``text``, as ``tables.token_re.finditer(text)`` gives them.

    With the contains column, only the lines holding one of its literals are searched: a
    match holds one and stays within its line, and the lines without one have none.
    """
    if tables.contains is None:
        return list(tables.token_re.finditer(text))
    lines: set[tuple[int, int]] = set()
    for first, literals_re in tables.contains:
        if first not in text:  # one character is searched at memchr speed: most texts have none
            continue
        hit = literals_re.search(text)
        while hit:
            end = text.find("\n", hit.start())
            end = len(text) if end < 0 else end
            lines.add((text.rfind("\n", 0, hit.start()) + 1, end))
            hit = literals_re.search(text, end)  # on the next line: one window per line
    matches = []
    for start, end in sorted(lines):
        matches += tables.token_re.finditer(text, start, end)
    return matches


def _head_and_tail(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The first HEAD_LINES lines of ``text``, and (number from 0, line) of the last TAIL_LINES
    after them: the lines _contexts reads, as ``text.split("\n")`` has them, without copying the rest."""
    head: list[str] = []
    start = 0
    while len(head) < HEAD_LINES:
        end = text.find("\n", start)
        if end < 0:
            head.append(text[start:])
            break
        head.append(text[start:end])
        start = end + 1
    total = text.count("\n") + 1
    tail: list[tuple[int, str]] = []
    end = len(text)
    for number in range(total - 1, max(HEAD_LINES, total - TAIL_LINES) - 1, -1):
        start = text.rfind("\n", 0, end) + 1
        tail.append((number, text[start:end]))
        end = start - 1
    return head, tail[::-1]


def _contexts(head: list[str], tail: list[tuple[int, str]],
              metadata: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(description, text, is an issuer) of where an issuer or heading stands: metadata, short head/tail lines."""
    found = []
    for key in ("issuer", "title"):
        value = metadata.get(key)
        if isinstance(value, str) and value:
            found.append((f"the metadata {key} `{value}`", value, key == "issuer"))
    for number, line in [*enumerate(head), *tail]:
        if line and len(line) <= CONTEXT_LINE and "。" not in line:
            issuer = line.endswith(_ISSUER_ENDINGS)
            found.append((f"the {'issuer' if issuer else 'heading'} line {number + 1} `{line}`", line, issuer))
    return found


def _province_evidence(token: str, doc_number: str | None, contexts: list[tuple[str, str, bool]],
                       tables: _Tables) -> tuple[_Province | None, str, bool]:
    """The province ``token`` stands for, the evidence in words, whether it stands in the issuer.

    (None, why not, False) when the evidence is not clear.
    """
    if not doc_number:
        return None, "no document number names a province", False
    issuer = doc_number_issuer(doc_number)
    named = [p for p in tables.provinces
             if any(issuer.startswith(prefix) and len(issuer) > len(prefix) for prefix in p.prefixes)]
    if len(named) != 1:
        why = "names no province" if not named else "could name " + "、".join(p.name for p in named)
        return None, f"the document number {doc_number} {why}", False
    province = named[0]
    standing = [(where, is_issuer) for where, text, is_issuer in contexts if token + province.suffix in text]
    if not standing:
        return None, (f"the document number {doc_number} names {province.name}, but {token} does not "
                      f"stand before {province.suffix} in the issuer or a heading line"), False
    others = [t for t in _TYPES if not province.suffix.endswith(t) and
              any(token + t in text for _, text, _ in contexts)]
    if others:
        return None, (f"the document number {doc_number} names {province.name} ({province.type}), but {token} "
                      f"also stands before {others[0]} in the issuer or a heading line"), False
    standing.sort(key=lambda item: not item[1])  # the issuer is the strongest place
    return province, (f"{doc_number} names {province.name} ({province.where}); "
                      f"{token} stands before {province.suffix} in {standing[0][0]}"), standing[0][1]


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    tables = _load(config.tables_dir)
    metadata = facts.get("metadata") or {}
    meta_text = "\n".join(v for v in metadata.values() if isinstance(v, str))
    caller = dict(config.placeholders)
    matches = _find_tokens(text, tables)  # most texts have none
    if not caller and not matches and not tables.token_re.search(meta_text):
        return StageResult(text)

    counts: Counter[str] = Counter()
    kind: dict[str, _Pattern] = {}
    for match in matches:
        counts[match.group()] += 1
        kind.setdefault(match.group(), tables.patterns[match.lastindex - 1])
    for match in tables.token_re.finditer(meta_text):
        counts.setdefault(match.group(), 0)
        kind.setdefault(match.group(), tables.patterns[match.lastindex - 1])
    literal = {key: text.count(key) for key in caller if key and key not in counts}

    resolved: dict[str, tuple[str, str]] = {}  # token -> (replacement, evidence)
    for key, value in caller.items():
        if key in counts or literal.get(key):
            resolved[key] = (value, f"the caller's mapping {key}={value}")

    unresolved_why: dict[str, str] = {}
    candidates = [t for t in counts if t not in resolved and kind[t].same_word]
    if candidates:
        head, tail = _head_and_tail(text)
        doc_number = metadata.get("doc_number") if isinstance(metadata.get("doc_number"), str) else None
        if not doc_number:
            found = find_doc_number(head)
            doc_number = found[0] if found else None
        contexts = _contexts(head, tail, metadata)
        by_province: dict[str, list[tuple[str, str, bool]]] = {}
        for token in candidates:
            province, why, in_issuer = _province_evidence(token, doc_number, contexts, tables)
            if province is None:
                unresolved_why[token] = why
            else:
                by_province.setdefault(province.name, []).append((token, why, in_issuer))
        for name, claims in by_province.items():
            if len(claims) > 1:
                # two placeholders both before 省: only the one in the issuer names the province
                issuers = [c for c in claims if c[2]]
                for token, why, _ in claims:
                    if len(issuers) == 1 and issuers[0][0] == token:
                        resolved[token] = (name, why)
                    else:
                        unresolved_why[token] = f"{len(claims)} placeholders could stand for {name}"
            else:
                resolved[claims[0][0]] = (name, claims[0][1])

    changes: list[Change] = []
    if any(counts.get(t) or literal.get(t) for t in resolved):
        parts = [tables.token_re.pattern]
        # literal caller keys after the patterns, so 关键词1 never matches inside 关键词12
        parts += [regex.escape(k) for k in sorted(literal, key=len, reverse=True) if literal[k]]
        for match in regex.finditer("|".join(f"(?:{p})" for p in parts), text):
            token = match.group()
            if token in resolved:
                replacement, evidence = resolved[token]
                changes.append(Change(match.start(), match.end(), token, replacement, "placeholders", evidence))

    report = []
    warnings = []
    for token in [*counts, *(k for k in literal if literal[k])]:
        replacement, evidence = resolved.get(token, (None, unresolved_why.get(token, "")))
        pattern = kind.get(token)
        if replacement is None:
            if pattern is not None and not pattern.same_word and not evidence:
                evidence = f"{pattern.name}: its occurrences may hide different words; only a mapping resolves it"
            warnings.append(f"{_name(config)}placeholder {token} ({counts[token]}×) left as it is: {evidence}; "
                            f"pass --placeholder {token}=WORD if you know the word")
        report.append({"placeholder": token, "pattern": pattern.name if pattern else "caller",
                       "count": counts.get(token) or literal.get(token, 0),
                       "replacement": replacement, "evidence": evidence})
    data: dict[str, Any] = {"placeholders": report}

    updated = {}
    for key, value in metadata.items():
        if isinstance(value, str) and any(t in value for t in resolved):
            new = tables.token_re.sub(lambda m: resolved.get(m.group(), (m.group(),))[0], value)
            for k in literal:
                if k in resolved:
                    new = new.replace(k, resolved[k][0])
            updated[key] = new
    if updated:
        data["metadata"] = updated

    if not changes:
        summary = f"found {len(report)} placeholder(s), none resolved" if report else ""
        return StageResult(text, (), tuple(warnings), data, summary)
    pieces, last = [], 0
    for change in changes:
        pieces.append(text[last:change.start])
        pieces.append(change.after)
        last = change.end
    pieces.append(text[last:])
    done = [f"{t}→{r[0]} ({sum(1 for c in changes if c.before == t)}×)" for t, r in resolved.items()
            if any(c.before == t for c in changes)]
    summary = "resolved placeholders " + ", ".join(done)
    return StageResult("".join(pieces), tuple(changes), tuple(warnings), data, summary)


def _name(config: Config) -> str:
    return f"{config.source}: " if config.source else ""
