"""Step 2, per input shard: every per-document stage (`pipeline.stages.STAGES`) over its documents, and
their dedup signatures; candidate rows, rejected rows and signatures written under the work folder."""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable

from ..config import Config
from ..dedup import (
    LINE_OTHER,
    band_hashes,
    exact_hash,
    line_key,
    line_kind,
    minhash_batch,
)
from ..document import (
    Document,
    Reason,
    kept_row,
    rejected_row,
)
from ..readers import read_file
from ..schema import SIG_SCHEMA, WORK_KEPT_SCHEMA, WORK_REJECTED_SCHEMA
from ..stages import STAGES
from ..stats import RunStats
from ..writer import ShardWriter, atomic_write_json, read_json
from .faults import crash_point
from .plan import RunPlan

log = logging.getLogger("pipeline")

def run_stages(doc: Document, config: Config, stats: RunStats) -> list[Document]:
    """All per-document stages over one document read from input. Returns the resulting documents (a text
    dump may become several pages), each either kept so far or rejected with the stage that did it."""
    read = stats.stage("read")
    read.docs_in += 1
    if doc.rejected:
        read.rejected[doc.reason or ""] += 1
        doc.rejected_by = doc.rejected_by or "read"
        return [doc]
    read.docs_out += 1
    docs = [doc]
    for name, fn, expands in STAGES:
        st = stats.stage(name)
        out: list[Document] = []
        for d in docs:
            if d.rejected:
                out.append(d)
                continue
            st.docs_in += 1
            st.chars_in += len(d.raw) if d.raw is not None else len(d.text)
            spans_before = len(d.spans)
            started = time.perf_counter()
            try:
                result = fn(d, config)
            except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
                log.warning("stage %s failed on %s: %s", name, d.source, exc)
                d.raw = None
                d.reject(Reason.PROCESSING_ERROR, f"{name}: {type(exc).__name__}: {exc}"[:500])
                d.detail += "\n" + traceback.format_exc(limit=3)[-1500:]
                result = d
            st.seconds += time.perf_counter() - started
            results = result if expands else [result]
            for r in results:
                if r.rejected:
                    if r.rejected_by is None:
                        r.rejected_by = name
                    st.rejected[r.reason or ""] += 1
                else:
                    st.docs_out += 1
                    st.chars_out += len(r.text)
                if r is d:
                    for span in r.spans[spans_before:]:
                        st.spans[span.reason] += 1
                        st.span_chars[span.reason] += span.end - span.start
            out.extend(results)
        docs = out
    return docs




def _signature_rows(docs: list[tuple[Document, str]], config: Config) -> list[dict]:
    dcfg = config.dedup
    if not docs:
        return []
    signatures = minhash_batch([d.text for d, _ in docs], dcfg)
    bands = band_hashes(signatures, dcfg.bands)
    rows = []
    for (d, rel), sig, band in zip(docs, signatures, bands, strict=False):
        keys, kinds = [], []
        for line in d.text.split("\n"):
            if not line.strip():
                continue
            kind = line_kind(line, dcfg, config.boilerplate.template_max_chars)
            if kind == LINE_OTHER:
                continue
            keys.append(line_key(line))
            kinds.append(kind)
        rows.append(
            {
                "id": d.id,
                "input": rel,
                "chars": len(d.text),
                "exact": exact_hash(d.text),
                "minhash": sig.tolist(),
                "bands": band.tolist(),
                "line_keys": keys,
                "line_kinds": kinds,
            }
        )
    return rows


def map_shard(plan: RunPlan, index: int, progress: Callable[[int, int, str, float], None] | None = None) -> dict:
    """Step 2 for one shard: all per-document stages plus dedup signatures. Idempotent."""
    spec = plan.shards[index]
    done = plan.path(f"map-{spec.key}.json")
    if done.exists():
        return read_json(done)
    config = plan.config_obj
    stats = RunStats()
    out_cfg = config.output
    kept = ShardWriter(plan.work, f"map-{spec.key}-kept", WORK_KEPT_SCHEMA, out_cfg)
    rejected = ShardWriter(plan.work, f"map-{spec.key}-rejected", WORK_REJECTED_SCHEMA, out_cfg)
    signatures = ShardWriter(plan.work, f"map-{spec.key}-sig", SIG_SCHEMA, out_cfg)
    pending: list[tuple[Document, str]] = []
    documents = 0

    def flush_signatures() -> None:
        signatures.write_many(_signature_rows(pending, config))
        pending.clear()

    try:
        units = zip(spec.files, spec.records or [None] * len(spec.files), spec.sizes or [None] * len(spec.files),
                    strict=True)
        for k, (file_index, records, size) in enumerate(units):
            entry = plan.input_file(file_index)
            file_docs = 0
            unit_started = time.perf_counter()
            start = spec.start_of(k) if records else None
            for raw_doc in read_file(entry, config, tuple(records) if records else None, start):
                for doc in run_stages(raw_doc, config, stats):
                    file_docs += 1
                    if doc.rejected:
                        rejected.write({**rejected_row(doc, out_cfg.rejected_text_max_chars), "input": entry.rel})
                    else:
                        kept.write({**kept_row(doc), "input": entry.rel})
                        pending.append((doc, entry.rel))
                        if len(pending) >= 1000:
                            flush_signatures()
            documents += file_docs
            if progress is not None:  # (input bytes, documents, file, seconds): the ETA learns each kind's cost
                progress(entry.size if size is None else size, file_docs, entry.rel,
                         time.perf_counter() - unit_started)
        flush_signatures()
        crash_point(f"map-before-close:{index}")
        result = {
            "shard": spec.index,
            "key": spec.key,
            "documents": documents,
            "kept": [os.path.basename(s.path) for s in kept.close()],
            "rejected": [os.path.basename(s.path) for s in rejected.close()],
            "signatures": [os.path.basename(s.path) for s in signatures.close()],
            "stats": stats.to_dict(),
        }
    except BaseException:
        for writer in (kept, rejected, signatures):
            writer.abort()
        raise
    crash_point(f"map-done:{index}")
    atomic_write_json(done, result)
    return result
