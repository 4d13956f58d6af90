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

__all__ = ["__version__", "clean_html", "clean_text", "decode", "detect_language"]
_API = frozenset(__all__[1:])


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    """The one-call API, imported on first use: `import pipeline.runner...` in a worker process (a dedup or
    write step, an Airflow task) then does not load every stage and its models' code (about 0.35 s each)."""
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
