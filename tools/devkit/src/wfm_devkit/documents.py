"""Small real documents for uploads (the BRP's bank guarantee): a one-page PDF that any reader
opens, built here so that the tests and the benchmark need no file on disk."""

from __future__ import annotations

import random


def pdf_document(text: str) -> bytes:
    """A one-page PDF showing `text` (Latin-1) in Helvetica, with a correct cross-reference
    table."""
    return _assembled(_page_objects(text))


def padded_pdf_document(text: str, size: int, seed: int = 1) -> bytes:
    """The one-page PDF of `pdf_document(text)`, exactly `size` bytes long: the rest is a
    stream object of random bytes (as a scanned page's image is) that no page uses, named in
    the cross-reference table like the others (the benchmark's 10 MiB uploads)."""
    objects = _page_objects(text)
    rng = random.Random(seed)  # noqa: S311 - filler, not a secret
    filler = size - len(_assembled([*objects, _stream(b"")]))
    for _ in range(8):  # the lengths' digits grow with the filler: a few rounds settle it
        if filler < 0:
            break
        out = _assembled([*objects, _stream(rng.randbytes(filler))])
        if len(out) == size:
            return out
        filler += size - len(out)
    raise ValueError(f"no PDF of exactly {size} bytes holds {text!r}")


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def _page_objects(text: str) -> list[bytes]:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = f"BT /F1 18 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def _assembled(objects: list[bytes]) -> bytes:
    """The objects as a PDF file: header, numbered objects, cross-reference table, trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def bank_guarantee_pdf(reference: str) -> bytes:
    """The copy of a bank guarantee, as a participant scans it to PDF."""
    return pdf_document(f"Bank guarantee {reference} - KBC Bank NV - EUR 75,000")
