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
