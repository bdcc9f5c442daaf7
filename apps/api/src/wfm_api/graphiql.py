"""GraphiQL from the API's own files, never from a CDN: the page on `GET /graphql` (a
browser's request), its bundle under `/graphiql/assets/`.

`make install` builds the bundle from apps/api/graphiql (npm + Vite, pinned by its
package-lock.json) into `BUILD_DIR`, which git ignores. Without it the page says how to
build it; the API itself does not need it to start."""

from __future__ import annotations

import html
import os

import anyio
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from wfm_api.security_headers import GRAPHIQL_POLICY

BUILD_DIR = anyio.Path(__file__).parent / "static" / "graphiql"
# Vite's `base` in apps/api/graphiql/vite.config.ts names the same prefix
ASSETS_PATH = "/graphiql/assets"
# Asset names carry a hash of their content: a changed file is a new URL.
IMMUTABLE = "public, max-age=31536000, immutable"
# The bundle's workers run under the policy of their own script's response: the same one.
POLICY = {"content-security-policy": GRAPHIQL_POLICY}

NOT_BUILT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphiQL is not built</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>GraphiQL is not built</h1>
<p>This API serves GraphiQL from its own files, bundled at install time, and did not
find them in <code>{directory}</code>.</p>
<p>Run <code>make install</code> in the checkout (it needs Node.js and npm), then reload
this page. The GraphQL endpoint itself works meanwhile: <code>POST /graphql</code>.</p>
</body>
</html>
"""


class GraphiQLPage:
    """The bundle's index.html, read on each request: a rebuild while the API runs
    (new hashed asset names) shows at the next reload."""

    def __init__(self, directory: anyio.Path = BUILD_DIR) -> None:
        self.directory = directory

    async def response(self) -> Response:
        try:
            page = await (self.directory / "index.html").read_text(encoding="utf-8")
        except FileNotFoundError:
            message = NOT_BUILT.format(directory=html.escape(str(self.directory)))
            return HTMLResponse(
                message, status_code=503, headers={"cache-control": "no-store", **POLICY}
            )
        return HTMLResponse(page, headers={"cache-control": "no-cache", **POLICY})


class GraphiQLAssets(StaticFiles):
    """The bundle's files, cached for a year. A bundle that is not built (yet) answers
    404 per file instead of failing every request, as StaticFiles' start-up check would."""

    def __init__(self, directory: anyio.Path = BUILD_DIR) -> None:
        super().__init__(directory=str(directory / "assets"), check_dir=False)

    async def check_config(self) -> None:
        return None

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = IMMUTABLE
        response.headers.update(POLICY)
        return response
