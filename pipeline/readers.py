"""Input discovery and readers: files -> `Document`s holding raw bytes (or already-rejected documents).

The format is chosen by content (magic bytes, first lines), the extension is only a tie-breaker, so a
WARC named `.txt` or HTML named `.dat` is still read correctly. A reader never raises for bad input: a file
that cannot be read becomes a rejected document with a reason, and the run goes on.

    >>> [d.source for d in read_file(InputFile(path, "a.jsonl", 0, ""), Config())]   # doctest: +SKIP
    ['a.jsonl#1', 'a.jsonl#2']
"""

from __future__ import annotations

import bz2
import glob
import gzip
import hashlib
import io
import json
import lzma
import os
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import storage
from .config import Config
from .document import Document, Reason, document_id
from .text import HEAD_BYTES, looks_like_html

# Magic numbers of formats that are never text. Checked before anything else (binary gate, first pass).
BINARY_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\x7fELF", "elf"),
    (b"MZ", "pe"),
    (b"\xca\xfe\xba\xbe", "mach-o/java-class"),
    (b"\xcf\xfa\xed\xfe", "mach-o"),
    (b"\xfe\xed\xfa", "mach-o"),
    (b"(\xb5/\xfd", "zstd"),
    (b"OggS", "ogg"),
    (b"fLaC", "flac"),
    (b"ID3", "mp3"),
    (b"\xff\xfb", "mp3"),
    (b"\xff\xf3", "mp3"),
    (b"\xff\xf2", "mp3"),
    (b"wOFF", "woff"),
    (b"wOF2", "woff2"),
    (b"\x00\x01\x00\x00\x00", "ttf"),
    (b"OTTO", "otf"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2/office"),
    (b"\x1a\x45\xdf\xa3", "matroska/webm"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"MSCF", "cab"),
    (b"!<arch>\n", "ar/deb"),
    (b"\x93NUMPY", "npy"),
    (b"PAR1", "parquet"),
    (b"ARROW1", "arrow"),
    (b"\x80\x02", "pickle"),
    (b"\x80\x03", "pickle"),
    (b"\x80\x04", "pickle"),
    (b"\x80\x05", "pickle"),
    (b"Obj\x01", "avro"),
    (b"\xed\xab\xee\xdb", "rpm"),
    (b"LZIP", "lzip"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"CD001", "iso"),
    (b"%!PS", "postscript"),
    (b"{\\rtf", "rtf"),
]


def binary_magic(head: bytes) -> str | None:
    """Name of a binary format recognised by its magic bytes, else None."""
    for magic, name in BINARY_MAGIC:
        if head.startswith(magic):
            if name == "bmp" and len(head) > 14 and head[6:10] != b"\x00\x00\x00\x00":
                continue  # "BM" also starts ordinary text; a real BMP has zero reserved bytes
            if name == "pe" and not _looks_like_pe(head):
                continue
            if name in ("mp3",) and _mostly_printable(head):
                continue
            return name
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) > 12 and head[4:8] == b"ftyp":
        return "mp4/mov/heic"
    if head.startswith(b"RIFF") and len(head) > 12:
        return "riff(" + head[8:12].decode("latin-1").strip() + ")"
    if len(head) > 0x8005 and head[0x8001:0x8006] == b"CD001":
        return "iso"
    return None


def _looks_like_pe(head: bytes) -> bool:
    if len(head) < 0x40:
        return False
    offset = int.from_bytes(head[0x3C:0x40], "little")
    return (
        offset + 4 <= len(head)
        and head[offset : offset + 4] == b"PE\x00\x00"
        or b"This program" in head[:512]
    )


def _mostly_printable(head: bytes) -> bool:
    sample = head[:512]
    printable = sum(1 for b in sample if b >= 0x20 or b in (9, 10, 13))
    return printable >= 0.95 * len(sample)


@dataclass(frozen=True)
class InputFile:
    """One file found under the inputs. `rel` is the path relative to the input root (UTF-8 safe)."""

    path: str
    rel: str
    size: int
    sha256: str

    def to_dict(self) -> dict:
        return {"path": self.rel, "bytes": self.size, "sha256": self.sha256}


