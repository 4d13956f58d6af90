"""Composes the stages into a run. The CLI and the Airflow DAG both call these functions.

A run has five steps; each writes its results atomically under `OUT/_work/<plan key>/` and is skipped
when its result is already there, so a killed run resumes where it stopped:

1. `plan_run`      find input files, hash them, group them into shards -> plan.json
2. `map_shard`     (per shard) read -> decode -> repair -> split -> extract (HTML) -> junk -> boilerplate
                   (text line rules) -> spaces -> language -> quality -> length; writes candidate rows,
                   rejected rows and dedup signatures
3. `dedup_partition` (per LSH band partition) verified near-duplicate edges;
   `dedup_union`   clusters, kept copy per cluster, template lines, repeated passages
4. `write_shard`   (per shard) applies dedup decisions and line cuts, writes the final Parquet shards
5. `publish`       stats.json, the persistent dedup index, report.html, then manifest.json (last)

Language is identified after boilerplate and junk removal (not before, as a naive order would have it):
menus, keyword lists and PDF bytes skew a detector, and HTML markup must be gone first. Junk runs before
the text line rules so that a PDF `xref` table or a `|`-separated keyword list is cut as what it is
(`binary_fragment`, `spam`) and not as a menu.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__
from .config import Config, ConfigError, config_from_dict
from .corpus import (
    DEFAULT_MAX_SHRINK,
    MANIFEST,
    MODES,
    SEGMENTS_DIR,
    CarriedSegment,
    InputChanges,
    RunRefused,
    check_guards,
    check_output_dir,
    check_shrink,
    diff_inputs,
    read_manifest,
    why_not_reusable,
)
from .dedup import (
    LINE_OTHER,
    DocDecision,
    SignatureTable,
    band_candidate_pairs,
    band_hashes,
    cluster_documents,
    exact_hash,
    find_repeated_lines,
    line_key,
    line_kind,
    minhash_batch,
    verify_pairs,
)
from .document import (
    KEPT_SCHEMA,
    REJECTED_SCHEMA,
    Document,
    Reason,
    document_from_row,
    kept_row,
    rejected_row,
)
from .readers import InputFile, discover, group_into_shards, read_file
from .report import write_report
from .stages import STAGES
from .stages.length import min_length_stage
from .stats import RunStats
from .text import cut_spans
from .writer import ShardWriter, atomic_write_json, read_json, write_table

log = logging.getLogger("pipeline")

WORK_DIR = "_work"
CRASH_ENV = "PIPELINE_CRASH_AT"


def crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: SIGKILL this process at the named point when
    PIPELINE_CRASH_AT names it (e.g. `map-done:0`, `write-rename:1`, `publish-manifest`). No-op otherwise."""
    if os.environ.get(CRASH_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
STATS = "stats.json"

# ----------------------------------------------------------------------------------------------------------
# plan


@dataclass
class ShardSpec:
    index: int
    key: str  # hash of the shard's files, the config and the pipeline version: names its segment
    files: list[int]  # indices into RunPlan.files
    bytes: int


@dataclass
class RunPlan:
    output: str
    work: str
    root: str
    files: list[dict]  # InputFile fields (path absolute, rel, size, sha256) of the files to process
    shards: list[ShardSpec]  # new segments (this run's input shards)
    config: dict
    mode: str = "full"  # full | incremental | append
    changes: dict = field(default_factory=dict)  # corpus.InputChanges as a dict
    previous_manifest: dict | None = None
    force: bool = False
    max_shrink: float = DEFAULT_MAX_SHRINK
    version: str = __version__

    @property
    def config_obj(self) -> Config:
        return config_from_dict(self.config)

    @property
    def nothing_to_do(self) -> bool:
        """Nothing added, changed or removed since the last publish: the run publishes nothing new."""
        return (self.previous_manifest is not None and not self.shards and not self.changes.get("removed")
                and not self.changes.get("changed"))

    @property
    def carried(self) -> list[CarriedSegment]:
        return [CarriedSegment(**c) for c in self.changes.get("carried", [])]

    def input_file(self, i: int) -> InputFile:
        return InputFile(**self.files[i])

    def path(self, *parts: str) -> Path:
        return Path(self.work, *parts)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunPlan:
        data = dict(data)
        data["shards"] = [ShardSpec(**s) for s in data["shards"]]
        return cls(**data)


def load_plan(path: str | Path) -> RunPlan:
    return RunPlan.from_dict(read_json(path))


def plan_run(inputs: Iterable[str], output: str | Path, config: Config, incremental: bool = False,
             mode: str | None = None, force: bool = False, allow_empty: bool = False,
             max_shrink: float = DEFAULT_MAX_SHRINK) -> RunPlan:
    """Find and hash the input files, compare them with the published corpus, group the files to process
    into shards, and write the plan. Raises RunRefused where the run would wipe or replace published data
    (see `corpus.check_guards`), OutputError when the output folder cannot be used."""
    mode = mode or ("incremental" if incremental else "full")
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    inputs = list(inputs)
    output = Path(output).resolve()
    check_output_dir(output)
    cfg = config.input
    root, files = discover(inputs, follow_symlinks=cfg.follow_symlinks, exclude=[str(output)])
    previous = read_manifest(output)
    fingerprint = config.fingerprint()
    problem = why_not_reusable(previous, fingerprint, __version__, output) if previous else "no published corpus"
    if previous and mode != "full" and problem:
        if mode == "append":
            raise RunRefused(f"{problem}, and an append run cannot reprocess the inputs it does not see: run once "
                             "in full mode over all inputs, then append again")
        log.warning("%s: every input is processed again", problem)
    changes = diff_inputs(files, previous, mode, reuse=problem is None)
    check_guards(files, root, output, previous, mode, changes, force, allow_empty, max_shrink, inputs)
    force = force or (allow_empty and not files)  # an empty corpus asked for: no shrink guard at publish
    shards = []
    position = 0
    for index, group in enumerate(group_into_shards(changes.to_process, cfg.shard_bytes, cfg.shard_max_files)):
        h = hashlib.sha256((fingerprint + __version__).encode())
        for f in group:
            h.update(f.rel.encode("utf-8", "surrogateescape") + b"\0" + f.sha256.encode() + b"\0")
        indices = list(range(position, position + len(group)))
        position += len(group)
        shards.append(ShardSpec(index, h.hexdigest()[:12], indices, sum(f.size for f in group)))
    state = hashlib.sha256((fingerprint + __version__ + mode + (previous or {}).get("run_key", "")).encode())
    for f in files:
        state.update(f.rel.encode("utf-8", "surrogateescape") + b"\0" + f.sha256.encode() + b"\0")
    work = output / WORK_DIR / state.hexdigest()[:16]
    plan = RunPlan(
        output=str(output),
        work=str(work),
        root=root,
        files=[asdict(f) for f in changes.to_process],
        shards=shards,
        config=config.to_dict(),
        mode=mode,
        changes=changes.to_dict(),
        previous_manifest=previous,
        force=force,
        max_shrink=max_shrink,
    )
    # written each time (same content but for force and max_shrink, which a re-run may change)
    atomic_write_json(work / "plan.json", plan.to_dict())
    return plan


# ----------------------------------------------------------------------------------------------------------
# map: per-document stages


def run_stages(doc: Document, config: Config, stats: RunStats) -> list[Document]:
    """All per-document stages over one document read from input. Returns the resulting documents (a text
    dump may become several pages), each either kept so far or rejected with the stage that did it."""
    read = stats.stage("read")
    read.docs_in += 1
    if doc.rejected:
        read.rejected[doc.reason or ""] += 1
        doc.rejected_by = doc.rejected_by or "read"
        return [doc]
    read.docs_out += 1
    docs = [doc]
    for name, fn, expands in STAGES:
        st = stats.stage(name)
        out: list[Document] = []
        for d in docs:
            if d.rejected:
                out.append(d)
                continue
            st.docs_in += 1
            st.chars_in += len(d.raw) if d.raw is not None else len(d.text)
            spans_before = len(d.spans)
            started = time.perf_counter()
            try:
                result = fn(d, config)
            except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
                log.warning("stage %s failed on %s: %s", name, d.source, exc)
                d.raw = None
                d.reject(Reason.PROCESSING_ERROR, f"{name}: {type(exc).__name__}: {exc}"[:500])
                d.detail += "\n" + traceback.format_exc(limit=3)[-1500:]
                result = d
            st.seconds += time.perf_counter() - started
            results = result if expands else [result]
            for r in results:
                if r.rejected:
                    if r.rejected_by is None:
                        r.rejected_by = name
                    st.rejected[r.reason or ""] += 1
                else:
                    st.docs_out += 1
                    st.chars_out += len(r.text)
                if r is d:
                    for span in r.spans[spans_before:]:
                        st.spans[span.reason] += 1
                        st.span_chars[span.reason] += span.end - span.start
            out.extend(results)
        docs = out
    return docs


SIG_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("input", pa.string()),  # the input file (relative path) the document came from
        ("chars", pa.int64()),
        ("exact", pa.binary(16)),
        ("minhash", pa.list_(pa.uint32())),
        ("bands", pa.list_(pa.uint64())),
        ("line_keys", pa.list_(pa.uint64())),
        ("line_kinds", pa.list_(pa.uint8())),
    ]
)


