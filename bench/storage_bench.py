"""A run reading from and writing to an S3 endpoint against the same run on local disk, same session.

    python bench/storage_bench.py [--files 300]

The S3 endpoint is moto's server on localhost, started here in this process (the tests use the same): it
measures what the pipeline adds for a store (listing, streamed reads, hashing over the network, the local
mirror and the upload with the manifest last), not a real network. Moto is Python and shares the two cores
with the pipeline, so the ratio is an upper bound of the pipeline's own overhead. Corpus: incremental_bench's
(HTML pages and text dumps, half and half). Each setting runs twice, alternating; the faster is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import WORK, git_revision, machine, start_local_s3, versions, write_result  # noqa: E402
from bench.incremental_bench import make_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args(argv)
    try:
        server, env = start_local_s3("bench", "bench")
    except RuntimeError as exc:
        print(f"skip: {exc}")
        return 0
    import s3fs

    os.environ.update(env)
    from pipeline.config import Config
    from pipeline.runner import run

    work = WORK / "storage"
    shutil.rmtree(work, ignore_errors=True)
    corpus = work / "corpus"
    size = make_corpus(corpus, args.files)
    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    fs.mkdir("bench")
    fs.put(str(corpus) + "/", "bench/raw/", recursive=True)
    os.environ["CORPUS_STAGING_DIR"] = str(work / "staging")
    times: dict[str, list[float]] = {"local": [], "s3": []}
    for attempt in range(2):
        for setting in ("local", "s3"):
            started = time.perf_counter()
            if setting == "local":
                out = work / f"local-{attempt}"
                run([str(corpus)], out, Config(), progress=False)
            else:
                shutil.rmtree(work / "staging", ignore_errors=True)  # a fresh machine: nothing mirrored yet
                run(["s3://bench/raw"], f"s3://bench/clean-{attempt}", Config(), progress=False)
            times[setting].append(time.perf_counter() - started)
            print(setting, attempt, round(times[setting][-1], 1), flush=True)
    server.stop()
    local, remote = min(times["local"]), min(times["s3"])
    lines = ["## Object storage (S3) against local disk", "",
             f"The same full run ({args.files} files, {size / 1e6:.1f} MB, HTML and text dumps) from a local folder to a "
             "local folder, and from `s3://` to `s3://` on moto's S3 server on localhost (in this process: it shares "
             "the cores, so this is an upper bound of the store's overhead), with an empty local mirror. Fastest of "
             "two alternating runs each. `bench/storage_bench.py`.", "",
             "| run | seconds | ratio to local |", "|---|---|---|",
             f"| local -> local | {local:.1f} | 1.00 |", f"| s3 -> s3 | {remote:.1f} | {remote / local:.2f} |"]
    write_result("storage", {"date": time.strftime("%Y-%m-%d"), "revision": git_revision(), "machine": machine(),
                             "versions": versions("corpus-pipeline", "s3fs", "moto"), "files": args.files,
                             "bytes": size, "seconds": times}, "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
