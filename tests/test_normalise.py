"""normalise: line breaks, invisible and compatibility characters, one paragraph per line."""

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import normalise
from policyclean.data import read_tsv, tables_dir
from policyclean.model import Config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONFIG = Config()


def norm(text: str) -> str:
    return normalise.run(text, CONFIG, {}).text


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("raw, expected", [
    ("甲\r\n乙\r\n", "甲\n乙\n"),                 # CRLF
    ("甲\r乙", "甲\n乙\n"),                       # old Mac CR, and the final \n is added
    ("甲\u2028乙\u2029丙", "甲\n乙\n丙\n"),        # Unicode line/paragraph separators
    ("甲\n\n\n乙\n\n", "甲\n乙\n"),               # blank lines removed
    ("  \u3000\n\t\n乙", "乙\n"),                  # lines of only spaces are blank
    ("\n\n", ""),
    ("", ""),
])
def test_line_structure(raw, expected):
    assert norm(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("人工\u200b智能\u200c\u200d\u2060", "人工智能\n"),   # zero-width characters
    ("\ufeff通知", "通知\n"),                              # BOM
    ("人工\ufeff智能", "人工智能\n"),                      # U+FEFF inside text
    ("人工\x07智\x1b能\x7f", "人工智能\n"),                # control characters
    ("甲\t乙", "甲\t乙\n"),                                # a tab inside a line parts table cells: it stays
    ("甲 \t 乙\t\t丙", "甲\t乙\t丙\n"),                      # a space run holding a tab is one tab
    ("1﹒促进", "1.促进\n"),                               # U+FE52 small full stop
    ("甲﹐乙﹑丙﹔丁﹕", "甲,乙、丙;丁:\n"),                  # small-form punctuation
    ("２０２５年ＧＰＵｅＳＩＭ", "2025年GPUeSIM\n"),        # full-width letters and digits
    ("⼀⼈⼯", "一人工\n"),                                # Kangxi radicals
    ("⺟亲", "母亲\n"),                                    # CJK radicals supplement look-alike
    ("\uf900\ufa10", "\u8c48\u585a\n"),                   # CJK compatibility ideographs
])
def test_characters(raw, expected):
    assert norm(raw) == expected


def test_chinese_fullwidth_punctuation_is_kept():
    line = "一、总体要求（一）主要目标：到2027年，形成“1+N”格局；是否？是！【注】\n"
    assert norm(line) == line


def test_spaces_inside_a_line():
    assert norm("责编:  赵碧莹") == "责编: 赵碧莹\n"          # a run becomes one space
    assert norm("a b c") == "a b c\n"                        # single spaces are kept
    assert norm("第一章\u3000总则") == "第一章\u3000总则\n"    # one ideographic space stays
    assert norm("第一章\u3000\u3000\u3000总则") == "第一章\u3000总则\n"
    assert norm("甲\u00a0\u00a0乙 \u3000丙") == "甲 乙 丙\n"   # NBSP and mixed runs -> one space
    assert norm("  缩进  \t") == "缩进\n"                     # indentation and trailing spaces
    assert norm("甲 \u200b 乙") == "甲 乙\n"                  # a zero-width character inside a run


def test_seed_003_indentation_and_blank_lines():
    raw = seed("003")
    out = norm(raw)
    lines = out.split("\n")
    assert out.endswith("\n") and lines[-1] == ""
    assert lines[0] == "利好!八部门联合发布"
    assert lines[1] == "发布日期: 2026-01-07"
    assert lines[2].startswith("1月7日,工业和消息化部")        # two-space indentation gone
    assert all(line and line == line.strip() for line in lines[:-1])
    assert len(lines) - 1 == sum(1 for line in raw.split("\n") if line.strip())
    result = normalise.run(raw, CONFIG, {})
    indents = [c for c in result.changes if c.rule == "normalise:indent"]
    assert len(indents) == 36 and all(c.before == "  " and c.after == "" for c in indents)
    assert all(raw[c.start:c.end] == c.before for c in result.changes)


def test_seed_002_list_dots_and_report():
    raw = seed("002")
    result = normalise.run(raw, CONFIG, {})
    assert "﹒" not in result.text
    assert "\n1.促進科學研究範式變革。" in result.text
    dots = [c for c in result.changes if c.before == "﹒"]
    assert len(dots) == 26
    assert all(c.after == "." and c.rule.startswith("normalise.tsv:") for c in dots)
    assert all(raw[c.start:c.end] == c.before for c in result.changes)
    assert "mapped 26" in result.summary


