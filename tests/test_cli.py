"""The command line: outputs, safety of files on disk, exit codes, messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import policyclean
from policyclean.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "seeds" / "000_98647be4b4f94998.txt"
SEED_004 = ROOT / "seeds" / "004_12ff21ec68cac506.txt"
CLEAN_LINE = "为贯彻党中央、国务院关于推动人工智能发展的决策部署，制定本方案。\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small tree: two seeds in nested folders, one clean file, one non-text file."""
    (tmp_path / "in" / "sub").mkdir(parents=True)
    shutil.copy(SEED_004, tmp_path / "in" / "004.txt")
    shutil.copy(SEED_000, tmp_path / "in" / "sub" / "000.txt")
    (tmp_path / "in" / "clean.txt").write_text(CLEAN_LINE, encoding="utf-8")
    (tmp_path / "in" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return tmp_path


def expected(path: Path, **options) -> str:
    return policyclean.clean(path.read_bytes(), **options).text


def test_clean_to_stdout_changes_nothing_on_disk(folder, capsys):
    before = (folder / "in" / "004.txt").read_bytes()
    assert main(["clean", str(folder / "in" / "004.txt")]) == 0
    assert capsys.readouterr().out == expected(SEED_004)
    assert (folder / "in" / "004.txt").read_bytes() == before
    assert sorted(p.name for p in (folder / "in").iterdir()) == ["004.txt", "clean.txt", "image.png", "sub"]


def test_output_file_and_refusal_to_overwrite(folder, capsys):
    target = folder / "out.txt"
    assert main(["clean", str(SEED_004), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == expected(SEED_004)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary new file, not a private temp file
    assert main(["clean", str(SEED_000), "-o", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == expected(SEED_004)  # untouched
    assert main(["clean", str(SEED_000), "-o", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8") == expected(SEED_000)


def test_output_dir_mirrors_the_tree(folder):
    assert main(["clean", str(folder / "in"), "-o", str(folder / "out")]) == 0
    assert (folder / "out" / "004.txt").read_text(encoding="utf-8") == expected(SEED_004)
    assert (folder / "out" / "sub" / "000.txt").read_text(encoding="utf-8") == expected(SEED_000)
    assert (folder / "out" / "clean.txt").read_text(encoding="utf-8") == CLEAN_LINE
    assert not (folder / "out" / "image.png").exists()  # not a text file name: not taken


def test_in_place_with_backup(folder):
    path = folder / "in" / "004.txt"
    original = path.read_bytes()
    os.chmod(path, 0o640)
    assert main(["clean", "--in-place", "--backup", ".orig", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == expected(SEED_004)
    assert (folder / "in" / "004.txt.orig").read_bytes() == original
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert not [p for p in (folder / "in").iterdir() if p.name.endswith(".tmp")]


def test_check_exit_codes(folder, capsys):
    assert main(["clean", "--check", str(folder / "in" / "clean.txt")]) == 0
    assert main(["clean", "--check", str(folder / "in")]) == 1
    assert "would clean" in capsys.readouterr().err


def test_failed_input_does_not_stop_the_others(folder, capsys):
    bad = folder / "in" / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02\x03binary\x00\xff\xfe\x00" * 20)
    assert main(["clean", str(folder / "in"), "-o", str(folder / "out")]) == 3
    err = capsys.readouterr().err
    assert "bad.txt" in err and len([l for l in err.splitlines() if "bad.txt" in l]) == 1
    assert (folder / "out" / "004.txt").exists() and (folder / "out" / "sub" / "000.txt").exists()
    assert not (folder / "out" / "bad.txt").exists()


def test_usage_errors_exit_2_with_one_line(folder, capsys):
    assert main(["clean", str(folder / "missing.txt")]) == 2
    err = capsys.readouterr().err.strip()
    assert "missing.txt" in err and len(err.splitlines()) == 1
    assert main(["clean", "--in-place", "-o", str(folder / "x"), str(SEED_004)]) == 2
    assert main(["clean", "--placeholder", "关键词1", str(SEED_004)]) == 2
    assert "MASK=WORD" in capsys.readouterr().err


def test_explain_report_and_removed(folder, capsys):
    report = folder / "report.jsonl"
    removed = folder / "removed.tsv"
    assert main(["clean", "--explain", "--report", str(report), "--removed", str(removed),
                 str(SEED_000), str(SEED_004)]) == 0
    captured = capsys.readouterr()
    assert "boilerplate" in captured.err and "t2s" in captured.err
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [line["path"] for line in lines] == [str(SEED_000), str(SEED_004)]
    assert lines[1]["script"] == "traditional" and lines[1]["encoding"] == "utf-8"
    assert any(step["name"] == "t2s" for step in lines[1]["steps"])
    rows = removed.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "path\tstage\trule\tline\ttext"
    assert any("THE END" in row for row in rows)
    assert "==> " in captured.out  # several inputs on stdout are headed like head(1)


def test_diff(capsys):
    assert main(["clean", "--diff", str(SEED_004)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---") and "+++" in out and "-C114訊" in out


def test_json_format(capsys):
    assert main(["clean", "--format", "json", "--keep", "document", str(SEED_004)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["text"] == expected(SEED_004, keep="document")
    assert "metadata" in record and "steps" in record


def test_parallel_jobs_give_the_same_output(folder):
    assert main(["clean", str(folder / "in"), "-o", str(folder / "one")]) == 0
    assert main(["clean", "-j", "2", str(folder / "in"), "-o", str(folder / "two")]) == 0
    for path in (folder / "one").rglob("*.txt"):
        assert path.read_bytes() == (folder / "two" / path.relative_to(folder / "one")).read_bytes()


def test_stdin_and_gbk_input():
    data = SEED_004.read_text(encoding="utf-8").encode("gb18030")
    run = subprocess.run([sys.executable, "-m", "policyclean.cli", "clean", "-"], input=data,
                         capture_output=True, check=False)
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout.decode("utf-8") == expected(SEED_004)


def test_detect(capsys):
    assert main(["detect", str(SEED_004), str(ROOT / "seeds" / "003_3f0afe50fd1fbd10.txt")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[1:2] == ["utf-8"] and "traditional" in out[0]
    assert "spun" in out[1] and "not spun" not in out[1]


def test_help_teaches_by_example(capsys):
    with pytest.raises(SystemExit):
        main(["clean", "--help"])
    assert "examples:" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert policyclean.__version__ in capsys.readouterr().out


def test_a_very_large_file_gets_a_note_about_stream(folder, capsys, monkeypatch):
    source = str(folder / "in" / "004.txt")
    size = os.stat(source).st_size
    monkeypatch.setattr("policyclean.cli.LARGE_INPUT_BYTES", size)  # this seed counts as very large
    assert main(["clean", source]) == 0
    err = capsys.readouterr().err
    assert f"{source}: note:" in err and "--stream" in err and "GB of memory" in err
    for flags in (["-q"], ["--stream"]):
        assert main(["clean", *flags, source]) == 0
        assert "note:" not in capsys.readouterr().err
    monkeypatch.setattr("policyclean.cli.LARGE_INPUT_BYTES", size + 1)
    assert main(["clean", source]) == 0
    assert "note:" not in capsys.readouterr().err


def test_stream_progress_counts_the_bytes_read(capsys, monkeypatch):
    from policyclean.cli import ByteProgress
    monkeypatch.setattr(ByteProgress, "INTERVAL", 0.0)  # every chunk shows
    progress = ByteProgress("corpus.txt", 3_000_000, enabled=True)
    assert list(progress.counted(iter([b"x" * 1_000_000, b"y" * 2_000_000]))) == [b"x" * 1_000_000, b"y" * 2_000_000]
    progress.clear()
    err = capsys.readouterr().err
    assert "corpus.txt: 1 of 3 MB (33%)" in err and "corpus.txt: 3 of 3 MB (100%)" in err and err.endswith("\r\033[K")
    quiet = ByteProgress("corpus.txt", 0, enabled=False)
    assert list(quiet.counted(iter([b"abc"]))) == [b"abc"] and quiet.done == 3
    quiet.clear()
    assert capsys.readouterr().err == ""
