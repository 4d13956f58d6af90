import gzip
import os

import pytest

from pipeline.config import Config
from pipeline.readers import (
    InputFile,
    RecordIndex,
    binary_magic,
    discover,
    group_into_shards,
    index_records,
    read_file,
    sniff,
    work_units,
)


def _read(path, config=None):
    entry = InputFile(str(path), path.name, path.stat().st_size if path.exists() else 0, "")
    return list(read_file(entry, config or Config()))


def test_sniff_by_content_not_extension():
    assert sniff(b"WARC/1.0\r\nWARC-Type: response", "x.txt") == "warc"
    assert sniff(b"%PDF-1.4\n", "x.txt") == "pdf"
    assert sniff(b'{"text": "hi"}\n{"text": "yo"}', "x.dat") == "jsonl"
    assert sniff(b"<!DOCTYPE html><html><body>hi</body></html>", "x.txt") == "html"
    assert sniff(b"Just some words.\nAnd more.", "x.html") == "text"
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00", "x.txt") == "binary:png"


def test_binary_magic_does_not_fire_on_text():
    assert binary_magic(b"MZ is a magazine about music. " * 5) is None
    assert binary_magic(b"BM was the first line of this file and it goes on" * 2) is None
    assert binary_magic(b"\x7fELF\x02\x01\x01") == "elf"


def test_jsonl_records_and_bad_lines(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"id": 7, "url": "http://a", "text": "first"}\n\n{"text": \n{"no_text": 1}\n{"text": "third"}\n'
    )
    docs = _read(path)
    assert [d.source for d in docs] == ["r.jsonl#1", "r.jsonl#2", "r.jsonl#3", "r.jsonl#4"]
    assert docs[0].text == "first" and docs[0].url == "http://a" and docs[0].record_id == "7"
    assert docs[1].reason == "malformed" and docs[2].reason == "malformed"
    assert docs[3].text == "third" and not docs[3].rejected


def test_gzip_layers_and_truncated_gzip(tmp_path):
    path = tmp_path / "a.txt.gz"
    path.write_bytes(gzip.compress(b"plain text inside gzip\n" * 50))
    docs = _read(path)
    assert len(docs) == 1 and docs[0].raw.startswith(b"plain text") and docs[0].content_type == "text"
    truncated = tmp_path / "t.txt.gz"
    truncated.write_bytes(path.read_bytes()[:-12])
    docs = _read(truncated)
    assert docs[-1].reason == "truncated"


def test_decompression_bomb_is_stopped(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    config = Config()
    config.input.max_decompressed_bytes = 1_000_000
    docs = _read(path, config)
    assert [d.reason for d in docs] == ["decompression_bomb"]


def test_binary_empty_and_too_large(tmp_path):
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "big.txt").write_bytes(b"word " * 300)
    config = Config()
    config.input.max_file_bytes = 1000
    assert _read(tmp_path / "img.txt")[0].reason == "binary"
    assert _read(tmp_path / "empty.txt")[0].reason == "empty"
    assert _read(tmp_path / "big.txt", config)[0].reason == "too_large"


def test_warc_records(sample_dir):
    docs = _read(sample_dir / "crawl.warc.gz")
    assert [d.source for d in docs] == ["crawl.warc.gz#1", "crawl.warc.gz#2", "crawl.warc.gz#3"]
    assert docs[0].url.endswith("zixishi.html") and docs[0].declared_charset == "gb2312"
    assert docs[0].content_type == "html" and docs[0].record_id
    assert "夜间自习室".encode("gb18030") in docs[0].raw and b"volunteers" in docs[1].raw
    assert docs[2].reason == "binary"


def test_warc_with_corrupt_record_keeps_the_others(tmp_path, sample_dir):
    good = gzip.decompress((sample_dir / "crawl.warc.gz").read_bytes())
    records = good.split(b"WARC/1.0\r\n")
    # damage the Content-Length of the first response record
    damaged = records[2].replace(b"Content-Length: ", b"Content-Length: x", 1)
    data = b"WARC/1.0\r\n".join(records[:2] + [damaged] + records[3:])
    path = tmp_path / "bad.warc"
    path.write_bytes(data)
    docs = _read(path)
    reasons = [d.reason for d in docs]
    assert "malformed" in reasons
    assert any(d.url and d.url.endswith("tree-map") and not d.rejected for d in docs)


def test_pdf_text_extracted(sample_dir):
    docs = _read(sample_dir / "minutes.pdf")
    assert docs[0].content_type == "pdf" and "allotment society" in docs[0].text


def test_discover_sorted_relative_and_symlink_loop(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "a.txt").write_text("a")
    os.symlink(tmp_path, tmp_path / "b" / "loop")
    root, files = discover([str(tmp_path)])
    assert [f.rel for f in files] == ["a.txt", "b/z.txt"]
    assert files[0].sha256 and files[0].size == 1
    with pytest.raises(FileNotFoundError):
        discover([str(tmp_path / "missing")])
    _, globbed = discover([str(tmp_path / "*.txt")])
    assert [f.rel for f in globbed] == ["a.txt"]


