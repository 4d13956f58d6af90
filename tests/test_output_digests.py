"""The output, held by digests: restructuring the code must not change a byte of what the pipeline keeps,
rejects or records. Each digest covers every row of both datasets (all columns, rows in id order), so a
change anywhere shows; when a change of output is meant, regenerate the digests with

    python tests/test_output_digests.py --update

and say in the commit what changed and why. The sample data always runs; the seeds and a fixed slice of
the benchmark pages run when ../shared is present."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DIGESTS = Path(__file__).with_name("output_digests.json")
EVAL = SHARED / "eval-data"


def _pages(folder: Path, pattern: str, count: int) -> list[Path]:
    return sorted(folder.glob(pattern))[:count] if folder.exists() else []


# name -> files (or a folder) to run; a name whose inputs are absent is skipped
def corpora() -> dict[str, list[Path]]:
    return {
        "sample": [ROOT / "data" / "raw"],
        "seeds": [SHARED / "seeds"] if (SHARED / "seeds").exists() else [],
        "scrapinghub_html": _pages(EVAL / "scrapinghub-aeb" / "html", "*", 40),
        "zh_html": _pages(EVAL / "zh-web-content-extraction-dev" / "original", "*.html", 30),
        "cleaneval_html": _pages(EVAL / "cleaneval-dev" / "input", "*", 30),
        "scrapinghub_dumps": _pages(EVAL / "scrapinghub-aeb" / "html", "*", 40),  # as text dumps (below)
    }


def _as_text_dump(path: Path, folder: Path) -> None:
    """A page flattened into lines of visible text, as the benchmark's dumps are made."""
    sys.path.insert(0, str(ROOT))
    from bench.common import read_maybe_gz
    from bench.text_dump_bench import visible_text

    (folder / (path.name.split(".")[0] + ".txt")).write_text(visible_text(read_maybe_gz(path)), encoding="utf-8")


def output_digest(out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text())
    digest = {}
    for key in ("shards", "rejected"):
        rows = []
        for shard in manifest[key]:
            rows.extend(pq.read_table(out / shard["path"]).to_pylist())
        rows.sort(key=lambda r: r["id"])
        blob = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode()
        digest[key] = {"rows": len(rows), "sha256": hashlib.sha256(blob).hexdigest()}
    return digest


def run_corpus(inputs: list[Path], work: Path, dumps: bool = False) -> dict:
    from pipeline.config import Config
    from pipeline.runner import run

    folder = work / "in"
    folder.mkdir(parents=True)
    for item in inputs:  # copied into one folder, so that sources do not depend on where ../shared sits
        if dumps:
            _as_text_dump(item, folder)
        elif item.is_dir():
            shutil.copytree(item, folder / item.name)
        else:
            shutil.copyfile(item, folder / item.name)
    config = Config()
    config.output.report = False
    run([str(folder)], work / "out", config, progress=False)
    return output_digest(work / "out")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(corpora()))
def test_output_is_unchanged(name, tmp_path):
    inputs = corpora()[name]
    if not inputs:
        pytest.skip(f"{name}: inputs not present (../shared)")
    expected = json.loads(DIGESTS.read_text())
    assert run_corpus(inputs, tmp_path, dumps=name.endswith("_dumps")) == expected[name]


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    import tempfile

    sys.path.insert(0, str(ROOT))
    found = {}
    for corpus_name, corpus_inputs in corpora().items():
        if corpus_inputs:
            with tempfile.TemporaryDirectory() as tmp:
                found[corpus_name] = run_corpus(corpus_inputs, Path(tmp), dumps=corpus_name.endswith("_dumps"))
                print(corpus_name, found[corpus_name], flush=True)
    DIGESTS.write_text(json.dumps(found, indent=2) + "\n")
