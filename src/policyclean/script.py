"""Stage 't2s': detect the script of every paragraph; convert the Traditional ones to Simplified.

Simplified text is never run through OpenCC's t2s: t2s damages Simplified text
(吉林省乾安县 → 干安县) and is not idempotent for some characters. So each line is
classified first by counting, at C level, characters that only occur in Traditional
text and characters that only occur in Simplified text. Both sets are
``corrections/script_chars.tsv``, generated from OpenCC's own character
dictionaries (``python -m policyclean.script --write-chars corrections/script_chars.tsv``):
a character is Traditional-only when OpenCC's TSCharacters maps it and does not list
it among its own Simplified forms (so 乾 於 瞭 藉 祕 夥, which OpenCC lists as their own
Simplified forms, are no evidence), Simplified-only likewise from STCharacters (so
系 制 台 于 范 采 里, which naive converters leave in Traditional output, are no
evidence). A shipped, generated table rather than one built at start-up, because
those "lists itself" facts are in OpenCC's dictionaries but not reachable through
its Python API, and because a table can be reviewed and diffed when OpenCC changes.
``corrections/script_evidence.tsv`` (reviewed) removes more characters from the
evidence and names words that are never evidence (the Simplified placeholder 关键词
inside Traditional text).

Converted paragraphs then get the phrase fixes of ``corrections/t2s_fixes.tsv``
(OpenCC's t2s keeps 著 where mainland text writes 着: 随着, 意味着, 着力 …).

Speed: _evidence is the definition of a line's evidence; run() computes the same numbers
for the whole document at once (_document_evidence). Lines without a Traditional-only
character need no count of their own; the others are counted with two codec encodings
and one correction scan (_CodecCount) instead of a regex match object per character; the
other lines' Simplified-only characters are counted only when the document's majority
decides a line, and only until the answer is sure. With Config(max_changes=0) no Change
record is built, only counted (StageResult.count).
"""

from __future__ import annotations

import operator
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, compress, repeat
from pathlib import Path
from typing import Any, Mapping

from .data import read_tsv, tables_dir
from .errors import TableError
from .model import Change, Config, StageResult

CHARS_TABLE = "script_chars.tsv"
EVIDENCE_TABLE = "script_evidence.tsv"
FIXES_TABLE = "t2s_fixes.tsv"
OPENCC_CONFIG = {"none": "t2s", "tw": "tw2sp", "hk": "hk2s"}

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_ASTRAL_RE = re.compile(r"[\U00010000-\U0010ffff]")
_ASTRAL_NL_RE = re.compile(r"[\U00010000-\U0010ffff\n]")


