"""Spaces stage: English whose spaces were stripped is re-segmented (wordninja's word costs and symspellpy's
word pairs), or rejected `no_word_boundaries` when that does not work.
"""

from __future__ import annotations

import functools
import math
import re
from bisect import bisect_left

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
IDENTIFIER_CHARS_PER_UNDERSCORE = 40  # one underscore in 40 characters or fewer: an identifier (an e-mail address
# in a long stripped paragraph, one_name@example.org, does not make the paragraph code)
# what restore_spaces re-cuts: runs without any whitespace that hold a glued run (a stripped paragraph is one,
# its curly quotes and dashes included)
GLUED_SCOPE = re.compile(r"\S{25,}")


def _identifier(run: str) -> bool:
    """Identifiers and their paths (traditionalRegistration_firstName, /socialRegistrationForm_radio_2): stripping
    spaces leaves no underscores, so a run dense in them is code, not glued words."""
    return run.count("_") * IDENTIFIER_CHARS_PER_UNDERSCORE >= len(run)


def glued_runs(text: str) -> list[tuple[int, int, int]]:
    """(start, end, letters) of the runs of 25+ ASCII characters without a space that read as glued words (mostly
    letters, not a link, markup or an identifier)."""
    runs = []
    for match in ASCII_RUN.finditer(text):
        run = match.group()
        run_letters = sum(map(len, ASCII_LETTERS.findall(run)))
        if (
            LONG_LETTER_RUN.search(run)
            and run_letters >= 0.6 * len(run)
            and not URL_OR_MARKUP.match(run)
            and not _identifier(run)
            # base64 and other encodings are half capitals; glued English has a few
            and len(UPPER.findall(run)) <= 0.35 * run_letters
            # glued English uses most of the alphabet; "aaaa..." (a filler or a padding) is not words, and
            # segmenting it costs time (~0.1 s per 2,000 letters with wordninja's cut) for nothing
            and len(set(run.lower()) & LOWER_LETTERS) >= 10
        ):
            runs.append((match.start(), match.end(), run_letters))
    return runs


def stripped_space_share(text: str) -> float:
    """Share of Latin letters in glued runs (`glued_runs`): normal English is ~0, English with its spaces
    stripped ~1."""
    letters = sum(map(len, ASCII_LETTERS.findall(text)))
    if letters < 50:
        return 0.0
    return sum(run_letters for _, _, run_letters in glued_runs(text)) / letters


# ----------------------------------------------------------------------------------------------------------
# Segmentation. wordninja's unigram model alone (its own DP) gets ~96% of words back; written by hand around its
# word costs because no library segments with case and context: a capital after a small letter starts a word,
# an acronym stays whole, an unknown capitalised word is a name, and word pairs decide ambiguous cuts
# ("at least" not "atleast", "Hong Kong" not "HongKong") from symspellpy's bigram counts (both ship their lists).

INF = float("inf")
# cost per letter of a run the model cannot cut at all
UNKNOWN_WORD_COST = 30.0
# an all-capital piece of 2..6 letters is an acronym (NASA, EBITDA): cheaper than cutting it into short words
ACRONYM_COST = 14.0
MAX_ACRONYM = 6
# a capitalised piece the word list does not know is a name (Sondland): a fixed cost plus a cost per letter
# above English's mean (~2 per letter), so a name never swallows the ordinary words glued after it
NAME_COST = 3.0
NAME_COST_PER_LETTER = 3.0
MIN_NAME = 4
# wordninja's list, taken from web text, holds glued pairs as words (atleast, sametime, videogames); an entry
# that a spell-checker list (symspellpy's, from SCOWL) lacks and that splits into two of its words costs more
GLUED_PAIR_PENALTY = 3.0
# weight of the word-pair model: a listed pair that is more frequent than chance (P(w | v) > P(w)) takes
# log(1 + λ * (P(w | v) / P(w) - 1)) off the second word's cost; other pairs cost what their words cost
PAIR_WEIGHT = 0.02
BEAM = 8  # best paths kept per position (by last word)


