"""t2s: per-paragraph script detection; only Traditional paragraphs go through OpenCC."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import normalise, script
from policyclean.data import tables_dir
from policyclean.model import Config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONFIG = Config()


def seed(prefix: str) -> str:
    raw = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return normalise.run(raw, CONFIG, {}).text


def t2s(text: str, **overrides) -> str:
    return script.run(text, CONFIG.with_overrides(**overrides) if overrides else CONFIG, {}).text


def traditional_only(text: str) -> str:
    tables = script._load(str(tables_dir()))
    return "".join(m.group() for m in tables.traditional.finditer(text))


@pytest.fixture(scope="module")
def out002():
    return script.run(seed("002"), CONFIG, {})


@pytest.fixture(scope="module")
def out004():
    return script.run(seed("004"), CONFIG, {})


def test_seed_002_is_converted(out002):
    text = out002.text
    assert out002.data == {"script": "traditional"}
    for word in ("体系", "制度", "机制", "全面", "负面清单", "修复", "苏政发〔2025〕108号", "制高点"):
        assert word in text, word
    for wrong in ("體係", "製度", "機製", "全麵", "負麵", "修複", "蘇政發", "体係", "机製"):
        assert wrong not in text, wrong
    assert "生态修复等" in text
    assert "省政府关于印发关键词1省" in text             # the placeholder itself is untouched
    assert "健全关键词1自贸试验区数据出境负面清单管理体系" in text
    assert "一、总体目标" in text and "二、重点行动" in text  # short headings follow the document
    assert traditional_only(text) == ""


def test_seed_004_is_converted(out004):
    text = out004.text
    assert out004.data == {"script": "traditional"}
    assert "党中央、国务院关于发展人工智能的决策部署" in text
    assert "平台" in text and "平臺" not in text
    assert "4.防范安全风险" in text                          # 防范 stays 防范
    assert "数据采集" in text
    assert text.startswith("C114讯 5月23日消息(兰茜)近日,天津市人民政府办公厅印发")
    assert traditional_only(text) == ""


def test_seed_changes_report_paragraphs(out002):
    source = seed("002")
    assert len(out002.changes) == 52                   # 55 lines; 3 have nothing to convert
    for change in out002.changes:
        assert source[change.start:change.end] == change.before
        assert change.rule == "t2s"
        assert change.why.startswith("paragraph is Traditional:")
    first = out002.changes[0]
    assert first.before.startswith("| 索 引 號:") and first.after.startswith("| 索 引 号:")
    assert "converted 52 Traditional paragraph(s)" in out002.summary


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_simplified_seeds_pass_unchanged(prefix):
    text = seed(prefix)
    result = script.run(text, CONFIG, {})
    assert result.text == text and not result.changes
    assert result.data == {"script": "simplified"}


def test_simplified_place_names_are_safe():
    text = "吉林省乾安县人民政府发布通知,乾隆年间的建筑得到保护。\n"
    assert t2s(text) == text
    assert t2s(text, t2s="always") != text   # what t2s would do to it (干安县): why auto is the default


def test_stray_traditional_character_in_simplified_document():
    # Simplified paragraphs are not run through t2s; a stray Traditional-only character in
    # them is converted on its own (乾 is no evidence and is never touched).
    text = "关于加快人工智能终端产业发展的实施意见\n这是一个關键的问题,需要认真研究。\n一、髮型\n吉林省乾安县的髮廊\n"
    result = script.run(text, CONFIG, {})
    assert result.text == "关于加快人工智能终端产业发展的实施意见\n这是一个关键的问题,需要认真研究。\n一、发型\n吉林省乾安县的发廊\n"
    assert result.data == {"script": "simplified"}
    assert [(c.before, c.after, c.rule) for c in result.changes] == [
        ("關", "关", "t2s:stray"), ("髮", "发", "t2s:stray"), ("髮", "发", "t2s:stray")]
    for change in result.changes:
        assert text[change.start:change.end] == change.before


def test_no_traditional_only_character_survives():
    tables = script._load(str(tables_dir()))
    everything = "".join(sorted(tables.traditional_chars))
    for text in (everything, "近日,江苏发布新政。" + everything[:50], "发展" * 30 + everything[100:102]):
        assert traditional_only(t2s(text)) == ""


def test_short_traditional_heading_follows_the_document():
    text = "為貫徹落實黨中央、國務院關於深入實施行動部署要求。\n二、總體目標\n三、政策支持\n"
    assert t2s(text) == "为贯彻落实党中央、国务院关于深入实施行动部署要求。\n二、总体目标\n三、政策支持\n"


def test_mixed_document():
    text = "近日,江苏省发布了行动方案。\n為貫徹落實黨中央、國務院關於深入實施部署。\n"
    result = script.run(text, CONFIG, {})
    assert result.text == "近日,江苏省发布了行动方案。\n为贯彻落实党中央、国务院关于深入实施部署。\n"
    assert result.data == {"script": "mixed"}


def test_no_han():
    result = script.run("Hello, world.\n", CONFIG, {})
    assert result.text == "Hello, world.\n" and result.data == {"script": "none"}


@pytest.mark.parametrize("raw, expected", [
    ("隨著經濟發展,體係逐步完善。", "随着经济发展,体系逐步完善。"),
    ("緊接著召開會議,會議意味著新階段。", "紧接着召开会议,会议意味着新阶段。"),
    ("圍繞著目標,本著實事求是的原則。", "围绕着目标,本着实事求是的原则。"),
    ("著力推進,著眼長遠,著手實施,著重發展。", "着力推进,着眼长远,着手实施,着重发展。"),
    ("執著追求,沉著應對。", "执着追求,沉着应对。"),
    ("這是甚麼問題?", "这是什么问题?"),
    # 著 stays in 著作, 显著, 著名 — also right after a fixed word
    ("著作權保護效果顯著,著名企業代表著名單位發言。", "著作权保护效果显著,著名企业代表著名单位发言。"),
])
def test_zhe_phrase_fixes(raw, expected):
    assert t2s(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("鏈主企業帶動產業鍊上下遊協同發展。", "链主企业带动产业链上下游协同发展。"),
    ("形成一批可覆製、可推廣的經驗。", "形成一批可复制、可推广的经验。"),
    ("積極藉鑒國際經驗。", "积极借鉴国际经验。"),
    ("提煉精華,煉鋼工藝。", "提炼精华,炼钢工艺。"),  # a real 炼 stays
])
def test_naive_pick_fixes(raw, expected):
    """Wrong picks of naive converters that OpenCC leaves (found on held-out text by bench/quality.py)."""
    assert t2s(raw) == expected


def test_phrase_fix_has_its_own_change():
    result = script.run("隨著經濟發展", CONFIG, {})
    assert [(c.before, c.after, c.rule) for c in result.changes] == [
        ("隨著", "随着", f"t2s_fixes.tsv:{_fix_line('随著')}"), ("經濟發展", "经济发展", "t2s")]


def _fix_line(word: str) -> int:
    lines = (tables_dir() / "t2s_fixes.tsv").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if line.startswith(word + "\t"))


def test_fixes_only_on_converted_paragraphs():
    text = "随著时间推移,情况有所变化。\n"  # a Simplified line that happens to write 著: left alone
    assert t2s(text) == text


def test_region_options():
    text = "這個軟體的資訊處理能力很強,接著開始測試。\n"
    assert t2s(text) == "这个软体的资讯处理能力很强,接着开始测试。\n"
    assert t2s(text, region="tw") == "这个软件的信息处理能力很强,接着开始测试。\n"
    assert t2s(text, region="hk").startswith("这个软体")


def test_never_detects_only():
    text = seed("004")
    result = script.run(text, CONFIG.with_overrides(t2s="never"), {})
    assert result.text == text and not result.changes
    assert result.data == {"script": "traditional"}


def test_always_converts_every_paragraph():
    text = "近日,江苏发布新政。\n关於這個問題\n"
    assert t2s(text, t2s="always") == "近日,江苏发布新政。\n关于这个问题\n"


_chars = list("體係製度機製全麵負麵修複關于平臺發展國務院隨著著名顯著乾隆吉林省乾安县关键词1"
              "体系制度机制全面负面修复关于平台发展国务院随着人工智能,。、 \nabcXYZ123")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_chars), min_size=1, max_size=25), max_size=6))
def test_idempotent(lines):
    text = "\n".join(lines)
    once = t2s(text)
    assert t2s(once) == once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_chars), min_size=1, max_size=25), max_size=6))
def test_changes_point_into_the_input(lines):
    text = "\n".join(lines)
    result = script.run(text, CONFIG, {})
    for change in result.changes:
        assert text[change.start:change.end] == change.before


# --- the bulk evidence of run() agrees with the per-line definition (_evidence) -----------------

_TABLES = script._load(str(tables_dir()))
# Traditional-only and Simplified-only characters, characters GB2312 or Big5 classify the other way
# than the tables (後 is Traditional-only but in GB2312; 机 体 与 广 are Simplified-only but in Big5;
# — and ? are in neither set but GB2312 lacks —), weak characters, astral members of both sets,
# other astral characters, a lone surrogate, the never-evidence word 关键词 and line breaks.
_evidence_tokens = (list("體係製機麵負複關於臺發國務隨後拚摺菸醣麴乾著於瞭藉"
                         "体系制机面负复关于台发国务随后与优广着构异网群床气们这说"
                         "—?？·、,。 a1\n\n")
                    + ["𥕥", "𢣚", "𪵣", "𫄣", "😀", "𠀀", "\ud800", "关键词", "关键词1", "\n"])


def _reference_decisions(text: str) -> tuple[str, list[int], list[int], dict[int, tuple[int, int]]]:
    """run()'s decisions as the stage first defined them: evidence of every line, the
    document's majority as prior, a label per line."""
    lines = text.split("\n")
    evidence = [script._evidence(line, _TABLES) if line else (0, 0) for line in lines]
    prior = sum(t for t, _ in evidence) > sum(s for _, s in evidence)
    labels = ["traditional" if script._is_traditional(t, s, prior) else "simplified" if t or s else "none"
              for t, s in evidence]
    found = set(labels) - {"none"}
    scr = "mixed" if len(found) == 2 else (found.pop() if found else "simplified")
    traditional = [i for i, label in enumerate(labels) if label == "traditional"]
    strays = [i for i, label in enumerate(labels) if label != "traditional" and evidence[i][0]]
    return scr, traditional, strays, {i: e for i, e in enumerate(evidence) if e[0]}


