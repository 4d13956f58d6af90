"""Orchestrator-facing steps: plain arguments in, small JSON-able values out (XCom-sized).

The Airflow DAG (dags/corpus_clean.py) calls only these; each wraps one runner step, so a DAG run and a
CLI run execute the same code on the same shards. Nothing here imports Airflow: errors that no retry can
fix (bad params, a bad config, a run the guards refuse) are raised as `PermanentError`, which the DAG turns
into a failure without retries.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .config import ConfigError, LanguageConfig, load_config, parse_languages
from .corpus import DEFAULT_MAX_SHRINK, MODES, OutputError, RunRefused
from .runner import (
    RunPlan,
    dedup_partition,
    dedup_union,
    load_plan,
    map_shard,
    plan_run,
    publish,
    write_indices,
    write_segment,
)

log = logging.getLogger("pipeline")

DEFAULT_PARAMS: dict[str, Any] = {
    "input": "data/raw",
    "output": "data/clean",
    "mode": "incremental",
    "languages": LanguageConfig().keep,
    "config_file": "",
    "config": {},
    "shard_bytes": 0,
    "force": False,
    "allow_empty": False,
    "max_shrink": DEFAULT_MAX_SHRINK,
}


class PermanentError(Exception):
    """An error that the same task would raise again on a retry."""


def _is_list_of_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


_CHECKS: dict[str, tuple[Any, str]] = {
    "input": (lambda v: (isinstance(v, str) and v.strip() != "") or (_is_list_of_str(v) and v != []),
              "a folder, file or glob, or a list of them"),
    "output": (lambda v: isinstance(v, str) and v.strip() != "", "a folder"),
    "mode": (lambda v: v in MODES, " or ".join(MODES)),
    "languages": (lambda v: isinstance(v, str) or _is_list_of_str(v), "a list of language codes, or 'all'"),
    "config_file": (lambda v: isinstance(v, str), "a path to a TOML file, or ''"),
    "config": (lambda v: isinstance(v, dict) and all(isinstance(x, dict) for x in v.values()),
               'a table of sections, e.g. {"dedup": {"threshold": 0.6}}'),
    "shard_bytes": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number >= 0"),
    "force": (lambda v: isinstance(v, bool), "true or false"),
    "allow_empty": (lambda v: isinstance(v, bool), "true or false"),
    "max_shrink": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
                   "a share between 0 and 1"),
}


def validate_params(params: dict[str, Any]) -> dict[str, Any]:
    """DAG params (with defaults filled in), checked before any work: an unknown key or a bad value raises
    PermanentError naming the valid keys."""
    unknown = sorted(set(params) - set(DEFAULT_PARAMS))
    if unknown:
        raise PermanentError(f"unknown param(s) {', '.join(map(repr, unknown))}; valid params: "
                             f"{', '.join(DEFAULT_PARAMS)}")
    merged = {**DEFAULT_PARAMS, **{k: v for k, v in params.items() if v is not None}}
    bad = [f"{key} = {merged[key]!r} (expected {what})" for key, (ok, what) in _CHECKS.items() if not ok(merged[key])]
    if bad:
        raise PermanentError("bad param value(s): " + "; ".join(bad))
    return merged


def config_from_params(params: dict[str, Any]):
    """Config from DAG params: an optional TOML file, then `config` overrides ({"dedup": {...}}), then the
    shortcuts `languages` and `shard_bytes`."""
    overrides: dict[str, dict] = {k: dict(v) for k, v in (params.get("config") or {}).items()}
    if params.get("languages") is not None:
        overrides.setdefault("language", {})["keep"] = parse_languages(params["languages"])
    if params.get("shard_bytes"):
        overrides.setdefault("input", {})["shard_bytes"] = int(params["shard_bytes"])
    return load_config(params.get("config_file") or None, overrides)


def plan_task(params: dict[str, Any]) -> dict[str, Any]:
    """Validate the params, discover and shard the input. Returns the plan path and the lists to map over."""
    merged = validate_params(params)
    try:
        config = config_from_params(merged)
        inputs = merged["input"] if isinstance(merged["input"], list) else [merged["input"]]
        plan = plan_run(inputs, merged["output"], config, mode=merged["mode"], force=merged["force"],
                        allow_empty=merged["allow_empty"], max_shrink=float(merged["max_shrink"]))
    except (ConfigError, RunRefused, OutputError, FileNotFoundError) as exc:
        raise PermanentError(str(exc)) from exc
    counts = plan.input_counts
    log.info("%s run: %d inputs added, %d changed, %d removed, %d unchanged; %d files to process in %d shards; "
             "work dir %s", plan.mode, counts["added"], counts["changed"], counts["removed"], counts["unchanged"],
             len(plan.files), len(plan.shards), plan.work)
    if plan.nothing_to_do:
        log.info("nothing changed since the last publish: the published corpus stays as it is")
    return {
        "plan": str(plan.path("plan.json")),
        "shards": [s.index for s in plan.shards],
        "partitions": list(range(config.dedup.band_partitions)),
    }


def shard_indices(plan_path: str) -> list[int]:
    return [s.index for s in _plan(plan_path).shards]


def partition_indices(plan_path: str) -> list[int]:
    return list(range(_plan(plan_path).config_obj.dedup.band_partitions))


def _plan(plan_path: str) -> RunPlan:
    return load_plan(plan_path)


def map_task(plan_path: str, shard: int) -> dict[str, Any]:
    result = map_shard(_plan(plan_path), shard)
    kept = sum(s["docs_out"] for name, s in result["stats"].items() if name == "length")
    log.info("shard %d: %d documents, %d kept so far", shard, result["documents"], kept)
    return {"shard": shard, "documents": result["documents"]}


def dedup_partition_task(plan_path: str, partition: int) -> str:
    path = dedup_partition(_plan(plan_path), partition)
    log.info("band partition %d: edges in %s", partition, path)
    return path


def dedup_union_task(plan_path: str) -> dict[str, Any]:
    summary = dedup_union(_plan(plan_path))
    log.info("dedup: %d documents, %d removed; %d segments to write",
             summary["documents"], summary["removed"], len(summary["write"]))
    return {k: v for k, v in summary.items() if k != "segments"}


def write_indices_task(plan_path: str) -> list[int]:
    return write_indices(_plan(plan_path))


def write_task(plan_path: str, position: int) -> dict[str, Any]:
    result = write_segment(_plan(plan_path), position)
    rows = sum(s["rows"] for s in result["kept"])
    log.info("segment %s: %d kept rows in %d files", result["key"], rows, len(result["kept"]))
    return {"segment": result["key"], "rows": rows, "files": [s["path"] for s in result["kept"]]}


def publish_task(plan_path: str) -> dict[str, Any]:
    """Publish, and remove the run's work files (also on a night when nothing changed)."""
    plan = _plan(plan_path)
    try:
        manifest = publish(plan)
    except RunRefused as exc:
        raise PermanentError(str(exc)) from exc
    if plan.nothing_to_do:
        log.info("nothing changed: %s stays as published", plan.output)
    else:
        log.info("published %s: %d kept, %d rejected", plan.output, manifest["documents"]["kept"],
                 manifest["documents"]["rejected"])
    documents = manifest.get("documents", {"kept": 0, "rejected": 0})
    return {"output": plan.output, "manifest": str(Path(plan.output, "manifest.json")), "documents": documents,
            "shards": len(manifest.get("shards", [])), "run_key": manifest.get("run_key", ""),
            "changed": not plan.nothing_to_do}