class WordModel:
    """Word costs (wordninja's Zipf costs, with symspellpy's words it lacks) and word-pair association (PMI of
    symspellpy's bigram counts). Loaded once per process, on the first stripped document."""

    def __init__(self) -> None:
        import importlib.resources

        import wordninja

        ninja = wordninja.DEFAULT_LANGUAGE_MODEL
        self.costs: dict[str, float] = dict(ninja._wordcost)  # no public accessor
        self.max_word: int = ninja._maxword
        files = importlib.resources.files("symspellpy")
        counts: dict[str, int] = {}
        for line in (files / "frequency_dictionary_en_82_765.txt").read_text().splitlines():
            word, count = line.split()
            counts[word] = int(count)
        log_size = math.log(len(ninja._wordcost))
        for rank, word in enumerate(counts):  # the list is sorted by count; same Zipf cost as wordninja's
            # +2: these words are rarer on the web than in books, and the list holds many proper nouns
            self.costs.setdefault(word, math.log((rank + 1) * log_size) + 2.0)
        for word in ninja._wordcost:
            if len(word) >= 5 and word.isalpha() and word not in counts and _splits_into(word, counts):
                self.costs[word] += GLUED_PAIR_PENALTY
        total = sum(counts.values())
        # first word -> second word -> bonus (nested, so that `segment` looks a pair up without building its key)
        self.pair_bonus: dict[str, dict[str, float]] = {}
        for line in (files / "frequency_bigramdictionary_en_243_342.txt").read_text().splitlines():
            first, second, count = line.split()
            if first in counts and second in counts:
                ratio = int(count) * total / (counts[first] * counts[second])  # P(w | v) / P(w)
                if ratio > 1:
                    self.pair_bonus.setdefault(first, {})[second] = math.log(1 + PAIR_WEIGHT * (ratio - 1))
        # every beginning of a listed word: `segment` stops extending a piece once it begins no listed word (and
        # cannot be a name or an acronym), instead of pricing all `max_word` (58) pieces from every letter
        self.prefixes: frozenset[str] = frozenset(word[:cut] for word in self.costs for cut in range(1, len(word) + 1))

    def piece_cost(self, piece: str) -> float:
        """Cost of one word as written, its case included (inf: not a word)."""
        letters = piece.replace("'", "")
        cost = self.costs.get(piece.lower(), INF)  # the list holds "'" and "'s" (merged onto their word)
        if len(letters) <= 1 or letters.islower():
            return cost
        if letters.isupper():
            return min(cost, ACRONYM_COST) if len(letters) <= MAX_ACRONYM else cost
        if letters[0].isupper() and letters[1:].islower():
            if cost == INF and len(letters) >= MIN_NAME:
                return NAME_COST + NAME_COST_PER_LETTER * len(letters)
            return cost
        # inner capitals: only a listed camel-case word (MacBook, iPhone, macOS), never a capital after small
        # letters that ends the piece (theM, PokemonS) or a piece starting with two small letters (arAb)
        if letters[1:2].islower() and letters[0].islower():
            return INF
        for index in range(1, len(letters)):
            if letters[index].isupper() and letters[index - 1].islower() and index == len(letters) - 1:
                return INF
        return cost

    def segment(self, run: str) -> tuple[list[str], float]:
        """Best cut of a run of letters into words (beam Viterbi over word pairs) and its total cost."""
        size = len(run)
        ending_at: list[list[tuple[int, str, str, float]]] = [[] for _ in range(size + 1)]  # (start, piece, lower, cost)
        lower = run.lower()
        prefixes = self.prefixes
        for start in range(size):
            # a piece that begins no listed word can still be priced as a name or an acronym (`piece_cost`);
            # once it is none of the three, no longer piece from this start is either: they all cost INF
            name_or_acronym = run[start].isupper() or run[start] == "'"
            for end in range(start + 1, min(size, start + self.max_word) + 1):
                if name_or_acronym and end - start > 1:
                    name_or_acronym = _may_become_name_or_acronym(run[start:end])
                if not name_or_acronym and lower[start:end] not in prefixes:
                    break
                cost = self.piece_cost(run[start:end])
                if cost < INF:
                    ending_at[end].append((start, run[start:end], lower[start:end], cost))
        # per position: last word (lower-cased) -> (cost, start of that word, previous last word, word as written)
        paths: list[dict] = [{} for _ in range(size + 1)]
        paths[0] = {"": (0.0, 0, "", "")}
        # per position: (last word, cost, the bonuses of the words that may follow it), for the inner loop
        heads: list[list[tuple[str, float, dict[str, float] | None]]] = [[] for _ in range(size + 1)]
        heads[0] = [("", 0.0, None)]
        no_bonus: dict[str, float] = {}
        for end in range(1, size + 1):
            best: dict[str, tuple[float, int, str, str]] = {}
            for start, piece, word, cost in ending_at[end]:
                for previous, path_cost, bonuses in heads[start]:
                    total = path_cost + cost
                    if bonuses is not None:
                        total -= bonuses.get(word, 0.0)
                    held = best.get(word)
                    if held is None or total < held[0]:
                        best[word] = (total, start, previous, piece)
            if len(best) > BEAM:
                best = dict(sorted(best.items(), key=lambda item: item[1][0])[:BEAM])
            paths[end] = best
            heads[end] = [(word, entry[0], self.pair_bonus.get(word, no_bonus)) for word, entry in best.items()]
        if not paths[size]:
            return [run], UNKNOWN_WORD_COST * len(run)  # no cut into known pieces (cannot happen: letters are words)
        word = min(paths[size], key=lambda key: paths[size][key][0])
        total = paths[size][word][0]
        words: list[str] = []
        end = size
        while end > 0:
            _, start, previous, piece = paths[end][word]
            words.append(piece)
            end, word = start, previous
        words.reverse()
        return words, total


