"""Mojibake repair with ftfy, configured so that correct CJK text is never changed.

ftfy's defaults apply NFC and, in `fix_text`, some width/quote changes that are harmless for English but
change correct Chinese (full-width punctuation `，。：` is meaningful). We only let ftfy undo encoding
mix-ups and fix HTML entities / broken surrogates, and record how many characters changed.

    >>> repair_text("CafÃ© æ—¥æœ¬")
    ('Café 日本', True)
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad
from ftfy.chardata import CONTROL_CHARS, LIGATURES

from ..config import Config
from ..document import Document

CJK_SAFE = ftfy.TextFixerConfig(
    unescape_html="auto",  # only when the text does not look like HTML (crawled text full of "&amp;")
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,  # a lone C1 control in good text is left alone (ftfy's negative cases); the
    # decoder already reads Latin-1 labels as Windows-1252, where C1 bytes are letters and quotes
    fix_latin_ligatures=True,  # ﬁ -> fi, ŉ -> ʼn: Latin-only compatibility forms, CJK is untouched
    fix_character_width=False,  # would fold full-width CJK punctuation and letters
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization=None,  # NFC/NFKC would change correct text (and NFKC breaks CJK punctuation)
    max_decode_length=1_000_000,
    explain=False,
)


# Characters no fix in CJK_SAFE can involve: printable ASCII except "&" (entities), CJK ideographs, kana,
# Hangul, CJK and full-width punctuation, and the curly quotes, dashes and ellipsis of ordinary prose.
# Mojibake always holds a character outside this set: in every single-byte encoding ftfy undoes, either
# every UTF-8 lead byte or every continuation byte decodes to a Latin-1/Latin Extended/Greek/Cyrillic letter,
# a symbol or box drawing, never to one of these (tests/test_repair.py checks it for every encoding).
# ftfy spends most of its time in its per-line badness regex, so lines made only of these skip it.
UNFIXABLE_LINE = re.compile(
    "[\t\n\r\x20-\x25\x27-\x7e\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u3000-\u303f"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff01-\uff5e]*"
)


# What the other fixers in CJK_SAFE act on: "&" (entities), ESC (terminal escapes), ftfy's control characters,
# Latin ligatures and surrogates. A run of lines holding none of them, and no mojibake by ftfy's own badness
# regex, comes out of ftfy unchanged; checking that once per run skips ftfy's per-line calls (about half of
# repair's time on extracted HTML text). The regex's one "^" anchor matches per line inside ftfy, so line
# starts after a newline are checked separately.
FIXER_TARGETS = re.compile(
    "[&\x1b"
    + "".join(re.escape(chr(c)) for c in sorted(set(CONTROL_CHARS) | set(LIGATURES)))
    + "\ud800-\udfff]"
)
BAD_LINE_START = re.compile("\n[ÃÂ] ")


def _ftfy_keeps(run: str) -> bool:
    """True when `ftfy.fix_text(run, CJK_SAFE)` is certain to return `run` unchanged."""
    return not (FIXER_TARGETS.search(run) or is_bad(run) or BAD_LINE_START.search(run))


def _fix_text(text: str) -> str:
    """`ftfy.fix_text(text, CJK_SAFE)`, byte for byte, with ftfy called only on runs of lines it could change.

    ftfy works line by line ("\n"-terminated segments); its one cross-line state is `unescape_html="auto"`
    turning off for good at the first line holding "<", which is carried over here."""
    if UNFIXABLE_LINE.fullmatch(text):
        return text
    out: list[str] = []
    run: list[str] = []
    run_after_lt = seen_lt = False

    def flush() -> None:
        if run:
            joined = "".join(run)
            if _ftfy_keeps(joined):
                out.append(joined)
            else:
                config = CJK_SAFE._replace(unescape_html=False) if run_after_lt else CJK_SAFE
                out.append(ftfy.fix_text(joined, config))
            run.clear()

    for line in _newline_segments(text):
        if UNFIXABLE_LINE.fullmatch(line):
            flush()
            out.append(line)
        else:
            if not run:
                run_after_lt = seen_lt
            run.append(line)
        seen_lt = seen_lt or "<" in line
    flush()
    return "".join(out)


def _newline_segments(text: str) -> list[str]:
    """Lines ending in "\n", as ftfy cuts them (str.splitlines would also cut at \r, \x0b, \u2028, ...)."""
    parts = text.split("\n")
    segments = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        segments.append(parts[-1])
    return segments


def repair_text(text: str) -> tuple[str, bool]:
    """Return (repaired text, whether anything changed)."""
    fixed = _fix_text(text)
    if fixed != text and fixed == text.translate(C1_AS_CP1252) and len(C1.findall(text)) == 1:
        # the only "fix" was reading one lone C1 control as Windows-1252 punctuation: a guess, not mojibake
        # (several of them, like „...“ pairs, are real Windows-1252 text and are fixed)
        return text, False
    return fixed, fixed != text


C1_AS_CP1252 = {b: bytes([b]).decode("cp1252", errors="ignore") or None for b in range(0x80, 0xA0)}
C1_AS_CP1252 = {k: v for k, v in C1_AS_CP1252.items() if v}
C1 = re.compile("[\x80-\x9f]")


def changed_chars(before: str, after: str) -> int:
    """Characters that differ, cheaply: length difference plus mismatches over the common prefix/suffix."""
    if before == after:
        return 0
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return max(len(before) - prefix - suffix, len(after) - prefix - suffix)


def repair_stage(doc: Document, config: Config) -> Document:
    """Stage: fix mojibake in `doc.text`; sets `mojibake_fixed` and `mojibake_chars`."""
    if not config.decode.repair_mojibake or doc.content_type == "html":
        # HTML is repaired after extraction (see html_extract_stage): markup would only slow ftfy down
        return doc
    fixed, changed = repair_text(doc.text)
    if changed:
        doc.mojibake_chars = changed_chars(doc.text, fixed)
        doc.mojibake_fixed = True
        doc.text = fixed
    return doc


