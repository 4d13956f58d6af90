import codecs

import pytest

from pipeline.config import Config
from pipeline.document import Document
from pipeline.stages.decode import canonical_encoding, decode_bytes, decode_stage

ZH = "社区图书馆推出夜间自习室，受到学生和上班族的欢迎。读者需要提前在网上预约座位。"


def test_bom_wins():
    r = decode_bytes(codecs.BOM_UTF8 + "héllo".encode())
    assert (r.text, r.evidence) == ("héllo", "bom")
    r = decode_bytes(codecs.BOM_UTF16_LE + "héllo".encode("utf-16-le"))
    assert r.text == "héllo" and r.encoding == "utf-16-le"


def test_gb2312_bytes_read_as_browsers_read_them():
    # 0xA1A4 and 0xA1AA: the middle dot of a transliterated name and the em dash, as in every browser (Python's
    # gb2312 codec gives U+30FB KATAKANA MIDDLE DOT and U+2015 HORIZONTAL BAR)
    data = "乔治·布什说，13—15岁的儿童".encode("gb18030")
    assert data.decode("gb2312") != data.decode("gb18030")
    for declared in ("gb2312", None):
        assert decode_bytes(data * 4, declared=declared).text == "乔治·布什说，13—15岁的儿童" * 4


def test_gb2312_label_widened_to_gb18030():
    # 镕 is in GBK/GB18030 but not GB2312: pages labelled gb2312 use it all the time
    data = ("朱镕基" + ZH).encode("gb18030")
    r = decode_bytes(data, declared="gb2312")
    assert r.text.startswith("朱镕基") and r.encoding == "gb18030" and r.evidence == "declared"
    assert canonical_encoding("GB2312") == "gb18030"
    assert canonical_encoding("big5") == "big5hkscs"
    assert canonical_encoding("no-such-charset") is None


def test_meta_charset_and_lying_header():
    html = f'<html><head><meta charset="gbk"></head><body>{ZH}</body></html>'.encode("gb18030")
    r = decode_bytes(html, is_html=True)
    assert ZH in r.text and r.evidence == "meta"
    # a header that claims UTF-8 for GBK bytes is not believed
    r = decode_bytes(html, declared="utf-8", is_html=True)
    assert ZH in r.text


def test_detector_for_unlabelled_legacy_text():
    assert decode_bytes(ZH.encode("gb18030")).text == ZH
    assert decode_bytes((ZH * 3).encode("big5hkscs", "ignore")).encoding.startswith("big5")


def test_utf16_without_bom_by_byte_pattern():
    text = "Plain English text in UTF-16 without a byte order mark. " * 4
    assert decode_bytes(text.encode("utf-16-le")).text == text


def test_undecodable_share_is_measured_and_rejected():
    doc = Document(id="x", source="x", raw=b"ok text " + bytes(range(0x80, 0xFF)) * 20)
    config = Config()
    decode_stage(doc, config)
    assert doc.rejected and doc.reason in ("undecodable", "binary")


def test_literal_replacement_characters_are_not_decode_errors():
    data = ("text with a literal \ufffd inside " * 20).encode()
    r = decode_bytes(data)
    assert r.replacement_ratio == 0.0


def test_stage_sets_signals_and_newlines():
    doc = Document(id="x", source="x", raw=b"line one\r\nline two\r\n")
    decode_stage(doc, Config())
    assert doc.text == "line one\nline two\n" and doc.encoding == "utf-8" and not doc.rejected


def test_huge_line_rejected_for_text_not_html():
    config = Config()
    config.input.max_line_chars = 1000
    doc = Document(id="x", source="x", raw=b"a" * 5000)
    decode_stage(doc, config)
    assert doc.reason == "huge_line"
    html = Document(
        id="y", source="y", raw=b"<html><body>" + b"<p>x</p>" * 1000 + b"</body></html>", content_type="html"
    )
    decode_stage(html, config)
    assert not html.rejected


