"""Junk stage: binary fragments and SEO spam blocks: cut the span, drop the document, explain both.

Taggers here only find spans and compute scores; `junk_stage` applies the configured
thresholds, so the signals stay in the output and thresholds can change without re-running extraction.

    >>> find_binary_spans("Intro text.\\n12 0 obj <</Filter/FlateDecode>> stream\\n\\ufffd\\ufffd\\ufffdx\\nendstream endobj")
    [(12, 70)]
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ahocorasick

from ..config import Config
from ..document import Document, Reason
from ..text import CJK_CHAR, cjk_share, cut_spans, line_around, line_offsets

# ----------------------------------------------------------------------------------------------------------
# binary fragments

PDF_SYNTAX = re.compile(
    r"\b\d+\s+\d+\s+obj\b|\bendobj\b|\bendstream\b|^\s*stream\s*$|\bstream\s*$|^\s*xref\s*$|^\s*trailer\b|"
    r"^\s*startxref\s*$|%%EOF|/Filter\s*/\w+Decode|^\s*\d{10}\s+\d{5}\s+[nf]\s*$|"
    r"/Type\s*/(XRef|Page|Pages|Catalog|Font|ObjStm|XObject)\b|/Length\s+\d+|<<\s*/|%PDF-\d",
    re.MULTILINE,
)
# Every match of PDF_SYNTAX within one line holds one of these strings or is an xref entry line. Python's
# regex engine tries PDF_SYNTAX's fourteen branches at every position (8 MB/s, an eighth of the text path's
# budget); str.find is hundreds of times faster, and most texts hold none of them.
PDF_MARKERS = ("obj", "stream", "xref", "trailer", "%%EOF", "Decode", "/Type", "/Length", "<<", "%PDF-")
XREF_ENTRY_LINE = re.compile(r"^\s*\d{10}\s+\d{5}\s+[nf]\s*$", re.MULTILINE)


def has_pdf_syntax_line(text: str) -> bool:
    """Whether some line of `text` matches PDF_SYNTAX: only the lines around a marker are searched."""
    for marker in PDF_MARKERS:
        at = text.find(marker)
        while at >= 0:
            start, end = line_around(text, at)
            if PDF_SYNTAX.search(text[start:end]):
                return True
            at = text.find(marker, end)
    return XREF_ENTRY_LINE.search(text) is not None


BASE64_BLOB = re.compile(r"[A-Za-z0-9+/]{120,}={0,2}")
HEX_BLOB = re.compile(r"\b[0-9a-fA-F]{96,}\b")
GARBAGE_CHAR = re.compile("[\ufffd\u0080-\u009f\ue000-\uf8ff\x00-\x08\x0e-\x1f]")


def _garbage_ratio(line: str) -> float:
    if not line:
        return 0.0
    return len(GARBAGE_CHAR.findall(line)) / len(line)


def _garbage_start(line: str) -> int | None:
    """Index where a run of decoding garbage starts and lasts to the end of the line, else None."""
    hits = [m.start() for m in GARBAGE_CHAR.finditer(line)]
    if len(hits) < 3:
        return None
    for i in range(len(hits) - 2):
        if hits[i + 2] - hits[i] <= 12:  # three garbage chars close together
            tail = line[hits[i] :]
            if _garbage_ratio(tail) >= 0.08 or len(tail) < 40:
                return hits[i]
            return None
    return None


def find_binary_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of PDF object streams, U+FFFD/control-character runs and long base64/hex blobs.

    Whole lines that are PDF syntax or mostly garbage are cut, with short gaps between them bridged (a
    stream's bytes sit between `stream` and `endstream`); garbage that starts inside a sentence line is cut
    from its first character.
    """
    marks: list[tuple[int, int]] = []
    # (most documents) no line can be flagged and no garbage starts: only the blobs below
    clean = GARBAGE_CHAR.search(text) is None and not has_pdf_syntax_line(text)
    lines = [] if clean else line_offsets(text)
    flags: list[bool] = []
    for start, end in lines:
        line = text[start:end]
        flagged = False
        if line.strip():
            if PDF_SYNTAX.search(line) and (
                len(line) < 200 or _garbage_ratio(line) > 0.02 or len(PDF_SYNTAX.findall(line)) >= 3
            ):
                flagged = True
            elif _garbage_ratio(line) >= 0.1 and len(GARBAGE_CHAR.findall(line)) >= 3:
                # garbage glued to the end of a real sentence is cut from where it starts (below)
                cut = _garbage_start(line)
                flagged = cut is None or cut < 20 or _garbage_ratio(line[:cut]) > 0.02
        flags.append(flagged)
    # bridge gaps of up to 3 non-empty lines between flagged lines when those lines are junk-like too
    n = len(lines)
    i = 0
    while i < n:
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < n:
            if flags[j]:
                j += 1
                continue
            gap_end = j
            bridged = False
            while gap_end < n and gap_end - j < 4 and not flags[gap_end]:
                gap_end += 1
            if gap_end < n and flags[gap_end]:
                gap = [text[s:e] for s, e in lines[j:gap_end]]
                if all(_junk_like(g) for g in gap):
                    for k in range(j, gap_end):
                        flags[k] = True
                    bridged = True
            if not bridged:
                break
        marks.append((lines[i][0], min(len(text), lines[j - 1][1] + 1)))
        i = j
    # garbage starting inside a content line
    for (start, end), flagged in zip(lines, flags, strict=False):
        if flagged:
            continue
        line = text[start:end]
        cut = _garbage_start(line)
        if cut is not None:
            marks.append((start + cut, min(len(text), end + 1)))
    if _may_hold_blob(text):
        for pattern in (BASE64_BLOB, HEX_BLOB):
            for m in pattern.finditer(text):
                marks.append((m.start(), m.end()))
    return _merge(marks)


