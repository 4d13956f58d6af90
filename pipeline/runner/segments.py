"""Segments: the map results of this run's shards and of the published shards that stay, and the
signature table over all of them in the order a full run would have."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..corpus import (
    SEGMENTS_DIR,
)
from ..dedup import SignatureTable
from ..writer import read_json
from .plan import RunPlan

SEGMENT_MAP = "map.json"  # a segment's map result (its row and signature files), kept beside them





@dataclass
class Segment:
    key: str
    directory: Path  # where its map files are: this run's work folder, or OUT/index/segments/<key>
    files: dict  # the map result: names of its "kept", "rejected" and "signatures" files
    live: frozenset[str]  # input files whose rows still count (all of a new segment's)
    new: bool
    published_digest: str | None = None

    def paths(self, kind: str) -> list[Path]:
        return [self.directory / name for name in self.files[kind]]

    def is_live(self, rel: str) -> bool:
        return self.new or rel in self.live


def segments(plan: RunPlan) -> list[Segment]:
    """Every segment of the corpus this run publishes: the published ones that stay (manifest order), then
    this run's shards. Raises when a shard of this run has not been mapped yet."""
    found = []
    for c in plan.carried:
        directory = Path(plan.output, SEGMENTS_DIR, c.key)
        found.append(Segment(c.key, directory, read_json(directory / SEGMENT_MAP), frozenset(c.live), False,
                             c.digest))
    for spec in plan.shards:
        path = plan.path(f"map-{spec.key}.json")
        if not path.exists():
            raise RuntimeError(f"shard {spec.index} has not been processed yet ({path} missing)")
        live = frozenset(plan.files[i]["rel"] for i in spec.files)
        found.append(Segment(spec.key, Path(plan.work), read_json(path), live, True))
    return found


@dataclass
class SignatureLayout:
    """Where each document's signature row is stored, and the global order of the documents.

    Storage order is segment by segment, file by file; rows of inputs that changed or went away are
    skipped (`masks`). The global order is that of a full run over the same input: by input path, then by
    position in the file; `order[g]` is the storage position of the document at global position g."""

    files: list[tuple[Path, np.ndarray | None]]  # signature file, mask of its live rows (None: all)
    segment_of_row: np.ndarray  # storage position -> index into the segment list
    order: np.ndarray

    def __len__(self) -> int:
        return len(self.order)

    @cached_property
    def identity(self) -> bool:
        return bool(np.array_equal(self.order, np.arange(len(self.order))))

    @cached_property
    def inverse(self) -> np.ndarray:
        """`inverse[s]`: the global position of the document stored at position s."""
        inverse = np.empty(len(self.order), dtype=np.int64)
        inverse[self.order] = np.arange(len(self.order))
        return inverse

    def to_global(self, storage_rows: np.ndarray) -> np.ndarray:
        return self.inverse[storage_rows]


def signature_layout(plan: RunPlan, found: list[Segment] | None = None) -> SignatureLayout:
    found = segments(plan) if found is None else found
    files: list[tuple[Path, np.ndarray | None]] = []
    inputs: list[pa.Array] = []
    segment_of_row: list[np.ndarray] = []
    for position, segment in enumerate(found):
        for path in segment.paths("signatures"):
            column = pq.read_table(path, columns=["input"]).column("input").combine_chunks()
            mask = None
            if not segment.new:  # a new segment's rows are all live
                mask = pc.is_in(column, value_set=pa.array(sorted(segment.live), pa.string()))
                mask = mask.to_numpy(zero_copy_only=False).astype(bool)
                column = column.filter(pa.array(mask))
            files.append((path, mask))
            inputs.append(column)
            segment_of_row.append(np.full(len(column), position, dtype=np.int32))
    if not inputs:
        return SignatureLayout([], np.zeros(0, np.int32), np.zeros(0, np.int64))
    every = pa.concat_arrays(inputs)
    names = pa.array(sorted(set(every.unique().to_pylist())), pa.string())
    rank = pc.index_in(every, value_set=names).to_numpy(zero_copy_only=False)
    order = np.argsort(rank, kind="stable").astype(np.int64)  # a file's documents keep their order
    return SignatureLayout(files, np.concatenate(segment_of_row), order)


