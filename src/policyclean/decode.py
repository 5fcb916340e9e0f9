"""Stage 'decode': bytes in whatever encoding a Chinese website used -> str.

The cascade, cheapest and surest first:

1. empty input -> ``""`` reported as ``utf-8`` (confidence 1.0);
2. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides, and is dropped;
3. strict UTF-8 (the common case costs one ``bytes.decode`` plus two C-level byte scans);
4. NUL bytes: UTF-16/UTF-32 without a BOM when the NULs fall in the high-byte
   positions and the result reads as text, otherwise the input is binary;
5. otherwise strict decodes with the encodings Chinese sites really use: GB18030
   (a superset of GBK and GB2312, always reported as ``gb18030``) and Big5 (then its
   variants cp950 and Big5-HKSCS). chardet only *chooses* between candidates that
   decoded, fed the lines that hold non-ASCII bytes (capped at ``_SAMPLE_BYTES``),
   so a long ASCII head or a mostly-ASCII text cannot mislead it; when it is unsure
   (short input) the share of common Chinese characters in each reading decides, then
   how frequent they are. UTF-16 without BOM and without any NUL (no ASCII at all) is
   taken only when it reads as Chinese far better than every 8-bit reading.

Measured on the seeds (3000 slices per encoding cut at random character boundaries):
GB18030 and Big5 are decoded exactly from 12 bytes up, UTF-16 without BOM from 24.

Input that is almost valid UTF-8 (a few bad bytes among many good multi-byte
characters) is treated as damaged UTF-8 even when GB18030 happens to decode it,
because that GB18030 reading would be mojibake. Nothing is ever decoded silently
into garbage: with ``errors="strict"`` undecodable input raises
:class:`~policyclean.errors.DecodeError` (or :class:`~policyclean.errors.BinaryInputError`);
with ``errors="replace"`` each undecodable byte becomes one U+FFFD, counted and
reported as a warning and as changes. A change of this stage has *byte* offsets
into the input (``before`` shows the bytes as ``\\xNN`` escapes).
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass, field

from .errors import BinaryInputError, DecodeError
from .model import Change, Config, StageResult
from .mojibake import frequency_score, text_score

# How much of the non-ASCII part chardet and the scores look at: the cascade is exact on
# the seeds from 12-24 bytes up; more only costs time.
_SAMPLE_BYTES = 16 * 1024
# How much of the input the byte-level binary checks look at.
_PROBE_BYTES = 64 * 1024
# Control bytes that never occur in text (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL_BYTES = bytes(list(range(0x00, 0x09)) + list(range(0x0E, 0x1B)) + list(range(0x1C, 0x20)) + [0x7F])
_CONTROL_RE = re.compile(b"[" + re.escape(_CONTROL_BYTES) + b"]")
_HIGH_BYTE_RE = re.compile(rb"[\x80-\xff]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_SURROGATES_RE = re.compile("[\udc80-\udcff]")
# What a UTF-16 reading must not contain: controls, lone surrogates, private use, non-characters.
_BAD_WIDE_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufffe\uffff]")
# More control bytes than this share of the probe (and more than 2) means binary.
_BINARY_CONTROL_SHARE = 0.05
# chardet's confidence below which the character score decides between GB18030 and Big5.
_CHARDET_SURE = 0.3
# Input whose bad UTF-8 bytes are at most this share of its non-ASCII bytes is damaged UTF-8.
_DAMAGED_UTF8_SHARE = 0.05
# More bad regions than this are summed up in one change.
_MAX_CHANGES = 100
# Messages count undecodable bytes up to this many places.
_COUNT_LIMIT = 1000

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB = "gb18030"
_BIG5_FAMILY = ("big5", "cp950", "big5hkscs")  # tried in this order; the first that decodes stands for Big5
_GB_FAMILY = ("gbk", "gb2312", "gb18030")  # codecs.lookup names that are decoded as gb18030, their superset
_HOW = {"empty": "empty input", "bom": "byte-order mark", "utf-8": "valid UTF-8",
        "only candidate": "detected: the only encoding that decodes it", "detected": "detected",
        "character score": "detected by character frequency; short input"}
_DISPLAY = {"utf-8": "UTF-8", _GB: "GB18030", "big5": "Big5", "cp950": "Big5 (cp950)",
            "big5hkscs": "Big5-HKSCS", "utf-16-le": "UTF-16-LE", "utf-16-be": "UTF-16-BE",
            "utf-32-le": "UTF-32-LE", "utf-32-be": "UTF-32-BE"}


# --- recording undecodable bytes -------------------------------------------------------
# One error handler, registered once: it replaces each undecodable byte with U+FFFD and
# records where it was, in a list private to the calling thread.
_local = threading.local()


class _TooMany(Exception):
    """Raised by the handler past the limit: counting every bad byte of a big binary file is slow."""


def _record_handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    regions = getattr(_local, "regions", None)
    if regions is not None:
        regions.append((error.start, error.end))
        if len(regions) > _local.limit:
            raise _TooMany
    return "\ufffd" * (error.end - error.start), error.end


codecs.register_error("policyclean.record", _record_handler)


def _decode_replacing(data: bytes, encoding: str, limit: int | None = None
                      ) -> tuple[str | None, list[tuple[int, int]]]:
    """``data`` decoded with every undecodable byte as one U+FFFD, and the bad byte regions.

    With a ``limit``, stops after that many bad regions and returns None for the text."""
    _local.regions = regions = []
    _local.limit = limit if limit is not None else len(data) + 1
    text: str | None
    try:
        text = data.decode(encoding, "policyclean.record")
    except _TooMany:
        text = None
    finally:
        _local.regions = None
    merged: list[tuple[int, int]] = []
    for start, end in regions:
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return text, merged


def _count(data: bytes, encoding: str) -> tuple[str, list[tuple[int, int]]]:
    """How many bytes ``encoding`` cannot decode, in words ("3", "more than 1000"), and where."""
    text, regions = _decode_replacing(data, encoding, _COUNT_LIMIT)
    count = sum(end - start for start, end in regions)
    return (str(count) if text is not None else f"more than {count}"), regions


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


# --- the detection ------------------------------------------------------------------------
@dataclass
class _Detection:
    encoding: str | None  # the codec to decode with (None: nothing fits, see problem)
    confidence: float
    how: str  # "bom", "utf-8", "detected", "only candidate", "empty", ...
    candidates: list[str] = field(default_factory=list)  # names that decode strictly
    bom: bytes = b""
    text: str | None = None  # the strict decode, when there is one
    binary: str = ""  # why the input looks binary ("" = it does not)
    problem: str = ""  # why nothing decodes strictly ("" = something does)
    best: str | None = None  # the most likely encoding when nothing decodes strictly
    notes: list[str] = field(default_factory=list)  # warnings for a person


def detect(data: bytes, source: str | None = None) -> dict:
    """What ``data`` is encoded in, for ``policyclean detect``. Never raises.

    Returns ``{"encoding", "confidence", "candidates", "bom"}`` plus ``"binary"``
    (bool) and ``"problem"`` (the one-line message :func:`decode` would raise, or None).
    ``encoding`` is what :func:`decode` would decode with (``None`` for binary input;
    for undecodable input the most likely encoding, which needs ``errors="replace"``).
    """
    found = _detect(bytes(data), source or "<input>")
    return {
        "encoding": _report_name(found.encoding or found.best) if not found.binary else None,
        "confidence": 0.0 if found.binary else round(found.confidence, 2),
        "candidates": [_report_name(c) for c in found.candidates],
        "bom": bool(found.bom),
        "binary": bool(found.binary),
        "problem": found.binary or found.problem or None,
    }


def _report_name(encoding: str | None) -> str | None:
    if encoding is None:
        return None
    return "utf-8-sig" if encoding == "utf-8-bom" else encoding


def _detect(data: bytes, source: str) -> _Detection:
    if not data:
        return _Detection("utf-8", 1.0, "empty", ["utf-8"], text="")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            if encoding == "utf-32-le" and len(body) % 4:
                continue  # FF FE 00 00 of odd length: a UTF-16-LE BOM and a NUL character
            text = _strict(body, encoding)
            name = "utf-8-bom" if encoding == "utf-8" else encoding
            if text is None:
                found = _Detection(None, 1.0, "bom", [], bom=bom, best=name)
                found.problem = _undecodable_message(source, data, encoding, bom)
                return found
            return _Detection(name, 1.0, "bom", [name], bom=bom, text=text)

    probe = data[:_PROBE_BYTES]
    if b"\x00" in data:
        return _detect_wide(data, source)

    text = _strict(data, "utf-8")
    if text is not None:
        found = _Detection("utf-8", 1.0, "utf-8", ["utf-8"], text=text)
        found.binary = _control_message(source, probe)
        if found.binary:  # ASCII control bytes can be UTF-16 Chinese without NUL
            return _wide_without_nul(data, text_score(text[:_SAMPLE_BYTES]), ["utf-8"]) or found
        return found
    found = _detect_8bit(data, source)
    if not (found.encoding or "").startswith("utf-16"):  # UTF-16 has control bytes of its own
        found.binary = _control_message(source, probe)
    return found


def _control_message(source: str, probe: bytes) -> str:
    """Why ``probe`` looks binary because of control bytes ("" when it does not)."""
    first = _CONTROL_RE.search(probe)
    if first is None:
        return ""
    count = len(probe) - len(probe.translate(None, _CONTROL_BYTES))
    if count <= 2 or count <= _BINARY_CONTROL_SHARE * len(probe):
        return ""
    return (f"{source}: looks like a binary file, not text ({count * 100 // len(probe)}% control bytes, "
            f"the first 0x{probe[first.start()]:02X} at offset {first.start()}); check that this is the "
            "right file, or pass --errors replace to decode it anyway")


def _detect_wide(data: bytes, source: str) -> _Detection:
    """Input with NUL bytes: UTF-16/32 without a BOM, or binary."""
    probe = data[:_PROBE_BYTES - _PROBE_BYTES % 4]
    zeros = [probe[i::4].count(0) for i in range(4)]
    quarter = max(1, len(probe) // 4)
    options: list[str] = []
    # UTF-32: two of every four bytes are NUL for every BMP character
    if len(data) % 4 == 0:
        if zeros[2] >= 0.9 * quarter and zeros[3] >= 0.9 * quarter:
            options.append("utf-32-le")
        if zeros[0] >= 0.9 * quarter and zeros[1] >= 0.9 * quarter:
            options.append("utf-32-be")
    if len(data) % 2 == 0:
        even, odd = zeros[0] + zeros[2], zeros[1] + zeros[3]
        # ASCII characters put their NUL in the high byte: odd positions in LE, even in BE
        options += ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]
    readable = []
    for encoding in options:
        text = _strict(data, encoding)
        if text is None or _BAD_WIDE_RE.search(text):
            continue
        score = text_score(text[:_SAMPLE_BYTES])
        if score >= 0.5:
            readable.append((score, encoding, text))
    if readable:
        score, encoding, text = max(readable, key=lambda r: r[0])
        found = _Detection(encoding, round(min(score, 0.99), 2), "detected", [r[1] for r in readable], text=text)
        return found
    first = data.index(b"\x00")
    found = _detect_8bit(data, source, wide=False)
    found.binary = (f"{source}: looks like a binary file, not text (NUL byte at offset {first}, and not "
                    "UTF-16 or UTF-32); check that this is the right file, or pass --errors replace to "
                    "decode it anyway")
    return found


def _nonascii_sample(data: bytes) -> bytes:
    """The lines of ``data`` that hold non-ASCII bytes, joined, at most ``_SAMPLE_BYTES``."""
    parts: list[bytes] = []
    size = 0
    position = 0
    search = _HIGH_BYTE_RE.search
    while size < _SAMPLE_BYTES:
        found = search(data, position)
        if found is None:
            break
        high = found.start()
        start = max(data.rfind(b"\n", 0, high) + 1, high - 256)  # a very long line: the bytes near it
        end = data.find(b"\n", high)
        end = len(data) if end < 0 else end + 1
        end = min(end, start + _SAMPLE_BYTES - size)
        parts.append(data[start:end])
        size += end - start
        position = end
    return b"".join(parts)


def _wide_without_nul(data: bytes, rival: float, candidates: list[str]) -> _Detection | None:
    """UTF-16 without BOM and without NUL (text with no ASCII at all, not even a newline),
    when it reads as Chinese far better than the best other reading (score ``rival``)."""
    if len(data) % 2:
        return None
    readings = []
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _strict(data, encoding)
        if text is not None and not _BAD_WIDE_RE.search(text):
            readings.append((text_score(text[:_SAMPLE_BYTES]), encoding, text))
    if not readings:
        return None
    score, encoding, text = max(readings)
    if score < 0.9 or score < rival + 0.2:
        return None
    return _Detection(encoding, round(min(score, 0.99), 2), "detected", [*candidates, *(r[1] for r in readings)],
                      text=text)


def _reading(sample: bytes, encoding: str) -> str:
    # the sample may be cut inside a character: a U+FFFD there does not matter for a score
    return sample.decode(encoding, "replace")


def _detect_8bit(data: bytes, source: str, wide: bool = True) -> _Detection:
    """No BOM, not UTF-8: GB18030 or Big5 (or UTF-16 without NUL), chosen among the strict decodes."""
    decoded: dict[str, str] = {}
    text = _strict(data, _GB)
    if text is not None:
        decoded[_GB] = text
    for encoding in _BIG5_FAMILY:
        text = _strict(data, encoding)
        if text is not None:
            decoded[encoding] = text
            break
    sample = _nonascii_sample(data)
    scores = {e: text_score(_reading(sample, e)) for e in decoded}

    # Almost valid UTF-8 is damaged UTF-8; a GB18030 reading of it would be mojibake.
    # surrogateescape (in C) marks each bad byte with one lone surrogate, to count and replace
    utf8_text = sample.decode("utf-8", "surrogateescape")
    utf8_text, bad = _SURROGATES_RE.subn("\ufffd", utf8_text)
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    damaged_utf8 = bad <= _DAMAGED_UTF8_SHARE * high and text_score(utf8_text) >= max(scores.values(), default=0)

    if wide and not damaged_utf8:
        found = _wide_without_nul(data, max(scores.values(), default=0.0), list(decoded))
        if found is not None:
            return found

    if decoded and not damaged_utf8:
        candidates = list(decoded)
        if len(candidates) == 1:
            encoding = candidates[0]
            # a long strict decode is strong evidence by itself; a few bytes are not
            confidence = round(max(0.1, min(0.99, scores[encoding] * min(1.0, 0.5 + high / 64))), 2)
            how = "only candidate"
        else:
            encoding, confidence, how = _choose(sample, candidates, scores)
        found = _Detection(encoding, confidence, how, candidates, text=decoded[encoding])
        if scores[encoding] < 0.5 and high >= 16:
            found.notes.append(f"{source}: decoded as {encoding}, but only {scores[encoding]:.0%} of the "
                               "text reads as common Chinese; pass --encoding NAME if you know the encoding")
        return found

    # Nothing decodes strictly: find the most likely encoding for the message and for "replace".
    names = ["utf-8"] if damaged_utf8 else ["utf-8", _GB, "big5hkscs"]
    counts = []
    probe = data[:_PROBE_BYTES]
    for order, encoding in enumerate(names):
        _, regions = _decode_replacing(probe, encoding, _COUNT_LIMIT)
        counts.append((sum(end - start for start, end in regions), order, encoding))
    best = min(counts)[2]
    found = _Detection(None, 0.0, "none", [], best=best)
    found.problem = _undecodable_message(source, data, best, b"", damaged=damaged_utf8)
    return found


def _choose(sample: bytes, candidates: list[str], scores: dict[str, float]) -> tuple[str, float, str]:
    """GB18030 or Big5 for bytes both decode: chardet on the non-ASCII lines, else the score."""
    import chardet

    answers = chardet.detect_all(sample, include_encodings=candidates, ignore_threshold=True,
                                 max_bytes=len(sample), compat_names=False, no_match_encoding=_GB)
    by_name: dict[str, float] = {}
    for answer in answers:
        name = _canonical(answer.get("encoding"))
        if name is not None:
            by_name[name] = max(by_name.get(name, 0.0), float(answer.get("confidence") or 0.0))
    sure = {c: by_name.get(_canonical(c) or c, 0.0) for c in candidates}
    ranked = sorted(candidates, key=lambda c: (-sure[c], c != _GB))
    top = ranked[0]
    best_score = max(scores.values())
    if sure[top] >= _CHARDET_SURE and scores[top] >= best_score - 0.1:
        return top, round(sure[top], 2), "detected"
    # chardet is unsure (short input), or its pick reads much worse: the share of common
    # characters decides, then how frequent the characters are, then GB18030 (far more common)
    near = [c for c in ranked if scores[c] >= best_score - 0.05]
    if len(near) > 1:
        frequency = {c: frequency_score(_reading(sample, c)) for c in near}
        top_frequency = max(frequency.values())
        near = [c for c in near if frequency[c] >= top_frequency - 0.25]
    chosen = near[0]
    runner_up = max((s for c, s in scores.items() if c != chosen), default=0.0)
    return chosen, round(max(0.1, min(0.9, 0.5 + (scores[chosen] - runner_up) / 2)), 2), "character score"


def _canonical(name: str | None) -> str | None:
    """chardet's codec name as one of ours: the GB family is gb18030, the Big5 family big5."""
    if not name:
        return None
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    if name in ("gbk", "gb2312", "gb18030"):
        return _GB
    if name in ("big5", "cp950", "big5hkscs"):
        return "big5"
    return name


