"""`python -m pipeline explain OUT --source PATH`: what one input became.

Reads the kept shards and the rejected dataset listed in the manifest, filtering with pyarrow so that
only the matching rows are loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds


def _dataset(output: Path, key: str) -> ds.Dataset | None:
    manifest = json.loads((output / "manifest.json").read_text())
    paths = [str(output / s["path"]) for s in manifest.get(key, [])]
    if not paths:
        return None
    # kept shards written with [output] partition_by_language take `lang` from their folder (lang=zh/)
    return ds.dataset(paths, format="parquet", partitioning="hive", partition_base_dir=str(output / "data"))


def _match(dataset: ds.Dataset | None, source: str | None, doc_id: str | None) -> list[dict]:
    if dataset is None:
        return []
    if doc_id:
        expr = pc.field("id") == doc_id
    else:
        assert source is not None
        expr = (pc.field("source") == source) | pc.starts_with(pc.field("source"), source + "#")
    rows = dataset.to_table(filter=expr).to_pylist()
    return sorted(rows, key=lambda r: r["source"])


def explain(output: Path, source: str | None = None, doc_id: str | None = None) -> dict:
    """Kept and rejected rows for one source (all its records and pages) or one id."""
    if not (output / "manifest.json").exists():
        raise FileNotFoundError(f"{output}/manifest.json not found: is it the output of a finished run?")
    kept = _match(_dataset(output, "shards"), source, doc_id)
    rejected = _match(_dataset(output, "rejected"), source, doc_id)
    return {"query": {"source": source, "id": doc_id}, "kept": kept, "rejected": rejected}


def _signals(row: dict) -> str:
    shares = ", ".join(f"{k} {v:.2f}" for k, v in (row.get("lang_shares") or []))
    return (
        f"  lang {row['lang']} ({row['lang_score']:.2f}; {shares})  encoding {row['encoding']}  "
        f"mojibake fixed {row['mojibake_fixed']}  spam score {row['spam_score']:.2f}  chars {row['chars']}"
        + (
            f"  duplicate cluster {row['dup_cluster']} (size {row['cluster_size']})"
            if row.get("dup_cluster")
            else ""
        )
    )


def _flat(value: str) -> str:
    return value.replace("\n", " ⏎ ")


def format_explanation(result: dict) -> str:
    lines: list[str] = []
    if not result["kept"] and not result["rejected"]:
        q = result["query"]
        return (
            f"nothing found for {q['source'] or q['id']}: check the path (relative to the input root) or id"
        )
    for row in result["kept"]:
        lines.append(f"KEPT {row['source']}  id {row['id']}")
        lines.append(_signals(row))
        for span in row.get("cut_spans") or []:
            lines.append(f"  cut [{span['reason']}] by {span['stage']} at {span['start']}-{span['end']}:")
            lines.append(
                f"      …{_flat(span.get('before') or '')}⟦{_flat(span['text'][:160])}⟧{_flat(span.get('after') or '')}…"
            )
        lines.append(
            "  text: " + row["text"][:300].replace("\n", " ⏎ ") + ("..." if len(row["text"]) > 300 else "")
        )
        lines.append("")
    for row in result["rejected"]:
        lines.append(
            f"REJECTED {row['source']}  id {row['id']}  reason {row['reason']} (by {row['rejected_by']})"
        )
        if row.get("detail"):
            lines.append(f"  detail: {row['detail'].splitlines()[0][:300]}")
        if row.get("duplicate_of"):
            lines.append(f"  duplicate of: {row['duplicate_of']}")
        if row.get("lang"):
            lines.append(_signals(row))
        if row["text"]:
            lines.append(
                "  text: "
                + row["text"][:200].replace("\n", " ⏎ ")
                + ("..." if len(row["text"]) > 200 else "")
            )
        lines.append("")
    return "\n".join(lines).rstrip()
