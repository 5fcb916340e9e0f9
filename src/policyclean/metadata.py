"""Stage 'metadata': the portal's metadata table and what the text says about itself.

Two jobs:

1. A government portal prints a metadata table above the document (seed 002:
   ``| 索 引 号: | 014000319/2025-00326 | 分 类: | … |`` … ``| 时 效: |``), or the same
   as ``索引号：…`` lines or tab-separated label/value lines. A block of such lines at
   the head with at least three known labels (two when one is 索引号 or 效力级别, which only
   portals and law databases print) is parsed into ``data["metadata"]`` and
   taken out of the text (one Change and one ``data["removed"]`` entry per line).
   Labels and the keys they fill are in ``corrections/metadata/fields.tsv``.
2. What the text itself states, without changing it: the title (a heading line such as
   ``省政府关于印发…的通知``, or the first 《…》 named in the first lines), the document
   number (``苏政发〔2025〕108号``), the issuer (a signature line above a date line) and
   the date (``2025年12月29日`` → ``2025-12-29``, or a ``发布日期: 2026-01-07`` line).
   Table values take precedence; ``metadata["sources"]`` says where each value came from
   (``"table"`` or ``"text"``) and ``metadata["text_lines"]`` the line it was read on.

Only the first and last few lines are read, so the stage costs the same on any length.
Both ``:`` and ``：``, ``(`` and ``（`` are accepted (a second pass sees Chinese punctuation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, Mapping

from . import boilerplate
from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

HEAD_LINES = 20  # heading, document number, notice signature live here
TAIL_LINES = 12  # the closing signature and date live here
BLOCK_START = 8  # a portal table may follow a page title or two (and site chrome), never more
MIN_BLOCK_LABELS = 3  # fewer known labels is not evidence of a metadata table...
# ...unless one of them is a key only a portal or a law database prints (索引号, 效力级别)
BLOCK_EVIDENCE_KEYS = frozenset({"index_number", "level"})
DATE_KEYS = ("date", "published", "effective")  # values written YYYY-MM-DD
HEAD_ZONES = ("head", "edge", "anywhere")  # boilerplate rules that remove a line above the body
SHORT_LINE = 60  # heading and signature lines are short

_DOCNUM = (r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（［]\s*(?:19|20)\d{2}\s*[〕\]】)）］]\s*第?\s*\d{1,5}\s*[号號]")
DOCNUM_RE = re.compile(_DOCNUM)
_DOCNUM_LINE_RE = re.compile(r"[(（\[【]?\s*(" + _DOCNUM + r")\s*[)）\]】]?")
_DOCNUM_BRACKET_RE = re.compile(r"[〔\[【(（［]")

_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?P<iy>(?:19|20)\d{2})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d)"
    r"|(?P<cy>[〇○零一二三四五六七八九]{4})\s*年\s*(?P<cm>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<cd>[一二三四五六七八九十]{1,3})\s*日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}

# a line that is only a date, perhaps in brackets: the document's date line
_DATE_LINE_RE = re.compile(r"[(（]?\s*(?:" + _DATE_RE.pattern + r")\s*[)）]?")
_TITLE_QUOTE_RE = re.compile(r"《([^《》\n]{4,80})》")
# sentence punctuation a heading or signature line does not have
_SENTENCE_PUNCT_RE = re.compile(r"[。，,；;：:！!？?]")
# numbered section heads (三、保障措施, (一)…, 1.…) are not document titles
_SECTION_HEAD_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、﹒])")
# a line after the heading that completes the title: (2025—2027年), (征求意见稿), (试行)
_TITLE_TAIL_RE = re.compile(
    r"[(（](?:\d{4}\s*[—–\-－~～至]+\s*\d{4}\s*年?|[^()（）]{0,8}(?:征求意见稿|送审稿|草案|试行|暂行|修订)[^()（）]{0,4})[)）]")
_ORG_LINE_RE = re.compile(r"[\u4e00-\u9fff\w（）()、 ]{2,40}")


@dataclass(frozen=True)
class _Tables:
    labels: Mapping[str, tuple[str, str]]  # normalised label -> (key, line number in fields.tsv)
    colon_re: re.Pattern[str]  # one `label:` (or `【label】`) at a position
    issuer_suffixes: tuple[str, ...]
    title_endings: tuple[str, ...]


@lru_cache(maxsize=8)
def _load(directory: str | None) -> _Tables:
    base = tables_dir(directory) / "metadata"
    labels: dict[str, tuple[str, str]] = {}
    for row in read_tsv(base / "fields.tsv", required=("label", "key")):
        label = "".join(row["label"].split())
        if not label or not row["key"]:
            raise TableError(f"{row.path}:{row.line}: a label and a key are both needed")
        labels[label] = (row["key"], str(row.line))
    # labels may be printed with spaces between characters (索 引 号); longest first
    alternatives = sorted(labels, key=len, reverse=True)
    spaced = "|".join(r"\s*".join(map(re.escape, label)) for label in alternatives)
    # `索引号：` or a law database's `【发布部门】` (its colon optional)
    colon_re = re.compile(r"(?:^|(?<=\s))(?:【\s*(" + spaced + r")\s*】\s*[:：]?|(" + spaced + r")\s*[:：])\s*")
    suffixes = tuple(r["suffix"] for r in read_tsv(base / "issuer_suffixes.tsv", required=("suffix",)) if r["suffix"])
    endings = tuple(r["ending"] for r in read_tsv(base / "title_endings.tsv", required=("ending",)) if r["ending"])
    return _Tables(labels, colon_re, suffixes, endings)


def label_names(directory: str | None = None) -> frozenset[str]:
    """The metadata labels known to ``fields.tsv`` (spaces removed): for the html stage."""
    return frozenset(_load(directory).labels)


def parse_date(value: str) -> str | None:
    """The first date in ``value`` as ISO ``YYYY-MM-DD`` (None if there is none or it is impossible)."""
    match = _DATE_RE.search(value)
    return _iso(match) if match else None


def _iso(match: re.Match[str]) -> str | None:
    if match.group("y"):
        year, month, day = int(match.group("y")), int(match.group("m")), int(match.group("d"))
    elif match.group("iy"):
        year, month, day = int(match.group("iy")), int(match.group("im")), int(match.group("id"))
    else:
        year = int("".join(str(_CN_DIGITS[c]) for c in match.group("cy")))
        month, day = _cn_number(match.group("cm")), _cn_number(match.group("cd"))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _cn_number(text: str) -> int:
    """一..三十一 as an int (十 = 10, 十二 = 12, 二十九 = 29)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def find_doc_number(lines: list[str]) -> tuple[str, int] | None:
    """The document's own number: a line that is only the number (perhaps in brackets)."""
    for index, line in enumerate(lines):
        if len(line) <= 40:
            match = _DOCNUM_LINE_RE.fullmatch(line.strip())
            if match:
                return "".join(match.group(1).split()), index
    return None


