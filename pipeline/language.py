"""Language of each document and of each paragraph.

Script evidence decides where it is decisive (Han without kana -> zh, kana -> ja, Hangul -> ko): short
Chinese text is where statistical detectors are weakest, and the script answers it for free. Everything
else goes to a seeded statistical detector (langdetect by default, lingua as an option), so the same input
always gets the same label.

    >>> detect_language("今天天气很好，我们去公园散步。")
    ('zh', 1.0)
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from functools import lru_cache

from .config import Config
from .document import Document, LangSpan, Reason

CJK_CHAR_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
LETTER = re.compile(r"[^\W\d_]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")

_lock = threading.Lock()


def script_counts(text: str) -> dict[str, int]:
    return {
        "han": len(HAN.findall(text)),
        "kana": len(KANA.findall(text)),
        "hangul": len(HANGUL.findall(text)),
        "latin": len(LATIN.findall(text)),
        "letters": len(LETTER.findall(text)),
    }


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


def cjk_share(text: str) -> float:
    """Share of letters that are Han/kana/Hangul (used to pick character vs word measures)."""
    counts = script_counts(text)
    if not counts["letters"]:
        return 0.0
    return (counts["han"] + counts["kana"] + counts["hangul"]) / counts["letters"]


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


@lru_cache(maxsize=1)
def _lingua_detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()


def _lingua(text: str) -> tuple[str, float]:
    detector = _lingua_detector()
    values = detector.compute_language_confidence_values(text)
    if not values:
        return "", 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)


def identify(text: str, detector: str = "langdetect", seed: int = 0) -> tuple[str, float]:
    """(ISO 639-1 code, score in 0..1) for one piece of text; ("", 0.0) when there is nothing to go on."""
    counts = script_counts(text)
    by_script = language_by_script(counts)
    if by_script:
        letters = counts["letters"]
        dominant = {"zh": counts["han"], "ja": counts["han"] + counts["kana"], "ko": counts["hangul"]}[
            by_script
        ]
        return by_script, min(1.0, 0.5 + dominant / letters / 2) if letters else 1.0
    if counts["letters"] < 3:
        return "", 0.0
    sample = text[:2000]
    if detector == "lingua":
        return _lingua(sample)
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


def language_stage(doc: Document, config: Config) -> Document:
    """Stage: per-paragraph languages -> `lang`, `lang_score`, `lang_shares`, `lang_spans`; rejects others."""
    cfg = config.language
    text = doc.text
    paragraphs = paragraphs_with_offsets(text)
    labelled: list[tuple[int, int, str, float]] = []
    short: list[tuple[int, int]] = []
    for start, end in paragraphs:
        piece = text[start:end]
        if len(piece.strip()) < cfg.paragraph_min_chars and language_by_script(script_counts(piece)) is None:
            short.append((start, end))
            continue
        lang, score = identify(piece, cfg.detector, cfg.seed)
        if lang:
            labelled.append((start, end, lang, score))
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
        return doc.reject(
            Reason.LANGUAGE, f"language {doc.lang or 'unknown'} ({doc.lang_score:.2f}) not in {keep}"
        )
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
