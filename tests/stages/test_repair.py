from pathlib import Path

import ftfy
import pytest

from pipeline.config import Config
from pipeline.document import Document
from pipeline.stages.repair import CJK_SAFE, UNFIXABLE_LINE, _fix_text, _ftfy_keeps, repair_stage, repair_text
from pipeline.stages.spaces import restore_spaces, spaces_stage, stripped_space_share

from ..conftest import SEEDS


def test_mojibake_is_fixed():
    assert repair_text("CafÃ© Ã  la carte") == ("Café à la carte", True)
    assert repair_text("æ—¥æœ¬èªž")[0] == "日本語"


def test_correct_cjk_text_is_never_changed():
    text = "中文，标点。ＡＢＣ全角字母 “引号” ｢括号｣ 半角ｶﾀｶﾅ"
    assert repair_text(text) == (text, False)


def test_no_mojibake_is_made_only_of_lines_ftfy_may_skip():
    """The line gate's premise: a non-ASCII character's UTF-8 bytes are a lead byte (0xC2-0xF4) and
    continuation bytes (0x80-0xBF). In each encoding ftfy undoes, one of the two kinds never decodes to a
    character of UNFIXABLE_LINE, so the mojibake of any text always holds a character outside the gate."""
    from ftfy.chardata import CHARMAP_ENCODINGS

    def gate_passes(encoding: str, byte_range: range) -> list[str]:
        chars = (bytes([b]).decode(encoding, errors="replace") for b in byte_range)
        return [c for c in chars if UNFIXABLE_LINE.fullmatch(c)]

    for encoding in CHARMAP_ENCODINGS:
        leads, continuations = (
            gate_passes(encoding, range(0xC2, 0xF5)),
            gate_passes(encoding, range(0x80, 0xC0)),
        )
        assert not leads or not continuations, (encoding, leads, continuations)


@pytest.mark.parametrize(
    "text",
    [
        "plain English line\n“quoted” — and… more\n中文，标点。\n",
        "ok line\nCafÃ© Ã  la carte\nanother ok line\nÃ©tÃ©\n日本語のテキスト",
        "Fish &amp; chips\nCafÃ©\n",  # entities are unescaped when the text holds no "<"
        "a <b> tag line\nFish &amp; chips\nCafÃ©\n",  # after a "<" line, ftfy stops unescaping for good
        "Fish &amp; chips\na <b> tag\nmore &amp; more\n",
        "windows\r\nline endings CafÃ©\r\nand\u2028separators æ—¥æœ¬\x0bvertical tab\n",
        "control\x00chars\x1b[31m red\x1b[0m\nligature ﬁne\n\ufffd\ufffd replacement",
        # runs of lines that ftfy must see: mojibake only at a line start (ftfy's "^" pattern), a ligature, an
        # entity, each after a line that is fine on its own
        "naïve résumé\nÂ tout va bien\n",
        "déjà vu\nﬁne café\n",
        "déjà vu\ncafé &amp; bar\n",
        "",
        "\n\n",
    ],
)
def test_line_gate_gives_ftfy_output_exactly(text: str):
    assert _fix_text(text) == ftfy.fix_text(text, CJK_SAFE)


def test_run_gate_passes_only_what_ftfy_keeps():
    for run in [
        "naïve résumé\nÂ tout va bien\n",
        "déjà vu\nﬁne café\n",
        "déjà vu\ncafé &amp; bar\n",
        "voilÃ  le travail\n",
        "zero\u200bwidth \ufeffbom\n",
    ]:
        assert ftfy.fix_text(run, CJK_SAFE) != run
        assert not _ftfy_keeps(run), run
    for run in ["naïve résumé\n", "Grüße aus München\n„Zitat“ — Ende\n", "Ça va? Très bien.\n"]:
        assert ftfy.fix_text(run, CJK_SAFE) == run
        assert _ftfy_keeps(run), run


def test_stage_records_signal():
    doc = Document(id="x", source="x", text="The cafÃ© opened today.")
    repair_stage(doc, Config())
    assert doc.mojibake_fixed and doc.mojibake_chars >= 1 and doc.text == "The café opened today."


def test_restore_spaces_on_own_text():
    glued = "Thecouncilmetonmondaytodiscussthebudgetfornextyearandagreedtorepairthebridge."
    fixed, cost = restore_spaces(glued)
    assert fixed.startswith("The council met on monday to discuss the budget")
    assert cost < 2.0
    assert stripped_space_share(glued * 2) > 0.9
    assert stripped_space_share("Ordinary English text has spaces between all of its words, like this.") == 0


def test_stripped_paragraph_with_punctuation_and_digits_is_detected():
    # punctuation and digits cut a stripped paragraph's letters into runs shorter than 25
    glued = (
        "Meanwhile,thegoalie,whosubbedforhim,lookedstronginhis10thoutingthisseason,stopping30shots."
        "Thecoachsaidon2Mayhewasready."
    )
    assert stripped_space_share(glued) > 0.9
    doc = Document(id="x", source="x", text=glued)
    spaces_stage(doc, Config())
    assert doc.spaces_restored and "the goalie, who subbed for him, looked strong" in doc.text
    # links, paths and markup are not glued words; neither is normal prose with a long link in it
    assert stripped_space_share("https://example.com/an-article-about-something-long " * 3) == 0
    assert stripped_space_share("<div class=maincontentwrapperinner>text</div> " * 3) == 0
    assert stripped_space_share("a" * 2000) == 0  # a padding, not words (and costly to segment)
    blob = "QmFzZTY0IGlzIG5vdCBwcm9zZSBidXQgaXQgaXMgbW9zdGx5IGxldHRlcnMgYW5kIGhhcyBsb25nIHJ1bnM"
    assert stripped_space_share(f"Attachment: {blob}{blob}") == 0
    prose = "See the report at https://example.org/reports/annual-review-of-the-year for details on it."
    assert stripped_space_share(prose) == 0


