"""Boilerplate stage: line and block rules for flattened text dumps (also the rules the HTML stage applies
to extracted text).

Text dumps (a crawler already turned each page into lines) carry menus as runs of one-word lines, `|`
separated link bars, breadcrumbs, bylines, buttons and footers. Each rule below names what it removes; a
line is cut as a `Span` with that reason, never silently. Chinese has no spaces, so "short" is measured in
characters for CJK lines and in words for the rest, and sentence punctuation includes `。！？；`.

    >>> clean_lines("Home | News | Sport\\nThe council met on Monday to discuss the budget for next year.")
    'The council met on Monday to discuss the budget for next year.'
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from ..config import Config
from ..document import Document, Reason
from ..text import CJK_CHAR, cut_spans, is_cjk_line, line_offsets
from .prose import SHELL_PROMPT, is_code_sample_line, is_unmistakable_code_line, may_be_unmistakable_code_line

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
# the fair-use notice of sites that repost articles ("In accordance with Title 17 U.S.C. Section 107, this material is
# distributed without profit to those who have expressed a prior interest ..."): the statute and the notice's terms,
# both, so that an article about fair use is not cut
FAIR_USE_CITATION = re.compile(r"\b17\s*U\.?\s?S\.?\s?C\.?\s*(?:Section|Sec\.|§)\s*107\b", re.IGNORECASE)
FAIR_USE_TERMS = re.compile(r"without profit|prior interest in receiving|for research and educational purposes",
                            re.IGNORECASE)
# A publisher's liability disclaimer: it makes no representations as to the accuracy of what it prints, will not
# be liable for errors, does not stand behind the views it hosts ("GMW.cn makes no representations as to
# accuracy, suitability, or validity of any information on this site and will not be liable for any errors",
# "并不代表本网赞同其观点", "搜狐仅提供信息存储空间服务"), and a reposting site's takedown offer ("如有侵权 立马删除",
# "如有版权争议，请联系站长"). An author's "the views expressed are those of the author"
# alone is not matched: article gold texts keep it (scrapinghub-aeb's Sputnik and Moneycontrol pages).
LIABILITY_DISCLAIMER = re.compile(
    r"\bmakes? no (?:representations?|warrant(?:y|ies)|guarantees?)\b[^.]{0,60}?\b(?:accuracy|completeness|"
    r"suitability|validity|reliability)\b|\b(?:will|shall) not be (?:held )?(?:liable|responsible) for any "
    r"(?:errors|omissions|inaccuracies)\b|不代表本(?:网|站|网站|平台|报)\S{0,6}?(?:立场|观点)|仅提供信息存储空间服务|"
    r"(?:观点|内容)仅代表作者(?:本人|个人)?|如有(?:侵权|侵犯|版权(?:问题|争议|疑问))[^。]{0,16}?(?:删除|联系|告知)",
    re.IGNORECASE,
)
# an English disclaimer names the publisher it speaks for (a company in a news story that "will not be liable for
# any errors" is not the page's own notice)
DISCLAIMER_PUBLISHER = re.compile(r"\b(?:this|our) (?:site|website|web site|blog|publication|newspaper)\b|"
                                  r"\b[\w-]+\.(?:com|cn|net|org)\b", re.IGNORECASE)
DISCLAIMER_CUES = ("liable", "responsible", "representation", "warrant", "guarantee", "代表", "存储空间", "如有")
SENTENCE_STOP = re.compile(r"[.!?](?=\s)|[。！？]")


# a cookie banner: the site says it uses cookies and asks for consent (an article about cookies says neither)
COOKIE_USE = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site|this page)\s+(?:uses?|may use|are using)\s+cookies\b|"
    r"\buse of cookies\b|\baccept (?:all )?cookies\b|(?:本网站|本站|我们|网站|本平台)(?:会|将)?(?:使用|采用)\s*cookies?",
    re.IGNORECASE,
)
# what a banner asks or points to: consent, or the privacy policy ("Read our privacy policy to find out more")
COOKIE_CONSENT = re.compile(r"agree|consent|accept|continu|experience|privacy|learn more|find out more|同意|继续|体验|"
                            r"了解更多|隐私", re.IGNORECASE)
# a share bar's label ("分享到：", "Share this:") with at most the networks after it
SHARE_LABEL = re.compile(r"^\W*(?:分享到|分享至|分享给|share (?:this(?: (?:article|story|post|page))?|on|to|via|it))"
                         r"\s*[:：]\s*(?P<rest>.*)$", re.IGNORECASE)
# a link with its label at an article's edge: previous/next article, read more ("上一篇：<title>", "Read more:
# <headline>"). Not "See also:" or "Related:": those sit inside articles (hatnotes, inline links that annotators
# keep), and cut there they make the headings next to them look like boilerplate to the context pass
LINK_LABEL = re.compile(
    r"^\W*(?:上一篇|下一篇|上一条|下一条|上一章|下一章|前一篇|后一篇|上一页|下一页|延伸阅读|推荐阅读|"
    r"previous(?: (?:post|article|story|page|entry))?|next(?: (?:post|article|story|page|entry))?|read (?:more|next|also))"
    r"\s*[:：]\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
LINK_TEXT_END = re.compile(r"[.。!！;；]\s*$")

# a pager: links to the neighbouring pages or posts, and page numbers, with nothing else on the line ("<< 上一页 |
# 下一页 >>", "« Previous Post Next Post »", "Next story", "1 2 3 ... Next »"). A pager word alone ("Next") is a
# button already; here it needs an arrow, a second pager word, a Chinese one or a noun ("Next Steps" is a heading;
# page numbers alone do not count: "Last 5")
PAGER_NOUN = r"(?:posts?|articles?|stor(?:y|ies)|pages?|entr(?:y|ies)|chapter|image|photo|slide)"
PAGER_WORD = (r"(?:上一页|下一页|上一篇|下一篇|上一章|下一章|上页|下页|首页|尾页|末页|前一页|后一页|"
              rf"(?:previous|prev|next|older|newer|first|last)(?:\s+{PAGER_NOUN})?)")
PAGER_GLUE = r"[\s|｜/·•<>«»‹›←→\[\]【】()（）:：-]*"
PAGER_LINE = re.compile(rf"^{PAGER_GLUE}(?:(?:{PAGER_WORD}|\d{{1,4}}|…|\.\.\.){PAGER_GLUE})+$", re.IGNORECASE)
PAGER_MARK = re.compile(rf"[<>«»‹›←→]|[\u4e00-\u9fff]|\s{PAGER_NOUN}\b", re.IGNORECASE)
PAGER_WORDS = re.compile(PAGER_WORD, re.IGNORECASE)


def is_pager(line: str) -> bool:
    """Links to the previous and next page or post (and page numbers), nothing else; see PAGER_LINE."""
    if len(line) > 80 or PAGER_LINE.match(line) is None:
        return False
    words = PAGER_WORDS.findall(line)
    return bool(words) and (len(words) >= 2 or PAGER_MARK.search(line) is not None)


def is_cookie_notice(line: str) -> bool:
    return len(line) <= 400 and COOKIE_USE.search(line) is not None and COOKIE_CONSENT.search(line) is not None


def is_share_label(line: str) -> bool:
    match = SHARE_LABEL.match(line)
    return match is not None and len(match.group("rest")) <= 40 and not SENTENCE_PUNCT.search(match.group("rest"))


def is_labelled_link(line: str) -> bool:
    """A label, then at most a headline: a title is short and does not end like a sentence."""
    match = LINK_LABEL.match(line)
    if match is None:
        return False
    rest = match.group("rest").strip()
    short = len(rest) <= 50 if is_cjk_line(rest) else len(rest.split()) <= 16
    return bool(rest) and short and not LINK_TEXT_END.search(rest)


FOOTER_LOWER = re.compile(FOOTER.pattern.lower())  # for lowercased text (see footer_candidate_lines)
# a site's copyright line: it opens with the mark and a year or a name and reserves the rights; what follows it on
# the line (terms of use, a disclaimer, trademarks) is legal text of the same footer, however long it runs
# (the mark, or the word or "(c)" with a year: "(c) the parties..." opens an item of a contract)
COPYRIGHT_LEAD = re.compile(r"(?:copyright\s*)?(?:©|\(c\)\s*\d{4}\b)|copyright\s+\d{4}\b")
RIGHTS_RESERVED = re.compile(r"all rights reserved|版权所有")


def is_copyright_line(lowered: str) -> bool:
    """A site's copyright line (`COPYRIGHT_LEAD`, then the rights reserved), of a lowercased line."""
    return COPYRIGHT_LEAD.match(lowered) is not None and RIGHTS_RESERVED.search(lowered) is not None
