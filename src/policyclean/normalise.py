"""Stage 'normalise': one paragraph per line, invisible and compatibility characters mapped.

- Line breaks (CR LF, CR, U+2028/2029, VT, FF, U+001C–1E, NEL) become ``\\n``.
- Characters listed in ``corrections/normalise.tsv`` are deleted (zero-width and
  control characters), treated as spaces (tab, NBSP, U+2000–200A, U+3000 …) or
  mapped (full-width ASCII letters/digits, small-form punctuation such as ``﹒``,
  Kangxi radicals, CJK compatibility ideographs). NFKC is never applied to the
  whole text: it would turn Chinese full-width punctuation ``，：（）`` into ASCII.
- Indentation and trailing spaces are removed, a run of spaces inside a line
  becomes one space (a run of only U+3000 stays one U+3000), blank lines go.
  Hard-wrapped lines are not joined: every non-blank line is a paragraph.

The output has no blank lines, no leading/trailing spaces, and ends with ``\\n``
when not empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

TABLE = "normalise.tsv"

# Line separators besides "\n". \r\n first so it counts as one break.
_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ANY_BREAK_RE = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CODE_RE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def _cell_char(cell: str, where: str) -> str:
    match = _CODE_RE.fullmatch(cell)
    if match:
        return chr(int(match.group(1), 16))
    if len(cell) > 1:
        raise TableError(f"{where}: {cell!r} is neither one character nor U+XXXX")
    return cell


@dataclass(frozen=True)
class _Table:
    translate: dict[int, str]  # the whole character map, for str.translate
    rule: dict[str, str]  # character -> "normalise.tsv:LINE"
    kind: dict[str, str]  # character -> kind column
    edge: str  # characters stripped from line edges: spaces and deleted characters
    deleted: frozenset[str]
    special_re: re.Pattern[str]  # a listed character other than the plain space
    start_re: re.Pattern[str]  # where an inside edit can start: a listed character or two spaces
    inner_re: re.Pattern[str]  # an edit inside a line: space run, deletions, mapped run


@lru_cache(maxsize=8)
def _load(directory: str) -> _Table:
    translate: dict[int, str] = {}
    rule: dict[str, str] = {}
    kind: dict[str, str] = {}
    spaces, deleted = {" "}, set()
    mapped: dict[str, set[str]] = {}  # kind -> characters
    for row in read_tsv(Path(directory) / TABLE, required=("code", "to", "kind")):
        source = _cell_char(row["code"], row.where)
        if len(source) != 1 or _BREAK_RE.fullmatch(source) or source == "\n":
            raise TableError(f"{row.where}: column code must name one character other than a line break")
        target = _cell_char(row["to"], row.where) if row["to"] else ""
        translate[ord(source)] = target
        rule[source] = row.where
        kind[source] = row["kind"]
        if row["kind"] == "space":
            spaces.add(source)
        elif target == "":
            deleted.add(source)
        else:
            mapped.setdefault(row["kind"], set()).add(source)
    sp, dl = _char_class(spaces), _char_class(deleted)
    either = _char_class(spaces | deleted)
    # one group per kind, so one Change covers a run of one kind (２０２５, not ２０２５﹒)
    kinds = "".join(f"|(?P<k{n}>[{_char_class(chars)}]+)" for n, chars in enumerate(mapped.values()))
    every = spaces.union(deleted, *mapped.values())
    return _Table(
        translate=translate,
        rule=rule,
        kind=kind,
        edge="".join(spaces | deleted),
        deleted=frozenset(deleted),
        # a listed character (other than a single space), two spaces, or a space at a line edge
        special_re=re.compile(f"[{_char_class(every - {' '})}]"),
        start_re=re.compile(f"[{_char_class(every - {' '})}]| [{either}]"),
        inner_re=re.compile(f"(?P<space>[{sp}][{either}]*)|(?P<delete>[{dl}]+){kinds}"),
    )


def _char_class(chars: set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars)) or r"\x00-\x00"


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text:
        return StageResult(text)
    table = _load(str(tables_dir(config.tables_dir)))
    if (text.endswith("\n") and text[0] not in "\n " and "\n\n" not in text and "  " not in text
            and " \n" not in text and "\n " not in text
            and not _BREAK_RE.search(text) and not table.special_re.search(text)):
        return StageResult(text)  # already one clean paragraph per line

    changes: list[Change] = []
    counts = dict.fromkeys(("line_breaks", "blank_lines", "deindented", "trailing",
                            "spaces_collapsed", "deleted", "mapped"), 0)
    counts["line_breaks"] = sum(1 for _ in _BREAK_RE.finditer(text))
    out_lines: list[str] = []
    for line, start in _lines(text):
        core = line.strip(table.edge)
        if not core:  # blank, or nothing but spaces and invisible characters
            counts["blank_lines"] += 1
            continue
        core_start = len(line) - len(line.lstrip(table.edge))
        core_end = core_start + len(core)
        if core_start:
            counts["deindented"] += 1
            changes.append(Change(start, start + core_start, line[:core_start], "", "normalise:indent",
                                  "indentation removed: a paragraph starts at the line start"))
        if "  " in core or table.special_re.search(core):  # most lines have nothing inside to edit
            core = _edit_inside(core, start + core_start, table, counts, changes)
        out_lines.append(core)
        if core_end < len(line):
            counts["trailing"] += 1
            changes.append(Change(start + core_end, start + len(line), line[core_end:], "",
                                  "normalise:trailing-space", "trailing spaces removed"))
    new_text = "\n".join(out_lines) + "\n" if out_lines else ""
    if new_text == text:
        return StageResult(text)
    return StageResult(new_text, tuple(changes), data={"normalise": counts},
                       summary=_summary(counts, text))


def _edit_inside(core: str, offset: int, table: _Table, counts: dict[str, int],
                 changes: list[Change]) -> str:
    """The line without its edges, with space runs collapsed and listed characters mapped."""
    pieces: list[str] = []
    last = 0
    position = 0
    while True:
        # find the next candidate with a plain character class (fast), then match the
        # alternation there: the alternation tried at every position is 10x slower
        hint = table.start_re.search(core, position)
        if hint is None:
            break
        match = table.inner_re.match(core, hint.start())
        if match is None:  # cannot happen: every hint starts one of the alternatives
            position = hint.start() + 1
            continue
        position = match.end()
        before = match.group()
        if match.lastgroup == "space":
            # a run of only ideographic spaces stays one U+3000 (第一章　总则); any other run is one space
            after = "\u3000" if set(before) - table.deleted <= {"\u3000"} else " "
            if before == after:
                continue
            rows = sorted({table.rule[c] for c in before if c != " "}, key=_line_of)
            rule = ",".join(["normalise:space", *rows[:3]])
            why = f"{len(before)} space character(s) became one"
            counts["spaces_collapsed"] += 1
        else:
            after = before.translate(table.translate)
            rows = sorted({table.rule[c] for c in before}, key=_line_of)
            rule = ",".join(rows) if len(rows) <= 3 else f"{rows[0]},…({len(rows)} rows)"
            if match.lastgroup == "delete":
                why = f"{len(before)} invisible/control character(s) deleted"
                counts["deleted"] += len(before)
            else:
                kinds = "/".join(sorted({table.kind[c] for c in before}))
                why = f"{len(before)} {kinds} character(s) mapped"
                counts["mapped"] += len(before)
        at = offset + match.start()
        changes.append(Change(at, at + len(before), before, after, rule, why))
        pieces.append(core[last:match.start()])
        pieces.append(after)
        last = match.end()
    pieces.append(core[last:])
    return "".join(pieces)


def _line_of(where: str) -> int:
    return int(where.rsplit(":", 1)[1])


def _lines(text: str) -> Iterator[tuple[str, int]]:
    """(line, offset) for every line of ``text``, split on any line break."""
    start = 0
    for match in _ANY_BREAK_RE.finditer(text):
        yield text[start:match.start()], start
        start = match.end()
    if start < len(text):
        yield text[start:], start


def _summary(counts: Mapping[str, int], text: str) -> str:
    parts = []
    if counts["mapped"]:
        parts.append(f"mapped {counts['mapped']} compatibility character(s)")
    if counts["deleted"]:
        parts.append(f"deleted {counts['deleted']} invisible/control character(s)")
    if counts["line_breaks"]:
        parts.append(f"unified {counts['line_breaks']} line break(s) to \\n")
    if counts["blank_lines"]:
        parts.append(f"removed {counts['blank_lines']} blank line(s)")
    if counts["deindented"]:
        parts.append(f"de-indented {counts['deindented']} line(s)")
    if counts["trailing"]:
        parts.append(f"removed trailing spaces on {counts['trailing']} line(s)")
    if counts["spaces_collapsed"]:
        parts.append(f"collapsed {counts['spaces_collapsed']} space run(s)")
    if text.strip() and not text.endswith("\n"):
        parts.append("added the final line break")
    return "; ".join(parts) or "normalised layout"