def test_group_into_shards_is_deterministic():
    files = [InputFile(f"/x/{i}", f"{i}", 40, "") for i in range(10)]
    units = work_units(files, 100, lambda f: RecordIndex(1))
    shards = group_into_shards(units, shard_bytes=100, max_files=1000)
    assert [len(s) for s in shards] == [2, 2, 2, 2, 2]
    assert group_into_shards(units, 100, 1000) == shards


def test_a_large_file_of_records_becomes_parts_at_record_boundaries(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text("".join(f'{{"text": "record number {i} of the export"}}\n' for i in range(100)))
    entry = InputFile(str(path), "big.jsonl", path.stat().st_size, "")
    config = Config()
    assert index_records(entry, config).count == 100
    units = work_units([entry], entry.size // 3, lambda f: index_records(f, config))
    assert [u.records for u in units] == [(0, 33), (33, 66), (66, 100)]
    whole = [d.source for d in read_file(entry, config)]
    parts = [d.source for u in units for d in read_file(entry, config, u.records)]
    assert parts == whole and len(set(parts)) == 100
    # a large file with one document stays whole
    single = InputFile(str(path), "big.jsonl", entry.size, "")
    assert [u.records for u in work_units([single], 10, lambda f: RecordIndex(1))] == [None]


def test_vanished_file_is_rejected_not_raised(tmp_path):
    entry = InputFile(str(tmp_path / "vanished.txt"), "vanished.txt", 0, "")
    docs = list(read_file(entry, Config()))
    assert docs[0].reason == "read_error"


def test_warc_scripts_style_sheets_and_json_are_not_pages(tmp_path):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = b"<html><body><p>" + b"The council met on Monday to discuss the budget for next year. " * 4 + b"</p></body></html>"
    bodies = [("text/html; charset=utf-8", page), ("application/javascript", b"function f(a){return a+1};" * 20),
              ("application/json", b'{"items": [1, 2, 3], "next": null}'), ("text/css", b"body{margin:0}" * 10)]
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, (mime, body) in enumerate(bodies):
            headers = StatusAndHeaders("200 OK", [("Content-Type", mime)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://example.org/{i}", "response",
                                                          payload=io.BytesIO(body), http_headers=headers))
    docs = _read(path)
    assert [d.reason for d in docs] == [None, "unsupported", "unsupported", "unsupported"]
    assert all("code or data" in d.detail for d in docs[1:]) and docs[0].content_type == "html"


def _warc_gz(path, pages: int) -> None:
    import io as io_lib

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))
        for i in range(pages):
            body = f"<html><body><p>Page {i} says something about the harbour and the town.</p></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://example.org/{i}", "response",
                                                          payload=io_lib.BytesIO(body.encode()),
                                                          http_headers=headers))


@pytest.mark.parametrize("name", ["big.jsonl", "crawl.warc.gz", "crawl.warc", "big.jsonl.gz"])
def test_parts_resume_near_their_records_and_read_the_same_documents(tmp_path, monkeypatch, name):
    import gzip as gzip_lib

    from pipeline import readers

    monkeypatch.setattr(readers, "RESUME_EVERY", 2000)  # resume points every ~2 kB in these small files
    path = tmp_path / name
    if "warc" in name:
        _warc_gz(path, 120)
        if not name.endswith(".gz"):
            path.write_bytes(gzip_lib.decompress(path.read_bytes()))
    else:
        lines = "".join(f'{{"text": "record number {i} of the export"}}\n' + ("\n" if i % 7 == 0 else "")
                        for i in range(300))
        lines = lines.replace('{"text": "record number 150', 'not json "record number 150')  # a bad line too
        path.write_bytes(gzip_lib.compress(lines.encode()) if name.endswith(".gz") else lines.encode())
    entry = InputFile(str(path), name, path.stat().st_size, "")
    config = Config()
    found = index_records(entry, config)
    whole = [(d.source, d.text, d.raw, d.reason) for d in read_file(entry, config)]
    assert found.count == len(whole)
    if name == "big.jsonl.gz":
        assert found.resume == []  # one gzip stream: no member to start from, parts read from the start
    else:
        assert len(found.resume) >= 4
    units = work_units([entry], -(-entry.size // 5), lambda f: found)
    assert len(units) == 5 and (name == "big.jsonl.gz" or all(u.start for u in units[1:]))
    parts = [(d.source, d.text, d.raw, d.reason) for u in units for d in read_file(entry, config, u.records, u.start)]
    assert parts == whole
    if units[-1].start:  # the last part starts near its first record, not at the file's start
        read = sum(1 for _ in readers._read_file(entry, config, start=units[-1].start))
        assert read <= len(whole) - units[-1].records[0] + 20
