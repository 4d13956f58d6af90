"""Orchestrator-facing steps: plain arguments in, small JSON-able values out (XCom-sized).

The Airflow DAG (dags/corpus_clean.py) calls only these; each wraps one runner step, so a DAG run and a
CLI run execute the same code on the same shards. The plan is handed from task to task by path, or, when the
output is on an object store, by URL: then each task fetches what its step reads and uploads what it wrote
(runner/remote.py), and the workers need no shared disk. Nothing here imports Airflow: errors that no retry can
fix (bad params, a bad config, a run the guards refuse) are raised as `PermanentError`, which the DAG turns
into a failure without retries.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from typing import Any

from . import storage
from .config import ConfigError, LanguageConfig, load_config, parse_languages
from .corpus import DEFAULT_MAX_SHRINK, MODES, OutputError, RunRefused
from .runner import (
    dedup_partition,
    dedup_union,
    map_shard,
    plan_run,
    publish,
    write_indices,
    write_segment,
)
from .runner.remote import finish_on_store, open_plan, plan_on_store, push

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
        options = {"mode": merged["mode"], "force": merged["force"], "allow_empty": merged["allow_empty"],
                   "max_shrink": float(merged["max_shrink"])}
        if storage.is_remote(merged["output"]):
            plan, plan_ref = plan_on_store(inputs, merged["output"], config, **options)
        else:
            plan = plan_run(inputs, merged["output"], config, **options)
            plan_ref = str(plan.path("plan.json"))
    except (ConfigError, RunRefused, OutputError, FileNotFoundError) as exc:
        raise PermanentError(str(exc)) from exc
    counts = plan.input_counts
    log.info("%s run: %d inputs added, %d changed, %d removed, %d unchanged; %d files to process in %d shards; "
             "work dir %s", plan.mode, counts["added"], counts["changed"], counts["removed"], counts["unchanged"],
             len(plan.files), len(plan.shards), plan.work)
    if plan.nothing_to_do:
        log.info("nothing changed since the last publish: the published corpus stays as it is")
    return {
        "plan": plan_ref,
        "shards": [s.index for s in plan.shards],
        "partitions": list(range(config.dedup.band_partitions)),
    }


def shard_indices(plan_ref: str) -> list[int]:
    return [s.index for s in open_plan(plan_ref, fetch=False).shards]


def partition_indices(plan_ref: str) -> list[int]:
    return list(range(open_plan(plan_ref, fetch=False).config_obj.dedup.band_partitions))


def map_task(plan_ref: str, shard: int) -> dict[str, Any]:
    plan = open_plan(plan_ref, fetch=False)
    if plan.store:  # workers without a shared disk: a local input path of the planner's machine is not here
        missing = [plan.files[i]["path"] for i in plan.shards[shard].files
                   if not storage.is_remote(plan.files[i]["path"]) and not Path(plan.files[i]["path"]).exists()]
        if missing:
            raise FileNotFoundError(f"input {missing[0]} is not on this machine: with the output on an object "
                                    "store the workers may share no disk, so put the inputs on the store too")
    result = map_shard(plan, shard)
    push(plan)
    kept = sum(s["docs_out"] for name, s in result["stats"].items() if name == "length")
    log.info("shard %d: %d documents, %d kept so far", shard, result["documents"], kept)
    return {"shard": shard, "documents": result["documents"]}


def dedup_partition_task(plan_ref: str, partition: int) -> str:
    plan = open_plan(plan_ref)
    path = dedup_partition(plan, partition)
    push(plan)
    log.info("band partition %d: edges in %s", partition, path)
    return path


def dedup_union_task(plan_ref: str) -> dict[str, Any]:
    plan = open_plan(plan_ref)
    summary = dedup_union(plan)
    push(plan)
    log.info("dedup: %d documents, %d removed; %d segments to write",
             summary["documents"], summary["removed"], len(summary["write"]))
    return {k: v for k, v in summary.items() if k != "segments"}


def write_indices_task(plan_ref: str) -> list[int]:
    return write_indices(open_plan(plan_ref))


def write_task(plan_ref: str, position: int) -> dict[str, Any]:
    plan = open_plan(plan_ref)
    result = write_segment(plan, position)
    push(plan)
    rows = sum(s["rows"] for s in result["kept"])
    log.info("segment %s: %d kept rows in %d files", result["key"], rows, len(result["kept"]))
    return {"segment": result["key"], "rows": rows, "files": [s["path"] for s in result["kept"]]}


def publish_task(plan_ref: str) -> dict[str, Any]:
    """Publish, and remove the run's work files (also on a night when nothing changed)."""
    plan = open_plan(plan_ref)
    try:
        manifest = publish(plan)
    except RunRefused as exc:
        raise PermanentError(str(exc)) from exc
    output = plan.output
    if plan.store:
        finish_on_store(plan)
        output = storage.redact(plan.store)
    if plan.nothing_to_do:
        log.info("nothing changed: %s stays as published", output)
    else:
        log.info("published %s: %d kept, %d rejected", output, manifest["documents"]["kept"],
                 manifest["documents"]["rejected"])
    documents = manifest.get("documents", {"kept": 0, "rejected": 0})
    return {"output": output, "manifest": posixpath.join(output, "manifest.json") if plan.store
            else str(Path(output, "manifest.json")), "documents": documents,
            "shards": len(manifest.get("shards", [])), "run_key": manifest.get("run_key", ""),
            "changed": not plan.nothing_to_do}
