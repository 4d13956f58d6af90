"""Code and data are not prose: how many code/data files the `not_prose` check rejects, and how many prose
documents it wrongly rejects, on a labelled set split into a tune half and a check half (by a hash of each
item's id), with Magika's content-type files as a third, unseen set.

    python bench/not_prose_bench.py [--show-errors tune]

The labelled set is assembled here from what is on this machine, nothing copied into the project:
- code and data: source files of the installed Python packages (.py, .c, .h, .js, .css, .json, .yaml, .toml,
  .ini/.cfg, .csv, .sql, .sh), C headers in /usr/include, npm's JavaScript in /usr/lib/node_modules, /etc
  configuration files, system logs in /var/log cut into pieces, and derived forms the machine has no file of:
  TSV (a CSV re-delimited), JSON Lines (a JSON file's members one per line), minified JavaScript (a script with
  its line breaks and indentation removed), mail and HTTP header blocks (built from header names and values);
- prose: the gold main texts of the HTML extraction sets (English and Chinese), Lingua's test sentences as
  paragraphs (many languages), the raw dumps in ../shared/seeds, the extraction sets' pages flattened to text
  dumps (three pages a file, menus and all, as bench/text_dump_bench.py makes them), the sample data, and Markdown/reST
  documentation of the installed packages (prose with code samples inside: reported on its own line).
Targets (issue 21): at least 95% of code/data rejected, at most 0.5% of prose rejected.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import sysconfig
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    SHARED,
    git_revision,
    load_cleaneval,
    load_readability,
    load_scrapinghub,
    load_trafilatura_eval,
    load_zh,
    machine,
    page_key,
    tune_or_check,
    versions,
    write_result,
)
from pipeline.stages.decode import decode_bytes  # noqa: E402
from pipeline.stages.prose import prose_verdict  # noqa: E402

SITE = Path(sysconfig.get_paths()["purelib"])
PER_KIND = 60
MIN_BYTES, MAX_BYTES = 300, 300_000


def _sample(paths: list[Path], n: int) -> list[Path]:
    paths = sorted(p for p in paths if p.is_file() and MIN_BYTES <= p.stat().st_size <= MAX_BYTES)
    return sorted(paths, key=lambda p: hashlib.sha1(str(p).encode()).hexdigest())[:n]


def _read(path: Path) -> str:
    return decode_bytes(path.read_bytes()).text


def code_and_data() -> list[tuple[str, str, str]]:
    """(id, kind, text) of code and data files."""
    items: list[tuple[str, str, str]] = []
    globs = {"python": ["*.py"], "c": ["*.c", "*.h", "*.cpp"], "javascript": ["*.js"], "css": ["*.css"],
             "json": ["*.json"], "yaml": ["*.yaml", "*.yml"], "toml": ["*.toml"], "ini": ["*.ini", "*.cfg"],
             "csv": ["*.csv"], "sql": ["*.sql"], "shell": ["*.sh"]}
    for kind, patterns in globs.items():
        found = [p for pattern in patterns for p in SITE.rglob(pattern)]
        if kind == "c":
            found += list(Path("/usr/include").rglob("*.h"))
        if kind == "javascript":
            found += list(Path("/usr/lib/node_modules").rglob("*.js"))
        for path in _sample(found, PER_KIND):
            items.append((f"file:{path}", kind, _read(path)))
    for path in _sample(list(Path("/etc").glob("*.conf")) + list(Path("/etc").glob("*/*.conf")), PER_KIND):
        items.append((f"file:{path}", "conf", _read(path)))
    for path in sorted(p for p in Path("/var/log").rglob("*.log") if p.is_file()):
        lines = _read(path).splitlines()
        for start in range(0, min(len(lines), 4000), 200):
            piece = "\n".join(lines[start:start + 200])
            if len(piece) >= MIN_BYTES:
                items.append((f"log:{path}:{start}", "log", piece))
    rng = random.Random(7)
    csvs = [t for i, k, t in items if k == "csv"]
    for n, text in enumerate(csvs[:30]):
        items.append((f"tsv:{n}", "tsv", "\n".join(line.replace(",", "\t") for line in text.splitlines())))
    jsons = [t for i, k, t in items if k == "json"]
    for n, text in enumerate(jsons[:30]):
        try:
            obj = json.loads(text)
        except ValueError:
            continue
        members = obj.items() if isinstance(obj, dict) else enumerate(obj if isinstance(obj, list) else [])
        lines = [json.dumps({"key": str(k), "value": v}, ensure_ascii=False) for k, v in members]
        if len(lines) >= 2:
            items.append((f"jsonl:{n}", "jsonl", "\n".join(lines[:500])))
    scripts = [t for i, k, t in items if k in ("javascript", "css")]
    for n, text in enumerate(scripts[:30]):
        items.append((f"minified:{n}", "minified", re.sub(r"\s*\n\s*", "", text)))
    for n in range(30):
        items.append((f"mail:{n}", "mail", _mail_headers(rng, n)))
        items.append((f"http:{n}", "http", _http_headers(rng, n)))
    return items


def _mail_headers(rng: random.Random, n: int) -> str:
    hosts = ["mx1.example.org", "mail.example.net", "smtp.example.com"]
    lines = [f"Return-Path: <user{n}@example.org>"]
    for hop in range(rng.randint(2, 5)):
        lines.append(f"Received: from {rng.choice(hosts)} (HELO {rng.choice(hosts)}) by {rng.choice(hosts)} "
                     f"with ESMTPS id {rng.randrange(16**10):x}; Tue, {hop + 1} Mar 2026 10:{hop:02d}:00 +0000")
    lines += [f"Message-ID: <{rng.randrange(16**12):x}@example.org>", f"From: Person {n} <p{n}@example.org>",
              "To: list@example.net", f"Subject: Re: minutes of meeting {n}", "MIME-Version: 1.0",
              "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
              f"X-Spam-Score: {rng.random():.2f}", "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=mail;"]
    return "\n".join(lines)


def _http_headers(rng: random.Random, n: int) -> str:
    lines = [f"GET /page/{n}?ref=home HTTP/1.1", "Host: www.example.com",
             "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "Accept: text/html,*/*;q=0.8",
             "Accept-Language: en-GB,en;q=0.9", f"Cookie: session={rng.randrange(16**16):x}", "",
             "HTTP/1.1 200 OK", "Server: nginx", "Content-Type: text/html; charset=utf-8",
             "Cache-Control: max-age=600", f"ETag: \"{rng.randrange(16**8):x}\"", "Vary: Accept-Encoding",
             "Connection: keep-alive", "Strict-Transport-Security: max-age=31536000"]
    return "\n".join(lines)


def prose() -> list[tuple[str, str, str]]:
    """(id, kind, text) of prose documents."""
    items: list[tuple[str, str, str]] = []
    for loader in (load_cleaneval, load_scrapinghub, load_trafilatura_eval, load_readability, load_zh):
        for page in loader():
            if len(page.gold) >= 200:
                kind = "gold_zh" if page.set.startswith("zh") else "gold"
                items.append((page_key(page), kind, page.gold))
    sentences = SHARED / "eval-data" / "lingua-langid-testdata" / "sentences"
    if sentences.is_dir():
        for path in sorted(sentences.iterdir()):
            lines = [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
            for start in range(0, min(len(lines), 60), 12):
                items.append((f"lingua:{path.name}:{start}", "sentences", "\n".join(lines[start:start + 12])))
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        for path in sorted(p for p in seeds.iterdir() if p.is_file()):
            items.append((f"seed:{path.name}", "seed_dump", _read(path)))
    dumps = ROOT / "bench" / "_work" / "not_prose_dumps"  # pages flattened to text as crawlers do (menus and all)
    import shutil

    from bench.text_dump_bench import build_dumps

    shutil.rmtree(dumps, ignore_errors=True)
    dumps.mkdir(parents=True)
    for name, dump in sorted(build_dumps(dumps).items()):
        items.append((f"dump:{name}", "page_dump", dump["text"]))
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        items.append((f"sample:{path.name}", "sample", _read(path)))
    docs = [p for pattern in ("*.md", "*.rst") for p in SITE.rglob(pattern)]
    docs += list(Path("/usr/lib/node_modules").rglob("*.md"))
    for path in _sample(docs, 120):
        items.append((f"file:{path}", "docs_with_code", _read(path)))
    return items


MAGIKA_CODE = {"asm", "batch", "c", "css", "csv", "dockerfile", "ini", "javascript", "json", "makefile", "python",
               "ruby", "rust", "smali", "swift", "toml", "tsv", "typescript", "yaml", "yara", "zig", "eml"}
MAGIKA_PROSE = {"txt", "markdown"}


def magika() -> list[tuple[str, str, str, bool]]:
    base = SHARED / "eval-data" / "magika-filetype-testfiles" / "files" / "basic"
    items = []
    if base.is_dir():
        for folder in sorted(base.iterdir()):
            if folder.name in MAGIKA_CODE | MAGIKA_PROSE:
                for path in sorted(folder.iterdir()):
                    items.append((f"magika:{folder.name}/{path.name}", folder.name, _read(path),
                                  folder.name in MAGIKA_CODE))
    return items


def _half(item_id: str) -> str:
    """A gold text's id is its page's id (`page_key`), so it falls in its page's half as in the other benchmarks;
    a page dump holds pages of one half and says which in its name (`build_dumps`)."""
    if item_id.startswith("dump:"):
        return "check" if "_check_" in item_id else "tune"
    return tune_or_check(item_id)


def evaluate(show_errors: str | None = None) -> dict:
    rows: dict[str, dict] = {}
    per_kind: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    errors: list[str] = []
    labelled = [(i, k, t, True) for i, k, t in code_and_data()] + [(i, k, t, False) for i, k, t in prose()]
    started = time.perf_counter()
    for item_id, kind, text, is_code in labelled:
        part = _half(item_id)
        verdict = prose_verdict(text)
        rejected = verdict.kind is not None
        group = "code_data" if is_code else ("prose_docs_with_code" if kind == "docs_with_code" else "prose")
        counts = per_kind[(part, group, kind)]
        counts[0] += 1
        counts[1] += rejected
        if show_errors == part and rejected != is_code:
            errors.append(f"{'MISSED' if is_code else 'FALSE'} {kind} {item_id} -> {verdict}\n    "
                          + text[:300].replace("\n", " | "))
    seconds = time.perf_counter() - started
    chars = sum(len(t) for _, _, t, _ in labelled)
    for part in ("tune", "check"):
        summary = {}
        for group in ("code_data", "prose", "prose_docs_with_code"):
            n = sum(c[0] for (p, g, _), c in per_kind.items() if p == part and g == group)
            r = sum(c[1] for (p, g, _), c in per_kind.items() if p == part and g == group)
            summary[group] = {"documents": n, "rejected": r, "share": round(r / n, 4) if n else None}
        rows[part] = summary
    unseen = Counter()
    magika_items = magika()
    for _, kind, text, is_code in magika_items:
        rejected = prose_verdict(text).kind is not None
        unseen[("code_data" if is_code else "prose", rejected)] += 1
        if show_errors == "magika" and rejected != is_code:
            errors.append(f"{'MISSED' if is_code else 'FALSE'} magika {kind}")
    rows["magika"] = {
        "code_data": {"documents": unseen[("code_data", True)] + unseen[("code_data", False)],
                      "rejected": unseen[("code_data", True)]},
        "prose": {"documents": unseen[("prose", True)] + unseen[("prose", False)], "rejected": unseen[("prose", True)]},
    }
    kinds = {f"{p}/{g}/{k}": {"documents": c[0], "rejected": c[1]} for (p, g, k), c in sorted(per_kind.items())}
    return {"halves": rows, "kinds": kinds, "errors": errors, "mb_per_s": round(chars / 1e6 / seconds, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", choices=["tune", "check", "magika"])
    args = parser.parse_args(argv)
    result = evaluate(args.show_errors)
    for line in result["errors"]:
        print(line)
    halves = result["halves"]

    def share(entry: dict) -> str:
        n, r = entry["documents"], entry["rejected"]
        return f"{r}/{n} ({r / n:.1%})" if n else "-"

    lines = ["## Code and data are not prose", "",
             "`not_prose` (pipeline/stages/prose.py) on a labelled set assembled from this machine's files (code and "
             "data of many kinds; prose: extraction gold texts in English and Chinese, Lingua sentences, the seeds, "
             "the sample data) split by a hash of each id into a tune half (rules chosen on it) and a check half; "
             "Magika's content-type files as an unseen third set. Targets: code/data rejected >= 95%, prose rejected "
             "<= 0.5%. `bench/not_prose_bench.py`.", "",
             "| set | code/data rejected | prose rejected | docs with code samples rejected |", "|---|---|---|---|"]
    for part in ("tune", "check", "magika"):
        row = halves[part]
        docs = row.get("prose_docs_with_code")
        lines.append(f"| {part} | {share(row['code_data'])} | {share(row['prose'])} | {share(docs) if docs else '-'} |")
    lines += ["", "Per kind (check half): " + ", ".join(
        f"{k.split('/')[2]} {v['rejected']}/{v['documents']}" for k, v in result["kinds"].items()
        if k.startswith("check/")), "", f"Speed: {result['mb_per_s']} MB/s on one core (the check alone)."]
    print("\n".join(lines))
    write_result("not_prose", {"date": time.strftime("%Y-%m-%d"), "revision": git_revision(), "machine": machine(),
                               "versions": versions("corpus-pipeline"), **{k: v for k, v in result.items()
                                                                            if k != "errors"}}, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
