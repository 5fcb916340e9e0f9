"""Stage 'mojibake': repair Chinese text that was decoded with the wrong encoding.

Two kinds, both common on reposting sites:

1. **UTF-8 read as GBK/GB18030** (``鍙戝竷`` for ``发布``, ``涓\ue15e浗`` for ``中国``): every
   UTF-8 byte is non-ASCII, so the mojibake consists of the GBK characters whose two bytes
   are both UTF-8 bytes (rule ``mojibake:utf8-as-gbk``). A run of such characters is cut
   into the pieces whose GB18030 bytes are valid UTF-8, so clean characters next to it,
   and those around a byte the wrong decoding lost as U+FFFD, stay as they are.
2. **GBK/GB18030 read as Latin-1 or cp1252** (``ÖÐ¹ú`` for ``中国``): pairs of Latin-1
   (or cp1252) characters standing for GBK byte pairs (rule ``mojibake:gbk-as-latin1``).

A piece is repaired only when the round trip is exact (strict encode, strict decode, and
the repaired text turns back into the piece) and the result is clearly better Chinese:
no replacement, private-use or control characters, at least two CJK characters of which
nearly all are common (GB2312 level 1, Big5 level 1, CJK punctuation), and the piece read
worse. Extra evidence is asked where chance could fool the test: a kind-1 result of one or
two Han characters must be a dictionary word (jieba's, read lazily); a kind-2 run of
letters only (``Ærøs``) must read as a word; a kind-1 piece of common characters
(``娣卞害瀛︿範`` for ``深度学习``) must turn into words. Once a text has strong evidence of
a kind, single-character pieces of that kind are repaired too (``2027Äê``), as are lone GBK
pairs when a line has at least two (``2025Äê12ÔÂ19ÈÕ``). Mojibake of mojibake is judged on
its full repair. A Latin-1 run out of step (a stray letter before the GBK pairs) is read in
step, and one that cannot be repaired whole is cut before the pair where it stops reading
as Chinese.

Idempotent: the repairs are repeated on their result until nothing is left (the changes
are merged per span of the input), and the text is also read as the next stage, normalise,
will leave it (its deletions of U+00AD and C1 controls can join runs), so a second cleaning
finds nothing new.

Cheap exits: one regex scan of the text finds the only places where a kind-1 run can be
repaired on strong evidence (a pattern derived from the UTF-8 byte classes: a 3-byte lead
byte with enough valid bytes around it, or four Latin-1 letters in UTF-8; rare in clean
Chinese, unlike single lead characters such as 路 贸 媒), and whether there is a Latin-1
supplement character (U+0080-U+00FF) that kind 2 needs. Only those runs (and the lines of
kind-2 runs) are read; all kind-1 runs once one is repaired. The exact round trip decides
as before. ftfy is not used: it does not repair these cases and turns Chinese full-width
punctuation into ASCII.

The character classes are computed from the codecs (nothing is listed by hand) and
built once per process on first use (about 80 ms).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any, Mapping

from .model import Change, Config, StageResult

# Bytes of UTF-8 multi-byte sequences: continuation bytes and lead bytes.
_UTF8_CONT = range(0x80, 0xC0)
_UTF8_LEADS = range(0xC2, 0xF5)
# Lead bytes of UTF-8 for Latin-1 characters (C2, C3: mojibake of mojibake), general
# punctuation (E2), CJK punctuation (E3), CJK ideographs (E4-E9) and full-width forms (EF):
# the typical start of kind 1.
_KIND1_LEAD_BYTES = (0xC2, 0xC3, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEF)

# Characters that may stand in Chinese text besides Han and ASCII.
_CHINESE_PUNCT = ("\u3000-\u303f\ufe30-\ufe6f\uff01-\uff5e\uff5f-\uffef\u2010-\u2027\u2030-\u203b\u2160-\u217f"
                  "\u2460-\u24ff\u2500-\u257f\u25a0-\u25ff\u00b7\u00d7\u00f7\u00b0\u00b1\u00a7\u2116")
_BAD_CHARS_RE = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_MIN_RESULT_CHARS = 2  # CJK characters a repaired run must have (on strong evidence)
# (_kind1_candidate_pattern relies on it being 2 or more: revisit it if this changes)
_MIN_SCORE_AFTER = 0.85  # share of common Chinese in the repaired run
_MIN_SCORE_RELAXED = 0.5  # the same where the text holds strong evidence of the same kind
_MIN_GAIN = 0.3  # how much more common Chinese the repaired run must be than the run
_MIN_WORDS_AFTER = 0.6  # or, for kind 1: share of the result in dictionary words ...
_MAX_WORDS_BEFORE = 0.3  # ... and at most this share of the run
_MAX_DEPTH = 3  # mojibake of mojibake of mojibake


def _decode_pairs(encoding: str, leads, trails) -> str:
    """Every character that ``encoding`` decodes from a (lead, trail) byte pair."""
    trails = bytes(trails)
    # one decode for all pairs: a newline after each pair can never be a trail byte, so an
    # invalid pair cannot swallow the next one
    raw = b"".join(bytes((lead, trail, 10)) for lead in leads for trail in trails)
    pieces = raw.decode(encoding, "replace").split("\n")
    return "".join(p for p in pieces if len(p) == 1 and p != "\ufffd")


def _char_class(chars) -> str:
    """A regex character class of ``chars``, as ranges of consecutive code points."""
    points = sorted({ord(c) for c in chars})
    parts, index = [], 0
    while index < len(points):
        end = index
        while end + 1 < len(points) and points[end + 1] == points[end] + 1:
            end += 1
        first, last = re.escape(chr(points[index])), re.escape(chr(points[end]))
        parts.append(first if end == index else f"{first}-{last}")
        index = end + 1
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=None)
def _sets() -> dict[str, Any]:
    """The character classes, computed from the codecs once per process."""
    gb_l1 = _decode_pairs("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))  # 3755 most used Simplified
    big5_l1 = _decode_pairs("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])  # 5401 Traditional
    # kind 1: GBK characters both of whose bytes can occur in UTF-8 multi-byte text (the
    # second may also be the ASCII byte that follows an odd-length sequence)
    utf8_bytes = [*_UTF8_CONT, *_UTF8_LEADS]
    kind1 = _decode_pairs("gb18030", [b for b in utf8_bytes if b >= 0x81], [*range(0x40, 0x7F), *utf8_bytes])
    kind1_lead = _decode_pairs("gb18030", _KIND1_LEAD_BYTES, _UTF8_CONT)
    # kind 2: Latin-1 and cp1252 characters standing for GBK bytes (a lead 0x81-0xFE, then
    # a trail 0x40-0x7E or 0x80-0xFE)
    cp1252 = {bytes((b,)).decode("cp1252", "ignore"): b for b in range(0x80, 0xA0)}
    cp1252.pop("", None)
    specials = "".join(re.escape(c) for c, b in cp1252.items())
    lead_specials = "".join(re.escape(c) for c, b in cp1252.items() if b >= 0x81)
    pair = f"[\x81-\xfe{lead_specials}][\x40-\x7e\x80-\xfe{specials}]"
    kind2 = f"{pair}(?:{pair})*"  # = (?:pair)+, but starting with a class re scans for in C
    return {
        "common": re.compile(_char_class(gb_l1 + big5_l1)[:-1] + _CHINESE_PUNCT + "]"),
        "kind1_run": re.compile(_char_class(kind1) + "+"),
        "kind1_lead": re.compile(_char_class(kind1_lead)),
        "kind2_run": re.compile(kind2),
        "cp1252_to_c1": str.maketrans({c: chr(b) for c, b in cp1252.items()}),
    }


@lru_cache(maxsize=None)
def _kind1_candidate_re(or_latin1: bool = False) -> re.Pattern:
    """The candidate pattern below, compiled on first use (the one without Latin-1 is needed
    only for text with Latin-1 characters)."""
    return re.compile(_kind1_candidate_pattern(or_latin1))


def _kind1_candidate_pattern(or_latin1: bool = False) -> str:
    """A pattern found in every kind-1 run that holds a piece with a strong repair (see
    :func:`_kind1_spans`); it is rare in clean Chinese, so one search decides where to look.

    A piece is valid UTF-8 read two bytes at a time. Its characters, by what their two bytes
    are in UTF-8 (a lead byte of a 2-, 3- or 4-byte sequence, a continuation byte, ASCII):
    from a character boundary of the UTF-8 text it goes on with A (2-lead, cont: a whole
    sequence), B (3-lead, cont: one byte to go) or C (4-lead, cont: two to go); with one byte
    to go with D0 (cont, ASCII), D1 (cont, 2-lead), D2 (cont, 3-lead) or D3 (cont, 4-lead);
    with two or three to go with E (cont, cont). A strong repair has at least two CJK
    characters, each made of at least three bytes (also through mojibake of mojibake: each
    reading turns as many bytes or more into one character), so its piece has three
    characters or more.
    Without a B the piece has only 2- and 4-byte sequences and CJK comes only from repairing
    the Latin-1 or cp1252 characters they stand for as kind 2 (one GBK character from each
    pair): at least four A characters that are the UTF-8 of such a character (A_M).

    ``or_latin1``: also match a Latin-1 character (U+0080-U+00FF) by itself, so that the same
    scan tells whether kind 2 is possible."""
    A_M, A_0, B, C, D0, D1, D2, D3, E, token_start, token_end, first = _kind1_token_classes()
    # after a B: three characters or more, or two with a character of the piece next to them
    after_b = (f"(?:(?:{D1}|{D3}{E})+(?:{D0}|{D2}{E})|{D2}{E}|{D0}(?={token_start})"
               f"|(?<={token_end}{B}){D0})")
    # after an A_M: three more A_M with only A and C E between them (the repeat is compiled once)
    after_a_m = f"(?:(?:{A_0}|{C}{E})*{A_M}){{3}}"
    # one character class first: re then scans for it in C before trying the rest
    if or_latin1:
        return f"[{first[1:-1]}\x80-\xff](?:(?<={B}){after_b}|(?<={A_M}){after_a_m}|(?<=[\x80-\xff]))"
    return f"{first}(?:(?<={B}){after_b}|(?<={A_M}){after_a_m})"


@lru_cache(maxsize=None)
def _kind1_token_classes() -> tuple[str, ...]:
    """The character classes of :func:`_kind1_candidate_pattern`, from the codecs: A_M, A_0,
    B, C, D0, D1, D2, D3, E, what may start and end a UTF-8 sequence, and B or A_M."""
    cont, ascii_ = range(0x80, 0xC0), range(0x40, 0x7F)

    def chars(leads, trails) -> str:
        return _decode_pairs("gb18030", [b for b in leads if b >= 0x81], trails)

    kind2_chars = [bytes((b,)).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0xFF)]
    kind2_chars += [chr(b) for b in range(0x80, 0xA0)]  # Latin-1's C1 controls as well
    a_all = chars(range(0xC2, 0xE0), cont)
    a_m = "".join(sorted({c for c in a_all if c.encode("gb18030").decode("utf-8") in kind2_chars}))
    a_0 = "".join(c for c in a_all if c not in a_m)
    b, c = chars(range(0xE0, 0xF0), cont), chars(range(0xF0, 0xF5), cont)
    d0, d1 = chars(cont, ascii_), chars(cont, range(0xC2, 0xE0))
    d2, d3 = chars(cont, range(0xE0, 0xF0)), chars(cont, range(0xF0, 0xF5))
    e = chars(cont, cont)
    token_start = a_m + a_0 + b + c  # what may follow a whole sequence
    token_end = a_m + a_0 + e + d0  # what may end one
    return tuple(map(_char_class, (a_m, a_0, b, c, d0, d1, d2, d3, e, token_start, token_end, b + a_m)))


def _kind1_candidates(text: str) -> tuple[list[int], bool]:
    """Where the candidate pattern (see :func:`_kind1_candidate_pattern`) starts in ``text``,
    and whether ``text`` has a Latin-1 character: one scan of the text finds both."""
    starts: list[int] = []
    latin1 = False
    for match in _kind1_candidate_re(or_latin1=True).finditer(text):
        if match.end() - match.start() == 1:  # a Latin-1 character (a candidate is longer)
            # the rest with the candidate pattern alone: a Latin-1 character starts none
            starts += [m.start() for m in _kind1_candidate_re().finditer(text, match.end())]
            return starts, True
        starts.append(match.start())
        latin1 = latin1 or _has_latin1(match.group())  # GBK has a few (· × é), all kind-1
    return starts, latin1


def _has_latin1(text: str) -> bool:
    """Whether ``text`` has a character U+0080-U+00FF (a C-level scan, faster than a regex)."""
    return not text.encode("latin-1", "ignore").isascii()


_ASCII_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def text_score(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common Chinese (1.0 for plain ASCII).

    Common: GB2312 level-1 or Big5 level-1 Han characters, CJK and full-width punctuation.
    ASCII control characters count as uncommon. Clean Chinese scores near 1.0; mojibake
    and wrong decodings score far lower.
    """
    uncommon = len(text) - len(text.encode("ascii", "ignore"))
    if _ASCII_CONTROLS_RE.search(text):
        uncommon += len(_ASCII_CONTROLS_RE.findall(text))
    if not uncommon:
        return 1.0
    return len(_sets()["common"].findall(text)) / uncommon


