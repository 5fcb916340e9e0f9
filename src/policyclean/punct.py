"""Stage 'punct' (last; punct="chinese"): ASCII punctuation inside Chinese text → Chinese.

The agreed rule (data in ``corrections/punct.tsv``):
- ``, ; : ? !`` become ``，；：？！`` when the nearest non-space character on either
  side is a Han character or Chinese punctuation (``到2027年,江苏`` → ``到2027年，江苏``,
  ``发布日期: 2026-01-07`` → ``发布日期：2026-01-07``), or a number (digits, ``.``, ``%``)
  with a Han character beyond it (``不低于30%;`` → ``不低于30%；``) unless the mark stands between two
  digits; a mark next to a converted one counts as next to Chinese punctuation, so
  ``中,,x`` converts both in one pass.
- a pair ``( … )`` becomes ``（ … ）`` when its content has a Han character, or the
  character right before ``(`` is Han (``芯片(SoC)`` → ``芯片（SoC）``, ``(一)`` → ``（一）``),
  or a Han character follows ``)`` (a number may come between) and ``(`` starts the line or
  follows punctuation (``(1)购房合同`` → ``（1）购房合同``, ``(1)60周岁`` → ``（1）60周岁``;
  ``f(x)的值`` stays).
- spaces next to a converted mark are dropped (``责编: 赵碧莹`` → ``责编：赵碧莹``), except
  outside a converted pair with no Chinese beyond them (table columns: ``比重(%) 9.2``).
Untouched: numbers (``1,000``, ``10:30``), URLs, e-mail, Latin sentences, ``...``, ``"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, filterfalse, islice, repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any, Iterator, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

TABLE = "punct.tsv"
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_OPEN, _CLOSE = "(", ")"


@dataclass(frozen=True)
class _Table:
    to: dict[str, str]  # ASCII mark -> Chinese mark
    where: dict[str, str]  # ASCII mark -> "punct.tsv:LINE"
    chinese: frozenset[str]  # Chinese punctuation
    mark_re: re.Pattern[str]  # any convertible ASCII mark
    context_re: re.Pattern[str]  # any Han character or Chinese punctuation
    han_re: re.Pattern[str]
    run_re: re.Pattern[str]  # marks with the spaces around and between them
    paren_re: re.Pattern[str]  # any parenthesis, ASCII or full-width, for pairing
    why: dict[str, str]  # ASCII mark -> the reason written into its Change
    # The fast paths (pass 1 of run); the general code does the rest and gives the same result.
    # Each pattern starts with a literal character: the regex engine then skips to it at memchr
    # speed instead of trying a lookbehind at every position.
    # A lone , ; : ? ! (no space or mark beside it) converts when next to Chinese text: kept_by_mark
    # finds the other occurrences of a mark (few), so that str.replace can convert all the rest.
    kept_by_mark: dict[str, re.Pattern[str]]
    pair_split_re: re.Pattern[str]  # an innermost ( … ) pair to convert, no space beside either parenthesis


@lru_cache(maxsize=8)
def _load(directory: str) -> _Table:
    to: dict[str, str] = {}
    where: dict[str, str] = {}
    chinese: set[str] = set()
    for row in read_tsv(Path(directory) / TABLE, required=("kind", "char")):
        char = row["char"]
        if len(char) != 1:
            raise TableError(f"{row.where}: column char must hold one character")
        if row["kind"] == "convert":
            if len(row["to"]) != 1:
                raise TableError(f"{row.where}: column to must hold one character")
            to[char] = row["to"]
            where[char] = row.where
        elif row["kind"] == "chinese":
            chinese.add(char)
        else:
            raise TableError(f"{row.where}: kind must be convert or chinese")
    if _OPEN in to and _CLOSE not in to or _CLOSE in to and _OPEN not in to:
        raise TableError(f"{TABLE}: ( and ) are converted as a pair: list both or neither")
    chinese |= set(to.values())
    marks = "".join(map(re.escape, sorted(to)))
    parens = re.escape(_OPEN + _CLOSE + to.get(_OPEN, "") + to.get(_CLOSE, ""))
    punctuation = "".join(map(re.escape, sorted(chinese)))
    context = f"{_HAN}{punctuation}"
    return _Table(
        to=to,
        where=where,
        chinese=frozenset(chinese),
        mark_re=re.compile(f"[{marks}]"),
        context_re=re.compile(f"[{context}]"),
        han_re=re.compile(f"[{_HAN}]"),
        run_re=re.compile(f" *[{marks}](?: *[{marks}])* *"),
        paren_re=re.compile(f"[{parens}]"),
        # The rule for a run of one mark with no space or mark beside it is "convert when a
        # neighbour is Chinese": (Chinese before, and after it neither space nor mark) or
        # (before it neither space nor mark nor line start, and Chinese after). Kept: neither.
        kept_by_mark={m: re.compile(
            f"{re.escape(m)}(?!(?<=[{context}]{re.escape(m)})(?=[^ \\n{marks}]|$))(?!(?<=[^ \\n{marks}]{re.escape(m)})(?=[{context}]))",
            re.MULTILINE) for m in sorted(set(to) - {_OPEN, _CLOSE})},
        # An innermost pair (no parenthesis or line break inside), no space beside either parenthesis,
        # with a Han character right before ( or in the content, or after ) (a number between) when ( starts the
        # line or follows punctuation (Chinese, or ASCII that this pass may make Chinese: either
        # way the same answer, whatever the order); split() gives [before, "(", content, ")", …].
        pair_split_re=re.compile(
            f"(\\()(?<! \\()(?! )(?:(?<=[{_HAN}]\\()|(?=[^{parens}\\n]*[{_HAN}])"
            f"|(?<![^\\n{punctuation}{marks}]\\()(?=[^{parens}\\n]*\\)[0-9.%‰]*[{_HAN}]))([^{parens}\\n]*)(?<! )(\\))(?! )")
        if _OPEN in to else re.compile("(?!)"),
        why={m: f"ASCII punctuation inside Chinese text ({m}→{to[m]} {where[m]})" for m in to},
    )


def _converted_parens(line: str, table: _Table) -> set[int]:
    """Positions of ASCII parentheses that belong to a pair to convert."""
    if _OPEN not in table.to or (_OPEN not in line and _CLOSE not in line):
        return set()
    opens = {_OPEN, table.to[_OPEN]}
    stack: list[int] = []
    chosen: set[int] = set()
    for match in table.paren_re.finditer(line):
        at = match.start()
        if match.group() in opens:
            stack.append(at)
        elif stack:
            start = stack.pop()
            if (table.han_re.search(line, start + 1, at) or (start and table.han_re.match(line, start - 1))
                    or (_han_after_number(line, at + 1, table)
                        and (not start or line[start - 1] in table.chinese or line[start - 1] in table.to))):
                chosen.update(i for i in (start, at) if line[i] in (_OPEN, _CLOSE))
    return chosen


_NUMBER_CHARS = frozenset("0123456789.%‰")


def _han_after_number(line: str, at: int, table: _Table) -> bool:
    """Whether a Han character stands at ``at``, or after a number starting there ((1)60至79周岁)."""
    while at < len(line) and line[at] in _NUMBER_CHARS:
        at += 1
    return bool(table.han_re.match(line, at))


def _chinese_sides(line: str, start: int, end: int, table: _Table) -> tuple[bool, bool]:
    """Whether the text just left of ``line[start:end]`` and just right of it is Chinese: a Han
    character or Chinese punctuation, or a number (digits, ., %) with a Han character beyond it
    (不低于30%; → 不低于30%；). A mark between two digits (1,000; 12:00,14:30) is the number's."""
    left = line[start - 1] if start > 0 else ""
    right = line[end] if end < len(line) else ""
    between_digits = left.isdigit() and right.isdigit()
    return (_chinese_from(line, start - 1, -1, table, not between_digits),
            _chinese_from(line, end, 1, table, not between_digits))