def _undecodable_message(source: str, data: bytes, codec: str, bom: bytes, damaged: bool = False) -> str:
    """The one-line message for input that ``codec`` cannot decode strictly."""
    body = data[len(bom):]
    count, regions = _count(body, codec)
    start, end = regions[0] if regions else (0, 0)
    offset = start + len(bom)
    byte = f"0x{data[offset]:02X}" if offset < len(data) else "end of input"
    tail = ": the input ends in the middle of a character" if len(regions) == 1 and end == len(body) else ""
    name = _DISPLAY.get(codec, codec)
    if bom:
        return (f"{source}: starts with a {name} byte-order mark but is not valid {name} ({count} undecodable "
                f"byte(s), the first {byte} at offset {offset}{tail}); pass --errors replace to decode it anyway")
    if damaged:
        return (f"{source}: not valid UTF-8 ({count} undecodable byte(s), the first {byte} at offset "
                f"{offset}{tail}); pass --errors replace to decode it anyway, or --encoding NAME if it "
                "is not UTF-8")
    return (f"{source}: not text in UTF-8, GB18030, Big5 or UTF-16 (first undecodable byte {byte} at "
            f"offset {offset} as {name}); pass --encoding NAME if you know it, or --errors replace to "
            "decode anyway")


# --- the stage --------------------------------------------------------------------------
def decode(data: bytes, config: Config) -> StageResult:
    """Decode ``data`` (see the module docstring). Raises DecodeError/BinaryInputError."""
    source = config.source or "<input>"
    if config.encoding:
        return _decode_forced(data, config.encoding, config, source)
    found = _detect(data, source)
    if config.errors != "replace":
        if found.binary:
            raise BinaryInputError(found.binary)
        if found.problem:
            raise DecodeError(found.problem)
    warnings = list(found.notes)
    if found.binary:
        warnings.append(found.binary.split(";")[0] + "; decoded anyway because errors=replace")
    if found.text is not None:
        name = _report_name(found.encoding)
        data_out = {"encoding": name, "confidence": found.confidence}
        summary = f"decoded as {name} ({_HOW[found.how]}, confidence {found.confidence:.2f})"
        return StageResult(found.text, warnings=tuple(warnings), data=data_out, summary=summary)
    # errors="replace" and nothing decodes strictly: the most likely encoding, bytes replaced
    name = found.best or "utf-8"
    codec = "utf-8" if name == "utf-8-bom" else name
    text, regions = _decode_replacing(data[len(found.bom):], codec)
    return _replaced_result(data, text or "", regions, len(found.bom), _report_name(name) or name,
                            "most likely; errors=replace", warnings)


