"""Length stage: too little text left after cleaning -> `too_short`."""

from __future__ import annotations

from ..config import Config
from ..document import Document, Reason
from ..text import cjk_share


def min_length_stage(doc: Document, config: Config) -> Document:
    """Reject documents with too little text left (CJK characters count double, being denser)."""
    text = doc.text
    share = cjk_share(text[:5000])
    effective = len(text) * (1 + share)
    if effective < config.boilerplate.min_chars:
        return doc.reject(
            Reason.TOO_SHORT, f"{len(text)} characters left (minimum {config.boilerplate.min_chars})"
        )
    return doc
