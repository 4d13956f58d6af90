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
from .boilerplate import cut_spans, html_extract_stage, min_length_stage, split_stage, text_boilerplate_stage
from .config import Config, config_from_dict
from .decode import decode_stage
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
from .junk import junk_stage, quality_stage
from .language import language_stage
from .readers import InputFile, discover, group_into_shards, read_file
from .repair import repair_stage, spaces_stage
from .stats import RunStats
from .writer import ShardWriter, atomic_write_json, read_json, write_table, write_tables

log = logging.getLogger("pipeline")

WORK_DIR = "_work"
CRASH_ENV = "PIPELINE_CRASH_AT"


def crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: SIGKILL this process at the named point when
    PIPELINE_CRASH_AT names it (e.g. `map-done:0`, `write-rename:1`, `publish-manifest`). No-op otherwise."""
    if os.environ.get(CRASH_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
MANIFEST = "manifest.json"
STATS = "stats.json"

Stage = Callable[[Document, Config], Document]

# (name, function, expands one document into several)
STAGES: list[tuple[str, Callable, bool]] = [
    ("decode", decode_stage, False),
    ("repair", repair_stage, False),
    ("split", split_stage, True),
    ("extract", html_extract_stage, False),
    ("junk", junk_stage, False),
    ("boilerplate", text_boilerplate_stage, False),
    ("spaces", spaces_stage, False),
    ("language", language_stage, False),
    ("quality", quality_stage, False),
    ("length", min_length_stage, False),
]


# ----------------------------------------------------------------------------------------------------------
# plan


@dataclass
class ShardSpec:
    index: int
    key: str  # hash of the shard's files and the config: names its outputs
    files: list[int]  # indices into RunPlan.files
    bytes: int


@dataclass
class RunPlan:
    output: str
    work: str
    root: str
    files: list[dict]  # InputFile fields (path absolute, rel, size, sha256)
    shards: list[ShardSpec]
    config: dict
    mode: str = "full"  # full | incremental
    skipped_files: list[dict] = field(default_factory=list)  # incremental: unchanged since last publish
    previous_manifest: dict | None = None
    version: str = __version__

    @property
    def config_obj(self) -> Config:
        return config_from_dict(self.config)

    def input_file(self, i: int) -> InputFile:
        return InputFile(**self.files[i])

    def path(self, *parts: str) -> Path:
        return Path(self.work, *parts)

    def to_dict(self) -> dict:
        data = asdict(self)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunPlan:
        data = dict(data)
        data["shards"] = [ShardSpec(**s) for s in data["shards"]]
        return cls(**data)


def load_plan(path: str | Path) -> RunPlan:
    return RunPlan.from_dict(read_json(path))


def plan_run(inputs: Iterable[str], output: str | Path, config: Config, incremental: bool = False) -> RunPlan:
    """Find and hash the input files, group them into shards, and write the plan (idempotent)."""
    output = Path(output).resolve()
    cfg = config.input
    root, files = discover(list(inputs), follow_symlinks=cfg.follow_symlinks)
    previous = None
    skipped: list[dict] = []
    manifest_path = output / MANIFEST
    if incremental and manifest_path.exists():
        previous = read_json(manifest_path)
        published = {(f["path"], f["sha256"]) for f in previous.get("inputs", [])}
        kept_files = []
        for f in files:
            if (f.rel, f.sha256) in published:
                skipped.append(asdict(f))
            else:
                kept_files.append(f)
        files = kept_files
    shards = []
    fingerprint = config.fingerprint()
    position = 0
    for index, group in enumerate(group_into_shards(files, cfg.shard_bytes, cfg.shard_max_files)):
        h = hashlib.sha256(fingerprint.encode())
        for f in group:
            h.update(f.rel.encode("utf-8", "surrogateescape") + b"\0" + f.sha256.encode() + b"\0")
        indices = list(range(position, position + len(group)))
        position += len(group)
        shards.append(ShardSpec(index, h.hexdigest()[:12], indices, sum(f.size for f in group)))
    plan_key = hashlib.sha256(
        (
            fingerprint + __version__ + "".join(s.key for s in shards) + (previous or {}).get("run_key", "")
        ).encode()
    ).hexdigest()[:16]
    work = output / WORK_DIR / plan_key
    plan = RunPlan(
        output=str(output),
        work=str(work),
        root=root,
        files=[asdict(f) for f in files],
        shards=shards,
        config=config.to_dict(),
        mode="incremental" if previous else "full",
        skipped_files=skipped,
        previous_manifest=previous,
    )
    plan_path = work / "plan.json"
    if not plan_path.exists():
        atomic_write_json(plan_path, plan.to_dict())
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
        ("chars", pa.int64()),
        ("exact", pa.binary(16)),
        ("minhash", pa.list_(pa.uint32())),
        ("bands", pa.list_(pa.uint64())),
        ("line_keys", pa.list_(pa.uint64())),
        ("line_kinds", pa.list_(pa.uint8())),
    ]
)


def _signature_rows(docs: list[Document], config: Config) -> list[dict]:
    dcfg = config.dedup
    if not docs:
        return []
    signatures = minhash_batch([d.text for d in docs], dcfg)
    bands = band_hashes(signatures, dcfg.bands)
    rows = []
    for d, sig, band in zip(docs, signatures, bands, strict=False):
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
    kept = ShardWriter(plan.work, f"map-{spec.key}-kept", KEPT_SCHEMA, out_cfg)
    rejected = ShardWriter(plan.work, f"map-{spec.key}-rejected", REJECTED_SCHEMA, out_cfg)
    signatures = ShardWriter(plan.work, f"map-{spec.key}-sig", SIG_SCHEMA, out_cfg)
    pending: list[Document] = []
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
                        rejected.write(rejected_row(doc, out_cfg.rejected_text_max_chars))
                    else:
                        kept.write(kept_row(doc))
                        pending.append(doc)
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
# dedup


def _map_results(plan: RunPlan) -> list[dict]:
    results = []
    for spec in plan.shards:
        path = plan.path(f"map-{spec.key}.json")
        if not path.exists():
            raise RuntimeError(f"shard {spec.index} has not been processed yet ({path} missing)")
        results.append(read_json(path))
    return results


def _read_parquet_files(plan: RunPlan, names: list[str], columns: list[str] | None = None) -> pa.Table | None:
    tables = [pq.read_table(plan.path(name), columns=columns) for name in names]
    return pa.concat_tables(tables) if tables else None


INDEX_DIR = "index"
INDEX_SCHEMA = pa.schema([SIG_SCHEMA.field(name) for name in ("id", "chars", "exact", "minhash", "bands")])


def _signature_files(plan: RunPlan) -> list[tuple[Path, bool]]:
    """(Parquet file, published?) in global document order: the persistent index of an incremental run
    first, then this run's signature files, shard by shard."""
    files: list[tuple[Path, bool]] = []
    index_path = Path(plan.output, INDEX_DIR, "documents.parquet")
    if plan.mode == "incremental" and index_path.exists():
        files.append((index_path, True))
    for result in _map_results(plan):
        files.extend((plan.path(name), False) for name in result["signatures"])
    return files


