"""The de-spin stage on small tables written here (the shipped table has its own tests)."""

from __future__ import annotations

import shutil
from bisect import bisect_left, bisect_right
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from policyclean import despin
from policyclean.model import Config
from policyclean.spintable import Spinner, density, load_profile, without_han

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


# ----------------------------------------------------------------------------- fast paths against the plain formulation
# The gate and the restorer use C-level formulations (running sums, byte offsets, outcome
# ids); these are the plain per-line / per-match formulations they replaced, kept as references.


def reference_line_starts(text):
    starts = [0]
    pos = text.find("\n")
    while pos != -1 and pos + 1 < len(text):
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def reference_spans(text, profile, reach):
    spans = []
    for _, start, end in profile.scanner.tell_ac.find_matches_as_indexes(text):
        lo = text.rfind("\n", 0, max(0, start - reach)) + 1
        if spans and lo <= spans[-1][1]:
            if end <= spans[-1][1]:
                continue
            lo = spans.pop()[0]
        hi = text.find("\n", min(len(text), end + reach))
        spans.append((lo, len(text) if hi == -1 else hi + 1))
    return spans


def reference_score_lines(text, lo, hi, verdict, half, first_number):
    settings = verdict.profile.settings
    span = text[lo:hi]
    starts = reference_line_starts(span)
    counters = verdict.profile.scanner.per_line(span, starts)
    ends = [len(span) if span.find("\n", s) == -1 else span.find("\n", s) for s in starts]
    evidence = [verdict.profile.scanner.evidence(counts) for counts in counters]
    han = [len(full) - len(bare) for full, bare in zip(span.split("\n"), without_han(span).split("\n"))]
    sums = [(0.0, 0.0, 0, 0)]
    for (tw, aw, tc, _), line_han in zip(evidence, han):
        last = sums[-1]
        sums.append((last[0] + tw, last[1] + aw, last[2] + tc, last[3] + line_han))
    result = []
    for index, (start, end, (tw, aw, tc, ac), line_han) in enumerate(zip(starts, ends, evidence, han)):
        w_lo, w_hi = bisect_left(ends, start - half), bisect_right(starts, end + half)
        w_tw, w_aw, w_tc, w_han = (b - a for a, b in zip(sums[w_lo], sums[w_hi]))
        window_score = density(w_tw, w_aw, w_han)
        window_spun = window_score >= verdict.threshold and w_tc >= settings["min_tells"]
        score = density(tw, aw, line_han)
        restore = window_spun and (score > settings["paragraph_threshold"] or (tc == 0 and ac == 0))
        result.append({"line": first_number + index, "start": lo + start, "end": lo + end, "score": round(score, 2),
                       "window_score": round(window_score, 2), "tells": tc, "anti": ac, "restore": restore})
    return result


def reference_paragraphs(text, verdict, near_tells_only=True):
    half = int(verdict.profile.settings["window_chars"]) // 2
    spans = reference_spans(text, verdict.profile, 3 * half) if near_tells_only else [(0, len(text))]
    result, number, counted_to = [], 1, 0
    for lo, hi in spans:
        number += text.count("\n", counted_to, lo)
        counted_to = lo
        result.extend(reference_score_lines(text, lo, hi, verdict, half, number))
    return result


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\n", max_size=20))
def test_line_bounds_are_the_line_starts_and_ends(text):
    starts, ends = despin._line_bounds(text)
    assert starts == reference_line_starts(text) == despin._line_starts(text)
    assert ends == [len(text) if text.find("\n", s) == -1 else text.find("\n", s) for s in starts]


