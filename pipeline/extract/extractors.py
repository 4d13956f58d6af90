"""HTML main-text extractors behind one signature: `(html: str, url: str | None) -> str`.

Each wraps a maintained library; `ensemble` (in boilerplate.py) chooses between their outputs per page.
Outputs are plain text with one block per line, so that every downstream rule sees the same shape.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache

from ..text import INVISIBLE_CHARS

BLOCK_TAGS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "section", "article",
    "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "figcaption", "header", "footer", "main", "aside",
}
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


# the invisible characters decoded text loses too (decode.INVISIBLE_CHARS): trafilatura drops them, the other
# extractors keep them, which also made their texts look unlike trafilatura's to the ensemble
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")


def _normalise_lines(text: str) -> str:
    """One block per line, runs of spaces as one, no blank lines, no invisible characters (`INVISIBLE`)."""
    if INVISIBLE.search(text):
        text = INVISIBLE.sub("", text)
    lines = (line.strip() for line in _SPACES.sub(" ", text).splitlines())  # (_SPACES holds no line break)
    return "\n".join(line for line in lines if line)


def html_fragment_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one block element per line."""
    import lxml.html

    try:
        root = lxml.html.fromstring(fragment)
    except (ValueError, lxml.etree.ParserError):
        return ""
    return element_to_text(root)


def element_to_text(root) -> str:
    """Visible text of a parsed element (lxml), one block element per line; scripts and styles are dropped, and
    so is the inside of comments and processing instructions (`<!-- /TEXT 1 LINE -->`, `<!--[if IE]>...`), which no
    browser shows; the text after them stays."""
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(element) -> None:
        visible = isinstance(element.tag, str)  # a comment's or processing instruction's tag is a function
        block = visible and element.tag.lower() in BLOCK_TAGS
        if block:
            parts.append("\n")
        if element.text and visible:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return _normalise_lines("".join(parts))


def as_html_document(html: str) -> str:
    """`html` with an `<html>` tag in front when its first 50 characters name none. trafilatura takes such
    input for a fragment and returns nothing when the parsed tree has a single child (its `load_html` check),
    which drops whole pages that start with a comment, a long preamble or a wrapper element; libxml2 parses
    the page the same with the tag added (benchmark: cleaneval 0.74 -> 0.84 F1 for trafilatura, zh 0.87 ->
    0.90, other sets unchanged)."""
    return html if "html" in html[:50].lower() else "<html>" + html


def _trafilatura_text(html: str, url: str | None, **options) -> str:
    """trafilatura's main text with our settings (tables in, comments out, no deduplication: dedup is a
    corpus stage), one block per line; `options` picks the variant."""
    import trafilatura

    text = trafilatura.extract(as_html_document(html), url=url, include_comments=False, include_tables=True,
                               deduplicate=False, **options)
    return _normalise_lines(text or "")


def extract_trafilatura(html: str, url: str | None = None) -> str:
    return _trafilatura_text(html, url, favor_recall=False)


_captured = threading.local()  # per thread: the readability summaries of the trafilatura call under way


@lru_cache(maxsize=1)
def _watch_trafilatura_readability() -> None:
    """Full trafilatura runs its own fork of readability on every page, to compare with its own extraction;
    keep the fork's summary so the ensemble can look at it for free (see `combine`). If a trafilatura release
    renames the function, nothing is captured and the ensemble runs readability-lxml as before. The wrapper
    is installed in trafilatura's module (its extraction looks the function up there), but it only observes:
    it returns what trafilatura's function returns, and records it only inside our own calls."""
    import trafilatura.external as external

    original = getattr(external, "try_readability", None)
    if original is None:
        return

    def keep_summary(tree):
        summary = original(tree)
        if getattr(_captured, "summaries", None) is not None:
            _captured.summaries.append(summary)
        return summary

    external.try_readability = keep_summary


def extract_trafilatura_with_preview(html: str, url: str | None = None) -> tuple[str, Callable[[], str | None]]:
    """Full trafilatura's text, and a function giving the text of its internal readability summary (None if
    not captured); the summary is turned into text only when asked for (most pages never need it)."""
    _watch_trafilatura_readability()
    _captured.summaries = []
    try:
        text = extract_trafilatura(html, url)
        summary = _captured.summaries[0] if _captured.summaries else None
    finally:
        _captured.summaries = None
    return text, lambda: None if summary is None else element_to_text(summary)


def extract_trafilatura_fast(html: str, url: str | None = None) -> str:
    """trafilatura without its internal fallback extractors (readability/justext copies): ~2x faster."""
    return _trafilatura_text(html, url, fast=True)


