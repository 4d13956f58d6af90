"""Inputs, output and index on an object store: a real S3 API on localhost (moto's server mode, started here),
the same results as on a local disk, the manifest as the commit point, no credentials in anything written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench.common import start_local_s3
from pipeline.config import Config
from pipeline.runner import run

from .conftest import ROOT, SAMPLE

ACCESS_KEY = "AKIDTESTONLY4PIPELINE"
SECRET_KEY = "s3cr3t-never-written-anywhere-7f2a"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """An S3 endpoint on localhost; yields an s3fs filesystem. Skips when moto or s3fs is missing."""
    try:
        server, env = start_local_s3(ACCESS_KEY, SECRET_KEY)
    except RuntimeError as exc:
        pytest.skip(f"object-store tests: {exc}")
    import s3fs

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    try:
        yield fs
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def bucket(s3, tmp_path, monkeypatch, request):
    name = "b" + str(abs(hash(request.node.name)) % 10**10)
    s3.mkdir(name)
    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "staging"))
    yield name
    s3.rm(name, recursive=True)


def _rows(folder: Path, key: str, columns: list[str]) -> list[tuple]:
    manifest = json.loads((folder / "manifest.json").read_text())
    rows = []
    for shard in manifest[key]:
        rows += [tuple(r[c] for c in columns) for r in pq.read_table(folder / shard["path"], columns=columns).to_pylist()]
    return sorted(rows)


def _fetch(s3, url: str, local: Path) -> Path:
    """The published corpus as a reader of the store gets it: the manifest, then the files it lists."""
    shutil.rmtree(local, ignore_errors=True)
    local.mkdir(parents=True)
    root = url.removeprefix("s3://")
    manifest = json.loads(s3.cat_file(f"{root}/manifest.json"))
    (local / "manifest.json").write_text(json.dumps(manifest))
    for shard in manifest["shards"] + manifest["rejected"]:
        (local / shard["path"]).parent.mkdir(parents=True, exist_ok=True)
        s3.get_file(f"{root}/{shard['path']}", str(local / shard["path"]))
    return local


def _unlisted(s3, url: str) -> list[str]:
    root = url.removeprefix("s3://")
    manifest = json.loads(s3.cat_file(f"{root}/manifest.json"))
    listed = {s["path"] for s in manifest["shards"] + manifest["rejected"]}
    s3.invalidate_cache()
    stored = {p.removeprefix(root + "/") for p in s3.find(root)}
    return sorted(p for p in stored if p.startswith(("data/", "rejected/")) and p not in listed)


def _same_corpus(a: Path, b: Path) -> None:
    assert _rows(a, "shards", ["id", "source", "text", "lang"]) == _rows(b, "shards", ["id", "source", "text", "lang"])
    assert _rows(a, "rejected", ["id", "source", "reason"]) == _rows(b, "rejected", ["id", "source", "reason"])


def test_store_to_store_run_equals_the_local_run(s3, bucket, tmp_path):
    s3.put(str(SAMPLE) + "/", f"{bucket}/raw/", recursive=True)
    result = run([f"s3://{bucket}/raw"], f"s3://{bucket}/clean", Config(), progress=False)
    assert result.output == f"s3://{bucket}/clean"
    local = run([str(SAMPLE)], tmp_path / "local", Config(), progress=False)
    stored = _fetch(s3, f"s3://{bucket}/clean", tmp_path / "fetched")
    _same_corpus(stored, tmp_path / "local")
    manifest = json.loads((stored / "manifest.json").read_text())
    assert [i["path"] for i in manifest["inputs"]] == [i["path"] for i in local.manifest["inputs"]]
    assert [i["sha256"] for i in manifest["inputs"]] == [i["sha256"] for i in local.manifest["inputs"]]
    assert manifest["input_root"] == f"s3://{bucket}/raw"


def test_incremental_run_on_the_store_equals_a_full_local_run(s3, bucket, tmp_path):
    local_in = tmp_path / "in"
    shutil.copytree(SAMPLE, local_in)
    s3.put(str(local_in) + "/", f"{bucket}/raw/", recursive=True)
    run([f"s3://{bucket}/raw"], f"s3://{bucket}/clean", Config(), progress=False)
    # a night: one file changed, one added, one removed
    changed = (local_in / "gazette_en.txt").read_text() + (
        "\nThe harbour master said on Friday that the new pier lights will be switched on before the first storms "
        "of the winter, and that the fishing fleet has been told where the temporary moorings are.\n")
    (local_in / "gazette_en.txt").write_text(changed)
    s3.pipe_file(f"{bucket}/raw/gazette_en.txt", changed.encode())
    added = ("Residents of the old mill district met the planning committee on Thursday to discuss the new cycle "
             "path, which will run along the canal and connect the station with the market square.\n") * 3
    (local_in / "added.txt").write_text(added)
    s3.pipe_file(f"{bucket}/raw/added.txt", added.encode())
    (local_in / "park_trees.html").unlink()
    s3.rm_file(f"{bucket}/raw/park_trees.html")
    result = run([f"s3://{bucket}/raw"], f"s3://{bucket}/clean", Config(), progress=False, mode="incremental")
    assert result.inputs == {"added": 1, "changed": 1, "removed": 1, "unchanged": 5}
    run([str(local_in)], tmp_path / "full", Config(), progress=False)
    _same_corpus(_fetch(s3, f"s3://{bucket}/clean", tmp_path / "fetched"), tmp_path / "full")
    assert _unlisted(s3, f"s3://{bucket}/clean") == []


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def test_a_run_killed_before_the_commit_leaves_the_published_corpus_and_the_next_run_finishes(s3, bucket, tmp_path):
    s3.put(str(SAMPLE) + "/", f"{bucket}/raw/", recursive=True)
    url = f"s3://{bucket}/clean"
    assert _cli("run", f"s3://{bucket}/raw", "--output", url, "--quiet").returncode == 0
    before = s3.cat_file(f"{bucket}/clean/manifest.json")
    s3.pipe_file(f"{bucket}/raw/added.txt", ("A new bakery opened on the corner of Mill Street and the square on "
                                             "Saturday, and the queue reached the bus stop by nine.\n" * 3).encode())
    killed = _cli("run", f"s3://{bucket}/raw", "--output", url, "--incremental", "--quiet",
                  env={"PIPELINE_CRASH_AT": "store-commit"})
    assert killed.returncode == -9
    s3.invalidate_cache()
    assert s3.cat_file(f"{bucket}/clean/manifest.json") == before  # readers still see the last run, whole
    assert _unlisted(s3, url)  # the new files were uploaded but nothing names them
    assert _cli("run", f"s3://{bucket}/raw", "--output", url, "--incremental", "--quiet").returncode == 0
    assert _unlisted(s3, url) == []
    s3.get(f"{bucket}/raw/", str(tmp_path / "in") + "/", recursive=True)
    run([str(tmp_path / "in")], tmp_path / "full", Config(), progress=False)
    _same_corpus(_fetch(s3, url, tmp_path / "fetched"), tmp_path / "full")


def test_credentials_never_appear_in_what_is_written_or_logged(s3, bucket, tmp_path):
    s3.put(str(SAMPLE) + "/", f"{bucket}/raw/", recursive=True)
    s3.pipe_file(f"{bucket}/pipeline.toml", b"[output]\nreport = true\n")
    result = _cli("run", f"s3://{bucket}/raw", "--output", f"s3://{bucket}/clean",
                  "--config", f"s3://{bucket}/pipeline.toml")
    assert result.returncode == 0, result.stderr[-2000:]
    missing = _cli("run", f"s3://{bucket}/nothing-here", "--output", f"s3://{bucket}/clean2")
    assert missing.returncode == 2 and "input not found: s3://" in missing.stderr
    written = [s3.cat_file(p) for p in s3.find(f"{bucket}/clean") if p.endswith((".json", ".html"))]
    for text in [result.stdout, result.stderr, missing.stdout, missing.stderr,
                 *(w.decode("utf-8", "replace") for w in written)]:
        assert SECRET_KEY not in text and ACCESS_KEY not in text


def test_globs_and_path_lists_on_the_store(s3, bucket, tmp_path):
    s3.put(str(SAMPLE) + "/", f"{bucket}/raw/", recursive=True)
    from pipeline.readers import discover

    root, files = discover([f"s3://{bucket}/raw/*.txt"], with_hash=False)
    assert root == f"s3://{bucket}/raw" and [f.rel for f in files] == ["gazette_en.txt", "library_zh.gb18030.txt"]
    # a list of inputs as Common Crawl publishes them: one path a line, relative to the list's folder, gzipped
    import gzip

    s3.pipe_file(f"{bucket}/lists/warc.paths.gz", gzip.compress(b"../raw/crawl.warc.gz\n../raw/records.jsonl\n"))
    root, files = discover([f"s3://{bucket}/lists/warc.paths.gz"])
    assert [f.rel for f in files] == ["crawl.warc.gz", "records.jsonl"] and all(len(f.sha256) == 64 for f in files)
    result = run([f"s3://{bucket}/lists/warc.paths.gz"], tmp_path / "out", Config(), progress=False)
    assert result.manifest["documents"]["kept"] > 0


def _dag_run_on_separate_machines(params: dict, machines: list[Path], monkeypatch) -> dict:
    """The DAG's tasks in its order, each one on the next 'machine': a staging folder of its own, so nothing
    passes from task to task but through the store."""
    from pipeline import tasks

    turn = iter(range(10**6))

    def next_machine() -> None:
        monkeypatch.setenv("CORPUS_STAGING_DIR", str(machines[next(turn) % len(machines)]))

    next_machine()
    ref = tasks.plan_task(params)["plan"]
    for shard in tasks.shard_indices(ref):
        next_machine()
        tasks.map_task(ref, shard)
    for partition in tasks.partition_indices(ref):
        next_machine()
        tasks.dedup_partition_task(ref, partition)
    next_machine()
    tasks.dedup_union_task(ref)
    for position in tasks.write_indices_task(ref):
        next_machine()
        tasks.write_task(ref, position)
    next_machine()
    return {"plan": ref, **tasks.publish_task(ref)}


def test_dag_tasks_on_machines_that_share_no_disk_equal_the_local_run(s3, bucket, tmp_path, monkeypatch):
    from pipeline import tasks

    s3.put(str(SAMPLE) + "/", f"{bucket}/raw/", recursive=True)
    url = f"s3://{bucket}/clean"
    params = {"input": f"s3://{bucket}/raw", "output": url, "mode": "full", "shard_bytes": 1500}
    machines = [tmp_path / f"machine-{n}" for n in range(3)]
    summary = _dag_run_on_separate_machines(params, machines, monkeypatch)
    assert summary["plan"].startswith(f"{url}/_work/") and summary["output"] == url
    assert summary["manifest"] == f"{url}/manifest.json" and summary["changed"]
    config = tasks.config_from_params(tasks.validate_params({**params, "input": str(SAMPLE)}))
    local = run([str(SAMPLE)], tmp_path / "local", config, progress=False)
    stored = _fetch(s3, url, tmp_path / "fetched")
    manifest = json.loads((stored / "manifest.json").read_text())
    assert len(local.manifest["shards"]) > 1
    assert manifest["shards"] == local.manifest["shards"] and manifest["rejected"] == local.manifest["rejected"]
    _same_corpus(stored, tmp_path / "local")
    s3.invalidate_cache()
    assert not s3.exists(f"{bucket}/clean/_work") and _unlisted(s3, url) == []
    # the next night, nothing changed: the published corpus stays, byte for byte
    before = s3.cat_file(f"{bucket}/clean/manifest.json")
    again = _dag_run_on_separate_machines({**params, "mode": "incremental"}, machines[::-1], monkeypatch)
    assert not again["changed"] and s3.cat_file(f"{bucket}/clean/manifest.json") == before


def test_a_map_task_without_the_planners_local_inputs_says_so(s3, bucket, tmp_path, monkeypatch):
    from pipeline import tasks

    inputs = tmp_path / "planner-only"
    shutil.copytree(SAMPLE, inputs)
    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "m1"))
    ref = tasks.plan_task({"input": str(inputs), "output": f"s3://{bucket}/clean", "mode": "full"})["plan"]
    shutil.rmtree(inputs)  # the worker's machine does not have them
    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path / "m2"))
    with pytest.raises(FileNotFoundError, match="put the inputs on the store too"):
        tasks.map_task(ref, 0)
