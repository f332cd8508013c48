"""The hostile-input cases: each one a file made at test time, with the outcome that is right for it.

``quarantine``: the input cannot be an article and must become a quarantine record with a reason.
``processed``: the input is a damaged or unusual but readable article; it must be stored cleanly.
"""

from __future__ import annotations

import codecs
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.synthetic import article, gzip_bomb

ARTICLE = article(7) + "\nThe delegation will return to Vienna next week, officials said on Tuesday.\n"


@dataclass(frozen=True)
class Case:
    name: str  # file name, its suffix chooses the reader
    make: Callable[[], bytes]
    expect: str  # "quarantine" | "processed"
    why: str


def _random_bytes(n: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)  # noqa: S311 - deterministic junk, not security


def _nested_html(depth: int) -> bytes:
    return ("<html><body>" + "<div>" * depth + f"<p>{ARTICLE}</p>" + "</div>" * depth + "</body></html>").encode()


def _scattered_invalid_utf8() -> bytes:
    data = bytearray(("Café Rouhani’s “reply” — " + ARTICLE).encode("utf-8"))
    for pos in (5, 60, 140):
        data[pos:pos] = b"\xff"
    return bytes(data)


def _rtl_marks() -> bytes:
    text = ARTICLE.replace("said", "\u200fsaid\u200e").replace("Vienna", "\u202eVienna\u202c")
    return ("\u2067" + text + "\u2069").encode()


def _mixed_scripts() -> bytes:
    return ("خبرگزاری ایسنا • 1397/05/29\n" + "Новости • 新闻 • ニュース\n" + ARTICLE + "\nالمزيد من الأخبار\n").encode()


def _unbalanced_quotes() -> bytes:
    return ("“ " * 50 + "\n" + ARTICLE.replace("\"We", "“We “are").replace("lifted,\"", "lifted,„ «")
            + "\n\"Unclosed at the end of the page").encode()


def _billion_laughs() -> bytes:
    ents = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 1 if i else "lol"}{("&l" + str(i - 1) + ";") * 9 if i else ""}">'
                   for i in range(10))
    return f'<?xml version="1.0"?><!DOCTYPE html [{ents}]><html><body><p>&l9;</p><p>{ARTICLE}</p></body></html>'.encode()