# --- the repairs -------------------------------------------------------------------------
def _better(before: str, after: str, rule: str, relaxed: bool = False, proven: bool = False) -> bool:
    """Whether ``after`` is clearly better Chinese than ``before``.

    Strong evidence by itself: at least two CJK characters, nearly all common, and the run
    read worse. A kind-1 result of one or two Han characters must also be a word of the
    dictionary (``发布``, ``中国``): a two-character run turns into valid UTF-8 by chance now
    and then (``浠诲墧`` would give ``任剔``).
    ``relaxed`` (a text with strong evidence of the same kind elsewhere): a single
    character is enough, and half of the result may be rarer characters (names).
    ``proven``: the text has GBK read as Latin-1 elsewhere, so its Latin-1 symbols (``°l``
    for 發) are not Chinese punctuation either: the run need not read worse than the result."""
    if _BAD_CHARS_RE.search(after):
        return False
    chinese = _CJK_RE.findall(after)
    if not chinese:
        return False
    score_after = text_score(after)
    if relaxed:
        return score_after >= _MIN_SCORE_RELAXED and (proven or score_after - text_score(before) >= _MIN_GAIN)
    if len(chinese) < _MIN_RESULT_CHARS:
        return False
    kind1 = rule == "mojibake:utf8-as-gbk"
    if kind1 and len(chinese) < 3 and not _is_word(after):
        return False
    if score_after < _MIN_SCORE_AFTER:
        return False
    if score_after - text_score(before) >= _MIN_GAIN:
        return True
    # kind 1 whose run is made of common characters too (娣卞害瀛︿範 for 深度学习): the exact
    # round trip is strong evidence; the result must also be made of words and the run not
    return (kind1 and len(chinese) >= 3
            and _word_share(after) >= _MIN_WORDS_AFTER and _word_share(before) <= _MAX_WORDS_BEFORE)


