"""Writes the small sample inputs in data/raw/ (all text written for this project).

Run again to regenerate; output is deterministic (gzip mtime 0, fixed WARC dates and record ids).
    python scripts/make_sample_data.py
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"

ARTICLE_EN = """Riverside town opens its first community repair cafe

Residents of Millbrook gathered on Saturday morning in the old library hall, where volunteers opened the town's first repair cafe. Visitors brought broken toasters, torn jackets, wobbly chairs and bicycles with flat tyres, and left with most of them working again.

The idea is simple: instead of throwing things away, people sit down with a volunteer who knows how to fix them, and learn how to do it themselves next time. "Half of what we see only needs a new fuse or a few stitches," said Martha Okafor, a retired electrician who organised the first session.

The council provided the hall for free and a local hardware shop donated tools and spare parts. Organisers counted more than sixty visitors in four hours, and estimated that about forty kilograms of household goods were kept out of the landfill.

Not every repair succeeded. A vintage radio needed a valve that nobody had in stock, and a laptop with a cracked screen was sent to a specialist. Still, most visitors said they would come back, and several offered to volunteer themselves.

The cafe will open on the first Saturday of every month. Organisers hope to add a sewing corner and a bicycle workshop in spring, and they are looking for people who can repair small electronics."""

ARTICLE_ZH = """社区图书馆推出夜间自习室 受到学生和上班族欢迎

本市东城区社区图书馆从本月起延长开放时间，每天晚上九点到十二点开设夜间自习室，为附近的学生和上班族提供安静的学习空间。

图书馆负责人介绍，过去一年里，不少读者反映白天工作繁忙，只有晚上才有时间看书和准备考试。经过调研，图书馆决定利用二楼阅览室开设夜间自习室，共提供八十个座位，并配备了充电插座和阅读灯。

开放第一周，自习室几乎每天满座。正在准备研究生考试的李同学说：“宿舍晚上比较吵，这里环境安静，离家也近，学习效率高了很多。”一位在附近公司上班的读者表示，下班后来这里看一个小时书，已经成为她的习惯。

为了保证安全，图书馆安排了工作人员值班，并在入口处设置了登记处。读者需要提前在网上预约座位，每次预约最长三个小时。

图书馆表示，下一步将根据读者的意见，考虑在周末增加开放时段，并举办读书分享会和讲座，让更多居民走进图书馆。"""

ARTICLE_ES = """El mercado municipal de la ciudad reabre sus puertas después de dos años de obras. Los comerciantes celebraron la reapertura con una degustación de productos locales y música en directo. Según el ayuntamiento, la reforma ha mejorado la accesibilidad, la ventilación y el consumo de energía del edificio."""

MENU_EN = """Home
News
Sport
Weather
Culture
Login | Register | Subscribe
Home > Local News > Environment
"""

FOOTER_EN = """Share
Print
Related articles
Council approves new bus timetable
Library extends weekend opening hours
Copyright © 2024 Millbrook Gazette. All rights reserved.
Privacy Policy | Terms of Use | Contact Us
"""

MENU_ZH = """首页
新闻
社区
教育
文化
登录 | 注册
首页 > 社区新闻 > 正文
发布时间：2024-03-18 09:30  来源：东城区融媒体中心
"""

FOOTER_ZH = """【打印】【关闭】
相关阅读
东城区举办春季读书节
社区文化中心开设书法课
版权所有 © 东城区融媒体中心
京ICP备12345678号 京公网安备11010102000001号
"""

SPAM_BLOCK = (
    "免费在线观看高清视频| 亚洲无码专区在线| 国产精品一区二区| 日韩中文字幕无码| 午夜福利视频免费| "
    "人妻熟女专区| 色综合久久网| 精品久久久久久| 欧美av在线观看| 成人电影免费看"
)

PDF_FRAGMENT = (
    "%PDF-1.7\n"
    "12 0 obj <</Filter/FlateDecode/Length 342>>stream\n"
    "x\ufffd\ufffd\u0019\ufffdK\ufffd0\ufffd\ufffdW\ufffd\ufffd\ufffdb\ufffd\ufffd\ufffd\ufffd\ufffd\n"
    "\ufffd\ufffd\ufffd3\ufffd\ufffd\ufffdZ\ufffd\ufffd\ufffd\ufffd\ufffd\ufffdh\ufffd\ufffd\n"
    "endstream endobj\n"
    "xref\n"
    "0 13\n"
    "0000000000 65535 f\n"
    "0000000017 00000 n\n"
    "trailer\n"
    "<</Size 13/Root 1 0 R>>\n"
    "startxref\n"
    "2714\n"
    "%%EOF\n"
)

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Volunteers map every tree in the city park | Millbrook Gazette</title>
</head>
<body>
<header>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
  <li><a href="/login">Login</a></li></ul></nav>
</header>
<main>
<article>
<h1>Volunteers map every tree in the city park</h1>
<p class="byline">By Priya Raman, 12 April 2024</p>
<p>More than two hundred volunteers spent the weekend measuring and labelling every tree in Millbrook's central park, creating the first complete map of its urban forest.</p>
<p>Working in small teams, they recorded the species, height and trunk width of 3,412 trees. The oldest, an oak near the boating lake, is thought to be more than three hundred years old.</p>
<p>The data will help the parks department plan which trees need care and where new ones should be planted. "We knew roughly what we had, but now we know exactly," said the head gardener, Tom Ellis.</p>
<p>The map will be published online next month, and schools have already asked to use it for biology lessons.</p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Council approves new bus timetable</a></li>
<li><a href="/b">Library extends weekend opening hours</a></li></ul></aside>
</main>
<footer><p>Copyright &copy; 2024 Millbrook Gazette. All rights reserved.</p>
<p><a href="/privacy">Privacy Policy</a> | <a href="/terms">Terms of Use</a></p></footer>
</body>
</html>
"""

