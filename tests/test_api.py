import pipeline


def test_decode():
    assert pipeline.decode("中文内容，编码测试。".encode("gb18030")) == "中文内容，编码测试。"
    assert pipeline.decode(b"plain ascii") == "plain ascii"


def test_detect_language():
    assert pipeline.detect_language("今天天气很好，我们去公园散步。")[0] == "zh"
    lang, score = pipeline.detect_language(
        "The weather is lovely today, so we are going for a walk in the park."
    )
    assert lang == "en" and 0.5 < score <= 1.0


def test_clean_html(sample_dir):
    html = (sample_dir / "park_trees.html").read_bytes()
    text = pipeline.clean_html(html, url="https://example.org/tree-map")
    assert "two hundred volunteers" in text
    assert "Privacy Policy" not in text and "Login" not in text


def test_clean_text():
    dump = (
        "Home\nNews\nSport\nWeather\n"
        "The council met on Monday to discuss the budget for next year, and agreed to repair the bridge.\n"
        "Copyright © 2024 Example. All rights reserved.\n"
    )
    assert pipeline.clean_text(dump) == (
        "The council met on Monday to discuss the budget for next year, and agreed to repair the bridge."
    )
    # English whose spaces were stripped comes back spaced, as in the batch pipeline (not cut as a letter blob)
    glued = "Thecouncilmetonmondaytodiscussthebudgetfornextyear,andagreedtorepairthebridgebeforewinter."
    assert pipeline.clean_text(glued).startswith("The council met on monday to discuss the budget")
