"""Boilerplate removal: main-text extraction for HTML, line and block rules for flattened text dumps.

Text dumps (a crawler already turned each page into lines) carry menus as runs of one-word lines, `|`
separated link bars, breadcrumbs, bylines, buttons and footers. Each rule below names what it removes; a
line is cut as a `Span` with that reason, never silently. Chinese has no spaces, so "short" is measured in
characters for CJK lines and in words for the rest, and sentence punctuation includes `。！？；`.

    >>> clean_lines("Home | News | Sport\\nThe council met on Monday to discuss the budget for next year.")
    'The council met on Monday to discuss the budget for next year.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .config import Config
from .document import Document, Reason, document_id
from .extractors import EXTRACTORS, extract_ensemble
from .isolation import CallTimeout, RemoteError, call_with_timeout
from .repair import changed_chars, repair_text
from .text import CJK_CHAR, cjk_share, cut_spans, is_cjk_line, line_offsets, tidy

# ----------------------------------------------------------------------------------------------------------
# line classification for text dumps

SENTENCE_QUESTION = re.compile(r"[？?。！!]\s*$")  # "记者：...？" is an interview question, not a byline
SENTENCE_END = re.compile(r"[.!?。！？；;:：…\"”’)）」』]\s*$")
SENTENCE_PUNCT = re.compile(r"[.!?。！？；，,;]")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
ONLY_SYMBOLS = re.compile(r"^[\W_]*$", re.UNICODE)

FOOTER = re.compile(
    r"(©|\(c\)\s*\d{4}|copyright\b|all rights reserved|版权所有|版权声明|ICP\s*备|ICP证|公网安备|网安备|"
    r"技术支持[:：]|承办[:：]|主办[:：]|powered by\b|produced by\b|隐私政策|privacy policy|terms of (use|service)|"
    r"cookie (policy|settings)|免责声明|联系我们|关于我们|网站地图|sitemap|违法和不良信息举报|举报电话|"
    r"增值电信业务经营许可证|互联网新闻信息服务许可证|网络文化经营许可证)",
    re.IGNORECASE,
)
FOOTER_LOWER = re.compile(FOOTER.pattern.lower())  # for lowercased text (see footer_candidate_lines)
BYLINE = re.compile(
    r"^(\(?[\w .]{1,30}\)?\s*)?(updated|published|posted|last modified|source|author|by|editor|发布时间|"
    r"更新时间|时间|来源|作者|编辑|责任编辑|记者|稿源|发布日期|日期|浏览次数|阅读|点击)\s*[:：]",
    re.IGNORECASE,
)
# a relative timestamp on its own line ("2h ago", "vor 3 Stunden", "il y a 2 heures", "hace 3 horas", "3小时前"):
# the date of a teaser in a list of other stories, or of a comment
RELATIVE_TIME = re.compile(
    r"^(?:(?:updated|posted|published)\s+)?(?:\d{1,3}|an?|one)\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|"
    r"d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\s+ago$|"
    r"^vor\s+\d{1,3}\s+(?:sekunden|minuten|stunden|tagen|wochen|monaten|jahren)$|"
    r"^il y a\s+\d{1,3}\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)$|"
    r"^hace\s+\d{1,3}\s+(?:segundos?|minutos?|horas?|días?|semanas?|meses|mes|años?)$|"
    r"^\d{1,3}\s*(?:秒|分钟|小时|天|周|个月|年)前$|^(?:刚刚|昨天|前天)(?:\s*\d{1,2}:\d{2})?$",
    re.IGNORECASE,
)
# a photo credit on its own line: "Photo: Hau Dinh, AP", "Fotos: Berliner Feuerwehr", "Bild via dpa", "图片来源：新华社";
# a name or agency, not a sentence (a caption that starts with "Photo:" and says something ends like a sentence)
IMAGE_CREDIT = re.compile(
    r"^(?:photos?|photographs?|images?|pictures?|(?:photo |image )?credits?|image source|illustration|"
    r"fotos?|bild(?:er|quelle|nachweis)?|fotoquelle|titelbild|titelfoto|beitragsbild|headerbild|"
    r"crédits?(?: photos?)?|fotograf[íi]as?|imagen|cr[ée]dito|immagine|imagem|beeld|"
    r"图片来源|图片提供|图源|供图|摄影)\s*(?:[:：|/]|©|\bvia\b)\s*\S[^\n]{0,100}$",
    re.IGNORECASE,
)
# PHP's own error format, printed into the page by a broken site: "Warning: Creating default object from empty
# value in /www/htdocs/wp-includes/classes.php on line 407" (one broken page can carry hundreds of them)
SERVER_ERROR = re.compile(
    r"^(?:<b>)?(?:PHP )?(?:Warning|Notice|Deprecated|Strict Standards|(?:Catchable )?Fatal error|Parse error)"
    r"(?:</b>)?\s*:\s.*\bin\s+(?:<b>)?\S+?(?:</b>)?\s+on line\s+(?:<b>)?\d+",
    re.IGNORECASE,
)
# markup left in a text dump: a line that opens like a tag or a conditional comment and holds no text outside
# its tags ("<![endif]", "[if lt IE 9]>", "</div>", "<meta name=... >"); a tutorial's code line has text around
MARKUP_START = re.compile(r"^(?:<!--|<!\[|\[if |</?[a-zA-Z][\w:.-]*(?:\s|/?>|$))")
MARKUP_TOKEN = re.compile(
    r"<!--|-->|<!\[endif\]>?|\[if [^\]]{1,40}\]>|</?[a-zA-Z][\w:.-]*(?:\s[^<>]*)?/?>|&nbsp;|<!\[CDATA\[|\]\]>"
)
DATE_ONLY = re.compile(
    r"^[\s(（\[]*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2})?)?[\s)）\]]*$",
    re.IGNORECASE,
)
BUTTONS = {
    "print",
    "share",
    "email",
    "e-mail",
    "login",
    "log in",
    "sign in",
    "sign up",
    "register",
    "subscribe",
    "back to top",
    "top",
    "menu",
    "search",
    "close",
    "reply",
    "comments",
    "comment",
    "read more",
    "more",
    "next",
    "previous",
    "prev",
    "home",
    "tweet",
    "like",
    "follow",
    "follow us",
    "skip to content",
    "skip to main content",
    "toggle navigation",
    "share this",
    "share on facebook",
    "share on twitter",
    "打印",
    "分享",
    "登录",
    "注册",
    "退出",
    "收藏",
    "留言",
    "返回顶部",
    "回到顶部",
    "关闭",
    "搜索",
    "更多",
    "上一篇",
    "下一篇",
    "上一页",
    "下一页",
    "首页",
    "字号",
    "默认",
    "大",
    "中",
    "小",
    "超大",
    "评论",
    "点赞",
    "转发",
    "复制链接",
    "扫一扫",
    "微信",
    "微博",
    "打印本页",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "登录/注册",
    "个人中心",
    "切换模式",
    "写文章",
    "无障碍",
    "简",
    "繁",
    "en",
    "pc版",
    "手机版",
    "×",
    "x",
}
RELATED_HEADING = re.compile(
    r"^\W*(related (articles|posts|stories|news|links)|you (may|might) also like|recommended( for you)?|"
    r"more (stories|from)|popular (posts|articles)|read (next|also)|see also|相关(阅读|新闻|文章|链接|推荐)|"
    r"推荐阅读|延伸阅读|热门(文章|推荐|新闻)|猜你喜欢|热点推荐|最新(文章|新闻))\W*$",
    re.IGNORECASE,
)
BREADCRUMB_SEP = re.compile(r"\s*(>|»|›|→|/|::|＞|>>)\s*")
PIPE_SEP = re.compile(r"\s*[|｜¦•·]\s*")


def is_short_line(line: str) -> bool:
    """A line too short to be a sentence: <= 8 characters of CJK, or <= 3 words otherwise."""
    stripped = line.strip()
    if is_cjk_line(stripped):
        return len(stripped) <= 8
    return len(WORD.findall(stripped)) <= 3 and len(stripped) <= 30


def has_sentence_shape(line: str) -> bool:
    stripped = line.strip()
    if SENTENCE_END.search(stripped):
        return True
    if is_cjk_line(stripped):
        return len(stripped) >= 20 and bool(SENTENCE_PUNCT.search(stripped))
    return len(WORD.findall(stripped)) >= 8


# a share bar left as a line: social networks and share verbs only ("Share on Facebook", "Rezept drucken Bei
# Pinterest speichern", "Facebook, Instagram,"), in the languages of our test pages
SHARE_NETWORKS = frozenset(
    "facebook twitter pinterest whatsapp linkedin xing reddit tumblr telegram instagram youtube flipboard pocket "
    "mastodon bluesky vk weibo wechat messenger".split()
)
SHARE_WORDS = SHARE_NETWORKS | frozenset(
    "share shares tweet teilen twittern pin pinnen drucken print merken speichern email e-mail mail on auf bei per "
    "via partager imprimer compartir imprimir condividi stampa delen copy link kopieren save folgen follow us zum "
    "rezept this article artikel x sms send senden".split()
)
SHARE_NETWORK = re.compile(r"\b(?:" + "|".join(sorted(SHARE_NETWORKS)) + r")\b", re.IGNORECASE)
SHARE_WORD = re.compile(r"[^\W\d_][\w-]*")


def is_share_line(line: str) -> bool:
    """A line of at most 12 words, all social networks or share verbs, naming at least one network."""
    words = [w.lower() for w in SHARE_WORD.findall(line)]
    return (0 < len(words) <= 12 and any(w in SHARE_NETWORKS for w in words)
            and all(w in SHARE_WORDS for w in words))


def is_image_credit(line: str) -> bool:
    """A photo credit line: a credit label, then a short name or agency that does not end like a sentence."""
    stripped = line.strip()
    return (
        bool(IMAGE_CREDIT.match(stripped))
        and len(WORD.findall(stripped)) <= 16
        and not re.search(r"[.!?。！？]\s*$", stripped)
    )


@lru_cache(maxsize=65536)  # menus and footers repeat across a site's pages: classify each line once
def classify_line(line: str) -> Reason | None:
    """The boilerplate reason for one line on its own, or None when the line may be content."""
    stripped = line.strip()
    if not stripped:
        return None
    lowered = stripped.lower()
    if ONLY_SYMBOLS.match(stripped):
        return Reason.SEPARATOR
    if SERVER_ERROR.match(stripped):
        return Reason.ERROR_MESSAGE
    if MARKUP_START.match(stripped):
        # only tags, or a line of HTML source whose tags outweigh its text ('<a href="/news/list?id=3">News</a>')
        outside = MARKUP_TOKEN.sub("", stripped).strip(" \t§·|-")
        if not outside or (stripped.endswith(">") and len(outside) <= 0.4 * len(stripped)):
            return Reason.MARKUP
    if lowered in BUTTONS or lowered.strip("[]【】()（）") in BUTTONS or is_share_line(stripped):
        return Reason.BUTTON
    words = len(WORD.findall(stripped))
    cjk = is_cjk_line(stripped)
    short_enough = len(stripped) <= 120 if cjk else words <= 25
    if (
        FOOTER.search(stripped)
        and short_enough
        and not (
            # a sentence that merely mentions "powered by" or a privacy policy is prose ("And its test suite,
            # powered by Mocha and Chai:"); only copyright/ICP marks make a sentence a footer
            (len(stripped) > 60 or (not cjk and words >= 8))
            and SENTENCE_END.search(stripped)
            and not re.search(r"©|ICP|备案|版权|rights reserved", stripped, re.I)
        )
    ):
        return Reason.FOOTER
    if BYLINE.match(stripped) and len(stripped) <= (40 if cjk else 80) and not SENTENCE_QUESTION.search(stripped):
        return Reason.BYLINE
    if DATE_ONLY.match(stripped) or RELATIVE_TIME.match(stripped):
        return Reason.BYLINE
    if is_image_credit(stripped):
        return Reason.BYLINE
    if RELATED_HEADING.match(stripped):
        return Reason.RELATED_LINKS
    parts = [p for p in BREADCRUMB_SEP.split(stripped) if p and not BREADCRUMB_SEP.fullmatch(p)]
    if (
        re.search(r"(>|»|›|→|＞)", stripped)
        and not re.search(r"[<=]", stripped)  # "x < y and y > z", "a => b": code and maths, not a trail
        and 2 <= len(parts) <= 8
        and all(len(p) <= 30 for p in parts)
        and not has_sentence_shape(stripped.rstrip(">»›→＞ "))
    ):
        return Reason.BREADCRUMB
    items = [p for p in PIPE_SEP.split(stripped) if p]
    if len(items) >= 3 and sum(1 for p in items if is_short_line(p)) >= 0.8 * len(items):
        return Reason.NAV_MENU
    return None


@dataclass
class LineVerdict:
    start: int
    end: int
    reason: Reason | None


def line_verdicts(text: str) -> list[LineVerdict]:
    """Classify every line; runs of short, sentence-less lines become `nav_menu`."""
    offsets = line_offsets(text)
    verdicts = [LineVerdict(s, e, classify_line(text[s:e])) for s, e in offsets]
    # menu runs: >= 3 consecutive short lines without sentence shape (blank lines and separators don't break
    # a run); a run touching a related-links heading is a related-links list
    n = len(verdicts)
    i = 0
    while i < n:
        if not _menu_candidate(text, verdicts[i]):
            i += 1
            continue
        j = i
        members = []
        while j < n and (
            _menu_candidate(text, verdicts[j])
            or not text[verdicts[j].start : verdicts[j].end].strip()
            or verdicts[j].reason in (Reason.SEPARATOR, Reason.BUTTON, Reason.NAV_MENU)
        ):
            if text[verdicts[j].start : verdicts[j].end].strip():
                members.append(j)
            j += 1
        if len(members) >= 3 and _is_heading_before_content(text, verdicts, members[-1], j):
            members.pop()  # the run's last line introduces the content that follows: a heading
        if len(members) >= 3:
            related = any(verdicts[k].reason == Reason.RELATED_LINKS for k in members)
            for k in members:
                if verdicts[k].reason is None:
                    verdicts[k].reason = Reason.RELATED_LINKS if related else Reason.NAV_MENU
        i = max(j, i + 1)
    # a related-links heading takes the list of link-like lines after it
    for idx, verdict in enumerate(verdicts):
        if verdict.reason != Reason.RELATED_LINKS:
            continue
        k = idx + 1
        while k < n:
            line = text[verdicts[k].start : verdicts[k].end].strip()
            if not line:
                k += 1
                continue
            if verdicts[k].reason is None and not has_sentence_shape(line) and len(line) <= 80:
                verdicts[k].reason = Reason.RELATED_LINKS
                k += 1
                continue
            break
    return verdicts


def _is_heading_before_content(text: str, verdicts: list[LineVerdict], index: int, after: int) -> bool:
    """A title-like short line (>= 2 words, or >= 4 CJK characters) directly followed by a sentence."""
    if verdicts[index].reason is not None:
        return False
    line = text[verdicts[index].start : verdicts[index].end].strip()
    if is_cjk_line(line):
        if len(line) < 4:
            return False
    elif len(WORD.findall(line)) < 2:
        return False
    for k in range(after, len(verdicts)):
        nxt = text[verdicts[k].start : verdicts[k].end].strip()
        if nxt:
            return verdicts[k].reason is None and has_sentence_shape(nxt)
    return False


GOOD, NEUTRAL, SHORT, BAD = "good", "neutral", "short", "bad"
# a line is prose ("good") with >= 12 words of which >= 30% function words (15% when it ends a sentence), or
# >= 35 CJK characters with clause punctuation; chosen on bench/text_dump_bench.py (a small grid, the values
# in its middle: the results change little around them)
GOOD_MIN_WORDS, GOOD_PROSE, GOOD_MIN_CJK_CHARS = 12, 0.3, 35
CJK_CLAUSE = re.compile(r"[，。！？；：、,]")
# function words of a few languages: a long line dense in them is prose, not a list of names or links
PROSE_WORDS = frozenset(
    "the and of to a in is that for it with as was on be by this are from at or an not but have which "
    "der die das und ist nicht ein eine zu den mit von sich des auf für im dem "
    "le la les et est des du un une que dans pour qui pas sur au "
    "el los las y en del que por con para una es se "
    "il di che è per non una della".split()
)


def line_quality(line: str) -> str:
    """jusText's block classes for one line of a text dump: good (prose), short, neutral (in between)."""
    stripped = line.strip()
    if is_cjk_line(stripped):
        if len(stripped) >= GOOD_MIN_CJK_CHARS and CJK_CLAUSE.search(stripped):
            return GOOD
        return SHORT if len(stripped) <= 10 else NEUTRAL
    words = WORD.findall(stripped.lower())
    if len(words) <= 3:
        return SHORT
    prose = sum(1 for w in words if w in PROSE_WORDS) / len(words)
    if len(words) >= GOOD_MIN_WORDS and (prose >= GOOD_PROSE or (prose >= GOOD_PROSE / 2 and SENTENCE_END.search(stripped))):
        return GOOD
    return NEUTRAL


