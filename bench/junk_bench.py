"""SEO spam, keyword blocks and binary fragments: false positives on clean text, recall on injected junk.

- False positives: clean gold texts (scrapinghub-aeb articleBody, cleaneval-dev gold, zh-web-content-extraction
  cleaned) through the junk and quality stages: share of documents dropped or cut by more than 10%.
- Recall: spam blocks and PDF fragments generated here and inserted at random positions into the same clean
  texts; share of the injected characters removed, and share of the clean characters lost.
  Spam blocks are built from the public lexicons in ../shared (ldnoobw en/zh, zh-sensitive-lexicon adult and
  advertising lists), which our own term list was NOT made from: a test of generalisation, not recall of
  our list.

    python bench/junk_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import EVAL, git_revision, load_cleaneval, load_scrapinghub, load_zh, machine, write_result  # noqa: E402

SEED = 20241124


def clean_texts() -> list[tuple[str, str]]:
    out = []
    for loader in (load_scrapinghub, load_cleaneval, load_zh):
        for page in loader():
            gold = "\n".join(line.strip() for line in page.gold.splitlines() if line.strip())
            if len(gold) >= 200:
                out.append((f"{page.set}/{page.name}", gold))
    return out


def lexicon_words() -> tuple[list[str], list[str]]:
    en = [w.strip() for w in (EVAL / "ldnoobw-badwords" / "lists" / "en").read_text().splitlines() if w.strip()]
    zh = [w.strip() for w in (EVAL / "ldnoobw-badwords" / "lists" / "zh").read_text().splitlines() if w.strip()]
    for name in ("色情类型.txt", "广告类型.txt"):
        path = EVAL / "zh-sensitive-lexicon" / "Vocabulary" / name
        if path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                zh.extend(w.strip() for w in line.split(",") if w.strip())
    return en, zh


FILLERS_EN = ["free", "online", "videos", "hot", "live", "best", "watch", "hd", "download", "new", "top", "site"]
FILLERS_ZH = ["在线", "观看", "免费", "高清", "视频", "下载", "最新", "网站", "国产", "福利", "专区", "合集"]


def spam_block(rng: random.Random, en: list[str], zh: list[str]) -> str:
    chinese = rng.random() < 0.5
    words, fillers = (zh, FILLERS_ZH) if chinese else (en, FILLERS_EN)
    phrases = []
    for _ in range(rng.randint(6, 30)):
        parts = [rng.choice(words)] + rng.sample(fillers, rng.randint(0, 2))
        rng.shuffle(parts)
        phrases.append(("" if chinese else " ").join(parts))
    separator = rng.choice(["| ", "|", " | ", "、", ", ", "，"] if chinese else ["| ", " | ", ", ", " - "])
    return separator.join(phrases)


def pdf_fragment(rng: random.Random) -> str:
    """A raw PDF object stream as it looks when pasted into text: syntax lines and decoded binary."""
    n = rng.randint(1, 2000)
    lines = [f"{n} 0 obj <</Filter/FlateDecode/Length {rng.randint(50, 5000)}>>stream"]
    for _ in range(rng.randint(2, 12)):
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(40, 120)))
        lines.append(raw.decode("utf-8", errors="replace").replace("\n", " "))
    lines.append("endstream endobj")
    if rng.random() < 0.5:
        lines += ["xref", f"0 {rng.randint(5, 50)}", "0000000000 65535 f "]
        lines += [f"{rng.randint(0, 99999999):010d} 00000 n " for _ in range(rng.randint(3, 15))]
        lines += ["trailer", f"<</Size {rng.randint(5, 50)}/Root 1 0 R>>", "startxref", str(rng.randint(100, 99999)), "%%EOF"]
    return "\n".join(lines)


def run_stages(text: str):
    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.stages.junk import junk_stage
    from pipeline.stages.language import detect_language
    from pipeline.stages.quality import quality_stage

    config = Config()
    doc = Document(id="x", source="x", text=text)
    junk_stage(doc, config)
    if not doc.rejected:
        doc.lang = detect_language(doc.text)[0]
        quality_stage(doc, config)
    return doc


def main(argv: list[str] | None = None) -> int:
    texts = clean_texts()
    if not texts:
        print("skip: eval data not present")
        return 0
    en, zh = lexicon_words()
    rng = random.Random(SEED)
    started = time.perf_counter()
    # false positives
    fp_docs = []
    for name, text in texts:
        doc = run_stages(text)
        cut = 1 - len(doc.text) / len(text)
        if doc.rejected or cut > 0.10:
            fp_docs.append({"doc": name, "reason": doc.reason, "cut": round(cut, 3), "detail": doc.detail[:120],
                            "spans": [s.text[:80] for s in doc.spans[:3]]})
    # recall on injected junk
    injected_total = injected_left = clean_total = clean_lost = 0
    per_kind = {"spam": [0, 0], "pdf": [0, 0]}
    for _name, text in texts:
        lines = text.split("\n")
        kind = "spam" if rng.random() < 0.5 else "pdf"
        block = spam_block(rng, en, zh) if kind == "spam" else pdf_fragment(rng)
        position = rng.randint(0, len(lines))
        mixed = "\n".join(lines[:position] + [block] + lines[position:])
        doc = run_stages(mixed)
        kept = "" if doc.rejected else doc.text
        # what is left of the block (line by line, so that trimmed pieces are counted too)
        left = sum(len(piece) for piece in block.split("\n") if piece.strip() and piece.strip() in kept)
        injected_total += len(block)
        injected_left += left
        per_kind[kind][0] += len(block)
        per_kind[kind][1] += left
        lost = sum(len(line) for line in lines if line.strip() and line.strip() not in kept)
        clean_total += sum(len(line) for line in lines)
        clean_lost += lost
    seconds = time.perf_counter() - started
    results = {
        "machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
        "clean_documents": len(texts),
        "false_positive_rate": len(fp_docs) / len(texts),
        "false_positives": fp_docs,
        "injected_removed": 1 - injected_left / injected_total,
        "spam_removed": 1 - per_kind["spam"][1] / max(1, per_kind["spam"][0]),
        "pdf_removed": 1 - per_kind["pdf"][1] / max(1, per_kind["pdf"][0]),
        "clean_lost": clean_lost / clean_total,
        "seconds": seconds,
    }
    print(f"FP {results['false_positive_rate']:.2%} ({len(fp_docs)}/{len(texts)}); injected removed "
          f"{results['injected_removed']:.2%} (spam {results['spam_removed']:.2%}, pdf {results['pdf_removed']:.2%}); "
          f"clean lost {results['clean_lost']:.2%}")
    for fp in fp_docs[:10]:
        print("  FP", fp)
    write_result("junk", results, render(results))
    return 0


def render(r: dict) -> str:
    return "\n".join([
        "## Spam, keyword blocks, binary fragments",
        "",
        f"- False positives on {r['clean_documents']} clean gold texts (scrapinghub-aeb, cleaneval-dev, "
        f"zh-web-content-extraction) through the junk and quality stages: **{r['false_positive_rate']:.2%}** "
        "dropped or cut by more than 10% (target <= 0.5%)."
        + (" Those: " + "; ".join(f"{f['doc']} ({f['reason'] or 'cut ' + str(f['cut'])})" for f in r["false_positives"])
           if r["false_positives"] else ""),
        f"- One injected block per text at a random line (spam blocks of 6-30 phrases from the public ldnoobw and "
        f"zh-sensitive-lexicon lists, which our term list was not built from; or a generated PDF object stream): "
        f"**{r['injected_removed']:.2%}** of the injected characters removed (spam {r['spam_removed']:.2%}, PDF "
        f"{r['pdf_removed']:.2%}; target >= 95%), **{r['clean_lost']:.2%}** of the clean text lost (target <= 2%).",
    ])


if __name__ == "__main__":
    sys.exit(main())
