"""Dependencies of the routes: the services the composition root built, as `Annotated` aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from backend.api.broker_probe import BrokerProbe
from backend.services.ingestion import LogIngestion
from backend.settings import ApiSettings


@dataclass
class ApiServices:
    """What the lifespan opened; lives on `app.state.services`."""

    settings: ApiSettings
    token: bytes
    pool: asyncpg.Pool
    ingestion: LogIngestion
    broker: BrokerProbe | None


def _services(request: Request) -> ApiServices:
    services: ApiServices = request.app.state.services
    return services


def _pool(request: Request) -> asyncpg.Pool:
    return _services(request).pool


def _ingestion(request: Request) -> LogIngestion:
    return _services(request).ingestion


ServicesDep = Annotated[ApiServices, Depends(_services)]
PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
IngestionDep = Annotated[LogIngestion, Depends(_ingestion)]
