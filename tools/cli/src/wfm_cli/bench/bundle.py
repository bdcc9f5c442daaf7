"""B5's bundle figures: the size of the built web app (apps/web, built into the API's
static/web by `apps/web/build`), as bytes on disk and gzip bytes at Vite's level (the build
writes each file's gzip beside it at the best level, which the API sends to a browser that
accepts gzip: a little smaller still)."""

from __future__ import annotations

import gzip
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# zlib's default level, the one Vite's own build report uses for its gzip column
GZIP_LEVEL = 6


class BundleNotBuilt(RuntimeError):
    """There is no built web app to measure; the message says how to build it."""


@dataclass(frozen=True)
class Files:
    """Some files of the build: how many, their bytes, and their bytes once gzipped."""

    files: int
    bytes: int
    gzip_bytes: int

    def __add__(self, other: Files) -> Files:
        return Files(
            self.files + other.files, self.bytes + other.bytes, self.gzip_bytes + other.gzip_bytes
        )


NOTHING = Files(0, 0, 0)


@dataclass(frozen=True)
class Chunk:
    name: str  # the path under the build, as index.html names it: assets/index-<hash>.js
    size: Files


class _IndexPage(HTMLParser):
    """What index.html makes the browser fetch before the app runs: the entry script, the
    chunks it imports statically (modulepreload) and the style sheets."""

    def __init__(self) -> None:
        super().__init__()
        self.entry: str | None = None
        self.preloads: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("type") == "module" and found.get("src"):
            self.entry = self.entry or found["src"]
        elif tag == "link" and found.get("href"):
            if found.get("rel") == "modulepreload":
                self.preloads.append(str(found["href"]))
            elif found.get("rel") == "stylesheet":
                self.styles.append(str(found["href"]))


def _size(path: Path) -> Files:
    data = path.read_bytes()
    return Files(1, len(data), len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)))


def measure_bundle(build: Path) -> dict[str, Any]:
    """The entry chunk, what index.html loads before the app runs, the largest chunk, and
    every JavaScript and CSS file of the build in total."""
    index = build / "index.html"
    if not index.is_file():
        raise BundleNotBuilt(
            f"the web app is not built in {build}: run `make install` (or `apps/web/build`)"
        )
    page = _IndexPage()
    page.feed(index.read_text())
    if page.entry is None:
        raise BundleNotBuilt(f"{index} names no entry script: build the web app again")
    files = sorted(p for p in build.rglob("*") if p.is_file() and p.suffix in {".js", ".css"})
    sizes = {p.relative_to(build).as_posix(): _size(p) for p in files}

    def named(href: str) -> Chunk:
        name = href.lstrip("/")
        if name not in sizes:
            raise BundleNotBuilt(f"index.html loads {href}, which is not in {build}")
        return Chunk(name, sizes[name])

    entry = named(page.entry)
    initial = [entry, *map(named, page.preloads), *map(named, page.styles)]
    scripts = {n: s for n, s in sizes.items() if n.endswith(".js")}
    largest = max(scripts.items(), key=lambda item: item[1].bytes)
    return {
        "directory": str(build),
        "built_at": datetime.fromtimestamp(index.stat().st_mtime, UTC).isoformat(
            timespec="seconds"
        ),
        "gzip_level": GZIP_LEVEL,
        "entry": asdict(entry),
        "initial": asdict(sum((c.size for c in initial), NOTHING)),
        "initial_files": [c.name for c in initial],
        "largest": asdict(Chunk(*largest)),
        "js": asdict(sum(scripts.values(), NOTHING)),
        "css": asdict(sum((s for n, s in sizes.items() if n.endswith(".css")), NOTHING)),
    }


def kilobytes(count: int) -> str:
    return f"{count / 1024:,.1f} KB"
