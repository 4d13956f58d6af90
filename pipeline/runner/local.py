"""The whole run in this process or a local process pool, with progress output."""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from .. import storage
from ..config import Config
from ..corpus import (
    DEFAULT_MAX_SHRINK,
)
from ..writer import read_json
from .dedup_steps import dedup_partition, dedup_union
from .faults import STATS
from .mapping import map_shard
from .plan import RunPlan, plan_run
from .publish import publish
from .remote import publish_to_store
from .segments import segments
from .write import write_indices, write_segment

log = logging.getLogger("pipeline")

@dataclass
class RunResult:
    output: str
    manifest: dict
    stats: dict
    seconds: float
    inputs: dict = field(default_factory=dict)  # added / changed / removed / unchanged input counts
    changed: bool = True  # False: nothing had changed since the last publish, nothing was written


def input_kind(rel: str) -> str:
    """The kind of input a file is, for the cost model of the ETA: bytes of markup, of compressed data and of
    plain text cost very different amounts of work."""
    name = rel.lower()
    packed = name.endswith((".gz", ".bz2", ".xz", ".zst"))
    if packed:
        name = name.rsplit(".", 1)[0]
    suffix = name.rsplit(".", 1)[-1] if "." in name.rsplit("/", 1)[-1] else ""
    kind = {"htm": "html", "html": "html", "xhtml": "html", "mht": "html", "warc": "warc", "wet": "warc",
            "jsonl": "jsonl", "json": "jsonl", "ndjson": "jsonl", "pdf": "pdf", "parquet": "parquet"}.get(suffix, "text")
    return kind + ("+packed" if packed else "")


