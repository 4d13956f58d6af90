"""Step 1: find and hash the input files, compare them with the published corpus, group the files to
process into shards, and write the plan."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__, storage
from ..config import Config, ConfigError, config_from_dict
from ..corpus import (
    DEFAULT_MAX_SHRINK,
    MODES,
    CarriedSegment,
    RunRefused,
    check_guards,
    check_output_dir,
    diff_inputs,
    read_manifest,
    why_not_reusable,
)
from ..readers import InputFile, ResumePoint, discover, group_into_shards, index_records, work_units
from ..writer import atomic_write_json, read_json
from .faults import WORK_DIR

log = logging.getLogger("pipeline")

@dataclass
class ShardSpec:
    index: int
    key: str  # hash of the shard's files, the config and the pipeline version: names its segment
    files: list[int]  # indices into RunPlan.files (a file split into parts is in several shards)
    bytes: int
    records: list[list[int] | None] = field(default_factory=list)  # per file: [first, end) of its records, or None
    sizes: list[int] = field(default_factory=list)  # per file: the input bytes it stands for (a part: its share)
    # per file: [raw offset, position, format] where a part's reading begins (None: the file's start); not in
    # `key`: where reading starts changes the cost, never the rows
    starts: list[list | None] = field(default_factory=list)

    def start_of(self, k: int) -> ResumePoint | None:
        point = self.starts[k] if k < len(self.starts) else None
        return ResumePoint(*point) if point else None


@dataclass
class RunPlan:
    output: str
    work: str
    root: str
    files: list[dict]  # InputFile fields (path absolute, rel, size, sha256) of the files to process
    shards: list[ShardSpec]  # new segments (this run's input shards)
    config: dict
    mode: str = "full"  # full | incremental | append
    changes: dict = field(default_factory=dict)  # corpus.InputChanges as a dict
    previous_manifest: dict | None = None
    force: bool = False
    max_shrink: float = DEFAULT_MAX_SHRINK
    version: str = __version__
    store: str = ""  # the store URL the corpus is published at ("": `output` is the corpus); see remote.py

    @property
    def config_obj(self) -> Config:
        return config_from_dict(self.config)

    @property
    def nothing_to_do(self) -> bool:
        """Nothing added, changed or removed since the last publish: the run publishes nothing new."""
        return (self.previous_manifest is not None and not self.shards and not self.changes.get("removed")
                and not self.changes.get("changed"))

    @property
    def input_counts(self) -> dict[str, int]:
        """How many inputs this run adds, changes, removes and finds unchanged (a full run processes the
        unchanged ones again)."""
        c = self.changes
        return {"added": len(c.get("added", [])), "changed": len(c.get("changed", [])),
                "removed": len(c.get("removed", [])),
                "unchanged": len(c.get("unchanged", [])) + len(c.get("same", []))}

    @property
    def carried(self) -> list[CarriedSegment]:
        return [CarriedSegment(**c) for c in self.changes.get("carried", [])]

    def input_file(self, i: int) -> InputFile:
        return InputFile(**self.files[i])

    def path(self, *parts: str) -> Path:
        return Path(self.work, *parts)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunPlan:
        data = dict(data)
        data["shards"] = [ShardSpec(**s) for s in data["shards"]]
        return cls(**data)


def load_plan(path: str | Path) -> RunPlan:
    return RunPlan.from_dict(read_json(path))


def plan_run(inputs: Iterable[str], output: str | Path, config: Config, incremental: bool = False,
             mode: str | None = None, force: bool = False, allow_empty: bool = False,
             max_shrink: float = DEFAULT_MAX_SHRINK, published_at: str | None = None) -> RunPlan:
    """Find and hash the input files, compare them with the published corpus, group the files to process
    into shards, and write the plan. Raises RunRefused where the run would wipe or replace published data
    (see `corpus.check_guards`), OutputError when the output folder cannot be used."""
    mode = mode or ("incremental" if incremental else "full")
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    inputs = list(inputs)
    if storage.is_remote(str(output)):
        raise ConfigError(f"the output {storage.redact(str(output))} is on an object store: plan in its local mirror "
                          "(pipeline.runner.run and pipeline.runner.remote.plan_on_store do)")
    output = Path(output).resolve()
    check_output_dir(output)
    cfg = config.input
    # `published_at`: the store URL this (staging) output is published to: never read as input either
    excluded = [str(output)] + ([published_at] if published_at else [])
    root, files = discover(inputs, follow_symlinks=cfg.follow_symlinks, exclude=excluded)
    previous = read_manifest(output)
    fingerprint = config.fingerprint()
    problem = why_not_reusable(previous, fingerprint, __version__, output) if previous else "no published corpus"
    if previous and mode != "full" and problem:
        if mode == "append":
            raise RunRefused(f"{problem}, and an append run cannot reprocess the inputs it does not see: run once "
                             "in full mode over all inputs, then append again")
        log.warning("%s: every input is processed again", problem)
    changes = diff_inputs(files, previous, mode, reuse=problem is None)
    check_guards(files, root, output, previous, mode, changes, force, allow_empty, max_shrink, inputs)
    force = force or (allow_empty and not files)  # an empty corpus asked for: no shrink guard at publish
    shards = []
    file_index = {f.rel: i for i, f in enumerate(changes.to_process)}
    units = work_units(changes.to_process, cfg.shard_bytes, lambda f: index_records(f, config))
    for index, group in enumerate(group_into_shards(units, cfg.shard_bytes, cfg.shard_max_files)):
        h = hashlib.sha256((fingerprint + __version__).encode())
        for unit in group:
            f = unit.file
            h.update(f.rel.encode("utf-8", "surrogateescape") + b"\0" + f.sha256.encode() + b"\0")
            if unit.records is not None:
                h.update(f"{unit.records[0]}:{unit.records[1]}\0".encode())
        shards.append(ShardSpec(index, h.hexdigest()[:12], [file_index[u.file.rel] for u in group],
                                sum(u.size for u in group), [list(u.records) if u.records else None for u in group],
                                [u.size for u in group],
                                [[u.start.offset, u.start.position, u.start.kind] if u.start else None
                                 for u in group]))
    state = hashlib.sha256((fingerprint + __version__ + mode + (previous or {}).get("run_key", "")).encode())
    for f in files:
        state.update(f.rel.encode("utf-8", "surrogateescape") + b"\0" + f.sha256.encode() + b"\0")
    work = output / WORK_DIR / state.hexdigest()[:16]
    plan = RunPlan(
        output=str(output),
        work=str(work),
        root=root,
        files=[asdict(f) for f in changes.to_process],
        shards=shards,
        config=config.to_dict(),
        mode=mode,
        changes=changes.to_dict(),
        previous_manifest=previous,
        force=force,
        max_shrink=max_shrink,
        store=published_at or "",
    )
    # written each time (same content but for force and max_shrink, which a re-run may change)
    atomic_write_json(work / "plan.json", plan.to_dict())
    return plan
