"""What a file is, read from its bytes: the name it came with and the type a client declared
are never trusted (a `.pdf` may hold anything).

- The first SNIFF_BYTES go to the `filetype` library, which knows the signatures of the
  common binary formats: PDF, PNG, JPEG, GIF, TIFF, WebP, the ZIP-based office documents
  (docx, xlsx, pptx; odt, ods, odp when their `mimetype` entry comes first, as the
  OpenDocument format requires), and many more. What it names is the file's type.
- Bytes it does not recognise are text when the whole file is valid UTF-8 (ASCII among it)
  without a NUL character; which only the last byte can tell, so the check runs as the file
  streams past (`TextCheck`) and a file that turns out not to be text is refused then.
  Text is `text/plain`, or `text/csv` when its name ends in `.csv`: the bytes cannot tell
  CSV from other text, and both are inert text, served as attachments that browsers do not
  sniff.
- Anything else is `application/octet-stream`."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import filetype

# What `filetype` reads of a file's start to recognise it.
SNIFF_BYTES = 8192
TEXT_PLAIN = "text/plain"
TEXT_CSV = "text/csv"
TEXT_TYPES = frozenset({TEXT_PLAIN, TEXT_CSV})
UNKNOWN = "application/octet-stream"


def recognised_type(head: bytes) -> str | None:
    """The binary format the first bytes of a file announce; None: none known."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    return str(kind.mime) if kind is not None else None


def text_type(name: str) -> str:
    """The type of a file that is text, which its bytes cannot say more precisely."""
    return TEXT_CSV if name.lower().endswith(".csv") else TEXT_PLAIN


@dataclass
class TextCheck:
    """Whether the bytes fed to it, in order, are valid UTF-8 without a NUL character."""

    is_text: bool = True
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("strict")
    )

    def feed(self, data: bytes) -> bool:
        if self.is_text:
            try:
                self.is_text = "\0" not in self._decoder.decode(data)
            except UnicodeDecodeError:
                self.is_text = False
        return self.is_text

    def finish(self) -> bool:
        """Whether the whole file was text (a character cut short at the end is not)."""
        if self.is_text:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.is_text = False
        return self.is_text


@dataclass(frozen=True)
class ContentType:
    """What a file's first bytes say it is: `media_type`, and whether that holds only if the
    rest of it is text too (`needs_text`)."""

    media_type: str
    needs_text: bool = False

    @classmethod
    def of(cls, head: bytes, name: str) -> ContentType:
        recognised = recognised_type(head)
        if recognised is not None:
            return cls(recognised)
        if TextCheck().feed(head):
            return cls(text_type(name), needs_text=True)
        return cls(UNKNOWN)
