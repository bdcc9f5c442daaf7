"""The web app (apps/web), served by the API process at `/` from its built files.

`make install` builds it (npm + Vite) into `BUILD_DIR` (`WFM_WEB_DIR` elsewhere):
`index.html`, the hashed bundle under `assets/`, and a few plain files (favicon ...).

- `/assets/<file>`: the bundle, cached for a year (a changed file is a new name); an
  unknown file is 404, never the page.
- Any other GET or HEAD of a path that is not the API's: a file at the build's root when
  there is one, else `index.html`, revalidated on every load (so a rebuild shows at the
  next reload) -- the app routes by URL in the browser, so `/console/workflows/42` works
  on reload too.
- Paths of the API (`API_PATHS`) never fall back to the page: a wrong one is 404 as ever.
- Without a build, the page answers 503 and says to run `make install`; the API works.

The app runs under its own Content-Security-Policy (`security_headers.web_policy`)."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from wfm_api.security_headers import web_policy
from wfm_api.static_files import IMMUTABLE, BuildFiles
from wfm_shared.settings import Settings

BUILD_DIR = Path(__file__).parent / "static" / "web"
ASSETS_PREFIX = "/assets"
# Where the API answers, now or later: these never fall back to the app's page.
API_PATHS = (
    "/graphql",
    "/healthz",
    "/readyz",
    "/metrics",
    "/auth",
    "/graphiql",
    "/hooks",
    "/files",
)
NOT_BUILT = (
    "The web app is not built: run `make install` (it needs Node.js and npm), then reload.\n"
)


def web_dir(settings: Settings) -> Path:
    return settings.web_dir if settings.web_dir is not None else BUILD_DIR


def is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PATHS)


def names_a_file_plainly(path: str) -> bool:
    """No hidden file (`.env`, `.vite/`), no `..`, nothing a file system reads otherwise."""
    return not any(
        segment.startswith(".") or "\\" in segment or "\x00" in segment
        for segment in path.split("/")
    )


class WebApp:
    """ASGI: what the API's router answers for a path none of its routes takes."""

    def __init__(self, directory: Path, *, public_url: str) -> None:
        policy = {"content-security-policy": web_policy(public_url)}
        self.directory = directory
        self._assets = BuildFiles(
            directory / "assets", headers={"cache-control": IMMUTABLE, **policy}
        )
        self._files = BuildFiles(directory, headers={"cache-control": "no-cache", **policy})

    @classmethod
    def from_settings(cls, settings: Settings) -> WebApp:
        return cls(web_dir(settings), public_url=settings.public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose()(scope, receive, send)
            return
        path: str = scope["path"]
        if (
            scope["method"] not in ("GET", "HEAD")
            or is_api_path(path)
            or not names_a_file_plainly(path)
        ):
            raise HTTPException(404)
        response = await self._response(path, scope)
        await response(scope, receive, send)

    async def _response(self, path: str, scope: Scope) -> Response:
        if path == ASSETS_PREFIX or path.startswith(ASSETS_PREFIX + "/"):
            return await self._assets.file(path.removeprefix(ASSETS_PREFIX).lstrip("/"), scope)
        relative = path.lstrip("/")
        if relative and relative != "index.html":
            try:
                return await self._files.file(relative, scope)
            except HTTPException:
                pass  # a route of the app, not a file: the page
        return await self._page(scope)

    async def _page(self, scope: Scope) -> Response:
        try:
            return await self._files.file("index.html", scope)
        except HTTPException:
            return PlainTextResponse(
                NOT_BUILT, status_code=503, headers={"cache-control": "no-store"}
            )
