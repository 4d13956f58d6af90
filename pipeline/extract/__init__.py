"""HTML main-text extractors: thin wrappers around trafilatura, readability-lxml, resiliparse and jusText
(`extractors`), and the ensemble that picks between them (`ensemble`). `EXTRACTORS` maps the names a
config may give (`config.HTML_EXTRACTORS`) to the functions."""

from .ensemble import extract_ensemble
from .extractors import (
    extract_justext,
    extract_readability,
    extract_resiliparse,
    extract_trafilatura,
    extract_trafilatura_fast,
    extract_trafilatura_recall,
)

EXTRACTORS = {
    "trafilatura": extract_trafilatura,
    "trafilatura_fast": extract_trafilatura_fast,
    "trafilatura_recall": extract_trafilatura_recall,
    "readability": extract_readability,
    "resiliparse": extract_resiliparse,
    "justext": extract_justext,
    "ensemble": extract_ensemble,
}

__all__ = ["EXTRACTORS", "extract_ensemble"]
