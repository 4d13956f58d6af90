import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_run_stats_explain(tmp_path):
    out = tmp_path / "out"
    result = _cli("run", "data/raw", "--output", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "documents kept" in result.stdout and "rejected: reason" in result.stdout
    stats = _cli("stats", str(out), "--json")
    assert json.loads(stats.stdout)["documents_kept"] > 0
    table = _cli("stats", str(out))
    assert "stage" in table.stdout and "language" in table.stdout
    explain = _cli("explain", str(out), "--source", "records.jsonl")
    assert explain.returncode == 0
    assert "records.jsonl#3" in explain.stdout and "language" in explain.stdout
    explain_missing = _cli("explain", str(out), "--source", "nope.txt")
    assert explain_missing.returncode == 1 and "nothing found" in explain_missing.stdout


def test_usage_errors_exit_2(tmp_path):
    assert _cli("run", str(tmp_path / "missing"), "--output", str(tmp_path / "o")).returncode == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[dedup]\nnope = 1\n")
    result = _cli("run", "data/raw", "--output", str(tmp_path / "o"), "--config", str(bad))
    assert result.returncode == 2 and "unknown key" in result.stderr


def test_rejected_inputs_do_not_fail_the_run(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (inputs / "empty.txt").write_bytes(b"")
    result = _cli("run", str(inputs), "--output", str(tmp_path / "o"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "binary" in result.stdout and "empty" in result.stdout