def _chinese_from(line: str, at: int, step: int, table: _Table, through_numbers: bool) -> bool:
    if not 0 <= at < len(line):
        return False
    if through_numbers and line[at] in _NUMBER_CHARS:
        while 0 <= at < len(line) and line[at] in _NUMBER_CHARS:
            at += step
        # beyond the number only a Han character counts: punctuation there may be a mark this
        # very pass converts, and the outcome must not depend on the order of the marks
        return 0 <= at < len(line) and bool(table.han_re.match(line[at]))
    char = line[at]
    return char in table.chinese or bool(table.han_re.match(char))


def _convert_run(line: str, run: re.Match[str], parens: set[int], table: _Table) -> tuple[str, list[str]]:
    """The run with its marks converted as the rule says, and the marks converted."""
    chinese_left, chinese_right = _chinese_sides(line, run.start(), run.end(), table)
    alone = run.group().strip(" ")
    if len(alone) == 1:  # the common run, one mark with spaces (责编: 赵碧莹): what the loop below gives
        at = run.start() + run.group().index(alone)
        done = at in parens if alone in (_OPEN, _CLOSE) else chinese_left or chinese_right
        if not done:
            return run.group(), []
        before = line[run.start():at] if _column_gap(True, alone == _OPEN, chinese_left) else ""
        after = line[at + 1:run.end()] if _column_gap(True, alone == _CLOSE, chinese_right) else ""
        return before + table.to[alone] + after, [alone]
    marks = [(m.start() + run.start(), m.group()) for m in table.mark_re.finditer(run.group())]
    converted = [at in parens for at, _ in marks]
    # A mark next to a converted mark is next to Chinese punctuation: repeat to a fixed point
    # (a run holds a few marks), so a second pass over the output finds nothing to do.
    changed = True
    while changed:
        changed = False
        for i, (_, mark) in enumerate(marks):
            if converted[i] or mark in (_OPEN, _CLOSE):
                continue
            if (converted[i - 1] if i else chinese_left) or (converted[i + 1] if i + 1 < len(marks) else chinese_right):
                converted[i] = changed = True
    pieces = []
    last = run.start()
    for i, (at, mark) in enumerate(marks):
        gap = line[last:at]
        beside_converted = (i and converted[i - 1]) or converted[i]
        if gap and (not beside_converted or _column_gap(i == 0, mark == _OPEN, chinese_left)):
            pieces.append(gap)
        pieces.append(table.to[mark] if converted[i] else mark)
        last = at + 1
    if last < run.end() and (not converted[-1] or _column_gap(True, marks[-1][1] == _CLOSE, chinese_right)):
        pieces.append(line[last:run.end()])
    return "".join(pieces), [mark for (_, mark), done in zip(marks, converted) if done]


