"""Stage 'boilerplate': site chrome removed, every body line kept (issue 4, part 1).

SEED_LINES below records, for EVERY non-blank line of every seed, whether it is kept in
keep="article" and keep="document" (from /work/seed_decisions.md, checked by hand
against the seeds). test_extract.py imports it for the end-to-end checks of both modes.
"""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyclean import boilerplate
from policyclean.data import read_tsv
from policyclean.errors import TableError
from policyclean.model import Config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {path.name[:3]: path for path in (ROOT / "seeds").glob("0*.txt")}
EXPECTED = ROOT / "tests" / "expected"
CHROME_TSV = ROOT / "corrections" / "boilerplate" / "chrome.tsv"
CONFIG = Config()

K, D = "keep", "drop"
# seed -> {seed line number: (article, document)}; "meta" = the portal table, removed by the
# metadata stage before boilerplate runs (not this stage's input); "K-dateline" = kept without
# its dateline prefix (the extract stage removes it).
def _lines(*spec):
    table = {}
    for numbers, article, document in spec:
        for n in numbers:
            table[n] = (article, document)
    return table


SEED_LINES: dict[str, dict[int, tuple[str, str]]] = {
    "000": _lines(
        ([1], K, D),  # headline of the news article
        ([3], D, D),  # 来源:爱集微 #政策# #江苏# #芯片#
        ([4], D, D),  # 1194 (view counter)
        ([6, 8], K, D),  # news lead
        ([10], K, D),  # marker 以下是该实施意见的具体内容:
        (range(12, 69, 2), K, K),  # the document's body (12, 14, ..., 68)
        ([71], K, K),  # 2025年12月19日, the document's date
        ([73], D, D),  # 责编: 赵碧莹
        ([74], D, D),  # 来源:… again
        ([75], D, D),  # THE END
        ([77], D, D),  # *此内容为集微网原创,…
        ([79], D, D),  # 关闭
        ([80], D, D),  # 加载
        ([82], D, D),  # PDF 加载中...
    ),
    "001": _lines(
        ([1], K, D),  # one-line news lead
        ([2], K, D),  # marker 以下是该征求意见稿的具体内容:
        (range(3, 37), K, K),  # the document
        ([37], D, D),  # 评论
        ([38], D, D),  # 文明上网理性发言,…
        ([39], D, D),  # 登录参与评论
        ([40], D, D),  # 0/1000
    ),
    "002": _lines(
        (range(1, 7), "meta", "meta"),  # | 索 引 號: | … | 時 效: |
        (range(7, 56), K, K),  # the notice and the plan, incl. signature, date, (此件公開發布)
    ),
    "003": _lines(
        ([1], D, D),  # 利好!八部门联合发布 (clickbait head)
        ([3], D, D),  # 发布日期: 2026-01-07
        ([5], K, D),  # news lead 1月7日,…(以下简称《观点》)。
        (range(7, 20, 2), K, D),  # lead paragraphs repeating the body
        (range(21, 76, 2), K, K),  # the document
    ),
    "004": _lines(
        ([1], "K-dateline", D),  # C114訊 5月23日消息(蘭茜)近日,…
        ([2, 3, 4], K, D),  # news lead
        ([5], K, D),  # marker 以下為《方案》原文:
        (range(6, 37), K, K),  # title, (2025—2027年), the document
    ),
}

_T2S = opencc.OpenCC("t2s")


def seed_lines(number: str, restored: bool = False) -> list[tuple[int, str]]:
    """(seed line number, line) of the non-blank lines, as the stages before boilerplate leave them:
    stripped (normalise), Simplified (t2s) for the Traditional seeds 002 and 004; for 003 the
    de-spun text tests/expected/003.restored.txt when ``restored`` (else the spun seed)."""
    raw = SEEDS[number].read_text(encoding="utf-8").splitlines()
    numbered = [(n, line.strip()) for n, line in enumerate(raw, start=1) if line.strip()]
    if number == "003" and restored:
        fixed = (EXPECTED / "003.restored.txt").read_text(encoding="utf-8").splitlines()
        assert len(fixed) == len(numbered)
        numbered = [(n, line) for (n, _), line in zip(numbered, fixed)]
    if number in ("002", "004"):
        numbered = [(n, _T2S.convert(line)) for n, line in numbered]
    return numbered


def seed_input(number: str, restored: bool = False) -> tuple[list[int], str]:
    """The boilerplate stage's input for a seed: its line numbers and its text (002 without the
    metadata table, which the metadata stage removes first)."""
    numbered = [(n, line) for n, line in seed_lines(number, restored) if SEED_LINES[number][n][0] != "meta"]
    return [n for n, _ in numbered], "".join(line + "\n" for _, line in numbered)


def chinese_punct(text: str) -> str:
    """A rough stand-in for the punct stage (what a second pass sees): ASCII marks to full width."""
    return text.translate(str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？",
                                         "(": "（", ")": "）"}))


def run(text: str, **overrides) -> boilerplate.StageResult:
    return boilerplate.run(text, CONFIG.with_overrides(**overrides) if overrides else CONFIG, {})


# --- the table of seed lines ------------------------------------------------------------------------

@pytest.mark.parametrize("number", sorted(SEED_LINES))
def test_the_table_names_every_seed_line(number):
    nonblank = [n for n, _ in seed_lines(number)]
    assert sorted(SEED_LINES[number]) == nonblank


# --- the seeds --------------------------------------------------------------------------------------

CASES = [(n, r) for n in sorted(SEED_LINES) for r in ((False, True) if n == "003" else (False,))]


@pytest.mark.parametrize("number,restored", CASES)
def test_seed_chrome_gone_body_kept(number, restored):
    numbers, text = seed_input(number, restored)
    lines = text.splitlines()
    result = run(text)
    chrome = [n for n in numbers if SEED_LINES[number][n][0] == D]
    want = [line for n, line in zip(numbers, lines) if n not in chrome]
    assert result.text.splitlines() == want
    # the report: every removed line, 1-based in this stage's input, with its rule
    removed = result.data.get("removed", [])
    assert [numbers[r["line"] - 1] for r in removed] == chrome
    for entry in removed:
        assert entry["stage"] == "boilerplate"
        assert entry["text"] == lines[entry["line"] - 1]
        assert re.fullmatch(r"boilerplate/chrome\.tsv:\d+", entry["rule"])
        assert entry["why"]
    if chrome:
        assert result.summary == f"removed {len(chrome)} line{'s' if len(chrome) > 1 else ''} of site chrome" \
            + result.summary[result.summary.index(" ("):]


