"""Decode, repair and binary gate: our stages vs the libraries a user would otherwise call.

- charset: chardet's labelled test files; a file counts as right when our decoded text equals (after NFKC)
  the decoding with the labelled encoding. Compared with chardet, charset-normalizer and faust-cchardet
  (plain detection, then decoding with the detected encoding), plus MB/s for each.
- legacy code pages: documents of 20 random sentences from lingua's test data, encoded in the legacy code
  pages of their language (Western, Central European, Turkish, Baltic, Cyrillic, Greek, Hebrew, Arabic,
  Thai, Chinese, Japanese, Korean; sentences the page cannot hold and sentences with stray C1 controls left
  out), 10 per language and page; right when the decoded text is the original. chardet's files hold few
  documents of some of these pages; this covers 50 languages.
- mojibake: ftfy's test cases; exact match of the repaired text with `fixed`, our CJK-safe configuration
  vs ftfy's default; negative cases must stay unchanged.
- binary gate: magika's test files; binary types must be rejected (PDFs go to the PDF reader instead),
  text-like types kept.

    python bench/decode_bench.py
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import EVAL, git_revision, machine, versions, write_result  # noqa: E402

CHARSET = EVAL / "chardet-encoding-testfiles" / "files"
MOJIBAKE = EVAL / "ftfy-mojibake-cases"
SENTENCES = EVAL / "lingua-langid-testdata" / "sentences"
MAGIKA = EVAL / "magika-filetype-testfiles" / "files"
UPSTREAM_SKIPPED = ("iso-8859-2", "iso-8859-6", "windows-1250", "windows-1254", "windows-1256")
LABEL_LANGUAGES = ("croatian", "czech", "hungarian", "polish", "slovak", "slovene", "bulgarian", "russian",
                   "arabic", "greek", "turkish", "hebrew", "romanian")


def label_encoding(folder: str) -> str:
    parts = folder.split("-")
    while parts and parts[-1].lower() in LABEL_LANGUAGES:
        parts.pop()
    return "-".join(parts)


def expected_codec(label: str) -> str:
    """The codec a label means to a reader: the label itself, but GB2312/GBK through the browsers' table
    (pipeline.stages.decode.GB_NARROW; Python's gb2312 codec maps 0xA1A4 and 0xA1AA to other characters)."""
    import codecs

    from pipeline.stages.decode import GB_NARROW

    try:
        return "gb18030" if codecs.lookup(label).name.replace("-", "_") in GB_NARROW else label
    except LookupError:
        return label


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lstrip("\ufeff")


def charset_files() -> list[tuple[str, Path, str]]:
    out = []
    if not CHARSET.exists():
        return out
    for folder in sorted(p for p in CHARSET.iterdir() if p.is_dir()):
        label = label_encoding(folder.name)
        try:
            "".encode(label)
        except LookupError:
            continue  # no Python codec (EUC-TW): cannot be scored
        for path in sorted(folder.iterdir()):
            if path.suffix in (".html", ".txt", ".xml", ".srt"):
                out.append((folder.name, path, label))
    return out


def detectors() -> dict:
    def ours(data: bytes) -> str:
        from pipeline.stages.decode import decode_bytes

        return decode_bytes(data, is_html=b"<" in data[:1024]).text

    def chardet_(data: bytes) -> str:
        import chardet

        enc = chardet.detect(data)["encoding"] or "utf-8"
        return data.decode(enc, errors="replace")

    def normalizer(data: bytes) -> str:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")

    def cchardet_(data: bytes) -> str:
        import cchardet

        enc = cchardet.detect(data)["encoding"] or "utf-8"
        return data.decode(enc, errors="replace")

    return {"ours": ours, "chardet": chardet_, "charset-normalizer": normalizer, "faust-cchardet": cchardet_}


def _decoded_or_miss(fn, data: bytes) -> str:
    """`fn(data)`, or "" when the decoder crashes: a crash is a miss."""
    try:
        return fn(data)
    except Exception:  # noqa: BLE001
        return ""


def bench_charset() -> dict:
    files = charset_files()
    if not files:
        return {}
    results = {}
    for name, fn in detectors().items():
        per_encoding: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        total_bytes = 0
        started = time.perf_counter()
        for folder, path, label in files:
            data = path.read_bytes()
            total_bytes += len(data)
            got = _decoded_or_miss(fn, data)
            expected = data.decode(expected_codec(label), errors="replace")
            per_encoding[folder][1] += 1
            per_encoding[folder][0] += _norm(got) == _norm(expected)
        seconds = time.perf_counter() - started
        scored = {k: v for k, v in per_encoding.items() if not k.lower().startswith(UPSTREAM_SKIPPED)}
        results[name] = {
            "all": sum(v[0] for v in per_encoding.values()) / sum(v[1] for v in per_encoding.values()),
            "all_files": sum(v[1] for v in per_encoding.values()),
            "upstream_scored": sum(v[0] for v in scored.values()) / sum(v[1] for v in scored.values()),
            "upstream_files": sum(v[1] for v in scored.values()),
            "per_encoding": {k: v for k, v in sorted(per_encoding.items())},
            "mb_per_s": total_bytes / 1e6 / seconds,
        }
        print(f"charset {name:<20} all {results[name]['all']:.4f}  upstream-scored "
              f"{results[name]['upstream_scored']:.4f}  {results[name]['mb_per_s']:.2f} MB/s", flush=True)
    return results


def _style(text: str) -> str:
    import ftfy

    return ftfy.fixes.fix_character_width(ftfy.fixes.uncurl_quotes(text))


def bench_mojibake() -> dict:
    if not MOJIBAKE.exists():
        return {}
    import ftfy

    from pipeline.stages.repair import repair_text

    results: dict = {}
    for name in ("in-the-wild", "synthetic", "negative"):
        cases = json.loads((MOJIBAKE / f"{name}.json").read_text())
        ours = default = ours_style = 0
        for case in cases:
            original = case["original"]
            expected = original if name == "negative" else case["fixed"]
            repaired = repair_text(original)[0]
            ours += repaired == expected
            default += ftfy.fix_text(original) == expected
            # the expected texts use ftfy's defaults, which straighten curly quotes and fold full-width
            # forms; we keep both on purpose (CJK punctuation), so also count a match up to those two
            ours_style += _style(repaired) == _style(expected)
        results[name] = {"cases": len(cases), "ours": ours / len(cases), "ftfy_default": default / len(cases),
                         "ours_up_to_quotes_and_width": ours_style / len(cases)}
        print(f"mojibake {name:<12} ours {results[name]['ours']:.3f}  up to quotes/width "
              f"{results[name]['ours_up_to_quotes_and_width']:.3f}  ftfy default {results[name]['ftfy_default']:.3f}",
              flush=True)
    return results


BINARY_TYPES = {
    "bmp", "bzip", "cab", "docx", "elf", "epub", "flac", "gif", "gzip", "iso", "javabytecode", "jpeg", "mp3", "mp4",
    "odp", "ods", "odt", "ogg", "outlook", "pcap", "pdf", "pebin", "png", "pptx", "psd", "pytorch", "rar",
    "sevenzip", "tar", "tga", "tiff", "wav", "webm", "webp", "xar", "xlsx", "xz", "zip", "rtf",
}
# rtf counts as binary: a document format we do not parse (like .docx), rejected rather than read as text.
# text-like: source code, markup, data formats, plain text (kept); `empty` is neither (rejected `empty`).
# gzip/bzip2/xz files are containers the reader opens (input may be `.gz` of anything): routing one to
# decompression counts as handling it, like routing a PDF to the PDF reader.
CONTAINER_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def bench_binary_gate() -> dict:
    if not MAGIKA.exists():
        return {}
    from pipeline.config import Config
    from pipeline.readers import InputFile, read_file
    from pipeline.stages.decode import decode_stage

    config = Config()
    outcome = {"binary": [0, 0], "text": [0, 0]}
    mistakes = []
    for path in sorted(p for p in MAGIKA.rglob("*") if p.is_file()):
        kind = path.parent.name
        if kind == "empty":
            continue
        expected = "binary" if kind in BINARY_TYPES else "text"
        docs = list(read_file(InputFile(str(path), path.name, path.stat().st_size, ""), config))
        verdict = "binary" if path.read_bytes()[:6].startswith(CONTAINER_MAGIC) else "text"
        for doc in docs:
            if not doc.rejected:
                decode_stage(doc, config)
            if doc.content_type == "pdf" or doc.reason in ("binary", "unsupported", "undecodable", "malformed"):
                verdict = "binary"
        outcome[expected][1] += 1
        outcome[expected][0] += verdict == expected
        if verdict != expected:
            mistakes.append(f"{path.parent.parent.name}/{kind}/{path.name}")
    results = {
        "binary_rejected": outcome["binary"][0] / outcome["binary"][1],
        "binary_files": outcome["binary"][1],
        "text_kept": outcome["text"][0] / outcome["text"][1],
        "text_files": outcome["text"][1],
        "mistakes": mistakes,
    }
    print(f"binary gate: binary rejected {results['binary_rejected']:.3f} of {results['binary_files']}, text kept "
          f"{results['text_kept']:.3f} of {results['text_files']}; mistakes {mistakes}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    results = {"machine": machine(), "revision": git_revision(), "date": time.strftime("%Y-%m-%d"),
               "versions": versions("chardet", "charset-normalizer", "faust-cchardet", "ftfy"),
               "charset": bench_charset(), "legacy_pages": bench_legacy_pages(), "mojibake": bench_mojibake(),
               "binary_gate": bench_binary_gate()}
    if not any(results[k] for k in ("charset", "legacy_pages", "mojibake", "binary_gate")):
        print("skip: eval data not present")
        return 0
    write_result("decode", results, render(results))
    return 0


LEGACY_PAGES = {
    "Western": (("cp1252", "latin_1"), "en de fr es it pt nl sv da nb nn fi is ca eu ga af id ms sw so st tn ts "
                                       "xh zu yo la eo cy et sq".split()),
    "Central European": (("cp1250", "iso8859_2"), "cs sk pl hu sl hr ro bs".split()),
    "Turkish": (("cp1254", "iso8859_9"), ["tr"]),
    "Baltic": (("cp1257", "iso8859_13"), ["lt", "lv"]),
    "Cyrillic": (("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "mac_cyrillic"), "ru uk be bg mk sr".split()),
    "Greek": (("cp1253", "iso8859_7"), ["el"]),
    "Hebrew": (("cp1255", "iso8859_8"), ["he"]),
    "Arabic": (("cp1256", "iso8859_6"), ["ar"]),
    "Thai": (("tis_620", "cp874"), ["th"]),
    "Chinese": (("gb2312", "gb18030"), ["zh"]),
    "Japanese": (("shift_jis", "euc_jp", "iso2022_jp"), ["ja"]),
    "Korean": (("euc_kr",), ["ko"]),
}
C1_CONTROLS = re.compile("[\x80-\x9f]")


def legacy_documents() -> list[tuple[str, str, str]]:
    """(group, code page, text) for the legacy code page check, the same documents on every run; a language
    and page pair needs 100 sentences the page can hold."""
    rng = random.Random(0)
    documents = []
    for group, (pages, languages) in LEGACY_PAGES.items():
        for language in languages:
            path = SENTENCES / f"{language}.txt"
            if not path.exists():
                continue
            lines = [line for line in path.read_text().splitlines() if line and not C1_CONTROLS.search(line)]
            for page in pages:
                fits = [line for line in lines if _encodes(line, page)]
                if len(fits) < 100:
                    continue
                for _ in range(10):
                    text = " ".join(rng.sample(fits, 20))
                    if not text.isascii():
                        documents.append((group, page, text))
    return documents


def _encodes(text: str, page: str) -> bool:
    try:
        text.encode(page)
    except UnicodeEncodeError:
        return False
    return True


def bench_legacy_pages() -> dict:
    documents = legacy_documents()
    if not documents:
        return {}
    results = {}
    for name, fn in detectors().items():
        right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for group, page, text in documents:
            got = _decoded_or_miss(fn, text.encode(page))
            right[group][0] += got == text
            right[group][1] += 1
        results[name] = {group: right[group] for group in LEGACY_PAGES if right[group][1]}
        print(f"legacy pages {name:<20} " + "  ".join(f"{g} {v[0]}/{v[1]}" for g, v in results[name].items()),
              flush=True)
    return results


def render(r: dict) -> str:
    lines = ["## Decode, repair, binary gate", ""]
    if r["charset"]:
        c = r["charset"]
        lines += [
            "Charset: chardet's labelled test files; right when our text equals (NFKC) the labelled decoding. "
            "\"upstream-scored\" leaves out the encodings chardet's own test skips (ISO-8859-2/-6, "
            "windows-1250/-1254/-1256); EUC-TW has no Python codec and is not scored. Detectors other than "
            "ours are called plainly (detect, then decode with the detected encoding).",
            "",
            "| decoder | all files | upstream-scored files | MB/s |",
            "|---|---|---|---|",
        ]
        for name, v in c.items():
            lines.append(f"| {name} | {v['all']:.1%} ({v['all_files']}) | {v['upstream_scored']:.1%} "
                         f"({v['upstream_files']}) | {v['mb_per_s']:.2f} |")
        lines += ["", "Per encoding (files right / files):", "",
                  "| encoding | " + " | ".join(c) + " |", "|---|" + "---|" * len(c)]
        for enc in next(iter(c.values()))["per_encoding"]:
            cells = [f"{c[n]['per_encoding'][enc][0]}/{c[n]['per_encoding'][enc][1]}" for n in c]
            lines.append(f"| {enc} | " + " | ".join(cells) + " |")
        lines.append("")
    if r.get("legacy_pages"):
        groups = list(next(iter(r["legacy_pages"].values())))
        lines += ["Legacy code pages: documents of 20 random sentences of lingua's test data, encoded in the legacy "
                  "code pages of their language (" + "; ".join(
                      f"{group}: {'/'.join(pages)}" for group, (pages, _) in LEGACY_PAGES.items()) + "), 10 per "
                  "language and page that holds at least 100 of its sentences; right when the decoded text is the "
                  "original (documents right / documents):", "",
                  "| decoder | " + " | ".join(groups) + " | all |", "|---|" + "---|" * (len(groups) + 1)]
        for name, v in r["legacy_pages"].items():
            right, total = sum(v[g][0] for g in groups), sum(v[g][1] for g in groups)
            lines.append(f"| {name} | " + " | ".join(f"{v[g][0]}/{v[g][1]}" for g in groups)
                         + f" | {right / total:.1%} |")
        lines.append("")
    if r["mojibake"]:
        lines += ["Mojibake (ftfy's test cases; exact match with the expected text; negative cases must stay "
                  "unchanged). Ours is ftfy with a CJK-safe configuration (no NFC/NFKC, no width folding, no "
                  "quote uncurling, no HTML unescaping of plain text):", "",
                  "| cases | n | ours, exact | ours, up to quote style and full-width forms | ftfy default |",
                  "|---|---|---|---|---|"]
        for name, v in r["mojibake"].items():
            lines.append(f"| {name} | {v['cases']} | {v['ours']:.1%} | {v['ours_up_to_quotes_and_width']:.1%} | "
                         f"{v['ftfy_default']:.1%} |")
        lines.append("")
    if r["binary_gate"]:
        b = r["binary_gate"]
        lines += [f"Binary gate (magika's test files; binary types = images, audio, video, archives, executables, "
                  f"office containers, pdf, rtf, pickled tensors; PDFs count as handled when routed to the PDF "
                  f"reader, gzip/bzip2/xz files when opened as containers, as the reader does with any `.gz` input): "
                  f"**{b['binary_rejected']:.1%}** of {b['binary_files']} binary files rejected, "
                  f"**{b['text_kept']:.1%}** of {b['text_files']} text-like files kept. "
                  f"Misclassified: {', '.join(b['mistakes']) or 'none'}."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
