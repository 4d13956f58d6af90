"""The orchestrator-facing steps: params are checked before any work, and errors that a retry cannot fix
come out as PermanentError (the DAG fails the task without retries)."""

import pytest

from pipeline.tasks import DEFAULT_PARAMS, PermanentError, plan_task, publish_task, validate_params


def test_unknown_param_names_the_valid_ones():
    with pytest.raises(PermanentError, match=r"unknown param\(s\) 'mdoe'; valid params: input, output, mode"):
        validate_params({"mdoe": "full"})


@pytest.mark.parametrize("key, value", [("mode", "fast"), ("shard_bytes", -1), ("shard_bytes", True),
                                        ("input", ""), ("languages", 3), ("config", {"dedup": 1}),
                                        ("max_shrink", 2), ("force", "yes")])
def test_bad_values_are_refused(key, value):
    with pytest.raises(PermanentError, match=f"bad param value.*{key}"):
        validate_params({key: value})


def test_defaults_fill_in():
    assert validate_params({"mode": "append"}) == {**DEFAULT_PARAMS, "mode": "append"}


def test_config_typo_and_refused_runs_are_permanent(tmp_path, sample_dir):
    with pytest.raises(PermanentError, match="unknown key 'treshold'"):
        plan_task({"input": str(sample_dir), "output": str(tmp_path / "o"), "config": {"dedup": {"treshold": 1}}})
    bad = tmp_path / "bad.toml"
    bad.write_text("[dedup\n")
    with pytest.raises(PermanentError, match="not valid TOML"):
        plan_task({"input": str(sample_dir), "output": str(tmp_path / "o"), "config_file": str(bad)})
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PermanentError, match="no input files found"):
        plan_task({"input": str(empty), "output": str(tmp_path / "o")})


def test_a_night_with_nothing_new_leaves_no_work_files(tmp_path, sample_dir):
    out = tmp_path / "out"
    params = {"input": str(sample_dir), "output": str(out), "config": {"output": {"report": False}}}
    publish_task(_run_all(plan_task(params)["plan"]))
    again = plan_task(params)
    summary = publish_task(again["plan"])
    assert summary["changed"] is False and again["shards"] == []
    assert not (out / "_work").exists()


def _run_all(plan_path: str) -> str:
    from pipeline.tasks import (
        dedup_partition_task,
        dedup_union_task,
        map_task,
        partition_indices,
        shard_indices,
        write_indices_task,
        write_task,
    )

    for shard in shard_indices(plan_path):
        map_task(plan_path, shard)
    for partition in partition_indices(plan_path):
        dedup_partition_task(plan_path, partition)
    dedup_union_task(plan_path)
    for position in write_indices_task(plan_path):
        write_task(plan_path, position)
    return plan_path
