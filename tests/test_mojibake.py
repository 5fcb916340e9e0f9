"""mojibake: exact repair of UTF-8 read as GBK and GBK read as Latin-1/cp1252; clean text untouched."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import mojibake
from policyclean.model import Config

SEEDS = {p.name[:3]: p.read_text(encoding="utf-8")
         for p in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))}
CONFIG = Config()
KIND1, KIND2 = "mojibake:utf8-as-gbk", "mojibake:gbk-as-latin1"


def repair(text: str) -> str:
    return mojibake.run(text, CONFIG, {}).text


def traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[。；;!！?？\n,，、:：]", text) if c.strip() and not c.isascii()]


def strict_mojibake(text: str, encoding: str) -> str | None:
    """``text`` as UTF-8 read as ``encoding``, or None where that reading fails."""
    try:
        return text.encode("utf-8").decode(encoding)
    except UnicodeDecodeError:
        return None


# --- hand-checked examples --------------------------------------------------------------
@pytest.mark.parametrize("damaged, clean, rule", [
    ("鍙戝竷", "发布", KIND1),
    ("涓\ue15e浗", "中国", KIND1),  # U+E15E: GBK's user-defined area, kept by a strict decode
    ("浜哄伐鏅鸿兘浜т笟鍙戝睍", "人工智能产业发展", KIND1),
    ("鍥藉姟闄㈠姙鍏\ue100巺", "国务院办公厅", KIND1),
    ("娣卞害瀛︿範", "深度学习", KIND1),  # every character of the run is a common one
    ("ÖÐ¹ú", "中国", KIND2),
    ("·¢²¼", "发布", KIND2),
    ("¹ØÓÚÓ¡·¢µÄÍ¨Öª", "关于印发的通知", KIND2),
    ("ÆÀÂÛ", "评论", KIND2),  # letters only, but a word
    ("2025Äê12ÔÂ19ÈÕ", "2025年12月19日", KIND2),  # three one-character runs on one line
    ("½­ËÕÊ¡¡°ÈË¹¤ÖÇÄÜ+¡±ÐÐ¶¯·½°¸", "江苏省“人工智能+”行动方案", KIND2),
])
def test_examples(damaged, clean, rule):
    result = mojibake.run(damaged, CONFIG, {})
    assert result.text == clean
    assert result.changes and {c.rule for c in result.changes} == {rule}
    assert all(c.why for c in result.changes)


def test_cp1252_reading():
    # Traditional characters in GBK have trail bytes 0x80-0x9F, which cp1252 reads as
    # punctuation: 行動 -> ÐÐ„Ó, 機構 -> ™C˜‹, 時 -> •r
    clean = "省政府關於印發“人工智能+”行動方案的通知,發布機構與時效"
    damaged = clean.encode("gbk").decode("cp1252")
    assert "„" in damaged and "™" in damaged and "•" in damaged
    assert repair(damaged) == clean
    assert repair("°l²¼™C˜‹•rÐ§") == "發布機構時效"


def test_mixed_line_repairs_only_the_mojibake():
    line = "江苏省人民政府" + "人工智能产业发展".encode("utf-8").decode("gb18030") + "行动方案"
    result = mojibake.run(line, CONFIG, {})
    assert result.text == "江苏省人民政府人工智能产业发展行动方案"
    [change] = result.changes
    assert (change.start, change.end, change.after) == (7, 19, "人工智能产业发展")
    line = "Jiangsu: " + "关于印发的通知".encode("gbk").decode("latin-1") + " (2025)"
    assert repair(line) == "Jiangsu: 关于印发的通知 (2025)"


def test_changes_point_into_the_input():
    text = "标题\n" + "人工智能终端产业".encode("utf-8").decode("gb18030") + "\n" + "发展".encode("gbk").decode("latin-1") + "方案\n"
    result = mojibake.run(text, CONFIG, {})
    assert result.text == "标题\n人工智能终端产业\n发展方案\n"
    rebuilt, position = [], 0
    for change in result.changes:
        assert text[change.start:change.end] == change.before
        rebuilt += [text[position:change.start], change.after]
        position = change.end
    assert "".join(rebuilt + [text[position:]]) == result.text
    assert [c.rule for c in result.changes] == [KIND1, KIND2]
    assert result.summary == "repaired mojibake: 1 run of utf8-as-gbk, 1 run of gbk-as-latin1"


def test_latin1_run_out_of_step():
    # a stray Latin-1 letter before the GBK pairs: read them in step, keep the letter
    assert repair("Ü" + "关于印发的通知".encode("gbk").decode("latin-1")) == "Ü关于印发的通知"
    assert repair("é" + "江苏省人民政府".encode("gbk").decode("latin-1")) == "é江苏省人民政府"


def test_double_mojibake_in_one_pass():
    once = "人工智能产业发展".encode("gbk").decode("latin-1")  # ÈË¹¤ÖÇÄÜ²úÒµ·¢Õ¹
    twice = once.encode("utf-8").decode("gb18030")  # and that as UTF-8 read as GBK
    assert repair(twice) == "人工智能产业发展"


# --- real mojibake made from the seeds ---------------------------------------------------
@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_seed_clauses_utf8_read_as_gbk(encoding):
    pairs = [(c, m) for text in SEEDS.values() for c in clauses(text)
             if (m := strict_mojibake(c, encoding)) is not None]
    assert len(pairs) > 400
    failed = [(c, m, repair(m)) for c, m in pairs if repair(m) != c]
    # left alone: two two-character clauses that are not dictionary words (排产, 上合): too
    # little evidence by themselves
    assert [c for c, _, _ in failed] == ["排产", "上合"]
    assert all(out == m for _, m, out in failed)


def test_seed_sentences_utf8_read_as_gbk():
    sentences = [s for text in SEEDS.values() for s in re.split(r"(?<=[。；;!！?？\n])", text) if s.strip()]
    pairs = [(s, m) for s in sentences if not s.isascii() and (m := strict_mojibake(s, "gb18030")) is not None]
    assert len(pairs) >= 8
    assert [repair(m) for _, m in pairs] == [s for s, _ in pairs]


@pytest.mark.parametrize("name", ["000", "001", "003", "004"])
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_whole_seed_gbk_read_as_latin1(name, encoding):
    text = SEEDS[name]
    try:
        damaged = text.encode("gbk").decode(encoding)
    except UnicodeDecodeError:
        pytest.skip("cp1252 cannot read every byte of this seed (0x81, 0x8D, 0x8F, 0x90, 0x9D)")
    result = mojibake.run(damaged, CONFIG, {})
    assert result.text == text
    assert {c.rule for c in result.changes} == {KIND2}


def test_traditional_seed_in_gbk_read_as_latin1():
    text = SEEDS["002"]  # Traditional characters in GBK: many pairs with an ASCII trail byte (發 = °l)
    assert repair(text.encode("gbk").decode("latin-1")) == text


def test_lost_bytes_leave_the_rest_repaired():
    # a real page: UTF-8 read as GB18030 with errors replaced; the characters around each
    # lost byte cannot be recovered exactly and stay as they are
    text = SEEDS["000"]
    damaged = text.encode("utf-8").decode("gb18030", "replace")
    result = mojibake.run(damaged, CONFIG, {})
    assert len(result.changes) > 300
    for change in result.changes:
        assert change.after in text  # nothing is guessed
    assert "江苏发布加快人工智能终端产业发展新政,GPU、TPU等被划重" in result.text
    assert repair(result.text) == result.text


# --- clean text stays as it is ------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_clean_seeds_unchanged(name):
    assert mojibake.run(SEEDS[name], CONFIG, {}).changes == ()
    assert repair(traditional(SEEDS[name])) == traditional(SEEDS[name])


@pytest.mark.parametrize("text", [
    "café naïve Müller Größe São Paulo Ångström über façade Zürich Ærøskøbing señor",
    "Þórður Guðjónsson, Reykjavík; Øresund; Åland; Ñoño; Straße, Fußgänger, Besançon, Curaçao",
    "ÀÉÎÕÜ ÄÖÜäöüß",
    "The Jiangsu plan (江苏省人工智能行动方案) was issued on 29 December 2025 by the provincial government.",
    "涓涓细流汇成江河,鍥而不舍,犇羴鱻龘靐",  # real rare characters, some of them kind-1 look-alikes
    "版权所有©2025 江苏省人民政府 ICP备案号",
    "气温25°C,湿度80%,3×3矩阵,±0.5",
    "约翰·史密斯 · 中国·江苏",
    "××市××局关于……的通知——全面推进“人工智能+”行动",
    "¼ ½ ¾ §3 ¶ µm ·· °§",
    "“”‘’…•–—™€",
    "",
    "plain ASCII only\n",
])
def test_clean_text_unchanged(text):
    result = mojibake.run(text, CONFIG, {})
    assert result.text == text and result.changes == ()


def test_genuine_symbols_next_to_real_mojibake():
    # the document proves GBK read as Latin-1, but ×× and °C were typed as they are
    text = "江苏省气温".encode("gbk").decode("latin-1") + " 25°C ××市"
    assert repair(text) == "江苏省气温 25°C ××市"


# --- properties ------------------------------------------------------------------------------
SEED_CHARS = sorted(set("".join(SEEDS.values())) - set("\r"))
TRAD_CHARS = sorted(set(traditional("".join(SEEDS.values()))) - set("\r"))
MOJIBAKE = [m for text in SEEDS.values() for c in clauses(text)[:30]
            for m in (strict_mojibake(c, "gb18030"), c.encode("gbk", "ignore").decode("latin-1")) if m]


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(SEED_CHARS), max_size=200))
def test_random_text_of_seed_characters_unchanged(text):
    assert repair(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(TRAD_CHARS), max_size=200))
def test_random_traditional_text_unchanged(text):
    assert repair(text) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SEED_CHARS) | st.sampled_from(MOJIBAKE)
                | st.sampled_from("ÄÖÜéèçñ°×·©鍙戝竷涓鐨銆鈥"), max_size=30))
def test_idempotent(parts):
    text = "".join(parts)
    result = mojibake.run(text, CONFIG, {})
    assert repair(result.text) == result.text
    rebuilt, position = [], 0  # the changes, applied to the input, give the output
    for change in result.changes:
        assert change.start >= position and text[change.start:change.end] == change.before
        rebuilt += [text[position:change.start], change.after]
        position = change.end
    assert "".join(rebuilt + [text[position:]]) == result.text


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_pipeline_cleans_a_mojibake_page_like_the_clean_one(name):
    from policyclean import clean

    text = SEEDS[name]
    page = text.encode("gbk").decode("latin-1").encode("utf-8")  # GBK read as Latin-1, saved as UTF-8
    assert clean(page).text == clean(text.encode("utf-8")).text


# --- the fast reading (kind-1 pieces only where a strong repair is possible) -------------------
def utf8_spans_by_decoding(raw: bytes) -> list[tuple[int, int]]:
    """The stretches a strict decoder reads without error: decode, and after each error again."""
    spans, position = [], 0
    while position < len(raw):
        try:
            raw[position:].decode("utf-8")
            spans.append((position, len(raw)))
            break
        except UnicodeDecodeError as error:
            if error.start:
                spans.append((position, position + error.start))
            position += error.end
    return spans


@pytest.mark.parametrize("raw, spans", [
    (b"", []),
    ("中a".encode(), [(0, 4)]),
    (b"\xe4\xb8\x41\xc3\xa9", [(2, 5)]),  # a sequence cut short: the decoder goes on at the A
    (b"\xed\xa0\x80\xc2", []),  # a surrogate (three lost bytes) and a lead byte at the end
    (b"\xf4\x90\x80\x80a\xf0\x9f\x98\x80", [(4, 9)]),  # past U+10FFFF; an emoji
])
def test_utf8_spans_examples(raw, spans):
    assert mojibake._utf8_spans(raw) == spans == utf8_spans_by_decoding(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(st.sampled_from(SEED_CHARS + list("鍙戝竷涓鐨銆鈥脠路贸")), max_size=30)
       .map(lambda t: t.encode("gb18030")))
def test_utf8_spans_are_the_decoders(raw):
    assert mojibake._utf8_spans(raw) == utf8_spans_by_decoding(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(SEED_CHARS + TRAD_CHARS + list("·×°ÄÖ\n")), max_size=120), st.data())
def test_run_around_is_the_whole_run(text, data):
    runs = [m.span() for m in mojibake._sets()["kind1_run"].finditer(text)]
    if runs:
        start, end = data.draw(st.sampled_from(runs))
        position = data.draw(st.integers(start, end - 1))
        assert mojibake._kind1_run_around(text, position) == (start, end)


# mojibake of every kind the stage repairs, also of mojibake, from text with letters the
# wrong readings turn into (Latin-1, Greek, Cyrillic, pinyin, box drawing)
SOURCE_CHARS = SEED_CHARS[::3] + TRAD_CHARS[::5] + list("·×°ÄÖéàüΑΩαωАЯаяāáǎàē─│")
READINGS = [
    lambda t: t.encode("utf-8").decode("gb18030", "replace"),
    lambda t: t.encode("gbk", "replace").decode("latin-1").encode("utf-8").decode("gb18030", "replace"),
    lambda t: t.encode("utf-8").decode("gb18030", "replace").encode("utf-8").decode("gb18030", "replace"),
    lambda t: t.encode("gbk", "replace").decode("cp1252", "replace").encode("utf-8").decode("gb18030", "replace"),
]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(SOURCE_CHARS), min_size=1, max_size=12), st.sampled_from(range(len(READINGS))),
       st.text(st.sampled_from(SEED_CHARS), max_size=6))
def test_candidate_pattern_in_every_run_with_a_strong_repair(source, reading, context):
    # the fast reading looks only at kind-1 runs holding the candidate pattern: every run
    # with a piece repaired on strong evidence must hold it
    text = context + READINGS[reading](source) + context
    candidate = mojibake._kind1_candidate_re()
    for start, end in mojibake._kind1_spans_complete(text):
        run = text[start:end]
        for i, j in mojibake._utf8_pieces(run):
            if mojibake._repair_run(run[i:j], KIND1) is not None:
                assert candidate.search(run), run


def test_candidate_pattern_examples():
    candidate = mojibake._kind1_candidate_re()
    assert candidate.search("浜哄伐鏅鸿兘")  # 人工智能: a B (3-byte lead, continuation byte) then more
    once = "人工智能".encode("gbk").decode("latin-1").encode("utf-8").decode("gb18030")
    assert candidate.search(once)  # Latin-1 letters only (2-byte UTF-8): four of them
    twice = "一批".encode("gbk").decode("latin-1").encode("utf-8").decode("gb18030")
    assert twice == "脪禄脜煤" and repair(twice) == "一批"  # exactly four: enough
    for clean in ["道路协同", "实施路", "妈妈买了马", "江苏省人民政府"]:  # 路 妈 买 马: kind-1 lead characters
        assert candidate.search(clean) is None
    assert candidate.search("全鏈條") and repair("全鏈條") == "全鏈條"  # a candidate; the exact test says no
    # a 3-byte sequence and an ASCII byte (B then D0) need a third character, after or before
    assert candidate.search("中Aé".encode().decode("gb18030"))  # 涓瑼茅
    assert candidate.search("é中A".encode().decode("gb18030"))  # 茅涓瑼
    assert candidate.search("中A".encode().decode("gb18030")) is None  # 涓瑼: one CJK at most


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SEED_CHARS) | st.sampled_from(TRAD_CHARS) | st.sampled_from(MOJIBAKE)
                | st.sampled_from(["ÄÖÜé", "°×·©", "……", "——", "鍙戝竷", "路路路路", "\n"]), max_size=30))
def test_fast_and_complete_readings_agree(parts):
    text = "".join(parts)
    assert mojibake._repairs(text) == mojibake._repairs(text, complete=True)


def test_latin1_inside_a_candidate():
    # 中塤 as UTF-8 read as GBK: 涓\ue15e·, whose only Latin-1 character is part of the candidate
    assert mojibake._kind1_candidates("中塤".encode().decode("gb18030")) == ([0], True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SEED_CHARS) | st.sampled_from(TRAD_CHARS) | st.sampled_from(MOJIBAKE)
                | st.sampled_from(["é", "·", "×", "©", "°", "\x85", "鍙戝竷", "路路路路", "\n"]), max_size=30))
def test_one_scan_finds_candidates_and_latin1(parts):
    # one scan: where the candidate pattern starts, and whether there is a Latin-1 character
    # (also one inside a candidate: GBK has · × é)
    text = "".join(parts)
    candidate = mojibake._kind1_candidate_re()
    assert mojibake._kind1_candidates(text) == ([m.start() for m in candidate.finditer(text)],
                                                bool(re.search("[\x80-\xff]", text)))


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ÄÖÜéèçñ°×·©¹ú€“”…—™•Ÿ\x81\x85abcAZ09 中\n"), max_size=40))
def test_kind2_pattern_is_pairs_repeated(text):
    # the kind-2 pattern starts with a character class (re then scans in C): the same as (?:pair)+
    pair = mojibake._sets()["kind2_run"].pattern
    pair = pair[:pair.index("(?:")]
    plain = re.compile(f"(?:{pair})+")
    assert ([m.span() for m in mojibake._sets()["kind2_run"].finditer(text)]
            == [m.span() for m in plain.finditer(text)])
