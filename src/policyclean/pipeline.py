"""The one place the stages are composed, in order: :func:`clean` for a document,
:func:`clean_stream` for a corpus too large to hold."""

from __future__ import annotations

import codecs
import itertools
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping

from . import (boilerplate, decode, despin, extract, htmlextract, metadata, mojibake, normalise,
               pinyin, placeholders, punct, script)
from .errors import DecodeError
from .model import Config, Result, StageResult, Step

StageFunction = Callable[[str, Config, Mapping[str, Any]], StageResult]

# (name, function, whether the config asks for it). The order is the design:
# text must be decoded and extracted from HTML before anything reads it; mojibake is
# repaired before normalisation could disturb its byte patterns; paragraphs are
# Simplified before the spinner's (Simplified) table is matched. De-spinning comes after
# every stage that removes lines or replaces words, so its gate judges on the first pass
# the very text it would judge on a second (a gate that scored lines later removed as
# chrome could decide differently the second time). Punctuation is last, so every rule
# before it sees one form of the text (and the gate ignores punctuation).
STAGES: tuple[tuple[str, StageFunction, Callable[[Config], bool]], ...] = (
    ("html", htmlextract.run, lambda c: c.html != "never"),
    ("mojibake", mojibake.run, lambda c: c.mojibake),
    ("normalise", normalise.run, lambda c: True),
    ("pinyin", pinyin.run, lambda c: True),
    ("t2s", script.run, lambda c: True),  # always detects the script; converts unless t2s="never"
    ("metadata", metadata.run, lambda c: True),
    ("boilerplate", boilerplate.run, lambda c: c.boilerplate),
    ("extract", extract.run, lambda c: True),
    ("placeholders", placeholders.run, lambda c: True),
    ("despin", despin.run, lambda c: c.despin),
    ("punct", punct.run, lambda c: c.punct != "keep"),
)

DEFAULT_CONFIG = Config()


def clean(data: bytes | str, config: Config | None = None, **overrides: Any) -> Result:
    """Clean one document.

    ``data`` is bytes in any encoding (detected, or forced with ``encoding=``) or a str.
    Keyword ``overrides`` change single options of ``config`` (default :class:`Config`).
    Raises :class:`policyclean.DecodeError` for bytes that are not text.
    """
    config = config or DEFAULT_CONFIG
    if overrides:
        config = config.with_overrides(**overrides)
    steps: list[Step] = []
    warnings: list[str] = []
    facts: dict[str, Any] = {}

    if isinstance(data, (bytes, bytearray, memoryview)):
        decoded = decode.decode(bytes(data), config)
        # valid UTF-8 without a BOM is read as it is: no step (result.changed stays False for clean input)
        _record("decode", decoded, steps, warnings, facts, config.max_changes,
                changed=decoded.data.get("encoding") != "utf-8")
        text = decoded.text
    elif isinstance(data, str):
        text = data
    else:
        raise TypeError(f"clean() takes bytes or str, not {type(data).__name__}")

    text = _run_stages(text, config, STAGES, steps, warnings, facts)
    return Result(
        text=text,
        encoding=facts.get("encoding"),
        confidence=facts.get("confidence"),
        script=facts.get("script", "none"),
        steps=tuple(steps),
        warnings=tuple(warnings),
        metadata=dict(facts.get("metadata", {})),
        facts=facts,  # plain dicts, so a Result pickles across worker processes
    )


def _run_stages(text: str, config: Config, stages: tuple, steps: list[Step], warnings: list[str],
                facts: dict[str, Any]) -> str:
    for name, function, wanted in stages:
        if not wanted(config):
            continue
        result = function(text, config, MappingProxyType(facts))
        _record(name, result, steps, warnings, facts, config.max_changes, changed=result.text != text)
        text = result.text
    return text


# ----------------------------------------------------------------------------- streaming

# The stages that look at one paragraph (and its neighbours) only. The others need the
# whole document: its head and tail (metadata, boilerplate, extract) or all of it (html).
STREAM_STAGES = ("mojibake", "normalise", "pinyin", "t2s", "placeholders", "despin", "punct")
BLOCK_CHARS = 1 << 20  # about a megabyte of text per block: the most the stream holds at once
_SAMPLE_BYTES = 64 * 1024  # what the encoding is detected from


