"""Step 4, per segment whose output changed: dedup decisions and line cuts applied, final Parquet written."""

from __future__ import annotations

import os
import re
from dataclasses import asdict
from pathlib import Path

import pyarrow.parquet as pq

from .. import __version__
from ..config import OutputConfig
from ..dedup import apply_line_cuts
from ..document import Reason, document_from_row, kept_row, rejected_row
from ..schema import KEPT_SCHEMA, REJECTED_SCHEMA, SCHEMA_VERSION
from ..stages.length import min_length_stage
from ..stats import RunStats
from ..writer import ShardInfo, ShardWriter, atomic_write_json, read_json
from .dedup_steps import load_dedup
from .faults import DATA_DIR, crash_point
from .plan import RunPlan
from .segments import Segment, segments


def _segment_to_write(plan: RunPlan, position: int) -> tuple[Segment, dict]:
    union = read_json(plan.path("dedup.json"))
    key = union["write"][position]
    entry = next(s for s in union["segments"] if s["key"] == key)
    return next(s for s in segments(plan) if s.key == key), entry


def write_indices(plan: RunPlan) -> list[int]:
    """Positions of the segments whose output this run (re)writes, after `dedup_union`."""
    return list(range(len(read_json(plan.path("dedup.json"))["write"])))


def empty_counts() -> dict:
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
    decisions, cuts = load_dedup(plan, segment.paths("kept"))
    stats = RunStats()
    dedup_stats = stats.stage("dedup")
    line_stats = stats.stage("passages")
    counts = empty_counts()
    reasons: dict[str, int] = {}
    spans: dict[str, list[int]] = {}
    out_cfg = config.output
    output = Path(plan.output)
    prefix = f"{segment.key}-{entry['digest'][:8]}"
    kept = _KeptWriters(output / DATA_DIR, f"part-{prefix}", out_cfg)
    rejected = ShardWriter(output / "rejected", f"rejected-{prefix}", _versioned(REJECTED_SCHEMA), out_cfg)

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
        kept_files = [_relative(s, output, segment.key, partition) for partition, s in kept.close()]
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


def _versioned(schema):
    """The schema with the pipeline and schema versions in its Parquet key-value metadata, for readers that
    open a shard without the manifest."""
    return schema.with_metadata({**(schema.metadata or {}), b"pipeline_version": __version__.encode(),
                                 b"schema_version": SCHEMA_VERSION.encode()})


def _relative(info, root: Path, segment: str, partition: dict | None = None) -> dict:
    data = asdict(info)
    data["path"] = os.path.relpath(info.path, root)
    data["segment"] = segment
    if partition:
        data["partition"] = partition
    return data


LANG_PARTITION = "lang"


def partition_value(lang: str) -> str:
    """A language code as a hive partition folder value (`lang=zh`): lower case, no path separators."""
    return re.sub(r"[^a-z0-9_-]", "_", lang.lower()) or "und"


class _KeptWriters:
    """The kept rows of one segment: one shard series, or with `[output] partition_by_language` one per
    language under `lang=<code>/` (hive style), whose files leave out the `lang` column as hive readers
    (pyarrow, pandas, polars, DuckDB, Spark) expect: they add it back from the folder name."""

    def __init__(self, directory: Path, prefix: str, config: OutputConfig) -> None:
        self.directory, self.prefix, self.config = directory, prefix, config
        self.partitioned = config.partition_by_language
        self.schema = _versioned(KEPT_SCHEMA)
        if self.partitioned:
            self.schema = self.schema.remove(self.schema.get_field_index(LANG_PARTITION))
        self.writers: dict[str, ShardWriter] = {}

    def write(self, row: dict) -> None:
        value = partition_value(row[LANG_PARTITION]) if self.partitioned else ""
        writer = self.writers.get(value)
        if writer is None:
            folder = self.directory / f"{LANG_PARTITION}={value}" if self.partitioned else self.directory
            writer = self.writers[value] = ShardWriter(folder, self.prefix, self.schema, self.config)
        if self.partitioned:
            row = {k: v for k, v in row.items() if k != LANG_PARTITION}
        writer.write(row)

    def close(self) -> list[tuple[dict | None, ShardInfo]]:
        closed = []
        for value in sorted(self.writers):
            partition = {LANG_PARTITION: value} if self.partitioned else None
            closed.extend((partition, info) for info in self.writers[value].close())
        return closed

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()
