"""Step 3: near-duplicate edges per LSH band partition, then one union over the whole corpus: clusters,
the kept copy of each, template lines and repeated passages, and which segments get new output."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..dedup import (
    DocDecision,
    LineCuts,
    band_candidate_pairs,
    cluster_documents,
    find_repeated_lines,
    verify_pairs,
)
from ..schema import DECISIONS_SCHEMA
from ..writer import atomic_write_json, read_json, write_table
from .faults import crash_point
from .plan import RunPlan
from .segments import (
    Segment,
    SignatureLayout,
    live_batches,
    load_minhash_rows,
    load_signature_table,
    segments,
    signature_layout,
)


def dedup_partition(plan: RunPlan, partition: int) -> str:
    """Step 3a for one LSH band partition: verified near-duplicate edges. Idempotent."""
    path = plan.path(f"edges-{partition:03d}.npy")
    if path.exists():
        return str(path)
    config = plan.config_obj
    array = np.zeros((0, 2), dtype=np.int64)
    if not plan.nothing_to_do and config.dedup.near:
        # candidates from the band columns first; signatures are then read only for documents in a candidate
        # pair (the full matrix was 311 MB per partition process at 618,000 documents, with few candidates)
        layout = signature_layout(plan)
        table = load_signature_table(plan, with_minhash=False, with_ids=False, partition=partition, layout=layout)
        later, earlier = band_candidate_pairs(table, partition, config.dedup)
        del table
        rows = np.unique(np.concatenate((later, earlier)))
        minhash = load_minhash_rows(plan, rows, layout)
        verified = verify_pairs(minhash, np.searchsorted(rows, later), np.searchsorted(rows, earlier),
                                config.dedup.threshold)
        array = np.stack((later[verified], earlier[verified]), axis=1)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}.npy")
    np.save(tmp, array)
    os.replace(tmp, path)
    return str(path)




LINE_CUT_TEMPLATE, LINE_CUT_PASSAGE = np.uint64(1), np.uint64(2)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _published_kept(plan: RunPlan, found: list[Segment], layout: SignatureLayout, ids: list[str]) -> np.ndarray:
    """Global mask of the documents the published corpus keeps (in segments that stay): they stay the kept
    copy of their duplicate cluster, so a nightly run does not swap published documents for new copies."""
    published = np.zeros(len(ids), dtype=bool)
    carried = {s.key for s in found if not s.new}
    if not carried or plan.previous_manifest is None:
        return published
    paths = [Path(plan.output, s["path"]) for s in plan.previous_manifest.get("shards", [])
             if s.get("segment") in carried]
    kept_ids = read_ids(paths)
    in_carried = np.array([not s.new for s in found], dtype=bool)[layout.segment_of_row][layout.order]
    published[:] = pc.is_in(pa.array(ids, pa.string()), value_set=kept_ids).to_numpy(zero_copy_only=False)
    return published & in_carried


def dedup_union(plan: RunPlan) -> dict:
    """Step 3b over the whole corpus: union of exact groups and all partitions' edges; template lines and
    repeated passages; which segments have new output (a digest of each segment's decisions)."""
    done = plan.path("dedup.json")
    if done.exists():
        return read_json(done)
    config = plan.config_obj
    found = segments(plan)
    layout = signature_layout(plan, found)
    table = load_signature_table(plan, with_minhash=False, with_bands=False, layout=layout)
    table.published = _published_kept(plan, found, layout, table.ids)
    edges: list[tuple[int, int]] = []
    for partition in range(config.dedup.band_partitions):
        path = plan.path(f"edges-{partition:03d}.npy")
        if not path.exists():
            raise RuntimeError(f"dedup partition {partition} has not run ({path} missing)")
        edges.extend(map(tuple, np.load(path).tolist()))
    crash_point("dedup-union")
    decisions = cluster_documents(table, sorted(set(edges)), config.dedup)
    n = len(table)
    kept_flags = np.fromiter((decisions[i].keep for i in table.ids), dtype=bool, count=n)
    keys, kinds, doc_index = _flat_line_keys(layout)
    template, passages, owner_index = (np.zeros(0, np.uint64), np.zeros(0, np.uint64), [])
    if config.boilerplate.template_min_docs > 0 or config.dedup.passages:
        template, passages, owner_index = find_repeated_lines(
            keys, kinds, doc_index, kept_flags, range(n), max(2, config.boilerplate.template_min_docs)
        )
        if config.boilerplate.template_min_docs <= 0:
            template = np.zeros(0, np.uint64)
        if not config.dedup.passages:
            passages, owner_index = np.zeros(0, np.uint64), []
    owners = [table.ids[i] for i in owner_index]
    write_table(plan.path("dedup-decisions.parquet"), pa.table(
        {
            "id": table.ids,
            "keep": kept_flags,
            "cluster": [decisions[i].cluster for i in table.ids],
            "cluster_size": [decisions[i].cluster_size for i in table.ids],
            "reason": [decisions[i].reason for i in table.ids],
            "duplicate_of": [decisions[i].duplicate_of for i in table.ids],
        },
        schema=DECISIONS_SCHEMA,
    ))
    write_table(
        plan.path("dedup-lines.parquet"),
        pa.table(
            {
                "key": pa.array(np.concatenate([template, passages]), type=pa.uint64()),
                "kind": ["template"] * len(template) + ["passage"] * len(passages),
                "owner": [None] * len(template) + owners,
            }
        ),
    )
    cut_hash = _line_cut_hashes(keys, doc_index, kept_flags, template, passages,
                                np.asarray(owner_index, dtype=np.int64))
    digests = _segment_digests(found, layout, table.ids, decisions, cut_hash)
    listed = [{"key": s.key, "digest": digests[i], "new": s.new,
               "write": s.new or digests[i] != s.published_digest} for i, s in enumerate(found)]
    summary = {
        "documents": n,
        "published": int(table.published.sum()),
        "edges": len(set(edges)),
        "removed": int(n - kept_flags.sum()),
        "template_lines": len(template),
        "repeated_passages": len(passages),
        "segments": listed,
        "write": [s["key"] for s in listed if s["write"]],
    }
    atomic_write_json(done, summary)
    return summary


def _line_cut_hashes(keys: np.ndarray, doc_index: np.ndarray, kept: np.ndarray, template: np.ndarray,
                     passages: np.ndarray, owner_index: np.ndarray) -> np.ndarray:
    """Per document (global order), a hash of the lines the write step cuts from it (template lines, and
    passages another document keeps): when it changes, the document's output changes."""
    out = np.zeros(len(kept), dtype=np.uint64)
    if not len(keys):
        return out
    cut_reason = np.where(np.isin(keys, template), LINE_CUT_TEMPLATE, np.uint64(0))
    if len(passages):
        by_key = np.argsort(passages)
        sorted_keys, sorted_owner = passages[by_key], owner_index[by_key]
        at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
        elsewhere = (sorted_keys[at] == keys) & (sorted_owner[at] != doc_index)
        cut_reason = np.where((cut_reason == 0) & elsewhere, LINE_CUT_PASSAGE, cut_reason)
    cut = (cut_reason != 0) & kept[doc_index]
    with np.errstate(over="ignore"):
        mixed = keys[cut] * _MIX + cut_reason[cut]
    np.add.at(out, doc_index[cut], mixed)
    return out


def _segment_digests(found: list[Segment], layout: SignatureLayout, ids: list[str],
                     decisions: dict[str, DocDecision], cut_hash: np.ndarray) -> list[str]:
    """A digest per segment of everything its output depends on besides its map rows: its live inputs, and
    each document's dedup decision and line cuts."""
    hashes = []
    for segment in found:
        h = hashlib.sha256(segment.key.encode())
        for rel in sorted(segment.live):  # the same for a segment when it is new and when it is carried over
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        hashes.append(h)
    for s, g in enumerate(layout.inverse):  # in storage order, so each segment's documents in its own order
        d = decisions[ids[g]]
        hashes[layout.segment_of_row[s]].update(
            f"{ids[g]}|{d.keep}|{d.cluster}|{d.cluster_size}|{d.reason}|{d.duplicate_of}|{int(cut_hash[g])}\n".encode()
        )
    return [h.hexdigest()[:16] for h in hashes]


def _flat_line_keys(layout: SignatureLayout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, kinds, global document index) of every line of every live document, straight from Parquet's
    list buffers: millions of lines without a Python object each."""
    keys, kinds, doc_index = [], [], []
    for offset, batch in live_batches(layout, ["line_keys", "line_kinds"]):
        key_lists = batch.column("line_keys")
        kind_lists = batch.column("line_kinds")
        sizes = key_lists.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
        keys.append(key_lists.flatten().to_numpy(zero_copy_only=False).astype(np.uint64, copy=False))
        kinds.append(kind_lists.flatten().to_numpy(zero_copy_only=False).astype(np.uint8, copy=False))
        doc_index.append(np.repeat(np.arange(offset, offset + len(sizes), dtype=np.int64), sizes))
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint8), np.zeros(0, np.int64)
    storage = np.concatenate(doc_index)
    return np.concatenate(keys), np.concatenate(kinds), (storage if layout.identity else layout.to_global(storage))


def read_ids(paths: list[Path]) -> pa.Array:
    """The `id` column of these Parquet files, as one Arrow string array (no Python object per id)."""
    columns = [pq.read_table(path, columns=["id"]).column("id").combine_chunks() for path in paths]
    return pa.concat_arrays(columns) if columns else pa.array([], pa.string())


def load_dedup(plan: RunPlan, kept_files: list[Path] | None = None) -> tuple[dict[str, DocDecision], LineCuts]:
    """Dedup decisions (only those of the documents in `kept_files`, when given: the corpus-wide table has a
    row per document, too many to hold as Python objects in every writer) and the line cuts."""
    decisions_table = pq.read_table(plan.path("dedup-decisions.parquet"))
    if kept_files is not None:
        wanted = read_ids(kept_files)
        decisions_table = decisions_table.filter(pc.is_in(decisions_table.column("id"), value_set=wanted))
    decisions = {}
    for row in decisions_table.to_pylist():
        decisions[row["id"]] = DocDecision(
            row["keep"], row["cluster"], row["cluster_size"], row["reason"], row["duplicate_of"]
        )
    lines = pq.read_table(plan.path("dedup-lines.parquet")).to_pylist()
    cuts = LineCuts(
        template={r["key"] for r in lines if r["kind"] == "template"},
        passage_owner={r["key"]: r["owner"] for r in lines if r["kind"] == "passage"},
    )
    return decisions, cuts
