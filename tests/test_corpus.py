"""Nightly re-ingest: an incremental run publishes what a full run over the same input would, nothing is
listed twice, and the guards stop a run from wiping or replacing a published corpus.

The property test simulates nights over one input folder with seeded random edits (new, changed, copied,
split and removed files, and nights with no change) and, after every night, compares the incremental
output with a full run over the same folder. Every input text is written here."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import Config
from pipeline.corpus import OutputError, RunRefused
from pipeline.runner import run

SENTENCES = [
    "The river council met on Tuesday evening to discuss repairs to the old stone bridge near the market.",
    "Residents asked why the work had been delayed for three years and who would pay for the new railings.",
    "A local baker said that fewer customers cross the bridge since the lorries were sent the long way round.",
    "The county engineer explained that the foundations must be checked by divers before any work can start.",
    "Children from the primary school planted forty young oak trees along the path beside the canal.",
    "Their teacher said the trees would give shade to walkers and a home to birds within a few summers.",
    "The library will stay open until nine in the evening on weekdays from the first of next month.",
    "Volunteers will run a homework club on Wednesdays, and the reading room gets new lamps and chairs.",
    "Heavy rain flooded the lower fields on Sunday, and farmers moved their sheep to higher ground.",
    "The weather office expects the water to fall slowly over the week if no more storms arrive.",
    "A new bus line connects the northern villages with the hospital and the railway station every hour.",
    "Drivers were trained for two weeks, and the timetable was drawn up after a survey of passengers.",
    "The museum opened an exhibition of photographs that show the harbour as it looked a century ago.",
    "Many of the pictures were found in a box in an attic and given to the museum by a retired sailor.",
    "The football club announced that its ground will get a new roof over the east stand this summer.",
    "Supporters raised part of the money themselves by selling scarves, cakes and signed shirts.",
    "Doctors at the clinic urged older people to get their winter vaccinations before the cold weather.",
    "The clinic will open on Saturday mornings in November so that working families can come too.",
    "A small software company moved into the empty mill and plans to hire twenty people by spring.",
    "Its founder grew up in the town and said she wanted to bring skilled jobs back to the valley.",
    "Police asked cyclists to use lights after dark, as several accidents happened on the unlit lanes.",
    "The council promised to put up new street lamps on the two most dangerous corners before winter.",
    "The choir will sing in the cathedral on Christmas Eve, and tickets are free but must be booked.",
    "Rehearsals take place every Thursday, and new singers of all ages are welcome to join them.",
    "Fishermen complained that the price of diesel has doubled while the price of cod has hardly moved.",
    "Several boats stayed in port for most of October because storms made the open sea too dangerous.",
    "A retired nurse has knitted more than three hundred hats for babies born at the county hospital.",
    "She learned to knit from her grandmother and now teaches a class at the community centre.",
    "The new swimming pool was finally opened after builders found a leak in the roof last spring.",
    "Lessons for beginners are booked out until January, so the pool is adding early morning classes.",
    "Archaeologists digging behind the church found coins and pottery from the twelfth century.",
    "They believe a market stood on the site long before the first houses of the village were built.",
    "Students at the college built a small electric car and will race it against other teams in June.",
    "The car weighs less than two hundred kilos and reaches its top speed in about eight seconds.",
    "Traders at the Saturday market voted to move the stalls to the square while the hall is repaired.",
    "Some of them fear that customers will not find them, while others hope to attract more tourists.",
    "A family of otters has been seen in the river for the first time in more than forty years.",
    "Wildlife groups say cleaner water and new reeds along the banks have brought the animals back.",
    "The town band celebrated its hundredth birthday with a concert in the park on a sunny afternoon.",
    "Its oldest member has played the trumpet in the band for sixty-two years and never missed a parade.",
    "Parents collected signatures for a crossing outside the school after a boy was nearly hit by a van.",
    "The highways office agreed to paint a zebra crossing and lower the speed limit on that street.",
    "The bakery on the corner has won a national prize for its rye bread, made with a century-old starter.",
    "Its owners say they will not raise prices, although queues now form outside before it opens.",
    "An old cinema that closed in the nineties will show films again after a group of friends bought it.",
    "They repaired the seats and the projector themselves and plan to show classic films on Fridays.",
    "Farmers in the hills reported that wolves killed several sheep on two farms during the night.",
    "The regional office will pay for new electric fences and send an expert to advise the farmers.",
]
ZH_SENTENCES = [
    "社区图书馆从下个月起延长开放时间，每天晚上开放到九点，方便下班以后的居民借书和学习。",
    "志愿者每周三下午在阅览室辅导孩子们写作业，还准备了新的台灯和舒适的椅子。",
    "连日大雨使低洼的农田被水淹没，农民们把羊群赶到了地势较高的山坡上。",
    "新开通的公交线路每小时一班，连接北部的几个村庄和医院以及火车站。",
    "博物馆举办了一场老照片展览，展示了一百年前港口和老街的样子。",
    "足球俱乐部宣布今年夏天将为东看台加盖新的顶棚，球迷们自己筹集了一部分资金。",
]
FOOTER = "The Riverside Weekly is printed on Thursdays and left at every door in the valley."
SPLIT_MARK = "Copyright © 2024 Riverside Weekly\n"


def _article(rng: random.Random) -> str:
    if rng.random() < 0.2:
        picked = rng.sample(ZH_SENTENCES, 4)
        return "".join(s + ("\n" if i % 2 else "") for i, s in enumerate(picked)) + "\n"
    picked = rng.sample(SENTENCES, rng.randint(4, 6))
    text = "\n".join(" ".join(picked[i : i + 2]) for i in range(0, len(picked), 2)) + "\n"
    if rng.random() < 0.7:
        text += FOOTER + "\n"
    return text


NIGHTS = ["new", "change", "copy", "near_copy", "split", "remove", "unchanged"]


def _night(folder: Path, rng: random.Random, counter: list[int], kind: str | None = None) -> str:
    """One night's edits to the input folder; returns what was done (for failure messages)."""
    files = sorted(p for p in folder.iterdir())
    kind = kind or rng.choice(["new", "new", *NIGHTS])
    if kind != "new" and not files:
        kind = "new"
    counter[0] += 1
    name = f"doc{counter[0]:03d}.txt"
    if kind == "new":
        for i in range(rng.randint(1, 3)):
            (folder / f"{name[:-4]}-{i}.txt").write_text(_article(rng), encoding="utf-8")
    elif kind == "change":
        target = rng.choice(files)
        target.write_text(target.read_text(encoding="utf-8") + rng.choice(SENTENCES) + "\n", encoding="utf-8")
        return f"change {target.name}"
    elif kind == "copy":
        shutil.copyfile(rng.choice(files), folder / name)
    elif kind == "near_copy":
        source = rng.choice(files).read_text(encoding="utf-8")
        (folder / name).write_text("Breaking news\n" + source + rng.choice(SENTENCES) + "\n", encoding="utf-8")
    elif kind == "split":
        target = rng.choice(files)
        target.write_text("First page title\n" + target.read_text(encoding="utf-8") + SPLIT_MARK
                          + "Second page title\n" + _article(rng), encoding="utf-8")
        return f"split {target.name}"
    elif kind == "remove":
        target = rng.choice(files)
        target.unlink()
        return f"remove {target.name}"
    return kind


