"""Clean text must survive: Chinese spam terms on clean Chinese, and the repair of English whose spaces
were stripped.

- Chinese false spam cuts: lingua's zh sentences (one document of 20 consecutive sentences each) and the
  zh-web-content gold texts through the junk stage: how many documents get a `spam` span or are rejected
  `spam`, and how many characters are cut as spam. Target: none.
- Space repair: English gold paragraphs (scrapinghub-aeb articleBody; paragraphs of 200+ characters) with
  their spaces removed, through the spaces stage: the share of the original words that come back exactly
  (word sequences aligned with difflib), and of documents rejected `no_word_boundaries`. Target: >= 98%.

    python bench/clean_text_bench.py
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import EVAL, git_revision, load_scrapinghub, load_zh, machine, write_result  # noqa: E402


def zh_documents() -> list[tuple[str, str]]:
    docs = []
    path = EVAL / "lingua-langid-testdata" / "sentences" / "zh.txt"
    if path.exists():
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        docs += [(f"lingua-zh/{i // 20}", "\n".join(lines[i : i + 20])) for i in range(0, len(lines), 20)]
    docs += [(f"zh-gold/{p.name}", p.gold) for p in load_zh() if p.gold.strip()]
    return docs


def zh_false_spam() -> dict:
    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.stages.junk import junk_stage

    config = Config()
    hit, chars, total_chars, examples = 0, 0, 0, []
    docs = zh_documents()
    for name, text in docs:
        doc = Document(id=name, source=name, text=text)
        junk_stage(doc, config)
        spam = [s for s in doc.spans if s.reason == "spam"]
        total_chars += len(text)
        if spam or doc.reason == "spam":
            hit += 1
            chars += sum(s.end - s.start for s in spam) if spam else len(text)
            if len(examples) < 5:
                examples.append({"doc": name, "cut": [s.text[:60] for s in spam] or ["(document rejected)"]})
    return {"documents": len(docs), "with_spam_cut": hit, "chars_cut": chars, "chars": total_chars,
            "examples": examples}


WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def space_repair() -> dict:
    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.stages.spaces import spaces_stage

    config = Config()
    paragraphs = []
    for page in load_scrapinghub():
        paragraphs += [p.strip() for p in page.gold.split("\n") if len(p.strip()) >= 200 and p.isascii()]
    halves = {"tune": [0, 0, 0], "check": [0, 0, 0]}  # words back, words, rejected
    matched = words = rejected = 0
    for paragraph in paragraphs:
        half = halves["check" if hashlib.sha256(paragraph.encode()).digest()[0] % 2 else "tune"]
        doc = Document(id="x", source="x", text=paragraph.replace(" ", ""))
        spaces_stage(doc, config)
        original = WORD.findall(paragraph)
        words += len(original)
        half[1] += len(original)
        if doc.rejected:
            rejected += 1
            half[2] += 1
            continue
        repaired = WORD.findall(doc.text)
        blocks = difflib.SequenceMatcher(a=[w.lower() for w in original], b=[w.lower() for w in repaired],
                                         autojunk=False).get_matching_blocks()
        matched += sum(b.size for b in blocks)
        half[0] += sum(b.size for b in blocks)
    return {"paragraphs": len(paragraphs), "words": words, "words_back": matched, "rejected": rejected,
            "halves": {k: {"words_back": v[0], "words": v[1], "rejected": v[2]} for k, v in halves.items()}}


def main(argv: list[str] | None = None) -> int:
    if not EVAL.exists():
        print("skip: ../shared/eval-data not present")
        return 0
    started = time.time()
    zh = zh_false_spam()
    spaces = space_repair()
    result = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
              "zh_false_spam": zh, "space_repair": spaces, "seconds": round(time.time() - started, 1)}
    print(zh, spaces)
    write_result("clean_text", result, render(result))
    return 0


def render(r: dict) -> str:
    zh, sp = r["zh_false_spam"], r["space_repair"]
    share = sp["words_back"] / max(1, sp["words"])
    lines = [
        "## Clean text survives: Chinese spam terms, space repair",
        "",
        f"- Chinese false spam cuts: {zh['documents']} clean Chinese documents (lingua's zh sentences, 20 to a "
        f"document, and the zh-web-content gold texts) through the junk stage: **{zh['with_spam_cut']}** with a spam "
        f"cut or rejected as spam, {zh['chars_cut']} of {zh['chars']} characters cut (target: none)."
        + (" Cuts: " + "; ".join(f"{e['doc']}: {e['cut']}" for e in zh["examples"]) if zh["examples"] else ""),
        f"- Space repair: {sp['paragraphs']} English gold paragraphs (scrapinghub-aeb, 200+ characters) with their "
        f"spaces removed, through the spaces stage: **{share:.2%}** of {sp['words']} words come back as they were "
        f"(target >= 98%); {sp['rejected']} paragraphs rejected `no_word_boundaries`. Halves by a hash of the "
        "paragraph: tune " + ", check ".join(f"{h['words_back'] / max(1, h['words']):.2%}"
                                            for h in sp["halves"].values()) + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
