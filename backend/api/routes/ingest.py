"""POST log batches: the raw body is validated once by the ingestion service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from backend.api.deps import IngestionDep
from backend.api.schemas import IncidentChangesPublic, IngestReply
from backend.services.log_records import ApiLogIn, JenkinsLogIn, LogKind

router = APIRouter(tags=["logs"])


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI request body: one record or a list (FastAPI does not parse it: we do, once)."""
    record = model.model_json_schema(by_alias=True)
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"anyOf": [record, {"type": "array", "items": record}]}
                }
            },
        }
    }


async def _ingest(kind: LogKind, request: Request, ingestion: IngestionDep) -> IngestReply:
    result = await ingestion.ingest(kind, await request.body())
    return IngestReply(
        stored=result.stored,
        duplicates=result.duplicates,
        incidents=IncidentChangesPublic(opened=result.opened, updated=result.updated),
    )


async def ingest_jenkins(request: Request, ingestion: IngestionDep) -> IngestReply:
    """Store Jenkins log records (one or a list), detect incidents, queue their events.

    A malformed batch is refused whole (422, `loc` = ["body", position, field]).
    """
    return await _ingest("jenkins", request, ingestion)


async def ingest_api(request: Request, ingestion: IngestionDep) -> IngestReply:
    """Store API access log records (one or a list), detect incidents, queue their events.

    A malformed batch is refused whole (422, `loc` = ["body", position, field]).
    """
    return await _ingest("api", request, ingestion)


for _prefix, _in_schema in (("/api", True), ("/mcp", False)):
    router.add_api_route(
        f"{_prefix}/logs/jenkins",
        ingest_jenkins,
        methods=["POST"],
        response_model=IngestReply,
        include_in_schema=_in_schema,
        openapi_extra=_body_schema(JenkinsLogIn),
        name=f"ingest_jenkins{'' if _in_schema else '_alias'}",
    )
    router.add_api_route(
        f"{_prefix}/logs/api",
        ingest_api,
        methods=["POST"],
        response_model=IngestReply,
        include_in_schema=_in_schema,
        openapi_extra=_body_schema(ApiLogIn),
        name=f"ingest_api{'' if _in_schema else '_alias'}",
    )