# the map step's row tables: the output schemas plus the input file of each row, so that a later run can
# drop the rows of a file that changed or went away from a segment it reuses
WORK_KEPT_SCHEMA = KEPT_SCHEMA.append(pa.field("input", pa.string()))
WORK_REJECTED_SCHEMA = REJECTED_SCHEMA.append(pa.field("input", pa.string()))


def _signature_rows(docs: list[tuple[Document, str]], config: Config) -> list[dict]:
    dcfg = config.dedup
    if not docs:
        return []
    signatures = minhash_batch([d.text for d, _ in docs], dcfg)
    bands = band_hashes(signatures, dcfg.bands)
    rows = []
    for (d, rel), sig, band in zip(docs, signatures, bands, strict=False):
        keys, kinds = [], []
        for line in d.text.split("\n"):
            if not line.strip():
                continue
            kind = line_kind(line, dcfg, config.boilerplate.template_max_chars)
            if kind == LINE_OTHER:
                continue
            keys.append(line_key(line))
            kinds.append(kind)
        rows.append(
            {
                "id": d.id,
                "input": rel,
                "chars": len(d.text),
                "exact": exact_hash(d.text),
                "minhash": sig.tolist(),
                "bands": band.tolist(),
                "line_keys": keys,
                "line_kinds": kinds,
            }
        )
    return rows


