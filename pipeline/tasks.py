"""Orchestrator-facing steps: plain arguments in, small JSON-able values out (XCom-sized).

The Airflow DAG (dags/corpus_clean.py) calls only these; each wraps one runner step, so a DAG run and a
CLI run execute the same code on the same shards. Nothing here imports Airflow.
"""

from __future__ import annotations

import logging
from typing import Any

from .config import load_config
from .runner import (
    RunPlan,
    dedup_partition,
    dedup_union,
    load_plan,
    map_shard,
    plan_run,
    publish,
    write_shard,
)

log = logging.getLogger("pipeline")

DEFAULT_PARAMS: dict[str, Any] = {
    "input": "data/raw",
    "output": "data/clean",
    "mode": "incremental",
    "languages": ["zh", "en"],
    "config_file": "",
    "config": {},
    "shard_bytes": 0,
}


def config_from_params(params: dict[str, Any]):
    """Config from DAG params: an optional TOML file, then `config` overrides ({"dedup": {...}}), then the
    shortcuts `languages` and `shard_bytes`."""
    overrides: dict[str, dict] = {k: dict(v) for k, v in (params.get("config") or {}).items()}
    if params.get("languages") is not None:
        languages = params["languages"]
        if isinstance(languages, str):
            languages = [] if languages == "all" else [x.strip() for x in languages.split(",") if x.strip()]
        overrides.setdefault("language", {})["keep"] = list(languages)
    if params.get("shard_bytes"):
        overrides.setdefault("input", {})["shard_bytes"] = int(params["shard_bytes"])
    return load_config(params.get("config_file") or None, overrides)


def plan_task(params: dict[str, Any]) -> dict[str, Any]:
    """Discover and shard the input. Returns the plan path and the lists to map over."""
    merged = {**DEFAULT_PARAMS, **{k: v for k, v in params.items() if v is not None}}
    if merged["mode"] not in ("full", "incremental"):
        raise ValueError(f"mode must be 'full' or 'incremental', not {merged['mode']!r}")
    config = config_from_params(merged)
    inputs = merged["input"] if isinstance(merged["input"], list) else [merged["input"]]
    plan = plan_run(inputs, merged["output"], config, incremental=merged["mode"] == "incremental")
    log.info("%d new input files in %d shards (%s run; %d unchanged files skipped), work dir %s",
             len(plan.files), len(plan.shards), plan.mode, len(plan.skipped_files), plan.work)
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
    log.info("dedup: %s", summary)
    return summary


def write_task(plan_path: str, shard: int) -> dict[str, Any]:
    result = write_shard(_plan(plan_path), shard)
    rows = sum(s["rows"] for s in result["kept"])
    log.info("shard %d: %d kept rows in %d files", shard, rows, len(result["kept"]))
    return {"shard": shard, "rows": rows, "files": [s["path"] for s in result["kept"]]}


def publish_task(plan_path: str) -> dict[str, Any]:
    plan = _plan(plan_path)
    manifest = publish(plan)
    log.info("published %s: %d kept, %d rejected", plan.output, manifest["documents"]["kept"],
             manifest["documents"]["rejected"])
    return {"output": plan.output, "documents": manifest["documents"], "shards": len(manifest["shards"]),
            "run_key": manifest["run_key"]}