def _list_matrix(column: pa.Array, width: int, dtype) -> np.ndarray:
    """A list column of fixed-length lists as an n x width matrix (a view of Arrow's buffer when it can be)."""
    values = column.flatten().to_numpy(zero_copy_only=False)
    return values.astype(dtype, copy=False).reshape(len(column), width)


def load_signature_table(plan: RunPlan, with_minhash: bool = True, with_ids: bool = True, with_bands: bool = True,
                         partition: int | None = None) -> SignatureTable:
    """Published documents (persistent index, incremental runs) first, then this run's, in order.

    Read batch by batch into arrays sized from the Parquet metadata, so only one batch is ever held twice
    (reading whole tables and combining their chunks held every signature two or three times: 1.6 GB per
    process at 630,000 documents). `with_ids=False` leaves out ids and exact hashes (Python objects per
    document; LSH does not need them); `partition` keeps only that LSH partition's band columns, and
    `with_bands=False` none (clustering needs no bands)."""
    dcfg = plan.config_obj.dedup
    files = _signature_files(plan)
    n = sum(pq.ParquetFile(path).metadata.num_rows for path, _ in files)
    band_ids = [b for b in range(dcfg.bands) if with_bands and (partition is None or b % dcfg.band_partitions == partition)]
    chars = np.zeros(n, dtype=np.int64)
    published = np.zeros(n, dtype=bool)
    bands = np.zeros((n, len(band_ids)), dtype=np.uint64)
    minhash = np.zeros((n, dcfg.num_perm if with_minhash else 0), dtype=np.uint32)
    ids: list[str] = []
    exact: list[bytes] = []
    columns = (["chars"] + (["bands"] if band_ids else []) + (["id", "exact"] if with_ids else [])
               + (["minhash"] if with_minhash else []))
    row = 0
    for path, is_published in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000, columns=columns):
            rows = slice(row, row + batch.num_rows)
            chars[rows] = batch.column("chars").to_numpy(zero_copy_only=False)
            published[rows] = is_published
            if band_ids:
                bands[rows] = _list_matrix(batch.column("bands"), dcfg.bands, np.uint64)[:, band_ids]
            if with_minhash:
                minhash[rows] = _list_matrix(batch.column("minhash"), dcfg.num_perm, np.uint32)
            if with_ids:
                ids.extend(batch.column("id").to_pylist())
                exact.extend(batch.column("exact").to_pylist())
            row += batch.num_rows
    return SignatureTable(ids=ids, chars=chars, exact=exact, bands=bands, minhash=minhash, published=published,
                          band_ids=band_ids)


