"""Stage 'html': when the input is a web page, extract its main text (trafilatura).

``config.html``: ``auto`` extracts when the text looks like HTML (it starts, after
whitespace and a BOM, with ``<!doctype html`` or ``<html``, or has a ``<body`` tag, or
many block tags such as ``<p>``/``<div>``); ``always`` extracts whatever the input;
``never`` leaves the text alone (the pipeline then skips this stage).

trafilatura (imported lazily: importing it takes a noticeable fraction of a second) is
asked to keep tables — a portal's metadata table comes through as ``| label: | value |``
rows that the ``metadata`` stage parses — and paragraphs, to favour recall, and to leave
out comments. If it finds nothing, the page's text is taken with its tags stripped
(script, style, navigation elements dropped, block elements as line breaks) and a
warning says that site chrome may remain for the later stages to remove.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .model import Change, Config, StageResult

_LEAD_RE = re.compile(r"\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_BODY_RE = re.compile(r"<body[\s>]", re.I)
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|br|table|tr|td|li|ul|h[1-6]|span|section|article)\b[^>]*>", re.I)
MIN_TABLE_LABELS = 3  # the metadata stage's own threshold for a metadata block
DENSE_TAGS = 8  # this many block tags in the first 20 000 characters make a page

# elements whose text is never document text
_DROP = ("script", "style", "noscript", "template", "head", "nav", "iframe", "svg", "button", "form",
         "footer", "aside")
_BLOCKS = ("p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
           "article", "header", "footer", "aside", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd")


def looks_like_html(text: str) -> bool:
    """Cheap test: a document start tag, a <body>, or many block tags near the start."""
    head = text[:20000]
    if "<" not in head:
        return False
    if _LEAD_RE.match(head.lstrip("\ufeff")):
        return True
    if _BODY_RE.search(head):
        return True
    return len(_BLOCK_TAG_RE.findall(head)) >= DENSE_TAGS


def run(text: str, config: Config, facts: Mapping[str, Any]) -> StageResult:
    if config.html == "never" or not text:
        return StageResult(text)
    if config.html == "auto" and not looks_like_html(text):
        return StageResult(text)

    warnings: list[str] = []
    extracted, how = _trafilatura(text)
    if not extracted:
        warnings.append(f"{_name(config)}trafilatura found no main text in the HTML ({how}); "
                        "took the whole page's text with its tags stripped, so site chrome may remain")
        extracted = _strip_tags(text)
        rule = "html: tags stripped (lxml)"
    else:
        rule = "html: main text (trafilatura)"
    lines = [" ".join(line.split()) for line in extracted.splitlines()]
    lines = [line for line in lines if line]
    rows = _metadata_table(text, config)
    if rows and "".join(rows[0].split()) in {"".join(line.split()) for line in lines[:15]}:
        rows = []  # trafilatura kept the table (it was inside the main text)
    if rows:
        # trafilatura often leaves a portal's metadata table out as page furniture: put it back
        # on top, as the rows trafilatura writes for tables, for the metadata stage to parse
        lines = rows + lines
        rule += " + metadata table"
    new_text = "".join(line + "\n" for line in lines)
    if new_text == text:
        return StageResult(text, warnings=tuple(warnings), data={"html": True})
    summary = f"extracted main text from HTML ({len(lines) - len(rows)} paragraphs"
    summary += f", and a metadata table of {len(rows)} rows)" if rows else ")"
    change = Change(0, len(text), text, new_text, rule, "the input was an HTML page; kept its main text")
    return StageResult(new_text, (change,), tuple(warnings), {"html": True}, summary)


def _trafilatura(html: str) -> tuple[str, str]:
    """The main text by trafilatura, and a word on why it is empty when it is."""
    try:
        import trafilatura  # slow to import: only when the input is HTML
    except ImportError as error:  # e.g. lxml without lxml_html_clean
        return "", f"trafilatura could not be imported: {error}"
    try:
        result = trafilatura.extract(
            html, output_format="txt", include_tables=True, include_comments=False,
            include_images=False, include_links=False, include_formatting=False,
            favor_recall=True, deduplicate=False, with_metadata=False)
    except Exception as error:  # trafilatura raises many kinds on odd markup; fall back, do not fail
        return "", f"trafilatura failed: {type(error).__name__}: {error}"
    return (result or "").strip(), "it returned nothing"


def _metadata_table(html: str, config: Config) -> list[str]:
    """The rows of a portal metadata table in the page (≥3 known labels), as ``| a | b |`` lines."""
    if "<table" not in html and "<TABLE" not in html:
        return []
    import lxml.html

    from .metadata import label_names

    labels = label_names(config.tables_dir)
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:
        return []
    for table in root.iter("table"):
        rows = []
        found = 0
        for row in table.iter("tr"):
            cells = [" ".join(cell.text_content().split()) for cell in row if cell.tag in ("td", "th")]
            found += sum(1 for cell in cells if "".join(cell.split()).rstrip(":：") in labels)
            if any(cells):
                rows.append("| " + " | ".join(cells) + " |")
        if found >= MIN_TABLE_LABELS:
            return [" ".join(row.split()) for row in rows]
    return []


def _strip_tags(html: str) -> str:
    """The page's text: scripts, styles and navigation dropped, block elements on their own lines."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # not parseable at all: drop anything tag-shaped
        return re.sub(r"<[^>]*>", "\n", html)
    for element in list(root.iter(*_DROP)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    for cell in root.iter("td", "th"):
        cell.tail = " " + (cell.tail or "")
    return root.text_content()


def _name(config: Config) -> str:
    return f"{config.source}: " if config.source else ""
