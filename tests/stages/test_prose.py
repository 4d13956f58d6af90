"""Code and data are not prose (`not_prose`), decided from the content; prose, lists and code samples stay."""

from __future__ import annotations

import json

import pytest

from pipeline.api import clean_text
from pipeline.config import Config
from pipeline.document import Document
from pipeline.stages.prose import not_prose_stage, prose_verdict

PYTHON = '''"""Helpers for the nightly export."""

import json
from pathlib import Path


def load(path: Path) -> dict:
    """Read one export file."""
    with open(path) as fh:
        return json.load(fh)


class Exporter:
    def __init__(self, root):
        self.root = root
        self.count = 0

    def run(self):
        for item in self.root.iterdir():
            if item.suffix == ".json":
                self.count += 1
        return self.count
'''

C_SOURCE = '''/* ring buffer for the sensor readings */
#include <stdint.h>
#include "ring.h"

typedef struct {
    uint32_t head;
    uint32_t tail;
    int16_t data[64];
} ring_t;

int ring_push(ring_t *r, int16_t value) {
    if ((r->head + 1) % 64 == r->tail) {
        return -1;
    }
    r->data[r->head] = value;
    r->head = (r->head + 1) % 64;
    return 0;
}
'''

JAVASCRIPT = '''const express = require('express');
const app = express();

app.get('/api/items', async (req, res) => {
  const items = await db.query('select * from items');
  res.json({ items, count: items.length });
});

function format(item) {
  return `${item.name} (${item.price})`;
}

module.exports = { app, format };
'''

YAML = '''# deployment settings
service:
  name: reader
  replicas: 3
  image: registry.example.org/reader:1.4.2
  env:
    - name: LOG_LEVEL
      value: info
    - name: CACHE_SIZE
      value: "512"
  ports:
    - 8080
    - 9090
'''

INI = '''[database]
host = db.internal
port = 5432
user = reader
pool_size = 20

[cache]
backend = redis
ttl_seconds = 600
'''

LOG = "\n".join(
    f"2026-03-0{d % 9 + 1} 10:{d:02d}:13,512 INFO worker-{d % 3} task export_{d} finished in {d * 7} ms"
    for d in range(30))

MAIL = '''Return-Path: <alice@example.org>
Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net with ESMTPS; Tue, 3 Mar 2026
Message-ID: <20260303101500.12345@example.org>
Date: Tue, 3 Mar 2026 10:15:00 +0000
From: Alice <alice@example.org>
To: team@example.net
Subject: Re: export schedule
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
'''

CSV = "\n".join(["id,city,population,area_km2"] + [f"{i},Town {i},{1000 + i * 37},{i * 1.5:.1f}" for i in range(40)])

MINIFIED = "!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};" * 12

PROSE = '''The river council met on Monday evening to decide what to do about the old stone bridge.

Engineers told the members that the eastern arch had moved by almost two centimetres since the spring floods,
and that heavy lorries should be kept off it until the repairs are finished.

The members agreed to close the bridge to vehicles over 7.5 tonnes from next week. Repairs will start in May
and are expected to take about four months, the council said in a statement.
'''

LISTS_AND_HEADINGS = '''How to prepare the garden for winter

What you need:
- a rake and a spade
- two bags of compost
- fleece for the tender plants

Steps
1. Clear the fallen leaves from the lawn and put them on the compost heap, where they will rot down by spring.
2. Cut back the perennials that have finished flowering, but leave the seed heads that birds like to feed on.
3. Spread a thick layer of compost over the empty beds so that the soil is protected from the winter rain.

Updated 12 November 2026
'''

ARTICLE_WITH_CODE = '''Reading a Parquet file takes one line in most languages. In Python, the pyarrow library opens it and
returns a table that you can turn into a data frame, filter, or write back out in another format.

```python
import pyarrow.parquet as pq
table = pq.read_table("data/clean/data")
print(table.num_rows)
```

The call reads every column by default. If you only need a few, pass their names with the `columns`
argument, which saves both time and memory on wide tables with many text columns.
'''

CHINESE = '''河道管理委员会周一晚上开会，讨论如何处理那座老石桥。

工程师告诉委员们，自春季洪水以来，东侧桥拱已经移动了将近两厘米，在维修完成之前，重型卡车不应再通行。

委员们同意从下周起禁止七点五吨以上的车辆过桥。维修工作将于五月开始，预计需要大约四个月。
'''


