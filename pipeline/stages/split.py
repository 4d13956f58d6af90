"""Split stage: a text dump that holds several pages becomes one document per page (sources `path#pN`),
split where a boundary is visible: a footer followed by new content, or a page title line.
"""

from __future__ import annotations

from ..config import Config
from ..document import Document, Reason, document_id
from ..text import CJK_CHAR, is_cjk_line
from .boilerplate import (
    GOOD,
    GOOD_MIN_WORDS,
    SENTENCE_END,
    WORD,
    classify_line,
    has_sentence_shape,
    is_cookie_notice,
    is_page_title,
    line_quality,
)

# ----------------------------------------------------------------------------------------------------------
# splitting concatenated dumps into pages


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
        if reason == Reason.FOOTER and is_cookie_notice(stripped):
            reason = None  # a cookie banner sits anywhere on a page: it does not end one
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
    cut_points += _script_changes(text, lines)
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


SCRIPT_RUN_MIN_CHARS = {False: 300, True: 150}  # of prose on each side of a change of script (Latin, CJK)
SCRIPT_RUN_MIN_LINES = 3
PROSE_MIN_CHARS = 2 * GOOD_MIN_WORDS - 1  # the shortest line `_is_prose_any_language` can accept


def _script_changes(text: str, lines: list[str]) -> list[int]:
    """Where a dump goes from one page's prose to another's in another script (an English page, then a Chinese
    one): a run of at least SCRIPT_RUN_MIN_LINES prose lines and SCRIPT_RUN_MIN_CHARS characters in one script,
    then as much in the other with no line of the first between. The cut goes before the first line in the new
    script after the old run's last prose line (the old page's footer stays with it, the new page's header goes
    with the new). Alternating languages (a parallel text, a quote in an article) make no run and no cut."""
    if CJK_CHAR.search(text) is None:
        return []  # one script only (most dumps): nothing to find
    # a prose line (`_is_prose_any_language`) has at least GOOD_MIN_WORDS words and a separator between each two,
    # in either script: the costlier prose test runs only on lines that long, and only when both scripts have
    # enough of them
    long_lines = [(i, is_cjk_line(line)) for i, line in enumerate(lines)
                  if len(line.strip()) >= PROSE_MIN_CHARS]
    cjk_lines = sum(1 for _, cjk in long_lines if cjk)
    if min(cjk_lines, len(long_lines) - cjk_lines) < SCRIPT_RUN_MIN_LINES:
        return []
    prose = [(i, cjk) for i, cjk in long_lines if _is_prose_any_language(lines[i])]
    runs: list[list[int]] = []  # [script, first index into prose, last index, chars]
    for k, (i, cjk) in enumerate(prose):
        if runs and runs[-1][0] == cjk:
            runs[-1][2] = k
            runs[-1][3] += len(lines[i].strip())
        else:
            runs.append([cjk, k, k, len(lines[i].strip())])
    cuts = []
    for before, after in zip(runs, runs[1:], strict=False):
        if all(run[2] - run[1] + 1 >= SCRIPT_RUN_MIN_LINES and run[3] >= SCRIPT_RUN_MIN_CHARS[run[0]]
               for run in (before, after)):
            last_old, first_new = prose[before[2]][0], prose[after[1]][0]
            cut = next((j for j in range(last_old + 1, first_new + 1)
                        if lines[j].strip() and is_cjk_line(lines[j].strip()) == after[0]), first_new)
            cuts.append(cut)
    return cuts


def _is_prose_any_language(line: str) -> bool:
    """Prose by `line_quality`, or (for languages without a function-word list) a long line ending a sentence."""
    return line_quality(line) == GOOD or (
        len(WORD.findall(line)) >= GOOD_MIN_WORDS and bool(SENTENCE_END.search(line.strip()))
    )


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