def doc_number_issuer(doc_number: str) -> str:
    """The issuer part of a document number: 苏政发〔2025〕108号 → 苏政发."""
    match = _DOCNUM_BRACKET_RE.search(doc_number)
    return doc_number[:match.start()].strip() if match else ""


# ---------------------------------------------------------------------------
# the portal table

def _label(cell: str, tables: _Tables) -> str | None:
    norm = "".join(cell.split()).rstrip(":：")
    return norm if norm in tables.labels else None


def _parse_colon(line: str, tables: _Tables) -> list[tuple[str, str]] | None:
    """``索引号：X 分类：Y`` → [(索引号, X), (分类, Y)]; None unless the line starts with a label."""
    matches = list(tables.colon_re.finditer(line))
    if not matches or matches[0].start() != 0:
        return None
    pairs = []
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else len(line)
        pairs.append(("".join((match.group(1) or match.group(2)).split()), line[match.end():end].strip()))
    return pairs


def _parse_row(line: str, tables: _Tables) -> list[tuple[str, str]] | None:
    """The (label, value) pairs of one metadata line, or None if it is not one."""
    stripped = line.strip()
    if not stripped:
        return None
    if "|" in stripped or "\t" in stripped:
        cells = [c.strip() for c in re.split(r"[|\t]", stripped)]
        pairs: list[tuple[str, str]] = []
        pending: list[str] | None = None
        for cell in cells:
            label = _label(cell, tables) if cell else None
            if label:
                if pending:
                    pairs.append((pending[0], pending[1]))
                pending = [label, ""]
            elif not cell:
                continue
            elif pending is not None and not pending[1]:
                pending[1] = cell
            else:
                # a cell that holds `label: value`, else a value nobody labelled: not a metadata row
                inline = _parse_colon(cell, tables)
                if inline is None:
                    return None
                if pending:
                    pairs.append((pending[0], pending[1]))
                    pending = None
                pairs.extend(inline)
        if pending:
            pairs.append((pending[0], pending[1]))
        return pairs or None
    return _parse_colon(stripped, tables)


