"""HTML stage cost in CPU instructions: our `clean_html` over plain `trafilatura.extract`, counted by valgrind.

Wall-clock ratios on a shared 2-core machine move by 20% or more between consecutive runs of the same code
(bench/html_extraction.py keeps the fastest of several runs for that reason). Instruction counts do not:
the same work gives the same count to within about 0.2%. So this benchmark runs plain trafilatura and ours
over a fixed sample of each set's pages under `valgrind --tool=callgrind` and reports the instruction
ratio, a noise-free stand-in for the CPU-time ratio (it does not see cache misses or memory stalls).

    python bench/html_instructions.py [--pages 40] [--sets a,b]

Each count is one process doing the work minus one doing only the same imports and warm-up, so loading
libraries and models (lingua, trafilatura's settings) is not counted. Ours runs its extractors inline
here; in the pipeline they run in a helper process under a time limit, which costs the page's transfer
over a pipe (wall-clock runs show no measurable difference). Needs valgrind; skips without it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HTML_SETS, RESULTS, git_revision, machine, versions, write_result  # noqa: E402

MODES = ("none", "plain", "ours")  # "none": imports and warm-up only, subtracted from the other two
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def sample_pages(pages: list, count: int) -> tuple[list, object]:
    """Every k-th page (a fixed spread over the set) and one page outside the sample for the warm-up."""
    step = max(1, len(pages) // count)
    chosen = pages[::step][:count]
    names = {page.name for page in chosen}
    warm = next((page for page in reversed(pages) if page.name not in names), chosen[-1])
    return chosen, warm


def work(mode: str, set_name: str, count: int) -> None:
    """Runs inside valgrind: load the sample, warm both code paths up, then run `mode` over the sample."""
    import logging

    logging.disable(logging.CRITICAL)  # trafilatura logs each page it cannot parse
    import trafilatura

    import pipeline
    import pipeline.stages.extract as extract_stage
    from pipeline.stages.decode import decode_bytes

    inline = extract_stage.call_with_timeout
    extract_stage.call_with_timeout = lambda fn, args, timeout, isolate=True: inline(fn, args, timeout, isolate=False)
    chosen, warm = sample_pages(list(HTML_SETS[set_name]()), count)
    trafilatura.extract(warm.html, url=warm.url)
    pipeline.clean_html(warm.html, url=warm.url)
    # the statistical charset path loads its detectors and language models on first use: here, not in a sample page
    decode_bytes(("<p>" + "中文网页的正文内容，用于预热字符集检测。" * 20).encode("gb18030"), is_html=True)
    decode_bytes(("<p>" + "Le café où l'élève a déjà mangé une crème brûlée. " * 20).encode("cp1252"), is_html=True)
    if mode == "plain":
        for page in chosen:
            trafilatura.extract(page.html, url=page.url)
    elif mode == "ours":
        for page in chosen:
            pipeline.clean_html(page.html, url=page.url)


def count_instructions(mode: str, set_name: str, count: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
               "--worker", mode, "--sets", set_name, "--pages", str(count)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # same dict layouts in every run
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    match = COLLECTED.search(done.stderr)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"valgrind run {mode}/{set_name} failed:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="sampled pages per set")
    parser.add_argument("--sets", default=",".join(HTML_SETS))
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        work(args.worker, args.sets, args.pages)
        return 0
    if shutil.which("valgrind") is None:
        print("skip: valgrind is not installed")
        return 0
    sets = {name: len(pages) for name in args.sets.split(",") if (pages := list(HTML_SETS[name]()))}
    if not sets:
        print("no eval data found; nothing written")
        return 0
    jobs = [(mode, name) for name in sets for mode in MODES]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: count_instructions(job[0], job[1], args.pages), jobs), strict=True))
    results: dict = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
                     "versions": versions("trafilatura", "readability-lxml", "Resiliparse", "lxml"),
                     "pages_per_set": args.pages, "minutes": round((time.perf_counter() - started) / 60, 1),
                     "sets": {}}
    for name, total in sets.items():
        sampled = min(args.pages, total)
        plain = counts[("plain", name)] - counts[("none", name)]
        ours = counts[("ours", name)] - counts[("none", name)]
        results["sets"][name] = {"pages": total, "sampled": sampled, "plain_instructions": plain,
                                 "ours_instructions": ours, "ratio": ours / plain}
        print(f"{name:<28} {sampled} pages  plain {plain / 1e9:.2f} G  ours {ours / 1e9:.2f} G  "
              f"ratio {ours / plain:.2f}x", flush=True)
    # every page of a set counts as its sampled pages' mean, so the total stands for all pages of all sets
    scale = {name: row["pages"] / row["sampled"] for name, row in results["sets"].items()}
    plain_all = sum(row["plain_instructions"] * scale[name] for name, row in results["sets"].items())
    ours_all = sum(row["ours_instructions"] * scale[name] for name, row in results["sets"].items())
    results["ratio_all_pages"] = ours_all / plain_all
    print(f"all pages (weighted by set size): ratio {results['ratio_all_pages']:.2f}x")
    results["history"] = earlier_runs(results["revision"])
    write_result("html_instructions", results, render(results))
    return 0


def earlier_runs(revision: str) -> list[dict]:
    """The overall ratio of earlier revisions (from the stored result), so the section shows what changed it."""
    try:
        previous = json.loads((RESULTS / "html_instructions.json").read_text())
    except (OSError, ValueError):
        return []
    history = [run for run in previous.get("history", []) if run["revision"] != revision]
    if previous.get("revision") not in (None, revision):
        history.append({"revision": previous["revision"], "date": previous.get("date"),
                        "pages_per_set": previous.get("pages_per_set"), "ratio": previous["ratio_all_pages"]})
    return history


def render(results: dict) -> str:
    lines = [
        "## HTML stage cost in instructions",
        "",
        "CPU instructions (valgrind callgrind) of `pipeline.clean_html` and of plain `trafilatura.extract(html_bytes)` "
        f"over the same {results['pages_per_set']} pages per set (every k-th page), each minus a run doing only the "
        "imports and warm-up. Unlike wall-clock time on this shared machine, the count repeats to within about "
        "0.2%, so the ratio is the code's, not the machine's. It does not see cache misses or memory stalls; "
        "the wall-clock ratio is in the section above.",
        "",
        "| set | pages (sampled) | plain trafilatura | ours | ours / plain |",
        "|---|---|---|---|---|",
    ]
    for name, row in results["sets"].items():
        lines.append(f"| {name} | {row['pages']} ({row['sampled']}) | {row['plain_instructions'] / 1e9:.2f} G "
                     f"| {row['ours_instructions'] / 1e9:.2f} G | {row['ratio']:.2f}x |")
    lines += ["", f"Over all pages (each set weighted by its size): ours takes **{results['ratio_all_pages']:.2f}x** "
              "the instructions of plain trafilatura (target: at most 1.5x the time)."]
    if results.get("history"):
        lines += ["", "Earlier revisions (same sampling): " + ", ".join(
            f"{run['ratio']:.2f}x at {run['revision']} ({run.get('date') or '?'})" for run in results["history"]) + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
