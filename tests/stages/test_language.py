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


def test_every_detector_gives_the_same_answer_uncached():
    # the detectors' answers are kept per sample (_detect_sample): that is only right if a fresh call agrees
    # (to the 6 decimals the output keeps: lingua's confidence can differ in its last bit from call to call)
    from pipeline.stages.language import _detect_sample

    text = "La bibliothèque municipale ouvre une salle d'étude le soir pour les étudiants."
    for detector in ("auto", "lingua-low", "fasttext", "langdetect"):
        answers = set()
        for _ in range(3):
            _detect_sample.cache_clear()
            lang, score = identify(text, detector, seed=0)
            answers.add((lang, round(score, 6)))
        assert len(answers) == 1 and next(iter(answers))[0] == "fr", (detector, answers)
        lang, score = identify(text, detector, seed=0)  # (from the cache)
        assert (lang, round(score, 6)) in answers


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
