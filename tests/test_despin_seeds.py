"""The de-spin stage with the shipped tables, on the seeds."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings, strategies as st

from policyclean import despin, normalise
from policyclean.model import Config
from policyclean.spintable import Spinner, load_profiles

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EXPECTED = ROOT / "tests" / "expected" / "003.restored.txt"
CONFIG = Config()

pytestmark = pytest.mark.skipif(not (ROOT / "corrections" / "despin" / "thesaurus" / "table.tsv").exists(),
                                reason="the thesaurus table is not there yet")


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def normalised(prefix: str) -> str:
    text = seed(prefix)
    if prefix in ("002", "004"):
        text = opencc.OpenCC("t2s").convert(text)
    return normalise.run(text, CONFIG, {}).text


@pytest.fixture(scope="module")
def spun003() -> str:
    return normalised("003")


@pytest.mark.skipif(not EXPECTED.exists(), reason="no hand restoration of seed 003 yet")
def test_seed_003_restores_to_the_hand_restoration(spun003):
    result = despin.run(spun003, CONFIG, {})
    expected = EXPECTED.read_text(encoding="utf-8")
    assert result.text == expected
    data = result.data["despin"]
    assert data["profile"] == "thesaurus" and data["spun"]
    assert data["paragraphs_kept"] == [1, 2]  # the clickbait headline and the 发布日期 line
    assert data["unresolved"] == [] and data["residual_tells"] == {}
    # every change is at its place in the input and says which row made it
    for c in result.changes:
        assert spun003[c.start:c.end] == c.before and c.rule.startswith("despin/thesaurus/table.tsv:")


def test_seed_003_tells_are_gone_and_cycles_restored(spun003):
    text = despin.run(spun003, CONFIG, {}).text
    for tell in ("我邦", "家当", "模子", "呆板人", "怒放", "胀动", "太平牢靠", "工业和消息化部", "加好汉工智能", "领武士才", "智熟手机"):
        assert tell not in text, tell
    assert "关键核心技术" in text and "工业和信息化部等八部门" in text and "加强人工智能" in text


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_clean_seeds_pass_unchanged(prefix):
    text = normalised(prefix)
    result = despin.run(text, CONFIG, {})
    assert result.text == text and result.changes == ()
    assert not despin.score(text)["spun"]


def test_restored_output_is_left_alone(spun003):
    once = despin.run(spun003, CONFIG, {}).text
    twice = despin.run(once, CONFIG, {})
    assert twice.text == once and twice.changes == ()


def test_score_reports_per_paragraph(spun003):
    info = despin.score(spun003)
    assert info["spun"] and info["profile"] == "thesaurus" and info["score"] >= info["threshold"]
    paragraphs = info["profiles"]["thesaurus"]["paragraphs"]
    assert [p["restore"] for p in paragraphs[:3]] == [False, False, True]


# ----------------------------------------------------------------------------- properties on the real table

CLEAN_LINES = [l for p in ("000", "001", "002", "004") for l in normalised(p).splitlines() if l]
SPUN_LINES = [l for l in normalised("003").splitlines()[2:] if l]


def splice(lines):
    @st.composite
    def build(draw):
        pieces = []
        for _ in range(draw(st.integers(1, 4))):
            line = draw(st.sampled_from(lines))
            a = draw(st.integers(0, len(line)))
            b = draw(st.integers(a, len(line)))
            pieces.append(line[a:b])
        text = draw(st.sampled_from(["", "\n"])).join(pieces)
        text = "\n".join(l for l in text.split("\n") if l)
        return text + "\n" if text else ""
    return build()


@settings(max_examples=150, deadline=None)
@given(splice(CLEAN_LINES))
def test_identity_on_cuts_of_clean_seeds(text):
    result = despin.run(text, CONFIG, {})
    assert result.text == text and not result.changes


@settings(max_examples=150, deadline=None)
@given(splice(SPUN_LINES))
def test_idempotent_on_cuts_of_seed_003(text):
    once = despin.run(text, CONFIG, {})
    twice = despin.run(once.text, CONFIG, {})
    assert twice.text == once.text and not twice.changes


@settings(max_examples=100, deadline=None)
@given(splice(CLEAN_LINES))
def test_idempotent_on_simulated_spins_of_clean_text(text):
    profile = load_profiles(CONFIG, ["thesaurus"])[0]
    once = despin.run(Spinner(profile.entries).spin(text), CONFIG, {})
    twice = despin.run(once.text, CONFIG, {})
    assert twice.text == once.text and not twice.changes


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["核心", "重点", "中心", "技术", "的", "和", "我国"]), min_size=1, max_size=30).map("".join))
def test_cycle_restored_exactly_once_with_the_real_table(text):
    profile = load_profiles(CONFIG, ["thesaurus"])[0]
    spun = Spinner(profile.entries).spin(text)
    restored, _, _ = despin.restore(spun, profile, [(0, len(spun))])
    assert restored == text


def test_second_profile_is_chosen_for_its_own_family(spun003):
    original = "据介绍，专家表示，今年我国将推动人工智能产业发展，让人民群众受益，人才是关键。\n"
    profile = load_profiles(CONFIG, ["dongtanzhu"])[0]
    spun = Spinner(profile.entries).spin(original)
    assert "东谈主工智能" in spun and "暗示" in spun and "本年" in spun
    result = despin.run(spun, CONFIG, {})
    assert result.text == original and result.data["despin"]["profile"] == "dongtanzhu"
    # and seed 003 is still the thesaurus spinner's
    assert despin.run(spun003, CONFIG, {}).data["despin"]["profile"] == "thesaurus"
    # a profile can be chosen (or left out) by configuration
    assert despin.run(spun, CONFIG.with_overrides(despin_profiles=("thesaurus",)), {}).text == spun


def test_spun_article_inside_a_long_clean_file_is_restored_and_the_clean_parts_are_not():
    """The gate judges neighbourhoods, so one spun article among many clean ones is found."""
    from policyclean import normalise, script

    config = Config()

    def prepared(name: str) -> str:
        text = normalise.run((SEEDS / name).read_text(encoding="utf-8"), config, {}).text
        return script.run(text, config, {}).text

    clean_parts = [prepared(n) for n in ("000_98647be4b4f94998.txt", "001_c9f7ed731d385643.txt",
                                         "002_f98fe54d3787eb79.txt", "004_12ff21ec68cac506.txt")]
    spun = prepared("003_3f0afe50fd1fbd10.txt")
    restored = despin.run(spun, config, {}).text
    text = "".join(clean_parts * 3) + spun + "".join(clean_parts * 3)
    result = despin.run(text, config, {})
    assert result.text == "".join(clean_parts * 3) + restored + "".join(clean_parts * 3)


def test_metadata_read_from_a_spun_text_is_restored_too():
    import policyclean

    result = policyclean.clean((SEEDS / "003_3f0afe50fd1fbd10.txt").read_bytes())
    assert result.metadata["title"] == "“人工智能+制造”专项行动实施意见"
    assert result.metadata["date"] == "2026-01-07"
