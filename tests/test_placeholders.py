"""The placeholders stage: masked keywords reported always, resolved only on clear evidence.

Seed 002 writes 关键词1 where 江苏 stood (read by hand: lines 7, 11, 12, 15, 18, 44, 45, 46, 48
of the seed — 9 occurrences). Inputs are prepared as the pipeline would: one paragraph per
line, Simplified (OpenCC t2s), then the metadata stage, whose facts this stage reads.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import metadata, placeholders
from policyclean.data import read_tsv, tables_dir
from policyclean.model import Config
from seedtext import prepared

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONFIG = Config()


def through(text: str, config: Config = CONFIG):
    """metadata, then placeholders with the metadata stage's facts."""
    meta = metadata.run(text, config, {})
    return meta, placeholders.run(meta.text, config, MappingProxyType(dict(meta.data)))


SEED_002 = "002_f98fe54d3787eb79.txt"


def test_seed_002_resolved_from_the_document_number():
    meta, result = through(prepared(SEED_002))
    assert "关键词" not in result.text
    for phrase in ("江苏省人民政府", "美丽江苏", "平安江苏", "江苏自贸试验区", "充分发挥江苏产业",
                   "省政府关于印发江苏省", "现将《江苏省“人工智能+”行动方案》印发", "推进江苏社会工作一体化平台"):
        assert phrase in result.text, phrase
    assert len(result.changes) == 9
    assert {(c.before, c.after, c.rule) for c in result.changes} == {("关键词1", "江苏", "placeholders")}
    assert all(meta.text[c.start:c.end] == "关键词1" for c in result.changes)
    # nothing else changed
    assert result.text == meta.text.replace("关键词1", "江苏")
    [report] = result.data["placeholders"]
    assert report["placeholder"] == "关键词1" and report["count"] == 9 and report["replacement"] == "江苏"
    evidence = report["evidence"]
    assert "苏政发〔2025〕108号 names 江苏" in evidence and "stands before 省" in evidence
    assert "issuer" in evidence and "provinces.tsv:" in evidence
    assert result.changes[0].why == evidence
    # the metadata values holding the placeholder are updated (they merge into result.metadata)
    assert result.data["metadata"] == {
        "issuer": "江苏省人民政府",
        "title": "省政府关于印发江苏省“人工智能+”行动方案的通知",
        "summary": "省政府关于印发江苏省“人工智能+”行动方案的通知",
    }
    assert not result.warnings
    assert result.summary == "resolved placeholders 关键词1→江苏 (9×)"


