"""The Airflow DAG: loads, has the intended shape, imports nothing heavy when parsed, and a whole run with
`dag.test()` on SQLite (the embedded default, no server) gives the same shards as the CLI."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"

pytest.importorskip("airflow", reason="apache-airflow not installed (pip install -e '.[test]')")


def _airflow_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "CORPUS_DATA_DIR": str(ROOT / "data"),
    })
    return env


def _python(code: str, env: dict, timeout: int = 600, **values) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter (Airflow reads its settings at import); `values` arrive as V[...]."""
    prelude = "import json, os\nV = json.loads(os.environ['TEST_VALUES'])\n"
    env = {**env, "TEST_VALUES": json.dumps(values)}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory):
    return tmp_path_factory.mktemp("airflow_home")


def test_dagbag_loads_with_the_intended_structure(airflow_home):
    result = _python("""
        import json
        from airflow.dag_processing.dagbag import DagBag
        bag = DagBag(dag_folder=V["dags"])
        dag = bag.dags["corpus_clean"]
        tasks = {t.task_id: t for t in dag.tasks}
        print(json.dumps({
            "errors": {k: v[-300:] for k, v in bag.import_errors.items()},
            "dags": sorted(bag.dags),
            "tasks": sorted(tasks),
            "mapped": sorted(t for t, op in tasks.items() if getattr(op, "is_mapped", False)),
            "schedule": str(dag.schedule),
            "catchup": dag.catchup,
            "params": sorted(dag.params.keys()),
            "retries": tasks["map_shard"].partial_kwargs.get("retries"),
            "backoff": tasks["map_shard"].partial_kwargs.get("retry_exponential_backoff"),
            "upstream_publish": sorted(tasks["publish"].upstream_task_ids),
            "upstream_union": sorted(tasks["dedup_union"].upstream_task_ids),
            "outlets": [a.name for a in tasks["publish"].outlets],
            "consumer_schedule": str(bag.dags["corpus_consumer_example"].schedule),
        }))
    """, _airflow_env(airflow_home), dags=str(DAGS))
    assert result.returncode == 0, result.stderr[-3000:]
    info = json.loads(result.stdout.strip().splitlines()[-1])
    assert info["errors"] == {}
    assert info["dags"] == ["corpus_clean", "corpus_consumer_example"]
    assert info["tasks"] == ["dedup_partition", "dedup_union", "map_shard", "partition_indices", "plan",
                             "publish", "shard_indices", "write_indices", "write_segment"]
    assert info["mapped"] == ["dedup_partition", "map_shard", "write_segment"]
    assert info["schedule"] == "@daily" and info["catchup"] is False
    assert info["params"] == ["allow_empty", "config", "config_file", "force", "input", "languages", "max_shrink",
                              "mode", "output", "shard_bytes"]
    assert info["retries"] == 2 and info["backoff"] is True
    assert "write_segment" in info["upstream_publish"] and "dedup_partition" in info["upstream_union"]
    assert info["outlets"] == ["corpus_clean_shards"]
    assert "corpus_clean_shards" in info["consumer_schedule"]


