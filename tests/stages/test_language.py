from pipeline.config import Config
from pipeline.document import Document
from pipeline.stages.language import detect_language, identify, language_by_script, language_stage
from pipeline.text import script_counts


def test_script_decides_cjk():
    assert language_by_script(script_counts("今天天气很好")) == "zh"
    assert language_by_script(script_counts("今日はいい天気ですね")) == "ja"
    assert language_by_script(script_counts("오늘은 날씨가 좋네요")) == "ko"
    assert language_by_script(script_counts("plain words")) is None


def test_short_chinese_is_zh():
    assert identify("中文")[0] == "zh"
    assert detect_language("北京")[0] == "zh"


def test_seeded_detection_is_deterministic():
    text = "This is a short English sentence about the weather in the mountains."
    assert {identify(text) for _ in range(5)} == {identify(text)}
    assert identify(text)[0] == "en"


def test_paragraph_languages_and_spans():
    en = "The library opened a quiet study room for students and workers in the evening."
    zh = "社区图书馆推出夜间自习室，受到学生和上班族的欢迎，读者需要提前预约座位。"
    doc = Document(id="x", source="x", text=f"{en}\n{en}\n{en}\n{zh}")
    language_stage(doc, Config())
    assert doc.lang == "en" and not doc.rejected
    assert set(doc.lang_shares) == {"en", "zh"} and abs(sum(doc.lang_shares.values()) - 1) < 1e-9
    assert [s.lang for s in doc.lang_spans] == ["zh"]
    assert doc.text[doc.lang_spans[0].start : doc.lang_spans[0].end] == zh


def test_other_languages_rejected_unless_kept():
    es = "El mercado municipal reabre sus puertas después de dos años de obras en el centro de la ciudad."
    doc = Document(id="x", source="x", text=es)
    language_stage(doc, Config())
    assert doc.reason == "language" and doc.lang == "es"
    config = Config()
    config.language.keep = []
    doc = Document(id="x", source="x", text=es)
    language_stage(doc, config)
    assert not doc.rejected


def test_katakana_middle_dot_in_chinese_is_not_japanese():
    # U+30FB between the parts of foreign names (GB2312 pages decoded with the old table, or typed so)
    assert identify("乔治\u30fb布什和比尔\u30fb克林顿会见了约翰\u30fb克里。")[0] == "zh"
    assert identify("トヨタ自動車は新しい車を発表しました。")[0] == "ja"