# Han characters and the punctuation only Chinese text uses (not · × ° or box drawing)
_CJK_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\ufe30-\ufe6f\uff01-\uffef\u2014\u2018-\u201d\u2026]")
_HAN_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")


def _is_word(text: str | None) -> bool:
    """Whether ``text`` is a word of two or more Han characters in the dictionary
    (a Traditional word through its Simplified form)."""
    if not text or len(text) < 2 or _HAN_RE.fullmatch(text) is None:
        return False
    words = _jieba()[0]
    if text in words:
        return True
    converter = _t2s()
    return converter is not None and converter.convert(text) in words


def _word_share(text: str) -> float:
    """Share of the Han characters of ``text`` (Simplified forms) inside dictionary words of
    two or more characters, matched greedily longest first. Only called on short runs."""
    converter = _t2s()
    han = "".join(_HAN_RE.findall(converter.convert(text) if converter is not None else text))[:_MAX_WORD_TEXT]
    if not han:
        return 0.0
    words = _jieba()[0]
    covered, position = 0, 0
    while position < len(han):
        for size in range(min(_MAX_WORD, len(han) - position), 1, -1):
            if han[position:position + size] in words:
                covered += size
                position += size
                break
        else:
            position += 1
    return covered / len(han)


_MAX_WORD, _MAX_WORD_TEXT = 6, 200


