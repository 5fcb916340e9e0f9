"""The de-spin table: loading, validation, and the matcher against a slow reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from policyclean.errors import TableError
from policyclean.spintable import (Entry, Restorer, TellScanner, Tell, candidate_score, load_profile,
                                   load_profiles, parse_settings, parse_table, parse_tells)

HEADER = "spun\toriginal\tleft\tright\tkind\tstatus\tevidence\tnote\n"


def entry(spun, original, left="", right="", kind="word", status="approved", line=1):
    return Entry(spun, original, left, right, kind, status, "", "", Path("table.tsv"), line)


def reference_scan(text, entries, lo=0, hi=None):
    """The documented rule, position by position: slow and obviously right."""
    hi = len(text) if hi is None else hi
    rows = {}
    for e in entries:
        if e.status == "approved":
            rows.setdefault(e.spun, []).append(e)
    out = []
    p = lo
    while p < hi:
        hit = None
        for length in range(max((len(k) for k in rows), default=0), 0, -1):
            key = text[p:p + length]
            if p + length > hi or key not in rows:
                continue
            ok = [r for r in rows[key]
                  if (not r.left or (p - len(r.left) >= lo and text[p - len(r.left):p] == r.left))
                  and (not r.right or (p + length + len(r.right) <= hi and text[p + length:p + length + len(r.right)] == r.right))]
            if ok:
                best = max(r.context_len for r in ok)
                hit = (p, p + length, tuple(sorted({r.original for r in ok if r.context_len == best})))
                break
        if hit:
            out.append(hit)
            p = hit[1]
        else:
            p += 1
    return out


def engine_scan(text, entries, lo=0, hi=None):
    return [(m.start, m.end, tuple(sorted(set(m.originals)))) for m in Restorer(entries).scan(text, lo, hi)]


# ----------------------------------------------------------------------------- the matcher


def test_cycle_is_one_pass():
    table = [entry("重点", "核心"), entry("中心", "重点"), entry("核心", "中心")]
    assert [m[2][0] for m in engine_scan("中心重点核心", table)] == ["重点", "核心", "中心"]


def test_longest_wins_and_protect_shields():
    table = [entry("强人", "人"), entry("加强人", "加强人", kind="protect"), entry("好汉", "强人")]
    assert engine_scan("加强人好汉", table) == [(0, 3, ("加强人",)), (3, 5, ("强人",))]


def test_context_is_looked_at_not_consumed():
    # the left context 家当 is itself restored by its own entry
    table = [entry("家当", "产业"), entry("范围", "规模", left="家当"), entry("范围", "领域", left="工业")]
    assert engine_scan("家当范围工业范围范围", table) == [(0, 2, ("产业",)), (2, 4, ("规模",)), (6, 8, ("领域",))]


def test_more_context_wins():
    table = [entry("范围", "规模"), entry("范围", "领域", left="工业")]
    assert engine_scan("工业范围", table) == [(2, 4, ("领域",))]
    assert engine_scan("发展范围", table) == [(2, 4, ("规模",))]


def test_ineligible_contextual_key_falls_back_to_shorter_key():
    table = [entry("abc", "X", left="z"), entry("ab", "Y"), entry("bcd", "W")]
    assert engine_scan("abcd", table) == reference_scan("abcd", table) == [(0, 2, ("Y",))]
    assert engine_scan("zabcd", table) == [(1, 4, ("X",))]


def test_context_does_not_cross_the_range():
    table = [entry("b", "B", left="a")]
    assert engine_scan("ab", table, lo=1) == []
    assert engine_scan("ab", table, lo=0) == [(1, 2, ("B",))]
    table = [entry("b", "B", right="c"), entry("b", "F")]
    assert engine_scan("abc", table, hi=2) == [(1, 2, ("F",))]
    assert engine_scan("abc", table) == [(1, 2, ("B",))]
    restorer = Restorer(table)
    both = restorer.scan_ranges("abcbc", [(0, 2), (2, 5)])  # the first range ends before its c
    assert [restorer.outcome(o)[2] for o in both[2]] == [("F",), ("B",)]


def test_rows_not_approved_are_ignored():
    table = [entry("我邦", "我国", status="proposed"), entry("家当", "产业", status="rejected")]
    assert engine_scan("我邦家当", table) == []


keys = st.text(alphabet="abcd", min_size=1, max_size=4)
contexts = st.text(alphabet="abcd", max_size=2)
rows = st.builds(lambda s, o, l, r: entry(s, o, l, r), keys, st.sampled_from("XYZ"), contexts, contexts)


@settings(max_examples=300, deadline=None)
@given(st.lists(rows, max_size=12), st.text(alphabet="abcde", max_size=60), st.data())
def test_engine_equals_reference(table, text, data):
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    assert engine_scan(text, table, lo, hi) == reference_scan(text, table, lo, hi)


# ----------------------------------------------------------------------------- files


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_table_reports_file_and_line(tmp_path):
    path = write(tmp_path / "table.tsv", "# comment\n" + HEADER
                 + "我邦\t我国\t\t\tword\tapproved\t003:7\t\n"
                 + "家当\t产业\t\t\tnoun\tapproved\t\t\n"
                 + "\t产业\t\t\tword\tapproved\t\t\n"
                 + "模子\t模型\t\t\tprotect\tapproved\t\t\n"
                 + "范围\t规模\t\t\tword\tmaybe\t\t\n")
    entries, problems = parse_table(path)
    assert [e.spun for e in entries] == ["我邦"]
    assert entries[0].line == 3 and entries[0].evidence == "003:7"
    wheres = [p.where.rsplit(":", 1)[1] for p in problems]
    assert wheres == ["4", "5", "6", "7"]
    assert "kind 'noun'" in problems[0].message
    assert "protect" in problems[2].message


def test_parse_tells_and_settings(tmp_path):
    tells, problems = parse_tells(write(tmp_path / "tells.tsv", "form\tweight\tkind\tnote\n我邦\t3\ttell\t\n在\t1\tanti\t\n正在\t5\texcept\t\n国\tx\tanti\t\n"))
    assert [(t.form, t.weight, t.kind) for t in tells] == [("我邦", 3.0, "tell"), ("在", 1.0, "anti"), ("正在", 0.0, "except")]
    assert len(problems) == 1 and problems[0].where.endswith(":5")
    values, problems = parse_settings(write(tmp_path / "settings.tsv", "name\tvalue\tnote\nthreshold\t4.5\t\nmargin\tbig\t\ncolour\t1\t\n"))
    assert values["threshold"] == 4.5 and values["window"] == 4
    assert [p.severity for p in problems] == ["error", "warning"]


def test_except_form_hides_anti_tell():
    scanner = TellScanner([Tell("在", 1.0, "anti", "", 1), Tell("正在", 0.0, "except", "", 2), Tell("我邦", 3.0, "tell", "", 3)])
    counts = scanner.counts("我邦正在发展，他在家")
    assert scanner.evidence(counts) == (3.0, 1.0, 1, 1)
    assert scanner.any_tell("我邦") and not scanner.any_tell("我国正在")


def test_strict_loader_raises_with_location(tmp_path):
    write(tmp_path / "despin" / "p" / "table.tsv", HEADER + "我邦\t我国\t\t\tword\tokay\t\t\n")
    with pytest.raises(TableError, match=r"table.tsv:2"):
        load_profile(tmp_path / "despin" / "p")
    assert load_profile(tmp_path / "despin" / "p", strict=False).problems


def test_profiles_are_folders_with_a_table(tmp_path):
    write(tmp_path / "despin" / "b" / "table.tsv", HEADER)
    write(tmp_path / "despin" / "a" / "table.tsv", HEADER)
    write(tmp_path / "despin" / "reference" / "x.txt", "我国\n")

    class C:
        tables_dir = str(tmp_path)
        despin_profiles = ()
    assert [p.name for p in load_profiles(C())] == ["a", "b"]
    C.despin_profiles = ("zz",)
    with pytest.raises(TableError, match="no despin profile zz"):
        load_profiles(C())


def test_profile_reloads_when_file_changes(tmp_path):
    path = write(tmp_path / "despin" / "p" / "table.tsv", HEADER + "我邦\t我国\t\t\tword\tapproved\t\t\n")
    assert len(load_profile(path.parent).entries) == 1
    import os
    import time
    write(path, HEADER + "我邦\t我国\t\t\tword\tapproved\t\t\n家当\t产业\t\t\tword\tapproved\t\t\n")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert len(load_profile(path.parent).entries) == 2


def test_profile_listing_follows_the_folders_between_calls(tmp_path):
    """load_profiles keeps its listing of the despin folder only while nothing there changed:
    a profile added, a folder becoming a profile, a table removed, a table edited."""
    import os
    import time

    def bump(path):  # a later modification time, as an edit a moment later would leave
        later = time.time_ns() + 10**9 + len(str(path))
        os.utime(path, ns=(later, later))

    class C:
        tables_dir = str(tmp_path)
        despin_profiles = ()
    write(tmp_path / "despin" / "a" / "table.tsv", HEADER + "我邦\t我国\t\t\tword\tapproved\t\t\n")
    write(tmp_path / "despin" / "reference" / "x.txt", "我国\n")
    assert [p.name for p in load_profiles(C())] == ["a"]
    write(tmp_path / "despin" / "b" / "table.tsv", HEADER)
    bump(tmp_path / "despin")
    assert [p.name for p in load_profiles(C())] == ["a", "b"]
    write(tmp_path / "despin" / "reference" / "table.tsv", HEADER)  # a folder becomes a profile
    bump(tmp_path / "despin" / "reference")
    assert [p.name for p in load_profiles(C())] == ["a", "b", "reference"]
    (tmp_path / "despin" / "b" / "table.tsv").unlink()
    bump(tmp_path / "despin" / "b")
    assert [p.name for p in load_profiles(C())] == ["a", "reference"]
    table = write(tmp_path / "despin" / "a" / "table.tsv", HEADER)
    bump(table)
    assert load_profiles(C())[0].entries == []
    C.despin_profiles = ("b",)
    with pytest.raises(TableError, match="no despin profile b"):
        load_profiles(C())
    C.tables_dir = str(tmp_path / "gone")
    with pytest.raises(TableError, match="tables directory not found"):
        load_profiles(C())


def test_scorer_prefers_the_fitting_neighbour():
    ngrams = {"产业规模": 5, "业规": 5, "规模": 10, "领域": 10, "产业领": 0}
    assert candidate_score("规模", "产业", "", ngrams, {}) > candidate_score("领域", "产业", "", ngrams, {})


# ----------------------------------------------------------------------------- fast paths against exact references

# a small alphabet, so that keys and contexts meet often, also across the edges of the ranges
SMALL_ROWS = st.builds(lambda s, o, l, r: entry(s, o, l, r), st.text(alphabet="ab", min_size=1, max_size=3),
                       st.sampled_from("XYZ"), st.text(alphabet="ab", max_size=2), st.text(alphabet="ab", max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(SMALL_ROWS, max_size=8), st.text(alphabet="ab\n", max_size=40), st.lists(st.integers(0, 40), max_size=6))
def test_scan_of_several_ranges_equals_reference_per_range(table, text, cuts):
    """The stage scans all restored ranges in one call; each range is still its own world
    (contexts do not reach across its edges), whether or not the edges are line breaks."""
    cuts = sorted({min(c, len(text)) for c in cuts})
    ranges = list(zip(cuts[::2], cuts[1::2]))
    restorer = Restorer(table)
    got = [(s, e, tuple(sorted(set(restorer.outcome(o)[2])))) for s, e, o in zip(*restorer.scan_ranges(text, ranges))]
    assert got == [m for lo, hi in ranges for m in reference_scan(text, table, lo, hi)]


def test_eligible_rows_are_the_longest_holding_contexts_in_table_order():
    table = [entry("b", "P", left="a"), entry("b", "Q", right="c"), entry("b", "R", left="aa"), entry("b", "S")]
    restorer = Restorer(table)
    assert [r.original for r in restorer.eligible("abc", 1, "b", 0, 3)] == ["P", "Q"]
    assert [r.original for r in restorer.eligible("aabc", 2, "b", 0, 4)] == ["R"]
    assert [r.original for r in restorer.eligible("xbx", 1, "b", 0, 3)] == ["S"]
    assert restorer.eligible("abc", 1, "b", 1, 3)[0].original == "Q"  # the left context is outside the range


HAN_SAMPLE = st.text(alphabet=st.sampled_from(
    ["a", "1", "\n", "，", "。", "国", "\u3400", "\u33ff", "\u4dbf", "\u4dc0", "\u4dff", "\u4e00", "\u9fff", "\ua000",
     "\uf8ff", "\uf900", "\ufaff", "\ufb00", "\U00020000", "😀", "\ud800"]), max_size=40)


def han_reference(text):
    return sum(1 for c in text if "\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


@settings(max_examples=300, deadline=None)
@given(HAN_SAMPLE)
def test_han_counts_equal_a_count_by_character(text):
    from policyclean.spintable import han_count, han_per_line
    assert han_count(text) == han_reference(text)
    lines = text.split("\n")
    starts = [sum(len(l) + 1 for l in lines[:i]) for i in range(len(lines))]
    ends = [s + len(l) for s, l in zip(starts, lines)]
    assert han_per_line(text, starts, ends) == [han_reference(l) for l in lines]


def test_han_counts_of_plain_chinese():
    from policyclean.spintable import han_count, han_per_line
    assert han_count("我国经济，2024年增长5%。") == 7
    assert han_per_line("我国\n经济，GDP\n", [0, 3, 10], [2, 9, 10]) == [2, 2, 0]


TELL_FORMS = st.text(alphabet="abc", min_size=1, max_size=3)
TELL_ROWS = st.builds(lambda f, w, k: Tell(f, 0.0 if k == "except" else w, k, "", 1), TELL_FORMS,
                      st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.5, 0.1, 0.3, 1e6]), st.sampled_from(["tell", "anti", "except"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(TELL_ROWS, max_size=8), st.text(alphabet="abcx\n", max_size=80))
def test_line_evidence_equals_per_line_counters(tells, text):
    """Running sums in match order (weights exact in floating point) or per-line Counters
    (other weights): the same numbers as evidence() of each line's Counter, bit for bit."""
    scanner = TellScanner(tells)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text)]
    expected = [scanner.evidence(c) for c in scanner.per_line(text, starts)]
    got = list(zip(*scanner.line_evidence(text, starts)))
    assert got == expected
    assert [tuple(map(type, g)) for g in got] == [tuple(map(type, e)) for e in expected]