@pytest.mark.parametrize("number,restored", CASES)
def test_seed_second_pass_changes_nothing(number, restored):
    _, text = seed_input(number, restored)
    once = run(text).text
    assert run(once).text == once
    cleaned = chinese_punct(once)  # a second pass over cleaned text (Chinese punctuation)
    assert run(cleaned).text == cleaned
    # and the chrome is recognised in Chinese punctuation too
    assert run(chinese_punct(text)).text == cleaned


def test_report_of_seed_000_names_each_line_and_rule():
    numbers, text = seed_input("000")
    result = run(text)
    rules = {row.where: row["id"] for row in read_tsv(CHROME_TSV)}
    got = [(numbers[r["line"] - 1], r["text"], rules[r["rule"].split("/", 1)[1]]) for r in result.data["removed"]]
    assert got == [
        (3, "来源:爱集微 #政策# #江苏# #芯片#", "source-line"),
        (4, "1194", "bare-counter"),
        (73, "责编: 赵碧莹", "editor-credit"),
        (74, "来源:爱集微 #政策# #江苏# #芯片#", "source-line"),
        (75, "THE END", "the-end"),
        (77, "*此内容为集微网原创,著作权归集微网所有,爱集微,爱原创", "copyright-original"),
        (79, "关闭", "page-controls"),
        (80, "加载", "page-controls"),
        (82, "PDF 加载中...", "pdf-loading"),
    ]
    # each Change removes exactly the line and its "\n", at offsets of the input
    for change in result.changes:
        assert text[change.start:change.end] == change.before
        assert change.before.endswith("\n") and change.after == ""
        assert change.rule.startswith("boilerplate/chrome.tsv:") and change.why
    assert result.data["metadata"] == {"source": "爱集微"}


def test_seed_003_date_goes_to_metadata():
    _, text = seed_input("003")
    assert run(text).data["metadata"] == {"published": "2026-01-07"}


def test_rule_switch_and_empty_input():
    assert run("").text == ""
    assert run("\n").text == "\n"


# --- clean text passes unchanged -------------------------------------------------------------------

@pytest.mark.parametrize("number", ["000", "001", "002", "004"])
def test_hand_checked_documents_pass_unchanged(number):
    for keep in ("document", "article"):
        text = (EXPECTED / f"{number}.{keep}.txt").read_text(encoding="utf-8")
        result = run(text)
        assert result.text == text and not result.changes


@pytest.mark.parametrize("number", sorted(SEED_LINES))
def test_each_body_paragraph_alone_passes_unchanged(number):
    for n, line in seed_lines(number):
        if SEED_LINES[number][n][1] == K:
            for text in (line + "\n", chinese_punct(line) + "\n"):
                assert run(text).text == text, n


NEGATIVE = [
    "本办法所称数据来源,是指公共数据的采集渠道和提供单位。",
    "来源可靠的数据应当优先使用。",
    "建立健全第三方评论评价机制,引导社会各方参与。",
    "评论员文章应当坚持正确导向。",
    "编辑出版单位应当加强内容审核,确保导向正确。",
    "依法关闭违规平台,加载安全防护模块。",
    "关闭落后产能",
    "加载模块",
    "到2027年,全市人工智能核心产业规模达到2025年的两倍。",
    "2025年12月19日",
    "2025年12月29日",
    "江苏省人民政府",
    "关键词1省人民政府",
    "天津市人民政府办公厅",
    "(此件公开发布)",
    "（此件公开发布）",
    "一、总体要求",
    "二、重点发展方向",
    "(一)实施人工智能强基行动",
    "（二十一）打造国际合作平台",
    "1. 发展端侧模型和智能体。",
    "三、组织实施",
    "附件:人工智能赋能制造业重点行业转型指引",
    "(苏政发〔2025〕108号)",
    "各市、县(市、区)人民政府,省各委办厅局,省各直属单位:",
    "天津市促进人工智能创新发展行动方案",
    "(2025—2027年)",
    "省政府关于印发江苏省“人工智能+”行动方案的通知",
    # a document's own short lines that the rules for related items, footers, credits and
    # disclaimers (added after the second held-out set) must leave alone
    "江城市人民政府办公室 2024-03-15",
    "江城市发展和改革委员会　2024-05-12",
    "印发日期 2024-05-12",
    "有效期至 2025-12-31",
    "完成时限 2024-12-31",
    "1 江城大道改造工程 2024-12-31",
    "联系人：张三，联系电话：0571-87654321",
    "联系电话 0571-87654321",
    "● 咨询电话：0571-12345678",
    "■ 附件：申报表.docx",
    "1. 多地出台措施支持新能源汽车下乡",
    "2. 完善财政支持政策。",
    "附件1：重点任务分工表",
    "江城市人民政府办公室 2024年3月15日印发",
    "（此件主动公开）",
    "特此通知。",
    "记者证管理办法",
    "通讯员管理办法",
    "主办单位：江城市人民政府",
    "承办单位：江城市商务局",
    "联系方式",
    "友情链接",
    "本平台不承担因用户操作不当造成的损失。",
    "本办法仅供参考，具体以国家规定为准。",
    "本文件自印发之日起施行。",
    "以上解读仅供参考，具体以政策文件为准。",
    "郑重声明：近日有不法分子冒用本局名义开展活动，本局从未授权任何机构。",
    "申请→受理→审核→办结",
    "办公时间：09:00—17:30",
    "（一）让更多人看到乡村之美",
    "阅读推广活动",
    "全文共5章",
    "建议使用谷歌浏览器登录申报系统。",
    "监督电话：12345",
    "江政发〔2024〕12号",
    # near the families added after the third held-out set (expand prompts, comment bars, audio
    # players, ratings, app prompts, first-published notes, tagged headlines)
    "展开调查研究",
    "剩余资金全部上缴国库。",
    "剩余80%部分由省级财政承担",
    "最新进展",
    "登录国家政务服务平台办理。",
    "下载“个人所得税”APP进行申报。",
    "下载个人所得税APP",
    "支持首发首秀首展",
    "群众满意度达到95%以上",
    "本文所称企业，是指在本市登记注册的企业。",
    "本文件来自省政府办公厅",
    "语速适中",
    "访问量达到1.2万人次",
    "来源/去向",
    "附件：项目分布图（图）",
    "关键词：人工智能 制造业",
    "主题词：科技 规划 通知",
    "咨询电话：0571-87654321",
]


@pytest.mark.parametrize("line", NEGATIVE)
def test_body_lines_stay_at_the_head_and_tail(line):
    body = seed_lines("001")[5][1]
    for text in (f"{line}\n{body}\n", f"{body}\n{line}\n", f"{line}\n", f"{body}\n{line}\n{body}\n"):
        for variant in (text, chinese_punct(text)):
            assert run(variant).text == variant


# --- the rule file -----------------------------------------------------------------------------------

