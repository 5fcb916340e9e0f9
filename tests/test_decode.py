"""decode: bytes in the encodings Chinese sites use -> exactly the text; never garbage."""

import codecs
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean.decode import decode, detect
from policyclean.errors import BinaryInputError, DecodeError
from policyclean.model import Config

SEEDS = {p.name[:3]: p.read_text(encoding="utf-8")
         for p in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))}
CONFIG = Config(source="doc.txt")
REPLACE = CONFIG.with_overrides(errors="replace")


def traditional(text: str) -> str:
    """The seed in Traditional characters (OpenCC s2t), only the lines Big5 can encode."""
    import opencc

    converted = opencc.OpenCC("s2t").convert(text)
    return "".join(line for line in converted.splitlines(keepends=True) if _encodable(line, "big5"))


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def cut(text: str, encoding: str, size: int, start: int = 0) -> str:
    """The longest piece of ``text`` from ``start`` whose encoding is at most ``size`` bytes."""
    piece, used = [], 0
    for ch in text[start:]:
        n = len(ch.encode(encoding))
        if used + n > size:
            break
        piece.append(ch)
        used += n
    return "".join(piece)


def line_starts(text: str, count: int) -> list[int]:
    """Offsets of the first ``count`` lines that start with non-ASCII text."""
    starts, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line[:1] and not line[:1].isascii():
            starts.append(offset)
        offset += len(line)
    return starts[:count]


# --- whole documents ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SEEDS))
@pytest.mark.parametrize("encoding, reported", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("utf-16", "utf-16-le"),  # Python writes a little-endian BOM
    ("utf-16-le", "utf-16-le"),  # no BOM: found by where the NUL bytes are
    ("utf-16-be", "utf-16-be"),
    ("utf-32", "utf-32-le"),
])
def test_seed_in_each_encoding_decodes_exactly(name, encoding, reported):
    text = SEEDS[name]
    if not _encodable(text, encoding):
        pytest.skip(f"seed {name} has characters {encoding} cannot encode")
    result = decode(text.encode(encoding), CONFIG)
    assert result.text == text
    assert result.data["encoding"] == reported
    assert result.changes == () and result.warnings == ()
    assert "bytes_replaced" not in result.data


def test_gbk_encodes_the_simplified_seeds():
    # so the gbk case above is not skipped everywhere
    assert [n for n in SEEDS if _encodable(SEEDS[n], "gbk")] == sorted(SEEDS)


def test_big5_seed_decodes_exactly():
    text = SEEDS["004"]  # the one seed Big5 can encode whole (Traditional)
    result = decode(text.encode("big5"), CONFIG)
    assert (result.text, result.data["encoding"]) == (text, "big5")


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_traditional_seed_in_big5_decodes_exactly(name):
    text = traditional(SEEDS[name])
    assert len(text) > 1000
    result = decode(text.encode("big5"), CONFIG)
    assert (result.text, result.data["encoding"]) == (text, "big5")


def test_summary_says_what_and_how_sure():
    result = decode(SEEDS["000"].encode("gb18030"), CONFIG)
    assert result.summary.startswith("decoded as gb18030 (detected")
    assert result.data["confidence"] >= 0.9
    assert decode(SEEDS["000"].encode("utf-8"), CONFIG).summary == "decoded as utf-8 (valid UTF-8, confidence 1.00)"


# --- short inputs -----------------------------------------------------------------------
SHORT = [(name, encoding) for name in sorted(SEEDS) for encoding in ("gb18030", "utf-16-le", "utf-16-be")]


@pytest.mark.parametrize("size", [32, 64])
@pytest.mark.parametrize("name, encoding", SHORT)
def test_short_slices_decode_exactly(name, encoding, size):
    text = SEEDS[name]
    for start in line_starts(text, 12):
        piece = cut(text, encoding, size, start)
        assert decode(piece.encode(encoding), CONFIG).text == piece, (start, piece)


