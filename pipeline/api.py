"""The one-call API for single documents (the batch pipeline is `pipeline.runner.run`)."""

from __future__ import annotations

from .config import Config
from .document import Document
from .stages.boilerplate import text_boilerplate_stage
from .stages.decode import decode, decode_bytes, normalise_newlines
from .stages.extract import html_extract_stage
from .stages.junk import junk_stage
from .stages.language import detect_language
from .stages.prose import not_prose_stage
from .stages.repair import repair_stage
from .stages.spaces import spaces_stage

__all__ = ["clean_html", "clean_text", "decode", "detect_language"]


def clean_html(html: bytes | str, url: str | None = None) -> str:
    """Public one-call API: decode, repair and extract the main text of one HTML page."""
    config = Config()
    if isinstance(html, bytes):
        html = decode_bytes(html, is_html=True).text
    doc = Document(id="", source="", url=url, text=normalise_newlines(html), content_type="html")
    html_extract_stage(doc, config)
    return "" if doc.rejected else doc.text


def clean_text(text: str) -> str:
    """Public one-call API: the text-dump path (repair, code/data check, space repair, binary/spam cuts, line
    rules, in the batch pipeline's order) for one text; "" when the text is rejected (code or data, nothing but
    junk, English glued past repair)."""
    config = Config()
    doc = Document(id="", source="", text=text, content_type="text")
    for stage in (repair_stage, not_prose_stage, spaces_stage, junk_stage, text_boilerplate_stage):
        stage(doc, config)
        if doc.rejected:
            return ""
    return doc.text
