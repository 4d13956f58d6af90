"""Every Arrow schema: the published datasets (kept and rejected rows) and the tables a run hands between
its steps (map rows, dedup signatures, dedup decisions). The published columns are the contract that
downstream readers rely on; README's "Output schema" describes them."""

from __future__ import annotations

import pyarrow as pa

# raised when a published column changes its meaning or type (written into each shard's metadata)
SCHEMA_VERSION = "1"

SPAN_TYPE = pa.struct(
    [
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("reason", pa.string()),
        ("stage", pa.string()),
        ("text", pa.string()),
        ("before", pa.string()),
        ("after", pa.string()),
    ]
)

LANG_SPAN_TYPE = pa.struct(
    [("start", pa.int64()), ("end", pa.int64()), ("lang", pa.string()), ("score", pa.float64())]
)

_COMMON_FIELDS = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("record_id", pa.string()),
    pa.field("text", pa.string(), nullable=False),
    pa.field("chars", pa.int64(), nullable=False),
    pa.field("content_type", pa.string()),
    pa.field("lang", pa.string()),
    pa.field("lang_score", pa.float64()),
    pa.field("lang_shares", pa.map_(pa.string(), pa.float64())),
    pa.field("lang_spans", pa.list_(LANG_SPAN_TYPE)),
    pa.field("encoding", pa.string()),
    pa.field("replacement_ratio", pa.float64()),
    pa.field("mojibake_fixed", pa.bool_()),
    pa.field("mojibake_chars", pa.int64()),
    pa.field("spaces_restored", pa.bool_()),
    pa.field("input_chars", pa.int64()),
    pa.field("boilerplate_chars", pa.int64()),
    pa.field("spam_score", pa.float64()),
    pa.field("quality", pa.map_(pa.string(), pa.float64())),
    pa.field("cut_spans", pa.list_(SPAN_TYPE)),
    pa.field("dup_cluster", pa.string()),
    pa.field("cluster_size", pa.int64()),
]

KEPT_SCHEMA = pa.schema(_COMMON_FIELDS, metadata={b"dataset": b"kept"})
REJECTED_SCHEMA = pa.schema(
    _COMMON_FIELDS
    + [
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("duplicate_of", pa.string()),
        pa.field("rejected_by", pa.string()),
    ],
    metadata={b"dataset": b"rejected"},
)


# the work tables of a run

SIG_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("input", pa.string()),  # the input file (relative path) the document came from
        ("chars", pa.int64()),
        ("exact", pa.binary(16)),
        ("minhash", pa.list_(pa.uint32())),
        ("bands", pa.list_(pa.uint64())),
        ("line_keys", pa.list_(pa.uint64())),
        ("line_kinds", pa.list_(pa.uint8())),
    ]
)


# the map step's row tables: the output schemas plus the input file of each row, so that a later run can
# drop the rows of a file that changed or went away from a segment it reuses
WORK_KEPT_SCHEMA = KEPT_SCHEMA.append(pa.field("input", pa.string()))
WORK_REJECTED_SCHEMA = REJECTED_SCHEMA.append(pa.field("input", pa.string()))

DECISIONS_SCHEMA = pa.schema([("id", pa.string()), ("keep", pa.bool_()), ("cluster", pa.string()),
                              ("cluster_size", pa.int64()), ("reason", pa.string()), ("duplicate_of", pa.string())])
