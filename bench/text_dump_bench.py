"""Plain-text dumps: boilerplate removal where a crawler already flattened each page into lines.

Dumps are made from the HTML pages in ../shared/eval-data: the visible text of each page, one block per
line (scripts and styles dropped), three pages concatenated per file, as our seeds look. The pipeline runs
on the folder of dumps (the text path: page splitting, junk, line rules, cross-document templates; language
and duplicate filters off, so that only boilerplate removal is measured), and the kept text of each dump
is scored against the concatenated gold texts of its pages. Baselines: keep everything, and a C4-style line
filter (keep lines that end in terminal punctuation and have at least 3 words; CJK: end in 。！？ and have
at least 10 characters; drop lines with "javascript", "cookie", "lorem ipsum" or curly braces).

    python bench/text_dump_bench.py
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    WORK,
    f1,
    git_revision,
    load_cleaneval,
    load_readability,
    load_scrapinghub,
    load_zh,
    machine,
    page_half,
    precision_recall,
    write_result,
)

PAGES_PER_DUMP = 3


def visible_text(html: bytes) -> str:
    from pipeline.extract.extractors import html_fragment_to_text
    from pipeline.stages.decode import decode_bytes

    text = decode_bytes(html, is_html=True).text
    text = re.sub(r"(?is)<(script|style|noscript)[^>]*>.*?</\1>", " ", text)
    return html_fragment_to_text(text)


TERMINAL = re.compile(r"[.!?\"”'’)]\s*$")
CJK_TERMINAL = re.compile(r"[。！？”」』)）]\s*$")
CJK = re.compile(r"[\u3400-\u9fff]")
BAD = re.compile(r"javascript|cookie|lorem ipsum|[{}]", re.IGNORECASE)


def c4_filter(text: str) -> str:
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or BAD.search(stripped):
            continue
        if len(CJK.findall(stripped)) > 0.3 * len(stripped):
            if CJK_TERMINAL.search(stripped) and len(stripped) >= 10:
                kept.append(stripped)
        elif TERMINAL.search(stripped) and len(stripped.split()) >= 3:
            kept.append(stripped)
    return "\n".join(kept)


def build_dumps(folder: Path) -> dict[str, dict]:
    """{file name: {"language": en|zh, "half": tune|check, "gold": concatenated gold, "text": the dump}}. A dump
    holds pages of one half only (`page_half`, the same split as the other benchmarks'), so it is a tune or a
    check dump as a whole."""
    dumps: dict[str, dict] = {}
    for language, loaders in (("en", (load_scrapinghub, load_cleaneval, load_readability)), ("zh", (load_zh,))):
        # readability's synthetic unit-test pages (lorem ipsum) are not web pages: left out
        pages = [p for loader in loaders for p in loader() if p.gold.strip() and "lorem ipsum" not in p.gold.lower()]
        if language == "en":
            pages = [p for p in pages if not CJK.search(p.gold[:2000])]
        for half in ("tune", "check"):
            in_half = [p for p in pages if page_half(p) == half]
            for start in range(0, len(in_half), PAGES_PER_DUMP):
                group = in_half[start : start + PAGES_PER_DUMP]
                name = f"{language}_{half}_{start // PAGES_PER_DUMP:04d}.txt"
                text = "\n".join(visible_text(p.html) for p in group)
                dumps[name] = {"language": language, "half": half, "gold": "\n".join(p.gold for p in group),
                               "text": text}
                (folder / name).write_text(text, encoding="utf-8")
    return dumps


def score(pairs: list[tuple[str, str]]) -> dict:
    ps, rs = [], []
    for predicted, gold in pairs:
        p, r = precision_recall(predicted, gold)
        ps.append(p)
        rs.append(r)
    precision, recall = sum(ps) / len(ps), sum(rs) / len(rs)
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall)}


def main(argv: list[str] | None = None) -> int:
    import json

    import pyarrow.parquet as pq

    from pipeline.config import config_from_dict
    from pipeline.runner import run

    work = WORK / "text_dumps"
    shutil.rmtree(work, ignore_errors=True)
    inputs = work / "in"
    inputs.mkdir(parents=True)
    dumps = build_dumps(inputs)
    if not dumps:
        print("skip: eval data not present")
        return 0
    config = config_from_dict({
        "language": {"keep": []},
        "dedup": {"exact": False, "near": False, "passages": False},
        "junk": {"min_stopword_hits": 0},
        "output": {"report": False},
    })
    started = time.perf_counter()
    run([str(inputs)], work / "out", config, progress=False)
    seconds = time.perf_counter() - started
    manifest = json.loads((work / "out" / "manifest.json").read_text())
    kept: dict[str, list[str]] = {}
    for shard in manifest["shards"]:
        for row in pq.read_table(work / "out" / shard["path"], columns=["source", "text"]).to_pylist():
            kept.setdefault(row["source"].split("#")[0], []).append(row["text"])
    results = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
               "dumps": len(dumps), "seconds": seconds, "languages": {}}
    for language in ("en", "zh"):
        names = [n for n, d in dumps.items() if d["language"] == language]
        if not names:
            continue
        gold = [dumps[n]["gold"] for n in names]
        runs = {
            "keep everything": [dumps[n]["text"] for n in names],
            "C4-style line filter": [c4_filter(dumps[n]["text"]) for n in names],
            "ours": ["\n".join(kept.get(n, [])) for n in names],
        }
        results["languages"][language] = {"dumps": len(names), "pages": sum(
            1 for _ in names) * PAGES_PER_DUMP} | {k: score(list(zip(v, gold, strict=True))) for k, v in runs.items()}
        # tune and check halves (by a hash of each page's id): rules are chosen on tune; check must agree
        for half in ("tune", "check"):
            positions = [i for i, n in enumerate(names) if dumps[n]["half"] == half]
            results["languages"][language][half] = {
                k: score([(v[i], gold[i]) for i in positions]) for k, v in runs.items()} | {"dumps": len(positions)}
        for k in runs:
            r = results["languages"][language][k]
            halves = "  ".join(f"{h} {results['languages'][language][h][k]['f1']:.4f}" for h in ("tune", "check"))
            print(f"{language} {k:<22} F1 {r['f1']:.4f}  P {r['precision']:.3f}  R {r['recall']:.3f}  {halves}",
                  flush=True)
    write_result("text_dumps", results, render(results))
    return 0


def render(r: dict) -> str:
    lines = ["## Plain-text dumps", "",
             f"{r['dumps']} dumps of {PAGES_PER_DUMP} pages each, made from the eval-data HTML pages (visible text, "
             "one block per line); kept text scored against the pages' gold text (4-gram shingle F1; character "
             "bigrams for Chinese). Target: F1 at least 0.10 above keep-everything for English and for Chinese.",
             "", "| language | dumps | keep everything | C4-style line filter | ours | ours - keep everything |",
             "|---|---|---|---|---|---|"]
    for language, v in r["languages"].items():
        lines.append(f"| {language} | {v['dumps']} | {v['keep everything']['f1']:.3f} | "
                     f"{v['C4-style line filter']['f1']:.3f} | **{v['ours']['f1']:.3f}** | "
                     f"{v['ours']['f1'] - v['keep everything']['f1']:+.3f} |")
    lines += ["", "Tune / check halves (by a hash of each page's set and name, the same split in every benchmark; a dump "
              "holds pages of one half; rules are chosen on tune, kept only when check agrees), F1 of ours (keep "
              "everything): " + "; ".join(
                  f"{lang}: " + ", ".join(f"{h} {v[h]['ours']['f1']:.3f} ({v[h]['keep everything']['f1']:.3f}, "
                                          f"{v[h]['dumps']} dumps)" for h in ("tune", "check") if h in v)
                  for lang, v in r["languages"].items())]
    lines += ["", "Until 2026-12-05 (at 81e2bcc) each benchmark split its own ids: here the dump's name, so a dump mixed "
              "pages that other benchmarks put in different halves (the Chinese Wikipedia page of check dump zh_0009 "
              "was a tune page of the clean texts). Then: en tune 0.854, check 0.876; zh tune 0.956, check 0.896 (one "
              "dump, the Wikipedia page's, held most of the zh check gap). The same code on today's split gives the "
              "figures above. Rules chosen before that date were chosen on the old tune half, which overlaps today's "
              "check half, so today's check figures are not yet clean of tuning; rules from now on are chosen on "
              "today's tune half."]
    lines += ["", "Precision / recall: " + "; ".join(
        f"{lang}: " + ", ".join(f"{k} {v[k]['precision']:.2f}/{v[k]['recall']:.2f}"
                                for k in ("keep everything", "C4-style line filter", "ours"))
        for lang, v in r["languages"].items())]
    lines += ["", "Since 2026-12-04 the dumps hold no HTML comment text (`<!-- /TEXT 1 LINE -->`, `<!--[if IE]>`, "
              "`<!-- Baidu Button END -->`): the visible-text function took a comment's inside for text, and no browser "
              "shows it. Measured at 33e7221 before and after that fix, F1 of keep everything / ours: en 0.719 / "
              "0.860 -> 0.757 / 0.863 (check 0.868 -> 0.874), zh 0.793 / 0.924 -> 0.843 / 0.931 (check 0.891 -> "
              "0.895); the comment lines had been easy cuts for ours and losses for keep everything, so the margin "
              "over keeping everything fell (zh +0.131 -> +0.087) with no change to the pipeline's rules."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