def test_hard_wrapped_lines_are_not_joined():
    assert norm("省政府關於印發关键词1省\n“人工智能+”行動方案的通知\n") == \
        "省政府關於印發关键词1省\n“人工智能+”行動方案的通知\n"


def test_clean_text_is_returned_as_is():
    for prefix in ("000", "001", "002", "003", "004"):
        once = norm(seed(prefix))
        result = normalise.run(once, CONFIG, {})
        assert result.text is once and not result.changes


def test_change_offsets_point_into_the_input():
    raw = "\ufeff  甲\u200b乙\r\n\r\n\t丙　　丁  \r\nＡ﹒"
    result = normalise.run(raw, CONFIG, {})
    assert result.text == "甲乙\n丙\u3000丁\nA.\n"
    for change in result.changes:
        assert raw[change.start:change.end] == change.before


def test_table_targets_are_nfkc():
    # the fullwidth/small-form/kangxi/radical/compat-ideograph rows were derived with NFKC
    path = tables_dir() / normalise.TABLE
    for row in read_tsv(path, required=("code", "to", "kind")):
        if row["kind"] in ("fullwidth", "small-form", "kangxi", "radical", "compat-ideograph"):
            source = chr(int(row["code"][2:], 16))
            assert row["to"] == unicodedata.normalize("NFKC", source), row.where
    # full-width punctuation that Chinese uses is not in the table
    codes = {row["code"] for row in read_tsv(path)}
    for char in "，：；（）！？":
        assert f"U+{ord(char):04X}" not in codes


_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("人工智能，。（）：\n\r\t \u3000\u00a0\u200b\ufeff\u2028﹒﹐２Ａ⼀\uf900\x07,.()")),
        st.characters(),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_idempotent_and_shape(text):
    once = norm(text)
    assert norm(once) == once
    if once:
        assert once.endswith("\n")
        for line in once[:-1].split("\n"):
            assert line and line == line.strip(" \t\u3000")
            assert "\r" not in line and "  " not in line


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("甲 \u3000\u200b\t\u00a0\n﹒")), max_size=20))
def test_idempotent_on_space_soup(text):
    once = norm(text)
    assert norm(once) == once
    assert "  " not in once


@settings(max_examples=200, deadline=None)
@given(_text)
def test_changes_are_consistent(text):
    result = normalise.run(text, CONFIG, {})
    for change in result.changes:
        assert text[change.start:change.end] == change.before


# --- the line-by-line implementation this stage had before it was made fast, kept as the reference ---

