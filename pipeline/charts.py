"""Bar charts and histograms as inline SVG strings, for the run report.

Written by hand, not with matplotlib: the report's six plain charts cost a run about 2 s with matplotlib
(its import and figure layout), more than the whole pipeline takes on a small input, and bars with a labelled
axis need no plotting library. Output is deterministic: the same data gives the same bytes.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

BLUE = "#4a78b5"
GREEN = "#6aa56a"
ORANGE = "#e0913a"
FONT_SIZE = 11
CHAR_WIDTH = 0.6 * FONT_SIZE  # average glyph width, for sizing label margins (CJK labels are rare here)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (steps of 1, 2 or 5 times a power of ten; whole steps, as
    the charts count documents and characters)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = max(top / count, 1.0)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def _number(value: float) -> str:
    """A tick label: 1200 -> 1.2k, 3000000 -> 3M, 0.5 -> 0.5."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _text(x: float, y: float, label: str, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_SIZE}"{extra}>'
            f"{escape(str(label))}</text>")


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    width = max(width, len(title) * CHAR_WIDTH + 40)  # a chart of few columns still shows its whole title
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" role="img">'
            f"<title>{escape(title)}</title>"
            + _text(width / 2, 16, title, "middle", ' font-weight="bold"') + "".join(body) + "</svg>")


def horizontal_bars(labels: list[str], values: list[float], title: str, axis_label: str) -> str:
    """One bar per label, labels on the left, values along the bottom axis."""
    label_width = min(300.0, max((len(str(label)) for label in labels), default=4) * CHAR_WIDTH + 10)
    plot_width, row = 460.0, 20.0
    left, top = label_width, 28.0
    height = top + row * len(labels) + 44
    ticks = nice_ticks(max(values, default=0))
    scale = plot_width / ticks[-1]
    body = []
    for tick in ticks:
        x = left + tick * scale
        body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + row * len(labels):.1f}" stroke="#ddd"/>')
        body.append(_text(x, top + row * len(labels) + 14, _number(tick), "middle"))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        body.append(_text(left - 6, y + row * 0.7, label, "end"))
        body.append(f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{value * scale:.1f}" height="{row - 6:.1f}" '
                    f'fill="{BLUE}"><title>{escape(str(label))}: {value:g}</title></rect>')
    body.append(_text(left + plot_width / 2, height - 8, axis_label, "middle"))
    return _svg(left + plot_width + 20, height, body, title)


def vertical_bars(labels: list[str], values: list[float], title: str, axis_label: str, color: str = BLUE) -> str:
    """One column per label, labels under the columns (slanted), values up the left axis."""
    column = 34.0
    label_depth = min(160.0, max((len(str(label)) for label in labels), default=4) * CHAR_WIDTH * 0.75 + 12)
    left, top, plot_height = 60.0, 28.0, 180.0
    width = left + column * max(len(labels), 1) + 20
    height = top + plot_height + label_depth + 8
    ticks = nice_ticks(max(values, default=0))
    scale = plot_height / ticks[-1]
    base = top + plot_height
    body = []
    for tick in ticks:
        y = base - tick * scale
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 6, y + 4, _number(tick), "end"))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * column
        body.append(f'<rect x="{x + 4:.1f}" y="{base - value * scale:.1f}" width="{column - 8:.1f}" '
                    f'height="{value * scale:.1f}" fill="{color}"><title>{escape(str(label))}: {value:g}</title></rect>')
        cx = x + column / 2
        body.append(_text(cx, base + 12, label, "end", f' transform="rotate(-45 {cx:.1f} {base + 12:.1f})"'))
    body.append(_text(14, top + plot_height / 2, axis_label, "middle",
                      f' transform="rotate(-90 14 {top + plot_height / 2:.1f})"'))
    return _svg(width, height, body, title)


def log_histogram(series: dict[str, np.ndarray], title: str, axis_label: str, bins: int = 30) -> str:
    """Overlaid histograms of positive integers on logarithmic bins (one colour per series, with a legend)."""
    series = {name: np.asarray(values) for name, values in series.items()}
    series = {name: values[values > 0] for name, values in series.items()}
    largest = max((int(values.max()) for values in series.values() if values.size), default=1)
    edges = np.logspace(0, np.log10(largest + 1), bins + 1)
    counts = {name: np.histogram(values, bins=edges)[0].tolist() for name, values in series.items()}
    left, top, plot_width, plot_height = 60.0, 28.0, 480.0, 180.0
    width, height = left + plot_width + 20, top + plot_height + 70
    ticks = nice_ticks(max((max(row) for row in counts.values()), default=0))
    scale = plot_height / ticks[-1]
    base = top + plot_height
    log_top = math.log10(edges[-1]) or 1.0  # (edges[-1] >= 2)

    def x_of(value: float) -> float:
        return left + plot_width * math.log10(value) / log_top

    body = []
    for tick in ticks:
        y = base - tick * scale
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 6, y + 4, _number(tick), "end"))
    for power in range(int(math.log10(edges[-1])) + 1):
        x = x_of(10**power)
        body.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#444"/>')
        body.append(_text(x, base + 16, _number(10**power), "middle"))
    for row, color in zip(counts.values(), (BLUE, ORANGE, GREEN), strict=False):
        for i, count in enumerate(row):
            if count:
                x0, x1 = x_of(float(edges[i])), x_of(float(edges[i + 1]))
                body.append(f'<rect x="{x0:.1f}" y="{base - count * scale:.1f}" width="{max(x1 - x0, 0.5):.1f}" '
                            f'height="{count * scale:.1f}" fill="{color}" fill-opacity="0.6"/>')
    for i, ((name, _), color) in enumerate(zip(counts.items(), (BLUE, ORANGE, GREEN), strict=False)):
        y = top + 6 + i * 16
        body.append(f'<rect x="{left + plot_width - 200}" y="{y}" width="10" height="10" fill="{color}" '
                    'fill-opacity="0.6"/>')
        body.append(_text(left + plot_width - 185, y + 9, name))
    body.append(_text(left + plot_width / 2, height - 10, axis_label, "middle"))
    return _svg(width, height, body, title)