def context_verdicts(text: str, verdicts: list[LineVerdict], max_gap: int = 2) -> None:
    """Mark short and neutral lines that sit away from prose as `off_content`, in place (jusText's
    context-sensitive pass, on lines): a line between prose lines is kept; a neutral line within `max_gap`
    lines of prose is kept; a short line is kept only right before prose (a heading) or between prose lines.
    Does nothing to a document without any prose line (a list page is not for us to judge here)."""
    kinds: list[str | None] = []
    for v in verdicts:
        line = text[v.start : v.end]
        if not line.strip():
            kinds.append(None)
        elif v.reason is not None:
            kinds.append(BAD)
        else:
            kinds.append(line_quality(line))
    good_rows = [i for i, k in enumerate(kinds) if k == GOOD]
    if not good_rows:
        return
    n = len(kinds)
    prev_class: list[tuple[str, int]] = [("edge", -1)] * n  # nearest good/bad line above and its distance
    last: tuple[str, int] = ("edge", -1)
    for i in range(n):
        prev_class[i] = last
        if kinds[i] in (GOOD, BAD):
            last = (kinds[i], i)
    next_class: list[tuple[str, int]] = [("edge", n)] * n
    last = ("edge", n)
    for i in range(n - 1, -1, -1):
        next_class[i] = last
        if kinds[i] in (GOOD, BAD):
            last = (kinds[i], i)
    for i, kind in enumerate(kinds):
        if kind not in (SHORT, NEUTRAL):
            continue
        (above, a), (below, b) = prev_class[i], next_class[i]
        if above == GOOD and below == GOOD:
            continue
        nonblank_to_next = sum(1 for k in kinds[i + 1 : b] if k is not None)
        nonblank_from_prev = sum(1 for k in kinds[a + 1 : i] if k is not None) if a >= 0 else i
        if kind == NEUTRAL and ((below == GOOD and nonblank_to_next < max_gap)
                                or (above == GOOD and nonblank_from_prev < max_gap)):
            continue
        if kind == SHORT and below == GOOD and nonblank_to_next == 0:
            continue  # a heading right before the text it introduces
        verdicts[i].reason = Reason.OFF_CONTENT


