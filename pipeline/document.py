"""The record that flows through every stage, and the stable reason codes.

Nothing else in the project invents a reason code: stages set fields on a `Document`, and the runner turns
it into a row of the output schemas (`pipeline.schema`) with `kept_row` / `rejected_row`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum

# How much of a cut span's text is stored beside the document (the full span is gone from `text`).
SPAN_TEXT_MAX_CHARS = 300
CONTEXT_CHARS = 60


class Reason(str, Enum):
    """Why a document or a span was removed. The string values are stable: they are stored in Parquet."""

    # whole input files or records
    READ_ERROR = "read_error"  # the file could not be opened or read (permissions, vanished, I/O error)
    TRUNCATED = "truncated"  # a compressed stream ended early; what was read before is kept
    DECOMPRESSION_BOMB = "decompression_bomb"  # decompressed size passed the configured cap
    TOO_LARGE = "too_large"  # one document larger than the configured maximum
    HUGE_LINE = "huge_line"  # a line longer than the configured maximum (minified blobs, dumps)
    BINARY = "binary"  # not text: image, archive, executable, font, office file ...
    UNSUPPORTED = "unsupported"  # a format we recognise but do not parse
    EMPTY = "empty"  # nothing (or only whitespace) to work with
    MALFORMED = "malformed"  # a record that does not parse (bad JSON line, corrupt WARC record, bad PDF)
    UNDECODABLE = "undecodable"  # too many bytes that no encoding could decode
    EXTRACT_TIMEOUT = "extract_timeout"  # the HTML extractor ran past its time limit
    PROCESSING_ERROR = "processing_error"  # a stage raised on this document (a bug: the detail has the error)
    # content decisions
    BOILERPLATE = "boilerplate"  # nothing but boilerplate was left after extraction
    TOO_SHORT = "too_short"  # too little text left after cleaning
    LANGUAGE = "language"  # not one of the configured languages
    NO_WORD_BOUNDARIES = "no_word_boundaries"  # space-less Latin text we could not re-segment
    BINARY_FRAGMENT = "binary_fragment"  # PDF object streams, U+FFFD runs, base64/hex blobs
    NOT_PROSE = "not_prose"  # source code, JSON, CSV/TSV, logs, YAML/TOML/INI, mail/HTTP headers, minified JS/CSS
    SPAM = "spam"  # SEO keyword stuffing, adult/gambling/pharma blocks, spam titles
    LOW_QUALITY = "low_quality"  # Gopher/C4-style quality thresholds
    EXACT_DUPLICATE = "exact_duplicate"  # same normalised text as a kept document
    NEAR_DUPLICATE = "near_duplicate"  # MinHash-LSH match with a kept document
    # spans cut from kept text
    NAV_MENU = "nav_menu"  # runs of short link-like lines, `|`-separated menus
    SEPARATOR = "separator"  # lines of only punctuation or symbols
    BREADCRUMB = "breadcrumb"  # "Home > News > ..." trails
    BYLINE = "byline"  # date/author/source/"updated:" lines around an article, photo credits
    BUTTON = "button"  # print / share / login / back to top ...
    FOOTER = "footer"  # copyright, ICP/备案, "all rights reserved", powered-by lines, legal and liability notices
    RELATED_LINKS = "related_links"  # "related articles" blocks and link lists
    LISTING = "listing"  # forum / download listing rows: titles with author, time, size, reply and view counts
    OFF_CONTENT = "off_content"  # short, sentence-less lines away from the main text (jusText-style context)
    TEMPLATE = "template"  # a line that recurs across many documents of the corpus
    DUPLICATE_PASSAGE = "duplicate_passage"  # a long paragraph kept in another document, a line printed twice,
    # a page's <title> whose headline the page prints again
    MARKUP = "markup"  # a line of nothing but HTML/XML tags or conditional comments ("<![endif]", "</div>")
    ERROR_MESSAGE = "error_message"  # server errors printed into the page (PHP "Warning: ... on line 12")


REASON_VALUES: frozenset[str] = frozenset(r.value for r in Reason)


@dataclass
class Span:
    """A piece cut from a document's text. `start`/`end` index the text as it was when `stage` ran."""

    start: int
    end: int
    reason: str
    stage: str
    text: str = ""
    before: str = ""  # up to CONTEXT_CHARS of the text just before the cut (for `explain`)
    after: str = ""

    @classmethod
    def cut(cls, text: str, start: int, end: int, reason: Reason, stage: str) -> Span:
        return cls(
            start,
            end,
            reason.value,
            stage,
            text[start:end][:SPAN_TEXT_MAX_CHARS],
            text[max(0, start - CONTEXT_CHARS) : start],
            text[end : end + CONTEXT_CHARS],
        )


@dataclass
class LangSpan:
    """A paragraph whose language differs from the document's (tagged, not cut)."""

    start: int
    end: int
    lang: str
    score: float