CASES: tuple[Case, ...] = (
    Case("empty.txt", lambda: b"", "quarantine", "nothing to read"),
    Case("whitespace.txt", lambda: b" \n\t\r\n   \n", "quarantine", "nothing to read"),
    Case("random_binary.txt", lambda: _random_bytes(64_000), "quarantine", "not text"),
    Case("png_named.html", lambda: b"\x89PNG\r\n\x1a\n" + _random_bytes(4_000, 1), "quarantine", "an image"),
    Case("pdf_named.txt", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + _random_bytes(2_000, 2),
         "quarantine", "a PDF"),
    Case("elf_named.txt", lambda: b"\x7fELF\x02\x01\x01" + bytes(9) + _random_bytes(2_000, 3), "quarantine", "an executable"),
    Case("gzip_bomb.txt", lambda: gzip_bomb(64_000_000), "quarantine", "compressed bytes named .txt are not read as text"),
    Case("nul_in_text.txt", lambda: ARTICLE.encode()[:100] + b"\x00" * 40 + ARTICLE.encode()[100:], "quarantine",
         "NUL bytes mean a binary file"),
    Case("control_flood.txt", lambda: bytes(range(1, 9)) * 2_000 + ARTICLE.encode(), "quarantine", "mostly control characters"),
    Case("huge_50mb.txt", lambda: (ARTICLE.encode() + b"\n") * (50_000_000 // (len(ARTICLE) + 1) + 1), "quarantine",
         "over the input size limit"),
    Case("tiny.txt", lambda: b"Hi.", "quarantine", "no article text"),
    Case("only_chrome.txt", lambda: b"Advertisement\n728 x 90\nFont Size:\nShare\nTweet\nRead more\nLogin\n" * 3, "quarantine",
         "only boilerplate"),
    Case("script_only.html", lambda: b"<html><head><script>for(;;){}</script></head><body><script>x()</script></body></html>",
         "quarantine", "no article text in the page"),
    Case("empty_tags.html", lambda: b"<html><body>" + b"<div></div>" * 20_000 + b"</body></html>", "quarantine",
         "no article text in the page"),
    Case("nested_200.html", lambda: _nested_html(200), "processed", "200 nested divs: ordinary bad markup"),
    Case("deeply_nested.html", lambda: _nested_html(100_000), "quarantine",
         "100,000 nested divs: past the HTML parser's depth limit, the text cannot be reached"),
    Case("unclosed_tags.html", lambda: (b"<html><body>" + b"<div><p><span><b>" * 5_000 + f"<p>{ARTICLE}".encode()),
         "quarantine", "20,000 unclosed elements: past the parser's depth limit too"),
    Case("unclosed_few.html", lambda: (b"<html><body><div><p><b>" + f"<p>{ARTICLE}<p>More text<div>".encode()),
         "processed", "a few unclosed tags are closed by the parser"),
    Case("billion_laughs.html", _billion_laughs, "processed", "entities in a DOCTYPE are not expanded"),
    Case("invalid_utf8.txt", _scattered_invalid_utf8, "processed", "a few broken bytes in UTF-8 text"),
    Case("truncated_multibyte.txt", lambda: (ARTICLE + " — Rouhani’s").encode()[:-2], "processed",
         "cut inside the last character"),
    Case("encoded_surrogate.txt", lambda: ARTICLE.encode() + b" \xed\xa0\x80 end.", "processed", "CESU surrogate bytes"),
    Case("latin1.txt", lambda: ("Café " + ARTICLE + " Zarif’s reply, señor.").replace("’", "'").encode("latin-1"),
         "processed", "a legacy encoding"),
    Case("utf16le_nobom.txt", lambda: ARTICLE.encode("utf-16-le"), "processed", "UTF-16 without a BOM"),
    Case("utf16be_nobom.txt", lambda: ARTICLE.encode("utf-16-be"), "processed", "UTF-16 without a BOM"),
    Case("utf16_odd_length.txt", lambda: ARTICLE.encode("utf-16-le")[:-1], "processed", "UTF-16 cut mid-character"),
    Case("utf32_bom.txt", lambda: codecs.BOM_UTF32_LE + ARTICLE.encode("utf-32-le"), "processed", "UTF-32 with a BOM"),
    Case("utf8_bom.txt", lambda: codecs.BOM_UTF8 + ARTICLE.encode(), "processed", "a UTF-8 BOM"),
    Case("mixed_scripts.txt", _mixed_scripts, "processed", "an English article inside Persian/Arabic/Cyrillic/CJK chrome"),
    Case("rtl_marks.txt", _rtl_marks, "processed", "bidi marks and overrides are removed"),
    Case("unbalanced_quotes.txt", _unbalanced_quotes, "processed", "quote marks that never close"),
    Case("only_quote_marks.txt", lambda: ("“" * 5_000 + "\n" + '"' * 5_000).encode(), "quarantine",
         "10,000 quote marks and no words: no article text"),
    Case("zero_width_flood.txt", lambda: (ARTICLE[:50] + "\u200b" * 100_000 + ARTICLE[50:]).encode(), "processed",
         "invisible characters are removed"),
    Case("combining_flood.txt", lambda: (ARTICLE + "\nZ" + "\u0301\u0302\u0303" * 30_000 + "\n").encode(), "processed",
         "a 'zalgo' line"),
    Case("lone_cr_lines.txt", lambda: ARTICLE.replace("\n", "\r").encode(), "processed", "old Mac line ends"),
    Case("script_in_text.txt", lambda: (ARTICLE + '\n<script>alert("x")</script><img src=x onerror=alert(1)>\n').encode(),
         "processed", "markup in a text file is just text (the dashboard escapes it)"),
    Case("one_long_line.txt", lambda: (("Talks went on. " * 67_000) + ARTICLE.replace("\n", " ")).encode(), "processed",
         "a line of over a million characters is stored and scanned for names, not parsed"),
    Case("charset_lie.html",
         lambda: ('<html><head><meta charset="utf-16"></head><body><p>' + ARTICLE + "</p></body></html>").encode(),
         "processed", "a false charset declaration"),
)


def write_cases(folder: Path) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / case.name).write_bytes(case.make())
    return {str(folder / c.name): c for c in CASES}
