"""Exact, near-duplicate and repeated-passage detection across the corpus.

Work is split so that it scales out (the Airflow DAG maps each piece):

1. `signatures` (per input shard): for each document a normalised exact hash, a MinHash signature over
   script-aware shingles (word n-grams for space-delimited text, character n-grams for Chinese/Japanese;
   one token stream handles mixed text), its LSH band hashes, and hashes of its lines.
2. per band partition: documents sharing a band bucket are candidates (`band_candidate_pairs`, bands only); a
   candidate pair becomes an edge only when the estimated Jaccard similarity passes the threshold
   (`verify_pairs`, on the signatures of the candidates alone), so precision does not depend on LSH luck.
3. `plan` (one small union step): exact groups + edges -> clusters (union-find); one document kept per
   cluster (the longest, then the earliest); template lines and duplicate passages found from line hashes.

MinHash itself is rensa (a Rust implementation, ~50x faster than datasketch here) fed with shingle hashes
we compute, so the shingling rules are ours and the result is deterministic.

    >>> exact_hash("Hello,  World!") == exact_hash("hello world")
    True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import xxhash

from .config import DedupConfig

TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+", re.UNICODE)
CJK_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
DIGITS = re.compile(r"\d")
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
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


def line_key(line: str) -> int:
    """Hash of a line for template / passage matching (digits folded, as CCNet does)."""
    return xxhash.xxh3_64_intdigest(DIGITS.sub("0", normalise(line)).encode("utf-8", "surrogatepass"))


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
    for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF)):
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


# ----------------------------------------------------------------------------------------------------------
# grouping


@dataclass
class SignatureTable:
    """The dedup view of all candidate documents, in global order (index = order)."""

    ids: list[str]
    chars: np.ndarray  # int64
    exact: list[bytes]
    bands: np.ndarray  # n x bands uint64
    minhash: np.ndarray  # n x num_perm uint32
    published: np.ndarray  # bool: already in an earlier published run (always kept)
    band_ids: list[int] | None = None  # the band held in each column of `bands` (None: all bands, in order)

    def __len__(self) -> int:
        return len(self.chars)


def band_candidate_pairs(table: SignatureTable, partition: int, config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (later, earlier) of this partition's bands, sorted by later then earlier: within a bucket
    (documents sharing a band hash), each document with the bucket's earliest member and with the member just
    before it (union-find joins the rest). Needs only `table.bands`."""
    n = len(table)
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # a candidate pair is one int64 key, later * n + earlier (sorted keys = pairs sorted by later, then earlier),
    # merged band by band: the pairs of all bands as rows took hundreds of MB on 600,000 documents
    parts: list[np.ndarray] = []
    band_ids = table.band_ids if table.band_ids is not None else list(range(config.bands))
    for position, b in enumerate(band_ids):
        if b % config.band_partitions != partition:
            continue
        column = table.bands[:, position]
        order = np.lexsort((np.arange(n), column))  # by band hash, then document order
        hashes = column[order]
        same_as_previous = np.concatenate(([False], hashes[1:] == hashes[:-1]))
        if not same_as_previous.any():
            continue
        # index (in `order`) where each bucket starts, for every position
        starts = np.maximum.accumulate(np.where(~same_as_previous, np.arange(n), 0))
        members = np.flatnonzero(same_as_previous)
        later = order[members].astype(np.int64)
        band_keys = np.concatenate((later * n + order[starts[members]], later * n + order[members - 1]))
        parts.append(np.unique(band_keys))
    keys = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    later, earlier = keys // n, keys % n
    keep = later != earlier
    return later[keep], earlier[keep]


def verify_pairs(minhash: np.ndarray, later: np.ndarray, earlier: np.ndarray, threshold: float) -> np.ndarray:
    """Which candidate pairs agree on at least `threshold` of their MinHash values (rows of `minhash`)."""
    verified = np.zeros(len(later), dtype=bool)
    for start in range(0, len(later), 65536):  # bounded memory for huge candidate sets
        a, b = later[start : start + 65536], earlier[start : start + 65536]
        same = (minhash[a] == minhash[b]).mean(axis=1)
        verified[start : start + 65536] = same >= threshold
    return verified


def band_partition_edges(table: SignatureTable, partition: int, config: DedupConfig) -> list[tuple[int, int]]:
    """Verified near-duplicate edges found in this partition's bands (each edge: later doc -> earlier doc),
    with the full signatures in `table.minhash` (the runner loads only the candidates' signatures instead)."""
    later, earlier = band_candidate_pairs(table, partition, config)
    verified = verify_pairs(table.minhash, later, earlier, config.threshold)
    return [(int(a), int(b)) for a, b in zip(later[verified], earlier[verified], strict=True)]


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb


@dataclass(slots=True)  # one per document in the union step: slots take a third of the memory of a __dict__
class DocDecision:
    keep: bool
    cluster: str | None = None  # id of the kept representative
    cluster_size: int = 1
    reason: str | None = None  # exact_duplicate | near_duplicate
    duplicate_of: str | None = None


