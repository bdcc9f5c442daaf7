"""The files of a build the API serves (the web app, GraphiQL's bundle): from one folder,
with the headers of their kind."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Hashed file names: a changed file is a new name, so a file may be kept for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


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

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(self._headers)
        return response
