"""`policyclean table …` on small tables written here."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from policyclean import tablecli

ROOT = Path(__file__).resolve().parent.parent
HEADER = "spun\toriginal\tleft\tright\tkind\tstatus\tevidence\tnote\n"
TABLE = ("# comment kept\n" + HEADER
         + "我邦\t我国\t\t\tword\tapproved\t003:7\t\n"
         + "家当\t产业\t\t\tword\tapproved\t\t\n"
         + "# another comment\n"
         + "怒放\t开放\t\t\tword\tproposed\t\t\n"
         + "模子\t模型\t\t\tword\tproposed\t\t\n")
TELLS = "form\tweight\tkind\tnote\n我邦\t3\ttell\t\n家当\t2\ttell\t\n国\t1\tanti\t\n"


@pytest.fixture
def tables(tmp_path) -> Path:
    profile = tmp_path / "despin" / "t"
    profile.mkdir(parents=True)
    (profile / "table.tsv").write_text(TABLE, encoding="utf-8")
    (profile / "tells.tsv").write_text(TELLS, encoding="utf-8")
    (profile / "settings.tsv").write_text("name\tvalue\tnote\nthreshold\t2\t\nmin_tells\t1\t\n", encoding="utf-8")
    shutil.copytree(ROOT / "corrections" / "despin" / "reference", tmp_path / "despin" / "reference")
    return tmp_path


def run(tables: Path, *argv: str) -> int:
    return tablecli.main([argv[0], "--tables", str(tables), *argv[1:]])


def test_lint_clean_table_passes(tables, capsys):
    assert run(tables, "lint") == 0
    assert "0 error(s)" in capsys.readouterr().err


def test_lint_reports_errors_with_file_and_line(tables, capsys):
    path = tables / "despin" / "t" / "table.tsv"
    path.write_text(path.read_text(encoding="utf-8")
                    + "我邦\t我国\t\t\tword\tapproved\t\t\n"          # line 8: duplicate of line 3
                    + "发展\t开展\t\t\tverb\tapproved\t\t\n"          # line 9: bad kind
                    + "范围\t规模\t家当\t\tword\tapproved\t\t\n"       # 10 and 11: conflict, same context
                    + "范围\t领域\t家当\t\tword\tapproved\t\t\n"
                    + "在\t在\t\t\tword\tapproved\t\t\n", encoding="utf-8")   # 12: protect-like, wrong kind
    assert run(tables, "lint", "-w") == 1
    out = capsys.readouterr().out
    assert "table.tsv:8: error: duplicate of line 3" in out
    assert "table.tsv:9: error: kind 'verb'" in out
    assert "table.tsv:10: error: conflicting rows (lines 10, 11)" in out
    assert "table.tsv:12: warning: original equals spun" in out


def test_lint_warns_about_entries_firing_on_clean_text(tables, capsys):
    path = tables / "despin" / "t" / "table.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "发展\t开展\t\t\tword\tapproved\t\t\n", encoding="utf-8")
    assert run(tables, "lint", "-w") == 0  # a warning, not an error
    out = capsys.readouterr().out
    assert "table.tsv:8: warning: 发展→开展 fires" in out and "【发展→开展】" in out


def test_show_entry_with_context_lines(tables, capsys):
    assert run(tables, "show", "家当") == 0
    out = capsys.readouterr().out
    assert "table.tsv:4\tapproved\tword\t家当→产业" in out
    assert run(tables, "show", "table.tsv:3") == 0
    assert "我邦→我国" in capsys.readouterr().out
    assert run(tables, "show", "不存在") == 1


def test_stats_counts_fires_on_a_corpus(tables, tmp_path, capsys):
    doc = tmp_path / "doc.txt"
    doc.write_text("我邦家当发展，我邦家当。\n", encoding="utf-8")
    assert run(tables, "stats", str(doc)) == 0
    out = capsys.readouterr().out
    assert "2\ttable.tsv:3" in out and "【我邦→我国】" in out


def test_align_widens_to_words():
    pairs = [(s, o) for s, o, _, _ in tablecli.align("工业和消息化部等八部分印发", "工业和信息化部等八部门印发")]
    assert ("消息", "信息") in pairs and ("部分", "部门") in pairs


def test_learn_proposes_and_appends_without_touching_rows(tables, tmp_path, capsys):
    spun = tmp_path / "spun.txt"
    orig = tmp_path / "orig.txt"
    spun.write_text("我邦家当范围稳居前线。\n工业和消息化部印发。\n", encoding="utf-8")
    orig.write_text("我国产业规模稳居前列。\n工业和信息化部印发。\n", encoding="utf-8")
    before = (tables / "despin" / "t" / "table.tsv").read_text(encoding="utf-8")
    assert run(tables, "learn", str(spun), str(orig), "--write") == 0
    out = capsys.readouterr().out
    assert "消息\t信息\t\t\tword\tproposed\tspun.txt:2" in out
    assert "家当\t产业\t" not in out and "范围\t规模\t\t\tword\tproposed\tspun.txt:1" in out
    assert "我邦\t我国" not in out  # already in the table
    after = (tables / "despin" / "t" / "table.tsv").read_text(encoding="utf-8")
    assert after.startswith(before) and "\tproposed\tspun.txt:2\t" in after


def test_why_explains_matches_and_gate(tables, capsys):
    assert run(tables, "why", "我邦家当我邦家当") == 0
    out = capsys.readouterr().out
    assert "gate: spun" in out and "我邦→我国 by despin/t/table.tsv:3" in out
    assert run(tables, "why", "中国国内国家的家当") == 0
    out = capsys.readouterr().out
    assert "gate: not spun" in out and "would be 产业" in out


def test_why_names_the_protect_row_that_keeps_an_ordinary_word(capsys):
    # the shipped table: 期间 has a protect row and a context row (新期间) that does not hold here
    assert tablecli.main(["why", "在这一期间"]) == 0
    out = capsys.readouterr().out
    assert "在这一【期间】: protected by table.tsv:" in out and "期间→期间" in out


def test_review_interactive_writes_statuses_in_place(tables, monkeypatch, capsys):
    answers = iter(["a", "r"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert run(tables, "review") == 0
    text = (tables / "despin" / "t" / "table.tsv").read_text(encoding="utf-8")
    assert text == TABLE.replace("开放\t\t\tword\tproposed", "开放\t\t\tword\tapproved").replace("模型\t\t\tword\tproposed", "模型\t\t\tword\trejected")


def test_review_quit_changes_nothing(tables, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt="": "q")
    assert run(tables, "review") == 0
    assert (tables / "despin" / "t" / "table.tsv").read_text(encoding="utf-8") == TABLE


def test_review_html_and_apply(tables, tmp_path):
    page = tmp_path / "review.html"
    assert run(tables, "review", "--html", str(page)) == 0
    html = page.read_text(encoding="utf-8")
    assert "怒放" in html and "download decisions" in html and "<script>" in html
    decisions = tmp_path / "decisions.tsv"
    decisions.write_text("profile\tline\tspun\toriginal\tleft\tright\tdecision\n"
                         "t\t6\t怒放\t开放\t\t\tapprove\n"
                         "t\t99\t模子\t模型\t\t\treject\n", encoding="utf-8")  # stale line: found by content
    assert run(tables, "review", "--apply", str(decisions)) == 0
    text = (tables / "despin" / "t" / "table.tsv").read_text(encoding="utf-8")
    assert "怒放\t开放\t\t\tword\tapproved" in text and "模子\t模型\t\t\tword\trejected" in text
    assert text.startswith("# comment kept\n") and "# another comment\n" in text


def test_register_in_a_main_parser(tables):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    tablecli.register(sub)
    args = parser.parse_args(["table", "lint", "--tables", str(tables)])
    assert args.func(args) == 0
    args = parser.parse_args(["table"])
    assert args.func(args) == 2


def test_missing_profile_is_a_usage_error(tables, capsys):
    assert run(tables, "lint", "--profile", "nope") == 2
    assert "no despin profile nope" in capsys.readouterr().err


def test_shipped_tables_lint_without_errors(capsys):
    assert tablecli.main(["lint"]) == 0
    assert " 0 error(s)" in " " + capsys.readouterr().err.splitlines()[-1]