def clean_stream(stream: Iterable[bytes] | Iterable[str], config: Config | None = None, *,
                 block_chars: int = BLOCK_CHARS, **overrides: Any) -> Iterator[Result]:
    """Clean a corpus too large to hold, block by block; yield one :class:`Result` per block.

    ``stream`` yields bytes (a file opened ``"rb"``, read in chunks) or str. Blocks end at
    line breaks, so paragraphs are never cut, and only one block is held at a time. The
    encoding is detected once, from the first 64 KB (or forced with ``encoding=``).

    Only the paragraph-level stages run (``STREAM_STAGES``): the input is taken as a corpus
    of paragraphs, not as one web page, so site chrome, the embedded document and portal
    metadata are not looked for, and masked keywords are resolved only from the caller's
    ``placeholders``. Paragraphs are judged with their block as context (the t2s prior, the
    de-spin gate's windows), so a paragraph at a block's edge can be judged with less
    context than :func:`clean` would give it. Offsets in each block's changes are offsets
    into that block.
    """
    config = config or DEFAULT_CONFIG
    if overrides:
        config = config.with_overrides(**overrides)
    stages = tuple(stage for stage in STAGES if stage[0] in STREAM_STAGES)
    buffer = ""
    for text in _decoded_pieces(iter(stream), config):
        buffer += text
        while len(buffer) >= block_chars:
            cut = buffer.rfind("\n", 0, block_chars) + 1 or buffer.find("\n", block_chars) + 1
            if not cut:
                break  # one line longer than a block: wait for its end
            block, buffer = buffer[:cut], buffer[cut:]
            yield _clean_block(block, config, stages)
    if buffer:
        yield _clean_block(buffer, config, stages)


def _clean_block(text: str, config: Config, stages: tuple) -> Result:
    steps: list[Step] = []
    warnings: list[str] = []
    facts: dict[str, Any] = {}
    text = _run_stages(text, config, stages, steps, warnings, facts)
    return Result(text, config.encoding, None, facts.get("script", "none"), tuple(steps), tuple(warnings),
                  dict(facts.get("metadata", {})), facts)


def _decoded_pieces(chunks: Iterator[bytes] | Iterator[str], config: Config) -> Iterator[str]:
    """The source as text: str passes through; bytes are decoded incrementally with the
    encoding detected from their first 64 KB (cut at a line break)."""
    first = next(chunks, None)
    if first is None:
        return
    if isinstance(first, str):
        yield first
        yield from chunks  # type: ignore[misc]
        return
    sample = bytearray(first)
    for chunk in chunks:  # type: ignore[assignment]
        sample += chunk
        if len(sample) >= _SAMPLE_BYTES:
            break
    else:
        chunks = iter(())
    encoding = _stream_encoding(bytes(sample), config)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace" if config.errors == "replace" else "strict")
    consumed = 0
    for chunk in itertools.chain((bytes(sample),), chunks):
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise DecodeError(f"{config.source or '<input>'}: not valid {encoding} at byte {consumed + error.start} "
                              f"(0x{chunk[error.start]:02X}); pass --encoding NAME if you know the encoding, "
                              f"or --errors replace to decode it anyway") from None
        consumed += len(chunk)
    tail = decoder.decode(b"", final=True) if config.errors == "replace" else _final(decoder, config, encoding, consumed)
    if tail:
        yield tail


def _final(decoder: codecs.IncrementalDecoder, config: Config, encoding: str, consumed: int) -> str:
    try:
        return decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise DecodeError(f"{config.source or '<input>'}: the input ends in the middle of a {encoding} character "
                          f"(after byte {consumed}); pass --errors replace to decode it anyway") from None


def _stream_encoding(sample: bytes, config: Config) -> str:
    """The codec for the whole stream, decided on the sample as :func:`clean` would decide."""
    if config.encoding:
        return decode.decode(sample[:0], config).data.get("encoding") or config.encoding
    cut = sample.rfind(b"\n") + 1
    if cut and sample[cut:cut + 1] == b"\x00":
        cut += 1  # UTF-16-LE: the line break is "\n\x00"
    found = decode.detect(sample[:cut] if cut else sample, config.source)
    if found["binary"] or (found["problem"] and config.errors != "replace"):
        raise DecodeError(found["problem"] or f"{config.source or '<input>'}: not text")
    encoding = found["encoding"]
    if found["bom"] and encoding.startswith(("utf-16", "utf-32")):
        encoding = encoding[:6]  # let the codec read and drop the byte-order mark
    return encoding


def _record(name: str, result: StageResult, steps: list[Step], warnings: list[str],
            facts: dict[str, Any], max_changes: int | None, changed: bool = True) -> None:
    """Fold one stage's result into the report and the facts later stages see."""
    count = len(result.changes) if result.count is None else result.count
    if count or (changed and result.summary):
        kept = result.changes if max_changes is None else result.changes[:max_changes]
        steps.append(Step(name, result.summary or f"{count} change(s)", kept, dict(result.data), count))
    warnings.extend(result.warnings)
    for key, value in result.data.items():
        # lists accumulate across stages (e.g. "removed" lines); mappings merge; the rest is replaced
        if isinstance(value, (list, tuple)) and isinstance(facts.get(key), (list, tuple)):
            facts[key] = tuple(facts[key]) + tuple(value)
        elif isinstance(value, Mapping) and isinstance(facts.get(key), Mapping):
            facts[key] = {**facts[key], **value}
        else:
            facts[key] = value
