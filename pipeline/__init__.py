"""Corpus-cleaning pipeline: crawled web material in, clean deduplicated language-tagged Parquet out.

One-call API for single documents (`pipeline.api`; the batch pipeline is `pipeline.runner.run` /
`python -m pipeline`):

    >>> import pipeline
    >>> pipeline.decode("中文".encode("gb18030"))
    '中文'
    >>> pipeline.detect_language("This is plainly an English sentence about the weather.")[0]
    'en'
"""

__version__ = "0.3.0"

# after the version (modules read it)
from .api import clean_html, clean_text, decode, detect_language  # noqa: E402

__all__ = ["__version__", "clean_html", "clean_text", "decode", "detect_language"]
