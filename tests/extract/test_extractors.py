"""The speed-ups inside pipeline.extract must not change any result: each is checked against the code it
replaces (readability-lxml 0.9's own `clean` and serialise-and-search block test, Counter-based agreement)."""

from __future__ import annotations

import gzip
import random
import re
from collections import Counter

import pytest

from pipeline.extract import EXTRACTORS
from pipeline.extract.ensemble import BigramSpace, _any_case, agreement
from pipeline.extract.extractors import (
    _holds_block,
    _readability_clean,
    _readability_document,
    extract_readability,
    html_fragment_to_text,
)
from pipeline.text import tokens

from ..conftest import SHARED


def readability_clean(text: str) -> str:  # readability-lxml 0.9, readability.readability.clean
    text = re.sub(r"\s{255,}", " " * 255, text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    text = re.sub(r"\t|[ \t]{2,}", " ", text)
    return text.strip()


def test_readability_clean_is_unchanged():
    rng = random.Random(7)
    alphabet = [" ", " ", "\t", "\n", "\r", "\xa0", "\u3000", "\x0b", "a", "b", "中"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 700)))
        assert _readability_clean(text) == readability_clean(text), repr(text)


def test_readability_clean_is_unchanged_on_long_whitespace_runs():
    # runs around the 255-character limit, with and without line breaks, where the anchored regexes differ most
    rng = random.Random(11)
    spaces = [" ", "\t", "\n", "\xa0", "\u3000", "\r"]
    for _ in range(2000):
        parts = []
        for _ in range(rng.randint(1, 6)):
            run = "".join(rng.choice(spaces if rng.random() < 0.3 else " ") for _ in range(rng.choice([1, 2, 254, 255, 256, 400])))
            parts.append(run)
            parts.append(rng.choice(["word", "中文", "", "x y", "\u2028"]))
        text = "".join(parts)
        assert _readability_clean(text) == readability_clean(text), repr(text)


MISUSED_DIVS = """<html><body>
<div id="a">Plain text only <b>bold</b> <span>span</span></div>
<div id="b"><div>nested</div></div>
<div id="c"><span title="&lt;p&gt; in an attribute">x</span> and <a href="/x?a<p">link</a></div>
<div id="d"><span><img src="x.png"></span></div>
<div id="e"><o:p>Word markup</o:p> text <param name="p"></div>
<div id="f"><span><picture></picture></span><u>under</u><i>it</i></div>
<div id="g">before<br>after<ul><li>item</li></ul>tail text</div>
<div id="h"><table><tr><td>cell</td></tr></table></div>
</body></html>"""


def serialised_block_test(element, with_self: bool) -> bool:  # readability-lxml 0.9's test
    from lxml.etree import tostring, tounicode

    block = re.compile(r"<(blockquote|dl|div|img|ol|p|pre|table|ul)", re.I)
    if with_self:
        return bool(block.search(tounicode(element, method="html")))
    return bool(block.search(str(b"".join(tostring(child, encoding="utf-8") for child in element))))


def benchmark_pages(limit: int) -> list[str]:
    folder = SHARED / "eval-data" / "mozilla-readability-testpages"
    pages = sorted(folder.glob("pages/*/source.html.gz"))[:limit] if folder.exists() else []
    return [gzip.decompress(page.read_bytes()).decode("utf-8", "replace") for page in pages]


@pytest.mark.parametrize("html", [MISUSED_DIVS, *benchmark_pages(15)])
def test_block_test_by_tag_names_matches_readabilitys(html: str):
    document = _readability_document()(html)
    root = document._html(True)
    checked = 0
    for div in root.iter("div"):
        assert _holds_block(div.iterdescendants()) == serialised_block_test(div, with_self=False)
        for child in div:
            if isinstance(child.tag, str):
                assert _holds_block(child.iter()) == serialised_block_test(child, with_self=True)
                checked += 1
    assert checked or html is not MISUSED_DIVS


def test_readability_still_turns_misused_divs_into_paragraphs():
    text = extract_readability(MISUSED_DIVS.replace("Plain text only", "Plain text only, long enough " * 8))
    assert "Plain text only, long enough" in text


def counter_agreement(a: str, b: str) -> float:  # the Counter version the numpy one replaced
    units_a, units_b = tokens(a), tokens(b)
    grams_a, grams_b = Counter(zip(units_a, units_a[1:], strict=False)), Counter(zip(units_b, units_b[1:], strict=False))
    if not grams_a or not grams_b:
        return 0.0
    overlap = sum(min(count, grams_b.get(key, 0)) for key, count in grams_a.items())
    return 2 * overlap / (sum(grams_a.values()) + sum(grams_b.values()))


@pytest.mark.parametrize(("a", "b"), [
    ("the cat sat on the mat the cat sat", "the cat sat on a mat"),
    ("中文的文本中文的文本", "中文文本的中文"),
    ("", "words here"),
    ("one", "one"),
    ("same same same same", "same same"),
    ("Home News Sport\nThe article text follows here.", "The article text follows here. More text."),
])
def test_agreement_is_bigram_f1(a: str, b: str):
    space = BigramSpace()
    assert agreement(space.profile(a), space.profile(b)) == counter_agreement(a, b)


