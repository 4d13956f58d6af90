"""The Airflow DAG on a real Celery deployment, one worker against two: speedup over one worker.

    python bench/airflow_scaling_bench.py [--files 200] [--shard-mb 1]

Uses scripts/airflow_distributed_check.py's deployment (PostgreSQL metadata DB, CeleryExecutor with Redis, all
on localhost; it skips without them) in its `--scaling` mode: each Celery worker has one task slot; the DAG
runs on the corpus with worker-1 alone, then with worker-2 back. Seconds are the DAG runs' own (start to end in
the metadata DB). The corpus is incremental_bench's (HTML pages and text dumps, from ../shared/eval-data),
generated into bench/_work/airflow_scaling. The command line on the same corpus, 1 and 2 workers, in the same
session, for comparison.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, WORK, git_revision, machine, versions, write_result  # noqa: E402
from bench.incremental_bench import make_corpus  # noqa: E402
from bench.scaling_bench import cli_run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--shard-mb", type=float, default=1)
    args = parser.parse_args(argv)
    work = WORK / "airflow_scaling"
    corpus = work / "corpus"
    size = make_corpus(corpus, args.files)
    if not size:
        print("skip: ../shared/eval-data not present")
        return 0
    shard_bytes = int(args.shard_mb * 1024 * 1024)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "airflow_distributed_check.py"), "--scaling",
                           str(corpus), "--shard-bytes", str(shard_bytes), "--timeout", "1200"],
                          capture_output=True, text=True, cwd=ROOT)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("SCALING ")), None)
    if line is None:
        if "SKIP" in done.stdout:
            print(done.stdout.strip())
            return 0
        print(done.stdout[-4000:], done.stderr[-2000:])
        return 1
    airflow = json.loads(line.removeprefix("SCALING "))
    one = cli_run(corpus, work / "cli-1", 1, shard_bytes)
    two = cli_run(corpus, work / "cli-2", 2, shard_bytes)
    result = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
              "versions": versions("corpus-pipeline", "apache-airflow", "celery"), "files": args.files,
              "bytes": size, "shard_bytes": shard_bytes, "airflow": airflow,
              "cli": {"one_worker_s": one["wall_s"], "two_workers_s": two["wall_s"],
                      "speedup": round(one["wall_s"] / two["wall_s"], 2), "identical": one["digest"] == two["digest"]}}
    print(json.dumps(result, indent=1))
    write_result("airflow_scaling", result, render(result))
    return 0


def render(r: dict) -> str:
    a, c = r["airflow"], r["cli"]
    return "\n".join([
        "## Scaling on Airflow with Celery: one worker against two",
        "",
        f"{r['files']} files ({r['bytes'] / 1e6:.1f} MB, HTML pages and text dumps), shards of "
        f"{r['shard_bytes'] / 2**20:g} MB ({a['shards']} kept shards, {a['tasks']} task instances): the DAG on "
        "PostgreSQL + CeleryExecutor/Redis on this machine, each worker with one task slot, the run's own seconds "
        "from the metadata DB; the command line on the same corpus in the same session (`bench/airflow_scaling_bench.py`).",
        "",
        "| runner | 1 worker | 2 workers | speedup | output identical |",
        "|---|---|---|---|---|",
        f"| Airflow (Celery) | {a['one_worker_s']:.1f} s | {a['two_workers_s']:.1f} s | **{a['speedup']:.2f}x** | "
        f"{'yes' if a['identical'] else 'NO'} |",
        f"| command line | {c['one_worker_s']:.1f} s | {c['two_workers_s']:.1f} s | **{c['speedup']:.2f}x** | "
        f"{'yes' if c['identical'] else 'NO'} |",
        "",
        "Each Airflow task is a fresh process that imports the pipeline and loads what its step needs, so the DAG "
        "pays a start-up per mapped task that the command line's pool pays once per worker; with more workers on "
        "more machines the map step scales out the same way.",
    ])


if __name__ == "__main__":
    sys.exit(main())
