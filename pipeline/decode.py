"""Bytes -> str, with the evidence used and the share of bytes that could not be decoded.

Order of evidence (most trustworthy first): byte-order mark; charset declared by the HTTP/WARC header;
HTML `<meta charset>`; UTF-16/32 byte patterns; strict UTF-8; then a statistical detector. A declared
charset is only believed when the bytes decode under it. Legacy labels are widened to their supersets
(GB2312/GBK -> GB18030, Big5 -> Big5-HKSCS, ...), as browsers do, since pages labelled with the narrow
one routinely use characters from the wide one.

    >>> decode_bytes("中文".encode("gb2312")).text
    '中文'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .config import Config
from .document import Document, Reason

BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# Narrow legacy labels -> the superset that decoders should use (WHATWG encoding standard, plus HKSCS).
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc_cn": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "ks_c_5601_1987": "cp949",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "tis_620": "cp874",
}

META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)
XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,100}encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""", re.IGNORECASE)


@dataclass
class DecodeResult:
    text: str
    encoding: str
    evidence: str  # bom | declared | meta | pattern | utf-8 | detector | fallback
    replacement_ratio: float


def canonical_encoding(label: str | None) -> str | None:
    """Python codec name for a charset label, widened to its superset; None when unknown."""
    if not label:
        return None
    label = label.strip().lower()
    if label in ("x-user-defined", "binary", "none", "unknown"):
        return None
    if label in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    widened = SUPERSETS.get(name, name)
    return codecs.lookup(widened).name


def _utf16_32_by_pattern(data: bytes) -> str | None:
    """UTF-16/32 without a BOM: mostly-ASCII or CJK text leaves NUL bytes in a fixed position."""
    sample = data[:4096]
    n = len(sample) - len(sample) % 4
    if n < 8 or sample.count(0) < n // 8:
        return None
    positions = [sample[i:n:4].count(0) / (n / 4) for i in range(4)]
    if positions[1] > 0.9 and positions[2] > 0.9 and positions[3] > 0.9:
        return "utf-32-le"
    if positions[0] > 0.9 and positions[1] > 0.9 and positions[2] > 0.9:
        return "utf-32-be"
    even = (positions[0] + positions[2]) / 2
    odd = (positions[1] + positions[3]) / 2
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    # CJK in UTF-16 has few NULs; fall back on decodability for an even-length, NUL-holding text
    return None


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few damaged bytes (truncated or concatenated files): most high bytes form valid UTF-8
    sequences. Such text is decoded as UTF-8 with replacement rather than re-guessed as a legacy code page,
    which would garble every correct character."""
    sample = data[:200_000]
    high = len(HIGH_BYTE.findall(sample))
    if high < 8:
        return False
    sequences = UTF8_MULTIBYTE.findall(sample)
    # legacy CJK double bytes form valid UTF-8 pairs by accident (~10-15% of their high bytes); cp1252 letters
    # stand alone (0%); UTF-8 with some damage keeps most of its high bytes in valid sequences
    return len(sequences) >= 3 and sum(map(len, sequences)) >= 0.6 * high


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _common_cjk(ch: str, encoding: str) -> bool:
    """Is `ch` a frequent character of the script that `encoding` is for (level-1 Hanzi/Kanji, kana,
    common Hangul, full-width punctuation)? Wrong legacy decodes produce rare characters instead."""
    code = ord(ch)
    if code < 0x80 or 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return True
    try:
        if encoding == "gb18030":
            lead = ch.encode("gb2312")[0]
            return 0xB0 <= lead <= 0xD7 or 0xA1 <= lead <= 0xA3
        if encoding == "big5hkscs":
            lead = ch.encode("big5")[0]
            return 0xA4 <= lead <= 0xC6 or 0xA1 <= lead <= 0xA3
        if encoding in ("cp932", "euc_jp"):
            if 0x3040 <= code <= 0x30FF:
                return True
            lead = ch.encode("shift_jis")[0]
            return 0x88 <= lead <= 0x9F
        if encoding == "cp949":
            ch.encode("euc_kr")
            return 0xAC00 <= code <= 0xD7A3
    except UnicodeEncodeError:
        return False
    return False


CJK_CANDIDATES = ("gb18030", "big5hkscs", "cp932", "euc_jp", "cp949")


def _best_cjk(data: bytes) -> tuple[str, float] | None:
    """For non-UTF-8 bytes that look like a CJK legacy encoding: the encoding whose strict decode consists
    of the most frequent characters. Statistical detectors are weakest on short Chinese text; this is not."""
    sample = data[:65536]
    high = sum(1 for b in sample if b >= 0x80)
    if high < 4 or high < 0.1 * len(sample):
        return None
    best: tuple[str, float] | None = None
    for encoding in CJK_CANDIDATES:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            try:  # the sample may end inside a multi-byte character
                text = sample[:-1].decode(encoding) if len(sample) == 65536 else None
            except UnicodeDecodeError:
                text = None
        if not text:
            continue
        wide = [c for c in text if ord(c) >= 0x80]
        if not wide:
            continue
        score = sum(1 for c in wide if _common_cjk(c, encoding)) / len(wide)
        if best is None or score > best[1]:
            best = (encoding, score)
    return best


def _detect(data: bytes) -> str | None:
    """A statistical guess (charset-normalizer), widened. None when it has no opinion."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    return canonical_encoding(best.encoding)


