"""Runs the DAG on a real distributed Airflow: PostgreSQL metadata DB, CeleryExecutor with Redis,
api-server, scheduler, dag-processor, triggerer and two Celery workers, all on localhost.

    python scripts/airflow_distributed_check.py [--timeout 420]

Two DAG runs: one over a folder that every worker sees (the compose file's shared volume), one with input and
output on an S3 endpoint (moto's server, started here) while each worker has a working directory and a staging
folder of its own, so no data passes between tasks but through the store. Checks that each run succeeds, that
mapped tasks ran on both workers, and that the shards equal those of `python -m pipeline run` on the same input. Every process it starts is stopped (by PID, with its process
group) at the end, and its temporary database is dropped. Exits 0 with a message, doing nothing, when
PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) does not answer.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 7  # a database of our own, flushed at the end


def answers(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg(sql: str, database: str = "postgres", fetch: bool = False):
    import psycopg2

    conn = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname=database)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if fetch else None
    finally:
        conn.close()


class Processes:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict, cwd: Path = ROOT) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=cwd)
        self.started.append((name, proc))
        print(f"  started {name} (pid {proc.pid})", flush=True)

    def check_alive(self) -> None:
        for name, proc in self.started:
            if proc.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")

    def stop(self, name: str) -> None:
        """Stop one process (and its group) and forget it."""
        for entry in [e for e in self.started if e[0] == name]:
            _, proc = entry
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            self.started.remove(entry)

    def stop_all(self) -> None:
        for _, proc in self.started:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 20
        for name, proc in self.started:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group: task processes forked by the workers too
            except ProcessLookupError:
                pass
            proc.wait()
            print(f"  stopped {name} (pid {proc.pid})", flush=True)


def airflow(args: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


class Deployment:
    """The Airflow processes, and how to run the DAG on them and read the result."""

    def __init__(self, env: dict, database: str, procs: Processes, timeout: int) -> None:
        self.env, self.database, self.procs, self.timeout = env, database, procs, timeout

    def run_seconds(self, run_id: str) -> float:
        """The run's own duration (start to end in the metadata DB: not the wait for an earlier run)."""
        rows = pg(f"SELECT EXTRACT(EPOCH FROM end_date - start_date) FROM dag_run WHERE dag_id = 'corpus_clean' "
                  f"AND run_id = '{run_id}'", self.database, fetch=True)
        return float(rows[0][0])

    def run_dag(self, run_id: str, conf: dict, workers: tuple[str, ...] = ("worker-1", "worker-2")) -> set[str]:
        """Trigger, wait for success; returns the hosts the mapped tasks ran on (all of `workers`, or it raises)."""
        trigger = airflow(["dags", "trigger", "corpus_clean", "--run-id", run_id, "--conf", json.dumps(conf)],
                          self.env)
        if trigger.returncode != 0:
            raise RuntimeError("trigger failed:\n" + trigger.stdout[-2000:] + trigger.stderr[-2000:])
        print(f"== triggered {run_id}; waiting for the run", flush=True)
        started = time.time()
        state = None
        while time.time() - started < self.timeout:
            self.procs.check_alive()
            rows = pg(f"SELECT state FROM dag_run WHERE dag_id = 'corpus_clean' AND run_id = '{run_id}'",
                      self.database, fetch=True)
            state = rows[0][0] if rows else None
            if state in ("success", "failed"):
                break
            time.sleep(3)
        print(f"== {run_id}: state {state} after {time.time() - started:.0f}s", flush=True)
        tasks = pg("SELECT task_id, map_index, state, hostname FROM task_instance WHERE dag_id = 'corpus_clean' "
                   f"AND run_id = '{run_id}' ORDER BY task_id, map_index", self.database, fetch=True)
        for row in tasks:
            print("   ", *row)
        if state != "success":
            raise RuntimeError(f"DAG run {run_id} ended in state {state}")
        mapped_hosts = {host for task, index, _, host in tasks if index >= 0}
        if not set(workers) <= mapped_hosts:
            raise RuntimeError(f"{run_id}: mapped tasks did not run on both workers: {sorted(mapped_hosts)}")
        return mapped_hosts