def _column_gap(at_edge: bool, outer_paren: bool, chinese_beyond: bool) -> bool:
    """Spaces outside a parenthesis pair, at the run's edge, with no Chinese beyond them, stay:
    they part the columns of a table row (占GDP比重（%） 9.2 13), not ASCII-style spacing."""
    return at_edge and outer_paren and not chinese_beyond


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if config.punct != "chinese":
        return StageResult(text)
    table = _load(str(tables_dir(config.tables_dir)))
    # one `in` per mark (memchr speed) instead of a character-class scan of the whole text
    if not any(mark in text for mark in table.to):
        return StageResult(text)
    record = config.max_changes != 0  # 0: the caller wants the text and the count, not the records
    counts: dict[str, int] = {}
    changes: list[Change] = []

    # Pass 1, the common cases, one character for one so offsets stay those of the input:
    # innermost parenthesis pairs (pairing as the general code's stack would), then lone marks
    # (a mark beside a converted parenthesis is beside Chinese punctuation, as the rule says).
    text, pairs, opens, closes = _convert_pairs(text, table, record)
    if pairs:
        counts[_OPEN] = counts[_CLOSE] = pairs
        if record:
            changes += _one_char_changes(opens, _OPEN, table)
            changes += _one_char_changes(closes, _CLOSE, table)
    # (first position, mark, how many) of each lone mark: with records those converted, else every mark
    found: list[tuple[int, str, int]] = []
    left = [at for paren in (_OPEN, _CLOSE) if paren in table.to for at in _find_all(text, paren)]
    for mark, kept_re in table.kept_by_mark.items():
        # A converted lone mark never stands beside another mark, so the marks can go one at a time.
        present = mark in text
        kept = [match.start() for match in kept_re.finditer(text)] if present else []
        left += kept
        converted = text.count(mark) - len(kept) if present else 0
        if not record:
            found.append((0, mark, converted))
        if not converted:
            continue
        if record:
            starts = _positions(text.split(mark))
            if kept:
                starts = list(filterfalse(set(kept).__contains__, starts))
            changes += _one_char_changes(starts, mark, table)
            found.append((starts[0], mark, converted))
        text = _replace_except(text, mark, table.to[mark], kept)
    # Summary ties keep the order of the former code: of first use with records; of the table's
    # marks when only counting (every lone mark enters the counts then, converted or not).
    for _, mark, n in sorted(found) if record else found:
        counts[mark] = n
    made = sum(counts.values())  # changes made, recorded or not

    # Pass 2: runs with spaces or several marks, and parenthesis pairs. A lone mark converted in
    # pass 1 cannot stand beside such a run (a run ends at a character that is neither space nor mark).
    # Only lines still holding an ASCII mark (``left``) are looked at; pass 1 left the offsets those of the input.
    pieces, last = [], 0
    for line_start, line_end in _lines_holding(text, left):
        line = text[line_start:line_end]
        if not table.context_re.search(line):
            continue
        new_line, made_here = _convert_line(line, line_start, table, counts, changes if record else None)
        if made_here:
            made += made_here
            pieces += [text[last:line_start], new_line]
            last = line_end
    if not made:
        return StageResult(text)
    if pieces:
        pieces.append(text[last:])
        text = "".join(pieces)
    changes.sort(key=itemgetter(0))  # by start: sorted runs of the passes above, merged
    summary = "converted to Chinese punctuation: " + ", ".join(
        f"{n}× {mark}→{table.to[mark]}" for mark, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n)
    return StageResult(text, tuple(changes), summary=summary, count=made)