_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def _is_debris(line: str) -> bool:
    """A short line without a Han character: no label, no value a reader needs."""
    return len(line) <= 20 and not _HAN_RE.search(line)


def _find_blocks(lines: list[str], tables: _Tables, chrome: Any) -> list[tuple[int, int, list[list[tuple[str, str]]]]]:
    """(first, end, parsed rows) of each metadata block at the head of the page.

    A block starts within BLOCK_START lines of the top, not counting the lines above it that
    the boilerplate stage removes later (site chrome, a stray number) or that are blocks
    themselves, and above the page's first body paragraph; so a second pass over the text
    without them finds no more blocks (idempotence).
    """
    blocks: list[tuple[int, int, list[list[tuple[str, str]]]]] = []
    counted = 0  # lines above that count towards BLOCK_START
    at = 0
    while at < len(lines) and counted < BLOCK_START:
        block = _find_block(lines, tables, at, at + 1)
        if block is not None:
            blocks.append(block)
            at = block[1]
            continue
        line = lines[at]
        if not _is_debris(line) and not _chrome_above_body(line, chrome):
            if boilerplate.is_prose(line):
                break  # the first body paragraph: the head ends here
            counted += 1
        at += 1
    return blocks


def _chrome_above_body(line: str, chrome: Any) -> bool:
    """Whether the boilerplate stage removes ``line`` above the body (a rule of a head zone
    matches it, the first to match or a later one)."""
    return any(rule.zone in HEAD_ZONES for rule in boilerplate.matching_rules(line, chrome))


def _find_block(lines: list[str], tables: _Tables, first: int = 0,
                limit: int = BLOCK_START) -> tuple[int, int, list[list[tuple[str, str]]]] | None:
    """(first, end, parsed rows) of the first metadata block starting in lines[first:limit]."""
    for start in range(first, min(limit, len(lines))):
        first = _parse_row(lines[start], tables)
        if first is None:
            continue
        rows = [first]
        end = start + 1
        while end < len(lines):
            row = _parse_row(lines[end], tables)
            if row is None:
                # A stray cell between two rows (a bare "0", a line of bars) belongs to the table:
                # otherwise a later stage removes it and a second pass finds a bigger table.
                debris = end
                while debris < len(lines) and _is_debris(lines[debris]):
                    debris += 1
                if debris == end or debris == len(lines) or _parse_row(lines[debris], tables) is None:
                    break
                rows += [[]] * (debris - end)
                end = debris
                continue
            rows.append(row)
            end += 1
        labels = {label for row in rows for label, _ in row}
        strong = any(tables.labels[label][0] in BLOCK_EVIDENCE_KEYS for label in labels if label in tables.labels)
        if len(labels) >= MIN_BLOCK_LABELS or (strong and len(labels) >= 2):
            return start, end, rows
    return None


# ---------------------------------------------------------------------------
# what the text states

def _is_org_line(line: str, tables: _Tables) -> bool:
    return (len(line) <= 40 and _ORG_LINE_RE.fullmatch(line) is not None
            and line.endswith(tables.issuer_suffixes))


def _is_heading(line: str, tables: _Tables) -> bool:
    return (4 <= len(line) <= SHORT_LINE and not _SENTENCE_PUNCT_RE.search(line)
            and not _SECTION_HEAD_RE.match(line) and line.endswith(tables.title_endings))


