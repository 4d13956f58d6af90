"""Spaces stage: English whose spaces were stripped is re-segmented (wordninja), or rejected
`no_word_boundaries` when that does not work.
"""

from __future__ import annotations

import re

from ..config import Config
from ..document import Document, Reason

# ----------------------------------------------------------------------------------------------------------
# English whose spaces were stripped ("JointlyBuildaCommunitywithaSharedFuture...")

LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z']{24,}")
ANY_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z']+")
ASCII_LETTERS = re.compile(r"[A-Za-z]+")


def stripped_space_share(text: str) -> float:
    """Share of Latin letters that sit in runs of 25+ letters without a space (normal English: ~0)."""
    letters = sum(map(len, ASCII_LETTERS.findall(text)))
    if letters < 50:
        return 0.0
    in_runs = sum(len(m.group()) for m in LATIN_RUN.finditer(text))
    return in_runs / letters


def _split_run(run: str) -> list[str]:
    import wordninja

    return wordninja.split(run)


def restore_spaces(text: str) -> tuple[str, float]:
    """Re-insert spaces into long Latin runs with wordninja (unigram-frequency segmentation).

    Returns the new text and a quality score: the share of produced words that are plausible (longer than
    two letters, or a known short word). Punctuation and digits between runs stay where they were.
    """
    total_words = 0
    good_words = 0

    def fix(match: re.Match) -> str:
        nonlocal total_words, good_words
        run = match.group()
        words = _split_run(run)
        total_words += len(words)
        good_words += sum(1 for w in words if len(w) > 2 or w.lower() in SHORT_WORDS)
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
    quality = good_words / total_words if total_words else 1.0
    return fixed, quality


SHORT_WORDS = frozenset(
    [
        "a",
        "i",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
        "am",
        "id",
        "ok",
    ]
)


def spaces_stage(doc: Document, config: Config) -> Document:
    """Stage: detect Latin text without spaces; restore them or reject `no_word_boundaries`."""
    share = stripped_space_share(doc.text)
    doc.quality["stripped_space_share"] = share
    if share < 0.5:
        return doc
    if not config.language.restore_spaces:
        return doc.reject(Reason.NO_WORD_BOUNDARIES, f"{share:.0%} of Latin letters in runs without spaces")
    fixed, quality = restore_spaces(doc.text)
    doc.quality["space_restore_quality"] = quality
    if quality < 0.85:
        return doc.reject(
            Reason.NO_WORD_BOUNDARIES,
            f"spaces missing ({share:.0%}) and re-segmentation implausible ({quality:.0%})",
        )
    doc.text = fixed
    doc.spaces_restored = True
    return doc