def test_rule_file_loads_and_every_example_is_removed_in_its_zone():
    rules = boilerplate.load_rules(str(ROOT / "corrections"))
    assert rules and len({r.id for r in rules}) == len(rules)
    body = seed_lines("000")[10][1]
    for rule in rules:
        assert rule.examples, f"{rule.where} has no example"
        for example in rule.examples:
            assert boilerplate.match_line(example, (rule,)), (rule.id, example)
            assert boilerplate.match_line(chinese_punct(example), (rule,)), (rule.id, example)
            for text in ([example, body] if rule.zone in ("head", "edge", "anywhere") else [],
                         [body, example] if rule.zone in ("tail", "edge", "anywhere") else [],
                         [body, "责任编辑：周红", example] if rule.zone == "tail-list" else []):
                if text:
                    result = run("\n".join(text) + "\n")
                    assert result.text == body + "\n", (rule.id, example)


def test_the_union_of_the_rules_matches_exactly_the_lines_some_rule_matches():
    """match_line's first test (one regex for all rules) must never hide a rule's match."""
    rules = boilerplate.load_rules(str(ROOT / "corrections"))
    assert rules.any_line is not None
    lines = [e for r in rules for e in r.examples] + [chinese_punct(e) for r in rules for e in r.examples]
    for path in sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "bench" / "heldout").rglob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        line = line.strip()
        expected = any(r.regex.fullmatch(line) for r in rules)
        assert bool(rules.any_line.fullmatch(line)) == expected, line


def test_union_keeps_case_insensitive_rules_scoped_and_refuses_back_references():
    union = boilerplate._union(["(?i)the end", "完", "(?P<value>来源)：.*"])
    assert union.fullmatch("THE END") and union.fullmatch("来源：新华社")
    assert not union.fullmatch("完 END") and not union.fullmatch("Xthe end")
    assert boilerplate._union(["(?P<x>a)(?P=x)"]) is None


def test_a_head_rule_does_not_apply_in_the_tail_nor_between_paragraphs():
    body = seed_lines("000")[10][1]
    text = f"{body}\n利好!八部门联合发布\n{body}\n"
    assert run(text).text == text  # between body paragraphs: body
    assert run(f"{body}\n利好!八部门联合发布\n").text == f"{body}\n利好!八部门联合发布\n"
    # edge rules only at the edges: a short 关闭 between paragraphs stays
    text = f"{body}\n关闭\n{body}\n"
    assert run(text).text == text


def test_related_reading_block_removes_the_rest_of_the_tail():
    body = seed_lines("000")[10][1]
    text = f"{body}\n2025年12月19日\n相关阅读\n江苏发布人工智能新政\n天津出台行动方案\n"
    result = run(text)
    assert result.text == f"{body}\n2025年12月19日\n"
    assert [r["line"] for r in result.data["removed"]] == [3, 4, 5]


def test_related_reading_block_with_long_headlines():
    body = seed_lines("000")[10][1]
    long_title = "江苏发布加快人工智能终端产业发展新政,GPU、TPU等被划重点,培育10家左右具有生态主导力的领军企业"
    text = f"{body}\n推荐阅读：\n{long_title}\n天津出台行动方案\n"
    assert run(text).text == f"{body}\n"
    # but not when sentences follow: then it is part of the body
    text = f"{body}\n推荐阅读：\n{body}\n"
    assert run(text).text == text


def test_text_without_final_newline():
    body = seed_lines("000")[10][1]
    result = run(f"{body}\n关闭")
    assert result.text == f"{body}\n"
    assert result.changes[0].before == "关闭"


def test_bad_rule_files_are_reported_with_file_and_line(tmp_path):
    folder = tmp_path / "boilerplate"
    folder.mkdir()
    header = "id\tzone\textent\tmatch\tpattern\tfact\twhy\texample\n"
    for bad in ("x\tsomewhere\tline\tregex\t关闭\t\twhy\t关闭\n",
                "x\tedge\tline\tregex\t(关闭\t\twhy\t关闭\n",
                "x\tedge\tline\tregex\t关闭\tsource\twhy\t关闭\n"):
        (folder / "chrome.tsv").write_text(header + bad, encoding="utf-8")
        boilerplate.load_rules.cache_clear()
        with pytest.raises(TableError, match=r"chrome\.tsv:2"):
            run("关闭\n", tables_dir=str(tmp_path))
    boilerplate.load_rules.cache_clear()


# --- property: random pages around body paragraphs -------------------------------------------------

def _document_paragraphs() -> list[str]:
    paragraphs = []
    for number, table in SEED_LINES.items():
        paragraphs += [line for n, line in seed_lines(number) if table[n][1] == K]
    return paragraphs


BODY = _document_paragraphs()
# realistic chrome, most of it not in the seeds; (line, where it may stand)
HEAD_CHROME = [
    "利好!八部门联合发布", "重磅！国务院印发人工智能新政", "发布日期: 2026-01-07", "发布时间：2025年12月19日 10:30",
    "来源:爱集微 #政策# #江苏# #芯片#", "来源：中国政府网", "1194", "10万+", "阅读量：2.3万", "阅读时间约5分钟",
    "全文约3000字，阅读时长约5分钟", "【字体：大 中 小】", "【打印本页】 【关闭窗口】", "分享到：", "微信 微博 QQ空间",
    "原标题：《关于加快人工智能终端产业发展的实施意见》印发", "2026-01-07 10:30 来源：工业和信息化部 作者：张三",
    "#政策# #江苏#", "作者：张三", "扫码关注", "打开APP阅读更多", "点赞 12 在看 3",
    "当前位置：首页 > 新闻中心 > 政策解读", "首页 > 政务公开 > 政策文件",
    "〔来源：新华社〕", "本报记者 王建国 通讯员 刘敏", "已有 3,210 人阅读", "🔊 语音播报 01:02 / 05:30",
    "您当前的位置：首页 » 政务公开 » 正文", "免责声明：本网转载此文出于传递信息之目的，不代表本网观点。",
    "全文约2600字，预计阅读时间6分钟", "【分享】 微信 QQ空间 复制链接",
]
TAIL_CHROME = [
    "责编: 赵碧莹", "（责任编辑：张三）", "来源:爱集微 #政策# #江苏# #芯片#", "THE END", "— END —", "（完）",
    "*此内容为集微网原创,著作权归集微网所有,爱集微,爱原创", "版权所有：江苏省人民政府办公厅", "转载请注明出处",
    "未经授权，禁止转载。", "免责声明：文章内容来源于网络，如有侵权请联系删除。", "关闭", "加载", "PDF 加载中...",
    "评论", "文明上网理性发言,请遵守新闻评论服务协议", "登录参与评论", "0/1000", "发表评论", "网友评论",
    "上一篇：江苏发布人工智能新政", "下一篇:天津出台行动方案", "打印本页", "扫描二维码，关注我们", "点击查看原文链接",
    "1194", "56 点赞", "分享到:微信 微博 QQ空间", "Copyright © 2025 Example.com All Rights Reserved",
    "· 我省召开数字经济发展大会", "市政府召开第12次常务会议 2024-04-20", "【相关】我省出台数字经济促进条例",
    "关于我们 | 联系我们 | 网站地图", "主办：某某市人民政府办公室　承办：某某市大数据中心", "【纠错】【我要咨询】【打印】",
    "原文链接：https://www.gov.cn/zhengce/content/202401/content_6923456.htm", "本站部分内容来自网络转载，如有侵权请联系删除。",
    "评论 8 | 转发 3 | 收藏 12", "共5页 第3页 上一页 1 2 3 4 5 下一页",
]
TAIL_LIST_ITEMS = {"· 我省召开数字经济发展大会", "市政府召开第12次常务会议 2024-04-20"}  # zone tail-list


