import random

from pipeline.text import cjk_share, script_counts


def _share_from_script_counts(text: str) -> float:
    counts = script_counts(text)
    if not counts["letters"]:
        return 0.0
    return (counts["han"] + counts["kana"] + counts["hangul"]) / counts["letters"]


def test_cjk_share_agrees_with_script_counts():
    # cjk_share counts Han, kana and Hangul in one scan: the same share as the three counts of script_counts
    samples = ["", "plain ASCII words", "中文和English混合", "ひらがなとカタカナ、漢字", "한국어 문장입니다", "𠀀𠀁 astral Han",
               "ー・", "123 ,.;", "Ünïcödé lätin"]
    rng = random.Random(0)
    for _ in range(500):  # code points of every plane in use, surrogates and unassigned ones included
        samples.append("".join(chr(rng.randrange(0, 0x30000)) for _ in range(rng.randrange(1, 30))))
    for text in samples:
        assert cjk_share(text) == _share_from_script_counts(text), repr(text)
    assert cjk_share("中文") == 1.0 and cjk_share("english") == 0.0