def _menu_candidate(text: str, verdict: LineVerdict) -> bool:
    line = text[verdict.start : verdict.end]
    if not line.strip():
        return False
    if verdict.reason in (Reason.BUTTON, Reason.NAV_MENU, Reason.SEPARATOR):
        return True
    return verdict.reason is None and is_short_line(line) and not has_sentence_shape(line)


def _merge_line_ranges(text: str, verdicts: list[LineVerdict]) -> list[tuple[int, int, Reason]]:
    """Adjacent lines cut for the same reason become one span (newline included)."""
    ranges: list[tuple[int, int, Reason]] = []
    for v in verdicts:
        if v.reason is None:
            continue
        end = min(len(text), v.end + 1)
        if ranges and ranges[-1][2] == v.reason and text[ranges[-1][1] : v.start].strip() == "":
            ranges[-1] = (ranges[-1][0], end, v.reason)
        else:
            ranges.append((v.start, end, v.reason))
    return ranges


def clean_lines(text: str) -> str:
    """The text-dump rules on one text, without the record keeping (see `text_boilerplate_stage`)."""
    verdicts = line_verdicts(text)
    context_verdicts(text, verdicts)
    cleaned, _ = cut_spans(text, _merge_line_ranges(text, verdicts), "boilerplate")
    return cleaned