def scaling(deployment: Deployment, inputs: Path, work: Path, shard_bytes: int, worker_args: list[str],
            worker_env: dict) -> int:
    """The DAG on `inputs` with worker-1 alone, then with worker-2 back (one task slot each): JSON on stdout."""
    conf = {"input": str(inputs), "mode": "full", "shard_bytes": shard_bytes, "languages": []}  # []: keep all
    deployment.procs.stop("worker-2")
    deployment.run_dag("scaling_one", {**conf, "output": str(work / "out-one")}, workers=("worker-1",))
    one = deployment.run_seconds("scaling_one")
    worker_env = {**worker_env, "CI_WORKER_NAME": "worker-2"}
    deployment.procs.start("worker-2", worker_args, worker_env, cwd=work / "worker-2")
    time.sleep(10)  # the worker connects to the broker
    deployment.run_dag("scaling_two", {**conf, "output": str(work / "out-two")})
    two = deployment.run_seconds("scaling_two")
    manifests = [json.loads((work / f"out-{n}" / "manifest.json").read_text()) for n in ("one", "two")]
    identical = manifests[0]["shards"] == manifests[1]["shards"]
    tasks = pg("SELECT count(*) FROM task_instance WHERE dag_id = 'corpus_clean' AND run_id = 'scaling_two'",
               deployment.database, fetch=True)[0][0]
    print("SCALING " + json.dumps({"one_worker_s": round(one, 1), "two_workers_s": round(two, 1),
                                   "speedup": round(one / two, 2), "identical": identical, "tasks": tasks,
                                   "shards": len(manifests[0]["shards"])}), flush=True)
    return 0 if identical else 1