@settings(max_examples=200, deadline=None)
@given(body=st.lists(st.sampled_from(BODY), min_size=1, max_size=6),
       head=st.lists(st.sampled_from(HEAD_CHROME), max_size=5),
       tail=st.lists(st.sampled_from(TAIL_CHROME), max_size=6),
       cleaned=st.booleans())
def test_property_body_survives_chrome_does_not(body, head, tail, cleaned):
    if not any(boilerplate.is_prose(line) for line in body):
        body = body + [BODY[1]]  # a page has at least one body paragraph
    if tail and tail[0] in TAIL_LIST_ITEMS:
        tail = ["责编: 赵碧莹"] + tail  # right below the body, a list item is the document's own
    text = "".join(line + "\n" for line in head + body + tail)
    if cleaned:
        text = chinese_punct(text)
    want = "".join(line + "\n" for line in body)
    if cleaned:
        want = chinese_punct(want)
    result = run(text)
    assert result.text == want
    assert len(result.data.get("removed", [])) == len(head) + len(tail)
    assert run(result.text).text == result.text


def test_a_link_block_never_takes_the_documents_closing_lines():
    """Found by bench/quality.py: 推荐阅读 above the date line took the date with it."""
    text = "为推动人工智能终端产业高质量发展，结合我省实际，制定本实施意见。\n推荐阅读：\n2025年12月19日\n"
    result = boilerplate.run(text, Config(), {})
    assert result.text == "为推动人工智能终端产业高质量发展，结合我省实际，制定本实施意见。\n2025年12月19日\n"


# --- the families added after the second held-out set (bench/heldout/chrome_2.txt) ----------------

def test_a_disclaimer_ending_in_a_full_stop_does_not_shield_the_chrome_beyond_it():
    """An unmatched disclaimer ending in 。 reads as a body paragraph; at the top it used to keep
    every line between it and the body (the disclaimer rule applied in the tail only)."""
    body = seed_lines("000")[10][1]
    head = ["免责声明：本网转载此文出于传递信息之目的，不代表本网观点。", "责任编辑：周红", "以上内容仅代表作者个人观点，不代表本平台立场。"]
    for text in ("\n".join(head + [body]) + "\n", chinese_punct("\n".join(head + [body]) + "\n")):
        assert run(text).text.splitlines() == [text.splitlines()[-1]]


def test_related_items_below_other_chrome_go_numbered_items_need_a_header():
    body = seed_lines("000")[10][1]
    items = ["【相关】我省出台数字经济促进条例", "· 我省召开数字经济发展大会", "市政府召开第12次常务会议 2024-04-20",
             "2024-06-01 我市召开优化营商环境推进会", "◎ 我市启动老旧小区改造"]
    assert run(f"{body}\n" + "".join(i + "\n" for i in items)).text == f"{body}\n"
    assert run(f"{body}\n责任编辑：周红\n· 我省召开数字经济发展大会\n").text == f"{body}\n"
    # a numbered list after the body is the document's own, unless a related-reading header precedes it
    numbered = "1. 我省召开数字经济发展大会\n2. 我市启动老旧小区改造\n"
    assert run(f"{body}\n{numbered}").text == f"{body}\n{numbered}"
    assert run(f"{body}\n— 相关阅读 —\n{numbered}").text == f"{body}\n"
    # related items are tail chrome: at the top they stay (no rule for them there)
    assert run(f"· 我省召开数字经济发展大会\n{body}\n").text == f"· 我省召开数字经济发展大会\n{body}\n"


def test_a_document_ending_in_its_own_list_keeps_it():
    """Bulleted or dated items right below the body are the document's own list (they used to go as
    related links); below a removed line they are links."""
    body = seed_lines("000")[10][1]
    for own_list in (["二、申报材料", "· 科技创新券申报表", "· 企业营业执照复印件"],
                     ["· 科技创新券申报表", "● 近一年财务报表", "关于公布第二批试点名单的通知 2024-04-18"]):
        text = "".join(line + "\n" for line in [body] + own_list)
        for variant in (text, chinese_punct(text)):
            assert run(variant).text == variant
            assert run(variant + "版权所有：江城市人民政府\n").text == variant


def test_a_signature_with_a_date_in_figures_is_not_a_dated_headline():
    body = seed_lines("000")[10][1]
    for closing in ("江城市人民政府办公室 2024-03-15", "江城市发展和改革委员会（2024-05-12）", "有效期至 2025-12-31"):
        text = f"{body}\n{closing}\n"
        assert run(text).text == text


def _assert_left_alone(line: str) -> None:
    """A document's own ``line`` stays above, below and between body paragraphs, in ASCII and
    Chinese punctuation."""
    body = seed_lines("001")[5][1]
    for text in (f"{line}\n{body}\n", f"{body}\n{line}\n", f"{body}\n{line}\n{body}\n"):
        for variant in (text, chinese_punct(text)):
            assert run(variant).text == variant, line


def _assert_removed_at_top_and_bottom(line: str) -> None:
    """``line`` goes above and below a body paragraph, in ASCII and Chinese punctuation."""
    body = seed_lines("000")[10][1]
    for text in (f"{line}\n{body}\n", f"{body}\n{line}\n"):
        assert run(text).text == f"{body}\n", line
        assert run(chinese_punct(text)).text == chinese_punct(f"{body}\n"), line


