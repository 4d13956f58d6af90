"""The published corpus and what a new run changes about it.

A run compares the input files it finds with the inputs listed in the published `manifest.json`:

- **added**: a path the manifest does not list;
- **changed**: a listed path with other bytes (sha256); its earlier rows, kept and rejected, are replaced;
- **removed**: a listed path that is no longer in the input; its rows are retracted from both datasets
  (except in `append` mode, where the input holds only new files and what is published stays);
- **unchanged**: same path, same bytes; its per-document results are reused from the segment that made them.

A *segment* is one input shard of some earlier run: its per-document results (the map step's rows and
dedup signatures) are kept under `OUT/index/segments/<key>/`, so a later run re-decides duplicates and
repeated lines over the whole corpus without running the stages again on files that did not change.

The guards here stop a run from wiping or replacing a published corpus by mistake: an input with no files,
a run that would retract more than a set share of the published inputs, and a run over another input root
than the one the published corpus came from. Each says how to go ahead anyway.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .readers import InputFile

MODES = ("full", "incremental", "append")
MANIFEST = "manifest.json"
SEGMENTS_DIR = "index/segments"
DEFAULT_MAX_SHRINK = 0.5


class RunRefused(Exception):
    """The run would lose or replace published data without being asked to; the message says how to go on."""


class OutputError(Exception):
    """The output path cannot hold a corpus (it is a file, or it cannot be written)."""


def check_output_dir(output: Path) -> None:
    """A clear message, before any work, when the output folder cannot be used."""
    if output.exists() and not output.is_dir():
        raise OutputError(f"--output {output} is a file, not a folder: give a folder for the corpus")
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe = output / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"--output {output} cannot be written: {exc.strerror or exc}") from exc


def read_manifest(output: Path) -> dict | None:
    path = output / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path} cannot be read ({exc}); move it away to start a new corpus there") from exc


def published_root(output: Path, manifest: dict) -> str | None:
    """The input root the published corpus was made from (older manifests kept it in stats.json only)."""
    if manifest.get("input_root"):
        return manifest["input_root"]
    try:
        return json.loads((output / "stats.json").read_text(encoding="utf-8")).get("input_root")
    except (OSError, ValueError):
        return None


def why_not_reusable(manifest: dict, fingerprint: str, version: str, output: Path) -> str | None:
    """Why the published per-document results cannot be reused (None when they can)."""
    if "segments" not in manifest:
        return "the published corpus predates reusable segments"
    if manifest.get("config_fingerprint") != fingerprint:
        return "the configuration changed since the last publish"
    if manifest.get("pipeline_version") != version:
        return f"the pipeline version changed ({manifest.get('pipeline_version')} -> {version})"
    missing = [s["key"] for s in manifest["segments"] if not (output / SEGMENTS_DIR / s["key"]).is_dir()]
    if missing:
        return f"{len(missing)} segment(s) are missing from {output / SEGMENTS_DIR}"
    return None


def input_segments(entry: dict) -> list[str]:
    """The segments that hold a published input's results (several for a file split into parts; manifests
    written before segments could hold parts name one, as `shard`)."""
    return entry.get("segments") or [entry["shard"]]


@dataclass
class CarriedSegment:
    """A published segment that stays, with the input files of it that are still live."""

    key: str
    digest: str
    live: list[str]  # input paths (relative to the root) still in the corpus


@dataclass
class InputChanges:
    to_process: list[InputFile] = field(default_factory=list)  # added and changed files
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # retracted from both datasets
    unchanged: list[dict] = field(default_factory=list)  # manifest input entries that stay, with their segment
    same: list[str] = field(default_factory=list)  # a full run: published inputs with the same bytes, processed again
    carried: list[CarriedSegment] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["to_process"] = [f.to_dict() for f in self.to_process]
        return data


def diff_inputs(files: list[InputFile], previous: dict | None, mode: str, reuse: bool) -> InputChanges:
    """What this run does with each input, against the published manifest (`reuse`: its results apply)."""
    changes = InputChanges()
    published = {entry["path"]: entry for entry in (previous or {}).get("inputs", [])}
    current = {f.rel for f in files}
    for f in files:
        entry = published.get(f.rel)
        if entry is None:
            changes.added.append(f.rel)
        elif entry["sha256"] != f.sha256:
            changes.changed.append(f.rel)
        elif reuse and mode != "full":
            changes.unchanged.append(entry)
            continue
        else:
            changes.same.append(f.rel)
        changes.to_process.append(f)
    for path, entry in published.items():
        if path in current:
            continue
        if mode == "append":  # the input holds only new files: what is published stays
            changes.unchanged.append(entry)
        else:
            changes.removed.append(path)
    if reuse and mode != "full":
        live: dict[str, list[str]] = {}
        for entry in changes.unchanged:
            for key in input_segments(entry):
                live.setdefault(key, []).append(entry["path"])
        changes.carried = [CarriedSegment(s["key"], s["digest"], sorted(live[s["key"]]))
                           for s in previous["segments"] if s["key"] in live]  # type: ignore[index]
    return changes


def check_guards(files: list[InputFile], root: str, output: Path, previous: dict | None, mode: str,
                 changes: InputChanges, force: bool, allow_empty: bool, max_shrink: float,
                 inputs: list[str]) -> None:
    """Refuse (RunRefused) what would silently wipe or replace a published corpus."""
    published_inputs = len((previous or {}).get("inputs", []))
    if not files and mode != "append" and not allow_empty:
        what = (f"; the corpus published in {output} ({published_inputs} inputs) would be emptied"
                if published_inputs else "")
        raise RunRefused(
            f"no input files found in {', '.join(inputs)}{what}. Is the input mounted? "
            "Pass --allow-empty (Airflow param allow_empty) to publish an empty corpus anyway."
        )
    if previous is not None and not force:
        before = published_root(output, previous)
        if before is not None and files and os.path.realpath(before) != os.path.realpath(root):
            raise RunRefused(
                f"{output} holds a corpus published from {before}, and this run reads {root}: it would replace "
                "that corpus. Give another --output, or pass --force (Airflow param force) to replace it."
            )
        if previous.get("mode") == "append" and mode != "append" and changes.removed:
            raise RunRefused(
                f"{output} was published by append runs, and this {mode} run takes its input for the whole corpus: "
                f"it would retract {len(changes.removed)} published inputs that are not in it. Use --append, or "
                "pass --force (Airflow param force) to retract them."
            )
        if published_inputs and len(changes.removed) > max_shrink * published_inputs and files:
            raise RunRefused(
                f"this run would retract {len(changes.removed)} of the {published_inputs} published inputs "
                f"(more than {max_shrink:.0%}) because they are not in the input any more. If that is meant, pass "
                "--force (Airflow param force), or raise --max-shrink; to add new files only, use --append."
            )


def check_shrink(previous: dict | None, kept_after: int, force: bool, max_shrink: float) -> None:
    """At publish: refuse a corpus that lost more than `max_shrink` of its kept documents."""
    if previous is None or force:
        return
    kept_before = int(previous.get("documents", {}).get("kept", 0))
    if kept_before and kept_after < (1 - max_shrink) * kept_before:
        raise RunRefused(
            f"this run would shrink the published corpus from {kept_before} to {kept_after} kept documents "
            f"(more than {max_shrink:.0%} fewer); nothing was published. Re-run with --force (Airflow param "
            "force) to publish it anyway, or --max-shrink to allow more."
        )
