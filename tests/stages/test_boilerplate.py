from pipeline.api import clean_text
from pipeline.config import Config
from pipeline.document import Document, Reason
from pipeline.stages.boilerplate import (
    GOOD,
    classify_line,
    clean_lines,
    glued_furniture,
    line_quality,
    line_verdicts,
    text_boilerplate_stage,
    unit_quality,
)
from pipeline.stages.extract import footer_candidate_lines
from pipeline.stages.split import split_pages, split_stage

ARTICLE = (
    "The council met on Monday to discuss the budget for next year, and agreed to repair the bridge.\n"
    "Residents welcomed the decision, which had been delayed twice by arguments about the cost.\n"
)
ZH_ARTICLE = (
    "社区图书馆从本月起延长开放时间，每天晚上九点到十二点开设夜间自习室，为附近的学生提供安静的学习空间。\n"
)


def test_single_line_rules():
    assert classify_line("Copyright © 2024 Example News. All rights reserved.") == Reason.FOOTER
    assert classify_line("京ICP备12345678号 京公网安备11010102000001号") == Reason.FOOTER
    assert classify_line("Home > Local News > Environment") == Reason.BREADCRUMB
    assert classify_line("首页 > 社区新闻 > 正文") == Reason.BREADCRUMB
    assert classify_line("Login | Register | Subscribe") == Reason.NAV_MENU
    assert classify_line("【打印】") == Reason.BUTTON
    assert classify_line("返回顶部") == Reason.BUTTON
    assert classify_line("-----") == Reason.SEPARATOR
    assert classify_line("来源：新华社") == Reason.BYLINE
    assert classify_line("(Xinhua) Updated: 2010-06-08 14:13") == Reason.BYLINE
    assert classify_line("2022-11-07 10:20") == Reason.BYLINE
    assert classify_line("相关阅读") == Reason.RELATED_LINKS
    assert classify_line(ARTICLE.splitlines()[0]) is None
    assert classify_line(ZH_ARTICLE.strip()) is None


def test_footer_words_inside_a_sentence_are_prose():
    assert classify_line("Powered by WordPress") == Reason.FOOTER
    assert classify_line("Privacy Policy | Terms of Use") == Reason.FOOTER
    # "powered by" / "privacy policy" inside a sentence of eight words or more: prose
    assert classify_line("The new search page, powered by the open source engine:") is None
    assert classify_line("Read how we handle your data in our privacy policy.") is None
    # a copyright mark makes even a sentence a footer
    assert classify_line("Copyright 2019 Example News Now. All rights reserved.") == Reason.FOOTER


def test_a_copyright_line_is_a_footer_however_long_its_legal_text_runs():
    legal = (" Example Media does not represent or guarantee the truthfulness, accuracy or reliability of any of the"
             " communications posted by its users, and use of this site constitutes acceptance of our terms.")
    assert classify_line("Copyright © 2005 example.com. All Rights Reserved." + legal) == Reason.FOOTER
    assert classify_line("© 2019 Example Fitness, LLC. All rights reserved." + legal) == Reason.FOOTER
    assert classify_line("(c) 2010-2019 Example Group 版权所有" + legal) == Reason.FOOTER
    # prose about copyright, or a contract's item (c), is not a site's copyright line
    assert classify_line("Copyright law protects works of authorship, and the phrase all rights reserved once"
                         " mattered under the Buenos Aires Convention, which few readers of this article will"
                         " ever need to know about.") is None
    assert classify_line("(c) the licensee keeps all rights reserved to it under this agreement, and the"
                         " licensor shall not assign them to any third party without the licensee's prior"
                         " written consent.") is None


def test_menu_run_of_short_lines_is_cut_but_headings_stay():
    text = "Home\nNews\nSport\nWeather\n\nBridge repairs approved\n\n" + ARTICLE
    out = clean_lines(text)
    assert "Home" not in out and "Weather" not in out
    assert out.startswith("Bridge repairs approved")  # a lone short line before content is a heading
    assert ARTICLE.strip() in out


def test_chinese_menu_run():
    text = "首页\n新闻\n社区\n教育\n文化\n" + ZH_ARTICLE + "版权所有 © 东城区融媒体中心\n"
    out = clean_lines(text)
    assert out == ZH_ARTICLE.strip()


def test_related_links_block_after_heading():
    text = ARTICLE + "Related articles\nCouncil approves new bus timetable\nLibrary extends weekend hours\n"
    verdicts = line_verdicts(text)
    reasons = [v.reason for v in verdicts if v.reason]
    assert reasons.count(Reason.RELATED_LINKS) == 3
    assert "bus timetable" not in clean_lines(text)


def test_stage_records_spans_with_reasons():
    doc = Document(id="x", source="x", text="Home | News | Sport\n" + ARTICLE + "All rights reserved.\n")
    text_boilerplate_stage(doc, Config())
    assert doc.text == ARTICLE.strip()
    assert [s.reason for s in doc.spans] == ["nav_menu", "footer"]
    assert doc.spans[0].text.startswith("Home | News")
    assert doc.boilerplate_chars > 0


def test_all_boilerplate_is_rejected():
    doc = Document(id="x", source="x", text="Home\nNews\nSport\nLogin\n")
    text_boilerplate_stage(doc, Config())
    assert doc.reason == "boilerplate"


def test_split_pages_on_footer_then_new_content():
    page1 = "First page title\n" + ARTICLE + "Copyright © 2024 Site One\n"
    page2 = "Second page title\n" + ARTICLE.replace("council", "committee")
    pages = split_pages(page1 + page2)
    assert len(pages) == 2 and pages[0].startswith("First") and pages[1].startswith("Second")
    doc = Document(id="x", source="dump.txt", text=page1 + page2)
    children = split_stage(doc, Config())
    assert [c.source for c in children] == ["dump.txt#p1", "dump.txt#p2"]
    assert len({c.id for c in children}) == 2


def test_split_pages_on_repeated_title():
    body = ZH_ARTICLE * 5
    dump = (
        "第一篇文章 - 某某网\n第一篇文章 - 某某网"
        + body
        + "第二篇文章_百度百科\n第二篇文章_百度百科正文开始"
        + body
    )
    pages = split_pages(dump)
    assert len(pages) == 2 and pages[1].startswith("第二篇文章_百度百科")


def test_split_pages_on_title_whose_start_the_dump_cut_off():
    body = ZH_ARTICLE * 5
    dump = body + "城市夜间图书馆_某某百科\n馆_某某百科 首页登录注册帮助" + body
    pages = split_pages(dump)
    assert len(pages) == 2 and pages[1].startswith("城市夜间图书馆_某某百科")
    # a repeated file path is not a title: nothing glued on after it
    junk = body + "templates/gallery/caption_layout.tpl\ngallery/caption_layout.tpl\n" + body
    assert split_pages(junk) == [junk]