def test_readability_is_skipped_when_its_preview_is_clearly_worse():
    from pipeline.extract.ensemble import combine

    article = "The council met on Monday to discuss the budget for next year and agreed to repair the bridge. " * 4
    page = "Home News Sport Weather Login\n" + article + "\nMore stories: football, weather, markets, travel"
    partial = article[: len(article) // 2]
    calls = []

    def readability() -> str:
        calls.append(1)
        return article

    # trafilatura disagrees with resiliparse; the preview is even further off: readability-lxml is not run
    assert combine(partial, page, readability, readability_preview=lambda: "Login Register") == partial and not calls
    # the preview looks at least as good: readability-lxml runs and, being closer, wins
    assert combine(partial, page, readability, readability_preview=lambda: article) == article and calls == [1]
    # no preview (trafilatura's internals not captured): readability-lxml runs as before
    assert combine(partial, page, readability) == article and calls == [1, 1]


def test_trafilaturas_readability_summary_is_captured():
    from pipeline.extract.extractors import extract_trafilatura_with_preview

    body = "".join(f"<p>{'The council met on Monday to discuss the budget. ' * 3} Paragraph {i}.</p>" for i in range(5))
    page = f"<html><body><nav>Home | News</nav><article>{body}</article></body></html>"
    text, summary_text = extract_trafilatura_with_preview(page)
    assert "Paragraph 4." in text
    preview = summary_text()
    assert preview is not None and "Paragraph 4." in preview


def test_pages_without_an_html_tag_up_front_are_still_extracted():
    from pipeline.extract.extractors import as_html_document, extract_trafilatura

    body = "".join(f"<p>{'The council met on Monday to discuss the budget. ' * 3} Paragraph {i}.</p>" for i in range(5))
    # a wrapper element and no <head>: trafilatura alone parses one child and calls the page "not HTML"
    page = f'<text id="http://example.org/news/1">\n<body><div>{body}</div></body></text>'
    assert "Paragraph 4." in extract_trafilatura(page)
    assert as_html_document(page).startswith("<html>")
    full = "<!DOCTYPE html><html><body></body></html>"
    assert as_html_document(full) == full


def test_a_closing_script_tag_ends_at_its_first_angle_bracket():
    from pipeline.extract.ensemble import strip_scripts

    # "</script" then a newline and a comment: an HTML5 parser ends the script at the first ">"
    page = "<script src='a.js'></script\n<!-- plugin -->\n<p>Kept text</p><script>x()</script>"
    assert "Kept text" in strip_scripts(page)


# strip_scripts as one regex (the code it replaced): the reference for what is removed
SCRIPTS_REGEX = re.compile(
    "<(?:" + "|".join(
        [rf"{_any_case(tag)}\b[^>]*>.*?</{_any_case(tag)}\b[^>]*>" for tag in ("script", "style")]
        + [r"!--.*?-->", rf"{_any_case('svg')}\b[^>]*>.*?</{_any_case('svg')}\b[^>]*>"]
    ) + ")",
    re.S,
)


def test_strip_scripts_matches_the_single_regex():
    from pipeline.extract.ensemble import strip_scripts

    pieces = ["<script>", "<SCRIPT type='x'>", "</script>", "</ScRiPt \n>", "<scripts>", "</scriptx>", "<style>",
              "</style>", "<svg width=1>", "</SVG>", "<svgx>", "<!--", "-->", "<!-->", "--", "<", ">", "/", "</",
              "text", " ", "\n", "中文", "<p>", "</p>", "<script", "</script"]
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert strip_scripts(text) == SCRIPTS_REGEX.sub(" ", text), repr(text)


def test_strip_scripts_matches_the_single_regex_on_real_pages():
    from pipeline.extract.ensemble import strip_scripts

    pages = benchmark_pages(130)
    if not pages:
        pytest.skip("../shared/eval-data/mozilla-readability-testpages not present")
    for html in pages:
        assert strip_scripts(html) == SCRIPTS_REGEX.sub(" ", html)


def test_soft_hyphens_are_dropped_by_every_extractor_and_the_ensemble():
    import pipeline

    paragraph = "Ita&shy;li&shy;ens Wei&shy;ne wach&shy;sen an son&shy;ni&shy;gen Hän&shy;gen ober&shy;halb der Stadt."
    page = f"<html><body><article><h1>Wein</h1>{f'<p>{paragraph} Absatz {{}}.</p>' * 6}</article></body></html>"
    page = page.format(*range(6))
    for name in ("trafilatura", "readability", "resiliparse"):
        text = EXTRACTORS[name](page)
        assert "Italiens Weine wachsen" in text and "\xad" not in text, name
    assert "Italiens Weine wachsen" in pipeline.clean_html(page)


def test_patched_readability_is_ours_alone():
    import readability.readability as shared

    from pipeline.extract.extractors import _readability_document, extract_readability

    before = (shared.html_cleaner, shared.clean, shared.describe, shared.Document.transform_misused_divs_into_paragraphs)
    page = "<html><body><div><p>" + "The council met on Monday to discuss the budget for next year. " * 5 + "</p></div></body></html>"
    assert "council" in extract_readability(page)
    assert _readability_document() is not shared.Document
    assert (shared.html_cleaner, shared.clean, shared.describe,
            shared.Document.transform_misused_divs_into_paragraphs) == before


def test_visible_text_leaves_out_comments_but_keeps_what_follows_them():
    html = ("<html><body><p>Opening paragraph.</p><!-- /TEXT 1 LINE 20041231 -->After the comment."
            "<div>One<?php echo 1 ?> two</div><!--[if IE]><p>Old browsers</p><![endif]--><p>Last.</p></body></html>")
    assert html_fragment_to_text(html).split("\n") == ["Opening paragraph.", "After the comment.", "One two", "Last."]
