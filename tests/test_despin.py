"""The de-spin stage on small tables written here (the shipped table has its own tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from policyclean import despin
from policyclean.model import Config
from policyclean.spintable import Spinner, load_profile

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "corrections" / "despin" / "reference"

# pairs from the issue: spinner product -> original (a small table in the agreed format)
TABLE = """\
# a test table
spun\toriginal\tleft\tright\tkind\tstatus\tevidence\tnote
我邦\t我国\t\t\tword\tapproved\t003:7\t
邦\t国\t\t\tchar\tapproved\t\t国 is always rewritten
家当\t产业\t\t\tword\tapproved\t\t
模子\t模型\t\t\tword\tapproved\t\t
呆板人\t机器人\t\t\tword\tapproved\t\t
怒放\t开放\t\t\tword\tapproved\t\t
胀动\t推动\t\t\tword\tapproved\t\t
推动\t推进\t\t\tword\tapproved\t\t
重点\t核心\t\t\tword\tapproved\t\t cycle
中心\t重点\t\t\tword\tapproved\t\t cycle
核心\t中心\t\t\tword\tapproved\t\t cycle
消息\t信息\t\t\tword\tapproved\t\t
部分\t部门\t\t\tword\tapproved\t\t
好汉\t强人\t\t\tword\tapproved\t\t
太平\t安全\t\t\tword\tapproved\t\t
牢靠\t可靠\t\t\tword\tapproved\t\t
症结\t关键\t\t\tword\tapproved\t\t
技巧\t技术\t\t\tword\tapproved\t\t
范围\t规模\t家当\t\tword\tapproved\t\t
范围\t领域\t工业\t\tword\tapproved\t\t
范围\t规模\t\t\tword\tapproved\t\t
范围\t领域\t\t\tword\tapproved\t\t
正在\t在\t\t\tword\tapproved\t\t
运用\t应用\t\t\tword\tapproved\t\t
水准\t水平\t\t\tword\tapproved\t\t
产业\t产业\t\t\tprotect\tproposed\t\t not used
"""

TELLS = """\
form\tweight\tkind\tnote
我邦\t3\ttell\t
家当\t2\ttell\t
模子\t2\ttell\t
呆板人\t3\ttell\t
怒放\t2\ttell\t
胀动\t3\ttell\t
症结\t2\ttell\t
太平牢靠\t3\ttell\t
好汉工\t3\ttell\t
国\t1\tanti\t
关\t1\tanti\t
在\t1\tanti\t
正在\t0\texcept\t
现在\t0\texcept\t
"""

SETTINGS = "name\tvalue\tnote\nthreshold\t2\t\nparagraph_threshold\t0\t\nmin_tells\t2\t\nmargin\t0.3\t\nwindow\t4\t\n"


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corrections")
    profile = root / "despin" / "t"
    profile.mkdir(parents=True)
    (profile / "table.tsv").write_text(TABLE, encoding="utf-8")
    (profile / "tells.tsv").write_text(TELLS, encoding="utf-8")
    (profile / "settings.tsv").write_text(SETTINGS, encoding="utf-8")
    shutil.copytree(REFERENCE, root / "despin" / "reference")
    return root


@pytest.fixture(scope="module")
def config(tables) -> Config:
    return Config(tables_dir=str(tables))


def spin(tables: Path, text: str) -> str:
    return Spinner(load_profile(tables / "despin" / "t").entries).spin(text)


def apply_changes(text, changes):
    out, pos = [], 0
    for c in sorted(changes, key=lambda c: c.start):
        assert text[c.start:c.end] == c.before
        out.append(text[pos:c.start])
        out.append(c.after)
        pos = c.end
    return "".join(out) + text[pos:]


ORIGINAL = ("到2027年，我国人工智能关键核心技术实现安全可靠供给，产业规模和赋能水平稳居全球前列。\n"
            "推动3-5个通用大模型在制造业深度应用，推进工业机器人和开放生态，加强人工智能与信息技术融合。\n")


def test_restores_a_spun_text_exactly(config, tables):
    spun = spin(tables, ORIGINAL)
    assert "我邦" in spun and "家当范围" in spun and "加好汉工智能" in spun and "胀动" in spun
    result = despin.run(spun, config, {})
    assert result.text == ORIGINAL
    assert apply_changes(spun, result.changes) == ORIGINAL
    c = next(c for c in result.changes if c.before == "我邦")
    assert c.rule == "despin/t/table.tsv:3" and spun[c.start:c.end] == "我邦"
    data = result.data["despin"]
    assert data["spun"] and data["profile"] == "t" and data["paragraphs_restored"] == [1, 2]
    assert data["unresolved"] == [] and result.warnings == ()
    assert "restored" in result.summary and "profile t" in result.summary


def test_context_row_decides_ambiguous_form(config, tables):
    spun = spin(tables, "我国产业规模扩大，工业领域加强，我国我国。\n")
    assert "家当范围" in spun and "工业范围" in spun
    result = despin.run(spun, config, {})
    assert result.text == "我国产业规模扩大，工业领域加强，我国我国。\n"
    assert "context 家当[范围]" in next(c.why for c in result.changes if c.after == "规模")


def test_unresolved_spot_is_left_and_reported(config):
    text = "我邦家当太平牢靠胀动，某范围呆板人。\n"
    result = despin.run(text, config, {})
    data = result.data["despin"]
    spots = data["unresolved"] + data["resolved"]
    assert [s["spun"] for s in spots] == ["范围"]
    if data["unresolved"]:
        assert "范围" in result.text
        assert len(result.warnings) == 1 and "范围×1" in result.warnings[0]
        assert set(data["unresolved"][0]["candidates"]) == {"规模", "领域", "范围"}


def test_unspun_headline_of_spun_document_is_kept(config, tables):
    headline = "利好!八部门联合发布关于在中国推动的通知\n"
    spun = spin(tables, ORIGINAL)
    result = despin.run(headline + spun, config, {})
    assert result.text == headline + ORIGINAL
    assert result.data["despin"]["paragraphs_kept"] == [1]


@pytest.mark.parametrize("name", sorted(p.name for p in REFERENCE.glob("*.txt")))
def test_clean_reference_text_is_unchanged(config, name):
    text = (REFERENCE / name).read_text(encoding="utf-8")
    result = despin.run(text, config, {})
    assert result.text == text and result.changes == ()


def test_no_tell_is_the_cheap_exit(config):
    result = despin.run("推动产业发展，中心工作重点。\n", config, {})
    assert result.text == "推动产业发展，中心工作重点。\n" and result.data == {} and result.changes == ()


def test_threshold_override(config, tables):
    spun = spin(tables, ORIGINAL)
    high = config.with_overrides(despin_threshold=1000.0)
    result = despin.run(spun, high, {})
    assert result.text == spun and result.data["despin"]["spun"] is False
    assert result.data["despin"]["threshold"] == 1000.0


def test_despin_off_profiles_and_empty(config):
    assert despin.run("", config, {}).text == ""


def test_score_for_detect(config, tables):
    spun = spin(tables, ORIGINAL)
    info = despin.score(spun, config)
    assert info["spun"] and info["profile"] == "t" and info["score"] >= info["threshold"]
    paragraphs = info["profiles"]["t"]["paragraphs"]
    assert [p["line"] for p in paragraphs] == [1, 2] and all(p["restore"] for p in paragraphs)
    clean = despin.score(ORIGINAL, config)
    assert not clean["spun"] and clean["profile"] == "t" and clean["score"] < 0


# ----------------------------------------------------------------------------- properties

CYCLE = st.lists(st.sampled_from(["核心", "重点", "中心", "的", "和", "发展", "在"]), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(CYCLE)
def test_cycle_restored_exactly_once(tables, text):
    profile = load_profile(tables / "despin" / "t")
    spun = Spinner(profile.entries).spin(text)
    restored, changes, spots = despin.restore(spun, profile, [(0, len(spun))])
    assert restored == text
    assert not spots


def _clean_lines():
    lines = []
    for p in sorted(REFERENCE.glob("*.txt")):
        lines.extend(p.read_text(encoding="utf-8").splitlines())
    return [l for l in lines if l]


CLEAN = _clean_lines()


@st.composite
def cuts(draw):
    """A splice of random pieces of the clean reference lines."""
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        line = draw(st.sampled_from(CLEAN))
        a = draw(st.integers(0, len(line)))
        b = draw(st.integers(a, len(line)))
        pieces.append(line[a:b])
    glue = draw(st.sampled_from(["", "\n"]))
    text = glue.join(pieces).strip("\n")
    return "\n".join(l for l in text.split("\n") if l) + "\n" if text.strip() else ""


@settings(max_examples=200, deadline=None)
@given(cuts())
def test_identity_on_clean_cuts(config, text):
    result = despin.run(text, config, {})
    assert result.text == text and not result.changes


@settings(max_examples=200, deadline=None)
@given(cuts())
def test_idempotent_on_restored_output(config, tables, text):
    spun = spin(tables, text)
    once = despin.run(spun, config, {})
    assert apply_changes(spun, once.changes) == once.text
    twice = despin.run(once.text, config, {})
    assert twice.text == once.text and not twice.changes
