"""Candidate pairs from LSH bands, their verification, and clusters of duplicates (union-find) with one
kept copy each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import DedupConfig
from ..document import Reason

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
            reason = (Reason.EXACT_DUPLICATE if same_text else Reason.NEAR_DUPLICATE).value
            decisions[table.ids[i]] = DocDecision(False, cluster, len(members), reason, cluster)
    return decisions