def _find_all(text: str, char: str) -> list[int]:
    """Offsets of ``char`` in ``text``: str.find skips at memchr speed, a regex scan is several times slower."""
    found = []
    at = text.find(char)
    while at >= 0:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _lines_holding(text: str, hits: list[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of every line of ``text`` holding one of the offsets ``hits``, in order."""
    line_end = -1
    for at in sorted(hits):
        if at > line_end:
            line_end = text.find("\n", at)
            if line_end < 0:
                line_end = len(text)
            yield text.rfind("\n", 0, at) + 1, line_end


def _convert_pairs(text: str, table: _Table, positions: bool) -> tuple[str, int, list[int], list[int]]:
    """The text with every innermost ( … ) pair to convert made （ … ）, how many pairs, and
    (when ``positions``) where the ( and ) stood.

    split() hands back [before, "(", content, ")", between, …]: the parentheses are replaced
    by slice assignment and their offsets summed from the piece lengths, all at C level.
    """
    pieces = table.pair_split_re.split(text)
    n = len(pieces) // 4
    if not n:
        return text, 0, [], []
    pieces[1::4] = [table.to[_OPEN]] * n
    pieces[3::4] = [table.to[_CLOSE]] * n
    if not positions:
        return "".join(pieces), n, [], []
    offsets = list(accumulate(map(len, pieces[:-1]), initial=0))  # offsets[k]: where pieces[k] starts
    return "".join(pieces), n, offsets[1::4], offsets[3::4]


def _replace_except(text: str, mark: str, to: str, kept: list[int]) -> str:
    """``text`` with every ``mark`` made ``to`` but those at the offsets ``kept``."""
    text = text.replace(mark, to)  # one character for one: offsets do not move
    if not kept:
        return text
    pieces, last = [], 0
    for at in kept:
        pieces += [text[last:at], mark]
        last = at + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _positions(pieces: list[str]) -> list[int]:
    """Offsets of the one-character separators between ``pieces`` (the result of a split)."""
    # separator k stands at len(pieces[0]) + … + len(pieces[k]) + k
    return list(islice(accumulate(map(add, map(len, pieces[:-1]), repeat(1)), initial=-1), 1, None))


def _one_char_changes(starts: list[int], mark: str, table: _Table) -> Iterator[Change]:
    """A Change for ``mark`` at each of ``starts``: tuple.__new__ through map, no Python call per record."""
    return map(tuple.__new__, repeat(Change), zip(
        starts, map(add, starts, repeat(1)), repeat(mark), repeat(table.to[mark]), repeat("punct"),
        repeat(table.why[mark])))


def _convert_line(line: str, offset: int, table: _Table, counts: dict[str, int],
                  changes: list[Change] | None) -> tuple[str, int]:
    """The line with its mark runs converted as the rule says, and how many runs changed.

    ``offset`` is where the line starts in the stage's input; a Change per changed run is
    appended to ``changes`` unless it is None.
    """
    parens = _converted_parens(line, table)
    pieces, last, made = [], 0, 0
    for run in table.run_re.finditer(line):
        after, converted = _convert_run(line, run, parens, table)
        if after == run.group():
            continue
        for mark in converted:
            counts[mark] = counts.get(mark, 0) + 1
        made += 1
        if changes is not None:
            rows = ", ".join(f"{m}→{table.to[m]} {table.where[m]}" for m in dict.fromkeys(converted))
            changes.append(Change(offset + run.start(), offset + run.end(), run.group(), after, "punct",
                                  f"ASCII punctuation inside Chinese text ({rows})"))
        pieces += [line[last:run.start()], after]
        last = run.end()
    pieces.append(line[last:])
    return "".join(pieces), made