@dataclass
class DedupPlan:
    decisions: dict[str, DocDecision] = field(default_factory=dict)
    template_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    passage_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    passage_owner: list[str] = field(default_factory=list)  # id that keeps each passage (parallel array)


def cluster_documents(
    table: SignatureTable, edges: list[tuple[int, int]], config: DedupConfig
) -> dict[str, DocDecision]:
    """Union exact groups and verified edges; keep one document per cluster."""
    n = len(table)
    uf = UnionFind(n)
    exact_pairs: set[tuple[int, int]] = set()
    if config.exact:
        first: dict[bytes, int] = {}
        for i, h in enumerate(table.exact):
            if h in first:
                uf.union(i, first[h])
                exact_pairs.add((i, first[h]))
            else:
                first[h] = i
    if config.near:
        for a, b in edges:
            uf.union(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    decisions: dict[str, DocDecision] = {}
    exact_of = {a: b for a, b in exact_pairs}
    for members in groups.values():
        if len(members) == 1:
            i = members[0]
            decisions[table.ids[i]] = DocDecision(keep=True)
            continue
        # published documents win (they are already out there); then the earliest of the copies that are
        # nearly as long as the longest (a later copy with a few characters more is no better; one with a
        # fifth more text is the more complete page)
        published = [i for i in members if table.published[i]]
        if published:
            keeper = min(published)
        else:
            longest = max(int(table.chars[i]) for i in members)
            keeper = min(i for i in members if table.chars[i] >= 0.8 * longest)
        cluster = table.ids[keeper]
        for i in members:
            if i == keeper:
                decisions[table.ids[i]] = DocDecision(True, cluster, len(members))
                continue
            same_text = table.exact[i] == table.exact[keeper] or i in exact_of
            reason = "exact_duplicate" if same_text else "near_duplicate"
            decisions[table.ids[i]] = DocDecision(False, cluster, len(members), reason, cluster)
    return decisions


LINE_TEMPLATE = 0  # short enough to be a template line
LINE_PASSAGE = 1  # long enough to be a passage
LINE_OTHER = 2  # neither (counts for nothing)


def line_kind(line: str, config: DedupConfig, template_max_chars: int) -> int:
    stripped = line.strip()
    cjk = len(CJK_TOKEN.findall(stripped)) >= 0.3 * max(1, len(stripped))
    if len(stripped) >= (config.passage_min_chars_cjk if cjk else config.passage_min_chars_latin):
        return LINE_PASSAGE
    if len(stripped) <= template_max_chars:
        return LINE_TEMPLATE
    return LINE_OTHER


def find_repeated_lines(
    keys: np.ndarray,
    kinds: np.ndarray,
    doc_index: np.ndarray,
    kept: np.ndarray,
    ids: list[str],
    template_min_docs: int,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Template line keys (short lines found in >= template_min_docs documents) and repeated passages
    (long lines found in >= 2 documents; kept in the first, cut elsewhere). Only kept documents count.

    The lines of all documents come flat (`keys[i]`, `kinds[i]` belong to document `doc_index[i]`, documents
    in order), as Parquet stores them: no Python object per line, so a corpus of millions of lines fits."""
    empty = np.zeros(0, dtype=np.uint64)
    mask = np.asarray(kept, dtype=bool)[doc_index] if len(doc_index) else np.zeros(0, dtype=bool)
    keys, kinds, doc_index = keys[mask], kinds[mask], doc_index[mask]
    del mask
    if not len(keys):
        return empty, empty, []
    if np.any(doc_index[1:] < doc_index[:-1]):  # not in document order (the runner's lines always are)
        by_document = np.argsort(doc_index, kind="stable")
        keys, kinds, doc_index = keys[by_document], kinds[by_document], doc_index[by_document]
    # lines come in document order, so a stable sort by key alone orders each key's lines by document: one
    # sort, and key boundaries found by comparing neighbours instead of np.unique's own sort (two lexsorts and
    # np.unique held about 1.75x the memory on 9 million lines and took 3.5x the time)
    order = np.argsort(keys, kind="stable")
    keys, kinds, owners = keys[order], kinds[order], doc_index[order]
    del order
    # one entry per (key, document), with the kind of its first occurrence in the document
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
    keys, kinds, owners = keys[first], kinds[first], owners[first]
    del first
    boundary = np.ones(len(keys), dtype=bool)
    boundary[1:] = keys[1:] != keys[:-1]
    start = np.flatnonzero(boundary)
    del boundary
    unique = keys[start]
    counts = np.diff(np.append(start, len(keys)))
    first_kind = kinds[start]
    template = unique[(counts >= template_min_docs) & (first_kind == LINE_TEMPLATE)]
    passage_mask = (counts >= 2) & (first_kind == LINE_PASSAGE)
    passage_keys = unique[passage_mask]
    passage_owner = [ids[int(o)] for o in owners[start[passage_mask]]]
    return template, passage_keys, passage_owner