def _published(out: Path) -> tuple[dict, dict[str, dict], dict[str, dict]]:
    manifest = json.loads((out / "manifest.json").read_text())
    kept, rejected = {}, {}
    for key, rows in (("shards", kept), ("rejected", rejected)):
        for shard in manifest[key]:
            for row in pq.read_table(out / shard["path"]).to_pylist():
                assert row["id"] not in rows, f"{row['source']} listed twice in {key}"
                rows[row["id"]] = row
    return manifest, kept, rejected


def _outcomes(kept: dict[str, dict], rejected: dict[str, dict]) -> tuple[dict[str, str], set[frozenset]]:
    """Each document's outcome (kept, duplicate, or the rejection reason) and the duplicate clusters."""
    outcome: dict[str, str] = {}
    clusters: dict[str, set[str]] = {}
    for doc_id, row in kept.items():
        outcome[doc_id] = "kept"
        clusters.setdefault(row["dup_cluster"] or doc_id, set()).add(doc_id)
    for doc_id, row in rejected.items():
        if row["reason"] in ("exact_duplicate", "near_duplicate"):
            outcome[doc_id] = "duplicate"
            clusters.setdefault(row["dup_cluster"], set()).add(doc_id)
        else:
            outcome[doc_id] = row["reason"]
    return outcome, {frozenset(c) for c in clusters.values() if len(c) > 1}


