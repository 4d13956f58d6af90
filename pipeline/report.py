"""`report.html`: a self-contained page (inline SVG plots, no network) describing one finished run.

Built only from the output directory (stats.json, manifest.json and the shards), so it can be regenerated
at any time with `python -m pipeline report OUT`. The numbers shown are also embedded as JSON
(`<script id="report-data">`), which the tests compare with stats.json.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from .charts import GREEN, horizontal_bars, log_histogram, vertical_bars
from .writer import atomic_write_bytes

EXAMPLES_PER_REASON = 3
TOP_LINES = 20
REPORT_BATCH_ROWS = 10_000
MAX_COUNTED_LINES = 200_000


def _bar(labels: list[str], values: list[float], title: str, axis_label: str, horizontal: bool = True) -> str:
    if horizontal:
        return horizontal_bars(labels, values, title, axis_label)
    return vertical_bars(labels, values, title, axis_label)


def _funnel(stats: dict) -> str:
    """Documents and characters out of each stage, side by side."""
    stages = list(stats["stages"])
    docs = [stats["stages"][s]["docs_out"] for s in stages]
    chars = [stats["stages"][s]["chars_out"] for s in stages]
    return (vertical_bars(stages, docs, "documents out of each stage", "documents")
            + vertical_bars(stages, chars, "characters out of each stage", "characters", color=GREEN))


def _histogram(before, after) -> str:
    """Length histograms of two integer arrays (numpy), on a log scale."""
    return log_histogram({"decoded input (all documents)": before, "kept text": after},
                         "text length before and after", "characters per document")


def _batches(output: Path, entries: list[dict], columns: list[str]):
    """Record batches of the listed Parquet files: the report reads a corpus batch by batch (as Python rows,
    600,000 documents with their cut spans took 2.5 GB)."""
    for entry in entries:
        path = output / entry["path"]
        if path.exists():
            yield from pq.ParquetFile(path).iter_batches(batch_size=REPORT_BATCH_ROWS, columns=columns)


def _lengths(batch, column: str):
    """A length column of a record batch as int64 numpy (missing lengths count as 0, as before)."""
    import numpy as np

    return batch.column(column).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)


def _prune(counter: Counter) -> None:
    """Keep a line counter bounded on big corpora: past MAX_COUNTED_LINES distinct lines, only the most
    frequent half is kept. Frequent boilerplate recurs in every batch, so the top lines survive."""
    if len(counter) > MAX_COUNTED_LINES:
        kept = counter.most_common(MAX_COUNTED_LINES // 2)
        counter.clear()
        counter.update(dict(kept))


def report_data(output: Path, manifest: dict | None = None) -> dict:
    """Everything the page shows, as plain data (also embedded in the page)."""
    import numpy as np

    stats = json.loads((output / "stats.json").read_text())
    if manifest is None:
        manifest = json.loads((output / "manifest.json").read_text())
    languages: Counter = Counter()
    clusters: Counter = Counter()
    boiler_lines: Counter = Counter()
    examples: dict[str, list[dict]] = {}
    before: list[np.ndarray] = []
    after: list[np.ndarray] = []
    columns = ["source", "chars", "input_chars", "lang", "cluster_size", "cut_spans"]
    for batch in _batches(output, manifest["shards"], columns):
        after.append(_lengths(batch, "chars"))
        before.append(_lengths(batch, "input_chars"))
        languages.update(lang or "unknown" for lang in batch.column("lang").to_pylist())
        clusters.update(size for size in batch.column("cluster_size").to_pylist() if size and size > 1)
        for source, spans in zip(batch.column("source").to_pylist(), batch.column("cut_spans").to_pylist(),
                                 strict=True):
            for span in spans or []:
                if span["stage"] in ("extract", "boilerplate", "dedup"):
                    boiler_lines.update(line.strip()[:120] for line in span["text"].splitlines() if line.strip())
                bucket = examples.setdefault(span["reason"], [])
                if len(bucket) < EXAMPLES_PER_REASON:
                    bucket.append({"source": source, "text": span["text"]})
        _prune(boiler_lines)
    for batch in _batches(output, manifest["rejected"], ["input_chars"]):
        before.append(_lengths(batch, "input_chars"))
    return {
        "documents_kept": stats["documents_kept"],
        "documents_rejected": stats["documents_rejected"],
        "rejected_by_reason": stats["rejected_by_reason"],
        "spans_by_reason": stats["spans_by_reason"],
        "stages": {name: {"docs_in": s["docs_in"], "docs_out": s["docs_out"], "chars_out": s["chars_out"]}
                   for name, s in stats["stages"].items()},
        "kept_by_language": dict(languages.most_common()),
        "inputs": len(manifest["inputs"]),
        "length_before": np.sort(np.concatenate(before)) if before else np.zeros(0, np.int64),
        "length_after": np.sort(np.concatenate(after)) if after else np.zeros(0, np.int64),
        "top_boilerplate_lines": boiler_lines.most_common(TOP_LINES),
        "duplicate_cluster_sizes": dict(sorted(clusters.items())),
        "span_examples": dict(sorted(examples.items())),
        "run": {"pipeline_version": manifest["pipeline_version"], "mode": manifest["mode"],
                "run_key": manifest.get("run_key", "")},
    }


def render(data: dict, stats: dict) -> str:
    esc = html.escape
    parts = []
    parts.append(f"<p>{data['inputs']} input files; <b>{data['documents_kept']}</b> documents kept, "
                 f"<b>{data['documents_rejected']}</b> rejected. Pipeline {esc(data['run']['pipeline_version'])}, "
                 f"{esc(data['run']['mode'])} run.</p>")
    parts.append("<h2>Funnel</h2>" + _funnel(stats))
    rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{s['docs_in']}</td><td>{s['docs_out']}</td>"
        f"<td>{sum(s['rejected'].values())}</td><td>{s['chars_out']}</td><td>{s['seconds']:.2f}</td></tr>"
        for name, s in stats["stages"].items()
    )
    parts.append("<table class='sortable'><thead><tr><th>stage</th><th>docs in</th><th>docs out</th>"
                 f"<th>rejected</th><th>chars out</th><th>seconds</th></tr></thead><tbody>{rows}</tbody></table>")
    if data["rejected_by_reason"]:
        reasons = list(data["rejected_by_reason"].items())
        parts.append("<h2>Removed documents by reason</h2>" + _bar(
            [r for r, _ in reasons], [c for _, c in reasons], "rejected documents", "documents"))
    if data["spans_by_reason"]:
        spans = list(data["spans_by_reason"].items())
        parts.append("<h2>Cut spans by reason</h2>" + _bar(
            [r for r, _ in spans], [v["chars"] for _, v in spans], "characters cut from kept documents", "characters"))
    if data["kept_by_language"]:
        langs = list(data["kept_by_language"].items())
        parts.append("<h2>Kept documents by language</h2>" + _bar(
            [k for k, _ in langs], [v for _, v in langs], "kept documents", "documents", horizontal=False))
    parts.append("<h2>Text length</h2>" + _histogram(data["length_before"], data["length_after"]))
    if data["duplicate_cluster_sizes"]:
        sizes = list(data["duplicate_cluster_sizes"].items())
        parts.append("<h2>Duplicate clusters</h2>" + _bar(
            [f"size {k}" for k, _ in sizes], [v for _, v in sizes], "kept documents by size of their duplicate cluster",
            "kept documents", horizontal=False))
    if data["top_boilerplate_lines"]:
        rows = "".join(f"<tr><td><code>{esc(line)}</code></td><td>{count}</td></tr>"
                       for line, count in data["top_boilerplate_lines"])
        parts.append("<h2>Most frequent boilerplate lines removed</h2><table class='sortable'><thead><tr>"
                     f"<th>line</th><th>times</th></tr></thead><tbody>{rows}</tbody></table>")
    if data["span_examples"]:
        parts.append("<h2>Examples of cut spans</h2>")
        for reason, items in data["span_examples"].items():
            parts.append(f"<h3>{esc(reason)}</h3>")
            for item in items:
                parts.append(f"<div class='example'><div class='src'>{esc(item['source'])}</div>"
                             f"<pre>{esc(item['text'])}</pre></div>")
    payload = json.dumps({k: v for k, v in data.items() if k not in ("length_before", "length_after")},
                         ensure_ascii=False).replace("</", "<\\/")
    return PAGE.format(body="\n".join(parts), data=payload, text_fonts=TEXT_FONTS, code_fonts=CODE_FONTS)


# Span examples are often Chinese: name the common CJK fonts of macOS, Windows and Linux before the generic
# family, so that a browser whose default sans-serif has no CJK glyphs does not draw empty boxes.
CJK_FONTS = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Microsoft JhengHei", "SimSun", '
             '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
             '"Droid Sans Fallback"')
TEXT_FONTS = f'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, {CJK_FONTS}, sans-serif'
CODE_FONTS = f'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", {CJK_FONTS}, monospace'

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>corpus-pipeline run report</title>
<style>
body {{ font-family: {text_fonts}; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
th {{ background: #eef; cursor: pointer; }} td:not(:first-child) {{ text-align: right; }}
pre {{ font-family: {code_fonts}; background: #f6f6f6; padding: 6px; white-space: pre-wrap; max-height: 12em; overflow: auto; margin: 0; }}
.example {{ margin: .5em 0; }} .src {{ color: #666; font-size: .85em; }} svg {{ max-width: 100%; height: auto; }}
</style></head>
<body>
<h1>Run report</h1>
{body}
<script type="application/json" id="report-data">{data}</script>
<script>
// click a column header to sort a table (no libraries, no network)
document.querySelectorAll("table.sortable th").forEach(function (th, index) {{
  th.addEventListener("click", function () {{
    var body = th.closest("table").querySelector("tbody");
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) {{ return !isNaN(parseFloat(r.cells[th.cellIndex].textContent)); }});
    rows.sort(function (a, b) {{
      var x = a.cells[th.cellIndex].textContent, y = b.cells[th.cellIndex].textContent;
      return numeric ? parseFloat(y) - parseFloat(x) : x.localeCompare(y);
    }});
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }});
}});
document.body.dataset.rendered = "yes";
</script>
</body></html>
"""


def write_report(output: Path, manifest: dict | None = None) -> Path:
    """Write OUTPUT/report.html (atomically) and return its path. `manifest` is passed by the publish step,
    which writes the report before the manifest (the manifest is always the last file of a run)."""
    output = Path(output)
    needed = ["stats.json"] + ([] if manifest is not None else ["manifest.json"])
    for name in needed:
        if not (output / name).exists():
            raise FileNotFoundError(f"{output / name} not found: is {output} the output of a finished run?")
    stats = json.loads((output / "stats.json").read_text())
    page = render(report_data(output, manifest), stats)
    path = output / "report.html"
    atomic_write_bytes(path, page.encode("utf-8"))
    return path
