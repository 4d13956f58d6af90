"""The ensemble: trafilatura's text when it agrees with resiliparse (the high-recall reference), else
whichever of trafilatura and readability agrees better with it; readability first on CJK pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ..text import cjk_share, tokens
from .extractors import (
    extract_readability,
    extract_resiliparse,
    extract_trafilatura_fast,
    extract_trafilatura_with_preview,
)

# ----------------------------------------------------------------------------------------------------------
# the ensemble

READABILITY_FAILED = 0.1  # an extractor returned less than a tenth of resiliparse's text: it missed the page
AGREEMENT_MIN = 0.7  # CJK pages: below this, readability and resiliparse disagree about the page's text
TRAFILATURA_TRUSTED = 0.9  # other pages: trafilatura's text is taken unchecked when it agrees this well with resiliparse
PREVIEW_MARGIN = 0.1  # readability is skipped when its preview agrees this much less with resiliparse than trafilatura


def _any_case(tag: str) -> str:
    return "".join(f"[{c}{c.upper()}]" for c in tag)


# What is removed: `<script ...>` up to the first `</script ...>` (likewise style and inline svg; ASCII case
# classes, the tag name ending at a word boundary) and `<!--` up to the first `-->`; unclosed ones stay. A
# closing tag ends at its first ">" whatever stands before it (`</script\n<!-- ... -->`), as an HTML5 parser
# reads it: requiring `</script>` made one such page lose everything up to the next script's end. As one regex
# (tests/test_extractors.py keeps it as the reference) the engine steps through every character of every script
# with a lazy `.*?`; finding each opening tag and then its closing tag with a search that jumps from "<" to "<"
# is 4x faster, with the same result on every benchmark page.
_TAG_NAMES = ("script", "style", "svg")
_OPENING = re.compile("<(?:(" + "|".join(rf"{_any_case(tag)}\b" for tag in _TAG_NAMES) + r")[^>]*>|!--)")
_CLOSING = {tag: re.compile(rf"</{_any_case(tag)}\b[^>]*>") for tag in _TAG_NAMES}


def strip_scripts(html: str) -> str:
    """Scripts, styles, comments and inline SVG removed (each becomes one space): no extractor keeps them, and
    on modern pages they are most of the bytes (readability and trafilatura get 20-30% faster, their output is
    unchanged)."""
    parts: list[str] = []
    kept_from = search_from = 0
    unclosed: set[str] = set()  # no closing tag after some point: none after any later opening either
    while (opening := _OPENING.search(html, search_from)) is not None:
        name = (opening.group(1) or "!--").lower()
        end = -1
        if name in unclosed:
            pass
        elif name == "!--":
            end = html.find("-->", opening.end())
            end = end + 3 if end >= 0 else -1
        elif (closing := _CLOSING[name].search(html, opening.end())) is not None:
            end = closing.end()
        if end < 0:  # never closed: kept, and the search goes on after its "<"
            unclosed.add(name)
            search_from = opening.start() + 1
            continue
        parts.append(html[kept_from:opening.start()])
        parts.append(" ")
        kept_from = search_from = end
    if not parts:
        return html
    parts.append(html[kept_from:])
    return "".join(parts)


class BigramSpace:
    """Token bigram multisets of several texts over one shared token index, as sorted numpy arrays: the
    texts of one page are compared pairwise, and set arithmetic on integer keys is ~5x faster than Counters
    of string pairs (the comparison was 5% of the ensemble's time)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def profile(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(unique bigram keys, their counts) of `text`'s tokens."""
        units = tokens(text)
        index = self.index
        for unit in dict.fromkeys(units):
            if unit not in index:
                index[unit] = len(index)
        ids = np.fromiter(map(index.__getitem__, units), dtype=np.int64, count=len(units))
        return np.unique((ids[:-1] << 32) + ids[1:], return_counts=True)


def agreement(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """F1 of two bigram multisets (`BigramSpace.profile`): 1.0 when two extractors returned the same text."""
    (keys_a, counts_a), (keys_b, counts_b) = a, b
    if not len(keys_a) or not len(keys_b):
        return 0.0
    _, in_a, in_b = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    overlap = int(np.minimum(counts_a[in_a], counts_b[in_b]).sum())
    return 2 * overlap / (int(counts_a.sum()) + int(counts_b.sum()))


def medoid(candidates: dict[str, str]) -> str:
    """The output that agrees most with the others."""
    space = BigramSpace()
    grams = {n: space.profile(t) for n, t in candidates.items() if t.strip()}
    if not grams:
        return ""
    support = {n: sum(agreement(grams[n], grams[m]) for m in grams if m != n) for n in grams}
    return candidates[max(sorted(grams), key=lambda n: support[n])]


def combine_readability_first(readability: str, resiliparse: str, trafilatura: Callable[[], str]) -> str:
    """For Chinese/Japanese/Korean pages (readability is clearly best there): readability, unless it found
    next to nothing (then trafilatura) or disagrees with resiliparse (then the medoid of the three)."""
    if len(readability) < READABILITY_FAILED * len(resiliparse):
        return trafilatura() or resiliparse
    space = BigramSpace()
    if agreement(space.profile(readability), space.profile(resiliparse)) < AGREEMENT_MIN:
        return medoid({"readability": readability, "resiliparse": resiliparse, "trafilatura": trafilatura()})
    return readability


def combine(trafilatura: str, resiliparse: str, readability: Callable[[], str],
            readability_preview: Callable[[], str | None] | None = None) -> str:
    """Other pages: trafilatura, checked against resiliparse. When they disagree, or trafilatura found next
    to nothing, readability runs (about a quarter of pages) and whichever of the two agrees better with
    resiliparse wins: the reference has high recall, so the closer text is the one that kept the article.

    `readability_preview` gives the text of trafilatura's own readability fork, a close stand-in: when even it is
    clearly further from resiliparse than trafilatura is, readability-lxml is not run (a quarter fewer runs;
    F1 unchanged or up on every benchmark set)."""
    space = BigramSpace()
    reference = space.profile(resiliparse)
    trafilatura_agreement = agreement(space.profile(trafilatura), reference)
    if len(trafilatura) >= READABILITY_FAILED * len(resiliparse) and trafilatura_agreement >= TRAFILATURA_TRUSTED:
        return trafilatura
    preview = readability_preview() if trafilatura and readability_preview is not None else None
    if preview is not None and agreement(space.profile(preview), reference) <= trafilatura_agreement - PREVIEW_MARGIN:
        return trafilatura
    other = readability()
    if other and agreement(space.profile(other), reference) > trafilatura_agreement:
        return other
    return trafilatura or other


def extract_ensemble(html: str, url: str | None = None) -> str:
    """Main text by a small ensemble chosen on bench/html_extraction.py (see BENCHMARKS.md): resiliparse
    (fast, high recall) is the reference; CJK pages are readability-first (trafilatura without its fallbacks
    when readability fails), others trafilatura-first, and the other extractor is consulted only when the
    first one disagrees with the reference."""
    html = strip_scripts(html)
    resiliparse = extract_resiliparse(html, url)
    if cjk_share(resiliparse[:3000]) > 0.3:
        return combine_readability_first(extract_readability(html, url), resiliparse,
                                         lambda: extract_trafilatura_fast(html, url))
    trafilatura, preview = extract_trafilatura_with_preview(html, url)
    return combine(trafilatura, resiliparse, lambda: extract_readability(html, url), preview)


