"""A multipart/form-data body read as it arrives (python-multipart's streaming parser, fed
from the request's stream): its text fields, small and bounded, then one file whose bytes
are handed on chunk by chunk, never held whole in memory. Starlette's own `request.form()`
would read the whole body, spooling the file, before anything could look at it.

The text fields must come before the file (browsers send the parts in the order the form,
or the FormData, has them): who the file is for is known before its first byte is stored."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from wfm_shared.errors import FieldError, ValidationFailed

MAX_FIELD_BYTES = 1024
MAX_FIELDS = 16


class MalformedForm(Exception):
    """The body is not the multipart/form-data its request says it is."""


@dataclass(frozen=True)
class StreamedFile:
    filename: str | None  # as the client sent it (None: it sent none)
    chunks: AsyncIterator[bytes]


@dataclass(frozen=True)
class _Part:
    name: str
    filename: str | None


_Event = tuple[str, object]  # ("part", _Part), ("data", bytes), ("end_part", None), ("end", None)


class FormStream:
    def __init__(self, content_type: str | None, body: AsyncIterator[bytes]) -> None:
        kind, options = parse_options_header((content_type or "").encode("latin-1", "replace"))
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise MalformedForm("send the file as multipart/form-data")
        self._body = body
        self._pending: deque[_Event] = deque()
        self._headers: dict[bytes, bytes] = {}
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._ended = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": lambda: self._pending.append(("end_part", None)),
                "on_end": self._on_end,
            },
        )
        self._events = self._parsed()

    async def fields_then_file(self, file_field: str) -> tuple[dict[str, str], StreamedFile | None]:
        """The text fields before the part named `file_field`, and that file (its bytes
        still to be read); None when the body has no such part."""
        fields: dict[str, str] = {}
        name: str | None = None
        value = bytearray()
        async for kind, payload in self._events:
            if kind == "part":
                assert isinstance(payload, _Part)
                if payload.name == file_field:
                    return fields, StreamedFile(payload.filename, self._file_data())
                if len(fields) >= MAX_FIELDS:
                    raise MalformedForm(f"the form has more than {MAX_FIELDS} fields")
                name, value = payload.name, bytearray()
            elif kind == "data" and name is not None:
                assert isinstance(payload, bytes)
                value += payload
                if len(value) > MAX_FIELD_BYTES:
                    raise _invalid(name, f"must be at most {MAX_FIELD_BYTES} bytes")
            elif kind == "end_part" and name is not None:
                try:
                    fields[name] = value.decode("utf-8")
                except UnicodeDecodeError:
                    raise _invalid(name, "must be text in UTF-8") from None
                name = None
        return fields, None

    async def _file_data(self) -> AsyncIterator[bytes]:
        async for kind, payload in self._events:
            if kind == "data":
                assert isinstance(payload, bytes)
                yield payload
            elif kind == "end_part":
                break
        async for _ in self._events:
            pass  # parts after the file are not read, but the body must be well formed

    async def _parsed(self) -> AsyncIterator[_Event]:
        async for chunk in self._body:
            try:
                self._parser.write(chunk)
            except MultipartParseError as error:
                raise MalformedForm(f"the multipart body is malformed: {error}") from None
            while self._pending:
                yield self._pending.popleft()
            if self._ended:
                return
        raise MalformedForm("the multipart body ends before its closing boundary")

    # -- the parser's callbacks ---------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name")
        if disposition != b"form-data" or name is None:
            raise MultipartParseError("a part without Content-Disposition: form-data; name=...")
        filename = options.get(b"filename")
        try:
            part = _Part(
                name.decode("utf-8"), filename.decode("utf-8") if filename is not None else None
            )
        except UnicodeDecodeError:
            raise MultipartParseError("a part's name is not UTF-8") from None
        self._pending.append(("part", part))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._pending.append(("data", bytes(data[start:end])))

    def _on_end(self) -> None:
        self._ended = True
        self._pending.append(("end", None))


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"invalid form field {field!r}", [FieldError((field,), message)])