def _check_consistent(out: Path, folder: Path) -> None:
    """What holds for any published corpus: each input once, no id in both datasets, dedup columns that
    agree across the whole corpus."""
    manifest, kept, rejected = _published(out)
    paths = [i["path"] for i in manifest["inputs"]]
    assert paths == sorted(p.name for p in folder.iterdir())
    assert not set(kept) & set(rejected)
    sizes: dict[str, int] = {}
    for row in list(kept.values()) + list(rejected.values()):
        if row["dup_cluster"]:
            sizes[row["dup_cluster"]] = sizes.get(row["dup_cluster"], 0) + 1
    for row in kept.values():
        if row["dup_cluster"]:
            assert row["dup_cluster"] == row["id"] and row["cluster_size"] == sizes[row["id"]], row["source"]
    for row in rejected.values():
        if row["reason"] in ("exact_duplicate", "near_duplicate"):
            assert row["duplicate_of"] in kept and row["cluster_size"] == sizes[row["dup_cluster"]], row["source"]
    assert manifest["documents"] == {"kept": len(kept), "rejected": len(rejected)}


def _config() -> Config:
    config = Config()
    config.input.shard_bytes = 1500  # a few files per shard: segments that are partly changed or removed
    config.output.report = False
    return config


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_nights_end_as_a_full_run_would(tmp_path, seed):
    rng = random.Random(seed)
    folder = tmp_path / "in"
    folder.mkdir()
    counter = [0]
    for _ in range(8):
        _night(folder, rng, counter, "new")
    nightly = tmp_path / "nightly"
    run([str(folder)], nightly, _config(), progress=False)
    history = []
    nights = rng.sample(NIGHTS, len(NIGHTS)) + [rng.choice(NIGHTS) for _ in range(2)]  # each kind at least once
    seen = {"clusters": 0, "template": 0, "rewritten": 0}
    for night, kind in enumerate(nights):
        history.append(_night(folder, rng, counter, kind))
        result = run([str(folder)], nightly, _config(), incremental=True, progress=False, max_shrink=1.0)
        full = tmp_path / f"full{night}"
        run([str(folder)], full, _config(), progress=False)
        where = f"seed {seed}, nights {history}"
        _check_consistent(nightly, folder)
        _, kept_n, rejected_n = _published(nightly)
        _, kept_f, rejected_f = _published(full)
        outcome_n, clusters_n = _outcomes(kept_n, rejected_n)
        outcome_f, clusters_f = _outcomes(kept_f, rejected_f)
        assert set(outcome_n) == set(outcome_f), where
        assert clusters_n == clusters_f, where
        # the same outcome for every document, except which copy of a cluster is the kept one
        differ = {i for i in outcome_n if outcome_n[i] != outcome_f[i]}
        in_cluster = set().union(*clusters_f) if clusters_f else set()
        assert all(outcome_n[i] in ("kept", "duplicate") and i in in_cluster for i in differ), where
        # and the same text for every document both keep, when the clusters have the same kept copy
        for doc_id in set(kept_n) & set(kept_f):
            assert kept_n[doc_id]["text"] == kept_f[doc_id]["text"], (where, kept_n[doc_id]["source"])
        if history[-1] == "unchanged":
            assert not result.changed
        seen["clusters"] += bool(clusters_f)
        seen["template"] += any(s["reason"] == "template" for r in kept_f.values() for s in r["cut_spans"])
        seen["rewritten"] += bool(result.changed and result.stats["dedup"]["segments_rewritten"])
        shutil.rmtree(full)
    # the nights did exercise duplicates, template lines and rewrites of published segments
    assert all(seen.values()), seen


