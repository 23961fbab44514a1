"""OTLP/HTTP logs receiver: `POST /v1/logs`, protobuf or JSON, for a Collector or an SDK."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, HTTPException, Request, Response, status

from backend.api.deps import IngestionDep
from backend.settings import load_settings
from ingest.mapping import FieldMapping, load_mapping
from ingest.otlp import OtlpUndecodable, OtlpUnsupportedMedia
from ingest.otlp_receiver import receive_otlp_logs
from ingest.settings import OtlpSettings

router = APIRouter(tags=["otlp"])


@cache
def _mapping() -> FieldMapping:
    return load_mapping(load_settings(OtlpSettings).ingest_mapping_file)


@router.post(
    "/v1/logs",
    summary="OTLP/HTTP logs (application/x-protobuf or application/json)",
    response_class=Response,
)
async def export_logs(request: Request, ingestion: IngestionDep) -> Response:
    """Store OTLP log records as Jenkins or API logs (those with an HTTP status), detecting incidents.

    Records the backend refuses are reported as a partial success.
    """
    try:
        outcome = await receive_otlp_logs(
            ingestion,
            await request.body(),
            content_type=request.headers.get("content-type"),
            content_encoding=request.headers.get("content-encoding"),
            mapping=_mapping(),
        )
    except OtlpUnsupportedMedia as error:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(error)) from None
    except OtlpUndecodable as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    return Response(outcome.reply, media_type=outcome.media)