# every byte that is not a base64 character becomes a space (non-ASCII characters come in as "?")
_NOT_BASE64 = bytes(c if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "+/") else 32 for c in range(256))


def _may_hold_blob(text: str) -> bool:
    """Whether `text` has a run of 96 base64 characters, as every BASE64_BLOB and HEX_BLOB match is: found by
    C string methods in one pass, where the two regexes try every position (they were a quarter of the junk
    stage's time on text dumps, which seldom hold a blob)."""
    return any(len(run) >= 96 for run in text.encode("ascii", "replace").translate(_NOT_BASE64).split())


def _junk_like(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    if _garbage_ratio(stripped) > 0.02:
        return True
    letters = sum(1 for c in stripped if c.isalpha())
    return letters / len(stripped) < 0.5 or len(stripped) < 12


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# ----------------------------------------------------------------------------------------------------------
# spam


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _automaton(terms) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term, len(term))
    automaton.make_automaton()
    return automaton


@dataclass(frozen=True)
class Lexicon:
    """The spam terms, with Aho-Corasick automata that find them in one pass over a lowercased text.

    The matches are what a regular-expression alternation of the terms, longest first, would find (leftmost,
    longest, not overlapping; Latin terms as whole words). On 20 MB of text dumps the Latin terms are found in a
    sixth of the alternation's time and the scan as a whole in a third: the alternation is tried at every
    position of every text, and most text holds no term."""

    cjk: tuple[tuple[str, float, str], ...]  # substring terms
    latin_weights: dict[str, tuple[float, str]]
    cjk_automaton: ahocorasick.Automaton
    latin_automaton: ahocorasick.Automaton

    def cjk_starts(self, lowered: str) -> list[int]:
        """Offsets where a CJK term starts (leftmost-longest, not overlapping)."""
        if not self.cjk:
            return []
        return [end - size + 1 for end, size in self.cjk_automaton.iter_long(lowered)]

    def latin_matches(self, lowered: str) -> list[tuple[int, int]]:
        """(start, end) of the Latin terms that stand as whole words (no letter or digit on either side):
        at each position the longest such term, then on from its end."""
        if not self.latin_weights:
            return []
        longest: dict[int, int] = {}
        last = len(lowered) - 1
        for end, size in self.latin_automaton.iter(lowered):
            start = end - size + 1
            if (start and lowered[start - 1] in _ALNUM) or (end < last and lowered[end + 1] in _ALNUM):
                continue
            if longest.get(start, 0) < size:
                longest[start] = size
        matches: list[tuple[int, int]] = []
        position = 0
        for start in sorted(longest):
            if start >= position:
                position = start + longest[start]
                matches.append((start, position))
        return matches


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    text = resources.files("pipeline").joinpath("lexicons/spam_terms.txt").read_text("utf-8")
    cjk: list[tuple[str, float, str]] = []
    latin: dict[str, tuple[float, str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, weight, term = line.split("\t")
        term = term.strip().lower()
        if re.fullmatch(r"[a-z0-9 .'-]+", term):
            latin[term] = (float(weight), category)
        else:
            cjk.append((term, float(weight), category))
    return Lexicon(tuple(cjk), latin, _automaton(t for t, _, _ in cjk), _automaton(latin))


@lru_cache(maxsize=1)
def _segmenter():
    """jieba, loaded on first use (0.6 s: its dictionary ships in the wheel; most text never needs it)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _cjk_term_as_word(text: str, term: str, words: list[tuple[int, int]]) -> bool:
    """Whether `term` occurs in `text` other than as the tail of one word glued to the head of the next: 群交
    inside 社群交流 ("community exchange", segmented 社群|交流) is not the spam term. An occurrence that starts or
    ends on a word boundary counts (keyword lists are segmented oddly: 欧美 in 欧|美日韩 must still match)."""
    starts = {a for a, _ in words}
    ends = {b for _, b in words}
    position = text.find(term)
    while position >= 0:
        if position in starts or position + len(term) in ends:
            return True
        position = text.find(term, position + 1)
    return False


def term_weight(segment: str, as_words: bool = True) -> tuple[float, float]:
    """(total weight, strongest single weight) of spam terms in a segment. Chinese terms count where they
    stand as words (see `_cjk_term_as_word`), English ones as whole words. With `as_words=False` every Chinese
    term found counts, without segmenting: an upper bound of both figures that needs no jieba."""
    lex = lexicon()
    lowered = segment.lower()
    total = 0.0
    strongest = 0.0
    if lex.cjk_starts(lowered):
        words: list[tuple[int, int]] | None = None
        for term, weight, _ in lex.cjk:
            if term in lowered:
                if as_words:
                    if words is None:
                        words = [(a, b) for _, a, b in _segmenter().tokenize(lowered)]
                    if not _cjk_term_as_word(lowered, term, words):
                        continue
                total += weight
                strongest = max(strongest, weight)
    for start, end in lex.latin_matches(lowered):
        weight = lex.latin_weights[lowered[start:end]][0]
        total += weight
        strongest = max(strongest, weight)
    return total, strongest


def _item_weighs_enough(total: float, strongest: float) -> bool:
    return strongest >= 1.0 or total >= 0.6


def _title_weighs_enough(total: float, strongest: float) -> bool:
    return strongest >= 1.0 and total >= 1.5


def _weight_reaching(segment: str, enough: Callable[[float, float], bool]) -> tuple[float, float] | None:
    """The segment's (total, strongest) term weight when it is `enough`, else None. The unsegmented upper bound
    is tried first: most segments with a term (网站, 日本, 电影 ...) fall short even then, and need no segmenting
    (jieba: 0.7 s to load, then a pass per segment)."""
    if not enough(*term_weight(segment, as_words=False)):
        return None
    weights = term_weight(segment)
    return weights if enough(*weights) else None


ITEM_SEP = re.compile(r"\s*(?:[|｜、，,;；/\t·•]|\s[-–—]\s|\s{2,})\s*")
SENTENCE_MARK = re.compile(r"[。！？!?]|[a-z]{2}\.\s|\.\s*$")  # fixed width: no backtracking on long words


def _items(line: str) -> list[tuple[int, int]]:
    out = []
    position = 0
    for m in ITEM_SEP.finditer(line):
        if m.start() > position:
            out.append((position, m.start()))
        position = m.end()
    if position < len(line):
        out.append((position, len(line)))
    return out


def _short_item(item: str) -> bool:
    if SENTENCE_MARK.search(item):
        return False
    if cjk_share(item) > 0.3:
        return len(item) <= 30
    return len(item.split()) <= 6


def _term_starts(text: str) -> list[int] | None:
    """Sorted offsets where a spam term starts in `text` (as term_weight would find it in a part of the text:
    no term holds a separator or a line break, so each lies inside one item or line), or None when lowercasing
    changes the text's length and offsets would not line up."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return None
    lex = lexicon()
    # every CJK term holds a CJK character: a text without one need not be searched for them
    starts = lex.cjk_starts(lowered) if CJK_CHAR.search(lowered) is not None else []
    starts += [start for start, _ in lex.latin_matches(lowered)]
    return sorted(starts)


def _spammy(item: str) -> bool:
    return _weight_reaching(item, _item_weighs_enough) is not None


def _spam_title(line: str) -> float | None:
    """A spam title's total term weight, or None when the line is not one."""
    weights = _weight_reaching(line, _title_weighs_enough)
    return None if weights is None else weights[0]


def find_spam_spans(text: str, min_terms: int = 4) -> list[tuple[int, int, float]]:
    """(start, end, score) of keyword-stuffed blocks and spam title lines.

    A block is a run of at least `min_terms` short items (split on | 、 , ; / " - " and wide spaces, across
    consecutive lines) of which at least 30% carry spam terms; 15% for runs of 6 or more; two terms and 5%
    for runs of 10 or more (keyword stuffing has a shape of its own, and its vocabulary outgrows any list;
    a long list of names with one odd word in it is not stuffing). The run is cut whole: it holds only short
    items, never sentences. A spam title is a short line with at least one decisive term and a total term
    weight >= 1.5.

    Only the runs that hold a term can yield anything, so only the lines around a term are read: from the
    line after the last one that ends a run before it to the first one that ends a run after it (most lines
    of most text are never split into items).
    """
    hits = _term_starts(text)
    if hits is not None and not hits:
        return []  # no term anywhere: no item or line can weigh anything (most text)
    lines = [(start, end) for start, end in line_offsets(text) if text[start:end].strip()]

    def may_weigh(start: int, end: int) -> bool:
        """Whether a term starts inside [start, end): a range without one weighs 0, so term_weight is skipped."""
        return hits is None or bisect_left(hits, start) < bisect_left(hits, end)

    parsed: dict[int, tuple[list[tuple[int, int]], list[bool]]] = {}

    def parse(index: int) -> tuple[list[tuple[int, int]], list[bool]]:
        if index not in parsed:
            start, end = lines[index]
            items = _items(text[start:end])
            parsed[index] = (items, [_short_item(text[start + a : start + b]) for a, b in items])
        return parsed[index]

    def ends_run(index: int) -> bool:
        """Whether the run is empty after this line: it is a line that breaks runs, or ends on a long item."""
        items, short = parse(index)
        return (not all(short) and len(items) < 2 * min_terms) or (bool(short) and not short[-1])

    spans: list[tuple[int, int, float]] = []
    run: list[tuple[int, int, bool]] = []  # absolute item offsets + spammy flag

    def flush() -> None:
        if len(run) >= min_terms:
            spammy_items = sum(1 for r in run if r[2])
            share = spammy_items / len(run)
            if spammy_items and (share >= 0.3 or (len(run) >= 6 and share >= 0.15)
                         or (len(run) >= 10 and spammy_items >= 2 and share >= 0.05)):
                # leading/trailing items on lines without any spam term are left (a heading, a menu)
                first_line = text.rfind("\n", 0, next(r for r in run if r[2])[0])
                last_line = text.find("\n", max(r[1] for r in run if r[2]))
                last_line = len(text) if last_line < 0 else last_line
                kept = [r for r in run if r[0] > first_line and r[1] <= last_line]
                spans.append((kept[0][0], kept[-1][1], share))
        run.clear()

    def read_line(index: int) -> None:
        start, end = lines[index]
        line = text[start:end]
        items, short = parse(index)
        if not all(short) and len(items) < 2 * min_terms:
            flush()
            # a short spam title line (e.g. "XX钱包手机版app下载|Title")
            title = (_spam_title(line) if len(line.strip()) <= 100 and may_weigh(start, end)
                     and not SENTENCE_MARK.search(line) else None)
            if title is not None:
                spans.append((start, end, min(1.0, title / 3)))
            return
        for (a, b), is_short in zip(items, short, strict=True):
            if is_short:
                run.append((start + a, start + b, may_weigh(start + a, start + b) and _spammy(line[a:b])))
            else:
                flush()

    if hits is None:
        hit_lines = list(range(len(lines)))
    else:
        line_starts = [start for start, _ in lines]
        hit_lines = sorted({bisect_right(line_starts, h) - 1 for h in hits} - {-1})
    done = -1  # lines up to this one are read
    for hit_line in hit_lines:
        if hit_line <= done:
            continue
        first = hit_line
        while first - 1 > done and not ends_run(first - 1):
            first -= 1
        last = hit_line
        while last + 1 < len(lines) and not ends_run(last):
            last += 1
        for index in range(first, last + 1):
            read_line(index)
        flush()
        done = last
    # a single short line with decisive terms and a separator is a spam title even outside a block
    for index in hit_lines:
        start, end = lines[index]
        line = text[start:end].strip()
        if (
            len(line) <= 100
            and re.search(r"[|_｜]", line)
            and not any(s <= start < e for s, e, _ in spans)
            and (title := _spam_title(line)) is not None
        ):
            spans.append((start, end, min(1.0, title / 3)))
    merged = _merge([(s, e) for s, e, _ in spans])
    scores = []
    for s, e in merged:
        inside = [sc for a, b, sc in spans if a >= s and b <= e]
        scores.append((s, e, max(inside) if inside else 1.0))
    return scores


def _extend_to_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span to whole lines when only separators/space remain outside it on those lines."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip(" \t|｜、,，;；/"):
        start = line_start
    if not text[end:line_end].strip(" \t|｜、,，;；/"):
        end = min(len(text), line_end + 1)
    return start, end


# ----------------------------------------------------------------------------------------------------------
# stage


def junk_stage(doc: Document, config: Config) -> Document:
    """Stage: cut binary fragments and spam blocks as spans; reject when junk dominates the document."""
    cfg = config.junk
    text = doc.text
    total = max(1, len(text))
    binary = find_binary_spans(text)
    spam = find_spam_spans(text, cfg.spam_block_min_terms)
    binary_chars = sum(e - s for s, e in binary)
    spam_chars = sum(e - s for s, e, _ in spam)
    ranges: list[tuple[int, int, Reason]] = [(s, e, Reason.BINARY_FRAGMENT) for s, e in binary]
    for s, e, _ in spam:
        s, e = _extend_to_lines(text, s, e)
        ranges.append((s, e, Reason.SPAM))
    ranges = _non_overlapping(ranges)
    # the share of the text in spam blocks, each weighted by how spammy it is (<= the share; a 9% block of
    # sure spam in a good article scores 0.09, not 1.0, so consumers can filter on the column)
    doc.spam_score = sum((e - s) * score for s, e, score in spam) / total
    doc.quality["binary_ratio"] = binary_chars / total
    doc.quality["spam_ratio"] = spam_chars / total
    if ranges:
        doc.text, spans = cut_spans(text, ranges, "junk")
        doc.spans.extend(spans)
    if binary_chars / total >= cfg.binary_fragment_doc_threshold:
        return doc.reject(Reason.BINARY_FRAGMENT, f"{binary_chars / total:.0%} of the text is binary junk")
    if spam_chars / total >= cfg.spam_doc_threshold:
        return doc.reject(Reason.SPAM, f"{spam_chars / total:.0%} of the text is spam blocks")
    return doc


def _non_overlapping(ranges: list[tuple[int, int, Reason]]) -> list[tuple[int, int, Reason]]:
    out: list[tuple[int, int, Reason]] = []
    for start, end, reason in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if out and start < out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, reason))
    return out