BYLINE = re.compile(
    r"^[|｜]?\s*(\(?[\w .]{1,30}\)?\s*)?(updated|published|posted|last modified|source|author|by|editor|发布时间|"
    r"更新时间|时间|来源|作者|编辑|责任编辑|记者|稿源|发布日期|日期|发布|来自|浏览次数|浏览|阅读|点击)\s*[:：]",
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
# a date with its time on a line of its own, as blogs and comments print it: "September 19th, 2005 at 7:32 pm",
# "Saturday, September 10th, 2005 10:56 am", "19 September 2005, 19:32", "2005年08月30日, 星期二 13:22"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATE_TIME_LINE = re.compile(
    rf"^[\s(（\[]*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|"
    r"\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:[,，]?\s*(?:星期[一二三四五六日天]|周[一二三四五六日])?\s*(?:at\s+|@\s*)?"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)?[\s)）\]]*$",
    re.IGNORECASE,
)
# a line that says when the page was published or updated, and nothing else: "Published 7:07 PM EST Nov 19, 2019",
# "First published on November 19, 2019 / 8:16 AM", "Updated 1909 GMT (0309 HKT) November 18, 2019",
# "Last modified on Mon 18 Nov 2019 18.56 GMT" (a date or a time in it; no author: "Posted by Anna at..." is a post's
# own line, tried as a byline and not kept; no function word: "Updated guidance arrives on 3 May 2020 for the...")
PUBLISH_LINE = re.compile(
    r"^(?:(?:first |last |originally )?(?:published|updated|posted|modified))(?:\s+(?:on|at))?\s*:?\s+"
    rf"(?!.*\b(?:by|in|the|an?|and|of|to|is|was|were|will|for|with)\b)(?=.*(?:\b{_MONTH}|\d{{1,2}}[:.]\d{{2}}|\b(?:19|20)\d{{2}}\b|\d\s*[ap]\.?m\b|\bago\b))",
    re.IGNORECASE,
)
PUBLISH_LINE_MAX_CHARS = 100
PUBLISH_WORDS = ("first ", "last ", "originally ", "published", "updated", "posted", "modified")
# a byline that is only the word and a name of two to five words ("By Tina Cassidy", "Por Shira Ovide", "by John M."):
# one capitalised word alone is a heading ("By Train", "By Car")
NAME_BYLINE = re.compile(r"^(?:[Bb]y|BY|[Pp]or|[Pp]ar|[Vv]on|[Dd]oor)\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|and|&)){1,4}$")
# a prompt to click ("点击看大图", "点击阅读更多精彩财经新闻", "Click here to subscribe", "Click to enlarge"): a link's label
CLICK_PROMPT = re.compile(r"^[\[【(（]?\s*(?:点击(?![率量数])|click(?:\s+here)?\s+(?:to|for)\b)", re.IGNORECASE)


def is_click_prompt(line: str) -> bool:
    if CLICK_PROMPT.match(line) is None:
        return False
    return len(line) <= 20 if is_cjk_line(line) else len(line.split()) <= 8 and not line.endswith(".")


# a link's label with its arrow, on a line of its own: "View All Stories »", "More News ›", "Sign me up →",
# "Read on-line>>" (at most 8 words and 60 characters; not a quotation in guillemets, "Les « boîtes noires »")
LINK_ARROW = re.compile(r"^[^«‹»›→]{2,60}?\s*(?:»|›|→|>>)$")
LINK_ARROW_MAX_WORDS = 8


def is_link_arrow(line: str) -> bool:
    return (line.endswith(("»", "›", "→", ">>")) and LINK_ARROW.match(line) is not None
            and len(line.split()) <= LINK_ARROW_MAX_WORDS)