def load_minhash_rows(plan: RunPlan, rows: np.ndarray) -> np.ndarray:
    """MinHash signatures of the documents at global positions `rows` (sorted, unique), in that order, read
    batch by batch: memory for these rows only."""
    width = plan.config_obj.dedup.num_perm
    out = np.zeros((len(rows), width), dtype=np.uint32)
    offset = filled = 0
    for path, _ in _signature_files(plan):
        if filled == len(rows):
            break
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000, columns=["minhash"]):
            end = offset + batch.num_rows
            upto = int(np.searchsorted(rows, end))
            if upto > filled:
                out[filled:upto] = _list_matrix(batch.column("minhash"), width, np.uint32)[rows[filled:upto] - offset]
                filled = upto
            offset = end
    return out


def dedup_partition(plan: RunPlan, partition: int) -> str:
    """Step 3a for one LSH band partition: verified near-duplicate edges. Idempotent."""
    path = plan.path(f"edges-{partition:03d}.npy")
    if path.exists():
        return str(path)
    config = plan.config_obj
    array = np.zeros((0, 2), dtype=np.int64)
    if plan.shards and config.dedup.near:  # (an incremental run with no new input has nothing to compare)
        # candidates from the band columns first; signatures are then read only for documents in a candidate
        # pair (the full matrix was 311 MB per partition process at 618,000 documents, with few candidates)
        table = load_signature_table(plan, with_minhash=False, with_ids=False, partition=partition)
        later, earlier = band_candidate_pairs(table, partition, config.dedup)
        del table
        rows = np.unique(np.concatenate((later, earlier)))
        minhash = load_minhash_rows(plan, rows)
        verified = verify_pairs(minhash, np.searchsorted(rows, later), np.searchsorted(rows, earlier),
                                config.dedup.threshold)
        array = np.stack((later[verified], earlier[verified]), axis=1)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}.npy")
    np.save(tmp, array)
    os.replace(tmp, path)
    return str(path)


