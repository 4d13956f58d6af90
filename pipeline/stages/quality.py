"""Quality stage: Gopher/C4-style signals (CJK-aware), stored on every document; `low_quality` only past
the configured thresholds, and only from 50 words (or CJK characters) on.
"""

from __future__ import annotations

import re
from collections import Counter

from ..config import Config
from ..document import Document, Reason
from ..text import CJK_CHAR_CLASS, cjk_share

# ----------------------------------------------------------------------------------------------------------
# quality signals

STOPWORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "a",
            "in",
            "is",
            "that",
            "for",
            "it",
            "with",
            "as",
            "was",
            "on",
            "be",
            "by",
            "this",
            "are",
            "have",
            "from",
            "at",
            "or",
            "an",
            "not",
            "but",
            "his",
            "they",
            "which",
            "you",
            "we",
            "their",
            "has",
            "were",
            "been",
            "its",
            "will",
            "would",
            "can",
            "more",
        ]
    ),
    "zh": frozenset(
        [
            "的",
            "了",
            "是",
            "在",
            "和",
            "有",
            "我",
            "不",
            "这",
            "也",
            "就",
            "人",
            "都",
            "一个",
            "我们",
            "他们",
            "中",
            "对",
            "上",
            "为",
            "与",
            "及",
            "等",
            "将",
            "被",
            "从",
            "而",
            "但",
        ]
    ),
}
SYMBOL = re.compile(r"[#@$%^&*_=+<>{}\[\]\\~`|]")
DIGIT = re.compile(r"\d")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:'[a-z]+)?")
CJK_RUN = re.compile(f"[{CJK_CHAR_CLASS}]")


def quality_signals(text: str, lang: str = "") -> dict[str, float]:
    """Gopher/C4-style signals, CJK-aware (characters instead of whitespace words for Chinese)."""
    chars = max(1, len(text))
    lines = [ln for ln in text.split("\n") if ln.strip()]
    line_counts = Counter(ln.strip() for ln in lines)
    dup_line_chars = sum(len(ln) * (c - 1) for ln, c in line_counts.items() if c > 1)
    cjk = cjk_share(text[:20000]) > 0.3
    # n-grams as tuples (counting them is ~2x faster than joining each into a string first)
    if cjk:
        units = CJK_RUN.findall(text)
        grams = Counter(zip(units, units[1:], units[2:], strict=False))  # character trigrams
    else:
        units = [w.lower() for w in LATIN_WORD.findall(text)]
        grams = Counter(zip(units, units[1:], strict=False))  # word bigrams
    top = 0.0
    if grams:
        gram, count = grams.most_common(1)[0]
        covered = count * (3 if cjk else len(gram[0]) + 1 + len(gram[1]))
        top = covered / chars if count > 1 else 0.0
    stop_lang = lang if lang in STOPWORDS else ("zh" if cjk else "en")
    stopwords = STOPWORDS[stop_lang]
    if stop_lang == "zh":
        stop_hits = sum(text.count(w) for w in stopwords)
    else:
        stop_hits = sum(1 for w in units if w in stopwords)
    return {
        "chars": float(len(text)),
        "lines": float(len(lines)),
        "mean_line_chars": len(text) / max(1, len(lines)),
        "words": float(len(units)),
        "symbol_ratio": len(SYMBOL.findall(text)) / chars,
        "digit_ratio": len(DIGIT.findall(text)) / chars,
        "dup_line_ratio": dup_line_chars / chars,
        "top_ngram_ratio": min(1.0, top),
        "stopwords": float(stop_hits),
    }


def quality_stage(doc: Document, config: Config) -> Document:
    """Stage: store quality signals; reject `low_quality` only past the configured thresholds."""
    cfg = config.junk
    signals = quality_signals(doc.text, doc.lang)
    doc.quality.update(signals)
    reasons = []
    if signals["symbol_ratio"] > cfg.max_symbol_ratio:
        reasons.append(f"symbol ratio {signals['symbol_ratio']:.2f} > {cfg.max_symbol_ratio}")
    if signals["dup_line_ratio"] > cfg.max_duplicate_line_ratio:
        reasons.append(f"duplicate lines {signals['dup_line_ratio']:.2f} > {cfg.max_duplicate_line_ratio}")
    if signals["words"] >= 50 and signals["top_ngram_ratio"] > cfg.max_top_ngram_ratio:
        reasons.append(f"top n-gram covers {signals['top_ngram_ratio']:.2f} > {cfg.max_top_ngram_ratio}")
    if (
        cfg.min_stopword_hits
        and doc.lang in STOPWORDS
        and signals["words"] >= 50
        and signals["stopwords"] < cfg.min_stopword_hits
    ):
        reasons.append(f"{int(signals['stopwords'])} stopwords (< {cfg.min_stopword_hits})")
    if reasons:
        return doc.reject(Reason.LOW_QUALITY, "; ".join(reasons))
    return doc
