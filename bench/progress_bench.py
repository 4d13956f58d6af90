"""How right the progress ETA is: every estimate the run gives once a tenth of the input is read, against
the time the run really still took (to the published manifest, not only to the end of reading).

    python bench/progress_bench.py [--files 400] [--workers 1,2]

The corpus is incremental_bench's (HTML pages and text dumps, half and half; bench/_work/progress, not
committed). The run is the library's `run()` in this process with progress on; each update of the progress
state is recorded with the ETA it would print (the bar and the plain lines print the same one). The figure is
the error factor max(eta/true, true/eta) of each estimate; the issue's target is at most 2x after a tenth of
the work.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import WORK, git_revision, machine, versions, write_result  # noqa: E402
from bench.incremental_bench import make_corpus  # noqa: E402
from pipeline.config import Config  # noqa: E402
from pipeline.runner import local  # noqa: E402


def measure(corpus: Path, out: Path, workers: int) -> dict:
    estimates: list[tuple[float, float, float]] = []  # (time, share read, eta seconds)
    update = local._Progress.update

    def recording(self, nbytes: int, docs: int, rel: str = "", seconds: float = 0.0) -> None:
        update(self, nbytes, docs, rel, seconds)
        eta = self.eta_seconds()
        if eta is not None:
            estimates.append((time.time(), self.done / self.total, eta))

    reading_done: list[float] = []
    finish_reading = local._Progress.finish_reading

    def recording_finish(self) -> None:
        reading_done.append(time.time())
        finish_reading(self)

    local._Progress.update = recording
    local._Progress.finish_reading = recording_finish
    try:
        started = time.time()
        local.run([str(corpus)], out, Config(), workers=workers, progress=True)
        finished = time.time()
    finally:
        local._Progress.update = update
        local._Progress.finish_reading = finish_reading
    factors = []
    for at, share, eta in estimates:
        true = finished - at
        if true > 0.5:  # the last half second: rounding, not estimation
            factors.append((share, max(eta / true, true / max(eta, 1e-3)), eta, true))
    worst = max(factors, key=lambda f: f[1]) if factors else (0, 1.0, 0, 0)
    return {"workers": workers, "seconds": round(finished - started, 1), "estimates": len(factors),
            "worst_factor": round(worst[1], 2), "worst_at_share": round(worst[0], 2),
            "worst_eta_s": round(worst[2], 1), "worst_true_s": round(worst[3], 1),
            "median_factor": round(sorted(f[1] for f in factors)[len(factors) // 2], 2) if factors else 1.0,
            "under_2x": round(sum(f[1] <= 2 for f in factors) / max(1, len(factors)), 3),
            "read_seconds": round(reading_done[0] - started, 1) if reading_done else None,
            # every tenth estimate: (share read, eta said, true remaining)
            "trace": [(round(s, 2), round(e, 1), round(t, 1)) for s, _, e, t in factors[::10]]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args(argv)
    corpus = WORK / "progress" / "corpus"
    size = make_corpus(corpus, args.files)
    rows = []
    for workers in (int(w) for w in args.workers.split(",")):
        out = WORK / "progress" / f"out-{workers}"
        import shutil

        shutil.rmtree(out, ignore_errors=True)
        rows.append(measure(corpus, out, workers))
        print(rows[-1], flush=True)
    lines = ["## Progress ETA", "",
             f"Each ETA the run gives after a tenth of the input, against the time the run then really took to "
             f"publish ({args.files} files, {size / 1e6:.1f} MB, HTML and text dumps; `bench/progress_bench.py`). "
             "Error factor = max(eta/true, true/eta); target at most 2.", "",
             "| workers | run s | estimates | median factor | worst factor | worst at read share | share of estimates within 2x |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['workers']} | {r['seconds']} | {r['estimates']} | {r['median_factor']} | "
                     f"{r['worst_factor']} ({r['worst_eta_s']} s said, {r['worst_true_s']} s true) | "
                     f"{r['worst_at_share']:.0%} | {r['under_2x']:.1%} |")
    write_result("progress", {"date": time.strftime("%Y-%m-%d"), "revision": git_revision(), "machine": machine(),
                              "versions": versions("corpus-pipeline"), "files": args.files, "bytes": size,
                              "rows": rows}, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
