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
    result = _cli("run", "data/raw", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "documents kept" in result.stdout and "rejected: reason" in result.stdout
    assert "Truncating input" not in result.stderr  # libraries' chatter stays out
    quiet = _cli("run", "data/raw", "--output", str(tmp_path / "quiet"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout.strip().count("\n") == 0 and "documents kept" in quiet.stdout
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


def test_shard_bytes_takes_a_size_with_its_unit(tmp_path):
    import argparse

    import pytest

    from pipeline.cli import byte_size

    assert byte_size("67108864") == 64 * 1024 * 1024 == byte_size("64MB") == byte_size("64M") == byte_size("64 MiB")
    assert byte_size("512kb") == 512 * 1024 and byte_size("1.5G") == 3 * 1024**3 // 2
    for bad in ("", "MB", "64 XB", "-1", "0", "0.1"):
        with pytest.raises(argparse.ArgumentTypeError):
            byte_size(bad)
    result = _cli("run", "data/raw", "--output", str(tmp_path / "o"), "--shard-bytes", "2MB", "--quiet")
    assert result.returncode == 0, result.stderr
    result = _cli("run", "data/raw", "--output", str(tmp_path / "o"), "--shard-bytes", "lots")
    assert result.returncode == 2 and "is not a size" in result.stderr


def test_rejected_inputs_do_not_fail_the_run(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (inputs / "empty.txt").write_bytes(b"")
    result = _cli("run", str(inputs), "--output", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    assert "binary" in result.stdout and "empty" in result.stdout


def test_messages_not_tracebacks(tmp_path):
    malformed = tmp_path / "malformed.toml"
    malformed.write_text("[dedup\nthreshold = 0.5\n")
    result = _cli("run", "data/raw", "--output", str(tmp_path / "o"), "--config", str(malformed))
    assert result.returncode == 2 and "is not valid TOML" in result.stderr and "Traceback" not in result.stderr
    taken = tmp_path / "a_file"
    taken.write_text("x")
    result = _cli("run", "data/raw", "--output", str(taken))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr
    result = _cli("run", "data/raw", "--output", str(taken / "out"))
    assert result.returncode == 2 and "cannot be written" in result.stderr and "Traceback" not in result.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = _cli("run", "data/raw", "--output", str(locked / "out"))
        if result.returncode != 0 or "cannot be written" in result.stderr:  # root writes anywhere
            assert result.returncode == 2 and "cannot be written" in result.stderr
            assert "Traceback" not in result.stderr
    finally:
        locked.chmod(0o700)
    missing_output = _cli("run", "data/raw")
    assert missing_output.returncode == 2 and "--output" in missing_output.stderr


def test_stats_and_explain_into_a_closed_pipe(tmp_path):
    out = tmp_path / "out"
    assert _cli("run", "data/raw", "--output", str(out), "--quiet").returncode == 0
    for command in (f"stats {out}", f"explain {out} --source records.jsonl", f"stats {out} --json"):
        piped = subprocess.run(f"{sys.executable} -m pipeline {command} | head -n 1", shell=True, cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
        assert piped.stdout.count("\n") == 1 and piped.stderr == "", (command, piped.stderr)


def test_one_off_run_does_not_replace_a_corpus_from_another_input(tmp_path):
    out = tmp_path / "out"
    assert _cli("run", "data/raw", "--output", str(out), "--quiet").returncode == 0
    before = (out / "manifest.json").read_text()
    one_file = tmp_path / "one_file.txt"
    one_file.write_bytes((ROOT / "data" / "raw" / "gazette_en.txt").read_bytes())
    result = _cli("run", str(one_file), "--output", str(out), "--quiet")
    assert result.returncode == 2 and "published from" in result.stderr and "--force" in result.stderr
    # one file of the same input root: it would retract the other inputs
    result = _cli("run", "data/raw/gazette_en.txt", "--output", str(out), "--quiet")
    assert result.returncode == 2 and "would retract 6 of the 7 published inputs" in result.stderr
    assert (out / "manifest.json").read_text() == before
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _cli("run", str(empty), "--output", str(tmp_path / "o2"))
    assert result.returncode == 2 and "no input files found" in result.stderr and "--allow-empty" in result.stderr
    nothing = _cli("run", "data/raw", "--output", str(out), "--incremental")
    assert nothing.returncode == 0 and "nothing changed since the last publish" in nothing.stdout
