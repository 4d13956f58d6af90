"""Prose stage: code and data are not prose. Source files, JSON, CSV/TSV, logs, YAML/TOML/INI, e-mail and HTTP
headers and minified scripts are rejected as `not_prose`, decided from the content whatever the file name or
MIME type says; prose with a code sample inside stays.

Written here because no maintained library answers "is this prose?" on text (magika and guesslang name a
file's type, but need models we would have to ship and do not tell an article with a code sample from code).

Each non-blank line is classed as prose (a sentence of words, or a run of CJK characters), code (a keyword or
a shape only code has: `def f():`, `} else {`, `x = f(y);`, `#include`), data (`key: value`, `[section]`, a log
line, a JSON member) or neither (a heading, a short label); comments and docstrings count as neither. A document
is code or data when such lines hold most of its characters and prose little; whole-document checks catch JSON,
delimiter-separated tables and minified scripts, whose lines say little one by one.

    >>> prose_verdict("def f(x):\\n    return x + 1\\n\\nclass A:\\n    pass\\n").kind
    'code'
    >>> prose_verdict("The council met on Monday. It agreed to repair the bridge before winter.").kind is None
    True
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass

from ..config import Config
from ..document import Document, Reason
from ..text import CJK_CHAR

CODE_LINE = re.compile(
    r"""^(?:
      (?:def|class|import|return|elif|except|raise|yield|lambda|assert|async\s+def|await|global|nonlocal)\b
     |from\s+[\w.]+\s+import\b|(?:pass|break|continue)$
     |(?:function|var|let|const|export|typeof|module\.exports|require\(|console\.|this\.)\b
     |(?:public|private|protected|static|final|void|int|char|float|double|bool|unsigned|struct|typedef|enum|
        namespace|template|virtual|inline|extern|using|override|sealed|internal)\s
     |\#\s*(?:include|define|ifn?def|endif|if|else|elif|pragma|undef|error|import)\b
     |(?:fn|impl|pub|mod|trait|let\s+mut|use\s+[\w:]+|match\s+\w+\s*\{)\b
     |(?:end|begin|puts|elsif|unless|attr_\w+|module\s+[A-Z])\b
     |(?:package|func|defer)\s
     |(?:SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|VIEW|DATABASE|UNIQUE)|ALTER\s+TABLE|
        DROP\s+TABLE|FROM|WHERE|JOIN|LEFT\s+JOIN|GROUP\s+BY|ORDER\s+BY|VALUES|BEGIN|COMMIT)\b
     |(?:if|for|while|switch|catch|else\s+if|foreach|with)\s*\(
     |(?:else|try|do|finally)\s*[{:]\s*$
     |[})\]]+\s*[;,)]*\s*(?:else\s*\{)?$
     |@[A-Za-z_][\w.]*(?:\(|$)
     |<\?php|\?>|\#!/
     |[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?::\s*[\w\[\], .|]+)?\s*(?:[-+*/%|&^]|<<|>>|\*\*|//)?=\s*[^=\s]
     |[A-Za-z_][\w.]*\s*\(.*\)\s*[;,]?$
    )""",
    re.X,
)
# operators and idioms prose does not use
CODE_TOKEN = re.compile(r"==|!=|&&|\|\||->|::|\+=|-=|=>|\)\s*\{|\bself\.|\bthis\.|\w\(\)|\$\{|\[\]")
# a token of a machine's text: a path, an option, an identifier_with_underscores, key=value, a version or a
# time (2:1.0.10-1, 14:36:53), pkg:arch
TECH_TOKEN = re.compile(r"^(?:--?[A-Za-z]|.*[/_=\\]|.*\d[.:]\d+[.:\-+~]|.*[A-Za-z0-9]:[A-Za-z0-9]|.*\w\(\))")
# a line that ends as only code ends: `{`, `;`, `(`, `=> {`, `):` (a Python block), `\` continuation
# what a TECH_TOKEN needs somewhere in the line: an option's dash, a path or assignment character, a version
# or time (digit, . or :, digit), a colon between letters or digits, a call
TECH_CHARS = re.compile(r"[-/_=\\]|\d[.:]\d|[A-Za-z0-9]:[A-Za-z0-9]|\w\(\)")
CODE_END = re.compile(r"(?:[{;(\[]|=>|->|\)\s*:|\\)\s*$")
_CODE_END_TAILS = ("{", ";", "(", "[", "=>", "->", "\\")
# a literal that every CODE_TOKEN match holds (")" and "{" for `\)\s*\{`)
_CODE_TOKEN_LITERALS = ("==", "!=", "&&", "||", "->", "::", "+=", "-=", "=>", "self.", "this.", "()", "${", "[]")


def _code_end(line: str) -> bool:
    """`CODE_END.search(line)`, by string methods (this runs on most lines of every text)."""
    tail = line.rstrip()
    return tail.endswith(_CODE_END_TAILS) or (tail.endswith(":") and tail[:-1].rstrip().endswith(")"))


def _code_token(line: str) -> bool:
    """`CODE_TOKEN.search(line)`, tried only on a line that holds one of its literals."""
    if not any(literal in line for literal in _CODE_TOKEN_LITERALS) and not (")" in line and "{" in line):
        return False
    return CODE_TOKEN.search(line) is not None


def _code_shaped(line: str) -> bool:
    """A line shaped as code: a code statement, or a code ending or token with enough code symbols."""
    return bool(CODE_LINE.match(line) or ((_code_end(line) or _code_token(line)) and _symbol_share(line) >= 0.04))
# (a line starting with `*` is a Markdown bullet unless inside a /* block */, which is handled as a block)
COMMENT = re.compile(r"^(?:#|//|/\*|\*/|\|\*|--\s|;|%|<!--|\"\"\"|''')")
CODE_COMMENT = re.compile(r"^(?:#|//|/\*|\|\*)")  # comments of code and configuration files
INLINE_CODE = re.compile(r"`[^`\n]+`")  # Markdown's `code` inside a sentence: a word of the sentence
FENCE = re.compile(r"^(?:`{3,5}|~{3,5})[\w+.-]*$")  # a Markdown code fence, not a ~~~~~~~~ heading rule
KEY_VALUE = re.compile(r"^-?\s*[\"']?[\w.$@/-]{1,48}[\"']?\s*(?::|=)(?:\s+\S|\S|\s*$)")
SECTION = re.compile(r"^\[\[?[^\]\s][^\]]{0,60}\]\]?$")
LOG_LINE = re.compile(
    r"^\[?(?:\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2}\s+\d{1,2}\s\d{2}:\d{2}:\d{2}|"
    r"\d{1,3}(?:\.\d{1,3}){3}\s+-\s+-\s+\[)|^\[?(?:INFO|DEBUG|WARN|WARNING|ERROR|TRACE|FATAL|CRITICAL)\]?[\s:]"
)
JSON_LINE = re.compile(r"^(?:\"[^\"]{1,80}\"\s*:|[\[{]\s*$|[\]}],?\s*$|[\[{]\s*\"|\"[^\"]*\",?$|-?\d[\d.eE+-]*,?$)")
HEADER_NAMES = re.compile(
    r"^(?:From|To|Cc|Bcc|Subject|Date|Received|Return-Path|Message-ID|Reply-To|MIME-Version|Content-[\w-]+|"
    r"X-[\w-]+|DKIM-Signature|Authentication-Results|Host|User-Agent|Accept(?:-[\w-]+)?|Cookie|Set-Cookie|"
    r"Server|Connection|Cache-Control|Location|Referer|Vary|ETag|Last-Modified|Expires|Pragma|Via|"
    r"Transfer-Encoding|Keep-Alive|Upgrade|Origin|Authorization|Strict-Transport-Security):\s",
)
HTTP_START = re.compile(r"^(?:HTTP/\d(?:\.\d)?\s+\d{3}|(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH)\s+\S+\s+HTTP/\d)")
WORD = re.compile(r"[^\W\d_]{2,}")
SYMBOLS = frozenset("{}[]()<>=;_\\|&*+$@#\"'`^~")
_DROP_SYMBOLS = str.maketrans("", "", "".join(SYMBOLS))  # counting by deletion: one C pass per line
SENTENCE_END = re.compile(r"[.!?。！？…:;\"')”’»]\s*$")


@dataclass
class ProseVerdict:
    kind: str | None  # None: prose; else json, table, minified, code, data, log, headers
    prose_share: float  # of the non-blank characters, in prose lines
    code_share: float  # in code lines
    data_share: float  # in data lines (key: value, sections, logs, JSON members, headers)
    detail: str = ""


def _symbol_share(line: str) -> float:
    return (len(line) - len(line.translate(_DROP_SYMBOLS))) / max(1, len(line))


def _is_prose_line(line: str) -> bool:
    cjk = 0 if line.isascii() else len(CJK_CHAR.findall(line))
    if cjk >= 8:
        return _symbol_share(line) < 0.12
    words = WORD.findall(line)
    if len(words) < 6:
        return False
    letters = sum(len(w) for w in words)
    # words and spaces make up the line, few code symbols, and it reads as a sentence or a wrapped line of one
    return (letters + len(words) >= 0.75 * len(line) and _symbol_share(line) < 0.05
            and (SENTENCE_END.search(line) is not None or len(line) >= 50))


def _json_document(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{" or len(stripped) > 20_000_000:
        return False
    try:
        json.loads(stripped)
        return True
    except ValueError:
        pass
    lines = [ln for ln in stripped.splitlines() if ln.strip()][:200]
    parsed = 0
    for ln in lines:  # JSON Lines
        try:
            parsed += isinstance(json.loads(ln), (dict, list))
        except ValueError:
            pass
    return len(lines) >= 2 and parsed >= 0.9 * len(lines)


def _delimited_table(lines: list[str]) -> str | None:
    """CSV/TSV/semicolon/pipe tables: most lines split into the same number (>= 3) of fields, or >= 2 short
    fields on many lines. Prose commas vary from sentence to sentence."""
    sample = lines[:300]
    if len(sample) < 4:
        return None
    for delimiter in ("\t", ",", ";", "|"):
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        agreeing = counts.count(mode) / len(counts)
        if mode >= 3 and agreeing >= 0.8:
            return "table"
        if mode == 2 and agreeing >= 0.9 and len(sample) >= 10:
            fields = [f for row in csv.reader(sample, delimiter=delimiter) for f in row]
            if sum(len(f) for f in fields) / max(1, len(fields)) < 24:
                return "table"
    return None


def _minified(text: str) -> bool:
    """Most of the text is in long lines dense in symbols with few spaces (minified JavaScript or CSS); one such
    line in a page of prose (a long link of markup) is not enough."""
    minified = sum(len(line) for line in text.splitlines() if len(line) >= 500 and _symbol_share(line) >= 0.12
                   and line.count(" ") < 0.12 * len(line))
    return minified >= 0.6 * len(text.strip())


def _technical(line: str) -> bool:
    """Most of the line's tokens are paths, options, identifiers, versions: a machine wrote it."""
    if not TECH_CHARS.search(line):
        return False  # no token can match TECH_TOKEN (the cheap test first: most lines are words)
    tokens = line.split()
    return len(tokens) >= 3 and sum(TECH_TOKEN.match(t) is not None for t in tokens) >= 0.3 * len(tokens)


def _repeated_starts(lines: list[str]) -> float:
    """Share of lines that begin with the same two words as at least 4 other lines (`Setting up ...`,
    `Unpacking ...`): program output, not writing."""
    starts = [" ".join(ln.split()[:2]) for ln in lines if len(ln.split()) >= 3]
    if len(starts) < 10:
        return 0.0
    counts: dict[str, int] = {}
    for start in starts:
        counts[start] = counts.get(start, 0) + 1
    return sum(c for c in counts.values() if c >= 5) / len(lines)


# a command typed at a shell prompt, as tutorials print it: "$ hg push", "$ echo 'fix' > file2" (not "$ 9.99")
SHELL_PROMPT = re.compile(r"^\$ [a-z][\w.-]*(?:\s|$)")


BRACE_LINE = re.compile(r"^(?:[\[{(]|[\]})],?;?)$")


# a comment after a statement: `console.log(x); // true` (a space before the slashes: not a URL's "//")
TRAILING_COMMENT = re.compile(r"\s+//(?:\s.*)?$")


def _statement(line: str) -> str:
    """The line without a comment after its statement."""
    return TRAILING_COMMENT.sub("", line) if " //" in line else line


def is_unmistakable_code_line(line: str) -> bool:
    """A line no page furniture looks like: a shell command, a lone brace, an operator or idiom of code
    (`CODE_TOKEN`), a line ending as code lines do (`CODE_END`), an assignment; a comment after the statement
    does not count. (A code sample needs one: `RSS (headlines)` has the shape of a call, and a row of page
    numbers that of JSON.)"""
    line = _statement(line)
    return bool(SHELL_PROMPT.match(line) or BRACE_LINE.match(line) or _code_token(line) or _code_end(line)
                or ("=" in line and KEY_VALUE.match(line)))


_OPENERS = frozenset("$[]{}()")


def may_be_unmistakable_code_line(line: str) -> bool:
    """False only where `is_unmistakable_code_line` is False (a stripped, non-blank line): string tests that every
    way to that verdict needs (a prompt or bracket opening the line, a code ending, one of the code tokens' or
    assignment's characters), ten times cheaper than the regular expressions behind it. For scans of every line."""
    # (one `in` test after another: twice as fast as any() over a tuple of them; this runs on every line)
    return (line[0] in _OPENERS or line.endswith(_CODE_END_TAILS) or "=" in line or ")" in line or " //" in line
            or "::" in line or "->" in line or "&&" in line or "||" in line or "self." in line or "this." in line
            or "[]" in line or "${" in line)


def is_code_sample_line(line: str) -> bool:
    """One (stripped) line of a code sample inside an article, by the code tests of `prose_verdict`: a shell
    command, a `[section]` or `key = value` of a configuration file, a code shape, a line of JSON. Not the data
    tests (a `Phone: 316-831-6143` line, mail headers, logs, machine tokens): a page's contact block and forms
    look like data. A comment after the statement does not count (`console.log(x); // true`)."""
    line = _statement(line)
    if SHELL_PROMPT.match(line) or SECTION.match(line) or JSON_LINE.match(line):
        return True
    if KEY_VALUE.match(line) and "=" in line and ":" not in line.split("=", 1)[0]:
        return True
    return _code_shaped(line)


# Every way to a code/data verdict below needs prose lines to hold at most 35% of the characters (the whole-text
# parses: < 0.35 of all; program output: <= 0.35 of the weighed; code/data: <= 0.3 of the weighed; commented:
# <= 0.1 of all; the weighed characters are never more than all). So once the prose lines read so far hold more,
# the text is prose whatever the rest holds.
PROSE_SETTLES = 0.35


def prose_verdict(text: str, settle_early: bool = False) -> ProseVerdict:
    """Is `text` prose, or code or data (and which)? Cheap: regular expressions over the lines, no model.

    `settle_early`: stop reading as soon as the verdict can only be prose (`PROSE_SETTLES`); the verdict is the
    same, the shares then count only the lines read (on the text-dump benchmark the stage takes half the time)."""
    nonblank = [ln.strip() for ln in text.splitlines() if ln.strip()]
    total = sum(len(ln) for ln in nonblank)
    if not total:
        return ProseVerdict(None, 0.0, 0.0, 0.0)
    prose = code = data = headers = 0
    comments = 0  # characters in comment lines of code and configuration files
    skipped = 0  # documentation inside code, code samples inside prose: neither side's evidence
    in_docstring = in_block_comment = in_fence = False
    for line in nonblank:
        size = len(line)
        if "`" in line and not FENCE.match(line):
            line = INLINE_CODE.sub("code", line)
        quotes = line.count('"""') + line.count("'''")
        if in_docstring or in_block_comment:
            if (in_docstring and quotes % 2) or (in_block_comment and "*/" in line):
                in_docstring = in_block_comment = False
            skipped += size
            continue
        if FENCE.match(line):
            in_fence = not in_fence
            skipped += size
            continue
        if in_fence:
            skipped += size
            continue
        if quotes % 2 and line.startswith(('"""', "'''", 'r"""', 'u"""')):
            in_docstring = True
            skipped += size
            continue
        if line.startswith("/*") and "*/" not in line:
            in_block_comment = True
            comments += size
            continue
        if HEADER_NAMES.match(line) or HTTP_START.match(line):
            headers += size
            data += size
        elif SECTION.match(line) or (KEY_VALUE.match(line) and not any(c in line for c in "(){};")
                                     and len(WORD.findall(line)) <= 12):
            data += size  # `key = value`, `key: value`, `[section]`: configuration, before the code shapes
        elif _code_shaped(line):
            code += size
        elif LOG_LINE.match(line) or JSON_LINE.match(line) or (
            KEY_VALUE.match(line) and len(WORD.findall(line)) <= 12
        ) or _technical(line):
            data += size
        elif COMMENT.match(line):
            if CODE_COMMENT.match(line):
                comments += size
            else:
                skipped += size
        elif _is_prose_line(line):
            prose += size
            if settle_early and prose > PROSE_SETTLES * total:
                return ProseVerdict(None, prose / total, code / total, data / total, detail="prose (settled early)")
    shares = prose / total, code / total, data / total
    whole = ("json" if _json_document(text) else _delimited_table(nonblank) or
             ("minified" if _minified(text) else None))
    if whole and shares[0] < 0.35:
        return ProseVerdict(whole, *shares, detail=f"the whole text parses as {whole}")
    # the evidence is weighed over what is neither comment nor skipped; a file of comments is configuration
    weighed = max(1, total - comments - skipped)
    prose_w, code_w, data_w = prose / weighed, code / weighed, data / weighed
    codeish = code_w + data_w
    repeated = _repeated_starts(nonblank)
    commented = comments >= 0.7 * total and len(nonblank) >= 5 and prose <= 0.1 * total
    if commented or (repeated >= 0.5 and prose_w <= 0.35) or (codeish >= 0.4 and prose_w <= 0.3 and codeish >= 2 * prose_w):
        if commented:
            kind = "code" if code >= data else "data"
        elif repeated >= 0.5 and codeish < 0.4:
            kind = "log"
        elif headers >= 0.5 * data and headers > code:
            kind = "headers"
        else:
            kind = "code" if code >= data else "data"
        return ProseVerdict(kind, *shares, detail=(
            f"{kind}: of the characters outside comments, {code_w:.0%} in code lines, {data_w:.0%} in data "
            f"lines, {prose_w:.0%} in prose lines; {comments / total:.0%} in comments"
            + (f"; {repeated:.0%} of the lines repeat the same opening words" if repeated >= 0.5 else "")))
    return ProseVerdict(None, *shares)


def not_prose_stage(doc: Document, config: Config) -> Document:
    """Stage: reject code and data documents as `not_prose` (HTML pages are left to the extractor;
    `[junk] keep_code = true` keeps them all)."""
    if doc.rejected or doc.content_type == "html" or config.junk.keep_code:
        return doc
    verdict = prose_verdict(doc.text, settle_early=True)
    if verdict.kind is not None:
        doc.reject(Reason.NOT_PROSE, verdict.detail)
    return doc