def _without_doc_number(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(line for line in lines if "苏政发" not in line)


def test_no_document_number_leaves_it_and_warns():
    text = _without_doc_number(prepared(SEED_002))
    meta, result = through(text)
    assert "doc_number" not in meta.data["metadata"]
    assert result.text == meta.text and not result.changes
    [report] = result.data["placeholders"]
    assert report["replacement"] is None and report["count"] == 9
    assert len(result.warnings) == 1 and "关键词1" in result.warnings[0]
    assert "no document number" in result.warnings[0] and "--placeholder 关键词1=" in result.warnings[0]
    assert "metadata" not in result.data


def test_caller_mapping_resolves_without_evidence():
    text = _without_doc_number(prepared(SEED_002))
    _, result = through(text, Config(placeholders=(("关键词1", "江苏"),)))
    assert "关键词1" not in result.text and "美丽江苏" in result.text
    assert result.data["placeholders"][0]["evidence"] == "the caller's mapping 关键词1=江苏"
    assert not result.warnings


def test_caller_mapping_wins_over_the_document_number():
    _, result = through(prepared(SEED_002), Config(placeholders=(("关键词1", "浙江"),)))
    assert "浙江省人民政府" in result.text and "江苏" not in result.text.replace("苏政发", "")
    assert result.data["metadata"]["issuer"] == "浙江省人民政府"


def test_another_province_must_match_where_the_placeholder_stands():
    # 津政办发 names 天津, a 市; in 002 关键词1 stands before 省: no resolution
    text = prepared(SEED_002).replace("苏政发〔2025〕108号", "津政办发〔2025〕12号")
    _, result = through(text)
    assert not result.changes and "关键词1" in result.text
    assert "names 天津" in result.warnings[0] and "does not stand before 市" in result.warnings[0]
    # where it stands before 市 (the issuer of a Tianjin document), it is 天津 everywhere
    text = ("关键词1市人民政府办公厅关于印发关键词1市促进人工智能创新发展行动方案的通知\n"
            "津政办发〔2025〕12号\n各区人民政府：\n现将《关键词1市促进人工智能创新发展行动方案》印发给你们。\n"
            "充分发挥关键词1港口优势。\n关键词1市人民政府办公厅\n2025年5月20日\n")
    _, result = through(text)
    assert "关键词1" not in result.text and "天津港口" in result.text and "天津市人民政府办公厅" in result.text
    assert "津政办发〔2025〕12号 names 天津" in result.data["placeholders"][0]["evidence"]


@pytest.mark.parametrize("doc_number, issuer, expected", [
    ("渝府发〔2025〕3号", "关键词1市人民政府", "重庆"),
    ("京政发〔2025〕3号", "关键词1市人民政府", "北京"),
    ("宁政发〔2025〕3号", "关键词1回族自治区人民政府", "宁夏"),
    ("宁政发〔2025〕3号", "关键词1市人民政府", None),  # 南京市 uses 宁政发 too: 宁夏 is no 市
    ("桂政发〔2025〕3号", "关键词1壮族自治区人民政府", "广西"),
    ("国发〔2025〕3号", "关键词1省人民政府", None),  # 国 names no province
    ("苏府〔2025〕3号", "关键词1市人民政府", None),  # 苏州市: 江苏 is no 市
])
def test_province_table_and_position(doc_number, issuer, expected):
    text = f"关于某项工作的通知\n{doc_number}\n正文第一段。\n{issuer}\n2025年5月20日\n"
    _, result = through(text)
    assert result.data["placeholders"][0]["replacement"] == expected
    assert ("关键词1" in result.text) == (expected is None)


def test_contradicting_positions_are_not_resolved():
    text = "关键词1省人民政府关于关键词1市建设的批复\n苏政发〔2025〕3号\n正文。\n关键词1省人民政府\n2025年5月20日\n"
    _, result = through(text)
    assert not result.changes and "also stands before 市" in result.warnings[0]


def test_two_placeholders_before_the_province_only_the_issuer_one():
    text = ("关于关键词2省与关键词1省合作的通知\n苏政发〔2025〕3号\n正文。\n"
            "关键词1省人民政府\n2025年5月20日\n")
    _, result = through(text)
    resolved = {r["placeholder"]: r["replacement"] for r in result.data["placeholders"]}
    assert resolved == {"关键词2": None, "关键词1": "江苏"}
    assert "关于关键词2省与江苏省合作的通知" in result.text


def test_unnumbered_mask_needs_the_caller():
    text = "关于某项工作的通知\n苏政发〔2025〕3号\n正文[关键词]很好。\n[关键词]省人民政府\n2025年5月20日\n"
    _, result = through(text)
    assert not result.changes and result.warnings
    assert result.data["placeholders"][0]["pattern"] == "bracketed"
    _, result = through(text, Config(placeholders=(("[关键词]", "江苏"),)))
    assert "江苏省人民政府" in result.text and "[关键词]" not in result.text


def test_mapping_does_not_touch_a_longer_token():
    text = "关键词1和关键词12不同。\n"
    result = placeholders.run(text, Config(placeholders=(("关键词1", "甲"),)), {})
    assert result.text == "甲和关键词12不同。\n"
    assert {r["placeholder"]: r["replacement"] for r in result.data["placeholders"]} == {
        "关键词1": "甲", "关键词12": None}


def test_caller_literal_key_not_a_pattern():
    result = placeholders.run("某某某省人民政府\n", Config(placeholders=(("某某某", "江苏"),)), {})
    assert result.text == "江苏省人民政府\n"


@pytest.mark.parametrize("name", ["000_98647be4b4f94998.txt", "001_c9f7ed731d385643.txt",
                                  "003_3f0afe50fd1fbd10.txt", "004_12ff21ec68cac506.txt"])
def test_seeds_without_placeholders_unchanged(name):
    # 000 line 8 has “芯片”作为关键词被多次提及: 关键词 without a number is no mask
    _, result = through(prepared(name))
    assert result.text == metadata.run(prepared(name), CONFIG, {}).text
    assert not result.changes and not result.warnings and not result.data


def test_provinces_table_complete_and_unambiguous():
    rows = list(read_tsv(tables_dir() / "provinces.tsv", required=("name", "full", "type", "prefixes")))
    assert len(rows) == 34
    assert {r["type"] for r in rows} == {"省", "市", "自治区", "特别行政区"}
    assert sum(r["type"] == "省" for r in rows) == 23 and sum(r["type"] == "自治区" for r in rows) == 5
    prefixes = [p for r in rows for p in r["prefixes"].split()]
    assert len(prefixes) == len(set(prefixes))  # each prefix names exactly one division
    by_prefix = {p: r["name"] for r in rows for p in r["prefixes"].split()}
    assert (by_prefix["苏"], by_prefix["津"], by_prefix["渝"], by_prefix["京"]) == ("江苏", "天津", "重庆", "北京")


# --- properties -------------------------------------------------------------------------

_LINES = ["关于加快发展的通知", "苏政发〔2025〕108号", "津政办发〔2025〕1号", "关键词1省人民政府",
          "关键词1市人民政府", "美丽关键词1建设。", "关键词2产业优势明显。", "正文一段。", "2025年12月29日",
          "【关键词3】工作", "推进关键词12改革。"]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from(_LINES), min_size=1, max_size=10),
       mapping=st.sampled_from([(), (("关键词2", "浙江"),)]))
