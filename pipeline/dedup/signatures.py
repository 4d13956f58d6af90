"""Signatures of a document for dedup: a normalised exact hash, script-aware shingles (word or character
n-grams; CJK characters one by one) and their MinHash signature and LSH band hashes.

    >>> exact_hash("Hello,  World!") == exact_hash("hello world")
    True
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash

from ..config import DedupConfig
from ..text import CJK_RANGES

DIGITS = re.compile(r"\d")
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

# odd multipliers for position-dependent n-gram hashing (fixed: signatures must be reproducible)
_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x2545F4914F6CDD1D,
        0x94D049BB133111EB,
    ],
    dtype=np.uint64,
)


def normalise(text: str) -> str:
    """Text folded for hashing only: NFKC (full/half width), case, whitespace and punctuation removed."""
    return NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def exact_hash(text: str) -> bytes:
    """128-bit hash of the text with case, width, whitespace and punctuation folded away."""
    cp = _codepoints(text)
    return xxhash.xxh3_128_digest(cp[_classify(cp) != SEPARATOR].tobytes())


_BASE = np.uint64(0x100000001B3)  # odd: invertible modulo 2**64
_BASE_INV = np.uint64(pow(0x100000001B3, -1, 2**64))


def _codepoints(text: str) -> np.ndarray:
    folded = text.casefold() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    return np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


SEPARATOR, WORD, CJK = 0, 1, 2


def _class_table() -> np.ndarray:
    """Class of every BMP code point: separator (whitespace, punctuation, symbols), word character, or CJK."""
    table = np.full(0x10000, WORD, dtype=np.uint8)
    for lo, hi in ((0x00, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7),
                   (0x2000, 0x2BFF), (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFF0F), (0xFF1A, 0xFF20),
                   (0xFF3B, 0xFF40), (0xFF5B, 0xFF65), (0xD800, 0xDFFF)):
        table[lo : hi + 1] = SEPARATOR
    for lo, hi in CJK_RANGES:
        table[lo : hi + 1] = CJK
    return table


_CLASSES = _class_table()


def _classify(cp: np.ndarray) -> np.ndarray:
    classes = _CLASSES[np.minimum(cp, 0xFFFF)]
    astral = cp > 0xFFFF
    if astral.any():  # CJK extension B-G are CJK; other astral characters (emoji, ...) are word characters
        classes = np.where(astral, np.where((cp >= 0x20000) & (cp <= 0x3FFFF), CJK, WORD), classes).astype(np.uint8)
    return classes


_powers_cache: dict[str, np.ndarray] = {}


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """B^i and B^-i (mod 2^64) for i < n, grown on demand and shared between calls."""
    have = _powers_cache.get("pow")
    if have is None or len(have) < n:
        size = max(n, 4096, 2 * (len(have) if have is not None else 0))
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.full(size, _BASE, dtype=np.uint64))
            inverse = np.cumprod(np.full(size, _BASE_INV, dtype=np.uint64))
        _powers_cache["pow"] = np.concatenate(([np.uint64(1)], powers[:-1]))
        _powers_cache["inv"] = np.concatenate(([np.uint64(1)], inverse[:-1]))
    return _powers_cache["pow"][:n], _powers_cache["inv"][:n]


def token_hashes(text: str, cp: np.ndarray | None = None, classes: np.ndarray | None = None) -> np.ndarray:
    """uint64 hashes of the tokens of `text` (CJK characters one by one, other words whole; NFKC, case
    folded), computed with NumPy prefix sums instead of a Python loop over tokens."""
    if cp is None:
        cp = _codepoints(text)
    if classes is None:
        classes = _classify(cp)
    if len(cp) == 0:
        return np.zeros(0, dtype=np.uint64)
    cjk = classes == CJK
    word = classes == WORD
    # a token starts at a CJK character, or at a word character that does not follow one
    starts = np.flatnonzero(cjk | (word & ~np.concatenate(([False], word[:-1]))))
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    # end of each token: CJK tokens are one character; words run to the next non-word character
    breaks = np.flatnonzero(~np.concatenate((word, [False])))
    ends = np.where(cjk[starts], starts + 1, breaks[np.searchsorted(breaks, starts)])
    powers, inverse = _powers(len(cp))
    with np.errstate(over="ignore"):
        values = (cp.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1)) * (classes != SEPARATOR)
        prefix = np.empty(len(cp) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(values * inverse, out=prefix[1:])
        # sum_{j in [s, e)} v[j] * B^(e-1-j) = B^(e-1) * (prefix[e] - prefix[s]): equal tokens, equal hashes
        hashes = (prefix[ends] - prefix[starts]) * powers[ends - 1]
        hashes ^= hashes >> np.uint64(31)
        hashes *= np.uint64(0xBF58476D1CE4E5B9)
        hashes ^= hashes >> np.uint64(29)
    return hashes


def shingle_hashes(text: str, config: DedupConfig) -> np.ndarray:
    """uint64 hashes of the document's shingles (duplicates included: MinHash does not mind).

    Text that is mostly Chinese/Japanese/Korean: character n-grams (`char_ngram`). Other text: word
    n-grams (`word_ngram`), or, with `latin_shingles = "char"` (the default), character n-grams over the
    text without separators (`latin_char_ngram`), which survive typos and small edits far better."""
    cp = _codepoints(text)
    classes = _classify(cp)
    letters = cp[classes != SEPARATOR]
    if len(letters) == 0:
        return np.zeros(0, dtype=np.uint64)
    cjk_share = np.count_nonzero(classes == CJK) / len(letters)
    if cjk_share >= 0.5:
        ids, n = token_hashes(text, cp, classes), config.char_ngram
    elif config.latin_shingles == "char":
        with np.errstate(over="ignore"):
            ids = letters.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019)
        n = config.latin_char_ngram
    else:
        ids, n = token_hashes(text, cp, classes), config.word_ngram
    if len(ids) == 0:
        return ids
    return _combine(ids, min(n, len(ids)))


def _combine(ids: np.ndarray, n: int) -> np.ndarray:
    count = len(ids) - n + 1
    out = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            out += ids[k : k + count] * _MULTIPLIERS[k % len(_MULTIPLIERS)]
            out ^= out >> np.uint64(29)
    return out


def minhash_batch(texts: list[str], config: DedupConfig) -> np.ndarray:
    """MinHash signatures (len(texts) x num_perm, uint32) for a batch of documents."""
    import rensa

    if not texts:
        return np.zeros((0, config.num_perm), dtype=np.uint32)
    hashes = [shingle_hashes(t, config) for t in texts]
    # an empty document gets one fixed token so that every row has a signature
    hashes = [h if len(h) else np.array([0], dtype=np.uint64) for h in hashes]
    offsets = np.zeros(len(hashes) + 1, dtype=np.uint64)
    offsets[1:] = np.cumsum([len(h) for h in hashes])
    flat = np.concatenate(hashes)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, config.num_perm, config.seed)
    return np.asarray(matrix.to_rows(), dtype=np.uint32)


def band_hashes(signatures: np.ndarray, bands: int) -> np.ndarray:
    """(n x bands) uint64: a hash of each band's rows of the signature (vectorised multiply-xorshift)."""
    n, num_perm = signatures.shape
    rows = num_perm // bands
    grid = signatures.astype(np.uint64).reshape(n, bands, rows)
    out = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _MULTIPLIERS[7], (n, bands)).copy()
    with np.errstate(over="ignore"):
        for k in range(rows):
            out ^= grid[:, :, k]
            out *= _MULTIPLIERS[k % 7]
            out ^= out >> np.uint64(31)
    return out


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)