def _may_become_name_or_acronym(piece: str) -> bool:
    """Whether `piece`, or a longer piece it begins, may be priced by `WordModel.piece_cost` without being
    listed: a name (a capital, then small letters) or an acronym (all capitals, up to MAX_ACRONYM letters)."""
    letters = piece.replace("'", "")
    return len(letters) <= 1 or letters[0].isupper() and (
        letters[1:].islower() or letters.isupper() and len(letters) <= MAX_ACRONYM)


def _splits_into(word: str, known: dict[str, int]) -> bool:
    """`word` is two listed words glued ("atleast"; a one-letter first word only "a" or "i")."""
    return any(
        word[cut:] in known and (word[:cut] in known if cut > 1 else word[0] in "ai") for cut in range(1, len(word))
    )


@functools.cache
def word_model() -> WordModel:
    return WordModel()


# mean cost per letter of the segmentation (word costs less word-pair bonuses): English 1.2-2.3 on 597 stripped
# gold paragraphs; other languages cut into English words mostly 2.9 and more (German, Indonesian ~3.1-3.3);
# random letters ~6. Of 760 stripped paragraphs of lingua's other-language sentences, 23 pass: 21 in non-Latin
# scripts (Urdu, Persian, Telugu...), where only the few Latin words glued together are re-cut, and 2 of its
# Urdu file written in Latin letters (bench/clean_text_bench.py)
MAX_COST_PER_LETTER = 2.6


def _merge_lone_letters(words: list[str]) -> list[str]:
    """A lone "s" is a plural the list did not know, cut too soon ("widget s"), and an apostrophe's ending
    ("'s", "'t") belongs to its word: both go back onto the word before."""
    out: list[str] = []
    for word in words:
        if out and (word.startswith("'") or (word == "s" and len(out[-1]) > 2)):
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
    """Re-insert spaces into the runs without whitespace that hold glued words (see WordModel.segment); the
    words of the document's spaced lines (a menu, a title, the page around a stripped paragraph) stay as
    written ("SpaceX", "Instagram", "cannot", "display:none").

    Returns the new text and the segmentation's mean cost per letter (lower is more plausible English; see
    MAX_COST_PER_LETTER). Punctuation and digits between runs stay where they were.
    """
    model = word_model()
    cost = 0.0
    letters = 0

    def fix(match: re.Match) -> str:
        nonlocal cost, letters
        run = match.group()
        words, run_cost = model.segment(run)
        cost += run_cost
        letters += len(run)
        return " ".join(_merge_lone_letters(words))

    glued_starts = [start for start, _, _ in glued_runs(text)]

    def fix_glued(match: re.Match) -> str:
        """A run without whitespace that holds a glued run is cut whole (its curly quotes and dashes split the
        glued ASCII runs; a stripped paragraph is one such run); other runs stay as written."""
        first = bisect_left(glued_starts, match.start())
        if first == len(glued_starts) or glued_starts[first] >= match.end():
            return match.group()
        return _space_straight_quotes(_space_punctuation(ANY_LATIN_RUN.sub(fix, match.group())))

    fixed = GLUED_SCOPE.sub(fix_glued, text)
    return fixed, (cost / letters if letters else 0.0)


def _space_punctuation(text: str) -> str:
    """Spaces after the punctuation, years and list numbers that a stripped run glues to the next word."""
    # punctuation glued to the next word ("2022.Here", "issued,and", "titled(1)Construction")
    text = re.sub(r"(?<=[,;:!?])(?=[A-Za-z(\"“])", " ", text)
    text = re.sub(r"(?<=[a-z0-9]\.)(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"(?<=[A-Za-z])(?=[(“])|(?<=[)”])(?=[A-Za-z])", " ", text)
    # a year glued to the word before or after it ("Since2016", "in2022the")
    text = re.sub(r"(?<=[A-Za-z]{2})(?=(?:1[6-9]|20)\d\d(?!\d))|(?<=(?<!\d)(?:1[6-9]|20)\d\d)(?=[A-Za-z]{2})", " ", text)
    # a numbered item glued to the sentence before it ("cyberspace.1. Expanding")
    return re.sub(r"(?<=[a-z]\.)(?=\d{1,2}[.)] ?[A-Z])", " ", text)


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
