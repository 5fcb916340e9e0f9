"""pinyin: tone-marked pinyin glued after characters is removed; ordinary parentheses stay."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import pinyin
from policyclean.model import Config

CONFIG = Config()


def clean(text: str) -> str:
    return pinyin.run(text, CONFIG, {}).text


@pytest.mark.parametrize("raw, expected", [
    ("工業(yè)和信息化部", "工業和信息化部"),
    ("發(fā)布會(huì)", "發布會"),
    ("工業（yè）和信息化部", "工業和信息化部"),            # full-width parentheses
    ("中國(zhōng guó)製造", "中國製造"),                   # syllables separated by a space
    ("工(gōng)(gōng)人", "工人"),                          # consecutive groups in one pass
    ("綠(lǜ)色", "綠色"),
    ("業(ye\u0300)務", "業務"),                            # ASCII letter + combining grave
    ("業(Yè)務", "業務"),                                   # capitalised
    ("業(yè)(SoC)", "業(SoC)"),                            # only the pinyin part goes
])
def test_removed(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("text", [
    "高端系统级芯片(SoC)及", "智能计算芯片(GPU)", "(一)人工智能手机", "行动方案(2025—2027年)",
    "航空器(eVTOL)等", "智能体(Agent)", "一人公司(OPC)", "人工智能(AI)+", "指令集(RISC-V)架构",
    "的(de)",                     # no tone mark: never removed
    "甚(shén me)",                # one syllable without a tone mark: the group stays
    "咖啡(café)",                  # a tone-marked letter, but not a pinyin syllable
    "Agent(yè)",                  # not after a Han character
    "業 (yè)",                    # not directly after it
    "（一）人工智能手机",
])
def test_kept(text):
    result = pinyin.run(text, CONFIG, {})
    assert result.text == text and not result.changes


def test_change_report():
    result = pinyin.run("發(fā)布會(huì)", CONFIG, {})
    assert [(c.start, c.end, c.before, c.after, c.rule) for c in result.changes] == [
        (1, 5, "(fā)", "", "pinyin"), (7, 12, "(huì)", "", "pinyin")]
    assert "發" in result.changes[0].why


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("工業發布(（)）yèāhuì gōngSoC 的de")), max_size=40))
def test_idempotent(text):
    once = clean(text)
    assert clean(once) == once


def _removals_without_the_cheap_test(text: str) -> list[tuple[int, int]]:
    """(start, end) of every group run removes, found without run's cheap test first."""
    table = pinyin._load(str(pinyin.tables_dir(None)))
    return [(m.start(), m.start() + n) for m in table.group_re.finditer(text)
            if (n := pinyin._pinyin_prefix(m.group(), table))]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["業", "中", "a", "ye", "yè", "e\u0300", "ā", "Yè", "guó", "(", ")", "（", "）",
                                 " ", "x", "SoC", "\n", "1"]), max_size=14).map("".join))
def test_cheap_test_misses_nothing(text):
    # run's first test says "nothing to do" only when the full search finds nothing either
    table = pinyin._load(str(pinyin.tables_dir(None)))
    removals = _removals_without_the_cheap_test(text)
    if not any(pattern.search(text) for pattern in table.marked_group_res):
        assert removals == []
    assert [(c.start, c.end) for c in pinyin.run(text, CONFIG, {}).changes] == removals


def test_cheap_test_sees_a_marked_first_token():
    table = pinyin._load(str(pinyin.tables_dir(None)))
    assert any(p.search("發( fā)") for p in table.marked_group_res)
    assert any(p.search("業（ye\u0300）") for p in table.marked_group_res)
    assert not any(p.search("(SoC) é") for p in table.marked_group_res)  # a mark, but not in a group's first token
