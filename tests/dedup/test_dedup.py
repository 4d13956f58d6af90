import random

import numpy as np

from pipeline.config import DedupConfig
from pipeline.dedup import (
    LINE_PASSAGE,
    LINE_TEMPLATE,
    SignatureTable,
    band_hashes,
    band_partition_edges,
    cluster_documents,
    exact_hash,
    find_repeated_lines,
    jaccard_estimate,
    line_key,
    minhash_batch,
    shingle_hashes,
)
from pipeline.text import tokens

EN = (
    "Residents of Millbrook gathered on Saturday morning in the old library hall, where volunteers opened the "
    "town's first repair cafe. Visitors brought broken toasters, torn jackets, wobbly chairs and bicycles with "
    "flat tyres, and left with most of them working again. The idea is simple: instead of throwing things away, "
    "people sit down with a volunteer who knows how to fix them, and learn how to do it themselves next time."
)
ZH = (
    "本市东城区社区图书馆从本月起延长开放时间，每天晚上九点到十二点开设夜间自习室，为附近的学生和上班族提供安静的学习空间。"
    "图书馆负责人介绍，过去一年里，不少读者反映白天工作繁忙，只有晚上才有时间看书和准备考试。经过调研，图书馆决定利用二楼阅览室开设夜间自习室。"
)


def _edit(text: str, share: float, seed: int) -> str:
    """Replace whole words (or, for Chinese, single characters) until `share` of the characters changed."""
    rng = random.Random(seed)
    if " " in text:
        words = text.split(" ")
        changed = 0
        while changed < share * len(text):
            i = rng.randrange(len(words))
            changed += len(words[i])
            words[i] = rng.choice(["lorem", "ipsum", "dolor", "amet"])
        return " ".join(words)
    chars = list(text)
    for _ in range(int(len(chars) * share)):
        chars[rng.randrange(len(chars))] = rng.choice("的了是在和有")
    return "".join(chars)


def test_exact_hash_folds_case_space_punctuation_and_width():
    assert exact_hash("Hello, World!") == exact_hash("hello   world")
    assert exact_hash("ＡＢＣ１２３") == exact_hash("abc123")
    assert exact_hash("hello world") != exact_hash("hello there")


def test_tokens_are_script_aware():
    assert tokens("Hello 世界 ok") == ["hello", "世", "界", "ok"]
    config = DedupConfig()
    assert len(shingle_hashes(ZH, config)) > 50


def test_near_duplicates_found_and_different_texts_not():
    config = DedupConfig()
    texts = [
        EN,
        _edit(EN, 0.03, 1),
        ZH,
        _edit(ZH, 0.03, 2),
        EN.replace("repair cafe", "bakery") + " Different.",
        "A completely different article about football results and the weather on the coast this week.",
    ]
    sig = minhash_batch(texts, config)
    assert jaccard_estimate(sig[0], sig[1]) >= config.threshold
    assert jaccard_estimate(sig[2], sig[3]) >= config.threshold
    assert jaccard_estimate(sig[0], sig[5]) < 0.2
    assert jaccard_estimate(sig[0], sig[2]) < 0.05


def _table(texts, config, published=None):
    sig = minhash_batch(texts, config)
    n = len(texts)
    return SignatureTable(
        ids=[f"d{i}" for i in range(n)],
        chars=np.array([len(t) for t in texts]),
        exact=[exact_hash(t) for t in texts],
        bands=band_hashes(sig, config.bands),
        minhash=sig,
        published=np.array(published or [False] * n),
    )


def test_clusters_keep_earliest_complete_copy_and_say_why():
    config = DedupConfig()
    texts = [EN, EN.upper(), _edit(EN, 0.03, 3) + " Extra words at the end.", ZH]
    table = _table(texts, config)
    edges = [e for p in range(config.band_partitions) for e in band_partition_edges(table, p, config)]
    decisions = cluster_documents(table, edges, config)
    # the earliest copy nearly as long as the longest is kept; the others point to it
    assert decisions["d0"].keep and decisions["d0"].cluster_size == 3
    assert decisions["d2"].reason == "near_duplicate" and decisions["d2"].duplicate_of == "d0"
    assert decisions["d1"].reason in ("exact_duplicate", "near_duplicate")
    assert decisions["d3"].keep and decisions["d3"].cluster is None


def test_a_much_more_complete_later_copy_is_kept():
    config = DedupConfig()
    longer = EN + " " + EN.replace("repair", "mending")  # the same page with a second half
    table = _table([EN, longer], config)
    edges = [e for p in range(config.band_partitions) for e in band_partition_edges(table, p, config)]
    decisions = cluster_documents(table, edges, config)
    assert decisions["d1"].keep and decisions["d0"].duplicate_of == "d1"


def test_exact_copy_of_same_length_keeps_earliest():
    config = DedupConfig()
    table = _table([EN, EN, EN], config)
    decisions = cluster_documents(table, [], config)
    assert decisions["d0"].keep
    assert decisions["d1"].reason == "exact_duplicate" and decisions["d2"].duplicate_of == "d0"


def test_published_documents_always_win():
    config = DedupConfig()
    table = _table([EN, EN + " And a longer new copy."], config, published=[True, False])
    edges = [e for p in range(config.band_partitions) for e in band_partition_edges(table, p, config)]
    decisions = cluster_documents(table, edges, config)
    assert decisions["d0"].keep and not decisions["d1"].keep


