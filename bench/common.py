"""Shared helpers for the benchmarks: eval-data loaders, metrics, timing, machine description.

The data is read from `../shared/eval-data` at run time and never copied into the project. Loaders return
nothing (and the benchmark says it skipped) when the folder is absent.
"""

from __future__ import annotations

import gzip
import hashlib
import html as html_lib
import json
import os
import platform
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PIPELINE_SHARED", ROOT.parent / "shared"))
EVAL = SHARED / "eval-data"
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "_work"


def read_maybe_gz(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


# ----------------------------------------------------------------------------------------------------------
# HTML extraction sets


@dataclass
class Page:
    set: str
    name: str
    html: bytes
    gold: str = ""  # full main text (empty for snippet sets)
    with_snippets: list[str] = field(default_factory=list)
    without_snippets: list[str] = field(default_factory=list)
    url: str | None = None


TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """Gold text from gold HTML: block tags become line breaks, other tags vanish, entities decoded."""
    markup = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", markup)
    markup = re.sub(r"(?i)</?(p|div|br|h[1-6]|li|tr|section|article|blockquote|pre|table|ul|ol)[^>]*>", "\n", markup)
    text = html_lib.unescape(TAG.sub(" ", markup))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def load_scrapinghub() -> Iterator[Page]:
    base = EVAL / "scrapinghub-aeb"
    if not base.exists():
        return
    truth = json.loads((base / "ground-truth.json").read_text())
    for key in sorted(truth):
        path = base / "html" / f"{key}.html.gz"
        if path.exists():
            yield Page("scrapinghub-aeb", key, read_maybe_gz(path), truth[key]["articleBody"], url=truth[key].get("url"))


CLEANEVAL_MARKER = re.compile(r"^\s*<(p|h|l)>\s*", re.IGNORECASE | re.MULTILINE)


def load_cleaneval() -> Iterator[Page]:
    base = EVAL / "cleaneval-dev"
    if not base.exists():
        return
    for gold_path in sorted(base.glob("GoldStandard/*.txt.gz"), key=lambda p: int(p.name.split(".")[0])):
        number = gold_path.name.split(".")[0]
        html_path = base / "input" / f"{number}.html.gz"
        if not html_path.exists():
            continue
        gold = read_maybe_gz(gold_path).decode("utf-8", "replace")
        lines = gold.splitlines()
        url = lines[0][4:].strip() if lines and lines[0].startswith("URL:") else None
        if url is not None:
            gold = "\n".join(lines[1:])
        gold = CLEANEVAL_MARKER.sub("", gold)
        yield Page("cleaneval-dev", number, read_maybe_gz(html_path), gold, url=url)


def load_readability() -> Iterator[Page]:
    base = EVAL / "mozilla-readability-testpages" / "pages"
    if not base.exists():
        return
    for folder in sorted(base.iterdir()):
        source, expected = folder / "source.html.gz", folder / "expected.html.gz"
        if source.exists() and expected.exists():
            gold = html_to_text(read_maybe_gz(expected).decode("utf-8", "replace"))
            yield Page("mozilla-readability", folder.name, read_maybe_gz(source), gold, url="http://fakehost/")


def load_zh() -> Iterator[Page]:
    base = EVAL / "zh-web-content-extraction-dev"
    if not base.exists():
        return
    for gold_path in sorted((base / "cleaned").glob("*.txt")):
        html_path = base / "original" / f"{gold_path.stem}.html"
        if html_path.exists():
            gold = gold_path.read_bytes().decode("utf-8", "replace")
            yield Page("zh-web-content-extraction", gold_path.stem, html_path.read_bytes(), gold)


def load_trafilatura_eval() -> Iterator[Page]:
    base = EVAL / "trafilatura-eval"
    if not base.exists():
        return
    data = json.loads((base / "evaldata.json").read_text())
    for url in sorted(data):
        item = data[url]
        path = base / "html" / f"{item['file']}.gz"
        if path.exists():
            yield Page("trafilatura-eval", item["file"], read_maybe_gz(path), "", item.get("with", []),
                       item.get("without", []), url=url)


HTML_SETS = {
    "scrapinghub-aeb": load_scrapinghub,
    "cleaneval-dev": load_cleaneval,
    "mozilla-readability": load_readability,
    "zh-web-content-extraction": load_zh,
    "trafilatura-eval": load_trafilatura_eval,
}


# ----------------------------------------------------------------------------------------------------------
# metrics

WORD = re.compile(r"\w+", re.UNICODE)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def is_cjk_text(text: str) -> bool:
    sample = text[:5000]
    letters = sum(1 for c in sample if c.isalpha())
    return letters > 0 and len(CJK.findall(sample)) / letters > 0.3


def shingles(text: str, cjk: bool) -> Counter:
    """4-gram shingles of `\\w+` tokens (ScrapingHub metric), or character bigrams for Chinese text."""
    if cjk:
        chars = [c for c in text if not c.isspace()]
        return Counter(a + b for a, b in zip(chars, chars[1:], strict=False))
    tokens = WORD.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def precision_recall(predicted: str, gold: str) -> tuple[float, float]:
    cjk = is_cjk_text(gold)
    p, g = shingles(predicted, cjk), shingles(gold, cjk)
    if not p and not g:
        return 1.0, 1.0
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(g.values()) if g else 0.0
    return precision, recall


def snippet_counts(predicted: str, page: Page) -> tuple[int, int, int, int]:
    """trafilatura-eval: (tp, fn, fp, tn) of must-have and must-not snippets, whitespace-normalised."""
    text = " ".join(predicted.split())
    tp = sum(1 for s in page.with_snippets if " ".join(s.split()) in text)
    fn = len(page.with_snippets) - tp
    fp = sum(1 for s in page.without_snippets if " ".join(s.split()) in text)
    tn = len(page.without_snippets) - fp
    return tp, fn, fp, tn


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ----------------------------------------------------------------------------------------------------------
# environment


def machine() -> dict:
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        info["cpu"] = model
    except (OSError, StopIteration):
        pass
    try:
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        info["memory_gb"] = round(int(mem.split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    return info


def versions(*packages: str) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in packages:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_result(name: str, data: dict, markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown.rstrip() + "\n")


def tune_or_check(key: str) -> str:
    """The half of a benchmark set an item belongs to, fixed by a hash of its id: rules are chosen on "tune",
    and a change is kept only when "check" agrees."""
    return "check" if hashlib.sha1(key.encode()).digest()[0] % 2 else "tune"


def page_key(page: Page) -> str:
    """A page's id across benchmarks: its set and its name in that set."""
    return f"{page.set}:{page.name}"


def page_half(page: Page) -> str:
    """The half a page belongs to in every benchmark built from the extraction sets (HTML extraction, text dumps,
    clean texts, not_prose): a page tuned on in one benchmark is never a check page in another. (Until
    2026-12-05 each benchmark hashed its own ids, so the Chinese Wikipedia page of a check dump was a tune page of
    the clean texts.)"""
    return tune_or_check(page_key(page))


# ----------------------------------------------------------------------------------------------------------
# a real S3 API on localhost (moto's server mode): the storage benchmark, tests/test_storage.py and
# scripts/airflow_distributed_check.py


def start_local_s3(access_key: str = "testing", secret_key: str = "testing"):
    """moto's S3 server on a free port of 127.0.0.1, in a thread of this process. Returns (server, env): `env`
    points S3 clients at it (botocore reads AWS_ENDPOINT_URL). Raises RuntimeError saying why it cannot start
    (moto[server] or s3fs missing, or the server failing)."""
    import logging
    import socket

    try:
        import s3fs  # noqa: F401 - what the pipeline opens s3:// with
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise RuntimeError(f"moto[server] and s3fs are needed ({exc}); pip install -e '.[test]'") from exc
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        raise RuntimeError(f"the local S3 endpoint (moto) could not start: {exc}") from exc
    env = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    return server, env