def test_split_pages_on_title_whose_headline_comes_back_after_the_menu():
    body = ZH_ARTICLE * 5
    dump = body + "城市夜间图书馆延长开放时间_新闻_某某网\n首页\n|\n登录\n城市夜间图书馆延长开放时间\n" + body
    pages = split_pages(dump)
    assert len(pages) == 2 and pages[1].startswith("城市夜间图书馆延长开放时间_新闻_某某网")
    english = ARTICLE * 3 + "Budget approved for the bridge repairs - City News\nHome\nSport\n" \
        "Budget approved for the bridge repairs\n" + ARTICLE
    assert len(split_pages(english)) == 2
    # a title-shaped line whose head is a path or too short to be a headline stays inside its page
    for line in ("gallery/caption_redesign - site", "Short - Site"):
        head = line.split(" - ")[0]
        assert len(split_pages(ARTICLE * 3 + f"{line}\nHome\n{head}\n" + ARTICLE)) == 1


def test_a_part_without_prose_joins_the_next_page():
    page1 = "First page title\n" + ARTICLE + "Copyright © 2024 Site One\n"
    remnants = "END Include: Standard\nResource Included [id=1226636939151]\n"
    page2 = "Second page title - Site Two\nSecond page title - Site Two\n" + ARTICLE.replace("council", "committee")
    pages = split_pages(page1 + remnants + page2 * 2)
    assert pages[0].startswith("First") and pages[1].startswith("END Include") and "Second page" in pages[1]
    # Russian has no function-word list: a long sentence still counts as prose and keeps its page apart
    russian = "Они настоящие гении кулинарного искусства, и их творения поражают не только вкусом, но и красотой.\n"
    pages = split_pages(page1 + "Заголовок страницы - Сайт\nЗаголовок страницы - Сайт\n" + russian * 3 + page2)
    assert [p.split("\n")[0] for p in pages] == ["First page title", "Заголовок страницы - Сайт",
                                                   "Second page title - Site Two"]


def test_a_dump_is_split_where_its_prose_changes_script_a_bilingual_text_is_not():
    english = [
        "The council met on Monday to discuss the budget for next year, and agreed to repair the bridge.",
        "Residents welcomed the decision, which had been delayed twice by arguments about the cost.",
        "Work on the bridge will start in the spring and should be finished before the summer holidays.",
        "The mayor said the town would also look again at the plans for a new cycle path along the river.",
    ]
    chinese = [
        "社区图书馆从本月起延长开放时间，每天晚上九点到十二点开设夜间自习室，为附近的学生提供安静的学习空间。",
        "图书馆负责人介绍，夜间自习室共有一百二十个座位，读者可以通过手机提前预约，每次最多使用三个小时。",
        "今年以来，图书馆还新增了两千多册少儿图书，并在周末举办亲子阅读活动，受到附近居民的普遍欢迎。",
        "下一步，图书馆计划与周边学校合作，开设更多面向中小学生的科普讲座和读书分享会，丰富社区文化生活。",
    ]
    pages = split_pages("\n".join(english + ["Contact us", "首页 | 新闻 | 图书馆"] + chinese))
    assert len(pages) == 2 and pages[0].endswith("Contact us") and pages[1].startswith("首页")
    # a parallel text (each sentence, then its translation) and a Chinese article quoting one English line stay whole
    assert len(split_pages("\n".join(line for pair in zip(english, chinese, strict=True) for line in pair))) == 1
    assert len(split_pages("\n".join(chinese[:2] + english[:1] + chinese[2:]))) == 1


def test_single_page_is_not_split():
    assert split_pages(ARTICLE) == [ARTICLE]


PROSE = (
    "The council met on Monday to discuss the budget for the next year and agreed that the bridge over "
    "the river would be repaired before the winter.\n"
)
# a page's furniture (a line rule cuts it): with it, a text is a page from a crawl, not a clean text saved on its
# own, and the context pass runs (see test_a_clean_text_keeps_its_headings_and_lists_a_dump_page_loses_them)
FURNITURE = "© 2024 Springfield Gazette. All rights reserved.\n"


def test_context_pass_cuts_short_lines_away_from_prose_and_keeps_headings():
    text = (
        "Weather today\nSunny spells\nTraffic news\n\n"  # short lines far from the article
        "Budget approved for bridge repairs\n"  # a heading right before the prose
        + PROSE + "A second short line in between\n" + PROSE
        + "\nMost popular this week\nFive things to do this weekend\nLocal football results\n"
    )
    doc = Document(id="x", source="x", text=text)
    text_boilerplate_stage(doc, Config())
    assert "Budget approved for bridge repairs" in doc.text
    assert "A second short line in between" in doc.text  # between two prose lines
    assert "Sunny spells" not in doc.text and "Local football results" not in doc.text
    assert {s.reason for s in doc.spans} >= {"off_content"}


def test_menu_printed_again_without_separators_is_judged_as_a_short_line():
    # four capitalised words, no function word: at the page's foot it goes (a neutral line there would stay,
    # next to the last paragraph); the same kind of line right before prose is a heading and stays
    text = (PROSE + "[Source: Xinhua, Wuzhen, 15Dec15]\n\nBookshop Donate Radio Nizkor\n\n" + FURNITURE)
    doc = Document(id="x", source="x", text=text)
    text_boilerplate_stage(doc, Config())
    assert "Bookshop Donate Radio Nizkor" not in doc.text and "[Source: Xinhua" in doc.text
    assert [s.reason for s in doc.spans if "Bookshop" in s.text] == ["off_content"]
    text = FURNITURE + "Population Growth Creates Ecological Changes\n" + PROSE + PROSE
    doc = Document(id="y", source="y", text=text)
    text_boilerplate_stage(doc, Config())
    assert "Population Growth Creates Ecological Changes" in doc.text
    # a line with a function word is not such a menu: it stays neutral and is kept next to prose
    doc = Document(id="z", source="z", text=PROSE + "Friends of the River Trust\n\n" + FURNITURE)
    text_boilerplate_stage(doc, Config())
    assert "Friends of the River Trust" in doc.text


def test_wrapped_paragraph_ending_mid_sentence_counts_as_prose():
    # a hard-wrapped teaser cut off with "... more": no line ends a sentence, one ends inside it; the function
    # words (a fifth of the words) pass the share a sentence-ending line needs
    teaser = [
        "Mark Hollis has designed a new layout on a quiet stretch of coast",
        "    near town. The course is full of surprises, open greens, and",
        "    long views that will please golfers of every level ... more",
    ]
    assert unit_quality(teaser) == "good"
    assert line_quality(" ".join(teaser)) == "neutral"  # (what the joined lines were judged before)
    # a single line keeps its own judgement, and a wrapped list of names is not prose
    assert unit_quality([teaser[1].strip()]) == line_quality(teaser[1])
    assert unit_quality(["Hollis Mark. Green Lane", "Park Road. North Street"]) != "good"
    text = "Results\nScores\nTables\n\n" + "\n".join(teaser) + "\nRates: 20 to 50 dollars\n"
    doc = Document(id="x", source="x", text=text)
    text_boilerplate_stage(doc, Config())
    assert "long views that will please" in doc.text and "Rates: 20 to 50 dollars" in doc.text