def test_partitioned_grouping_equals_single_pass():
    config = DedupConfig()
    rng = random.Random(7)
    texts = []
    for i in range(30):
        base = EN if i % 3 == 0 else ZH if i % 3 == 1 else f"Unique text number {i} " * 20
        texts.append(_edit(base, rng.choice([0.0, 0.02, 0.05]), i))
    table = _table(texts, config)
    split = sorted({e for p in range(config.band_partitions) for e in band_partition_edges(table, p, config)})
    single = DedupConfig(**{**config.__dict__, "band_partitions": 1})
    whole = band_partition_edges(table, 0, single)
    a = cluster_documents(table, split, config)
    b = cluster_documents(table, whole, config)
    assert {k: (v.keep, v.cluster) for k, v in a.items()} == {k: (v.keep, v.cluster) for k, v in b.items()}


def flatten_lines(doc_line_keys: list[np.ndarray], doc_line_kinds: list[np.ndarray]):
    """Per-document line arrays -> the flat (keys, kinds, doc_index) that `find_repeated_lines` takes."""
    sizes = [len(k) for k in doc_line_keys]
    return (np.concatenate(doc_line_keys).astype(np.uint64), np.concatenate(doc_line_kinds).astype(np.uint8),
            np.repeat(np.arange(len(sizes)), sizes))


def test_template_lines_and_passages():
    keys = [
        np.array([line_key("Home | News"), line_key("passage A"), line_key("own")], dtype=np.uint64)
        for _ in range(4)
    ]
    kinds = [np.array([LINE_TEMPLATE, LINE_PASSAGE, LINE_TEMPLATE], dtype=np.uint8) for _ in range(4)]
    flat = flatten_lines(keys, kinds)
    template, passages, owners = find_repeated_lines(*flat, [False, True, True, True], ["a", "b", "c", "d"], 3)
    assert line_key("Home | News") in set(template.tolist())
    assert line_key("passage A") in set(passages.tolist()) and owners == ["b"]  # first *kept* document
    template, _, _ = find_repeated_lines(*flat, [True, True, False, False], list("abcd"), 3)
    assert len(template) == 0
    # a line repeated inside one document counts once
    twice = [np.array([line_key("Home | News")] * 3, dtype=np.uint64)] + keys[1:3]
    kinds3 = [np.array([LINE_TEMPLATE] * 3, dtype=np.uint8)] + kinds[1:3]
    template, _, _ = find_repeated_lines(*flatten_lines(twice, kinds3), [True] * 3, list("abc"), 4)
    assert len(template) == 0


def test_band_partition_edges_match_a_plain_python_reading():
    """Candidate pairs per bucket: each member with the bucket's first and with its predecessor; verified on
    the full signature; sorted by (later, earlier). Checked against the NumPy version on colliding bands."""
    from collections import defaultdict

    config = DedupConfig()
    rng = np.random.default_rng(3)
    n = 3000
    minhash = rng.integers(0, 3, size=(n, config.num_perm), dtype=np.uint32)
    bands = rng.integers(0, 40, size=(n, config.bands)).astype(np.uint64)
    table = SignatureTable([str(i) for i in range(n)], np.arange(n), [b""] * n, bands, minhash, np.zeros(n, bool))
    for partition in range(config.band_partitions):
        candidates = set()
        for b in range(config.bands):
            if b % config.band_partitions != partition:
                continue
            buckets = defaultdict(list)
            for doc in range(n):
                buckets[int(bands[doc, b])].append(doc)
            for members in buckets.values():
                for i in range(1, len(members)):
                    candidates.update({(members[i], members[0]), (members[i], members[i - 1])})
        expected = sorted((a, b) for a, b in candidates
                          if (minhash[a] == minhash[b]).mean() >= config.threshold)
        assert band_partition_edges(table, partition, config) == expected


def test_repeated_lines_match_a_plain_python_reading():
    """Per key: the documents (kept ones, in order) holding it, and the kind of its first occurrence in the first
    of them; checked on random lines, in document order and shuffled."""
    rng = np.random.default_rng(7)
    for trial in range(40):
        docs = int(rng.integers(1, 60))
        sizes = rng.integers(0, 12, docs)
        doc_index = np.repeat(np.arange(docs), sizes)
        keys = rng.integers(0, int(rng.integers(2, 40)), len(doc_index)).astype(np.uint64)
        kinds = rng.integers(0, 3, len(doc_index)).astype(np.uint8)
        kept = rng.random(docs) < 0.8
        ids = [f"doc{i}" for i in range(docs)]
        holders: dict[int, list[int]] = {}
        first_kind: dict[int, int] = {}
        for key, kind, doc in zip(keys.tolist(), kinds.tolist(), doc_index.tolist(), strict=True):
            if not kept[doc]:
                continue
            if key not in holders:
                first_kind[key] = kind
                holders[key] = []
            if doc not in holders[key]:
                holders[key].append(doc)
        expected_template = sorted(k for k, d in holders.items() if len(d) >= 3 and first_kind[k] == LINE_TEMPLATE)
        expected_passages = sorted(k for k, d in holders.items() if len(d) >= 2 and first_kind[k] == LINE_PASSAGE)
        # odd trials: the documents' blocks of lines in a random order (each document's lines stay in order)
        block_order = rng.permutation(docs) if trial % 2 else np.arange(docs)
        lines = np.concatenate([np.flatnonzero(doc_index == d) for d in block_order]).astype(np.int64)
        template, passages, owners = find_repeated_lines(keys[lines], kinds[lines], doc_index[lines], kept, ids, 3)
        assert template.tolist() == expected_template, trial
        assert passages.tolist() == expected_passages, trial
        assert owners == [ids[holders[k][0]] for k in expected_passages], trial