# text near and far from tells: forms of the test profile, clean words, line breaks, a character beyond U+FFFF
GATE_TEXT = st.lists(st.sampled_from(["我邦", "家当", "模子", "症结", "国", "在", "正在", "现在", "发展", "产业", "，",
                                      "2024", "\n", "\n", "𠀀", "技巧"]), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(GATE_TEXT, st.integers(0, 12), st.sampled_from([1.0, 2.0, 30.0]), st.sampled_from([0, 1, 2]))
def test_gate_lines_equal_the_plain_per_line_scoring(tables, text, window_chars, threshold, min_tells):
    profile = load_profile(tables / "despin" / "t")
    profile = replace(profile, settings={**profile.settings, "window_chars": window_chars, "min_tells": min_tells},
                      _scanner=None, _restorer=None)
    verdict = despin.Verdict(profile, 0.0, threshold, 0, 0, False)
    assert despin._spans_near_tells(text, profile, window_chars) == reference_spans(text, profile, window_chars)
    for near in (True, False):
        assert despin._paragraphs(text, verdict, near).to_dicts() == reference_paragraphs(text, verdict, near)


@settings(max_examples=100, deadline=None)
@given(cuts(), cuts())
def test_count_only_mode_makes_the_same_result_without_records(config, tables, clean, spun_part):
    text = clean + spin(tables, spun_part + ORIGINAL)
    full = despin.run(text, config, {})
    counted = despin.run(text, config.with_overrides(max_changes=0), {})
    assert counted.text == full.text and counted.data == full.data
    assert counted.summary == full.summary and counted.warnings == full.warnings
    assert counted.changes == () and counted.count == len(full.changes) > 0
    assert full.count is None


@settings(max_examples=200, deadline=None)
@given(GATE_TEXT, GATE_TEXT, st.integers(0, 12))
def test_residual_tells_are_found_in_the_scored_spans(tables, clean, spun_part, window_chars):
    """The stage counts the tells left after restoring in the new text of the scored spans
    only: the same tells, in the same order, as in the whole new text."""
    profile = load_profile(tables / "despin" / "t")
    profile = replace(profile, settings={**profile.settings, "window_chars": window_chars, "min_tells": 0},
                      _scanner=None, _restorer=None)
    text = clean + "\n" + spin(tables, spun_part) + "\n" + clean
    lines = despin._paragraphs(text, despin.Verdict(profile, 0.0, 0.0, 0, 0, False))
    done = despin.restore_counted(text, profile, despin._chunks(lines), record=False)
    assert done.new_text_of(text, [(0, len(text))]) == done.text

    def tells(t):
        return [(f, n) for f, n in profile.scanner.counts(t).items() if profile.scanner.tells[f].kind == "tell"]
    assert tells(done.new_text_of(text, lines.spans)) == tells(done.text)


@settings(max_examples=200, deadline=None)
@given(st.lists(GATE_TEXT, min_size=1, max_size=6), st.data())
def test_new_text_of_spans_is_the_new_text_of_their_lines(tables, paragraphs, data):
    """Restoring never touches a line break, so old line i is new line i: the new text of a
    span of lines is the new text of those lines."""
    profile = load_profile(tables / "despin" / "t")
    text = "\n".join(spin(tables, p).replace("\n", "") for p in paragraphs) + "\n"
    old_lines = text.splitlines(keepends=True)
    done = despin.restore_counted(text, profile, [(0, len(text))], record=False)
    new_lines = done.text.splitlines(keepends=True)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(old_lines)), max_size=6))))
    line_spans = list(zip(cuts[::2], cuts[1::2]))
    offset = [0]
    for line in old_lines:
        offset.append(offset[-1] + len(line))
    spans = [(offset[a], offset[b]) for a, b in line_spans]
    assert done.new_text_of(text, spans) == "".join("".join(new_lines[a:b]) for a, b in line_spans)


def reference_restore(text, profile, ranges):
    """The restorer's plain formulation: one tuple per match, pieces appended one by one."""
    from policyclean.model import Change
    from policyclean.spintable import Match, candidate_score, reference_ngrams, word_frequencies
    margin, window = float(profile.settings["margin"]), int(profile.settings["window"])
    pieces, changes, spots, pos = [], [], [], 0
    for lo, hi in ranges:
        for start, end, rows, originals in profile.restorer.scan_tuples(text, lo, hi):
            if start > pos:
                pieces.append(text[pos:start])
            spun = text[start:end]
            if len(originals) == 1:
                pieces.append(originals[0])
                if originals[0] != spun:
                    changes.append(Change(start, end, spun, originals[0], profile.rule(rows[0]), despin._why(rows[0])))
            else:
                candidates = list(originals) + ([spun] if spun not in originals else [])
                spots.append((len(pieces), despin.Spot(Match(start, end, rows, originals), spun, 0, candidates)))
                pieces.append(spun)
            pos = end
    if pos < len(text):
        pieces.append(text[pos:])
    ngrams, words = reference_ngrams(despin.profile_tables_dir(profile)), word_frequencies()
    weights = (float(profile.settings["ngram_weight"]), float(profile.settings["word_weight"]),
               float(profile.settings["prior_weight"]))
    scored = []
    for _round in (1, 2):
        progress = False
        for index, spot in spots:
            if spot.choice is not None:
                continue
            left = despin._neighbour(pieces, index - 1, -1, window)
            right = despin._neighbour(pieces, index + 1, 1, window)
            spot.scores = {c: candidate_score(c, left, right, ngrams, words, weights) for c in spot.candidates}
            ranked = sorted(spot.scores.items(), key=lambda kv: -kv[1])
            if ranked[0][1] - ranked[1][1] < margin:
                continue
            spot.choice, progress = ranked[0][0], True
            if spot.choice != spot.spun:
                pieces[index] = spot.choice
                entry = next(r for r in spot.match.rows if r.original == spot.choice)
                why = "scored: " + " > ".join(f"{c}{'(keep)' if c == spot.spun else ''} {v:.2f}" for c, v in ranked) \
                    + f" (margin {margin:g}; neighbours {left}_{right})"
                scored.append(Change(spot.match.start, spot.match.end, spot.spun, spot.choice, profile.rule(entry), why))
        if not progress:
            break
    changes = sorted(changes + scored, key=lambda c: c.start)
    return "".join(pieces), changes, [s for _, s in spots]