def _has_astral(text: str) -> bool:
    """Whether ``text`` holds a character beyond the BMP. Encoding to UTF-16 is a near-copy
    (a few ms for 10 MB) where a regex search for the astral range scans 4x slower; each
    astral character takes two UTF-16 units, everything else one."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


@lru_cache(maxsize=4)
def _converter(name: str) -> Any:
    import opencc  # imported lazily: only documents with Traditional text need it

    return opencc.OpenCC(name)


@dataclass(frozen=True)
class _CharClass:
    """Counts the characters of one set in a string; BMP and astral parts apart, because
    a regex character class with astral members is scanned linearly and is 10x slower."""

    bmp: re.Pattern[str]
    astral: re.Pattern[str] | None

    def finditer(self, text: str) -> list[re.Match[str]]:
        found = list(self.bmp.finditer(text))
        if self.astral is not None and _has_astral(text):
            found = sorted(found + list(self.astral.finditer(text)), key=lambda m: m.start())
        return found

    def search(self, text: str) -> bool:
        """Whether ``text`` holds a character of the set (stops at the first; builds no list)."""
        if self.bmp.search(text):
            return True
        # the astral class scans slowly: look for any astral character at all first
        return self.astral is not None and _has_astral(text) and bool(self.astral.search(text))

    def search_lines(self, lines: list[str], has_astral: bool) -> list[Any]:
        """For each line, whether it holds a character of the set (one C-level search per line);
        ``has_astral``: whether any line holds an astral character."""
        hits = list(map(self.bmp.search, lines))
        if self.astral is not None and has_astral:
            hits = [hit or self.astral.search(line) for hit, line in zip(hits, lines)]
        return hits

    def count(self, text: str) -> int:
        n = len(self.bmp.findall(text))
        if self.astral is not None and _has_astral(text):
            n += len(self.astral.findall(text))
        return n


def _char_class(chars: set[str]) -> _CharClass:
    bmp = "".join(sorted(c for c in chars if ord(c) < 0x10000)) or "\x00"
    astral = "".join(sorted(c for c in chars if ord(c) >= 0x10000))
    return _CharClass(re.compile(f"[{re.escape(bmp)}]"), re.compile(f"[{re.escape(astral)}]") if astral else None)


def _class_of(chars: list[str]) -> str:
    """A regex character class body for ``chars`` as ranges (compact and quick to compile
    even for tens of thousands of characters)."""
    codes = sorted(map(ord, chars))
    starts = [code for before, code in zip([-2, *codes], codes) if code != before + 1]
    ends = [code for code, after in zip(codes, [*codes[1:], -2]) if after != code + 1]
    return "".join(f"{re.escape(chr(start))}-{re.escape(chr(end))}" for start, end in zip(starts, ends))


@dataclass(frozen=True)
class _CodecCount:
    """Counts the characters of one set without a regex match per character.

    A regex costs a Python object per match, and the evidence characters are a third of a
    Traditional text. Python's CJK codecs classify characters in C instead: encoding with
    errors="replace" writes b"?" for each character the codec lacks. GB2312 lacks nearly
    exactly the Traditional-only characters, Big5 nearly exactly the Simplified-only ones.
    So a count is the number of b"?" plus a correction for the characters where codec and
    set disagree ("?" itself, —, 机 …), found by a regex scan. The count is exact for any
    text: the corrections are computed from the codec over the whole BMP, and astral
    characters (which neither codec has) are corrected one by one."""

    codec: str
    members: frozenset[str]
    correction: Mapping[str, int]  # BMP character -> (1 if in the set) - (b"?" the codec writes for it)

    @cached_property
    def disagree(self) -> re.Pattern[str]:
        """The characters of ``correction``."""
        return re.compile(f"[{_class_of(list(self.correction))}]") if self.correction else re.compile("(?!)")

    def correct(self, char: str) -> int:
        """What to add to the b"?" count for one occurrence of ``char`` ("\n" included: 0)."""
        if char in self.correction:
            return self.correction[char]
        if ord(char) < 0x10000:
            return 0
        return (char in self.members) - char.encode(self.codec, "replace").count(b"?")

    def question_marks(self, joined: str) -> list[int]:
        """The b"?" count of each line of ``joined`` ("\n"-separated), uncorrected."""
        return list(map(bytes.count, joined.encode(self.codec, "replace").split(b"\n"), repeat(b"?")))

    def total(self, text: str, astral: bool = True) -> int:
        """The number of set members in ``text`` (``astral``: False when it surely has no
        astral character)."""
        n = text.encode(self.codec, "replace").count(b"?")
        n += sum(map(self.correction.__getitem__, self.disagree.findall(text)))
        if astral and _has_astral(text):
            n += sum(map(self.correct, _ASTRAL_RE.findall(text)))
        return n

    def at_least(self, text: str, limit: int, astral: bool = True, chunk: int = 1 << 18) -> bool:
        """Whether ``text`` holds ``limit`` or more set members. Counts chunk by chunk and
        stops as soon as the answer is sure (a long Simplified text against a few
        Traditional characters: after the first chunk)."""
        counted = 0
        for start in range(0, len(text), chunk):
            if counted >= limit or counted + len(text) - start < limit:
                break
            counted += self.total(text[start:start + chunk], astral)
        return counted >= limit


def _codec_count(codec: str, members: frozenset[str]) -> _CodecCount:
    bmp = list(map(chr, (*range(0x0A), *range(0x0B, 0x10000))))  # every BMP character but "\n"
    encoded = "\n".join(bmp).encode(codec, "replace").split(b"\n")
    if len(encoded) != len(bmp):  # a byte 0x0A inside some character's bytes: lines would not split
        raise TableError(f"codec {codec} cannot count characters line by line")
    # (1 if a member) - (b"?" written for it), for 65535 characters: C-level maps, not a loop
    difference = list(map(operator.sub, map(members.__contains__, bmp), map(bytes.count, encoded, repeat(b"?"))))
    correction = dict(compress(zip(bmp, difference), difference))
    return _CodecCount(codec, members, correction)


@dataclass(frozen=True)
class _EvidenceCount:
    """Traditional-only and Simplified-only counts of every line of a "\n"-joined text:
    two encodings and one regex scan for the characters either codec gets wrong."""

    traditional: _CodecCount
    simplified: _CodecCount
    disagree_nl: re.Pattern[str]  # characters either codec gets wrong, and "\n"

    def per_line(self, joined: str, astral: bool = True) -> tuple[list[int], list[int]]:
        """``astral``: False when ``joined`` surely has no astral character."""
        trad = self.traditional.question_marks(joined)
        simp = self.simplified.question_marks(joined)
        # the matches of a "[...\n]" class joined and split at "\n": the characters to correct, line by line
        found = "".join(self.disagree_nl.findall(joined)).split("\n")
        trad_correction, simp_correction = self.traditional.correction.get, self.simplified.correction.get
        for index in compress(range(len(found)), found):
            trad[index] += sum(map(trad_correction, found[index], repeat(0)))
            simp[index] += sum(map(simp_correction, found[index], repeat(0)))
        if astral and _has_astral(joined):
            found = "".join(_ASTRAL_NL_RE.findall(joined)).split("\n")
            for index in compress(range(len(found)), found):
                trad[index] += sum(map(self.traditional.correct, found[index]))
                simp[index] += sum(map(self.simplified.correct, found[index]))
        return trad, simp


def _evidence_count(traditional: frozenset[str], simplified: frozenset[str]) -> _EvidenceCount:
    trad, simp = _codec_count("gb2312", traditional), _codec_count("big5", simplified)
    either = list(set(trad.correction) | set(simp.correction))
    return _EvidenceCount(trad, simp, re.compile(f"[{_class_of(either)}\n]"))


@dataclass(frozen=True)
class _Tables:
    traditional_chars: frozenset[str]
    traditional: _CharClass
    simplified: _CharClass
    ignore_re: re.Pattern[str] | None  # words that are never evidence
    ignore_words: tuple[str, ...]
    fixes_re: re.Pattern[str] | None
    fixes: dict[str, tuple[str, str]]  # from -> (to, "t2s_fixes.tsv:LINE")
    fix_anchors: tuple[str, ...]  # one character of each fix that changes text; a line without any has no fix
    simplified_chars: frozenset[str]

    @cached_property
    def evidence_count(self) -> _EvidenceCount:
        """Built on first use (tens of ms): only documents with Traditional-only characters need it."""
        return _evidence_count(self.traditional_chars, self.simplified_chars)


@lru_cache(maxsize=8)
def _load(directory: str) -> _Tables:
    base = Path(directory)
    traditional: set[str] = set()
    simplified: set[str] = set()
    for row in read_tsv(base / CHARS_TABLE, required=("char", "kind")):
        if len(row["char"]) != 1:
            raise TableError(f"{row.where}: column char must hold one character")
        if row["kind"] == "traditional":
            traditional.add(row["char"])
        elif row["kind"] == "simplified":
            simplified.add(row["char"])
        else:
            raise TableError(f"{row.where}: kind must be traditional or simplified")
    weak: set[str] = set()
    ignore: list[str] = []
    for row in read_tsv(base / EVIDENCE_TABLE, required=("text", "kind")):
        if row["kind"] == "weak":
            weak.update(row["text"])
        elif row["kind"] == "ignore":
            ignore.append(row["text"])
        else:
            raise TableError(f"{row.where}: kind must be weak (characters) or ignore (a word)")
    fixes: dict[str, tuple[str, str]] = {}
    for row in read_tsv(base / FIXES_TABLE, required=("from", "to")):
        if not row["from"] or not row["to"]:
            raise TableError(f"{row.where}: both from and to are needed")
        if row["from"] in fixes:
            raise TableError(f"{row.where}: {row['from']} is listed twice")
        fixes[row["from"]] = (row["to"], row.where)
    # the character a fix replaces (甚 of 甚么 → 什么), else its first: rare in converted text
    anchors = {next((a for a, b in zip(word, to) if a != b), word[0]) for word, (to, _) in fixes.items() if to != word}
    return _Tables(
        traditional_chars=frozenset(traditional - weak),
        traditional=_char_class(traditional - weak),
        simplified=_char_class(simplified - weak),
        ignore_re=re.compile("|".join(map(re.escape, sorted(ignore, key=len, reverse=True)))) if ignore else None,
        ignore_words=tuple(ignore),
        fixes_re=_fixes_pattern(fixes),
        fixes=fixes,
        fix_anchors=tuple(sorted(anchors)),
        simplified_chars=frozenset(simplified - weak),
    )


def _fixes_pattern(fixes: Mapping[str, tuple[str, str]]) -> re.Pattern[str] | None:
    """Leftmost, longest first. Rows with to == from protect a word (显著, 著名) from a
    shorter fix that would start at the same place; a fix ending in 著 must not take
    the 著 of a protected word that follows (代表著名 is 代表 + 著名, not 代表着 + 名)."""
    if not fixes:
        return None
    protected_tails = sorted({f[1:] for f, (t, _) in fixes.items() if f == t and f.startswith("著") and len(f) > 1})
    guard = f"(?!{'|'.join(map(re.escape, protected_tails))})" if protected_tails else ""
    parts = []
    for word in sorted(fixes, key=len, reverse=True):
        tail_guard = guard if word.endswith("著") and fixes[word][0] != word else ""
        parts.append(re.escape(word) + tail_guard)
    return re.compile("|".join(parts))


@lru_cache(maxsize=8)
def _stray_map(directory: str, name: str) -> dict[int, str]:
    """Traditional-only character -> its OpenCC conversion on its own (no phrase context).
    Safe on any text: these characters are not Simplified, and nothing else is touched."""
    chars = sorted(_load(directory).traditional_chars)
    converter = _converter(name)
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never expected; do not misalign
        converted = [converter.convert(c) for c in chars]
    return {ord(c): t for c, t in zip(chars, converted) if t != c}


def _evidence(line: str, tables: _Tables) -> tuple[int, int]:
    """Traditional-only and Simplified-only characters of one line: the definition.
    run() computes the same numbers for a whole document in bulk (_DocumentEvidence)."""
    if tables.ignore_re is not None and tables.ignore_re.search(line):
        line = tables.ignore_re.sub("", line)
    return tables.traditional.count(line), tables.simplified.count(line)


def _is_traditional(trad: int, simp: int, prior_traditional: bool) -> bool:
    """Whether a paragraph with ``trad`` Traditional-only and ``simp`` Simplified-only
    characters is Traditional text. Little evidence follows the document's majority:
    one stray Traditional character in a Simplified document is not enough, a short
    heading 二、總體目標 is."""
    if trad == 0:
        return False
    if simp == 0:
        return trad >= 2 or prior_traditional
    if prior_traditional:
        return trad >= simp
    return trad >= 2 and trad >= 3 * simp


@dataclass(frozen=True)
class _DocumentEvidence:
    """The script evidence of every line of a document, as _evidence defines it.

    Only lines holding a Traditional-only character (the candidates) get counts: every
    other line has none, is never Traditional and needs only its Simplified-only count,
    and that only in total, for the document's majority (the prior)."""

    candidates: list[int]  # indices of the lines with a Traditional-only character
    evidence: dict[int, tuple[int, int]]  # candidate -> (Traditional-only, Simplified-only)
    traditional: list[int]  # the candidates that are Traditional paragraphs
    strays: list[int]  # the candidates that are not
    script: str  # traditional, simplified or mixed
    astral: bool  # whether the document holds a character beyond the BMP


