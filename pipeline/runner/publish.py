"""Step 5: the corpus's segments (rewritten or carried over), the shrink guard, the new segments' map
results kept for later runs, stats and report, then the manifest (last: the commit point)."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

from .. import __version__
from ..corpus import (
    MANIFEST,
    SEGMENTS_DIR,
    check_shrink,
)
from ..report import write_report
from ..schema import KEPT_SCHEMA, REJECTED_SCHEMA
from ..stats import RunStats
from ..writer import atomic_write_json, read_json
from .faults import DATA_DIR, STATS, WORK_DIR, crash_point
from .plan import RunPlan
from .segments import SEGMENT_MAP
from .write import empty_counts

log = logging.getLogger("pipeline")

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


def _add_segment_counts(a: dict, b: dict) -> dict:
    """Two segments' counts (rows, rejections and cut spans by reason) added up."""
    return {"kept": a["kept"] + b["kept"], "rejected": a["rejected"] + b["rejected"],
            "rejected_by_reason": _add_counts(a["rejected_by_reason"], b["rejected_by_reason"]),
            "spans_by_reason": _add_span_counts(a["spans_by_reason"], b["spans_by_reason"])}


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
    this_run = empty_counts()
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
            this_run = _add_segment_counts(this_run, counts)
    kept_rows = sum(s["rows"] for s in shards)
    rejected_rows = sum(s["rows"] for s in rejected)
    check_shrink(plan.previous_manifest, kept_rows, plan.force, plan.max_shrink)
    for spec in plan.shards:
        _store_segment(plan, spec.key)
    crash_point("publish-stored")
    listed_inputs = {entry["path"]: dict(entry) for entry in plan.changes.get("unchanged", [])}
    for spec in plan.shards:
        for i in spec.files:  # a file split into parts is in several shards: listed once, with each segment
            f = plan.files[i]
            entry = listed_inputs.setdefault(f["rel"], {"path": f["rel"], "bytes": f["size"], "sha256": f["sha256"],
                                                        "segments": []})
            if spec.key not in entry["segments"]:
                entry["segments"].append(spec.key)
    inputs = [listed_inputs[path] for path in sorted(listed_inputs)]
    totals = empty_counts()
    for entry in listed_segments:
        totals = _add_segment_counts(totals, entry["counts"])
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
    # (part-*.parquet at the top: the layout before 0.3.0)
    partitions = sorted(output.glob(f"{DATA_DIR}/*=*/"))  # with [output] partition_by_language
    data_folders = [output / DATA_DIR, *partitions]
    for folder, pattern in [*((f, "part-*.parquet") for f in (output, *data_folders)),
                            (output / "rejected", "rejected-*.parquet")]:
        for path in folder.glob(pattern):
            if os.path.relpath(path, output) not in listed:
                path.unlink()
        for leftover in folder.glob(".*.tmp-*"):
            leftover.unlink(missing_ok=True)
    for folder in partitions:  # a language no kept row has any more, or the layout switched off
        with contextlib.suppress(OSError):
            folder.rmdir()
    keys = {s["key"] for s in manifest["segments"]}
    store = output / SEGMENTS_DIR
    if store.is_dir():
        for entry in store.iterdir():
            if entry.name not in keys:
                shutil.rmtree(entry, ignore_errors=True)
    Path(output, "index", "documents.parquet").unlink(missing_ok=True)  # the index before segments (0.1.0)