# a view or read counter on its own line ("653,817 VIEWS", "阅读 1,038", "浏览量：2万", "1.2k reads")
VIEW_COUNTER = re.compile(
    r"^(?:\d[\d,.]*\s*[kKmMwW万]?\s*(?:views?|reads?|次浏览|次阅读|人阅读|人浏览|浏览|阅读|点击)|"
    r"(?:views?|reads?|浏览|阅读|点击|浏览量|阅读量|点击量|浏览次数|阅读次数)\s*[:：]?\s*\d[\d,.]*\s*[kKmMwW万]?\s*次?)$",
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
MARKUP_START = re.compile(r"^(?:<!--|<!\[|\[if |\[endif\]|</?[a-zA-Z][\w:.-]*(?:\s|/?>|$))")
# a conditional comment of IE and Word pages (`<!--[if !supportLists]-->`, `<![endif]>`) whose `<!--` and `-->` a
# text dump lost: "[if !supportLists]§ Prepare a talk", "[endif]"; its condition is the comment syntax's (IE, mso,
# vml, Word's support* features, with !, lt/lte/gt/gte, & and |), so a bracketed "[if you ask me]" is not one
CONDITIONAL_COMMENT = re.compile(
    r"(?:<!(?:--)?)?\[if\s+!?\(?\s*(?:(?:lt|lte|gt|gte)\s+)?(?:IE|mso|vml|ppt|pub|support[A-Z]\w*)\b[^\]\n]{0,30}\]"
    r"(?:-->|>)?(?:<!)?(?:-->)?|(?:<!(?:--)?)?\[endif\](?:--)?>?"
)
MARKUP_TOKEN = re.compile(
    r"<!--|-->|" + CONDITIONAL_COMMENT.pattern + r"|</?[a-zA-Z][\w:.-]*(?:\s[^<>]*)?/?>|&nbsp;|<!\[CDATA\[|\]\]>"
    r"|(?<=>)<[a-zA-Z][\w:.-]*\s*$"  # (a tag the dump cut off at the line's end, after markup: "[if IE 9]><video")
)
# the attributes of a tag the dump split over lines ('style="display:inline-block"', 'data-ad-slot="46"></ins>')
TAG_ATTRIBUTES_LINE = re.compile(
    r"""^(?:<[a-zA-Z][\w:-]*\s+)?(?:[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*')\s*)+(?:/?>)?(?:</[a-zA-Z][\w:-]*>)?$"""
)
# a template's comment naming the block it opens or closes (".comment-meta", "close #wrapper", "/.entry-byline")
# (lower-case names only: ".NET" or "#MeToo" on a line of its own is text)
CSS_SELECTOR_LINE = re.compile(r"^(?:/{1,2}|(?i:end(?: of)?|close))?\s*[.#][a-z][a-z0-9]*(?:[-_][a-z0-9]+)*"
                               r"(?:\s+[.#][a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)*$")
# a site's own reprint and copyright notice: the site names itself (本网, 本站, 本报...), speaks of reprints or
# copyright, and claims or disclaims ("凡本网注明“来源：XX”的作品，版权均属于...未经本网授权不得转载"), however long
# the line; a news line about copyright ("本报记者从版权局获悉") makes no claim
SITE_SELF = re.compile(r"本(?:网|站|报|社|刊|台|平台)")
RIGHTS_TOPIC = re.compile(r"转载|版权|著作权|摘编|侵权")
RIGHTS_CLAIM = re.compile(r"未经|不得|禁止|严禁|追究|均属|归.{0,20}所有|不代表|授权")


# the English kinds: a reproduction notice ("The material on this site may not be reproduced, distributed...
# except with the prior written permission of...") and a sign-up form's consent line ("By clicking Subscribe, I
# agree to the Terms of Use...")
NOT_BE_COPIED = r"(?:may|must|shall|can)\s*not\s+be\s+(?:\w+,?\s+){0,6}?(?:reproduced|republished|redistributed|copied)\b"
REPRODUCTION_NOTICE = re.compile(
    # the notice names the site or material it guards, or the permission it takes ("the letters may not be
    # reproduced in the book" is a sentence of an article)
    rf"\b(?:this|the|our|its)\s+(?:material|content|site|website|article|publication|page)s?\b.{{0,40}}?{NOT_BE_COPIED}"
    rf"|\b{NOT_BE_COPIED}.{{0,150}}\b(?:permission|consent|authori[sz]ation|copyright holder)"
    r"|\bno part of (?:this|the) (?:site|website|publication|material|content)\b"
    r"|\b(?:reproduction|redistribution|republication)\b.{0,120}\bwithout\b.{0,40}\bpermission\b",
    re.IGNORECASE,
)
CONSENT_LINE = re.compile(
    r"^by (?:clicking|checking|submitting|registering|signing up|subscribing|continuing|creating|using|entering)\b"
    r".{0,200}\b(?:agree|consent|accept|acknowledge)",
    re.IGNORECASE,
)


# a newsletter sign-up box ("Sign up for free newsletters and get more CNBC delivered to your inbox") and a
# comment form's gate or notice ("You must login or create an account to comment.", "This site uses Akismet to
# reduce spam."): page furniture around an article, kept by no annotator of the gold texts but four (newsletters)
NEWSLETTER_ASK = re.compile(r"\b(?:sign(?:ing)?[ -]?up|subscrib(?:e|ing)|join)\b", re.IGNORECASE)
NEWSLETTER_WHAT = re.compile(r"\b(?:newsletters?|inbox|mailing list|e-?mail (?:alerts|updates)|via e-?mail)\b",
                             re.IGNORECASE)
COMMENT_FORM = re.compile(
    r"\b(?:log ?in|sign ?in|register|create an account)\b.{0,60}\b(?:comment|reply)"
    r"|\b(?:post|add|leave|write) (?:a |your )?(?:comment|reply)\b.{0,40}\b(?:log ?in|sign ?in|register)\b"
    r"|email address will not be published|\bakismet\b|comment data is processed",
    re.IGNORECASE,
)


SIGNUP_TERMS = ("comment", "reply", "akismet", "newsletter", "inbox", "mail")  # one of them in every match


def is_signup_prompt(line: str) -> bool:
    """A newsletter sign-up line or a comment form's gate (at most 40 words: a paragraph that mentions a
    newsletter is text)."""
    if not (NEWSLETTER_ASK.search(line) and NEWSLETTER_WHAT.search(line)) and not COMMENT_FORM.search(line):
        return False
    return len(WORD.findall(line)) <= 40


def is_site_rights_notice(line: str) -> bool:
    """A Chinese site's own reprint or copyright notice (see SITE_SELF, RIGHTS_TOPIC, RIGHTS_CLAIM)."""
    return bool(SITE_SELF.search(line) and RIGHTS_TOPIC.search(line) and RIGHTS_CLAIM.search(line))


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
PIPE_CHARS = "|｜¦•·"
PIPE_SEP = re.compile(rf"\s*[{PIPE_CHARS}]\s*")


def is_short_line(line: str) -> bool:
    """A line too short to be a sentence: <= 8 characters of CJK, or <= 3 words otherwise."""
    stripped = line.strip()
    if is_cjk_line(stripped):
        return len(stripped) <= 8
    return len(stripped) <= 30 and len(WORD.findall(stripped)) <= 3


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
    """A line of at most 12 words, all social networks or share verbs, naming at least one network; or of at most
    6 words, at least half of them (and two or more) networks, without punctuation or function words."""
    lowered = line.lower()
    if not any(network in lowered for network in SHARE_NETWORKS):
        return False  # (the same answer as below, without splitting the line into words)
    words = [w.lower() for w in SHARE_WORD.findall(line)]
    networks = sum(w in SHARE_NETWORKS for w in words)
    if (networks >= 2 and len(words) <= 6 and 2 * networks >= len(words) and not SENTENCE_PUNCT.search(line)
            and not any(w in PROSE_WORDS for w in words)):
        # share buttons labelled in a language the list lacks ("Whatsapp Facebook Pint Baixar"); a heading that
        # names networks has a function word ("Facebook and Twitter fined")
        return True
    return (0 < len(words) <= 12 and networks > 0
            and all(w in SHARE_WORDS for w in words))


def is_image_credit(line: str) -> bool:
    """A photo credit line: a credit label, then a short name or agency that does not end like a sentence."""
    stripped = line.strip()
    return (
        bool(IMAGE_CREDIT.match(stripped))
        and len(WORD.findall(stripped)) <= 16
        and not re.search(r"[.!?。！？]\s*$", stripped)
    )


# the label of a news page's summary box on a line of its own (核心提示：the lead follows on the next line); the
# summary stays. Not 编者按 or 摘要: an editor's note and an abstract are kept with the article
SUMMARY_BOX_LABEL = re.compile(r"^(?:核心提示|内容提要|本文导读)\s*[:：]?$")
# a line of nothing but two or more short bracketed labels: a row of page buttons ("【打印】【关闭】", "[Print]
# [Email] [Share]"), whatever the words; a bracketed tag before a headline has text after it and stays
BRACKETED_LABELS = re.compile(r"^(?:\s*[【\[]\s*[^\]】\s][^\]】]{0,11}\s*[】\]]\s*[|·/]?){2,}$")


def classify_line(line: str) -> Reason | None:
    """The boilerplate reason for one line on its own, or None when the line may be content."""
    # menus and footers repeat across a site's pages: each line is classified once. Only lines of up to
    # CLASSIFY_CACHE_MAX_CHARS are kept: 65,536 long lines of prose (Chinese paragraphs are lines of kilobytes)
    # would hold hundreds of MB, and such lines seldom come again
    if len(line) > CLASSIFY_CACHE_MAX_CHARS:
        return _classify_line(line)
    return _classify_line_cached(line)


CLASSIFY_CACHE_MAX_CHARS = 1000


def _classify_line(line: str) -> Reason | None:
    stripped = line.strip()
    if not stripped:
        return None
    lowered = stripped.lower()
    if ONLY_SYMBOLS.match(stripped):
        return Reason.SEPARATOR
    if SERVER_ERROR.match(stripped):
        return Reason.ERROR_MESSAGE
    if ("=" in stripped and (TAG_ATTRIBUTES_LINE.match(stripped) or (
            "[endif]" in stripped and TAG_ATTRIBUTES_LINE.match(CONDITIONAL_COMMENT.sub("", stripped))))) or (
            stripped[0] in "./#ceCE" and CSS_SELECTOR_LINE.match(stripped)):
        return Reason.MARKUP
    if MARKUP_START.match(stripped):
        # only tags, or a line of HTML source whose tags outweigh its text ('<a href="/news/list?id=3">News</a>')
        outside = MARKUP_TOKEN.sub("", stripped).strip(" \t§·|-")
        if not outside or (stripped.endswith(">") and len(outside) <= 0.4 * len(stripped)):
            return Reason.MARKUP
    if (lowered in BUTTONS or lowered.strip("[]【】()（）") in BUTTONS or is_share_line(stripped)
            or BRACKETED_LABELS.match(stripped) or SUMMARY_BOX_LABEL.match(stripped)):
        return Reason.BUTTON
    # (each rule behind a substring test it cannot match without: these run on every line of every dump)
    if "107" in stripped and len(stripped) <= 800 and FAIR_USE_CITATION.search(stripped) and \
            FAIR_USE_TERMS.search(stripped):
        return Reason.FOOTER  # a reposting site's fair-use notice, however long its sentence
    if "cookie" in lowered and is_cookie_notice(stripped):
        return Reason.FOOTER
    if any(term in lowered for term in SIGNUP_TERMS) and is_signup_prompt(stripped):
        return Reason.BUTTON
    if "本" in stripped and is_site_rights_notice(stripped):
        return Reason.FOOTER
    if (("not be" in lowered or "no part of" in lowered or "without" in lowered)
            and REPRODUCTION_NOTICE.search(stripped)) or (lowered.startswith("by ") and CONSENT_LINE.match(stripped)):
        return Reason.FOOTER
    if ("share" in lowered or "分享" in stripped) and is_share_label(stripped):
        return Reason.BUTTON
    if (":" in stripped or "：" in stripped) and is_labelled_link(stripped):
        return Reason.RELATED_LINKS
    if is_pager(stripped):
        return Reason.BUTTON
    cjk = is_cjk_line(stripped)
    # (as FOOTER.search(stripped), 8x faster: IGNORECASE slows the alternation down; the words are counted only
    # for a line it matches)
    if FOOTER_LOWER.search(lowered):
        words = len(WORD.findall(stripped))
        short_enough = len(stripped) <= 120 if cjk else words <= 25
        if (short_enough or is_copyright_line(lowered)) and not (
            # a sentence that merely mentions "powered by" or a privacy policy is prose ("And its test suite,
            # powered by Mocha and Chai:"); only copyright/ICP marks make a sentence a footer
            (len(stripped) > 60 or (not cjk and words >= 8))
            and SENTENCE_END.search(stripped)
            and not re.search(r"©|ICP|备案|版权|rights reserved", stripped, re.I)
        ):
            return Reason.FOOTER
    if (":" in stripped or "：" in stripped) and BYLINE.match(stripped) and len(stripped) <= (40 if cjk else 80) \
            and not SENTENCE_QUESTION.search(stripped):  # (every BYLINE match ends in a colon)
        return Reason.BYLINE
    if DATE_ONLY.match(stripped) or RELATIVE_TIME.match(stripped) or VIEW_COUNTER.match(stripped):
        return Reason.BYLINE
    if DIGIT.search(stripped) and DATE_TIME_LINE.match(stripped):
        return Reason.BYLINE
    if is_click_prompt(stripped) or is_link_arrow(stripped):
        return Reason.BUTTON
    if len(stripped) <= PUBLISH_LINE_MAX_CHARS and lowered.startswith(PUBLISH_WORDS) and PUBLISH_LINE.match(stripped):
        return Reason.BYLINE
    if NAME_BYLINE.match(stripped) and len(stripped) <= 40:
        return Reason.BYLINE
    if is_image_credit(stripped):
        return Reason.BYLINE
    if RELATED_HEADING.match(stripped):
        return Reason.RELATED_LINKS
    if (
        re.search(r"(>|»|›|→|＞)", stripped)
        and not re.search(r"[<=]", stripped)  # "x < y and y > z", "a => b": code and maths, not a trail
        and 2 <= len(parts := [p for p in BREADCRUMB_SEP.split(stripped) if p and not BREADCRUMB_SEP.fullmatch(p)]) <= 8
        and all(len(p) <= 30 for p in parts)
        and not has_sentence_shape(stripped.rstrip(">»›→＞ "))
    ):
        return Reason.BREADCRUMB
    if not any(c in stripped for c in PIPE_CHARS):
        return None  # one item: no menu (the split below is the costlier test)
    items = [p for p in PIPE_SEP.split(stripped) if p]
    if len(items) >= 3 and sum(1 for p in items if is_short_line(p)) >= 0.8 * len(items):
        return Reason.NAV_MENU
    return None


_classify_line_cached = lru_cache(maxsize=65536)(_classify_line)


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
    # once for every line: a run only ever changes the reasons of lines before the next one looked at
    candidate = [_menu_candidate(text, v) for v in verdicts]
    i = 0
    while i < n:
        if not candidate[i]:
            i += 1
            continue
        j = i
        members = []
        while j < n and (
            candidate[j]
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
    "il di che è per non una della "
    "yang dan di ini itu dengan untuk dari dalam tidak ke akan pada juga adalah karena atau "
    "os as do da em um uma não com por no na dos das ao "
    "het een van op te niet zijn voor dat ook maar "
    "и в не на что с по как это к у из за от же о для".split()
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
    prose = sum(map(PROSE_WORDS.__contains__, words)) / len(words)
    if len(words) >= GOOD_MIN_WORDS and (prose >= GOOD_PROSE or (prose >= GOOD_PROSE / 2 and SENTENCE_END.search(stripped))):
        return GOOD
    return NEUTRAL


# a sentence ending inside a line, the next one starting: "excellence. The new layout"
INNER_SENTENCE_END = re.compile(r"[a-z]{2}[.!?][\"”’)]?\s+[A-Z]")


def unit_quality(lines: list[str]) -> str:
    """`line_quality` of a hard-wrapped paragraph (its lines joined). Its last line often stops mid-sentence (a
    teaser cut off with "... more", a paragraph the page broke), so a sentence ending inside it counts as one at
    its end: the function-word share needed then is the lower one, as for a line ending a sentence."""
    joined = " ".join(lines)
    quality = line_quality(joined)
    if quality == NEUTRAL and len(lines) >= 2 and INNER_SENTENCE_END.search(joined):
        words = WORD.findall(joined.lower())
        if len(words) >= GOOD_MIN_WORDS and sum(map(PROSE_WORDS.__contains__, words)) >= GOOD_PROSE / 2 * len(words):
            return GOOD
    return quality


WRAP_CONTINUES = re.compile(r"^[a-z]")  # a hard-wrapped sentence goes on in lower case on the next line
WRAP_ENDS = re.compile(r"[.!?:;。！？：；]\s*$")


def _wrapped_units(lines: list[str], verdicts: list[LineVerdict]) -> list[int]:
    """For each line (stripped, one per verdict), the index of the first line of its unit: the lines of one
    hard-wrapped paragraph (a line that does not end a sentence, followed by one that goes on in lower case) form
    one unit, judged as a whole. A dump of blocks (one per line) has few such lines; a text file wrapped at 72
    columns has many, and judged line by line its sentences came out as short neutral lines and were cut as
    `off_content`."""
    unit = list(range(len(verdicts)))
    for i in range(1, len(verdicts)):
        previous, line = lines[i - 1], lines[i]
        if (previous and line and verdicts[i - 1].reason is None and verdicts[i].reason is None
                and not WRAP_ENDS.search(previous) and WRAP_CONTINUES.match(line)):
            unit[i] = unit[i - 1]
    return unit


# A forum or download listing: rows of post titles, each with its author, time, size and reply/view counts
# ("作者 2021-03-30 回复 12 查看 345", "12 replies · 345 views · 2 hours ago", "1.2 MB 2021-03-30 下载 88").
COUNT_FIELD = re.compile(  # (the count may stand in brackets: "回复(0)", "Comments (5)")
    r"(?:回复|回帖|查看|浏览|阅读|点击|评论|人气|下载|引用|replies|views|reads|comments|hits|downloads|trackbacks?)"
    r"\s*[:：]?\s*[(（\[]?\s*\d[\d,.]*\s*[kKwW万]?\s*[)）\]]?|\d[\d,.]*\s*[kKwW万]?\s*(?:次|个|条)?\s*(?:回复|回帖|查看|浏览|阅读|点击|评论|下载|"
    r"replies|reply|views|view|reads|comments|comment|hits|downloads)\b",
    re.IGNORECASE,
)
SIZE_FIELD = re.compile(r"\b\d+(?:\.\d+)?\s*(?:[KMGT]i?B|[KMG])\b", re.IGNORECASE)
TIME_FIELD = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?|"
    r"\d+\s*(?:秒|分钟|小时|天|周|个月|年)前|\b\d+\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b|昨天|前天|今天",
    re.IGNORECASE,
)
RATIO_FIELD = re.compile(r"\b\d+\s*/\s*\d+\b")  # replies/views: "12/345"
DIGIT = re.compile(r"\d")
LISTING_GLUE = re.compile(r"[\s|/·•,，;；:：()（）\[\]【】\-–—]+")
LISTING_MIN_ROWS = 3


def is_listing_meta(line: str) -> bool:
    """The meta part of a listing row: at least two fields (a count, a size, a time, replies/views), and besides
    them at most an author's name (16 characters); never a sentence."""
    if len(line) > 120 or not DIGIT.search(line) or SENTENCE_QUESTION.search(line):
        return False  # every count, size and ratio has a digit
    rest, times = TIME_FIELD.subn(" ", line)  # times first: "2021-03-30 下载" holds no count "30 下载"
    counts = 0
    for pattern in (SIZE_FIELD, COUNT_FIELD, RATIO_FIELD):
        rest, found = pattern.subn(" ", rest)
        counts += found
    return counts >= 1 and times + counts >= 2 and len(LISTING_GLUE.sub("", rest)) <= 16


def listing_verdicts(text: str, verdicts: list[LineVerdict]) -> None:
    """Mark, in place, the rows of a listing as `listing`: at least LISTING_MIN_ROWS meta lines (`is_listing_meta`)
    with at most two title lines (short, not sentences) before each, one after the other. An article that gives
    one post's date and counts has one such line, not a run."""
    lines = [(i, text[v.start : v.end].strip()) for i, v in enumerate(verdicts)]
    lines = [(i, line) for i, line in lines if line]
    meta = [k for k, (_, line) in enumerate(lines) if is_listing_meta(line)]
    is_meta = set(meta)
    runs: list[list[int]] = []
    for k in meta:
        gap = lines[runs[-1][-1] + 1 : k] if runs else None
        if gap is not None and len(gap) <= 2 and all(
                line_quality(line) != GOOD and not SENTENCE_END.search(line) for _, line in gap):
            runs[-1].extend(range(runs[-1][-1] + 1, k + 1))
        else:
            runs.append([k])
    for run in runs:
        if sum(1 for k in run if k in is_meta) < LISTING_MIN_ROWS:
            continue
        first = run[0]
        # the title lines of the first row sit before its meta line
        while first > run[0] - 2 and first > 0 and line_quality(lines[first - 1][1]) != GOOD and not SENTENCE_END.search(
                lines[first - 1][1]) and not is_listing_meta(lines[first - 1][1]):
            first -= 1
        for k in range(first, run[-1] + 1):
            verdict = verdicts[lines[k][0]]
            if verdict.reason is None:
                verdict.reason = Reason.LISTING


# a "recent comments" widget row: a commenter's name, a colon, the comment's opening words cut short
COMMENT_WIDGET_ROW = re.compile(r"^[^\s:][^:]{1,30}: \S.{3,90}(?:»|…|\.\.\.)$")
# the source under a sponsored or syndicated headline: a publisher's name of one to four capitalised words
TEASER_SOURCE = re.compile(r"^(?:[A-Z][\w&'.-]*)(?: [A-Z][\w&'.-]*){0,3}$")
# a related-story row: a bullet, a headline, and the story's date or time in brackets at the end
DATED_HEADLINE_ROW = re.compile(
    r"^[·•▪◦*-]\s*\S.{3,80}?\s*[(（\[]\s*(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2})"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?)?\s*[)）\]]$"
)
WIDGET_MIN_ROWS = 3