@pytest.mark.parametrize("size", [32, 64])
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_short_big5_slices_decode_exactly(name, size):
    text = traditional(SEEDS[name])
    for start in line_starts(text, 12):
        piece = cut(text, "big5", size, start)
        assert decode(piece.encode("big5"), CONFIG).text == piece, (start, piece)


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "utf-16-le", "utf-16-be"])
def test_single_line(encoding):
    line = "深入学习贯彻习近平新时代中国特色社会主义思想,全面贯彻党的二十大精神。"
    if encoding == "big5":
        line = "深入學習貫徹習近平新時代中國特色社會主義思想,全面貫徹黨的二十大精神。"
    assert decode(line.encode(encoding), CONFIG).text == line


def test_pure_chinese_utf16_without_nul_bytes():
    # no ASCII, so no NUL byte to show the byte order: the reading decides
    line = "为贯彻党中央、国务院关于推动人工智能发展的决策部署"
    assert b"\x00" not in line.encode("utf-16-le")
    for encoding in ("utf-16-le", "utf-16-be"):
        result = decode(line.encode(encoding), CONFIG)
        assert (result.text, result.data["encoding"]) == (line, encoding)


def test_short_gb_text_that_big5_also_decodes():
    # both decode; the Big5 reading is 瞳疑!匐窒藷薊磁 (rare characters)
    text = "利好!八部门联合发布"
    data = text.encode("gb18030")
    assert data.decode("big5") != text
    result = decode(data, CONFIG)
    assert (result.text, result.data["encoding"]) == (text, "gb18030")


# --- the traps of a detector on its own ----------------------------------------------------
def test_long_ascii_head_then_gbk():
    # chardet reads only the first 200 KB and would answer ascii
    head = ("Policy documents from the portal, mirrored for the archive. 0123456789\n" * 5000)[:300_000]
    text = head + SEEDS["001"]
    result = decode(text.encode("gbk"), CONFIG)
    assert (result.text, result.data["encoding"]) == (text, "gb18030")


def test_mostly_ascii_gbk_text():
    # chardet 7 alone calls this MacRoman (confidence 0.33)
    text = ("This policy (人工智能) was issued in 2025 by the 江苏 government. " * 3
            + "More English text here, describing the policy in detail and so on.\n" * 20)
    result = decode(text.encode("gbk"), CONFIG)
    assert (result.text, result.data["encoding"]) == (text, "gb18030")


def test_utf8_fast_path_does_not_need_chardet(monkeypatch):
    monkeypatch.setitem(sys.modules, "chardet", None)  # importing it would fail
    text = SEEDS["003"]
    assert decode(text.encode("utf-8"), CONFIG).text == text
    assert decode(text.encode("utf-8-sig"), CONFIG).text == text


# --- empty, BOMs ---------------------------------------------------------------------------
def test_empty_input_is_empty_utf8():
    result = decode(b"", CONFIG)
    assert (result.text, result.data["encoding"], result.data["confidence"]) == ("", "utf-8", 1.0)


@pytest.mark.parametrize("bom, encoding, reported", [
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
])
def test_bom_decides_and_is_dropped(bom, encoding, reported):
    text = "关于印发《江苏省“人工智能+”行动方案》的通知\n"
    result = decode(bom + text.encode(encoding), CONFIG)
    assert (result.text, result.data["encoding"]) == (text, reported)
    assert detect(bom + text.encode(encoding))["bom"] is True


def test_broken_text_after_a_bom_is_an_error():
    data = codecs.BOM_UTF8 + "中文".encode("utf-8") + b"\xff"
    with pytest.raises(DecodeError, match=r"doc\.txt: starts with a UTF-8 byte-order mark .* offset 9"):
        decode(data, CONFIG)


# --- binary and undecodable input ---------------------------------------------------------
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000001000000010008060000005c72a866")


def one_line(message: str) -> bool:
    return "\n" not in message


