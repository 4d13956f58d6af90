"""Per-stage counters: documents and characters in and out, rejections per reason, cut spans, time.

Collected by the runner around every stage (stages themselves count nothing), merged across shards by
plain addition, and written to `stats.json`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .stages import STAGE_NAMES


@dataclass
class StageStats:
    docs_in: int = 0
    docs_out: int = 0
    chars_in: int = 0
    chars_out: int = 0
    seconds: float = 0.0
    rejected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    spans: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    span_chars: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def to_dict(self) -> dict:
        return {
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "seconds": round(self.seconds, 3),
            "rejected": dict(sorted(self.rejected.items())),
            "spans": dict(sorted(self.spans.items())),
            "span_chars": dict(sorted(self.span_chars.items())),
        }

    @classmethod
    def from_dict(cls, data: dict) -> StageStats:
        stats = cls(
            docs_in=data["docs_in"],
            docs_out=data["docs_out"],
            chars_in=data["chars_in"],
            chars_out=data["chars_out"],
            seconds=data["seconds"],
        )
        for key in ("rejected", "spans", "span_chars"):
            getattr(stats, key).update(data.get(key, {}))
        return stats

    def add(self, other: StageStats) -> None:
        self.docs_in += other.docs_in
        self.docs_out += other.docs_out
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.seconds += other.seconds
        for key in ("rejected", "spans", "span_chars"):
            mine = getattr(self, key)
            for k, v in getattr(other, key).items():
                mine[k] += v




def _stage_rank(name: str) -> tuple[int, str]:
    return (STAGE_NAMES.index(name) if name in STAGE_NAMES else len(STAGE_NAMES), name)


class RunStats:
    """Stage name -> StageStats, in the order stages first reported."""

    def __init__(self) -> None:
        self.stages: dict[str, StageStats] = {}

    def stage(self, name: str) -> StageStats:
        if name not in self.stages:
            self.stages[name] = StageStats()
        return self.stages[name]

    def to_dict(self) -> dict:
        """Stages in pipeline order (JSON readers keep this order; `sort_keys` would not)."""
        return {name: self.stages[name].to_dict() for name in sorted(self.stages, key=_stage_rank)}

    @classmethod
    def from_dict(cls, data: dict) -> RunStats:
        stats = cls()
        for name, values in data.items():
            stats.stages[name] = StageStats.from_dict(values)
        return stats

    def merge(self, other: RunStats) -> None:
        for name, s in other.stages.items():
            self.stage(name).add(s)

    def rejected_by_reason(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for s in self.stages.values():
            for reason, count in s.rejected.items():
                totals[reason] += count
        return dict(sorted(totals.items()))

    def spans_by_reason(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for s in self.stages.values():
            for reason, count in s.spans.items():
                totals[reason][0] += count
                totals[reason][1] += s.span_chars.get(reason, 0)
        return {k: (v[0], v[1]) for k, v in sorted(totals.items())}