# ----------------------------------------------------------------------------------------------------------
# splitting concatenated dumps into pages

TITLE_SUFFIX = re.compile(r"(\s[-–—|_]\s|_)[^\n]{1,30}$")


TITLE_LOOKAHEAD = 60  # lines after a page title in which its headline shows up again (after the page's menus)


def is_page_title(lines: list[str], index: int) -> bool:
    """Line `index` is a page's <title> as a crawler prints it, "Headline - Site" / "Headline_Site": shaped like
    one, and repeated at the start of the next line (whole, or its second half when the dump cut the title's
    start off and glued the page's text on)."""
    title = lines[index].strip()
    suffix = TITLE_SUFFIX.search(title)
    if not suffix or len(title) > 80:
        return False
    nxt = lines[index + 1].strip() if index + 1 < len(lines) else ""
    if nxt.startswith(title):
        return True
    # the title's start cut off, the page's text glued on after it ("网条约_百度百科 网页新闻贴吧...")
    if len(nxt) > len(title) + 20 and any(
        nxt.startswith(title[start:]) for start in range(1, min(len(title) // 2, len(title) - 6) + 1)
    ):
        return True
    headline = title[: suffix.start()].strip()
    if re.search(r"[/\\.{}<>=#]", headline) or len(headline) < (8 if is_cjk_line(headline) else 20):
        return False
    return any(line.strip() == headline for line in lines[index + 1 : index + 1 + TITLE_LOOKAHEAD])


def split_pages(text: str) -> list[str]:
    """Split a dump of several pages where a boundary is visible: a footer block followed by more content,
    or a title line whose text the next line repeats (crawler dumps often print the title twice)."""
    lines = text.split("\n")
    cut_points: list[int] = []
    since_content = 0
    seen_footer_at = -1
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        reason = classify_line(stripped)
        if reason == Reason.FOOTER:
            seen_footer_at = i
            continue
        if reason is None and seen_footer_at >= 0 and has_sentence_shape(stripped) and since_content > 0:
            # new content after a footer block: the page ended at the footer; find where the header starts
            start = seen_footer_at + 1
            while start < i and classify_line(lines[start].strip()) == Reason.FOOTER:
                start += 1
            cut_points.append(start)
            seen_footer_at = -1
            since_content = 0
        if reason is None:
            since_content += len(stripped)
        if since_content > 200 and i not in cut_points and is_page_title(lines, i):
            cut_points.append(i)
            since_content = 0
    if not cut_points:
        return [text]
    pages = []
    previous = 0
    for point in sorted(set(cut_points)):
        if point > previous:
            pages.append("\n".join(lines[previous:point]))
            previous = point
    pages.append("\n".join(lines[previous:]))
    return _merge_pages_without_prose([p for p in pages if p.strip()])


def _is_prose_any_language(line: str) -> bool:
    """Prose by `line_quality`, or (for languages without a function-word list) a long line ending a sentence."""
    return line_quality(line) == GOOD or (
        len(WORD.findall(line)) >= GOOD_MIN_WORDS and bool(SENTENCE_END.search(line.strip()))
    )


# Chinese portal and app UI words: menus, account links, share/like bars. Dumps of Chinese pages often glue
# them into the text without separators ("切换模式写文章登录/注册", "赞同 2添加评论分享喜欢收藏"), where no line rule
# sees them. Many are ordinary words on their own; only a run of several, with nothing but spaces, digits or
# `|/·` between them, is a menu (prose separates such lists with 、，).
GLUED_UI_TERMS = (
    "首页 登录 注册 登录/注册 退出 搜索 全站搜索 帮助 帮助中心 设置 个人中心 我的收藏 查看我的收藏 收藏 分享 评论 添加评论 "
    "点赞 赞同 喜欢 转发 举报 申请转载 申请 切换模式 写文章 打印 纠错 关闭 返回顶部 上一篇 下一篇 下载 客户端 下载APP APP "
    "手机版 电脑版 网页 新闻 贴吧 知道 网盘 图片 视频 地图 文库 资讯 采购 百科 百度 进入词条 播报 讨论 上传视频 编辑 "
    "秒懂百科 特色百科 知识专题 加入百科 百科团队 权威合作 有用 微信 微博 QQ空间 复制链接 扫一扫 字号 简体 繁体 无障碍 "
    "关怀版 邮箱 留言 订阅 关注 私信 消息 会员 意见反馈 联系我们 关于我们 网站地图 更多 频道 专题 排行 热门 推荐 直播"
).split()
GLUED_UI_RUN = re.compile(
    "(?:" + "|".join(re.escape(t) for t in sorted(GLUED_UI_TERMS, key=len, reverse=True)) + ")"
)
GLUED_UI_GLUE = re.compile(r"[\s|/｜·•+\d]*")
GLUED_UI_MIN_TERMS, GLUED_UI_MIN_CHARS = 4, 8  # or 3 terms of >= 7 characters


def glued_ui_runs(line: str) -> list[tuple[int, int]]:
    """(start, end) of runs of UI words glued together inside one line of Chinese text."""
    runs: list[tuple[int, int]] = []
    position = 0
    while True:
        match = GLUED_UI_RUN.search(line, position)
        if not match:
            return runs
        start, end, terms, chars = match.start(), match.end(), 1, match.end() - match.start()
        while True:
            glue = GLUED_UI_GLUE.match(line, end)
            following = GLUED_UI_RUN.match(line, glue.end())
            if not following:
                break
            end, terms, chars = following.end(), terms + 1, chars + following.end() - following.start()
        if terms >= GLUED_UI_MIN_TERMS and chars >= GLUED_UI_MIN_CHARS or terms >= 3 and chars >= 7:
            runs.append((start, end))
        position = end


def _merge_pages_without_prose(pages: list[str]) -> list[str]:
    """A part without a single prose line (markup remnants and menus between one page's footer and the next
    page's title) joins the next part, or the previous one at the end: on its own it would be kept whole, as
    `context_verdicts` leaves prose-less documents alone; next to prose, the context pass judges its lines."""
    merged: list[str] = []
    carry = ""
    for page in pages:
        page = carry + "\n" + page if carry else page
        carry = ""
        if any(_is_prose_any_language(line) for line in page.split("\n")):
            merged.append(page)
        else:
            carry = page
    if carry:
        if merged:
            merged[-1] += "\n" + carry
        else:
            merged.append(carry)
    return merged


def split_stage(doc: Document, config: Config) -> list[Document]:
    """Expand one text dump into its pages (sources `path#pN`); other documents pass through."""
    if doc.content_type != "text" or not config.boilerplate.split_pages:
        return [doc]
    pages = split_pages(doc.text)
    if len(pages) <= 1:
        return [doc]
    out = []
    for n, page in enumerate(pages, 1):
        source = f"{doc.source}#p{n}"
        child = Document(
            id=document_id(source),
            source=source,
            url=doc.url,
            text=page,
            record_id=doc.record_id,
            content_type=doc.content_type,
            encoding=doc.encoding,
            replacement_ratio=doc.replacement_ratio,
            mojibake_fixed=doc.mojibake_fixed,
            mojibake_chars=doc.mojibake_chars,
            spaces_restored=doc.spaces_restored,
            input_chars=len(page),
        )
        out.append(child)
    return out


# ----------------------------------------------------------------------------------------------------------
# HTML


def extract_main_text_unbounded(html: str, url: str | None, name: str) -> str:
    """The named extractor (see `pipeline.extractors`), or the ensemble; no time limit (runs in the helper)."""
    if name == "ensemble":
        return extract_ensemble(html, url)
    return EXTRACTORS[name](html, url)


def extract_main_text(html: str, url: str | None, config: Config) -> str:
    """Main text of an HTML page with the configured extractor, under the configured time limit."""
    name = config.boilerplate.html_extractor
    return call_with_timeout(extract_main_text_unbounded, (html, url, name), config.boilerplate.extract_timeout_s)


def footer_candidate_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines a FOOTER match touches, in order: one regex pass over the text instead of one
    search per line. The pass runs on the lowercased text with a lowercase pattern: without IGNORECASE, the
    regex engine skips to the characters that can start a match, 6x faster (the per-line loop was a tenth of
    the HTML stage's own time). Callers confirm each line on its own (a match may span a line break)."""
    lowered = text.lower()
    # lower() keeps offsets unless a character lowercases to several (Turkish dotted I): then scan the original
    matches = FOOTER_LOWER.finditer(lowered) if len(lowered) == len(text) else FOOTER.finditer(text)
    lines: dict[tuple[int, int], None] = {}
    for match in matches:
        start = text.rfind("\n", 0, match.start()) + 1
        while True:
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            lines[(start, end)] = None
            if end >= match.end() or end == len(text):
                break
            start = end + 1
    return list(lines)


# the two line-anchored rules as one pass over a whole text (see extracted_text_verdicts)
CREDIT_OR_ERROR_LINE = re.compile(
    "|".join("(?:" + rule.pattern.replace("^", r"^[ \t]*", 1) + ")" for rule in (IMAGE_CREDIT, SERVER_ERROR)),
    re.IGNORECASE | re.MULTILINE,
)


def extracted_text_verdicts(text: str) -> list[LineVerdict]:
    """The lines of an extractor's output that are never main text, however they sit inside the article's
    container: copyright/ICP/"privacy policy" footers (bench/html_extraction.py: +0.02 F1 on cleaneval, +0.003 on
    Chinese pages, +-0 elsewhere), photo credits, PHP error messages and share bars ("Share on Facebook"). Other line rules (menus, buttons,
    bylines) stay off here: readability-style extractors keep such lines on purpose, and cutting them costs F1.
    Candidates come from whole-text regex passes; `classify_line` confirms each one."""
    verdicts = []
    for start, end in footer_candidate_lines(text):
        if classify_line(text[start:end]) == Reason.FOOTER:
            verdicts.append(LineVerdict(start, end, Reason.FOOTER))
    for match in CREDIT_OR_ERROR_LINE.finditer(text):
        start, end = _line_around(text, match.start())
        reason = classify_line(text[start:end])
        if reason in (Reason.BYLINE, Reason.ERROR_MESSAGE):
            verdicts.append(LineVerdict(start, end, reason))
    share_lines = {_line_around(text, match.start()) for match in SHARE_NETWORK.finditer(text)}
    verdicts.extend(LineVerdict(start, end, Reason.BUTTON) for start, end in share_lines
                    if is_share_line(text[start:end]) and classify_line(text[start:end]) == Reason.BUTTON)
    verdicts.sort(key=lambda v: v.start)
    return verdicts


def _line_around(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def html_extract_stage(doc: Document, config: Config) -> Document:
    """Stage: HTML -> main text (other documents pass through)."""
    if doc.content_type != "html":
        return doc
    html_chars = len(doc.text)
    try:
        text = extract_main_text(doc.text, doc.url, config)
    except CallTimeout as exc:
        return doc.reject(Reason.EXTRACT_TIMEOUT, f"HTML extraction: {exc}")
    except RemoteError as exc:
        return doc.reject(Reason.MALFORMED, f"HTML extraction failed: {exc}"[:300])
    if config.decode.repair_mojibake:
        fixed, changed = repair_text(text)
        if changed:
            doc.mojibake_fixed = True
            doc.mojibake_chars = changed_chars(text, fixed)
            text = fixed
    doc.quality["html_chars"] = float(html_chars)
    doc.text = tidy(text)
    doc.input_chars = len(doc.text)
    if not doc.text:
        return doc.reject(Reason.BOILERPLATE, "the extractor found no main text")
    if config.boilerplate.line_rules:
        return _cut_lines(doc, extracted_text_verdicts(doc.text), "extract",
                          "the extracted text was only footer lines, photo credits or error messages")
    return doc


def _cut_lines(doc: Document, verdicts: list[LineVerdict], stage: str, empty_detail: str,
               inline: bool = False) -> Document:
    """Cut the lines that have a reason, as spans of `stage`; with `inline`, also UI words glued into the
    Chinese lines that stay (`glued_ui_runs`). Reject the document if nothing is left."""
    before = len(doc.text)
    ranges = _merge_line_ranges(doc.text, verdicts)
    if inline:
        ranges = sorted(ranges + _glued_ui_ranges(doc.text, verdicts))
    doc.text, spans = cut_spans(doc.text, ranges, stage)
    doc.spans.extend(spans)
    doc.boilerplate_chars += before - len(doc.text)
    if not doc.text.strip():
        return doc.reject(Reason.BOILERPLATE, empty_detail)
    return doc


def repeated_line_verdicts(text: str, verdicts: list[LineVerdict]) -> None:
    """Mark, in place, a kept line that repeats the kept line before it (>= 10 characters; dumps print a lead or
    a caption twice) or that the next line starts with (>= 20 characters; a title cut short, then printed in
    full with the page glued on) as `duplicate_passage`. Whitespace differences don't count."""
    kept = [(v, " ".join(text[v.start : v.end].split())) for v in verdicts if v.reason is None]
    kept = [(v, line) for v, line in kept if line]
    for k, (verdict, line) in enumerate(kept):
        after = kept[k + 1][1] if k + 1 < len(kept) else ""
        if (k and len(line) >= 10 and kept[k - 1][1] == line) or (
            len(line) >= 20 and len(after) > len(line) and after.startswith(line)
        ):
            verdict.reason = Reason.DUPLICATE_PASSAGE


# a page flattened into one line ends with its footer glued on: "...的权利]新手上路...©2024 Baidu ... 京ICP证030173号"
GLUED_FOOTER_MARK = re.compile(r"©|ICP\s*[备证]|公网安备|版权所有|copyright", re.IGNORECASE)
CJK_SENTENCE_END = re.compile(r"[。！？!?」』】\]]")


def glued_footer_start(line: str) -> int | None:
    """Where the footer glued to the end of a long Chinese line starts: a copyright/ICP mark in the line's last
    400 characters, and the last sentence end no more than 200 characters before it; else None."""
    if len(line) < 300 or not is_cjk_line(line):
        return None
    mark = GLUED_FOOTER_MARK.search(line, len(line) - 400)
    if not mark:
        return None
    start = None
    for end in CJK_SENTENCE_END.finditer(line, max(0, mark.start() - 200), mark.start()):
        start = end.end()
    return start


def _glued_ui_ranges(text: str, verdicts: list[LineVerdict]) -> list[tuple[int, int, Reason]]:
    """UI words glued into kept Chinese lines (`glued_ui_runs`), and footers glued to their ends."""
    ranges = []
    for verdict in verdicts:
        if verdict.reason is None and CJK_CHAR.search(text, verdict.start, verdict.end):
            line = text[verdict.start : verdict.end]
            footer = glued_footer_start(line)
            runs = glued_ui_runs(line if footer is None else line[:footer])
            ranges.extend((verdict.start + a, verdict.start + b, Reason.NAV_MENU) for a, b in runs)
            if footer is not None:
                ranges.append((verdict.start + footer, verdict.end, Reason.FOOTER))
    return ranges


def text_boilerplate_stage(doc: Document, config: Config) -> Document:
    """Stage: line and block rules for text dumps; cut lines are recorded as spans (HTML was extracted)."""
    if not config.boilerplate.line_rules or doc.content_type == "html":
        return doc
    verdicts = line_verdicts(doc.text)
    context_verdicts(doc.text, verdicts)
    repeated_line_verdicts(doc.text, verdicts)
    return _cut_lines(doc, verdicts, "boilerplate", "every line was boilerplate", inline=True)


def min_length_stage(doc: Document, config: Config) -> Document:
    """Reject documents with too little text left (CJK characters count double, being denser)."""
    text = doc.text
    share = cjk_share(text[:5000])
    effective = len(text) * (1 + share)
    if effective < config.boilerplate.min_chars:
        return doc.reject(
            Reason.TOO_SHORT, f"{len(text)} characters left (minimum {config.boilerplate.min_chars})"
        )
    return doc
