"""The Postgres adapter: a pool logged in as the app role, transactions scoped to a principal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol, cast

import asyncpg

from wfm_shared.errors import ServiceUnavailable, Unauthenticated
from wfm_shared.principal import ROLES, Principal
from wfm_storage.instrumentation import postgres_query_logged


class Executor(Protocol):
    """What repositories need: an asyncpg connection or a request's scoped session."""

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...
    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...
    async def execute(self, query: str, *args: Any) -> str: ...


async def init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    conn.add_query_logger(postgres_query_logged)


SESSION_ENDED = "the session has ended; log in again"


async def apply_principal(conn: Executor, principal: Principal | None) -> None:
    """Transaction-local settings read by the RLS policies; nothing outlives the transaction.
    A principal from an access token is checked against its user, as in `begin_statement`."""
    if principal is None:
        return
    if principal.role not in ROLES:
        raise ValueError(f"unknown role {principal.role!r}")
    await conn.execute(
        "SELECT set_config('app.tenant_id', $1, true), set_config('app.role', $2, true), "
        "set_config('app.user_id', $3, true)",
        str(principal.tenant_id) if principal.tenant_id else "",
        principal.role,
        str(principal.user_id),
    )
    if principal.token_version is not None:
        with session_ended_reported():
            await conn.execute("SELECT wfm.require_current_session($1)", principal.token_version)


def begin_statement(principal: Principal | None, *, readonly: bool = False) -> str:
    """BEGIN and the principal's transaction-local settings as one simple query: one round
    trip instead of two for every transaction. The values are a role from the fixed set,
    UUIDs and an integer, written as literals only after those checks.

    A principal from an access token (one with a token version) is checked in the same
    query, under the settings just made: `wfm.require_current_session` (migration 0008)
    fails it unless its user is active, in an active tenant, with the token's role and
    version. The query then fails as a whole: `session_ended_reported` makes that
    UNAUTHENTICATED, and nothing of the transaction ran."""
    begin = "BEGIN READ ONLY" if readonly else "BEGIN"
    if principal is None:
        return begin
    if principal.role not in ROLES:
        raise ValueError(f"unknown role {principal.role!r}")
    tenant = str(uuid.UUID(str(principal.tenant_id))) if principal.tenant_id else ""
    user = str(uuid.UUID(str(principal.user_id)))
    statement = (
        f"{begin}; SELECT set_config('app.tenant_id', '{tenant}', true), "
        f"set_config('app.role', '{principal.role}', true), "
        f"set_config('app.user_id', '{user}', true)"
    )
    if principal.token_version is None:
        return statement
    version = principal.token_version
    if type(version) is not int or version < 1:
        raise ValueError(f"invalid token version {version!r}")
    return f"{statement}; SELECT wfm.require_current_session({version})"


@contextlib.contextmanager
def session_ended_reported() -> Iterator[None]:
    """The check of `begin_statement` failed: the access token's user was disabled or
    deleted, its tenant suspended, its role changed or its sessions ended."""
    try:
        yield
    except asyncpg.InvalidAuthorizationSpecificationError:
        raise Unauthenticated(SESSION_ENDED) from None


# A connection the server closed under us (stopped, restarted, crashed; a network cut).
# asyncpg may notice it one message late: on a connection whose server has sent its last
# FATAL message, the next statement fails with InternalClientError ("another operation
# is in progress").
CONNECTION_LOST = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,  # 57P01 terminated by a shutdown, 57P02 crash
)


@contextlib.contextmanager
def connection_loss_reported() -> Iterator[None]:
    """Report a connection lost under asyncpg's protocol as what it is (callers map
    connection errors to "unavailable"), not as an internal error."""
    try:
        yield
    except asyncpg.InternalClientError as error:
        raise ConnectionResetError("the PostgreSQL connection was closed") from error


async def begin_transaction(
    conn: asyncpg.Connection, principal: Principal | None, *, readonly: bool = False
) -> None:
    """`begin_statement` on `conn`. A principal whose session has ended answers
    UNAUTHENTICATED and leaves no transaction open (the refused one is rolled back)."""
    try:
        with session_ended_reported():
            await conn.execute(begin_statement(principal, readonly=readonly))
    except Unauthenticated:
        with contextlib.suppress(*CONNECTION_LOST):
            await conn.execute("ROLLBACK")
        raise


