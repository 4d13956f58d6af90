import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.report import report_data, write_report
from pipeline.runner import run

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"  # git-ignored: screenshots for a person to look at


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    run([str(ROOT / "data" / "raw")], out, Config(), progress=False)
    return out


def _embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1).replace("<\\/", "</"))


def test_report_numbers_equal_stats(finished_run):
    stats = json.loads((finished_run / "stats.json").read_text())
    page = (finished_run / "report.html").read_text()
    data = _embedded(page)
    assert data["documents_kept"] == stats["documents_kept"]
    assert data["documents_rejected"] == stats["documents_rejected"]
    assert data["rejected_by_reason"] == stats["rejected_by_reason"]
    assert data["spans_by_reason"] == stats["spans_by_reason"]
    for name, s in stats["stages"].items():
        assert data["stages"][name] == {"docs_in": s["docs_in"], "docs_out": s["docs_out"], "chars_out": s["chars_out"]}
    assert sum(data["kept_by_language"].values()) == stats["documents_kept"]
    full = report_data(finished_run)
    import pyarrow.parquet as pq

    manifest = json.loads((finished_run / "manifest.json").read_text())
    sizes = [size for s in manifest["shards"]
             for size in pq.read_table(finished_run / s["path"], columns=["cluster_size"]).column(0).to_pylist()]
    assert data["duplicate_cluster_sizes"] == {str(k): sizes.count(k) for k in sorted(set(sizes)) if k > 1}
    assert len(full["length_after"]) == stats["documents_kept"]
    assert len(full["length_before"]) == stats["documents_kept"] + stats["documents_rejected"]


def test_report_is_self_contained_and_regenerable(finished_run):
    page = (finished_run / "report.html").read_text()
    assert page.count("<svg") >= 5
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from the network
    first = page
    (finished_run / "report.html").unlink()
    write_report(finished_run)
    assert (finished_run / "report.html").read_text() == first  # same run, same report


def test_report_renders_in_headless_chromium(finished_run):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium not installed (Debian package 'chromium'; .ci/run installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={finished_run.parent / 'chromium-profile'}", "--enable-logging=stderr", "--v=0"]
    url = (finished_run / "report.html").as_uri()
    dom = subprocess.run([chromium, *flags, "--virtual-time-budget=3000", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "LANG": "C.UTF-8"})
    assert 'data-rendered="yes"' in dom.stdout  # our script ran to the end
    assert dom.stdout.count("<svg") >= 5
    # Chromium logs every console message (errors and uncaught exceptions included) as ":CONSOLE";
    # the page logs nothing itself, so any such line is a problem
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    shot = subprocess.run([chromium, *flags, "--window-size=1200,3000", f"--screenshot={screenshot}", url],
                          capture_output=True, text=True, timeout=120)
    assert screenshot.exists() and screenshot.stat().st_size > 10_000, shot.stderr[-2000:]


def test_boilerplate_line_counts_stay_bounded(monkeypatch):
    from collections import Counter

    from pipeline import report

    monkeypatch.setattr(report, "MAX_COUNTED_LINES", 10)
    counter = Counter({f"rare line {i}": 1 for i in range(20)})
    counter.update({"Home | News | Sport": 50, "Copyright 2024": 40})
    report._prune(counter)
    assert len(counter) == 5 and counter.most_common(2) == [("Home | News | Sport", 50), ("Copyright 2024", 40)]
