import json
import os

import pyarrow.parquet as pq

from pipeline.config import OutputConfig
from pipeline.document import Document, kept_row
from pipeline.schema import KEPT_SCHEMA
from pipeline.writer import ShardWriter, atomic_write_json, sha256_file


def _rows(n):
    return [kept_row(Document(id=f"{i}", source=f"s{i}", text="word " * 200)) for i in range(n)]


def test_rotation_by_size_and_no_temp_files_left(tmp_path):
    config = OutputConfig(shard_max_bytes=5000, row_group_rows=2)
    writer = ShardWriter(tmp_path, "part", KEPT_SCHEMA, config)
    writer.write_many(_rows(10))
    shards = writer.close()
    assert len(shards) > 2
    assert sum(s.rows for s in shards) == 10
    assert [os.path.basename(s.path) for s in shards][:2] == ["part-000.parquet", "part-001.parquet"]
    assert not [p for p in os.listdir(tmp_path) if "tmp" in p]
    for s in shards:
        assert sha256_file(s.path) == s.sha256
        assert pq.read_schema(s.path).names == KEPT_SCHEMA.names


def test_same_rows_same_bytes(tmp_path):
    config = OutputConfig()
    for name in ("a", "b"):
        w = ShardWriter(tmp_path / name, "part", KEPT_SCHEMA, config)
        w.write_many(_rows(5))
        w.close()
    assert (tmp_path / "a" / "part-000.parquet").read_bytes() == (
        tmp_path / "b" / "part-000.parquet"
    ).read_bytes()


def test_abort_leaves_nothing_under_final_name(tmp_path):
    w = ShardWriter(tmp_path, "part", KEPT_SCHEMA, OutputConfig(row_group_rows=1))
    w.write_many(_rows(3))
    w.abort()
    assert os.listdir(tmp_path) == []


def test_atomic_json(tmp_path):
    atomic_write_json(tmp_path / "m.json", {"b": 1, "a": "中文"})
    assert json.loads((tmp_path / "m.json").read_text()) == {"b": 1, "a": "中文"}
    assert os.listdir(tmp_path) == ["m.json"]
