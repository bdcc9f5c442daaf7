"""A file's type is read from its bytes: its name and what the client declared play no part
(but for telling CSV from other text, which bytes cannot)."""

import io
import zipfile

import pytest

from wfm_devkit.documents import pdf_document
from wfm_documents.content_types import SNIFF_BYTES, ContentType, TextCheck
from wfm_testing.clamd import EICAR

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"


def archive(*entries: tuple[str, str], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for index, (name, text) in enumerate(entries):
            kind = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            zipped.writestr(name, text, compress_type=kind)
    return buffer.getvalue()


DOCX = archive(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"))
XLSX = archive(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))
# OpenDocument: its `mimetype` entry first and stored, as the format requires
ODT = archive(
    ("mimetype", "application/vnd.oasis.opendocument.text"),
    ("content.xml", "<office:document-content/>"),
    stored_first=True,
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (pdf_document("guarantee"), "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (TIFF, "image/tiff"),
        (WEBP, "image/webp"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ODT, "application/vnd.oasis.opendocument.text"),
        (archive(("notes.txt", "hello")), "application/zip"),
    ],
)
@pytest.mark.parametrize("name", ["guarantee.pdf", "photo.png", "no-extension", "page.html"])
def test_a_binary_format_is_what_its_first_bytes_say_whatever_the_name(content, expected, name):
    assert ContentType.of(content[:SNIFF_BYTES], name) == ContentType(expected)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"ean;kwh\n541440000000000118;12\n", "meters.csv", "text/csv"),
        (b"ean;kwh\n541440000000000118;12\n", "METERS.CSV", "text/csv"),
        ("Énergie — 12 kWh\n".encode(), "notes.txt", "text/plain"),
        (b"<html><script>alert(1)</script></html>", "page.html", "text/plain"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "drawing.svg", "text/plain"),
        (EICAR, "eicar.com", "text/plain"),
        (b"", "empty.pdf", "text/plain"),
    ],
)
def test_utf8_text_without_nul_is_text_csv_only_by_its_name(content, name, expected):
    assert ContentType.of(content, name) == ContentType(expected, needs_text=True)


@pytest.mark.parametrize(
    "content",
    [
        b"text\x00with a NUL",
        b"\xff\xfeU\x00T\x00F\x00-\x001\x006\x00",  # UTF-16: NULs
        b"caf\xe9 au lait",  # Latin-1, not UTF-8
        bytes(range(256)),
    ],
)
def test_bytes_that_are_neither_a_known_format_nor_text_are_an_octet_stream(content):
    assert ContentType.of(content, "notes.txt") == ContentType("application/octet-stream")


def test_text_is_checked_to_its_last_byte_across_chunks():
    text = TextCheck()
    euro = "€".encode()
    # a character cut between two chunks is still text
    assert text.feed(b"price: 12 " + euro[:1])
    assert text.feed(euro[1:] + b"\n")
    assert text.finish()
    cut_short = TextCheck()
    assert cut_short.feed(b"price: 12 " + euro[:2])
    assert not cut_short.finish()  # the file ends inside a character
    binary = TextCheck()
    assert binary.feed(b"a" * 10_000)
    assert not binary.feed(b"\x00")
    assert not binary.feed(b"more text")  # once not text, never text again
