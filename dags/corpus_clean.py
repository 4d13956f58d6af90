"""Nightly corpus cleaning: the same steps as `python -m pipeline run`, one mapped task per shard.

Wiring only: every task calls one function of `pipeline.tasks` (imported inside the task, so parsing this
file imports nothing heavy). Trigger a backfill or a one-off run with params, e.g.

    airflow dags trigger corpus_clean --conf '{"input": "/data/new-seeds", "mode": "full"}'
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import Asset, Param, dag, get_current_context, task

DATA_DIR = Path(os.environ.get("CORPUS_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))
CLEAN_OUTPUT = str(DATA_DIR / "clean")
# Downstream DAGs schedule on this asset; it is updated each time `publish` writes a manifest.
CLEAN_ASSET = Asset(name="corpus_clean_shards", uri=f"file://{CLEAN_OUTPUT}")

DEFAULT_ARGS = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
}


@dag(
    dag_id="corpus_clean",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["corpus", "parquet"],
    doc_md=__doc__,
    params={
        "input": Param(str(DATA_DIR / "raw"), type="string", description="input folder, file or glob"),
        "output": Param(CLEAN_OUTPUT, type="string", description="output folder (Parquet shards + manifest)"),
        "mode": Param("incremental", enum=["incremental", "full"],
                      description="incremental: skip input files already in the published manifest"),
        "languages": Param(["zh", "en"], type="array", description="languages to keep ([] keeps all)"),
        "config_file": Param("", type="string", description="optional TOML config (see config.example.toml)"),
        "config": Param({}, type="object", description='overrides, e.g. {"dedup": {"threshold": 0.6}}'),
        "shard_bytes": Param(0, type="integer", minimum=0, description="input bytes per mapped task (0: default)"),
    },
)
def corpus_clean():
    @task
    def plan() -> str:
        from pipeline.tasks import plan_task

        return plan_task(dict(get_current_context()["params"]))["plan"]

    @task
    def shard_indices(plan_path: str) -> list[int]:
        from pipeline.tasks import shard_indices

        return shard_indices(plan_path)

    @task
    def partition_indices(plan_path: str) -> list[int]:
        from pipeline.tasks import partition_indices

        return partition_indices(plan_path)

    @task(max_active_tis_per_dagrun=16)
    def map_shard(plan_path: str, shard: int) -> dict:
        from pipeline.tasks import map_task

        return map_task(plan_path, shard)

    @task
    def dedup_partition(plan_path: str, partition: int) -> str:
        from pipeline.tasks import dedup_partition_task

        return dedup_partition_task(plan_path, partition)

    @task
    def dedup_union(plan_path: str) -> dict:
        from pipeline.tasks import dedup_union_task

        return dedup_union_task(plan_path)

    @task
    def write_shard(plan_path: str, shard: int) -> dict:
        from pipeline.tasks import write_task

        return write_task(plan_path, shard)

    @task(outlets=[CLEAN_ASSET])
    def publish(plan_path: str) -> dict:
        from pipeline.tasks import publish_task

        summary = publish_task(plan_path)
        get_current_context()["outlet_events"][CLEAN_ASSET].extra = summary
        return summary

    plan_path = plan()
    shards = shard_indices(plan_path)
    mapped = map_shard.partial(plan_path=plan_path).expand(shard=shards)
    edges = dedup_partition.partial(plan_path=plan_path).expand(partition=partition_indices(plan_path))
    union = dedup_union(plan_path)
    written = write_shard.partial(plan_path=plan_path).expand(shard=shards)
    mapped >> edges >> union >> written >> publish(plan_path)


corpus_clean()