def _bulk_decisions(text: str) -> tuple[str, list[int], list[int], dict[int, tuple[int, int]]]:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    document = script._document_evidence(lines, offsets, text, _TABLES)
    return document.script, document.traditional, document.strays, document.evidence


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_evidence_tokens), max_size=80))
def test_bulk_evidence_matches_the_definition(tokens):
    text = "".join(tokens)
    assert _bulk_decisions(text) == _reference_decisions(text)


@pytest.mark.parametrize("text", [
    "二、總體目標\n近日,江苏发布新政,这是们说。\n",        # (2, 0) heading: Traditional whatever the prior
    "關\n这是\n",                                          # (1, 0): the prior decides; Simplified wins
    "關\n體係\n这\n",                                      # (1, 0): the prior decides; Traditional wins
    "關\n关键词关键词关键词\n",                            # Simplified only inside the ignored word
    "後\n後來\n机体与广\n",                                # characters the codecs classify the other way
    "𥕥𢣚\n𪵣\n😀\n",                                       # astral members of both sets
    "",
])
def test_bulk_evidence_examples(text):
    assert _bulk_decisions(text) == _reference_decisions(text)


def test_codec_counts_every_bmp_character_right():
    """Each BMP character, alone on a line, counts as what the tables say it is."""
    chars = [chr(c) for c in range(0x10000) if c != 0x0A]
    trad, simp = _TABLES.evidence_count.per_line("\n".join(chars))
    assert trad == [int(c in _TABLES.traditional_chars) for c in chars]
    assert simp == [int(bool(_TABLES.simplified.bmp.search(c))) for c in chars]
    assert _TABLES.evidence_count.simplified.total("".join(chars)) == sum(simp)


