"""HTML main-text extractors behind one signature: `(html: str, url: str | None) -> str`.

Each wraps a maintained library; `ensemble` (in boilerplate.py) chooses between their outputs per page.
Outputs are plain text with one block per line, so that every downstream rule sees the same shape.
"""

from __future__ import annotations

import re
from functools import lru_cache

BLOCK_TAGS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "section", "article",
    "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "figcaption", "header", "footer", "main", "aside",
}
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def _normalise_lines(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def html_fragment_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one block element per line."""
    import lxml.html

    try:
        root = lxml.html.fromstring(fragment)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        block = tag.lower() in BLOCK_TAGS
        if block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return _normalise_lines("".join(parts))


def extract_trafilatura(html: str, url: str | None = None) -> str:
    import trafilatura

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, deduplicate=False, favor_recall=False
    )
    return _normalise_lines(text or "")


def extract_trafilatura_fast(html: str, url: str | None = None) -> str:
    """trafilatura without its internal fallback extractors (readability/justext copies): ~2x faster."""
    import trafilatura

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, deduplicate=False, fast=True
    )
    return _normalise_lines(text or "")


def extract_trafilatura_recall(html: str, url: str | None = None) -> str:
    import trafilatura

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, deduplicate=False, favor_recall=True
    )
    return _normalise_lines(text or "")


def extract_readability(html: str, url: str | None = None) -> str:
    from readability import Document

    try:
        summary = Document(html, url=url).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - readability raises bare Exceptions on unparsable pages
        return ""
    return html_fragment_to_text(summary)


def extract_resiliparse(html: str, url: str | None = None) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    text = extract_plain_text(tree, main_content=True, list_bullets=False, alt_texts=False, comments=False)
    return _normalise_lines(text)


@lru_cache(maxsize=4)
def _stoplist(language: str) -> frozenset[str]:
    import justext

    try:
        return frozenset(justext.get_stoplist(language))
    except ValueError:
        return frozenset()


def extract_justext(html: str, url: str | None = None, language: str = "English") -> str:
    import justext

    stoplist = _stoplist(language)
    if not stoplist:
        return ""
    try:
        paragraphs = justext.justext(html, stoplist)
    except Exception:  # noqa: BLE001 - justext raises on empty or unparsable documents
        return ""
    return _normalise_lines("\n".join(p.text for p in paragraphs if not p.is_boilerplate))


EXTRACTORS = {
    "trafilatura": extract_trafilatura,
    "trafilatura_fast": extract_trafilatura_fast,
    "trafilatura_recall": extract_trafilatura_recall,
    "readability": extract_readability,
    "resiliparse": extract_resiliparse,
    "justext": extract_justext,
}