def test_png_is_binary():
    with pytest.raises(BinaryInputError) as error:
        decode(PNG, CONFIG)
    message = str(error.value)
    assert message.startswith("doc.txt: looks like a binary file") and one_line(message)
    assert "NUL byte at offset 8" in message and "--errors replace" in message


def test_nul_bytes_that_are_not_utf16_are_binary():
    with pytest.raises(BinaryInputError, match="doc.txt: .*NUL byte at offset 3"):
        decode(b"abc\x00def", CONFIG)
    with pytest.raises(BinaryInputError, match="<input>: "):
        decode(b"abc\x00def", Config())


def test_random_bytes_are_rejected():
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096))
    with pytest.raises(DecodeError) as error:
        decode(data, CONFIG)
    assert str(error.value).startswith("doc.txt: ") and "offset" in str(error.value)


def test_random_bytes_without_nul_are_rejected():
    rng = random.Random(11)
    data = bytes(rng.randrange(1, 256) for _ in range(4096))
    with pytest.raises(DecodeError, match=r"doc\.txt: .*offset \d+"):
        decode(data, CONFIG)


def test_control_bytes_are_binary():
    data = b"\x01\x02\x03\x04\x05header\x06\x07\x08\x0e\x0f\x10\x11\x12" * 20
    with pytest.raises(BinaryInputError, match=r"doc\.txt: .*control bytes, the first 0x01 at offset 0"):
        decode(data, CONFIG)


def test_a_few_control_bytes_are_text():
    text = "第一条\x0c第二条\x1b[0m 江苏省\n"  # a form feed and an escape sequence
    assert decode(text.encode("gb18030"), CONFIG).text == text


def test_binary_with_errors_replace_decodes_and_warns():
    result = decode(PNG, REPLACE)
    assert any("binary" in w and "decoded anyway" in w for w in result.warnings)
    assert isinstance(result.text, str)


def test_random_bytes_with_errors_replace_reports_the_count():
    rng = random.Random(11)
    data = bytes(rng.randrange(1, 256) for _ in range(4096))
    result = decode(data, REPLACE)
    count = result.data["bytes_replaced"]
    assert count > 0 and result.text.count("\ufffd") == count
    assert any(f"{count} undecodable byte(s) replaced with U+FFFD" in w for w in result.warnings)
    assert result.changes and all(c.rule == "decode:replace" for c in result.changes)


def test_gbk_with_a_stray_byte():
    text = SEEDS["000"]
    data = text.encode("gb18030")
    position = len(text[:200].encode("gb18030"))  # a character boundary, inside Chinese text
    damaged = data[:position] + b"\xff" + data[position:]
    with pytest.raises(DecodeError) as error:
        decode(damaged, CONFIG)
    message = str(error.value)
    assert one_line(message)
    assert message.startswith("doc.txt: not text in UTF-8, GB18030, Big5 or UTF-16")
    assert f"0xFF at offset {position} as GB18030" in message
    assert "--encoding NAME" in message and "--errors replace" in message
    result = decode(damaged, REPLACE)
    assert result.text == text[:200] + "\ufffd" + text[200:]
    assert (result.data["encoding"], result.data["bytes_replaced"]) == ("gb18030", 1)
    assert result.warnings == (f"1 undecodable byte(s) replaced with U+FFFD (decoded as gb18030; "
                               f"the first at byte offset {position})",)
    [change] = result.changes
    assert (change.start, change.end, change.before, change.after) == (position, position + 1, "\\xff", "\ufffd")


def test_utf8_with_a_stray_byte_is_damaged_utf8_not_gb18030():
    text = SEEDS["001"]
    data = text.encode("utf-8")
    position = len(text[:300].encode("utf-8"))
    damaged = data[:position] + b"\xfe" + data[position:]
    with pytest.raises(DecodeError, match=rf"doc\.txt: not valid UTF-8 \(1 undecodable byte\(s\), the first 0xFE "
                                          rf"at offset {position}\)"):
        decode(damaged, CONFIG)
    result = decode(damaged, REPLACE)
    assert result.text == text[:300] + "\ufffd" + text[300:]
    assert (result.data["encoding"], result.data["bytes_replaced"]) == ("utf-8", 1)