def same_shards(dag_manifest: dict, cli_manifest: dict, what: str) -> None:
    if dag_manifest["shards"] != cli_manifest["shards"] or dag_manifest["rejected"] != cli_manifest["rejected"]:
        raise RuntimeError(f"the {what} shards differ from the CLI's")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=420, help="seconds to wait for each DAG run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) afterwards")
    parser.add_argument("--scaling", metavar="INPUT",
                        help="instead of the checks: run the DAG on INPUT with one Celery worker, then two (one task "
                        "slot each), and print the seconds as JSON (bench/airflow_scaling_bench.py)")
    parser.add_argument("--shard-bytes", type=int, default=2 << 20, help="with --scaling: the DAG's shard_bytes")
    args = parser.parse_args(argv)
    if not answers(PG) or not answers(REDIS):
        print("SKIP distributed Airflow check: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 are "
              "needed and at least one does not answer")
        return 0
    work = Path(tempfile.mkdtemp(prefix="airflow-distributed-"))
    (work / "logs").mkdir()
    database = f"airflow_ci_{os.getpid()}"
    port = free_port()
    sys.path.insert(0, str(ROOT))
    from bench.common import start_local_s3

    try:
        s3_server, s3_env = start_local_s3()
    except RuntimeError as exc:
        print(f"SKIP the object-store variant: {exc}", flush=True)
        s3_server, s3_env = None, {}
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(work / "home"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@{PG[0]}:{PG[1]}/{database}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://postgres@{PG[0]}:{PG[1]}/{database}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "ci_hostname.hostname",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__CORE__MAX_MAP_LENGTH": "1024",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(work / "task-logs"),
        # the DAG's defaults (input and output of a scheduled run, which unpausing the DAG starts) point into the
        # work dir: nothing is written into the checkout's data/
        "CORPUS_DATA_DIR": str(work / "data"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts" / "airflow_ci"), str(ROOT), env.get("PYTHONPATH", "")]),
        **s3_env,
    })
    shutil.copytree(ROOT / "data" / "raw", work / "data" / "raw")
    procs = Processes(work / "logs")
    status = 1
    try:
        print(f"== database {database}, api-server port {port}, work dir {work}", flush=True)
        pg(f'CREATE DATABASE "{database}"')
        migrate = airflow(["db", "migrate"], env, timeout=600)
        if migrate.returncode != 0:
            raise RuntimeError("airflow db migrate failed:\n" + migrate.stdout[-2000:] + migrate.stderr[-2000:])
        procs.start("api-server", [str(BIN / "airflow"), "api-server", "--port", str(port)], env)
        procs.start("scheduler", [str(BIN / "airflow"), "scheduler"], env)
        procs.start("dag-processor", [str(BIN / "airflow"), "dag-processor"], env)
        procs.start("triggerer", [str(BIN / "airflow"), "triggerer"], env)
        for n in (1, 2):
            # each worker has a folder of its own (its working directory, its staging mirror of a corpus on a
            # store): in the object-store run, nothing passes between them but through the store
            home = work / f"worker-{n}"
            home.mkdir()
            worker_env = {**env, "CI_WORKER_NAME": f"worker-{n}", "CORPUS_STAGING_DIR": str(home / "staging")}
            worker_args = [str(BIN / "airflow"), "celery", "worker", "--celery-hostname", f"worker-{n}@%h",
                           "--concurrency", "1" if args.scaling else "2"]
            procs.start(f"worker-{n}", worker_args, worker_env, cwd=home)
        deadline = time.time() + 180
        while not pg("SELECT dag_id FROM dag WHERE dag_id = 'corpus_clean'", database, fetch=True):
            procs.check_alive()
            if time.time() > deadline:
                raise RuntimeError("the dag-processor did not register corpus_clean in time")
            time.sleep(2)
        airflow(["dags", "unpause", "corpus_clean"], env)
        deployment = Deployment(env, database, procs, args.timeout)
        if args.scaling:
            status = scaling(deployment, Path(args.scaling).resolve(), work, args.shard_bytes, worker_args, worker_env)
            return status
        cli_out = work / "cli_out"
        cli = subprocess.run([sys.executable, "-m", "pipeline", "run", str(work / "data" / "raw"), "--output",
                              str(cli_out), "--quiet", "--shard-bytes", "1500"], capture_output=True, text=True,
                             cwd=ROOT)
        if cli.returncode != 0:
            raise RuntimeError("CLI run failed:\n" + cli.stderr[-2000:])
        cli_manifest = json.loads((cli_out / "manifest.json").read_text())

        output = work / "dag_out"
        hosts = deployment.run_dag("distributed_check", {"input": str(work / "data" / "raw"), "output": str(output),
                                                         "mode": "full", "shard_bytes": 1500})
        same_shards(json.loads((output / "manifest.json").read_text()), cli_manifest, "shared-folder DAG run's")
        print(f"OK distributed Airflow run on a shared folder: {len(cli_manifest['shards'])} shards identical to "
              f"the CLI's; mapped tasks ran on {sorted(hosts)}", flush=True)

        if s3_env:
            import s3fs

            os.environ.update(s3_env)
            store = s3fs.S3FileSystem(skip_instance_cache=True)
            store.mkdir("corpus")
            store.put(str(work / "data" / "raw") + "/", "corpus/raw/", recursive=True)
            hosts = deployment.run_dag("distributed_store", {"input": "s3://corpus/raw",
                                                             "output": "s3://corpus/clean", "mode": "full",
                                                             "shard_bytes": 1500})
            store.invalidate_cache()
            same_shards(json.loads(store.cat_file("corpus/clean/manifest.json")), cli_manifest,
                        "object-store DAG run's")
            if store.exists("corpus/clean/_work"):
                raise RuntimeError("the run's work files were left on the store")
            print(f"OK distributed Airflow run through S3, workers sharing no folder: shards identical to the "
                  f"CLI's; mapped tasks ran on {sorted(hosts)}", flush=True)
        status = 0
    except Exception as exc:  # noqa: BLE001 - report, clean up, exit non-zero
        print(f"FAILED distributed Airflow check: {exc}", flush=True)
        for log in sorted((work / "logs").glob("*.log")):
            print(f"--- {log.name} (tail)\n{log.read_text(errors='replace')[-1500:]}")
    finally:
        procs.stop_all()
        if s3_server is not None:
            s3_server.stop()
        try:
            pg(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001
            print(f"  could not drop database {database}: {exc}")
        try:
            import redis

            redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB).flushdb()
        except Exception as exc:  # noqa: BLE001
            print(f"  could not flush redis db {REDIS_DB}: {exc}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