def widget_verdicts(text: str, verdicts: list[LineVerdict]) -> None:
    """Mark, in place, the rows of three widgets as `related_links`: a recent-comments list (three or more
    `Name: the comment's first words »` lines in a row), a related-stories list (three or more `· headline
    (2005-04-27 14:32)` rows) and a sponsored or syndicated headline list (three or more rows of a headline
    line followed by its publisher's name: "Business Insider", "Yahoo Finance")."""
    lines = [(i, line) for i, v in enumerate(verdicts)
             if v.reason is None and (line := text[v.start : v.end].strip())]
    marked: list[int] = []
    run: list[int] = []
    for pattern in (COMMENT_WIDGET_ROW, DATED_HEADLINE_ROW):
        for i, line in lines + [(-1, "")]:
            if pattern.match(line):
                run.append(i)
                continue
            if len(run) >= WIDGET_MIN_ROWS:
                marked += run
            run = []
    k = 0
    while k + 1 < len(lines):
        rows = 0
        j = k
        while j + 1 < len(lines) and _teaser_row(lines[j][1], lines[j + 1][1]):
            rows += 1
            j += 2
        if rows >= WIDGET_MIN_ROWS:
            marked += [lines[m][0] for m in range(k, j)]
            k = j
        else:
            k += 1
    for i in marked:
        verdicts[i].reason = Reason.RELATED_LINKS


