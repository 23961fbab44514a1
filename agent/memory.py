"""Conversation memory: LangGraph's PostgreSQL checkpointer, one thread per conversation.

The checkpointer owns its tables (`checkpoints`, `checkpoint_blobs`, `checkpoint_writes`,
`checkpoint_migrations`) and migrates them itself with `setup()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool


@asynccontextmanager
async def open_checkpointer(
    database_url: str, *, max_size: int = 4
) -> AsyncIterator[AsyncPostgresSaver]:
    """A migrated checkpointer on a small connection pool (several threads may run at once)."""
    # The settings the saver expects of its connections (as in `from_conn_string`).
    kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    async with AsyncConnectionPool(
        database_url, min_size=1, max_size=max_size, kwargs=kwargs, open=False
    ) as pool:
        saver = AsyncPostgresSaver(conn=cast(AsyncConnectionPool[AsyncConnection[DictRow]], pool))
        await saver.setup()
        yield saver
