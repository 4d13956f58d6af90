"""The kept dataset folder (OUT/data) opens as it is in the Parquet readers downstream projects use, and holds
exactly the manifest's kept rows; the same with language partitions (hive style, `lang=zh/`)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import Config
from pipeline.explain import explain
from pipeline.runner import run

SAMPLE = Path(__file__).resolve().parent.parent.parent / "data" / "raw"


def _manifest_rows(out: Path) -> dict[str, str]:
    """id -> lang of the kept rows, read the manifest-first way (with the partition value where the files
    leave `lang` out)."""
    manifest = json.loads((out / "manifest.json").read_text())
    rows = {}
    for shard in manifest["shards"]:
        table = pq.ParquetFile(out / shard["path"]).read()
        lang = shard.get("partition", {}).get("lang")
        for row in table.select(["id", *([] if lang else ["lang"])]).to_pylist():
            rows[row["id"]] = lang or row["lang"]
    assert len(rows) == manifest["documents"]["kept"] > 0
    return rows


def _run(tmp_path_factory, partitioned: bool) -> Path:
    config = Config()
    config.output.partition_by_language = partitioned
    out = tmp_path_factory.mktemp("partitioned" if partitioned else "flat") / "clean"
    run([str(SAMPLE)], out, config, progress=False)
    return out


@pytest.fixture(scope="module")
def flat_run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, partitioned=False)


@pytest.fixture(scope="module")
def partitioned_run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, partitioned=True)


def _read_with_every_reader(data: Path) -> dict[str, dict[str, str]]:
    """id -> lang as each reader sees the folder, each in the one line README gives."""
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow.dataset as ds

    def pairs(ids, langs) -> dict[str, str]:
        return {str(i): str(lang) for i, lang in zip(ids, langs, strict=True)}

    seen = {}
    table = pq.read_table(data)
    seen["pyarrow.parquet"] = pairs(table["id"].to_pylist(), table["lang"].to_pylist())
    table = ds.dataset(data, format="parquet", partitioning="hive").to_table()
    seen["pyarrow.dataset"] = pairs(table["id"].to_pylist(), table["lang"].to_pylist())
    frame = pd.read_parquet(data)
    seen["pandas"] = pairs(frame["id"], frame["lang"])
    frame = pl.scan_parquet(data).collect()
    seen["polars"] = pairs(frame["id"], frame["lang"])
    rows = duckdb.sql(f"SELECT id, lang FROM read_parquet('{data}/**/*.parquet', hive_partitioning = true)").fetchall()
    seen["duckdb"] = dict(rows)
    return seen


def test_every_reader_opens_the_data_folder_and_gets_the_manifest_rows(flat_run):
    expected = _manifest_rows(flat_run)
    manifest = json.loads((flat_run / "manifest.json").read_text())
    # nothing but the kept shards in the folder: readers open it without a filter
    assert sorted(p.name for p in (flat_run / "data").iterdir()) == sorted(
        Path(s["path"]).name for s in manifest["shards"])
    for reader, rows in _read_with_every_reader(flat_run / "data").items():
        assert rows == expected, reader
    metadata = pq.read_schema(flat_run / manifest["shards"][0]["path"]).metadata
    assert metadata[b"pipeline_version"].decode() == manifest["pipeline_version"] and metadata[b"schema_version"]


def test_language_partitions_read_back_as_the_same_rows_with_lang_from_the_folder(flat_run, partitioned_run):
    expected = _manifest_rows(flat_run)
    assert _manifest_rows(partitioned_run) == expected
    data = partitioned_run / "data"
    folders = sorted(p.name for p in data.iterdir())
    assert folders == sorted({f"lang={lang}" for lang in expected.values()}) and len(folders) >= 2
    for folder in data.iterdir():  # hive layout: the column lives in the folder name only
        assert all("lang" not in pq.read_schema(f).names for f in folder.glob("*.parquet"))
    for reader, rows in _read_with_every_reader(data).items():
        assert rows == expected, reader
    # the project's own tools read the partitioned layout too
    some_id = next(iter(expected))
    assert explain(partitioned_run, doc_id=some_id)["kept"][0]["lang"] == expected[some_id]


def test_switching_partitions_off_rewrites_the_flat_layout_and_removes_the_language_folders(tmp_path):
    out = tmp_path / "clean"
    config = Config()
    config.output.partition_by_language = True
    run([str(SAMPLE)], out, config, progress=False)
    partitioned = _manifest_rows(out)
    config.output.partition_by_language = False
    run([str(SAMPLE)], out, config, progress=False, incremental=True)
    assert all(p.is_file() for p in (out / "data").iterdir())  # no lang=* folder left
    assert _manifest_rows(out) == partitioned