def _document_evidence(lines: list[str], offsets: list[int], text: str, tables: _Tables) -> _DocumentEvidence:
    """``offsets``: where each line starts in ``text``."""
    if tables.ignore_re is not None:
        # words that are never evidence (they hold no "\n"): removed from the few lines that have them
        ignored = _lines_containing(text, offsets, tables.ignore_words)
        if ignored:
            lines = list(lines)
            for index in ignored:
                lines[index] = tables.ignore_re.sub("", lines[index])
    astral = _has_astral(text)
    hits = tables.traditional.search_lines(lines, astral)
    candidates = list(compress(range(len(lines)), hits))
    others = "\n".join(compress(lines, map(operator.not_, hits)))  # lines with no Traditional-only character
    if candidates:
        joined = "\n".join(map(lines.__getitem__, candidates))
        pairs = list(zip(*tables.evidence_count.per_line(joined, astral)))
    else:
        pairs = []
    # The prior (Traditional-only > Simplified-only in the whole document) decides only the
    # pairs the two rules of _is_traditional disagree on; count the other lines' Simplified-only
    # characters only then.
    distinct = set(pairs)
    prior = False
    if any(_is_traditional(t, s, True) != _is_traditional(t, s, False) for t, s in distinct):
        # more Traditional-only than Simplified-only characters in the whole document
        margin = sum(t for t, _ in pairs) - sum(s for _, s in pairs)
        prior = not tables.evidence_count.simplified.at_least(others, margin, astral)
    decision = {pair: _is_traditional(*pair, prior) for pair in distinct}
    is_traditional = list(map(decision.__getitem__, pairs))
    has_traditional = any(is_traditional)
    has_simplified = not all(is_traditional) or bool(tables.simplified.search(others))
    script = "mixed" if has_traditional and has_simplified else "traditional" if has_traditional else "simplified"
    return _DocumentEvidence(
        candidates=candidates,
        evidence=dict(zip(candidates, pairs)),
        traditional=list(compress(candidates, is_traditional)),
        strays=list(compress(candidates, map(operator.not_, is_traditional))),
        script=script,
        astral=astral,
    )


