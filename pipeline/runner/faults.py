"""Fault injection for the crash-safety tests, and the names of the run's files."""

from __future__ import annotations

import os

WORK_DIR = "_work"
CRASH_ENV = "PIPELINE_CRASH_AT"


def crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: SIGKILL this process at the named point when
    PIPELINE_CRASH_AT names it (e.g. `map-done:0`, `write-rename:1`, `publish-manifest`). No-op otherwise."""
    if os.environ.get(CRASH_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


STATS = "stats.json"
# the kept shards live in a folder of their own, which Parquet readers open as it is (pyarrow, pandas, polars,
# DuckDB, Spark): the manifest, stats, report, rejected rows and the segment index sit beside it
DATA_DIR = "data"
