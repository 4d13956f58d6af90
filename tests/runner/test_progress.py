"""Progress output: a bar on a terminal, plain lines without one, the same ETA in both, nothing with --quiet."""

from __future__ import annotations

import fcntl
import logging
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

from pipeline.config import Config
from pipeline.runner import local, run

ROOT = Path(__file__).resolve().parent.parent.parent


def test_progress_lines_give_no_eta_before_a_tenth_of_the_input(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(local.time, "time", lambda: clock[0])
    progress = local._Progress(total_bytes=1000, enabled=False)
    clock[0] += 2
    progress.update(50, 3)
    assert "ETA after 10%" in progress.line()
    clock[0] += 2
    progress.update(150, 9)  # 20% in 4 s: 16 s to go
    assert "ETA 16s" in progress.line() and "20%" in progress.line()
    clock[0] += 596
    progress.update(100, 1)  # 30% in 600 s: 1400 s to go, said in minutes
    assert "ETA 23 min" in progress.line()


def _run_on_a_terminal(args: list[str], columns: int = 110) -> tuple[int, str, str]:
    """The CLI with stderr on a pseudo-terminal of the given width (stdout piped, as `run | tee` would)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "TQDM_DISABLE"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    terminal = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            terminal += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    stdout = proc.stdout.read().decode()
    return proc.wait(), stdout, terminal.decode(errors="replace")


def test_a_terminal_gets_a_live_bar_with_rates_and_then_the_steps_after_reading(tmp_path):
    code, stdout, terminal = _run_on_a_terminal(["run", "data/raw", "--output", str(tmp_path / "out")])
    assert code == 0, terminal
    frames = [f for f in terminal.replace("\n", "\r").split("\r") if f.startswith("reading")]
    assert len(frames) >= 2, terminal  # redrawn in place, not one line per update
    last = frames[-1]
    assert "100%|" in last and "█" in last and "B/s" in last and "docs/s" in last and "ETA" in last, last
    assert all(len(f) <= 110 for f in frames)  # fits the terminal
    assert "now the corpus-wide steps" in terminal
    assert "documents kept" in stdout  # the summary goes to stdout, the bar to the terminal


def test_without_a_terminal_progress_is_plain_lines(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(local._Progress, "LOG_EVERY", 0.0)  # a line at every update
    with caplog.at_level(logging.INFO, logger="pipeline"):
        run([str(ROOT / "data" / "raw")], tmp_path / "out", Config(), progress=True)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("read ")]
    assert any("docs/s" in line and "MB/s" in line and "ETA" in line for line in lines), lines
    assert all("\r" not in line and "█" not in line for line in lines)


def test_quiet_prints_the_summary_line_only(tmp_path):
    code, stdout, terminal = _run_on_a_terminal(["run", "data/raw", "--output", str(tmp_path / "out"), "--quiet"])
    assert code == 0
    assert stdout.strip().count("\n") == 0 and "documents kept" in stdout
    assert terminal.strip() == "", terminal  # no bar, no log lines, no library chatter