def _lines_containing(text: str, offsets: list[int], words: tuple[str, ...]) -> set[int]:
    """Indices of the lines of ``text`` that hold one of ``words`` (words without "\n");
    str.find skips through text far faster than a regex scan."""
    found = set()
    for word in words:
        start = text.find(word)
        while start != -1:
            index = bisect_right(offsets, start) - 1
            found.add(index)
            start = text.find(word, offsets[index + 1]) if index + 1 < len(offsets) else -1
    return found


@lru_cache(maxsize=1024)
def _why_traditional(evidence: tuple[int, int]) -> str:
    return f"paragraph is Traditional: {evidence[0]} Traditional-only vs {evidence[1]} Simplified-only characters"


def _lines_with_fix_anchor(lines: list[str], joined: str, tables: _Tables) -> set[int]:
    """Indices of the lines that may hold a fix: a fix needs its anchor character, and the
    anchors (著 甚 炼 …) are rare, so `in` (a C memchr-like scan) rules out nearly every line."""
    found: set[int] = set()
    for anchor in tables.fix_anchors:
        if anchor in joined:
            found.update(compress(range(len(lines)), map(str.__contains__, lines, repeat(anchor))))
    return found


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if not _HAN_RE.search(text):
        return StageResult(text, data={"script": "none"})
    tables = _load(str(tables_dir(config.tables_dir)))
    if config.t2s != "always" and not tables.traditional.search(text):
        # no Traditional-only character anywhere: no paragraph can be Traditional
        return StageResult(text, data={"script": "simplified"})
    lines = text.split("\n")
    offsets = list(accumulate(map((1).__add__, map(len, lines)), initial=0))  # where each line starts
    document = _document_evidence(lines, offsets, text, tables)
    script = document.script
    data = {"script": script}

    if config.t2s == "never":
        return StageResult(text, data=data, summary=f"document script: {script} (t2s=never: not converted)")
    if config.t2s == "always":
        chosen = [i for i, line in enumerate(lines) if _HAN_RE.search(line)]
    else:
        chosen = document.traditional
    # Simplified paragraphs with stray Traditional-only characters: those characters alone are
    # converted, never the paragraph. So the output holds no Traditional-only character, and a
    # second pass (even after later stages removed lines and moved the document's majority)
    # has nothing to do.
    strays = document.strays if config.t2s == "auto" else []
    if not chosen and not strays:
        return StageResult(text, data=data)

    name = OPENCC_CONFIG[config.region]
    rule = "t2s" if name == "t2s" else f"t2s:{name}"
    directory = str(tables_dir(config.tables_dir))
    # One OpenCC call for all chosen lines: no dictionary entry holds "\n", so lines stay apart.
    converted_text = _converter(name).convert("\n".join(map(lines.__getitem__, chosen))) if chosen else ""
    converted = converted_text.split("\n") if chosen else []
    if len(converted) != len(chosen):  # never expected; refuse to misalign lines
        converted = [_converter(name).convert(lines[i]) for i in chosen]
        converted_text = "\n".join(converted)
    if chosen and tables.traditional.search(converted_text):
        # OpenCC kept a Traditional-only character in some phrase: convert it alone
        mapping = _stray_map(directory, name)
        for j in compress(range(len(converted)), tables.traditional.search_lines(converted, _has_astral(converted_text))):
            converted[j] = converted[j].translate(mapping)
        converted_text = "\n".join(converted)
    may_fix = _lines_with_fix_anchor(converted, converted_text, tables) if tables.fixes_re is not None else set()

    olds = list(map(lines.__getitem__, chosen))

    def why(rows: list[int]) -> Any:
        if config.t2s == "auto":
            return map(_why_traditional, map(document.evidence.__getitem__, rows))
        return repeat("t2s=always: every paragraph converted")

    record = config.max_changes != 0  # 0: the caller wants the text and the count, not the records
    changes: list[Change] = []
    made = 0  # changes made, recorded or not
    fixed_words = 0
    for j in sorted(may_fix):  # the few lines a phrase fix may touch
        new, line_changes = _apply_fixes(olds[j], converted[j], offsets[chosen[j]], tables, rule,
                                         next(why([chosen[j]])))
        fixed_words += sum(1 for c in line_changes if c.rule.startswith(FIXES_TABLE))
        converted[j] = new
        if new != olds[j]:
            changes.extend(line_changes)
    made += len(changes)
    changed = list(compress(range(len(chosen)), map(operator.ne, converted, olds)))
    plain = [j for j in changed if j not in may_fix] if may_fix else changed
    made += len(plain)  # every other changed line is one Change (what _apply_fixes gives when no fix applies)
    if record:
        # built column by column with C-level maps: there are tens of thousands of them. Change
        # is a NamedTuple; tuple.__new__ is what its _make calls, minus a Python-level call per record.
        rows = list(map(chosen.__getitem__, plain))
        befores = list(map(olds.__getitem__, plain))
        starts = list(map(offsets.__getitem__, rows))
        columns = zip(starts, map(operator.add, starts, map(len, befores)), befores,
                      map(converted.__getitem__, plain), repeat(rule), why(rows))
        changes.extend(map(tuple.__new__, repeat(Change), columns))
    out = list(lines)
    for j in changed:
        out[chosen[j]] = converted[j]
    converted_count = len(changed)
    stray_count = 0
    if strays:
        mapping = _stray_map(directory, name)
        for index in strays:
            trad, simp = document.evidence[index]
            reason = (f"Traditional-only character in a Simplified paragraph ({trad} Traditional-only vs "
                      f"{simp} Simplified-only characters): only the character is converted") if record else ""
            pieces, last = [], 0
            for match in (tables.traditional.finditer if document.astral else tables.traditional.bmp.finditer)(lines[index]):
                after = match.group().translate(mapping)
                if after == match.group():
                    continue
                stray_count += 1
                if record:
                    changes.append(Change(offsets[index] + match.start(), offsets[index] + match.end(),
                                          match.group(), after, f"{rule}:stray", reason))
                pieces += [lines[index][last:match.start()], after]
                last = match.end()
            out[index] = "".join(pieces) + lines[index][last:]
    made += stray_count
    if not made:
        return StageResult(text, data=data)
    if record:
        changes.sort(key=operator.attrgetter("start"))
    parts = []
    if converted_count:
        parts.append(f"converted {converted_count} Traditional paragraph(s) to Simplified with OpenCC {name}")
    if fixed_words:
        parts.append(f"{fixed_words} phrase fix(es) from {FIXES_TABLE}")
    if stray_count:
        parts.append(f"converted {stray_count} stray Traditional character(s) in Simplified paragraphs")
    summary = ", ".join(parts) + f"; document script: {script}"
    if not record:
        return StageResult("\n".join(out), data=data, summary=summary, count=made)
    return StageResult("\n".join(out), tuple(changes), data=data, summary=summary)