def _replaced_result(data: bytes, text: str, regions: list[tuple[int, int]], shift: int, name: str,
                     how: str, warnings: list[str]) -> StageResult:
    """The result of a decode with errors=replace: a change per bad region (byte offsets)."""
    count = sum(end - start for start, end in regions)
    changes: list[Change] = []
    why = f"not decodable as {name}; each byte replaced with U+FFFD (errors=replace)"
    if len(regions) <= _MAX_CHANGES:
        for start, end in regions:
            start, end = start + shift, end + shift
            changes.append(Change(start, end, _escaped(data[start:end]), "\ufffd" * (end - start),
                                  "decode:replace", why))
    elif regions:  # binary-like input: one change that sums it up instead of thousands
        start, end = regions[0][0] + shift, regions[-1][1] + shift
        changes.append(Change(start, end, f"{count} undecodable bytes in {len(regions)} places",
                              f"{count} x \ufffd", "decode:replace", why))
    if count:
        first = regions[0][0] + shift
        warnings = [*warnings, f"{count} undecodable byte(s) replaced with U+FFFD "
                               f"(decoded as {name}; the first at byte offset {first})"]
    confidence = 0.0 if count else 1.0
    data_out: dict = {"encoding": name, "confidence": confidence}
    if count:
        data_out["bytes_replaced"] = count
    summary = f"decoded as {name} ({how}), {count} undecodable byte(s) replaced" if count \
        else f"decoded as {name} ({how})"
    return StageResult(text, tuple(changes), tuple(warnings), data_out, summary)