def _headings(lines: list[str], tables: _Tables) -> list[tuple[str, int]]:
    """Heading lines among ``lines`` (a two-line heading joined, a (2025—2027年) line appended)."""
    found = []
    for index, line in enumerate(lines):
        title = None
        if _is_heading(line, tables):
            title, last = line, index
        elif (index + 1 < len(lines) and len(line) <= 30 and not _SENTENCE_PUNCT_RE.search(line)
              and not _SECTION_HEAD_RE.match(line) and _is_heading(lines[index + 1], tables)
              and "关于" in line + lines[index + 1] and not line.endswith(tables.title_endings)):
            # 省政府关于印发关键词1省 / “人工智能+”行动方案的通知
            title, last = line + lines[index + 1], index + 1
        if title is None:
            continue
        if last + 1 < len(lines) and _TITLE_TAIL_RE.fullmatch(lines[last + 1]):
            title += lines[last + 1]  # 天津市…行动方案 / (2025—2027年)
        found.append((title, index))
    return found


def _quoted_title(lines: list[str]) -> tuple[str, int] | None:
    for index, line in enumerate(lines[:10]):
        for match in _TITLE_QUOTE_RE.finditer(line):
            if not line[max(0, match.start() - 4):match.start()].endswith(("简称", "簡稱")):
                return match.group(1), index
    return None


def _signature(lines: list[str], tables: _Tables) -> tuple[str, str, int, int] | None:
    """(issuer, ISO date, issuer line, date line) of a signature: org line(s) above a date line."""
    for index, line in enumerate(lines):
        match = _DATE_LINE_RE.fullmatch(line)
        if not match or index == 0:
            continue
        orgs = []
        back = index - 1
        while back >= 0 and len(orgs) < 4 and _is_org_line(lines[back], tables):
            orgs.insert(0, lines[back])
            back -= 1
        date = parse_date(line)
        if orgs and date:
            return "、".join(orgs), date, back + 1, index
    return None


def _text_facts(lines: list[str], skip: set[int], tables: _Tables) -> tuple[dict[str, Any], dict[str, int]]:
    """Title, doc_number, issuer, date (and label lines' values) stated in the head and tail zones."""
    facts: dict[str, Any] = {}
    where: dict[str, int] = {}
    head_numbers = [i for i in range(min(len(lines), len(skip) + HEAD_LINES)) if i not in skip]
    head = [lines[i] for i in head_numbers]
    tail_start = max(head_numbers[-1] + 1 if head_numbers else 0, len(lines) - TAIL_LINES)
    tail = lines[tail_start:]

    def put(key: str, value: Any, line: int) -> None:
        if value and key not in facts:
            facts[key] = value
            where[key] = line + 1

    # single label lines in the head (发布日期: 2026-01-07, 文号：…)
    for number, line in zip(head_numbers, head):
        pairs = _parse_colon(line, tables) if len(line) <= 80 else None
        for label, value in pairs or ():
            key = tables.labels[label][0]
            if key in DATE_KEYS:
                value = parse_date(value) or ""
            put(key, value, number)

    found = find_doc_number(head)
    if found:
        put("doc_number", found[0], head_numbers[found[1]])

    signature = _signature(head, tables)
    sig_lines = head_numbers
    if signature is None:
        signature = _signature(tail, tables)
        sig_lines = list(range(tail_start, len(lines)))
    if signature:
        issuer, date, issuer_line, date_line = signature
        put("issuer", issuer, sig_lines[issuer_line])
        put("date", date, sig_lines[date_line])

    # a bare date line: the tail's (closing date) before the head's
    for numbers, zone in ((range(tail_start, len(lines)), tail), (head_numbers, head)):
        for number, line in zip(numbers, zone):
            if _DATE_LINE_RE.fullmatch(line):
                put("date", parse_date(line), number)
    if "date" not in facts and "published" in facts:
        facts["date"] = facts["published"]
        where["date"] = where["published"]

    headings = _headings(head, tables)
    quoted = _quoted_title(head)
    # the document's own heading before a 《…》 that names it. Of several headings (a news
    # headline may look like one) the one the 《…》 names, unless the first is an official
    # 关于… heading: a notice's 《…》 names the plan it issues, not the notice
    named = [h for h in headings if quoted and (h[0].startswith(quoted[0]) or quoted[0].startswith(h[0]))]
    if headings and "关于" in headings[0][0]:
        named = []
    title = (named or headings or [quoted])[0]
    if title:
        put("title", title[0], head_numbers[title[1]])
    return facts, where