def test_utf8_cut_inside_the_last_character():
    text = "江苏省人民政府关于印发行动方案的通知"
    data = text.encode("utf-8")[:-1]  # the last character loses its last byte
    with pytest.raises(DecodeError, match="ends in the middle of a character"):
        decode(data, CONFIG)
    result = decode(data, REPLACE)
    assert result.text == text[:-1] + "\ufffd\ufffd"
    assert result.data["bytes_replaced"] == 2


# --- forced encodings ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["gbk", "GB2312", "gb18030", "cp936"])
def test_forced_gb_family_decodes_as_gb18030(name):
    text = SEEDS["003"]
    result = decode(text.encode("gb18030"), CONFIG.with_overrides(encoding=name))
    assert (result.text, result.data["encoding"]) == (text, "gb18030")
    assert f"forced {name}" in result.summary


def test_forced_encoding_is_used_as_is():
    text = SEEDS["000"]
    with pytest.raises(DecodeError, match=r"doc\.txt: not valid utf-8 .*offset 0"):
        decode(text.encode("gb18030"), CONFIG.with_overrides(encoding="utf-8"))
    result = decode(text.encode("gb18030"), REPLACE.with_overrides(encoding="utf-8"))
    assert result.data["bytes_replaced"] > 100


def test_forced_unknown_encoding():
    with pytest.raises(DecodeError, match="doc.txt: unknown encoding 'klingon'"):
        decode(b"abc", CONFIG.with_overrides(encoding="klingon"))


def test_forced_utf8_drops_a_bom():
    assert decode(codecs.BOM_UTF8 + "中文".encode(), CONFIG.with_overrides(encoding="utf-8")).text == "中文"


# --- detect ---------------------------------------------------------------------------------
def test_detect_reports_candidates():
    found = detect(SEEDS["004"].encode("big5"))
    assert found["encoding"] == "big5" and set(found["candidates"]) == {"gb18030", "big5"}
    assert found["bom"] is False and found["binary"] is False and found["problem"] is None
    assert detect(SEEDS["000"].encode("gbk")) == {"encoding": "gb18030", "confidence": 0.99,
                                                  "candidates": ["gb18030"], "bom": False,
                                                  "binary": False, "problem": None}


def test_detect_does_not_raise():
    found = detect(PNG, source="image.png")
    assert found["encoding"] is None and found["binary"] is True
    assert found["problem"].startswith("image.png: looks like a binary file")
    found = detect(b"abc \x80\xff def")
    assert found["candidates"] == [] and found["problem"].startswith("<input>: not text")


# --- properties -------------------------------------------------------------------------------
SEED_LINES = [line for text in SEEDS.values() for line in text.splitlines(keepends=True) if line.strip()]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t")))
def test_any_utf8_text_decodes_as_itself(text):
    text = text.lstrip("\ufeff")  # a leading U+FEFF is a byte-order mark, and dropped
    result = decode(text.encode("utf-8"), CONFIG)
    assert result.text == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SEED_LINES), min_size=1, max_size=4), st.sampled_from(["gb18030", "utf-16-le"]))
def test_seed_lines_in_any_order_decode_exactly(lines, encoding):
    text = "".join(lines)
    assert decode(text.encode(encoding), CONFIG).text == text


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_pipeline_gives_the_same_text_for_every_encoding(name):
    from policyclean import clean

    text = SEEDS[name]
    expected = clean(text.encode("utf-8")).text
    for encoding in ("gb18030", "utf-16", "utf-16-be", "big5"):
        if _encodable(text, encoding):
            result = clean(text.encode(encoding))
            assert result.text == expected and result.encoding == ("utf-16-le" if encoding == "utf-16" else encoding)