def test_codec_counts_astral_characters():
    text = "𥕥a𪵣\n😀𢣚𢣚\n\n𠀀"
    assert _TABLES.evidence_count.per_line(text) == ([1, 2, 0, 0], [1, 0, 0, 0])
    assert _TABLES.evidence_count.simplified.total(text) == 1


_fix_words = sorted(_TABLES.fixes)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_fix_words + list("著名作代表随向甚么炼覆制藉鉴的一\n")), max_size=30))
def test_fix_anchors_find_every_line_a_fix_changes(tokens):
    lines = "".join(tokens).split("\n")
    may_fix = script._lines_with_fix_anchor(lines, "\n".join(lines), _TABLES)
    for index, line in enumerate(lines):
        fixed, _ = script._apply_fixes(line, line, 0, _TABLES, "t2s", "")
        if fixed != line:
            assert index in may_fix


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_evidence_tokens), max_size=60), st.integers(-2, 40), st.integers(1, 7))
def test_at_least_agrees_with_the_total(tokens, limit, chunk):
    text = "".join(tokens)
    counter = _TABLES.evidence_count.simplified
    assert counter.at_least(text, limit, chunk=chunk) == (counter.total(text) >= limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["关键词", "关键", "键词", "关", "a", "\n"]), max_size=40))
def test_lines_containing(tokens):
    text = "".join(tokens)
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    expected = {i for i, line in enumerate(lines) if "关键词" in line or "a" in line}
    assert script._lines_containing(text, offsets, ("关键词", "a")) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_chars + ["甚麼", "隨著", "關", "髮", "\n"]), max_size=80))
def test_count_only_mode_agrees_with_records(tokens):
    """Config(max_changes=0) builds no Change but gives the same text, data, summary and count."""
    text = "".join(tokens)
    full = script.run(text, CONFIG, {})
    counted = script.run(text, CONFIG.with_overrides(max_changes=0), {})
    assert (counted.text, counted.data, counted.summary) == (full.text, full.data, full.summary)
    assert counted.changes == () and (counted.count or 0) == len(full.changes)