def test_list_announced_by_the_article_is_kept_however_long():
    rows = [f"May {day} -- Riverside Hall, Springfield, IL" for day in range(1, 13)]
    text = PROSE + "The tour's dates:\n" + "\n".join(rows) + "\n\nMore from our network\nWeather\nTraffic\n" + FURNITURE
    doc = Document(id="x", source="x", text=text)
    text_boilerplate_stage(doc, Config())
    assert all(row in doc.text for row in rows)  # rows far from prose, kept: the article announced them
    assert "More from our network" not in doc.text  # (the list ends at the blank line)
    # the same rows with no announcing line go as before
    doc = Document(id="y", source="y", text=PROSE + "\n".join(rows) + "\n" + FURNITURE)
    text_boilerplate_stage(doc, Config())
    assert rows[-1] not in doc.text
    # a colon line that is not next to prose announces nothing
    doc = Document(id="z", source="z", text=PROSE + "Menu\nSections:\n" + "\n".join(rows) + "\n" + FURNITURE)
    text_boilerplate_stage(doc, Config())
    assert rows[-1] not in doc.text


def test_flattened_table_rows_are_kept_as_content():
    table = ["Born\t25 April 1976", "Occupation\tSinger", "Years active\t1995 to today", "Label\tRiver Music"]
    text = PROSE + "\n".join(["Profile", "Gallery", "Photo of the singer.jpg"] + table) + "\n" + FURNITURE
    doc = Document(id="x", source="x", text=text)
    text_boilerplate_stage(doc, Config())
    assert all(row in doc.text for row in table)
    assert "Photo of the singer.jpg" not in doc.text  # (not a row: cut as before)
    # two tab lines are not a table
    doc = Document(id="y", source="y", text=PROSE + "\n".join(["a", "b", "c", "d"] + table[:2]) + "\n" + FURNITURE)
    text_boilerplate_stage(doc, Config())
    assert table[1] not in doc.text


def test_context_pass_leaves_documents_without_prose_alone():
    listing = "Apples\nPears\nPlums\nCherries, the dark ones from the south of the country\n"
    verdicts = line_verdicts(listing)
    from pipeline.stages.boilerplate import context_verdicts

    before = [v.reason for v in verdicts]
    context_verdicts(listing, verdicts)
    assert [v.reason for v in verdicts] == before


