"""Lines that recur across the corpus: template lines (short, in many documents) and repeated passages (long,
kept in one document and cut from the others), found from line hashes and cut at write time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xxhash

from ..config import Config, DedupConfig
from ..document import Document, Reason
from ..text import cut_spans, is_cjk_line
from .signatures import DIGITS, normalise


def line_key(line: str) -> int:
    """Hash of a line for template / passage matching (digits folded, as CCNet does)."""
    return xxhash.xxh3_64_intdigest(DIGITS.sub("0", normalise(line)).encode("utf-8", "surrogatepass"))


LINE_TEMPLATE = 0  # short enough to be a template line
LINE_PASSAGE = 1  # long enough to be a passage
LINE_OTHER = 2  # neither (counts for nothing)


def line_kind(line: str, config: DedupConfig, template_max_chars: int) -> int:
    stripped = line.strip()
    cjk = is_cjk_line(stripped)
    if len(stripped) >= (config.passage_min_chars_cjk if cjk else config.passage_min_chars_latin):
        return LINE_PASSAGE
    if len(stripped) <= template_max_chars:
        return LINE_TEMPLATE
    return LINE_OTHER


def find_repeated_lines(
    keys: np.ndarray,
    kinds: np.ndarray,
    doc_index: np.ndarray,
    kept: np.ndarray,
    ids: list[str],
    template_min_docs: int,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Template line keys (short lines found in >= template_min_docs documents) and repeated passages
    (long lines found in >= 2 documents; kept in the first, cut elsewhere). Only kept documents count.

    The lines of all documents come flat (`keys[i]`, `kinds[i]` belong to document `doc_index[i]`, documents
    in order), as Parquet stores them: no Python object per line, so a corpus of millions of lines fits."""
    empty = np.zeros(0, dtype=np.uint64)
    mask = np.asarray(kept, dtype=bool)[doc_index] if len(doc_index) else np.zeros(0, dtype=bool)
    keys, kinds, doc_index = keys[mask], kinds[mask], doc_index[mask]
    del mask
    if not len(keys):
        return empty, empty, []
    if np.any(doc_index[1:] < doc_index[:-1]):  # not in document order (the runner's lines always are)
        by_document = np.argsort(doc_index, kind="stable")
        keys, kinds, doc_index = keys[by_document], kinds[by_document], doc_index[by_document]
    # lines come in document order, so a stable sort by key alone orders each key's lines by document: one
    # sort, and key boundaries found by comparing neighbours instead of np.unique's own sort (two lexsorts and
    # np.unique held about 1.75x the memory on 9 million lines and took 3.5x the time)
    order = np.argsort(keys, kind="stable")
    keys, kinds, owners = keys[order], kinds[order], doc_index[order]
    del order
    # one entry per (key, document), with the kind of its first occurrence in the document
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
    keys, kinds, owners = keys[first], kinds[first], owners[first]
    del first
    boundary = np.ones(len(keys), dtype=bool)
    boundary[1:] = keys[1:] != keys[:-1]
    start = np.flatnonzero(boundary)
    del boundary
    unique = keys[start]
    counts = np.diff(np.append(start, len(keys)))
    first_kind = kinds[start]
    template = unique[(counts >= template_min_docs) & (first_kind == LINE_TEMPLATE)]
    passage_mask = (counts >= 2) & (first_kind == LINE_PASSAGE)
    passage_keys = unique[passage_mask]
    passage_owner = [ids[int(o)] for o in owners[start[passage_mask]]]
    return template, passage_keys, passage_owner


@dataclass
class LineCuts:
    template: set[int]
    passage_owner: dict[int, str]


def apply_line_cuts(doc: Document, cuts: LineCuts, config: Config) -> None:
    """Cut template lines and passages that another document keeps."""
    if not cuts.template and not cuts.passage_owner:
        return
    ranges: list[tuple[int, int, Reason]] = []
    position = 0
    text = doc.text
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        if not line.strip():
            continue
        kind = line_kind(line, config.dedup, config.boilerplate.template_max_chars)
        if kind == LINE_OTHER:
            continue
        key = line_key(line)
        reason = None
        if key in cuts.template:
            reason = Reason.TEMPLATE
        elif key in cuts.passage_owner and cuts.passage_owner[key] != doc.id:
            reason = Reason.DUPLICATE_PASSAGE
        if reason is not None:
            end = min(len(text), end + 1)
            if ranges and ranges[-1][2] == reason and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end, reason)
            else:
                ranges.append((start, end, reason))
    if ranges:
        doc.text, spans = cut_spans(text, ranges, "dedup")
        doc.spans.extend(spans)
