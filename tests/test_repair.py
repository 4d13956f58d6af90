from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Document
from pipeline.repair import repair_stage, repair_text, restore_spaces, spaces_stage, stripped_space_share

from .conftest import SEEDS


def test_mojibake_is_fixed():
    assert repair_text("CafÃ© Ã  la carte") == ("Café à la carte", True)
    assert repair_text("æ—¥æœ¬èªž")[0] == "日本語"


def test_correct_cjk_text_is_never_changed():
    text = "中文，标点。ＡＢＣ全角字母 “引号” ｢括号｣ 半角ｶﾀｶﾅ"
    assert repair_text(text) == (text, False)


def test_stage_records_signal():
    doc = Document(id="x", source="x", text="The cafÃ© opened today.")
    repair_stage(doc, Config())
    assert doc.mojibake_fixed and doc.mojibake_chars >= 1 and doc.text == "The café opened today."


def test_restore_spaces_on_own_text():
    glued = "Thecouncilmetonmondaytodiscussthebudgetfornextyearandagreedtorepairthebridge."
    fixed, quality = restore_spaces(glued)
    assert fixed.startswith("The council met on monday to discuss the budget")
    assert quality > 0.9
    assert stripped_space_share(glued * 2) > 0.9
    assert stripped_space_share("Ordinary English text has spaces between all of its words, like this.") == 0


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