def extract_trafilatura_recall(html: str, url: str | None = None) -> str:
    return _trafilatura_text(html, url, favor_recall=True)


@lru_cache(maxsize=1)
def _readability_document():
    """readability's Document from a private copy of readability-lxml's module, patched: its HTML cleaner is
    told not to hunt javascript: links and on* attributes (scripts and styles are still removed), and its
    `clean`, `describe` and div transform are our faster equivalents (below). That pass and making links
    absolute (we pass no URL: links are not text) were 40% of readability's time; its output is unchanged
    (checked on the benchmark pages). The copy is ours alone: `readability.readability`, as any other code in
    the process imports it, stays as it is."""
    import importlib.util

    import readability.readability as original
    from lxml_html_clean import Cleaner

    spec = importlib.util.spec_from_file_location("readability._corpus_pipeline_copy", original.__file__)
    module = importlib.util.module_from_spec(spec)  # package "readability": its relative imports resolve
    spec.loader.exec_module(module)
    settings = {name: getattr(module.html_cleaner, name) for name in (
        "scripts", "comments", "style", "links", "meta", "add_nofollow", "page_structure",
        "processing_instructions", "embedded", "frames", "forms", "annoying_tags", "remove_tags",
        "remove_unknown_tags", "safe_attrs_only")}
    module.html_cleaner = Cleaner(javascript=False, **settings)
    module.clean = _readability_clean
    module.describe = _no_description
    module.Document.transform_misused_divs_into_paragraphs = _transform_misused_divs
    return module.Document


# readability's `\s{255,}` and `\s*\n\s*`, anchored at the start of a whitespace run: their leftmost matches
# always start there (and take the whole run), but unanchored the regex engine retries at every position
# inside a run, quadratic in its length (indented markup has long runs); same matches, 2x faster overall
_LONG_SPACE = re.compile(r"(?<!\s)\s{255,}")
_SPACED_NEWLINE = re.compile(r"(?<!\s)\s*\n\s*")
_TABS_OR_SPACES = re.compile(r"\t|[ \t]{2,}")


def _readability_clean(text: str) -> str:
    """readability's `clean` (called for every node and link it scores: a third of its time), same result:
    each of its three substitutions is skipped when the text cannot match it, and two are anchored (above)."""
    if len(text) >= 255:
        text = _LONG_SPACE.sub(" " * 255, text)
    if "\n" in text:
        text = _SPACED_NEWLINE.sub("\n", text)
    if "\t" in text or "  " in text:
        text = _TABS_OR_SPACES.sub(" ", text)
    return text.strip()


def _no_description(node, depth: int = 1) -> str:
    """readability formats a description of a node for every debug log call, logging on or off; the
    descriptions go only into those messages."""
    return ""


# readability asks whether a subtree holds a block element by serialising it and searching the markup for
# "<(blockquote|dl|div|img|ol|p|pre|table|ul)" (quadratic in nested divs, 12% of its time); the same answer
# comes from the tag names (its cleaner has removed comments, scripts and styles, and text is escaped)
_BLOCK_TAG_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")
_INLINE_TAGS = frozenset({"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"})


def _holds_block(nodes) -> bool:
    return any(isinstance(node.tag, str) and node.tag.lower().startswith(_BLOCK_TAG_PREFIXES) for node in nodes)


def _transform_misused_divs(self) -> None:
    """readability-lxml 0.9's `Document.transform_misused_divs_into_paragraphs`, with the serialise-and-search
    test replaced by `_holds_block` (same result on every benchmark page: tests/test_extractors.py)."""
    from lxml.html import fragment_fromstring

    for elem in self.tags(self.html, "div"):
        if not _holds_block(elem.iterdescendants()):
            elem.tag = "p"
    for elem in self.tags(self.html, "div"):
        children = list(elem)
        paragraph = None
        if elem.text and elem.text.strip():
            p = fragment_fromstring("<p/>")
            p.text = elem.text
            elem.text = None
            elem.insert(0, p)
            paragraph = p
        for child in children:
            if child.tag == "br":
                paragraph = None
                continue
            if child.tag not in _INLINE_TAGS or _holds_block(child.iter()):
                paragraph = None
                continue
            if paragraph is None:
                paragraph = fragment_fromstring("<p/>")
                child.addprevious(paragraph)
            paragraph.append(child)
        for pos, child in reversed(list(enumerate(elem))):
            if child.tail and child.tail.strip():
                p = fragment_fromstring("<p/>")
                p.text = child.tail
                child.tail = None
                elem.insert(pos + 1, p)
            if child.tag == "br":
                child.drop_tree()


def extract_readability(html: str, url: str | None = None) -> str:
    document = _readability_document()
    try:
        summary = document(html).summary(html_partial=True)
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