@pytest.mark.parametrize("line", [
    "评论 8 | 转发 3 | 收藏 12", "阅读（1,208）", "👍 1.2k", "已有 3,210 人阅读", "共5页 第3页 上一页 1 2 3 4 5 下一页",
    "【纠错】【我要咨询】【打印】", "〔来源：新华社〕", "「责任编辑：周红」", "本报记者 王建国 通讯员 刘敏",
    "原文链接：https://www.gov.cn/zhengce/content/202401/content_6923456.htm", "关于我们 | 联系我们 | 网站地图",
    "主办：某某市人民政府办公室　承办：某某市大数据中心", "🔊 语音播报 01:02 / 05:30", "全文约2600字，预计阅读时间6分钟",
    "约3分钟读完", "【分享】 微信 QQ空间 复制链接", "觉得有用就分享给朋友吧", "您当前的位置：首页 » 政务公开 » 正文",
])
def test_new_chrome_families_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


@pytest.mark.parametrize("line", [
    "展开全文 ︾", "还剩72%未读，点击继续阅读", "查看全文 》", "网友评论（5）  最热 | 最新", "写下你的看法…",
    "已有3条评论 | 发表评论", "还没有评论，快来抢沙发吧！", "请登录后参与讨论 | 注册", "🎧 听本文（时长 02:40）",
    "AI 朗读　语速 1.5x", "语音播报 约4分钟", "该文章已被阅读 468 次", "浏览次数：[ 1,024 ]", "您对本页内容是否满意？ 满意 一般 不满意",
    "本页内容对您有帮助吗？ 有帮助 没帮助", "我要打印 | 我要收藏 | 我要分享", "« 返回　打印正文　关闭窗口",
    "下载“新江城”APP，查看更多资讯", "本文转自微信公众号“江城发布”（ID：jcfb001）", "首发于：某某日报客户端 2025-06-01",
    "来源 / 江城日报 · 2025.06.01", "官方微博 | 微信公众号 | 视频号", "标签：就业 社保 政策解读", "您是第 3,507 位访客",
    "报料热线：0571-96000", "【阅读量：35】", "今日访问：[ 9 ] 累计访问：[ 2,310 ]", "有帮助（3） 没帮助（0）", "转自：江城日报",
    "0人参与 0条评论", "回复 | 点赞 | 举报",
])
def test_chrome_families_of_the_third_held_out_set_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_a_tagged_headline_goes_only_after_the_body():
    body = seed_lines("000")[10][1]
    for headline in ("全市重点项目集中开工（组图）", "一图读懂新版医保目录 | 视频", "江城春季招聘会举行[视频]"):
        assert run(f"{body}\n{headline}\n").text == f"{body}\n"
        assert run(f"{headline}\n{body}\n").text == f"{headline}\n{body}\n"


def test_the_source_fact_stops_before_the_page_date():
    body = seed_lines("000")[10][1]
    result = run(f"来源 / 江城日报 · 2025.06.01\n{body}\n")
    assert result.data["metadata"]["source"] == "江城日报"


_SEPARATORS = (" ", "  ", " | ", "　")
_SPOILERS = ("x", "。")


def _row(example: str, sep: str, end: str) -> str:
    """A row of one example repeated, as long as a chrome line may be, spoiled at the end."""
    return (sep.join([example] * 30))[:boilerplate.MAX_CHROME_LEN - 1] + end


def test_no_rule_backtracks_catastrophically_on_rows_of_chrome():
    """A row of spaced buttons once made page-controls backtrack exponentially (optional marks between
    two \\s*: each gap could be split many ways). Long rows built from the rule examples, spoiled at
    the end, must be decided by every rule: with such a pattern this test would not finish.
    Each rule gets every variant of rows of its own examples (where its own pieces repeat) and
    one variant of rows of every other example (the variant rotates, to keep the test quick)."""
    rules = boilerplate.load_rules(str(ROOT / "corrections"))
    examples = sorted({e for r in rules for e in r.examples})
    variants = [(sep, end) for sep in _SEPARATORS for end in _SPOILERS]
    shared = [_row(example, *variants[i % len(variants)]) for i, example in enumerate(examples)]
    for rule in rules:
        own = [_row(example, sep, end) for example in rule.examples for sep, end in variants]
        for line in own + shared:
            rule.regex.fullmatch(line)


@pytest.mark.parametrize("line", [
    # rows of chrome pieces, English labels
    "Source: 人民网｜编辑：周七", "Author: Chen Lu · Views: 5,210", "Likes: 1.2k", "Page 3 of 7",
    "Home › 服务 › 办事指南 | Page 2 of 2", "Print | Share | Email | ↑ TOP", "【来源：光明网】【打印】【关闭】",
    "Reading time: 6 minutes", "📖 4 min read · 已读 80%",
    # sources, credits, counters, reading time in less common layouts
    "稿源：澎湃号「城市观察」 2025-03-02 10:11 上海", "出处：界面新闻 原创 | 发布于 北京", "网站编辑：许六 | 审校：吴七",
    "（责任编辑 郑八）", "热度 320 ℃", "弹幕 88 · 播放 1.1万", "【导读】全文3,100字，阅读约需8分钟", "阅读全文需要 6 分钟（建议先收藏）",
    "字数：980　阅读时长：≈3分钟",
    # widgets and banners
    "写下你的评论...　0/1000　发布", "已有 12 人参与评论 ›", "☆收藏 ⏱稍后再看", "🎧 听全文 00:00 / 02:10 ×1.25倍速 | 关闭",
    "第 1 / 3 页　跳转至 [ ] 页 GO", "热门推荐 | 猜你喜欢", "加载更多 ⬇", "返回凤凰网，查看更多", "热搜榜 1 春运首日客流 🔥",
    "今日排行榜 ① 新规解读 ② 天气预报", "打开澎湃新闻 查看更多精彩 ›",
    # rows of pieces of different families
    "Source: 中新社 · 2025-04-01 09:15", "Updated: 2025-04-01 09:15", "更新时间：2025-04-01 | 预计阅读 5分钟",
    "【来源：新华网】 浏览 2,301", "Read more", "Prev | Next", "转发 8 · 2 min read",
    "SOURCE: Reuters", "Photo: 新华社 | Reviewer: 周九", "Share | Tweet | Copy link", "8-min read",
    "Page 1 of 9 « Prev 1 2 3 Next »", "Home / Services / Guides", "到第 [ ] 页 确定", "热搜榜 TOP1 供暖延长",
    "📈 热榜 1 油价下调", "排行榜 ❶ 医保 ❷ 社保", "写评论 | 3条评论 | 收藏", "阅读约 4 分钟 | 共 1,500 字",
    "为你推荐 | 猜你喜欢 | 最新文章", "上拉加载更多", "查看全部回复 ›",
])
def test_chrome_families_of_the_fourth_held_out_set_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_headline_items_of_the_fourth_set_go_only_after_the_body():
    body = seed_lines("000")[10][1]
    for headline in ("延伸阅读 >> 图解｜2026年社保缴费基数", "相关链接：[解读] 新版目录答问 (2025-12-01)",
                     "大家都在看：供暖时间会延长吗？（组图）", "视频｜两分钟看懂新版医保目录"):
        assert run(f"{body}\n{headline}\n").text == f"{body}\n", headline
        assert run(f"{headline}\n{body}\n").text == f"{headline}\n{body}\n", headline


