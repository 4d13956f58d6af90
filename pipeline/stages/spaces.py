"""Spaces stage: English whose spaces were stripped is re-segmented (wordninja), or rejected
`no_word_boundaries` when that does not work.
"""

from __future__ import annotations

import re

from ..config import Config
from ..document import Document, Reason

# ----------------------------------------------------------------------------------------------------------
# English whose spaces were stripped ("JointlyBuildaCommunitywithaSharedFuture...")

ANY_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z']+")
ASCII_LETTERS = re.compile(r"[A-Za-z]+")
# a run of printable ASCII without a space: stripped English keeps its digits and punctuation inside the run
# ("Meanwhile,Wildgoalie...inhis10thouting"), so the runs of letters alone are often short
ASCII_RUN = re.compile(r"[!-~]{25,}")
# a run that is a link or markup, not glued words (a stripped paragraph is one run, so only its start is asked)
UPPER = re.compile(r"[A-Z]")
LOWER_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
LONG_LETTER_RUN = re.compile(r"[A-Za-z]{12,}")  # no English word this long is common; glued words are
URL_OR_MARKUP = re.compile(r"(?:https?://|www\.|[a-z]+:/)|.*[<>{}]")


def stripped_space_share(text: str) -> float:
    """Share of Latin letters in runs of 25+ ASCII characters without a space that read as glued words (mostly
    letters, not a link or markup): normal English is ~0, English with its spaces stripped ~1."""
    letters = sum(map(len, ASCII_LETTERS.findall(text)))
    if letters < 50:
        return 0.0
    in_runs = 0
    for match in ASCII_RUN.finditer(text):
        run = match.group()
        run_letters = sum(map(len, ASCII_LETTERS.findall(run)))
        if (
            LONG_LETTER_RUN.search(run)
            and run_letters >= 0.6 * len(run)
            and not URL_OR_MARKUP.match(run)
            # base64 and other encodings are half capitals; glued English has a few
            and len(UPPER.findall(run)) <= 0.35 * run_letters
            # glued English uses most of the alphabet; "aaaa..." (a filler or a padding) is not words, and
            # segmenting it costs wordninja ~0.1 s per 2,000 letters for nothing
            and len(set(run.lower()) & LOWER_LETTERS) >= 10
        ):
            in_runs += run_letters
    return in_runs / letters


def _language_model():
    import wordninja

    return wordninja.DEFAULT_LANGUAGE_MODEL


# cost per letter of a word wordninja does not know (its known words cost log(rank * log N): ~5 to ~25)
UNKNOWN_WORD_COST = 30.0
# mean cost per letter of the segmentation: English ~1.4-2.2 (up to ~2.6 for lists of names); other languages
# cut into English words 2.7 and more (German ~3.4, Indonesian ~3.4, Polish ~4.4), random letters ~6
MAX_COST_PER_LETTER = 2.7


def _merge_lone_letters(words: list[str]) -> list[str]:
    """A lone "s" is a plural wordninja did not know, cut too soon ("widget s"): it goes back onto its word.
    (Other lone letters were tried: they are as often a word's first letter as its last.)"""
    out: list[str] = []
    for word in words:
        if out and word == "s" and len(out[-1]) > 2:
            out[-1] += word
        else:
            out.append(word)
    return out


def _space_straight_quotes(line: str) -> str:
    """Straight double quotes glued on both sides (titled"Jointly Build..."on): on a line with an even number
    of them they pair up, an opening one gets a space before it and a closing one a space after it."""
    parts = line.split('"')
    if len(parts) < 3 or len(parts) % 2 == 0:
        return line
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        opening = index % 2 == 0
        if opening and out[-1][-1:].isalnum():
            out[-1] += " "
        out.append('"')
        if not opening and part[:1].isalnum():
            part = " " + part
        out.append(part)
    return "".join(out)


def restore_spaces(text: str) -> tuple[str, float]:
    """Re-insert spaces into Latin letter runs with wordninja (unigram-frequency segmentation).

    Returns the new text and the segmentation's mean cost per letter (wordninja's word costs, lower is more
    plausible English; see MAX_COST_PER_LETTER). Punctuation and digits between runs stay where they were.
    """
    model = _language_model()
    costs = model._wordcost  # wordninja's own word costs; no public accessor
    cost = 0.0
    letters = 0

    def fix(match: re.Match) -> str:
        nonlocal cost, letters
        run = match.group()
        words = model.split(run)
        for word in words:
            cost += costs.get(word.lower(), UNKNOWN_WORD_COST)
            letters += len(word)
        words = _merge_lone_letters(words)
        # wordninja drops apostrophes; keep the run's own characters by re-cutting it at word lengths
        out, position = [], 0
        for word in words:
            piece = run[position : position + len(word)]
            while position + len(piece) < len(run) and run[position + len(piece)] == "'":
                piece = run[position : position + len(piece) + 2]
            out.append(piece)
            position += len(piece)
        if position < len(run):
            out.append(run[position:])
        return " ".join(out)

    fixed = ANY_LATIN_RUN.sub(fix, text)
    # punctuation glued to the next word ("2022.Here", "issued,and", "titled(1)Construction")
    fixed = re.sub(r"(?<=[,;:!?])(?=[A-Za-z(\"“])", " ", fixed)
    fixed = re.sub(r"(?<=[a-z0-9]\.)(?=[A-Z][a-z])", " ", fixed)
    fixed = re.sub(r"(?<=[A-Za-z])(?=[(“])|(?<=[)”])(?=[A-Za-z])", " ", fixed)
    # a numbered item glued to the sentence before it ("cyberspace.1. Expanding")
    fixed = re.sub(r"(?<=[a-z]\.)(?=\d{1,2}[.)] ?[A-Z])", " ", fixed)
    fixed = "\n".join(_space_straight_quotes(line) for line in fixed.split("\n"))
    return fixed, (cost / letters if letters else 0.0)


def spaces_stage(doc: Document, config: Config) -> Document:
    """Stage: detect Latin text without spaces; restore them or reject `no_word_boundaries`."""
    share = stripped_space_share(doc.text)
    doc.quality["stripped_space_share"] = share
    if share < 0.5:
        return doc
    if not config.language.restore_spaces:
        return doc.reject(Reason.NO_WORD_BOUNDARIES, f"{share:.0%} of Latin letters in runs without spaces")
    fixed, cost = restore_spaces(doc.text)
    doc.quality["space_restore_cost"] = cost
    if cost > MAX_COST_PER_LETTER:
        return doc.reject(
            Reason.NO_WORD_BOUNDARIES,
            f"spaces missing ({share:.0%}) and re-segmentation implausible as English "
            f"({cost:.2f} per letter, more than {MAX_COST_PER_LETTER})",
        )
    doc.text = fixed
    doc.spaces_restored = True
    return doc