def test_only_the_stripped_runs_are_cut_the_spaced_lines_around_them_stay_as_written():
    spaced = "NASA picks SpaceX for the lander\nFollow us on Instagram\nSorry, your blog cannot share posts by email.\n"
    glued = ("Thecouncilmetonmondaytodiscussthebudgetfornextyearandagreedtorepairthebridgebeforethewinter."
             "Theworkwillstartin2024andendbeforethesummer,whentheroadreopens.")
    doc = Document(id="m", source="m", text=spaced + glued + "\n")
    spaces_stage(doc, Config())
    assert doc.spaces_restored
    assert doc.text.startswith(spaced)  # (was "Space X", "In st agram", "can not")
    assert "The council met on monday to discuss the budget" in doc.text


def test_identifiers_are_not_glued_words_a_stripped_paragraph_with_an_address_is():
    template = "\n".join(f"{{* traditionalRegistration_{field} *}}" for field in
                         ("firstName", "lastName", "emailAddress", "displayName", "passwordConfirm", "postalCode"))
    assert stripped_space_share(template + "\nSign in to complete account merge\n") == 0
    doc = Document(id="t", source="t", text=template)
    spaces_stage(doc, Config())
    assert not doc.spaces_restored and doc.text == template  # (was cut into "traditional Registration_first Name")
    glued = ("Thecouncilmetonmondaytodiscussthebudgetfornextyearandagreedtorepairthebridgebeforethewinter."
             "Questionsgotothe_clerk_office@example.orgbeforeFriday.")
    assert stripped_space_share(glued) > 0.9


def test_restored_text_keeps_plurals_quotes_and_numbered_items():
    fixed, cost = restore_spaces(
        'Thesiteshowsrecommendationwidgetsandtitled"JointlyBuildaFuture"onMonday.1.Expandingcooperation'
    )
    assert "recommendation widgets and" in fixed
    assert 'titled "Jointly Build a Future" on Monday. 1. Expanding' in fixed
    assert cost < 2.6


def test_segmentation_follows_case_and_word_pairs():
    fixed, cost = restore_spaces(
        "TheyspentatleastthreedaysinHongKongwithNASAofficialsandtheWhiteHousepresssecretary."
    )
    # word pairs: "at least", not the list's glued "atleast"; a capital after a small letter starts a word
    # ("Hong Kong", "White House"); an all-capital piece stays whole (NASA, not "NA SA")
    assert fixed == "They spent at least three days in Hong Kong with NASA officials and the White House press secretary."
    assert cost < 2.0
    # a listed camel-case word stays one word; a capital never ends a word after small letters ("theM")
    assert restore_spaces("ThereviewertypedonhernewMacBookwhilewatchingTheMandalorian.")[0].startswith(
        "The reviewer typed on her new MacBook while watching The "
    )


def test_segmentation_keeps_apostrophes_and_parts_years():
    fixed, _ = restore_spaces("Theworkers'unionsaidyou'rewelcometoitsmeetinginMay;theprisonworkers'leaderagreed.")
    assert fixed == "The workers' union said you're welcome to its meeting in May; the prison workers' leader agreed."
    fixed, _ = restore_spaces("Since2016,thecityhasbuiltin2022theroute66bridge,andaportlikethoseofthe1990s.")
    # only a year is parted from its words: other numbers stay glued (route66bridge), a decade keeps its "s"
    assert fixed == "Since 2016, the city has built in 2022 the route66bridge, and a port like those of the 1990s."


def test_spaces_stage_rejects_other_languages_cut_into_english_words():
    glued = (
        "BereitsmitdemModernisierungsgesetzwurdedieelektronischePatientenakteals"
        "einederAnwendungenderGesundheitskartegenanntundseitdemwurdesieweiterentwickelt"
    )
    doc = Document(id="x", source="x", text=glued * 2)
    spaces_stage(doc, Config())
    assert doc.reason == "no_word_boundaries" and doc.quality["space_restore_cost"] > 2.6


def test_spaces_stage_rejects_what_it_cannot_segment():
    doc = Document(
        id="x", source="x", text="xqzvkwpqzhrtkwqpzmxvbnrtqwzplkjhgfdsamnbvcxzqwertyuioplkjhgfdsa" * 3
    )
    spaces_stage(doc, Config())
    assert doc.reason == "no_word_boundaries"


def test_seed_003_before_and_after():
    path = SEEDS / "003_320ae77abe72c33a.txt"
    if not path.exists():
        pytest.skip("shared seeds not present")
    before = Path(path).read_text()
    doc = Document(id="x", source="x", text=before)
    spaces_stage(doc, Config())
    assert not doc.rejected and doc.spaces_restored
    assert "JointlyBuildaCommunity" in before
    assert "Jointly Build a Community with a Shared Future in Cyberspace" in doc.text
    assert "the digital economy" in doc.text