def display_path(path: str) -> str:
    """A file name as valid UTF-8: undecodable bytes become \\xNN escapes (Parquet strings must be UTF-8)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_sha256(path: str) -> str:
    """sha256 of a regular file's bytes; "" for anything else (opening a FIFO would block forever)."""
    h = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ""
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def _glob_root(pattern: str) -> str:
    parts = Path(pattern).parts
    prefix: list[str] = []
    for part in parts:
        if glob.has_magic(part):
            break
        prefix.append(part)
    return str(Path(*prefix)) if prefix else "."


def _walk(directory: str, follow_symlinks: bool, excluded: frozenset[tuple[int, int]] = frozenset()) -> Iterator[str]:
    """All files under `directory`, sorted, each real directory visited once (symlink loops end); the
    directories in `excluded` ((st_dev, st_ino) pairs: the output folder) are not entered."""
    seen: set[tuple[int, int]] = set(excluded)
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            st = os.stat(current)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(current), key=lambda e: os.fsencode(e.name))
        except OSError:
            # an unreadable directory is reported as an input that could not be read
            yield current
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith(".") and entry.name in (".git", ".svn"):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=follow_symlinks)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(entry.path)
            elif entry.is_symlink() and not follow_symlinks:
                continue
            else:
                yield entry.path
        stack.extend(reversed(subdirs))


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _inside(path: str, folders: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == f or real.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def discover(
    inputs: Iterable[str], follow_symlinks: bool = True, with_hash: bool = True, exclude: Iterable[str] = ()
) -> tuple[str, list[InputFile]]:
    """Expand files, folders and globs into a sorted, de-duplicated list of input files.

    Returns the common root (sources are relative to it) and the files. Raises FileNotFoundError when an
    input matches nothing, since that is a mistake in the command, not bad data. Nothing inside an
    `exclude` folder is an input (the output folder: its manifest, report and shards are not documents).
    """
    inputs = storage.expand_path_lists([str(i) for i in inputs])
    remote = [i for i in inputs if storage.is_remote(i)]
    if remote:
        if len(remote) != len(inputs):
            raise ValueError("inputs must all be local or all on one store, not both")
        root, listed = storage.discover_remote(remote, [str(e) for e in exclude])
        return root, [InputFile(url, rel, size, storage.sha256_of(url) if with_hash else "")
                      for url, rel, size in listed]
    inputs = [storage.local_path(i) for i in inputs]
    excluded_dirs = [os.path.realpath(e) for e in exclude if not storage.is_remote(e)]
    excluded = frozenset(i for i in map(_identity, excluded_dirs) if i is not None)
    found: list[tuple[str, str]] = []  # (path, root)
    for item in inputs:
        if glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise FileNotFoundError(f"input pattern matched nothing: {item}")
            root = _glob_root(item)
            for match in matches:
                if _inside(match, excluded_dirs):
                    continue
                if os.path.isdir(match):
                    found.extend((p, root) for p in _walk(match, follow_symlinks, excluded))
                else:
                    found.append((match, root))
        elif os.path.isdir(item):
            if not _inside(item, excluded_dirs):
                found.extend((p, item) for p in _walk(item, follow_symlinks, excluded))
        elif os.path.lexists(item):
            if _inside(item, excluded_dirs):
                continue
            found.append((item, os.path.dirname(item) or "."))
        else:
            raise FileNotFoundError(f"input not found: {item}")
    if not found:
        return ".", []
    roots = {os.path.abspath(root) for _, root in found}
    common = os.path.commonpath(sorted(roots))
    files: dict[str, InputFile] = {}
    for path, _ in found:
        absolute = os.path.abspath(path)
        rel = display_path(os.path.relpath(absolute, common))
        if rel in files:
            continue
        try:
            size = os.stat(absolute).st_size
        except OSError:
            size = 0
        files[rel] = InputFile(absolute, rel, size, file_sha256(absolute) if with_hash else "")
    ordered = sorted(files.values(), key=lambda f: f.rel)
    return common, ordered


@dataclass(frozen=True)
class WorkUnit:
    """A file, or a range of its records (a part of a file larger than a shard)."""

    file: InputFile
    records: tuple[int, int] | None = None  # (first, end) positions of `read_file`'s documents; None: all
    size: int = 0  # input bytes this unit stands for
    start: ResumePoint | None = None  # where a part's reading begins (None: the file's start)


def work_units(files: list[InputFile], shard_bytes: int, index: Callable[[InputFile], RecordIndex]
               ) -> list[WorkUnit]:
    """Files in order; a file larger than `shard_bytes` holding several records (WARC, JSONL) becomes that
    many parts of about `shard_bytes` (`index` gives its number of records and where reading can resume), so
    that one big file spreads over all workers and each part reads little more than its own records. Parts
    split at record boundaries, and the same file and shard size give the same parts."""
    units: list[WorkUnit] = []
    for f in files:
        parts = -(-f.size // max(1, shard_bytes))
        found = index(f) if parts > 1 else RecordIndex(1)
        records = found.count
        parts = min(parts, records)
        if parts <= 1:
            units.append(WorkUnit(f, None, f.size))
            continue
        for k in range(parts):
            first, end = k * records // parts, (k + 1) * records // parts
            units.append(WorkUnit(f, (first, end), f.size * (end - first) // records, found.resume_before(first)))
    return units


def group_into_shards(units: list[WorkUnit], shard_bytes: int, max_files: int) -> list[list[WorkUnit]]:
    """Consecutive work units grouped into shards of about `shard_bytes`; deterministic for a given list."""
    shards: list[list[WorkUnit]] = []
    current: list[WorkUnit] = []
    size = 0
    for unit in units:
        if current and (size + unit.size > shard_bytes or len(current) >= max_files):
            shards.append(current)
            current, size = [], 0
        current.append(unit)
        size += unit.size
    if current:
        shards.append(current)
    return shards


# ----------------------------------------------------------------------------------------------------------
# streams


class DecompressionBombError(Exception):
    pass


class CappedReader(io.RawIOBase):
    """Reads from a decompressing stream and fails once more than `cap` bytes came out of it."""

    def __init__(self, inner: io.BufferedIOBase, cap: int):
        self.inner = inner
        self.cap = cap
        self.count = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:  # decompressed bytes so far: BufferedReader.tell() over it gives record offsets
        return self.count

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.cap:
            raise DecompressionBombError(f"decompressed size passed the cap of {self.cap} bytes")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


COMPRESSIONS = {
    b"\x1f\x8b": ("gzip", gzip.GzipFile),
    b"BZh": ("bzip2", bz2.BZ2File),
    b"\xfd7zXZ\x00": ("xz", lzma.LZMAFile),
}

COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")


def _open_layers(path: str, cap: int, offset: int = 0) -> tuple[io.BufferedReader, list[str]]:
    """Open `path` (from raw byte `offset`: a record, or a gzip member), peeling off gzip/bzip2/xz layers
    (nested ones too), capped in decompressed size."""
    raw = storage.open_input(path)  # a stored object is read in blocks, not downloaded first
    if offset:
        raw.seek(offset)
    stream: io.BufferedReader = io.BufferedReader(raw, buffer_size=1 << 16)
    layers: list[str] = []
    for _ in range(3):
        head = stream.peek(8)[:8]
        for magic, (name, opener) in COMPRESSIONS.items():
            if head.startswith(magic):
                layers.append(name)
                inner = opener(stream) if name != "gzip" else gzip.GzipFile(fileobj=stream)
                stream = io.BufferedReader(CappedReader(inner, cap), buffer_size=1 << 16)
                break
        else:
            break
    return stream, layers


def _inner_name(name: str) -> str:
    lowered = name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        while lowered.endswith(suffix):
            name, lowered = name[: -len(suffix)], lowered[: -len(suffix)]
    return name


def _looks_like_warc(head: bytes) -> bool:
    return head.lstrip(b"\r\n").startswith((b"WARC/1.", b"WARC/0."))


def _looks_like_jsonl(head: bytes, name: str) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"{"):
        return False
    first_line = stripped.split(b"\n", 1)[0]
    try:
        obj = json.loads(first_line)
    except (ValueError, UnicodeDecodeError):
        # a long first line cut by the head window still counts when the extension says so
        return name.lower().endswith((".jsonl", ".ndjson", ".json")) and b"\n" not in stripped
    return isinstance(obj, dict)


def sniff(head: bytes, name: str) -> str:
    """Format of a (decompressed) stream from its first bytes: warc, pdf, jsonl, html, text or binary:<kind>."""
    if _looks_like_warc(head):
        return "warc"
    if head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "pdf"
    kind = binary_magic(head)
    if kind:
        return f"binary:{kind}"
    if _looks_like_jsonl(head, name):
        return "jsonl"
    if looks_like_html(head, name):
        return "html"
    return "text"


# ----------------------------------------------------------------------------------------------------------
# readers


def _rejected(
    source: str, reason: Reason, detail: str, content_type: str = "unknown", url: str | None = None
) -> Document:
    doc = Document(id=document_id(source), source=source, url=url, content_type=content_type)
    doc.rejected_by = "read"
    return doc.reject(reason, detail)


@dataclass(frozen=True)
class ResumePoint:
    """Where reading a file can start again: the raw byte `offset` of a record (in a plain file, or the start of
    a gzip member holding it), the position of its first document, and the file's format."""

    offset: int
    position: int
    kind: str


@dataclass
class RecordIndex:
    """A file's document count and resume points (`index_records`), for splitting it into parts."""

    count: int
    resume: list[ResumePoint] = field(default_factory=list)

    def resume_before(self, position: int) -> ResumePoint | None:
        """The last resume point at or before `position` (None: read from the start)."""
        best = None
        for point in self.resume:
            if point.position > position:
                break
            best = point
        return best


def read_file(entry: InputFile, config: Config, records: tuple[int, int] | None = None,
              start: ResumePoint | None = None) -> Iterator[Document]:
    """Every document in one input file, in order; with `records` (first, end), only the documents at those
    positions. With `start` (a resume point at or before `first`, see `index_records`), reading begins at that
    record instead of the file's start, so the parts of a large file cost what they hold. Never raises for
    bad input."""
    if records is None:
        yield from _read_file(entry, config)
        return
    first, end = records
    position = start.position if start else 0
    for doc in _read_file(entry, config, start=start):
        if position >= end:
            return
        if position >= first:
            yield doc
        position += 1


RESUME_EVERY = 1 << 20  # decompressed bytes between resume points: a part reads at most this much it skips


class _ResumeMarks:
    """What the readers report while planning: for each document, the decompressed offset of its record where
    reading could resume there (None where not). Keeps one candidate per RESUME_EVERY bytes, not one per
    document (a file of millions of lines)."""

    def __init__(self) -> None:
        self.position = 0
        self.next_at = RESUME_EVERY
        self.candidates: list[tuple[int, int]] = []  # (position, decompressed offset)
        self.kind: str | None = None  # set with `layers` once the whole file was read
        self.layers: list[str] = []

    def append(self, offset: int | None) -> None:
        if offset is not None and offset >= self.next_at:
            self.candidates.append((self.position, offset))
            self.next_at = offset + RESUME_EVERY
        self.position += 1


def index_records(entry: InputFile, config: Config) -> RecordIndex:
    """How many documents `read_file` yields for this file, and where reading can resume about every
    RESUME_EVERY bytes (one read of the file; a gzip file is scanned once more for its member offsets). Resume
    points exist for JSON Lines and WARC files, plain or gzipped with members that start at records (as
    crawlers write WARC); a file compressed as one stream has none and its parts read it from the start."""
    marks = _ResumeMarks()
    count = sum(1 for _ in _read_file(entry, config, marks=marks))
    if marks.kind is None or marks.position != count or not marks.candidates:
        return RecordIndex(count)
    if marks.layers == []:
        return RecordIndex(count, [ResumePoint(o, p, marks.kind) for p, o in marks.candidates])
    if marks.layers != ["gzip"]:
        return RecordIndex(count)
    members = _gzip_member_offsets(entry.path)  # decompressed start -> raw start
    return RecordIndex(count, [ResumePoint(members[o], p, marks.kind) for p, o in marks.candidates if o in members])


def _gzip_member_offsets(path: str) -> dict[int, int]:
    """{decompressed offset: raw offset} of every member of a gzip file after the first (one pass of zlib)."""
    members: dict[int, int] = {}
    raw_position = out_position = 0
    decompressor = zlib.decompressobj(31)
    with storage.open_input(path) as raw:
        while True:
            chunk = raw.read(1 << 20)
            if not chunk:
                return members
            data = chunk
            while data:
                out_position += len(decompressor.decompress(data))
                if not decompressor.eof:
                    raw_position += len(data)
                    break
                used = len(data) - len(decompressor.unused_data)
                raw_position += used
                data = decompressor.unused_data
                if not data.lstrip(b"\0"):
                    raw_position += len(data)
                    break
                members[out_position] = raw_position
                decompressor = zlib.decompressobj(31)


def _read_file(entry: InputFile, config: Config, start: ResumePoint | None = None,
               marks: _ResumeMarks | None = None) -> Iterator[Document]:
    """`start`: begin at a resume point (format known, numbering from its position). `marks`: told the
    decompressed offset of each document's record where reading could resume there (None where not), and
    the format once the file was read whole (JSON Lines and WARC only)."""
    cfg = config.input
    if storage.is_remote(entry.path):
        pass  # an object: no directories, FIFOs or devices on a store
    elif os.path.isdir(entry.path):
        yield _rejected(entry.rel, Reason.READ_ERROR, "directory could not be listed (permission denied?)")
        return
    if not storage.is_remote(entry.path):
        try:
            mode = os.stat(entry.path).st_mode
        except OSError as exc:
            yield _rejected(entry.rel, Reason.READ_ERROR, f"{type(exc).__name__}: {exc.strerror or exc}")
            return
        if not stat.S_ISREG(mode):
            # a FIFO would block the run forever on open(); sockets and devices are not documents either
            yield _rejected(entry.rel, Reason.UNSUPPORTED, "not a regular file (FIFO, socket or device)")
            return
    count = 0
    first_number = start.position if start else 0
    try:
        stream, layers = _open_layers(entry.path, cfg.max_decompressed_bytes, start.offset if start else 0)
        name = _inner_name(entry.rel) if layers else entry.rel
        with stream:
            if start is not None:
                kind = start.kind  # a resume point is a record of the format the whole read found
            else:
                head = stream.peek(HEAD_BYTES)[:HEAD_BYTES]
                if not head.strip():
                    rest = stream.read(1 << 20)
                    if not rest.strip():
                        yield _rejected(entry.rel, Reason.EMPTY, "zero bytes" if not rest else "only whitespace")
                        return
                    head = rest  # whitespace then content: fall through with what we read
                    stream = io.BufferedReader(io.BytesIO(rest + stream.read()))  # type: ignore[arg-type]
                kind = sniff(head, name)
            if kind == "warc":
                reader = _read_warc(stream, entry.rel, cfg, first_number, marks)
            elif kind == "jsonl":
                reader = _read_jsonl(stream, entry.rel, cfg, first_number, marks)
            elif kind == "pdf":
                reader = _read_pdf(stream, entry.rel, cfg)
            elif kind.startswith("binary:"):
                reader = iter(
                    [_rejected(entry.rel, Reason.BINARY, f"file type {kind[7:]} (magic bytes)", "binary")]
                )
            else:
                reader = _read_single(stream, entry.rel, kind, cfg, entry.size if layers else 0)
            for doc in reader:
                count += 1
                yield doc
            if marks is not None and kind in ("warc", "jsonl"):
                marks.kind, marks.layers = kind, layers
    except DecompressionBombError as exc:
        yield _rejected(f"{entry.rel}#rest" if count else entry.rel, Reason.DECOMPRESSION_BOMB, str(exc))
    except (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError) as exc:
        # unreadable file, or truncated/corrupt compressed data: records read before the damage are kept
        if isinstance(exc, EOFError) or "end-of-stream" in str(exc):
            reason = Reason.TRUNCATED
        elif isinstance(exc, (zlib.error, gzip.BadGzipFile, lzma.LZMAError)):
            reason = Reason.MALFORMED
        else:
            reason = Reason.READ_ERROR
        where = f"after {count} record(s)" if count else "before any complete record"
        message = getattr(exc, "strerror", None) or str(exc)
        yield _rejected(
            f"{entry.rel}#rest" if count else entry.rel, reason, f"{type(exc).__name__}: {message} ({where})"
        )


def _read_all(stream: io.BufferedReader, limit: int) -> bytes | None:
    """Read up to `limit` bytes; None if the stream holds more (the caller rejects `too_large`)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        return None
    return data


BOMB_RATIO = 100  # text compresses 3-10x; a file that expands 100x past the size limit is built to do so


def _read_single(
    stream: io.BufferedReader, source: str, kind: str, cfg, compressed_size: int = 0
) -> Iterator[Document]:
    data = _read_all(stream, cfg.max_file_bytes)
    if data is None:
        if compressed_size and cfg.max_file_bytes > BOMB_RATIO * compressed_size:
            yield _rejected(source, Reason.DECOMPRESSION_BOMB,
                            f"{compressed_size} compressed bytes expand past {cfg.max_file_bytes} bytes", kind)
            return
        yield _rejected(source, Reason.TOO_LARGE, f"more than {cfg.max_file_bytes} bytes in one document", kind)
        return
    yield Document(id=document_id(source), source=source, raw=data, content_type=kind)


def _read_pdf(stream: io.BufferedReader, source: str, cfg) -> Iterator[Document]:
    data = _read_all(stream, cfg.max_file_bytes)
    if data is None:
        yield _rejected(source, Reason.TOO_LARGE, f"PDF larger than {cfg.max_file_bytes} bytes", "pdf")
        return
    yield pdf_document(data, source)


def pdf_document(data: bytes, source: str, url: str | None = None) -> Document:
    """Extract a PDF's text with pypdf; a PDF that does not parse is rejected `malformed`."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every slightly broken xref
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - any failure here means we cannot read it
                return _rejected(source, Reason.UNSUPPORTED, "encrypted PDF", "pdf", url)
        pages = [(page.extract_text() or "") for page in reader.pages]
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ) as exc:
        return _rejected(
            source, Reason.MALFORMED, f"PDF does not parse: {type(exc).__name__}: {exc}"[:300], "pdf", url
        )
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    doc = Document(id=document_id(source), source=source, url=url, text=text, content_type="pdf")
    doc.encoding = "pdf"
    return doc


def _read_jsonl(stream: io.BufferedReader, source: str, cfg, first_number: int = 0,
                marks: _ResumeMarks | None = None) -> Iterator[Document]:
    number = first_number
    while True:
        where = stream.tell() if marks is not None else None
        line = stream.readline(cfg.max_file_bytes + 1)
        if not line:
            break
        number += 1
        if marks is not None and line.strip():
            marks.append(where)  # this line's document: reading can resume at the line
        rec_source = f"{source}#{number}"
        if len(line) > cfg.max_file_bytes:
            # skip to the end of this over-long line without holding it
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield _rejected(
                rec_source, Reason.TOO_LARGE, f"JSON line longer than {cfg.max_file_bytes} bytes", "jsonl"
            )
            continue
        if not line.strip():
            number -= 1  # blank lines are not records
            continue
        try:
            obj = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            yield _rejected(rec_source, Reason.MALFORMED, f"not valid JSON: {exc}"[:300], "jsonl")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            yield _rejected(rec_source, Reason.MALFORMED, "JSON line without a string field 'text'", "jsonl")
            continue
        url = obj.get("url") if isinstance(obj.get("url"), str) else None
        doc = Document(
            id=document_id(rec_source), source=rec_source, url=url, text=obj["text"], content_type="text"
        )
        if isinstance(obj.get("id"), (str, int)) and not isinstance(obj.get("id"), bool):
            doc.record_id = str(obj["id"])
        doc.encoding = "json"
        if looks_like_html(obj["text"][:HEAD_BYTES]):
            doc.content_type = "html"
        yield doc


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _skip_to_warc_header(stream: io.BufferedReader) -> bytes | None:
    """Read lines until one starts a WARC record; return that line (None at the end of the stream)."""
    while True:
        line = stream.readline(1 << 16)
        if not line:
            return None
        if line.startswith((b"WARC/1.", b"WARC/0.")):
            return line


def _warc_chunks(stream: io.BufferedReader, max_bytes: int, where: list | None = None
                 ) -> Iterator[tuple[bytes | None, str]]:
    """Split a WARC stream into whole records by their Content-Length, one record in memory at a time.

    Yields (record bytes, "") or (None, problem). After a damaged header we resync on the next line that
    starts with `WARC/1.`, so one corrupt record does not take the rest of the file with it.
    """
    pending: bytes | None = None
    while True:
        if where is not None:  # the offset a record starting on this line starts at (None: after a resync)
            where[:] = [stream.tell() if pending is None else None]
        line = pending if pending is not None else stream.readline(1 << 16)
        pending = None
        if not line:
            return
        if not line.strip():
            continue
        if not line.startswith((b"WARC/1.", b"WARC/0.")):
            yield None, f"expected a WARC record header, found {line[:60]!r}"
            pending = _skip_to_warc_header(stream)
            if pending is None:
                return
            continue
        header = [line]
        while True:
            more = stream.readline(1 << 16)
            if not more:
                break
            header.append(more)
            if more in (b"\r\n", b"\n") or len(header) > 500:
                break
        length = None
        for h in header[1:]:
            key, _, value = h.partition(b":")
            if key.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    length = None
        if length is None or length < 0:
            yield None, "WARC record without a valid Content-Length"
            pending = _skip_to_warc_header(stream)
            if pending is None:
                return
            continue
        if length > max_bytes:
            remaining = length
            while remaining > 0:
                chunk = stream.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            yield None, f"too_large: record of {length} bytes"
            continue
        body = stream.read(length)
        if len(body) < length:
            yield None, f"record truncated ({len(body)} of {length} bytes)"
            return
        yield b"".join(header) + body + b"\r\n\r\n", ""


def _read_warc(stream: io.BufferedReader, source: str, cfg, first_number: int = 0,
               marks: _ResumeMarks | None = None) -> Iterator[Document]:
    """WARC/WET records: split by our own header scan (robust to damage), each record parsed by warcio."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = first_number
    where: list | None = [] if marks is not None else None
    for chunk, problem in _warc_chunks(stream, cfg.max_file_bytes, where):
        record_start = where[0] if where else None
        if chunk is None:
            if marks is not None:
                marks.append(None)  # a damaged stretch: no resuming here
            number += 1
            reason = Reason.TOO_LARGE if problem.startswith("too_large") else Reason.MALFORMED
            yield _rejected(f"{source}#{number}", reason, f"WARC: {problem}", "warc")
            continue
        try:
            record_docs = []
            # each record must be read while the iterator is on it (its stream is consumed by the next step)
            for record in ArchiveIterator(io.BytesIO(chunk), check_digests=False):
                record_docs.extend(_warc_record_documents(record, source, number, cfg))
        except (ArchiveLoadFailed, ValueError, KeyError, IndexError, EOFError) as exc:
            if marks is not None:
                marks.append(record_start)  # resuming at this record rejects it the same way
            number += 1
            yield _rejected(
                f"{source}#{number}", Reason.MALFORMED, f"corrupt WARC record: {exc}"[:300], "warc"
            )
            continue
        for k, doc in enumerate(record_docs):
            if marks is not None:
                marks.append(record_start if k == 0 else None)
            number += 1
            rec_source = f"{source}#{number}"
            doc.source = rec_source
            doc.id = document_id(rec_source)
            yield doc


def _warc_record_documents(record, source: str, number: int, cfg) -> list[Document]:
    """Zero or one document for a WARC record (request/warcinfo/metadata/revisit records carry no content)."""
    rtype = record.rec_type
    if rtype not in ("response", "resource", "conversion"):
        return []
    url = record.rec_headers.get_header("WARC-Target-URI")
    if rtype == "response" and record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type")
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            return [_rejected(source, Reason.UNSUPPORTED, f"HTTP status {status}", "warc", url)]
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    mime = (content_type or "").split(";")[0].strip().lower()
    body = record.content_stream().read()
    if mime == "application/pdf" or body.startswith(b"%PDF-"):
        doc = pdf_document(body, source, url)
    else:
        kind = sniff(body[:HEAD_BYTES], url or "")
        if mime in _CODE_OR_DATA_MIMES:
            return [_rejected(source, Reason.UNSUPPORTED, f"record of type {mime}: code or data, not a page", "warc",
                              url)]
        if kind.startswith("binary:") or (
            mime and not mime.startswith("text/") and mime not in _TEXTUAL_MIMES
        ):
            return [_rejected(source, Reason.BINARY, f"record of type {mime or kind[7:]}", "warc", url)]
        kind = "html" if mime in ("text/html", "application/xhtml+xml") or kind == "html" else "text"
        doc = Document(id=document_id(source), source=source, url=url, raw=body, content_type=kind)
        doc.declared_charset = _http_charset(content_type)
    doc.record_id = record.rec_headers.get_header("WARC-Record-ID")
    return [doc]


_TEXTUAL_MIMES = {"application/xhtml+xml", "application/xml"}
# responses a crawl fetches along with its pages: scripts, style sheets, API data. They are text, but not prose:
# kept, they came out as English documents chopped by the line rules
_CODE_OR_DATA_MIMES = {
    "application/javascript", "application/x-javascript", "application/ecmascript", "text/javascript",
    "text/ecmascript", "application/json", "application/ld+json", "application/manifest+json", "text/css",
    "text/csv", "application/csv", "text/x-python", "text/x-c", "text/x-java-source",
}