def _teaser_row(headline: str, source: str) -> bool:
    """A headline (4 to 20 words, no sentence end but a question) over a publisher's name (not a headline's
    first words: at most four words, and shorter than a third of the headline)."""
    words = headline.split()
    return (
        4 <= len(words) <= 20
        and (not SENTENCE_END.search(headline) or headline.endswith(("?", '"', "”")))
        and len(source) <= 30
        and 3 * len(source) < len(headline)
        and TEASER_SOURCE.match(source) is not None
    )


# A menu printed again without its separators ("Bookshop Donate Radio Nizkor" at a page's foot): four to eight
# capitalised words, nothing else, not one function word. jusText keeps a neutral line near prose; such a line is
# judged as a short one (kept as a heading right before prose or between prose lines, cut elsewhere).
SEPARATORLESS_MENU = re.compile(r"(?:[A-Z][a-z]+ ){3,7}[A-Z][a-z]+")


def is_separatorless_menu(line: str) -> bool:
    return SEPARATORLESS_MENU.fullmatch(line) is not None and not any(w in PROSE_WORDS for w in line.lower().split())


# how far from a page's first and last non-blank line its furniture is looked for (chosen on the tune halves: 10
# and more leave every text-dump page part as it was, 7 and fewer switch the pass off for a tune page whose
# first cut line is its eighth; of those, 10 loses the fewest clean characters)
FURNITURE_EDGE_LINES = 10