@pytest.mark.parametrize("line", [
    # English sentences and a document's own short lines stay at the edges
    "Source: World Bank estimates for the year 2024", "Views differ on how the rule applies.", "Date: 2024-05-01",
    "Comments are welcome until 30 June.", "Top priority", "The report (page 3 of 10) shows growth.",
    "排行榜前10名企业名单", "排行第1位的是浙江", "排行 1 企业A 100", "（审核 通过）", "气温 25 ℃", "视频会议",
    "2025年1月2日 2025年1月3日", "日期：2025年1月2日 时间：2025年1月2日", "Read more about the programme here", "Next", "Home/work balance matters for all families", "Home-based care services",
    "Next steps", "By the end of 2025",
])
def test_fourth_set_rules_leave_document_lines_alone(line):
    body = seed_lines("000")[10][1]
    for text in (f"{line}\n{body}\n", f"{body}\n{line}\n"):
        assert run(text).text == text, line


@pytest.mark.parametrize("line", [
    # document-sharing sites (文库): the card, file facts, end of the preview
    "下载券：3 | 免费下载", "需要 5 下载积分　立即下载　举报", "上传者：abc_123 · 上传于 2023-06-01 · 下载次数：1,024",
    "贡献者：政策小助手　浏览：3,210", "格式：PDF　页数：8页", "文件大小：2.5MB | 文件格式：docx",
    "预览已结束，下载后查看全文", "免费阅读已结束，点击下载阅读完整版", "还剩 12 页未读，继续阅读 >",
    # law databases
    "法宝引证码：CLI.2.654321", "【引证码】CLI.13.77", "本法规的相关司法解释（3篇）", "关联案例 (128)", "本条例相关法规",
    # WeChat bylines
    "原创 王五 城市政务观察 2024年12月30日 18:20 广东", "王五 城市政务观察 2024年12月30日 18:20 发表于广东", "转载 政务速递 2025-02-01 发表于上海", "张三 某某发布 2025-01-02 08:00 发表于江苏",
    # widened families
    "本期责编：钱七", "执行编辑：孙八　美术编辑：周九", "[纠错] [责任编辑: 马十]", "位置：法规库 >> 部门规章 >> 人力资源",
    "共5页 当前第2页 跳转到第[ ]页 确定", "全文2,000字，建议阅读5分钟", "分享 | 下载 | 举报",
    "相关文档推荐：", "收录于合集 #稳就业 #社保 3个", "向上滑动看下一个", "版权说明：本文档由用户上传，如有侵权请联系删除。",
])
def test_chrome_families_of_the_fifth_held_out_set_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


@pytest.mark.parametrize("line", [
    # a law database's metadata lines are the document's own (the metadata stage reads them)
    "效力级别：地方政府规章", "时效性：现行有效", "发布部门：江苏省人民政府", "发文字号：苏政发〔2025〕12号",
    "施行日期：2025年3月1日", "公布日期：2025年1月20日", "效力状态：有效",
    # a document's own short lines near the new families
    "格式：详见附件", "大小：以实际测量为准", "页数：共36页", "相关文件", "相关法规", "本办法的相关规定",
    "原创作品保护", "江苏省人民政府 2025年12月19日", "江苏省人民政府办公厅 2025-12-19", "上传材料", "下载申请表",
    "试点工作结束后", "位置：城区东部", "建议阅读原文", "报名截止 2025年3月1日 17:00 之前", "材料报送 2025年3月1日 北京", "版权说明", "收录于本办法附件",
])
def test_fifth_set_rules_leave_document_lines_alone(line):
    body = seed_lines("000")[10][1]
    for text in (f"{line}\n{body}\n", f"{body}\n{line}\n"):
        for variant in (text, chinese_punct(text)):
            assert run(variant).text == variant, line


def test_a_law_database_list_of_related_laws_goes_with_its_header_after_the_body():
    body = seed_lines("000")[10][1]
    tail = "本法规的相关法规（2篇）\n中华人民共和国劳动法\n中华人民共和国劳动合同法\n"
    assert run(f"{body}\n{tail}").text == f"{body}\n"


# --- the families added after the sixth and seventh held-out sets --------------------------------

@pytest.mark.parametrize("line", [
    "📰 来源丨南湖发布（ID：nanhu_fabu）", "👍 点赞 ⭐ 收藏 💬 评论 ↗ 转发", "↓↓↓ 点击下方“阅读原文”查看政策全文",
    "转自：某某公共服务平台 ｜ 发布于 2023年7月5日 星期三", "本文已被浏览 642 次，被下载 19 次", "Views: 2,341 | Downloads: 87",
    "下载次数：317　　页数：12页", "长按识别小程序码，免费下载全文", "复制链接　生成海报", "无障碍浏览 | 长者模式 | 语音播报",
    "点击收藏 | 我要纠错 | 打印", "登录后可阅读全文", "阅读更多", "更新时间：2022.03.09 ｜ 字号 A+ A A-",
    "编辑｜周晓雯　校对｜郭明　审核｜马建军", "第 1/3 页　首页 | 上一页 | 下一页 | 尾页　跳转至 __ 页",
    "本站所提供的文档均为用户上传，本站不保证其准确性，仅作参考。", "联系我们：0731-8888 6120　邮箱：webmaster@example.gov.cn",
])
def test_chrome_families_of_the_sixth_and_seventh_held_out_sets_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_decoration_is_read_as_a_space_only_where_no_rule_matches_the_line_as_it_is():
    rules = boilerplate.load_rules(str(ROOT / "corrections"))
    # the decorated form is matched by the rule of its plain form
    assert boilerplate.match_line("🔥 热文 | 新规一文看懂", rules).id == "tag-first-headline"
    # a bullet that is itself a dingbat (★ ▶) is still the related-bullet rule's, not stripped first
    assert boilerplate.match_line("★ 我省召开数字经济发展大会", rules).id == "related-bullet"
    # decoration does not make a body line chrome: what is left must still be a whole chrome line
    for line in ("🔥 全面推进人工智能赋能制造业", "↗ 加快构建现代化产业体系", "⭐ 责任单位：市工信局"):
        assert boilerplate.match_line(line, rules) is None


