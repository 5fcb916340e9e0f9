"""clean_stream and --stream: a corpus cleaned block by block, never held whole."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyclean
from policyclean import DecodeError
from policyclean.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {path.name[:3]: path for path in (ROOT / "seeds").glob("*.txt")}


def corpus() -> str:
    """Spun 003 and Traditional 004 (without its news dateline, a document-level matter), three times."""
    seed_003 = SEEDS["003"].read_text(encoding="utf-8")
    seed_004 = SEEDS["004"].read_text(encoding="utf-8").split("\n", 1)[1]
    return (seed_003 + "\n" + seed_004 + "\n") * 3


def chunks(data: bytes, size: int):
    """Odd chunk sizes, so multi-byte characters are cut between chunks."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16", "utf-8-sig"])
def test_stream_gives_what_clean_gives_for_paragraph_stages(encoding):
    text = corpus()
    whole = policyclean.clean(text, boilerplate=False).text  # the stream runs no chrome removal
    blocks = list(policyclean.clean_stream(chunks(text.encode(encoding), 4093), block_chars=20_000))
    assert len(blocks) > 1
    assert "".join(block.text for block in blocks) == whole


def test_each_block_is_bounded_and_ends_a_paragraph():
    blocks = list(policyclean.clean_stream([corpus()], block_chars=5_000))
    assert len(blocks) > 5
    for block in blocks:
        assert len(block.text) <= 5_000 and block.text.endswith("\n")


def test_streamed_output_streams_to_itself():
    once = "".join(block.text for block in policyclean.clean_stream([corpus()], block_chars=8_000))
    again = "".join(block.text for block in policyclean.clean_stream([once], block_chars=8_000))
    assert again == once


@pytest.mark.parametrize("at", [50_000, 80_000])  # inside the 64 KB the encoding is detected from, and after it
def test_undecodable_bytes_name_the_input_and_the_offset(at):
    data = corpus().encode("utf-8")
    assert len(data) > 80_000
    broken = data[:at] + b"\xff" + data[at:]
    with pytest.raises(DecodeError, match=rf"corpus\.txt: not valid (?i:utf-8).*\b{at}\b"):
        list(policyclean.clean_stream(chunks(broken, 16_384), source="corpus.txt"))
    repaired = list(policyclean.clean_stream(chunks(broken, 16_384), errors="replace"))
    assert "\ufffd" in "".join(block.text for block in repaired)


def test_cli_stream_writes_the_file_and_refuses_what_needs_a_whole_document(tmp_path, capsys):
    source = tmp_path / "corpus.txt"
    source.write_bytes(corpus().encode("gb18030"))
    target = tmp_path / "out.txt"
    assert main(["clean", "--stream", "-o", str(target), str(source)]) == 0
    assert target.read_text(encoding="utf-8") == policyclean.clean(corpus(), boilerplate=False).text
    assert main(["clean", "--stream", "--report", str(tmp_path / "r.jsonl"), str(source)]) == 2
    assert "not available with --stream" in capsys.readouterr().err