def test_mostly_valid_utf8_is_decoded_as_utf8_with_replacement():
    data = ("Café in Zürich, 北京 and São Paulo. " * 20).encode() + b"\xff broken \xc3\x28 bytes"
    r = decode_bytes(data)
    assert r.encoding == "utf-8" and r.evidence == "utf-8-damaged"
    assert "Café in Zürich, 北京" in r.text and 0 < r.replacement_ratio < 0.01


def test_detector_sees_only_lines_with_non_ascii_bytes():
    from pipeline.stages.decode import _non_ascii_lines

    markup = b"<div class='nav'><a href='/x'>Home</a></div>\n" * 5000  # 230 KB of ASCII markup
    body = "Le café était fermé à Noël, déjà trop tard.\n".encode("cp1252")
    data = markup + body * 3 + markup
    sample = _non_ascii_lines(data)
    assert sample == body * 3
    assert decode_bytes(data, is_html=True).text.count("café") == 3


# pangram plus an everyday sentence per language, our own text
LATIN_TEXTS = {
    "cs": "Příliš žluťoučký kůň úpěl ďábelské ódy. Večer jsme šli do města, kde byla velká slavnost a všichni "
          "se těšili na ohňostroj. Škola začíná v září a děti už se nemohou dočkat.",
    "sk": "Kŕdeľ šťastných ďatľov učí pri ústí Váhu mĺkveho koňa obhrýzať kôru a žrať čerstvé mäso. Ľudia sa "
          "tešili na letné prázdniny, keď budú môcť ísť k moru.",
    "pl": "Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig. Wczoraj wieczorem poszliśmy do kina, a "
          "potem na spacer po starym mieście.",
    "hu": "Árvíztűrő tükörfúrógép. Tegnap este elmentünk moziba, utána sétáltunk a régi városban, és nagyon jól "
          "éreztük magunkat.",
    "tr": "Pijamalı hasta yağız şoföre çabucak güvendi. Dün akşam sinemaya gittik, sonra eski şehirde uzun bir "
          "yürüyüş yaptık ve çok eğlendik.",
    "de": "Falsches Üben von Xylophonmusik quält jeden größeren Zwerg. Gestern Abend gingen wir ins Kino und "
          "danach spazierten wir durch die Altstadt.",
    "lv": "Vakar vakarā mēs gājām uz kino, pēc tam staigājām pa vecpilsētu. Šodien ir silts laiks, un bērni "
          "spēlējas dārzā. Žurnālists rakstīja par jaunām grāmatām un vēsturi.",
    "lt": "Vakar vakare ėjome į kiną, o paskui vaikščiojome po senamiestį. Šiandien šilta, vaikai žaidžia sode. "
          "Žurnalistas rašė apie naujas knygas ir istoriją.",
    "is": "Í gærkvöldi fórum við í bíó og síðan gengum við um gamla bæinn. Það var hlýtt úti og börnin léku sér "
          "í garðinum. Þau hlökkuðu mikið til sumarsins.",
}


@pytest.mark.parametrize(("language", "encoding"), [
    ("cs", "cp1250"), ("cs", "iso8859_2"), ("sk", "cp1250"), ("sk", "iso8859_2"), ("pl", "cp1250"),
    ("pl", "iso8859_2"), ("hu", "iso8859_2"), ("tr", "cp1254"), ("tr", "iso8859_9"), ("de", "cp1252"),
    # detectors read Latvian as windows-1252 (š as ð, ž as þ); Icelandic, whose letters those are, stays Western
    ("lv", "cp1257"), ("lv", "iso8859_13"), ("lt", "iso8859_13"), ("is", "cp1252"), ("is", "latin_1"),
])
def test_latin_code_page_follows_the_language(language, encoding):
    # chardet takes Czech for Turkish and charset-normalizer ISO-8859-2 for windows-1250 (ISO-8859-2 Czech
    # came out with š as ą): the language of the text picks the code page among the Latin ones
    data = (LATIN_TEXTS[language] * 3).encode(encoding)
    assert decode_bytes(data).text == LATIN_TEXTS[language] * 3


