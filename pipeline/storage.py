"""Object storage through fsspec: inputs, the published corpus and its index at `s3://`, `gs://`, ... URLs.

Inputs are listed with the store's own listing (globs included) and streamed from it; nothing is downloaded
whole first. A published corpus on a store is mirrored in a local staging folder (`CORPUS_STAGING_DIR`, by
default under ~/.cache/corpus-pipeline): before a run the folder is brought level with the store (only files
it lacks are fetched: shard and segment names carry their content digest, so a name never changes content),
the run works and publishes locally as on any disk, and then the new files are uploaded with `manifest.json`
last. The manifest is the only commit point, because a store has no atomic rename: a reader that starts from
it never sees a partial run; files of an interrupted upload are not listed and are removed by the next run.

Credentials come from the store library's standard chains (environment, profile, instance role); they are
never passed through this module, and URLs are shown without any user or query part (`redact`).
"""

from __future__ import annotations

import glob as globlib
import gzip
import hashlib
import logging
import os
import posixpath
import secrets
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger("pipeline")

MANIFEST = "manifest.json"
# what a published corpus holds, relative to its root; the manifest is written last and removed never
PUBLISHED_DIRS = ("data", "rejected", "index")
PUBLISHED_FILES = ("stats.json", "report.html")
PATH_LIST_SUFFIXES = (".paths", ".paths.gz")  # a file listing inputs, one path or URL a line (Common Crawl's)


def is_remote(path: str | os.PathLike) -> bool:
    """An fsspec URL other than a local file (`file://` and plain paths are local)."""
    text = str(path)
    return "://" in text and not text.startswith("file://")


def local_path(path: str | os.PathLike) -> str:
    text = str(path)
    return text[len("file://"):] if text.startswith("file://") else text


def redact(url: str) -> str:
    """A URL as it may be shown: no user, password or query string (where credentials could hide)."""
    if not is_remote(url):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def filesystem(url: str):
    """(fsspec filesystem, path inside it) for a URL."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    return fs, path



def open_input(path: str) -> IO[bytes]:
    """A binary stream of a local file or a stored object (read in blocks, not downloaded whole)."""
    if not is_remote(path):
        return open(local_path(path), "rb")  # noqa: SIM115 - returned to the caller, who closes it
    fs, inner = filesystem(path)
    return fs.open(inner, "rb", block_size=8 << 20)


def read_bytes(path: str) -> bytes:
    with open_input(path) as fh:
        return fh.read()


def is_path_list(path: str) -> bool:
    return str(path).lower().endswith(PATH_LIST_SUFFIXES)


def expand_path_lists(inputs: list[str]) -> list[str]:
    """Inputs with every path-list file (`*.paths`, `*.paths.gz`) replaced by the paths it lists; a relative
    entry is taken relative to the list's own folder (or URL prefix)."""
    expanded: list[str] = []
    for item in inputs:
        if not is_path_list(item):
            expanded.append(item)
            continue
        data = read_bytes(item)
        if item.lower().endswith(".gz"):
            data = gzip.decompress(data)
        base = item.rsplit("/", 1)[0] if "/" in item else "."
        for line in data.decode("utf-8").splitlines():
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            if "://" in entry or entry.startswith("/"):
                expanded.append(entry)
            else:
                if is_remote(base):
                    scheme, rest = base.split("://", 1)
                    expanded.append(f"{scheme}://{posixpath.normpath(posixpath.join(rest, entry))}")
                else:
                    expanded.append(os.path.normpath(os.path.join(base, entry)))
    return expanded


