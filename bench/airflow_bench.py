"""Airflow overhead: DAG parse time, the DAG vs the CLI on the same data, and an incremental nightly run on
unchanged input vs a full run.

    python bench/airflow_bench.py [--files 300]

The "nightly" corpus is generated here (bench/_work/corpus, not committed): text files assembled from the
sample data's own articles and, when ../shared is present, from gold texts of the extraction sets, with
menus and footers around them, so that the pipeline has real work to do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, WORK, git_revision, load_scrapinghub, machine, versions, write_result  # noqa: E402

MENU = "Home\nNews\nWorld\nBusiness\nSport\nLogin | Register\n"
FOOTER = "Copyright © 2024 Example Media. All rights reserved.\nPrivacy Policy | Terms of Use\n"


def make_corpus(folder: Path, files: int, seed: int = 0) -> int:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    texts = [page.gold for page in load_scrapinghub() if len(page.gold) > 500]
    if not texts:
        rng0 = random.Random(1)
        words = "the of and to in a is that for it as was with on by at from this are be have".split()
        texts = [" ".join(rng0.choice(words) for _ in range(600)) + "." for _ in range(50)]
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        body = "\n\n".join(rng.sample(texts, 3))
        data = (MENU + "\n" + body + "\n\n" + FOOTER).encode()
        (folder / f"page_{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def airflow_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "CORPUS_DATA_DIR": str(ROOT / "data"),
    })
    return env


def python(code: str, env: dict, **values) -> str:
    prelude = "import json, os, time\nV = json.loads(os.environ['BENCH_VALUES'])\n"
    result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                            env={**env, "BENCH_VALUES": json.dumps(values)}, cwd=ROOT, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return result.stdout.strip().splitlines()[-1]


def parse_times(env: dict, repeats: int = 5) -> dict:
    """Seconds to execute the DAG file once Airflow is imported, and to fill a DagBag with the dags folder."""
    own, bag = [], []
    for _ in range(repeats):
        out = python("""
            import runpy
            import airflow.sdk
            t = time.perf_counter(); runpy.run_path(V["file"]); own = time.perf_counter() - t
            from airflow.dag_processing.dagbag import DagBag
            t = time.perf_counter(); DagBag(dag_folder=V["dags"]); bag = time.perf_counter() - t
            print(json.dumps([own, bag]))
        """, env, file=str(ROOT / "dags" / "corpus_clean.py"), dags=str(ROOT / "dags"))
        a, b = json.loads(out)
        own.append(a)
        bag.append(b)
    return {"dag_file_s": statistics.median(own), "dagbag_s": statistics.median(bag)}


def dag_test(env: dict, conf: dict) -> float:
    out = python("""
        from airflow.dag_processing.dagbag import DagBag
        dag = DagBag(dag_folder=V["dags"]).dags["corpus_clean"]
        t = time.perf_counter()
        run = dag.test(run_conf=V["conf"])
        assert run.state == "success", run.state
        print(time.perf_counter() - t)
    """, env, dags=str(ROOT / "dags"), conf=conf)
    return float(out)


def cli_run(inputs: Path, output: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(inputs), "--output", str(output), "--quiet", *extra],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args(argv)
    try:
        import airflow  # noqa: F401
    except ImportError:
        print("skip: apache-airflow not installed")
        return 0
    work = WORK / "airflow"
    shutil.rmtree(work, ignore_errors=True)
    home = work / "home"
    home.mkdir(parents=True)
    env = airflow_env(home)
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env, check=True,
                   capture_output=True)
    results: dict = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
                     "versions": versions("apache-airflow")}
    results["parse"] = parse_times(env)
    print("parse", results["parse"], flush=True)
    sample = ROOT / "data" / "raw"
    results["sample"] = {
        "cli_s": cli_run(sample, work / "sample_cli", "--shard-bytes", "4000"),
        "dag_s": dag_test(env, {"input": str(sample), "output": str(work / "sample_dag"), "mode": "full",
                                "shard_bytes": 4000}),
    }
    print("sample", results["sample"], flush=True)
    corpus = work / "corpus"
    size = make_corpus(corpus, args.files)
    full = cli_run(corpus, work / "nightly_cli")
    nightly = cli_run(corpus, work / "nightly_cli", "--incremental")
    dag_full = dag_test(env, {"input": str(corpus), "output": str(work / "nightly_dag"), "mode": "full"})
    dag_nightly = dag_test(env, {"input": str(corpus), "output": str(work / "nightly_dag"), "mode": "incremental"})
    results["nightly"] = {"files": args.files, "bytes": size, "cli_full_s": full, "cli_incremental_s": nightly,
                          "dag_full_s": dag_full, "dag_incremental_s": dag_nightly}
    print("nightly", results["nightly"], flush=True)
    write_result("airflow", results, render(results))
    return 0


def render(r: dict) -> str:
    s, n, p = r["sample"], r["nightly"], r["parse"]
    return "\n".join([
        "## Airflow",
        "",
        f"- DAG parse: executing `dags/corpus_clean.py` takes {p['dag_file_s'] * 1000:.1f} ms once Airflow is "
        f"imported (median of 5; it imports nothing from the pipeline); filling a DagBag with `dags/` "
        f"{p['dagbag_s'] * 1000:.0f} ms.",
        f"- Sample data (`data/raw`, 4 kB shards so that tasks are mapped): CLI {s['cli_s']:.1f} s, "
        f"`dag.test()` on SQLite {s['dag_s']:.1f} s ({s['dag_s'] / s['cli_s']:.1f}x; Airflow's per-task overhead "
        "dominates on tiny inputs).",
        f"- Nightly re-ingest of {n['files']} generated text files ({n['bytes'] / 1e6:.1f} MB): full run "
        f"{n['cli_full_s']:.1f} s, incremental run on unchanged input {n['cli_incremental_s']:.2f} s "
        f"(**{n['cli_incremental_s'] / n['cli_full_s']:.1%}** of the full run; target <= 2%). Through the DAG: "
        f"full {n['dag_full_s']:.1f} s, incremental {n['dag_incremental_s']:.1f} s "
        f"({n['dag_incremental_s'] / n['dag_full_s']:.1%}; the fixed cost of scheduling eight tasks "
        "remains).",
        "",
        "The CLI times include the interpreter start and imports (about 1.5 s), which an incremental run "
        "cannot avoid either.",
    ])


if __name__ == "__main__":
    sys.exit(main())