@dataclass
class Document:
    """One document as it moves through the stages. Stages read `text` and add signals."""

    id: str
    source: str  # input path relative to the input root, "#N" for the N-th record inside a file
    url: str | None = None
    text: str = ""
    record_id: str | None = None  # the id the input gave the record (JSONL `id`, WARC-Record-ID)
    raw: bytes | None = None  # undecoded bytes, dropped after decoding
    content_type: str = "text"  # text | html | pdf | jsonl | warc (what the reader saw)
    declared_charset: str | None = None  # from an HTTP/WARC header or the JSON reader
    # decode / repair
    encoding: str | None = None
    replacement_ratio: float = 0.0
    mojibake_fixed: bool = False
    mojibake_chars: int = 0
    spaces_restored: bool = False
    # language
    lang: str = ""
    lang_score: float = 0.0
    lang_shares: dict[str, float] = field(default_factory=dict)
    lang_spans: list[LangSpan] = field(default_factory=list)  # paragraphs in another language than `lang`
    # cleaning
    input_chars: int = 0  # characters after decoding, before any cut
    boilerplate_chars: int = 0  # removed by boilerplate extraction (HTML) or line rules (text)
    spam_score: float = 0.0
    quality: dict[str, float] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    # dedup
    dup_cluster: str | None = None
    cluster_size: int = 1
    # rejection
    reason: str | None = None
    detail: str = ""
    duplicate_of: str | None = None
    rejected_by: str | None = None  # the stage that rejected it

    @property
    def rejected(self) -> bool:
        return self.reason is not None

    def reject(self, reason: Reason, detail: str = "", duplicate_of: str | None = None) -> Document:
        self.reason = reason.value
        self.detail = detail
        self.duplicate_of = duplicate_of
        return self


def document_id(source: str) -> str:
    """Stable id: a hash of the source (input path relative to the root, plus `#N` for records)."""
    return hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def _common_row(doc: Document, text: str) -> dict:
    return {
        "id": doc.id,
        "source": doc.source,
        "url": doc.url,
        "record_id": doc.record_id,
        "text": text,
        "chars": len(doc.text),
        "content_type": doc.content_type,
        "lang": doc.lang or None,
        "lang_score": round(doc.lang_score, 6),
        "lang_shares": sorted((k, round(v, 6)) for k, v in doc.lang_shares.items()),
        "lang_spans": [
            {"start": s.start, "end": s.end, "lang": s.lang, "score": round(s.score, 6)}
            for s in doc.lang_spans
        ],
        "encoding": doc.encoding,
        "replacement_ratio": round(doc.replacement_ratio, 6),
        "mojibake_fixed": doc.mojibake_fixed,
        "mojibake_chars": doc.mojibake_chars,
        "spaces_restored": doc.spaces_restored,
        "input_chars": doc.input_chars,
        "boilerplate_chars": doc.boilerplate_chars,
        "spam_score": round(doc.spam_score, 6),
        "quality": sorted((k, round(float(v), 6)) for k, v in doc.quality.items()),
        "cut_spans": [
            {"start": s.start, "end": s.end, "reason": s.reason, "stage": s.stage, "text": s.text,
             "before": s.before, "after": s.after}
            for s in doc.spans
        ],
        "dup_cluster": doc.dup_cluster,
        "cluster_size": doc.cluster_size,
    }


def kept_row(doc: Document) -> dict:
    return _common_row(doc, doc.text)


def rejected_row(doc: Document, text_max_chars: int) -> dict:
    text = doc.text
    detail = doc.detail
    if len(text) > text_max_chars:
        text = text[:text_max_chars]
        detail = (
            f"{detail}; text truncated to {text_max_chars} chars"
            if detail
            else (f"text truncated to {text_max_chars} chars")
        )
    row = _common_row(doc, text)
    row.update(
        {
            "reason": doc.reason or "",
            "detail": detail,
            "duplicate_of": doc.duplicate_of,
            "rejected_by": doc.rejected_by,
        }
    )
    return row


def document_from_row(row: dict) -> Document:
    """Inverse of `kept_row`/`rejected_row` (used between the map and the write phase)."""
    doc = Document(
        id=row["id"],
        source=row["source"],
        url=row.get("url"),
        record_id=row.get("record_id"),
        text=row["text"],
        content_type=row.get("content_type") or "text",
        encoding=row.get("encoding"),
        replacement_ratio=row.get("replacement_ratio") or 0.0,
        mojibake_fixed=bool(row.get("mojibake_fixed")),
        mojibake_chars=row.get("mojibake_chars") or 0,
        spaces_restored=bool(row.get("spaces_restored")),
        lang=row.get("lang") or "",
        lang_score=row.get("lang_score") or 0.0,
        lang_shares=dict(row.get("lang_shares") or []),
        lang_spans=[LangSpan(**s) for s in (row.get("lang_spans") or [])],
        input_chars=row.get("input_chars") or 0,
        boilerplate_chars=row.get("boilerplate_chars") or 0,
        spam_score=row.get("spam_score") or 0.0,
        quality=dict(row.get("quality") or []),
        spans=[Span(**s) for s in (row.get("cut_spans") or [])],
        dup_cluster=row.get("dup_cluster"),
        cluster_size=row.get("cluster_size") or 1,
    )
    if row.get("reason"):
        doc.reason = row["reason"]
        doc.detail = row.get("detail") or ""
        doc.duplicate_of = row.get("duplicate_of")
        doc.rejected_by = row.get("rejected_by")
    return doc