def _apply_fixes(old: str, new: str, offset: int, tables: _Tables, rule: str,
                 why: str) -> tuple[str, list[Change]]:
    """Apply the phrase fixes to one converted line; return it and its Changes.

    One Change for the paragraph; when a fix applies and OpenCC kept the line's length
    (character-for-character, the usual case), the paragraph is cut around each fixed
    word so the fix gets its own Change with its table line."""
    hits = []
    if tables.fixes_re is not None:
        for match in tables.fixes_re.finditer(new):
            to, where = tables.fixes[match.group()]
            if to != match.group():
                hits.append((match.start(), match.end(), to, where))
    if not hits:
        return new, ([Change(offset, offset + len(old), old, new, rule, why)] if new != old else [])
    pieces, last = [], 0
    for start, end, to, _ in hits:
        pieces += [new[last:start], to]
        last = end
    fixed = "".join(pieces) + new[last:]
    aligned = len(new) == len(old) and all(len(to) == end - start for start, end, to, _ in hits)
    if not aligned:
        wheres = ",".join(w for *_, w in hits)
        return fixed, [Change(offset, offset + len(old), old, fixed, f"{rule}+{wheres}", why)]
    changes, last = [], 0
    for start, end, to, where in hits:
        if old[last:start] != new[last:start]:
            changes.append(Change(offset + last, offset + start, old[last:start], new[last:start], rule, why))
        changes.append(Change(offset + start, offset + end, old[start:end], to, where,
                              f"mainland usage after t2s: {new[start:end]} → {to}"))
        last = end
    if old[last:] != new[last:]:
        changes.append(Change(offset + last, offset + len(old), old[last:], new[last:], rule, why))
    return fixed, changes


