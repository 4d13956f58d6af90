import pyarrow as pa

from pipeline.document import (
    REASON_VALUES,
    Document,
    Reason,
    Span,
    document_from_row,
    document_id,
    kept_row,
    rejected_row,
)
from pipeline.schema import KEPT_SCHEMA, REJECTED_SCHEMA


def test_reason_values_are_stable_strings():
    # stored in Parquet: changing a value breaks every downstream filter on it
    assert Reason.BINARY_FRAGMENT.value == "binary_fragment"
    assert Reason.NEAR_DUPLICATE.value == "near_duplicate"
    assert Reason.DUPLICATE_PASSAGE.value == "duplicate_passage"
    assert len(REASON_VALUES) == len(Reason)
    assert all(v == v.lower() and " " not in v for v in REASON_VALUES)


def test_document_id_is_stable_and_source_dependent():
    assert document_id("a.txt#1") == document_id("a.txt#1")
    assert document_id("a.txt#1") != document_id("a.txt#2")
    assert len(document_id("x")) == 24


def test_rows_round_trip_through_schema():
    doc = Document(
        id="i",
        source="a.txt",
        text="hello world",
        lang="en",
        lang_score=0.9,
        lang_shares={"en": 1.0},
        encoding="utf-8",
    )
    doc.spans.append(Span.cut("menu\nhello world", 0, 5, Reason.NAV_MENU, "boilerplate"))
    table = pa.Table.from_pylist([kept_row(doc)], schema=KEPT_SCHEMA)
    back = document_from_row(table.to_pylist()[0])
    assert back.text == "hello world"
    assert back.spans[0].reason == "nav_menu" and back.spans[0].text == "menu\n"
    assert back.lang_shares == {"en": 1.0}


def test_rejected_row_truncates_long_text_and_says_so():
    doc = Document(id="i", source="a.txt", text="x" * 50).reject(Reason.SPAM, "keyword block")
    row = rejected_row(doc, text_max_chars=10)
    pa.Table.from_pylist([row], schema=REJECTED_SCHEMA)
    assert row["text"] == "x" * 10
    assert "truncated" in row["detail"] and row["reason"] == "spam"
    assert row["chars"] == 50
