"""Run a function in a helper process with a time limit, so one pathological input cannot hang a run.

A single long-lived helper process serves all calls (forking per call would cost more than the work
itself); when a call overruns, the helper is killed and a fresh one is started for the next call. Where a
helper process cannot be started (inside a daemonic worker), calls run inline with SIGALRM on the main
thread, or without a limit as a last resort.

    >>> call_with_timeout(len, ("abc",), timeout=1.0)
    3
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from typing import Any


class CallTimeout(Exception):
    """The call ran past its time limit."""


class RemoteError(Exception):
    """The call raised inside the helper process."""


def _serve(conn, parent_end, parent_pid: int) -> None:  # runs in the helper
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent; it stops us by closing the pipe
    # handlers installed by the parent (a task runner's SIGTERM handler, say) were copied by the fork;
    # the helper must die on SIGTERM like any plain process
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # the fork copied the parent's end of the pipe: close it, or the pipe never reports EOF when the parent
    # dies (without atexit, e.g. os._exit in a task runner) and this helper would live on forever
    parent_end.close()
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent_pid:
                    return  # orphaned
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args = message
        try:
            conn.send((True, fn(*args)))
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            conn.send((False, f"{type(exc).__name__}: {exc}"))


class _Helper:
    def __init__(self) -> None:
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn = None
        self.pid = 0

    def ensure(self) -> bool:
        if self.process is not None and self.process.is_alive() and self.pid == os.getpid():
            return True
        try:
            ctx = multiprocessing.get_context("fork")
            parent, child = ctx.Pipe()
            process = ctx.Process(target=_serve, args=(child, parent, os.getpid()), daemon=True)
            process.start()
        except (AssertionError, OSError, ValueError):
            return False  # e.g. "daemonic processes are not allowed to have children"
        child.close()
        self.process, self.conn, self.pid = process, parent, os.getpid()
        return True

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
        self.process = None
        self.conn = None

    def call(self, fn: Callable, args: tuple, timeout: float) -> Any:
        assert self.conn is not None
        self.conn.send((fn, args))
        if not self.conn.poll(timeout):
            self.kill()
            raise CallTimeout(f"no result after {timeout:g}s")
        try:
            ok, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise RemoteError(f"helper process died: {exc}") from exc
        if not ok:
            raise RemoteError(value)
        return value


_helper = _Helper()
_helper_lock = threading.Lock()
atexit.register(lambda: _helper.kill() if _helper.pid == os.getpid() else None)


def _alarm(fn: Callable, args: tuple, timeout: float) -> Any:
    def on_alarm(signum, frame):
        raise CallTimeout(f"no result after {timeout:g}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call_with_timeout(fn: Callable, args: tuple, timeout: float, isolate: bool = True) -> Any:
    """`fn(*args)` with a time limit. Raises CallTimeout, or RemoteError when fn raised in the helper."""
    if isolate:
        with _helper_lock:
            if _helper.ensure():
                return _helper.call(fn, args, timeout)
    if threading.current_thread() is threading.main_thread():
        return _alarm(fn, args, timeout)
    return fn(*args)

