"""Numbered SQL migrations, applied in order, each once, recorded in `schema_migrations`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import structlog

log = structlog.get_logger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
LOCK_KEY = 72_410_001  # advisory lock: one upgrade at a time


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """The migration files shipped in `backend/db/migrations`, in version order."""
    found = []
    for entry in resources.files("backend.db.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions in {[m.name for m in found]}")
    return found


def _split_database(dsn: str) -> tuple[str, str]:
    """Return (database name, DSN of the maintenance database `postgres` on the same server)."""
    parts = urlsplit(dsn)
    name = parts.path.lstrip("/") or "postgres"
    return name, urlunsplit(parts._replace(path="/postgres"))


async def create_database_if_missing(dsn: str) -> bool:
    """Create the DSN's database when it does not exist; True when it was created."""
    name, admin_dsn = _split_database(dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            await conn.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            return False
        return True
    finally:
        await conn.close()


async def upgrade(dsn: str) -> list[str]:
    """Create the database if needed and apply pending migrations; return the names applied."""
    if await create_database_if_missing(dsn):
        log.info("database.created", database=_split_database(dsn)[0])
    conn = await asyncpg.connect(dsn)
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            for migration in available_migrations():
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        migration.version,
                        migration.name,
                    )
                applied.append(migration.name)
                log.info("migration.applied", migration=migration.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
    finally:
        await conn.close()
    return applied