DECISIONS_SCHEMA = pa.schema([("id", pa.string()), ("keep", pa.bool_()), ("cluster", pa.string()),
                              ("cluster_size", pa.int64()), ("reason", pa.string()), ("duplicate_of", pa.string())])


def dedup_union(plan: RunPlan) -> dict:
    """Step 3b: union of exact groups and all partitions' edges; template lines and repeated passages."""
    done = plan.path("dedup.json")
    if done.exists():
        return read_json(done)
    config = plan.config_obj
    if not plan.shards:
        table = SignatureTable([], np.zeros(0, np.int64), [], np.zeros((0, config.dedup.bands), np.uint64),
                               np.zeros((0, 0), np.uint32), np.zeros(0, dtype=bool))
    else:
        table = load_signature_table(plan, with_minhash=False, with_bands=False)
    edges: list[tuple[int, int]] = []
    for partition in range(config.dedup.band_partitions):
        path = plan.path(f"edges-{partition:03d}.npy")
        if not path.exists():
            raise RuntimeError(f"dedup partition {partition} has not run ({path} missing)")
        edges.extend(map(tuple, np.load(path).tolist()))
    crash_point("dedup-union")
    decisions = cluster_documents(table, sorted(set(edges)), config.dedup)
    # repeated lines over the documents kept by document-level dedup (this run's documents only)
    published = int(table.published.sum())
    template, passages, owners = (np.zeros(0, np.uint64), np.zeros(0, np.uint64), [])
    if config.boilerplate.template_min_docs > 0 or config.dedup.passages:
        ids = table.ids[published:]
        kept_flags = np.fromiter((decisions[i].keep for i in ids), dtype=bool, count=len(ids))
        template, passages, owners = find_repeated_lines(
            *_flat_line_keys(plan), kept_flags, ids, max(2, config.boilerplate.template_min_docs)
        )
        if config.boilerplate.template_min_docs <= 0:
            template = np.zeros(0, np.uint64)
        if not config.dedup.passages:
            passages, owners = np.zeros(0, np.uint64), []
    decision_table = pa.table(
        {
            "id": [i for i in table.ids],
            "keep": [decisions[i].keep for i in table.ids],
            "cluster": [decisions[i].cluster for i in table.ids],
            "cluster_size": [decisions[i].cluster_size for i in table.ids],
            "reason": [decisions[i].reason for i in table.ids],
            "duplicate_of": [decisions[i].duplicate_of for i in table.ids],
        },
        schema=DECISIONS_SCHEMA,
    )
    write_table(plan.path("dedup-decisions.parquet"), decision_table)
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
    summary = {
        "documents": len(table),
        "published": published,
        "edges": len(set(edges)),
        "removed": sum(1 for d in decisions.values() if not d.keep),
        "template_lines": len(template),
        "repeated_passages": len(passages),
    }
    atomic_write_json(done, summary)
    return summary


