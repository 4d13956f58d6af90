"""Work files through a store (runner/remote.py, storage.py's work-file helpers), on fsspec's in-memory
filesystem: the end-to-end runs against a real S3 API are in tests/test_storage.py."""

from __future__ import annotations

import fsspec
import pytest

from pipeline import storage
from pipeline.runner.remote import open_plan


@pytest.fixture
def memory_store():
    fs = fsspec.filesystem("memory")
    root = "/store-" + str(id(fs))
    yield fs, f"memory://{root}"
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_a_plan_url_must_name_a_runs_plan():
    with pytest.raises(ValueError, match="not the URL of a run's plan"):
        open_plan("s3://bucket/clean/plan.json")
    with pytest.raises(ValueError, match="not the URL of a run's plan"):
        open_plan("s3://bucket/clean/_work/abc/other.json")


def test_a_missing_plan_is_reported(memory_store, tmp_path, monkeypatch):
    _, url = memory_store
    monkeypatch.setenv("CORPUS_STAGING_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="no plan at"):
        open_plan(f"{url}/_work/0123456789abcdef/plan.json")


def test_work_files_go_up_and_come_down_whole(memory_store, tmp_path):
    fs, url = memory_store
    mine = tmp_path / "a"
    (mine / "sub").mkdir(parents=True)
    (mine / "map-1.json").write_text("{}")
    (mine / "sub" / "edges.npy").write_bytes(b"\0" * 10)
    (mine / ".map-2.json.tmp-99").write_text("half")  # a write in progress is not uploaded
    assert storage.push_folder(mine, url) == 2
    assert storage.push_folder(mine, url) == 0  # already there
    theirs = tmp_path / "b"
    assert storage.fetch_folder(url, theirs) == 2
    assert (theirs / "sub" / "edges.npy").read_bytes() == b"\0" * 10
    assert not list(theirs.rglob("*.tmp-*"))
    assert storage.fetch_folder(url, theirs) == 0
    assert storage.fetch_folder(url, theirs, names=["map-1.json"]) == 1  # a named file is fetched again


def test_pull_keeps_files_a_task_of_this_machine_has_not_uploaded_yet(memory_store, tmp_path):
    fs, url = memory_store
    fs.pipe(url.removeprefix("memory://") + "/manifest.json", b"{}")
    mirror = tmp_path / "mirror"
    (mirror / "data").mkdir(parents=True)
    (mirror / "data" / "part-new.parquet").write_bytes(b"PAR1")
    storage.pull(url, mirror)
    assert (mirror / "data" / "part-new.parquet").exists() and (mirror / "manifest.json").read_text() == "{}"
    assert storage.upload_new(mirror, url, reports=False) == 1