def map_shard(plan: RunPlan, index: int, progress: Callable[[int, int], None] | None = None) -> dict:
    """Step 2 for one shard: all per-document stages plus dedup signatures. Idempotent."""
    spec = plan.shards[index]
    done = plan.path(f"map-{spec.key}.json")
    if done.exists():
        return read_json(done)
    config = plan.config_obj
    stats = RunStats()
    out_cfg = config.output
    kept = ShardWriter(plan.work, f"map-{spec.key}-kept", WORK_KEPT_SCHEMA, out_cfg)
    rejected = ShardWriter(plan.work, f"map-{spec.key}-rejected", WORK_REJECTED_SCHEMA, out_cfg)
    signatures = ShardWriter(plan.work, f"map-{spec.key}-sig", SIG_SCHEMA, out_cfg)
    pending: list[tuple[Document, str]] = []
    documents = 0

    def flush_signatures() -> None:
        signatures.write_many(_signature_rows(pending, config))
        pending.clear()

    try:
        for file_index in spec.files:
            entry = plan.input_file(file_index)
            file_docs = 0
            for raw_doc in read_file(entry, config):
                for doc in run_stages(raw_doc, config, stats):
                    file_docs += 1
                    if doc.rejected:
                        rejected.write({**rejected_row(doc, out_cfg.rejected_text_max_chars), "input": entry.rel})
                    else:
                        kept.write({**kept_row(doc), "input": entry.rel})
                        pending.append((doc, entry.rel))
                        if len(pending) >= 1000:
                            flush_signatures()
            documents += file_docs
            if progress is not None:
                progress(entry.size, file_docs)
        flush_signatures()
        crash_point(f"map-before-close:{index}")
        result = {
            "shard": spec.index,
            "key": spec.key,
            "documents": documents,
            "kept": [os.path.basename(s.path) for s in kept.close()],
            "rejected": [os.path.basename(s.path) for s in rejected.close()],
            "signatures": [os.path.basename(s.path) for s in signatures.close()],
            "stats": stats.to_dict(),
        }
    except BaseException:
        for writer in (kept, rejected, signatures):
            writer.abort()
        raise
    crash_point(f"map-done:{index}")
    atomic_write_json(done, result)
    return result