class PooledConnection(asyncpg.Connection):
    """A connection of the platform's pool. Everything the platform sets on one is
    transaction-local (`apply_principal`), and none holds a LISTEN, an advisory lock or a
    cursor past its transaction: giving it back needs no reset query (asyncpg's `RESET ALL`
    and friends, one more round trip per transaction). An open transaction is still rolled
    back by the pool."""

    def get_reset_query(self) -> str:
        return ""


class Database:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def connect(
        cls, dsn: str, *, min_size: int = 1, max_size: int = 10, statement_timeout: float = 30.0
    ) -> Database:
        """`statement_timeout` bounds both a new connection and every statement, so a server that stops
        answering (frozen, partitioned) fails requests instead of holding them forever."""
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                init=init_connection,
                timeout=statement_timeout,
                command_timeout=statement_timeout,
                connection_class=PooledConnection,
            )
        except (OSError, asyncpg.PostgresError) as error:
            raise ServiceUnavailable(f"cannot connect to PostgreSQL: {error}") from error
        assert pool is not None
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    @contextlib.asynccontextmanager
    async def transaction(self, principal: Principal | None) -> AsyncIterator[asyncpg.Connection]:
        """A transaction in which RLS sees `principal` (None: only SECURITY DEFINER access)."""
        async with self._acquired() as conn:
            with connection_loss_reported():
                await begin_transaction(conn, principal)
                try:
                    yield conn
                except BaseException:
                    # (a lost connection is dropped by the pool; any other gets it back clean)
                    with contextlib.suppress(*CONNECTION_LOST):
                        await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._acquired() as conn:
            with connection_loss_reported():
                yield conn

    async def acquire(self) -> asyncpg.Connection:
        # The pool hands out a proxy that forwards every Connection method to its connection.
        return cast(asyncpg.Connection, await self.pool.acquire())

    @contextlib.asynccontextmanager
    async def _acquired(self) -> AsyncIterator[asyncpg.Connection]:
        conn = await self.acquire()
        try:
            yield conn
        finally:
            await self.release(conn)

    async def release(self, conn: asyncpg.Connection) -> None:
        """Give the connection back. Resetting it fails when the server has closed it: the
        pool drops it then, and the work done on it stands as the caller saw it."""
        with contextlib.suppress(*CONNECTION_LOST):
            await self.pool.release(cast(asyncpg.pool.PoolConnectionProxy, conn))

    def session(self, principal: Principal | None) -> ScopedSession:
        return ScopedSession(self, principal)


class ScopedSession:
    """One connection and one read-only transaction for a whole request, opened on first
    use. Writes go through the services' own transactions.

    asyncpg runs one query at a time per connection, and a request's dataloaders may
    dispatch concurrently: every query takes the lock."""

    def __init__(self, db: Database, principal: Principal | None) -> None:
        self._db = db
        self._principal = principal
        self._lock = asyncio.Lock()
        self._conn: asyncpg.Connection | None = None

    async def _open(self) -> asyncpg.Connection:
        if self._conn is None:
            conn = await self._db.acquire()
            try:
                await begin_transaction(conn, self._principal, readonly=True)
            except BaseException:
                await self._db.release(conn)
                raise
            self._conn = conn
        return self._conn

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self._lock:
            with connection_loss_reported():
                result: list[asyncpg.Record] = await (await self._open()).fetch(query, *args)
                return result

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        async with self._lock:
            with connection_loss_reported():
                return await (await self._open()).fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self._lock:
            with connection_loss_reported():
                return await (await self._open()).fetchval(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        async with self._lock:
            with connection_loss_reported():
                result: str = await (await self._open()).execute(query, *args)
                return result

    async def close(self, *, commit: bool = True) -> None:
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                # Read only: a connection lost after the last read loses nothing, and the
                # answer already read stands.
                with contextlib.suppress(*CONNECTION_LOST):
                    await conn.execute("COMMIT" if commit else "ROLLBACK")
            finally:
                await self._db.release(conn)
