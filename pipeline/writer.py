"""Parquet shards (size-rotated, atomic), JSON files written atomically, and the run manifest.

Every file is written under a temporary name in the same directory and renamed when complete, so a
crash never leaves a half-written file under a final name. Output bytes depend only on the rows and the
settings (no timestamps), so the same input gives byte-identical shards.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .config import OutputConfig


@dataclass
class ShardInfo:
    path: str  # relative to the output directory
    rows: int
    bytes: int
    sha256: str


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(directory: str | Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_json(path: str | Path, obj) -> None:
    # insertion order is kept (no sort_keys): writers build dicts in a deterministic, meaningful order
    try:
        data = (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode()
    except UnicodeEncodeError:
        # file paths with bytes that are not UTF-8 (surrogate escapes): \u-escape them, json round-trips it
        data = (json.dumps(obj, indent=2, ensure_ascii=True) + "\n").encode()
    atomic_write_bytes(path, data)


def read_json(path: str | Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _row_bytes(row: dict) -> int:
    text = row.get("text") or ""
    return len(text.encode("utf-8", "surrogatepass")) + 512


class ShardWriter:
    """Writes rows to `<dir>/<prefix>-NNN.parquet`, starting a new file past `shard_max_bytes`."""

    def __init__(self, directory: str | Path, prefix: str, schema: pa.Schema, config: OutputConfig):
        self.directory = Path(directory)
        self.prefix = prefix
        self.schema = schema
        self.config = config
        self.shards: list[ShardInfo] = []
        self._writer: pq.ParquetWriter | None = None
        self._tmp: Path | None = None
        self._final: Path | None = None
        self._rows = 0
        self._bytes = 0
        self._buffer: list[dict] = []
        self._buffer_bytes = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        index = len(self.shards)
        self._final = self.directory / f"{self.prefix}-{index:03d}.parquet"
        self._tmp = self._final.with_name(f".{self._final.name}.tmp-{os.getpid()}")
        compression = None if self.config.compression == "none" else self.config.compression
        level = self.config.compression_level if compression in ("zstd", "gzip") else None
        self._writer = pq.ParquetWriter(
            self._tmp, self.schema, compression=compression, compression_level=level, write_statistics=True
        )
        self._rows = 0
        self._bytes = 0

    def write(self, row: dict) -> None:
        size = _row_bytes(row)
        if (
            self._writer is not None
            and self._bytes + self._buffer_bytes + size > self.config.shard_max_bytes
            and (self._rows or self._buffer)
        ):
            self._close_current()
        if self._writer is None:
            self._open()
        self._buffer.append(row)
        self._buffer_bytes += size
        if len(self._buffer) >= self.config.row_group_rows or self._buffer_bytes >= 64 * 1024 * 1024:
            self._flush()

    def write_many(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.write(row)

    def _flush(self) -> None:
        if not self._buffer:
            return
        assert self._writer is not None
        table = pa.Table.from_pylist(self._buffer, schema=self.schema)
        self._writer.write_table(table, row_group_size=self.config.row_group_rows)
        self._rows += len(self._buffer)
        self._bytes += self._buffer_bytes
        self._buffer = []
        self._buffer_bytes = 0

    def _close_current(self) -> None:
        self._flush()
        assert self._writer is not None and self._tmp is not None and self._final is not None
        self._writer.close()
        with open(self._tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self._tmp, self._final)
        _fsync_dir(self.directory)
        self.shards.append(
            ShardInfo(
                path=str(self._final),
                rows=self._rows,
                bytes=self._final.stat().st_size,
                sha256=sha256_file(self._final),
            )
        )
        self._writer = None

    def close(self) -> list[ShardInfo]:
        if self._writer is not None:
            self._close_current()
        return self.shards

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                if self._tmp is not None and self._tmp.exists():
                    self._tmp.unlink()
            self._writer = None


def write_table(path: str | Path, table: pa.Table, config: OutputConfig | None = None) -> None:
    """One whole table to one Parquet file, atomically (for intermediate and index files)."""
    write_tables(path, table.schema, [table], config)


def write_tables(
    path: str | Path, schema: pa.Schema, tables: Iterable[pa.Table], config: OutputConfig | None = None
) -> None:
    """Tables streamed one after the other into one Parquet file, atomically: memory stays at one table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    compression = "zstd" if config is None or config.compression == "none" else config.compression
    with pq.ParquetWriter(tmp, schema, compression=compression) as writer:
        for table in tables:
            writer.write_table(table)
    os.replace(tmp, path)
