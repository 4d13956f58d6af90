"""The per-document stages, one module each, and `STAGES`: the one ordered list of them. The runner runs
them in this order; `stats.json`, the CLI's stage table and the report's funnel list them in this order.

Language is identified after boilerplate and junk removal (not before, as a naive order would have it):
menus, keyword lists and PDF bytes skew a detector, and HTML markup must be gone first. Junk runs before
the text line rules so that a PDF `xref` table or a `|`-separated keyword list is cut as what it is
(`binary_fragment`, `spam`) and not as a menu; spaces are restored before junk, whose binary-fragment rule
would otherwise take the long letter runs of English with its spaces stripped for blobs. Code and data are
told from prose (`prose`) on the whole decoded text, before a dump is split into pages and before any line rule
chops a source file into something that looks like text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Stage(NamedTuple):
    name: str
    run: Callable  # (Document, Config) -> Document, or a list of Documents when `expands`
    expands: bool = False  # one document in, several out (a dump split into pages)


# every step a document's count passes through, in order: reading the input, the stages (`STAGES`, same
# order), then the corpus-wide steps of the runner (document dedup, then template lines and repeated passages)
STAGE_NAMES: tuple[str, ...] = (
    "read", "decode", "repair", "prose", "split", "extract", "spaces", "junk", "boilerplate", "language",
    "quality", "length", "dedup", "passages",
)


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    """`STAGES`, imported on first use: the steps after mapping (dedup, write, publish) need the stage names for
    their statistics but not the stages, whose imports cost a fresh worker process about 0.35 s."""
    if name != "STAGES":
        raise AttributeError(f"module 'pipeline.stages' has no attribute {name!r}")
    from .boilerplate import text_boilerplate_stage
    from .decode import decode_stage
    from .extract import html_extract_stage
    from .junk import junk_stage
    from .language import language_stage
    from .length import min_length_stage
    from .prose import not_prose_stage
    from .quality import quality_stage
    from .repair import repair_stage
    from .spaces import spaces_stage
    from .split import split_stage

    stages = (
        Stage("decode", decode_stage),
        Stage("repair", repair_stage),
        Stage("prose", not_prose_stage),
        Stage("split", split_stage, expands=True),
        Stage("extract", html_extract_stage),
        Stage("spaces", spaces_stage),
        Stage("junk", junk_stage),
        Stage("boilerplate", text_boilerplate_stage),
        Stage("language", language_stage),
        Stage("quality", quality_stage),
        Stage("length", min_length_stage),
    )
    globals()["STAGES"] = stages  # (tests/test_stats.py checks that STAGE_NAMES lists them in this order)
    return stages