# ----------------------------------------------------------------------------------------------------------
# segments: the map results of this run's shards and of the published shards that stay


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

    @property
    def identity(self) -> bool:
        return bool(np.array_equal(self.order, np.arange(len(self.order))))

    def to_global(self, storage_rows: np.ndarray) -> np.ndarray:
        inverse = np.empty(len(self.order), dtype=np.int64)
        inverse[self.order] = np.arange(len(self.order))
        return inverse[storage_rows]


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


def _live_batches(layout: SignatureLayout, columns: list[str]):
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


# ----------------------------------------------------------------------------------------------------------
# dedup


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
    for offset, batch in _live_batches(layout, columns):
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
    for offset, batch in _live_batches(layout, ["minhash"]):
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


DECISIONS_SCHEMA = pa.schema([("id", pa.string()), ("keep", pa.bool_()), ("cluster", pa.string()),
                              ("cluster_size", pa.int64()), ("reason", pa.string()), ("duplicate_of", pa.string())])
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
    for g in np.argsort(layout.order, kind="stable") if len(ids) else []:  # storage order: global position g
        d = decisions[ids[g]]
        hashes[layout.segment_of_row[layout.order[g]]].update(
            f"{ids[g]}|{d.keep}|{d.cluster}|{d.cluster_size}|{d.reason}|{d.duplicate_of}|{int(cut_hash[g])}\n".encode()
        )
    return [h.hexdigest()[:16] for h in hashes]


