"""One large input file spread over several shards (its records split into parts): the same rows as one
shard would give, byte-identical for any worker count, and nightly runs that treat the file as one input."""

import json
import random

import pytest

from pipeline.config import Config
from pipeline.runner import run

from ..test_corpus import SENTENCES, _check_consistent, _published


def _export(path, seed: int, records: int = 40) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(records):
            text = " ".join(rng.sample(SENTENCES, 5))
            fh.write(json.dumps({"id": f"r{i}", "text": text}) + "\n")


def _config(shard_bytes: int) -> Config:
    config = Config()
    config.input.shard_bytes = shard_bytes
    config.output.report = False
    return config


def _rows(out):
    _, kept, rejected = _published(out)
    strip = ("dup_cluster",)  # which copy is kept does not depend on the shards; ids and texts must agree
    return ({i: {k: v for k, v in r.items() if k not in strip} for i, r in kept.items()},
            {i: {k: v for k, v in r.items() if k not in strip} for i, r in rejected.items()})


@pytest.mark.slow
def test_a_large_export_is_split_and_gives_the_same_rows(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _export(folder / "export.jsonl", 1)
    (folder / "small.txt").write_text(" ".join(SENTENCES[:6]) + "\n", encoding="utf-8")
    whole = run([str(folder)], tmp_path / "whole", _config(64 << 20), progress=False)
    split = run([str(folder)], tmp_path / "split", _config(4000), progress=False, workers=1)
    assert len(whole.manifest["segments"]) == 1 and len(split.manifest["segments"]) >= 3
    assert _rows(tmp_path / "whole") == _rows(tmp_path / "split")
    entry = next(i for i in split.manifest["inputs"] if i["path"] == "export.jsonl")
    assert len(entry["segments"]) >= 3  # listed once, with every segment that holds a part of it
    two = run([str(folder)], tmp_path / "two", _config(4000), progress=False, workers=2)
    assert [s["sha256"] for s in two.manifest["shards"]] == [s["sha256"] for s in split.manifest["shards"]]
    assert [s["sha256"] for s in two.manifest["rejected"]] == [s["sha256"] for s in split.manifest["rejected"]]


@pytest.mark.slow
def test_nightly_runs_over_a_split_export(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _export(folder / "export.jsonl", 1)
    _export(folder / "other.jsonl", 2, records=10)
    out = tmp_path / "out"
    run([str(folder)], out, _config(4000), progress=False)
    _export(folder / "export.jsonl", 3, records=30)  # a new export: every part of it is replaced
    result = run([str(folder)], out, _config(4000), progress=False, incremental=True, max_shrink=1.0)
    assert result.inputs["changed"] == 1
    _check_consistent(out, folder)
    full = run([str(folder)], tmp_path / "full", _config(4000), progress=False)
    assert set(_rows(out)[0]) | set(_rows(out)[1]) == set(_rows(tmp_path / "full")[0]) | set(_rows(tmp_path / "full")[1])
    assert len(_published(out)[1]) + len(_published(out)[2]) == full.manifest["documents"]["kept"] + \
        full.manifest["documents"]["rejected"]
    (folder / "export.jsonl").unlink()
    run([str(folder)], out, _config(4000), progress=False, incremental=True, max_shrink=1.0)
    _check_consistent(out, folder)
    _, kept, rejected = _published(out)
    assert not [r for r in list(kept.values()) + list(rejected.values()) if r["source"].startswith("export.jsonl")]


def test_progress_counts_each_part_of_a_file_once(tmp_path):
    from pipeline.runner import map_shard, plan_run

    folder = tmp_path / "in"
    folder.mkdir()
    _export(folder / "export.jsonl", 1)
    (folder / "small.txt").write_text(" ".join(SENTENCES[:2]) + "\n", encoding="utf-8")
    plan = plan_run([str(folder)], tmp_path / "out", _config(4000))
    assert any(len(spec.files) > 1 for spec in plan.shards)  # the last part and the small file share a shard
    reported = []
    for spec in plan.shards:
        map_shard(plan, spec.index, lambda nbytes, docs, rel, seconds: reported.append(nbytes))
    total = sum(f["size"] for f in plan.files)
    parts = sum(1 for spec in plan.shards for r in spec.records if r)
    assert parts >= 3 and total - parts <= sum(reported) <= total  # parts' shares, rounded down