WARC_HTML = """<!DOCTYPE html><html><head><meta charset="gb2312"><title>社区图书馆推出夜间自习室</title></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/edu">教育</a></div>
<div class="article"><h1>社区图书馆推出夜间自习室</h1>
{paragraphs}
</div><div class="footer">版权所有 东城区融媒体中心 京ICP备12345678号</div></body></html>"""


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"{path.relative_to(RAW.parent.parent)}: {len(data)} bytes")


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(data)
    return buf.getvalue()


def warc(records: list[tuple[str, str, bytes]]) -> bytes:
    """A small gzipped WARC (one gzip member per record, as crawlers write them)."""
    out = io.BytesIO()
    info = (
        b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Date: 2024-04-01T00:00:00Z\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n"
        b"Content-Type: application/warc-fields\r\nContent-Length: 24\r\n\r\nsoftware: sample-writer\n\r\n\r\n"
    )
    out.write(gz(info))
    for n, (url, content_type, body) in enumerate(records, 1):
        http = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = (
            f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: 2024-04-01T00:00:0{n}Z\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000000{n}>\r\n"
            f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n"
        ).encode()
        out.write(gz(head + http + b"\r\n\r\n"))
    return out.getvalue()


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text, built by hand (byte offsets computed for the xref table)."""
    text_ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({escaped}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def main() -> None:
    RAW.mkdir(parents=True, exist_ok=True)
    # 1. an English text dump (UTF-8) with menus and footers around the article
    write(RAW / "gazette_en.txt", (MENU_EN + "\n" + ARTICLE_EN + "\n\n" + FOOTER_EN).encode("utf-8"))
    # 2. a Chinese text dump in GB18030, with menus, byline, ICP footer and an injected keyword block
    zh = MENU_ZH + "\n" + ARTICLE_ZH + "\n" + SPAM_BLOCK + "\n\n" + FOOTER_ZH
    write(RAW / "library_zh.gb18030.txt", zh.encode("gb18030"))
    # 3. an HTML page
    write(RAW / "park_trees.html", HTML_PAGE.encode("utf-8"))
    # 4. JSONL: English, Chinese, Spanish (rejected: language), a bad line, and the English article again
    lines = [
        json.dumps({"id": "r1", "url": "https://example.org/repair-cafe", "text": ARTICLE_EN}),
        json.dumps({"id": "r2", "url": "https://example.cn/zixishi", "text": ARTICLE_ZH}, ensure_ascii=False),
        json.dumps({"id": "r3", "url": "https://example.es/mercado", "text": ARTICLE_ES}, ensure_ascii=False),
        '{"id": "r4", "text": "this line is cut off',
        json.dumps({"id": "r5", "text": "Too short."}),
    ]
    write(RAW / "records.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
    # 5. a gzipped dump whose article is followed by a raw PDF object stream
    dump = (
        "Home | About | Archive\n\n"
        "Annual report of the Millbrook cycling club\n\n"
        "The club grew to 214 members this year and organised thirty-one group rides, including the first "
        "night ride along the canal path. Members logged a combined 48,000 kilometres.\n\n"
        "The committee thanks the volunteers who marshalled the spring race and the council for repairing "
        "the bridge on the river route after the winter floods.\n\n"
        "Next year the club plans a beginners' programme on Sunday mornings and a trip to the coast in June.\n"
        + PDF_FRAGMENT
    )
    write(RAW / "club_report.txt.gz", gz(dump.encode("utf-8")))
    # 6. a WARC with the Chinese article again (GB2312 page) and a short English page
    paragraphs = "\n".join(f"<p>{p}</p>" for p in ARTICLE_ZH.split("\n\n")[1:])
    records = [
        (
            "https://news.example.cn/2024/03/zixishi.html",
            "text/html; charset=gb2312",
            WARC_HTML.format(paragraphs=paragraphs).encode("gb18030"),
        ),
        ("https://example.org/tree-map", "text/html; charset=utf-8", HTML_PAGE.encode("utf-8")),
        ("https://example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(64))),
    ]
    write(RAW / "crawl.warc.gz", warc(records))
    # 7. a real PDF document
    write(
        RAW / "minutes.pdf",
        minimal_pdf(
            [
                "Minutes of the Millbrook allotment society, March meeting.",
                "Twenty-three members attended. The treasurer reported that the water bill rose by",
                "twelve per cent, and members agreed to install two rain barrels on every plot.",
                "The seed swap will take place on the second Sunday of April in the community hall.",
                "The society welcomed four new members and thanked the retiring secretary for ten years of work.",
            ]
        ),
    )


if __name__ == "__main__":
    main()