def _reference(text: str) -> tuple:
    """(text, changes, counts) as the former per-line code computed them (regexes rebuilt from the table)."""
    import re

    table = normalise._load(str(tables_dir()))
    if not text:
        return text, (), None
    breaks = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
    spaces = set(table.edge) - table.deleted
    mapped: dict = {}
    for char, kind in table.kind.items():
        if char not in spaces and char not in table.deleted:
            mapped.setdefault(kind, set()).add(char)
    cls = normalise._char_class
    either = cls(set(table.edge))
    kinds = "".join(f"|(?P<k{n}>[{cls(chars)}]+)" for n, chars in enumerate(mapped.values()))
    start_re = re.compile(f"[{cls(set(table.kind) - {' '})}]| [{either}]")
    inner_re = re.compile(f"(?P<space>[{cls(spaces)}][{either}]*)|(?P<delete>[{cls(set(table.deleted))}]+){kinds}")
    changes: list = []
    counts = dict.fromkeys(("line_breaks", "blank_lines", "deindented", "trailing",
                            "spaces_collapsed", "deleted", "mapped"), 0)
    counts["line_breaks"] = len(re.findall("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", text))
    out = []
    position = 0
    pieces = [(m.start(), m.end()) for m in re.finditer(breaks, text)]
    lines = []
    for begin, end in pieces:
        lines.append((text[position:begin], position))
        position = end
    if position < len(text):
        lines.append((text[position:], position))
    for line, start in lines:
        core = line.strip(table.edge)
        if not core:
            counts["blank_lines"] += 1
            continue
        core_start = len(line) - len(line.lstrip(table.edge))
        core_end = core_start + len(core)
        if core_start:
            counts["deindented"] += 1
            changes.append((start, start + core_start, line[:core_start], "", "normalise:indent"))
        if "  " in core or start_re.search(core):
            parts, last, at = [], 0, 0
            while (hint := start_re.search(core, at)) is not None:
                match = inner_re.match(core, hint.start())
                at = match.end()
                before = match.group()
                def line_of(where):
                    return int(where.rsplit(":", 1)[1])

                if match.lastgroup == "space":
                    kinds = set(before) - table.deleted
                    after = "\u3000" if kinds <= {"\u3000"} else "\t" if "\t" in kinds else " "
                    if before == after:
                        continue
                    counts["spaces_collapsed"] += 1
                    rows = sorted({table.rule[c] for c in before if c != " "}, key=line_of)
                    rule = ",".join(["normalise:space", *rows[:3]])
                    why = f"{len(before)} space character(s) became one"
                else:
                    after = before.translate(table.translate)
                    counts["deleted" if match.lastgroup == "delete" else "mapped"] += len(before)
                    rows = sorted({table.rule[c] for c in before}, key=line_of)
                    rule = ",".join(rows) if len(rows) <= 3 else f"{rows[0]},…({len(rows)} rows)"
                    if match.lastgroup == "delete":
                        why = f"{len(before)} invisible/control character(s) deleted"
                    else:
                        why = f"{len(before)} {'/'.join(sorted({table.kind[c] for c in before}))} character(s) mapped"
                changes.append((start + core_start + match.start(), start + core_start + match.end(), before, after,
                                rule, why))
                parts += [core[last:match.start()], after]
                last = match.end()
            core = "".join(parts) + core[last:]
        out.append(core)
        if core_end < len(line):
            counts["trailing"] += 1
            changes.append((start + core_end, start + len(line), line[core_end:], "", "normalise:trailing-space"))
    new = "\n".join(out) + "\n" if out else ""
    if new == text:
        return text, (), None
    return new, tuple(changes), counts


_layout_text = st.lists(st.one_of(
    st.sampled_from([*"甲乙 \u3000\u00a0\t\u200b\ufeff\x07\n\n\r\x0b\x0c\x1c\x85\u2028\u2029﹒﹐２Ａｚ⼀\uf900", "\r\n", "  "]),
    st.characters()), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_layout_text)
def test_same_as_the_line_by_line_reference(text):
    expected_text, expected_changes, expected_counts = _reference(text)
    result = normalise.run(text, CONFIG, {})
    assert result.text == expected_text
    got = tuple(c[:5] if c.rule in ("normalise:indent", "normalise:trailing-space") else tuple(c)
                for c in result.changes)
    assert got == expected_changes
    assert (result.data or {}).get("normalise") == expected_counts


def test_line_break_count():
    result = normalise.run("甲\r\n乙\r丙\n丁\u2028", CONFIG, {})
    assert result.text == "甲\n乙\n丙\n丁\n"
    assert result.data["normalise"]["line_breaks"] == 3  # \r\n, \r, U+2028; the \n is not counted


def test_spaces_keep_leaves_runs_inside_a_line():
    """Config(spaces="keep"): aligned tables and signature lines keep their runs; edges, blank
    lines and invisible characters are still handled."""
    keep = Config(spaces="keep")
    text = "  地块编号  土地位置  面积\n\n某某县人民政府办公室\u3000\u3000\u30002025年3月24日印发 \n甲 \u200b 乙\n"
    result = normalise.run(text, keep, {})
    assert result.text == "地块编号  土地位置  面积\n某某县人民政府办公室\u3000\u3000\u30002025年3月24日印发\n甲  乙\n"
    assert normalise.run(result.text, keep, {}).text == result.text
    # the default collapses them
    assert normalise.run(text, CONFIG, {}).text == "地块编号 土地位置 面积\n某某县人民政府办公室\u30002025年3月24日印发\n甲 乙\n"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("甲 \u3000\u200b\t\u00a0\n﹒")), max_size=20))
def test_spaces_keep_is_idempotent(text):
    keep = Config(spaces="keep")
    once = normalise.run(text, keep, {}).text
    assert normalise.run(once, keep, {}).text == once