@pytest.fixture
def published(tmp_path, sample_dir):
    folder = tmp_path / "in"
    shutil.copytree(sample_dir, folder)
    out = tmp_path / "out"
    first = run([str(folder)], out, _config(), progress=False)
    return folder, out, first


def test_changed_file_replaces_its_rows_and_is_not_its_own_duplicate(published):
    folder, out, first = published
    story = folder / "gazette_en.txt"
    added = "The harbour master said a second ferry would start running between the islands in the spring."
    text = story.read_text(encoding="utf-8")
    at = text.index("Residents of Millbrook gathered")  # a new paragraph in the middle of the article
    story.write_text(text[:at] + added + "\n" + text[at:], encoding="utf-8")
    result = run([str(folder)], out, _config(), incremental=True, progress=False)
    assert result.inputs == {"added": 0, "changed": 1, "removed": 0, "unchanged": 6}
    manifest, kept, rejected = _published(out)
    assert manifest["changes"]["changed"] == ["gazette_en.txt"]
    assert [i["path"] for i in manifest["inputs"]].count("gazette_en.txt") == 1
    rows = [r for r in list(kept.values()) + list(rejected.values())
            if r["source"] == "gazette_en.txt" or r["source"].startswith("gazette_en.txt#")]
    assert rows and any(added in r["text"] for r in rows)
    # kept, or a duplicate of another document (the article is also in records.jsonl), never of itself
    assert all(r["id"] in kept or r["duplicate_of"] in kept and r["duplicate_of"] != r["id"] for r in rows)
    _check_consistent(out, folder)


def test_removed_file_is_retracted_from_both_datasets(published):
    folder, out, _ = published
    (folder / "records.jsonl").unlink()
    run([str(folder)], out, _config(), incremental=True, progress=False)
    manifest, kept, rejected = _published(out)
    assert manifest["changes"]["retracted"] == ["records.jsonl"]
    assert not [r for r in list(kept.values()) + list(rejected.values()) if r["source"].startswith("records.jsonl")]
    _check_consistent(out, folder)
    # its segment's stored results went too when no input uses them; nothing unlisted is left behind
    listed = {s["path"] for s in manifest["shards"] + manifest["rejected"]}
    assert {str(p.relative_to(out)) for p in out.rglob("*.parquet") if "index" not in p.parts} == listed
    assert sorted(p.name for p in (out / "index" / "segments").iterdir()) == sorted(
        s["key"] for s in manifest["segments"])


def test_append_mode_keeps_what_is_published(published):
    folder, out, first = published
    # the landing folder (the published input root) is emptied after each night
    for f in folder.iterdir():
        f.unlink()
    (folder / "tonight.txt").write_text(
        "The harbour authority opened a new ferry terminal on Friday after three years of construction work. "
        "Passengers can now board directly from the railway station, and the old pier will become a park.\n",
        encoding="utf-8")
    result = run([str(folder)], out, _config(), mode="append", progress=False)
    manifest, kept, _ = _published(out)
    assert result.inputs["added"] == 1 and result.inputs["removed"] == 0
    assert len(manifest["inputs"]) == len(first.manifest["inputs"]) + 1
    assert len(kept) == first.manifest["documents"]["kept"] + 1
    # an incremental run over the landing folder would retract what earlier nights appended
    with pytest.raises(RunRefused, match="published by append runs.*--append"):
        run([str(folder)], out, _config(), incremental=True, progress=False, max_shrink=1.0)
    # an empty landing folder is a night with nothing new, not an empty corpus
    (folder / "tonight.txt").unlink()
    again = run([str(folder)], out, _config(), mode="append", progress=False)
    assert not again.changed and again.manifest == manifest


