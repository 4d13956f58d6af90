"""Streaming at scale: a large generated input set through `python -m pipeline run`, peak RSS and time.

The input (bench/_work/memory/in, not committed) mixes formats as crawls do: JSONL.gz batches, plain text
dumps with menus and footers, gzipped text. Documents are built from sentences of the public gold texts in
../shared (or generated words when it is absent), so every stage has real work to do. The resident memory
of the whole process tree (CLI, its workers and their helpers) is sampled every half second.

    python bench/memory_bench.py [--gigabytes 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, WORK, git_revision, load_scrapinghub, load_zh, machine, write_result  # noqa: E402

MENU = "Home\nNews\nWorld\nBusiness\nSport\nLogin | Register\n"
FOOTER = "Copyright © 2024 Example Media. All rights reserved.\nPrivacy Policy | Terms of Use\n"


def sentence_pool() -> tuple[list[str], list[str]]:
    en, zh = [], []
    for page in load_scrapinghub():
        en.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", page.gold) if len(s.strip()) > 40)
    for page in load_zh():
        zh.extend(s.strip() + "。" for s in page.gold.split("。") if len(s.strip()) > 15)
    if not en:
        rng = random.Random(0)
        words = "the of and to in a is that for it as was with on by at from this are be have".split()
        en = [" ".join(rng.choice(words) for _ in range(15)).capitalize() + "." for _ in range(5000)]
    return en, zh


def document(rng: random.Random, en: list[str], zh: list[str]) -> str:
    pool = zh if zh and rng.random() < 0.3 else en
    paragraphs = []
    for _ in range(rng.randint(3, 9)):
        paragraphs.append(("" if pool is zh else " ").join(rng.sample(pool, rng.randint(2, 5))))
    return "\n\n".join(paragraphs)


def make_input(folder: Path, target_bytes: int, seed: int = 5) -> tuple[int, int]:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    en, zh = sentence_pool()
    rng = random.Random(seed)
    written = files = 0
    batch = 0
    while written < target_bytes:
        kind = rng.random()
        if kind < 0.7:  # a JSONL.gz batch of ~8 MB of text
            lines, size = [], 0
            while size < 8_000_000:
                text = document(rng, en, zh)
                lines.append(json.dumps({"id": f"b{batch}-{len(lines)}", "text": text}, ensure_ascii=False))
                size += len(text.encode())
            path = folder / f"batch_{batch:05d}.jsonl.gz"
            with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as fh:
                fh.write("\n".join(lines) + "\n")
            written += size
        elif kind < 0.9:  # a text dump of a few pages
            text = "\n".join(MENU + document(rng, en, zh) + "\n" + FOOTER for _ in range(rng.randint(1, 4)))
            path = folder / f"dump_{batch:05d}.txt"
            path.write_text(text, encoding="utf-8")
            written += len(text.encode())
        else:
            text = MENU + document(rng, en, zh) + "\n" + FOOTER
            path = folder / f"page_{batch:05d}.txt.gz"
            path.write_bytes(gzip.compress(text.encode(), compresslevel=3))
            written += len(text.encode())
        batch += 1
        files += 1
    return written, files


def measure_input(folder: Path) -> tuple[int, int]:
    """Text bytes and files of an input made earlier by `make_input`, counted as it counts them."""
    text_bytes = files = 0
    for path in sorted(folder.iterdir()):
        files += 1
        if path.name.endswith(".jsonl.gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                text_bytes += sum(len(json.loads(line)["text"].encode()) for line in fh if line.strip())
        elif path.name.endswith(".gz"):
            text_bytes += len(gzip.decompress(path.read_bytes()))
        else:
            text_bytes += path.stat().st_size
    return text_bytes, files


PHASES = ("plan", "map", "dedup", "write", "publish")


def run_phase(output: Path) -> str:
    """Which step of the run is under way, from the step files in OUT/_work (see README: plan -> map -> dedup
    -> write -> publish)."""
    work = next((output / "_work").glob("*/plan.json"), None) if (output / "_work").exists() else None
    if work is None:
        return "publish" if (output / "stats.json").exists() else "plan"
    folder = work.parent
    try:
        shards = len(json.loads(work.read_text())["shards"])
    except (OSError, ValueError, KeyError):
        return "plan"
    if len(list(folder.glob("map-*.json"))) < shards:
        return "map"
    if not (folder / "dedup.json").exists():
        return "dedup"
    if len(list(folder.glob("write-*.json"))) < shards:
        return "write"
    return "publish"


def run_measured(inputs: Path, output: Path, workers: int, fresh: bool = True) -> dict:
    import psutil

    if fresh and output.exists():
        shutil.rmtree(output)
    command = [sys.executable, "-m", "pipeline", "run", str(inputs), "--output", str(output), "--quiet",
               "--workers", str(workers), "--shard-bytes", str(256 * 1024 * 1024)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak_total = peak_single = 0
    phase_peaks: dict[str, float] = {}
    while proc.poll() is None:
        try:
            members = [root] + root.children(recursive=True)
            rss = [m.memory_info().rss for m in members if m.is_running()]
        except psutil.Error:
            rss = []
        if rss:
            peak_total = max(peak_total, sum(rss))
            peak_single = max(peak_single, max(rss))
            phase = run_phase(output)
            phase_peaks[phase] = max(phase_peaks.get(phase, 0), sum(rss) / 2**20)
        time.sleep(0.5)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(err[-3000:])
    stats = json.loads((output / "stats.json").read_text())
    return {"seconds": time.perf_counter() - started, "peak_rss_tree_mb": peak_total / 2**20,
            "peak_rss_process_mb": peak_single / 2**20, "peak_rss_tree_mb_by_phase": phase_peaks,
            "documents_kept": stats["documents_kept"],
            "documents_rejected": stats["documents_rejected"], "stage_seconds": {
                k: v["seconds"] for k, v in stats["stages"].items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", default="memory", help="folder under bench/_work (input and output)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the generated input and the output's finished work (a resumed run)")
    parser.add_argument("--reuse-input", action="store_true",
                        help="use the input generated by an earlier run (same seed and size), if present")
    parser.add_argument("--dry", action="store_true", help="print the result, do not write bench/results")
    parser.add_argument("--earlier-peak-mb", type=float, default=0.0,
                        help="with --resume: peak RSS of the interrupted run's part (sampled by another tool)")
    parser.add_argument("--earlier-seconds", type=float, default=0.0,
                        help="with --resume: wall time of the interrupted run's part")
    args = parser.parse_args(argv)
    work = WORK / args.work
    if (args.resume or args.reuse_input) and (work / "in").exists():
        text_bytes, files = measure_input(work / "in")
    else:
        text_bytes, files = make_input(work / "in", int(args.gigabytes * 1e9))
    on_disk = sum(p.stat().st_size for p in (work / "in").iterdir())
    print(f"input: {files} files, {text_bytes / 1e9:.2f} GB of text ({on_disk / 1e9:.2f} GB on disk)", flush=True)
    result = run_measured(work / "in", work / "out", args.workers, fresh=not args.resume)
    if args.resume:
        result["resumed"] = {"earlier_peak_rss_tree_mb": args.earlier_peak_mb, "earlier_seconds": args.earlier_seconds,
                             "resumed_peak_rss_tree_mb": result["peak_rss_tree_mb"],
                             "resumed_seconds": result["seconds"]}
        result["peak_rss_tree_mb"] = max(result["peak_rss_tree_mb"], args.earlier_peak_mb)
        result["seconds"] += args.earlier_seconds
    result.update({"files": files, "text_bytes": text_bytes, "disk_bytes": on_disk, "workers": args.workers,
                   "machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d")})
    result["mb_per_s"] = text_bytes / 1e6 / result["seconds"]
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1), flush=True)
    if not args.dry:
        write_result("memory", result, render(result))
    shutil.rmtree(work / "out", ignore_errors=True)
    return 0


def render(r: dict) -> str:
    stages = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(r["stage_seconds"].items(), key=lambda kv: -kv[1])[:6])
    return "\n".join([
        "## Streaming and memory",
        "",
        f"{r['files']:,} generated input files, {r['text_bytes'] / 1e9:.2f} GB of text ({r['disk_bytes'] / 1e9:.2f} GB "
        f"on disk: JSONL.gz batches, text dumps, gzipped pages), `python -m pipeline run --workers {r['workers']}`: "
        f"**{r['seconds'] / 60:.1f} min** ({r['mb_per_s']:.2f} MB/s of text), {r['documents_kept']:,} documents "
        f"kept, {r['documents_rejected']:,} rejected. Peak resident memory: **{r['peak_rss_tree_mb']:,.0f} MB for "
        f"the whole process tree** (target <= 2 GB), {r['peak_rss_process_mb']:,.0f} MB for the largest single "
        f"process. Busiest stages (CPU seconds summed over workers): {stages}.",
    ] + ([
        "",
        "Peak for the process tree by step of the run (sampled every 0.5 s): " + ", ".join(
            f"{phase} {r['peak_rss_tree_mb_by_phase'][phase]:,.0f} MB" for phase in PHASES
            if phase in r["peak_rss_tree_mb_by_phase"]) + ".",
    ] if r.get("peak_rss_tree_mb_by_phase") else []) + ([
        "",
        f"This run was resumed: the first part (the per-shard stages, {r['resumed']['earlier_seconds'] / 60:.0f} min, "
        f"peak {r['resumed']['earlier_peak_rss_tree_mb']:,.0f} MB for the tree, sampled every 5 s over most of it) ran at an earlier "
        "revision and was stopped once every shard was done; the rerun skipped the finished shards and did dedup, "
        f"writing and publishing ({r['resumed']['resumed_seconds'] / 60:.1f} min, peak "
        f"{r['resumed']['resumed_peak_rss_tree_mb']:,.0f} MB). The per-shard stages did not change between the two "
        "revisions except that each task now runs in a fresh process, which can only lower their memory. Time "
        "includes other work on the same 2 cores during the first part.",
    ] if r.get("resumed") else []))


if __name__ == "__main__":
    sys.exit(main())