CYRILLIC_TEXTS = {
    "ru": "Вчера вечером мы ходили в кино, а потом гуляли по старому городу. Погода была тёплая, и на улицах "
          "было много людей. Завтра утром поедем на дачу к бабушке.",
    "uk": "Вчора ввечері ми ходили в кіно, а потім гуляли старим містом. Погода була тепла, і на вулицях було "
          "багато людей. Завтра зранку їдемо до бабусі на дачу, там є ґанок.",
    "be": "Учора ўвечары мы хадзілі ў кіно, а потым гулялі па старым горадзе. Надвор'е было цёплае, і на "
          "вуліцах было шмат людзей. Заўтра раніцай паедзем да бабулі.",
}


@pytest.mark.parametrize(("language", "encoding"), [
    ("ru", "cp1251"), ("ru", "koi8_r"), ("ru", "mac_cyrillic"), ("uk", "koi8_u"), ("uk", "cp1251"),
    ("be", "cp1251"),
])
def test_cyrillic_twin_pages(language, encoding):
    # detectors take Ukrainian koi8-u for koi8-r (і ї є ґ become box drawing) and Belarusian windows-1251 for
    # Mac Cyrillic (і becomes ≥): the twin page that decodes to fewer odd characters wins
    text = CYRILLIC_TEXTS[language] * 3
    assert decode_bytes(text.encode(encoding)).text == text


def test_numero_signs_do_not_turn_windows_1251_into_mac_cyrillic():
    # № (windows-1251 0xB9) is a letter in Mac Cyrillic, whose punctuation sits where windows-1251 has capitals
    text = "Приказ № 12, пункт № 3, дело № 45/7, том № 2. " * 6 + "Вчера вечером мы ходили в кино."
    assert decode_bytes(text.encode("cp1251")).text == text


def test_greek_iso_8859_7_keeps_its_accented_capitals():
    text = "Άνοιξη στην Αθήνα: ο καιρός είναι ζεστός και οι δρόμοι είναι γεμάτοι κόσμο. Άλλοι πάνε στη θάλασσα. " * 3
    assert decode_bytes(text.encode("iso8859_7")).text == text


def test_soft_hyphens_and_stray_controls_are_dropped_from_decoded_text():
    from pipeline.stages.decode import normalise_newlines

    assert normalise_newlines("Ita\xadli\xadens\x00\r\nnext\x0cpage") == "Italiens\nnext\x0cpage"
    # zero-width space, word joiner and a stray BOM go too; the zero-width joiner shapes emoji and scripts: it stays
    assert normalise_newlines("a\u200bb\u2060c\ufeffd \U0001f469\u200d\U0001f4bb") == "abcd \U0001f469\u200d\U0001f4bb"


def test_text_and_bytes_are_sniffed_for_html_over_the_same_window():
    # a Chinese text dump whose third page carries leftover table markup: within the first 8192 bytes it is
    # text, so the decoded text must not be taken for HTML by looking at 8192 characters (~24 KB) instead
    from pipeline.text import HEAD_BYTES, looks_like_html

    prose = "社区图书馆从本月起延长开放时间，每天晚上开设夜间自习室，为附近的学生提供安静的学习空间。\n" * 70
    markup = ('<title>x</title><table width=100%><tr><td class="a">主题词：</td><td></td></tr></table>\n'
              "<div><p>x</p></div>\n") * 40
    dump = prose + markup
    assert len(prose.encode()) > HEAD_BYTES > len(prose)
    assert not looks_like_html(dump.encode())
    assert not looks_like_html(dump[:HEAD_BYTES])
    doc = Document(id="t", source="t.txt", raw=dump.encode(), content_type="text")
    decode_stage(doc, Config())
    assert doc.content_type == "text"


def test_stray_character_list_is_the_stray_controls_pattern():
    # normalise_newlines tests for the characters one by one before running STRAY_CONTROLS: the same set
    from pipeline.stages.decode import _STRAY_CHARS, STRAY_CONTROLS

    assert {chr(c) for c in range(0x110000) if STRAY_CONTROLS.match(chr(c))} == set(_STRAY_CHARS)
