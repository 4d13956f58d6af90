"""Composes the stages into a run. The CLI and the Airflow DAG both call these functions.

A run has five steps; each writes its results atomically under `OUT/_work/<plan key>/` and is skipped
when its result is already there, so a killed run resumes where it stopped:

1. `plan_run`        (plan.py) find input files, hash them, compare them with the published corpus, group
                     the files to process into shards -> plan.json
2. `map_shard`       (mapping.py, per shard) every stage of `pipeline.stages.STAGES`; writes candidate rows,
                     rejected rows and dedup signatures
3. `dedup_partition` (dedup_steps.py, per LSH band partition) verified near-duplicate edges;
   `dedup_union`     clusters and the kept copy of each, template lines, repeated passages, over the whole
                     corpus (segments.py: this run's shards and the published segments that stay)
4. `write_segment`   (write.py, per segment whose output changed) dedup decisions and line cuts applied,
                     final Parquet shards
5. `publish`         (publish.py) stats.json, report.html, then manifest.json (last)

`run` (local.py) does all five in this process or a local process pool.
"""

import sys

# these two share their module's name: bound now, or importing the module would leave the module in their place
from .publish import publish
from .segments import segments

# name -> the module that defines it. Imported on first use (PEP 562): a dedup or write step in a fresh worker
# process imports `pipeline.runner.dedup_steps` or `.write` alone, not the mapping step's stages and models.
_EXPORTS = {
    "dedup_partition": "dedup_steps", "dedup_union": "dedup_steps",
    "CRASH_ENV": "faults", "STATS": "faults", "WORK_DIR": "faults",
    "RunResult": "local", "run": "local",
    "map_shard": "mapping", "run_stages": "mapping",
    "RunPlan": "plan", "ShardSpec": "plan", "load_plan": "plan", "plan_run": "plan",
    "load_minhash_rows": "segments", "load_signature_table": "segments",
    "signature_layout": "segments",
    "write_indices": "write", "write_segment": "write",
}
__all__ = [
    "CRASH_ENV", "STATS", "WORK_DIR", "RunPlan", "RunResult", "ShardSpec", "dedup_partition", "dedup_union",
    "load_minhash_rows", "load_plan", "load_signature_table", "map_shard", "plan_run", "publish", "run",
    "run_stages", "segments", "signature_layout", "write_indices", "write_segment",
]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pipeline.runner' has no attribute {name!r}")
    from . import dedup_steps, faults, local, mapping, plan, segments, write  # noqa: F401 - looked up below

    return getattr(sys.modules[f"{__name__}.{_EXPORTS[name]}"], name)
