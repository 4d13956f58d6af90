"""The stage funnel: one order everywhere (STAGES), and characters that only go down along it."""

import json

from pipeline.config import Config
from pipeline.runner import run
from pipeline.stages import STAGE_NAMES, STAGES
from pipeline.stats import RunStats


def test_stats_follow_the_one_order_of_stages():
    stats = RunStats()
    for name in reversed(STAGE_NAMES):
        stats.stage(name)
    assert list(stats.to_dict()) == list(STAGE_NAMES)
    assert STAGE_NAMES[1:-2] == tuple(s.name for s in STAGES)


def test_funnel_characters_never_rise(tmp_path, sample_dir):
    config = Config()
    config.output.report = False
    run([str(sample_dir)], tmp_path / "out", config, progress=False)
    stages = json.loads((tmp_path / "out" / "stats.json").read_text())["stages"]
    assert list(stages) == list(STAGE_NAMES)
    chars = [stages[name]["chars_out"] for name in STAGE_NAMES[1:]]  # reading counts documents only
    assert all(a >= b for a, b in zip(chars, chars[1:], strict=False)), dict(zip(STAGE_NAMES[1:], chars, strict=True))
    docs = [stages[name]["docs_out"] for name in STAGE_NAMES if name != "split"]  # split may add pages
    assert all(a >= b for a, b in zip(docs[1:], docs[2:], strict=False))