# spun text with the test table's ambiguous forms (范围 <- 规模/领域; after 家当/工业 context rows decide)
SPOTS_TEXT = st.lists(st.sampled_from(["范围", "范围", "家当", "工业", "产业", "发展", "技巧", "的", "，", "\n", "重点", "大"]),
                      max_size=50).map("".join)


@settings(max_examples=300, deadline=None)
@given(SPOTS_TEXT, st.sampled_from([0, 1, 2, 4]), st.sampled_from([0.0, 0.3, 5.0]))
def test_restore_equals_the_plain_restorer_with_its_scored_spots(tables, text, window, margin):
    profile = load_profile(tables / "despin" / "t")
    profile = replace(profile, settings={**profile.settings, "window": window, "margin": margin, "min_tells": 0},
                      _scanner=None, _restorer=None)
    ranges = despin._chunks(despin._paragraphs(text, despin.Verdict(profile, 0.0, -1e9, 0, 0, False),
                                                near_tells_only=False))
    new_text, changes, spots = despin.restore(text, profile, ranges)
    ref_text, ref_changes, ref_spots = reference_restore(text, profile, ranges)
    assert (new_text, changes) == (ref_text, ref_changes)
    assert [(s.match.start, s.match.end, s.match.rows, s.match.originals, s.spun, s.candidates, s.scores, s.choice)
            for s in spots] == [(s.match.start, s.match.end, s.match.rows, s.match.originals, s.spun, s.candidates,
                                 s.scores, s.choice) for s in ref_spots]
    done = despin.restore_counted(text, profile, ranges, record=False)
    assert done.text == new_text and done.changes == [] and done.made == len(changes)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(0, 5), st.sampled_from([0.0, 0.5, 2.25, 1e6, -3.0])),
                          st.one_of(st.integers(0, 5), st.sampled_from([0.0, 0.5, 1.75, 7.0])),
                          st.integers(0, 300)), max_size=12))
def test_densities_are_density_of_each_line(rows):
    from policyclean.spintable import density
    tw, aw, han = (list(c) for c in zip(*rows)) if rows else ([], [], [])
    got = despin._densities(tw, aw, han)
    expected = [density(t, a, h) for t, a, h in rows]
    assert got == expected and list(map(type, got)) == list(map(type, expected))


def test_tells_the_table_cannot_restore_are_reported_as_residual(tables, tmp_path):
    """A tell without a table row stays after restoring: counted and warned about (the stage
    looks for such tells with the cheap any_tell first, then counts them)."""
    root = tmp_path / "corrections"
    shutil.copytree(tables, root)
    with (root / "despin" / "t" / "tells.tsv").open("a", encoding="utf-8") as handle:
        handle.write("魔方\t3\ttell\tno table row\n")
    text = spin(tables, ORIGINAL).replace("供给", "魔方供给", 1) + "魔方魔方\n"
    result = despin.run(text, Config(tables_dir=str(root)), {})
    assert result.data["despin"]["residual_tells"] == {"魔方": 3}
    assert result.text == ORIGINAL.replace("供给", "魔方供给", 1) + "魔方魔方\n"
    assert any("魔方×3" in w for w in result.warnings)