def _finish(data: bytes, encoding: str, evidence: str) -> DecodeResult:
    text = data.decode(encoding, errors="replace")
    # U+FFFD already present in UTF-8 input is not a decode error
    literal = data.count(b"\xef\xbf\xbd") if encoding.startswith("utf-8") else 0
    replaced = max(0, text.count("\ufffd") - literal)
    ratio = replaced / max(1, len(text))
    return DecodeResult(text, encoding, evidence, ratio)


def decode_bytes(data: bytes, declared: str | None = None, is_html: bool = False) -> DecodeResult:
    """Decode bytes by the order of evidence in the module docstring."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _finish(data[len(bom) :], encoding, "bom")
    candidates: list[tuple[str, str]] = []
    if declared:
        candidates.append((canonical_encoding(declared) or "", "declared"))
    head = data[:4096]
    match = META_CHARSET.search(head) if is_html or b"<meta" in head.lower() else None
    if match:
        candidates.append((canonical_encoding(match.group(1).decode("ascii", "ignore")) or "", "meta"))
    xml = XML_DECL.search(head)
    if xml:
        candidates.append((canonical_encoding(xml.group(1).decode("ascii", "ignore")) or "", "meta"))
    for encoding, evidence in candidates:
        # a declared UTF-16 label on bytes that are plainly ASCII-compatible is a lie (meta inside the page)
        if encoding and not encoding.startswith(("utf-16", "utf-32")):
            text = _strict(data, encoding)
            if text is not None:
                return DecodeResult(text, encoding, evidence, 0.0)
    pattern = _utf16_32_by_pattern(data)
    if pattern and _strict(data[: len(data) - len(data) % 4], pattern) is not None:
        return _finish(data, pattern, "pattern")
    text = _strict(data, "utf-8")
    if text is not None:
        return DecodeResult(text, "utf-8", "utf-8", 0.0)
    if _mostly_utf8(data):
        return _finish(data, "utf-8", "utf-8-damaged")
    cjk = _best_cjk(data)
    if cjk and cjk[1] >= 0.9:
        return _finish(data, cjk[0], "cjk-frequency")
    detected = _detect(data)
    if detected:
        return _finish(data, detected, "detector")
    # declared labels that failed strictly are still better than nothing
    for encoding, evidence in candidates:
        if encoding:
            return _finish(data, encoding, evidence + "-lossy")
    return _finish(data, "utf-8", "fallback")


CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0d-\x1f]")


def control_char_ratio(text: str) -> float:
    """Share of C0 control characters (other than tab/newline/feed) in the first 100k characters."""
    if not text:
        return 0.0
    sample = text[:100_000]
    return len(CONTROL_CHARS.findall(sample)) / len(sample)


def normalise_newlines(text: str) -> str:
    """CRLF/CR -> LF, NUL and other C0 controls dropped (they only break downstream tools)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if STRAY_CONTROLS.search(text):
        text = STRAY_CONTROLS.sub("", text)
    return text


def decode_stage(doc: Document, config: Config) -> Document:
    """Stage: `doc.raw` -> `doc.text`, setting `encoding` and `replacement_ratio`; rejects binary/undecodable."""
    if doc.raw is None:  # readers that produce text directly (JSONL, PDF)
        doc.text = normalise_newlines(doc.text)
        doc.input_chars = len(doc.text)
        return doc
    data = doc.raw
    doc.raw = None
    if not data.strip():
        return doc.reject(Reason.EMPTY, "no content")
    result = decode_bytes(data, doc.declared_charset, is_html=doc.content_type == "html")
    doc.encoding = result.encoding
    doc.replacement_ratio = result.replacement_ratio
    ratio = control_char_ratio(result.text)
    if ratio > 0.05 and not result.encoding.startswith(("utf-16", "utf-32")):
        doc.text = ""
        return doc.reject(
            Reason.BINARY, f"{ratio:.0%} control characters after decoding as {result.encoding}"
        )
    doc.text = normalise_newlines(result.text)
    doc.input_chars = len(doc.text)
    if result.replacement_ratio > config.decode.max_replacement_ratio:
        return doc.reject(
            Reason.UNDECODABLE,
            f"{result.replacement_ratio:.1%} of characters undecodable as {result.encoding} ({result.evidence})",
        )
    if doc.content_type == "text":
        from .readers import looks_like_html

        if looks_like_html(doc.text[:8192]):
            doc.content_type = "html"
    max_line = config.input.max_line_chars
    # minified HTML is legitimately one long line; only text documents are checked
    if doc.content_type != "html" and len(doc.text) > max_line and _longest_line(doc.text) > max_line:
        return doc.reject(Reason.HUGE_LINE, f"a line longer than {max_line} characters")
    if not doc.text.strip():
        return doc.reject(Reason.EMPTY, "only whitespace after decoding")
    return doc


def _longest_line(text: str) -> int:
    longest = 0
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            return max(longest, len(text) - start)
        longest = max(longest, end - start)
        start = end + 1


def decode(data: bytes) -> str:
    """Public one-call API: bytes in any encoding -> text (see `decode_bytes` for the evidence order)."""
    return normalise_newlines(decode_bytes(data, is_html=b"<" in data[:4096]).text)