def live_batches(layout: SignatureLayout, columns: list[str]):
    """(storage position of the first row, record batch of live rows) over all signature files, in storage
    order, batch by batch."""
    offset = 0
    for path, mask in layout.files:
        row = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000, columns=columns):
            size = batch.num_rows
            if mask is not None:
                batch = batch.filter(pa.array(mask[row : row + size]))
            row += size
            yield offset, batch
            offset += batch.num_rows


def _list_matrix(column: pa.Array, width: int, dtype) -> np.ndarray:
    """A list column of fixed-length lists as an n x width matrix (a view of Arrow's buffer when it can be)."""
    values = column.flatten().to_numpy(zero_copy_only=False)
    return values.astype(dtype, copy=False).reshape(len(column), width)


def load_signature_table(plan: RunPlan, with_minhash: bool = True, with_ids: bool = True, with_bands: bool = True,
                         partition: int | None = None, layout: SignatureLayout | None = None) -> SignatureTable:
    """Every live document of the corpus (published segments that stay and this run's), in global order.

    Read batch by batch into arrays sized up front, so only one batch is ever held twice (reading whole
    tables and combining their chunks held every signature two or three times: 1.6 GB per process at
    630,000 documents). `with_ids=False` leaves out ids and exact hashes (Python objects per document; LSH
    does not need them); `partition` keeps only that LSH partition's band columns, and `with_bands=False`
    none (clustering needs no bands). `published` is left False here: `dedup_union` sets it."""
    dcfg = plan.config_obj.dedup
    layout = signature_layout(plan) if layout is None else layout
    n = len(layout)
    band_ids = [b for b in range(dcfg.bands) if with_bands and (partition is None or b % dcfg.band_partitions == partition)]
    chars = np.zeros(n, dtype=np.int64)
    bands = np.zeros((n, len(band_ids)), dtype=np.uint64)
    minhash = np.zeros((n, dcfg.num_perm if with_minhash else 0), dtype=np.uint32)
    ids: list[str] = []
    exact: list[bytes] = []
    columns = (["chars"] + (["bands"] if band_ids else []) + (["id", "exact"] if with_ids else [])
               + (["minhash"] if with_minhash else []))
    for offset, batch in live_batches(layout, columns):
        rows = slice(offset, offset + batch.num_rows)
        chars[rows] = batch.column("chars").to_numpy(zero_copy_only=False)
        if band_ids:
            bands[rows] = _list_matrix(batch.column("bands"), dcfg.bands, np.uint64)[:, band_ids]
        if with_minhash:
            minhash[rows] = _list_matrix(batch.column("minhash"), dcfg.num_perm, np.uint32)
        if with_ids:
            ids.extend(batch.column("id").to_pylist())
            exact.extend(batch.column("exact").to_pylist())
    if not layout.identity:  # documents of an incremental run: into the order of a full run
        order = layout.order
        chars, bands, minhash = chars[order], bands[order], minhash[order]
        ids = [ids[i] for i in order] if with_ids else ids
        exact = [exact[i] for i in order] if with_ids else exact
    return SignatureTable(ids=ids, chars=chars, exact=exact, bands=bands, minhash=minhash,
                          published=np.zeros(n, dtype=bool), band_ids=band_ids)


def load_minhash_rows(plan: RunPlan, rows: np.ndarray, layout: SignatureLayout | None = None) -> np.ndarray:
    """MinHash signatures of the documents at global positions `rows`, in that order, read batch by batch:
    memory for these rows only."""
    width = plan.config_obj.dedup.num_perm
    layout = signature_layout(plan) if layout is None else layout
    storage = layout.order[np.asarray(rows, dtype=np.int64)]
    by_storage = np.argsort(storage, kind="stable")
    wanted = storage[by_storage]
    found = np.zeros((len(rows), width), dtype=np.uint32)
    filled = 0
    for offset, batch in live_batches(layout, ["minhash"]):
        if filled == len(wanted):
            break
        end = offset + batch.num_rows
        upto = int(np.searchsorted(wanted, end))
        if upto > filled:
            found[filled:upto] = _list_matrix(batch.column("minhash"), width, np.uint32)[wanted[filled:upto] - offset]
            filled = upto
    out = np.empty_like(found)
    out[by_storage] = found
    return out
