"""Stage 'pinyin': remove tone-marked pinyin that reposting sites glue after characters.

``工業(yè)和信息化部`` → ``工業和信息化部``, ``發(fā)布會(huì)`` → ``發布會``, also with
full-width parentheses ``（yè）``. A parenthesised group is removed only when it
directly follows a Han character and every syllable in it carries a tone mark and
has the shape initial + final (``corrections/pinyin.tsv``). Ordinary parentheses
(``(SoC)``, ``(一)``, ``(eVTOL)``, ``(AI)``, ``(RISC-V)``) have no tone mark and stay.
Consecutive groups (``工(gōng)(gōng)``) go in one pass, so the stage is idempotent.
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

TABLE = "pinyin.tsv"
_OPENING = "(（"  # the opening parentheses of a group
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CODE_RE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


@dataclass(frozen=True)
class _Table:
    # cheap test, one pattern per opening parenthesis: a group whose first token has a tone mark.
    # Each starts with its literal parenthesis, which the regex engine finds at memchr speed
    # (a character class of marks is tried at every position, several times slower).
    marked_group_res: tuple[re.Pattern[str], ...]
    group_re: re.Pattern[str]  # one or more parenthesised groups of letters after a Han character
    marked_re: re.Pattern[str]  # a token with a tone mark
    unmark: dict[int, Any]  # translate table: marked letter -> base letter, combining mark -> deleted
    syllable_re: re.Pattern[str]  # initial? final, on the unmarked lower-case token
    where: str


@lru_cache(maxsize=8)
def _load(directory: str) -> _Table:
    path = Path(directory) / TABLE
    marks: dict[str, str] = {}
    combining: list[str] = []
    initials: list[str] = []
    finals: list[str] = []
    for row in read_tsv(path, required=("kind", "text")):
        kind, text = row["kind"], row["text"]
        if kind == "mark":
            marks[text] = row["base"]
        elif kind == "combining":
            match = _CODE_RE.fullmatch(text)
            if not match:
                raise TableError(f"{row.where}: a combining mark is written U+XXXX")
            combining.append(chr(int(match.group(1), 16)))
        elif kind == "initial":
            initials.append(text)
        elif kind == "final":
            finals.append(text)
        else:
            raise TableError(f"{row.where}: unknown kind {kind!r} (mark, combining, initial, final)")
    mark_class = "".join(map(re.escape, marks)) + "".join(combining)
    letters = f"A-Za-z{mark_class}"
    token = f"[{letters}]+"
    group = rf"[{_OPENING}] *{token}(?: +{token})* *[)）]"
    unmark: dict[int, Any] = {ord(k): v for k, v in marks.items()}
    unmark.update({ord(c): None for c in combining})
    by_length = lambda items: sorted(items, key=len, reverse=True)  # noqa: E731 - longest alternative first
    return _Table(
        marked_group_res=tuple(re.compile(f"{re.escape(paren)} *[{letters}]*[{mark_class}]") for paren in _OPENING),
        group_re=re.compile(f"(?<=[{_HAN}])(?:{group})+"),
        marked_re=re.compile(f"[{mark_class}]"),
        unmark=unmark,
        syllable_re=re.compile(f"(?:{'|'.join(by_length(initials))})?(?:{'|'.join(by_length(finals))})"),
        where=path.name,
    )


_GROUP_RE = re.compile(r"[(（][^()（）]*[)）]")


def _pinyin_prefix(run: str, table: _Table) -> int:
    """Length of the leading ``(…)`` groups of ``run`` whose every syllable is tone-marked pinyin.

    Only a prefix: a group after a kept one does not follow a Han character.
    """
    end = 0
    for group in _GROUP_RE.finditer(run):
        for token in group.group()[1:-1].split():
            if not table.marked_re.search(token) or not table.syllable_re.fullmatch(
                    token.translate(table.unmark).lower()):
                return end
        end = group.end()
    return end


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    table = _load(str(tables_dir(config.tables_dir)))
    # Nothing to remove unless some group's first token is marked (_pinyin_prefix stops at the first unmarked token).
    if not any(pattern.search(text) for pattern in table.marked_group_res):
        return StageResult(text)
    changes: list[Change] = []
    pieces: list[str] = []
    last = 0
    for match in table.group_re.finditer(text):
        length = _pinyin_prefix(match.group(), table)
        if not length:
            continue
        start, end = match.start(), match.start() + length
        changes.append(Change(start, end, text[start:end], "", "pinyin",
                              f"tone-marked pinyin glued after {text[start - 1]}"))
        pieces.append(text[last:start])
        last = end
    if not changes:
        return StageResult(text)
    pieces.append(text[last:])
    return StageResult("".join(pieces), tuple(changes),
                       summary=f"removed {len(changes)} pinyin annotation(s) glued after characters")