def discover_remote(inputs: list[str], exclude: list[str]) -> tuple[str, list[tuple[str, str, int]]]:
    """Files under URL inputs (an object, a prefix, or a glob): the common root URL and (url, rel, size) of
    each, sorted by rel. Raises FileNotFoundError when an input matches nothing."""
    protocols = {urlsplit(i).scheme for i in inputs}
    if len(protocols) != 1:
        raise ValueError(f"inputs on different stores cannot be one corpus: {sorted(protocols)}")
    protocol = protocols.pop()
    fs, _ = filesystem(inputs[0])
    fs.invalidate_cache()
    skip = [filesystem(e)[1].rstrip("/") + "/" for e in exclude if is_remote(e)]
    found: dict[str, int] = {}
    roots: list[str] = []
    for item in inputs:
        _, path = filesystem(item)
        if globlib.has_magic(path):
            matches = fs.glob(path, detail=True)
            root = path.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0].rsplit("/", 1)[0]
        elif fs.isdir(path):
            matches = fs.find(path, detail=True)
            root = path.rstrip("/")
        elif fs.exists(path):
            matches = {path: fs.info(path)}
            root = path.rsplit("/", 1)[0]
        else:
            raise FileNotFoundError(f"input not found: {redact(item)}")
        files = {p: info for p, info in matches.items() if info.get("type") != "directory"}
        if not files:
            raise FileNotFoundError(f"input matched nothing: {redact(item)}")
        roots.append(root)
        for p, info in files.items():
            if not any((p.rstrip("/") + "/").startswith(s) for s in skip):
                found[p] = int(info.get("size") or 0)
    common = posixpath.commonpath(roots) if len(roots) > 1 else roots[0]
    prefix = f"{protocol}://"
    listed = [(prefix + p, posixpath.relpath(p, common), size) for p, size in found.items()]
    return prefix + common, sorted(listed, key=lambda f: f[1])


def sha256_of(url: str) -> str:
    h = hashlib.sha256()
    with open_input(url) as fh:
        for chunk in iter(lambda: fh.read(8 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------------------
# a published corpus on a store, mirrored in a local staging folder


def staging_dir(url: str) -> Path:
    """The local mirror of a corpus published at `url` (the same folder for the same URL, so a killed run
    resumes from its work files)."""
    base = Path(os.environ.get("CORPUS_STAGING_DIR") or Path.home() / ".cache" / "corpus-pipeline" / "staging")
    return base / hashlib.sha256(redact(url).encode()).hexdigest()[:16]


def _remote_files(url: str) -> dict[str, int]:
    """rel path -> size of what is published at `url`."""
    fs, root = filesystem(url)
    fs.invalidate_cache()
    files: dict[str, int] = {}
    if not fs.exists(root):
        return files
    for path, info in fs.find(root, detail=True).items():
        if info.get("type") != "directory":
            files[posixpath.relpath(path, root.rstrip("/"))] = int(info.get("size") or 0)
    return files


def _local_files(folder: Path) -> dict[str, int]:
    files: dict[str, int] = {}
    for name in PUBLISHED_FILES + (MANIFEST,):
        if (folder / name).is_file():
            files[name] = (folder / name).stat().st_size
    for top in PUBLISHED_DIRS:
        for path in sorted((folder / top).rglob("*")) if (folder / top).is_dir() else []:
            if path.is_file() and ".tmp-" not in path.name:
                files[path.relative_to(folder).as_posix()] = path.stat().st_size
    return files


def _published(rel: str) -> bool:
    return rel in PUBLISHED_FILES or rel == MANIFEST or rel.split("/", 1)[0] in PUBLISHED_DIRS


def _fetch(fs, remote_path: str, target: Path) -> None:
    """One object to a local file, atomically (a name of its own per process: tasks of one machine share the
    mirror and may fetch the same file at once)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-pull-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fs.get_file(remote_path, str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def pull(url: str, folder: Path) -> int:
    """Bring the local mirror level with the corpus published at `url`: fetch what it lacks (or holds at
    another size) and the manifest. Local files the store does not have are left alone (a task of this
    machine may have just written them and not yet uploaded them); publish removes whatever the new manifest
    does not list, here and on the store."""
    fs, root = filesystem(url)
    remote = published_files(url)
    local = _local_files(folder)
    fetched = 0
    for rel, size in sorted(remote.items()):
        if rel == MANIFEST or local.get(rel) != size:
            _fetch(fs, posixpath.join(root, rel), folder / rel)
            fetched += 1
    if MANIFEST not in remote:
        (folder / MANIFEST).unlink(missing_ok=True)
    log.info("staging %s: %d files fetched from %s", folder, fetched, redact(url))
    return fetched


# ----------------------------------------------------------------------------------------------------------
# work files that the tasks of one run hand to each other, when they share no disk (runner/remote.py)


def _folder_files(folder: Path) -> dict[str, int]:
    """rel path -> size of the finished files under `folder` (not temporary ones)."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*"))
            if p.is_file() and ".tmp-" not in p.name}


