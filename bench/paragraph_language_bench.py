"""Paragraph languages: how much of a document's text gets the right per-paragraph language tag.

    python bench/paragraph_language_bench.py [--documents 400]

Documents are made of lingua's test sentences (../shared/eval-data/lingua-langid-testdata): a main language
(English or Chinese) for most paragraphs, and paragraphs of other languages (German, French, Spanish, Portuguese,
Italian, Dutch, Russian, Japanese, Korean, Indonesian, Turkish, Polish) in runs of one to three between them, each
paragraph one to three sentences of one language. The language stage labels paragraphs (`_label_paragraphs`: the
script, English function words, else a statistical detector over blocks of neighbouring paragraphs); the score is
the share of paragraph characters whose label is the paragraph's language, and the share of other-language
characters labelled right (they are what `lang_spans` report). Paragraphs the stage leaves unlabelled (too
short) count as wrong. Halves by a hash of the document's number.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import EVAL, git_revision, machine, tune_or_check, write_result  # noqa: E402

SENTENCES = EVAL / "lingua-langid-testdata" / "sentences"
MAIN = ("en", "zh")
OTHERS = ("de", "fr", "es", "pt", "it", "nl", "ru", "ja", "ko", "id", "tr", "pl")


def load_sentences() -> dict[str, list[str]]:
    out = {}
    for lang in (*MAIN, *OTHERS):
        path = SENTENCES / f"{lang}.txt"
        if path.exists():
            out[lang] = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def make_document(rng: random.Random, sentences: dict[str, list[str]]) -> tuple[str, list[tuple[int, int, str]]]:
    """(text, [(start, end, language)] of each paragraph)."""
    main = rng.choice([m for m in MAIN if m in sentences])
    others = [o for o in OTHERS if o in sentences]
    paragraphs: list[str] = []
    langs: list[str] = []
    for _ in range(rng.randint(8, 60)):
        if rng.random() < 0.2 and others:
            lang = rng.choice(others)
            count = rng.randint(1, 3)
        else:
            lang, count = main, 1
        for _ in range(count):
            joiner = "" if lang in ("zh", "ja") else " "
            paragraphs.append(joiner.join(rng.choice(sentences[lang]) for _ in range(rng.randint(1, 3))))
            langs.append(lang)
    spans, position = [], 0
    for paragraph, lang in zip(paragraphs, langs, strict=True):
        spans.append((position, position + len(paragraph), lang))
        position += len(paragraph) + 1
    return "\n".join(paragraphs), spans


def score(truth: list[tuple[int, int, str]], labelled: list[tuple[int, int, str, float]]) -> dict:
    label = {(s, e): lang for s, e, lang, _ in labelled}
    out = {"chars": 0, "right": 0, "other_chars": 0, "other_right": 0}
    main = max({lang for _, _, lang in truth}, key=lambda k: sum(e - s for s, e, lang in truth if lang == k))
    for start, end, lang in truth:
        size = end - start
        right = label.get((start, end)) == lang
        out["chars"] += size
        out["right"] += size * right
        if lang != main:
            out["other_chars"] += size
            out["other_right"] += size * right
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=400)
    args = parser.parse_args(argv)
    sentences = load_sentences()
    if not all(m in sentences for m in MAIN):
        print("skip: ../shared/eval-data/lingua-langid-testdata not present")
        return 0
    from pipeline.config import Config
    from pipeline.stages.language import _label_paragraphs, paragraphs_with_offsets

    cfg = Config().language
    rng = random.Random(5)
    halves = {h: {"documents": 0, "chars": 0, "right": 0, "other_chars": 0, "other_right": 0} for h in ("tune", "check")}
    started = time.perf_counter()
    for number in range(args.documents):
        text, truth = make_document(rng, sentences)
        labelled = _label_paragraphs(text, paragraphs_with_offsets(text), cfg)
        half = halves[tune_or_check(f"doc-{number}")]
        half["documents"] += 1
        for key, value in score(truth, labelled).items():
            half[key] += value
    seconds = time.perf_counter() - started
    results = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
               "documents": args.documents, "seconds": round(seconds, 1), "halves": halves}
    for h, v in halves.items():
        print(f"{h}: {v['right'] / v['chars']:.2%} of characters, other languages {v['other_right'] / v['other_chars']:.2%}")
    print(f"{seconds:.1f} s")
    write_result("paragraph_language", results, render(results))
    return 0


def render(r: dict) -> str:
    halves = r["halves"]

    def share(v: dict, key: str) -> str:
        return f"{v[key.replace('chars', 'right')] / max(1, v[key]):.2%}"

    rows = [f"| {h} | {v['documents']} | {share(v, 'chars')} | {share(v, 'other_chars')} |" for h, v in halves.items()]
    return "\n".join([
        "## Paragraph languages",
        "",
        f"{r['documents']} documents of lingua's test sentences, a main language (English or Chinese) with runs of "
        "one to three paragraphs in twelve other languages between its paragraphs (`bench/paragraph_language_bench.py`); "
        "the share of paragraph characters whose per-paragraph language is right, over all paragraphs and over the "
        "other-language ones (what `lang_spans` report). Unlabelled paragraphs count as wrong. "
        f"{r['seconds']:.0f} s for all.",
        "",
        "| half | documents | characters labelled right | other-language characters labelled right |",
        "|---|---|---|---|",
        *rows,
        "",
        "The stage groups undecided paragraphs into blocks of 600 characters or more (and a long document's blocks "
        "into at most 24 groups) and labels each block from its first 400 characters: a paragraph past them takes the "
        "block's label unread, which is most of the misses here. Tried on 2026-12-05 and not kept: blocks of at most "
        "400 characters (every paragraph read): tune 85.7% -> 96.6%, other languages 66.5% -> 93.2% (check 69.5% -> "
        "92.8%), seeds and sample data unchanged, but on the eval-data HTML pages a Portuguese page was kept as "
        "English and lines of names and dates got labels of their own ('Publication Date: October 14, 1996' as Latin, "
        "a results table as Norwegian); one detector call per paragraph: 97% here, and '[Source: Xinhua, Wuzhen, "
        "Zhejiang, 15Dec15]' in the seeds as Shona. These sentences are whole and clean, as web paragraphs often are "
        "not: the figures here favour reading paragraphs alone.",
    ])


if __name__ == "__main__":
    sys.exit(main())
