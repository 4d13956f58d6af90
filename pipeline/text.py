"""Text helpers every stage shares, defined once: which characters are CJK and how much of a text is, line
offsets, cutting spans out of a text and tidying what is left, the invisible characters, tokens, and
whether bytes look like an HTML page. Imports nothing from the project but the Document record's Span.
"""

from __future__ import annotations

import re
import unicodedata

from .document import Reason, Span

# Han (with extension A and the compatibility ideographs), kana and Hangul syllables: the one definition of a
# CJK character (dedup builds its code point table from the same ranges; extension B and later, beyond the
# BMP, count as CJK there and in the script counts)
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF))
CJK_CHAR_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
CJK_CHAR = re.compile(f"[{CJK_CHAR_CLASS}]")
TOKEN = re.compile(f"[{CJK_CHAR_CLASS}]|[^\\W_]+", re.UNICODE)


def is_cjk_line(line: str) -> bool:
    """At least 30% of the line's (stripped) characters are CJK: measure it in characters, not words."""
    if line.isascii():  # no CJK character (the common case, checked in C)
        return False
    return len(CJK_CHAR.findall(line)) >= 0.3 * max(1, len(line.strip()))


# runs, not single characters: findall then builds one string per run instead of one per letter (2x faster)
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
# (without U+30FB, the katakana middle dot: Chinese text writes it between the parts of a foreign name)
_KANA_CLASS = "\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL_CLASS = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
HAN_RUN = re.compile(f"[{_HAN_CLASS}]+")
KANA_RUN = re.compile(f"[{_KANA_CLASS}]+")
HANGUL_RUN = re.compile(f"[{_HANGUL_CLASS}]+")
LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
LETTER_RUN = re.compile(r"[^\W\d_]+")
ANY_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    r"\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ebef]"
)


_DROP_ASCII_LETTERS = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _run_length(pattern: re.Pattern, text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def script_counts(text: str) -> dict[str, int]:
    """Letters by script. (Text without any CJK character, the common case, skips the CJK scans.)"""
    if text.isascii():  # letters are A-Z and a-z: counted by deleting them
        latin = len(text) - len(text.translate(_DROP_ASCII_LETTERS))
        return {"han": 0, "kana": 0, "hangul": 0, "latin": latin, "letters": latin}
    if not ANY_CJK.search(text):
        return {"han": 0, "kana": 0, "hangul": 0, "latin": _run_length(LATIN_RUN, text),
                "letters": _run_length(LETTER_RUN, text)}
    return {
        "han": _run_length(HAN_RUN, text),
        "kana": _run_length(KANA_RUN, text),
        "hangul": _run_length(HANGUL_RUN, text),
        "latin": _run_length(LATIN_RUN, text),
        "letters": _run_length(LETTER_RUN, text),
    }


# Han, kana and Hangul as one class (the three runs above are disjoint): `cjk_share` needs only their sum
CJK_SCRIPT_RUN = re.compile(f"[{_HAN_CLASS}{_KANA_CLASS}{_HANGUL_CLASS}]+")


def cjk_share(text: str) -> float:
    """Share of letters that are Han/kana/Hangul (used to pick character vs word measures); the same as from
    `script_counts`, in two scans instead of five, and one for a text without CJK (English with curly quotes)."""
    if text.isascii():
        return 0.0
    cjk = _run_length(CJK_SCRIPT_RUN, text)
    if not cjk:
        return 0.0
    letters = _run_length(LETTER_RUN, text)
    if not letters:
        return 0.0
    return cjk / letters


def line_around(text: str, position: int) -> tuple[int, int]:
    """(start, end) of the line that holds `position` (end without its newline)."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def line_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, empty ones included (shared by the line-based stages)."""
    out = []
    start = 0
    for line in text.split("\n"):
        out.append((start, start + len(line)))
        start += len(line) + 1
    return out


def tokens(text: str) -> list[str]:
    """CJK characters one by one, other words whole, lower-cased and NFKC-folded."""
    return TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


# soft hyphen, zero-width space, word joiner, zero-width no-break space (BOM): invisible, and left in
# ("Ita\u00adli\u00adens") they split words for every reader downstream; dropped from decoded text and from
# every extractor's output (extractors._normalise_lines). ZWJ/ZWNJ stay: they change how Persian, Indic scripts
# and emoji are written.
INVISIBLE_CHARS = "\xad\u200b\u2060\ufeff"


def cut_spans(text: str, ranges: list[tuple[int, int, Reason]], stage: str) -> tuple[str, list[Span]]:
    """Remove ranges (sorted, non-overlapping; whole lines, or runs inside a line) from text; return the new
    text and the spans."""
    if not ranges:
        return text, []
    spans: list[Span] = []
    pieces: list[str] = []
    position = 0
    for start, end, reason in ranges:
        pieces.append(text[position:start])
        spans.append(Span.cut(text, start, end, reason, stage))
        position = end
    pieces.append(text[position:])
    return tidy("".join(pieces)), spans


BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def tidy(text: str) -> str:
    """Collapse the blank lines left by cuts and strip trailing spaces."""
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return BLANK_RUNS.sub("\n\n", text).strip()



HEAD_BYTES = 8192  # how much of a file the format sniffing looks at

HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<meta ",
    b"<title",
    b"<div",
    b"<p>",
    b"<table",
)


TAG = re.compile(rb"</?[a-zA-Z][a-zA-Z0-9]{0,10}[\s>/]")


def looks_like_html(head: bytes | str, name: str = "") -> bool:
    """HTML by its first bytes: a doctype or <html> start, or markup dense enough to be a page (a text dump
    with a few stray tags left in it is still text)."""
    if isinstance(head, str):
        # the same window as the sniffing of the file's bytes: 8192 characters of Chinese are ~24 KB, where
        # the markup of a dump's later pages would count
        head = head[:HEAD_BYTES].encode("utf-8", "ignore")
    sample = head[:HEAD_BYTES]
    lowered = sample.lower()
    if lowered.lstrip().startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in lowered:
        return True
    if lowered.lstrip().startswith((b"<!doctype html", b"<html")):
        return True
    hits = sum(1 for marker in HTML_MARKERS if marker in lowered)
    tags = len(TAG.findall(sample))
    if name.lower().endswith((".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp")):
        return hits >= 1 or tags >= 3
    return hits >= 3 and tags >= 10 and tags * 200 >= len(sample)


