"""Stage 'normalise': one paragraph per line, invisible and compatibility characters mapped.

- Line breaks (CR LF, CR, U+2028/2029, VT, FF, U+001C–1E, NEL) become ``\\n``.
- Characters listed in ``corrections/normalise.tsv`` are deleted (zero-width and
  control characters), treated as spaces (tab, NBSP, U+2000–200A, U+3000 …) or
  mapped (full-width ASCII letters/digits, small-form punctuation such as ``﹒``,
  Kangxi radicals, CJK compatibility ideographs). NFKC is never applied to the
  whole text: it would turn Chinese full-width punctuation ``，：（）`` into ASCII.
- Indentation and trailing spaces are removed, a run of spaces inside a line
  becomes one space (a run of only U+3000 stays one U+3000; a run holding a tab
  becomes one tab: it parts the cells of a table row), blank lines go. With
  ``Config.spaces == "keep"`` a run inside a line stays as it is (tables aligned with
  spaces, signature lines); only the invisible characters in it go.
  Hard-wrapped lines are not joined: every non-blank line is a paragraph.

The output has no blank lines, no leading/trailing spaces, and ends with ``\\n``
when not empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from operator import add, is_not, itemgetter
from pathlib import Path
from typing import Any, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

TABLE = "normalise.tsv"

# Line separators besides "\n". \r\n first so it counts as one break.
_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BREAK_CHARS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
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
    break_or_special_re: re.Pattern[str]  # a line break other than \n, or a listed character other than " "
    edit_re: re.Pattern[str]  # an edit inside a line: space run, deletions, mapped run (group names the kind)


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
    every = spaces.union(deleted, *mapped.values())
    # An edit starts at a listed character other than " ", or at two spaces (start below); its
    # first character says what it is: a space run
    # (spaces and deleted characters), a run of deleted characters, or a run of one mapped kind
    # (one group per kind, so one Change covers a run of one kind: ２０２５, not ２０２５﹒).
    # The empty group names the kind (match.lastgroup).
    kinds = [("space", sp, either), ("delete", dl, dl)]
    kinds += [(f"k{n}", _char_class(chars), _char_class(chars)) for n, chars in enumerate(mapped.values())]
    dispatch = "|".join(f"(?<=[{first}])(?P<{name}>)[{rest}]*" for name, first, rest in kinds)
    start = f"[{_char_class(every)}](?:(?<! )|(?=[{either}]))"
    return _Table(
        translate=translate,
        rule=rule,
        kind=kind,
        edge="".join(spaces | deleted),
        deleted=frozenset(deleted),
        break_or_special_re=re.compile(f"[{_char_class(every - {' '})}{_BREAK_CHARS[1:]}]"),
        # start = "[every - {' '}]| [either]", written to begin with one character class so that the
        # regex engine skips ahead with it instead of trying an alternation at every position
        edit_re=re.compile(f"{start}(?:{dispatch})"),
    )


def _char_class(chars: set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars)) or r"\x00-\x00"


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text:
        return StageResult(text)
    table = _load(str(tables_dir(config.tables_dir)))
    keep_spaces = config.spaces == "keep"
    if (text.endswith("\n") and text[0] not in "\n " and "\n\n" not in text and "  " not in text
            and " \n" not in text and "\n " not in text and not table.break_or_special_re.search(text)):
        return StageResult(text)  # already one clean paragraph per line

    # Whole-text C-level steps (splitlines splits on exactly the breaks listed in the module
    # docstring, \r\n as one); Python only visits the lines and edits to record.
    lines = text.splitlines()
    cores = list(map(str.strip, lines, repeat(table.edge)))
    kept = list(filter(None, cores))  # a blank line, or one of only spaces and invisible characters, goes
    # the kept lines with an edit inside (no edge is left to match: strip removed them)
    inside = list(compress(count(), map(table.edit_re.search, kept)))
    edged = list(compress(count(), map(is_not, cores, lines)))  # strip removed something: indent, trailing, blank
    counts = dict.fromkeys(("line_breaks", "blank_lines", "deindented", "trailing",
                            "spaces_collapsed", "deleted", "mapped"), 0)
    counts["line_breaks"] = _count_breaks(text, len(lines))
    counts["blank_lines"] = len(lines) - len(kept)
    changes: list[Change] = []
    if edged or inside:
        # where each line starts: every break is one character, except \r\n
        widths = map(len, text.splitlines(keepends=True)) if "\r" in text else map(add, map(len, lines), repeat(1))
        offsets = list(accumulate(widths, initial=0))
    for number in edged:
        line, core = lines[number], cores[number]
        if not core:  # blank: counted above, no record
            continue
        start = offsets[number]
        core_start = len(line) - len(line.lstrip(table.edge))
        core_end = core_start + len(core)
        if core_start:
            counts["deindented"] += 1
            changes.append(Change(start, start + core_start, line[:core_start], "", "normalise:indent",
                                  "indentation removed: a paragraph starts at the line start"))
        if core_end < len(line):
            counts["trailing"] += 1
            changes.append(Change(start + core_end, start + len(line), line[core_end:], "",
                                  "normalise:trailing-space", "trailing spaces removed"))
    if inside:
        _edit_inside(inside, lines, cores, kept, offsets, table, counts, changes, keep_spaces)
        if edged:
            changes.sort(key=itemgetter(0))  # by start: indentation, edits inside, trailing spaces of each line
    new_text = "\n".join([*kept, ""]) if kept else ""  # one copy of the text (no + "\n")
    if new_text == text:
        return StageResult(text)
    return StageResult(new_text, tuple(changes), data={"normalise": counts},
                       summary=_summary(counts, text))


def _count_breaks(text: str, line_count: int) -> int:
    """How many line breaks other than a lone \n (\r\n counts once), from counts only."""
    breaks = line_count - (text[-1] not in _BREAK_CHARS)  # every line ends with a break but maybe the last
    crlf = text.count("\r\n") if "\r" in text else 0
    return breaks - (text.count("\n") - crlf)


def _edit_inside(inside: list[int], lines: list[str], cores: list[str], kept: list[str], offsets: list[int],
                 table: _Table, counts: dict[str, int], changes: list[Change], keep_spaces: bool = False) -> None:
    """Make the edits in the ``kept`` cores numbered ``inside``: space runs collapsed, listed
    characters deleted or mapped. A Change for each, with offsets into the stage's input
    (``offsets``: where each of ``lines`` starts; ``cores``: the lines stripped, blank ones too)."""
    kept_lines = list(compress(count(), cores))  # the line number of each kept core
    # The edit worked out for each run (its first character says its kind) is kept: the same
    # few runs (a list dot ﹒, an ideographic space) come back on thousands of lines.
    memo: dict[str, tuple[str, str, str, str, int] | None] = {}
    for index in inside:
        core = kept[index]
        line = lines[kept_lines[index]]
        origin = offsets[kept_lines[index]] + len(line) - len(line.lstrip(table.edge))  # where the core starts
        pieces: list[str] = []
        last = 0
        for match in table.edit_re.finditer(core):
            before = match.group()
            if before in memo:
                edit = memo[before]
            else:
                edit = memo[before] = _inside_edit(match.lastgroup, before, table, keep_spaces)
            if edit is None:
                continue
            after, rule, why, counter, amount = edit
            counts[counter] += amount
            start, end = match.span()
            changes.append(Change(origin + start, origin + end, before, after, rule, why))
            pieces += (core[last:start], after)
            last = end
        if pieces:
            kept[index] = "".join([*pieces, core[last:]])


def _inside_edit(kind: str, before: str, table: _Table,
                 keep_spaces: bool = False) -> tuple[str, str, str, str, int] | None:
    """(after, rule, why, counter, amount) for a run ``before`` of group ``kind`` of edit_re; None: leave it."""
    if kind == "space" and keep_spaces:
        # the run stays; only the invisible characters in it go (a space run may hold them)
        after = "".join(c for c in before if c not in table.deleted)
        if after == before:
            return None
        gone = len(before) - len(after)
        rows = sorted({table.rule[c] for c in before if c in table.deleted}, key=_line_of)
        return after, ",".join(rows[:3]), f"{gone} invisible/control character(s) deleted", "deleted", gone
    if kind == "space":
        # a run of only ideographic spaces stays one U+3000 (第一章　总则); a run holding a tab
        # stays one tab (it parts the cells of a table row); any other run is one space
        kinds = set(before) - table.deleted
        after = "\u3000" if kinds <= {"\u3000"} else "\t" if "\t" in kinds else " "
        if before == after:
            return None
        rows = sorted({table.rule[c] for c in before if c != " "}, key=_line_of)
        rule = ",".join(["normalise:space", *rows[:3]])
        return after, rule, f"{len(before)} space character(s) became one", "spaces_collapsed", 1
    after = before.translate(table.translate)
    rows = sorted({table.rule[c] for c in before}, key=_line_of)
    rule = ",".join(rows) if len(rows) <= 3 else f"{rows[0]},…({len(rows)} rows)"
    if kind == "delete":
        return after, rule, f"{len(before)} invisible/control character(s) deleted", "deleted", len(before)
    kinds = "/".join(sorted({table.kind[c] for c in before}))
    return after, rule, f"{len(before)} {kinds} character(s) mapped", "mapped", len(before)


def _line_of(where: str) -> int:
    return int(where.rsplit(":", 1)[1])


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
    # = text.strip() and not text.endswith("\n"), without strip() copying the text
    if text and not text.endswith("\n") and not text.isspace():
        parts.append("added the final line break")
    return "; ".join(parts) or "normalised layout"