def _flat_line_keys(plan: RunPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, kinds, document index) of every line of this run's documents, straight from Parquet's list
    buffers: millions of lines without a Python object each."""
    keys, kinds, doc_index = [], [], []
    documents = 0
    for result in _map_results(plan):
        sig = _read_parquet_files(plan, result["signatures"], ["line_keys", "line_kinds"])
        if sig is None:
            continue
        key_lists = sig.column("line_keys").combine_chunks()
        kind_lists = sig.column("line_kinds").combine_chunks()
        sizes = key_lists.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
        keys.append(key_lists.flatten().to_numpy(zero_copy_only=False).astype(np.uint64, copy=False))
        kinds.append(kind_lists.flatten().to_numpy(zero_copy_only=False).astype(np.uint8, copy=False))
        doc_index.append(np.repeat(np.arange(documents, documents + len(sizes), dtype=np.int32), sizes))
        documents += len(sizes)
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint8), np.zeros(0, np.int32)
    return np.concatenate(keys), np.concatenate(kinds), np.concatenate(doc_index)


def read_ids(paths: list[Path]) -> pa.Array:
    """The `id` column of these Parquet files, as one Arrow string array (no Python object per id)."""
    columns = [pq.read_table(path, columns=["id"]).column("id").combine_chunks() for path in paths]
    return pa.concat_arrays(columns) if columns else pa.array([], pa.string())


@dataclass
class LineCuts:
    template: set[int]
    passage_owner: dict[int, str]


def _load_dedup(plan: RunPlan, kept_files: list[str] | None = None) -> tuple[dict[str, DocDecision], LineCuts]:
    """Dedup decisions (only those of the documents in `kept_files`, when given: the corpus-wide table has a
    row per document, too many to hold as Python objects in every writer) and the line cuts."""
    decisions_table = pq.read_table(plan.path("dedup-decisions.parquet"))
    if kept_files is not None:
        wanted = read_ids([plan.path(name) for name in kept_files])
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


def shard_prefix(spec: ShardSpec) -> str:
    return f"{spec.index:05d}-{spec.key}"


def write_shard(plan: RunPlan, index: int) -> dict:
    """Step 4 for one shard: dedup decisions and line cuts applied, final Parquet written. Idempotent."""
    spec = plan.shards[index]
    done = plan.path(f"write-{spec.key}.json")
    if done.exists():
        return read_json(done)
    config = plan.config_obj
    result_map = read_json(plan.path(f"map-{spec.key}.json"))
    decisions, cuts = _load_dedup(plan, result_map["kept"])
    stats = RunStats()
    dedup_stats = stats.stage("dedup")
    line_stats = stats.stage("passages")
    out_cfg = config.output
    output = Path(plan.output)
    kept = ShardWriter(output, f"part-{shard_prefix(spec)}", KEPT_SCHEMA, out_cfg)
    rejected = ShardWriter(output / "rejected", f"rejected-{shard_prefix(spec)}", REJECTED_SCHEMA, out_cfg)
    try:
        for name in result_map["rejected"]:
            for batch in pq.ParquetFile(plan.path(name)).iter_batches(batch_size=1000):
                rejected.write_many(batch.to_pylist())
        for name in result_map["kept"]:
            for batch in pq.ParquetFile(plan.path(name)).iter_batches(batch_size=1000):
                for row in batch.to_pylist():
                    doc = document_from_row(row)
                    decision = decisions[doc.id]
                    dedup_stats.docs_in += 1
                    dedup_stats.chars_in += len(doc.text)
                    if not decision.keep:
                        doc.dup_cluster, doc.cluster_size = decision.cluster, decision.cluster_size
                        doc.reject(
                            Reason(decision.reason), f"same as {decision.duplicate_of}", decision.duplicate_of
                        )
                        doc.rejected_by = "dedup"
                        dedup_stats.rejected[doc.reason or ""] += 1
                        rejected.write(rejected_row(doc, out_cfg.rejected_text_max_chars))
                        continue
                    dedup_stats.docs_out += 1
                    dedup_stats.chars_out += len(doc.text)
                    doc.dup_cluster, doc.cluster_size = decision.cluster, decision.cluster_size
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
                            rejected.write(rejected_row(doc, out_cfg.rejected_text_max_chars))
                            continue
                    line_stats.docs_out += 1
                    line_stats.chars_out += len(doc.text)
                    kept.write(kept_row(doc))
                    crash_point(f"write-row:{index}")
        result = {
            "shard": spec.index,
            "key": spec.key,
            "kept": [_relative(s, output) for s in kept.close()],
            "rejected": [_relative(s, output) for s in rejected.close()],
            "stats": stats.to_dict(),
        }
    except BaseException:
        kept.abort()
        rejected.abort()
        raise
    crash_point(f"write-done:{index}")
    atomic_write_json(done, result)
    return result


def _relative(info, root: Path) -> dict:
    data = asdict(info)
    data["path"] = os.path.relpath(info.path, root)
    return data


# ----------------------------------------------------------------------------------------------------------
# publish


def collect_stats(plan: RunPlan) -> RunStats:
    stats = RunStats()
    for spec in plan.shards:
        for step in ("map", "write"):
            path = plan.path(f"{step}-{spec.key}.json")
            if path.exists():
                stats.merge(RunStats.from_dict(read_json(path)["stats"]))
    return stats


def _update_index(plan: RunPlan, kept_ids: pa.Array) -> None:
    """Persist signatures of the published documents so that later runs dedup against them. Streamed batch by
    batch into one Parquet file: the index holds a signature per document of the corpus, which as one
    in-memory table cost 3 GB at 600,000 documents."""
    index_path = Path(plan.output, INDEX_DIR, "documents.parquet")
    # (file, filter by kept_ids): this run's documents are filtered, the published ones were kept before
    sources = [(path, not published) for path, published in _signature_files(plan)]

    def tables():
        for path, filtered in sources:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000, columns=INDEX_SCHEMA.names):
                table = pa.Table.from_batches([batch])
                if filtered:
                    table = table.filter(pc.is_in(table.column("id"), value_set=kept_ids))
                if table.num_rows:
                    yield table.cast(INDEX_SCHEMA)

    write_tables(index_path, INDEX_SCHEMA, tables())


def _add_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Reason counts summed, by reason name (as RunStats orders them)."""
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted({*a, *b})}


