"""Repositories: every SQL statement of the backend lives here, one module per table."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A pooled connection or a dedicated one: repositories accept both.
DbConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
