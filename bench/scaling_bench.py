"""Scaling: one worker against two on one large JSONL export, on one large WARC, and on many small files,
wall-clock speedup and byte-identical output.

    python bench/scaling_bench.py [--records 3000] [--pages 1000] [--files 400] [--shard-mb 2]

The inputs are generated here (bench/_work/scaling, not committed) from the pages in ../shared/eval-data:
a JSONL export of their visible text (one record per page), a WARC of the pages themselves (one gzip member
per record, as crawlers write them), and a folder of HTML pages and text dumps. A large file is planned as
parts of about --shard-mb (record boundaries), so two workers share it. Without ../shared the benchmark
skips. Each configuration runs --rounds times per worker count, alternating 1, 2, 1, 2; the fastest counts.
The machine's own two-process ceiling (the same CPU-only loop in one process and in two at once) is measured
first, in the same session.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    WORK,
    git_revision,
    load_scrapinghub,
    load_trafilatura_eval,
    load_zh,
    machine,
    versions,
    write_result,
)
from bench.incremental_bench import make_corpus  # noqa: E402
from bench.text_dump_bench import visible_text  # noqa: E402


def pages() -> list:
    return [p for loader in (load_trafilatura_eval, load_scrapinghub, load_zh) for p in loader() if len(p.html) > 2000]


def make_jsonl(path: Path, records: int, found: list) -> int:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(records):
            page = found[i % len(found)]
            suffix = f"\n(copy {i // len(found)})" if i >= len(found) else ""
            fh.write(json.dumps({"id": f"p{i}", "url": page.url, "text": visible_text(page.html) + suffix},
                                ensure_ascii=False) + "\n")
    return path.stat().st_size


def make_warc(path: Path, count: int, found: list, url_of=None) -> int:
    """A WARC of `count` response records cycling through `found` (one gzip member per record); `url_of(i,
    page)` names record i (default: the page's own URL)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(count):
            page = found[i % len(found)]
            url = url_of(i, page) if url_of else page.url or f"https://example.org/page/{i}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(page.html), http_headers=headers)
            writer.write_record(record)
    return path.stat().st_size


def cli_run(inputs: Path, output: Path, workers: int, shard_bytes: int) -> dict:
    shutil.rmtree(output, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(inputs), "--output", str(output), "--quiet",
                    "--no-report", "--languages", "all", "--workers", str(workers), "--shard-bytes", str(shard_bytes)],
                   check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    manifest = json.loads((output / "manifest.json").read_text())
    return {"wall_s": round(wall, 2), "segments": len(manifest["segments"]),
            "kept": manifest["documents"]["kept"], "rejected": manifest["documents"]["rejected"],
            "digest": [s["sha256"] for s in manifest["shards"] + manifest["rejected"]]}


def parts_reading(path: Path, shard_bytes: int) -> dict:
    """Reading alone (no stages): every part of one file read from its resume point against every part read
    from the file's start (as before resume points): records parsed and seconds, same session."""
    from pipeline.config import Config
    from pipeline.readers import InputFile, index_records, read_file, work_units

    config = Config()
    entry = InputFile(str(path), path.name, path.stat().st_size, "")
    started = time.perf_counter()
    found = index_records(entry, config)
    plan_s = time.perf_counter() - started
    units = work_units([entry], shard_bytes, lambda f: found)
    out: dict = {"parts": len(units), "records": found.count, "resume_points": len(found.resume),
                 "plan_s": round(plan_s, 2)}
    for name, use_start in (("from_resume_point", True), ("from_file_start", False)):
        started = time.perf_counter()
        delivered = sum(1 for u in units for _ in read_file(entry, config, u.records, u.start if use_start else None))
        parsed = sum(u.records[1] - ((u.start.position if u.start else 0) if use_start else 0) for u in units
                     if u.records)
        out[name] = {"seconds": round(time.perf_counter() - started, 2), "records_parsed": parsed,
                     "records_delivered": delivered}
    return out


def busy_loop(n: int) -> float:
    """CPU-only Python work (no I/O, little memory); returns its own seconds."""
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def machine_ceiling(n: int = 15_000_000, rounds: int = 5) -> dict:
    """What two processes get out of this machine's two cores: the same CPU-only work in one process, then in
    two processes at once (fastest of `rounds` each). On a shared or hyperthreaded VM two busy processes slow
    each other down; a rough guide to what a pipeline run can reach, itself as noisy as the runs."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(busy_loop, [1000, 1000])  # both processes started before timing
        one = min(pool.apply(busy_loop, (n,)) for _ in range(rounds))
        twos = []
        for _ in range(rounds):
            started = time.perf_counter()
            pool.map(busy_loop, [n, n], chunksize=1)
            twos.append(time.perf_counter() - started)
        two = min(twos)
    return {"one_s": round(one, 2), "two_s": round(two, 2), "speedup": round(2 * one / two, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--shard-mb", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="runs per worker count, alternating; the fastest counts")
    args = parser.parse_args(argv)
    found = pages()
    if not found:
        print("skip: ../shared/eval-data not present")
        return 0
    work = WORK / "scaling"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shard_bytes = int(args.shard_mb * 1024 * 1024)
    inputs = {
        "one JSONL export": (work / "export.jsonl", make_jsonl(work / "export.jsonl", args.records, found)),
        "one WARC": (work / "crawl.warc.gz", make_warc(work / "crawl.warc.gz", args.pages, found)),
        "many files": (work / "files", make_corpus(work / "files", args.files)),
    }
    results: dict = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
                     "versions": versions("corpus-pipeline"), "shard_bytes": shard_bytes, "runs": {}, "rounds": args.rounds,
                     "ceiling": machine_ceiling()}
    print("machine ceiling", results["ceiling"], flush=True)
    for name, (path, size) in inputs.items():
        runs: dict[int, list[dict]] = {1: [], 2: []}
        for _ in range(args.rounds):  # alternating, so a slow spell of the machine hits both counts alike
            for workers in (1, 2):
                runs[workers].append(cli_run(path, work / f"out-{workers}", workers, shard_bytes))
        one, two = (min(runs[w], key=lambda r: r["wall_s"]) | {"all_s": [r["wall_s"] for r in runs[w]]}
                    for w in (1, 2))
        run = {"bytes": size, "one": one, "two": two, "speedup": round(one["wall_s"] / two["wall_s"], 2),
               "identical": all(r["digest"] == one["digest"] for w in (1, 2) for r in runs[w])}
        for r in (one, two):
            del r["digest"]
        if path.is_file():
            run["reading"] = parts_reading(path, shard_bytes)
        results["runs"][name] = run
        print(name, json.dumps(run), flush=True)
    write_result("scaling", results, render(results))
    return 0


def render(r: dict) -> str:
    lines = [
        "## Scaling: one worker against two",
        "",
        f"`python -m pipeline run INPUT --workers N --shard-bytes {r['shard_bytes'] // (1024 * 1024)}MB --languages all`, "
        f"wall-clock seconds, fastest of {r.get('rounds', 1)} runs per worker count (run alternately; every run in "
        "brackets); a file larger than a shard is split into parts at record "
        "boundaries, so two workers share one file. Target: at least 1.8x on one large WARC or JSONL, with "
        "byte-identical output.",
        "",
        "| input | size | segments | documents | 1 worker | 2 workers | speedup | output identical |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, run in r["runs"].items():
        one, two = run["one"], run["two"]
        lines.append(f"| {name} | {run['bytes'] / 1e6:.0f} MB | {one['segments']} | {one['kept'] + one['rejected']} "
                     f"| {one['wall_s']:.1f} s ({', '.join(f'{x:.1f}' for x in one.get('all_s', []))}) "
                     f"| {two['wall_s']:.1f} s ({', '.join(f'{x:.1f}' for x in two.get('all_s', []))}) "
                     f"| **{run['speedup']:.2f}x** "
                     f"| {'yes' if run['identical'] else 'NO'} |")
    lines += ["", "Reading alone (no stages), every part of the file: from the resume point before its first record "
              "(planning keeps one about every MB: a JSON line, a WARC record starting a gzip member), against from the "
              "file's start as parts read until 90686f8 (records parsed grow with the square of the parts):", "",
              "| input | parts | resume points | planning | from resume points | from the file's start |",
              "|---|---|---|---|---|---|"]
    for name, run in r["runs"].items():
        if "reading" not in run:
            continue
        rd = run["reading"]
        a, b = rd["from_resume_point"], rd["from_file_start"]
        lines.append(f"| {name} | {rd['parts']} | {rd['resume_points']} | {rd['plan_s']:.2f} s | {a['seconds']:.2f} s, "
                     f"{a['records_parsed']:,} records parsed | {b['seconds']:.2f} s, {b['records_parsed']:,} records "
                     "parsed |")
    ceiling = r.get("ceiling")
    if ceiling:
        lines += ["", f"The machine's own two-process ceiling, measured first in the same session: the same CPU-only "
                  f"Python loop alone ({ceiling['one_s']:.2f} s) and in two processes at once ({ceiling['two_s']:.2f} s) "
                  f"gives **{ceiling['speedup']:.2f}x**. It is a rough guide, not a bound: on this shared VM it read "
                  "1.72x to 1.82x from try to try, and a whole run's time moves by up to 20% (the runs in brackets)."]
    lines += ["", "This machine has 2 cores: 2 workers is its ceiling. What a run with two workers pays that one "
              "worker does not: each worker process starts by importing the stages and loading the language models "
              "and the extraction helper (about 4 s before its first documents), the last round of the pool may have "
              "one shard on one worker (many small files: 13 segments), and the write step runs in fresh processes. "
              "The dedup steps run in fresh processes on a corpus of more than 50,000 documents (so that their memory "
              "goes back to the system, bench/memory_bench.py) and, since 2026-12-03, in the main process below that: "
              "on the WARC with two workers, the previous revision and this one alternating, 40.0 and 41.0 s against "
              "38.8 and 39.3 s (the steps after reading 4.8 s -> 3.1 s). Planning reads a large file once to count "
              "its records (a gzip file once more for its member offsets)."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