def frequency_score(text: str) -> float:
    """Mean log10 frequency of the Han characters of ``text`` (their Simplified forms), from
    jieba's one-character words; 0.0 without jieba. For short texts: about 0.1 s to load once."""
    frequencies = _jieba()[1]
    converter = _t2s()
    if converter is not None:
        text = converter.convert(text)
    han = "".join(_HAN_RE.findall(text))
    if not han or not frequencies:
        return 0.0
    return sum(frequencies.get(ch, 0.0) for ch in han) / len(han)


@lru_cache(maxsize=1)
def _jieba() -> tuple[frozenset[str], dict[str, float]]:
    """From jieba's dictionary: its words of 2+ characters seen at least 5 times, and
    log10(1 + frequency) of its one-character words. Empty without jieba."""
    import math
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return frozenset(), {}
    try:
        content = (Path(next(iter(spec.submodule_search_locations))) / "dict.txt").read_text(encoding="utf-8")
    except OSError:
        return frozenset(), {}
    words = frozenset(w for w, n in re.findall(r"^(\S\S+) (\d+)", content, re.M) if int(n) >= 5)
    frequencies = {ch: math.log10(1 + int(n)) for ch, n in re.findall(r"^(\S) (\d+)", content, re.M)}
    return words, frequencies


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s")


def _undo_kind1(piece: str) -> str | None:
    """``piece`` as the UTF-8 text whose GB18030 reading it is, or None."""
    raw = piece.encode("gb18030")  # encodes every character
    try:
        after = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return after if raw.decode("gb18030") == piece else None


def _undo_kind2(piece: str) -> str | None:
    """``piece`` as the GB18030 text whose Latin-1/cp1252 reading it is, or None."""
    try:
        raw = piece.translate(_sets()["cp1252_to_c1"]).encode("latin-1")
        return raw.decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


_UNDO = {"mojibake:utf8-as-gbk": _undo_kind1, "mojibake:gbk-as-latin1": _undo_kind2}


@lru_cache(maxsize=4096)  # a pure function of its arguments; runs repeat within a text
def _repair_run(run: str, rule: str, relaxed: bool = False, any_pair: bool = False,
                depth: int = _MAX_DEPTH) -> tuple[int, int, str] | None:
    """The best exact repair of ``run``: (start, end, repaired) within it, or None.

    The whole run first, then with fewer characters (at most two off each end), so that
    clean characters next to the mojibake, or ones that lost a byte, are left alone.
    """
    undo = _UNDO[rule]
    size = len(run)
    for trimmed in range(5):
        for left in range(min(2, trimmed) + 1):
            right = trimmed - left
            if right > 2 or size - trimmed < 2:
                continue
            piece = run[left:size - right]
            if rule == "mojibake:gbk-as-latin1" and not any_pair:
                if relaxed and not _GB2312_PAIRS_RE.fullmatch(piece):
                    continue  # a lone pair must be GB2312 bytes (both 0xA1-0xFE)
                if not relaxed and not _LATIN1_SYMBOL_RE.search(piece) and not _is_word(undo(piece)):
                    continue  # letters only: a Latin word (Ærøskøbing) unless it reads as a word (ÆÀÂÛ)
            after = undo(piece)
            if after is None:
                continue
            # mojibake of mojibake (GBK read as Latin-1, saved as UTF-8, read as GBK): judge the
            # fully repaired text
            after = _repair_text(after, depth - 1)
            proven = (any_pair and rule == "mojibake:gbk-as-latin1"
                      and not _LATIN1_IN_CHINESE_RE.fullmatch(piece))  # ×× stays ××
            if _better(piece, after, rule, relaxed, proven):
                return left, size - right, after
    return None