def test_idempotent(lines, mapping):
    config = Config(placeholders=mapping)
    text = "".join(line + "\n" for line in lines)
    _, first = through(text, config)
    _, second = through(first.text, config)
    assert second.text == first.text and not second.changes
    # a replacement only ever puts a province name or the caller's word where a token stood
    assert len(first.changes) <= text.count("关键词")


# --- the head and tail lines, read without splitting the whole text ------------------------------

@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=60), st.sampled_from(["", "\n", "\n\n"]))
def test_head_and_tail_lines(count, end):
    text = "\n".join(f"行{n}" for n in range(count)) + end
    lines = text.split("\n")
    head, tail = placeholders._head_and_tail(text)
    assert head == lines[:metadata.HEAD_LINES]
    start = max(metadata.HEAD_LINES, len(lines) - metadata.TAIL_LINES)
    assert tail == [(n, lines[n]) for n in range(start, len(lines))]


# --- the contains column: only the lines holding one of its literals are searched ---------------

def _table_rows():
    return list(read_tsv(tables_dir(None) / "placeholders.tsv", required=("name", "pattern", "same_word")))


# Masks of every pattern in the table and near misses (a bracket, a head, 词/字/詞, a number, a bracket),
# and other pieces of text, to build texts from
_MASKS = st.tuples(*(st.sampled_from(choices) for choices in (
    ["", "【", "[", "{", "｛", "［", "{{", "{{ ", "{{\n", "关"],
    ["关键", "敏感", "屏蔽", "违禁", "違禁", "keyword", "KEYWORD", "关", "键", "文"],
    ["词", "字", "詞", ""],
    ["", "1", "12", "\n3"],
    ["", "】", "]", "}", "｝", "］", "}}", " }}", "\u3000}}", "\n}}"]))).map("".join)
_TEXTS = st.lists(st.one_of(_MASKS, st.sampled_from(["关键", "词", "1", " ", "\n", "。", "文字", "【", "}"])),
                  max_size=8).map("".join)
_EXAMPLES = {  # read by hand: one mask of each pattern
    "bracketed-number": "【关键词1】", "bracketed": "[敏感词]", "template-variable": "{{ keyword2 }}",
    "keyword-number": "关键词12", "sensitive-number": "违禁词3",
}


def test_every_pattern_has_an_example_holding_its_literal():
    rows = _table_rows()
    assert {row["name"] for row in rows} == set(_EXAMPLES)
    for row in rows:
        example = _EXAMPLES[row["name"]]
        assert regex.fullmatch(row["pattern"], example), row["name"]
        assert any(literal in example for literal in row["contains"].split()), row["name"]


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_contains_column_holds_and_lines_find_what_the_whole_text_scan_finds(text):
    for row in _table_rows():
        literals = row["contains"].split()
        for match in regex.finditer(row["pattern"], text):
            assert "\n" not in match.group()
            assert any(literal in match.group() for literal in literals), (row["name"], match.group())
    tables = placeholders._load(None)
    assert tables.contains is not None  # every pattern lists its literals: the line search is used
    found = [(m.span(), m.lastindex) for m in placeholders._find_tokens(text, tables)]
    assert found == [(m.span(), m.lastindex) for m in tables.token_re.finditer(text)]


@pytest.mark.parametrize("text", ["{{\nkeyword}}", "{{keyword\n}}", "{{ 关键词1 \n}}", "【关键词\n1】", "关键词\n1"])
def test_a_mask_split_by_a_line_break_is_no_mask(text):
    for row in _table_rows():
        assert all("\n" not in m.group() for m in regex.finditer(row["pattern"], text)), row["name"]
    tables = placeholders._load(None)
    assert [m.group() for m in placeholders._find_tokens(text, tables)] == [m.group() for m in tables.token_re.finditer(text)]
