"""Nightly re-ingest cost: CPU time of an incremental run on unchanged input and on input where 10% of the
files changed, as a share of a full run over the same corpus, measured in the same session.

    python bench/incremental_bench.py [--files 2000] [--changed 0.10]

The corpus is generated here (bench/_work/incremental, not committed): HTML pages from the extraction sets
in ../shared/eval-data (as they are) and text dumps of the visible text of other pages (menus, footers
and all), half and half, so that both the HTML and the text path run. Without ../shared it falls back to text
files assembled from the sample data. A "changed" file gets a new paragraph in the middle. CPU time is user +
system time of the CLI process and everything it started (the extraction helper process included), so the
figures do not depend on how busy this shared machine is; wall-clock seconds are listed beside them. Each
night is measured with the default shard size (the whole corpus is one segment: a changed file makes its
segment's output be written again) and with small shards (many segments, few rewritten).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
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
from bench.text_dump_bench import visible_text  # noqa: E402


def make_corpus(folder: Path, files: int) -> int:
    """Half HTML pages as they are, half text dumps (the visible text of other pages, as a crawler flattens
    them), each page used once while there are pages left: near-duplicate clusters stay small, as in a real
    crawl. Returns the bytes written."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    pages = [p.html for loader in (load_trafilatura_eval, load_scrapinghub, load_zh) for p in loader()
             if len(p.html) > 2000]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in (ROOT / "data" / "raw").glob("*.txt")]
    total = 0
    for i in range(files):
        if pages and i % 2 == 0:
            data = pages[(i // 2) % len(pages)]
            name = f"page_{i:05d}.html"
        else:
            text = visible_text(pages[(i // 2 + len(pages) // 2) % len(pages)]) if pages else texts[i % len(texts)]
            data = text.encode()
            name = f"dump_{i:05d}.txt"
        (folder / name).write_bytes(data)
        total += len(data)
    return total


WORDS = ("river council bridge market school library station harbour museum garden tower street village road "
         "winter summer spring autumn morning evening budget repair plan report letter reader editor figure "
         "number price week month year team club park field farm forest hill lake coast island city town").split()


def change_files(folder: Path, share: float, seed: int = 1) -> int:
    """A new paragraph (different in every file, so that changed files do not become alike) in the middle
    of `share` of the files (in the body of an HTML page)."""
    files = sorted(folder.iterdir())
    rng = random.Random(seed)
    chosen = rng.sample(files, max(1, round(share * len(files))))
    for path in chosen:
        words = " ".join(rng.choice(WORDS) for _ in range(30))
        paragraph = f"Correction to {path.stem}: the {words}."
        data = path.read_bytes()
        if path.suffix == ".html":
            at = data.lower().find(b"</p>")
            at = at + 4 if at >= 0 else len(data) // 2
            data = data[:at] + f"<p>{paragraph}</p>".encode() + data[at:]
        else:
            at = data.find(b"\n\n", len(data) // 2)
            at = at if at >= 0 else len(data)
            data = data[:at] + f"\n\n{paragraph}\n".encode() + data[at:]
        path.write_bytes(data)
    return len(chosen)


def cli_run(inputs: Path, output: Path, *extra: str) -> dict:
    """One CLI run: CPU seconds of it and its descendants, wall seconds, and what its stats say."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # all languages kept: the pages are in many languages, and every document should reach dedup and writing
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(inputs), "--output", str(output), "--quiet",
                    "--no-report", "--languages", "all", *extra], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats = json.loads((output / "stats.json").read_text())
    return {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "run_key": stats["run_key"],
            "kept": stats["documents_kept"], "rejected": stats["documents_rejected"],
            "processed": stats["this_run"]["inputs_processed"],
            "segments_rewritten": stats["dedup"].get("segments_rewritten", 0),
            "segments": len(json.loads((output / "manifest.json").read_text())["segments"])}


def nights(corpus: Path, out: Path, share: float, shard_bytes: int | None) -> dict:
    extra = ["--shard-bytes", str(shard_bytes)] if shard_bytes else []
    full = cli_run(corpus, out, *extra)
    unchanged = cli_run(corpus, out, "--incremental", *extra)
    changed_files = change_files(corpus, share)
    changed = cli_run(corpus, out, "--incremental", *extra)
    refull = cli_run(corpus, out.with_name(out.name + "-full"), *extra)  # full run over the changed input
    return {"shard_bytes": shard_bytes or "default", "full": full, "unchanged": unchanged, "changed": changed,
            "changed_files": changed_files, "full_after_change": refull}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--changed", type=float, default=0.10)
    args = parser.parse_args(argv)
    work = WORK / "incremental"
    shutil.rmtree(work, ignore_errors=True)
    results: dict = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
                     "versions": versions("corpus-pipeline", "trafilatura"), "files": args.files,
                     "changed_share": args.changed, "runs": []}
    for shard_bytes in (None, 1024 * 1024):
        corpus = work / "corpus"
        results["bytes"] = make_corpus(corpus, args.files)
        run = nights(corpus, work / f"out-{shard_bytes or 'default'}", args.changed, shard_bytes)
        print(json.dumps(run), flush=True)
        results["runs"].append(run)
    write_result("incremental", results, render(results))
    return 0


def render(r: dict) -> str:
    lines = [
        "## Nightly re-ingest",
        "",
        f"{r['files']} input files ({r['bytes'] / 1e6:.1f} MB: HTML pages and text dumps; "
        f"{r['runs'][0]['full']['kept']} documents kept, {r['runs'][0]['full']['rejected']} rejected, all languages "
        "kept), `python -m pipeline run --incremental` after a full run. CPU seconds of the CLI and every process it started; the share is "
        "of the full run in the same session (target: unchanged night <= 2%; a night that changes k% of the "
        "files about k% plus dedup against the corpus).",
        "",
        "| shards | segments | full run | unchanged night | share | "
        f"{r['changed_share']:.0%} of files changed | share | segments rewritten | full run after the change |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in r["runs"]:
        full, same, changed, refull = run["full"], run["unchanged"], run["changed"], run["full_after_change"]
        lines.append(
            f"| {'64 MB (default)' if run['shard_bytes'] == 'default' else str(run['shard_bytes'] // 1024) + ' kB'} "
            f"| {full['segments']} | {full['cpu_s']:.1f} s | {same['cpu_s']:.2f} s | **{same['cpu_s'] / full['cpu_s']:.1%}** "
            f"| {changed['cpu_s']:.1f} s ({changed['processed']} files) | **{changed['cpu_s'] / full['cpu_s']:.1%}** "
            f"| {changed['segments_rewritten']} | {refull['cpu_s']:.1f} s |"
        )
    lines += [
        "",
        "The unchanged night hashes every input and reads the manifest, then stops: most of its CPU time is "
        "the interpreter starting and importing the pipeline. A changed night processes the changed files, "
        "re-decides duplicates and repeated lines over the whole corpus from the stored signatures, and "
        "writes the segments whose output changed (with the default shard size the whole corpus is one "
        "segment, so its output is written again).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
