"""The html stage: main text out of web pages built around the seeds' text.

tests/fixtures/html/ holds four pages with realistic site chrome around seed text (navigation
menu, breadcrumb, share bar, previous/next links, a comment widget, a 相关阅读 sidebar, a footer
with 版权所有 and ICP numbers, scripts, and for 002 a government portal's metadata <table>).
Every body paragraph of the seed must come out, and none of the page's chrome.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

import policyclean
from policyclean import htmlextract, metadata, placeholders
from policyclean.model import Config

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "html"
CONFIG = Config()


def seed_lines(name: str, first: int, last: int) -> list[str]:
    """Lines first..last (1-based, inclusive) of a seed, stripped, blank ones left out."""
    lines = (ROOT / "seeds" / name).read_text(encoding="utf-8").split("\n")[first - 1:last]
    return [line.strip() for line in lines if line.strip()]


# page -> (seed, first and last line of the text the page carries as its article body)
PAGES = {
    # lead 6, 8, marker 10, document 12–69, date 71 (the headline is in <h1>, the source and
    # view count in the meta bar; the 责编/来源/THE END/copyright lines sit inside the content div)
    "000_news_jiangsu.html": ("000_98647be4b4f94998.txt", 6, 71),
    "001_news_chongqing.html": ("001_c9f7ed731d385643.txt", 1, 36),  # the comment widget is outside
    "002_gov_portal_jiangsu.html": ("002_f98fe54d3787eb79.txt", 7, 55),  # the table is a <table>
    "004_news_tianjin.html": ("004_12ff21ec68cac506.txt", 1, 36),
}

# strings that only the page's chrome carries (none of them occurs in a seed)
CHROME = ["政策解读", "当前位置", "分享到", "新浪微博", "QQ空间", "复制链接", "相关阅读", "南京发布数字经济三年行动计划",
          "热门排行", "网友评论", "政策力度很大", "查看全部评论", "版权所有", "ICP备", "公网安备", "请输入搜索关键字",
          "扫码关注", "上一篇", "下一篇", "广告服务", "网站地图", "hm.js", "jquery", "share(",
          "無障礙", "長者模式", "您當前的位置", "互動交流", "走進本省", "打印本頁", "關閉窗口", "相關閱讀", "網站標識碼", "主辦單位",
          "掃一掃", "字體：", "doZoom", "省政府辦公廳關於加快發展數字經濟"]
# the seed's own comment-widget lines (001 lines 37–40) sit in the page's comment widget
CHROME_001 = ["文明上网理性发言", "登录参与评论", "0/1000"]


def test_chrome_strings_are_in_no_seed():
    seeds = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt"))
    assert [s for s in CHROME if s in seeds] == []


def extract(page: str):
    return htmlextract.run((FIXTURES / page).read_text(encoding="utf-8"), CONFIG, {})


@pytest.mark.parametrize("page", PAGES)
def test_every_body_paragraph_and_no_chrome(page):
    name, first, last = PAGES[page]
    result = extract(page)
    lines = result.text.split("\n")
    body = seed_lines(name, first, last)
    missing = [line for line in body if line not in lines]
    assert not missing  # 33/33, 36/36, 49/49, 36/36 paragraphs
    # in the seed's order
    positions = [lines.index(line) for line in body]
    assert positions == sorted(positions)
    leaked = [s for s in CHROME + (CHROME_001 if page.startswith("001") else []) if s in result.text]
    assert not leaked
    assert result.data == {"html": True}
    assert result.summary.startswith("extracted main text from HTML (")
    assert result.text.endswith("\n") and "\n\n" not in result.text and not result.warnings


def test_headlines_of_001_and_004_kept_and_000_lost():
    # what trafilatura does with the <h1> headline: kept for 001 and 004, dropped for 000
    assert extract("001_news_chongqing.html").text.startswith("重庆拟出台人工智能赋能制造业高质量发展行动方案\n")
    assert extract("004_news_tianjin.html").text.startswith("天津：到2027年攻克100項關鍵核心技術\nC114訊")
    assert extract("000_news_jiangsu.html").text.startswith("近日,江苏省工业和信息化厅")


def test_portal_metadata_table_comes_back_for_the_metadata_stage():
    # trafilatura leaves the <table> out as page furniture; the stage puts its rows back on top
    result = extract("002_gov_portal_jiangsu.html")
    assert result.text.split("\n")[:7] == [
        "| 索 引 號: | 014000319/2025-00326 | 分 類: | 政府文件 科技、教育 通知 |",
        "| 發 布 機 構: | 关键词1省人民政府 | 發 文 日 期: | 2025-12-29 |",
        "| 標 題: | 省政府關於印發关键词1省“人工智能+”行動方案的通知 | 主 題 詞: | |",
        "| 文 號: | 蘇政發〔2025〕108號 | | |",
        "| 內 容 概 述: | 省政府關於印發关键词1省“人工智能+”行動方案的通知 | | |",
        "| 時 效: |",
        "省政府關於印發关键词1省",
    ]
    assert "metadata table of 6 rows" in result.summary
    meta = metadata.run(result.text, CONFIG, {})
    assert len(meta.changes) == 6 and meta.text.startswith("省政府關於印發关键词1省\n")
    assert meta.data["metadata"]["doc_number"] == "蘇政發〔2025〕108號"
    assert meta.data["metadata"]["date"] == "2025-12-29"
    done = placeholders.run(meta.text, CONFIG, MappingProxyType(dict(meta.data)))
    assert done.data["metadata"]["issuer"] == "江苏省人民政府" and "关键词1" not in done.text


def test_through_the_pipeline():
    result = policyclean.clean((FIXTURES / "002_gov_portal_jiangsu.html").read_bytes())
    assert result.facts["html"] is True
    assert result.step("html") is not None
    assert "2025〕108" in result.metadata["doc_number"] and result.metadata["date"] == "2025-12-29"
    assert result.metadata["issuer"] == "江苏省人民政府"
    assert "<" not in result.text and "索 引" not in result.text


def test_detection():
    for name in PAGES.values():
        assert not htmlextract.looks_like_html((ROOT / "seeds" / name[0]).read_text(encoding="utf-8"))
    assert htmlextract.looks_like_html("\ufeff  <!DOCTYPE html><html><body><p>正文</p></body></html>")
    assert htmlextract.looks_like_html("<html lang='zh'><p>正文</p>")
    assert htmlextract.looks_like_html("<div>页头</div>" + "<p>一段正文。</p>" * 8)
    assert not htmlextract.looks_like_html("一、总体要求\n当 a<b 且 b>c 时……\n")
    assert not htmlextract.looks_like_html("<p>一段</p>\n")  # one tag is not a page


def test_plain_text_untouched_and_never():
    text = "一、总体要求\n以习近平新时代中国特色社会主义思想为指导。\n"
    assert htmlextract.run(text, CONFIG, {}).text == text
    page = (FIXTURES / "001_news_chongqing.html").read_text(encoding="utf-8")
    result = htmlextract.run(page, Config(html="never"), {})
    assert result.text == page and not result.changes


def test_always_extracts_a_fragment():
    fragment = "<p>第一段文字内容比较长一些，用来测试。</p><p>第二段。</p>"
    assert not htmlextract.looks_like_html(fragment)
    assert htmlextract.run(fragment, CONFIG, {}).text == fragment
    result = htmlextract.run(fragment, Config(html="always"), {})
    assert result.text == "第一段文字内容比较长一些，用来测试。\n第二段。\n" and result.data == {"html": True}


def test_fallback_strips_tags_and_warns(monkeypatch):
    monkeypatch.setattr(htmlextract, "_trafilatura", lambda html: ("", "it returned nothing"))
    result = htmlextract.run((FIXTURES / "004_news_tianjin.html").read_text(encoding="utf-8"),
                             Config(source="page.html"), {})
    assert result.warnings and result.warnings[0].startswith("page.html: trafilatura found no main text")
    lines = result.text.split("\n")
    assert all(line in lines for line in seed_lines("004_12ff21ec68cac506.txt", 1, 36))
    # scripts, styles, <nav>, <aside> and <footer> are gone; other chrome is left to later stages
    for gone in ("hm.js", "jquery", "float:left", "产业要闻", "相关阅读", "版权所有"):
        assert gone not in result.text
    assert result.changes[0].rule == "html: tags stripped (lxml)"


def test_idempotent():
    for page in PAGES:
        first = extract(page)
        second = htmlextract.run(first.text, CONFIG, {})
        assert second.text == first.text and not second.changes


def test_metadata_table_inside_the_content_is_not_doubled():
    page = (FIXTURES / "002_gov_portal_jiangsu.html").read_text(encoding="utf-8")
    start, end = page.index("<table"), page.index("</table>") + len("</table>")
    content = '<div class="article-content" id="zoom">'
    moved = (page[:start] + page[end:]).replace(content, content + page[start:end])
    result = htmlextract.run(moved, CONFIG, {})
    lines = result.text.split("\n")
    assert sum(line.startswith("| 索 引 號:") for line in lines) == 1  # trafilatura kept it this time
    assert "metadata table" not in result.summary
    meta = metadata.run(result.text, CONFIG, {})
    assert len(meta.changes) == 6 and meta.data["metadata"]["index_number"] == "014000319/2025-00326"
