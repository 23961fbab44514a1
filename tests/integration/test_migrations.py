from __future__ import annotations

import asyncpg

from backend.db.migrate import available_migrations, upgrade


async def test_upgrade_is_idempotent_and_recorded(database_url: str) -> None:
    assert await upgrade(database_url) == []  # the session fixture applied everything
    conn = await asyncpg.connect(database_url)
    try:
        versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")]
        tables = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
    finally:
        await conn.close()
    assert versions == sorted(m.version for m in available_migrations())
    assert {
        "logs_jenkins",
        "logs_api",
        "incidents",
        "action_executions",
        "outbox_events",
        "ingest_checkpoints",
        "audit_log",
    } <= tables


async def test_one_open_incident_per_fingerprint(db_pool: asyncpg.Pool) -> None:
    insert = (
        "INSERT INTO incidents (rule, severity, fingerprint, source, title, first_seen, last_seen,"
        " status) VALUES ('r', 'high', 'fp', 'jenkins', 't', now(), now(), $1)"
    )
    async with db_pool.acquire() as conn:
        await conn.execute(insert, "resolved")
        await conn.execute(insert, "detected")
        try:
            await conn.execute(insert, "acknowledged")
        except asyncpg.UniqueViolationError:
            pass
        else:
            raise AssertionError("a second open incident with the same fingerprint was stored")
