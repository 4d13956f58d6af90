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

"""

from .clusters import (
    DocDecision,
    SignatureTable,
    UnionFind,
    band_candidate_pairs,
    band_partition_edges,
    cluster_documents,
    verify_pairs,
)
from .lines import (
    LINE_OTHER,
    LINE_PASSAGE,
    LINE_TEMPLATE,
    LineCuts,
    apply_line_cuts,
    find_repeated_lines,
    line_key,
    line_kind,
)
from .signatures import (
    band_hashes,
    exact_hash,
    jaccard_estimate,
    minhash_batch,
    normalise,
    shingle_hashes,
    token_hashes,
)

__all__ = [
    "DocDecision", "SignatureTable", "UnionFind", "band_candidate_pairs", "band_partition_edges", "cluster_documents",
    "verify_pairs", "LINE_OTHER", "LINE_PASSAGE", "LINE_TEMPLATE", "LineCuts", "apply_line_cuts",
    "find_repeated_lines", "line_key", "line_kind", "band_hashes", "exact_hash", "jaccard_estimate", "minhash_batch",
    "normalise", "shingle_hashes", "token_hashes",
]