# --- generating corrections/script_chars.tsv from OpenCC's dictionaries -------------------

def write_char_table(path: Path) -> int:
    """Write the Traditional-only / Simplified-only character table from OpenCC's
    character dictionaries (read with the ``opencc_dict`` tool that ships in the
    OpenCC wheel). Returns the number of rows."""
    import subprocess
    import tempfile

    import opencc

    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"

    def read(name: str) -> dict[str, list[str]]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "dict.txt"
            subprocess.run([str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                           check=True)
            return {k: v.split(" ") for k, v in (line.rstrip("\n").split("\t") for line in out.open(encoding="utf-8"))}

    t2s = {**read("TSCharactersExt.ocd2"), **read("TSCharacters.ocd2")}
    s2t = read("STCharacters.ocd2")
    traditional = {k: v for k, v in t2s.items() if len(k) == 1 and k not in v}
    simplified = {k: v for k, v in s2t.items() if len(k) == 1 and k not in v}
    both = set(traditional) & set(simplified)  # a few characters both dictionaries convert: no evidence
    rows = [(c, "traditional", " ".join(traditional[c])) for c in sorted(set(traditional) - both)]
    rows += [(c, "simplified", " ".join(simplified[c])) for c in sorted(set(simplified) - both)]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            f"# Generated by `python -m policyclean.script --write-chars {path.name}` from OpenCC {opencc.__version__}'s\n"
            "# TSCharacters(+Ext) and STCharacters dictionaries; do not edit by hand (edit script_evidence.tsv).\n"
            "# traditional: OpenCC converts it to Simplified and does not list it as its own Simplified form.\n"
            "# simplified: OpenCC converts it to Traditional and does not list it as its own Traditional form.\n"
            "# Column opencc: the forms OpenCC gives, for review.\n"
            "char\tkind\topencc\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write-chars":
        print(f"wrote {write_char_table(Path(sys.argv[2]))} rows to {sys.argv[2]}")
    else:
        print("usage: python -m policyclean.script --write-chars corrections/script_chars.tsv", file=sys.stderr)
        sys.exit(2)
