"""A run whose corpus is on an object store, and whose tasks may share no disk.

The command line works in one local mirror of the corpus (`storage.staging_dir`) and publishes it at the end
(`publish_to_store`). The Airflow DAG's tasks may each run on another machine (Celery workers with no shared
volume), so everything they hand to each other goes through the store as well:

- the plan and the work files live under `<output>/_work/<run key>/` on the store; a task fetches what its
  step reads into its own machine's mirror (`open_plan`) and uploads what the step wrote (`push`);
- the Parquet files a write task makes go to the store's `data/` and `rejected/` right away, named by no
  manifest until publish commits one (readers start from the manifest, so they never see them early);
- publish brings its mirror level with the store, publishes there as on a local disk, uploads with the manifest
  last (the commit), then removes what the manifest no longer lists and the run's work files.

A killed task leaves only complete files on the store (each is uploaded whole); the retry, on any machine,
fetches them and carries on, as a local run resumes from its work folder.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path

from .. import storage
from ..config import Config
from .faults import WORK_DIR, crash_point
from .plan import RunPlan, load_plan, plan_run

log = logging.getLogger("pipeline")

PLAN = "plan.json"


def work_url(store: str, run_key: str) -> str:
    return posixpath.join(store.rstrip("/"), WORK_DIR, run_key)


def plan_on_store(inputs: list[str], output_url: str, config: Config, **options) -> tuple[RunPlan, str]:
    """Plan a run whose corpus is published at `output_url`, in this machine's mirror of it; the plan is
    uploaded for the other tasks. Returns the plan and its URL (what the tasks are given)."""
    mirror = storage.staging_dir(output_url)
    mirror.mkdir(parents=True, exist_ok=True)
    storage.pull(output_url, mirror)
    plan = plan_run(inputs, mirror, config, published_at=output_url, **options)
    url = work_url(output_url, Path(plan.work).name)
    storage.push_folder(Path(plan.work), url)
    return plan, posixpath.join(url, PLAN)


def open_plan(ref: str, fetch: bool = True) -> RunPlan:
    """The plan at a local path, or at a URL under a store's `_work/` (see `plan_on_store`), placed in this
    machine's mirror. `fetch`: also fetch the published corpus and the run's work files this mirror lacks (a
    map task reads only its inputs and needs neither)."""
    if not storage.is_remote(ref):
        return load_plan(ref)
    work_prefix = posixpath.dirname(ref)
    store, marker, run_key = work_prefix.rpartition(f"/{WORK_DIR}/")
    if not marker or "/" in run_key or posixpath.basename(ref) != PLAN:
        raise ValueError(f"not the URL of a run's plan (<output>/{WORK_DIR}/<run key>/{PLAN}): {storage.redact(ref)}")
    mirror = storage.staging_dir(store)
    work = mirror / WORK_DIR / run_key
    # the plan is fetched every time: a re-run of the plan task may have rewritten it (force, max_shrink)
    if not storage.fetch_folder(work_prefix, work, names=[PLAN]):
        raise FileNotFoundError(f"no plan at {storage.redact(ref)}: was the run published (and its work files "
                                "removed) already?")
    plan = load_plan(work / PLAN)
    plan.output, plan.work = str(mirror), str(work)
    if fetch:
        storage.pull(store, mirror)
        storage.fetch_folder(work_prefix, work)
    return plan


def push(plan: RunPlan) -> None:
    """After a task's step: the work files and the Parquet files it wrote, to the store (no-op for a plan whose
    corpus is local)."""
    if not plan.store:
        return
    sent = storage.push_folder(Path(plan.work), work_url(plan.store, Path(plan.work).name))
    sent += storage.upload_new(Path(plan.output), plan.store, reports=False)
    log.info("%d files uploaded to %s", sent, storage.redact(plan.store))


def publish_to_store(mirror: Path, url: str) -> None:
    """The published mirror to the store: new files, then the manifest (the commit), then what it no longer
    lists. A crash before the commit leaves the store's previous corpus whole; the next run finishes the job."""
    listed = storage.published_files(url)  # one listing serves the upload and the clean-up
    sent = storage.upload_new(mirror, url, remote=listed)
    crash_point("store-commit")
    storage.commit(mirror, url)
    removed = storage.remove_unlisted(mirror, url, remote=listed)
    log.info("published to %s: %d files uploaded, manifest written, %d files removed", storage.redact(url),
             sent + 1, removed)


def finish_on_store(plan: RunPlan) -> None:
    """After publish ran in this machine's mirror: publish to the store, then remove the work files of this
    run and of any interrupted one (only one DAG run of a corpus is active at a time)."""
    publish_to_store(Path(plan.output), plan.store)
    storage.remove_prefix(posixpath.join(plan.store.rstrip("/"), WORK_DIR))
