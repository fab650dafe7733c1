"""What every download says about itself and what it is called (infra/exports/stamp.py), and the PDF renderer's
refusal to read anything but the local font files (infra/exports/task_pdf.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest

from infra.exports.stamp import as_of_words, content_disposition, filename, generated_words, title_line
from infra.exports.task_pdf import LocalFilesOnly, RefusedResource, font_faces, html_to_pdf

FONTS = Path(__file__).resolve().parents[2] / "api" / "static" / "frontend" / "fonts"
WINTER = datetime(2013, 3, 5, 13, 5, tzinfo=timezone.utc)
SUMMER = datetime(2013, 7, 5, 13, 5, tzinfo=timezone.utc)


def test_the_state_is_said_in_words_with_polish_dates():
    assert as_of_words(None, None, "pl") == "stan bieżący"
    assert as_of_words("2013-03-05", None, "pl").startswith("stan na 5 marca 2013")
    assert as_of_words("2013-03-05", None, "en").startswith("as of 5 March 2013")
    published = {"number": 2, "title": "Sprawozdanie za 2012 r.", "published_at": "2013-03-05T10:00:00Z"}
    assert as_of_words("2013-03-05", published, "pl").startswith("opublikowany raport nr 2 „Sprawozdanie za 2012 r.” "
                                                                 "z 5 marca 2013")


def test_the_time_it_was_made_is_warsaw_time_with_its_offset():
    assert generated_words(WINTER, "pl") == "wygenerowano 5 marca 2013, 14:05 (czas warszawski, UTC+01:00)"
    assert generated_words(SUMMER, "pl") == "wygenerowano 5 lipca 2013, 15:05 (czas warszawski, UTC+02:00)"
    assert generated_words(WINTER, "en").endswith("(Warsaw time, UTC+01:00)")
    line = title_line("Rejestr wpisów", "stan bieżący", WINTER, "pl")
    assert line.startswith("Rejestr wpisów — stan bieżący; wygenerowano 5 marca 2013")


def test_file_names_say_the_state_and_carry_an_ascii_fallback():
    assert filename("III.1.3", as_of="2013-03-05", publication=None, moment=WINTER, extension="xlsx") == \
        "III.1.3-2013-03-05.xlsx"
    assert filename("III.1.3", as_of=None, publication={"number": 2}, moment=WINTER, extension="pdf") == \
        "III.1.3-raport-2.pdf"
    late = datetime(2013, 3, 5, 23, 30, tzinfo=timezone.utc)  # already 6 March in Warsaw
    assert filename("rejestr", as_of=None, publication=None, moment=late, extension="csv") == "rejestr-2013-03-06.csv"
    header = content_disposition("Żółta łąka; \"x\".csv")
    ascii_part, utf8_part = header.split("; filename*=UTF-8''")
    assert ascii_part == 'attachment; filename="Zolta-laka-x-.csv"'
    assert unquote(utf8_part) == "Żółta-łąka-x-.csv"
    assert all(ord(c) < 128 for c in header)


def test_the_pdf_fetcher_reads_only_files_in_the_allowed_folders(tmp_path):
    fetcher = LocalFilesOnly([FONTS])
    font = next(FONTS.glob("*.woff2"))
    assert fetcher.fetch(font.as_uri()).read(4) == b"wOF2"
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the PDF")
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/font.woff2", "data:text/plain,hello",
                outside.as_uri(), (FONTS / ".." / ".." / "open-sans.css").resolve().as_uri(),
                "file://otherhost/etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


def test_a_document_asking_for_anything_else_is_not_rendered():
    with pytest.raises(RefusedResource):
        html_to_pdf('<html lang="pl"><title>T</title><img src="http://127.0.0.1:9/x.png" alt="x"></html>',
                    allowed=[FONTS])


def test_the_font_faces_use_file_urls_for_both_subsets():
    css = font_faces(FONTS)
    assert css.count("@font-face") == 6 and "http" not in css
    assert '"Open Sans Ext"' in css and "file://" in css


def test_a_pdf_is_tagged_with_its_title_and_language():
    import re
    import zlib

    pdf = html_to_pdf(f'<html lang="pl"><head><title>Zażółć</title><style>{font_faces(FONTS)}'
                      'html {font-family: "Open Sans", "Open Sans Ext"}</style></head><body><p>gęślą jaźń</p>'
                      '</body></html>', allowed=[FONTS])
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
               if m[:1] == b"x"]
    everything = pdf + b"".join(streams)
    assert b"/Lang (pl)" in everything and b"/StructTreeRoot" in everything and b"/MarkInfo" in everything
    assert "Zażółć".encode("utf-16-be") in everything or b"Za\\305\\274\\303\\263" in everything \
        or "Zażółć".encode() in everything