def test_link_items_below_a_related_header_or_under_chrome_go_with_emoji_and_dashes():
    body = seed_lines("000")[10][1]
    tail = ["相关政策解读 >", "- 关于印发城市更新行动方案的通知 [06-18]", "🔥 热文 | 2025年个税专项附加扣除新变化，一文看懂"]
    assert run(f"{body}\n" + "".join(line + "\n" for line in tail)).text == f"{body}\n"


# --- the families added after the held-out web pages (bench/heldout/pages/) -----------------------

@pytest.mark.parametrize("line", [
    "宁川网 | 宁川日报社主办", "政策通 - 全国政策文件查询平台", "江屿省人民政府关于江屿市国土空间总体规划的批复_江屿省人民政府门户网站",
    "北岭市支持民营经济高质量发展若干措施（全文）", "首页 新闻 政务 民生 财经 视频 专题", "2025-02-28 18:30 发表于临江",
    "2025-04-02 15:16 阅读 8,932 收藏 分享", "【备考资料免费领】加入2025事业单位备考交流群，群号：738291045",
])
def test_page_head_families_go_at_the_top(line):
    body = seed_lines("000")[10][1]
    for text in (f"{line}\n{body}\n", chinese_punct(f"{line}\n{body}\n")):
        assert run(text).text.splitlines() == [text.splitlines()[-1]], line


def test_attachment_downloads_under_chrome_go_the_documents_own_attachment_list_stays():
    body = seed_lines("000")[10][1]
    own = ["青禾县人力资源和社会保障局", "2025年5月12日", "附件：1.岗位表", "2.报名信息表"]
    page_tail = ["附件下载：", "附件1：岗位表.xlsx", "附件2：报名信息表.docx", "客服热线：400-880-1234 在线时间：9:00-21:00",
                 "我要提意见", "提交 重置", "相关文件：", "· 某某市医疗救助办法"]
    document = "".join(line + "\n" for line in [body] + own)
    assert run(document + "".join(line + "\n" for line in page_tail)).text == document
    # right below the body, a file name is the document's own line (no chrome above it)
    listed = document + "附件1：岗位表.xlsx\n"
    assert run(listed).text == listed


@pytest.mark.parametrize("line", [
    "服务热线：12329", "姓名： 联系电话： 意见内容：", "提交材料", "相关文件", "附件：报名信息表", "国家电网有限公司",
    "首页设计", "首页 新闻", "关于建设工业互联网平台", "工业互联网平台", "工业互联网", "国家电网", "推进车联网",
])
def test_page_family_rules_leave_document_lines_alone(line):
    _assert_left_alone(line)


@pytest.mark.parametrize("line", [
    "Views: 8,903 • 访问量 8903", "『热门推荐』", "文字整理：高明　图片：网络　排版：小鹿", "来源编辑：韩梅 (Editor: Han Mei)",
    "本网站支持IPv6访问　无障碍阅读　适老化浏览", "〖收藏本页〗〖打印〗〖关闭〗", "【字体：大 中 小】【颜色：默认 护眼】", "广告 × 关闭",
    "—— 责编 蒋小雨 ——",
])
def test_chrome_families_of_the_eighth_held_out_set_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_eighth_set_families_at_their_own_edge():
    body = seed_lines("000")[10][1]
    for head in ("云岭省教育考试院 — 公平 公正 科学 规范", "北大法宝 | PKULAW", "某某县人民政府门户网站 | www.example.gov.cn"):
        assert run(f"{head}\n{body}\n").text == f"{body}\n", head
    for tail in (["#政策解读# 2025年个税专项附加扣除新变化 ›"], ["责任编辑：周红", "→ 《行政处罚法》全文解读（附对照表）"]):
        assert run(f"{body}\n" + "".join(t + "\n" for t in tail)).text == f"{body}\n", tail


@pytest.mark.parametrize("line", [
    "——坚持创新、协调、绿色、开放、共享", "联系电话：0791-8612 3456　电子邮箱：bgs@example.gov.cn", "广告管理", "一、广告",
    "——到2027年，基本建成", "→ 加快构建现代化产业体系。",
])
def test_eighth_set_rules_leave_document_lines_alone(line):
    _assert_left_alone(line)


def test_a_headline_ending_in_a_question_mark_does_not_shield_the_chrome_above_it():
    """Held-out page: the body ends at its last paragraph ending in 。; a related headline ending
    in ？ below the credits used to count as a body paragraph and kept them."""
    body = seed_lines("000")[10][1]
    tail = ["来源：某某住房公积金管理中心", "编辑：周晓冉 审核：韩立新", "往期推荐", "2025年度住房公积金缴存基数调整啦",
            "一图读懂｜异地贷款怎么办？", "分享 收藏 点赞 在看"]
    assert run(f"{body}\n" + "".join(line + "\n" for line in tail)).text == f"{body}\n"
    # the document's own closing lines without 。 stay
    closing = ["抄送：市委各部门，市人大常委会办公室，市政协办公室，市法院，市检察院，各人民团体。".rstrip("。"),
               "某某市人民政府办公室 2025年3月28日印发"]
    text = f"{body}\n" + "".join(line + "\n" for line in closing)
    assert run(text).text == text


# --- the families added after the second set of held-out web pages (bench/heldout/pages_2/) -------

@pytest.mark.parametrize("line", [
    "百度首页 | 登录", "无障碍 | 长者模式 | English", "VIP免费下载 | 加入收藏 | 举报", "+关注", "2026-02-21 09:14 · 澜江 · 教育领域创作者",
    "4.6分（21人评价） 1,286人阅读 97人下载", "2下载券 已有97人下载", "—— 本文档共3页，已全部展示 ——", "文档简介：本文档为某某局发布的名单公示。",
    "免费评估您的企业能申报哪些项目 >>", "温馨提示：本平台提供政策解读及项目申报辅导服务，如需协助请拨打热线400-000-0000",
    "（明湖日报 记者 郑雨桐）",
])
def test_chrome_families_of_the_second_held_out_pages_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_second_pages_families_at_their_own_edge():
    body = seed_lines("000")[10][1]
    for head in ("明湖新闻网 明湖日报社主办", "知页文库 — 海量文档免费阅读", "某某市人民政府 www.example.gov.cn",
                 "某某市会展行业协会 QUSHA CONVENTION & EXHIBITION ASSOCIATION"):
        assert run(f"{head}\n{body}\n").text == f"{body}\n", head
    tail = ["热门评论（12）", "望潮家长 2026-02-21 每天2小时体育活动能落实就好了", "回复 赞 36", "政策解读：", "· 图解：某某市20条措施"]
    assert run(f"{body}\n" + "".join(t + "\n" for t in tail)).text == f"{body}\n"