def test_ensemble_decisions():
    from pipeline.extract.ensemble import combine, combine_readability_first, strip_scripts

    article = PROSE * 3
    menu_and_article = "Home News Sport Weather Login\n" + article
    unrelated = "Completely different words about football scores and league tables this season. " * 5
    calls = []

    def second_opinion() -> str:
        calls.append(1)
        return "second opinion " + article

    # trafilatura agrees with resiliparse: its text, readability not even run
    assert combine(article, menu_and_article, second_opinion) == article and not calls
    # trafilatura found next to nothing, or disagrees: readability's text when it is closer to resiliparse
    assert combine("", menu_and_article, second_opinion).startswith("second opinion")
    assert combine(unrelated, menu_and_article, second_opinion).startswith("second opinion")
    half = article[: len(article) // 2]
    assert combine(half, menu_and_article, lambda: unrelated) == half  # readability is further off: kept
    assert combine("", menu_and_article, lambda: "") == ""
    # CJK pages: readability first; it failing sends us to trafilatura
    assert combine_readability_first(article, menu_and_article, second_opinion) == article
    assert combine_readability_first("", menu_and_article, second_opinion).startswith("second opinion")
    page = "<html><head><script>var x = '<p>not text</p>';</script><style>p {}</style></head><body><p>Text</p>"
    assert strip_scripts(page) == "<html><head>  </head><body><p>Text</p>"


def test_html_footer_lines_are_cut_with_a_reason():
    from pipeline.config import Config
    from pipeline.stages.extract import html_extract_stage

    body = "".join(f"<p>{PROSE} Paragraph {i}.</p>" for i in range(4))
    html = (f"<html><body><article><h1>A title of the article</h1>{body}"
            "<p>Copyright © 2024 Example Media. All rights reserved.</p></article>"
            "<footer><a href='/about'>About</a></footer></body></html>")
    doc = Document(id="x", source="x.html", text=html, content_type="html")
    html_extract_stage(doc, Config())
    assert "Paragraph 3." in doc.text and "All rights reserved" not in doc.text
    assert [(s.reason, s.stage) for s in doc.spans] == [("footer", "extract")]


def test_footer_candidates_are_every_line_footer_matches():
    from pipeline.stages.boilerplate import FOOTER
    from pipeline.text import line_offsets

    text = ("Article text about a copyright case in court.\nplain line\n京ICP备12345678号\n"
            "Powered By WordPress\nlast (c)\n2019 line\nno match here\nİstanbul Privacy Policy")
    per_line = [(s, e) for s, e in line_offsets(text) if FOOTER.search(text, s, e)]
    found = footer_candidate_lines(text)
    assert [span for span in found if FOOTER.search(text, *span)] == per_line
    assert [text[s:e] for s, e in per_line] == ["Article text about a copyright case in court.", "京ICP备12345678号",
                                                "Powered By WordPress", "İstanbul Privacy Policy"]
    # a match that runs over a line break ("(c)" then "2019") touches both lines; neither matches on its own
    assert (text.index("last (c)"), text.index("last (c)") + len("last (c)")) in found
    assert footer_candidate_lines("nothing to see\nhere") == []


def test_photo_credits_are_bylines_but_captions_that_say_something_are_not():
    for credit in ("Photo: Jane Doe, Example Press", "Fotos: Stadtwerke Musterstadt", "Bild via Agentur",
                   "Image credit: J. Smith / Example Images", "图片来源：示例新闻社", "Crédit photo : Studio X"):
        assert classify_line(credit) == Reason.BYLINE, credit
    for prose in ("Photo: A volunteer plants a tree by the river after the flood.",  # a caption, ends a sentence
                  "Photographers gathered at the gate before sunrise",  # no credit label
                  "Images of the old harbour show how the town looked in 1900"):
        assert classify_line(prose) is None, prose


def test_php_error_messages_are_cut():
    for error in ("Warning: Creating default object from empty value in /var/www/site/classes.php on line 407",
                  "Strict Standards: Non-static method Gallery::render() should not be called statically in "
                  "/srv/www/plugin/gallery.php on line 52",
                  "<b>Fatal error</b>: Allowed memory size exhausted in <b>/srv/index.php</b> on line <b>9</b>"):
        assert classify_line(error) == Reason.ERROR_MESSAGE, error
    assert classify_line("Warning: the bridge will be closed on Monday while workers repair the line.") is None
    assert clean_lines(f"Notice: Undefined index: id in /var/www/page.php on line 3\n{ARTICLE}") == ARTICLE.strip()


def test_html_photo_credits_and_php_errors_are_cut_but_bylines_stay():
    from pipeline.stages.extract import html_extract_stage

    body = "".join(f"<p>{PROSE} Paragraph {i}.</p>" for i in range(4))
    html = ("<html><body><article><h1>A title of the article</h1>"
            "<p>Warning: Cannot modify header information in /var/www/wp-includes/load.php on line 12</p>"
            "<p>By Jane Doe</p>"
            f"<p><img src='a.jpg'></p><p>Photo: Jane Doe, Example Press</p>{body}"
            "</article></body></html>")
    doc = Document(id="x", source="x.html", text=html, content_type="html")
    html_extract_stage(doc, Config())
    assert "Paragraph 3." in doc.text and "load.php" not in doc.text and "Example Press" not in doc.text
    assert "By Jane Doe" in doc.text  # readability-style extractors keep bylines on purpose: the HTML path does too
    assert sorted(s.reason for s in doc.spans) == ["byline", "error_message"]


def test_ui_words_glued_into_chinese_text_are_cut():
    article = ZH_ARTICLE.strip()
    glued = f"图书馆夜间开放 - 某某网切换模式写文章登录/注册{article}发布于 2024-03-30 赞同 2添加评论分享喜欢收藏"
    doc = Document(id="x", source="x.txt", text=glued + "\n" + ZH_ARTICLE)
    text_boilerplate_stage(doc, Config())
    assert "切换模式" not in doc.text and "添加评论" not in doc.text and article in doc.text
    # the publish line after the article takes the UI words glued to it along (glued_furniture)
    assert "发布于" not in doc.text and [s.reason for s in doc.spans] == ["nav_menu", "byline"]
    # prose lists separate such words with 、，; two UI words in a sentence are just words
    for prose in ("读者可以在首页登录后预约座位，也可以分享、评论、收藏和转发图书馆发布的新闻。",
                  "网页、新闻、图片、视频和地图都能在这里搜索到。"):
        doc = Document(id="y", source="y.txt", text=prose + "\n" + ZH_ARTICLE)
        text_boilerplate_stage(doc, Config())
        assert prose in doc.text and not doc.spans


def test_a_line_printed_twice_keeps_one_copy():
    lead = "The council approved the budget on Monday after a long debate."
    title = "Budget approved after long debate - City News"
    text = f"{title[:30]}\n{title} The council met on Monday.\n{lead}\n{lead}\n" + ARTICLE
    doc = Document(id="x", source="x.txt", text=text)
    text_boilerplate_stage(doc, Config())
    assert doc.text.count(lead) == 1 and doc.text.count(title[:30]) == 1 and title in doc.text
    assert [s.reason for s in doc.spans] == ["duplicate_passage", "duplicate_passage"]
    # short repeated lines are not passages; a repeat with another line between them is left alone
    from pipeline.stages.boilerplate import LineVerdict, repeated_line_verdicts
    from pipeline.text import line_offsets

    text = f"Yes it is\nYes it is\n{lead}\n{ARTICLE}{lead}"
    verdicts = [LineVerdict(s, e, None) for s, e in line_offsets(text)]
    repeated_line_verdicts(text, verdicts)
    assert all(v.reason is None for v in verdicts)


def test_markup_lines_left_in_a_dump_are_cut():
    for markup in ("<![endif]", "[if lt IE 9]>", "</div>", '<meta name="robots" content="index">',
                   '[if IE 9]><video style="display: none;"><![endif]', "<BR>&nbsp;"):
        assert classify_line(markup) == Reason.MARKUP, markup
    # a conditional comment that lost its "<!--" and "-->" (IE's and Word's), alone or with a cut-off tag
    for markup in ("[if !supportLists]§", "[endif]", "[if IE 9]><video", "[if gte mso 9]><xml>",
                   'style="display: none;"><![endif][if IE 9]></video><![endif]', "// .date-and-time"):
        assert classify_line(markup) == Reason.MARKUP, markup
    # ... and inside a line that stays, only the comment is cut
    text = "[if !supportLists]§ Prepare a five minute talk.\n[endif]Sound enthusiastic, and keep to the time you have."
    assert glued_furniture(text.split("\n")[1]) == [(0, 7, Reason.MARKUP)]
    assert clean_text("Intro of the article, which is a sentence of prose.\n" + text) == (
        "Intro of the article, which is a sentence of prose.\n§ Prepare a five minute talk.\n"
        "Sound enthusiastic, and keep to the time you have.")
    assert classify_line("[if you ask me] this is prose and stays here.") is None
    # a line of HTML source whose tags outweigh its text is markup too
    assert classify_line('<li><a href="https://example.org/browser/">Browser</a> | </li>') == Reason.MARKUP
    for text in ("<b>Note</b>: the bridge stays open during the repairs", "Use <div> for blocks and <span> inline",
                 "<rdf:Description", "<p>Hello world</p>"):
        assert classify_line(text) != Reason.MARKUP, text


def test_tag_attributes_and_block_comments_left_in_a_dump_are_cut():
    # a tag whose attributes the dump split over lines, and a template's comment naming the block it closes
    for markup in ('<ins class="adsbygoogle"', 'style="display:inline-block;width:320px;height:50px"',
                   'data-ad-slot="4695941337"></ins>', ".comment-meta", "close #wrapper", "/.entry-byline",
                   "End of .main-content"):
        assert classify_line(markup) == Reason.MARKUP, markup
    # a code line with text around its attribute, a framework's name, a hashtag, a ranking: text
    for text in ('Set width="100" on the image so it keeps its place', ".NET", "#MeToo", "#1 in the charts",
                 "Close the door", "x = 'a' is a string"):
        assert classify_line(text) != Reason.MARKUP, text


def test_a_sites_reprint_notice_is_a_footer_however_long():
    notice = ("凡本网注明“来源：示例网”的所有作品，版权均属于示例网，未经本网授权不得转载、摘编或利用其它方式使用上述"
              "作品。已经本网授权使用作品的，应在授权范围内使用，并注明“来源：示例网”。违反上述声明者，本网将追究其法律责任。")
    assert classify_line(notice) == Reason.FOOTER
    assert classify_line("本站所有文章未经授权禁止转载") == Reason.FOOTER
    # news about copyright names the paper too, but claims nothing
    for text in ("本报记者从市版权局获悉，今年查处的侵权案件比去年减少三成。", "本报讯 这部小说已被转载到多家网站。"):
        assert classify_line(text) is None, text


def test_reproduction_notices_and_consent_lines_are_footers():
    for notice in ("The material on this site may not be reproduced, distributed, transmitted, cached or otherwise used, "
                   "except with the prior written permission of Example Media.",
                   "No part of this site or its content may be copied without the permission of the copyright holder.",
                   "By clicking Subscribe, I agree to the Terms of Use and Privacy Policy of Example Media.",
                   "By submitting your email, you agree to our Terms and Privacy Notice."):
        assert classify_line(notice) == Reason.FOOTER, notice
    for text in ("By clicking the button twice, the user opens the settings page.",
                 "The court said the letters may not be reproduced in the book, and the publisher agreed.",
                 "By the end of the year, most members agree that the rules work."):
        assert classify_line(text) != Reason.FOOTER, text


def test_newsletter_and_comment_form_prompts_are_buttons():
    for prompt in ("Sign up for free newsletters and get more Example News delivered to your inbox",
                   "Subscribe to The Example Review via Email", "You must login or create an account to comment.",
                   "If you would like to add a comment, please register or log in",
                   "This site uses Akismet to reduce spam. Learn how your comment data is processed."):
        assert classify_line(prompt) == Reason.BUTTON, prompt
    for text in ("She signed the petition and went home.", "Readers can reply to the letter in the print edition.",
                 "He checks his inbox twice a day and answers every mail by hand before he has breakfast."):
        assert classify_line(text) != Reason.BUTTON, text


def test_prose_is_told_in_more_languages_than_english():
    # a line dense in another language's function words is prose, not a short neutral line
    assert line_quality("Islam pecah jadi dua karena faktor politik dan kekuasaan yang ada pada zaman itu di sana") == GOOD
    assert line_quality("O governo anunciou que não vai aumentar os impostos em um ano com eleições para a presidência") == GOOD
    assert line_quality("Правительство объявило что не будет повышать налоги в этом году и на выборы это не повлияет") == GOOD


def test_code_and_maths_are_not_breadcrumbs():
    assert classify_line("Home > News > World") == Reason.BREADCRUMB
    for line in ("x < y and y > z", "if (a >= b) return a;", "a => b"):
        assert classify_line(line) is None, line


def test_relative_timestamps_on_their_own_line_are_bylines():
    for stamp in ("2h ago", "3 hours ago", "Updated 5 min ago", "vor 3 Stunden", "il y a 2 heures", "hace 3 horas",
                  "3小时前", "昨天 12:30"):
        assert classify_line(stamp) == Reason.BYLINE, stamp
    for text in ("Three hours ago the bridge was still open.", "2 years ago today", "小时前"):
        assert classify_line(text) is None, text


def test_a_footer_glued_to_the_end_of_a_flattened_chinese_page_is_cut():
    body = ZH_ARTICLE.strip() * 8  # a page flattened into one line of 400 characters
    footer = "新手上路在线客服意见反馈投诉建议©2024 某某网 使用前必读 | 隐私政策 | 京ICP证000000号"
    doc = Document(id="x", source="x.txt", text=body + footer + "\n")
    text_boilerplate_stage(doc, Config())
    assert doc.text.strip() == body and [s.reason for s in doc.spans] == ["footer"]
    # a sentence about copyright inside the article, far from the line's end, stays
    prose = "出版社表示，该书版权所有人已经同意授权，图书馆可以免费提供电子版借阅服务。" + body
    doc = Document(id="y", source="y.txt", text=prose + "\n")
    text_boilerplate_stage(doc, Config())
    assert doc.text.strip() == prose and not doc.spans


def test_share_bars_are_buttons_in_dumps_and_in_extracted_html():
    for line in ("Share on Facebook", "Rezept drucken Bei Pinterest speichern", "Facebook, Instagram,",
                 "Follow us on Twitter"):
        assert classify_line(line) == Reason.BUTTON, line
    for line in ("Facebook reported higher profits on Monday", "Share prices fell", "The pocket watch"):
        assert classify_line(line) != Reason.BUTTON, line
    from pipeline.stages.extract import extracted_text_verdicts

    text = f"{PROSE}Share on Facebook\nFacebook reported higher profits on Monday.\n{PROSE}"
    assert [text[v.start:v.end] for v in extracted_text_verdicts(text)] == ["Share on Facebook"]


def test_a_row_of_bracketed_labels_is_buttons_and_a_bracketed_tag_before_a_headline_is_not():
    assert classify_line("【打印】【纠错】") == Reason.BUTTON
    assert classify_line("[Print] [Email] [Share]") == Reason.BUTTON
    assert classify_line("【独家】市政府公布新的公交线路规划，明年春季开通") is None


# ---- page furniture glued into lines (glued_furniture), each kind with the near-misses that must stay


def _cuts(line: str, previous: str = "") -> list[tuple[str, str]]:
    return [(line[a:b], reason.value) for a, b, reason in glued_furniture(line, previous)]


def test_edit_labels_are_cut_and_the_words_around_them_stay():
    assert _cuts("组成播报编辑《WIPO版权条约》由25条组成") == [("播报编辑", "button")]
    assert _cuts("History [edit] The city was founded in 1200.") == [("[edit]", "button")]
    assert _cuts("他在电视台担任新闻编辑，负责播报。") == []


def test_a_flattened_table_of_contents_is_cut_up_to_the_first_section():
    line = "若干问题目录1产生2组成3详细内容产生国际互联网条约(1张)世界知识产权组织于1996年"
    assert _cuts(line) == [("目录1产生2组成3详细内容", "nav_menu")]
    line = "Wellington Contents 1 History 2 Geography 3 References History The town was founded in 1840."
    assert _cuts(line) == [("Contents 1 History 2 Geography 3 References ", "nav_menu")]
    # numbered items that do not lead back to the first one, and two items only, are not a table of contents
    assert _cuts("The contents 1 apple 2 pears 3 plums were sold by noon.") == []
    assert _cuts("目录1产生2组成，后来又有了修订。") == []


def test_a_title_with_its_site_suffix_printed_again_before_the_heading_is_cut():
    title = "国际互联网公约(网上投资请小心) - 知乎"
    line = title + "切换模式写文章登录/注册国际互联网公约(网上投资请小心)万事具备 只欠东风"
    assert _cuts(line, title) == [(title + "切换模式写文章登录/注册", "duplicate_passage")]
    # no title line before it: a phrase said twice is prose; a dateline is not a title
    assert _cuts("Marionette Fission – Making Marionette Fission compatible DONE", "Status") == []
    assert _cuts("LONDON - Officials in LONDON said on Monday", "LONDON - Officials") == []


def test_a_publish_line_with_its_glued_tags_is_cut_not_a_date_inside_a_sentence():
    line = "如有侵权 立马删除)发布于 2021-03-30 14:34互联网全球化网络诈骗"
    assert _cuts(line) == [("发布于 2021-03-30 14:34互联网全球化网络诈骗", "byline")]
    assert _cuts("他说这篇文章发布于 2021-03-30，后来被删除了。") == []


def test_a_fair_use_notice_is_a_footer_but_an_article_citing_the_statute_is_not():
    notice = ("This document has been published on 16Dec15 by the Equipo Nizkor and Derechos Human Rights. In "
              "accordance with Title 17 U.S.C. Section 107, this material is distributed without profit to those "
              "who have expressed a prior interest in receiving the included information for research and "
              "educational purposes.")
    assert classify_line(notice) == Reason.FOOTER
    assert classify_line("Under 17 U.S.C. § 107, courts weigh four factors to decide whether a use is fair, "
                         "and the first is the purpose of the use.") is None


def test_cookie_banners_are_footer_lines_but_an_article_about_cookies_is_not():
    assert classify_line("We use cookies to improve your experience. By continuing to browse you agree to our use "
                         "of cookies.") == Reason.FOOTER
    assert classify_line("本网站使用cookie以提升您的浏览体验，继续浏览即表示您同意我们使用cookie。") == Reason.FOOTER
    # a banner that points to the privacy policy instead of asking for consent
    assert classify_line("This website uses cookies. Read our privacy policy to find out more.") == Reason.FOOTER
    assert classify_line("Our site uses cookies to count visitors. Learn more") == Reason.FOOTER
    assert classify_line("Browsers store cookies so that a site remembers what was in a shopping basket, and "
                         "regulators now ask sites to explain what they keep.") is None


def test_share_labels_and_labelled_links_are_cut_a_sentence_after_the_label_is_not():
    assert classify_line("分享到：") == Reason.BUTTON
    assert classify_line("Share this:") == Reason.BUTTON
    assert classify_line("上一篇：关于开展读书月活动的通知") == Reason.RELATED_LINKS
    assert classify_line("Read more: Tunisia sends most foreign fighters to Islamic State in Syria") == \
        Reason.RELATED_LINKS
    assert classify_line("Next Post: WeFoster Launches Hosting Platform") == Reason.RELATED_LINKS
    # in-article cross references stay (annotators keep them), and so does a sentence after a label
    assert classify_line("See also: List of companies of New Zealand") is None
    assert classify_line("Related: Chicago is America's most segregated city") is None
    assert classify_line("Next: the council will vote on the budget in March, and the mayor expects it to pass.") \
        is None


def test_pagers_are_cut_headings_that_start_with_a_pager_word_are_not():
    for line in ("<< 上一页 | 下一页 >>", "[上一篇] [下一篇]", "首页 上一页 1 2 3 下一页 尾页", "« Previous Post Next Post »",
                 "← Previous story Next story →", "Next story", "Older Post", "1 2 3 ... Next »", "Next Page >"):
        assert classify_line(line) == Reason.BUTTON, line
    for line in ("Next Steps for Vets", "Next Up In Culture", "Older Adult Health Program", "Last 5",
                 "Previous (BSDiff) Patch Size", "next to each other.", "The next story is about the harbour."):
        assert classify_line(line) is None, line


def test_a_clean_text_keeps_its_headings_and_lists_a_dump_page_loses_them():
    """No line rule finds anything in an article saved on its own: the context pass leaves it whole. The same
    article with a page's furniture around it is a dump page, and its short lines away from prose go."""
    article = ("Spring schedule\n\n" + PROSE + "\nOpening hours\n\nMonday to Friday, nine to five\n\n"
               "Closed on public holidays\n\nContact the desk\n")
    doc = Document(id="a", source="a.txt", text=article)
    text_boilerplate_stage(doc, Config())
    assert doc.text == article and not doc.spans
    page = "Home | News | Sport | Weather\n" + article + FURNITURE
    doc = Document(id="b", source="b.txt", text=page)
    text_boilerplate_stage(doc, Config())
    assert "Closed on public holidays" not in doc.text and PROSE.strip() in doc.text
    assert {span.reason for span in doc.spans} >= {Reason.NAV_MENU, Reason.FOOTER, Reason.OFF_CONTENT}


def test_a_summary_box_label_alone_is_cut_the_summary_and_an_editors_note_stay():
    assert classify_line("核心提示") == Reason.BUTTON
    assert classify_line("内容提要：") == Reason.BUTTON
    assert classify_line("核心提示：国务院新闻办公室发表白皮书，介绍中国推动构建网络空间命运共同体的理念。") is None
    assert classify_line("编者按") is None


def test_a_page_whose_only_prose_is_a_cookie_banner_is_not_a_list_page():
    page = "\n".join(["Latest stories", "Dollar rises as markets wait", "Cricket", "Terms", "Disclaimer",
                      "We use cookies to understand how you use our site and to improve user experience. By "
                      "continuing to use our site you accept our use of cookies.", "Sitemap"])
    doc = Document(id="p", source="p.txt", text=page)
    text_boilerplate_stage(doc, Config())
    assert doc.rejected and doc.reason == Reason.BOILERPLATE
    # a list page without any prose is left whole, as before
    listing = "\n".join(["Dollar rises as markets wait for the central bank decision",
                         "Council approves the new cycle path along the canal",
                         "Harbour lights to be switched on before the winter storms"])
    doc = Document(id="q", source="q.txt", text=listing)
    text_boilerplate_stage(doc, Config())
    assert not doc.rejected and doc.text == listing


def test_forum_and_download_listings_are_cut_as_listing_rows():
    rows = ["求助：电脑开机蓝屏怎么办", "小明 2021-03-30 回复 12 查看 345", "分享一个好用的笔记软件",
            "阿强 2021-03-29 回复 3 查看 88", "周末一起去爬山吗", "山友 2021-03-28 回复 40 查看 1200"]
    doc = Document(id="f", source="f.txt", text=ZH_ARTICLE + "\n".join(rows) + "\n" + ZH_ARTICLE.replace("图书馆", "博物馆"))
    text_boilerplate_stage(doc, Config())
    assert not any(row in doc.text for row in rows) and ZH_ARTICLE.strip() in doc.text
    assert {s.reason for s in doc.spans} == {"listing"}
    downloads = ["Annual report 2023", "report-2023.pdf 1.2 MB 2024-03-30 88 downloads",
                 "Budget tables", "budget.xlsx 340 KB 2024-02-11 12 downloads",
                 "Minutes of the March meeting", "minutes.docx 80 KB 2024-03-02 5 downloads"]
    doc = Document(id="d", source="d.txt", text=ARTICLE + "\n".join(downloads) + "\n" + ARTICLE)
    text_boilerplate_stage(doc, Config())
    assert not any(row in doc.text for row in downloads) and "repair the bridge" in doc.text


def test_one_line_of_post_details_in_an_article_is_not_a_listing():
    from pipeline.stages.boilerplate import is_listing_meta

    assert is_listing_meta("12 replies · 345 views · 2 hours ago")
    assert not is_listing_meta("The match drew 45,000 views and 300 comments within 2 hours of the post.")
    assert not is_listing_meta("2/26/2015 7:11 AM PST BY TMZ STAFF")  # a byline: a time, no count
    text = "小明 2021-03-30 回复 12 查看 345\n" + ZH_ARTICLE
    doc = Document(id="o", source="o.txt", text=text)
    text_boilerplate_stage(doc, Config())
    assert "listing" not in {s.reason for s in doc.spans}


def test_a_view_counter_on_its_own_line_is_cut_but_a_sentence_with_views_is_not():
    for line in ("653,817 VIEWS", "阅读 1,038", "浏览量：2万", "Views: 345"):
        assert classify_line(line) == Reason.BYLINE, line
    assert classify_line("12 views of the harbour") is None


def test_recent_comment_and_sponsored_headline_widgets_are_related_links():
    comments = ["Marta: Thanks for the write-up, this helped a lot with »",
                "Joe Bloggs: I tried the new release and the sync still »",
                "kim: Does this work on the older phones as well? I have…"]
    sponsored = ["Ten towns where a house still costs less than a car", "Daily Homes",
                 "Why this pilot flies hot-air balloons at seventy", "Morning Herald",
                 "The pasta trick chefs do not want you to know about", "Kitchen Weekly"]
    doc = Document(id="w", source="w.txt", text=ARTICLE + "\n".join(comments + sponsored) + "\n" + ARTICLE)
    text_boilerplate_stage(doc, Config())
    assert not any(row in doc.text for row in comments + sponsored) and "repair the bridge" in doc.text
    assert {s.reason for s in doc.spans} == {"related_links"}


def test_widget_rules_need_a_run_and_the_shape_of_a_row():
    # two comment rows are not a widget; an interview's question, speaker and answer are not headline rows
    two = ["Marta: Thanks for the write-up, this helped a lot with »", "Joe: I tried the new release »"]
    answer = "We started small, with two stages and a few hundred visitors, and it grew from there."
    interview = ["What made you start the festival twenty years ago?", "Anna Berg", answer,
                 "Who helped most in the first difficult years of it?", "Tom Reed", answer,
                 "What would you change if you could start again now?", "Anna Berg", answer]
    for rows in (two, interview):
        doc = Document(id="n", source="n.txt", text=ARTICLE + "\n".join(rows) + "\n" + ARTICLE)
        text_boilerplate_stage(doc, Config())
        assert "related_links" not in {s.reason for s in doc.spans}, rows


def test_dated_related_story_rows_and_a_line_of_post_fields():
    rows = ["·娱乐圈明星挨打事件回顾 (2005-04-27 14:32PM)", "·不必担心，他们总能化挨打为娱乐的 (2005-04-20 17:03PM)",
            "·歌迷称挨打也值得 (2004-04-26 02:40AM)"]
    doc = Document(id="r", source="r.txt", text=ZH_ARTICLE + "\n".join(rows) + "\n" + ZH_ARTICLE.replace("图书馆", "博物馆"))
    text_boilerplate_stage(doc, Config())
    assert not any(row in doc.text for row in rows) and ZH_ARTICLE.strip() in doc.text
    # two such rows, or a dated list item that is a sentence of the article, are left
    two = rows[:2]
    doc = Document(id="s", source="s.txt", text=ZH_ARTICLE + "\n".join(two) + "\n" + ZH_ARTICLE)
    text_boilerplate_stage(doc, Config())
    assert "related_links" not in {s.reason for s in doc.spans}
    assert classify_line("|发布: 2021-1-29 13:18|点击: 313|来自: 互联网") == Reason.BYLINE
    assert classify_line("发布会上，新华社记者提问：图书馆什么时候开放？") is None


def test_counts_in_brackets_make_a_listing_row():
    from pipeline.stages.boilerplate import is_listing_meta

    assert is_listing_meta("阅读全文(736) | 回复(0) | 引用(1)")
    assert is_listing_meta("Comments (5) | Trackbacks (0)")
    assert not is_listing_meta("The council (12 members) met on 3 May (2 hours).")


def test_a_date_with_weekday_ordinal_or_time_on_its_own_line_is_a_dateline():
    for line in ("September 19th, 2005 at 7:32 pm", "Saturday, September 10th, 2005 10:56 am", "19 September 2005, 19:32",
                 "2005年08月30日, 星期二 13:22", "Friday October 19, 2001"):
        assert classify_line(line) == Reason.BYLINE, line
    for line in ("September 19th, 2005 was the day the bridge opened.", "On 19 September 2005 at 7 pm we met."):
        assert classify_line(line) is None, line


def test_a_prompt_to_click_is_a_button_but_a_sentence_about_clicking_is_not():
    for line in ("点击看大图", "点击阅读更多精彩财经新闻", "[点击进入]", "Click here to subscribe", "Click to enlarge"):
        assert classify_line(line) == Reason.BUTTON, line
    for line in ("点击率是衡量广告效果的重要指标之一，但并不是唯一的指标，还要结合转化率来综合评估。", "点击量破万",
                 "Click here to read the full report, which the council published on Monday.",
                 "Clicking the button twice does nothing."):
        assert classify_line(line) is None, line


def test_a_byline_of_a_name_alone_but_not_a_heading_of_one_word():
    for line in ("By Tina Cassidy", "Por Shira Ovide", "by John M.", "By Anna Berg and Tom Reed"):
        assert classify_line(line) == Reason.BYLINE, line
    for line in ("By Train", "By then", "By the time the bridge opened, the town had grown."):
        assert classify_line(line) is None, line


def test_a_code_sample_the_article_announces_is_kept():
    intro = ("Mercurial keeps the history of every change, and the evolve extension lets you rewrite it safely "
             "after others have pulled it, which plain rebase cannot do.\n")
    sample = ["Then edit the configuration of the repository:", "[extensions]", "evolve =", "$ hg commit -m 'fix'",
              "$ echo 'fix' > file2", "{", "}"]
    _assert_code_sample_kept_and_menu_cut(intro + "Home | Docs | Blog | Download\n" + "\n".join(sample) + "\n" + intro,
                                          sample)


def _assert_code_sample_kept_and_menu_cut(text: str, sample: list[str]) -> None:
    doc = Document(id="c", source="c.txt", text=text)
    text_boilerplate_stage(doc, Config())
    for line in sample:
        assert line in doc.text, line
    assert "Home | Docs" not in doc.text


def test_a_contact_block_or_feed_list_after_a_colon_is_not_a_code_sample():
    from pipeline.stages.boilerplate import LineVerdict, announced_code_verdicts
    from pipeline.text import line_offsets

    for rows in (["Station Contact Info:", "E-Mail: stats@example.org", "Phone: 316-831-6143"],
                 ["RSS feeds:", "RSS (headlines)", "RSS (articles)"], ["Pages :", "1", "2", "3"]):
        text = "\n".join(rows)
        verdicts = [LineVerdict(a, b, Reason.NAV_MENU) for a, b in line_offsets(text)]
        announced_code_verdicts(text, verdicts)
        assert all(v.reason == Reason.NAV_MENU for v in verdicts), rows


def test_a_page_title_the_page_repeats_is_cut_and_its_headline_stays():
    headline = "Council votes to repair the old stone bridge before winter"
    text = f"{headline} - Town Gazette\n{headline}\n" + ARTICLE
    doc = Document(id="t", source="t.txt", text=text)
    text_boilerplate_stage(doc, Config())
    assert "Town Gazette" not in doc.text and headline in doc.text
    assert "duplicate_passage" in {s.reason for s in doc.spans}
    # a line shaped like a title whose headline the page never repeats stays
    lone = "Notes on the bridge - a short history of the town\n" + ARTICLE
    doc = Document(id="u", source="u.txt", text=lone)
    text_boilerplate_stage(doc, Config())
    assert "a short history of the town" in doc.text


def test_long_lines_are_classified_without_being_remembered():
    from pipeline.stages.boilerplate import CLASSIFY_CACHE_MAX_CHARS, _classify_line_cached

    before = _classify_line_cached.cache_info().currsize
    long_line = "社区图书馆推出夜间自习室，受到学生和上班族的欢迎。" * (CLASSIFY_CACHE_MAX_CHARS // 10)
    assert classify_line(long_line) is None
    assert _classify_line_cached.cache_info().currsize == before
    assert classify_line("© 2024 Town Gazette. All rights reserved.") == Reason.FOOTER
    assert _classify_line_cached.cache_info().currsize in (before, before + 1)  # (it may have been asked before)


def test_a_publishers_liability_disclaimer_is_cut_even_glued_to_the_last_paragraph():
    from pipeline.stages.boilerplate import liability_disclaimer_span

    last = ("The new bridge opens to traffic in May, two years after the old one was closed for repairs. "
            "Editor: Jane Roe Disclaimer The views expressed in this article are the author's own; "
            "example-news.com makes no representations as to the accuracy of any information on this site and "
            "will not be liable for any errors or omissions.")
    span = liability_disclaimer_span(last)
    assert span is not None and last[: span[0]].endswith("closed for repairs.") and span[1] == len(last)
    doc = Document(id="d", source="d.txt", text="Town news\nMenu | Sports | Weather\n" + ARTICLE + last + "\n")
    text_boilerplate_stage(doc, Config())
    assert "closed for repairs." in doc.text and "makes no representations" not in doc.text
    assert "Editor: Jane Roe" not in doc.text and Reason.FOOTER in {s.reason for s in doc.spans}
    # a Chinese platform's notice on a line of its own
    assert liability_disclaimer_span("声明：本文观点仅代表作者本人，本平台仅提供信息存储空间服务。")[0] == 0
    assert liability_disclaimer_span("凡注明来源的作品均转载自其它媒体，并不代表本网赞同其观点和对其真实性负责。")[0] == 0
    # a reposting site's takedown offer: a line of its own, or glued after the article's last sentence
    assert liability_disclaimer_span("本站文章均收集自网络，文中尽量注明出处。如有版权争议，请联系站长。")[0] == 0
    glued = ZH_ARTICLE.strip() * 4 + "（摘自网络 如有侵权 请联系删除）发布于 2021-03-30"
    start, end = liability_disclaimer_span(glued)
    assert glued[start:end] == "（摘自网络 如有侵权 请联系删除）"


def test_an_authors_view_note_or_a_company_in_the_news_is_not_a_disclaimer():
    from pipeline.stages.boilerplate import liability_disclaimer_span

    # article gold texts keep an author's note; a company's words in a story do not speak for the site
    assert liability_disclaimer_span("The views expressed in this article are those of the author.") is None
    assert liability_disclaimer_span("The bank said it will not be liable for any errors made by customers who "
                                      "ignored the warning, a spokesman told reporters on Tuesday.") is None
    # inside a paragraph, far from the sentence before it: not a notice at the paragraph's end
    long_sentence = "A " + "very " * 80 + "long sentence says the agency makes no guarantee about the accuracy " \
                    "of forecasts on this site, and it goes on about the weather."
    assert liability_disclaimer_span(long_sentence) is None
    assert liability_disclaimer_span("专家说，如有侵权行为，权利人可以向法院起诉，要求赔偿损失。") is None


def test_a_code_sample_right_after_kept_text_is_kept_unannounced():
    intro = ("The Response object can also report an error of its own, and a script that tries to change its headers "
             "afterwards gets an exception instead of a quiet failure.\n")
    sample = ["var res = Response. error ( ) ;", "try {", "res. headers . set ( \"Origin\" , \"http://mybank.com\" ) ;",
              "} catch ( e ) {", "console. log ( \"Cannot pretend to be a bank!\" ) ; // thrown", "}"]
    _assert_code_sample_kept_and_menu_cut("Home | Docs | Blog | Download\n" + intro + "\n".join(sample) + "\n" + intro,
                                          sample)


def test_code_lines_after_cut_furniture_are_not_restored():
    from pipeline.stages.boilerplate import LineVerdict, announced_code_verdicts
    from pipeline.text import line_offsets

    text = "\n".join(["Home | Docs | Blog", "var a = 1;", "var b = 2;"])
    verdicts = [LineVerdict(a, b, Reason.NAV_MENU) for a, b in line_offsets(text)]
    announced_code_verdicts(text, verdicts)
    assert all(v.reason == Reason.NAV_MENU for v in verdicts)
    # after a kept line, two code lines are restored; one alone is not
    for rows, restored in ((["A kept sentence of the article.", "var a = 1;", "var b = 2;"], True),
                           (["A kept sentence of the article.", "var a = 1;", "Home"], False)):
        text = "\n".join(rows)
        verdicts = [LineVerdict(a, b, None if i == 0 else Reason.OFF_CONTENT)
                    for i, (a, b) in enumerate(line_offsets(text))]
        announced_code_verdicts(text, verdicts)
        assert (verdicts[1].reason is None) == restored, rows


def test_a_share_bar_labelled_in_any_language_is_a_button():
    for line in ("Whatsapp Facebook Pint Baixar", "Facebook Twitter LinkedIn", "Messenger Facebook"):
        assert classify_line(line) == Reason.BUTTON, line
    for line in ("Facebook and Twitter fined", "Facebook, Twitter, YouTube: three years of moderation"):
        assert classify_line(line) != Reason.BUTTON, line


def test_a_line_saying_when_the_page_was_published_or_updated_is_a_byline():
    for line in ("Published 7:07 PM EST Nov 19, 2019", "First published on November 19, 2019 / 8:16 AM",
                 "Updated 1909 GMT (0309 HKT) November 18, 2019", "Last modified on Mon 18 Nov 2019 18.56 GMT",
                 "Updated Nov 19, 6:55 AM;Posted Nov 19, 6:51 AM", "Published 4h at 9:15 PM", "Updated at 1:23 p.m."):
        assert classify_line(line) == Reason.BYLINE, line
    for line in ("Updated Character Builder - Charplan v1.5.6", "Posted in Open thread | Permalink | 10 Comments",
                 "Updated guidance arrives on 3 May 2020 for the schools.", "Published works",
                 "Posted by Anna at 7:32 PM"):
        assert classify_line(line) != Reason.BYLINE, line


def test_a_link_label_with_its_arrow_is_a_button_but_a_guillemet_quotation_is_not():
    for line in ("View All Stories »", "More News ›", "Sign me up →", "Read on-line>>", "Change your current location »"):
        assert classify_line(line) == Reason.BUTTON, line
    for line in ("Les « boîtes noires »", "Népal : «Plus les heures passent, moins on est utiles»",
                 "The committee met again and, after a long debate about the budget, voted to go on »"):
        assert classify_line(line) is None, line


def test_a_rule_of_symbols_alone_does_not_switch_on_the_context_pass():
    # a plain-text article that rules off its reading list: nothing in it is page furniture
    reading = ["Further reading", "Hoskins, Bridges of the Fens", "Marsh, Stone and Water", "Town Records 1932"]
    text = ARTICLE + "\n_____________________\n" + "\n".join(reading) + "\n"
    doc = Document(id="r", source="r.txt", text=text)
    text_boilerplate_stage(doc, Config())
    for line in reading:
        assert line in doc.text, line
    # a menu still switches it on, and the list far from the prose goes with it
    doc = Document(id="m", source="m.txt", text="Home | News | Sport | Weather\n" + text)
    text_boilerplate_stage(doc, Config())
    assert "Town Records 1932" not in doc.text


def test_the_context_pass_needs_furniture_near_the_texts_start_or_end():
    # an article whose only furniture-like line is a dateline in its middle: its short lines stay
    paragraphs = [ARTICLE.strip()] * 10
    middle = ["", "December 18, 2006", "Lunch is at noon", ""]
    text = "\n".join(paragraphs[:5] + middle + paragraphs[5:] + ["Opening times vary"]) + "\n"
    doc = Document(id="a", source="a.txt", text=text)
    text_boilerplate_stage(doc, Config())
    assert "December 18, 2006" not in doc.text  # the line rule still cuts the dateline itself
    for line in ("Lunch is at noon", "Opening times vary"):
        assert line in doc.text, line
    # the same text under a site menu is a page: the pass runs and cuts the short line away from prose
    doc = Document(id="p", source="p.txt", text="Home | News | Sport | Weather\n" + text)
    text_boilerplate_stage(doc, Config())
    assert "Opening times vary" not in doc.text
