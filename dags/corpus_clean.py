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
from airflow.sdk.exceptions import AirflowFailException

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
        "mode": Param("incremental", enum=["incremental", "append", "full"],
                      description="incremental: the input is the whole corpus (new and changed files processed, "
                      "removed ones retracted); append: the input holds new files only (published ones stay); "
                      "full: everything processed again"),
        "languages": Param(["zh", "en"], type="array", description="languages to keep ([] keeps all)"),
        "config_file": Param("", type="string", description="optional TOML config (see config.example.toml)"),
        "config": Param({}, type="object", description='overrides, e.g. {"dedup": {"threshold": 0.6}}'),
        "shard_bytes": Param(0, type="integer", minimum=0, description="input bytes per mapped task (0: default)"),
        "force": Param(False, type="boolean",
                       description="publish even over a corpus from another input, or past max_shrink"),
        "allow_empty": Param(False, type="boolean", description="publish an empty corpus when the input is empty"),
        "max_shrink": Param(0.5, type="number", minimum=0, maximum=1,
                            description="refuse a run that removes more than this share of the corpus"),
    },
)
def corpus_clean():
    # a bad param, a config typo or a refused run fails at once: a retry would fail the same way
    @task(retries=0)
    def plan() -> str:
        from pipeline.tasks import PermanentError, plan_task

        try:
            return plan_task(dict(get_current_context()["params"]))["plan"]
        except PermanentError as exc:
            raise AirflowFailException(str(exc)) from exc

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

    # "none_failed": on a night with nothing to process the mapped tasks are skipped, and the steps after them
    # still run (publish removes the run's work files)
    @task(trigger_rule="none_failed")
    def dedup_partition(plan_path: str, partition: int) -> str:
        from pipeline.tasks import dedup_partition_task

        return dedup_partition_task(plan_path, partition)

    @task(trigger_rule="none_failed")
    def dedup_union(plan_path: str) -> dict:
        from pipeline.tasks import dedup_union_task

        return dedup_union_task(plan_path)

    @task(trigger_rule="none_failed")
    def write_indices(plan_path: str) -> list[int]:
        from pipeline.tasks import write_indices_task

        return write_indices_task(plan_path)

    @task(trigger_rule="none_failed")
    def write_segment(plan_path: str, position: int) -> dict:
        from pipeline.tasks import write_task

        return write_task(plan_path, position)

    @task(outlets=[CLEAN_ASSET], trigger_rule="none_failed")
    def publish(plan_path: str) -> dict:
        from pipeline.tasks import PermanentError, publish_task

        try:
            summary = publish_task(plan_path)
        except PermanentError as exc:
            raise AirflowFailException(str(exc)) from exc
        get_current_context()["outlet_events"][CLEAN_ASSET].extra = summary
        return summary

    plan_path = plan()
    shards = shard_indices(plan_path)
    mapped = map_shard.partial(plan_path=plan_path).expand(shard=shards)
    edges = dedup_partition.partial(plan_path=plan_path).expand(partition=partition_indices(plan_path))
    union = dedup_union(plan_path)
    # which segments get new output is known only after the union: new shards, and published ones whose
    # inputs or duplicate clusters changed
    positions = write_indices(plan_path)
    written = write_segment.partial(plan_path=plan_path).expand(position=positions)
    mapped >> edges >> union >> positions >> written >> publish(plan_path)


corpus_clean()
