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
import unicodedata
from dataclasses import dataclass

from ..config import Config
from ..document import Document, Reason
from ..text import INVISIBLE_CHARS, looks_like_html
from .language import identify

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


# Python's gb2312 codec follows the old Unicode table, not the one every browser and Windows use (WHATWG: a
# gb2312 label means the GBK decoder): 0xA1A4 becomes U+30FB KATAKANA MIDDLE DOT instead of U+00B7 (the dot in
# Chinese transliterated names, which then read as Japanese kana) and 0xA1AA U+2015 instead of the em dash
# U+2014. GB text is therefore always decoded with gb18030, a superset with the browsers' table.
GB_NARROW = frozenset({"gb2312", "gbk", "euc_cn", "cp936"})


def canonical_encoding(label: str | None, widen: bool = True) -> str | None:
    """Python codec name for a charset label (widened to its superset unless `widen=False`); None when
    unknown."""
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
    if not widen and name not in GB_NARROW:
        return codecs.lookup(name).name
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


CJK_FAMILIES = (("gb2312", "gb18030"), ("big5", "big5hkscs"), ("shift_jis", "cp932"), ("euc_jp",),
                ("euc_kr", "cp949"))


def _strict_prefix(sample: bytes, encoding: str, complete: bool) -> str | None:
    """Strict decode of a sample that may end inside a multi-byte character (when it is not the whole)."""
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(sample) - 4:
            return None
        try:
            return sample[: exc.start].decode(encoding)
        except UnicodeDecodeError:
            return None


def _best_cjk(data: bytes) -> str | None:
    """For non-UTF-8 bytes that look like a CJK legacy encoding: the encoding whose strict decode consists
    of frequent characters of its script, or None. Statistical detectors are weakest on short Chinese text.

    Korean EUC-KR bytes also decode as (level-1) GB2312 hanzi, so "all characters common" ties; the tie is
    broken by the share of the script's most frequent characters, which a wrong decode scatters."""
    sample = data[:65536]
    high = sum(1 for b in sample if b >= 0x80)
    if high < 4 or high < 0.1 * len(sample):
        return None
    scored: list[tuple[float, float, str]] = []
    for family in CJK_FAMILIES:
        family_key = family[-1]
        for encoding in family:  # the narrow standard first, its superset when the bytes need it
            text = _strict_prefix(sample, encoding, complete=len(sample) == len(data))
            if text is not None:
                break
        else:
            continue
        wide = [c for c in text if ord(c) >= 0x80]
        if not wide:
            continue
        common = sum(1 for c in wide if _common_cjk(c, family_key)) / len(wide)
        if common >= 0.9:
            scored.append((_frequent_share(wide, family_key), common, encoding))
    if not scored:
        return None
    # (gb2312 first tells GB text from other CJK bytes, as gb18030 accepts almost any byte pair; the text is
    # then read as a label of that name is read: with the browsers' table, see GB_NARROW)
    return canonical_encoding(max(scored)[2], widen=False)


def _frequent_share(chars: list[str], encoding: str) -> float:
    if encoding in ("cp932", "euc_jp"):
        return sum(1 for c in chars if 0x3040 <= ord(c) <= 0x30FF) / len(chars)  # kana
    table = FREQUENT_HANGUL if encoding == "cp949" else FREQUENT_HANZI
    return sum(1 for c in chars if c in table) / len(chars)


# the most frequent characters of running text (a few hundred cover about half of it)
FREQUENT_HANZI = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用"
    "道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军"
    "者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见"
    "被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真"
    "论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直"
    "德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记"
    "南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持"
    "组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需"
)
FREQUENT_HANGUL = frozenset(
    "이다는의에가고하을지기한로를사서리자도어정시대인아수나국일적전해으게주부상제구장라여보동내만과소공면생"
    "우문성비있요들스조것치신경화계유세히무니원그마위연저방실선관없간안물개미학할결회양중했식모데진러말때음발"
    "된되던트민당용입업영출현행교분년및또위해더두같각받통합운법및처음너무"
)


def _detect(data: bytes) -> str | None:
    """A statistical guess, widened: chardet (the most accurate on single-byte code pages in
    bench/decode_bench.py), charset-normalizer when chardet is unsure. None when neither has an opinion."""
    import chardet

    sample = _non_ascii_lines(data)
    guess = chardet.detect(sample)
    if guess.get("encoding") and guess.get("confidence", 0) >= 0.5:
        return _checked(data, sample, guess["encoding"])
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return canonical_encoding(guess.get("encoding")) if guess.get("encoding") else None
    return _checked(data, sample, best.encoding)


def _checked(data: bytes, sample: bytes, label: str) -> str | None:
    """A detector's label, widened, then checked against the text's language and against its twin page."""
    return _by_twin(sample, _by_language(data, canonical_encoding(label)))


DETECTOR_SAMPLE = 16_384


