"""The metadata stage: the portal table parsed and taken out, the facts the text states.

Expected values were read off the seed files by hand (seeds/002 lines 1–6 are the table).
Inputs are prepared as the pipeline hands them to this stage: one paragraph per line,
no indentation or blank lines, Traditional converted to Simplified (OpenCC t2s).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import metadata
from policyclean.model import Config
from seedtext import prepared

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONFIG = Config()


SEED_000 = "000_98647be4b4f94998.txt"
SEED_001 = "001_c9f7ed731d385643.txt"
SEED_002 = "002_f98fe54d3787eb79.txt"
SEED_003 = "003_3f0afe50fd1fbd10.txt"
SEED_004 = "004_12ff21ec68cac506.txt"

TABLE_002 = [
    "| 索 引 号: | 014000319/2025-00326 | 分 类: | 政府文件 科技、教育 通知 |",
    "| 发 布 机 构: | 关键词1省人民政府 | 发 文 日 期: | 2025-12-29 |",
    "| 标 题: | 省政府关于印发关键词1省“人工智能+”行动方案的通知 | 主 题 词: | |",
    "| 文 号: | 苏政发〔2025〕108号 | ||",
    "| 内 容 概 述: | 省政府关于印发关键词1省“人工智能+”行动方案的通知 | ||",
    "| 时 效: |",
]
TITLE_002 = "省政府关于印发关键词1省“人工智能+”行动方案的通知"


def test_seed_002_table_parsed_and_removed():
    text = prepared(SEED_002)
    lines = text.split("\n")
    assert lines[:6] == TABLE_002  # the input as the stage sees it
    result = metadata.run(text, CONFIG, {})
    meta = result.data["metadata"]
    assert meta["index_number"] == "014000319/2025-00326"
    assert meta["category"] == "政府文件 科技、教育 通知"
    assert meta["issuer"] == "关键词1省人民政府"  # the placeholders stage makes it 江苏省人民政府
    assert meta["date"] == "2025-12-29"
    assert meta["title"] == TITLE_002
    assert meta["doc_number"] == "苏政发〔2025〕108号"
    assert meta["summary"] == TITLE_002
    assert "subject_terms" not in meta and "validity" not in meta  # empty cells give no value
    assert set(meta["sources"].values()) == {"table"}
    # exactly the six table lines are gone; every body line stays, in order
    assert result.text == "\n".join(lines[6:])
    assert [c.before for c in result.changes] == [line + "\n" for line in TABLE_002]
    assert all(c.after == "" for c in result.changes)
    assert [text[c.start:c.end] for c in result.changes] == [c.before for c in result.changes]
    removed = result.data["removed"]
    assert [(r["stage"], r["line"], r["text"]) for r in removed] == [
        ("metadata", n, line) for n, line in enumerate(TABLE_002, start=1)]
    assert removed[0]["rule"].startswith("metadata/fields.tsv:")
    assert not result.warnings


def test_seed_002_second_pass_reads_the_facts_from_the_text():
    first = metadata.run(prepared(SEED_002), CONFIG, {})
    second = metadata.run(first.text, CONFIG, {})
    assert second.text == first.text and not second.changes
    meta = second.data["metadata"]
    assert meta["doc_number"] == "苏政发〔2025〕108号"  # line `(苏政发〔2025〕108号)`
    assert meta["issuer"] == "关键词1省人民政府"  # signature line above `2025年12月29日`
    assert meta["date"] == "2025-12-29"
    assert meta["title"] == TITLE_002  # the heading split over two lines, joined
    assert set(meta["sources"].values()) == {"text"}
    assert meta["text_lines"] == {"doc_number": 3, "issuer": 6, "date": 7, "title": 1}


@pytest.mark.parametrize("name, expected", [
    # 000: the 《…》 the lead names; the document's date line 71 `2025年12月19日`
    (SEED_000, {"title": "关于加快人工智能终端产业发展的实施意见", "date": "2025-12-19"}),
    # 001: the 《…》 of line 1, the consultation draft; no date, no signature
    (SEED_001, {"title": "重庆市人工智能赋能制造业高质量发展行动方案(2025—2027年)(征求意见稿)"}),
    # 003: `发布日期: 2026-01-07`; the title as the (still spun) lead names it
    (SEED_003, {"title": "“人工智能+创设”专项活跃奉行观点", "date": "2026-01-07", "published": "2026-01-07"}),
    # 004: the heading line 6 and its line 7 `(2025—2027年)`; the lead has 5月23日 without a year
    (SEED_004, {"title": "天津市促进人工智能创新发展行动方案(2025—2027年)"}),
])
def test_seeds_without_table_facts_from_the_text_and_text_unchanged(name, expected):
    text = prepared(name)
    result = metadata.run(text, CONFIG, {})
    assert result.text == text and not result.changes and "removed" not in result.data
    meta = dict(result.data["metadata"])
    meta.pop("text_lines")
    assert set(meta.pop("sources").values()) == {"text"}
    assert meta == expected


def test_label_value_lines_at_the_head():
    text = ("索引号：000014349/2025-00123\n主题分类：科技、教育\n发文机关：国务院办公厅\n"
            "成文日期：2025年08月21日\n标题：国务院办公厅关于深入实施“人工智能+”行动的意见\n"
            "发文字号：国办发〔2025〕33号\n发布日期：2025年08月26日\n"
            "国务院办公厅关于深入实施“人工智能+”行动的意见\n各省、自治区、直辖市人民政府：\n")
    result = metadata.run(text, CONFIG, {})
    assert result.text == "国务院办公厅关于深入实施“人工智能+”行动的意见\n各省、自治区、直辖市人民政府：\n"
    assert len(result.changes) == 7
    meta = result.data["metadata"]
    assert meta["index_number"] == "000014349/2025-00123"
    assert meta["category"] == "科技、教育"
    assert meta["issuer"] == "国务院办公厅"
    assert meta["date"] == "2025-08-21"  # 成文日期: the document's date
    assert meta["published"] == "2025-08-26"  # 发布日期: the page's
    assert meta["doc_number"] == "国办发〔2025〕33号"


def test_tab_separated_and_chinese_colon_rows():
    text = ("索 引 号：\t014000319/2025-00326\t分 类：\t政府文件\n"
            "发布机构：\t江苏省人民政府\t发文日期：\t2025-12-29\n"
            "文号：苏政发〔2025〕108号\n正文第一段。\n")
    result = metadata.run(text, CONFIG, {})
    assert result.text == "正文第一段。\n"
    assert result.data["metadata"]["issuer"] == "江苏省人民政府"
    assert result.data["metadata"]["doc_number"] == "苏政发〔2025〕108号"


def test_second_pass_punctuation_is_accepted():
    # cleaned text has Chinese punctuation: （苏政发〔2025〕108号）, 发布日期：
    text = "发布日期：2026-01-07\n（苏政发〔2025〕108号）\n正文。\n"
    meta = metadata.run(text, CONFIG, {}).data["metadata"]
    assert meta["date"] == "2026-01-07" and meta["doc_number"] == "苏政发〔2025〕108号"


def test_traditional_table_when_t2s_is_off():
    text = "| 索 引 號: | 1 | 分 類: | 通知 |\n| 發 布 機 構: | 某省人民政府 | 發 文 日 期: | 2025-12-29 |\n正文。\n"
    result = metadata.run(text, CONFIG, {})
    assert result.text == "正文。\n" and result.data["metadata"]["date"] == "2025-12-29"


@pytest.mark.parametrize("text", [
    # two labels only: not evidence of a table
    "发布日期: 2026-01-07\n来源：新华社\n正文第一段。\n",
    # a label block that is not at the head stays (a body line is never removed)
    "".join(f"第{i}段正文。\n" for i in range(10)) + "索引号：1\n分类：通知\n文号：苏政发〔2025〕1号\n",
    # a body row of a real table inside the document
    "一、表格\n| 项目 | 金额 |\n| 合计 | 100 |\n",
])
def test_no_table_no_removal(text):
    result = metadata.run(text, CONFIG, {})
    assert result.text == text and not result.changes


def test_table_disagreeing_with_the_text_warns_and_keeps_the_table():
    text = ("| 索 引 号: | 1 | 分 类: | 通知 |\n| 文 号: | 苏政发〔2025〕108号 | 发文日期: | 2025-12-29 |\n"
            "某某通知\n(苏政发〔2025〕107号)\n正文。\n")
    result = metadata.run(text, Config(source="x.txt"), {})
    assert result.data["metadata"]["doc_number"] == "苏政发〔2025〕108号"
    assert result.warnings and "107" in result.warnings[0] and result.warnings[0].startswith("x.txt: ")


@pytest.mark.parametrize("line, number", [
    ("苏政发〔2025〕108号", "苏政发〔2025〕108号"),
    ("(津政办发[2025]12号)", "津政办发[2025]12号"),
    ("【渝府发【2025】3号】", "渝府发【2025】3号"),
    ("京政发(2024)第5号", "京政发(2024)第5号"),
    ("（国办发〔2025〕33号）", "国办发〔2025〕33号"),
])
def test_document_number_bracket_variants(line, number):
    assert metadata.find_doc_number([line]) == (number, 0)


@pytest.mark.parametrize("value, iso", [
    ("2025年12月29日", "2025-12-29"),
    ("2025 年 1 月 7 日", "2025-01-07"),
    ("2026-01-07", "2026-01-07"),
    ("2025/5/23", "2025-05-23"),
    ("二〇二五年十二月二十九日", "2025-12-29"),
    ("二〇二六年一月七日", "2026-01-07"),
    ("二〇二五年十月三十一日", "2025-10-31"),
    ("2025年13月1日", None),
    ("5月23日", None),
])
def test_parse_date(value, iso):
    assert metadata.parse_date(value) == iso


def test_signature_with_two_issuers():
    body = "".join(f"第{i}条正文内容。\n" for i in range(30))
    text = "关于推进某项工作的通知\n" + body + "江苏省工业和信息化厅\n江苏省发展和改革委员会\n二〇二五年十二月十九日\n"
    meta = metadata.run(text, CONFIG, {}).data["metadata"]
    assert meta["issuer"] == "江苏省工业和信息化厅、江苏省发展和改革委员会"
    assert meta["date"] == "2025-12-19"
    assert meta["title"] == "关于推进某项工作的通知"


def test_empty_and_clean_text_unchanged():
    assert metadata.run("", CONFIG, {}).text == ""
    text = "今天天气很好。\n我们去公园散步。\n"
    result = metadata.run(text, CONFIG, {})
    assert result.text == text and not result.changes and not result.data


# --- properties -------------------------------------------------------------------------

_BODY = [line for line in prepared(SEED_000).split("\n")[4:30] if line]
_LABEL_LINES = ["索引号：014000319/2025-00326", "分类：通知", "发布机构：江苏省人民政府",
                "发文日期：2025-12-29", "文号：苏政发〔2025〕108号"]


@settings(max_examples=150, deadline=None)
@given(table=st.sampled_from([[], TABLE_002, _LABEL_LINES, TABLE_002[:1], _LABEL_LINES[:2], _LABEL_LINES[1:3]]),
       body=st.lists(st.sampled_from(_BODY), min_size=1, max_size=12))
def test_idempotent_and_body_kept(table, body):
    text = "".join(line + "\n" for line in table + body)
    first = metadata.run(text, CONFIG, {})
    # the body always survives whole; only a head block of ≥3 labels goes, or of 2 with 索引号
    assert first.text.endswith("".join(line + "\n" for line in body))
    if table in (TABLE_002, _LABEL_LINES, TABLE_002[:1], _LABEL_LINES[:2]):
        assert first.text == "".join(line + "\n" for line in body)
    else:
        assert first.text == text
    second = metadata.run(first.text, CONFIG, {})
    assert second.text == first.text and not second.changes


def test_a_headline_that_looks_like_a_heading_yields_to_the_named_one():
    text = ("天津发布人工智能行动方案\n近日，天津市印发《天津市促进人工智能创新发展行动方案》。\n"
            "天津市促进人工智能创新发展行动方案\n为贯彻落实……制定本方案。\n")
    assert metadata.run(text, CONFIG, {}).data["metadata"]["title"] == "天津市促进人工智能创新发展行动方案"


def test_news_publication_time_label():
    text = "某某新闻标题\n发布时间：2025-12-19 10:30\n正文。\n"
    meta = metadata.run(text, CONFIG, {}).data["metadata"]
    assert meta["published"] == "2025-12-19" and meta["date"] == "2025-12-19"


def test_a_single_portal_line_with_the_index_number_is_a_table():
    """Held-out web pages: 索引号 with one more label on one line is a portal's metadata."""
    text = "索引号：11530000MB0123456X/2026-00041 主题分类：国民经济计划\n某某规划\n正文第一段。\n"
    result = metadata.run(text, CONFIG, {})
    assert result.text == "某某规划\n正文第一段。\n"
    assert result.data["metadata"]["index_number"] == "11530000MB0123456X/2026-00041"