class _Progress:
    """A tqdm bar on a terminal; plain log lines every few seconds otherwise (Airflow logs, CI). Both show
    documents/s, MB/s and the same ETA, given once a tenth of the input is read.

    The ETA is a cost model learnt during the run, not the share of bytes read: a byte of plain text costs
    several times what a byte of HTML markup does (language ID and line rules run over all of it), so a corpus
    whose dumps sort before its pages gave an ETA 7x too long at 10% (bench/progress_bench.py). Each finished
    file reports its seconds; the remaining bytes of each kind are priced at that kind's seconds per byte so
    far (the slowest file of a kind left out: it carries the imports and model loading), divided by how many
    workers were busy on average, plus the corpus-wide steps after reading at POST_READ of the reading time."""

    LOG_EVERY = 5.0  # seconds between plain progress lines
    ETA_FROM = 0.1  # share of the input read before an ETA is given
    POST_READ = 0.15  # duplicates, template lines, writing and publishing, as a share of the reading time

    def __init__(self, files: list[tuple[str, int]], enabled: bool) -> None:
        self.total = sum(size for _, size in files)
        self.left: dict[str, int] = {}
        for rel, size in files:
            kind = input_kind(rel)
            self.left[kind] = self.left.get(kind, 0) + size
        self.seen: dict[str, list[float]] = {}  # kind -> [bytes, seconds, slowest file's seconds, its bytes]
        self.busy = 0.0  # worker-seconds spent on finished files
        self.done = 0
        self.docs = 0
        self.started = time.time()
        self.last_log = self.started  # the first line after LOG_EVERY seconds: a short run prints none
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            try:  # a terminal that reports no size (a bare pty) would get a bar of width 0
                columns = os.get_terminal_size(sys.stderr.fileno()).columns or 100
            except OSError:
                columns = 100
            self.bar = tqdm(total=self.total, unit="B", unit_scale=True, unit_divisor=1000, desc="reading",
                            ncols=min(columns, 120), smoothing=0, mininterval=0.5, file=sys.stderr,
                            bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B, {rate_fmt}{postfix}")
        self.enabled = enabled

    def update(self, nbytes: int, docs: int, rel: str = "", seconds: float = 0.0) -> None:
        self.done += nbytes
        self.docs += docs
        kind = input_kind(rel)
        self.left[kind] = max(0, self.left.get(kind, 0) - nbytes)
        seen = self.seen.setdefault(kind, [0.0, 0.0, 0.0, 0.0])
        seen[0] += nbytes
        seen[1] += seconds
        if seconds > seen[2]:
            seen[2], seen[3] = seconds, nbytes
        self.busy += seconds
        if self.bar is not None:
            elapsed = max(1e-6, time.time() - self.started)
            self.bar.set_postfix_str(f"{self.docs} docs, {self.docs / elapsed:.0f} docs/s, {self.eta()}",
                                     refresh=False)
            self.bar.update(nbytes)
        elif self.enabled and time.time() - self.last_log >= self.LOG_EVERY:
            self.last_log = time.time()
            log.info("%s", self.line())

    def _seconds_per_byte(self, kind: str) -> float | None:
        seen = self.seen.get(kind)
        if not seen or seen[0] <= 0:
            return None
        nbytes, seconds, slowest, slowest_bytes = seen
        if nbytes - slowest_bytes > 0.2 * nbytes:  # enough left without the slowest file
            return (seconds - slowest) / (nbytes - slowest_bytes)
        return seconds / nbytes

    def eta_seconds(self) -> float | None:
        share = self.done / self.total if self.total else 1.0
        if share < self.ETA_FROM:
            return None
        elapsed = max(1e-6, time.time() - self.started)
        known = [r for r in (self._seconds_per_byte(k) for k in self.seen) if r is not None]
        if not known or self.busy <= 0:  # no timings reported: the average byte rate since the start
            reading_left = elapsed / share - elapsed
        else:
            fallback = sum(known) / len(known)  # a kind not seen yet
            work_left = sum(left * (self._seconds_per_byte(k) or fallback) for k, left in self.left.items())
            parallel = max(1.0, self.busy / elapsed)  # workers busy on average so far
            reading_left = work_left / parallel
        return reading_left + self.POST_READ * (elapsed + reading_left)

    def eta(self) -> str:
        seconds = self.eta_seconds()
        if seconds is None:
            return "ETA after 10% of the input"
        return f"ETA {seconds:.0f}s" if seconds < 120 else f"ETA {seconds / 60:.0f} min"

    def line(self) -> str:
        elapsed = time.time() - self.started
        share = self.done / self.total if self.total else 1.0
        mb_per_s = self.done / 1e6 / max(1e-6, elapsed)
        return (f"read {share:.0%} ({self.docs} documents, {self.docs / max(1e-6, elapsed):.0f} docs/s, "
                f"{mb_per_s:.2f} MB/s, {self.eta()})")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def finish_reading(self) -> None:
        """The bar ends with the read; the corpus-wide steps after it say what they do."""
        self.close()
        if self.enabled:
            log.info("read %d documents in %.1fs; now the corpus-wide steps: duplicates, template lines, then "
                     "writing", self.docs, time.time() - self.started)


def _queue_progress(queue, nbytes: int, docs: int, rel: str, seconds: float) -> None:
    queue.put((nbytes, docs, rel, seconds))


def run(
    inputs: Iterable[str],
    output: str | Path,
    config: Config | None = None,
    workers: int = 1,
    incremental: bool = False,
    progress: bool = True,
    keep_work: bool = False,
    mode: str | None = None,
    force: bool = False,
    allow_empty: bool = False,
    max_shrink: float = DEFAULT_MAX_SHRINK,
) -> RunResult:
    """The whole pipeline in this process (workers=1) or with a process pool (workers>1).

    `mode`: `full` (the default; `incremental=True` is `mode="incremental"`), `incremental` (the input is the
    whole corpus: new and changed files are processed, removed ones retracted) or `append` (the input holds
    new files only: what is published stays). See `corpus` for the guards that `force`, `allow_empty` and
    `max_shrink` relax."""
    started = time.time()
    config = config or Config()
    published_at = None
    if storage.is_remote(str(output)):
        # a corpus on an object store: run in its local mirror, publish to the store at the end (storage.py)
        published_at = str(output)
        output = storage.staging_dir(published_at)
        output.mkdir(parents=True, exist_ok=True)
        storage.pull(published_at, output)
    plan = plan_run(inputs, output, config, incremental=incremental, mode=mode, force=force,
                    allow_empty=allow_empty, max_shrink=max_shrink, published_at=published_at)
    shown = published_at and storage.redact(published_at)
    summary = plan.input_counts
    log.info(
        "%s run, output %s: %d inputs added, %d changed, %d removed, %d unchanged; %d files to process in %d shards",
        plan.mode, plan.output, summary["added"], summary["changed"], summary["removed"], summary["unchanged"],
        len(plan.files), len(plan.shards),
    )
    if plan.nothing_to_do:
        log.info("nothing changed since the last publish (run %s): the published corpus stays as it is",
                 plan.previous_manifest.get("run_key", "") if plan.previous_manifest else "")
        manifest = publish(plan, keep_work=keep_work)
        if published_at:
            publish_to_store(Path(plan.output), published_at)
        stats_path = Path(plan.output) / STATS
        stats = read_json(stats_path) if stats_path.exists() else {}
        return RunResult(shown or plan.output, manifest, stats, time.time() - started, summary, changed=False)
    bar = _Progress([(f["rel"], f["size"]) for f in plan.files], progress)
    try:
        if workers <= 1:
            for spec in plan.shards:
                map_shard(plan, spec.index, bar.update)
            bar.finish_reading()
            for partition in range(config.dedup.band_partitions):
                dedup_partition(plan, partition)
            dedup_union(plan)
            for position in write_indices(plan):
                write_segment(plan, position)
        else:
            _run_pool(plan, workers, bar)
    finally:
        bar.close()
    manifest = publish(plan, keep_work=keep_work)
    if published_at:
        publish_to_store(Path(plan.output), published_at)
    stats = read_json(Path(plan.output) / STATS)
    return RunResult(shown or plan.output, manifest, stats, time.time() - started, summary)


# Up to this many documents (signature rows, published segments included) a pooled run does its dedup steps in
# the main process: about 50 MB of signatures and line hashes at the most
IN_PROCESS_DEDUP_ROWS = 50_000


def signature_rows(plan: RunPlan) -> int:
    """Signature rows of every segment the dedup steps read (from the Parquet footers; rows of retracted
    inputs included)."""
    return sum(pq.read_metadata(path).num_rows for segment in segments(plan) for path in segment.paths("signatures"))


def _run_pool(plan: RunPlan, workers: int, bar: _Progress) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    # One pool per phase. The map and write phases keep their worker processes from task to task: a fresh
    # process per task paid the imports, the language models and the extraction helper again for every shard
    # (two workers were no faster than one on 7 small shards). The pool is shut down after each phase, so what
    # the stages loaded is returned to the system before the dedup steps, which hold the whole corpus's
    # signatures (bench/memory_bench.py); those run in a fresh process each, or in this process on a small
    # corpus (IN_PROCESS_DEDUP_ROWS).
    with ctx.Manager() as manager:
        queue = manager.Queue()
        report = functools.partial(_queue_progress, queue)
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            pending = {pool.submit(map_shard, plan, spec.index, report) for spec in plan.shards}
            while pending:
                finished = {f for f in pending if f.done()}
                while not queue.empty():
                    bar.update(*queue.get())
                for f in finished:
                    f.result()  # re-raise a worker's failure
                pending -= finished
                if pending:
                    time.sleep(0.1)
            while not queue.empty():
                bar.update(*queue.get())
    bar.finish_reading()
    partitions = plan.config_obj.dedup.band_partitions
    if signature_rows(plan) <= IN_PROCESS_DEDUP_ROWS:
        # a small corpus: this process holds no models, and the dedup steps take less time than the five fresh
        # processes they would start (about 0.4 s each, two at a time)
        for partition in range(partitions):
            dedup_partition(plan, partition)
        dedup_union(plan)
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, max_tasks_per_child=1) as pool:
            for f in as_completed([pool.submit(dedup_partition, plan, p) for p in range(partitions)]):
                f.result()
            pool.submit(dedup_union, plan).result()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for f in as_completed([pool.submit(write_segment, plan, i) for i in write_indices(plan)]):
            f.result()
