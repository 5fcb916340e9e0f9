"""punct: the agreed rule — ASCII , ; : ? ! ( ) inside Chinese text become Chinese punctuation."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import normalise, punct
from policyclean.model import Config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONFIG = Config()


def fix(text: str) -> str:
    return punct.run(text, CONFIG, {}).text


@pytest.mark.parametrize("raw, expected", [
    # the rule's own examples
    ("责编: 赵碧莹", "责编：赵碧莹"),
    ("发布日期: 2026-01-07", "发布日期：2026-01-07"),
    ("芯片(SoC)", "芯片（SoC）"),
    ("(2025—2027年)", "（2025—2027年）"),
    ("(一)", "（一）"),
    # typical seed lines
    ("提出力争到2027年,江苏人工智能终端产业", "提出力争到2027年，江苏人工智能终端产业"),
    ("(一)人工智能手机。", "（一）人工智能手机。"),
    ("加快突破高端系统级芯片(SoC)及基带芯片", "加快突破高端系统级芯片（SoC）及基带芯片"),
    ("以下是该实施意见的具体内容:", "以下是该实施意见的具体内容："),
    ("利好!八部门联合发布", "利好！八部门联合发布"),
    ("应用;到2030年", "应用；到2030年"),
    ("是否可行?", "是否可行？"),
    ("其中,“芯片”作为关键词", "其中，“芯片”作为关键词"),
    ("各市、县(市、区)人民政府,省各委办厅局:", "各市、县（市、区）人民政府，省各委办厅局："),
    ("(以下简称《观点》)。", "（以下简称《观点》）。"),
    ("智能计算芯片(GPU)、张量处理单元(TPU)", "智能计算芯片（GPU）、张量处理单元（TPU）"),
    ("《方案》(2025—2027年)(征求意见稿)》", "《方案》（2025—2027年）（征求意见稿）》"),
    ("C114讯 5月23日消息(兰茜)近日,天津", "C114讯 5月23日消息（兰茜）近日，天津"),
    ("来源:爱集微 #政策#", "来源：爱集微 #政策#"),
    # a mark between a Chinese one and a Latin word: the Chinese side decides
    ("（GPU）,TPU", "（GPU），TPU"),
    ("网址:http://www.gov.cn", "网址：http://www.gov.cn"),
    ("联系邮箱:ai@example.com", "联系邮箱：ai@example.com"),
    ("中,,x", "中，，x"),                           # a mark next to a converted mark converts too
    ("（一)人工智能", "（一）人工智能"),              # half-converted pair
    # a number between the mark and Chinese text (held-out web pages made ASCII)
    ("（一）新建居住区不低于30%;", "（一）新建居住区不低于30%；"),
    ("覆盖率达到100%;\n下一行", "覆盖率达到100%；\n下一行"),
    ("GDP增长5%;CPI上涨2%", "GDP增长5%；CPI上涨2%"),
    ("截至2025:", "截至2025："),
    # Han right after ), ( at the line start or after Chinese punctuation (held-out web pages)
    ("(1)购房合同；", "（1）购房合同；"),
    ("平台”(https://kj.example.gov.cn)在线申报", "平台”（https://kj.example.gov.cn）在线申报"),
    ("，(2)租赁住房的", "，（2）租赁住房的"),
    ("(1)60至79周岁老年人，每餐补贴3元；", "（1）60至79周岁老年人，每餐补贴3元；"),
    # a space outside a pair with no Chinese beyond it parts table columns: it stays
    ("占GDP比重(%) 9.2 13 预期性", "占GDP比重（%） 9.2 13 预期性"),
    ("比重 (说明) 中文", "比重（说明）中文"),
])
def test_converted(raw, expected):
    assert fix(raw) == expected


@pytest.mark.parametrize("text", [
    "营业收入突破1,000亿元",
    "增长3.5个百分点",
    "上午10:30召开",
    "2025-12-29",
    "推动3-5个通用大模型",
    "AR/VR设备、5G/6G网络",
    "详见http://www.gov.cn/zhengce/a.html?id=1,2",
    "mail: ai@example.com, web: www.gov.cn",
    "This is a Latin sentence, with a colon: and a question? Yes! (really)",
    "推出AI手机...",
    "\"人工智能+\"行动",
    "1.促进科学研究范式变革。",
    "支持CPU,GPU等芯片",                          # both neighbours Latin
    "芯片 (SoC) 及",                              # no Han inside, and a space before (
    "(SoC)",
    "f(x)的值",                                    # a Latin letter before (
    "工作日9:00—12:00,14:30—17:30",                # a mark between two digits is the numbers'
    "version 2.0; ok",                             # a number with no Chinese beyond it
    "上午9:30;",                                   # 9:30 is no number of digits . %
    "(1) 购房合同",                                 # a space after )
    "2025(1)号文",                                  # a digit before (
    "(1)60 kg",                                     # no Han after the number
    "省政府关于印发关键词1省“人工智能+”行动方案的通知",
])
def test_untouched(text):
    result = punct.run(text, CONFIG, {})
    assert result.text == text and not result.changes


def test_chinese_punctuation_line_is_unchanged():
    line = "（一）人工智能手机。加快突破高端系统级芯片（SoC）及基带芯片，推动端侧人工智能交互：提升体验；是否？是！\n"
    result = punct.run(line, CONFIG, {})
    assert result.text is line and not result.changes


def test_keep_option():
    text = "到2027年,江苏"
    assert punct.run(text, CONFIG.with_overrides(punct="keep"), {}).text == text


def test_changes_per_mark():
    text = "到2027年,江苏\n责编: 赵碧莹\n(一)人工"
    result = punct.run(text, CONFIG, {})
    assert [(c.start, c.before, c.after, c.rule) for c in result.changes] == [
        (6, ",", "，", "punct"), (12, ": ", "：", "punct"), (18, "(", "（", "punct"), (20, ")", "）", "punct")]
    for change in result.changes:
        assert text[change.start:change.end] == change.before


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seeds_keep_numbers_and_are_idempotent(prefix):
    raw = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    text = normalise.run(raw, CONFIG, {}).text
    once = fix(text)
    assert fix(once) == once
    assert once.count("\n") == text.count("\n")
    for line in once.split("\n"):
        # every ASCII comma left stands between two non-Chinese characters
        for i, char in enumerate(line):
            if char == ",":
                assert not ("\u4e00" <= line[i - 1] <= "\u9fff" or "\u4e00" <= line[i + 1:i + 2] <= "\u9fff")


def test_seed_004_sample():
    raw = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    text = fix(normalise.run(raw, CONFIG, {}).text)
    assert "人工智能基礎核心企業營業收入突破1000億元，形成3至4個特色產業聚集區" in text
    assert "開源指令集（RISC-V）架構" in text
    assert "提升核心能力；開展“人工智能+”行動" in text


_alphabet = list("中文人工智能,;:?!()（），。：“” abcSoC1,000.10:30/-\"")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_alphabet), max_size=40))
def test_idempotent(text):
    once = fix(text)
    assert fix(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_alphabet), max_size=40))
def test_changes_point_into_the_input(text):
    result = punct.run(text, CONFIG, {})
    for change in result.changes:
        assert text[change.start:change.end] == change.before


_chain_alphabet = list("體係製度關于發展國務院隨著著名乾安县吉林省关键词1人工智能业务,;:?!()（）。，“” \n\r\t"
                       "\u3000\u200b﹒２yèāgōng SoC1,000.10:30")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_chain_alphabet), max_size=50))
def test_text_stages_together_are_idempotent(text):
    # normalise → pinyin → t2s → punct, as the pipeline runs them: a second run changes nothing
    from policyclean import pinyin, script

    def chain(value: str) -> str:
        for stage in (normalise, pinyin, script, punct):
            value = stage.run(value, CONFIG, {}).text
        return value

    once = chain(text)
    assert chain(once) == once


PUNCT_TEXT = st.text(alphabet="中文年,;:?!()（）， 1aZ.\n", max_size=60)


@settings(max_examples=400, deadline=None)
@given(PUNCT_TEXT)
def test_fast_paths_agree_with_the_general_rule(text):
    """The regex fast paths (lone marks, innermost pairs) give exactly what the general code gives."""
    import dataclasses
    import re as stdlib_re

    from policyclean.data import tables_dir

    table = punct._load(str(tables_dir()))
    never = stdlib_re.compile("(?!)")
    # every lone mark kept for the general code, no pair converted by pass 1
    general = dataclasses.replace(table, kept_by_mark={m: stdlib_re.compile(stdlib_re.escape(m)) for m in table.kept_by_mark},
                                  pair_split_re=never)
    fast_result = punct.run(text, Config(), {})
    original_load = punct._load
    try:
        punct._load = lambda directory: general
        general_result = punct.run(text, Config(), {})
    finally:
        punct._load = original_load
    assert fast_result.text == general_result.text


@settings(max_examples=300, deadline=None)
@given(PUNCT_TEXT)
def test_counting_without_records_gives_the_same_text_and_count(text):
    """max_changes=0 takes the C-level path; the text and the count must not change."""
    recorded = punct.run(text, Config(), {})
    counted = punct.run(text, Config(max_changes=0), {})
    assert counted.text == recorded.text
    assert counted.changes == ()
    assert (counted.count or 0) == len(recorded.changes)


def test_summary_order_of_equal_counts():
    # records: marks in order of first use; count only: in the table's order of marks (, before :)
    text = "中:中,中"
    assert punct.run(text, Config(), {}).summary == "converted to Chinese punctuation: 1× :→：, 1× ,→，"
    assert punct.run(text, Config(max_changes=0), {}).summary == "converted to Chinese punctuation: 1× ,→，, 1× :→："


def test_pair_and_lone_mark_offsets():
    text = "甲(乙)丙,丁\nx (y) 中(文)!"
    result = punct.run(text, Config(), {})
    assert result.text == "甲（乙）丙，丁\nx (y) 中（文）！"
    assert [(c.start, c.before) for c in result.changes] == [(1, "("), (3, ")"), (5, ","), (15, "("), (17, ")"), (18, "!")]
    assert punct.run(text, Config(max_changes=0), {}).count == 6


# --- the implementation this stage had before it was made fast, kept as the reference ------------

def _reference(text: str, record: bool) -> tuple:
    """(text, changes, count, summary) as the former code computed them (regexes rebuilt from the table)."""
    import re

    from policyclean.data import tables_dir

    table = punct._load(str(tables_dir()))
    if not table.mark_re.search(text):
        return text, (), None, ""
    han = punct._HAN
    marks = "".join(map(re.escape, sorted(table.to)))
    parens = re.escape("()" + table.to["("] + table.to[")"])
    lone = "".join(map(re.escape, sorted(set(table.to) - {"(", ")"})))
    context = f"{han}{''.join(map(re.escape, sorted(table.chinese)))}"
    lone_re = re.compile(f"(?<=[{context}])[{lone}](?=[^ \n{marks}]|$)|(?<=[^ \n{marks}])[{lone}](?=[{context}])",
                         re.MULTILINE)
    pair_re = re.compile(f"(?<! )\\((?! )([^{parens}\\n]*)(?<! )\\)(?! )")
    by_mark = {m: re.compile(f"{re.escape(m)}(?:(?<=[{context}]{re.escape(m)})(?=[^ \\n{marks}]|$)|"
                             f"(?<=[^ \\n{marks}]{re.escape(m)})(?=[{context}]))", re.MULTILINE)
               for m in sorted(set(table.to) - {"(", ")"})}
    counts: dict = {}
    changes: list = []

    def lone_mark(match):
        mark = match.group()
        counts[mark] = counts.get(mark, 0) + 1
        changes.append((match.start(), match.end(), mark, table.to[mark], "punct", table.why[mark]))
        return table.to[mark]

    def pair(match):
        start, end = match.start(), match.end()
        after = end
        while after < len(text) and text[after] in "0123456789.%‰":
            after += 1
        after_han = bool(table.han_re.match(text, after))
        line_start_or_punct = (not start or text[start - 1] == "\n" or text[start - 1] in table.chinese
                               or text[start - 1] in table.to)
        if not (table.han_re.search(match.group(1)) or (start and table.han_re.match(text, start - 1))
                or (after_han and line_start_or_punct)):
            return match.group()
        for at, mark in ((start, "("), (end - 1, ")")):
            counts[mark] = counts.get(mark, 0) + 1
            if record:
                changes.append((at, at + 1, mark, table.to[mark], "punct", table.why[mark]))
        return table.to["("] + match.group(1) + table.to[")"]

    def convert_run(line, run, chosen):
        found = [(m.start() + run.start(), m.group()) for m in table.mark_re.finditer(run.group())]
        left = run.start() > 0 and line[run.start() - 1]
        right = run.end() < len(line) and line[run.end()]

        def chinese(char):
            return bool(char) and (char in table.chinese or bool(table.han_re.match(char)))

        def beyond_number(at, step):  # the first character past the number starting at `at`
            while 0 <= at < len(line) and line[at] in "0123456789.%‰":
                at += step
            return line[at] if 0 <= at < len(line) else ""

        numbers = not (bool(left) and bool(right) and left.isdigit() and right.isdigit())
        def han(char):
            return bool(char) and bool(table.han_re.match(char))

        chinese_left = chinese(left) or (numbers and bool(left) and left in "0123456789.%‰"
                                         and han(beyond_number(run.start() - 1, -1)))
        chinese_right = chinese(right) or (numbers and bool(right) and right in "0123456789.%‰"
                                           and han(beyond_number(run.end(), 1)))
        converted = [at in chosen for at, _ in found]
        changed = True
        while changed:
            changed = False
            for i, (_, mark) in enumerate(found):
                if converted[i] or mark in "()":
                    continue
                if (converted[i - 1] if i else chinese_left) or (converted[i + 1] if i + 1 < len(found) else chinese_right):
                    converted[i] = changed = True
        pieces, last = [], run.start()
        for i, (at, mark) in enumerate(found):
            gap = line[last:at]
            keep_gap = i == 0 and mark == "(" and not chinese_left  # a table column before a pair
            if gap and (not ((i and converted[i - 1]) or converted[i]) or keep_gap):
                pieces.append(gap)
            pieces.append(table.to[mark] if converted[i] else mark)
            last = at + 1
        if last < run.end() and (not converted[-1] or (found[-1][1] == ")" and not chinese_right)):
            pieces.append(line[last:run.end()])
        return "".join(pieces), [mark for (_, mark), done in zip(found, converted) if done]

    text = pair_re.sub(pair, text)
    if record:
        text = lone_re.sub(lone_mark, text)
    else:
        for mark, pattern in by_mark.items():
            text, n = pattern.subn(table.to[mark], text)
            counts[mark] = counts.get(mark, 0) + n
    made = sum(counts.values())
    out, offset = [], 0
    for line in text.split("\n"):
        if not table.mark_re.search(line) or not table.context_re.search(line):
            out.append(line)
            offset += len(line) + 1
            continue
        chosen = punct._converted_parens(line, table)
        pieces, last = [], 0
        for run in table.run_re.finditer(line):
            after, converted = convert_run(line, run, chosen)
            if after == run.group():
                continue
            for mark in converted:
                counts[mark] = counts.get(mark, 0) + 1
            made += 1
            if record:
                rows = ", ".join(f"{m}→{table.to[m]} {table.where[m]}" for m in dict.fromkeys(converted))
                changes.append((offset + run.start(), offset + run.end(), run.group(), after, "punct",
                                f"ASCII punctuation inside Chinese text ({rows})"))
            pieces += [line[last:run.start()], after]
            last = run.end()
        pieces.append(line[last:])
        out.append("".join(pieces))
        offset += len(line) + 1
    if not made:
        return text, (), None, ""
    changes.sort(key=lambda change: change[0])
    summary = "converted to Chinese punctuation: " + ", ".join(
        f"{n}× {mark}→{table.to[mark]}" for mark, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n)
    return "\n".join(out), tuple(changes), made, summary


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="中文年,,;:?!()（），。 1aZ.\n", max_size=60), st.sampled_from([None, 0]))
def test_same_as_the_former_implementation(text, max_changes):
    result = punct.run(text, Config(max_changes=max_changes), {})
    assert (result.text, tuple(map(tuple, result.changes)), result.count, result.summary) == \
        _reference(text, max_changes != 0)
