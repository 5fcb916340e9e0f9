"""The seeds end to end, against outputs written and checked by hand (tests/expected/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyclean

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {path.name[:3]: path for path in (ROOT / "seeds").glob("*.txt")}
EXPECTED = ROOT / "tests" / "expected"
CASES = sorted(
    (number, keep)
    for number in SEEDS
    for keep in ("article", "document")
    if (EXPECTED / f"{number}.{keep}.txt").exists()
)


@pytest.mark.parametrize("number,keep", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_seed_output_matches_the_hand_checked_text(number, keep):
    result = policyclean.clean(SEEDS[number].read_bytes(), keep=keep)
    want = (EXPECTED / f"{number}.{keep}.txt").read_text(encoding="utf-8")
    got_lines, want_lines = result.text.splitlines(), want.splitlines()
    for index, (got, wanted) in enumerate(zip(got_lines, want_lines), start=1):
        assert got == wanted, f"line {index} differs"
    assert len(got_lines) == len(want_lines)
    assert result.text == want


ENCODINGS = ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "big5"]


@pytest.mark.parametrize("number", sorted(SEEDS))
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_gives_the_utf8_output(number, encoding):
    text = SEEDS[number].read_text(encoding="utf-8")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"seed {number} has characters {encoding} cannot encode")
    assert policyclean.clean(data).text == policyclean.clean(text.encode("utf-8")).text


def test_seed_002_metadata_and_placeholder_evidence():
    result = policyclean.clean(SEEDS["002"].read_bytes())
    assert result.metadata["doc_number"] == "苏政发〔2025〕108号"
    assert result.metadata["date"] == "2025-12-29"
    assert result.metadata["issuer"] == "江苏省人民政府"
    assert "关键词1" not in result.text
    placeholders = result.facts["placeholders"]
    assert placeholders and placeholders[0]["replacement"] == "江苏"
    assert "苏政发" in str(placeholders[0]["evidence"])
    removed = [item for item in result.removed if item["stage"] == "metadata"]
    assert len(removed) == 6


def test_seed_000_report_names_each_removed_line_and_rule():
    result = policyclean.clean(SEEDS["000"].read_bytes())
    removed = {item["text"]: item["rule"] for item in result.removed}
    for chrome in ("1194", "THE END", "关闭", "加载", "PDF 加载中...", "责编: 赵碧莹"):
        assert chrome in removed and removed[chrome]
    assert "2025年12月19日" in result.text
