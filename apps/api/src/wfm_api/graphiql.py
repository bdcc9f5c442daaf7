"""GraphiQL from the API's own files, never from a CDN: the page on `GET /graphql` (a
browser's request), its bundle under `/graphiql/assets/`.

`make install` builds the bundle from apps/api/graphiql (npm + Vite, pinned by its
package-lock.json) into `BUILD_DIR`, which git ignores. Without it the page says how to
build it; the API itself does not need it to start."""

from __future__ import annotations

import html
from pathlib import Path

import anyio
from starlette.responses import HTMLResponse, Response

from wfm_api.security_headers import GRAPHIQL_POLICY
from wfm_api.static_files import IMMUTABLE, BuildFiles

BUILD_DIR = anyio.Path(__file__).parent / "static" / "graphiql"
# Vite's `base` in apps/api/graphiql/vite.config.ts names the same prefix
ASSETS_PATH = "/graphiql/assets"
# Asset names carry a hash of their content: a changed file is a new URL.
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


def graphiql_assets(directory: anyio.Path = BUILD_DIR) -> BuildFiles:
    """The bundle's files, cached for a year. A bundle that is not built (yet) answers
    404 per file instead of failing every request."""
    return BuildFiles(Path(directory / "assets"), headers={"cache-control": IMMUTABLE, **POLICY})
