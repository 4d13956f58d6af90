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
    progress = local._Progress([("a.txt", 1000)], enabled=False)
    clock[0] += 2
    progress.update(50, 3)
    assert "ETA after 10%" in progress.line()
    clock[0] += 2
    progress.update(150, 9)  # no timings reported: 20% in 4 s, 16 s to read, + 15% of 20 s after reading
    assert "ETA 19s" in progress.line() and "20%" in progress.line()
    clock[0] += 596
    progress.update(100, 1)  # 30% in 600 s: 1400 s to read, + 300 s after it, said in minutes
    assert "ETA 28 min" in progress.line()


def test_eta_prices_each_kind_of_input_at_its_own_cost(monkeypatch):
    """Text dumps sorted before HTML pages: a byte of text costs ten of HTML. Once HTML has been timed the
    ETA stops pricing the pages' bytes as text."""
    clock = [0.0]
    monkeypatch.setattr(local.time, "time", lambda: clock[0])
    progress = local._Progress([("a.txt", 50), ("b.txt", 50), ("c.html", 450), ("d.html", 450)], enabled=False)
    clock[0] = 5
    progress.update(50, 1, "a.txt", 5.0)
    clock[0] = 10
    progress.update(50, 1, "b.txt", 5.0)  # 0.1 s per byte of text; HTML not seen: priced like text
    assert progress.eta_seconds() == 90 + 0.15 * (10 + 90)
    clock[0] = 14.5
    progress.update(450, 1, "c.html", 4.5)  # 0.01 s per byte of HTML
    assert abs(progress.eta_seconds() - (4.5 + 0.15 * (14.5 + 4.5))) < 1e-9
    assert local.input_kind("crawl/CC-1.warc.gz") == "warc+packed" and local.input_kind("a/b") == "text"


def test_eta_counts_the_workers_that_were_busy(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(local.time, "time", lambda: clock[0])
    progress = local._Progress([(f"{i}.txt", 100) for i in range(10)], enabled=False)
    clock[0] = 10
    progress.update(100, 1, "0.txt", 10.0)
    progress.update(100, 1, "1.txt", 10.0)  # two files of 10 s each in 10 s: two workers
    assert progress.eta_seconds() == 800 * 0.1 / 2 + 0.15 * (10 + 40)


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
