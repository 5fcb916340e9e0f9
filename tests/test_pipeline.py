"""The library API and the whole pipeline's properties: idempotence and do no harm."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyclean
from policyclean import Config, DecodeError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
EXPECTED = ROOT / "tests" / "expected"
SEED_004 = ROOT / "seeds" / "004_12ff21ec68cac506.txt"

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- API

def test_bytes_and_str_give_the_same_text():
    data = SEED_004.read_bytes()
    from_bytes = policyclean.clean(data)
    from_str = policyclean.clean(data.decode("utf-8"))
    assert from_bytes.text == from_str.text
    assert from_bytes.encoding == "utf-8" and from_str.encoding is None


def test_result_reports_steps_script_and_serialises_to_json():
    result = policyclean.clean(SEED_004.read_bytes())
    assert result.script == "traditional"
    assert "t2s" in [step.name for step in result.steps]
    t2s = result.step("t2s")
    assert t2s is not None and t2s.count > 0 and all(c.rule for c in t2s.changes)
    json.dumps(result.to_dict(), ensure_ascii=False)  # must not raise


def test_keyword_overrides_and_unknown_options():
    text = "到2027年,江苏人工智能终端产业综合实力显著增强。\n"
    assert policyclean.clean(text).text == "到2027年，江苏人工智能终端产业综合实力显著增强。\n"
    assert policyclean.clean(text, punct="keep").text == text
    with pytest.raises(ValueError, match="unknown option"):
        policyclean.clean(text, punctuation="keep")
    with pytest.raises(ValueError, match="punct"):
        policyclean.clean(text, punct="ascii")
    with pytest.raises(TypeError):
        policyclean.clean(12345)


def test_placeholders_accept_a_mapping():
    config = Config().with_overrides(placeholders={"关键词1": "江苏"})
    assert config.placeholders == (("关键词1", "江苏"),)
    hash(config)  # frozen and hashable, so it can be shared across processes


def test_config_pickles_and_clean_works_in_worker_processes():
    config = Config(keep="document")
    assert pickle.loads(pickle.dumps(config)) == config
    result = policyclean.clean(SEED_004.read_bytes(), config)
    assert pickle.loads(pickle.dumps(result)).text == result.text  # results travel back from workers
    data = [path.read_bytes() for path in SEEDS]
    with ProcessPoolExecutor(max_workers=2) as pool:
        in_workers = list(pool.map(_clean_text, data, [config] * len(data)))
    assert in_workers == [_clean_text(d, config) for d in data]


def _clean_text(data: bytes, config: Config) -> str:
    return policyclean.clean(data, config).text


def test_undecodable_bytes_raise_with_the_source_name():
    with pytest.raises(DecodeError, match="page.bin"):
        policyclean.clean(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), source="page.bin")


def test_empty_input():
    assert policyclean.clean("").text == ""
    assert policyclean.clean(b"").text == ""
    assert policyclean.clean("\n \n\t\n").text == ""


# ----------------------------------------------------------------------------- idempotence

def _seed_characters() -> str:
    chars = set()
    for path in SEEDS:
        chars.update(path.read_text(encoding="utf-8"))
    return "".join(sorted(chars - {"\n"}))


SEED_CHARS = _seed_characters()
PUNCT = ",.;:?!()[]\"'-—/+#*%…，。；：？！（）“”《》、〔〕﹒"
WHITESPACE = " \t\n\r\u3000\u00a0\u200b"
LINE_PIECES = st.sampled_from([
    "来源:爱集微 #政策# #江苏#", "1194", "责编: 赵碧莹", "THE END", "关闭", "评论", "0/1000",
    "以下是该实施意见的具体内容:", "以下為《方案》原文:", "C114訊 5月23日消息(蘭茜)近日,", "发布日期: 2026-01-07",
    "| 索 引 號: | 014000319/2025-00326 | 分 類: | 政府文件 |", "关键词1省人民政府", "蘇政發〔2025〕108號",
    "我邦人工智能症结重点技巧", "工业和消息化部等八部分", "2025年12月19日", "工業(yè)和信息化部",
])

mixed_text = st.lists(
    st.one_of(
        st.text(alphabet=SEED_CHARS + PUNCT + WHITESPACE + "0123456789abcXYZ", max_size=80),
        st.text(max_size=20),  # arbitrary Unicode
        LINE_PIECES,
    ),
    max_size=12,
).map("\n".join)


@PROPERTY
@given(mixed_text)
def test_cleaning_cleaned_text_changes_nothing(text):
    once = policyclean.clean(text).text
    assert policyclean.clean(once).text == once


@PROPERTY
@given(mixed_text)
def test_idempotent_in_document_mode(text):
    once = policyclean.clean(text, keep="document").text
    assert policyclean.clean(once, keep="document").text == once


@PROPERTY
@given(mixed_text)
def test_idempotent_with_space_runs_kept(text):
    once = policyclean.clean(text, spaces="keep").text
    assert policyclean.clean(once, spaces="keep").text == once


@PROPERTY
@given(st.binary(max_size=300))
def test_idempotent_on_arbitrary_bytes_that_decode(data):
    try:
        once = policyclean.clean(data).text
    except DecodeError:
        return
    assert policyclean.clean(once).text == once
    assert policyclean.clean(once.encode("utf-8")).text == once


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("keep", ["article", "document"])
def test_seeds_are_idempotent(path, keep):
    once = policyclean.clean(path.read_bytes(), keep=keep).text
    again = policyclean.clean(once, keep=keep)
    assert again.text == once
    assert not again.steps, [s.name for s in again.steps]


# ----------------------------------------------------------------------------- do no harm

def _clean_sentences() -> list[str]:
    """Sentences of the hand-checked clean documents (000, 001, 002, 004 in document form)."""
    sentences = []
    for path in sorted(EXPECTED.glob("*.document.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in line.split("。"):
                if len(sentence) >= 8:
                    sentences.append(sentence + "。")
    return sentences


CLEAN_SENTENCES = _clean_sentences()
needs_expected = pytest.mark.skipif(not CLEAN_SENTENCES, reason="tests/expected/*.document.txt not written yet")


@needs_expected
@PROPERTY
@given(st.lists(st.lists(st.sampled_from(CLEAN_SENTENCES or ["。"]), min_size=1, max_size=4).map("".join),
                min_size=1, max_size=6))
def test_clean_paragraphs_pass_through_unchanged(paragraphs):
    text = "\n".join(paragraphs) + "\n"
    result = policyclean.clean(text)
    assert result.text == text, [s.name for s in result.steps]
    assert not result.steps


@needs_expected
@pytest.mark.parametrize("path", sorted(EXPECTED.glob("*.document.txt")), ids=lambda p: p.name)
def test_clean_documents_pass_through_unchanged(path):
    text = path.read_text(encoding="utf-8")
    result = policyclean.clean(text, keep="document")
    assert result.text == text, [s.name for s in result.steps]


@needs_expected
@PROPERTY
@given(st.lists(st.sampled_from(CLEAN_SENTENCES or ["。"]), min_size=1, max_size=5).map("".join))
def test_ascii_punctuation_is_the_only_difference(paragraph):
    """Writing a clean paragraph's punctuation in ASCII is undone exactly, and nothing else moves."""
    ascii_form = paragraph.translate(str.maketrans("，；：？！（）", ",;:?!()"))
    assert policyclean.clean(ascii_form + "\n").text == paragraph + "\n"


def test_clean_utf8_bytes_report_no_change():
    text = "为贯彻党中央、国务院关于推动人工智能发展的决策部署，制定本方案。\n"
    result = policyclean.clean(text.encode("utf-8"))
    assert result.text == text and result.encoding == "utf-8"
    assert not result.changed and not result.steps
    assert policyclean.clean(text.encode("gb18030")).step("decode") is not None  # a real transformation is reported
