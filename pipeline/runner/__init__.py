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

from .dedup_steps import dedup_partition, dedup_union
from .faults import CRASH_ENV, STATS, WORK_DIR
from .local import RunResult, run
from .mapping import map_shard, run_stages
from .plan import RunPlan, ShardSpec, load_plan, plan_run
from .publish import publish
from .segments import load_minhash_rows, load_signature_table, segments, signature_layout
from .write import write_indices, write_segment

__all__ = [
    "CRASH_ENV", "STATS", "WORK_DIR", "RunPlan", "RunResult", "ShardSpec", "dedup_partition", "dedup_union",
    "load_minhash_rows", "load_plan", "load_signature_table", "map_shard", "plan_run", "publish", "run",
    "run_stages", "segments", "signature_layout", "write_indices", "write_segment",
]