def test_a_law_database_row_is_a_table_and_its_dates_are_iso():
    text = "效力级别：设区的市地方性法规 | 时效性：现行有效 | 公布日期：2026.01.28 | 施行日期：2026.03.01\n某某条例\n第一条 正文。\n"
    result = metadata.run(text, CONFIG, {})
    assert result.text == "某某条例\n第一条 正文。\n"
    meta = result.data["metadata"]
    assert (meta["level"], meta["validity"], meta["date"], meta["effective"]) == \
        ("设区的市地方性法规", "现行有效", "2026-01-28", "2026-03-01")


@pytest.mark.parametrize("text", [
    "效力级别：地方政府规章\n某某办法\n正文。\n",  # one label, strong or not, is no table
    "发布机构：某某局 | 来源：某某网\n正文第一段。\n",  # two ordinary labels
])
def test_one_strong_label_or_two_ordinary_ones_are_no_table(text):
    result = metadata.run(text, CONFIG, {})
    assert result.text == text and not result.changes


def test_a_stray_cell_between_rows_goes_with_the_table():
    """Found by hypothesis: a bare "0" between two rows used to end the table; boilerplate then
    removed the "0" and a second pass found the (bigger) table: not idempotent."""
    text = "索引号：1\n0\n分类：通知\n文号：苏政发〔2025〕1号\n正文第一段。\n"
    result = metadata.run(text, CONFIG, {})
    assert result.text == "正文第一段。\n"
    assert [r["text"] for r in result.data["removed"]] == ["索引号：1", "0", "分类：通知", "文号：苏政发〔2025〕1号"]
    # a stray line after the last row is not the table's
    text = "索引号：1\n分类：通知\n文号：苏政发〔2025〕1号\n2025\n正文第一段。\n"
    assert metadata.run(text, CONFIG, {}).text == "2025\n正文第一段。\n"


def test_a_second_table_below_the_first_goes_too():
    """Found by hypothesis: only the first block went, and a second pass found the next one."""
    text = "索引号|分类\n一\n索引号：0|分类：1\n正文第一段。\n"
    result = metadata.run(text, CONFIG, {})
    assert result.text == "一\n正文第一段。\n"
    assert metadata.run(result.text, CONFIG, {}).text == result.text


def test_a_law_database_block_with_bracketed_labels():
    """Held-out page: 【发布部门】… lines (the label in 【】, no colon) are a law database's table."""
    text = ("【发布部门】云峡市人民政府\n【发文字号】云政规〔2025〕6号\n【发布日期】2025.09.20\n"
            "【时效性】现行有效　【效力级别】地方规范性文件\n云峡市公共数据开放管理办法\n第一条 正文。\n")
    result = metadata.run(text, CONFIG, {})
    assert result.text == "云峡市公共数据开放管理办法\n第一条 正文。\n"
    meta = result.data["metadata"]
    assert (meta["issuer"], meta["doc_number"], meta["level"]) == ("云峡市人民政府", "云政规〔2025〕6号", "地方规范性文件")