def test_empty_input_refuses_to_publish(tmp_path, published):
    folder, out, first = published
    empty = tmp_path / "empty"
    empty.mkdir()
    for f in folder.iterdir():
        f.unlink()
    with pytest.raises(RunRefused, match="no input files found.*--allow-empty"):
        run([str(folder)], out, _config(), incremental=True, progress=False)
    assert json.loads((out / "manifest.json").read_text()) == first.manifest
    result = run([str(folder)], out, _config(), incremental=True, progress=False, allow_empty=True)
    assert result.manifest["documents"] == {"kept": 0, "rejected": 0}
    with pytest.raises(RunRefused):
        run([str(empty)], tmp_path / "fresh", _config(), progress=False)


def test_shrinking_the_corpus_past_the_limit_needs_force(published):
    folder, out, first = published
    for name in ("gazette_en.txt", "library_zh.gb18030.txt", "minutes.pdf", "park_trees.html"):
        (folder / name).unlink()
    with pytest.raises(RunRefused, match="retract 4 of the 7 published inputs.*--force"):
        run([str(folder)], out, _config(), incremental=True, progress=False)
    assert json.loads((out / "manifest.json").read_text()) == first.manifest
    result = run([str(folder)], out, _config(), incremental=True, progress=False, force=True)
    assert len(result.manifest["inputs"]) == 3


def test_shrinking_kept_documents_past_the_limit_needs_force(published):
    folder, out, first = published
    config = _config()
    config.language.keep = ["es"]  # a full run that would keep almost nothing
    with pytest.raises(RunRefused, match="shrink the published corpus from 5 to"):
        run([str(folder)], out, config, progress=False)
    assert json.loads((out / "manifest.json").read_text()) == first.manifest
    assert {p.name for p in out.glob("data/part-*.parquet")} >= {Path(s["path"]).name for s in first.manifest["shards"]}


def test_a_run_over_another_input_does_not_replace_the_corpus(tmp_path, published):
    folder, out, first = published
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(folder / "gazette_en.txt", other / "one_file.txt")
    with pytest.raises(RunRefused, match="published from .*--force"):
        run([str(other / "one_file.txt")], out, _config(), progress=False)
    assert json.loads((out / "manifest.json").read_text()) == first.manifest
    run([str(other / "one_file.txt")], out, _config(), progress=False, force=True)
    assert [i["path"] for i in json.loads((out / "manifest.json").read_text())["inputs"]] == ["one_file.txt"]


def test_output_inside_the_input_is_never_read_as_input(tmp_path, sample_dir):
    folder = tmp_path / "in"
    shutil.copytree(sample_dir, folder)
    out = folder / "clean"
    run([str(folder)], out, _config(), progress=False)
    second = run([str(folder)], out, _config(), incremental=True, progress=False)
    assert not second.changed
    assert not [i for i in second.manifest["inputs"] if i["path"].startswith("clean")]


def test_output_that_is_a_file_is_a_clear_error(tmp_path, sample_dir):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        run([str(sample_dir)], target, _config(), progress=False)


def test_a_new_file_rewrites_no_published_segment(published):
    folder, out, first = published
    (folder / "zz_new.txt").write_text(
        "The lighthouse keeper retired after forty years, and the harbour trust will run the light by remote "
        "control from the new office on the quay. Visitors may climb the tower on Sundays in the summer.\n" * 2,
        encoding="utf-8")
    result = run([str(folder)], out, _config(), incremental=True, progress=False)
    assert result.inputs["added"] == 1 and result.stats["this_run"]["inputs_processed"] == 1
    assert result.stats["dedup"]["segments_rewritten"] == 0  # nothing about them changed
    manifest, _, _ = _published(out)
    assert {s["path"] for s in first.manifest["shards"]} <= {s["path"] for s in manifest["shards"]}
