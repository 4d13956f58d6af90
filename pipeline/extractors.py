"""HTML main-text extractors behind one signature: `(html: str, url: str | None) -> str`.

Each wraps a maintained library; `ensemble` (in boilerplate.py) chooses between their outputs per page.
Outputs are plain text with one block per line, so that every downstream rule sees the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


@lru_cache(maxsize=1)
def _readability_document():
    """readability's Document, with its HTML cleaner told not to hunt javascript: links and on* attributes
    (scripts and styles are still removed). That pass and making links absolute (we pass no URL: links are
    not text) were 40% of readability's time; its output is unchanged (checked on the benchmark pages)."""
    import readability.readability as module
    from lxml_html_clean import Cleaner

    settings = {name: getattr(module.html_cleaner, name) for name in (
        "scripts", "comments", "style", "links", "meta", "add_nofollow", "page_structure",
        "processing_instructions", "embedded", "frames", "forms", "annoying_tags", "remove_tags",
        "remove_unknown_tags", "safe_attrs_only")}
    module.html_cleaner = Cleaner(javascript=False, **settings)
    return module.Document


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


EXTRACTORS = {
    "trafilatura": extract_trafilatura,
    "trafilatura_fast": extract_trafilatura_fast,
    "trafilatura_recall": extract_trafilatura_recall,
    "readability": extract_readability,
    "resiliparse": extract_resiliparse,
    "justext": extract_justext,
}


# ----------------------------------------------------------------------------------------------------------
# the ensemble

READABILITY_FAILED = 0.1  # an extractor returned less than a tenth of resiliparse's text: it missed the page
AGREEMENT_MIN = 0.7  # CJK pages: below this, readability and resiliparse disagree about the page's text
TRAFILATURA_TRUSTED = 0.9  # other pages: trafilatura's text is taken unchecked when it agrees this well with resiliparse
SCRIPTS = re.compile(
    r"<script\b[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>|<!--.*?-->|<svg\b[^>]*>.*?</svg\s*>",
    re.S | re.I,
)


def strip_scripts(html: str) -> str:
    """Scripts, styles, comments and inline SVG removed: no extractor keeps them, and on modern pages they
    are most of the bytes (readability and trafilatura get 20-30% faster, their output is unchanged)."""
    return SCRIPTS.sub(" ", html)


def _bigram_counts(text: str):
    from collections import Counter

    from .dedup import tokens

    units = tokens(text)
    return Counter(zip(units, units[1:], strict=False))


def agreement(a, b) -> float:
    """F1 of two bigram multisets: 1.0 when two extractors returned the same text."""
    if not a or not b:
        return 0.0
    overlap = sum(min(count, b.get(key, 0)) for key, count in a.items())
    return 2 * overlap / (sum(a.values()) + sum(b.values()))


def medoid(candidates: dict[str, str]) -> str:
    """The output that agrees most with the others."""
    grams = {n: _bigram_counts(t) for n, t in candidates.items() if t.strip()}
    if not grams:
        return ""
    support = {n: sum(agreement(grams[n], grams[m]) for m in grams if m != n) for n in grams}
    return candidates[max(sorted(grams), key=lambda n: support[n])]


def combine_readability_first(readability: str, resiliparse: str, trafilatura: Callable[[], str]) -> str:
    """For Chinese/Japanese/Korean pages (readability is clearly best there): readability, unless it found
    next to nothing (then trafilatura) or disagrees with resiliparse (then the medoid of the three)."""
    if len(readability) < READABILITY_FAILED * len(resiliparse):
        return trafilatura() or resiliparse
    if agreement(_bigram_counts(readability), _bigram_counts(resiliparse)) < AGREEMENT_MIN:
        return medoid({"readability": readability, "resiliparse": resiliparse, "trafilatura": trafilatura()})
    return readability


def combine(trafilatura: str, resiliparse: str, readability: Callable[[], str]) -> str:
    """Other pages: trafilatura, checked against resiliparse. When they disagree, or trafilatura found next
    to nothing, readability runs (about a quarter of pages) and whichever of the two agrees better with
    resiliparse wins: the reference has high recall, so the closer text is the one that kept the article."""
    reference = _bigram_counts(resiliparse)
    trafilatura_agreement = agreement(_bigram_counts(trafilatura), reference)
    if len(trafilatura) >= READABILITY_FAILED * len(resiliparse) and trafilatura_agreement >= TRAFILATURA_TRUSTED:
        return trafilatura
    other = readability()
    if other and agreement(_bigram_counts(other), reference) > trafilatura_agreement:
        return other
    return trafilatura or other


def extract_ensemble(html: str, url: str | None = None) -> str:
    """Main text by a small ensemble chosen on bench/html_extraction.py (see BENCHMARKS.md): resiliparse
    (fast, high recall) is the reference; CJK pages are readability-first (trafilatura without its fallbacks
    when readability fails), others trafilatura-first, and the other extractor is consulted only when the
    first one disagrees with the reference."""
    from .language import cjk_share

    html = strip_scripts(html)
    resiliparse = extract_resiliparse(html, url)
    if cjk_share(resiliparse[:3000]) > 0.3:
        return combine_readability_first(extract_readability(html, url), resiliparse,
                                         lambda: extract_trafilatura_fast(html, url))
    return combine(extract_trafilatura(html, url), resiliparse, lambda: extract_readability(html, url))


EXTRACTORS["ensemble"] = extract_ensemble
