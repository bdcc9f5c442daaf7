"""Plain SQL migrations, applied in order under an advisory lock and recorded with checksums."""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

from wfm_storage.queue import install_queue

APP_ROLE = "wfm_app"
# Any constant shared by every process that migrates this database.
MIGRATION_LOCK_KEY = 0x57464D_4D4947  # "WFM" "MIG"

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def available_migrations() -> list[Migration]:
    found: list[Migration] = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version: {versions}")
    return found


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def ensure_app_role(conn: asyncpg.Connection, password: str) -> None:
    """The role the API and worker log in as: never superuser, never exempt from RLS."""
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE)
    if not exists:
        # Another process may create it at the same moment (roles are cluster-wide).
        with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
            await conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
    await conn.execute(
        f"ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE "
        f"PASSWORD {_literal(password)}"
    )


async def migrate(owner_dsn: str, app_password: str) -> list[Migration]:
    """Apply the pending migrations; returns those applied now. Safe to run concurrently."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            await ensure_app_role(conn, app_password)
            await conn.execute(
                """
                CREATE SCHEMA IF NOT EXISTS wfm;
                CREATE TABLE IF NOT EXISTS wfm.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """
            )
            applied = {
                row["version"]: row
                for row in await conn.fetch(
                    "SELECT version, name, checksum FROM wfm.schema_migrations"
                )
            }
            done: list[Migration] = []
            for migration in available_migrations():
                previous = applied.get(migration.version)
                if previous is not None:
                    if previous["checksum"] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version:04d}_{migration.name} was changed after "
                            "it was applied; add a new migration instead"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO wfm.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                done.append(migration)
            await install_queue(conn, APP_ROLE)
            return done
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await conn.close()