def _flat_line_keys(layout: SignatureLayout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, kinds, global document index) of every line of every live document, straight from Parquet's
    list buffers: millions of lines without a Python object each."""
    keys, kinds, doc_index = [], [], []
    for offset, batch in _live_batches(layout, ["line_keys", "line_kinds"]):
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


@dataclass
class LineCuts:
    template: set[int]
    passage_owner: dict[int, str]


def _load_dedup(plan: RunPlan, kept_files: list[Path] | None = None) -> tuple[dict[str, DocDecision], LineCuts]:
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


def apply_line_cuts(doc: Document, cuts: LineCuts, config: Config) -> None:
    """Cut template lines and passages that another document keeps."""
    if not cuts.template and not cuts.passage_owner:
        return
    ranges: list[tuple[int, int, Reason]] = []
    position = 0
    text = doc.text
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        if not line.strip():
            continue
        kind = line_kind(line, config.dedup, config.boilerplate.template_max_chars)
        if kind == LINE_OTHER:
            continue
        key = line_key(line)
        reason = None
        if key in cuts.template:
            reason = Reason.TEMPLATE
        elif key in cuts.passage_owner and cuts.passage_owner[key] != doc.id:
            reason = Reason.DUPLICATE_PASSAGE
        if reason is not None:
            end = min(len(text), end + 1)
            if ranges and ranges[-1][2] == reason and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end, reason)
            else:
                ranges.append((start, end, reason))
    if ranges:
        doc.text, spans = cut_spans(text, ranges, "dedup")
        doc.spans.extend(spans)


# ----------------------------------------------------------------------------------------------------------
# write


def _segment_to_write(plan: RunPlan, position: int) -> tuple[Segment, dict]:
    union = read_json(plan.path("dedup.json"))
    key = union["write"][position]
    entry = next(s for s in union["segments"] if s["key"] == key)
    return next(s for s in segments(plan) if s.key == key), entry


def write_indices(plan: RunPlan) -> list[int]:
    """Positions of the segments whose output this run (re)writes, after `dedup_union`."""
    return list(range(len(read_json(plan.path("dedup.json"))["write"])))


def _empty_counts() -> dict:
    return {"kept": 0, "rejected": 0, "rejected_by_reason": {}, "spans_by_reason": {}}


def write_segment(plan: RunPlan, position: int) -> dict:
    """Step 4 for one segment whose output changed (every new one; a published one whose inputs or dedup
    decisions changed): dedup decisions and line cuts applied to its map rows, final Parquet written under a
    name of its own (the published files stay until the new manifest replaces them). Idempotent."""
    segment, entry = _segment_to_write(plan, position)
    done = plan.path(f"write-{segment.key}.json")
    if done.exists():
        return read_json(done)
    config = plan.config_obj
    decisions, cuts = _load_dedup(plan, segment.paths("kept"))
    stats = RunStats()
    dedup_stats = stats.stage("dedup")
    line_stats = stats.stage("passages")
    counts = _empty_counts()
    reasons: dict[str, int] = {}
    spans: dict[str, list[int]] = {}
    out_cfg = config.output
    output = Path(plan.output)
    prefix = f"{segment.key}-{entry['digest'][:8]}"
    kept = ShardWriter(output, f"part-{prefix}", KEPT_SCHEMA, out_cfg)
    rejected = ShardWriter(output / "rejected", f"rejected-{prefix}", REJECTED_SCHEMA, out_cfg)

    def reject(row: dict) -> None:
        rejected.write(row)
        reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1

    try:
        for path in segment.paths("rejected"):
            for batch in pq.ParquetFile(path).iter_batches(batch_size=1000):
                for row in batch.to_pylist():
                    if segment.is_live(row.pop("input")):
                        reject(row)
        for path in segment.paths("kept"):
            for batch in pq.ParquetFile(path).iter_batches(batch_size=1000):
                for row in batch.to_pylist():
                    if not segment.is_live(row.pop("input")):
                        continue
                    doc = document_from_row(row)
                    decision = decisions[doc.id]
                    dedup_stats.docs_in += 1
                    dedup_stats.chars_in += len(doc.text)
                    doc.dup_cluster, doc.cluster_size = decision.cluster, decision.cluster_size
                    if not decision.keep:
                        doc.reject(
                            Reason(decision.reason), f"same as {decision.duplicate_of}", decision.duplicate_of
                        )
                        doc.rejected_by = "dedup"
                        dedup_stats.rejected[doc.reason or ""] += 1
                        reject(rejected_row(doc, out_cfg.rejected_text_max_chars))
                        continue
                    dedup_stats.docs_out += 1
                    dedup_stats.chars_out += len(doc.text)
                    line_stats.docs_in += 1
                    line_stats.chars_in += len(doc.text)
                    spans_before = len(doc.spans)
                    apply_line_cuts(doc, cuts, config)
                    for span in doc.spans[spans_before:]:
                        line_stats.spans[span.reason] += 1
                        line_stats.span_chars[span.reason] += span.end - span.start
                    if len(doc.spans) > spans_before:
                        min_length_stage(doc, config)
                        if doc.rejected:
                            doc.detail += " after removing template lines and duplicate passages"
                            doc.rejected_by = "passages"
                            line_stats.rejected[doc.reason or ""] += 1
                            reject(rejected_row(doc, out_cfg.rejected_text_max_chars))
                            continue
                    line_stats.docs_out += 1
                    line_stats.chars_out += len(doc.text)
                    for span in doc.spans:
                        count = spans.setdefault(span.reason, [0, 0])
                        count[0] += 1
                        count[1] += span.end - span.start
                    kept.write(kept_row(doc))
                    crash_point(f"write-row:{position}")
        kept_files = [_relative(s, output, segment.key) for s in kept.close()]
        rejected_files = [_relative(s, output, segment.key) for s in rejected.close()]
    except BaseException:
        kept.abort()
        rejected.abort()
        raise
    counts.update(
        kept=sum(s["rows"] for s in kept_files),
        rejected=sum(s["rows"] for s in rejected_files),
        rejected_by_reason=dict(sorted(reasons.items())),
        spans_by_reason={k: {"count": c, "chars": n} for k, (c, n) in sorted(spans.items())},
    )
    result = {
        "key": segment.key,
        "digest": entry["digest"],
        "new": segment.new,
        "kept": kept_files,
        "rejected": rejected_files,
        "counts": counts,
        # the funnel counts what this run processed: rewriting a published segment is not processing it
        "stats": stats.to_dict() if segment.new else {},
    }
    crash_point(f"write-done:{position}")
    atomic_write_json(done, result)
    return result


def _relative(info, root: Path, segment: str) -> dict:
    data = asdict(info)
    data["path"] = os.path.relpath(info.path, root)
    data["segment"] = segment
    return data


# ----------------------------------------------------------------------------------------------------------
# publish


def collect_stats(plan: RunPlan) -> RunStats:
    """This run's funnel: the stages over the files it processed, then dedup and passages over them."""
    stats = RunStats()
    for spec in plan.shards:
        for step in ("map", "write"):
            path = plan.path(f"{step}-{spec.key}.json")
            if path.exists():
                stats.merge(RunStats.from_dict(read_json(path)["stats"]))
    return stats