def _add_span_counts(a: dict[str, dict], b: dict[str, dict]) -> dict[str, dict]:
    zero = {"count": 0, "chars": 0}
    return {k: {f: a.get(k, zero)[f] + b.get(k, zero)[f] for f in zero} for k in sorted({*a, *b})}


def publish(plan: RunPlan, keep_work: bool = False, report: bool | None = None) -> dict:
    """Step 5: stats, dedup index and report, then the manifest (last, atomically); stale files removed."""
    config = plan.config_obj
    output = Path(plan.output)
    writes = []
    for spec in plan.shards:
        path = plan.path(f"write-{spec.key}.json")
        if not path.exists():
            raise RuntimeError(f"shard {spec.index} has not been written yet ({path} missing)")
        writes.append(read_json(path))
    stats = collect_stats(plan)
    previous = plan.previous_manifest or {}
    shards = list(previous.get("shards", [])) if plan.mode == "incremental" else []
    rejected = list(previous.get("rejected", [])) if plan.mode == "incremental" else []
    for w in writes:
        shards.extend(w["kept"])
        rejected.extend(w["rejected"])
    new_shards = shards[len(previous.get("shards", [])) if plan.mode == "incremental" else 0 :]
    nothing_new = plan.mode == "incremental" and not plan.shards
    if not nothing_new:  # an unchanged nightly input leaves the index (and the report) as they are
        _update_index(plan, read_ids([output / s["path"] for s in new_shards]))
    kept_rows = sum(s["rows"] for s in shards)
    rejected_rows = sum(s["rows"] for s in rejected)
    inputs = []
    if plan.mode == "incremental":
        inputs.extend(previous.get("inputs", []))
    for spec in plan.shards:
        for i in spec.files:
            f = plan.files[i]
            inputs.append({"path": f["rel"], "bytes": f["size"], "sha256": f["sha256"], "shard": spec.key})
    run_key = Path(plan.work).name
    this_run = {
        "documents_kept": sum(s["rows"] for s in new_shards),
        "documents_rejected": sum(s["rows"] for w in writes for s in w["rejected"]),
        "rejected_by_reason": stats.rejected_by_reason(),
        "spans_by_reason": {k: {"count": c, "chars": n} for k, (c, n) in stats.spans_by_reason().items()},
    }
    # the corpus-wide counts add up like the manifest's: an incremental run adds its own to the published ones
    published = read_json(output / STATS) if plan.mode == "incremental" and (output / STATS).exists() else {}
    stats_doc = {
        "pipeline_version": __version__,
        "run_key": run_key,
        "mode": plan.mode,
        "input_root": plan.root,
        "inputs": len(plan.files),
        "inputs_skipped_unchanged": len(plan.skipped_files),
        "documents_kept": kept_rows,
        "documents_rejected": rejected_rows,
        "rejected_by_reason": _add_counts(published.get("rejected_by_reason", {}), this_run["rejected_by_reason"]),
        "spans_by_reason": _add_span_counts(published.get("spans_by_reason", {}), this_run["spans_by_reason"]),
        "this_run": this_run,
        "stages": stats.to_dict(),
        "dedup": read_json(plan.path("dedup.json")),
    }
    atomic_write_json(output / STATS, stats_doc)
    manifest = {
        "pipeline_version": __version__,
        "run_key": run_key,
        "mode": plan.mode,
        "config": plan.config,
        "config_fingerprint": config.fingerprint(),
        "inputs": inputs,
        "shards": shards,
        "rejected": rejected,
        "documents": {"kept": kept_rows, "rejected": rejected_rows},
        "schema": {"kept": KEPT_SCHEMA.names, "rejected": REJECTED_SCHEMA.names},
        "index": f"{INDEX_DIR}/documents.parquet",
    }
    if (report if report is not None else config.output.report) and not nothing_new:
        try:
            from .report import write_report

            write_report(output, manifest)
        except Exception as exc:  # noqa: BLE001 - a broken report must not lose a finished run
            log.warning("report.html could not be written: %s", exc)
    crash_point("publish-manifest")
    atomic_write_json(output / MANIFEST, manifest)
    _remove_stale(output, shards, rejected)
    if not keep_work:
        shutil.rmtree(plan.work, ignore_errors=True)
        with contextlib.suppress(OSError):
            (output / WORK_DIR).rmdir()
    return manifest