def test_exact_sums_only_for_weights_exact_in_floating_point():
    assert TellScanner([Tell("a", 2.0, "tell", "", 1), Tell("b", 0.5, "anti", "", 2)]).exact_sums
    assert not TellScanner([Tell("a", 0.1, "tell", "", 1)]).exact_sums


@settings(max_examples=200, deadline=None)
@given(st.lists(TELL_ROWS, max_size=8), st.text(alphabet="abcx\n国", max_size=60))
def test_tell_matches_in_bytes_are_the_tell_matches_in_characters(tells, text):
    scanner = TellScanner(tells)
    in_chars = scanner.tell_ac.find_matches_as_indexes(text) if scanner.tell_ac else []
    data = text.encode()
    in_bytes = [(pi, len(data[:s].decode()), len(data[:e].decode())) for pi, s, e in scanner.tell_matches_utf8(data)]
    assert in_bytes == in_chars
    assert scanner.any_tell(text) == bool(in_chars)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefg", min_size=1, max_size=3), min_size=17, max_size=60), st.text(alphabet="abcdefgx", max_size=30))
def test_any_tell_over_groups_of_tells_is_any_tell_at_all(forms, text):
    scanner = TellScanner([Tell(f, 1.0, "tell", "", i) for i, f in enumerate(forms)])
    assert len(scanner.tell_groups) > 1
    assert scanner.any_tell(text) == any(f in text for f in forms) == bool(scanner.tell_ac.find_matches_as_strings(text))