def _furniture_at_an_edge(stripped: list[str], verdicts: list[LineVerdict]) -> bool:
    """A line rule cut one of the first or last FURNITURE_EDGE_LINES non-blank lines (`stripped`: the lines,
    stripped; a line of symbols alone does not count): menus, headers and footers sit at a page's edges."""
    nonblank = [v for v, line in zip(verdicts, stripped, strict=True) if line]
    edges = nonblank[:FURNITURE_EDGE_LINES] + nonblank[-FURNITURE_EDGE_LINES:]
    return any(v.reason is not None and v.reason is not Reason.SEPARATOR for v in edges)


def context_verdicts(text: str, verdicts: list[LineVerdict], max_gap: int = 2) -> None:
    """Mark short and neutral lines that sit away from prose as `off_content`, in place (jusText's
    context-sensitive pass, on lines): a line between prose lines is kept; a neutral line within `max_gap`
    lines of prose is kept; a short line is kept only right before prose (a heading) or between prose lines.
    The lines of a hard-wrapped paragraph are classed together (`_wrapped_units`).
    Does nothing to a document without any prose line (a list page is not for us to judge here); a prose line
    that a line rule cut (a cookie banner, a footer sentence) counts: a page whose only prose is boilerplate is
    not a list page. Does nothing either to a text in which no line rule found anything (no menu, button, footer,
    byline, listing...): that is a clean text, an article saved on its own, and the pass would only cut its
    headings, lists and datelines (on the clean-text benchmark, documents losing more than 10%: tune 14 -> 10,
    check 17 -> 14; the dump benchmark, where every page has some furniture, is unchanged). A line of symbols
    alone ("_____", "* * *") does not count as furniture: plain-text articles rule off their sections so (clean
    characters lost: tune 4.93% -> 4.90%, check 2.32% -> 2.19%; dump F1 zh tune +0.0005, the rest level).
    And the furniture must sit near the text's start or end (`_furniture_at_an_edge`): a page has its menus and
    footer there, while an article's lists and tables that a line rule takes for a menu sit inside it (clean
    documents losing >10%: tune 13 -> 11, check 9 -> 7; characters lost tune 4.90% -> 2.94%, check 2.19% ->
    1.81%; text-dump F1 identical on both halves)."""
    stripped = [text[v.start : v.end].strip() for v in verdicts]
    if not _furniture_at_an_edge(stripped, verdicts):
        return
    units = _wrapped_units(stripped, verdicts)
    joined: dict[int, list[str]] = {}
    for i, line in enumerate(stripped):
        joined.setdefault(units[i], []).append(line)
    # a blank line is a unit of its own (`_wrapped_units` joins only non-blank lines) and is never classed
    quality = {u: unit_quality(lines) for u, lines in joined.items() if lines[0]}
    kinds: list[str | None] = []
    for i, v in enumerate(verdicts):
        if not stripped[i]:
            kinds.append(None)
        elif v.reason is not None:
            kinds.append(BAD)
        elif quality[units[i]] == NEUTRAL and is_separatorless_menu(stripped[i]):
            kinds.append(SHORT)
        else:
            kinds.append(quality[units[i]])
    if not any(quality[units[i]] == GOOD for i, line in enumerate(stripped) if line):
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
    announced = _announced_rows(stripped, kinds, prev_class) | _table_rows(stripped, kinds)
    # nonblank[i]: non-blank lines before line i (counting the lines between two others in constant time: a
    # long run of short lines away from prose made this pass quadratic)
    nonblank = [0] * (n + 1)
    for i, kind in enumerate(kinds):
        nonblank[i + 1] = nonblank[i] + (kind is not None)
    for i, kind in enumerate(kinds):
        if kind not in (SHORT, NEUTRAL) or i in announced:
            continue
        (above, a), (below, b) = prev_class[i], next_class[i]
        if above == GOOD and below == GOOD:
            continue
        nonblank_to_next = nonblank[b] - nonblank[i + 1]
        nonblank_from_prev = nonblank[i] - nonblank[a + 1] if a >= 0 else i
        if kind == NEUTRAL and ((below == GOOD and nonblank_to_next < max_gap)
                                or (above == GOOD and nonblank_from_prev < max_gap)):
            continue
        if kind == SHORT and below == GOOD and nonblank_to_next == 0:
            continue  # a heading right before the text it introduces
        verdicts[i].reason = Reason.OFF_CONTENT


ANNOUNCES = re.compile(r"[:：]\s*$")
ANNOUNCED_MAX_ROWS = 60


def _announced_rows(lines: list[str], kinds: list[str | None], prev_class: list[tuple[str, int]]) -> set[int]:
    """Lines of a list that the article announces: a line ending in a colon, itself prose or right after a
    prose line ("The tour's dates:", "You will need:"), then the run of short and neutral lines after it (up
    to the next blank, prose or cut line). Such a list belongs to the article however far it runs from prose."""
    rows: set[int] = set()
    for i, kind in enumerate(kinds):
        if kind not in (GOOD, NEUTRAL) or not ANNOUNCES.search(lines[i]):
            continue
        above, a = prev_class[i]
        if kind != GOOD and not (above == GOOD and all(k is None for k in kinds[a + 1 : i])):
            continue
        j = i + 1
        while j < len(kinds) and kinds[j] in (SHORT, NEUTRAL) and j - i <= ANNOUNCED_MAX_ROWS:
            rows.add(j)
            j += 1
    return rows


# what a line rule or the context pass may have cut in a code sample: a lone brace (separator), a shell line with
# ">" (breadcrumb), a run of short config lines (menu), a line away from prose
CODE_SAMPLE_RESTORES = frozenset({Reason.SEPARATOR, Reason.BREADCRUMB, Reason.NAV_MENU, Reason.OFF_CONTENT})
CODE_SAMPLE_MIN_LINES = 2