# ---------------------------------------------------------------------------

def table_rows(lines: list[str], config: Config) -> list[tuple[int, list[tuple[str, str]]]]:
    """(line index, its (label, value) pairs) of each line of the portal metadata tables at the
    head of ``lines``, in order; a stray cell between rows has no pairs. The extract stage also
    asks this of a document it cuts out of a news article (its head is then a new head)."""
    tables = _load(config.tables_dir)
    chrome = boilerplate.load_rules(str(tables_dir(config.tables_dir)))
    return [(number, row) for start, end, rows in _find_blocks(lines, tables, chrome)
            for number, row in zip(range(start, end), rows)]


def row_values(row: list[tuple[str, str]], config: Config) -> dict[str, str]:
    """The metadata a table row gives (key -> value; dates in ISO form; empty cells left out)."""
    labels = _load(config.tables_dir).labels
    values: dict[str, str] = {}
    for label, value in row:
        key = labels[label][0]
        if key in DATE_KEYS:
            value = parse_date(value) or value
        if value:
            values.setdefault(key, value)
    return values


def row_reason(row: list[tuple[str, str]], config: Config) -> tuple[str, str]:
    """The rule and the why of taking a table row out of the text."""
    if not row:
        return "metadata", "a stray cell between rows of the portal metadata table"
    where = _load(config.tables_dir).labels
    labels = "、".join(label for label, _ in row)
    rule = "metadata/fields.tsv:" + ",".join(dict.fromkeys(where[label][1] for label, _ in row))
    return rule, f"portal metadata table row ({labels}) moved into metadata"


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not text.strip():
        return StageResult(text)
    tables = _load(config.tables_dir)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final "\n"

    metadata: dict[str, Any] = {}
    sources: dict[str, str] = {}
    changes: list[Change] = []
    removed: list[dict[str, Any]] = []
    warnings: list[str] = []
    skip: set[int] = set()

    rows = table_rows(lines, config)
    # where each line starts (its "\n" counted), only when there is a table to take out
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0)) if rows else []
    for number, row in rows:
        skip.add(number)
        for key, value in row_values(row, config).items():
            if value and key not in metadata:
                metadata[key] = value
                sources[key] = "table"
        start, end = starts[number], min(starts[number + 1], len(text))
        rule, why = row_reason(row, config)
        changes.append(Change(start, end, text[start:end], "", rule, why))
        removed.append({"stage": "metadata", "rule": rule, "why": why, "line": number + 1, "text": lines[number]})

    stated, stated_lines = _text_facts(lines, skip, tables)
    text_lines: dict[str, int] = {}
    for key, value in stated.items():
        if key not in metadata:
            metadata[key] = value
            sources[key] = "text"
            text_lines[key] = stated_lines[key]
        elif key in ("doc_number", "date") and metadata[key] != value:
            warnings.append(f"{_name(config)}metadata: the portal table gives {key} {metadata[key]}, "
                            f"the text (line {stated_lines[key]}) {value}; kept the table's")
    if not metadata:
        return StageResult(text)
    metadata["sources"] = sources
    if text_lines:
        metadata["text_lines"] = text_lines

    data: dict[str, Any] = {"metadata": metadata}
    if changes:
        data["removed"] = removed
        kept, last = [], 0
        for change in changes:  # in text order; the blocks' lines are taken out
            kept.append(text[last:change.start])
            last = change.end
        new_text = "".join(kept) + text[last:]
        found = ", ".join(k for k, s in sources.items() if s == "table")
        summary = f"parsed the portal metadata table ({len(changes)} lines: {found}) into metadata"
    else:
        new_text = text
        summary = "found " + ", ".join(sorted(metadata.keys() - {"sources", "text_lines"})) + " in the text"
    return StageResult(new_text, tuple(changes), tuple(warnings), data, summary)


def _name(config: Config) -> str:
    return f"{config.source}: " if config.source else ""