def test_large_tables_use_the_default_matcher_with_the_same_matches(monkeypatch):
    import policyclean.spintable as spintable
    table = [entry("重点", "核心"), entry("中心", "重点"), entry("核心", "中心"), entry("范围", "领域", left="工业")]
    tells = [Tell("我邦", 3.0, "tell", "", 1), Tell("国", 1.0, "anti", "", 2)]
    text = "工业范围中心重点核心我邦国\n范围"
    small = (Restorer(table).scan_tuples(text), TellScanner(tells).line_evidence(text, [0, 14]))
    monkeypatch.setattr(spintable, "DFA_MAX_PATTERN_BYTES", 0)
    assert spintable._implementation(["重点"]) is None
    assert (Restorer(table).scan_tuples(text), TellScanner(tells).line_evidence(text, [0, 14])) == small


@settings(max_examples=200, deadline=None)
@given(st.lists(TELL_ROWS, max_size=8), st.text(alphabet="abcx\n", max_size=60))
def test_no_tell_for_any_tell_means_no_tell_counted(tells, text):
    """The stage skips counting the tells left after restoring when any_tell finds none: the
    counting automaton (all forms, leftmost-longest) then finds no tell either."""
    scanner = TellScanner(tells)
    counted = [f for f in scanner.counts(text) if scanner.tells[f].kind == "tell"]
    assert scanner.any_tell(text) or not counted