def announced_code_verdicts(text: str, verdicts: list[LineVerdict]) -> None:
    """Keep, in place, a code sample the article announces: a kept line of two words or more ending in a colon
    ("Then edit the configuration for dev-repo:"), then two or more lines of code, configuration or data
    (`is_code_sample_line`: `$ hg push`, `[extensions]`, `{`, `"ETag": "..."`) up to the next blank line or
    other line, one of them unmistakably code (`is_unmistakable_code_line`). A menu or footer is not code-shaped,
    and a page does not announce one with a colon. A shell command is kept wherever it stands, and so is a run
    of code right after kept text (`_unannounced_code_runs`)."""
    n = len(verdicts)
    for i, verdict in enumerate(verdicts):
        line = text[verdict.start : verdict.end]
        # (cheap substring tests first: this runs on every line of every dump)
        if "$ " in line and verdict.reason in CODE_SAMPLE_RESTORES and SHELL_PROMPT.match(line.strip()):
            verdict.reason = None  # a command typed at a prompt is never page furniture
        if verdict.reason not in (None, Reason.OFF_CONTENT) or not line.rstrip().endswith((":", "：")):
            continue
        if len(line.split()) < 2:
            continue
        j = i + 1
        sample: list[str] = []
        while j < n and j - i <= ANNOUNCED_MAX_ROWS:
            row = text[verdicts[j].start : verdicts[j].end].strip()
            if not row or not is_code_sample_line(row):
                break
            sample.append(row)
            j += 1
        if len(sample) >= CODE_SAMPLE_MIN_LINES and any(map(is_unmistakable_code_line, sample)):
            for k in range(i, j):
                if verdicts[k].reason in CODE_SAMPLE_RESTORES:
                    verdicts[k].reason = None
    _unannounced_code_runs(text, verdicts)


# a code sample the article does not announce: two consecutive code lines, both unmistakably code, right after
# kept text. Chosen on the tune halves: 2/2 and 3/2 and 4/2 lines gave the same dump F1; 2/2 lost the fewest clean
# characters.
UNANNOUNCED_CODE_MIN_LINES = 2
UNANNOUNCED_CODE_MIN_UNMISTAKABLE = 2


def _unannounced_code_runs(text: str, verdicts: list[LineVerdict]) -> None:
    """Keep, in place, a run of code-sample lines (up to a blank or other line) that follows kept text (the last
    non-blank line above it was not cut), when it has UNANNOUNCED_CODE_MIN_LINES lines and as many unmistakable
    code lines: tutorials print `var res = Response.error();` after a sentence that ends in a full stop."""
    if not any(v.reason in CODE_SAMPLE_RESTORES for v in verdicts):
        return
    n = len(verdicts)
    rows = [text[v.start : v.end].strip() for v in verdicts]
    samples: dict[int, bool] = {}

    def is_sample(k: int) -> bool:
        if k not in samples:
            samples[k] = bool(rows[k]) and is_code_sample_line(rows[k])
        return samples[k]

    # the unmistakable code lines of runs of code-sample lines, found without running the code tests on every
    # line (on every line of the text-dump benchmark they took 0.33 s of the pipeline's 7.7 s)
    anchors = [k for k, row in enumerate(rows) if row and may_be_unmistakable_code_line(row)
               and is_unmistakable_code_line(row) and is_sample(k)]
    run_end = -1
    for anchor in anchors:
        if anchor < run_end:
            continue  # in the run already judged
        i = anchor
        while i > 0 and is_sample(i - 1):
            i -= 1
        run_end = anchor + 1
        while run_end < n and is_sample(run_end):
            run_end += 1
        above = i - 1
        while above >= 0 and not rows[above]:
            above -= 1
        unmistakable = bisect_left(anchors, run_end) - bisect_left(anchors, i)
        if (run_end - i >= UNANNOUNCED_CODE_MIN_LINES and above >= 0 and verdicts[above].reason is None
                and unmistakable >= UNANNOUNCED_CODE_MIN_UNMISTAKABLE):
            for k in range(i, run_end):
                if verdicts[k].reason in CODE_SAMPLE_RESTORES:
                    verdicts[k].reason = None


TABLE_MIN_ROWS = 3


def _table_rows(lines: list[str], kinds: list[str | None]) -> set[int]:
    """Rows of a table in a document that has prose: runs of at least TABLE_MIN_ROWS consecutive lines (stripped)
    with cells separated by tabs (a flattened table: an infobox, a schedule, figures), not cut by a line rule."""
    rows: set[int] = set()
    run: list[int] = []
    for i, kind in enumerate([*kinds, None]):
        if kind in (SHORT, NEUTRAL) and "\t" in lines[i]:
            run.append(i)
            continue
        if len(run) >= TABLE_MIN_ROWS:
            rows.update(run)
        run = []
    return rows


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