_GB2312_PAIRS_RE = re.compile("[\xa1-\xfe]+")
_LETTER_RE = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_LATIN1_IN_CHINESE_RE = re.compile("[\u00b7\u00d7\u00f7\u00b0\u00b1\u00a7]+")  # · × ÷ ° ± § in Chinese text
# Latin-1 characters that are not letters: GBK bytes 0x80-0xBF, 0xD7 and 0xF7. Nearly every
# run of GBK read as Latin-1 has some (a third of GB2312's bytes are 0xA1-0xBF); Latin words do not.
_LATIN1_SYMBOL_RE = re.compile("[^\x00-\x7f\xc0-\xd6\xd8-\xf6\xf8-\xff]")


# One well-formed UTF-8 character (the Unicode standard's table 3-7, which Python's strict
# decoder follows: no overlong forms, surrogates or code points past U+10FFFF).
_UTF8_CHAR = (rb"[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
              rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
              rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_UTF8_SPAN_RE = re.compile(b"(?:" + _UTF8_CHAR + b")+")


def _utf8_spans(raw: bytes) -> list[tuple[int, int]]:
    """The stretches of ``raw`` that a strict UTF-8 decoder reads without error, as (start, end).

    The same as decoding, and after each error decoding again from where the error ends:
    a stretch cannot begin inside a lost sequence (those bytes are continuation bytes), and
    UTF-8 is prefix-free, so the pattern reads the same characters as the decoder. One regex
    instead of one decode (and one exception) per error."""
    return [match.span() for match in _UTF8_SPAN_RE.finditer(raw)]


def _utf8_pieces(run: str) -> list[tuple[int, int]]:
    """The longest pieces of a kind-1 run whose GB18030 bytes are valid UTF-8, as character
    offsets: clean characters next to the mojibake, or those left over around a byte the
    wrong decoding lost, fall outside them."""
    raw = run.encode("gb18030")
    if len(raw) != 2 * len(run):  # every kind-1 character is two bytes; be safe anyway
        return [(0, len(run))]
    pieces = []
    for start, end in _utf8_spans(raw):
        # whole characters of the run (even byte offsets) that begin and end UTF-8 characters
        first = start + start % 2
        while first < end and 0x80 <= raw[first] <= 0xBF:
            first += 2
        last = end - end % 2
        while last > first and last < end and 0x80 <= raw[last] <= 0xBF:
            last -= 2
        if last - first >= 4 and _sets()["kind1_lead"].search(run, first // 2, last // 2):
            pieces.append((first // 2, last // 2))
    return pieces


def _runs(text: str, complete: bool = True,
          scan: tuple[list[int], bool] | None = None) -> list[tuple[int, int, str]]:
    """Suspicious runs in ``text``: (start, end, rule), in order, not overlapping.

    ``complete=False``: only the kind-1 pieces that can matter unless some kind-1 run is
    repaired on strong evidence (see :func:`_kind1_spans`). ``scan``: what
    :func:`_kind1_candidates` found in ``text``, when the caller has it."""
    if scan is None:
        scan = _kind1_candidates(text) if not complete else ([], _has_latin1(text))
    starts, latin1 = scan
    kind2 = _kind2_runs(text) if latin1 else None
    spans = _kind1_spans(text, starts, kind2) if not complete else _kind1_spans_complete(text)
    found: list[tuple[int, int, str]] = []
    for start, end in spans:
        found += [(start + i, start + j, "mojibake:utf8-as-gbk") for i, j in _utf8_pieces(text[start:end])]
    if kind2 is not None:
        if found:  # the kinds can overlap (GBK has · × é “ …): the run starting first is kept
            found = sorted(found + kind2)
            kept: list[tuple[int, int, str]] = []
            for run in found:
                if not kept or run[0] >= kept[-1][1]:
                    kept.append(run)
            found = kept
        else:
            found = kind2
    return found


def _kind1_spans_complete(text: str) -> list[tuple[int, int]]:
    """Every kind-1 run of ``text`` with a typical lead character, as (start, end)."""
    sets = _sets()
    spans: list[tuple[int, int]] = []
    if sets["kind1_lead"].search(text):
        # only lines with a typical lead character: clean lines hold many kind-1 characters too
        position = 0
        for line in text.split("\n"):
            if sets["kind1_lead"].search(line):
                spans += _kind1_spans_in(text, position, position + len(line))
            position += len(line) + 1
    return spans


def _kind1_spans_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The kind-1 runs with a typical lead character in ``text[start:end]`` (whole lines)."""
    sets = _sets()
    return [match.span() for match in sets["kind1_run"].finditer(text, start, end)
            if sets["kind1_lead"].search(text, match.start(), match.end())]


def _kind1_spans(text: str, starts: list[int], kind2: list[tuple[int, int, str]] | None) -> list[tuple[int, int]]:
    """The kind-1 runs whose pieces can change the repairs when no kind-1 run of ``text`` is
    repaired on strong evidence: those holding the candidate pattern (every run with a
    strong repair does, see :func:`_kind1_candidate_pattern`), and every run of a line with
    a kind-2 run (a kind-1 piece overlapping a kind-2 run hides it). ``starts``: where the
    candidate pattern starts."""
    sets = _sets()
    spans: set[tuple[int, int]] = set()
    end = -1
    for start in starts:
        if start >= end:  # a later match in the same run adds nothing
            span = _kind1_run_around(text, start)
            end = span[1]
            if sets["kind1_lead"].search(text, *span):
                spans.add(span)
    line_end = -1
    for start, _, _ in kind2 or ():
        if start >= line_end:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            if sets["kind1_lead"].search(text, line_start, line_end):  # else no piece on the line
                spans.update(_kind1_spans_in(text, line_start, line_end))
    return sorted(spans)


def _kind1_run_around(text: str, position: int) -> tuple[int, int]:
    """The whole kind-1 run holding the kind-1 character at ``position``."""
    run = _sets()["kind1_run"]
    end = run.match(text, position).end()
    start, window = position, 64
    while True:  # back over the run, in growing windows read backwards (re cannot search back)
        begin = max(0, start - window)
        before = run.match(text[begin:start][::-1])
        size = before.end() if before else 0
        start -= size
        if start != begin or begin == 0:
            return start, end
        window *= 4


def _kind2_runs(text: str) -> list[tuple[int, int, str]]:
    """The kind-2 runs of ``text`` (one with Latin-1 characters), in order."""
    sets = _sets()
    kind2 = []
    position = 0
    while (match := sets["kind2_run"].search(text, position)) is not None:
        start, end = match.span()
        # the pairs may be out of step (a stray Latin-1 character before the GBK text):
        # take the run one character later when only it can be repaired, or it reads better
        shifted = sets["kind2_run"].match(text, start + 1) if end - start > 2 else None
        if shifted is not None:
            rule = "mojibake:gbk-as-latin1"
            now, later = _repair_run(match.group(), rule), _repair_run(shifted.group(), rule)
            if now is not None or later is not None:
                # the reading that repairs more of it (in step, no character trimmed off)
                if now is None or (later is not None and later[1] - later[0] > now[1] - now[0]):
                    start, end = shifted.span()  # what follows it is searched again
            else:
                after, later = _undo_kind2(match.group()), _undo_kind2(shifted.group())
                if later is not None and (after is None or text_score(later) > text_score(after)):
                    start, end = shifted.span()
        if end - start > 2 and _repair_run(text[start:end], "mojibake:gbk-as-latin1") is None:
            # a run that cannot be repaired whole (GBK, a stray letter, GBK out of step):
            # end it at the last pair reading as no common character before which it can be
            # repaired, else before its first pair that reads as nothing at all
            end = _cut_kind2(text, start, end)
        kind2.append((start, end, "mojibake:gbk-as-latin1"))
        position = end
    return kind2


def _cut_kind2(text: str, start: int, end: int) -> int:
    """Where a kind-2 run that cannot be repaired whole should end (see :func:`_runs`)."""
    uncommon, unreadable = [], []
    for position in range(start, end - 1, 2):
        char = _undo_kind2(text[position:position + 2])
        if char is None or _BAD_CHARS_RE.search(char):
            unreadable.append(position)
            uncommon.append(position)
        elif text_score(char) < 1.0:
            uncommon.append(position)
    for cut in reversed(uncommon):
        if cut - start >= 4 and _repair_run(text[start:cut], "mojibake:gbk-as-latin1") is not None:
            return cut
    return max(unreadable[0], start + 2) if unreadable else end


def _repairs(text: str, depth: int = _MAX_DEPTH, complete: bool = False,
             scan: tuple[list[int], bool] | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, repaired, rule) for every run of ``text`` that can be repaired.

    A run whose repair is a single character is weak evidence by itself (``Äê`` could be
    two letters of a Latin word). It is repaired when the text has runs of the same kind
    repaired on strong evidence (``2027Äê`` next to ``½­ËÕÊ¡``), or, for GBK read as
    Latin-1, when its line has at least two such runs of GB2312 bytes (``2025Äê12ÔÂ19ÈÕ``).

    The kind-1 pieces are first taken only where a strong repair is possible (``complete``
    False, see :func:`_kind1_spans`); once one is found, the others are looked at as well."""
    runs = _runs(text, complete, scan)
    found: dict[tuple[int, int, str], tuple[int, int, str, str]] = {}
    remnants: list[tuple[int, int, str]] = []
    for run in runs:
        start, end, rule = run
        repaired = _repair_run(text[start:end], rule, depth=depth)
        if repaired is not None:
            found[run] = (start + repaired[0], start + repaired[1], repaired[2], rule)
            if rule == "mojibake:gbk-as-latin1":  # pairs trimmed off get a second look below
                for begin, stop in ((start, start + repaired[0]), (start + repaired[1], end)):
                    remnants += [(m.start(), m.end(), rule) for m in _sets()["kind2_run"].finditer(text, begin, stop)]
    strong = {repair[3] for repair in found.values()}
    if not complete and "mojibake:utf8-as-gbk" in strong:
        return _repairs(text, depth, complete=True, scan=scan)  # weak kind-1 repairs: any piece may have one
    weak: dict[int, list[tuple[tuple[int, int, str], tuple[int, int, str, str]]]] = {}  # line -> repairs
    for run in sorted(runs + remnants):
        start, end, rule = run
        if run in found or (rule not in strong and rule != "mojibake:gbk-as-latin1"):
            continue
        if rule not in strong and (end - start != 2 or _LETTER_RE.match(text, start - 1) and start
                                   or _LETTER_RE.match(text, end)):
            continue  # a weak run is one pair standing alone (2025Äê12), not part of a word (ação)
        repaired = _repair_run(text[start:end], rule, relaxed=True, any_pair=rule in strong, depth=depth)
        if repaired is not None:
            repair = (start + repaired[0], start + repaired[1], repaired[2], rule)
            if rule in strong:
                found[run] = repair
            else:
                weak.setdefault(text.count("\n", 0, start), []).append((run, repair))
    for repairs in weak.values():
        if len(repairs) >= 2:
            found.update(repairs)
    return sorted(found.values())


def _repair_text(text: str, depth: int) -> str:
    """``text`` with every run repaired (used on repaired runs: double mojibake)."""
    if depth <= 0 or text.isascii():
        return text
    repairs = _repairs(text, depth)
    return _apply(text, repairs) if repairs else text


_WHY = {
    "mojibake:utf8-as-gbk": "UTF-8 text that was decoded as GBK: re-encoded as GB18030 and decoded as UTF-8",
    "mojibake:gbk-as-latin1": "GBK text that was decoded as Latin-1/cp1252: re-encoded and decoded as GB18030",
}


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    """Repair the mojibake runs of ``text`` (see the module docstring)."""
    if text.isascii():
        return StageResult(text)
    # Repairing can leave evidence for more (a stray letter before GBK pairs, a piece that
    # reads better next to a repaired one): repeat on the result until nothing is left, so
    # the stage is idempotent. Each round shortens the text, so this ends; edits of later
    # rounds are merged into one change per span of the input.
    edits: list[tuple[int, int, str, str]] = []  # (start, end in text, after, rule), sorted
    current = text
    scan = _kind1_candidates(text)  # both readings of the input need it: scan it once
    for round_ in range(_MAX_ROUNDS):
        repairs = _repairs(current, scan=scan if round_ == 0 else None)
        if repairs or round_ or scan[1]:  # else the text as normalise leaves it has nothing either (no Latin-1)
            repairs = sorted(repairs + _repairs_after_normalise(current, repairs, config))
        if not repairs:
            break
        edits = _compose(text, edits, repairs)
        current = _apply(text, edits)
    if not edits:
        return StageResult(text)
    changes = tuple(Change(start, end, text[start:end], after, rule, _WHY[rule]) for start, end, after, rule in edits)
    counts = {rule: sum(1 for c in changes if c.rule == rule) for rule in _WHY}
    said = [f"{n} {'run' if n == 1 else 'runs'} of {rule.split(':')[1]}" for rule, n in counts.items() if n]
    return StageResult(current, changes, data={}, summary="repaired mojibake: " + ", ".join(said))


_MAX_ROUNDS = 5


def _apply(text: str, edits: list[tuple[int, int, str, str]]) -> str:
    parts, position = [], 0
    for start, end, after, _ in edits:
        parts += [text[position:start], after]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _compose(text: str, edits: list[tuple[int, int, str, str]],
             repairs: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """``edits`` of ``text`` followed by ``repairs`` of their result, as edits of ``text``."""
    # where each edit stands in the current text: (start, end in current, edit)
    placed, shift = [], 0
    for edit in edits:
        start, end, after, _ = edit
        placed.append((start + shift, start + shift + len(after), edit))
        shift += len(after) - (end - start)
    current = _apply(text, edits)

    def origin(position: int, is_end: bool) -> tuple[int, int]:
        """(position in text, position in current) of a repair boundary, widened to a whole edit."""
        moved = 0
        for begin, stop, (start, end, after, _) in placed:
            if begin < position < stop or (position == begin == stop):
                return (end, stop) if is_end else (start, begin)
            if stop <= position:
                moved = stop - end
        return position - moved, position

    result = list(edits)
    for begin, stop, after, rule in repairs:
        start, cur_start = origin(begin, False)
        end, cur_stop = origin(stop, True)
        merged = current[cur_start:begin] + after + current[stop:cur_stop]
        result = [e for e in result if e[1] <= start or e[0] >= end]
        result.append((start, end, merged, rule))
    return sorted(result)


# --- what the next stage will see -------------------------------------------------------------
# normalise (the next stage) deletes invisible characters (U+00AD, C1 controls, zero-width),
# maps others (NBSP to a space, full-width letters) and unifies line breaks. Deleting a
# character can join two Latin-1 runs or bring pairs in step (``\x81ÄI¡®``), so a second
# cleaning would find mojibake this one did not. To stay idempotent this stage also reads
# the text as normalise will leave it, and repairs what it finds there as well: such a
# change spans the characters normalise would have deleted.
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x1c": "\n", "\x1d": "\n",
                "\x1e": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}


@lru_cache(maxsize=8)
def _normalise_map(tables: str | None) -> tuple[dict[str, str], re.Pattern]:
    """normalise's character map (corrections/normalise.tsv) with the line breaks, and a pattern
    of what it changes. Only what normalise.py itself reads: code, to (U+XXXX, a literal, or
    empty = delete)."""
    from .data import read_tsv, tables_dir

    mapping = dict(_LINE_BREAKS)
    for row in read_tsv(tables_dir(tables) / "normalise.tsv", required=("code", "to")):
        code, to = row["code"], row["to"]
        if not code.upper().startswith("U+"):
            continue
        char = chr(int(code[2:], 16))
        if to.upper().startswith("U+"):
            to = chr(int(to[2:], 16))
        mapping.setdefault(char, to)
    keys = sorted(mapping, key=len, reverse=True)  # "\r\n" before "\r"
    return mapping, re.compile("|".join(re.escape(k) for k in keys))


def _repairs_after_normalise(text: str, repairs: list[tuple[int, int, str, str]],
                             config: Config) -> list[tuple[int, int, str, str]]:
    """Repairs of the text as normalise will leave it (after ``repairs``), with offsets into ``text``."""
    mapping, pattern = _normalise_map(config.tables_dir)
    # the text after the repairs, and where its unchanged stretches come from
    pieces, stretches, position, length = [], [], 0, 0  # stretches: (start in repaired, start in text, size)
    for start, end, after, _ in repairs:
        pieces.append(text[position:start])
        stretches.append((length, position, start - position))
        length += start - position + len(after)
        pieces.append(after)
        position = end
    pieces.append(text[position:])
    stretches.append((length, position, len(text) - position))
    repaired = "".join(pieces)
    if not _has_latin1(repaired) or pattern.search(repaired) is None:
        return []  # nothing normalise would change, or nothing a Latin-1 run could hold
    # the view: normalise's character map applied; anchors[i] = (start in view, start in repaired, source size, kept)
    view_parts, anchors, position, size = [], [], 0, 0
    for match in pattern.finditer(repaired):
        if match.start() > position:
            anchors.append((size, position, match.start() - position, True))
            view_parts.append(repaired[position:match.start()])
            size += match.start() - position
        replacement = mapping[match.group()]
        anchors.append((size, match.start(), match.end() - match.start(), False))
        view_parts.append(replacement)
        size += len(replacement)
        position = match.end()
    anchors.append((size, position, len(repaired) - position, True))
    view_parts.append(repaired[position:])
    view = "".join(view_parts)
    starts = [a[0] for a in anchors]

    def in_repaired(view_start: int, view_end: int) -> tuple[int, int]:
        first = anchors[bisect_right(starts, view_start) - 1]
        last = anchors[bisect_right(starts, view_end - 1) - 1]
        begin = first[1] + (view_start - first[0] if first[3] else 0)
        end = last[1] + (view_end - last[0] if last[3] else last[2])
        return begin, end

    def in_text(begin: int, end: int) -> tuple[int, int] | None:
        # only spans inside one unchanged stretch: the repairs already made stay as they are
        for stretch_start, text_start, stretch_size in stretches:
            if stretch_start <= begin and end <= stretch_start + stretch_size:
                return text_start + begin - stretch_start, text_start + end - stretch_start
        return None

    found = []
    for view_start, view_end, after, rule in _repairs(view):
        span = in_text(*in_repaired(view_start, view_end))
        if span is not None and text[span[0]:span[1]] != after:
            found.append((span[0], span[1], after, rule))
    return found