@pytest.mark.parametrize("line", [
    "温馨提示：请携带身份证原件办理。", "某某市人民政府办公室 2025-12-19 印发", "联系电话：0871-63218000（工作日9:00-17:00）",
    "政策解读", "首页设计规范", "中国 AI", "评分标准：满分100分",
])
def test_second_pages_rules_leave_document_lines_alone(line):
    _assert_left_alone(line)


# --- the families added after the third set of held-out web pages (bench/heldout/pages_3/) --------

@pytest.mark.parametrize("line", [
    "字号：【大 中 小】　【打印】　【关闭】", "下载Word　下载PDF　复制全文　加入收藏", "搜索文档 | 上传文档 | 开通VIP",
    "在线客服　电话咨询　预约顾问", "只看该作者", "返回列表　发新帖", "VIP免费下载　立即下载（5下载券）", "剩余3页未读，继续阅读",
    "452篇原创内容", "阅读 3.1万　赞 268　分享　推荐 77", "查看: 4521 | 回复: 23", "收藏 3　分享　评分　举报",
    "4.6 ★★★★☆ 1286人已浏览 | 32人已下载 | 5页", "2楼 小桥流水人家 发表于 2025-7-2 10:38", "1楼",
    "某某县人民政府公报　2025年第4期（总第118期）", "免费领取《2025小微企业税收优惠政策汇编》", "客服 | 意见反馈 | 免责声明",
    "温馨提示：本库数据仅供参考，请以正式发布文本为准。",
])
def test_chrome_families_of_the_third_held_out_pages_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_third_pages_families_at_their_own_edge():
    body = seed_lines("000")[10][1]
    for head in ("某某区人民政府　门户网站", "某某日报客户端 · 民生频道", "企帮帮 · 一站式企业服务平台　全国热线 400-886-5520",
                 "某某区十五五规划纲要（节选）产业部分.docx", "[政务] 区政府第14次常务会议纪要，老年助餐补贴标准定了 [复制链接]",
                 "▲图片来源：某某市住建局"):
        assert run(f"{head}\n{body}\n").text == f"{body}\n", head
    tail = ["相关附件：", "重点内容清单.docx", "本篇引用的法规", "《中华人民共和国数据安全法》"]
    assert run(f"{body}\n" + "".join(t + "\n" for t in tail)).text == f"{body}\n"


@pytest.mark.parametrize("line", [
    "免费领取防疫物资", "某某简报 2025年第4期", "附件：申报表.docx", "3楼会议室", "公众号运营规范", "查看附件",
])
def test_third_pages_rules_leave_document_lines_alone(line):
    _assert_left_alone(line)


# --- the families added after the fourth set of held-out web pages (bench/heldout/pages_4/) --------

@pytest.mark.parametrize("line", [
    "【字体：大 中 小】  分享到：微信 微博", "立即下载  加入VIP，免费下载海量文档  收藏  举报", "VIP会员免费下载本文档", "立即下载（3积分）",
    "2025-04-22 18:36 · 发布于某地  IP属地：某省", "4.8分 | 6页 | 3215阅读 | 89下载 | 上传于2025-02-11 | 上传者：zy政务资料",
    "全文阅读已结束，下载本文档可以更方便地查看", "楼主  某某老司机  发表于 2025-10-24 20:13 | 只看该作者 | 倒序浏览",
    "回复  支持(8)  反对(0)  举报", "某某住建 2025年05月12日 17:30 某地", "附件【公示名单.pdf】已下载86次",
])
def test_chrome_families_of_the_fourth_held_out_pages_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


def test_fourth_pages_families_at_their_own_edge():
    body = seed_lines("000")[10][1]
    for head in ("某某新闻网 www.example.com.cn  某某日报社主办", "学校首页 学院概况 机构设置 教育教学 科学研究 招生就业 校园文化"):
        assert run(f"{head}\n{body}\n").text == f"{body}\n", head
    assert run(f"{body}\n本篇法规引用：\n《中华人民共和国数据安全法》\n").text == f"{body}\n"


@pytest.mark.parametrize("line", [
    "报名截止 2025年3月1日 17:00 之前", "会议时间 2025年3月1日 9:30 会议室", "附件：报名表.docx", "支持企业技术改造",
])
def test_fourth_pages_rules_leave_document_lines_alone(line):
    _assert_left_alone(line)


def test_a_comment_section_goes_with_the_comments_but_only_below_the_document():
    body = seed_lines("000")[10][1]
    comments = ["网友评论（2）", "海边的风  IP属地：某省  2025-08-14 11:20", "希望尽快开通到外沙岛的无人机配送，点赞！",
                "老周看经济  IP属地：某省  2025-08-14 12:03", "300亿的目标不低，关键看落实。", "某某新闻网版权所有 未经书面授权禁止转载"]
    page = f"{body}\n" + "".join(line + "\n" for line in comments)
    assert run(page).text == f"{body}\n"
    assert run(run(page).text).text == f"{body}\n"
    self_media = ["评论 56", "木子李 · 某地 · 4小时前", "以旧换新补贴多久能到账？", "作者回复：一般15个工作日内，以小程序公告为准哦"]
    assert run(f"{body}\n" + "".join(line + "\n" for line in self_media)).text == f"{body}\n"
    # a comment header not followed by a commenter, or with the document's closing lines below it, cuts nothing
    for below in (["分享到：微信 微博", body], ["木子李 · 某地 · 4小时前", body, "某某市人民政府", "2025年12月19日"]):
        text = f"{body}\n评论 56\n" + "".join(line + "\n" for line in below)
        assert body in run(text).text.split("\n")[1:], below


# --- the families added after held-out pages 5 and 6 (both measured before, with the rules as they were) --

@pytest.mark.parametrize("line", [
    "收录于合集", "#政策发布 23个", "掌上某地　打开APP，阅读体验更佳", "2025-08-19 17:42　某县融媒体中心", "文档投稿赚钱　|　登录　|　注册",
    "5 积分　　立即下载", "免费评估　　在线咨询", "VIP专享文档", "全文预览：", "字号：T|T", "回复　引用　举报　支持 0　反对 0",
    "咨询热线：400-860-7719", "发布者：启辰企服　　时间：2025-03-02　　阅读：2156", "下载积分：8　会员免费",
    "— 预览已结束，剩余0页可下载查看 —", "点击蓝字", "——————————", "某某融媒讯 2024-06-21",
])
def test_chrome_families_of_the_fifth_and_sixth_held_out_pages_at_the_top_and_bottom(line):
    _assert_removed_at_top_and_bottom(line)


@pytest.mark.parametrize("line", [
    "咨询热线：0571-12345678", "时间：2025年1月2日上午9:00", "2025年8月19日 17:42 县政府三楼会议室", "积分规则", "文档管理",
])
def test_fifth_and_sixth_pages_rules_leave_document_lines_alone(line):
    _assert_left_alone(line)