def _add_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Reason counts summed, by reason name (as RunStats orders them)."""
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted({*a, *b})}


def _add_span_counts(a: dict[str, dict], b: dict[str, dict]) -> dict[str, dict]:
    zero = {"count": 0, "chars": 0}
    return {k: {f: a.get(k, zero)[f] + b.get(k, zero)[f] for f in zero} for k in sorted({*a, *b})}


def _store_segment(plan: RunPlan, key: str) -> None:
    """Keep a new segment's map results under OUT/index/segments/<key>/ for later runs. Hard links where the
    file system has them (the work folder sits in the output folder), so nothing is copied; a segment
    already stored under its key (same files, config and version) is the same and stays."""
    target = Path(plan.output, SEGMENTS_DIR, key)
    if target.is_dir():
        return
    result = read_json(plan.path(f"map-{key}.json"))
    staging = target.with_name(f".{key}.tmp-{os.getpid()}")
    staging.mkdir(parents=True, exist_ok=True)
    for name in result["kept"] + result["rejected"] + result["signatures"]:
        destination = staging / name
        if destination.exists():
            continue
        try:
            os.link(plan.path(name), destination)
        except OSError:
            shutil.copy2(plan.path(name), destination)
    atomic_write_json(staging / SEGMENT_MAP, {k: result[k] for k in ("kept", "rejected", "signatures")})
    os.replace(staging, target)


def publish(plan: RunPlan, keep_work: bool = False, report: bool | None = None) -> dict:
    """Step 5: the corpus's segments (rewritten or carried over), the shrink guard, the new segments' map
    results kept for later runs, stats and report, then the manifest (last, atomically: the commit point);
    files no manifest lists any more are removed after it."""
    output = Path(plan.output)
    previous = plan.previous_manifest or {}
    if plan.nothing_to_do:
        _remove_work(plan, keep_work)
        return previous
    config = plan.config_obj
    union = read_json(plan.path("dedup.json"))
    published_segments = {s["key"]: s for s in previous.get("segments", [])}
    shards: list[dict] = []
    rejected: list[dict] = []
    listed_segments = []
    this_run = _empty_counts()
    for entry in union["segments"]:
        key = entry["key"]
        if entry["write"]:
            path = plan.path(f"write-{key}.json")
            if not path.exists():
                raise RuntimeError(f"segment {key} has not been written yet ({path} missing)")
            written = read_json(path)
            kept_files, rejected_files, counts = written["kept"], written["rejected"], written["counts"]
        else:
            kept_files = [s for s in previous["shards"] if s.get("segment") == key]
            rejected_files = [s for s in previous["rejected"] if s.get("segment") == key]
            counts = published_segments[key]["counts"]
        shards.extend(kept_files)
        rejected.extend(rejected_files)
        listed_segments.append({"key": key, "digest": entry["digest"], "counts": counts})
        if entry["new"]:
            this_run = {
                "kept": this_run["kept"] + counts["kept"],
                "rejected": this_run["rejected"] + counts["rejected"],
                "rejected_by_reason": _add_counts(this_run["rejected_by_reason"], counts["rejected_by_reason"]),
                "spans_by_reason": _add_span_counts(this_run["spans_by_reason"], counts["spans_by_reason"]),
            }
    kept_rows = sum(s["rows"] for s in shards)
    rejected_rows = sum(s["rows"] for s in rejected)
    check_shrink(plan.previous_manifest, kept_rows, plan.force, plan.max_shrink)
    for spec in plan.shards:
        _store_segment(plan, spec.key)
    crash_point("publish-stored")
    inputs = [dict(entry) for entry in plan.changes.get("unchanged", [])]
    for spec in plan.shards:
        for i in spec.files:
            f = plan.files[i]
            inputs.append({"path": f["rel"], "bytes": f["size"], "sha256": f["sha256"], "shard": spec.key})
    inputs.sort(key=lambda entry: entry["path"])
    totals = _empty_counts()
    for entry in listed_segments:
        totals["rejected_by_reason"] = _add_counts(totals["rejected_by_reason"], entry["counts"]["rejected_by_reason"])
        totals["spans_by_reason"] = _add_span_counts(totals["spans_by_reason"], entry["counts"]["spans_by_reason"])
    run_key = Path(plan.work).name
    changes = {"added": sorted(plan.changes.get("added", [])), "changed": sorted(plan.changes.get("changed", [])),
               "removed": sorted(plan.changes.get("removed", []))}
    stats = collect_stats(plan)
    dedup_summary = {k: v for k, v in union.items() if k not in ("segments", "write")}
    dedup_summary["segments_rewritten"] = sum(1 for s in union["segments"] if s["write"] and not s["new"])
    stats_doc = {
        "pipeline_version": __version__,
        "run_key": run_key,
        "mode": plan.mode,
        "input_root": plan.root,
        "inputs": len(inputs),
        "documents_kept": kept_rows,
        "documents_rejected": rejected_rows,
        "rejected_by_reason": totals["rejected_by_reason"],
        "spans_by_reason": totals["spans_by_reason"],
        "this_run": {
            "inputs_processed": len(plan.files),
            "inputs_added": len(changes["added"]),
            "inputs_changed": len(changes["changed"]),
            "inputs_removed": len(changes["removed"]),
            "inputs_unchanged": len(plan.changes.get("unchanged", [])),
            "documents_kept": this_run["kept"],
            "documents_rejected": this_run["rejected"],
            "rejected_by_reason": this_run["rejected_by_reason"],
            "spans_by_reason": this_run["spans_by_reason"],
        },
        "stages": stats.to_dict(),
        "dedup": dedup_summary,
    }
    atomic_write_json(output / STATS, stats_doc)
    manifest = {
        "pipeline_version": __version__,
        "run_key": run_key,
        "mode": plan.mode,
        "input_root": plan.root,
        "config": plan.config,
        "config_fingerprint": config.fingerprint(),
        "inputs": inputs,
        "changes": {"added": changes["added"], "changed": changes["changed"], "retracted": changes["removed"]},
        "segments": listed_segments,
        "shards": shards,
        "rejected": rejected,
        "documents": {"kept": kept_rows, "rejected": rejected_rows},
        "schema": {"kept": KEPT_SCHEMA.names, "rejected": REJECTED_SCHEMA.names},
        "index": SEGMENTS_DIR,
    }
    if report if report is not None else config.output.report:
        try:
            write_report(output, manifest)
        except Exception as exc:  # noqa: BLE001 - a broken report must not lose a finished run
            log.warning("report.html could not be written: %s", exc)
    crash_point("publish-manifest")
    atomic_write_json(output / MANIFEST, manifest)
    _remove_stale(output, manifest)
    _remove_work(plan, keep_work)
    return manifest


def _remove_work(plan: RunPlan, keep_work: bool) -> None:
    if keep_work:
        return
    shutil.rmtree(plan.work, ignore_errors=True)
    with contextlib.suppress(OSError):
        Path(plan.output, WORK_DIR).rmdir()


def _remove_stale(output: Path, manifest: dict) -> None:
    """Files that the new manifest does not list: data of retracted or rewritten segments, segments no
    input uses any more, the index of older versions, temporary files of interrupted writes."""
    listed = {s["path"] for s in manifest["shards"]} | {s["path"] for s in manifest["rejected"]}
    for pattern in ("part-*.parquet", "rejected/rejected-*.parquet"):
        for path in output.glob(pattern):
            if os.path.relpath(path, output) not in listed:
                path.unlink()
    for leftover in list(output.glob(".*.tmp-*")) + list((output / "rejected").glob(".*.tmp-*")):
        leftover.unlink(missing_ok=True)
    keys = {s["key"] for s in manifest["segments"]}
    store = output / SEGMENTS_DIR
    if store.is_dir():
        for entry in store.iterdir():
            if entry.name not in keys:
                shutil.rmtree(entry, ignore_errors=True)
    Path(output, "index", "documents.parquet").unlink(missing_ok=True)  # the index before segments (0.1.0)


# ----------------------------------------------------------------------------------------------------------
# the whole run


@dataclass
class RunResult:
    output: str
    manifest: dict
    stats: dict
    seconds: float
    inputs: dict = field(default_factory=dict)  # added / changed / removed / unchanged input counts
    changed: bool = True  # False: nothing had changed since the last publish, nothing was written


class _Progress:
    """tqdm on a terminal; plain log lines every few seconds otherwise (Airflow logs, CI)."""

    def __init__(self, total_bytes: int, enabled: bool) -> None:
        self.total = total_bytes
        self.done = 0
        self.docs = 0
        self.started = time.time()
        self.last_log = 0.0
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, desc="reading", dynamic_ncols=True)
        self.enabled = enabled

    def update(self, nbytes: int, docs: int) -> None:
        self.done += nbytes
        self.docs += docs
        if self.bar is not None:
            self.bar.update(nbytes)
            rate = self.docs / max(1e-6, time.time() - self.started)
            self.bar.set_postfix(docs=self.docs, docs_per_s=f"{rate:.0f}")
        elif self.enabled and time.time() - self.last_log > 10:
            self.last_log = time.time()
            elapsed = time.time() - self.started
            share = self.done / self.total if self.total else 1.0
            eta = elapsed / share - elapsed if share > 0 else 0
            log.info(
                "read %.0f%% (%d documents, %.0f docs/s, ETA %.0fs)",
                share * 100,
                self.docs,
                self.docs / max(1e-6, elapsed),
                eta,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _queue_progress(queue, nbytes: int, docs: int) -> None:
    queue.put((nbytes, docs))


def run(
    inputs: Iterable[str],
    output: str | Path,
    config: Config | None = None,
    workers: int = 1,
    incremental: bool = False,
    progress: bool = True,
    keep_work: bool = False,
    mode: str | None = None,
    force: bool = False,
    allow_empty: bool = False,
    max_shrink: float = DEFAULT_MAX_SHRINK,
) -> RunResult:
    """The whole pipeline in this process (workers=1) or with a process pool (workers>1).

    `mode`: `full` (the default; `incremental=True` is `mode="incremental"`), `incremental` (the input is the
    whole corpus: new and changed files are processed, removed ones retracted) or `append` (the input holds
    new files only: what is published stays). See `corpus` for the guards that `force`, `allow_empty` and
    `max_shrink` relax."""
    started = time.time()
    config = config or Config()
    plan = plan_run(inputs, output, config, incremental=incremental, mode=mode, force=force,
                    allow_empty=allow_empty, max_shrink=max_shrink)
    summary = InputChanges(**{k: v for k, v in plan.changes.items() if k not in ("to_process", "carried")}).summary()
    log.info(
        "%s run, output %s: %d inputs added, %d changed, %d removed, %d unchanged; %d files to process in %d shards",
        plan.mode, plan.output, summary["added"], summary["changed"], summary["removed"], summary["unchanged"],
        len(plan.files), len(plan.shards),
    )
    if plan.nothing_to_do:
        log.info("nothing changed since the last publish (run %s): the published corpus stays as it is",
                 plan.previous_manifest.get("run_key", "") if plan.previous_manifest else "")
        manifest = publish(plan, keep_work=keep_work)
        stats_path = Path(plan.output) / STATS
        stats = read_json(stats_path) if stats_path.exists() else {}
        return RunResult(plan.output, manifest, stats, time.time() - started, summary, changed=False)
    bar = _Progress(sum(f["size"] for f in plan.files), progress)
    try:
        if workers <= 1:
            for spec in plan.shards:
                map_shard(plan, spec.index, bar.update)
            for partition in range(config.dedup.band_partitions):
                dedup_partition(plan, partition)
            dedup_union(plan)
            for position in write_indices(plan):
                write_segment(plan, position)
        else:
            _run_pool(plan, workers, bar)
    finally:
        bar.close()
    manifest = publish(plan, keep_work=keep_work)
    stats = read_json(Path(plan.output) / STATS)
    return RunResult(plan.output, manifest, stats, time.time() - started, summary)


def _run_pool(plan: RunPlan, workers: int, bar: _Progress) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    # a fresh process per task: what a shard's stages loaded (language models, buffers) is returned to the
    # system before the dedup steps, which hold the whole corpus's signatures (bench/memory_bench.py)
    with ctx.Manager() as manager, ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                                       max_tasks_per_child=1) as pool:
        queue = manager.Queue()
        report = functools.partial(_queue_progress, queue)
        futures = [pool.submit(map_shard, plan, spec.index, report) for spec in plan.shards]
        pending = set(futures)
        while pending:
            finished = {f for f in pending if f.done()}
            while not queue.empty():
                bar.update(*queue.get())
            for f in finished:
                f.result()  # re-raise a worker's failure
            pending -= finished
            if pending:
                time.sleep(0.1)
        while not queue.empty():
            bar.update(*queue.get())
        partitions = plan.config_obj.dedup.band_partitions
        for f in as_completed([pool.submit(dedup_partition, plan, p) for p in range(partitions)]):
            f.result()
        pool.submit(dedup_union, plan).result()  # in a worker too: its memory goes when it is done
        for f in as_completed([pool.submit(write_segment, plan, i) for i in write_indices(plan)]):
            f.result()
