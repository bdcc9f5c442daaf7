"""The files of a build the API serves (the web app, GraphiQL's bundle): from one folder,
with the headers of their kind.

A build may hold a gzip of a file beside it (`app.js.gz`, written by the web app's Vite
build): a request that accepts gzip gets those bytes with `Content-Encoding: gzip`, its own
ETag and the same cache headers; any other request gets the file as it is. Both answers
say `Vary: Accept-Encoding`, so that a shared cache keeps them apart. The gzips are made
once, at build time, and never per request: no CPU spent per answer, and no GraphQL answer
(tokens, a tenant's data) is ever compressed, which a BREACH attack would need."""

from __future__ import annotations

import os
import stat
from mimetypes import guess_type
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

# Hashed file names: a changed file is a new name, so a file may be kept for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# The suffix of a file's gzip in the build, beside the file
GZIP_SUFFIX = ".gz"


def accepts_gzip(headers: Headers) -> bool:
    """Whether the request's Accept-Encoding admits gzip: named, or by `*`, with q > 0."""
    weights: dict[str, float] = {}
    for item in headers.get("accept-encoding", "").split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding:
            weights[coding.lower()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _gzip_beside(
    full_path: str | os.PathLike[str], file: os.stat_result
) -> tuple[str, os.stat_result] | None:
    """The file's gzip in the build, when there is one at least as new as the file (a file
    replaced by hand is never answered with the gzip of its old bytes)."""
    path = os.fspath(full_path) + GZIP_SUFFIX
    try:
        gzipped = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(gzipped.st_mode) or gzipped.st_mtime < file.st_mtime:
        return None
    return path, gzipped


class BuildFiles(StaticFiles):
    """Files of the build under one folder, with the headers of their kind. A build that is
    not there (yet) answers 404 per file instead of failing, as StaticFiles' check would."""

    def __init__(self, directory: Path, *, headers: dict[str, str]) -> None:
        super().__init__(directory=directory, check_dir=False)
        self._headers = headers

    async def check_config(self) -> None:
        return None

    async def file(self, path: str, scope: Scope) -> Response:
        """The file at `path` (relative, `/`-separated), or HTTPException 404."""
        return await self.get_response("/".join(filter(None, path.split("/"))) or ".", scope)

    async def get_response(self, path: str, scope: Scope) -> Response:
        # a file's gzip is one of its encodings, never a file of its own
        if path.endswith(GZIP_SUFFIX):
            raise HTTPException(404)
        return await super().get_response(path, scope)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        request = Headers(scope=scope)
        response = self._encoded(full_path, stat_result, request, status_code)
        if self.is_not_modified(response.headers, request):
            response = NotModifiedResponse(response.headers)
        response.headers.update(self._headers)
        return response

    def _encoded(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        request: Headers,
        status_code: int,
    ) -> Response:
        """The file, or its gzip when the build has one and the request accepts it. A range
        is always of the file's own bytes, as before there were gzips."""
        gzipped = _gzip_beside(full_path, stat_result)
        if gzipped is None:
            return FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        if accepts_gzip(request) and "range" not in request:
            path, gzip_stat = gzipped
            response = FileResponse(
                path,
                status_code=status_code,
                stat_result=gzip_stat,
                media_type=guess_type(os.fspath(full_path))[0] or "application/octet-stream",
                headers={"content-encoding": "gzip"},
            )
            # an ETag of its own: a cache that holds one encoding never takes it for the other
            response.headers["etag"] = response.headers["etag"].removesuffix('"') + '-gzip"'
        else:
            response = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        response.headers["vary"] = "Accept-Encoding"
        return response
