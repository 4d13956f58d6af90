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


def _chromium(profile: Path) -> tuple[str, list[str]]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium not installed (Debian package 'chromium'; .ci/run installs it)")
    return chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                      f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]


def test_report_renders_in_headless_chromium(finished_run):
    chromium, flags = _chromium(finished_run.parent / "chromium-profile")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
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


# Runs in the report page: draws Chinese in the font the page gives a span example (a <pre>) and in body
# text, and tells whether the glyphs are real: two different characters drawn as the same picture are the
# empty boxes of a missing font.
_GLYPH_PROBE = """<script>
(function () {
  function picture(font, ch) {
    var canvas = document.createElement("canvas"); canvas.width = 40; canvas.height = 40;
    var ctx = canvas.getContext("2d"); ctx.font = font; ctx.fillText(ch, 2, 30);
    return Array.prototype.join.call(ctx.getImageData(0, 0, 40, 40).data, ",");
  }
  var results = [];
  ["pre", "p"].forEach(function (tag) {
    var el = document.createElement(tag); el.textContent = "中文示例"; document.body.appendChild(el);
    var style = getComputedStyle(el), font = style.fontSize + " " + style.fontFamily;
    var a = picture(font, "中"), b = picture(font, "国"), blank = picture(font, " ");
    results.push(tag + ":" + (a !== b && a !== blank ? "glyphs" : "boxes") + ":" + style.fontFamily);
  });
  document.body.dataset.cjk = results.join("|");
})();
</script>"""


def test_report_names_cjk_fonts_and_chromium_draws_chinese_with_them(finished_run, tmp_path):
    from pipeline.report import CJK_FONTS

    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):  # macOS, Windows, Linux
        assert f'"{font}"' in CJK_FONTS
    chromium, flags = _chromium(tmp_path / "chromium-profile")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True) \
        if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        pytest.skip("no CJK font installed (Debian package fonts-wqy-microhei; .ci/run installs it): "
                    "nothing could draw Chinese on this machine")
    page = tmp_path / "report.html"
    page.write_text((finished_run / "report.html").read_text().replace("</body>", _GLYPH_PROBE + "</body>"))
    dom = subprocess.run([chromium, *flags, "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "LANG": "C.UTF-8"})
    found = re.search(r'data-cjk="([^"]*)"', dom.stdout)
    assert found, dom.stderr[-2000:]
    results = found.group(1).replace("&quot;", '"').split("|")
    assert len(results) == 2
    for result in results:
        tag, drawn, family = result.split(":", 2)
        assert drawn == "glyphs", result
        assert "Noto Sans CJK SC" in family and "WenQuanYi Micro Hei" in family, result  # the page's list applies


def test_boilerplate_line_counts_stay_bounded(monkeypatch):
    from collections import Counter

    from pipeline import report

    monkeypatch.setattr(report, "MAX_COUNTED_LINES", 10)
    counter = Counter({f"rare line {i}": 1 for i in range(20)})
    counter.update({"Home | News | Sport": 50, "Copyright 2024": 40})
    report._prune(counter)
    assert len(counter) == 5 and counter.most_common(2) == [("Home | News | Sport", 50), ("Copyright 2024", 40)]