def _non_ascii_lines(data: bytes, limit: int = DETECTOR_SAMPLE) -> bytes:
    """The lines that hold non-ASCII bytes, up to `limit` bytes: only they tell encodings apart, and chardet
    (pure Python) costs time per byte; on a 100 KB page of English markup this is 10-50x less to scan."""
    picked: list[bytes] = []
    size = 0
    for line in data.splitlines(keepends=True):
        if HIGH_BYTE.search(line):
            line = line[:limit]
            picked.append(line)
            size += len(line)
            if size >= limit:
                break
    return b"".join(picked) or data[:limit]


WESTERN = ("cp1252", "latin_1", "iso8859_1", "iso8859_15")
# chardet has no Central European model: on Czech or Slovak text its Turkish one often wins (both alphabets put
# letters on the high bytes that Western pages leave for symbols), and charset-normalizer takes ISO-8859-2 text
# for windows-1250; every Latin single-byte guess is checked the same way
LATIN_GUESSES = (*WESTERN, "cp1254", "iso8859_9", "cp1250", "iso8859_2", "cp1257", "iso8859_13")
# the legacy code page of a language whose letters a Western guess would garble (ğ ş ı, ą ś ż, ...)
LANGUAGE_CODE_PAGES = {"tr": ("cp1254", "iso8859_9"), "pl": ("cp1250", "iso8859_2"), "cs": ("cp1250", "iso8859_2"),
                       "sk": ("cp1250", "iso8859_2"), "sl": ("cp1250", "iso8859_2"), "hr": ("cp1250", "iso8859_2"),
                       "hu": ("cp1250", "iso8859_2"), "ro": ("cp1250", "iso8859_2"), "bs": ("cp1250", "iso8859_2"),
                       "lt": ("cp1257", "iso8859_13"), "lv": ("cp1257", "iso8859_13")}
C1_BYTES = re.compile(rb"[\x80-\x9f]")
ICELANDIC_LETTERS = re.compile("[ðþÐÞ]")
TAGS = re.compile(r"<[^>]{0,500}>")


def _codec_name(encoding: str) -> str:
    """Python's name for a codec, with underscores ("ISO-8859-9" -> "iso8859_9")."""
    return codecs.lookup(encoding).name.replace("-", "_")


def _by_language(data: bytes, encoding: str | None) -> str | None:
    """A Latin single-byte guess is checked against the language of the text: Turkish and Central European
    text gets its language's code page (windows-125x when C1 bytes (0x80-0x9F) occur, which only it uses for
    letters, else ISO-8859-x), other text a Western one. The language is read from the text decoded by the
    guess, else decoded as windows-1250: Czech read as Turkish has so many wrong letters that the language
    detector names another language. Baltic text read as Western is caught by its ð/þ (see below)."""
    name = _codec_name(encoding) if encoding else None
    if name not in LATIN_GUESSES:
        return encoding
    def read_as(page: str) -> str:
        return TAGS.sub(" ", data[:20_000].decode(page, errors="replace"))

    guessed = read_as(encoding)
    guessed_lang, _ = identify(guessed)
    pages = LANGUAGE_CODE_PAGES.get(guessed_lang)
    if name in WESTERN and guessed_lang not in ("is", "fo") and ICELANDIC_LETTERS.search(guessed):
        # ð/þ are Icelandic and Faroese letters; elsewhere in text read as Western they are the š/ž of the Baltic
        # pages (Latvian read so looks Turkish to the detector, whose ğ/ş sit there in ISO-8859-9): a
        # windows-1257 reading that reads as Latvian or Lithuanian wins (Turkish text read so stays Turkish)
        baltic, _ = identify(read_as("cp1257"))
        if baltic in ("lt", "lv"):
            pages = LANGUAGE_CODE_PAGES[baltic]
    if not pages and name != "cp1250":
        lang, _ = identify(read_as("cp1250"))
        pages = LANGUAGE_CODE_PAGES.get(lang)
    if not pages:
        if name in WESTERN:
            return encoding
        pages = ("cp1252", "latin_1")  # a Central European or Turkish page for text in none of their languages
    page = pages[0] if C1_BYTES.search(data) else pages[1]
    return page if _strict(data, page) is not None else encoding


# code pages of one script that detectors confuse: the same letters mostly, a few of them elsewhere (koi8-u holds
# Ukrainian і ї є ґ where koi8-r has box drawing; Mac Cyrillic has capitals where windows-1251 has punctuation
# and Belarusian ў; ISO-8859-7 has Greek Ά where windows-1253 has ¶)
TWIN_PAGES = {"koi8_r": "koi8_u", "koi8_u": "koi8_r", "cp1251": "mac_cyrillic", "mac_cyrillic": "cp1251",
              "cp1253": "iso8859_7", "iso8859_7": "cp1253"}


def _odd_characters(text: str) -> int:
    """Characters that prose hardly holds: math operators, box drawing, pilcrows and broken bars, controls,
    private use, unassigned code points and undecodable bytes (the common text symbols № ° © € ™ are not
    counted)."""
    return sum(1 for c in text if not c.isascii() and (c in "¶¦¤\ufffd" or "\u2500" <= c <= "\u259f"
                                                         or unicodedata.category(c) in ("Sm", "Cc", "Co", "Cn")))