def cut_lines(doc: Document, verdicts: list[LineVerdict], stage: str, empty_detail: str,
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


def liability_disclaimer_span(line: str) -> tuple[int, int] | None:
    """(start, end) of a publisher's liability disclaimer (LIABILITY_DISCLAIMER) that ends a line. It starts at 0
    in a line that is the notice (the claim in its first 120 characters), or at the end of the sentence before it
    when the notice (with a label or an editor's name before it) is glued to the end of an article's last
    paragraph, as a flattened page prints it; it ends with the line, or with its closing bracket when it is a
    remark in brackets ("(节录网上 如有侵权 立马删除)"). None when there is none, or when it sits inside a paragraph
    (the sentence before it ends too far back)."""
    lowered = line.lower()
    if not any(cue in lowered for cue in DISCLAIMER_CUES):  # (the cheap test first: this runs on every kept line)
        return None
    mark = LIABILITY_DISCLAIMER.search(line, max(0, len(line) - 600))
    if not mark:
        return None
    start = None
    if mark.start() <= 120:  # a line that is the notice, perhaps a sentence of it before the claim
        start = 0
    else:
        for stop in SENTENCE_STOP.finditer(line, mark.start() - 250, mark.start()):
            start = stop.end()
        if start is None:
            return None
    if not CJK_CHAR.search(mark.group()) and not DISCLAIMER_PUBLISHER.search(line, start):
        return None
    end = len(line.rstrip())
    opening = line[start:].lstrip()[:1]
    if opening in ("(", "（"):
        close = line.find(")" if opening == "(" else "）", mark.end())
        end = close + 1 if close >= 0 else end
    return start, end


# Page furniture that a flattened page glues into its lines, by kind (none is one site's): an encyclopedia's edit
# labels ("播报编辑", "[edit]"), a table of contents run together ("目录1产生2组成3详细内容", "Contents 1 History
# 2 Geography 3 References"), the page title with its site suffix printed before the same title as heading
# ("标题 - 知乎标题..."), a "published at <time>" line with the topic tags glued after it.
EDIT_LABEL = re.compile(r"播报编辑|编辑播报|\[(?:编辑|编辑源代码|edit|edit source)\]", re.IGNORECASE)
TOC_HEAD = re.compile(r"(?:目录|目次|table of contents|contents)\s*(?=1\D)", re.IGNORECASE)
TOC_NUMBER = re.compile(r"\s*(\d{1,2})((?:\.\d{1,2})*)\s*")
TOC_ITEM_CHARS = 24  # longer than this between two numbers, and it is not a table of contents
SITE_TITLE = re.compile(r"^(?P<title>[^\n]{6,80}?)\s*(?:\s-\s|_|\s\|\s|\s–\s|\s—\s)\s*")
PUBLISHED_AT = re.compile(
    r"(?:(?<=[。！？!?）)」”.])|^)\s*(?:发布于|发表于|编辑于|更新于)\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
LETTER = re.compile(r"[^\W\d_]")


def flattened_toc(line: str) -> list[tuple[int, int]]:
    """(start, end) of a table of contents run together in a line: its head word, then items numbered 1, 2, 3, ...
    (sub-items 1.1 allowed), each at most TOC_ITEM_CHARS long, ending where the first item's title comes again as
    the first section's heading; at least three items."""
    found = []
    for head in TOC_HEAD.finditer(line):
        position, expected, titles = head.end(), 1, []
        while True:
            number = TOC_NUMBER.match(line, position)
            if not number or int(number.group(1)) not in (expected - 1, expected) or (
                    int(number.group(1)) == expected - 1 and not number.group(2)):
                break
            expected = int(number.group(1)) + 1
            following = DIGIT.search(line, number.end(), number.end() + TOC_ITEM_CHARS + 1)
            end = following.start() if following else min(len(line), number.end() + TOC_ITEM_CHARS)
            titles.append((number.end(), end))
            if not following:
                break
            position = end
        if expected - 1 < 3 or not titles:
            continue
        first = line[titles[0][0] : titles[0][1]].strip()
        last_start = titles[-1][0]
        again = line.find(first, last_start + 1, last_start + TOC_ITEM_CHARS + len(first) + 1) if first else -1
        if again > last_start and LETTER.search(first):
            found.append((head.start(), again))
    return found


def glued_site_title(line: str, previous: str) -> tuple[int, int] | None:
    """The page title with its site suffix, printed on a line of its own (`previous`) and again at the start of
    this line, glued to the same title as heading ("标题 - 知乎标题..."): the first title, the site's name and
    any menu words glued to it (up to 40 characters), (start, end); else None. A line that merely repeats a
    phrase ("Marionette Fission – Making Marionette Fission compatible") has no such title line before it."""
    previous = previous.strip()
    if not previous or not line.startswith(previous) or len(previous) == len(line.rstrip()):
        return None  # (checked first: this runs on every kept line)
    match = SITE_TITLE.match(previous)
    if not match:
        return None
    title = match.group("title").strip()
    if len(title) < 10 or len(LETTER.findall(title)) < 6:  # not a dateline ("LONDON - ... in LONDON")
        return None
    again = line.find(title, len(previous), len(previous) + 40 + len(title))
    if again < 0 or not LETTER.search(previous, match.end()):
        return None
    return 0, again


def published_at(line: str) -> list[tuple[int, int]]:
    """'发布于 2021-03-30 14:34' after a sentence (or opening a line); with the short tag list glued after it when
    that is all that is left of the line."""
    found = []
    for match in PUBLISHED_AT.finditer(line):
        rest = line[match.end() :]
        end = len(line) if len(rest.strip()) <= 40 and not CJK_CLAUSE.search(rest) else match.end()
        found.append((match.start(), end))
    return found


def glued_furniture(line: str, previous: str = "") -> list[tuple[int, int, Reason]]:
    """Edit labels, flattened tables of contents, a doubled title with its site suffix (`previous`: the line
    before), publish lines glued into one line (see above)."""
    # (each rule behind a substring test it cannot match without: this runs on every kept line)
    ranges = [(m.start(), m.end(), Reason.BUTTON) for m in EDIT_LABEL.finditer(line)] if (
        "编辑" in line or "[" in line) else []
    if "[if " in line or "[endif]" in line:
        ranges += [(m.start(), m.end(), Reason.MARKUP) for m in CONDITIONAL_COMMENT.finditer(line)]
    if "目" in line or "ontents" in line or "ONTENTS" in line:
        ranges += [(a, b, Reason.NAV_MENU) for a, b in flattened_toc(line)]
    title = glued_site_title(line, previous)
    if title:
        ranges.append((*title, Reason.DUPLICATE_PASSAGE))
    if "于" in line:
        ranges += [(a, b, Reason.BYLINE) for a, b in published_at(line)]
    return ranges


def _merge_reasoned(ranges: list[tuple[int, int, Reason]]) -> list[tuple[int, int, Reason]]:
    """Sorted, overlapping ranges joined (the first one's reason stays)."""
    merged: list[tuple[int, int, Reason]] = []
    for start, end, reason in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, reason))
    return merged


def _glued_ui_ranges(text: str, verdicts: list[LineVerdict]) -> list[tuple[int, int, Reason]]:
    """UI words glued into kept Chinese lines (`glued_ui_runs`), footers glued to their ends, and the page
    furniture of `glued_furniture` and publishers' liability disclaimers in any kept line."""
    ranges = []
    previous = ""
    for verdict in verdicts:
        line = text[verdict.start : verdict.end]
        if verdict.reason is not None or not line.strip():
            previous = line if line.strip() else previous
            continue
        found = glued_furniture(line, previous)
        previous = line
        disclaimer = liability_disclaimer_span(line)
        if disclaimer is not None:
            found.append((*disclaimer, Reason.FOOTER))
        if CJK_CHAR.search(text, verdict.start, verdict.end):
            footer = glued_footer_start(line)
            found += [(a, b, Reason.NAV_MENU) for a, b in glued_ui_runs(line if footer is None else line[:footer])]
            if footer is not None:
                found.append((footer, len(line), Reason.FOOTER))
        ranges.extend((verdict.start + a, verdict.start + b, reason) for a, b, reason in _merge_reasoned(found))
    return ranges


def text_boilerplate_stage(doc: Document, config: Config) -> Document:
    """Stage: line and block rules for text dumps; cut lines are recorded as spans (HTML was extracted)."""
    if not config.boilerplate.line_rules or doc.content_type == "html":
        return doc
    verdicts = line_verdicts(doc.text)
    listing_verdicts(doc.text, verdicts)
    widget_verdicts(doc.text, verdicts)
    context_verdicts(doc.text, verdicts)
    announced_code_verdicts(doc.text, verdicts)
    page_title_verdicts(doc.text, verdicts)
    repeated_line_verdicts(doc.text, verdicts)
    return cut_lines(doc, verdicts, "boilerplate", "every line was boilerplate", inline=True)


TITLE_SUFFIX = re.compile(r"(\s[-–—|_]\s|_)[^\n]{1,30}$")


TITLE_LOOKAHEAD = 60  # lines after a page title in which its headline shows up again (after the page's menus)


def is_page_title(lines: list[str], index: int) -> bool:
    """Line `index` is a page's <title> as a crawler prints it, "Headline - Site" / "Headline_Site": shaped like
    one, and repeated at the start of the next line (whole, or its second half when the dump cut the title's
    start off and glued the page's text on)."""
    title = lines[index].strip()
    if len(title) > 80:
        return False  # (before the pattern: it searches the whole line)
    suffix = TITLE_SUFFIX.search(title)
    if not suffix:
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


def page_title_verdicts(text: str, verdicts: list[LineVerdict]) -> None:
    """Mark, in place, a page's <title> as a crawler prints it ("Headline - Site", "标题_网站名") as a
    `duplicate_passage` when the page repeats it: the next line starts with it, or the headline comes again
    within the next lines (`is_page_title`, which the split stage also uses to find where a page starts). The
    headline stays where the page prints it again."""
    lines = [text[v.start : v.end] for v in verdicts]
    for i, verdict in enumerate(verdicts):
        if verdict.reason is None and lines[i].strip() and is_page_title(lines, i):
            verdict.reason = Reason.DUPLICATE_PASSAGE