def test_parsing_the_dag_imports_nothing_heavy(airflow_home):
    result = _python("""
        import runpy, sys
        import airflow.sdk  # Airflow itself is loaded by the parser anyway
        before = set(sys.modules)
        runpy.run_path(V["dag_file"])
        new = set(sys.modules) - before
        heavy = sorted(m for m in new if m.split(".")[0] in
                       {"pipeline", "pyarrow", "trafilatura", "numpy", "pandas", "ftfy", "langdetect", "lxml",
                        "rensa", "matplotlib", "pypdf", "warcio", "readability", "resiliparse"})
        print(heavy)
    """, _airflow_env(airflow_home), dag_file=str(DAGS / "corpus_clean.py"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture(scope="module")
def migrated(airflow_home):
    env = _airflow_env(airflow_home)
    migrate = subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env,
                             capture_output=True, text=True, timeout=600)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    return env


# one DAG run with dag.test() on SQLite; prints the run's state and each task's (state, tries, max tries)
DAG_TEST = """
    from datetime import datetime, timezone
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    dag = DagBag(dag_folder=V["dags"]).dags["corpus_clean"]
    logical = datetime.fromisoformat(V["date"]).replace(tzinfo=timezone.utc) if V.get("date") else None
    result = dag.test(run_conf=V["conf"], **({"logical_date": logical} if logical else {}))
    with create_session() as session:
        tis = session.query(TaskInstance).filter(TaskInstance.run_id == result.run_id).all()
        print("TASKS", json.dumps({t.task_id: [str(t.state), t.try_number, t.max_tries] for t in tis}))
    print("STATE", result.state)
"""


def _dag_test(env: dict, conf: dict, date: str | None = None) -> tuple[str, dict, str]:
    run = _python(DAG_TEST, env, dags=str(DAGS), conf=conf, date=date)
    lines = run.stdout.splitlines()
    state = next((line.split()[1] for line in lines if line.startswith("STATE ")), "")
    tasks = next((json.loads(line[6:]) for line in lines if line.startswith("TASKS ")), {})
    return state, tasks, (run.stdout + run.stderr)[-4000:]


@pytest.mark.slow
def test_bad_params_and_config_typos_fail_at_once_without_retries(migrated, tmp_path):
    for conf in ({"mdoe": "full", "output": str(tmp_path / "o")},
                 {"output": str(tmp_path / "o"), "config": {"dedup": {"treshold": 0.5}}}):
        state, tasks, log = _dag_test(migrated, conf)
        assert state == "failed", log
        assert tasks["plan"][0] == "failed" and tasks["plan"][1:] == [1, 0], (conf, tasks)
        assert set(tasks) == {"plan"} or all(t[0] in ("upstream_failed", "None") for k, t in tasks.items() if k != "plan")
        assert not (tmp_path / "o" / "manifest.json").exists()
    # a value of the wrong type for a declared param: Airflow refuses to create the run at all
    state, tasks, log = _dag_test(migrated, {"output": str(tmp_path / "o"), "shard_bytes": "big"})
    assert state == "" and "Invalid input for param shard_bytes" in log


@pytest.mark.slow
def test_two_nightly_dag_runs_publish_what_two_nightly_cli_runs_do(migrated, tmp_path):
    import shutil

    folder = tmp_path / "in"
    shutil.copytree(ROOT / "data" / "raw", folder)
    dag_out, cli_out = tmp_path / "dag_out", tmp_path / "cli_out"

    def night(date: str) -> dict:
        state, tasks, log = _dag_test(migrated, {"input": str(folder), "output": str(dag_out), "shard_bytes": 4000},
                                      date)
        assert state == "success", log
        cli = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--output", str(cli_out),
                              "--quiet", "--shard-bytes", "4000", "--incremental"], capture_output=True, text=True,
                             cwd=ROOT)
        assert cli.returncode == 0, cli.stderr
        dag_manifest = json.loads((dag_out / "manifest.json").read_text())
        cli_manifest = json.loads((cli_out / "manifest.json").read_text())
        assert dag_manifest == cli_manifest
        for shard in dag_manifest["shards"]:
            assert (dag_out / shard["path"]).read_bytes() == (cli_out / shard["path"]).read_bytes()
        assert not (dag_out / "_work").exists()  # the run's work files are gone, on a no-op night too
        return dag_manifest

    first = night("2026-11-01T02:00:00")
    story = folder / "gazette_en.txt"
    story.write_text(story.read_text(encoding="utf-8").replace("Saturday morning", "Sunday morning"), encoding="utf-8")
    (folder / "minutes.pdf").unlink()
    second = night("2026-11-02T02:00:00")
    assert second["changes"] == {"added": [], "changed": ["gazette_en.txt"], "retracted": ["minutes.pdf"]}
    assert second["run_key"] != first["run_key"]
    third = night("2026-11-03T02:00:00")  # nothing changed
    assert third == second


@pytest.mark.slow
def test_dag_test_on_sqlite_gives_the_cli_shards(migrated, tmp_path):
    env = migrated
    dag_out = tmp_path / "dag_out"
    run = _python("""
        from airflow.dag_processing.dagbag import DagBag
        dag = DagBag(dag_folder=V["dags"]).dags["corpus_clean"]
        result = dag.test(run_conf={"input": V["input"], "output": V["output"], "mode": "full", "shard_bytes": 4000})
        print("STATE", result.state)
    """, env, dags=str(DAGS), input=str(ROOT / "data" / "raw"), output=str(dag_out))
    assert "STATE success" in run.stdout, (run.stdout + run.stderr)[-4000:]
    cli_out = tmp_path / "cli_out"
    cli = subprocess.run([sys.executable, "-m", "pipeline", "run", str(ROOT / "data" / "raw"), "--output",
                          str(cli_out), "--quiet", "--shard-bytes", "4000"], capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 0, cli.stderr
    dag_manifest = json.loads((dag_out / "manifest.json").read_text())
    cli_manifest = json.loads((cli_out / "manifest.json").read_text())
    assert len(dag_manifest["shards"]) > 1  # several mapped shards really ran
    assert dag_manifest["shards"] == cli_manifest["shards"]
    assert dag_manifest["rejected"] == cli_manifest["rejected"]
    for shard in dag_manifest["shards"]:
        assert (dag_out / shard["path"]).read_bytes() == (cli_out / shard["path"]).read_bytes()