def _remove_stale(output: Path, shards: list[dict], rejected: list[dict]) -> None:
    """Data files from earlier runs that the new manifest does not list (full re-runs, changed input)."""
    listed = {s["path"] for s in shards} | {s["path"] for s in rejected}
    for pattern in ("part-*.parquet", "rejected/rejected-*.parquet"):
        for path in output.glob(pattern):
            if os.path.relpath(path, output) not in listed:
                path.unlink()
    for leftover in list(output.glob(".*.tmp-*")) + list((output / "rejected").glob(".*.tmp-*")):
        leftover.unlink(missing_ok=True)


# ----------------------------------------------------------------------------------------------------------
# the whole run


@dataclass
class RunResult:
    output: str
    manifest: dict
    stats: dict
    seconds: float


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
) -> RunResult:
    """The whole pipeline in this process (workers=1) or with a process pool (workers>1)."""
    started = time.time()
    config = config or Config()
    plan = plan_run(inputs, output, config, incremental=incremental)
    log.info(
        "%d input files in %d shards (%s run), output %s",
        len(plan.files),
        len(plan.shards),
        plan.mode,
        plan.output,
    )
    bar = _Progress(sum(f["size"] for f in plan.files), progress)
    try:
        if workers <= 1:
            for spec in plan.shards:
                map_shard(plan, spec.index, bar.update)
            for partition in range(config.dedup.band_partitions):
                dedup_partition(plan, partition)
            dedup_union(plan)
            for spec in plan.shards:
                write_shard(plan, spec.index)
        else:
            _run_pool(plan, workers, bar)
    finally:
        bar.close()
    manifest = publish(plan, keep_work=keep_work)
    stats = read_json(Path(plan.output) / STATS)
    return RunResult(plan.output, manifest, stats, time.time() - started)


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
        for f in as_completed([pool.submit(write_shard, plan, spec.index) for spec in plan.shards]):
            f.result()