@pytest.mark.parametrize("text, kind", [
    (PYTHON, "code"), (C_SOURCE, "code"), (JAVASCRIPT, "code"), (YAML, "data"), (INI, "data"), (LOG, "data"),
    (MAIL, "headers"), (CSV, "table"), (MINIFIED, "minified"),
    (json.dumps({"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(20)]}, indent=2), "json"),
    ("\n".join(json.dumps({"id": i, "title": f"Post {i}"}) for i in range(10)), "json"),
])
def test_code_and_data_are_not_prose(text, kind):
    verdict = prose_verdict(text)
    assert verdict.kind == kind, verdict


@pytest.mark.parametrize("text", [PROSE, LISTS_AND_HEADINGS, ARTICLE_WITH_CODE, CHINESE])
def test_prose_lists_headings_and_code_samples_stay(text):
    verdict = prose_verdict(text)
    assert verdict.kind is None, verdict


CODE_AND_DATA = [PYTHON, C_SOURCE, JAVASCRIPT, YAML, INI, LOG, MAIL, CSV, MINIFIED]
PROSE_TEXTS = [PROSE, LISTS_AND_HEADINGS, ARTICLE_WITH_CODE, CHINESE]


def _mixtures():
    """Prose cut to a share of its length before or after code: the verdicts on both sides of PROSE_SETTLES."""
    for code in CODE_AND_DATA:
        for prose in PROSE_TEXTS:
            for share in (0.1, 0.25, 0.3, 0.34, 0.36, 0.4, 0.6, 1.0):
                head = prose[: int(len(prose) * share)]
                yield head + "\n" + code
                yield code + "\n" + head
                yield head + "\n" + code * 3


def test_settling_early_gives_the_verdict_of_reading_everything():
    texts = [*CODE_AND_DATA, *PROSE_TEXTS, *_mixtures()]
    verdicts = [(prose_verdict(t).kind, prose_verdict(t, settle_early=True).kind) for t in texts]
    assert all(full == early for full, early in verdicts)
    # both outcomes occur among the mixtures, so the comparison means something
    assert {full for full, _ in verdicts} >= {None, "code", "data"}
    # and the stage reads less: a page of prose settles before its end
    settled = prose_verdict(PROSE * 3 + "\n" + PYTHON * 3, settle_early=True)
    assert settled.kind is None and settled.detail == "prose (settled early)"


def test_the_stage_rejects_with_a_reason_and_a_detail_and_keep_code_keeps():
    doc = Document(id="x", source="notes.txt", text=PYTHON)  # a .txt name: the content decides
    not_prose_stage(doc, Config())
    assert doc.reason == "not_prose" and "code lines" in doc.detail
    config = Config()
    config.junk.keep_code = True
    kept = Document(id="y", source="notes.txt", text=PYTHON)
    assert not not_prose_stage(kept, config).rejected


def test_through_the_pipeline_code_named_txt_is_rejected_with_its_reason_and_prose_kept(tmp_path):
    from pipeline.explain import explain
    from pipeline.runner import run

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "notes.txt").write_text(C_SOURCE * 2)
    (inputs / "settings.txt").write_text(YAML * 2)
    (inputs / "article.txt").write_text(PROSE + "\n" + ARTICLE_WITH_CODE)
    run([str(inputs)], tmp_path / "out", Config(), progress=False)
    for name in ("notes.txt", "settings.txt"):
        rejected = explain(tmp_path / "out", source=name)["rejected"]
        assert [r["reason"] for r in rejected] == ["not_prose"] and rejected[0]["rejected_by"] == "prose"
    assert explain(tmp_path / "out", source="article.txt")["kept"]
    assert clean_text(C_SOURCE) == "" and "stone bridge" in clean_text(PROSE)


def test_code_end_and_code_token_helpers_agree_with_their_patterns():
    # _code_end/_code_token stand in for CODE_END.search/CODE_TOKEN.search on every line: they must say the same
    import random

    from pipeline.stages.prose import CODE_END, CODE_TOKEN, _code_end, _code_token

    rng = random.Random(0)
    pieces = ["{", "}", ";", "(", ")", "[", "]", "=", ">", "-", ":", "\\", "&", "|", "!", "+", "$", ".", "self", "this",
              "x", " ", "\t", "\u3000", "\xa0", "\x1c", "if", "def f", "return"]
    lines = ["def f(x):", "if (a) {", "x => y", "a -> b", "path\\", "call()", "a == b", "Hello world.", "", "   "]
    lines += ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 10))) for _ in range(20000)]
    for line in lines:
        assert _code_end(line) == bool(CODE_END.search(line)), repr(line)
        assert _code_token(line) == bool(CODE_TOKEN.search(line)), repr(line)


CODE_AND_OTHER_LINES = [
    "var req = new Request ( \"/index.html\" ) ;", "console. log ( req. method ) ; // \"GET\"", "} ) ;", "{", "]",
    "$ hg push", "x = 5", "a == b", "if (ok) {", "def run(self):", "foo->bar", "std::vector<int> v", "a && b",
    "this.count", "self.count", "items[]", "${HOME}", "return x \\", "f(", "arr[", "=> {", "Home | About | Contact",
    "The bridge opened in 1932 (after two years of work).", "Read more: the council's report", "1 2 3 4 5",
    "网站首页 | 关于我们", "See http://example.org // mirror", "Price: $ 9.99", "Copyright (c) 2019",
]


def test_the_cheap_pre_test_never_rules_out_an_unmistakable_code_line():
    import random

    from pipeline.stages.prose import is_unmistakable_code_line, may_be_unmistakable_code_line

    rng = random.Random(1)
    pieces = ["{", "}", ";", "(", ")", "[", "]", "=", ">", "-", ":", "\\", "&", "|", "!", "+", "$", ".", "/", "self",
              "this", "x", " ", "\t", "\u3000", "\xa0", "if", "def f", "return", "var", "console."]
    lines = CODE_AND_OTHER_LINES + ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 10))) for _ in range(20000)]
    for line in filter(None, (line.strip() for line in lines)):
        if is_unmistakable_code_line(line):
            assert may_be_unmistakable_code_line(line), repr(line)
    assert not may_be_unmistakable_code_line("Home | About | Contact")
    assert not may_be_unmistakable_code_line("网站首页 | 关于我们")


def test_a_comment_after_a_statement_does_not_hide_the_code():
    from pipeline.stages.prose import is_code_sample_line, is_unmistakable_code_line

    line = "console. log ( reqHeaders. has ( \"Content-Type\" ) ) ; // true"
    assert is_code_sample_line(line) and is_unmistakable_code_line(line)
    assert not is_code_sample_line("See http://example.org // mirror")