def _escaped(chunk: bytes) -> str:
    return "".join(f"\\x{b:02x}" for b in chunk)


def _decode_forced(data: bytes, requested: str, config: Config, source: str) -> StageResult:
    """Decode with the encoding the caller named (GBK and GB2312 as their superset GB18030)."""
    try:
        codec = codecs.lookup(requested).name
    except LookupError:
        raise DecodeError(f"{source}: unknown encoding {requested!r}; use a Python codec name such as "
                          "utf-8, gb18030, gbk, big5 or utf-16") from None
    decode_as = _GB if codec in _GB_FAMILY else codec
    label = f"forced {requested}" if decode_as == codec else f"forced {requested}, decoded as its superset"
    text = _strict(data, decode_as)
    if text is not None:
        return StageResult(_drop_bom(text), data={"encoding": decode_as, "confidence": 1.0},
                           summary=f"decoded as {decode_as} ({label})")
    if config.errors != "replace":
        count, regions = _count(data, decode_as)
        start = regions[0][0]
        raise DecodeError(f"{source}: not valid {requested} ({count} undecodable byte(s), the first "
                          f"0x{data[start]:02X} at offset {start}); check --encoding, or pass --errors "
                          "replace to decode anyway")
    text, regions = _decode_replacing(data, decode_as)
    return _replaced_result(data, _drop_bom(text or ""), regions, 0, decode_as, "forced; errors=replace", [])


def _drop_bom(text: str) -> str:
    """A byte-order mark is never content (utf-16/utf-32 drop theirs; utf-8 and others keep it)."""
    return text[1:] if text.startswith("\ufeff") else text