def _letters(text: str) -> int:
    return sum(1 for c in text if not c.isascii() and c.isalpha())


def _by_twin(sample: bytes, encoding: str | None) -> str | None:
    """The guess or its twin page (TWIN_PAGES), judged on the detector's sample (`_non_ascii_lines`): the twin
    when it decodes fewer bytes to odd characters, or as few and at least two more to letters (the wrong twin
    turns some letters into symbols or punctuation: Mac Cyrillic capitals read as windows-1251 are
    „ … † ‡ ‰ “ ” – —); else the guess."""
    twin = TWIN_PAGES.get(_codec_name(encoding)) if encoding else None
    if twin is None:
        return encoding
    theirs = sample.decode(twin, errors="replace")
    mine = sample.decode(encoding, errors="replace")
    odd_theirs, odd_mine = _odd_characters(theirs), _odd_characters(mine)
    if odd_theirs < odd_mine or (odd_theirs == odd_mine and _letters(theirs) >= _letters(mine) + 2):
        return twin
    return encoding


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
    candidates: list[tuple[str, str]] = []  # (label as found, evidence)
    if declared:
        candidates.append((declared, "declared"))
    head = data[:4096]
    match = META_CHARSET.search(head) if is_html or b"<meta" in head.lower() else None
    if match:
        candidates.append((match.group(1).decode("ascii", "ignore"), "meta"))
    xml = XML_DECL.search(head)
    if xml:
        candidates.append((xml.group(1).decode("ascii", "ignore"), "meta"))
    for label, evidence in candidates:
        # the label as given first (exactly what the page says), its superset when the bytes need it
        for encoding in dict.fromkeys((canonical_encoding(label, widen=False), canonical_encoding(label))):
            # a declared UTF-16 label on bytes that are plainly ASCII-compatible is a lie (meta inside the page)
            if encoding and not encoding.startswith(("utf-16", "utf-32")):
                text = _strict(data, encoding)
                if text is not None:
                    return DecodeResult(text, encoding, evidence, 0.0)
    pattern = _utf16_32_by_pattern(data)
    if pattern and _strict(data[: len(data) - len(data) % 4], pattern) is not None:
        return _finish(data, pattern, "pattern")
    iso2022 = _iso2022(head)
    if iso2022 and _strict(data, iso2022) is not None:
        return _finish(data, iso2022, "escape-sequences")
    text = _strict(data, "utf-8")
    if text is not None:
        return DecodeResult(text, "utf-8", "utf-8", 0.0)
    if _mostly_utf8(data):
        return _finish(data, "utf-8", "utf-8-damaged")
    cjk = _best_cjk(data)
    if cjk:
        return _finish(data, cjk, "cjk-frequency")
    detected = _detect(data)
    if detected:
        return _finish(data, detected, "detector")
    # declared labels that failed strictly are still better than nothing
    for label, evidence in candidates:
        encoding = canonical_encoding(label)
        if encoding:
            return _finish(data, encoding, evidence + "-lossy")
    return _finish(data, "utf-8", "fallback")


ISO2022 = [(b"\x1b$)C", "iso2022_kr"), (b"\x1b$B", "iso2022_jp"), (b"\x1b$@", "iso2022_jp"),
           (b"\x1b$(D", "iso2022_jp_2"), (b"\x1b$A", "iso2022_jp_2")]


def _iso2022(head: bytes) -> str | None:
    """7-bit ISO-2022 text (it decodes as ASCII, so strict UTF-8 would accept its escape sequences)."""
    if b"\x1b" not in head:
        return None
    for marker, encoding in ISO2022:
        if marker in head:
            return encoding
    return None


CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# C0 controls but tab/LF/FF, and the invisible characters; normalise_newlines looks for them one by one first (`in`
# finds a single character with a C memory scan, 2.4x faster than the class over a whole page, and most pages
# hold none of them)
_STRAY_CHARS = tuple(chr(c) for c in [*range(0x00, 0x09), 0x0B, *range(0x0D, 0x20)]) + tuple(INVISIBLE_CHARS)
STRAY_CONTROLS = re.compile("[" + "".join(_STRAY_CHARS) + "]")


def control_char_ratio(text: str) -> float:
    """Share of C0 control characters (other than tab/newline/feed) in the first 100k characters."""
    if not text:
        return 0.0
    sample = text[:100_000]
    return len(CONTROL_CHARS.findall(sample)) / len(sample)


def normalise_newlines(text: str) -> str:
    """CRLF/CR -> LF, NUL and other C0 controls, soft hyphens and zero-width spaces dropped (they only break
    downstream tools)."""
    if "\r" in text:  # a scan for one character is ~25x faster than the two replaces, and most text has none
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(char in text for char in _STRAY_CHARS):
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
    if doc.content_type == "text" and looks_like_html(doc.text[:8192]):
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
