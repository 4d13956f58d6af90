"""Example downstream DAG: runs whenever corpus_clean publishes, and reads the fresh shards with pyarrow."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from airflow.sdk import Asset, dag, get_current_context, task

# the asset corpus_clean publishes (same name and URI as in corpus_clean.py)
DATA_DIR = Path(os.environ.get("CORPUS_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))
CLEAN_OUTPUT = str(DATA_DIR / "clean")
CLEAN_ASSET = Asset(name="corpus_clean_shards", uri=f"file://{CLEAN_OUTPUT}")


@dag(dag_id="corpus_consumer_example", schedule=[CLEAN_ASSET], start_date=datetime(2024, 1, 1), catchup=False,
     tags=["corpus", "example"])
def corpus_consumer_example():
    @task
    def count_by_language() -> dict:
        import json
        from collections import Counter
        from pathlib import Path

        import pyarrow.parquet as pq

        output = CLEAN_OUTPUT
        for event in get_current_context().get("triggering_asset_events", {}).get(CLEAN_ASSET, []):
            output = (event.extra or {}).get("output", output)  # the publishing run says where it wrote
        manifest = json.loads((Path(output) / "manifest.json").read_text())
        languages: Counter = Counter()
        for shard in manifest["shards"]:
            if "partition" in shard:  # [output] partition_by_language: one language per file, in its folder
                languages[shard["partition"]["lang"]] += shard["rows"]
                continue
            table = pq.read_table(Path(output) / shard["path"], columns=["lang"])
            languages.update(table.column("lang").to_pylist())
        print(f"{sum(languages.values())} documents by language: {dict(languages)}")
        return dict(languages)

    count_by_language()


corpus_consumer_example()
