import re
import xml.etree.ElementTree as ET

import numpy as np

from pipeline.charts import horizontal_bars, log_histogram, nice_ticks, vertical_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_ticks_are_round_whole_steps_reaching_the_top():
    assert nice_ticks(9262) == [0, 2000, 4000, 6000, 8000, 10000]
    assert nice_ticks(2) == [0, 1, 2]
    assert nice_ticks(0) == [0.0, 1.0]
    ticks = nice_ticks(1_234_567)
    assert ticks[-1] >= 1_234_567 and len(ticks) <= 7


def _bars(svg: str) -> list[float]:
    root = ET.fromstring(svg)  # well-formed XML, labels escaped
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def test_bar_lengths_are_proportional_and_labels_escaped():
    svg = horizontal_bars(["<script>", "b & c"], [10, 40], "title <x>", "documents")
    widths = _bars(svg)
    assert widths[1] == 4 * widths[0]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert horizontal_bars(["a"], [1], "t", "x") == horizontal_bars(["a"], [1], "t", "x")  # deterministic


def test_vertical_bars_have_one_column_per_label():
    root = ET.fromstring(vertical_bars(["read", "decode", "junk"], [5, 5, 3], "docs", "documents"))
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert len(heights) == 3 and heights[0] == heights[1] > heights[2] > 0


def test_histogram_counts_every_positive_value_once():
    before = np.array([0, 1, 5, 50, 500, 5000, 5000])
    after = np.array([4, 40, 400])
    svg = log_histogram({"before": before, "after": after}, "lengths", "characters")
    ET.fromstring(svg)
    assert "before" in svg and "after" in svg
    # one bar per filled bin of each series: 6 positive values before (two equal), 3 after, plus two legend keys
    bars = re.findall(r'<rect [^>]*fill-opacity="0.6"', svg)
    assert len(bars) == 5 + 3 + 2
    empty = log_histogram({"nothing": np.zeros(0, np.int64)}, "lengths", "characters")
    ET.fromstring(empty)
