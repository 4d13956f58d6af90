"""Runs every benchmark (or only the named ones) and assembles BENCHMARKS.md from bench/results/*.md.

    python bench/run_all.py                 # all benchmarks, then BENCHMARKS.md
    python bench/run_all.py --only html_extraction
    python bench/run_all.py --assemble      # just rebuild BENCHMARKS.md from the stored results
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, ROOT, git_revision, machine, versions  # noqa: E402

# name -> module (each has main(argv) and writes bench/results/<name>.{json,md}); the order of BENCHMARKS.md
BENCHMARKS = ["html_extraction", "html_instructions", "text_dumps", "mixed_dumps", "decode", "language_id", "paragraph_language", "junk", "clean_text", "dedup", "memory", "airflow", "incremental", "scaling", "airflow_scaling", "progress", "not_prose", "storage", "peer", "text_rate"]
MODULES = {"decode": "decode_bench", "paragraph_language": "paragraph_language_bench", "junk": "junk_bench", "airflow": "airflow_bench", "text_dumps": "text_dump_bench", "mixed_dumps": "mixed_dump_bench", "dedup": "dedup_bench", "memory": "memory_bench", "incremental": "incremental_bench", "scaling": "scaling_bench", "airflow_scaling": "airflow_scaling_bench", "clean_text": "clean_text_bench", "progress": "progress_bench", "not_prose": "not_prose_bench", "storage": "storage_bench", "peer": "peer_bench", "text_rate": "text_rate_bench"}  # result name -> module in bench/


def assemble() -> Path:
    m = machine()
    v = versions("corpus-pipeline", "trafilatura", "readability-lxml", "Resiliparse", "ftfy", "charset-normalizer",
                 "langdetect", "lingua-language-detector", "rensa", "datasketch", "pyarrow", "apache-airflow")
    lines = [
        "# Benchmarks",
        "",
        "Regenerate with `python bench/run_all.py` (needs `../shared/eval-data`; each benchmark skips cleanly "
        "without it). Speed is always compared with a baseline measured in the same run, as a ratio: these "
        "machines are noisy, so absolute numbers move between runs.",
        "",
        f"- assembled: {time.strftime('%Y-%m-%d')}, revision {git_revision()}",
        f"- machine (assembly; each section names the machine it was measured on): {m.get('cpu', '?')}, {m.get('cpus')} cores, {m.get('memory_gb', '?')} GB, {m['platform']}, "
        f"Python {m['python']}",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
    ]
    for name in BENCHMARKS:
        md = RESULTS / f"{name}.md"
        if md.exists():
            data = json.loads((RESULTS / f"{name}.json").read_text())
            lines.append(md.read_text().rstrip())
            lines.append("")
            where = data.get("machine") or {}
            on = f" on {where.get('cpu', '?')}, {where.get('cpus', '?')} cores" if where else ""
            lines.append(f"_Measured {data.get('date', '?')} at revision {data.get('revision', '?')}{on}._")
            lines.append("")
    path = ROOT / "BENCHMARKS.md"
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--assemble", action="store_true")
    args = parser.parse_args(argv)
    if not args.assemble:
        for name in (args.only.split(",") if args.only else BENCHMARKS):
            print(f"== {name}", flush=True)
            importlib.import_module(f"bench.{MODULES.get(name, name)}").main([])
    print(assemble())
    return 0


if __name__ == "__main__":
    sys.exit(main())