def fetch_folder(url: str, folder: Path, names: list[str] | None = None) -> int:
    """Objects under the prefix `url` that `folder` lacks (or holds at another size), or only `names`."""
    fs, root = filesystem(url)
    local = _folder_files(folder)
    wanted = _remote_files(url)
    if names is not None:
        wanted = {rel: size for rel, size in wanted.items() if rel in names}
    fetched = 0
    for rel, size in sorted(wanted.items()):
        if local.get(rel) != size or (names is not None):
            _fetch(fs, posixpath.join(root, rel), folder / rel)
            fetched += 1
    return fetched


def push_folder(folder: Path, url: str) -> int:
    """The finished files of `folder` (not temporary ones) that the prefix `url` lacks or holds at another
    size, uploaded."""
    fs, root = filesystem(url)
    remote = _remote_files(url)
    sent = 0
    for rel, size in _folder_files(folder).items():
        if remote.get(rel) != size:
            fs.put_file(str(folder / rel), posixpath.join(root, rel))
            sent += 1
    return sent


def remove_prefix(url: str) -> None:
    fs, root = filesystem(url)
    fs.invalidate_cache()
    if fs.exists(root):
        fs.rm(root, recursive=True)
    fs.invalidate_cache()


def published_files(url: str) -> dict[str, int]:
    """rel path -> size of the published corpus's files on the store (work files left out)."""
    return {k: v for k, v in _remote_files(url).items() if _published(k)}


def upload_new(folder: Path, url: str, reports: bool = True, remote: dict[str, int] | None = None) -> int:
    """Upload the local mirror's new and changed files (never the manifest): a reader of the store still sees
    the previous run whole, since its manifest names none of these. `reports=False`: not stats.json and
    report.html either (a task before publish uploads what it wrote into data/, rejected/ and index/).
    `remote`: the store's `published_files`, when the caller has listed them already."""
    fs, root = filesystem(url)
    remote = published_files(url) if remote is None else remote
    sent = 0
    for rel, size in sorted(_local_files(folder).items()):
        if rel == MANIFEST or (rel in PUBLISHED_FILES and not reports):
            continue
        if remote.get(rel) == size and rel not in PUBLISHED_FILES:
            continue
        fs.put_file(str(folder / rel), posixpath.join(root, rel))
        sent += 1
    return sent


def commit(folder: Path, url: str) -> None:
    """Write the manifest: the run is published (the one commit point on a store without atomic rename)."""
    fs, root = filesystem(url)
    fs.put_file(str(folder / MANIFEST), posixpath.join(root, MANIFEST))


def remove_unlisted(folder: Path, url: str, remote: dict[str, int] | None = None) -> int:
    """After the commit: remove from the store what the local mirror (the new manifest) no longer has, the
    leftovers of an interrupted upload included. `remote`: the listing taken before the upload will do (what
    was uploaded since is in the mirror, so never stale)."""
    fs, root = filesystem(url)
    remote = published_files(url) if remote is None else remote
    stale = sorted(set(remote) - set(_local_files(folder)) - {MANIFEST})
    if stale:
        fs.rm([posixpath.join(root, rel) for rel in stale])
    fs.invalidate_cache()
    return len(stale)

